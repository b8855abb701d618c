//! Leveled compaction: deciding what to compact ([`picker`], pure) and doing
//! it in bounded steps ([`job`]).
//!
//! Policy is apart from mechanism: [`picker::pick`] is a pure function of the
//! level layout, the per-level cursors and the options, so it is tested and
//! simulated without I/O; [`job::TableWriteJob`] merges sorted inputs into new
//! SSTables a slice at a time, so the shard can interleave it with requests.
//! The same job type flushes a frozen memtable to L0.

pub mod job;
pub mod picker;

pub use job::{JobOutput, TableWriteJob};
pub use picker::{CompactionOptions, CompactionTask, pending_compaction_bytes, pick};
