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

mod batch;
mod cache;
mod items;
mod open;
mod scan;
mod tables;

pub use batch::{
    BatchGetItemOutput, BatchGetItemRequest, BatchWrite, BatchWriteItemOutput,
    BatchWriteItemRequest, KeysAndAttributes, WriteRequest,
};
pub use items::{
    DeleteItemRequest, GetItemRequest, PutItemRequest, ReturnValues,
    ReturnValuesOnConditionCheckFailure, UpdateItemRequest, WriteOutput,
};
pub use open::{DbBuilder, shard_dir};
pub use scan::{Page, QueryRequest, ScanRequest, Select};
pub use tables::{
    CreateTableRequest, DescribeTableOutput, ListTablesOutput, ListTablesRequest,
    ProvisionedThroughput, UpdateTableRequest,
};

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::sync::{Mutex, RwLock};

use crate::cache::options::{CacheOptions, TableCacheOptions};
use crate::catalog::TableDescription;
use crate::coding::item::{decode_item, encode_item};
use crate::coding::key::{encode_key_split, encode_partition_prefix};
use crate::ids::{ShardId, TableId};
use crate::model::{Item, KeyValue, PrimaryKey, validate_item};
use crate::shard::local::Task;
use crate::shard::{
    DbStats, Handoff, ReadMode, ReplyFuture, ReplySlot, Shard, ShardLocal, ShardMesh, ShardThreads,
};
use crate::sync::Arc;
use crate::wal::WriteBatch;
use crate::{Error, Result};

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
    /// The caches' database-wide options.
    cache: CacheOptions,
    /// Tables configured with `set_table_cache_options`, by id.
    table_caches: Mutex<BTreeMap<TableId, TableCacheOptions>>,
    /// Stops and joins the shard threads when the last handle goes.
    _threads: Option<ShardThreads>,
}

/// An open embedded database; see the module docs. Cloning gives another
/// handle to the same database; it closes when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct Db {
    inner: std::sync::Arc<DbInner>,
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
            .ok_or_else(|| missing_table(name))
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
            None => Err(missing_table(name)),
        }
    }

    /// Shard `index`, for the shard layer's unit tests.
    #[cfg(test)]
    pub(crate) fn shard_for_tests(&self, index: usize) -> &Shard {
        &self.inner.shards[index]
    }

    fn shard(&self, partition_prefix: &[u8]) -> &Shard {
        &self.inner.shards[self.inner.mesh.router().shard_for(partition_prefix).0 as usize]
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
        match shard.get(key, ReadMode::Eventual)? {
            Some(value) => decode_stored(&value, id).map(Some),
            None => Ok(None),
        }
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
                    (shard.id(), shard.get_async(key, ReadMode::Eventual))
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

    /// The shard that owns the item `key` (a key or a whole item) of table
    /// `table`, or `None` if the table does not exist or `key` lacks a
    /// valid partition key attribute — a router's question, answered
    /// without cloning the table's description; the operation itself then
    /// reports the error.
    pub fn shard_of_item(&self, table: &str, key: &Item) -> Option<ShardId> {
        let tables = self.inner.tables.read().unwrap_or_else(|e| e.into_inner());
        let description = tables.get(table)?;
        let attribute = &description.schema.partition_key;
        let value = KeyValue::from_attribute_value(key.get(&attribute.name)?)?;
        if value.key_type() != attribute.key_type {
            return None;
        }
        let prefix = encode_partition_prefix(description.id, &value);
        Some(self.inner.mesh.router().shard_for(&prefix))
    }

    /// The owner of each virtual partition, by index (the map a
    /// shard-aware client routes by).
    pub fn virtual_partition_owners(&self) -> Vec<ShardId> {
        let router = self.inner.mesh.router();
        (0..crate::limits::VIRTUAL_PARTITION_COUNT)
            .map(|vp| router.owner_of(vp))
            .collect()
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

/// The error for a table name not in the catalog: DynamoDB checks the
/// name's form before looking it up, so a name no table could have
/// (`ab`, `a b`) is a ValidationException, and only a well-formed one is
/// `ResourceNotFoundException`. Only the miss path pays for the check.
fn missing_table(name: &str) -> Error {
    match crate::model::validate_table_name(name) {
        Err(invalid) => invalid,
        Ok(()) => Error::TableNotFound(name.to_owned()),
    }
}
