//! Property tests of Query and Scan against a reference model.
//!
//! Each seed fills a table with items of random attributes, then runs
//! random Queries (every kind of sort-key condition, both directions) and
//! Scans (whole, and split into parallel segments), each with a random
//! FilterExpression drawn from a small grammar and a random Limit. The
//! pages concatenated must equal the reference's answer — the items in the
//! key range, in order, kept by the filter as the reference evaluates it —
//! with no duplicates, `Count` summing to the kept items and `ScannedCount`
//! to the items in range.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use dynacore::io::MemFs;
use dynacore::{AttributeValue, Db, Item, Number, Page, QueryRequest, ScanRequest};
use dynacore_tests::{Rng, for_each_seed, number, string_number_schema};

/// A filter of the grammar, with the reference semantics of each form.
#[derive(Debug, Clone)]
enum Filter {
    /// `#v < :x`
    Less(i64),
    /// `#v = :x`
    Equal(i64),
    /// `#v BETWEEN :x AND :y`
    Between(i64, i64),
    /// `#v IN (:x, :y)`
    In(i64, i64),
    /// `attribute_exists(#s)`
    Exists,
    /// `attribute_not_exists(#v)`
    NotExists,
    /// `begins_with(#s, :p)`
    BeginsWith(String),
    /// `contains(#s, :p)`
    Contains(String),
    /// `size(#s) > :x`
    SizeGreater(i64),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

/// A filter's text and the placeholders it uses.
#[derive(Debug, Default)]
struct Rendered {
    text: String,
    names: BTreeMap<String, String>,
    values: BTreeMap<String, AttributeValue>,
}

impl Rendered {
    fn value(&mut self, value: AttributeValue) -> String {
        let name = format!(":x{}", self.values.len());
        self.values.insert(name.clone(), value);
        name
    }

    fn name(&mut self, placeholder: &str, attribute: &str) -> String {
        self.names
            .insert(placeholder.to_owned(), attribute.to_owned());
        placeholder.to_owned()
    }
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(Number::from(value))
}

impl Filter {
    fn random(rng: &mut Rng, depth: u32) -> Filter {
        let leaf = depth == 0 || rng.chance(45);
        if leaf {
            let x = rng.below(20) as i64;
            let prefix = ["a", "b", "ab", "ba", ""][rng.below(5) as usize].to_owned();
            return match rng.below(9) {
                0 => Filter::Less(x),
                1 => Filter::Equal(x),
                2 => Filter::Between(x, x + rng.below(8) as i64),
                3 => Filter::In(x, rng.below(20) as i64),
                4 => Filter::Exists,
                5 => Filter::NotExists,
                6 if !prefix.is_empty() => Filter::BeginsWith(prefix),
                7 if !prefix.is_empty() => Filter::Contains(prefix),
                _ => Filter::SizeGreater(rng.below(4) as i64),
            };
        }
        let left = Box::new(Filter::random(rng, depth - 1));
        match rng.below(3) {
            0 => Filter::And(left, Box::new(Filter::random(rng, depth - 1))),
            1 => Filter::Or(left, Box::new(Filter::random(rng, depth - 1))),
            _ => Filter::Not(left),
        }
    }

    fn render(&self, out: &mut Rendered) -> String {
        match self {
            Filter::Less(x) => {
                let v = out.name("#v", "v");
                format!("{v} < {}", out.value(n(*x)))
            }
            Filter::Equal(x) => {
                let v = out.name("#v", "v");
                format!("{v} = {}", out.value(n(*x)))
            }
            Filter::Between(a, b) => {
                let v = out.name("#v", "v");
                let (a, b) = (out.value(n(*a)), out.value(n(*b)));
                format!("{v} BETWEEN {a} AND {b}")
            }
            Filter::In(a, b) => {
                let v = out.name("#v", "v");
                let (a, b) = (out.value(n(*a)), out.value(n(*b)));
                format!("{v} IN ({a}, {b})")
            }
            Filter::Exists => format!("attribute_exists({})", out.name("#s", "s")),
            Filter::NotExists => format!("attribute_not_exists({})", out.name("#v", "v")),
            Filter::BeginsWith(p) => {
                let s = out.name("#s", "s");
                format!(
                    "begins_with({s}, {})",
                    out.value(AttributeValue::S(p.clone()))
                )
            }
            Filter::Contains(p) => {
                let s = out.name("#s", "s");
                format!("contains({s}, {})", out.value(AttributeValue::S(p.clone())))
            }
            Filter::SizeGreater(x) => {
                let s = out.name("#s", "s");
                format!("size({s}) > {}", out.value(n(*x)))
            }
            Filter::And(a, b) => format!("({}) AND ({})", a.render(out), b.render(out)),
            Filter::Or(a, b) => format!("({}) OR ({})", a.render(out), b.render(out)),
            Filter::Not(a) => format!("NOT ({})", a.render(out)),
        }
    }

    /// DynamoDB's semantics for these forms: a comparison with a missing
    /// attribute is false; strings compare bytewise.
    fn keeps(&self, item: &Item) -> bool {
        let v = match item.get("v") {
            Some(AttributeValue::N(n)) => Some(n.to_i64().expect("small numbers")),
            _ => None,
        };
        let s = match item.get("s") {
            Some(AttributeValue::S(s)) => Some(s.as_str()),
            _ => None,
        };
        match self {
            Filter::Less(x) => v.is_some_and(|v| v < *x),
            Filter::Equal(x) => v == Some(*x),
            Filter::Between(a, b) => v.is_some_and(|v| *a <= v && v <= *b),
            Filter::In(a, b) => v.is_some_and(|v| v == *a || v == *b),
            Filter::Exists => s.is_some(),
            Filter::NotExists => v.is_none(),
            Filter::BeginsWith(p) => s.is_some_and(|s| s.starts_with(p.as_str())),
            Filter::Contains(p) => s.is_some_and(|s| s.contains(p.as_str())),
            Filter::SizeGreater(x) => s.is_some_and(|s| (s.len() as i64) > *x),
            Filter::And(a, b) => a.keeps(item) && b.keeps(item),
            Filter::Or(a, b) => a.keeps(item) || b.keeps(item),
            Filter::Not(a) => !a.keeps(item),
        }
    }
}

type Model = BTreeMap<(String, Number), Item>;

/// A placeholder map, or `None` when empty (DynamoDB refuses empty maps).
fn non_empty<V: Clone>(map: &BTreeMap<String, V>) -> Option<BTreeMap<String, V>> {
    (!map.is_empty()).then(|| map.clone())
}

fn random_item(rng: &mut Rng, pk: &str, sk: Number) -> Item {
    let mut item = dynacore_tests::item(pk, Some(&sk), &[]);
    if rng.chance(80) {
        item.insert("v".into(), n(rng.below(20) as i64));
    }
    if rng.chance(80) {
        let len = rng.below(5) as usize;
        let text: String = (0..len)
            .map(|_| ['a', 'b'][rng.below(2) as usize])
            .collect();
        item.insert("s".into(), AttributeValue::S(text));
    }
    if rng.chance(30) {
        // Bulk, so that some pages stop at 1 MB rather than at Limit.
        let size = 1 + rng.below(40_000) as usize;
        item.insert("pad".into(), AttributeValue::S("p".repeat(size)));
    }
    item
}

/// Collects every page of a query or scan, checking each page's counts.
fn all_pages(mut next: impl FnMut(Option<Item>) -> Page, context: &str) -> (Vec<Item>, usize) {
    let mut items = Vec::new();
    let mut scanned = 0;
    let mut start = None;
    for _ in 0..100_000 {
        let page = next(start.take());
        assert_eq!(page.count, page.items.len(), "{context}: count");
        assert!(page.count <= page.scanned_count, "{context}: scanned count");
        scanned += page.scanned_count;
        items.extend(page.items);
        match page.last_evaluated_key {
            Some(last) => start = Some(last),
            None => return (items, scanned),
        }
    }
    panic!("{context}: paging never ended");
}

fn sk_of(item: &Item) -> (String, Number) {
    match (&item["pk"], &item["sk"]) {
        (AttributeValue::S(pk), AttributeValue::N(sk)) => (pk.clone(), *sk),
        other => panic!("bad key {other:?}"),
    }
}

fn assert_no_duplicates(items: &[Item], context: &str) {
    let keys: BTreeSet<_> = items.iter().map(sk_of).collect();
    assert_eq!(keys.len(), items.len(), "{context}: duplicates");
}

fn run(seed: u64) {
    let mut rng = Rng::new(seed);
    let db = Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .shard_count(1 + rng.below(3) as usize)
        .memtable_size_bytes_max(64 * 1024)
        .open()
        .unwrap();
    db.create_table("tbl", string_number_schema()).unwrap();
    let mut model = Model::new();
    for p in 0..6 {
        let pk = format!("p{p}");
        for _ in 0..rng.below(60) {
            let sk = number(&(rng.below(100) as i64 - 50).to_string());
            let item = random_item(&mut rng, &pk, sk);
            db.put_item("tbl", &item).unwrap();
            model.insert((pk.clone(), sk), item);
        }
    }
    if rng.chance(50) {
        db.flush().unwrap();
    }

    for round in 0..30 {
        let filter = Filter::random(&mut rng, 3);
        let mut rendered = Rendered::default();
        rendered.text = filter.render(&mut rendered);
        let limit = rng.chance(70).then(|| 1 + rng.below(15) as usize);

        // Query one partition with a random sort-key condition.
        let pk = format!("p{}", rng.below(6));
        let a = rng.below(100) as i64 - 50;
        let b = a + rng.below(40) as i64;
        let (sort_text, low, high) = match rng.below(7) {
            0 => ("", Bound::Unbounded, Bound::Unbounded),
            1 => (" AND sk = :a", Bound::Included(a), Bound::Included(a)),
            2 => (" AND sk < :a", Bound::Unbounded, Bound::Excluded(a)),
            3 => (" AND sk <= :a", Bound::Unbounded, Bound::Included(a)),
            4 => (" AND sk > :a", Bound::Excluded(a), Bound::Unbounded),
            5 => (" AND sk >= :a", Bound::Included(a), Bound::Unbounded),
            _ => (
                " AND sk BETWEEN :a AND :b",
                Bound::Included(a),
                Bound::Included(b),
            ),
        };
        let forward = rng.chance(50);
        let mut query_values = rendered.values.clone();
        query_values.insert(":p".into(), AttributeValue::S(pk.clone()));
        if sort_text.contains(":a") {
            query_values.insert(":a".into(), n(a));
        }
        if sort_text.contains(":b") {
            query_values.insert(":b".into(), n(b));
        }
        let mut in_range: Vec<Item> = model
            .iter()
            .filter(|((p, sk), _)| {
                let sk = sk.to_i64().unwrap();
                p == &pk && RangeBounds::contains(&(low, high), &sk)
            })
            .map(|(_, item)| item.clone())
            .collect();
        if !forward {
            in_range.reverse();
        }
        let expected: Vec<Item> = in_range
            .iter()
            .filter(|i| filter.keeps(i))
            .cloned()
            .collect();
        let context = format!(
            "seed {seed} round {round}: query {pk}{sort_text} a={a} b={b} filter `{}` \
             limit {limit:?} forward {forward}",
            rendered.text
        );
        let (got, scanned) = all_pages(
            |start| {
                db.query(&QueryRequest {
                    table_name: "tbl".into(),
                    key_condition_expression: Some(format!("pk = :p{sort_text}")),
                    filter_expression: Some(rendered.text.clone()),
                    expression_attribute_names: non_empty(&rendered.names),
                    expression_attribute_values: Some(query_values.clone()),
                    scan_index_forward: forward,
                    limit,
                    exclusive_start_key: start,
                    ..QueryRequest::default()
                })
                .unwrap_or_else(|e| panic!("{context}: {e}"))
            },
            &context,
        );
        assert_eq!(got, expected, "{context}");
        assert_eq!(scanned, in_range.len(), "{context}: scanned");
        assert_no_duplicates(&got, &context);

        // Scan the whole table, or every segment of a parallel scan.
        let total_segments = [None, Some(1), Some(2), Some(3), Some(7)][rng.below(5) as usize];
        let expected: Vec<Item> = model
            .values()
            .filter(|i| filter.keeps(i))
            .cloned()
            .collect();
        let mut got = Vec::new();
        for segment in 0..total_segments.unwrap_or(1) {
            let context = format!(
                "seed {seed} round {round}: scan segment {segment}/{total_segments:?} filter `{}` \
                 limit {limit:?}",
                rendered.text
            );
            let (items, _) = all_pages(
                |start| {
                    db.scan(&ScanRequest {
                        table_name: "tbl".into(),
                        filter_expression: Some(rendered.text.clone()),
                        expression_attribute_names: non_empty(&rendered.names),
                        expression_attribute_values: non_empty(&rendered.values),
                        limit,
                        exclusive_start_key: start,
                        segment: total_segments.map(|_| segment),
                        total_segments,
                        ..ScanRequest::default()
                    })
                    .unwrap_or_else(|e| panic!("{context}: {e}"))
                },
                &context,
            );
            got.extend(items);
        }
        let context = format!("seed {seed} round {round}: scan {total_segments:?}");
        assert_no_duplicates(&got, &context);
        got.sort_by_key(sk_of);
        assert_eq!(got, expected, "{context} filter `{}`", rendered.text);
    }
}

#[test]
fn query_and_scan_pages_with_random_filters_match_the_model() {
    for_each_seed(4, run);
}
