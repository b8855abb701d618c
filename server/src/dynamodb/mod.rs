//! DynamoDB's JSON API, the data-plane part (issue 7): request bodies
//! (`{"TableName": ..., "Key": {"pk": {"S": "a"}}}`) to the engine's
//! requests ([`decode_request`]), its replies to DynamoDB's response
//! bodies ([`encode_response`]), and errors in DynamoDB's shape
//! ([`DynamoError`]). No HTTP here: the listener feeds these.
//!
//! Pure functions, owned by whichever thread calls them. Attribute-value
//! JSON is `crate::json`'s; every message text of this module is in
//! `messages.rs`. The engine validates the request itself
//! (`docs/semantics.md`), so the errors decided here are JSON-shape ones
//! and those of the legacy parameters (`Expected`, `AttributesToGet` ...),
//! which `legacy.rs` translates into expressions.

pub mod auth;
mod capacity;
pub mod control;
mod decode;
mod encode;
mod error;
mod legacy;
pub mod messages;
pub mod service;

#[cfg(test)]
mod tests;

pub use decode::decode_request;
pub use encode::{encode_response, table_arn};
pub use error::DynamoError;
