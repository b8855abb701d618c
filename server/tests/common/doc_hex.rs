//! The hex examples of `docs/protocol.md`, parsed out of the document
//! (shared by the golden test and the corpus seeds).
#![allow(dead_code)] // Each test binary uses its own subset.

/// The protocol specification, as committed.
pub const DOC: &str = include_str!("../../../docs/protocol.md");

/// Every `<!-- golden:NAME:begin -->` ... `<!-- golden:NAME:end -->` block,
/// in document order, as (name, bytes). Inside a block, fence lines are
/// skipped, `#` starts a comment, an optional `offset:` prefix must equal
/// the bytes before the line, and the rest is two-digit hex bytes.
pub fn golden_blocks(doc: &str) -> Vec<(String, Vec<u8>)> {
    let mut blocks = Vec::new();
    let mut rest = doc;
    while let Some(at) = rest.find("<!-- golden:") {
        let after = &rest[at + "<!-- golden:".len()..];
        let name_end = after.find(":begin -->").expect("a begin marker");
        let name = after[..name_end].to_owned();
        let end_marker = format!("<!-- golden:{name}:end -->");
        let body_start = name_end + ":begin -->".len();
        let body_len = after[body_start..]
            .find(&end_marker)
            .unwrap_or_else(|| panic!("golden block {name}: no end marker"));
        let body = &after[body_start..body_start + body_len];
        blocks.push((name.clone(), parse_hex(&name, body)));
        rest = &after[body_start + body_len + end_marker.len()..];
    }
    blocks
}

pub fn parse_hex(name: &str, block: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut fenced_hex = false;
    for line in block.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            fenced_hex |= trimmed == "```hex";
            continue;
        }
        let data = line.split('#').next().unwrap_or("");
        let data = match data.split_once(':') {
            Some((offset, tail)) => {
                let offset = usize::from_str_radix(offset.trim(), 16)
                    .unwrap_or_else(|_| panic!("{name}: bad offset in {line:?}"));
                assert_eq!(offset, bytes.len(), "{name}: wrong offset in {line:?}");
                tail
            }
            None => data,
        };
        for token in data.split_whitespace() {
            assert_eq!(token.len(), 2, "{name}: {token:?} is not one byte");
            bytes.push(
                u8::from_str_radix(token, 16)
                    .unwrap_or_else(|_| panic!("{name}: {token:?} is not hex")),
            );
        }
    }
    assert!(fenced_hex, "{name}: the block is not a ```hex fence");
    assert!(!bytes.is_empty(), "{name}: empty block");
    bytes
}
