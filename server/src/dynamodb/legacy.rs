//! DynamoDB's legacy (pre-expression) parameters, translated into the
//! expressions the engine runs (issue 7, Deliver 2): `AttributesToGet` into
//! a ProjectionExpression; `Expected` (joined by `ConditionalOperator`) into
//! a ConditionExpression; `AttributeUpdates` into an UpdateExpression;
//! `KeyConditions` into a KeyConditionExpression; `QueryFilter` and
//! `ScanFilter` (joined by `ConditionalOperator`) into a FilterExpression.
//!
//! DynamoDB checks a request whole before it applies anything, and so does
//! this module: every legacy rule that does not need the table is checked
//! here, in DynamoDB's order and with its messages (`messages.rs`), before
//! any text is produced, so the engine's parser only ever sees well-formed
//! generated expressions and never reports a legacy mistake in expression
//! terms. The order: the JSON shape of each legacy member (types, enums,
//! required members); the mix of legacy and expression parameters; the
//! placeholder maps a request without expressions may not have;
//! `ConditionalOperator`'s conditions; then each member's own rules. The
//! rules that need the table's key schema (a key condition against the
//! keys, an update of a key attribute) are left to the engine, whose
//! messages for them are DynamoDB's for the legacy forms too.
//!
//! Placeholders: every attribute name goes through `#l<n>` and every value
//! through `:l<n>`, so a legacy name may be any string (dots, reserved
//! words). Legacy and expression parameters cannot be mixed, with one
//! exception DynamoDB allows: Query's `KeyConditions` with a
//! FilterExpression or ProjectionExpression of the caller's; the generated
//! placeholders then skip any the caller's maps define.
//!
//! The conditions (Expected and the filters, KeyConditions) are in
//! `legacy/conditions.rs`. Pure functions over one request body, usable
//! from any thread.

use std::collections::{BTreeMap, BTreeSet};

use dynacore::{
    AttributeValue, DeleteItemRequest, GetItemRequest, Item, KeysAndAttributes, PutItemRequest,
    QueryRequest, ScanRequest, Select, UpdateItemRequest,
};
use serde_json::Value;

use crate::json::value_from_json;

use super::decode::{
    Object, array, as_object, check_value_types, enumeration, json_error, member, object_member,
    path_of, type_error,
};
use super::error::DynamoError;
use super::messages;

mod conditions;

use conditions::{
    RawCondition, expected_expression, filter_expression, key_condition_expression, raw_conditions,
};

/// In the order DynamoDB lists them in its enum message.
const COMPARISON_OPERATORS: [&str; 13] = [
    "IN",
    "NULL",
    "BETWEEN",
    "LT",
    "NOT_CONTAINS",
    "EQ",
    "GT",
    "NOT_NULL",
    "NE",
    "LE",
    "BEGINS_WITH",
    "GE",
    "CONTAINS",
];
const CONDITIONAL_OPERATORS: [&str; 2] = ["OR", "AND"];
const ACTIONS: [&str; 3] = ["ADD", "PUT", "DELETE"];
/// The operators a KeyConditions entry may use.
const KEY_OPERATORS: [&str; 7] = ["EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN"];

/// One operation's parameters, each list in the order DynamoDB prints it.
struct Parameters {
    expressions: &'static [&'static str],
    legacy: &'static [&'static str],
    /// The expressions that take `:value` placeholders.
    value_expressions: &'static [&'static str],
    /// The condition map `ConditionalOperator` joins (if the operation has
    /// `ConditionalOperator`).
    conditions: Option<&'static str>,
}

const PUT_OR_DELETE: Parameters = Parameters {
    expressions: &["ConditionExpression"],
    legacy: &["Expected", "ConditionalOperator"],
    value_expressions: &["ConditionExpression"],
    conditions: Some("Expected"),
};
const UPDATE: Parameters = Parameters {
    expressions: &["UpdateExpression", "ConditionExpression"],
    legacy: &["AttributeUpdates", "Expected", "ConditionalOperator"],
    value_expressions: &["UpdateExpression", "ConditionExpression"],
    conditions: Some("Expected"),
};
const GET: Parameters = Parameters {
    expressions: &["ProjectionExpression"],
    legacy: &["AttributesToGet"],
    value_expressions: &[],
    conditions: None,
};
const SCAN: Parameters = Parameters {
    expressions: &["ProjectionExpression", "FilterExpression"],
    legacy: &["AttributesToGet", "ScanFilter", "ConditionalOperator"],
    value_expressions: &["FilterExpression"],
    conditions: Some("ScanFilter"),
};
const QUERY: Parameters = Parameters {
    expressions: &[
        "ProjectionExpression",
        "FilterExpression",
        "KeyConditionExpression",
    ],
    legacy: &[
        "AttributesToGet",
        "QueryFilter",
        "ConditionalOperator",
        "KeyConditions",
    ],
    value_expressions: &["FilterExpression", "KeyConditionExpression"],
    conditions: Some("QueryFilter"),
};

/// PutItem's `Expected` and `ConditionalOperator`.
pub(super) fn put_item(object: &Object, request: &mut PutItemRequest) -> Result<(), DynamoError> {
    expected_only(
        object,
        &mut request.condition_expression,
        &mut request.expression_attribute_names,
        &mut request.expression_attribute_values,
    )
}

/// DeleteItem's `Expected` and `ConditionalOperator`.
pub(super) fn delete_item(
    object: &Object,
    request: &mut DeleteItemRequest,
) -> Result<(), DynamoError> {
    expected_only(
        object,
        &mut request.condition_expression,
        &mut request.expression_attribute_names,
        &mut request.expression_attribute_values,
    )
}

/// A write whose only legacy parameters are `Expected` and
/// `ConditionalOperator`.
fn expected_only(
    object: &Object,
    condition: &mut Option<String>,
    names: &mut Option<BTreeMap<String, String>>,
    values: &mut Option<Item>,
) -> Result<(), DynamoError> {
    let expected = raw_conditions(object, "Expected")?;
    if !check_parameters(object, &PUT_OR_DELETE, count(&expected))? {
        return Ok(());
    }
    let mut placeholders = Placeholders::new(None, None);
    *condition = expected_expression(object, expected, &mut placeholders)?;
    placeholders.finish(names, values);
    Ok(())
}

/// UpdateItem's `AttributeUpdates`, `Expected` and `ConditionalOperator`.
pub(super) fn update_item(
    object: &Object,
    request: &mut UpdateItemRequest,
) -> Result<(), DynamoError> {
    let updates = raw_updates(object)?;
    let expected = raw_conditions(object, "Expected")?;
    if !check_parameters(object, &UPDATE, count(&expected))? {
        return Ok(());
    }
    let mut placeholders = Placeholders::new(None, None);
    if let Some(updates) = updates {
        request.update_expression = update_expression(updates, &mut placeholders)?;
    }
    request.condition_expression = expected_expression(object, expected, &mut placeholders)?;
    placeholders.finish(
        &mut request.expression_attribute_names,
        &mut request.expression_attribute_values,
    );
    Ok(())
}

/// GetItem's `AttributesToGet`.
pub(super) fn get_item(object: &Object, request: &mut GetItemRequest) -> Result<(), DynamoError> {
    attributes_only(
        object,
        "",
        &mut request.projection_expression,
        &mut request.expression_attribute_names,
    )
}

/// `AttributesToGet` of one BatchGetItem table.
pub(super) fn keys_and_attributes(
    entry: &Object,
    table: &str,
    wanted: &mut KeysAndAttributes,
) -> Result<(), DynamoError> {
    attributes_only(
        entry,
        &format!("requestItems.{table}.member"),
        &mut wanted.projection_expression,
        &mut wanted.expression_attribute_names,
    )
}

/// A read whose only legacy parameter is `AttributesToGet`; `prefix` is
/// the member path of `object`.
fn attributes_only(
    object: &Object,
    prefix: &str,
    projection_expression: &mut Option<String>,
    names: &mut Option<BTreeMap<String, String>>,
) -> Result<(), DynamoError> {
    let attributes = raw_attributes_to_get(object, prefix)?;
    if !check_parameters(object, &GET, 0)? {
        return Ok(());
    }
    let mut placeholders = Placeholders::new(None, None);
    if let Some(attributes) = attributes {
        *projection_expression = Some(projection(attributes, &mut placeholders)?);
    }
    placeholders.finish(names, &mut None);
    Ok(())
}

/// Scan's `AttributesToGet`, `ScanFilter` and `ConditionalOperator`.
pub(super) fn scan(object: &Object, request: &mut ScanRequest) -> Result<(), DynamoError> {
    let attributes = raw_attributes_to_get(object, "")?;
    let filter = raw_conditions(object, "ScanFilter")?;
    if !check_parameters(object, &SCAN, count(&filter))? {
        return Ok(());
    }
    let mut placeholders = Placeholders::new(None, None);
    if let Some(attributes) = attributes {
        check_select(request.select)?;
        request.projection_expression = Some(projection(attributes, &mut placeholders)?);
    }
    request.filter_expression = filter_expression(object, filter, &mut placeholders)?;
    placeholders.finish(
        &mut request.expression_attribute_names,
        &mut request.expression_attribute_values,
    );
    Ok(())
}

/// Query's `KeyConditions`, `QueryFilter`, `AttributesToGet` and
/// `ConditionalOperator`. `KeyConditions` may come with the caller's
/// FilterExpression or ProjectionExpression, so the generated placeholders
/// avoid the caller's.
pub(super) fn query(object: &Object, request: &mut QueryRequest) -> Result<(), DynamoError> {
    let attributes = raw_attributes_to_get(object, "")?;
    let filter = raw_conditions(object, "QueryFilter")?;
    let key = raw_conditions(object, "KeyConditions")?;
    if !check_parameters(object, &QUERY, count(&filter))? {
        return Ok(());
    }
    let mut placeholders = Placeholders::new(
        request.expression_attribute_names.as_ref(),
        request.expression_attribute_values.as_ref(),
    );
    let filter = filter_expression(object, filter, &mut placeholders)?;
    let projection = match attributes {
        Some(attributes) => {
            check_select(request.select)?;
            Some(projection(attributes, &mut placeholders)?)
        }
        None => None,
    };
    if let Some(key) = key {
        request.key_condition_expression = Some(key_condition_expression(key, &mut placeholders)?);
    }
    if filter.is_some() {
        request.filter_expression = filter;
    }
    if projection.is_some() {
        request.projection_expression = projection;
    }
    placeholders.finish(
        &mut request.expression_attribute_names,
        &mut request.expression_attribute_values,
    );
    Ok(())
}

// ----- the checks of the whole request --------------------------------------

fn count(conditions: &Option<Vec<RawCondition<'_>>>) -> usize {
    conditions.as_ref().map_or(0, Vec::len)
}

/// DynamoDB's checks of the request's parameters together, after their JSON
/// shapes: no mix of legacy and expression parameters; no placeholder maps
/// without an expression to use them; `ConditionalOperator` only with two
/// or more conditions (`condition_count`) to join. Returns whether the
/// request has any legacy parameter (if not, there is nothing to do).
fn check_parameters(
    object: &Object,
    parameters: &Parameters,
    condition_count: usize,
) -> Result<bool, DynamoError> {
    let has_operator = parameters.conditions.is_some();
    if has_operator {
        enumeration(object, "", "ConditionalOperator", &CONDITIONAL_OPERATORS)?;
    }
    let given = |name: &&str| member(object, name).is_some();
    let expressions: Vec<&str> = parameters
        .expressions
        .iter()
        .copied()
        .filter(given)
        .collect();
    // DynamoDB lets KeyConditions go with the other expressions, but not
    // with KeyConditionExpression.
    let key_condition_expression = given(&"KeyConditionExpression");
    let legacy: Vec<&str> = parameters
        .legacy
        .iter()
        .copied()
        .filter(given)
        .filter(|name| *name != "KeyConditions" || key_condition_expression)
        .collect();
    if !expressions.is_empty() && !legacy.is_empty() {
        return Err(DynamoError::validation(messages::mixed_parameters(
            &legacy,
            &expressions,
        )));
    }
    if !parameters.legacy.iter().any(given) {
        return Ok(false);
    }
    if expressions.is_empty() && given(&"ExpressionAttributeNames") {
        return Err(DynamoError::validation(messages::NAMES_WITHOUT_EXPRESSIONS));
    }
    let values_used = parameters.value_expressions.iter().any(given);
    if !parameters.value_expressions.is_empty()
        && !values_used
        && given(&"ExpressionAttributeValues")
    {
        return Err(DynamoError::validation(
            messages::values_without_expressions(parameters.value_expressions),
        ));
    }
    if has_operator && given(&"ConditionalOperator") {
        match condition_count {
            0 => {
                return Err(DynamoError::validation(
                    messages::CONDITIONAL_OPERATOR_WITHOUT_CONDITIONS,
                ));
            }
            1 => {
                return Err(DynamoError::validation(
                    messages::CONDITIONAL_OPERATOR_ONE_CONDITION,
                ));
            }
            _ => {}
        }
    }
    Ok(true)
}

/// How `ConditionalOperator` joins conditions (AND unless it says OR).
fn joiner(object: &Object) -> Result<&'static str, DynamoError> {
    Ok(
        match enumeration(object, "", "ConditionalOperator", &CONDITIONAL_OPERATORS)? {
            Some("OR") => " OR ",
            _ => " AND ",
        },
    )
}

/// Select values that contradict AttributesToGet (checked before the
/// engine, whose messages name ProjectionExpression).
fn check_select(select: Option<Select>) -> Result<(), DynamoError> {
    match select {
        Some(Select::Count) => Err(DynamoError::validation(
            messages::COUNT_WITH_ATTRIBUTES_TO_GET,
        )),
        Some(Select::AllAttributes) => Err(DynamoError::validation(
            messages::ALL_ATTRIBUTES_WITH_ATTRIBUTES_TO_GET,
        )),
        _ => Ok(()),
    }
}

// ----- placeholders ---------------------------------------------------------

/// The `#l<n>` and `:l<n>` placeholders made for one request.
struct Placeholders {
    names: BTreeMap<String, String>,
    /// Attribute name to its placeholder: each name gets one.
    name_of: BTreeMap<String, String>,
    values: Item,
    /// The caller's own placeholders, which generated ones must skip.
    taken_names: BTreeSet<String>,
    taken_values: BTreeSet<String>,
    next_name: usize,
    next_value: usize,
}

impl Placeholders {
    fn new(names: Option<&BTreeMap<String, String>>, values: Option<&Item>) -> Placeholders {
        Placeholders {
            names: BTreeMap::new(),
            name_of: BTreeMap::new(),
            values: Item::new(),
            taken_names: names
                .map(|n| n.keys().cloned().collect())
                .unwrap_or_default(),
            taken_values: values
                .map(|v| v.keys().cloned().collect())
                .unwrap_or_default(),
            next_name: 0,
            next_value: 0,
        }
    }

    /// The placeholder for `attribute`.
    fn name(&mut self, attribute: &str) -> Result<String, DynamoError> {
        if attribute.is_empty() {
            return Err(DynamoError::validation(messages::EMPTY_ATTRIBUTE_NAME));
        }
        if let Some(placeholder) = self.name_of.get(attribute) {
            return Ok(placeholder.clone());
        }
        let placeholder = fresh("#l", &mut self.next_name, &self.taken_names);
        self.names.insert(placeholder.clone(), attribute.to_owned());
        self.name_of
            .insert(attribute.to_owned(), placeholder.clone());
        Ok(placeholder)
    }

    /// A new placeholder standing for `value`.
    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = fresh(":l", &mut self.next_value, &self.taken_values);
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// Adds the placeholders made to the request's maps (made only if some
    /// placeholder goes in: DynamoDB refuses empty maps).
    fn finish(self, names: &mut Option<BTreeMap<String, String>>, values: &mut Option<Item>) {
        if !self.names.is_empty() {
            names.get_or_insert_with(BTreeMap::new).extend(self.names);
        }
        if !self.values.is_empty() {
            values.get_or_insert_with(Item::new).extend(self.values);
        }
    }
}

/// `prefix<n>` for the first `n` from `next` on that `taken` lacks.
fn fresh(prefix: &str, next: &mut usize, taken: &BTreeSet<String>) -> String {
    loop {
        let candidate = format!("{prefix}{next}");
        *next += 1;
        if !taken.contains(&candidate) {
            return candidate;
        }
    }
}

/// Decodes a legacy attribute value; `name` says where it is in messages.
fn decode_value(value: &Value, name: &str) -> Result<AttributeValue, DynamoError> {
    let decoded = value_from_json(value, "$").map_err(|e| json_error(name, e))?;
    decoded.validate().map_err(|e| match e {
        dynacore::Error::Validation(message) => DynamoError::validation(message),
        other => DynamoError::validation(other.to_string()),
    })?;
    Ok(decoded)
}

/// A map member of legacy entries, each checked to be an object.
fn entries<'j>(
    object: &'j Object,
    parameter: &str,
) -> Result<Option<Vec<(&'j str, &'j Object)>>, DynamoError> {
    let Some(map) = object_member(object, parameter)? else {
        return Ok(None);
    };
    let map = as_object(map)?;
    let mut out = Vec::with_capacity(map.len());
    for (attribute, entry) in map {
        out.push((attribute.as_str(), as_object(entry)?));
    }
    Ok(Some(out))
}

// ----- AttributesToGet ------------------------------------------------------

/// AttributesToGet, its JSON shape and length checked; `prefix` is the
/// member path of the object holding it.
fn raw_attributes_to_get<'j>(
    object: &'j Object,
    prefix: &str,
) -> Result<Option<Vec<&'j str>>, DynamoError> {
    let Some(list) = array(object, "AttributesToGet")? else {
        return Ok(None);
    };
    let names = list
        .iter()
        .map(|name| name.as_str().ok_or_else(|| type_error(name, "String")))
        .collect::<Result<Vec<&str>, DynamoError>>()?;
    if names.is_empty() {
        return Err(DynamoError::validation(messages::list_empty(&path_of(
            prefix,
            "AttributesToGet",
        ))));
    }
    Ok(Some(names))
}

/// `#l0, #l1, ...`: the attributes, each once.
fn projection(
    attributes: Vec<&str>,
    placeholders: &mut Placeholders,
) -> Result<String, DynamoError> {
    let mut seen = BTreeSet::new();
    if let Some(duplicate) = attributes.iter().find(|name| !seen.insert(**name)) {
        return Err(DynamoError::validation(messages::duplicate_attribute_name(
            duplicate,
        )));
    }
    let paths = attributes
        .into_iter()
        .map(|name| placeholders.name(name))
        .collect::<Result<Vec<String>, DynamoError>>()?;
    Ok(paths.join(", "))
}

// ----- AttributeUpdates -----------------------------------------------------

/// One AttributeUpdates entry, its JSON shape checked.
struct RawUpdate<'j> {
    attribute: &'j str,
    /// PUT when absent.
    action: &'static str,
    value: Option<&'j Value>,
}

fn raw_updates(object: &Object) -> Result<Option<Vec<RawUpdate<'_>>>, DynamoError> {
    let Some(entries) = entries(object, "AttributeUpdates")? else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(entries.len());
    for (attribute, entry) in entries {
        let prefix = format!("attributeUpdates.{attribute}.member");
        let action = enumeration(entry, &prefix, "Action", &ACTIONS)?.unwrap_or("PUT");
        let value = member(entry, "Value");
        if let Some(value) = value {
            check_value_types(value)?;
        }
        out.push(RawUpdate {
            attribute,
            action,
            value,
        });
    }
    Ok(Some(out))
}

/// The UpdateExpression of AttributeUpdates, `None` for `{}`. PUT is SET,
/// DELETE without a value REMOVE, DELETE of a set DELETE, ADD of a number
/// or set ADD, and ADD of a list (which legacy ADD appends, creating the
/// list if need be) `SET a = list_append(if_not_exists(a, []), list)`.
fn update_expression(
    updates: Vec<RawUpdate<'_>>,
    placeholders: &mut Placeholders,
) -> Result<Option<String>, DynamoError> {
    let (mut set, mut remove, mut add, mut delete) = (vec![], vec![], vec![], vec![]);
    for update in updates {
        let value = update
            .value
            .map(|v| decode_value(v, &format!("AttributeUpdates.{}.Value", update.attribute)))
            .transpose()?;
        let is_set = |v: &AttributeValue| matches!(v.type_name(), "SS" | "NS" | "BS");
        let Some(value) = value else {
            if update.action != "DELETE" {
                return Err(DynamoError::validation(messages::UPDATE_WITHOUT_VALUE));
            }
            remove.push(placeholders.name(update.attribute)?);
            continue;
        };
        let name = placeholders.name(update.attribute)?;
        match update.action {
            "DELETE" if is_set(&value) => {
                delete.push(format!("{name} {}", placeholders.value(value)))
            }
            "DELETE" => {
                return Err(DynamoError::validation(messages::delete_type(
                    value.type_name(),
                )));
            }
            "ADD" if is_set(&value) || value.type_name() == "N" => {
                add.push(format!("{name} {}", placeholders.value(value)));
            }
            "ADD" if value.type_name() == "L" => {
                let empty = placeholders.value(AttributeValue::L(Vec::new()));
                let tail = placeholders.value(value);
                set.push(format!(
                    "{name} = list_append(if_not_exists({name}, {empty}), {tail})"
                ));
            }
            "ADD" => {
                return Err(DynamoError::validation(messages::add_type(
                    value.type_name(),
                )));
            }
            _ => set.push(format!("{name} = {}", placeholders.value(value))),
        }
    }
    let clauses: Vec<String> = [
        ("SET", set),
        ("REMOVE", remove),
        ("ADD", add),
        ("DELETE", delete),
    ]
    .into_iter()
    .filter(|(_, actions)| !actions.is_empty())
    .map(|(keyword, actions)| format!("{keyword} {}", actions.join(", ")))
    .collect();
    Ok((!clauses.is_empty()).then(|| clauses.join(" ")))
}
