//! Counting one table's items on one shard: DescribeTable's `ItemCount` and
//! `TableSizeBytes`, computed exactly by reading the table.
//!
//! Cost: this reads (and decodes) every live item of the table on this
//! shard — the whole key range of its id prefix, through the memtables and
//! every level — so it is O(items of the table on the shard) in time and
//! I/O, and O(one chunk) in memory. It is not for a hot path: DynamoDB
//! itself refreshes these numbers only every few hours. The read runs in
//! chunks of [`limits::TABLE_STATS_CHUNK_ENTRIES`] entries, each under one
//! hold of the shard's lock, so writers get in between chunks. The result
//! is therefore not a snapshot: an item written or deleted during the count
//! may be counted or not, but every item that exists throughout is counted
//! exactly once (chunks resume strictly after the last key counted).
//!
//! Sizes are DynamoDB's item sizes ([`crate::model::item_size_bytes`]:
//! attribute names plus values) of the decoded items, summed.

use crate::coding::item::decode_item;
use crate::coding::key::{encode_table_prefix, prefix_successor};
use crate::ids::TableId;
use crate::model::item_size_bytes;
use crate::{Error, Result, limits};

use super::Shard;

/// One table's items on one shard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TableItemStats {
    /// Live items.
    pub item_count: u64,
    /// Sum of the items' DynamoDB sizes, in bytes.
    pub size_bytes: u64,
}

impl Shard {
    /// Counts table `table`'s live items on this shard and sums their sizes;
    /// see the module docs for the cost.
    ///
    /// # Errors
    /// A read error, or [`Error::Corruption`] if a stored item does not decode.
    pub(crate) fn table_item_stats(&self, table: TableId) -> Result<TableItemStats> {
        let prefix = encode_table_prefix(table);
        let end = prefix_successor(&prefix);
        let mut start = prefix;
        let mut stats = TableItemStats::default();
        loop {
            let mut chunk_entries = 0usize;
            let mut more = false;
            let mut last_key = Vec::new();
            {
                let core = self.lock();
                let dir = core.lsm.options().dir.clone();
                core.lsm.scan(&start, end.as_deref(), &mut |key, value| {
                    if chunk_entries == limits::TABLE_STATS_CHUNK_ENTRIES {
                        more = true;
                        return Ok(false);
                    }
                    let item = decode_item(value).map_err(|e| {
                        Error::corruption(&dir, 0, format!("stored item does not decode: {e}"))
                    })?;
                    stats.item_count += 1;
                    stats.size_bytes += item_size_bytes(&item) as u64;
                    chunk_entries += 1;
                    last_key.clear();
                    last_key.extend_from_slice(key);
                    Ok(true)
                })?;
            }
            if !more {
                return Ok(stats);
            }
            // Resume just after the last key counted: the smallest key
            // greater than it is the key followed by a zero byte.
            last_key.push(0);
            start = last_key;
        }
    }
}
