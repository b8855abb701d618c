//! Why a request was refused, with the HTTP status that says so.

/// A request that cannot be served. Each variant maps to one status
/// ([`HttpError::status`]); the `&'static str` is a short reason fit for a
/// response body or a log line. After any of these the connection must be
/// closed: the parser cannot know where the next request starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// 400: a malformed request line, header, `Content-Length` or body.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// 411: a `POST` or `PUT` without `Content-Length`.
    #[error("length required: {0}")]
    LengthRequired(&'static str),
    /// 413: a body (declared, or once inflated) over the limit.
    #[error("payload too large: {0}")]
    PayloadTooLarge(&'static str),
    /// 414: a request line over the limit.
    #[error("request line too long: {0}")]
    UriTooLong(&'static str),
    /// 415: a `Content-Encoding` other than `gzip` or `identity`.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(&'static str),
    /// 431: too many header lines, or too many header bytes.
    #[error("request header fields too large: {0}")]
    HeadersTooLarge(&'static str),
    /// 501: a `Transfer-Encoding` (chunked included) is not supported.
    #[error("not implemented: {0}")]
    NotImplemented(&'static str),
    /// 505: an `HTTP/x.y` version other than 1.0 and 1.1.
    #[error("HTTP version not supported: {0}")]
    VersionNotSupported(&'static str),
}

impl HttpError {
    /// The HTTP status code to answer with.
    pub const fn status(&self) -> u16 {
        match self {
            HttpError::BadRequest(_) => 400,
            HttpError::LengthRequired(_) => 411,
            HttpError::PayloadTooLarge(_) => 413,
            HttpError::UriTooLong(_) => 414,
            HttpError::UnsupportedMediaType(_) => 415,
            HttpError::HeadersTooLarge(_) => 431,
            HttpError::NotImplemented(_) => 501,
            HttpError::VersionNotSupported(_) => 505,
        }
    }

    /// The short reason, without the status.
    pub const fn reason(&self) -> &'static str {
        match self {
            HttpError::BadRequest(reason)
            | HttpError::LengthRequired(reason)
            | HttpError::PayloadTooLarge(reason)
            | HttpError::UriTooLong(reason)
            | HttpError::UnsupportedMediaType(reason)
            | HttpError::HeadersTooLarge(reason)
            | HttpError::NotImplemented(reason)
            | HttpError::VersionNotSupported(reason) => reason,
        }
    }
}
