//! Property tests: random top-level updates against a reference model,
//! and updates of random paths that must never panic.

use super::*;

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
    let string_set = proptest::collection::btree_set("[a-d]", 1..4).prop_map(AttributeValue::Ss);
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
    let string_set = proptest::collection::btree_set("[a-d]", 1..4).prop_map(AttributeValue::Ss);
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
