//! Internal keys: what the memtable and SSTables order by.
//!
//! An internal key is the user key (the order-preserving encoding of table
//! id, partition key and sort key; see `docs/format/keys.md`) followed by an
//! 8-byte big-endian trailer `(seqno << 8) | kind`. Internal keys order by
//! user key ascending, then by trailer *descending*, so the newest version of
//! a key comes first and a seek to `(key, snapshot_seqno, KIND_SEEK)` lands on
//! the newest version visible at that snapshot. Byte layout and example:
//! `docs/format/sstable.md`.

use std::cmp::Ordering;

use crate::ids::SeqNo;

/// Size of the trailer appended to every user key.
pub const TRAILER_BYTES: usize = 8;

/// What an entry records about its key. Stored in the low byte of the
/// trailer; values are on disk and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum ValueKind {
    /// The key was deleted (a tombstone); the value is empty.
    Delete = 0,
    /// The key holds the value.
    Put = 1,
}

/// The kind used when seeking: larger than every real kind, so the seek key
/// sorts before every real entry with the same user key and seqno.
pub const KIND_SEEK: u8 = 0xff;

impl ValueKind {
    /// Decodes a stored kind byte.
    pub fn from_u8(byte: u8) -> Option<ValueKind> {
        match byte {
            0 => Some(ValueKind::Delete),
            1 => Some(ValueKind::Put),
            _ => None,
        }
    }
}

/// Packs a trailer.
pub fn trailer(seqno: SeqNo, kind: u8) -> u64 {
    debug_assert!(seqno <= SeqNo::MAX);
    (seqno.0 << 8) | u64::from(kind)
}

/// Appends `user_key` and its trailer to `out`.
pub fn encode_into(out: &mut Vec<u8>, user_key: &[u8], seqno: SeqNo, kind: u8) {
    out.extend_from_slice(user_key);
    out.extend_from_slice(&trailer(seqno, kind).to_be_bytes());
}

/// A new internal key.
pub fn encode(user_key: &[u8], seqno: SeqNo, kind: ValueKind) -> Vec<u8> {
    let mut out = Vec::with_capacity(user_key.len() + TRAILER_BYTES);
    encode_into(&mut out, user_key, seqno, kind as u8);
    out
}

/// The key to seek to for the newest version of `user_key` visible at `snapshot`.
pub fn seek_key(user_key: &[u8], snapshot: SeqNo) -> Vec<u8> {
    let mut out = Vec::with_capacity(user_key.len() + TRAILER_BYTES);
    encode_into(&mut out, user_key, snapshot, KIND_SEEK);
    out
}

/// An internal key split into its parts. Only built from keys that passed
/// [`ParsedKey::parse`], so every field is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedKey<'a> {
    /// The user key.
    pub user_key: &'a [u8],
    /// The write's sequence number.
    pub seqno: SeqNo,
    /// Put or delete.
    pub kind: ValueKind,
}

impl<'a> ParsedKey<'a> {
    /// Splits an internal key; `None` if it is too short or its kind is unknown.
    pub fn parse(key: &'a [u8]) -> Option<ParsedKey<'a>> {
        let split = key.len().checked_sub(TRAILER_BYTES)?;
        let (user_key, trailer_bytes) = key.split_at(split);
        let mut raw = [0u8; TRAILER_BYTES];
        raw.copy_from_slice(trailer_bytes);
        let trailer = u64::from_be_bytes(raw);
        Some(ParsedKey {
            user_key,
            seqno: SeqNo(trailer >> 8),
            kind: ValueKind::from_u8(trailer as u8)?,
        })
    }
}

/// The user-key part of an internal key (all of it if it is too short to
/// have a trailer; such keys never pass decoding).
pub fn user_key(key: &[u8]) -> &[u8] {
    &key[..key.len().saturating_sub(TRAILER_BYTES)]
}

fn trailer_of(key: &[u8]) -> u64 {
    let tail = &key[key.len().saturating_sub(TRAILER_BYTES)..];
    let mut raw = [0u8; TRAILER_BYTES];
    raw[TRAILER_BYTES - tail.len()..].copy_from_slice(tail);
    u64::from_be_bytes(raw)
}

/// The internal-key order: user key ascending, then trailer descending.
pub fn compare(a: &[u8], b: &[u8]) -> Ordering {
    user_key(a)
        .cmp(user_key(b))
        .then_with(|| trailer_of(b).cmp(&trailer_of(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_versions_sort_first_and_seek_keys_precede_entries() {
        let old = encode(b"k", SeqNo(5), ValueKind::Put);
        let new = encode(b"k", SeqNo(9), ValueKind::Delete);
        assert_eq!(compare(&new, &old), Ordering::Less);
        assert_eq!(compare(&seek_key(b"k", SeqNo(9)), &new), Ordering::Less);
        assert_eq!(compare(&seek_key(b"k", SeqNo(8)), &old), Ordering::Less);
        assert_eq!(compare(&new, &seek_key(b"k", SeqNo(8))), Ordering::Less);
        assert_eq!(
            compare(
                &encode(b"k", SeqNo(1), ValueKind::Put),
                &encode(b"k\0", SeqNo(9), ValueKind::Put)
            ),
            Ordering::Less
        );
    }

    #[test]
    fn parse_rejects_short_keys_and_unknown_kinds() {
        assert!(ParsedKey::parse(b"short").is_none());
        let mut key = encode(b"k", SeqNo(1), ValueKind::Put);
        *key.last_mut().unwrap() = 7;
        assert!(ParsedKey::parse(&key).is_none());
        let key = encode(b"k", SeqNo(3), ValueKind::Put);
        let parsed = ParsedKey::parse(&key).unwrap();
        assert_eq!(
            (parsed.user_key, parsed.seqno, parsed.kind),
            (&b"k"[..], SeqNo(3), ValueKind::Put)
        );
    }
}
