//! Placeholder until the lexer lands (being written in parallel).
