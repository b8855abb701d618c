//! BatchGetItem and BatchWriteItem beyond their validation (which the
//! conformance suite covers): what a busy shard does to a batch, and the
//! 1 MB page cut of Query.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dynacore::io::MemFs;
use dynacore::{
    AttributeValue, BatchGetItemRequest, BatchWriteItemRequest, Db, Handoff, Item,
    KeysAndAttributes, Number, QueryRequest, ShardId, WriteRequest,
};
use dynacore_tests::{item, number, string_number_schema, string_schema, values};

fn key_item(name: &str) -> Item {
    BTreeMap::from([("pk".to_string(), AttributeValue::S(name.to_string()))])
}

/// Requests queued on a shard, to be awaited once it is released.
type Queued = Vec<Pin<Box<dyn Future<Output = ()>>>>;

/// Blocks shard 0's thread with a task until the returned flag is set, and
/// fills its request queue with reads, so the next queued request finds it
/// full. Returns the flag and what was queued (to be awaited afterwards).
fn make_shard_busy(db: &Db) -> (Arc<AtomicBool>, Queued) {
    let release = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicBool::new(false));
    let (release_in_task, started_in_task) = (release.clone(), started.clone());
    let blocker = db.run_on_shard(ShardId(0), move |_| {
        started_in_task.store(true, Ordering::Release);
        while !release_in_task.load(Ordering::Acquire) {
            std::hint::spin_loop();
        }
    });
    while !started.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
    let filler = keys_on_shard_zero(db, 1).remove(0);
    let key = dynacore_tests::key(&filler, None);
    let mut queued: Queued = Vec::new();
    // More reads than the queue holds (limits::SHARD_QUEUE_DEPTH_MAX).
    for _ in 0..5000 {
        let read = db.get_item_async("tbl", &key);
        queued.push(Box::pin(async move {
            let _ = read.await;
        }));
    }
    queued.push(Box::pin(async move {
        let _ = blocker.await;
    }));
    (release, queued)
}

/// Keys of `count` items that shard 0 owns.
fn keys_on_shard_zero(db: &Db, count: usize) -> Vec<String> {
    (0..)
        .map(|i| format!("k{i}"))
        .filter(|name| {
            db.shard_of("tbl", &dynacore::KeyValue::S(name.clone()))
                .unwrap()
                == ShardId(0)
        })
        .take(count)
        .collect()
}

/// Two shards with table `tbl`, the shard-thread hand-off and a short busy
/// bound. (With callers running requests themselves, a request would wait
/// for the shard's lock, which the blocking task of `make_shard_busy`
/// holds, instead of finding the queue full.)
fn busy_test_db() -> Db {
    let db = Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .shard_count(2)
        .handoff(Handoff::ShardThread {
            spin_iterations: 10,
        })
        .busy_wait(Duration::from_millis(5))
        .open()
        .unwrap();
    db.create_table("tbl", string_schema()).unwrap();
    db
}

#[test]
fn a_busy_shard_leaves_its_writes_unprocessed_and_they_succeed_when_resent() {
    let db = busy_test_db();
    let names = keys_on_shard_zero(&db, 3);
    let request = BatchWriteItemRequest {
        request_items: BTreeMap::from([(
            "tbl".to_string(),
            names
                .iter()
                .map(|name| WriteRequest::Put {
                    item: item(name, None, &[("v", "1")]),
                })
                .collect(),
        )]),
    };
    let (release, queued) = make_shard_busy(&db);
    let output = db.batch_write_item(&request).unwrap();
    release.store(true, Ordering::Release);
    for read in queued {
        dynacore_tests::block_on(read);
    }
    assert_eq!(
        output.unprocessed_items, request.request_items,
        "every write to the busy shard comes back"
    );
    for name in &names {
        assert_eq!(
            db.get_item("tbl", &dynacore_tests::key(name, None))
                .unwrap(),
            None
        );
    }
    let resent = BatchWriteItemRequest {
        request_items: output.unprocessed_items,
    };
    assert!(
        db.batch_write_item(&resent)
            .unwrap()
            .unprocessed_items
            .is_empty()
    );
    for name in &names {
        assert!(
            db.get_item("tbl", &dynacore_tests::key(name, None))
                .unwrap()
                .is_some()
        );
    }
}

#[test]
fn a_busy_shard_leaves_its_keys_unprocessed() {
    let db = busy_test_db();
    let names = keys_on_shard_zero(&db, 2);
    for name in &names {
        db.put_item("tbl", &item(name, None, &[])).unwrap();
    }
    let wanted = KeysAndAttributes {
        keys: names.iter().map(|n| key_item(n)).collect(),
        ..KeysAndAttributes::default()
    };
    let request = BatchGetItemRequest {
        request_items: BTreeMap::from([("tbl".to_string(), wanted.clone())]),
    };
    let (release, queued) = make_shard_busy(&db);
    let output = db.batch_get_item(&request).unwrap();
    release.store(true, Ordering::Release);
    for read in queued {
        dynacore_tests::block_on(read);
    }
    assert_eq!(output.unprocessed_keys["tbl"], wanted);
    assert!(output.responses.get("tbl").is_none_or(Vec::is_empty));
    let again = db.batch_get_item(&request).unwrap();
    assert!(again.unprocessed_keys.is_empty());
    assert_eq!(again.responses["tbl"].len(), names.len());
}

#[test]
fn a_query_page_ends_with_the_item_that_crosses_1_mb() {
    let db = Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .open()
        .unwrap();
    db.create_table("tbl", string_number_schema()).unwrap();
    // Each item is 100 KB of value plus its names and keys: ten fit under
    // 1 MB (1,048,576 bytes), the eleventh crosses it and ends the page.
    let pad = "x".repeat(100 * 1024);
    for sk in 0..30 {
        db.put_item(
            "tbl",
            &item("p", Some(&number(&sk.to_string())), &[("pad", &pad)]),
        )
        .unwrap();
    }
    let request = QueryRequest {
        table_name: "tbl".into(),
        key_condition_expression: Some("pk = :p".into()),
        expression_attribute_values: Some(values(&[(":p", AttributeValue::S("p".into()))])),
        ..QueryRequest::default()
    };
    let page = db.query(&request).unwrap();
    assert_eq!(page.scanned_count, 11);
    assert_eq!(page.count, 11);
    let last = page.last_evaluated_key.expect("more follow");
    assert_eq!(last["sk"], AttributeValue::N(number("10")));
    let all = dynacore_tests::query_all(&db, &request);
    assert_eq!(all.len(), 30);
}

/// Ranges longer than one lock hold's visit budget
/// (`limits::SCAN_ENTRIES_PER_LOCK_HOLD`) are read in steps that resume
/// where the last stopped: forward, reverse, and a sparse parallel-scan
/// segment must still see every item exactly once.
#[test]
fn long_ranges_are_read_in_resumed_steps_without_loss() {
    let db = Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .shard_count(2)
        .open()
        .unwrap();
    db.create_table("tbl", string_number_schema()).unwrap();
    let count = 5000;
    for sk in 0..count {
        db.put_item("tbl", &item("p", Some(&number(&sk.to_string())), &[]))
            .unwrap();
    }
    db.flush().unwrap();
    let query = |forward: bool, limit: Option<usize>| QueryRequest {
        table_name: "tbl".into(),
        key_condition_expression: Some("pk = :p".into()),
        expression_attribute_values: Some(values(&[(":p", AttributeValue::S("p".into()))])),
        scan_index_forward: forward,
        limit,
        ..QueryRequest::default()
    };
    let sort_keys = |items: &[Item]| -> Vec<Number> {
        items
            .iter()
            .map(|item| match &item["sk"] {
                AttributeValue::N(n) => *n,
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let all: Vec<Number> = (0..count).map(|sk| number(&sk.to_string())).collect();
    // Compared without printing 5000 numbers on a failure.
    let same = |got: &[Number], want: &[Number], what: &str| {
        let first_difference = got.iter().zip(want).position(|(a, b)| a != b);
        assert!(
            got.len() == want.len() && first_difference.is_none(),
            "{what}: {} items, expected {}; first difference at {first_difference:?}",
            got.len(),
            want.len()
        );
    };
    let page = db.query(&query(true, None)).unwrap();
    same(
        &sort_keys(&page.items),
        &all,
        "one forward page of every item",
    );
    let newest = db.query(&query(false, Some(3))).unwrap();
    assert_eq!(
        sort_keys(&newest.items),
        all.iter().rev().take(3).copied().collect::<Vec<_>>()
    );
    let mut reversed = all.clone();
    reversed.reverse();
    same(
        &sort_keys(&dynacore_tests::query_all(&db, &query(false, Some(1700)))),
        &reversed,
        "reverse pages",
    );
    // One partition, so every segment but one is empty: that one must
    // return all of it, the others nothing, however far they read.
    let mut seen = 0;
    for segment in 0..4 {
        let request = dynacore::ScanRequest {
            table_name: "tbl".into(),
            segment: Some(segment),
            total_segments: Some(4),
            ..dynacore::ScanRequest::default()
        };
        seen += dynacore_tests::scan_all(&db, &request).len();
    }
    assert_eq!(seen, count);
}
