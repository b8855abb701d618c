//! [`WriteBatch`]: a group of puts and deletes applied atomically, and its
//! encoding as the payload of one WAL record.
//!
//! A batch is built by one thread and then handed to the shard that logs it.
//! It keeps its entries pre-encoded in one buffer (`rep`), laid out exactly
//! as on disk with the header left blank, so building a batch allocates only
//! when the buffer grows and [`WriteBatch::encode`] is one copy plus a header
//! patch.
//!
//! ```text
//! +-----------------+----------------+---------+-----+---------+
//! | first seqno u64 | entry count u32| entry 0 | ... | entry n |
//! +-----------------+----------------+---------+-----+---------+
//! entry: kind u8 | key length varint | key | value length varint | value
//! ```
//! Integers are little-endian; entry `i` gets sequence number
//! `first seqno + i`. Invariant: `rep` always holds `entry_count` well-formed
//! entries within the key and value limits, so iterating it cannot fail.
//! Format: `docs/format/wal.md`.

use std::fmt;

use crate::coding::internal_key::ValueKind;
use crate::coding::{DecodeError, Decoder, put_length_prefixed};
use crate::ids::SeqNo;
use crate::limits::{ENCODED_KEY_BYTES_MAX, ENCODED_VALUE_BYTES_MAX};

/// Offset of the first sequence number (u64, little-endian) in the payload.
pub const FIRST_SEQNO_OFFSET: usize = 0;
/// Size of the first-sequence-number field.
pub const FIRST_SEQNO_BYTES: usize = 8;
/// Offset of the entry count (u32, little-endian) in the payload.
pub const ENTRY_COUNT_OFFSET: usize = FIRST_SEQNO_OFFSET + FIRST_SEQNO_BYTES;
/// Size of the entry-count field.
pub const ENTRY_COUNT_BYTES: usize = 4;
/// Size of the payload header; the entries follow.
pub const BATCH_HEADER_BYTES: usize = ENTRY_COUNT_OFFSET + ENTRY_COUNT_BYTES;

const _: () = assert!(BATCH_HEADER_BYTES == 12);

/// Puts and deletes to apply atomically; see the module docs.
#[derive(Clone, PartialEq, Eq)]
pub struct WriteBatch {
    /// The encoded payload, header bytes left as zero until `encode`.
    rep: Vec<u8>,
    entry_count: u32,
}

impl fmt::Debug for WriteBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteBatch")
            .field("entry_count", &self.entry_count)
            .field("size_bytes", &self.size_bytes())
            .finish()
    }
}

impl Default for WriteBatch {
    fn default() -> Self {
        WriteBatch::new()
    }
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        WriteBatch {
            rep: vec![0; BATCH_HEADER_BYTES],
            entry_count: 0,
        }
    }

    /// Adds a put of `value` at `user_key`.
    ///
    /// Panics if `user_key` is longer than [`ENCODED_KEY_BYTES_MAX`] or
    /// `value` longer than [`ENCODED_VALUE_BYTES_MAX`] (callers validate
    /// items first; logging what recovery would reject must never happen),
    /// or if the batch already holds `u32::MAX` entries.
    pub fn put(&mut self, user_key: &[u8], value: &[u8]) {
        self.push(ValueKind::Put, user_key, value);
    }

    /// Adds a delete of `user_key` (a tombstone). Panics as [`WriteBatch::put`].
    pub fn delete(&mut self, user_key: &[u8]) {
        self.push(ValueKind::Delete, user_key, &[]);
    }

    fn push(&mut self, kind: ValueKind, user_key: &[u8], value: &[u8]) {
        assert!(
            user_key.len() <= ENCODED_KEY_BYTES_MAX,
            "key of {} bytes exceeds ENCODED_KEY_BYTES_MAX",
            user_key.len()
        );
        assert!(
            value.len() <= ENCODED_VALUE_BYTES_MAX,
            "value of {} bytes exceeds ENCODED_VALUE_BYTES_MAX",
            value.len()
        );
        self.entry_count = self
            .entry_count
            .checked_add(1)
            .expect("a write batch holds at most u32::MAX entries");
        self.rep.push(kind as u8);
        put_length_prefixed(&mut self.rep, user_key);
        put_length_prefixed(&mut self.rep, value);
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entry_count as usize
    }

    /// Whether the batch has no entries.
    pub fn is_empty(&self) -> bool {
        self.entry_count == 0
    }

    /// The size of the encoded payload, header included.
    pub fn size_bytes(&self) -> usize {
        self.rep.len()
    }

    /// The entries in the order they were added: kind, user key, value
    /// (empty for deletes).
    pub fn iter(&self) -> WriteBatchIter<'_> {
        WriteBatchIter {
            decoder: Decoder::new(&self.rep[BATCH_HEADER_BYTES..]),
            remaining: self.entry_count,
        }
    }

    /// Removes every entry, keeping the buffer's capacity.
    pub fn clear(&mut self) {
        self.rep.truncate(BATCH_HEADER_BYTES);
        self.entry_count = 0;
    }

    /// The WAL record payload for this batch, its entries numbered from
    /// `first_seqno`.
    pub fn encode(&self, first_seqno: SeqNo) -> Vec<u8> {
        let mut out = self.rep.clone();
        out[FIRST_SEQNO_OFFSET..FIRST_SEQNO_OFFSET + FIRST_SEQNO_BYTES]
            .copy_from_slice(&first_seqno.0.to_le_bytes());
        out[ENTRY_COUNT_OFFSET..ENTRY_COUNT_OFFSET + ENTRY_COUNT_BYTES]
            .copy_from_slice(&self.entry_count.to_le_bytes());
        out
    }

    /// Decodes a WAL record payload into its first sequence number and batch.
    ///
    /// Errors: a [`DecodeError`] (offset within `payload`) for a truncated
    /// payload, an unknown entry kind, a key or value over its limit, a
    /// delete carrying a value, bytes after the last counted entry, or
    /// sequence numbers past [`SeqNo::MAX`].
    pub fn decode(payload: &[u8]) -> Result<(SeqNo, WriteBatch), DecodeError> {
        let mut decoder = Decoder::new(payload);
        let first_seqno = SeqNo(decoder.u64_le()?);
        let entry_count = decoder.u32_le()?;
        let last_seqno = first_seqno
            .0
            .checked_add(u64::from(entry_count.saturating_sub(1)));
        if last_seqno.is_none_or(|last| last > SeqNo::MAX.0) {
            return Err(DecodeError {
                offset: FIRST_SEQNO_OFFSET,
                reason: "sequence numbers exceed the largest assignable one",
            });
        }
        // Each entry takes at least 3 bytes, so this loop is bounded by the
        // payload's length whatever the count says.
        for _ in 0..entry_count {
            decode_entry(&mut decoder)?;
        }
        if !decoder.is_empty() {
            return Err(decoder.error("bytes after the last entry of the batch"));
        }
        let mut rep = payload.to_vec();
        rep[..BATCH_HEADER_BYTES].fill(0);
        Ok((first_seqno, WriteBatch { rep, entry_count }))
    }
}

/// Decodes one entry, checking its kind and lengths.
fn decode_entry<'a>(
    decoder: &mut Decoder<'a>,
) -> Result<(ValueKind, &'a [u8], &'a [u8]), DecodeError> {
    let kind_offset = decoder.position();
    let kind = ValueKind::from_u8(decoder.u8()?).ok_or(DecodeError {
        offset: kind_offset,
        reason: "unknown write batch entry kind",
    })?;
    let key = decoder.length_prefixed(ENCODED_KEY_BYTES_MAX)?;
    let value_offset = decoder.position();
    let value = decoder.length_prefixed(ENCODED_VALUE_BYTES_MAX)?;
    if kind == ValueKind::Delete && !value.is_empty() {
        return Err(DecodeError {
            offset: value_offset,
            reason: "a delete entry carries a value",
        });
    }
    Ok((kind, key, value))
}

/// Iterator over a [`WriteBatch`]'s entries; see [`WriteBatch::iter`].
#[derive(Debug, Clone)]
pub struct WriteBatchIter<'a> {
    decoder: Decoder<'a>,
    remaining: u32,
}

impl<'a> Iterator for WriteBatchIter<'a> {
    type Item = (ValueKind, &'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        // `rep` was built by `push` or validated by `decode`.
        Some(decode_entry(&mut self.decoder).expect("a WriteBatch holds well-formed entries"))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining as usize, Some(self.remaining as usize))
    }
}

impl ExactSizeIterator for WriteBatchIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entries() -> impl Strategy<Value = Vec<(bool, Vec<u8>, Vec<u8>)>> {
        proptest::collection::vec(
            (
                any::<bool>(),
                proptest::collection::vec(any::<u8>(), 0..40),
                proptest::collection::vec(any::<u8>(), 0..300),
            ),
            0..30,
        )
    }

    proptest! {
        #[test]
        fn wal_write_batch_round_trips(entries in entries(), first in 0..SeqNo::MAX.0 - 100) {
            let mut batch = WriteBatch::new();
            for (is_put, key, value) in &entries {
                if *is_put { batch.put(key, value) } else { batch.delete(key) }
            }
            prop_assert_eq!(batch.len(), entries.len());
            let payload = batch.encode(SeqNo(first));
            prop_assert_eq!(payload.len(), batch.size_bytes());
            let (seqno, decoded) = WriteBatch::decode(&payload).unwrap();
            prop_assert_eq!(seqno, SeqNo(first));
            prop_assert_eq!(&decoded, &batch);
            let got: Vec<_> = decoded.iter().map(|(k, key, v)| (k == ValueKind::Put, key.to_vec(), v.to_vec())).collect();
            let want: Vec<_> = entries.iter().map(|(p, k, v)| (*p, k.clone(), if *p { v.clone() } else { Vec::new() })).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn wal_write_batch_decode_never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok((_, batch)) = WriteBatch::decode(&bytes) {
                prop_assert_eq!(batch.iter().count(), batch.len());
            }
        }

        #[test]
        fn wal_write_batch_decode_never_panics_on_mutations(
            entries in entries(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut batch = WriteBatch::new();
            for (is_put, key, value) in &entries {
                if *is_put { batch.put(key, value) } else { batch.delete(key) }
            }
            let mut payload = batch.encode(SeqNo(1));
            for (index, bit) in flips {
                let i = index.index(payload.len());
                payload[i] ^= 1 << bit;
            }
            payload.truncate(cut.index(payload.len() + 1));
            if let Ok((_, batch)) = WriteBatch::decode(&payload) {
                prop_assert_eq!(batch.iter().count(), batch.len());
            }
        }
    }

    #[test]
    fn wal_write_batch_decode_rejects_bad_input() {
        let mut batch = WriteBatch::new();
        batch.put(b"k", b"v");
        let good = batch.encode(SeqNo(5));
        assert!(WriteBatch::decode(&good).is_ok());
        // Unknown kind.
        let mut bad = good.clone();
        bad[BATCH_HEADER_BYTES] = 7;
        assert_eq!(
            WriteBatch::decode(&bad).unwrap_err().offset,
            BATCH_HEADER_BYTES
        );
        // Count larger than the entries present.
        let mut bad = good.clone();
        bad[ENTRY_COUNT_OFFSET] = 2;
        assert!(WriteBatch::decode(&bad).is_err());
        // Count smaller than the entries present.
        let mut bad = good.clone();
        bad[ENTRY_COUNT_OFFSET] = 0;
        assert!(WriteBatch::decode(&bad).is_err());
        // A delete with a value.
        let mut bad = good.clone();
        bad[BATCH_HEADER_BYTES] = ValueKind::Delete as u8;
        assert!(WriteBatch::decode(&bad).is_err());
        // Sequence numbers past the maximum.
        assert!(WriteBatch::decode(&batch.encode(SeqNo(SeqNo::MAX.0 + 1))).is_err());
        assert!(WriteBatch::decode(&batch.encode(SeqNo::MAX)).is_ok());
        // Truncated header.
        assert!(WriteBatch::decode(&good[..BATCH_HEADER_BYTES - 1]).is_err());
        // A key over the limit.
        let mut bad = good[..BATCH_HEADER_BYTES].to_vec();
        bad.push(ValueKind::Put as u8);
        crate::coding::put_varint(&mut bad, ENCODED_KEY_BYTES_MAX as u64 + 1);
        assert!(WriteBatch::decode(&bad).is_err());
    }

    #[test]
    fn wal_write_batch_clear_keeps_it_usable() {
        let mut batch = WriteBatch::new();
        batch.put(b"a", b"1");
        batch.clear();
        assert!(batch.is_empty());
        assert_eq!(batch.size_bytes(), BATCH_HEADER_BYTES);
        batch.delete(b"b");
        let (_, decoded) = WriteBatch::decode(&batch.encode(SeqNo(1))).unwrap();
        assert_eq!(
            decoded.iter().collect::<Vec<_>>(),
            vec![(ValueKind::Delete, &b"b"[..], &b""[..])]
        );
    }
}
