//! The index block: one entry per data block, so a lookup binary-searches
//! the index and then reads exactly one data block.
//!
//! Each entry's key is a *separator*: an internal key `>=` every key of its
//! block and `<` every key of the next block (the last block's entry uses its
//! last key exactly, so the last index key is the table's largest key). Its
//! value is the block's handle as two varints. The index block uses the
//! ordinary block format with a restart point at every entry
//! ([`INDEX_RESTART_INTERVAL`]). Owned by the table builder's thread on the
//! write side; read-only and shared on the read side. Layout:
//! `docs/format/sstable.md`, "Index block".

use crate::coding::internal_key::{self, TRAILER_BYTES, ValueKind};
use crate::ids::SeqNo;

use super::block_builder::{BlockBuilder, common_prefix_len};
use super::format::{
    BLOCK_CONTENTS_BYTES_MAX, BlockHandle, INDEX_RESTART_INTERVAL, INTERNAL_KEY_BYTES_MAX,
};

/// Writes to `out` a short internal key `k` with `last <= k < next`, given
/// internal keys `last < next` that end one block and start the next.
///
/// When the user keys differ at some byte that can be incremented without
/// reaching the next key's byte, the separator is the user key cut after that
/// byte, incremented (`"apple"`, `"cherry"` → `"b"`), with the trailer of
/// `(SeqNo::MAX, Put)`; any trailer would do since the user key already lies
/// strictly between. Otherwise it is `last` itself.
pub(crate) fn separator(last: &[u8], next: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let last_user_key = internal_key::user_key(last);
    let next_user_key = internal_key::user_key(next);
    let shared = common_prefix_len(last_user_key, next_user_key);
    if shared < last_user_key.len().min(next_user_key.len()) {
        let byte = last_user_key[shared];
        if byte < u8::MAX && byte + 1 < next_user_key[shared] && shared + 1 < last_user_key.len() {
            out.extend_from_slice(&last_user_key[..shared]);
            out.push(byte + 1);
            let trailer = internal_key::trailer(SeqNo::MAX, ValueKind::Put as u8);
            out.extend_from_slice(&trailer.to_be_bytes());
            debug_assert_eq!(internal_key::compare(last, out), std::cmp::Ordering::Less);
            debug_assert_eq!(internal_key::compare(out, next), std::cmp::Ordering::Less);
            return;
        }
    }
    out.extend_from_slice(last);
}

/// Builds the index block. A finished data block's entry is held back until
/// the next block's first key is known, so its separator can be shortened.
#[derive(Debug)]
pub(crate) struct IndexBuilder {
    block: BlockBuilder,
    pending: Option<BlockHandle>,
    key_scratch: Vec<u8>,
    value_scratch: Vec<u8>,
}

impl IndexBuilder {
    pub(crate) fn new() -> Self {
        IndexBuilder {
            block: BlockBuilder::new(INDEX_RESTART_INTERVAL),
            pending: None,
            key_scratch: Vec::new(),
            value_scratch: Vec::new(),
        }
    }

    /// Whether one more entry can be added without the index block
    /// exceeding [`BLOCK_CONTENTS_BYTES_MAX`] (only a table of several
    /// hundred thousand blocks with maximal keys gets near it).
    pub(crate) fn has_room(&self) -> bool {
        const ENTRY_BYTES_MAX: usize = INTERNAL_KEY_BYTES_MAX + 3 * 10 + 4;
        self.block.size_estimate_bytes() + ENTRY_BYTES_MAX <= BLOCK_CONTENTS_BYTES_MAX
    }

    /// Records that a data block was written at `handle`; its entry is added
    /// by the next [`IndexBuilder::add_pending`].
    pub(crate) fn set_pending(&mut self, handle: BlockHandle) {
        debug_assert!(self.pending.is_none());
        self.pending = Some(handle);
    }

    /// Whether a finished block still waits for its entry.
    pub(crate) fn has_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Adds the pending block's entry: `last_key` is that block's last key,
    /// `next_key` the first key of the following block (`None` at the end
    /// of the table, where the entry keeps `last_key` exactly).
    pub(crate) fn add_pending(&mut self, last_key: &[u8], next_key: Option<&[u8]>) {
        let Some(handle) = self.pending.take() else {
            return;
        };
        match next_key {
            Some(next) => separator(last_key, next, &mut self.key_scratch),
            None => {
                self.key_scratch.clear();
                self.key_scratch.extend_from_slice(last_key);
            }
        }
        debug_assert!(self.key_scratch.len() >= TRAILER_BYTES);
        self.value_scratch.clear();
        handle.encode_varint_into(&mut self.value_scratch);
        self.block.add(&self.key_scratch, &self.value_scratch);
    }

    /// The size of the index block contents if finished now.
    pub(crate) fn size_estimate_bytes(&self) -> usize {
        self.block.size_estimate_bytes()
    }

    /// The finished index block contents (no trailer yet).
    pub(crate) fn finish(&mut self) -> &mut Vec<u8> {
        debug_assert!(self.pending.is_none());
        self.block.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn key(user_key: &[u8], seqno: u64) -> Vec<u8> {
        internal_key::encode(user_key, SeqNo(seqno), ValueKind::Put)
    }

    #[test]
    fn separator_is_short_and_between_its_neighbours() {
        let mut out = Vec::new();
        // (last user key, next user key, expected separator user key)
        let cases: [(&[u8], &[u8], &[u8]); 5] = [
            (b"apple", b"cherry", b"b"),
            (b"abcdef", b"abzz", b"abd"),
            (b"abc", b"abd", b"abc"), // increment would reach the next key
            (b"ab", b"abc", b"ab"),   // prefix: nothing to cut
            (b"a\xff\xff", b"b", b"a\xff\xff"), // 0xff cannot be incremented
        ];
        for (last, next, expected_user_key) in cases {
            let (last, next) = (key(last, 5), key(next, 9));
            separator(&last, &next, &mut out);
            assert_eq!(internal_key::user_key(&out), expected_user_key);
            assert_ne!(internal_key::compare(&last, &out), Ordering::Greater);
            assert_eq!(internal_key::compare(&out, &next), Ordering::Less);
        }
        // Two versions of one user key: the separator is the last key itself.
        let (last, next) = (key(b"k", 5), key(b"k", 4));
        separator(&last, &next, &mut out);
        assert_eq!(out, last);
    }
}
