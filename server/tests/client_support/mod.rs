//! A fake server for the client tests: it accepts, decodes frames and
//! answers by the table name of each request, so that every behaviour the
//! client must survive is deterministic:
//! - `rev`: GetItems are held until 100 have arrived, then answered in
//!   reverse order;
//! - `fwd`: the same, answered in arrival order (the first caller, which
//!   reads the socket, gets its reply first and must hand the reading on);
//! - `missing`: a ResourceNotFound error reply;
//! - `close`: the connection is closed without a reply;
//! - `silent`: never answered;
//! - anything else: GetItem echoes the key as the item, PutItem returns
//!   the item as `attributes`, DescribeTable describes a table `pk:S`.

#![allow(dead_code)]

pub mod exec_server;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use dynacore::catalog::TableDescription;
use dynacore::{KeyAttribute, KeyType, TableSchema, WriteOutput};
use dynacore_server::protocol::{
    ErrorCode, ErrorReply, FrameHeader, HEADER_LEN, HelloReply, Request, Response, encode_frame,
};

pub struct FakeServer {
    pub addr: String,
    /// Connections accepted so far.
    pub accepted: Arc<AtomicUsize>,
}

pub fn start() -> FakeServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    let own = addr.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let own = own.clone();
            std::thread::spawn(move || serve(stream, own));
        }
    });
    FakeServer { addr, accepted }
}

fn read_frame(stream: &mut TcpStream) -> Option<(FrameHeader, Vec<u8>)> {
    let mut header = [0u8; HEADER_LEN];
    stream.read_exact(&mut header).ok()?;
    let header = FrameHeader::decode(&header, u32::MAX).ok()?;
    let mut body = vec![0u8; header.body_len as usize];
    stream.read_exact(&mut body).ok()?;
    Some((header, body))
}

fn reply(stream: &mut TcpStream, header: &FrameHeader, result: Result<Response, ErrorReply>) {
    let (is_error, body) = match result {
        Ok(response) => (false, response.to_body()),
        Err(error) => (true, error.to_body()),
    };
    let frame = encode_frame(header.reply(is_error, body.len() as u32), &body);
    let _ = stream.write_all(&frame);
}

pub fn table(name: &str) -> TableDescription {
    TableDescription::new(
        name,
        TableSchema {
            partition_key: KeyAttribute::new("pk", KeyType::S),
            sort_key: None,
        },
        1_700_000_000_000,
    )
}

fn serve(mut stream: TcpStream, own: String) {
    let mut held = Vec::new();
    while let Some((header, body)) = read_frame(&mut stream) {
        let request = match Request::decode(header.opcode, &body) {
            Ok(r) => r,
            Err(e) => {
                reply(
                    &mut stream,
                    &header,
                    Err(ErrorReply::new(ErrorCode::Malformed, e.to_string())),
                );
                continue;
            }
        };
        let table_name = match &request {
            Request::GetItem(r) => r.table_name.clone(),
            Request::PutItem(r) => r.table_name.clone(),
            Request::DescribeTable { table_name, .. } if table_name == "missing" => {
                table_name.clone()
            }
            _ => String::new(),
        };
        match table_name.as_str() {
            "rev" | "fwd" => {
                held.push((header, request));
                if held.len() == 100 {
                    let mut batch = std::mem::take(&mut held);
                    if table_name == "rev" {
                        batch.reverse();
                    }
                    for (header, request) in batch {
                        let Request::GetItem(r) = request else {
                            continue;
                        };
                        reply(&mut stream, &header, Ok(Response::Item(Some(r.key))));
                    }
                }
                continue;
            }
            "missing" => {
                let error = ErrorReply::new(
                    ErrorCode::ResourceNotFound,
                    "Requested resource not found: Table: missing not found",
                );
                reply(&mut stream, &header, Err(error));
                continue;
            }
            "close" => return,
            "silent" => continue,
            _ => {}
        }
        let response = match request {
            Request::Hello(_) => Response::Hello(HelloReply {
                version: 1,
                server_version: "fake".into(),
                this_shard: 0,
                virtual_partitions: vec![0; dynacore::limits::VIRTUAL_PARTITION_COUNT],
                shard_addresses: vec![own.clone()],
                max_body_bytes: 1 << 20,
                max_in_flight: 128,
            }),
            Request::GetItem(r) => Response::Item(Some(r.key)),
            Request::PutItem(r) => Response::Write(WriteOutput {
                attributes: Some(r.item),
            }),
            Request::DescribeTable { table_name, .. } => Response::DescribeTable {
                table: table(&table_name),
                stats: None,
            },
            Request::Stats => Response::Stats("# fake\n".into()),
            _ => {
                reply(
                    &mut stream,
                    &header,
                    Err(ErrorReply::new(ErrorCode::UnknownOperation, "fake")),
                );
                continue;
            }
        };
        reply(&mut stream, &header, Ok(response));
    }
}

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread (no runtime needed: the
/// client's futures are woken by its reader thread).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// Polls every future until all are done, on this thread.
pub fn join_all<F: std::future::Future + Unpin>(mut futures: Vec<F>) -> Vec<F::Output> {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    loop {
        let mut pending = false;
        for (i, f) in futures.iter_mut().enumerate() {
            if out[i].is_none() {
                match std::pin::Pin::new(f).poll(&mut cx) {
                    Poll::Ready(v) => out[i] = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if !pending {
            return out.into_iter().map(|v| v.expect("done")).collect();
        }
        std::thread::park_timeout(std::time::Duration::from_millis(10));
    }
}
