//! The client against the real server: shard-aware routing sends every
//! point request to its owner's core, so none crosses cores; without it,
//! the server forwards about half of them (two shards). Reports both
//! shares, as the server's metrics count them.
#![allow(clippy::disallowed_methods)] // Temp dirs.

use std::collections::BTreeMap;

use dynacore::{
    AttributeValue, CreateTableRequest, Durability, GetItemRequest, KeyAttribute, KeyType,
    PutItemRequest, QueryRequest, TableSchema, UpdateItemRequest,
};
use dynacore_server::client::{Client, ClientOptions};
use dynacore_server::server::{Server, ServerConfig, ServerHandle};

fn start(name: &str) -> ServerHandle {
    let dir = std::env::temp_dir().join(format!("dynacore-route-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = ServerConfig::new(&dir);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.metrics_listen = None;
    config.dynamodb_listen = None;
    config.shards = 2;
    config.durability = Durability::None;
    Server::start(config).expect("start")
}

/// `dynacore_requests_local_ratio` from the server's metrics.
fn local_ratio(server: &ServerHandle) -> f64 {
    let text = server.metrics_text();
    text.lines()
        .find_map(|l| l.strip_prefix("dynacore_requests_local_ratio "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no local ratio in:\n{text}"))
}

/// Creates a table and runs 400 puts, gets and updates; returns the
/// client's own share of requests sent to their owner.
fn drive(client: &Client) -> f64 {
    client
        .create_table(CreateTableRequest::pay_per_request(
            "tbl",
            &TableSchema::partition_only(KeyAttribute::new("pk", KeyType::S)),
        ))
        .expect("create");
    for i in 0..400 {
        let key = BTreeMap::from([("pk".to_owned(), AttributeValue::S(format!("k{i}")))]);
        let mut item = key.clone();
        item.insert(
            "n".into(),
            AttributeValue::N(dynacore::Number::from(i as u64)),
        );
        client
            .put_item(PutItemRequest {
                table_name: "tbl".into(),
                item: item.clone(),
                ..PutItemRequest::default()
            })
            .expect("put");
        client
            .update_item(UpdateItemRequest {
                table_name: "tbl".into(),
                key: key.clone(),
                update_expression: Some("SET m = :m".into()),
                expression_attribute_values: Some(BTreeMap::from([(
                    ":m".to_owned(),
                    AttributeValue::S("x".into()),
                )])),
                ..UpdateItemRequest::default()
            })
            .expect("update");
        item.insert("m".into(), AttributeValue::S("x".into()));
        let got = client
            .get_item(GetItemRequest {
                table_name: "tbl".into(),
                key: key.clone(),
                ..GetItemRequest::default()
            })
            .expect("get");
        assert_eq!(got, Some(item));
    }
    let page = client
        .query(QueryRequest {
            table_name: "tbl".into(),
            key_condition_expression: Some("pk = :k".into()),
            expression_attribute_values: Some(BTreeMap::from([(
                ":k".to_owned(),
                AttributeValue::S("k7".into()),
            )])),
            ..QueryRequest::default()
        })
        .expect("query");
    assert_eq!(page.count, 1);
    client.routing_stats().owner_share()
}

#[test]
fn a_shard_aware_client_sends_no_request_across_cores() {
    let server = start("aware");
    let client = Client::connect(&server.addr().to_string()).expect("connect");
    let client_share = drive(&client);
    let ratio = local_ratio(&server);
    eprintln!(
        "shard-aware: client sent {:.1} % to owners; server served {:.1} % without a hop",
        client_share * 100.0,
        ratio * 100.0
    );
    assert_eq!(client_share, 1.0);
    assert_eq!(ratio, 1.0, "every request served on the core that read it");
    drop(client);
    server.shutdown().unwrap();
}

#[test]
fn without_shard_awareness_the_server_forwards_what_other_cores_own() {
    let server = start("unaware");
    let client = Client::connect_with(
        &server.addr().to_string(),
        ClientOptions {
            shard_aware: false,
            ..ClientOptions::default()
        },
    )
    .expect("connect");
    drive(&client);
    let ratio = local_ratio(&server);
    eprintln!(
        "not shard-aware: server served {:.1} % without a hop",
        ratio * 100.0
    );
    assert!(
        ratio < 0.9,
        "some point requests must have been forwarded: {ratio}"
    );
    drop(client);
    server.shutdown().unwrap();
}
