//! [`Db`]: the embedded database — tables of DynamoDB items on one LSM.
//!
//! This is the single-shard engine: one [`Lsm`] behind one mutex, so a `Db`
//! can be shared between threads today. The thread-per-core issue replaces
//! the mutex with shards that own their LSMs; the API stays.
//!
//! Every write validates the item against DynamoDB's rules before anything
//! is logged (invalid input changes nothing), encodes the key in the
//! order-preserving key encoding and the item in the item encoding, and is
//! durable on return under the default `Durability::Sync`. After each write
//! the caller's thread runs one bounded slice of flush/compaction work.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::catalog::TableDescription;
use crate::coding::item::{decode_item, encode_item};
use crate::coding::key::{
    encode_key, encode_key_value_into, encode_partition_prefix, encode_table_prefix,
    prefix_successor,
};
use crate::compaction::CompactionOptions;
use crate::io::{Clock, Fs};
use crate::lsm::{Durability, Lsm, LsmOptions, LsmStats};
use crate::model::{Item, KeyValue, PrimaryKey, TableSchema, validate_item, validate_table_name};
use crate::sstable::SsTableOptions;
use crate::wal::WriteBatch;
use crate::{Error, Result, limits};

/// Builds a [`Db`]: `Db::builder(path).durability(...).open()`.
#[derive(Debug, Clone)]
pub struct DbBuilder {
    options: LsmOptions,
}

impl DbBuilder {
    /// Defaults for a database in directory `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        DbBuilder {
            options: LsmOptions::new(path),
        }
    }

    /// Uses `fs` instead of the real file system (tests: `MemFs`, `FaultyFs`).
    pub fn fs(mut self, fs: Arc<dyn Fs>) -> Self {
        self.options.fs = fs;
        self
    }

    /// Uses `clock` instead of the system clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.options.clock = clock;
        self
    }

    /// When writes become durable (default: `Sync`).
    pub fn durability(mut self, durability: Durability) -> Self {
        self.options.durability = durability;
        self
    }

    /// Memtable budget in bytes (default 16 MiB).
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
        let mut lsm = Lsm::open(self.options)?;
        match lsm.shard_count() {
            None => lsm.set_shard_count(1)?,
            Some(1) => {}
            Some(n) => {
                return Err(Error::InvalidConfig(format!(
                    "the database was written with {n} shards; this engine opens it with 1 (resharding does not exist)"
                )));
            }
        }
        let mut tables = BTreeMap::new();
        for (id, blob) in &lsm.catalog().tables {
            let description = TableDescription::decode(*id, blob).map_err(|e| {
                Error::corruption(
                    &crate::filenames::current_path(&lsm.options().dir),
                    0,
                    format!("table {id} description in the manifest does not decode: {e}"),
                )
            })?;
            tables.insert(description.name.clone(), description);
        }
        Ok(Db {
            inner: Mutex::new(Inner { lsm, tables }),
        })
    }
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

#[derive(Debug)]
struct Inner {
    lsm: Lsm,
    tables: BTreeMap<String, TableDescription>,
}

/// An open embedded database; see the module docs. Shareable between threads.
#[derive(Debug)]
pub struct Db {
    inner: Mutex<Inner>,
}

/// The smallest byte string greater than `key`.
fn successor(key: &[u8]) -> Vec<u8> {
    let mut next = Vec::with_capacity(key.len() + 1);
    next.extend_from_slice(key);
    next.push(0);
    next
}

impl Db {
    /// A builder for a database in directory `path`.
    pub fn builder(path: impl AsRef<Path>) -> DbBuilder {
        DbBuilder::new(path.as_ref())
    }

    /// Opens `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        Self::builder(path).open()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock is a bug; the LSM poisons itself
        // on I/O failures, so its state is still safe to use or report.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn table<'a>(inner: &'a Inner, name: &str) -> Result<&'a TableDescription> {
        inner
            .tables
            .get(name)
            .ok_or_else(|| Error::TableNotFound(name.to_owned()))
    }

    // ----- tables -------------------------------------------------------

    /// Creates a table. Errors: invalid name or schema (`Validation`), a
    /// table of that name exists (`TableAlreadyExists`).
    pub fn create_table(&self, name: &str, schema: TableSchema) -> Result<TableDescription> {
        validate_table_name(name)?;
        schema.validate()?;
        let mut inner = self.lock();
        if inner.tables.contains_key(name) {
            return Err(Error::TableAlreadyExists(name.to_owned()));
        }
        let mut description = TableDescription {
            name: name.to_owned(),
            id: crate::ids::TableId(0),
            schema,
        };
        description.id = inner.lsm.create_table(description.encode())?;
        inner.tables.insert(name.to_owned(), description.clone());
        Ok(description)
    }

    /// The description of table `name`.
    pub fn describe_table(&self, name: &str) -> Result<TableDescription> {
        Self::table(&self.lock(), name).cloned()
    }

    /// The names of all tables, sorted.
    pub fn list_tables(&self) -> Vec<String> {
        self.lock().tables.keys().cloned().collect()
    }

    /// Deletes table `name` and (lazily, through compaction) its items.
    pub fn delete_table(&self, name: &str) -> Result<TableDescription> {
        let mut inner = self.lock();
        let description = Self::table(&inner, name)?.clone();
        inner.lsm.delete_table(description.id)?;
        inner.tables.remove(name);
        Ok(description)
    }

    // ----- items --------------------------------------------------------

    /// Writes `item`, replacing any item with the same primary key.
    pub fn put_item(&self, table: &str, item: &Item) -> Result<()> {
        let mut inner = self.lock();
        let description = Self::table(&inner, table)?;
        let key = validate_item(&description.schema, item)?;
        let mut batch = WriteBatch::new();
        batch.put(&encode_key(description.id, &key), &encode_item(item));
        Self::write(&mut inner, &batch)
    }

    /// Deletes the item with primary key `key` (no error if absent).
    pub fn delete_item(&self, table: &str, key: &PrimaryKey) -> Result<()> {
        let mut inner = self.lock();
        let description = Self::table(&inner, table)?;
        description.schema.validate_key(key)?;
        let mut batch = WriteBatch::new();
        batch.delete(&encode_key(description.id, key));
        Self::write(&mut inner, &batch)
    }

    fn write(inner: &mut Inner, batch: &WriteBatch) -> Result<()> {
        inner.lsm.write(batch)?;
        // One bounded slice of background work on the caller's thread; an
        // error here poisons the LSM and surfaces on the next write.
        let _ = inner.lsm.background_step();
        Ok(())
    }

    /// The item with primary key `key`, if any.
    pub fn get_item(&self, table: &str, key: &PrimaryKey) -> Result<Option<Item>> {
        let mut inner = self.lock();
        let description = Self::table(&inner, table)?;
        description.schema.validate_key(key)?;
        let encoded = encode_key(description.id, key);
        let dir = inner.lsm.options().dir.clone();
        match inner.lsm.get(&encoded)? {
            Some(value) => decode_item(&value).map(Some).map_err(|e| {
                Error::corruption(&dir, 0, format!("stored item does not decode: {e}"))
            }),
            None => Ok(None),
        }
    }

    /// Items of one partition in sort-key order, one page at a time (the
    /// base of DynamoDB's Query).
    pub fn query(&self, table: &str, partition: &KeyValue, options: &QueryOptions) -> Result<Page> {
        let inner = self.lock();
        let description = Self::table(&inner, table)?;
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
        Self::collect_page(&inner, schema, &start, end.as_deref(), options.limit)
    }

    /// All items of a table in key order, one page at a time (DynamoDB's Scan
    /// order differs — it is by hashed partition — but is unspecified).
    pub fn scan(&self, table: &str, options: &ScanOptions) -> Result<Page> {
        let inner = self.lock();
        let description = Self::table(&inner, table)?;
        let prefix = encode_table_prefix(description.id);
        let mut start = prefix.clone();
        if let Some(after) = &options.exclusive_start_key {
            description.schema.validate_key(after)?;
            start = successor(&encode_key(description.id, after));
        }
        let end = prefix_successor(&prefix);
        Self::collect_page(
            &inner,
            &description.schema,
            &start,
            end.as_deref(),
            options.limit,
        )
    }

    fn collect_page(
        inner: &Inner,
        schema: &TableSchema,
        start: &[u8],
        end: Option<&[u8]>,
        limit: Option<usize>,
    ) -> Result<Page> {
        if limit == Some(0) {
            return Err(Error::validation(
                "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
            ));
        }
        let limit = limit.unwrap_or(usize::MAX).min(limits::PAGE_ITEM_COUNT_MAX);
        let dir = inner.lsm.options().dir.clone();
        let mut page = Page::default();
        let mut page_bytes = 0usize;
        let mut more = false;
        inner.lsm.scan(start, end, &mut |_, value| {
            if page.items.len() >= limit || page_bytes >= limits::PAGE_SIZE_BYTES_MAX {
                more = true;
                return Ok(false);
            }
            let item = decode_item(value).map_err(|e| {
                Error::corruption(&dir, 0, format!("stored item does not decode: {e}"))
            })?;
            page_bytes += value.len();
            page.items.push(item);
            Ok(true)
        })?;
        if more && let Some(last) = page.items.last() {
            page.last_evaluated_key = Some(schema.key_of(last)?);
        }
        Ok(page)
    }

    // ----- maintenance --------------------------------------------------

    /// Flushes the memtable to an SSTable now.
    pub fn flush(&self) -> Result<()> {
        self.lock().lsm.flush()
    }

    /// Runs flush and compaction until nothing is due.
    pub fn compact(&self) -> Result<()> {
        self.lock().lsm.compact_until_idle()
    }

    /// Makes every write so far durable, whatever the durability mode.
    pub fn sync(&self) -> Result<()> {
        self.lock().lsm.sync()
    }

    /// Runs periodic duties (interval syncs) and one slice of background work.
    pub fn tick(&self) -> Result<()> {
        let mut inner = self.lock();
        inner.lsm.tick()?;
        inner.lsm.background_step()?;
        Ok(())
    }

    /// Sizes, counters and state of the storage engine.
    pub fn stats(&self) -> LsmStats {
        self.lock().lsm.stats()
    }
}
