//! ConditionExpression and FilterExpression: trees, precedence, syntax and
//! semantic errors, and the limits on length, operators, `IN` and path depth.

use super::*;

#[test]
fn conditions_build_the_expected_trees() {
    use Comparator::*;
    let cases: Vec<(&str, Condition)> = vec![
        (
            "a = :n",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a <> :n",
            compare(operand_path("a"), Ne, Operand::Value(n("1"))),
        ),
        (
            "a < :n",
            compare(operand_path("a"), Lt, Operand::Value(n("1"))),
        ),
        (
            "a <= :s",
            compare(operand_path("a"), Le, Operand::Value(s("text"))),
        ),
        (
            "a > :b",
            compare(
                operand_path("a"),
                Gt,
                Operand::Value(AttributeValue::B(vec![1])),
            ),
        ),
        ("a >= b", compare(operand_path("a"), Ge, operand_path("b"))),
        (
            ":n = :n2",
            compare(Operand::Value(n("1")), Eq, Operand::Value(n("2"))),
        ),
        (
            "#n = :s",
            compare(operand_path("name"), Eq, Operand::Value(s("text"))),
        ),
        (
            "#dotted = :s",
            compare(
                Operand::Path(Path::attribute("a.b")),
                Eq,
                Operand::Value(s("text")),
            ),
        ),
        (
            "a.b[2].c = :n",
            compare(operand_path("a.b[2].c"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a[0][1] = :n",
            compare(operand_path("a[0][1]"), Eq, Operand::Value(n("1"))),
        ),
        (
            "#a.#b = :n",
            compare(operand_path("a.b"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a = :t",
            compare(
                operand_path("a"),
                Eq,
                Operand::Value(AttributeValue::Bool(true)),
            ),
        ),
        (
            "a <> :m",
            compare(
                operand_path("a"),
                Ne,
                Operand::Value(AttributeValue::M(BTreeMap::new())),
            ),
        ),
        (
            "size(a) > :n",
            compare(
                Operand::Size(Box::new(operand_path("a"))),
                Gt,
                Operand::Value(n("1")),
            ),
        ),
        (
            ":n < size(a.b)",
            compare(
                Operand::Value(n("1")),
                Lt,
                Operand::Size(Box::new(operand_path("a.b"))),
            ),
        ),
        (
            "(a) = :n",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a = (:n)",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "(a = :n)",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "((a) = :n)",
            compare(operand_path("a"), Eq, Operand::Value(n("1"))),
        ),
        (
            "a BETWEEN :n AND :n2",
            Condition::Between {
                value: operand_path("a"),
                low: Operand::Value(n("1")),
                high: Operand::Value(n("2")),
            },
        ),
        (
            "a between b and c",
            Condition::Between {
                value: operand_path("a"),
                low: operand_path("b"),
                high: operand_path("c"),
            },
        ),
        (
            "a IN (:n, :n2, b)",
            Condition::In {
                value: operand_path("a"),
                candidates: vec![
                    Operand::Value(n("1")),
                    Operand::Value(n("2")),
                    operand_path("b"),
                ],
            },
        ),
        (
            "a in (:s)",
            Condition::In {
                value: operand_path("a"),
                candidates: vec![Operand::Value(s("text"))],
            },
        ),
        (
            "attribute_exists(a.b)",
            Condition::AttributeExists(path("a.b")),
        ),
        (
            "attribute_not_exists(#n)",
            Condition::AttributeNotExists(path("name")),
        ),
        (
            "attribute_type(a, :typeN)",
            Condition::AttributeType {
                path: path("a"),
                type_name: "N".to_string(),
            },
        ),
        (
            "begins_with(a, :s)",
            Condition::BeginsWith {
                value: operand_path("a"),
                prefix: Operand::Value(s("text")),
            },
        ),
        (
            "begins_with(:s, a)",
            Condition::BeginsWith {
                value: Operand::Value(s("text")),
                prefix: operand_path("a"),
            },
        ),
        (
            "contains(a, :n)",
            Condition::Contains {
                haystack: operand_path("a"),
                needle: Operand::Value(n("1")),
            },
        ),
        (
            "contains(a, b)",
            Condition::Contains {
                haystack: operand_path("a"),
                needle: operand_path("b"),
            },
        ),
        (
            "(begins_with(a, :s))",
            Condition::BeginsWith {
                value: operand_path("a"),
                prefix: Operand::Value(s("text")),
            },
        ),
        (
            "NOT attribute_exists(a)",
            Condition::Not(Box::new(Condition::AttributeExists(path("a")))),
        ),
        (
            "not not a = :n",
            Condition::Not(Box::new(Condition::Not(Box::new(compare(
                operand_path("a"),
                Eq,
                Operand::Value(n("1")),
            ))))),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            condition(text).unwrap_or_else(|e| panic!("{text}: {e}")),
            expected,
            "{text}"
        );
    }
}

#[test]
fn condition_precedence_is_or_then_and_then_not() {
    let a = || compare(operand_path("a"), Comparator::Eq, Operand::Value(n("1")));
    let b = || compare(operand_path("b"), Comparator::Eq, Operand::Value(n("1")));
    let c = || compare(operand_path("c"), Comparator::Eq, Operand::Value(n("1")));
    let and = |x, y| Condition::And(Box::new(x), Box::new(y));
    let or = |x, y| Condition::Or(Box::new(x), Box::new(y));
    let not = |x| Condition::Not(Box::new(x));
    let cases: Vec<(&str, Condition)> = vec![
        ("a = :n OR b = :n AND c = :n", or(a(), and(b(), c()))),
        ("a = :n AND b = :n OR c = :n", or(and(a(), b()), c())),
        ("(a = :n OR b = :n) AND c = :n", and(or(a(), b()), c())),
        ("a = :n AND b = :n AND c = :n", and(and(a(), b()), c())),
        ("a = :n OR b = :n OR c = :n", or(or(a(), b()), c())),
        ("NOT a = :n AND b = :n", and(not(a()), b())),
        ("NOT (a = :n AND b = :n)", not(and(a(), b()))),
        (
            "a = :n AND NOT b = :n OR c = :n",
            or(and(a(), not(b())), c()),
        ),
        (
            "a BETWEEN :n AND :n2 AND b = :n",
            and(
                Condition::Between {
                    value: operand_path("a"),
                    low: Operand::Value(n("1")),
                    high: Operand::Value(n("2")),
                },
                b(),
            ),
        ),
        (
            "attribute_exists(a) AND b = :n OR NOT contains(c, :n)",
            or(
                and(Condition::AttributeExists(path("a")), b()),
                not(Condition::Contains {
                    haystack: operand_path("c"),
                    needle: Operand::Value(n("1")),
                }),
            ),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            condition(text).unwrap_or_else(|e| panic!("{text}: {e}")),
            expected,
            "{text}"
        );
    }
}

#[test]
fn keywords_and_whitespace_are_flexible() {
    let expected = condition("a = :n AND b = :n").unwrap();
    for text in [
        "a=:n and b=:n",
        "  a\t=\n:n\r\nAnD   b =:n  ",
        "(a = :n) AND (b = :n)",
    ] {
        assert_eq!(condition(text).unwrap(), expected, "{text}");
    }
}

#[test]
fn condition_syntax_errors_name_the_token_and_its_neighbours() {
    assert_errors(
        condition,
        &[
            (
                "foo",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo""#,
            ),
            (
                "a = = b",
                r#"Invalid ConditionExpression: Syntax error; token: "=", near: "= = b""#,
            ),
            (
                "attribute_not_exists(",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "(""#,
            ),
            (
                "contains (themes, :s",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":s""#,
            ),
            (
                "a = :n AND",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND""#,
            ),
            (
                "a ! b",
                r#"Invalid ConditionExpression: Syntax error; token: "!", near: "a ! b""#,
            ),
            (
                "_a = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "_", near: "_a""#,
            ),
            (
                "a = :n)",
                r#"Invalid ConditionExpression: Syntax error; token: ")", near: ":n)""#,
            ),
            (
                "(a = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":n""#,
            ),
            (
                "a[01] = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "1", near: "01]""#,
            ),
            (
                "a[x] = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "x", near: "[x]""#,
            ),
            (
                "a. = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "=", near: ". = :n""#,
            ),
            (
                "a.:n = :n",
                r#"Invalid ConditionExpression: Syntax error; token: ":n", near: ".:n =""#,
            ),
            (
                "a IN ()",
                r#"Invalid ConditionExpression: Syntax error; token: ")", near: "()""#,
            ),
            (
                "a IN :n",
                r#"Invalid ConditionExpression: Syntax error; token: ":n", near: "IN :n""#,
            ),
            (
                "a BETWEEN :n",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":n""#,
            ),
            (
                "a BETWEEN :n OR :n2",
                r#"Invalid ConditionExpression: Syntax error; token: "OR", near: ":n OR :n2""#,
            ),
            (
                "a",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a""#,
            ),
            (
                "(a)",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ")""#,
            ),
            (
                "NOT (a)",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ")""#,
            ),
            (
                "(a AND b = :n)",
                r#"Invalid ConditionExpression: Syntax error; token: "AND", near: "a AND b""#,
            ),
            (
                "a = :n b = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "b", near: ":n b =""#,
            ),
            (
                "a = b = c",
                r#"Invalid ConditionExpression: Syntax error; token: "=", near: "b = c""#,
            ),
            (
                "size() > :n",
                r#"Invalid ConditionExpression: Syntax error; token: ")", near: "() >""#,
            ),
            (
                "#",
                r##"Invalid ConditionExpression: Syntax error; token: "#", near: "#""##,
            ),
            (
                ": = a",
                r#"Invalid ConditionExpression: Syntax error; token: ":", near: ": =""#,
            ),
            (
                "a = :n + :n",
                r#"Invalid ConditionExpression: Syntax error; token: "+", near: ":n + :n""#,
            ),
            (
                "SET = :n",
                r#"Invalid ConditionExpression: Syntax error; token: "SET", near: "SET =""#,
            ),
            (
                "a = :n,",
                r#"Invalid ConditionExpression: Syntax error; token: ",", near: ":n,""#,
            ),
            (
                "   ",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "   ""#,
            ),
            (
                "(size(a))[0] > a",
                r#"Invalid ConditionExpression: Syntax error; token: "[", near: ")[0""#,
            ),
        ],
    );
}

#[test]
fn filter_expressions_are_named_in_their_messages() {
    let names = fixture_names();
    let values = fixture_values();
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    assert_eq!(
        message(context.parse_condition(ExpressionKind::Filter, "a =")),
        r#"Invalid FilterExpression: Syntax error; token: "<EOF>", near: "=""#
    );
    assert_eq!(
        message(context.parse_condition(ExpressionKind::Filter, "")),
        "Invalid FilterExpression: The expression can not be empty;"
    );
}

#[test]
fn redundant_parentheses_are_refused() {
    const REDUNDANT: &str =
        "Invalid ConditionExpression: The expression has redundant parentheses;";
    for text in [
        "((a = :n))",
        "((a)) = :n",
        "a = ((:n))",
        "((begins_with(a, :s)))",
        "(a = :n) AND ((b = :n))",
        "NOT ((a = :n))",
        "size(((a))) = :n",
        "((a = :n) OR ((b = :n)))",
        "(((a = :n)) = (b",
    ] {
        assert_eq!(message(condition(text)), REDUNDANT, "{text}");
    }
    assert!(condition("((a = :n) OR (b = :n))").is_ok());
    assert!(condition("(NOT (a = :n))").is_ok());
}

#[test]
fn condition_semantic_errors_use_dynamodb_messages() {
    assert_errors(
        condition,
        &[
            (
                "name = :s",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            (
                "a.Comment = :s",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Comment",
            ),
            (
                "attribute_exists(Size)",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Size",
            ),
            (
                "#x = :s",
                "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            (
                "a = :x",
                "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "foo(a)",
                "Invalid ConditionExpression: Invalid function name; function: foo",
            ),
            (
                "a = Size(b)",
                "Invalid ConditionExpression: Invalid function name; function: Size",
            ),
            (
                "if_not_exists(a, :n) = :n",
                "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists",
            ),
            (
                "list_append(a, :l)",
                "Invalid ConditionExpression: The function is not allowed in a condition expression; function: list_append",
            ),
            (
                "size(a)",
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size",
            ),
            (
                "attribute_exists(a) = :t",
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists",
            ),
            (
                "size(contains(a, :s)) > :n",
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: contains",
            ),
            (
                "attribute_exists(a, b)",
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
            ),
            (
                "begins_with(a)",
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1",
            ),
            (
                "size(a, b) > :n",
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2",
            ),
            (
                "attribute_exists(:s)",
                "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists",
            ),
            (
                "attribute_not_exists(size(a))",
                "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_not_exists",
            ),
            (
                "attribute_type(:s, :typeN)",
                "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_type",
            ),
            (
                "attribute_type(a, :typeX)",
                "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
            ),
            (
                "attribute_type(a, :n)",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
            ),
            (
                "attribute_type(a, b)",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {SS,M,DECIMAL,DOUBLESET,HDS,N,B,DICT,INTSET,BOOL,HD,BS,INT,DECIMALSET,NULL,FLOAT,FS,S,L,NS,DOUBLE}",
            ),
            (
                "begins_with(a, :n)",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
            ),
            (
                "begins_with(:ss, a)",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS",
            ),
            (
                "size(:n) > :n",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N",
            ),
            (
                "size(size(a)) > :n",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N",
            ),
            (
                "a < :t",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL",
            ),
            (
                ":ss >= a",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >=, operand type: SS",
            ),
            (
                "a BETWEEN :null AND :n",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: NULL",
            ),
            (
                "a BETWEEN :n2 AND :n",
                "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}",
            ),
            (
                "a BETWEEN :s2 AND :s",
                "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:zz}, upper bound operand: AttributeValue: {S:text}",
            ),
            (
                "a BETWEEN :n AND :s",
                "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:text}",
            ),
            (
                "a BETWEEN :b2 AND :b",
                "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}, upper bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}",
            ),
            (
                "a = a",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]",
            ),
            (
                "#a.b[1] <> a.#b[1]",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a, b, [1]]",
            ),
            (
                "a BETWEEN :n AND a",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: BETWEEN, first operand: [a]",
            ),
            (
                "a IN (:n, a)",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: IN, first operand: [a]",
            ),
            (
                "begins_with(a, a)",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [a]",
            ),
            (
                "contains(#a, a)",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a]",
            ),
            (
                "a[2147483648] = :n",
                "Invalid ConditionExpression: List index is not within the allowable range; index: [2147483648]",
            ),
            (
                "a[99999999999999999999999999] = :n",
                "Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999999999999999999]",
            ),
        ],
    );
    assert_eq!(
        condition("a[2147483647] = :n").unwrap(),
        compare(
            Operand::Path(Path {
                elements: vec![
                    PathElement::Attribute("a".into()),
                    PathElement::Index(2147483647)
                ]
            }),
            Comparator::Eq,
            Operand::Value(n("1"))
        )
    );
    // Size against a path is not the path itself.
    assert!(condition("size(a) = a").is_ok());
}

#[test]
fn condition_errors_come_in_dynamodb_order() {
    assert_errors(
        condition,
        &[
            // Syntax before everything else.
            (
                "name = :x AND",
                r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND""#,
            ),
            // Redundant parentheses are found while reading.
            (
                "((name = :x))",
                "Invalid ConditionExpression: The expression has redundant parentheses;",
            ),
            // Words, in the order written, before placeholders.
            (
                "#x = :x AND name = :s",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            (
                "foo(a) AND name = :s",
                "Invalid ConditionExpression: Invalid function name; function: foo",
            ),
            (
                "name = :s AND foo(a)",
                "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            // Placeholders and types, in the order written.
            (
                "a < :t AND #x = :s",
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL",
            ),
            (
                "#x = :s AND a < :t",
                "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
        ],
    );
}

#[test]
fn in_takes_up_to_one_hundred_candidates() {
    let candidates = |count: usize| vec![":n"; count].join(", ");
    let at_limit = format!("a IN ({})", candidates(100));
    match condition(&at_limit).unwrap() {
        Condition::In { candidates, .. } => assert_eq!(candidates.len(), 100),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        message(condition(&format!("a IN ({})", candidates(101)))),
        "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"
    );
}

#[test]
fn document_paths_hold_up_to_32_levels() {
    let deep = |depth: usize| {
        let mut text = "a".to_string();
        for level in 1..depth {
            if level % 2 == 0 {
                text.push_str(".b");
            } else {
                text.push_str("[0]");
            }
        }
        text
    };
    let at_limit = condition(&format!("attribute_exists({})", deep(32))).unwrap();
    match at_limit {
        Condition::AttributeExists(path) => assert_eq!(path.elements.len(), 32),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        message(condition(&format!("attribute_exists({})", deep(33)))),
        "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    assert_eq!(
        message(projection(&deep(40))),
        "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 40"
    );
    assert_eq!(
        message(update(&format!("REMOVE {}", deep(33)))),
        "Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33"
    );
}

#[test]
fn expressions_are_limited_to_4_kb() {
    let padding = |length: usize| {
        let text = "a = :n";
        format!("{text}{}", " ".repeat(length - text.len()))
    };
    assert!(condition(&padding(4096)).is_ok());
    assert_eq!(
        message(condition(&padding(4097))),
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"
    );
    // Bytes, not characters.
    let wide = format!("a = :n AND b = :s OR c = :n{}", "é".repeat(2040));
    assert_eq!(
        message(condition(&wide)),
        format!(
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: {}",
            wide.len()
        )
    );
    assert_eq!(
        message(update(&"x".repeat(5000))),
        "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; expression size: 5000"
    );
}

#[test]
fn expressions_hold_up_to_300_operators() {
    let chain = |count: usize| vec!["a = :n"; count].join(" OR ");
    // n comparisons joined by ORs: 2n - 1 operators.
    assert!(condition(&chain(150)).is_ok());
    assert_eq!(
        message(condition(&chain(151))),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
    let sizes = |count: usize| format!("{}a{} = :n", "size(".repeat(count), ")".repeat(count));
    assert_eq!(
        message(condition(&sizes(300))),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
}

#[test]
fn empty_expressions_are_refused_for_every_kind() {
    assert_eq!(
        message(condition("")),
        "Invalid ConditionExpression: The expression can not be empty;"
    );
    assert_eq!(
        message(update("")),
        "Invalid UpdateExpression: The expression can not be empty;"
    );
    assert_eq!(
        message(projection("")),
        "Invalid ProjectionExpression: The expression can not be empty;"
    );
    assert_eq!(
        message(key_condition("")),
        "Invalid KeyConditionExpression: The expression can not be empty;"
    );
}
