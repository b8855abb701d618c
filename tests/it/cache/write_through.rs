//! Write-through, one test per write path.

use super::*;

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
            // One read fills the entry each test then writes through.
            admission: CacheAdmission::Always,
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
            .cache(CacheOptions {
                // One read fills each entry.
                admission: CacheAdmission::Always,
                ..CacheOptions::default()
            })
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
