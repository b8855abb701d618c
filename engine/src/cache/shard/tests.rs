//! The shard caches' rules, one at a time: fills, negative entries,
//! write-through, TTLs, page versions, per-table budgets and settings.

use std::time::Duration;

use bytes::Bytes;

use super::*;
use crate::coding::key::{encode_key, encode_partition_prefix, encode_table_prefix};
use crate::io::ManualClock;
use crate::model::{KeyValue, PrimaryKey};
use crate::shard::ScanEntry;

fn key(table: u32, partition: &str, sort: &str) -> Vec<u8> {
    encode_key(
        TableId(table),
        &PrimaryKey {
            partition: KeyValue::S(partition.into()),
            sort: Some(KeyValue::S(sort.into())),
        },
    )
}

fn options(item_bytes: usize, query_bytes: usize) -> CacheOptions {
    CacheOptions {
        item_cache_bytes: item_bytes,
        query_cache_bytes: query_bytes,
        // Every miss fills; admission has its own test below.
        admission: crate::cache::Admission::Always,
        ..CacheOptions::default()
    }
}

fn cache(item_bytes: usize, query_bytes: usize) -> (ShardCache, ManualClock) {
    let clock = ManualClock::new();
    let cache = ShardCache::new(
        options(item_bytes, query_bytes),
        1,
        std::sync::Arc::new(clock.clone()),
    );
    (cache, clock)
}

fn put(key: &[u8], value: &[u8]) -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.put(key, value);
    batch
}

fn delete(key: &[u8]) -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.delete(key);
    batch
}

fn bytes(value: &[u8]) -> Option<Bytes> {
    Some(Bytes::copy_from_slice(value))
}

fn counters(cache: &ShardCache) -> CacheCounters {
    cache.stats().counters
}

#[test]
fn a_miss_is_filled_and_then_hits_and_a_missing_item_is_a_negative_hit() {
    let (mut cache, _) = cache(1 << 20, 0);
    let (a, b) = (key(1, "p", "a"), key(1, "p", "b"));
    assert_eq!(cache.lookup(&a, true), Lookup::Miss);
    cache.fill(&a, bytes(b"one").as_ref());
    assert_eq!(cache.lookup(&a, true), Lookup::Hit(bytes(b"one")));
    assert_eq!(cache.lookup(&b, true), Lookup::Miss);
    cache.fill(&b, None);
    assert_eq!(cache.lookup(&b, true), Lookup::Hit(None));
    let c = counters(&cache);
    assert_eq!((c.hits, c.negative_hits, c.misses, c.fills), (2, 1, 2, 2));
    // An uncounted lookup (a read-modify-write's) changes no counter.
    assert_eq!(cache.lookup(&a, false), Lookup::Hit(bytes(b"one")));
    assert_eq!(counters(&cache), c);
}

#[test]
fn writes_replace_cached_entries_and_do_not_fill_others() {
    let (mut cache, _) = cache(1 << 20, 0);
    let (a, b) = (key(1, "p", "a"), key(1, "p", "b"));
    cache.fill(&a, bytes(b"old").as_ref());
    cache.fill(&b, None);
    cache.write_through(&put(&a, b"new"));
    cache.write_through(&put(&b, b"born"));
    assert_eq!(cache.lookup(&a, true), Lookup::Hit(bytes(b"new")));
    assert_eq!(cache.lookup(&b, true), Lookup::Hit(bytes(b"born")));
    cache.write_through(&delete(&a));
    assert_eq!(cache.lookup(&a, true), Lookup::Hit(None));
    // A key nobody read is not cached by a write.
    let c = key(1, "q", "c");
    cache.write_through(&put(&c, b"x"));
    assert_eq!(cache.lookup(&c, true), Lookup::Miss);
    assert_eq!(counters(&cache).write_throughs, 3);
}

#[test]
fn an_entry_past_its_ttl_is_a_miss_and_leaves() {
    let (mut cache, clock) = cache(1 << 20, 0);
    let a = key(1, "p", "a");
    cache.fill(&a, bytes(b"v").as_ref());
    clock.advance(DEFAULT_TTL_FOR_TESTS - Duration::from_millis(1));
    assert_eq!(cache.lookup(&a, true), Lookup::Hit(bytes(b"v")));
    clock.advance(Duration::from_millis(1));
    assert_eq!(cache.lookup(&a, true), Lookup::Miss);
    let stats = cache.stats();
    assert_eq!(stats.counters.expirations, 1);
    assert_eq!((stats.item_entries, stats.item_bytes_used), (0, 0));
    assert_eq!(stats.tables[0].item_bytes_used, 0);
}

const DEFAULT_TTL_FOR_TESTS: Duration = super::super::options::DEFAULT_TTL;

#[test]
fn a_table_with_caching_off_bypasses_and_loses_its_entries() {
    let (mut cache, _) = cache(1 << 20, 1 << 20);
    let a = key(1, "p", "a");
    cache.fill(&a, bytes(b"v").as_ref());
    let mut off = TableCacheOptions::inherit(&options(1 << 20, 1 << 20));
    off.enabled = false;
    cache.configure_table(TableId(1), off);
    assert_eq!(cache.lookup(&a, true), Lookup::Bypass);
    assert_eq!(cache.stats().item_entries, 0);
    assert!(cache.lookup_page(&query_range(1, "p")).is_none());
    assert_eq!(counters(&cache).query_misses, 0, "a bypass is not a miss");
}

#[test]
fn a_table_with_its_own_budget_is_kept_apart_and_within_it() {
    let (mut cache, _) = cache(100_000, 0);
    let mut own = TableCacheOptions::inherit(&options(100_000, 0));
    own.item_cache_bytes = Some(10_000);
    cache.configure_table(TableId(2), own);
    let value = vec![7u8; 900];
    for n in 0..100 {
        let k = key(2, &format!("p{n}"), "s");
        assert_eq!(cache.lookup(&k, true), Lookup::Miss);
        cache.fill(&k, bytes(&value).as_ref());
        let k = key(1, &format!("p{n}"), "s");
        cache.fill(&k, bytes(&value).as_ref());
    }
    let stats = cache.stats();
    let by_table: HashMap<TableId, &TableCacheStats> =
        stats.tables.iter().map(|t| (t.table, t)).collect();
    assert!(by_table[&TableId(2)].item_bytes_used <= 10_000);
    assert!(by_table[&TableId(1)].item_bytes_used <= 90_000);
    assert!(by_table[&TableId(1)].item_bytes_used > 80_000);
    assert!(stats.item_bytes_used <= 100_000);
    assert_eq!(
        stats.item_bytes_used,
        stats
            .tables
            .iter()
            .map(|t| t.item_bytes_used)
            .sum::<usize>()
    );
    assert!(by_table[&TableId(2)].counters.evictions > 0);
}

#[test]
fn dropping_a_table_drops_its_entries_pages_and_counters() {
    let (mut cache, _) = cache(1 << 20, 1 << 20);
    cache.fill(&key(1, "p", "a"), bytes(b"v").as_ref());
    cache.fill(&key(2, "p", "a"), bytes(b"v").as_ref());
    let range = query_range(1, "p");
    cache.fill_page(&range, cache.version_of(&range), &chunk(&[b"a"]));
    let before = cache.stats().counters;
    cache.drop_table(TableId(1));
    let stats = cache.stats();
    assert_eq!((stats.item_entries, stats.query_entries), (1, 0));
    assert_eq!(stats.tables.len(), 1);
    assert_eq!(stats.tables[0].table, TableId(2));
    // The shard's counters never go down (Prometheus would see a reset).
    assert_eq!(stats.counters, before);
    // A read that resolved the table before the delete neither fills nor counts.
    let late = key(1, "p", "b");
    assert_eq!(cache.lookup(&late, true), Lookup::Bypass);
    assert!(cache.lookup_page(&range).is_none());
    cache.fill_page(&range, cache.version_of(&range), &chunk(&[b"a"]));
    assert_eq!(cache.stats().query_entries, 0);
    assert_eq!(cache.stats().tables.len(), 1);
}

fn query_range(table: u32, partition: &str) -> ScanRange {
    range_from(encode_partition_prefix(
        TableId(table),
        &KeyValue::S(partition.into()),
    ))
}

fn scan_range(table: u32) -> ScanRange {
    range_from(encode_table_prefix(TableId(table)))
}

/// A cached forward page of 100 over every key starting with `prefix`.
fn range_from(prefix: Vec<u8>) -> ScanRange {
    ScanRange {
        end: prefix_successor(&prefix),
        start: prefix,
        limit: 100,
        reverse: false,
        virtual_partitions: None,
        cached: true,
    }
}

fn chunk(values: &[&[u8]]) -> ScanChunk {
    ScanChunk {
        entries: values
            .iter()
            .map(|v| ScanEntry {
                key: key(1, "p", "k"),
                value: Bytes::copy_from_slice(v),
                size_bytes: v.len(),
            })
            .collect(),
        more: false,
    }
}

#[test]
fn a_page_is_retired_by_a_write_to_its_partition_and_only_that() {
    let (mut cache, _) = cache(0, 1 << 20);
    let range = query_range(1, "p");
    assert!(cache.lookup_page(&range).is_none());
    cache.fill_page(&range, cache.version_of(&range), &chunk(&[b"a"]));
    assert!(cache.lookup_page(&range).is_some());
    // Another partition (in another version slot) leaves it alone...
    let other = (0..)
        .map(|n| format!("q{n}"))
        .find(|p| {
            let prefix = encode_partition_prefix(TableId(1), &KeyValue::S(p.clone()));
            partition_slot(&prefix) != partition_slot(&range.start)
        })
        .expect("some partition has another slot");
    cache.write_through(&put(&key(1, &other, "x"), b"v"));
    assert!(cache.lookup_page(&range).is_some());
    // ...a write inside it retires it.
    cache.write_through(&put(&key(1, "p", "new"), b"v"));
    assert!(cache.lookup_page(&range).is_none());
    let c = counters(&cache);
    assert_eq!((c.query_hits, c.query_misses, c.query_stale), (2, 2, 1));
}

#[test]
fn a_scan_page_is_retired_by_any_write_to_its_table() {
    let (mut cache, _) = cache(0, 1 << 20);
    let range = scan_range(1);
    cache.fill_page(&range, cache.version_of(&range), &chunk(&[b"a"]));
    cache.write_through(&put(&key(2, "p", "x"), b"v"));
    assert!(cache.lookup_page(&range).is_some(), "another table's write");
    cache.write_through(&delete(&key(1, "z", "x")));
    assert!(cache.lookup_page(&range).is_none());
}

#[test]
fn a_page_read_while_its_partition_changed_is_not_cached() {
    let (mut cache, _) = cache(0, 1 << 20);
    let range = query_range(1, "p");
    let version = cache.version_of(&range);
    // The scan let go of the lock, and a write came in meanwhile.
    cache.write_through(&put(&key(1, "p", "a"), b"v"));
    cache.fill_page(&range, version, &chunk(&[b"old"]));
    // Refused at the fill, not merely retired at the next lookup.
    assert_eq!(cache.stats().query_entries, 0);
    assert_eq!(cache.stats().query_bytes_used, 0);
    assert!(cache.lookup_page(&range).is_none());
    assert_eq!(counters(&cache).query_stale, 0);
}

#[test]
fn pages_differ_by_every_field_of_the_range() {
    let (mut cache, _) = cache(0, 1 << 20);
    let range = query_range(1, "p");
    cache.fill_page(&range, cache.version_of(&range), &chunk(&[b"a"]));
    let variants = [
        ScanRange {
            limit: 99,
            ..range.clone()
        },
        ScanRange {
            reverse: true,
            ..range.clone()
        },
        ScanRange {
            end: None,
            ..range.clone()
        },
        ScanRange {
            start: [range.start.clone(), vec![1]].concat(),
            ..range.clone()
        },
        ScanRange {
            virtual_partitions: Some(0..1),
            ..range.clone()
        },
    ];
    for variant in &variants {
        assert!(cache.lookup_page(variant).is_none(), "{variant:?}");
    }
    assert!(cache.lookup_page(&range).is_some());
}

#[test]
fn a_page_past_its_ttl_is_a_miss() {
    let (mut cache, clock) = cache(0, 1 << 20);
    let range = query_range(1, "p");
    cache.fill_page(&range, cache.version_of(&range), &chunk(&[b"a"]));
    clock.advance(DEFAULT_TTL_FOR_TESTS);
    assert!(cache.lookup_page(&range).is_none());
    assert_eq!(cache.stats().query_bytes_used, 0);
    let c = counters(&cache);
    assert_eq!((c.query_expirations, c.query_stale), (1, 0));
}

#[test]
fn with_second_miss_admission_a_key_is_filled_on_its_second_miss() {
    let clock = ManualClock::new();
    let mut cache = ShardCache::new(
        CacheOptions {
            item_cache_bytes: 1 << 20,
            ..CacheOptions::default()
        },
        1,
        std::sync::Arc::new(clock),
    );
    let a = key(1, "p", "a");
    assert_eq!(cache.lookup(&a, true), Lookup::Miss);
    cache.fill(&a, bytes(b"v").as_ref());
    assert_eq!(cache.lookup(&a, true), Lookup::Miss, "not admitted yet");
    cache.fill(&a, bytes(b"v").as_ref());
    assert_eq!(cache.lookup(&a, true), Lookup::Hit(bytes(b"v")));
    let c = counters(&cache);
    assert_eq!((c.misses, c.fills, c.not_admitted, c.hits), (2, 1, 1, 1));
}

#[test]
fn with_second_miss_admission_a_page_is_kept_on_its_second_fill() {
    let mut cache = ShardCache::new(
        CacheOptions {
            query_cache_bytes: 1 << 20,
            ..CacheOptions::default()
        },
        1,
        std::sync::Arc::new(ManualClock::new()),
    );
    let range = query_range(1, "p");
    for _ in 0..2 {
        assert!(cache.lookup_page(&range).is_none());
        cache.fill_page(&range, cache.version_of(&range), &chunk(&[b"a"]));
    }
    assert!(cache.lookup_page(&range).is_some());
    let c = counters(&cache);
    assert_eq!(
        (c.query_misses, c.query_not_admitted, c.query_hits),
        (2, 1, 1)
    );
}
