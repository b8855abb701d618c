//! [`ShardLocal`]: code running on a shard's own thread, with direct access
//! to that shard's data — the Seastar-style API.
//!
//! `Db::run_on_shard` sends a task to a shard's thread; the task gets a
//! `ShardLocal` for the shard and may read and write the items that shard
//! owns, and hand further work to other shards with [`ShardLocal::send_to`],
//! which goes through the shard mesh (`mesh.rs`) and never waits. A task
//! runs while its shard's lock is held, so it must be short and must not
//! block: reads return at once, writes return a future that completes when
//! the write is durable (the shard thread leads its group commit after the
//! task returns).

use crate::catalog::TableDescription;
use crate::coding::item::{decode_item, encode_item};
use crate::coding::key::encode_key_split;
use crate::ids::ShardId;
use crate::model::{Item, PrimaryKey, validate_item};
use crate::wal::WriteBatch;
use crate::{Error, Result};

use super::{ReplyFuture, ReplySlot, Shard, ShardCore};

/// Work sent to a shard's thread.
pub type Task = Box<dyn FnOnce(&mut ShardLocal<'_>) + Send + 'static>;

/// A shard's data, as seen by a task running on its thread; see the module docs.
pub struct ShardLocal<'a> {
    shard: &'a Shard,
    core: &'a mut ShardCore,
}

impl std::fmt::Debug for ShardLocal<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardLocal")
            .field("shard", &self.shard.id())
            .finish_non_exhaustive()
    }
}

impl<'a> ShardLocal<'a> {
    pub(crate) fn new(shard: &'a Shard, core: &'a mut ShardCore) -> Self {
        ShardLocal { shard, core }
    }

    /// The shard and its locked state, for the shard layer's own tasks.
    pub(super) fn parts(&mut self) -> (&'a Shard, &mut ShardCore) {
        (self.shard, self.core)
    }

    /// Counts a panic the task's own wrapper caught (`Db::run_on_shard`).
    pub(crate) fn note_task_panic(&mut self) {
        self.core.counters.task_panics += 1;
    }

    /// The shard this code runs on.
    pub fn shard_id(&self) -> ShardId {
        self.shard.id()
    }

    /// How many shards the database has.
    pub fn shard_count(&self) -> usize {
        self.shard.mesh.shard_count()
    }

    /// Validates `key` against `table` and encodes it, checking that this
    /// shard owns it.
    fn local_key(&self, table: &TableDescription, key: &PrimaryKey) -> Result<Vec<u8>> {
        table.schema.validate_key(key)?;
        let (encoded, prefix_len) = encode_key_split(table.id, key);
        self.check_owned(&encoded[..prefix_len])?;
        Ok(encoded)
    }

    fn check_owned(&self, partition_prefix: &[u8]) -> Result<()> {
        let owner = self.shard.mesh.router().shard_for(partition_prefix);
        if owner != self.shard.id() {
            return Err(Error::WrongShard {
                key_shard: owner.0,
                shard: self.shard.id().0,
            });
        }
        Ok(())
    }

    /// The item with primary key `key` in `table`, read now. Errors with
    /// `WrongShard` if another shard owns the key.
    pub fn get_item(&mut self, table: &TableDescription, key: &PrimaryKey) -> Result<Option<Item>> {
        let encoded = self.local_key(table, key)?;
        match self.core.get(&encoded, super::ReadMode::Eventual)? {
            Some(value) => decode_item(&value).map(Some).map_err(|e| {
                Error::corruption(
                    std::path::Path::new(&format!("shard-{:03}", self.shard.id().0)),
                    0,
                    format!("stored item does not decode: {e}"),
                )
            }),
            None => Ok(None),
        }
    }

    /// Writes `item` to `table`; the future completes once the write is
    /// durable. Errors (validation, `WrongShard`) arrive through the future.
    pub fn put_item(&mut self, table: &TableDescription, item: &Item) -> ReplyFuture<Result<()>> {
        let prepared = validate_item(&table.schema, item).and_then(|key| {
            let (encoded, prefix_len) = encode_key_split(table.id, &key);
            self.check_owned(&encoded[..prefix_len])?;
            let mut batch = WriteBatch::new();
            batch.put(&encoded, &encode_item(item));
            Ok(batch)
        });
        self.write(prepared)
    }

    /// Deletes the item with primary key `key` from `table`; the future
    /// completes once the delete is durable.
    pub fn delete_item(
        &mut self,
        table: &TableDescription,
        key: &PrimaryKey,
    ) -> ReplyFuture<Result<()>> {
        let prepared = self.local_key(table, key).map(|encoded| {
            let mut batch = WriteBatch::new();
            batch.delete(&encoded);
            batch
        });
        self.write(prepared)
    }

    fn write(&mut self, batch: Result<WriteBatch>) -> ReplyFuture<Result<()>> {
        let batch = match batch {
            Ok(batch) => batch,
            Err(e) => return ReplyFuture::ready(Err(e)),
        };
        let reply = ReplySlot::new();
        match self.shard.accept_write(self.core, batch, &reply) {
            Some(outcome) => ReplyFuture::ready(outcome),
            None => ReplyFuture::waiting(reply),
        }
    }

    /// Runs `task` on shard `to`'s thread, through the mesh. Never waits:
    /// a full ring is `Busy` at once. Without shard threads
    /// (`DbBuilder::shard_threads(false)`) there is nobody to run it, which
    /// is an `InvalidConfig` error.
    pub fn send_to(
        &mut self,
        to: ShardId,
        task: impl FnOnce(&mut ShardLocal<'_>) + Send + 'static,
    ) -> Result<()> {
        if !self.shard.config.threads {
            return Err(Error::InvalidConfig(
                "ShardLocal::send_to needs shard threads to run the task".into(),
            ));
        }
        if to.0 as usize >= self.shard_count() {
            return Err(Error::validation(format!(
                "shard {to} does not exist; there are {} shards",
                self.shard_count()
            )));
        }
        let from = self.shard.id().0 as usize;
        // SAFETY: `self.core` is the guard of this shard's lock, held for the
        // whole life of this ShardLocal: this is the only producer of the
        // ring from this shard.
        match unsafe { self.shard.mesh.send(from, to.0 as usize, Box::new(task)) } {
            Ok(()) => Ok(()),
            Err(_) => Err(self
                .shard
                .busy(Some(self.core), "mesh ring to another shard full")),
        }
    }
}
