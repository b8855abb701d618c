//! Property tests of the body codec: every request and reply survives
//! encode-then-decode, every truncation of a valid body is refused, and no
//! input (random, or a valid body with bytes changed) makes a decoder panic.

mod strategies;

use dynacore_server::protocol::{
    DecodeError, ErrorCode, ErrorReply, Request, Response, fuzz_decode,
};
use proptest::collection::vec;
use proptest::prelude::*;

use strategies::{item, opcodes_of, request, response, text};

fn error_reply() -> impl Strategy<Value = ErrorReply> {
    (
        proptest::sample::select(ErrorCode::ALL.to_vec()),
        text(),
        proptest::option::of(item()),
    )
        .prop_map(|(code, message, item)| ErrorReply {
            code,
            message,
            item,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn requests_round_trip(request in request()) {
        let body = request.to_body();
        let decoded = Request::decode(request.opcode() as u8, &body);
        prop_assert_eq!(decoded, Ok(request));
    }

    #[test]
    fn replies_round_trip_under_each_of_their_opcodes(response in response()) {
        let body = response.to_body();
        let opcodes = opcodes_of(&response);
        prop_assert!(!opcodes.is_empty());
        for opcode in opcodes {
            prop_assert_eq!(Response::decode(opcode, &body), Ok(response.clone()));
        }
    }

    #[test]
    fn error_replies_round_trip(reply in error_reply()) {
        prop_assert_eq!(ErrorReply::decode(&reply.to_body()), Ok(reply));
    }

    /// A body cut short anywhere is an error, never a shorter value.
    #[test]
    fn truncated_request_bodies_are_refused(request in request(), cut in any::<prop::sample::Index>()) {
        let body = request.to_body();
        prop_assume!(!body.is_empty());
        let at = cut.index(body.len());
        prop_assert!(Request::decode(request.opcode() as u8, &body[..at]).is_err());
        let mut longer = body.clone();
        longer.push(0);
        prop_assert_eq!(
            Request::decode(request.opcode() as u8, &longer),
            Err(DecodeError::TrailingBytes(1))
        );
    }

    #[test]
    fn truncated_reply_bodies_are_refused(response in response(), cut in any::<prop::sample::Index>()) {
        let body = response.to_body();
        let at = cut.index(body.len().max(1));
        prop_assume!(at < body.len());
        for opcode in opcodes_of(&response) {
            prop_assert!(Response::decode(opcode, &body[..at]).is_err());
        }
    }

    /// Random bytes, as a header and body, into every decoder.
    #[test]
    fn random_bytes_never_panic(bytes in vec(any::<u8>(), 0..256)) {
        fuzz_decode(&bytes);
    }

    /// Valid bodies with a few bytes changed reach deep into the decoders.
    #[test]
    fn mutated_bodies_never_panic(
        request in request(),
        response in response(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        for mut body in [request.to_body(), response.to_body()] {
            if body.is_empty() {
                continue;
            }
            for (at, byte) in &edits {
                let i = at.index(body.len());
                body[i] = *byte;
            }
            fuzz_decode(&body);
        }
    }
}

#[test]
fn every_opcode_has_a_reply_shape_and_unknown_opcodes_are_refused() {
    for opcode in dynacore_server::protocol::Opcode::ALL {
        assert!(!Response::variant_for(opcode).is_empty());
    }
    assert_eq!(
        Request::decode(0x7F, &[]),
        Err(DecodeError::UnknownOpcode(0x7F))
    );
}

#[test]
fn unknown_tags_are_refused() {
    // GetItem with consistent_read = 2.
    let mut body = Request::GetItem(dynacore::GetItemRequest::default()).to_body();
    *body.last_mut().unwrap() = 2;
    assert!(matches!(
        Request::decode(0x20, &body),
        Err(DecodeError::Invalid { .. })
    ));
    // PutItem with ReturnValues tag 9.
    let mut body = Request::PutItem(dynacore::PutItemRequest::default()).to_body();
    let n = body.len();
    body[n - 2] = 9;
    assert!(matches!(
        Request::decode(0x21, &body),
        Err(DecodeError::Invalid {
            field: "return_values",
            ..
        })
    ));
    // An error code nobody defined.
    let mut body = ErrorReply::new(ErrorCode::Internal, "x").to_body();
    body[0] = 0xEE;
    assert!(matches!(
        ErrorReply::decode(&body),
        Err(DecodeError::Invalid { field: "code", .. })
    ));
}

#[test]
fn a_huge_count_is_refused_without_allocating() {
    // BatchWriteItem claiming 2^32-1 tables in a 4-byte body.
    assert!(matches!(
        Request::decode(0x41, &[0xFF, 0xFF, 0xFF, 0xFF]),
        Err(DecodeError::Truncated { .. })
    ));
    // A Page reply claiming 2^32-1 items.
    assert!(matches!(
        Response::decode(
            dynacore_server::protocol::Opcode::Query,
            &[0xFF, 0xFF, 0xFF, 0xFF]
        ),
        Err(DecodeError::Truncated { .. })
    ));
}
