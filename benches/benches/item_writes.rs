//! What a conditional write costs next to a plain one, on the embedded
//! engine (one shard, durability `None`, so the figures are the engine's
//! own work rather than fsync): PutItem, PutItem with a condition,
//! UpdateItem of two attributes, and the same with a version check.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dynacore::{
    AttributeValue, Db, Durability, Item, KeyAttribute, KeyType, Number, PutItemRequest,
    TableSchema, UpdateItemRequest,
};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const KEY_COUNT: u64 = 10_000;

fn record(key: u64, version: u64) -> Item {
    let mut item = Item::new();
    item.insert("pk".into(), AttributeValue::S(format!("user{key:08}")));
    item.insert("version".into(), AttributeValue::N(Number::from(version)));
    for field in 0..10 {
        item.insert(format!("field{field}"), AttributeValue::S("x".repeat(100)));
    }
    item
}

fn open() -> (Db, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("dynacore-bench-writes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = Db::builder(&dir)
        .durability(Durability::None)
        .shard_count(1)
        .open()
        .expect("open");
    db.create_table(
        "usertable",
        TableSchema::partition_only(KeyAttribute::new("pk", KeyType::S)),
    )
    .unwrap();
    for key in 0..KEY_COUNT {
        db.put_item("usertable", &record(key, 0)).unwrap();
    }
    (db, dir)
}

fn writes(c: &mut Criterion) {
    let (db, dir) = open();
    let mut group = c.benchmark_group("item writes (1 KB item, 1 shard, durability none)");
    let mut next = 0u64;
    let mut key = move || {
        next = (next + 7919) % KEY_COUNT;
        next
    };
    group.bench_function("PutItem", |b| {
        b.iter(|| {
            db.put_item("usertable", black_box(&record(key(), 1)))
                .unwrap()
        })
    });
    group.bench_function("PutItem if attribute_exists(pk)", |b| {
        b.iter(|| {
            db.put_item_with(&PutItemRequest {
                table_name: "usertable".into(),
                item: record(key(), 1),
                condition_expression: Some("attribute_exists(pk)".into()),
                ..PutItemRequest::default()
            })
            .unwrap()
        })
    });
    let update = |key: u64, condition: Option<&str>| UpdateItemRequest {
        table_name: "usertable".into(),
        key: BTreeMap::from([("pk".to_owned(), AttributeValue::S(format!("user{key:08}")))]),
        update_expression: Some("SET field3 = :v, version = version + :one".into()),
        condition_expression: condition.map(str::to_owned),
        expression_attribute_values: Some(BTreeMap::from([
            (":v".to_owned(), AttributeValue::S("y".repeat(100))),
            (":one".to_owned(), AttributeValue::N(Number::from(1u64))),
            (":max".to_owned(), AttributeValue::N(Number::from(u64::MAX))),
        ])),
        ..UpdateItemRequest::default()
    };
    group.bench_function("UpdateItem SET field, version + 1", |b| {
        b.iter(|| {
            let mut request = update(key(), None);
            if let Some(values) = &mut request.expression_attribute_values {
                values.remove(":max");
            }
            db.update_item(&request).unwrap()
        })
    });
    group.bench_function("UpdateItem SET field, version + 1 if version < :max", |b| {
        b.iter(|| {
            db.update_item(&update(key(), Some("version < :max")))
                .unwrap()
        })
    });
    group.finish();
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, writes);
criterion_main!(benches);
