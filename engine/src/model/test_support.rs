//! Test support shared by the model and coding tests: proptest strategies
//! for model values. Test-only. (The golden-example parser for
//! `docs/format/` is `crate::testing::golden_hex`.)

use proptest::prelude::*;

use crate::ids::TableId;
use crate::model::number::{EXPONENT_MAX, EXPONENT_MIN, MANTISSA_LIMIT};
use crate::model::{AttributeValue, Item, KeyValue, Number, PrimaryKey};

/// Numbers of every shape: zero, small integers, long mantissas, all-nines,
/// and exponents at both ends of the range, with either sign.
pub(crate) fn arbitrary_number() -> impl Strategy<Value = Number> {
    let mantissa = prop_oneof![
        Just(0u128),
        1u128..100,
        1u128..MANTISSA_LIMIT,
        (1u32..=38).prop_map(|digits| 10u128.pow(digits) - 1),
        (0u32..38).prop_map(|power| 10u128.pow(power)),
    ];
    let exponent = prop_oneof![
        -3i32..4,
        EXPONENT_MIN..=EXPONENT_MAX,
        EXPONENT_MIN..EXPONENT_MIN + 40,
        EXPONENT_MAX - 40..=EXPONENT_MAX,
    ];
    (any::<bool>(), mantissa, exponent).prop_filter_map("out of range", |(negative, m, e)| {
        Number::from_parts(negative, m, e).ok()
    })
}

/// Bytes drawn mostly from the interesting ones for escaping (0x00, 0x01,
/// 0xFE, 0xFF), so prefixes and collisions are common.
pub(crate) fn tricky_bytes(len_max: usize) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        Just(0x00u8),
        Just(0x01u8),
        Just(0xFEu8),
        Just(0xFFu8),
        Just(b'a'),
        any::<u8>(),
    ];
    proptest::collection::vec(byte, 0..=len_max)
}

/// Strings drawn from a small alphabet including NUL, ASCII edge characters
/// and multi-byte characters.
pub(crate) fn tricky_string(len_max: usize) -> impl Strategy<Value = String> {
    let character = prop_oneof![
        Just('\0'),
        Just('\u{1}'),
        Just('a'),
        Just('b'),
        Just('\u{7f}'),
        Just('é'),
        Just('\u{FFFF}'),
        Just('\u{10FFFF}'),
        any::<char>(),
    ];
    proptest::collection::vec(character, 0..=len_max).prop_map(|chars| chars.into_iter().collect())
}

/// A key value of any of the three types (possibly empty: the encoding
/// handles it even though validation rejects it).
pub(crate) fn arbitrary_key_value() -> impl Strategy<Value = KeyValue> {
    prop_oneof![
        tricky_string(6).prop_map(KeyValue::S),
        arbitrary_number().prop_map(KeyValue::N),
        tricky_bytes(6).prop_map(KeyValue::B),
    ]
}

/// A table id from a small range (so equal ids are common) or anywhere.
pub(crate) fn arbitrary_table_id() -> impl Strategy<Value = TableId> {
    prop_oneof![0u32..3, any::<u32>()].prop_map(TableId)
}

/// A primary key with or without a sort value, of any types.
pub(crate) fn arbitrary_primary_key() -> impl Strategy<Value = PrimaryKey> {
    (
        arbitrary_key_value(),
        proptest::option::of(arbitrary_key_value()),
    )
        .prop_map(|(partition, sort)| PrimaryKey { partition, sort })
}

/// An attribute value of any type, nested up to a few levels.
pub(crate) fn arbitrary_attribute_value() -> impl Strategy<Value = AttributeValue> {
    let name = "[a-z]{0,3}";
    let leaf = prop_oneof![
        tricky_string(8).prop_map(AttributeValue::S),
        arbitrary_number().prop_map(AttributeValue::N),
        tricky_bytes(8).prop_map(AttributeValue::B),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null),
        proptest::collection::btree_set(tricky_string(4), 1..4).prop_map(AttributeValue::Ss),
        proptest::collection::btree_set(arbitrary_number(), 1..4).prop_map(AttributeValue::Ns),
        proptest::collection::btree_set(tricky_bytes(4), 1..4).prop_map(AttributeValue::Bs),
    ];
    leaf.prop_recursive(4, 32, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            proptest::collection::btree_map(name, inner, 0..4).prop_map(AttributeValue::M),
        ]
    })
}

/// An item of a few attributes with non-empty names.
pub(crate) fn arbitrary_item() -> impl Strategy<Value = Item> {
    proptest::collection::btree_map("[a-zA-Z_]{1,6}", arbitrary_attribute_value(), 0..6)
}
