//! The durability modes: what each one promises after a power loss.
//!
//! `MemFs::crash` drops exactly what was not synced, and a `ManualClock`
//! drives `Durability::Interval` without sleeping.

use std::sync::Arc;
use std::time::Duration;

use dynacore::io::{ManualClock, MemFs};
use dynacore::{Db, Durability};
use dynacore_tests::{item, key, string_schema};

fn open(fs: &MemFs, clock: &ManualClock, durability: Durability) -> Db {
    // One shard: the interval is per shard's WAL, and the test counts one WAL's syncs.
    Db::builder("/db")
        .shard_count(1)
        .fs(Arc::new(fs.clone()))
        .clock(Arc::new(clock.clone()))
        .durability(durability)
        .open()
        .unwrap()
}

fn present(db: &Db, name: &str) -> bool {
    db.get_item("tbl", &key(name, None)).unwrap().is_some()
}

#[test]
fn interval_mode_syncs_once_the_interval_has_passed() {
    let fs = MemFs::new();
    let clock = ManualClock::new();
    let db = open(&fs, &clock, Durability::Interval(Duration::from_millis(10)));
    db.create_table("tbl", string_schema()).unwrap();
    let syncs_before = db.stats().combined().counters.wal_syncs;
    db.put_item("tbl", &item("early", None, &[])).unwrap();
    assert_eq!(
        db.stats().combined().counters.wal_syncs,
        syncs_before,
        "no sync before the interval"
    );
    clock.advance(Duration::from_millis(10));
    db.tick().unwrap();
    assert_eq!(
        db.stats().combined().counters.wal_syncs,
        syncs_before + 1,
        "tick syncs once the interval passed"
    );
    db.put_item("tbl", &item("late", None, &[])).unwrap();
    drop(db);
    fs.crash();
    let db = open(&fs, &clock, Durability::Sync);
    assert!(
        present(&db, "early"),
        "synced by the tick: must survive a power loss"
    );
    assert!(
        !present(&db, "late"),
        "written after the last sync: a power loss drops it"
    );
}

#[test]
fn interval_mode_syncs_on_the_write_that_finds_the_interval_passed() {
    let fs = MemFs::new();
    let clock = ManualClock::new();
    let db = open(&fs, &clock, Durability::Interval(Duration::from_millis(10)));
    db.create_table("tbl", string_schema()).unwrap();
    db.put_item("tbl", &item("a", None, &[])).unwrap();
    clock.advance(Duration::from_millis(11));
    db.put_item("tbl", &item("b", None, &[])).unwrap();
    drop(db);
    fs.crash();
    let db = open(&fs, &clock, Durability::Sync);
    assert!(present(&db, "a") && present(&db, "b"));
}

#[test]
fn none_mode_survives_a_process_crash_but_not_a_power_loss() {
    let fs = MemFs::new();
    let clock = ManualClock::new();
    let db = open(&fs, &clock, Durability::None);
    db.create_table("tbl", string_schema()).unwrap();
    db.put_item("tbl", &item("a", None, &[])).unwrap();
    drop(db); // A process crash: the OS still has every write.
    let db = open(&fs, &clock, Durability::None);
    assert!(
        present(&db, "a"),
        "recovery replayed the flushed WAL (and synced it into a table)"
    );
    db.put_item("tbl", &item("b", None, &[])).unwrap();
    db.sync().unwrap();
    db.put_item("tbl", &item("c", None, &[])).unwrap();
    drop(db);
    fs.crash(); // A power loss: only what was synced.
    let db = open(&fs, &clock, Durability::None);
    assert!(present(&db, "a") && present(&db, "b"));
    assert!(!present(&db, "c"));
}
