//! DynamoDB's attribute-value JSON, the shape the AWS CLI reads and prints
//! (`{"pk": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": "<base64>"}}`), to
//! and from the engine's [`AttributeValue`] and [`Item`], over
//! `serde_json::Value`. Used by the CLI and by the DynamoDB JSON API.
//!
//! Decoding never panics: every error names the path of the bad value
//! (`$.m.x: expected an object with one type key`). Numbers go through the
//! engine's own parser, so `{"N": "1e500"}` fails here exactly as the
//! engine would fail it. `output` prints the engine's outputs.

pub mod base64;
pub mod output;

use std::collections::{BTreeMap, BTreeSet};

use dynacore::{AttributeValue, Item, Number};
use serde_json::{Map, Value};

/// A JSON value that is not valid attribute-value JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct JsonError {
    /// `$` for the document, `$.name` for a member, `$.l[2]` for an element.
    pub path: String,
    pub message: String,
    /// The whole message DynamoDB's API gives for this mistake, where it has
    /// its own wording (the DynamoDB layer answers with it instead of
    /// `path: message`).
    pub dynamodb_message: Option<String>,
}

impl JsonError {
    fn new(path: &str, message: impl Into<String>) -> JsonError {
        JsonError {
            path: path.to_owned(),
            message: message.into(),
            dynamodb_message: None,
        }
    }

    fn with_dynamodb(mut self, message: impl Into<String>) -> JsonError {
        self.dynamodb_message = Some(message.into());
        self
    }
}

/// DynamoDB's messages for attribute values it cannot accept (quoted from
/// DynamoDB's answers in public SDK and emulator issue threads).
const MORE_THAN_ONE_TYPE: &str = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
const NO_TYPE: &str =
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";

fn member(path: &str, name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{path}.{name}")
    } else {
        format!("{path}[{}]", Value::String(name.to_owned()))
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expect_str<'a>(value: &'a Value, path: &str, what: &str) -> Result<&'a str, JsonError> {
    value.as_str().ok_or_else(|| {
        JsonError::new(
            path,
            format!("{what} must be a string, not {}", type_name(value)),
        )
    })
}

fn expect_array<'a>(value: &'a Value, path: &str, what: &str) -> Result<&'a [Value], JsonError> {
    value.as_array().map(Vec::as_slice).ok_or_else(|| {
        JsonError::new(
            path,
            format!("{what} must be an array, not {}", type_name(value)),
        )
    })
}

fn number(text: &str, path: &str) -> Result<Number, JsonError> {
    text.parse::<Number>().map_err(|e| {
        let message = e.to_string();
        let message = message
            .strip_prefix("ValidationException: ")
            .unwrap_or(&message);
        JsonError::new(path, message.to_owned()).with_dynamodb(message)
    })
}

fn set<T: Ord>(
    members: &[Value],
    path: &str,
    tag: &str,
    mut parse: impl FnMut(&Value, &str) -> Result<T, JsonError>,
) -> Result<BTreeSet<T>, JsonError> {
    if members.is_empty() {
        let dynamodb = match tag {
            "SS" => dynacore::model::value::EMPTY_STRING_SET_MESSAGE,
            "NS" => dynacore::model::value::EMPTY_NUMBER_SET_MESSAGE,
            _ => dynacore::model::value::EMPTY_BINARY_SET_MESSAGE,
        };
        return Err(
            JsonError::new(path, format!("an {tag} set must not be empty")).with_dynamodb(dynamodb),
        );
    }
    let mut out = BTreeSet::new();
    for (i, m) in members.iter().enumerate() {
        let at = format!("{path}[{i}]");
        if !out.insert(parse(m, &at)?) {
            // DynamoDB prints the members as sent, Java-list style.
            let listed: Vec<&str> = members.iter().filter_map(Value::as_str).collect();
            return Err(
                JsonError::new(&at, format!("duplicate member of the {tag} set")).with_dynamodb(
                    format!(
                        "One or more parameter values were invalid: Input collection [{}] contains duplicates.",
                        listed.join(", ")
                    ),
                ),
            );
        }
    }
    Ok(out)
}

/// Decodes one attribute value (`{"S": "a"}` ...). `path` names it in
/// errors (`$` for a document of its own).
pub fn value_from_json(value: &Value, path: &str) -> Result<AttributeValue, JsonError> {
    let object = match value {
        Value::Object(o) if o.len() == 1 => o,
        _ => {
            let error = JsonError::new(
                path,
                format!(
                    "expected an object with one type key (S, N, B, BOOL, NULL, L, M, SS, NS, BS), got {}",
                    match value {
                        Value::Object(o) => format!("an object with {} keys", o.len()),
                        other => type_name(other).to_owned(),
                    }
                ),
            );
            return Err(match value {
                Value::Object(o) if o.is_empty() => error.with_dynamodb(NO_TYPE),
                Value::Object(_) => error.with_dynamodb(MORE_THAN_ONE_TYPE),
                _ => error,
            });
        }
    };
    let Some((tag, inner)) = object.iter().next() else {
        return Err(JsonError::new(path, "expected an object with one type key"));
    };
    let at = format!("{path}.{tag}");
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(expect_str(inner, &at, "S")?.to_owned()),
        "N" => AttributeValue::N(number(expect_str(inner, &at, "N")?, &at)?),
        "B" => AttributeValue::B(binary(inner, &at, "B")?),
        "BOOL" => match inner {
            Value::Bool(b) => AttributeValue::Bool(*b),
            other => {
                return Err(JsonError::new(
                    &at,
                    format!("BOOL must be true or false, not {}", type_name(other)),
                ));
            }
        },
        "NULL" => match inner {
            Value::Bool(true) => AttributeValue::Null,
            _ => return Err(JsonError::new(&at, "NULL must be true")),
        },
        "L" => {
            let elements = expect_array(inner, &at, "L")?;
            let mut out = Vec::with_capacity(elements.len());
            for (i, e) in elements.iter().enumerate() {
                out.push(value_from_json(e, &format!("{at}[{i}]"))?);
            }
            AttributeValue::L(out)
        }
        "M" => AttributeValue::M(map_from_json(inner, &at)?),
        "SS" => AttributeValue::Ss(set(expect_array(inner, &at, "SS")?, &at, "SS", |m, p| {
            Ok(expect_str(m, p, "an SS member")?.to_owned())
        })?),
        "NS" => AttributeValue::Ns(set(expect_array(inner, &at, "NS")?, &at, "NS", |m, p| {
            number(expect_str(m, p, "an NS member")?, p)
        })?),
        "BS" => AttributeValue::Bs(set(expect_array(inner, &at, "BS")?, &at, "BS", |m, p| {
            binary(m, p, "a BS member")
        })?),
        other => {
            return Err(JsonError::new(
                path,
                format!("unknown attribute type {:?}", other),
            ));
        }
    })
}

fn binary(value: &Value, path: &str, what: &str) -> Result<Vec<u8>, JsonError> {
    let text = expect_str(value, path, what)?;
    base64::decode(text).map_err(|e| JsonError::new(path, format!("{what}: {e}")))
}

fn map_from_json(value: &Value, path: &str) -> Result<BTreeMap<String, AttributeValue>, JsonError> {
    let Value::Object(object) = value else {
        return Err(JsonError::new(
            path,
            format!("expected an object of attributes, got {}", type_name(value)),
        ));
    };
    let mut out = BTreeMap::new();
    for (name, v) in object {
        out.insert(name.clone(), value_from_json(v, &member(path, name))?);
    }
    Ok(out)
}

/// Decodes an item (or a key, or ExpressionAttributeValues): an object of
/// attribute names to attribute values.
pub fn item_from_json(value: &Value) -> Result<Item, JsonError> {
    map_from_json(value, "$")
}

/// Decodes ExpressionAttributeNames: an object of `#name` to names.
pub fn names_from_json(value: &Value) -> Result<BTreeMap<String, String>, JsonError> {
    let Value::Object(object) = value else {
        return Err(JsonError::new(
            "$",
            format!("expected an object of names, got {}", type_name(value)),
        ));
    };
    let mut out = BTreeMap::new();
    for (name, v) in object {
        let text = expect_str(v, &member("$", name), "a name")?;
        out.insert(name.clone(), text.to_owned());
    }
    Ok(out)
}

/// Encodes one attribute value.
pub fn value_to_json(value: &AttributeValue) -> Value {
    let (tag, inner) = match value {
        AttributeValue::S(s) => ("S", Value::String(s.clone())),
        AttributeValue::N(n) => ("N", Value::String(n.to_string())),
        AttributeValue::B(b) => ("B", Value::String(base64::encode(b))),
        AttributeValue::Bool(b) => ("BOOL", Value::Bool(*b)),
        AttributeValue::Null => ("NULL", Value::Bool(true)),
        AttributeValue::L(l) => ("L", Value::Array(l.iter().map(value_to_json).collect())),
        AttributeValue::M(m) => ("M", map_to_json(m)),
        AttributeValue::Ss(s) => ("SS", s.iter().map(|m| Value::String(m.clone())).collect()),
        AttributeValue::Ns(s) => (
            "NS",
            s.iter().map(|m| Value::String(m.to_string())).collect(),
        ),
        AttributeValue::Bs(s) => (
            "BS",
            s.iter().map(|m| Value::String(base64::encode(m))).collect(),
        ),
    };
    let mut object = Map::new();
    object.insert(tag.to_owned(), inner);
    Value::Object(object)
}

fn map_to_json(map: &BTreeMap<String, AttributeValue>) -> Value {
    Value::Object(
        map.iter()
            .map(|(name, v)| (name.clone(), value_to_json(v)))
            .collect(),
    )
}

/// Encodes an item.
pub fn item_to_json(item: &Item) -> Value {
    map_to_json(item)
}
