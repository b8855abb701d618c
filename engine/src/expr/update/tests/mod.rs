//! Tests of UpdateExpression evaluation: table-driven cases with
//! DynamoDB's messages, and property tests against a reference model.

use super::super::ast::{SetAction, SetOrNumberAction};
use super::super::path::test_support::*;
use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

// ----- test-only tree constructors ------------------------------------

/// One action of any clause, so that a case lists them in one vector.
enum Action {
    Set(SetAction),
    Remove(Path),
    Add(SetOrNumberAction),
    Delete(SetOrNumberAction),
}

fn update(actions: Vec<Action>) -> UpdateExpression {
    let mut expression = UpdateExpression::default();
    for action in actions {
        match action {
            Action::Set(action) => expression.set.push(action),
            Action::Remove(path) => expression.remove.push(path),
            Action::Add(action) => expression.add.push(action),
            Action::Delete(action) => expression.delete.push(action),
        }
    }
    expression
}

fn set(target: &str, value: SetValue) -> Action {
    Action::Set(SetAction {
        path: path(target),
        value,
    })
}

/// `SET target = operand`
fn set_to(target: &str, operand: SetOperand) -> Action {
    set(target, SetValue::Operand(operand))
}

fn remove(target: &str) -> Action {
    Action::Remove(path(target))
}

fn add(target: &str, value: AttributeValue) -> Action {
    Action::Add(SetOrNumberAction {
        path: path(target),
        value,
    })
}

fn delete(target: &str, value: AttributeValue) -> Action {
    Action::Delete(SetOrNumberAction {
        path: path(target),
        value,
    })
}

fn read(source: &str) -> SetOperand {
    SetOperand::Path(path(source))
}

fn literal(value: AttributeValue) -> SetOperand {
    SetOperand::Value(value)
}

fn if_not_exists(source: &str, fallback: SetOperand) -> SetOperand {
    SetOperand::IfNotExists(path(source), Box::new(fallback))
}

fn list_append(first: SetOperand, second: SetOperand) -> SetOperand {
    SetOperand::ListAppend(Box::new(first), Box::new(second))
}

fn plus(left: SetOperand, right: SetOperand) -> SetValue {
    SetValue::Plus(left, right)
}

fn minus(left: SetOperand, right: SetOperand) -> SetValue {
    SetValue::Minus(left, right)
}

fn numbers(values: &[&str]) -> AttributeValue {
    l(values.iter().map(|v| n(v)).collect())
}

/// A case: what it shows, the item before, the actions, and the item
/// after or the exact error message.
struct Case {
    name: &'static str,
    before: Item,
    actions: Vec<Action>,
    expected: std::result::Result<Item, &'static str>,
}

fn case(
    name: &'static str,
    before: Item,
    actions: Vec<Action>,
    expected: std::result::Result<Item, &'static str>,
) -> Case {
    Case {
        name,
        before,
        actions,
        expected,
    }
}

fn run(cases: Vec<Case>) {
    for case in cases {
        let result = update(case.actions).apply(&case.before);
        let result = result.map_err(|error| match error {
            Error::Validation(message) => message,
            other => panic!("{}: unexpected error {other:?}", case.name),
        });
        let expected = case.expected.map_err(str::to_string);
        assert_eq!(result, expected, "{}", case.name);
    }
}

const MISSING: &str = ATTRIBUTE_NOT_IN_ITEM_MESSAGE;
const BAD_PATH: &str = INVALID_DOCUMENT_PATH_MESSAGE;
const BAD_TYPE: &str = INCORRECT_DATA_TYPE_MESSAGE;
const OVERFLOW: &str = crate::model::number::OVERFLOW_MESSAGE;

// ----- SET ------------------------------------------------------------------

#[test]
fn set_stores_values_and_copies_attributes_read_before_the_update() {
    let hello = || item(vec![("a", s("hello"))]);
    run(vec![
        case(
            "set adds an attribute",
            hello(),
            vec![set_to("b", literal(n("4")))],
            Ok(item(vec![("a", s("hello")), ("b", n("4"))])),
        ),
        case(
            "set overwrites an attribute",
            hello(),
            vec![set_to("a", literal(s("hey")))],
            Ok(item(vec![("a", s("hey"))])),
        ),
        case(
            "set on a missing item creates the attribute",
            Item::new(),
            vec![set_to("b", literal(n("4"))), set_to("c", literal(n("4")))],
            Ok(item(vec![("b", n("4")), ("c", n("4"))])),
        ),
        case(
            "set copies an attribute",
            hello(),
            vec![set_to("b", read("a"))],
            Ok(item(vec![("a", s("hello")), ("b", s("hello"))])),
        ),
        case(
            "set a = a changes nothing",
            hello(),
            vec![set_to("a", read("a"))],
            Ok(hello()),
        ),
        case(
            "copying a missing attribute is an error",
            hello(),
            vec![set_to("c", read("z"))],
            Err(MISSING),
        ),
        case(
            "copying from a missing item is an error",
            Item::new(),
            vec![set_to("c", read("z"))],
            Err(MISSING),
        ),
        case(
            "operands see the item before the update, not earlier actions",
            hello(),
            vec![set_to("x", literal(n("4"))), set_to("y", read("x"))],
            Err(MISSING),
        ),
        case(
            "remove a then set b = a reads the old a",
            hello(),
            vec![remove("a"), set_to("b", read("a"))],
            Ok(item(vec![("b", s("hello"))])),
        ),
        case(
            "set c = b then remove b reads the old b",
            item(vec![("b", s("hello"))]),
            vec![set_to("c", read("b")), remove("b")],
            Ok(item(vec![("c", s("hello"))])),
        ),
        case(
            "set copies a nested value",
            item(vec![("a", m(vec![("c", m(vec![("x", n("7"))]))]))]),
            vec![set_to("z", read("a.c.x"))],
            Ok(item(vec![
                ("a", m(vec![("c", m(vec![("x", n("7"))]))])),
                ("z", n("7")),
            ])),
        ),
    ]);
}

#[test]
fn set_plus_and_minus_add_numbers_exactly() {
    let two = || item(vec![("a", n("2")), ("text", s("dog")), ("set", ns(&["1"]))]);
    let with = |name: &'static str, value: &str| {
        let mut after = two();
        after.insert(name.to_string(), n(value));
        after
    };
    run(vec![
        case(
            "a = a + :v",
            two(),
            vec![set("a", plus(read("a"), literal(n("3"))))],
            Ok(with("a", "5")),
        ),
        case(
            "b = :v - a",
            two(),
            vec![set("b", minus(literal(n("7")), read("a")))],
            Ok(with("b", "5")),
        ),
        case(
            "b = a + a",
            two(),
            vec![set("b", plus(read("a"), read("a")))],
            Ok(with("b", "4")),
        ),
        case(
            "full precision is kept",
            two(),
            vec![set(
                "b",
                plus(literal(n("1")), literal(n("10000000000000000000000"))),
            )],
            Ok(with("b", "10000000000000000000001")),
        ),
        case(
            "decimal fractions are exact",
            two(),
            vec![set("b", plus(literal(n("0.1")), literal(n("0.2"))))],
            Ok(with("b", "0.3")),
        ),
        case(
            "if_not_exists inside +",
            two(),
            vec![set(
                "b",
                plus(if_not_exists("b", literal(n("2"))), literal(n("3"))),
            )],
            Ok(with("b", "5")),
        ),
        case(
            "a string operand",
            two(),
            vec![set("b", plus(literal(s("dog")), literal(n("3"))))],
            Err(BAD_TYPE),
        ),
        case(
            "a string attribute",
            two(),
            vec![set("b", plus(read("text"), literal(n("1"))))],
            Err(BAD_TYPE),
        ),
        case(
            "a set attribute on the right",
            two(),
            vec![set("b", minus(literal(n("1")), read("set")))],
            Err(BAD_TYPE),
        ),
        case(
            "a missing attribute",
            two(),
            vec![set("b", plus(read("missing"), literal(n("1"))))],
            Err(MISSING),
        ),
        case(
            "the sum overflows",
            two(),
            vec![set("b", plus(literal(n("9e125")), literal(n("9e125"))))],
            Err(OVERFLOW),
        ),
        case(
            "the difference needs more than 38 digits",
            two(),
            vec![set("b", minus(literal(n("1e50")), literal(n("1"))))],
            Err(OVERFLOW),
        ),
    ]);
}

#[test]
fn set_list_append_and_if_not_exists() {
    let base = || {
        item(vec![
            ("a", l(vec![s("hi"), n("2")])),
            ("number", n("7")),
            ("set", ns(&["1"])),
        ])
    };
    let with = |value: AttributeValue| {
        let mut after = base();
        after.insert("r".to_string(), value);
        after
    };
    run(vec![
        case(
            "append at the end",
            base(),
            vec![set_to(
                "r",
                list_append(read("a"), literal(l(vec![n("4")]))),
            )],
            Ok(with(l(vec![s("hi"), n("2"), n("4")]))),
        ),
        case(
            "append at the start",
            base(),
            vec![set_to(
                "r",
                list_append(literal(l(vec![s("dog")])), read("a")),
            )],
            Ok(with(l(vec![s("dog"), s("hi"), n("2")]))),
        ),
        case(
            "append empty lists",
            base(),
            vec![set_to(
                "r",
                list_append(literal(l(vec![])), literal(l(vec![]))),
            )],
            Ok(with(l(vec![]))),
        ),
        case(
            "list_append of a missing attribute",
            base(),
            vec![set_to("r", list_append(read("b"), literal(l(vec![]))))],
            Err(MISSING),
        ),
        case(
            "list_append of a missing attribute, second",
            base(),
            vec![set_to("r", list_append(literal(l(vec![])), read("b")))],
            Err(MISSING),
        ),
        case(
            "list_append of a number",
            base(),
            vec![set_to("r", list_append(read("number"), literal(l(vec![]))))],
            Err(BAD_TYPE),
        ),
        case(
            "list_append of a set (dynalite's test against DynamoDB)",
            base(),
            vec![set_to(
                "r",
                list_append(read("set"), if_not_exists("f", literal(l(vec![])))),
            )],
            Err(BAD_TYPE),
        ),
        case(
            "list_append of a string value",
            base(),
            vec![set_to("r", list_append(read("a"), literal(s("hi"))))],
            Err(BAD_TYPE),
        ),
        case(
            "if_not_exists of a present attribute",
            base(),
            vec![set_to("r", if_not_exists("number", literal(n("3"))))],
            Ok(with(n("7"))),
        ),
        case(
            "if_not_exists of a missing attribute",
            base(),
            vec![set_to("r", if_not_exists("missing", literal(n("3"))))],
            Ok(with(n("3"))),
        ),
        case(
            "if_not_exists of a nested path",
            base(),
            vec![set_to("r", if_not_exists("a[1]", literal(n("3"))))],
            Ok(with(n("2"))),
        ),
        case(
            "nested if_not_exists",
            base(),
            vec![set_to(
                "r",
                if_not_exists("b", if_not_exists("number", literal(n("3")))),
            )],
            Ok(with(n("7"))),
        ),
        case(
            "if_not_exists falling back to a missing path",
            base(),
            vec![set_to("r", if_not_exists("b", read("c")))],
            Err(MISSING),
        ),
        case(
            "list_append over if_not_exists",
            base(),
            vec![set_to(
                "r",
                list_append(
                    if_not_exists("r", literal(l(vec![s("a")]))),
                    literal(l(vec![s("b")])),
                ),
            )],
            Ok(with(l(vec![s("a"), s("b")]))),
        ),
    ]);
}

#[test]
fn set_of_nested_paths_needs_the_parent() {
    let doc = || {
        item(vec![
            ("a", m(vec![("b", n("3")), ("c", n("4"))])),
            ("list", l(vec![s("one"), s("two"), s("three")])),
            ("text", s("hello")),
        ])
    };
    let with_a = |a: AttributeValue| {
        let mut after = doc();
        after.insert("a".to_string(), a);
        after
    };
    run(vec![
        case(
            "replace a map member",
            doc(),
            vec![set_to("a.c", literal(n("7")))],
            Ok(with_a(m(vec![("b", n("3")), ("c", n("7"))]))),
        ),
        case(
            "add a map member",
            doc(),
            vec![set_to("a.d", literal(n("3")))],
            Ok(with_a(m(vec![("b", n("3")), ("c", n("4")), ("d", n("3"))]))),
        ),
        case(
            "replace a member by another type",
            doc(),
            vec![set_to("a.c", literal(l(vec![])))],
            Ok(with_a(m(vec![("b", n("3")), ("c", l(vec![]))]))),
        ),
        case(
            "several members of one map",
            doc(),
            vec![set_to("a.b", literal(n("10"))), set_to("a.z", read("a.c"))],
            Ok(with_a(m(vec![
                ("b", n("10")),
                ("c", n("4")),
                ("z", n("4")),
            ]))),
        ),
        case(
            "a member of a string",
            doc(),
            vec![set_to("text.c", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "a member of a list",
            doc(),
            vec![set_to("list.c", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "a member of a missing attribute",
            doc(),
            vec![set_to("missing.c", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "a member of a missing map member",
            doc(),
            vec![set_to("a.missing.c", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "a member on a missing item",
            Item::new(),
            vec![set_to("c.c", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "an index of a string",
            doc(),
            vec![set_to("text[0]", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "an index of a map",
            doc(),
            vec![set_to("a[0]", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "an index of a missing attribute",
            doc(),
            vec![set_to("missing[0]", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "an index on a missing item",
            Item::new(),
            vec![set_to("b[0]", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "through an index past the end",
            doc(),
            vec![set_to("list[5].x", literal(n("7")))],
            Err(BAD_PATH),
        ),
        case(
            "the first failing action fails the whole update",
            doc(),
            vec![
                set_to("ok", literal(n("1"))),
                set_to("text.c", literal(n("7"))),
            ],
            Err(BAD_PATH),
        ),
    ]);
    let deep = item(vec![(
        "a",
        m(vec![
            ("b", n("3")),
            (
                "c",
                l(vec![
                    s("hi"),
                    m(vec![("x", m(vec![("y", numbers(&["3", "5", "7"]))]))]),
                ]),
            ),
        ]),
    )]);
    let after = update(vec![set_to("a.c[1].x.y[1]", literal(n("9")))])
        .apply(&deep)
        .unwrap();
    assert_eq!(
        get_path(&after, &path("a.c[1].x.y")),
        Some(&numbers(&["3", "9", "7"]))
    );
    let after = update(vec![set_to("a.z", read("a.c[1].x.y[1]"))])
        .apply(&deep)
        .unwrap();
    assert_eq!(get_path(&after, &path("a.z")), Some(&n("5")));
}

#[test]
fn set_past_the_end_of_a_list_appends_in_index_order() {
    let three = || item(vec![("a", l(vec![s("one"), s("two"), s("three")]))]);
    let list = |values: &[&str]| item(vec![("a", l(values.iter().map(|v| s(v)).collect()))]);
    run(vec![
        case(
            "replace an element",
            three(),
            vec![set_to("a[1]", literal(s("hello")))],
            Ok(list(&["one", "hello", "three"])),
        ),
        case(
            "an index past the end appends",
            three(),
            vec![set_to("a[7]", literal(s("hello")))],
            Ok(list(&["one", "two", "three", "hello"])),
        ),
        case(
            "the index just past the end appends",
            three(),
            vec![set_to("a[3]", literal(s("hello")))],
            Ok(list(&["one", "two", "three", "hello"])),
        ),
        case(
            // ScyllaDB's test_nested_attribute_update_array_out_of_bounds.
            "several appends land in index order, not written order",
            three(),
            vec![
                set_to("a[84]", literal(s("a1"))),
                set_to("a[37]", literal(s("a2"))),
                set_to("a[17]", literal(s("a3"))),
                set_to("a[50]", literal(s("a4"))),
            ],
            Ok(list(&["one", "two", "three", "a3", "a2", "a4", "a1"])),
        ),
        case(
            "append to an empty list",
            list(&[]),
            vec![set_to("a[0]", literal(s("first")))],
            Ok(list(&["first"])),
        ),
    ]);
}

#[test]
fn list_indexes_refer_to_the_list_before_the_update() {
    let digits = || item(vec![("a", numbers(&["2", "3", "4", "5", "6", "7"]))]);
    run(vec![
        case(
            // ScyllaDB's test_update_expression_nested_remove_list_item_original_number.
            "remove a[1] then set a[3] replaces the old a[3]",
            digits(),
            vec![remove("a[1]"), set_to("a[3]", literal(n("17")))],
            Ok(item(vec![("a", numbers(&["2", "4", "17", "6", "7"]))])),
        ),
        case(
            "set a[3] then remove a[1], the same",
            digits(),
            vec![set_to("a[3]", literal(n("17"))), remove("a[1]")],
            Ok(item(vec![("a", numbers(&["2", "4", "17", "6", "7"]))])),
        ),
        case(
            "several removals from one list, in any order",
            digits(),
            vec![remove("a[3]"), remove("a[0]"), remove("a[4]")],
            Ok(item(vec![("a", numbers(&["3", "4", "7"]))])),
        ),
        case(
            "a removal and an append",
            digits(),
            vec![remove("a[0]"), set_to("a[10]", literal(n("8")))],
            Ok(item(vec![("a", numbers(&["3", "4", "5", "6", "7", "8"]))])),
        ),
        case(
            "removing an original index past the end skips appended elements",
            item(vec![("a", numbers(&["1", "2", "3"]))]),
            vec![remove("a[3]"), set_to("a[9]", literal(n("4")))],
            Ok(item(vec![("a", numbers(&["1", "2", "3", "4"]))])),
        ),
    ]);
    let nested = item(vec![(
        "a",
        l(vec![
            m(vec![("x", n("0"))]),
            m(vec![("x", n("1"))]),
            m(vec![("x", n("2")), ("y", n("2"))]),
        ]),
    )]);
    let after = update(vec![
        remove("a[0]"),
        remove("a[2].y"),
        set_to("a[1].x", literal(n("10"))),
    ])
    .apply(&nested)
    .unwrap();
    assert_eq!(
        after,
        item(vec![(
            "a",
            l(vec![m(vec![("x", n("10"))]), m(vec![("x", n("2"))])])
        )])
    );
}

#[test]
fn nested_update_from_dynalite_matches_dynamodb() {
    // dynalite's "should update nested attributes", run against DynamoDB:
    // SET b.c = c[1] + b.a, b.a = a, c[1] = a, c[4] = b.a - b.b,
    //     c[2] = b.c ADD c[8] :set, c[6] :two
    let before = item(vec![
        ("a", s("key")),
        ("b", m(vec![("a", n("1")), ("b", n("2")), ("c", n("3"))])),
        ("c", numbers(&["1", "3"])),
    ]);
    let expression = update(vec![
        set("b.c", plus(read("c[1]"), read("b.a"))),
        set_to("b.a", read("a")),
        set_to("c[1]", read("a")),
        set("c[4]", minus(read("b.a"), read("b.b"))),
        set_to("c[2]", read("b.c")),
        add("c[8]", ss(&["a"])),
        add("c[6]", n("2")),
    ]);
    let after = expression.apply(&before).unwrap();
    assert_eq!(
        after,
        item(vec![
            ("a", s("key")),
            ("b", m(vec![("a", s("key")), ("b", n("2")), ("c", n("4"))])),
            (
                "c",
                l(vec![n("1"), s("key"), n("3"), n("-1"), n("2"), ss(&["a"])])
            ),
        ])
    );
    // UPDATED_NEW, as DynamoDB returned it: the updated paths projected
    // onto the new item (c[6] and c[8] are past its end).
    assert_eq!(
        expression.updated_paths().apply(&after),
        item(vec![
            ("b", m(vec![("a", s("key")), ("c", n("4"))])),
            ("c", l(vec![s("key"), n("3"), n("2")])),
        ])
    );
}

mod clauses;
mod properties;
