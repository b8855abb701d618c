//! The figures one `dynacore-bench` YCSB invocation produces: what the
//! driver fills in and the report (`report.rs`) prints, serialises to JSON
//! and draws as HTML. Latencies are in microseconds (f64, so that an
//! in-process engine's sub-microsecond figures survive).

use serde::Serialize;

/// Everything about one invocation.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The workload's name (`a` … `f`, or the properties file's path).
    pub workload: String,
    /// Every workload property in force, as `key = value` strings, sorted.
    pub properties: Vec<(String, String)>,
    /// Client threads, records, operations or duration, mode, target rate…
    pub config: RunConfig,
    /// The machine: CPU model, core count, memory, kernel.
    pub machine: MachineInfo,
    /// `git rev-parse HEAD` of the checkout, if known.
    pub git_commit: Option<String>,
    /// One entry per target, in the order they ran.
    pub targets: Vec<TargetReport>,
}

/// How the run was driven.
#[derive(Debug, Clone, Serialize)]
pub struct RunConfig {
    /// Client threads.
    pub threads: usize,
    /// Records loaded.
    pub record_count: u64,
    /// Operations in the run phase (`None` when bounded by duration).
    pub operation_count: Option<u64>,
    /// Run-phase duration bound in seconds (`None` when bounded by count).
    pub duration_s: Option<f64>,
    /// Warm-up seconds excluded from the figures.
    pub warmup_s: f64,
    /// Open loop target rate (all threads together), `None` for closed loop.
    pub target_ops_per_s: Option<f64>,
    /// `sync` or `none`.
    pub durability: String,
    /// `--cache-bytes` as given; `None`: each engine's usual cache.
    pub cache_bytes: Option<usize>,
}

/// The machine the run happened on.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MachineInfo {
    pub cpu_model: String,
    pub cpu_count: usize,
    pub memory_bytes: u64,
    pub kernel: String,
}

/// One target's results: its load phase and its run phase.
#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    /// `embedded`, `rocksdb`, `fjall`, `redb`, `null`.
    pub name: String,
    /// The engine's exact settings (durability mapping, cache sizes, shard
    /// count and thread placement …), in words.
    pub settings: String,
    pub load: PhaseReport,
    pub run: PhaseReport,
    /// Bytes the target's files take on disk after the run.
    pub disk_bytes: u64,
    /// Peak resident set size of the process while this target ran, in
    /// bytes (the kernel's peak is reset before each target).
    pub peak_rss_bytes: u64,
    /// dynacore's item cache over the run phase (counters: after the run
    /// phase minus before it, warm-up included; bytes: at its end); `None`
    /// (JSON `null`) for a target whose cache the harness cannot see.
    pub cache: Option<CacheSummary>,
}

/// An item cache's figures, added up over the shards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CacheSummary {
    /// `hits / (hits + misses)`; `None` (JSON `null`) with no lookups.
    pub hit_ratio: Option<f64>,
    /// Lookups answered from the cache, negative entries included.
    pub hits: u64,
    /// Lookups that read the tree.
    pub misses: u64,
    /// Hits that answered "no such item".
    pub negative_hits: u64,
    /// Entries evicted to make room.
    pub evictions: u64,
    /// Bytes the entries are charged, overhead included.
    pub item_bytes_used: u64,
    /// The item cache's budget over all shards.
    pub item_budget_bytes: u64,
}

impl CacheSummary {
    /// `hits / (hits + misses)`, `None` with no lookups.
    pub fn ratio(&self) -> Option<f64> {
        let lookups = self.hits + self.misses;
        (lookups > 0).then(|| self.hits as f64 / lookups as f64)
    }

    /// What happened between `before` and `self` (both cumulative): the
    /// counters' differences, the ratio of those, `self`'s bytes.
    pub fn since(&self, before: &CacheSummary) -> CacheSummary {
        let mut delta = CacheSummary {
            hit_ratio: None,
            hits: self.hits.saturating_sub(before.hits),
            misses: self.misses.saturating_sub(before.misses),
            negative_hits: self.negative_hits.saturating_sub(before.negative_hits),
            evictions: self.evictions.saturating_sub(before.evictions),
            item_bytes_used: self.item_bytes_used,
            item_budget_bytes: self.item_budget_bytes,
        };
        delta.hit_ratio = delta.ratio();
        delta
    }
}

/// One phase (load or run) of one target.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    /// Wall-clock seconds of the measured part of the phase.
    pub elapsed_s: f64,
    /// Operations per second over the measured part, all types together.
    pub throughput_ops_per_s: f64,
    /// Operations measured, all types.
    pub operation_count: u64,
    /// CPU seconds (user + system) of the whole process during the measured
    /// part, per 1000 operations.
    pub cpu_s_per_1000_ops: f64,
    /// Per operation type (`READ`, `UPDATE`, `INSERT`, `SCAN`,
    /// `READ-MODIFY-WRITE`), in that order, only the types that occurred.
    pub operations: Vec<OperationReport>,
    /// Operations completed in each second of the phase (warm-up included,
    /// marked by `warmup_seconds`), for the throughput-over-time chart.
    pub throughput_timeline: Vec<u64>,
    /// How many leading entries of `throughput_timeline` are warm-up.
    pub warmup_seconds: usize,
}

/// One operation type within a phase.
#[derive(Debug, Clone, Serialize)]
pub struct OperationReport {
    /// YCSB's name: `READ`, `UPDATE`, `INSERT`, `SCAN`, `READ-MODIFY-WRITE`.
    pub name: String,
    pub count: u64,
    /// Operations that returned an error (counted, not in the histogram).
    pub error_count: u64,
    pub throughput_ops_per_s: f64,
    pub mean_us: f64,
    pub min_us: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub p9999_us: f64,
    pub max_us: f64,
    /// Points of the latency CDF: (latency µs, fraction of operations at or
    /// below it), from the histogram's iterator, at most ~200 points.
    pub cdf: Vec<(f64, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_summary_since_takes_the_differences() {
        let before = CacheSummary {
            hits: 10,
            misses: 30,
            negative_hits: 1,
            evictions: 2,
            item_bytes_used: 500,
            item_budget_bytes: 1000,
            ..CacheSummary::default()
        };
        let after = CacheSummary {
            hits: 100,
            misses: 60,
            negative_hits: 5,
            evictions: 9,
            item_bytes_used: 900,
            item_budget_bytes: 1000,
            ..CacheSummary::default()
        };
        let run = after.since(&before);
        assert_eq!((run.hits, run.misses), (90, 30));
        assert_eq!((run.negative_hits, run.evictions), (4, 7));
        assert_eq!(run.item_bytes_used, 900);
        assert_eq!(run.hit_ratio, Some(0.75));
        assert_eq!(before.since(&before).hit_ratio, None);
    }
}
