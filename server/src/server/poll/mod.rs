//! Readiness polling for the per-core network event loop.
//!
//! Each core owns one [`Poller`] (it is `Send` so it can be built on the
//! spawning thread and moved to its core, but it is used by one thread only).
//! The loop registers sockets with an [`Interest`], calls [`Poller::wait`]
//! and handles the [`Event`]s it gets back. Other threads (other cores, the
//! metrics thread, the signal handler's thread) interrupt a wait through the
//! poller's [`Waker`].
//!
//! Two backends behave the same way (the tests in `tests.rs` run one test body
//! over both):
//! - `io_uring` (`uring.rs`): one ring per core, readiness through one-shot
//!   `IORING_OP_POLL_ADD`s re-armed while interest remains;
//! - `epoll` (`epoll.rs`): level-triggered epoll, the portable fallback.
//!
//! [`open`] picks one: `Auto` tries io_uring and falls back to epoll when the
//! kernel or a seccomp profile refuses it, saying why.
//!
//! Invariants both backends keep: readiness is level-triggered (an fd still
//! ready with interest is reported again by the next wait); a token is never
//! reported by a wait that starts after its `delete` returned; a wake-up alone
//! appends no event.

mod epoll;
mod uring;

#[cfg(test)]
mod tests;

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use epoll::EpollPoller;
pub use uring::UringPoller;

/// The caller's name for a registered fd, handed back in its [`Event`]s.
/// `u64::MAX` is reserved (the backends use it for the waker).
pub type Token = u64;

/// The token the backends reserve for their own eventfd; `add` refuses it.
pub(crate) const RESERVED_TOKEN: Token = u64::MAX;

/// What readiness a registration asks for. Hang-ups and errors are always
/// reported, even with neither flag set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interest {
    pub readable: bool,
    pub writable: bool,
}

impl Interest {
    pub const READABLE: Interest = Interest {
        readable: true,
        writable: false,
    };
    pub const WRITABLE: Interest = Interest {
        readable: false,
        writable: true,
    };
    pub const BOTH: Interest = Interest {
        readable: true,
        writable: true,
    };
    pub const NONE: Interest = Interest {
        readable: false,
        writable: false,
    };
}

/// One fd's readiness. `hangup` means the peer closed its side (a read
/// returns the buffered bytes, then EOF) or the socket has an error (the
/// next read or write returns it); the loop should read what is left and
/// close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub token: Token,
    pub readable: bool,
    pub writable: bool,
    pub hangup: bool,
}

/// Which backend `dynacore serve --io` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoChoice {
    /// io_uring when it works here, otherwise epoll.
    Auto,
    /// io_uring or an error.
    IoUring,
    /// epoll.
    Portable,
}

/// A readiness poller (see the module docs for the contract both backends
/// keep).
pub trait Poller: Send {
    /// "io_uring" or "epoll".
    fn backend(&self) -> &'static str;

    /// Registers `fd` under `token`. Errors: `InvalidInput` for the reserved
    /// token or a token already registered; the kernel's error otherwise
    /// (epoll: `AlreadyExists` for an fd already registered).
    /// The fd must stay open until `delete` returns.
    fn add(&mut self, fd: RawFd, token: Token, interest: Interest) -> io::Result<()>;

    /// Changes a registration's interest. Errors: `NotFound` if `token` is
    /// not registered (epoll: not registered with this `fd`).
    fn modify(&mut self, fd: RawFd, token: Token, interest: Interest) -> io::Result<()>;

    /// Removes a registration; no wait after this returns reports `token`
    /// (events already appended by an earlier wait are the caller's to
    /// skip). Errors: `NotFound` if `token` is not registered (epoll: not
    /// with this `fd`).
    fn delete(&mut self, fd: RawFd, token: Token) -> io::Result<()>;

    /// Blocks until an fd is ready, `Waker::wake` was called, or `timeout`
    /// passes (`None`: no timeout; `Some(ZERO)`: do not block); appends
    /// ready events to `events` (a wake-up alone appends nothing).
    /// Level-triggered: an fd that is still ready with interest is reported
    /// again on the next wait. Never reports a token after its `delete`
    /// returned. A signal (EINTR) does not end the wait early.
    fn wait(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()>;

    /// A handle other threads use to wake this poller.
    fn waker(&self) -> Waker;
}

/// Wakes a poller from any thread through its eventfd.
///
/// Cost: the first `wake` after the poller last consumed a wake-up writes
/// the eventfd (one `write(2)`, about a microsecond, plus the wake-up of a
/// sleeping poller thread); every further `wake` until the poller consumes
/// it is one atomic swap and no system call. So many wakes before a wait cost
/// one wake-up, and waking a busy poller is cheap after the first time.
#[derive(Debug, Clone)]
pub struct Waker {
    inner: Arc<WakerInner>,
}

#[derive(Debug)]
struct WakerInner {
    /// A non-blocking eventfd.
    fd: OwnedFd,
    /// Set by the wake that wrote the eventfd, cleared by the poller after
    /// it drained the eventfd: while set, a write is outstanding and the
    /// next wait returns anyway, so further wakes need not write.
    pending: AtomicBool,
}

impl Waker {
    /// A new eventfd-backed waker (non-blocking, close-on-exec).
    pub(crate) fn new() -> io::Result<Waker> {
        // SAFETY: eventfd takes no pointers.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Waker {
            inner: Arc::new(WakerInner {
                fd,
                pending: AtomicBool::new(false),
            }),
        })
    }

    /// Makes the poller's current or next `wait` return. Never blocks and
    /// never fails: an eventfd write can only fail when the counter is near
    /// overflow, and then a wake-up is already pending.
    pub fn wake(&self) {
        // AcqRel: the caller's earlier writes (an inbox push) are released to
        // the poller, which acquires them when it clears the flag.
        if self.inner.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let one: u64 = 1;
        loop {
            // SAFETY: writes 8 bytes from a live u64 to an fd this waker owns.
            let written = unsafe {
                libc::write(
                    self.inner.fd.as_raw_fd(),
                    (&one as *const u64).cast(),
                    std::mem::size_of::<u64>(),
                )
            };
            if written >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return;
            }
        }
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        self.inner.fd.as_raw_fd()
    }

    /// Called by the poller when the eventfd was reported readable: drains
    /// the counter, then clears `pending` so the next wake writes again.
    /// Draining first matters: a wake landing between the two steps finds
    /// `pending` set and skips its write, but the wait is returning anyway
    /// and the swap below acquires that wake's writes.
    pub(crate) fn consume(&self) {
        let mut counter: u64 = 0;
        loop {
            // SAFETY: reads 8 bytes into a live u64 from an fd this waker owns.
            let read = unsafe {
                libc::read(
                    self.inner.fd.as_raw_fd(),
                    (&mut counter as *mut u64).cast(),
                    std::mem::size_of::<u64>(),
                )
            };
            // EAGAIN (already drained) is the only other outcome of a read on
            // a non-blocking eventfd.
            if read >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                break;
            }
        }
        self.inner.pending.swap(false, Ordering::AcqRel);
    }
}

/// Opens the chosen backend. `Auto` tries io_uring and falls back to epoll
/// when the kernel or a seccomp profile refuses it; the second value then
/// says why io_uring was refused (for the startup log). The chosen backend is
/// the poller's `backend()`.
///
/// Errors: `IoUring` when io_uring cannot be used (the error says why); the
/// kernel's error when epoll or the eventfd cannot be created.
pub fn open(choice: IoChoice) -> io::Result<(Box<dyn Poller>, Option<String>)> {
    match choice {
        IoChoice::Portable => Ok((Box::new(EpollPoller::new()?), None)),
        IoChoice::IoUring => match UringPoller::new() {
            Ok(poller) => Ok((Box::new(poller), None)),
            Err(refusal) => Err(io::Error::new(
                refusal.kind(),
                format!("io_uring cannot be used for network polling: {refusal}"),
            )),
        },
        IoChoice::Auto => match UringPoller::new() {
            Ok(poller) => Ok((Box::new(poller), None)),
            Err(refusal) => Ok((Box::new(EpollPoller::new()?), Some(refusal.to_string()))),
        },
    }
}

/// Milliseconds for epoll_wait: rounded up so a sub-millisecond timeout does
/// not spin, and capped at i32::MAX.
pub(crate) fn timeout_ms(timeout: Option<Duration>) -> libc::c_int {
    match timeout {
        None => -1,
        Some(duration) => {
            let ms = duration.as_nanos().div_ceil(1_000_000);
            libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
        }
    }
}
