//! Decode, run against a real `Db`, encode: DynamoDB-shaped answers.

use super::*;

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

pub(super) struct TestDb {
    db: Db,
    dir: std::path::PathBuf,
}

impl TestDb {
    pub(super) fn open(name: &str) -> TestDb {
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
    pub(super) fn call(&self, operation: &str, body: Value) -> Result<Value, Value> {
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

    pub(super) fn ok(&self, operation: &str, body: Value) -> Value {
        self.call(operation, body)
            .unwrap_or_else(|e| panic!("{operation}: {e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(super) fn create_music(db: &TestDb) -> Value {
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
        crate::dynamodb::table_arn("t1"),
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
        "Expected",
        "AttributeUpdates",
        "KeyConditions",
        "QueryFilter",
        "ScanFilter",
        "AttributesToGet",
        "ConditionalOperator",
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
        json!(["a", "a"]),
        json!({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}}),
        json!({"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "x"}, {"N": "1"}]}}),
        json!({"a": {"Exists": false, "Value": {"S": "x"}}}),
        json!({"a": {"Action": "ADD", "Value": {"L": []}}, "b": {"Action": "DELETE"}}),
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
