//! [`SsTable`]: an open, immutable SSTable, and [`SsTableIterator`] over it.
//!
//! The whole file is one `Bytes` (an mmap on the real file system); blocks
//! and values are zero-copy slices of it. [`SsTable::open`] checks the
//! footer, then verifies and decodes the filter, properties and index blocks
//! and checks that the index's block handles tile the data region exactly,
//! so every byte of the file is covered by a checksum that is verified
//! before the byte is used: the footer, filter, properties and index at
//! open, each data block whenever it is read. Any failure is
//! [`Error::Corruption`] naming the file and the byte offset.
//!
//! An `SsTable` is `Send + Sync` and shared as `Arc<SsTable>` by the shard
//! that owns it and its iterators; it has no interior mutability. Each
//! iterator belongs to one thread. Format: `docs/format/sstable.md`.
//!
//! Later optimisation: a data block is checksummed on every read (one XXH3
//! pass over the block, `get` included); a cache of verified blocks would
//! skip that for hot blocks.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use crate::coding::internal_key::{self, KIND_SEEK, ValueKind};
use crate::coding::{DecodeError, Decoder, checksum32};
use crate::ids::SeqNo;
use crate::iter::InternalIterator;
use crate::{Error, Result};

use super::block::{Block, BlockIter, SeekTarget, split_key};
use super::bloom::BloomFilter;
use super::format::{BlockHandle, CompressionTag, FOOTER_BYTES, Footer};
use super::properties::TableProperties;

/// An open SSTable; see the module docs.
pub struct SsTable {
    path: PathBuf,
    file: Bytes,
    footer: Footer,
    index: Block,
    filter: BloomFilter,
    properties: TableProperties,
}

const _: () = {
    const fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<SsTable>();
    const fn movable_between_threads<T: Send>() {}
    movable_between_threads::<SsTableIterator>();
};

impl fmt::Debug for SsTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsTable")
            .field("path", &self.path)
            .field("size_bytes", &self.file.len())
            .field("entry_count", &self.properties.entry_count)
            .finish()
    }
}

impl SsTable {
    /// Opens the table whose whole contents are `bytes` (from
    /// [`crate::io::Fs::map`]); `path` is used in error messages.
    ///
    /// # Errors
    /// [`Error::Corruption`] naming `path` and the offset of the bad bytes
    /// if the footer (magic, checksum, version), the layout, or the filter,
    /// properties or index block (checksum, encoding, consistency) is bad.
    pub fn open(path: &Path, bytes: Bytes) -> Result<SsTable> {
        let corrupt = |offset: u64, reason: &str| Error::corruption(path, offset, reason);
        let Some(footer_start) = bytes.len().checked_sub(FOOTER_BYTES) else {
            return Err(corrupt(0, "file is shorter than an SSTable footer"));
        };
        let mut footer_bytes = [0u8; FOOTER_BYTES];
        footer_bytes.copy_from_slice(&bytes[footer_start..]);
        let footer = Footer::decode(&footer_bytes)
            .map_err(|e| corrupt(footer_start as u64 + e.offset as u64, e.reason))?;
        let tiles = footer.filter.end_offset() == Some(footer.properties.offset)
            && footer.properties.end_offset() == Some(footer.index.offset)
            && footer.index.end_offset() == Some(footer_start as u64);
        if !tiles {
            return Err(corrupt(
                footer_start as u64,
                "footer block handles do not tile the end of the file",
            ));
        }
        let filter_contents = read_block(path, &bytes, footer.filter, "filter")?;
        let properties_contents = read_block(path, &bytes, footer.properties, "properties")?;
        let index_contents = read_block(path, &bytes, footer.index, "index")?;
        let at = |handle: BlockHandle| {
            move |e: DecodeError| corrupt(handle.offset + e.offset as u64, e.reason)
        };
        let filter = BloomFilter::decode(filter_contents).map_err(at(footer.filter))?;
        let properties =
            TableProperties::decode(&properties_contents).map_err(at(footer.properties))?;
        let index = Block::decode(index_contents).map_err(at(footer.index))?;
        let table = SsTable {
            path: path.to_path_buf(),
            file: bytes,
            footer,
            index,
            filter,
            properties,
        };
        table.check_index()?;
        Ok(table)
    }

    /// Walks the index once: keys strictly increasing, handles contiguous
    /// from offset 0 to the filter block, one entry per data block, the last
    /// key equal to the table's largest key.
    fn check_index(&self) -> Result<()> {
        let index_error =
            |e: DecodeError| self.corrupt(self.footer.index.offset + e.offset as u64, e.reason);
        let mut iter = BlockIter::new(self.index.clone());
        iter.seek_to_first().map_err(index_error)?;
        let mut previous_key: Vec<u8> = Vec::new();
        let mut expected_offset = 0u64;
        let mut block_count = 0u64;
        while iter.valid() {
            let entry_offset = self.footer.index.offset + iter.value_offset() as u64;
            if block_count > 0 && internal_key::compare(&previous_key, iter.key()).is_ge() {
                return Err(self.corrupt(entry_offset, "index keys out of order"));
            }
            let handle = self.decode_handle(&iter)?;
            if handle.offset != expected_offset {
                return Err(self.corrupt(entry_offset, "data block handles are not contiguous"));
            }
            expected_offset = handle
                .end_offset()
                .filter(|&end| end <= self.footer.filter.offset)
                .ok_or_else(|| {
                    self.corrupt(entry_offset, "data block extends past the data region")
                })?;
            previous_key.clear();
            previous_key.extend_from_slice(iter.key());
            block_count += 1;
            iter.next().map_err(index_error)?;
        }
        if expected_offset != self.footer.filter.offset {
            return Err(self.corrupt(expected_offset, "data blocks do not reach the filter block"));
        }
        if block_count != self.properties.data_block_count {
            return Err(self.corrupt(
                self.footer.index.offset,
                "index entry count differs from the data block count",
            ));
        }
        if block_count > 0 && previous_key != self.properties.largest_key {
            return Err(self.corrupt(
                self.footer.index.offset,
                "last index key differs from the largest key",
            ));
        }
        Ok(())
    }

    fn corrupt(&self, offset: u64, reason: &str) -> Error {
        Error::corruption(&self.path, offset, reason)
    }

    /// The block handle in the current index entry.
    fn decode_handle(&self, index: &BlockIter) -> Result<BlockHandle> {
        BlockHandle::decode_varint(index.value()).map_err(|e| {
            self.corrupt(
                self.footer.index.offset + (index.value_offset() + e.offset) as u64,
                e.reason,
            )
        })
    }

    /// Reads, verifies and decodes the data block at `handle`.
    fn data_block(&self, handle: BlockHandle) -> Result<Block> {
        if handle
            .end_offset()
            .is_none_or(|end| end > self.footer.filter.offset)
        {
            return Err(self.corrupt(handle.offset, "data block handle outside the data region"));
        }
        let contents = read_block(&self.path, &self.file, handle, "data")?;
        Block::decode(contents).map_err(|e| self.corrupt(handle.offset + e.offset as u64, e.reason))
    }

    /// The path the table was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the table may hold an entry for `user_key` (a bloom filter
    /// probe: `false` means certainly not; `true` is wrong about 1% of the
    /// time at 10 bits per key).
    pub fn may_contain(&self, user_key: &[u8]) -> bool {
        self.filter.may_contain(user_key)
    }

    /// The newest entry for `user_key` with a sequence number `<= snapshot`:
    /// its kind and value (a zero-copy slice of the file; empty for a
    /// tombstone), or `None` if the table has no such entry. Probes the
    /// bloom filter, then the index, then reads one data block.
    ///
    /// # Errors
    /// [`Error::Corruption`] if the data block fails its checksum or does
    /// not decode.
    pub fn get(&self, user_key: &[u8], snapshot: SeqNo) -> Result<Option<(ValueKind, Bytes)>> {
        if !self.filter.may_contain(user_key) {
            return Ok(None);
        }
        self.get_past_filter(user_key, snapshot)
    }

    /// [`SsTable::get`] without the bloom probe, for a caller that already
    /// asked [`SsTable::may_contain`] (and counts its answers).
    pub fn get_past_filter(
        &self,
        user_key: &[u8],
        snapshot: SeqNo,
    ) -> Result<Option<(ValueKind, Bytes)>> {
        let trailer = internal_key::trailer(snapshot.min(SeqNo::MAX), KIND_SEEK);
        let target = SeekTarget::new(user_key, trailer);
        let mut index = BlockIter::new(self.index.clone());
        index
            .seek(&target)
            .map_err(|e| self.corrupt(self.footer.index.offset + e.offset as u64, e.reason))?;
        if !index.valid() {
            return Ok(None);
        }
        // The separator of the block found is >= the target and < every key
        // of the next block, whose user keys are therefore all larger than
        // `user_key`: one block decides.
        let handle = self.decode_handle(&index)?;
        let mut data = BlockIter::new(self.data_block(handle)?);
        data.seek(&target)
            .map_err(|e| self.corrupt(handle.offset + e.offset as u64, e.reason))?;
        if !data.valid() {
            return Ok(None);
        }
        let (found_user_key, found_trailer) = split_key(data.key());
        if found_user_key != user_key {
            return Ok(None);
        }
        // Keys were checked for a known kind when decoded.
        let kind = ValueKind::from_u8(found_trailer as u8)
            .ok_or_else(|| self.corrupt(handle.offset, "unknown value kind"))?;
        Ok(Some((kind, data.value_bytes())))
    }

    /// A cursor over every entry, in internal-key order. It holds a
    /// reference to the table, so the table outlives it.
    pub fn iter(self: &Arc<Self>) -> SsTableIterator {
        SsTableIterator {
            index: BlockIter::new(self.index.clone()),
            table: Arc::clone(self),
            data: None,
        }
    }

    /// The file size.
    pub fn size_bytes(&self) -> u64 {
        self.file.len() as u64
    }

    /// Entries in the table (every version and tombstone counted).
    pub fn entry_count(&self) -> u64 {
        self.properties.entry_count
    }

    /// Tombstones in the table.
    pub fn tombstone_count(&self) -> u64 {
        self.properties.tombstone_count
    }

    /// The smallest internal key (empty for an empty table).
    pub fn smallest_key(&self) -> &[u8] {
        &self.properties.smallest_key
    }

    /// The largest internal key (empty for an empty table).
    pub fn largest_key(&self) -> &[u8] {
        &self.properties.largest_key
    }

    /// All stored properties.
    pub fn properties(&self) -> &TableProperties {
        &self.properties
    }
}

/// Returns the verified contents of the block at `handle` (bounds, checksum
/// over contents ++ tag, known compression tag).
fn read_block(path: &Path, file: &Bytes, handle: BlockHandle, what: &str) -> Result<Bytes> {
    let corrupt = |offset: u64, reason: String| Error::corruption(path, offset, reason);
    let Some(end) = handle.end_offset().filter(|&end| end <= file.len() as u64) else {
        return Err(corrupt(
            handle.offset,
            format!("{what} block extends past the end of the file"),
        ));
    };
    let start = handle.offset as usize;
    let tag_at = start + handle.size_bytes as usize;
    let checksum_at = tag_at + 1;
    let stored = Decoder::new(&file[checksum_at..end as usize])
        .u32_le()
        .map_err(|e| corrupt(checksum_at as u64, e.reason.to_string()))?;
    if checksum32(&file[start..checksum_at]) != stored {
        return Err(corrupt(
            handle.offset,
            format!("{what} block checksum mismatch"),
        ));
    }
    if CompressionTag::from_u8(file[tag_at]) != Some(CompressionTag::None) {
        return Err(corrupt(
            tag_at as u64,
            format!("{what} block has an unknown compression tag"),
        ));
    }
    Ok(file.slice(start..tag_at))
}

/// A cursor over one table's entries; see [`InternalIterator`].
///
/// Seeks go through the index (binary search) and then the data block's
/// restart points. Each data block is checksum-verified when the cursor
/// enters it. After an error the cursor is invalid.
pub struct SsTableIterator {
    table: Arc<SsTable>,
    index: BlockIter,
    /// The current data block's offset (for error reports) and cursor.
    data: Option<(u64, BlockIter)>,
}

impl fmt::Debug for SsTableIterator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsTableIterator")
            .field("table", &self.table.path)
            .field("valid", &self.valid())
            .finish()
    }
}

impl SsTableIterator {
    /// Runs `step`, dropping the position if it fails.
    fn guard(&mut self, step: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        let result = step(self);
        if result.is_err() {
            self.data = None;
        }
        result
    }

    fn index_error(&self, e: DecodeError) -> Error {
        self.table
            .corrupt(self.table.footer.index.offset + e.offset as u64, e.reason)
    }

    /// Opens the data block the index cursor is on (or clears the data
    /// cursor if the index is exhausted). The data cursor is unpositioned.
    fn load_block(&mut self) -> Result<()> {
        self.data = None;
        if self.index.valid() {
            let handle = self.table.decode_handle(&self.index)?;
            let block = self.table.data_block(handle)?;
            self.data = Some((handle.offset, BlockIter::new(block)));
        }
        Ok(())
    }

    /// Moves through following blocks while the current one is exhausted.
    /// Bounded by the number of index entries.
    fn skip_exhausted_blocks(&mut self) -> Result<()> {
        while let Some((_, data)) = &self.data {
            if data.valid() {
                break;
            }
            self.index.next().map_err(|e| self.index_error(e))?;
            self.load_block()?;
            if let Some((offset, data)) = &mut self.data {
                let offset = *offset;
                data.seek_to_first()
                    .map_err(|e| self.table.corrupt(offset + e.offset as u64, e.reason))?;
            }
        }
        Ok(())
    }
}

impl InternalIterator for SsTableIterator {
    fn valid(&self) -> bool {
        self.data.as_ref().is_some_and(|(_, data)| data.valid())
    }

    fn seek_to_first(&mut self) -> Result<()> {
        self.guard(|this| {
            this.index
                .seek_to_first()
                .map_err(|e| this.index_error(e))?;
            this.load_block()?;
            if let Some((offset, data)) = &mut this.data {
                let offset = *offset;
                data.seek_to_first()
                    .map_err(|e| this.table.corrupt(offset + e.offset as u64, e.reason))?;
            }
            this.skip_exhausted_blocks()
        })
    }

    fn seek(&mut self, target: &[u8]) -> Result<()> {
        let target = SeekTarget::from_internal_key(target);
        self.guard(|this| {
            this.index.seek(&target).map_err(|e| this.index_error(e))?;
            this.load_block()?;
            if let Some((offset, data)) = &mut this.data {
                let offset = *offset;
                data.seek(&target)
                    .map_err(|e| this.table.corrupt(offset + e.offset as u64, e.reason))?;
            }
            this.skip_exhausted_blocks()
        })
    }

    fn next(&mut self) -> Result<()> {
        self.guard(|this| {
            if let Some((offset, data)) = &mut this.data {
                let offset = *offset;
                data.next()
                    .map_err(|e| this.table.corrupt(offset + e.offset as u64, e.reason))?;
            }
            this.skip_exhausted_blocks()
        })
    }

    fn key(&self) -> &[u8] {
        let (_, data) = self
            .data
            .as_ref()
            .expect("key() on an invalid SsTableIterator");
        data.key()
    }

    fn value(&self) -> &[u8] {
        let (_, data) = self
            .data
            .as_ref()
            .expect("value() on an invalid SsTableIterator");
        data.value()
    }
}
