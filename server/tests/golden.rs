//! Binds `docs/protocol.md` to the code: every hex block of the document is
//! parsed out of it, decoded as a frame (header, then the body its flags
//! and opcode call for) and encoded again to the same bytes; the named
//! examples are also compared with values built here, both ways.

use std::collections::BTreeMap;

use dynacore::{AttributeValue, Error, GetItemRequest, Item};
use dynacore_server::protocol::{
    DEFAULT_MAX_BODY_BYTES, ErrorReply, FrameHeader, HEADER_LEN, Hello, Opcode, Request, Response,
    encode_frame,
};

mod common;

use common::doc_hex::{DOC, golden_blocks, parse_hex};

fn block(name: &str) -> Vec<u8> {
    let found: Vec<_> = golden_blocks(DOC)
        .into_iter()
        .filter(|(n, _)| n == name)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "golden block {name} must appear exactly once"
    );
    found.into_iter().next().unwrap().1
}

/// What a frame decodes to, whichever kind it is.
#[derive(Debug, PartialEq)]
enum Decoded {
    Request(Request),
    Response(Response),
    Error(ErrorReply),
}

fn decode_frame(name: &str, frame: &[u8]) -> (FrameHeader, Decoded) {
    let header_bytes: &[u8; HEADER_LEN] = frame
        .first_chunk()
        .unwrap_or_else(|| panic!("{name}: shorter than a header"));
    let header = FrameHeader::decode(header_bytes, DEFAULT_MAX_BODY_BYTES)
        .unwrap_or_else(|e| panic!("{name}: header: {e}"));
    let body = &frame[HEADER_LEN..];
    assert_eq!(header.body_len as usize, body.len(), "{name}: body_len");
    let decoded = if header.is_error() {
        Decoded::Error(ErrorReply::decode(body).unwrap_or_else(|e| panic!("{name}: {e}")))
    } else if header.is_response() {
        let opcode = Opcode::from_u8(header.opcode).expect("a known opcode");
        Decoded::Response(Response::decode(opcode, body).unwrap_or_else(|e| panic!("{name}: {e}")))
    } else {
        Decoded::Request(
            Request::decode(header.opcode, body).unwrap_or_else(|e| panic!("{name}: {e}")),
        )
    };
    (header, decoded)
}

fn encode(header: FrameHeader, decoded: &Decoded) -> Vec<u8> {
    let body = match decoded {
        Decoded::Request(r) => r.to_body(),
        Decoded::Response(r) => r.to_body(),
        Decoded::Error(e) => e.to_body(),
    };
    let header = FrameHeader {
        body_len: body.len() as u32,
        ..header
    };
    encode_frame(header, &body)
}

/// Checks one named example both ways: the value encodes to the doc's
/// bytes, and the doc's bytes decode to the value.
fn check(name: &str, header: FrameHeader, value: Decoded) {
    let doc = block(name);
    assert_eq!(
        encode(header, &value),
        doc,
        "{name}: the encoder disagrees with docs/protocol.md"
    );
    let (doc_header, doc_value) = decode_frame(name, &doc);
    assert_eq!(doc_header.opcode, header.opcode, "{name}: opcode");
    assert_eq!(doc_header.flags, header.flags, "{name}: flags");
    assert_eq!(
        doc_header.request_id, header.request_id,
        "{name}: request id"
    );
    assert_eq!(
        doc_value, value,
        "{name}: the decoder disagrees with the doc"
    );
}

fn reply_header(opcode: Opcode, request_id: u64, is_error: bool) -> FrameHeader {
    FrameHeader::request(opcode, request_id, 0).reply(is_error, 0)
}

fn string_item(name: &str, value: &str) -> Item {
    Item::from([(name.to_owned(), AttributeValue::S(value.to_owned()))])
}

#[test]
fn every_block_in_the_doc_is_a_canonical_frame() {
    let blocks = golden_blocks(DOC);
    assert!(blocks.len() >= 5, "the doc lost its examples");
    for (name, bytes) in &blocks {
        let (header, decoded) = decode_frame(name, bytes);
        assert_eq!(&encode(header, &decoded), bytes, "{name}: not canonical");
    }
}

#[test]
fn every_block_has_a_value_check() {
    let checked = [
        "hello-request",
        "get-item-request",
        "get-item-reply",
        "get-item-reply-missing",
        "error-reply",
    ];
    for (name, _) in golden_blocks(DOC) {
        assert!(
            checked.contains(&name.as_str()),
            "golden block {name} has no test in golden.rs"
        );
    }
}

#[test]
fn hello_request() {
    check(
        "hello-request",
        FrameHeader::request(Opcode::Hello, 1, 0),
        Decoded::Request(Request::Hello(Hello {
            min_version: 1,
            max_version: 1,
            client_name: "cli".into(),
        })),
    );
}

#[test]
fn get_item_request() {
    check(
        "get-item-request",
        FrameHeader::request(Opcode::GetItem, 2, 0),
        Decoded::Request(Request::GetItem(GetItemRequest {
            table_name: "users".into(),
            key: string_item("pk", "user1"),
            projection_expression: Some("#n".into()),
            expression_attribute_names: Some(BTreeMap::from([("#n".into(), "name".into())])),
            consistent_read: true,
        })),
    );
}

#[test]
fn get_item_replies() {
    check(
        "get-item-reply",
        reply_header(Opcode::GetItem, 2, false),
        Decoded::Response(Response::Item(Some(string_item("name", "Ada")))),
    );
    check(
        "get-item-reply-missing",
        reply_header(Opcode::GetItem, 3, false),
        Decoded::Response(Response::Item(None)),
    );
}

#[test]
fn error_reply() {
    check(
        "error-reply",
        reply_header(Opcode::GetItem, 4, true),
        Decoded::Error(ErrorReply::from_engine(Error::TableNotFound(
            "users".into(),
        ))),
    );
}

#[test]
fn the_parser_refuses_a_wrong_offset() {
    let bad = "```hex\n0000: 01 02\n0003: 03\n```\n";
    assert!(std::panic::catch_unwind(|| parse_hex("bad", bad)).is_err());
}
