//! Evaluation of UpdateExpression trees: the new item an update produces,
//! with DynamoDB's rules (Developer Guide, "Using update expressions in
//! DynamoDB"; where the guide is silent, the behaviour dynalite's and
//! ScyllaDB's test suites recorded against DynamoDB itself):
//!
//! - Every operand is read from the item as it was *before* the update, and
//!   every list index names a position in the list as it was before: in
//!   `REMOVE a[1] SET a[3] = :v`, `a[3]` is the fourth original element.
//! - `SET`: `+` and `-` take two numbers and compute exactly;
//!   `if_not_exists(p, v)` is `p` if present, else `v`; `list_append(a, b)`
//!   concatenates two lists. A `SET` of a list index past the end appends,
//!   several such appends in index order. A path operand the item lacks is
//!   an error, as is a parent that is missing or of the wrong kind.
//! - `REMOVE` of a missing attribute, map member or index past the end does
//!   nothing; its parent must still exist and be of the right kind, except
//!   that on a missing item (an empty map) DynamoDB ignores every `REMOVE`.
//!   Removing list elements shifts the later ones down.
//! - `ADD` adds a number (a missing attribute counts as 0) or unions a set
//!   of the same type (a missing attribute becomes the set). `DELETE`
//!   subtracts a set of the same type; a set left empty is removed, and a
//!   missing attribute stays missing. Both work on nested paths, and an
//!   `ADD` past the end of a list appends, like `SET`.
//!
//! [`UpdateExpression::apply`] works on a copy and returns it only when
//! every action succeeded, so a failed update changes nothing. It relies
//! on the parser's invariant that no two action paths overlap. Recursion
//! is bounded by the tree (`list_append` / `if_not_exists` nesting); paths
//! are iterated. Pure code.

use super::ast::{Path, PathElement, Projection, SetOperand, SetValue, UpdateExpression};
use super::messages::{
    ATTRIBUTE_NOT_IN_ITEM_MESSAGE, INCORRECT_DATA_TYPE_MESSAGE, INVALID_DOCUMENT_PATH_MESSAGE,
};
use super::path::{Container, ContainerMut, get_path, parent, parent_mut};
use crate::model::{AttributeValue, Item, Number};
use crate::{Error, Result};

impl UpdateExpression {
    /// The item after the update (`item` is empty when there was none).
    ///
    /// # Errors
    /// [`Error::Validation`] with DynamoDB's message when an operand names a
    /// missing attribute, has the wrong type, a path cannot be reached, or
    /// arithmetic leaves DynamoDB's number range or precision. Nothing is
    /// changed then: the caller keeps `item`.
    pub fn apply(&self, item: &Item) -> Result<Item> {
        // All right-hand sides first, from the original item.
        let mut changes: Vec<(&Path, Change<'_>)> =
            Vec::with_capacity(self.set.len() + self.add.len() + self.delete.len());
        for action in &self.set {
            changes.push((&action.path, Change::Set(set_value(&action.value, item)?)));
        }
        changes.extend(self.add.iter().map(|a| (&a.path, Change::Add(&a.value))));
        changes.extend(
            self.delete
                .iter()
                .map(|a| (&a.path, Change::Delete(&a.value))),
        );
        // In path order, so that appends to one list land in index order and
        // a path through index i is handled before any append at an index
        // above i (which therefore cannot be mistaken for an original
        // element). Non-overlapping in-place changes commute.
        changes.sort_by(|left, right| left.0.cmp(right.0));

        let mut updated = item.clone();
        let mut removals: Vec<&Path> = self.remove.iter().collect();
        for (path, change) in changes {
            if apply_change(&mut updated, path, change)? == Emptied::Yes {
                removals.push(path);
            }
        }
        // Removals last and from the highest path down, so that removing an
        // element never shifts one a later removal still has to find by its
        // original index. Appends above only grew lists at their ends.
        removals.sort_by(|left, right| right.cmp(left));
        for path in removals {
            remove(&mut updated, item, path)?;
        }
        Ok(updated)
    }

    /// The paths the update changes, for `ReturnValues` `UPDATED_OLD` and
    /// `UPDATED_NEW` (each projected onto the old or the new item): every
    /// action's path, `SET` first, then `REMOVE`, `ADD` and `DELETE`.
    pub fn updated_paths(&self) -> Projection {
        let paths = self.action_paths().cloned().collect();
        Projection { paths }
    }
}

/// What one `SET`, `ADD` or `DELETE` does at its path.
#[derive(Debug)]
enum Change<'a> {
    /// Store this value (already computed from the original item).
    Set(AttributeValue),
    /// Add this number or union this set.
    Add(&'a AttributeValue),
    /// Subtract this set.
    Delete(&'a AttributeValue),
}

/// Whether a `DELETE` left a set empty, so that the attribute must go.
#[derive(Debug, PartialEq, Eq)]
enum Emptied {
    /// The set is empty; the path must be removed.
    Yes,
    /// Nothing more to do.
    No,
}

/// What becomes of the value at a path.
enum Outcome {
    /// Store this value there.
    Store(AttributeValue),
    /// Leave the path as it is (`DELETE` from a missing set).
    Keep,
    /// Remove the path (`DELETE` emptied its set).
    Remove,
}

fn invalid_path() -> Error {
    Error::validation(INVALID_DOCUMENT_PATH_MESSAGE)
}

fn incorrect_type() -> Error {
    Error::validation(INCORRECT_DATA_TYPE_MESSAGE)
}

/// Applies one change to `updated` (whose lists still hold their original
/// elements at the original indexes).
fn apply_change(updated: &mut Item, path: &Path, change: Change<'_>) -> Result<Emptied> {
    let (container, last) = parent_mut(updated, path).ok_or_else(invalid_path)?;
    match (container, last) {
        (ContainerMut::Map(map), PathElement::Attribute(name)) => {
            match combine(map.get(name), change)? {
                Outcome::Store(value) => {
                    map.insert(name.clone(), value);
                }
                Outcome::Keep => {}
                Outcome::Remove => return Ok(Emptied::Yes),
            }
        }
        (ContainerMut::List(list), PathElement::Index(index)) => {
            match combine(list.get(*index), change)? {
                Outcome::Store(value) => match list.get_mut(*index) {
                    Some(slot) => *slot = value,
                    // Past the end: DynamoDB appends.
                    None => list.push(value),
                },
                Outcome::Keep => {}
                Outcome::Remove => return Ok(Emptied::Yes),
            }
        }
        _ => return Err(invalid_path()),
    }
    Ok(Emptied::No)
}

/// What `change` makes of the current value `existing`.
fn combine(existing: Option<&AttributeValue>, change: Change<'_>) -> Result<Outcome> {
    use AttributeValue::{Bs, N, Ns, Ss};
    let outcome = match change {
        Change::Set(value) => Outcome::Store(value),
        Change::Add(operand) => match (existing, operand) {
            (None, N(_) | Ss(_) | Ns(_) | Bs(_)) => Outcome::Store(operand.clone()),
            (Some(N(current)), N(added)) => Outcome::Store(N(current.checked_add(added)?)),
            (Some(Ss(current)), Ss(added)) => Outcome::Store(Ss(current | added)),
            (Some(Ns(current)), Ns(added)) => Outcome::Store(Ns(current | added)),
            (Some(Bs(current)), Bs(added)) => Outcome::Store(Bs(current | added)),
            // Includes operands the parser rejects (ADD of a string), should
            // a hand-built tree carry one.
            _ => return Err(incorrect_type()),
        },
        Change::Delete(operand) => match (existing, operand) {
            (None, Ss(_) | Ns(_) | Bs(_)) => Outcome::Keep,
            (Some(Ss(current)), Ss(removed)) => difference(current - removed, Ss),
            (Some(Ns(current)), Ns(removed)) => difference(current - removed, Ns),
            (Some(Bs(current)), Bs(removed)) => difference(current - removed, Bs),
            _ => return Err(incorrect_type()),
        },
    };
    Ok(outcome)
}

/// A set left by `DELETE`: stored, or removed when empty (sets cannot be).
fn difference<T>(
    rest: std::collections::BTreeSet<T>,
    wrap: fn(std::collections::BTreeSet<T>) -> AttributeValue,
) -> Outcome {
    if rest.is_empty() {
        Outcome::Remove
    } else {
        Outcome::Store(wrap(rest))
    }
}

/// Removes `path` from `updated`, checking the path against `original`.
fn remove(updated: &mut Item, original: &Item, path: &Path) -> Result<()> {
    match parent(original, path) {
        Some((Container::Map(map), PathElement::Attribute(name))) => {
            if !map.contains_key(name) {
                // A missing member of an existing map: nothing to remove.
                return Ok(());
            }
        }
        Some((Container::List(list), PathElement::Index(index))) => {
            if *index >= list.len() {
                // Past the end of the original list: nothing to remove.
                return Ok(());
            }
        }
        // DynamoDB ignores REMOVE of any path on a missing item (ScyllaDB's
        // test_nested_attribute_remove_from_missing_item, run against it).
        _ if original.is_empty() => return Ok(()),
        _ => return Err(invalid_path()),
    }
    // The parent was checked in the original; no other action changed it
    // (paths do not overlap), and removals run from the highest index down,
    // so the original index still finds the original element.
    match parent_mut(updated, path) {
        Some((ContainerMut::Map(map), PathElement::Attribute(name))) => {
            map.remove(name);
        }
        Some((ContainerMut::List(list), PathElement::Index(index))) if *index < list.len() => {
            list.remove(*index);
        }
        _ => {}
    }
    Ok(())
}

/// The value a `SET` stores, computed from the original item.
fn set_value(value: &SetValue, item: &Item) -> Result<AttributeValue> {
    match value {
        SetValue::Operand(operand) => operand_value(operand, item),
        SetValue::Plus(left, right) => {
            let sum = number(left, item)?.checked_add(&number(right, item)?)?;
            Ok(AttributeValue::N(sum))
        }
        SetValue::Minus(left, right) => {
            let difference = number(left, item)?.checked_sub(&number(right, item)?)?;
            Ok(AttributeValue::N(difference))
        }
    }
}

/// An operand of `+` or `-`, which must be a number.
fn number(operand: &SetOperand, item: &Item) -> Result<Number> {
    match operand_value(operand, item)? {
        AttributeValue::N(number) => Ok(number),
        _ => Err(incorrect_type()),
    }
}

/// The value of a `SET` operand in the original item.
fn operand_value(operand: &SetOperand, item: &Item) -> Result<AttributeValue> {
    match operand {
        SetOperand::Path(path) => get_path(item, path)
            .cloned()
            .ok_or_else(|| Error::validation(ATTRIBUTE_NOT_IN_ITEM_MESSAGE)),
        SetOperand::Value(value) => Ok(value.clone()),
        SetOperand::IfNotExists(path, fallback) => match get_path(item, path) {
            Some(value) => Ok(value.clone()),
            None => operand_value(fallback, item),
        },
        SetOperand::ListAppend(first, second) => {
            let AttributeValue::L(mut elements) = operand_value(first, item)? else {
                return Err(incorrect_type());
            };
            let AttributeValue::L(appended) = operand_value(second, item)? else {
                return Err(incorrect_type());
            };
            elements.extend(appended);
            Ok(AttributeValue::L(elements))
        }
    }
}

#[cfg(test)]
mod tests;
