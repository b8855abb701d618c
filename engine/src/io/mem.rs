//! [`MemFs`]: an in-memory file system with exact crash semantics.
//!
//! It keeps, for every file, how many of its bytes were synced, and for every
//! directory entry, whether the directory was synced since the entry was
//! created, renamed or removed. [`MemFs::crash`] then rebuilds the state a
//! power loss would leave: synced bytes of files reachable through synced
//! directory entries, nothing else. Files are append-only, so "synced bytes"
//! is always a prefix. A sync begun with `begin_sync` covers the length the
//! file had then; waiting on it extends the synced prefix to that length (and
//! counts as a sync), whatever was appended in between.
//!
//! For crash-point tests, [`MemFs::crash_at_sync`] arms a power cut at the
//! n-th successful sync: the durable image is captured right after that sync
//! and every later operation fails, as if the machine had stopped. The test
//! then calls [`MemFs::restart`] and reopens the database.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

use super::{DirLock, Fs, PendingSync, WritableFile};
use crate::{Error, Result};

type Inode = u64;

#[derive(Debug, Default, Clone)]
struct MemFile {
    data: Vec<u8>,
    synced_len: usize,
}

#[derive(Debug, Default, Clone)]
struct State {
    files: HashMap<Inode, MemFile>,
    /// Directory entries as the running process sees them.
    entries: BTreeMap<PathBuf, Inode>,
    /// Directory entries as they would be found after a crash.
    synced_entries: BTreeMap<PathBuf, Inode>,
    dirs: BTreeSet<PathBuf>,
    next_inode: Inode,
}

impl State {
    /// The state a power loss would leave behind.
    fn durable_image(&self, keep_unsynced: &mut dyn FnMut(usize) -> usize) -> State {
        let mut files = HashMap::new();
        for inode in self.synced_entries.values() {
            if let Some(file) = self.files.get(inode) {
                let unsynced = file.data.len() - file.synced_len;
                let kept = file.synced_len + keep_unsynced(unsynced).min(unsynced);
                files.insert(
                    *inode,
                    MemFile {
                        data: file.data[..kept].to_vec(),
                        synced_len: kept,
                    },
                );
            }
        }
        State {
            files,
            entries: self.synced_entries.clone(),
            synced_entries: self.synced_entries.clone(),
            dirs: self.dirs.clone(),
            next_inode: self.next_inode,
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    state: State,
    locks: BTreeSet<PathBuf>,
    /// Successful syncs (file and directory) so far.
    sync_count: u64,
    /// Power cut armed at this sync count.
    crash_at_sync: Option<u64>,
    /// The durable image captured at the power cut; `Some` means "powered off".
    frozen: Option<State>,
}

/// An in-memory file system that knows what was synced. Cloning gives another
/// handle to the same file system.
#[derive(Debug, Default, Clone)]
pub struct MemFs {
    shared: Arc<Mutex<Shared>>,
}

fn powered_off(op: &'static str, path: &Path) -> Error {
    Error::io(
        op,
        path,
        std::io::Error::other("simulated power loss: the machine has stopped"),
    )
}

fn not_found(op: &'static str, path: &Path) -> Error {
    Error::io(op, path, std::io::Error::from(std::io::ErrorKind::NotFound))
}

impl MemFs {
    /// An empty file system.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic while holding this lock can only come from a bug in this
        // file; the state is still consistent enough for a test to report.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Simulates a power loss now: unsynced bytes and unsynced directory
    /// entries are dropped, locks are released.
    pub fn crash(&self) {
        self.crash_keeping(&mut |_| 0);
    }

    /// Simulates a power loss in which part of each file's unsynced tail did
    /// reach the medium: `keep_unsynced(n)` says how many of a file's `n`
    /// unsynced bytes survive (a torn write).
    pub fn crash_keeping(&self, keep_unsynced: &mut dyn FnMut(usize) -> usize) {
        let mut shared = self.lock();
        let image = match shared.frozen.take() {
            Some(frozen) => frozen,
            None => shared.state.durable_image(keep_unsynced),
        };
        shared.state = image;
        shared.locks.clear();
        shared.crash_at_sync = None;
    }

    /// Arms a power cut right after the `n`-th successful sync from now
    /// (`n >= 1`); see the module docs.
    pub fn crash_at_sync(&self, n: u64) {
        let mut shared = self.lock();
        let at = shared.sync_count + n;
        shared.crash_at_sync = Some(at);
    }

    /// Whether an armed power cut has happened.
    pub fn is_powered_off(&self) -> bool {
        self.lock().frozen.is_some()
    }

    /// After a power cut (or at any time), restarts the machine: the state
    /// becomes the durable image and operations work again.
    pub fn restart(&self) {
        self.crash();
    }

    /// Successful syncs so far (file and directory syncs).
    pub fn sync_count(&self) -> u64 {
        self.lock().sync_count
    }

    /// Flips bit `bit` (0..8) of the byte at `offset` of the file at `path`,
    /// in both its current and its durable contents (bit rot on the medium).
    pub fn flip_bit(&self, path: &Path, offset: u64, bit: u8) -> Result<()> {
        let mut shared = self.lock();
        let inode = *shared
            .state
            .entries
            .get(path)
            .ok_or_else(|| not_found("flip_bit", path))?;
        let file = shared
            .state
            .files
            .get_mut(&inode)
            .ok_or_else(|| not_found("flip_bit", path))?;
        let byte = file
            .data
            .get_mut(offset as usize)
            .ok_or_else(|| Error::io("flip_bit", path, std::io::ErrorKind::InvalidInput.into()))?;
        *byte ^= 1 << (bit % 8);
        Ok(())
    }

    /// The size of the file at `path`, if it exists.
    pub fn file_len(&self, path: &Path) -> Option<u64> {
        let shared = self.lock();
        let inode = shared.state.entries.get(path)?;
        shared.state.files.get(inode).map(|f| f.data.len() as u64)
    }

    /// Runs `f` on file `inode` under the lock, and hands the lock back for
    /// what follows (counting a sync). Fails as operation `op` on `path` if
    /// the machine is powered off or the file is gone.
    fn with_live_file<R>(
        &self,
        inode: Inode,
        op: &'static str,
        path: &Path,
        f: impl FnOnce(&mut MemFile) -> R,
    ) -> Result<(MutexGuard<'_, Shared>, R)> {
        let mut shared = self.lock();
        if shared.frozen.is_some() {
            return Err(powered_off(op, path));
        }
        let file = shared
            .state
            .files
            .get_mut(&inode)
            .ok_or_else(|| not_found(op, path))?;
        let result = f(file);
        Ok((shared, result))
    }

    /// Counts a successful sync and takes the power-cut snapshot if armed.
    fn count_sync(shared: &mut Shared) {
        shared.sync_count += 1;
        if shared.crash_at_sync == Some(shared.sync_count) {
            shared.frozen = Some(shared.state.durable_image(&mut |_| 0));
        }
    }
}

/// A handle appending to one in-memory file (one inode).
#[derive(Debug)]
struct MemWritableFile {
    fs: MemFs,
    inode: Inode,
    path: PathBuf,
    len: u64,
}

impl WritableFile for MemWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        let (shared, ()) = self
            .fs
            .with_live_file(self.inode, "write", &self.path, |file| {
                file.data.extend_from_slice(data);
            })?;
        drop(shared);
        self.len += data.len() as u64;
        Ok(())
    }

    fn sync_data(&mut self) -> Result<()> {
        let (mut shared, ()) =
            self.fs
                .with_live_file(self.inode, "fdatasync", &self.path, |file| {
                    file.synced_len = file.data.len();
                })?;
        MemFs::count_sync(&mut shared);
        Ok(())
    }

    fn len(&self) -> u64 {
        self.len
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Captures the file's length now; the handle's `wait` makes exactly
    /// that prefix durable, whatever was appended in between.
    fn begin_sync(&mut self) -> Result<Box<dyn PendingSync>> {
        let (shared, covered_len) =
            self.fs
                .with_live_file(self.inode, "fdatasync", &self.path, |file| file.data.len())?;
        drop(shared);
        Ok(Box::new(MemPendingSync {
            fs: self.fs.clone(),
            inode: self.inode,
            path: self.path.clone(),
            covered_len,
        }))
    }
}

/// A sync begun by [`MemWritableFile::begin_sync`]: the length it covers.
#[derive(Debug)]
struct MemPendingSync {
    fs: MemFs,
    inode: Inode,
    path: PathBuf,
    /// The file's length when the sync began.
    covered_len: usize,
}

impl PendingSync for MemPendingSync {
    fn wait(self: Box<Self>) -> Result<()> {
        let (mut shared, ()) =
            self.fs
                .with_live_file(self.inode, "fdatasync", &self.path, |file| {
                    // A later sync may already have covered more; and a crash
                    // in between (a test misusing a handle from before it) may
                    // have cut the file shorter than the captured length,
                    // which must not be claimed.
                    let covered_len = self.covered_len.min(file.data.len());
                    file.synced_len = file.synced_len.max(covered_len);
                })?;
        MemFs::count_sync(&mut shared);
        Ok(())
    }
}

/// Releases a [`MemFs`] directory lock when dropped.
#[derive(Debug)]
struct MemLockGuard {
    fs: MemFs,
    dir: PathBuf,
}

impl Drop for MemLockGuard {
    fn drop(&mut self) {
        self.fs.lock().locks.remove(&self.dir);
    }
}

impl Fs for MemFs {
    fn create_dir_all(&self, dir: &Path) -> Result<()> {
        let mut shared = self.lock();
        if shared.frozen.is_some() {
            return Err(powered_off("create_dir_all", dir));
        }
        for ancestor in dir.ancestors() {
            shared.state.dirs.insert(ancestor.to_path_buf());
        }
        Ok(())
    }

    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let mut shared = self.lock();
        if shared.frozen.is_some() {
            return Err(powered_off("create", path));
        }
        let parent = path.parent().unwrap_or(Path::new(""));
        if !shared.state.dirs.contains(parent) {
            return Err(not_found("create", path));
        }
        let inode = shared.state.next_inode;
        shared.state.next_inode += 1;
        shared.state.files.insert(inode, MemFile::default());
        shared.state.entries.insert(path.to_path_buf(), inode);
        Ok(Box::new(MemWritableFile {
            fs: self.clone(),
            inode,
            path: path.to_path_buf(),
            len: 0,
        }))
    }

    fn map(&self, path: &Path) -> Result<Bytes> {
        let shared = self.lock();
        if shared.frozen.is_some() {
            return Err(powered_off("mmap", path));
        }
        let inode = shared
            .state
            .entries
            .get(path)
            .ok_or_else(|| not_found("open", path))?;
        let file = shared
            .state
            .files
            .get(inode)
            .ok_or_else(|| not_found("open", path))?;
        Ok(Bytes::copy_from_slice(&file.data))
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        let mut shared = self.lock();
        if shared.frozen.is_some() {
            return Err(powered_off("rename", from));
        }
        let inode = shared
            .state
            .entries
            .remove(from)
            .ok_or_else(|| not_found("rename", from))?;
        shared.state.entries.insert(to.to_path_buf(), inode);
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> Result<()> {
        let mut shared = self.lock();
        if shared.frozen.is_some() {
            return Err(powered_off("remove", path));
        }
        shared
            .state
            .entries
            .remove(path)
            .ok_or_else(|| not_found("remove", path))?;
        Ok(())
    }

    fn list_dir(&self, dir: &Path) -> Result<Vec<String>> {
        let shared = self.lock();
        if shared.frozen.is_some() {
            return Err(powered_off("read_dir", dir));
        }
        if !shared.state.dirs.contains(dir) {
            return Err(not_found("read_dir", dir));
        }
        Ok(shared
            .state
            .entries
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect())
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        let mut shared = self.lock();
        if shared.frozen.is_some() {
            return Err(powered_off("fsync directory", dir));
        }
        let state = &mut shared.state;
        state.synced_entries.retain(|p, _| p.parent() != Some(dir));
        for (path, inode) in &state.entries {
            if path.parent() == Some(dir) {
                state.synced_entries.insert(path.clone(), *inode);
            }
        }
        // Inodes no longer reachable from any entry, current or durable, are garbage.
        let live: BTreeSet<Inode> = state
            .entries
            .values()
            .chain(state.synced_entries.values())
            .copied()
            .collect();
        // Keep inodes of open-but-unlinked files out of this: handles hold
        // them by number and get NotFound on their next write, which only a
        // buggy caller would attempt.
        state.files.retain(|inode, _| live.contains(inode));
        MemFs::count_sync(&mut shared);
        Ok(())
    }

    fn exists(&self, path: &Path) -> Result<bool> {
        let shared = self.lock();
        Ok(shared.state.entries.contains_key(path) || shared.state.dirs.contains(path))
    }

    fn lock_dir(&self, dir: &Path) -> Result<DirLock> {
        let mut shared = self.lock();
        if !shared.locks.insert(dir.to_path_buf()) {
            return Err(Error::Locked {
                path: dir.to_path_buf(),
            });
        }
        Ok(DirLock::new(MemLockGuard {
            fs: self.clone(),
            dir: dir.to_path_buf(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        PathBuf::from("/db")
    }

    /// A file system with `/db/a`, created and its entry synced, open for appending.
    fn fs_with_file_a() -> (MemFs, Box<dyn WritableFile>) {
        let fs = MemFs::new();
        fs.create_dir_all(&dir()).unwrap();
        let a = fs.create(&dir().join("a")).unwrap();
        fs.sync_dir(&dir()).unwrap();
        (fs, a)
    }

    #[test]
    fn crash_drops_unsynced_bytes_and_entries() {
        let fs = MemFs::new();
        fs.create_dir_all(&dir()).unwrap();
        let mut a = fs.create(&dir().join("a")).unwrap();
        a.append(b"hello").unwrap();
        a.sync_data().unwrap();
        a.append(b" world").unwrap();
        fs.sync_dir(&dir()).unwrap();
        let mut b = fs.create(&dir().join("b")).unwrap();
        b.append(b"unsynced entry").unwrap();
        b.sync_data().unwrap();
        fs.crash();
        assert_eq!(&fs.map(&dir().join("a")).unwrap()[..], b"hello");
        assert!(!fs.exists(&dir().join("b")).unwrap());
    }

    #[test]
    fn rename_is_durable_only_after_directory_sync() {
        let fs = MemFs::new();
        fs.create_dir_all(&dir()).unwrap();
        let mut a = fs.create(&dir().join("tmp")).unwrap();
        a.append(b"x").unwrap();
        a.sync_data().unwrap();
        fs.sync_dir(&dir()).unwrap();
        fs.rename(&dir().join("tmp"), &dir().join("final")).unwrap();
        fs.crash();
        assert!(fs.exists(&dir().join("tmp")).unwrap());
        assert!(!fs.exists(&dir().join("final")).unwrap());
        fs.rename(&dir().join("tmp"), &dir().join("final")).unwrap();
        fs.sync_dir(&dir()).unwrap();
        fs.crash();
        assert_eq!(&fs.map(&dir().join("final")).unwrap()[..], b"x");
    }

    #[test]
    fn power_cut_at_sync_freezes_the_durable_image() {
        let (fs, mut a) = fs_with_file_a();
        fs.crash_at_sync(1);
        a.append(b"one").unwrap();
        a.sync_data().unwrap();
        assert!(fs.is_powered_off());
        assert!(a.append(b"two").is_err());
        fs.restart();
        assert_eq!(&fs.map(&dir().join("a")).unwrap()[..], b"one");
    }

    #[test]
    fn pending_sync_covers_only_bytes_appended_before_it_began() {
        let (fs, mut a) = fs_with_file_a();
        a.append(b"before").unwrap();
        let pending = a.begin_sync().unwrap();
        a.append(b" after").unwrap();
        pending.wait().unwrap();
        assert_eq!(fs.file_len(&dir().join("a")), Some(12));
        fs.crash();
        assert_eq!(&fs.map(&dir().join("a")).unwrap()[..], b"before");
    }

    #[test]
    fn pending_sync_counts_toward_a_power_cut() {
        let (fs, mut a) = fs_with_file_a();
        fs.crash_at_sync(1);
        a.append(b"one").unwrap();
        let pending = a.begin_sync().unwrap();
        assert!(!fs.is_powered_off(), "beginning a sync is not a sync");
        a.append(b"two").unwrap();
        pending.wait().unwrap();
        assert!(fs.is_powered_off());
        assert!(a.begin_sync().is_err());
        fs.restart();
        assert_eq!(&fs.map(&dir().join("a")).unwrap()[..], b"one");
    }

    #[test]
    fn pending_sync_fails_after_a_power_cut() {
        let fs = MemFs::new();
        fs.create_dir_all(&dir()).unwrap();
        let mut a = fs.create(&dir().join("a")).unwrap();
        let mut b = fs.create(&dir().join("b")).unwrap();
        fs.sync_dir(&dir()).unwrap();
        a.append(b"a").unwrap();
        let pending = a.begin_sync().unwrap();
        fs.crash_at_sync(1);
        b.sync_data().unwrap();
        assert!(pending.wait().is_err());
    }

    #[test]
    fn lock_is_exclusive_until_dropped() {
        let fs = MemFs::new();
        fs.create_dir_all(&dir()).unwrap();
        let guard = fs.lock_dir(&dir()).unwrap();
        assert!(matches!(fs.lock_dir(&dir()), Err(Error::Locked { .. })));
        drop(guard);
        fs.lock_dir(&dir()).unwrap();
    }
}
