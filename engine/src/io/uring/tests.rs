//! Tests of [`UringFs`](super::UringFs): appends, syncs and pending syncs read
//! back exactly, in order, from any thread; short and failed writes poison
//! the file. They pass vacuously where io_uring cannot be used.

use std::thread;

use super::*;

/// The backend, or `None` (and a note on stderr) where io_uring cannot
/// be used, so these tests pass, vacuously, on such machines.
fn uring_fs() -> Option<UringFs> {
    match UringFs::new() {
        Ok(fs) => Some(fs),
        Err(error) => {
            eprintln!("skipped: {error}");
            None
        }
    }
}

/// A scratch directory, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("dynacore-uring-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        ScratchDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `len` bytes that differ from position to position and from `seed` to
/// `seed`, so a misplaced write shows.
fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn append_sync_and_len_round_trip_through_map() {
    let Some(fs) = uring_fs() else { return };
    let dir = ScratchDir::new("round-trip");
    let path = dir.path("file");
    let mut file = fs.create(&path).unwrap();
    assert!(file.is_empty());
    assert_eq!(file.path(), path);
    file.append(b"hello").unwrap();
    file.append(b", world").unwrap();
    assert_eq!(file.len(), 12);
    file.sync_data().unwrap();
    assert_eq!(&fs.map(&path).unwrap()[..], b"hello, world");
    file.append(b"!").unwrap();
    file.sync_data().unwrap();
    file.sync_data().unwrap();
    assert_eq!(file.len(), 13);
    assert_eq!(&fs.map(&path).unwrap()[..], b"hello, world!");
}

#[test]
fn appends_over_the_buffer_threshold_are_written_whole() {
    let Some(fs) = uring_fs() else { return };
    let dir = ScratchDir::new("large");
    let path = dir.path("file");
    let mut file = fs.create(&path).unwrap();
    let mut expected = Vec::new();
    for (seed, len) in [
        (1, BUFFER_FLUSH_THRESHOLD_BYTES + 1),
        (2, 3 * BUFFER_FLUSH_THRESHOLD_BYTES + 17),
        (3, 100),
        (4, BUFFER_FLUSH_THRESHOLD_BYTES - 50),
        (5, 4096),
    ] {
        let data = pattern(seed, len);
        file.append(&data).unwrap();
        expected.extend_from_slice(&data);
        assert_eq!(file.len(), expected.len() as u64);
    }
    // A full buffer went out without a sync.
    assert!(std::fs::metadata(&path).unwrap().len() > BUFFER_FLUSH_THRESHOLD_BYTES as u64);
    file.sync_data().unwrap();
    assert_eq!(fs.map(&path).unwrap(), expected);
}

#[test]
fn many_small_appends_then_one_sync() {
    let Some(fs) = uring_fs() else { return };
    let dir = ScratchDir::new("small");
    let path = dir.path("file");
    let mut file = fs.create(&path).unwrap();
    let mut expected = Vec::new();
    for index in 0..20_000u64 {
        let data = pattern(index, (index % 61) as usize);
        file.append(&data).unwrap();
        expected.extend_from_slice(&data);
    }
    assert_eq!(file.len(), expected.len() as u64);
    file.sync_data().unwrap();
    assert_eq!(fs.map(&path).unwrap(), expected);
}

#[test]
fn pending_sync_waited_on_another_thread() {
    let Some(fs) = uring_fs() else { return };
    let dir = ScratchDir::new("pending");
    let path = dir.path("file");
    let mut file = fs.create(&path).unwrap();
    file.append(b"covered").unwrap();
    let pending = file.begin_sync().unwrap();
    // Appends are allowed while the sync is pending.
    file.append(b" later").unwrap();
    assert_eq!(file.len(), 13);
    thread::spawn(move || pending.wait())
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(&fs.map(&path).unwrap()[..7], b"covered");
    file.sync_data().unwrap();
    assert_eq!(&fs.map(&path).unwrap()[..], b"covered later");
}

#[test]
fn later_pending_sync_writes_earlier_handed_off_bytes_first() {
    let Some(fs) = uring_fs() else { return };
    let dir = ScratchDir::new("order");
    let path = dir.path("file");
    let mut file = fs.create(&path).unwrap();
    file.append(b"first ").unwrap();
    let first = file.begin_sync().unwrap();
    file.append(b"second").unwrap();
    let second = file.begin_sync().unwrap();
    // Waiting for the second group first must not leave a hole where the
    // first one goes.
    thread::spawn(move || second.wait())
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(&fs.map(&path).unwrap()[..], b"first second");
    first.wait().unwrap();
    assert_eq!(&fs.map(&path).unwrap()[..], b"first second");
}

#[test]
fn sync_data_covers_bytes_handed_to_a_pending_sync() {
    let Some(fs) = uring_fs() else { return };
    let dir = ScratchDir::new("sync-covers-pending");
    let path = dir.path("file");
    let mut file = fs.create(&path).unwrap();
    file.append(b"handed off, ").unwrap();
    let pending = file.begin_sync().unwrap();
    file.append(b"buffered").unwrap();
    file.sync_data().unwrap();
    assert_eq!(&fs.map(&path).unwrap()[..], b"handed off, buffered");
    pending.wait().unwrap();
}

#[test]
fn closing_writes_every_appended_byte() {
    let Some(fs) = uring_fs() else { return };
    let dir = ScratchDir::new("close");
    let path = dir.path("file");
    let mut file = fs.create(&path).unwrap();
    file.append(b"a pending group, ").unwrap();
    let pending = file.begin_sync().unwrap();
    file.append(b"then an unsynced tail").unwrap();
    drop(pending);
    drop(file);
    assert_eq!(
        &fs.map(&path).unwrap()[..],
        b"a pending group, then an unsynced tail"
    );
}

#[test]
fn interleaved_appends_syncs_and_pending_syncs_read_back_exactly() {
    let Some(fs) = uring_fs() else { return };
    let dir = ScratchDir::new("mixed");
    let path = dir.path("file");
    let mut file = fs.create(&path).unwrap();
    let mut expected = Vec::new();
    let mut waiters = Vec::new();
    for step in 0..400u64 {
        let len = match step % 7 {
            0 => BUFFER_FLUSH_THRESHOLD_BYTES / 3,
            1 => 0,
            _ => (step * 37 % 997) as usize,
        };
        let data = pattern(step, len);
        file.append(&data).unwrap();
        expected.extend_from_slice(&data);
        match step % 11 {
            0 => file.sync_data().unwrap(),
            3 | 7 => {
                let pending = file.begin_sync().unwrap();
                waiters.push(thread::spawn(move || pending.wait()));
            }
            _ => {}
        }
        assert_eq!(file.len(), expected.len() as u64);
    }
    for waiter in waiters {
        waiter.join().unwrap().unwrap();
    }
    file.sync_data().unwrap();
    assert_eq!(fs.map(&path).unwrap(), expected);
}

/// Runs in a child process (this test binary, re-run on this one test)
/// because it lowers the file size limit of the whole process.
#[test]
fn short_write_cancels_the_linked_fsync_and_the_refused_rest_fails_the_sync() {
    const CHILD_ENV: &str = "DYNACORE_URING_SHORT_WRITE_DIR";
    const TEST_NAME: &str = "io::uring::tests::\
         short_write_cancels_the_linked_fsync_and_the_refused_rest_fails_the_sync";
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        short_write_child(Path::new(&dir));
        return;
    }
    let Some(_) = uring_fs() else { return };
    let dir = ScratchDir::new("short-write");
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &dir.0)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn short_write_child(dir: &Path) {
    const FILE_SIZE_BYTES_MAX: u64 = 100;
    let limit = libc::rlimit {
        rlim_cur: FILE_SIZE_BYTES_MAX,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: plain system calls on this (child) process, whose only
    // test is this one: a write past the limit becomes short, then fails
    // with EFBIG instead of raising SIGXFSZ.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
    let fs = UringFs::new().unwrap();
    let path = dir.join("file");
    let mut file = fs.create(&path).unwrap();
    let data = pattern(7, 2 * FILE_SIZE_BYTES_MAX as usize);
    file.append(&data).unwrap();
    // The linked pair writes 100 bytes, its fsync is cancelled, and the
    // rest of the buffer is then refused: the sync fails on the write,
    // never claiming the fsync that did not run.
    let error = file.sync_data().unwrap_err();
    match &error {
        Error::Io { op, source, .. } => {
            assert_eq!(*op, "write", "{error}");
            assert_eq!(source.raw_os_error(), Some(libc::EFBIG), "{error}");
        }
        other => panic!("expected an I/O error, got {other}"),
    }
    assert!(matches!(file.sync_data(), Err(Error::Poisoned { .. })));
    assert_eq!(fs.map(&path).unwrap(), data[..FILE_SIZE_BYTES_MAX as usize]);
}

#[test]
fn a_failed_write_poisons_the_file_and_its_pending_syncs() {
    let Some(fs) = uring_fs() else { return };
    // Every write to /dev/full fails with ENOSPC.
    let path = Path::new("/dev/full");
    if !path.exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    let mut file = fs.create(path).unwrap();
    file.append(b"lost").unwrap();
    let pending = file.begin_sync().unwrap();
    file.append(b"also lost").unwrap();
    let error = pending.wait().unwrap_err();
    match &error {
        Error::Io { op, source, .. } => {
            assert_eq!(*op, "write");
            assert_eq!(source.raw_os_error(), Some(libc::ENOSPC), "{error}");
        }
        other => panic!("expected an I/O error, got {other}"),
    }
    assert!(matches!(file.append(b"x"), Err(Error::Poisoned { .. })));
    assert!(matches!(file.sync_data(), Err(Error::Poisoned { .. })));
    assert!(matches!(file.begin_sync(), Err(Error::Poisoned { .. })));
}
