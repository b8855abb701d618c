//! What `dynacore-bench` drives: a store with YCSB's four record operations.
//!
//! Every target stores records of table `usertable` keyed by YCSB's string
//! keys, each with `fieldcount` named fields. Targets are shared by all
//! client threads (`Send + Sync`) and run one after another in an
//! invocation, each in its own directory.

pub mod dynamodb;
pub mod embedded;
pub mod null;
pub mod server;

#[cfg(feature = "baselines")]
pub mod baselines;

use std::path::Path;

use dynacore::{CacheOptions, DbStats};

use crate::results::CacheSummary;

/// One field of a record: its name (`field0` …) and value.
pub type Field = (String, Vec<u8>);

/// How a write reaches the medium, chosen once per invocation and mapped to
/// each engine's own setting (the report states the mapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DurabilityMode {
    /// Every acknowledged write is synced to the medium (fdatasync or equal).
    Sync,
    /// Writes reach the OS (or the engine's buffers), never synced by the write.
    None,
}

/// A store under test; see the module docs.
pub trait Target: Send + Sync {
    /// The target's name as given to `--target`.
    fn name(&self) -> &'static str;

    /// The engine's exact settings, in words, for the report.
    fn settings(&self) -> String;

    /// INSERT: a new record with every field.
    fn insert(&self, key: &str, fields: &[Field]) -> anyhow::Result<()>;

    /// READ: every field of a record; returns how many fields it had (0 if
    /// the record does not exist).
    fn read(&self, key: &str) -> anyhow::Result<usize>;

    /// UPDATE: one field of an existing record gets a new value.
    fn update(&self, key: &str, field: &str, value: &[u8]) -> anyhow::Result<()>;

    /// SCAN: up to `count` records in key order, starting at `start_key`;
    /// returns how many were read.
    fn scan(&self, start_key: &str, count: usize) -> anyhow::Result<usize>;

    /// Bytes the target's files take on disk now.
    fn disk_bytes(&self) -> u64;

    /// dynacore's item cache counters since the database opened, and its
    /// bytes now; `None` for a target whose cache the harness cannot see
    /// (the baselines, a server it did not start).
    fn cache_stats(&self) -> Option<CacheSummary> {
        None
    }
}

/// The names `--target` accepts, in the order the help lists them.
pub const TARGET_NAMES: &[&str] = &[
    "embedded", "server", "dynamodb", "null", "rocksdb", "fjall", "redb",
];

/// How to reach the `server` and `dynamodb` targets.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// A running server's binary-protocol address; `None` starts one in
    /// this process.
    pub addr: Option<String>,
    /// A running DynamoDB JSON API endpoint (`HOST:PORT`); `None` starts a
    /// server in this process.
    pub dynamodb_addr: Option<String>,
    /// Harness threads (the client opens about as many connections).
    pub threads: usize,
}

/// The cache every target gets (`--cache-bytes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheBudget {
    /// `None`: each engine's usual cache (dynacore's defaults, the
    /// baselines' [`DEFAULT_BASELINE_CACHE_BYTES`]). `Some(n)`: dynacore's
    /// item cache and each baseline's cache get `n` bytes; 0 turns
    /// dynacore's item and query caches off.
    pub bytes: Option<usize>,
    /// dynacore's eviction policy (`--cache-policy`); `None`: its default.
    pub policy: Option<dynacore::CachePolicy>,
    /// dynacore's item cache admission (`--cache-admission`); `None`: its default.
    pub admission: Option<dynacore::CacheAdmission>,
}

/// The baselines' cache when `--cache-bytes` is not given: 1 GiB, redb's own
/// default (RocksDB's LRU block cache, fjall's block cache, redb's page cache).
#[cfg_attr(not(feature = "baselines"), allow(dead_code))] // Only baselines use it.
pub const DEFAULT_BASELINE_CACHE_BYTES: usize = 1 << 30;

impl CacheBudget {
    /// dynacore's cache options for this budget: its defaults, only the item
    /// cache's budget set, or everything off for 0.
    pub fn dynacore(self) -> CacheOptions {
        let mut options = match self.bytes {
            None => CacheOptions::default(),
            Some(0) => CacheOptions::disabled(),
            Some(bytes) => CacheOptions {
                item_cache_bytes: bytes,
                ..CacheOptions::default()
            },
        };
        if let Some(policy) = self.policy {
            options.policy = policy;
        }
        if let Some(admission) = self.admission {
            options.admission = admission;
        }
        options
    }

    /// A baseline's cache size for this budget.
    #[cfg_attr(not(feature = "baselines"), allow(dead_code))] // Only baselines use it.
    pub fn baseline_bytes(self) -> usize {
        self.bytes.unwrap_or(DEFAULT_BASELINE_CACHE_BYTES)
    }
}

/// dynacore's cache settings in words, for a target's settings text.
pub fn dynacore_cache_words(options: &CacheOptions) -> String {
    let ttl = |ttl: Option<std::time::Duration>| match ttl {
        Some(ttl) if ttl.subsec_millis() == 0 => format!("{} s", ttl.as_secs()),
        Some(ttl) => format!("{} ms", ttl.as_millis()),
        None => "none".to_owned(),
    };
    let cache = |bytes: usize| match bytes {
        0 => "off".to_owned(),
        bytes => bytes_in_words(bytes),
    };
    format!(
        "item cache {} and query cache {} over all shards ({:?}, admission {:?}; TTLs: items {}, query pages {})",
        cache(options.item_cache_bytes),
        cache(options.query_cache_bytes),
        options.policy,
        options.admission,
        ttl(options.item_ttl),
        ttl(options.query_ttl),
    )
}

/// A byte count as a report states it: whole GiB, MiB or KiB when it is
/// one (`1 GiB`, `64 MiB`), else bytes.
pub fn bytes_in_words(bytes: usize) -> String {
    for (unit, name) in [(1usize << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// The item cache figures of a dynacore database, over all its shards.
pub fn dynacore_cache_summary(stats: &DbStats) -> CacheSummary {
    let mut summary = CacheSummary::default();
    for shard in &stats.shards {
        let cache = &shard.cache;
        summary.hits += cache.counters.hits;
        summary.misses += cache.counters.misses;
        summary.negative_hits += cache.counters.negative_hits;
        summary.evictions += cache.counters.evictions;
        summary.item_bytes_used += cache.item_bytes_used as u64;
        summary.item_budget_bytes += cache.item_budget_bytes as u64;
    }
    summary.hit_ratio = summary.ratio();
    summary
}

/// Opens target `name` with its files in `dir` (created if missing).
pub fn open(
    name: &str,
    dir: &Path,
    durability: DurabilityMode,
    field_count: usize,
    server: &ServerOptions,
    cache: CacheBudget,
) -> anyhow::Result<Box<dyn Target>> {
    match name {
        "embedded" => Ok(Box::new(embedded::Embedded::open(
            dir,
            durability,
            cache.dynacore(),
        )?)),
        "server" => Ok(Box::new(server::ServerTarget::open(
            dir,
            durability,
            server.addr.as_deref(),
            server.threads,
            cache.dynacore(),
        )?)),
        "dynamodb" => Ok(Box::new(dynamodb::DynamoDbTarget::open(
            dir,
            durability,
            server.dynamodb_addr.as_deref(),
            cache.dynacore(),
        )?)),
        "null" => Ok(Box::new(null::Null)),
        "rocksdb" | "fjall" | "redb" => open_baseline(name, dir, durability, field_count, cache),
        other => anyhow::bail!(
            "unknown target `{other}`: expected one of {}",
            TARGET_NAMES.join(", ")
        ),
    }
}

#[cfg(feature = "baselines")]
fn open_baseline(
    name: &str,
    dir: &Path,
    durability: DurabilityMode,
    field_count: usize,
    cache: CacheBudget,
) -> anyhow::Result<Box<dyn Target>> {
    baselines::open(name, dir, durability, field_count, cache.baseline_bytes())
}

#[cfg(not(feature = "baselines"))]
fn open_baseline(
    name: &str,
    _dir: &Path,
    _durability: DurabilityMode,
    _field_count: usize,
    _cache: CacheBudget,
) -> anyhow::Result<Box<dyn Target>> {
    anyhow::bail!(
        "target `{name}` is a baseline; build with `--features baselines` \
         (see README: RocksDB needs Debian's libclang-dev and ~14 minutes to build)"
    )
}

/// Bytes taken by the files under `dir`, recursively (0 if it is missing).
#[allow(clippy::disallowed_methods)] // The harness measures disk usage directly.
pub fn dir_size_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => dir_size_bytes(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_budgets_map_to_each_engine() {
        let default = CacheBudget::default();
        assert_eq!(default.dynacore(), CacheOptions::default());
        assert_eq!(default.baseline_bytes(), 1 << 30);
        let off = CacheBudget {
            bytes: Some(0),
            policy: None,
            admission: None,
        };
        assert_eq!(off.dynacore(), CacheOptions::disabled());
        assert_eq!(off.baseline_bytes(), 0);
        let some = CacheBudget {
            bytes: Some(64 << 20),
            policy: Some(dynacore::CachePolicy::Lru),
            admission: None,
        };
        assert_eq!(some.dynacore().policy, dynacore::CachePolicy::Lru);
        assert_eq!(some.dynacore().item_cache_bytes, 64 << 20);
        assert_eq!(
            some.dynacore().query_cache_bytes,
            CacheOptions::default().query_cache_bytes
        );
        assert_eq!(some.baseline_bytes(), 64 << 20);
    }

    #[test]
    fn cache_sizes_read_as_words() {
        assert_eq!(bytes_in_words(1 << 30), "1 GiB");
        assert_eq!(bytes_in_words(3 << 29), "1536 MiB");
        assert_eq!(bytes_in_words(64 << 20), "64 MiB");
        assert_eq!(bytes_in_words(4096), "4 KiB");
        assert_eq!(bytes_in_words(1000), "1000 bytes");
        assert_eq!(bytes_in_words(0), "0 bytes");
        let words = dynacore_cache_words(&CacheOptions::default());
        assert_eq!(
            words,
            "item cache 256 MiB and query cache 32 MiB over all shards (S3Fifo, admission \
             SecondMiss; TTLs: items 300 s, query pages 300 s)"
        );
        let words = dynacore_cache_words(&CacheOptions::disabled());
        assert!(
            words.starts_with("item cache off and query cache off"),
            "{words}"
        );
    }
}
