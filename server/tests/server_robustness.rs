//! Bad input and hostile clients against the real server, in process, on
//! 127.0.0.1: garbage, truncated and oversized frames, unknown opcodes and
//! versions, a thousand idle connections, the connection limit, a reader
//! that never reads, shutdown under load, and forwarding. Through each, a
//! well-behaved connection must keep getting correct answers.
//!
//! The tests run one at a time (a lock): they read this process's memory
//! figures and open many descriptors, which parallel tests would blur.
#![allow(clippy::disallowed_methods)] // Real sockets, real time, /proc, temp dirs.

#[allow(dead_code)] // Each binary uses a subset of the shared helpers.
mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::wire::{
    call, connect, create_table, data_dir, decode_reply, frame, get, item, key, put, read_frame,
    reply, start,
};
use dynacore::{AttributeValue, Durability, GetItemRequest, PutItemRequest};
use dynacore_server::protocol::{ErrorCode, FrameHeader, Opcode, Request, Response, VERSION};
use dynacore_server::server::ServerHandle;

// ----- harness ---------------------------------------------------------------

/// One test at a time (see the module comment).
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A connection that must keep working: each `check` is a put of a fresh
/// value and a get that must return it.
struct WellBehaved {
    stream: TcpStream,
    round: u64,
}

impl WellBehaved {
    /// Connects and creates table `tbl` (every test's table).
    fn new(addr: SocketAddr) -> Self {
        let mut stream = connect(addr);
        create_table(&mut stream, "tbl");
        let mut good = WellBehaved { stream, round: 0 };
        good.check();
        good
    }

    fn check(&mut self) {
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
    fn keep_checking(&mut self, duration: Duration) {
        let until = Instant::now() + duration;
        while Instant::now() < until {
            self.check();
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A header with every field chosen by the test.
fn raw_header(version: u8, opcode: u8, request_id: u64, body_len: u32) -> [u8; 20] {
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
fn error_reply(stream: &mut TcpStream) -> (u64, ErrorCode) {
    let (header, body) = read_frame(stream);
    match decode_reply(&header, &body) {
        Err(error) => (header.request_id, error.code),
        Ok(response) => panic!("expected an error frame, got {response:?}"),
    }
}

/// How a connection ended when read to its end.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// A FIN: every byte the server sent arrived.
    Eof,
    /// A reset (the server closed with our bytes unread).
    Reset,
}

/// Reads (and discards) until the server closes the connection, failing
/// the test if that takes longer than `within`. Returns how it ended and
/// the bytes discarded.
fn read_to_close(stream: &mut TcpStream, within: Duration) -> (End, usize) {
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
fn metric(text: &str, name: &str, labels: &[&str]) -> f64 {
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
fn wait_for_metric(
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
fn memory_kib() -> (u64, u64) {
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
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Raises the soft limit on open files to the hard limit.
fn raise_open_files_limit() -> u64 {
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
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

// ----- malformed input ---------------------------------------------------------

#[test]
fn random_garbage_gets_a_malformed_error_frame_and_is_closed() {
    let _serial = serial();
    let server = start("garbage", 2, |_| {});
    println!("network event loop: {}", server.io_backend());
    let mut good = WellBehaved::new(server.addr());
    for seed in 1..=3u64 {
        let mut bytes = garbage(4096, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        bytes[0] = b'X'; // Whatever the generator says, the magic is wrong.
        let mut bad = connect(server.addr());
        bad.write_all(&bytes).unwrap();
        assert_eq!(error_reply(&mut bad), (0, ErrorCode::Malformed));
        let (end, extra) = read_to_close(&mut bad, Duration::from_secs(2));
        assert_eq!(extra, 0, "nothing after the error frame");
        println!("garbage seed {seed}: connection ended with {end:?}");
        good.check();
    }
    // A blast larger than one read: the error frame must still arrive.
    let mut blast = connect(server.addr());
    let mut writer = blast.try_clone().unwrap();
    let thread = std::thread::spawn(move || {
        let mut bytes = garbage(4 << 20, 0xDEAD_BEEF);
        bytes[0] = b'X';
        let _ = writer.write_all(&bytes);
    });
    assert_eq!(error_reply(&mut blast), (0, ErrorCode::Malformed));
    let (end, _) = read_to_close(&mut blast, Duration::from_secs(2));
    println!("4 MiB of garbage: connection ended with {end:?}");
    thread.join().unwrap();
    good.check();
    let text = server.metrics_text();
    assert_eq!(
        metric(
            &text,
            "dynacore_connections_closed_total",
            &["reason=\"protocol_error\""]
        ),
        4.0
    );
    server.shutdown().unwrap();
}

#[test]
fn a_truncated_frame_then_close_is_closed_without_a_reply() {
    let _serial = serial();
    let server = start("truncated", 2, |_| {});
    let mut good = WellBehaved::new(server.addr());
    // Header says 100 bytes of body; 10 arrive; then the client's FIN.
    let mut bad = connect(server.addr());
    bad.write_all(&raw_header(VERSION, Opcode::PutItem as u8, 5, 100))
        .unwrap();
    bad.write_all(&[0u8; 10]).unwrap();
    bad.shutdown(Shutdown::Write).unwrap();
    let (end, bytes) = read_to_close(&mut bad, Duration::from_secs(2));
    assert_eq!((end, bytes), (End::Eof, 0), "closed, with no reply");
    good.check();
    // The same, the client closing its whole socket.
    let mut gone = connect(server.addr());
    gone.write_all(&raw_header(VERSION, Opcode::PutItem as u8, 6, 100))
        .unwrap();
    gone.write_all(&[0u8; 10]).unwrap();
    drop(gone);
    wait_for_metric(
        &server,
        &mut good,
        ("dynacore_connections_open", &[]),
        1.0,
        Duration::from_secs(2),
    );
    good.check();
    server.shutdown().unwrap();
}

#[test]
fn a_truncated_frame_left_open_is_closed_after_the_read_timeout() {
    let _serial = serial();
    let server = start("read-timeout", 2, |c| {
        c.read_timeout = Duration::from_millis(300)
    });
    let mut good = WellBehaved::new(server.addr());
    // Part of a body, and part of a header.
    let mut body_short = connect(server.addr());
    body_short
        .write_all(&raw_header(VERSION, Opcode::PutItem as u8, 5, 100))
        .unwrap();
    body_short.write_all(&[0u8; 10]).unwrap();
    let mut header_short = connect(server.addr());
    header_short
        .write_all(&raw_header(VERSION, Opcode::PutItem as u8, 6, 100)[..10])
        .unwrap();
    let started = Instant::now();
    good.keep_checking(Duration::from_millis(150));
    for stream in [&mut body_short, &mut header_short] {
        let (_, bytes) = read_to_close(stream, Duration::from_secs(2));
        assert_eq!(bytes, 0, "no reply to a frame never finished");
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(250),
        "closed too early: {elapsed:?}"
    );
    println!("truncated frames closed after {elapsed:?} (read timeout 300 ms)");
    let text = server.metrics_text();
    assert_eq!(
        metric(
            &text,
            "dynacore_connections_closed_total",
            &["reason=\"read_timeout\""]
        ),
        2.0
    );
    good.check();
    server.shutdown().unwrap();
}

#[test]
fn a_header_announcing_4_gb_gets_frame_too_large_without_allocating_it() {
    let _serial = serial();
    let server = start("huge", 2, |_| {});
    let mut good = WellBehaved::new(server.addr());
    reset_peak_memory();
    let before = memory_kib();
    for id in [4242u64, 4243] {
        let mut bad = connect(server.addr());
        bad.write_all(&raw_header(VERSION, Opcode::PutItem as u8, id, u32::MAX))
            .unwrap();
        // A little of the "body" too, as a real sender would.
        let _ = bad.write_all(&[0xAB; 4096]);
        assert_eq!(error_reply(&mut bad), (id, ErrorCode::FrameTooLarge));
        read_to_close(&mut bad, Duration::from_secs(2));
        good.check();
    }
    let after = memory_kib();
    println!(
        "4 GB header: VmHWM {} -> {} KiB, VmRSS {} -> {} KiB",
        before.0, after.0, before.1, after.1
    );
    assert!(
        after.0 < before.0 + 64 * 1024,
        "peak memory grew by {} KiB",
        after.0 - before.0
    );
    server.shutdown().unwrap();
}

#[test]
fn unknown_opcodes_and_bad_bodies_keep_the_connection_unknown_versions_close_it() {
    let _serial = serial();
    let server = start("unknown", 2, |_| {});
    let mut good = WellBehaved::new(server.addr());
    let mut stream = connect(server.addr());
    // Unknown opcode, with a body the server must skip.
    stream.write_all(&raw_header(VERSION, 0x7f, 5, 3)).unwrap();
    stream.write_all(&[1, 2, 3]).unwrap();
    assert_eq!(error_reply(&mut stream), (5, ErrorCode::UnknownOperation));
    let result = call(&mut stream, &put("after-opcode", "1"));
    assert!(matches!(result, Ok(Response::Write(_))), "{result:?}");
    // A GetItem whose body does not decode.
    stream
        .write_all(&raw_header(VERSION, Opcode::GetItem as u8, 6, 7))
        .unwrap();
    stream.write_all(&[0xff; 7]).unwrap();
    assert_eq!(error_reply(&mut stream), (6, ErrorCode::Malformed));
    match call(&mut stream, &get("after-opcode")) {
        Ok(Response::Item(Some(found))) => assert_eq!(found, item("after-opcode", "1")),
        other => panic!("{other:?}"),
    }
    good.check();
    // An unknown version: the header cannot be trusted, so the connection ends.
    let mut future = connect(server.addr());
    future
        .write_all(&raw_header(VERSION + 1, Opcode::GetItem as u8, 8, 0))
        .unwrap();
    assert_eq!(error_reply(&mut future), (8, ErrorCode::UnsupportedVersion));
    read_to_close(&mut future, Duration::from_secs(2));
    good.check();
    server.shutdown().unwrap();
}

// ----- many connections --------------------------------------------------------

const IDLE_CONNECTIONS: usize = 1000;

#[test]
fn a_thousand_idle_connections_do_not_disturb_a_busy_one() {
    let _serial = serial();
    let limit = raise_open_files_limit();
    assert!(
        limit as usize > 2 * IDLE_CONNECTIONS + 100,
        "open files limit {limit}"
    );
    let server = start("idle-many", 2, |_| {});
    let mut good = WellBehaved::new(server.addr());
    let mut idle = Vec::with_capacity(IDLE_CONNECTIONS);
    for i in 0..IDLE_CONNECTIONS {
        idle.push(connect(server.addr()));
        if i % 100 == 0 {
            good.check();
        }
    }
    let open = (IDLE_CONNECTIONS + 1) as f64;
    let took = wait_for_metric(
        &server,
        &mut good,
        ("dynacore_connections_open", &[]),
        open,
        Duration::from_secs(5),
    );
    println!("{open} connections open, accepted within {took:?} of the last connect");
    good.keep_checking(Duration::from_millis(200));
    // Every one of them is still open: a read would block, not end.
    for stream in &mut idle {
        stream.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        let result = stream.read(&mut byte);
        assert!(
            matches!(&result, Err(e) if e.kind() == ErrorKind::WouldBlock),
            "{result:?}"
        );
    }
    drop(idle);
    wait_for_metric(
        &server,
        &mut good,
        ("dynacore_connections_open", &[]),
        1.0,
        Duration::from_secs(5),
    );
    server.shutdown().unwrap();
}

#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let _serial = serial();
    raise_open_files_limit();
    let server = start("idle-timeout", 2, |c| {
        c.idle_timeout = Duration::from_millis(300)
    });
    let mut good = WellBehaved::new(server.addr());
    let mut idle = Vec::with_capacity(IDLE_CONNECTIONS);
    for i in 0..IDLE_CONNECTIONS {
        idle.push(connect(server.addr()));
        if i % 100 == 0 {
            good.check();
        }
    }
    // The busy connection stays; the idle ones go.
    let took = wait_for_metric(
        &server,
        &mut good,
        ("dynacore_connections_open", &[]),
        1.0,
        Duration::from_secs(2),
    );
    println!("{IDLE_CONNECTIONS} idle connections closed within {took:?} of the last connect");
    for stream in &mut idle {
        let (_, bytes) = read_to_close(stream, Duration::from_secs(1));
        assert_eq!(bytes, 0);
    }
    let text = server.metrics_text();
    assert_eq!(
        metric(
            &text,
            "dynacore_connections_closed_total",
            &["reason=\"idle\""]
        ),
        IDLE_CONNECTIONS as f64
    );
    good.check();
    server.shutdown().unwrap();
}

#[test]
fn past_max_connections_one_more_is_refused_until_some_close() {
    let _serial = serial();
    let server = start("max-conns", 2, |c| c.max_connections = 10);
    let mut good = WellBehaved::new(server.addr());
    // Each answered once, so the server has surely accepted it.
    let open_one = |server: &ServerHandle| {
        let mut stream = connect(server.addr());
        let result = call(&mut stream, &get("good"));
        assert!(matches!(result, Ok(Response::Item(_))), "{result:?}");
        stream
    };
    let mut others: Vec<TcpStream> = (0..9).map(|_| open_one(&server)).collect();
    let refused = |server: &ServerHandle| {
        let mut extra = connect(server.addr());
        assert_eq!(error_reply(&mut extra), (0, ErrorCode::TooManyRequests));
        read_to_close(&mut extra, Duration::from_secs(2));
    };
    refused(&server);
    good.check();
    others.truncate(6);
    wait_for_metric(
        &server,
        &mut good,
        ("dynacore_connections_open", &[]),
        7.0,
        Duration::from_secs(2),
    );
    others.extend((0..3).map(|_| open_one(&server)));
    refused(&server);
    for stream in &mut others {
        let result = call(stream, &get("good"));
        assert!(matches!(result, Ok(Response::Item(Some(_)))), "{result:?}");
    }
    good.check();
    server.shutdown().unwrap();
}

// ----- a reader that never reads ---------------------------------------------

const BIG_VALUE_BYTES: usize = 50 * 1024;
const SLOW_REQUESTS: usize = 10_000;
const OUT_LIMIT_BYTES: usize = 1024 * 1024;

/// Puts a ~50 KB item `big`, then starts a thread that writes thousands of
/// pipelined GetItems for it on a new connection and never reads a reply.
/// The thread returns the bytes it managed to write.
fn start_slow_reader(
    server: &ServerHandle,
    good: &mut WellBehaved,
) -> (TcpStream, std::thread::JoinHandle<usize>) {
    let value = "x".repeat(BIG_VALUE_BYTES);
    let result = call(&mut good.stream, &put("big", &value));
    assert!(matches!(result, Ok(Response::Write(_))), "{result:?}");
    let slow = connect(server.addr());
    let mut writer = slow.try_clone().unwrap();
    writer
        .set_write_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let thread = std::thread::spawn(move || {
        let mut written = 0;
        for id in 0..SLOW_REQUESTS as u64 {
            let bytes = frame(id, &get("big"));
            if writer.write_all(&bytes).is_err() {
                break;
            }
            written += bytes.len();
        }
        written
    });
    (slow, thread)
}

/// Waits until the server's written-bytes counter stops moving (the
/// well-behaved connection is left alone meanwhile, since its own replies
/// move the counter).
fn wait_until_writes_stall(server: &ServerHandle) -> Duration {
    let started = Instant::now();
    let mut last = -1.0;
    let mut still_since = Instant::now();
    loop {
        let written = metric(&server.metrics_text(), "dynacore_written_bytes_total", &[]);
        if written != last {
            last = written;
            still_since = Instant::now();
        } else if still_since.elapsed() > Duration::from_millis(300) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "writes never stalled"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}

#[test]
fn a_slow_reader_is_throttled_instead_of_buffered() {
    let _serial = serial();
    let server = start("slow-reader", 1, |c| {
        c.max_out_buffer_bytes = OUT_LIMIT_BYTES;
    });
    let mut good = WellBehaved::new(server.addr());
    reset_peak_memory();
    let before = memory_kib();
    let (slow, writer) = start_slow_reader(&server, &mut good);
    let took = wait_until_writes_stall(&server);
    good.keep_checking(Duration::from_millis(200));
    let text = server.metrics_text();
    let answered = metric(&text, "dynacore_requests_total", &["op=\"GetItem\""]);
    let buffered = metric(&text, "dynacore_out_buffer_bytes", &[]);
    let after = memory_kib();
    println!(
        "slow reader: stalled after {took:?}; {answered} GetItems answered of {SLOW_REQUESTS}; \
         {buffered} reply bytes buffered; VmHWM {} -> {} KiB, VmRSS {} -> {} KiB",
        before.0, after.0, before.1, after.1
    );
    assert!(
        answered < (SLOW_REQUESTS / 5) as f64,
        "{answered} of {SLOW_REQUESTS} were answered: the server kept reading"
    );
    assert!(
        buffered <= (OUT_LIMIT_BYTES + 2 * (BIG_VALUE_BYTES + 1024)) as f64,
        "{buffered} bytes buffered for one connection"
    );
    assert!(
        after.0 < before.0 + 200 * 1024,
        "peak memory grew by {} KiB",
        after.0 - before.0
    );
    // The client goes away: the server notices even though it stopped
    // reading that socket.
    drop(slow);
    let written = writer.join().unwrap();
    println!("slow reader wrote {written} request bytes before going away");
    wait_for_metric(
        &server,
        &mut good,
        ("dynacore_connections_open", &[]),
        1.0,
        Duration::from_secs(2),
    );
    server.shutdown().unwrap();
}

#[test]
fn a_slow_reader_is_closed_after_the_write_timeout() {
    let _serial = serial();
    let server = start("slow-timeout", 1, |c| {
        c.max_out_buffer_bytes = OUT_LIMIT_BYTES;
        c.write_timeout = Duration::from_millis(500);
    });
    let mut good = WellBehaved::new(server.addr());
    let (mut slow, writer) = start_slow_reader(&server, &mut good);
    let took = wait_for_metric(
        &server,
        &mut good,
        (
            "dynacore_connections_closed_total",
            &["reason=\"write_timeout\""],
        ),
        1.0,
        Duration::from_secs(5),
    );
    println!("slow reader closed by the write timeout after {took:?}");
    let (end, bytes) = read_to_close(&mut slow, Duration::from_secs(5));
    println!("slow reader then read {bytes} reply bytes and {end:?}");
    let _ = writer.join().unwrap();
    good.check();
    server.shutdown().unwrap();
}

/// Asks at once for replies ten times the out-buffer limit, then reads
/// them all; `half_close`: says first that nothing more will be sent.
fn pipelined_past_the_out_limit_all_answered(half_close: bool) {
    let server = start(&format!("past-limit-{half_close}"), 1, |c| {
        c.max_out_buffer_bytes = OUT_LIMIT_BYTES;
    });
    let mut good = WellBehaved::new(server.addr());
    let value = "y".repeat(BIG_VALUE_BYTES);
    let result = call(&mut good.stream, &put("big", &value));
    assert!(matches!(result, Ok(Response::Write(_))), "{result:?}");
    // 200 replies of ~50 KB, ten times the out-buffer limit, asked for at
    // once; then the client says it will send nothing more.
    const REQUESTS: u64 = 200;
    let mut stream = connect(server.addr());
    let bytes: Vec<u8> = (0..REQUESTS)
        .flat_map(|id| frame(id, &get("big")))
        .collect();
    stream.write_all(&bytes).unwrap();
    if half_close {
        stream.shutdown(Shutdown::Write).unwrap();
    }
    std::thread::sleep(Duration::from_millis(100));
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    while half_close || (seen.len() as u64) < REQUESTS {
        let mut header = [0u8; 20];
        match stream.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("after {} replies: {e}", seen.len()),
        }
        let header = FrameHeader::decode(&header, u32::MAX).unwrap();
        let mut body = vec![0u8; header.body_len as usize];
        stream.read_exact(&mut body).unwrap();
        match decode_reply(&header, &body) {
            Ok(Response::Item(Some(found))) => {
                assert_eq!(found.get("v"), Some(&AttributeValue::S(value.clone())))
            }
            other => panic!("{other:?}"),
        }
        assert!(
            seen.insert(header.request_id),
            "{} twice",
            header.request_id
        );
    }
    assert_eq!(
        seen.len() as u64,
        REQUESTS,
        "requests read but never answered"
    );
    good.check();
    server.shutdown().unwrap();
}

#[test]
fn pipelined_past_the_out_limit_then_waiting_all_are_answered() {
    let _serial = serial();
    pipelined_past_the_out_limit_all_answered(false);
}

#[test]
fn pipelined_past_the_out_limit_then_a_half_close_all_are_answered() {
    let _serial = serial();
    pipelined_past_the_out_limit_all_answered(true);
}

// ----- shutdown ----------------------------------------------------------------

/// What one loaded connection saw.
struct LoadResult {
    /// Ids answered with a successful write.
    acked: Vec<u64>,
    /// Replies that were errors, by code.
    errors: Vec<ErrorCode>,
    end: End,
}

#[test]
fn shutdown_with_requests_in_flight_answers_or_closes_and_keeps_acked_writes() {
    let _serial = serial();
    const CONNECTIONS: u64 = 4;
    const REQUESTS_PER_CONNECTION: u64 = 40_000;
    let name = "shutdown";
    let server = start(name, 2, |_| {});
    let mut good = WellBehaved::new(server.addr());
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..CONNECTIONS).map(|_| AtomicU64::new(0)).collect());
    let acked: Arc<Vec<AtomicU64>> =
        Arc::new((0..CONNECTIONS).map(|_| AtomicU64::new(0)).collect());
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    for c in 0..CONNECTIONS {
        let stream = connect(server.addr());
        let mut writer = stream.try_clone().unwrap();
        let mut reader = stream;
        let sent = sent.clone();
        let acked = acked.clone();
        // Everything is written before shutdown begins, so that no write of
        // ours races the server's close (a write that meets a reset takes
        // the socket's error and hides from the reader how it ended).
        writers.push(std::thread::spawn(move || {
            for chunk in 0..REQUESTS_PER_CONNECTION / 1000 {
                let bytes: Vec<u8> = (chunk * 1000..(chunk + 1) * 1000)
                    .flat_map(|i| frame(i, &put(&format!("c{c}-{i}"), &i.to_string())))
                    .collect();
                writer.write_all(&bytes).expect("pipelined writes");
                sent[c as usize].store((chunk + 1) * 1000, Ordering::Release);
            }
        }));
        readers.push(std::thread::spawn(move || {
            let mut result = LoadResult {
                acked: Vec::new(),
                errors: Vec::new(),
                end: End::Eof,
            };
            let mut header = [0u8; 20];
            loop {
                match reader.read_exact(&mut header) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::UnexpectedEof => break,
                    Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                        result.end = End::Reset;
                        break;
                    }
                    Err(e) => panic!("connection {c}: {e}"),
                }
                let header = FrameHeader::decode(&header, u32::MAX).expect("reply header");
                let mut body = vec![0u8; header.body_len as usize];
                reader.read_exact(&mut body).expect("reply body");
                match decode_reply(&header, &body) {
                    Ok(Response::Write(_)) => {
                        result.acked.push(header.request_id);
                        acked[c as usize].fetch_add(1, Ordering::Release);
                    }
                    Ok(other) => panic!("connection {c}: {other:?}"),
                    Err(error) => result.errors.push(error.code),
                }
            }
            result
        }));
    }
    // Every request sent, some answered, many still in flight.
    let started = Instant::now();
    for writer in writers {
        writer.join().unwrap();
    }
    println!("all requests sent after {:?}", started.elapsed());
    good.check();
    // Sent but not yet answered when shutdown begins (a lower bound).
    let unanswered: Vec<u64> = (0..CONNECTIONS as usize)
        .map(|c| sent[c].load(Ordering::Acquire) - acked[c].load(Ordering::Acquire))
        .collect();
    println!("unanswered requests per connection as shutdown begins: {unanswered:?}");
    assert!(unanswered.iter().all(|n| *n > 0), "nothing in flight");
    let stopper = std::thread::spawn(move || server.shutdown());
    stopper.join().unwrap().expect("shutdown");
    let results: Vec<LoadResult> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    let db = dynacore::Db::builder(data_dir(name))
        .shard_count(2)
        .durability(Durability::None)
        .open()
        .expect("reopen");
    let mut acked_total = 0;
    for (c, result) in results.iter().enumerate() {
        println!(
            "connection {c}: {} sent, {} acknowledged, errors {:?}, ended {:?}",
            sent[c].load(Ordering::Acquire),
            result.acked.len(),
            result.errors,
            result.end
        );
        assert!(!result.acked.is_empty());
        assert!(
            result
                .errors
                .iter()
                .all(|code| *code == ErrorCode::ShuttingDown),
            "{:?}",
            result.errors
        );
        for id in &result.acked {
            let found = db
                .get_item_with(&GetItemRequest {
                    table_name: "tbl".into(),
                    key: key(&format!("c{c}-{id}")),
                    ..GetItemRequest::default()
                })
                .expect("get after reopen");
            assert_eq!(
                found,
                Some(item(&format!("c{c}-{id}"), &id.to_string())),
                "acknowledged write c{c}-{id} lost"
            );
        }
        acked_total += result.acked.len();
    }
    for (c, result) in results.iter().enumerate() {
        assert_eq!(
            result.end,
            End::Eof,
            "connection {c} was not closed cleanly"
        );
    }
    println!("{acked_total} acknowledged writes all found after reopening");
}

// ----- forwarding --------------------------------------------------------------

/// Keys in `tbl` owned by `shard`, `count` of them.
fn keys_owned_by(server: &ServerHandle, shard: u16, count: usize) -> Vec<String> {
    (0..)
        .map(|i| format!("fk{i}"))
        .filter(|k| server.db().shard_of_item("tbl", &key(k)).unwrap().0 == shard)
        .take(count)
        .collect()
}

fn point_requests_through_shard_0(forward: bool) {
    let server = start(&format!("forward-{forward}"), 2, |c| c.forward = forward);
    let mut stream = connect(server.shard_addrs()[0]);
    create_table(&mut stream, "tbl");
    let remote = keys_owned_by(&server, 1, 50);
    let local = keys_owned_by(&server, 0, 50);
    for k in remote.iter().chain(&local) {
        let big = AttributeValue::S(format!("value of {k}"));
        let mut row = key(k);
        row.insert("v".into(), big.clone());
        let request = Request::PutItem(PutItemRequest {
            table_name: "tbl".into(),
            item: row,
            ..PutItemRequest::default()
        });
        assert!(matches!(
            call(&mut stream, &request),
            Ok(Response::Write(_))
        ));
        match call(&mut stream, &get(k)) {
            Ok(Response::Item(Some(found))) => assert_eq!(found.get("v"), Some(&big)),
            other => panic!("{k}: {other:?}"),
        }
    }
    // And pipelined, answered out of order by id.
    for (i, k) in remote.iter().enumerate() {
        stream.write_all(&frame(1000 + i as u64, &get(k))).unwrap();
    }
    let mut ids: Vec<u64> = (0..remote.len())
        .map(|_| {
            let (id, result) = reply(&mut stream);
            let k = &remote[(id - 1000) as usize];
            match result {
                Ok(Response::Item(Some(found))) => assert_eq!(found.get("pk"), key(k).get("pk")),
                other => panic!("{k}: {other:?}"),
            }
            id
        })
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1000..1000 + remote.len() as u64).collect::<Vec<_>>());
    let text = server.metrics_text();
    let total = metric(&text, "dynacore_requests_total", &[]);
    let forwarded = metric(&text, "dynacore_requests_forwarded_total", &["shard=\"0\""]);
    let executed = metric(&text, "dynacore_forwards_executed_total", &["shard=\"1\""]);
    let ratio = metric(&text, "dynacore_requests_local_ratio", &[]);
    println!("forward={forward}: {total} requests, {forwarded} forwarded, local ratio {ratio}");
    // 1 CreateTable + 100 puts + 100 gets + 50 pipelined gets.
    assert_eq!(total, 251.0);
    let expected_forwarded = if forward { 150.0 } else { 0.0 };
    assert_eq!(forwarded, expected_forwarded);
    assert_eq!(executed, expected_forwarded);
    assert!(
        (ratio - (total - expected_forwarded) / total).abs() < 1e-9,
        "{ratio}"
    );
    server.shutdown().unwrap();
}

#[test]
fn requests_for_another_shards_keys_are_forwarded_and_counted() {
    let _serial = serial();
    point_requests_through_shard_0(true);
}

#[test]
fn without_forwarding_they_are_answered_locally_and_counted_local() {
    let _serial = serial();
    point_requests_through_shard_0(false);
}
