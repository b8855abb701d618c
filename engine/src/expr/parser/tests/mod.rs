//! Tests of the parser: table-driven cases (valid expressions with their
//! trees, invalid ones with DynamoDB's exact message) for every construct,
//! limit and error, and properties: no input panics or exhausts the stack.
//! This file holds the fixtures; each submodule one kind of expression.

mod conditions;
mod hostile;
mod key_conditions;
mod placeholders;
mod projections;
mod round_trip;
mod updates;

use std::collections::{BTreeMap, BTreeSet};

use crate::Error;
use crate::expr::ast::*;
use crate::expr::{AttributeNames, AttributeValues, ExpressionContext, ExpressionKind};
use crate::model::{AttributeValue, KeyAttribute, KeyType, KeyValue, Number, TableSchema};

fn number(text: &str) -> Number {
    text.parse().expect("test number")
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(number(text))
}

/// The names every test may use.
fn fixture_names() -> AttributeNames {
    [
        ("#n", "name"),
        ("#a", "a"),
        ("#b", "b"),
        ("#dotted", "a.b"),
        ("#pk", "pk"),
        ("#sk", "sk"),
        ("#1", "one"),
    ]
    .into_iter()
    .map(|(key, name)| (key.to_string(), name.to_string()))
    .collect()
}

/// The values every test may use.
fn fixture_values() -> AttributeValues {
    [
        (":s", s("text")),
        (":s2", s("zz")),
        (":a", s("a")),
        (":empty", s("")),
        (":n", n("1")),
        (":n2", n("2")),
        (":b", AttributeValue::B(vec![1])),
        (":b2", AttributeValue::B(vec![2])),
        (":emptyb", AttributeValue::B(Vec::new())),
        (":t", AttributeValue::Bool(true)),
        (":null", AttributeValue::Null),
        (":l", AttributeValue::L(vec![n("1")])),
        (":m", AttributeValue::M(BTreeMap::new())),
        (":ss", AttributeValue::Ss(BTreeSet::from(["x".to_string()]))),
        (":ns", AttributeValue::Ns(BTreeSet::from([number("3")]))),
        (":bs", AttributeValue::Bs(BTreeSet::from([vec![9]]))),
        (":typeN", s("N")),
        (":typeX", s("X")),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_string(), value))
    .collect()
}

/// `a.b[2].c` style paths: `.` separates names, `[i]` indexes.
fn path(text: &str) -> Path {
    let mut elements = Vec::new();
    for part in text.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            elements.push(PathElement::Attribute(name.to_string()));
        }
        for index in rest.split('[').filter(|piece| !piece.is_empty()) {
            let digits = index.trim_end_matches(']');
            elements.push(PathElement::Index(digits.parse().expect("test index")));
        }
    }
    Path { elements }
}

fn operand_path(text: &str) -> Operand {
    Operand::Path(path(text))
}

fn compare(left: Operand, comparator: Comparator, right: Operand) -> Condition {
    Condition::Compare {
        left,
        comparator,
        right,
    }
}

fn message<T: std::fmt::Debug>(result: crate::Result<T>) -> String {
    match result {
        Err(Error::Validation(message)) => message,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn condition(text: &str) -> crate::Result<Condition> {
    let names = fixture_names();
    let values = fixture_values();
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).expect("fixtures");
    context.parse_condition(ExpressionKind::Condition, text)
}

fn update(text: &str) -> crate::Result<UpdateExpression> {
    let names = fixture_names();
    let values = fixture_values();
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).expect("fixtures");
    context.parse_update(text)
}

fn projection(text: &str) -> crate::Result<Projection> {
    let names = fixture_names();
    let values = fixture_values();
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).expect("fixtures");
    context.parse_projection(text)
}

fn hash_and_range_schema() -> TableSchema {
    TableSchema::with_sort_key(
        KeyAttribute::new("pk", KeyType::S),
        KeyAttribute::new("sk", KeyType::N),
    )
}

fn key_condition_in(schema: &TableSchema, text: &str) -> crate::Result<KeyCondition> {
    let names = fixture_names();
    let values = fixture_values();
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).expect("fixtures");
    context.parse_key_condition(text, schema)
}

fn key_condition(text: &str) -> crate::Result<KeyCondition> {
    key_condition_in(&hash_and_range_schema(), text)
}

fn assert_errors<T: std::fmt::Debug>(
    parse: impl Fn(&str) -> crate::Result<T>,
    cases: &[(&str, &str)],
) {
    for (text, expected) in cases {
        assert_eq!(message(parse(text)), *expected, "expression: {text:?}");
    }
}
