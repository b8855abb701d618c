//! The synchronisation primitives the shard layer uses, swapped for
//! [`loom`](https://docs.rs/loom)'s models under `--cfg loom` so that the
//! hand-written concurrent pieces (reply slots, the request queue, the
//! shard wake-up) can be checked exhaustively. Run the models with
//! `RUSTFLAGS="--cfg loom" cargo test -p dynacore --lib --release loom`.
//!
//! Nothing outside `shard/` may use these for engine state: the LSM and
//! everything below it are single-threaded by construction.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};
#[cfg(loom)]
pub(crate) use loom::thread;

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::thread;

/// Locks `mutex`, ignoring poisoning: a panic while holding a shard lock is
/// a bug that has already been reported, and the state behind these locks
/// (an LSM that poisons itself on I/O failures, a reply slot) stays usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// One step of a bounded spin: a CPU hint under std, a yield to loom's
/// scheduler under loom (which must see every busy-wait iteration).
pub(crate) fn spin_hint() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    std::hint::spin_loop();
}

/// `UnsafeCell` with loom's closure-based API (`with`, `with_mut`), so the
/// hand-written ring buffer can be checked by loom.
#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// `UnsafeCell` with loom's closure-based API (`with`, `with_mut`).
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
