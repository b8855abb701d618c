//! The pieces of a SigV4 canonical request, as AWS's documentation and
//! every SDK build them: the URI and query encodings, header values with
//! their whitespace collapsed, and lower-case hex. Pure string functions,
//! each linear in its input.

use crate::http::Headers;

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0xF)] as char);
    }
    text
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

pub(super) fn decode_hex_32(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(bytes)
}

/// AWS's URI encoding: unreserved bytes as they are, every other byte as
/// `%XX` with upper-case hex.
fn push_uri_encoded(out: &mut String, bytes: &[u8]) {
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(DIGITS[usize::from(byte >> 4)] as char);
            out.push(DIGITS[usize::from(byte & 0xF)] as char);
        }
    }
}

/// `%XX` escapes decoded; a `%` not followed by two hex digits (and `+`)
/// stays as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = match bytes.get(index..index + 3) {
            Some([b'%', high, low]) => hex_value(*high).zip(hex_value(*low)),
            _ => None,
        };
        match escaped {
            Some((high, low)) => {
                decoded.push((high << 4) | low);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    decoded
}

/// The path as every SDK signs it for services other than S3: dot segments
/// and empty segments removed, a trailing slash kept, then each segment
/// URI-encoded as it appears on the wire (so `%20` signs as `%2520`).
pub(super) fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    let mut uri = String::with_capacity(path.len() + 1);
    for segment in &segments {
        uri.push('/');
        push_uri_encoded(&mut uri, segment.as_bytes());
    }
    if uri.is_empty() || path.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Query parameters decoded, re-encoded the AWS way and sorted by name,
/// then value; a parameter without `=` has an empty value.
pub(super) fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (name, value) = item.split_once('=').unwrap_or((item, ""));
            let (mut encoded_name, mut encoded_value) = (String::new(), String::new());
            push_uri_encoded(&mut encoded_name, &percent_decode(name));
            push_uri_encoded(&mut encoded_value, &percent_decode(value));
            (encoded_name, encoded_value)
        })
        .collect();
    pairs.sort_unstable();
    let joined: Vec<String> = pairs
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    joined.join("&")
}

/// Appends `value` with each run of spaces and tabs as one space.
fn push_collapsed(out: &mut String, value: &str) {
    for (index, word) in value
        .split([' ', '\t'])
        .filter(|word| !word.is_empty())
        .enumerate()
    {
        if index > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// The canonical request: method, URI, query, one `name:values` line per
/// signed header (in `signed_names`' order, repeated fields joined by `,`),
/// the signed-header list and the payload hash. `signed_names` are lower
/// case and distinct, so the result is at most about three times the size
/// of the request head.
pub(super) fn canonical_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &Headers,
    signed_names: &[String],
    payload_hash: &str,
) -> String {
    let mut text = format!(
        "{method}\n{}\n{}\n",
        canonical_uri(path),
        canonical_query(query)
    );
    for name in signed_names {
        text.push_str(name);
        text.push(':');
        for (index, value) in headers.get_all(name).enumerate() {
            if index > 0 {
                text.push(',');
            }
            push_collapsed(&mut text, value);
        }
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&signed_names.join(";"));
    text.push('\n');
    text.push_str(payload_hash);
    text
}
