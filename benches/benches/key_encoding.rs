//! Order-preserving key encoding and item encoding.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dynacore::coding::item::{decode_item, encode_item};
use dynacore::coding::key::encode_key;
use dynacore::ids::TableId;
use dynacore::{AttributeValue, Item, KeyValue, Number, PrimaryKey};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn keys(c: &mut Criterion) {
    let string_key = PrimaryKey {
        partition: KeyValue::S("user6284781860667377211".into()),
        sort: None,
    };
    c.bench_function("key/encode string partition key (23 B)", |b| {
        b.iter(|| black_box(encode_key(TableId(1), black_box(&string_key))))
    });
    let number: Number = "-12345.678901234567890123".parse().unwrap();
    let composite = PrimaryKey {
        partition: KeyValue::S("customer#00042".into()),
        sort: Some(KeyValue::N(number)),
    };
    c.bench_function("key/encode string + number sort key", |b| {
        b.iter(|| black_box(encode_key(TableId(1), black_box(&composite))))
    });
}

fn items(c: &mut Criterion) {
    let mut item: Item = BTreeMap::new();
    item.insert(
        "pk".into(),
        AttributeValue::S("user6284781860667377211".into()),
    );
    for field in 0..10 {
        item.insert(format!("field{field}"), AttributeValue::S("x".repeat(100)));
    }
    let encoded = encode_item(&item);
    c.bench_function("item/encode YCSB record (10 × 100 B)", |b| {
        b.iter(|| black_box(encode_item(black_box(&item))))
    });
    c.bench_function("item/decode YCSB record (10 × 100 B)", |b| {
        b.iter(|| black_box(decode_item(black_box(&encoded)).unwrap()))
    });
}

criterion_group!(benches, keys, items);
criterion_main!(benches);
