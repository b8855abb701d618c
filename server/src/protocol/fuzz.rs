//! The decoding function the fuzz target (`server/fuzz`) and the corpus
//! replay (`server/tests/corpus.rs`) share, so that `cargo test` runs every
//! corpus file through exactly what the fuzzer runs.

use super::codec::DecodeError;
use super::error::ErrorReply;
use super::message::{Request, Response};
use super::{DEFAULT_MAX_BODY_BYTES, FrameHeader, HEADER_LEN, Opcode};

/// What [`fuzz_decode`] made of its input, for tests that want to check
/// that a corpus file exercised something.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FuzzOutcome {
    /// The first 20 bytes were a valid header.
    pub header_ok: bool,
    /// How many opcodes' request decoders accepted the body.
    pub requests_decoded: usize,
    /// How many opcodes' reply decoders accepted the body.
    pub responses_decoded: usize,
    /// The error-body decoder accepted the body.
    pub error_decoded: bool,
}

/// Treats `input` as a frame: the first 20 bytes (if there are 20) go to
/// [`FrameHeader::decode`]; the rest (or all of it, if shorter) is a body
/// fed to [`Request::decode`] and [`Response::decode`] under every opcode
/// and to [`ErrorReply::decode`]. Whatever decodes is encoded again and
/// decoded again, and must come back equal.
///
/// # Panics
/// Only on a codec bug: a decoder that panics, or a decoded value that does
/// not survive encode-then-decode. Finding those is the fuzzer's job; this
/// function is a test oracle, never called on the serving path.
pub fn fuzz_decode(input: &[u8]) -> FuzzOutcome {
    let mut outcome = FuzzOutcome::default();
    let body = match input.first_chunk::<HEADER_LEN>() {
        Some(header) => {
            if let Ok(header) = FrameHeader::decode(header, DEFAULT_MAX_BODY_BYTES) {
                outcome.header_ok = true;
                assert_eq!(FrameHeader::decode(&header.encode(), u32::MAX), Ok(header));
            }
            &input[HEADER_LEN..]
        }
        None => input,
    };
    for byte in [0x00, 0x02, 0xFF] {
        assert_eq!(
            Request::decode(byte, body).err(),
            Some(DecodeError::UnknownOpcode(byte))
        );
    }
    for opcode in Opcode::ALL {
        if let Ok(request) = Request::decode(opcode as u8, body) {
            outcome.requests_decoded += 1;
            assert_eq!(request.opcode(), opcode);
            let again = Request::decode(opcode as u8, &request.to_body());
            assert_eq!(
                again.as_ref(),
                Ok(&request),
                "request {opcode:?} round trip"
            );
        }
        if let Ok(response) = Response::decode(opcode, body) {
            outcome.responses_decoded += 1;
            let again = Response::decode(opcode, &response.to_body());
            assert_eq!(again.as_ref(), Ok(&response), "reply {opcode:?} round trip");
        }
    }
    if let Ok(error) = ErrorReply::decode(body) {
        outcome.error_decoded = true;
        assert_eq!(ErrorReply::decode(&error.to_body()), Ok(error));
    }
    outcome
}
