//! Constants, tags and fixed-size records of the SSTable format, shared by
//! the writer ([`super::builder`]) and the reader ([`super::reader`]).
//!
//! Pure code: no I/O, no state. Every offset is derived from a chain of
//! constants and every fixed size is checked at compile time, so this file
//! and `docs/format/sstable.md` describe the same bytes (the golden test in
//! `super::tests` enforces the latter). Decoding never panics; it returns a
//! [`DecodeError`] that the caller turns into [`crate::Error::Corruption`]
//! with the file's path and byte offset.

use crate::coding::internal_key::TRAILER_BYTES;
use crate::coding::{DecodeError, Decoder, checksum32, put_varint};
use crate::limits::ENCODED_KEY_BYTES_MAX;

/// The format version this code writes and the only one it reads.
///
/// History: 1 — the first format (see `docs/format/sstable.md`).
pub const FORMAT_VERSION: u32 = 1;

/// The last 8 bytes of every SSTable, little-endian: the ASCII bytes
/// `dynacSST` as they appear in a hex dump.
pub const MAGIC: u64 = u64::from_le_bytes(*b"dynacSST");

/// The longest internal key the format accepts: the longest user key plus
/// the 8-byte trailer. Longer keys decode as corruption.
pub const INTERNAL_KEY_BYTES_MAX: usize = ENCODED_KEY_BYTES_MAX + TRAILER_BYTES;

pub use crate::limits::{BLOCK_SIZE_BYTES_MAX, RESTART_INTERVAL_DEFAULT};

/// Restart interval of the index block: every index entry stores its full
/// key, so the binary search over restarts lands on the exact entry.
pub const INDEX_RESTART_INTERVAL: usize = 1;

/// The largest block contents (data, index, filter or properties) the
/// writer produces and the reader accepts: restart offsets are u32.
pub const BLOCK_CONTENTS_BYTES_MAX: usize = u32::MAX as usize;

// ---------------------------------------------------------------------------
// Block layout: entries, then restart offsets, then the restart count.

/// Size of one restart offset in the restart array (u32 LE).
pub const RESTART_OFFSET_BYTES: usize = 4;
/// Size of the restart count at the very end of a block's contents (u32 LE).
pub const RESTART_COUNT_BYTES: usize = 4;

// ---------------------------------------------------------------------------
// Block trailer: follows the contents of every block on disk.

/// Offset of the compression tag within the block trailer.
pub const BLOCK_TRAILER_COMPRESSION_OFFSET: usize = 0;
/// Size of the compression tag.
pub const BLOCK_TRAILER_COMPRESSION_BYTES: usize = 1;
/// Offset of the checksum within the block trailer.
pub const BLOCK_TRAILER_CHECKSUM_OFFSET: usize =
    BLOCK_TRAILER_COMPRESSION_OFFSET + BLOCK_TRAILER_COMPRESSION_BYTES;
/// Size of the checksum (u32 LE, [`checksum32`] over contents ++ tag).
pub const BLOCK_TRAILER_CHECKSUM_BYTES: usize = 4;
/// Size of the whole block trailer.
pub const BLOCK_TRAILER_BYTES: usize = BLOCK_TRAILER_CHECKSUM_OFFSET + BLOCK_TRAILER_CHECKSUM_BYTES;
const _: () = assert!(BLOCK_TRAILER_BYTES == 5);

/// How a block's contents are stored. On disk in the block trailer; values
/// are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CompressionTag {
    /// Stored as is: the only compression of format version 1.
    None = 0,
}

impl CompressionTag {
    /// Decodes a stored tag; `None` for unknown tags.
    pub fn from_u8(byte: u8) -> Option<CompressionTag> {
        match byte {
            0 => Some(CompressionTag::None),
            _ => None,
        }
    }
}

/// Appends the block trailer (tag, checksum) to `block`, which holds exactly
/// the block contents, and returns the contents size. The checksum is
/// [`checksum32`] over the contents followed by the tag byte: the bytes
/// `offset .. offset + size_bytes + 1` of the file, contiguous on disk so the
/// reader verifies them with one call.
pub fn append_block_trailer(block: &mut Vec<u8>, tag: CompressionTag) -> usize {
    let contents_bytes = block.len();
    block.push(tag as u8);
    let checksum = checksum32(block);
    block.extend_from_slice(&checksum.to_le_bytes());
    contents_bytes
}

// ---------------------------------------------------------------------------
// Block handles.

/// Where a block's contents lie in the file. The block trailer follows the
/// contents and is not counted in `size_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockHandle {
    /// Offset of the first byte of the contents.
    pub offset: u64,
    /// Size of the contents, excluding the trailer.
    pub size_bytes: u64,
}

impl BlockHandle {
    /// The offset just past this block's trailer, or `None` on overflow
    /// (only possible for handles decoded from corrupt bytes).
    pub fn end_offset(&self) -> Option<u64> {
        self.offset
            .checked_add(self.size_bytes)?
            .checked_add(BLOCK_TRAILER_BYTES as u64)
    }

    /// Appends the handle as two varints (the index-entry value encoding).
    pub fn encode_varint_into(&self, out: &mut Vec<u8>) {
        put_varint(out, self.offset);
        put_varint(out, self.size_bytes);
    }

    /// Decodes a handle encoded by [`BlockHandle::encode_varint_into`],
    /// which must fill `bytes` exactly.
    pub fn decode_varint(bytes: &[u8]) -> Result<BlockHandle, DecodeError> {
        let mut decoder = Decoder::new(bytes);
        let offset = decoder.varint()?;
        let size_bytes = decoder.varint()?;
        if !decoder.is_empty() {
            return Err(decoder.error("trailing bytes after block handle"));
        }
        Ok(BlockHandle { offset, size_bytes })
    }
}

// ---------------------------------------------------------------------------
// Footer: the last FOOTER_BYTES of the file.

/// Footer field: filter block offset (u64 LE).
pub const FOOTER_FILTER_OFFSET_OFFSET: usize = 0;
/// Footer field: filter block contents size (u64 LE).
pub const FOOTER_FILTER_SIZE_OFFSET: usize = FOOTER_FILTER_OFFSET_OFFSET + 8;
/// Footer field: properties block offset (u64 LE).
pub const FOOTER_PROPERTIES_OFFSET_OFFSET: usize = FOOTER_FILTER_SIZE_OFFSET + 8;
/// Footer field: properties block contents size (u64 LE).
pub const FOOTER_PROPERTIES_SIZE_OFFSET: usize = FOOTER_PROPERTIES_OFFSET_OFFSET + 8;
/// Footer field: index block offset (u64 LE).
pub const FOOTER_INDEX_OFFSET_OFFSET: usize = FOOTER_PROPERTIES_SIZE_OFFSET + 8;
/// Footer field: index block contents size (u64 LE).
pub const FOOTER_INDEX_SIZE_OFFSET: usize = FOOTER_INDEX_OFFSET_OFFSET + 8;
/// Footer field: format version (u32 LE).
pub const FOOTER_VERSION_OFFSET: usize = FOOTER_INDEX_SIZE_OFFSET + 8;
/// Footer field: checksum (u32 LE) of footer bytes `0..FOOTER_CHECKSUM_OFFSET`.
pub const FOOTER_CHECKSUM_OFFSET: usize = FOOTER_VERSION_OFFSET + 4;
/// Footer field: magic (u64 LE), [`MAGIC`].
pub const FOOTER_MAGIC_OFFSET: usize = FOOTER_CHECKSUM_OFFSET + 4;
/// Size of the footer.
pub const FOOTER_BYTES: usize = FOOTER_MAGIC_OFFSET + 8;
const _: () = assert!(FOOTER_BYTES == 64);
const _: () = assert!(FOOTER_CHECKSUM_OFFSET == 52);

/// The decoded footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footer {
    /// The bloom filter block.
    pub filter: BlockHandle,
    /// The properties block.
    pub properties: BlockHandle,
    /// The index block.
    pub index: BlockHandle,
}

fn u64_at(bytes: &[u8; FOOTER_BYTES], offset: usize) -> u64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&bytes[offset..offset + 8]);
    u64::from_le_bytes(raw)
}

fn u32_at(bytes: &[u8; FOOTER_BYTES], offset: usize) -> u32 {
    let mut raw = [0u8; 4];
    raw.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_le_bytes(raw)
}

impl Footer {
    /// Encodes the footer, version [`FORMAT_VERSION`], with its checksum and magic.
    pub fn encode(&self) -> [u8; FOOTER_BYTES] {
        let mut out = [0u8; FOOTER_BYTES];
        let mut put = |offset: usize, bytes: &[u8]| {
            out[offset..offset + bytes.len()].copy_from_slice(bytes);
        };
        put(
            FOOTER_FILTER_OFFSET_OFFSET,
            &self.filter.offset.to_le_bytes(),
        );
        put(
            FOOTER_FILTER_SIZE_OFFSET,
            &self.filter.size_bytes.to_le_bytes(),
        );
        put(
            FOOTER_PROPERTIES_OFFSET_OFFSET,
            &self.properties.offset.to_le_bytes(),
        );
        put(
            FOOTER_PROPERTIES_SIZE_OFFSET,
            &self.properties.size_bytes.to_le_bytes(),
        );
        put(FOOTER_INDEX_OFFSET_OFFSET, &self.index.offset.to_le_bytes());
        put(
            FOOTER_INDEX_SIZE_OFFSET,
            &self.index.size_bytes.to_le_bytes(),
        );
        put(FOOTER_VERSION_OFFSET, &FORMAT_VERSION.to_le_bytes());
        let checksum = checksum32(&out[..FOOTER_CHECKSUM_OFFSET]);
        out[FOOTER_CHECKSUM_OFFSET..FOOTER_CHECKSUM_OFFSET + 4]
            .copy_from_slice(&checksum.to_le_bytes());
        out[FOOTER_MAGIC_OFFSET..FOOTER_BYTES].copy_from_slice(&MAGIC.to_le_bytes());
        out
    }

    /// Decodes and checks a footer: magic first (is this an SSTable at
    /// all?), then the checksum, then the version. Error offsets are
    /// relative to the start of the footer.
    pub fn decode(bytes: &[u8; FOOTER_BYTES]) -> Result<Footer, DecodeError> {
        let fail = |offset: usize, reason: &'static str| DecodeError { offset, reason };
        if u64_at(bytes, FOOTER_MAGIC_OFFSET) != MAGIC {
            return Err(fail(FOOTER_MAGIC_OFFSET, "bad magic: not an SSTable"));
        }
        if u32_at(bytes, FOOTER_CHECKSUM_OFFSET) != checksum32(&bytes[..FOOTER_CHECKSUM_OFFSET]) {
            return Err(fail(FOOTER_CHECKSUM_OFFSET, "footer checksum mismatch"));
        }
        if u32_at(bytes, FOOTER_VERSION_OFFSET) != FORMAT_VERSION {
            return Err(fail(
                FOOTER_VERSION_OFFSET,
                "unsupported SSTable format version",
            ));
        }
        let handle = |offset_at: usize, size_at: usize| BlockHandle {
            offset: u64_at(bytes, offset_at),
            size_bytes: u64_at(bytes, size_at),
        };
        Ok(Footer {
            filter: handle(FOOTER_FILTER_OFFSET_OFFSET, FOOTER_FILTER_SIZE_OFFSET),
            properties: handle(
                FOOTER_PROPERTIES_OFFSET_OFFSET,
                FOOTER_PROPERTIES_SIZE_OFFSET,
            ),
            index: handle(FOOTER_INDEX_OFFSET_OFFSET, FOOTER_INDEX_SIZE_OFFSET),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_round_trips_and_rejects_any_single_bit_flip() {
        let footer = Footer {
            filter: BlockHandle {
                offset: 100,
                size_bytes: 9,
            },
            properties: BlockHandle {
                offset: 114,
                size_bytes: 30,
            },
            index: BlockHandle {
                offset: 149,
                size_bytes: 20,
            },
        };
        let encoded = footer.encode();
        assert_eq!(Footer::decode(&encoded), Ok(footer));
        for bit in 0..FOOTER_BYTES * 8 {
            let mut flipped = encoded;
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(
                Footer::decode(&flipped).is_err(),
                "flip of bit {bit} went unnoticed"
            );
        }
    }

    #[test]
    fn block_checksum_covers_contents_and_tag() {
        let mut block = b"contents".to_vec();
        let size = append_block_trailer(&mut block, CompressionTag::None);
        assert_eq!(size, 8);
        assert_eq!(block[size], CompressionTag::None as u8);
        let stored = u32::from_le_bytes(block[size + 1..].try_into().unwrap());
        assert_eq!(stored, checksum32(b"contents\0"));
    }

    #[test]
    fn block_handle_varints_reject_trailing_bytes() {
        let handle = BlockHandle {
            offset: 300,
            size_bytes: 4096,
        };
        let mut out = Vec::new();
        handle.encode_varint_into(&mut out);
        assert_eq!(BlockHandle::decode_varint(&out), Ok(handle));
        out.push(0);
        assert!(BlockHandle::decode_varint(&out).is_err());
    }
}
