//! Writers on many threads through the multi-shard engine.
//!
//! Each writer thread owns its partition keys and keeps its own `BTreeMap`
//! model of them, so every read it makes has one right answer even while
//! the other threads write: puts, deletes and multi-item batches race
//! through group commits on every shard. At the end, a full scan and a
//! reopen must agree with the union of the models. Run on `MemFs` (with a
//! power cut at a random sync, where every acknowledged write must survive)
//! and on real files with each I/O backend.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use dynacore::io::{Fs, IoBackend, MemFs};
use dynacore::{BatchWrite, Db, Durability, Handoff, Item};
use dynacore_tests::{Rng, for_each_seed, for_each_seed_on_real_files, item, key, string_schema};

const WRITER_THREADS: u64 = 6;

fn open(
    fs: &Arc<dyn Fs>,
    dir: &Path,
    shard_count: usize,
    handoff: Handoff,
) -> dynacore::Result<Db> {
    Db::builder(dir)
        .fs(fs.clone())
        .shard_count(shard_count)
        .handoff(handoff)
        .durability(Durability::Sync)
        .memtable_size_bytes_max(16 * 1024)
        .background_slice_entries(32)
        .open()
}

/// What one writer thread was told: acknowledged state of its keys, and the
/// write in flight when it stopped (if it stopped on an error).
#[derive(Debug, Default)]
struct WriterLog {
    acknowledged: BTreeMap<String, Option<Item>>,
    in_flight: Vec<(String, Option<Item>)>,
}

/// One writer: random puts, deletes, two-item batches and checked reads of
/// its own keys, until `operations` are done or a write fails.
fn writer(db: &Db, thread: u64, seed: u64, operations: usize, check_reads: bool) -> WriterLog {
    let mut rng = Rng::new(seed * 100 + thread);
    let mut log = WriterLog::default();
    for step in 0..operations {
        let name = format!("t{thread}-k{}", rng.below(40));
        match rng.below(10) {
            0..=4 => {
                let it = item(&name, None, &[("v", &format!("{thread}-{step}"))]);
                log.in_flight = vec![(name.clone(), Some(it.clone()))];
                if db.put_item("tbl", &it).is_err() {
                    return log;
                }
                log.acknowledged.insert(name, Some(it));
            }
            5 => {
                log.in_flight = vec![(name.clone(), None)];
                if db.delete_item("tbl", &key(&name, None)).is_err() {
                    return log;
                }
                log.acknowledged.insert(name, None);
            }
            6 => {
                // A two-item batch: usually split over two shards.
                let other = format!("t{thread}-k{}", 40 + rng.below(40));
                let a = item(&name, None, &[("v", &format!("{thread}-{step}a"))]);
                let b = item(&other, None, &[("v", &format!("{thread}-{step}b"))]);
                log.in_flight = vec![
                    (name.clone(), Some(a.clone())),
                    (other.clone(), Some(b.clone())),
                ];
                if db
                    .batch_write(
                        "tbl",
                        &[BatchWrite::Put(a.clone()), BatchWrite::Put(b.clone())],
                    )
                    .is_err()
                {
                    return log;
                }
                log.acknowledged.insert(name, Some(a));
                log.acknowledged.insert(other, Some(b));
            }
            _ if check_reads => {
                let got = db.get_item("tbl", &key(&name, None)).unwrap();
                let expected = log.acknowledged.get(&name).cloned().flatten();
                assert_eq!(
                    got, expected,
                    "seed {seed}: thread {thread} read {name} at step {step}"
                );
            }
            _ => {}
        }
        log.in_flight.clear();
    }
    log
}

/// Runs the writers concurrently on `db`; returns their logs.
fn run_writers(db: &Db, seed: u64, operations: usize, check_reads: bool) -> Vec<WriterLog> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITER_THREADS)
            .map(|thread| scope.spawn(move || writer(db, thread, seed, operations, check_reads)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn full_scan(db: &Db) -> Vec<Item> {
    dynacore_tests::scan_all(db, &dynacore_tests::scan_request("tbl", Some(97)))
}

/// The run without faults: every read agrees with its writer's model, and
/// scans and a reopen agree with all of them.
fn run(seed: u64, fs: Arc<dyn Fs>, dir: &Path) {
    let mut rng = Rng::new(seed);
    let shard_count = 1 + rng.below(3) as usize;
    let handoff = if rng.chance(30) {
        Handoff::ShardThread {
            spin_iterations: 200,
        }
    } else {
        Handoff::CallerRuns
    };
    let db = open(&fs, dir, shard_count, handoff).unwrap();
    db.create_table("tbl", string_schema()).unwrap();
    let logs = run_writers(&db, seed, 600, true);
    let expected: BTreeMap<String, Item> = logs
        .iter()
        .flat_map(|log| log.acknowledged.iter())
        .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
        .collect();
    let expected_items: Vec<Item> = expected.values().cloned().collect();
    let scanned = full_scan(&db);
    assert_eq!(
        scanned, expected_items,
        "seed {seed}: scan after the writers"
    );
    let stats = db.stats();
    assert_eq!(stats.shards.len(), shard_count);
    let groups: u64 = stats.shards.iter().map(|s| s.group_commit.groups).sum();
    let batches: u64 = stats.shards.iter().map(|s| s.group_commit.batches).sum();
    eprintln!(
        "seed {seed}: {shard_count} shards, {handoff:?}: {} items, {batches} batches in {groups} groups",
        expected.len()
    );
    drop(db);
    let db = open(&fs, dir, shard_count, handoff).unwrap();
    assert_eq!(
        full_scan(&db),
        expected_items,
        "seed {seed}: scan after reopening"
    );
}

#[test]
fn concurrent_writers_agree_with_their_models_in_memory() {
    for_each_seed(4, |seed| {
        run(seed, Arc::new(MemFs::new()), Path::new("/db"))
    });
}

fn run_on_real_files(backend: IoBackend, seed_offset: u64) {
    for_each_seed_on_real_files(backend, seed_offset, run);
}

#[test]
fn concurrent_writers_agree_with_their_models_with_io_uring() {
    run_on_real_files(IoBackend::Uring, 3000);
}

#[test]
fn concurrent_writers_agree_with_their_models_with_portable_io() {
    run_on_real_files(IoBackend::Portable, 4000);
}

/// A power cut at a random sync while six threads write: after restart,
/// every acknowledged write is there, and each key holds either its
/// acknowledged value or the value of the write that was in flight.
#[test]
fn power_cut_with_concurrent_writers_loses_no_acknowledged_write() {
    for_each_seed(8, |seed| {
        let mut rng = Rng::new(seed);
        let shard_count = 1 + rng.below(3) as usize;
        let mem = MemFs::new();
        let fs: Arc<dyn Fs> = Arc::new(mem.clone());
        let db = open(&fs, Path::new("/db"), shard_count, Handoff::CallerRuns).unwrap();
        db.create_table("tbl", string_schema()).unwrap();
        // Somewhere in the middle of the writers' syncs.
        mem.crash_at_sync(20 + rng.below(300));
        let logs = run_writers(&db, seed, 150, false);
        drop(db);
        mem.restart();
        let db = open(&fs, Path::new("/db"), shard_count, Handoff::CallerRuns)
            .unwrap_or_else(|e| panic!("seed {seed}: reopen failed: {e}"));
        let mut checked = 0;
        for log in &logs {
            for (name, acknowledged) in &log.acknowledged {
                let got = db.get_item("tbl", &key(name, None)).unwrap();
                let in_flight = log
                    .in_flight
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v);
                assert!(
                    &got == acknowledged || in_flight == Some(&got),
                    "seed {seed}: {name} holds {got:?}; acknowledged {acknowledged:?}, in flight {in_flight:?}"
                );
                checked += 1;
            }
        }
        eprintln!(
            "seed {seed}: {shard_count} shards, {checked} acknowledged keys checked after the power cut"
        );
    });
}
