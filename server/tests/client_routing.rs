//! Shard-aware routing: the owner the client computes from a table's id,
//! its partition key and the shard map equals the engine's own
//! `Db::shard_of_item`, for real databases with 2 and 3 shards.

use std::collections::BTreeMap;

use dynacore::{AttributeValue, Db, Durability, Item, KeyAttribute, KeyType, Number, TableSchema};
use dynacore_server::client::routing::{TableRoute, owner_of};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dynacore-client-routing-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn check(shards: usize) {
    let dir = temp_dir(&format!("{shards}"));
    let db = Db::builder(&dir)
        .shard_count(shards)
        .durability(Durability::None)
        .open()
        .expect("open");
    let map: Vec<u16> = db.virtual_partition_owners().iter().map(|s| s.0).collect();
    let tables = [
        ("strings", KeyType::S),
        ("numbers", KeyType::N),
        ("bytes", KeyType::B),
    ];
    let mut seen = vec![0usize; shards];
    for (name, key_type) in tables {
        db.create_table(
            name,
            TableSchema {
                partition_key: KeyAttribute::new("pk", key_type),
                sort_key: Some(KeyAttribute::new("sk", KeyType::N)),
            },
        )
        .expect("create");
        let route = TableRoute::of(&db.describe_table(name).expect("describe"));
        for i in 0..300u32 {
            let pk = match key_type {
                KeyType::S => AttributeValue::S(format!("user-{i}")),
                KeyType::N => AttributeValue::N(Number::from(i64::from(i) * 7 - 500)),
                KeyType::B => AttributeValue::B(i.to_be_bytes().to_vec()),
            };
            let item: Item = BTreeMap::from([
                ("pk".to_owned(), pk),
                ("sk".to_owned(), AttributeValue::N(Number::from(1))),
            ]);
            let engine = db.shard_of_item(name, &item).expect("engine owner");
            let client = owner_of(&map, &route, &item).expect("client owner");
            assert_eq!(client, engine.0, "{name} item {i}");
            seen[client as usize] += 1;
        }
    }
    assert!(
        seen.iter().all(|&n| n > 0),
        "every shard owns some: {seen:?}"
    );
    // A key without its partition key, or of the wrong type, has no owner.
    let route = TableRoute::of(&db.describe_table("strings").expect("describe"));
    assert_eq!(owner_of(&map, &route, &Item::new()), None);
    let wrong: Item = BTreeMap::from([("pk".to_owned(), AttributeValue::Bool(true))]);
    assert_eq!(owner_of(&map, &route, &wrong), None);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn client_owner_equals_engine_owner_with_two_shards() {
    check(2);
}

#[test]
fn client_owner_equals_engine_owner_with_three_shards() {
    check(3);
}
