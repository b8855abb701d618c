//! UpdateExpression: trees, errors in DynamoDB's order, and key attributes.

use super::*;

#[test]
fn updates_build_the_expected_trees() {
    let set = |target: &str, value: SetValue| SetAction {
        path: path(target),
        value,
    };
    let cases: Vec<(&str, UpdateExpression)> = vec![
        (
            "SET a = :n",
            UpdateExpression {
                set: vec![set("a", SetValue::Operand(SetOperand::Value(n("1"))))],
                ..Default::default()
            },
        ),
        (
            "set a.b[1] = b, #n = :s",
            UpdateExpression {
                set: vec![
                    set("a.b[1]", SetValue::Operand(SetOperand::Path(path("b")))),
                    set("name", SetValue::Operand(SetOperand::Value(s("text")))),
                ],
                ..Default::default()
            },
        ),
        (
            "SET a = a + :n, b = :n2 - b",
            UpdateExpression {
                set: vec![
                    set(
                        "a",
                        SetValue::Plus(SetOperand::Path(path("a")), SetOperand::Value(n("1"))),
                    ),
                    set(
                        "b",
                        SetValue::Minus(SetOperand::Value(n("2")), SetOperand::Path(path("b"))),
                    ),
                ],
                ..Default::default()
            },
        ),
        (
            "SET a = if_not_exists(a, :n) + :n",
            UpdateExpression {
                set: vec![set(
                    "a",
                    SetValue::Plus(
                        SetOperand::IfNotExists(path("a"), Box::new(SetOperand::Value(n("1")))),
                        SetOperand::Value(n("1")),
                    ),
                )],
                ..Default::default()
            },
        ),
        (
            "SET l = list_append(if_not_exists(l, :l), :l)",
            UpdateExpression {
                set: vec![set(
                    "l",
                    SetValue::Operand(SetOperand::ListAppend(
                        Box::new(SetOperand::IfNotExists(
                            path("l"),
                            Box::new(SetOperand::Value(AttributeValue::L(vec![n("1")]))),
                        )),
                        Box::new(SetOperand::Value(AttributeValue::L(vec![n("1")]))),
                    )),
                )],
                ..Default::default()
            },
        ),
        (
            "SET a = (:n)",
            UpdateExpression {
                set: vec![set("a", SetValue::Operand(SetOperand::Value(n("1"))))],
                ..Default::default()
            },
        ),
        (
            "REMOVE a, b.c[2], #dotted",
            UpdateExpression {
                remove: vec![path("a"), path("b.c[2]"), Path::attribute("a.b")],
                ..Default::default()
            },
        ),
        (
            "ADD visits :n, tags :ss DELETE colors :ns",
            UpdateExpression {
                add: vec![
                    SetOrNumberAction {
                        path: path("visits"),
                        value: n("1"),
                    },
                    SetOrNumberAction {
                        path: path("tags"),
                        value: AttributeValue::Ss(BTreeSet::from(["x".to_string()])),
                    },
                ],
                delete: vec![SetOrNumberAction {
                    path: path("colors"),
                    value: AttributeValue::Ns(BTreeSet::from([number("3")])),
                }],
                ..Default::default()
            },
        ),
        (
            "remove x SET y = :n add z :n delete w :bs",
            UpdateExpression {
                set: vec![set("y", SetValue::Operand(SetOperand::Value(n("1"))))],
                remove: vec![path("x")],
                add: vec![SetOrNumberAction {
                    path: path("z"),
                    value: n("1"),
                }],
                delete: vec![SetOrNumberAction {
                    path: path("w"),
                    value: AttributeValue::Bs(BTreeSet::from([vec![9]])),
                }],
            },
        ),
        (
            "SET a[0] = :n, a[1] = :n",
            UpdateExpression {
                set: vec![
                    set("a[0]", SetValue::Operand(SetOperand::Value(n("1")))),
                    set("a[1]", SetValue::Operand(SetOperand::Value(n("1")))),
                ],
                ..Default::default()
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            update(text).unwrap_or_else(|e| panic!("{text}: {e}")),
            expected,
            "{text}"
        );
    }
}

#[test]
fn update_errors_use_dynamodb_messages() {
    assert_errors(
        update,
        &[
            (
                "SET",
                r#"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET""#,
            ),
            (
                "SET a = :n,",
                r#"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ",""#,
            ),
            (
                "SET a :n",
                r#"Invalid UpdateExpression: Syntax error; token: ":n", near: "a :n""#,
            ),
            (
                "a = :n",
                r#"Invalid UpdateExpression: Syntax error; token: "a", near: "a =""#,
            ),
            (
                "SET a = :n + :n + :n",
                r#"Invalid UpdateExpression: Syntax error; token: "+", near: ":n + :n""#,
            ),
            (
                "SET a = b * :n",
                r#"Invalid UpdateExpression: Syntax error; token: "*", near: "b * :n""#,
            ),
            (
                "ADD a b",
                r#"Invalid UpdateExpression: Syntax error; token: "b", near: "a b""#,
            ),
            (
                "DELETE a",
                r#"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a""#,
            ),
            (
                "REMOVE a = :n",
                r#"Invalid UpdateExpression: Syntax error; token: "=", near: "a = :n""#,
            ),
            (
                "SET a = list_append(:l, :l + :l)",
                r#"Invalid UpdateExpression: Syntax error; token: "+", near: ":l + :l""#,
            ),
            (
                "SET a = :n REMOVE",
                r#"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "REMOVE""#,
            ),
            (
                "SET a = ((:n))",
                "Invalid UpdateExpression: The expression has redundant parentheses;",
            ),
            (
                "SET name = :s",
                "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            (
                "SET a = :s REMOVE b SET c = :s",
                r#"Invalid UpdateExpression: The "SET" section can only be used once in an update expression;"#,
            ),
            (
                "REMOVE a REMOVE b",
                r#"Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;"#,
            ),
            (
                "ADD a :n ADD b :n",
                r#"Invalid UpdateExpression: The "ADD" section can only be used once in an update expression;"#,
            ),
            (
                "DELETE a :ss DELETE b :ss",
                r#"Invalid UpdateExpression: The "DELETE" section can only be used once in an update expression;"#,
            ),
            (
                "SET #x = :s",
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            (
                "SET a = #x",
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            (
                "SET a = :x",
                "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "ADD a :x",
                "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "SET a = :s REMOVE a.b",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
            ),
            (
                "SET a.b = :s, a = :s",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]",
            ),
            (
                "SET a = :s, #a = :s",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
            ),
            (
                "REMOVE a[1] ADD a[1].b :n",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, [1], b]",
            ),
            (
                "SET a.b = :s, a[0] = :s",
                "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]",
            ),
            (
                "SET foo(a) = :s",
                r#"Invalid UpdateExpression: Syntax error; token: "(", near: "foo(a""#,
            ),
            (
                "SET a = foo(b)",
                "Invalid UpdateExpression: Invalid function name; function: foo",
            ),
            (
                "SET a = attribute_exists(b)",
                "Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists",
            ),
            (
                "SET a = size(b)",
                "Invalid UpdateExpression: The function is not allowed in an update expression; function: size",
            ),
            (
                "SET a = list_append(:l)",
                "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1",
            ),
            (
                "SET a = if_not_exists(a, :n, :n)",
                "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 3",
            ),
            (
                "SET a = if_not_exists(:n, a)",
                "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists",
            ),
            (
                "SET a = if_not_exists(b, b)",
                "Invalid UpdateExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: if_not_exists, first operand: [b]",
            ),
            (
                "SET a = list_append(:l, :s)",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
            ),
            (
                "SET a = :s + :n",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S",
            ),
            (
                "SET a = b - :ss",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: SS",
            ),
            (
                "ADD a :s",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "ADD a :m",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "ADD a :l",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "DELETE a :s",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND",
            ),
            (
                "DELETE a :n",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND",
            ),
            (
                "DELETE a :t",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: BOOLEAN, typeSet: ALLOWED_FOR_DELETE_OPERAND",
            ),
            (
                "ADD a :b",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BINARY, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "ADD a :null",
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: NULL, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "REMOVE a[2147483648]",
                "Invalid UpdateExpression: List index is not within the allowable range; index: [2147483648]",
            ),
        ],
    );
}

#[test]
fn update_errors_come_in_dynamodb_order() {
    assert_errors(
        update,
        &[
            // Words before repeated sections...
            (
                "SET a = :x SET name = :s",
                "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
            // ...repeated sections before names...
            (
                "SET #x = :s SET b = :s",
                r#"Invalid UpdateExpression: The "SET" section can only be used once in an update expression;"#,
            ),
            // ...names of paths before overlaps...
            (
                "SET a = :s, a = :s, #x = :s",
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            // ...overlaps before values and types...
            (
                "SET a = :x, a = :s",
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
            ),
            // ...and values from the last action back.
            (
                "SET a = :x, b = :y",
                "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :y",
            ),
            (
                "ADD a :s, b :x",
                "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "SET a = :x, b = #x",
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
        ],
    );
}

#[test]
fn updates_may_not_touch_key_attributes() {
    let schema = hash_and_range_schema();
    let cases = [
        ("SET pk = :s", Some("pk")),
        ("SET a = :s, #sk = :n", Some("sk")),
        ("REMOVE pk", Some("pk")),
        ("ADD sk :n", Some("sk")),
        ("DELETE pk :ss", Some("pk")),
        ("SET pk.x = :s", Some("pk")),
        ("SET a = pk", None),
        ("SET a = :s REMOVE b", None),
    ];
    for (text, key) in cases {
        let parsed = update(text).unwrap();
        match key {
            Some(name) => assert_eq!(
                message(parsed.check_no_key_attributes(&schema)),
                format!(
                    "One or more parameter values were invalid: Cannot update attribute {name}. This attribute is part of the key"
                ),
                "{text}"
            ),
            None => parsed.check_no_key_attributes(&schema).unwrap(),
        }
    }
}
