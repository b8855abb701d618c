//! DynamoDB attribute values and items.
//!
//! An [`AttributeValue`] is one of DynamoDB's ten data types. Maps and sets
//! are `BTree` collections, so map keys and set members are unique and held
//! in one canonical order (strings and binaries bytewise, numbers
//! numerically); equal values are therefore structurally equal, and the item
//! encoding (`docs/format/item.md`) is deterministic.
//!
//! What the types cannot express is checked by [`crate::model::validate_item`]
//! and [`AttributeValue::validate`]: sets are non-empty and nesting is at most
//! [`NESTING_DEPTH_MAX`] levels. The set constructors here reject empty sets
//! up front. Pure data, usable from any thread.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Error, Result};
use crate::limits::NESTING_DEPTH_MAX;
use crate::model::number::Number;

/// An item: attribute names to values, ordered by name.
pub type Item = BTreeMap<String, AttributeValue>;

/// One DynamoDB attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeValue {
    /// String (`S`): UTF-8 text, possibly empty outside keys.
    S(String),
    /// Number (`N`): an exact decimal.
    N(Number),
    /// Binary (`B`): raw bytes, possibly empty outside keys.
    B(Vec<u8>),
    /// Boolean (`BOOL`).
    Bool(bool),
    /// Null (`NULL`); DynamoDB's `NULL: true`.
    Null,
    /// List (`L`) of values of any types.
    L(Vec<AttributeValue>),
    /// Map (`M`) of names to values of any types.
    M(BTreeMap<String, AttributeValue>),
    /// String set (`SS`): non-empty, unique members.
    Ss(BTreeSet<String>),
    /// Number set (`NS`): non-empty, unique members.
    Ns(BTreeSet<Number>),
    /// Binary set (`BS`): non-empty, unique members.
    Bs(BTreeSet<Vec<u8>>),
}

/// DynamoDB's message for an empty string set (its double space included).
pub const EMPTY_STRING_SET_MESSAGE: &str =
    "One or more parameter values were invalid: An string set  may not be empty";
/// DynamoDB's message for an empty number set (its double space included).
pub const EMPTY_NUMBER_SET_MESSAGE: &str =
    "One or more parameter values were invalid: An number set  may not be empty";
/// DynamoDB's message for an empty binary set.
pub const EMPTY_BINARY_SET_MESSAGE: &str =
    "One or more parameter values were invalid: Binary sets should not be empty";
/// DynamoDB's message for lists and maps nested too deeply.
pub const NESTING_MESSAGE: &str = "Nesting Levels have exceeded supported limits: \
     Attributes in the item have nested levels beyond supported limit";

impl AttributeValue {
    /// DynamoDB's name for this value's type: `S`, `N`, `B`, `BOOL`, `NULL`,
    /// `L`, `M`, `SS`, `NS` or `BS`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::L(_) => "L",
            AttributeValue::M(_) => "M",
            AttributeValue::Ss(_) => "SS",
            AttributeValue::Ns(_) => "NS",
            AttributeValue::Bs(_) => "BS",
        }
    }

    /// A string set of `members` (duplicates collapse).
    ///
    /// # Errors
    /// [`Error::Validation`] if `members` is empty.
    pub fn string_set(members: impl IntoIterator<Item = String>) -> Result<AttributeValue> {
        let set: BTreeSet<String> = members.into_iter().collect();
        if set.is_empty() {
            return Err(Error::validation(EMPTY_STRING_SET_MESSAGE));
        }
        Ok(AttributeValue::Ss(set))
    }

    /// A number set of `members` (equal values collapse).
    ///
    /// # Errors
    /// [`Error::Validation`] if `members` is empty.
    pub fn number_set(members: impl IntoIterator<Item = Number>) -> Result<AttributeValue> {
        let set: BTreeSet<Number> = members.into_iter().collect();
        if set.is_empty() {
            return Err(Error::validation(EMPTY_NUMBER_SET_MESSAGE));
        }
        Ok(AttributeValue::Ns(set))
    }

    /// A binary set of `members` (duplicates collapse).
    ///
    /// # Errors
    /// [`Error::Validation`] if `members` is empty.
    pub fn binary_set(members: impl IntoIterator<Item = Vec<u8>>) -> Result<AttributeValue> {
        let set: BTreeSet<Vec<u8>> = members.into_iter().collect();
        if set.is_empty() {
            return Err(Error::validation(EMPTY_BINARY_SET_MESSAGE));
        }
        Ok(AttributeValue::Bs(set))
    }

    /// How many list/map levels this value has: 0 for a scalar or set, 1 for
    /// a list or map of scalars, and so on. Computed iteratively, so a
    /// hostile depth cannot overflow the stack.
    pub fn nesting_depth(&self) -> usize {
        let mut deepest = 0;
        let mut pending: Vec<(&AttributeValue, usize)> = vec![(self, 0)];
        while let Some((value, depth)) = pending.pop() {
            match value {
                AttributeValue::L(list) => {
                    deepest = deepest.max(depth + 1);
                    pending.extend(list.iter().map(|v| (v, depth + 1)));
                }
                AttributeValue::M(map) => {
                    deepest = deepest.max(depth + 1);
                    pending.extend(map.values().map(|v| (v, depth + 1)));
                }
                _ => {}
            }
        }
        deepest
    }

    /// Checks what the type cannot express: every set (at any depth) is
    /// non-empty and lists and maps nest at most [`NESTING_DEPTH_MAX`] levels.
    ///
    /// # Errors
    /// [`Error::Validation`] with DynamoDB's message for the first problem found.
    pub fn validate(&self) -> Result<()> {
        if self.nesting_depth() > NESTING_DEPTH_MAX {
            return Err(Error::validation(NESTING_MESSAGE));
        }
        let mut pending: Vec<&AttributeValue> = vec![self];
        while let Some(value) = pending.pop() {
            match value {
                AttributeValue::L(list) => pending.extend(list),
                AttributeValue::M(map) => pending.extend(map.values()),
                AttributeValue::Ss(set) if set.is_empty() => {
                    return Err(Error::validation(EMPTY_STRING_SET_MESSAGE));
                }
                AttributeValue::Ns(set) if set.is_empty() => {
                    return Err(Error::validation(EMPTY_NUMBER_SET_MESSAGE));
                }
                AttributeValue::Bs(set) if set.is_empty() => {
                    return Err(Error::validation(EMPTY_BINARY_SET_MESSAGE));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl From<Number> for AttributeValue {
    fn from(value: Number) -> AttributeValue {
        AttributeValue::N(value)
    }
}

impl From<String> for AttributeValue {
    fn from(value: String) -> AttributeValue {
        AttributeValue::S(value)
    }
}

impl From<&str> for AttributeValue {
    fn from(value: &str) -> AttributeValue {
        AttributeValue::S(value.to_string())
    }
}

impl From<bool> for AttributeValue {
    fn from(value: bool) -> AttributeValue {
        AttributeValue::Bool(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_lists(depth: usize) -> AttributeValue {
        let mut value = AttributeValue::Null;
        for _ in 0..depth {
            value = AttributeValue::L(vec![value]);
        }
        value
    }

    #[test]
    fn set_constructors_reject_empty_sets() {
        assert!(AttributeValue::string_set(Vec::new()).is_err());
        assert!(AttributeValue::number_set(Vec::new()).is_err());
        assert!(AttributeValue::binary_set(Vec::new()).is_err());
        let set = AttributeValue::string_set(["a".to_string(), "a".to_string()]).unwrap();
        assert_eq!(set, AttributeValue::Ss(BTreeSet::from(["a".to_string()])));
    }

    #[test]
    fn validate_finds_empty_sets_at_any_depth() {
        let inner = AttributeValue::M(BTreeMap::from([(
            "x".to_string(),
            AttributeValue::Ns(BTreeSet::new()),
        )]));
        let value = AttributeValue::L(vec![AttributeValue::Null, inner]);
        assert_eq!(
            value.validate().unwrap_err().to_string(),
            format!("ValidationException: {EMPTY_NUMBER_SET_MESSAGE}")
        );
    }

    #[test]
    fn nesting_depth_counts_list_and_map_levels() {
        assert_eq!(AttributeValue::Null.nesting_depth(), 0);
        assert_eq!(AttributeValue::L(Vec::new()).nesting_depth(), 1);
        assert_eq!(nested_lists(32).nesting_depth(), 32);
        assert!(nested_lists(NESTING_DEPTH_MAX).validate().is_ok());
        assert!(nested_lists(NESTING_DEPTH_MAX + 1).validate().is_err());
        assert!(nested_lists(1000).validate().is_err());
    }
}
