//! The placeholder maps themselves, their 2 MB limit, and unused
//! placeholders at the end of a request.

use super::*;

use crate::expr::parser::placeholders::java_hash_set_order;

#[test]
fn placeholder_maps_are_checked_before_parsing() {
    let names = |pairs: &[(&str, &str)]| -> AttributeNames {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let values = |pairs: &[(&str, AttributeValue)]| -> AttributeValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    let check = |names: Option<&AttributeNames>, values: Option<&AttributeValues>| {
        message(ExpressionContext::new(names, values))
    };
    assert_eq!(
        check(Some(&names(&[])), None),
        "ExpressionAttributeNames must not be empty"
    );
    assert_eq!(
        check(None, Some(&values(&[]))),
        "ExpressionAttributeValues must not be empty"
    );
    assert_eq!(
        check(Some(&names(&[])), Some(&values(&[]))),
        "ExpressionAttributeNames must not be empty"
    );
    assert_eq!(
        check(Some(&names(&[("a", "a")])), None),
        r#"ExpressionAttributeNames contains invalid key: Syntax error; key: "a""#
    );
    assert_eq!(
        check(Some(&names(&[("#", "a")])), None),
        r##"ExpressionAttributeNames contains invalid key: Syntax error; key: "#""##
    );
    assert_eq!(
        check(Some(&names(&[("#a-b", "a")])), None),
        r##"ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b""##
    );
    assert_eq!(
        check(None, Some(&values(&[("a", s("b"))]))),
        r#"ExpressionAttributeValues contains invalid key: Syntax error; key: "a""#
    );
    assert_eq!(
        check(None, Some(&values(&[(":é", s("b"))]))),
        r#"ExpressionAttributeValues contains invalid key: Syntax error; key: ":é""#
    );
    let long_name = format!("#{}", "n".repeat(255));
    assert_eq!(
        check(Some(&names(&[(long_name.as_str(), "a")])), None),
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256"
    );
    let longest_name = format!("#{}", "n".repeat(254));
    assert!(ExpressionContext::new(Some(&names(&[(longest_name.as_str(), "a")])), None).is_ok());
    let long_value = format!(":{}", "v".repeat(255));
    assert_eq!(
        check(None, Some(&values(&[(long_value.as_str(), s("b"))]))),
        "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;"
    );
    assert_eq!(
        check(Some(&names(&[("#a", "")])), None),
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"
    );
    assert_eq!(
        check(
            None,
            Some(&values(&[(":v", AttributeValue::Ss(BTreeSet::new()))]))
        ),
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v"
    );
    assert_eq!(
        check(
            None,
            Some(&values(&[(":v", AttributeValue::Ns(BTreeSet::new()))]))
        ),
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An number set  may not be empty for key :v"
    );
    let nested = AttributeValue::L(vec![AttributeValue::M(BTreeMap::from([(
        "x".to_string(),
        AttributeValue::Bs(BTreeSet::new()),
    )]))]);
    assert_eq!(
        check(None, Some(&values(&[(":ok", s("")), (":v", nested)]))),
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Binary sets should not be empty for key :v"
    );
    let mut deep = AttributeValue::Null;
    for _ in 0..40 {
        deep = AttributeValue::L(vec![deep]);
    }
    assert_eq!(
        check(None, Some(&values(&[(":deep", deep)]))),
        "ExpressionAttributeValues contains invalid value: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit for key :deep"
    );
}

#[test]
fn substitutions_are_limited_to_2_mb_in_all() {
    let big = |length: usize| AttributeValue::S("x".repeat(length));
    let at_limit: AttributeValues = [
        (":a".to_string(), big(1024 * 1024 - 2)),
        (":b".to_string(), big(1024 * 1024 - 2)),
    ]
    .into();
    assert!(ExpressionContext::new(None, Some(&at_limit)).is_ok());
    let names: AttributeNames = [("#n".to_string(), "n".to_string())].into();
    assert_eq!(
        message(ExpressionContext::new(Some(&names), Some(&at_limit))),
        "Combined size of ExpressionAttributeNames and ExpressionAttributeValues exceeds max size"
    );
}

#[test]
fn finish_reports_unused_placeholders() {
    let names: AttributeNames = [("#a", "a"), ("#b", "b"), ("#c", "c")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let values: AttributeValues = [(":a", n("1")), (":b", n("2")), (":c", n("3"))]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();

    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    context
        .parse_condition(ExpressionKind::Condition, "#a = :a")
        .unwrap();
    assert_eq!(
        message(context.finish()),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c, #b}"
    );

    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    context.parse_update("SET #a = :a").unwrap();
    context
        .parse_condition(ExpressionKind::Condition, "#b = :c AND #c = :c")
        .unwrap();
    assert_eq!(
        message(context.finish()),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}"
    );

    // Usage adds up over the request's expressions.
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    context.parse_update("SET #a = :a, #b = :b").unwrap();
    context
        .parse_condition(ExpressionKind::Condition, "#c <> :c")
        .unwrap();
    context.finish().unwrap();

    // Placeholders given without any expression.
    let context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    assert_eq!(
        message(context.finish()),
        "ExpressionAttributeNames can only be specified when using expressions"
    );
    let context = ExpressionContext::new(None, Some(&values)).unwrap();
    assert_eq!(
        message(context.finish()),
        "ExpressionAttributeValues can only be specified when using expressions"
    );
    ExpressionContext::new(None, None)
        .unwrap()
        .finish()
        .unwrap();

    // A projection uses names only.
    let mut context = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    context.parse_projection("#a, #b, #c").unwrap();
    assert_eq!(
        message(context.finish()),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :b, :c}"
    );
}

#[test]
fn unused_keys_are_listed_in_java_hash_set_order() {
    // ":a" hashes to 1895 and ":b" to 1896: buckets 7 and 8 of 16.
    assert_eq!(java_hash_set_order(vec![":b", ":a"], 2), [":a", ":b"]);
    // "#b" (1183) is bucket 15, "#c" (1184) bucket 0: not sorted order.
    assert_eq!(java_hash_set_order(vec!["#b", "#c"], 3), ["#c", "#b"]);
    // ":z" (1920) is bucket 0, ":b" 8, ":aa" (58842) 10.
    assert_eq!(
        java_hash_set_order(vec![":b", ":aa", ":z"], 3),
        [":z", ":b", ":aa"]
    );
    // ":A" (1879) shares bucket 7 with ":a": ties go in byte order.
    assert_eq!(
        java_hash_set_order(vec![":a", ":A", ":z"], 3),
        [":z", ":A", ":a"]
    );
    // A larger map has a larger table: "#b" (1183) and "#r" (1199) share
    // bucket 15 of 16, but of the 32 that 13 keys need, "#b" is in 31.
    assert_eq!(java_hash_set_order(vec!["#r", "#b"], 2), ["#b", "#r"]);
    assert_eq!(java_hash_set_order(vec!["#b", "#r"], 13), ["#r", "#b"]);
}
