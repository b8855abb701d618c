//! Crash tests: acknowledged writes survive, unacknowledged ones are never
//! half there.
//!
//! (a) With `MemFs`, a power cut right after every sync point of a small
//!     workload (the durable image is frozen at that sync; everything after
//!     fails), then recovery — and the same with torn unsynced tails.
//! (b) A real child process writing under `Durability::Sync` is killed with
//!     SIGKILL at random moments, at least 20 times, alternating the io_uring
//!     and portable I/O backends; after each kill the database reopens with
//!     every acknowledged write present.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use dynacore::compaction::CompactionOptions;
use dynacore::io::MemFs;
use dynacore::{Db, Durability, Item};
use dynacore_tests::{Rng, for_each_seed, item, key, string_schema, tempdir};

/// One operation of the crash workload.
#[derive(Debug, Clone)]
enum Op {
    Put(String, String),
    Delete(String),
    Flush,
    Compact,
}

fn workload(seed: u64, length: usize) -> Vec<Op> {
    let mut rng = Rng::new(seed);
    (0..length)
        .map(|i| match rng.below(20) {
            0 => Op::Flush,
            1 => Op::Compact,
            2..=4 => Op::Delete(format!("k{}", rng.below(30))),
            _ => Op::Put(
                format!("k{}", rng.below(30)),
                format!("v{i}-{}", rng.letters(40)),
            ),
        })
        .collect()
}

fn open(fs: &MemFs) -> dynacore::Result<Db> {
    Db::builder("/db")
        .fs(Arc::new(fs.clone()))
        .durability(Durability::Sync)
        .memtable_size_bytes_max(4096)
        .compaction_options(CompactionOptions {
            l0_compaction_trigger: 2,
            l1_size_bytes: 8 * 1024,
            level_size_ratio: 4,
            sstable_size_bytes_target: 4 * 1024,
        })
        .l0_stop_writes_trigger(6)
        .background_slice_entries(16)
        .open()
}

/// What a key may hold after recovery: its acknowledged value, or — for the
/// one write that was in flight at the crash — that write's value.
struct Expectation {
    acknowledged: BTreeMap<String, Option<String>>,
    in_flight: Option<(String, Option<String>)>,
}

/// Runs `ops` until the first failure; returns what must hold afterwards.
fn run_until_failure(db: &Db, ops: &[Op]) -> Expectation {
    let mut acknowledged = BTreeMap::new();
    for op in ops {
        let (result, effect) = match op {
            Op::Put(k, v) => (
                db.put_item("tbl", &item(k, None, &[("v", v)])),
                Some((k.clone(), Some(v.clone()))),
            ),
            Op::Delete(k) => (
                db.delete_item("tbl", &key(k, None)),
                Some((k.clone(), None)),
            ),
            Op::Flush => (db.flush(), None),
            Op::Compact => (db.compact(), None),
        };
        match result {
            Ok(()) => {
                if let Some((k, v)) = effect {
                    acknowledged.insert(k, v);
                }
            }
            Err(_) => {
                return Expectation {
                    acknowledged,
                    in_flight: effect,
                };
            }
        }
    }
    Expectation {
        acknowledged,
        in_flight: None,
    }
}

fn value_of(item: &Item) -> Option<String> {
    match item.get("v") {
        Some(dynacore::AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
}

fn check_recovered(db: &Db, expectation: &Expectation, context: &str) {
    let mut keys: Vec<&String> = expectation.acknowledged.keys().collect();
    if let Some((k, _)) = &expectation.in_flight {
        keys.push(k);
    }
    for k in keys {
        let got = db
            .get_item("tbl", &key(k, None))
            .unwrap_or_else(|e| panic!("{context}: get {k}: {e}"));
        let got = got.as_ref().and_then(value_of);
        let acknowledged = expectation.acknowledged.get(k).cloned().flatten();
        let in_flight = expectation
            .in_flight
            .as_ref()
            .filter(|(f, _)| f == k)
            .map(|(_, v)| v.clone());
        assert!(
            got == acknowledged || in_flight.as_ref() == Some(&got),
            "{context}: key {k} holds {got:?}; acknowledged {acknowledged:?}, in flight {in_flight:?}"
        );
    }
}

#[test]
fn power_cut_at_every_sync_point_loses_no_acknowledged_write() {
    for_each_seed(2, |seed| {
        let ops = workload(seed, 120);
        // A dry run counts the sync points (including the first open's).
        let dry = MemFs::new();
        {
            let db = open(&dry).unwrap();
            db.create_table("tbl", string_schema()).unwrap();
            let expectation = run_until_failure(&db, &ops);
            assert!(expectation.in_flight.is_none(), "the dry run must not fail");
        }
        let sync_points = dry.sync_count();
        assert!(
            sync_points > 50,
            "workload too small: {sync_points} sync points"
        );
        for point in 1..=sync_points {
            let fs = MemFs::new();
            fs.crash_at_sync(point);
            let expectation = match open(&fs)
                .and_then(|db| db.create_table("tbl", string_schema()).map(|_| db))
            {
                Ok(db) => run_until_failure(&db, &ops),
                // The power cut came during the first open: nothing was acknowledged.
                Err(_) => Expectation {
                    acknowledged: BTreeMap::new(),
                    in_flight: None,
                },
            };
            fs.restart();
            let context = format!("seed {seed}, power cut at sync {point} of {sync_points}");
            let db = open(&fs).unwrap_or_else(|e| panic!("{context}: reopen failed: {e}"));
            if db.describe_table("tbl").is_err() {
                assert!(expectation.acknowledged.is_empty(), "{context}: table lost");
                continue;
            }
            check_recovered(&db, &expectation, &context);
            // And the recovered database keeps working.
            db.put_item("tbl", &item("after", None, &[("v", "x")]))
                .unwrap();
        }
    });
}

#[test]
fn torn_unsynced_tails_are_dropped_at_recovery() {
    for_each_seed(4, |seed| {
        let mut rng = Rng::new(seed);
        let fs = MemFs::new();
        let db = open(&fs).unwrap();
        db.create_table("tbl", string_schema()).unwrap();
        let ops = workload(seed, 150);
        let cut = rng.below(ops.len() as u64) as usize;
        let expectation = run_until_failure(&db, &ops[..cut]);
        assert!(expectation.in_flight.is_none());
        drop(db);
        // Keep a random part of every file's unsynced tail.
        fs.crash_keeping(&mut |unsynced| rng.below(unsynced as u64 + 1) as usize);
        let db = open(&fs)
            .unwrap_or_else(|e| panic!("seed {seed}: reopen after torn crash failed: {e}"));
        check_recovered(
            &db,
            &expectation,
            &format!("seed {seed}, torn crash after {cut} ops"),
        );
    });
}

/// Acknowledged state reported by the child: key index -> present? Returns
/// the last acknowledged put and the delete that was in flight, if any.
fn read_acknowledgements(
    reader: impl BufRead,
    state: &mut BTreeMap<u64, bool>,
) -> (u64, Option<u64>) {
    let mut last_put = 0;
    let mut deleting = None;
    for line in reader.lines() {
        let Ok(line) = line else { break };
        let Some((verb, index)) = line.split_once(' ') else {
            continue;
        };
        let Ok(index) = index.parse::<u64>() else {
            continue;
        };
        match verb {
            "put" => {
                state.insert(index, true);
                last_put = last_put.max(index);
            }
            "deleting" => deleting = Some(index),
            "del" => {
                state.insert(index, false);
                deleting = None;
            }
            _ => {}
        }
    }
    (last_put, deleting)
}

#[test]
#[allow(clippy::disallowed_methods)] // The test paces kills with real sleeps.
fn sigkill_during_sync_writes_loses_no_acknowledged_write() {
    let cycles: u64 = std::env::var("DYNACORE_KILL_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let dir = tempdir();
    let mut rng = Rng::new(0xC0FFEE);
    let mut state: BTreeMap<u64, bool> = BTreeMap::new();
    let mut next_index = 0u64;
    let mut undetermined_keys = Vec::new();
    for cycle in 0..cycles {
        // Alternate the I/O backends, so both are killed mid-write.
        let backend = if cycle % 2 == 0 && dynacore::io::uring_available() {
            "uring"
        } else {
            "portable"
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .env(dynacore::io::IO_BACKEND_ENV, backend)
            .arg(&dir)
            .arg(next_index.to_string())
            .arg(cycle.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn crash-writer");
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acknowledged = BTreeMap::new();
            let (last, deleting) = read_acknowledgements(BufReader::new(stdout), &mut acknowledged);
            (acknowledged, last, deleting)
        });
        std::thread::sleep(Duration::from_millis(50 + rng.below(400)));
        // SIGKILL: no destructor, no flush, no chance to finish a write.
        let _ = child.kill();
        let status = child.wait().unwrap();
        let (acknowledged, last, deleting) = reader.join().unwrap();
        if acknowledged.is_empty() {
            let mut stderr = String::new();
            use std::io::Read;
            let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
            assert!(
                status.code().is_none(),
                "crash-writer exited by itself ({status}): {stderr}"
            );
        }
        state.extend(acknowledged);
        if let Some(undetermined) = deleting {
            // Killed mid-delete: either outcome is correct, and no later
            // cycle writes this key again.
            state.remove(&undetermined);
            undetermined_keys.push(undetermined);
        }
        next_index = next_index.max(last + 1);

        let db = Db::open(&dir).unwrap_or_else(|e| panic!("cycle {cycle}: reopen failed: {e}"));
        for (index, present) in &state {
            let got = db
                .get_item("crash", &key(&format!("k{index}"), None))
                .unwrap();
            assert_eq!(
                got.is_some(),
                *present,
                "cycle {cycle}: k{index} should be present={present}"
            );
            if let Some(item) = got {
                let value = value_of(&item).unwrap();
                assert!(
                    value.starts_with(&format!("{index}-")),
                    "cycle {cycle}: k{index} holds {value}"
                );
            }
        }
    }
    assert!(
        state.len() > 100,
        "the child acknowledged too few writes ({}) to mean anything",
        state.len()
    );
    eprintln!(
        "{cycles} kills, {} acknowledged keys checked, {} deletes undetermined at a kill",
        state.len(),
        undetermined_keys.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
