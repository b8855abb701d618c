//! Document paths resolved against items: reading the value at `a.b[2].c`
//! ([`get_path`]) and reaching the map or list that holds a path's last
//! step, for reading or for changing it (used by the update evaluator).
//!
//! A step applies only to the container it names: `.name` to a map (or,
//! first, to the item), `[index]` to a list. Any other step finds nothing;
//! it is never an error here, because what a missing value means is the
//! caller's rule (a false condition, an omitted projection, an update
//! error). Paths are iterated, not recursed, and are at most
//! [`crate::limits::DOCUMENT_PATH_DEPTH_MAX`] steps long. Pure code.

use std::collections::BTreeMap;

use super::ast::{Path, PathElement};
use crate::model::{AttributeValue, Item};

/// The value at `path` in `item`, if there is one: `None` when a step
/// names a missing map member, an index past the end of a list, or steps
/// into a value that is not the container the step needs.
pub fn get_path<'a>(item: &'a Item, path: &Path) -> Option<&'a AttributeValue> {
    let (first, rest) = path.elements.split_first()?;
    let PathElement::Attribute(name) = first else {
        return None;
    };
    let mut value = item.get(name)?;
    for element in rest {
        value = step(value, element)?;
    }
    Some(value)
}

/// The value `element` names inside `value`, if `value` is the right kind
/// of container and holds it.
fn step<'a>(value: &'a AttributeValue, element: &PathElement) -> Option<&'a AttributeValue> {
    match (value, element) {
        (AttributeValue::M(map), PathElement::Attribute(name)) => map.get(name),
        (AttributeValue::L(list), PathElement::Index(index)) => list.get(*index),
        _ => None,
    }
}

/// The map or list holding the last step of a path (the item itself for a
/// top-level attribute), read-only.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Container<'a> {
    /// A map member or top-level attribute's parent.
    Map(&'a BTreeMap<String, AttributeValue>),
    /// A list element's parent.
    List(&'a [AttributeValue]),
}

/// The map or list holding the last step of a path, for changing it.
#[derive(Debug)]
pub(crate) enum ContainerMut<'a> {
    /// A map member or top-level attribute's parent.
    Map(&'a mut BTreeMap<String, AttributeValue>),
    /// A list element's parent.
    List(&'a mut Vec<AttributeValue>),
}

/// The container of `path`'s last step and that step, if every earlier
/// step exists and ends in a map or list. The container's kind need not
/// match the last step (`a.b` where `a` is a list); callers check.
pub(crate) fn parent<'a, 'p>(
    item: &'a Item,
    path: &'p Path,
) -> Option<(Container<'a>, &'p PathElement)> {
    let (last, ancestors) = path.elements.split_last()?;
    let Some((first, middle)) = ancestors.split_first() else {
        return Some((Container::Map(item), last));
    };
    let PathElement::Attribute(name) = first else {
        return None;
    };
    let mut value = item.get(name)?;
    for element in middle {
        value = step(value, element)?;
    }
    let container = match value {
        AttributeValue::M(map) => Container::Map(map),
        AttributeValue::L(list) => Container::List(list),
        _ => return None,
    };
    Some((container, last))
}

/// As [`parent`], for changing the container.
pub(crate) fn parent_mut<'a, 'p>(
    item: &'a mut Item,
    path: &'p Path,
) -> Option<(ContainerMut<'a>, &'p PathElement)> {
    let (last, ancestors) = path.elements.split_last()?;
    let Some((first, middle)) = ancestors.split_first() else {
        return Some((ContainerMut::Map(item), last));
    };
    let PathElement::Attribute(name) = first else {
        return None;
    };
    let mut value = item.get_mut(name)?;
    for element in middle {
        value = match (value, element) {
            (AttributeValue::M(map), PathElement::Attribute(name)) => map.get_mut(name)?,
            (AttributeValue::L(list), PathElement::Index(index)) => list.get_mut(*index)?,
            _ => return None,
        };
    }
    let container = match value {
        AttributeValue::M(map) => ContainerMut::Map(map),
        AttributeValue::L(list) => ContainerMut::List(list),
        _ => return None,
    };
    Some((container, last))
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Hand-built paths and values for the evaluators' tests (the parser is
    //! written separately, so the tests do not go through it).

    use super::*;
    use crate::model::Number;

    /// A path from dotted text with `[n]` indexes: `"a.b[2].c"`. Test-only:
    /// no escaping, names are whatever lies between the separators.
    pub(crate) fn path(text: &str) -> Path {
        let mut elements = Vec::new();
        for segment in text.split('.') {
            let (name, mut indexes) = match segment.find('[') {
                Some(at) => (&segment[..at], &segment[at..]),
                None => (segment, ""),
            };
            if !name.is_empty() {
                elements.push(PathElement::Attribute(name.to_string()));
            }
            while let Some(rest) = indexes.strip_prefix('[') {
                let end = rest.find(']').expect("unclosed [ in test path");
                elements.push(PathElement::Index(rest[..end].parse().expect("test index")));
                indexes = &rest[end + 1..];
            }
        }
        Path { elements }
    }

    /// `S`
    pub(crate) fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_string())
    }

    /// `N` from its text.
    pub(crate) fn n(text: &str) -> AttributeValue {
        AttributeValue::N(number(text))
    }

    /// A [`Number`] from its text.
    pub(crate) fn number(text: &str) -> Number {
        text.parse().expect("test number")
    }

    /// `B`
    pub(crate) fn b(bytes: &[u8]) -> AttributeValue {
        AttributeValue::B(bytes.to_vec())
    }

    /// `L`
    pub(crate) fn l(values: Vec<AttributeValue>) -> AttributeValue {
        AttributeValue::L(values)
    }

    /// `M`
    pub(crate) fn m(members: Vec<(&str, AttributeValue)>) -> AttributeValue {
        AttributeValue::M(
            members
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
        )
    }

    /// `SS`
    pub(crate) fn ss(members: &[&str]) -> AttributeValue {
        AttributeValue::Ss(members.iter().map(|m| m.to_string()).collect())
    }

    /// `NS`
    pub(crate) fn ns(members: &[&str]) -> AttributeValue {
        AttributeValue::Ns(members.iter().map(|m| number(m)).collect())
    }

    /// `BS`
    pub(crate) fn bs(members: &[&[u8]]) -> AttributeValue {
        AttributeValue::Bs(members.iter().map(|m| m.to_vec()).collect())
    }

    /// An item of named values.
    pub(crate) fn item(attributes: Vec<(&str, AttributeValue)>) -> Item {
        attributes
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    fn sample() -> Item {
        item(vec![
            (
                "a",
                m(vec![("b", l(vec![n("1"), m(vec![("c", s("deep"))])]))]),
            ),
            ("list", l(vec![s("zero"), s("one")])),
            ("text", s("t")),
            ("a.b", s("a top-level name with a dot")),
        ])
    }

    #[test]
    fn get_path_follows_map_members_and_list_indexes() {
        let item = sample();
        let cases: Vec<(Path, Option<AttributeValue>)> = vec![
            (path("text"), Some(s("t"))),
            (path("a.b[0]"), Some(n("1"))),
            (path("a.b[1].c"), Some(s("deep"))),
            (path("list[1]"), Some(s("one"))),
            (
                Path::attribute("a.b"),
                Some(s("a top-level name with a dot")),
            ),
            (path("missing"), None),
            (path("a.missing"), None),
            (path("a.b[2]"), None),
            (path("list[99]"), None),
            // A step into the wrong kind of value finds nothing.
            (path("list.x"), None),
            (path("a[0]"), None),
            (path("text.x"), None),
            (path("text[0]"), None),
            (path("a.b[1].c.d"), None),
        ];
        for (path, expected) in cases {
            assert_eq!(get_path(&item, &path).cloned(), expected, "{path:?}");
        }
    }

    #[test]
    fn get_path_on_an_empty_item_finds_nothing() {
        assert_eq!(get_path(&Item::new(), &path("a.b[0]")), None);
        assert_eq!(get_path(&Item::new(), &Path { elements: vec![] }), None);
    }

    #[test]
    fn parent_finds_the_container_of_the_last_step() {
        let item = sample();
        assert!(matches!(
            parent(&item, &path("text")),
            Some((Container::Map(map), PathElement::Attribute(name))) if map.len() == 4 && name == "text"
        ));
        assert!(matches!(
            parent(&item, &path("a.b[7]")),
            Some((Container::List(list), PathElement::Index(7))) if list.len() == 2
        ));
        assert!(parent(&item, &path("text.x")).is_none());
        assert!(parent(&item, &path("missing.x")).is_none());
        let mut item = item;
        match parent_mut(&mut item, &path("a.b[1].c")) {
            Some((ContainerMut::Map(map), PathElement::Attribute(name))) => {
                map.insert(name.clone(), s("changed"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(get_path(&item, &path("a.b[1].c")), Some(&s("changed")));
        assert!(parent_mut(&mut item, &path("list[0].x")).is_none());
    }
}
