//! Body encoding primitives. All integers are little-endian; every length
//! is checked against the bytes that remain before anything is allocated,
//! so a lying length costs nothing but an error.
//!
//! ```text
//! u8, u16, u32, u64   fixed width, LE
//! bool                u8: 0 or 1 (anything else is an error)
//! string              u32 length, then that many bytes of UTF-8
//! bytes               u32 length, then the bytes
//! option<T>           u8 0 (absent) | 1 then T
//! item                u32 length, then the engine's item encoding
//!                     (docs/format/item.md)
//! list<T>             u32 count, then the elements
//! map<string, T>      u32 count, then (string key, T) pairs in strictly
//!                     increasing key order (duplicates are an error)
//! ```

use dynacore::Item;
use dynacore::coding::item::{decode_item, encode_item_into};

/// Why a body did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("body ends early: {field} needs {needed} more bytes, {remaining} remain")]
    Truncated {
        field: &'static str,
        needed: usize,
        remaining: usize,
    },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{0} bytes left over after the body")]
    TrailingBytes(usize),
    #[error("unknown opcode {0:#04x}")]
    UnknownOpcode(u8),
}

impl DecodeError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DecodeError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

/// Appends encoded values to a buffer.
#[derive(Debug, Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }

    pub fn u8(&mut self, value: u8) {
        self.buf.push(value);
    }

    pub fn u16(&mut self, value: u16) {
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    pub fn u32(&mut self, value: u32) {
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    pub fn u64(&mut self, value: u64) {
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    pub fn bool(&mut self, value: bool) {
        self.u8(value as u8);
    }

    /// A length or count. Bodies are bounded far below 4 GiB, so a larger
    /// one is a bug in the caller.
    pub fn len(&mut self, len: usize) {
        self.u32(u32::try_from(len).expect("protocol lengths fit in u32"));
    }

    pub fn bytes(&mut self, value: &[u8]) {
        self.len(value.len());
        self.buf.extend_from_slice(value);
    }

    pub fn string(&mut self, value: &str) {
        self.bytes(value.as_bytes());
    }

    pub fn item(&mut self, item: &Item) {
        let at = self.buf.len();
        self.u32(0);
        encode_item_into(&mut self.buf, item);
        let len = (self.buf.len() - at - 4) as u32;
        self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }

    pub fn option<T>(&mut self, value: Option<&T>, mut each: impl FnMut(&mut Self, &T)) {
        match value {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                each(self, v);
            }
        }
    }

    pub fn opt_string(&mut self, value: Option<&str>) {
        match value {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.string(v);
            }
        }
    }

    pub fn list<T>(&mut self, values: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.len(values.len());
        for v in values {
            each(self, v);
        }
    }

    pub fn map<T>(
        &mut self,
        values: &std::collections::BTreeMap<String, T>,
        mut each: impl FnMut(&mut Self, &T),
    ) {
        self.len(values.len());
        for (k, v) in values {
            self.string(k);
            each(self, v);
        }
    }
}

/// Reads encoded values from a body, front to back.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(body: &'a [u8]) -> Self {
        Reader { rest: body }
    }

    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Succeeds only if the whole body was read.
    pub fn finish(self) -> Result<(), DecodeError> {
        match self.rest.len() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }

    pub fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.rest.len() < n {
            return Err(DecodeError::Truncated {
                field,
                needed: n,
                remaining: self.rest.len(),
            });
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(field, 1)?[0])
    }

    pub fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(
            self.take(field, 2)?.try_into().expect("2"),
        ))
    }

    pub fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(
            self.take(field, 4)?.try_into().expect("4"),
        ))
    }

    pub fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(
            self.take(field, 8)?.try_into().expect("8"),
        ))
    }

    pub fn bool(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(DecodeError::invalid(
                field,
                format!("bool byte {other} is not 0 or 1"),
            )),
        }
    }

    /// A count of elements each at least `min_element_bytes` long: refused
    /// at once if the body could not hold that many.
    pub fn count(
        &mut self,
        field: &'static str,
        min_element_bytes: usize,
    ) -> Result<usize, DecodeError> {
        let n = self.u32(field)? as usize;
        let needed = n.saturating_mul(min_element_bytes.max(1));
        if needed > self.rest.len() {
            return Err(DecodeError::Truncated {
                field,
                needed,
                remaining: self.rest.len(),
            });
        }
        Ok(n)
    }

    pub fn bytes(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.u32(field)? as usize;
        self.take(field, n)
    }

    pub fn string(&mut self, field: &'static str) -> Result<String, DecodeError> {
        let raw = self.bytes(field)?;
        std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|e| DecodeError::invalid(field, format!("not UTF-8: {e}")))
    }

    pub fn item(&mut self, field: &'static str) -> Result<Item, DecodeError> {
        let raw = self.bytes(field)?;
        decode_item(raw).map_err(|e| DecodeError::invalid(field, e.to_string()))
    }

    /// Reads the option tag; `true` if a value follows.
    pub fn present(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        self.bool(field)
    }

    pub fn option<T>(
        &mut self,
        field: &'static str,
        each: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        if self.present(field)? {
            each(self).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn opt_string(&mut self, field: &'static str) -> Result<Option<String>, DecodeError> {
        self.option(field, |r| r.string(field))
    }

    /// A list whose elements are each at least `min_element_bytes` long.
    pub fn list<T>(
        &mut self,
        field: &'static str,
        min_element_bytes: usize,
        mut each: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let n = self.count(field, min_element_bytes)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(each(self)?);
        }
        Ok(out)
    }

    /// A map with string keys in strictly increasing order; values are
    /// each at least `min_value_bytes` long.
    pub fn map<T>(
        &mut self,
        field: &'static str,
        min_value_bytes: usize,
        mut each: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<std::collections::BTreeMap<String, T>, DecodeError> {
        let n = self.count(field, 4 + min_value_bytes)?;
        let mut out = std::collections::BTreeMap::new();
        let mut previous: Option<String> = None;
        for _ in 0..n {
            let key = self.string(field)?;
            if previous.as_ref().is_some_and(|p| *p >= key) {
                return Err(DecodeError::invalid(
                    field,
                    format!("map keys out of order or repeated at {key:?}"),
                ));
            }
            let value = each(self)?;
            previous = Some(key.clone());
            out.insert(key, value);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lying_count_is_refused_before_allocating() {
        let mut w = Writer::new();
        w.u32(u32::MAX);
        let body = w.into_inner();
        let mut r = Reader::new(&body);
        let err = r.list("keys", 4, |r| r.u32("key")).unwrap_err();
        assert!(matches!(err, DecodeError::Truncated { field: "keys", .. }));
    }

    #[test]
    fn maps_must_be_sorted_and_unique() {
        let mut w = Writer::new();
        w.u32(2);
        w.string("b");
        w.u8(1);
        w.string("a");
        w.u8(2);
        let body = w.into_inner();
        let err = Reader::new(&body)
            .map("names", 1, |r| r.u8("v"))
            .unwrap_err();
        assert!(matches!(err, DecodeError::Invalid { field: "names", .. }));
    }
}
