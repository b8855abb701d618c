//! Sorted string tables: the immutable, sorted files the LSM flushes
//! memtables into and compacts.
//!
//! A table is written once, front to back, by [`SsTableBuilder`] (owned by
//! the flushing or compacting thread), synced, and never modified; it is then
//! read through [`SsTable`], which is immutable, `Send + Sync` and shared as
//! `Arc<SsTable>` by its shard and that shard's iterators.
//!
//! Layout (byte by byte in `docs/format/sstable.md`):
//! ```text
//! [data block 0][trailer] … [data block n-1][trailer]
//! [filter block][trailer] [properties block][trailer] [index block][trailer]
//! [footer: 64 bytes]
//! ```
//! - data blocks: prefix-compressed internal keys and values with a restart
//!   point every 16 entries ([`block_builder`], [`block`]);
//! - filter: one bloom filter over the table's user keys ([`bloom`]);
//! - properties: counts and the key range ([`properties`]);
//! - index: one entry per data block, key = a separator, value = the block's
//!   handle ([`index`]);
//! - footer: the three handles, the format version, a checksum and the magic
//!   ([`format`]).
//!
//! Invariants the reader relies on and checks: every block carries a
//! checksum over its contents and compression tag; the footer carries a
//! checksum and the magic; the blocks tile the file with no gap, so every
//! byte is covered by some checksum, verified before the byte is used. Bad
//! bytes produce [`crate::Error::Corruption`] with the path and offset, never
//! a panic and never wrong data.

mod block;
mod block_builder;
pub mod bloom;
mod builder;
pub mod format;
mod index;
mod properties;
mod reader;

#[cfg(test)]
mod tests;

pub use builder::{SsTableBuilder, SsTableInfo, SsTableOptions};
pub use properties::TableProperties;
pub use reader::{SsTable, SsTableIterator};
