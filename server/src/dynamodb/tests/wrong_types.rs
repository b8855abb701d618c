//! Every member of every operation with a wrong type, value or range.

use super::*;

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
            "The parameter cannot be converted to a numeric value: abc",
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "x": {"SS": ["a", "a"]}}}),
            val,
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "x": {"S": "a", "N": "1"}}}),
            val,
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ),
        case(
            "PutItem",
            json!({"TableName": "t1", "Item": {"pk": {"S": "a"}, "x": {}}}),
            val,
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
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
