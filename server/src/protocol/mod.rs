//! The binary protocol: frames, opcodes, bodies and error codes.
//!
//! Every message, either way, is one *frame*: a fixed 20-byte header and a
//! body of `body_len` bytes. `docs/protocol.md` is the specification; this
//! module is its implementation, and `tests/golden.rs` binds the two.
//!
//! ```text
//! offset size field
//!      0    2 magic        b"DC"
//!      2    1 version      1
//!      3    1 opcode       which operation (`Opcode`)
//!      4    1 flags        bit 0: response, bit 1: error; others zero
//!      5    3 reserved     zero
//!      8    8 request_id   u64 LE, chosen by the client, echoed by the reply
//!     16    4 body_len     u32 LE, checked against the limit before any
//!                          allocation
//! ```

pub mod codec;
pub mod error;
mod fields;
mod fuzz;
pub mod message;
mod replies;
mod requests;

pub use codec::DecodeError;
pub use error::{ErrorCode, ErrorReply};
pub use fuzz::{FuzzOutcome, fuzz_decode};
pub use message::{Hello, HelloReply, Request, Response};

/// The first two bytes of every frame.
pub const MAGIC: [u8; 2] = *b"DC";
/// The newest protocol version this build speaks.
pub const VERSION: u8 = 1;
/// The oldest protocol version this build still speaks.
pub const MIN_VERSION: u8 = 1;
/// Bytes in a frame header.
pub const HEADER_LEN: usize = 20;
/// The default largest body a peer accepts (16 MiB: a BatchGetItem reply
/// is at most 16 MB of items plus their framing, and 25 puts of 400 KB fit).
pub const DEFAULT_MAX_BODY_BYTES: u32 = 16 * 1024 * 1024 + 64 * 1024;

/// Flag bit: this frame is a reply.
pub const FLAG_RESPONSE: u8 = 0x01;
/// Flag bit: this reply is an error; its body is an [`ErrorReply`].
pub const FLAG_ERROR: u8 = 0x02;
const KNOWN_FLAGS: u8 = FLAG_RESPONSE | FLAG_ERROR;

/// The operations, one opcode each. The numbers are the protocol; never
/// reuse one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Opcode {
    Hello = 0x01,
    CreateTable = 0x10,
    DeleteTable = 0x11,
    DescribeTable = 0x12,
    ListTables = 0x13,
    UpdateTable = 0x14,
    GetItem = 0x20,
    PutItem = 0x21,
    UpdateItem = 0x22,
    DeleteItem = 0x23,
    Query = 0x30,
    Scan = 0x31,
    BatchGetItem = 0x40,
    BatchWriteItem = 0x41,
    Stats = 0x50,
}

impl Opcode {
    /// Every opcode, in number order.
    pub const ALL: [Opcode; 15] = [
        Opcode::Hello,
        Opcode::CreateTable,
        Opcode::DeleteTable,
        Opcode::DescribeTable,
        Opcode::ListTables,
        Opcode::UpdateTable,
        Opcode::GetItem,
        Opcode::PutItem,
        Opcode::UpdateItem,
        Opcode::DeleteItem,
        Opcode::Query,
        Opcode::Scan,
        Opcode::BatchGetItem,
        Opcode::BatchWriteItem,
        Opcode::Stats,
    ];

    pub fn from_u8(byte: u8) -> Option<Opcode> {
        Opcode::ALL.into_iter().find(|op| *op as u8 == byte)
    }

    /// The DynamoDB operation name (metrics labels, logs, the CLI).
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Hello => "Hello",
            Opcode::CreateTable => "CreateTable",
            Opcode::DeleteTable => "DeleteTable",
            Opcode::DescribeTable => "DescribeTable",
            Opcode::ListTables => "ListTables",
            Opcode::UpdateTable => "UpdateTable",
            Opcode::GetItem => "GetItem",
            Opcode::PutItem => "PutItem",
            Opcode::UpdateItem => "UpdateItem",
            Opcode::DeleteItem => "DeleteItem",
            Opcode::Query => "Query",
            Opcode::Scan => "Scan",
            Opcode::BatchGetItem => "BatchGetItem",
            Opcode::BatchWriteItem => "BatchWriteItem",
            Opcode::Stats => "Stats",
        }
    }
}

/// A frame header, decoded. `opcode` stays a byte so that a frame with an
/// unknown opcode can still be answered (with `UnknownOperation`) under its
/// request id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    pub version: u8,
    pub opcode: u8,
    pub flags: u8,
    pub request_id: u64,
    pub body_len: u32,
}

/// Why a header was refused. Each one closes the connection after an
/// error frame, since the stream can no longer be trusted to be in step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("bad magic {0:02x?}: not a dynacore frame (expected \"DC\")")]
    BadMagic([u8; 2]),
    #[error("protocol version {0} is not spoken here (versions {MIN_VERSION}..={VERSION})")]
    UnsupportedVersion(u8),
    #[error("unknown flag bits {0:#04x}")]
    UnknownFlags(u8),
    #[error("reserved header bytes must be zero")]
    ReservedNotZero,
    #[error("body of {len} bytes exceeds the limit of {max} bytes")]
    BodyTooLarge { len: u32, max: u32 },
}

impl FrameHeader {
    /// A request header.
    pub fn request(opcode: Opcode, request_id: u64, body_len: u32) -> Self {
        FrameHeader {
            version: VERSION,
            opcode: opcode as u8,
            flags: 0,
            request_id,
            body_len,
        }
    }

    /// The header of the reply to `self`.
    pub fn reply(&self, is_error: bool, body_len: u32) -> Self {
        FrameHeader {
            version: self.version,
            opcode: self.opcode,
            flags: FLAG_RESPONSE | if is_error { FLAG_ERROR } else { 0 },
            request_id: self.request_id,
            body_len,
        }
    }

    pub fn is_response(&self) -> bool {
        self.flags & FLAG_RESPONSE != 0
    }

    pub fn is_error(&self) -> bool {
        self.flags & FLAG_ERROR != 0
    }

    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..2].copy_from_slice(&MAGIC);
        out[2] = self.version;
        out[3] = self.opcode;
        out[4] = self.flags;
        out[8..16].copy_from_slice(&self.request_id.to_le_bytes());
        out[16..20].copy_from_slice(&self.body_len.to_le_bytes());
        out
    }

    /// Decodes and checks a header; `max_body` is the receiver's limit.
    /// Checks run in byte order, so the first bad field is the one named.
    pub fn decode(bytes: &[u8; HEADER_LEN], max_body: u32) -> Result<Self, FrameError> {
        let magic = [bytes[0], bytes[1]];
        if magic != MAGIC {
            return Err(FrameError::BadMagic(magic));
        }
        let version = bytes[2];
        if !(MIN_VERSION..=VERSION).contains(&version) {
            return Err(FrameError::UnsupportedVersion(version));
        }
        let flags = bytes[4];
        if flags & !KNOWN_FLAGS != 0 {
            return Err(FrameError::UnknownFlags(flags));
        }
        if bytes[5..8] != [0, 0, 0] {
            return Err(FrameError::ReservedNotZero);
        }
        let request_id = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
        let body_len = u32::from_le_bytes(bytes[16..20].try_into().expect("4 bytes"));
        if body_len > max_body {
            return Err(FrameError::BodyTooLarge {
                len: body_len,
                max: max_body,
            });
        }
        Ok(FrameHeader {
            version,
            opcode: bytes[3],
            flags,
            request_id,
            body_len,
        })
    }
}

/// A whole frame as bytes: header then body.
pub fn encode_frame(header: FrameHeader, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&header.encode());
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_bad_fields_are_named() {
        let header = FrameHeader::request(Opcode::GetItem, 0x0102_0304_0506_0708, 42);
        let bytes = header.encode();
        assert_eq!(FrameHeader::decode(&bytes, 100), Ok(header));
        let mut bad = bytes;
        bad[0] = b'X';
        assert!(matches!(
            FrameHeader::decode(&bad, 100),
            Err(FrameError::BadMagic(_))
        ));
        let mut bad = bytes;
        bad[2] = 9;
        assert_eq!(
            FrameHeader::decode(&bad, 100),
            Err(FrameError::UnsupportedVersion(9))
        );
        let mut bad = bytes;
        bad[4] = 0x80;
        assert_eq!(
            FrameHeader::decode(&bad, 100),
            Err(FrameError::UnknownFlags(0x80))
        );
        let mut bad = bytes;
        bad[6] = 1;
        assert_eq!(
            FrameHeader::decode(&bad, 100),
            Err(FrameError::ReservedNotZero)
        );
        assert_eq!(
            FrameHeader::decode(&bytes, 41),
            Err(FrameError::BodyTooLarge { len: 42, max: 41 })
        );
    }

    #[test]
    fn opcodes_are_distinct_and_round_trip() {
        for op in Opcode::ALL {
            assert_eq!(Opcode::from_u8(op as u8), Some(op));
        }
        assert_eq!(Opcode::from_u8(0xFF), None);
    }
}
