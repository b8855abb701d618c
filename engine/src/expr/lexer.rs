//! The lexer of DynamoDB's expression language: splits an expression into
//! tokens, always ending with [`TokenKind::End`].
//!
//! DynamoDB's token rules: an attribute name is an ASCII letter followed by
//! letters, digits and `_`; `#name` and `:value` placeholders are `#` or `:`
//! followed by one or more of those; a list index is `0` or a run of digits
//! not starting with `0` (so `01` is two tokens, as in DynamoDB);
//! `AND OR NOT BETWEEN IN SET REMOVE ADD DELETE` are keywords in any case;
//! whitespace is space, tab, CR and LF. Any other character is a token of
//! its own that no grammar accepts, so it surfaces as DynamoDB's syntax
//! error naming it.
//!
//! Lexing never fails and never panics: problems are found by the parser,
//! which reports them through [`syntax_error`] with DynamoDB's "token" and
//! "near" texts. Tokens hold byte offsets into the expression (always on
//! character boundaries), not copies. Input is bounded by the caller
//! (`limits::EXPRESSION_LENGTH_BYTES_MAX`), so the token list is too.

use super::ast::Comparator;
use super::messages;

/// A keyword, matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keyword {
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `NOT`
    Not,
    /// `BETWEEN`
    Between,
    /// `IN`
    In,
    /// `SET`
    Set,
    /// `REMOVE`
    Remove,
    /// `ADD`
    Add,
    /// `DELETE`
    Delete,
}

impl Keyword {
    /// The keyword `word` spells, if any (ASCII case-insensitive).
    fn from_word(word: &str) -> Option<Keyword> {
        const KEYWORDS: [(&str, Keyword); 9] = [
            ("AND", Keyword::And),
            ("OR", Keyword::Or),
            ("NOT", Keyword::Not),
            ("BETWEEN", Keyword::Between),
            ("IN", Keyword::In),
            ("SET", Keyword::Set),
            ("REMOVE", Keyword::Remove),
            ("ADD", Keyword::Add),
            ("DELETE", Keyword::Delete),
        ];
        KEYWORDS
            .iter()
            .find(|(spelling, _)| spelling.eq_ignore_ascii_case(word))
            .map(|&(_, keyword)| keyword)
    }
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// An attribute or function name: `price`, `begins_with`.
    Name,
    /// `#name`
    NamePlaceholder,
    /// `:value`
    ValuePlaceholder,
    /// Decimal digits (a list index); never parsed by the lexer, so any
    /// length is fine here.
    Integer,
    /// A keyword.
    Keyword(Keyword),
    /// `=`, `<>`, `<`, `<=`, `>`, `>=`
    Comparator(Comparator),
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `(`
    OpenParenthesis,
    /// `)`
    CloseParenthesis,
    /// `[`
    OpenBracket,
    /// `]`
    CloseBracket,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// A character no rule takes (or a lone `#` or `:`).
    Unknown,
    /// The end of the expression.
    End,
}

/// One token: its kind and where it is in the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    /// What the token is.
    pub(super) kind: TokenKind,
    /// Byte offset of its first character.
    pub(super) start: usize,
    /// Byte offset just past its last character (`start` for [`TokenKind::End`]).
    pub(super) end: usize,
}

impl Token {
    /// The token's text in `source` (the expression it was read from), or
    /// `<EOF>` for the end, as DynamoDB shows it.
    pub(super) fn text<'source>(&self, source: &'source str) -> &'source str {
        match self.kind {
            TokenKind::End => messages::END_TOKEN_TEXT,
            _ => source.get(self.start..self.end).unwrap_or(""),
        }
    }
}

/// Whether `byte` may continue a name or placeholder.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Splits `source` into tokens. The last token is always
/// [`TokenKind::End`]; every other token covers at least one character.
pub(super) fn tokenize(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        let byte = bytes[position];
        if matches!(byte, b' ' | b'\t' | b'\r' | b'\n') {
            position += 1;
            continue;
        }
        let start = position;
        let word_end = |from: usize| {
            let mut end = from;
            while end < bytes.len() && is_word_byte(bytes[end]) {
                end += 1;
            }
            end
        };
        let (kind, end) = match byte {
            b'a'..=b'z' | b'A'..=b'Z' => {
                let end = word_end(start + 1);
                let kind = match Keyword::from_word(&source[start..end]) {
                    Some(keyword) => TokenKind::Keyword(keyword),
                    None => TokenKind::Name,
                };
                (kind, end)
            }
            b'#' | b':' => {
                let end = word_end(start + 1);
                let kind = if end == start + 1 {
                    TokenKind::Unknown
                } else if byte == b'#' {
                    TokenKind::NamePlaceholder
                } else {
                    TokenKind::ValuePlaceholder
                };
                (kind, end)
            }
            b'0' => (TokenKind::Integer, start + 1),
            b'1'..=b'9' => {
                let mut end = start + 1;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                (TokenKind::Integer, end)
            }
            b'<' if bytes.get(start + 1) == Some(&b'>') => {
                (TokenKind::Comparator(Comparator::Ne), start + 2)
            }
            b'<' if bytes.get(start + 1) == Some(&b'=') => {
                (TokenKind::Comparator(Comparator::Le), start + 2)
            }
            b'>' if bytes.get(start + 1) == Some(&b'=') => {
                (TokenKind::Comparator(Comparator::Ge), start + 2)
            }
            b'<' => (TokenKind::Comparator(Comparator::Lt), start + 1),
            b'>' => (TokenKind::Comparator(Comparator::Gt), start + 1),
            b'=' => (TokenKind::Comparator(Comparator::Eq), start + 1),
            b'.' => (TokenKind::Dot, start + 1),
            b',' => (TokenKind::Comma, start + 1),
            b'(' => (TokenKind::OpenParenthesis, start + 1),
            b')' => (TokenKind::CloseParenthesis, start + 1),
            b'[' => (TokenKind::OpenBracket, start + 1),
            b']' => (TokenKind::CloseBracket, start + 1),
            b'+' => (TokenKind::Plus, start + 1),
            b'-' => (TokenKind::Minus, start + 1),
            _ => {
                // One whole character, however many bytes it takes.
                let length = source[start..].chars().next().map_or(1, char::len_utf8);
                (TokenKind::Unknown, start + length)
            }
        };
        tokens.push(Token { kind, start, end });
        position = end;
    }
    tokens.push(Token {
        kind: TokenKind::End,
        start: bytes.len(),
        end: bytes.len(),
    });
    tokens
}

/// DynamoDB's syntax error at `tokens[index]` (clamped to the last token):
/// the token's text, and the source from the token before it to the token
/// after it. Returns the message without the "Invalid X: " prefix.
pub(super) fn syntax_error(source: &str, tokens: &[Token], index: usize) -> String {
    let last = tokens.len().saturating_sub(1);
    let index = index.min(last);
    let Some(token) = tokens.get(index) else {
        return messages::syntax_error(messages::END_TOKEN_TEXT, "");
    };
    let near_start = match index.checked_sub(1).and_then(|before| tokens.get(before)) {
        Some(before) => before.start,
        None => 0,
    };
    let near_end = tokens.get(index + 1).map_or(token.end, |after| after.end);
    let near = source.get(near_start..near_end).unwrap_or("");
    messages::syntax_error(token.text(source), near)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        tokenize(source).iter().map(|token| token.kind).collect()
    }

    fn texts(source: &str) -> Vec<&str> {
        tokenize(source)
            .iter()
            .map(|token| token.text(source))
            .collect()
    }

    #[test]
    fn names_placeholders_and_indexes_follow_dynamodb_token_rules() {
        assert_eq!(
            texts("a.b_1[12] #n_2 :v9 Price"),
            [
                "a", ".", "b_1", "[", "12", "]", "#n_2", ":v9", "Price", "<EOF>"
            ]
        );
        assert_eq!(
            kinds("a #b :c 7"),
            [
                TokenKind::Name,
                TokenKind::NamePlaceholder,
                TokenKind::ValuePlaceholder,
                TokenKind::Integer,
                TokenKind::End
            ]
        );
        // A name cannot start with `_` or a digit; `#1` and `:_` are fine.
        assert_eq!(texts("_a"), ["_", "a", "<EOF>"]);
        assert_eq!(texts("1a"), ["1", "a", "<EOF>"]);
        assert_eq!(
            kinds("#1 :_")[..2],
            [TokenKind::NamePlaceholder, TokenKind::ValuePlaceholder]
        );
    }

    #[test]
    fn a_leading_zero_is_an_integer_token_of_its_own() {
        assert_eq!(texts("[01]"), ["[", "0", "1", "]", "<EOF>"]);
        assert_eq!(texts("[0]"), ["[", "0", "]", "<EOF>"]);
        assert_eq!(texts("[100]"), ["[", "100", "]", "<EOF>"]);
    }

    #[test]
    fn keywords_match_in_any_case_and_only_whole() {
        assert_eq!(kinds("and")[0], TokenKind::Keyword(Keyword::And));
        assert_eq!(kinds("BeTwEeN")[0], TokenKind::Keyword(Keyword::Between));
        assert_eq!(kinds("Remove")[0], TokenKind::Keyword(Keyword::Remove));
        assert_eq!(kinds("android")[0], TokenKind::Name);
        assert_eq!(kinds("in_stock")[0], TokenKind::Name);
    }

    #[test]
    fn comparators_and_punctuation_take_the_longest_match() {
        use Comparator::*;
        assert_eq!(
            kinds("= <> < <= > >= + - , ( )"),
            [
                TokenKind::Comparator(Eq),
                TokenKind::Comparator(Ne),
                TokenKind::Comparator(Lt),
                TokenKind::Comparator(Le),
                TokenKind::Comparator(Gt),
                TokenKind::Comparator(Ge),
                TokenKind::Plus,
                TokenKind::Minus,
                TokenKind::Comma,
                TokenKind::OpenParenthesis,
                TokenKind::CloseParenthesis,
                TokenKind::End
            ]
        );
        assert_eq!(texts("a<>b"), ["a", "<>", "b", "<EOF>"]);
        assert_eq!(texts("a=<b"), ["a", "=", "<", "b", "<EOF>"]);
    }

    #[test]
    fn other_characters_are_single_unknown_tokens() {
        assert_eq!(texts("a!=b"), ["a", "!", "=", "b", "<EOF>"]);
        assert_eq!(texts("é#"), ["é", "#", "<EOF>"]);
        assert_eq!(kinds(": #")[..2], [TokenKind::Unknown, TokenKind::Unknown]);
        assert_eq!(kinds("\u{0}")[0], TokenKind::Unknown);
    }

    #[test]
    fn whitespace_is_skipped_and_the_end_is_always_last() {
        assert_eq!(kinds(""), [TokenKind::End]);
        assert_eq!(kinds(" \t\r\n"), [TokenKind::End]);
        let tokens = tokenize("  a  ");
        assert_eq!((tokens[0].start, tokens[0].end), (2, 3));
        assert_eq!((tokens[1].start, tokens[1].end), (5, 5));
    }

    #[test]
    fn syntax_errors_show_the_token_and_its_neighbours() {
        let source = "a = = b";
        let tokens = tokenize(source);
        assert_eq!(
            syntax_error(source, &tokens, 2),
            "Syntax error; token: \"=\", near: \"= = b\""
        );
        let source = "foo";
        let tokens = tokenize(source);
        assert_eq!(
            syntax_error(source, &tokens, 1),
            "Syntax error; token: \"<EOF>\", near: \"foo\""
        );
        let source = "!!";
        let tokens = tokenize(source);
        assert_eq!(
            syntax_error(source, &tokens, 0),
            "Syntax error; token: \"!\", near: \"!!\""
        );
        // Out-of-range indexes clamp to the end rather than panic.
        assert_eq!(
            syntax_error(source, &tokens, 99),
            "Syntax error; token: \"<EOF>\", near: \"!\""
        );
    }
}
