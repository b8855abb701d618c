//! The DynamoDB JSON API through a real server's HTTP listener, with raw
//! sockets: the health check, keep-alive and pipelining (answers in
//! request order), DynamoDB's headers (x-amz-crc32 checked against the
//! body), gzip bodies, and malformed requests, each of which gets a
//! well-formed answer while another client keeps being served.
#![allow(clippy::disallowed_methods)] // Real sockets, real time.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::wire::start;
use dynacore_server::http::crc32;
use serde_json::{Value, json};

/// One response: status, headers (names lower-cased), body.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: body {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// The `__type` suffix of an error body.
    fn error_type(&self) -> String {
        let body = self.json();
        let full = body["__type"].as_str().unwrap_or_default().to_owned();
        full.rsplit('#').next().unwrap_or_default().to_owned()
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

fn request(operation: &str, body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).unwrap();
    let mut out = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.{operation}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Reads one response (Content-Length framing, which the server always
/// sends) and checks its x-amz-crc32.
fn read_response(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Response {
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(pending[..end].to_vec()).unwrap();
            let mut lines = head.split("\r\n");
            let status: u16 = lines.next().unwrap()[9..12].parse().unwrap();
            let headers: Vec<(String, String)> = lines
                .map(|l| {
                    let (n, v) = l.split_once(':').unwrap();
                    (n.trim().to_ascii_lowercase(), v.trim().to_owned())
                })
                .collect();
            let length: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .map(|(_, v)| v.parse().unwrap())
                .expect("content-length");
            while pending.len() < end + 4 + length {
                fill(stream, pending);
            }
            let body = pending[end + 4..end + 4 + length].to_vec();
            pending.drain(..end + 4 + length);
            let response = Response {
                status,
                headers,
                body,
            };
            let crc = response.header("x-amz-crc32").expect("x-amz-crc32");
            assert_eq!(crc, crc32(&response.body).to_string(), "{response:?}");
            let id = response.header("x-amzn-requestid").expect("request id");
            assert_eq!(id.len(), 52, "{id}");
            return response;
        }
        fill(stream, pending);
    }
}

fn fill(stream: &mut TcpStream, pending: &mut Vec<u8>) {
    let mut chunk = [0u8; 65536];
    // A read can be interrupted (EINTR: seen about 1 run in 30, with the
    // in-process server's io_uring beside it); read_exact retries too.
    let n = loop {
        match stream.read(&mut chunk) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => break other.expect("read"),
        }
    };
    assert!(
        n > 0,
        "connection closed; had {:?}",
        String::from_utf8_lossy(pending)
    );
    pending.extend_from_slice(&chunk[..n]);
}

fn call(addr: SocketAddr, operation: &str, body: &Value) -> Response {
    let mut stream = connect(addr);
    stream.write_all(&request(operation, body)).unwrap();
    read_response(&mut stream, &mut Vec::new())
}

/// After the whole answer the server closes the connection (EOF).
fn expect_eof(stream: &mut TcpStream, pending: &[u8]) {
    assert!(pending.is_empty(), "{:?}", String::from_utf8_lossy(pending));
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest)),
        Err(e) => panic!("expected EOF, got {e}"),
    }
}

fn create_table(addr: SocketAddr) {
    let response = call(
        addr,
        "CreateTable",
        &json!({
            "TableName": "tbl",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    );
    assert_eq!(response.status, 200, "{:?}", response.json());
    let arn = response.json()["TableDescription"]["TableArn"].clone();
    assert_eq!(
        arn,
        json!("arn:aws:dynamodb:ddblocal:000000000000:table/tbl")
    );
}

fn put(key: &str, value: &str) -> Value {
    json!({"TableName": "tbl", "Item": {"pk": {"S": key}, "v": {"S": value}}})
}

fn get(key: &str) -> Value {
    json!({"TableName": "tbl", "Key": {"pk": {"S": key}}, "ConsistentRead": true})
}

#[test]
fn get_slash_is_a_health_check() {
    let server = start("http-health", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    let mut stream = connect(addr);
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let response = read_response(&mut stream, &mut Vec::new());
    assert_eq!(response.status, 200);
    assert!(response.body.starts_with(b"healthy: dynacore"));
}

/// With `sync` durability a put's answer waits for its group commit while
/// the core goes on: the reads pipelined behind it must still wait.
#[test]
fn pipelined_requests_on_one_connection_are_answered_in_order() {
    let server = start("http-pipeline", 2, |config| {
        config.durability = dynacore::Durability::Sync;
    });
    let addr = server.dynamodb_addr().unwrap();
    create_table(addr);
    let mut stream = connect(addr);
    // 50 puts then 50 gets, all written before any answer is read; the
    // keys land on both shards, so any reordering would show.
    let mut bytes = Vec::new();
    for i in 0..50 {
        bytes.extend(request("PutItem", &put(&format!("k{i}"), &format!("v{i}"))));
        bytes.extend(request("ListTables", &json!({})));
    }
    for i in 0..50 {
        bytes.extend(request("GetItem", &get(&format!("k{i}"))));
    }
    stream.write_all(&bytes).unwrap();
    let mut pending = Vec::new();
    for _ in 0..50 {
        let response = read_response(&mut stream, &mut pending);
        assert_eq!(response.status, 200, "{:?}", response.json());
        assert_eq!(response.json(), json!({}));
        let response = read_response(&mut stream, &mut pending);
        assert_eq!(response.json(), json!({"TableNames": ["tbl"]}));
    }
    for i in 0..50 {
        let response = read_response(&mut stream, &mut pending);
        assert_eq!(response.json()["Item"]["v"]["S"], json!(format!("v{i}")));
    }
}

#[test]
fn a_gzip_body_is_inflated() {
    let server = start("http-gzip", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    create_table(addr);
    let body = serde_json::to_vec(&put("zipped", "yes")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&body).unwrap();
    let zipped = encoder.finish().unwrap();
    let mut bytes = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n\
         Content-Encoding: gzip\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n\
         Content-Length: {}\r\n\r\n",
        zipped.len()
    )
    .into_bytes();
    bytes.extend_from_slice(&zipped);
    let mut stream = connect(addr);
    stream.write_all(&bytes).unwrap();
    let response = read_response(&mut stream, &mut Vec::new());
    assert_eq!(response.status, 200, "{:?}", response.json());
    let response = call(addr, "GetItem", &get("zipped"));
    assert_eq!(response.json()["Item"]["v"]["S"], json!("yes"));
}

#[test]
fn unknown_and_missing_operations_are_unknown_operation_exceptions() {
    let server = start("http-unknown", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    for target in [
        "X-Amz-Target: DynamoDB_20120810.TransactWriteItems\r\n",
        "X-Amz-Target: Other_20120810.GetItem\r\n",
        "",
    ] {
        let mut stream = connect(addr);
        let bytes = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n\
             {target}Content-Length: 2\r\n\r\n{{}}"
        );
        stream.write_all(bytes.as_bytes()).unwrap();
        let response = read_response(&mut stream, &mut Vec::new());
        assert_eq!(response.status, 400, "{target}");
        assert_eq!(response.error_type(), "UnknownOperationException");
        assert_eq!(
            response.json()["message"],
            json!("An unknown operation was requested.")
        );
    }
}

#[test]
fn bad_json_bodies_are_serialization_exceptions_and_the_connection_stays_open() {
    let server = start("http-bad-json", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    create_table(addr);
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    let bodies: Vec<Vec<u8>> = vec![
        b"{not json".to_vec(),
        deep.into_bytes(),
        b"[1, 2]".to_vec(),
        br#"{"TableName": 7, "Key": {}}"#.to_vec(),
        vec![0xff, 0xfe, 0x00],
    ];
    let mut stream = connect(addr);
    let mut pending = Vec::new();
    for body in bodies {
        let mut bytes = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: DynamoDB_20120810.GetItem\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(&body);
        stream.write_all(&bytes).unwrap();
        let response = read_response(&mut stream, &mut pending);
        assert_eq!(response.status, 400);
        assert_eq!(
            response.error_type(),
            "SerializationException",
            "{:?}",
            response.json()
        );
    }
    // The same connection still serves a good request.
    stream
        .write_all(&request("PutItem", &put("after", "ok")))
        .unwrap();
    assert_eq!(read_response(&mut stream, &mut pending).status, 200);
}

/// Malformed HTTP: each gets its status and a DynamoDB-shaped body, then
/// the connection closes; a healthy client on another connection, open
/// throughout, keeps getting answers.
#[test]
fn malformed_http_gets_a_well_formed_answer_and_others_keep_being_served() {
    let server = start("http-malformed", 2, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    create_table(addr);
    let mut healthy = connect(addr);
    let mut healthy_pending = Vec::new();
    let huge_header = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (b"GARBAGE\r\n\r\n".to_vec(), 400),
        (b"POST / HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(), 505),
        (huge_header.into_bytes(), 431),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 3\r\n\r\n{}".to_vec(),
            400,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n".to_vec(),
            413,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(),
            501,
        ),
        (b"POST / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), 411),
    ];
    for (index, (bytes, status)) in cases.into_iter().enumerate() {
        let mut stream = connect(addr);
        stream.write_all(&bytes).unwrap();
        let mut pending = Vec::new();
        let response = read_response(&mut stream, &mut pending);
        assert_eq!(
            response.status,
            status,
            "case {index}: {:?}",
            response.json()
        );
        assert!(!response.error_type().is_empty(), "case {index}");
        assert_eq!(response.header("connection"), Some("close"));
        expect_eof(&mut stream, &pending);
        let key = format!("healthy{index}");
        healthy
            .write_all(&request("PutItem", &put(&key, "v")))
            .unwrap();
        assert_eq!(
            read_response(&mut healthy, &mut healthy_pending).status,
            200
        );
    }
    // A body shorter than its Content-Length, then the client closes its
    // side: nothing to answer, and the server is fine.
    let mut short = connect(addr);
    short
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\n\
              Content-Length: 100\r\n\r\n{}",
        )
        .unwrap();
    short.shutdown(std::net::Shutdown::Write).unwrap();
    expect_eof(&mut short, &[]);
    healthy
        .write_all(&request("GetItem", &get("healthy0")))
        .unwrap();
    let response = read_response(&mut healthy, &mut healthy_pending);
    assert_eq!(response.json()["Item"]["v"]["S"], json!("v"));
}

#[test]
fn a_body_over_16_mib_is_refused_with_413_from_its_headers() {
    let server = start("http-413", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    let mut stream = connect(addr);
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n\
         Content-Length: {}\r\n\r\n",
        16 * 1024 * 1024 + 1
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut pending = Vec::new();
    let response = read_response(&mut stream, &mut pending);
    assert_eq!(response.status, 413);
    assert_eq!(response.error_type(), "RequestEntityTooLarge");
}

#[test]
fn connection_close_is_honoured_after_the_answer() {
    let server = start("http-close", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    let mut stream = connect(addr);
    stream
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
              X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\n\r\n{}",
        )
        .unwrap();
    let mut pending = Vec::new();
    let response = read_response(&mut stream, &mut pending);
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), json!({"TableNames": []}));
    assert_eq!(response.header("connection"), Some("close"));
    expect_eof(&mut stream, &pending);
}

#[test]
fn engine_errors_keep_dynamodb_types_and_the_condition_failure_item() {
    let server = start("http-errors", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    let response = call(addr, "GetItem", &get("x"));
    assert_eq!(response.status, 400);
    assert_eq!(response.error_type(), "ResourceNotFoundException");
    create_table(addr);
    assert_eq!(call(addr, "PutItem", &put("k", "old")).status, 200);
    let mut conditional = put("k", "new");
    conditional["ConditionExpression"] = json!("attribute_not_exists(pk)");
    conditional["ReturnValuesOnConditionCheckFailure"] = json!("ALL_OLD");
    let response = call(addr, "PutItem", &conditional);
    assert_eq!(response.status, 400);
    assert_eq!(response.error_type(), "ConditionalCheckFailedException");
    assert_eq!(response.json()["Item"]["v"]["S"], json!("old"));
}

/// With `--auth`, an unsigned request and one signed with an unknown key
/// are refused with DynamoDB's error types (the signed-request paths are
/// checked with botocore in `dynamodb_clients/`).
#[test]
fn with_auth_unsigned_and_unknown_key_requests_are_refused() {
    let dir = common::wire::data_dir("http-auth-file");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credentials");
    std::fs::write(&file, "# test keys\nAKIDTEST secretsecret\n").unwrap();
    let server = start("http-auth", 1, |config| config.auth = Some(file.clone()));
    let addr = server.dynamodb_addr().unwrap();
    let response = call(addr, "ListTables", &json!({}));
    assert_eq!(response.status, 400);
    assert_eq!(response.error_type(), "MissingAuthenticationTokenException");
    assert!(
        response.json()["__type"]
            .as_str()
            .unwrap()
            .starts_with("com.amazon.coral.service#")
    );
    let mut stream = connect(addr);
    let body = b"{}";
    let bytes = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Date: 20260101T000000Z\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=NOBODY/20260101/us-east-1/dynamodb/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature={}\r\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\n\r\n",
        "0".repeat(64)
    );
    stream.write_all(bytes.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let response = read_response(&mut stream, &mut Vec::new());
    assert_eq!(response.status, 400);
    let kind = response.error_type();
    // An old date may be refused first; either is DynamoDB's answer.
    assert!(
        kind == "UnrecognizedClientException" || kind == "InvalidSignatureException",
        "{kind}: {:?}",
        response.json()
    );
}

/// DynamoDB checks a table name's form before looking it up, on every
/// operation: a name no table could have is a ValidationException, a
/// well-formed missing one ResourceNotFoundException.
#[test]
fn a_malformed_table_name_is_a_validation_error_before_not_found() {
    let server = start("http-table-names", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    for operation in ["DescribeTable", "DeleteTable", "Scan"] {
        let response = call(addr, operation, &json!({"TableName": "ab"}));
        assert_eq!(response.error_type(), "ValidationException", "{operation}");
        let message = response.json()["message"].as_str().unwrap().to_owned();
        assert!(message.contains("greater than or equal to 3"), "{message}");
        let response = call(addr, operation, &json!({"TableName": "abc"}));
        assert_eq!(
            response.error_type(),
            "ResourceNotFoundException",
            "{operation}"
        );
    }
}

/// A client that pipelines requests and then half-closes gets every answer
/// before the EOF. Regression: all but the first were dropped (the writes
/// are pending group commits under `sync`, so the connection looked quiet
/// with requests still buffered).
#[test]
fn pipelined_requests_then_a_half_close_are_all_answered() {
    let server = start("http-half-close", 2, |config| {
        config.durability = dynacore::Durability::Sync;
    });
    let addr = server.dynamodb_addr().unwrap();
    create_table(addr);
    for round in 0..5 {
        let mut stream = connect(addr);
        let mut bytes = Vec::new();
        for key in ["a", "b"] {
            let key = format!("{key}{round}");
            bytes.extend(request("PutItem", &put(&key, "v")));
            bytes.extend(request("GetItem", &get(&key)));
        }
        stream.write_all(&bytes).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut pending = Vec::new();
        for _ in 0..2 {
            assert_eq!(read_response(&mut stream, &mut pending).json(), json!({}));
            let response = read_response(&mut stream, &mut pending);
            assert_eq!(
                response.json()["Item"]["v"]["S"],
                json!("v"),
                "round {round}"
            );
        }
        expect_eof(&mut stream, &pending);
    }
}

/// Over max_connections, an HTTP client gets an HTTP 503 with a
/// DynamoDB-shaped error (which SDKs retry), not a binary frame.
#[test]
fn a_connection_over_the_limit_gets_an_http_503() {
    let server = start("http-limit", 1, |config| config.max_connections = 1);
    let addr = server.dynamodb_addr().unwrap();
    let mut first = connect(addr);
    first.write_all(&request("ListTables", &json!({}))).unwrap();
    assert_eq!(read_response(&mut first, &mut Vec::new()).status, 200);
    let mut second = connect(addr);
    let mut pending = Vec::new();
    let mut chunk = [0u8; 4096];
    // The refusal is written at accept, before any request.
    loop {
        match second.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("{e}"),
        }
    }
    let text = String::from_utf8_lossy(&pending).into_owned();
    assert!(text.starts_with("HTTP/1.1 503 "), "{text}");
    assert!(text.contains("#ServiceUnavailable"), "{text}");
}

/// Tags belong to one incarnation of a table: dropped (here through the
/// embedded Db, not the API) and created again, the table has none.
#[test]
fn a_table_created_again_does_not_inherit_the_old_tags() {
    let server = start("http-tags", 1, |_| {});
    let addr = server.dynamodb_addr().unwrap();
    create_table(addr);
    let arn = json!("arn:aws:dynamodb:us-east-1:123456789012:table/tbl");
    let tag = json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "a"}]});
    assert_eq!(call(addr, "TagResource", &tag).status, 200);
    let listed = call(addr, "ListTagsOfResource", &json!({"ResourceArn": arn}));
    assert_eq!(
        listed.json()["Tags"],
        json!([{"Key": "team", "Value": "a"}])
    );
    let old_id = server.db().describe_table("tbl").unwrap().id;
    server.db().delete_table("tbl").unwrap();
    let missing = call(addr, "ListTagsOfResource", &json!({"ResourceArn": arn}));
    assert_eq!(missing.error_type(), "ResourceNotFoundException");
    create_table(addr);
    let new_id = server.db().describe_table("tbl").unwrap().id;
    assert_ne!(old_id, new_id);
    let listed = call(addr, "ListTagsOfResource", &json!({"ResourceArn": arn}));
    assert_eq!(listed.json()["Tags"], json!([]));
}

/// A second server cannot silently join the first one's DynamoDB port
/// (SO_REUSEPORT would let it, splitting clients between two databases).
#[test]
fn a_second_server_on_the_same_port_fails_to_start() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let _first = start("http-port-1", 1, |config| {
        config.dynamodb_listen = Some(addr)
    });
    let dir = common::wire::data_dir("http-port-2");
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = dynacore_server::server::ServerConfig::new(&dir);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.metrics_listen = None;
    config.dynamodb_listen = Some(addr);
    config.shards = 1;
    config.durability = dynacore::Durability::None;
    let error = dynacore_server::server::Server::start(config).unwrap_err();
    assert!(format!("{error:#}").contains("in use"), "{error:#}");
}
