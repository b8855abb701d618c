//! What the item cache costs and saves on a point read of the embedded
//! engine (one shard, 100,000 YCSB-sized items flushed and compacted to
//! SSTables, so a miss reads an SSTable as a cold read does):
//!
//! - `cache off`: no item cache at all (`CacheOptions::disabled`);
//! - `all misses`: a cache far too small for the keys read (64 KiB against
//!   a 100 MB data set) read in a shuffled order, so nearly every read
//!   misses: the lookup, the tree read and the fill with its eviction.
//!   Issue 8's bound is that a miss costs at most one lookup more than no
//!   cache; the ratio to `cache off` is the check;
//! - `all hits`: a cache that holds every key read, warmed first;
//! - `strong read`: `ConsistentRead = true` past a warm cache (the cache
//!   costs it nothing).
//!
//! `docs/cache.md` ("What a miss costs") has the figures and the command.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dynacore::{
    AttributeValue, CacheOptions, Db, Durability, GetItemRequest, Item, KeyAttribute, KeyType,
    TableSchema,
};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const KEY_COUNT: u64 = 100_000;
/// Keys the `all hits` case reads (their entries fit its cache).
const HOT_KEYS: u64 = 10_000;

fn user_key(n: u64) -> String {
    format!("user{n:012}")
}

fn record(n: u64) -> Item {
    let mut item = Item::new();
    item.insert("pk".into(), AttributeValue::S(user_key(n)));
    for field in 0..10 {
        item.insert(format!("field{field}"), AttributeValue::S("x".repeat(100)));
    }
    item
}

fn key_of(n: u64) -> Item {
    let mut key = Item::new();
    key.insert("pk".into(), AttributeValue::S(user_key(n)));
    key
}

fn open(name: &str, cache: CacheOptions) -> (Db, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "dynacore-bench-cache-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let db = Db::builder(&dir)
        .durability(Durability::None)
        .shard_count(1)
        .cache(cache)
        .open()
        .expect("open");
    db.create_table(
        "usertable",
        TableSchema::partition_only(KeyAttribute::new("pk", KeyType::S)),
    )
    .unwrap();
    for n in 0..KEY_COUNT {
        db.put_item("usertable", &record(n)).unwrap();
    }
    db.flush().unwrap();
    db.compact().unwrap();
    (db, dir)
}

/// Reads walk the keys in a fixed shuffled order (a multiplicative step
/// coprime with the key count), so consecutive reads share no block.
fn next_key(next: &mut u64, modulo: u64) -> u64 {
    *next = (*next + 7919) % modulo;
    *next
}

fn request(n: u64, consistent_read: bool) -> GetItemRequest {
    GetItemRequest {
        table_name: "usertable".into(),
        key: key_of(n),
        consistent_read,
        ..GetItemRequest::default()
    }
}

fn reads(c: &mut Criterion) {
    let mut group = c.benchmark_group("GetItem (1 KB item, 1 shard, from SSTables)");
    let cases = [
        ("cache off", CacheOptions::disabled(), KEY_COUNT, false),
        (
            "all misses",
            CacheOptions {
                item_cache_bytes: 64 << 10,
                ..CacheOptions::default()
            },
            KEY_COUNT,
            false,
        ),
        (
            "all hits",
            CacheOptions {
                item_cache_bytes: 64 << 20,
                ..CacheOptions::default()
            },
            HOT_KEYS,
            false,
        ),
        (
            "strong read",
            CacheOptions {
                item_cache_bytes: 64 << 20,
                ..CacheOptions::default()
            },
            HOT_KEYS,
            true,
        ),
    ];
    for (name, cache, keys, consistent) in cases {
        let (db, dir) = open(&name.replace(' ', "-"), cache);
        let mut next = 0;
        for _ in 0..keys {
            let n = next_key(&mut next, keys);
            db.get_item_with(&request(n, false)).unwrap();
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                let n = next_key(&mut next, keys);
                black_box(db.get_item_with(&request(n, consistent)).unwrap())
            })
        });
        let counters = db.stats().shards[0].cache.counters;
        println!(
            "  {name}: cache hits {} misses {} (hit ratio {:.3})",
            counters.hits,
            counters.misses,
            counters.hit_ratio()
        );
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
    group.finish();
}

criterion_group!(benches, reads);
criterion_main!(benches);
