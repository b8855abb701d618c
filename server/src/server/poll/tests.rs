//! One test body per behaviour, run over both backends (`backend_tests!`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use super::{EpollPoller, Event, Interest, Poller, UringPoller, Waker};

type Open = fn() -> Box<dyn Poller>;

fn open_epoll() -> Box<dyn Poller> {
    Box::new(EpollPoller::new().expect("epoll"))
}

fn open_uring() -> Box<dyn Poller> {
    Box::new(UringPoller::new().expect("io_uring must work on the test machine"))
}

#[allow(clippy::disallowed_methods)] // Tests measure real time.
fn now() -> Instant {
    Instant::now()
}

fn wait_for(poller: &mut dyn Poller, timeout: Duration) -> Vec<Event> {
    let mut events = Vec::new();
    poller.wait(&mut events, Some(timeout)).expect("wait");
    events
}

/// Waits until `token` is reported (a few rounds, for stray wake-ups).
fn wait_token(poller: &mut dyn Poller, token: u64) -> Event {
    for _ in 0..10 {
        if let Some(event) = wait_for(poller, Duration::from_secs(2))
            .into_iter()
            .find(|e| e.token == token)
        {
            return event;
        }
    }
    panic!("token {token} was never reported");
}

fn pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().expect("socketpair");
    a.set_nonblocking(true).expect("nonblocking");
    (a, b)
}

fn readable_after_peer_writes(open: Open) {
    let mut poller = open();
    let (ours, mut theirs) = pair();
    poller.add(ours.as_raw_fd(), 7, Interest::READABLE).unwrap();
    assert!(
        wait_for(&mut *poller, Duration::from_millis(20)).is_empty(),
        "nothing written yet"
    );
    theirs.write_all(b"hi").unwrap();
    let event = wait_token(&mut *poller, 7);
    assert!(
        event.readable && !event.writable && !event.hangup,
        "{event:?}"
    );
    // Level-triggered: still unread, so reported again.
    let again = wait_for(&mut *poller, Duration::from_millis(200));
    assert!(
        again.iter().any(|e| e.token == 7 && e.readable),
        "{again:?}"
    );
    // Once drained, quiet.
    let mut buffer = [0u8; 8];
    assert_eq!((&ours).read(&mut buffer).unwrap(), 2);
    assert!(wait_for(&mut *poller, Duration::from_millis(20)).is_empty());
}

fn writable(open: Open) {
    let mut poller = open();
    let (ours, _theirs) = pair();
    poller.add(ours.as_raw_fd(), 3, Interest::WRITABLE).unwrap();
    let event = wait_token(&mut *poller, 3);
    assert!(event.writable && !event.readable, "{event:?}");
}

fn hangup_when_peer_closes(open: Open) {
    let mut poller = open();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    server.set_nonblocking(true).unwrap();
    poller
        .add(server.as_raw_fd(), 11, Interest::READABLE)
        .unwrap();
    assert!(wait_for(&mut *poller, Duration::from_millis(20)).is_empty());
    drop(client);
    let event = wait_token(&mut *poller, 11);
    assert!(event.hangup, "{event:?}");
}

fn wake_from_another_thread(open: Open) {
    let mut poller = open();
    let waker = poller.waker();
    let (_ours, _theirs) = pair();
    let started = now();
    let thread = std::thread::spawn(move || {
        #[allow(clippy::disallowed_methods)] // Let the poller block first.
        std::thread::sleep(Duration::from_millis(50));
        waker.wake();
    });
    let events = wait_for(&mut *poller, Duration::from_secs(10));
    let elapsed = started.elapsed();
    thread.join().unwrap();
    assert!(events.is_empty(), "a wake-up appends nothing: {events:?}");
    assert!(elapsed < Duration::from_secs(5), "woke after {elapsed:?}");
    // Consumed: the next wait times out.
    let started = now();
    assert!(wait_for(&mut *poller, Duration::from_millis(50)).is_empty());
    assert!(started.elapsed() >= Duration::from_millis(45));
}

fn wakes_coalesce_and_rearm(open: Open) {
    let mut poller = open();
    let waker = poller.waker();
    for _ in 0..100 {
        waker.wake();
    }
    let started = now();
    assert!(wait_for(&mut *poller, Duration::from_secs(5)).is_empty());
    assert!(started.elapsed() < Duration::from_secs(1));
    // One wake-up for all of them.
    let started = now();
    wait_for(&mut *poller, Duration::from_millis(50));
    assert!(
        started.elapsed() >= Duration::from_millis(45),
        "a second wake-up"
    );
    // And it wakes again afterwards.
    waker.clone().wake();
    let started = now();
    wait_for(&mut *poller, Duration::from_secs(5));
    assert!(started.elapsed() < Duration::from_secs(1));
}

fn timeout_returns(open: Open) {
    let mut poller = open();
    let started = now();
    assert!(wait_for(&mut *poller, Duration::from_millis(30)).is_empty());
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(28) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    let started = now();
    assert!(wait_for(&mut *poller, Duration::ZERO).is_empty());
    assert!(started.elapsed() < Duration::from_millis(500));
}

fn modify_interest(open: Open) {
    let mut poller = open();
    let (ours, mut theirs) = pair();
    let fd = ours.as_raw_fd();
    poller.add(fd, 5, Interest::WRITABLE).unwrap();
    assert!(wait_token(&mut *poller, 5).writable);
    theirs.write_all(b"x").unwrap();
    poller.modify(fd, 5, Interest::READABLE).unwrap();
    let event = wait_token(&mut *poller, 5);
    assert!(event.readable && !event.writable, "{event:?}");
    poller.modify(fd, 5, Interest::NONE).unwrap();
    assert!(wait_for(&mut *poller, Duration::from_millis(30)).is_empty());
    poller.modify(fd, 5, Interest::BOTH).unwrap();
    let event = wait_token(&mut *poller, 5);
    assert!(event.readable && event.writable, "{event:?}");
    assert!(poller.modify(fd, 99, Interest::READABLE).is_err());
}

fn delete_then_no_events(open: Open) {
    let mut poller = open();
    let (ours, mut theirs) = pair();
    let fd = ours.as_raw_fd();
    poller.add(fd, 9, Interest::READABLE).unwrap();
    theirs.write_all(b"x").unwrap();
    assert!(wait_token(&mut *poller, 9).readable);
    // Re-armed and firing again inside the kernel, then deleted.
    poller.wait(&mut Vec::new(), Some(Duration::ZERO)).unwrap();
    poller.delete(fd, 9).unwrap();
    let events = wait_for(&mut *poller, Duration::from_millis(50));
    assert!(events.iter().all(|e| e.token != 9), "{events:?}");
    assert!(poller.delete(fd, 9).is_err(), "deleted twice");
    // A registration whose poll is waiting in the kernel: neither its
    // cancellation nor later data may surface.
    let (quiet, mut quiet_peer) = pair();
    poller
        .add(quiet.as_raw_fd(), 12, Interest::READABLE)
        .unwrap();
    assert!(wait_for(&mut *poller, Duration::from_millis(20)).is_empty());
    poller
        .modify(quiet.as_raw_fd(), 12, Interest::READABLE)
        .unwrap();
    assert!(wait_for(&mut *poller, Duration::from_millis(20)).is_empty());
    poller.delete(quiet.as_raw_fd(), 12).unwrap();
    quiet_peer.write_all(b"late").unwrap();
    let events = wait_for(&mut *poller, Duration::from_millis(50));
    assert!(events.is_empty(), "{events:?}");
    // The token can be reused for a new registration.
    let (other, mut other_peer) = pair();
    poller
        .add(other.as_raw_fd(), 9, Interest::READABLE)
        .unwrap();
    other_peer.write_all(b"y").unwrap();
    assert!(wait_token(&mut *poller, 9).readable);
}

fn thousand_registered_fds(open: Open) {
    let mut poller = open();
    let pairs: Vec<_> = (0..1000).map(|_| pair()).collect();
    for (token, (ours, _)) in pairs.iter().enumerate() {
        poller
            .add(ours.as_raw_fd(), token as u64, Interest::READABLE)
            .unwrap();
    }
    assert!(wait_for(&mut *poller, Duration::from_millis(20)).is_empty());
    for (_, theirs) in pairs.iter().skip(1).step_by(2) {
        (&*theirs).write_all(b"z").unwrap();
    }
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20 {
        for event in wait_for(&mut *poller, Duration::from_millis(200)) {
            assert!(event.readable);
            seen.insert(event.token);
        }
        if seen.len() == 500 {
            break;
        }
    }
    let expected: std::collections::BTreeSet<u64> = (1..1000).step_by(2).collect();
    assert_eq!(seen, expected);
}

extern "C" fn ignore_signal(_: libc::c_int) {}

/// Signals (EINTR) during a wait neither fail it nor end it early.
fn signals_do_not_end_wait(open: Open) {
    use std::os::unix::thread::JoinHandleExt;
    // SAFETY: installs a handler that does nothing, without SA_RESTART so the
    // wait's system call really is interrupted.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore_signal as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
    let waiter = std::thread::spawn(move || {
        let mut poller = open();
        let started = now();
        let mut events = Vec::new();
        let outcome = poller.wait(&mut events, Some(Duration::from_millis(300)));
        (
            outcome.map_err(|e| e.to_string()),
            started.elapsed(),
            events,
        )
    });
    for _ in 0..5 {
        #[allow(clippy::disallowed_methods)] // Spread the signals over the wait.
        std::thread::sleep(Duration::from_millis(40));
        // SAFETY: the thread is alive until joined below.
        unsafe { libc::pthread_kill(waiter.as_pthread_t(), libc::SIGUSR1) };
    }
    let (outcome, elapsed, events) = waiter.join().unwrap();
    assert_eq!(outcome, Ok(()));
    assert!(events.is_empty(), "{events:?}");
    assert!(
        elapsed >= Duration::from_millis(290),
        "ended early: {elapsed:?}"
    );
}

fn reserved_token_refused(open: Open) {
    let mut poller = open();
    let (ours, _theirs) = pair();
    let error = poller
        .add(ours.as_raw_fd(), u64::MAX, Interest::READABLE)
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

macro_rules! backend_tests {
    ($backend:ident, $open:expr) => {
        mod $backend {
            #[test]
            fn readable_after_peer_writes() {
                super::readable_after_peer_writes($open)
            }
            #[test]
            fn writable() {
                super::writable($open)
            }
            #[test]
            fn hangup_when_peer_closes() {
                super::hangup_when_peer_closes($open)
            }
            #[test]
            fn wake_from_another_thread_returns_wait() {
                super::wake_from_another_thread($open)
            }
            #[test]
            fn wakes_coalesce_and_rearm() {
                super::wakes_coalesce_and_rearm($open)
            }
            #[test]
            fn timeout_returns() {
                super::timeout_returns($open)
            }
            #[test]
            fn modify_interest() {
                super::modify_interest($open)
            }
            #[test]
            fn delete_then_no_events() {
                super::delete_then_no_events($open)
            }
            #[test]
            fn thousand_registered_fds() {
                super::thousand_registered_fds($open)
            }
            #[test]
            fn signals_do_not_end_wait() {
                super::signals_do_not_end_wait($open)
            }
            #[test]
            fn reserved_token_refused() {
                super::reserved_token_refused($open)
            }
        }
    };
}

backend_tests!(epoll, super::open_epoll);
backend_tests!(uring, super::open_uring);

#[test]
fn auto_reports_its_backend() {
    let (poller, fallback_reason) = super::open(super::IoChoice::Auto).unwrap();
    match fallback_reason {
        None => assert_eq!(poller.backend(), "io_uring"),
        Some(_) => assert_eq!(poller.backend(), "epoll"),
    }
    let (poller, reason) = super::open(super::IoChoice::Portable).unwrap();
    assert_eq!((poller.backend(), reason), ("epoll", None));
}

/// Prints what a wake costs (run with `--nocapture`): a coalesced wake, a
/// first wake (eventfd write), and the round trip to a blocked poller.
#[test]
fn wake_cost_measured() {
    for open in [open_epoll as Open, open_uring as Open] {
        let mut poller = open();
        let waker: Waker = poller.waker();
        let rounds = 2000u32;
        let started = now();
        for _ in 0..rounds {
            waker.wake();
            poller.wait(&mut Vec::new(), Some(Duration::ZERO)).unwrap();
        }
        let first_wake_and_wait = started.elapsed() / rounds;
        waker.wake();
        let started = now();
        for _ in 0..rounds {
            waker.wake();
        }
        let coalesced = started.elapsed() / rounds;
        poller.wait(&mut Vec::new(), Some(Duration::ZERO)).unwrap();
        // Round trip: another thread wakes a blocked poller, which answers.
        let (reply_waker_tx, reply_waker_rx) = std::sync::mpsc::channel::<Waker>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Duration>();
        let remote = std::thread::spawn(move || {
            let mut remote_poller = open();
            reply_waker_tx.send(remote_poller.waker()).unwrap();
            let mut total = Duration::ZERO;
            for _ in 0..200 {
                let started = now();
                waker.wake();
                remote_poller
                    .wait(&mut Vec::new(), Some(Duration::from_secs(5)))
                    .unwrap();
                total += started.elapsed();
            }
            done_tx.send(total / 200).unwrap();
        });
        let reply = reply_waker_rx.recv().unwrap();
        for _ in 0..200 {
            poller
                .wait(&mut Vec::new(), Some(Duration::from_secs(5)))
                .unwrap();
            reply.wake();
        }
        let round_trip = done_rx.recv().unwrap();
        remote.join().unwrap();
        println!(
            "{}: wake+wait(0) {first_wake_and_wait:?}, coalesced wake {coalesced:?}, \
             cross-thread wake round trip {round_trip:?}",
            poller.backend()
        );
    }
}

/// Prints what one wait costs with 1000 registrations of which 100 stay
/// readable (run with `--nocapture`): the level-triggered steady state.
#[test]
fn wait_cost_with_ready_fds_measured() {
    for open in [open_epoll as Open, open_uring as Open] {
        let mut poller = open();
        let pairs: Vec<_> = (0..1000).map(|_| pair()).collect();
        for (token, (ours, theirs)) in pairs.iter().enumerate() {
            poller
                .add(ours.as_raw_fd(), token as u64, Interest::READABLE)
                .unwrap();
            if token % 10 == 0 {
                (&*theirs).write_all(b"r").unwrap();
            }
        }
        let mut events = Vec::with_capacity(1024);
        poller
            .wait(&mut events, Some(Duration::from_secs(1)))
            .unwrap();
        let rounds = 200u32;
        let started = now();
        let mut reported = 0;
        for _ in 0..rounds {
            events.clear();
            poller
                .wait(&mut events, Some(Duration::from_secs(1)))
                .unwrap();
            reported += events.len();
        }
        let per_wait = started.elapsed() / rounds;
        assert_eq!(
            reported,
            100 * rounds as usize,
            "every wait reports all 100"
        );
        println!(
            "{}: wait with 1000 registered, 100 ready: {per_wait:?}",
            poller.backend()
        );
    }
}
