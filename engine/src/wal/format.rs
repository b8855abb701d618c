//! The WAL's byte layout: block size, record header offsets and record types.
//!
//! Shared by [`super::writer`] and [`super::reader`] (and, through them, by
//! the manifest, which uses the same framing). Pure constants and helpers, no
//! I/O. The layout is specified in `docs/format/wal.md`; every offset here is
//! derived from the one before it, and the sizes the code relies on are
//! checked at compile time.
//!
//! ```text
//! +--------------+------------+----------+---------------------+
//! | checksum u32 | length u16 | type u8  | fragment (length B) |
//! +--------------+------------+----------+---------------------+
//!   0              4            6          7
//! ```

use crate::coding::checksum32;

/// Size of one block. Records never cross a block boundary: a payload that
/// does not fit is cut into fragments, one per block.
pub const BLOCK_SIZE_BYTES: usize = 32 * 1024;

/// Offset of the checksum (u32, little-endian) in a record header.
pub const CHECKSUM_OFFSET: usize = 0;
/// Size of the checksum field.
pub const CHECKSUM_BYTES: usize = 4;
/// Offset of the fragment length (u16, little-endian) in a record header.
pub const LENGTH_OFFSET: usize = CHECKSUM_OFFSET + CHECKSUM_BYTES;
/// Size of the length field.
pub const LENGTH_BYTES: usize = 2;
/// Offset of the record type (u8) in a record header.
pub const TYPE_OFFSET: usize = LENGTH_OFFSET + LENGTH_BYTES;
/// Size of the type field.
pub const TYPE_BYTES: usize = 1;
/// Size of a record header; the fragment follows immediately.
pub const HEADER_BYTES: usize = TYPE_OFFSET + TYPE_BYTES;

/// The largest fragment one block can hold.
pub const FRAGMENT_BYTES_MAX: usize = BLOCK_SIZE_BYTES - HEADER_BYTES;

const _: () = assert!(HEADER_BYTES == 7);
// The checksum covers the type byte and the fragment, which must therefore be
// contiguous: the type is the last header field.
const _: () = assert!(TYPE_OFFSET + TYPE_BYTES == HEADER_BYTES);
// A fragment length always fits the u16 length field.
const _: () = assert!(FRAGMENT_BYTES_MAX <= u16::MAX as usize);
// Block boundaries are found by `offset % BLOCK_SIZE_BYTES`.
const _: () = assert!(BLOCK_SIZE_BYTES.is_power_of_two());

/// The type byte of a record: which part of a payload its fragment is.
/// Values are on disk and never reused; 0 is reserved for zero padding (a
/// preallocated or zero-filled tail), so no real record has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordType {
    /// The whole payload.
    Full = 1,
    /// The first fragment of a payload that continues in the next block.
    First = 2,
    /// A fragment strictly inside a payload.
    Middle = 3,
    /// The final fragment of a payload.
    Last = 4,
}

/// The type byte that zero padding reads as; never written in a header.
pub const RECORD_TYPE_RESERVED_ZERO: u8 = 0;

impl RecordType {
    /// Decodes a stored type byte; `None` for the reserved 0 and unknown values.
    pub fn from_u8(byte: u8) -> Option<RecordType> {
        match byte {
            1 => Some(RecordType::Full),
            2 => Some(RecordType::First),
            3 => Some(RecordType::Middle),
            4 => Some(RecordType::Last),
            _ => None,
        }
    }
}

/// The checksum stored in a record header, computed over the record's bytes
/// from the type byte to the end of the fragment (`record[TYPE_OFFSET..]`).
pub fn record_checksum(type_and_fragment: &[u8]) -> u32 {
    checksum32(type_and_fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_record_types_round_trip_and_zero_is_reserved() {
        for t in [
            RecordType::Full,
            RecordType::First,
            RecordType::Middle,
            RecordType::Last,
        ] {
            assert_eq!(RecordType::from_u8(t as u8), Some(t));
        }
        assert_eq!(RecordType::from_u8(RECORD_TYPE_RESERVED_ZERO), None);
        assert_eq!(RecordType::from_u8(5), None);
    }
}
