//! KeyConditionExpression: the rules a Query's key condition follows beyond
//! those of any condition, checked on the lowered condition against the
//! table's key schema, in DynamoDB's order.
//!
//! The condition is an AND of one or two leaves. Walking it in the order
//! written, each node is checked as it is met: OR, NOT, IN, `<>` and
//! functions other than `begins_with` are refused; each leaf names exactly
//! one top-level attribute, first for BETWEEN and `begins_with`, compared
//! with values only (no `size()`), and no attribute twice. Then the leaves
//! must match the schema: equality on the partition key, at most one more
//! leaf, on the sort key, and values of the keys' types, not empty.

use super::super::ast::{
    Comparator, Condition, KeyCondition, Operand, PathElement, SortKeyCondition,
};
use super::super::messages;
use super::semantics::comparator_text;
use crate::model::{AttributeValue, KeyAttribute, KeyType, KeyValue, TableSchema};
use crate::{Error, Result};

/// What one leaf asks of its attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyOperator {
    Compare(Comparator),
    Between,
    BeginsWith,
}

/// One leaf: the attribute it constrains, how, and its values.
#[derive(Debug)]
struct KeyLeaf<'c> {
    name: &'c str,
    operator: KeyOperator,
    values: Vec<&'c AttributeValue>,
}

/// The key condition `condition` (already checked as a condition) states
/// for a table with `schema`.
pub(super) fn key_condition(condition: &Condition, schema: &TableSchema) -> Result<KeyCondition> {
    let leaves = leaves(condition)?;
    if leaves.len() > 2 {
        return Err(Error::validation(messages::KEY_CONDITION_COUNT));
    }
    let key_count = 1 + usize::from(schema.sort_key.is_some());
    if leaves.len() > key_count {
        return Err(Error::validation(messages::KEY_CONDITION_NOT_SUPPORTED));
    }
    let partition_name = schema.partition_key.name.as_str();
    let Some(partition_leaf) = leaves.iter().find(|leaf| leaf.name == partition_name) else {
        return Err(Error::validation(messages::key_condition_missing_key(
            partition_name,
        )));
    };
    let sort_leaf = leaves.iter().find(|leaf| leaf.name != partition_name);
    let sort = match (sort_leaf, &schema.sort_key) {
        (None, _) => None,
        (Some(leaf), Some(sort_key)) if leaf.name == sort_key.name => Some((leaf, sort_key)),
        (Some(_), Some(sort_key)) => {
            return Err(Error::validation(messages::key_condition_missing_key(
                &sort_key.name,
            )));
        }
        // More leaves than keys was refused above.
        (Some(_), None) => return Err(Error::validation(messages::KEY_CONDITION_NOT_SUPPORTED)),
    };

    let partition_values = key_values(partition_leaf, &schema.partition_key)?;
    let sort_values = match sort {
        Some((leaf, sort_key)) => Some((leaf.operator, key_values(leaf, sort_key)?)),
        None => None,
    };
    let partition = match (partition_leaf.operator, partition_values.as_slice()) {
        (KeyOperator::Compare(Comparator::Eq), [value]) => value.clone(),
        _ => return Err(Error::validation(messages::KEY_CONDITION_NOT_SUPPORTED)),
    };
    let sort = match sort_values {
        None => None,
        Some((operator, values)) => Some(sort_key_condition(operator, values)?),
    };
    Ok(KeyCondition { partition, sort })
}

/// The leaves of the AND tree, each checked as the walk meets it.
fn leaves(condition: &Condition) -> Result<Vec<KeyLeaf<'_>>> {
    let mut leaves: Vec<KeyLeaf<'_>> = Vec::new();
    // Right subtrees wait on the stack, so nodes are met in written order.
    let mut pending = vec![condition];
    while let Some(node) = pending.pop() {
        let leaf = match node {
            Condition::And(left, right) => {
                pending.push(right);
                pending.push(left);
                continue;
            }
            Condition::Or(..) => return Err(operator_error("OR")),
            Condition::Not(_) => return Err(operator_error("NOT")),
            Condition::In { .. } => return Err(operator_error("IN")),
            Condition::AttributeExists(_) => return Err(operator_error("attribute_exists")),
            Condition::AttributeNotExists(_) => {
                return Err(operator_error("attribute_not_exists"));
            }
            Condition::AttributeType { .. } => return Err(operator_error("attribute_type")),
            Condition::Contains { .. } => return Err(operator_error("contains")),
            Condition::Compare {
                comparator: Comparator::Ne,
                ..
            } => return Err(operator_error(comparator_text(Comparator::Ne))),
            Condition::Compare {
                left,
                comparator,
                right,
            } => {
                let (name, position, values) = leaf_operands(&[left, right])?;
                // `:v < key` asks `key > :v`.
                let comparator = if position == 0 {
                    *comparator
                } else {
                    mirrored(*comparator)
                };
                KeyLeaf {
                    name,
                    operator: KeyOperator::Compare(comparator),
                    values,
                }
            }
            Condition::Between { value, low, high } => {
                if !matches!(value, Operand::Path(_)) {
                    return Err(Error::validation(messages::key_condition_first_operand(
                        "BETWEEN",
                    )));
                }
                let (name, _, values) = leaf_operands(&[value, low, high])?;
                KeyLeaf {
                    name,
                    operator: KeyOperator::Between,
                    values,
                }
            }
            Condition::BeginsWith { value, prefix } => {
                if !matches!(value, Operand::Path(_)) {
                    return Err(Error::validation(messages::key_condition_first_operand(
                        "begins_with",
                    )));
                }
                let (name, _, values) = leaf_operands(&[value, prefix])?;
                KeyLeaf {
                    name,
                    operator: KeyOperator::BeginsWith,
                    values,
                }
            }
        };
        if leaves.iter().any(|seen| seen.name == leaf.name) {
            return Err(Error::validation(messages::KEY_CONDITION_DUPLICATE_KEY));
        }
        leaves.push(leaf);
    }
    Ok(leaves)
}

fn operator_error(operator: &str) -> Error {
    Error::validation(messages::key_condition_operator(operator))
}

/// A leaf's one attribute (with its operand position) and its values,
/// checking the operands in order.
fn leaf_operands<'c>(
    operands: &[&'c Operand],
) -> Result<(&'c str, usize, Vec<&'c AttributeValue>)> {
    let mut attribute: Option<(&'c str, usize)> = None;
    let mut values = Vec::new();
    for (position, operand) in operands.iter().enumerate() {
        match operand {
            Operand::Path(path) => {
                if attribute.is_some() {
                    return Err(Error::validation(messages::KEY_CONDITION_MULTIPLE_NAMES));
                }
                let [PathElement::Attribute(name)] = path.elements.as_slice() else {
                    return Err(Error::validation(messages::KEY_CONDITION_NESTED_ATTRIBUTE));
                };
                attribute = Some((name.as_str(), position));
            }
            Operand::Size(_) => {
                return Err(Error::validation(messages::KEY_CONDITION_NESTED_OPERATION));
            }
            Operand::Value(value) => values.push(value),
        }
    }
    match attribute {
        Some((name, position)) => Ok((name, position, values)),
        None => Err(Error::validation(messages::KEY_CONDITION_NO_KEY)),
    }
}

/// The comparator with its operands swapped.
fn mirrored(comparator: Comparator) -> Comparator {
    match comparator {
        Comparator::Lt => Comparator::Gt,
        Comparator::Le => Comparator::Ge,
        Comparator::Gt => Comparator::Lt,
        Comparator::Ge => Comparator::Le,
        other => other,
    }
}

/// The leaf's values as key values of `key`'s type, none empty.
fn key_values(leaf: &KeyLeaf<'_>, key: &KeyAttribute) -> Result<Vec<KeyValue>> {
    leaf.values
        .iter()
        .map(|value| {
            let key_value = KeyValue::from_attribute_value(value)
                .filter(|key_value| key_value.key_type() == key.key_type)
                .ok_or_else(|| Error::validation(messages::KEY_CONDITION_TYPE_MISMATCH))?;
            let empty = match &key_value {
                KeyValue::S(text) if text.is_empty() => Some("string"),
                KeyValue::B(bytes) if bytes.is_empty() => Some("binary"),
                _ => None,
            };
            if let Some(kind) = empty {
                return Err(Error::validation(messages::key_value_empty(
                    kind, &key.name,
                )));
            }
            Ok(key_value)
        })
        .collect()
}

/// The sort-key condition of a leaf with these values.
fn sort_key_condition(operator: KeyOperator, values: Vec<KeyValue>) -> Result<SortKeyCondition> {
    let mut values = values.into_iter();
    let (first, second) = (values.next(), values.next());
    Ok(match (operator, first, second) {
        (KeyOperator::Compare(Comparator::Eq), Some(value), None) => SortKeyCondition::Eq(value),
        (KeyOperator::Compare(Comparator::Lt), Some(value), None) => SortKeyCondition::Lt(value),
        (KeyOperator::Compare(Comparator::Le), Some(value), None) => SortKeyCondition::Le(value),
        (KeyOperator::Compare(Comparator::Gt), Some(value), None) => SortKeyCondition::Gt(value),
        (KeyOperator::Compare(Comparator::Ge), Some(value), None) => SortKeyCondition::Ge(value),
        (KeyOperator::Between, Some(low), Some(high)) => SortKeyCondition::Between(low, high),
        (KeyOperator::BeginsWith, Some(prefix), None) if prefix.key_type() != KeyType::N => {
            SortKeyCondition::BeginsWith(prefix)
        }
        _ => return Err(Error::validation(messages::KEY_CONDITION_NOT_SUPPORTED)),
    })
}
