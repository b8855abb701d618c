//! A minimal blocking HTTP/1.1 keep-alive client for the DynamoDB JSON API:
//! one request at a time on one stream, `POST /` with the four headers the
//! API needs, and a response reader framed by `Content-Length` alone.
//!
//! Owned by one harness thread at a time (the target hands connections out
//! from a pool). Invariants: a response's head is at most
//! [`RESPONSE_HEAD_BYTES_MAX`] bytes and its body at most
//! [`RESPONSE_BODY_BYTES_MAX`], checked before the body is buffered; bytes
//! from the peer never reach an assertion; after any error but a well-framed
//! non-200 answer the connection is not reused ([`Connection::is_reusable`]),
//! since its stream may be out of step.
//!
//! What a real SDK does and this does not: no SigV4 signature (dynacore
//! accepts unsigned requests unless `--auth` is set) and no `Authorization`,
//! `User-Agent` or `X-Amz-Date` headers, so requests are a little smaller
//! than an SDK's; no retries (an error is the harness's to count); no
//! chunked bodies (DynamoDB and dynacore always send `Content-Length`). It
//! checks `x-amz-crc32` when the response has one, as the SDKs do.

use std::io::{self, Read, Write};

use dynacore_server::http::crc32;
use serde_json::Value;

/// The largest response head read: DynamoDB's answers carry a handful of
/// short headers, so anything near this is not a DynamoDB endpoint.
pub const RESPONSE_HEAD_BYTES_MAX: usize = 16 * 1024;

/// The largest response body read: a Query or Scan page holds at most 1 MB
/// of items, which their JSON (names repeated, base64, escapes) can
/// inflate several times; 16 MiB leaves room for that and bounds a broken
/// peer's `Content-Length`.
pub const RESPONSE_BODY_BYTES_MAX: usize = 16 << 20;

/// How many bytes are read from the socket at a time, at least.
const READ_CHUNK_BYTES: usize = 16 * 1024;

/// The `X-Amz-Target` prefix of every DynamoDB operation.
const TARGET_PREFIX: &str = "DynamoDB_20120810.";

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// The socket failed (or timed out) while `operation` was under way.
    Io {
        operation: &'static str,
        error: io::Error,
    },
    /// The response is not the HTTP/1.1 this client reads.
    Malformed(String),
    /// The body's CRC-32 is not the one `x-amz-crc32` announced.
    Checksum { header: u32, body: u32 },
    /// A well-framed answer with a status other than 200: DynamoDB's error
    /// type (`ResourceNotFoundException`, without its namespace) and message.
    Status {
        status: u16,
        error_type: String,
        message: String,
    },
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Io { operation, error } => write!(f, "{operation}: {error}"),
            CallError::Malformed(why) => write!(f, "malformed HTTP response: {why}"),
            CallError::Checksum { header, body } => write!(
                f,
                "x-amz-crc32 says {header} but the body's CRC-32 is {body}"
            ),
            CallError::Status {
                status,
                error_type,
                message,
            } => write!(f, "HTTP {status}: {error_type}: {message}"),
        }
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CallError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl CallError {
    /// Whether this is DynamoDB's error `error_type` (e.g.
    /// `ResourceNotFoundException`).
    pub fn is_error_type(&self, error_type: &str) -> bool {
        matches!(self, CallError::Status { error_type: t, .. } if t == error_type)
    }
}

fn malformed(why: impl Into<String>) -> CallError {
    CallError::Malformed(why.into())
}

/// A response's status line and the headers this client uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    /// Bytes of the status line and headers, the blank line included.
    pub head_bytes: usize,
    pub content_length_bytes: usize,
    /// `x-amz-crc32`, if present.
    pub crc32: Option<u32>,
    /// Whether the connection stays open after this response.
    pub keep_alive: bool,
}

/// Parses a response head from the start of `buffer`: `Ok(None)` if the
/// head is not complete yet (and still under the bound).
///
/// # Errors
/// [`CallError::Malformed`] for anything but `HTTP/1.x NNN ...` with a
/// single `Content-Length` and no `Transfer-Encoding`, or a head or body
/// over the bounds.
pub fn parse_head(buffer: &[u8]) -> Result<Option<ResponseHead>, CallError> {
    let searched = &buffer[..buffer.len().min(RESPONSE_HEAD_BYTES_MAX)];
    let Some(end) = searched.windows(4).position(|w| w == b"\r\n\r\n") else {
        if buffer.len() >= RESPONSE_HEAD_BYTES_MAX {
            return Err(malformed(format!(
                "no end of the head in its first {RESPONSE_HEAD_BYTES_MAX} bytes"
            )));
        }
        return Ok(None);
    };
    let head =
        std::str::from_utf8(&buffer[..end]).map_err(|_| malformed("the head is not UTF-8 text"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let http_1_0 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(malformed(format!("status line {status_line:?}"))),
    };
    let status = parts
        .next()
        .filter(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| malformed(format!("status line {status_line:?}")))?;
    let mut content_length_bytes = None;
    let mut crc = None;
    let mut keep_alive = !http_1_0;
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| malformed(format!("header line {line:?}")))?;
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("content-length") {
            let length = value
                .parse::<usize>()
                .ok()
                .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| malformed(format!("Content-Length {value:?}")))?;
            if content_length_bytes.is_some_and(|previous| previous != length) {
                return Err(malformed("two different Content-Lengths"));
            }
            if length > RESPONSE_BODY_BYTES_MAX {
                return Err(malformed(format!(
                    "a body of {length} bytes (this client reads at most {RESPONSE_BODY_BYTES_MAX})"
                )));
            }
            content_length_bytes = Some(length);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(malformed(format!(
                "Transfer-Encoding {value:?} (only Content-Length framing is read)"
            )));
        } else if name.eq_ignore_ascii_case("x-amz-crc32") {
            crc = Some(
                value
                    .parse::<u32>()
                    .map_err(|_| malformed(format!("x-amz-crc32 {value:?}")))?,
            );
        } else if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
        }
    }
    let content_length_bytes =
        content_length_bytes.ok_or_else(|| malformed("no Content-Length"))?;
    Ok(Some(ResponseHead {
        status,
        head_bytes: end + 4,
        content_length_bytes,
        crc32: crc,
        keep_alive,
    }))
}

/// DynamoDB's error body, `{"__type": "com.amazonaws...#Type", "message":
/// "..."}`, as a [`CallError::Status`]; any other body is kept as text.
fn status_error(status: u16, body: &[u8]) -> CallError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let member = |names: &[&str]| {
        names.iter().find_map(|name| {
            parsed
                .as_ref()
                .and_then(|v| v.get(*name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    };
    match member(&["__type"]) {
        Some(error_type) => CallError::Status {
            status,
            error_type: error_type
                .rsplit_once('#')
                .map_or(error_type.as_str(), |(_, name)| name)
                .to_owned(),
            message: member(&["message", "Message"]).unwrap_or_default(),
        },
        None => {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            CallError::Status {
                status,
                error_type: String::new(),
                message: text,
            }
        }
    }
}

/// One HTTP/1.1 connection to a DynamoDB endpoint; see the module docs.
#[derive(Debug)]
pub struct Connection<S> {
    stream: S,
    /// The request being sent (head and body), reused between calls.
    request: Vec<u8>,
    /// The request body, serialised before its head can be written.
    body: Vec<u8>,
    /// Bytes read from the stream; `filled_bytes` of them are valid.
    response: Vec<u8>,
    filled_bytes: usize,
    reusable: bool,
}

impl<S: Read + Write> Connection<S> {
    /// A connection over `stream`, which must be connected (and for TCP,
    /// preferably with `TCP_NODELAY`: the request is one write, but the
    /// reader should not wait on Nagle's algorithm either way).
    pub fn new(stream: S) -> Self {
        Connection {
            stream,
            request: Vec::with_capacity(4096),
            body: Vec::with_capacity(4096),
            response: vec![0; READ_CHUNK_BYTES * 4],
            filled_bytes: 0,
            reusable: true,
        }
    }

    /// Whether another call may be made: false after an error other than
    /// [`CallError::Status`], or an answer with `Connection: close`.
    pub fn is_reusable(&self) -> bool {
        self.reusable
    }

    /// Sends DynamoDB operation `operation` (`GetItem` ...) with `body` and
    /// returns the 200 answer's body, checked against `x-amz-crc32`.
    /// `host` is the `Host` header (the endpoint's `host:port`).
    ///
    /// # Errors
    /// [`CallError`]; a non-200 answer is [`CallError::Status`].
    ///
    /// # Panics
    /// If the connection is not reusable (the caller's mistake).
    pub fn call(&mut self, host: &str, operation: &str, body: &Value) -> Result<&[u8], CallError> {
        assert!(self.reusable, "call on a connection that is out of step");
        self.reusable = false;
        self.body.clear();
        serde_json::to_writer(&mut self.body, body).expect("a Value serialises");
        self.request.clear();
        // Writing into a Vec cannot fail.
        let _ = write!(
            self.request,
            "POST / HTTP/1.1\r\nHost: {host}\r\n\
             Content-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: {TARGET_PREFIX}{operation}\r\n\
             Content-Length: {}\r\n\r\n",
            self.body.len()
        );
        self.request.extend_from_slice(&self.body);
        self.stream
            .write_all(&self.request)
            .and_then(|()| self.stream.flush())
            .map_err(|error| CallError::Io {
                operation: "sending the request",
                error,
            })?;
        let head = self.read_response()?;
        let body_range = head.head_bytes..head.head_bytes + head.content_length_bytes;
        let response_body = &self.response[body_range];
        if let Some(header) = head.crc32 {
            let computed = crc32(response_body);
            if computed != header {
                return Err(CallError::Checksum {
                    header,
                    body: computed,
                });
            }
        }
        // Framed and checked: the stream is in step for the next request.
        self.reusable = head.keep_alive;
        if head.status != 200 {
            return Err(status_error(head.status, response_body));
        }
        Ok(response_body)
    }

    /// Reads one whole response into `self.response` (head at its start).
    fn read_response(&mut self) -> Result<ResponseHead, CallError> {
        if self.filled_bytes > 0 {
            // The previous response was read exactly; anything more is a
            // response to no request.
            return Err(malformed(format!(
                "{} bytes arrived before the request",
                self.filled_bytes
            )));
        }
        let mut head = None;
        loop {
            if head.is_none() {
                head = parse_head(&self.response[..self.filled_bytes])?;
            }
            // With the head known, read no further than this response.
            let (wanted_bytes, read_end) = match &head {
                Some(head) => {
                    let total = head.head_bytes + head.content_length_bytes;
                    (total, total)
                }
                None => (
                    usize::MAX,
                    self.response
                        .len()
                        .max(self.filled_bytes + READ_CHUNK_BYTES),
                ),
            };
            if self.filled_bytes >= wanted_bytes {
                break;
            }
            if self.response.len() < read_end {
                self.response.resize(read_end, 0);
            }
            let read = match self
                .stream
                .read(&mut self.response[self.filled_bytes..read_end])
            {
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    return Err(CallError::Io {
                        operation: "reading the response",
                        error,
                    });
                }
            };
            if read == 0 {
                return Err(malformed(format!(
                    "the connection closed after {} bytes of the response",
                    self.filled_bytes
                )));
            }
            self.filled_bytes += read;
        }
        let head = head.expect("the loop ends with a head");
        let total_bytes = head.head_bytes + head.content_length_bytes;
        if self.filled_bytes > total_bytes {
            return Err(malformed(format!(
                "{} bytes after the response",
                self.filled_bytes - total_bytes
            )));
        }
        // The body stays in place until the next call, which starts empty.
        self.filled_bytes = 0;
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that answers each request (each flush) with the next of
    /// `responses`, `chunk_bytes` at a time, and records what was written.
    struct Scripted {
        responses: std::collections::VecDeque<Vec<u8>>,
        available: Vec<u8>,
        position: usize,
        chunk_bytes: usize,
        written: Vec<u8>,
    }

    impl Scripted {
        fn new(response: &[u8], chunk_bytes: usize) -> Self {
            Scripted::answering(&[response.to_vec()], chunk_bytes)
        }

        fn answering(responses: &[Vec<u8>], chunk_bytes: usize) -> Self {
            Scripted {
                responses: responses.iter().cloned().collect(),
                available: Vec::new(),
                position: 0,
                chunk_bytes,
                written: Vec::new(),
            }
        }
    }

    impl Read for Scripted {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self
                .chunk_bytes
                .min(out.len())
                .min(self.available.len() - self.position);
            out[..n].copy_from_slice(&self.available[self.position..self.position + n]);
            self.position += n;
            Ok(n)
        }
    }

    impl Write for Scripted {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.written.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            // What the previous request did not read stays readable.
            if let Some(next) = self.responses.pop_front() {
                self.available.extend_from_slice(&next);
            }
            Ok(())
        }
    }

    /// A response as dynacore's server writes it.
    fn response(status: u16, body: &[u8], crc: Option<u32>) -> Vec<u8> {
        let crc = crc.unwrap_or_else(|| crc32(body)).to_string();
        let mut out = Vec::new();
        dynacore_server::http::write_response(
            &mut out,
            status,
            &[
                ("Content-Type", "application/x-amz-json-1.0"),
                ("x-amzn-RequestId", "ABC"),
                ("x-amz-crc32", &crc),
            ],
            body,
            true,
        );
        out
    }

    fn call(stream: Scripted) -> (Result<Vec<u8>, CallError>, Connection<Scripted>) {
        let mut connection = Connection::new(stream);
        let result = connection
            .call(
                "127.0.0.1:8000",
                "GetItem",
                &serde_json::json!({"TableName": "t"}),
            )
            .map(<[u8]>::to_vec);
        (result, connection)
    }

    #[test]
    fn reader_reassembles_responses_split_into_small_reads() {
        let body = br#"{"Item":{"k":{"S":"v"}}}"#;
        let wire = [response(200, body, None), response(200, b"{}", None)];
        for chunk_bytes in [1, 2, 7, 1 << 20] {
            let mut connection = Connection::new(Scripted::answering(&wire, chunk_bytes));
            // Two calls on one connection, as keep-alive makes them.
            assert_eq!(
                connection
                    .call("h:1", "GetItem", &serde_json::json!({}))
                    .unwrap(),
                body
            );
            assert!(connection.is_reusable());
            assert_eq!(
                connection
                    .call("h:1", "PutItem", &serde_json::json!({}))
                    .unwrap(),
                b"{}"
            );
        }
    }

    #[test]
    fn reader_reads_a_body_larger_than_its_buffer() {
        let body = format!("{{\"Items\":[\"{}\"]}}", "x".repeat(300_000));
        let (result, _) = call(Scripted::new(&response(200, body.as_bytes(), None), 5000));
        assert_eq!(result.unwrap(), body.as_bytes());
    }

    #[test]
    fn request_carries_the_dynamodb_headers_and_a_json_body() {
        let (result, connection) = call(Scripted::new(&response(200, b"{}", None), 64));
        result.unwrap();
        let written = String::from_utf8(connection.stream.written.clone()).unwrap();
        assert_eq!(
            written,
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\
             Content-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: DynamoDB_20120810.GetItem\r\n\
             Content-Length: 17\r\n\r\n{\"TableName\":\"t\"}"
        );
    }

    #[test]
    fn reader_rejects_a_bad_crc() {
        let body = b"{}";
        let (result, connection) = call(Scripted::new(
            &response(200, body, Some(crc32(body) ^ 1)),
            3,
        ));
        assert!(
            matches!(result, Err(CallError::Checksum { header, body: computed })
                if header == crc32(body) ^ 1 && computed == crc32(body)),
            "{result:?}"
        );
        assert!(!connection.is_reusable());
    }

    #[test]
    fn non_200_status_is_dynamodbs_error_and_keeps_the_connection() {
        let body = br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#;
        let (result, connection) = call(Scripted::new(&response(400, body, None), 5));
        let error = result.unwrap_err();
        assert!(
            error.is_error_type("ResourceNotFoundException"),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "HTTP 400: ResourceNotFoundException: Requested resource not found"
        );
        // Well framed: the next request may use the connection.
        assert!(connection.is_reusable());

        let (result, _) = call(Scripted::new(&response(500, b"oops", None), 5));
        assert_eq!(result.unwrap_err().to_string(), "HTTP 500: : oops");
    }

    #[test]
    fn reader_rejects_truncated_and_malformed_responses() {
        let whole = response(200, br#"{"Item":{}}"#, None);
        for cut in [0, 10, whole.len() - 1] {
            let (result, connection) = call(Scripted::new(&whole[..cut], 4));
            assert!(matches!(result, Err(CallError::Malformed(_))), "{result:?}");
            assert!(!connection.is_reusable());
        }
        for bad in [
            &b"HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n"[..],
            b"HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nx-amz-crc32: abc\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nno colon\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nextra",
        ] {
            let (result, _) = call(Scripted::new(bad, 1 << 20));
            assert!(
                matches!(result, Err(CallError::Malformed(_))),
                "{:?}: {result:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let endless = vec![b'a'; RESPONSE_HEAD_BYTES_MAX + 10];
        let (result, _) = call(Scripted::new(&endless, 4096));
        assert!(matches!(result, Err(CallError::Malformed(_))), "{result:?}");
    }

    #[test]
    fn connection_close_and_http_1_0_end_reuse() {
        let head = parse_head(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!head.keep_alive);
        let head = parse_head(b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!head.keep_alive);
        assert_eq!(head.head_bytes, 38);
        assert_eq!(head.crc32, None);
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Le").unwrap(), None);
        let (result, connection) = call(Scripted::new(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
            1 << 20,
        ));
        assert_eq!(result.unwrap(), b"{}");
        assert!(!connection.is_reusable());
    }
}
