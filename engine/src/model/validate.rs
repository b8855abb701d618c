//! Whole-item validation, as DynamoDB's PutItem performs it.
//!
//! [`validate_item`] is the single gate an item passes before it is encoded
//! and written: names, values, size and key are all checked here, so the
//! storage layers below may assume every stored item is valid. Checks run in
//! DynamoDB's order (values, then item size, then the key) so the first
//! problem reported is the one DynamoDB would report. Pure code.

use crate::error::{Error, Result};
use crate::limits::{ATTRIBUTE_NAME_BYTES_MAX, ITEM_SIZE_BYTES_MAX};
use crate::model::schema::{PrimaryKey, TableSchema};
use crate::model::size::item_size_bytes;
use crate::model::value::Item;

/// DynamoDB's message for an item over [`ITEM_SIZE_BYTES_MAX`].
pub const ITEM_SIZE_MESSAGE: &str = "Item size has exceeded the maximum allowed size";

/// Our message for an empty top-level attribute name, in DynamoDB's style.
pub const EMPTY_ATTRIBUTE_NAME_MESSAGE: &str =
    "One or more parameter values were invalid: An attribute name cannot be empty";

/// Checks that `item` may be stored in a table with `schema` and returns its
/// primary key.
///
/// Checks, in order: every attribute name is 1..=[`ATTRIBUTE_NAME_BYTES_MAX`]
/// bytes; every value is valid ([`crate::model::AttributeValue::validate`]:
/// non-empty sets, nesting at most 32 levels); the item's DynamoDB size is at
/// most [`ITEM_SIZE_BYTES_MAX`] (exactly 400 KB is accepted); the key
/// attributes are present, typed as the schema says, non-empty and within
/// the 2048/1024-byte limits.
///
/// # Errors
/// [`Error::Validation`] with DynamoDB's message for the first problem.
pub fn validate_item(schema: &TableSchema, item: &Item) -> Result<PrimaryKey> {
    for (name, value) in item {
        if name.is_empty() {
            return Err(Error::validation(EMPTY_ATTRIBUTE_NAME_MESSAGE));
        }
        if name.len() > ATTRIBUTE_NAME_BYTES_MAX {
            return Err(Error::validation(format!(
                "One or more parameter values were invalid: Attribute name is too long: the \
                 limit is {ATTRIBUTE_NAME_BYTES_MAX} bytes"
            )));
        }
        value.validate()?;
    }
    if item_size_bytes(item) > ITEM_SIZE_BYTES_MAX {
        return Err(Error::validation(ITEM_SIZE_MESSAGE));
    }
    schema.key_of(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::NESTING_DEPTH_MAX;
    use crate::model::schema::{KeyAttribute, KeyType};
    use crate::model::value::{AttributeValue, NESTING_MESSAGE};
    use std::collections::{BTreeMap, BTreeSet};

    fn schema() -> TableSchema {
        TableSchema::partition_only(KeyAttribute::new("a", KeyType::S))
    }

    fn message(result: Result<PrimaryKey>) -> String {
        match result {
            Err(Error::Validation(message)) => message,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    /// An item of exactly `size` DynamoDB bytes: key `a = "k"` (2 bytes) and
    /// attribute `b` holding the rest as a string.
    fn item_of_size(size: usize) -> Item {
        Item::from([
            ("a".to_string(), AttributeValue::S("k".into())),
            ("b".to_string(), AttributeValue::S("x".repeat(size - 2 - 1))),
        ])
    }

    #[test]
    fn item_size_limit_is_exactly_400_kb() {
        assert_eq!(item_size_bytes(&item_of_size(ITEM_SIZE_BYTES_MAX)), 409_600);
        assert!(validate_item(&schema(), &item_of_size(ITEM_SIZE_BYTES_MAX)).is_ok());
        assert_eq!(
            message(validate_item(
                &schema(),
                &item_of_size(ITEM_SIZE_BYTES_MAX + 1)
            )),
            ITEM_SIZE_MESSAGE
        );
    }

    #[test]
    fn item_size_counts_numbers_like_dynamodb() {
        // dynalite's boundary test, checked against DynamoDB: a 38-digit
        // number costs 20 bytes, so this item is one byte over.
        let mut item = item_of_size(ITEM_SIZE_BYTES_MAX - 21 + 1);
        let big: crate::model::Number = format!("{}{}", "1".repeat(38), "0".repeat(88))
            .parse()
            .unwrap();
        item.insert("c".into(), AttributeValue::N(big));
        assert_eq!(message(validate_item(&schema(), &item)), ITEM_SIZE_MESSAGE);
    }

    #[test]
    fn nesting_of_32_levels_is_accepted_and_33_rejected() {
        let nested = |depth: usize| {
            let mut value = AttributeValue::S("leaf".into());
            for level in 0..depth {
                value = if level % 2 == 0 {
                    AttributeValue::L(vec![value])
                } else {
                    AttributeValue::M(BTreeMap::from([("m".to_string(), value)]))
                };
            }
            Item::from([
                ("a".to_string(), AttributeValue::S("k".into())),
                ("deep".to_string(), value),
            ])
        };
        assert!(validate_item(&schema(), &nested(NESTING_DEPTH_MAX)).is_ok());
        assert_eq!(
            message(validate_item(&schema(), &nested(NESTING_DEPTH_MAX + 1))),
            NESTING_MESSAGE
        );
    }

    #[test]
    fn names_and_sets_are_checked_before_the_key() {
        let empty_name = Item::from([(String::new(), AttributeValue::Null)]);
        assert_eq!(
            message(validate_item(&schema(), &empty_name)),
            EMPTY_ATTRIBUTE_NAME_MESSAGE
        );
        let empty_set = Item::from([("s".to_string(), AttributeValue::Bs(BTreeSet::new()))]);
        assert_eq!(
            message(validate_item(&schema(), &empty_set)),
            crate::model::value::EMPTY_BINARY_SET_MESSAGE
        );
        let long_name = Item::from([
            ("a".to_string(), AttributeValue::S("k".into())),
            (
                "n".repeat(ATTRIBUTE_NAME_BYTES_MAX + 1),
                AttributeValue::Null,
            ),
        ]);
        assert!(validate_item(&schema(), &long_name).is_err());
        let no_key = Item::from([("b".to_string(), AttributeValue::Null)]);
        assert_eq!(
            message(validate_item(&schema(), &no_key)),
            "One or more parameter values were invalid: Missing the key a in the item"
        );
    }
}
