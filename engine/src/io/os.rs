//! [`OsFs`]: the real file system through `std::fs`, reads through `memmap2`.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // The sanctioned home of std::fs.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;

use super::{DirLock, Fs, PendingSync, WritableFile};
use crate::{Error, Result};

/// How long `lock_dir` retries a held lock before reporting `Locked`.
const LOCK_RETRY_MAX: Duration = Duration::from_millis(500);
/// The pause between those retries.
const LOCK_RETRY_INTERVAL: Duration = Duration::from_millis(2);

/// The operating system's file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsFs;

/// A file opened for appending. Writes go straight to the kernel (no user
/// space buffer), so `append` + `sync_data` is exactly one write + one
/// `fdatasync`; callers batch before appending.
#[derive(Debug)]
struct OsWritableFile {
    /// Shared with pending syncs, so starting one needs no `dup` (which can
    /// fail with EMFILE and would then poison the log).
    file: std::sync::Arc<File>,
    path: PathBuf,
    len: u64,
}

impl WritableFile for OsWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        (&*self.file)
            .write_all(data)
            .map_err(|e| Error::io("write", &self.path, e))?;
        self.len += data.len() as u64;
        Ok(())
    }

    fn sync_data(&mut self) -> Result<()> {
        self.file
            .sync_data()
            .map_err(|e| Error::io("fdatasync", &self.path, e))
    }

    fn start_writeback(&mut self) -> Result<()> {
        start_writeback(&self.file, &self.path)
    }

    fn len(&self) -> u64 {
        self.len
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Appends went straight to the kernel, so a `fdatasync` of the same
    /// descriptor, from any thread, covers everything appended so far.
    fn begin_sync(&mut self) -> Result<Box<dyn PendingSync>> {
        Ok(Box::new(OsPendingSync {
            file: self.file.clone(),
            path: self.path.clone(),
        }))
    }
}

/// A sync begun by [`OsWritableFile::begin_sync`]: the file, to `fdatasync`
/// when waited on.
#[derive(Debug)]
struct OsPendingSync {
    file: std::sync::Arc<File>,
    path: PathBuf,
}

impl PendingSync for OsPendingSync {
    fn wait(self: Box<Self>) -> Result<()> {
        self.file
            .sync_data()
            .map_err(|e| Error::io("fdatasync", &self.path, e))
    }
}

/// Creates (or truncates) the file at `path` for writing: the one way both
/// real backends open files.
pub(super) fn create_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(|e| Error::io("create", path, e))
}

impl Fs for OsFs {
    fn create_dir_all(&self, dir: &Path) -> Result<()> {
        fs::create_dir_all(dir).map_err(|e| Error::io("create_dir_all", dir, e))
    }

    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let file = create_file(path)?;
        Ok(Box::new(OsWritableFile {
            file: std::sync::Arc::new(file),
            path: path.to_path_buf(),
            len: 0,
        }))
    }

    fn map(&self, path: &Path) -> Result<Bytes> {
        let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io("stat", path, e))?
            .len();
        if len == 0 {
            // mmap of an empty file is an error on Linux; there is nothing to map.
            return Ok(Bytes::new());
        }
        // SAFETY: dynacore's files are immutable once written and are only
        // ever removed, never truncated or rewritten in place, while mapped;
        // the mapping therefore never changes underneath the returned bytes.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io("mmap", path, e))?;
        Ok(Bytes::from_owner(map))
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        fs::rename(from, to).map_err(|e| Error::io("rename", from, e))
    }

    fn remove_file(&self, path: &Path) -> Result<()> {
        fs::remove_file(path).map_err(|e| Error::io("remove", path, e))
    }

    fn list_dir(&self, dir: &Path) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| Error::io("read_dir", dir, e))? {
            let entry = entry.map_err(|e| Error::io("read_dir", dir, e))?;
            if let Some(name) = entry.file_name().to_str() {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        let handle = File::open(dir).map_err(|e| Error::io("open directory", dir, e))?;
        handle
            .sync_all()
            .map_err(|e| Error::io("fsync directory", dir, e))
    }

    fn exists(&self, path: &Path) -> Result<bool> {
        path.try_exists().map_err(|e| Error::io("stat", path, e))
    }

    fn lock_dir(&self, dir: &Path) -> Result<DirLock> {
        let path = dir.join("LOCK");
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io("create", &path, e))?;
        // A lock just released can still look held for a moment: a process
        // forked by this one (any thread spawning a child) shares the lock's
        // open file description until it execs, which closes it. So a held
        // lock is retried for a short while before it counts as another
        // process's (seen in the test suite, which spawns children while
        // other tests close and reopen databases).
        let mut waited = Duration::ZERO;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(DirLock::new(file)),
                Err(fs::TryLockError::WouldBlock) if waited < LOCK_RETRY_MAX => {
                    std::thread::sleep(LOCK_RETRY_INTERVAL);
                    waited += LOCK_RETRY_INTERVAL;
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        path: dir.to_path_buf(),
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io("flock", &path, e)),
            }
        }
    }
}

/// `sync_file_range(SYNC_FILE_RANGE_WRITE)` over the whole of `file`: starts
/// writeback of its dirty pages without waiting for it. Shared by both real
/// backends.
pub(super) fn start_writeback(file: &File, path: &Path) -> Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on a descriptor `file` keeps open; offset
    // 0 and length 0 mean "to the end of the file".
    let result =
        unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
    if result != 0 {
        return Err(Error::io(
            "sync_file_range",
            path,
            std::io::Error::last_os_error(),
        ));
    }
    Ok(())
}
