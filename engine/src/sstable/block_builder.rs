//! [`BlockBuilder`]: lays out one data or index block in memory.
//!
//! Owned by one [`super::SsTableBuilder`] (so by the thread building the
//! table). Entries are prefix-compressed against the previous key; every
//! `restart_interval`-th entry is a restart point that stores its key in
//! full, so a reader can binary-search the restart array and decode forward
//! from there. Layout: `docs/format/sstable.md`, "Block contents".
//!
//! Invariants: keys are added in strictly increasing internal-key order (the
//! table builder checks this before calling); the contents never exceed
//! [`BLOCK_CONTENTS_BYTES_MAX`], so every restart offset fits a u32.

use crate::coding::{put_u32_le, put_varint, varint_len};

use super::format::{BLOCK_CONTENTS_BYTES_MAX, RESTART_COUNT_BYTES, RESTART_OFFSET_BYTES};

/// Builds the contents of one block (without its trailer).
#[derive(Debug)]
pub(crate) struct BlockBuilder {
    /// Encoded entries so far; after [`BlockBuilder::finish`] also the restart array.
    buffer: Vec<u8>,
    /// Offsets of the restart entries within `buffer`.
    restarts: Vec<u32>,
    entry_count: usize,
    restart_interval: usize,
    last_key: Vec<u8>,
    finished: bool,
}

impl BlockBuilder {
    /// An empty builder placing a restart point every `restart_interval`
    /// entries (0 is treated as 1).
    pub(crate) fn new(restart_interval: usize) -> Self {
        BlockBuilder {
            buffer: Vec::new(),
            restarts: Vec::new(),
            entry_count: 0,
            restart_interval: restart_interval.max(1),
            last_key: Vec::new(),
            finished: false,
        }
    }

    /// Whether no entry was added since the last reset.
    pub(crate) fn is_empty(&self) -> bool {
        self.entry_count == 0
    }

    /// The size the contents would have if finished now.
    pub(crate) fn size_estimate_bytes(&self) -> usize {
        self.buffer.len() + self.restarts.len() * RESTART_OFFSET_BYTES + RESTART_COUNT_BYTES
    }

    /// The size the contents would have after adding this entry.
    pub(crate) fn size_estimate_after_bytes(&self, key: &[u8], value: &[u8]) -> usize {
        // Upper bound: as if the key shared nothing and started a restart run.
        self.size_estimate_bytes()
            + RESTART_OFFSET_BYTES
            + varint_len(0)
            + varint_len(key.len() as u64)
            + varint_len(value.len() as u64)
            + key.len()
            + value.len()
    }

    /// Appends an entry.
    ///
    /// # Panics
    /// If the block would exceed [`BLOCK_CONTENTS_BYTES_MAX`] (the table
    /// builder cuts blocks long before) or after [`BlockBuilder::finish`]
    /// without [`BlockBuilder::reset`]; both are bugs in this module.
    pub(crate) fn add(&mut self, key: &[u8], value: &[u8]) {
        assert!(!self.finished, "add after finish without reset");
        assert!(
            self.size_estimate_after_bytes(key, value) <= BLOCK_CONTENTS_BYTES_MAX,
            "block contents would exceed their u32 limit"
        );
        let shared = if self.entry_count.is_multiple_of(self.restart_interval) {
            self.restarts.push(self.buffer.len() as u32);
            0
        } else {
            common_prefix_len(&self.last_key, key)
        };
        let unshared = &key[shared..];
        put_varint(&mut self.buffer, shared as u64);
        put_varint(&mut self.buffer, unshared.len() as u64);
        put_varint(&mut self.buffer, value.len() as u64);
        self.buffer.extend_from_slice(unshared);
        self.buffer.extend_from_slice(value);
        self.last_key.truncate(shared);
        self.last_key.extend_from_slice(unshared);
        self.entry_count += 1;
    }

    /// Appends the restart array and count and returns the finished
    /// contents. The buffer stays owned by the builder (the caller may append
    /// the block trailer to it through the returned reference) until
    /// [`BlockBuilder::reset`].
    pub(crate) fn finish(&mut self) -> &mut Vec<u8> {
        assert!(!self.finished, "finish called twice without reset");
        for &restart in &self.restarts {
            put_u32_le(&mut self.buffer, restart);
        }
        put_u32_le(&mut self.buffer, self.restarts.len() as u32);
        self.finished = true;
        &mut self.buffer
    }

    /// Empties the builder for the next block, keeping its allocations.
    pub(crate) fn reset(&mut self) {
        self.buffer.clear();
        self.restarts.clear();
        self.last_key.clear();
        self.entry_count = 0;
        self.finished = false;
    }
}

/// The length of the longest common prefix of `a` and `b`.
pub(crate) fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_block_is_just_a_zero_restart_count() {
        let mut builder = BlockBuilder::new(16);
        assert!(builder.is_empty());
        assert_eq!(builder.finish().as_slice(), &[0, 0, 0, 0]);
    }

    #[test]
    fn entries_share_prefixes_except_at_restart_points() {
        let mut builder = BlockBuilder::new(2);
        builder.add(b"abc", b"1");
        builder.add(b"abd", b"22");
        builder.add(b"abe", b"");
        let contents = builder.finish().clone();
        #[rustfmt::skip]
        let expected: Vec<u8> = vec![
            0, 3, 1, b'a', b'b', b'c', b'1', // restart 0: full key
            2, 1, 2, b'd', b'2', b'2',       // shares "ab"
            0, 3, 0, b'a', b'b', b'e',       // restart 1: full key again
            0, 0, 0, 0,  13, 0, 0, 0,        // restart offsets 0 and 13
            2, 0, 0, 0,                      // restart count
        ];
        assert_eq!(contents, expected);
        builder.reset();
        assert!(builder.is_empty());
    }
}
