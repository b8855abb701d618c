//! Expected, KeyConditions, QueryFilter and ScanFilter: each entry's JSON
//! shape, DynamoDB's rules for it in DynamoDB's order, and the condition
//! expression it becomes (see `legacy.rs` for the whole request's checks
//! and the placeholders).

use std::cmp::Ordering;

use dynacore::AttributeValue;
use serde_json::Value;

use crate::dynamodb::decode::{
    Object, array, boolean, check_value_types, enumeration, member, path_of,
};
use crate::dynamodb::error::DynamoError;
use crate::dynamodb::messages;

use super::{COMPARISON_OPERATORS, KEY_OPERATORS, Placeholders, decode_value, entries, joiner};

/// One entry of Expected, KeyConditions, QueryFilter or ScanFilter, its
/// JSON shape checked.
pub(super) struct RawCondition<'j> {
    /// The map it is in, to name its values in messages.
    parameter: &'static str,
    attribute: &'j str,
    operator: Option<&'static str>,
    list: Option<&'j [Value]>,
    /// Expected only.
    value: Option<&'j Value>,
    /// Expected only.
    exists: Option<bool>,
}

pub(super) fn raw_conditions<'j>(
    object: &'j Object,
    parameter: &'static str,
) -> Result<Option<Vec<RawCondition<'j>>>, DynamoError> {
    let Some(entries) = entries(object, parameter)? else {
        return Ok(None);
    };
    let expected = parameter == "Expected";
    let mut out = Vec::with_capacity(entries.len());
    for (attribute, entry) in entries {
        let prefix = format!("{}.{attribute}.member", path_of("", parameter));
        let operator = enumeration(entry, &prefix, "ComparisonOperator", &COMPARISON_OPERATORS)?;
        if operator.is_none() && !expected {
            return Err(DynamoError::validation(messages::member_null(&path_of(
                &prefix,
                "ComparisonOperator",
            ))));
        }
        let list = array(entry, "AttributeValueList")?;
        list.unwrap_or_default()
            .iter()
            .try_for_each(check_value_types)?;
        let (value, exists) = if expected {
            (member(entry, "Value"), boolean(entry, "Exists")?)
        } else {
            (None, None)
        };
        if let Some(value) = value {
            check_value_types(value)?;
        }
        out.push(RawCondition {
            parameter,
            attribute,
            operator,
            list,
            value,
            exists,
        });
    }
    Ok(Some(out))
}

/// The ConditionExpression of Expected, `None` for none or `{}`.
pub(super) fn expected_expression(
    object: &Object,
    expected: Option<Vec<RawCondition<'_>>>,
    placeholders: &mut Placeholders,
) -> Result<Option<String>, DynamoError> {
    let Some(expected) = expected else {
        return Ok(None);
    };
    let mut parts = Vec::with_capacity(expected.len());
    for condition in &expected {
        parts.push(expected_condition(condition, placeholders)?);
    }
    Ok(join(parts, joiner(object)?))
}

/// One Expected entry: `{Value, Exists}` or `{ComparisonOperator,
/// AttributeValueList or Value}`, checked in DynamoDB's order.
fn expected_condition(
    condition: &RawCondition<'_>,
    placeholders: &mut Placeholders,
) -> Result<String, DynamoError> {
    let attribute = condition.attribute;
    if condition.list.is_some() && condition.value.is_some() {
        return Err(DynamoError::validation(messages::value_and_value_list(
            attribute,
        )));
    }
    if let Some(operator) = condition.operator {
        if condition.exists.is_some() {
            return Err(DynamoError::validation(messages::exists_and_operator(
                attribute,
            )));
        }
        let takes_arguments = !matches!(operator, "NULL" | "NOT_NULL");
        if takes_arguments && condition.list.is_none() && condition.value.is_none() {
            return Err(DynamoError::validation(
                messages::operator_without_arguments(operator, attribute),
            ));
        }
        return comparison(condition, placeholders);
    }
    if condition.list.is_some() {
        return Err(DynamoError::validation(
            messages::value_list_without_operator(attribute),
        ));
    }
    match (condition.exists, condition.value) {
        (None | Some(true), None) => {
            let exists = if condition.exists.is_some() {
                "true"
            } else {
                "null"
            };
            Err(DynamoError::validation(messages::value_required(
                exists, attribute,
            )))
        }
        (Some(false), Some(_)) => Err(DynamoError::validation(messages::value_with_exists_false(
            attribute,
        ))),
        (Some(false), None) => Ok(format!(
            "attribute_not_exists({})",
            placeholders.name(attribute)?
        )),
        (_, Some(value)) => {
            let value = decode_value(value, &format!("Expected.{attribute}.Value"))?;
            let name = placeholders.name(attribute)?;
            Ok(format!("{name} = {}", placeholders.value(value)))
        }
    }
}

/// The FilterExpression of QueryFilter or ScanFilter, `None` for none or `{}`.
pub(super) fn filter_expression(
    object: &Object,
    filter: Option<Vec<RawCondition<'_>>>,
    placeholders: &mut Placeholders,
) -> Result<Option<String>, DynamoError> {
    let Some(filter) = filter else {
        return Ok(None);
    };
    let mut parts = Vec::with_capacity(filter.len());
    for condition in &filter {
        parts.push(comparison(condition, placeholders)?);
    }
    Ok(join(parts, joiner(object)?))
}

/// The KeyConditionExpression of KeyConditions: one or two conditions of
/// the key operators. Which attribute is which key, and the types of the
/// values, are the engine's to check against the table.
pub(super) fn key_condition_expression(
    key: Vec<RawCondition<'_>>,
    placeholders: &mut Placeholders,
) -> Result<String, DynamoError> {
    let mut parts = Vec::with_capacity(key.len());
    for condition in &key {
        parts.push(comparison(condition, placeholders)?);
    }
    if !(1..=2).contains(&parts.len()) {
        return Err(DynamoError::validation(messages::KEY_CONDITION_COUNT));
    }
    if key
        .iter()
        .any(|c| !c.operator.is_some_and(|o| KEY_OPERATORS.contains(&o)))
    {
        return Err(DynamoError::validation(
            messages::KEY_CONDITION_NOT_INDEXABLE,
        ));
    }
    Ok(parts.join(" AND "))
}

/// Joins conditions with ` AND ` or ` OR `; `None` for none.
fn join(parts: Vec<String>, joiner: &str) -> Option<String> {
    (!parts.is_empty()).then(|| parts.join(joiner))
}

/// A ComparisonOperator entry's arguments (its AttributeValueList, or
/// Expected's Value), checked as DynamoDB checks them: each value valid,
/// their count, one type for all, a type the operator takes, BETWEEN's
/// bounds in order. Returns the condition's expression.
fn comparison(
    condition: &RawCondition<'_>,
    placeholders: &mut Placeholders,
) -> Result<String, DynamoError> {
    let attribute = condition.attribute;
    let operator = condition.operator.unwrap_or("EQ");
    let raw: Vec<(String, &Value)> = match (condition.list, condition.value) {
        (Some(list), _) => list
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!(
                    "{}.{attribute}.AttributeValueList[{i}]",
                    condition.parameter
                );
                (at, v)
            })
            .collect(),
        (None, Some(value)) => vec![(format!("Expected.{attribute}.Value"), value)],
        (None, None) => Vec::new(),
    };
    let mut arguments = Vec::with_capacity(raw.len());
    for (at, value) in raw {
        arguments.push(decode_value(value, &at)?);
    }
    check_arguments(operator, &arguments)?;
    let name = placeholders.name(attribute)?;
    let values: Vec<String> = arguments
        .into_iter()
        .map(|v| placeholders.value(v))
        .collect();
    Ok(match (operator, values.as_slice()) {
        ("NULL", _) => format!("attribute_not_exists({name})"),
        ("NOT_NULL", _) => format!("attribute_exists({name})"),
        ("IN", _) => format!("{name} IN ({})", values.join(", ")),
        ("BETWEEN", [low, high]) => format!("{name} BETWEEN {low} AND {high}"),
        ("CONTAINS", [value]) => format!("contains({name}, {value})"),
        // Legacy NOT_CONTAINS is false for a missing attribute.
        ("NOT_CONTAINS", [value]) => {
            format!("(attribute_exists({name}) AND NOT contains({name}, {value}))")
        }
        ("BEGINS_WITH", [value]) => format!("begins_with({name}, {value})"),
        (_, [value]) => format!("{name} {} {value}", comparator(operator)),
        _ => unreachable!(
            "check_arguments admitted {operator} with {} values",
            values.len()
        ),
    })
}

fn comparator(operator: &str) -> &'static str {
    match operator {
        "NE" => "<>",
        "LE" => "<=",
        "LT" => "<",
        "GE" => ">=",
        "GT" => ">",
        _ => "=",
    }
}

fn check_arguments(operator: &str, arguments: &[AttributeValue]) -> Result<(), DynamoError> {
    let count_fits = match operator {
        "NULL" | "NOT_NULL" => arguments.is_empty(),
        "IN" => !arguments.is_empty(),
        "BETWEEN" => arguments.len() == 2,
        _ => arguments.len() == 1,
    };
    if !count_fits {
        return Err(DynamoError::validation(messages::argument_count(operator)));
    }
    if let Some(first) = arguments.first()
        && arguments.iter().any(|a| a.type_name() != first.type_name())
    {
        return Err(DynamoError::validation(messages::VALUE_LIST_TYPES_DIFFER));
    }
    // EQ and NE compare values of every type (lists and maps included).
    let allowed: &[&str] = match operator {
        "EQ" | "NE" | "NULL" | "NOT_NULL" => &[],
        "BEGINS_WITH" => &["S", "B"],
        _ => &["S", "N", "B"],
    };
    if let Some(first) = arguments.first()
        && !allowed.is_empty()
        && !allowed.contains(&first.type_name())
    {
        return Err(DynamoError::validation(messages::operator_type(
            operator,
            first.type_name(),
        )));
    }
    if let [low, high] = arguments
        && operator == "BETWEEN"
        && order(low, high) == Some(Ordering::Greater)
    {
        return Err(DynamoError::validation(messages::BETWEEN_BOUNDS_REVERSED));
    }
    Ok(())
}

/// DynamoDB's order of two values of one scalar type: numbers by value,
/// strings by UTF-8 bytes, binaries by unsigned bytes.
fn order(left: &AttributeValue, right: &AttributeValue) -> Option<Ordering> {
    match (left, right) {
        (AttributeValue::N(l), AttributeValue::N(r)) => Some(l.cmp(r)),
        (AttributeValue::S(l), AttributeValue::S(r)) => Some(l.as_bytes().cmp(r.as_bytes())),
        (AttributeValue::B(l), AttributeValue::B(r)) => Some(l.cmp(r)),
        _ => None,
    }
}
