//! The embedded API's behaviour: tables, items, errors, pagination.

use std::sync::Arc;

use dynacore::io::MemFs;
use dynacore::{AttributeValue, Db, Error, KeyValue, QueryRequest};
use dynacore_tests::{block_on, item, key, number, string_number_schema, string_schema, tempdir};

fn db() -> Db {
    Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .open()
        .unwrap()
}

/// An in-memory database with `shards` shards.
fn db_with_shards(shards: usize) -> Db {
    Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .shard_count(shards)
        .open()
        .unwrap()
}

#[test]
fn tables_are_created_described_listed_and_deleted() {
    let db = db();
    let created = db.create_table("users", string_number_schema()).unwrap();
    assert_eq!(db.describe_table("users").unwrap(), created);
    db.create_table("orders", string_schema()).unwrap();
    assert_eq!(db.list_tables(), ["orders", "users"]);
    assert!(matches!(
        db.create_table("users", string_schema()),
        Err(Error::TableAlreadyExists(_))
    ));
    assert!(matches!(
        db.create_table("x", string_schema()),
        Err(Error::Validation(_))
    ));
    db.put_item("users", &item("a", Some(&number("1")), &[]))
        .unwrap();
    db.delete_table("users").unwrap();
    assert!(matches!(
        db.describe_table("users"),
        Err(Error::TableNotFound(_))
    ));
    assert!(matches!(
        db.get_item("users", &key("a", Some(&number("1")))),
        Err(Error::TableNotFound(_))
    ));
    // A new table of the same name starts empty: ids are never reused.
    db.create_table("users", string_number_schema()).unwrap();
    assert_eq!(
        db.get_item("users", &key("a", Some(&number("1")))).unwrap(),
        None
    );
}

#[test]
fn tables_and_items_survive_reopen_on_real_files() {
    let dir = tempdir();
    {
        let db = Db::open(&dir).unwrap();
        db.create_table("tbl", string_schema()).unwrap();
        db.put_item("tbl", &item("k", None, &[("v", "1")])).unwrap();
        assert!(
            matches!(Db::open(&dir), Err(Error::Locked { .. })),
            "a second open must be refused"
        );
    }
    let db = Db::open(&dir).unwrap();
    assert_eq!(
        db.get_item("tbl", &key("k", None)).unwrap(),
        Some(item("k", None, &[("v", "1")]))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_items_are_rejected_and_change_nothing() {
    let db = db();
    db.create_table("tbl", string_number_schema()).unwrap();
    let mut missing_sort_key = item("a", None, &[]);
    assert!(matches!(
        db.put_item("tbl", &missing_sort_key),
        Err(Error::Validation(_))
    ));
    missing_sort_key.insert("sk".into(), AttributeValue::S("not a number".into()));
    let error = db.put_item("tbl", &missing_sort_key).unwrap_err();
    assert!(error.to_string().contains("Type mismatch"), "{error}");
    let huge = item("a", Some(&number("1")), &[("v", &"x".repeat(400 * 1024))]);
    let error = db.put_item("tbl", &huge).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Item size has exceeded the maximum allowed size"),
        "{error}"
    );
    assert_eq!(
        db.scan(&dynacore_tests::scan_request("tbl", None))
            .unwrap()
            .items,
        []
    );
    assert_eq!(db.stats().combined().counters.batches_written, 0);
}

#[test]
fn query_pages_through_a_partition_in_sort_key_order() {
    let db = db();
    db.create_table("tbl", string_number_schema()).unwrap();
    let sort_keys = ["-10", "-1.5", "0", "0.25", "2", "10", "1E3"];
    for (i, sk) in sort_keys.iter().rev().enumerate() {
        db.put_item(
            "tbl",
            &item("p", Some(&number(sk)), &[("i", &i.to_string())]),
        )
        .unwrap();
        db.put_item("tbl", &item("q", Some(&number(sk)), &[]))
            .unwrap();
    }
    let mut request = QueryRequest {
        table_name: "tbl".into(),
        key_condition_expression: Some("pk = :p".into()),
        expression_attribute_values: Some(dynacore_tests::values(&[(
            ":p",
            AttributeValue::S("p".into()),
        )])),
        limit: Some(3),
        ..QueryRequest::default()
    };
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = db.query(&request).unwrap();
        pages += 1;
        seen.extend(page.items.iter().map(|it| match &it["sk"] {
            AttributeValue::N(n) => *n,
            other => panic!("{other:?}"),
        }));
        match page.last_evaluated_key {
            Some(k) => request.exclusive_start_key = Some(k),
            None => break,
        }
    }
    let expected: Vec<_> = sort_keys.iter().map(|s| number(s)).collect();
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
}

#[test]
fn reopening_with_another_shard_count_is_refused_with_the_stored_count() {
    let fs = Arc::new(MemFs::new());
    let open = |shards: Option<usize>| {
        let builder = Db::builder("/db").fs(fs.clone());
        match shards {
            Some(n) => builder.shard_count(n).open(),
            None => builder.open(),
        }
    };
    let db = open(Some(3)).unwrap();
    db.create_table("tbl", string_schema()).unwrap();
    db.put_item("tbl", &item("a", None, &[])).unwrap();
    drop(db);
    let error = open(Some(2)).unwrap_err();
    assert!(matches!(error, Error::InvalidConfig(_)), "{error}");
    assert!(
        error.to_string().contains("written with 3 shards"),
        "{error}"
    );
    // Without an explicit count, the stored one is used.
    let db = open(None).unwrap();
    assert_eq!(db.shard_count(), 3);
    assert!(db.get_item("tbl", &key("a", None)).unwrap().is_some());
}

#[test]
fn items_spread_over_shards_and_every_shard_reports_its_share() {
    let db = db_with_shards(2);
    db.create_table("tbl", string_schema()).unwrap();
    for i in 0..200 {
        db.put_item("tbl", &item(&format!("k{i}"), None, &[]))
            .unwrap();
    }
    for i in 0..200 {
        assert!(
            db.get_item("tbl", &key(&format!("k{i}"), None))
                .unwrap()
                .is_some()
        );
    }
    let stats = db.stats();
    assert_eq!(stats.io_backend, "custom");
    for shard in &stats.shards {
        let ops = &shard.operations;
        // 200 keys hashed over 2 shards: each gets a fair share.
        assert!(
            ops.write_batches > 60 && ops.gets > 60,
            "{:?}: {ops:?}",
            shard.shard
        );
        assert_eq!(ops.write_batches, ops.gets, "{:?}", shard.shard);
        assert!(shard.group_commit.groups > 0);
        assert!(shard.fsync_latency.count > 0);
    }
    let total: u64 = stats
        .shards
        .iter()
        .map(|s| s.operations.write_batches)
        .sum();
    assert_eq!(total, 200);
}

#[test]
fn async_calls_complete_through_any_executor() {
    let db = db_with_shards(2);
    db.create_table("tbl", string_schema()).unwrap();
    let writes: Vec<_> = (0..50)
        .map(|i| db.put_item_async("tbl", &item(&format!("k{i}"), None, &[("v", "x")])))
        .collect();
    for write in writes {
        block_on(write).unwrap();
    }
    for i in 0..50 {
        let got = block_on(db.get_item_async("tbl", &key(&format!("k{i}"), None))).unwrap();
        assert_eq!(got, Some(item(&format!("k{i}"), None, &[("v", "x")])));
    }
    block_on(db.delete_item_async("tbl", &key("k0", None))).unwrap();
    assert_eq!(
        block_on(db.get_item_async("tbl", &key("k0", None))).unwrap(),
        None
    );
    // Errors arrive through the future too.
    assert!(matches!(
        block_on(db.get_item_async("nope", &key("k0", None))),
        Err(Error::TableNotFound(_))
    ));
}

#[test]
fn batch_write_and_batch_get_span_shards() {
    use dynacore::BatchWrite;
    let db = db_with_shards(3);
    db.create_table("tbl", string_schema()).unwrap();
    let writes: Vec<BatchWrite> = (0..25)
        .map(|i| BatchWrite::Put(item(&format!("k{i}"), None, &[])))
        .chain([BatchWrite::Delete(key("k3", None))])
        .collect();
    db.batch_write("tbl", &writes).unwrap();
    let keys: Vec<_> = (0..26).map(|i| key(&format!("k{i}"), None)).collect();
    let got = db.batch_get("tbl", &keys).unwrap();
    for (i, found) in got.iter().enumerate() {
        // k3 was put then deleted in the same batch: the later write wins.
        assert_eq!(found.is_some(), i != 3 && i < 25, "k{i}");
    }
    let writes_per_shard: Vec<u64> = db
        .stats()
        .shards
        .iter()
        .map(|s| s.operations.write_batches)
        .collect();
    assert_eq!(writes_per_shard, [1, 1, 1], "one batch per shard");
}

/// Flushes and compactions run by the shard threads leave obsolete files,
/// which the shard thread removes after releasing the shard's lock: once
/// background work is idle, every SSTable on disk is live.
#[test]
#[allow(clippy::disallowed_methods)] // Polls the shard threads' progress with short sleeps.
fn shard_threads_remove_obsolete_files_after_background_work() {
    use dynacore::compaction::CompactionOptions;
    use dynacore::io::Fs;
    let fs = MemFs::new();
    let db = Db::builder("/db")
        .fs(Arc::new(fs.clone()))
        .shard_count(2)
        .durability(dynacore::Durability::None)
        .memtable_size_bytes_max(8 * 1024)
        .compaction_options(CompactionOptions {
            l0_compaction_trigger: 2,
            l1_size_bytes: 16 * 1024,
            level_size_ratio: 4,
            sstable_size_bytes_target: 8 * 1024,
        })
        .open()
        .unwrap();
    db.create_table("tbl", string_schema()).unwrap();
    let padding = "x".repeat(300);
    for i in 0..2_000 {
        db.put_item(
            "tbl",
            &item(&format!("k{}", i % 700), None, &[("v", &padding)]),
        )
        .unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let stats = loop {
        let stats = db.stats();
        let idle = stats.shards.iter().all(|s| !s.lsm.background_work_pending);
        if idle || std::time::Instant::now() > deadline {
            break stats;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    // One more turn of each shard thread (its park timeout is 100 ms) to
    // remove what the last background step left.
    std::thread::sleep(std::time::Duration::from_millis(250));
    let combined = stats.combined();
    assert!(combined.counters.compaction_count > 0, "no compaction ran");
    for shard in &stats.shards {
        let dir = dynacore::shard_dir(std::path::Path::new("/db"), shard.shard);
        let on_disk = fs
            .list_dir(&dir)
            .unwrap()
            .into_iter()
            .filter(|name| name.ends_with(".sst"))
            .count();
        let live: usize = shard.lsm.levels.iter().map(|l| l.file_count).sum();
        assert_eq!(
            on_disk, live,
            "{:?}: obsolete SSTables left on disk",
            shard.shard
        );
    }
}

/// The shard-local API: a task runs on the shard owning key `a`, reads it,
/// is refused a key another shard owns, and passes work to that shard
/// through the mesh, whose task writes key `b` durably.
#[test]
fn tasks_run_next_to_their_data_and_pass_work_through_the_mesh() {
    let db = db_with_shards(2);
    db.create_table("tbl", string_schema()).unwrap();
    let owner = |name: &str| db.shard_of("tbl", &KeyValue::S(name.into())).unwrap();
    let a = "k0".to_owned();
    let b = (1..100)
        .map(|i| format!("k{i}"))
        .find(|name| owner(name) != owner(&a))
        .expect("some key lives on the other shard");
    let (shard_a, shard_b) = (owner(&a), owner(&b));
    db.put_item("tbl", &item(&a, None, &[("v", "from a")]))
        .unwrap();

    let table = db.describe_table("tbl").unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    let (key_a, key_b, name_b) = (key(&a, None), key(&b, None), b.clone());
    let ran_on = db
        .run_on_shard(shard_a, move |local| {
            let found = local.get_item(&table, &key_a).unwrap().unwrap();
            assert!(matches!(
                local.get_item(&table, &key_b),
                Err(Error::WrongShard { .. })
            ));
            let value = match &found["v"] {
                AttributeValue::S(v) => v.clone(),
                other => panic!("unexpected {other:?}"),
            };
            local
                .send_to(shard_b, move |remote| {
                    let write = remote.put_item(&table, &item(&name_b, None, &[("v", &value)]));
                    sender.send((remote.shard_id(), write)).unwrap();
                })
                .unwrap();
            local.shard_id()
        })
        .wait(0)
        .unwrap();
    assert_eq!(ran_on, shard_a);
    let (remote_shard, write) = receiver
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the task sent through the mesh ran");
    assert_eq!(remote_shard, shard_b);
    write.wait(0).unwrap();
    assert_eq!(
        db.get_item("tbl", &key(&b, None)).unwrap(),
        Some(item(&b, None, &[("v", "from a")]))
    );
    let tasks: Vec<u64> = db
        .stats()
        .shards
        .iter()
        .map(|s| s.operations.tasks)
        .collect();
    assert_eq!(tasks, [1, 1]);
}

/// A task that panics is reported through its future, and its shard keeps
/// serving.
#[test]
fn a_panicking_task_is_reported_and_the_shard_keeps_serving() {
    let db = db_with_shards(2);
    db.create_table("tbl", string_schema()).unwrap();
    let shard = db.shard_of("tbl", &KeyValue::S("k".into())).unwrap();
    let error = db
        .run_on_shard(shard, |_| -> u32 { panic!("boom") })
        .wait(0)
        .unwrap_err();
    assert!(
        matches!(&error, Error::TaskPanicked { message, .. } if message == "boom"),
        "{error}"
    );
    // Queued work still reaches the shard thread.
    let put = db.put_item_async("tbl", &item("k", None, &[]));
    block_on(put).unwrap();
    assert_eq!(
        db.run_on_shard(shard, |l| l.shard_id()).wait(0).unwrap(),
        shard
    );
    assert_eq!(
        db.stats().shards[shard.0 as usize].operations.task_panics,
        1
    );
}

/// Closing the database finishes tasks already sent between shards, and a
/// task may hold (and drop) the last handle without hanging or panicking.
#[test]
#[allow(clippy::disallowed_methods)] // Waits for the closing thread with short sleeps.
fn closing_finishes_mesh_tasks_and_may_happen_on_a_shard_thread() {
    let fs = Arc::new(MemFs::new());
    let open = || Db::builder("/db").fs(fs.clone()).shard_count(2).open();
    let db = open().unwrap();
    db.create_table("tbl", string_schema()).unwrap();
    let table = db.describe_table("tbl").unwrap();
    let target = db.shard_of("tbl", &KeyValue::S("sent".into())).unwrap();
    let other = dynacore::ShardId(1 - target.0);
    db.run_on_shard(other, move |local| {
        local
            .send_to(target, move |remote| {
                // Not waited for: closing must still lead its group commit.
                drop(remote.put_item(&table, &item("sent", None, &[])));
            })
            .unwrap();
    })
    .wait(0)
    .unwrap();
    // The last handle goes inside a task, on a shard thread.
    let last = db.clone();
    let outcome = db.run_on_shard(other, move |_| drop(last));
    drop(db);
    outcome.wait(0).unwrap();
    // The database closes on a helper thread; reopen once it has.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let db = loop {
        match open() {
            Ok(db) => break db,
            Err(Error::Locked { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => panic!("reopen: {e}"),
        }
    };
    assert!(db.get_item("tbl", &key("sent", None)).unwrap().is_some());
}

#[test]
fn a_page_that_reaches_its_limit_has_a_last_evaluated_key_even_at_the_end() {
    let db = db_with_shards(2);
    db.create_table("tbl", string_number_schema()).unwrap();
    for sk in 0..5 {
        db.put_item("tbl", &item("p", Some(&number(&sk.to_string())), &[]))
            .unwrap();
    }
    let mut request = QueryRequest {
        table_name: "tbl".into(),
        key_condition_expression: Some("pk = :p".into()),
        expression_attribute_values: Some(dynacore_tests::values(&[(
            ":p",
            AttributeValue::S("p".into()),
        )])),
        limit: Some(5),
        ..QueryRequest::default()
    };
    let page = db.query(&request).unwrap();
    assert_eq!(page.count, 5);
    // DynamoDB cannot know no item follows a page cut at its limit.
    let last = page
        .last_evaluated_key
        .expect("a page cut at Limit has a key");
    request.exclusive_start_key = Some(last);
    let next = db.query(&request).unwrap();
    assert_eq!((next.count, next.last_evaluated_key), (0, None));
    // The same for a Scan over both shards.
    let scan = db
        .scan(&dynacore_tests::scan_request("tbl", Some(5)))
        .unwrap();
    assert_eq!(scan.count, 5);
    assert!(scan.last_evaluated_key.is_some());
}

/// The README's library example, as written there (on an in-memory
/// database instead of `/tmp/my-db`).
#[test]
fn the_readme_example_works() -> Result<(), Box<dyn std::error::Error>> {
    use dynacore::{
        KeyAttribute, KeyType, PrimaryKey, ReturnValues, TableSchema, UpdateItemRequest,
    };
    let db = db();
    db.create_table(
        "users",
        TableSchema {
            partition_key: KeyAttribute {
                name: "id".into(),
                key_type: KeyType::S,
            },
            sort_key: None,
        },
    )?;
    let mut item = std::collections::BTreeMap::new();
    item.insert("id".to_string(), AttributeValue::S("u1".into()));
    item.insert("age".to_string(), AttributeValue::N("42".parse()?));
    db.put_item("users", &item)?;
    let key = PrimaryKey {
        partition: KeyValue::S("u1".into()),
        sort: None,
    };
    assert_eq!(db.get_item("users", &key)?, Some(item));
    let key_item =
        std::collections::BTreeMap::from([("id".to_string(), AttributeValue::S("u1".into()))]);
    let request = UpdateItemRequest {
        table_name: "users".into(),
        key: key_item,
        update_expression: Some("SET age = age + :one".into()),
        condition_expression: Some("age = :seen".into()),
        expression_attribute_values: Some(std::collections::BTreeMap::from([
            (":one".to_string(), AttributeValue::N("1".parse()?)),
            (":seen".to_string(), AttributeValue::N("42".parse()?)),
        ])),
        return_values: ReturnValues::UpdatedNew,
        ..Default::default()
    };
    let updated = db.update_item(&request)?;
    assert_eq!(
        updated.attributes.unwrap()["age"],
        AttributeValue::N("43".parse()?)
    );
    // The same request again: age is 43 now, so the condition fails.
    assert!(matches!(
        db.update_item(&request),
        Err(Error::ConditionalCheckFailed { .. })
    ));
    Ok(())
}
