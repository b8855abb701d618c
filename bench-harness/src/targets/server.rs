//! The `server` target: dynacore over loopback through the Rust client —
//! the same table and requests as `embedded` (PutItem, GetItem, UpdateItem
//! `SET #f = :v`, Scan with a start key and Limit), each one a binary
//! protocol round trip. With `--server-addr` it drives a running server;
//! otherwise it starts one in this process on a free loopback port, with
//! its data in the target's directory.
//!
//! The client is shard-aware (each point request goes to a connection on
//! its owning core) and shared by every harness thread; each thread's
//! blocking call pipelines with the others' on the pooled connections.

use std::path::{Path, PathBuf};

use anyhow::Context;
use dynacore::{CacheOptions, CreateTableRequest, Durability, GetItemRequest, PutItemRequest};
use dynacore_server::client::{Client, ClientError, ClientOptions};
use dynacore_server::protocol::ErrorCode;
use dynacore_server::server::{Server, ServerConfig, ServerHandle};

use super::embedded::{TABLE, key_item, record, scan_request, schema, update_request};
use super::{DurabilityMode, Field, Target};
use crate::results::CacheSummary;

/// dynacore's server, driven through the client; see the module docs.
pub struct ServerTarget {
    client: Client,
    /// The server this target started, if it did (stopped on drop).
    server: Option<ServerHandle>,
    addr: String,
    dir: PathBuf,
    durability: DurabilityMode,
    connections_per_shard: usize,
}

impl std::fmt::Debug for ServerTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTarget")
            .field("addr", &self.addr)
            .finish()
    }
}

impl ServerTarget {
    /// Connects to `server_addr`, or starts a server with its files in
    /// `dir` and `cache` for its caches; creates table `usertable` if it is
    /// missing.
    pub fn open(
        dir: &Path,
        durability: DurabilityMode,
        server_addr: Option<&str>,
        threads: usize,
        cache: CacheOptions,
    ) -> anyhow::Result<Self> {
        let (server, addr) = match server_addr {
            Some(addr) => (None, addr.to_owned()),
            None => {
                let mut config = ServerConfig::new(dir.join("server"));
                config.listen = "127.0.0.1:0".parse().expect("literal address");
                config.metrics_listen = None;
                config.dynamodb_listen = None;
                config.durability = match durability {
                    DurabilityMode::Sync => Durability::Sync,
                    DurabilityMode::None => Durability::None,
                };
                config.cache = cache;
                let handle = Server::start(config).context("starting a dynacore server")?;
                let addr = handle.addr().to_string();
                (Some(handle), addr)
            }
        };
        // Enough connections that the harness's threads rarely share one.
        let connections_per_shard = threads.clamp(1, 16);
        let client = Client::connect_with(
            &addr,
            ClientOptions {
                connections_per_shard,
                client_name: "dynacore-bench".into(),
                ..ClientOptions::default()
            },
        )
        .with_context(|| format!("connecting to the dynacore server at {addr}"))?;
        match client.describe_table(TABLE) {
            Ok(_) => {}
            Err(ClientError::Server(e)) if e.code == ErrorCode::ResourceNotFound => {
                client.create_table(CreateTableRequest::pay_per_request(TABLE, &schema()))?;
            }
            Err(e) => return Err(e).context("describing usertable"),
        }
        Ok(ServerTarget {
            client,
            server,
            addr,
            dir: dir.to_path_buf(),
            durability,
            connections_per_shard,
        })
    }
}

impl Target for ServerTarget {
    fn name(&self) -> &'static str {
        "server"
    }

    fn settings(&self) -> String {
        let hello = self.client.hello();
        let routing = self.client.routing_stats();
        let started = match &self.server {
            Some(handle) => format!(
                "started in this process, network loop {}, durability {}, {}",
                handle.io_backend(),
                match self.durability {
                    DurabilityMode::Sync => "Sync (ack after fdatasync, group commit)",
                    DurabilityMode::None => "None",
                },
                super::dynacore_cache_words(handle.db().cache_options()),
            ),
            None => "a running server (--server-addr); its own settings apply".to_owned(),
        };
        format!(
            "{} at {} over loopback TCP, binary protocol v{}: {} shards, {started}; \
             client: shard-aware, {} connections per shard, {:.1} % of point requests \
             sent to their owner's core; requests as the embedded target's",
            hello.server_version,
            self.addr,
            hello.version,
            hello.shard_addresses.len(),
            self.connections_per_shard,
            routing.owner_share() * 100.0,
        )
    }

    fn insert(&self, key: &str, fields: &[Field]) -> anyhow::Result<()> {
        self.client.put_item(PutItemRequest {
            table_name: TABLE.to_owned(),
            item: record(key, fields),
            ..PutItemRequest::default()
        })?;
        Ok(())
    }

    fn read(&self, key: &str) -> anyhow::Result<usize> {
        let item = self.client.get_item(GetItemRequest {
            table_name: TABLE.to_owned(),
            key: key_item(key),
            ..GetItemRequest::default()
        })?;
        Ok(item.map_or(0, |item| item.len() - 1))
    }

    fn update(&self, key: &str, field: &str, value: &[u8]) -> anyhow::Result<()> {
        self.client.update_item(update_request(key, field, value))?;
        Ok(())
    }

    fn scan(&self, start_key: &str, count: usize) -> anyhow::Result<usize> {
        Ok(self
            .client
            .scan(scan_request(start_key, count))?
            .items
            .len())
    }

    fn disk_bytes(&self) -> u64 {
        match &self.server {
            Some(_) => super::dir_size_bytes(&self.dir),
            None => 0,
        }
    }

    fn cache_stats(&self) -> Option<CacheSummary> {
        let handle = self.server.as_ref()?;
        Some(super::dynacore_cache_summary(&handle.db().stats()))
    }
}
