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
//! | pure data | [`model`] (items, numbers, schemas), [`coding`] (key, item and integer encodings), [`cache`] (byte-budgeted LRU and S3-FIFO, for the item cache) |
//! | I/O seam | [`io`] (the only code touching files or the clock) |
//! | on-disk structures | [`wal`], [`memtable`], [`sstable`], [`manifest`] |
//! | tree | [`iter`], [`compaction`], [`lsm`] (one shard's LSM, single-threaded) |
//! | thread-per-core | [`shard`] (shards, routing, shard threads, group commit, reply slots) |
//! | API | [`Db`] (the embedded database over all shards) |
//!
//! Start with `docs/architecture.md` for the design, `docs/format/` for every
//! byte on disk.

#![cfg_attr(loom, allow(dead_code, unused_imports))]

pub mod cache;
pub mod catalog;
pub mod coding;
pub mod compaction;
#[cfg(not(loom))]
mod engine;
pub mod error;
pub mod expr;
pub mod filenames;
pub mod ids;
pub mod io;
pub mod iter;
pub mod limits;
pub mod lsm;
pub mod manifest;
pub mod memtable;
pub mod model;
pub mod shard;
pub mod sstable;
mod sync;
#[cfg(test)]
pub(crate) mod testing;
pub mod wal;

pub use cache::Admission as CacheAdmission;
pub use cache::Policy as CachePolicy;
pub use cache::options::{CacheOptions, TableCacheOptions};
pub use cache::shard::{CacheCounters, ShardCacheStats, TableCacheStats};
pub use catalog::{
    AttributeDefinition, BillingMode, KeyRole, KeySchemaElement, ProvisionedThroughputDescription,
    TableDescription, TableStatus,
};
#[cfg(not(loom))]
pub use engine::{
    BatchGetItemOutput, BatchGetItemRequest, BatchWrite, BatchWriteItemOutput,
    BatchWriteItemRequest, CreateTableRequest, Db, DbBuilder, DeleteItemRequest,
    DescribeTableOutput, GetItemRequest, KeysAndAttributes, ListTablesOutput, ListTablesRequest,
    Page, ProvisionedThroughput, PutItemRequest, QueryRequest, ReturnValues,
    ReturnValuesOnConditionCheckFailure, ScanRequest, Select, UpdateItemRequest,
    UpdateTableRequest, WriteOutput, WriteRequest, shard_dir,
};
pub use error::{Error, Result};
pub use ids::ShardId;
pub use lsm::{Durability, LsmStats};
pub use model::{
    AttributeValue, Item, KeyAttribute, KeyType, KeyValue, Number, PrimaryKey, TableSchema,
};
pub use shard::{DbStats, Handoff, ReplyFuture, ShardLocal, ShardStats};
