//! A table-driven DynamoDB conformance suite: each case is data (a name,
//! the items before, one request, and the expected result or error), and
//! one runner per operation executes a table of cases, collecting every
//! failure before asserting, so one run names every case that disagrees
//! with DynamoDB.
//!
//! The specification is DynamoDB's documented behaviour and its error
//! texts, not what the engine does today. Cases whose exact message could
//! not be confirmed against DynamoDB carry a `// unverified` comment.
//!
//! Every case runs on a fresh in-memory database (1 to 3 shards, in turn)
//! holding these tables:
//!
//! | table | partition key | sort key |
//! | --- | --- | --- |
//! | `hash` | `pk` S | — |
//! | `range` | `pk` S | `sk` N |
//! | `srange` | `pk` S | `sk` S |
//! | `bin` | `pk` B | — |
//! | `num` | `id` N | — |
//!
//! Every request that fails must change nothing: after an error the table
//! must hold exactly the items it held before.
//!
//! This file holds the values, request builders, case types, database
//! setup and placeholder palette the case files share; the runners are in
//! `runners`.

mod batch;
mod condition;
mod condition_functions;
mod condition_invalid;
mod delete;
mod get;
mod limits;
mod projection;
mod put;
mod query;
mod runners;
mod scan;
mod update;
mod update_errors;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use dynacore::expr::{AttributeNames, AttributeValues};
use dynacore::io::MemFs;
use dynacore::{
    AttributeValue, Db, Error, GetItemRequest, Item, KeyAttribute, KeyType, Number, QueryRequest,
    ReturnValues, ReturnValuesOnConditionCheckFailure, ScanRequest, Select, TableSchema,
};
use runners::{
    filled_query, filled_scan, run_gets, run_queries, run_scans, run_scenarios, run_writes,
};

// ----- values and items ------------------------------------------------

/// A String.
pub fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// A Number from its text (must be a valid DynamoDB number).
pub fn n(text: &str) -> AttributeValue {
    AttributeValue::N(num(text))
}

/// A Number value from its text.
pub fn num(text: &str) -> Number {
    text.parse()
        .unwrap_or_else(|e| panic!("bad number {text}: {e}"))
}

/// A Binary.
pub fn b(bytes: &[u8]) -> AttributeValue {
    AttributeValue::B(bytes.to_vec())
}

/// A Boolean.
pub fn bo(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

/// NULL.
pub const NULL: AttributeValue = AttributeValue::Null;

/// A String Set.
pub fn ss(members: &[&str]) -> AttributeValue {
    AttributeValue::Ss(members.iter().map(|m| (*m).to_owned()).collect())
}

/// A Number Set.
pub fn ns(members: &[&str]) -> AttributeValue {
    AttributeValue::Ns(members.iter().map(|m| num(m)).collect())
}

/// A Binary Set.
pub fn bs(members: &[&[u8]]) -> AttributeValue {
    AttributeValue::Bs(members.iter().map(|m| m.to_vec()).collect())
}

/// An empty String Set (invalid everywhere; built directly).
pub fn empty_ss() -> AttributeValue {
    AttributeValue::Ss(BTreeSet::new())
}

/// A List.
pub fn l(members: Vec<AttributeValue>) -> AttributeValue {
    AttributeValue::L(members)
}

/// A Map.
pub fn m(entries: &[(&str, AttributeValue)]) -> AttributeValue {
    AttributeValue::M(it(entries))
}

/// An item (or key, or map body).
pub fn it(entries: &[(&str, AttributeValue)]) -> Item {
    entries
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

/// The key `{pk: S}` of tables `hash`.
pub fn hk(pk: &str) -> Item {
    it(&[("pk", s(pk))])
}

/// The key `{pk: S, sk: N}` of table `range`.
pub fn rk(pk: &str, sk: &str) -> Item {
    it(&[("pk", s(pk)), ("sk", n(sk))])
}

/// `item` with `more` attributes added (or replaced).
pub fn with(item: &Item, more: &[(&str, AttributeValue)]) -> Item {
    let mut item = item.clone();
    item.extend(it(more));
    item
}

/// `item` without the attributes `names`.
pub fn without(item: &Item, names: &[&str]) -> Item {
    let mut item = item.clone();
    for name in names {
        item.remove(*name);
    }
    item
}

/// ExpressionAttributeNames.
pub fn names(pairs: &[(&str, &str)]) -> AttributeNames {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// ExpressionAttributeValues.
pub fn vals(pairs: &[(&str, AttributeValue)]) -> AttributeValues {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// A name for a generated case (cases are named by `&'static str`).
pub fn nm(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}

// ----- expected errors -------------------------------------------------

/// An error a case expects, compared exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Fail {
    /// `ValidationException` with exactly this message.
    Validation(String),
    /// `ConditionalCheckFailedException`, with the item returned by
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD` (if any).
    CondFailed(Option<Item>),
    /// `ResourceNotFoundException` for this table.
    TableNotFound(String),
}

/// A `ValidationException` with exactly `message`.
pub fn verr(message: impl Into<String>) -> Fail {
    Fail::Validation(message.into())
}

/// A failed condition, nothing returned.
pub fn ccf() -> Fail {
    Fail::CondFailed(None)
}

/// A failed condition returning `item`.
pub fn ccf_with(item: Item) -> Fail {
    Fail::CondFailed(Some(item))
}

/// A missing table.
pub fn no_table(name: &str) -> Fail {
    Fail::TableNotFound(name.to_owned())
}

/// The `Fail` an engine error is, or a description of an unexpected one.
fn classify(error: &Error) -> Result<Fail, String> {
    match error {
        Error::Validation(message) => Ok(Fail::Validation(message.clone())),
        Error::ConditionalCheckFailed { item } => Ok(Fail::CondFailed(item.as_deref().cloned())),
        Error::TableNotFound(name) => Ok(Fail::TableNotFound(name.clone())),
        other => Err(format!("unexpected error kind: {other:?}")),
    }
}

/// Compares an outcome with its expectation; `None` when they agree.
fn compare<T: std::fmt::Debug + PartialEq>(
    actual: Result<T, Error>,
    expected: &Result<T, Fail>,
) -> Option<String> {
    match (actual, expected) {
        (Ok(got), Ok(want)) if &got == want => None,
        (Ok(got), Ok(want)) => Some(format!("expected {want:?}\n      got {got:?}")),
        (Ok(got), Err(want)) => Some(format!("expected error {want:?}\n      got Ok({got:?})")),
        (Err(error), Ok(want)) => Some(format!("expected {want:?}\n      got error {error}")),
        (Err(error), Err(want)) => match classify(&error) {
            Ok(got) if &got == want => None,
            Ok(got) => Some(format!("expected error {want:?}\n      got error {got:?}")),
            Err(description) => Some(format!("expected error {want:?}\n      got {description}")),
        },
    }
}

// ----- databases -------------------------------------------------------

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A fresh in-memory database with the suite's tables; 1, 2 or 3 shards
/// in turn, so routing across shards is exercised too.
pub fn fresh_db() -> Db {
    let shards = 1 + DATABASES.fetch_add(1, Ordering::Relaxed) % 3;
    let db = Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .shard_count(shards)
        .open()
        .expect("open an in-memory database");
    let s_key = |name: &str| KeyAttribute::new(name, KeyType::S);
    let tables = [
        ("hash", TableSchema::partition_only(s_key("pk"))),
        (
            "range",
            TableSchema::with_sort_key(s_key("pk"), KeyAttribute::new("sk", KeyType::N)),
        ),
        (
            "srange",
            TableSchema::with_sort_key(s_key("pk"), s_key("sk")),
        ),
        (
            "bin",
            TableSchema::partition_only(KeyAttribute::new("pk", KeyType::B)),
        ),
        (
            "num",
            TableSchema::partition_only(KeyAttribute::new("id", KeyType::N)),
        ),
    ];
    for (name, schema) in tables {
        db.create_table(name, schema).expect("create a suite table");
    }
    db
}

/// Every item of `table`, read with plain Scans (no expressions), in a
/// canonical order.
pub fn table_items(db: &Db, table: &str) -> Vec<Item> {
    let mut request = ScanRequest {
        table_name: table.to_owned(),
        ..Default::default()
    };
    let mut items = Vec::new();
    loop {
        let page = db.scan(&request).expect("scan a suite table");
        items.extend(page.items);
        match page.last_evaluated_key {
            Some(key) => request.exclusive_start_key = Some(key),
            None => break,
        }
    }
    canonical(items)
}

/// `items` in a canonical order, for comparing unordered results.
pub fn canonical(mut items: Vec<Item>) -> Vec<Item> {
    items.sort_by_cached_key(|item| format!("{item:?}"));
    items
}

/// Collects the failures of one table of cases and reports them together.
#[derive(Debug)]
pub struct Report {
    area: &'static str,
    cases: usize,
    names: BTreeSet<&'static str>,
    failures: Vec<String>,
}

impl Report {
    /// An empty report for `area`.
    pub fn new(area: &'static str) -> Self {
        Report {
            area,
            cases: 0,
            names: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    /// Records one case's result (`None`: it passed).
    pub fn record(&mut self, name: &'static str, failure: Option<String>) {
        self.cases += 1;
        assert!(self.names.insert(name), "duplicate case name {name:?}");
        if let Some(failure) = failure {
            self.failures
                .push(format!("[{}] {name}: {failure}", self.area));
        }
    }

    /// Panics naming every failed case, if any failed.
    pub fn finish(self) {
        eprintln!(
            "conformance {}: {} cases, {} failed",
            self.area,
            self.cases,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{} of {} {} cases disagree with DynamoDB:\n{}",
            self.failures.len(),
            self.cases,
            self.area,
            self.failures.join("\n")
        );
    }
}

// ----- writes: PutItem, UpdateItem, DeleteItem ---------------------------

/// Which write a [`W`] is.
#[derive(Debug, Clone)]
pub enum Op {
    /// PutItem of this item.
    Put(Item),
    /// UpdateItem of this key with this UpdateExpression (if any).
    Update(Item, Option<String>),
    /// DeleteItem of this key.
    Delete(Item),
}

/// One write request, built compactly: `put(item).cond("...").vals(..)`.
#[derive(Debug, Clone)]
pub struct W {
    /// The table (default `hash`).
    pub table: &'static str,
    /// The operation and its item or key.
    pub op: Op,
    /// ConditionExpression.
    pub cond: Option<String>,
    /// ExpressionAttributeNames.
    pub names: Option<AttributeNames>,
    /// ExpressionAttributeValues.
    pub values: Option<AttributeValues>,
    /// ReturnValues.
    pub rv: ReturnValues,
    /// ReturnValuesOnConditionCheckFailure.
    pub rv_fail: ReturnValuesOnConditionCheckFailure,
}

fn write(op: Op) -> W {
    W {
        table: "hash",
        op,
        cond: None,
        names: None,
        values: None,
        rv: ReturnValues::None,
        rv_fail: ReturnValuesOnConditionCheckFailure::None,
    }
}

/// PutItem.
pub fn put(item: Item) -> W {
    write(Op::Put(item))
}

/// UpdateItem with an UpdateExpression.
pub fn upd(key: Item, expression: &str) -> W {
    write(Op::Update(key, Some(expression.to_owned())))
}

/// UpdateItem without an UpdateExpression.
pub fn upd_bare(key: Item) -> W {
    write(Op::Update(key, None))
}

/// DeleteItem.
pub fn del(key: Item) -> W {
    write(Op::Delete(key))
}

impl W {
    /// On table `table`.
    pub fn on(mut self, table: &'static str) -> Self {
        self.table = table;
        self
    }
    /// With ConditionExpression `text`.
    pub fn cond(mut self, text: &str) -> Self {
        self.cond = Some(text.to_owned());
        self
    }
    /// With these ExpressionAttributeNames.
    pub fn names(mut self, pairs: &[(&str, &str)]) -> Self {
        self.names = Some(names(pairs));
        self
    }
    /// With these ExpressionAttributeValues.
    pub fn vals(mut self, pairs: &[(&str, AttributeValue)]) -> Self {
        self.values = Some(vals(pairs));
        self
    }
    /// With ExpressionAttributeValues given as a map.
    pub fn vals_map(mut self, values: AttributeValues) -> Self {
        self.values = Some(values);
        self
    }
    /// With ReturnValues `rv`.
    pub fn rv(mut self, rv: ReturnValues) -> Self {
        self.rv = rv;
        self
    }
    /// With ReturnValuesOnConditionCheckFailure = ALL_OLD.
    pub fn old_on_fail(mut self) -> Self {
        self.rv_fail = ReturnValuesOnConditionCheckFailure::AllOld;
        self
    }
}

/// A write case: the items of the request's table before, the request,
/// what it returns (the `ReturnValues` attributes, `None` for nothing) or
/// the error, and the table's items afterwards.
#[derive(Debug)]
pub struct WriteCase {
    /// Names the case in failure messages.
    pub name: &'static str,
    /// The items of the request's table before the request.
    pub setup: Vec<Item>,
    /// The request.
    pub req: W,
    /// The returned attributes, or the error.
    pub expect: Result<Option<Item>, Fail>,
    /// The table's items afterwards; `None`: unchanged. An expected error
    /// always requires the table unchanged.
    pub after: Option<Vec<Item>>,
}

// ----- GetItem ---------------------------------------------------------

/// A GetItem request, built compactly.
pub fn get(key: Item) -> GetItemRequest {
    GetItemRequest {
        table_name: "hash".to_owned(),
        key,
        ..Default::default()
    }
}

/// A GetItem case: items before (in the request's table), the request and
/// the item returned (`None`: no item) or the error.
#[derive(Debug)]
pub struct GetCase {
    /// Names the case.
    pub name: &'static str,
    /// The items of the request's table.
    pub setup: Vec<Item>,
    /// The request.
    pub req: GetItemRequest,
    /// The item, or the error.
    pub expect: Result<Option<Item>, Fail>,
}

// ----- Query and Scan ----------------------------------------------------

/// What a page must hold; `None` fields are not checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageWant {
    /// The items, in order (Query) or in any order (Scan).
    pub items: Option<Vec<Item>>,
    /// `Count`.
    pub count: Option<usize>,
    /// `ScannedCount`.
    pub scanned: Option<usize>,
    /// `LastEvaluatedKey` (`Some(None)`: must be absent).
    pub last_key: Option<Option<Item>>,
}

/// A page holding exactly `items`, all of those read, and no more to come.
pub fn page(items: Vec<Item>) -> PageWant {
    let count = items.len();
    PageWant {
        items: Some(items),
        count: Some(count),
        scanned: Some(count),
        last_key: Some(None),
    }
}

/// A page of `items` out of `scanned` read, with `last_key` to resume.
pub fn page_of(items: Vec<Item>, scanned: usize, last_key: Option<Item>) -> PageWant {
    PageWant {
        count: Some(items.len()),
        items: Some(items),
        scanned: Some(scanned),
        last_key: Some(last_key),
    }
}

/// A Count-only page.
pub fn counted(count: usize, scanned: usize) -> PageWant {
    PageWant {
        items: Some(Vec::new()),
        count: Some(count),
        scanned: Some(scanned),
        last_key: Some(None),
    }
}

/// A Query request on table `range` with this key condition.
pub fn qry(key_condition: &str) -> QueryRequest {
    QueryRequest {
        table_name: "range".to_owned(),
        key_condition_expression: Some(key_condition.to_owned()),
        ..Default::default()
    }
}

/// A Scan request on table `hash`.
pub fn scn() -> ScanRequest {
    ScanRequest {
        table_name: "hash".to_owned(),
        ..Default::default()
    }
}

/// A Query or Scan case: the items of the request's table, the request, the
/// page or the error.
#[derive(Debug)]
pub struct PageCase<R> {
    /// Names the case.
    pub name: &'static str,
    /// The items of the request's table (of `hash` if it does not exist).
    pub setup: Vec<Item>,
    /// The request.
    pub req: R,
    /// The page, or the error.
    pub expect: Result<PageWant, Fail>,
}

/// A Query case.
pub type QueryCase = PageCase<QueryRequest>;
/// A Scan case.
pub type ScanCase = PageCase<ScanRequest>;

/// A multi-step case: `check` runs requests on a database holding `setup`
/// in table `table` and says what went wrong, if anything.
pub struct Scenario {
    /// Names the case.
    pub name: &'static str,
    /// The table `setup` goes into.
    pub table: &'static str,
    /// The items before.
    pub setup: Vec<Item>,
    /// The steps and their checks.
    pub check: fn(&Db) -> Result<(), String>,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .finish()
    }
}

/// `select` as a Select, for compact requests.
pub fn sel(select: Select) -> Option<Select> {
    Some(select)
}

/// Items of table `range` for partition `pk` with sort keys `sks`, each
/// with `v` = ten times its sort key.
pub fn range_items(pk: &str, sks: &[u32]) -> Vec<Item> {
    sks.iter()
        .map(|sk| {
            it(&[
                ("pk", s(pk)),
                ("sk", n(&sk.to_string())),
                ("v", n(&(sk * 10).to_string())),
            ])
        })
        .collect()
}

/// The map type of BatchGetItem responses.
pub type Responses = BTreeMap<String, Vec<Item>>;

// ----- placeholders ------------------------------------------------------

/// The suite's standard `:value` placeholders: a request that does not
/// give its ExpressionAttributeValues explicitly gets exactly those of
/// these its expressions use (a placeholder not listed here stays
/// undefined).
pub fn palette_value(placeholder: &str) -> Option<AttributeValue> {
    Some(match placeholder {
        ":zero" => n("0"),
        ":one" => n("1"),
        ":two" => n("2"),
        ":three" => n("3"),
        ":four" => n("4"),
        ":five" => n("5"),
        ":six" => n("6"),
        ":seven" => n("7"),
        ":ten" => n("10"),
        ":twenty" => n("20"),
        ":neg" => n("-0.5"),
        ":abc" => s("abc"),
        ":abd" => s("abd"),
        ":ab" => s("ab"),
        ":a" => s("a"),
        ":b" => s("b"),
        ":bc" => s("bc"),
        ":c" => s("c"),
        ":d" => s("d"),
        ":x" => s("x"),
        ":y" => s("y"),
        ":z" => s("z"),
        ":p" => s("p"),
        ":i1" => s("i1"),
        ":q" => s("q"),
        ":k" => s("k"),
        ":v" => s("new"),
        ":w" => s("w"),
        ":s5" => s("5"),
        ":empty" => s(""),
        ":b123" => b(&[1, 2, 3]),
        ":b124" => b(&[1, 2, 4]),
        ":b12" => b(&[1, 2]),
        ":b1" => b(&[1]),
        ":b3" => b(&[3]),
        ":true" => bo(true),
        ":false" => bo(false),
        ":null" => NULL,
        ":ss_ab" => ss(&["a", "b"]),
        ":ss_ba" => ss(&["b", "a"]),
        ":ss_a" => ss(&["a"]),
        ":ss_c" => ss(&["c"]),
        ":ss_cd" => ss(&["c", "d"]),
        ":ss_x" => ss(&["x"]),
        ":ns_12" => ns(&["1", "2"]),
        ":ns1" => ns(&["1"]),
        ":ns3" => ns(&["3"]),
        ":bs_12" => bs(&[&[1], &[2]]),
        ":bs1" => bs(&[&[1]]),
        ":bs3" => bs(&[&[3]]),
        ":list" => l(vec![s("x"), n("1"), m(&[("y", s("z"))])]),
        ":l34" => l(vec![n("3"), n("4")]),
        ":l0" => l(vec![n("0")]),
        ":nil" => l(vec![]),
        ":map" => m(&[("c", s("d"))]),
        ":mnew" => m(&[("q", n("1"))]),
        ":S" => s("S"),
        ":N" => s("N"),
        ":B" => s("B"),
        ":BOOL" => s("BOOL"),
        ":NULL" => s("NULL"),
        ":L" => s("L"),
        ":M" => s("M"),
        ":SS" => s("SS"),
        ":NS" => s("NS"),
        ":BS" => s("BS"),
        ":XX" => s("XX"),
        _ => return None,
    })
}

/// The suite's standard `#name` placeholders (see [`palette_value`]).
pub fn palette_name(placeholder: &str) -> Option<&'static str> {
    Some(match placeholder {
        "#s" => "s",
        "#n" => "n",
        "#m" => "m",
        "#l" => "l",
        "#b" => "b",
        "#c" => "c",
        "#v" => "v",
        "#pk" => "pk",
        "#sk" => "sk",
        "#st" => "status",
        "#dot" => "a.b",
        "#sp" => "with space",
        _ => return None,
    })
}

/// The placeholders starting with `sigil` in `texts`.
fn placeholders_in<'a>(texts: impl IntoIterator<Item = &'a str>, sigil: char) -> Vec<String> {
    let mut found = BTreeSet::new();
    for text in texts {
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if c != sigil {
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(i, next)) = chars.peek() {
                if next.is_ascii_alphanumeric() || next == '_' {
                    end = i + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            found.insert(text[start..end].to_owned());
        }
    }
    found.into_iter().collect()
}

/// `explicit` if given, else the palette values the expressions use
/// (`None` if they use none).
pub fn auto_values<'a>(
    explicit: &Option<AttributeValues>,
    texts: impl IntoIterator<Item = &'a str>,
) -> Option<AttributeValues> {
    if explicit.is_some() {
        return explicit.clone();
    }
    let values: AttributeValues = placeholders_in(texts, ':')
        .into_iter()
        .filter_map(|p| palette_value(&p).map(|v| (p, v)))
        .collect();
    (!values.is_empty()).then_some(values)
}

/// `explicit` if given, else the palette names the expressions use.
pub fn auto_names<'a>(
    explicit: &Option<AttributeNames>,
    texts: impl IntoIterator<Item = &'a str>,
) -> Option<AttributeNames> {
    if explicit.is_some() {
        return explicit.clone();
    }
    let names: AttributeNames = placeholders_in(texts, '#')
        .into_iter()
        .filter_map(|p| palette_name(&p).map(|v| (p, v.to_owned())))
        .collect();
    (!names.is_empty()).then_some(names)
}
