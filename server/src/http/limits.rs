//! The sizes an HTTP request may reach, each with its reason. The parser
//! checks them before it allocates anything for the request.

/// Bounds on one request. [`Limits::default`] is what the DynamoDB listener
/// uses; tests shrink them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The request line without its CRLF. 8 KiB is the common server
    /// default (nginx, Apache); DynamoDB's targets are `/`. Over it: 414.
    pub request_line_bytes_max: usize,
    /// Every header line with its CRLF plus the empty line ending them.
    /// 16 KiB holds a SigV4 `Authorization` many times over. Over it: 431.
    pub header_block_bytes_max: usize,
    /// Header lines. SDKs send about a dozen. Over it: 431.
    pub header_count_max: usize,
    /// `Content-Length`: DynamoDB refuses request bodies over 16 MB with
    /// 413, and so do we, from the header, before the body arrives.
    pub body_bytes_max: u64,
    /// A `gzip` body once inflated; the same 16 MiB, so a small compressed
    /// body cannot grow memory further than a plain one may. Over it: 413.
    pub inflated_body_bytes_max: u64,
}

/// 8 KiB.
pub const REQUEST_LINE_BYTES_MAX: usize = 8 * 1024;
/// 16 KiB.
pub const HEADER_BLOCK_BYTES_MAX: usize = 16 * 1024;
pub const HEADER_COUNT_MAX: usize = 100;
/// 16 MiB.
pub const BODY_BYTES_MAX: u64 = 16 * 1024 * 1024;
pub const INFLATED_BODY_BYTES_MAX: u64 = BODY_BYTES_MAX;

// The smallest header line is "a:\r\n" (4 bytes), so the count limit is the
// one that binds for many tiny headers, never an impossible one.
const _: () = assert!(HEADER_COUNT_MAX * 4 + 2 <= HEADER_BLOCK_BYTES_MAX);
// A body must fit in memory on a 32-bit target too.
const _: () = assert!(BODY_BYTES_MAX <= u32::MAX as u64);
const _: () = assert!(INFLATED_BODY_BYTES_MAX <= u32::MAX as u64);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_line_bytes_max: REQUEST_LINE_BYTES_MAX,
            header_block_bytes_max: HEADER_BLOCK_BYTES_MAX,
            header_count_max: HEADER_COUNT_MAX,
            body_bytes_max: BODY_BYTES_MAX,
            inflated_body_bytes_max: INFLATED_BODY_BYTES_MAX,
        }
    }
}
