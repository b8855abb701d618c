//! The legacy parameters' errors: mixing with expressions, DynamoDB's rules
//! for each parameter in its order, and wrong JSON types (split from
//! `legacy.rs`, whose helpers these use).

use super::legacy::*;
use super::*;

fn mixing(legacy: &str, expressions: &str) -> String {
    messages::mixed_parameters(
        &legacy.split(", ").collect::<Vec<_>>(),
        &expressions.split(", ").collect::<Vec<_>>(),
    )
}

#[test]
fn legacy_and_expression_parameters_do_not_mix() {
    let eq = json!({"ComparisonOperator": "EQ", "AttributeValueList": [s("x")]});
    let cases = [
        (
            "PutItem",
            put(json!({"Expected": {"a": eq}, "ConditionalOperator": "AND",
                       "ConditionExpression": "attribute_exists(pk)"})),
            "Expected, ConditionalOperator",
            "ConditionExpression",
        ),
        (
            "DeleteItem",
            with_key(
                "t1",
                json!({"ConditionalOperator": "AND", "ConditionExpression": "a = :v",
                                  "ExpressionAttributeValues": {":v": s("x")}}),
            ),
            "ConditionalOperator",
            "ConditionExpression",
        ),
        (
            "UpdateItem",
            with_key(
                "t1",
                json!({"AttributeUpdates": {"a": {"Value": s("v")}}, "Expected": {"a": eq},
                                  "ConditionalOperator": "AND", "UpdateExpression": "SET a = :v",
                                  "ConditionExpression": "attribute_exists(pk)",
                                  "ExpressionAttributeValues": {":v": s("x")}}),
            ),
            "AttributeUpdates, Expected, ConditionalOperator",
            "UpdateExpression, ConditionExpression",
        ),
        (
            "UpdateItem",
            with_key(
                "t1",
                json!({"AttributeUpdates": {"a": {"Value": s("v")}},
                                  "ConditionExpression": "attribute_exists(pk)"}),
            ),
            "AttributeUpdates",
            "ConditionExpression",
        ),
        (
            "GetItem",
            with_key(
                "t1",
                json!({"AttributesToGet": ["a"], "ProjectionExpression": "a"}),
            ),
            "AttributesToGet",
            "ProjectionExpression",
        ),
        (
            "BatchGetItem",
            json!({"RequestItems": {"t1": {"Keys": [{"pk": s("a")}], "AttributesToGet": ["a"],
                                           "ProjectionExpression": "a"}}}),
            "AttributesToGet",
            "ProjectionExpression",
        ),
        (
            "Scan",
            json!({"TableName": "t1", "AttributesToGet": ["a"], "ScanFilter": {"a": eq},
                   "ConditionalOperator": "AND", "FilterExpression": "a = :v",
                   "ProjectionExpression": "b", "ExpressionAttributeValues": {":v": s("x")}}),
            "AttributesToGet, ScanFilter, ConditionalOperator",
            "ProjectionExpression, FilterExpression",
        ),
        (
            "Query",
            json!({"TableName": "t1", "KeyConditions": {"pk": eq}, "QueryFilter": {"a": eq},
                   "ConditionalOperator": "AND", "KeyConditionExpression": "pk = :p",
                   "FilterExpression": "a = :v", "ProjectionExpression": "b",
                   "ExpressionAttributeValues": {":p": s("k"), ":v": s("x")}}),
            "QueryFilter, ConditionalOperator, KeyConditions",
            "ProjectionExpression, FilterExpression, KeyConditionExpression",
        ),
        (
            "Query",
            json!({"TableName": "t1", "AttributesToGet": ["a"], "KeyConditions": {"pk": eq},
                   "FilterExpression": "a = :v", "ExpressionAttributeValues": {":v": s("x")}}),
            "AttributesToGet",
            "FilterExpression",
        ),
    ];
    for (operation, body, legacy, expressions) in cases {
        validation(operation, body, &mixing(legacy, expressions));
    }
}

#[test]
fn placeholder_maps_need_an_expression_of_the_callers() {
    let expected = json!({"a": {"Exists": false}});
    let names_message = messages::NAMES_WITHOUT_EXPRESSIONS;
    let cases = [
        (
            "PutItem",
            put(
                json!({"Expected": expected, "ExpressionAttributeNames": {"#a": "a"},
                       "ExpressionAttributeValues": {":v": s("x")}}),
            ),
            names_message.to_owned(),
        ),
        (
            "GetItem",
            with_key(
                "t1",
                json!({"AttributesToGet": ["a"], "ExpressionAttributeNames": {"#a": "a"}}),
            ),
            names_message.to_owned(),
        ),
        (
            "PutItem",
            put(json!({"Expected": expected, "ExpressionAttributeValues": {":v": s("x")}})),
            messages::values_without_expressions(&["ConditionExpression"]),
        ),
        (
            "UpdateItem",
            with_key(
                "t1",
                json!({"Expected": expected, "ExpressionAttributeValues": {":v": s("x")}}),
            ),
            "ExpressionAttributeValues can only be specified when using expressions: \
             UpdateExpression and ConditionExpression are null"
                .to_owned(),
        ),
        (
            "Scan",
            json!({"TableName": "t1", "ScanFilter": {}, "ExpressionAttributeValues": {":v": s("x")}}),
            "ExpressionAttributeValues can only be specified when using expressions: \
             FilterExpression is null"
                .to_owned(),
        ),
        (
            "Query",
            json!({"TableName": "t1", "KeyConditions": {}, "ProjectionExpression": "a",
                   "ExpressionAttributeValues": {":v": s("x")}}),
            messages::values_without_expressions(&["FilterExpression", "KeyConditionExpression"]),
        ),
    ];
    for (operation, body, message) in cases {
        validation(operation, body, &message);
    }
}

#[test]
fn conditional_operator_needs_two_conditions_to_join() {
    let eq = json!({"ComparisonOperator": "EQ", "AttributeValueList": [s("x")]});
    let without = messages::CONDITIONAL_OPERATOR_WITHOUT_CONDITIONS;
    let one = messages::CONDITIONAL_OPERATOR_ONE_CONDITION;
    let cases = [
        (
            "PutItem",
            put(json!({"ConditionalOperator": "AND"})),
            without,
        ),
        (
            "PutItem",
            put(json!({"ConditionalOperator": "OR", "Expected": {}})),
            without,
        ),
        (
            "PutItem",
            put(json!({"ConditionalOperator": "AND", "Expected": {"a": eq}})),
            one,
        ),
        (
            "DeleteItem",
            with_key("t1", json!({"ConditionalOperator": "AND"})),
            without,
        ),
        (
            "UpdateItem",
            with_key(
                "t1",
                json!({"ConditionalOperator": "AND",
                                  "AttributeUpdates": {"a": {"Value": s("v")}}}),
            ),
            without,
        ),
        (
            "Scan",
            json!({"TableName": "t1", "ConditionalOperator": "AND", "AttributesToGet": ["a"]}),
            without,
        ),
        (
            "Scan",
            json!({"TableName": "t1", "ConditionalOperator": "AND", "ScanFilter": {"a": eq}}),
            one,
        ),
        (
            "Query",
            json!({"TableName": "t1", "ConditionalOperator": "AND", "KeyConditions": {"pk": eq}}),
            without,
        ),
        (
            "Query",
            json!({"TableName": "t1", "ConditionalOperator": "AND"}),
            without,
        ),
        (
            "Query",
            json!({"TableName": "t1", "ConditionalOperator": "OR", "KeyConditions": {"pk": eq},
                   "QueryFilter": {"a": eq}}),
            one,
        ),
    ];
    for (operation, body, message) in cases {
        validation(operation, body, message);
    }
    validation(
        "Scan",
        json!({"TableName": "t1", "ConditionalOperator": "XOR", "ScanFilter": {"a": eq, "b": eq}}),
        &messages::enum_value("XOR", "conditionalOperator", &["OR", "AND"]),
    );
}

#[test]
fn expected_entries_follow_dynamodbs_rules_in_its_order() {
    let cases = [
        (
            json!({"a": {"Value": s("x"), "AttributeValueList": [], "ComparisonOperator": "EQ"}}),
            messages::value_and_value_list("a"),
        ),
        (
            json!({"a": {"Value": s("x"), "AttributeValueList": []}}),
            messages::value_and_value_list("a"),
        ),
        (
            json!({"a": {"Exists": true, "ComparisonOperator": "LT"}}),
            messages::exists_and_operator("a"),
        ),
        (
            json!({"a": {"ComparisonOperator": "LT"}}),
            messages::operator_without_arguments("LT", "a"),
        ),
        (
            json!({"a": {"Exists": true, "AttributeValueList": []}}),
            messages::value_list_without_operator("a"),
        ),
        (json!({"a": {}}), messages::value_required("null", "a")),
        (
            json!({"a": {"Exists": true}}),
            messages::value_required("true", "a"),
        ),
        (
            json!({"a": {"Exists": false, "Value": s("x")}}),
            messages::value_with_exists_false("a"),
        ),
        (
            json!({"a": {"ComparisonOperator": "NULL", "Value": s("x")}}),
            messages::argument_count("NULL"),
        ),
        (
            json!({"a": {"ComparisonOperator": "BETWEEN", "Value": s("x")}}),
            messages::argument_count("BETWEEN"),
        ),
        (
            json!({"a": {"ComparisonOperator": "IN", "AttributeValueList": [s("b"), n("1")]}}),
            messages::VALUE_LIST_TYPES_DIFFER.to_owned(),
        ),
        (
            json!({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [s("b"), s("a")]}}),
            messages::BETWEEN_BOUNDS_REVERSED.to_owned(),
        ),
        (
            json!({"a": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [n("3")]}}),
            messages::operator_type("BEGINS_WITH", "N"),
        ),
        (
            json!({"": {"Exists": false}}),
            messages::EMPTY_ATTRIBUTE_NAME.to_owned(),
        ),
        (
            json!({"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"SS": []}]}}),
            "One or more parameter values were invalid: An string set  may not be empty".to_owned(),
        ),
    ];
    for (expected, message) in cases {
        validation("PutItem", put(json!({"Expected": expected})), &message);
        validation(
            "UpdateItem",
            with_key("t1", json!({"Expected": expected})),
            &message,
        );
    }
}

#[test]
fn comparison_operators_take_their_counts_and_types_of_values() {
    let mut cases: Vec<(&str, Value, String)> = Vec::new();
    for operator in [
        "EQ",
        "NE",
        "LE",
        "LT",
        "GE",
        "GT",
        "CONTAINS",
        "NOT_CONTAINS",
        "BEGINS_WITH",
    ] {
        cases.push((operator, json!([]), messages::argument_count(operator)));
        cases.push((
            operator,
            json!([s("a"), s("a")]),
            messages::argument_count(operator),
        ));
    }
    for operator in ["NULL", "NOT_NULL"] {
        cases.push((
            operator,
            json!([s("a")]),
            messages::argument_count(operator),
        ));
    }
    cases.push(("IN", json!([]), messages::argument_count("IN")));
    cases.push((
        "BETWEEN",
        json!([s("a")]),
        messages::argument_count("BETWEEN"),
    ));
    cases.push((
        "BETWEEN",
        json!([s("a"), s("b"), s("c")]),
        messages::argument_count("BETWEEN"),
    ));
    for operator in ["LT", "LE", "GT", "GE", "IN"] {
        for value in [
            json!({"BOOL": true}),
            json!({"NULL": true}),
            json!({"SS": ["a"]}),
            json!({"NS": ["1"]}),
            json!({"BS": ["abcd"]}),
            json!({"M": {}}),
            json!({"L": []}),
        ] {
            let type_name = value.as_object().unwrap().keys().next().unwrap().clone();
            cases.push((
                operator,
                json!([value]),
                messages::operator_type(operator, &type_name),
            ));
        }
    }
    for operator in ["CONTAINS", "NOT_CONTAINS"] {
        cases.push((
            operator,
            json!([{"SS": ["a"]}]),
            messages::operator_type(operator, "SS"),
        ));
        cases.push((
            operator,
            json!([{"L": []}]),
            messages::operator_type(operator, "L"),
        ));
    }
    cases.push((
        "BETWEEN",
        json!([{"M": {}}, {"M": {}}]),
        messages::operator_type("BETWEEN", "M"),
    ));
    cases.push((
        "BEGINS_WITH",
        json!([{"BOOL": true}]),
        messages::operator_type("BEGINS_WITH", "BOOL"),
    ));
    cases.push(("BETWEEN", json!([n("2"), n("10")]), String::new()));
    cases.push((
        "BETWEEN",
        json!([n("10"), n("2")]),
        messages::BETWEEN_BOUNDS_REVERSED.to_owned(),
    ));
    cases.push((
        "BETWEEN",
        json!([{"B": "Ag=="}, {"B": "AQ=="}]),
        messages::BETWEEN_BOUNDS_REVERSED.to_owned(),
    ));
    for (operator, list, message) in cases {
        let condition = json!({"a": {"ComparisonOperator": operator, "AttributeValueList": list}});
        let body = json!({"TableName": "t1", "ScanFilter": condition});
        if message.is_empty() {
            decode("Scan", body);
        } else {
            validation("Scan", body, &message);
            validation("PutItem", put(json!({"Expected": condition})), &message);
            validation(
                "Query",
                json!({"TableName": "t1", "QueryFilter": condition}),
                &message,
            );
        }
    }
}

#[test]
fn attribute_updates_actions_take_their_types_of_values() {
    let mut cases = vec![
        (
            json!({"x": "whatever"}),
            messages::UPDATE_WITHOUT_VALUE.to_owned(),
        ),
        (
            json!({"Action": "ADD"}),
            messages::UPDATE_WITHOUT_VALUE.to_owned(),
        ),
        (
            json!({"Action": "SET", "Value": s("v")}),
            messages::enum_value(
                "SET",
                "attributeUpdates.a.member.action",
                &["ADD", "PUT", "DELETE"],
            ),
        ),
    ];
    for value in [
        s("1"),
        n("1"),
        json!({"B": "Yg=="}),
        json!({"NULL": true}),
        json!({"BOOL": true}),
        json!({"M": {}}),
        json!({"L": []}),
    ] {
        let type_name = value.as_object().unwrap().keys().next().unwrap().clone();
        cases.push((
            json!({"Action": "DELETE", "Value": value}),
            messages::delete_type(&type_name),
        ));
    }
    for value in [
        s("1"),
        json!({"B": "Yg=="}),
        json!({"NULL": true}),
        json!({"BOOL": true}),
        json!({"M": {}}),
    ] {
        let type_name = value.as_object().unwrap().keys().next().unwrap().clone();
        cases.push((
            json!({"Action": "ADD", "Value": value}),
            messages::add_type(&type_name),
        ));
    }
    for (update, message) in cases {
        validation(
            "UpdateItem",
            with_key("t1", json!({"AttributeUpdates": {"a": update}})),
            &message,
        );
    }
}

#[test]
fn attributes_to_get_and_key_conditions_follow_dynamodbs_rules() {
    let eq = json!({"ComparisonOperator": "EQ", "AttributeValueList": [s("x")]});
    let cases = [
        (
            "GetItem",
            with_key("t1", json!({"AttributesToGet": []})),
            messages::list_empty("attributesToGet"),
        ),
        (
            "BatchGetItem",
            json!({"RequestItems": {"t1": {"Keys": [{"pk": s("a")}], "AttributesToGet": []}}}),
            messages::list_empty("requestItems.t1.member.attributesToGet"),
        ),
        (
            "Scan",
            json!({"TableName": "t1", "AttributesToGet": ["a", "b", "a"]}),
            messages::duplicate_attribute_name("a"),
        ),
        (
            "Scan",
            json!({"TableName": "t1", "AttributesToGet": ["a"], "Select": "COUNT"}),
            messages::COUNT_WITH_ATTRIBUTES_TO_GET.to_owned(),
        ),
        (
            "Query",
            json!({"TableName": "t1", "AttributesToGet": ["a"], "Select": "ALL_ATTRIBUTES",
                   "KeyConditions": {"pk": eq}}),
            messages::ALL_ATTRIBUTES_WITH_ATTRIBUTES_TO_GET.to_owned(),
        ),
        (
            "Query",
            json!({"TableName": "t1", "KeyConditions": {}}),
            messages::KEY_CONDITION_COUNT.to_owned(),
        ),
        (
            "Query",
            json!({"TableName": "t1", "KeyConditions": {"a": eq, "b": eq, "c": eq}}),
            messages::KEY_CONDITION_COUNT.to_owned(),
        ),
        (
            "Query",
            json!({"TableName": "t1", "KeyConditions": {"a": {"ComparisonOperator": "EQ"}}}),
            messages::argument_count("EQ"),
        ),
        (
            "Query",
            json!({"TableName": "t1", "KeyConditions": {"a": {"ComparisonOperator": "LT",
                                                              "AttributeValueList": [{"BOOL": true}]}}}),
            messages::operator_type("LT", "BOOL"),
        ),
        (
            "Scan",
            json!({"TableName": "t1", "ScanFilter": {"a": {"AttributeValueList": [s("x")]}}}),
            messages::member_null("scanFilter.a.member.comparisonOperator"),
        ),
        (
            "Query",
            json!({"TableName": "t1", "KeyConditions": {"a": {"ComparisonOperator": "eq"}}}),
            messages::enum_value(
                "eq",
                "keyConditions.a.member.comparisonOperator",
                &[
                    "IN",
                    "NULL",
                    "BETWEEN",
                    "LT",
                    "NOT_CONTAINS",
                    "EQ",
                    "GT",
                    "NOT_NULL",
                    "NE",
                    "LE",
                    "BEGINS_WITH",
                    "GE",
                    "CONTAINS",
                ],
            ),
        ),
    ];
    for (operation, body, message) in cases {
        validation(operation, body, &message);
    }
    for (operator, list) in [
        ("NE", json!([s("x")])),
        ("IN", json!([s("x")])),
        ("NULL", json!([])),
        ("NOT_NULL", json!([])),
        ("CONTAINS", json!([s("x")])),
        ("NOT_CONTAINS", json!([s("x")])),
    ] {
        validation(
            "Query",
            json!({"TableName": "t1", "KeyConditions": {"pk": eq,
                   "sk": {"ComparisonOperator": operator, "AttributeValueList": list}}}),
            messages::KEY_CONDITION_NOT_INDEXABLE,
        );
    }
}

#[test]
fn legacy_members_of_the_wrong_json_type_are_serialization_exceptions() {
    let cases = [
        (
            "PutItem",
            put(json!({"Expected": []})),
            messages::LIST_NOT_EXPECTED.to_owned(),
        ),
        (
            "PutItem",
            put(json!({"Expected": {"a": "x"}})),
            messages::scalar_not("STRING_VALUE", "Structure"),
        ),
        (
            "PutItem",
            put(json!({"Expected": {"a": {"Exists": "no"}}})),
            messages::scalar_not("STRING_VALUE", "Boolean"),
        ),
        (
            "PutItem",
            put(json!({"Expected": {"a": {"Value": 5}}})),
            messages::scalar_not("NUMBER_VALUE", "Structure"),
        ),
        (
            "PutItem",
            put(json!({"Expected": {"a": {"Value": {"S": 5}}}})),
            messages::scalar_not("NUMBER_VALUE", "String"),
        ),
        (
            "PutItem",
            put(json!({"ConditionalOperator": 1, "Expected": {}})),
            messages::scalar_not("NUMBER_VALUE", "String"),
        ),
        (
            "Scan",
            json!({"TableName": "t1", "ScanFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": {}}}}),
            messages::STRUCTURE_NOT_EXPECTED.to_owned(),
        ),
        (
            "Scan",
            json!({"TableName": "t1", "AttributesToGet": "a"}),
            messages::scalar_not("STRING_VALUE", "List"),
        ),
        (
            "Scan",
            json!({"TableName": "t1", "AttributesToGet": [1]}),
            messages::scalar_not("NUMBER_VALUE", "String"),
        ),
        (
            "UpdateItem",
            with_key("t1", json!({"AttributeUpdates": {"a": {"Action": true}}})),
            messages::scalar_not("TRUE_VALUE", "String"),
        ),
    ];
    for (operation, body, message) in cases {
        let error = refused(operation, body.clone());
        assert_eq!(
            (error.type_name, error.message.as_str()),
            ("SerializationException", message.as_str()),
            "{operation} {body}"
        );
    }
}
