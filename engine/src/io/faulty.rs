//! [`FaultyFs`]: a wrapper that makes another [`Fs`] fail on command.
//!
//! Faults are armed through the wrapper's methods and fire on the matching
//! operation of any handle opened through it:
//! - a failed `fdatasync` (EIO), once or on every sync from now on;
//! - a failed append (EIO or ENOSPC) after a byte budget, optionally torn:
//!   part of the buffer is written before the error (a short write);
//! - a bit flip in the bytes returned by `map` for one path and offset.
//!
//! Only paths whose file name contains the armed `path_filter` are affected,
//! so a test can fail just the WAL or just SSTables.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

use super::{DirLock, Fs, WritableFile};
use crate::{Error, Result};

/// What kind of error an injected write fault returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// `EIO`: the device reported an error.
    Eio,
    /// `ENOSPC`: the device is full.
    NoSpace,
}

impl FaultKind {
    fn to_io_error(self) -> std::io::Error {
        match self {
            FaultKind::Eio => std::io::Error::from_raw_os_error(libc::EIO),
            FaultKind::NoSpace => std::io::Error::from_raw_os_error(libc::ENOSPC),
        }
    }
}

#[derive(Debug, Default)]
struct Plan {
    /// Fail the sync after this many more successful syncs.
    sync_failure_after: Option<u64>,
    /// Keep failing every sync once one has failed.
    sync_failure_sticky: bool,
    sync_failed: bool,
    /// Fail appends after this many more bytes; write `torn_bytes` of the failing buffer first.
    write_failure_after_bytes: Option<u64>,
    write_failure_kind: Option<FaultKind>,
    write_failure_torn: bool,
    /// Flip bit `bit` of the byte at `offset` in mapped files matching the filter.
    read_flip: Option<(u64, u8)>,
    path_filter: String,
    injected_count: u64,
}

impl Plan {
    fn applies_to(&self, path: &Path) -> bool {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(&self.path_filter))
    }
}

/// A file system wrapper that injects faults; see the module docs.
#[derive(Debug, Clone)]
pub struct FaultyFs {
    inner: Arc<dyn Fs>,
    plan: Arc<Mutex<Plan>>,
}

impl FaultyFs {
    /// Wraps `inner`; no fault is armed.
    pub fn new(inner: Arc<dyn Fs>) -> Self {
        FaultyFs {
            inner,
            plan: Arc::default(),
        }
    }

    fn plan(&self) -> MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Limits faults to files whose name contains `filter` (`""`: all files).
    pub fn set_path_filter(&self, filter: &str) {
        self.plan().path_filter = filter.to_owned();
    }

    /// The sync after `successful_syncs` more successful ones fails with EIO;
    /// if `sticky`, every sync after it fails too.
    pub fn fail_sync_after(&self, successful_syncs: u64, sticky: bool) {
        let mut plan = self.plan();
        plan.sync_failure_after = Some(successful_syncs);
        plan.sync_failure_sticky = sticky;
        plan.sync_failed = false;
    }

    /// Appends fail with `kind` once `bytes` more bytes have been written; if
    /// `torn`, the failing append writes the part of its buffer that fits
    /// the budget before failing (a short, torn write). Every later append
    /// fails too.
    pub fn fail_writes_after_bytes(&self, bytes: u64, kind: FaultKind, torn: bool) {
        let mut plan = self.plan();
        plan.write_failure_after_bytes = Some(bytes);
        plan.write_failure_kind = Some(kind);
        plan.write_failure_torn = torn;
    }

    /// Bytes returned by `map` for matching files have bit `bit` of the byte
    /// at `offset` flipped (if the file is that long).
    pub fn flip_bit_on_read(&self, offset: u64, bit: u8) {
        self.plan().read_flip = Some((offset, bit % 8));
    }

    /// Disarms every fault.
    pub fn clear(&self) {
        let filter = std::mem::take(&mut self.plan().path_filter);
        *self.plan() = Plan {
            path_filter: filter,
            ..Plan::default()
        };
    }

    /// How many faults have fired so far.
    pub fn injected_count(&self) -> u64 {
        self.plan().injected_count
    }
}

#[derive(Debug)]
struct FaultyFile {
    inner: Box<dyn WritableFile>,
    plan: Arc<Mutex<Plan>>,
}

impl FaultyFile {
    fn plan(&self) -> MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl WritableFile for FaultyFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        let path = self.inner.path().to_path_buf();
        let mut plan = self.plan();
        if plan.applies_to(&path)
            && let (Some(budget), Some(kind)) =
                (plan.write_failure_after_bytes, plan.write_failure_kind)
        {
            if (data.len() as u64) > budget {
                let torn = plan.write_failure_torn;
                plan.write_failure_after_bytes = Some(0);
                plan.injected_count += 1;
                drop(plan);
                if torn && budget > 0 {
                    self.inner.append(&data[..budget as usize])?;
                }
                return Err(Error::io("write", &path, kind.to_io_error()));
            }
            plan.write_failure_after_bytes = Some(budget - data.len() as u64);
        }
        drop(plan);
        self.inner.append(data)
    }

    fn sync_data(&mut self) -> Result<()> {
        let path = self.inner.path().to_path_buf();
        let mut plan = self.plan();
        if plan.applies_to(&path) {
            let fire = match plan.sync_failure_after {
                Some(0) => true,
                Some(n) => {
                    plan.sync_failure_after = Some(n - 1);
                    false
                }
                None => plan.sync_failed && plan.sync_failure_sticky,
            };
            if fire {
                plan.sync_failure_after = None;
                plan.sync_failed = true;
                plan.injected_count += 1;
                return Err(Error::io("fdatasync", &path, FaultKind::Eio.to_io_error()));
            }
        }
        drop(plan);
        self.inner.sync_data()
    }

    fn start_writeback(&mut self) -> Result<()> {
        self.inner.start_writeback()
    }

    fn len(&self) -> u64 {
        self.inner.len()
    }

    fn path(&self) -> &Path {
        self.inner.path()
    }
}

impl Fs for FaultyFs {
    fn create_dir_all(&self, dir: &Path) -> Result<()> {
        self.inner.create_dir_all(dir)
    }

    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        Ok(Box::new(FaultyFile {
            inner: self.inner.create(path)?,
            plan: self.plan.clone(),
        }))
    }

    fn map(&self, path: &Path) -> Result<Bytes> {
        let bytes = self.inner.map(path)?;
        let mut plan = self.plan();
        match plan.read_flip {
            Some((offset, bit)) if plan.applies_to(path) && (offset as usize) < bytes.len() => {
                plan.injected_count += 1;
                let mut copy = bytes.to_vec();
                copy[offset as usize] ^= 1 << bit;
                Ok(Bytes::from(copy))
            }
            _ => Ok(bytes),
        }
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        self.inner.rename(from, to)
    }

    fn remove_file(&self, path: &Path) -> Result<()> {
        self.inner.remove_file(path)
    }

    fn list_dir(&self, dir: &Path) -> Result<Vec<String>> {
        self.inner.list_dir(dir)
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        self.inner.sync_dir(dir)
    }

    fn exists(&self, path: &Path) -> Result<bool> {
        self.inner.exists(path)
    }

    fn lock_dir(&self, dir: &Path) -> Result<DirLock> {
        self.inner.lock_dir(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::MemFs;
    use std::path::PathBuf;

    #[test]
    fn torn_write_keeps_prefix_then_fails() {
        let mem = MemFs::new();
        let fs = FaultyFs::new(Arc::new(mem.clone()));
        fs.create_dir_all(Path::new("/d")).unwrap();
        let path = PathBuf::from("/d/f.wal");
        let mut f = fs.create(&path).unwrap();
        fs.fail_writes_after_bytes(3, FaultKind::NoSpace, true);
        let err = f.append(b"abcdef").unwrap_err();
        assert!(err.to_string().contains("No space"), "{err}");
        assert_eq!(&mem.map(&path).unwrap()[..], b"abc");
        assert!(f.append(b"x").is_err());
    }

    #[test]
    fn sticky_sync_failure_keeps_failing() {
        let fs = FaultyFs::new(Arc::new(MemFs::new()));
        fs.create_dir_all(Path::new("/d")).unwrap();
        let mut f = fs.create(Path::new("/d/a")).unwrap();
        fs.fail_sync_after(1, true);
        f.sync_data().unwrap();
        assert!(f.sync_data().is_err());
        assert!(f.sync_data().is_err());
        assert_eq!(fs.injected_count(), 2);
    }
}
