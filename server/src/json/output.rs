//! The engine's outputs as the AWS CLI prints them (and as DynamoDB's JSON
//! API returns them): `{"Item": ...}`, `{"Items": [...], "Count": n,
//! "ScannedCount": n, "LastEvaluatedKey": ...}`, `{"Table": ...}` ...
//! Absent optional members are left out, as DynamoDB does.

use std::collections::BTreeMap;

use dynacore::catalog::TableDescription;
use dynacore::{
    BatchGetItemOutput, BatchWriteItemOutput, BillingMode, Item, KeysAndAttributes,
    ListTablesOutput, Page, WriteOutput, WriteRequest,
};
use serde_json::{Map, Value, json};

use super::item_to_json;

fn items(list: &[Item]) -> Value {
    Value::Array(list.iter().map(item_to_json).collect())
}

/// GetItem: `{"Item": {...}}`, or `{}` when there is no such item.
pub fn get_item(item: Option<&Item>) -> Value {
    let mut out = Map::new();
    if let Some(item) = item {
        out.insert("Item".into(), item_to_json(item));
    }
    Value::Object(out)
}

/// PutItem, UpdateItem, DeleteItem: `{"Attributes": {...}}` or `{}`.
pub fn write_output(output: &WriteOutput) -> Value {
    let mut out = Map::new();
    if let Some(attributes) = &output.attributes {
        out.insert("Attributes".into(), item_to_json(attributes));
    }
    Value::Object(out)
}

/// Query, Scan: one page.
pub fn page(page: &Page) -> Value {
    let mut out = Map::new();
    out.insert("Items".into(), items(&page.items));
    out.insert("Count".into(), json!(page.count));
    out.insert("ScannedCount".into(), json!(page.scanned_count));
    if let Some(key) = &page.last_evaluated_key {
        out.insert("LastEvaluatedKey".into(), item_to_json(key));
    }
    Value::Object(out)
}

fn keys_and_attributes(k: &KeysAndAttributes) -> Value {
    let mut out = Map::new();
    out.insert("Keys".into(), items(&k.keys));
    if let Some(p) = &k.projection_expression {
        out.insert("ProjectionExpression".into(), json!(p));
    }
    if let Some(names) = &k.expression_attribute_names {
        out.insert("ExpressionAttributeNames".into(), json!(names));
    }
    if k.consistent_read {
        out.insert("ConsistentRead".into(), json!(true));
    }
    Value::Object(out)
}

/// BatchGetItem: `{"Responses": {T: [...]}, "UnprocessedKeys": {...}}`.
pub fn batch_get(output: &BatchGetItemOutput) -> Value {
    let responses: Map<String, Value> = output
        .responses
        .iter()
        .map(|(table, list)| (table.clone(), items(list)))
        .collect();
    let unprocessed: Map<String, Value> = output
        .unprocessed_keys
        .iter()
        .map(|(table, k)| (table.clone(), keys_and_attributes(k)))
        .collect();
    json!({"Responses": responses, "UnprocessedKeys": unprocessed})
}

/// One write of a BatchWriteItem: `{"PutRequest": {"Item": ...}}` or
/// `{"DeleteRequest": {"Key": ...}}`.
pub fn write_request(request: &WriteRequest) -> Value {
    match request {
        WriteRequest::Put { item } => json!({"PutRequest": {"Item": item_to_json(item)}}),
        WriteRequest::Delete { key } => json!({"DeleteRequest": {"Key": item_to_json(key)}}),
    }
}

/// BatchWriteItem: `{"UnprocessedItems": {T: [...]}}`.
pub fn batch_write(output: &BatchWriteItemOutput) -> Value {
    let unprocessed: BTreeMap<&String, Vec<Value>> = output
        .unprocessed_items
        .iter()
        .map(|(table, writes)| (table, writes.iter().map(write_request).collect()))
        .collect();
    json!({"UnprocessedItems": unprocessed})
}

/// ListTables: `{"TableNames": [...]}` (with `LastEvaluatedTableName` when
/// the page is full at `limit`).
pub fn list_tables(output: &ListTablesOutput, limit: Option<usize>) -> Value {
    let mut out = Map::new();
    out.insert("TableNames".into(), json!(output.table_names));
    if let (Some(limit), Some(last)) = (limit, output.table_names.last())
        && output.table_names.len() >= limit
    {
        out.insert("LastEvaluatedTableName".into(), json!(last));
    }
    Value::Object(out)
}

fn seconds(ms: u64) -> Value {
    json!(ms as f64 / 1000.0)
}

/// A table as DescribeTable's `Table` member (also CreateTable's and
/// DeleteTable's `TableDescription`). Times are seconds since the Unix
/// epoch, as DynamoDB's JSON carries them. `stats` is `(ItemCount,
/// TableSizeBytes)`, left out when unknown.
pub fn table_description(table: &TableDescription, stats: Option<(u64, u64)>) -> Value {
    let mut out = Map::new();
    let definitions: Vec<Value> = table
        .attribute_definitions
        .iter()
        .map(|d| json!({"AttributeName": d.attribute_name, "AttributeType": d.attribute_type.as_str()}))
        .collect();
    out.insert("AttributeDefinitions".into(), Value::Array(definitions));
    out.insert("TableName".into(), json!(table.name));
    let key_schema: Vec<Value> = table
        .key_schema()
        .iter()
        .map(|k| json!({"AttributeName": k.attribute_name, "KeyType": k.key_type.as_str()}))
        .collect();
    out.insert("KeySchema".into(), Value::Array(key_schema));
    out.insert("TableStatus".into(), json!(table.status.as_str()));
    out.insert(
        "CreationDateTime".into(),
        seconds(table.creation_date_time_ms),
    );
    let throughput = &table.provisioned_throughput;
    let mut provisioned = Map::new();
    if let Some(ms) = throughput.last_increase_date_time_ms {
        provisioned.insert("LastIncreaseDateTime".into(), seconds(ms));
    }
    if let Some(ms) = throughput.last_decrease_date_time_ms {
        provisioned.insert("LastDecreaseDateTime".into(), seconds(ms));
    }
    provisioned.insert("NumberOfDecreasesToday".into(), json!(0));
    provisioned.insert(
        "ReadCapacityUnits".into(),
        json!(throughput.read_capacity_units),
    );
    provisioned.insert(
        "WriteCapacityUnits".into(),
        json!(throughput.write_capacity_units),
    );
    out.insert("ProvisionedThroughput".into(), Value::Object(provisioned));
    if let Some((item_count, size_bytes)) = stats {
        out.insert("TableSizeBytes".into(), json!(size_bytes));
        out.insert("ItemCount".into(), json!(item_count));
    }
    out.insert(
        "TableArn".into(),
        json!(format!(
            "arn:aws:dynamodb:local:000000000000:table/{}",
            table.name
        )),
    );
    out.insert("TableId".into(), json!(table.id.0.to_string()));
    let mut billing = Map::new();
    billing.insert("BillingMode".into(), json!(table.billing_mode.as_str()));
    if let Some(ms) = table.last_update_to_pay_per_request_ms {
        billing.insert("LastUpdateToPayPerRequestDateTime".into(), seconds(ms));
    }
    if table.billing_mode == BillingMode::PayPerRequest
        || table.last_update_to_pay_per_request_ms.is_some()
    {
        out.insert("BillingModeSummary".into(), Value::Object(billing));
    }
    Value::Object(out)
}
