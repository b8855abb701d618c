//! The order-preserving key encoding: what the LSM sorts by.
//!
//! A user key is `table id (4 bytes, big-endian) ‖ partition component ‖
//! [sort component]`. Each component starts with a tag byte that names its
//! type (and, for numbers, its sign), then a body that ends with a
//! terminator. Two properties hold for every pair of keys and are checked by
//! property tests below:
//!
//! 1. **Order.** Comparing encodings bytewise gives the same answer as
//!    comparing `(TableId, PrimaryKey)` with [`KeyValue`]'s `Ord` (numbers
//!    numerically, strings and binaries bytewise, a missing sort key first).
//! 2. **Prefix-freedom.** No component's encoding is a proper prefix of
//!    another's, so [`encode_partition_prefix`] of one partition never
//!    matches a key of another, and bounds can be built as
//!    `partition prefix ‖ component` ([`encode_key_value_into`]).
//!
//! Layout, tags, a worked example and the argument for why it sorts
//! correctly: `docs/format/keys.md`. Encoding is canonical: [`decode_key`]
//! rejects anything [`encode_key`] would not produce. Pure code.

use crate::coding::{DecodeError, Decoder};
use crate::ids::TableId;
use crate::limits::{ENCODED_KEY_BYTES_MAX, PARTITION_KEY_SIZE_BYTES_MAX, SORT_KEY_SIZE_BYTES_MAX};
use crate::model::{KeyType, KeyValue, Number, PrimaryKey, TableSchema};

/// Size of the table id at the start of every key.
pub const TABLE_ID_BYTES: usize = 4;

/// Component tag of a string (`S`) key value.
pub const TAG_STRING: u8 = 0x10;
/// Component tag of a negative number (`N`) key value.
pub const TAG_NUMBER_NEGATIVE: u8 = 0x20;
/// Component tag of the number zero; the component has no body.
pub const TAG_NUMBER_ZERO: u8 = 0x21;
/// Component tag of a positive number key value.
pub const TAG_NUMBER_POSITIVE: u8 = 0x22;
/// Component tag of a binary (`B`) key value.
pub const TAG_BINARY: u8 = 0x30;

/// In a string or binary body, a 0x00 byte is written as `0x00 ESCAPED_ZERO`.
pub const ESCAPED_ZERO: u8 = 0xFF;
/// A string or binary body ends with `0x00 BYTES_TERMINATOR`.
pub const BYTES_TERMINATOR: u8 = 0x01;
/// Added to a number's base-100 exponent to make its exponent byte.
pub const NUMBER_EXPONENT_BIAS: i32 = 0x80;
/// Ends a positive number's digits (a negative number's ends with its
/// complement, 0xFF).
pub const NUMBER_TERMINATOR: u8 = 0x00;
/// The most base-100 digits a number has: 38 decimal digits, plus one zero
/// on each side to align the pairs.
pub const NUMBER_DIGIT_COUNT_MAX: usize = 20;

/// The largest encoded size of one component of `value_bytes_max` bytes:
/// tag, every byte escaped, terminator.
const fn bytes_component_bytes_max(value_bytes_max: usize) -> usize {
    1 + 2 * value_bytes_max + 2
}
/// The largest encoded number component: tag, exponent, digits, terminator.
const NUMBER_COMPONENT_BYTES_MAX: usize = 1 + 1 + NUMBER_DIGIT_COUNT_MAX + 1;

// Tags order the types as `KeyType` does (S < N < B), and numbers by sign.
const _: () = assert!(TAG_STRING < TAG_NUMBER_NEGATIVE);
const _: () =
    assert!(TAG_NUMBER_NEGATIVE < TAG_NUMBER_ZERO && TAG_NUMBER_ZERO < TAG_NUMBER_POSITIVE);
const _: () = assert!(TAG_NUMBER_POSITIVE < TAG_BINARY);
const _: () =
    assert!((KeyType::S as u8) < (KeyType::N as u8) && (KeyType::N as u8) < (KeyType::B as u8));
// Every valid key fits the limit the decoders enforce.
const _: () = assert!(
    TABLE_ID_BYTES
        + bytes_component_bytes_max(PARTITION_KEY_SIZE_BYTES_MAX)
        + bytes_component_bytes_max(SORT_KEY_SIZE_BYTES_MAX)
        <= ENCODED_KEY_BYTES_MAX
);
const _: () =
    assert!(NUMBER_COMPONENT_BYTES_MAX <= bytes_component_bytes_max(SORT_KEY_SIZE_BYTES_MAX));

/// The first bytes of every key of `table`.
pub fn encode_table_prefix(table: TableId) -> Vec<u8> {
    table.0.to_be_bytes().to_vec()
}

/// The first bytes of every key in `partition` of `table`. Prefix-free: no
/// key of another partition starts with them.
pub fn encode_partition_prefix(table: TableId, partition: &KeyValue) -> Vec<u8> {
    let mut out = Vec::with_capacity(TABLE_ID_BYTES + encoded_len_hint(partition));
    out.extend_from_slice(&table.0.to_be_bytes());
    encode_key_value_into(&mut out, partition);
    out
}

/// The encoded user key of `key` in `table`.
pub fn encode_key(table: TableId, key: &PrimaryKey) -> Vec<u8> {
    encode_key_split(table, key).0
}

/// [`encode_key`], and the length of its first part, the partition prefix
/// ([`encode_partition_prefix`]), which is what the shard router hashes.
pub fn encode_key_split(table: TableId, key: &PrimaryKey) -> (Vec<u8>, usize) {
    let sort_len = key.sort.as_ref().map_or(0, encoded_len_hint);
    let mut out = Vec::with_capacity(TABLE_ID_BYTES + encoded_len_hint(&key.partition) + sort_len);
    out.extend_from_slice(&table.0.to_be_bytes());
    encode_key_value_into(&mut out, &key.partition);
    let partition_prefix_len = out.len();
    if let Some(sort) = &key.sort {
        encode_key_value_into(&mut out, sort);
    }
    (out, partition_prefix_len)
}

/// Appends the component encoding of `value`: its tag, body and terminator.
/// `partition prefix ‖ component` is the key (or a bound) for that sort value.
pub fn encode_key_value_into(out: &mut Vec<u8>, value: &KeyValue) {
    match value {
        KeyValue::S(text) => {
            out.push(TAG_STRING);
            escape_into(out, text.as_bytes());
            out.extend_from_slice(&[0x00, BYTES_TERMINATOR]);
        }
        KeyValue::B(bytes) => {
            out.push(TAG_BINARY);
            escape_into(out, bytes);
            out.extend_from_slice(&[0x00, BYTES_TERMINATOR]);
        }
        KeyValue::N(number) => encode_number_into(out, number),
    }
}

/// The bytes every key of `partition` whose sort value begins with `prefix`
/// starts with (DynamoDB's `begins_with` on a string or binary sort key):
/// the partition prefix, the tag and the escaped prefix, unterminated. A
/// range scan from here to [`prefix_successor`] of it finds exactly those
/// keys. DynamoDB allows `begins_with` only on strings and binaries; for a
/// number `prefix` this returns the full component, which matches that
/// number alone.
pub fn encode_begins_with_prefix(
    table: TableId,
    partition: &KeyValue,
    prefix: &KeyValue,
) -> Vec<u8> {
    let mut out = encode_partition_prefix(table, partition);
    match prefix {
        KeyValue::S(text) => {
            out.push(TAG_STRING);
            escape_into(&mut out, text.as_bytes());
        }
        KeyValue::B(bytes) => {
            out.push(TAG_BINARY);
            escape_into(&mut out, bytes);
        }
        KeyValue::N(_) => encode_key_value_into(&mut out, prefix),
    }
    out
}

/// The smallest byte string greater than every string that starts with
/// `prefix` (an exclusive upper bound for a prefix scan), or `None` if there
/// is none (`prefix` is empty or all 0xFF).
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xFF)?;
    let mut out = prefix[..=last].to_vec();
    out[last] += 1;
    Some(out)
}

/// The length of the partition prefix ([`encode_partition_prefix`]) at the
/// start of the encoded user key `key`, found from the component's
/// encoding alone (no schema needed); `None` if `key` does not start with a
/// well-formed partition component. Parallel Scan uses it to find a key's
/// virtual partition without decoding the key.
pub fn partition_prefix_len(key: &[u8]) -> Option<usize> {
    let component = key.get(TABLE_ID_BYTES..)?;
    let body_len = match *component.first()? {
        TAG_STRING | TAG_BINARY => {
            // Escaped bodies hold 0x00 only as 0x00 0xFF; 0x00 0x01 ends them.
            let mut at = 1;
            loop {
                let zero = at + component.get(at..)?.iter().position(|&b| b == 0x00)?;
                match *component.get(zero + 1)? {
                    BYTES_TERMINATOR => break zero + 2,
                    ESCAPED_ZERO => at = zero + 2,
                    _ => return None,
                }
            }
        }
        TAG_NUMBER_ZERO => 1,
        tag @ (TAG_NUMBER_POSITIVE | TAG_NUMBER_NEGATIVE) => {
            // Tag, exponent byte (any value), digit bytes, terminator; the
            // digit bytes never equal the terminator.
            let terminator = if tag == TAG_NUMBER_NEGATIVE {
                NUMBER_TERMINATOR ^ 0xFF
            } else {
                NUMBER_TERMINATOR
            };
            let digits = component.get(2..)?;
            2 + digits.iter().position(|&b| b == terminator)? + 1
        }
        _ => return None,
    };
    Some(TABLE_ID_BYTES + body_len)
}

/// Decodes a user key of a table with `schema`.
///
/// # Errors
/// A [`DecodeError`] if the bytes are longer than [`ENCODED_KEY_BYTES_MAX`],
/// truncated, carry an unknown tag or a type other than the schema's, hold
/// an empty or oversized value, invalid UTF-8, a malformed or out-of-range
/// number, trailing bytes, or any non-canonical form (one that
/// [`encode_key`] would not produce).
pub fn decode_key(
    bytes: &[u8],
    schema: &TableSchema,
) -> Result<(TableId, PrimaryKey), DecodeError> {
    let mut decoder = Decoder::new(bytes);
    if bytes.len() > ENCODED_KEY_BYTES_MAX {
        return Err(decoder.error("key longer than the encoded key limit"));
    }
    let table_bytes = decoder.bytes(TABLE_ID_BYTES)?;
    let table = TableId(u32::from_be_bytes([
        table_bytes[0],
        table_bytes[1],
        table_bytes[2],
        table_bytes[3],
    ]));
    let partition = decode_component(
        &mut decoder,
        schema.partition_key.key_type,
        PARTITION_KEY_SIZE_BYTES_MAX,
    )?;
    let sort = match &schema.sort_key {
        Some(sort_key) => Some(decode_component(
            &mut decoder,
            sort_key.key_type,
            SORT_KEY_SIZE_BYTES_MAX,
        )?),
        None => None,
    };
    if !decoder.is_empty() {
        return Err(decoder.error("trailing bytes after the key"));
    }
    Ok((table, PrimaryKey { partition, sort }))
}

/// A capacity hint for one component (exact unless bytes need escaping).
fn encoded_len_hint(value: &KeyValue) -> usize {
    match value {
        KeyValue::S(text) => text.len() + 3,
        KeyValue::B(bytes) => bytes.len() + 3,
        KeyValue::N(_) => NUMBER_COMPONENT_BYTES_MAX,
    }
}

/// Appends `bytes` with every 0x00 written as `0x00 0xFF`.
fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    for chunk in bytes.split_inclusive(|&b| b == 0x00) {
        out.extend_from_slice(chunk);
        if chunk.last() == Some(&0x00) {
            out.push(ESCAPED_ZERO);
        }
    }
}

/// The base-100 digits of a non-zero number and its base-100 exponent `E`,
/// such that `|n| = 0.d1 d2 … dk × 100^E` with `d1 != 0` and `dk != 0`.
fn base100_digits(number: &Number) -> ([u8; NUMBER_DIGIT_COUNT_MAX], usize, i32) {
    debug_assert!(!number.is_zero());
    // Decimal digits, most significant first, with one zero appended if the
    // last digit sits at an odd power of ten and one prepended if the count
    // is then odd, so that they pair up on even powers of ten.
    let mut decimal = [0u8; 2 * NUMBER_DIGIT_COUNT_MAX];
    let text = number.mantissa().to_string();
    let odd_start =
        usize::from((text.len() + usize::from(number.exponent().rem_euclid(2) == 1)) % 2 == 1);
    for (slot, digit) in decimal[odd_start..].iter_mut().zip(text.bytes()) {
        *slot = digit - b'0';
    }
    let mut len = odd_start + text.len();
    let mut last_exponent = number.exponent();
    if last_exponent.rem_euclid(2) == 1 {
        len += 1; // The appended zero is already there.
        last_exponent -= 1;
    }
    let pair_count = len / 2;
    let mut digits = [0u8; NUMBER_DIGIT_COUNT_MAX];
    for (index, slot) in digits.iter_mut().take(pair_count).enumerate() {
        *slot = decimal[2 * index] * 10 + decimal[2 * index + 1];
    }
    (digits, pair_count, pair_count as i32 + last_exponent / 2)
}

fn encode_number_into(out: &mut Vec<u8>, number: &Number) {
    if number.is_zero() {
        out.push(TAG_NUMBER_ZERO);
        return;
    }
    let (digits, count, exponent) = base100_digits(number);
    // Negative numbers complement every byte after the tag, so a larger
    // magnitude sorts first.
    let mask = if number.is_negative() { 0xFF } else { 0x00 };
    out.push(if number.is_negative() {
        TAG_NUMBER_NEGATIVE
    } else {
        TAG_NUMBER_POSITIVE
    });
    out.push((exponent + NUMBER_EXPONENT_BIAS) as u8 ^ mask);
    out.extend(digits[..count].iter().map(|&d| (d + 1) ^ mask));
    out.push(NUMBER_TERMINATOR ^ mask);
}

/// Decodes one component, which must be of `key_type`, and checks it is
/// canonical by re-encoding it.
fn decode_component(
    decoder: &mut Decoder<'_>,
    key_type: KeyType,
    value_bytes_max: usize,
) -> Result<KeyValue, DecodeError> {
    let start = decoder.clone();
    let tag = decoder.u8()?;
    let value = match tag {
        TAG_STRING | TAG_BINARY => {
            let raw = unescape(decoder, value_bytes_max)?;
            if raw.is_empty() {
                return Err(start.error("empty key value"));
            }
            if tag == TAG_BINARY {
                KeyValue::B(raw)
            } else {
                KeyValue::S(
                    String::from_utf8(raw)
                        .map_err(|_| start.error("key string is not valid UTF-8"))?,
                )
            }
        }
        TAG_NUMBER_ZERO => KeyValue::N(Number::ZERO),
        TAG_NUMBER_NEGATIVE | TAG_NUMBER_POSITIVE => {
            KeyValue::N(decode_number_body(decoder, tag == TAG_NUMBER_NEGATIVE)?)
        }
        _ => return Err(start.error("unknown key component tag")),
    };
    if value.key_type() != key_type {
        return Err(start.error("key component type does not match the table schema"));
    }
    // Canonical form: the bytes read must be exactly what encoding writes.
    let consumed = start.remaining() - decoder.remaining();
    let mut start_for_bytes = start.clone();
    let read = start_for_bytes.bytes(consumed)?;
    let mut reencoded = Vec::with_capacity(consumed);
    encode_key_value_into(&mut reencoded, &value);
    if reencoded != read {
        return Err(start.error("non-canonical key component"));
    }
    Ok(value)
}

/// Reads an escaped body up to and including its `0x00 0x01` terminator.
fn unescape(decoder: &mut Decoder<'_>, value_bytes_max: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    loop {
        let byte = decoder.u8()?;
        if byte == 0x00 {
            match decoder.u8()? {
                BYTES_TERMINATOR => return Ok(out),
                ESCAPED_ZERO => out.push(0x00),
                _ => return Err(decoder.error("bad escape in key bytes")),
            }
        } else {
            out.push(byte);
        }
        if out.len() > value_bytes_max {
            return Err(decoder.error("key value longer than its limit"));
        }
    }
}

/// Reads a number body (after the sign tag): exponent byte, digits, terminator.
fn decode_number_body(decoder: &mut Decoder<'_>, negative: bool) -> Result<Number, DecodeError> {
    let mask = if negative { 0xFF } else { 0x00 };
    let exponent = i32::from(decoder.u8()? ^ mask) - NUMBER_EXPONENT_BIAS;
    // Decimal digits of the base-100 digits, most significant first.
    let mut decimal = [0u8; 2 * NUMBER_DIGIT_COUNT_MAX];
    let mut pair_count = 0;
    loop {
        let byte = decoder.u8()? ^ mask;
        if byte == NUMBER_TERMINATOR {
            break;
        }
        if !(1..=100).contains(&byte) {
            return Err(decoder.error("bad base-100 digit in key number"));
        }
        if pair_count == NUMBER_DIGIT_COUNT_MAX {
            return Err(decoder.error("too many digits in key number"));
        }
        let digit = byte - 1;
        decimal[2 * pair_count] = digit / 10;
        decimal[2 * pair_count + 1] = digit % 10;
        pair_count += 1;
    }
    let decimal = &decimal[..2 * pair_count];
    let Some(last_nonzero) = decimal.iter().rposition(|&d| d != 0) else {
        return Err(decoder.error("key number has no non-zero digit"));
    };
    let first_nonzero = decimal.iter().position(|&d| d != 0).unwrap_or(last_nonzero);
    let significant = &decimal[first_nonzero..=last_nonzero];
    if significant.len() > crate::limits::NUMBER_DIGITS_MAX {
        return Err(decoder.error("key number has more than 38 digits"));
    }
    let mantissa = significant
        .iter()
        .fold(0u128, |acc, &d| acc * 10 + u128::from(d));
    // |n| = (all pairs as one integer) × 100^(E - k); the last significant
    // digit sits (decimal.len() - 1 - last_nonzero) places above the end.
    let trailing_zero_count = (decimal.len() - 1 - last_nonzero) as i32;
    let last_exponent = 2 * (exponent - pair_count as i32) + trailing_zero_count;
    Number::from_parts(negative, mantissa, last_exponent)
        .map_err(|_| decoder.error("key number out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KeyAttribute;
    use crate::model::test_support::{
        arbitrary_key_value, arbitrary_number, arbitrary_primary_key, arbitrary_table_id,
    };
    use crate::testing::{golden_hex, hex};
    use proptest::prelude::*;

    fn schema_for(key: &PrimaryKey) -> TableSchema {
        TableSchema {
            partition_key: KeyAttribute::new("p", key.partition.key_type()),
            sort_key: key
                .sort
                .as_ref()
                .map(|s| KeyAttribute::new("s", s.key_type())),
        }
    }

    /// `value`, made non-empty if it was an empty string or binary (which
    /// validation rejects and the decoder refuses).
    fn storable(value: KeyValue) -> KeyValue {
        match value {
            KeyValue::S(text) if text.is_empty() => KeyValue::S("\0".into()),
            KeyValue::B(bytes) if bytes.is_empty() => KeyValue::B(vec![0xFF]),
            other => other,
        }
    }

    fn n(text: &str) -> KeyValue {
        KeyValue::N(text.parse().unwrap())
    }

    fn number_component(text: &str) -> String {
        let mut out = Vec::new();
        encode_key_value_into(&mut out, &n(text));
        hex(&out)
    }

    #[test]
    fn number_components_match_the_documented_layout() {
        assert_eq!(number_component("0"), "21");
        assert_eq!(number_component("1"), "22 81 02 00");
        assert_eq!(number_component("-1"), "20 7e fd ff");
        assert_eq!(number_component("12.5"), "22 81 0d 33 00");
        assert_eq!(number_component("-12.5"), "20 7e f2 cc ff");
        assert_eq!(number_component("100"), "22 82 02 00");
        assert_eq!(number_component("0.01"), "22 80 02 00");
        assert_eq!(number_component("1E-130"), "22 40 02 00");
        assert_eq!(number_component("1E125"), "22 bf 0b 00");
        let largest = number_component("9.9999999999999999999999999999999999999E125");
        assert_eq!(
            largest,
            hex(&[&[0x22, 0xbf][..], &[0x64; 19], &[0x00]].concat())
        );
        // 20 base-100 digits: a 38-digit mantissa misaligned on both ends.
        let widest = number_component("1.2345678901234567890123456789012345678");
        assert_eq!(
            widest.split_whitespace().count(),
            1 + 1 + NUMBER_DIGIT_COUNT_MAX + 1
        );
    }

    #[test]
    fn bytes_are_escaped_and_terminated() {
        let mut out = Vec::new();
        encode_key_value_into(&mut out, &KeyValue::B(vec![0x00, 0xFF, 0x01]));
        assert_eq!(hex(&out), "30 00 ff ff 01 00 01");
        out.clear();
        encode_key_value_into(&mut out, &KeyValue::S(String::new()));
        assert_eq!(hex(&out), "10 00 01");
    }

    #[test]
    fn partition_prefix_never_matches_another_partition() {
        let table = TableId(1);
        let a = encode_partition_prefix(table, &KeyValue::S("a".into()));
        let key = |p: &str| {
            encode_key(
                table,
                &PrimaryKey {
                    partition: KeyValue::S(p.into()),
                    sort: Some(KeyValue::S("x".into())),
                },
            )
        };
        assert!(key("a").starts_with(&a));
        assert!(!key("ab").starts_with(&a));
        assert!(!key("a\0").starts_with(&a));
    }

    #[test]
    fn begins_with_prefix_matches_exactly_the_sort_keys_with_that_prefix() {
        let table = TableId(9);
        let partition = KeyValue::S("p".into());
        for (prefix, sort, expected) in [
            ("ab", "abc", true),
            ("ab", "ab", true),
            ("ab", "a", false),
            ("ab", "b", false),
            ("a\0", "a\0b", true),
            ("a\0", "a", false),
            ("a", "a\0", true),
        ] {
            let bytes = encode_begins_with_prefix(table, &partition, &KeyValue::S(prefix.into()));
            let key = encode_key(
                table,
                &PrimaryKey {
                    partition: partition.clone(),
                    sort: Some(KeyValue::S(sort.into())),
                },
            );
            assert_eq!(key.starts_with(&bytes), expected, "{prefix:?} vs {sort:?}");
            let end = prefix_successor(&bytes).unwrap();
            assert_eq!(bytes.as_slice() <= key.as_slice() && key < end, expected);
        }
    }

    #[test]
    fn prefix_successor_skips_trailing_ff() {
        assert_eq!(prefix_successor(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_successor(&[1, 0xFF, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_successor(&[0xFF]), None);
        assert_eq!(prefix_successor(&[]), None);
    }

    #[test]
    fn decode_key_rejects_bad_input() {
        let schema = TableSchema::with_sort_key(
            KeyAttribute::new("p", KeyType::S),
            KeyAttribute::new("s", KeyType::N),
        );
        let good = encode_key(
            TableId(3),
            &PrimaryKey {
                partition: KeyValue::S("a".into()),
                sort: Some(n("1")),
            },
        );
        assert!(decode_key(&good, &schema).is_ok());
        let with = |edit: &dyn Fn(&mut Vec<u8>)| {
            let mut bytes = good.clone();
            edit(&mut bytes);
            decode_key(&bytes, &schema)
        };
        assert!(with(&|b| b.truncate(b.len() - 1)).is_err()); // truncated
        assert!(with(&|b| b.push(0)).is_err()); // trailing byte
        assert!(with(&|b| b[4] = 0x11).is_err()); // unknown tag
        assert!(with(&|b| b[4] = TAG_BINARY).is_err()); // wrong type
        assert!(with(&|b| b[7] = 0x07).is_err()); // bad escape
        assert!(with(&|b| b[5] = 0xC3).is_err()); // invalid UTF-8
        assert!(with(&|b| b[10] = 0x65).is_err()); // digit over 100
        assert!(with(&|b| b.insert(10, 0x01)).is_err()); // leading zero digit pair
        assert!(with(&|b| b.insert(11, 0x01)).is_err()); // trailing zero digit pair
        assert!(with(&|b| b[9] = 0x20).is_err()); // exponent out of range
        assert!(with(&|b| b.splice(5..7, [0x00, 0x01]).for_each(drop)).is_err()); // empty string
        let oversized = vec![0x61; ENCODED_KEY_BYTES_MAX + 1];
        assert!(decode_key(&oversized, &schema).is_err());
        let long_sort = TableSchema::with_sort_key(
            KeyAttribute::new("p", KeyType::S),
            KeyAttribute::new("s", KeyType::B),
        );
        let too_long = encode_key(
            TableId(3),
            &PrimaryKey {
                partition: KeyValue::S("a".into()),
                sort: Some(KeyValue::B(vec![1; SORT_KEY_SIZE_BYTES_MAX + 1])),
            },
        );
        assert!(decode_key(&too_long, &long_sort).is_err());
    }

    const KEYS_DOC: &str = include_str!("../../../docs/format/keys.md");

    /// The bytes of the first example of `docs/format/keys.md`, copied.
    const EXAMPLE_1: [u8; 17] = [
        0x00, 0x00, 0x00, 0x07, 0x10, 0x61, 0x6c, 0x69, 0x63, 0x65, 0x00, 0x01, 0x20, 0x7e, 0xf2,
        0xcc, 0xff,
    ];

    /// The bytes of the second example of `docs/format/keys.md`, copied.
    const EXAMPLE_2: [u8; 16] = [
        0x00, 0x00, 0x01, 0x02, 0x30, 0x00, 0xff, 0xff, 0x00, 0x01, 0x22, 0x82, 0x0d, 0x23, 0x33,
        0x00,
    ];

    #[test]
    fn golden_key_examples_match_the_format_doc() {
        let example_1 = PrimaryKey {
            partition: KeyValue::S("alice".into()),
            sort: Some(n("-12.5")),
        };
        let encoded = encode_key(TableId(7), &example_1);
        let expected_1 = hex(&EXAMPLE_1);
        assert_eq!(hex(&encoded), expected_1);
        assert_eq!(hex(&golden_hex(KEYS_DOC, "key-example-1")), expected_1);

        let example_2 = PrimaryKey {
            partition: KeyValue::B(vec![0x00, 0xFF]),
            sort: Some(n("1234.5")),
        };
        let encoded = encode_key(TableId(258), &example_2);
        let expected_2 = hex(&EXAMPLE_2);
        assert_eq!(hex(&encoded), expected_2);
        assert_eq!(hex(&golden_hex(KEYS_DOC, "key-example-2")), expected_2);
    }

    proptest! {
        #[test]
        fn partition_prefix_len_finds_the_prefix_without_the_schema(
            table in arbitrary_table_id(), key in arbitrary_primary_key(),
        ) {
            let (encoded, prefix_len) = encode_key_split(table, &key);
            prop_assert_eq!(partition_prefix_len(&encoded), Some(prefix_len));
            // Truncated keys never panic and never claim a longer prefix.
            for cut in 0..encoded.len() {
                if let Some(len) = partition_prefix_len(&encoded[..cut]) {
                    prop_assert!(len <= cut);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn key_encoding_order_matches_key_order(
            table_a in arbitrary_table_id(), a in arbitrary_primary_key(),
            table_b in arbitrary_table_id(), b in arbitrary_primary_key(),
        ) {
            let encoded_a = encode_key(table_a, &a);
            let encoded_b = encode_key(table_b, &b);
            prop_assert_eq!(encoded_a.cmp(&encoded_b), (table_a, &a).cmp(&(table_b, &b)));
        }

        #[test]
        fn number_component_order_matches_numeric_order(a in arbitrary_number(), b in arbitrary_number()) {
            let (mut encoded_a, mut encoded_b) = (Vec::new(), Vec::new());
            encode_key_value_into(&mut encoded_a, &KeyValue::N(a));
            encode_key_value_into(&mut encoded_b, &KeyValue::N(b));
            prop_assert_eq!(encoded_a.cmp(&encoded_b), a.cmp(&b));
            prop_assert!(encoded_a.len() <= NUMBER_COMPONENT_BYTES_MAX);
        }

        #[test]
        fn components_are_prefix_free(a in arbitrary_key_value(), b in arbitrary_key_value()) {
            let (mut encoded_a, mut encoded_b) = (Vec::new(), Vec::new());
            encode_key_value_into(&mut encoded_a, &a);
            encode_key_value_into(&mut encoded_b, &b);
            if a != b {
                prop_assert!(!encoded_b.starts_with(&encoded_a));
            } else {
                prop_assert_eq!(encoded_a, encoded_b);
            }
        }

        #[test]
        fn key_encoding_round_trips(table in arbitrary_table_id(), key in arbitrary_primary_key()) {
            let key = PrimaryKey {
                partition: storable(key.partition),
                sort: key.sort.map(storable),
            };
            let encoded = encode_key(table, &key);
            prop_assert_eq!(decode_key(&encoded, &schema_for(&key)), Ok((table, key.clone())));
            prop_assert!(encoded.starts_with(&encode_partition_prefix(table, &key.partition)));
            prop_assert!(encoded.starts_with(&encode_table_prefix(table)));
        }

        #[test]
        fn decode_key_never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..64), sort in any::<bool>(), types in (1u8..=3, 1u8..=3)) {
            let key_type = |tag| KeyType::from_u8(tag).unwrap_or(KeyType::S);
            let schema = TableSchema {
                partition_key: KeyAttribute::new("p", key_type(types.0)),
                sort_key: sort.then(|| KeyAttribute::new("s", key_type(types.1))),
            };
            let _ = decode_key(&bytes, &schema);
        }

        #[test]
        fn decode_key_never_panics_on_mutated_keys(
            table in arbitrary_table_id(),
            key in arbitrary_primary_key(),
            position in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            mutation in 0u8..3,
        ) {
            let mut encoded = encode_key(table, &key);
            let index = position.index(encoded.len());
            match mutation {
                0 => encoded[index] = byte,
                1 => encoded.truncate(index),
                _ => encoded.insert(index, byte),
            }
            if let Ok((decoded_table, decoded)) = decode_key(&encoded, &schema_for(&key)) {
                // Whatever decodes is canonical: it re-encodes to the same bytes.
                prop_assert_eq!(&encode_key(decoded_table, &decoded), &encoded);
            }
        }
    }
}
