//! DynamoDB attribute-value JSON: round trips of every type, the AWS CLI's
//! output shapes, and bad inputs answered with a path, never a panic.

use std::collections::{BTreeMap, BTreeSet};

use dynacore::{AttributeValue, Item, Number, Page, WriteOutput};
use dynacore_server::json::{
    item_from_json, item_to_json, names_from_json, output, value_from_json, value_to_json,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn n(text: &str) -> Number {
    text.parse().expect("number")
}

fn every_type() -> Item {
    BTreeMap::from([
        ("s".to_owned(), AttributeValue::S("héllo".into())),
        ("empty".to_owned(), AttributeValue::S(String::new())),
        ("n".to_owned(), AttributeValue::N(n("-1.5e3"))),
        ("b".to_owned(), AttributeValue::B(vec![0, 1, 2, 254, 255])),
        ("t".to_owned(), AttributeValue::Bool(true)),
        ("f".to_owned(), AttributeValue::Bool(false)),
        ("null".to_owned(), AttributeValue::Null),
        (
            "l".to_owned(),
            AttributeValue::L(vec![
                AttributeValue::N(n("1")),
                AttributeValue::S("x".into()),
            ]),
        ),
        (
            "m".to_owned(),
            AttributeValue::M(BTreeMap::from([(
                "inner".to_owned(),
                AttributeValue::M(BTreeMap::from([("x".to_owned(), AttributeValue::Null)])),
            )])),
        ),
        (
            "ss".to_owned(),
            AttributeValue::Ss(BTreeSet::from(["a".to_owned(), "b".to_owned()])),
        ),
        (
            "ns".to_owned(),
            AttributeValue::Ns(BTreeSet::from([n("1"), n("2.5")])),
        ),
        (
            "bs".to_owned(),
            AttributeValue::Bs(BTreeSet::from([b"ab".to_vec(), Vec::new()])),
        ),
    ])
}

#[test]
fn every_type_round_trips_in_the_aws_shape() {
    let item = every_type();
    let encoded = item_to_json(&item);
    assert_eq!(encoded["s"], json!({"S": "héllo"}));
    assert_eq!(encoded["n"], json!({"N": "-1500"}));
    assert_eq!(encoded["b"], json!({"B": "AAEC/v8="}));
    assert_eq!(encoded["t"], json!({"BOOL": true}));
    assert_eq!(encoded["null"], json!({"NULL": true}));
    assert_eq!(encoded["l"], json!({"L": [{"N": "1"}, {"S": "x"}]}));
    assert_eq!(
        encoded["m"],
        json!({"M": {"inner": {"M": {"x": {"NULL": true}}}}})
    );
    assert_eq!(encoded["ss"], json!({"SS": ["a", "b"]}));
    assert_eq!(encoded["ns"], json!({"NS": ["1", "2.5"]}));
    assert_eq!(encoded["bs"], json!({"BS": ["", "YWI="]}));
    assert_eq!(item_from_json(&encoded).expect("decode"), item);
    // Through text too, as the CLI reads it.
    let text = serde_json::to_string(&encoded).expect("text");
    let parsed: Value = serde_json::from_str(&text).expect("parse");
    assert_eq!(item_from_json(&parsed).expect("decode"), item);
}

#[test]
fn numbers_are_the_engines() {
    let v = value_from_json(&json!({"N": "007.50"}), "$").expect("n");
    assert_eq!(v, AttributeValue::N(n("7.5")));
    assert_eq!(value_to_json(&v), json!({"N": "7.5"}));
    let e = value_from_json(&json!({"N": "1e500"}), "$").expect_err("overflow");
    assert_eq!(e.path, "$.N");
    let e = value_from_json(
        &json!({"N": "12345678901234567890123456789012345678901"}),
        "$",
    )
    .expect_err("too many digits");
    assert_eq!(e.path, "$.N");
    let e = value_from_json(&json!({"N": 5}), "$").expect_err("not a string");
    assert_eq!(e.to_string(), "$.N: N must be a string, not a number");
}

fn error_of(value: Value) -> String {
    item_from_json(&value).expect_err("must fail").to_string()
}

#[test]
fn bad_inputs_name_their_path() {
    assert_eq!(
        error_of(json!({"m": {"M": {"x": {"S": "a", "N": "1"}}}})),
        "$.m.M.x: expected an object with one type key (S, N, B, BOOL, NULL, L, M, SS, NS, BS), got an object with 2 keys"
    );
    assert!(
        error_of(json!({"a": "plain"})).starts_with("$.a: expected an object with one type key")
    );
    assert!(error_of(json!({"a": {}})).contains("got an object with 0 keys"));
    assert_eq!(
        error_of(json!({"a": {"Z": "1"}})),
        "$.a: unknown attribute type \"Z\""
    );
    assert_eq!(
        error_of(json!({"l": {"L": [{"S": "ok"}, {"N": "x"}]}})),
        "$.l.L[1].N: The parameter cannot be converted to a numeric value: x"
    );
    assert_eq!(
        error_of(json!({"x": {"NULL": false}})),
        "$.x.NULL: NULL must be true"
    );
    assert_eq!(
        error_of(json!({"x": {"BOOL": "true"}})),
        "$.x.BOOL: BOOL must be true or false, not a string"
    );
    assert!(error_of(json!({"x": {"B": "not base64!"}})).starts_with("$.x.B: B: invalid base64"));
    assert_eq!(
        error_of(json!({"x": {"SS": []}})),
        "$.x.SS: an SS set must not be empty"
    );
    assert_eq!(
        error_of(json!({"x": {"SS": ["a", "a"]}})),
        "$.x.SS[1]: duplicate member of the SS set"
    );
    assert_eq!(
        error_of(json!({"x": {"NS": ["1", "1.0"]}})),
        "$.x.NS[1]: duplicate member of the NS set"
    );
    assert!(
        error_of(json!({"x": {"BS": [1]}})).starts_with("$.x.BS[0]: a BS member must be a string")
    );
    assert!(error_of(json!({"x": {"L": {}}})).starts_with("$.x.L: L must be an array"));
    assert!(
        error_of(json!({"x": {"M": []}})).starts_with("$.x.M: expected an object of attributes")
    );
    assert!(error_of(json!(["not", "an", "object"])).starts_with("$: expected an object"));
    assert_eq!(
        error_of(json!({"a b": {"S": 1}})),
        "$[\"a b\"].S: S must be a string, not a number"
    );
    assert!(names_from_json(&json!({"#n": 1})).is_err());
    assert_eq!(
        names_from_json(&json!({"#n": "name"})).expect("names"),
        BTreeMap::from([("#n".to_owned(), "name".to_owned())])
    );
}

#[test]
fn outputs_have_the_aws_cli_shape() {
    let item: Item = BTreeMap::from([("pk".to_owned(), AttributeValue::S("a".into()))]);
    assert_eq!(
        output::get_item(Some(&item)),
        json!({"Item": {"pk": {"S": "a"}}})
    );
    assert_eq!(output::get_item(None), json!({}));
    let page = Page {
        items: vec![item.clone()],
        count: 1,
        scanned_count: 3,
        last_evaluated_key: Some(item.clone()),
    };
    assert_eq!(
        output::page(&page),
        json!({"Items": [{"pk": {"S": "a"}}], "Count": 1, "ScannedCount": 3,
               "LastEvaluatedKey": {"pk": {"S": "a"}}})
    );
    assert_eq!(
        output::write_output(&WriteOutput { attributes: None }),
        json!({})
    );
    assert_eq!(
        output::write_output(&WriteOutput {
            attributes: Some(item)
        }),
        json!({"Attributes": {"pk": {"S": "a"}}})
    );
    let table = dynacore::catalog::TableDescription::new(
        "T",
        dynacore::TableSchema {
            partition_key: dynacore::KeyAttribute::new("pk", dynacore::KeyType::S),
            sort_key: Some(dynacore::KeyAttribute::new("sk", dynacore::KeyType::N)),
        },
        1_700_000_000_500,
    );
    let described = output::table_description(&table, Some((2, 40)));
    assert_eq!(described["TableName"], json!("T"));
    assert_eq!(
        described["KeySchema"],
        json!([{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    );
    assert_eq!(
        described["AttributeDefinitions"],
        json!([{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}])
    );
    assert_eq!(described["TableStatus"], json!("ACTIVE"));
    assert_eq!(described["CreationDateTime"], json!(1_700_000_000.5));
    assert_eq!(described["ItemCount"], json!(2));
    assert_eq!(described["TableSizeBytes"], json!(40));
    assert_eq!(
        described["BillingModeSummary"]["BillingMode"],
        json!("PAY_PER_REQUEST")
    );
    let without = output::table_description(&table, None);
    assert!(without.get("ItemCount").is_none());
}

fn attribute_value() -> impl Strategy<Value = AttributeValue> {
    let number = (any::<i64>(), -20i32..20)
        .prop_map(|(m, e)| format!("{m}e{e}").parse::<Number>().expect("in range"));
    let leaf = prop_oneof![
        ".*".prop_map(AttributeValue::S),
        number.clone().prop_map(AttributeValue::N),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(AttributeValue::B),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null),
        proptest::collection::btree_set(".*", 1..4).prop_map(AttributeValue::Ss),
        proptest::collection::btree_set(number, 1..4).prop_map(AttributeValue::Ns),
        proptest::collection::btree_set(proptest::collection::vec(any::<u8>(), 0..6), 1..4)
            .prop_map(AttributeValue::Bs),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            proptest::collection::btree_map(".*", inner, 0..4).prop_map(AttributeValue::M),
        ]
    })
}

proptest! {
    #[test]
    fn any_value_round_trips(value in attribute_value()) {
        let encoded = value_to_json(&value);
        let text = serde_json::to_string(&encoded).expect("text");
        let parsed: Value = serde_json::from_str(&text).expect("parse");
        prop_assert_eq!(value_from_json(&parsed, "$").expect("decode"), value);
    }

    #[test]
    fn any_json_decodes_or_errs_without_panicking(text in "[\\[\\]{}\":,A-Z0-9a-z .=+/-]{0,60}") {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            let _ = item_from_json(&value);
            let _ = value_from_json(&value, "$");
        }
    }
}
