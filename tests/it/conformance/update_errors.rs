//! UpdateItem errors: those of evaluating an update against the item
//! (missing operands, wrong types, arithmetic overflow, the item size
//! limit), and those of invalid update expressions (syntax, repeated
//! clauses, placeholders, reserved words, functions, operand types,
//! overlapping paths, expression size).

use super::update::{INVALID_PATH, MISSING_OPERAND, U, base, invalid, key, run};
use super::*;

const BAD_TYPE: &str = "An operand in the update expression has an incorrect data type";

#[test]
fn evaluation_errors() {
    let big = || it(&[("pk", s("k")), ("n", n("9E125")), ("p", n("1E38"))]);
    let mut cases: Vec<WriteCase> = [
        (
            "SET from a missing attribute",
            "SET x = nope",
            MISSING_OPERAND,
        ),
        (
            "SET from a missing nested member",
            "SET x = m.nope",
            MISSING_OPERAND,
        ),
        (
            "arithmetic on a missing attribute",
            "SET x = nope + :one",
            MISSING_OPERAND,
        ),
        (
            "list_append of a missing attribute",
            "SET l = list_append(nope, :l34)",
            MISSING_OPERAND,
        ),
        ("arithmetic on a string", "SET x = s + :one", BAD_TYPE),
        ("arithmetic on a list", "SET x = l - :one", BAD_TYPE),
        (
            "list_append of a string",
            "SET x = list_append(s, :l34)",
            BAD_TYPE,
        ),
        (
            "list_append of a set",
            "SET x = list_append(ss, :l34)",
            BAD_TYPE,
        ),
        ("ADD a number to a string", "ADD s :one", BAD_TYPE),
        ("ADD a number to a set", "ADD ss :one", BAD_TYPE),
        ("ADD a number set to a string set", "ADD ss :ns1", BAD_TYPE),
        ("ADD a set to a number", "ADD n :ss_a", BAD_TYPE),
        (
            "DELETE a number set from a string set",
            "DELETE ss :ns1",
            BAD_TYPE,
        ),
        ("DELETE a set from a number", "DELETE n :ns1", BAD_TYPE),
        ("SET under a missing map", "SET nope.x = :v", INVALID_PATH),
        (
            "SET under a missing nested map",
            "SET m.nope.x = :v",
            INVALID_PATH,
        ),
        ("SET a member of a string", "SET s.x = :v", INVALID_PATH),
        ("SET an element of a number", "SET n[0] = :v", INVALID_PATH),
        ("SET an element of a map", "SET m[0] = :v", INVALID_PATH),
        ("SET a member of a list", "SET l.x = :v", INVALID_PATH),
        (
            "REMOVE under a missing nested map",
            "REMOVE m.nope.x",
            INVALID_PATH,
        ),
        ("ADD under a missing map", "ADD nope.x :one", INVALID_PATH),
    ]
    .into_iter()
    .map(|(name, expr, message)| WriteCase {
        name,
        setup: vec![base()],
        req: upd(key(), expr),
        expect: Err(verr(message)),
        after: None,
    })
    .collect();
    cases.extend([
        WriteCase {
            name: "arithmetic overflow",
            setup: vec![big()],
            req: upd(key(), "SET n = n + n"),
            expect: Err(verr(
                "Number overflow. Attempting to store a number with magnitude larger than \
                 supported range",
            )),
            after: None,
        },
        WriteCase {
            // unverified: DynamoDB refuses (does not round) a sum of 39 digits
            name: "arithmetic beyond 38 digits",
            setup: vec![big()],
            req: upd(key(), "SET p = p + :one"),
            // DynamoDB reports a sum needing 39 digits as an overflow
            // (ScyllaDB's test_number.py, run against DynamoDB).
            expect: Err(verr(
                "Number overflow. Attempting to store a number with magnitude larger than supported range",
            )),
            after: None,
        },
        WriteCase {
            name: "update making the item over 400 KB",
            setup: vec![base()],
            req: upd(key(), "SET x = :big").vals(&[(":big", s(&"x".repeat(400 * 1024)))]),
            expect: Err(verr(
                "Item size to update has exceeded the maximum allowed size",
            )),
            after: None,
        },
        WriteCase {
            name: "SET under a missing map of a missing item",
            setup: vec![],
            req: upd(key(), "SET x.y = :v"),
            expect: Err(verr(INVALID_PATH)),
            after: None,
        },
        WriteCase {
            name: "arithmetic on an attribute of a missing item",
            setup: vec![],
            req: upd(key(), "SET n = n + :one"),
            expect: Err(verr(MISSING_OPERAND)),
            after: None,
        },
    ]);
    run_writes("update/evaluation-errors", cases);
}

#[test]
fn invalid_expressions() {
    let overlap = |one: &str, two: &str| {
        invalid(&format!(
            "Two document paths overlap with each other; must remove or rewrite one of these \
             paths; path one: {one}, path two: {two}"
        ))
    };
    let operand = |operator: &str, kind: &str| {
        invalid(&format!(
            "Incorrect operand type for operator or function; operator: {operator}, operand \
             type: {kind}, typeSet: ALLOWED_FOR_{operator}_OPERAND"
        ))
    };
    let function_operand = |function: &str, kind: &str| {
        invalid(&format!(
            "Incorrect operand type for operator or function; operator or function: {function}, \
             operand type: {kind}"
        ))
    };
    let long = nm(format!("SET x = :v{}", " ".repeat(4100)));
    run(
        "update/invalid",
        vec![
            U {
                name: "empty",
                expr: "",
                then: invalid("The expression can not be empty;"),
            },
            U {
                // unverified: the near window
                name: "SET without a value",
                expr: "SET x",
                then: invalid(r#"Syntax error; token: "<EOF>", near: "x""#),
            },
            U {
                // unverified: the near window
                name: "no clause keyword",
                expr: "x = :v",
                then: invalid(r#"Syntax error; token: "x", near: "x =""#),
            },
            U {
                // unverified: the near window
                name: "trailing comma",
                expr: "SET x = :v,",
                then: invalid(r#"Syntax error; token: "<EOF>", near: ",""#),
            },
            U {
                // unverified: the near window
                name: "multiplication",
                expr: "SET x = n * :two",
                then: invalid(r#"Syntax error; token: "*", near: "n * :two""#),
            },
            U {
                // unverified: the near window
                name: "REMOVE with a value",
                expr: "REMOVE s = :v",
                then: invalid(r#"Syntax error; token: "=", near: "s = :v""#),
            },
            U {
                name: "SET twice",
                expr: "SET x = :v SET y = :w",
                then: invalid(
                    r#"The "SET" section can only be used once in an update expression;"#,
                ),
            },
            U {
                name: "REMOVE twice",
                expr: "REMOVE s REMOVE n",
                then: invalid(
                    r#"The "REMOVE" section can only be used once in an update expression;"#,
                ),
            },
            U {
                name: "ADD twice",
                expr: "ADD n :one ADD x :one",
                then: invalid(
                    r#"The "ADD" section can only be used once in an update expression;"#,
                ),
            },
            U {
                name: "DELETE twice",
                expr: "DELETE ss :ss_a DELETE ns :ns1",
                then: invalid(
                    r#"The "DELETE" section can only be used once in an update expression;"#,
                ),
            },
            U {
                name: "undefined value",
                expr: "SET x = :nope",
                then: invalid(
                    "An expression attribute value used in expression is not defined; attribute \
                     value: :nope",
                ),
            },
            U {
                name: "undefined name",
                expr: "SET #nope = :v",
                then: invalid(
                    "An expression attribute name used in the document path is not defined; \
                     attribute name: #nope",
                ),
            },
            U {
                name: "reserved word as a path",
                expr: "SET status = :v",
                then: invalid("Attribute name is a reserved keyword; reserved keyword: status"),
            },
            U {
                name: "reserved word as a REMOVE path",
                expr: "REMOVE Absolute",
                then: invalid("Attribute name is a reserved keyword; reserved keyword: Absolute"),
            },
            U {
                name: "unknown function",
                expr: "SET x = foo(s)",
                then: invalid("Invalid function name; function: foo"),
            },
            U {
                // unverified
                name: "condition function in an update",
                expr: "SET x = size(s)",
                then: invalid(
                    "The function is not allowed in an update expression; function: size",
                ),
            },
            U {
                // unverified
                name: "attribute_exists in an update",
                expr: "SET x = attribute_exists(s)",
                then: invalid(
                    "The function is not allowed in an update expression; function: attribute_exists",
                ),
            },
            U {
                name: "if_not_exists of a value",
                expr: "SET x = if_not_exists(:v, s)",
                then: invalid(
                    "Operator or function requires a document path; operator or function: \
                     if_not_exists",
                ),
            },
            U {
                name: "list_append with one operand",
                expr: "SET x = list_append(l)",
                then: invalid(
                    "Incorrect number of operands for operator or function; operator or function: \
                     list_append, number of operands: 1",
                ),
            },
            U {
                name: "if_not_exists with one operand",
                expr: "SET x = if_not_exists(x)",
                then: invalid(
                    "Incorrect number of operands for operator or function; operator or function: \
                     if_not_exists, number of operands: 1",
                ),
            },
            U {
                name: "+ of a string value",
                expr: "SET x = n + :abc",
                then: function_operand("+", "S"),
            },
            U {
                name: "- of a set value",
                expr: "SET x = n - :ss_a",
                then: function_operand("-", "SS"),
            },
            U {
                name: "+ of a list value",
                expr: "SET x = n + :nil",
                then: function_operand("+", "L"),
            },
            U {
                name: "list_append of a string value",
                expr: "SET x = list_append(:abc, l)",
                then: function_operand("list_append", "S"),
            },
            U {
                name: "list_append of a number value",
                expr: "SET x = list_append(l, :one)",
                then: function_operand("list_append", "N"),
            },
            U {
                name: "ADD a string",
                expr: "ADD x :abc",
                then: operand("ADD", "STRING"),
            },
            U {
                name: "ADD a list",
                expr: "ADD x :nil",
                then: operand("ADD", "LIST"),
            },
            U {
                name: "ADD a map",
                expr: "ADD x :map",
                then: operand("ADD", "MAP"),
            },
            U {
                name: "ADD a boolean",
                expr: "ADD x :true",
                then: operand("ADD", "BOOLEAN"),
            },
            U {
                name: "ADD NULL",
                expr: "ADD x :null",
                then: operand("ADD", "NULL"),
            },
            U {
                name: "ADD a binary",
                expr: "ADD x :b1",
                then: operand("ADD", "BINARY"),
            },
            U {
                name: "DELETE a number",
                expr: "DELETE x :one",
                then: operand("DELETE", "NUMBER"),
            },
            U {
                name: "DELETE a string",
                expr: "DELETE x :abc",
                then: operand("DELETE", "STRING"),
            },
            U {
                name: "DELETE a list",
                expr: "DELETE x :nil",
                then: operand("DELETE", "LIST"),
            },
            U {
                name: "SET and REMOVE one path",
                expr: "SET s = :v REMOVE s",
                then: overlap("[s]", "[s]"),
            },
            U {
                name: "SET one path twice",
                expr: "SET x = :v, x = :w",
                then: overlap("[x]", "[x]"),
            },
            U {
                name: "SET a map and its member",
                expr: "SET m = :map, m.a = :one",
                then: overlap("[m]", "[m, a]"),
            },
            U {
                name: "REMOVE a list element twice",
                expr: "REMOVE l[0], l[0]",
                then: overlap("[l, [0]]", "[l, [0]]"),
            },
            U {
                name: "ADD and DELETE one set",
                expr: "ADD ns :ns3 DELETE ns :ns1",
                then: overlap("[ns]", "[ns]"),
            },
            U {
                name: "SET through #names overlapping",
                expr: "SET #s = :v, s = :w",
                then: overlap("[s]", "[s]"),
            },
            U {
                name: "list index and map member of one path",
                expr: "SET l[0] = :v, l.a = :w",
                then: invalid(
                    "Two document paths conflict with each other; must remove or rewrite one of \
                     these paths; path one: [l, [0]], path two: [l, a]",
                ),
            },
            U {
                name: "expression over 4 KB",
                expr: long,
                then: invalid(&format!(
                    "Expression size has exceeded the maximum allowed size; expression size: {}",
                    long.len()
                )),
            },
        ],
    );
}
