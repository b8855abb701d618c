//! Test-only helpers shared by every golden test: the one parser for the
//! worked hex examples in `docs/format/*.md`, and the one hex formatter for
//! readable byte diffs. Each format document marks its example as
//!
//! ````text
//! <!-- golden:NAME:begin -->
//! ```text
//! 01 02 03        # comment
//! 0003: 04 05     # a line may start with its offset, checked
//! ```
//! <!-- golden:NAME:end -->
//! ````
//!
//! and its golden test compares `golden_hex(include_str!(doc), NAME)` with
//! what the encoder writes, so the document cannot drift from the code.

/// The bytes of the block between `<!-- golden:NAME:begin -->` and
/// `<!-- golden:NAME:end -->` in a format document.
///
/// Fence lines (starting with three backticks) are skipped and everything
/// from `#` to the end of a line is a comment. What remains is
/// whitespace-separated two-digit hex bytes, optionally preceded by a
/// hexadecimal offset and a colon (`00a5: 02 00 00 00`), which must equal
/// the number of bytes before that line.
///
/// # Panics
///
/// On a malformed document, naming the marker: a missing, repeated or
/// unterminated marker, a token that is not two hex digits, an offset that
/// does not match, or an empty block.
pub(crate) fn golden_hex(doc: &str, name: &str) -> Vec<u8> {
    let begin = format!("<!-- golden:{name}:begin -->");
    let end = format!("<!-- golden:{name}:end -->");
    let start = doc
        .find(&begin)
        .unwrap_or_else(|| panic!("golden block {name}: no `{begin}` in the doc"))
        + begin.len();
    let stop = start
        + doc[start..]
            .find(&end)
            .unwrap_or_else(|| panic!("golden block {name}: no `{end}` after `{begin}`"));
    assert!(
        !doc[stop..].contains(&begin),
        "golden block {name}: `{begin}` appears more than once"
    );
    let mut bytes = Vec::new();
    for line in doc[start..stop].lines() {
        if line.trim_start().starts_with("```") {
            continue;
        }
        let data = line.split('#').next().unwrap_or("");
        let data = match data.split_once(':') {
            Some((offset, rest)) => {
                let offset = usize::from_str_radix(offset.trim(), 16).unwrap_or_else(|_| {
                    panic!("golden block {name}: bad offset {offset:?} in line {line:?}")
                });
                assert_eq!(
                    offset,
                    bytes.len(),
                    "golden block {name}: wrong offset in line {line:?}"
                );
                rest
            }
            None => data,
        };
        for token in data.split_whitespace() {
            let byte = (token.len() == 2)
                .then(|| u8::from_str_radix(token, 16).ok())
                .flatten()
                .unwrap_or_else(|| {
                    panic!("golden block {name}: bad hex byte {token:?} in line {line:?}")
                });
            bytes.push(byte);
        }
    }
    assert!(!bytes.is_empty(), "golden block {name}: no bytes");
    bytes
}

/// Lower-case hex of `bytes`, space-separated, 16 bytes per line, so that
/// `assert_eq!(hex(&actual), hex(&expected))` fails with a line diff.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .chunks(16)
        .map(|line| {
            line.iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "text\n\
        <!-- golden:a:begin -->\n\
        ```text\n\
        01 ff   # one: two\n\
        0002: 0a  # offset checked\n\
        ```\n\
        <!-- golden:a:end -->\n";

    #[test]
    fn golden_hex_reads_bytes_skipping_fences_comments_and_offsets() {
        assert_eq!(golden_hex(DOC, "a"), vec![0x01, 0xff, 0x0a]);
    }

    #[test]
    #[should_panic(expected = "golden block b: no `<!-- golden:b:begin -->`")]
    fn golden_hex_names_a_missing_marker() {
        golden_hex(DOC, "b");
    }

    #[test]
    #[should_panic(expected = "golden block a: bad hex byte \"1\"")]
    fn golden_hex_rejects_a_one_digit_token() {
        golden_hex(&DOC.replace("01 ff", "1 ff"), "a");
    }

    #[test]
    #[should_panic(expected = "golden block a: wrong offset")]
    fn golden_hex_rejects_a_wrong_offset() {
        golden_hex(&DOC.replace("0002:", "0003:"), "a");
    }

    #[test]
    #[should_panic(expected = "golden block a: no `<!-- golden:a:end -->`")]
    fn golden_hex_rejects_an_unterminated_block() {
        golden_hex(&DOC.replace("golden:a:end", "golden:x:end"), "a");
    }

    #[test]
    fn hex_puts_sixteen_bytes_per_line() {
        let bytes: Vec<u8> = (0..18).collect();
        assert_eq!(
            hex(&bytes),
            "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n10 11"
        );
    }
}
