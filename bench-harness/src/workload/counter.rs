//! [`AcknowledgedCounter`]: hands out insert keynums and publishes how far
//! the inserts are complete, as YCSB's `AcknowledgedCounterGenerator` does.
//!
//! Shared by all client threads through an `Arc`. [`AcknowledgedCounter::next`]
//! is one atomic add. [`AcknowledgedCounter::acknowledge`] records a finished
//! insert in a ring of [`ACKNOWLEDGE_WINDOW`] bits under a mutex and advances
//! the limit over every contiguous acknowledged keynum. Invariants:
//! `limit_exclusive <= next`, every keynum below `limit_exclusive` was
//! acknowledged, and the window holds bits only for keynums in
//! `limit_exclusive .. limit_exclusive + ACKNOWLEDGE_WINDOW`.
//!
//! Key choosers read [`AcknowledgedCounter::last_value`] so that they never
//! pick a key whose insert, or an earlier one, may still be in flight.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many inserts may be handed out but unacknowledged beyond the limit:
/// 2^20, YCSB's `WINDOW_SIZE`. Bounds the window's memory (128 KiB of bits).
pub const ACKNOWLEDGE_WINDOW: u64 = 1 << 20;

const WINDOW_WORD_COUNT: usize = (ACKNOWLEDGE_WINDOW / 64) as usize;
const _: () = assert!(ACKNOWLEDGE_WINDOW.is_power_of_two() && ACKNOWLEDGE_WINDOW >= 64);

/// See the module docs.
#[derive(Debug)]
pub struct AcknowledgedCounter {
    /// The keynum the next insert gets.
    next: AtomicU64,
    /// One past the highest keynum below which every insert is acknowledged.
    /// Written only under `window`'s lock; read without it.
    limit_exclusive: AtomicU64,
    /// Bit `k % ACKNOWLEDGE_WINDOW` is set when keynum `k` (above the limit)
    /// was acknowledged.
    window: Mutex<Vec<u64>>,
}

impl AcknowledgedCounter {
    /// A counter whose first insert gets keynum `start` (YCSB passes
    /// `recordcount`); `start - 1` counts as already acknowledged, the last
    /// loaded record.
    ///
    /// # Panics
    /// If `start` is 0: the limit "below keynum 0" cannot be expressed as a
    /// keynum, and a workload always has at least one record to choose.
    pub fn new(start: u64) -> Self {
        assert!(
            start > 0,
            "AcknowledgedCounter needs at least one loaded record"
        );
        Self {
            next: AtomicU64::new(start),
            limit_exclusive: AtomicU64::new(start),
            window: Mutex::new(vec![0; WINDOW_WORD_COUNT]),
        }
    }

    /// Hands out the keynum for a new insert. The caller must pass it to
    /// [`Self::acknowledge`] once the insert is done (YCSB acknowledges even
    /// a failed insert, in a `finally`, so that one failure does not freeze
    /// the limit for the rest of the run).
    pub fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// The highest keynum such that it and every keynum below it were
    /// acknowledged (YCSB's `lastValue()`, the counter's `limit`).
    pub fn last_value(&self) -> u64 {
        self.limit_exclusive.load(Ordering::Acquire) - 1
    }

    /// Marks `keynum` as inserted and advances [`Self::last_value`] over
    /// every contiguous acknowledged keynum.
    ///
    /// # Errors
    /// If `keynum` was never handed out by [`Self::next`], was already
    /// acknowledged, or lies [`ACKNOWLEDGE_WINDOW`] or more beyond the limit
    /// (YCSB's "Too many unacknowledged insertion keys": one insert is stuck
    /// while a million later ones finished).
    pub fn acknowledge(&self, keynum: u64) -> anyhow::Result<()> {
        // A panic never happens while the lock is held, so a poisoned lock
        // still guards consistent bits.
        let mut window = self
            .window
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut limit = self.limit_exclusive.load(Ordering::Relaxed);
        let handed_out_end = self.next.load(Ordering::Relaxed);
        anyhow::ensure!(
            keynum < handed_out_end,
            "acknowledged insert keynum {keynum} was never handed out (next is {handed_out_end})"
        );
        anyhow::ensure!(keynum >= limit, "insert keynum {keynum} acknowledged twice");
        anyhow::ensure!(
            keynum - limit < ACKNOWLEDGE_WINDOW,
            "too many unacknowledged inserts: keynum {keynum} is {} beyond keynum {limit}, \
             which is still in flight (the window holds {ACKNOWLEDGE_WINDOW})",
            keynum - limit
        );
        let (word, bit) = window_position(keynum);
        anyhow::ensure!(
            window[word] & bit == 0,
            "insert keynum {keynum} acknowledged twice"
        );
        window[word] |= bit;

        // Unlike YCSB, which only `tryLock`s here and so can leave the limit
        // behind until a later acknowledgement, we always advance it. The loop
        // runs at most ACKNOWLEDGE_WINDOW times: only that many bits exist.
        loop {
            let (word, bit) = window_position(limit);
            if window[word] & bit == 0 {
                break;
            }
            window[word] &= !bit;
            limit += 1;
        }
        self.limit_exclusive.store(limit, Ordering::Release);
        Ok(())
    }
}

fn window_position(keynum: u64) -> (usize, u64) {
    let slot = keynum & (ACKNOWLEDGE_WINDOW - 1);
    ((slot / 64) as usize, 1 << (slot % 64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn limit_starts_at_the_last_loaded_record() {
        let counter = AcknowledgedCounter::new(1000);
        assert_eq!(counter.last_value(), 999);
        assert_eq!(counter.next(), 1000);
        assert_eq!(counter.next(), 1001);
        assert_eq!(counter.last_value(), 999);
    }

    #[test]
    fn limit_waits_for_the_oldest_outstanding_insert() {
        let counter = AcknowledgedCounter::new(10);
        let keynums: Vec<u64> = (0..4).map(|_| counter.next()).collect();
        assert_eq!(keynums, [10, 11, 12, 13]);
        counter.acknowledge(12).unwrap();
        counter.acknowledge(11).unwrap();
        assert_eq!(counter.last_value(), 9, "10 is still in flight");
        counter.acknowledge(10).unwrap();
        assert_eq!(counter.last_value(), 12);
        counter.acknowledge(13).unwrap();
        assert_eq!(counter.last_value(), 13);
    }

    #[test]
    fn acknowledge_rejects_unknown_duplicate_and_out_of_window_keynums() {
        let counter = AcknowledgedCounter::new(5);
        let error = counter.acknowledge(5).unwrap_err().to_string();
        assert!(error.contains("never handed out"), "{error}");
        let first = counter.next();
        counter.acknowledge(first).unwrap();
        let error = counter.acknowledge(first).unwrap_err().to_string();
        assert!(error.contains("twice"), "{error}");
        let second = counter.next();
        let third = counter.next();
        counter.acknowledge(third).unwrap();
        let error = counter.acknowledge(third).unwrap_err().to_string();
        assert!(error.contains("twice"), "{error}");

        // Keep `second` in flight and finish a window's worth of later ones.
        let mut last = third;
        while last - second < ACKNOWLEDGE_WINDOW {
            last = counter.next();
            if last - second < ACKNOWLEDGE_WINDOW {
                counter.acknowledge(last).unwrap();
            }
        }
        let error = counter.acknowledge(last).unwrap_err().to_string();
        assert!(error.contains("too many unacknowledged"), "{error}");
        counter.acknowledge(second).unwrap();
        assert_eq!(counter.last_value(), last - 1);
        counter.acknowledge(last).unwrap();
        assert_eq!(counter.last_value(), last);
    }

    #[test]
    fn concurrent_inserts_end_with_every_keynum_acknowledged() {
        let counter = Arc::new(AcknowledgedCounter::new(1));
        let thread_count = 4;
        let inserts_per_thread = 20_000;
        let threads: Vec<_> = (0..thread_count)
            .map(|_| {
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || {
                    let mut previous_limit = 0;
                    for _ in 0..inserts_per_thread {
                        let keynum = counter.next();
                        let limit = counter.last_value();
                        assert!(limit < keynum, "a keynum in flight is never visible");
                        assert!(limit >= previous_limit, "the limit never goes back");
                        previous_limit = limit;
                        counter.acknowledge(keynum).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(counter.last_value(), thread_count * inserts_per_thread);
    }
}
