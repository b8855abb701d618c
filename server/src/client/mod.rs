//! The Rust client: a pool of pipelined connections, one group per shard,
//! with shard-aware routing of point requests and blocking and async APIs
//! over the engine's own request and output types.
//!
//! [`Client::connect`] sends Hello to the main address, learns the shard
//! map and each shard's own address, and opens `connections_per_shard`
//! connections to each shard. A point request (Get/Put/Update/Delete) goes
//! to a connection on the shard owning its item ([`routing`]); everything
//! else goes to any connection, round-robin. `conn` describes the
//! connection's read side (leader/follower for blocking callers, a lazily
//! started reader thread for async ones).
//!
//! `Client` is a cheap handle (an `Arc`); clone it across threads. A
//! connection that fails is replaced on next use; requests in flight on
//! it fail with the error.

pub mod conn;
mod ops;
pub mod routing;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::protocol::{ErrorCode, ErrorReply, Hello, HelloReply, Request, Response, VERSION};

pub use conn::{Conn, ReplyFuture};
use routing::Router;
pub use routing::RoutingStats;

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("I/O error: {0}")]
    Io(std::io::Error),
    /// A frame or body from the server did not decode, or a reply did not
    /// fit its request.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The server answered with an error.
    #[error("{0}")]
    Server(ErrorReply),
    /// The server closed the connection.
    #[error("the server closed the connection")]
    Closed,
    #[error("the request timed out")]
    Timeout,
}

// Not `#[from]`: that would also make the I/O error the source, and
// `{:#}` would print its text twice.
impl From<std::io::Error> for ClientError {
    fn from(error: std::io::Error) -> Self {
        ClientError::Io(error)
    }
}

impl ClientError {
    /// The server's error code, for [`ClientError::Server`].
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Server(reply) => Some(reply.code),
            _ => None,
        }
    }

    /// A copy, for failing every request in flight with one error.
    pub(crate) fn duplicate(&self) -> ClientError {
        match self {
            ClientError::Io(e) => ClientError::Io(std::io::Error::new(e.kind(), e.to_string())),
            ClientError::Protocol(text) => ClientError::Protocol(text.clone()),
            ClientError::Server(reply) => ClientError::Server(reply.clone()),
            ClientError::Closed => ClientError::Closed,
            ClientError::Timeout => ClientError::Timeout,
        }
    }
}

/// How a [`Client`] connects.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Connections to each shard (default 2).
    pub connections_per_shard: usize,
    pub connect_timeout: Duration,
    /// How long a call waits for its reply (default 30 s).
    pub request_timeout: Duration,
    /// Route point requests to their owning shard's address (default on);
    /// off, every connection goes to the main address.
    pub shard_aware: bool,
    /// Sent in Hello, for the server's logs.
    pub client_name: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connections_per_shard: 2,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            shard_aware: true,
            client_name: format!("dynacore-client {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// One pool entry: a shard's address and its connection, replaced when
/// broken.
#[derive(Debug)]
struct PoolSlot {
    addr: String,
    conn: Mutex<Option<Arc<Conn>>>,
}

#[derive(Debug)]
struct Inner {
    options: ClientOptions,
    hello: HelloReply,
    router: Router,
    /// By shard; `connections_per_shard` each.
    pool: Vec<Vec<PoolSlot>>,
    next: AtomicUsize,
}

/// A handle to a dynacore server.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

fn hello_request(options: &ClientOptions) -> Request {
    Request::Hello(Hello {
        min_version: crate::protocol::MIN_VERSION,
        max_version: VERSION,
        client_name: options.client_name.clone(),
    })
}

/// Opens a connection and says Hello on it.
fn open_conn(addr: &str, options: &ClientOptions) -> Result<(Conn, HelloReply), ClientError> {
    let mut conn = Conn::open(addr, options.connect_timeout, options.request_timeout)?;
    match conn.call(&hello_request(options))? {
        Response::Hello(reply) => {
            conn.served_by = reply.this_shard;
            Ok((conn, reply))
        }
        other => Err(ClientError::Protocol(format!(
            "Hello answered with {other:?}"
        ))),
    }
}

impl Client {
    /// Connects with the default options.
    pub fn connect(addr: &str) -> Result<Client, ClientError> {
        Client::connect_with(addr, ClientOptions::default())
    }

    /// Says Hello to `addr`, then opens the pool.
    pub fn connect_with(addr: &str, options: ClientOptions) -> Result<Client, ClientError> {
        let (first, hello) = open_conn(addr, &options)?;
        let per_shard = options.connections_per_shard.max(1);
        let shard_count = hello.shard_addresses.len().max(1);
        let mut first = Some(Arc::new(first));
        let mut pool = Vec::with_capacity(shard_count);
        for shard in 0..shard_count {
            let shard_addr = match hello.shard_addresses.get(shard) {
                Some(a) if options.shard_aware => a.clone(),
                _ => addr.to_owned(),
            };
            let mut slots = Vec::with_capacity(per_shard);
            for _ in 0..per_shard {
                let conn = match &first {
                    // Reuse the Hello connection where it belongs.
                    Some(c) if c.served_by as usize == shard || !options.shard_aware => {
                        first.take()
                    }
                    _ => Some(Arc::new(open_conn(&shard_addr, &options)?.0)),
                };
                slots.push(PoolSlot {
                    addr: shard_addr.clone(),
                    conn: Mutex::new(conn),
                });
            }
            pool.push(slots);
        }
        let router = Router::new(if options.shard_aware {
            hello.virtual_partitions.clone()
        } else {
            Vec::new()
        });
        Ok(Client {
            inner: Arc::new(Inner {
                options,
                hello,
                router,
                pool,
                next: AtomicUsize::new(0),
            }),
        })
    }

    /// The server's Hello reply (version, shard map, addresses).
    pub fn hello(&self) -> &HelloReply {
        &self.inner.hello
    }

    /// Point requests sent to their owning shard, and not.
    pub fn routing_stats(&self) -> RoutingStats {
        self.inner.router.stats()
    }

    /// The connection of a pool slot, reconnecting a broken one.
    fn slot_conn(&self, slot: &PoolSlot) -> Result<Arc<Conn>, ClientError> {
        let mut guard = slot.conn.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(conn) = guard.as_ref()
            && !conn.is_broken()
        {
            return Ok(Arc::clone(conn));
        }
        *guard = None;
        let (conn, _) = open_conn(&slot.addr, &self.inner.options)?;
        let conn = Arc::new(conn);
        *guard = Some(Arc::clone(&conn));
        Ok(conn)
    }

    /// A connection on `shard` (round-robin among its slots), or any.
    fn pick(&self, shard: Option<u16>) -> Result<Arc<Conn>, ClientError> {
        let n = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let pool = &self.inner.pool;
        let slots = match shard {
            Some(s) if (s as usize) < pool.len() => &pool[s as usize],
            _ => {
                let per = pool[0].len();
                &pool[(n / per) % pool.len()]
            }
        };
        self.slot_conn(&slots[n % slots.len()])
    }

    /// The owning shard of a point request, if the table's route is cached.
    fn owner_cached(&self, request: &Request) -> Option<u16> {
        let (table, key) = routing::point_key(request)?;
        let route = self.inner.router.cached(table)?;
        routing::owner_of(&self.inner.router.virtual_partitions, &route, key)
    }

    fn route_needed(&self, request: &Request) -> Option<String> {
        let (table, _) = routing::point_key(request)?;
        if self.inner.router.virtual_partitions.is_empty()
            || self.inner.router.cached(table).is_some()
        {
            return None;
        }
        Some(table.to_owned())
    }

    /// Counts the routing outcome and picks the connection.
    fn conn_for(&self, request: &Request) -> Result<Arc<Conn>, ClientError> {
        let owner = self.owner_cached(request);
        let conn = self.pick(owner)?;
        if routing::point_key(request).is_some() {
            let to_owner = owner.is_some_and(|o| o == conn.served_by);
            self.inner.router.count(to_owner);
        }
        Ok(conn)
    }

    /// Keeps the table cache right after a reply.
    fn observe(&self, request: &Request, result: &Result<Response, ClientError>) {
        let router = &self.inner.router;
        match (request, result) {
            (Request::CreateTable(r), _) => router.forget(&r.table_name),
            (Request::DeleteTable { table_name }, _) => router.forget(table_name),
            (Request::DescribeTable { .. }, Ok(Response::DescribeTable { table, .. })) => {
                router.remember(table)
            }
            (_, Err(e)) if e.code() == Some(ErrorCode::ResourceNotFound) => {
                if let Some((table, _)) = routing::point_key(request) {
                    router.forget(table);
                }
                if let Request::DescribeTable { table_name, .. } = request {
                    router.forget(table_name);
                }
            }
            _ => {}
        }
    }

    fn describe_request(table: String) -> Request {
        Request::DescribeTable {
            table_name: table,
            with_stats: false,
        }
    }

    /// Sends any request and waits for its reply.
    pub fn call(&self, request: Request) -> Result<Response, ClientError> {
        if let Some(table) = self.route_needed(&request) {
            let describe = Client::describe_request(table);
            let result = self.pick(None)?.call(&describe);
            self.observe(&describe, &result);
        }
        let conn = self.conn_for(&request)?;
        let result = conn.call(&request);
        self.observe(&request, &result);
        result
    }

    /// Sends any request; the reply arrives through the returned future
    /// (runtime-agnostic).
    pub async fn call_async(&self, request: Request) -> Result<Response, ClientError> {
        if let Some(table) = self.route_needed(&request) {
            let describe = Client::describe_request(table);
            let result = self.pick(None)?.call_async(&describe).await;
            self.observe(&describe, &result);
        }
        let conn = self.conn_for(&request)?;
        let result = conn.call_async(&request).await;
        self.observe(&request, &result);
        result
    }
}
