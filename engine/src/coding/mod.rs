//! Byte-level encoding helpers shared by every on-disk format: fixed-width
//! little-endian integers, LEB128 varints, and a bounds-checked [`Decoder`].
//!
//! Pure code: no I/O. Decoding never panics on bad input; it returns a
//! [`DecodeError`] that the caller turns into a corruption error naming its
//! file and offset.

pub mod internal_key;
pub mod item;
pub mod key;

use std::fmt;

/// Why a byte sequence did not decode, and where (relative to the start of
/// the buffer the [`Decoder`] was given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Offset within the decoded buffer.
    pub offset: usize,
    /// What was expected.
    pub reason: &'static str,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.reason, self.offset)
    }
}

impl std::error::Error for DecodeError {}

/// Appends `value` as an unsigned LEB128 varint (1..=10 bytes).
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The number of bytes [`put_varint`] writes for `value`.
pub fn varint_len(value: u64) -> usize {
    let bits = 64 - (value | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Appends `value` as 4 little-endian bytes.
pub fn put_u32_le(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// Appends `value` as 8 little-endian bytes.
pub fn put_u64_le(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// Appends a varint length followed by `bytes`.
pub fn put_length_prefixed(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// The 32-bit checksum used by every dynacore format: the low 32 bits of
/// XXH3-64 over the covered bytes.
pub fn checksum32(bytes: &[u8]) -> u32 {
    xxhash_rust::xxh3::xxh3_64(bytes) as u32
}

/// A bounds-checked cursor over a byte slice.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Decoder<'a> {
    /// A decoder at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Decoder { bytes, position: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.position
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    /// Whether every byte was consumed.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// A [`DecodeError`] at the current position.
    pub fn error(&self, reason: &'static str) -> DecodeError {
        DecodeError {
            offset: self.position,
            reason,
        }
    }

    /// Takes the next `len` bytes.
    pub fn bytes(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.remaining() {
            return Err(self.error("unexpected end of input"));
        }
        let out = &self.bytes[self.position..self.position + len];
        self.position += len;
        Ok(out)
    }

    /// Takes one byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.bytes(1)?[0])
    }

    /// Takes 4 little-endian bytes.
    pub fn u32_le(&mut self) -> Result<u32, DecodeError> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Takes 8 little-endian bytes.
    pub fn u64_le(&mut self) -> Result<u64, DecodeError> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// Takes an unsigned LEB128 varint of at most 10 bytes.
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        let start = self.position;
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                self.position = start;
                return Err(self.error("varint overflows 64 bits"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        self.position = start;
        Err(self.error("varint longer than 10 bytes"))
    }

    /// Takes a varint that must fit `max` (a length or count).
    pub fn varint_at_most(&mut self, max: usize) -> Result<usize, DecodeError> {
        let start = self.position;
        let value = self.varint()?;
        if value > max as u64 {
            self.position = start;
            return Err(self.error("length exceeds its limit"));
        }
        Ok(value as usize)
    }

    /// Takes a varint length (at most `max`) and that many bytes.
    pub fn length_prefixed(&mut self, max: usize) -> Result<&'a [u8], DecodeError> {
        let len = self.varint_at_most(max)?;
        self.bytes(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varint_round_trips(value: u64) {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            prop_assert_eq!(out.len(), varint_len(value));
            let mut d = Decoder::new(&out);
            prop_assert_eq!(d.varint().unwrap(), value);
            prop_assert!(d.is_empty());
        }

        #[test]
        fn decoder_never_panics_on_garbage(bytes: Vec<u8>) {
            let mut d = Decoder::new(&bytes);
            while d.varint().is_ok() && d.length_prefixed(16).is_ok() {}
        }
    }

    #[test]
    fn varint_rejects_overlong_and_overflowing_input() {
        assert!(Decoder::new(&[0x80; 11]).varint().is_err());
        let mut overflow = vec![0xff; 9];
        overflow.push(0x02);
        assert!(Decoder::new(&overflow).varint().is_err());
        let mut max = vec![0xff; 9];
        max.push(0x01);
        assert_eq!(Decoder::new(&max).varint().unwrap(), u64::MAX);
    }
}
