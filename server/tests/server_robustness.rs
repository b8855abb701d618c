//! Bad input and hostile clients against the real server, in process, on
//! 127.0.0.1: garbage, truncated and oversized frames, unknown opcodes and
//! versions, a thousand idle connections, the connection limit, a reader
//! that never reads, shutdown under load, and forwarding. Through each, a
//! well-behaved connection must keep getting correct answers.
//!
//! The tests run one at a time (a lock): they read this process's memory
//! figures and open many descriptors, which parallel tests would blur.
#![allow(clippy::disallowed_methods)] // Real sockets, real time, /proc, temp dirs.

#[path = "robustness/backpressure.rs"]
mod backpressure;
#[allow(dead_code)] // Each binary uses a subset of the shared helpers.
mod common;
#[path = "robustness/harness.rs"]
mod harness;
#[path = "robustness/shutdown.rs"]
mod shutdown;

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
use harness::*;

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
    // A Hello offering only versions this server does not speak: refused
    // under its id, then closed.
    let mut picky = connect(server.addr());
    let hello = Request::Hello(dynacore_server::protocol::Hello {
        min_version: VERSION + 1,
        max_version: VERSION + 5,
        client_name: "from the future".into(),
    });
    picky.write_all(&frame(9, &hello)).unwrap();
    assert_eq!(error_reply(&mut picky), (9, ErrorCode::UnsupportedVersion));
    read_to_close(&mut picky, Duration::from_secs(2));
    good.check();
    server.shutdown().unwrap();
}

#[test]
fn bad_flags_and_reserved_bytes_are_refused_a_response_flag_keeps_the_connection() {
    let _serial = serial();
    let server = start("flags", 2, |_| {});
    let mut good = WellBehaved::new(server.addr());
    // A known flag that a request must not carry: refused, stream in step.
    let mut stream = connect(server.addr());
    let mut header = raw_header(VERSION, Opcode::GetItem as u8, 3, 0);
    header[4] = dynacore_server::protocol::FLAG_RESPONSE;
    stream.write_all(&header).unwrap();
    assert_eq!(error_reply(&mut stream), (3, ErrorCode::Malformed));
    let result = call(&mut stream, &get("good"));
    assert!(matches!(result, Ok(Response::Item(Some(_)))), "{result:?}");
    // Unknown flag bits, and reserved bytes not zero: the header is not
    // trusted, so the connection ends after the error frame.
    for (at, byte, id) in [(4usize, 0x80u8, 11u64), (5, 1, 12), (7, 0xff, 13)] {
        let mut bad = connect(server.addr());
        let mut header = raw_header(VERSION, Opcode::GetItem as u8, id, 0);
        header[at] = byte;
        bad.write_all(&header).unwrap();
        assert_eq!(error_reply(&mut bad), (id, ErrorCode::Malformed));
        read_to_close(&mut bad, Duration::from_secs(2));
        good.check();
    }
    server.shutdown().unwrap();
}

#[test]
fn the_body_limit_is_exact() {
    let _serial = serial();
    let server = start("body-limit", 2, |c| c.max_body_bytes = 1024);
    let mut good = WellBehaved::new(server.addr());
    // At the limit: read whole, decoded (and refused as a body), kept open.
    let mut stream = connect(server.addr());
    stream
        .write_all(&raw_header(VERSION, Opcode::GetItem as u8, 1, 1024))
        .unwrap();
    stream.write_all(&[0xee; 1024]).unwrap();
    assert_eq!(error_reply(&mut stream), (1, ErrorCode::Malformed));
    let result = call(&mut stream, &get("good"));
    assert!(matches!(result, Ok(Response::Item(Some(_)))), "{result:?}");
    // One byte over: refused from the header, closed.
    stream
        .write_all(&raw_header(VERSION, Opcode::GetItem as u8, 2, 1025))
        .unwrap();
    assert_eq!(error_reply(&mut stream), (2, ErrorCode::FrameTooLarge));
    read_to_close(&mut stream, Duration::from_secs(2));
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

/// This process's CPU time (every thread), user plus system.
fn cpu_time() -> Duration {
    // SAFETY: getrusage writes the local struct only.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn set_open_files_soft_limit(soft: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the local struct only.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = soft;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
}

/// A client socket made now, connected later (connecting needs no new
/// descriptor, so it works when the process has none left).
fn unconnected_socket() -> std::os::fd::OwnedFd {
    use std::os::fd::FromRawFd;
    // SAFETY: a fresh descriptor, owned by the returned value.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0);
        std::os::fd::OwnedFd::from_raw_fd(fd)
    }
}

fn connect_socket(socket: std::os::fd::OwnedFd, addr: SocketAddr) -> TcpStream {
    use std::os::fd::AsRawFd;
    let SocketAddr::V4(v4) = addr else {
        panic!("IPv4 expected")
    };
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: v4.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes(v4.ip().octets()),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: `sin` is a valid sockaddr_in of the size passed.
    let rc = unsafe {
        libc::connect(
            socket.as_raw_fd(),
            (&sin as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
    let stream = TcpStream::from(socket);
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

#[test]
fn out_of_descriptors_accept_fails_without_spinning_and_recovers() {
    let _serial = serial();
    let high = raise_open_files_limit();
    let server = start("no-fds", 1, |_| {});
    let mut good = WellBehaved::new(server.addr());
    let sockets: Vec<_> = (0..3).map(|_| unconnected_socket()).collect();
    // No descriptor left for the server's accept.
    let open_now = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
    set_open_files_soft_limit(open_now.saturating_sub(1));
    let mut waiting: Vec<TcpStream> = sockets
        .into_iter()
        .map(|s| connect_socket(s, server.addr()))
        .collect();
    let cpu_before = cpu_time();
    let wall = Instant::now();
    good.keep_checking(Duration::from_millis(500));
    let cpu = cpu_time() - cpu_before;
    let wall = wall.elapsed();
    set_open_files_soft_limit(high);
    println!("out of descriptors for {wall:?}: the process used {cpu:?} of CPU");
    assert!(
        cpu < wall / 2,
        "{cpu:?} of CPU in {wall:?}: the core spins on a failing accept"
    );
    // With descriptors back, the waiting connections are served.
    for stream in &mut waiting {
        let result = call(stream, &get("good"));
        assert!(matches!(result, Ok(Response::Item(Some(_)))), "{result:?}");
    }
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
        // It asks at once, as a client would; the refusal still arrives.
        extra.write_all(&frame(1, &get("good"))).unwrap();
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
