//! [`Db`]: the embedded database — tables of DynamoDB items over N shards.
//!
//! Opening a database starts one shard per core (settable), each owning an
//! LSM tree in `shard-NNN/` under the database directory and, normally, a
//! shard thread pinned to its core (`shard/`). A `Db` is a cheap handle:
//! `Clone + Send + Sync`, shareable by any number of threads.
//!
//! Every call validates its input against DynamoDB's rules and encodes keys
//! and items on the caller's thread, before any shard is involved (invalid
//! input changes nothing), then routes by partition key
//! ([`crate::shard::ShardRouter`]): point operations and Query touch one
//! shard; Scan reads every shard and merges their entries in key order, so
//! pages are the same whatever the shard count. A multi-item batch is split
//! into one atomic batch per shard.
//!
//! Tables exist on every shard: each shard's manifest records the catalog,
//! and shard 0's is the authority. Creating or deleting a table changes
//! shard 0 first, then the others; an open after a crash in between brings
//! the others back in line with shard 0.

use std::collections::BTreeMap;
use std::future::Future;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use crate::catalog::TableDescription;
use crate::coding::item::{decode_item, encode_item};
use crate::coding::key::{
    encode_key, encode_key_split, encode_key_value_into, encode_partition_prefix,
    encode_table_prefix, prefix_successor,
};
use crate::compaction::CompactionOptions;
use crate::ids::{ShardId, TableId};
use crate::io::{Clock, Fs, IoBackend};
use crate::lsm::{Durability, Lsm, LsmOptions};
use crate::model::{Item, KeyValue, PrimaryKey, TableSchema, validate_item, validate_table_name};
use crate::shard::local::Task;
use crate::shard::{
    DbStats, Handoff, ReplyFuture, ReplySlot, ScanChunk, ScanRange, Shard, ShardConfig, ShardLocal,
    ShardMesh, ShardThreads,
};
use crate::sstable::SsTableOptions;
use crate::sync::Arc;
use crate::wal::WriteBatch;
use crate::{Error, Result, limits};

/// The directory of shard `id` under the database directory.
pub fn shard_dir(root: &Path, id: ShardId) -> PathBuf {
    root.join(format!("shard-{:03}", id.0))
}

/// Builds a [`Db`]: `Db::builder(path).durability(...).open()`.
#[derive(Debug, Clone)]
pub struct DbBuilder {
    options: LsmOptions,
    custom_fs: bool,
    io_backend: Option<IoBackend>,
    shard_count: Option<usize>,
    handoff: Handoff,
    shard_threads: bool,
    pin_threads: bool,
    busy_wait: Duration,
}

impl DbBuilder {
    /// Defaults for a database in directory `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        DbBuilder {
            options: LsmOptions::new(path),
            custom_fs: false,
            io_backend: None,
            shard_count: None,
            handoff: Handoff::CallerRuns,
            shard_threads: true,
            pin_threads: true,
            busy_wait: Duration::from_millis(limits::BUSY_WAIT_MS_DEFAULT),
        }
    }

    /// Uses `fs` instead of the real file system (tests: `MemFs`, `FaultyFs`).
    pub fn fs(mut self, fs: std::sync::Arc<dyn Fs>) -> Self {
        self.options.fs = fs;
        self.custom_fs = true;
        self
    }

    /// Forces a file I/O backend (default: io_uring where it can be set up,
    /// else the portable one; the `DYNACORE_IO` environment variable,
    /// `uring` or `portable`, forces one too). Ignored with [`DbBuilder::fs`].
    pub fn io_backend(mut self, backend: IoBackend) -> Self {
        self.io_backend = Some(backend);
        self
    }

    /// The number of shards (default: the number of cores this process may
    /// run on, or for an existing database the count it was written with).
    /// An existing database opened with another count is refused.
    pub fn shard_count(mut self, shards: usize) -> Self {
        self.shard_count = Some(shards);
        self
    }

    /// How blocking calls reach their shard (default: [`Handoff::CallerRuns`]).
    pub fn handoff(mut self, handoff: Handoff) -> Self {
        self.handoff = handoff;
        self
    }

    /// Whether shard threads run (default: yes). Without them, callers run
    /// flush and compaction slices after their writes, async calls complete
    /// on the calling thread, and nothing happens in the background: a
    /// deterministic mode for tests.
    pub fn shard_threads(mut self, enabled: bool) -> Self {
        self.shard_threads = enabled;
        self
    }

    /// Whether shard threads are pinned to cores (default: yes).
    pub fn pin_threads(mut self, pin: bool) -> Self {
        self.pin_threads = pin;
        self
    }

    /// How long a caller waits for room at a full shard before `Busy`.
    pub fn busy_wait(mut self, wait: Duration) -> Self {
        self.busy_wait = wait;
        self
    }

    /// Uses `clock` instead of the system clock.
    pub fn clock(mut self, clock: std::sync::Arc<dyn Clock>) -> Self {
        self.options.clock = clock;
        self
    }

    /// When writes become durable (default: `Sync`).
    pub fn durability(mut self, durability: Durability) -> Self {
        self.options.durability = durability;
        self
    }

    /// Memtable budget in bytes, per shard (default 16 MiB).
    pub fn memtable_size_bytes_max(mut self, bytes: usize) -> Self {
        self.options.memtable_size_bytes_max = bytes;
        self
    }

    /// SSTable format options (block size, bloom bits per key).
    pub fn sstable_options(mut self, options: SsTableOptions) -> Self {
        self.options.sstable = options;
        self
    }

    /// Leveled-compaction tuning.
    pub fn compaction_options(mut self, options: CompactionOptions) -> Self {
        self.options.compaction = options;
        self
    }

    /// L0 file count at which writes stall for compaction.
    pub fn l0_stop_writes_trigger(mut self, files: usize) -> Self {
        self.options.l0_stop_writes_trigger = files;
        self
    }

    /// Input entries per background slice (smaller: shorter pauses).
    pub fn background_slice_entries(mut self, entries: usize) -> Self {
        self.options.background_slice_entries = entries;
        self
    }

    /// Opens (creating if needed) and recovers the database.
    pub fn open(self) -> Result<Db> {
        if matches!(self.handoff, Handoff::ShardThread { .. }) && !self.shard_threads {
            return Err(Error::InvalidConfig(
                "Handoff::ShardThread needs shard threads; do not disable them".into(),
            ));
        }
        let mut options = self.options;
        let io_backend = if self.custom_fs {
            "custom".to_owned()
        } else {
            let (fs, backend) = crate::io::os_fs(self.io_backend)?;
            options.fs = fs;
            if backend == IoBackend::Portable && !crate::io::uring_available() {
                log::warn!(
                    "dynacore: io_uring cannot be set up here (old kernel, kernel.io_uring_disabled, \
                     or a seccomp filter); using the portable I/O backend"
                );
            }
            log::info!(
                "dynacore: {} with the {backend} I/O backend",
                options.dir.display()
            );
            backend.to_string()
        };
        let root = options.dir.clone();
        let fs = options.fs.clone();
        fs.create_dir_all(&root)?;

        let open_shard = |id: ShardId| -> Result<Lsm> {
            let mut shard_options = options.clone();
            shard_options.dir = shard_dir(&root, id);
            fs.create_dir_all(&shard_options.dir)?;
            Lsm::open(shard_options)
        };
        // Shard 0 records how many shards the data was written with.
        let mut first = open_shard(ShardId(0))?;
        let shard_count = match (first.shard_count(), self.shard_count) {
            (Some(stored), Some(asked)) if stored as usize != asked => {
                return Err(Error::InvalidConfig(format!(
                    "the database in {} was written with {stored} shards and cannot be opened with {asked} \
                     (resharding does not exist yet); open it with shard_count({stored})",
                    root.display()
                )));
            }
            (Some(stored), _) if (1..=limits::SHARD_COUNT_MAX).contains(&(stored as usize)) => {
                stored as usize
            }
            (Some(stored), _) => {
                return Err(Error::corruption(
                    &shard_dir(&root, ShardId(0)),
                    0,
                    format!(
                        "the manifest records {stored} shards, outside 1..={}",
                        limits::SHARD_COUNT_MAX
                    ),
                ));
            }
            (None, asked) => {
                let count = asked.unwrap_or_else(default_shard_count);
                if !(1..=limits::SHARD_COUNT_MAX).contains(&count) {
                    return Err(Error::InvalidConfig(format!(
                        "shard count {count} is out of range 1..={}",
                        limits::SHARD_COUNT_MAX
                    )));
                }
                first.set_shard_count(count as u32)?;
                count
            }
        };
        let mut lsms = vec![first];
        for id in 1..shard_count {
            let mut lsm = open_shard(ShardId(id as u16))?;
            match lsm.shard_count() {
                None => lsm.set_shard_count(shard_count as u32)?,
                Some(n) if n as usize == shard_count => {}
                Some(n) => {
                    return Err(Error::corruption(
                        &shard_dir(&root, ShardId(id as u16)),
                        0,
                        format!("shard {id} records {n} shards, shard 0 records {shard_count}"),
                    ));
                }
            }
            lsms.push(lsm);
        }
        let tables = reconcile_catalogs(&mut lsms, &root)?;

        let config = ShardConfig {
            handoff: self.handoff,
            durability: options.durability,
            threads: self.shard_threads,
            busy_wait: self.busy_wait,
            clock: options.clock.clone(),
        };
        let mesh = Arc::new(ShardMesh::new(shard_count, limits::MESH_RING_CAPACITY));
        let shards: Vec<Arc<Shard>> = lsms
            .into_iter()
            .enumerate()
            .map(|(id, lsm)| {
                Arc::new(Shard::new(
                    ShardId(id as u16),
                    lsm,
                    mesh.clone(),
                    config.clone(),
                ))
            })
            .collect();
        let threads = if self.shard_threads {
            Some(ShardThreads::start(&shards, self.pin_threads)?)
        } else {
            None
        };
        Ok(Db {
            inner: std::sync::Arc::new(DbInner {
                mesh,
                shards,
                tables: RwLock::new(tables),
                control: Mutex::new(()),
                io_backend,
                handoff: self.handoff,
                _threads: threads,
            }),
        })
    }
}

/// The number of cores this process may run on.
fn default_shard_count() -> usize {
    crate::shard::allowed_cpu_count().min(limits::SHARD_COUNT_MAX)
}

/// Brings every shard's catalog in line with shard 0's (the authority) and
/// returns the live tables by name.
fn reconcile_catalogs(lsms: &mut [Lsm], root: &Path) -> Result<BTreeMap<String, TableDescription>> {
    let authority = lsms[0].catalog().clone();
    let mut tables = BTreeMap::new();
    for (id, blob) in &authority.tables {
        let description = TableDescription::decode(*id, blob).map_err(|e| {
            Error::corruption(
                &crate::filenames::current_path(&shard_dir(root, ShardId(0))),
                0,
                format!("table {id} description in the manifest does not decode: {e}"),
            )
        })?;
        tables.insert(description.name.clone(), description);
    }
    for lsm in &mut lsms[1..] {
        let catalog = lsm.catalog().clone();
        for (id, blob) in &authority.tables {
            if !catalog.tables.contains_key(id) {
                lsm.create_table_with_id(*id, blob.clone())?;
            }
        }
        for id in catalog.tables.keys() {
            if !authority.tables.contains_key(id) {
                lsm.delete_table(*id)?;
            }
        }
    }
    Ok(tables)
}

/// Which sort keys a [`Db::query`] returns.
#[derive(Debug, Clone)]
pub struct QueryOptions {
    /// Lower bound on the sort key.
    pub sort_key_start: Bound<KeyValue>,
    /// Upper bound on the sort key.
    pub sort_key_end: Bound<KeyValue>,
    /// At most this many items (DynamoDB's `Limit`); `None`: up to the page limits.
    pub limit: Option<usize>,
    /// Resume after this key (a previous page's `last_evaluated_key`).
    pub exclusive_start_key: Option<PrimaryKey>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            sort_key_start: Bound::Unbounded,
            sort_key_end: Bound::Unbounded,
            limit: None,
            exclusive_start_key: None,
        }
    }
}

/// Which items a [`Db::scan`] returns.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// At most this many items; `None`: up to the page limits.
    pub limit: Option<usize>,
    /// Resume after this key (a previous page's `last_evaluated_key`).
    pub exclusive_start_key: Option<PrimaryKey>,
}

/// One page of a query or scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The items, in key order.
    pub items: Vec<Item>,
    /// Set when more items may follow: pass it as `exclusive_start_key`.
    pub last_evaluated_key: Option<PrimaryKey>,
}

/// One write of a [`Db::batch_write`].
#[derive(Debug, Clone, PartialEq)]
pub enum BatchWrite {
    /// Put this item.
    Put(Item),
    /// Delete the item with this key.
    Delete(PrimaryKey),
}

#[derive(Debug)]
struct DbInner {
    shards: Vec<Arc<Shard>>,
    /// The shards' mesh and router (which shard owns which key).
    mesh: Arc<ShardMesh<Task>>,
    /// Live tables by name; read by every call, written by table DDL.
    tables: RwLock<BTreeMap<String, TableDescription>>,
    /// Serialises table creation and deletion.
    control: Mutex<()>,
    io_backend: String,
    handoff: Handoff,
    /// Stops and joins the shard threads when the last handle goes.
    _threads: Option<ShardThreads>,
}

/// An open embedded database; see the module docs. Cloning gives another
/// handle to the same database; it closes when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct Db {
    inner: std::sync::Arc<DbInner>,
}

/// The smallest byte string greater than `key`.
fn successor(key: &[u8]) -> Vec<u8> {
    let mut next = Vec::with_capacity(key.len() + 1);
    next.extend_from_slice(key);
    next.push(0);
    next
}

fn decode_stored(value: &[u8], shard: ShardId) -> Result<Item> {
    decode_item(value).map_err(|e| {
        Error::corruption(
            Path::new(&format!("shard-{:03}", shard.0)),
            0,
            format!("stored item does not decode: {e}"),
        )
    })
}

const LIMIT_ZERO: &str = "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1";

impl Db {
    /// A builder for a database in directory `path`.
    pub fn builder(path: impl AsRef<Path>) -> DbBuilder {
        DbBuilder::new(path.as_ref())
    }

    /// Opens `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        Self::builder(path).open()
    }

    /// The number of shards.
    pub fn shard_count(&self) -> usize {
        self.inner.shards.len()
    }

    fn table(&self, name: &str) -> Result<TableDescription> {
        self.inner
            .tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
            .ok_or_else(|| Error::TableNotFound(name.to_owned()))
    }

    /// Runs `f` with the description of table `name`, without cloning it.
    fn with_table<R>(
        &self,
        name: &str,
        f: impl FnOnce(&TableDescription) -> Result<R>,
    ) -> Result<R> {
        let tables = self.inner.tables.read().unwrap_or_else(|e| e.into_inner());
        match tables.get(name) {
            Some(description) => f(description),
            None => Err(Error::TableNotFound(name.to_owned())),
        }
    }

    fn shard(&self, partition_prefix: &[u8]) -> &Shard {
        &self.inner.shards[self.inner.mesh.router().shard_for(partition_prefix).0 as usize]
    }

    // ----- tables -------------------------------------------------------

    /// Creates a table. Errors: invalid name or schema (`Validation`), a
    /// table of that name exists (`TableAlreadyExists`).
    pub fn create_table(&self, name: &str, schema: TableSchema) -> Result<TableDescription> {
        validate_table_name(name)?;
        schema.validate()?;
        let _control = self.inner.control.lock().unwrap_or_else(|e| e.into_inner());
        if self.table(name).is_ok() {
            return Err(Error::TableAlreadyExists(name.to_owned()));
        }
        let mut description = TableDescription {
            name: name.to_owned(),
            id: TableId(0),
            schema,
        };
        // Shard 0 allocates the id and is the authority; the others follow.
        let blob = description.encode();
        description.id = self.inner.shards[0].lock().lsm.create_table(blob.clone())?;
        // The table exists once shard 0 recorded it, even if a later shard
        // fails below (the next open copies it to the shards that missed it).
        self.inner
            .tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_owned(), description.clone());
        for shard in &self.inner.shards[1..] {
            shard
                .lock()
                .lsm
                .create_table_with_id(description.id, blob.clone())?;
        }
        Ok(description)
    }

    /// The description of table `name`.
    pub fn describe_table(&self, name: &str) -> Result<TableDescription> {
        self.table(name)
    }

    /// The names of all tables, sorted.
    pub fn list_tables(&self) -> Vec<String> {
        self.inner
            .tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Deletes table `name` and (lazily, through compaction) its items.
    pub fn delete_table(&self, name: &str) -> Result<TableDescription> {
        let _control = self.inner.control.lock().unwrap_or_else(|e| e.into_inner());
        let description = self.table(name)?;
        // Gone from reads at once: nothing routes to it any more.
        self.inner
            .tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        for shard in &self.inner.shards {
            shard.lock().lsm.delete_table(description.id)?;
        }
        Ok(description)
    }

    // ----- items --------------------------------------------------------

    /// Validates and encodes a put: (partition prefix length, key, value).
    fn encode_put(
        description: &TableDescription,
        item: &Item,
    ) -> Result<(usize, Vec<u8>, Vec<u8>)> {
        let key = validate_item(&description.schema, item)?;
        let (key, prefix_len) = encode_key_split(description.id, &key);
        Ok((prefix_len, key, encode_item(item)))
    }

    fn encode_delete(description: &TableDescription, key: &PrimaryKey) -> Result<(usize, Vec<u8>)> {
        description.schema.validate_key(key)?;
        let (key, prefix_len) = encode_key_split(description.id, key);
        Ok((prefix_len, key))
    }

    /// Writes `item`, replacing any item with the same primary key. Durable
    /// on return under `Durability::Sync`.
    pub fn put_item(&self, table: &str, item: &Item) -> Result<()> {
        let (prefix_len, key, value) = self.with_table(table, |d| Self::encode_put(d, item))?;
        let mut batch = WriteBatch::new();
        batch.put(&key, &value);
        self.shard(&key[..prefix_len]).write(batch)
    }

    /// Deletes the item with primary key `key` (no error if absent).
    pub fn delete_item(&self, table: &str, key: &PrimaryKey) -> Result<()> {
        let (prefix_len, key) = self.with_table(table, |d| Self::encode_delete(d, key))?;
        let mut batch = WriteBatch::new();
        batch.delete(&key);
        self.shard(&key[..prefix_len]).write(batch)
    }

    /// The item with primary key `key`, if any.
    pub fn get_item(&self, table: &str, key: &PrimaryKey) -> Result<Option<Item>> {
        let (prefix_len, key) = self.with_table(table, |d| Self::encode_delete(d, key))?;
        let shard = self.shard(&key[..prefix_len]);
        let id = shard.id();
        match shard.get(key)? {
            Some(value) => decode_stored(&value, id).map(Some),
            None => Ok(None),
        }
    }

    /// Writes puts and deletes, split into one atomic batch per shard. Each
    /// shard's part is atomic; the whole is not (as DynamoDB's
    /// BatchWriteItem). Every write is validated before any is made.
    pub fn batch_write(&self, table: &str, writes: &[BatchWrite]) -> Result<()> {
        let mut per_shard: BTreeMap<ShardId, WriteBatch> = BTreeMap::new();
        self.with_table(table, |description| {
            for write in writes {
                let (prefix_len, key, value) = match write {
                    BatchWrite::Put(item) => {
                        let (p, k, v) = Self::encode_put(description, item)?;
                        (p, k, Some(v))
                    }
                    BatchWrite::Delete(key) => {
                        let (p, k) = Self::encode_delete(description, key)?;
                        (p, k, None)
                    }
                };
                let shard = self.inner.mesh.router().shard_for(&key[..prefix_len]);
                let batch = per_shard.entry(shard).or_default();
                match value {
                    Some(value) => batch.put(&key, &value),
                    None => batch.delete(&key),
                }
            }
            Ok(())
        })?;
        // Started on every shard before waiting on any, so the shards' group
        // commits overlap.
        let replies: Vec<_> = per_shard
            .into_iter()
            .map(|(shard, batch)| self.inner.shards[shard.0 as usize].write_async(batch))
            .collect();
        let mut outcome = Ok(());
        for reply in replies {
            let result = reply.wait(0);
            if outcome.is_ok() {
                outcome = result;
            }
        }
        outcome
    }

    /// The items with these keys (absent ones as `None`), in the order asked.
    pub fn batch_get(&self, table: &str, keys: &[PrimaryKey]) -> Result<Vec<Option<Item>>> {
        let mut per_shard: BTreeMap<ShardId, (Vec<usize>, Vec<Vec<u8>>)> = BTreeMap::new();
        self.with_table(table, |description| {
            for (index, key) in keys.iter().enumerate() {
                let (prefix_len, key) = Self::encode_delete(description, key)?;
                let shard = self.inner.mesh.router().shard_for(&key[..prefix_len]);
                let entry = per_shard.entry(shard).or_default();
                entry.0.push(index);
                entry.1.push(key);
            }
            Ok(())
        })?;
        let mut items = vec![None; keys.len()];
        for (shard, (indexes, encoded)) in per_shard {
            let values = self.inner.shards[shard.0 as usize].get_many(&encoded)?;
            for (index, value) in indexes.into_iter().zip(values) {
                if let Some(value) = value {
                    items[index] = Some(decode_stored(&value, shard)?);
                }
            }
        }
        Ok(items)
    }

    // ----- async variants -------------------------------------------------

    /// [`Db::get_item`] as a future: runtime-agnostic, completed by the
    /// shard (or at once, if the shard was free to serve it on this thread).
    pub fn get_item_async(
        &self,
        table: &str,
        key: &PrimaryKey,
    ) -> impl Future<Output = Result<Option<Item>>> + Send + use<> {
        let prepared =
            self.with_table(table, |d| Self::encode_delete(d, key))
                .map(|(prefix_len, key)| {
                    let shard = self.shard(&key[..prefix_len]);
                    (shard.id(), shard.get_async(key))
                });
        async move {
            let (shard, reply) = prepared?;
            match reply.await? {
                Some(value) => decode_stored(&value, shard).map(Some),
                None => Ok(None),
            }
        }
    }

    /// [`Db::put_item`] as a future, ready once the write is durable. It
    /// never blocks the polling thread.
    pub fn put_item_async(
        &self,
        table: &str,
        item: &Item,
    ) -> impl Future<Output = Result<()>> + Send + use<> {
        let prepared = self.with_table(table, |d| Self::encode_put(d, item)).map(
            |(prefix_len, key, value)| {
                let mut batch = WriteBatch::new();
                batch.put(&key, &value);
                self.shard(&key[..prefix_len]).write_async(batch)
            },
        );
        async move { prepared?.await }
    }

    /// [`Db::delete_item`] as a future, ready once the delete is durable.
    pub fn delete_item_async(
        &self,
        table: &str,
        key: &PrimaryKey,
    ) -> impl Future<Output = Result<()>> + Send + use<> {
        let prepared =
            self.with_table(table, |d| Self::encode_delete(d, key))
                .map(|(prefix_len, key)| {
                    let mut batch = WriteBatch::new();
                    batch.delete(&key);
                    self.shard(&key[..prefix_len]).write_async(batch)
                });
        async move { prepared?.await }
    }

    // ----- shard-local tasks ---------------------------------------------

    /// The shard that owns the partition `partition` of table `table`.
    pub fn shard_of(&self, table: &str, partition: &KeyValue) -> Result<ShardId> {
        self.with_table(table, |description| {
            let prefix = encode_partition_prefix(description.id, partition);
            Ok(self.inner.mesh.router().shard_for(&prefix))
        })
    }

    /// Runs `task` on shard `shard`'s own thread, with direct access to the
    /// items that shard owns ([`ShardLocal`]); the future completes with the
    /// task's result. The Seastar-style API: code that runs next to its data
    /// pays no hand-off per item, and can pass work to other shards with
    /// [`ShardLocal::send_to`]. The task runs under the shard's lock, so it
    /// must be short and must not block.
    pub fn run_on_shard<R: Send + 'static>(
        &self,
        shard: ShardId,
        task: impl FnOnce(&mut ShardLocal<'_>) -> R + Send + 'static,
    ) -> ReplyFuture<Result<R>> {
        let Some(target) = self.inner.shards.get(shard.0 as usize) else {
            return ReplyFuture::ready(Err(Error::validation(format!(
                "shard {shard} does not exist; there are {} shards",
                self.shard_count()
            ))));
        };
        let reply = ReplySlot::new();
        let completer = reply.clone();
        let task: Task = Box::new(move |local: &mut ShardLocal<'_>| {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task(local)));
            if outcome.is_err() {
                local.note_task_panic();
            }
            completer.complete(outcome.map_err(|panic| {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Error::TaskPanicked {
                    shard: shard.0,
                    message,
                }
            }));
        });
        match target.run_task(task) {
            Ok(()) => ReplyFuture::waiting(reply),
            Err(e) => ReplyFuture::ready(Err(e)),
        }
    }

    // ----- query and scan --------------------------------------------------

    /// Items of one partition in sort-key order, one page at a time (the
    /// base of DynamoDB's Query). One shard serves it.
    pub fn query(&self, table: &str, partition: &KeyValue, options: &QueryOptions) -> Result<Page> {
        let description = self.table(table)?;
        let schema = &description.schema;
        if partition.key_type() != schema.partition_key.key_type {
            return Err(Error::validation(format!(
                "Type mismatch for key {}",
                schema.partition_key.name
            )));
        }
        let prefix = encode_partition_prefix(description.id, partition);
        let bound_key = |value: &KeyValue| {
            let mut key = prefix.clone();
            encode_key_value_into(&mut key, value);
            key
        };
        let mut start = match &options.sort_key_start {
            Bound::Unbounded => prefix.clone(),
            Bound::Included(v) => bound_key(v),
            Bound::Excluded(v) => successor(&bound_key(v)),
        };
        let end = match &options.sort_key_end {
            Bound::Unbounded => prefix_successor(&prefix),
            Bound::Included(v) => Some(successor(&bound_key(v))),
            Bound::Excluded(v) => Some(bound_key(v)),
        };
        if let Some(after) = &options.exclusive_start_key {
            if &after.partition != partition {
                return Err(Error::validation(
                    "The provided starting key does not match the query's partition key",
                ));
            }
            schema.validate_key(after)?;
            start = start.max(successor(&encode_key(description.id, after)));
        }
        let limit = Self::page_limit(options.limit)?;
        let shard = self.shard(&prefix);
        let chunk = shard.scan(ScanRange { start, end, limit })?;
        Self::page_from(schema, vec![(shard.id(), chunk)], limit)
    }

    /// All items of a table in key order, one page at a time. Every shard
    /// contributes; their entries are merged by key, so pages do not depend
    /// on the shard count. (DynamoDB's Scan order — by hashed partition — is
    /// unspecified, so key order is a valid one.)
    pub fn scan(&self, table: &str, options: &ScanOptions) -> Result<Page> {
        let description = self.table(table)?;
        let prefix = encode_table_prefix(description.id);
        let mut start = prefix.clone();
        if let Some(after) = &options.exclusive_start_key {
            description.schema.validate_key(after)?;
            start = successor(&encode_key(description.id, after));
        }
        let end = prefix_successor(&prefix);
        let limit = Self::page_limit(options.limit)?;
        let range = ScanRange { start, end, limit };
        let chunks = self
            .inner
            .shards
            .iter()
            .map(|shard| Ok((shard.id(), shard.scan(range.clone())?)))
            .collect::<Result<Vec<_>>>()?;
        Self::page_from(&description.schema, chunks, limit)
    }

    fn page_limit(limit: Option<usize>) -> Result<usize> {
        if limit == Some(0) {
            return Err(Error::validation(LIMIT_ZERO));
        }
        Ok(limit.unwrap_or(usize::MAX).min(limits::PAGE_ITEM_COUNT_MAX))
    }

    /// Merges shards' chunks (each in key order) into one page: items in key
    /// order while fewer than `limit` and under the page's byte budget.
    ///
    /// A chunk that stopped early (`more`) bounds the merge: no entry past
    /// its last key may be taken, since that shard's next entries are not
    /// known. Each chunk was cut by the same limits as the page, so this
    /// bound can only be reached once the page is full anyway.
    fn page_from(
        schema: &TableSchema,
        chunks: Vec<(ShardId, ScanChunk)>,
        limit: usize,
    ) -> Result<Page> {
        let bound: Option<Vec<u8>> = chunks
            .iter()
            .filter(|(_, chunk)| chunk.more)
            .filter_map(|(_, chunk)| chunk.entries.last().map(|(key, _)| key.clone()))
            .min();
        let mut any_more = chunks.iter().any(|(_, chunk)| chunk.more);
        // Each chunk is sorted and keys are unique across shards; the sort
        // merges the runs (the standard sort finds and merges sorted runs).
        let mut entries: Vec<(Vec<u8>, ShardId, bytes::Bytes)> = chunks
            .into_iter()
            .flat_map(|(shard, chunk)| {
                chunk
                    .entries
                    .into_iter()
                    .map(move |(key, value)| (key, shard, value))
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut page = Page::default();
        let mut page_bytes = 0usize;
        for (key, shard, value) in entries {
            let past_bound = bound.as_ref().is_some_and(|bound| &key > bound);
            if page.items.len() >= limit || page_bytes >= limits::PAGE_SIZE_BYTES_MAX || past_bound
            {
                any_more = true;
                break;
            }
            page_bytes += value.len();
            page.items.push(decode_stored(&value, shard)?);
        }
        if any_more && let Some(last) = page.items.last() {
            page.last_evaluated_key = Some(schema.key_of(last)?);
        }
        Ok(page)
    }

    // ----- maintenance --------------------------------------------------

    /// Flushes every shard's memtable to an SSTable now.
    pub fn flush(&self) -> Result<()> {
        for shard in &self.inner.shards {
            shard.lock_quiescent().lsm.flush()?;
        }
        Ok(())
    }

    /// Runs flush and compaction on every shard until nothing is due.
    pub fn compact(&self) -> Result<()> {
        for shard in &self.inner.shards {
            shard.lock_quiescent().lsm.compact_until_idle()?;
        }
        Ok(())
    }

    /// Makes every write so far durable, whatever the durability mode.
    pub fn sync(&self) -> Result<()> {
        for shard in &self.inner.shards {
            shard.lock_quiescent().lsm.sync()?;
        }
        Ok(())
    }

    /// Runs periodic duties (interval syncs) and one slice of background
    /// work on every shard — what shard threads do by themselves; for tests
    /// and callers that disabled them.
    pub fn tick(&self) -> Result<()> {
        for shard in &self.inner.shards {
            let mut core = shard.lock_quiescent();
            core.lsm.tick()?;
            core.lsm.background_step()?;
            let obsolete = core.lsm.take_obsolete_files();
            drop(core);
            shard.remove_obsolete(obsolete);
        }
        Ok(())
    }

    /// Sizes, counters and state of every shard.
    pub fn stats(&self) -> DbStats {
        DbStats {
            io_backend: self.inner.io_backend.clone(),
            handoff: self.inner.handoff,
            shards: self.inner.shards.iter().map(|s| s.stats()).collect(),
        }
    }
}
