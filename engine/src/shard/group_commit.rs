//! Group commit: the write path of a [`Shard`] (see the module docs of
//! [`crate::shard`]). A caller's [`Shard::write`] either leads a group —
//! appending every pending write with its own, syncing with the shard's lock
//! released, applying the group and answering the followers — or joins the
//! pending list as a follower; [`Shard::accept_write`] is the same choice
//! made on the thread serving the shard, which must never wait for a sync.

use std::time::Instant;

use crate::Result;
use crate::lsm::Durability;
use crate::sync::{Arc, MutexGuard, thread};
use crate::wal::WriteBatch;

use super::{
    Completion, Handoff, ReplySlot, Request, Shard, ShardCore, batch_too_large, deliver_all,
};

/// Spins a blocking caller makes on a reply slot before parking, in
/// `CallerRuns` mode: followers of a group commit wait at least one
/// `fdatasync` (~100 µs), far longer than is worth spinning, so they park
/// almost at once.
const FOLLOWER_SPIN_ITERATIONS: u32 = 64;

/// What became of a batch offered to the locked shard
/// ([`Shard::offer_locked`]).
pub(super) enum Offer<'a> {
    /// Written (or failed) and answered.
    Done(Result<()>),
    /// The pending list is full: the lock and the batch, back.
    Full(MutexGuard<'a, ShardCore>, WriteBatch),
}

impl Shard {
    /// Writes `batch` atomically; returns once it is durable (as the
    /// durability mode defines it) and visible.
    pub(crate) fn write(&self, batch: WriteBatch) -> Result<()> {
        if let Some(error) = batch_too_large(&batch) {
            return Err(error);
        }
        if let Handoff::ShardThread { spin_iterations } = self.config.handoff {
            let reply = ReplySlot::new();
            self.enqueue_blocking(Request::Write {
                batch,
                reply: reply.clone(),
            })?;
            return reply.wait(spin_iterations);
        }
        let mut deadline = None;
        let mut core = self.lock();
        let mut batch = batch;
        loop {
            match self.offer_locked(core, batch) {
                Offer::Done(outcome) => return outcome,
                Offer::Full(locked, back) => {
                    batch = back;
                    core = self.wait_for_room(locked, &mut deadline)?;
                }
            }
        }
    }

    /// Offers `batch` to the locked shard on the caller's thread: leads a
    /// group if none is in flight, else joins the pending list and waits
    /// for its group. If the pending list is full, gives the lock and the
    /// batch back ([`Offer::Full`]).
    pub(super) fn offer_locked<'a>(
        &'a self,
        mut core: MutexGuard<'a, ShardCore>,
        batch: WriteBatch,
    ) -> Offer<'a> {
        if !core.lsm.group_in_flight() {
            return Offer::Done(self.lead_group(core, Some(batch)));
        }
        if !core.has_room_for(&batch) {
            return Offer::Full(core, batch);
        }
        core.counters.write_batches += 1;
        let reply = ReplySlot::new();
        core.push_pending(batch, reply.clone());
        drop(core);
        Offer::Done(reply.wait(FOLLOWER_SPIN_ITERATIONS))
    }

    /// Too many writes already wait for the next group: waits, with the
    /// lock released, for the group in flight to end, up to the busy bound
    /// (counted from the first wait, kept in `deadline`). Returns the lock
    /// again, or `Busy` once the bound has passed.
    pub(super) fn wait_for_room<'a>(
        &'a self,
        mut core: MutexGuard<'a, ShardCore>,
        deadline: &mut Option<Instant>,
    ) -> Result<MutexGuard<'a, ShardCore>> {
        let now = self.config.clock.now();
        let deadline = *deadline.get_or_insert(now + self.config.busy_wait);
        if now >= deadline {
            return Err(self.busy(
                Some(&mut core),
                "too many writes waiting for a group commit",
            ));
        }
        drop(core);
        thread::yield_now();
        Ok(self.lock())
    }

    /// Leads group commits: appends `own` (if any) and the pending writes as
    /// one group, waits for its sync without holding the lock, applies it,
    /// and answers the followers. Returns `own`'s outcome (`Ok` if none).
    ///
    /// Without a shard thread the leader keeps leading while writes are
    /// pending; with one, it wakes the shard thread to lead the next group
    /// and returns, so its caller is not held up by other callers' writes.
    pub(super) fn lead_group<'a>(
        &'a self,
        mut core: MutexGuard<'a, ShardCore>,
        own: Option<WriteBatch>,
    ) -> Result<()> {
        if own.is_some() {
            core.counters.write_batches += 1;
        }
        let mut own = own;
        let mut own_result = Ok(());
        loop {
            let followers = core.take_group();
            // Older pending writes first, then the leader's own.
            let mut batches: Vec<&WriteBatch> = Vec::with_capacity(followers.len() + 1);
            batches.extend(followers.iter().map(|f| &f.batch));
            batches.extend(own.as_ref());
            // Followers entered the unapplied set when they joined the
            // pending list; the leader's own write enters it only if the
            // lock will be released for a sync (no other mode lets anyone in
            // between append and apply).
            let own_unapplied = own.is_some() && self.config.durability == Durability::Sync;
            if own_unapplied && let Some(batch) = &own {
                core.unapplied.enter(batch);
            }
            let result;
            (result, core) = self.commit_group(core, &batches);
            // Applied (or failed, poisoning the tree): either way no longer
            // waiting, so reads fall through to the tree again.
            for follower in &followers {
                core.unapplied.leave(&follower.batch);
            }
            if own_unapplied && let Some(batch) = &own {
                core.unapplied.leave(batch);
            }
            let mut completions: Vec<Completion> = followers
                .into_iter()
                .map(|f| {
                    let outcome = match &result {
                        Ok(()) => Ok(()),
                        Err(e) => Err(e.duplicate()),
                    };
                    Completion::Write(f.reply, outcome)
                })
                .collect();
            if own.take().is_some() {
                own_result = result;
            }
            let more_pending = !core.pending.is_empty();
            if self.config.threads {
                let background = core.lsm.background_work_pending();
                drop(core);
                deliver_all(std::mem::take(&mut completions));
                if more_pending || background {
                    self.wake();
                }
                return own_result;
            }
            // No shard thread: this caller does the background slice and any
            // further groups itself.
            let _ = core.lsm.background_step();
            let obsolete = core.lsm.take_obsolete_files();
            drop(core);
            deliver_all(completions);
            self.remove_obsolete(obsolete);
            if !more_pending {
                return own_result;
            }
            // Followers of this group need not wait for the next one.
            core = self.lock();
            if core.lsm.group_in_flight() || core.pending.is_empty() {
                return own_result;
            }
        }
    }

    /// Appends, syncs (lock released) and applies one group. Returns the
    /// group's outcome and the re-taken lock.
    fn commit_group<'a>(
        &'a self,
        mut core: MutexGuard<'a, ShardCore>,
        batches: &[&WriteBatch],
    ) -> (Result<()>, MutexGuard<'a, ShardCore>) {
        let mut group = match core.lsm.append_group(batches) {
            Ok(group) => group,
            Err(e) => return (Err(e), core),
        };
        let synced = match group.take_sync() {
            None => Ok(()),
            Some(pending) => {
                drop(core);
                let started = self.config.clock.now();
                let synced = pending.wait();
                let elapsed_us = self.config.clock.now().duration_since(started).as_micros();
                core = self.lock();
                let _ = core
                    .fsync_latency_us
                    .record((elapsed_us as u64).clamp(1, 60_000_000));
                synced
            }
        };
        let result = core.lsm.finish_group(group, batches, synced).map(|_| ());
        if result.is_ok() {
            core.applied(batches);
        }
        (result, core)
    }

    /// Takes a write on the thread serving the shard (which must not wait
    /// for a sync): runs it at once when no sync is involved, else adds it to
    /// the pending group, which the serving thread leads once it has served
    /// what it took. Returns the outcome if it is known now; otherwise
    /// `reply` is completed when the group commits.
    pub(crate) fn accept_write(
        &self,
        core: &mut ShardCore,
        batch: WriteBatch,
        reply: &Arc<ReplySlot<Result<()>>>,
    ) -> Option<Result<()>> {
        core.counters.write_batches += 1;
        if let Some(error) = batch_too_large(&batch) {
            return Some(Err(error));
        }
        if self.config.durability != Durability::Sync && !core.lsm.group_in_flight() {
            let result = core.lsm.write(&batch).map(|_| ());
            if result.is_ok() {
                core.applied(&[&batch]);
            }
            return Some(result);
        }
        if core.has_room_for(&batch) {
            core.push_pending(batch, reply.clone());
            return None;
        }
        Some(Err(self.busy(
            Some(core),
            "too many writes waiting for a group commit",
        )))
    }
}
