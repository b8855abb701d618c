//! DynamoDB JSON request bodies to the engine's requests.
//!
//! Checks made here are the JSON shape ones: the body is an object, each
//! member has its JSON type, enums are in their value sets, required
//! members are present, integers are in range. Every rule of the request
//! itself (key shapes, expressions, limits) is the engine's, so the
//! binary protocol and this API give the same answers. Members this
//! layer does not know are ignored, as DynamoDB ignores them.

use std::collections::BTreeMap;

use dynacore::{
    AttributeDefinition, BatchGetItemRequest, BatchWriteItemRequest, BillingMode,
    CreateTableRequest, DeleteItemRequest, GetItemRequest, Item, KeyRole, KeySchemaElement,
    KeyType, KeysAndAttributes, ListTablesRequest, ProvisionedThroughput, PutItemRequest,
    QueryRequest, ReturnValues, ReturnValuesOnConditionCheckFailure, ScanRequest, Select,
    UpdateItemRequest, UpdateTableRequest, WriteRequest,
};
use serde_json::{Map, Value};

use crate::json::{JsonError, item_from_json, names_from_json};
use crate::protocol::Request;

use super::error::DynamoError;
use super::{legacy, messages};

pub(super) type Object = Map<String, Value>;

const RETURN_VALUES: [&str; 5] = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"];
const RETURN_VALUES_ON_FAILURE: [&str; 2] = ["ALL_OLD", "NONE"];
const RETURN_CONSUMED_CAPACITY: [&str; 3] = ["INDEXES", "TOTAL", "NONE"];
const RETURN_ITEM_COLLECTION_METRICS: [&str; 2] = ["SIZE", "NONE"];
const SELECT: [&str; 4] = [
    "SPECIFIC_ATTRIBUTES",
    "COUNT",
    "ALL_ATTRIBUTES",
    "ALL_PROJECTED_ATTRIBUTES",
];
const KEY_TYPES: [&str; 2] = ["HASH", "RANGE"];
const ATTRIBUTE_TYPES: [&str; 3] = ["B", "N", "S"];
const BILLING_MODES: [&str; 2] = ["PROVISIONED", "PAY_PER_REQUEST"];

/// CreateTable members dynacore does not have yet.
const CREATE_TABLE_UNSUPPORTED: [&str; 3] = [
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "StreamSpecification",
];

/// Decodes the body of `operation` (the `X-Amz-Target` suffix) into the
/// engine's request.
///
/// Errors: `UnknownOperationException` for an operation not listed in
/// the module docs; `SerializationException` for a body or member of the
/// wrong JSON type; `ValidationException` for a missing required member,
/// an enum value outside its set, an integer out of range, invalid
/// attribute-value JSON, or a legacy parameter (`Expected`,
/// `AttributesToGet` ...) that breaks one of DynamoDB's rules for it
/// (`legacy.rs`, which translates the others into expressions).
pub fn decode_request(operation: &str, body: &Value) -> Result<Request, DynamoError> {
    let decode: fn(&Object) -> Result<Request, DynamoError> = match operation {
        "PutItem" => put_item,
        "GetItem" => get_item,
        "UpdateItem" => update_item,
        "DeleteItem" => delete_item,
        "Query" => query,
        "Scan" => scan,
        "BatchGetItem" => batch_get_item,
        "BatchWriteItem" => batch_write_item,
        "CreateTable" => create_table,
        "DescribeTable" => describe_table,
        "DeleteTable" => delete_table,
        "ListTables" => list_tables,
        "UpdateTable" => update_table,
        _ => return Err(DynamoError::unknown_operation(operation)),
    };
    let Value::Object(object) = body else {
        return Err(DynamoError::serialization(messages::BODY_NOT_OBJECT));
    };
    decode(object)
}

/// DynamoDB's path for a member: `TableName` is `tableName`.
pub(super) fn path_of(prefix: &str, member: &str) -> String {
    let mut chars = member.chars();
    let lowered: String = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    if prefix.is_empty() {
        lowered
    } else {
        format!("{prefix}.{lowered}")
    }
}

pub(super) fn type_error(value: &Value, target: &str) -> DynamoError {
    DynamoError::serialization(match value {
        Value::Object(_) => messages::STRUCTURE_NOT_EXPECTED.to_owned(),
        Value::Array(_) => messages::LIST_NOT_EXPECTED.to_owned(),
        Value::String(_) if target == "Integer" || target == "Long" => {
            messages::string_not_integer(target)
        }
        Value::String(_) => messages::scalar_not("STRING_VALUE", target),
        Value::Number(_) => messages::scalar_not("NUMBER_VALUE", target),
        Value::Bool(true) => messages::scalar_not("TRUE_VALUE", target),
        Value::Bool(false) => messages::scalar_not("FALSE_VALUE", target),
        Value::Null => messages::scalar_not("NULL_VALUE", target),
    })
}

/// A member, treating JSON `null` as absent (as DynamoDB does).
pub(super) fn member<'a>(object: &'a Object, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|v| !v.is_null())
}

fn string(object: &Object, name: &str) -> Result<Option<String>, DynamoError> {
    match member(object, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(type_error(other, "String")),
    }
}

fn required_string(object: &Object, prefix: &str, name: &str) -> Result<String, DynamoError> {
    string(object, name)?
        .ok_or_else(|| DynamoError::validation(messages::member_null(&path_of(prefix, name))))
}

pub(super) fn boolean(object: &Object, name: &str) -> Result<Option<bool>, DynamoError> {
    match member(object, name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(type_error(other, "Boolean")),
    }
}

/// An integer member. A fractional JSON number is truncated, as
/// DynamoDB's number reader truncates it.
fn integer(object: &Object, name: &str, target: &str) -> Result<Option<i64>, DynamoError> {
    match member(object, name) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(Some(match n.as_i64() {
            Some(i) => i,
            None => n.as_f64().map_or(i64::MAX, |f| f as i64),
        })),
        Some(other) => Err(type_error(other, target)),
    }
}

fn bounded(
    object: &Object,
    name: &str,
    minimum: i64,
    maximum: i64,
) -> Result<Option<i64>, DynamoError> {
    let Some(value) = integer(object, name, "Integer")? else {
        return Ok(None);
    };
    let path = path_of("", name);
    if value < minimum {
        return Err(DynamoError::validation(messages::at_least(
            value, &path, minimum,
        )));
    }
    if value > maximum {
        return Err(DynamoError::validation(messages::at_most(
            value, &path, maximum,
        )));
    }
    Ok(Some(value))
}

pub(super) fn enumeration<'a>(
    object: &Object,
    prefix: &str,
    name: &str,
    allowed: &[&'a str],
) -> Result<Option<&'a str>, DynamoError> {
    let Some(text) = string(object, name)? else {
        return Ok(None);
    };
    match allowed.iter().find(|a| **a == text) {
        Some(found) => Ok(Some(*found)),
        None => Err(DynamoError::validation(messages::enum_value(
            &text,
            &path_of(prefix, name),
            allowed,
        ))),
    }
}

pub(super) fn json_error(name: &str, error: JsonError) -> DynamoError {
    if let Some(message) = error.dynamodb_message {
        return DynamoError::validation(message);
    }
    let at = error.path.strip_prefix('$').unwrap_or(&error.path);
    DynamoError::validation(messages::attribute_json(
        &format!("{name}{at}"),
        &error.message,
    ))
}

pub(super) fn object_member<'a>(
    object: &'a Object,
    name: &str,
) -> Result<Option<&'a Value>, DynamoError> {
    match member(object, name) {
        None => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(other) => Err(type_error(other, "Map")),
    }
}

/// DynamoDB reads attribute values with the same typed reader as the
/// request's members, so a JSON value of the wrong type inside one (`{"S":
/// 5}`, `{"L": {}}`) is a SerializationException too. Everything else
/// about attribute values is `crate::json`'s to check. The recursion is
/// bounded by serde_json's nesting limit.
pub(super) fn check_value_types(value: &Value) -> Result<(), DynamoError> {
    let Value::Object(object) = value else {
        return Err(type_error(value, "Structure"));
    };
    for (tag, inner) in object {
        let target = match tag.as_str() {
            "S" | "N" | "B" => "String",
            "BOOL" | "NULL" => "Boolean",
            "L" | "SS" | "NS" | "BS" => "List",
            "M" => "Map",
            _ => continue,
        };
        let matches = match target {
            "String" => inner.is_string(),
            "Boolean" => inner.is_boolean(),
            "List" => inner.is_array(),
            _ => inner.is_object(),
        };
        if !matches {
            return Err(type_error(inner, target));
        }
        match (tag.as_str(), inner) {
            ("L", Value::Array(list)) => list.iter().try_for_each(check_value_types)?,
            ("M", Value::Object(map)) => map.values().try_for_each(check_value_types)?,
            ("SS" | "NS" | "BS", Value::Array(list)) => {
                if let Some(bad) = list.iter().find(|m| !m.is_string()) {
                    return Err(type_error(bad, "String"));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// An item, key or ExpressionAttributeValues member.
fn attribute_map(value: &Value, name: &str) -> Result<Item, DynamoError> {
    if let Value::Object(map) = value {
        map.values().try_for_each(check_value_types)?;
    }
    item_from_json(value).map_err(|e| json_error(name, e))
}

fn item_member(object: &Object, name: &str) -> Result<Option<Item>, DynamoError> {
    match object_member(object, name)? {
        None => Ok(None),
        Some(v) => attribute_map(v, name).map(Some),
    }
}

fn required_item(object: &Object, prefix: &str, name: &str) -> Result<Item, DynamoError> {
    item_member(object, name)?
        .ok_or_else(|| DynamoError::validation(messages::member_null(&path_of(prefix, name))))
}

fn names(object: &Object) -> Result<Option<BTreeMap<String, String>>, DynamoError> {
    const NAME: &str = "ExpressionAttributeNames";
    match object_member(object, NAME)? {
        None => Ok(None),
        Some(v) => names_from_json(v)
            .map(Some)
            .map_err(|e| json_error(NAME, e)),
    }
}

pub(super) fn array<'a>(
    object: &'a Object,
    name: &str,
) -> Result<Option<&'a [Value]>, DynamoError> {
    match member(object, name) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a.as_slice())),
        Some(other) => Err(type_error(other, "List")),
    }
}

pub(super) fn as_object(value: &Value) -> Result<&Object, DynamoError> {
    match value {
        Value::Object(o) => Ok(o),
        other => Err(type_error(other, "Structure")),
    }
}

/// The enums every single-item write takes.
struct WriteOptions {
    return_values: ReturnValues,
    on_failure: ReturnValuesOnConditionCheckFailure,
}

fn write_options(object: &Object) -> Result<WriteOptions, DynamoError> {
    let return_values = match enumeration(object, "", "ReturnValues", &RETURN_VALUES)? {
        None | Some("NONE") => ReturnValues::None,
        Some("ALL_OLD") => ReturnValues::AllOld,
        Some("UPDATED_OLD") => ReturnValues::UpdatedOld,
        Some("ALL_NEW") => ReturnValues::AllNew,
        Some(_) => ReturnValues::UpdatedNew,
    };
    let on_failure = match enumeration(
        object,
        "",
        "ReturnValuesOnConditionCheckFailure",
        &RETURN_VALUES_ON_FAILURE,
    )? {
        Some("ALL_OLD") => ReturnValuesOnConditionCheckFailure::AllOld,
        _ => ReturnValuesOnConditionCheckFailure::None,
    };
    capacity_options(object)?;
    enumeration(
        object,
        "",
        "ReturnItemCollectionMetrics",
        &RETURN_ITEM_COLLECTION_METRICS,
    )?;
    Ok(WriteOptions {
        return_values,
        on_failure,
    })
}

/// `ReturnConsumedCapacity` is checked and otherwise ignored (consumed
/// capacity is not reported yet).
fn capacity_options(object: &Object) -> Result<(), DynamoError> {
    enumeration(
        object,
        "",
        "ReturnConsumedCapacity",
        &RETURN_CONSUMED_CAPACITY,
    )?;
    Ok(())
}

fn put_item(object: &Object) -> Result<Request, DynamoError> {
    let table_name = required_string(object, "", "TableName")?;
    let item = required_item(object, "", "Item")?;
    let options = write_options(object)?;
    let mut request = PutItemRequest {
        table_name,
        item,
        condition_expression: string(object, "ConditionExpression")?,
        expression_attribute_names: names(object)?,
        expression_attribute_values: item_member(object, "ExpressionAttributeValues")?,
        return_values: options.return_values,
        return_values_on_condition_check_failure: options.on_failure,
    };
    legacy::put_item(object, &mut request)?;
    Ok(Request::PutItem(request))
}

fn get_item(object: &Object) -> Result<Request, DynamoError> {
    let table_name = required_string(object, "", "TableName")?;
    let key = required_item(object, "", "Key")?;
    capacity_options(object)?;
    let mut request = GetItemRequest {
        table_name,
        key,
        projection_expression: string(object, "ProjectionExpression")?,
        expression_attribute_names: names(object)?,
        consistent_read: boolean(object, "ConsistentRead")?.unwrap_or(false),
    };
    legacy::get_item(object, &mut request)?;
    Ok(Request::GetItem(request))
}

fn update_item(object: &Object) -> Result<Request, DynamoError> {
    let table_name = required_string(object, "", "TableName")?;
    let key = required_item(object, "", "Key")?;
    let options = write_options(object)?;
    let mut request = UpdateItemRequest {
        table_name,
        key,
        update_expression: string(object, "UpdateExpression")?,
        condition_expression: string(object, "ConditionExpression")?,
        expression_attribute_names: names(object)?,
        expression_attribute_values: item_member(object, "ExpressionAttributeValues")?,
        return_values: options.return_values,
        return_values_on_condition_check_failure: options.on_failure,
    };
    legacy::update_item(object, &mut request)?;
    Ok(Request::UpdateItem(request))
}

fn delete_item(object: &Object) -> Result<Request, DynamoError> {
    let table_name = required_string(object, "", "TableName")?;
    let key = required_item(object, "", "Key")?;
    let options = write_options(object)?;
    let mut request = DeleteItemRequest {
        table_name,
        key,
        condition_expression: string(object, "ConditionExpression")?,
        expression_attribute_names: names(object)?,
        expression_attribute_values: item_member(object, "ExpressionAttributeValues")?,
        return_values: options.return_values,
        return_values_on_condition_check_failure: options.on_failure,
    };
    legacy::delete_item(object, &mut request)?;
    Ok(Request::DeleteItem(request))
}

fn select(object: &Object) -> Result<Option<Select>, DynamoError> {
    Ok(match enumeration(object, "", "Select", &SELECT)? {
        None => None,
        Some("SPECIFIC_ATTRIBUTES") => Some(Select::SpecificAttributes),
        Some("COUNT") => Some(Select::Count),
        Some("ALL_ATTRIBUTES") => Some(Select::AllAttributes),
        Some(_) => Some(Select::AllProjectedAttributes),
    })
}

/// `Limit`: at least 1 (DynamoDB's upper bound is the Integer range).
fn limit(object: &Object) -> Result<Option<usize>, DynamoError> {
    Ok(bounded(object, "Limit", 1, i64::from(i32::MAX))?.map(|l| l as usize))
}

fn query(object: &Object) -> Result<Request, DynamoError> {
    let table_name = required_string(object, "", "TableName")?;
    capacity_options(object)?;
    let mut request = QueryRequest {
        table_name,
        index_name: string(object, "IndexName")?,
        key_condition_expression: string(object, "KeyConditionExpression")?,
        filter_expression: string(object, "FilterExpression")?,
        projection_expression: string(object, "ProjectionExpression")?,
        expression_attribute_names: names(object)?,
        expression_attribute_values: item_member(object, "ExpressionAttributeValues")?,
        scan_index_forward: boolean(object, "ScanIndexForward")?.unwrap_or(true),
        limit: limit(object)?,
        exclusive_start_key: item_member(object, "ExclusiveStartKey")?,
        select: select(object)?,
        consistent_read: boolean(object, "ConsistentRead")?.unwrap_or(false),
    };
    legacy::query(object, &mut request)?;
    Ok(Request::Query(request))
}

fn scan(object: &Object) -> Result<Request, DynamoError> {
    let table_name = required_string(object, "", "TableName")?;
    capacity_options(object)?;
    let mut request = ScanRequest {
        table_name,
        index_name: string(object, "IndexName")?,
        filter_expression: string(object, "FilterExpression")?,
        projection_expression: string(object, "ProjectionExpression")?,
        expression_attribute_names: names(object)?,
        expression_attribute_values: item_member(object, "ExpressionAttributeValues")?,
        limit: limit(object)?,
        exclusive_start_key: item_member(object, "ExclusiveStartKey")?,
        select: select(object)?,
        consistent_read: boolean(object, "ConsistentRead")?.unwrap_or(false),
        segment: bounded(object, "Segment", 0, 999_999)?.map(|s| s as u32),
        total_segments: bounded(object, "TotalSegments", 1, 1_000_000)?.map(|t| t as u32),
    };
    legacy::scan(object, &mut request)?;
    Ok(Request::Scan(request))
}

fn request_items(object: &Object) -> Result<&Object, DynamoError> {
    match member(object, "RequestItems") {
        None => Err(DynamoError::validation(messages::member_null(
            "requestItems",
        ))),
        Some(v) => as_object(v),
    }
}

fn batch_get_item(object: &Object) -> Result<Request, DynamoError> {
    let mut out = BatchGetItemRequest::default();
    for (table, entry) in request_items(object)? {
        let entry = as_object(entry)?;
        let mut keys = Vec::new();
        match array(entry, "Keys")? {
            None => {
                return Err(DynamoError::validation(messages::member_null(
                    "requestItems.keys",
                )));
            }
            Some(list) => {
                for (index, key) in list.iter().enumerate() {
                    as_object(key)?;
                    keys.push(attribute_map(key, &format!("Keys[{index}]"))?);
                }
            }
        }
        let mut wanted = KeysAndAttributes {
            keys,
            projection_expression: string(entry, "ProjectionExpression")?,
            expression_attribute_names: names(entry)?,
            consistent_read: boolean(entry, "ConsistentRead")?.unwrap_or(false),
        };
        legacy::keys_and_attributes(entry, table, &mut wanted)?;
        out.request_items.insert(table.clone(), wanted);
    }
    capacity_options(object)?;
    Ok(Request::BatchGetItem(out))
}

fn batch_write_item(object: &Object) -> Result<Request, DynamoError> {
    let mut out = BatchWriteItemRequest::default();
    for (table, writes) in request_items(object)? {
        let Value::Array(writes) = writes else {
            return Err(type_error(writes, "List"));
        };
        let mut decoded = Vec::with_capacity(writes.len());
        for write in writes {
            let write = as_object(write)?;
            let put = object_member(write, "PutRequest")?;
            let delete = object_member(write, "DeleteRequest")?;
            decoded.push(match (put, delete) {
                (Some(put), None) => WriteRequest::Put {
                    item: required_item(as_object(put)?, "requestItems.member.putRequest", "Item")?,
                },
                (None, Some(delete)) => WriteRequest::Delete {
                    key: required_item(
                        as_object(delete)?,
                        "requestItems.member.deleteRequest",
                        "Key",
                    )?,
                },
                _ => return Err(DynamoError::validation(messages::WRITE_REQUEST_ONE_OF)),
            });
        }
        out.request_items.insert(table.clone(), decoded);
    }
    capacity_options(object)?;
    enumeration(
        object,
        "",
        "ReturnItemCollectionMetrics",
        &RETURN_ITEM_COLLECTION_METRICS,
    )?;
    Ok(Request::BatchWriteItem(out))
}

fn key_schema(object: &Object) -> Result<Vec<KeySchemaElement>, DynamoError> {
    let Some(list) = array(object, "KeySchema")? else {
        return Err(DynamoError::validation(messages::member_null("keySchema")));
    };
    let mut out = Vec::with_capacity(list.len());
    for (index, element) in list.iter().enumerate() {
        let element = as_object(element)?;
        let prefix = format!("keySchema.{}.member", index + 1);
        let attribute_name = required_string(element, &prefix, "AttributeName")?;
        let key_type = match enumeration(element, &prefix, "KeyType", &KEY_TYPES)? {
            Some("HASH") => KeyRole::Hash,
            Some(_) => KeyRole::Range,
            None => {
                return Err(DynamoError::validation(messages::member_null(&path_of(
                    &prefix, "KeyType",
                ))));
            }
        };
        out.push(KeySchemaElement::new(attribute_name, key_type));
    }
    Ok(out)
}

fn attribute_definitions(object: &Object) -> Result<Vec<AttributeDefinition>, DynamoError> {
    let Some(list) = array(object, "AttributeDefinitions")? else {
        return Err(DynamoError::validation(messages::member_null(
            "attributeDefinitions",
        )));
    };
    let mut out = Vec::with_capacity(list.len());
    for (index, element) in list.iter().enumerate() {
        let element = as_object(element)?;
        let prefix = format!("attributeDefinitions.{}.member", index + 1);
        let attribute_name = required_string(element, &prefix, "AttributeName")?;
        let attribute_type = match enumeration(element, &prefix, "AttributeType", &ATTRIBUTE_TYPES)?
        {
            Some("B") => KeyType::B,
            Some("N") => KeyType::N,
            Some(_) => KeyType::S,
            None => {
                return Err(DynamoError::validation(messages::member_null(&path_of(
                    &prefix,
                    "AttributeType",
                ))));
            }
        };
        out.push(AttributeDefinition::new(attribute_name, attribute_type));
    }
    Ok(out)
}

fn billing_mode(object: &Object) -> Result<Option<BillingMode>, DynamoError> {
    Ok(
        match enumeration(object, "", "BillingMode", &BILLING_MODES)? {
            None => None,
            Some("PROVISIONED") => Some(BillingMode::Provisioned),
            Some(_) => Some(BillingMode::PayPerRequest),
        },
    )
}

fn provisioned_throughput(object: &Object) -> Result<Option<ProvisionedThroughput>, DynamoError> {
    let Some(value) = member(object, "ProvisionedThroughput") else {
        return Ok(None);
    };
    let throughput = as_object(value)?;
    let units = |name: &str| -> Result<i64, DynamoError> {
        integer(throughput, name, "Long")?.ok_or_else(|| {
            DynamoError::validation(messages::member_null(&path_of(
                "provisionedThroughput",
                name,
            )))
        })
    };
    Ok(Some(ProvisionedThroughput::new(
        units("ReadCapacityUnits")?,
        units("WriteCapacityUnits")?,
    )))
}

fn create_table(object: &Object) -> Result<Request, DynamoError> {
    let attribute_definitions = attribute_definitions(object)?;
    let table_name = required_string(object, "", "TableName")?;
    let key_schema = key_schema(object)?;
    for unsupported in CREATE_TABLE_UNSUPPORTED {
        if member(object, unsupported).is_some() {
            return Err(DynamoError::validation(messages::member_not_supported(
                unsupported,
            )));
        }
    }
    Ok(Request::CreateTable(CreateTableRequest {
        table_name,
        key_schema,
        attribute_definitions,
        // DynamoDB's default billing mode is PROVISIONED.
        billing_mode: billing_mode(object)?.unwrap_or(BillingMode::Provisioned),
        provisioned_throughput: provisioned_throughput(object)?,
    }))
}

fn describe_table(object: &Object) -> Result<Request, DynamoError> {
    Ok(Request::DescribeTable {
        table_name: required_string(object, "", "TableName")?,
        with_stats: true,
    })
}

fn delete_table(object: &Object) -> Result<Request, DynamoError> {
    Ok(Request::DeleteTable {
        table_name: required_string(object, "", "TableName")?,
    })
}

fn list_tables(object: &Object) -> Result<Request, DynamoError> {
    Ok(Request::ListTables(ListTablesRequest {
        exclusive_start_table_name: string(object, "ExclusiveStartTableName")?,
        limit: integer(object, "Limit", "Integer")?,
    }))
}

fn update_table(object: &Object) -> Result<Request, DynamoError> {
    Ok(Request::UpdateTable(UpdateTableRequest {
        table_name: required_string(object, "", "TableName")?,
        billing_mode: billing_mode(object)?,
        provisioned_throughput: provisioned_throughput(object)?,
    }))
}
