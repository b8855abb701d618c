//! Options and statistics of one shard's LSM tree.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::compaction::CompactionOptions;
use crate::io::{Clock, Fs, SystemClock};
use crate::limits;
use crate::sstable::SsTableOptions;

/// When an accepted write is made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every write call returns after its WAL record is `fdatasync`ed; one
    /// sync covers a whole group of batches ([`super::Lsm::write_group`]).
    /// Acknowledged writes survive kill -9 and power loss.
    #[default]
    Sync,
    /// WAL records reach the OS on every write and are synced when at least
    /// the given interval has passed since the last sync (checked on every
    /// write and on [`super::Lsm::tick`]). Survives kill -9; a power loss
    /// may lose up to the interval.
    Interval(Duration),
    /// WAL records reach the OS on every write, never synced by the write
    /// path. Survives kill -9 of the process, not power loss.
    None,
}

/// Everything one LSM needs to open.
#[derive(Debug, Clone)]
pub struct LsmOptions {
    /// The directory holding this LSM's files (one shard's).
    pub dir: PathBuf,
    /// The file system.
    pub fs: Arc<dyn Fs>,
    /// The clock (for `Durability::Interval`).
    pub clock: Arc<dyn Clock>,
    /// When writes are durable.
    pub durability: Durability,
    /// The memtable is frozen and flushed once it holds this many bytes.
    pub memtable_size_bytes_max: usize,
    /// Format options of new SSTables.
    pub sstable: SsTableOptions,
    /// Leveled compaction tuning.
    pub compaction: CompactionOptions,
    /// At this many L0 files writes stall until compaction brings it down.
    pub l0_stop_writes_trigger: usize,
    /// Input entries one background slice processes.
    pub background_slice_entries: usize,
}

impl LsmOptions {
    /// Defaults for a database in `dir` on the real file system.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LsmOptions {
            dir: dir.into(),
            fs: crate::io::default_fs(),
            clock: Arc::new(SystemClock),
            durability: Durability::Sync,
            memtable_size_bytes_max: limits::MEMTABLE_SIZE_BYTES_DEFAULT,
            sstable: SsTableOptions::default(),
            compaction: CompactionOptions::default(),
            l0_stop_writes_trigger: limits::L0_STOP_WRITES_TRIGGER_DEFAULT,
            background_slice_entries: 1024,
        }
    }

    /// Checks the options fit together.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::Error::InvalidConfig(m.to_owned()));
        if self.memtable_size_bytes_max < 4096 || self.memtable_size_bytes_max > (1 << 30) {
            return bad("memtable_size_bytes_max must be between 4 KiB and 1 GiB");
        }
        if self.compaction.l0_compaction_trigger == 0
            || self.l0_stop_writes_trigger <= self.compaction.l0_compaction_trigger
        {
            return bad("need 0 < l0_compaction_trigger < l0_stop_writes_trigger");
        }
        if self.compaction.level_size_ratio < 2 {
            return bad("level_size_ratio must be at least 2");
        }
        if self.background_slice_entries == 0 {
            return bad("background_slice_entries must be at least 1");
        }
        if let Durability::Interval(interval) = self.durability
            && interval.is_zero()
        {
            return bad("an Interval durability needs a non-zero interval; use Sync");
        }
        Ok(())
    }
}

/// Cumulative counters of one LSM since it was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LsmCounters {
    /// Write batches accepted.
    pub batches_written: u64,
    /// Bytes of user keys and values accepted (the denominator of write amplification).
    pub user_bytes_written: u64,
    /// Bytes appended to the WAL.
    pub wal_bytes_written: u64,
    /// WAL syncs (`fdatasync`).
    pub wal_syncs: u64,
    /// Group-commit groups (write calls that ended in one sync or flush).
    pub write_groups: u64,
    /// The most batches one group carried.
    pub write_group_batches_max: u64,
    /// Memtables flushed to L0.
    pub flush_count: u64,
    /// Bytes of SSTables written by flushes.
    pub flush_bytes_written: u64,
    /// Compactions finished (trivial moves excluded).
    pub compaction_count: u64,
    /// Files moved down a level without rewriting.
    pub trivial_move_count: u64,
    /// Bytes of input tables read by compactions.
    pub compaction_bytes_read: u64,
    /// Bytes of SSTables written by compactions.
    pub compaction_bytes_written: u64,
    /// Times a write had to wait for a flush or compaction to finish.
    pub write_stall_count: u64,
    /// Point reads served.
    pub get_count: u64,
    /// SSTables a point read considered (key range matched).
    pub get_tables_considered: u64,
    /// Of those, tables whose bloom filter said "absent".
    pub get_bloom_negatives: u64,
    /// Obsolete files whose removal failed (left for the next open to remove).
    pub obsolete_file_remove_failures: u64,
}

/// Size of one level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelStats {
    /// Files in the level.
    pub file_count: usize,
    /// Bytes of those files.
    pub size_bytes: u64,
}

/// A point-in-time view of one LSM.
#[derive(Debug, Clone, Default)]
pub struct LsmStats {
    /// Counters since open.
    pub counters: LsmCounters,
    /// L0..Ln.
    pub levels: Vec<LevelStats>,
    /// Bytes in the active memtable.
    pub memtable_size_bytes: usize,
    /// Bytes in the frozen memtable being flushed (0 if none).
    pub frozen_memtable_size_bytes: usize,
    /// The last sequence number assigned.
    pub last_seqno: u64,
    /// Why writes are refused, if they are.
    pub poisoned: Option<String>,
    /// Whether a flush or compaction is pending or running.
    pub background_work_pending: bool,
}

impl LsmStats {
    /// Bytes of all live SSTables.
    pub fn sstable_size_bytes(&self) -> u64 {
        self.levels.iter().map(|l| l.size_bytes).sum()
    }

    /// (flush + compaction bytes written) / user bytes written.
    pub fn write_amplification(&self) -> f64 {
        let c = &self.counters;
        (c.flush_bytes_written + c.compaction_bytes_written) as f64
            / c.user_bytes_written.max(1) as f64
    }
}
