//! The compact item encoding: how an item is stored as an LSM value.
//!
//! `version (1 byte) ‖ attribute count (varint) ‖ attributes`, each attribute
//! being `name length (varint) ‖ UTF-8 name ‖ value`, and each value a
//! `#[repr(u8)]` [`ValueTag`] followed by its payload. Varints are unsigned
//! LEB128 (`coding::put_varint`). Layout, tags and a worked hex example:
//! `docs/format/item.md`.
//!
//! The encoding is canonical: attributes, map entries and set members are
//! written in their `BTree` order, numbers in normalized form, so equal items
//! encode to equal bytes. [`decode_item`] accepts only canonical input and
//! never panics or allocates more than the input can justify: every count
//! and length is checked against the bytes that remain, nesting against
//! [`NESTING_DEPTH_MAX`], and the whole input against
//! [`ENCODED_VALUE_BYTES_MAX`]. Pure code.

use std::collections::{BTreeMap, BTreeSet};

use crate::coding::{DecodeError, Decoder, put_length_prefixed, put_varint, varint_len};
use crate::limits::{
    ATTRIBUTE_NAME_BYTES_MAX, ENCODED_VALUE_BYTES_MAX, ITEM_SIZE_BYTES_MAX, NESTING_DEPTH_MAX,
};
use crate::model::number::MANTISSA_LIMIT;
use crate::model::{AttributeValue, Item, Number};

/// The item format version written by [`encode_item`] (first byte).
pub const FORMAT_VERSION: u8 = 1;

/// The most bytes a mantissa's LEB128 varint takes: 10^38 < 2^127, and
/// 19 × 7 = 133 bits.
const MANTISSA_VARINT_BYTES_MAX: usize = 19;
const _: () = assert!(MANTISSA_LIMIT <= 1 << 127 && 7 * MANTISSA_VARINT_BYTES_MAX >= 127);

/// The most list elements reserved before they are decoded; longer lists
/// grow as their elements arrive.
const PREALLOCATED_ELEMENT_COUNT_MAX: usize = 64;

/// The type tag in front of every encoded value. Values are on disk: never
/// change or reuse one; add new types with new numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ValueTag {
    /// `S`: varint length, UTF-8 bytes.
    S = 0x01,
    /// `N`: varint `zigzag(exponent) << 1 | negative`, then the mantissa as
    /// an unsigned LEB128 varint of up to 19 bytes.
    N = 0x02,
    /// `B`: varint length, bytes.
    B = 0x03,
    /// `BOOL`: one byte, 0 or 1.
    Bool = 0x04,
    /// `NULL`: no payload.
    Null = 0x05,
    /// `L`: varint count, that many values.
    L = 0x06,
    /// `M`: varint count, that many (name, value) pairs, names ascending.
    M = 0x07,
    /// `SS`: varint count (≥ 1), that many length-prefixed strings, ascending.
    Ss = 0x08,
    /// `NS`: varint count (≥ 1), that many number payloads, ascending.
    Ns = 0x09,
    /// `BS`: varint count (≥ 1), that many length-prefixed binaries, ascending.
    Bs = 0x0A,
}

impl ValueTag {
    /// Decodes a stored tag; `None` for an unknown one.
    pub fn from_u8(tag: u8) -> Option<ValueTag> {
        Some(match tag {
            0x01 => ValueTag::S,
            0x02 => ValueTag::N,
            0x03 => ValueTag::B,
            0x04 => ValueTag::Bool,
            0x05 => ValueTag::Null,
            0x06 => ValueTag::L,
            0x07 => ValueTag::M,
            0x08 => ValueTag::Ss,
            0x09 => ValueTag::Ns,
            0x0A => ValueTag::Bs,
            _ => return None,
        })
    }
}

/// Encodes `item` (which should have passed `model::validate_item`; the
/// encoding itself accepts any item).
pub fn encode_item(item: &Item) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    encode_item_into(&mut out, item);
    out
}

/// Appends the encoding of `item` to `out`.
pub fn encode_item_into(out: &mut Vec<u8>, item: &Item) {
    out.push(FORMAT_VERSION);
    put_varint(out, item.len() as u64);
    for (name, value) in item {
        put_length_prefixed(out, name.as_bytes());
        encode_value(out, value);
    }
}

fn encode_value(out: &mut Vec<u8>, value: &AttributeValue) {
    match value {
        AttributeValue::S(text) => {
            out.push(ValueTag::S as u8);
            put_length_prefixed(out, text.as_bytes());
        }
        AttributeValue::N(number) => {
            out.push(ValueTag::N as u8);
            encode_number(out, number);
        }
        AttributeValue::B(bytes) => {
            out.push(ValueTag::B as u8);
            put_length_prefixed(out, bytes);
        }
        AttributeValue::Bool(flag) => {
            out.push(ValueTag::Bool as u8);
            out.push(u8::from(*flag));
        }
        AttributeValue::Null => out.push(ValueTag::Null as u8),
        AttributeValue::L(list) => {
            out.push(ValueTag::L as u8);
            put_varint(out, list.len() as u64);
            for element in list {
                encode_value(out, element);
            }
        }
        AttributeValue::M(map) => {
            out.push(ValueTag::M as u8);
            put_varint(out, map.len() as u64);
            for (name, element) in map {
                put_length_prefixed(out, name.as_bytes());
                encode_value(out, element);
            }
        }
        AttributeValue::Ss(set) => {
            out.push(ValueTag::Ss as u8);
            put_varint(out, set.len() as u64);
            for member in set {
                put_length_prefixed(out, member.as_bytes());
            }
        }
        AttributeValue::Ns(set) => {
            out.push(ValueTag::Ns as u8);
            put_varint(out, set.len() as u64);
            for member in set {
                encode_number(out, member);
            }
        }
        AttributeValue::Bs(set) => {
            out.push(ValueTag::Bs as u8);
            put_varint(out, set.len() as u64);
            for member in set {
                put_length_prefixed(out, member);
            }
        }
    }
}

/// `zigzag(exponent) << 1 | negative` as a varint, then the mantissa.
fn encode_number(out: &mut Vec<u8>, number: &Number) {
    let exponent = i64::from(number.exponent());
    let zigzag = ((exponent << 1) ^ (exponent >> 63)) as u64;
    put_varint(out, (zigzag << 1) | u64::from(number.is_negative()));
    let mut mantissa = number.mantissa();
    while mantissa >= 0x80 {
        out.push((mantissa as u8) | 0x80);
        mantissa >>= 7;
    }
    out.push(mantissa as u8);
}

/// Decodes an item written by [`encode_item`].
///
/// # Errors
/// A [`DecodeError`] for input over [`ENCODED_VALUE_BYTES_MAX`], an unknown
/// version or tag, truncation, trailing bytes, invalid UTF-8, empty
/// attribute names, names or values over their limits, counts larger than
/// the remaining input, duplicate or unsorted names or set members, empty
/// sets, a BOOL byte other than 0 or 1, a malformed, non-normalized or
/// out-of-range number, or lists and maps nested deeper than
/// [`NESTING_DEPTH_MAX`].
pub fn decode_item(bytes: &[u8]) -> Result<Item, DecodeError> {
    let mut decoder = Decoder::new(bytes);
    if bytes.len() > ENCODED_VALUE_BYTES_MAX {
        return Err(decoder.error("encoded item longer than the value limit"));
    }
    let version = decoder.u8()?;
    if version != FORMAT_VERSION {
        return Err(at(0, "unsupported item format version"));
    }
    // Every attribute takes at least two bytes (name length and tag).
    let count_max = decoder.remaining() / 2;
    let count = read_count(&mut decoder, count_max)?;
    let mut item = Item::new();
    for _ in 0..count {
        let name_start = decoder.position();
        let name = decode_name(&mut decoder)?;
        if name.is_empty() {
            return Err(at(name_start, "empty attribute name"));
        }
        let value = decode_value(&mut decoder, 0)?;
        insert_ascending(&mut item, name, value, name_start)?;
    }
    if !decoder.is_empty() {
        return Err(decoder.error("trailing bytes after the item"));
    }
    Ok(item)
}

/// The size DynamoDB charges for the item `bytes` encodes
/// ([`crate::model::item_size_bytes`] of [`decode_item`]'s result), walked
/// from the encoding without building the item: range reads use it to cut
/// pages at 1 MB and decode only the items a page returns. It checks the
/// structure as far as sizes need (bounds, tags, nesting, number headers)
/// but not canonical form; [`decode_item`] still checks the items it
/// decodes.
///
/// # Errors
/// A [`DecodeError`] for truncated or malformed input.
pub fn encoded_item_size_bytes(bytes: &[u8]) -> Result<usize, DecodeError> {
    let mut decoder = Decoder::new(bytes);
    if bytes.len() > ENCODED_VALUE_BYTES_MAX {
        return Err(decoder.error("encoded item longer than the value limit"));
    }
    if decoder.u8()? != FORMAT_VERSION {
        return Err(at(0, "unsupported item format version"));
    }
    // Every attribute takes at least two bytes (name length and tag).
    let count_max = decoder.remaining() / 2;
    let count = read_count(&mut decoder, count_max)?;
    let mut size = 0usize;
    for _ in 0..count {
        size += read_length_prefixed(&mut decoder, ATTRIBUTE_NAME_BYTES_MAX)?.len();
        size += encoded_value_size_bytes(&mut decoder, 0)?;
    }
    if !decoder.is_empty() {
        return Err(decoder.error("trailing bytes after the item"));
    }
    Ok(size)
}

/// The DynamoDB size of one encoded value nested inside `depth` lists or
/// maps (the rules of `model::size::value_size_bytes`).
fn encoded_value_size_bytes(decoder: &mut Decoder<'_>, depth: usize) -> Result<usize, DecodeError> {
    /// Overhead of a list or map, and of each of its elements.
    const CONTAINER_OVERHEAD_BYTES: usize = 3;
    const ELEMENT_OVERHEAD_BYTES: usize = 1;
    let tag_offset = decoder.position();
    let tag =
        ValueTag::from_u8(decoder.u8()?).ok_or_else(|| at(tag_offset, "unknown value tag"))?;
    let number_size = |decoder: &mut Decoder<'_>| {
        decode_number(decoder).map(|number| crate::model::number_size_bytes(&number))
    };
    let bytes_size =
        |decoder: &mut Decoder<'_>| Ok(read_length_prefixed(decoder, ITEM_SIZE_BYTES_MAX)?.len());
    let set_size =
        |decoder: &mut Decoder<'_>,
         member: &dyn Fn(&mut Decoder<'_>) -> Result<usize, DecodeError>| {
            let count = read_count(decoder, decoder.remaining())?;
            (0..count).try_fold(0usize, |total, _| Ok(total + member(decoder)?))
        };
    Ok(match tag {
        ValueTag::S | ValueTag::B => bytes_size(decoder)?,
        ValueTag::N => number_size(decoder)?,
        ValueTag::Bool => {
            decoder.u8()?;
            1
        }
        ValueTag::Null => 1,
        ValueTag::L | ValueTag::M => {
            if depth + 1 > NESTING_DEPTH_MAX {
                return Err(at(tag_offset, "lists and maps nested too deeply"));
            }
            let count = read_count(decoder, decoder.remaining())?;
            let mut size = CONTAINER_OVERHEAD_BYTES;
            for _ in 0..count {
                if tag == ValueTag::M {
                    size += read_length_prefixed(decoder, ATTRIBUTE_NAME_BYTES_MAX)?.len();
                }
                size += ELEMENT_OVERHEAD_BYTES + encoded_value_size_bytes(decoder, depth + 1)?;
            }
            size
        }
        ValueTag::Ss | ValueTag::Bs => set_size(decoder, &bytes_size)?,
        ValueTag::Ns => set_size(decoder, &number_size)?,
    })
}

/// A varint in its shortest form: an overlong one (such as `80 00` for 0)
/// would let two byte strings decode to the same item.
fn read_varint(decoder: &mut Decoder<'_>) -> Result<u64, DecodeError> {
    let start = decoder.position();
    let value = decoder.varint()?;
    if decoder.position() - start != varint_len(value) {
        return Err(at(start, "varint not in its shortest form"));
    }
    Ok(value)
}

/// A count or length of at most `max`, as a canonical varint.
fn read_count(decoder: &mut Decoder<'_>, max: usize) -> Result<usize, DecodeError> {
    let start = decoder.position();
    let value = read_varint(decoder)?;
    if value > max as u64 {
        return Err(at(
            start,
            "count or length exceeds its limit or the remaining input",
        ));
    }
    Ok(value as usize)
}

/// A canonical varint length of at most `max`, then that many bytes.
fn read_length_prefixed<'a>(
    decoder: &mut Decoder<'a>,
    max: usize,
) -> Result<&'a [u8], DecodeError> {
    let len = read_count(decoder, max)?;
    decoder.bytes(len)
}

/// A [`DecodeError`] at an earlier `offset`.
fn at(offset: usize, reason: &'static str) -> DecodeError {
    DecodeError { offset, reason }
}

/// Inserts a map entry whose name must sort after every name already present.
fn insert_ascending(
    map: &mut BTreeMap<String, AttributeValue>,
    name: String,
    value: AttributeValue,
    offset: usize,
) -> Result<(), DecodeError> {
    if map.last_key_value().is_some_and(|(last, _)| *last >= name) {
        return Err(at(offset, "attribute names duplicated or not ascending"));
    }
    map.insert(name, value);
    Ok(())
}

fn decode_name(decoder: &mut Decoder<'_>) -> Result<String, DecodeError> {
    decode_string(decoder, ATTRIBUTE_NAME_BYTES_MAX)
}

fn decode_string(decoder: &mut Decoder<'_>, len_max: usize) -> Result<String, DecodeError> {
    let start = decoder.position();
    let bytes = read_length_prefixed(decoder, len_max)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| at(start, "string is not valid UTF-8"))
}

/// Decodes one value nested inside `depth` lists or maps.
fn decode_value(decoder: &mut Decoder<'_>, depth: usize) -> Result<AttributeValue, DecodeError> {
    let tag_offset = decoder.position();
    let tag =
        ValueTag::from_u8(decoder.u8()?).ok_or_else(|| at(tag_offset, "unknown value tag"))?;
    let value = match tag {
        ValueTag::S => AttributeValue::S(decode_string(decoder, ITEM_SIZE_BYTES_MAX)?),
        ValueTag::N => AttributeValue::N(decode_number(decoder)?),
        ValueTag::B => {
            AttributeValue::B(read_length_prefixed(decoder, ITEM_SIZE_BYTES_MAX)?.to_vec())
        }
        ValueTag::Bool => match decoder.u8()? {
            0 => AttributeValue::Bool(false),
            1 => AttributeValue::Bool(true),
            _ => return Err(at(tag_offset + 1, "BOOL byte is not 0 or 1")),
        },
        ValueTag::Null => AttributeValue::Null,
        ValueTag::L | ValueTag::M => {
            if depth + 1 > NESTING_DEPTH_MAX {
                return Err(at(tag_offset, "lists and maps nested too deeply"));
            }
            if tag == ValueTag::L {
                // Every element takes at least one byte (its tag). The
                // preallocation is capped as well: a chain of nested lists
                // each claiming the whole input would otherwise reserve many
                // times the input's size before any element is read.
                let count = read_count(decoder, decoder.remaining())?;
                let mut list = Vec::with_capacity(count.min(PREALLOCATED_ELEMENT_COUNT_MAX));
                for _ in 0..count {
                    list.push(decode_value(decoder, depth + 1)?);
                }
                AttributeValue::L(list)
            } else {
                // Every entry takes at least two bytes (name length and tag).
                let count = read_count(decoder, decoder.remaining() / 2)?;
                let mut map = BTreeMap::new();
                for _ in 0..count {
                    let name_start = decoder.position();
                    let name = decode_name(decoder)?;
                    let value = decode_value(decoder, depth + 1)?;
                    insert_ascending(&mut map, name, value, name_start)?;
                }
                AttributeValue::M(map)
            }
        }
        ValueTag::Ss => AttributeValue::Ss(decode_set(decoder, |d| {
            decode_string(d, ITEM_SIZE_BYTES_MAX)
        })?),
        ValueTag::Ns => AttributeValue::Ns(decode_set(decoder, decode_number)?),
        ValueTag::Bs => AttributeValue::Bs(decode_set(decoder, |d| {
            Ok(read_length_prefixed(d, ITEM_SIZE_BYTES_MAX)?.to_vec())
        })?),
    };
    Ok(value)
}

/// Decodes a set: a non-zero count, then strictly ascending members.
fn decode_set<T: Ord>(
    decoder: &mut Decoder<'_>,
    mut decode_member: impl FnMut(&mut Decoder<'_>) -> Result<T, DecodeError>,
) -> Result<BTreeSet<T>, DecodeError> {
    let count_offset = decoder.position();
    // Every member takes at least one byte.
    let count = read_count(decoder, decoder.remaining())?;
    if count == 0 {
        return Err(at(count_offset, "empty set"));
    }
    let mut set = BTreeSet::new();
    for _ in 0..count {
        let member_offset = decoder.position();
        let member = decode_member(decoder)?;
        if set.last().is_some_and(|last| *last >= member) {
            return Err(at(member_offset, "set members duplicated or not ascending"));
        }
        set.insert(member);
    }
    Ok(set)
}

fn decode_number(decoder: &mut Decoder<'_>) -> Result<Number, DecodeError> {
    let start = decoder.position();
    let header = read_varint(decoder)?;
    let negative = header & 1 == 1;
    let zigzag = header >> 1;
    let exponent = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
    let mantissa = decode_mantissa(decoder)?;
    let exponent =
        i32::try_from(exponent).map_err(|_| at(start, "number exponent out of range"))?;
    let number = Number::from_parts(negative, mantissa, exponent)
        .map_err(|_| at(start, "number out of range or too many digits"))?;
    // Canonical form only: what encoding would have written.
    if number.mantissa() != mantissa
        || number.exponent() != exponent
        || number.is_negative() != negative
    {
        return Err(at(start, "number not normalized"));
    }
    Ok(number)
}

/// An unsigned LEB128 mantissa below 10^38, without redundant zero bytes.
fn decode_mantissa(decoder: &mut Decoder<'_>) -> Result<u128, DecodeError> {
    let start = decoder.position();
    let mut value: u128 = 0;
    for index in 0..MANTISSA_VARINT_BYTES_MAX {
        let byte = decoder.u8()?;
        let bits = u128::from(byte & 0x7F);
        let shift = 7 * index as u32;
        // Bits that would land above 2^128 make the value far too large.
        if shift >= 128 || (bits << shift) >> shift != bits {
            return Err(at(start, "number mantissa too large"));
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            if byte == 0 && index > 0 {
                return Err(at(start, "number mantissa has a redundant zero byte"));
            }
            if value >= MANTISSA_LIMIT {
                return Err(at(start, "number mantissa has more than 38 digits"));
            }
            return Ok(value);
        }
    }
    Err(at(start, "number mantissa varint too long"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::arbitrary_item;
    use crate::testing::{golden_hex, hex};
    use proptest::prelude::*;

    fn number(text: &str) -> Number {
        text.parse().unwrap()
    }

    /// The worked example of `docs/format/item.md`.
    fn example_item() -> Item {
        Item::from([
            ("age".to_string(), AttributeValue::N(number("-12.5"))),
            ("id".to_string(), AttributeValue::S("u1".into())),
            (
                "l".to_string(),
                AttributeValue::L(vec![AttributeValue::Null, AttributeValue::Bool(true)]),
            ),
            (
                "m".to_string(),
                AttributeValue::M(BTreeMap::from([(
                    "b".to_string(),
                    AttributeValue::B(vec![0xFF]),
                )])),
            ),
            (
                "ns".to_string(),
                AttributeValue::Ns(BTreeSet::from([number("0"), number("300")])),
            ),
            (
                "ss".to_string(),
                AttributeValue::Ss(BTreeSet::from(["a".to_string(), "b".to_string()])),
            ),
        ])
    }

    /// The bytes of the worked example of `docs/format/item.md`, copied.
    #[rustfmt::skip]
    const EXAMPLE_BYTES: [u8; 50] = [
        0x01, 0x06,
        0x03, 0x61, 0x67, 0x65, 0x02, 0x03, 0x7d,
        0x02, 0x69, 0x64, 0x01, 0x02, 0x75, 0x31,
        0x01, 0x6c, 0x06, 0x02, 0x05, 0x04, 0x01,
        0x01, 0x6d, 0x07, 0x01, 0x01, 0x62, 0x03, 0x01, 0xff,
        0x02, 0x6e, 0x73, 0x09, 0x02, 0x00, 0x00, 0x08, 0x03,
        0x02, 0x73, 0x73, 0x08, 0x02, 0x01, 0x61, 0x01, 0x62,
    ];

    const ITEM_DOC: &str = include_str!("../../../docs/format/item.md");

    #[test]
    fn golden_item_example_matches_the_format_doc() {
        let encoded = encode_item(&example_item());
        assert_eq!(hex(&encoded), hex(&EXAMPLE_BYTES));
        let from_doc = golden_hex(ITEM_DOC, "item-example");
        assert_eq!(hex(&from_doc), hex(&EXAMPLE_BYTES));
        assert_eq!(decode_item(&from_doc).unwrap(), example_item());
    }

    #[test]
    fn numbers_encode_compactly() {
        let encode = |text: &str| {
            let mut out = Vec::new();
            encode_number(&mut out, &number(text));
            hex(&out)
        };
        assert_eq!(encode("0"), "00 00");
        assert_eq!(encode("1"), "00 01");
        assert_eq!(encode("-1"), "01 01");
        assert_eq!(encode("1.5"), "02 0f");
        assert_eq!(encode("300"), "08 03");
        let widest = encode("-9.9999999999999999999999999999999999999E125");
        assert_eq!(
            widest.split_whitespace().count(),
            2 + MANTISSA_VARINT_BYTES_MAX
        );
    }

    #[test]
    fn decode_item_rejects_malformed_input() {
        let reject = |bytes: &[u8]| assert!(decode_item(bytes).is_err(), "accepted {}", hex(bytes));
        reject(&[]);
        reject(&[0x02, 0x00]); // unknown version
        reject(&[0x01, 0x00, 0x00]); // trailing byte
        reject(&[0x01, 0x01, 0x01, b'a', 0x0B]); // unknown tag
        reject(&[0x01, 0x01, 0x00, 0x05]); // empty name
        reject(&[0x01, 0x01, 0x01, 0xC3, 0x05]); // name not UTF-8
        reject(&[0x01, 0x01, 0x01, b'a', 0x01, 0x01, 0xFF]); // S not UTF-8
        reject(&[0x01, 0x02, 0x01, b'a', 0x05, 0x01, b'a', 0x05]); // duplicate names
        reject(&[0x01, 0x02, 0x01, b'b', 0x05, 0x01, b'a', 0x05]); // unsorted names
        reject(&[0x01, 0x01, 0x01, b'a', 0x04, 0x02]); // BOOL byte 2
        reject(&[0x01, 0x01, 0x01, b'a', 0x08, 0x00]); // empty SS
        reject(&[0x01, 0x01, 0x01, b'a', 0x08, 0x02, 0x01, b'b', 0x01, b'a']); // unsorted SS
        reject(&[0x01, 0x01, 0x01, b'a', 0x0A, 0x02, 0x01, 0x00, 0x01, 0x00]); // duplicate BS
        reject(&[0x01, 0x01, 0x01, b'a', 0x09, 0x02, 0x00, 0x02, 0x00, 0x01]); // unsorted NS (2 > 1)
        reject(&[0x01, 0x01, 0x01, b'a', 0x07, 0x02, 0x00, 0x05, 0x00, 0x05]); // duplicate M key
        reject(&[0x01, 0x01, 0x01, b'a', 0x02, 0x00, 0x0A]); // mantissa 10: not normalized
        reject(&[0x01, 0x01, 0x01, b'a', 0x02, 0x01, 0x00]); // negative zero
        reject(&[0x01, 0x01, 0x01, b'a', 0x02, 0x02, 0x00]); // zero with an exponent
        reject(&[0x01, 0x01, 0x01, b'a', 0x02, 0x00, 0x81, 0x00]); // redundant mantissa byte
        reject(&[0x01, 0x01, 0x01, b'a', 0x02, 0x80, 0x04, 0x01]); // 1E128: overflow
        reject(&[0x01, 0x01, 0x01, b'a', 0x01, 0xFF, 0xFF, 0xFF, 0x0F]); // length beyond input
        reject(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]); // count beyond input
        reject(&[0x01, 0x80, 0x00]); // overlong count varint
        reject(&[0x01, 0x01, 0x81, 0x00, b'a', 0x05]); // overlong name length
        let mut huge_mantissa = vec![0x01, 0x01, 0x01, b'a', 0x02, 0x00];
        huge_mantissa.extend([0xFF; 18]);
        huge_mantissa.push(0x7F);
        reject(&huge_mantissa);
        reject(&vec![0x01; ENCODED_VALUE_BYTES_MAX + 1]);
    }

    fn nested_list_encoding(depth: usize) -> Vec<u8> {
        let mut bytes = vec![0x01, 0x01, 0x01, b'a'];
        for _ in 0..depth {
            bytes.extend([ValueTag::L as u8, 0x01]);
        }
        bytes.push(ValueTag::Null as u8);
        bytes
    }

    #[test]
    fn decode_item_limits_nesting_to_32_levels() {
        assert!(decode_item(&nested_list_encoding(NESTING_DEPTH_MAX)).is_ok());
        assert!(decode_item(&nested_list_encoding(NESTING_DEPTH_MAX + 1)).is_err());
        assert!(decode_item(&nested_list_encoding(100_000)).is_err());
    }

    proptest! {
        #[test]
        fn encoded_size_equals_the_size_of_the_decoded_item(item in arbitrary_item()) {
            let bytes = encode_item(&item);
            prop_assert_eq!(
                encoded_item_size_bytes(&bytes).unwrap(),
                crate::model::item_size_bytes(&item)
            );
            // Truncations are errors, never panics.
            for cut in 0..bytes.len() {
                prop_assert!(encoded_item_size_bytes(&bytes[..cut]).is_err());
            }
        }
    }

    proptest! {
        #[test]
        fn item_encoding_round_trips(item in arbitrary_item()) {
            let encoded = encode_item(&item);
            prop_assert_eq!(decode_item(&encoded), Ok(item));
        }

        #[test]
        fn decode_item_never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = decode_item(&bytes);
        }

        #[test]
        fn decode_item_never_panics_on_versioned_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let mut input = vec![FORMAT_VERSION];
            input.extend(bytes);
            let _ = decode_item(&input);
        }

        #[test]
        fn decode_item_never_panics_on_mutated_items(
            item in arbitrary_item(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
        ) {
            let mut encoded = encode_item(&item);
            for (position, byte, mutation) in edits {
                if encoded.is_empty() {
                    break;
                }
                let index = position.index(encoded.len());
                match mutation {
                    0 => encoded[index] = byte,
                    1 => encoded.truncate(index),
                    _ => encoded.insert(index, byte),
                }
            }
            if let Ok(decoded) = decode_item(&encoded) {
                // Whatever decodes is canonical: it re-encodes to the same bytes.
                prop_assert_eq!(encode_item(&decoded), encoded);
            }
        }
    }
}
