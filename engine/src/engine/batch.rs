//! DynamoDB's BatchGetItem and BatchWriteItem on a [`Db`], over several
//! tables, with DynamoDB's limits (100 keys and 16 MB of items read; 25
//! writes), and `UnprocessedKeys` / `UnprocessedItems` for the part a busy
//! shard could not take.
//!
//! A batch is validated completely — every table, key, item and expression,
//! duplicates, the counts — before anything is read or written. Its work is
//! then split by owning shard: each shard serves its reads in one lock hold
//! and applies its writes as one atomic batch, and the shards' group commits
//! overlap. As in DynamoDB, the batch as a whole is not atomic: each write
//! succeeds or fails (unprocessed) on its own shard.
//!
//! [`Db::batch_write`] and [`Db::batch_get`] are the embedder's one-table
//! forms, without DynamoDB's count limits (a write batch per shard is still
//! bounded by the log's record limit).

use std::collections::{BTreeMap, BTreeSet};

use crate::coding::key::encode_key_split;
use crate::expr::{
    AttributeNames, ExpressionContext, Projection, check_placeholders_have_expressions,
};
use crate::ids::ShardId;
use crate::model::{Item, PrimaryKey, validate_table_name};
use crate::shard::ReadMode;
use crate::wal::WriteBatch;
use crate::{Error, Result, limits};

use super::{Db, decode_stored};

/// One write of a [`Db::batch_write`].
#[derive(Debug, Clone, PartialEq)]
pub enum BatchWrite {
    /// Put this item.
    Put(Item),
    /// Delete the item with this key.
    Delete(PrimaryKey),
}

/// The keys of one table in a [`BatchGetItemRequest`], and how to read them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeysAndAttributes {
    /// The primary keys (each exactly the table's key attributes).
    pub keys: Vec<Item>,
    /// The attributes to return (all if `None`).
    pub projection_expression: Option<String>,
    /// `#name` placeholders of the projection.
    pub expression_attribute_names: Option<AttributeNames>,
    /// Strongly consistent reads of this table: past the item cache
    /// (`docs/cache.md`, "What each read mode gives").
    pub consistent_read: bool,
}

/// A BatchGetItem request: keys of up to 100 items, by table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchGetItemRequest {
    /// Table name to the keys to read from it.
    pub request_items: BTreeMap<String, KeysAndAttributes>,
}

/// What a BatchGetItem read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchGetItemOutput {
    /// Table name to the items found (absent keys are left out), projected.
    pub responses: BTreeMap<String, Vec<Item>>,
    /// Keys not read (a busy shard, or past the 16 MB response limit):
    /// send them again.
    pub unprocessed_keys: BTreeMap<String, KeysAndAttributes>,
}

/// One request of a [`BatchWriteItemRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum WriteRequest {
    /// PutRequest: write this item.
    Put {
        /// The item, key attributes included.
        item: Item,
    },
    /// DeleteRequest: delete the item with this key.
    Delete {
        /// The primary key (exactly the table's key attributes).
        key: Item,
    },
}

/// A BatchWriteItem request: up to 25 puts and deletes, by table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchWriteItemRequest {
    /// Table name to its writes.
    pub request_items: BTreeMap<String, Vec<WriteRequest>>,
}

/// What a BatchWriteItem did not write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchWriteItemOutput {
    /// Writes a busy shard did not take: send them again.
    pub unprocessed_items: BTreeMap<String, Vec<WriteRequest>>,
}

const DUPLICATE_KEYS_MESSAGE: &str = "Provided list of item keys contains duplicates";

fn empty_request_items() -> Error {
    Error::validation(
        "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: \
         Member must have length greater than or equal to 1",
    )
}

/// One shard's part of a BatchWriteItem: its batch, and the requests in it
/// (table, request) for `UnprocessedItems`.
type ShardWrites<'a> = (WriteBatch, Vec<(&'a str, &'a WriteRequest)>);

/// One key to read, where it came from and where it goes.
struct PlannedGet {
    table: String,
    /// The request's key, for `UnprocessedKeys`.
    key: Item,
    encoded: Vec<u8>,
    mode: ReadMode,
}

impl Db {
    /// DynamoDB's BatchGetItem.
    ///
    /// # Errors
    /// `Validation` (DynamoDB's messages: more than 100 keys, duplicate
    /// keys, keys not matching a schema, invalid projections), a missing
    /// table (`TableNotFound`), read errors other than a busy shard.
    pub fn batch_get_item(&self, request: &BatchGetItemRequest) -> Result<BatchGetItemOutput> {
        if request.request_items.is_empty() {
            return Err(empty_request_items());
        }
        let key_count: usize = request.request_items.values().map(|t| t.keys.len()).sum();
        if key_count > limits::BATCH_GET_KEY_COUNT_MAX {
            return Err(Error::validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }
        let mut projections: BTreeMap<&str, Option<Projection>> = BTreeMap::new();
        let mut per_shard: BTreeMap<ShardId, Vec<PlannedGet>> = BTreeMap::new();
        for (table, wanted) in &request.request_items {
            validate_table_name(table)?;
            if wanted.keys.is_empty() {
                return Err(Error::validation(format!(
                    "1 validation error detected: Value '[]' at 'requestItems.{table}.member.keys' \
                     failed to satisfy constraint: Member must have length greater than or equal to 1"
                )));
            }
            check_placeholders_have_expressions(
                wanted.expression_attribute_names.as_ref(),
                None,
                &[(
                    "ProjectionExpression",
                    wanted.projection_expression.is_some(),
                    false,
                )],
            )?;
            let mut context =
                ExpressionContext::new(wanted.expression_attribute_names.as_ref(), None)?;
            let projection = match &wanted.projection_expression {
                Some(text) => Some(context.parse_projection(text)?),
                None => None,
            };
            context.finish()?;
            projections.insert(table, projection);
            self.with_table(table, |description| {
                let mut seen = BTreeSet::new();
                for key in &wanted.keys {
                    let primary_key = description.schema.key_from_attributes(key)?;
                    let (encoded, prefix_len) = encode_key_split(description.id, &primary_key);
                    if !seen.insert(encoded.clone()) {
                        return Err(Error::validation(DUPLICATE_KEYS_MESSAGE));
                    }
                    let shard = self.inner.mesh.router().shard_for(&encoded[..prefix_len]);
                    per_shard.entry(shard).or_default().push(PlannedGet {
                        table: table.clone(),
                        key: key.clone(),
                        encoded,
                        mode: ReadMode::from_consistent(wanted.consistent_read),
                    });
                }
                Ok(())
            })?;
        }

        let mut output = BatchGetItemOutput::default();
        let mut response_bytes = 0usize;
        for (shard, gets) in per_shard {
            let unprocessed = |output: &mut BatchGetItemOutput, get: PlannedGet| {
                let wanted = &request.request_items[&get.table];
                output
                    .unprocessed_keys
                    .entry(get.table)
                    .or_insert_with(|| KeysAndAttributes {
                        keys: Vec::new(),
                        projection_expression: wanted.projection_expression.clone(),
                        expression_attribute_names: wanted.expression_attribute_names.clone(),
                        consistent_read: wanted.consistent_read,
                    })
                    .keys
                    .push(get.key);
            };
            if response_bytes > limits::BATCH_GET_RESPONSE_BYTES_MAX {
                gets.into_iter()
                    .for_each(|get| unprocessed(&mut output, get));
                continue;
            }
            let encoded: Vec<(Vec<u8>, ReadMode)> =
                gets.iter().map(|g| (g.encoded.clone(), g.mode)).collect();
            let values = match self.inner.shards[shard.0 as usize].get_many(&encoded) {
                Ok(values) => values,
                Err(e) if e.is_retryable() => {
                    gets.into_iter()
                        .for_each(|get| unprocessed(&mut output, get));
                    continue;
                }
                Err(e) => return Err(e),
            };
            for (get, value) in gets.into_iter().zip(values) {
                if response_bytes > limits::BATCH_GET_RESPONSE_BYTES_MAX {
                    unprocessed(&mut output, get);
                    continue;
                }
                let found = output.responses.entry(get.table.clone()).or_default();
                if let Some(value) = value {
                    let item = decode_stored(&value, shard)?;
                    response_bytes += crate::model::item_size_bytes(&item);
                    found.push(match &projections[get.table.as_str()] {
                        Some(projection) => projection.apply(&item),
                        None => item,
                    });
                }
            }
        }
        Ok(output)
    }

    /// DynamoDB's BatchWriteItem.
    ///
    /// # Errors
    /// `Validation` (DynamoDB's messages: more than 25 writes, two writes
    /// of one key, invalid items or keys), a missing table
    /// (`TableNotFound`), write errors other than a busy shard.
    pub fn batch_write_item(
        &self,
        request: &BatchWriteItemRequest,
    ) -> Result<BatchWriteItemOutput> {
        if request.request_items.is_empty() {
            return Err(empty_request_items());
        }
        let write_count: usize = request.request_items.values().map(Vec::len).sum();
        if write_count > limits::BATCH_WRITE_REQUEST_COUNT_MAX {
            return Err(Error::validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }
        let mut per_shard: BTreeMap<ShardId, ShardWrites<'_>> = BTreeMap::new();
        for (table, writes) in &request.request_items {
            validate_table_name(table)?;
            if writes.is_empty() {
                return Err(Error::validation(format!(
                    "1 validation error detected: Value '[]' at 'requestItems.{table}.member' \
                     failed to satisfy constraint: Member must have length greater than or equal to 1"
                )));
            }
            self.with_table(table, |description| {
                let mut seen = BTreeSet::new();
                for write in writes {
                    let (prefix_len, encoded, value) = match write {
                        WriteRequest::Put { item } => {
                            let (p, k, v) = Self::encode_put(description, item)?;
                            (p, k, Some(v))
                        }
                        WriteRequest::Delete { key } => {
                            let primary_key = description.schema.key_from_attributes(key)?;
                            let (k, p) = encode_key_split(description.id, &primary_key);
                            (p, k, None)
                        }
                    };
                    if !seen.insert(encoded.clone()) {
                        return Err(Error::validation(DUPLICATE_KEYS_MESSAGE));
                    }
                    let shard = self.inner.mesh.router().shard_for(&encoded[..prefix_len]);
                    let (batch, requests) = per_shard.entry(shard).or_default();
                    match value {
                        Some(value) => batch.put(&encoded, &value),
                        None => batch.delete(&encoded),
                    }
                    requests.push((table.as_str(), write));
                }
                Ok(())
            })?;
        }
        let (batches, requests): (Vec<_>, Vec<_>) = per_shard
            .into_iter()
            .map(|(shard, (batch, requests))| ((shard, batch), requests))
            .unzip();
        let replies = self.write_per_shard(batches).into_iter().zip(requests);
        let mut output = BatchWriteItemOutput::default();
        let mut failure = None;
        for (written, requests) in replies {
            match written {
                Ok(()) => {}
                Err(e) if e.is_retryable() => {
                    for (table, write) in requests {
                        output
                            .unprocessed_items
                            .entry(table.to_owned())
                            .or_default()
                            .push(write.clone());
                    }
                }
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(output),
        }
    }

    /// Writes one batch on each of several shards; returns each outcome, in
    /// order. The batches are started on every shard but the last through
    /// its queue, and the last is written on this thread (the embedded
    /// handle's fastest path), so the shards' group commits overlap and a
    /// one-shard batch costs no hand-off.
    fn write_per_shard(&self, batches: Vec<(ShardId, WriteBatch)>) -> Vec<Result<()>> {
        let mut batches = batches;
        let last = batches.pop();
        let started: Vec<_> = batches
            .into_iter()
            .map(|(shard, batch)| self.inner.shards[shard.0 as usize].write_async(batch))
            .collect();
        let last = last.map(|(shard, batch)| self.inner.shards[shard.0 as usize].write(batch));
        started
            .into_iter()
            .map(|reply| reply.wait(0))
            .chain(last)
            .collect()
    }

    /// Writes puts and deletes to one table, split into one atomic batch per
    /// shard. Each shard's part is atomic; the whole is not (as DynamoDB's
    /// BatchWriteItem). Every write is validated before any is made. Unlike
    /// [`Db::batch_write_item`] there is no 25-write limit.
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
        self.write_per_shard(per_shard.into_iter().collect())
            .into_iter()
            .find(Result::is_err)
            .unwrap_or(Ok(()))
    }

    /// The items of one table with these keys (absent ones as `None`), in
    /// the order asked. Unlike [`Db::batch_get_item`] there is no 100-key
    /// limit.
    pub fn batch_get(&self, table: &str, keys: &[PrimaryKey]) -> Result<Vec<Option<Item>>> {
        // Per shard: the keys' positions in `keys`, and the keys to read.
        type ShardGets = (Vec<usize>, Vec<(Vec<u8>, ReadMode)>);
        let mut per_shard: BTreeMap<ShardId, ShardGets> = BTreeMap::new();
        self.with_table(table, |description| {
            for (index, key) in keys.iter().enumerate() {
                let (prefix_len, key) = Self::encode_delete(description, key)?;
                let shard = self.inner.mesh.router().shard_for(&key[..prefix_len]);
                let entry = per_shard.entry(shard).or_default();
                entry.0.push(index);
                entry.1.push((key, ReadMode::Eventual));
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
}
