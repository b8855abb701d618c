//! [`ShardRouter`]: which shard owns an item.
//!
//! An item's shard is decided by its table and partition key only, so all
//! items of one partition live on one shard, in sort-key order: GetItem,
//! PutItem and Query touch one shard.
//!
//! ```text
//! partition prefix = encode_partition_prefix(table id, partition key)   (docs/format/keys.md)
//! virtual partition = xxh3_64(partition prefix) mod VIRTUAL_PARTITION_COUNT
//! shard             = table[virtual partition]        (today: virtual partition mod shard count)
//! ```
//!
//! The hash and the virtual-partition count are part of the on-disk format:
//! changing either would send existing keys to shards that do not hold them.
//! The table of virtual partitions is what lets a later resharding move whole
//! virtual partitions between shards without rehashing keys.

use xxhash_rust::xxh3::xxh3_64;

use crate::ids::ShardId;
use crate::limits::VIRTUAL_PARTITION_COUNT;

/// Maps partition prefixes to shards through a fixed table of virtual partitions.
#[derive(Debug, Clone)]
pub struct ShardRouter {
    /// Owner of each virtual partition.
    owners: Vec<ShardId>,
    shard_count: usize,
}

impl ShardRouter {
    /// The router for `shard_count` shards.
    ///
    /// # Panics
    /// If `shard_count` is 0 or more than the number of virtual partitions
    /// (the builder checks both before this is reached).
    pub fn new(shard_count: usize) -> Self {
        assert!(
            (1..=VIRTUAL_PARTITION_COUNT).contains(&shard_count),
            "shard count {shard_count} out of range"
        );
        ShardRouter {
            owners: (0..VIRTUAL_PARTITION_COUNT)
                .map(|v| ShardId((v % shard_count) as u16))
                .collect(),
            shard_count,
        }
    }

    /// How many shards there are.
    pub fn shard_count(&self) -> usize {
        self.shard_count
    }

    /// The virtual partition of a partition prefix.
    pub fn virtual_partition(partition_prefix: &[u8]) -> usize {
        (xxh3_64(partition_prefix) % VIRTUAL_PARTITION_COUNT as u64) as usize
    }

    /// The shard owning virtual partition `virtual_partition` (less than
    /// [`VIRTUAL_PARTITION_COUNT`]).
    pub fn owner_of(&self, virtual_partition: usize) -> ShardId {
        self.owners[virtual_partition]
    }

    /// The shard owning the partition with this prefix
    /// (`coding::key::encode_partition_prefix`).
    pub fn shard_for(&self, partition_prefix: &[u8]) -> ShardId {
        self.owners[Self::virtual_partition(partition_prefix)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::key::encode_partition_prefix;
    use crate::ids::TableId;
    use crate::model::KeyValue;

    #[test]
    fn one_shard_owns_everything() {
        let router = ShardRouter::new(1);
        for i in 0..100 {
            let prefix = encode_partition_prefix(TableId(1), &KeyValue::S(format!("k{i}")));
            assert_eq!(router.shard_for(&prefix), ShardId(0));
        }
    }

    #[test]
    fn keys_spread_evenly_over_shards() {
        let router = ShardRouter::new(2);
        let mut counts = [0u32; 2];
        for i in 0..10_000 {
            let prefix = encode_partition_prefix(TableId(3), &KeyValue::S(format!("user{i}")));
            counts[router.shard_for(&prefix).0 as usize] += 1;
        }
        // Each shard gets 50% ± 3% of 10,000 keys (a binomial's 6 sigma is ±3%).
        for count in counts {
            assert!(
                (4_700..=5_300).contains(&count),
                "uneven spread: {counts:?}"
            );
        }
    }

    #[test]
    fn routing_is_stable_across_releases() {
        // The shard of a key is part of the on-disk format: if these change,
        // existing databases would look for keys on the wrong shard.
        let vp = |table: u32, key: &str| {
            ShardRouter::virtual_partition(&encode_partition_prefix(
                TableId(table),
                &KeyValue::S(key.into()),
            ))
        };
        assert_eq!(
            [vp(1, "user1"), vp(1, "user2"), vp(2, "user1")],
            [1411, 635, 1560]
        );
        assert_eq!(VIRTUAL_PARTITION_COUNT, 4096);
    }
}
