//! The I/O seam: the only module that touches files or the clock.
//!
//! Everything above this module reads and writes files through the [`Fs`] and
//! [`WritableFile`] traits, so the same engine code runs on
//! - [`OsFs`]: the real file system (reads through `memmap2`),
//! - [`MemFs`]: an in-memory file system that remembers which bytes and which
//!   directory entries were synced, so a simulated crash drops exactly the
//!   unsynced ones,
//! - [`FaultyFs`]: a wrapper that injects failed syncs, EIO, ENOSPC, torn and
//!   short writes, and bit flips.
//!
//! # Contract
//! - Files are written append-only through one [`WritableFile`] handle and are
//!   immutable once finished; they are read whole through [`Fs::map`].
//! - Nothing is durable until [`WritableFile::sync_data`] returns `Ok`; a new
//!   or renamed directory entry is not durable until [`Fs::sync_dir`] on its
//!   directory returns `Ok`. Closing (dropping) a handle syncs nothing.
//! - Buffers are handed over by reference and copied (or written) before the
//!   call returns, so a completion-based backend (io_uring, the next issue)
//!   can submit `append` + `sync_data` as one linked write-then-fdatasync
//!   without the caller keeping buffers alive.

mod faulty;
mod mem;
mod os;

pub use faulty::{FaultKind, FaultyFs};
pub use mem::MemFs;
pub use os::OsFs;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use crate::Result;

/// A file system: the operations the engine needs, and no more.
///
/// Implementations are shared between threads. Errors carry the operation and
/// path ([`crate::Error::Io`]).
pub trait Fs: Send + Sync + fmt::Debug {
    /// Creates `dir` and any missing parents. Directories are treated as
    /// durable once created.
    fn create_dir_all(&self, dir: &Path) -> Result<()>;

    /// Creates (or truncates) the file at `path` and opens it for appending.
    /// Its directory entry is durable only after [`Fs::sync_dir`].
    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>>;

    /// Maps the whole file at `path` read-only. The bytes stay valid (and
    /// unchanged) for as long as the returned handle lives, even if the file
    /// is later removed.
    fn map(&self, path: &Path) -> Result<Bytes>;

    /// Atomically renames `from` to `to`, replacing `to` if it exists.
    fn rename(&self, from: &Path, to: &Path) -> Result<()>;

    /// Removes the file at `path`.
    fn remove_file(&self, path: &Path) -> Result<()>;

    /// The names (not paths) of the files in `dir`, in no particular order.
    fn list_dir(&self, dir: &Path) -> Result<Vec<String>>;

    /// Makes the directory entries of `dir` durable (creations, renames and
    /// removals made so far).
    fn sync_dir(&self, dir: &Path) -> Result<()>;

    /// Whether a file exists at `path`.
    fn exists(&self, path: &Path) -> Result<bool>;

    /// Takes an exclusive lock on the directory `dir` (on a `LOCK` file in
    /// it) for as long as the returned guard lives. Fails with
    /// [`crate::Error::Locked`] if another holder has it.
    fn lock_dir(&self, dir: &Path) -> Result<DirLock>;
}

/// An open file being written, append-only.
pub trait WritableFile: Send + fmt::Debug {
    /// Appends `data` at the end of the file. After an error the file's
    /// contents past the last successful sync are unspecified.
    fn append(&mut self, data: &[u8]) -> Result<()>;

    /// Makes everything appended so far durable (`fdatasync`). An error
    /// means the durability of everything since the last successful sync is
    /// unknown; callers must not retry and carry on (see `docs/architecture.md`).
    fn sync_data(&mut self) -> Result<()>;

    /// Bytes appended so far.
    fn len(&self) -> u64;

    /// Whether nothing has been appended yet.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The path the file was created at.
    fn path(&self) -> &Path;
}

/// A held directory lock; released when dropped.
pub struct DirLock {
    _guard: Box<dyn std::any::Any + Send + Sync>,
}

impl DirLock {
    pub(crate) fn new(guard: impl std::any::Any + Send + Sync) -> Self {
        DirLock {
            _guard: Box::new(guard),
        }
    }
}

impl fmt::Debug for DirLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DirLock")
    }
}

/// A monotonic clock, behind a trait so tests can drive time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The real monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // This is the one sanctioned call site.
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// The default file system: the real one.
pub fn default_fs() -> Arc<dyn Fs> {
    Arc::new(OsFs)
}
