//! Concurrent conditional writes: no lost update.
//!
//! Many threads race optimistic-concurrency updates on a few shared items:
//! each reads an item's `version`, then writes `version + 1` with the
//! condition `version = :seen`. A write that loses the race fails with
//! `ConditionalCheckFailed` and is retried. Every read-modify-write runs on
//! the item's owning shard, serialised with the shard's other writes even
//! while group commits are in flight, so at the end each item's version
//! equals the number of successful writes to it, and its `writers` list
//! holds exactly one entry per success. A second race does the same with
//! unconditional `ADD` increments. Run with both durability modes, one and
//! two shards, and both hand-off modes.

use std::collections::BTreeMap;
use std::sync::Arc;

use dynacore::io::MemFs;
use dynacore::{
    AttributeValue, Db, Durability, Error, GetItemRequest, Handoff, Item, Number, PutItemRequest,
    UpdateItemRequest,
};
use dynacore_tests::{Rng, for_each_seed, string_schema, values};

const THREADS: usize = 6;
const ITEMS: usize = 3;

fn open(shard_count: usize, durability: Durability, handoff: Handoff) -> Db {
    Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .shard_count(shard_count)
        .durability(durability)
        .handoff(handoff)
        .memtable_size_bytes_max(32 * 1024)
        .open()
        .expect("open")
}

fn key(name: &str) -> Item {
    BTreeMap::from([("pk".to_string(), AttributeValue::S(name.to_string()))])
}

fn version_of(item: &Item) -> u64 {
    match item.get("version") {
        Some(AttributeValue::N(n)) => n.to_u64().expect("versions are whole"),
        other => panic!("version is {other:?}"),
    }
}

fn number(value: u64) -> AttributeValue {
    AttributeValue::N(Number::from(value))
}

/// One thread's optimistic updates: `attempts` successful writes spread
/// over the items; returns how many it made to each, and its retries.
fn optimistic_writer(db: &Db, thread: usize, seed: u64, attempts: usize) -> ([u64; ITEMS], u64) {
    let mut rng = Rng::new(seed * 31 + thread as u64);
    let mut successes = [0u64; ITEMS];
    let mut retries = 0;
    for _ in 0..attempts {
        let index = rng.below(ITEMS as u64) as usize;
        let name = format!("item{index}");
        loop {
            let current = db
                .get_item_with(&GetItemRequest {
                    table_name: "tbl".into(),
                    key: key(&name),
                    consistent_read: true,
                    ..GetItemRequest::default()
                })
                .unwrap()
                .expect("items exist");
            let seen = version_of(&current);
            let outcome = db.update_item(&UpdateItemRequest {
                table_name: "tbl".into(),
                key: key(&name),
                update_expression: Some(
                    "SET version = :next, writers = list_append(writers, :me)".into(),
                ),
                condition_expression: Some("version = :seen".into()),
                expression_attribute_values: Some(values(&[
                    (":next", number(seen + 1)),
                    (":seen", number(seen)),
                    (":me", AttributeValue::L(vec![number(thread as u64)])),
                ])),
                ..UpdateItemRequest::default()
            });
            match outcome {
                Ok(_) => {
                    successes[index] += 1;
                    break;
                }
                Err(Error::ConditionalCheckFailed { .. }) => retries += 1,
                Err(e) => panic!("thread {thread}: {e}"),
            }
        }
    }
    (successes, retries)
}

fn race(seed: u64, shard_count: usize, durability: Durability, handoff: Handoff) {
    let db = open(shard_count, durability, handoff);
    db.create_table("tbl", string_schema()).unwrap();
    for index in 0..ITEMS {
        let mut item = key(&format!("item{index}"));
        item.insert("version".into(), number(0));
        item.insert("count".into(), number(0));
        item.insert("writers".into(), AttributeValue::L(Vec::new()));
        db.put_item_with(&PutItemRequest {
            table_name: "tbl".into(),
            item,
            condition_expression: Some("attribute_not_exists(pk)".into()),
            ..PutItemRequest::default()
        })
        .unwrap();
    }
    let attempts = 60;
    let results: Vec<([u64; ITEMS], u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                let db = &db;
                scope.spawn(move || optimistic_writer(db, thread, seed, attempts))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let retries: u64 = results.iter().map(|r| r.1).sum();
    for index in 0..ITEMS {
        let successes: u64 = results.iter().map(|r| r.0[index]).sum();
        let item = db
            .get_item("tbl", &dynacore_tests::key(&format!("item{index}"), None))
            .unwrap()
            .unwrap();
        assert_eq!(
            version_of(&item),
            successes,
            "seed {seed}: item{index} lost an update ({shard_count} shards, {durability:?}, \
             {handoff:?}, {retries} retries)"
        );
        let Some(AttributeValue::L(writers)) = item.get("writers") else {
            panic!("writers is not a list");
        };
        assert_eq!(writers.len() as u64, successes, "seed {seed}: item{index}");
    }
    assert_eq!(
        results.iter().map(|r| r.0.iter().sum::<u64>()).sum::<u64>(),
        (THREADS * attempts) as u64
    );

    // Unconditional atomic increments: every one counts.
    let increments = 80;
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let db = &db;
            scope.spawn(move || {
                for step in 0..increments {
                    let name = format!("item{}", (thread + step) % ITEMS);
                    db.update_item(&UpdateItemRequest {
                        table_name: "tbl".into(),
                        key: key(&name),
                        update_expression: Some("ADD #c :one".into()),
                        expression_attribute_names: Some(BTreeMap::from([(
                            "#c".to_string(),
                            "count".to_string(),
                        )])),
                        expression_attribute_values: Some(values(&[(":one", number(1))])),
                        ..UpdateItemRequest::default()
                    })
                    .unwrap();
                }
            });
        }
    });
    let total: u64 = (0..ITEMS)
        .map(|index| {
            let item = db
                .get_item("tbl", &dynacore_tests::key(&format!("item{index}"), None))
                .unwrap()
                .unwrap();
            match &item["count"] {
                AttributeValue::N(n) => n.to_u64().unwrap(),
                other => panic!("count is {other:?}"),
            }
        })
        .sum();
    assert_eq!(
        total,
        (THREADS * increments) as u64,
        "seed {seed}: lost increments"
    );
}

#[test]
fn concurrent_conditional_updates_never_lose_an_update() {
    for_each_seed(2, |seed| {
        for (shard_count, durability) in [(1, Durability::Sync), (2, Durability::None)] {
            race(seed, shard_count, durability, Handoff::CallerRuns);
        }
        race(
            seed,
            2,
            Durability::Sync,
            Handoff::ShardThread {
                spin_iterations: 200,
            },
        );
    });
}

/// Many read-modify-writes taken at once from one thread through the async
/// calls (as a server's event loop issues them): each is decided when it is
/// issued, none waits for another's sync, and none is lost — the final
/// counts equal the increments issued, and the conditional puts that found
/// their item already there all failed.
fn async_pipeline(shard_count: usize, durability: Durability, handoff: Handoff) -> Db {
    let db = open(shard_count, durability, handoff);
    db.create_table("tbl", string_schema()).unwrap();
    let increments = 300;
    let mut updates = Vec::new();
    let mut creates = Vec::new();
    for i in 0..increments {
        let name = format!("item{}", i % ITEMS);
        updates.push(db.update_item_async(&UpdateItemRequest {
            table_name: "tbl".into(),
            key: key(&name),
            update_expression: Some("ADD #c :one".into()),
            expression_attribute_names: Some(BTreeMap::from([("#c".into(), "count".into())])),
            expression_attribute_values: Some(values(&[(":one", number(1))])),
            ..UpdateItemRequest::default()
        }));
        let mut item = key(&name);
        item.insert("count".into(), number(1_000_000));
        creates.push(db.put_item_with_async(&PutItemRequest {
            table_name: "tbl".into(),
            item,
            condition_expression: Some("attribute_not_exists(pk)".into()),
            ..PutItemRequest::default()
        }));
    }
    for update in updates {
        dynacore_tests::block_on(update).expect("increment");
    }
    for create in creates {
        match dynacore_tests::block_on(create) {
            Err(Error::ConditionalCheckFailed { .. }) => {}
            other => panic!("a create over an existing item must fail, got {other:?}"),
        }
    }
    let mut total = 0;
    for index in 0..ITEMS {
        let item = db
            .get_item_with(&GetItemRequest {
                table_name: "tbl".into(),
                key: key(&format!("item{index}")),
                ..GetItemRequest::default()
            })
            .unwrap()
            .expect("item exists");
        match item.get("count") {
            Some(AttributeValue::N(n)) => total += n.to_u64().unwrap(),
            other => panic!("count is {other:?}"),
        }
    }
    assert_eq!(total, increments as u64, "lost or doubled increments");
    db
}

#[test]
fn async_read_modify_writes_issued_together_lose_nothing() {
    for (shard_count, durability) in [(1, Durability::Sync), (2, Durability::None)] {
        async_pipeline(shard_count, durability, Handoff::CallerRuns);
    }
    async_pipeline(
        2,
        Durability::Sync,
        Handoff::ShardThread {
            spin_iterations: 200,
        },
    );
    // Under `sync`, writes taken together share group commits: fewer syncs
    // than writes (each one waiting for its own sync would make them equal).
    let db = async_pipeline(1, Durability::Sync, Handoff::CallerRuns);
    let stats = db.stats();
    let shard = &stats.shards[0];
    assert!(
        shard.group_commit.groups < shard.operations.write_batches / 4,
        "groups {} for {} writes",
        shard.group_commit.groups,
        shard.operations.write_batches
    );
}
