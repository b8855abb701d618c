//! Model-based test: random operations against the engine and a `BTreeMap`.
//!
//! Each seed runs a few thousand operations — put, delete, get, query with
//! sort-key bounds and pagination, full scans — over thousands of keys, with
//! a tiny memtable and aggressive compaction settings so that flushes,
//! compactions (trivial moves and merges, with and without tombstone
//! dropping) and reopenings happen throughout. After every read the engine
//! must agree with the model exactly.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use dynacore::compaction::CompactionOptions;
use dynacore::io::{Fs, IoBackend, MemFs};
use dynacore::{AttributeValue, Db, Durability, Handoff, Item, Number, QueryRequest};
use dynacore_tests::{
    Rng, for_each_seed, for_each_seed_on_real_files, item, key, number, query_all, scan_all,
    scan_request, string_number_schema, values,
};

type Model = BTreeMap<(String, Number), Item>;

/// How the engine under test is set up, beyond the random LSM tuning.
#[derive(Debug, Clone, Copy)]
struct Setup {
    shard_count: usize,
    handoff: Handoff,
}

impl Setup {
    fn random(rng: &mut Rng) -> Setup {
        Setup {
            shard_count: 1 + rng.below(3) as usize,
            handoff: if rng.chance(25) {
                Handoff::ShardThread {
                    spin_iterations: rng.below(2000) as u32,
                }
            } else {
                Handoff::CallerRuns
            },
        }
    }
}

fn open(fs: &Arc<dyn Fs>, dir: &Path, setup: Setup, rng: &mut Rng) -> Db {
    Db::builder(dir)
        .fs(fs.clone())
        .shard_count(setup.shard_count)
        .handoff(setup.handoff)
        .durability(if rng.chance(50) {
            Durability::Sync
        } else {
            Durability::None
        })
        .memtable_size_bytes_max(8 * 1024 + rng.below(24 * 1024) as usize)
        .compaction_options(CompactionOptions {
            l0_compaction_trigger: 2 + rng.below(3) as usize,
            l1_size_bytes: 32 * 1024,
            level_size_ratio: 4,
            sstable_size_bytes_target: 8 * 1024,
        })
        .l0_stop_writes_trigger(8)
        .background_slice_entries(1 + rng.below(200) as usize)
        .open()
        .expect("open")
}

fn random_sort_key(rng: &mut Rng) -> Number {
    // Negative, zero, fractional and large values, so number order matters.
    let whole = rng.below(400) as i64 - 200;
    match rng.below(4) {
        0 => number(&format!("{whole}")),
        1 => number(&format!("{whole}.{}", rng.below(100))),
        2 => number(&format!("{whole}E{}", rng.below(10))),
        _ => number(&format!("{}", whole * 1000)),
    }
}

fn query_model(model: &Model, pk: &str, start: &Bound<Number>, end: &Bound<Number>) -> Vec<Item> {
    let low = match start {
        Bound::Included(n) => Bound::Included((pk.to_owned(), *n)),
        Bound::Excluded(n) => Bound::Excluded((pk.to_owned(), *n)),
        Bound::Unbounded => Bound::Included((pk.to_owned(), number("-1E+125"))),
    };
    model
        .range((low, Bound::Unbounded))
        .take_while(|((p, sk), _)| {
            p == pk
                && match end {
                    Bound::Included(n) => sk <= n,
                    Bound::Excluded(n) => sk < n,
                    Bound::Unbounded => true,
                }
        })
        .map(|(_, item)| item.clone())
        .collect()
}

/// A random sort-key condition DynamoDB accepts: its expression text (with
/// `:a`/`:b` for its values), the values, and the bounds it selects.
fn random_sort_condition(rng: &mut Rng) -> (String, Vec<Number>, Bound<Number>, Bound<Number>) {
    let a = random_sort_key(rng);
    let (text, values, start, end) = match rng.below(7) {
        0 => (String::new(), vec![], Bound::Unbounded, Bound::Unbounded),
        1 => (
            " AND sk = :a".into(),
            vec![a],
            Bound::Included(a),
            Bound::Included(a),
        ),
        2 => (
            " AND sk < :a".into(),
            vec![a],
            Bound::Unbounded,
            Bound::Excluded(a),
        ),
        3 => (
            " AND sk <= :a".into(),
            vec![a],
            Bound::Unbounded,
            Bound::Included(a),
        ),
        4 => (
            " AND sk > :a".into(),
            vec![a],
            Bound::Excluded(a),
            Bound::Unbounded,
        ),
        5 => (
            " AND sk >= :a".into(),
            vec![a],
            Bound::Included(a),
            Bound::Unbounded,
        ),
        _ => {
            let b = random_sort_key(rng);
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            (
                " AND sk BETWEEN :a AND :b".into(),
                vec![low, high],
                Bound::Included(low),
                Bound::Included(high),
            )
        }
    };
    (text, values, start, end)
}

fn run(seed: u64, operation_count: usize, fs: Arc<dyn Fs>, dir: &Path) {
    let mut rng = Rng::new(seed);
    let setup = Setup::random(&mut rng);
    eprintln!("seed {seed}: {setup:?}");
    let mut db = open(&fs, dir, setup, &mut rng);
    db.create_table("tbl", string_number_schema()).unwrap();
    let (mut flushes, mut compactions, mut trivial_moves) = (0, 0, 0);
    let mut model = Model::new();
    let partitions: Vec<String> = (0..40).map(|i| format!("p{i:02}")).collect();

    for step in 0..operation_count {
        let pk = partitions[rng.below(partitions.len() as u64) as usize].clone();
        match rng.below(100) {
            0..=44 => {
                let sk = random_sort_key(&mut rng);
                let length = 1 + rng.below(64) as usize;
                let value = rng.letters(length);
                let it = item(
                    &pk,
                    Some(&sk),
                    &[("v", &value), ("step", &step.to_string())],
                );
                db.put_item("tbl", &it).unwrap();
                model.insert((pk, sk), it);
            }
            45..=59 => {
                // Delete an existing key most of the time, a random one otherwise.
                let existing = model
                    .keys()
                    .nth(rng.below(model.len().max(1) as u64) as usize)
                    .cloned();
                let (pk, sk) = match existing {
                    Some(k) if rng.chance(80) => k,
                    _ => (pk, random_sort_key(&mut rng)),
                };
                db.delete_item("tbl", &key(&pk, Some(&sk))).unwrap();
                model.remove(&(pk, sk));
            }
            60..=79 => {
                let existing = model
                    .keys()
                    .nth(rng.below(model.len().max(1) as u64) as usize)
                    .cloned();
                let (pk, sk) = match existing {
                    Some(k) if rng.chance(70) => k,
                    _ => (pk, random_sort_key(&mut rng)),
                };
                let got = db.get_item("tbl", &key(&pk, Some(&sk))).unwrap();
                assert_eq!(
                    got.as_ref(),
                    model.get(&(pk.clone(), sk)),
                    "get {pk}/{sk} at step {step}"
                );
            }
            80..=91 => {
                let (sort_text, sort_values, start, end) = random_sort_condition(&mut rng);
                let limit = if rng.chance(50) {
                    Some(1 + rng.below(7) as usize)
                } else {
                    None
                };
                let forward = rng.chance(70);
                let mut expected = query_model(&model, &pk, &start, &end);
                if !forward {
                    expected.reverse();
                }
                let mut placeholders = vec![(":p", AttributeValue::S(pk.clone()))];
                for (name, value) in [":a", ":b"].iter().zip(&sort_values) {
                    placeholders.push((name, AttributeValue::N(*value)));
                }
                let request = QueryRequest {
                    table_name: "tbl".into(),
                    key_condition_expression: Some(format!("pk = :p{sort_text}")),
                    expression_attribute_values: Some(values(&placeholders)),
                    scan_index_forward: forward,
                    limit,
                    ..QueryRequest::default()
                };
                let got = query_all(&db, &request);
                assert_eq!(
                    got, expected,
                    "query {pk}{sort_text} {sort_values:?} limit {limit:?} forward {forward} \
                     at step {step}"
                );
            }
            92..=93 => {
                let limit = Some(50 + rng.below(500) as usize);
                let got = scan_all(&db, &scan_request("tbl", limit));
                let expected: Vec<Item> = model.values().cloned().collect();
                assert_eq!(got.len(), expected.len(), "scan count at step {step}");
                assert_eq!(got, expected, "scan at step {step}");
            }
            94..=95 => db.flush().unwrap(),
            96..=97 => db.compact().unwrap(),
            _ => {
                let c = db.stats().combined().counters;
                (flushes, compactions, trivial_moves) = (
                    flushes + c.flush_count,
                    compactions + c.compaction_count,
                    trivial_moves + c.trivial_move_count,
                );
                drop(db);
                db = open(&fs, dir, setup, &mut rng);
            }
        }
    }
    // Final full comparison after a last reopen.
    let c = db.stats().combined().counters;
    (flushes, compactions, trivial_moves) = (
        flushes + c.flush_count,
        compactions + c.compaction_count,
        trivial_moves + c.trivial_move_count,
    );
    assert!(
        flushes > 20 && compactions > 5,
        "seed {seed}: too little background work to test: {flushes} flushes, {compactions} compactions"
    );
    drop(db);
    let db = open(&fs, dir, setup, &mut rng);
    for ((pk, sk), expected) in &model {
        assert_eq!(
            db.get_item("tbl", &key(pk, Some(sk))).unwrap().as_ref(),
            Some(expected)
        );
    }
    let stats = db.stats().combined();
    assert!(stats.poisoned.is_none());
    eprintln!(
        "seed {seed}: {} items; {flushes} flushes, {compactions} compactions, {trivial_moves} trivial moves; levels now {:?}",
        model.len(),
        stats
            .levels
            .iter()
            .map(|l| l.file_count)
            .collect::<Vec<_>>()
    );
}

#[test]
fn engine_agrees_with_btreemap_model_in_memory() {
    for_each_seed(6, |seed| {
        run(seed, 4000, Arc::new(MemFs::new()), Path::new("/db"))
    });
}

/// The real-file runs, once per I/O backend.
fn run_on_real_files(backend: IoBackend, seed_offset: u64) {
    for_each_seed_on_real_files(backend, seed_offset, |seed, fs, dir| {
        run(seed, 4000, fs, dir)
    });
}

#[test]
fn engine_agrees_with_btreemap_model_on_real_files_with_io_uring() {
    run_on_real_files(IoBackend::Uring, 1000);
}

#[test]
fn engine_agrees_with_btreemap_model_on_real_files_with_portable_io() {
    run_on_real_files(IoBackend::Portable, 2000);
}
