//! ConditionExpression truth tables: every comparator, BETWEEN, IN,
//! AND/OR/NOT and their precedence, and parentheses, on top-level and
//! nested paths and list indexes, across types and with missing
//! attributes. The functions are in `condition_functions`, the errors of
//! invalid conditions in `condition_invalid`; both share this file's
//! standard item, case type and runner.
//!
//! Each truth-table case is a PutItem of a marker item with the condition,
//! against the standard item [`std_item`]: a condition that holds replaces
//! the item with the marker; one that does not fails with
//! ConditionalCheckFailed and leaves the item as it was.

use super::*;

/// The item every condition is evaluated against.
pub fn std_item() -> Item {
    it(&[
        ("pk", s("k")),
        ("s", s("abc")),
        ("n", n("5")),
        ("b", b(&[1, 2, 3])),
        ("t", bo(true)),
        ("z", NULL),
        ("ss", ss(&["a", "b"])),
        ("ns", ns(&["1", "2"])),
        ("bs", bs(&[&[1], &[2]])),
        ("l", l(vec![s("x"), n("1"), m(&[("y", s("z"))])])),
        (
            "m",
            m(&[
                ("a", n("1")),
                ("b", m(&[("c", s("d"))])),
                ("l", l(vec![n("7")])),
            ]),
        ),
        ("e", s("")),
    ])
}

pub(super) fn marker() -> Item {
    it(&[("pk", s("k")), ("marker", bo(true))])
}

/// One condition and whether it holds for [`std_item`] (or its error).
#[derive(Debug)]
pub(super) struct C {
    pub(super) name: &'static str,
    pub(super) expr: &'static str,
    pub(super) holds: Result<bool, Fail>,
}

pub(super) const T: Result<bool, Fail> = Ok(true);
pub(super) const F: Result<bool, Fail> = Ok(false);

pub(super) fn invalid(message: &str) -> Result<bool, Fail> {
    Err(verr(format!("Invalid ConditionExpression: {message}")))
}

pub(super) fn run(area: &'static str, cases: Vec<C>) {
    let cases = cases
        .into_iter()
        .map(|c| WriteCase {
            name: c.name,
            setup: vec![std_item()],
            req: put(marker()).cond(c.expr),
            after: match c.holds {
                Ok(true) => Some(vec![marker()]),
                _ => None,
            },
            expect: match c.holds {
                Ok(true) => Ok(None),
                Ok(false) => Err(ccf()),
                Err(fail) => Err(fail),
            },
        })
        .collect();
    run_writes(area, cases);
}

#[test]
fn comparators() {
    run(
        "condition/comparators",
        vec![
            C {
                name: "N = equal",
                expr: "n = :five",
                holds: T,
            },
            C {
                name: "N = unequal",
                expr: "n = :six",
                holds: F,
            },
            C {
                name: "N <> unequal",
                expr: "n <> :six",
                holds: T,
            },
            C {
                name: "N <> equal",
                expr: "n <> :five",
                holds: F,
            },
            C {
                name: "N < greater",
                expr: "n < :six",
                holds: T,
            },
            C {
                name: "N < equal",
                expr: "n < :five",
                holds: F,
            },
            C {
                name: "N <= equal",
                expr: "n <= :five",
                holds: T,
            },
            C {
                name: "N <= smaller",
                expr: "n <= :four",
                holds: F,
            },
            C {
                name: "N > smaller",
                expr: "n > :four",
                holds: T,
            },
            C {
                name: "N > equal",
                expr: "n > :five",
                holds: F,
            },
            C {
                name: "N >= equal",
                expr: "n >= :five",
                holds: T,
            },
            C {
                name: "N >= greater",
                expr: "n >= :six",
                holds: F,
            },
            C {
                name: "N compares numerically, not as text",
                expr: "n < :ten",
                holds: T,
            },
            C {
                name: "S = equal",
                expr: "s = :abc",
                holds: T,
            },
            C {
                name: "S < by bytes",
                expr: "s < :abd",
                holds: T,
            },
            C {
                name: "S > prefix",
                expr: "s > :ab",
                holds: T,
            },
            C {
                name: "S <= longer is false",
                expr: "s <= :ab",
                holds: F,
            },
            C {
                name: "B < by bytes",
                expr: "b < :b124",
                holds: T,
            },
            C {
                name: "B = equal",
                expr: "b = :b123",
                holds: T,
            },
            C {
                name: "B >= prefix",
                expr: "b >= :b12",
                holds: T,
            },
            C {
                name: "BOOL = equal",
                expr: "t = :true",
                holds: T,
            },
            C {
                name: "BOOL = unequal",
                expr: "t = :false",
                holds: F,
            },
            C {
                name: "NULL = NULL",
                expr: "z = :null",
                holds: T,
            },
            C {
                name: "SS = same members any order",
                expr: "ss = :ss_ba",
                holds: T,
            },
            C {
                name: "SS = different members",
                expr: "ss = :ss_a",
                holds: F,
            },
            C {
                name: "NS = equal",
                expr: "ns = :ns_12",
                holds: T,
            },
            C {
                name: "BS = equal",
                expr: "bs = :bs_12",
                holds: T,
            },
            C {
                name: "L = equal list",
                expr: "l = :list",
                holds: T,
            },
            C {
                name: "M = equal map",
                expr: "m.b = :map",
                holds: T,
            },
            C {
                name: "N = S of same digits is false",
                expr: "n = :s5",
                holds: F,
            },
            C {
                name: "N <> S of same digits is true",
                expr: "n <> :s5",
                holds: T,
            },
            C {
                name: "N < S is false (types differ)",
                expr: "n < :s5",
                holds: F,
            },
            C {
                name: "S > N is false (types differ)",
                expr: "s > :five",
                holds: F,
            },
            C {
                name: "missing = value is false",
                expr: "nope = :five",
                holds: F,
            },
            // DynamoDB: `<>` holds when the attribute is missing.
            C {
                name: "missing <> value is true",
                expr: "nope <> :five",
                holds: T,
            },
            C {
                name: "missing < value is false",
                expr: "nope < :five",
                holds: F,
            },
            C {
                name: "missing >= value is false",
                expr: "nope >= :five",
                holds: F,
            },
            C {
                name: "path = path",
                expr: "m.a = l[1]",
                holds: T,
            },
            C {
                name: "path < path",
                expr: "m.a < n",
                holds: T,
            },
            C {
                name: "nested map member",
                expr: "m.b.c = :d",
                holds: T,
            },
            C {
                name: "list index",
                expr: "l[0] = :x",
                holds: T,
            },
            C {
                name: "map in list",
                expr: "l[2].y = :z",
                holds: T,
            },
            C {
                name: "list in map",
                expr: "m.l[0] = :seven",
                holds: T,
            },
            C {
                name: "list index past the end is missing",
                expr: "l[5] = :x",
                holds: F,
            },
            C {
                name: "index into a non-list is missing",
                expr: "s[0] = :a",
                holds: F,
            },
            C {
                name: "member of a non-map is missing",
                expr: "n.a = :one",
                holds: F,
            },
            C {
                name: "#name placeholder",
                expr: "#n = :five",
                holds: T,
            },
            C {
                name: "#name of a name with a dot",
                expr: "#dot = :one",
                holds: F,
            },
            C {
                name: "value on the left",
                expr: ":four < n",
                holds: T,
            },
            C {
                name: "empty string attribute",
                expr: "e = :empty",
                holds: T,
            },
            C {
                name: "key attribute",
                expr: "pk = :k",
                holds: T,
            },
        ],
    );
}

#[test]
fn between_and_in() {
    run(
        "condition/between-in",
        vec![
            C {
                name: "BETWEEN inside",
                expr: "n BETWEEN :four AND :six",
                holds: T,
            },
            C {
                name: "BETWEEN inclusive low",
                expr: "n BETWEEN :five AND :six",
                holds: T,
            },
            C {
                name: "BETWEEN inclusive high",
                expr: "n BETWEEN :four AND :five",
                holds: T,
            },
            C {
                name: "BETWEEN equal bounds",
                expr: "n BETWEEN :five AND :five",
                holds: T,
            },
            C {
                name: "BETWEEN below",
                expr: "n BETWEEN :six AND :seven",
                holds: F,
            },
            C {
                name: "BETWEEN strings",
                expr: "s BETWEEN :a AND :b",
                holds: T,
            },
            C {
                name: "BETWEEN binaries",
                expr: "b BETWEEN :b12 AND :b124",
                holds: T,
            },
            C {
                name: "BETWEEN other type",
                expr: "s BETWEEN :four AND :six",
                holds: F,
            },
            C {
                name: "BETWEEN missing",
                expr: "nope BETWEEN :four AND :six",
                holds: F,
            },
            C {
                name: "BETWEEN nested",
                expr: "m.l[0] BETWEEN :six AND :ten",
                holds: T,
            },
            C {
                name: "between lowercase",
                expr: "n between :four and :six",
                holds: T,
            },
            C {
                name: "BETWEEN low above high",
                expr: "n BETWEEN :six AND :four",
                holds: invalid(
                    "The BETWEEN operator requires upper bound to be greater than or equal to \
                     lower bound; lower bound operand: AttributeValue: {N:6}, upper bound \
                     operand: AttributeValue: {N:4}",
                ),
            },
            C {
                // unverified: the operands' rendering
                name: "BETWEEN bounds of two types",
                expr: "n BETWEEN :four AND :abc",
                holds: invalid(
                    "The BETWEEN operator requires same data type for lower and upper bounds; \
                     lower bound operand: AttributeValue: {N:4}, upper bound operand: \
                     AttributeValue: {S:abc}",
                ),
            },
            C {
                name: "IN one of",
                expr: "n IN (:four, :five)",
                holds: T,
            },
            C {
                name: "IN none of",
                expr: "n IN (:four, :six)",
                holds: F,
            },
            C {
                name: "IN single",
                expr: "s IN (:abc)",
                holds: T,
            },
            C {
                name: "IN mixed types",
                expr: "n IN (:s5, :five)",
                holds: T,
            },
            C {
                name: "IN only other types",
                expr: "n IN (:s5, :abc)",
                holds: F,
            },
            C {
                name: "IN missing",
                expr: "nope IN (:five)",
                holds: F,
            },
            C {
                name: "IN set equality",
                expr: "ss IN (:ss_a, :ss_ba)",
                holds: T,
            },
            C {
                name: "IN nested",
                expr: "l[0] IN (:x, :y)",
                holds: T,
            },
            C {
                name: "IN path candidates",
                expr: "n IN (m.a, l[1])",
                holds: F,
            },
            C {
                name: "in lowercase",
                expr: "n in (:five)",
                holds: T,
            },
        ],
    );
}

#[test]
fn logic_and_precedence() {
    run(
        "condition/logic",
        vec![
            C {
                name: "AND both",
                expr: "n = :five AND s = :abc",
                holds: T,
            },
            C {
                name: "AND one",
                expr: "n = :five AND s = :x",
                holds: F,
            },
            C {
                name: "OR one",
                expr: "n = :six OR s = :abc",
                holds: T,
            },
            C {
                name: "OR none",
                expr: "n = :six OR s = :x",
                holds: F,
            },
            C {
                name: "NOT false",
                expr: "NOT n = :six",
                holds: T,
            },
            C {
                name: "NOT true",
                expr: "NOT n = :five",
                holds: F,
            },
            C {
                name: "NOT NOT",
                expr: "NOT NOT n = :five",
                holds: T,
            },
            C {
                name: "NOT missing equality",
                expr: "NOT nope = :five",
                holds: T,
            },
            C {
                name: "AND binds tighter than OR (left)",
                expr: "n = :six AND s = :x OR t = :true",
                holds: T,
            },
            C {
                name: "AND binds tighter than OR (right)",
                expr: "n = :five OR s = :x AND t = :false",
                holds: T,
            },
            C {
                name: "NOT binds tighter than AND",
                expr: "NOT n = :six AND s = :x",
                holds: F,
            },
            C {
                name: "NOT binds tighter than OR",
                expr: "NOT n = :five OR s = :abc",
                holds: T,
            },
            C {
                name: "parentheses override precedence",
                expr: "(n = :five OR s = :x) AND t = :false",
                holds: F,
            },
            C {
                name: "NOT of parenthesised AND",
                expr: "NOT (n = :five AND s = :x)",
                holds: T,
            },
            C {
                name: "nested parentheses",
                expr: "(n = :five AND (s = :x OR (t = :true)))",
                holds: T,
            },
            C {
                name: "BETWEEN's AND is not a conjunction",
                expr: "n BETWEEN :four AND :six AND s = :abc",
                holds: T,
            },
            C {
                name: "lowercase keywords",
                expr: "n = :five and not s = :x or t = :false",
                holds: T,
            },
            C {
                name: "mixed-case keywords",
                expr: "n = :five And s = :abc",
                holds: T,
            },
            C {
                name: "no spaces around operators",
                expr: "n=:five AND s<>:x",
                holds: T,
            },
            C {
                name: "newlines and tabs",
                expr: "n = :five\n\tAND s = :abc",
                holds: T,
            },
            C {
                name: "functions combined",
                expr: "attribute_exists(s) AND NOT contains(ss, :c)",
                holds: T,
            },
        ],
    );
}
