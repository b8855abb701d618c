//! Statistics of shards and of the whole database, as the API returns them.

use crate::cache::shard::ShardCacheStats;
use crate::ids::ShardId;
use crate::lsm::{LevelStats, LsmCounters, LsmStats};

use super::Handoff;

/// Requests a shard served, by kind, since the database opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationCounts {
    /// Point reads.
    pub gets: u64,
    /// Write batches (one per put or delete, one per shard of a multi-item batch).
    pub write_batches: u64,
    /// Range reads (one per page of a query, one per shard per page of a scan).
    pub scans: u64,
    /// Read-modify-writes (conditional writes, updates, writes returning
    /// old values); each also counts as a get, and as a write batch if it wrote.
    pub mutations: u64,
    /// Of those, the ones that decided not to write (a condition failed).
    pub mutations_without_write: u64,
    /// Tasks run on the shard's thread (`Db::run_on_shard`, `ShardLocal::send_to`).
    pub tasks: u64,
    /// Of those, tasks that panicked (caught; the shard keeps running).
    pub task_panics: u64,
    /// Requests refused with `Busy` because a queue or the pending list was full.
    pub busy_rejections: u64,
}

/// How well group commit is sharing syncs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupCommitStats {
    /// Groups committed (each one WAL append and, under `Sync`, one fdatasync).
    pub groups: u64,
    /// Batches in those groups.
    pub batches: u64,
    /// Mean batches per group.
    pub batches_per_group_mean: f64,
    /// Most batches in one group.
    pub batches_per_group_max: u64,
}

impl GroupCommitStats {
    pub(crate) fn from_counters(counters: &LsmCounters) -> Self {
        GroupCommitStats {
            groups: counters.write_groups,
            batches: counters.batches_written,
            batches_per_group_mean: counters.batches_written as f64
                / counters.write_groups.max(1) as f64,
            batches_per_group_max: counters.write_group_batches_max,
        }
    }
}

/// Percentiles of a latency histogram, in microseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatencySummary {
    /// Samples recorded.
    pub count: u64,
    /// Median.
    pub p50_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Largest sample.
    pub max_us: u64,
}

/// A point-in-time view of one shard.
#[derive(Debug, Clone)]
pub struct ShardStats {
    /// Which shard.
    pub shard: ShardId,
    /// The core its thread is pinned to (`None`: not pinned, or no thread).
    pub cpu: Option<usize>,
    /// Requests served, by kind.
    pub operations: OperationCounts,
    /// Requests waiting in the shard's queue.
    pub queue_depth: usize,
    /// Writes waiting for the next group commit.
    pub pending_writes: usize,
    /// Group-commit batch sizes.
    pub group_commit: GroupCommitStats,
    /// The shard's item and query caches.
    pub cache: ShardCacheStats,
    /// Estimated bytes compaction still has to rewrite
    /// (`compaction::pending_compaction_bytes`).
    pub pending_compaction_bytes: u64,
    /// Latency of group-commit `fdatasync`s.
    pub fsync_latency: LatencySummary,
    /// The shard's LSM: memtable bytes, files and bytes per level, write
    /// stalls, WAL syncs, flush and compaction counters.
    pub lsm: LsmStats,
}

/// A point-in-time view of the whole database.
#[derive(Debug, Clone)]
pub struct DbStats {
    /// Which file I/O backend is in use (`io_uring`, `portable`, or `custom`
    /// for a file system given to the builder).
    pub io_backend: String,
    /// How blocking calls reach their shard.
    pub handoff: Handoff,
    /// One entry per shard, by shard id.
    pub shards: Vec<ShardStats>,
}

impl DbStats {
    /// The shards' LSM statistics added up: counters and level sizes summed,
    /// `poisoned` set if any shard is poisoned.
    pub fn combined(&self) -> LsmStats {
        let mut total = LsmStats::default();
        for shard in &self.shards {
            let lsm = &shard.lsm;
            let (t, c) = (&mut total.counters, &lsm.counters);
            t.batches_written += c.batches_written;
            t.user_bytes_written += c.user_bytes_written;
            t.wal_bytes_written += c.wal_bytes_written;
            t.wal_syncs += c.wal_syncs;
            t.write_groups += c.write_groups;
            t.write_group_batches_max = t.write_group_batches_max.max(c.write_group_batches_max);
            t.flush_count += c.flush_count;
            t.flush_bytes_written += c.flush_bytes_written;
            t.compaction_count += c.compaction_count;
            t.trivial_move_count += c.trivial_move_count;
            t.compaction_bytes_read += c.compaction_bytes_read;
            t.compaction_bytes_written += c.compaction_bytes_written;
            t.write_stall_count += c.write_stall_count;
            t.get_count += c.get_count;
            t.get_tables_considered += c.get_tables_considered;
            t.get_bloom_negatives += c.get_bloom_negatives;
            t.obsolete_file_remove_failures += c.obsolete_file_remove_failures;
            if total.levels.len() < lsm.levels.len() {
                total.levels.resize(lsm.levels.len(), LevelStats::default());
            }
            for (sum, level) in total.levels.iter_mut().zip(&lsm.levels) {
                sum.file_count += level.file_count;
                sum.size_bytes += level.size_bytes;
            }
            total.memtable_size_bytes += lsm.memtable_size_bytes;
            total.frozen_memtable_size_bytes += lsm.frozen_memtable_size_bytes;
            total.last_seqno = total.last_seqno.max(lsm.last_seqno);
            if total.poisoned.is_none() {
                total.poisoned.clone_from(&lsm.poisoned);
            }
            total.background_work_pending |= lsm.background_work_pending;
        }
        total
    }
}
