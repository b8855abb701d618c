//! [`Block`] and [`BlockIter`]: reading one data or index block.
//!
//! A [`Block`] is a checksum-verified slice of the mapped file (a cheap
//! `Bytes` clone, no copy). [`BlockIter`] walks its entries and seeks by
//! binary search over the restart array, then decodes forward from the
//! restart point. Layout: `docs/format/sstable.md`, "Block contents".
//!
//! Pure code, usable from any thread; each iterator belongs to one thread.
//! Every length read from the block is checked against the block's bounds
//! and against the key and value limits before use, and every key must be a
//! well-formed internal key (at least 8 bytes, known kind), so arbitrary
//! bytes yield a [`DecodeError`] (with an offset relative to the block
//! start), never a panic. Checksums are the caller's business: a block that
//! reaches [`Block::decode`] has passed its checksum.

use std::cmp::Ordering;

use bytes::Bytes;

use crate::coding::internal_key::{TRAILER_BYTES, ValueKind};
use crate::coding::{DecodeError, Decoder};
use crate::limits::ENCODED_VALUE_BYTES_MAX;

use super::format::{INTERNAL_KEY_BYTES_MAX, RESTART_COUNT_BYTES, RESTART_OFFSET_BYTES};

fn error(offset: usize, reason: &'static str) -> DecodeError {
    DecodeError { offset, reason }
}

/// The contents of one block, with its restart array located.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    data: Bytes,
    /// Offset of the restart array: entries occupy `0..entries_end`.
    entries_end: usize,
    restart_count: usize,
}

impl Block {
    /// Locates the restart array of `contents` (a block without trailer).
    pub(crate) fn decode(contents: Bytes) -> Result<Block, DecodeError> {
        let len = contents.len();
        let Some(count_offset) = len.checked_sub(RESTART_COUNT_BYTES) else {
            return Err(error(0, "block shorter than its restart count"));
        };
        let restart_count = Decoder::new(&contents[count_offset..]).u32_le()? as usize;
        if restart_count > count_offset / RESTART_OFFSET_BYTES {
            return Err(error(count_offset, "restart count exceeds the block"));
        }
        let entries_end = count_offset - restart_count * RESTART_OFFSET_BYTES;
        let block = Block {
            data: contents,
            entries_end,
            restart_count,
        };
        match (restart_count, entries_end) {
            (0, 0) => {}
            (0, _) => {
                return Err(error(
                    count_offset,
                    "block has entries but no restart point",
                ));
            }
            _ => {
                if block.restart_offset(0)? != 0 {
                    return Err(error(entries_end, "first restart point is not at offset 0"));
                }
            }
        }
        Ok(block)
    }

    /// Whether the block holds no entry.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries_end == 0
    }

    /// The offset of restart point `index`, checked to lie inside the entries.
    fn restart_offset(&self, index: usize) -> Result<usize, DecodeError> {
        let at = self.entries_end + index * RESTART_OFFSET_BYTES;
        let bytes = self.data.get(at..).unwrap_or_default();
        let offset = Decoder::new(bytes)
            .u32_le()
            .map_err(|e| error(at, e.reason))? as usize;
        if offset >= self.entries_end {
            return Err(error(at, "restart offset outside the entries"));
        }
        Ok(offset)
    }

    /// Decodes the header of the entry at `offset` (which must be below
    /// `entries_end`), whose predecessor's key is `previous_key_len` long.
    fn decode_entry(&self, offset: usize, previous_key_len: usize) -> Result<Entry, DecodeError> {
        let Some(region) = self.data.get(offset..self.entries_end) else {
            return Err(error(offset, "entry offset outside the entries"));
        };
        let mut decoder = Decoder::new(region);
        let at = |e: DecodeError| error(offset + e.offset, e.reason);
        let shared = decoder.varint().map_err(at)?;
        if shared > previous_key_len as u64 {
            return Err(error(offset, "shared prefix longer than the previous key"));
        }
        let shared = shared as usize;
        let unshared = decoder.varint_at_most(INTERNAL_KEY_BYTES_MAX).map_err(at)?;
        let value_len = decoder
            .varint_at_most(ENCODED_VALUE_BYTES_MAX)
            .map_err(at)?;
        let key_len = shared + unshared;
        if !(TRAILER_BYTES..=INTERNAL_KEY_BYTES_MAX).contains(&key_len) {
            return Err(error(offset, "key length outside the internal-key limits"));
        }
        let suffix_start = offset + decoder.position();
        decoder.bytes(unshared).map_err(at)?;
        let value_start = offset + decoder.position();
        decoder.bytes(value_len).map_err(at)?;
        let kind_byte = if unshared > 0 {
            // The kind is the last key byte; it lies in the suffix.
            Some(self.data[value_start - 1])
        } else {
            None
        };
        if kind_byte.is_some_and(|b| ValueKind::from_u8(b).is_none()) {
            return Err(error(value_start - 1, "unknown value kind in key"));
        }
        Ok(Entry {
            shared,
            suffix_start,
            value_start,
            end: offset + decoder.position(),
        })
    }

    /// The full key of restart point `index` (restart entries share nothing).
    fn restart_key(&self, index: usize) -> Result<&[u8], DecodeError> {
        let offset = self.restart_offset(index)?;
        let entry = self.decode_entry(offset, 0)?;
        Ok(&self.data[entry.suffix_start..entry.value_start])
    }
}

/// The decoded header of one entry; all offsets are within the block.
#[derive(Debug, Clone, Copy)]
struct Entry {
    shared: usize,
    suffix_start: usize,
    value_start: usize,
    /// Offset just past the value: where the next entry starts.
    end: usize,
}

/// A seek target in internal-key order, given as its parts so that a point
/// lookup never has to build the seek key in a buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeekTarget<'a> {
    user_key: &'a [u8],
    trailer: u64,
}

impl<'a> SeekTarget<'a> {
    /// The target `(user_key, trailer)`.
    pub(crate) fn new(user_key: &'a [u8], trailer: u64) -> Self {
        SeekTarget { user_key, trailer }
    }

    /// The target equal to the internal key `key`. Keys shorter than a
    /// trailer are split exactly as [`crate::coding::internal_key::compare`]
    /// splits them, so the order agrees with it for any input.
    pub(crate) fn from_internal_key(key: &'a [u8]) -> Self {
        let split = key.len().saturating_sub(TRAILER_BYTES);
        let mut raw = [0u8; TRAILER_BYTES];
        let tail = &key[split..];
        raw[TRAILER_BYTES - tail.len()..].copy_from_slice(tail);
        SeekTarget {
            user_key: &key[..split],
            trailer: u64::from_be_bytes(raw),
        }
    }

    /// How the decoded internal key `key` (at least 8 bytes) orders against
    /// the target: user key ascending, then trailer descending.
    pub(crate) fn compare_key(&self, key: &[u8]) -> Ordering {
        let (user_key, trailer) = split_key(key);
        user_key
            .cmp(self.user_key)
            .then_with(|| self.trailer.cmp(&trailer))
    }
}

/// Splits a decoded internal key (at least 8 bytes) into user key and trailer.
pub(crate) fn split_key(key: &[u8]) -> (&[u8], u64) {
    let split = key.len() - TRAILER_BYTES;
    let mut raw = [0u8; TRAILER_BYTES];
    raw.copy_from_slice(&key[split..]);
    (&key[..split], u64::from_be_bytes(raw))
}

/// Bytes of key kept inline in a [`KeyBuffer`]; longer keys spill to the heap.
/// Typical encoded keys (table id, a short partition and sort key, trailer)
/// are well under this, so point lookups do not allocate.
const KEY_INLINE_BYTES: usize = 256;

/// The current key of a [`BlockIter`], rebuilt from prefix-compressed
/// entries: inline up to [`KEY_INLINE_BYTES`], on the heap beyond.
#[derive(Clone)]
struct KeyBuffer {
    inline: [u8; KEY_INLINE_BYTES],
    inline_len: usize,
    heap: Vec<u8>,
    on_heap: bool,
}

impl std::fmt::Debug for KeyBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyBuffer")
            .field("key", &self.as_slice())
            .finish()
    }
}

impl KeyBuffer {
    fn new() -> Self {
        KeyBuffer {
            inline: [0; KEY_INLINE_BYTES],
            inline_len: 0,
            heap: Vec::new(),
            on_heap: false,
        }
    }

    fn as_slice(&self) -> &[u8] {
        if self.on_heap {
            &self.heap
        } else {
            &self.inline[..self.inline_len]
        }
    }

    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn clear(&mut self) {
        self.inline_len = 0;
        self.heap.clear();
        self.on_heap = false;
    }

    /// Keeps the first `shared` bytes (at most the current length) and
    /// appends `suffix`.
    fn replace_suffix(&mut self, shared: usize, suffix: &[u8]) {
        let len = shared + suffix.len();
        match (self.on_heap, len <= KEY_INLINE_BYTES) {
            (false, true) => {
                self.inline[shared..len].copy_from_slice(suffix);
                self.inline_len = len;
            }
            (false, false) => {
                self.heap.clear();
                self.heap.extend_from_slice(&self.inline[..shared]);
                self.heap.extend_from_slice(suffix);
                self.on_heap = true;
            }
            (true, true) => {
                self.inline[..shared].copy_from_slice(&self.heap[..shared]);
                self.inline[shared..len].copy_from_slice(suffix);
                self.inline_len = len;
                self.on_heap = false;
            }
            (true, false) => {
                self.heap.truncate(shared);
                self.heap.extend_from_slice(suffix);
            }
        }
    }
}

/// A cursor over the entries of one [`Block`].
///
/// Not positioned after construction. After an error it is invalid.
#[derive(Debug, Clone)]
pub(crate) struct BlockIter {
    block: Block,
    /// Offset of the current entry; `entries_end` when not positioned.
    current: usize,
    /// Offset of the entry after the current one.
    next: usize,
    key: KeyBuffer,
    value_start: usize,
    value_end: usize,
}

impl BlockIter {
    /// An unpositioned cursor over `block`.
    pub(crate) fn new(block: Block) -> Self {
        let end = block.entries_end;
        BlockIter {
            block,
            current: end,
            next: end,
            key: KeyBuffer::new(),
            value_start: 0,
            value_end: 0,
        }
    }

    /// Whether the cursor is on an entry.
    pub(crate) fn valid(&self) -> bool {
        self.current < self.block.entries_end
    }

    /// The current key. Only while [`BlockIter::valid`].
    pub(crate) fn key(&self) -> &[u8] {
        debug_assert!(self.valid());
        self.key.as_slice()
    }

    /// The current value. Only while [`BlockIter::valid`].
    pub(crate) fn value(&self) -> &[u8] {
        debug_assert!(self.valid());
        &self.block.data[self.value_start..self.value_end]
    }

    /// The current value as a zero-copy slice of the block.
    pub(crate) fn value_bytes(&self) -> Bytes {
        debug_assert!(self.valid());
        self.block.data.slice(self.value_start..self.value_end)
    }

    /// Offset of the current value within the block (for error reports).
    pub(crate) fn value_offset(&self) -> usize {
        self.value_start
    }

    fn invalidate(&mut self) {
        self.current = self.block.entries_end;
        self.next = self.block.entries_end;
        self.key.clear();
    }

    /// Decodes the entry at `offset` into the cursor.
    fn load_entry(&mut self, offset: usize) -> Result<(), DecodeError> {
        match self.block.decode_entry(offset, self.key.len()) {
            Ok(entry) => {
                let suffix = &self.block.data[entry.suffix_start..entry.value_start];
                self.key.replace_suffix(entry.shared, suffix);
                let kind = self.key.as_slice()[self.key.len() - 1];
                if ValueKind::from_u8(kind).is_none() {
                    // Only reachable when the suffix was empty and the
                    // shared prefix ended in a byte that is not a kind.
                    self.invalidate();
                    return Err(error(offset, "unknown value kind in key"));
                }
                self.current = offset;
                self.next = entry.end;
                self.value_start = entry.value_start;
                self.value_end = entry.end;
                Ok(())
            }
            Err(e) => {
                self.invalidate();
                Err(e)
            }
        }
    }

    /// Positions on the first entry (invalid if the block is empty).
    pub(crate) fn seek_to_first(&mut self) -> Result<(), DecodeError> {
        self.key.clear();
        if self.block.is_empty() {
            self.invalidate();
            return Ok(());
        }
        self.load_entry(0)
    }

    /// Moves to the next entry (invalid past the last one).
    pub(crate) fn next(&mut self) -> Result<(), DecodeError> {
        if self.next >= self.block.entries_end {
            self.invalidate();
            return Ok(());
        }
        self.load_entry(self.next)
    }

    /// Positions on the first entry whose key is `>= target` (invalid if
    /// there is none): binary search over the restart points for the last
    /// one whose key is `< target`, then a forward scan of at most one
    /// restart run.
    pub(crate) fn seek(&mut self, target: &SeekTarget<'_>) -> Result<(), DecodeError> {
        if self.block.restart_count == 0 {
            self.invalidate();
            return Ok(());
        }
        let (mut low, mut high) = (0, self.block.restart_count - 1);
        while low < high {
            let middle = low + (high - low).div_ceil(2);
            let key = match self.block.restart_key(middle) {
                Ok(key) => key,
                Err(e) => {
                    self.invalidate();
                    return Err(e);
                }
            };
            if target.compare_key(key) == Ordering::Less {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        let start = match self.block.restart_offset(low) {
            Ok(offset) => offset,
            Err(e) => {
                self.invalidate();
                return Err(e);
            }
        };
        self.key.clear();
        self.load_entry(start)?;
        // Each step consumes at least one byte, so the scan ends.
        while self.valid() && target.compare_key(self.key.as_slice()) == Ordering::Less {
            self.next()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::internal_key::{self, KIND_SEEK};
    use crate::ids::SeqNo;
    use crate::sstable::block_builder::BlockBuilder;
    use proptest::prelude::*;

    fn key(user_key: &str, seqno: u64) -> Vec<u8> {
        internal_key::encode(user_key.as_bytes(), SeqNo(seqno), ValueKind::Put)
    }

    fn build(entries: &[(Vec<u8>, Vec<u8>)], restart_interval: usize) -> Block {
        let mut builder = BlockBuilder::new(restart_interval);
        for (k, v) in entries {
            builder.add(k, v);
        }
        Block::decode(Bytes::from(builder.finish().clone())).unwrap()
    }

    fn entries(count: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        (0..count)
            .map(|i| {
                (
                    key(&format!("key{:05}", i * 2), 7),
                    format!("v{i}").into_bytes(),
                )
            })
            .collect()
    }

    fn collect(iter: &mut BlockIter) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        while iter.valid() {
            out.push((iter.key().to_vec(), iter.value().to_vec()));
            iter.next().unwrap();
        }
        out
    }

    #[test]
    fn block_iterates_all_entries_for_every_restart_interval() {
        let expected = entries(100);
        for interval in [1, 2, 3, 16, 1000] {
            let mut iter = BlockIter::new(build(&expected, interval));
            iter.seek_to_first().unwrap();
            assert_eq!(collect(&mut iter), expected, "interval {interval}");
        }
    }

    #[test]
    fn block_seek_lands_on_first_key_at_or_after_target() {
        let expected = entries(100);
        for interval in [1, 4, 16] {
            let mut iter = BlockIter::new(build(&expected, interval));
            for probe in 0usize..=200 {
                let user_key = format!("key{probe:05}");
                let target = SeekTarget::new(
                    user_key.as_bytes(),
                    internal_key::trailer(SeqNo(9), KIND_SEEK),
                );
                iter.seek(&target).unwrap();
                let position = probe.div_ceil(2);
                match expected.get(position) {
                    Some((k, _)) => assert_eq!(iter.key(), k.as_slice(), "probe {probe}"),
                    None => assert!(!iter.valid()),
                }
                // A seek past the newest visible version skips the key.
                let older = SeekTarget::new(
                    user_key.as_bytes(),
                    internal_key::trailer(SeqNo(6), KIND_SEEK),
                );
                iter.seek(&older).unwrap();
                let position = probe / 2 + 1;
                match expected.get(position) {
                    Some((k, _)) => assert_eq!(iter.key(), k.as_slice(), "older probe {probe}"),
                    None => assert!(!iter.valid()),
                }
            }
        }
    }

    #[test]
    fn long_keys_spill_to_the_heap_and_back() {
        let long = "x".repeat(KEY_INLINE_BYTES * 2);
        let expected = vec![
            (key("a", 1), b"1".to_vec()),
            (key(&format!("{long}a"), 1), b"2".to_vec()),
            (key(&format!("{long}b"), 1), b"3".to_vec()),
            (key("y", 1), b"4".to_vec()),
        ];
        let mut iter = BlockIter::new(build(&expected, 16));
        iter.seek_to_first().unwrap();
        assert_eq!(collect(&mut iter), expected);
    }

    #[test]
    fn empty_block_is_never_valid() {
        let mut iter = BlockIter::new(build(&[], 16));
        iter.seek_to_first().unwrap();
        assert!(!iter.valid());
        iter.seek(&SeekTarget::new(b"", 0)).unwrap();
        assert!(!iter.valid());
    }

    #[test]
    fn short_seek_targets_order_like_internal_key_compare() {
        for raw in [&b""[..], b"a", b"abcdefg", b"abcdefgh", b"abcdefghi"] {
            let target = SeekTarget::from_internal_key(raw);
            for k in [key("", 0), key("a", 3), key("abc", 1), key("b", 0)] {
                assert_eq!(target.compare_key(&k), internal_key::compare(&k, raw));
            }
        }
    }

    #[test]
    fn malformed_blocks_are_rejected() {
        assert!(Block::decode(Bytes::from_static(&[0, 0, 0])).is_err());
        assert!(Block::decode(Bytes::from_static(&[9, 0, 0, 0])).is_err());
        assert!(Block::decode(Bytes::from_static(&[1, 0, 0, 0, 0])).is_err());
        // Restart offset 0, but the entry claims a 200-byte key.
        let bad = Bytes::from_static(&[0, 200, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
        let mut iter = BlockIter::new(Block::decode(bad).unwrap());
        assert!(iter.seek_to_first().is_err());
        assert!(!iter.valid());
    }

    proptest! {
        #[test]
        fn arbitrary_block_bytes_never_panic(bytes: Vec<u8>, probe: Vec<u8>) {
            if let Ok(block) = Block::decode(Bytes::from(bytes)) {
                let mut iter = BlockIter::new(block);
                let mut steps = 0;
                if iter.seek_to_first().is_ok() {
                    while iter.valid() && iter.next().is_ok() {
                        steps += 1;
                        prop_assert!(steps < 100_000);
                    }
                }
                let _ = iter.seek(&SeekTarget::from_internal_key(&probe));
            }
        }

        #[test]
        fn mutated_blocks_never_panic(
            index in 0usize..2000,
            byte: u8,
            probe in "[a-z]{0,6}",
        ) {
            let mut builder = BlockBuilder::new(4);
            for (k, v) in entries(40) {
                builder.add(&k, &v);
            }
            let mut contents = builder.finish().clone();
            let index = index % contents.len();
            contents[index] = byte;
            if let Ok(block) = Block::decode(Bytes::from(contents)) {
                let mut iter = BlockIter::new(block);
                if iter.seek_to_first().is_ok() {
                    while iter.valid() && iter.next().is_ok() {}
                }
                let _ = iter.seek(&SeekTarget::new(probe.as_bytes(), 0));
            }
        }
    }
}
