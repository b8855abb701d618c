//! Read-modify-write on a shard: conditional writes, UpdateItem, and writes
//! that return the old item. Each runs on the key's owning shard, under the
//! shard's lock, so two of them on one key are serialised and never lose an
//! update.
//!
//! The subtlety is group commit. A write is visible in the tree only once
//! its group's sync finished ([`crate::lsm::Lsm::finish_group`]), but the
//! lock is released during that sync and while later writes wait in the
//! pending list. A read-modify-write that read only the tree in that window
//! would miss writes ordered before it and overwrite them. So every batch
//! that is pending or being synced is entered in [`Unapplied`], the newest
//! value of each key it writes, and a read-modify-write reads through it.
//! Its own batch then joins the same write path as any other write, behind
//! the writes it read, so the order of the log is the order of decisions.
//! Plain reads (GetItem, Query, Scan) keep reading the tree alone: they must
//! not see a write before it is acknowledged.
//!
//! A write whose group fails is not applied and poisons the tree, so a
//! decision made on top of it fails too: nothing built on an unacknowledged
//! write is ever acknowledged. That holds for decisions that write nothing
//! (a condition that failed, a delete of an absent item) as well: one that
//! read an unapplied write waits for that write's group behind an empty
//! batch before it answers ([`ShardCore::decide`]).

use std::collections::HashMap;

use bytes::Bytes;

use crate::Result;
use crate::cache::shard::Lookup;
use crate::coding::internal_key::ValueKind;
use crate::sync::Arc;
use crate::wal::WriteBatch;

use super::group_commit::Offer;
use super::{
    Handoff, ReplyFuture, ReplySlot, Request, Shard, ShardCore, ShardLocal, batch_too_large,
};

/// What a read-modify-write decides from the current value of its key (the
/// encoded item, or `None` if absent): the batch to write, if any, and the
/// result to return once that batch is durable. It may run more than once
/// (again after waiting for room in the pending list), so it must not have
/// effects of its own.
pub(crate) trait Mutation<R>:
    FnMut(Option<&[u8]>) -> Result<(Option<WriteBatch>, R)> + Send + 'static
{
}

impl<R, F> Mutation<R> for F where
    F: FnMut(Option<&[u8]>) -> Result<(Option<WriteBatch>, R)> + Send + 'static
{
}

/// The newest value of every key written by batches that are pending or
/// being synced; see the module docs. Owned by the shard's locked state.
#[derive(Debug, Default)]
pub(crate) struct Unapplied {
    newest: HashMap<Vec<u8>, UnappliedValue>,
}

#[derive(Debug)]
struct UnappliedValue {
    /// `None` for a delete.
    value: Option<Bytes>,
    /// Batches in flight that write this key; the entry goes when the last
    /// of them is applied.
    writers: u32,
}

impl Unapplied {
    /// Records `batch`, newer than everything recorded so far.
    pub(crate) fn enter(&mut self, batch: &WriteBatch) {
        for (kind, key, value) in batch.iter() {
            let value = (kind == ValueKind::Put).then(|| Bytes::copy_from_slice(value));
            match self.newest.get_mut(key) {
                Some(entry) => {
                    entry.value = value;
                    entry.writers += 1;
                }
                None => {
                    self.newest
                        .insert(key.to_vec(), UnappliedValue { value, writers: 1 });
                }
            }
        }
    }

    /// Forgets `batch` (applied, or failed): keys no other recorded batch
    /// writes are read from the tree again.
    pub(crate) fn leave(&mut self, batch: &WriteBatch) {
        for (_, key, _) in batch.iter() {
            if let Some(entry) = self.newest.get_mut(key) {
                entry.writers -= 1;
                if entry.writers == 0 {
                    self.newest.remove(key);
                }
            }
        }
    }

    /// The newest unapplied value of `key`: `Some(None)` for a pending
    /// delete, `None` if no unapplied batch writes it.
    fn get(&self, key: &[u8]) -> Option<Option<Bytes>> {
        self.newest.get(key).map(|entry| entry.value.clone())
    }

    /// Keys with unapplied writes (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.newest.len()
    }
}

/// What a read-modify-write decided, and what must commit before its
/// result may be given.
enum Decision<R> {
    /// The result, final now.
    Now(Result<R>),
    /// The result, to be given once this batch has committed (if the
    /// batch fails, its error is the answer instead).
    AfterWrite(WriteBatch, Result<R>),
}

impl ShardCore {
    /// Reads the newest value of `key` (writes not yet applied included)
    /// and runs `mutation` on it.
    ///
    /// A decision that writes is answered once its own batch committed. One
    /// that writes nothing, or fails (a condition that does not hold), but
    /// read a write still waiting for its group, may rest on a write that
    /// will fail: it gets an empty batch queued behind that write, so it is
    /// answered only once the write committed — or gets the write's error.
    /// (A group of only empty batches logs and syncs nothing.)
    fn decide<R>(&mut self, key: &[u8], mutation: &mut impl Mutation<R>) -> Decision<R> {
        self.counters.gets += 1;
        self.counters.mutations += 1;
        let unapplied = self.unapplied.get(key);
        let read_unapplied = unapplied.is_some();
        let current = match unapplied {
            Some(value) => value,
            // The item cache is exact (write-through), so its entry is
            // the tree's value; a miss is not filled, as the write that
            // follows would replace the entry at once.
            None => match self.cache.lookup(key, false) {
                Lookup::Hit(value) => value,
                Lookup::Miss | Lookup::Bypass => match self.lsm.get(key) {
                    Ok(value) => value,
                    Err(e) => return Decision::Now(Err(e)),
                },
            },
        };
        match mutation(current.as_deref()) {
            Ok((Some(batch), outcome)) => match batch_too_large(&batch) {
                Some(error) => Decision::Now(Err(error)),
                None => Decision::AfterWrite(batch, Ok(outcome)),
            },
            decided => {
                self.counters.mutations_without_write += 1;
                let result = decided.map(|(_, outcome)| outcome);
                if read_unapplied {
                    Decision::AfterWrite(WriteBatch::new(), result)
                } else {
                    Decision::Now(result)
                }
            }
        }
    }
}

impl Shard {
    /// Runs `mutation` on the current value of `key` and writes what it
    /// decides, atomically with respect to every other write of the shard;
    /// returns its result once the write is durable (see
    /// [`ShardCore::decide`] for a decision that writes nothing). Errors
    /// from `mutation` (a failed condition, an invalid update) change
    /// nothing.
    ///
    /// `payload_bytes` is the size of the item data `mutation` carries (the
    /// item of a put, the values of an update), for the queue's byte bound
    /// when the decision travels to the shard thread.
    pub(crate) fn mutate<R: Send + 'static>(
        &self,
        key: Vec<u8>,
        payload_bytes: usize,
        mut mutation: impl Mutation<R>,
    ) -> Result<R> {
        if let Handoff::ShardThread { spin_iterations } = self.config.handoff {
            return self.mutate_on_shard_thread(key, payload_bytes, mutation, spin_iterations);
        }
        let mut deadline = None;
        let mut core = self.lock();
        loop {
            let (batch, result) = match core.decide(&key, &mut mutation) {
                Decision::Now(result) => return result,
                Decision::AfterWrite(batch, result) => (batch, result),
            };
            match self.offer_locked(core, batch) {
                Offer::Done(written) => return written.and(result),
                // The pending list is full: wait for the group in flight,
                // then decide again on what is current by then.
                Offer::Full(locked, _) => core = self.wait_for_room(locked, &mut deadline)?,
            }
        }
    }

    /// [`Shard::mutate`] as a future that never waits for a sync: the
    /// decision is made now, on this thread under the lock, and its write
    /// joins the pending group, which the shard thread leads; the future is
    /// ready when that group committed. Falls back to the blocking path
    /// (which waits) with the `ShardThread` hand-off, without shard
    /// threads, or when the pending list is full.
    pub(crate) fn mutate_async<R: Send + 'static, M: Mutation<R>>(
        &self,
        key: Vec<u8>,
        payload_bytes: usize,
        mutation: M,
    ) -> impl std::future::Future<Output = Result<R>> + Send + 'static + use<R, M> {
        let outcome = self.decide_without_waiting(key, payload_bytes, mutation);
        async move {
            match outcome {
                Ok((result, Some(written))) => written.await.and(result),
                Ok((result, None)) => result,
                Err(e) => Err(e),
            }
        }
    }

    /// The decision of [`Shard::mutate_async`], and the write to wait for
    /// (if any) before it may be given.
    #[allow(clippy::type_complexity)]
    fn decide_without_waiting<R: Send + 'static>(
        &self,
        key: Vec<u8>,
        payload_bytes: usize,
        mut mutation: impl Mutation<R>,
    ) -> Result<(Result<R>, Option<ReplyFuture<Result<()>>>)> {
        if self.config.handoff != Handoff::CallerRuns || !self.config.threads {
            return Ok((self.mutate(key, payload_bytes, mutation), None));
        }
        let mut core = self.lock();
        let (batch, result) = match core.decide(&key, &mut mutation) {
            Decision::Now(result) => return Ok((result, None)),
            Decision::AfterWrite(batch, result) => (batch, result),
        };
        if !core.has_room_for(&batch) {
            drop(core);
            return Ok((self.mutate(key, payload_bytes, mutation), None));
        }
        let written = ReplySlot::new();
        match self.accept_write(&mut core, batch, &written) {
            Some(Ok(())) => Ok((result, None)),
            Some(Err(e)) => Err(e),
            None => {
                drop(core);
                self.wake();
                Ok((result, Some(ReplyFuture::waiting(written))))
            }
        }
    }

    /// [`Shard::mutate`] with the `ShardThread` hand-off: the decision runs
    /// as a task on the shard's thread, whose write joins the group there.
    fn mutate_on_shard_thread<R: Send + 'static>(
        &self,
        key: Vec<u8>,
        payload_bytes: usize,
        mut mutation: impl Mutation<R>,
        spin_iterations: u32,
    ) -> Result<R> {
        // The decision's result, and whether a write is still to be waited for.
        let decided: Arc<ReplySlot<(Result<R>, bool)>> = ReplySlot::new();
        let written: Arc<ReplySlot<Result<()>>> = ReplySlot::new();
        let (decided_in_task, written_in_task) = (decided.clone(), written.clone());
        let shard_id = self.id().0;
        let task = Box::new(move |local: &mut ShardLocal<'_>| {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let (shard, core) = local.parts();
                match core.decide(&key, &mut mutation) {
                    Decision::Now(result) => (result, false),
                    Decision::AfterWrite(batch, result) => {
                        match shard.accept_write(core, batch, &written_in_task) {
                            Some(Ok(())) => (result, false),
                            Some(Err(e)) => (Err(e), false),
                            None => (result, true),
                        }
                    }
                }
            }));
            // A panicking decision must still answer its caller.
            let outcome = outcome.unwrap_or_else(|_| {
                local.note_task_panic();
                let message = "a read-modify-write decision panicked".to_owned();
                (
                    Err(crate::Error::TaskPanicked {
                        shard: shard_id,
                        message,
                    }),
                    false,
                )
            });
            decided_in_task.complete(outcome);
        });
        self.enqueue_blocking(Request::Mutation {
            task,
            payload_bytes,
        })?;
        let (result, write_pending) = decided.wait(spin_iterations);
        if write_pending {
            written.wait(spin_iterations)?;
        }
        result
    }

    /// Keys with writes pending or being synced (for tests).
    #[cfg(test)]
    pub(crate) fn unapplied_key_count(&self) -> usize {
        self.lock().unapplied.len()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::Db;
    use crate::io::MemFs;
    use crate::lsm::Durability;

    /// A counter stored as 8 little-endian bytes.
    fn counter(value: Option<&[u8]>) -> u64 {
        value.map_or(0, |bytes| {
            u64::from_le_bytes(bytes.try_into().expect("counters are 8 bytes"))
        })
    }

    fn increment(key: &[u8]) -> impl Mutation<u64> {
        let key = key.to_vec();
        move |current: Option<&[u8]>| {
            let next = counter(current) + 1;
            let mut batch = WriteBatch::new();
            batch.put(&key, &next.to_le_bytes());
            Ok((Some(batch), next))
        }
    }

    /// One shard; the mutations below use raw keys, so no table is needed.
    fn open(durability: Durability, handoff: Handoff) -> Db {
        Db::builder("/db")
            .fs(std::sync::Arc::new(MemFs::new()))
            .shard_count(1)
            .durability(durability)
            .handoff(handoff)
            .open()
            .unwrap()
    }

    /// Concurrent increments through group commit never lose one: every
    /// mutation reads the writes ordered before it, applied or not, and
    /// each returns a distinct count.
    #[test]
    fn concurrent_increments_through_group_commit_lose_nothing() {
        for handoff in [
            Handoff::CallerRuns,
            Handoff::ShardThread {
                spin_iterations: 100,
            },
        ] {
            let db = open(Durability::Sync, handoff);
            let shard = db.shard_for_tests(0);
            let (threads, per_thread) = (8, 200);
            let mut seen: Vec<u64> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            (0..per_thread)
                                .map(|_| shard.mutate(b"k".to_vec(), 8, increment(b"k")).unwrap())
                                .collect::<Vec<u64>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap())
                    .collect()
            });
            seen.sort_unstable();
            let expected: Vec<u64> = (1..=(threads * per_thread) as u64).collect();
            assert_eq!(seen, expected, "{handoff:?}");
            assert_eq!(
                counter(
                    shard
                        .get(b"k".to_vec(), crate::shard::ReadMode::Strong)
                        .unwrap()
                        .as_deref()
                ),
                expected.len() as u64
            );
            assert_eq!(shard.unapplied_key_count(), 0, "every unapplied write left");
        }
    }

    /// A mutation that decides not to write, or fails, changes nothing.
    #[test]
    fn a_mutation_without_a_batch_or_with_an_error_writes_nothing() {
        let db = open(Durability::None, Handoff::CallerRuns);
        let shard = db.shard_for_tests(0);
        let outcome = shard
            .mutate(b"k".to_vec(), 0, |current: Option<&[u8]>| {
                Ok((None, current.is_none()))
            })
            .unwrap();
        assert!(outcome);
        let error = shard
            .mutate(
                b"k".to_vec(),
                0,
                |_: Option<&[u8]>| -> Result<(Option<WriteBatch>, ())> {
                    Err(crate::Error::validation("no"))
                },
            )
            .unwrap_err();
        assert!(matches!(error, crate::Error::Validation(_)));
        assert_eq!(
            shard
                .get(b"k".to_vec(), crate::shard::ReadMode::Strong)
                .unwrap(),
            None
        );
        assert_eq!(
            shard.lock().counters.mutations_without_write,
            2,
            "one without a batch, one failed"
        );
    }

    /// A decision that writes nothing, or fails, after reading a write still
    /// waiting for its group is answered only behind an empty batch, so it
    /// can never rest on a write that then fails; one that read only
    /// applied data is answered at once.
    #[test]
    fn a_decision_on_an_unapplied_write_waits_for_it_even_without_writing() {
        let db = open(Durability::Sync, Handoff::CallerRuns);
        let shard = db.shard_for_tests(0);
        let mut core = shard.lock();
        let no_write = |_: Option<&[u8]>| -> Result<(Option<WriteBatch>, ())> { Ok((None, ())) };
        let fail = |_: Option<&[u8]>| -> Result<(Option<WriteBatch>, ())> {
            Err(crate::Error::validation("condition failed"))
        };
        assert!(matches!(
            core.decide(b"k", &mut { no_write }),
            Decision::Now(Ok(()))
        ));
        let mut pending = WriteBatch::new();
        pending.put(b"k", b"unapplied");
        core.unapplied.enter(&pending);
        match core.decide(b"k", &mut { no_write }) {
            Decision::AfterWrite(barrier, Ok(())) => assert!(barrier.is_empty()),
            _ => panic!("a no-write decision on an unapplied write must wait"),
        }
        match core.decide(b"k", &mut { fail }) {
            Decision::AfterWrite(barrier, Err(_)) => assert!(barrier.is_empty()),
            _ => panic!("a failed decision on an unapplied write must wait"),
        }
        core.unapplied.leave(&pending);
    }

    #[test]
    fn unapplied_tracks_the_newest_value_until_its_last_writer_leaves() {
        let mut unapplied = Unapplied::default();
        let mut first = WriteBatch::new();
        first.put(b"a", b"1");
        let mut second = WriteBatch::new();
        second.delete(b"a");
        unapplied.enter(&first);
        unapplied.enter(&second);
        assert_eq!(unapplied.get(b"a"), Some(None));
        unapplied.leave(&first);
        assert_eq!(
            unapplied.get(b"a"),
            Some(None),
            "the delete is still unapplied"
        );
        unapplied.leave(&second);
        assert_eq!(unapplied.get(b"a"), None);
        assert_eq!(unapplied.len(), 0);
    }
}
