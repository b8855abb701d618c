//! Item size, counted the way DynamoDB counts it against the 400 KB limit.
//!
//! The rules, from the DynamoDB Developer Guide, "DynamoDB item sizes and
//! formats" (docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
//!
//! - an attribute costs the UTF-8 length of its name plus its value's size;
//! - `S`: UTF-8 bytes; `B`: raw bytes (not base64);
//! - `N`: "approximately (1 byte per two significant digits) + (1 byte)",
//!   leading and trailing zeros trimmed;
//! - `BOOL` and `NULL`: 1 byte;
//! - `L` and `M`: 3 bytes of overhead regardless of contents, plus the sizes
//!   of the elements (and, for `M`, their names), plus 1 byte per element;
//! - sets: the sum of their members' sizes.
//!
//! The guide only approximates numbers. We use the exact rule that dynalite
//! (the DynamoDB emulator whose tests were checked against the real service
//! at the 400 KB boundary) implements: zero costs 1 byte; otherwise 1 byte
//! plus one byte per base-100 digit of the value aligned on even powers of
//! ten, plus 1 byte if negative. That equals
//! `1 + ceil(digits / 2) + (1 if digits and the leading exponent are both
//! even) + (1 if negative)`. Pure code.

use crate::model::number::Number;
use crate::model::value::{AttributeValue, Item};

/// The size DynamoDB charges for `item`: the sum of [`attribute_size_bytes`].
pub fn item_size_bytes(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| attribute_size_bytes(name, value))
        .sum()
}

/// The size of one attribute: its name's UTF-8 length plus its value's size.
pub fn attribute_size_bytes(name: &str, value: &AttributeValue) -> usize {
    name.len() + value_size_bytes(value)
}

/// The size of a value without any attribute name.
pub fn value_size_bytes(value: &AttributeValue) -> usize {
    /// Overhead of a list or map, whatever it holds.
    const CONTAINER_OVERHEAD_BYTES: usize = 3;
    /// Overhead of each element of a list or map.
    const ELEMENT_OVERHEAD_BYTES: usize = 1;
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(number) => number_size_bytes(number),
        AttributeValue::B(bytes) => bytes.len(),
        AttributeValue::Bool(_) | AttributeValue::Null => 1,
        AttributeValue::L(list) => {
            CONTAINER_OVERHEAD_BYTES
                + list
                    .iter()
                    .map(|v| ELEMENT_OVERHEAD_BYTES + value_size_bytes(v))
                    .sum::<usize>()
        }
        AttributeValue::M(map) => {
            CONTAINER_OVERHEAD_BYTES
                + map
                    .iter()
                    .map(|(name, v)| ELEMENT_OVERHEAD_BYTES + attribute_size_bytes(name, v))
                    .sum::<usize>()
        }
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(number_size_bytes).sum(),
        AttributeValue::Bs(set) => set.iter().map(Vec::len).sum(),
    }
}

/// The size of a number (see the module documentation for the rule).
pub fn number_size_bytes(number: &Number) -> usize {
    if number.is_zero() {
        return 1;
    }
    1 + base100_digit_count(number) + usize::from(number.is_negative())
}

/// How many base-100 digits the value has when its decimal digits are
/// grouped in pairs aligned on even powers of ten (`1234.5` is `12 34 50`).
pub(crate) fn base100_digit_count(number: &Number) -> usize {
    let leading = number.leading_exponent();
    let last = number.exponent();
    // Pair index of a power of ten p is floor(p / 2).
    (leading.div_euclid(2) - last.div_euclid(2) + 1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn n(text: &str) -> Number {
        text.parse().unwrap()
    }

    #[test]
    fn number_sizes_match_dynalite() {
        // Reference: dynalite's valSize for N:
        // 1 + ceil(d/2) + (d even && e even ? 1 : 0) + (negative ? 1 : 0).
        fn reference(number: &Number) -> usize {
            if number.is_zero() {
                return 1;
            }
            let digits = number.significant_digit_count() as usize;
            let both_even = digits.is_multiple_of(2) && number.leading_exponent() % 2 == 0;
            1 + digits.div_ceil(2) + usize::from(both_even) + usize::from(number.is_negative())
        }
        for text in [
            "0",
            "1",
            "-1",
            "10",
            "11",
            "100",
            "123",
            "1234",
            "12345",
            "0.1",
            "0.11",
            "0.011",
            "1.5",
            "-12.5",
            "1E125",
            "11E124",
            "11111E121",
            "111111E120",
            "1111111E119",
            "1E-130",
            "12345678901234567890123456789012345678",
            "-9.9E-100",
        ] {
            assert_eq!(number_size_bytes(&n(text)), reference(&n(text)), "{text}");
        }
        // The 400 KB boundary cases in dynalite's tests (checked against DynamoDB).
        assert_eq!(
            number_size_bytes(&n(&format!("{}{}", "1".repeat(38), "0".repeat(88)))),
            20
        );
        assert_eq!(number_size_bytes(&n(&format!("1{}", "0".repeat(125)))), 2);
        assert_eq!(
            number_size_bytes(&n(&format!("11111{}", "0".repeat(121)))),
            4
        );
        assert_eq!(
            number_size_bytes(&n(&format!("1111111{}", "0".repeat(119)))),
            5
        );
    }

    #[test]
    fn value_sizes_follow_the_developer_guide() {
        assert_eq!(value_size_bytes(&AttributeValue::S("héllo".into())), 6);
        assert_eq!(value_size_bytes(&AttributeValue::B(vec![0; 7])), 7);
        assert_eq!(value_size_bytes(&AttributeValue::Bool(true)), 1);
        assert_eq!(value_size_bytes(&AttributeValue::Null), 1);
        assert_eq!(value_size_bytes(&AttributeValue::L(Vec::new())), 3);
        assert_eq!(value_size_bytes(&AttributeValue::M(BTreeMap::new())), 3);
        // 3 + (1 + 2) + (1 + 1)
        let list = AttributeValue::L(vec![AttributeValue::S("ab".into()), AttributeValue::Null]);
        assert_eq!(value_size_bytes(&list), 8);
        // 3 + (1 + len("key") + 2)
        let map = AttributeValue::M(BTreeMap::from([(
            "key".into(),
            AttributeValue::S("ab".into()),
        )]));
        assert_eq!(value_size_bytes(&map), 9);
        let set = AttributeValue::Ss(BTreeSet::from(["a".into(), "bcd".into()]));
        assert_eq!(value_size_bytes(&set), 4);
        let item = Item::from([("id".to_string(), AttributeValue::S("abc".into()))]);
        assert_eq!(item_size_bytes(&item), 5);
    }
}
