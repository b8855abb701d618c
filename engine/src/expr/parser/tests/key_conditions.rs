//! KeyConditionExpression: partition and sort conditions, and every shape
//! DynamoDB refuses, against hash and hash-and-range schemas.

use super::*;

#[test]
fn key_conditions_build_partition_and_sort_conditions() {
    let partition = KeyValue::S("text".into());
    let one = KeyValue::N(number("1"));
    let two = KeyValue::N(number("2"));
    let cases: Vec<(&str, Option<SortKeyCondition>)> = vec![
        ("pk = :s", None),
        (":s = pk", None),
        ("#pk = :s", None),
        ("(pk = :s)", None),
        (
            "pk = :s AND sk = :n",
            Some(SortKeyCondition::Eq(one.clone())),
        ),
        (
            "pk = :s AND sk < :n",
            Some(SortKeyCondition::Lt(one.clone())),
        ),
        (
            "pk = :s AND sk <= :n",
            Some(SortKeyCondition::Le(one.clone())),
        ),
        (
            "pk = :s AND sk > :n",
            Some(SortKeyCondition::Gt(one.clone())),
        ),
        (
            "pk = :s AND sk >= :n",
            Some(SortKeyCondition::Ge(one.clone())),
        ),
        (
            ":n < sk AND pk = :s",
            Some(SortKeyCondition::Gt(one.clone())),
        ),
        (
            ":n >= #sk and #pk = :s",
            Some(SortKeyCondition::Le(one.clone())),
        ),
        (
            "pk = :s AND sk BETWEEN :n AND :n2",
            Some(SortKeyCondition::Between(one.clone(), two.clone())),
        ),
        (
            "pk = :s AND sk BETWEEN :n AND :n",
            Some(SortKeyCondition::Between(one.clone(), one)),
        ),
        ("(pk = :s) AND (sk > :n2)", Some(SortKeyCondition::Gt(two))),
    ];
    for (text, sort) in cases {
        let parsed = key_condition(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            parsed,
            KeyCondition {
                partition: partition.clone(),
                sort
            },
            "{text}"
        );
    }
    let string_sort = TableSchema::with_sort_key(
        KeyAttribute::new("pk", KeyType::N),
        KeyAttribute::new("sk", KeyType::S),
    );
    assert_eq!(
        key_condition_in(&string_sort, "pk = :n AND begins_with(sk, :s)").unwrap(),
        KeyCondition {
            partition: KeyValue::N(number("1")),
            sort: Some(SortKeyCondition::BeginsWith(KeyValue::S("text".into())))
        }
    );
    let binary = TableSchema::with_sort_key(
        KeyAttribute::new("pk", KeyType::B),
        KeyAttribute::new("sk", KeyType::B),
    );
    assert_eq!(
        key_condition_in(&binary, "begins_with(sk, :b2) AND pk = :b").unwrap(),
        KeyCondition {
            partition: KeyValue::B(vec![1]),
            sort: Some(SortKeyCondition::BeginsWith(KeyValue::B(vec![2])))
        }
    );
}

#[test]
fn key_condition_errors_use_dynamodb_messages() {
    assert_errors(
        key_condition,
        &[
            (
                "pk = :s OR sk = :n",
                "Invalid operator used in KeyConditionExpression: OR",
            ),
            (
                "a > :n and size(b) > :n or a > :s",
                "Invalid operator used in KeyConditionExpression: OR",
            ),
            (
                "NOT pk = :s",
                "Invalid operator used in KeyConditionExpression: NOT",
            ),
            (
                "pk IN (:s, :a)",
                "Invalid operator used in KeyConditionExpression: IN",
            ),
            (
                "pk <> :s",
                "Invalid operator used in KeyConditionExpression: <>",
            ),
            (
                "attribute_exists(pk)",
                "Invalid operator used in KeyConditionExpression: attribute_exists",
            ),
            (
                "attribute_not_exists(pk)",
                "Invalid operator used in KeyConditionExpression: attribute_not_exists",
            ),
            (
                "contains(pk, :s)",
                "Invalid operator used in KeyConditionExpression: contains",
            ),
            (
                "attribute_type(pk, :typeN)",
                "Invalid operator used in KeyConditionExpression: attribute_type",
            ),
            (
                ":n BETWEEN sk AND :n2 AND pk = :s",
                "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand",
            ),
            (
                "begins_with(:s, pk)",
                "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand",
            ),
            (
                "size(pk) = :n",
                "KeyConditionExpressions cannot contain nested operations",
            ),
            (
                "pk = :s AND sk BETWEEN size(a) AND :n",
                "KeyConditionExpressions cannot contain nested operations",
            ),
            (
                "pk = sk",
                "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
            ),
            (
                "pk = :s AND sk BETWEEN :n AND a",
                "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
            ),
            (
                "pk.a = :s",
                "KeyConditionExpressions cannot have conditions on nested attributes",
            ),
            (
                "pk[0] = :s",
                "KeyConditionExpressions cannot have conditions on nested attributes",
            ),
            (
                ":s = :a",
                "Invalid condition in KeyConditionExpression: No key attribute specified",
            ),
            (
                "pk = :s AND pk = :a",
                "KeyConditionExpressions must only contain one condition per key",
            ),
            (
                "sk > :n AND sk < :n2 AND pk = :s AND x = :s",
                "KeyConditionExpressions must only contain one condition per key",
            ),
            (
                "pk = :s AND sk = :n AND x = :s",
                "Conditions can be of length 1 or 2 only",
            ),
            ("sk = :n", "Query condition missed key schema element: pk"),
            ("x = :s", "Query condition missed key schema element: pk"),
            (
                "pk = :s AND x = :s",
                "Query condition missed key schema element: sk",
            ),
            ("pk > :s", "Query key condition not supported"),
            ("begins_with(pk, :s)", "Query key condition not supported"),
            ("pk BETWEEN :a AND :s", "Query key condition not supported"),
            (
                "pk = :n",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            (
                ":n < pk",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            (
                "pk = :s AND sk = :s",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            (
                "pk = :s AND begins_with(sk, :s)",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            (
                "pk = :empty",
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
            ),
            // General condition checks come first, with the expression's prefix.
            (
                "pk = :s AND sk BETWEEN :n2 AND :n",
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}",
            ),
            (
                "pk = :s AND begins_with(sk, :n)",
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
            ),
            (
                "pk = :x",
                "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "pk =",
                r#"Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "=""#,
            ),
            (
                "name = :s",
                "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
            ),
        ],
    );
    let hash_only = TableSchema::partition_only(KeyAttribute::new("pk", KeyType::S));
    assert_errors(
        |text| key_condition_in(&hash_only, text),
        &[
            ("pk = :s AND sk = :n", "Query key condition not supported"),
            ("y = :s AND z = :s", "Query key condition not supported"),
            ("pk < :s", "Query key condition not supported"),
            (
                ":n > pk",
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ),
            ("z = :s", "Query condition missed key schema element: pk"),
        ],
    );
    let binary = TableSchema::partition_only(KeyAttribute::new("pk", KeyType::B));
    assert_eq!(
        message(key_condition_in(&binary, "pk = :emptyb")),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: pk"
    );
}

#[test]
fn path_depth_is_checked_before_names_and_projections_check_paths_in_turn() {
    let deep_with_undefined_name = format!("#x{}", ".b".repeat(32));
    assert_eq!(
        message(projection(&deep_with_undefined_name)),
        "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    assert_eq!(
        message(condition(&format!(
            "attribute_exists({deep_with_undefined_name})"
        ))),
        "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    // Each projection path is validated, then compared with the earlier ones.
    assert_eq!(
        message(projection("a, a.b, #x")),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
    );
    assert_eq!(
        message(projection("a, #x, a.b")),
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"
    );
}
