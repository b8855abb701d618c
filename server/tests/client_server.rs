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
        // Every miss fills, so the cache counts below are exact.
        .cache(dynacore::CacheOptions {
            admission: dynacore::CacheAdmission::Always,
            ..dynacore::CacheOptions::default()
        })
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

/// The value of `series` (`name{labels}`) in Prometheus text, if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().expect("a sample value"))
}

#[test]
fn the_stats_op_reports_the_caches_per_shard_and_per_table() {
    let (server, dir) = start("cache-stats", 2);
    let client = Client::connect(&server.addr().to_string()).expect("connect");
    client
        .create_table(CreateTableRequest::pay_per_request("items", &schema()))
        .expect("create");
    let get = |pk: &str, sk: i64| {
        client
            .get_item(GetItemRequest {
                table_name: "items".into(),
                key: item(pk, sk),
                ..GetItemRequest::default()
            })
            .expect("get")
    };
    let put = |pk: &str, sk: i64| {
        client
            .put_item(PutItemRequest {
                table_name: "items".into(),
                item: item(pk, sk),
                ..PutItemRequest::default()
            })
            .expect("put")
    };
    for i in 0..10 {
        put(&format!("p{i}"), i);
    }
    // A write does not fill the cache: the first reads miss and fill, the
    // second ones hit; a missing item is cached as a negative entry.
    for _ in 0..2 {
        for i in 0..10 {
            assert!(get(&format!("p{i}"), i).is_some());
        }
        assert!(get("absent", 0).is_none());
    }
    // A write to a cached item replaces its entry.
    put("p0", 0);

    let text = client.stats().expect("stats");
    let per_shard = |name: &str| -> f64 {
        (0..2)
            .map(|shard| {
                sample(&text, &format!("{name}{{shard=\"{shard}\"}}"))
                    .unwrap_or_else(|| panic!("no {name} for shard {shard}:\n{text}"))
            })
            .sum()
    };
    let per_table = |name: &str| -> f64 {
        sample(&text, &format!("{name}{{table=\"items\"}}"))
            .unwrap_or_else(|| panic!("no {name} for table items:\n{text}"))
    };
    for (suffix, expected) in [
        ("item_cache_hits_total", 11.0),
        ("item_cache_negative_hits_total", 1.0),
        ("item_cache_misses_total", 11.0),
        ("item_cache_fills_total", 11.0),
        ("item_cache_write_throughs_total", 1.0),
        ("item_cache_entries", 11.0),
    ] {
        assert_eq!(
            per_shard(&format!("dynacore_engine_{suffix}")),
            expected,
            "{suffix}"
        );
        assert_eq!(
            per_table(&format!("dynacore_engine_table_{suffix}")),
            expected,
            "{suffix}"
        );
    }
    assert!(per_shard("dynacore_engine_item_cache_bytes") > 0.0);
    assert_eq!(
        per_shard("dynacore_engine_item_cache_budget_bytes"),
        dynacore::CacheOptions::default().item_cache_bytes as f64
    );
    // The Stats op and /metrics render the same text.
    assert!(
        server
            .metrics_text()
            .contains("dynacore_engine_table_item_cache_hits_total{table=\"items\"} 11\n")
    );
    drop(client);
    server.shutdown().expect("shutdown");
    let _ = std::fs::remove_dir_all(&dir);
}
