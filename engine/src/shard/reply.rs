//! [`ReplySlot`]: where a shard puts the answer to one request, and how the
//! caller waits for it — by spinning briefly, then parking its thread, or as
//! a future polled by any async runtime.
//!
//! Protocol (checked by the loom models at the bottom of this file):
//! - The completer stores the value and sets `ready` under the slot's mutex,
//!   takes the registered waiter, releases the mutex, then wakes the waiter.
//! - A blocking waiter first spins on `ready` (no lock, no syscall: the cheap
//!   path when the answer comes within a few microseconds), then registers
//!   its thread under the mutex and parks, re-checking after every wake-up.
//!   Registering under the same mutex the completer takes means a completion
//!   can never slip between "checked: not ready" and "registered": either the
//!   completer sees the waiter, or the waiter sees the value. A wake-up that
//!   lands between the unlock and `park` is not lost: `unpark` before `park`
//!   makes `park` return at once.
//! - A future registers its `Waker` the same way on every poll.
//!
//! A slot is completed exactly once; completing it twice is a bug and panics.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::sync::{self, Arc, AtomicBool, Mutex, Ordering, thread};

/// Who is waiting for a slot.
#[derive(Debug)]
enum Waiter {
    None,
    Thread(thread::Thread),
    Task(Waker),
}

#[derive(Debug)]
struct SlotState<T> {
    value: Option<T>,
    completed: bool,
    waiter: Waiter,
}

/// A one-shot reply: written once by whoever executes the request, read once
/// by whoever asked. Shared as `Arc<ReplySlot<T>>`.
#[derive(Debug)]
pub struct ReplySlot<T> {
    /// Set (with `Release`) once `value` is stored; spinning waiters read it
    /// without taking the lock.
    ready: AtomicBool,
    state: Mutex<SlotState<T>>,
}

impl<T> ReplySlot<T> {
    /// An empty slot.
    pub fn new() -> Arc<Self> {
        Arc::new(ReplySlot {
            ready: AtomicBool::new(false),
            state: Mutex::new(SlotState {
                value: None,
                completed: false,
                waiter: Waiter::None,
            }),
        })
    }

    /// Stores the reply and wakes the waiter, if one is registered.
    ///
    /// # Panics
    /// If the slot was completed before (a bug in the shard).
    pub fn complete(&self, value: T) {
        let waiter = {
            let mut state = sync::lock(&self.state);
            assert!(!state.completed, "reply slot completed twice");
            state.completed = true;
            state.value = Some(value);
            self.ready.store(true, Ordering::Release);
            std::mem::replace(&mut state.waiter, Waiter::None)
        };
        // Woken outside the lock, so the woken thread does not immediately
        // block on the mutex we still hold.
        match waiter {
            Waiter::None => {}
            Waiter::Thread(thread) => thread.unpark(),
            Waiter::Task(waker) => waker.wake(),
        }
    }

    /// Whether the reply has arrived.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Blocks the calling thread until the reply arrives: spins up to
    /// `spin_iterations` times first, then parks.
    ///
    /// # Panics
    /// If the reply was already taken (waited for twice).
    pub fn wait(&self, spin_iterations: u32) -> T {
        for _ in 0..spin_iterations {
            if self.is_ready() {
                break;
            }
            sync::spin_hint();
        }
        loop {
            {
                let mut state = sync::lock(&self.state);
                if let Some(value) = state.value.take() {
                    return value;
                }
                assert!(!state.completed, "reply taken twice");
                state.waiter = Waiter::Thread(thread::current());
            }
            thread::park();
        }
    }

    /// The polling half of [`ReplyFuture`].
    fn poll_reply(&self, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = sync::lock(&self.state);
        if let Some(value) = state.value.take() {
            return Poll::Ready(value);
        }
        assert!(!state.completed, "reply future polled after completion");
        match &state.waiter {
            Waiter::Task(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.waiter = Waiter::Task(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// A future for a shard's reply: either already known (the request ran on
/// the caller's thread) or arriving in a [`ReplySlot`]. Runtime-agnostic: it
/// needs nothing but the waker it is polled with.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct ReplyFuture<T> {
    inner: FutureState<T>,
}

#[derive(Debug)]
enum FutureState<T> {
    Ready(Option<T>),
    Waiting(Arc<ReplySlot<T>>),
}

impl<T> ReplyFuture<T> {
    /// A future that is ready with `value`.
    pub fn ready(value: T) -> Self {
        ReplyFuture {
            inner: FutureState::Ready(Some(value)),
        }
    }

    /// A future completed through `slot`.
    pub fn waiting(slot: Arc<ReplySlot<T>>) -> Self {
        ReplyFuture {
            inner: FutureState::Waiting(slot),
        }
    }

    /// Blocks until the reply arrives (spinning `spin_iterations` first).
    pub fn wait(self, spin_iterations: u32) -> T {
        match self.inner {
            FutureState::Ready(value) => value.expect("ready future taken once"),
            FutureState::Waiting(slot) => slot.wait(spin_iterations),
        }
    }
}

// Neither variant is structurally pinned: the slot is behind an Arc.
impl<T> Unpin for ReplyFuture<T> {}

impl<T> Future for ReplyFuture<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match &mut self.inner {
            FutureState::Ready(value) => {
                Poll::Ready(value.take().expect("ReplyFuture polled after completion"))
            }
            FutureState::Waiting(slot) => slot.poll_reply(cx),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::task::Wake;

    #[test]
    fn wait_returns_a_value_completed_on_another_thread() {
        let slot = ReplySlot::new();
        let completer = slot.clone();
        let handle = std::thread::spawn(move || completer.complete(42u32));
        assert_eq!(slot.wait(0), 42);
        handle.join().unwrap();
    }

    #[test]
    fn wait_returns_at_once_when_already_completed() {
        let slot = ReplySlot::new();
        slot.complete("done");
        assert!(slot.is_ready());
        assert_eq!(slot.wait(1_000), "done");
    }

    struct CountingWaker(std::sync::atomic::AtomicUsize);
    impl Wake for CountingWaker {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn future_is_woken_by_completion_and_then_ready() {
        let slot = ReplySlot::new();
        let counter = std::sync::Arc::new(CountingWaker(Default::default()));
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        let mut future = ReplyFuture::waiting(slot.clone());
        assert!(Pin::new(&mut future).poll(&mut cx).is_pending());
        slot.complete(7u8);
        assert_eq!(counter.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(Pin::new(&mut future).poll(&mut cx), Poll::Ready(7));
    }

    #[test]
    #[should_panic(expected = "completed twice")]
    fn completing_twice_is_a_bug() {
        let slot = ReplySlot::new();
        slot.complete(1);
        slot.complete(2);
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    use super::*;

    /// A blocking waiter and a completer on another thread: the waiter always
    /// gets the value, whatever the interleaving (no lost wake-up).
    #[test]
    fn loom_reply_slot_wait_never_misses_the_completion() {
        loom::model(|| {
            let slot = ReplySlot::new();
            let completer = slot.clone();
            let handle = loom::thread::spawn(move || completer.complete(5u32));
            assert_eq!(slot.wait(1), 5);
            handle.join().unwrap();
        });
    }

    /// A waiter that skips spinning and parks at once.
    #[test]
    fn loom_reply_slot_park_without_spinning() {
        loom::model(|| {
            let slot = ReplySlot::new();
            let completer = slot.clone();
            let handle = loom::thread::spawn(move || completer.complete(()));
            slot.wait(0);
            handle.join().unwrap();
        });
    }
}
