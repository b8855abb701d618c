//! Concurrent readers and writers under group commit.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use dynacore::io::IoBackend;

use super::*;

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
            admission: CacheAdmission::Always,
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
