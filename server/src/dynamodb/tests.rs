//! Decoding from boto3-shaped bodies, the error for every wrong type, and
//! round trips through a real `Db`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use dynacore::{
    AttributeDefinition, BatchGetItemRequest, BatchWriteItemRequest, BillingMode,
    CreateTableRequest, Db, DeleteItemRequest, Durability, GetItemRequest, Item, KeyRole,
    KeySchemaElement, KeyType, KeysAndAttributes, ListTablesRequest, ProvisionedThroughput,
    PutItemRequest, QueryRequest, ReturnValues, ReturnValuesOnConditionCheckFailure, ScanRequest,
    Select, UpdateItemRequest, UpdateTableRequest, WriteRequest,
};
use serde_json::{Value, json};

use super::{DynamoError, decode_request, encode_response, messages};
use crate::exec::{Execution, execute};
use crate::json::item_from_json;
use crate::protocol::{ErrorCode, ErrorReply, Request};

fn item(value: Value) -> Item {
    item_from_json(&value).expect("test item")
}

fn names(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn decode(operation: &str, body: Value) -> Request {
    decode_request(operation, &body).unwrap_or_else(|e| panic!("{operation}: {e}"))
}

fn refused(operation: &str, body: Value) -> DynamoError {
    match decode_request(operation, &body) {
        Ok(request) => panic!("{operation} decoded {request:?}"),
        Err(e) => e,
    }
}

#[test]
fn put_item_decodes_every_member() {
    let request = decode(
        "PutItem",
        json!({
            "TableName": "Music",
            "Item": {"pk": {"S": "a"}, "n": {"N": "1"}},
            "ConditionExpression": "attribute_not_exists(#p) OR n < :max",
            "ExpressionAttributeNames": {"#p": "pk"},
            "ExpressionAttributeValues": {":max": {"N": "5"}},
            "ReturnValues": "ALL_OLD",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            "ReturnConsumedCapacity": "TOTAL",
            "ReturnItemCollectionMetrics": "NONE",
        }),
    );
    assert_eq!(
        request,
        Request::PutItem(PutItemRequest {
            table_name: "Music".into(),
            item: item(json!({"pk": {"S": "a"}, "n": {"N": "1"}})),
            condition_expression: Some("attribute_not_exists(#p) OR n < :max".into()),
            expression_attribute_names: Some(names(&[("#p", "pk")])),
            expression_attribute_values: Some(item(json!({":max": {"N": "5"}}))),
            return_values: ReturnValues::AllOld,
            return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure::AllOld,
        })
    );
}

#[test]
fn get_update_and_delete_item_decode_every_member() {
    let key = json!({"pk": {"S": "a"}, "sk": {"N": "2"}});
    assert_eq!(
        decode(
            "GetItem",
            json!({"TableName": "t1", "Key": key, "ProjectionExpression": "#a, b",
                   "ExpressionAttributeNames": {"#a": "a"}, "ConsistentRead": true}),
        ),
        Request::GetItem(GetItemRequest {
            table_name: "t1".into(),
            key: item(key.clone()),
            projection_expression: Some("#a, b".into()),
            expression_attribute_names: Some(names(&[("#a", "a")])),
            consistent_read: true,
        })
    );
    assert_eq!(
        decode(
            "UpdateItem",
            json!({"TableName": "t1", "Key": key, "UpdateExpression": "SET n = n + :one",
                   "ConditionExpression": "attribute_exists(pk)",
                   "ExpressionAttributeValues": {":one": {"N": "1"}},
                   "ReturnValues": "UPDATED_NEW"}),
        ),
        Request::UpdateItem(UpdateItemRequest {
            table_name: "t1".into(),
            key: item(key.clone()),
            update_expression: Some("SET n = n + :one".into()),
            condition_expression: Some("attribute_exists(pk)".into()),
            expression_attribute_names: None,
            expression_attribute_values: Some(item(json!({":one": {"N": "1"}}))),
            return_values: ReturnValues::UpdatedNew,
            return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure::None,
        })
    );
    assert_eq!(
        decode(
            "DeleteItem",
            json!({"TableName": "t1", "Key": key, "ReturnValues": "NONE",
                   "ConditionExpression": null}),
        ),
        Request::DeleteItem(DeleteItemRequest {
            table_name: "t1".into(),
            key: item(key),
            ..DeleteItemRequest::default()
        })
    );
}

#[test]
fn query_and_scan_decode_every_member() {
    assert_eq!(
        decode(
            "Query",
            json!({"TableName": "t1", "IndexName": "byN",
                   "KeyConditionExpression": "pk = :p AND sk > :s",
                   "FilterExpression": "n > :n", "ProjectionExpression": "pk, n",
                   "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "1"}, ":n": {"N": "0"}},
                   "ScanIndexForward": false, "Limit": 10,
                   "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"N": "3"}},
                   "Select": "SPECIFIC_ATTRIBUTES", "ConsistentRead": true}),
        ),
        Request::Query(QueryRequest {
            table_name: "t1".into(),
            index_name: Some("byN".into()),
            key_condition_expression: Some("pk = :p AND sk > :s".into()),
            filter_expression: Some("n > :n".into()),
            projection_expression: Some("pk, n".into()),
            expression_attribute_names: None,
            expression_attribute_values: Some(item(
                json!({":p": {"S": "a"}, ":s": {"N": "1"}, ":n": {"N": "0"}})
            )),
            scan_index_forward: false,
            limit: Some(10),
            exclusive_start_key: Some(item(json!({"pk": {"S": "a"}, "sk": {"N": "3"}}))),
            select: Some(Select::SpecificAttributes),
            consistent_read: true,
        })
    );
    assert_eq!(
        decode(
            "Scan",
            json!({"TableName": "t1", "FilterExpression": "#n > :n",
                   "ExpressionAttributeNames": {"#n": "n"},
                   "ExpressionAttributeValues": {":n": {"N": "0"}},
                   "Limit": 5, "Select": "COUNT", "Segment": 1, "TotalSegments": 4}),
        ),
        Request::Scan(ScanRequest {
            table_name: "t1".into(),
            filter_expression: Some("#n > :n".into()),
            expression_attribute_names: Some(names(&[("#n", "n")])),
            expression_attribute_values: Some(item(json!({":n": {"N": "0"}}))),
            limit: Some(5),
            select: Some(Select::Count),
            segment: Some(1),
            total_segments: Some(4),
            ..ScanRequest::default()
        })
    );
    assert_eq!(
        decode("Query", json!({"TableName": "t1"})),
        Request::Query(QueryRequest {
            table_name: "t1".into(),
            ..QueryRequest::default()
        })
    );
}

#[test]
fn batches_decode_every_member() {
    let mut get = BatchGetItemRequest::default();
    get.request_items.insert(
        "t1".into(),
        KeysAndAttributes {
            keys: vec![
                item(json!({"pk": {"S": "a"}})),
                item(json!({"pk": {"S": "b"}})),
            ],
            projection_expression: Some("#p".into()),
            expression_attribute_names: Some(names(&[("#p", "pk")])),
            consistent_read: true,
        },
    );
    assert_eq!(
        decode(
            "BatchGetItem",
            json!({"RequestItems": {"t1": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}],
                   "ProjectionExpression": "#p", "ExpressionAttributeNames": {"#p": "pk"},
                   "ConsistentRead": true}}, "ReturnConsumedCapacity": "NONE"}),
        ),
        Request::BatchGetItem(get)
    );
    let mut write = BatchWriteItemRequest::default();
    write.request_items.insert(
        "t1".into(),
        vec![
            WriteRequest::Put {
                item: item(json!({"pk": {"S": "a"}, "v": {"BOOL": true}})),
            },
            WriteRequest::Delete {
                key: item(json!({"pk": {"S": "b"}})),
            },
        ],
    );
    assert_eq!(
        decode(
            "BatchWriteItem",
            json!({"RequestItems": {"t1": [
                {"PutRequest": {"Item": {"pk": {"S": "a"}, "v": {"BOOL": true}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "b"}}}}]}}),
        ),
        Request::BatchWriteItem(write)
    );
}

#[test]
fn table_operations_decode_every_member() {
    assert_eq!(
        decode(
            "CreateTable",
            json!({"TableName": "t1",
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "sk", "KeyType": "RANGE"}],
                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                            {"AttributeName": "sk", "AttributeType": "N"}],
                   "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}}),
        ),
        Request::CreateTable(CreateTableRequest {
            table_name: "t1".into(),
            key_schema: vec![
                KeySchemaElement::new("pk", KeyRole::Hash),
                KeySchemaElement::new("sk", KeyRole::Range),
            ],
            attribute_definitions: vec![
                AttributeDefinition::new("pk", KeyType::S),
                AttributeDefinition::new("sk", KeyType::N),
            ],
            billing_mode: BillingMode::Provisioned,
            provisioned_throughput: Some(ProvisionedThroughput::new(5, 7)),
        })
    );
    assert_eq!(
        decode("DescribeTable", json!({"TableName": "t1"})),
        Request::DescribeTable {
            table_name: "t1".into(),
            with_stats: true
        }
    );
    assert_eq!(
        decode("DeleteTable", json!({"TableName": "t1"})),
        Request::DeleteTable {
            table_name: "t1".into()
        }
    );
    assert_eq!(
        decode(
            "ListTables",
            json!({"ExclusiveStartTableName": "a", "Limit": 3})
        ),
        Request::ListTables(ListTablesRequest {
            exclusive_start_table_name: Some("a".into()),
            limit: Some(3),
        })
    );
    assert_eq!(
        decode("ListTables", json!({})),
        Request::ListTables(ListTablesRequest::default())
    );
    assert_eq!(
        decode(
            "UpdateTable",
            json!({"TableName": "t1", "BillingMode": "PAY_PER_REQUEST"})
        ),
        Request::UpdateTable(UpdateTableRequest {
            table_name: "t1".into(),
            billing_mode: Some(BillingMode::PayPerRequest),
            provisioned_throughput: None,
        })
    );
}

/// One wrong-typed member: the operation, the body, and the error.
struct Case {
    operation: &'static str,
    body: Value,
    type_name: &'static str,
    message: String,
}

fn case(operation: &'static str, body: Value, type_name: &'static str, message: &str) -> Case {
    Case {
        operation,
        body,
        type_name,
        message: message.to_owned(),
    }
}

#[test]
fn every_member_of_the_wrong_type_is_refused_with_its_message() {
    let key = json!({"pk": {"S": "a"}});
    let structure = messages::STRUCTURE_NOT_EXPECTED;
    let list = messages::LIST_NOT_EXPECTED;
    let ser = "SerializationException";
    let val = "ValidationException";
    let number_string = messages::scalar_not("NUMBER_VALUE", "String");
    let string_bool = messages::scalar_not("STRING_VALUE", "Boolean");
    let string_int = messages::string_not_integer("Integer");
    let cases = vec![
        case("PutItem", json!([]), ser, messages::BODY_NOT_OBJECT),
        case(
            "PutItem",
            json!({"TableName": 5, "Item": key}),
            ser,
            &number_string,
        ),
        case(
            "PutItem",
            json!({"TableName": {}, "Item": key}),
            ser,
            structure,
        ),
        case(
            "PutItem",
            json!({"TableName": ["t"], "Item": key}),
            ser,
            list,
        ),
        case("PutItem", json!({"TableName": "t1", "Item": []}), ser, list),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": "x"}),
            ser,
            &messages::scalar_not("STRING_VALUE", "Map"),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": key, "ConditionExpression": true}),
            ser,
            &messages::scalar_not("TRUE_VALUE", "String"),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": key, "ExpressionAttributeNames": [1]}),
            ser,
            list,
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": key, "ExpressionAttributeNames": {"#a": 1}}),
            val,
            "One or more parameter values were invalid: ExpressionAttributeNames[\"#a\"]: a name must be a string, not a number",
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": key, "ExpressionAttributeValues": 1}),
            ser,
            &messages::scalar_not("NUMBER_VALUE", "Map"),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": 1}}}),
            ser,
            &number_string,
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"N": 1}}}),
            ser,
            &number_string,
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "b": {"BOOL": "true"}}}),
            ser,
            &messages::scalar_not("STRING_VALUE", "Boolean"),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "l": {"L": {}}}}),
            ser,
            structure,
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "m": {"M": []}}}),
            ser,
            list,
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "m": {"M": {"x": {"L": [{"S": false}]}}}}}),
            ser,
            &messages::scalar_not("FALSE_VALUE", "String"),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "ns": {"NS": [1]}}}),
            ser,
            &number_string,
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": "a"}}),
            ser,
            &messages::scalar_not("STRING_VALUE", "Structure"),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "x": {"Q": "1"}}}),
            val,
            "One or more parameter values were invalid: Item.x: unknown attribute type \"Q\"",
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "n": {"N": "abc"}}}),
            val,
            "One or more parameter values were invalid: Item.n.N: The parameter cannot be converted to a numeric value: abc",
        ),
        case(
            "GetItem",
            json!({"TableName": "t1", "Key": {"pk": {"B": 7}}}),
            ser,
            &number_string,
        ),
        case(
            "Query",
            json!({"TableName": "t1", "ExpressionAttributeValues": {":v": {"SS": "a"}}}),
            ser,
            &messages::scalar_not("STRING_VALUE", "List"),
        ),
        case(
            "BatchGetItem",
            json!({"RequestItems": {"t1": {"Keys": [{"pk": {"S": 1}}]}}}),
            ser,
            &number_string,
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": key, "ReturnValues": 1}),
            ser,
            &number_string,
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": key, "ReturnValues": "BOGUS"}),
            val,
            &messages::enum_value(
                "BOGUS",
                "returnValues",
                &["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"],
            ),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": key, "ReturnValuesOnConditionCheckFailure": "ALL_NEW"}),
            val,
            &messages::enum_value(
                "ALL_NEW",
                "returnValuesOnConditionCheckFailure",
                &["ALL_OLD", "NONE"],
            ),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": key, "ReturnConsumedCapacity": "ALL"}),
            val,
            &messages::enum_value(
                "ALL",
                "returnConsumedCapacity",
                &["INDEXES", "TOTAL", "NONE"],
            ),
        ),
        case(
            "PutItem",
            json!({"Item": key}),
            val,
            &messages::member_null("tableName"),
        ),
        case(
            "PutItem",
            json!({"TableName": "t1"}),
            val,
            &messages::member_null("item"),
        ),
        case(
            "GetItem",
            json!({"TableName": "t1", "Key": key, "ConsistentRead": "yes"}),
            ser,
            &string_bool,
        ),
        case(
            "GetItem",
            json!({"TableName": "t1", "Key": key, "ProjectionExpression": 1}),
            ser,
            &number_string,
        ),
        case(
            "GetItem",
            json!({"TableName": "t1", "Key": 1}),
            ser,
            &messages::scalar_not("NUMBER_VALUE", "Map"),
        ),
        case(
            "GetItem",
            json!({"TableName": "t1"}),
            val,
            &messages::member_null("key"),
        ),
        case(
            "UpdateItem",
            json!({"TableName": "t1", "Key": key, "UpdateExpression": []}),
            ser,
            list,
        ),
        case(
            "DeleteItem",
            json!({"TableName": "t1", "Key": key, "ReturnValues": false}),
            ser,
            &messages::scalar_not("FALSE_VALUE", "String"),
        ),
        case(
            "Query",
            json!({"TableName": "t1", "KeyConditionExpression": 1}),
            ser,
            &number_string,
        ),
        case(
            "Query",
            json!({"TableName": "t1", "FilterExpression": {}}),
            ser,
            structure,
        ),
        case(
            "Query",
            json!({"TableName": "t1", "ScanIndexForward": "false"}),
            ser,
            &string_bool,
        ),
        case(
            "Query",
            json!({"TableName": "t1", "Limit": "10"}),
            ser,
            &string_int,
        ),
        case(
            "Query",
            json!({"TableName": "t1", "Limit": 0}),
            val,
            &messages::at_least(0, "limit", 1),
        ),
        case(
            "Query",
            json!({"TableName": "t1", "Limit": -3}),
            val,
            &messages::at_least(-3, "limit", 1),
        ),
        case(
            "Query",
            json!({"TableName": "t1", "ExclusiveStartKey": []}),
            ser,
            list,
        ),
        case(
            "Query",
            json!({"TableName": "t1", "Select": "SOME"}),
            val,
            &messages::enum_value(
                "SOME",
                "select",
                &[
                    "SPECIFIC_ATTRIBUTES",
                    "COUNT",
                    "ALL_ATTRIBUTES",
                    "ALL_PROJECTED_ATTRIBUTES",
                ],
            ),
        ),
        case(
            "Query",
            json!({"TableName": "t1", "IndexName": 3}),
            ser,
            &number_string,
        ),
        case(
            "Scan",
            json!({"TableName": "t1", "Segment": "1", "TotalSegments": 2}),
            ser,
            &string_int,
        ),
        case(
            "Scan",
            json!({"TableName": "t1", "Segment": -1, "TotalSegments": 2}),
            val,
            &messages::at_least(-1, "segment", 0),
        ),
        case(
            "Scan",
            json!({"TableName": "t1", "Segment": 0, "TotalSegments": 0}),
            val,
            &messages::at_least(0, "totalSegments", 1),
        ),
        case(
            "Scan",
            json!({"TableName": "t1", "Segment": 0, "TotalSegments": 1_000_001}),
            val,
            &messages::at_most(1_000_001, "totalSegments", 1_000_000),
        ),
        case(
            "Scan",
            json!({"TableName": "t1", "ConsistentRead": 1}),
            ser,
            &messages::scalar_not("NUMBER_VALUE", "Boolean"),
        ),
        case(
            "BatchGetItem",
            json!({}),
            val,
            &messages::member_null("requestItems"),
        ),
        case("BatchGetItem", json!({"RequestItems": []}), ser, list),
        case(
            "BatchGetItem",
            json!({"RequestItems": {"t1": []}}),
            ser,
            list,
        ),
        case(
            "BatchGetItem",
            json!({"RequestItems": {"t1": {"Keys": {}}}}),
            ser,
            structure,
        ),
        case(
            "BatchGetItem",
            json!({"RequestItems": {"t1": {"Keys": [1]}}}),
            ser,
            &messages::scalar_not("NUMBER_VALUE", "Structure"),
        ),
        case(
            "BatchGetItem",
            json!({"RequestItems": {"t1": {}}}),
            val,
            &messages::member_null("requestItems.keys"),
        ),
        case(
            "BatchWriteItem",
            json!({"RequestItems": {"t1": {}}}),
            ser,
            structure,
        ),
        case(
            "BatchWriteItem",
            json!({"RequestItems": {"t1": [{}]}}),
            val,
            messages::WRITE_REQUEST_ONE_OF,
        ),
        case(
            "BatchWriteItem",
            json!({"RequestItems": {"t1": [{"PutRequest": {"Item": key}, "DeleteRequest": {"Key": key}}]}}),
            val,
            messages::WRITE_REQUEST_ONE_OF,
        ),
        case(
            "BatchWriteItem",
            json!({"RequestItems": {"t1": [{"PutRequest": []}]}}),
            ser,
            list,
        ),
        case(
            "BatchWriteItem",
            json!({"RequestItems": {"t1": [{"PutRequest": {}}]}}),
            val,
            &messages::member_null("requestItems.member.putRequest.item"),
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": {}, "AttributeDefinitions": []}),
            ser,
            structure,
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": [], "AttributeDefinitions": {}}),
            ser,
            structure,
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "AttributeDefinitions": []}),
            val,
            &messages::member_null("keySchema"),
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": [{"AttributeName": "pk", "KeyType": "PRIMARY"}], "AttributeDefinitions": []}),
            val,
            &messages::enum_value("PRIMARY", "keySchema.1.member.keyType", &["HASH", "RANGE"]),
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": [], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "BOOL"}]}),
            val,
            &messages::enum_value(
                "BOOL",
                "attributeDefinitions.1.member.attributeType",
                &["B", "N", "S"],
            ),
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": [{"KeyType": "HASH"}], "AttributeDefinitions": []}),
            val,
            &messages::member_null("keySchema.1.member.attributeName"),
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": [], "AttributeDefinitions": [], "BillingMode": "FREE"}),
            val,
            &messages::enum_value("FREE", "billingMode", &["PROVISIONED", "PAY_PER_REQUEST"]),
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": [], "AttributeDefinitions": [],
                                   "ProvisionedThroughput": {"ReadCapacityUnits": "5", "WriteCapacityUnits": 5}}),
            ser,
            &messages::string_not_integer("Long"),
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": [], "AttributeDefinitions": [],
                                   "ProvisionedThroughput": {"ReadCapacityUnits": 5}}),
            val,
            &messages::member_null("provisionedThroughput.writeCapacityUnits"),
        ),
        case(
            "CreateTable",
            json!({"TableName": "t1", "KeySchema": [], "AttributeDefinitions": [],
                                   "GlobalSecondaryIndexes": []}),
            val,
            &messages::member_not_supported("GlobalSecondaryIndexes"),
        ),
        case(
            "DescribeTable",
            json!({"TableName": 1}),
            ser,
            &number_string,
        ),
        case(
            "DescribeTable",
            json!({}),
            val,
            &messages::member_null("tableName"),
        ),
        case("DeleteTable", json!({"TableName": []}), ser, list),
        case("ListTables", json!({"Limit": "3"}), ser, &string_int),
        case(
            "ListTables",
            json!({"ExclusiveStartTableName": 3}),
            ser,
            &number_string,
        ),
        case(
            "UpdateTable",
            json!({"TableName": "t1", "BillingMode": 1}),
            ser,
            &number_string,
        ),
        case(
            "UpdateTable",
            json!({"TableName": "t1", "ProvisionedThroughput": []}),
            ser,
            list,
        ),
    ];
    let count = cases.len();
    for Case {
        operation,
        body,
        type_name,
        message,
    } in cases
    {
        let error = refused(operation, body.clone());
        assert_eq!(
            (error.type_name, error.message.as_str(), error.status),
            (type_name, message.as_str(), 400),
            "{operation} {body}"
        );
    }
    assert!(count >= 60, "{count} cases");
}

#[test]
fn legacy_parameters_are_answered_as_not_supported_yet() {
    let key = json!({"pk": {"S": "a"}});
    let cases = [
        (
            "PutItem",
            json!({"TableName": "t1", "Item": key, "Expected": {}}),
            "Expected",
            "ConditionExpression",
        ),
        (
            "UpdateItem",
            json!({"TableName": "t1", "Key": key, "AttributeUpdates": {}}),
            "AttributeUpdates",
            "UpdateExpression",
        ),
        (
            "Query",
            json!({"TableName": "t1", "KeyConditions": {}}),
            "KeyConditions",
            "KeyConditionExpression",
        ),
        (
            "Query",
            json!({"TableName": "t1", "QueryFilter": {}}),
            "QueryFilter",
            "FilterExpression",
        ),
        (
            "Scan",
            json!({"TableName": "t1", "ScanFilter": {}}),
            "ScanFilter",
            "FilterExpression",
        ),
        (
            "GetItem",
            json!({"TableName": "t1", "Key": key, "AttributesToGet": ["a"]}),
            "AttributesToGet",
            "ProjectionExpression",
        ),
        (
            "DeleteItem",
            json!({"TableName": "t1", "Key": key, "ConditionalOperator": "AND"}),
            "ConditionalOperator",
            "ConditionExpression or FilterExpression",
        ),
        (
            "BatchGetItem",
            json!({"RequestItems": {"t1": {"Keys": [key], "AttributesToGet": ["a"]}}}),
            "AttributesToGet",
            "ProjectionExpression",
        ),
    ];
    for (operation, body, parameter, replacement) in cases {
        let error = refused(operation, body);
        assert_eq!(error.type_name, "ValidationException");
        assert_eq!(
            error.message,
            messages::legacy_not_supported(parameter, replacement)
        );
    }
}

#[test]
fn unknown_operations_are_unknown_operation_exceptions() {
    for operation in ["TransactWriteItems", "DescribeEndpoints", "", "putitem"] {
        let error = refused(operation, json!({}));
        assert_eq!(error.type_name, "UnknownOperationException");
        assert_eq!(error.status, 400);
        assert_eq!(
            error.to_json(),
            json!({"__type": "com.amazonaws.dynamodb.v20120810#UnknownOperationException",
                   "message": messages::unknown_operation(operation)})
        );
    }
}

#[test]
fn engine_errors_map_to_dynamodb_types_and_statuses() {
    let expected = [
        (ErrorCode::Validation, "ValidationException", 400),
        (
            ErrorCode::ResourceNotFound,
            "ResourceNotFoundException",
            400,
        ),
        (ErrorCode::ResourceInUse, "ResourceInUseException", 400),
        (
            ErrorCode::ConditionalCheckFailed,
            "ConditionalCheckFailedException",
            400,
        ),
        (ErrorCode::Throttling, "ThrottlingException", 400),
        (ErrorCode::Internal, "InternalServerError", 500),
        (ErrorCode::Malformed, "SerializationException", 400),
        (
            ErrorCode::UnknownOperation,
            "UnknownOperationException",
            400,
        ),
        (ErrorCode::FrameTooLarge, "RequestEntityTooLarge", 413),
        (ErrorCode::ShuttingDown, "ServiceUnavailable", 503),
        (ErrorCode::TooManyRequests, "ThrottlingException", 400),
    ];
    for (code, type_name, status) in expected {
        let error = DynamoError::from_engine(&ErrorReply::new(code, "why"));
        assert_eq!((error.type_name, error.status), (type_name, status));
        assert_eq!(
            error.to_json(),
            json!({"__type": format!("com.amazonaws.dynamodb.v20120810#{type_name}"), "message": "why"})
        );
    }
    let mut reply = ErrorReply::new(
        ErrorCode::ConditionalCheckFailed,
        "The conditional request failed",
    );
    reply.item = Some(item(json!({"pk": {"S": "a"}})));
    assert_eq!(
        DynamoError::from_engine(&reply).to_json(),
        json!({"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
               "message": "The conditional request failed", "Item": {"pk": {"S": "a"}}})
    );
}

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a pending write to completion on this thread (its group commit
/// wakes it from the shard).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

struct TestDb {
    db: Db,
    dir: std::path::PathBuf,
}

impl TestDb {
    fn open(name: &str) -> TestDb {
        let dir =
            std::env::temp_dir().join(format!("dynacore-ddbjson-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = Db::builder(&dir)
            .shard_count(2)
            .durability(Durability::None)
            .open()
            .expect("open");
        TestDb { db, dir }
    }

    /// decode → execute → encode, as the listener will.
    fn call(&self, operation: &str, body: Value) -> Result<Value, Value> {
        let request = decode_request(operation, &body).map_err(|e| e.to_json())?;
        let result = match execute(&self.db, request) {
            Execution::Ready(result) => result,
            Execution::Pending(future) => block_on(future),
        };
        match result {
            Ok(response) => Ok(encode_response(operation, &response)),
            Err(reply) => Err(DynamoError::from_engine(&reply).to_json()),
        }
    }

    fn ok(&self, operation: &str, body: Value) -> Value {
        self.call(operation, body)
            .unwrap_or_else(|e| panic!("{operation}: {e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn create_music(db: &TestDb) -> Value {
    db.ok(
        "CreateTable",
        json!({"TableName": "Music",
               "KeySchema": [{"AttributeName": "artist", "KeyType": "HASH"},
                             {"AttributeName": "n", "KeyType": "RANGE"}],
               "AttributeDefinitions": [{"AttributeName": "artist", "AttributeType": "S"},
                                        {"AttributeName": "n", "AttributeType": "N"}],
               "BillingMode": "PAY_PER_REQUEST"}),
    )
}

#[test]
fn table_lifecycle_round_trips_in_dynamodb_shapes() {
    let db = TestDb::open("tables");
    let created = create_music(&db);
    let table = &created["TableDescription"];
    assert_eq!(table["TableName"], "Music");
    assert_eq!(
        table["TableArn"],
        "arn:aws:dynamodb:ddblocal:000000000000:table/Music"
    );
    assert_eq!(table["TableStatus"], "ACTIVE");
    assert_eq!(table["ItemCount"], 0);
    assert_eq!(table["TableSizeBytes"], 0);
    assert!(table["CreationDateTime"].is_number());
    assert_eq!(
        table["BillingModeSummary"]["BillingMode"],
        "PAY_PER_REQUEST"
    );
    assert_eq!(
        table["KeySchema"],
        json!([{"AttributeName": "artist", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}])
    );
    assert_eq!(
        table["AttributeDefinitions"],
        json!([{"AttributeName": "artist", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}])
    );
    let again = db.call(
        "CreateTable",
        json!({"TableName": "Music",
        "KeySchema": [{"AttributeName": "artist", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "artist", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"}),
    );
    assert_eq!(
        again.unwrap_err()["__type"],
        "com.amazonaws.dynamodb.v20120810#ResourceInUseException"
    );
    db.ok(
        "CreateTable",
        json!({"TableName": "Other",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}),
    );
    db.ok(
        "PutItem",
        json!({"TableName": "Music", "Item": {"artist": {"S": "a"}, "n": {"N": "1"}}}),
    );
    let described = db.ok("DescribeTable", json!({"TableName": "Music"}));
    assert_eq!(described["Table"]["ItemCount"], 1);
    assert!(described["Table"]["TableSizeBytes"].as_u64().unwrap() > 0);
    assert_eq!(
        db.ok("ListTables", json!({"Limit": 1})),
        json!({"TableNames": ["Music"], "LastEvaluatedTableName": "Music"})
    );
    assert_eq!(
        db.ok("ListTables", json!({"ExclusiveStartTableName": "Music"})),
        json!({"TableNames": ["Other"]})
    );
    let updated = db.ok(
        "UpdateTable",
        json!({"TableName": "Other",
        "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 4}}),
    );
    assert_eq!(
        updated["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"],
        10
    );
    let deleted = db.ok("DeleteTable", json!({"TableName": "Other"}));
    assert_eq!(deleted["TableDescription"]["TableName"], "Other");
    let missing = db
        .call("DescribeTable", json!({"TableName": "Other"}))
        .unwrap_err();
    assert_eq!(
        missing["__type"],
        "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    );
}

#[test]
fn item_operations_round_trip_with_attributes_and_condition_failures() {
    let db = TestDb::open("items");
    create_music(&db);
    let key = json!({"artist": {"S": "a"}, "n": {"N": "1"}});
    assert_eq!(
        db.ok("PutItem", json!({"TableName": "Music",
            "Item": {"artist": {"S": "a"}, "n": {"N": "1"}, "plays": {"N": "3"}, "tags": {"SS": ["x", "y"]}}})),
        json!({})
    );
    assert_eq!(
        db.ok(
            "GetItem",
            json!({"TableName": "Music", "Key": key, "ProjectionExpression": "plays, tags"})
        ),
        json!({"Item": {"plays": {"N": "3"}, "tags": {"SS": ["x", "y"]}}})
    );
    assert_eq!(
        db.ok(
            "GetItem",
            json!({"TableName": "Music", "Key": {"artist": {"S": "zz"}, "n": {"N": "1"}}})
        ),
        json!({})
    );
    assert_eq!(
        db.ok("UpdateItem", json!({"TableName": "Music", "Key": key,
            "UpdateExpression": "SET plays = plays + :one", "ExpressionAttributeValues": {":one": {"N": "1"}},
            "ReturnValues": "UPDATED_NEW"})),
        json!({"Attributes": {"plays": {"N": "4"}}})
    );
    let old = db.ok(
        "PutItem",
        json!({"TableName": "Music",
        "Item": {"artist": {"S": "a"}, "n": {"N": "1"}}, "ReturnValues": "ALL_OLD"}),
    );
    assert_eq!(old["Attributes"]["plays"], json!({"N": "4"}));
    let failed = db
        .call(
            "DeleteItem",
            json!({"TableName": "Music", "Key": key,
            "ConditionExpression": "attribute_exists(plays)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        )
        .unwrap_err();
    assert_eq!(
        failed,
        json!({"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
               "message": "The conditional request failed", "Item": key})
    );
    let invalid = db
        .call(
            "PutItem",
            json!({"TableName": "Music", "Item": key, "ReturnValues": "ALL_NEW"}),
        )
        .unwrap_err();
    assert_eq!(
        invalid,
        json!({"__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
               "message": "Return values set to invalid value"})
    );
    assert_eq!(
        db.ok(
            "DeleteItem",
            json!({"TableName": "Music", "Key": key, "ReturnValues": "ALL_OLD"})
        ),
        json!({"Attributes": key})
    );
}

#[test]
fn query_scan_and_batches_round_trip_with_counts_and_last_evaluated_keys() {
    let db = TestDb::open("reads");
    create_music(&db);
    let puts: Vec<Value> = (1..=5)
        .map(|n| json!({"PutRequest": {"Item": {"artist": {"S": "a"}, "n": {"N": n.to_string()}}}}))
        .collect();
    assert_eq!(
        db.ok("BatchWriteItem", json!({"RequestItems": {"Music": puts}})),
        json!({"UnprocessedItems": {}})
    );
    let page = db.ok(
        "Query",
        json!({"TableName": "Music",
        "KeyConditionExpression": "artist = :a", "ExpressionAttributeValues": {":a": {"S": "a"}},
        "Limit": 2, "ScanIndexForward": false}),
    );
    assert_eq!(page["Count"], 2);
    assert_eq!(page["ScannedCount"], 2);
    assert_eq!(page["Items"][0]["n"], json!({"N": "5"}));
    assert_eq!(
        page["LastEvaluatedKey"],
        json!({"artist": {"S": "a"}, "n": {"N": "4"}})
    );
    let next = db.ok(
        "Query",
        json!({"TableName": "Music",
        "KeyConditionExpression": "artist = :a", "ExpressionAttributeValues": {":a": {"S": "a"}},
        "ScanIndexForward": false, "ExclusiveStartKey": page["LastEvaluatedKey"]}),
    );
    assert_eq!(next["Count"], 3);
    assert!(next.get("LastEvaluatedKey").is_none());
    let scan = db.ok(
        "Scan",
        json!({"TableName": "Music", "FilterExpression": "n > :two",
        "ExpressionAttributeValues": {":two": {"N": "2"}}}),
    );
    assert_eq!(
        (scan["Count"].clone(), scan["ScannedCount"].clone()),
        (json!(3), json!(5))
    );
    let counted = db.ok("Scan", json!({"TableName": "Music", "Select": "COUNT"}));
    assert_eq!(counted["Count"], 5);
    let got = db.ok("BatchGetItem", json!({"RequestItems": {"Music": {
        "Keys": [{"artist": {"S": "a"}, "n": {"N": "1"}}, {"artist": {"S": "a"}, "n": {"N": "9"}}]}}}));
    assert_eq!(
        got,
        json!({"Responses": {"Music": [{"artist": {"S": "a"}, "n": {"N": "1"}}]}, "UnprocessedKeys": {}})
    );
    db.ok(
        "BatchWriteItem",
        json!({"RequestItems": {"Music": [
        {"DeleteRequest": {"Key": {"artist": {"S": "a"}, "n": {"N": "1"}}}}]}}),
    );
    assert_eq!(db.ok("Scan", json!({"TableName": "Music"}))["Count"], 4);
    let bad_key = db
        .call(
            "Query",
            json!({"TableName": "Music", "KeyConditionExpression": "n = :a",
            "ExpressionAttributeValues": {":a": {"N": "1"}}}),
        )
        .unwrap_err();
    assert_eq!(
        bad_key["__type"],
        "com.amazonaws.dynamodb.v20120810#ValidationException"
    );
}

#[test]
fn the_arn_is_dynamodb_locals() {
    assert_eq!(
        super::table_arn("t1"),
        "arn:aws:dynamodb:ddblocal:000000000000:table/t1"
    );
}

#[test]
fn any_json_in_any_member_is_answered_without_a_panic() {
    let members = [
        "TableName",
        "Item",
        "Key",
        "ConditionExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnValues",
        "ReturnValuesOnConditionCheckFailure",
        "UpdateExpression",
        "ProjectionExpression",
        "ConsistentRead",
        "KeyConditionExpression",
        "FilterExpression",
        "ScanIndexForward",
        "Limit",
        "ExclusiveStartKey",
        "Select",
        "Segment",
        "TotalSegments",
        "IndexName",
        "RequestItems",
        "KeySchema",
        "AttributeDefinitions",
        "BillingMode",
        "ProvisionedThroughput",
        "ExclusiveStartTableName",
    ];
    let values = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e300),
        json!(u64::MAX),
        json!("x"),
        json!([]),
        json!({}),
        json!([{}]),
        json!({"a": {}}),
        json!({"a": {"M": {"b": {"L": [{}]}}}}),
        json!({"t1": [{"PutRequest": {"Item": 1}}]}),
        json!({"t1": {"Keys": [{"k": {"S": []}}]}}),
        json!([{"AttributeName": 1, "KeyType": []}]),
        json!({"ReadCapacityUnits": -5, "WriteCapacityUnits": 1e40}),
    ];
    let operations = [
        "PutItem",
        "GetItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "CreateTable",
        "DescribeTable",
        "DeleteTable",
        "ListTables",
        "UpdateTable",
    ];
    let mut answered = 0usize;
    for operation in operations {
        for member in members {
            for value in &values {
                let body = json!({"TableName": "t1", member: value});
                match decode_request(operation, &body) {
                    Ok(_) => answered += 1,
                    Err(e) => {
                        assert!(matches!(e.status, 400), "{operation} {body}: {e}");
                        answered += 1;
                    }
                }
            }
        }
    }
    assert_eq!(answered, operations.len() * members.len() * values.len());
}
