//! Evaluation of ConditionExpression and FilterExpression trees against an
//! item, with DynamoDB's rules (Developer Guide, "Comparison operator and
//! function reference"; where the guide is silent, the behaviour ScyllaDB's
//! and dynalite's test suites recorded against DynamoDB itself):
//!
//! - An operand that names a missing attribute is *absent*, and a missing
//!   item is an item without attributes. No comparison with an absent
//!   operand holds, except `<>`, which always holds (even `a <> b` with both
//!   missing); `a = b` with both missing is false.
//! - `=` and `<>` compare any two values structurally: same type and equal
//!   contents, sets and maps regardless of order, numbers by value.
//! - `<`, `<=`, `>`, `>=` and `BETWEEN` hold only between values of the same
//!   type among N (numerically), S and B; any other pair is false.
//!   `BETWEEN` is inclusive. The API reference orders strings by "ASCII
//!   character code values" and binaries by unsigned bytes; we order
//!   strings by their UTF-8 bytes, which extends the ASCII order and is the
//!   key order the rest of the engine uses.
//! - `IN` holds when the value equals one of the candidates.
//! - `size()` is the length of a string in UTF-16 code units (as DynamoDB
//!   counts it), of a binary in bytes, and the element count of a set, list
//!   or map; numbers, booleans and null have no size (absent).
//! - `begins_with` applies to two strings or two binaries; `contains` finds
//!   a substring in a string, a byte run in a binary, a member of the
//!   needle's type in a set, or an equal element in a list.
//!
//! Type errors that DynamoDB reports as `ValidationException` involve only
//! literal values and are found by the parser; evaluation is total: it
//! returns true or false and never fails or panics. It recurses over the
//! condition tree, which the parser bounds. Pure code.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::ast::{Comparator, Condition, Operand};
use super::path::get_path;
use crate::model::{AttributeValue, Item, Number};

impl Condition {
    /// Whether `item` (empty when there is no item) satisfies the condition.
    pub fn evaluate(&self, item: &Item) -> bool {
        match self {
            Condition::Compare {
                left,
                comparator,
                right,
            } => compare(
                resolve(left, item).as_deref(),
                *comparator,
                resolve(right, item).as_deref(),
            ),
            Condition::Between { value, low, high } => {
                let value = resolve(value, item);
                let low = resolve(low, item);
                let high = resolve(high, item);
                matches!(
                    order(value.as_deref(), low.as_deref()),
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(
                    order(value.as_deref(), high.as_deref()),
                    Some(Ordering::Less | Ordering::Equal)
                )
            }
            Condition::In { value, candidates } => match resolve(value, item) {
                None => false,
                Some(value) => candidates
                    .iter()
                    .any(|candidate| resolve(candidate, item).as_deref() == Some(&*value)),
            },
            Condition::And(left, right) => left.evaluate(item) && right.evaluate(item),
            Condition::Or(left, right) => left.evaluate(item) || right.evaluate(item),
            Condition::Not(inner) => !inner.evaluate(item),
            Condition::AttributeExists(path) => get_path(item, path).is_some(),
            Condition::AttributeNotExists(path) => get_path(item, path).is_none(),
            Condition::AttributeType { path, type_name } => {
                get_path(item, path).is_some_and(|value| value.type_name() == type_name)
            }
            Condition::BeginsWith { value, prefix } => {
                match (
                    resolve(value, item).as_deref(),
                    resolve(prefix, item).as_deref(),
                ) {
                    (Some(AttributeValue::S(text)), Some(AttributeValue::S(prefix))) => {
                        text.starts_with(prefix.as_str())
                    }
                    (Some(AttributeValue::B(bytes)), Some(AttributeValue::B(prefix))) => {
                        bytes.starts_with(prefix)
                    }
                    _ => false,
                }
            }
            Condition::Contains { haystack, needle } => {
                match (resolve(haystack, item), resolve(needle, item)) {
                    (Some(haystack), Some(needle)) => contains(&haystack, &needle),
                    _ => false,
                }
            }
        }
    }
}

/// The value of an operand for `item`: borrowed from the item or the tree,
/// computed for `size()`, or `None` when absent.
fn resolve<'a>(operand: &'a Operand, item: &'a Item) -> Option<Cow<'a, AttributeValue>> {
    match operand {
        Operand::Path(path) => get_path(item, path).map(Cow::Borrowed),
        Operand::Value(value) => Some(Cow::Borrowed(value)),
        Operand::Size(inner) => {
            let inner = resolve(inner, item)?;
            let size = size_of(&inner)?;
            Some(Cow::Owned(AttributeValue::N(Number::from(size))))
        }
    }
}

/// DynamoDB's `size()` of a value, or `None` for types without a size.
pub(crate) fn size_of(value: &AttributeValue) -> Option<u64> {
    let size = match value {
        // DynamoDB counts UTF-16 code units: size("é𝄞") is 3, checked
        // against DynamoDB in ExtendDB's pull request #67.
        AttributeValue::S(text) => text.encode_utf16().count(),
        AttributeValue::B(bytes) => bytes.len(),
        AttributeValue::L(list) => list.len(),
        AttributeValue::M(map) => map.len(),
        AttributeValue::Ss(set) => set.len(),
        AttributeValue::Ns(set) => set.len(),
        AttributeValue::Bs(set) => set.len(),
        AttributeValue::N(_) | AttributeValue::Bool(_) | AttributeValue::Null => return None,
    };
    Some(size as u64)
}

/// `left <comparator> right`, with absent operands as `None`.
fn compare(
    left: Option<&AttributeValue>,
    comparator: Comparator,
    right: Option<&AttributeValue>,
) -> bool {
    match comparator {
        Comparator::Eq => left.is_some() && left == right,
        Comparator::Ne => left.is_none() || right.is_none() || left != right,
        Comparator::Lt => order(left, right) == Some(Ordering::Less),
        Comparator::Le => matches!(order(left, right), Some(Ordering::Less | Ordering::Equal)),
        Comparator::Gt => order(left, right) == Some(Ordering::Greater),
        Comparator::Ge => matches!(
            order(left, right),
            Some(Ordering::Greater | Ordering::Equal)
        ),
    }
}

/// The order of two values, defined only for two numbers, two strings or
/// two binaries.
fn order(left: Option<&AttributeValue>, right: Option<&AttributeValue>) -> Option<Ordering> {
    match (left?, right?) {
        (AttributeValue::N(left), AttributeValue::N(right)) => Some(left.cmp(right)),
        // `str` orders by UTF-8 bytes, which is DynamoDB's string order.
        (AttributeValue::S(left), AttributeValue::S(right)) => {
            Some(left.as_bytes().cmp(right.as_bytes()))
        }
        (AttributeValue::B(left), AttributeValue::B(right)) => Some(left.cmp(right)),
        _ => None,
    }
}

/// `contains(haystack, needle)` for two present values.
fn contains(haystack: &AttributeValue, needle: &AttributeValue) -> bool {
    match (haystack, needle) {
        (AttributeValue::S(text), AttributeValue::S(part)) => text.contains(part.as_str()),
        (AttributeValue::B(bytes), AttributeValue::B(part)) => {
            part.is_empty()
                || bytes
                    .windows(part.len())
                    .any(|window| window == part.as_slice())
        }
        (AttributeValue::Ss(set), AttributeValue::S(member)) => set.contains(member),
        (AttributeValue::Ns(set), AttributeValue::N(member)) => set.contains(member),
        (AttributeValue::Bs(set), AttributeValue::B(member)) => set.contains(member),
        (AttributeValue::L(list), needle) => list.iter().any(|element| element == needle),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::Path;
    use super::super::path::test_support::*;
    use super::*;
    use proptest::prelude::*;

    // ----- test-only tree constructors ------------------------------------

    fn attribute(text: &str) -> Operand {
        Operand::Path(path(text))
    }

    fn value(value: AttributeValue) -> Operand {
        Operand::Value(value)
    }

    fn size(operand: Operand) -> Operand {
        Operand::Size(Box::new(operand))
    }

    fn comparison(left: Operand, comparator: Comparator, right: Operand) -> Condition {
        Condition::Compare {
            left,
            comparator,
            right,
        }
    }

    fn between(tested: Operand, low: Operand, high: Operand) -> Condition {
        Condition::Between {
            value: tested,
            low,
            high,
        }
    }

    fn is_in(tested: Operand, candidates: Vec<Operand>) -> Condition {
        Condition::In {
            value: tested,
            candidates,
        }
    }

    fn exists(text: &str) -> Condition {
        Condition::AttributeExists(path(text))
    }

    fn not_exists(text: &str) -> Condition {
        Condition::AttributeNotExists(path(text))
    }

    fn type_is(text: &str, type_name: &str) -> Condition {
        Condition::AttributeType {
            path: path(text),
            type_name: type_name.to_string(),
        }
    }

    fn begins_with(tested: Operand, prefix: Operand) -> Condition {
        Condition::BeginsWith {
            value: tested,
            prefix,
        }
    }

    fn contains_condition(haystack: Operand, needle: Operand) -> Condition {
        Condition::Contains { haystack, needle }
    }

    fn and(left: Condition, right: Condition) -> Condition {
        Condition::And(Box::new(left), Box::new(right))
    }

    fn or(left: Condition, right: Condition) -> Condition {
        Condition::Or(Box::new(left), Box::new(right))
    }

    fn not(inner: Condition) -> Condition {
        Condition::Not(Box::new(inner))
    }

    /// One value of each of DynamoDB's ten types.
    fn one_of_each_type() -> Vec<AttributeValue> {
        vec![
            n("1"),
            s("hello"),
            AttributeValue::Bool(true),
            b(b"xyz"),
            AttributeValue::Null,
            l(vec![s("hello"), n("42")]),
            m(vec![("hello", s("world"))]),
            ss(&["hello", "world"]),
            ns(&["1", "2", "3"]),
            bs(&[b"xyz", b"hi"]),
        ]
    }

    fn check(cases: Vec<(Condition, bool)>, item: &Item) {
        for (condition, expected) in cases {
            assert_eq!(condition.evaluate(item), expected, "{condition:?}");
        }
    }

    use Comparator::{Eq, Ge, Gt, Le, Lt, Ne};

    // ----- comparisons ------------------------------------------------------

    #[test]
    fn equality_holds_for_equal_values_of_every_type_and_never_across_types() {
        for (i, left) in one_of_each_type().into_iter().enumerate() {
            for (j, right) in one_of_each_type().into_iter().enumerate() {
                let item = item(vec![("a", left.clone()), ("b", right.clone())]);
                let equal = i == j;
                check(
                    vec![
                        (comparison(attribute("a"), Eq, attribute("b")), equal),
                        (comparison(attribute("a"), Ne, attribute("b")), !equal),
                        (comparison(attribute("a"), Eq, value(right.clone())), equal),
                        (comparison(value(left.clone()), Ne, attribute("b")), !equal),
                    ],
                    &item,
                );
            }
        }
    }

    #[test]
    fn equality_is_structural_for_sets_maps_lists_and_numbers() {
        let item = item(vec![
            ("set", ss(&["dog", "chinchilla", "cat", "mouse"])),
            (
                "doc",
                m(vec![
                    ("b", s("c")),
                    ("d", l(vec![s("e"), s("f"), ss(&["g", "h"])])),
                ]),
            ),
            ("number", n("1.50")),
        ]);
        check(
            vec![
                (
                    comparison(
                        attribute("set"),
                        Eq,
                        value(ss(&["mouse", "cat", "dog", "chinchilla"])),
                    ),
                    true,
                ),
                (
                    comparison(
                        attribute("set"),
                        Ne,
                        value(ss(&["mouse", "cat", "dog", "chinchilla"])),
                    ),
                    false,
                ),
                (
                    comparison(
                        attribute("set"),
                        Eq,
                        value(ss(&["mouse", "cat", "dog", "horse"])),
                    ),
                    false,
                ),
                (
                    comparison(
                        attribute("set"),
                        Ne,
                        value(ss(&["mouse", "cat", "dog", "horse"])),
                    ),
                    true,
                ),
                (
                    comparison(
                        attribute("doc"),
                        Eq,
                        value(m(vec![
                            ("d", l(vec![s("e"), s("f"), ss(&["h", "g"])])),
                            ("b", s("c")),
                        ])),
                    ),
                    true,
                ),
                (
                    comparison(
                        attribute("doc"),
                        Eq,
                        value(m(vec![
                            ("b", s("c")),
                            ("d", l(vec![s("f"), s("e"), ss(&["g", "h"])])),
                        ])),
                    ),
                    false,
                ),
                (comparison(attribute("number"), Eq, value(n("15e-1"))), true),
                (comparison(attribute("number"), Eq, value(s("1.50"))), false),
            ],
            &item,
        );
    }

    #[test]
    fn absent_operands_fail_every_comparison_except_not_equal() {
        let item = item(vec![("a", n("1"))]);
        check(
            vec![
                (comparison(attribute("q"), Eq, value(n("1"))), false),
                (comparison(attribute("q"), Ne, value(n("1"))), true),
                (comparison(value(n("1")), Ne, attribute("q")), true),
                // Two missing attributes are not equal, and are unequal.
                (comparison(attribute("q"), Eq, attribute("z")), false),
                (comparison(attribute("q"), Ne, attribute("z")), true),
                (comparison(attribute("q"), Lt, attribute("z")), false),
                (comparison(attribute("q"), Le, attribute("z")), false),
                (comparison(attribute("q"), Gt, attribute("z")), false),
                (comparison(attribute("q"), Ge, attribute("z")), false),
                (comparison(attribute("q"), Lt, value(n("1"))), false),
                (comparison(value(n("1")), Ge, attribute("q")), false),
                (
                    between(attribute("q"), attribute("z"), attribute("x")),
                    false,
                ),
                (between(attribute("q"), value(n("0")), value(n("2"))), false),
                (
                    between(attribute("a"), attribute("q"), value(n("2"))),
                    false,
                ),
                (
                    is_in(attribute("q"), vec![value(n("1")), attribute("z")]),
                    false,
                ),
                (
                    is_in(attribute("a"), vec![attribute("q"), value(n("1"))]),
                    true,
                ),
                (begins_with(attribute("q"), value(s(""))), false),
                (contains_condition(attribute("q"), value(s(""))), false),
                (contains_condition(value(l(vec![])), attribute("q")), false),
            ],
            &item,
        );
        // The same on a missing item (an empty map).
        assert!(!comparison(attribute("a"), Eq, value(n("1"))).evaluate(&Item::new()));
        assert!(comparison(attribute("a"), Ne, value(n("1"))).evaluate(&Item::new()));
    }

    #[test]
    fn ordering_comparisons_apply_to_numbers_strings_and_binaries_of_one_type() {
        let item = item(vec![
            ("number", n("1")),
            ("text", s("cat")),
            ("bytes", b(b"cat")),
            ("list", l(vec![n("1")])),
            ("set", ns(&["1"])),
            ("flag", AttributeValue::Bool(true)),
        ]);
        check(
            vec![
                (comparison(attribute("number"), Lt, value(n("2"))), true),
                (comparison(attribute("number"), Lt, value(n("1"))), false),
                (comparison(attribute("number"), Le, value(n("1"))), true),
                (comparison(attribute("number"), Gt, value(n("0.999"))), true),
                (comparison(attribute("number"), Ge, value(n("1.0"))), true),
                (
                    comparison(attribute("number"), Gt, value(n("-1e100"))),
                    true,
                ),
                (comparison(attribute("text"), Lt, value(s("dog"))), true),
                (comparison(attribute("text"), Lt, value(s("cat"))), false),
                (comparison(attribute("text"), Le, value(s("cat"))), true),
                (
                    comparison(attribute("text"), Gt, value(s("aardvark"))),
                    true,
                ),
                (comparison(attribute("text"), Gt, value(s("Cat"))), true),
                (comparison(attribute("bytes"), Lt, value(b(b"dog"))), true),
                (comparison(attribute("bytes"), Ge, value(b(b"cat"))), true),
                (comparison(attribute("bytes"), Gt, value(b(b"ca"))), true),
                // Different types are never ordered.
                (comparison(attribute("number"), Lt, value(s("17"))), false),
                (comparison(attribute("number"), Ge, value(s("17"))), false),
                (comparison(attribute("text"), Lt, value(b(b"dog"))), false),
                // Types without an order compare false, even with themselves.
                (comparison(attribute("list"), Le, attribute("list")), false),
                (comparison(attribute("set"), Ge, attribute("set")), false),
                (comparison(attribute("flag"), Le, attribute("flag")), false),
                (comparison(attribute("list"), Lt, value(n("1"))), false),
            ],
            &item,
        );
    }

    #[test]
    fn strings_order_by_utf8_bytes_and_binaries_by_unsigned_bytes() {
        let item = item(vec![("text", s("\u{FFFF}")), ("bytes", b(&[0x80]))]);
        check(
            vec![
                // U+FFFF (EF BF BF) sorts before U+10000 (F0 90 80 80) in
                // UTF-8, though not in UTF-16.
                (
                    comparison(attribute("text"), Lt, value(s("\u{10000}"))),
                    true,
                ),
                (comparison(attribute("text"), Gt, value(s("z"))), true),
                (
                    comparison(attribute("bytes"), Gt, value(b(&[0x7F, 0xFF]))),
                    true,
                ),
            ],
            &item,
        );
    }

    #[test]
    fn between_is_inclusive_and_needs_one_ordered_type() {
        let item = item(vec![
            ("a", n("1")),
            ("text", s("cat")),
            ("bytes", b(b"cat")),
            ("low", n("0")),
            ("high", n("2")),
            ("list", l(vec![n("1")])),
        ]);
        check(
            vec![
                (between(attribute("a"), value(n("0")), value(n("2"))), true),
                (between(attribute("a"), value(n("1")), value(n("1"))), true),
                (between(attribute("a"), value(n("2")), value(n("7"))), false),
                (
                    between(attribute("a"), attribute("low"), attribute("high")),
                    true,
                ),
                (
                    between(attribute("text"), value(s("aardvark")), value(s("dog"))),
                    true,
                ),
                (
                    between(attribute("text"), value(s("cat")), value(s("cat"))),
                    true,
                ),
                (
                    between(attribute("text"), value(s("dog")), value(s("zebra"))),
                    false,
                ),
                (
                    between(attribute("bytes"), value(b(b"cat")), value(b(b"dog"))),
                    true,
                ),
                (between(attribute("a"), value(s("0")), value(s("2"))), false),
                (
                    between(attribute("a"), attribute("list"), attribute("list")),
                    false,
                ),
                // Bounds in the wrong order from the item: simply false.
                (
                    between(attribute("a"), attribute("high"), attribute("low")),
                    false,
                ),
            ],
            &item,
        );
    }

    #[test]
    fn in_holds_when_any_candidate_is_equal() {
        for candidate in one_of_each_type() {
            let record = item(vec![("a", candidate.clone()), ("b", candidate.clone())]);
            assert!(is_in(attribute("a"), vec![attribute("b")]).evaluate(&record));
            assert!(
                is_in(attribute("a"), vec![value(s("other")), value(candidate)]).evaluate(&record)
            );
        }
        let many: Vec<Operand> = (0..99).map(|i| value(n(&i.to_string()))).collect();
        let record = item(vec![("a", n("74"))]);
        assert!(is_in(attribute("a"), many.clone()).evaluate(&record));
        assert!(!is_in(attribute("a"), many).evaluate(&item(vec![("a", n("174"))])));
        // Candidates of mixed types are fine; only an equal one matters.
        assert!(is_in(attribute("a"), vec![value(s("dog")), value(n("74.0"))]).evaluate(&record));
        assert!(!is_in(attribute("a"), vec![value(s("74"))]).evaluate(&record));
    }

    // ----- functions ----------------------------------------------------------

    #[test]
    fn attribute_exists_and_not_exists_follow_nested_paths() {
        let item = item(vec![
            ("b", m(vec![("x", n("1")), ("y", l(vec![n("-1"), n("2")]))])),
            ("null", AttributeValue::Null),
        ]);
        check(
            vec![
                (exists("b"), true),
                (exists("b.x"), true),
                (exists("b.y[1]"), true),
                (exists("b.y[2]"), false),
                (exists("b.z"), false),
                (exists("b.x.deeper"), false),
                (exists("b[0]"), false),
                (exists("null"), true),
                (not_exists("b.z"), true),
                (not_exists("b.y[0]"), false),
                (not_exists("missing.x"), true),
            ],
            &item,
        );
        assert!(not_exists("anything").evaluate(&Item::new()));
    }

    #[test]
    fn attribute_type_matches_each_type_name() {
        let names = ["N", "S", "BOOL", "B", "NULL", "L", "M", "SS", "NS", "BS"];
        for (value, name) in one_of_each_type().into_iter().zip(names) {
            let item = item(vec![("a", value)]);
            for other in names {
                assert_eq!(
                    type_is("a", other).evaluate(&item),
                    other == name,
                    "{name} {other}"
                );
            }
            assert!(!type_is("missing", name).evaluate(&item));
        }
    }

    #[test]
    fn begins_with_applies_to_strings_and_binaries() {
        let item = item(vec![
            ("a", s("hello")),
            ("b", b(b"hi there")),
            ("number", n("12")),
            ("prefix", s("he")),
        ]);
        check(
            vec![
                (begins_with(attribute("a"), value(s("hell"))), true),
                (begins_with(attribute("a"), value(s("hello"))), true),
                (begins_with(attribute("a"), value(s(""))), true),
                (begins_with(attribute("a"), value(s("dog"))), false),
                (begins_with(attribute("a"), value(s("hello!"))), false),
                (begins_with(attribute("b"), value(b(b"hi"))), true),
                (begins_with(attribute("b"), value(b(b"ho"))), false),
                // Operands may both come from the item, in either role.
                (begins_with(attribute("a"), attribute("prefix")), true),
                (begins_with(value(s("hellohi")), attribute("a")), true),
                // Mixed or unsupported types: false.
                (begins_with(attribute("a"), value(b(b"he"))), false),
                (begins_with(attribute("number"), value(s("1"))), false),
                (begins_with(attribute("missing"), attribute("a")), false),
            ],
            &item,
        );
    }

    #[test]
    fn contains_finds_substrings_set_members_and_list_elements() {
        let item = item(vec![
            ("a", s("hello")),
            ("b", ns(&["2", "4", "7"])),
            ("c", l(vec![n("2"), n("4"), n("7")])),
            ("d", b(b"hi there")),
            (
                "e",
                l(vec![s("hi"), ns(&["1", "2"]), l(vec![n("3"), n("4")])]),
            ),
            ("f", ss(&["dog", "cat"])),
            ("g", bs(&[b"x", b"yz"])),
            ("h", m(vec![("key", s("value"))])),
            ("needle", s("ell")),
        ]);
        check(
            vec![
                (contains_condition(attribute("a"), value(s("ell"))), true),
                (
                    contains_condition(attribute("a"), attribute("needle")),
                    true,
                ),
                (contains_condition(attribute("a"), value(s(""))), true),
                (
                    contains_condition(attribute("a"), value(s("hello world"))),
                    false,
                ),
                (contains_condition(attribute("b"), value(n("4"))), true),
                (contains_condition(attribute("b"), value(n("4.0"))), true),
                (contains_condition(attribute("b"), value(n("5"))), false),
                (contains_condition(attribute("b"), value(s("4"))), false),
                (contains_condition(attribute("c"), value(n("4"))), true),
                (contains_condition(attribute("c"), value(s("4"))), false),
                (contains_condition(attribute("d"), value(b(b"here"))), true),
                (contains_condition(attribute("d"), value(b(b"dog"))), false),
                (
                    contains_condition(attribute("d"), value(ns(&["1", "2"]))),
                    false,
                ),
                (
                    contains_condition(attribute("e"), value(ns(&["2", "1"]))),
                    true,
                ),
                (
                    contains_condition(attribute("e"), value(l(vec![n("3"), n("4")]))),
                    true,
                ),
                (
                    contains_condition(attribute("e"), value(l(vec![n("4"), n("3")]))),
                    false,
                ),
                (contains_condition(attribute("e"), value(s("h"))), false),
                (contains_condition(attribute("f"), value(s("cat"))), true),
                (contains_condition(attribute("f"), value(s("ca"))), false),
                (contains_condition(attribute("g"), value(b(b"yz"))), true),
                (contains_condition(attribute("g"), value(b(b"y"))), false),
                // Maps and numbers contain nothing.
                (contains_condition(attribute("h"), value(s("key"))), false),
                (contains_condition(attribute("h"), value(s("value"))), false),
                (contains_condition(value(n("123")), value(n("2"))), false),
                (
                    contains_condition(attribute("a"), value(l(vec![s("ell")]))),
                    false,
                ),
            ],
            &item,
        );
    }

    #[test]
    fn size_counts_utf16_units_bytes_and_elements_and_is_absent_for_other_types() {
        let item = item(vec![
            ("a", s("hello")),
            ("unicode", s("é𝄞")),
            ("empty", s("")),
            ("b", ns(&["2", "4", "7"])),
            ("c", l(vec![n("2"), s("dog"), n("7")])),
            ("d", b(b"hi there")),
            (
                "e",
                m(vec![
                    ("x", n("2")),
                    ("y", m(vec![("m", n("3")), ("n", n("4"))])),
                ]),
            ),
            ("f", n("5")),
            ("g", AttributeValue::Bool(true)),
            ("h", AttributeValue::Null),
            ("five", n("5")),
        ]);
        check(
            vec![
                (comparison(size(attribute("a")), Eq, value(n("5"))), true),
                // é is one UTF-16 unit, 𝄞 two (a surrogate pair): 3, not
                // the 6 UTF-8 bytes or 2 characters.
                (
                    comparison(size(attribute("unicode")), Eq, value(n("3"))),
                    true,
                ),
                (
                    comparison(size(attribute("empty")), Eq, value(n("0"))),
                    true,
                ),
                (comparison(size(attribute("b")), Eq, value(n("3"))), true),
                (comparison(size(attribute("c")), Eq, value(n("3"))), true),
                (comparison(size(attribute("d")), Eq, value(n("8"))), true),
                (comparison(size(attribute("e")), Eq, value(n("2"))), true),
                (comparison(size(attribute("e.y")), Eq, value(n("2"))), true),
                (comparison(size(attribute("f")), Eq, value(n("1"))), false),
                (comparison(size(attribute("g")), Eq, value(n("1"))), false),
                (comparison(size(attribute("h")), Eq, value(n("1"))), false),
                (
                    comparison(size(attribute("missing")), Eq, value(n("0"))),
                    false,
                ),
                (
                    comparison(size(attribute("missing")), Ne, value(n("0"))),
                    true,
                ),
                // Compared to a non-number: a false condition.
                (comparison(size(attribute("a")), Eq, value(s("5"))), false),
                (
                    comparison(size(attribute("a")), Eq, attribute("five")),
                    true,
                ),
                (comparison(size(attribute("a")), Ne, value(n("4"))), true),
                (comparison(size(attribute("a")), Lt, value(n("7"))), true),
                (comparison(size(attribute("a")), Ge, value(n("2"))), true),
                (comparison(size(value(s("abc"))), Eq, value(n("3"))), true),
                (
                    between(size(attribute("c")), value(n("1")), value(n("3"))),
                    true,
                ),
            ],
            &item,
        );
    }

    // ----- logic --------------------------------------------------------------

    #[test]
    fn and_or_not_combine_conditions() {
        let item = item(vec![("a", n("1")), ("b", n("2")), ("c", n("3"))]);
        let a_lt_b = || comparison(attribute("a"), Lt, attribute("b"));
        let c_lt_b = || comparison(attribute("c"), Lt, attribute("b"));
        check(
            vec![
                (and(a_lt_b(), a_lt_b()), true),
                (and(a_lt_b(), c_lt_b()), false),
                (or(c_lt_b(), a_lt_b()), true),
                (or(c_lt_b(), c_lt_b()), false),
                (not(c_lt_b()), true),
                (not(not(not(not(a_lt_b())))), true),
                (
                    not(comparison(attribute("missing"), Eq, value(n("1")))),
                    true,
                ),
            ],
            &item,
        );
    }

    #[test]
    fn deep_condition_trees_evaluate() {
        // 300 operators, the parser's limit, nested as deeply as possible.
        let mut condition = exists("a");
        for i in 0..300 {
            condition = if i % 2 == 0 {
                not(condition)
            } else {
                and(condition, exists("a"))
            };
        }
        let item = item(vec![("a", n("1"))]);
        assert!(condition.evaluate(&item));
        let deep_path = Path {
            elements: (0..32)
                .map(|_| super::super::ast::PathElement::Index(0))
                .collect(),
        };
        assert!(!Condition::AttributeExists(deep_path).evaluate(&item));
    }

    proptest! {
        #[test]
        fn evaluate_never_panics_and_not_equal_is_the_negation_of_equal_for_present_values(
            item in crate::model::test_support::arbitrary_item(),
            left in crate::model::test_support::arbitrary_attribute_value(),
            name in "[a-zA-Z_]{1,6}",
        ) {
            let equal = comparison(attribute(&name), Eq, value(left.clone())).evaluate(&item);
            let unequal = comparison(attribute(&name), Ne, value(left.clone())).evaluate(&item);
            prop_assert_ne!(equal, unequal);
            for comparator in [Lt, Le, Gt, Ge] {
                let _ = comparison(attribute(&name), comparator, value(left.clone())).evaluate(&item);
            }
            let _ = contains_condition(attribute(&name), value(left.clone())).evaluate(&item);
            let _ = comparison(size(attribute(&name)), Eq, value(left)).evaluate(&item);
        }
    }
}
