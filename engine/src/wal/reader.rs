//! [`WalReader`]: reads the records of a write-ahead log back, telling a torn
//! tail from corruption.
//!
//! Used at recovery, by one thread, over the whole file mapped in memory.
//! Bytes from the file are only ever inspected through bounds-checked slices;
//! nothing read reaches an assertion.
//!
//! # Damage
//! A *bad record* is a checksum mismatch, a length that crosses its block, an
//! unknown or reserved type, a fragment out of sequence, a truncated header or
//! payload, or non-zero bytes in a block's zero-filled tail. When the reader
//! meets one it scans the rest of the file for a valid record:
//! - none follows: the damage is a **torn tail** (a write that never
//!   completed, hence was never acknowledged). Reading ends with `Ok(None)`
//!   and [`WalReader::torn_tail`] says where.
//! - one follows: acknowledged records may lie beyond the damage, so this is
//!   **corruption** ([`Error::Corruption`] naming the file and the offset of
//!   the bad record).
//!
//! The scan tries every byte offset after the bad record in its own block
//! (a flipped length bit breaks the chain of lengths there), then follows
//! the chain of records from the start of each later block, where a header
//! always begins, so that payload bytes are never mistaken for a record
//! there and a garbage tail costs one pass. A run of zero bytes to the end
//! of the file (a preallocated or zero-filled tail) is a clean end, not
//! damage.
//!
//! Format and rationale: `docs/format/wal.md`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::format::{
    BLOCK_SIZE_BYTES, CHECKSUM_BYTES, CHECKSUM_OFFSET, HEADER_BYTES, LENGTH_BYTES, LENGTH_OFFSET,
    RECORD_TYPE_RESERVED_ZERO, RecordType, TYPE_OFFSET, record_checksum,
};
use crate::limits::WAL_RECORD_BYTES_MAX;
use crate::{Error, Result};

/// What one header position holds.
enum Header {
    /// A record whose checksum matches.
    Valid {
        record_type: RecordType,
        fragment: Range<usize>,
    },
    /// A record with a sensible type and length whose checksum fails or
    /// whose payload is cut off: the next record (if any) starts at `next`.
    Damaged { next: usize, reason: &'static str },
    /// Not a record header: wrong type or a length that crosses the block.
    Implausible { reason: &'static str },
}

/// Interprets the bytes at `offset` as a record header. `offset` must leave
/// room for a header in its block (`offset % BLOCK + HEADER <= BLOCK`).
fn classify(bytes: &[u8], offset: usize) -> Header {
    let Some(header) = bytes.get(offset..offset + HEADER_BYTES) else {
        return Header::Implausible {
            reason: "truncated record header",
        };
    };
    let type_byte = header[TYPE_OFFSET];
    let Some(record_type) = RecordType::from_u8(type_byte) else {
        return Header::Implausible {
            reason: if type_byte == RECORD_TYPE_RESERVED_ZERO {
                "reserved record type 0 (zero padding) followed by non-zero bytes"
            } else {
                "unknown record type"
            },
        };
    };
    let mut length_le = [0u8; LENGTH_BYTES];
    length_le.copy_from_slice(&header[LENGTH_OFFSET..LENGTH_OFFSET + LENGTH_BYTES]);
    let length = usize::from(u16::from_le_bytes(length_le));
    let block_left = BLOCK_SIZE_BYTES - offset % BLOCK_SIZE_BYTES;
    if HEADER_BYTES + length > block_left {
        return Header::Implausible {
            reason: "record length crosses its block boundary",
        };
    }
    let end = offset + HEADER_BYTES + length;
    let Some(type_and_fragment) = bytes.get(offset + TYPE_OFFSET..end) else {
        return Header::Damaged {
            next: end,
            reason: "truncated record payload",
        };
    };
    let mut checksum_le = [0u8; CHECKSUM_BYTES];
    checksum_le.copy_from_slice(&header[CHECKSUM_OFFSET..CHECKSUM_OFFSET + CHECKSUM_BYTES]);
    if u32::from_le_bytes(checksum_le) != record_checksum(type_and_fragment) {
        return Header::Damaged {
            next: end,
            reason: "record checksum mismatch",
        };
    }
    Header::Valid {
        record_type,
        fragment: offset + HEADER_BYTES..end,
    }
}

/// The offset of the first valid record at or after `from`, scanning as the
/// module docs describe; `None` if there is none.
fn find_valid_record(bytes: &[u8], from: usize) -> Option<usize> {
    let damaged_block_start = from - from % BLOCK_SIZE_BYTES;
    let damaged_block_end = (damaged_block_start + BLOCK_SIZE_BYTES).min(bytes.len());
    // In the damaged block the chain of lengths may be broken (a flipped
    // length bit), so try every offset where a header fits.
    let mut offset = from;
    while offset + HEADER_BYTES <= damaged_block_end {
        if let Header::Valid { .. } = classify(bytes, offset) {
            return Some(offset);
        }
        offset += 1;
    }
    // Every later block starts with a header: follow the chain from there.
    let mut block_start = damaged_block_start + BLOCK_SIZE_BYTES;
    while block_start < bytes.len() {
        let block_end = (block_start + BLOCK_SIZE_BYTES).min(bytes.len());
        let mut offset = block_start;
        while offset + HEADER_BYTES <= block_end {
            match classify(bytes, offset) {
                Header::Valid { .. } => return Some(offset),
                Header::Damaged { next, .. } => offset = next,
                Header::Implausible { .. } => break,
            }
        }
        block_start += BLOCK_SIZE_BYTES;
    }
    None
}

/// What the next physical record position holds.
enum Physical {
    Record {
        offset: usize,
        record_type: RecordType,
        fragment: Range<usize>,
    },
    End,
    Bad {
        offset: usize,
        reason: &'static str,
    },
}

#[derive(Debug, Clone)]
enum State {
    Reading,
    Ended,
    Failed { offset: u64, reason: String },
}

/// Reads the records of one log; see the module docs.
#[derive(Debug)]
pub struct WalReader {
    path: PathBuf,
    bytes: Bytes,
    /// Offset of the next physical record.
    position: usize,
    last_record_offset: u64,
    torn_tail: Option<(u64, String)>,
    state: State,
}

impl WalReader {
    /// A reader over `bytes`, the whole content of the log at `path` (the
    /// path is only used in error messages).
    pub fn new(path: &Path, bytes: Bytes) -> Self {
        WalReader {
            path: path.to_path_buf(),
            bytes,
            position: 0,
            last_record_offset: 0,
            torn_tail: None,
            state: State::Reading,
        }
    }

    /// The next logical record (a payload given to `WalWriter::add_record`),
    /// or `Ok(None)` at the end of the log: a clean end, or a torn tail
    /// reported by [`WalReader::torn_tail`]. Records made of one fragment
    /// are returned without copying.
    ///
    /// Errors: [`Error::Corruption`] with the offset of the bad record if a
    /// damaged record is followed by a valid one; every later call returns
    /// the same error.
    pub fn next_record(&mut self) -> Result<Option<Bytes>> {
        match &self.state {
            State::Reading => {}
            State::Ended => return Ok(None),
            State::Failed { offset, reason } => {
                return Err(Error::corruption(&self.path, *offset, reason.clone()));
            }
        }
        // A handle on the same buffer (no copy), so fragments can be borrowed
        // while `self` changes.
        let bytes = self.bytes.clone();
        // The first offset and the fragments of a record being reassembled.
        let mut pending: Option<(usize, Vec<u8>)> = None;
        loop {
            let (offset, record_type, fragment) = match self.next_physical() {
                Physical::Record {
                    offset,
                    record_type,
                    fragment,
                } => (offset, record_type, fragment),
                Physical::End => {
                    // Nothing follows, so an unfinished record is a torn tail.
                    if let Some((start, _)) = pending {
                        self.torn_tail = Some((
                            start as u64,
                            "the log ends inside a fragmented record".to_owned(),
                        ));
                    }
                    self.state = State::Ended;
                    return Ok(None);
                }
                Physical::Bad { offset, reason } => {
                    return self.end_damaged(offset, pending.map(|(start, _)| start), reason);
                }
            };
            let fragment_bytes = &bytes[fragment.clone()];
            match (record_type, &mut pending) {
                (RecordType::Full, None) => {
                    self.last_record_offset = offset as u64;
                    return Ok(Some(bytes.slice(fragment)));
                }
                (RecordType::First, None) => {
                    pending = Some((offset, fragment_bytes.to_vec()));
                }
                (RecordType::Middle | RecordType::Last, Some((start, payload))) => {
                    let start = *start;
                    if payload.len() + fragment_bytes.len() > WAL_RECORD_BYTES_MAX {
                        return self.end_damaged(
                            offset,
                            Some(start),
                            "reassembled record exceeds the record size limit",
                        );
                    }
                    payload.extend_from_slice(fragment_bytes);
                    if record_type == RecordType::Last {
                        self.last_record_offset = start as u64;
                        let payload = std::mem::take(payload);
                        return Ok(Some(Bytes::from(payload)));
                    }
                }
                (RecordType::Full | RecordType::First, Some((start, _))) => {
                    let start = *start;
                    return self.end_damaged(
                        offset,
                        Some(start),
                        "a record starts before the fragmented record in progress ended",
                    );
                }
                (RecordType::Middle | RecordType::Last, None) => {
                    return self.end_damaged(
                        offset,
                        None,
                        "a continuation fragment without a first fragment",
                    );
                }
            }
        }
    }

    /// Where reading stopped at a torn tail, and why: the offset is the end
    /// of the last record returned (the start of the incomplete one), so the
    /// log's valid prefix is that many bytes. `None` while reading, after a
    /// clean end, or after corruption.
    pub fn torn_tail(&self) -> Option<(u64, String)> {
        self.torn_tail.clone()
    }

    /// The file offset at which the last record returned starts (its first
    /// fragment). Decoders of the payload use it to name the record in
    /// errors.
    pub fn last_record_offset(&self) -> u64 {
        self.last_record_offset
    }

    /// The path the reader reports in errors.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the physical record at `self.position`, skipping block tails.
    fn next_physical(&mut self) -> Physical {
        let bytes = &self.bytes[..];
        loop {
            let offset = self.position;
            if offset >= bytes.len() {
                return Physical::End;
            }
            let block_left = BLOCK_SIZE_BYTES - offset % BLOCK_SIZE_BYTES;
            if block_left < HEADER_BYTES {
                let tail_end = (offset + block_left).min(bytes.len());
                if bytes[offset..tail_end].iter().any(|&b| b != 0) {
                    return Physical::Bad {
                        offset,
                        reason: "non-zero bytes in a block's zero-filled tail",
                    };
                }
                self.position = tail_end;
                continue;
            }
            let rest = &bytes[offset..];
            let looks_like_padding =
                rest.len() < HEADER_BYTES || rest[TYPE_OFFSET] == RECORD_TYPE_RESERVED_ZERO;
            if looks_like_padding && rest.iter().all(|&b| b == 0) {
                return Physical::End;
            }
            return match classify(bytes, offset) {
                Header::Valid {
                    record_type,
                    fragment,
                } => {
                    self.position = fragment.end;
                    Physical::Record {
                        offset,
                        record_type,
                        fragment,
                    }
                }
                Header::Damaged { reason, .. } | Header::Implausible { reason } => {
                    Physical::Bad { offset, reason }
                }
            };
        }
    }

    /// Ends reading at the bad record at `bad_offset`: corruption if a valid
    /// record follows it, else a torn tail starting at `pending_start` (the
    /// unfinished record) or at the bad record itself.
    fn end_damaged(
        &mut self,
        bad_offset: usize,
        pending_start: Option<usize>,
        reason: &str,
    ) -> Result<Option<Bytes>> {
        if let Some(valid_offset) = find_valid_record(&self.bytes, bad_offset) {
            let reason = format!(
                "{reason}; a valid record follows at offset {valid_offset}, so this is not a torn tail"
            );
            let error = Error::corruption(&self.path, bad_offset as u64, reason.clone());
            self.state = State::Failed {
                offset: bad_offset as u64,
                reason,
            };
            return Err(error);
        }
        let tail_offset = pending_start.unwrap_or(bad_offset);
        let reason = if tail_offset == bad_offset {
            reason.to_owned()
        } else {
            format!("{reason} (at offset {bad_offset})")
        };
        self.torn_tail = Some((tail_offset as u64, reason));
        self.state = State::Ended;
        Ok(None)
    }
}
