//! The `dynamodb` target: dynacore's DynamoDB JSON API over loopback
//! HTTP/1.1 — the same table and requests as `embedded` and `server`
//! (PutItem, GetItem, UpdateItem `SET #f = :v`, Scan with an exclusive start
//! key and Limit), each one `POST /` with `X-Amz-Target:
//! DynamoDB_20120810.<Op>` and a JSON body (`request.rs`), answered over a
//! keep-alive connection (`http.rs`). With `--dynamodb-addr` it drives a
//! running endpoint (`dynacore serve` listens on 127.0.0.1:8000 by default;
//! in principle any DynamoDB-compatible one, e.g. DynamoDB Local, that
//! accepts unsigned requests); otherwise it starts a server in this process
//! with its DynamoDB listener on a free loopback port and its data in the
//! target's directory.
//!
//! Connections: a pool shared by the harness threads; each call takes one
//! (opening it if none is idle) and puts it back when the answer was
//! framed, so each thread in effect keeps its own connection and there are
//! never more connections than threads. One request per connection is in
//! flight, as HTTP/1.1 without pipelining allows. The client is not
//! shard-aware (HTTP clients are not): the kernel spreads connections over
//! the server's cores and the engine hands a request to its key's shard.
//!
//! Answers are decoded as an SDK would: the body parsed as JSON, GetItem's
//! `Item` and Scan's `Items` turned back into engine items, so the client's
//! decode cost is in the latency, as the binary client's is in `server`'s.
//! Requests are unsigned, without `Authorization`/`X-Amz-Date`/`User-Agent`
//! (see `http.rs`); nothing is retried.

mod http;
mod request;

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use dynacore::{CacheOptions, CreateTableRequest, Durability, GetItemRequest, PutItemRequest};
use dynacore_server::json::item_from_json;
use dynacore_server::server::{Server, ServerConfig, ServerHandle};
use serde_json::Value;

use self::http::{CallError, Connection};
use super::embedded::{TABLE, key_item, record, scan_request, schema, update_request};
use super::{DurabilityMode, Field, Target};

/// A socket read that waits this long fails the call: a stalled endpoint
/// becomes an error the harness reports rather than a hung run.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long `open` waits for a created table to become `ACTIVE` (dynacore's
/// tables are at once; DynamoDB's take seconds), and how often it asks.
const TABLE_ACTIVE_WAIT: Duration = Duration::from_secs(60);
const TABLE_ACTIVE_POLL: Duration = Duration::from_millis(100);

/// dynacore's DynamoDB JSON API over HTTP; see the module docs.
pub struct DynamoDbTarget {
    /// Connections between calls; dropped (closed) before `server`, since
    /// fields drop in order.
    idle: Mutex<Vec<Connection<TcpStream>>>,
    /// The server this target started, if it did (stopped on drop).
    server: Option<ServerHandle>,
    addr: SocketAddr,
    /// The `Host` header: the address as given.
    host: String,
    connections_opened: AtomicU64,
    dir: PathBuf,
    durability: DurabilityMode,
}

impl std::fmt::Debug for DynamoDbTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoDbTarget")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl DynamoDbTarget {
    /// Connects to `dynamodb_addr` (`HOST:PORT`), or starts a server with
    /// its files in `dir` and its DynamoDB listener on a free loopback
    /// port; creates table `usertable` if it is missing.
    pub fn open(
        dir: &Path,
        durability: DurabilityMode,
        dynamodb_addr: Option<&str>,
        cache: CacheOptions,
    ) -> anyhow::Result<Self> {
        let (server, host) = match dynamodb_addr {
            Some(addr) => (None, addr.to_owned()),
            None => {
                let mut config = ServerConfig::new(dir.join("server"));
                config.listen = "127.0.0.1:0".parse().expect("literal address");
                config.metrics_listen = None;
                config.dynamodb_listen = Some("127.0.0.1:0".parse().expect("literal address"));
                config.durability = match durability {
                    DurabilityMode::Sync => Durability::Sync,
                    DurabilityMode::None => Durability::None,
                };
                config.cache = cache;
                let handle = Server::start(config).context("starting a dynacore server")?;
                let addr = handle
                    .dynamodb_addr()
                    .context("the server started without its DynamoDB listener")?;
                (Some(handle), addr.to_string())
            }
        };
        let addr = host
            .to_socket_addrs()
            .with_context(|| format!("resolving the DynamoDB endpoint {host}"))?
            .next()
            .with_context(|| format!("{host} resolves to no address"))?;
        let target = DynamoDbTarget {
            idle: Mutex::new(Vec::new()),
            server,
            addr,
            host,
            connections_opened: AtomicU64::new(0),
            dir: dir.to_path_buf(),
            durability,
        };
        target.ensure_table()?;
        Ok(target)
    }

    /// Creates `usertable` unless DescribeTable finds it, and waits until
    /// it is `ACTIVE`.
    #[allow(clippy::disallowed_methods)] // Polls a remote table; not a shard thread.
    fn ensure_table(&self) -> anyhow::Result<()> {
        let describe = request::describe_table(TABLE);
        let mut table = match self.call("DescribeTable", &describe) {
            Ok(answer) => answer,
            Err(e) if e.is_error_type("ResourceNotFoundException") => {
                let create = CreateTableRequest::pay_per_request(TABLE, &schema());
                self.call("CreateTable", &request::create_table(&create))
                    .context("CreateTable usertable")?
            }
            Err(e) => {
                return Err(e).with_context(|| format!("DescribeTable usertable at {}", self.host));
            }
        };
        let polls = TABLE_ACTIVE_WAIT.as_millis() / TABLE_ACTIVE_POLL.as_millis();
        for _ in 0..polls {
            // CreateTable answers `TableDescription`, DescribeTable `Table`.
            let status = ["Table", "TableDescription"]
                .iter()
                .find_map(|member| table.get(*member)?.get("TableStatus")?.as_str());
            if status == Some("ACTIVE") {
                return Ok(());
            }
            std::thread::sleep(TABLE_ACTIVE_POLL);
            table = self
                .call("DescribeTable", &describe)
                .context("DescribeTable usertable")?;
        }
        anyhow::bail!(
            "usertable at {} is not ACTIVE after {} s",
            self.host,
            TABLE_ACTIVE_WAIT.as_secs()
        )
    }

    /// An idle connection, or a new one.
    fn checkout(&self) -> Result<Connection<TcpStream>, CallError> {
        if let Some(connection) = self.lock_idle().pop() {
            return Ok(connection);
        }
        let io = |operation| move |error| CallError::Io { operation, error };
        let stream = TcpStream::connect(self.addr).map_err(io("connecting"))?;
        stream
            .set_nodelay(true)
            .map_err(io("setting TCP_NODELAY"))?;
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .map_err(io("setting the read timeout"))?;
        self.connections_opened.fetch_add(1, Ordering::Relaxed);
        Ok(Connection::new(stream))
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection<TcpStream>>> {
        // The pool holds no invariant a panicking holder could break.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One DynamoDB call: its answer's JSON. The connection goes back to
    /// the pool if its stream is still in step.
    fn call(&self, operation: &str, body: &Value) -> Result<Value, CallError> {
        let mut connection = self.checkout()?;
        let answer = connection
            .call(&self.host, operation, body)
            .and_then(|bytes| {
                serde_json::from_slice::<Value>(bytes)
                    .map_err(|e| CallError::Malformed(format!("the body is not JSON: {e}")))
            });
        if connection.is_reusable() {
            self.lock_idle().push(connection);
        }
        answer
    }
}

/// Engine items from a JSON array of attribute-value maps.
fn items_from_json(answer: &Value, member: &str) -> anyhow::Result<usize> {
    let items = answer
        .get(member)
        .and_then(Value::as_array)
        .with_context(|| format!("the answer has no {member} array"))?;
    for item in items {
        std::hint::black_box(item_from_json(item)?);
    }
    Ok(items.len())
}

impl Target for DynamoDbTarget {
    fn name(&self) -> &'static str {
        "dynamodb"
    }

    fn settings(&self) -> String {
        let started = match &self.server {
            Some(handle) => format!(
                "dynacore {} started in this process ({} shards, network loop {}, durability {}, \
                 {})",
                env!("CARGO_PKG_VERSION"),
                handle.shard_addrs().len(),
                handle.io_backend(),
                match self.durability {
                    DurabilityMode::Sync => "Sync (ack after fdatasync, group commit)",
                    DurabilityMode::None => "None",
                },
                super::dynacore_cache_words(handle.db().cache_options()),
            ),
            None => "a running endpoint (--dynamodb-addr); its own settings apply".to_owned(),
        };
        format!(
            "DynamoDB JSON API at {} over loopback HTTP/1.1: {started}; client: blocking, \
             keep-alive, TCP_NODELAY, one request in flight per connection, {} connections \
             opened (one per harness thread), not shard-aware, unsigned, x-amz-crc32 checked, \
             no retries, answers decoded to engine items; requests as the embedded target's",
            self.host,
            self.connections_opened.load(Ordering::Relaxed),
        )
    }

    fn insert(&self, key: &str, fields: &[Field]) -> anyhow::Result<()> {
        let body = request::put_item(&PutItemRequest {
            table_name: TABLE.to_owned(),
            item: record(key, fields),
            ..PutItemRequest::default()
        });
        self.call("PutItem", &body).context("PutItem")?;
        Ok(())
    }

    fn read(&self, key: &str) -> anyhow::Result<usize> {
        let body = request::get_item(&GetItemRequest {
            table_name: TABLE.to_owned(),
            key: key_item(key),
            ..GetItemRequest::default()
        });
        let answer = self.call("GetItem", &body).context("GetItem")?;
        match answer.get("Item") {
            None => Ok(0),
            Some(item) => {
                let item = item_from_json(item).context("GetItem's Item")?;
                Ok(item.len().saturating_sub(1))
            }
        }
    }

    fn update(&self, key: &str, field: &str, value: &[u8]) -> anyhow::Result<()> {
        let body = request::update_item(&update_request(key, field, value));
        self.call("UpdateItem", &body).context("UpdateItem")?;
        Ok(())
    }

    fn scan(&self, start_key: &str, count: usize) -> anyhow::Result<usize> {
        let body = request::scan(&scan_request(start_key, count));
        let answer = self.call("Scan", &body).context("Scan")?;
        items_from_json(&answer, "Items").context("Scan")
    }

    fn disk_bytes(&self) -> u64 {
        match &self.server {
            Some(_) => super::dir_size_bytes(&self.dir),
            None => 0,
        }
    }

    fn cache_stats(&self) -> Option<crate::results::CacheSummary> {
        let handle = self.server.as_ref()?;
        Some(super::dynacore_cache_summary(&handle.db().stats()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::embedded::Embedded;
    use super::*;

    /// A directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        #[allow(clippy::disallowed_methods)] // Test scratch space.
        fn new(tag: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "dynacore-bench-dynamodb-{tag}-{}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn record_of(tag: &str) -> Vec<Field> {
        (0..3)
            .map(|i| (format!("field{i}"), format!("{tag}-value-{i}").into_bytes()))
            .collect()
    }

    /// Every operation gives the embedded engine's answer, also from
    /// several threads at once.
    #[test]
    fn answers_match_the_embedded_target() {
        let dir = TempDir::new("match");
        let cache = CacheOptions::default;
        let embedded =
            Embedded::open(&dir.0.join("embedded"), DurabilityMode::None, cache()).unwrap();
        let dynamodb =
            DynamoDbTarget::open(&dir.0.join("dynamodb"), DurabilityMode::None, None, cache())
                .unwrap();
        let targets: [&dyn Target; 2] = [&embedded, &dynamodb];
        let answers = |target: &dyn Target| {
            let mut out = vec![
                target.read("user1").unwrap(),
                target.scan("user0", 10).unwrap(),
            ];
            for key in ["user3", "user1", "user5", "user2", "user4"] {
                target.insert(key, &record_of(key)).unwrap();
            }
            target.update("user3", "field1", b"updated").unwrap();
            // UpdateItem without a condition creates a missing item.
            target.update("user6", "field0", b"new").unwrap();
            out.extend([
                target.read("user3").unwrap(),
                target.read("user6").unwrap(),
                target.read("user0").unwrap(),
            ]);
            for (start, count) in [("user2", 2), ("user0", 100), ("user25", 10), ("user9", 3)] {
                out.push(target.scan(start, count).unwrap());
            }
            out
        };
        let expected = answers(targets[0]);
        assert_eq!(answers(targets[1]), expected);
        assert_eq!(&expected[..3], &[0, 0, 3]);
        assert_eq!(expected[3], 1, "user6 has its key and field0");

        std::thread::scope(|scope| {
            for thread in 0..3 {
                let dynamodb = &dynamodb;
                scope.spawn(move || {
                    for i in 0..50 {
                        let key = format!("user9{thread}{i:02}");
                        dynamodb.insert(&key, &record_of(&key)).unwrap();
                        dynamodb.update(&key, "field2", b"again").unwrap();
                        assert_eq!(dynamodb.read(&key).unwrap(), 3);
                    }
                });
            }
        });
        assert!(dynamodb.connections_opened.load(Ordering::Relaxed) <= 3);
        assert!(dynamodb.disk_bytes() > 0);
        let settings = dynamodb.settings();
        assert!(settings.contains("started in this process"), "{settings}");
        assert!(settings.contains("item cache 256 MiB"), "{settings}");
        let cache = dynamodb
            .cache_stats()
            .expect("an in-process server's caches");
        assert!(cache.hits + cache.misses > 0, "{cache:?}");
    }

    /// A second target on the same endpoint finds the table the first
    /// created, and engine errors arrive as DynamoDB's.
    #[test]
    fn drives_a_running_endpoint_and_reports_errors() {
        let dir = TempDir::new("running");
        let first =
            DynamoDbTarget::open(&dir.0, DurabilityMode::None, None, CacheOptions::default())
                .unwrap();
        first.insert("user1", &record_of("user1")).unwrap();
        let second = DynamoDbTarget::open(
            &dir.0.join("unused"),
            DurabilityMode::None,
            Some(&first.host),
            CacheOptions::disabled(),
        )
        .unwrap();
        assert_eq!(second.read("user1").unwrap(), 3);
        assert_eq!(second.disk_bytes(), 0);
        assert!(second.settings().contains("--dynamodb-addr"));
        assert_eq!(second.cache_stats(), None, "not this harness's server");

        let error = second
            .call(
                "GetItem",
                &serde_json::json!({"TableName": "missing", "Key": {"k": {"S": "x"}}}),
            )
            .unwrap_err();
        assert!(error.is_error_type("ResourceNotFoundException"), "{error}");
        // The error left the connection in step: the next call reuses it.
        assert_eq!(second.read("user1").unwrap(), 3);
        assert_eq!(second.connections_opened.load(Ordering::Relaxed), 1);
    }
}
