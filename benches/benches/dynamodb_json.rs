//! The DynamoDB JSON API's per-request work outside the engine, for one
//! YCSB record (10 × 100 B): the client's request body, the server's decode
//! of it, the server's GetItem answer, the CRC-32 both sides take of the
//! answer (`x-amz-crc32`), and the client's decode of the answer into an
//! engine item. `docs/benchmarks.md` adds these up against the loopback
//! round trip ("DynamoDB JSON API over loopback").

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dynacore::{AttributeValue, Item};
use dynacore_server::dynamodb::decode_request;
use dynacore_server::http::crc32;
use dynacore_server::json::{item_from_json, item_to_json, output};
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const KEY: &str = "user6284781860667377211";

fn record() -> Item {
    let mut item: Item = BTreeMap::new();
    item.insert("YCSB_KEY".into(), AttributeValue::S(KEY.into()));
    for field in 0..10 {
        item.insert(format!("field{field}"), AttributeValue::S("x".repeat(100)));
    }
    item
}

fn get_item_body() -> Value {
    json!({"TableName": "usertable", "Key": {"YCSB_KEY": {"S": KEY}}})
}

fn put_item_body(item: &Item) -> Value {
    json!({"TableName": "usertable", "Item": item_to_json(item)})
}

fn requests(c: &mut Criterion) {
    let item = record();
    let mut out = Vec::with_capacity(4096);
    c.bench_function("dynamodb/client: GetItem body to bytes", |b| {
        b.iter(|| {
            out.clear();
            serde_json::to_writer(&mut out, &get_item_body()).unwrap();
            black_box(out.len())
        })
    });
    c.bench_function(
        "dynamodb/client: PutItem body to bytes (1 KB record)",
        |b| {
            b.iter(|| {
                out.clear();
                serde_json::to_writer(&mut out, &put_item_body(black_box(&item))).unwrap();
                black_box(out.len())
            })
        },
    );
    let get = serde_json::to_vec(&get_item_body()).unwrap();
    let put = serde_json::to_vec(&put_item_body(&item)).unwrap();
    c.bench_function("dynamodb/server: GetItem bytes to engine request", |b| {
        b.iter(|| {
            let body: Value = serde_json::from_slice(black_box(&get)).unwrap();
            black_box(decode_request("GetItem", &body).unwrap())
        })
    });
    c.bench_function("dynamodb/server: PutItem bytes to engine request", |b| {
        b.iter(|| {
            let body: Value = serde_json::from_slice(black_box(&put)).unwrap();
            black_box(decode_request("PutItem", &body).unwrap())
        })
    });
}

fn answers(c: &mut Criterion) {
    let item = record();
    c.bench_function("dynamodb/server: GetItem answer to bytes", |b| {
        b.iter(|| black_box(serde_json::to_vec(&output::get_item(Some(black_box(&item)))).unwrap()))
    });
    let answer = serde_json::to_vec(&output::get_item(Some(&item))).unwrap();
    c.bench_function(
        "dynamodb/both: CRC-32 of the GetItem answer (1.2 KB)",
        |b| b.iter(|| black_box(crc32(black_box(&answer)))),
    );
    c.bench_function("dynamodb/client: GetItem answer to engine item", |b| {
        b.iter(|| {
            let body: Value = serde_json::from_slice(black_box(&answer)).unwrap();
            black_box(item_from_json(&body["Item"]).unwrap())
        })
    });
}

criterion_group!(benches, requests, answers);
criterion_main!(benches);
