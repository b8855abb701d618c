//! The portable backend: level-triggered epoll, with the waker's eventfd
//! registered under the reserved token. Owned by one core's thread.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use dynacore::io::{Clock, SystemClock};

use super::{Event, Interest, Poller, RESERVED_TOKEN, Token, Waker, timeout_ms};

/// Most events one `epoll_wait` returns; the rest stay ready (level
/// triggered) and come back on the next wait.
const EVENTS_PER_WAIT_MAX: usize = 1024;

/// A level-triggered epoll instance and its waker.
#[derive(Debug)]
pub struct EpollPoller {
    epoll: OwnedFd,
    waker: Waker,
    buffer: Vec<libc::epoll_event>,
    /// Each registered token's fd, so a wrong or reused token is refused the
    /// same way the io_uring backend refuses it (epoll itself keys on fds).
    fd_of_token: HashMap<Token, RawFd>,
}

impl EpollPoller {
    /// A new epoll instance with its eventfd registered.
    pub fn new() -> io::Result<EpollPoller> {
        // SAFETY: epoll_create1 takes no pointers.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and nothing else owns it.
        let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
        let waker = Waker::new()?;
        let poller = EpollPoller {
            epoll,
            waker,
            buffer: vec![libc::epoll_event { events: 0, u64: 0 }; EVENTS_PER_WAIT_MAX],
            fd_of_token: HashMap::new(),
        };
        poller.control(
            libc::EPOLL_CTL_ADD,
            poller.waker.raw_fd(),
            RESERVED_TOKEN,
            libc::EPOLLIN as u32,
        )?;
        Ok(poller)
    }

    fn control(&self, op: libc::c_int, fd: RawFd, token: Token, events: u32) -> io::Result<()> {
        let mut event = libc::epoll_event { events, u64: token };
        // SAFETY: `event` is a live epoll_event; the kernel copies it.
        let result = unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, fd, &mut event) };
        if result < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

fn epoll_mask(interest: Interest) -> u32 {
    let mut mask = 0;
    if interest.readable {
        // RDHUP so a peer's close is a hang-up even while bytes remain.
        mask |= (libc::EPOLLIN | libc::EPOLLRDHUP) as u32;
    }
    if interest.writable {
        mask |= libc::EPOLLOUT as u32;
    }
    mask
}

fn check_token(token: Token) -> io::Result<()> {
    if token == RESERVED_TOKEN {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "token u64::MAX is reserved for the poller's waker",
        ));
    }
    Ok(())
}

fn not_registered() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "the token is not registered")
}

impl Poller for EpollPoller {
    fn backend(&self) -> &'static str {
        "epoll"
    }

    fn add(&mut self, fd: RawFd, token: Token, interest: Interest) -> io::Result<()> {
        check_token(token)?;
        if self.fd_of_token.contains_key(&token) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the token is already registered",
            ));
        }
        self.control(libc::EPOLL_CTL_ADD, fd, token, epoll_mask(interest))?;
        self.fd_of_token.insert(token, fd);
        Ok(())
    }

    fn modify(&mut self, fd: RawFd, token: Token, interest: Interest) -> io::Result<()> {
        if self.fd_of_token.get(&token) != Some(&fd) {
            return Err(not_registered());
        }
        self.control(libc::EPOLL_CTL_MOD, fd, token, epoll_mask(interest))
    }

    fn delete(&mut self, fd: RawFd, token: Token) -> io::Result<()> {
        if self.fd_of_token.get(&token) != Some(&fd) {
            return Err(not_registered());
        }
        self.fd_of_token.remove(&token);
        self.control(libc::EPOLL_CTL_DEL, fd, token, 0)
    }

    fn wait(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()> {
        let clock = SystemClock;
        let deadline = timeout.and_then(|t| clock.now().checked_add(t));
        let mut remaining = timeout;
        let count = loop {
            let capacity = libc::c_int::try_from(self.buffer.len()).unwrap_or(libc::c_int::MAX);
            // SAFETY: the buffer holds `capacity` epoll_events the kernel may fill.
            let count = unsafe {
                libc::epoll_wait(
                    self.epoll.as_raw_fd(),
                    self.buffer.as_mut_ptr(),
                    capacity,
                    timeout_ms(remaining),
                )
            };
            if count >= 0 {
                break count as usize;
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
            // A signal: wait out the rest of the timeout.
            if let Some(deadline) = deadline {
                remaining = Some(deadline.saturating_duration_since(clock.now()));
            }
        };
        for raw in &self.buffer[..count] {
            let token = raw.u64;
            if token == RESERVED_TOKEN {
                self.waker.consume();
                continue;
            }
            let flags = raw.events;
            events.push(Event {
                token,
                readable: flags & (libc::EPOLLIN as u32) != 0,
                writable: flags & (libc::EPOLLOUT as u32) != 0,
                hangup: flags & ((libc::EPOLLHUP | libc::EPOLLRDHUP | libc::EPOLLERR) as u32) != 0,
            });
        }
        Ok(())
    }

    fn waker(&self) -> Waker {
        self.waker.clone()
    }
}
