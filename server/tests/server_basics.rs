//! The real server, in process, on 127.0.0.1, driven with raw frames (no
//! client library): every request is encoded with the protocol's own
//! encoders and every reply decoded with its decoders.
#![allow(clippy::disallowed_methods)] // Real sockets, real time, temp dirs.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use dynacore::{
    AttributeDefinition, AttributeValue, BillingMode, CreateTableRequest, Durability,
    GetItemRequest, Item, KeyRole, KeySchemaElement, KeyType, PutItemRequest,
};
use dynacore_server::protocol::{
    ErrorCode, ErrorReply, FrameHeader, HEADER_LEN, Hello, Opcode, Request, Response, encode_frame,
};
use dynacore_server::server::{Server, ServerConfig, ServerHandle};

pub fn start(name: &str, shards: usize, tweak: impl FnOnce(&mut ServerConfig)) -> ServerHandle {
    let dir = std::env::temp_dir().join(format!("dynacore-srv-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = ServerConfig::new(&dir);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    config.shards = shards;
    config.durability = Durability::None;
    tweak(&mut config);
    Server::start(config).expect("start server")
}

pub fn connect(addr: std::net::SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

pub fn send(stream: &mut TcpStream, id: u64, request: &Request) {
    let body = request.to_body();
    let header = FrameHeader::request(request.opcode(), id, body.len() as u32);
    stream
        .write_all(&encode_frame(header, &body))
        .expect("send");
}

/// Reads one reply frame: its header and body.
pub fn read_frame(stream: &mut TcpStream) -> (FrameHeader, Vec<u8>) {
    let mut header = [0u8; HEADER_LEN];
    stream.read_exact(&mut header).expect("read header");
    let header = FrameHeader::decode(&header, u32::MAX).expect("valid reply header");
    let mut body = vec![0u8; header.body_len as usize];
    stream.read_exact(&mut body).expect("read body");
    (header, body)
}

pub fn reply(stream: &mut TcpStream) -> (u64, Result<Response, ErrorReply>) {
    let (header, body) = read_frame(stream);
    assert!(header.is_response());
    let result = if header.is_error() {
        Err(ErrorReply::decode(&body).expect("error body"))
    } else {
        let opcode = Opcode::from_u8(header.opcode).expect("known opcode");
        Ok(Response::decode(opcode, &body).expect("reply body"))
    };
    (header.request_id, result)
}

pub fn call(stream: &mut TcpStream, request: &Request) -> Result<Response, ErrorReply> {
    send(stream, 77, request);
    let (id, result) = reply(stream);
    assert_eq!(id, 77);
    result
}

pub fn create_table(stream: &mut TcpStream, name: &str) {
    let request = Request::CreateTable(CreateTableRequest {
        table_name: name.into(),
        key_schema: vec![KeySchemaElement::new("pk", KeyRole::Hash)],
        attribute_definitions: vec![AttributeDefinition::new("pk", KeyType::S)],
        billing_mode: BillingMode::PayPerRequest,
        provisioned_throughput: None,
    });
    let result = call(stream, &request);
    assert!(matches!(result, Ok(Response::Table(_))), "{result:?}");
}

pub fn item(pk: &str, v: &str) -> Item {
    BTreeMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.into())),
        ("v".to_owned(), AttributeValue::S(v.into())),
    ])
}

pub fn key(pk: &str) -> Item {
    BTreeMap::from([("pk".to_owned(), AttributeValue::S(pk.into()))])
}

fn put(pk: &str, v: &str) -> Request {
    Request::PutItem(PutItemRequest {
        table_name: "tbl".into(),
        item: item(pk, v),
        ..PutItemRequest::default()
    })
}

fn get(pk: &str) -> Request {
    Request::GetItem(GetItemRequest {
        table_name: "tbl".into(),
        key: key(pk),
        ..GetItemRequest::default()
    })
}

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
