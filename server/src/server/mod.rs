//! The server: one network core per shard, each with its own event loop
//! (`core.rs`), listeners and connections; a metrics thread; the signal
//! handling of `dynacore serve`. `docs/server.md` describes the design.
//!
//! [`Server::start`] is the in-process API (tests and the bench harness
//! use it); [`run`] is `dynacore serve`.

pub mod config;
pub mod conn;
mod core;
mod inbox;
pub mod poll;
mod sockets;

pub use config::ServerConfig;

use std::net::{SocketAddr, TcpListener};
use std::os::fd::FromRawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use crossbeam_queue::SegQueue;
use dynacore::Db;

use crate::metrics::{CoreMetrics, render_prometheus};
use crate::protocol::{ErrorCode, ErrorReply, Response};
use conn::Protocol;
use core::{Core, Message, StatsJob};
use poll::Waker;

/// One core's mailbox: other cores (and the metrics thread) push, the
/// core pops; the waker interrupts its poller.
pub(crate) struct CoreLink {
    inbox: SegQueue<Message>,
    waker: Waker,
}

/// What every core shares (read-only after start, but for the counters).
pub(crate) struct Shared {
    cores: Vec<CoreLink>,
    db: Db,
    config: ServerConfig,
    virtual_partitions: Vec<u16>,
    shard_addresses: Vec<String>,
    stopping: AtomicBool,
    /// Cores that finished draining during shutdown.
    drained: AtomicUsize,
    /// Open connections, over every core (checked at accept only).
    connections: AtomicUsize,
    /// The DynamoDB API's table tags.
    tags: crate::dynamodb::control::Tags,
    /// The DynamoDB API's request size limits.
    http_limits: crate::http::Limits,
    /// The DynamoDB API's signature check (`--auth`); `None` accepts any.
    authenticate: Option<Box<crate::dynamodb::service::Authenticate>>,
    /// Mixed into DynamoDB request ids so that runs differ.
    request_id_seed: u64,
}

/// A running server; see [`Server::start`]. Dropping it shuts it down.
pub struct ServerHandle {
    shared: Arc<Shared>,
    cores: Vec<JoinHandle<()>>,
    stats: Option<(mpsc::Sender<StatsJob>, JoinHandle<()>)>,
    http: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
    addr: SocketAddr,
    shard_addrs: Vec<SocketAddr>,
    metrics_addr: Option<SocketAddr>,
    dynamodb_addr: Option<SocketAddr>,
    io_backend: &'static str,
    io_fallback: Option<String>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("shard_addrs", &self.shard_addrs)
            .field("metrics_addr", &self.metrics_addr)
            .field("io_backend", &self.io_backend)
            .finish()
    }
}

/// Starts servers.
#[derive(Debug)]
pub struct Server;

/// A listening socket with SO_REUSEADDR and, for the shared address,
/// SO_REUSEPORT (every core binds the same port; the kernel spreads
/// connections over them). Non-blocking.
fn bind(addr: SocketAddr, reuse_port: bool) -> std::io::Result<TcpListener> {
    let domain = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: plain socket calls on a descriptor this function owns until
    // it is wrapped; every pointer passed points at a live local value of
    // the size given.
    unsafe {
        let fd = libc::socket(
            domain,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        );
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let listener = TcpListener::from_raw_fd(fd);
        let one: libc::c_int = 1;
        let set = |option| {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                option,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if set(libc::SO_REUSEADDR) != 0 || (reuse_port && set(libc::SO_REUSEPORT) != 0) {
            return Err(std::io::Error::last_os_error());
        }
        let (storage, len) = socket_addr(addr);
        if libc::bind(fd, (&storage as *const libc::sockaddr_storage).cast(), len) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if libc::listen(fd, 1024) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(listener)
    }
}

fn socket_addr(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data, large enough for either
    // family; zeroed is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_in fits in sockaddr_storage.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: sockaddr_in6 fits in sockaddr_storage.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

/// Fails if another process already listens on `addr`. The shared
/// addresses are bound with SO_REUSEPORT, which would otherwise let a second
/// server join the first one's port silently and split its clients between
/// two databases (found by an independent review). A socket bound without
/// SO_REUSEPORT cannot join a reuseport group, so it tells. Port 0 is a
/// fresh port: nothing to check.
fn check_free(addr: SocketAddr, what: &str) -> anyhow::Result<()> {
    if addr.port() == 0 {
        return Ok(());
    }
    TcpListener::bind(addr)
        .map(drop)
        .with_context(|| format!("{what}: {addr} is in use (another server?)"))
}

/// Asks every core for its metrics and renders them with the engine's.
fn gather(shared: &Shared) -> String {
    let mut snapshots: Vec<CoreMetrics> = Vec::with_capacity(shared.cores.len());
    for link in &shared.cores {
        let (tx, rx) = mpsc::channel();
        link.inbox.push(Message::Snapshot(tx));
        link.waker.wake();
        if let Ok(snapshot) = rx.recv_timeout(Duration::from_secs(2)) {
            snapshots.push(snapshot);
        }
    }
    let stats = shared.db.stats();
    let tables = shared.db.cache_stats_by_table(&stats);
    render_prometheus(&snapshots, &stats, &tables)
}

/// The metrics thread: answers Stats requests, so that cores never wait
/// for each other.
fn serve_stats(shared: Arc<Shared>, jobs: mpsc::Receiver<StatsJob>) {
    while let Ok(job) = jobs.recv() {
        // While stopping, cores exit and would each cost `gather` its
        // timeout: refuse instead, so shutdown never waits on Stats.
        let stopping = shared.stopping.load(Ordering::Acquire);
        let (is_error, body) = if stopping {
            let reply = ErrorReply::new(ErrorCode::ShuttingDown, "the server is stopping");
            (true, reply.to_body())
        } else {
            (false, Response::Stats(gather(&shared)).to_body())
        };
        let mut frame = job
            .header
            .reply(is_error, body.len() as u32)
            .encode()
            .to_vec();
        frame.extend_from_slice(&body);
        let link = &shared.cores[job.origin];
        link.inbox.push(Message::Reply {
            conn: job.conn,
            frame,
            opcode: crate::protocol::Opcode::Stats,
            started: job.started,
            error: stopping.then_some(ErrorCode::ShuttingDown),
            forwarded: false,
        });
        link.waker.wake();
    }
}

impl Server {
    /// Opens the database in `config.data` and starts serving it.
    pub fn start(config: ServerConfig) -> anyhow::Result<ServerHandle> {
        let db = Db::builder(&config.data)
            .shard_count(config.shards)
            .durability(config.durability)
            .cache(config.cache.clone())
            .open()
            .with_context(|| format!("opening the database in {}", config.data.display()))?;
        Self::start_with(config, db)
    }

    /// Serves an already open database (`config.data`, `config.shards` and
    /// `config.cache` are then only reported, but for the DynamoDB API's
    /// tags file, `dynamodb-tags.json`, kept in `config.data`).
    pub fn start_with(mut config: ServerConfig, db: Db) -> anyhow::Result<ServerHandle> {
        let cores = db.shard_count();
        config.shards = cores;
        config.cache = db.cache_options().clone();
        // Listeners: the shared address on every core, then each core's own.
        check_free(config.listen, "listening")?;
        if let Some(addr) = config.dynamodb_listen {
            check_free(addr, "the DynamoDB API")?;
        }
        let mut shared_listeners = Vec::with_capacity(cores);
        let mut main_addr = config.listen;
        for _ in 0..cores {
            let listener =
                bind(main_addr, true).with_context(|| format!("listening on {main_addr}"))?;
            main_addr = listener.local_addr()?;
            shared_listeners.push(listener);
        }
        // The DynamoDB API: one more shared address, on every core.
        let mut dynamodb_listeners = Vec::with_capacity(cores);
        let mut dynamodb_addr = config.dynamodb_listen;
        if let Some(mut addr) = config.dynamodb_listen {
            for _ in 0..cores {
                let listener = bind(addr, true)
                    .with_context(|| format!("listening on {addr} (DynamoDB API)"))?;
                addr = listener.local_addr()?;
                dynamodb_listeners.push(Some(listener));
            }
            dynamodb_addr = Some(addr);
        } else {
            dynamodb_listeners.resize_with(cores, || None);
        }
        // The DynamoDB API's table tags live beside the database.
        let tags_file = config.data.join("dynamodb-tags.json");
        let tags = crate::dynamodb::control::Tags::open(Some(tags_file))?;
        let authenticate = match &config.auth {
            None => None,
            Some(path) => Some(crate::dynamodb::auth::from_file(path)?),
        };
        let mut own_listeners = Vec::with_capacity(cores);
        let mut shard_addrs = Vec::with_capacity(cores);
        for index in 0..cores {
            let port = match config.shard_port_base {
                0 => 0,
                base => base
                    .checked_add(index as u16)
                    .context("shard_port_base + shards is past port 65535")?,
            };
            let addr = SocketAddr::new(config.listen.ip(), port);
            let listener = bind(addr, false)
                .with_context(|| format!("listening on {addr} (shard {index})"))?;
            shard_addrs.push(listener.local_addr()?);
            own_listeners.push(listener);
        }
        // Pollers are opened here so that every core's waker exists before
        // any core runs.
        let mut pollers = Vec::with_capacity(cores);
        let mut io_fallback = None;
        for _ in 0..cores {
            let (poller, fallback) = poll::open(config.io).context("opening the event loop")?;
            io_fallback = io_fallback.or(fallback);
            pollers.push(poller);
        }
        let io_backend = pollers[0].backend();
        let links = pollers
            .iter()
            .map(|p| CoreLink {
                inbox: SegQueue::new(),
                waker: p.waker(),
            })
            .collect();
        let metrics_listen = config.metrics_listen;
        let shared = Arc::new(Shared {
            cores: links,
            virtual_partitions: db.virtual_partition_owners().iter().map(|s| s.0).collect(),
            shard_addresses: shard_addrs.iter().map(|a| a.to_string()).collect(),
            db,
            config,
            stopping: AtomicBool::new(false),
            drained: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            tags,
            http_limits: crate::http::Limits::default(),
            authenticate,
            request_id_seed: sockets::random_seed(),
        });
        let (stats_tx, stats_rx) = mpsc::channel();
        let stats_thread = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("dynacore-stats".into())
                .spawn(move || serve_stats(shared, stats_rx))?
        };
        let cpus = dynacore::shard::allowed_cpus();
        let mut threads = Vec::with_capacity(cores);
        let listener_sets = shared_listeners
            .into_iter()
            .zip(own_listeners)
            .zip(dynamodb_listeners);
        for (index, (poller, ((main, own), dynamodb))) in
            pollers.into_iter().zip(listener_sets).enumerate()
        {
            let mut listeners = vec![(main, Protocol::Binary), (own, Protocol::Binary)];
            if let Some(listener) = dynamodb {
                listeners.push((listener, Protocol::DynamoDb));
            }
            let core = Core::new(index, shared.clone(), poller, listeners, stats_tx.clone())?;
            let cpu = (!cpus.is_empty()).then(|| cpus[index % cpus.len()]);
            threads.push(
                std::thread::Builder::new()
                    .name(format!("dynacore-net-{index}"))
                    .spawn(move || {
                        if let Some(cpu) = cpu {
                            dynacore::shard::pin_current_thread(cpu);
                        }
                        core.run();
                    })?,
            );
        }
        let (http, metrics_addr) = match metrics_listen {
            None => (None, None),
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .with_context(|| format!("metrics listener on {addr}"))?;
                let bound = listener.local_addr()?;
                let stop = Arc::new(AtomicBool::new(false));
                let scraped = shared.clone();
                let scrape: Arc<dyn Fn() -> String + Send + Sync> =
                    Arc::new(move || gather(&scraped));
                let thread = crate::metrics::spawn_http(listener, scrape, stop.clone())?;
                (Some((stop, thread)), Some(bound))
            }
        };
        Ok(ServerHandle {
            shared,
            cores: threads,
            stats: Some((stats_tx, stats_thread)),
            http,
            addr: main_addr,
            shard_addrs,
            metrics_addr,
            dynamodb_addr,
            io_backend,
            io_fallback,
        })
    }
}

impl ServerHandle {
    /// The shared address (any core).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Each core's own address, by shard.
    pub fn shard_addrs(&self) -> &[SocketAddr] {
        &self.shard_addrs
    }

    /// The `/metrics` address, if serving it.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The DynamoDB JSON API's address, if serving it.
    pub fn dynamodb_addr(&self) -> Option<SocketAddr> {
        self.dynamodb_addr
    }

    /// The network event loop's backend: `io_uring` or `epoll`.
    pub fn io_backend(&self) -> &'static str {
        self.io_backend
    }

    /// Why io_uring was not used, if it was asked for (auto) and refused.
    pub fn io_fallback(&self) -> Option<&str> {
        self.io_fallback.as_deref()
    }

    /// The database served (for tests and embedding).
    pub fn db(&self) -> &Db {
        &self.shared.db
    }

    /// Metrics, rendered as `/metrics` serves them.
    pub fn metrics_text(&self) -> String {
        gather(&self.shared)
    }

    /// Stops accepting, answers what is in flight (up to the drain
    /// timeout), closes every connection, and syncs the database.
    pub fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> anyhow::Result<()> {
        self.shared.stopping.store(true, Ordering::Release);
        for link in &self.shared.cores {
            link.waker.wake();
        }
        for thread in self.cores.drain(..) {
            let _ = thread.join();
        }
        if let Some((stop, thread)) = self.http.take() {
            stop.store(true, Ordering::Release);
            let _ = thread.join();
        }
        if let Some((sender, thread)) = self.stats.take() {
            drop(sender);
            let _ = thread.join();
        }
        self.shared
            .db
            .sync()
            .context("syncing the database at shutdown")?;
        Ok(())
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if !self.cores.is_empty() {
            let _ = self.stop();
        }
    }
}

/// `dynacore serve`'s flags; each overrides the config file's key of the
/// same name.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The database directory.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The binary protocol's address (every core accepts on it).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Shards (one network core each); default: the CPUs this process may use.
    #[arg(long)]
    pub shards: Option<usize>,
    /// sync (ack after fdatasync), interval (fsync every --interval-ms) or none.
    #[arg(long)]
    pub durability: Option<String>,
    /// The sync interval of --durability interval, in ms.
    #[arg(long)]
    pub interval_ms: Option<u64>,
    /// The network event loop: auto, io-uring or portable (epoll).
    #[arg(long)]
    pub io: Option<String>,
    /// The HTTP /metrics address, or `off`.
    #[arg(long)]
    pub metrics_listen: Option<String>,
    /// The DynamoDB JSON API's HTTP address (every core accepts on it), or
    /// `off`; default 127.0.0.1:8000.
    #[arg(long)]
    pub dynamodb_listen: Option<String>,
    /// Verify SigV4 signatures against this file of `ACCESS_KEY SECRET`
    /// lines (default: accept any credentials, as DynamoDB Local does).
    #[arg(long)]
    pub auth: Option<PathBuf>,
    /// Run every request on the core that read it (no forwarding to owners).
    #[arg(long)]
    pub no_forward: bool,
    /// The item cache's budget in bytes, over all shards (0: off; default
    /// 268435456, 256 MiB).
    #[arg(long)]
    pub item_cache_bytes: Option<usize>,
    /// The query cache's budget in bytes, over all shards (0: off; default
    /// 33554432, 32 MiB).
    #[arg(long)]
    pub query_cache_bytes: Option<usize>,
    /// The caches' eviction policy: lru or s3fifo (default).
    #[arg(long)]
    pub cache_policy: Option<String>,
    /// Which missed items the item cache admits: always, or second-miss
    /// (default: only a key missed before since the admission filter last
    /// reset; `docs/cache.md`, "Admission").
    #[arg(long)]
    pub cache_admission: Option<String>,
    /// How long an item cache entry may serve reads after it was filled, in
    /// ms (0: no expiry; default 300000).
    #[arg(long)]
    pub item_cache_ttl_ms: Option<u64>,
    /// How long a cached Query or Scan page may be served, in ms (0: no
    /// expiry; default 300000).
    #[arg(long)]
    pub query_cache_ttl_ms: Option<u64>,
    /// A config file of `key = value` lines (see README).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

fn config_from(args: &ServeArgs) -> anyhow::Result<ServerConfig> {
    let mut config = ServerConfig::new("dynacore-data");
    if let Some(path) = &args.config {
        config.apply_file(path)?;
    }
    if let Some(data) = &args.data {
        config.data = data.clone();
    }
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(shards) = args.shards {
        config.set("shards", &shards.to_string())?;
    }
    if let Some(ms) = args.interval_ms {
        config.set("interval_ms", &ms.to_string())?;
    }
    if let Some(durability) = &args.durability {
        config.set("durability", durability)?;
    }
    if let Some(io) = &args.io {
        config.set("io", io)?;
    }
    if let Some(metrics) = &args.metrics_listen {
        config.set("metrics_listen", metrics)?;
    }
    if let Some(dynamodb) = &args.dynamodb_listen {
        config.set("dynamodb_listen", dynamodb)?;
    }
    if let Some(auth) = &args.auth {
        config.auth = Some(auth.clone());
    }
    if args.no_forward {
        config.forward = false;
    }
    // Through `set`, so that a flag and its config-file key are checked alike.
    let numbers = [
        ("item_cache_bytes", args.item_cache_bytes.map(|n| n as u64)),
        (
            "query_cache_bytes",
            args.query_cache_bytes.map(|n| n as u64),
        ),
        ("item_cache_ttl_ms", args.item_cache_ttl_ms),
        ("query_cache_ttl_ms", args.query_cache_ttl_ms),
    ];
    for (key, value) in numbers {
        if let Some(value) = value {
            config.set(key, &value.to_string())?;
        }
    }
    if let Some(policy) = &args.cache_policy {
        config.set("cache_policy", policy)?;
    }
    if let Some(admission) = &args.cache_admission {
        config.set("cache_admission", admission)?;
    }
    Ok(config)
}

/// The cache settings in words, for the startup log.
fn cache_words(cache: &dynacore::CacheOptions) -> String {
    let ttl = |ttl: Option<Duration>| match ttl {
        Some(ttl) => format!("{} ms", ttl.as_millis()),
        None => "none".to_owned(),
    };
    format!(
        "item cache {} bytes, query cache {} bytes (over all shards), policy {:?}, \
         TTLs: items {}, query pages {}",
        cache.item_cache_bytes,
        cache.query_cache_bytes,
        cache.policy,
        ttl(cache.item_ttl),
        ttl(cache.query_ttl),
    )
}

/// Blocks SIGINT and SIGTERM in this thread and every thread it starts,
/// so that [`wait_for_signal`] takes them.
fn block_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data initialised by sigemptyset; the calls
    // only read and write the local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

fn wait_for_signal(set: &libc::sigset_t) -> i32 {
    let mut signal = 0;
    // SAFETY: `set` is initialised; sigwait writes the signal number.
    loop {
        let rc = unsafe { libc::sigwait(set, &mut signal) };
        if rc == 0 {
            return signal;
        }
    }
}

/// Runs the server until SIGINT or SIGTERM, then shuts down gracefully.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = config_from(&args)?;
    let signals = block_signals();
    let data = config.data.clone();
    let shards = config.shards;
    let durability = config.durability;
    let cache = cache_words(&config.cache);
    let handle = Server::start(config)?;
    let engine_io = handle.db().stats().io_backend;
    eprintln!("dynacore {} serving", env!("CARGO_PKG_VERSION"));
    eprintln!("  data directory: {}", data.display());
    eprintln!("  shards: {shards}, durability: {durability:?}");
    eprintln!("  caches: {cache}");
    eprintln!("  storage I/O backend: {engine_io}");
    match handle.io_fallback() {
        Some(why) => eprintln!(
            "  network event loop: {} (io_uring refused: {why})",
            handle.io_backend()
        ),
        None => eprintln!("  network event loop: {}", handle.io_backend()),
    }
    eprintln!("  listening on {} (every core)", handle.addr());
    for (shard, addr) in handle.shard_addrs().iter().enumerate() {
        eprintln!("  shard {shard} listening on {addr}");
    }
    match handle.dynamodb_addr() {
        Some(addr) => eprintln!("  DynamoDB API: http://{addr}"),
        None => eprintln!("  DynamoDB API: off"),
    }
    match handle.metrics_addr() {
        Some(addr) => eprintln!("  metrics: http://{addr}/metrics"),
        None => eprintln!("  metrics: off"),
    }
    let signal = wait_for_signal(&signals);
    eprintln!("dynacore: signal {signal}: stopping (draining in-flight requests)");
    handle.shutdown()?;
    eprintln!("dynacore: stopped; database synced");
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use dynacore::{CacheOptions, CachePolicy};

    use super::*;

    #[derive(Debug, Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }

    fn config(argv: &[&str]) -> anyhow::Result<ServerConfig> {
        let mut full = vec!["serve"];
        full.extend_from_slice(argv);
        config_from(&Serve::try_parse_from(full)?.args)
    }

    #[test]
    fn cache_flags_reach_the_config() {
        assert_eq!(config(&[]).unwrap().cache, CacheOptions::default());
        let cache = config(&[
            "--item-cache-bytes",
            "1000000",
            "--query-cache-bytes",
            "0",
            "--cache-policy",
            "lru",
            "--cache-admission",
            "always",
            "--item-cache-ttl-ms",
            "0",
            "--query-cache-ttl-ms",
            "2500",
        ])
        .unwrap()
        .cache;
        assert_eq!(
            cache,
            CacheOptions {
                item_cache_bytes: 1_000_000,
                query_cache_bytes: 0,
                policy: CachePolicy::Lru,
                admission: dynacore::CacheAdmission::Always,
                item_ttl: None,
                query_ttl: Some(Duration::from_millis(2500)),
            }
        );
        let error = format!("{:#}", config(&["--cache-policy", "arc"]).unwrap_err());
        assert!(error.contains("expected lru or s3fifo"), "{error}");
        assert!(config(&["--item-cache-bytes", "lots"]).is_err());
        assert!(config(&["--query-cache-ttl-ms", "-5"]).is_err());
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // A real config file for the real parser.
    fn cache_flags_override_the_config_file() {
        let dir = std::env::temp_dir().join(format!("dynacore-serve-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("server.conf");
        std::fs::write(&path, "item_cache_bytes = 4096\ncache_policy = lru\n").unwrap();
        let file = path.to_str().unwrap();
        let from_file = config(&["--config", file]).unwrap().cache;
        assert_eq!(
            (from_file.item_cache_bytes, from_file.policy),
            (4096, CachePolicy::Lru)
        );
        let overridden = config(&["--config", file, "--item-cache-bytes", "8192"])
            .unwrap()
            .cache;
        assert_eq!(overridden.item_cache_bytes, 8192);
        assert_eq!(overridden.policy, CachePolicy::Lru);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_server_opens_its_database_with_the_configured_caches() {
        let dir = std::env::temp_dir().join(format!("dynacore-serve-cache-{}", std::process::id()));
        let mut config = ServerConfig::new(&dir);
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.metrics_listen = None;
        config.dynamodb_listen = None;
        config.shards = 1;
        config.durability = dynacore::Durability::None;
        config.cache = CacheOptions {
            item_cache_bytes: 1 << 20,
            query_cache_bytes: 0,
            policy: CachePolicy::Lru,
            admission: dynacore::CacheAdmission::Always,
            item_ttl: None,
            query_ttl: None,
        };
        let handle = Server::start(config.clone()).unwrap();
        assert_eq!(handle.db().cache_options(), &config.cache);
        let stats = handle.db().stats();
        assert_eq!(stats.shards[0].cache.item_budget_bytes, 1 << 20);
        assert_eq!(stats.shards[0].cache.query_budget_bytes, 0);
        handle.shutdown().unwrap();
        #[allow(clippy::disallowed_methods)] // Test scratch space.
        let _ = std::fs::remove_dir_all(&dir);
    }
}
