//! Table schemas, key values and primary keys.
//!
//! A table's schema names its partition key and optional sort key and fixes
//! their types ([`KeyType`]: string, number or binary). [`KeyValue`]'s order
//! is DynamoDB's key order: numbers numerically, strings and binaries
//! bytewise (strings by their UTF-8 bytes). The order-preserving byte
//! encoding in `coding::key` (`docs/format/keys.md`) agrees with it.
//!
//! Key checks report DynamoDB's `ValidationException` messages: a missing key
//! attribute, a type mismatch, an empty string or binary, or a key value over
//! [`PARTITION_KEY_SIZE_BYTES_MAX`] / [`SORT_KEY_SIZE_BYTES_MAX`]. Pure data.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, Result};
use crate::limits::{
    KEY_ATTRIBUTE_NAME_BYTES_MAX, PARTITION_KEY_SIZE_BYTES_MAX, SORT_KEY_SIZE_BYTES_MAX,
    TABLE_NAME_LENGTH_MAX, TABLE_NAME_LENGTH_MIN,
};
use crate::model::number::Number;
use crate::model::size::number_size_bytes;
use crate::model::value::{AttributeValue, Item};

/// DynamoDB's message when a key given for a read or delete does not match
/// the table's key schema.
pub const KEY_SCHEMA_MISMATCH_MESSAGE: &str = "The provided key element does not match the schema";

/// The type of a key attribute. The tag values are stored on disk (in the
/// manifest's table catalog) and are never reused; their order is the order
/// of [`KeyValue`]s of different types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum KeyType {
    /// String (`S`).
    S = 1,
    /// Number (`N`).
    N = 2,
    /// Binary (`B`).
    B = 3,
}

impl KeyType {
    /// Decodes a stored tag; `None` for an unknown one.
    pub fn from_u8(tag: u8) -> Option<KeyType> {
        match tag {
            1 => Some(KeyType::S),
            2 => Some(KeyType::N),
            3 => Some(KeyType::B),
            _ => None,
        }
    }

    /// DynamoDB's name for the type: `S`, `N` or `B`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::S => "S",
            KeyType::N => "N",
            KeyType::B => "B",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key attribute: its name and type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyAttribute {
    /// The attribute name (1..=255 UTF-8 bytes).
    pub name: String,
    /// The attribute's type.
    pub key_type: KeyType,
}

impl KeyAttribute {
    /// A key attribute named `name` of type `key_type`.
    pub fn new(name: impl Into<String>, key_type: KeyType) -> KeyAttribute {
        KeyAttribute {
            name: name.into(),
            key_type,
        }
    }
}

/// A table's primary key schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableSchema {
    /// The partition (hash) key.
    pub partition_key: KeyAttribute,
    /// The sort (range) key, if the table has one.
    pub sort_key: Option<KeyAttribute>,
}

/// A key attribute's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyValue {
    /// A string key.
    S(String),
    /// A number key.
    N(Number),
    /// A binary key.
    B(Vec<u8>),
}

impl KeyValue {
    /// The value's type.
    pub fn key_type(&self) -> KeyType {
        match self {
            KeyValue::S(_) => KeyType::S,
            KeyValue::N(_) => KeyType::N,
            KeyValue::B(_) => KeyType::B,
        }
    }

    /// The key value held by `value`, if it is a string, number or binary.
    pub fn from_attribute_value(value: &AttributeValue) -> Option<KeyValue> {
        match value {
            AttributeValue::S(text) => Some(KeyValue::S(text.clone())),
            AttributeValue::N(number) => Some(KeyValue::N(*number)),
            AttributeValue::B(bytes) => Some(KeyValue::B(bytes.clone())),
            _ => None,
        }
    }

    /// The size DynamoDB counts against the key size limits: UTF-8 bytes,
    /// raw bytes, or the number's size.
    pub fn size_bytes(&self) -> usize {
        match self {
            KeyValue::S(text) => text.len(),
            KeyValue::N(number) => number_size_bytes(number),
            KeyValue::B(bytes) => bytes.len(),
        }
    }
}

impl Ord for KeyValue {
    /// DynamoDB's key order within one type; across types (which never meet
    /// within one table) by [`KeyType`] tag.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (KeyValue::S(a), KeyValue::S(b)) => a.as_bytes().cmp(b.as_bytes()),
            (KeyValue::N(a), KeyValue::N(b)) => a.cmp(b),
            (KeyValue::B(a), KeyValue::B(b)) => a.cmp(b),
            _ => self.key_type().cmp(&other.key_type()),
        }
    }
}

impl PartialOrd for KeyValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<KeyValue> for AttributeValue {
    fn from(value: KeyValue) -> AttributeValue {
        match value {
            KeyValue::S(text) => AttributeValue::S(text),
            KeyValue::N(number) => AttributeValue::N(number),
            KeyValue::B(bytes) => AttributeValue::B(bytes),
        }
    }
}

/// An item's primary key. Ordered by partition value, then sort value (a
/// missing sort value first), which is the order of its encoding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrimaryKey {
    /// The partition key value.
    pub partition: KeyValue,
    /// The sort key value; present exactly when the table has a sort key.
    pub sort: Option<KeyValue>,
}

impl TableSchema {
    /// A schema with only a partition key.
    pub fn partition_only(partition_key: KeyAttribute) -> TableSchema {
        TableSchema {
            partition_key,
            sort_key: None,
        }
    }

    /// A schema with a partition key and a sort key.
    pub fn with_sort_key(partition_key: KeyAttribute, sort_key: KeyAttribute) -> TableSchema {
        TableSchema {
            partition_key,
            sort_key: Some(sort_key),
        }
    }

    /// Checks the schema as DynamoDB's CreateTable does: key attribute names
    /// are 1..=255 bytes and the two keys have different names.
    ///
    /// # Errors
    /// [`Error::Validation`] with DynamoDB's message.
    pub fn validate(&self) -> Result<()> {
        let keys = std::iter::once(&self.partition_key).chain(self.sort_key.as_ref());
        for (index, key) in keys.enumerate() {
            let position = index + 1;
            if key.name.is_empty() {
                return Err(Error::validation(format!(
                    "1 validation error detected: Value '' at 'keySchema.{position}.member.attributeName' \
                     failed to satisfy constraint: Member must have length greater than or equal to 1"
                )));
            }
            if key.name.len() > KEY_ATTRIBUTE_NAME_BYTES_MAX {
                return Err(Error::validation(format!(
                    "1 validation error detected: Value '{}' at 'keySchema.{position}.member.attributeName' \
                     failed to satisfy constraint: Member must have length less than or equal to \
                     {KEY_ATTRIBUTE_NAME_BYTES_MAX}",
                    key.name
                )));
            }
        }
        if let Some(sort_key) = &self.sort_key
            && sort_key.name == self.partition_key.name
        {
            return Err(Error::validation(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name",
            ));
        }
        Ok(())
    }

    /// The primary key of a whole item (PutItem's view).
    ///
    /// # Errors
    /// [`Error::Validation`] with DynamoDB's message when a key attribute is
    /// missing, has the wrong type, is an empty string or binary, or is too
    /// large.
    pub fn key_of(&self, item: &Item) -> Result<PrimaryKey> {
        let partition = key_value_of(item, &self.partition_key)?;
        let sort = match &self.sort_key {
            Some(sort_key) => Some(key_value_of(item, sort_key)?),
            None => None,
        };
        let key = PrimaryKey { partition, sort };
        self.validate_key_sizes(&key)?;
        Ok(key)
    }

    /// The primary key named by a `Key` parameter (GetItem's and DeleteItem's
    /// view): exactly the key attributes, with the right types.
    ///
    /// # Errors
    /// [`Error::Validation`]: DynamoDB's "The provided key element does not
    /// match the schema" for missing, extra or mistyped attributes, and its
    /// messages for empty or oversized values.
    pub fn key_from_attributes(&self, key: &Item) -> Result<PrimaryKey> {
        let expected_count = 1 + usize::from(self.sort_key.is_some());
        if key.len() != expected_count {
            return Err(Error::validation(KEY_SCHEMA_MISMATCH_MESSAGE));
        }
        let lookup = |attribute: &KeyAttribute| {
            key.get(&attribute.name)
                .and_then(KeyValue::from_attribute_value)
                .ok_or_else(|| Error::validation(KEY_SCHEMA_MISMATCH_MESSAGE))
        };
        let partition = lookup(&self.partition_key)?;
        let sort = match &self.sort_key {
            Some(sort_key) => Some(lookup(sort_key)?),
            None => None,
        };
        let key = PrimaryKey { partition, sort };
        self.validate_key(&key)?;
        Ok(key)
    }

    /// Checks a key built by the caller against the schema: the right types,
    /// a sort value exactly when the table has a sort key, non-empty values
    /// within the size limits.
    ///
    /// # Errors
    /// [`Error::Validation`] with DynamoDB's message.
    pub fn validate_key(&self, key: &PrimaryKey) -> Result<()> {
        if key.partition.key_type() != self.partition_key.key_type {
            return Err(Error::validation(KEY_SCHEMA_MISMATCH_MESSAGE));
        }
        match (&self.sort_key, &key.sort) {
            (None, None) => {}
            (Some(sort_key), Some(sort)) if sort.key_type() == sort_key.key_type => {}
            _ => return Err(Error::validation(KEY_SCHEMA_MISMATCH_MESSAGE)),
        }
        check_not_empty(&self.partition_key.name, &key.partition)?;
        if let (Some(sort_key), Some(sort)) = (&self.sort_key, &key.sort) {
            check_not_empty(&sort_key.name, sort)?;
        }
        self.validate_key_sizes(key)
    }

    /// The key attributes of `key` as an item fragment (for `Key` and
    /// `LastEvaluatedKey` responses).
    pub fn key_attributes(&self, key: &PrimaryKey) -> Item {
        let mut item = Item::new();
        item.insert(
            self.partition_key.name.clone(),
            key.partition.clone().into(),
        );
        if let (Some(sort_key), Some(sort)) = (&self.sort_key, &key.sort) {
            item.insert(sort_key.name.clone(), sort.clone().into());
        }
        item
    }

    fn validate_key_sizes(&self, key: &PrimaryKey) -> Result<()> {
        if key.partition.size_bytes() > PARTITION_KEY_SIZE_BYTES_MAX {
            // DynamoDB's message really has no space before the limit.
            return Err(Error::validation(format!(
                "One or more parameter values were invalid: Size of hashkey has exceeded the \
                 maximum size limit of{PARTITION_KEY_SIZE_BYTES_MAX} bytes"
            )));
        }
        if key
            .sort
            .as_ref()
            .is_some_and(|sort| sort.size_bytes() > SORT_KEY_SIZE_BYTES_MAX)
        {
            return Err(Error::validation(format!(
                "One or more parameter values were invalid: Aggregated size of all range keys has \
                 exceeded the size limit of {SORT_KEY_SIZE_BYTES_MAX} bytes"
            )));
        }
        Ok(())
    }
}

/// The value of key attribute `attribute` in `item`, checked for presence,
/// type and emptiness.
fn key_value_of(item: &Item, attribute: &KeyAttribute) -> Result<KeyValue> {
    let value = item.get(&attribute.name).ok_or_else(|| {
        Error::validation(format!(
            "One or more parameter values were invalid: Missing the key {} in the item",
            attribute.name
        ))
    })?;
    let key_value = KeyValue::from_attribute_value(value)
        .filter(|v| v.key_type() == attribute.key_type)
        .ok_or_else(|| {
            Error::validation(format!(
                "One or more parameter values were invalid: Type mismatch for key {} expected: {} \
                 actual: {}",
                attribute.name,
                attribute.key_type,
                value.type_name()
            ))
        })?;
    check_not_empty(&attribute.name, &key_value)?;
    Ok(key_value)
}

/// DynamoDB rejects empty strings and binaries as key values.
fn check_not_empty(name: &str, value: &KeyValue) -> Result<()> {
    let kind = match value {
        KeyValue::S(text) if text.is_empty() => "string",
        KeyValue::B(bytes) if bytes.is_empty() => "binary",
        _ => return Ok(()),
    };
    Err(Error::validation(format!(
        "One or more parameter values are not valid. The AttributeValue for a key attribute \
         cannot contain an empty {kind} value. Key: {name}"
    )))
}

/// Checks a table name as DynamoDB does: 3..=255 characters of
/// `[a-zA-Z0-9_.-]`.
///
/// # Errors
/// [`Error::Validation`] with DynamoDB's "1 validation error detected"
/// message (or "2 validation errors detected" when both the pattern and
/// the length fail, each reported as DynamoDB does).
pub fn validate_table_name(name: &str) -> Result<()> {
    let violations: Vec<String> = table_name_constraints(name)
        .into_iter()
        .map(|constraint| constraint_violation(Some(name), "tableName", &constraint))
        .collect();
    match validation_errors(&violations) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// The constraints (DynamoDB's wording) that table or index name `name`
/// breaks, in the order DynamoDB lists them: the character pattern, then
/// the length (counted in characters). Empty if the name is valid.
pub fn table_name_constraints(name: &str) -> Vec<String> {
    let mut constraints = Vec::new();
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        constraints.push("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+".into());
    }
    let length = name.chars().count();
    if length < TABLE_NAME_LENGTH_MIN {
        constraints.push(format!(
            "Member must have length greater than or equal to {TABLE_NAME_LENGTH_MIN}"
        ));
    } else if length > TABLE_NAME_LENGTH_MAX {
        constraints.push(format!(
            "Member must have length less than or equal to {TABLE_NAME_LENGTH_MAX}"
        ));
    }
    constraints
}

/// One entry of a DynamoDB constraint-validation message: `Value 'v' at
/// 'member' failed to satisfy constraint: constraint` (`Value null at ...`
/// when `value` is `None`).
pub fn constraint_violation(value: Option<&str>, member: &str, constraint: &str) -> String {
    match value {
        Some(value) => {
            format!("Value '{value}' at '{member}' failed to satisfy constraint: {constraint}")
        }
        None => format!("Value null at '{member}' failed to satisfy constraint: {constraint}"),
    }
}

/// DynamoDB's message for a request breaking constraints: "1 validation
/// error detected: V" or "N validation errors detected: V1; V2; ..." as a
/// [`Error::Validation`]; `None` if `violations` is empty.
pub fn validation_errors(violations: &[String]) -> Option<Error> {
    match violations.len() {
        0 => None,
        1 => Some(Error::validation(format!(
            "1 validation error detected: {}",
            violations[0]
        ))),
        count => Some(Error::validation(format!(
            "{count} validation errors detected: {}",
            violations.join("; ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> TableSchema {
        TableSchema::with_sort_key(
            KeyAttribute::new("pk", KeyType::S),
            KeyAttribute::new("sk", KeyType::N),
        )
    }

    fn message(result: Result<impl fmt::Debug>) -> String {
        match result {
            Err(Error::Validation(message)) => message,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect()
    }

    #[test]
    fn key_of_extracts_typed_key() {
        let n: Number = "42".parse().unwrap();
        let key = schema()
            .key_of(&item(&[
                ("pk", AttributeValue::S("a".into())),
                ("sk", AttributeValue::N(n)),
                ("other", AttributeValue::Null),
            ]))
            .unwrap();
        assert_eq!(key.partition, KeyValue::S("a".into()));
        assert_eq!(key.sort, Some(KeyValue::N(n)));
        assert_eq!(schema().key_attributes(&key).len(), 2);
    }

    #[test]
    fn key_of_reports_dynamodb_messages() {
        let one = AttributeValue::N(Number::from(1));
        assert_eq!(
            message(schema().key_of(&item(&[("sk", one.clone())]))),
            "One or more parameter values were invalid: Missing the key pk in the item"
        );
        assert_eq!(
            message(schema().key_of(&item(&[("pk", AttributeValue::S("a".into()))]))),
            "One or more parameter values were invalid: Missing the key sk in the item"
        );
        assert_eq!(
            message(schema().key_of(&item(&[
                ("pk", AttributeValue::Bool(true)),
                ("sk", one.clone())
            ]))),
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: BOOL"
        );
        assert_eq!(
            message(schema().key_of(&item(&[
                ("pk", AttributeValue::S(String::new())),
                ("sk", one)
            ]))),
            "One or more parameter values are not valid. The AttributeValue for a key attribute \
             cannot contain an empty string value. Key: pk"
        );
        let binary = TableSchema::partition_only(KeyAttribute::new("b", KeyType::B));
        assert_eq!(
            message(binary.key_of(&item(&[("b", AttributeValue::B(Vec::new()))]))),
            "One or more parameter values are not valid. The AttributeValue for a key attribute \
             cannot contain an empty binary value. Key: b"
        );
    }

    #[test]
    fn key_size_limits_are_inclusive() {
        let hash = TableSchema::partition_only(KeyAttribute::new("pk", KeyType::S));
        let at_limit = item(&[("pk", AttributeValue::S("a".repeat(2048)))]);
        assert!(hash.key_of(&at_limit).is_ok());
        let over = item(&[("pk", AttributeValue::S("a".repeat(2049)))]);
        assert_eq!(
            message(hash.key_of(&over)),
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum \
             size limit of2048 bytes"
        );
        let range = TableSchema::with_sort_key(
            KeyAttribute::new("pk", KeyType::S),
            KeyAttribute::new("sk", KeyType::B),
        );
        let sort_at_limit = item(&[
            ("pk", AttributeValue::S("a".into())),
            ("sk", AttributeValue::B(vec![0; 1024])),
        ]);
        assert!(range.key_of(&sort_at_limit).is_ok());
        let sort_over = item(&[
            ("pk", AttributeValue::S("a".into())),
            ("sk", AttributeValue::B(vec![0; 1025])),
        ]);
        assert_eq!(
            message(range.key_of(&sort_over)),
            "One or more parameter values were invalid: Aggregated size of all range keys has \
             exceeded the size limit of 1024 bytes"
        );
    }

    #[test]
    fn validate_key_checks_shape_against_schema() {
        let good = PrimaryKey {
            partition: KeyValue::S("a".into()),
            sort: Some(KeyValue::N(Number::from(1))),
        };
        assert!(schema().validate_key(&good).is_ok());
        let missing_sort = PrimaryKey {
            sort: None,
            ..good.clone()
        };
        assert_eq!(
            message(schema().validate_key(&missing_sort)),
            KEY_SCHEMA_MISMATCH_MESSAGE
        );
        let wrong_type = PrimaryKey {
            partition: KeyValue::N(Number::from(1)),
            ..good.clone()
        };
        assert_eq!(
            message(schema().validate_key(&wrong_type)),
            KEY_SCHEMA_MISMATCH_MESSAGE
        );
        let extra = item(&[
            ("pk", AttributeValue::S("a".into())),
            ("sk", AttributeValue::N(Number::from(1))),
            ("x", AttributeValue::Null),
        ]);
        assert_eq!(
            message(schema().key_from_attributes(&extra)),
            KEY_SCHEMA_MISMATCH_MESSAGE
        );
        let exact = item(&[
            ("pk", AttributeValue::S("a".into())),
            ("sk", AttributeValue::N(Number::from(1))),
        ]);
        assert_eq!(schema().key_from_attributes(&exact).unwrap(), good);
    }

    #[test]
    fn schema_validation() {
        assert!(schema().validate().is_ok());
        let same = TableSchema::with_sort_key(
            KeyAttribute::new("k", KeyType::S),
            KeyAttribute::new("k", KeyType::N),
        );
        assert_eq!(
            message(same.validate()),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
        );
        assert!(
            TableSchema::partition_only(KeyAttribute::new("", KeyType::S))
                .validate()
                .is_err()
        );
        let long = KeyAttribute::new("k".repeat(256), KeyType::S);
        assert!(TableSchema::partition_only(long).validate().is_err());
        let longest = KeyAttribute::new("k".repeat(255), KeyType::S);
        assert!(TableSchema::partition_only(longest).validate().is_ok());
    }

    #[test]
    fn table_names_follow_dynamodb_rules() {
        assert!(validate_table_name("abc").is_ok());
        assert!(validate_table_name("My_Table-1.0").is_ok());
        assert!(validate_table_name(&"a".repeat(255)).is_ok());
        assert_eq!(
            message(validate_table_name("ab")),
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: \
             Member must have length greater than or equal to 3"
        );
        assert!(
            message(validate_table_name(&"a".repeat(256))).ends_with("less than or equal to 255")
        );
        assert!(message(validate_table_name("a b c")).ends_with("pattern: [a-zA-Z0-9_.-]+"));
        assert!(validate_table_name("tâble").is_err());
        // Both constraints broken: both reported, pattern first.
        assert_eq!(
            message(validate_table_name("a;")),
            "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at \
             'tableName' failed to satisfy constraint: Member must have length greater than or \
             equal to 3"
        );
    }

    #[test]
    fn key_value_order_is_dynamodb_order() {
        let s = |t: &str| KeyValue::S(t.into());
        assert!(s("B") < s("a"));
        assert!(s("a") < s("ab"));
        assert!(s("z") < s("é"));
        let n = |t: &str| KeyValue::N(t.parse().unwrap());
        assert!(n("-10") < n("-9") && n("-9") < n("0") && n("0") < n("0.5") && n("0.5") < n("10"));
        assert!(KeyValue::B(vec![0x00]) < KeyValue::B(vec![0x00, 0x00]));
        assert!(KeyValue::B(vec![0x7f]) < KeyValue::B(vec![0xff]));
        assert!(s("zzz") < n("-1") && n("1") < KeyValue::B(Vec::new()));
    }
}
