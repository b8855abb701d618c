//! Query and Scan over a [`Db`]: their options and [`Page`], the key ranges
//! they read from one shard (Query) or every shard (Scan), and the merge of
//! shards' chunks into one page in key order.

use std::ops::Bound;

use crate::coding::key::{
    encode_key, encode_key_value_into, encode_partition_prefix, encode_table_prefix,
    prefix_successor,
};
use crate::ids::ShardId;
use crate::model::{Item, KeyValue, PrimaryKey, TableSchema};
use crate::shard::{ScanChunk, ScanRange};
use crate::{Error, Result, limits};

use super::{Db, decode_stored};

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

/// The smallest byte string greater than `key`.
fn successor(key: &[u8]) -> Vec<u8> {
    let mut next = Vec::with_capacity(key.len() + 1);
    next.extend_from_slice(key);
    next.push(0);
    next
}

const LIMIT_ZERO: &str = "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1";

impl Db {
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
}
