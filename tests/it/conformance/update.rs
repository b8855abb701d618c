//! UpdateItem: SET (values, paths, `+`, `-`, if_not_exists, list_append,
//! nested members, list indexes), REMOVE, ADD, DELETE, several clauses,
//! ReturnValues, creating a missing item, key attributes and conditions.
//! The errors of evaluating and of invalid update expressions are in
//! `update_errors`, which shares this file's base item, case type and
//! runner.

use super::*;

/// The item the update cases start from.
pub(super) fn base() -> Item {
    it(&[
        ("pk", s("k")),
        ("n", n("5")),
        ("s", s("abc")),
        ("l", l(vec![n("1"), n("2")])),
        ("m", m(&[("a", n("1")), ("b", m(&[("c", s("d"))]))])),
        ("ss", ss(&["a", "b"])),
        ("ns", ns(&["1", "2"])),
        ("bs", bs(&[&[1], &[2]])),
    ])
}

pub(super) fn key() -> Item {
    hk("k")
}

/// An update of [`base`] and the item afterwards (or the error).
#[derive(Debug)]
pub(super) struct U {
    pub(super) name: &'static str,
    pub(super) expr: &'static str,
    pub(super) then: Result<Item, Fail>,
}

pub(super) fn invalid(message: &str) -> Result<Item, Fail> {
    Err(verr(format!("Invalid UpdateExpression: {message}")))
}

pub(super) const INVALID_PATH: &str =
    "The document path provided in the update expression is invalid for update";
pub(super) const MISSING_OPERAND: &str =
    "The provided expression refers to an attribute that does not exist in the item";

pub(super) fn run(area: &'static str, cases: Vec<U>) {
    let cases = cases
        .into_iter()
        .map(|u| WriteCase {
            name: u.name,
            setup: vec![base()],
            req: upd(key(), u.expr),
            expect: u.then.as_ref().map(|_| None).map_err(Clone::clone),
            after: u.then.ok().map(|item| vec![item]),
        })
        .collect();
    run_writes(area, cases);
}

/// [`base`] with these attributes set.
fn set(more: &[(&str, AttributeValue)]) -> Item {
    with(&base(), more)
}

fn map_a_b(a: AttributeValue, b: AttributeValue) -> AttributeValue {
    m(&[("a", a), ("b", b)])
}

#[test]
fn set_actions() {
    let cd = || m(&[("c", s("d"))]);
    run(
        "update/set",
        vec![
            U {
                name: "SET a new attribute",
                expr: "SET x = :v",
                then: Ok(set(&[("x", s("new"))])),
            },
            U {
                name: "SET overwrites",
                expr: "SET s = :v",
                then: Ok(set(&[("s", s("new"))])),
            },
            U {
                name: "SET changes the type",
                expr: "SET s = :five",
                then: Ok(set(&[("s", n("5"))])),
            },
            U {
                name: "SET copies a path",
                expr: "SET x = s",
                then: Ok(set(&[("x", s("abc"))])),
            },
            U {
                name: "SET copies a nested path",
                expr: "SET x = m.b.c",
                then: Ok(set(&[("x", s("d"))])),
            },
            U {
                name: "SET copies a map",
                expr: "SET x = m.b",
                then: Ok(set(&[("x", cd())])),
            },
            U {
                name: "SET copies a list element",
                expr: "SET x = l[1]",
                then: Ok(set(&[("x", n("2"))])),
            },
            U {
                name: "SET path + value",
                expr: "SET n = n + :one",
                then: Ok(set(&[("n", n("6"))])),
            },
            U {
                name: "SET path - value",
                expr: "SET n = n - :two",
                then: Ok(set(&[("n", n("3"))])),
            },
            U {
                name: "SET value + value",
                expr: "SET x = :one + :two",
                then: Ok(set(&[("x", n("3"))])),
            },
            U {
                name: "SET path + path",
                expr: "SET x = n + n",
                then: Ok(set(&[("x", n("10"))])),
            },
            U {
                name: "SET value - path",
                expr: "SET x = :one - n",
                then: Ok(set(&[("x", n("-4"))])),
            },
            U {
                name: "SET decimal arithmetic",
                expr: "SET n = n + :neg",
                then: Ok(set(&[("n", n("4.5"))])),
            },
            U {
                name: "SET nested arithmetic",
                expr: "SET m.a = m.a + :one",
                then: Ok(set(&[("m", map_a_b(n("2"), cd()))])),
            },
            U {
                // DynamoDB's grammar has no parentheses in SET values
                // (`value ::= operand | operand + operand | operand - operand`).
                name: "SET parenthesised value",
                expr: "SET x = (:one + :two)",
                then: invalid(r#"Syntax error; token: "+", near: ":one + :two""#),
            },
            U {
                name: "if_not_exists absent",
                expr: "SET x = if_not_exists(x, :zero)",
                then: Ok(set(&[("x", n("0"))])),
            },
            U {
                name: "if_not_exists present",
                expr: "SET n = if_not_exists(n, :zero)",
                then: Ok(base()),
            },
            U {
                name: "if_not_exists of another path",
                expr: "SET x = if_not_exists(s, :zero)",
                then: Ok(set(&[("x", s("abc"))])),
            },
            U {
                name: "if_not_exists nested",
                expr: "SET m.x = if_not_exists(m.x, :one)",
                then: Ok(set(&[(
                    "m",
                    m(&[("a", n("1")), ("b", cd()), ("x", n("1"))]),
                )])),
            },
            U {
                name: "counter idiom",
                expr: "SET x = if_not_exists(x, :zero) + :one",
                then: Ok(set(&[("x", n("1"))])),
            },
            U {
                name: "list_append at the end",
                expr: "SET l = list_append(l, :l34)",
                then: Ok(set(&[("l", l(vec![n("1"), n("2"), n("3"), n("4")]))])),
            },
            U {
                name: "list_append at the front",
                expr: "SET l = list_append(:l0, l)",
                then: Ok(set(&[("l", l(vec![n("0"), n("1"), n("2")]))])),
            },
            U {
                name: "list_append of two values",
                expr: "SET x = list_append(:l0, :l34)",
                then: Ok(set(&[("x", l(vec![n("0"), n("3"), n("4")]))])),
            },
            U {
                name: "list_append an empty list",
                expr: "SET l = list_append(l, :nil)",
                then: Ok(base()),
            },
            U {
                name: "list_append with if_not_exists",
                expr: "SET x = list_append(if_not_exists(x, :nil), :l34)",
                then: Ok(set(&[("x", l(vec![n("3"), n("4")]))])),
            },
            U {
                name: "SET nested member",
                expr: "SET m.a = :six",
                then: Ok(set(&[("m", map_a_b(n("6"), cd()))])),
            },
            U {
                name: "SET new nested member",
                expr: "SET m.x = :v",
                then: Ok(set(&[(
                    "m",
                    m(&[("a", n("1")), ("b", cd()), ("x", s("new"))]),
                )])),
            },
            U {
                name: "SET deeper nested member",
                expr: "SET m.b.e = :v",
                then: Ok(set(&[(
                    "m",
                    map_a_b(n("1"), m(&[("c", s("d")), ("e", s("new"))])),
                )])),
            },
            U {
                name: "SET list element",
                expr: "SET l[0] = :v",
                then: Ok(set(&[("l", l(vec![s("new"), n("2")]))])),
            },
            U {
                name: "SET list element past the end appends",
                expr: "SET l[5] = :v",
                then: Ok(set(&[("l", l(vec![n("1"), n("2"), s("new")]))])),
            },
            U {
                name: "SET two list elements",
                expr: "SET l[1] = :v, l[5] = :w",
                then: Ok(set(&[("l", l(vec![n("1"), s("new"), s("w")]))])),
            },
            U {
                name: "SET #name",
                expr: "SET #s = :v",
                then: Ok(set(&[("s", s("new"))])),
            },
            U {
                name: "SET #name.#name",
                expr: "SET #m.#b = :v",
                then: Ok(set(&[("m", map_a_b(n("1"), s("new")))])),
            },
            U {
                name: "SET #name for a reserved word",
                expr: "SET #st = :v",
                then: Ok(set(&[("status", s("new"))])),
            },
            U {
                name: "SET a name with a dot",
                expr: "SET #dot = :v",
                then: Ok(set(&[("a.b", s("new"))])),
            },
            U {
                name: "SET several",
                expr: "SET x = :v, y = :w",
                then: Ok(set(&[("x", s("new")), ("y", s("w"))])),
            },
            U {
                name: "SET swaps with old values",
                expr: "SET x = s, s = x2, x2 = :v",
                then: Err(verr(MISSING_OPERAND)),
            },
            U {
                name: "SET reads the old item",
                expr: "SET s = n, n = s",
                then: Ok(set(&[("s", n("5")), ("n", s("abc"))])),
            },
            U {
                name: "lowercase set",
                expr: "set x = :v",
                then: Ok(set(&[("x", s("new"))])),
            },
            U {
                name: "SET a set value",
                expr: "SET x = :ss_cd",
                then: Ok(set(&[("x", ss(&["c", "d"]))])),
            },
            U {
                name: "SET a map value",
                expr: "SET x = :mnew",
                then: Ok(set(&[("x", m(&[("q", n("1"))]))])),
            },
            U {
                name: "SET an empty string",
                expr: "SET s = :empty",
                then: Ok(set(&[("s", s(""))])),
            },
            U {
                name: "SET NULL",
                expr: "SET s = :null",
                then: Ok(set(&[("s", NULL)])),
            },
        ],
    );
}

#[test]
fn remove_add_delete() {
    let cd = || m(&[("c", s("d"))]);
    run(
        "update/remove-add-delete",
        vec![
            U {
                name: "REMOVE an attribute",
                expr: "REMOVE s",
                then: Ok(without(&base(), &["s"])),
            },
            U {
                name: "REMOVE two attributes",
                expr: "REMOVE s, n",
                then: Ok(without(&base(), &["s", "n"])),
            },
            U {
                name: "REMOVE a missing attribute",
                expr: "REMOVE nope",
                then: Ok(base()),
            },
            U {
                name: "REMOVE a nested member",
                expr: "REMOVE m.a",
                then: Ok(set(&[("m", m(&[("b", cd())]))])),
            },
            U {
                name: "REMOVE a deeper member",
                expr: "REMOVE m.b.c",
                then: Ok(set(&[("m", map_a_b(n("1"), m(&[])))])),
            },
            U {
                name: "REMOVE a missing nested member",
                expr: "REMOVE m.nope",
                then: Ok(base()),
            },
            U {
                name: "REMOVE a list element",
                expr: "REMOVE l[0]",
                then: Ok(set(&[("l", l(vec![n("2")]))])),
            },
            U {
                name: "REMOVE two list elements",
                expr: "REMOVE l[0], l[1]",
                then: Ok(set(&[("l", l(vec![]))])),
            },
            U {
                name: "REMOVE past the end of a list",
                expr: "REMOVE l[5]",
                then: Ok(base()),
            },
            U {
                name: "REMOVE under a missing map",
                expr: "REMOVE nope.x",
                then: Err(verr(INVALID_PATH)),
            },
            U {
                name: "REMOVE #name",
                expr: "REMOVE #s",
                then: Ok(without(&base(), &["s"])),
            },
            U {
                name: "ADD to a number",
                expr: "ADD n :one",
                then: Ok(set(&[("n", n("6"))])),
            },
            U {
                name: "ADD a negative number",
                expr: "ADD n :neg",
                then: Ok(set(&[("n", n("4.5"))])),
            },
            U {
                name: "ADD to an absent number",
                expr: "ADD x :one",
                then: Ok(set(&[("x", n("1"))])),
            },
            U {
                name: "ADD to a nested number",
                expr: "ADD m.a :one",
                then: Ok(set(&[("m", map_a_b(n("2"), cd()))])),
            },
            U {
                name: "ADD to a string set",
                expr: "ADD ss :ss_cd",
                then: Ok(set(&[("ss", ss(&["a", "b", "c", "d"]))])),
            },
            U {
                name: "ADD a present member",
                expr: "ADD ss :ss_a",
                then: Ok(base()),
            },
            U {
                name: "ADD to a number set",
                expr: "ADD ns :ns3",
                then: Ok(set(&[("ns", ns(&["1", "2", "3"]))])),
            },
            U {
                name: "ADD to a binary set",
                expr: "ADD bs :bs3",
                then: Ok(set(&[("bs", bs(&[&[1], &[2], &[3]]))])),
            },
            U {
                name: "ADD an absent set",
                expr: "ADD x :ss_cd",
                then: Ok(set(&[("x", ss(&["c", "d"]))])),
            },
            U {
                name: "ADD two",
                expr: "ADD n :one, x :ns3",
                then: Ok(set(&[("n", n("6")), ("x", ns(&["3"]))])),
            },
            U {
                name: "DELETE from a string set",
                expr: "DELETE ss :ss_a",
                then: Ok(set(&[("ss", ss(&["b"]))])),
            },
            U {
                name: "DELETE from a number set",
                expr: "DELETE ns :ns1",
                then: Ok(set(&[("ns", ns(&["2"]))])),
            },
            U {
                name: "DELETE from a binary set",
                expr: "DELETE bs :bs1",
                then: Ok(set(&[("bs", bs(&[&[2]]))])),
            },
            U {
                name: "DELETE every member removes the set",
                expr: "DELETE ss :ss_ab",
                then: Ok(without(&base(), &["ss"])),
            },
            U {
                name: "DELETE an absent member",
                expr: "DELETE ss :ss_x",
                then: Ok(base()),
            },
            U {
                name: "DELETE from an absent set",
                expr: "DELETE nope :ss_a",
                then: Ok(base()),
            },
            U {
                name: "all four clauses",
                expr: "SET x = :v REMOVE s ADD n :one DELETE ss :ss_a",
                then: Ok(without(
                    &set(&[("x", s("new")), ("n", n("6")), ("ss", ss(&["b"]))]),
                    &["s"],
                )),
            },
            U {
                name: "clauses in any order",
                expr: "DELETE ss :ss_a ADD n :one REMOVE s SET x = :v",
                then: Ok(without(
                    &set(&[("x", s("new")), ("n", n("6")), ("ss", ss(&["b"]))]),
                    &["s"],
                )),
            },
            U {
                name: "lowercase clauses",
                expr: "remove s add n :one",
                then: Ok(without(&set(&[("n", n("6"))]), &["s"])),
            },
        ],
    );
}

#[test]
fn return_values_and_conditions() {
    let rv = |r: ReturnValues, expr: &str| upd(key(), expr).rv(r);
    let case = |name, req: W, expect: Result<Option<Item>, Fail>, after: Option<Item>| WriteCase {
        name,
        setup: vec![base()],
        req,
        expect,
        after: after.map(|item| vec![item]),
    };
    let six = || set(&[("n", n("6"))]);
    run_writes(
        "update/return-values",
        vec![
            case(
                "NONE",
                rv(ReturnValues::None, "SET n = :six"),
                Ok(None),
                Some(six()),
            ),
            case(
                "ALL_OLD",
                rv(ReturnValues::AllOld, "SET n = :six"),
                Ok(Some(base())),
                Some(six()),
            ),
            case(
                "ALL_NEW",
                rv(ReturnValues::AllNew, "SET n = :six"),
                Ok(Some(six())),
                Some(six()),
            ),
            case(
                "UPDATED_OLD",
                rv(ReturnValues::UpdatedOld, "SET n = :six"),
                Ok(Some(it(&[("n", n("5"))]))),
                Some(six()),
            ),
            case(
                "UPDATED_NEW",
                rv(ReturnValues::UpdatedNew, "SET n = :six"),
                Ok(Some(it(&[("n", n("6"))]))),
                Some(six()),
            ),
            case(
                "UPDATED_OLD of a new attribute is nothing",
                rv(ReturnValues::UpdatedOld, "SET x = :v"),
                Ok(None),
                Some(set(&[("x", s("new"))])),
            ),
            case(
                "UPDATED_NEW of a new attribute",
                rv(ReturnValues::UpdatedNew, "SET x = :v"),
                Ok(Some(it(&[("x", s("new"))]))),
                Some(set(&[("x", s("new"))])),
            ),
            case(
                "UPDATED_OLD of a nested member",
                rv(ReturnValues::UpdatedOld, "SET m.a = :six"),
                Ok(Some(it(&[("m", m(&[("a", n("1"))]))]))),
                Some(set(&[("m", map_a_b(n("6"), m(&[("c", s("d"))])))])),
            ),
            case(
                "UPDATED_NEW of a nested member",
                rv(ReturnValues::UpdatedNew, "SET m.a = :six"),
                Ok(Some(it(&[("m", m(&[("a", n("6"))]))]))),
                Some(set(&[("m", map_a_b(n("6"), m(&[("c", s("d"))])))])),
            ),
            case(
                "UPDATED_NEW of a list element",
                rv(ReturnValues::UpdatedNew, "SET l[0] = :v"),
                Ok(Some(it(&[("l", l(vec![s("new")]))]))),
                Some(set(&[("l", l(vec![s("new"), n("2")]))])),
            ),
            case(
                "UPDATED_OLD of REMOVE",
                rv(ReturnValues::UpdatedOld, "REMOVE s"),
                Ok(Some(it(&[("s", s("abc"))]))),
                Some(without(&base(), &["s"])),
            ),
            case(
                "UPDATED_NEW of REMOVE is nothing",
                rv(ReturnValues::UpdatedNew, "REMOVE s"),
                Ok(None),
                Some(without(&base(), &["s"])),
            ),
            case(
                "UPDATED_NEW of ADD",
                rv(ReturnValues::UpdatedNew, "ADD n :one, ss :ss_c"),
                Ok(Some(it(&[("n", n("6")), ("ss", ss(&["a", "b", "c"]))]))),
                Some(set(&[("n", n("6")), ("ss", ss(&["a", "b", "c"]))])),
            ),
            case(
                "UPDATED_NEW of several clauses",
                rv(ReturnValues::UpdatedNew, "SET x = :v REMOVE s ADD n :one"),
                Ok(Some(it(&[("n", n("6")), ("x", s("new"))]))),
                Some(without(&set(&[("x", s("new")), ("n", n("6"))]), &["s"])),
            ),
            case(
                "condition holds",
                upd(key(), "SET n = :six").cond("n = :five"),
                Ok(None),
                Some(six()),
            ),
            case(
                "condition fails",
                upd(key(), "SET n = :six").cond("n = :four"),
                Err(ccf()),
                None,
            ),
            case(
                "condition fails, ALL_OLD on failure",
                upd(key(), "SET n = :six").cond("n = :four").old_on_fail(),
                Err(ccf_with(base())),
                None,
            ),
            case(
                "condition fails, ReturnValues does not return",
                upd(key(), "SET n = :six")
                    .cond("n = :four")
                    .rv(ReturnValues::AllNew),
                Err(ccf()),
                None,
            ),
            case(
                "condition on the value the update changes",
                upd(key(), "SET n = n + :one")
                    .cond("n < :six")
                    .rv(ReturnValues::UpdatedNew),
                Ok(Some(it(&[("n", n("6"))]))),
                Some(six()),
            ),
            case(
                "condition attribute_not_exists on an existing item",
                upd(key(), "SET n = :six").cond("attribute_not_exists(pk)"),
                Err(ccf()),
                None,
            ),
            case(
                "no update expression on an existing item",
                upd_bare(key()).rv(ReturnValues::AllNew),
                Ok(Some(base())),
                Some(base()),
            ),
            case(
                "condition and names shared with the update",
                upd(key(), "SET #n = :six").cond("#n = :five"),
                Ok(None),
                Some(six()),
            ),
        ],
    );
}

#[test]
fn missing_items_and_keys() {
    let key_message = |name: &str| {
        Err(verr(format!(
            "One or more parameter values were invalid: Cannot update attribute {name}. This \
             attribute is part of the key"
        )))
    };
    let absent = |name, req: W, expect, after: Option<Vec<Item>>| WriteCase {
        name,
        setup: vec![],
        req,
        expect,
        after,
    };
    let existing = |name, req: W, expect| WriteCase {
        name,
        setup: vec![base()],
        req,
        expect,
        after: None,
    };
    run_writes(
        "update/items-and-keys",
        vec![
            absent(
                "SET creates a missing item",
                upd(key(), "SET x = :v"),
                Ok(None),
                Some(vec![it(&[("pk", s("k")), ("x", s("new"))])]),
            ),
            absent(
                "ADD creates a missing item",
                upd(key(), "ADD n :one"),
                Ok(None),
                Some(vec![it(&[("pk", s("k")), ("n", n("1"))])]),
            ),
            absent(
                "ADD a set creates a missing item",
                upd(key(), "ADD ss :ss_a"),
                Ok(None),
                Some(vec![it(&[("pk", s("k")), ("ss", ss(&["a"]))])]),
            ),
            absent(
                "no expression creates the key only",
                upd_bare(key()),
                Ok(None),
                Some(vec![key()]),
            ),
            absent(
                "ALL_NEW of a created item",
                upd(key(), "SET x = :v").rv(ReturnValues::AllNew),
                Ok(Some(it(&[("pk", s("k")), ("x", s("new"))]))),
                Some(vec![it(&[("pk", s("k")), ("x", s("new"))])]),
            ),
            absent(
                "ALL_OLD of a created item is nothing",
                upd(key(), "SET x = :v").rv(ReturnValues::AllOld),
                Ok(None),
                Some(vec![it(&[("pk", s("k")), ("x", s("new"))])]),
            ),
            absent(
                "creating in a table with a sort key",
                upd(rk("k", "1"), "SET x = :v").on("range"),
                Ok(None),
                Some(vec![with(&rk("k", "1"), &[("x", s("new"))])]),
            ),
            absent(
                "attribute_not_exists lets a create through",
                upd(key(), "SET x = :v").cond("attribute_not_exists(pk)"),
                Ok(None),
                Some(vec![it(&[("pk", s("k")), ("x", s("new"))])]),
            ),
            absent(
                "attribute_exists stops a create",
                upd(key(), "SET x = :v").cond("attribute_exists(pk)"),
                Err(ccf()),
                None,
            ),
            absent(
                "ALL_OLD on failure with no item returns nothing",
                upd(key(), "SET x = :v")
                    .cond("attribute_exists(pk)")
                    .old_on_fail(),
                Err(ccf()),
                None,
            ),
            existing(
                "SET the partition key",
                upd(key(), "SET pk = :v"),
                key_message("pk"),
            ),
            existing(
                "REMOVE the partition key",
                upd(key(), "REMOVE pk"),
                key_message("pk"),
            ),
            existing(
                "ADD to the partition key",
                upd(key(), "ADD pk :one"),
                key_message("pk"),
            ),
            existing(
                "SET a member of the key",
                upd(key(), "SET pk.x = :v"),
                key_message("pk"),
            ),
            existing(
                "SET the key through #name",
                upd(key(), "SET #pk = :v"),
                key_message("pk"),
            ),
            WriteCase {
                name: "SET the sort key",
                setup: vec![rk("k", "1")],
                req: upd(rk("k", "1"), "SET x = :v, sk = :two").on("range"),
                expect: key_message("sk"),
                after: None,
            },
            existing(
                "key missing",
                upd(it(&[("other", s("k"))]), "SET x = :v"),
                Err(verr("The provided key element does not match the schema")),
            ),
            existing(
                "key with an extra attribute",
                upd(with(&key(), &[("x", s("y"))]), "SET x = :v"),
                Err(verr("The provided key element does not match the schema")),
            ),
            existing(
                "key of the wrong type",
                upd(it(&[("pk", n("1"))]), "SET x = :v"),
                Err(verr("The provided key element does not match the schema")),
            ),
            WriteCase {
                name: "key without its sort key",
                setup: vec![rk("k", "1")],
                req: upd(hk("k"), "SET x = :v").on("range"),
                expect: Err(verr("The provided key element does not match the schema")),
                after: None,
            },
            existing(
                "missing table",
                upd(key(), "SET x = :v").on("nope"),
                Err(no_table("nope")),
            ),
            existing(
                "values without any expression (UpdateItem)",
                upd_bare(key()).vals(&[(":a", n("1"))]),
                Err(verr(
                    "ExpressionAttributeValues can only be specified when using expressions: \
                     UpdateExpression and ConditionExpression are null",
                )),
            ),
            existing(
                "unused value across update and condition",
                upd(key(), "SET x = :v").cond("n = :five").vals(&[
                    (":v", s("new")),
                    (":five", n("5")),
                    (":six", n("6")),
                ]),
                Err(verr(
                    "Value provided in ExpressionAttributeValues unused in expressions: keys: {:six}",
                )),
            ),
            WriteCase {
                name: "value used only by the condition counts as used",
                setup: vec![base()],
                req: upd(key(), "REMOVE s")
                    .cond("n = :five")
                    .vals(&[(":five", n("5"))]),
                expect: Ok(None),
                after: Some(vec![without(&base(), &["s"])]),
            },
        ],
    );
}
