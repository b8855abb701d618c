//! Fault tests: failed syncs and flipped bits.
//!
//! - A failed WAL fsync stops further writes with a clear error
//!   (`Error::Poisoned`), and after reopening every acknowledged write is
//!   there.
//! - A flipped bit in any SSTable block, a manifest record followed by
//!   others, or a WAL record followed by others is reported as corruption:
//!   it is never returned as data.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dynacore::io::{FaultKind, FaultyFs, Fs, MemFs};
use dynacore::{Db, Durability, Error};
use dynacore_tests::{Rng, item, key, string_schema};

/// One shard, so that every file the tests inspect is in `SHARD_DIR`.
fn open_on(fs: Arc<dyn Fs>) -> dynacore::Result<Db> {
    Db::builder("/db")
        .fs(fs)
        .shard_count(1)
        .durability(Durability::Sync)
        .memtable_size_bytes_max(16 * 1024)
        .open()
}

const SHARD_DIR: &str = "/db/shard-000";

fn files_named(fs: &MemFs, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs
        .list_dir(Path::new(SHARD_DIR))
        .unwrap()
        .into_iter()
        .filter(|n| n.ends_with(suffix) || n.starts_with(suffix))
        .map(|n| Path::new(SHARD_DIR).join(n))
        .collect();
    files.sort();
    files
}

#[test]
fn failed_wal_sync_poisons_writes_and_loses_nothing_acknowledged() {
    for fail_after in [0u64, 1, 5, 17] {
        let mem = MemFs::new();
        let faulty = FaultyFs::new(Arc::new(mem.clone()));
        let db = open_on(Arc::new(faulty.clone())).unwrap();
        db.create_table("tbl", string_schema()).unwrap();
        faulty.set_path_filter(".wal");
        faulty.fail_sync_after(fail_after, false);
        let mut acknowledged = Vec::new();
        let mut first_error = None;
        for i in 0..40 {
            match db.put_item("tbl", &item(&format!("k{i}"), None, &[("v", "x")])) {
                Ok(()) => acknowledged.push(i),
                Err(e) => {
                    first_error = Some(e);
                    break;
                }
            }
        }
        let first_error = first_error.expect("the injected fsync failure must surface");
        assert!(
            first_error.to_string().contains("fdatasync"),
            "{first_error}"
        );
        assert_eq!(acknowledged.len() as u64, fail_after);
        // The fault is gone, but the shard must not carry on as if nothing happened.
        faulty.clear();
        let again = db.put_item("tbl", &item("later", None, &[])).unwrap_err();
        assert!(matches!(again, Error::Poisoned { .. }), "{again}");
        assert!(again.to_string().contains("reopen"), "{again}");
        // Reads still work and see every acknowledged write.
        for i in &acknowledged {
            assert!(
                db.get_item("tbl", &key(&format!("k{i}"), None))
                    .unwrap()
                    .is_some()
            );
        }
        drop(db);
        mem.crash();
        let db = open_on(Arc::new(mem.clone())).unwrap();
        for i in &acknowledged {
            assert!(
                db.get_item("tbl", &key(&format!("k{i}"), None))
                    .unwrap()
                    .is_some(),
                "k{i} lost"
            );
        }
        db.put_item("tbl", &item("after-reopen", None, &[]))
            .unwrap();
    }
}

#[test]
fn failed_sstable_write_poisons_instead_of_losing_data() {
    let mem = MemFs::new();
    let faulty = FaultyFs::new(Arc::new(mem.clone()));
    let db = open_on(Arc::new(faulty.clone())).unwrap();
    db.create_table("tbl", string_schema()).unwrap();
    faulty.set_path_filter(".sst");
    faulty.fail_writes_after_bytes(100, FaultKind::NoSpace, true);
    let mut acknowledged = Vec::new();
    let mut saw_error = None;
    for i in 0..2000 {
        match db.put_item(
            "tbl",
            &item(&format!("k{i}"), None, &[("v", &"y".repeat(100))]),
        ) {
            Ok(()) => acknowledged.push(i),
            Err(e) => {
                saw_error = Some(e);
                break;
            }
        }
    }
    let error = saw_error.expect("the full disk must surface once a flush is needed");
    assert!(
        error.to_string().contains("No space") || matches!(error, Error::Poisoned { .. }),
        "{error}"
    );
    drop(db);
    let db = open_on(Arc::new(mem.clone())).unwrap();
    for i in &acknowledged {
        assert!(
            db.get_item("tbl", &key(&format!("k{i}"), None))
                .unwrap()
                .is_some(),
            "k{i} lost"
        );
    }
}

/// Flips bits across the whole of a file; every read afterwards must give
/// the right answer or a corruption error.
#[test]
fn flipped_bit_in_any_sstable_block_is_reported_not_returned() {
    let mem = MemFs::new();
    {
        let db = open_on(Arc::new(mem.clone())).unwrap();
        db.create_table("tbl", string_schema()).unwrap();
        for i in 0..300 {
            db.put_item(
                "tbl",
                &item(&format!("k{i:04}"), None, &[("v", &format!("value-{i}"))]),
            )
            .unwrap();
        }
        db.flush().unwrap();
    }
    let tables = files_named(&mem, ".sst");
    assert!(!tables.is_empty());
    let mut rng = Rng::new(7);
    let mut detected = 0;
    let mut probes = Vec::new();
    for sst in &tables {
        let length = mem.file_len(sst).unwrap();
        probes.extend(
            (0..length)
                .step_by(((length / 300).max(1)) as usize)
                .map(|o| (sst.clone(), o)),
        );
        probes.extend((length.saturating_sub(64)..length).map(|o| (sst.clone(), o))); // the whole footer
    }
    let probe_count = probes.len();
    for (sst, offset) in probes {
        let sst = &sst;
        let bit = rng.below(8) as u8;
        mem.flip_bit(sst, offset, bit).unwrap();
        match open_on(Arc::new(mem.clone())) {
            Err(e) => {
                assert!(
                    e.is_corruption(),
                    "offset {offset}: open failed without corruption: {e}"
                );
                detected += 1;
            }
            Ok(db) => {
                let mut bad = false;
                for i in 0..300 {
                    match db.get_item("tbl", &key(&format!("k{i:04}"), None)) {
                        Ok(Some(found)) => {
                            assert_eq!(
                                found,
                                item(&format!("k{i:04}"), None, &[("v", &format!("value-{i}"))]),
                                "offset {offset}: wrong data returned"
                            );
                        }
                        Ok(None) => panic!("offset {offset}: k{i:04} silently vanished"),
                        Err(e) => {
                            assert!(e.is_corruption(), "offset {offset}: {e}");
                            bad = true;
                        }
                    }
                }
                let scan = db.scan(&dynacore_tests::scan_request("tbl", None));
                match scan {
                    Ok(page) => {
                        assert_eq!(page.items.len(), 300, "offset {offset}: scan lost items")
                    }
                    Err(e) => {
                        assert!(e.is_corruption(), "offset {offset}: {e}");
                        bad = true;
                    }
                }
                assert!(
                    bad,
                    "offset {offset} bit {bit}: a flipped bit went unnoticed"
                );
                detected += 1;
            }
        }
        mem.flip_bit(sst, offset, bit).unwrap();
    }
    assert_eq!(detected, probe_count, "every flipped bit must be detected");
}

#[test]
fn flipped_bit_in_an_earlier_manifest_record_is_corruption() {
    let mem = MemFs::new();
    {
        let db = open_on(Arc::new(mem.clone())).unwrap();
        for name in ["aaa", "bbb", "ccc"] {
            db.create_table(name, string_schema()).unwrap();
        }
    }
    let manifest = files_named(&mem, "MANIFEST-");
    assert_eq!(manifest.len(), 1);
    // Byte 20 lies in the first record (the snapshot), which later records follow.
    mem.flip_bit(&manifest[0], 20, 3).unwrap();
    let error = open_on(Arc::new(mem.clone())).unwrap_err();
    assert!(error.is_corruption(), "{error}");
    assert!(
        error.to_string().contains("MANIFEST-"),
        "the error names the file: {error}"
    );
}

#[test]
fn flipped_bit_in_a_mid_wal_record_is_corruption() {
    let mem = MemFs::new();
    {
        let db = open_on(Arc::new(mem.clone())).unwrap();
        db.create_table("tbl", string_schema()).unwrap();
        for i in 0..20 {
            db.put_item("tbl", &item(&format!("k{i}"), None, &[("v", "x")]))
                .unwrap();
        }
        // Dropped without a flush: the WAL holds 20 records.
    }
    let wal = files_named(&mem, ".wal");
    assert_eq!(wal.len(), 1);
    mem.flip_bit(&wal[0], 12, 0).unwrap();
    let error = open_on(Arc::new(mem.clone())).unwrap_err();
    assert!(error.is_corruption(), "{error}");
    assert!(
        error.to_string().contains(".wal"),
        "the error names the file: {error}"
    );
}
