//! The incremental request parser: [`parse`] looks at the unparsed front of
//! a connection's read buffer and either finds one whole request, asks for
//! more bytes, or refuses.
//!
//! The grammar is RFC 9112's, strictly: lines end in CRLF, header names are
//! tokens followed directly by `:`, obsolete line folding is refused, and
//! control characters are refused in values. Empty lines before a request
//! line are skipped (RFC 9112 §2.2), so a client's stray CRLF after a body
//! does not break a pipeline.
//!
//! A call that returns `Ok(None)` keeps nothing; the next call rescans from
//! the start. The rescan is bounded by the header limits (24 KiB), and the
//! body is not scanned at all, so feeding a request byte by byte costs at
//! most that many bytes per call.

use super::error::HttpError;
use super::limits::Limits;

/// The HTTP version of a request; anything else is refused with 505.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

/// The header fields of a request in the order they came. Lookups ignore
/// ASCII case; repeated fields are all kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// (name as sent, value with surrounding whitespace removed).
    fields: Vec<(String, String)>,
}

impl Headers {
    /// The first value of `name`, compared without regard to ASCII case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Every value of `name`, in the order sent.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Every field as (name as sent, value), in the order sent.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Whether some value of `name`, read as a comma-separated list, holds
    /// `token` (ASCII case ignored), as `Connection: keep-alive, Upgrade`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name)
            .flat_map(|value| value.split(','))
            .any(|item| item.trim().eq_ignore_ascii_case(token))
    }
}

/// One parsed request. The body is exactly `Content-Length` bytes, still
/// encoded as sent (see [`super::decode_body`] for `gzip`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method token as sent (methods are case-sensitive).
    pub method: String,
    /// The request target as sent, e.g. `/` or `/path?query`.
    pub target: String,
    pub version: Version,
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl Request {
    /// Whether the connection stays open after this request is answered:
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive` (and no `close`).
    pub fn keep_alive(&self) -> bool {
        if self.headers.has_token("connection", "close") {
            return false;
        }
        match self.version {
            Version::Http11 => true,
            Version::Http10 => self.headers.has_token("connection", "keep-alive"),
        }
    }
}

/// Parses one request from the front of `buf`.
///
/// Returns `Ok(Some((request, consumed_bytes)))` when a whole request is
/// there (the caller drops `consumed_bytes` from the front and may call
/// again for a pipelined next request), `Ok(None)` when more bytes are
/// needed, and `Err` when the bytes so far can never become an acceptable
/// request. Limits are checked as soon as the bytes that break them are
/// present, so an oversized request is refused without waiting for the
/// rest of it, and nothing is allocated for a size before it is checked.
///
/// Errors: 400 malformed syntax or `Content-Length`, or an HTTP/1.1 request
/// without exactly one `Host`; 411 `POST`/`PUT` without `Content-Length`;
/// 413 a `Content-Length` over [`Limits::body_bytes_max`]; 414 a request
/// line over [`Limits::request_line_bytes_max`]; 431 header limits; 501 any
/// `Transfer-Encoding`; 505 a version other than 1.0 and 1.1.
pub fn parse(buf: &[u8], limits: &Limits) -> Result<Option<(Request, usize)>, HttpError> {
    // Skip empty lines before the request line, bounded like the line.
    let mut start = 0;
    while buf[start..].starts_with(b"\r\n") {
        start += 2;
        if start > limits.request_line_bytes_max {
            return Err(HttpError::UriTooLong(
                "too many empty lines before the request",
            ));
        }
    }

    // The request line, looked for only within its limit (+2 for CRLF).
    let line_window = &buf[start..buf.len().min(start + limits.request_line_bytes_max + 2)];
    let Some(line_end) = find_crlf(line_window)? else {
        if line_window.len() >= limits.request_line_bytes_max + 2 {
            return Err(HttpError::UriTooLong("request line over 8 KiB"));
        }
        return Ok(None);
    };
    if line_end > limits.request_line_bytes_max {
        return Err(HttpError::UriTooLong("request line over 8 KiB"));
    }
    let (method, target, version) = parse_request_line(&buf[start..start + line_end])?;

    // The header block: lines up to and including the empty line.
    let headers_start = start + line_end + 2;
    let mut position = headers_start;
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        let block_used = position - headers_start;
        let window_end = buf.len().min(headers_start + limits.header_block_bytes_max);
        let window = &buf[position..window_end.max(position)];
        let Some(end) = find_crlf(window)? else {
            if window_end - headers_start >= limits.header_block_bytes_max {
                return Err(HttpError::HeadersTooLarge("header block over 16 KiB"));
            }
            return Ok(None);
        };
        let line = &window[..end];
        position += end + 2;
        if line.is_empty() {
            break;
        }
        if block_used + end + 2 + 2 > limits.header_block_bytes_max {
            // This line fits but the empty line after it could not.
            return Err(HttpError::HeadersTooLarge("header block over 16 KiB"));
        }
        if fields.len() == limits.header_count_max {
            return Err(HttpError::HeadersTooLarge("more than 100 header lines"));
        }
        fields.push(parse_header_line(line)?);
    }
    let headers = Headers { fields };

    if version == Version::Http11 {
        match headers.get_all("host").count() {
            1 => {}
            0 => return Err(HttpError::BadRequest("HTTP/1.1 request without Host")),
            _ => return Err(HttpError::BadRequest("more than one Host header")),
        }
    }
    if headers.get("transfer-encoding").is_some() {
        return Err(HttpError::NotImplemented(
            "Transfer-Encoding is not supported; send Content-Length",
        ));
    }
    let body_length = match content_length(&headers)? {
        Some(length) => length,
        None if method == "POST" || method == "PUT" => {
            return Err(HttpError::LengthRequired(
                "POST and PUT need Content-Length",
            ));
        }
        None => 0,
    };
    if body_length > limits.body_bytes_max {
        return Err(HttpError::PayloadTooLarge("request body over 16 MiB"));
    }
    // Checked against the limit above, which fits in u32, so this is exact.
    let body_length = body_length as usize;
    let available = buf.len() - position;
    if available < body_length {
        return Ok(None);
    }
    let body = buf[position..position + body_length].to_vec();
    let request = Request {
        method,
        target,
        version,
        headers,
        body,
    };
    Ok(Some((request, position + body_length)))
}

/// The offset of the first CRLF in `bytes`, `None` if there is none yet.
/// A LF without CR before it, or a CR followed by anything but LF, is 400.
fn find_crlf(bytes: &[u8]) -> Result<Option<usize>, HttpError> {
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b'\n' => return Err(HttpError::BadRequest("bare LF in the request head")),
            b'\r' => {
                return match bytes.get(index + 1) {
                    Some(b'\n') => Ok(Some(index)),
                    Some(_) => Err(HttpError::BadRequest("bare CR in the request head")),
                    None => Ok(None),
                };
            }
            _ => {}
        }
    }
    Ok(None)
}

/// `method SP target SP HTTP/x.y`, single spaces, nothing else.
fn parse_request_line(line: &[u8]) -> Result<(String, String, Version), HttpError> {
    let mut parts = line.split(|&byte| byte == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HttpError::BadRequest(
            "request line is not `method target version`",
        ));
    };
    if method.is_empty() || !method.iter().all(|&byte| is_token(byte)) {
        return Err(HttpError::BadRequest("method is not a token"));
    }
    if target.is_empty() || !target.iter().all(|&byte| (0x21..=0x7E).contains(&byte)) {
        return Err(HttpError::BadRequest(
            "request target is empty or not visible ASCII",
        ));
    }
    let version = match version {
        b"HTTP/1.1" => Version::Http11,
        b"HTTP/1.0" => Version::Http10,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(HttpError::VersionNotSupported("only HTTP/1.0 and HTTP/1.1"));
        }
        _ => return Err(HttpError::BadRequest("malformed HTTP version")),
    };
    // Token and visible-ASCII bytes are ASCII, so these cannot fail.
    let method = String::from_utf8_lossy(method).into_owned();
    let target = String::from_utf8_lossy(target).into_owned();
    Ok((method, target, version))
}

/// `name ":" OWS value OWS`.
fn parse_header_line(line: &[u8]) -> Result<(String, String), HttpError> {
    if line[0] == b' ' || line[0] == b'\t' {
        return Err(HttpError::BadRequest("obsolete header line folding"));
    }
    let Some(colon) = line.iter().position(|&byte| byte == b':') else {
        return Err(HttpError::BadRequest("header line without a colon"));
    };
    let name = &line[..colon];
    if name.is_empty() || !name.iter().all(|&byte| is_token(byte)) {
        return Err(HttpError::BadRequest("header name is not a token"));
    }
    let value = trim_whitespace(&line[colon + 1..]);
    if value
        .iter()
        .any(|&byte| (byte < 0x20 && byte != b'\t') || byte == 0x7F)
    {
        return Err(HttpError::BadRequest("control character in a header value"));
    }
    let Ok(value) = std::str::from_utf8(value) else {
        return Err(HttpError::BadRequest("header value is not UTF-8"));
    };
    let name = String::from_utf8_lossy(name).into_owned();
    Ok((name, value.to_owned()))
}

/// The body length the headers declare, if any. Every `Content-Length`
/// field, and every item of a comma-separated one, must be the same string
/// of digits; a number too big for u64 counts as too large, not malformed.
fn content_length(headers: &Headers) -> Result<Option<u64>, HttpError> {
    let mut length: Option<u64> = None;
    for value in headers.get_all("content-length") {
        for item in value.split(',') {
            let item = item.trim_matches([' ', '\t']);
            if item.is_empty() || !item.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(HttpError::BadRequest("Content-Length is not a number"));
            }
            let parsed = item.parse::<u64>().unwrap_or(u64::MAX);
            match length {
                Some(previous) if previous != parsed => {
                    return Err(HttpError::BadRequest("Content-Length values differ"));
                }
                _ => length = Some(parsed),
            }
        }
    }
    Ok(length)
}

fn trim_whitespace(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// RFC 9110 `tchar`.
fn is_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}
