//! Raw-frame helpers for the in-process server tests: start a server on
//! 127.0.0.1 with a free port, connect, send requests encoded with the
//! protocol's own encoders, and read replies with its decoders.
#![allow(dead_code)] // Each test binary uses its own subset.
#![allow(clippy::disallowed_methods)] // Real sockets, real time, temp dirs.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use dynacore::{
    AttributeValue, CreateTableRequest, Durability, GetItemRequest, Item, KeyAttribute, KeyType,
    PutItemRequest, TableSchema,
};
use dynacore_server::protocol::{
    ErrorReply, FrameHeader, HEADER_LEN, Opcode, Request, Response, encode_frame,
};
use dynacore_server::server::config::parse_io;
use dynacore_server::server::{Server, ServerConfig, ServerHandle};

/// The data directory `start(name, ..)` uses (emptied first).
pub fn data_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dynacore-srv-{name}-{}", std::process::id()))
}

/// A server on 127.0.0.1:0 (metrics too), durability none, `shards`
/// shards, in a fresh data directory; `tweak` adjusts the rest. The
/// environment variable `DYNACORE_TEST_IO` (`auto`, `io-uring`, `portable`)
/// picks the network event loop, so the tests can be run on each.
pub fn start(name: &str, shards: usize, tweak: impl FnOnce(&mut ServerConfig)) -> ServerHandle {
    let dir = data_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = ServerConfig::new(&dir);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    config.dynamodb_listen = Some("127.0.0.1:0".parse().unwrap());
    config.shards = shards;
    config.durability = Durability::None;
    if let Ok(io) = std::env::var("DYNACORE_TEST_IO") {
        config.io = parse_io(&io).expect("DYNACORE_TEST_IO");
    }
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

/// The whole frame of `request` under `id`.
pub fn frame(id: u64, request: &Request) -> Vec<u8> {
    let body = request.to_body();
    let header = FrameHeader::request(request.opcode(), id, body.len() as u32);
    encode_frame(header, &body)
}

pub fn send(stream: &mut TcpStream, id: u64, request: &Request) {
    stream.write_all(&frame(id, request)).expect("send");
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

/// Decodes a reply frame read with [`read_frame`].
pub fn decode_reply(header: &FrameHeader, body: &[u8]) -> Result<Response, ErrorReply> {
    assert!(header.is_response(), "{header:?}");
    if header.is_error() {
        Err(ErrorReply::decode(body).expect("error body"))
    } else {
        let opcode = Opcode::from_u8(header.opcode).expect("known opcode");
        Ok(Response::decode(opcode, body).expect("reply body"))
    }
}

pub fn reply(stream: &mut TcpStream) -> (u64, Result<Response, ErrorReply>) {
    let (header, body) = read_frame(stream);
    (header.request_id, decode_reply(&header, &body))
}

pub fn call(stream: &mut TcpStream, request: &Request) -> Result<Response, ErrorReply> {
    send(stream, 77, request);
    let (id, result) = reply(stream);
    assert_eq!(id, 77);
    result
}

pub fn create_table(stream: &mut TcpStream, name: &str) {
    let request = Request::CreateTable(CreateTableRequest::pay_per_request(
        name,
        &TableSchema::partition_only(KeyAttribute::new("pk", KeyType::S)),
    ));
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

/// A PutItem of `item(pk, v)` into table `tbl`.
pub fn put(pk: &str, v: &str) -> Request {
    Request::PutItem(PutItemRequest {
        table_name: "tbl".into(),
        item: item(pk, v),
        ..PutItemRequest::default()
    })
}

/// A GetItem of `pk` from table `tbl`.
pub fn get(pk: &str) -> Request {
    Request::GetItem(GetItemRequest {
        table_name: "tbl".into(),
        key: key(pk),
        ..GetItemRequest::default()
    })
}
