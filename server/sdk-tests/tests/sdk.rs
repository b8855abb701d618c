//! The DynamoDB JSON API driven by the AWS SDK for Rust (`aws-sdk-dynamodb`):
//! each test starts an in-process server on 127.0.0.1 with a free port and
//! talks to it with an SDK client, plain HTTP, dummy static credentials
//! (the server runs without `--auth`, so it accepts any signature).
//!
//! What this adds over the raw-JSON tests in `server/tests/`: the SDK's own
//! serializers and deserializers, so a response shape the SDK cannot parse,
//! or an error it cannot classify, fails here.
//!
//! The SDK for Rust does not check `x-amz-crc32` (only some other SDKs do),
//! so these tests do not cover that header; `server/src/http/tests.rs` does.
#![allow(clippy::disallowed_methods)] // Real sockets, real time, temp dirs.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, KeysAndAttributes,
    PutRequest, ReturnValue, ScalarAttributeType, TableStatus, WriteRequest,
};
use dynacore_server::server::{Server, ServerConfig, ServerHandle};

type Item = HashMap<String, AttributeValue>;
type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A running server and an SDK client pointed at it. The server stops
/// when this is dropped; the data directory is removed then too.
struct Fixture {
    client: Client,
    _server: ServerHandle,
    data_dir: std::path::PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Starts a two-shard server without durability in a fresh directory
/// named after the test, and builds the client.
async fn start(name: &str) -> Result<Fixture, Box<dyn std::error::Error>> {
    let data_dir = std::env::temp_dir().join(format!("dynacore-sdk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let mut config = ServerConfig::new(&data_dir);
    config.listen = "127.0.0.1:0".parse()?;
    config.metrics_listen = None;
    config.dynamodb_listen = Some("127.0.0.1:0".parse()?);
    config.shards = 2;
    config.durability = dynacore::Durability::None;
    let server = Server::start(config)?;
    let addr = server.dynamodb_addr().ok_or("no DynamoDB listener")?;

    // `build_http` is the plain-HTTP client; the SDK's default one is
    // HTTPS-only and would bring a TLS library into the build.
    let http_client = aws_smithy_http_client::Builder::new().build_http();
    let sdk_config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .endpoint_url(format!("http://{addr}"))
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("x", "y", None, None, "test"))
        .load()
        .await;
    Ok(Fixture {
        client: Client::new(&sdk_config),
        _server: server,
        data_dir,
    })
}

/// Creates `name` with partition key `pk` (S) and sort key `sk` (N),
/// on demand.
async fn create_table(client: &Client, name: &str) -> TestResult {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("sk")
                .attribute_type(ScalarAttributeType::N)
                .build()?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("sk")
                .key_type(KeyType::Range)
                .build()?,
        )
        .send()
        .await?;
    Ok(())
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn key(pk: &str, sk: i64) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), n(sk))])
}

/// Writes `pk`/`sk` items for sort keys `0..count` under one partition.
async fn put_range(client: &Client, table: &str, pk: &str, count: i64) -> TestResult {
    for sk in 0..count {
        client
            .put_item()
            .table_name(table)
            .set_item(Some(key(pk, sk)))
            .item("payload", n(sk * 10))
            .send()
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn table_lifecycle_create_describe_list_delete() -> TestResult {
    let fixture = start("lifecycle").await?;
    let client = &fixture.client;
    create_table(client, "items").await?;

    let described = client.describe_table().table_name("items").send().await?;
    let table = described.table().ok_or("no Table in DescribeTable")?;
    assert_eq!(table.table_name(), Some("items"));
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    assert!(
        table
            .table_arn()
            .is_some_and(|arn| arn.ends_with(":table/items"))
    );
    assert_eq!(table.key_schema().len(), 2);

    let listed = client.list_tables().send().await?;
    assert_eq!(listed.table_names(), ["items"]);

    client.delete_table().table_name("items").send().await?;
    let listed = client.list_tables().send().await?;
    assert!(listed.table_names().is_empty(), "{listed:?}");
    Ok(())
}

#[tokio::test]
async fn put_then_get_returns_every_attribute_type() -> TestResult {
    let fixture = start("types").await?;
    let client = &fixture.client;
    create_table(client, "items").await?;

    let mut item = key("all-types", 1);
    item.extend([
        ("s".to_string(), s("text ✓")),
        ("n".to_string(), AttributeValue::N("-12.5".to_string())),
        (
            "b".to_string(),
            AttributeValue::B(Blob::new(vec![0, 1, 254, 255])),
        ),
        ("bool".to_string(), AttributeValue::Bool(true)),
        ("null".to_string(), AttributeValue::Null(true)),
        (
            "ss".to_string(),
            AttributeValue::Ss(vec!["a".to_string(), "b".to_string()]),
        ),
        (
            "ns".to_string(),
            AttributeValue::Ns(vec!["1".to_string(), "2.5".to_string()]),
        ),
        (
            "bs".to_string(),
            AttributeValue::Bs(vec![Blob::new(vec![1]), Blob::new(vec![2, 3])]),
        ),
        (
            "l".to_string(),
            AttributeValue::L(vec![s("x"), n(7), AttributeValue::Bool(false)]),
        ),
        (
            "m".to_string(),
            AttributeValue::M(HashMap::from([
                ("inner".to_string(), s("y")),
                ("list".to_string(), AttributeValue::L(vec![n(1)])),
            ])),
        ),
    ]);
    client
        .put_item()
        .table_name("items")
        .set_item(Some(item.clone()))
        .send()
        .await?;

    let got = client
        .get_item()
        .table_name("items")
        .set_key(Some(key("all-types", 1)))
        .consistent_read(true)
        .send()
        .await?;
    let mut got = got.item().ok_or("GetItem found nothing")?.clone();
    // Sets are unordered: compare them sorted.
    for value in got.values_mut().chain(item.values_mut()) {
        match value {
            AttributeValue::Ss(members) | AttributeValue::Ns(members) => members.sort(),
            AttributeValue::Bs(members) => members.sort_by(|a, b| a.as_ref().cmp(b.as_ref())),
            _ => {}
        }
    }
    assert_eq!(got, item);

    let missing = client
        .get_item()
        .table_name("items")
        .set_key(Some(key("absent", 1)))
        .send()
        .await?;
    assert!(missing.item().is_none());
    Ok(())
}

#[tokio::test]
async fn update_item_returns_all_new() -> TestResult {
    let fixture = start("update").await?;
    let client = &fixture.client;
    create_table(client, "items").await?;
    client
        .put_item()
        .table_name("items")
        .set_item(Some(key("u", 1)))
        .item("count", n(1))
        .item("gone", s("soon"))
        .send()
        .await?;

    let updated = client
        .update_item()
        .table_name("items")
        .set_key(Some(key("u", 1)))
        .update_expression("SET #c = #c + :one, #tags = :tags REMOVE #g")
        .expression_attribute_names("#c", "count")
        .expression_attribute_names("#tags", "tags")
        .expression_attribute_names("#g", "gone")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":tags", AttributeValue::Ss(vec!["red".to_string()]))
        .return_values(ReturnValue::AllNew)
        .send()
        .await?;
    let mut expected = key("u", 1);
    expected.insert("count".to_string(), n(2));
    expected.insert(
        "tags".to_string(),
        AttributeValue::Ss(vec!["red".to_string()]),
    );
    assert_eq!(updated.attributes(), Some(&expected));
    Ok(())
}

#[tokio::test]
async fn conditional_put_fails_with_typed_error() -> TestResult {
    let fixture = start("condition").await?;
    let client = &fixture.client;
    create_table(client, "items").await?;
    client
        .put_item()
        .table_name("items")
        .set_item(Some(key("c", 1)))
        .send()
        .await?;

    let error = client
        .put_item()
        .table_name("items")
        .set_item(Some(key("c", 1)))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await
        .expect_err("the item exists, so the condition fails");
    let service_error = error.into_service_error();
    assert!(
        matches!(
            service_error,
            PutItemError::ConditionalCheckFailedException(_)
        ),
        "{service_error:?}"
    );
    Ok(())
}

#[tokio::test]
async fn query_paginates_forward_and_backward() -> TestResult {
    let fixture = start("query").await?;
    let client = &fixture.client;
    create_table(client, "items").await?;
    put_range(client, "items", "q", 5).await?;
    put_range(client, "items", "other", 3).await?;

    for forward in [true, false] {
        let mut seen = Vec::new();
        let mut start_key: Option<Item> = None;
        let mut page_count = 0;
        loop {
            let page = client
                .query()
                .table_name("items")
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s("q"))
                .scan_index_forward(forward)
                .limit(2)
                .set_exclusive_start_key(start_key.take())
                .send()
                .await?;
            page_count += 1;
            assert!(page.count() <= 2, "{page:?}");
            assert_eq!(page.count() as usize, page.items().len());
            for item in page.items() {
                let AttributeValue::N(sk) = &item["sk"] else {
                    panic!("sk is not N: {item:?}");
                };
                seen.push(sk.parse::<i64>()?);
            }
            match page.last_evaluated_key() {
                Some(last) => start_key = Some(last.clone()),
                None => break,
            }
            assert!(page_count <= 10, "pagination does not end");
        }
        let mut expected: Vec<i64> = (0..5).collect();
        if !forward {
            expected.reverse();
        }
        assert_eq!(seen, expected, "forward = {forward}");
    }
    Ok(())
}

#[tokio::test]
async fn scan_segments_partition_the_table() -> TestResult {
    let fixture = start("scan").await?;
    let client = &fixture.client;
    create_table(client, "items").await?;
    for pk in ["a", "b", "c", "d", "e", "f"] {
        put_range(client, "items", pk, 2).await?;
    }

    let segment_count = 3;
    let mut seen = Vec::new();
    for segment in 0..segment_count {
        let mut start_key: Option<Item> = None;
        loop {
            let page = client
                .scan()
                .table_name("items")
                .segment(segment)
                .total_segments(segment_count)
                .set_exclusive_start_key(start_key.take())
                .send()
                .await?;
            for item in page.items() {
                let (AttributeValue::S(pk), AttributeValue::N(sk)) = (&item["pk"], &item["sk"])
                else {
                    panic!("bad key: {item:?}");
                };
                seen.push((pk.clone(), sk.clone()));
            }
            match page.last_evaluated_key() {
                Some(last) => start_key = Some(last.clone()),
                None => break,
            }
        }
    }
    seen.sort();
    let mut expected: Vec<(String, String)> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .flat_map(|pk| (0..2).map(move |sk| (pk.to_string(), sk.to_string())))
        .collect();
    expected.sort();
    assert_eq!(seen, expected, "every item in exactly one segment");
    Ok(())
}

#[tokio::test]
async fn batch_write_then_batch_get() -> TestResult {
    let fixture = start("batch").await?;
    let client = &fixture.client;
    create_table(client, "items").await?;

    let writes = (0..5)
        .map(|sk| {
            let mut item = key("batch", sk);
            item.insert("payload".to_string(), n(sk * 10));
            Ok(WriteRequest::builder()
                .put_request(PutRequest::builder().set_item(Some(item)).build()?)
                .build())
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let written = client
        .batch_write_item()
        .request_items("items", writes)
        .send()
        .await?;
    assert!(
        written
            .unprocessed_items()
            .is_none_or(|items| items.is_empty()),
        "{written:?}"
    );

    let mut keys = KeysAndAttributes::builder();
    for sk in [0, 2, 4, 99] {
        keys = keys.keys(key("batch", sk));
    }
    let got = client
        .batch_get_item()
        .request_items("items", keys.build()?)
        .send()
        .await?;
    assert!(
        got.unprocessed_keys().is_none_or(|keys| keys.is_empty()),
        "{got:?}"
    );
    let responses = got.responses().ok_or("no Responses")?;
    let mut payloads: Vec<String> = responses["items"]
        .iter()
        .map(|item| match &item["payload"] {
            AttributeValue::N(payload) => payload.clone(),
            other => panic!("payload is not N: {other:?}"),
        })
        .collect();
    payloads.sort();
    assert_eq!(payloads, ["0", "20", "40"]);
    Ok(())
}

#[tokio::test]
async fn wrong_key_type_is_validation_exception() -> TestResult {
    let fixture = start("validation").await?;
    let client = &fixture.client;
    create_table(client, "items").await?;

    let error = client
        .get_item()
        .table_name("items")
        .key("pk", s("v"))
        .key("sk", s("not a number"))
        .send()
        .await
        .expect_err("sk is declared N");
    let service_error = error
        .as_service_error()
        .unwrap_or_else(|| panic!("not a service error: {error:?}"));
    assert_eq!(
        service_error.code(),
        Some("ValidationException"),
        "{service_error:?}"
    );
    assert!(service_error.message().is_some(), "{service_error:?}");
    Ok(())
}
