//! ProjectionExpression on GetItem, Query and Scan: top-level and nested
//! paths, list indexes, names, and the errors of invalid projections.

use super::*;

fn item() -> Item {
    it(&[
        ("pk", s("k")),
        ("s", s("abc")),
        ("n", n("5")),
        (
            "l",
            l(vec![s("x"), n("1"), m(&[("y", s("z")), ("w", s("v"))])]),
        ),
        (
            "m",
            m(&[
                ("a", n("1")),
                ("b", m(&[("c", s("d")), ("e", s("f"))])),
                ("l", l(vec![n("7"), n("8")])),
            ]),
        ),
        ("status", s("on")),
    ])
}

fn projected(projection: &str) -> GetItemRequest {
    GetItemRequest {
        projection_expression: Some(projection.to_owned()),
        ..get(hk("k"))
    }
}

fn invalid(message: &str) -> Result<Option<Item>, Fail> {
    Err(verr(format!("Invalid ProjectionExpression: {message}")))
}

#[test]
fn get_item_projections() {
    let case = |name, projection: &str, expect| GetCase {
        name,
        setup: vec![item()],
        req: projected(projection),
        expect,
    };
    let found = |entries: &[(&str, AttributeValue)]| Ok(Some(it(entries)));
    let overlap = |one: &str, two: &str| {
        invalid(&format!(
            "Two document paths overlap with each other; must remove or rewrite one of these \
             paths; path one: {one}, path two: {two}"
        ))
    };
    run_gets(
        "projection/get",
        vec![
            case("one attribute", "s", found(&[("s", s("abc"))])),
            case(
                "two attributes",
                "s, n",
                found(&[("s", s("abc")), ("n", n("5"))]),
            ),
            case("the key is not added", "n", found(&[("n", n("5"))])),
            case("the key when asked", "pk", found(&[("pk", s("k"))])),
            case(
                "a whole map",
                "m.b",
                found(&[("m", m(&[("b", m(&[("c", s("d")), ("e", s("f"))]))]))]),
            ),
            case(
                "a nested member",
                "m.b.c",
                found(&[("m", m(&[("b", m(&[("c", s("d"))]))]))]),
            ),
            case(
                "two nested members merge",
                "m.b.c, m.a",
                found(&[("m", m(&[("a", n("1")), ("b", m(&[("c", s("d"))]))]))]),
            ),
            case("a list element", "l[0]", found(&[("l", l(vec![s("x")]))])),
            case(
                "a member of a list element",
                "l[2].y",
                found(&[("l", l(vec![m(&[("y", s("z"))])]))]),
            ),
            case(
                "two list elements, in list order",
                "l[2], l[0]",
                found(&[("l", l(vec![s("x"), m(&[("y", s("z")), ("w", s("v"))])]))]),
            ),
            case(
                "a list element in a map",
                "m.l[1]",
                found(&[("m", m(&[("l", l(vec![n("8")]))]))]),
            ),
            case(
                "a missing attribute is left out",
                "s, nope",
                found(&[("s", s("abc"))]),
            ),
            case(
                "an index past the end is left out",
                "l[9], s",
                found(&[("s", s("abc"))]),
            ),
            case(
                "a member of a non-map is left out",
                "s.x, n",
                found(&[("n", n("5"))]),
            ),
            case("#name", "#s", found(&[("s", s("abc"))])),
            case(
                "#name for a reserved word",
                "#st",
                found(&[("status", s("on"))]),
            ),
            case(
                "#name path",
                "#m.#b.c",
                found(&[("m", m(&[("b", m(&[("c", s("d"))]))]))]),
            ),
            case(
                "spaces around names",
                "  s ,  n  ",
                found(&[("s", s("abc")), ("n", n("5"))]),
            ),
            case(
                "reserved word used bare",
                "status",
                invalid("Attribute name is a reserved keyword; reserved keyword: status"),
            ),
            case("one path twice", "s, s", overlap("[s]", "[s]")),
            case("a map and its member", "m, m.a", overlap("[m]", "[m, a]")),
            case("a member and its map", "m.a, m", overlap("[m, a]", "[m]")),
            case(
                "a list element twice",
                "l[0], l[0]",
                overlap("[l, [0]]", "[l, [0]]"),
            ),
            case(
                "list index and map member",
                "l[0], l.a",
                invalid(
                    "Two document paths conflict with each other; must remove or rewrite one of \
                     these paths; path one: [l, [0]], path two: [l, a]",
                ),
            ),
            case("empty", "", invalid("The expression can not be empty;")),
            case(
                "undefined name",
                "#nope",
                invalid(
                    "An expression attribute name used in the document path is not defined; \
                     attribute name: #nope",
                ),
            ),
            case(
                // unverified: the near window
                "double comma",
                "s,, n",
                invalid(r#"Syntax error; token: ",", near: ",, n""#),
            ),
            case(
                // unverified: the near window
                "a function",
                "size(s)",
                invalid(r#"Syntax error; token: "(", near: "size(s""#),
            ),
            case(
                // unverified: the near window
                "a value placeholder",
                "s, :v",
                invalid(r#"Syntax error; token: ":v", near: ", :v""#),
            ),
            GetCase {
                name: "unused name",
                setup: vec![item()],
                req: GetItemRequest {
                    expression_attribute_names: Some(names(&[("#s", "s"), ("#x", "x")])),
                    ..projected("#s")
                },
                expect: Err(verr(
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
                )),
            },
            GetCase {
                name: "empty names",
                setup: vec![item()],
                req: GetItemRequest {
                    expression_attribute_names: Some(names(&[])),
                    ..projected("s")
                },
                expect: Err(verr("ExpressionAttributeNames must not be empty")),
            },
            GetCase {
                name: "absent item",
                setup: vec![],
                req: projected("s"),
                expect: Ok(None),
            },
        ],
    );
}

#[test]
fn query_projections() {
    let rows = || {
        vec![
            it(&[
                ("pk", s("p")),
                ("sk", n("1")),
                ("v", n("10")),
                ("m", m(&[("a", n("1")), ("b", n("2"))])),
            ]),
            it(&[
                ("pk", s("p")),
                ("sk", n("2")),
                ("v", n("20")),
                ("m", m(&[("a", n("3"))])),
            ]),
        ]
    };
    run_queries(
        "projection/query",
        vec![
            QueryCase {
                name: "query projects each item",
                setup: rows(),
                req: QueryRequest {
                    projection_expression: Some("v".into()),
                    ..qry("pk = :p")
                },
                expect: Ok(page(vec![it(&[("v", n("10"))]), it(&[("v", n("20"))])])),
            },
            QueryCase {
                name: "query projects nested members",
                setup: rows(),
                req: QueryRequest {
                    projection_expression: Some("sk, m.b".into()),
                    ..qry("pk = :p")
                },
                expect: Ok(page(vec![
                    it(&[("sk", n("1")), ("m", m(&[("b", n("2"))]))]),
                    it(&[("sk", n("2"))]),
                ])),
            },
            QueryCase {
                name: "query SPECIFIC_ATTRIBUTES with a projection",
                setup: rows(),
                req: QueryRequest {
                    projection_expression: Some("#v".into()),
                    select: sel(Select::SpecificAttributes),
                    ..qry("pk = :p")
                },
                expect: Ok(page(vec![it(&[("v", n("10"))]), it(&[("v", n("20"))])])),
            },
            QueryCase {
                name: "query projection and filter on another attribute",
                setup: rows(),
                req: QueryRequest {
                    projection_expression: Some("sk".into()),
                    filter_expression: Some("v > :ten".into()),
                    ..qry("pk = :p")
                },
                expect: Ok(page_of(vec![it(&[("sk", n("2"))])], 2, None)),
            },
            QueryCase {
                name: "query projection overlap",
                setup: rows(),
                req: QueryRequest {
                    projection_expression: Some("m, m.a".into()),
                    ..qry("pk = :p")
                },
                expect: Err(verr(
                    "Invalid ProjectionExpression: Two document paths overlap with each other; \
                     must remove or rewrite one of these paths; path one: [m], path two: [m, a]",
                )),
            },
        ],
    );
}

#[test]
fn scan_projections() {
    let scan_rows = || {
        vec![
            it(&[
                ("pk", s("a")),
                ("l", l(vec![n("1"), n("2")])),
                ("x", s("y")),
            ]),
            it(&[("pk", s("b")), ("x", s("z"))]),
        ]
    };
    run_scans(
        "projection/scan",
        vec![
            ScanCase {
                name: "scan projects each item",
                setup: scan_rows(),
                req: ScanRequest {
                    projection_expression: Some("x".into()),
                    ..scn()
                },
                expect: Ok(page(vec![it(&[("x", s("y"))]), it(&[("x", s("z"))])])),
            },
            ScanCase {
                name: "scan projects list elements",
                setup: scan_rows(),
                req: ScanRequest {
                    projection_expression: Some("pk, l[1]".into()),
                    ..scn()
                },
                expect: Ok(page(vec![
                    it(&[("pk", s("a")), ("l", l(vec![n("2")]))]),
                    it(&[("pk", s("b"))]),
                ])),
            },
            ScanCase {
                name: "scan projection with a reserved word bare",
                setup: scan_rows(),
                req: ScanRequest {
                    projection_expression: Some("name".into()),
                    ..scn()
                },
                expect: Err(verr(
                    "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved \
                     keyword: name",
                )),
            },
        ],
    );
}
