//! The client end to end through the real server, started in-process on
//! 127.0.0.1 with free ports: every operation, pipelining from many
//! threads and many futures on few connections, and shard-aware routing
//! (every point request sent to its owner's core).

mod client_support;

use std::collections::BTreeMap;

use client_support::{block_on, join_all};
use dynacore::{
    AttributeValue, CreateTableRequest, Db, DeleteItemRequest, Durability, GetItemRequest, Item,
    KeyAttribute, KeyType, ListTablesRequest, Number, PutItemRequest, QueryRequest, ScanRequest,
    TableSchema, UpdateItemRequest,
};
use dynacore_server::client::{Client, ClientOptions};
use dynacore_server::protocol::ErrorCode;
use dynacore_server::server::{Server, ServerConfig, ServerHandle};

fn start(name: &str, shards: usize) -> (ServerHandle, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "dynacore-client-server-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let db = Db::builder(&dir)
        .shard_count(shards)
        .durability(Durability::None)
        .open()
        .expect("open");
    let mut config = ServerConfig::new(&dir);
    config.listen = "127.0.0.1:0".parse().expect("addr");
    config.metrics_listen = None;
    config.dynamodb_listen = None;
    (Server::start_with(config, db).expect("start"), dir)
}

fn item(pk: &str, sk: i64) -> Item {
    BTreeMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.to_owned())),
        ("sk".to_owned(), AttributeValue::N(Number::from(sk))),
    ])
}

fn schema() -> TableSchema {
    TableSchema {
        partition_key: KeyAttribute::new("pk", KeyType::S),
        sort_key: Some(KeyAttribute::new("sk", KeyType::N)),
    }
}

#[test]
fn operations_pipelining_and_routing_through_the_real_server() {
    let (server, dir) = start("ops", 2);
    let client = Client::connect(&server.addr().to_string()).expect("connect");
    assert_eq!(client.hello().shard_addresses.len(), 2);
    client
        .create_table(CreateTableRequest::pay_per_request("items", &schema()))
        .expect("create");
    // 100 blocking callers on 2 connections per shard.
    let threads: Vec<_> = (0..100)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || {
                client
                    .put_item(PutItemRequest {
                        table_name: "items".into(),
                        item: item(&format!("p{}", i % 25), i),
                        ..PutItemRequest::default()
                    })
                    .expect("put");
                client
                    .get_item(GetItemRequest {
                        table_name: "items".into(),
                        key: item(&format!("p{}", i % 25), i),
                        ..GetItemRequest::default()
                    })
                    .expect("get")
            })
        })
        .collect();
    for (i, thread) in threads.into_iter().enumerate() {
        assert_eq!(
            thread.join().expect("thread"),
            Some(item(&format!("p{}", i % 25), i as i64))
        );
    }
    // 100 futures in flight at once.
    let futures: Vec<_> = (0..100)
        .map(|i| {
            Box::pin(client.get_item_async(GetItemRequest {
                table_name: "items".into(),
                key: item(&format!("p{}", i % 25), i),
                ..GetItemRequest::default()
            }))
        })
        .collect();
    for (i, reply) in join_all(futures).into_iter().enumerate() {
        assert_eq!(
            reply.expect("async get"),
            Some(item(&format!("p{}", i % 25), i as i64))
        );
    }
    let page = client
        .query(QueryRequest {
            table_name: "items".into(),
            key_condition_expression: Some("pk = :p".into()),
            expression_attribute_values: Some(BTreeMap::from([(
                ":p".to_owned(),
                AttributeValue::S("p0".into()),
            )])),
            ..QueryRequest::default()
        })
        .expect("query");
    assert_eq!(page.count, 4);
    let page = block_on(client.scan_async(ScanRequest {
        table_name: "items".into(),
        ..ScanRequest::default()
    }))
    .expect("scan");
    assert_eq!(page.count, 100);
    let updated = client
        .update_item(UpdateItemRequest {
            table_name: "items".into(),
            key: item("p0", 0),
            update_expression: Some("SET v = :v".into()),
            expression_attribute_values: Some(BTreeMap::from([(
                ":v".to_owned(),
                AttributeValue::Bool(true),
            )])),
            ..UpdateItemRequest::default()
        })
        .expect("update");
    assert_eq!(updated.attributes, None);
    let error = client
        .delete_item(DeleteItemRequest {
            table_name: "items".into(),
            key: item("p0", 0),
            condition_expression: Some("attribute_not_exists(v)".into()),
            ..DeleteItemRequest::default()
        })
        .expect_err("condition");
    assert_eq!(error.code(), Some(ErrorCode::ConditionalCheckFailed));
    assert_eq!(
        client
            .list_tables(ListTablesRequest::default())
            .expect("list")
            .table_names,
        vec!["items".to_owned()]
    );
    assert_eq!(
        client
            .describe_table_with_stats("items")
            .expect("describe")
            .item_count,
        100
    );
    assert!(!client.stats().expect("stats").is_empty());
    let stats = client.routing_stats();
    println!(
        "point requests sent to their owner: {} of {} ({:.1}%)",
        stats.to_owner,
        stats.to_owner + stats.not_to_owner,
        stats.owner_share() * 100.0
    );
    assert_eq!(stats.not_to_owner, 0);
    assert_eq!(stats.to_owner, 100 + 100 + 100 + 2);
    client.delete_table("items").expect("delete table");
    drop(client);
    server.shutdown().expect("shutdown");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_stopped_server_fails_calls_instead_of_hanging() {
    let (server, dir) = start("stop", 2);
    let options = ClientOptions {
        connections_per_shard: 1,
        ..ClientOptions::default()
    };
    let client = Client::connect_with(&server.addr().to_string(), options).expect("connect");
    client
        .create_table(CreateTableRequest::pay_per_request("gone", &schema()))
        .expect("create");
    server.shutdown().expect("shutdown");
    let error = client
        .get_item(GetItemRequest {
            table_name: "gone".into(),
            key: item("a", 1),
            ..GetItemRequest::default()
        })
        .expect_err("server gone");
    assert!(
        error.code().is_none() || error.code() == Some(ErrorCode::ShuttingDown),
        "{error:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
