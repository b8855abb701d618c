//! ConditionExpression: every comparator, BETWEEN, IN, AND/OR/NOT and their
//! precedence, parentheses, each function, on top-level and nested paths
//! and list indexes, across types and with missing attributes; and the
//! errors DynamoDB reports for invalid conditions.
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

fn marker() -> Item {
    it(&[("pk", s("k")), ("marker", bo(true))])
}

/// One condition and whether it holds for [`std_item`] (or its error).
#[derive(Debug)]
struct C {
    name: &'static str,
    expr: &'static str,
    holds: Result<bool, Fail>,
}

const T: Result<bool, Fail> = Ok(true);
const F: Result<bool, Fail> = Ok(false);

fn invalid(message: &str) -> Result<bool, Fail> {
    Err(verr(format!("Invalid ConditionExpression: {message}")))
}

fn run(area: &'static str, cases: Vec<C>) {
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

#[test]
fn functions() {
    let mut cases = vec![
        C {
            name: "attribute_exists present",
            expr: "attribute_exists(s)",
            holds: T,
        },
        C {
            name: "attribute_exists missing",
            expr: "attribute_exists(nope)",
            holds: F,
        },
        C {
            name: "attribute_exists NULL value",
            expr: "attribute_exists(z)",
            holds: T,
        },
        C {
            name: "attribute_exists empty string",
            expr: "attribute_exists(e)",
            holds: T,
        },
        C {
            name: "attribute_exists nested",
            expr: "attribute_exists(m.b.c)",
            holds: T,
        },
        C {
            name: "attribute_exists nested missing",
            expr: "attribute_exists(m.x)",
            holds: F,
        },
        C {
            name: "attribute_exists list index",
            expr: "attribute_exists(l[1])",
            holds: T,
        },
        C {
            name: "attribute_exists index past end",
            expr: "attribute_exists(l[9])",
            holds: F,
        },
        C {
            name: "attribute_exists #name",
            expr: "attribute_exists(#s)",
            holds: T,
        },
        C {
            name: "attribute_not_exists missing",
            expr: "attribute_not_exists(nope)",
            holds: T,
        },
        C {
            name: "attribute_not_exists present",
            expr: "attribute_not_exists(s)",
            holds: F,
        },
        C {
            name: "attribute_not_exists nested",
            expr: "attribute_not_exists(m.b.x)",
            holds: T,
        },
        C {
            name: "attribute_not_exists key",
            expr: "attribute_not_exists(pk)",
            holds: F,
        },
        C {
            name: "attribute_type nested map",
            expr: "attribute_type(m.b, :M)",
            holds: T,
        },
        C {
            name: "attribute_type list element",
            expr: "attribute_type(l[0], :S)",
            holds: T,
        },
        C {
            name: "attribute_type wrong type",
            expr: "attribute_type(s, :N)",
            holds: F,
        },
        C {
            name: "attribute_type missing",
            expr: "attribute_type(nope, :S)",
            holds: F,
        },
        C {
            name: "attribute_type NULL is not S",
            expr: "attribute_type(z, :S)",
            holds: F,
        },
        C {
            name: "begins_with S",
            expr: "begins_with(s, :ab)",
            holds: T,
        },
        C {
            name: "begins_with S whole",
            expr: "begins_with(s, :abc)",
            holds: T,
        },
        C {
            name: "begins_with S no",
            expr: "begins_with(s, :b)",
            holds: F,
        },
        C {
            name: "begins_with S empty prefix",
            expr: "begins_with(s, :empty)",
            holds: T,
        },
        C {
            name: "begins_with B",
            expr: "begins_with(b, :b12)",
            holds: T,
        },
        C {
            name: "begins_with B no",
            expr: "begins_with(b, :b3)",
            holds: F,
        },
        C {
            name: "begins_with nested",
            expr: "begins_with(m.b.c, :d)",
            holds: T,
        },
        C {
            name: "begins_with list element",
            expr: "begins_with(l[0], :x)",
            holds: T,
        },
        C {
            name: "begins_with missing",
            expr: "begins_with(nope, :a)",
            holds: F,
        },
        C {
            name: "begins_with a number attribute",
            expr: "begins_with(n, :a)",
            holds: F,
        },
        C {
            name: "begins_with set attribute",
            expr: "begins_with(ss, :a)",
            holds: F,
        },
        C {
            name: "contains substring",
            expr: "contains(s, :bc)",
            holds: T,
        },
        C {
            name: "contains substring no",
            expr: "contains(s, :x)",
            holds: F,
        },
        C {
            name: "contains SS member",
            expr: "contains(ss, :a)",
            holds: T,
        },
        C {
            name: "contains SS non-member",
            expr: "contains(ss, :c)",
            holds: F,
        },
        C {
            name: "contains NS member",
            expr: "contains(ns, :one)",
            holds: T,
        },
        C {
            name: "contains NS non-member",
            expr: "contains(ns, :five)",
            holds: F,
        },
        C {
            name: "contains BS member",
            expr: "contains(bs, :b1)",
            holds: T,
        },
        C {
            name: "contains SS with a number",
            expr: "contains(ss, :one)",
            holds: F,
        },
        C {
            name: "contains list S element",
            expr: "contains(l, :x)",
            holds: T,
        },
        C {
            name: "contains list N element",
            expr: "contains(l, :one)",
            holds: T,
        },
        C {
            name: "contains list map element",
            expr: "contains(l, :mapyz)",
            holds: F,
        },
        C {
            name: "contains list no",
            expr: "contains(l, :y)",
            holds: F,
        },
        C {
            name: "contains nested list",
            expr: "contains(m.l, :seven)",
            holds: T,
        },
        C {
            name: "contains missing",
            expr: "contains(nope, :a)",
            holds: F,
        },
        C {
            name: "contains number attribute",
            expr: "contains(n, :five)",
            holds: F,
        },
        C {
            name: "size S",
            expr: "size(s) = :three",
            holds: T,
        },
        C {
            name: "size empty S",
            expr: "size(e) = :zero",
            holds: T,
        },
        C {
            name: "size B",
            expr: "size(b) = :three",
            holds: T,
        },
        C {
            name: "size SS",
            expr: "size(ss) = :two",
            holds: T,
        },
        C {
            name: "size NS",
            expr: "size(ns) = :two",
            holds: T,
        },
        C {
            name: "size BS",
            expr: "size(bs) = :two",
            holds: T,
        },
        C {
            name: "size L",
            expr: "size(l) = :three",
            holds: T,
        },
        C {
            name: "size M",
            expr: "size(m) = :three",
            holds: T,
        },
        C {
            name: "size nested M",
            expr: "size(m.b) = :one",
            holds: T,
        },
        C {
            name: "size list element",
            expr: "size(l[2]) = :one",
            holds: T,
        },
        C {
            name: "size comparison",
            expr: "size(s) > :two",
            holds: T,
        },
        C {
            name: "size BETWEEN",
            expr: "size(s) BETWEEN :two AND :four",
            holds: T,
        },
        C {
            name: "size IN",
            expr: "size(l) IN (:one, :three)",
            holds: T,
        },
        C {
            name: "size compared with size",
            expr: "size(s) = size(l)",
            holds: T,
        },
        C {
            name: "size of missing",
            expr: "size(nope) = :zero",
            holds: F,
        },
        C {
            name: "size unequal",
            expr: "size(s) = :four",
            holds: F,
        },
    ];
    for (attribute, type_name) in [
        ("s", ":S"),
        ("n", ":N"),
        ("b", ":B"),
        ("t", ":BOOL"),
        ("z", ":NULL"),
        ("l", ":L"),
        ("m", ":M"),
        ("ss", ":SS"),
        ("ns", ":NS"),
        ("bs", ":BS"),
    ] {
        cases.push(C {
            name: nm(format!("attribute_type {}", &type_name[1..])),
            expr: nm(format!("attribute_type({attribute}, {type_name})")),
            holds: T,
        });
    }
    // contains(l, :mapyz) needs a map value the palette lacks: list
    // membership of a map is by equality, and {y: "w"} is no member.
    run_functions(cases);
}

/// Runs the function cases; `:mapyz` is `{y: "w"}`.
fn run_functions(cases: Vec<C>) {
    let cases = cases
        .into_iter()
        .map(|c| {
            let mut req = put(marker()).cond(c.expr);
            if c.expr.contains(":mapyz") {
                req = req.vals(&[(":mapyz", m(&[("y", s("w"))]))]);
            }
            WriteCase {
                name: c.name,
                setup: vec![std_item()],
                req,
                after: matches!(c.holds, Ok(true)).then(|| vec![marker()]),
                expect: match c.holds {
                    Ok(true) => Ok(None),
                    Ok(false) => Err(ccf()),
                    Err(fail) => Err(fail),
                },
            }
        })
        .collect();
    run_writes("condition/functions", cases);
}

#[test]
fn invalid_conditions() {
    run(
        "condition/invalid",
        vec![
            C {
                name: "empty expression",
                expr: "",
                holds: invalid("The expression can not be empty;"),
            },
            C {
                name: "a bare path",
                expr: "foo",
                holds: invalid(r#"Syntax error; token: "<EOF>", near: "foo""#),
            },
            C {
                // unverified: the near window
                name: "comparator without right operand",
                expr: "n =",
                holds: invalid(r#"Syntax error; token: "<EOF>", near: "=""#),
            },
            C {
                // unverified: the near window
                name: "doubled comparator",
                expr: "n == :five",
                holds: invalid(r#"Syntax error; token: "=", near: "== :five""#),
            },
            C {
                // unverified: the near window
                name: "unbalanced parenthesis",
                expr: "(n = :five",
                holds: invalid(r#"Syntax error; token: "<EOF>", near: ":five""#),
            },
            C {
                // unverified: the near window
                name: "dangling AND",
                expr: "n = :five AND",
                holds: invalid(r#"Syntax error; token: "<EOF>", near: "AND""#),
            },
            C {
                // unverified: the near window
                name: "empty IN list",
                expr: "n IN ()",
                holds: invalid(r#"Syntax error; token: ")", near: "()""#),
            },
            C {
                name: "undefined value",
                expr: "n = :nope",
                holds: invalid(
                    "An expression attribute value used in expression is not defined; \
                     attribute value: :nope",
                ),
            },
            C {
                name: "undefined name",
                expr: "#nope = :five",
                holds: invalid(
                    "An expression attribute name used in the document path is not defined; \
                     attribute name: #nope",
                ),
            },
            C {
                name: "reserved word used bare",
                expr: "status = :five",
                holds: invalid("Attribute name is a reserved keyword; reserved keyword: status"),
            },
            C {
                name: "reserved word keeps its case",
                expr: "Comment = :five",
                holds: invalid("Attribute name is a reserved keyword; reserved keyword: Comment"),
            },
            C {
                name: "reserved word in a nested path",
                expr: "m.size = :five",
                holds: invalid("Attribute name is a reserved keyword; reserved keyword: size"),
            },
            C {
                name: "reserved word through #name",
                expr: "#st = :five",
                holds: F,
            },
            C {
                name: "unknown function",
                expr: "foo(s)",
                holds: invalid("Invalid function name; function: foo"),
            },
            C {
                // unverified
                name: "update function in a condition",
                expr: "if_not_exists(n, :five) = :five",
                holds: invalid(
                    "The function is not allowed in a condition expression; function: if_not_exists",
                ),
            },
            C {
                name: "size alone",
                expr: "size(s)",
                holds: invalid(
                    "The function is not allowed to be used this way in an expression; \
                     function: size",
                ),
            },
            C {
                name: "boolean function compared",
                expr: "attribute_exists(s) = :true",
                holds: invalid(
                    "The function is not allowed to be used this way in an expression; \
                     function: attribute_exists",
                ),
            },
            C {
                name: "attribute_exists with two operands",
                expr: "attribute_exists(s, n)",
                holds: invalid(
                    "Incorrect number of operands for operator or function; operator or \
                     function: attribute_exists, number of operands: 2",
                ),
            },
            C {
                name: "begins_with with one operand",
                expr: "begins_with(s)",
                holds: invalid(
                    "Incorrect number of operands for operator or function; operator or \
                     function: begins_with, number of operands: 1",
                ),
            },
            C {
                name: "attribute_exists of a value",
                expr: "attribute_exists(:five)",
                holds: invalid(
                    "Operator or function requires a document path; operator or function: \
                     attribute_exists",
                ),
            },
            C {
                name: "attribute_not_exists of a value",
                expr: "attribute_not_exists(:five)",
                holds: invalid(
                    "Operator or function requires a document path; operator or function: \
                     attribute_not_exists",
                ),
            },
            C {
                name: "same path on both sides",
                expr: "n = n",
                holds: invalid(
                    "The first operand must be distinct from the remaining operands for this \
                     operator or function; operator: =, first operand: [n]",
                ),
            },
            C {
                name: "same nested path on both sides",
                expr: "m.a < m.a",
                holds: invalid(
                    "The first operand must be distinct from the remaining operands for this \
                     operator or function; operator: <, first operand: [m, a]",
                ),
            },
            C {
                name: "attribute_type with a number type operand",
                expr: "attribute_type(s, :five)",
                holds: invalid(
                    "Incorrect operand type for operator or function; operator or function: \
                     attribute_type, operand type: N",
                ),
            },
            C {
                name: "attribute_type with an unknown type name",
                expr: "attribute_type(s, :XX)",
                holds: invalid(
                    "Invalid attribute type name found; type: XX, valid types: \
                     {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                ),
            },
            C {
                name: "begins_with a number prefix",
                expr: "begins_with(s, :five)",
                holds: invalid(
                    "Incorrect operand type for operator or function; operator or function: \
                     begins_with, operand type: N",
                ),
            },
            C {
                name: "begins_with a set prefix",
                expr: "begins_with(s, :ss_a)",
                holds: invalid(
                    "Incorrect operand type for operator or function; operator or function: \
                     begins_with, operand type: SS",
                ),
            },
            C {
                name: "size of a number value",
                expr: "size(:five) = :one",
                holds: invalid(
                    "Incorrect operand type for operator or function; operator or function: \
                     size, operand type: N",
                ),
            },
            C {
                name: "size of a boolean value",
                expr: "size(:true) = :one",
                holds: invalid(
                    "Incorrect operand type for operator or function; operator or function: \
                     size, operand type: BOOL",
                ),
            },
            C {
                // unverified: DynamoDB rejects redundant parentheses
                name: "redundant parentheses",
                expr: "((n = :five))",
                holds: invalid("The expression has redundant parentheses;"),
            },
            C {
                // unverified: arithmetic is an update-expression operator
                name: "arithmetic in a condition",
                expr: "n + :one = :six",
                holds: invalid(r#"Syntax error; token: "+", near: "n + :one""#),
            },
            C {
                // unverified: the near window
                name: "update keyword in a condition",
                expr: "SET n = :five",
                holds: invalid(r#"Syntax error; token: "SET", near: "SET n""#),
            },
        ],
    );
}

/// Condition errors that need their own placeholders or items.
#[test]
fn placeholder_errors() {
    let std = std_item;
    let marked = || put(marker());
    run_writes(
        "condition/placeholders",
        vec![
            WriteCase {
                name: "unused name",
                setup: vec![std()],
                req: marked()
                    .cond("#a = :five")
                    .names(&[("#a", "n"), ("#b", "s")]),
                expect: Err(verr(
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}",
                )),
                after: None,
            },
            WriteCase {
                name: "unused value",
                setup: vec![std()],
                req: marked()
                    .cond("n = :five")
                    .vals(&[(":five", n("5")), (":six", n("6"))]),
                expect: Err(verr(
                    "Value provided in ExpressionAttributeValues unused in expressions: keys: {:six}",
                )),
                after: None,
            },
            WriteCase {
                name: "empty ExpressionAttributeNames",
                setup: vec![std()],
                req: W {
                    names: Some(names(&[])),
                    ..marked().cond("n = :five")
                },
                expect: Err(verr("ExpressionAttributeNames must not be empty")),
                after: None,
            },
            WriteCase {
                name: "empty ExpressionAttributeValues",
                setup: vec![std()],
                req: marked().cond("attribute_exists(n)").vals(&[]),
                expect: Err(verr("ExpressionAttributeValues must not be empty")),
                after: None,
            },
            WriteCase {
                name: "names without any expression",
                setup: vec![std()],
                req: marked().names(&[("#a", "n")]),
                expect: Err(verr(
                    "ExpressionAttributeNames can only be specified when using expressions",
                )),
                after: None,
            },
            WriteCase {
                name: "values without any expression (PutItem)",
                setup: vec![std()],
                req: marked().vals(&[(":a", n("1"))]),
                expect: Err(verr(
                    "ExpressionAttributeValues can only be specified when using expressions: \
                     ConditionExpression is null",
                )),
                after: None,
            },
            WriteCase {
                name: "invalid value: empty string set",
                setup: vec![std()],
                req: marked().cond("ss = :e").vals(&[(":e", empty_ss())]),
                expect: Err(verr(
                    "ExpressionAttributeValues contains invalid value: One or more parameter \
                     values were invalid: An string set  may not be empty for key :e",
                )),
                after: None,
            },
            WriteCase {
                name: "name placeholder with spaces in the name",
                setup: vec![with(&std(), &[("with space", n("1"))])],
                req: marked().cond("#sp = :one"),
                expect: Ok(None),
                after: Some(vec![marker()]),
            },
            WriteCase {
                name: "name placeholder for a reserved word",
                setup: vec![with(&std(), &[("status", s("on"))])],
                req: marked().cond("#st = :on").vals(&[(":on", s("on"))]),
                expect: Ok(None),
                after: Some(vec![marker()]),
            },
            WriteCase {
                name: "one name used twice",
                setup: vec![std()],
                req: marked().cond("#n > :four AND #n < :six"),
                expect: Ok(None),
                after: Some(vec![marker()]),
            },
            WriteCase {
                name: "a name for a nested member",
                setup: vec![std()],
                req: marked().cond("#m.#b.c = :d"),
                expect: Ok(None),
                after: Some(vec![marker()]),
            },
            WriteCase {
                name: "name holding a dot is one attribute",
                setup: vec![with(&std(), &[("a.b", n("1"))])],
                req: marked().cond("#dot = :one"),
                expect: Ok(None),
                after: Some(vec![marker()]),
            },
        ],
    );
}
