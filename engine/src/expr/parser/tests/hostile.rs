//! Hostile input: deep nesting within and beyond the parser's bound, and
//! properties over arbitrary strings, bytes and token soups.

use super::*;
use proptest::prelude::*;

use crate::expr::parser::syntax::NESTING_DEPTH_MAX;

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // Far over the length limit.
    assert!(message(condition(&"(".repeat(100_000))).starts_with(
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size"
    ));
    // Within the length limit, beyond the nesting the parser follows.
    let open = "(".repeat(4000);
    assert_eq!(
        message(condition(&format!("{open}a = :n"))),
        r#"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":n""#
    );
    assert_eq!(
        message(condition(&format!(
            "{}a = :n{}",
            "(".repeat(2000),
            ")".repeat(2000)
        ))),
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    );
    assert_eq!(
        message(condition(&format!(
            "{}a = :n{}",
            "NOT (".repeat(600),
            ")".repeat(600)
        ))),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 601"
    );
    assert_eq!(
        message(condition(&format!("{}a = :n", "NOT ".repeat(1000)))),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 1001"
    );
    assert_eq!(
        message(update(&format!(
            "SET a = {}:n{}",
            "f(".repeat(301),
            ")".repeat(301)
        ))),
        "Invalid UpdateExpression: The expression contains too many operators; operator count: 301"
    );
    assert!(
        condition(&format!(
            "{}a{} = :n",
            "size(".repeat(2000),
            ")".repeat(2000)
        ))
        .is_err()
    );
    assert!(condition(&format!("a IN ({}:n", "(".repeat(4000))).is_err());
}

/// Runs `parse` over `text` on a thread with a 1 MiB stack (half the
/// default). Measured when written: every case below fits 256 KiB in the
/// test profile (opt-level 1) and 1 MiB unoptimized.
fn on_small_stack(text: String, parse: fn(&str) -> crate::Result<()>) -> crate::Result<()> {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || parse(&text))
        .expect("spawn")
        .join()
        .expect("no stack overflow")
}

fn parse_condition_only(text: &str) -> crate::Result<()> {
    condition(text).map(drop)
}

fn parse_update_only(text: &str) -> crate::Result<()> {
    update(text).map(drop)
}

#[test]
fn the_deepest_nesting_followed_fits_a_small_stack() {
    let nested = |opener: &str, depth: usize, inner: &str, closer: &str| {
        format!("{}{inner}{}", opener.repeat(depth), closer.repeat(depth))
    };
    // Bare parentheses recurse the most per level: to the bound, then
    // the redundancy is found on the way out.
    let deepest = nested("(", NESTING_DEPTH_MAX, "a = :n", ")");
    assert_eq!(
        message(on_small_stack(deepest, parse_condition_only)),
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    );
    let deepest_operand = format!("a = {}", nested("(", NESTING_DEPTH_MAX, ":n", ")"));
    assert_eq!(
        message(on_small_stack(deepest_operand, parse_condition_only)),
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    );
    let sizes = nested("size(", NESTING_DEPTH_MAX, "a", ")") + " = :n";
    assert!(message(on_small_stack(sizes, parse_condition_only)).contains("too many operators"));
    let appends = format!("SET a = {}", nested("list_append(:l, ", 240, ":l", ")"));
    on_small_stack(appends, parse_update_only).expect("240 nested appends parse");
    let nots = nested("NOT (", NESTING_DEPTH_MAX / 2, "a = :n", ")");
    assert!(message(on_small_stack(nots, parse_condition_only)).contains("too many operators"));
    // The most the semantic passes ever see: 300 operators, nested.
    let widest_valid = nested("NOT (", OPERATOR_COUNT_MAX - 1, "a = :n", ")");
    on_small_stack(widest_valid, parse_condition_only).expect("300 operators parse");
    let chain = vec!["a = :n"; OPERATOR_COUNT_MAX / 2].join(" AND ");
    on_small_stack(chain, parse_condition_only).expect("a chain of 299 operators parses");
}

const OPERATOR_COUNT_MAX: usize = crate::limits::EXPRESSION_OPERATOR_COUNT_MAX;

/// Runs every parser over `text`; none may panic.
fn parse_everything(text: &str) {
    let names = fixture_names();
    let values = fixture_values();
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    let _ = context.parse_condition(ExpressionKind::Filter, text);
    let _ = context.parse_update(text);
    let _ = context.parse_projection(text);
    let _ = context.parse_key_condition(text, &hash_and_range_schema());
    let _ = context.finish();
}

fn token_soup() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "a",
        "b",
        "name",
        "pk",
        "sk",
        "#n",
        "#a",
        "#x",
        ":n",
        ":s",
        ":l",
        ":ss",
        ":x",
        "0",
        "1",
        "2147483648",
        "99999999999",
        ".",
        ",",
        "(",
        ")",
        "[",
        "]",
        "=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "AND",
        "OR",
        "NOT",
        "BETWEEN",
        "IN",
        "SET",
        "REMOVE",
        "ADD",
        "DELETE",
        "size",
        "attribute_exists",
        "attribute_not_exists",
        "attribute_type",
        "begins_with",
        "contains",
        "if_not_exists",
        "list_append",
        "foo",
        "!",
        "é",
        "#",
        ":",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.join(" "))
}

proptest! {
    #[test]
    fn no_string_makes_the_parser_panic(text in ".{0,200}") {
        parse_everything(&text);
    }

    #[test]
    fn no_bytes_make_the_parser_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        parse_everything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn no_token_soup_makes_the_parser_panic(text in token_soup()) {
        parse_everything(&text);
    }

    #[test]
    fn glued_token_soups_do_not_panic_either(text in token_soup()) {
        parse_everything(&text.replace(' ', ""));
    }

    #[test]
    fn deep_random_nesting_is_an_error_or_a_tree(
        depth in 0usize..3000,
        opener in prop::sample::select(vec!["(", "NOT ", "NOT (", "size(", "a IN (", "begins_with("]),
        closer in prop::sample::select(vec!["", ")", "))"]),
    ) {
        let text = format!("{}a = :n{}", opener.repeat(depth), closer.repeat(depth));
        parse_everything(&text);
    }

    #[test]
    fn parsing_a_valid_comparison_uses_its_placeholders(
        attribute in "[a-z][a-z0-9_]{0,8}",
        comparator in prop::sample::select(vec!["=", "<>", "<", "<=", ">", ">="]),
    ) {
        prop_assume!(!crate::expr::is_reserved_word(&attribute));
        prop_assume!(!["and", "or", "not", "between", "in", "set", "remove", "add", "delete"]
            .contains(&attribute.as_str()));
        let names: AttributeNames = [("#x".to_string(), attribute.clone())].into();
        let values: AttributeValues = [(":v".to_string(), n("5"))].into();
        let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
        let text = format!("{attribute} {comparator} :v AND #x {comparator} :v");
        let parsed = context.parse_condition(ExpressionKind::Condition, &text);
        prop_assert!(parsed.is_ok(), "{text}: {parsed:?}");
        prop_assert!(context.finish().is_ok());
    }
}
