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
mod tests {
    use super::super::ast::{SetAction, SetOrNumberAction};
    use super::super::path::test_support::*;
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    // ----- test-only tree constructors ------------------------------------

    /// One action of any clause, so that a case lists them in one vector.
    enum Action {
        Set(SetAction),
        Remove(Path),
        Add(SetOrNumberAction),
        Delete(SetOrNumberAction),
    }

    fn update(actions: Vec<Action>) -> UpdateExpression {
        let mut expression = UpdateExpression::default();
        for action in actions {
            match action {
                Action::Set(action) => expression.set.push(action),
                Action::Remove(path) => expression.remove.push(path),
                Action::Add(action) => expression.add.push(action),
                Action::Delete(action) => expression.delete.push(action),
            }
        }
        expression
    }

    fn set(target: &str, value: SetValue) -> Action {
        Action::Set(SetAction {
            path: path(target),
            value,
        })
    }

    /// `SET target = operand`
    fn set_to(target: &str, operand: SetOperand) -> Action {
        set(target, SetValue::Operand(operand))
    }

    fn remove(target: &str) -> Action {
        Action::Remove(path(target))
    }

    fn add(target: &str, value: AttributeValue) -> Action {
        Action::Add(SetOrNumberAction {
            path: path(target),
            value,
        })
    }

    fn delete(target: &str, value: AttributeValue) -> Action {
        Action::Delete(SetOrNumberAction {
            path: path(target),
            value,
        })
    }

    fn read(source: &str) -> SetOperand {
        SetOperand::Path(path(source))
    }

    fn literal(value: AttributeValue) -> SetOperand {
        SetOperand::Value(value)
    }

    fn if_not_exists(source: &str, fallback: SetOperand) -> SetOperand {
        SetOperand::IfNotExists(path(source), Box::new(fallback))
    }

    fn list_append(first: SetOperand, second: SetOperand) -> SetOperand {
        SetOperand::ListAppend(Box::new(first), Box::new(second))
    }

    fn plus(left: SetOperand, right: SetOperand) -> SetValue {
        SetValue::Plus(left, right)
    }

    fn minus(left: SetOperand, right: SetOperand) -> SetValue {
        SetValue::Minus(left, right)
    }

    fn numbers(values: &[&str]) -> AttributeValue {
        l(values.iter().map(|v| n(v)).collect())
    }

    /// A case: what it shows, the item before, the actions, and the item
    /// after or the exact error message.
    struct Case {
        name: &'static str,
        before: Item,
        actions: Vec<Action>,
        expected: std::result::Result<Item, &'static str>,
    }

    fn case(
        name: &'static str,
        before: Item,
        actions: Vec<Action>,
        expected: std::result::Result<Item, &'static str>,
    ) -> Case {
        Case {
            name,
            before,
            actions,
            expected,
        }
    }

    fn run(cases: Vec<Case>) {
        for case in cases {
            let result = update(case.actions).apply(&case.before);
            let result = result.map_err(|error| match error {
                Error::Validation(message) => message,
                other => panic!("{}: unexpected error {other:?}", case.name),
            });
            let expected = case.expected.map_err(str::to_string);
            assert_eq!(result, expected, "{}", case.name);
        }
    }

    const MISSING: &str = ATTRIBUTE_NOT_IN_ITEM_MESSAGE;
    const BAD_PATH: &str = INVALID_DOCUMENT_PATH_MESSAGE;
    const BAD_TYPE: &str = INCORRECT_DATA_TYPE_MESSAGE;
    const OVERFLOW: &str = crate::model::number::OVERFLOW_MESSAGE;

    // ----- SET ------------------------------------------------------------------

    #[test]
    fn set_stores_values_and_copies_attributes_read_before_the_update() {
        let hello = || item(vec![("a", s("hello"))]);
        run(vec![
            case(
                "set adds an attribute",
                hello(),
                vec![set_to("b", literal(n("4")))],
                Ok(item(vec![("a", s("hello")), ("b", n("4"))])),
            ),
            case(
                "set overwrites an attribute",
                hello(),
                vec![set_to("a", literal(s("hey")))],
                Ok(item(vec![("a", s("hey"))])),
            ),
            case(
                "set on a missing item creates the attribute",
                Item::new(),
                vec![set_to("b", literal(n("4"))), set_to("c", literal(n("4")))],
                Ok(item(vec![("b", n("4")), ("c", n("4"))])),
            ),
            case(
                "set copies an attribute",
                hello(),
                vec![set_to("b", read("a"))],
                Ok(item(vec![("a", s("hello")), ("b", s("hello"))])),
            ),
            case(
                "set a = a changes nothing",
                hello(),
                vec![set_to("a", read("a"))],
                Ok(hello()),
            ),
            case(
                "copying a missing attribute is an error",
                hello(),
                vec![set_to("c", read("z"))],
                Err(MISSING),
            ),
            case(
                "copying from a missing item is an error",
                Item::new(),
                vec![set_to("c", read("z"))],
                Err(MISSING),
            ),
            case(
                "operands see the item before the update, not earlier actions",
                hello(),
                vec![set_to("x", literal(n("4"))), set_to("y", read("x"))],
                Err(MISSING),
            ),
            case(
                "remove a then set b = a reads the old a",
                hello(),
                vec![remove("a"), set_to("b", read("a"))],
                Ok(item(vec![("b", s("hello"))])),
            ),
            case(
                "set c = b then remove b reads the old b",
                item(vec![("b", s("hello"))]),
                vec![set_to("c", read("b")), remove("b")],
                Ok(item(vec![("c", s("hello"))])),
            ),
            case(
                "set copies a nested value",
                item(vec![("a", m(vec![("c", m(vec![("x", n("7"))]))]))]),
                vec![set_to("z", read("a.c.x"))],
                Ok(item(vec![
                    ("a", m(vec![("c", m(vec![("x", n("7"))]))])),
                    ("z", n("7")),
                ])),
            ),
        ]);
    }

    #[test]
    fn set_plus_and_minus_add_numbers_exactly() {
        let two = || item(vec![("a", n("2")), ("text", s("dog")), ("set", ns(&["1"]))]);
        let with = |name: &'static str, value: &str| {
            let mut after = two();
            after.insert(name.to_string(), n(value));
            after
        };
        run(vec![
            case(
                "a = a + :v",
                two(),
                vec![set("a", plus(read("a"), literal(n("3"))))],
                Ok(with("a", "5")),
            ),
            case(
                "b = :v - a",
                two(),
                vec![set("b", minus(literal(n("7")), read("a")))],
                Ok(with("b", "5")),
            ),
            case(
                "b = a + a",
                two(),
                vec![set("b", plus(read("a"), read("a")))],
                Ok(with("b", "4")),
            ),
            case(
                "full precision is kept",
                two(),
                vec![set(
                    "b",
                    plus(literal(n("1")), literal(n("10000000000000000000000"))),
                )],
                Ok(with("b", "10000000000000000000001")),
            ),
            case(
                "decimal fractions are exact",
                two(),
                vec![set("b", plus(literal(n("0.1")), literal(n("0.2"))))],
                Ok(with("b", "0.3")),
            ),
            case(
                "if_not_exists inside +",
                two(),
                vec![set(
                    "b",
                    plus(if_not_exists("b", literal(n("2"))), literal(n("3"))),
                )],
                Ok(with("b", "5")),
            ),
            case(
                "a string operand",
                two(),
                vec![set("b", plus(literal(s("dog")), literal(n("3"))))],
                Err(BAD_TYPE),
            ),
            case(
                "a string attribute",
                two(),
                vec![set("b", plus(read("text"), literal(n("1"))))],
                Err(BAD_TYPE),
            ),
            case(
                "a set attribute on the right",
                two(),
                vec![set("b", minus(literal(n("1")), read("set")))],
                Err(BAD_TYPE),
            ),
            case(
                "a missing attribute",
                two(),
                vec![set("b", plus(read("missing"), literal(n("1"))))],
                Err(MISSING),
            ),
            case(
                "the sum overflows",
                two(),
                vec![set("b", plus(literal(n("9e125")), literal(n("9e125"))))],
                Err(OVERFLOW),
            ),
            case(
                "the difference needs more than 38 digits",
                two(),
                vec![set("b", minus(literal(n("1e50")), literal(n("1"))))],
                Err(OVERFLOW),
            ),
        ]);
    }

    #[test]
    fn set_list_append_and_if_not_exists() {
        let base = || {
            item(vec![
                ("a", l(vec![s("hi"), n("2")])),
                ("number", n("7")),
                ("set", ns(&["1"])),
            ])
        };
        let with = |value: AttributeValue| {
            let mut after = base();
            after.insert("r".to_string(), value);
            after
        };
        run(vec![
            case(
                "append at the end",
                base(),
                vec![set_to(
                    "r",
                    list_append(read("a"), literal(l(vec![n("4")]))),
                )],
                Ok(with(l(vec![s("hi"), n("2"), n("4")]))),
            ),
            case(
                "append at the start",
                base(),
                vec![set_to(
                    "r",
                    list_append(literal(l(vec![s("dog")])), read("a")),
                )],
                Ok(with(l(vec![s("dog"), s("hi"), n("2")]))),
            ),
            case(
                "append empty lists",
                base(),
                vec![set_to(
                    "r",
                    list_append(literal(l(vec![])), literal(l(vec![]))),
                )],
                Ok(with(l(vec![]))),
            ),
            case(
                "list_append of a missing attribute",
                base(),
                vec![set_to("r", list_append(read("b"), literal(l(vec![]))))],
                Err(MISSING),
            ),
            case(
                "list_append of a missing attribute, second",
                base(),
                vec![set_to("r", list_append(literal(l(vec![])), read("b")))],
                Err(MISSING),
            ),
            case(
                "list_append of a number",
                base(),
                vec![set_to("r", list_append(read("number"), literal(l(vec![]))))],
                Err(BAD_TYPE),
            ),
            case(
                "list_append of a set (dynalite's test against DynamoDB)",
                base(),
                vec![set_to(
                    "r",
                    list_append(read("set"), if_not_exists("f", literal(l(vec![])))),
                )],
                Err(BAD_TYPE),
            ),
            case(
                "list_append of a string value",
                base(),
                vec![set_to("r", list_append(read("a"), literal(s("hi"))))],
                Err(BAD_TYPE),
            ),
            case(
                "if_not_exists of a present attribute",
                base(),
                vec![set_to("r", if_not_exists("number", literal(n("3"))))],
                Ok(with(n("7"))),
            ),
            case(
                "if_not_exists of a missing attribute",
                base(),
                vec![set_to("r", if_not_exists("missing", literal(n("3"))))],
                Ok(with(n("3"))),
            ),
            case(
                "if_not_exists of a nested path",
                base(),
                vec![set_to("r", if_not_exists("a[1]", literal(n("3"))))],
                Ok(with(n("2"))),
            ),
            case(
                "nested if_not_exists",
                base(),
                vec![set_to(
                    "r",
                    if_not_exists("b", if_not_exists("number", literal(n("3")))),
                )],
                Ok(with(n("7"))),
            ),
            case(
                "if_not_exists falling back to a missing path",
                base(),
                vec![set_to("r", if_not_exists("b", read("c")))],
                Err(MISSING),
            ),
            case(
                "list_append over if_not_exists",
                base(),
                vec![set_to(
                    "r",
                    list_append(
                        if_not_exists("r", literal(l(vec![s("a")]))),
                        literal(l(vec![s("b")])),
                    ),
                )],
                Ok(with(l(vec![s("a"), s("b")]))),
            ),
        ]);
    }

    #[test]
    fn set_of_nested_paths_needs_the_parent() {
        let doc = || {
            item(vec![
                ("a", m(vec![("b", n("3")), ("c", n("4"))])),
                ("list", l(vec![s("one"), s("two"), s("three")])),
                ("text", s("hello")),
            ])
        };
        let with_a = |a: AttributeValue| {
            let mut after = doc();
            after.insert("a".to_string(), a);
            after
        };
        run(vec![
            case(
                "replace a map member",
                doc(),
                vec![set_to("a.c", literal(n("7")))],
                Ok(with_a(m(vec![("b", n("3")), ("c", n("7"))]))),
            ),
            case(
                "add a map member",
                doc(),
                vec![set_to("a.d", literal(n("3")))],
                Ok(with_a(m(vec![("b", n("3")), ("c", n("4")), ("d", n("3"))]))),
            ),
            case(
                "replace a member by another type",
                doc(),
                vec![set_to("a.c", literal(l(vec![])))],
                Ok(with_a(m(vec![("b", n("3")), ("c", l(vec![]))]))),
            ),
            case(
                "several members of one map",
                doc(),
                vec![set_to("a.b", literal(n("10"))), set_to("a.z", read("a.c"))],
                Ok(with_a(m(vec![
                    ("b", n("10")),
                    ("c", n("4")),
                    ("z", n("4")),
                ]))),
            ),
            case(
                "a member of a string",
                doc(),
                vec![set_to("text.c", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "a member of a list",
                doc(),
                vec![set_to("list.c", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "a member of a missing attribute",
                doc(),
                vec![set_to("missing.c", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "a member of a missing map member",
                doc(),
                vec![set_to("a.missing.c", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "a member on a missing item",
                Item::new(),
                vec![set_to("c.c", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "an index of a string",
                doc(),
                vec![set_to("text[0]", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "an index of a map",
                doc(),
                vec![set_to("a[0]", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "an index of a missing attribute",
                doc(),
                vec![set_to("missing[0]", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "an index on a missing item",
                Item::new(),
                vec![set_to("b[0]", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "through an index past the end",
                doc(),
                vec![set_to("list[5].x", literal(n("7")))],
                Err(BAD_PATH),
            ),
            case(
                "the first failing action fails the whole update",
                doc(),
                vec![
                    set_to("ok", literal(n("1"))),
                    set_to("text.c", literal(n("7"))),
                ],
                Err(BAD_PATH),
            ),
        ]);
        let deep = item(vec![(
            "a",
            m(vec![
                ("b", n("3")),
                (
                    "c",
                    l(vec![
                        s("hi"),
                        m(vec![("x", m(vec![("y", numbers(&["3", "5", "7"]))]))]),
                    ]),
                ),
            ]),
        )]);
        let after = update(vec![set_to("a.c[1].x.y[1]", literal(n("9")))])
            .apply(&deep)
            .unwrap();
        assert_eq!(
            get_path(&after, &path("a.c[1].x.y")),
            Some(&numbers(&["3", "9", "7"]))
        );
        let after = update(vec![set_to("a.z", read("a.c[1].x.y[1]"))])
            .apply(&deep)
            .unwrap();
        assert_eq!(get_path(&after, &path("a.z")), Some(&n("5")));
    }

    #[test]
    fn set_past_the_end_of_a_list_appends_in_index_order() {
        let three = || item(vec![("a", l(vec![s("one"), s("two"), s("three")]))]);
        let list = |values: &[&str]| item(vec![("a", l(values.iter().map(|v| s(v)).collect()))]);
        run(vec![
            case(
                "replace an element",
                three(),
                vec![set_to("a[1]", literal(s("hello")))],
                Ok(list(&["one", "hello", "three"])),
            ),
            case(
                "an index past the end appends",
                three(),
                vec![set_to("a[7]", literal(s("hello")))],
                Ok(list(&["one", "two", "three", "hello"])),
            ),
            case(
                "the index just past the end appends",
                three(),
                vec![set_to("a[3]", literal(s("hello")))],
                Ok(list(&["one", "two", "three", "hello"])),
            ),
            case(
                // ScyllaDB's test_nested_attribute_update_array_out_of_bounds.
                "several appends land in index order, not written order",
                three(),
                vec![
                    set_to("a[84]", literal(s("a1"))),
                    set_to("a[37]", literal(s("a2"))),
                    set_to("a[17]", literal(s("a3"))),
                    set_to("a[50]", literal(s("a4"))),
                ],
                Ok(list(&["one", "two", "three", "a3", "a2", "a4", "a1"])),
            ),
            case(
                "append to an empty list",
                list(&[]),
                vec![set_to("a[0]", literal(s("first")))],
                Ok(list(&["first"])),
            ),
        ]);
    }

    #[test]
    fn list_indexes_refer_to_the_list_before_the_update() {
        let digits = || item(vec![("a", numbers(&["2", "3", "4", "5", "6", "7"]))]);
        run(vec![
            case(
                // ScyllaDB's test_update_expression_nested_remove_list_item_original_number.
                "remove a[1] then set a[3] replaces the old a[3]",
                digits(),
                vec![remove("a[1]"), set_to("a[3]", literal(n("17")))],
                Ok(item(vec![("a", numbers(&["2", "4", "17", "6", "7"]))])),
            ),
            case(
                "set a[3] then remove a[1], the same",
                digits(),
                vec![set_to("a[3]", literal(n("17"))), remove("a[1]")],
                Ok(item(vec![("a", numbers(&["2", "4", "17", "6", "7"]))])),
            ),
            case(
                "several removals from one list, in any order",
                digits(),
                vec![remove("a[3]"), remove("a[0]"), remove("a[4]")],
                Ok(item(vec![("a", numbers(&["3", "4", "7"]))])),
            ),
            case(
                "a removal and an append",
                digits(),
                vec![remove("a[0]"), set_to("a[10]", literal(n("8")))],
                Ok(item(vec![("a", numbers(&["3", "4", "5", "6", "7", "8"]))])),
            ),
            case(
                "removing an original index past the end skips appended elements",
                item(vec![("a", numbers(&["1", "2", "3"]))]),
                vec![remove("a[3]"), set_to("a[9]", literal(n("4")))],
                Ok(item(vec![("a", numbers(&["1", "2", "3", "4"]))])),
            ),
        ]);
        let nested = item(vec![(
            "a",
            l(vec![
                m(vec![("x", n("0"))]),
                m(vec![("x", n("1"))]),
                m(vec![("x", n("2")), ("y", n("2"))]),
            ]),
        )]);
        let after = update(vec![
            remove("a[0]"),
            remove("a[2].y"),
            set_to("a[1].x", literal(n("10"))),
        ])
        .apply(&nested)
        .unwrap();
        assert_eq!(
            after,
            item(vec![(
                "a",
                l(vec![m(vec![("x", n("10"))]), m(vec![("x", n("2"))])])
            )])
        );
    }

    #[test]
    fn nested_update_from_dynalite_matches_dynamodb() {
        // dynalite's "should update nested attributes", run against DynamoDB:
        // SET b.c = c[1] + b.a, b.a = a, c[1] = a, c[4] = b.a - b.b,
        //     c[2] = b.c ADD c[8] :set, c[6] :two
        let before = item(vec![
            ("a", s("key")),
            ("b", m(vec![("a", n("1")), ("b", n("2")), ("c", n("3"))])),
            ("c", numbers(&["1", "3"])),
        ]);
        let expression = update(vec![
            set("b.c", plus(read("c[1]"), read("b.a"))),
            set_to("b.a", read("a")),
            set_to("c[1]", read("a")),
            set("c[4]", minus(read("b.a"), read("b.b"))),
            set_to("c[2]", read("b.c")),
            add("c[8]", ss(&["a"])),
            add("c[6]", n("2")),
        ]);
        let after = expression.apply(&before).unwrap();
        assert_eq!(
            after,
            item(vec![
                ("a", s("key")),
                ("b", m(vec![("a", s("key")), ("b", n("2")), ("c", n("4"))])),
                (
                    "c",
                    l(vec![n("1"), s("key"), n("3"), n("-1"), n("2"), ss(&["a"])])
                ),
            ])
        );
        // UPDATED_NEW, as DynamoDB returned it: the updated paths projected
        // onto the new item (c[6] and c[8] are past its end).
        assert_eq!(
            expression.updated_paths().apply(&after),
            item(vec![
                ("b", m(vec![("a", s("key")), ("c", n("4"))])),
                ("c", l(vec![s("key"), n("3"), n("2")])),
            ])
        );
    }

    // ----- REMOVE ---------------------------------------------------------------

    #[test]
    fn remove_deletes_what_exists_and_ignores_what_does_not() {
        let doc = || {
            item(vec![
                ("a", m(vec![("x", n("3"))])),
                ("b", l(vec![s("hi")])),
                ("text", s("hello")),
                ("map", m(vec![("1", s("a"))])),
            ])
        };
        let without = |name: &str| {
            let mut after = doc();
            after.remove(name);
            after
        };
        let with = |name: &str, value: AttributeValue| {
            let mut after = doc();
            after.insert(name.to_string(), value);
            after
        };
        run(vec![
            case(
                "a top-level attribute",
                doc(),
                vec![remove("text")],
                Ok(without("text")),
            ),
            case("a missing attribute", doc(), vec![remove("c")], Ok(doc())),
            case(
                "a missing map member",
                doc(),
                vec![remove("a.y")],
                Ok(doc()),
            ),
            case(
                "an index past the end",
                doc(),
                vec![remove("b[7]")],
                Ok(doc()),
            ),
            case(
                "the only member leaves an empty map",
                doc(),
                vec![remove("a.x")],
                Ok(with("a", m(vec![]))),
            ),
            case(
                "the only element leaves an empty list",
                doc(),
                vec![remove("b[0]")],
                Ok(with("b", l(vec![]))),
            ),
            case(
                "a member of a string",
                doc(),
                vec![remove("text.c")],
                Err(BAD_PATH),
            ),
            case(
                "a member of a list",
                doc(),
                vec![remove("b.c")],
                Err(BAD_PATH),
            ),
            case(
                "a member of a missing attribute",
                doc(),
                vec![remove("c.c")],
                Err(BAD_PATH),
            ),
            case(
                "an index of a string",
                doc(),
                vec![remove("text[0]")],
                Err(BAD_PATH),
            ),
            case(
                "an index of a missing attribute",
                doc(),
                vec![remove("c[0]")],
                Err(BAD_PATH),
            ),
            case(
                "an index of a map",
                doc(),
                vec![remove("map[1]")],
                Err(BAD_PATH),
            ),
            case(
                // ScyllaDB's test_nested_attribute_remove_from_missing_item.
                "any path on a missing item is ignored",
                Item::new(),
                vec![remove("x.y"), remove("z[0]"), remove("w")],
                Ok(Item::new()),
            ),
        ]);
        let deep = item(vec![(
            "a",
            m(vec![
                ("b", n("3")),
                (
                    "c",
                    l(vec![
                        s("hi"),
                        m(vec![
                            ("x", m(vec![("y", numbers(&["3", "5", "7"]))])),
                            ("q", n("2")),
                        ]),
                    ]),
                ),
            ]),
        )]);
        let after = update(vec![remove("a.c[1].x.y[1]"), remove("a.c[1].q")])
            .apply(&deep)
            .unwrap();
        assert_eq!(
            after,
            item(vec![(
                "a",
                m(vec![
                    ("b", n("3")),
                    (
                        "c",
                        l(vec![
                            s("hi"),
                            m(vec![("x", m(vec![("y", numbers(&["3", "7"]))]))])
                        ])
                    ),
                ]),
            )])
        );
    }

    // ----- ADD ------------------------------------------------------------------

    #[test]
    fn add_adds_numbers_and_unions_sets() {
        let base = || {
            item(vec![
                ("a", n("3")),
                ("text", s("hi")),
                ("animals", ss(&["dog", "cat", "mouse"])),
                ("numbers", ns(&["1", "2"])),
                ("blobs", bs(&[b"x"])),
                ("list", numbers(&["1", "2"])),
                (
                    "doc",
                    m(vec![
                        ("i", ss(&["j", "k"])),
                        ("d", l(vec![s("e"), ss(&["g"])])),
                    ]),
                ),
            ])
        };
        let with = |name: &str, value: AttributeValue| {
            let mut after = base();
            after.insert(name.to_string(), value);
            after
        };
        run(vec![
            case(
                "add to a number",
                base(),
                vec![add("a", n("4"))],
                Ok(with("a", n("7"))),
            ),
            case(
                "add a negative number",
                base(),
                vec![add("a", n("-3.5"))],
                Ok(with("a", n("-0.5"))),
            ),
            case(
                "a missing number counts as zero",
                base(),
                vec![add("b", n("7"))],
                Ok(with("b", n("7"))),
            ),
            case(
                "add on a missing item",
                Item::new(),
                vec![add("b", n("8"))],
                Ok(item(vec![("b", n("8"))])),
            ),
            case(
                "add a number to a string",
                base(),
                vec![add("text", n("1"))],
                Err(BAD_TYPE),
            ),
            case(
                "add a number to a number set",
                base(),
                vec![add("numbers", n("1"))],
                Err(BAD_TYPE),
            ),
            case(
                "add overflowing",
                item(vec![("a", n("9e125"))]),
                vec![add("a", n("9e125"))],
                Err(OVERFLOW),
            ),
            case(
                "add needing 39 digits",
                item(vec![("a", n("1e50"))]),
                vec![add("a", n("1"))],
                Err(OVERFLOW),
            ),
            case(
                "union of string sets",
                base(),
                vec![add("animals", ss(&["pig", "cat"]))],
                Ok(with("animals", ss(&["dog", "cat", "mouse", "pig"]))),
            ),
            case(
                "union of number sets by value",
                base(),
                vec![add("numbers", ns(&["2.0", "3"]))],
                Ok(with("numbers", ns(&["1", "2", "3"]))),
            ),
            case(
                "union of binary sets",
                base(),
                vec![add("blobs", bs(&[b"y"]))],
                Ok(with("blobs", bs(&[b"x", b"y"]))),
            ),
            case(
                "a missing set becomes the set",
                base(),
                vec![add("new", ss(&["dog"]))],
                Ok(with("new", ss(&["dog"]))),
            ),
            case(
                "a number set to a string set",
                base(),
                vec![add("animals", ns(&["1"]))],
                Err(BAD_TYPE),
            ),
            case(
                "a set to a list",
                base(),
                vec![add("list", ns(&["3"]))],
                Err(BAD_TYPE),
            ),
            case(
                "a set to a map",
                base(),
                vec![add("doc", ns(&["3"]))],
                Err(BAD_TYPE),
            ),
            case(
                "a set to a number",
                base(),
                vec![add("a", ns(&["3"]))],
                Err(BAD_TYPE),
            ),
            case(
                // The parser rejects ADD of a list; an evaluator handed one
                // reports the type error rather than appending.
                "a list operand",
                base(),
                vec![add("list", numbers(&["3"]))],
                Err(BAD_TYPE),
            ),
            case(
                // ScyllaDB's test_update_condition_eq_nested_set.
                "nested sets, in a map and in a list",
                base(),
                vec![add("doc.d[1]", ss(&["l", "m"])), add("doc.i", ss(&["n"]))],
                Ok(with(
                    "doc",
                    m(vec![
                        ("i", ss(&["j", "k", "n"])),
                        ("d", l(vec![s("e"), ss(&["g", "l", "m"])])),
                    ]),
                )),
            ),
            case(
                "a nested number that is missing counts as zero",
                base(),
                vec![add("doc.count", n("2"))],
                Ok(with(
                    "doc",
                    m(vec![
                        ("i", ss(&["j", "k"])),
                        ("d", l(vec![s("e"), ss(&["g"])])),
                        ("count", n("2")),
                    ]),
                )),
            ),
            case(
                "a member of a missing attribute",
                base(),
                vec![add("y.a", ss(&["a"]))],
                Err(BAD_PATH),
            ),
            case(
                "an index of a map",
                base(),
                vec![add("doc[1]", ss(&["a"]))],
                Err(BAD_PATH),
            ),
            case(
                "a member of a list",
                base(),
                vec![add("list.x", n("1"))],
                Err(BAD_PATH),
            ),
        ]);
    }

    // ----- DELETE ---------------------------------------------------------------

    #[test]
    fn delete_subtracts_sets_and_removes_emptied_ones() {
        let base = || {
            item(vec![
                ("animals", ss(&["dog", "cat", "mouse"])),
                ("numbers", ns(&["1", "2"])),
                ("blobs", bs(&[b"x", b"y"])),
                ("b", m(vec![("a", ss(&["1"]))])),
                ("c", n("1")),
                ("list", l(vec![ss(&["x"]), s("keep"), ss(&["y", "z"])])),
            ])
        };
        let with = |name: &str, value: AttributeValue| {
            let mut after = base();
            after.insert(name.to_string(), value);
            after
        };
        let without = |name: &str| {
            let mut after = base();
            after.remove(name);
            after
        };
        run(vec![
            case(
                "subtract members",
                base(),
                vec![delete("animals", ss(&["cat", "mouse"]))],
                Ok(with("animals", ss(&["dog"]))),
            ),
            case(
                "subtract an absent member",
                base(),
                vec![delete("animals", ss(&["pig"]))],
                Ok(base()),
            ),
            case(
                "emptying a set removes the attribute",
                base(),
                vec![delete("animals", ss(&["dog", "cat", "mouse", "pig"]))],
                Ok(without("animals")),
            ),
            case(
                "numbers by value",
                base(),
                vec![delete("numbers", ns(&["1.0"]))],
                Ok(with("numbers", ns(&["2"]))),
            ),
            case(
                "binaries",
                base(),
                vec![delete("blobs", bs(&[b"y"]))],
                Ok(with("blobs", bs(&[b"x"]))),
            ),
            case(
                "from a missing attribute does nothing",
                base(),
                vec![delete("missing", ss(&["dog"]))],
                Ok(base()),
            ),
            case(
                "on a missing item does nothing",
                Item::new(),
                vec![delete("missing", ss(&["dog"]))],
                Ok(Item::new()),
            ),
            case(
                "emptying a nested set removes the member",
                base(),
                vec![delete("b.a", ss(&["1"]))],
                Ok(with("b", m(vec![]))),
            ),
            case(
                // Unverified against DynamoDB: dynalite removes the element.
                "emptying a set in a list removes the element, after other changes",
                base(),
                vec![
                    delete("list[0]", ss(&["x"])),
                    set_to("list[2]", literal(s("new"))),
                ],
                Ok(with("list", l(vec![s("keep"), s("new")]))),
            ),
            case(
                "past the end of a list does nothing",
                base(),
                vec![delete("list[7]", ss(&["x"]))],
                Ok(base()),
            ),
            // dynalite's "delete/add incorrect types" cases, run against DynamoDB.
            case(
                "a string set from a number set",
                base(),
                vec![delete("numbers", ss(&["1"]))],
                Err(BAD_TYPE),
            ),
            case(
                "from a map",
                base(),
                vec![delete("b", ns(&["1"]))],
                Err(BAD_TYPE),
            ),
            case(
                "a number set from a nested string set",
                base(),
                vec![delete("b.a", ns(&["1"]))],
                Err(BAD_TYPE),
            ),
            case(
                "a binary set from a nested string set",
                base(),
                vec![delete("b.a", bs(&[b"a"]))],
                Err(BAD_TYPE),
            ),
            case(
                "from a number",
                base(),
                vec![delete("c", ns(&["1"]))],
                Err(BAD_TYPE),
            ),
            case(
                "a string from a set",
                base(),
                vec![delete("animals", s("dog"))],
                Err(BAD_TYPE),
            ),
            case(
                "a member of a missing attribute",
                base(),
                vec![delete("y.a", ss(&["a"]))],
                Err(BAD_PATH),
            ),
            case(
                "a member of a list",
                base(),
                vec![delete("list.x", ss(&["a"]))],
                Err(BAD_PATH),
            ),
            case(
                "an index of a map",
                base(),
                vec![delete("b[1]", ss(&["a"]))],
                Err(BAD_PATH),
            ),
        ]);
    }

    // ----- all clauses ----------------------------------------------------------

    #[test]
    fn every_clause_on_a_missing_item() {
        // dynalite's "should just add valid ADD actions if nothing exists".
        run(vec![case(
            "REMOVE b DELETE c :c ADD d :d, e :e SET f = :f",
            Item::new(),
            vec![
                remove("b"),
                delete("c", ss(&["a", "b"])),
                add("d", n("5")),
                add("e", ss(&["a", "b"])),
                set_to("f", literal(l(vec![s("a"), n("1")]))),
            ],
            Ok(item(vec![
                ("d", n("5")),
                ("e", ss(&["a", "b"])),
                ("f", l(vec![s("a"), n("1")])),
            ])),
        )]);
    }

    #[test]
    fn updated_paths_lists_every_action_in_clause_order() {
        let expression = update(vec![
            delete("d", ss(&["x"])),
            add("c", n("1")),
            remove("b[2]"),
            set_to("a.x", literal(n("1"))),
            set_to("z", literal(n("1"))),
        ]);
        assert_eq!(
            expression.updated_paths().paths,
            vec![path("a.x"), path("z"), path("b[2]"), path("c"), path("d")]
        );
        // UPDATED_OLD is the same paths projected onto the old item.
        let before = item(vec![
            ("a", m(vec![("x", n("0")), ("y", n("0"))])),
            ("b", numbers(&["0", "1", "2"])),
            ("other", n("9")),
        ]);
        assert_eq!(
            expression.updated_paths().apply(&before),
            item(vec![("a", m(vec![("x", n("0"))])), ("b", numbers(&["2"]))])
        );
    }

    // ----- properties -----------------------------------------------------------

    /// A top-level action for the reference model.
    #[derive(Debug, Clone)]
    enum TopLevelAction {
        SetValue(AttributeValue),
        SetCopy(String),
        SetPlus(String, crate::model::Number),
        SetMinus(crate::model::Number, String),
        SetIfNotExists(String, AttributeValue),
        Remove,
        AddNumber(crate::model::Number),
        AddSet(AttributeValue),
        DeleteSet(AttributeValue),
    }

    fn small_value() -> impl Strategy<Value = AttributeValue> {
        let amount = crate::model::test_support::arbitrary_number().prop_map(AttributeValue::N);
        let small_number = (-50i64..50).prop_map(|v| AttributeValue::N(v.into()));
        let string_set =
            proptest::collection::btree_set("[a-d]", 1..4).prop_map(AttributeValue::Ss);
        prop_oneof![
            small_number,
            amount,
            string_set,
            "[a-z]{0,3}".prop_map(AttributeValue::S),
            Just(AttributeValue::Null),
            Just(AttributeValue::L(vec![])),
        ]
    }

    fn top_level_action(names: &'static [&'static str]) -> impl Strategy<Value = TopLevelAction> {
        let name = proptest::sample::select(names).prop_map(str::to_string);
        let amount = prop_oneof![
            (-50i64..50).prop_map(crate::model::Number::from),
            crate::model::test_support::arbitrary_number(),
        ];
        let string_set =
            proptest::collection::btree_set("[a-d]", 1..4).prop_map(AttributeValue::Ss);
        prop_oneof![
            small_value().prop_map(TopLevelAction::SetValue),
            name.clone().prop_map(TopLevelAction::SetCopy),
            (name.clone(), amount.clone()).prop_map(|(n, v)| TopLevelAction::SetPlus(n, v)),
            (amount.clone(), name.clone()).prop_map(|(v, n)| TopLevelAction::SetMinus(v, n)),
            (name, small_value()).prop_map(|(n, v)| TopLevelAction::SetIfNotExists(n, v)),
            Just(TopLevelAction::Remove),
            amount.prop_map(TopLevelAction::AddNumber),
            string_set.clone().prop_map(TopLevelAction::AddSet),
            string_set.prop_map(TopLevelAction::DeleteSet),
        ]
    }

    const NAMES: &[&str] = &["a", "b", "c", "d", "e"];

    /// The expression for top-level actions on distinct names.
    fn expression_of(actions: &BTreeMap<String, TopLevelAction>) -> UpdateExpression {
        let mut expression = UpdateExpression::default();
        for (name, action) in actions {
            let target = Path::attribute(name.clone());
            let set_value = |value| SetAction {
                path: target.clone(),
                value,
            };
            match action.clone() {
                TopLevelAction::SetValue(value) => expression
                    .set
                    .push(set_value(SetValue::Operand(literal(value)))),
                TopLevelAction::SetCopy(source) => expression
                    .set
                    .push(set_value(SetValue::Operand(read(&source)))),
                TopLevelAction::SetPlus(source, amount) => expression.set.push(set_value(plus(
                    read(&source),
                    literal(AttributeValue::N(amount)),
                ))),
                TopLevelAction::SetMinus(amount, source) => expression.set.push(set_value(minus(
                    literal(AttributeValue::N(amount)),
                    read(&source),
                ))),
                TopLevelAction::SetIfNotExists(source, value) => {
                    expression
                        .set
                        .push(set_value(SetValue::Operand(if_not_exists(
                            &source,
                            literal(value),
                        ))))
                }
                TopLevelAction::Remove => expression.remove.push(target),
                TopLevelAction::AddNumber(amount) => expression.add.push(SetOrNumberAction {
                    path: target,
                    value: AttributeValue::N(amount),
                }),
                TopLevelAction::AddSet(value) => expression.add.push(SetOrNumberAction {
                    path: target,
                    value,
                }),
                TopLevelAction::DeleteSet(value) => expression.delete.push(SetOrNumberAction {
                    path: target,
                    value,
                }),
            }
        }
        expression
    }

    /// The reference model: each action computed on its own from the
    /// original map, as the documented semantics say; `None` for an error.
    fn reference(before: &Item, actions: &BTreeMap<String, TopLevelAction>) -> Option<Item> {
        let mut after = before.clone();
        let number_of = |name: &str| match before.get(name) {
            Some(AttributeValue::N(amount)) => Some(*amount),
            _ => None,
        };
        for (name, action) in actions {
            let existing = before.get(name);
            let new_value = match action {
                TopLevelAction::SetValue(value) => Some(value.clone()),
                TopLevelAction::SetCopy(source) => Some(before.get(source)?.clone()),
                TopLevelAction::SetPlus(source, amount) => Some(AttributeValue::N(
                    number_of(source)?.checked_add(amount).ok()?,
                )),
                TopLevelAction::SetMinus(amount, source) => Some(AttributeValue::N(
                    amount.checked_sub(&number_of(source)?).ok()?,
                )),
                TopLevelAction::SetIfNotExists(source, value) => {
                    Some(before.get(source).unwrap_or(value).clone())
                }
                TopLevelAction::Remove => None,
                TopLevelAction::AddNumber(amount) => match existing {
                    None => Some(AttributeValue::N(*amount)),
                    Some(AttributeValue::N(current)) => {
                        Some(AttributeValue::N(current.checked_add(amount).ok()?))
                    }
                    Some(_) => return None,
                },
                TopLevelAction::AddSet(AttributeValue::Ss(added)) => match existing {
                    None => Some(AttributeValue::Ss(added.clone())),
                    Some(AttributeValue::Ss(current)) => {
                        Some(AttributeValue::Ss(current.union(added).cloned().collect()))
                    }
                    Some(_) => return None,
                },
                TopLevelAction::DeleteSet(AttributeValue::Ss(removed)) => match existing {
                    None => None,
                    Some(AttributeValue::Ss(current)) => {
                        let rest: std::collections::BTreeSet<String> =
                            current.difference(removed).cloned().collect();
                        (!rest.is_empty()).then_some(AttributeValue::Ss(rest))
                    }
                    Some(_) => return None,
                },
                TopLevelAction::AddSet(_) | TopLevelAction::DeleteSet(_) => return None,
            };
            match new_value {
                Some(value) => after.insert(name.clone(), value),
                None => after.remove(name),
            };
        }
        Some(after)
    }

    /// Any path of up to four steps over a few names and small indexes.
    fn any_path() -> impl Strategy<Value = Path> {
        let element = prop_oneof![
            "[a-c]".prop_map(PathElement::Attribute),
            (0usize..4).prop_map(PathElement::Index),
        ];
        ("[a-c]", proptest::collection::vec(element, 0..4)).prop_map(|(first, rest)| {
            let mut elements = vec![PathElement::Attribute(first)];
            elements.extend(rest);
            Path { elements }
        })
    }

    proptest! {
        #[test]
        fn apply_of_top_level_actions_matches_the_reference_model(
            before in proptest::collection::btree_map(
                proptest::sample::select(NAMES).prop_map(str::to_string),
                small_value(),
                0..5,
            ),
            actions in proptest::collection::btree_map(
                proptest::sample::select(NAMES).prop_map(str::to_string),
                top_level_action(NAMES),
                1..5,
            ),
        ) {
            let expression = expression_of(&actions);
            let result = expression.apply(&before);
            match reference(&before, &actions) {
                Some(expected) => prop_assert_eq!(result.unwrap(), expected),
                None => {
                    let message = result.unwrap_err().to_string();
                    prop_assert!(
                        [MISSING, BAD_TYPE, OVERFLOW, crate::model::number::UNDERFLOW_MESSAGE]
                            .iter()
                            .any(|expected| message.ends_with(expected)),
                        "{}", message
                    );
                }
            }
        }

        #[test]
        fn apply_never_panics_on_any_paths_and_items(
            before in crate::model::test_support::arbitrary_item(),
            set_paths in proptest::collection::vec((any_path(), small_value()), 0..3),
            remove_paths in proptest::collection::vec(any_path(), 0..3),
            add_paths in proptest::collection::vec((any_path(), small_value()), 0..3),
            delete_paths in proptest::collection::vec((any_path(), small_value()), 0..3),
        ) {
            // Paths may overlap here, which the parser forbids: the result is
            // unspecified, but it must be a result.
            let expression = UpdateExpression {
                set: set_paths
                    .into_iter()
                    .map(|(path, value)| SetAction {
                        path: path.clone(),
                        value: SetValue::Plus(SetOperand::Path(path), literal(value)),
                    })
                    .collect(),
                remove: remove_paths,
                add: add_paths
                    .into_iter()
                    .map(|(path, value)| SetOrNumberAction { path, value })
                    .collect(),
                delete: delete_paths
                    .into_iter()
                    .map(|(path, value)| SetOrNumberAction { path, value })
                    .collect(),
            };
            let _ = expression.apply(&before);
            let _ = expression.updated_paths().apply(&before);
        }
    }
}
