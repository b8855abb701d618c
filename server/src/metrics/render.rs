//! Prometheus text exposition (format 0.0.4) of merged core metrics and the
//! engine's statistics. Runs on the metrics thread, never on a core.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use dynacore::{CacheCounters, DbStats, ShardCacheStats, TableCacheStats};
use hdrhistogram::Histogram;

use super::{CloseReason, CoreMetrics, error_label, merged_latency_us};
use crate::protocol::{ErrorCode, Opcode};

/// The quantiles every latency summary reports.
const QUANTILES: [(f64, &str); 3] = [(0.5, "0.5"), (0.99, "0.99"), (0.999, "0.999")];

/// Builds the text: families declared once, samples after their family.
struct Exposition {
    text: String,
}

#[derive(Clone, Copy)]
enum Kind {
    Counter,
    Gauge,
    Summary,
}

impl Exposition {
    fn family(&mut self, name: &str, kind: Kind, help: &str) {
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Summary => "summary",
        };
        // Writing to a String cannot fail.
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Into<Value>) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (label, value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                self.text.push_str(label);
                self.text.push_str("=\"");
                escape_label_value(&mut self.text, value);
                self.text.push('"');
            }
            self.text.push('}');
        }
        let _ = match value.into() {
            Value::Integer(n) => writeln!(self.text, " {n}"),
            Value::Float(x) if x.is_nan() => writeln!(self.text, " NaN"),
            Value::Float(x) => writeln!(self.text, " {x}"),
        };
    }

    /// A summary's quantiles (in seconds), `_sum` and `_count`.
    fn summary(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        histogram_us: &Histogram<u64>,
        sum_us: u64,
    ) {
        let mut with_quantile: Vec<(&str, &str)> = labels.to_vec();
        with_quantile.push(("quantile", ""));
        for (quantile, quantile_label) in QUANTILES {
            if let Some(last) = with_quantile.last_mut() {
                last.1 = quantile_label;
            }
            let seconds = histogram_us.value_at_quantile(quantile) as f64 / 1e6;
            self.sample(name, &with_quantile, seconds);
        }
        self.sample(&format!("{name}_sum"), labels, sum_us as f64 / 1e6);
        self.sample(&format!("{name}_count"), labels, histogram_us.len());
    }
}

enum Value {
    Integer(u64),
    Float(f64),
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Integer(n)
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::Integer(u64::try_from(n).unwrap_or(u64::MAX))
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}

/// Label values escape backslash, double quote and line feed.
fn escape_label_value(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Prometheus text (format 0.0.4) of the cores' metrics, merged at scrape
/// time, and the engine's per-shard statistics. Every metric has `# HELP`
/// and `# TYPE` lines and a `dynacore_` prefix; per-shard series carry a
/// `shard` label, per-operation series an `op` label (the DynamoDB name).
///
/// `tables` is the caches' statistics per table name over all shards
/// (`Db::cache_stats_by_table` of `db`): per-table series carry a `table`
/// label. `DbStats` alone only knows table ids.
pub fn render_prometheus(
    cores: &[CoreMetrics],
    db: &DbStats,
    tables: &BTreeMap<String, TableCacheStats>,
) -> String {
    let mut out = Exposition {
        text: String::with_capacity(16 * 1024),
    };
    render_requests(&mut out, cores);
    render_connections(&mut out, cores);
    render_engine(&mut out, db);
    render_caches(&mut out, db, tables);
    out.text
}

fn render_requests(out: &mut Exposition, cores: &[CoreMetrics]) {
    let shards: Vec<String> = cores.iter().map(|c| c.shard.to_string()).collect();

    out.family(
        "dynacore_requests_total",
        Kind::Counter,
        "Requests answered, by the core that received them and operation.",
    );
    for (core, shard) in cores.iter().zip(&shards) {
        for (opcode, op) in Opcode::ALL.iter().zip(&core.operations) {
            if op.requests > 0 {
                out.sample(
                    "dynacore_requests_total",
                    &[("shard", shard), ("op", opcode.name())],
                    op.requests,
                );
            }
        }
    }

    out.family(
        "dynacore_request_errors_total",
        Kind::Counter,
        "Requests answered with an error, by operation and error code.",
    );
    for (core, shard) in cores.iter().zip(&shards) {
        for (opcode, op) in Opcode::ALL.iter().zip(&core.operations) {
            for (code, count) in ErrorCode::ALL.iter().zip(op.errors) {
                if count > 0 {
                    let code = error_label(*code);
                    out.sample(
                        "dynacore_request_errors_total",
                        &[("shard", shard), ("op", opcode.name()), ("code", &code)],
                        count,
                    );
                }
            }
        }
    }

    out.family(
        "dynacore_requests_forwarded_total",
        Kind::Counter,
        "Requests this core received for a key another core owns, forwarded there.",
    );
    for (core, shard) in cores.iter().zip(&shards) {
        out.sample(
            "dynacore_requests_forwarded_total",
            &[("shard", shard)],
            core.forwarded_count(),
        );
    }

    let total: u64 = cores.iter().map(CoreMetrics::request_count).sum();
    let forwarded: u64 = cores.iter().map(CoreMetrics::forwarded_count).sum();
    out.family(
        "dynacore_requests_local_ratio",
        Kind::Gauge,
        "Share of requests served without a cross-core hop, over all cores (NaN before the first).",
    );
    let ratio = if total == 0 {
        f64::NAN
    } else {
        (total - forwarded.min(total)) as f64 / total as f64
    };
    out.sample("dynacore_requests_local_ratio", &[], ratio);

    out.family(
        "dynacore_forwards_executed_total",
        Kind::Counter,
        "Requests forwarded from another core and executed on this one.",
    );
    for (core, shard) in cores.iter().zip(&shards) {
        out.sample(
            "dynacore_forwards_executed_total",
            &[("shard", shard)],
            core.forwards_executed,
        );
    }

    out.family(
        "dynacore_frame_errors_total",
        Kind::Counter,
        "Frames refused before execution (bad header, undecodable body, unknown opcode), by code.",
    );
    for (core, shard) in cores.iter().zip(&shards) {
        for (code, count) in ErrorCode::ALL.iter().zip(core.frame_errors) {
            if count > 0 {
                let code = error_label(*code);
                out.sample(
                    "dynacore_frame_errors_total",
                    &[("shard", shard), ("code", &code)],
                    count,
                );
            }
        }
    }

    out.family(
        "dynacore_dynamodb_refused_total",
        Kind::Counter,
        "DynamoDB API requests refused before reaching the engine (bad HTTP or JSON, unknown operation, signature).",
    );
    for (core, shard) in cores.iter().zip(&shards) {
        out.sample(
            "dynacore_dynamodb_refused_total",
            &[("shard", shard)],
            core.http_errors,
        );
    }

    out.family(
        "dynacore_request_latency_seconds",
        Kind::Summary,
        "Time from a request's frame being complete to its reply being queued, merged over cores.",
    );
    for (index, opcode) in Opcode::ALL.iter().enumerate() {
        if let Some(histogram) = merged_latency_us(cores, *opcode) {
            let sum_us = cores
                .iter()
                .map(|c| c.operations[index].latency_sum_us)
                .fold(0u64, u64::saturating_add);
            out.summary(
                "dynacore_request_latency_seconds",
                &[("op", opcode.name())],
                &histogram,
                sum_us,
            );
        }
    }

    out.family(
        "dynacore_shard_request_latency_seconds",
        Kind::Summary,
        "Time from a request's frame being complete to its reply being queued, per receiving core.",
    );
    for (core, shard) in cores.iter().zip(&shards) {
        for (opcode, op) in Opcode::ALL.iter().zip(&core.operations) {
            if let Some(histogram) = &op.latency_us {
                out.summary(
                    "dynacore_shard_request_latency_seconds",
                    &[("shard", shard), ("op", opcode.name())],
                    histogram,
                    op.latency_sum_us,
                );
            }
        }
    }
}

fn render_connections(out: &mut Exposition, cores: &[CoreMetrics]) {
    let shards: Vec<String> = cores.iter().map(|c| c.shard.to_string()).collect();
    let per_core: [(&str, Kind, &str, CoreValue); 6] = [
        (
            "dynacore_connections_opened_total",
            Kind::Counter,
            "Connections accepted.",
            |c| c.connections_opened,
        ),
        (
            "dynacore_connections_open",
            Kind::Gauge,
            "Connections open now.",
            |c| c.open_connections,
        ),
        (
            "dynacore_requests_in_flight",
            Kind::Gauge,
            "Requests executing or waiting for their reply to be queued.",
            |c| c.in_flight,
        ),
        (
            "dynacore_out_buffer_bytes",
            Kind::Gauge,
            "Reply bytes queued but not yet written to sockets.",
            |c| c.buffered_out_bytes,
        ),
        (
            "dynacore_read_bytes_total",
            Kind::Counter,
            "Bytes read from client sockets.",
            |c| c.read_bytes,
        ),
        (
            "dynacore_written_bytes_total",
            Kind::Counter,
            "Bytes written to client sockets.",
            |c| c.written_bytes,
        ),
    ];
    for (name, kind, help, value) in per_core {
        out.family(name, kind, help);
        for (core, shard) in cores.iter().zip(&shards) {
            out.sample(name, &[("shard", shard)], value(core));
        }
    }
    out.family(
        "dynacore_connections_closed_total",
        Kind::Counter,
        "Connections closed, by reason.",
    );
    for (core, shard) in cores.iter().zip(&shards) {
        for (reason, count) in CloseReason::ALL.iter().zip(core.connections_closed) {
            out.sample(
                "dynacore_connections_closed_total",
                &[("shard", shard), ("reason", reason.label())],
                count,
            );
        }
    }
}

type CoreValue = fn(&CoreMetrics) -> u64;
type ShardValue = fn(&dynacore::ShardStats) -> u64;
type CounterValue = fn(&CacheCounters) -> u64;
type ShardCacheValue = fn(&ShardCacheStats) -> usize;
type TableCacheValue = fn(&TableCacheStats) -> usize;

fn render_engine(out: &mut Exposition, db: &DbStats) {
    out.family(
        "dynacore_engine_info",
        Kind::Gauge,
        "The engine's file I/O backend and request hand-off (always 1).",
    );
    // The variant's name only (`CallerRuns`, `ShardThread`), not its fields.
    let handoff_debug = format!("{:?}", db.handoff);
    let handoff = handoff_debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_string();
    out.sample(
        "dynacore_engine_info",
        &[("io_backend", &db.io_backend), ("handoff", &handoff)],
        1u64,
    );

    let shards: Vec<String> = db.shards.iter().map(|s| s.shard.0.to_string()).collect();
    let usize_value = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    let per_shard: Vec<(&str, Kind, &str, ShardValue)> = vec![
        (
            "dynacore_engine_gets_total",
            Kind::Counter,
            "Point reads.",
            |s| s.operations.gets,
        ),
        (
            "dynacore_engine_write_batches_total",
            Kind::Counter,
            "Write batches (one per put or delete, one per shard of a multi-item batch).",
            |s| s.operations.write_batches,
        ),
        (
            "dynacore_engine_scans_total",
            Kind::Counter,
            "Range reads (one per page per shard).",
            |s| s.operations.scans,
        ),
        (
            "dynacore_engine_mutations_total",
            Kind::Counter,
            "Read-modify-writes (conditional writes, updates).",
            |s| s.operations.mutations,
        ),
        (
            "dynacore_engine_mutations_without_write_total",
            Kind::Counter,
            "Read-modify-writes that did not write (a condition failed).",
            |s| s.operations.mutations_without_write,
        ),
        (
            "dynacore_engine_busy_rejections_total",
            Kind::Counter,
            "Requests refused because a shard queue was full.",
            |s| s.operations.busy_rejections,
        ),
        (
            "dynacore_engine_task_panics_total",
            Kind::Counter,
            "Tasks on a shard thread that panicked (caught).",
            |s| s.operations.task_panics,
        ),
        (
            "dynacore_engine_queue_depth",
            Kind::Gauge,
            "Requests waiting in the shard's queue.",
            |s| u64::try_from(s.queue_depth).unwrap_or(u64::MAX),
        ),
        (
            "dynacore_engine_pending_writes",
            Kind::Gauge,
            "Writes waiting for the next group commit.",
            |s| u64::try_from(s.pending_writes).unwrap_or(u64::MAX),
        ),
        (
            "dynacore_engine_group_commits_total",
            Kind::Counter,
            "Group commits (one WAL append, and under sync durability one fdatasync, each).",
            |s| s.group_commit.groups,
        ),
        (
            "dynacore_engine_group_commit_batches_total",
            Kind::Counter,
            "Write batches committed in groups.",
            |s| s.group_commit.batches,
        ),
        (
            "dynacore_engine_wal_syncs_total",
            Kind::Counter,
            "WAL fdatasyncs.",
            |s| s.lsm.counters.wal_syncs,
        ),
        (
            "dynacore_engine_wal_written_bytes_total",
            Kind::Counter,
            "Bytes appended to the WAL.",
            |s| s.lsm.counters.wal_bytes_written,
        ),
        (
            "dynacore_engine_user_written_bytes_total",
            Kind::Counter,
            "Bytes of keys and values written by users.",
            |s| s.lsm.counters.user_bytes_written,
        ),
        (
            "dynacore_engine_flushes_total",
            Kind::Counter,
            "Memtable flushes.",
            |s| s.lsm.counters.flush_count,
        ),
        (
            "dynacore_engine_flush_written_bytes_total",
            Kind::Counter,
            "Bytes written by flushes.",
            |s| s.lsm.counters.flush_bytes_written,
        ),
        (
            "dynacore_engine_compactions_total",
            Kind::Counter,
            "Compactions (trivial moves included).",
            |s| s.lsm.counters.compaction_count,
        ),
        (
            "dynacore_engine_trivial_moves_total",
            Kind::Counter,
            "Compactions that moved a file without rewriting it.",
            |s| s.lsm.counters.trivial_move_count,
        ),
        (
            "dynacore_engine_compaction_read_bytes_total",
            Kind::Counter,
            "Bytes read by compactions.",
            |s| s.lsm.counters.compaction_bytes_read,
        ),
        (
            "dynacore_engine_compaction_written_bytes_total",
            Kind::Counter,
            "Bytes written by compactions.",
            |s| s.lsm.counters.compaction_bytes_written,
        ),
        (
            "dynacore_engine_pending_compaction_bytes",
            Kind::Gauge,
            "Estimated bytes compaction still has to rewrite.",
            |s| s.pending_compaction_bytes,
        ),
        (
            "dynacore_engine_write_stalls_total",
            Kind::Counter,
            "Times writes waited for a flush or compaction.",
            |s| s.lsm.counters.write_stall_count,
        ),
        (
            "dynacore_engine_get_tables_considered_total",
            Kind::Counter,
            "SSTables considered by point reads.",
            |s| s.lsm.counters.get_tables_considered,
        ),
        (
            "dynacore_engine_get_bloom_negatives_total",
            Kind::Counter,
            "SSTables a point read skipped thanks to the bloom filter.",
            |s| s.lsm.counters.get_bloom_negatives,
        ),
        (
            "dynacore_engine_memtable_bytes",
            Kind::Gauge,
            "Bytes in the active memtable.",
            |s| u64::try_from(s.lsm.memtable_size_bytes).unwrap_or(u64::MAX),
        ),
        (
            "dynacore_engine_frozen_memtable_bytes",
            Kind::Gauge,
            "Bytes in the memtable being flushed.",
            |s| u64::try_from(s.lsm.frozen_memtable_size_bytes).unwrap_or(u64::MAX),
        ),
        (
            "dynacore_engine_sstables",
            Kind::Gauge,
            "Live SSTables, all levels.",
            |s| {
                s.lsm
                    .levels
                    .iter()
                    .map(|l| u64::try_from(l.file_count).unwrap_or(u64::MAX))
                    .sum()
            },
        ),
        (
            "dynacore_engine_sstable_bytes",
            Kind::Gauge,
            "Bytes of live SSTables, all levels.",
            |s| s.lsm.sstable_size_bytes(),
        ),
        (
            "dynacore_engine_poisoned",
            Kind::Gauge,
            "1 if the shard refuses writes after a failed sync.",
            |s| u64::from(s.lsm.poisoned.is_some()),
        ),
        (
            "dynacore_engine_background_work_pending",
            Kind::Gauge,
            "1 if a flush or compaction is pending or running.",
            |s| u64::from(s.lsm.background_work_pending),
        ),
        (
            "dynacore_engine_fsyncs_measured_total",
            Kind::Counter,
            "Group-commit fdatasyncs whose latency was measured.",
            |s| s.fsync_latency.count,
        ),
    ];
    for (name, kind, help, value) in per_shard {
        out.family(name, kind, help);
        for (shard_stats, shard) in db.shards.iter().zip(&shards) {
            out.sample(name, &[("shard", shard)], value(shard_stats));
        }
    }

    out.family(
        "dynacore_engine_fsync_latency_quantile_seconds",
        Kind::Gauge,
        "Group-commit fdatasync latency quantiles since open, from the engine's histogram.",
    );
    for (shard_stats, shard) in db.shards.iter().zip(&shards) {
        let latency = &shard_stats.fsync_latency;
        for (quantile, value_us) in [
            ("0.5", latency.p50_us),
            ("0.99", latency.p99_us),
            ("0.999", latency.p999_us),
            ("1", latency.max_us),
        ] {
            out.sample(
                "dynacore_engine_fsync_latency_quantile_seconds",
                &[("shard", shard), ("quantile", quantile)],
                value_us as f64 / 1e6,
            );
        }
    }

    for (name, help, files) in [
        (
            "dynacore_engine_level_files",
            "SSTables per LSM level.",
            true,
        ),
        (
            "dynacore_engine_level_bytes",
            "Bytes of SSTables per LSM level.",
            false,
        ),
    ] {
        out.family(name, Kind::Gauge, help);
        for (shard_stats, shard) in db.shards.iter().zip(&shards) {
            for (level_index, level) in shard_stats.lsm.levels.iter().enumerate() {
                let level_label = level_index.to_string();
                let value = if files {
                    usize_value(level.file_count)
                } else {
                    level.size_bytes
                };
                out.sample(name, &[("shard", shard), ("level", &level_label)], value);
            }
        }
    }
}

/// The cache counters, named as both the per-shard (`dynacore_engine_…`)
/// and the per-table (`dynacore_engine_table_…`) families name them.
const CACHE_COUNTERS: [(&str, &str, CounterValue); 14] = [
    (
        "item_cache_hits_total",
        "Item lookups answered from the item cache, negative entries included.",
        |c| c.hits,
    ),
    (
        "item_cache_negative_hits_total",
        "Item cache hits that answered that the item does not exist.",
        |c| c.negative_hits,
    ),
    (
        "item_cache_misses_total",
        "Item lookups that read the tree (expired entries included).",
        |c| c.misses,
    ),
    (
        "item_cache_fills_total",
        "Item cache entries filled after a miss.",
        |c| c.fills,
    ),
    (
        "item_cache_write_throughs_total",
        "Item cache entries a write replaced before it was acknowledged.",
        |c| c.write_throughs,
    ),
    (
        "item_cache_evictions_total",
        "Item cache entries evicted to make room.",
        |c| c.evictions,
    ),
    (
        "item_cache_not_admitted_total",
        "Item cache misses not filled: a key's first miss under second-miss admission.",
        |c| c.not_admitted,
    ),
    (
        "item_cache_expirations_total",
        "Item cache entries found past their TTL.",
        |c| c.expirations,
    ),
    (
        "query_cache_hits_total",
        "Query and Scan pages served from the query cache.",
        |c| c.query_hits,
    ),
    (
        "query_cache_misses_total",
        "Query and Scan page lookups that read the tree (stale and expired pages included).",
        |c| c.query_misses,
    ),
    (
        "query_cache_stale_total",
        "Cached pages found retired by a write since they were filled.",
        |c| c.query_stale,
    ),
    (
        "query_cache_expirations_total",
        "Cached pages found past their TTL.",
        |c| c.query_expirations,
    ),
    (
        "query_cache_not_admitted_total",
        "Query and Scan pages not kept: their range's first miss under second-miss admission.",
        |c| c.query_not_admitted,
    ),
    (
        "query_cache_evictions_total",
        "Cached pages evicted to make room.",
        |c| c.query_evictions,
    ),
];

/// The item and query caches: counters and gauges per shard, then per table
/// (over all shards).
fn render_caches(out: &mut Exposition, db: &DbStats, tables: &BTreeMap<String, TableCacheStats>) {
    let shards: Vec<String> = db.shards.iter().map(|s| s.shard.0.to_string()).collect();
    for (suffix, help, value) in CACHE_COUNTERS {
        let name = format!("dynacore_engine_{suffix}");
        out.family(&name, Kind::Counter, help);
        for (shard_stats, shard) in db.shards.iter().zip(&shards) {
            out.sample(
                &name,
                &[("shard", shard)],
                value(&shard_stats.cache.counters),
            );
        }
    }
    let shard_gauges: [(&str, &str, ShardCacheValue); 6] = [
        (
            "dynacore_engine_item_cache_bytes",
            "Bytes the item cache's entries are charged, overhead included.",
            |c| c.item_bytes_used,
        ),
        (
            "dynacore_engine_item_cache_entries",
            "Entries in the item cache, negative ones included.",
            |c| c.item_entries,
        ),
        (
            "dynacore_engine_item_cache_budget_bytes",
            "The shard's item cache budget (its share of the database's).",
            |c| c.item_budget_bytes,
        ),
        (
            "dynacore_engine_query_cache_bytes",
            "Bytes the query cache's pages are charged.",
            |c| c.query_bytes_used,
        ),
        (
            "dynacore_engine_query_cache_entries",
            "Pages in the query cache.",
            |c| c.query_entries,
        ),
        (
            "dynacore_engine_query_cache_budget_bytes",
            "The shard's query cache budget (its share of the database's).",
            |c| c.query_budget_bytes,
        ),
    ];
    for (name, help, value) in shard_gauges {
        out.family(name, Kind::Gauge, help);
        for (shard_stats, shard) in db.shards.iter().zip(&shards) {
            out.sample(name, &[("shard", shard)], value(&shard_stats.cache));
        }
    }

    for (suffix, help, value) in CACHE_COUNTERS {
        let name = format!("dynacore_engine_table_{suffix}");
        out.family(
            &name,
            Kind::Counter,
            &format!("{help} Per table, over all shards."),
        );
        for (table, stats) in tables {
            out.sample(&name, &[("table", table)], value(&stats.counters));
        }
    }
    let table_gauges: [(&str, &str, TableCacheValue); 4] = [
        (
            "dynacore_engine_table_item_cache_bytes",
            "Bytes the table's item cache entries are charged, over all shards.",
            |t| t.item_bytes_used,
        ),
        (
            "dynacore_engine_table_item_cache_entries",
            "The table's item cache entries, over all shards.",
            |t| t.item_entries,
        ),
        (
            "dynacore_engine_table_query_cache_bytes",
            "Bytes the table's cached pages are charged, over all shards.",
            |t| t.query_bytes_used,
        ),
        (
            "dynacore_engine_table_query_cache_entries",
            "The table's cached pages, over all shards.",
            |t| t.query_entries,
        ),
    ];
    for (name, help, value) in table_gauges {
        out.family(name, Kind::Gauge, help);
        for (table, stats) in tables {
            out.sample(name, &[("table", table)], value(stats));
        }
    }
}
