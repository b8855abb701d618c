//! Helpers shared by the protocol test binaries.

pub mod doc_hex;
pub mod wire;
