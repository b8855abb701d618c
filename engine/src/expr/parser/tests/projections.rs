//! ProjectionExpression: paths in order, syntax errors and overlaps.

use super::*;

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
