//! The engine's requests as DynamoDB JSON request bodies: the inverse of
//! `dynacore_server::dynamodb::decode_request` for the operations the
//! `dynamodb` target sends, so that it sends exactly the requests the
//! `embedded` and `server` targets run (the tests decode every body with
//! the server's decoder and compare).
//!
//! Pure functions. Every request is destructured field by field, so a field
//! added to an engine request fails to compile here until it is encoded;
//! members at their DynamoDB default are left out, as the AWS SDKs do.

use dynacore::expr::{AttributeNames, AttributeValues};
use dynacore::{
    CreateTableRequest, GetItemRequest, PutItemRequest, ReturnValues,
    ReturnValuesOnConditionCheckFailure, ScanRequest, Select, UpdateItemRequest,
};
use dynacore_server::json::item_to_json;
use serde_json::{Map, Value, json};

/// A body under construction: an object whose members are added when set.
struct Body(Map<String, Value>);

impl Body {
    fn new(table_name: &str) -> Body {
        let mut members = Map::new();
        members.insert("TableName".into(), Value::String(table_name.to_owned()));
        Body(members)
    }

    fn set(mut self, name: &str, value: Value) -> Body {
        self.0.insert(name.to_owned(), value);
        self
    }

    fn set_some(self, name: &str, value: Option<Value>) -> Body {
        match value {
            Some(value) => self.set(name, value),
            None => self,
        }
    }

    fn finish(self) -> Value {
        Value::Object(self.0)
    }
}

fn string(value: &Option<String>) -> Option<Value> {
    value.as_ref().map(|text| Value::String(text.clone()))
}

fn names(value: &Option<AttributeNames>) -> Option<Value> {
    value.as_ref().map(|names| json!(names))
}

fn values(value: &Option<AttributeValues>) -> Option<Value> {
    value.as_ref().map(item_to_json)
}

/// `ReturnValues`, left out at its default `NONE`.
fn return_values(value: ReturnValues) -> Option<Value> {
    let name = match value {
        ReturnValues::None => return None,
        ReturnValues::AllOld => "ALL_OLD",
        ReturnValues::UpdatedOld => "UPDATED_OLD",
        ReturnValues::AllNew => "ALL_NEW",
        ReturnValues::UpdatedNew => "UPDATED_NEW",
    };
    Some(json!(name))
}

/// `ReturnValuesOnConditionCheckFailure`, left out at its default `NONE`.
fn on_failure(value: ReturnValuesOnConditionCheckFailure) -> Option<Value> {
    match value {
        ReturnValuesOnConditionCheckFailure::None => None,
        ReturnValuesOnConditionCheckFailure::AllOld => Some(json!("ALL_OLD")),
    }
}

/// `true` only; DynamoDB's default is `false`.
fn flag(value: bool) -> Option<Value> {
    value.then_some(Value::Bool(true))
}

/// PutItem's body.
pub fn put_item(request: &PutItemRequest) -> Value {
    let PutItemRequest {
        table_name,
        item,
        condition_expression,
        expression_attribute_names,
        expression_attribute_values,
        return_values: returned,
        return_values_on_condition_check_failure,
    } = request;
    Body::new(table_name)
        .set("Item", item_to_json(item))
        .set_some("ConditionExpression", string(condition_expression))
        .set_some(
            "ExpressionAttributeNames",
            names(expression_attribute_names),
        )
        .set_some(
            "ExpressionAttributeValues",
            values(expression_attribute_values),
        )
        .set_some("ReturnValues", return_values(*returned))
        .set_some(
            "ReturnValuesOnConditionCheckFailure",
            on_failure(*return_values_on_condition_check_failure),
        )
        .finish()
}

/// GetItem's body.
pub fn get_item(request: &GetItemRequest) -> Value {
    let GetItemRequest {
        table_name,
        key,
        projection_expression,
        expression_attribute_names,
        consistent_read,
    } = request;
    Body::new(table_name)
        .set("Key", item_to_json(key))
        .set_some("ProjectionExpression", string(projection_expression))
        .set_some(
            "ExpressionAttributeNames",
            names(expression_attribute_names),
        )
        .set_some("ConsistentRead", flag(*consistent_read))
        .finish()
}

/// UpdateItem's body.
pub fn update_item(request: &UpdateItemRequest) -> Value {
    let UpdateItemRequest {
        table_name,
        key,
        update_expression,
        condition_expression,
        expression_attribute_names,
        expression_attribute_values,
        return_values: returned,
        return_values_on_condition_check_failure,
    } = request;
    Body::new(table_name)
        .set("Key", item_to_json(key))
        .set_some("UpdateExpression", string(update_expression))
        .set_some("ConditionExpression", string(condition_expression))
        .set_some(
            "ExpressionAttributeNames",
            names(expression_attribute_names),
        )
        .set_some(
            "ExpressionAttributeValues",
            values(expression_attribute_values),
        )
        .set_some("ReturnValues", return_values(*returned))
        .set_some(
            "ReturnValuesOnConditionCheckFailure",
            on_failure(*return_values_on_condition_check_failure),
        )
        .finish()
}

/// Scan's body.
pub fn scan(request: &ScanRequest) -> Value {
    let ScanRequest {
        table_name,
        index_name,
        filter_expression,
        projection_expression,
        expression_attribute_names,
        expression_attribute_values,
        limit,
        exclusive_start_key,
        select,
        consistent_read,
        segment,
        total_segments,
    } = request;
    let select = select.map(|select| {
        json!(match select {
            Select::AllAttributes => "ALL_ATTRIBUTES",
            Select::AllProjectedAttributes => "ALL_PROJECTED_ATTRIBUTES",
            Select::SpecificAttributes => "SPECIFIC_ATTRIBUTES",
            Select::Count => "COUNT",
        })
    });
    Body::new(table_name)
        .set_some("IndexName", string(index_name))
        .set_some("FilterExpression", string(filter_expression))
        .set_some("ProjectionExpression", string(projection_expression))
        .set_some(
            "ExpressionAttributeNames",
            names(expression_attribute_names),
        )
        .set_some(
            "ExpressionAttributeValues",
            values(expression_attribute_values),
        )
        .set_some("Limit", limit.map(|limit| json!(limit)))
        .set_some(
            "ExclusiveStartKey",
            exclusive_start_key.as_ref().map(item_to_json),
        )
        .set_some("Select", select)
        .set_some("ConsistentRead", flag(*consistent_read))
        .set_some("Segment", segment.map(|segment| json!(segment)))
        .set_some("TotalSegments", total_segments.map(|total| json!(total)))
        .finish()
}

/// CreateTable's body.
pub fn create_table(request: &CreateTableRequest) -> Value {
    let CreateTableRequest {
        table_name,
        key_schema,
        attribute_definitions,
        billing_mode,
        provisioned_throughput,
    } = request;
    let key_schema: Vec<Value> = key_schema
        .iter()
        .map(|element| {
            json!({
                "AttributeName": element.attribute_name,
                "KeyType": element.key_type.as_str(),
            })
        })
        .collect();
    let attribute_definitions: Vec<Value> = attribute_definitions
        .iter()
        .map(|definition| {
            json!({
                "AttributeName": definition.attribute_name,
                "AttributeType": definition.attribute_type.as_str(),
            })
        })
        .collect();
    let throughput = provisioned_throughput.map(|throughput| {
        json!({
            "ReadCapacityUnits": throughput.read_capacity_units,
            "WriteCapacityUnits": throughput.write_capacity_units,
        })
    });
    Body::new(table_name)
        .set("KeySchema", Value::Array(key_schema))
        .set("AttributeDefinitions", Value::Array(attribute_definitions))
        .set("BillingMode", json!(billing_mode.as_str()))
        .set_some("ProvisionedThroughput", throughput)
        .finish()
}

/// DescribeTable's body.
pub fn describe_table(table_name: &str) -> Value {
    Body::new(table_name).finish()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use dynacore::{AttributeValue, ProvisionedThroughput};
    use dynacore_server::dynamodb::decode_request;
    use dynacore_server::protocol::Request;

    use super::super::super::embedded::{
        TABLE, key_item, record, scan_request, schema, update_request,
    };
    use super::*;

    fn decoded(operation: &str, body: &Value) -> Request {
        decode_request(operation, body)
            .unwrap_or_else(|e| panic!("{operation} {body}: the server refused it: {e:?}"))
    }

    fn fields() -> Vec<(String, Vec<u8>)> {
        vec![
            ("field0".into(), b"zero".to_vec()),
            ("field1".into(), b"one \"quoted\" \\".to_vec()),
        ]
    }

    #[test]
    fn the_harness_requests_decode_to_themselves() {
        let put = PutItemRequest {
            table_name: TABLE.to_owned(),
            item: record("user1", &fields()),
            ..PutItemRequest::default()
        };
        assert_eq!(
            decoded("PutItem", &put_item(&put)),
            Request::PutItem(put.clone())
        );
        let get = GetItemRequest {
            table_name: TABLE.to_owned(),
            key: key_item("user1"),
            ..GetItemRequest::default()
        };
        assert_eq!(decoded("GetItem", &get_item(&get)), Request::GetItem(get));
        let update = update_request("user1", "field1", b"new value");
        assert_eq!(
            decoded("UpdateItem", &update_item(&update)),
            Request::UpdateItem(update)
        );
        let scan_body = scan_request("user1", 7);
        assert_eq!(decoded("Scan", &scan(&scan_body)), Request::Scan(scan_body));
        let create = CreateTableRequest::pay_per_request(TABLE, &schema());
        assert_eq!(
            decoded("CreateTable", &create_table(&create)),
            Request::CreateTable(create)
        );
        assert_eq!(
            decoded("DescribeTable", &describe_table(TABLE)),
            Request::DescribeTable {
                table_name: TABLE.to_owned(),
                with_stats: true
            }
        );
    }

    #[test]
    fn every_optional_member_is_encoded() {
        let names = Some(BTreeMap::from([("#n".to_owned(), "field0".to_owned())]));
        let values = Some(BTreeMap::from([(
            ":v".to_owned(),
            AttributeValue::S("x".into()),
        )]));
        let put = PutItemRequest {
            table_name: TABLE.to_owned(),
            item: record("user2", &fields()),
            condition_expression: Some("attribute_not_exists(#n) OR #n = :v".into()),
            expression_attribute_names: names.clone(),
            expression_attribute_values: values.clone(),
            return_values: ReturnValues::AllOld,
            return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure::AllOld,
        };
        assert_eq!(
            decoded("PutItem", &put_item(&put)),
            Request::PutItem(put.clone())
        );
        for returned in [
            ReturnValues::None,
            ReturnValues::AllOld,
            ReturnValues::UpdatedOld,
            ReturnValues::AllNew,
            ReturnValues::UpdatedNew,
        ] {
            let update = UpdateItemRequest {
                condition_expression: Some("#n = :v".into()),
                return_values: returned,
                return_values_on_condition_check_failure:
                    ReturnValuesOnConditionCheckFailure::AllOld,
                ..update_request("user2", "field0", b"y")
            };
            assert_eq!(
                decoded("UpdateItem", &update_item(&update)),
                Request::UpdateItem(update)
            );
        }
        let get = GetItemRequest {
            table_name: TABLE.to_owned(),
            key: key_item("user2"),
            projection_expression: Some("#n".into()),
            expression_attribute_names: names.clone(),
            consistent_read: true,
        };
        assert_eq!(decoded("GetItem", &get_item(&get)), Request::GetItem(get));
        for select in [
            Select::AllAttributes,
            Select::AllProjectedAttributes,
            Select::SpecificAttributes,
            Select::Count,
        ] {
            let scan_body = ScanRequest {
                index_name: Some("an-index".into()),
                filter_expression: Some("#n = :v".into()),
                projection_expression: Some("#n".into()),
                expression_attribute_names: names.clone(),
                expression_attribute_values: values.clone(),
                select: Some(select),
                consistent_read: true,
                segment: Some(1),
                total_segments: Some(4),
                ..scan_request("user2", 3)
            };
            assert_eq!(decoded("Scan", &scan(&scan_body)), Request::Scan(scan_body));
        }
        let create = CreateTableRequest {
            billing_mode: dynacore::BillingMode::Provisioned,
            provisioned_throughput: Some(ProvisionedThroughput::new(5, 7)),
            ..CreateTableRequest::pay_per_request(TABLE, &schema())
        };
        assert_eq!(
            decoded("CreateTable", &create_table(&create)),
            Request::CreateTable(create)
        );
    }

    #[test]
    fn defaults_are_left_out() {
        let body = get_item(&GetItemRequest {
            table_name: TABLE.to_owned(),
            key: key_item("user3"),
            ..GetItemRequest::default()
        });
        assert_eq!(
            body,
            json!({"TableName": TABLE, "Key": {"YCSB_KEY": {"S": "user3"}}})
        );
    }
}
