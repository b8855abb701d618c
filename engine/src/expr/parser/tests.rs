//! Tests of the parser: table-driven cases (valid expressions with their
//! trees, invalid ones with DynamoDB's exact message) for every construct,
//! limit and error, and properties: no input panics or exhausts the stack.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::placeholders::java_hash_set_order;
use super::syntax::NESTING_DEPTH_MAX;
use crate::Error;
use crate::expr::ast::*;
use crate::expr::{AttributeNames, AttributeValues, ExpressionContext, ExpressionKind};
use crate::model::{AttributeValue, KeyAttribute, KeyType, KeyValue, Number, TableSchema};

// ----- fixtures -------------------------------------------------------

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

// ----- conditions: valid ------------------------------------------------

#[test]
fn conditions_build_the_expected_trees() {
    use Comparator::*;
    let cases: Vec<(&str, Condition)> = vec![
        (
            "a = :n",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a <> :n",
            compare(operand_path("a"), Ne, Operand::Value(n("1"))),
        ),
        (
            "a < :n",
            compare(operand_path("a"), Lt, Operand::Value(n("1"))),
        ),
        (
            "a <= :s",
            compare(operand_path("a"), Le, Operand::Value(s("text"))),
        ),
        (
            "a > :b",
            compare(
                operand_path("a"),
                Gt,
                Operand::Value(AttributeValue::B(vec![1])),
            ),
        ),
        ("a >= b", compare(operand_path("a"), Ge, operand_path("b"))),
        (
            ":n = :n2",
            compare(Operand::Value(n("1")), Eq, Operand::Value(n("2"))),
        ),
        (
            "#n = :s",
            compare(operand_path("name"), Eq, Operand::Value(s("text"))),
        ),
        (
            "#dotted = :s",
            compare(
                Operand::Path(Path::attribute("a.b")),
                Eq,
                Operand::Value(s("text")),
            ),
        ),
        (
            "a.b[2].c = :n",
            compare(operand_path("a.b[2].c"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a[0][1] = :n",
            compare(operand_path("a[0][1]"), Eq, Operand::Value(n("1"))),
        ),
        (
            "#a.#b = :n",
            compare(operand_path("a.b"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a = :t",
            compare(
                operand_path("a"),
                Eq,
                Operand::Value(AttributeValue::Bool(true)),
            ),
        ),
        (
            "a <> :m",
            compare(
                operand_path("a"),
                Ne,
                Operand::Value(AttributeValue::M(BTreeMap::new())),
            ),
        ),
        (
            "size(a) > :n",
            compare(
                Operand::Size(Box::new(operand_path("a"))),
                Gt,
                Operand::Value(n("1")),
            ),
        ),
        (
            ":n < size(a.b)",
            compare(
                Operand::Value(n("1")),
                Lt,
                Operand::Size(Box::new(operand_path("a.b"))),
            ),
        ),
        (
            "(a) = :n",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a = (:n)",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "(a = :n)",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "((a) = :n)",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a BETWEEN :n AND :n2",
            Condition::Between {
                value: operand_path("a"),
                low: Operand::Value(n("1")),
                high: Operand::Value(n("2")),
            },
        ),
        (
            "a between b and c",
            Condition::Between {
                value: operand_path("a"),
                low: operand_path("b"),
                high: operand_path("c"),
            },
        ),
        (
            "a IN (:n, :n2, b)",
            Condition::In {
                value: operand_path("a"),
                candidates: vec![
                    Operand::Value(n("1")),
                    Operand::Value(n("2")),
                    operand_path("b"),
                ],
            },
        ),
        (
            "a in (:s)",
            Condition::In {
                value: operand_path("a"),
                candidates: vec![Operand::Value(s("text"))],
            },
        ),
        (
            "attribute_exists(a.b)",
            Condition::AttributeExists(path("a.b")),
        ),
        (
            "attribute_not_exists(#n)",
            Condition::AttributeNotExists(path("name")),
        ),
        (
            "attribute_type(a, :typeN)",
            Condition::AttributeType {
                path: path("a"),
                type_name: "N".to_string(),
            },
        ),
        (
            "begins_with(a, :s)",
            Condition::BeginsWith {
                value: operand_path("a"),
                prefix: Operand::Value(s("text")),
            },
        ),
        (
            "begins_with(:s, a)",
            Condition::BeginsWith {
                value: Operand::Value(s("text")),
                prefix: operand_path("a"),
            },
        ),
        (
            "contains(a, :n)",
            Condition::Contains {
                haystack: operand_path("a"),
                needle: Operand::Value(n("1")),
            },
        ),
        (
            "contains(a, b)",
            Condition::Contains {
                haystack: operand_path("a"),
                needle: operand_path("b"),
            },
        ),
        (
            "(begins_with(a, :s))",
            Condition::BeginsWith {
                value: operand_path("a"),
                prefix: Operand::Value(s("text")),
            },
        ),
        (
            "NOT attribute_exists(a)",
            Condition::Not(Box::new(Condition::AttributeExists(path("a")))),
        ),
        (
            "not not a = :n",
            Condition::Not(Box::new(Condition::Not(Box::new(compare(
                operand_path("a"),
                Eq,
                Operand::Value(n("1")),
            ))))),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            condition(text).unwrap_or_else(|e| panic!("{text}: {e}")),
            expected,
            "{text}"
        );
    }
}

#[test]
fn condition_precedence_is_or_then_and_then_not() {
    let a = || compare(operand_path("a"), Comparator::Eq, Operand::Value(n("1")));
    let b = || compare(operand_path("b"), Comparator::Eq, Operand::Value(n("1")));
    let c = || compare(operand_path("c"), Comparator::Eq, Operand::Value(n("1")));
    let and = |x, y| Condition::And(Box::new(x), Box::new(y));
    let or = |x, y| Condition::Or(Box::new(x), Box::new(y));
    let not = |x| Condition::Not(Box::new(x));
    let cases: Vec<(&str, Condition)> = vec![
        ("a = :n OR b = :n AND c = :n", or(a(), and(b(), c()))),
        ("a = :n AND b = :n OR c = :n", or(and(a(), b()), c())),
        ("(a = :n OR b = :n) AND c = :n", and(or(a(), b()), c())),
        ("a = :n AND b = :n AND c = :n", and(and(a(), b()), c())),
        ("a = :n OR b = :n OR c = :n", or(or(a(), b()), c())),
        ("NOT a = :n AND b = :n", and(not(a()), b())),
        ("NOT (a = :n AND b = :n)", not(and(a(), b()))),
        (
            "a = :n AND NOT b = :n OR c = :n",
            or(and(a(), not(b())), c()),
        ),
        (
            "a BETWEEN :n AND :n2 AND b = :n",
            and(
                Condition::Between {
                    value: operand_path("a"),
                    low: Operand::Value(n("1")),
                    high: Operand::Value(n("2")),
                },
                b(),
            ),
        ),
        (
            "attribute_exists(a) AND b = :n OR NOT contains(c, :n)",
            or(
                and(Condition::AttributeExists(path("a")), b()),
                not(Condition::Contains {
                    haystack: operand_path("c"),
                    needle: Operand::Value(n("1")),
                }),
            ),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            condition(text).unwrap_or_else(|e| panic!("{text}: {e}")),
            expected,
            "{text}"
        );
    }
}

#[test]
fn keywords_and_whitespace_are_flexible() {
    let expected = condition("a = :n AND b = :n").unwrap();
    for text in [
        "a=:n and b=:n",
        "  a\t=\n:n\r\nAnD   b =:n  ",
        "(a = :n) AND (b = :n)",
    ] {
        assert_eq!(condition(text).unwrap(), expected, "{text}");
    }
}

// ----- conditions: errors -----------------------------------------------

#[test]
fn condition_syntax_errors_name_the_token_and_its_neighbours() {
    assert_errors(
        condition,
        &[
            (
                "foo",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo""#,
            ),
            (
                "a = = b",
                r#"Invalid ConditionExpression: Syntax error; token: "=", near: "= = b""#,
            ),
            (
                "attribute_not_exists(",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "(""#,
            ),
            (
                "contains (themes, :s",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":s""#,
            ),
            (
                "a = :n AND",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND""#,
            ),
            (
                "a ! b",
                r#"Invalid ConditionExpression: Syntax error; token: "!", near: "a ! b""#,
            ),
            (
                "_a = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "_", near: "_a""#,
            ),
            (
                "a = :n)",
                r#"Invalid ConditionExpression: Syntax error; token: ")", near: ":n)""#,
            ),
            (
                "(a = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":n""#,
            ),
            (
                "a[01] = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "1", near: "01]""#,
            ),
            (
                "a[x] = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "x", near: "[x]""#,
            ),
            (
                "a. = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "=", near: ". = :n""#,
            ),
            (
                "a.:n = :n",
                r#"Invalid ConditionExpression: Syntax error; token: ":n", near: ".:n =""#,
            ),
            (
                "a IN ()",
                r#"Invalid ConditionExpression: Syntax error; token: ")", near: "()""#,
            ),
            (
                "a IN :n",
                r#"Invalid ConditionExpression: Syntax error; token: ":n", near: "IN :n""#,
            ),
            (
                "a BETWEEN :n",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":n""#,
            ),
            (
                "a BETWEEN :n OR :n2",
                r#"Invalid ConditionExpression: Syntax error; token: "OR", near: ":n OR :n2""#,
            ),
            (
                "a",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a""#,
            ),
            (
                "(a)",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ")""#,
            ),
            (
                "NOT (a)",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ")""#,
            ),
            (
                "(a AND b = :n)",
                r#"Invalid ConditionExpression: Syntax error; token: "AND", near: "a AND b""#,
            ),
            (
                "a = :n b = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "b", near: ":n b =""#,
            ),
            (
                "a = b = c",
                r#"Invalid ConditionExpression: Syntax error; token: "=", near: "b = c""#,
            ),
            (
                "size() > :n",
                r#"Invalid ConditionExpression: Syntax error; token: ")", near: "() >""#,
            ),
            (
                "#",
                r##"Invalid ConditionExpression: Syntax error; token: "#", near: "#""##,
            ),
            (
                ": = a",
                r#"Invalid ConditionExpression: Syntax error; token: ":", near: ": =""#,
            ),
            (
                "a = :n + :n",
                r#"Invalid ConditionExpression: Syntax error; token: "+", near: ":n + :n""#,
            ),
            (
                "SET = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "SET", near: "SET =""#,
            ),
            (
                "a = :n,",
                r#"Invalid ConditionExpression: Syntax error; token: ",", near: ":n,""#,
            ),
            (
                "   ",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "   ""#,
            ),
            (
                "(size(a))[0] > a",
                r#"Invalid ConditionExpression: Syntax error; token: "[", near: ")[0""#,
            ),
        ],
    );
}

#[test]
fn filter_expressions_are_named_in_their_messages() {
    let names = fixture_names();
    let values = fixture_values();
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    assert_eq!(
        message(context.parse_condition(ExpressionKind::Filter, "a =")),
        r#"Invalid FilterExpression: Syntax error; token: "<EOF>", near: "=""#
    );
    assert_eq!(
        message(context.parse_condition(ExpressionKind::Filter, "")),
        "Invalid FilterExpression: The expression can not be empty;"
    );
}

#[test]
fn redundant_parentheses_are_refused() {
    const REDUNDANT: &str =
        "Invalid ConditionExpression: The expression has redundant parentheses;";
    for text in [
        "((a = :n))",
        "((a)) = :n",
        "a = ((:n))",
        "((begins_with(a, :s)))",
        "(a = :n) AND ((b = :n))",
        "NOT ((a = :n))",
        "size(((a))) = :n",
        "((a = :n) OR ((b = :n)))",
        "(((a = :n)) = (b",
    ] {
        assert_eq!(message(condition(text)), REDUNDANT, "{text}");
    }
    assert!(condition("((a = :n) OR (b = :n))").is_ok());
    assert!(condition("(NOT (a = :n))").is_ok());
}

#[test]
fn condition_semantic_errors_use_dynamodb_messages() {
    assert_errors(
        condition,
        &[
            (
                "name = :s",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            (
                "a.Comment = :s",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Comment",
            ),
            (
                "attribute_exists(Size)",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Size",
            ),
            (
                "#x = :s",
                "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            (
                "a = :x",
                "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "foo(a)",
                "Invalid ConditionExpression: Invalid function name; function: foo",
            ),
            (
                "a = Size(b)",
                "Invalid ConditionExpression: Invalid function name; function: Size",
            ),
            (
                "if_not_exists(a, :n) = :n",
                "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists",
            ),
            (
                "list_append(a, :l)",
                "Invalid ConditionExpression: The function is not allowed in a condition expression; function: list_append",
            ),
            (
                "size(a)",
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size",
            ),
            (
                "attribute_exists(a) = :t",
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists",
            ),
            (
                "size(contains(a, :s)) > :n",
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: contains",
            ),
            (
                "attribute_exists(a, b)",
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
            ),
            (
                "begins_with(a)",
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1",
            ),
            (
                "size(a, b) > :n",
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2",
            ),
            (
                "attribute_exists(:s)",
                "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists",
            ),
            (
                "attribute_not_exists(size(a))",
                "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_not_exists",
            ),
            (
                "attribute_type(:s, :typeN)",
                "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_type",
            ),
            (
                "attribute_type(a, :typeX)",
                "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
            ),
            (
                "attribute_type(a, :n)",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
            ),
            (
                "attribute_type(a, b)",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {SS,M,DECIMAL,DOUBLESET,HDS,N,B,DICT,INTSET,BOOL,HD,BS,INT,DECIMALSET,NULL,FLOAT,FS,S,L,NS,DOUBLE}",
            ),
            (
                "begins_with(a, :n)",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
            ),
            (
                "begins_with(:ss, a)",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS",
            ),
            (
                "size(:n) > :n",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N",
            ),
            (
                "size(size(a)) > :n",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N",
            ),
            (
                "a < :t",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL",
            ),
            (
                ":ss >= a",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >=, operand type: SS",
            ),
            (
                "a BETWEEN :null AND :n",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: NULL",
            ),
            (
                "a BETWEEN :n2 AND :n",
                "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}",
            ),
            (
                "a BETWEEN :s2 AND :s",
                "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:zz}, upper bound operand: AttributeValue: {S:text}",
            ),
            (
                "a BETWEEN :n AND :s",
                "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:text}",
            ),
            (
                "a BETWEEN :b2 AND :b",
                "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}, upper bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}",
            ),
            (
                "a = a",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]",
            ),
            (
                "#a.b[1] <> a.#b[1]",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a, b, [1]]",
            ),
            (
                "a BETWEEN :n AND a",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: BETWEEN, first operand: [a]",
            ),
            (
                "a IN (:n, a)",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: IN, first operand: [a]",
            ),
            (
                "begins_with(a, a)",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [a]",
            ),
            (
                "contains(#a, a)",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a]",
            ),
            (
                "a[2147483648] = :n",
                "Invalid ConditionExpression: List index is not within the allowable range; index: [2147483648]",
            ),
            (
                "a[99999999999999999999999999] = :n",
                "Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999999999999999999]",
            ),
        ],
    );
    assert_eq!(
        condition("a[2147483647] = :n").unwrap(),
        compare(
            Operand::Path(Path {
                elements: vec![
                    PathElement::Attribute("a".into()),
                    PathElement::Index(2147483647)
                ]
            }),
            Comparator::Eq,
            Operand::Value(n("1"))
        )
    );
    // Size against a path is not the path itself.
    assert!(condition("size(a) = a").is_ok());
}

#[test]
fn condition_errors_come_in_dynamodb_order() {
    assert_errors(
        condition,
        &[
            // Syntax before everything else.
            (
                "name = :x AND",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND""#,
            ),
            // Redundant parentheses are found while reading.
            (
                "((name = :x))",
                "Invalid ConditionExpression: The expression has redundant parentheses;",
            ),
            // Words, in the order written, before placeholders.
            (
                "#x = :x AND name = :s",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            (
                "foo(a) AND name = :s",
                "Invalid ConditionExpression: Invalid function name; function: foo",
            ),
            (
                "name = :s AND foo(a)",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            // Placeholders and types, in the order written.
            (
                "a < :t AND #x = :s",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL",
            ),
            (
                "#x = :s AND a < :t",
                "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
        ],
    );
}

#[test]
fn in_takes_up_to_one_hundred_candidates() {
    let candidates = |count: usize| vec![":n"; count].join(", ");
    let at_limit = format!("a IN ({})", candidates(100));
    match condition(&at_limit).unwrap() {
        Condition::In { candidates, .. } => assert_eq!(candidates.len(), 100),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        message(condition(&format!("a IN ({})", candidates(101)))),
        "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"
    );
}

#[test]
fn document_paths_hold_up_to_32_levels() {
    let deep = |depth: usize| {
        let mut text = "a".to_string();
        for level in 1..depth {
            if level % 2 == 0 {
                text.push_str(".b");
            } else {
                text.push_str("[0]");
            }
        }
        text
    };
    let at_limit = condition(&format!("attribute_exists({})", deep(32))).unwrap();
    match at_limit {
        Condition::AttributeExists(path) => assert_eq!(path.elements.len(), 32),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        message(condition(&format!("attribute_exists({})", deep(33)))),
        "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    assert_eq!(
        message(projection(&deep(40))),
        "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 40"
    );
    assert_eq!(
        message(update(&format!("REMOVE {}", deep(33)))),
        "Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33"
    );
}

#[test]
fn expressions_are_limited_to_4_kb() {
    let padding = |length: usize| {
        let text = "a = :n";
        format!("{text}{}", " ".repeat(length - text.len()))
    };
    assert!(condition(&padding(4096)).is_ok());
    assert_eq!(
        message(condition(&padding(4097))),
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"
    );
    // Bytes, not characters.
    let wide = format!("a = :n AND b = :s OR c = :n{}", "é".repeat(2040));
    assert_eq!(
        message(condition(&wide)),
        format!(
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: {}",
            wide.len()
        )
    );
    assert_eq!(
        message(update(&"x".repeat(5000))),
        "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; expression size: 5000"
    );
}

#[test]
fn expressions_hold_up_to_300_operators() {
    let chain = |count: usize| vec!["a = :n"; count].join(" OR ");
    // n comparisons joined by ORs: 2n - 1 operators.
    assert!(condition(&chain(150)).is_ok());
    assert_eq!(
        message(condition(&chain(151))),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
    let sizes = |count: usize| format!("{}a{} = :n", "size(".repeat(count), ")".repeat(count));
    assert_eq!(
        message(condition(&sizes(300))),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
}

#[test]
fn empty_expressions_are_refused_for_every_kind() {
    assert_eq!(
        message(condition("")),
        "Invalid ConditionExpression: The expression can not be empty;"
    );
    assert_eq!(
        message(update("")),
        "Invalid UpdateExpression: The expression can not be empty;"
    );
    assert_eq!(
        message(projection("")),
        "Invalid ProjectionExpression: The expression can not be empty;"
    );
    assert_eq!(
        message(key_condition("")),
        "Invalid KeyConditionExpression: The expression can not be empty;"
    );
}

// ----- nesting and hostile input ------------------------------------------

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // Far over the length limit.
    assert!(message(condition(&"(".repeat(100_000))).starts_with(
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size"
    ));
    // Within the length limit, beyond the nesting the parser follows.
    let open = "(".repeat(4000);
    assert_eq!(
        message(condition(&format!("{open}a = :n"))),
        r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":n""#
    );
    assert_eq!(
        message(condition(&format!(
            "{}a = :n{}",
            "(".repeat(2000),
            ")".repeat(2000)
        ))),
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    );
    assert_eq!(
        message(condition(&format!(
            "{}a = :n{}",
            "NOT (".repeat(600),
            ")".repeat(600)
        ))),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 601"
    );
    assert_eq!(
        message(condition(&format!("{}a = :n", "NOT ".repeat(1000)))),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 1001"
    );
    assert_eq!(
        message(update(&format!(
            "SET a = {}:n{}",
            "f(".repeat(301),
            ")".repeat(301)
        ))),
        "Invalid UpdateExpression: The expression contains too many operators; operator count: 301"
    );
    assert!(
        condition(&format!(
            "{}a{} = :n",
            "size(".repeat(2000),
            ")".repeat(2000)
        ))
        .is_err()
    );
    assert!(condition(&format!("a IN ({}:n", "(".repeat(4000))).is_err());
}

#[test]
fn the_deepest_nesting_followed_fits_a_small_stack() {
    // NOT ( ... ) nested to the parser's bound, then the semantic passes
    // and drops, all on a 1 MiB stack.
    let depth = NESTING_DEPTH_MAX / 2 - 1;
    let text = format!("{}a = :n{}", "NOT (".repeat(depth), ")".repeat(depth));
    let result = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || message(condition(&text)))
        .unwrap()
        .join()
        .unwrap();
    assert!(
        result
            .starts_with("Invalid ConditionExpression: The expression contains too many operators")
    );
    let depth = EXPRESSION_OPERATOR_COUNT_MAX_FOR_TESTS;
    let text = format!(
        "{}a = :n{}",
        "NOT (".repeat(depth / 2),
        ")".repeat(depth / 2)
    );
    let parsed = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || condition(&text).is_ok())
        .unwrap()
        .join()
        .unwrap();
    assert!(parsed);
}

const EXPRESSION_OPERATOR_COUNT_MAX_FOR_TESTS: usize = crate::limits::EXPRESSION_OPERATOR_COUNT_MAX;

// ----- updates -----------------------------------------------------------

#[test]
fn updates_build_the_expected_trees() {
    let set = |target: &str, value: SetValue| SetAction {
        path: path(target),
        value,
    };
    let cases: Vec<(&str, UpdateExpression)> = vec![
        (
            "SET a = :n",
            UpdateExpression {
                set: vec![set("a", SetValue::Operand(SetOperand::Value(n("1"))))],
                ..Default::default()
            },
        ),
        (
            "set a.b[1] = b, #n = :s",
            UpdateExpression {
                set: vec![
                    set("a.b[1]", SetValue::Operand(SetOperand::Path(path("b")))),
                    set("name", SetValue::Operand(SetOperand::Value(s("text")))),
                ],
                ..Default::default()
            },
        ),
        (
            "SET a = a + :n, b = :n2 - b",
            UpdateExpression {
                set: vec![
                    set(
                        "a",
                        SetValue::Plus(SetOperand::Path(path("a")), SetOperand::Value(n("1"))),
                    ),
                    set(
                        "b",
                        SetValue::Minus(SetOperand::Value(n("2")), SetOperand::Path(path("b"))),
                    ),
                ],
                ..Default::default()
            },
        ),
        (
            "SET a = if_not_exists(a, :n) + :n",
            UpdateExpression {
                set: vec![set(
                    "a",
                    SetValue::Plus(
                        SetOperand::IfNotExists(path("a"), Box::new(SetOperand::Value(n("1")))),
                        SetOperand::Value(n("1")),
                    ),
                )],
                ..Default::default()
            },
        ),
        (
            "SET l = list_append(if_not_exists(l, :l), :l)",
            UpdateExpression {
                set: vec![set(
                    "l",
                    SetValue::Operand(SetOperand::ListAppend(
                        Box::new(SetOperand::IfNotExists(
                            path("l"),
                            Box::new(SetOperand::Value(AttributeValue::L(vec![n("1")]))),
                        )),
                        Box::new(SetOperand::Value(AttributeValue::L(vec![n("1")]))),
                    )),
                )],
                ..Default::default()
            },
        ),
        (
            "SET a = (:n)",
            UpdateExpression {
                set: vec![set("a", SetValue::Operand(SetOperand::Value(n("1"))))],
                ..Default::default()
            },
        ),
        (
            "REMOVE a, b.c[2], #dotted",
            UpdateExpression {
                remove: vec![path("a"), path("b.c[2]"), Path::attribute("a.b")],
                ..Default::default()
            },
        ),
        (
            "ADD visits :n, tags :ss DELETE colors :ns",
            UpdateExpression {
                add: vec![
                    SetOrNumberAction {
                        path: path("visits"),
                        value: n("1"),
                    },
                    SetOrNumberAction {
                        path: path("tags"),
                        value: AttributeValue::Ss(BTreeSet::from(["x".to_string()])),
                    },
                ],
                delete: vec![SetOrNumberAction {
                    path: path("colors"),
                    value: AttributeValue::Ns(BTreeSet::from([number("3")])),
                }],
                ..Default::default()
            },
        ),
        (
            "remove x SET y = :n add z :n delete w :bs",
            UpdateExpression {
                set: vec![set("y", SetValue::Operand(SetOperand::Value(n("1"))))],
                remove: vec![path("x")],
                add: vec![SetOrNumberAction {
                    path: path("z"),
                    value: n("1"),
                }],
                delete: vec![SetOrNumberAction {
                    path: path("w"),
                    value: AttributeValue::Bs(BTreeSet::from([vec![9]])),
                }],
            },
        ),
        (
            "SET a[0] = :n, a[1] = :n",
            UpdateExpression {
                set: vec![
                    set("a[0]", SetValue::Operand(SetOperand::Value(n("1")))),
                    set("a[1]", SetValue::Operand(SetOperand::Value(n("1")))),
                ],
                ..Default::default()
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            update(text).unwrap_or_else(|e| panic!("{text}: {e}")),
            expected,
            "{text}"
        );
    }
}

#[test]
fn update_errors_use_dynamodb_messages() {
    assert_errors(
        update,
        &[
            (
                "SET",
                r#"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET""#,
            ),
            (
                "SET a = :n,",
                r#"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ",""#,
            ),
            (
                "SET a :n",
                r#"Invalid UpdateExpression: Syntax error; token: ":n", near: "a :n""#,
            ),
            (
                "a = :n",
                r#"Invalid UpdateExpression: Syntax error; token: "a", near: "a =""#,
            ),
            (
                "SET a = :n + :n + :n",
                r#"Invalid UpdateExpression: Syntax error; token: "+", near: ":n + :n""#,
            ),
            (
                "SET a = b * :n",
                r#"Invalid UpdateExpression: Syntax error; token: "*", near: "b * :n""#,
            ),
            (
                "ADD a b",
                r#"Invalid UpdateExpression: Syntax error; token: "b", near: "a b""#,
            ),
            (
                "DELETE a",
                r#"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a""#,
            ),
            (
                "REMOVE a = :n",
                r#"Invalid UpdateExpression: Syntax error; token: "=", near: "a = :n""#,
            ),
            (
                "SET a = list_append(:l, :l + :l)",
                r#"Invalid UpdateExpression: Syntax error; token: "+", near: ":l + :l""#,
            ),
            (
                "SET a = :n REMOVE",
                r#"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "REMOVE""#,
            ),
            (
                "SET a = ((:n))",
                "Invalid UpdateExpression: The expression has redundant parentheses;",
            ),
            (
                "SET name = :s",
                "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            (
                "SET a = :s REMOVE b SET c = :s",
                r#"Invalid UpdateExpression: The "SET" section can only be used once in an update expression;"#,
            ),
            (
                "REMOVE a REMOVE b",
                r#"Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;"#,
            ),
            (
                "ADD a :n ADD b :n",
                r#"Invalid UpdateExpression: The "ADD" section can only be used once in an update expression;"#,
            ),
            (
                "DELETE a :ss DELETE b :ss",
                r#"Invalid UpdateExpression: The "DELETE" section can only be used once in an update expression;"#,
            ),
            (
                "SET #x = :s",
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            (
                "SET a = #x",
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            (
                "SET a = :x",
                "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "ADD a :x",
                "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "SET a = :s REMOVE a.b",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
            ),
            (
                "SET a.b = :s, a = :s",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]",
            ),
            (
                "SET a = :s, #a = :s",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
            ),
            (
                "REMOVE a[1] ADD a[1].b :n",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, [1], b]",
            ),
            (
                "SET a.b = :s, a[0] = :s",
                "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]",
            ),
            (
                "SET foo(a) = :s",
                r#"Invalid UpdateExpression: Syntax error; token: "(", near: "foo(a""#,
            ),
            (
                "SET a = foo(b)",
                "Invalid UpdateExpression: Invalid function name; function: foo",
            ),
            (
                "SET a = attribute_exists(b)",
                "Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists",
            ),
            (
                "SET a = size(b)",
                "Invalid UpdateExpression: The function is not allowed in an update expression; function: size",
            ),
            (
                "SET a = list_append(:l)",
                "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1",
            ),
            (
                "SET a = if_not_exists(a, :n, :n)",
                "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 3",
            ),
            (
                "SET a = if_not_exists(:n, a)",
                "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists",
            ),
            (
                "SET a = if_not_exists(b, b)",
                "Invalid UpdateExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: if_not_exists, first operand: [b]",
            ),
            (
                "SET a = list_append(:l, :s)",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
            ),
            (
                "SET a = :s + :n",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S",
            ),
            (
                "SET a = b - :ss",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: SS",
            ),
            (
                "ADD a :s",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "ADD a :m",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "ADD a :l",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "DELETE a :s",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND",
            ),
            (
                "DELETE a :n",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND",
            ),
            (
                "DELETE a :t",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: BOOLEAN, typeSet: ALLOWED_FOR_DELETE_OPERAND",
            ),
            (
                "ADD a :b",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BINARY, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "ADD a :null",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: NULL, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "REMOVE a[2147483648]",
                "Invalid UpdateExpression: List index is not within the allowable range; index: [2147483648]",
            ),
        ],
    );
}

#[test]
fn update_errors_come_in_dynamodb_order() {
    assert_errors(
        update,
        &[
            // Words before repeated sections...
            (
                "SET a = :x SET name = :s",
                "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            // ...repeated sections before names...
            (
                "SET #x = :s SET b = :s",
                r#"Invalid UpdateExpression: The "SET" section can only be used once in an update expression;"#,
            ),
            // ...names of paths before overlaps...
            (
                "SET a = :s, a = :s, #x = :s",
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            // ...overlaps before values and types...
            (
                "SET a = :x, a = :s",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
            ),
            // ...and values from the last action back.
            (
                "SET a = :x, b = :y",
                "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :y",
            ),
            (
                "ADD a :s, b :x",
                "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "SET a = :x, b = #x",
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
        ],
    );
}

// ----- projections -------------------------------------------------------

#[test]
fn projections_list_their_paths_in_order() {
    assert_eq!(
        projection("a, b.c, #n, d[3].e, #dotted").unwrap(),
        Projection {
            paths: vec![
                path("a"),
                path("b.c"),
                path("name"),
                path("d[3].e"),
                Path::attribute("a.b")
            ]
        }
    );
    assert_eq!(projection("a[0], a[1], b.c, b.d").unwrap().paths.len(), 4);
}

#[test]
fn projection_errors_use_dynamodb_messages() {
    assert_errors(
        projection,
        &[
            (
                "!!",
                r#"Invalid ProjectionExpression: Syntax error; token: "!", near: "!!""#,
            ),
            (
                "a,",
                r#"Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ",""#,
            ),
            (
                "a b",
                r#"Invalid ProjectionExpression: Syntax error; token: "b", near: "a b""#,
            ),
            (
                "a-b",
                r#"Invalid ProjectionExpression: Syntax error; token: "-", near: "a-b""#,
            ),
            (
                "(a)",
                r#"Invalid ProjectionExpression: Syntax error; token: "(", near: "(a""#,
            ),
            (
                "a = :n",
                r#"Invalid ProjectionExpression: Syntax error; token: "=", near: "a = :n""#,
            ),
            (
                ":n",
                r#"Invalid ProjectionExpression: Syntax error; token: ":n", near: ":n""#,
            ),
            (
                "Comment",
                "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Comment",
            ),
            (
                "#c",
                "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #c",
            ),
            (
                "a, a.b",
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
            ),
            (
                "a.b, #a",
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]",
            ),
            (
                "x, a.b, a[1]",
                "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]",
            ),
        ],
    );
}

// ----- key conditions ----------------------------------------------------

#[test]
fn key_conditions_build_partition_and_sort_conditions() {
    let partition = KeyValue::S("text".into());
    let one = KeyValue::N(number("1"));
    let two = KeyValue::N(number("2"));
    let cases: Vec<(&str, Option<SortKeyCondition>)> = vec![
        ("pk = :s", None),
        (":s = pk", None),
        ("#pk = :s", None),
        ("(pk = :s)", None),
        (
            "pk = :s AND sk = :n",
            Some(SortKeyCondition::Eq(one.clone())),
        ),
        (
            "pk = :s AND sk < :n",
            Some(SortKeyCondition::Lt(one.clone())),
        ),
        (
            "pk = :s AND sk <= :n",
            Some(SortKeyCondition::Le(one.clone())),
        ),
        (
            "pk = :s AND sk > :n",
            Some(SortKeyCondition::Gt(one.clone())),
        ),
        (
            "pk = :s AND sk >= :n",
            Some(SortKeyCondition::Ge(one.clone())),
        ),
        (
            ":n < sk AND pk = :s",
            Some(SortKeyCondition::Gt(one.clone())),
        ),
        (
            ":n >= #sk and #pk = :s",
            Some(SortKeyCondition::Le(one.clone())),
        ),
        (
            "pk = :s AND sk BETWEEN :n AND :n2",
            Some(SortKeyCondition::Between(one.clone(), two.clone())),
        ),
        (
            "pk = :s AND sk BETWEEN :n AND :n",
            Some(SortKeyCondition::Between(one.clone(), one)),
        ),
        ("(pk = :s) AND (sk > :n2)", Some(SortKeyCondition::Gt(two))),
    ];
    for (text, sort) in cases {
        let parsed = key_condition(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            parsed,
            KeyCondition {
                partition: partition.clone(),
                sort
            },
            "{text}"
        );
    }
    let string_sort = TableSchema::with_sort_key(
        KeyAttribute::new("pk", KeyType::N),
        KeyAttribute::new("sk", KeyType::S),
    );
    assert_eq!(
        key_condition_in(&string_sort, "pk = :n AND begins_with(sk, :s)").unwrap(),
        KeyCondition {
            partition: KeyValue::N(number("1")),
            sort: Some(SortKeyCondition::BeginsWith(KeyValue::S("text".into())))
        }
    );
    let binary = TableSchema::with_sort_key(
        KeyAttribute::new("pk", KeyType::B),
        KeyAttribute::new("sk", KeyType::B),
    );
    assert_eq!(
        key_condition_in(&binary, "begins_with(sk, :b2) AND pk = :b").unwrap(),
        KeyCondition {
            partition: KeyValue::B(vec![1]),
            sort: Some(SortKeyCondition::BeginsWith(KeyValue::B(vec![2])))
        }
    );
}

#[test]
fn key_condition_errors_use_dynamodb_messages() {
    assert_errors(
        key_condition,
        &[
            (
                "pk = :s OR sk = :n",
                "Invalid operator used in KeyConditionExpression: OR",
            ),
            (
                "a > :n and size(b) > :n or a > :s",
                "Invalid operator used in KeyConditionExpression: OR",
            ),
            (
                "NOT pk = :s",
                "Invalid operator used in KeyConditionExpression: NOT",
            ),
            (
                "pk IN (:s, :a)",
                "Invalid operator used in KeyConditionExpression: IN",
            ),
            (
                "pk <> :s",
                "Invalid operator used in KeyConditionExpression: <>",
            ),
            (
                "attribute_exists(pk)",
                "Invalid operator used in KeyConditionExpression: attribute_exists",
            ),
            (
                "attribute_not_exists(pk)",
                "Invalid operator used in KeyConditionExpression: attribute_not_exists",
            ),
            (
                "contains(pk, :s)",
                "Invalid operator used in KeyConditionExpression: contains",
            ),
            (
                "attribute_type(pk, :typeN)",
                "Invalid operator used in KeyConditionExpression: attribute_type",
            ),
            (
                ":n BETWEEN sk AND :n2 AND pk = :s",
                "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand",
            ),
            (
                "begins_with(:s, pk)",
                "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand",
            ),
            (
                "size(pk) = :n",
                "KeyConditionExpressions cannot contain nested operations",
            ),
            (
                "pk = :s AND sk BETWEEN size(a) AND :n",
                "KeyConditionExpressions cannot contain nested operations",
            ),
            (
                "pk = sk",
                "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
            ),
            (
                "pk = :s AND sk BETWEEN :n AND a",
                "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
            ),
            (
                "pk.a = :s",
                "KeyConditionExpressions cannot have conditions on nested attributes",
            ),
            (
                "pk[0] = :s",
                "KeyConditionExpressions cannot have conditions on nested attributes",
            ),
            (
                ":s = :a",
                "Invalid condition in KeyConditionExpression: No key attribute specified",
            ),
            (
                "pk = :s AND pk = :a",
                "KeyConditionExpressions must only contain one condition per key",
            ),
            (
                "sk > :n AND sk < :n2 AND pk = :s AND x = :s",
                "KeyConditionExpressions must only contain one condition per key",
            ),
            (
                "pk = :s AND sk = :n AND x = :s",
                "Conditions can be of length 1 or 2 only",
            ),
            ("sk = :n", "Query condition missed key schema element: pk"),
            ("x = :s", "Query condition missed key schema element: pk"),
            (
                "pk = :s AND x = :s",
                "Query condition missed key schema element: sk",
            ),
            ("pk > :s", "Query key condition not supported"),
            ("begins_with(pk, :s)", "Query key condition not supported"),
            ("pk BETWEEN :a AND :s", "Query key condition not supported"),
            (
                "pk = :n",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            (
                ":n < pk",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            (
                "pk = :s AND sk = :s",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            (
                "pk = :s AND begins_with(sk, :s)",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            (
                "pk = :empty",
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
            ),
            // General condition checks come first, with the expression's prefix.
            (
                "pk = :s AND sk BETWEEN :n2 AND :n",
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}",
            ),
            (
                "pk = :s AND begins_with(sk, :n)",
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
            ),
            (
                "pk = :x",
                "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "pk =",
                r#"Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "=""#,
            ),
            (
                "name = :s",
                "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
        ],
    );
    let hash_only = TableSchema::partition_only(KeyAttribute::new("pk", KeyType::S));
    assert_errors(
        |text| key_condition_in(&hash_only, text),
        &[
            ("pk = :s AND sk = :n", "Query key condition not supported"),
            ("y = :s AND z = :s", "Query key condition not supported"),
            ("pk < :s", "Query key condition not supported"),
            (
                ":n > pk",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            ("z = :s", "Query condition missed key schema element: pk"),
        ],
    );
    let binary = TableSchema::partition_only(KeyAttribute::new("pk", KeyType::B));
    assert_eq!(
        message(key_condition_in(&binary, "pk = :emptyb")),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: pk"
    );
}

#[test]
fn path_depth_is_checked_before_names_and_projections_check_paths_in_turn() {
    let deep_with_undefined_name = format!("#x{}", ".b".repeat(32));
    assert_eq!(
        message(projection(&deep_with_undefined_name)),
        "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    assert_eq!(
        message(condition(&format!(
            "attribute_exists({deep_with_undefined_name})"
        ))),
        "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    // Each projection path is validated, then compared with the earlier ones.
    assert_eq!(
        message(projection("a, a.b, #x")),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
    );
    assert_eq!(
        message(projection("a, #x, a.b")),
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"
    );
}

// ----- placeholder maps --------------------------------------------------

#[test]
fn placeholder_maps_are_checked_before_parsing() {
    let names = |pairs: &[(&str, &str)]| -> AttributeNames {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let values = |pairs: &[(&str, AttributeValue)]| -> AttributeValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    let check = |names: Option<&AttributeNames>, values: Option<&AttributeValues>| {
        message(ExpressionContext::new(names, values))
    };
    assert_eq!(
        check(Some(&names(&[])), None),
        "ExpressionAttributeNames must not be empty"
    );
    assert_eq!(
        check(None, Some(&values(&[]))),
        "ExpressionAttributeValues must not be empty"
    );
    assert_eq!(
        check(Some(&names(&[])), Some(&values(&[]))),
        "ExpressionAttributeNames must not be empty"
    );
    assert_eq!(
        check(Some(&names(&[("a", "a")])), None),
        r#"ExpressionAttributeNames contains invalid key: Syntax error; key: "a""#
    );
    assert_eq!(
        check(Some(&names(&[("#", "a")])), None),
        r##"ExpressionAttributeNames contains invalid key: Syntax error; key: "#""##
    );
    assert_eq!(
        check(Some(&names(&[("#a-b", "a")])), None),
        r##"ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b""##
    );
    assert_eq!(
        check(None, Some(&values(&[("a", s("b"))]))),
        r#"ExpressionAttributeValues contains invalid key: Syntax error; key: "a""#
    );
    assert_eq!(
        check(None, Some(&values(&[(":é", s("b"))]))),
        r#"ExpressionAttributeValues contains invalid key: Syntax error; key: ":é""#
    );
    let long_name = format!("#{}", "n".repeat(255));
    assert_eq!(
        check(Some(&names(&[(long_name.as_str(), "a")])), None),
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256"
    );
    let longest_name = format!("#{}", "n".repeat(254));
    assert!(ExpressionContext::new(Some(&names(&[(longest_name.as_str(), "a")])), None).is_ok());
    let long_value = format!(":{}", "v".repeat(255));
    assert_eq!(
        check(None, Some(&values(&[(long_value.as_str(), s("b"))]))),
        "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;"
    );
    assert_eq!(
        check(Some(&names(&[("#a", "")])), None),
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"
    );
    assert_eq!(
        check(
            None,
            Some(&values(&[(":v", AttributeValue::Ss(BTreeSet::new()))]))
        ),
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v"
    );
    assert_eq!(
        check(
            None,
            Some(&values(&[(":v", AttributeValue::Ns(BTreeSet::new()))]))
        ),
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An number set  may not be empty for key :v"
    );
    let nested = AttributeValue::L(vec![AttributeValue::M(BTreeMap::from([(
        "x".to_string(),
        AttributeValue::Bs(BTreeSet::new()),
    )]))]);
    assert_eq!(
        check(None, Some(&values(&[(":ok", s("")), (":v", nested)]))),
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Binary sets should not be empty for key :v"
    );
    let mut deep = AttributeValue::Null;
    for _ in 0..40 {
        deep = AttributeValue::L(vec![deep]);
    }
    assert_eq!(
        check(None, Some(&values(&[(":deep", deep)]))),
        "ExpressionAttributeValues contains invalid value: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit for key :deep"
    );
}

#[test]
fn substitutions_are_limited_to_2_mb_in_all() {
    let big = |length: usize| AttributeValue::S("x".repeat(length));
    let at_limit: AttributeValues = [
        (":a".to_string(), big(1024 * 1024 - 2)),
        (":b".to_string(), big(1024 * 1024 - 2)),
    ]
    .into();
    assert!(ExpressionContext::new(None, Some(&at_limit)).is_ok());
    let names: AttributeNames = [("#n".to_string(), "n".to_string())].into();
    assert_eq!(
        message(ExpressionContext::new(Some(&names), Some(&at_limit))),
        "Combined size of ExpressionAttributeNames and ExpressionAttributeValues exceeds max size"
    );
}

#[test]
fn finish_reports_unused_placeholders() {
    let names: AttributeNames = [("#a", "a"), ("#b", "b"), ("#c", "c")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let values: AttributeValues = [(":a", n("1")), (":b", n("2")), (":c", n("3"))]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();

    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    context
        .parse_condition(ExpressionKind::Condition, "#a = :a")
        .unwrap();
    assert_eq!(
        message(context.finish()),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c, #b}"
    );

    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    context.parse_update("SET #a = :a").unwrap();
    context
        .parse_condition(ExpressionKind::Condition, "#b = :c AND #c = :c")
        .unwrap();
    assert_eq!(
        message(context.finish()),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}"
    );

    // Usage adds up over the request's expressions.
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    context.parse_update("SET #a = :a, #b = :b").unwrap();
    context
        .parse_condition(ExpressionKind::Condition, "#c <> :c")
        .unwrap();
    context.finish().unwrap();

    // Placeholders given without any expression.
    let context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    assert_eq!(
        message(context.finish()),
        "ExpressionAttributeNames can only be specified when using expressions"
    );
    let context = ExpressionContext::new(None, Some(&values)).unwrap();
    assert_eq!(
        message(context.finish()),
        "ExpressionAttributeValues can only be specified when using expressions"
    );
    ExpressionContext::new(None, None)
        .unwrap()
        .finish()
        .unwrap();

    // A projection uses names only.
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    context.parse_projection("#a, #b, #c").unwrap();
    assert_eq!(
        message(context.finish()),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :b, :c}"
    );
}

#[test]
fn unused_keys_are_listed_in_java_hash_set_order() {
    // ":a" hashes to 1895 and ":b" to 1896: buckets 7 and 8 of 16.
    assert_eq!(java_hash_set_order(vec![":b", ":a"], 2), [":a", ":b"]);
    // "#b" (1183) is bucket 15, "#c" (1184) bucket 0: not sorted order.
    assert_eq!(java_hash_set_order(vec!["#b", "#c"], 3), ["#c", "#b"]);
    // ":z" (1920) is bucket 0, ":b" 8, ":aa" (58842) 10.
    assert_eq!(
        java_hash_set_order(vec![":b", ":aa", ":z"], 3),
        [":z", ":b", ":aa"]
    );
    // ":A" (1879) shares bucket 7 with ":a": ties go in byte order.
    assert_eq!(
        java_hash_set_order(vec![":a", ":A", ":z"], 3),
        [":z", ":A", ":a"]
    );
    // A larger map has a larger table: "#b" (1183) and "#r" (1199) share
    // bucket 15 of 16, but of the 32 that 13 keys need, "#b" is in 31.
    assert_eq!(java_hash_set_order(vec!["#r", "#b"], 2), ["#b", "#r"]);
    assert_eq!(java_hash_set_order(vec!["#b", "#r"], 13), ["#r", "#b"]);
}

// ----- key attributes in updates -------------------------------------------

#[test]
fn updates_may_not_touch_key_attributes() {
    let schema = hash_and_range_schema();
    let cases = [
        ("SET pk = :s", Some("pk")),
        ("SET a = :s, #sk = :n", Some("sk")),
        ("REMOVE pk", Some("pk")),
        ("ADD sk :n", Some("sk")),
        ("DELETE pk :ss", Some("pk")),
        ("SET pk.x = :s", Some("pk")),
        ("SET a = pk", None),
        ("SET a = :s REMOVE b", None),
    ];
    for (text, key) in cases {
        let parsed = update(text).unwrap();
        match key {
            Some(name) => assert_eq!(
                message(parsed.check_no_key_attributes(&schema)),
                format!(
                    "One or more parameter values were invalid: Cannot update attribute {name}. This attribute is part of the key"
                ),
                "{text}"
            ),
            None => parsed.check_no_key_attributes(&schema).unwrap(),
        }
    }
}

// ----- properties ----------------------------------------------------------

/// Runs every parser over `text`; none may panic.
fn parse_everything(text: &str) {
    let names = fixture_names();
    let values = fixture_values();
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    let _ = context.parse_condition(ExpressionKind::Filter, text);
    let _ = context.parse_update(text);
    let _ = context.parse_projection(text);
    let _ = context.parse_key_condition(text, &hash_and_range_schema());
    let _ = context.finish();
}

fn token_soup() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "a",
        "b",
        "name",
        "pk",
        "sk",
        "#n",
        "#a",
        "#x",
        ":n",
        ":s",
        ":l",
        ":ss",
        ":x",
        "0",
        "1",
        "2147483648",
        "99999999999",
        ".",
        ",",
        "(",
        ")",
        "[",
        "]",
        "=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "AND",
        "OR",
        "NOT",
        "BETWEEN",
        "IN",
        "SET",
        "REMOVE",
        "ADD",
        "DELETE",
        "size",
        "attribute_exists",
        "attribute_not_exists",
        "attribute_type",
        "begins_with",
        "contains",
        "if_not_exists",
        "list_append",
        "foo",
        "!",
        "é",
        "#",
        ":",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.join(" "))
}

proptest! {
    #[test]
    fn no_string_makes_the_parser_panic(text in ".{0,200}") {
        parse_everything(&text);
    }

    #[test]
    fn no_bytes_make_the_parser_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        parse_everything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn no_token_soup_makes_the_parser_panic(text in token_soup()) {
        parse_everything(&text);
    }

    #[test]
    fn glued_token_soups_do_not_panic_either(text in token_soup()) {
        parse_everything(&text.replace(' ', ""));
    }

    #[test]
    fn deep_random_nesting_is_an_error_or_a_tree(
        depth in 0usize..3000,
        opener in prop::sample::select(vec!["(", "NOT ", "NOT (", "size(", "a IN (", "begins_with("]),
        closer in prop::sample::select(vec!["", ")", "))"]),
    ) {
        let text = format!("{}a = :n{}", opener.repeat(depth), closer.repeat(depth));
        parse_everything(&text);
    }

    #[test]
    fn parsing_a_valid_comparison_uses_its_placeholders(
        attribute in "[a-z][a-z0-9_]{0,8}",
        comparator in prop::sample::select(vec!["=", "<>", "<", "<=", ">", ">="]),
    ) {
        prop_assume!(!crate::expr::is_reserved_word(&attribute));
        prop_assume!(!["and", "or", "not", "between", "in", "set", "remove", "add", "delete"]
            .contains(&attribute.as_str()));
        let names: AttributeNames = [("#x".to_string(), attribute.clone())].into();
        let values: AttributeValues = [(":v".to_string(), n("5"))].into();
        let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
        let text = format!("{attribute} {comparator} :v AND #x {comparator} :v");
        let parsed = context.parse_condition(ExpressionKind::Condition, &text);
        prop_assert!(parsed.is_ok(), "{text}: {parsed:?}");
        prop_assert!(context.finish().is_ok());
    }
}
