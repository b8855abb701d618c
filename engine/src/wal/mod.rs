//! The write-ahead log: every write batch is appended here, and made durable,
//! before it is applied to the memtable, so that recovery can replay it.
//!
//! - [`format`](mod@format): block size, record header layout and record types.
//! - [`WalWriter`]: frames payloads into checksummed records in 32 KiB
//!   blocks (LevelDB's log design), buffers them, and appends and syncs a
//!   whole group at once (group commit).
//! - [`WalReader`]: reads the records back, telling a torn tail (an
//!   unacknowledged write cut short by a crash: the end of the log) from
//!   corruption (damage followed by valid records: an error).
//! - [`WriteBatch`]: the payload of one record, a group of puts and deletes
//!   applied atomically with consecutive sequence numbers.
//!
//! Each log is owned by one shard's thread: written by its LSM, read only at
//! recovery. The manifest reuses the same record framing. Invariants: a
//! record is never split across a block boundary without being fragmented,
//! every fragment is checksummed together with its type, and a writer stops
//! for good after a failed append or sync.
//!
//! Format, rules and worked example: `docs/format/wal.md`.

pub mod batch;
pub mod format;
pub mod reader;
pub mod writer;

pub use batch::{WriteBatch, WriteBatchIter};
pub use reader::WalReader;
pub use writer::WalWriter;

#[cfg(test)]
pub(crate) mod tests;
