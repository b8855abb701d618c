//! Round trips: random condition and update trees, printed as DynamoDB
//! expressions with the fewest parentheses precedence allows, parse back to
//! the same trees.

use proptest::prelude::*;

use super::*;

/// A path the fixtures can name bare or through `#a`/`#b`.
fn arbitrary_path() -> impl Strategy<Value = (String, Path)> {
    prop::sample::select(vec![
        ("a", "a"),
        ("#a", "a"),
        ("b.c", "b.c"),
        ("#b[3]", "b[3]"),
        ("x[0].y", "x[0].y"),
    ])
    .prop_map(|(text, shape)| (text.to_string(), path(shape)))
}

/// A value placeholder of the fixtures, and its value.
fn arbitrary_value() -> impl Strategy<Value = (String, AttributeValue)> {
    prop::sample::select(vec![(":n", "1"), (":n2", "2")])
        .prop_map(|(text, number)| (text.to_string(), n(number)))
}

/// A leaf condition: its text and tree.
fn arbitrary_leaf() -> impl Strategy<Value = (String, Condition)> {
    let comparator = prop::sample::select(vec![
        ("=", Comparator::Eq),
        ("<>", Comparator::Ne),
        ("<", Comparator::Lt),
        ("<=", Comparator::Le),
        (">", Comparator::Gt),
        (">=", Comparator::Ge),
    ]);
    prop_oneof![
        (arbitrary_path(), comparator, arbitrary_value()).prop_map(
            |((path_text, path), (operator, comparator), (value_text, value))| {
                (
                    format!("{path_text} {operator} {value_text}"),
                    compare(Operand::Path(path), comparator, Operand::Value(value)),
                )
            }
        ),
        arbitrary_path().prop_map(|(path_text, path)| {
            (
                format!("{path_text} BETWEEN :n AND :n2"),
                Condition::Between {
                    value: Operand::Path(path),
                    low: Operand::Value(n("1")),
                    high: Operand::Value(n("2")),
                },
            )
        }),
        (
            arbitrary_path(),
            prop::collection::vec(arbitrary_value(), 1..4)
        )
            .prop_map(|((path_text, path), candidates)| {
                let texts: Vec<&str> = candidates.iter().map(|(text, _)| text.as_str()).collect();
                (
                    format!("{path_text} IN ({})", texts.join(", ")),
                    Condition::In {
                        value: Operand::Path(path),
                        candidates: candidates
                            .into_iter()
                            .map(|(_, value)| Operand::Value(value))
                            .collect(),
                    },
                )
            }),
        arbitrary_path().prop_map(|(path_text, path)| {
            (
                format!("attribute_exists({path_text})"),
                Condition::AttributeExists(path),
            )
        }),
        arbitrary_path().prop_map(|(path_text, path)| {
            (
                format!("size({path_text}) > :n"),
                compare(
                    Operand::Size(Box::new(Operand::Path(path))),
                    Comparator::Gt,
                    Operand::Value(n("1")),
                ),
            )
        }),
    ]
}

/// A condition tree of leaves under AND, OR and NOT.
fn arbitrary_condition() -> impl Strategy<Value = Condition> {
    arbitrary_leaf()
        .prop_map(|(_, condition)| condition)
        .prop_recursive(5, 40, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone())
                    .prop_map(|(left, right)| Condition::And(Box::new(left), Box::new(right))),
                (inner.clone(), inner.clone())
                    .prop_map(|(left, right)| Condition::Or(Box::new(left), Box::new(right))),
                inner.prop_map(|condition| Condition::Not(Box::new(condition))),
            ]
        })
}

/// How tightly a node binds: OR loosest, then AND, then NOT and leaves.
fn binding(condition: &Condition) -> u8 {
    match condition {
        Condition::Or(..) => 0,
        Condition::And(..) => 1,
        _ => 2,
    }
}

/// `condition` as text, parenthesizing a child only where precedence and
/// left associativity need it (so never twice around one thing).
fn print(condition: &Condition) -> String {
    let child = |child: &Condition, least_binding: u8| {
        if binding(child) < least_binding {
            format!("({})", print(child))
        } else {
            print(child)
        }
    };
    match condition {
        // Left-associative: a right child of the same operator needs parentheses.
        Condition::Or(left, right) => format!("{} OR {}", child(left, 0), child(right, 1)),
        Condition::And(left, right) => format!("{} AND {}", child(left, 1), child(right, 2)),
        Condition::Not(inner) => format!("NOT {}", child(inner, 2)),
        leaf => leaf_text(leaf),
    }
}

/// The text of a leaf made by [`arbitrary_leaf`].
fn leaf_text(leaf: &Condition) -> String {
    let path_text = |path: &Path| {
        let mut text = String::new();
        for element in &path.elements {
            match element {
                PathElement::Attribute(name) if text.is_empty() => text.push_str(name),
                PathElement::Attribute(name) => {
                    text.push('.');
                    text.push_str(name);
                }
                PathElement::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    };
    let operand_text = |operand: &Operand| match operand {
        Operand::Path(path) => path_text(path),
        Operand::Value(AttributeValue::N(number)) if number.to_string() == "2" => ":n2".into(),
        Operand::Value(_) => ":n".into(),
        Operand::Size(inner) => match inner.as_ref() {
            Operand::Path(path) => format!("size({})", path_text(path)),
            _ => "size(:n)".into(),
        },
    };
    match leaf {
        Condition::Compare {
            left,
            comparator,
            right,
        } => format!(
            "{} {} {}",
            operand_text(left),
            super::super::semantics::comparator_text(*comparator),
            operand_text(right)
        ),
        Condition::Between { value, .. } => format!("{} BETWEEN :n AND :n2", operand_text(value)),
        Condition::In { value, candidates } => {
            let candidates: Vec<String> = candidates.iter().map(operand_text).collect();
            format!("{} IN ({})", operand_text(value), candidates.join(", "))
        }
        Condition::AttributeExists(path) => format!("attribute_exists({})", path_text(path)),
        other => panic!("not a generated leaf: {other:?}"),
    }
}

proptest! {
    #[test]
    fn printed_conditions_parse_back_to_the_same_tree(tree in arbitrary_condition()) {
        let text = print(&tree);
        prop_assert_eq!(condition(&text).map_err(|e| e.to_string()), Ok(tree), "{}", text);
    }

    #[test]
    fn generated_leaves_parse_to_their_trees((text, tree) in arbitrary_leaf()) {
        prop_assert_eq!(condition(&text).map_err(|e| e.to_string()), Ok(tree), "{}", text);
    }

    #[test]
    fn generated_set_actions_parse_to_their_trees(
        actions in prop::collection::vec((0usize..5, arbitrary_value(), any::<bool>()), 1..5)
    ) {
        // Distinct top-level targets, so no two paths overlap.
        let targets = ["t0", "t1", "t2", "t3", "t4"];
        let mut seen = std::collections::BTreeSet::new();
        let actions: Vec<_> = actions.into_iter().filter(|(target, ..)| seen.insert(*target)).collect();
        let mut texts = Vec::new();
        let mut expected = UpdateExpression::default();
        for (target, (value_text, value), increment) in actions {
            let name = targets[target];
            let (text, set_value) = if increment {
                (
                    format!("{name} = {name} + {value_text}"),
                    SetValue::Plus(SetOperand::Path(path(name)), SetOperand::Value(value)),
                )
            } else {
                (format!("{name} = {value_text}"), SetValue::Operand(SetOperand::Value(value)))
            };
            texts.push(text);
            expected.set.push(SetAction { path: path(name), value: set_value });
        }
        let text = format!("SET {}", texts.join(", "));
        prop_assert_eq!(update(&text).map_err(|e| e.to_string()), Ok(expected), "{}", text);
    }
}
