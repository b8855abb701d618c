//! Field encodings shared by several bodies: the wire tags of the engine's
//! enums, key schemas, expression placeholders, limits, table descriptions,
//! BatchGetItem's keys-and-attributes and BatchWriteItem's write requests.
//! `docs/protocol.md`, "Shared fields", gives each one byte by byte.
//!
//! Every tag here is part of protocol version 1: never renumber or reuse
//! one; an unknown tag decodes to [`DecodeError::Invalid`].

use std::collections::BTreeMap;

use dynacore::catalog::TableDescription;
use dynacore::expr::{AttributeNames, AttributeValues};
use dynacore::ids::TableId;
use dynacore::{
    AttributeDefinition, BillingMode, Item, KeyRole, KeySchemaElement, KeyType, KeysAndAttributes,
    ProvisionedThroughput, ReturnValues, ReturnValuesOnConditionCheckFailure, Select, WriteRequest,
};

use super::codec::{DecodeError, Reader, Writer};

/// The fewest bytes a `string` or `bytes` field takes (its length).
pub const STRING_BYTES_MIN: usize = 4;
/// The fewest bytes an `item` field takes: its u32 length and the engine
/// encoding of an empty item (version byte, zero count).
pub const ITEM_BYTES_MIN: usize = 4 + 2;
/// The fewest bytes a [`KeysAndAttributes`] takes: an empty key list, two
/// absent options and the bool.
pub const KEYS_AND_ATTRIBUTES_BYTES_MIN: usize = 4 + 1 + 1 + 1;
/// The fewest bytes a [`WriteRequest`] takes: its tag and an item.
pub const WRITE_REQUEST_BYTES_MIN: usize = 1 + ITEM_BYTES_MIN;
/// The fewest bytes a key schema element or attribute definition takes.
pub const KEY_ELEMENT_BYTES_MIN: usize = STRING_BYTES_MIN + 1;

fn unknown_tag(field: &'static str, tag: u8) -> DecodeError {
    DecodeError::invalid(field, format!("unknown tag {tag:#04x}"))
}

pub fn return_values_tag(value: ReturnValues) -> u8 {
    match value {
        ReturnValues::None => 0,
        ReturnValues::AllOld => 1,
        ReturnValues::UpdatedOld => 2,
        ReturnValues::AllNew => 3,
        ReturnValues::UpdatedNew => 4,
    }
}

pub fn read_return_values(r: &mut Reader<'_>) -> Result<ReturnValues, DecodeError> {
    const FIELD: &str = "return_values";
    match r.u8(FIELD)? {
        0 => Ok(ReturnValues::None),
        1 => Ok(ReturnValues::AllOld),
        2 => Ok(ReturnValues::UpdatedOld),
        3 => Ok(ReturnValues::AllNew),
        4 => Ok(ReturnValues::UpdatedNew),
        tag => Err(unknown_tag(FIELD, tag)),
    }
}

pub fn on_failure_tag(value: ReturnValuesOnConditionCheckFailure) -> u8 {
    match value {
        ReturnValuesOnConditionCheckFailure::None => 0,
        ReturnValuesOnConditionCheckFailure::AllOld => 1,
    }
}

pub fn read_on_failure(
    r: &mut Reader<'_>,
) -> Result<ReturnValuesOnConditionCheckFailure, DecodeError> {
    const FIELD: &str = "return_values_on_condition_check_failure";
    match r.u8(FIELD)? {
        0 => Ok(ReturnValuesOnConditionCheckFailure::None),
        1 => Ok(ReturnValuesOnConditionCheckFailure::AllOld),
        tag => Err(unknown_tag(FIELD, tag)),
    }
}

pub fn select_tag(value: Select) -> u8 {
    match value {
        Select::AllAttributes => 1,
        Select::AllProjectedAttributes => 2,
        Select::SpecificAttributes => 3,
        Select::Count => 4,
    }
}

pub fn read_select(r: &mut Reader<'_>) -> Result<Select, DecodeError> {
    const FIELD: &str = "select";
    match r.u8(FIELD)? {
        1 => Ok(Select::AllAttributes),
        2 => Ok(Select::AllProjectedAttributes),
        3 => Ok(Select::SpecificAttributes),
        4 => Ok(Select::Count),
        tag => Err(unknown_tag(FIELD, tag)),
    }
}

/// Billing modes travel as the engine's own stored tags (1, 2).
pub fn read_billing_mode(r: &mut Reader<'_>) -> Result<BillingMode, DecodeError> {
    const FIELD: &str = "billing_mode";
    let tag = r.u8(FIELD)?;
    BillingMode::from_u8(tag).ok_or_else(|| unknown_tag(FIELD, tag))
}

pub fn key_role_tag(role: KeyRole) -> u8 {
    match role {
        KeyRole::Hash => 1,
        KeyRole::Range => 2,
    }
}

pub fn read_key_role(r: &mut Reader<'_>) -> Result<KeyRole, DecodeError> {
    const FIELD: &str = "key_type";
    match r.u8(FIELD)? {
        1 => Ok(KeyRole::Hash),
        2 => Ok(KeyRole::Range),
        tag => Err(unknown_tag(FIELD, tag)),
    }
}

/// Key (data) types travel as the engine's own stored tags (1 S, 2 N, 3 B).
pub fn read_key_type(r: &mut Reader<'_>) -> Result<KeyType, DecodeError> {
    const FIELD: &str = "attribute_type";
    let tag = r.u8(FIELD)?;
    KeyType::from_u8(tag).ok_or_else(|| unknown_tag(FIELD, tag))
}

pub fn write_key_schema(w: &mut Writer, elements: &[KeySchemaElement]) {
    w.list(elements, |w, e| {
        w.string(&e.attribute_name);
        w.u8(key_role_tag(e.key_type));
    });
}

pub fn read_key_schema(r: &mut Reader<'_>) -> Result<Vec<KeySchemaElement>, DecodeError> {
    r.list("key_schema", KEY_ELEMENT_BYTES_MIN, |r| {
        let attribute_name = r.string("key_schema.attribute_name")?;
        let key_type = read_key_role(r)?;
        Ok(KeySchemaElement {
            attribute_name,
            key_type,
        })
    })
}

pub fn write_attribute_definitions(w: &mut Writer, definitions: &[AttributeDefinition]) {
    w.list(definitions, |w, d| {
        w.string(&d.attribute_name);
        w.u8(d.attribute_type as u8);
    });
}

pub fn read_attribute_definitions(
    r: &mut Reader<'_>,
) -> Result<Vec<AttributeDefinition>, DecodeError> {
    r.list("attribute_definitions", KEY_ELEMENT_BYTES_MIN, |r| {
        let attribute_name = r.string("attribute_definitions.attribute_name")?;
        let attribute_type = read_key_type(r)?;
        Ok(AttributeDefinition {
            attribute_name,
            attribute_type,
        })
    })
}

/// Capacity units are DynamoDB's signed `Long`: i64 LE (two's complement).
pub fn write_throughput(w: &mut Writer, throughput: Option<&ProvisionedThroughput>) {
    w.option(throughput, |w, t| {
        w.u64(t.read_capacity_units as u64);
        w.u64(t.write_capacity_units as u64);
    });
}

pub fn read_throughput(r: &mut Reader<'_>) -> Result<Option<ProvisionedThroughput>, DecodeError> {
    r.option("provisioned_throughput", |r| {
        let read = r.u64("read_capacity_units")? as i64;
        let write = r.u64("write_capacity_units")? as i64;
        Ok(ProvisionedThroughput::new(read, write))
    })
}

/// `option<map<string, string>>`.
pub fn write_names(w: &mut Writer, names: Option<&AttributeNames>) {
    w.option(names, |w, names| w.map(names, |w, v| w.string(v)));
}

pub fn read_names(r: &mut Reader<'_>) -> Result<Option<AttributeNames>, DecodeError> {
    const FIELD: &str = "expression_attribute_names";
    r.option(FIELD, |r| {
        r.map(FIELD, STRING_BYTES_MIN, |r| r.string(FIELD))
    })
}

/// `option<item>`: the placeholders map like an item does (name to value).
pub fn write_values(w: &mut Writer, values: Option<&AttributeValues>) {
    w.option(values, |w, values| w.item(values));
}

pub fn read_values(r: &mut Reader<'_>) -> Result<Option<AttributeValues>, DecodeError> {
    const FIELD: &str = "expression_attribute_values";
    r.option(FIELD, |r| r.item(FIELD))
}

pub fn write_opt_item(w: &mut Writer, item: Option<&Item>) {
    w.option(item, |w, item| w.item(item));
}

pub fn read_opt_item(r: &mut Reader<'_>, field: &'static str) -> Result<Option<Item>, DecodeError> {
    r.option(field, |r| r.item(field))
}

/// `option<u32>`. A limit past u32::MAX is sent as u32::MAX: a page is cut
/// at 1 MB read long before either would be reached.
pub fn write_limit(w: &mut Writer, limit: Option<usize>) {
    w.option(limit.as_ref(), |w, n| {
        w.u32(u32::try_from(*n).unwrap_or(u32::MAX))
    });
}

pub fn read_limit(r: &mut Reader<'_>) -> Result<Option<usize>, DecodeError> {
    r.option("limit", |r| Ok(r.u32("limit")? as usize))
}

pub fn write_opt_u32(w: &mut Writer, value: Option<u32>) {
    w.option(value.as_ref(), |w, n| w.u32(*n));
}

pub fn read_opt_u32(r: &mut Reader<'_>, field: &'static str) -> Result<Option<u32>, DecodeError> {
    r.option(field, |r| r.u32(field))
}

/// A table description: u32 LE table id, then `bytes` holding the engine's
/// stored blob (`TableDescription::encode`, docs/format/manifest.md).
pub fn write_table(w: &mut Writer, table: &TableDescription) {
    w.u32(table.id.0);
    w.bytes(&table.encode());
}

pub fn read_table(r: &mut Reader<'_>) -> Result<TableDescription, DecodeError> {
    let id = r.u32("table.id")?;
    let blob = r.bytes("table.description")?;
    TableDescription::decode(TableId(id), blob)
        .map_err(|e| DecodeError::invalid("table.description", e.to_string()))
}

pub fn write_keys_and_attributes(w: &mut Writer, keys: &KeysAndAttributes) {
    w.list(&keys.keys, |w, key| w.item(key));
    w.opt_string(keys.projection_expression.as_deref());
    write_names(w, keys.expression_attribute_names.as_ref());
    w.bool(keys.consistent_read);
}

pub fn read_keys_and_attributes(r: &mut Reader<'_>) -> Result<KeysAndAttributes, DecodeError> {
    let keys = r.list("keys", ITEM_BYTES_MIN, |r| r.item("keys"))?;
    let projection_expression = r.opt_string("projection_expression")?;
    let expression_attribute_names = read_names(r)?;
    let consistent_read = r.bool("consistent_read")?;
    Ok(KeysAndAttributes {
        keys,
        projection_expression,
        expression_attribute_names,
        consistent_read,
    })
}

/// `map<string, KeysAndAttributes>` (table name to its keys).
pub fn write_keys_by_table(w: &mut Writer, tables: &BTreeMap<String, KeysAndAttributes>) {
    w.map(tables, write_keys_and_attributes);
}

pub fn read_keys_by_table(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<BTreeMap<String, KeysAndAttributes>, DecodeError> {
    r.map(
        field,
        KEYS_AND_ATTRIBUTES_BYTES_MIN,
        read_keys_and_attributes,
    )
}

/// A write request: tag 1 (put) then the item, or tag 2 (delete) then the key.
pub fn write_write_request(w: &mut Writer, request: &WriteRequest) {
    match request {
        WriteRequest::Put { item } => {
            w.u8(1);
            w.item(item);
        }
        WriteRequest::Delete { key } => {
            w.u8(2);
            w.item(key);
        }
    }
}

pub fn read_write_request(r: &mut Reader<'_>) -> Result<WriteRequest, DecodeError> {
    const FIELD: &str = "write_request";
    match r.u8(FIELD)? {
        1 => Ok(WriteRequest::Put {
            item: r.item("write_request.item")?,
        }),
        2 => Ok(WriteRequest::Delete {
            key: r.item("write_request.key")?,
        }),
        tag => Err(unknown_tag(FIELD, tag)),
    }
}

/// `map<string, list<WriteRequest>>` (table name to its writes).
pub fn write_writes_by_table(w: &mut Writer, tables: &BTreeMap<String, Vec<WriteRequest>>) {
    w.map(tables, |w, writes| w.list(writes, write_write_request));
}

pub fn read_writes_by_table(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<BTreeMap<String, Vec<WriteRequest>>, DecodeError> {
    r.map(field, 4, |r| {
        r.list(field, WRITE_REQUEST_BYTES_MIN, read_write_request)
    })
}
