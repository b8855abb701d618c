//! The model test: random interleavings of writes and reads in both modes against a `BTreeMap`.

use super::*;

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
                admission: if rng.chance(50) {
                    CacheAdmission::Always
                } else {
                    CacheAdmission::SecondMiss
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
