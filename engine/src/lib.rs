//! # dynacore
//!
//! A DynamoDB-style storage engine: DynamoDB's item model and key order on
//! a hand-written LSM tree (WAL, memtable, SSTables with bloom filters,
//! leveled compaction), embedded as a library.
//!
//! Layers, lowest first (dependencies point down only):
//!
//! | layer | modules |
//! | --- | --- |
//! | pure data | [`model`] (items, numbers, schemas), [`coding`] (key, item and integer encodings) |
//! | I/O seam | [`io`] (the only code touching files or the clock) |
//! | on-disk structures | [`wal`], [`memtable`], [`sstable`], [`manifest`] |
//! | tree | [`iter`], [`compaction`], [`lsm`] (one shard's LSM, single-threaded) |
//! | API | [`Db`] (the embedded database) |
//!
//! Start with `docs/architecture.md` for the design, `docs/format/` for every
//! byte on disk.

pub mod catalog;
pub mod coding;
pub mod compaction;
mod engine;
pub mod error;
pub mod filenames;
pub mod ids;
pub mod io;
pub mod iter;
pub mod limits;
pub mod lsm;
pub mod manifest;
pub mod memtable;
pub mod model;
pub mod sstable;
#[cfg(test)]
pub(crate) mod testing;
pub mod wal;

pub use catalog::TableDescription;
pub use engine::{Db, DbBuilder, Page, QueryOptions, ScanOptions};
pub use error::{Error, Result};
pub use lsm::{Durability, LsmStats};
pub use model::{
    AttributeValue, Item, KeyAttribute, KeyType, KeyValue, Number, PrimaryKey, TableSchema,
};
