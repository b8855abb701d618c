//! Expression parsing and evaluation: what a conditional write or a filter
//! adds per request before and after its item is read.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dynacore::expr::{AttributeNames, AttributeValues, ExpressionContext, ExpressionKind};
use dynacore::{AttributeValue, Item, Number};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const CONDITION: &str = "attribute_exists(#pk) AND #version = :seen AND (#state IN (:a, :b) \
                         OR begins_with(#name, :prefix)) AND size(#tags) < :max";
const UPDATE: &str = "SET #version = #version + :one, #name = :name, #history = \
                      list_append(if_not_exists(#history, :empty), :entry) REMOVE #stale ADD #tags :tag";

fn names() -> AttributeNames {
    [
        ("#pk", "pk"),
        ("#version", "version"),
        ("#state", "state"),
        ("#name", "name"),
        ("#tags", "tags"),
        ("#history", "history"),
        ("#stale", "stale"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn values() -> AttributeValues {
    let n = |v: u64| AttributeValue::N(Number::from(v));
    BTreeMap::from([
        (":seen".to_owned(), n(41)),
        (":a".to_owned(), AttributeValue::S("open".into())),
        (":b".to_owned(), AttributeValue::S("held".into())),
        (":prefix".to_owned(), AttributeValue::S("us".into())),
        (":max".to_owned(), n(10)),
        (":one".to_owned(), n(1)),
        (":name".to_owned(), AttributeValue::S("user-0042".into())),
        (":empty".to_owned(), AttributeValue::L(Vec::new())),
        (":entry".to_owned(), AttributeValue::L(vec![n(41)])),
        (
            ":tag".to_owned(),
            AttributeValue::string_set(["new".to_owned()]).unwrap(),
        ),
    ])
}

/// A YCSB-sized item the expressions above apply to.
fn item() -> Item {
    let mut item = Item::new();
    item.insert("pk".into(), AttributeValue::S("user-0042".into()));
    item.insert("version".into(), AttributeValue::N(Number::from(41u64)));
    item.insert("state".into(), AttributeValue::S("open".into()));
    item.insert("name".into(), AttributeValue::S("user-0042".into()));
    item.insert(
        "tags".into(),
        AttributeValue::string_set(["a".to_owned(), "b".to_owned()]).unwrap(),
    );
    item.insert("stale".into(), AttributeValue::Bool(true));
    for field in 0..10 {
        item.insert(format!("field{field}"), AttributeValue::S("x".repeat(100)));
    }
    item
}

fn parse(c: &mut Criterion) {
    let (names, values) = (names(), values());
    c.bench_function("expr/parse condition (5 clauses)", |b| {
        b.iter(|| {
            let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
            black_box(
                context
                    .parse_condition(ExpressionKind::Condition, black_box(CONDITION))
                    .unwrap(),
            );
        })
    });
    c.bench_function("expr/parse update (SET, REMOVE, ADD)", |b| {
        b.iter(|| {
            let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
            black_box(context.parse_update(black_box(UPDATE)).unwrap());
        })
    });
}

fn evaluate(c: &mut Criterion) {
    let (names, values) = (names(), values());
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    let condition = context
        .parse_condition(ExpressionKind::Condition, CONDITION)
        .unwrap();
    let update = context.parse_update(UPDATE).unwrap();
    let item = item();
    assert!(condition.evaluate(&item), "the benchmark's condition holds");
    c.bench_function("expr/evaluate condition on a 1 KB item", |b| {
        b.iter(|| black_box(condition.evaluate(black_box(&item))))
    });
    c.bench_function("expr/apply update to a 1 KB item", |b| {
        b.iter(|| black_box(update.apply(black_box(&item)).unwrap()))
    });
}

criterion_group!(benches, parse, evaluate);
criterion_main!(benches);
