//! DynamoDB's data model: numbers, attribute values, items, key schemas and
//! primary keys, with DynamoDB's validation rules and size accounting.
//!
//! Everything here is pure data and pure functions, usable from any thread;
//! nothing touches I/O. Invariants the rest of the engine relies on:
//!
//! - a [`Number`] is exact, normalized (one representation per value) and in
//!   DynamoDB's range, so `==`, `Ord` and `Hash` are by numeric value;
//! - [`KeyValue`]'s `Ord` is DynamoDB's key order, which the byte encoding in
//!   [`crate::coding::key`] preserves (`docs/format/keys.md`);
//! - an item accepted by [`validate_item`] satisfies every DynamoDB limit
//!   (400 KB counted DynamoDB's way, 2048/1024-byte keys, 32 nesting levels,
//!   non-empty sets), so storage layers below never re-check them.
//!
//! Errors are [`crate::Error::Validation`] with DynamoDB's message text.

pub mod number;
pub mod schema;
pub mod size;
pub mod validate;
pub mod value;

#[cfg(test)]
pub(crate) mod test_support;

pub use number::Number;
pub use schema::{KeyAttribute, KeyType, KeyValue, PrimaryKey, TableSchema, validate_table_name};
pub use size::{attribute_size_bytes, item_size_bytes, number_size_bytes, value_size_bytes};
pub use validate::validate_item;
pub use value::{AttributeValue, Item};
