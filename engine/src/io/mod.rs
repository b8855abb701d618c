//! The I/O seam: the only module that touches files or the clock.
//!
//! Everything above this module reads and writes files through the [`Fs`] and
//! [`WritableFile`] traits, so the same engine code runs on
//! - [`UringFs`]: the real file system, appending through a user-space buffer
//!   and io_uring, a sync being one linked write-then-`fdatasync` submission
//!   (Linux 5.6 or later, where io_uring is allowed),
//! - [`OsFs`]: the real file system through plain system calls, the portable
//!   fallback (both real backends read through `memmap2`),
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
//!   directory returns `Ok`. Closing (dropping) a handle syncs nothing, but
//!   every appended byte is in the file once the handle is closed.
//! - Buffers are handed over by reference and copied (or written) before the
//!   call returns, so a completion-based backend ([`UringFs`]) can submit
//!   `append` + `sync_data` as one linked write-then-fdatasync without the
//!   caller keeping buffers alive.
//!
//! # Choosing the real backend
//! [`os_fs`] picks between [`UringFs`] and [`OsFs`] ([`IoBackend`]): a backend
//! passed in is used as given; otherwise the environment variable
//! `DYNACORE_IO` (`uring` or `portable`; unset or empty means automatic)
//! decides; otherwise io_uring is used when [`uring_available`], which tries
//! once per process to set up a ring and fails where the kernel lacks
//! io_uring, `kernel.io_uring_disabled` forbids it, or a seccomp filter (as in
//! many containers) blocks it. [`default_fs`] is the automatic choice.

mod faulty;
mod mem;
mod os;
mod uring;

pub use faulty::{FaultKind, FaultyFs};
pub use mem::MemFs;
pub use os::OsFs;
pub use uring::UringFs;

use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use crate::{Error, Result};

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

    /// Asks the OS to start writing back what was appended so far, without
    /// waiting for it (Linux's `sync_file_range(SYNC_FILE_RANGE_WRITE)`).
    /// Durability still needs [`WritableFile::sync_data`]; this only keeps
    /// dirty pages from piling up, so that the final sync of a large file —
    /// made while a shard's lock is held — has little left to do.
    ///
    /// The default does nothing (in-memory files have nothing to write back).
    fn start_writeback(&mut self) -> Result<()> {
        Ok(())
    }

    /// Starts making everything appended so far durable, and returns the
    /// handle that finishes the job. The owner can then release its lock
    /// while the device works: group commit appends a group's records under
    /// the shard's lock, and the group's leader waits for the sync outside it.
    ///
    /// The sync covers exactly the bytes appended before this call. The
    /// handle may be waited on from another thread; appends made after this
    /// call are allowed while it is pending and are not covered by it.
    /// Errors (from here or from [`PendingSync::wait`]) mean the same as a
    /// failed [`WritableFile::sync_data`]: never retry and carry on.
    ///
    /// The default syncs right here and returns a finished handle.
    fn begin_sync(&mut self) -> Result<Box<dyn PendingSync>> {
        self.sync_data()?;
        Ok(Box::new(SyncDone))
    }
}

/// A sync started by [`WritableFile::begin_sync`], finished by [`PendingSync::wait`].
pub trait PendingSync: Send {
    /// Blocks until the bytes the sync covers are durable, or fails.
    fn wait(self: Box<Self>) -> Result<()>;
}

/// A sync that already finished (the default [`WritableFile::begin_sync`]).
#[derive(Debug, Clone, Copy)]
pub struct SyncDone;

impl PendingSync for SyncDone {
    fn wait(self: Box<Self>) -> Result<()> {
        Ok(())
    }
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

/// The clocks, behind a trait so tests can drive time: a monotonic one for
/// measuring intervals and a wall clock for timestamps users see.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant (monotonic: for intervals and deadlines).
    fn now(&self) -> Instant;

    /// Wall-clock time in milliseconds since the Unix epoch (for timestamps
    /// that are stored or shown, such as a table's creation time). Not
    /// monotonic: the system clock may be set back. A time before the epoch
    /// reads as 0.
    fn unix_time_ms(&self) -> u64;
}

/// The real clocks.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // This is the one sanctioned call site.
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn unix_time_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| {
                u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
            })
    }
}

/// Clocks that move only when told to: for tests of time-driven behaviour
/// (interval syncs, timestamps) without sleeping. Clones share the same time.
/// [`ManualClock::advance`] moves both clocks; [`ManualClock::set_unix_time_ms`]
/// sets the wall clock alone (as an operator setting the system clock would).
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<std::sync::Mutex<ManualTime>>,
}

#[derive(Debug, Clone, Copy)]
struct ManualTime {
    instant: Instant,
    unix_time_ms: u64,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock {
            now: Arc::new(std::sync::Mutex::new(ManualTime {
                instant: SystemClock.now(),
                unix_time_ms: SystemClock.unix_time_ms(),
            })),
        }
    }
}

impl ManualClock {
    /// Clocks starting at the current real times.
    pub fn new() -> Self {
        Self::default()
    }

    fn time(&self) -> std::sync::MutexGuard<'_, ManualTime> {
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves both clocks forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let mut time = self.time();
        time.instant += by;
        let by_ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        time.unix_time_ms = time.unix_time_ms.saturating_add(by_ms);
    }

    /// Sets the wall clock to `unix_time_ms` (milliseconds since the Unix
    /// epoch); the monotonic clock does not move.
    pub fn set_unix_time_ms(&self, unix_time_ms: u64) {
        self.time().unix_time_ms = unix_time_ms;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.time().instant
    }

    fn unix_time_ms(&self) -> u64 {
        self.time().unix_time_ms
    }
}

/// The environment variable that chooses the real backend when none is
/// given to [`os_fs`]: `uring` or `portable`.
pub const IO_BACKEND_ENV: &str = "DYNACORE_IO";

/// A real file system backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IoBackend {
    /// [`UringFs`]: appends and syncs through io_uring.
    Uring,
    /// [`OsFs`]: plain system calls, works everywhere.
    Portable,
}

impl fmt::Display for IoBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoBackend::Uring => "io_uring",
            IoBackend::Portable => "portable",
        })
    }
}

impl FromStr for IoBackend {
    type Err = Error;

    /// Parses `uring` (or `io_uring`, as displayed) and `portable`.
    fn from_str(name: &str) -> Result<Self> {
        match name {
            "uring" | "io_uring" => Ok(IoBackend::Uring),
            "portable" => Ok(IoBackend::Portable),
            _ => Err(Error::InvalidConfig(format!(
                "unknown I/O backend `{name}`: expected `uring` or `portable`"
            ))),
        }
    }
}

/// Whether io_uring can be used in this process (checked once, then
/// remembered): a ring can be created, supports the operations [`UringFs`]
/// uses, and completes a no-op. False on any error, such as `ENOSYS` (no
/// io_uring in the kernel) or `EPERM` (`kernel.io_uring_disabled`, or a
/// seccomp filter).
pub fn uring_available() -> bool {
    uring::probe().is_ok()
}

/// The real file system, with the backend it uses; see the module docs for
/// how the backend is chosen.
///
/// Errors: [`Error::InvalidConfig`] if io_uring is asked for (by `backend` or
/// `DYNACORE_IO`) but cannot be set up here, or if `DYNACORE_IO` holds
/// anything but `uring`, `portable` or nothing.
pub fn os_fs(backend: Option<IoBackend>) -> Result<(Arc<dyn Fs>, IoBackend)> {
    let backend = match backend {
        Some(backend) => backend,
        None => match backend_from_env(std::env::var_os(IO_BACKEND_ENV))? {
            Some(backend) => backend,
            None if uring_available() => IoBackend::Uring,
            None => IoBackend::Portable,
        },
    };
    let fs: Arc<dyn Fs> = match backend {
        IoBackend::Uring => Arc::new(UringFs::new()?),
        IoBackend::Portable => Arc::new(OsFs),
    };
    Ok((fs, backend))
}

/// The backend `DYNACORE_IO` asks for, given its value; `None` if it is
/// unset or empty.
fn backend_from_env(value: Option<OsString>) -> Result<Option<IoBackend>> {
    let invalid = |value: &dyn fmt::Debug| {
        Error::InvalidConfig(format!(
            "{IO_BACKEND_ENV} is {value:?}: expected `uring` or `portable` (or unset, to choose \
             automatically)"
        ))
    };
    let Some(value) = value else {
        return Ok(None);
    };
    let Some(name) = value.to_str() else {
        return Err(invalid(&value));
    };
    if name.is_empty() {
        return Ok(None);
    }
    name.parse().map(Some).map_err(|_| invalid(&name))
}

/// The default file system: the real one, with the backend chosen
/// automatically ([`os_fs`]`(None)`); the portable backend if that choice
/// fails (an unusable `DYNACORE_IO`), since this function cannot report it.
pub fn default_fs() -> Arc<dyn Fs> {
    match os_fs(None) {
        Ok((fs, _)) => fs,
        Err(_) => Arc::new(OsFs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_backend_names_parse_and_display() {
        assert_eq!("uring".parse::<IoBackend>().unwrap(), IoBackend::Uring);
        assert_eq!(
            "portable".parse::<IoBackend>().unwrap(),
            IoBackend::Portable
        );
        for backend in [IoBackend::Uring, IoBackend::Portable] {
            assert_eq!(backend.to_string().parse::<IoBackend>().unwrap(), backend);
        }
        assert!(matches!(
            "URING".parse::<IoBackend>(),
            Err(Error::InvalidConfig(_))
        ));
    }

    #[test]
    fn backend_env_value_is_checked() {
        assert_eq!(backend_from_env(None).unwrap(), None);
        assert_eq!(backend_from_env(Some("".into())).unwrap(), None);
        assert_eq!(
            backend_from_env(Some("uring".into())).unwrap(),
            Some(IoBackend::Uring)
        );
        assert_eq!(
            backend_from_env(Some("portable".into())).unwrap(),
            Some(IoBackend::Portable)
        );
        let error = backend_from_env(Some("fast".into())).unwrap_err();
        assert!(matches!(error, Error::InvalidConfig(_)), "{error}");
        let message = error.to_string();
        assert!(message.contains(IO_BACKEND_ENV), "{message}");
        assert!(
            message.contains("uring") && message.contains("portable"),
            "{message}"
        );
    }

    #[test]
    fn forced_backend_is_used_or_refused() {
        let (_, backend) = os_fs(Some(IoBackend::Portable)).unwrap();
        assert_eq!(backend, IoBackend::Portable);
        match os_fs(Some(IoBackend::Uring)) {
            Ok((_, backend)) => {
                assert!(uring_available());
                assert_eq!(backend, IoBackend::Uring);
            }
            Err(error) => {
                assert!(!uring_available());
                assert!(matches!(error, Error::InvalidConfig(_)), "{error}");
                assert!(error.to_string().contains("io_uring"), "{error}");
            }
        }
    }
}
