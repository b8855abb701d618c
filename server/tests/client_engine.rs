//! The client (and the CLI) end to end over a real engine, through a
//! stand-in server that runs `exec::execute` behind one listener per shard:
//! every operation, blocking and async, and shard-aware routing measured
//! on the server side.

mod client_support;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use clap::Parser;
use client_support::{block_on, exec_server};
use dynacore::{
    AttributeValue, BatchGetItemRequest, BatchWriteItemRequest, CreateTableRequest,
    DeleteItemRequest, GetItemRequest, Item, KeyAttribute, KeyType, KeysAndAttributes,
    ListTablesRequest, Number, PutItemRequest, QueryRequest, ReturnValues, ScanRequest,
    TableSchema, UpdateItemRequest, WriteRequest,
};
use dynacore_server::cli::{self, Output};
use dynacore_server::client::{Client, ClientOptions};
use dynacore_server::protocol::ErrorCode;
use serde_json::json;

fn schema() -> TableSchema {
    TableSchema {
        partition_key: KeyAttribute::new("pk", KeyType::S),
        sort_key: Some(KeyAttribute::new("sk", KeyType::N)),
    }
}

fn item(pk: &str, sk: i64, extra: Option<&str>) -> Item {
    let mut item = BTreeMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.to_owned())),
        ("sk".to_owned(), AttributeValue::N(Number::from(sk))),
    ]);
    if let Some(v) = extra {
        item.insert("v".to_owned(), AttributeValue::S(v.to_owned()));
    }
    item
}

#[test]
fn every_operation_through_the_client_routed_to_its_owner() {
    let server = exec_server::start("every-op", 3);
    let client = Client::connect(&server.addr).expect("connect");
    assert_eq!(client.hello().shard_addresses.len(), 3);
    let table = client
        .create_table(CreateTableRequest::pay_per_request("tbl", &schema()))
        .expect("create");
    assert_eq!(table.name, "tbl");
    let error = client
        .create_table(CreateTableRequest::pay_per_request("tbl", &schema()))
        .expect_err("exists");
    assert_eq!(error.code(), Some(ErrorCode::ResourceInUse));
    assert_eq!(
        client
            .list_tables(ListTablesRequest::default())
            .expect("list")
            .table_names,
        vec!["tbl".to_owned()]
    );
    for i in 0..60 {
        client
            .put_item(PutItemRequest {
                table_name: "tbl".into(),
                item: item(&format!("p{}", i % 20), i, Some("x")),
                ..PutItemRequest::default()
            })
            .expect("put");
    }
    let got = client
        .get_item(GetItemRequest {
            table_name: "tbl".into(),
            key: item("p3", 3, None),
            ..GetItemRequest::default()
        })
        .expect("get");
    assert_eq!(got, Some(item("p3", 3, Some("x"))));
    let updated = client
        .update_item(UpdateItemRequest {
            table_name: "tbl".into(),
            key: item("p3", 3, None),
            update_expression: Some("SET v = :v".into()),
            expression_attribute_values: Some(BTreeMap::from([(
                ":v".to_owned(),
                AttributeValue::S("y".into()),
            )])),
            return_values: ReturnValues::AllNew,
            ..UpdateItemRequest::default()
        })
        .expect("update");
    assert_eq!(updated.attributes, Some(item("p3", 3, Some("y"))));
    let error = client
        .delete_item(DeleteItemRequest {
            table_name: "tbl".into(),
            key: item("p3", 3, None),
            condition_expression: Some("v = :x".into()),
            expression_attribute_values: Some(BTreeMap::from([(
                ":x".to_owned(),
                AttributeValue::S("x".into()),
            )])),
            ..DeleteItemRequest::default()
        })
        .expect_err("condition");
    assert_eq!(error.code(), Some(ErrorCode::ConditionalCheckFailed));
    let deleted = client
        .delete_item(DeleteItemRequest {
            table_name: "tbl".into(),
            key: item("p3", 3, None),
            return_values: ReturnValues::AllOld,
            ..DeleteItemRequest::default()
        })
        .expect("delete");
    assert_eq!(deleted.attributes, Some(item("p3", 3, Some("y"))));
    let page = client
        .query(QueryRequest {
            table_name: "tbl".into(),
            key_condition_expression: Some("pk = :p".into()),
            expression_attribute_values: Some(BTreeMap::from([(
                ":p".to_owned(),
                AttributeValue::S("p4".into()),
            )])),
            scan_index_forward: false,
            ..QueryRequest::default()
        })
        .expect("query");
    assert_eq!(page.count, 3);
    assert_eq!(page.items[0], item("p4", 44, Some("x")));
    let page = client.scan(ScanRequest {
        table_name: "tbl".into(),
        ..ScanRequest::default()
    });
    assert_eq!(page.expect("scan").count, 59);
    let batch = client
        .batch_get_item(BatchGetItemRequest {
            request_items: BTreeMap::from([(
                "tbl".to_owned(),
                KeysAndAttributes {
                    keys: vec![item("p1", 1, None), item("p2", 2, None)],
                    projection_expression: None,
                    expression_attribute_names: None,
                    consistent_read: false,
                },
            )]),
        })
        .expect("batch get");
    assert_eq!(batch.responses["tbl"].len(), 2);
    let written = client
        .batch_write_item(BatchWriteItemRequest {
            request_items: BTreeMap::from([(
                "tbl".to_owned(),
                vec![
                    WriteRequest::Put {
                        item: item("b", 1, None),
                    },
                    WriteRequest::Delete {
                        key: item("p1", 1, None),
                    },
                ],
            )]),
        })
        .expect("batch write");
    assert!(written.unprocessed_items.is_empty());
    let described = client.describe_table_with_stats("tbl").expect("describe");
    assert_eq!(described.item_count, 59);
    assert!(client.stats().expect("stats").contains("exec-server"));
    // Async variants.
    let got = block_on(client.get_item_async(GetItemRequest {
        table_name: "tbl".into(),
        key: item("b", 1, None),
        ..GetItemRequest::default()
    }))
    .expect("async get");
    assert_eq!(got, Some(item("b", 1, None)));
    let page = block_on(client.scan_async(ScanRequest {
        table_name: "tbl".into(),
        limit: Some(5),
        ..ScanRequest::default()
    }))
    .expect("async scan");
    assert_eq!(page.items.len(), 5);
    // Every point request reached its owner's listener.
    let at_owner = server.at_owner.load(Ordering::Relaxed);
    assert_eq!(server.not_at_owner.load(Ordering::Relaxed), 0);
    assert_eq!(at_owner, 60 + 1 + 1 + 2 + 1);
    let stats = client.routing_stats();
    assert_eq!((stats.to_owner, stats.not_to_owner), (at_owner, 0));
    // A table deleted and created again has a new id: the route is learnt anew.
    client.delete_table("tbl").expect("delete table");
    let error = client
        .get_item(GetItemRequest {
            table_name: "tbl".into(),
            key: item("b", 1, None),
            ..GetItemRequest::default()
        })
        .expect_err("gone");
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFound));
    client
        .create_table(CreateTableRequest::pay_per_request("tbl", &schema()))
        .expect("create again");
    for i in 0..30 {
        block_on(client.put_item_async(PutItemRequest {
            table_name: "tbl".into(),
            item: item(&format!("q{i}"), i, None),
            ..PutItemRequest::default()
        }))
        .expect("put");
    }
    assert_eq!(server.not_at_owner.load(Ordering::Relaxed), 0);
}

#[test]
fn without_shard_awareness_requests_still_work_but_hop() {
    let server = exec_server::start("unaware", 3);
    let options = ClientOptions {
        shard_aware: false,
        ..ClientOptions::default()
    };
    let client = Client::connect_with(&server.addr, options).expect("connect");
    client
        .create_table(CreateTableRequest::pay_per_request("tbl", &schema()))
        .expect("create");
    for i in 0..60 {
        client
            .put_item(PutItemRequest {
                table_name: "tbl".into(),
                item: item(&format!("p{i}"), i, None),
                ..PutItemRequest::default()
            })
            .expect("put");
    }
    assert!(server.not_at_owner.load(Ordering::Relaxed) > 0);
    // Without the map the client cannot know an owner: every point request
    // counts as not routed, whichever listener it happened to reach.
    let stats = client.routing_stats();
    assert_eq!((stats.to_owner, stats.not_to_owner), (0, 60));
}

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: cli::Command,
}

fn run(endpoint: &str, args: &[&str]) -> anyhow::Result<Output> {
    let mut argv = vec!["dynacore"];
    argv.extend_from_slice(args);
    argv.extend_from_slice(&["--endpoint", endpoint]);
    let parsed = Cli::try_parse_from(argv)?;
    cli::execute(parsed.command)
}

fn json_of(output: Output) -> serde_json::Value {
    match output {
        Output::Json(value) => value,
        Output::Text(text) => panic!("text output: {text}"),
    }
}

#[test]
#[allow(clippy::disallowed_methods)] // writes a file:// argument for the CLI
fn cli_commands_print_the_aws_shapes() {
    let server = exec_server::start("cli", 2);
    let at = server.addr.as_str();
    let created = json_of(
        run(
            at,
            &[
                "create-table",
                "--table-name",
                "users",
                "--partition-key",
                "pk:S",
                "--sort-key",
                "sk:N",
            ],
        )
        .expect("create"),
    );
    assert_eq!(created["TableDescription"]["TableName"], json!("users"));
    let item = r#"{"pk": {"S": "a"}, "sk": {"N": "1"}, "tags": {"SS": ["x", "y"]}}"#;
    let put = json_of(run(at, &["put", "--table-name", "users", "--item", item]).expect("put"));
    assert_eq!(put, json!({}));
    let key = r#"{"pk": {"S": "a"}, "sk": {"N": "1"}}"#;
    let got = json_of(run(at, &["get", "--table-name", "users", "--key", key]).expect("get"));
    assert_eq!(
        got,
        json!({"Item": serde_json::from_str::<serde_json::Value>(item).expect("json")})
    );
    let file = server.dir.join("key.json");
    std::fs::write(&file, key).expect("write");
    let from_file = format!("file://{}", file.display());
    let got =
        json_of(run(at, &["get", "--table-name", "users", "--key", &from_file]).expect("get"));
    assert_eq!(got["Item"]["tags"], json!({"SS": ["x", "y"]}));
    let error = run(
        at,
        &[
            "put",
            "--table-name",
            "users",
            "--item",
            item,
            "--condition-expression",
            "attribute_not_exists(pk)",
        ],
    )
    .expect_err("condition");
    assert_eq!(
        error.to_string(),
        "ConditionalCheckFailedException: The conditional request failed"
    );
    let updated = json_of(
        run(
            at,
            &[
                "update",
                "--table-name",
                "users",
                "--key",
                key,
                "--update-expression",
                "SET n = :n",
                "--expression-attribute-values",
                r#"{":n": {"N": "5"}}"#,
                "--return-values",
                "UPDATED_NEW",
            ],
        )
        .expect("update"),
    );
    assert_eq!(updated, json!({"Attributes": {"n": {"N": "5"}}}));
    for sk in 2..=5 {
        let item = format!(r#"{{"pk": {{"S": "a"}}, "sk": {{"N": "{sk}"}}}}"#);
        run(at, &["put", "--table-name", "users", "--item", &item]).expect("put");
    }
    let page = json_of(
        run(
            at,
            &[
                "query",
                "--table-name",
                "users",
                "--key-condition-expression",
                "pk = :p",
                "--expression-attribute-values",
                r#"{":p": {"S": "a"}}"#,
                "--limit",
                "2",
            ],
        )
        .expect("query"),
    );
    assert_eq!(page["Count"], json!(2));
    assert!(page.get("LastEvaluatedKey").is_some());
    let all = json_of(
        run(
            at,
            &[
                "query",
                "--table-name",
                "users",
                "--key-condition-expression",
                "pk = :p",
                "--expression-attribute-values",
                r#"{":p": {"S": "a"}}"#,
                "--limit",
                "2",
                "--all",
                "--no-scan-index-forward",
            ],
        )
        .expect("query all"),
    );
    assert_eq!(all["Count"], json!(5));
    assert_eq!(all["Items"][0]["sk"], json!({"N": "5"}));
    assert!(all.get("LastEvaluatedKey").is_none());
    let scan = json_of(
        run(
            at,
            &["scan", "--table-name", "users", "--limit", "1", "--all"],
        )
        .expect("scan"),
    );
    assert_eq!(scan["Count"], json!(5));
    let described = json_of(run(at, &["describe", "--table-name", "users"]).expect("describe"));
    assert_eq!(described["Table"]["ItemCount"], json!(5));
    assert_eq!(
        described["Table"]["KeySchema"][1]["KeyType"],
        json!("RANGE")
    );
    let tables = json_of(run(at, &["list-tables"]).expect("list"));
    assert_eq!(tables, json!({"TableNames": ["users"]}));
    let deleted = json_of(
        run(
            at,
            &[
                "delete",
                "--table-name",
                "users",
                "--key",
                key,
                "--return-values",
                "ALL_OLD",
            ],
        )
        .expect("delete"),
    );
    assert_eq!(deleted["Attributes"]["n"], json!({"N": "5"}));
    match run(at, &["stats"]).expect("stats") {
        Output::Text(text) => assert!(text.starts_with("# exec-server")),
        Output::Json(v) => panic!("json: {v}"),
    }
    let bad = run(
        at,
        &[
            "put",
            "--table-name",
            "users",
            "--item",
            r#"{"pk": {"N": "x"}}"#,
        ],
    )
    .expect_err("bad item");
    assert_eq!(
        format!("{bad:#}"),
        "--item: $.pk.N: The parameter cannot be converted to a numeric value: x"
    );
    json_of(run(at, &["delete-table", "--table-name", "users"]).expect("delete table"));
    let error = run(at, &["describe", "--table-name", "users"]).expect_err("gone");
    assert!(
        error.to_string().starts_with("ResourceNotFoundException: "),
        "{error}"
    );
}

#[test]
fn the_binary_prints_json_and_one_error_line_with_exit_status_1() {
    let server = exec_server::start("binary", 2);
    let bin = env!("CARGO_BIN_EXE_dynacore");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .env("DYNACORE_ENDPOINT", &server.addr)
            .output()
            .expect("run dynacore")
    };
    let out = run(&[
        "create-table",
        "--table-name",
        "bin",
        "--partition-key",
        "pk:S",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[
        "put",
        "--table-name",
        "bin",
        "--item",
        r#"{"pk": {"S": "a"}}"#,
    ]);
    assert!(out.status.success());
    let out = run(&[
        "put",
        "--table-name",
        "bin",
        "--item",
        r#"{"pk": {"S": "a"}}"#,
        "--condition-expression",
        "attribute_not_exists(pk)",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dynacore: ConditionalCheckFailedException: The conditional request failed\n"
    );
    assert!(out.stdout.is_empty());
    let out = run(&[
        "get",
        "--table-name",
        "bin",
        "--key",
        r#"{"pk": {"S": "a"}}"#,
    ]);
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(printed, json!({"Item": {"pk": {"S": "a"}}}));
    // --endpoint wins over the environment.
    let out = run(&["list-tables", "--endpoint", "127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("dynacore: connecting to 127.0.0.1:1: I/O error")
    );
}
