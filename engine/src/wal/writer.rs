//! [`WalWriter`]: frames payloads into WAL records and appends them to a file.
//!
//! Owned by one thread (the shard's); not shared. Records are framed into an
//! in-memory buffer by [`WalWriter::add_record`] and reach the file in one
//! `append` per [`WalWriter::flush`], so a group of writes costs one write
//! and, with [`WalWriter::sync`], one `fdatasync` (group commit).
//!
//! Invariants:
//! - `block_offset` is the position, within its 32 KiB block, of the end of
//!   everything written or buffered so far; a record is never split across a
//!   block boundary, and a block tail too short for a header is zero-filled.
//! - After an `append` or `sync_data` error the writer is failed for good:
//!   every later call returns [`Error::Poisoned`]. The state of the file
//!   past its last successful sync is unknown, so retrying could silently
//!   lose or duplicate records (the fsyncgate lesson).
//!
//! Format: `docs/format/wal.md`.

use std::fmt;
use std::path::Path;

use super::format::{
    BLOCK_SIZE_BYTES, CHECKSUM_BYTES, CHECKSUM_OFFSET, HEADER_BYTES, RecordType, TYPE_OFFSET,
    record_checksum,
};
use crate::io::WritableFile;
use crate::limits::WAL_RECORD_BYTES_MAX;
use crate::{Error, Result};

/// Capacity the buffer is trimmed back to after a flush, so one huge batch
/// does not pin its memory for the life of the log.
const BUFFER_RETAINED_BYTES_MAX: usize = 1024 * 1024;

/// Appends records to a write-ahead log; see the module docs.
pub struct WalWriter {
    file: Box<dyn WritableFile>,
    /// Framed records not yet handed to `file`.
    buffer: Vec<u8>,
    /// Position within the current block of the end of `file` + `buffer`.
    block_offset: usize,
    /// Why the writer stopped accepting writes, if it did.
    failure: Option<String>,
    /// File length when writeback was last started.
    written_back_through: u64,
}

impl fmt::Debug for WalWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WalWriter")
            .field("path", &self.file.path())
            .field("size_bytes", &self.size_bytes())
            .field("buffered_bytes", &self.buffer.len())
            .field("failure", &self.failure)
            .finish()
    }
}

impl WalWriter {
    /// A writer appending to `file`. The file is normally new and empty; if
    /// it already holds bytes, new records continue its block structure.
    pub fn new(file: Box<dyn WritableFile>) -> Self {
        let block_offset = (file.len() % BLOCK_SIZE_BYTES as u64) as usize;
        WalWriter {
            file,
            buffer: Vec::new(),
            block_offset,
            failure: None,
            written_back_through: 0,
        }
    }

    /// The path of the log file.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Bytes in the log, including framed records not yet flushed.
    pub fn size_bytes(&self) -> u64 {
        self.file.len() + self.buffer.len() as u64
    }

    /// Frames `payload` as one logical record (fragmented across blocks if
    /// needed) into the in-memory buffer. Nothing reaches the file until
    /// [`WalWriter::flush`] or [`WalWriter::sync`]; the buffer grows until
    /// then, so callers bound how much they add between flushes.
    ///
    /// Errors: [`Error::Validation`] if `payload` is larger than
    /// [`WAL_RECORD_BYTES_MAX`] (nothing is buffered); [`Error::Poisoned`] if
    /// an earlier append or sync failed.
    pub fn add_record(&mut self, payload: &[u8]) -> Result<()> {
        self.check_not_failed()?;
        if payload.len() > WAL_RECORD_BYTES_MAX {
            return Err(Error::validation(format!(
                "a write batch of {} bytes exceeds the log record limit of {} bytes",
                payload.len(),
                WAL_RECORD_BYTES_MAX
            )));
        }
        let mut rest = payload;
        let mut is_first = true;
        loop {
            let block_left = BLOCK_SIZE_BYTES - self.block_offset;
            if block_left < HEADER_BYTES {
                // Too short for a header: zero-fill and start a new block.
                self.buffer.resize(self.buffer.len() + block_left, 0);
                self.block_offset = 0;
                continue;
            }
            let fragment_len = rest.len().min(block_left - HEADER_BYTES);
            let is_last = fragment_len == rest.len();
            let record_type = match (is_first, is_last) {
                (true, true) => RecordType::Full,
                (true, false) => RecordType::First,
                (false, false) => RecordType::Middle,
                (false, true) => RecordType::Last,
            };
            let (fragment, remainder) = rest.split_at(fragment_len);
            self.emit(record_type, fragment);
            rest = remainder;
            is_first = false;
            if is_last {
                return Ok(());
            }
        }
    }

    /// Appends one physical record to the buffer.
    fn emit(&mut self, record_type: RecordType, fragment: &[u8]) {
        debug_assert!(self.block_offset + HEADER_BYTES + fragment.len() <= BLOCK_SIZE_BYTES);
        let start = self.buffer.len();
        self.buffer.extend_from_slice(&[0; CHECKSUM_BYTES]);
        // The fragment fits a block, so its length fits the u16 field
        // (checked at compile time in `format`).
        self.buffer
            .extend_from_slice(&(fragment.len() as u16).to_le_bytes());
        self.buffer.push(record_type as u8);
        self.buffer.extend_from_slice(fragment);
        let checksum = record_checksum(&self.buffer[start + TYPE_OFFSET..]);
        let checksum_at = start + CHECKSUM_OFFSET;
        self.buffer[checksum_at..checksum_at + CHECKSUM_BYTES]
            .copy_from_slice(&checksum.to_le_bytes());
        self.block_offset += HEADER_BYTES + fragment.len();
    }

    /// Hands everything buffered to the file in one `append`. Not durable
    /// until [`WalWriter::sync`].
    ///
    /// Errors: the append's I/O error, after which the writer is failed;
    /// [`Error::Poisoned`] if it failed earlier.
    pub fn flush(&mut self) -> Result<()> {
        self.check_not_failed()?;
        if self.buffer.is_empty() {
            return Ok(());
        }
        if let Err(error) = self.file.append(&self.buffer) {
            return Err(self.fail(error));
        }
        self.buffer.clear();
        self.buffer.shrink_to(BUFFER_RETAINED_BYTES_MAX);
        // Outside Durability::Sync nothing syncs the log until its memtable
        // is frozen; keep its dirty pages from piling up for that sync.
        let size = self.file.len();
        if size - self.written_back_through >= crate::limits::WRITEBACK_INTERVAL_BYTES {
            if let Err(error) = self.file.start_writeback() {
                return Err(self.fail(error));
            }
            self.written_back_through = size;
        }
        Ok(())
    }

    /// Flushes and then makes every record added so far durable
    /// (`fdatasync`). One call covers any number of `add_record`s: this is
    /// the group commit point.
    ///
    /// Errors: as [`WalWriter::flush`], plus the sync's I/O error, after
    /// which the writer is failed.
    pub fn sync(&mut self) -> Result<()> {
        self.flush()?;
        if let Err(error) = self.file.sync_data() {
            return Err(self.fail(error));
        }
        Ok(())
    }

    /// Flushes, then starts a sync of every record added so far and returns
    /// the handle that finishes it ([`crate::io::WritableFile::begin_sync`]),
    /// so the caller can wait for the device without holding its lock.
    /// A failure of the returned handle's `wait` must be treated like a
    /// failed [`WalWriter::sync`]: the owner stops writing (the LSM poisons
    /// itself), since this writer cannot see that failure.
    ///
    /// Errors: as [`WalWriter::sync`].
    pub fn begin_sync(&mut self) -> Result<Box<dyn crate::io::PendingSync>> {
        self.flush()?;
        match self.file.begin_sync() {
            Ok(pending) => Ok(pending),
            Err(error) => Err(self.fail(error)),
        }
    }

    /// Whether an earlier append or sync failed (every write now fails).
    pub fn is_failed(&self) -> bool {
        self.failure.is_some()
    }

    fn check_not_failed(&self) -> Result<()> {
        match &self.failure {
            Some(reason) => Err(Error::Poisoned {
                reason: format!(
                    "the log {} failed earlier ({reason})",
                    self.file.path().display()
                ),
            }),
            None => Ok(()),
        }
    }

    /// Marks the writer failed and passes `error` on.
    fn fail(&mut self, error: Error) -> Error {
        self.failure = Some(error.to_string());
        self.buffer = Vec::new();
        error
    }
}
