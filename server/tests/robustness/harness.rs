//! What every robustness test uses: the one-at-a-time lock, the
//! well-behaved connection, raw headers, reading to the close, metrics and
//! memory figures.

use super::*;

/// One test at a time (see the module comment).
pub(crate) fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A connection that must keep working: each `check` is a put of a fresh
/// value and a get that must return it.
pub(crate) struct WellBehaved {
    pub(crate) stream: TcpStream,
    round: u64,
}

impl WellBehaved {
    /// Connects and creates table `tbl` (every test's table).
    pub(crate) fn new(addr: SocketAddr) -> Self {
        let mut stream = connect(addr);
        create_table(&mut stream, "tbl");
        let mut good = WellBehaved { stream, round: 0 };
        good.check();
        good
    }

    pub(crate) fn check(&mut self) {
        self.round += 1;
        let value = format!("round-{}", self.round);
        let result = call(&mut self.stream, &put("good", &value));
        assert!(matches!(result, Ok(Response::Write(_))), "{result:?}");
        match call(&mut self.stream, &get("good")) {
            Ok(Response::Item(Some(found))) => assert_eq!(found, item("good", &value)),
            other => panic!("well-behaved get: {other:?}"),
        }
    }

    /// Keeps checking, every ~50 ms, for `duration`.
    pub(crate) fn keep_checking(&mut self, duration: Duration) {
        let until = Instant::now() + duration;
        while Instant::now() < until {
            self.check();
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A header with every field chosen by the test.
pub(crate) fn raw_header(version: u8, opcode: u8, request_id: u64, body_len: u32) -> [u8; 20] {
    FrameHeader {
        version,
        opcode,
        flags: 0,
        request_id,
        body_len,
    }
    .encode()
}

/// Reads one frame that must be an error reply; returns (request id, code).
pub(crate) fn error_reply(stream: &mut TcpStream) -> (u64, ErrorCode) {
    let (header, body) = read_frame(stream);
    match decode_reply(&header, &body) {
        Err(error) => (header.request_id, error.code),
        Ok(response) => panic!("expected an error frame, got {response:?}"),
    }
}

/// How a connection ended when read to its end.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// A FIN: every byte the server sent arrived.
    Eof,
    /// A reset (the server closed with our bytes unread).
    Reset,
}

/// Reads (and discards) until the server closes the connection, failing
/// the test if that takes longer than `within`. Returns how it ended and
/// the bytes discarded.
pub(crate) fn read_to_close(stream: &mut TcpStream, within: Duration) -> (End, usize) {
    let deadline = Instant::now() + within;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut discarded = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "the server did not close within {within:?}"
        );
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return (End::Eof, discarded),
            Ok(n) => discarded += n,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return (End::Reset, discarded),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("the server did not close within {within:?}")
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("reading to the close: {e}"),
        }
    }
}

/// The sum of every sample of `name` whose labels contain all of `labels`
/// (e.g. `reason="idle"`).
pub(crate) fn metric(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let rest = series.strip_prefix(name)?;
            let matches = (rest.is_empty() || rest.starts_with('{'))
                && labels.iter().all(|label| rest.contains(label));
            matches.then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

/// Waits (checking the well-behaved connection meanwhile) until
/// `metric(name, labels)` equals `want`; fails after `within`.
pub(crate) fn wait_for_metric(
    server: &ServerHandle,
    good: &mut WellBehaved,
    (name, labels): (&str, &[&str]),
    want: f64,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        let text = server.metrics_text();
        let value = metric(&text, name, labels);
        if value == want {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{name}{labels:?} is {value}, not {want}, after {within:?}"
        );
        good.check();
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// This process's (peak, current) resident set, in KiB, from /proc.
pub(crate) fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from /proc/self/status"))
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets the peak (VmHWM) to the current resident set, so that a test's
/// peak is its own (Linux ≥ 4.0; left as is where refused).
pub(crate) fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Raises the soft limit on open files to the hard limit.
pub(crate) fn raise_open_files_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the local struct only.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
    }
    limit.rlim_cur
}

/// Deterministic garbage (xorshift64).
pub(crate) fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}
