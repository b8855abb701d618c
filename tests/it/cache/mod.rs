//! The item and query caches (issue 8): exact, written through on every
//! write path, and visible in the statistics.
//!
//! - **Model** (the acceptance test): random interleavings of every
//!   kind of write and of reads in both consistency modes, over a handful of
//!   hot keys, against a `BTreeMap`, on databases whose caches range from
//!   none, through smaller than one entry, to megabytes, with either policy,
//!   per-table settings changed mid-run and TTLs passed on a manual clock.
//!   Every read must equal the model *exactly*; after every step the budgets
//!   must hold and the per-table accounting must add up to the shard's.
//! - **Concurrency**: under group commit (the shard's lock is let go during
//!   each `fdatasync`) no read, eventual or strong, is older than the last
//!   write acknowledged before it started, nor newer than any write issued.
//! - **Write-through**, one test per write path: a cached entry (and a
//!   cached page) read after the write serves the new state *from the
//!   cache*, so each test fails if that path skipped the write-through.
//! - **Visibility**: hits, misses, negative hits, evictions, expirations and
//!   bytes show up per table and per shard; strong reads count nothing.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use dynacore::io::{ManualClock, MemFs};
use dynacore::{
    AttributeValue, BatchGetItemRequest, BatchWrite, BatchWriteItemRequest, CacheAdmission,
    CacheCounters, CacheOptions, CachePolicy, Db, DbStats, DeleteItemRequest, Durability, Error,
    GetItemRequest, Handoff, Item, KeyValue, KeysAndAttributes, Number, PrimaryKey, PutItemRequest,
    QueryRequest, ReturnValues, ReturnValuesOnConditionCheckFailure, ScanRequest,
    TableCacheOptions, TableCacheStats, UpdateItemRequest, WriteOutput, WriteRequest,
};
use dynacore_tests::{
    Rng, block_on, for_each_seed, key, query_all, scan_all, string_number_schema, string_schema,
    tempdir, values,
};

mod concurrent;
mod model;
mod visibility;
mod write_through;

// ----- shared helpers -------------------------------------------------------

/// The table with a string partition key `pk` and a number sort key `sk`.
const T1: &str = "one";
/// The table with only a string partition key `pk`.
const T2: &str = "two";

/// A key of the model: table, partition key, sort key (`T1` only).
type ModelKey = (&'static str, String, Option<u64>);
type Model = BTreeMap<ModelKey, Item>;

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(Number::from(value))
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// Just the key attributes of `k` (what GetItem and friends take).
fn key_attributes(k: &ModelKey) -> Item {
    let mut item = Item::new();
    item.insert("pk".into(), s(&k.1));
    if let Some(sk) = k.2 {
        item.insert("sk".into(), n(sk));
    }
    item
}

fn primary_key(k: &ModelKey) -> PrimaryKey {
    key(&k.1, k.2.map(Number::from).as_ref())
}

/// An item at `k` with string attribute `v` and, optionally, number `n`.
fn model_item(k: &ModelKey, v: &str, counter: Option<u64>) -> Item {
    let mut item = key_attributes(k);
    item.insert("v".into(), s(v));
    if let Some(counter) = counter {
        item.insert("n".into(), n(counter));
    }
    item
}

/// The model key of an item read back from `table`.
fn model_key_of(table: &'static str, item: &Item) -> ModelKey {
    let pk = match item.get("pk") {
        Some(AttributeValue::S(pk)) => pk.clone(),
        other => panic!("pk is {other:?}"),
    };
    let sk = item.get("sk").map(|sk| match sk {
        AttributeValue::N(sk) => sk.to_u64().expect("whole sort keys"),
        other => panic!("sk is {other:?}"),
    });
    (table, pk, sk)
}

fn number_attribute(item: &Item, name: &str) -> Option<u64> {
    match item.get(name)? {
        AttributeValue::N(value) => Some(value.to_u64().expect("whole numbers")),
        other => panic!("{name} is {other:?}"),
    }
}

/// The caches' counters of table `table`, over all shards (zero if the
/// caches have not seen it).
fn table_counters(db: &Db, table: &str) -> CacheCounters {
    table_stats(db, table).counters
}

fn table_stats(db: &Db, table: &str) -> TableCacheStats {
    db.cache_stats_by_table(&db.stats())
        .remove(table)
        .unwrap_or_default()
}

/// The budget and accounting invariants of every shard's caches: no cache
/// above its budget (each shard's share of the database's), and the
/// per-table bytes, entries and counters adding up to the shard's.
fn check_cache_invariants(stats: &DbStats, options: &CacheOptions, context: &str) {
    let shard_count = stats.shards.len();
    for shard in &stats.shards {
        let cache = &shard.cache;
        let at = || format!("{context}, shard {:?}: {cache:?}", shard.shard);
        assert!(cache.item_bytes_used <= cache.item_budget_bytes, "{}", at());
        assert!(
            cache.query_bytes_used <= cache.query_budget_bytes,
            "{}",
            at()
        );
        // Tables' own budgets are carved out of the database's, never added.
        assert!(
            cache.item_budget_bytes <= options.item_cache_bytes / shard_count,
            "{}",
            at()
        );
        assert_eq!(
            cache.query_budget_bytes,
            options.query_cache_bytes / shard_count,
            "{}",
            at()
        );
        let sum = |field: fn(&TableCacheStats) -> usize| -> usize {
            cache.tables.iter().map(field).sum()
        };
        assert_eq!(
            sum(|t| t.item_bytes_used),
            cache.item_bytes_used,
            "{}",
            at()
        );
        assert_eq!(sum(|t| t.item_entries), cache.item_entries, "{}", at());
        assert_eq!(
            sum(|t| t.query_bytes_used),
            cache.query_bytes_used,
            "{}",
            at()
        );
        assert_eq!(sum(|t| t.query_entries), cache.query_entries, "{}", at());
        // The shard's counters include deleted tables' (they never go
        // down), so the live tables' add up to at most them, field by field.
        let mut counters = CacheCounters::default();
        for table in &cache.tables {
            counters.add(&table.counters);
        }
        let (live, total) = (&counters, &cache.counters);
        let fields = [
            (live.hits, total.hits),
            (live.negative_hits, total.negative_hits),
            (live.misses, total.misses),
            (live.fills, total.fills),
            (live.not_admitted, total.not_admitted),
            (live.write_throughs, total.write_throughs),
            (live.evictions, total.evictions),
            (live.expirations, total.expirations),
            (live.query_hits, total.query_hits),
            (live.query_misses, total.query_misses),
            (live.query_stale, total.query_stale),
            (live.query_expirations, total.query_expirations),
            (live.query_evictions, total.query_evictions),
            (live.query_not_admitted, total.query_not_admitted),
        ];
        assert!(
            fields.iter().all(|(live, total)| live <= total),
            "{live:?} > {total:?}: {}",
            at()
        );
        if cache.item_entries == 0 {
            assert_eq!(cache.item_bytes_used, 0, "{}", at());
        }
    }
}

/// Runs `task` on the shard owning `k` and waits for its result.
fn on_owner<R: Send + 'static>(
    db: &Db,
    k: &ModelKey,
    task: impl FnOnce(&mut dynacore::ShardLocal<'_>, &dynacore::TableDescription) -> R + Send + 'static,
) -> R {
    let table = db.describe_table(k.0).unwrap();
    let shard = db.shard_of(k.0, &KeyValue::S(k.1.clone())).unwrap();
    db.run_on_shard(shard, move |local| task(local, &table))
        .wait(0)
        .expect("the task ran")
}
