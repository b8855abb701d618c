//! The response writer: status line, the caller's headers, then the
//! framing headers this layer owns (`Content-Length`, `Connection`), then
//! the body, appended to a connection's output buffer.

use std::io::Write;

/// Appends one HTTP/1.1 response to `out`.
///
/// `headers` are written in order as `name: value`; they must not include
/// `Content-Length` or `Connection`, which are written from `body.len()`
/// and `keep_alive`. No `Date` header is written (optional for a server
/// without a clock, RFC 9110 §6.6.1; the layer stays clock-free).
///
/// Panics if a header name or value holds CR or LF, or a name is empty:
/// headers come from the server, so that is the server's own mistake (and
/// would otherwise let a value split the response).
pub fn write_response(
    out: &mut Vec<u8>,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    keep_alive: bool,
) {
    assert!(
        (100..=999).contains(&status),
        "status {status} is not three digits"
    );
    out.reserve(64 + body.len());
    out.extend_from_slice(b"HTTP/1.1 ");
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{status} {}\r\n", reason_phrase(status));
    for &(name, value) in headers {
        assert!(
            !name.is_empty()
                && !name
                    .bytes()
                    .any(|byte| byte == b'\r' || byte == b'\n' || byte == b':'),
            "bad header name {name:?}"
        );
        assert!(
            !value.bytes().any(|byte| byte == b'\r' || byte == b'\n'),
            "header value for {name} holds CR or LF"
        );
        debug_assert!(
            !name.eq_ignore_ascii_case("content-length")
                && !name.eq_ignore_ascii_case("connection"),
            "{name} is written by write_response"
        );
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let _ = write!(out, "Content-Length: {}\r\n", body.len());
    out.extend_from_slice(if keep_alive {
        b"Connection: keep-alive\r\n"
    } else {
        b"Connection: close\r\n"
    });
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

/// The standard reason phrase for `status`; an empty phrase is allowed by
/// RFC 9112 for codes without one here.
pub const fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}
