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

mod legacy;
mod legacy_errors;
mod round_trips;
mod wrong_types;
