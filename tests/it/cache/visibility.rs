//! Visibility: the caches' counters and bytes, per table and per shard.

use super::*;

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
            // Every miss fills, so the counts below are exact.
            admission: CacheAdmission::Always,
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
