//! Identifier newtypes, so that a file number can never be passed where a
//! sequence number is expected.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A write's position in a shard's history. Every write gets a larger one
    /// than the write before it; the newest version of a key wins.
    SeqNo(u64)
);
id_type!(
    /// The number in a file's name (`000012.sst`, `000013.wal`). Allocated
    /// from one counter per shard, never reused.
    FileNumber(u64)
);
id_type!(
    /// A table's internal id: the first component of every key stored for it.
    /// Allocated from a counter and never reused, so a deleted table's
    /// leftover entries can never be mistaken for a new table's.
    TableId(u32)
);

id_type!(
    /// One shard: the per-core unit that owns an LSM, its WAL and manifest.
    /// Shard `n` keeps its files in `shard-NNN/` under the database directory.
    ShardId(u16)
);

impl SeqNo {
    /// The largest sequence number that can be assigned (56 bits: the
    /// internal key packs it with an 8-bit kind).
    pub const MAX: SeqNo = SeqNo((1 << 56) - 1);

    /// The next sequence number.
    pub fn next(self) -> SeqNo {
        SeqNo(self.0 + 1)
    }
}
