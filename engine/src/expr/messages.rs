//! DynamoDB's message texts for expression errors, in one place, so that
//! the parser, the evaluators and the tests agree on every word.

// ----- parsing (parser.rs, lexer.rs) ------------------------------------

// ----- evaluation (eval.rs, update.rs, projection.rs, path.rs) ----------
