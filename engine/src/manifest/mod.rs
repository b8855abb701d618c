//! The manifest: a log of version edits recording which files make up the LSM (format: `docs/format/manifest.md`).
pub mod edit;
pub mod file;
pub use edit::{FileMeta, VersionEdit};
