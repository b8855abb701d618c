//! Evaluation of ProjectionExpression trees (and of the updated paths that
//! `ReturnValues` `UPDATED_OLD` / `UPDATED_NEW` return): the parts of an
//! item that a list of document paths names, with DynamoDB's rules
//! (Developer Guide, "Using projection expressions in DynamoDB"; the list
//! behaviour as dynalite implements it and its tests against DynamoDB show):
//!
//! - a top-level name gives that attribute whole;
//! - a nested map path gives nested maps holding only the named members;
//! - list indexes give a list holding only the selected elements, in index
//!   order and compacted (`a[0], a[2]` of `[x, y, z]` is `[x, z]`);
//! - a path that finds nothing is left out, and so is a map or list none
//!   of whose selected parts exist;
//! - several paths into one attribute merge into one value.
//!
//! The paths are first merged into a tree, then the tree and the item are
//! walked together; both walks recurse only as deep as the longest path
//! (the parser bounds it at 32 steps). Pure code.

use std::collections::BTreeMap;

use super::ast::{PathElement, Projection};
use crate::model::{AttributeValue, Item};

impl Projection {
    /// The parts of `item` the projection names (see the module docs).
    pub fn apply(&self, item: &Item) -> Item {
        let mut root = Selection::default();
        for path in &self.paths {
            root.insert(&path.elements);
        }
        root.project_map(item)
    }
}

/// The parts selected below one value: the whole value, or some of its map
/// members and list elements.
#[derive(Debug, Default)]
struct Selection<'a> {
    /// The whole value is selected (a path ends here).
    whole: bool,
    /// Selected map members, by name.
    members: BTreeMap<&'a str, Selection<'a>>,
    /// Selected list elements, by index (so in index order).
    elements: BTreeMap<usize, Selection<'a>>,
}

impl<'a> Selection<'a> {
    /// Adds the path `elements` (relative to this value) to the selection.
    fn insert(&mut self, elements: &'a [PathElement]) {
        let mut node = self;
        for element in elements {
            node = match element {
                PathElement::Attribute(name) => node.members.entry(name.as_str()).or_default(),
                PathElement::Index(index) => node.elements.entry(*index).or_default(),
            };
        }
        node.whole = true;
    }

    /// The selected members of `map`, those that exist.
    fn project_map(
        &self,
        map: &BTreeMap<String, AttributeValue>,
    ) -> BTreeMap<String, AttributeValue> {
        self.members
            .iter()
            .filter_map(|(name, selection)| {
                let projected = selection.project(map.get(*name)?)?;
                Some((name.to_string(), projected))
            })
            .collect()
    }

    /// The selected parts of `value`, or `None` when none of them exists.
    fn project(&self, value: &AttributeValue) -> Option<AttributeValue> {
        if self.whole {
            return Some(value.clone());
        }
        match value {
            AttributeValue::M(map) => {
                let projected = self.project_map(map);
                (!projected.is_empty()).then_some(AttributeValue::M(projected))
            }
            AttributeValue::L(list) => {
                let projected: Vec<AttributeValue> = self
                    .elements
                    .iter()
                    .filter_map(|(index, selection)| selection.project(list.get(*index)?))
                    .collect();
                (!projected.is_empty()).then_some(AttributeValue::L(projected))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::Path;
    use super::super::path::test_support::*;
    use super::*;
    use proptest::prelude::*;

    fn projection(paths: &[&str]) -> Projection {
        Projection {
            paths: paths.iter().map(|text| path(text)).collect(),
        }
    }

    fn sample() -> Item {
        item(vec![
            ("id", s("key")),
            ("title", s("Bicycle 123")),
            (
                "reviews",
                m(vec![
                    ("five", l(vec![s("Excellent!"), s("Great"), s("Good")])),
                    ("one", l(vec![s("Terrible")])),
                    ("three", l(vec![])),
                ]),
            ),
            (
                "colors",
                l(vec![s("red"), s("green"), s("blue"), s("black")]),
            ),
            (
                "parts",
                l(vec![
                    m(vec![("name", s("wheel")), ("count", n("2"))]),
                    m(vec![("name", s("frame")), ("count", n("1"))]),
                ]),
            ),
            ("tags", ss(&["a", "b"])),
        ])
    }

    #[test]
    fn projection_cases() {
        let cases: Vec<(&[&str], Item)> = vec![
            (&["title"], item(vec![("title", s("Bicycle 123"))])),
            (
                &["title", "id"],
                item(vec![("id", s("key")), ("title", s("Bicycle 123"))]),
            ),
            (&["missing"], Item::new()),
            (
                &["title", "missing"],
                item(vec![("title", s("Bicycle 123"))]),
            ),
            (
                &["reviews.one"],
                item(vec![("reviews", m(vec![("one", l(vec![s("Terrible")]))]))]),
            ),
            (
                &["reviews.five[0]"],
                item(vec![(
                    "reviews",
                    m(vec![("five", l(vec![s("Excellent!")]))]),
                )]),
            ),
            (
                // Several paths into one attribute merge.
                &["reviews.one", "reviews.five[2]", "reviews.five[0]"],
                item(vec![(
                    "reviews",
                    m(vec![
                        ("five", l(vec![s("Excellent!"), s("Good")])),
                        ("one", l(vec![s("Terrible")])),
                    ]),
                )]),
            ),
            (
                // Selected elements, compacted, in index order.
                &["colors[3]", "colors[1]"],
                item(vec![("colors", l(vec![s("green"), s("black")]))]),
            ),
            (
                &["colors[1]", "colors[9]"],
                item(vec![("colors", l(vec![s("green")]))]),
            ),
            (&["colors[9]"], Item::new()),
            (
                &["parts[1].name", "parts[0].count"],
                item(vec![(
                    "parts",
                    l(vec![
                        m(vec![("count", n("2"))]),
                        m(vec![("name", s("frame"))]),
                    ]),
                )]),
            ),
            (
                &["parts[0].name", "parts[0].count"],
                item(vec![(
                    "parts",
                    l(vec![m(vec![("name", s("wheel")), ("count", n("2"))])]),
                )]),
            ),
            // An empty list or map that is selected whole is kept.
            (
                &["reviews.three"],
                item(vec![("reviews", m(vec![("three", l(vec![]))]))]),
            ),
            // Paths that find nothing leave nothing, not empty containers.
            (&["reviews.two", "parts[0].weight"], Item::new()),
            (
                &["reviews.five.x", "colors.x", "title[0]", "tags[0]"],
                Item::new(),
            ),
            (&["reviews[0]", "parts.name"], Item::new()),
            // A path and one below it (which the parser rejects): the whole wins.
            (
                &["colors", "colors[0]"],
                item(vec![(
                    "colors",
                    l(vec![s("red"), s("green"), s("blue"), s("black")]),
                )]),
            ),
        ];
        for (paths, expected) in cases {
            assert_eq!(projection(paths).apply(&sample()), expected, "{paths:?}");
        }
    }

    #[test]
    fn projection_of_a_missing_item_is_empty() {
        assert_eq!(
            projection(&["a", "b.c", "d[0]"]).apply(&Item::new()),
            Item::new()
        );
    }

    #[test]
    fn projection_reaches_32_levels() {
        let mut value = s("leaf");
        for _ in 0..31 {
            value = l(vec![value]);
        }
        let deep = item(vec![("a", value.clone())]);
        let mut elements = vec![PathElement::Attribute("a".into())];
        elements.extend((0..31).map(|_| PathElement::Index(0)));
        let projection = Projection {
            paths: vec![Path { elements }],
        };
        assert_eq!(projection.apply(&deep), deep);
    }

    proptest! {
        #[test]
        fn projection_of_every_top_level_name_is_the_identity(
            item in crate::model::test_support::arbitrary_item(),
        ) {
            let projection = Projection {
                paths: item.keys().map(|name| Path::attribute(name.clone())).collect(),
            };
            prop_assert_eq!(projection.apply(&item), item);
        }

        #[test]
        fn projection_keeps_only_values_found_at_the_paths(
            item in crate::model::test_support::arbitrary_item(),
            names in proptest::collection::vec("[a-zA-Z_]{1,6}", 0..4),
        ) {
            let projection = Projection {
                paths: names.iter().map(|name| Path::attribute(name.clone())).collect(),
            };
            let projected = projection.apply(&item);
            for (name, value) in &projected {
                prop_assert!(names.contains(name));
                prop_assert_eq!(item.get(name), Some(value));
            }
            for name in &names {
                prop_assert_eq!(projected.contains_key(name), item.contains_key(name));
            }
        }
    }
}
