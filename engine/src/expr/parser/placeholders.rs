//! The request's placeholder maps themselves: checked before any
//! expression is parsed ([`check_placeholder_maps`]) and, after the last
//! one, for placeholders no expression used ([`check_all_used`]).
//!
//! Keys are `#` or `:` then one or more of `[A-Za-z0-9_]`, at most
//! [`EXPRESSION_PLACEHOLDER_BYTES_MAX`] bytes; names are not empty; values
//! are valid attribute values (non-empty sets, nesting); names and values
//! together are at most [`EXPRESSION_SUBSTITUTION_BYTES_MAX`] bytes. When
//! DynamoDB lists several unused keys, it lists them in the iteration order
//! of a Java `HashSet`, which [`java_hash_set_order`] reproduces.

use super::super::{AttributeNames, AttributeValues, ExpressionContext, messages};
use crate::limits::{EXPRESSION_PLACEHOLDER_BYTES_MAX, EXPRESSION_SUBSTITUTION_BYTES_MAX};
use crate::model::value_size_bytes;
use crate::{Error, Result};

/// Whether `key` is `sigil` followed by one or more of `[A-Za-z0-9_]`.
fn is_placeholder_key(key: &str, sigil: u8) -> bool {
    let bytes = key.as_bytes();
    bytes.len() >= 2
        && bytes[0] == sigil
        && bytes[1..]
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
}

/// Checks the maps as DynamoDB does before parsing: names first, then
/// values, then their combined size.
pub(crate) fn check_placeholder_maps(
    names: Option<&AttributeNames>,
    values: Option<&AttributeValues>,
) -> Result<()> {
    let mut substitution_bytes: usize = 0;
    if let Some(names) = names {
        if names.is_empty() {
            return Err(Error::validation(messages::NAMES_EMPTY));
        }
        for (key, name) in names {
            if key.len() > EXPRESSION_PLACEHOLDER_BYTES_MAX {
                return Err(Error::validation(messages::name_placeholder_too_long(
                    key.len(),
                )));
            }
            if !is_placeholder_key(key, b'#') {
                return Err(Error::validation(messages::placeholder_key_syntax(
                    "ExpressionAttributeNames",
                    key,
                )));
            }
            if name.is_empty() {
                return Err(Error::validation(messages::empty_attribute_name(key)));
            }
            substitution_bytes = substitution_bytes.saturating_add(key.len() + name.len());
        }
    }
    if let Some(values) = values {
        if values.is_empty() {
            return Err(Error::validation(messages::VALUES_EMPTY));
        }
        for key in values.keys() {
            if key.len() > EXPRESSION_PLACEHOLDER_BYTES_MAX {
                return Err(Error::validation(messages::VALUE_PLACEHOLDER_TOO_LONG));
            }
            if !is_placeholder_key(key, b':') {
                return Err(Error::validation(messages::placeholder_key_syntax(
                    "ExpressionAttributeValues",
                    key,
                )));
            }
        }
        for (key, value) in values {
            if let Err(error) = value.validate() {
                let problem = match error {
                    Error::Validation(problem) => problem,
                    other => other.to_string(),
                };
                return Err(Error::validation(messages::invalid_placeholder_value(
                    &problem, key,
                )));
            }
            // Sizes are computed only after `validate`, which bounds nesting.
            substitution_bytes =
                substitution_bytes.saturating_add(key.len() + value_size_bytes(value));
        }
    }
    if substitution_bytes > EXPRESSION_SUBSTITUTION_BYTES_MAX {
        return Err(Error::validation(messages::SUBSTITUTIONS_TOO_LARGE));
    }
    Ok(())
}

/// Every placeholder given was used; placeholders without any expression
/// are an error of their own.
pub(crate) fn check_all_used(context: &ExpressionContext<'_>) -> Result<()> {
    if !context.parsed_any {
        if context.names.is_some() {
            return Err(Error::validation(messages::NAMES_WITHOUT_EXPRESSIONS));
        }
        if context.values.is_some() {
            return Err(Error::validation(messages::VALUES_WITHOUT_EXPRESSIONS));
        }
        return Ok(());
    }
    if let Some(names) = context.names {
        let unused: Vec<&str> = names
            .keys()
            .map(String::as_str)
            .filter(|key| !context.used_names.contains(key))
            .collect();
        if !unused.is_empty() {
            let keys = java_hash_set_order(unused, names.len()).join(", ");
            return Err(Error::validation(messages::unused_names(&keys)));
        }
    }
    if let Some(values) = context.values {
        let unused: Vec<&str> = values
            .keys()
            .map(String::as_str)
            .filter(|key| !context.used_values.contains(key))
            .collect();
        if !unused.is_empty() {
            let keys = java_hash_set_order(unused, values.len()).join(", ");
            return Err(Error::validation(messages::unused_values(&keys)));
        }
    }
    Ok(())
}

/// Java's `String.hashCode`: over UTF-16 code units, wrapping.
fn java_string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// `keys` in the order a Java `HashSet` built from a collection of
/// `source_count` keys iterates them: by bucket (`HashMap`'s spread hash
/// masked by the table capacity), ties in ascending order.
pub(super) fn java_hash_set_order(mut keys: Vec<&str>, source_count: usize) -> Vec<&str> {
    // `new HashSet<>(c)` sizes its table for `max(c.size() / .75 + 1, 16)`,
    // rounded up to a power of two.
    let wanted = (source_count.saturating_mul(4) / 3)
        .saturating_add(1)
        .max(16);
    let capacity = wanted
        .checked_next_power_of_two()
        .unwrap_or(1 << 30)
        .min(1 << 30);
    let bucket = |key: &str| {
        let hash = java_string_hash(key) as u32;
        let spread = hash ^ (hash >> 16);
        spread as usize & (capacity - 1)
    };
    keys.sort_by(|a, b| bucket(a).cmp(&bucket(b)).then_with(|| a.cmp(b)));
    keys
}
