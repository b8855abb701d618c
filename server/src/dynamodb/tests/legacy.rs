//! The legacy parameters: the expressions and placeholder maps each
//! translates into (their errors are in `legacy_errors.rs`), and round trips
//! through a real `Db` showing the translated requests behave as the
//! legacy ones do.

use super::round_trips::{TestDb, create_music};
use super::*;

pub(super) fn put(extra: Value) -> Value {
    let mut body = json!({"TableName": "t1", "Item": {"pk": {"S": "a"}}});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

pub(super) fn with_key(table: &str, extra: Value) -> Value {
    let mut body = json!({"TableName": table, "Key": {"pk": {"S": "a"}}});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

pub(super) fn put_condition(expected: Value) -> PutItemRequest {
    match decode("PutItem", put(json!({"Expected": expected}))) {
        Request::PutItem(request) => request,
        other => panic!("{other:?}"),
    }
}

/// The condition, names and values a PutItem's Expected translates into.
pub(super) fn expected_parts(expected: Value) -> (String, Value, Value) {
    let request = put_condition(expected);
    (
        request.condition_expression.expect("a condition"),
        json!(request.expression_attribute_names.expect("names")),
        crate::json::item_to_json(&request.expression_attribute_values.unwrap_or_default()),
    )
}

pub(super) fn filter_of(filter: Value, operator: Option<&str>) -> ScanRequest {
    let mut body = json!({"TableName": "t1", "ScanFilter": filter});
    if let Some(operator) = operator {
        body["ConditionalOperator"] = json!(operator);
    }
    match decode("Scan", body) {
        Request::Scan(request) => request,
        other => panic!("{other:?}"),
    }
}

pub(super) fn s(text: &str) -> Value {
    json!({"S": text})
}

pub(super) fn n(text: &str) -> Value {
    json!({"N": text})
}

pub(super) fn validation(operation: &str, body: Value, message: &str) {
    let error = refused(operation, body.clone());
    assert_eq!(
        (error.type_name, error.message.as_str()),
        ("ValidationException", message),
        "{operation} {body}"
    );
}

// ----- translations ---------------------------------------------------------

#[test]
fn attributes_to_get_becomes_a_projection_of_name_placeholders() {
    let projected = names(&[("#l0", "a.b"), ("#l1", "Size"), ("#l2", "c")]);
    assert_eq!(
        decode(
            "GetItem",
            with_key("t1", json!({"AttributesToGet": ["a.b", "Size", "c"]}))
        ),
        Request::GetItem(GetItemRequest {
            table_name: "t1".into(),
            key: item(json!({"pk": {"S": "a"}})),
            projection_expression: Some("#l0, #l1, #l2".into()),
            expression_attribute_names: Some(projected.clone()),
            consistent_read: false,
        })
    );
    let Request::Scan(scan) = decode(
        "Scan",
        json!({"TableName": "t1", "AttributesToGet": ["a.b", "Size", "c"], "Select": "SPECIFIC_ATTRIBUTES"}),
    ) else {
        panic!()
    };
    assert_eq!(scan.projection_expression.as_deref(), Some("#l0, #l1, #l2"));
    assert_eq!(scan.expression_attribute_names, Some(projected.clone()));
    assert_eq!(scan.expression_attribute_values, None);
    let Request::BatchGetItem(batch) = decode(
        "BatchGetItem",
        json!({"RequestItems": {"t1": {"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": ["a.b", "Size", "c"]}}}),
    ) else {
        panic!()
    };
    let wanted = &batch.request_items["t1"];
    assert_eq!(
        wanted.projection_expression.as_deref(),
        Some("#l0, #l1, #l2")
    );
    assert_eq!(wanted.expression_attribute_names, Some(projected));
}

#[test]
fn expected_value_and_exists_become_equality_and_attribute_not_exists() {
    assert_eq!(
        expected_parts(json!({"a": {"Value": n("1")}, "b": {"Exists": false},
                              "c": {"Exists": true, "Value": s("x")}})),
        (
            "#l0 = :l0 AND attribute_not_exists(#l1) AND #l2 = :l1".into(),
            json!({"#l0": "a", "#l1": "b", "#l2": "c"}),
            json!({":l0": n("1"), ":l1": s("x")}),
        )
    );
    // An empty Expected is no condition at all.
    assert_eq!(
        put_condition(json!({})),
        PutItemRequest {
            table_name: "t1".into(),
            item: item(json!({"pk": {"S": "a"}})),
            ..PutItemRequest::default()
        }
    );
}

#[test]
fn every_comparison_operator_has_its_expression() {
    let cases = [
        ("EQ", json!([{"SS": ["x", "y"]}]), "#l0 = :l0"),
        ("EQ", json!([{"M": {"k": n("1")}}]), "#l0 = :l0"),
        ("NE", json!([n("1")]), "#l0 <> :l0"),
        ("LE", json!([n("1")]), "#l0 <= :l0"),
        ("LT", json!([s("x")]), "#l0 < :l0"),
        ("GE", json!([{"B": "AQ=="}]), "#l0 >= :l0"),
        ("GT", json!([n("1")]), "#l0 > :l0"),
        ("NOT_NULL", json!([]), "attribute_exists(#l0)"),
        ("NULL", json!([]), "attribute_not_exists(#l0)"),
        ("CONTAINS", json!([s("x")]), "contains(#l0, :l0)"),
        (
            "NOT_CONTAINS",
            json!([n("1")]),
            "(attribute_exists(#l0) AND NOT contains(#l0, :l0))",
        ),
        ("BEGINS_WITH", json!([s("x")]), "begins_with(#l0, :l0)"),
        (
            "IN",
            json!([n("1"), n("2"), n("3")]),
            "#l0 IN (:l0, :l1, :l2)",
        ),
        (
            "BETWEEN",
            json!([n("1"), n("1")]),
            "#l0 BETWEEN :l0 AND :l1",
        ),
    ];
    for (operator, list, expression) in cases {
        let condition = json!({"ComparisonOperator": operator, "AttributeValueList": list});
        let (text, names, values) = expected_parts(json!({"my attr": condition}));
        assert_eq!(text, expression, "{operator}");
        assert_eq!(names, json!({"#l0": "my attr"}));
        let expected_values: serde_json::Map<String, Value> = list
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, v)| (format!(":l{i}"), v.clone()))
            .collect();
        assert_eq!(values, Value::Object(expected_values), "{operator}");
        let Request::Scan(scan) = decode(
            "Scan",
            json!({"TableName": "t1", "ScanFilter": {"my attr": condition}}),
        ) else {
            panic!()
        };
        assert_eq!(scan.filter_expression.as_deref(), Some(expression));
    }
    // Expected may give an operator's one argument as Value.
    assert_eq!(
        expected_parts(json!({"a": {"ComparisonOperator": "GT", "Value": n("3")}})).0,
        "#l0 > :l0"
    );
}

#[test]
fn conditional_operator_joins_conditions_with_and_or_or() {
    let filter = json!({"a": {"ComparisonOperator": "EQ", "AttributeValueList": [n("1")]},
                        "b": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [n("1"), n("2")]}});
    for (operator, expression) in [
        (None, "#l0 = :l0 AND #l1 BETWEEN :l1 AND :l2"),
        (Some("AND"), "#l0 = :l0 AND #l1 BETWEEN :l1 AND :l2"),
        (Some("OR"), "#l0 = :l0 OR #l1 BETWEEN :l1 AND :l2"),
    ] {
        assert_eq!(
            filter_of(filter.clone(), operator)
                .filter_expression
                .as_deref(),
            Some(expression)
        );
    }
    let Request::DeleteItem(delete) = decode(
        "DeleteItem",
        with_key(
            "t1",
            json!({"Expected": {"a": {"Exists": false}, "b": {"Value": s("v")}},
                   "ConditionalOperator": "OR"}),
        ),
    ) else {
        panic!()
    };
    assert_eq!(
        delete.condition_expression.as_deref(),
        Some("attribute_not_exists(#l0) OR #l1 = :l0")
    );
}

#[test]
fn attribute_updates_become_one_update_expression() {
    let Request::UpdateItem(update) = decode(
        "UpdateItem",
        with_key(
            "t1",
            json!({"AttributeUpdates": {
                "a": {"Value": s("x")},
                "b": {"Action": "PUT", "Value": {"L": [n("1")]}},
                "c": {"Action": "DELETE"},
                "d": {"Action": "DELETE", "Value": {"SS": ["x"]}},
                "e": {"Action": "ADD", "Value": n("5")},
                "f": {"Action": "ADD", "Value": {"NS": ["1"]}},
                "g": {"Action": "ADD", "Value": {"L": [s("z")]}}},
                "Expected": {"a": {"Exists": false}}, "ReturnValues": "ALL_NEW"}),
        ),
    ) else {
        panic!()
    };
    assert_eq!(
        update.update_expression.as_deref(),
        Some(
            "SET #l0 = :l0, #l1 = :l1, #l6 = list_append(if_not_exists(#l6, :l5), :l6) \
             REMOVE #l2 ADD #l4 :l3, #l5 :l4 DELETE #l3 :l2"
        )
    );
    // The condition reuses the placeholder of an attribute already named.
    assert_eq!(
        update.condition_expression.as_deref(),
        Some("attribute_not_exists(#l0)")
    );
    assert_eq!(
        json!(update.expression_attribute_names.unwrap()),
        json!({"#l0": "a", "#l1": "b", "#l2": "c", "#l3": "d", "#l4": "e", "#l5": "f", "#l6": "g"})
    );
    assert_eq!(
        crate::json::item_to_json(&update.expression_attribute_values.unwrap()),
        json!({":l0": s("x"), ":l1": {"L": [n("1")]}, ":l2": {"SS": ["x"]}, ":l3": n("5"),
               ":l4": {"NS": ["1"]}, ":l5": {"L": []}, ":l6": {"L": [s("z")]}})
    );
    // `{}` updates nothing.
    let Request::UpdateItem(empty) = decode(
        "UpdateItem",
        with_key("t1", json!({"AttributeUpdates": {}})),
    ) else {
        panic!()
    };
    assert_eq!(
        (empty.update_expression, empty.expression_attribute_names),
        (None, None)
    );
}

#[test]
fn key_conditions_become_a_key_condition_expression_beside_the_callers_expressions() {
    let Request::Query(query) = decode(
        "Query",
        json!({"TableName": "t1",
               "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [s("a")]},
                                 "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [n("1"), n("9")]}},
               "QueryFilter": {"x": {"ComparisonOperator": "NULL"}},
               "AttributesToGet": ["x"]}),
    ) else {
        panic!()
    };
    assert_eq!(
        (
            query.key_condition_expression.as_deref(),
            query.filter_expression.as_deref(),
            query.projection_expression.as_deref()
        ),
        (
            Some("#l1 = :l0 AND #l2 BETWEEN :l1 AND :l2"),
            Some("attribute_not_exists(#l0)"),
            Some("#l0")
        )
    );
    // DynamoDB lets KeyConditions go with a FilterExpression; the generated
    // placeholders then skip the caller's.
    let Request::Query(query) = decode(
        "Query",
        json!({"TableName": "t1",
               "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [s("a")]},
                                 "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [s("p")]}},
               "FilterExpression": "#l0 = :l0 AND #l1 <> :l1",
               "ExpressionAttributeNames": {"#l0": "x", "#l1": "y"},
               "ExpressionAttributeValues": {":l0": n("1"), ":l1": n("2")}}),
    ) else {
        panic!()
    };
    assert_eq!(
        query.key_condition_expression.as_deref(),
        Some("#l2 = :l2 AND begins_with(#l3, :l3)")
    );
    assert_eq!(
        query.filter_expression.as_deref(),
        Some("#l0 = :l0 AND #l1 <> :l1")
    );
    assert_eq!(
        json!(query.expression_attribute_names.unwrap()),
        json!({"#l0": "x", "#l1": "y", "#l2": "pk", "#l3": "sk"})
    );
    assert_eq!(
        crate::json::item_to_json(&query.expression_attribute_values.unwrap()),
        json!({":l0": n("1"), ":l1": n("2"), ":l2": s("a"), ":l3": s("p")})
    );
}

// ----- round trips through a Db ---------------------------------------------

fn put_song(db: &TestDb, n: u32, extra: Value) {
    let mut item = json!({"artist": s("a"), "n": {"N": n.to_string()}});
    item.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    db.ok("PutItem", json!({"TableName": "Music", "Item": item}));
}

fn error_type(error: &Value) -> &str {
    error["__type"]
        .as_str()
        .unwrap()
        .strip_prefix(messages::TYPE_PREFIX)
        .unwrap()
}

#[test]
fn expected_conditions_writes_as_dynamodb_does() {
    let db = TestDb::open("legacy-expected");
    create_music(&db);
    let song = json!({"artist": s("a"), "n": n("1"), "plays": n("3")});
    // Exists false on the key: put only if new.
    let if_new =
        json!({"TableName": "Music", "Item": song, "Expected": {"artist": {"Exists": false}}});
    assert_eq!(db.ok("PutItem", if_new.clone()), json!({}));
    let failed = db.call("PutItem", if_new).unwrap_err();
    assert_eq!(error_type(&failed), "ConditionalCheckFailedException");
    // Value: equality; the write happens only when it holds.
    let replace = |plays: &str| {
        json!({"TableName": "Music", "Item": {"artist": s("a"), "n": n("1"), "plays": n("9")},
               "Expected": {"plays": {"Value": n(plays)}}, "ReturnValues": "ALL_OLD"})
    };
    let failed = db.call("PutItem", replace("4")).unwrap_err();
    assert_eq!(error_type(&failed), "ConditionalCheckFailedException");
    assert_eq!(
        db.ok("PutItem", replace("3"))["Attributes"]["plays"],
        n("3")
    );
    // OR: one true condition is enough; NOT_CONTAINS of a missing attribute
    // is false, NE of one true.
    let delete = |operator: &str| {
        json!({"TableName": "Music", "Key": {"artist": s("a"), "n": n("1")},
               "Expected": {"tags": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [s("x")]},
                            "plays": {"ComparisonOperator": "GT", "AttributeValueList": [n("100")]}},
               "ConditionalOperator": operator})
    };
    let failed = db.call("DeleteItem", delete("OR")).unwrap_err();
    assert_eq!(error_type(&failed), "ConditionalCheckFailedException");
    let ne = json!({"TableName": "Music", "Key": {"artist": s("a"), "n": n("1")},
                    "Expected": {"tags": {"ComparisonOperator": "NE", "AttributeValueList": [s("x")]},
                                 "plays": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [n("1"), n("9")]}},
                    "ReturnValues": "ALL_OLD"});
    assert_eq!(db.ok("DeleteItem", ne)["Attributes"]["plays"], n("9"));
}

#[test]
fn attribute_updates_change_items_as_dynamodb_does() {
    let db = TestDb::open("legacy-updates");
    create_music(&db);
    let key = json!({"artist": s("a"), "n": n("1")});
    let update = |updates: Value| {
        db.ok(
            "UpdateItem",
            json!({"TableName": "Music", "Key": key, "AttributeUpdates": updates, "ReturnValues": "ALL_NEW"}),
        )["Attributes"]
            .clone()
    };
    // ADD on a missing item and attributes: numbers start at 0, sets and
    // lists are made.
    assert_eq!(
        update(json!({"plays": {"Action": "ADD", "Value": n("2")},
                      "tags": {"Action": "ADD", "Value": {"SS": ["x", "y"]}},
                      "log": {"Action": "ADD", "Value": {"L": [s("one")]}},
                      "odd.name": {"Value": s("put")}})),
        json!({"artist": s("a"), "n": n("1"), "plays": n("2"), "tags": {"SS": ["x", "y"]},
               "log": {"L": [s("one")]}, "odd.name": s("put")})
    );
    // ADD increments, adds to sets and appends to lists; DELETE takes from a
    // set or removes the attribute.
    assert_eq!(
        update(json!({"plays": {"Action": "ADD", "Value": n("5")},
                      "tags": {"Action": "DELETE", "Value": {"SS": ["x"]}},
                      "log": {"Action": "ADD", "Value": {"L": [s("two")]}},
                      "odd.name": {"Action": "DELETE"}})),
        json!({"artist": s("a"), "n": n("1"), "plays": n("7"), "tags": {"SS": ["y"]},
               "log": {"L": [s("one"), s("two")]}})
    );
    // Expected with AttributeUpdates, checked before anything changes.
    let guarded = db
        .call(
            "UpdateItem",
            json!({"TableName": "Music", "Key": key,
                   "AttributeUpdates": {"plays": {"Action": "ADD", "Value": n("1")}},
                   "Expected": {"plays": {"Value": n("100")}}}),
        )
        .unwrap_err();
    assert_eq!(error_type(&guarded), "ConditionalCheckFailedException");
    // A key attribute cannot be updated (the engine's check, DynamoDB's text).
    let key_update = db
        .call(
            "UpdateItem",
            json!({"TableName": "Music", "Key": key, "AttributeUpdates": {"n": {"Value": n("2")}}}),
        )
        .unwrap_err();
    assert_eq!(
        key_update["message"],
        "One or more parameter values were invalid: Cannot update attribute n. This attribute is part of the key"
    );
    assert_eq!(
        db.ok(
            "GetItem",
            json!({"TableName": "Music", "Key": key, "AttributesToGet": ["plays", "log"]})
        ),
        json!({"Item": {"plays": n("7"), "log": {"L": [s("one"), s("two")]}}})
    );
}

#[test]
fn key_conditions_filters_and_attributes_to_get_read_as_dynamodb_does() {
    let db = TestDb::open("legacy-reads");
    create_music(&db);
    for n in 1..=6 {
        put_song(
            &db,
            n,
            json!({"plays": {"N": (n * 10).to_string()}, "genre": s(if n % 2 == 0 { "rock" } else { "jazz" })}),
        );
    }
    let between = json!({"artist": {"ComparisonOperator": "EQ", "AttributeValueList": [s("a")]},
                         "n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [n("2"), n("5")]}});
    let page = db.ok(
        "Query",
        json!({"TableName": "Music", "KeyConditions": between, "Limit": 3, "AttributesToGet": ["n"]}),
    );
    assert_eq!(
        page,
        json!({"Items": [{"n": n("2")}, {"n": n("3")}, {"n": n("4")}], "Count": 3, "ScannedCount": 3,
               "LastEvaluatedKey": {"artist": s("a"), "n": n("4")}})
    );
    let rest = db.ok(
        "Query",
        json!({"TableName": "Music", "KeyConditions": between, "ExclusiveStartKey": page["LastEvaluatedKey"],
               "QueryFilter": {"genre": {"ComparisonOperator": "EQ", "AttributeValueList": [s("jazz")]}},
               "AttributesToGet": ["n"]}),
    );
    assert_eq!(rest["Items"], json!([{"n": n("5")}]));
    assert_eq!(rest["ScannedCount"], 1);
    // KeyConditions with the caller's own expressions and placeholders.
    let mixed = db.ok(
        "Query",
        json!({"TableName": "Music", "KeyConditions": between,
               "FilterExpression": "#l0 = :l0", "ProjectionExpression": "n, #l0",
               "ExpressionAttributeNames": {"#l0": "genre"},
               "ExpressionAttributeValues": {":l0": s("rock")}}),
    );
    assert_eq!(
        mixed["Items"],
        json!([{"n": n("2"), "genre": s("rock")}, {"n": n("4"), "genre": s("rock")}])
    );
    // The engine checks KeyConditions against the key schema, with
    // DynamoDB's texts for both forms.
    for (conditions, message) in [
        (
            json!({"n": {"ComparisonOperator": "EQ", "AttributeValueList": [n("1")]}}),
            "Query condition missed key schema element: artist",
        ),
        (
            json!({"artist": {"ComparisonOperator": "GT", "AttributeValueList": [s("a")]}}),
            "Query key condition not supported",
        ),
    ] {
        let error = db
            .call(
                "Query",
                json!({"TableName": "Music", "KeyConditions": conditions}),
            )
            .unwrap_err();
        assert_eq!(error["message"], message);
    }
    let scanned = db.ok(
        "Scan",
        json!({"TableName": "Music", "AttributesToGet": ["n"], "ConditionalOperator": "OR",
               "ScanFilter": {"plays": {"ComparisonOperator": "LT", "AttributeValueList": [n("20")]},
                              "genre": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [s("ro")]},
                              "n": {"ComparisonOperator": "IN", "AttributeValueList": [n("5")]}}}),
    );
    assert_eq!(
        scanned["Items"],
        json!([{"n": n("1")}, {"n": n("2")}, {"n": n("4")}, {"n": n("5")}, {"n": n("6")}])
    );
    let batch = db.ok(
        "BatchGetItem",
        json!({"RequestItems": {"Music": {"Keys": [{"artist": s("a"), "n": n("3")}],
                                          "AttributesToGet": ["plays"]}}}),
    );
    assert_eq!(batch["Responses"]["Music"], json!([{"plays": n("30")}]));
}

/// Whether an error could only have come from the engine's expression
/// parser reading a generated expression (it names one, or a placeholder).
fn from_the_parser(error: &Value) -> bool {
    let message = error["message"].as_str().unwrap_or_default();
    message.contains("Expression") || message.contains("#l") || message.contains(":l")
}

#[test]
fn every_translation_the_decoder_admits_is_one_the_engine_runs() {
    let db = TestDb::open("legacy-admitted");
    create_music(&db);
    put_song(
        &db,
        1,
        json!({"s": s("abc"), "l": {"L": [n("1")]}, "ss": {"SS": ["x"]}}),
    );
    let values = [
        s("ab"),
        n("1"),
        n("2"),
        json!({"B": "AQ=="}),
        json!({"BOOL": true}),
        json!({"NULL": true}),
        json!({"SS": ["x"]}),
        json!({"NS": ["1"]}),
        json!({"BS": ["AQ=="]}),
        json!({"L": [n("1")]}),
        json!({"M": {"k": s("v")}}),
    ];
    let mut lists = vec![json!([])];
    for v in &values {
        lists.push(json!([v]));
        for w in &values {
            lists.push(json!([v, w]));
        }
    }
    let operators = [
        "EQ",
        "NE",
        "LE",
        "LT",
        "GE",
        "GT",
        "NOT_NULL",
        "NULL",
        "CONTAINS",
        "NOT_CONTAINS",
        "BEGINS_WITH",
        "IN",
        "BETWEEN",
    ];
    let key = json!({"artist": s("a"), "n": n("1")});
    let mut admitted = 0usize;
    for operator in operators {
        for list in &lists {
            let condition = json!({"ComparisonOperator": operator, "AttributeValueList": list});
            let bodies = [
                (
                    "Scan",
                    json!({"TableName": "Music", "ConditionalOperator": "OR",
                           "ScanFilter": {"s": condition, "odd name.x": condition}}),
                ),
                (
                    "Query",
                    json!({"TableName": "Music", "QueryFilter": {"l": condition},
                           "KeyConditions": {"artist": {"ComparisonOperator": "EQ", "AttributeValueList": [s("a")]},
                                             "n": condition}}),
                ),
                (
                    "UpdateItem",
                    json!({"TableName": "Music", "Key": key, "Expected": {"ss": condition},
                           "AttributeUpdates": {"touched": {"Action": "ADD", "Value": n("1")}}}),
                ),
            ];
            for (operation, body) in bodies {
                if decode_request(operation, &body).is_err() {
                    continue;
                }
                admitted += 1;
                if let Err(error) = db.call(operation, body.clone()) {
                    assert!(!from_the_parser(&error), "{operation} {body}: {error}");
                }
            }
        }
    }
    assert!(admitted > 100, "{admitted}");
    for (index, value) in values.iter().enumerate() {
        for action in ["PUT", "ADD", "DELETE"] {
            let update = json!({"Action": action, "Value": value});
            let body = json!({"TableName": "Music", "Key": key,
                              "AttributeUpdates": {format!("u{index}{action}"): update}});
            if decode_request("UpdateItem", &body).is_ok() {
                db.ok("UpdateItem", body);
            }
        }
    }
}
