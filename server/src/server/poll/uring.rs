//! The io_uring backend: one ring per core, readiness through one-shot
//! `IORING_OP_POLL_ADD`s. Owned by one core's thread.
//!
//! A registration lives in a slot. Its poll's `user_data` is the slot index
//! (high 32 bits) and the slot's generation (low 32 bits); `modify` and
//! `delete` bump the generation and cancel the old poll with
//! `IORING_OP_POLL_REMOVE`, so a late completion of a removed or replaced poll
//! no longer matches and is dropped, never reported. A poll that fired is
//! re-armed at the start of the next wait, which fires at once if the fd is
//! still ready: that makes readiness level-triggered like epoll. The waker's
//! eventfd has its own poll under a reserved `user_data`, re-armed the same
//! way. Timeouts use `io_uring_enter`'s extended argument (a timespec), so
//! the kernel must have `IORING_FEAT_EXT_ARG` (5.11).

use std::collections::HashMap;
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

use dynacore::io::{Clock, SystemClock};
use io_uring::{IoUring, opcode, squeue, types};

use super::{Event, Interest, Poller, RESERVED_TOKEN, Token, Waker};

/// Submission queue entries: re-arming more polls than this in one wait
/// submits in several rounds.
const SUBMISSION_ENTRIES: u32 = 256;
/// Completion queue entries: room for a completion from every registration
/// of a busy core at once (the kernel keeps overflow rather than dropping
/// it, but overflow is slower).
const COMPLETION_ENTRIES: u32 = 8192;
/// `user_data` of the waker's poll.
const WAKER_USER_DATA: u64 = u64::MAX;
/// `user_data` of `POLL_REMOVE`s (their completions carry nothing we need).
const REMOVE_USER_DATA: u64 = u64::MAX - 1;
/// Most slots, so a slot index never collides with the reserved values.
const SLOT_COUNT_MAX: usize = (u32::MAX - 2) as usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotState {
    /// Not in use (on the free list).
    Free,
    /// Registered, its poll not submitted (new, modified, or fired).
    Idle,
    /// Registered with a poll in the kernel.
    Armed,
    /// Registered, but its poll failed (a bad fd): not re-armed until
    /// `modify`.
    Failed,
}

#[derive(Debug)]
struct Slot {
    token: Token,
    fd: RawFd,
    interest: Interest,
    generation: u32,
    state: SlotState,
}

impl Slot {
    fn user_data(&self, index: u32) -> u64 {
        (u64::from(index) << 32) | u64::from(self.generation)
    }
}

/// A ring polling sockets for readiness.
pub struct UringPoller {
    ring: IoUring,
    waker: Waker,
    waker_armed: bool,
    slots: Vec<Slot>,
    free_slots: Vec<u32>,
    slot_of_token: HashMap<Token, u32>,
    /// Slots that may need a poll submitted (entries for slots no longer
    /// `Idle` are skipped).
    to_arm: Vec<u32>,
}

impl std::fmt::Debug for UringPoller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UringPoller")
            .field("registrations", &self.slot_of_token.len())
            .field("waker_armed", &self.waker_armed)
            .finish_non_exhaustive()
    }
}

fn refused(step: &str, error: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, format!("{step}: {error}"))
}

impl UringPoller {
    /// A new ring. Errors (`Unsupported`, saying which step failed): the
    /// kernel lacks io_uring or refuses it (`kernel.io_uring_disabled`, a
    /// seccomp profile), lacks `POLL_ADD`/`POLL_REMOVE` or the extended
    /// enter argument, or a ring can be made but not entered.
    pub fn new() -> io::Result<UringPoller> {
        let ring = IoUring::builder()
            .setup_cqsize(COMPLETION_ENTRIES)
            .build(SUBMISSION_ENTRIES)
            .map_err(|e| refused("io_uring_setup", e))?;
        if !ring.params().is_feature_ext_arg() {
            return Err(refused(
                "io_uring features",
                "the kernel lacks IORING_FEAT_EXT_ARG (needs Linux 5.11)",
            ));
        }
        let mut probe = io_uring::Probe::new();
        ring.submitter()
            .register_probe(&mut probe)
            .map_err(|e| refused("IORING_REGISTER_PROBE", e))?;
        for (name, code) in [
            ("IORING_OP_POLL_ADD", opcode::PollAdd::CODE),
            ("IORING_OP_POLL_REMOVE", opcode::PollRemove::CODE),
        ] {
            if !probe.is_supported(code) {
                return Err(refused("io_uring probe", format!("no {name}")));
            }
        }
        let mut poller = UringPoller {
            ring,
            waker: Waker::new()?,
            waker_armed: false,
            slots: Vec::new(),
            free_slots: Vec::new(),
            slot_of_token: HashMap::new(),
            to_arm: Vec::new(),
        };
        // Some sandboxes allow creating a ring but not entering it.
        let nop = opcode::Nop::new().build().user_data(REMOVE_USER_DATA);
        poller
            .push(&nop)
            .map_err(|e| refused("io_uring_enter", e))?;
        loop {
            match poller.ring.submit_and_wait(1) {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(refused("io_uring_enter", e)),
            }
        }
        let nop_result = poller.ring.completion().next().map(|c| c.result());
        match nop_result {
            Some(result) if result >= 0 => Ok(poller),
            Some(result) => Err(refused(
                "IORING_OP_NOP",
                io::Error::from_raw_os_error(-result),
            )),
            None => Err(refused("IORING_OP_NOP", "no completion")),
        }
    }

    /// Queues an entry, submitting first when the queue is full.
    fn push(&mut self, entry: &squeue::Entry) -> io::Result<()> {
        loop {
            // SAFETY: the entries this module builds (poll add/remove, no-op)
            // point to no memory.
            if unsafe { self.ring.submission().push(entry) }.is_ok() {
                return Ok(());
            }
            match self.ring.submit() {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The completion queue is over-full: the caller's next wait
                // reaps it; until then the submission cannot proceed.
                Err(e) => return Err(e),
            }
        }
    }

    fn slot_index(&self, token: Token) -> io::Result<u32> {
        self.slot_of_token
            .get(&token)
            .copied()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the token is not registered"))
    }

    /// Cancels a slot's poll if one is in the kernel, and bumps its
    /// generation so that poll's completion (if already queued) is dropped.
    fn disarm(&mut self, index: u32) -> io::Result<()> {
        let slot = &mut self.slots[index as usize];
        let old_user_data = slot.user_data(index);
        let was_armed = slot.state == SlotState::Armed;
        slot.generation = slot.generation.wrapping_add(1);
        if was_armed {
            slot.state = SlotState::Idle;
            let remove = opcode::PollRemove::new(old_user_data)
                .build()
                .user_data(REMOVE_USER_DATA);
            self.push(&remove)?;
        }
        Ok(())
    }

    /// Submits polls for the waker and every slot waiting for one.
    fn arm_pending(&mut self) -> io::Result<()> {
        if !self.waker_armed {
            let poll = opcode::PollAdd::new(types::Fd(self.waker.raw_fd()), libc::POLLIN as u32)
                .build()
                .user_data(WAKER_USER_DATA);
            self.push(&poll)?;
            self.waker_armed = true;
        }
        let mut to_arm = std::mem::take(&mut self.to_arm);
        let mut armed_count = 0;
        let mut outcome = Ok(());
        for &index in &to_arm {
            let slot = &self.slots[index as usize];
            if slot.state == SlotState::Idle {
                let poll = opcode::PollAdd::new(types::Fd(slot.fd), poll_mask(slot.interest))
                    .build()
                    .user_data(slot.user_data(index));
                if let Err(e) = self.push(&poll) {
                    outcome = Err(e);
                    break;
                }
                self.slots[index as usize].state = SlotState::Armed;
            }
            armed_count += 1;
        }
        // Keep what was not armed (after an error) and the allocation.
        to_arm.drain(..armed_count);
        self.to_arm = to_arm;
        outcome
    }

    /// Handles the completions in the queue; returns whether the waker
    /// fired.
    fn reap(&mut self, events: &mut Vec<Event>) -> bool {
        let mut woken = false;
        // One entry at a time: no buffer to allocate, and `complete_poll`
        // needs `self` while the queue would borrow the ring.
        loop {
            let Some(completion) = self.ring.completion().next() else {
                break;
            };
            let (user_data, result) = (completion.user_data(), completion.result());
            match user_data {
                REMOVE_USER_DATA => {}
                WAKER_USER_DATA => {
                    self.waker_armed = false;
                    self.waker.consume();
                    woken = true;
                }
                _ => self.complete_poll(user_data, result, events),
            }
        }
        woken
    }

    fn complete_poll(&mut self, user_data: u64, result: i32, events: &mut Vec<Event>) {
        let index = (user_data >> 32) as u32;
        let generation = user_data as u32;
        let Some(slot) = self.slots.get_mut(index as usize) else {
            return;
        };
        if slot.state != SlotState::Armed || slot.generation != generation {
            // A removed or replaced poll: its registration is gone or newer.
            return;
        }
        if result < 0 {
            // The poll itself failed (say the fd was closed under us): tell
            // the loop, which will close the connection; do not re-arm.
            slot.state = SlotState::Failed;
            events.push(Event {
                token: slot.token,
                readable: false,
                writable: false,
                hangup: true,
            });
            return;
        }
        let mask = result as u32;
        slot.state = SlotState::Idle;
        self.to_arm.push(index);
        events.push(Event {
            token: slot.token,
            readable: mask & libc::POLLIN as u32 != 0,
            writable: mask & libc::POLLOUT as u32 != 0,
            hangup: mask & (libc::POLLHUP | libc::POLLRDHUP | libc::POLLERR) as u32 != 0,
        });
    }
}

fn poll_mask(interest: Interest) -> u32 {
    let mut mask = 0;
    if interest.readable {
        mask |= (libc::POLLIN | libc::POLLRDHUP) as u32;
    }
    if interest.writable {
        mask |= libc::POLLOUT as u32;
    }
    // The kernel adds POLLERR and POLLHUP itself.
    mask
}

impl Poller for UringPoller {
    fn backend(&self) -> &'static str {
        "io_uring"
    }

    fn add(&mut self, fd: RawFd, token: Token, interest: Interest) -> io::Result<()> {
        if token == RESERVED_TOKEN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "token u64::MAX is reserved for the poller's waker",
            ));
        }
        if fd < 0 {
            return Err(io::Error::from_raw_os_error(libc::EBADF));
        }
        if self.slot_of_token.contains_key(&token) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the token is already registered",
            ));
        }
        let index = match self.free_slots.pop() {
            Some(index) => index,
            None => {
                if self.slots.len() >= SLOT_COUNT_MAX {
                    return Err(io::Error::new(
                        io::ErrorKind::OutOfMemory,
                        "too many registrations",
                    ));
                }
                self.slots.push(Slot {
                    token,
                    fd,
                    interest,
                    generation: 0,
                    state: SlotState::Free,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.token = token;
        slot.fd = fd;
        slot.interest = interest;
        slot.state = SlotState::Idle;
        self.slot_of_token.insert(token, index);
        self.to_arm.push(index);
        Ok(())
    }

    fn modify(&mut self, fd: RawFd, token: Token, interest: Interest) -> io::Result<()> {
        let index = self.slot_index(token)?;
        self.disarm(index)?;
        let slot = &mut self.slots[index as usize];
        slot.fd = fd;
        slot.interest = interest;
        slot.state = SlotState::Idle;
        self.to_arm.push(index);
        Ok(())
    }

    fn delete(&mut self, _fd: RawFd, token: Token) -> io::Result<()> {
        let index = self.slot_index(token)?;
        let was_armed = self.slots[index as usize].state == SlotState::Armed;
        self.disarm(index)?;
        self.slots[index as usize].state = SlotState::Free;
        self.slot_of_token.remove(&token);
        self.free_slots.push(index);
        if was_armed {
            // Submit the removal now so the kernel drops its reference to the
            // file before the caller closes the fd.
            loop {
                match self.ring.submit() {
                    Ok(_) => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    fn wait(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()> {
        self.arm_pending()?;
        let clock = SystemClock;
        let deadline = timeout.and_then(|t| clock.now().checked_add(t));
        let mut remaining = timeout;
        let appended_before = events.len();
        loop {
            let completions_ready = !self.ring.completion().is_empty();
            let entered = if completions_ready || remaining == Some(Duration::ZERO) {
                self.ring.submit()
            } else if let Some(remaining) = remaining {
                let timespec = types::Timespec::from(remaining);
                let args = types::SubmitArgs::new().timespec(&timespec);
                self.ring.submitter().submit_with_args(1, &args)
            } else {
                self.ring.submit_and_wait(1)
            };
            match entered {
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ETIME) => {}
                // A signal, or a completion queue too full to submit into
                // (reaping below makes room): go round again.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {}
                Err(e) => return Err(e),
            }
            let woken = self.reap(events);
            if woken || events.len() > appended_before {
                return Ok(());
            }
            match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(clock.now());
                    if left.is_zero() {
                        return Ok(());
                    }
                    remaining = Some(left);
                }
                // No deadline: `None` waits forever, a timeout too large for
                // an Instant waits as long as it can.
                None if timeout.is_some() => remaining = timeout,
                None => {}
            }
        }
    }

    fn waker(&self) -> Waker {
        self.waker.clone()
    }
}
