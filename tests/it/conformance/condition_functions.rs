//! ConditionExpression functions: attribute_exists, attribute_not_exists,
//! attribute_type, begins_with, contains and size, on top-level and nested
//! paths and list indexes, across types and with missing attributes.
//!
//! The cases are truth-table cases as in `condition`: a PutItem of a
//! marker item with the condition, against [`std_item`].

use super::condition::{C, F, T, marker, std_item};
use super::*;

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
