//! The real server, in process, on 127.0.0.1, driven with raw frames (no
//! client library): every request is encoded with the protocol's own
//! encoders and every reply decoded with its decoders.
#![allow(clippy::disallowed_methods)] // Real sockets, real time, temp dirs.

#[allow(dead_code)] // Each binary uses a subset of the shared helpers.
mod common;

use common::wire::{call, connect, create_table, get, item, key, put, reply, send, start};
use dynacore::GetItemRequest;
use dynacore_server::protocol::{ErrorCode, Hello, Request, Response};

#[test]
fn hello_then_put_and_get_round_trip() {
    let server = start("hello", 2, |_| {});
    let mut stream = connect(server.addr());
    let hello = call(
        &mut stream,
        &Request::Hello(Hello {
            min_version: 1,
            max_version: 9,
            client_name: "test".into(),
        }),
    );
    match hello {
        Ok(Response::Hello(reply)) => {
            assert_eq!(reply.version, 1);
            assert_eq!(reply.shard_addresses.len(), 2);
            assert_eq!(reply.virtual_partitions.len(), 4096);
        }
        other => panic!("{other:?}"),
    }
    create_table(&mut stream, "tbl");
    assert!(matches!(
        call(&mut stream, &put("a", "1")),
        Ok(Response::Write(_))
    ));
    match call(&mut stream, &get("a")) {
        Ok(Response::Item(Some(found))) => assert_eq!(found, item("a", "1")),
        other => panic!("{other:?}"),
    }
    // Engine errors arrive as typed error replies.
    let missing = Request::GetItem(GetItemRequest {
        table_name: "nope".into(),
        key: key("a"),
        ..GetItemRequest::default()
    });
    match call(&mut stream, &missing) {
        Err(e) => assert_eq!(e.code, ErrorCode::ResourceNotFound),
        other => panic!("{other:?}"),
    }
    server.shutdown().unwrap();
}

#[test]
fn pipelined_requests_through_one_shard_address_are_all_answered_and_forwarded() {
    let server = start("pipeline", 2, |_| {});
    let mut stream = connect(server.shard_addrs()[0]);
    create_table(&mut stream, "tbl");
    let n = 200u64;
    for i in 0..n {
        send(
            &mut stream,
            1000 + i,
            &put(&format!("k{i}"), &i.to_string()),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut order = Vec::new();
    for _ in 0..n {
        let (id, result) = reply(&mut stream);
        assert!(matches!(result, Ok(Response::Write(_))), "{result:?}");
        assert!(seen.insert(id), "id {id} answered twice");
        order.push(id);
    }
    assert_eq!(seen, (1000..1000 + n).collect());
    // Keys shard 0 owns are answered at once; the others after a round trip
    // through shard 1's core: replies come back out of order.
    let overtaken = order.windows(2).filter(|w| w[1] < w[0]).count();
    eprintln!("{overtaken} of {n} replies overtook an earlier request's");
    assert!(
        overtaken > 0,
        "replies came back in request order: {order:?}"
    );
    for i in 0..n {
        send(&mut stream, i + 1, &get(&format!("k{i}")));
    }
    for _ in 0..n {
        let (id, result) = reply(&mut stream);
        let i = id - 1;
        match result {
            Ok(Response::Item(Some(found))) => {
                assert_eq!(found, item(&format!("k{i}"), &i.to_string()))
            }
            other => panic!("{other:?}"),
        }
    }
    // About half the keys live on shard 1: those were forwarded.
    let text = server.metrics_text();
    assert!(text.contains("dynacore_requests_total"), "{text}");
    let owners: usize = (0..n)
        .filter(|i| {
            server
                .db()
                .shard_of_item("tbl", &key(&format!("k{i}")))
                .unwrap()
                .0
                == 1
        })
        .count();
    assert!(owners > 0 && owners < n as usize);
    server.shutdown().unwrap();
}

#[test]
fn requests_before_a_bad_header_are_still_answered_before_the_close() {
    use std::io::{Read, Write};
    let server = start("bad-after-good", 2, |_| {});
    let mut stream = connect(server.shard_addrs()[0]);
    create_table(&mut stream, "tbl");
    // A key shard 1 owns: its put is forwarded, so its reply comes after
    // the bad header has been read.
    let owned_by_1 = (0..)
        .map(|i| format!("k{i}"))
        .find(|k| server.db().shard_of_item("tbl", &key(k)).unwrap().0 == 1)
        .unwrap();
    send(&mut stream, 5, &put(&owned_by_1, "v"));
    stream.write_all(&[b'X'; 20]).unwrap();
    let mut ids = vec![reply(&mut stream).0, reply(&mut stream).0];
    ids.sort();
    assert_eq!(ids, vec![0, 5], "the put's reply and the error frame");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).expect("a clean close");
    assert!(rest.is_empty());
    server.shutdown().unwrap();
}
