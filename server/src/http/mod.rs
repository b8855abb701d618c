//! HTTP/1.1 for the DynamoDB JSON API (issue 7): a socket-free layer the
//! per-core loop drives. The loop appends bytes to a connection's read
//! buffer as they arrive and calls [`parse`] on the unparsed rest; a whole
//! request comes back with the number of bytes it used, so pipelined
//! requests are parsed one after another from the same buffer. Answers are
//! appended to an output buffer by [`write_response`].
//!
//! Nothing here touches a socket, a clock or a thread: every function is a
//! pure function of its arguments, owned by whichever core calls it.
//!
//! Invariants: every size taken from the peer is checked against
//! [`Limits`] before anything is allocated for it (a `Content-Length` of
//! 4 GB is refused from the headers alone); bytes from the network never
//! reach an assertion; after an [`HttpError`] the stream cannot be
//! resynchronised, so the caller answers with [`HttpError::status`] and
//! closes the connection.
//!
//! Scope, and what is refused: bodies are framed by `Content-Length` only;
//! any `Transfer-Encoding` (chunked included) is a 501, since DynamoDB
//! clients always send a length. `Content-Encoding: gzip` bodies are
//! inflated by [`decode_body`] under a bound. `Expect: 100-continue` is not
//! answered here (the client sends the body after its timeout).
//!
//! Authentication: [`sigv4::verify`] checks a request's AWS Signature
//! Version 4 against the keys of the `--auth` file, as pure as the parser
//! (the caller passes the time).

mod crc32;
mod error;
pub mod fuzz;
mod gzip;
mod limits;
mod request;
mod response;
pub mod sigv4;

pub use crc32::{Crc32, crc32};
pub use error::HttpError;
pub use gzip::decode_body;
pub use limits::Limits;
pub use request::{Headers, Request, Version, parse};
pub use response::{reason_phrase, write_response};

#[cfg(test)]
mod tests;
