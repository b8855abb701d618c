//! A stand-in server over a real engine: one listener per shard (each
//! answers Hello with its own `this_shard`), every request run with
//! `exec::execute` on the connection's thread. It counts point requests
//! that arrived at the listener of their owning shard, so that routing can
//! be checked end to end before the real runtime exists.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dynacore::{Db, Durability};
use dynacore_server::exec::{self, Execution};
use dynacore_server::protocol::{
    ErrorCode, ErrorReply, FrameHeader, HEADER_LEN, HelloReply, Request, Response, encode_frame,
};

pub struct ExecServer {
    /// The main address (shard 0's listener).
    pub addr: String,
    pub at_owner: Arc<AtomicU64>,
    pub not_at_owner: Arc<AtomicU64>,
    pub db: Arc<Db>,
    pub dir: std::path::PathBuf,
}

impl Drop for ExecServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn start(name: &str, shards: usize) -> ExecServer {
    let dir = std::env::temp_dir().join(format!("dynacore-exec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = Arc::new(
        Db::builder(&dir)
            .shard_count(shards)
            .durability(Durability::None)
            .open()
            .expect("open"),
    );
    let listeners: Vec<TcpListener> = (0..shards)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    let addresses: Vec<String> = listeners
        .iter()
        .map(|l| l.local_addr().expect("addr").to_string())
        .collect();
    let map: Vec<u16> = db.virtual_partition_owners().iter().map(|s| s.0).collect();
    let at_owner = Arc::new(AtomicU64::new(0));
    let not_at_owner = Arc::new(AtomicU64::new(0));
    for (shard, listener) in listeners.into_iter().enumerate() {
        let hello = HelloReply {
            version: 1,
            server_version: "exec-server".into(),
            this_shard: shard as u16,
            virtual_partitions: map.clone(),
            shard_addresses: addresses.clone(),
            max_body_bytes: dynacore_server::protocol::DEFAULT_MAX_BODY_BYTES,
            max_in_flight: 128,
        };
        let (db, yes, no) = (
            Arc::clone(&db),
            Arc::clone(&at_owner),
            Arc::clone(&not_at_owner),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (db, hello, yes, no) = (
                    Arc::clone(&db),
                    hello.clone(),
                    Arc::clone(&yes),
                    Arc::clone(&no),
                );
                std::thread::spawn(move || serve(stream, &db, &hello, &yes, &no));
            }
        });
    }
    ExecServer {
        addr: addresses[0].clone(),
        at_owner,
        not_at_owner,
        db,
        dir,
    }
}

fn serve(mut stream: TcpStream, db: &Db, hello: &HelloReply, yes: &AtomicU64, no: &AtomicU64) {
    loop {
        let mut header = [0u8; HEADER_LEN];
        if stream.read_exact(&mut header).is_err() {
            return;
        }
        let Ok(header) = FrameHeader::decode(&header, u32::MAX) else {
            return;
        };
        let mut body = vec![0u8; header.body_len as usize];
        if stream.read_exact(&mut body).is_err() {
            return;
        }
        let result = match Request::decode(header.opcode, &body) {
            Err(e) => Err(ErrorReply::new(ErrorCode::Malformed, e.to_string())),
            Ok(Request::Hello(_)) => Ok(Response::Hello(hello.clone())),
            Ok(Request::Stats) => Ok(Response::Stats("# exec-server\nrequests 1\n".into())),
            Ok(request) => {
                if let Some(owner) = exec::owner(db, &request) {
                    let counter = if owner.0 == hello.this_shard { yes } else { no };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                match exec::execute(db, request) {
                    Execution::Ready(result) => result,
                    // A thread per connection: waiting here is fine.
                    Execution::Pending(future) => super::block_on(future),
                }
            }
        };
        let (is_error, body) = match result {
            Ok(response) => (false, response.to_body()),
            Err(error) => (true, error.to_body()),
        };
        let frame = encode_frame(header.reply(is_error, body.len() as u32), &body);
        if stream.write_all(&frame).is_err() {
            return;
        }
    }
}
