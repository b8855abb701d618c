//! A reader that never reads, and pipelining past the out-buffer limit:
//! the server must slow the client down, not buffer for it, and still
//! answer every request it read.

use super::*;

const BIG_VALUE_BYTES: usize = 50 * 1024;
const SLOW_REQUESTS: usize = 10_000;
const OUT_LIMIT_BYTES: usize = 1024 * 1024;

/// Puts a ~50 KB item `big`, then starts a thread that writes thousands of
/// pipelined GetItems for it on a new connection and never reads a reply.
/// The thread returns the bytes it managed to write.
pub(crate) fn start_slow_reader(
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
pub(crate) fn wait_until_writes_stall(server: &ServerHandle) -> Duration {
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

#[test]
fn max_in_flight_holds_forwarded_requests_back_without_losing_any() {
    let _serial = serial();
    let server = start("in-flight", 2, |c| c.max_in_flight = 2);
    let mut good = WellBehaved::new(server.addr());
    // Keys core 1 owns, asked for through core 0: every one is forwarded,
    // so replies come back later and in flight is really at its limit.
    let keys: Vec<String> = (0..)
        .map(|i| format!("remote{i}"))
        .filter(|k| server.db().shard_of_item("tbl", &key(k)).unwrap().0 == 1)
        .take(50)
        .collect();
    for k in &keys {
        let result = call(&mut good.stream, &put(k, k));
        assert!(matches!(result, Ok(Response::Write(_))), "{result:?}");
    }
    let mut stream = connect(server.shard_addrs()[0]);
    const REQUESTS: u64 = 500;
    let bytes: Vec<u8> = (0..REQUESTS)
        .flat_map(|id| frame(id, &get(&keys[id as usize % keys.len()])))
        .collect();
    stream.write_all(&bytes).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..REQUESTS {
        let (id, result) = reply(&mut stream);
        let k = &keys[id as usize % keys.len()];
        match result {
            Ok(Response::Item(Some(found))) => assert_eq!(found, item(k, k)),
            other => panic!("{id}: {other:?}"),
        }
        assert!(seen.insert(id), "{id} twice");
    }
    let forwarded = metric(
        &server.metrics_text(),
        "dynacore_requests_forwarded_total",
        &["shard=\"0\""],
    );
    assert!(forwarded >= REQUESTS as f64, "{forwarded}");
    good.check();
    server.shutdown().unwrap();
}
