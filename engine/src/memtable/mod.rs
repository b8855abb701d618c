//! The memtable: a shard's newest writes, in memory, sorted by internal key.
//!
//! A hand-written skiplist over one byte arena. Owned by one shard thread and
//! never shared while mutable, so it has no locks and no atomics; once full it
//! is frozen (wrapped in an `Arc`, never mutated again) and flushed to an L0
//! SSTable in bounded slices.
//!
//! Layout: every entry's internal key and value are appended to `arena`;
//! nodes live in `nodes` and their forward pointers ("towers") in `towers`,
//! all addressed by `u32` indices instead of pointers, so growing a vector
//! never invalidates anything and the structure needs no `unsafe`.
//! Node 0 is the head sentinel; index 0 in a tower means "end of list".
//!
//! Invariants:
//! - at every level, following `next` visits nodes in strictly increasing
//!   [`internal_key::compare`] order;
//! - a node of height h appears in levels 0..h;
//! - `size_bytes()` counts arena bytes plus node and tower overhead, and is
//!   what the flush trigger compares to the memtable budget.

mod skiplist;

pub use skiplist::{MemTable, MemTableIterator, OwnedMemTableIterator};
