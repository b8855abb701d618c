//! Graceful shutdown under load: every request read is answered or the
//! connection ends cleanly, and every acknowledged write survives.

use super::*;

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

#[test]
fn shutdown_is_bounded_by_the_drain_timeout_when_a_reader_never_reads() {
    let _serial = serial();
    let server = start("drain-timeout", 1, |c| {
        c.max_out_buffer_bytes = 1024 * 1024;
        c.drain_timeout = Duration::from_millis(500);
    });
    let mut good = WellBehaved::new(server.addr());
    let (mut slow, writer) = super::backpressure::start_slow_reader(&server, &mut good);
    super::backpressure::wait_until_writes_stall(&server);
    good.check();
    let started = Instant::now();
    server.shutdown().expect("shutdown");
    let took = started.elapsed();
    println!("shutdown with a reader that never reads took {took:?} (drain timeout 500 ms)");
    assert!(
        took >= Duration::from_millis(450),
        "did not wait to drain: {took:?}"
    );
    assert!(
        took < Duration::from_secs(3),
        "drain timeout not kept: {took:?}"
    );
    read_to_close(&mut slow, Duration::from_secs(5));
    let _ = writer.join().unwrap();
}
