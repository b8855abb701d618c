//! The errors DynamoDB reports for invalid ConditionExpressions (syntax,
//! undefined placeholders, reserved words, misused functions and operands),
//! and the placeholder cases that need their own names, values or items:
//! unused or empty placeholder maps, invalid values, and names for nested
//! members, reserved words or attributes holding a dot.

use super::condition::{C, F, invalid, marker, run, std_item};
use super::*;

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
