//! The oracle a fuzz target for the HTTP parser will call (the target and
//! its corpus replay, as `server/fuzz` and `server/tests/corpus.rs` do for
//! binary frames, are not wired yet): whatever the input, parsing must not
//! panic, and feeding it byte by byte must reach the answer parsing it
//! whole gives.

use super::gzip::decode_body;
use super::limits::Limits;
use super::request::parse;

/// What [`fuzz_parse`] made of its input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FuzzOutcome {
    /// Requests parsed from the front of the input, one after another.
    pub requests_parsed: usize,
    /// The parse ended in an error (as opposed to wanting more bytes).
    pub refused: bool,
}

/// Parses `input` as a pipeline of requests under small limits (so the
/// fuzzer reaches them), inflating each body, and checks that a byte-by-
/// byte parse of each request's bytes gives the same answer.
///
/// # Panics
/// Only on a parser bug: a panic inside the parser, a request consuming
/// more than it was given, or incremental and one-shot answers differing.
/// A test oracle, never called on the serving path.
pub fn fuzz_parse(input: &[u8]) -> FuzzOutcome {
    let limits = Limits {
        request_line_bytes_max: 256,
        header_block_bytes_max: 512,
        header_count_max: 8,
        body_bytes_max: 1024,
        inflated_body_bytes_max: 4096,
    };
    let mut outcome = FuzzOutcome::default();
    let mut rest = input;
    loop {
        let one_shot = parse(rest, &limits);
        // The first answer that is not "more bytes", feeding one at a time.
        let incremental = (1..=rest.len())
            .map(|end| parse(&rest[..end], &limits))
            .find(|answer| !matches!(answer, Ok(None)))
            .unwrap_or(Ok(None));
        assert_eq!(incremental, one_shot, "byte-by-byte and one-shot differ");
        match one_shot {
            Ok(Some((request, consumed))) => {
                assert!(consumed > 0 && consumed <= rest.len());
                let _ = decode_body(&request, &limits);
                let _ = request.keep_alive();
                outcome.requests_parsed += 1;
                rest = &rest[consumed..];
            }
            Ok(None) => return outcome,
            Err(_) => {
                outcome.refused = true;
                return outcome;
            }
        }
    }
}
