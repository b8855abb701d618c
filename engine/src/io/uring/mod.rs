//! [`UringFs`]: the real file system, with appends and syncs through io_uring.
//!
//! Everything except writing files is delegated to [`OsFs`]. A file created
//! through [`UringFs`] keeps appended bytes in a user-space buffer (up to
//! [`BUFFER_FLUSH_THRESHOLD_BYTES`]) and hands them to the kernel as one
//! `IORING_OP_WRITE`; a sync submits that write and an
//! `IORING_OP_FSYNC` (`DATASYNC`) as one linked pair, so a group commit costs
//! one `io_uring_enter` instead of a `write` and an `fdatasync`.
//!
//! # Threads and rings
//! Each thread owns one small ring, created on its first use and kept until
//! the thread ends; any thread may write or sync any file. Every operation
//! waits for its own completions and reaps the whole completion queue before
//! returning, so a ring never holds a stale completion and a buffer is never
//! freed while the kernel may still read it. If the ring itself fails with
//! operations possibly in flight, the ring is dropped and their buffers are
//! leaked on purpose (never freed or reused); the file is failed anyway.
//!
//! # Ordering of pending syncs
//! [`WritableFile::begin_sync`] hands the buffered bytes to the returned
//! handle, which writes them when waited on, possibly on another thread and
//! after later appends. A sync must never claim a prefix of the file whose
//! earlier bytes have not reached the kernel (a later group acknowledged over
//! a hole left by an earlier one would be lost by recovery), so every sync
//! first writes all handed-off bytes in front of it, in offset order, under a
//! per-file lock held only by syncs (never by `append`). Bytes the file writes
//! itself (a full buffer) lie after every handed-off byte and are written
//! before any later sync begins, so they need no ordering.
//!
//! # Failures
//! The first failed write or sync poisons the file, its pending syncs
//! included: everything afterwards fails with [`Error::Poisoned`]. A failed
//! fsync is never retried (see `docs/architecture.md`).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // A real backend: the home of std::fs.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use bytes::Bytes;
use io_uring::{IoUring, opcode, squeue, types};

use super::os::create_file;
use super::{DirLock, Fs, OsFs, PendingSync, WritableFile};
use crate::{Error, Result};

/// Submission queue entries per thread's ring. An operation has at most two
/// entries in flight (a write linked to an fsync), so eight is ample; the
/// completion queue is twice as large and cannot overflow.
const RING_ENTRIES: u32 = 8;

/// Buffered bytes that trigger a write from `append`. Large enough that a
/// table's blocks go out in few writes, small enough to bound the memory held
/// per open file and the bytes a crash can lose from the page cache's view.
const BUFFER_FLUSH_THRESHOLD_BYTES: usize = 256 * 1024;

/// The largest buffer capacity kept after a write; a larger one (left by one
/// huge append) is shrunk so an idle file does not pin it.
const BUFFER_RETAINED_BYTES_MAX: usize = 2 * BUFFER_FLUSH_THRESHOLD_BYTES;

/// The most bytes one write entry asks for (Linux caps a write at just under
/// 2 GiB, and an entry's length is a `u32`); longer buffers take several.
const WRITE_BYTES_MAX: usize = 1 << 30;

const _: () = assert!(BUFFER_FLUSH_THRESHOLD_BYTES <= WRITE_BYTES_MAX);
const _: () = assert!(WRITE_BYTES_MAX <= u32::MAX as usize);

/// `user_data` of an entry is its index in the batch [`run`] submits, which
/// is how completions are told apart: the write of a linked pair, or a lone
/// entry.
const WRITE_USER_DATA: u64 = 0;
/// `user_data` of the fsync linked after a write.
const FSYNC_USER_DATA: u64 = 1;
/// `user_data` of an entry submitted alone.
const LONE_USER_DATA: u64 = 0;

/// The real file system, writing through io_uring; see the module docs.
///
/// Obtain one with [`UringFs::new`] (or [`super::os_fs`]), which checks that
/// io_uring works on this machine.
#[derive(Debug, Clone, Copy)]
pub struct UringFs {
    _checked: (),
}

impl UringFs {
    /// The io_uring backend.
    ///
    /// Errors: [`Error::InvalidConfig`] if io_uring cannot be used here (the
    /// kernel lacks it, it is disabled by `kernel.io_uring_disabled`, or a
    /// seccomp filter forbids it), saying why.
    pub fn new() -> Result<Self> {
        match probe() {
            Ok(()) => Ok(UringFs { _checked: () }),
            Err(reason) => Err(Error::InvalidConfig(format!(
                "io_uring could not be set up ({reason}); use the portable backend \
                 (DYNACORE_IO=portable)"
            ))),
        }
    }
}

/// Whether io_uring works here, checked once per process: a ring can be
/// created, supports the operations this backend uses, and completes a no-op.
/// The error says what failed.
pub(super) fn probe() -> &'static std::result::Result<(), String> {
    static PROBE: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    PROBE.get_or_init(probe_once)
}

fn probe_once() -> std::result::Result<(), String> {
    let mut ring = IoUring::new(RING_ENTRIES).map_err(|e| format!("io_uring_setup: {e}"))?;
    let mut supported = io_uring::Probe::new();
    ring.submitter()
        .register_probe(&mut supported)
        .map_err(|e| format!("IORING_REGISTER_PROBE: {e}"))?;
    for (name, code) in [
        ("IORING_OP_WRITE", opcode::Write::CODE),
        ("IORING_OP_FSYNC", opcode::Fsync::CODE),
    ] {
        if !supported.is_supported(code) {
            return Err(format!("the kernel does not support {name}"));
        }
    }
    // Some sandboxes allow creating a ring but not entering it.
    let nop = opcode::Nop::new().build().user_data(LONE_USER_DATA);
    // SAFETY: a no-op points to no memory.
    let [result] =
        unsafe { run(&mut ring, &[nop]) }.map_err(|e| format!("{}: {}", e.op, e.source))?;
    if result < 0 {
        return Err(format!("IORING_OP_NOP: {}", os_error(result)));
    }
    Ok(())
}

/// Why a ring operation failed.
#[derive(Debug)]
struct RingError {
    /// The failed step: `"io_uring_setup"`, `"io_uring_enter"`, `"write"`,
    /// `"fdatasync"`.
    op: &'static str,
    source: io::Error,
    /// Whether entries may still be in flight: their buffers must then never
    /// be freed or reused (the caller leaks them).
    buffers_in_flight: bool,
}

impl RingError {
    fn finished(op: &'static str, source: io::Error) -> Self {
        RingError {
            op,
            source,
            buffers_in_flight: false,
        }
    }

    fn into_error(self, path: &Path) -> Error {
        Error::io(self.op, path, self.source)
    }
}

thread_local! {
    /// This thread's ring, created on first use.
    static RING: RefCell<Option<IoUring>> = const { RefCell::new(None) };
}

/// Runs `op` on this thread's ring, creating the ring first if needed. If
/// `op` reports entries possibly in flight, the ring is dropped so that no
/// later operation on this thread reaps their completions or resubmits them.
fn with_ring<T>(op: impl FnOnce(&mut IoUring) -> Result<T, RingError>) -> Result<T, RingError> {
    RING.try_with(|cell| {
        // `op` never calls back into this function, so the cell is free.
        let mut slot = cell.borrow_mut();
        let ring = match &mut *slot {
            Some(ring) => ring,
            None => slot.insert(
                IoUring::new(RING_ENTRIES).map_err(|e| RingError::finished("io_uring_setup", e))?,
            ),
        };
        let result = op(ring);
        if result.as_ref().is_err_and(|e| e.buffers_in_flight) {
            *slot = None;
        }
        result
    })
    .unwrap_or_else(|_| {
        Err(RingError::finished(
            "io_uring_setup",
            io::Error::other("the thread's ring is gone: the thread is exiting"),
        ))
    })
}

/// Submits `entries` (whose `user_data` are their indexes) and reaps exactly
/// their completions, returning each entry's result. The completion queue is
/// drained on every pass, so nothing is left behind.
///
/// # Safety
/// Every buffer an entry points to must stay valid, and unchanged, until this
/// returns; if it returns an error with `buffers_in_flight`, forever.
unsafe fn run<const N: usize>(
    ring: &mut IoUring,
    entries: &[squeue::Entry; N],
) -> Result<[i32; N], RingError> {
    // SAFETY: the caller guarantees the entries' buffers outlive the
    // operations; `push_multiple` pushes all entries or none.
    unsafe { ring.submission().push_multiple(entries) }.map_err(|_| {
        RingError::finished(
            "io_uring_enter",
            io::Error::other("the submission queue is full"),
        )
    })?;
    let mut results = [None; N];
    let mut reaped_count = 0;
    while reaped_count < N {
        match ring.submit_and_wait(N - reaped_count) {
            Ok(_) => {}
            // A signal arrived: the entries were either not taken (and are
            // submitted by the next call) or are running; wait again.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(RingError {
                    op: "io_uring_enter",
                    source: e,
                    buffers_in_flight: true,
                });
            }
        }
        for completion in ring.completion() {
            let slot = usize::try_from(completion.user_data())
                .ok()
                .and_then(|index| results.get_mut(index));
            match slot {
                Some(slot @ None) => {
                    *slot = Some(completion.result());
                    reaped_count += 1;
                }
                // Not one of ours, or twice: the ring's state is not what
                // this module maintains. Give the ring up.
                _ => {
                    return Err(RingError {
                        op: "io_uring_enter",
                        source: io::Error::other(format!(
                            "unexpected completion with user_data {}",
                            completion.user_data()
                        )),
                        buffers_in_flight: true,
                    });
                }
            }
        }
    }
    Ok(results.map(|result| result.unwrap_or(-libc::EIO)))
}

/// The error a negative completion result stands for.
fn os_error(result: i32) -> io::Error {
    io::Error::from_raw_os_error(result.checked_neg().unwrap_or(libc::EIO))
}

/// Bytes written according to a write's result, of `requested` asked for.
fn written_count(result: i32, requested: usize) -> Result<usize, RingError> {
    match usize::try_from(result) {
        Ok(0) => Err(RingError::finished(
            "write",
            io::Error::new(io::ErrorKind::WriteZero, "the write wrote nothing"),
        )),
        Ok(count) if count <= requested => Ok(count),
        Ok(count) => Err(RingError::finished(
            "write",
            io::Error::other(format!("wrote {count} bytes of {requested}")),
        )),
        Err(_) => Err(RingError::finished("write", os_error(result))),
    }
}

/// Writes all of `buffer` at `offset` of `fd`; then, if `sync`, makes the
/// file's data durable, the fsync linked to the last write. An empty buffer
/// with `sync` is a lone fsync.
///
/// A short write breaks the link (the kernel cancels the fsync with
/// `ECANCELED`); the rest is written and synced by another linked pair.
fn write_at(fd: RawFd, buffer: &[u8], offset: u64, sync: bool) -> Result<(), RingError> {
    let fd = types::Fd(fd);
    let mut written_bytes = 0;
    loop {
        let rest = &buffer[written_bytes..];
        if rest.is_empty() {
            if sync {
                let fsync = opcode::Fsync::new(fd)
                    .flags(types::FsyncFlags::DATASYNC)
                    .build()
                    .user_data(LONE_USER_DATA);
                // SAFETY: an fsync points to no memory.
                let [result] = with_ring(|ring| unsafe { run(ring, &[fsync]) })?;
                if result < 0 {
                    return Err(RingError::finished("fdatasync", os_error(result)));
                }
            }
            return Ok(());
        }
        let requested = rest.len().min(WRITE_BYTES_MAX);
        let is_last = requested == rest.len();
        let write = opcode::Write::new(fd, rest.as_ptr(), requested as u32)
            .offset(offset + written_bytes as u64)
            .build();
        if sync && is_last {
            let write = write
                .user_data(WRITE_USER_DATA)
                .flags(squeue::Flags::IO_LINK);
            let fsync = opcode::Fsync::new(fd)
                .flags(types::FsyncFlags::DATASYNC)
                .build()
                .user_data(FSYNC_USER_DATA);
            // SAFETY: the write reads `rest`, borrowed from `buffer`, which
            // the caller owns for the whole call; `run` returns only after
            // both completions are reaped, and on `buffers_in_flight` the
            // caller leaks the buffer.
            let [write_result, fsync_result] =
                with_ring(|ring| unsafe { run(ring, &[write, fsync]) })?;
            // An fsync that ran and failed is never ignored (not even after a
            // short write): the kernel may have dropped the dirty pages.
            if fsync_result < 0 && fsync_result != -libc::ECANCELED {
                return Err(RingError::finished("fdatasync", os_error(fsync_result)));
            }
            let count = written_count(write_result, requested)?;
            if count == requested {
                if fsync_result < 0 {
                    // Cancelled although the write was whole: no durability
                    // can be claimed, and a second attempt is not made.
                    return Err(RingError::finished("fdatasync", os_error(fsync_result)));
                }
                return Ok(());
            }
            written_bytes += count;
        } else {
            // SAFETY: as above; the single write reads `rest`, which
            // outlives the call.
            let write = write.user_data(LONE_USER_DATA);
            let [write_result] = with_ring(|ring| unsafe { run(ring, &[write]) })?;
            written_bytes += written_count(write_result, requested)?;
        }
    }
}

/// Bytes handed to a pending sync, not yet written.
struct Chunk {
    offset: u64,
    bytes: Vec<u8>,
}

impl Chunk {
    fn end(&self) -> u64 {
        self.offset + self.bytes.len() as u64
    }
}

impl fmt::Debug for Chunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chunk")
            .field("offset", &self.offset)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Handed-off bytes, and one spare buffer to hand back to the file.
#[derive(Debug, Default)]
struct Queue {
    /// Contiguous, in offset order.
    chunks: VecDeque<Chunk>,
    spare: Option<Vec<u8>>,
}

/// What a file and its pending syncs share.
#[derive(Debug)]
struct FileShared {
    file: File,
    path: PathBuf,
    /// Locked briefly, never across I/O, so `begin_sync` never waits for a
    /// device.
    queue: Mutex<Queue>,
    /// Held across the writes and fsync that finish a sync, so syncs write
    /// handed-off bytes in offset order. Guards the end of the durable
    /// prefix.
    synced_through: Mutex<u64>,
    /// The first failure; once set, every operation fails.
    failure: OnceLock<String>,
}

impl FileShared {
    fn check_not_failed(&self) -> Result<()> {
        match self.failure.get() {
            Some(reason) => Err(Error::Poisoned {
                reason: format!("the file {} failed earlier ({reason})", self.path.display()),
            }),
            None => Ok(()),
        }
    }

    /// Records `error` as the file's failure (if it is the first) and passes it on.
    fn fail(&self, error: Error) -> Error {
        let _ = self.failure.set(error.to_string());
        error
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        // The queue is consistent at every unlock; a panic cannot tear it.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The first handed-off chunk, if it starts before `end`.
    fn pop_chunk_before(&self, end: u64) -> Option<Chunk> {
        let mut queue = self.queue();
        if queue.chunks.front()?.offset < end {
            queue.chunks.pop_front()
        } else {
            None
        }
    }

    /// Writes every handed-off chunk that starts before `end`, then `tail`
    /// (the file's own buffer, which goes at `end - tail.len()`), and if
    /// `sync`, makes the first `end` bytes durable. Clears `tail` on success.
    fn finish_through(&self, end: u64, tail: Option<&mut Vec<u8>>, sync: bool) -> Result<()> {
        let mut synced_through = match self.synced_through.lock() {
            Ok(guard) => guard,
            // A thread panicked between taking a chunk and writing it: the
            // file may have a hole.
            Err(_) => {
                return Err(self.fail(Error::Poisoned {
                    reason: format!("a thread panicked while writing {}", self.path.display()),
                }));
            }
        };
        self.check_not_failed()?;
        let tail_is_empty = tail.as_ref().is_none_or(|tail| tail.is_empty());
        if sync && tail_is_empty && *synced_through >= end {
            // A later sync (or an earlier one, with nothing appended since)
            // already covered these bytes.
            return Ok(());
        }
        let fd = self.file.as_raw_fd();
        let mut synced = false;
        while let Some(mut chunk) = self.pop_chunk_before(end) {
            let link_sync = sync && tail_is_empty && chunk.end() == end;
            if let Err(error) = write_at(fd, &chunk.bytes, chunk.offset, link_sync) {
                if error.buffers_in_flight {
                    std::mem::forget(std::mem::take(&mut chunk.bytes));
                }
                return Err(self.fail(error.into_error(&self.path)));
            }
            synced |= link_sync;
            if chunk.bytes.capacity() <= BUFFER_RETAINED_BYTES_MAX {
                chunk.bytes.clear();
                self.queue().spare = Some(chunk.bytes);
            }
        }
        match tail {
            Some(tail) if !tail.is_empty() => {
                let offset = end - tail.len() as u64;
                if let Err(error) = write_at(fd, tail, offset, sync) {
                    if error.buffers_in_flight {
                        std::mem::forget(std::mem::take(tail));
                    }
                    return Err(self.fail(error.into_error(&self.path)));
                }
                tail.clear();
                synced = sync;
            }
            _ => {}
        }
        if sync && !synced {
            // The last bytes before `end` were written without a linked
            // fsync (by the file itself when its buffer filled, or by an
            // earlier sync of a shorter prefix); sync them alone.
            write_at(fd, &[], end, true).map_err(|e| self.fail(e.into_error(&self.path)))?;
        }
        if sync {
            *synced_through = (*synced_through).max(end);
        }
        Ok(())
    }
}

/// A file created through [`UringFs`], appended through a user-space buffer.
struct UringWritableFile {
    shared: Arc<FileShared>,
    /// Appended bytes not yet written nor handed to a pending sync.
    buffer: Vec<u8>,
    /// Where `buffer[0]` goes: every byte before it was written or handed off.
    buffer_offset: u64,
}

impl fmt::Debug for UringWritableFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UringWritableFile")
            .field("path", &self.shared.path)
            .field("buffer_offset", &self.buffer_offset)
            .field("buffered_bytes", &self.buffer.len())
            .field("failure", &self.shared.failure.get())
            .finish()
    }
}

impl UringWritableFile {
    /// Writes the buffer at its offset, without the sync lock: it lies after
    /// every handed-off byte, and no sync can cover it before this returns.
    fn write_buffer(&mut self) -> Result<()> {
        if let Err(error) = write_at(
            self.shared.file.as_raw_fd(),
            &self.buffer,
            self.buffer_offset,
            false,
        ) {
            if error.buffers_in_flight {
                std::mem::forget(std::mem::take(&mut self.buffer));
            }
            return Err(self.shared.fail(error.into_error(&self.shared.path)));
        }
        self.buffer_offset += self.buffer.len() as u64;
        self.buffer.clear();
        self.buffer.shrink_to(BUFFER_RETAINED_BYTES_MAX);
        Ok(())
    }
}

impl WritableFile for UringWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.shared.check_not_failed()?;
        self.buffer.extend_from_slice(data);
        if self.buffer.len() > BUFFER_FLUSH_THRESHOLD_BYTES {
            self.write_buffer()?;
        }
        Ok(())
    }

    fn sync_data(&mut self) -> Result<()> {
        self.shared.check_not_failed()?;
        let end = self.len();
        self.shared
            .finish_through(end, Some(&mut self.buffer), true)?;
        self.buffer_offset = end;
        Ok(())
    }

    /// Starts writeback of what has reached the kernel; bytes still in the
    /// user-space buffer (under 256 KiB) are left for the next write or sync.
    fn start_writeback(&mut self) -> Result<()> {
        self.shared.check_not_failed()?;
        super::os::start_writeback(&self.shared.file, &self.shared.path)
    }

    fn len(&self) -> u64 {
        self.buffer_offset + self.buffer.len() as u64
    }

    fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Hands the buffered bytes to the returned handle, which writes them
    /// (after any bytes handed off before them) and syncs, linked.
    fn begin_sync(&mut self) -> Result<Box<dyn PendingSync>> {
        self.shared.check_not_failed()?;
        let end = self.len();
        if !self.buffer.is_empty() {
            let mut queue = self.shared.queue();
            let spare = queue.spare.take().unwrap_or_default();
            let bytes = std::mem::replace(&mut self.buffer, spare);
            queue.chunks.push_back(Chunk {
                offset: self.buffer_offset,
                bytes,
            });
            self.buffer_offset = end;
        }
        Ok(Box::new(UringPendingSync {
            shared: Arc::clone(&self.shared),
            end: Some(end),
        }))
    }
}

impl Drop for UringWritableFile {
    /// Closing syncs nothing, but hands every appended byte to the kernel,
    /// like the portable backend, so the file is whole once closed. Errors
    /// cannot be reported here; they poison pending syncs.
    fn drop(&mut self) {
        if self.shared.failure.get().is_some() {
            return;
        }
        let end = self.len();
        let _ = self
            .shared
            .finish_through(end, Some(&mut self.buffer), false);
    }
}

/// A sync begun by [`UringWritableFile::begin_sync`]: the end of the prefix
/// it makes durable.
#[derive(Debug)]
struct UringPendingSync {
    shared: Arc<FileShared>,
    /// `None` once waited on.
    end: Option<u64>,
}

impl PendingSync for UringPendingSync {
    fn wait(mut self: Box<Self>) -> Result<()> {
        match self.end.take() {
            Some(end) => self.shared.finish_through(end, None, true),
            None => Ok(()),
        }
    }
}

impl Drop for UringPendingSync {
    /// Dropped without a wait: the bytes are still written (not synced), so
    /// the file has no hole.
    fn drop(&mut self) {
        if let Some(end) = self.end.take()
            && self.shared.failure.get().is_none()
        {
            let _ = self.shared.finish_through(end, None, false);
        }
    }
}

impl Fs for UringFs {
    fn create_dir_all(&self, dir: &Path) -> Result<()> {
        OsFs.create_dir_all(dir)
    }

    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let file = create_file(path)?;
        Ok(Box::new(UringWritableFile {
            shared: Arc::new(FileShared {
                file,
                path: path.to_path_buf(),
                queue: Mutex::default(),
                synced_through: Mutex::new(0),
                failure: OnceLock::new(),
            }),
            buffer: Vec::new(),
            buffer_offset: 0,
        }))
    }

    fn map(&self, path: &Path) -> Result<Bytes> {
        OsFs.map(path)
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        OsFs.rename(from, to)
    }

    fn remove_file(&self, path: &Path) -> Result<()> {
        OsFs.remove_file(path)
    }

    fn list_dir(&self, dir: &Path) -> Result<Vec<String>> {
        OsFs.list_dir(dir)
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        OsFs.sync_dir(dir)
    }

    fn exists(&self, path: &Path) -> Result<bool> {
        OsFs.exists(path)
    }

    fn lock_dir(&self, dir: &Path) -> Result<DirLock> {
        OsFs.lock_dir(dir)
    }
}

#[cfg(test)]
mod tests;
