//! Replays the fuzz target's seed corpus (`server/fuzz/corpus/decode/`)
//! through `protocol::fuzz_decode`, the function the fuzz target runs, so
//! that every committed input (and every crash the fuzzer ever found,
//! once added there) is checked by plain `cargo test`.
//!
//! The seeds are made by `write_seed_corpus` (ignored; run it with
//! `cargo test -p dynacore-server --test corpus -- --ignored` after a
//! protocol change): a frame for every request and reply shape, the
//! examples of docs/protocol.md, truncations, bad headers and garbage.

// The corpus is test input in the repository, not engine data: plain std::fs.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use dynacore::catalog::TableDescription;
use dynacore::ids::TableId;
use dynacore::{
    AttributeValue, BatchGetItemOutput, BatchGetItemRequest, BatchWriteItemOutput,
    BatchWriteItemRequest, CreateTableRequest, DeleteItemRequest, Error, GetItemRequest, Item,
    KeyAttribute, KeyType, KeysAndAttributes, ListTablesOutput, ListTablesRequest, Page,
    PutItemRequest, QueryRequest, ReturnValues, ScanRequest, Select, TableSchema,
    UpdateItemRequest, UpdateTableRequest, WriteOutput, WriteRequest,
};
use dynacore_server::protocol::{
    ErrorReply, FrameHeader, Hello, HelloReply, Opcode, Request, Response, encode_frame,
    fuzz_decode,
};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode")
}

fn key(pk: &str) -> Item {
    Item::from([("pk".to_owned(), AttributeValue::S(pk.to_owned()))])
}

fn names() -> Option<BTreeMap<String, String>> {
    Some(BTreeMap::from([("#n".to_owned(), "name".to_owned())]))
}

fn values() -> Option<Item> {
    Some(Item::from([(":v".to_owned(), AttributeValue::N(7.into()))]))
}

fn table() -> TableDescription {
    let schema = TableSchema {
        partition_key: KeyAttribute::new("pk", KeyType::S),
        sort_key: Some(KeyAttribute::new("sk", KeyType::N)),
    };
    let mut table = TableDescription::new("users", schema, 1_700_000_000_000);
    table.id = TableId(7);
    table
}

fn requests() -> Vec<Request> {
    vec![
        Request::Hello(Hello {
            min_version: 1,
            max_version: 1,
            client_name: "cli".into(),
        }),
        Request::CreateTable(CreateTableRequest::pay_per_request(
            "users",
            &table().schema,
        )),
        Request::DeleteTable {
            table_name: "users".into(),
        },
        Request::DescribeTable {
            table_name: "users".into(),
            with_stats: false,
        },
        Request::ListTables(ListTablesRequest {
            exclusive_start_table_name: Some("a".into()),
            limit: Some(10),
        }),
        Request::UpdateTable(UpdateTableRequest {
            table_name: "users".into(),
            billing_mode: Some(dynacore::BillingMode::Provisioned),
            provisioned_throughput: Some(dynacore::ProvisionedThroughput::new(5, 5)),
        }),
        Request::GetItem(GetItemRequest {
            table_name: "users".into(),
            key: key("user1"),
            projection_expression: Some("#n".into()),
            expression_attribute_names: names(),
            consistent_read: true,
        }),
        Request::PutItem(PutItemRequest {
            table_name: "users".into(),
            item: key("user1"),
            condition_expression: Some("attribute_not_exists(pk)".into()),
            return_values: ReturnValues::AllOld,
            ..Default::default()
        }),
        Request::UpdateItem(UpdateItemRequest {
            table_name: "users".into(),
            key: key("user1"),
            update_expression: Some("SET #n = :v".into()),
            expression_attribute_names: names(),
            expression_attribute_values: values(),
            return_values: ReturnValues::UpdatedNew,
            ..Default::default()
        }),
        Request::DeleteItem(DeleteItemRequest {
            table_name: "users".into(),
            key: key("user1"),
            ..Default::default()
        }),
        Request::Query(QueryRequest {
            table_name: "users".into(),
            key_condition_expression: Some("pk = :v".into()),
            expression_attribute_values: values(),
            limit: Some(10),
            exclusive_start_key: Some(key("user0")),
            select: Some(Select::Count),
            ..Default::default()
        }),
        Request::Scan(ScanRequest {
            table_name: "users".into(),
            filter_expression: Some("#n = :v".into()),
            expression_attribute_names: names(),
            expression_attribute_values: values(),
            segment: Some(0),
            total_segments: Some(4),
            ..Default::default()
        }),
        Request::BatchGetItem(BatchGetItemRequest {
            request_items: BTreeMap::from([(
                "users".to_owned(),
                KeysAndAttributes {
                    keys: vec![key("a"), key("b")],
                    ..Default::default()
                },
            )]),
        }),
        Request::BatchWriteItem(BatchWriteItemRequest {
            request_items: BTreeMap::from([(
                "users".to_owned(),
                vec![
                    WriteRequest::Put { item: key("a") },
                    WriteRequest::Delete { key: key("b") },
                ],
            )]),
        }),
        Request::Stats,
    ]
}

fn replies() -> Vec<(Opcode, Response)> {
    vec![
        (
            Opcode::Hello,
            Response::Hello(HelloReply {
                version: 1,
                server_version: "dynacore 0.1.0".into(),
                this_shard: 1,
                virtual_partitions: vec![0, 1, 0, 1],
                shard_addresses: vec!["127.0.0.1:7701".into(), "127.0.0.1:7702".into()],
                max_body_bytes: 1 << 24,
                max_in_flight: 128,
            }),
        ),
        (Opcode::CreateTable, Response::Table(table())),
        (
            Opcode::DescribeTable,
            Response::DescribeTable {
                table: table(),
                stats: Some((3, 300)),
            },
        ),
        (
            Opcode::ListTables,
            Response::ListTables(ListTablesOutput {
                table_names: vec!["a".into(), "users".into()],
                last_evaluated_table_name: Some("users".into()),
            }),
        ),
        (Opcode::GetItem, Response::Item(Some(key("user1")))),
        (Opcode::GetItem, Response::Item(None)),
        (
            Opcode::PutItem,
            Response::Write(WriteOutput {
                attributes: Some(key("user1")),
            }),
        ),
        (
            Opcode::Query,
            Response::Page(Page {
                items: vec![key("a"), key("b")],
                count: 2,
                scanned_count: 5,
                last_evaluated_key: Some(key("b")),
            }),
        ),
        (
            Opcode::BatchGetItem,
            Response::BatchGetItem(BatchGetItemOutput {
                responses: BTreeMap::from([("users".to_owned(), vec![key("a")])]),
                unprocessed_keys: BTreeMap::from([(
                    "users".to_owned(),
                    KeysAndAttributes {
                        keys: vec![key("b")],
                        ..Default::default()
                    },
                )]),
            }),
        ),
        (
            Opcode::BatchWriteItem,
            Response::BatchWriteItem(BatchWriteItemOutput {
                unprocessed_items: BTreeMap::from([(
                    "users".to_owned(),
                    vec![WriteRequest::Put { item: key("c") }],
                )]),
            }),
        ),
        (
            Opcode::Stats,
            Response::Stats("dynacore_requests_total 1\n".into()),
        ),
    ]
}

/// The seed inputs, by file name.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let mut frames = Vec::new();
    for (i, request) in requests().iter().enumerate() {
        let body = request.to_body();
        let header = FrameHeader::request(request.opcode(), i as u64 + 1, body.len() as u32);
        frames.push((
            format!("request-{}", request.opcode().name()),
            encode_frame(header, &body),
        ));
    }
    for (i, (opcode, reply)) in replies().iter().enumerate() {
        let body = reply.to_body();
        let header = FrameHeader::request(*opcode, i as u64 + 1, 0).reply(false, body.len() as u32);
        frames.push((
            format!("reply-{}-{i}", opcode.name()),
            encode_frame(header, &body),
        ));
    }
    let mut failed = ErrorReply::from_engine(Error::ConditionalCheckFailed { item: None });
    failed.item = Some(key("user1"));
    for (name, error) in [
        (
            "error-not-found",
            ErrorReply::from_engine(Error::TableNotFound("users".into())),
        ),
        ("error-condition-with-item", failed),
    ] {
        let body = error.to_body();
        let header = FrameHeader::request(Opcode::PutItem, 9, 0).reply(true, body.len() as u32);
        frames.push((name.to_owned(), encode_frame(header, &body)));
    }
    // Truncations: header only, half the frame, all but the last byte.
    for (name, frame) in frames.iter().step_by(3) {
        seeds.push((format!("trunc-header-{name}"), frame[..20].to_vec()));
        seeds.push((
            format!("trunc-half-{name}"),
            frame[..frame.len() / 2].to_vec(),
        ));
        seeds.push((
            format!("trunc-last-{name}"),
            frame[..frame.len() - 1].to_vec(),
        ));
    }
    seeds.extend(frames.iter().cloned());
    for (name, frame) in common::doc_hex::golden_blocks(common::doc_hex::DOC) {
        seeds.push((format!("golden-{name}"), frame));
    }
    // Bad headers.
    let good = frames[0].1.clone();
    let mut bad_headers = Vec::new();
    let mut huge = good[..20].to_vec();
    huge[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    bad_headers.push(("header-4gb-body", huge));
    for (name, at, byte) in [
        ("header-bad-magic", 0, b'X'),
        ("header-version-9", 2, 9),
        ("header-unknown-opcode", 3, 0x7F),
        ("header-unknown-flags", 4, 0x80),
        ("header-reserved", 6, 1),
    ] {
        let mut frame = good.clone();
        frame[at] = byte;
        bad_headers.push((name, frame));
    }
    seeds.extend(bad_headers.into_iter().map(|(n, f)| (n.to_owned(), f)));
    // Garbage and lying counts.
    seeds.push(("garbage-empty".into(), Vec::new()));
    seeds.push(("garbage-ff".into(), vec![0xFF; 64]));
    seeds.push(("garbage-zeros".into(), vec![0; 64]));
    seeds.push((
        "garbage-text".into(),
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
    ));
    let mut lying = FrameHeader::request(Opcode::BatchWriteItem, 1, 4)
        .encode()
        .to_vec();
    lying.extend_from_slice(&u32::MAX.to_le_bytes());
    seeds.push(("count-lies-batch-write".into(), lying));
    let mut lying = FrameHeader::request(Opcode::Query, 1, 0)
        .reply(false, 8)
        .encode()
        .to_vec();
    lying.extend_from_slice(&[1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F]);
    seeds.push(("count-lies-page-item".into(), lying));
    seeds
}

#[test]
fn every_corpus_file_replays_without_panicking() {
    let dir = corpus_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "the seed corpus has only {} files",
        files.len()
    );
    let mut headers_ok = 0;
    let mut requests = 0;
    let mut replies = 0;
    let mut errors = 0;
    for file in &files {
        let bytes = std::fs::read(file).expect("a corpus file");
        let outcome = fuzz_decode(&bytes);
        headers_ok += usize::from(outcome.header_ok);
        requests += outcome.requests_decoded;
        replies += outcome.responses_decoded;
        errors += usize::from(outcome.error_decoded);
    }
    // The corpus must reach past the header into every kind of decoder.
    assert!(headers_ok >= 20, "{headers_ok} valid headers");
    assert!(requests >= 15, "{requests} request decodes");
    assert!(replies >= 11, "{replies} reply decodes");
    assert!(errors >= 2, "{errors} error decodes");
}

#[test]
fn the_committed_corpus_holds_every_seed() {
    for (name, bytes) in seeds() {
        let path = corpus_dir().join(&name);
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run the ignored write_seed_corpus)",
                path.display()
            )
        });
        assert_eq!(
            on_disk, bytes,
            "{name} differs from its seed: rewrite the corpus"
        );
    }
}

#[test]
#[ignore = "writes server/fuzz/corpus/decode/; run after a protocol change"]
fn write_seed_corpus() {
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).expect("the corpus directory");
    for (name, bytes) in seeds() {
        std::fs::write(dir.join(name), bytes).expect("a corpus file");
    }
}
