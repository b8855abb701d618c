//! Request bodies sent with `Content-Encoding: gzip`, inflated under a
//! bound so that a small compressed body (a "zip bomb") cannot make the
//! server allocate more than [`Limits::inflated_body_bytes_max`].

use std::borrow::Cow;
use std::io::Read;

use super::error::HttpError;
use super::limits::Limits;
use super::request::Request;

/// The body of `request` with its `Content-Encoding` undone: borrowed as
/// sent when there is none (or `identity`), inflated when it is `gzip`
/// (ASCII case ignored; concatenated gzip members are all inflated).
///
/// Errors: 415 for any other coding, or more than one; 400 for a body that
/// is not valid gzip; 413 once the inflated bytes would pass
/// [`Limits::inflated_body_bytes_max`]; inflation stops there, so memory
/// never grows past the limit plus one read buffer.
pub fn decode_body<'a>(request: &'a Request, limits: &Limits) -> Result<Cow<'a, [u8]>, HttpError> {
    let mut codings = request
        .headers
        .get_all("content-encoding")
        .flat_map(|value| value.split(','))
        .map(|coding| coding.trim_matches([' ', '\t']))
        .filter(|coding| !coding.is_empty() && !coding.eq_ignore_ascii_case("identity"));
    let Some(coding) = codings.next() else {
        return Ok(Cow::Borrowed(&request.body));
    };
    if codings.next().is_some() {
        return Err(HttpError::UnsupportedMediaType(
            "only one Content-Encoding is supported",
        ));
    }
    if !coding.eq_ignore_ascii_case("gzip") {
        return Err(HttpError::UnsupportedMediaType(
            "Content-Encoding must be gzip or identity",
        ));
    }
    inflate(&request.body, limits.inflated_body_bytes_max).map(Cow::Owned)
}

/// Inflates gzip `compressed`, refusing output over `inflated_bytes_max`.
fn inflate(compressed: &[u8], inflated_bytes_max: u64) -> Result<Vec<u8>, HttpError> {
    let decoder = flate2::read::MultiGzDecoder::new(compressed);
    // Reading one byte past the limit tells "exactly at" from "over".
    let mut bounded = decoder.take(inflated_bytes_max.saturating_add(1));
    // The first allocation is sized from the input, never from a claim in
    // the stream (gzip's ISIZE trailer is not trusted).
    let mut inflated = Vec::with_capacity(compressed.len().saturating_mul(4).min(1 << 20));
    match bounded.read_to_end(&mut inflated) {
        Ok(_) => {}
        Err(_) => return Err(HttpError::BadRequest("request body is not valid gzip")),
    }
    if inflated.len() as u64 > inflated_bytes_max {
        return Err(HttpError::PayloadTooLarge(
            "request body over 16 MiB once inflated",
        ));
    }
    Ok(inflated)
}
