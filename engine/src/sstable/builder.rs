//! [`SsTableBuilder`]: writes one SSTable from entries given in order.
//!
//! Owned by the thread that flushes a memtable or runs a compaction; not
//! shared. Data blocks are appended to the file as they fill, so memory holds
//! one data block, the index block, and 8 bytes of filter hash per distinct
//! user key — never the whole table. [`SsTableBuilder::finish`] appends the
//! filter, properties and index blocks and the footer, then syncs the file's
//! data; the caller syncs the directory entry. Format:
//! `docs/format/sstable.md`.
//!
//! Invariants: entries arrive in strictly increasing internal-key order
//! (checked on every add, with an error in release builds); the bytes
//! appended so far are exactly `offset` long and form a prefix of the
//! finished table; after a failed write the builder refuses further work.

use std::cmp::Ordering;

use crate::coding::internal_key::{self, ParsedKey, ValueKind};
use crate::io::WritableFile;
use crate::limits::{
    BLOCK_SIZE_BYTES_DEFAULT, BLOOM_BITS_PER_KEY_DEFAULT, ENCODED_VALUE_BYTES_MAX,
};
use crate::{Error, Result};

use super::block_builder::BlockBuilder;
use super::bloom::BloomBuilder;
use super::format::{
    BLOCK_SIZE_BYTES_MAX, BLOCK_TRAILER_BYTES, BlockHandle, CompressionTag, FOOTER_BYTES, Footer,
    INTERNAL_KEY_BYTES_MAX, RESTART_INTERVAL_DEFAULT, append_block_trailer,
};
use super::index::IndexBuilder;
use super::properties::TableProperties;

/// How a table is laid out. Readers need none of this: everything they need
/// is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsTableOptions {
    /// A data block is cut once its contents reach this size (capped at
    /// [`BLOCK_SIZE_BYTES_MAX`]; a block may exceed it by one entry).
    pub block_size_bytes: usize,
    /// Bloom filter bits per distinct user key; 0 gives a minimal filter
    /// that rejects almost nothing.
    pub bloom_bits_per_key: usize,
    /// Entries between restart points in data blocks (0 is treated as 1).
    pub restart_interval: usize,
}

impl Default for SsTableOptions {
    fn default() -> Self {
        SsTableOptions {
            block_size_bytes: BLOCK_SIZE_BYTES_DEFAULT,
            bloom_bits_per_key: BLOOM_BITS_PER_KEY_DEFAULT,
            restart_interval: RESTART_INTERVAL_DEFAULT,
        }
    }
}

/// What [`SsTableBuilder::finish`] wrote: what the manifest records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsTableInfo {
    /// The file size.
    pub size_bytes: u64,
    /// Entries written (every version and tombstone counted).
    pub entry_count: u64,
    /// Tombstones among them.
    pub tombstone_count: u64,
    /// The first internal key (empty for an empty table).
    pub smallest_key: Vec<u8>,
    /// The last internal key (empty for an empty table).
    pub largest_key: Vec<u8>,
}

/// Writes an SSTable; see the module docs.
#[derive(Debug)]
pub struct SsTableBuilder {
    file: Box<dyn WritableFile>,
    block_size_bytes: usize,
    data_block: BlockBuilder,
    index: IndexBuilder,
    bloom: BloomBuilder,
    /// Reused buffer for the filter and properties blocks.
    scratch: Vec<u8>,
    /// Bytes appended to the file so far.
    offset: u64,
    /// `offset` when writeback was last started.
    written_back_through: u64,
    smallest_key: Vec<u8>,
    last_key: Vec<u8>,
    entry_count: u64,
    tombstone_count: u64,
    raw_key_bytes: u64,
    raw_value_bytes: u64,
    data_block_count: u64,
    /// Set when a write failed: the file's contents are unknown.
    failed: bool,
}

impl SsTableBuilder {
    /// A builder writing to `file`, which must be empty (a new file).
    ///
    /// # Panics
    /// If `file` is not empty: data blocks must start at offset 0.
    pub fn new(file: Box<dyn WritableFile>, options: &SsTableOptions) -> Self {
        assert!(file.is_empty(), "SsTableBuilder needs a new, empty file");
        SsTableBuilder {
            file,
            block_size_bytes: options.block_size_bytes.min(BLOCK_SIZE_BYTES_MAX),
            data_block: BlockBuilder::new(options.restart_interval),
            index: IndexBuilder::new(),
            bloom: BloomBuilder::new(options.bloom_bits_per_key),
            scratch: Vec::new(),
            offset: 0,
            written_back_through: 0,
            smallest_key: Vec::new(),
            last_key: Vec::new(),
            entry_count: 0,
            tombstone_count: 0,
            raw_key_bytes: 0,
            raw_value_bytes: 0,
            data_block_count: 0,
            failed: false,
        }
    }

    fn check_not_failed(&self) -> Result<()> {
        if self.failed {
            return Err(Error::io(
                "append",
                self.file.path(),
                std::io::Error::other("an earlier write to this table failed"),
            ));
        }
        Ok(())
    }

    /// Adds an entry. `internal_key` must be a valid internal key (user key
    /// ++ trailer with a known kind) larger than every key added before, in
    /// [`internal_key::compare`] order. A tombstone's value should be empty.
    ///
    /// # Errors
    /// - [`Error::Corruption`] naming this file if the key is not an
    ///   internal key or is out of order (a bug in the caller or corrupt
    ///   input; debug builds panic instead). Nothing is written.
    /// - [`Error::Validation`] if the key or value exceeds the format's
    ///   limits. Nothing is written.
    /// - [`Error::InvalidConfig`] if the index block would exceed 4 GiB
    ///   (cut tables smaller).
    /// - [`Error::Io`] if writing a full block failed; the builder then
    ///   fails every later call and the file must be discarded.
    pub fn add(&mut self, internal_key: &[u8], value: &[u8]) -> Result<()> {
        self.check_not_failed()?;
        if internal_key.len() > INTERNAL_KEY_BYTES_MAX {
            return Err(Error::validation(format!(
                "key of {} bytes exceeds the SSTable limit of {INTERNAL_KEY_BYTES_MAX} bytes",
                internal_key.len()
            )));
        }
        if value.len() > ENCODED_VALUE_BYTES_MAX {
            return Err(Error::validation(format!(
                "value of {} bytes exceeds the SSTable limit of {ENCODED_VALUE_BYTES_MAX} bytes",
                value.len()
            )));
        }
        let Some(parsed) = ParsedKey::parse(internal_key) else {
            debug_assert!(false, "SsTableBuilder::add: not an internal key");
            return Err(Error::corruption(
                self.file.path(),
                self.offset,
                "SSTable builder given a key that is not an internal key",
            ));
        };
        let in_order = self.entry_count == 0
            || internal_key::compare(&self.last_key, internal_key) == Ordering::Less;
        debug_assert!(in_order, "SsTableBuilder::add: keys out of order");
        if !in_order {
            return Err(Error::corruption(
                self.file.path(),
                self.offset,
                "SSTable builder given keys out of internal-key order",
            ));
        }
        if self.index.has_pending() {
            if !self.index.has_room() {
                return Err(Error::InvalidConfig(
                    "SSTable index block would exceed 4 GiB; lower the table size target".into(),
                ));
            }
            self.index.add_pending(&self.last_key, Some(internal_key));
        }
        if self.entry_count == 0 {
            self.smallest_key.extend_from_slice(internal_key);
            self.bloom.add_key(parsed.user_key);
        } else if internal_key::user_key(&self.last_key) != parsed.user_key {
            self.bloom.add_key(parsed.user_key);
        }
        self.data_block.add(internal_key, value);
        self.last_key.clear();
        self.last_key.extend_from_slice(internal_key);
        self.entry_count += 1;
        self.tombstone_count += u64::from(parsed.kind == ValueKind::Delete);
        self.raw_key_bytes += internal_key.len() as u64;
        self.raw_value_bytes += value.len() as u64;
        if self.data_block.size_estimate_bytes() >= self.block_size_bytes {
            self.flush_data_block()?;
        }
        Ok(())
    }

    /// Entries added so far.
    pub fn entry_count(&self) -> u64 {
        self.entry_count
    }

    /// The size the file would have if finished now (approximately: the
    /// index and filter are estimated).
    pub fn estimated_size_bytes(&self) -> u64 {
        let pending_block = if self.data_block.is_empty() {
            0
        } else {
            self.data_block.size_estimate_bytes() + BLOCK_TRAILER_BYTES
        };
        let tail = self.index.size_estimate_bytes()
            + self.bloom.size_estimate_bytes()
            + 3 * BLOCK_TRAILER_BYTES
            + FOOTER_BYTES;
        self.offset + (pending_block + tail) as u64
    }

    /// Appends `contents` (a block without trailer; the trailer is appended
    /// to the same buffer) and returns its handle.
    fn write_block(
        file: &mut dyn WritableFile,
        offset: &mut u64,
        failed: &mut bool,
        contents: &mut Vec<u8>,
    ) -> Result<BlockHandle> {
        let size_bytes = append_block_trailer(contents, CompressionTag::None) as u64;
        if let Err(e) = file.append(contents) {
            *failed = true;
            return Err(e);
        }
        let handle = BlockHandle {
            offset: *offset,
            size_bytes,
        };
        *offset += contents.len() as u64;
        Ok(handle)
    }

    fn flush_data_block(&mut self) -> Result<()> {
        debug_assert!(!self.data_block.is_empty());
        let contents = self.data_block.finish();
        let handle = Self::write_block(
            &mut *self.file,
            &mut self.offset,
            &mut self.failed,
            contents,
        )?;
        self.data_block.reset();
        self.data_block_count += 1;
        self.index.set_pending(handle);
        // Keep dirty pages from piling up for the final sync (limits.rs).
        if self.offset - self.written_back_through >= crate::limits::WRITEBACK_INTERVAL_BYTES {
            if let Err(e) = self.file.start_writeback() {
                self.failed = true;
                return Err(e);
            }
            self.written_back_through = self.offset;
        }
        Ok(())
    }

    /// Writes the last data block, the filter, properties and index blocks
    /// and the footer, then `sync_data`s the file. The caller makes the
    /// directory entry durable. Finishing with no entries is allowed and
    /// writes a valid empty table (no data blocks; empty smallest and
    /// largest keys) — the LSM never asks for one.
    ///
    /// # Errors
    /// [`Error::Io`] if a write or the sync failed (the file must then be
    /// discarded: see `docs/architecture.md` on failed syncs), or the error
    /// of an earlier failed call.
    pub fn finish(mut self) -> Result<SsTableInfo> {
        self.check_not_failed()?;
        if !self.data_block.is_empty() {
            self.flush_data_block()?;
        }
        if self.index.has_pending() {
            self.index.add_pending(&self.last_key, None);
        }

        self.scratch.clear();
        self.bloom.finish_into(&mut self.scratch);
        let filter = Self::write_block(
            &mut *self.file,
            &mut self.offset,
            &mut self.failed,
            &mut self.scratch,
        )?;

        self.scratch.clear();
        let properties = TableProperties {
            entry_count: self.entry_count,
            tombstone_count: self.tombstone_count,
            raw_key_bytes: self.raw_key_bytes,
            raw_value_bytes: self.raw_value_bytes,
            data_block_count: self.data_block_count,
            smallest_key: bytes::Bytes::copy_from_slice(&self.smallest_key),
            largest_key: bytes::Bytes::copy_from_slice(&self.last_key),
        };
        properties.encode_into(&mut self.scratch);
        let properties = Self::write_block(
            &mut *self.file,
            &mut self.offset,
            &mut self.failed,
            &mut self.scratch,
        )?;

        let index_contents = self.index.finish();
        let index = Self::write_block(
            &mut *self.file,
            &mut self.offset,
            &mut self.failed,
            index_contents,
        )?;

        let footer = Footer {
            filter,
            properties,
            index,
        }
        .encode();
        self.file.append(&footer)?;
        self.offset += FOOTER_BYTES as u64;
        self.file.sync_data()?;
        debug_assert_eq!(self.offset, self.file.len());
        Ok(SsTableInfo {
            size_bytes: self.offset,
            entry_count: self.entry_count,
            tombstone_count: self.tombstone_count,
            smallest_key: self.smallest_key,
            largest_key: self.last_key,
        })
    }
}
