//! [`ShardMesh`]: how shard threads send work to each other — an N×N grid of
//! bounded single-producer single-consumer rings, one per ordered pair of
//! shards, plus each shard's wake-up handle.
//!
//! Ring `from → to` is pushed only by code holding shard `from`'s lock and
//! popped only by code holding shard `to`'s lock; the shard locks are what
//! make each ring single-producer and single-consumer, and
//! [`SpscRing::push`]/[`SpscRing::pop`] state that as their safety contract.
//! Sending never blocks: a full ring is an immediate `Busy`, so no shard
//! thread ever waits for another (`docs/architecture.md`).
//!
//! [`SpscRing`] protocol (checked by the loom model below): the producer
//! writes a slot, then publishes it by storing `tail + 1` with `Release`; the
//! consumer reads `tail` with `Acquire`, reads the slot, then frees it by
//! storing `head + 1` with `Release`, which the producer reads with `Acquire`
//! before reusing the slot.

use std::mem::MaybeUninit;
use std::sync::OnceLock;

use super::ShardRouter;
use crate::sync::{AtomicUsize, Ordering, UnsafeCell, thread};

/// A value alone on its cache line(s), so the producer's and the consumer's
/// counters do not share one (128 bytes: adjacent-line prefetch pairs lines).
#[derive(Debug)]
#[repr(align(128))]
struct CachePadded<T>(T);

/// A bounded single-producer single-consumer ring; see the module docs.
pub(crate) struct SpscRing<T> {
    slots: Box<[UnsafeCell<MaybeUninit<T>>]>,
    mask: usize,
    /// The next slot to pop; written only by the consumer.
    head: CachePadded<AtomicUsize>,
    /// The next slot to push; written only by the producer.
    tail: CachePadded<AtomicUsize>,
}

// SAFETY: the ring moves `T`s between threads (so `T: Send`), and its slots
// are only touched under the single-producer/single-consumer contract of
// `push` and `pop`, with the Release/Acquire pairs of the module docs.
unsafe impl<T: Send> Send for SpscRing<T> {}
// SAFETY: as above; shared references only reach `push` and `pop`.
unsafe impl<T: Send> Sync for SpscRing<T> {}

impl<T> SpscRing<T> {
    /// An empty ring holding up to `capacity` items, rounded up to a power of two.
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1).next_power_of_two();
        SpscRing {
            slots: (0..capacity)
                .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
                .collect(),
            mask: capacity - 1,
            head: CachePadded(AtomicUsize::new(0)),
            tail: CachePadded(AtomicUsize::new(0)),
        }
    }

    /// Adds `value`, or gives it back if the ring is full.
    ///
    /// # Safety
    /// No other thread may call `push` on this ring concurrently (one
    /// producer at a time; the mesh guarantees it with the sender's shard lock).
    pub(crate) unsafe fn push(&self, value: T) -> Result<(), T> {
        let tail = self.tail.0.load(Ordering::Relaxed);
        let head = self.head.0.load(Ordering::Acquire);
        if tail.wrapping_sub(head) > self.mask {
            return Err(value);
        }
        self.slots[tail & self.mask].with_mut(|slot| {
            // SAFETY: the slot is free (the consumer's Release store of
            // `head`, read above with Acquire, says it finished with it) and
            // only this producer writes slots.
            unsafe { (*slot).write(value) };
        });
        self.tail.0.store(tail.wrapping_add(1), Ordering::Release);
        Ok(())
    }

    /// Takes the oldest value, if any.
    ///
    /// # Safety
    /// No other thread may call `pop` on this ring concurrently (one
    /// consumer at a time; the mesh guarantees it with the receiver's shard lock).
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        let head = self.head.0.load(Ordering::Relaxed);
        let tail = self.tail.0.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        let value = self.slots[head & self.mask].with_mut(|slot| {
            // SAFETY: the producer's Release store of `tail`, read above with
            // Acquire, published this slot's value; only this consumer reads
            // it, once, before freeing the slot below.
            unsafe { (*slot).assume_init_read() }
        });
        self.head.0.store(head.wrapping_add(1), Ordering::Release);
        Some(value)
    }

    /// Whether the ring looks empty (a snapshot; any thread may ask).
    pub(crate) fn is_empty(&self) -> bool {
        self.head.0.load(Ordering::Acquire) == self.tail.0.load(Ordering::Acquire)
    }
}

impl<T> std::fmt::Debug for SpscRing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpscRing")
            .field("capacity", &(self.mask + 1))
            .field("empty", &self.is_empty())
            .finish()
    }
}

impl<T> std::fmt::Debug for ShardMesh<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardMesh")
            .field("shard_count", &self.shard_count)
            .finish_non_exhaustive()
    }
}

impl<T> Drop for SpscRing<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no producer or consumer is left.
        while unsafe { self.pop() }.is_some() {}
    }
}

/// The rings between every ordered pair of shards, their wake-ups, and the
/// router that says which shard owns a key: everything shards share about
/// each other, and nothing of each other's data.
pub(crate) struct ShardMesh<T> {
    shard_count: usize,
    router: ShardRouter,
    /// Ring `from → to` is `rings[from * shard_count + to]`.
    rings: Vec<SpscRing<T>>,
    /// Each shard thread, once it runs.
    threads: Vec<OnceLock<thread::Thread>>,
}

impl<T> ShardMesh<T> {
    /// A mesh for `shard_count` shards with rings of `capacity` items.
    pub(crate) fn new(shard_count: usize, capacity: usize) -> Self {
        ShardMesh {
            shard_count,
            router: ShardRouter::new(shard_count),
            rings: (0..shard_count * shard_count)
                .map(|_| SpscRing::new(capacity))
                .collect(),
            threads: (0..shard_count).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Records shard `shard`'s thread, for wake-ups.
    pub(crate) fn set_thread(&self, shard: usize, thread: thread::Thread) {
        let _ = self.threads[shard].set(thread);
    }

    /// Wakes shard `shard`'s thread (cheap when it is not parked).
    pub(crate) fn wake(&self, shard: usize) {
        if let Some(thread) = self.threads[shard].get() {
            thread.unpark();
        }
    }

    /// Sends `value` from shard `from` to shard `to` and wakes `to`; gives
    /// `value` back if the ring is full.
    ///
    /// # Safety
    /// The caller holds shard `from`'s lock (one producer per ring).
    pub(crate) unsafe fn send(&self, from: usize, to: usize, value: T) -> Result<(), T> {
        // SAFETY: forwarded contract.
        unsafe { self.rings[from * self.shard_count + to].push(value) }?;
        self.wake(to);
        Ok(())
    }

    /// Takes the next message to shard `to` from shard `from`.
    ///
    /// # Safety
    /// The caller holds shard `to`'s lock (one consumer per ring).
    pub(crate) unsafe fn receive(&self, from: usize, to: usize) -> Option<T> {
        // SAFETY: forwarded contract.
        unsafe { self.rings[from * self.shard_count + to].pop() }
    }

    /// Whether any message waits for shard `to`.
    pub(crate) fn has_messages_for(&self, to: usize) -> bool {
        (0..self.shard_count).any(|from| !self.rings[from * self.shard_count + to].is_empty())
    }

    /// Which shard owns which key.
    pub(crate) fn router(&self) -> &ShardRouter {
        &self.router
    }

    /// How many shards the mesh connects.
    pub(crate) fn shard_count(&self) -> usize {
        self.shard_count
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn ring_is_fifo_bounded_and_drops_what_is_left() {
        let ring = SpscRing::new(3); // rounded up to 4
        // SAFETY: one thread is both the only producer and the only consumer.
        unsafe {
            for i in 0..4 {
                ring.push(std::sync::Arc::new(i)).unwrap();
            }
            assert!(ring.push(std::sync::Arc::new(9)).is_err());
            assert_eq!(*ring.pop().unwrap(), 0);
            ring.push(std::sync::Arc::new(4)).unwrap();
            for i in 1..=4 {
                assert_eq!(*ring.pop().unwrap(), i);
            }
            assert!(ring.pop().is_none());
        }
        let tracked = std::sync::Arc::new(());
        let ring = SpscRing::new(4);
        // SAFETY: as above.
        unsafe { ring.push(tracked.clone()).unwrap() };
        drop(ring);
        assert_eq!(
            std::sync::Arc::strong_count(&tracked),
            1,
            "dropped ring leaks"
        );
    }

    #[test]
    fn ring_carries_values_across_threads_in_order() {
        let ring = std::sync::Arc::new(SpscRing::new(16));
        let producer = {
            let ring = ring.clone();
            std::thread::spawn(move || {
                for i in 0..100_000u32 {
                    let mut value = i;
                    // SAFETY: this thread is the only producer.
                    while let Err(back) = unsafe { ring.push(value) } {
                        value = back;
                        std::hint::spin_loop();
                    }
                }
            })
        };
        let mut next = 0;
        while next < 100_000u32 {
            // SAFETY: this thread is the only consumer.
            if let Some(value) = unsafe { ring.pop() } {
                assert_eq!(value, next);
                next += 1;
            }
        }
        producer.join().unwrap();
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    use super::*;
    use crate::sync::Arc;

    /// A producer pushing three values through a ring of two slots while
    /// the consumer pops: every value arrives once, in order, whatever the
    /// interleaving, and a slot is never reused before it was read (loom's
    /// UnsafeCell tracking would report the race).
    #[test]
    fn loom_spsc_ring_delivers_everything_in_order() {
        loom::model(|| {
            let ring = Arc::new(SpscRing::new(2));
            let producer = {
                let ring = ring.clone();
                loom::thread::spawn(move || {
                    for i in 0..3u32 {
                        let mut value = i;
                        // SAFETY: the only producer.
                        while let Err(back) = unsafe { ring.push(value) } {
                            value = back;
                            loom::thread::yield_now();
                        }
                    }
                })
            };
            let mut received = Vec::new();
            while received.len() < 3 {
                // SAFETY: the only consumer.
                match unsafe { ring.pop() } {
                    Some(value) => received.push(value),
                    None => loom::thread::yield_now(),
                }
            }
            producer.join().unwrap();
            assert_eq!(received, [0, 1, 2]);
        });
    }
}
