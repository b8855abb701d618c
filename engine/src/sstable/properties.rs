//! [`TableProperties`]: the counts and key range of one table, stored in the
//! properties block and read at open.
//!
//! Written once by the table builder; immutable afterwards. Layout (all
//! varints, then two length-prefixed keys, nothing after):
//! `docs/format/sstable.md`, "Properties block". Decoding checks the fields
//! against each other so that a table whose properties passed their checksum
//! but disagree (a writer bug) is still refused.

use bytes::Bytes;

use crate::coding::internal_key::ParsedKey;
use crate::coding::{DecodeError, Decoder, put_length_prefixed, put_varint};

use super::format::INTERNAL_KEY_BYTES_MAX;

/// What a table holds, in summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableProperties {
    /// Entries (puts and tombstones, every version counted).
    pub entry_count: u64,
    /// Entries that are tombstones.
    pub tombstone_count: u64,
    /// Sum of the internal-key lengths of all entries, before prefix compression.
    pub raw_key_bytes: u64,
    /// Sum of the value lengths of all entries.
    pub raw_value_bytes: u64,
    /// Data blocks in the table (entries of the index block).
    pub data_block_count: u64,
    /// The smallest internal key; empty if and only if the table is empty.
    pub smallest_key: Bytes,
    /// The largest internal key; empty if and only if the table is empty.
    pub largest_key: Bytes,
}

impl TableProperties {
    /// Appends the encoded properties to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        put_varint(out, self.entry_count);
        put_varint(out, self.tombstone_count);
        put_varint(out, self.raw_key_bytes);
        put_varint(out, self.raw_value_bytes);
        put_varint(out, self.data_block_count);
        put_length_prefixed(out, &self.smallest_key);
        put_length_prefixed(out, &self.largest_key);
    }

    /// Decodes and cross-checks properties block contents. The keys are
    /// zero-copy slices of `contents`.
    pub fn decode(contents: &Bytes) -> Result<TableProperties, DecodeError> {
        let mut decoder = Decoder::new(contents);
        let entry_count = decoder.varint()?;
        let tombstone_count = decoder.varint()?;
        let raw_key_bytes = decoder.varint()?;
        let raw_value_bytes = decoder.varint()?;
        let data_block_count = decoder.varint()?;
        let smallest_at = decoder.position();
        let smallest = decoder.length_prefixed(INTERNAL_KEY_BYTES_MAX)?;
        let largest_at = decoder.position();
        let largest = decoder.length_prefixed(INTERNAL_KEY_BYTES_MAX)?;
        if !decoder.is_empty() {
            return Err(decoder.error("trailing bytes after the table properties"));
        }
        let fail = |offset: usize, reason: &'static str| Err(DecodeError { offset, reason });
        if tombstone_count > entry_count || data_block_count > entry_count {
            return fail(0, "table property counts disagree");
        }
        let is_empty = entry_count == 0;
        if is_empty != (data_block_count == 0)
            || is_empty != smallest.is_empty()
            || is_empty != largest.is_empty()
        {
            return fail(0, "table properties disagree about the table being empty");
        }
        if !is_empty {
            if ParsedKey::parse(smallest).is_none() {
                return fail(smallest_at, "smallest key is not an internal key");
            }
            if ParsedKey::parse(largest).is_none() {
                return fail(largest_at, "largest key is not an internal key");
            }
            if crate::coding::internal_key::compare(smallest, largest)
                == std::cmp::Ordering::Greater
            {
                return fail(smallest_at, "smallest key is larger than the largest key");
            }
        }
        let slice = |key: &[u8]| contents.slice_ref(key);
        Ok(TableProperties {
            entry_count,
            tombstone_count,
            raw_key_bytes,
            raw_value_bytes,
            data_block_count,
            smallest_key: if smallest.is_empty() {
                Bytes::new()
            } else {
                slice(smallest)
            },
            largest_key: if largest.is_empty() {
                Bytes::new()
            } else {
                slice(largest)
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::internal_key::{ValueKind, encode};
    use crate::ids::SeqNo;

    #[test]
    fn properties_round_trip_and_reject_inconsistent_counts() {
        let properties = TableProperties {
            entry_count: 3,
            tombstone_count: 1,
            raw_key_bytes: 40,
            raw_value_bytes: 7,
            data_block_count: 2,
            smallest_key: Bytes::from(encode(b"a", SeqNo(2), ValueKind::Put)),
            largest_key: Bytes::from(encode(b"c", SeqNo(3), ValueKind::Put)),
        };
        let mut out = Vec::new();
        properties.encode_into(&mut out);
        assert_eq!(
            TableProperties::decode(&Bytes::from(out.clone())),
            Ok(properties.clone())
        );

        let empty = TableProperties::default();
        let mut out = Vec::new();
        empty.encode_into(&mut out);
        assert_eq!(TableProperties::decode(&Bytes::from(out)), Ok(empty));

        for broken in [
            TableProperties {
                tombstone_count: 4,
                ..properties.clone()
            },
            TableProperties {
                data_block_count: 0,
                ..properties.clone()
            },
            TableProperties {
                smallest_key: Bytes::from_static(b"short"),
                ..properties.clone()
            },
            TableProperties {
                smallest_key: properties.largest_key.clone(),
                largest_key: properties.smallest_key.clone(),
                ..properties.clone()
            },
        ] {
            let mut out = Vec::new();
            broken.encode_into(&mut out);
            assert!(
                TableProperties::decode(&Bytes::from(out)).is_err(),
                "{broken:?}"
            );
        }
    }
}
