//! The client against a fake server: pipelining with out-of-order replies,
//! error replies, a server that closes mid-request, timeouts, reconnects.

mod client_support;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use client_support::{block_on, join_all, start};
use dynacore::{AttributeValue, GetItemRequest, Item, PutItemRequest};
use dynacore_server::client::{Client, ClientError, ClientOptions};
use dynacore_server::protocol::ErrorCode;

fn key(pk: &str) -> Item {
    BTreeMap::from([("pk".to_owned(), AttributeValue::S(pk.to_owned()))])
}

fn get(table: &str, pk: &str) -> GetItemRequest {
    GetItemRequest {
        table_name: table.into(),
        key: key(pk),
        ..GetItemRequest::default()
    }
}

fn one_connection() -> ClientOptions {
    ClientOptions {
        connections_per_shard: 1,
        request_timeout: Duration::from_secs(10),
        ..ClientOptions::default()
    }
}

#[test]
fn hundred_blocking_callers_get_their_own_replies_in_reverse_order() {
    let server = start();
    let client = Client::connect_with(&server.addr, one_connection()).expect("connect");
    // Learn the route first so that all 100 GetItems are in flight at once.
    client.get_item(get("t", "warm")).expect("warm");
    let threads: Vec<_> = (0..100)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || client.get_item(get("rev", &format!("k{i}"))))
        })
        .collect();
    for (i, thread) in threads.into_iter().enumerate() {
        let item = thread.join().expect("thread").expect("reply");
        assert_eq!(item, Some(key(&format!("k{i}"))));
    }
    assert_eq!(server.accepted.load(Ordering::SeqCst), 1, "one connection");
}

#[test]
fn the_reader_hands_the_socket_on_when_its_own_reply_comes_first() {
    let server = start();
    let client = Client::connect_with(&server.addr, one_connection()).expect("connect");
    client.get_item(get("t", "warm")).expect("warm");
    let threads: Vec<_> = (0..100)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || client.get_item(get("fwd", &format!("f{i}"))))
        })
        .collect();
    for (i, thread) in threads.into_iter().enumerate() {
        let item = thread.join().expect("thread").expect("reply");
        assert_eq!(item, Some(key(&format!("f{i}"))));
    }
}

#[test]
fn hundred_async_requests_complete_out_of_order() {
    let server = start();
    let client = Client::connect_with(&server.addr, one_connection()).expect("connect");
    let futures: Vec<_> = (0..100)
        .map(|i| Box::pin(client.get_item_async(get("rev", &format!("a{i}")))))
        .collect();
    let replies = join_all(futures);
    for (i, reply) in replies.into_iter().enumerate() {
        assert_eq!(reply.expect("reply"), Some(key(&format!("a{i}"))));
    }
    // Blocking calls still work on a connection with a reader thread.
    let out = client
        .put_item(PutItemRequest {
            table_name: "t".into(),
            item: key("p"),
            ..PutItemRequest::default()
        })
        .expect("put");
    assert_eq!(out.attributes, Some(key("p")));
    assert_eq!(block_on(client.stats_async()).expect("stats"), "# fake\n");
}

#[test]
fn an_error_reply_is_a_server_error_with_its_code() {
    let server = start();
    let client = Client::connect_with(&server.addr, one_connection()).expect("connect");
    let error = client.get_item(get("missing", "x")).expect_err("error");
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFound));
    assert!(matches!(error, ClientError::Server(_)));
    assert!(error.to_string().starts_with("ResourceNotFoundException: "));
    let error = block_on(client.get_item_async(get("missing", "x"))).expect_err("error");
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFound));
    // The connection is still good.
    assert_eq!(client.get_item(get("t", "y")).expect("get"), Some(key("y")));
}

#[test]
#[allow(clippy::disallowed_methods)] // a real socket, a real clock
fn a_server_closing_mid_request_fails_every_caller_then_the_client_reconnects() {
    let server = start();
    let client = Client::connect_with(&server.addr, one_connection()).expect("connect");
    client.get_item(get("t", "warm")).expect("warm");
    // Callers parked behind the one that triggers the close also fail.
    let waiters: Vec<_> = (0..10)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || client.get_item(get("silent", &format!("s{i}"))))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let error = client.get_item(get("close", "x")).expect_err("closed");
    assert!(
        matches!(error, ClientError::Closed | ClientError::Io(_)),
        "{error:?}"
    );
    for waiter in waiters {
        let error = waiter.join().expect("thread").expect_err("closed");
        assert!(
            matches!(error, ClientError::Closed | ClientError::Io(_)),
            "{error:?}"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(5), "no hang");
    assert_eq!(
        client.get_item(get("t", "again")).expect("reconnected"),
        Some(key("again"))
    );
    assert_eq!(server.accepted.load(Ordering::SeqCst), 2);
    // Async callers fail too.
    let error = block_on(client.get_item_async(get("close", "y"))).expect_err("closed");
    assert!(
        matches!(error, ClientError::Closed | ClientError::Io(_)),
        "{error:?}"
    );
    assert_eq!(
        client.get_item(get("t", "3")).expect("reconnected"),
        Some(key("3"))
    );
}

#[test]
fn an_unanswered_request_times_out_and_the_connection_stays_usable() {
    let server = start();
    let options = ClientOptions {
        request_timeout: Duration::from_millis(200),
        ..one_connection()
    };
    let client = Client::connect_with(&server.addr, options).expect("connect");
    client.get_item(get("t", "warm")).expect("warm");
    let error = client.get_item(get("silent", "x")).expect_err("timeout");
    assert!(matches!(error, ClientError::Timeout), "{error:?}");
    let error = block_on(client.get_item_async(get("silent", "y"))).expect_err("timeout");
    assert!(matches!(error, ClientError::Timeout), "{error:?}");
    assert_eq!(client.get_item(get("t", "z")).expect("get"), Some(key("z")));
}

#[test]
fn nothing_listening_is_an_io_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    drop(listener);
    let error = Client::connect(&addr).expect_err("refused");
    assert!(matches!(error, ClientError::Io(_)), "{error:?}");
}

#[test]
fn point_requests_count_as_routed_to_their_owner() {
    let server = start();
    let client = Client::connect_with(&server.addr, one_connection()).expect("connect");
    for i in 0..10 {
        client.get_item(get("t", &format!("r{i}"))).expect("get");
    }
    let stats = client.routing_stats();
    assert_eq!(stats.to_owner, 10);
    assert_eq!(stats.not_to_owner, 0);
}

/// Not a benchmark (the machine is shared): a sanity figure for the report,
/// `cargo test --test client_pipeline -- --ignored --nocapture`.
#[test]
#[ignore]
#[allow(clippy::disallowed_methods)] // a real socket, a real clock
fn lone_blocking_caller_round_trip() {
    let server = start();
    let client = Client::connect_with(&server.addr, one_connection()).expect("connect");
    client.get_item(get("t", "warm")).expect("warm");
    for (label, async_mode) in [("blocking", false), ("async", true)] {
        let mut samples = Vec::with_capacity(2000);
        for i in 0..2000 {
            let started = Instant::now();
            let request = get("t", &format!("k{i}"));
            if async_mode {
                block_on(client.get_item_async(request)).expect("get");
            } else {
                client.get_item(request).expect("get");
            }
            samples.push(started.elapsed());
        }
        samples.sort();
        println!(
            "{label}: p50 {:?} p99 {:?}",
            samples[samples.len() / 2],
            samples[samples.len() * 99 / 100]
        );
    }
}
