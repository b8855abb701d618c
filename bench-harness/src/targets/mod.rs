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

/// Opens target `name` with its files in `dir` (created if missing).
pub fn open(
    name: &str,
    dir: &Path,
    durability: DurabilityMode,
    field_count: usize,
    server: &ServerOptions,
) -> anyhow::Result<Box<dyn Target>> {
    match name {
        "embedded" => Ok(Box::new(embedded::Embedded::open(dir, durability)?)),
        "server" => Ok(Box::new(server::ServerTarget::open(
            dir,
            durability,
            server.addr.as_deref(),
            server.threads,
        )?)),
        "dynamodb" => Ok(Box::new(dynamodb::DynamoDbTarget::open(
            dir,
            durability,
            server.dynamodb_addr.as_deref(),
        )?)),
        "null" => Ok(Box::new(null::Null)),
        "rocksdb" | "fjall" | "redb" => open_baseline(name, dir, durability, field_count),
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
) -> anyhow::Result<Box<dyn Target>> {
    baselines::open(name, dir, durability, field_count)
}

#[cfg(not(feature = "baselines"))]
fn open_baseline(
    name: &str,
    _dir: &Path,
    _durability: DurabilityMode,
    _field_count: usize,
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
