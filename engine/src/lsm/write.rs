//! The write path of an [`Lsm`]: batches and write groups into the WAL and
//! the memtable, WAL syncs by durability mode, and making room for a write
//! by freezing a full memtable (or stalling on background work). See the
//! module docs of [`crate::lsm`] for the steps and the poisoning rule.

use std::sync::Arc;

use crate::compaction::TableWriteJob;
use crate::filenames;
use crate::ids::SeqNo;
use crate::iter::BoxedIterator;
use crate::memtable::{MemTable, OwnedMemTableIterator};
use crate::wal::{WalWriter, WriteBatch};
use crate::{Error, Result};

use super::{Durability, Frozen, Lsm};

/// A write group between [`Lsm::append_group`] and [`Lsm::finish_group`]:
/// logged, perhaps being synced, not yet applied.
#[must_use = "a pending group must be finished with Lsm::finish_group"]
pub struct PendingGroup {
    last_seqno: SeqNo,
    payload_bytes: u64,
    batch_count: u64,
    sync: Option<Box<dyn crate::io::PendingSync>>,
    /// Whether any record was logged (an all-empty group logs nothing).
    logged: bool,
}

impl PendingGroup {
    /// The sync the group waits for (under `Durability::Sync`), to be waited
    /// on — outside the owner's lock — before [`Lsm::finish_group`].
    pub fn take_sync(&mut self) -> Option<Box<dyn crate::io::PendingSync>> {
        self.sync.take()
    }
}

impl std::fmt::Debug for PendingGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingGroup")
            .field("last_seqno", &self.last_seqno)
            .field("batch_count", &self.batch_count)
            .field("sync_pending", &self.sync.is_some())
            .finish()
    }
}

impl Lsm {
    // ----- writes -------------------------------------------------------

    /// Writes one batch atomically; see [`Lsm::write_group`].
    pub fn write(&mut self, batch: &WriteBatch) -> Result<SeqNo> {
        self.write_group(&[batch])
    }

    /// Writes several batches with one WAL sync (group commit). Each batch is
    /// atomic: after a crash it is either wholly present or absent. When this
    /// returns `Ok` under `Durability::Sync`, all of them are durable.
    /// Returns the last sequence number assigned.
    ///
    /// This is [`Lsm::append_group`], the sync, and [`Lsm::finish_group`] in
    /// one call, for callers that do not release a lock in between.
    pub fn write_group(&mut self, batches: &[&WriteBatch]) -> Result<SeqNo> {
        let mut group = self.append_group(batches)?;
        let synced = group.take_sync().map_or(Ok(()), |pending| pending.wait());
        self.finish_group(group, batches, synced)
    }

    /// The first half of a group commit: makes room, frames every batch of
    /// the group into the WAL with consecutive sequence numbers, hands the
    /// records to the OS, and — under `Durability::Sync` — starts their sync
    /// ([`PendingGroup::take_sync`]). Nothing is applied yet: readers do not
    /// see the group until [`Lsm::finish_group`].
    ///
    /// Between this call and `finish_group` the caller may release its lock
    /// and wait for the sync, and the tree may serve reads and background
    /// work meanwhile, but no other group may be appended and the memtable may
    /// not be frozen ([`Lsm::group_in_flight`]): the group's records live in
    /// the current WAL and must reach the current memtable.
    ///
    /// Errors: `Validation` for a batch over the record limit (nothing is
    /// logged); `Poisoned` after an earlier failure; any I/O error, which
    /// poisons the tree.
    ///
    /// # Panics
    /// If a group is already in flight (a bug in the caller).
    pub fn append_group(&mut self, batches: &[&WriteBatch]) -> Result<PendingGroup> {
        assert!(
            !self.group_in_flight,
            "append_group while another group is in flight"
        );
        self.check_writable()?;
        self.make_room_for_write()?;
        let mut seqno = self.last_seqno;
        let mut payload_bytes = 0u64;
        let mut batch_count = 0u64;
        for batch in batches.iter().filter(|b| !b.is_empty()) {
            let payload = batch.encode(seqno.next());
            if let Err(e) = self.wal.add_record(&payload) {
                // add_record validates sizes before buffering anything; any
                // other failure leaves the log in an unknown state.
                return Err(match e {
                    Error::Validation(_) if batch_count == 0 => e,
                    other => self.poison(other),
                });
            }
            payload_bytes += payload.len() as u64;
            batch_count += 1;
            seqno = SeqNo(seqno.0 + batch.len() as u64);
        }
        let mut group = PendingGroup {
            last_seqno: seqno,
            payload_bytes,
            batch_count,
            sync: None,
            logged: seqno != self.last_seqno,
        };
        if !group.logged {
            return Ok(group);
        }
        let started = match self.options.durability {
            Durability::Sync => self
                .wal
                .begin_sync()
                .map(|pending| group.sync = Some(pending)),
            _ => self.persist_wal(),
        };
        if let Err(e) = started {
            return Err(self.poison(e));
        }
        self.group_in_flight = true;
        Ok(group)
    }

    /// The second half of a group commit: `synced` is the outcome of the
    /// group's sync (`Ok(())` when it had none). On success the batches —
    /// the same ones, in the same order, as given to [`Lsm::append_group`] —
    /// are applied to the memtable and become visible; on failure the tree is
    /// poisoned and nothing is applied, so readers never see a write that was
    /// not acknowledged. Returns the group's last sequence number.
    pub fn finish_group(
        &mut self,
        group: PendingGroup,
        batches: &[&WriteBatch],
        synced: Result<()>,
    ) -> Result<SeqNo> {
        if !group.logged {
            return Ok(group.last_seqno);
        }
        self.group_in_flight = false;
        if let Err(e) = synced {
            return Err(self.poison(e));
        }
        if self.options.durability == Durability::Sync {
            self.note_wal_synced();
        }
        self.counters.write_groups += 1;
        self.counters.wal_bytes_written += group.payload_bytes;
        self.counters.write_group_batches_max =
            self.counters.write_group_batches_max.max(group.batch_count);
        // Durable (or accepted, in the weaker modes): apply.
        let mut next = self.last_seqno;
        for batch in batches {
            for (kind, key, value) in batch.iter() {
                next = next.next();
                self.memtable.insert(key, next, kind, value);
                self.counters.user_bytes_written += (key.len() + value.len()) as u64;
            }
            self.counters.batches_written += u64::from(!batch.is_empty());
        }
        assert_eq!(
            next, group.last_seqno,
            "finish_group got other batches than append_group"
        );
        self.last_seqno = group.last_seqno;
        Ok(group.last_seqno)
    }

    /// Whether a group was appended and not yet finished.
    pub fn group_in_flight(&self) -> bool {
        self.group_in_flight
    }

    /// Moves buffered WAL records to the OS, and syncs them as the durability mode says.
    fn persist_wal(&mut self) -> Result<()> {
        match self.options.durability {
            Durability::Sync => self.sync_wal(),
            Durability::Interval(interval) => {
                self.wal.flush()?;
                self.wal_unsynced = true;
                if self.options.clock.now().duration_since(self.wal_synced_at) >= interval {
                    self.sync_wal()?;
                }
                Ok(())
            }
            Durability::None => {
                self.wal.flush()?;
                self.wal_unsynced = true;
                Ok(())
            }
        }
    }

    fn sync_wal(&mut self) -> Result<()> {
        self.wal.sync()?;
        self.note_wal_synced();
        Ok(())
    }

    fn note_wal_synced(&mut self) {
        self.counters.wal_syncs += 1;
        self.wal_unsynced = false;
        self.wal_synced_at = self.options.clock.now();
    }

    /// Periodic duty for `Durability::Interval`: syncs the WAL if the
    /// interval has passed since the last sync and there is something to sync.
    pub fn tick(&mut self) -> Result<()> {
        if let Durability::Interval(interval) = self.options.durability
            && self.wal_unsynced
            && self.poisoned.is_none()
            && self.options.clock.now().duration_since(self.wal_synced_at) >= interval
            && let Err(e) = self.sync_wal()
        {
            return Err(self.poison(e));
        }
        Ok(())
    }

    /// Makes everything written so far durable, whatever the durability mode.
    pub fn sync(&mut self) -> Result<()> {
        self.check_writable()?;
        if let Err(e) = self.sync_wal() {
            return Err(self.poison(e));
        }
        Ok(())
    }

    /// Freezes a full memtable, stalling first if the previous one is still
    /// being flushed or L0 has too many files.
    fn make_room_for_write(&mut self) -> Result<()> {
        if self.memtable.size_bytes() >= self.options.memtable_size_bytes_max {
            if self.frozen.is_some() {
                self.counters.write_stall_count += 1;
                while self.frozen.is_some() {
                    self.background_step_checked()?;
                }
            }
            self.freeze_memtable()?;
        }
        if self.version.levels[0].len() >= self.options.l0_stop_writes_trigger {
            self.counters.write_stall_count += 1;
            while self.version.levels[0].len() >= self.options.l0_stop_writes_trigger {
                if !self.background_step_checked()? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Rotates the WAL and hands the memtable to a flush job.
    pub(super) fn freeze_memtable(&mut self) -> Result<()> {
        debug_assert!(self.frozen.is_none());
        // A group in flight has its records in the current WAL and must land
        // in the current memtable; freezing now would let its WAL be deleted
        // after a flush that never saw it.
        assert!(
            !self.group_in_flight,
            "memtable frozen with a group in flight"
        );
        if self.memtable.is_empty() {
            return Ok(());
        }
        // The old WAL is synced before the new one receives anything, so a
        // crash can never keep later writes while losing earlier ones, in
        // any durability mode.
        let result = (|| {
            self.sync_wal()?;
            let number = Self::allocate_file_number(&mut self.next_file_number);
            let path = filenames::wal_path(&self.options.dir, number);
            let file = self.options.fs.create(&path)?;
            self.options.fs.sync_dir(&self.options.dir)?;
            Ok::<_, Error>((number, WalWriter::new(file)))
        })();
        let (number, wal) = result.map_err(|e| self.poison(e))?;
        let old_wal = std::mem::replace(&mut self.wal_number, number);
        self.wal = wal;
        let capacity = self.options.memtable_size_bytes_max;
        let table = Arc::new(std::mem::replace(
            &mut self.memtable,
            MemTable::with_capacity(capacity),
        ));
        let source: BoxedIterator<'static> = Box::new(OwnedMemTableIterator::new(table.clone()));
        self.flush_job = Some(TableWriteJob::new(
            vec![source],
            self.job_settings(u64::MAX, false),
        ));
        self.frozen = Some(Frozen {
            table,
            wal_number: old_wal,
        });
        Ok(())
    }
}
