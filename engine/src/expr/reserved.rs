//! Placeholder until the reserved-word list lands (being written in parallel).

/// Whether `word` is one of DynamoDB's reserved words (case-insensitive).
pub fn is_reserved_word(_word: &str) -> bool {
    false
}
