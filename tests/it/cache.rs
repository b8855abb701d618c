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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use dynacore::io::{IoBackend, ManualClock, MemFs};
use dynacore::{
    AttributeValue, BatchGetItemRequest, BatchWrite, BatchWriteItemRequest, CacheCounters,
    CacheOptions, CachePolicy, Db, DbStats, DeleteItemRequest, Durability, Error, GetItemRequest,
    Handoff, Item, KeyValue, KeysAndAttributes, Number, PrimaryKey, PutItemRequest, QueryRequest,
    ReturnValues, ReturnValuesOnConditionCheckFailure, ScanRequest, TableCacheOptions,
    TableCacheStats, UpdateItemRequest, WriteOutput, WriteRequest,
};
use dynacore_tests::{
    Rng, block_on, for_each_seed, key, query_all, scan_all, string_number_schema, string_schema,
    tempdir, values,
};

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
        let mut counters = CacheCounters::default();
        for table in &cache.tables {
            counters.add(&table.counters);
        }
        assert_eq!(counters, cache.counters, "{}", at());
        if cache.item_entries == 0 {
            assert_eq!(cache.item_bytes_used, 0, "{}", at());
        }
    }
}

// ----- 1. the model ---------------------------------------------------------

const PARTITIONS: u64 = 3;
const SORT_KEYS: u64 = 4;
const T2_KEYS: u64 = 5;

/// How one seed's database is set up.
#[derive(Debug, Clone)]
struct Setup {
    shard_count: usize,
    handoff: Handoff,
    durability: Durability,
    memtable_bytes: usize,
    cache: CacheOptions,
}

fn random_ttl(rng: &mut Rng) -> Option<Duration> {
    if rng.chance(30) {
        None
    } else {
        Some(Duration::from_secs(1 + rng.below(600)))
    }
}

impl Setup {
    fn random(rng: &mut Rng) -> Setup {
        // From none, through smaller than one entry (an item entry here is
        // charged about 150-250 bytes, a page about 120 a item) and a few
        // entries, to everything.
        const ITEM_BUDGETS: [usize; 6] = [0, 120, 500, 3_000, 12_000, 8 << 20];
        const QUERY_BUDGETS: [usize; 6] = [0, 150, 700, 4_000, 30_000, 8 << 20];
        let item_cache_bytes = ITEM_BUDGETS[rng.below(6) as usize];
        let query_cache_bytes = QUERY_BUDGETS[rng.below(6) as usize];
        Setup {
            shard_count: 1 + rng.below(3) as usize,
            handoff: if rng.chance(25) {
                Handoff::ShardThread {
                    spin_iterations: rng.below(1000) as u32,
                }
            } else {
                Handoff::CallerRuns
            },
            durability: if rng.chance(50) {
                Durability::Sync
            } else {
                Durability::None
            },
            memtable_bytes: 4 * 1024 + rng.below(8 * 1024) as usize,
            cache: CacheOptions {
                item_cache_bytes,
                query_cache_bytes,
                policy: if rng.chance(50) {
                    CachePolicy::Lru
                } else {
                    CachePolicy::S3Fifo
                },
                item_ttl: random_ttl(rng),
                query_ttl: random_ttl(rng),
            },
        }
    }
}

fn open_model_db(setup: &Setup, clock: &ManualClock) -> Db {
    Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .clock(Arc::new(clock.clone()))
        .shard_count(setup.shard_count)
        .handoff(setup.handoff)
        .durability(setup.durability)
        .memtable_size_bytes_max(setup.memtable_bytes)
        .cache(setup.cache.clone())
        .open()
        .expect("open")
}

fn random_key(rng: &mut Rng) -> ModelKey {
    if rng.chance(65) {
        (
            T1,
            format!("p{}", rng.below(PARTITIONS)),
            Some(rng.below(SORT_KEYS)),
        )
    } else {
        (T2, format!("k{}", rng.below(T2_KEYS)), None)
    }
}

/// Up to `count` distinct random keys (of `table` only, if given).
fn random_keys(rng: &mut Rng, count: usize, table: Option<&str>) -> Vec<ModelKey> {
    let mut keys = BTreeSet::new();
    for _ in 0..count * 4 {
        if keys.len() == count {
            break;
        }
        let k = random_key(rng);
        if table.is_none_or(|t| t == k.0) {
            keys.insert(k);
        }
    }
    keys.into_iter().collect()
}

/// Mostly short values (so small budgets hold an entry or two), now and
/// then one larger than the small budgets altogether.
fn random_value(rng: &mut Rng) -> String {
    let length = if rng.chance(5) {
        300
    } else {
        1 + rng.below(40) as usize
    };
    rng.letters(length)
}

fn random_return_values(rng: &mut Rng) -> ReturnValues {
    if rng.chance(50) {
        ReturnValues::AllOld
    } else {
        ReturnValues::None
    }
}

/// What a write returned for `ReturnValues::AllOld`: the old item.
fn check_returned_old(out: &WriteOutput, asked: ReturnValues, old: Option<&Item>, context: &str) {
    let expected = match asked {
        ReturnValues::AllOld => old.cloned(),
        _ => None,
    };
    assert_eq!(out.attributes, expected, "returned old item, {context}");
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

/// One random write, applied to the engine and the model.
fn model_write(db: &Db, model: &mut Model, rng: &mut Rng, context: &str) {
    match rng.below(16) {
        // Put, three ways.
        0..=3 => {
            let k = random_key(rng);
            let v = random_value(rng);
            let it = model_item(&k, &v, rng.chance(50).then(|| rng.below(10)));
            match rng.below(3) {
                0 => db.put_item(k.0, &it).unwrap(),
                1 => {
                    let asked = random_return_values(rng);
                    let out = db
                        .put_item_with(&PutItemRequest {
                            table_name: k.0.into(),
                            item: it.clone(),
                            return_values: asked,
                            ..PutItemRequest::default()
                        })
                        .unwrap();
                    check_returned_old(&out, asked, model.get(&k), context);
                }
                _ => block_on(db.put_item_async(k.0, &it)).unwrap(),
            }
            model.insert(k, it);
        }
        // Delete, three ways.
        4..=5 => {
            let k = random_key(rng);
            match rng.below(3) {
                0 => db.delete_item(k.0, &primary_key(&k)).unwrap(),
                1 => {
                    let asked = random_return_values(rng);
                    let out = db
                        .delete_item_with(&DeleteItemRequest {
                            table_name: k.0.into(),
                            key: key_attributes(&k),
                            return_values: asked,
                            ..DeleteItemRequest::default()
                        })
                        .unwrap();
                    check_returned_old(&out, asked, model.get(&k), context);
                }
                _ => block_on(db.delete_item_async(k.0, &primary_key(&k))).unwrap(),
            }
            model.remove(&k);
        }
        // UpdateItem with SET and ADD (creating the item if absent).
        6..=8 => {
            let k = random_key(rng);
            let v = random_value(rng);
            let increment = 1 + rng.below(5);
            let asked = match rng.below(3) {
                0 => ReturnValues::None,
                1 => ReturnValues::AllOld,
                _ => ReturnValues::AllNew,
            };
            let request = UpdateItemRequest {
                table_name: k.0.into(),
                key: key_attributes(&k),
                update_expression: Some("SET v = :v ADD n :inc".into()),
                expression_attribute_values: Some(values(&[(":v", s(&v)), (":inc", n(increment))])),
                return_values: asked,
                ..UpdateItemRequest::default()
            };
            let out = if rng.chance(25) {
                block_on(db.update_item_async(&request)).unwrap()
            } else {
                db.update_item(&request).unwrap()
            };
            let old = model.get(&k).cloned();
            let mut new = old.clone().unwrap_or_else(|| key_attributes(&k));
            let counter = number_attribute(&new, "n").unwrap_or(0) + increment;
            new.insert("v".into(), s(&v));
            new.insert("n".into(), n(counter));
            let expected = match asked {
                ReturnValues::AllOld => old,
                ReturnValues::AllNew => Some(new.clone()),
                _ => None,
            };
            assert_eq!(
                out.attributes, expected,
                "update's returned item, {context}"
            );
            model.insert(k, new);
        }
        // Conditional writes, which sometimes fail.
        9..=10 => {
            let k = random_key(rng);
            let current = model.get(&k).cloned();
            let on_failure = if rng.chance(50) {
                ReturnValuesOnConditionCheckFailure::AllOld
            } else {
                ReturnValuesOnConditionCheckFailure::None
            };
            let (outcome, holds, new) = match rng.below(3) {
                0 => {
                    let it = model_item(&k, &random_value(rng), None);
                    let outcome = db.put_item_with(&PutItemRequest {
                        table_name: k.0.into(),
                        item: it.clone(),
                        condition_expression: Some("attribute_not_exists(pk)".into()),
                        return_values_on_condition_check_failure: on_failure,
                        ..PutItemRequest::default()
                    });
                    (outcome, current.is_none(), Some(it))
                }
                1 => {
                    // Guess the current value: right more often than not.
                    let current_v = current.as_ref().and_then(|c| c.get("v")).cloned();
                    let guess = match current_v {
                        Some(v) if rng.chance(60) => v,
                        _ => s(&random_value(rng)),
                    };
                    let it = model_item(&k, &random_value(rng), Some(rng.below(10)));
                    let outcome = db.put_item_with(&PutItemRequest {
                        table_name: k.0.into(),
                        item: it.clone(),
                        condition_expression: Some("v = :old".into()),
                        expression_attribute_values: Some(values(&[(":old", guess.clone())])),
                        return_values_on_condition_check_failure: on_failure,
                        ..PutItemRequest::default()
                    });
                    let holds = current.as_ref().and_then(|c| c.get("v")) == Some(&guess);
                    (outcome, holds, Some(it))
                }
                _ => {
                    let outcome = db.delete_item_with(&DeleteItemRequest {
                        table_name: k.0.into(),
                        key: key_attributes(&k),
                        condition_expression: Some("attribute_exists(n)".into()),
                        return_values_on_condition_check_failure: on_failure,
                        ..DeleteItemRequest::default()
                    });
                    let holds = current.as_ref().is_some_and(|c| c.contains_key("n"));
                    (outcome, holds, None)
                }
            };
            match outcome {
                Ok(_) => {
                    assert!(holds, "a write whose condition fails succeeded, {context}");
                    match new {
                        Some(it) => model.insert(k, it),
                        None => model.remove(&k),
                    };
                }
                Err(Error::ConditionalCheckFailed { item }) => {
                    assert!(!holds, "a write whose condition holds failed, {context}");
                    let expected = match on_failure {
                        ReturnValuesOnConditionCheckFailure::AllOld => current.map(Box::new),
                        ReturnValuesOnConditionCheckFailure::None => None,
                    };
                    assert_eq!(item, expected, "the failed condition's item, {context}");
                }
                Err(e) => panic!("conditional write: {e}, {context}"),
            }
        }
        // BatchWriteItem over both tables.
        11..=12 => {
            let count = 2 + rng.below(4) as usize;
            let mut request = BatchWriteItemRequest::default();
            for k in random_keys(rng, count, None) {
                let write = if rng.chance(70) {
                    let it = model_item(&k, &random_value(rng), None);
                    model.insert(k.clone(), it.clone());
                    WriteRequest::Put { item: it }
                } else {
                    model.remove(&k);
                    WriteRequest::Delete {
                        key: key_attributes(&k),
                    }
                };
                request
                    .request_items
                    .entry(k.0.to_owned())
                    .or_default()
                    .push(write);
            }
            let out = db.batch_write_item(&request).unwrap();
            assert!(out.unprocessed_items.is_empty(), "{context}");
        }
        // The embedder's batch_write on one table.
        13 => {
            let table = if rng.chance(50) { T1 } else { T2 };
            let count = 2 + rng.below(4) as usize;
            let mut writes = Vec::new();
            for k in random_keys(rng, count, Some(table)) {
                if rng.chance(70) {
                    let it = model_item(&k, &random_value(rng), Some(rng.below(10)));
                    model.insert(k, it.clone());
                    writes.push(BatchWrite::Put(it));
                } else {
                    writes.push(BatchWrite::Delete(primary_key(&k)));
                    model.remove(&k);
                }
            }
            db.batch_write(table, &writes).unwrap();
        }
        // A write by a task on the owning shard.
        _ => {
            let k = random_key(rng);
            if rng.chance(70) {
                let it = model_item(&k, &random_value(rng), None);
                let written = it.clone();
                on_owner(db, &k, move |local, table| local.put_item(table, &written))
                    .wait(0)
                    .unwrap();
                model.insert(k, it);
            } else {
                let pk = primary_key(&k);
                on_owner(db, &k, move |local, table| local.delete_item(table, &pk))
                    .wait(0)
                    .unwrap();
                model.remove(&k);
            }
        }
    }
}

/// One random point read (GetItem, BatchGetItem, `batch_get`, a task's
/// read), in a random consistency mode, checked against the model.
fn model_point_read(db: &Db, model: &Model, rng: &mut Rng, context: &str) {
    match rng.below(10) {
        0..=5 => {
            let k = random_key(rng);
            let consistent = rng.chance(40);
            // Read hot keys twice in a row now and then, so the second hits.
            let times = if rng.chance(30) { 2 } else { 1 };
            for _ in 0..times {
                let got = match rng.below(5) {
                    0 => db.get_item(k.0, &primary_key(&k)).unwrap(),
                    1 => block_on(db.get_item_async(k.0, &primary_key(&k))).unwrap(),
                    2 => {
                        let pk = primary_key(&k);
                        on_owner(db, &k, move |local, table| local.get_item(table, &pk)).unwrap()
                    }
                    _ => db
                        .get_item_with(&GetItemRequest {
                            table_name: k.0.into(),
                            key: key_attributes(&k),
                            consistent_read: consistent,
                            ..GetItemRequest::default()
                        })
                        .unwrap(),
                };
                assert_eq!(
                    got.as_ref(),
                    model.get(&k),
                    "get {k:?} (consistent {consistent}), {context}"
                );
            }
        }
        6..=8 => {
            // Both tables, each in its own mode.
            let mut request = BatchGetItemRequest::default();
            let mut asked = Vec::new();
            for table in [T1, T2] {
                let count = rng.below(4) as usize;
                let keys = random_keys(rng, count, Some(table));
                if keys.is_empty() {
                    continue;
                }
                request.request_items.insert(
                    table.to_owned(),
                    KeysAndAttributes {
                        keys: keys.iter().map(key_attributes).collect(),
                        consistent_read: rng.chance(50),
                        ..KeysAndAttributes::default()
                    },
                );
                asked.extend(keys);
            }
            if asked.is_empty() {
                return;
            }
            let out = db.batch_get_item(&request).unwrap();
            assert!(out.unprocessed_keys.is_empty(), "{context}");
            let mut got = Model::new();
            for (table, items) in out.responses {
                let table = if table == T1 { T1 } else { T2 };
                for item in items {
                    let k = model_key_of(table, &item);
                    assert!(got.insert(k, item).is_none(), "duplicate, {context}");
                }
            }
            let expected: Model = asked
                .into_iter()
                .filter_map(|k| model.get(&k).map(|item| (k, item.clone())))
                .collect();
            assert_eq!(got, expected, "batch get {request:?}, {context}");
        }
        _ => {
            let table = if rng.chance(50) { T1 } else { T2 };
            let count = 1 + rng.below(4) as usize;
            let keys = random_keys(rng, count, Some(table));
            let primary: Vec<PrimaryKey> = keys.iter().map(primary_key).collect();
            let got = db.batch_get(table, &primary).unwrap();
            let expected: Vec<Option<Item>> = keys.iter().map(|k| model.get(k).cloned()).collect();
            assert_eq!(got, expected, "batch_get {keys:?}, {context}");
        }
    }
}

/// One random Query (with sort-key conditions and Limit-based pages) or
/// Scan (paged), in a random consistency mode, checked against the model;
/// sometimes run twice, so the second can come from the query cache.
fn model_range_read(db: &Db, model: &Model, rng: &mut Rng, context: &str) {
    let consistent = rng.chance(40);
    let limit = if rng.chance(40) {
        None
    } else {
        Some(1 + rng.below(4) as usize)
    };
    let times = if rng.chance(40) { 2 } else { 1 };
    if rng.chance(70) {
        let (table, pk) = if rng.chance(80) {
            (T1, format!("p{}", rng.below(PARTITIONS)))
        } else {
            (T2, format!("k{}", rng.below(T2_KEYS)))
        };
        let a = rng.below(SORT_KEYS);
        let b = a + rng.below(SORT_KEYS);
        type SortFilter = Box<dyn Fn(u64) -> bool>;
        let (condition, filter): (&str, SortFilter) = match (table, rng.below(7)) {
            (T2, _) | (_, 0) => ("", Box::new(|_| true)),
            (_, 1) => (" AND sk = :a", Box::new(move |sk| sk == a)),
            (_, 2) => (" AND sk < :a", Box::new(move |sk| sk < a)),
            (_, 3) => (" AND sk <= :a", Box::new(move |sk| sk <= a)),
            (_, 4) => (" AND sk > :a", Box::new(move |sk| sk > a)),
            (_, 5) => (" AND sk >= :a", Box::new(move |sk| sk >= a)),
            _ => (
                " AND sk BETWEEN :a AND :b",
                Box::new(move |sk| a <= sk && sk <= b),
            ),
        };
        let mut placeholders = vec![(":p", s(&pk))];
        if condition.contains(":a") {
            placeholders.push((":a", n(a)));
        }
        if condition.contains(":b") {
            placeholders.push((":b", n(b)));
        }
        let forward = rng.chance(70);
        let request = QueryRequest {
            table_name: table.into(),
            key_condition_expression: Some(format!("pk = :p{condition}")),
            expression_attribute_values: Some(values(&placeholders)),
            scan_index_forward: forward,
            limit,
            consistent_read: consistent,
            ..QueryRequest::default()
        };
        let mut expected: Vec<Item> = model
            .iter()
            .filter(|((t, p, sk), _)| *t == table && *p == pk && filter(sk.unwrap_or(0)))
            .map(|(_, item)| item.clone())
            .collect();
        if !forward {
            expected.reverse();
        }
        for _ in 0..times {
            let got = query_all(db, &request);
            assert_eq!(
                got, expected,
                "query {table} pk = {pk}{condition} (a {a}, b {b}) limit {limit:?} forward \
                 {forward} consistent {consistent}, {context}"
            );
        }
    } else {
        let table = if rng.chance(50) { T1 } else { T2 };
        let request = ScanRequest {
            table_name: table.into(),
            limit,
            consistent_read: consistent,
            ..ScanRequest::default()
        };
        let expected: Vec<Item> = model
            .iter()
            .filter(|((t, _, _), _)| *t == table)
            .map(|(_, item)| item.clone())
            .collect();
        for _ in 0..times {
            let got = scan_all(db, &request);
            assert_eq!(
                got, expected,
                "scan {table} limit {limit:?} consistent {consistent}, {context}"
            );
        }
    }
}

/// Changes one table's cache settings (its own budget within what the
/// other table's leaves, caching on or off, its TTLs), or resets them.
fn change_table_settings(db: &Db, setup: &Setup, rng: &mut Rng, context: &str) {
    let (table, other) = if rng.chance(50) { (T1, T2) } else { (T2, T1) };
    let options = if rng.chance(25) {
        TableCacheOptions::inherit(&setup.cache)
    } else {
        let others_own = db
            .table_cache_options(other)
            .unwrap()
            .item_cache_bytes
            .unwrap_or(0);
        let room = setup.cache.item_cache_bytes.saturating_sub(others_own);
        TableCacheOptions {
            enabled: rng.chance(75),
            item_cache_bytes: rng.chance(50).then(|| rng.below(room as u64 + 1) as usize),
            item_ttl: random_ttl(rng),
            query_ttl: random_ttl(rng),
        }
    };
    db.set_table_cache_options(table, options.clone())
        .unwrap_or_else(|e| panic!("set {table} to {options:?}: {e}, {context}"));
    assert_eq!(db.table_cache_options(table).unwrap(), options, "{context}");
}

/// One seed: `steps` random operations; returns the caches' counters at the
/// end (over both tables), for the caller's check that they were used.
fn run_model(seed: u64, steps: usize) -> CacheCounters {
    let mut rng = Rng::new(seed);
    let setup = Setup::random(&mut rng);
    let clock = ManualClock::new();
    let db = open_model_db(&setup, &clock);
    db.create_table(T1, string_number_schema()).unwrap();
    db.create_table(T2, string_schema()).unwrap();
    let mut model = Model::new();
    // Counters of T2 incarnations deleted along the way.
    let mut dropped = CacheCounters::default();
    for step in 0..steps {
        let context = format!("seed {seed} step {step} ({setup:?})");
        match rng.below(100) {
            0..=39 => model_write(&db, &mut model, &mut rng, &context),
            40..=64 => model_point_read(&db, &model, &mut rng, &context),
            65..=92 => model_range_read(&db, &model, &mut rng, &context),
            93..=94 => db.flush().unwrap(),
            95..=96 => {
                // Past every TTL (at most 601 s, the default 300 s), or not.
                clock.advance(if rng.chance(50) {
                    Duration::from_secs(1 + rng.below(5))
                } else {
                    Duration::from_secs(660)
                });
            }
            97..=98 => change_table_settings(&db, &setup, &mut rng, &context),
            _ if rng.chance(50) => {
                // T2 deleted and created again: it starts empty, with the
                // database's settings.
                dropped.add(&table_counters(&db, T2));
                db.delete_table(T2).unwrap();
                db.create_table(T2, string_schema()).unwrap();
                model.retain(|k, _| k.0 != T2);
                assert_eq!(
                    db.table_cache_options(T2).unwrap(),
                    TableCacheOptions::inherit(&setup.cache),
                    "{context}"
                );
            }
            _ => {}
        }
        check_cache_invariants(&db.stats(), &setup.cache, &context);
    }
    // Every key, both ways, at the end.
    for k in (0..PARTITIONS)
        .flat_map(|p| (0..SORT_KEYS).map(move |sk| (T1, format!("p{p}"), Some(sk))))
        .chain((0..T2_KEYS).map(|i| (T2, format!("k{i}"), None)))
    {
        for consistent in [false, true, false] {
            let got = db
                .get_item_with(&GetItemRequest {
                    table_name: k.0.into(),
                    key: key_attributes(&k),
                    consistent_read: consistent,
                    ..GetItemRequest::default()
                })
                .unwrap();
            assert_eq!(got.as_ref(), model.get(&k), "final {k:?}, seed {seed}");
        }
    }
    let mut counters = dropped;
    counters.add(&table_counters(&db, T1));
    counters.add(&table_counters(&db, T2));
    let lsm = db.stats().combined().counters;
    eprintln!(
        "seed {seed}: {setup:?}\n  {} flushes, {} compactions; {counters:?}",
        lsm.flush_count, lsm.compaction_count
    );
    counters
}

/// The acceptance test. Operations are sequential, so each read has
/// exactly one right answer: the model's. That is stronger than the
/// guarantee DynamoDB gives an eventually consistent read (never older than
/// the last acknowledged write, say — or, in DynamoDB, possibly stale): the
/// cache is written through before a write is acknowledged, so an eventual
/// read must be exact too, whatever the budget, policy, TTL or settings.
#[test]
fn every_read_in_either_mode_equals_the_model_whatever_the_cache_setup() {
    let totals = RefCell::new(CacheCounters::default());
    for_each_seed(24, |seed| {
        let counters = run_model(seed, 1200);
        totals.borrow_mut().add(&counters);
    });
    let totals = totals.into_inner();
    eprintln!("all seeds: {totals:?}");
    if std::env::var_os("DYNACORE_SEED").is_none() {
        // The default seeds must have exercised what they are meant to.
        assert!(totals.hits > 0 && totals.negative_hits > 0, "{totals:?}");
        assert!(
            totals.write_throughs > 0 && totals.evictions > 0,
            "{totals:?}"
        );
        assert!(totals.expirations > 0, "{totals:?}");
        assert!(
            totals.query_hits > 0 && totals.query_stale > 0,
            "{totals:?}"
        );
        assert!(totals.query_evictions > 0, "{totals:?}");
    }
}

// ----- 2. concurrent readers and writers ----------------------------------

const WRITERS: usize = 3;
const READERS: usize = 2;
/// Two partitions a writer (one on each shard), two sort keys each.
const KEYS_PER_WRITER: usize = 4;

/// A writer's keys: key `i` is `(partitions[i / 2], i % 2)`. With a
/// partition on each shard, every writer writes to both shards, so writes
/// of different writers meet in one group commit (a leader's and its
/// followers').
#[derive(Debug)]
struct Owned {
    partitions: [String; 2],
    versions: Vec<KeyVersions>,
}

impl Owned {
    fn key(&self, i: usize) -> ModelKey {
        (T1, self.partitions[i / 2].clone(), Some((i % 2) as u64))
    }
}

#[derive(Debug, Default)]
struct KeyVersions {
    /// The highest version any write of the key was started with.
    issued: AtomicU64,
    /// The highest version a write returned `Ok` for.
    acknowledged: AtomicU64,
}

/// Each writer's keys: for writer `w`, partitions `w{w}-{i}` found on
/// shard 0 and on shard 1.
fn owned_keys(db: &Db) -> Vec<Owned> {
    (0..WRITERS)
        .map(|w| {
            let on = |shard: u16| {
                (0..)
                    .map(|i| format!("w{w}-{i}"))
                    .find(|name| db.shard_of(T1, &KeyValue::S(name.clone())).unwrap().0 == shard)
                    .unwrap()
            };
            Owned {
                partitions: [on(0), on(1)],
                versions: (0..KEYS_PER_WRITER)
                    .map(|_| KeyVersions::default())
                    .collect(),
            }
        })
        .collect()
}

fn version_item(k: &ModelKey, version: u64) -> Item {
    let mut item = key_attributes(k);
    item.insert("ver".into(), n(version));
    item
}

/// A writer: versions 1, 2, 3… of its keys, by put, UpdateItem, a
/// two-key batch (over both shards) and an async put; each acknowledged
/// version is published after the call returns.
fn version_writer(db: &Db, writer: usize, owned: &Owned, stop: &AtomicBool) -> u64 {
    let mut rng = Rng::new(writer as u64 + 77);
    let mut next = [0u64; KEYS_PER_WRITER];
    let mut writes = 0;
    while !stop.load(Ordering::Relaxed) {
        let i = rng.below(KEYS_PER_WRITER as u64) as usize;
        let other = (i + 2) % KEYS_PER_WRITER;
        let mut bump = |i: usize| {
            next[i] += 1;
            owned.versions[i]
                .issued
                .fetch_max(next[i], Ordering::SeqCst);
            next[i]
        };
        let version = bump(i);
        let mut acknowledged = vec![(i, version)];
        let k = owned.key(i);
        match rng.below(4) {
            0 => db.put_item(T1, &version_item(&k, version)).unwrap(),
            1 => {
                db.update_item(&UpdateItemRequest {
                    table_name: T1.into(),
                    key: key_attributes(&k),
                    update_expression: Some("SET ver = :v".into()),
                    expression_attribute_values: Some(values(&[(":v", n(version))])),
                    ..UpdateItemRequest::default()
                })
                .unwrap();
            }
            2 => {
                let other_version = bump(other);
                acknowledged.push((other, other_version));
                db.batch_write(
                    T1,
                    &[
                        BatchWrite::Put(version_item(&k, version)),
                        BatchWrite::Put(version_item(&owned.key(other), other_version)),
                    ],
                )
                .unwrap();
            }
            _ => block_on(db.put_item_async(T1, &version_item(&k, version))).unwrap(),
        }
        for (i, version) in acknowledged {
            owned.versions[i]
                .acknowledged
                .fetch_max(version, Ordering::SeqCst);
        }
        writes += 1;
    }
    writes
}

fn version_of(item: Option<&Item>) -> u64 {
    item.map_or(0, |item| number_attribute(item, "ver").expect("a version"))
}

/// Checks one read of key `i` of `owned`: `seen` is at least `before`
/// (acknowledged before the read began) and at most what had been issued
/// once it returned.
fn check_version(owned: &Owned, i: usize, before: u64, seen: u64, consistent: bool) {
    let issued = owned.versions[i].issued.load(Ordering::SeqCst);
    let k = owned.key(i);
    assert!(
        seen >= before,
        "{k:?} (consistent {consistent}): read version {seen}, older than {before}, \
         acknowledged before the read began"
    );
    assert!(
        seen <= issued,
        "{k:?} (consistent {consistent}): read version {seen}, never written (issued up to \
         {issued})"
    );
}

/// A reader: GetItem, BatchGetItem and paged Query, eventual and strong.
/// Returns (eventual, strong) reads made.
fn version_reader(db: &Db, reader: usize, owners: &[Owned], stop: &AtomicBool) -> (u64, u64) {
    let mut rng = Rng::new(reader as u64 + 1234);
    let (mut eventual, mut strong) = (0, 0);
    let acknowledged =
        |owned: &Owned, i: usize| owned.versions[i].acknowledged.load(Ordering::SeqCst);
    while !stop.load(Ordering::Relaxed) {
        let owned = &owners[rng.below(WRITERS as u64) as usize];
        let consistent = rng.chance(30);
        if consistent {
            strong += 1;
        } else {
            eventual += 1;
        }
        match rng.below(4) {
            0 | 1 => {
                let i = rng.below(KEYS_PER_WRITER as u64) as usize;
                let before = acknowledged(owned, i);
                let got = db
                    .get_item_with(&GetItemRequest {
                        table_name: T1.into(),
                        key: key_attributes(&owned.key(i)),
                        consistent_read: consistent,
                        ..GetItemRequest::default()
                    })
                    .unwrap();
                check_version(owned, i, before, version_of(got.as_ref()), consistent);
            }
            2 => {
                // One partition, in pages of one item or all at once.
                let half = rng.below(2) as usize;
                let before: Vec<u64> = (0..2)
                    .map(|sk| acknowledged(owned, half * 2 + sk))
                    .collect();
                let items = query_all(
                    db,
                    &QueryRequest {
                        table_name: T1.into(),
                        key_condition_expression: Some("pk = :p".into()),
                        expression_attribute_values: Some(values(&[(
                            ":p",
                            s(&owned.partitions[half]),
                        )])),
                        limit: rng.chance(50).then_some(1),
                        consistent_read: consistent,
                        ..QueryRequest::default()
                    },
                );
                let by_sk: BTreeMap<u64, &Item> = items
                    .iter()
                    .map(|item| (model_key_of(T1, item).2.unwrap(), item))
                    .collect();
                for (sk, before) in before.into_iter().enumerate() {
                    let seen = version_of(by_sk.get(&(sk as u64)).copied());
                    check_version(owned, half * 2 + sk, before, seen, consistent);
                }
            }
            _ => {
                // Key `i` of every writer (both shards), in one BatchGetItem.
                let i = rng.below(KEYS_PER_WRITER as u64) as usize;
                let before: Vec<u64> = owners.iter().map(|o| acknowledged(o, i)).collect();
                let out = db
                    .batch_get_item(&BatchGetItemRequest {
                        request_items: BTreeMap::from([(
                            T1.to_owned(),
                            KeysAndAttributes {
                                keys: owners.iter().map(|o| key_attributes(&o.key(i))).collect(),
                                consistent_read: consistent,
                                ..KeysAndAttributes::default()
                            },
                        )]),
                    })
                    .unwrap();
                assert!(out.unprocessed_keys.is_empty());
                let found: BTreeMap<ModelKey, &Item> = out
                    .responses
                    .get(T1)
                    .into_iter()
                    .flatten()
                    .map(|item| (model_key_of(T1, item), item))
                    .collect();
                for (o, before) in owners.iter().zip(before) {
                    let seen = version_of(found.get(&o.key(i)).copied());
                    check_version(o, i, before, seen, consistent);
                }
            }
        }
    }
    (eventual, strong)
}

/// Readers racing writers under group commit, on real files so that each
/// `fdatasync` takes real time with the shard's lock let go: a read in that
/// window misses the cache, reads the tree (without the write being
/// synced) and fills the cache — which the write must then replace before
/// it is acknowledged — and writes of several writers commit in one group,
/// each of which must be written through. Runs with each hand-off mode,
/// with a large and a tiny item cache, about a third of a second each.
#[test]
#[allow(clippy::disallowed_methods)] // Real time bounds the run; the directory is the test's own.
fn no_read_is_older_than_a_write_acknowledged_before_it_under_group_commit() {
    let shard_thread = Handoff::ShardThread {
        spin_iterations: 200,
    };
    // A large item cache (entries stay, and writes replace them) and one of
    // about two entries a shard (entries are evicted and filled again all
    // the time, so reads in a sync's window fill them).
    let rounds = [
        (Handoff::CallerRuns, 1 << 20, CachePolicy::S3Fifo),
        (shard_thread, 1 << 20, CachePolicy::Lru),
        (Handoff::CallerRuns, 700, CachePolicy::Lru),
        (shard_thread, 700, CachePolicy::S3Fifo),
    ];
    for (handoff, item_cache_bytes, policy) in rounds {
        let dir = tempdir();
        let (fs, _) = dynacore::io::os_fs(Some(IoBackend::Portable)).unwrap();
        let cache = CacheOptions {
            item_cache_bytes,
            query_cache_bytes: 1 << 20,
            policy,
            item_ttl: None,
            query_ttl: None,
        };
        let db = Db::builder(&dir)
            .fs(fs)
            .shard_count(2)
            .handoff(handoff)
            .durability(Durability::Sync)
            .memtable_size_bytes_max(32 * 1024)
            .cache(cache.clone())
            .open()
            .unwrap();
        db.create_table(T1, string_number_schema()).unwrap();
        let owners = owned_keys(&db);
        let stop = AtomicBool::new(false);
        let started = std::time::Instant::now();
        let (writes, reads) = std::thread::scope(|scope| {
            let writers: Vec<_> = owners
                .iter()
                .enumerate()
                .map(|(w, owned)| {
                    let (db, stop) = (&db, &stop);
                    scope.spawn(move || version_writer(db, w, owned, stop))
                })
                .collect();
            let readers: Vec<_> = (0..READERS)
                .map(|r| {
                    let (db, owners, stop) = (&db, &owners, &stop);
                    scope.spawn(move || version_reader(db, r, owners, stop))
                })
                .collect();
            std::thread::sleep(Duration::from_millis(350));
            stop.store(true, Ordering::Relaxed);
            let writes: u64 = writers.into_iter().map(|h| h.join().unwrap()).sum();
            let reads: Vec<(u64, u64)> = readers.into_iter().map(|h| h.join().unwrap()).collect();
            (writes, reads)
        });
        // Quiet now: every key reads as its last acknowledged version.
        for owned in &owners {
            for (i, key) in owned.versions.iter().enumerate() {
                let acknowledged = key.acknowledged.load(Ordering::SeqCst);
                assert_eq!(acknowledged, key.issued.load(Ordering::SeqCst));
                for consistent in [false, true] {
                    let got = db
                        .get_item_with(&GetItemRequest {
                            table_name: T1.into(),
                            key: key_attributes(&owned.key(i)),
                            consistent_read: consistent,
                            ..GetItemRequest::default()
                        })
                        .unwrap();
                    assert_eq!(version_of(got.as_ref()), acknowledged);
                }
            }
        }
        let stats = db.stats();
        check_cache_invariants(&stats, &cache, "after the race");
        let counters = table_counters(&db, T1);
        let groups: Vec<(u64, u64)> = stats
            .shards
            .iter()
            .map(|s| (s.group_commit.groups, s.group_commit.batches_per_group_max))
            .collect();
        let p50: Vec<u64> = stats
            .shards
            .iter()
            .map(|s| s.fsync_latency.p50_us)
            .collect();
        eprintln!(
            "{handoff:?}, {item_cache_bytes} bytes: {writes} writes, reads (eventual, strong) \
             {reads:?} in {:?}; (groups, most batches in one) {groups:?}, sync p50 {p50:?} µs; \
             {counters:?}",
            started.elapsed()
        );
        assert!(writes > 20, "too few writes to race: {writes}");
        assert!(
            groups.iter().any(|&(_, most)| most > 1),
            "no group commit had followers: {groups:?}"
        );
        // The cache took part: reads were served from it, and writes
        // replaced entries that readers had filled.
        assert!(
            counters.hits > 0 && counters.write_throughs > 0,
            "{counters:?}"
        );
        assert!(counters.query_hits > 0, "{counters:?}");
        if item_cache_bytes < 1000 {
            assert!(
                counters.fills > 20 && counters.evictions > 0,
                "{counters:?}"
            );
        }
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Several writes started together (async, under `Durability::Sync`) are
/// committed as one group — a leader's batch and its followers' — and each
/// is written through, not only the leader's.
#[test]
fn every_write_of_a_group_commit_is_written_through() {
    for handoff in [
        Handoff::CallerRuns,
        Handoff::ShardThread { spin_iterations: 0 },
    ] {
        let db = Db::builder("/db")
            .fs(Arc::new(MemFs::new()))
            .shard_count(1)
            .handoff(handoff)
            .durability(Durability::Sync)
            .open()
            .unwrap();
        db.create_table(TABLE, string_number_schema()).unwrap();
        let keys: Vec<(&str, u64)> = (0..8).map(|sk| ("p", sk)).collect();
        for &k in &keys {
            db.put_item(TABLE, &wt_item(k, "old")).unwrap();
            assert!(eventual_get(&db, k).is_some());
        }
        assert_eq!(partition_query(&db, "p", false).len(), keys.len());
        // Rounds until some group held more than one batch.
        let mut round = 0;
        while db.stats().shards[0].group_commit.batches_per_group_max < 2 {
            round += 1;
            assert!(round <= 50, "{handoff:?}: no group commit had followers");
            let version = format!("round {round}");
            let writes: Vec<_> = keys
                .iter()
                .map(|&k| db.put_item_async(TABLE, &wt_item(k, &version)))
                .collect();
            for write in writes {
                block_on(write).unwrap();
            }
            let before = table_counters(&db, TABLE);
            for &k in &keys {
                assert_eq!(
                    eventual_get(&db, k),
                    Some(wt_item(k, &version)),
                    "{handoff:?}: {k:?}"
                );
            }
            let after = table_counters(&db, TABLE);
            assert_eq!(after.hits - before.hits, keys.len() as u64, "{handoff:?}");
            assert_eq!(after.misses, before.misses, "{handoff:?}");
            let expected: Vec<Item> = keys.iter().map(|&k| wt_item(k, &version)).collect();
            assert_eq!(partition_query(&db, "p", false), expected, "{handoff:?}");
        }
    }
}

// ----- 3. write-through, one test per write path --------------------------

/// The setups every write-through test runs on: both durabilities, both
/// hand-offs (a sync lets go of the lock; the shard thread applies writes
/// by itself).
const WRITE_THROUGH_SETUPS: [(Durability, Handoff); 4] = [
    (Durability::None, Handoff::CallerRuns),
    (Durability::Sync, Handoff::CallerRuns),
    (
        Durability::None,
        Handoff::ShardThread {
            spin_iterations: 100,
        },
    ),
    (
        Durability::Sync,
        Handoff::ShardThread {
            spin_iterations: 100,
        },
    ),
];

const TABLE: &str = "tbl";

/// Keys `A` = p/1 and `B` = p/2 (one partition), `C` = q/1 (another).
const A: (&str, u64) = ("p", 1);
const B: (&str, u64) = ("p", 2);
const C: (&str, u64) = ("q", 1);

fn wt_key(k: (&str, u64)) -> ModelKey {
    (TABLE, k.0.to_owned(), Some(k.1))
}

fn wt_item(k: (&str, u64), v: &str) -> Item {
    model_item(&wt_key(k), v, None)
}

fn wt_db(durability: Durability, handoff: Handoff) -> Db {
    let db = Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .shard_count(2)
        .durability(durability)
        .handoff(handoff)
        .cache(CacheOptions {
            item_cache_bytes: 1 << 20,
            query_cache_bytes: 1 << 20,
            policy: CachePolicy::Lru,
            item_ttl: None,
            query_ttl: None,
        })
        .open()
        .unwrap();
    db.create_table(TABLE, string_number_schema()).unwrap();
    db
}

fn eventual_get(db: &Db, k: (&str, u64)) -> Option<Item> {
    db.get_item(TABLE, &primary_key(&wt_key(k))).unwrap()
}

fn strong_get(db: &Db, k: (&str, u64)) -> Option<Item> {
    db.get_item_with(&GetItemRequest {
        table_name: TABLE.into(),
        key: key_attributes(&wt_key(k)),
        consistent_read: true,
        ..GetItemRequest::default()
    })
    .unwrap()
}

fn partition_query(db: &Db, pk: &str, consistent: bool) -> Vec<Item> {
    query_all(
        db,
        &QueryRequest {
            table_name: TABLE.into(),
            key_condition_expression: Some("pk = :p".into()),
            expression_attribute_values: Some(values(&[(":p", s(pk))])),
            consistent_read: consistent,
            ..QueryRequest::default()
        },
    )
}

fn table_scan(db: &Db, consistent: bool) -> Vec<Item> {
    scan_all(
        db,
        &ScanRequest {
            table_name: TABLE.into(),
            consistent_read: consistent,
            ..ScanRequest::default()
        },
    )
}

/// The new state of each key a write wrote.
type Written = Vec<((&'static str, u64), Option<Item>)>;

/// Fills the item cache (A, B, C) and the query cache (both partitions'
/// Queries, the Scan), runs `write`, then checks that eventual reads give
/// the new state, that the item entries were replaced (write-throughs) and
/// served from the cache (hits, no misses), and that the pages covering a
/// written key were retired (stale) and the others served.
fn check_write_through(write: impl Fn(&Db) -> Written) {
    for (durability, handoff) in WRITE_THROUGH_SETUPS {
        let setup = format!("{durability:?}, {handoff:?}");
        let db = wt_db(durability, handoff);
        let mut model: BTreeMap<(&str, u64), Item> = BTreeMap::new();
        for k in [A, B, C] {
            let it = wt_item(k, "old");
            db.put_item(TABLE, &it).unwrap();
            model.insert(k, it);
        }
        let query_model = |model: &BTreeMap<(&str, u64), Item>, pk: &str| -> Vec<Item> {
            model
                .iter()
                .filter(|((p, _), _)| *p == pk)
                .map(|(_, item)| item.clone())
                .collect()
        };
        // Fill, and check the fills are then served.
        for _ in 0..2 {
            for k in [A, B, C] {
                assert_eq!(eventual_get(&db, k).as_ref(), model.get(&k), "{setup}");
            }
            for pk in ["p", "q"] {
                assert_eq!(partition_query(&db, pk, false), query_model(&model, pk));
            }
            assert_eq!(
                table_scan(&db, false),
                model.values().cloned().collect::<Vec<_>>()
            );
        }
        let filled = table_counters(&db, TABLE);
        assert_eq!((filled.hits, filled.misses), (3, 3), "{setup}: {filled:?}");
        assert!(filled.query_hits >= 3, "{setup}: {filled:?}");

        let written = write(&db);
        for (k, state) in &written {
            match state {
                Some(item) => model.insert(*k, item.clone()),
                None => model.remove(k),
            };
        }
        let after_write = table_counters(&db, TABLE);

        // Served from the cache, and new.
        for k in [A, B, C] {
            assert_eq!(
                eventual_get(&db, k).as_ref(),
                model.get(&k),
                "{setup}: eventual read of {k:?} after the write"
            );
            assert_eq!(strong_get(&db, k).as_ref(), model.get(&k), "{setup}");
        }
        let after_reads = table_counters(&db, TABLE);
        assert_eq!(
            after_write.write_throughs - filled.write_throughs,
            written.len() as u64,
            "{setup}: every written key was cached, so each write must replace its entry"
        );
        assert_eq!(
            (
                after_reads.hits - after_write.hits,
                after_reads.misses - after_write.misses
            ),
            (3, 0),
            "{setup}: the eventual reads after the write must come from the cache"
        );
        let deleted = written.iter().filter(|(_, state)| state.is_none()).count() as u64;
        assert_eq!(
            after_reads.negative_hits - after_write.negative_hits,
            deleted,
            "{setup}"
        );

        // Pages: those covering a written key are stale, the others hit.
        let written_partitions: BTreeSet<&str> = written.iter().map(|((pk, _), _)| *pk).collect();
        for pk in ["p", "q"] {
            assert_eq!(
                partition_query(&db, pk, false),
                query_model(&model, pk),
                "{setup}: eventual query of {pk} after the write"
            );
            assert_eq!(partition_query(&db, pk, true), query_model(&model, pk));
        }
        let after_queries = table_counters(&db, TABLE);
        assert_eq!(
            after_queries.query_stale - after_reads.query_stale,
            written_partitions.len() as u64,
            "{setup}: {after_queries:?}"
        );
        assert_eq!(
            after_queries.query_hits - after_reads.query_hits,
            2 - written_partitions.len() as u64,
            "{setup}: {after_queries:?}"
        );
        let expected_scan: Vec<Item> = model.values().cloned().collect();
        assert_eq!(table_scan(&db, false), expected_scan, "{setup}: scan");
        assert_eq!(table_scan(&db, true), expected_scan, "{setup}: scan");
        let after_scan = table_counters(&db, TABLE);
        if !written.is_empty() {
            assert!(
                after_scan.query_stale > after_queries.query_stale,
                "{setup}: a written table's scan page must be stale: {after_scan:?}"
            );
        }
        // And once more: everything from the caches now.
        for pk in ["p", "q"] {
            assert_eq!(partition_query(&db, pk, false), query_model(&model, pk));
        }
        let last = table_counters(&db, TABLE);
        assert_eq!(
            last.query_hits - after_scan.query_hits,
            2,
            "{setup}: {last:?}"
        );
        check_cache_invariants(&db.stats(), db.cache_options(), &setup);
    }
}

#[test]
fn put_item_is_written_through() {
    check_write_through(|db| {
        let new = wt_item(A, "new");
        db.put_item(TABLE, &new).unwrap();
        vec![(A, Some(new))]
    });
}

#[test]
fn put_item_with_is_written_through() {
    check_write_through(|db| {
        // Without ReturnValues: a plain write; with ALL_OLD: a
        // read-modify-write, which reads the old item through the cache.
        let a = wt_item(A, "new a");
        db.put_item_with(&PutItemRequest {
            table_name: TABLE.into(),
            item: a.clone(),
            ..PutItemRequest::default()
        })
        .unwrap();
        let b = wt_item(B, "new b");
        let out = db
            .put_item_with(&PutItemRequest {
                table_name: TABLE.into(),
                item: b.clone(),
                return_values: ReturnValues::AllOld,
                ..PutItemRequest::default()
            })
            .unwrap();
        assert_eq!(out.attributes, Some(wt_item(B, "old")));
        vec![(A, Some(a)), (B, Some(b))]
    });
}

#[test]
fn update_item_is_written_through() {
    check_write_through(|db| {
        let out = db
            .update_item(&UpdateItemRequest {
                table_name: TABLE.into(),
                key: key_attributes(&wt_key(C)),
                update_expression: Some("SET v = :v ADD n :one".into()),
                expression_attribute_values: Some(values(&[(":v", s("updated")), (":one", n(1))])),
                return_values: ReturnValues::AllNew,
                ..UpdateItemRequest::default()
            })
            .unwrap();
        let expected = model_item(&wt_key(C), "updated", Some(1));
        assert_eq!(out.attributes.as_ref(), Some(&expected));
        vec![(C, Some(expected))]
    });
}

#[test]
fn delete_item_is_written_through() {
    check_write_through(|db| {
        db.delete_item(TABLE, &primary_key(&wt_key(A))).unwrap();
        vec![(A, None)]
    });
}

#[test]
fn delete_item_with_is_written_through() {
    check_write_through(|db| {
        let out = db
            .delete_item_with(&DeleteItemRequest {
                table_name: TABLE.into(),
                key: key_attributes(&wt_key(B)),
                return_values: ReturnValues::AllOld,
                ..DeleteItemRequest::default()
            })
            .unwrap();
        assert_eq!(out.attributes, Some(wt_item(B, "old")));
        vec![(B, None)]
    });
}

#[test]
fn conditional_writes_are_written_through() {
    check_write_through(|db| {
        let a = wt_item(A, "conditional");
        db.put_item_with(&PutItemRequest {
            table_name: TABLE.into(),
            item: a.clone(),
            condition_expression: Some("v = :old".into()),
            expression_attribute_values: Some(values(&[(":old", s("old"))])),
            ..PutItemRequest::default()
        })
        .unwrap();
        db.delete_item_with(&DeleteItemRequest {
            table_name: TABLE.into(),
            key: key_attributes(&wt_key(C)),
            condition_expression: Some("attribute_exists(v)".into()),
            ..DeleteItemRequest::default()
        })
        .unwrap();
        vec![(A, Some(a)), (C, None)]
    });
}

#[test]
fn failed_conditional_writes_leave_the_cached_entries_as_they_were() {
    check_write_through(|db| {
        let failed = db.put_item_with(&PutItemRequest {
            table_name: TABLE.into(),
            item: wt_item(A, "never"),
            condition_expression: Some("attribute_not_exists(pk)".into()),
            return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure::AllOld,
            ..PutItemRequest::default()
        });
        assert!(
            matches!(&failed, Err(Error::ConditionalCheckFailed { item: Some(old) })
                if **old == wt_item(A, "old")),
            "{failed:?}"
        );
        let failed = db.update_item(&UpdateItemRequest {
            table_name: TABLE.into(),
            key: key_attributes(&wt_key(C)),
            update_expression: Some("SET v = :v".into()),
            condition_expression: Some("v = :other".into()),
            expression_attribute_values: Some(values(&[(":v", s("never")), (":other", s("x"))])),
            ..UpdateItemRequest::default()
        });
        assert!(matches!(failed, Err(Error::ConditionalCheckFailed { .. })));
        Vec::new()
    });
}

#[test]
fn batch_write_item_puts_and_deletes_are_written_through() {
    check_write_through(|db| {
        // A put and a delete in one partition, a delete in the other
        // (usually on the other shard).
        let a = wt_item(A, "batched");
        let out = db
            .batch_write_item(&BatchWriteItemRequest {
                request_items: BTreeMap::from([(
                    TABLE.to_owned(),
                    vec![
                        WriteRequest::Put { item: a.clone() },
                        WriteRequest::Delete {
                            key: key_attributes(&wt_key(B)),
                        },
                        WriteRequest::Delete {
                            key: key_attributes(&wt_key(C)),
                        },
                    ],
                )]),
            })
            .unwrap();
        assert!(out.unprocessed_items.is_empty());
        vec![(A, Some(a)), (B, None), (C, None)]
    });
}

#[test]
fn batch_write_is_written_through() {
    check_write_through(|db| {
        let b = wt_item(B, "batched");
        let c = wt_item(C, "batched");
        db.batch_write(
            TABLE,
            &[
                BatchWrite::Delete(primary_key(&wt_key(A))),
                BatchWrite::Put(b.clone()),
                BatchWrite::Put(c.clone()),
            ],
        )
        .unwrap();
        vec![(A, None), (B, Some(b)), (C, Some(c))]
    });
}

#[test]
fn async_writes_are_written_through() {
    check_write_through(|db| {
        let a = wt_item(A, "async");
        block_on(db.put_item_async(TABLE, &a)).unwrap();
        block_on(db.delete_item_async(TABLE, &primary_key(&wt_key(B)))).unwrap();
        let out = block_on(db.update_item_async(&UpdateItemRequest {
            table_name: TABLE.into(),
            key: key_attributes(&wt_key(C)),
            update_expression: Some("SET v = :v".into()),
            expression_attribute_values: Some(values(&[(":v", s("async update"))])),
            ..UpdateItemRequest::default()
        }))
        .unwrap();
        assert_eq!(out.attributes, None);
        vec![
            (A, Some(a)),
            (B, None),
            (C, Some(wt_item(C, "async update"))),
        ]
    });
}

#[test]
fn shard_local_writes_are_written_through() {
    check_write_through(|db| {
        let a = wt_item(A, "local");
        let written = a.clone();
        on_owner(db, &wt_key(A), move |local, table| {
            local.put_item(table, &written)
        })
        .wait(0)
        .unwrap();
        let c = primary_key(&wt_key(C));
        on_owner(db, &wt_key(C), move |local, table| {
            local.delete_item(table, &c)
        })
        .wait(0)
        .unwrap();
        vec![(A, Some(a)), (C, None)]
    });
}

/// A table deleted and created again under the same name starts with no
/// cache entries (its old ones are dropped, not merely unreachable), and its
/// reads see only its own items.
#[test]
fn a_table_deleted_and_created_again_starts_with_empty_caches() {
    for (durability, handoff) in WRITE_THROUGH_SETUPS {
        let setup = format!("{durability:?}, {handoff:?}");
        let db = wt_db(durability, handoff);
        db.create_table(T2, string_schema()).unwrap();
        for k in [A, B, C] {
            db.put_item(TABLE, &wt_item(k, "old")).unwrap();
            assert!(eventual_get(&db, k).is_some());
        }
        assert_eq!(partition_query(&db, "p", false).len(), 2);
        assert_eq!(table_scan(&db, false).len(), 3);
        // Another table's entries, which must survive.
        let other = (T2, "k".to_owned(), None);
        db.put_item(T2, &model_item(&other, "kept", None)).unwrap();
        assert!(db.get_item(T2, &primary_key(&other)).unwrap().is_some());
        let before = table_stats(&db, TABLE);
        assert_eq!(before.item_entries, 3, "{setup}: {before:?}");
        assert!(before.query_entries >= 2, "{setup}: {before:?}");
        db.set_table_cache_options(
            TABLE,
            TableCacheOptions {
                item_ttl: Some(Duration::from_secs(7)),
                ..TableCacheOptions::inherit(db.cache_options())
            },
        )
        .unwrap();

        db.delete_table(TABLE).unwrap();
        db.create_table(TABLE, string_number_schema()).unwrap();
        let stats = db.stats();
        check_cache_invariants(&stats, db.cache_options(), &setup);
        let by_table = db.cache_stats_by_table(&stats);
        assert!(!by_table.contains_key(TABLE), "{setup}: {by_table:?}");
        assert_eq!(by_table[T2].item_entries, 1, "{setup}: {by_table:?}");
        let entries: usize = stats.shards.iter().map(|s| s.cache.item_entries).sum();
        let pages: usize = stats.shards.iter().map(|s| s.cache.query_entries).sum();
        assert_eq!((entries, pages), (1, 0), "{setup}: only T2's entry is left");
        assert_eq!(
            db.table_cache_options(TABLE).unwrap(),
            TableCacheOptions::inherit(db.cache_options()),
            "{setup}: a new table starts with the database's settings"
        );

        for k in [A, B, C] {
            assert_eq!(eventual_get(&db, k), None, "{setup}");
        }
        assert!(partition_query(&db, "p", false).is_empty());
        assert!(table_scan(&db, false).is_empty());
        let new = wt_item(A, "new table");
        db.put_item(TABLE, &new).unwrap();
        for _ in 0..2 {
            assert_eq!(eventual_get(&db, A).as_ref(), Some(&new), "{setup}");
            assert_eq!(partition_query(&db, "p", false), vec![new.clone()]);
            assert_eq!(table_scan(&db, false), vec![new.clone()]);
        }
        let counters = table_counters(&db, TABLE);
        // A's negative entry (filled above) was replaced by the put, then
        // served twice.
        assert_eq!(counters.write_throughs, 1, "{setup}: {counters:?}");
        assert_eq!(counters.hits, 2, "{setup}: {counters:?}");
        assert!(counters.query_hits >= 2, "{setup}: {counters:?}");
    }
}

// ----- 4. visibility ---------------------------------------------------------

fn visibility_db(clock: &ManualClock) -> Db {
    let db = Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .clock(Arc::new(clock.clone()))
        .shard_count(2)
        .cache(CacheOptions {
            item_cache_bytes: 64 * 1024,
            query_cache_bytes: 64 * 1024,
            policy: CachePolicy::S3Fifo,
            item_ttl: Some(Duration::from_secs(60)),
            query_ttl: Some(Duration::from_secs(60)),
        })
        .open()
        .unwrap();
    db.create_table("alpha", string_number_schema()).unwrap();
    db.create_table("beta", string_schema()).unwrap();
    db
}

fn a_key(sk: u64) -> ModelKey {
    ("alpha", "p".to_owned(), Some(sk))
}

fn get_a(db: &Db, sk: u64, consistent: bool) -> Option<Item> {
    db.get_item_with(&GetItemRequest {
        table_name: "alpha".into(),
        key: key_attributes(&a_key(sk)),
        consistent_read: consistent,
        ..GetItemRequest::default()
    })
    .unwrap()
}

fn query_a(db: &Db, consistent: bool) -> Vec<Item> {
    query_all(
        db,
        &QueryRequest {
            table_name: "alpha".into(),
            key_condition_expression: Some("pk = :p".into()),
            expression_attribute_values: Some(values(&[(":p", s("p"))])),
            consistent_read: consistent,
            ..QueryRequest::default()
        },
    )
}

/// Hits, negative hits, misses and fills per table, summed over the
/// shards, with strong reads counting nothing; bytes and entries per table
/// adding up to the shard's.
#[test]
fn item_cache_hits_misses_and_bytes_show_per_table_and_strong_reads_count_nothing() {
    let clock = ManualClock::new();
    let db = visibility_db(&clock);
    db.put_item("alpha", &model_item(&a_key(1), "one", None))
        .unwrap();
    assert_eq!(table_counters(&db, "alpha"), CacheCounters::default());

    // Strong reads: the caches neither answer nor count them.
    for _ in 0..3 {
        assert!(get_a(&db, 1, true).is_some());
        assert!(get_a(&db, 2, true).is_none());
    }
    let strong_batch = db
        .batch_get_item(&BatchGetItemRequest {
            request_items: BTreeMap::from([(
                "alpha".to_owned(),
                KeysAndAttributes {
                    keys: vec![key_attributes(&a_key(1)), key_attributes(&a_key(2))],
                    consistent_read: true,
                    ..KeysAndAttributes::default()
                },
            )]),
        })
        .unwrap();
    assert_eq!(strong_batch.responses["alpha"].len(), 1);
    assert_eq!(table_counters(&db, "alpha"), CacheCounters::default());
    let stats = db.stats();
    assert!(stats.shards.iter().all(|s| s.cache.item_entries == 0));

    // Eventual: a miss and a fill each, then a hit (a negative one for 2).
    for _ in 0..2 {
        assert!(get_a(&db, 1, false).is_some());
        assert!(get_a(&db, 2, false).is_none());
    }
    let a = table_stats(&db, "alpha");
    let c = a.counters;
    assert_eq!(
        (c.hits, c.negative_hits, c.misses, c.fills),
        (2, 1, 2, 2),
        "{c:?}"
    );
    assert_eq!(a.item_entries, 2);
    assert!(a.item_bytes_used > 2 * 96, "{a:?}");
    // BatchGetItem over both tables: "alpha"'s two keys hit, "beta"'s misses.
    let out = db
        .batch_get_item(&BatchGetItemRequest {
            request_items: BTreeMap::from([
                (
                    "alpha".to_owned(),
                    KeysAndAttributes {
                        keys: vec![key_attributes(&a_key(1)), key_attributes(&a_key(2))],
                        ..KeysAndAttributes::default()
                    },
                ),
                (
                    "beta".to_owned(),
                    KeysAndAttributes {
                        keys: vec![key_attributes(&("beta", "x".into(), None))],
                        ..KeysAndAttributes::default()
                    },
                ),
            ]),
        })
        .unwrap();
    assert_eq!(out.responses["alpha"].len(), 1);
    let by_table = db.cache_stats_by_table(&db.stats());
    let (a, b) = (&by_table["alpha"], &by_table["beta"]);
    assert_eq!((a.counters.hits, a.counters.negative_hits), (4, 2));
    assert_eq!(a.counters.misses, 2);
    assert_eq!(
        (b.counters.hits, b.counters.misses, b.counters.fills),
        (0, 1, 1)
    );
    assert_eq!(b.item_entries, 1);

    // Per shard: the table's entries are all on the shard owning "p".
    let owner = db.shard_of("alpha", &KeyValue::S("p".into())).unwrap();
    let stats = db.stats();
    for shard in &stats.shards {
        let on_a = shard
            .cache
            .tables
            .iter()
            .find(|t| t.table == a.table)
            .map_or(0, |t| t.item_entries);
        assert_eq!(on_a, if shard.shard == owner { 2 } else { 0 });
    }
    check_cache_invariants(&stats, db.cache_options(), "visibility");

    // A write replaces the entry (a write-through), and is then a hit.
    db.put_item("alpha", &model_item(&a_key(2), "two", None))
        .unwrap();
    assert_eq!(
        get_a(&db, 2, false),
        Some(model_item(&a_key(2), "two", None))
    );
    let c = table_counters(&db, "alpha");
    assert_eq!((c.write_throughs, c.hits, c.misses), (1, 5, 2), "{c:?}");

    // Past the TTL: an expiration, counted as a miss, then filled again.
    clock.advance(Duration::from_secs(61));
    assert!(get_a(&db, 1, false).is_some());
    assert!(get_a(&db, 1, false).is_some());
    let c = table_counters(&db, "alpha");
    assert_eq!((c.expirations, c.misses, c.hits), (1, 3, 6), "{c:?}");

    // Turned off: entries dropped, reads neither served nor counted.
    let off = TableCacheOptions {
        enabled: false,
        ..TableCacheOptions::inherit(db.cache_options())
    };
    db.set_table_cache_options("alpha", off).unwrap();
    assert_eq!(table_stats(&db, "alpha").item_entries, 0);
    assert!(get_a(&db, 1, false).is_some());
    assert_eq!(table_counters(&db, "alpha"), c);
    // An own budget larger than the database's is refused.
    let too_big = TableCacheOptions {
        item_cache_bytes: Some(64 * 1024 + 1),
        ..TableCacheOptions::inherit(db.cache_options())
    };
    assert!(matches!(
        db.set_table_cache_options("beta", too_big),
        Err(Error::InvalidConfig(_))
    ));
}

/// A table with its own small budget evicts within it, and shows its
/// evictions; the other table's entries are untouched.
#[test]
fn evictions_and_own_budgets_show_per_table() {
    let clock = ManualClock::new();
    let db = visibility_db(&clock);
    for sk in 0..4 {
        db.put_item("alpha", &model_item(&a_key(sk), "kept", None))
            .unwrap();
        assert!(get_a(&db, sk, false).is_some());
    }
    // "beta" gets 2 KB over two shards: a few entries of about 250 bytes each.
    db.set_table_cache_options(
        "beta",
        TableCacheOptions {
            item_cache_bytes: Some(2048),
            ..TableCacheOptions::inherit(db.cache_options())
        },
    )
    .unwrap();
    for i in 0..40 {
        let k = ("beta", format!("k{i}"), None);
        db.put_item("beta", &model_item(&k, &"x".repeat(100), None))
            .unwrap();
        assert!(db.get_item("beta", &primary_key(&k)).unwrap().is_some());
    }
    let stats = db.stats();
    check_cache_invariants(&stats, db.cache_options(), "own budgets");
    let by_table = db.cache_stats_by_table(&stats);
    let (a, b) = (&by_table["alpha"], &by_table["beta"]);
    assert!(b.counters.evictions > 0, "{b:?}");
    assert!(b.item_bytes_used <= 2048, "{b:?}");
    assert!(b.item_entries < 40, "{b:?}");
    for shard in &stats.shards {
        let on_b = shard.cache.tables.iter().find(|t| t.table == b.table);
        assert!(on_b.is_none_or(|t| t.item_bytes_used <= 1024), "{shard:?}");
        // The shard's budget is its share of the database's (the own
        // budget carved out of it, not added).
        assert_eq!(shard.cache.item_budget_bytes, 32 * 1024);
    }
    assert_eq!((a.counters.evictions, a.item_entries), (0, 4), "{a:?}");
    for sk in 0..4 {
        assert!(get_a(&db, sk, false).is_some());
    }
    assert_eq!(table_counters(&db, "alpha").hits, 4);
}

/// The query cache: a repeated Query is a hit, a strong one counts
/// nothing, a write to the partition makes the page stale; a Scan is
/// cached per shard.
#[test]
fn query_cache_hits_and_stale_pages_show_per_table() {
    let clock = ManualClock::new();
    let db = visibility_db(&clock);
    for sk in 0..3 {
        db.put_item("alpha", &model_item(&a_key(sk), "v", None))
            .unwrap();
    }
    // Another partition, whose writes leave "p"'s page alone.
    let other = ("alpha", "other".to_owned(), Some(0));
    db.put_item("alpha", &model_item(&other, "v", None))
        .unwrap();

    assert_eq!(query_a(&db, true).len(), 3);
    assert_eq!(table_counters(&db, "alpha"), CacheCounters::default());
    assert_eq!(query_a(&db, false).len(), 3);
    assert_eq!(query_a(&db, false).len(), 3);
    let a = table_stats(&db, "alpha");
    assert_eq!(
        (a.counters.query_hits, a.counters.query_misses),
        (1, 1),
        "{a:?}"
    );
    assert_eq!(a.query_entries, 1);
    assert!(a.query_bytes_used > 0);
    assert_eq!(query_a(&db, true).len(), 3);
    assert_eq!(table_counters(&db, "alpha"), a.counters);

    db.put_item("alpha", &model_item(&other, "changed", None))
        .unwrap();
    assert_eq!(query_a(&db, false).len(), 3);
    let c = table_counters(&db, "alpha");
    assert_eq!((c.query_hits, c.query_stale), (2, 0), "{c:?}");

    db.delete_item("alpha", &primary_key(&a_key(0))).unwrap();
    assert_eq!(query_a(&db, false).len(), 2);
    let c = table_counters(&db, "alpha");
    assert_eq!(
        (c.query_hits, c.query_misses, c.query_stale),
        (2, 2, 1),
        "{c:?}"
    );
    assert_eq!(query_a(&db, false).len(), 2);
    assert_eq!(table_counters(&db, "alpha").query_hits, 3);

    // A Scan: each shard's chunk is a page of its own.
    let scan = || {
        scan_all(
            &db,
            &ScanRequest {
                table_name: "alpha".into(),
                ..ScanRequest::default()
            },
        )
    };
    let before = table_counters(&db, "alpha");
    assert_eq!(scan().len(), 3);
    assert_eq!(scan().len(), 3);
    let after = table_counters(&db, "alpha");
    assert_eq!(after.query_misses - before.query_misses, 2, "{after:?}");
    assert_eq!(after.query_hits - before.query_hits, 2, "{after:?}");
    let stats = db.stats();
    check_cache_invariants(&stats, db.cache_options(), "query cache");
    let pages: usize = stats.shards.iter().map(|s| s.cache.query_entries).sum();
    assert_eq!(pages, 3, "the Query's page and a Scan page per shard");
}
