//! The server's settings: every limit and timeout, with defaults, read from
//! a `key = value` config file and overridden by `dynacore serve`'s flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use dynacore::{CacheAdmission, CacheOptions, CachePolicy, Durability};

use super::poll::IoChoice;
use crate::protocol::DEFAULT_MAX_BODY_BYTES;

/// Everything `Server::start` needs; see each field for its config key.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `data`: the database directory.
    pub data: PathBuf,
    /// `listen`: the main address; every core accepts on it (SO_REUSEPORT).
    pub listen: SocketAddr,
    /// `shards`: shards, and so network cores (default: the CPUs allowed).
    pub shards: usize,
    /// `durability`: `sync` | `interval` | `none`; `interval_ms` for interval.
    pub durability: Durability,
    /// `io`: `auto` | `io-uring` | `portable` — the network event loop.
    pub io: IoChoice,
    /// `metrics_listen`: the HTTP `/metrics` address, or `off`.
    pub metrics_listen: Option<SocketAddr>,
    /// `dynamodb_listen`: the DynamoDB JSON API's HTTP address (every core
    /// accepts on it), or `off`.
    pub dynamodb_listen: Option<SocketAddr>,
    /// `auth`: a file of access key / secret pairs; when set, the DynamoDB
    /// API verifies SigV4 signatures against it (else any are accepted).
    pub auth: Option<PathBuf>,
    /// `shard_port_base`: core i's own port is base + i (0: any free port).
    pub shard_port_base: u16,
    /// `forward`: send a point request to its owner's core (default true);
    /// false runs it on the core that read it.
    pub forward: bool,
    /// `max_connections`: in all, over every core.
    pub max_connections: usize,
    /// `max_in_flight`: requests one connection may have executing before
    /// the server stops reading it.
    pub max_in_flight: usize,
    /// `max_body_bytes`: the largest request body accepted.
    pub max_body_bytes: u32,
    /// `max_out_buffer_bytes`: unsent reply bytes of one connection before
    /// the server stops reading it.
    pub max_out_buffer_bytes: usize,
    /// `idle_timeout_ms`: a connection with no traffic and nothing in
    /// flight for this long is closed.
    pub idle_timeout: Duration,
    /// `read_timeout_ms`: a frame started but not finished this long.
    pub read_timeout: Duration,
    /// `write_timeout_ms`: replies waiting this long without any progress.
    pub write_timeout: Duration,
    /// `drain_timeout_ms`: how long shutdown waits for in-flight requests.
    pub drain_timeout: Duration,
    /// The engine's item and query caches: `item_cache_bytes` and
    /// `query_cache_bytes` (whole-database budgets, split evenly over the
    /// shards; 0 turns a cache off), `cache_policy` (`lru` | `s3fifo`),
    /// `cache_admission` (`always` | `second-miss`),
    /// `item_cache_ttl_ms` and `query_cache_ttl_ms` (0: no expiry).
    /// Default: [`CacheOptions::default`].
    pub cache: CacheOptions,
}

impl ServerConfig {
    /// Defaults, with the database in `data`.
    pub fn new(data: impl Into<PathBuf>) -> Self {
        ServerConfig {
            data: data.into(),
            listen: "127.0.0.1:7700".parse().expect("literal address"),
            shards: dynacore::shard::allowed_cpus().len().max(1),
            durability: Durability::Sync,
            io: IoChoice::Auto,
            metrics_listen: Some("127.0.0.1:7780".parse().expect("literal address")),
            dynamodb_listen: Some("127.0.0.1:8000".parse().expect("literal address")),
            auth: None,
            shard_port_base: 0,
            forward: true,
            max_connections: 4096,
            max_in_flight: 128,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_out_buffer_bytes: 8 * 1024 * 1024,
            idle_timeout: Duration::from_secs(300),
            read_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(10),
            cache: CacheOptions::default(),
        }
    }

    /// Applies one `key = value` setting.
    pub fn set(&mut self, key: &str, value: &str) -> anyhow::Result<()> {
        let ms = |v: &str| -> anyhow::Result<Duration> {
            Ok(Duration::from_millis(
                v.parse().context("expected milliseconds")?,
            ))
        };
        match key {
            "data" => self.data = PathBuf::from(value),
            "listen" => self.listen = parse_addr(value)?,
            "shards" => {
                self.shards = value.parse().context("expected a number of shards")?;
                if self.shards == 0 {
                    bail!("shards must be at least 1");
                }
            }
            "durability" => self.durability = parse_durability(value, self.durability)?,
            "interval_ms" => self.durability = Durability::Interval(ms(value)?),
            "io" => self.io = parse_io(value)?,
            "metrics_listen" => {
                self.metrics_listen = match value {
                    "off" | "none" => None,
                    addr => Some(parse_addr(addr)?),
                }
            }
            "dynamodb_listen" => {
                self.dynamodb_listen = match value {
                    "off" | "none" => None,
                    addr => Some(parse_addr(addr)?),
                }
            }
            "auth" => self.auth = Some(PathBuf::from(value)),
            "shard_port_base" => self.shard_port_base = value.parse().context("expected a port")?,
            "forward" => self.forward = parse_bool(value)?,
            "max_connections" => self.max_connections = positive(value)?,
            "max_in_flight" => self.max_in_flight = positive(value)?,
            "max_body_bytes" => {
                self.max_body_bytes = value.parse().context("expected bytes (at most 4 GiB)")?
            }
            "max_out_buffer_bytes" => self.max_out_buffer_bytes = positive(value)?,
            "idle_timeout_ms" => self.idle_timeout = ms(value)?,
            "read_timeout_ms" => self.read_timeout = ms(value)?,
            "write_timeout_ms" => self.write_timeout = ms(value)?,
            "drain_timeout_ms" => self.drain_timeout = ms(value)?,
            "item_cache_bytes" => self.cache.item_cache_bytes = bytes(value)?,
            "query_cache_bytes" => self.cache.query_cache_bytes = bytes(value)?,
            "cache_policy" => self.cache.policy = parse_cache_policy(value)?,
            "cache_admission" => self.cache.admission = parse_cache_admission(value)?,
            "item_cache_ttl_ms" => self.cache.item_ttl = cache_ttl(value)?,
            "query_cache_ttl_ms" => self.cache.query_ttl = cache_ttl(value)?,
            other => bail!("unknown setting `{other}`"),
        }
        Ok(())
    }

    /// Applies a config file: `key = value` lines, `#` comments, blank
    /// lines. Errors name the file and line.
    #[allow(clippy::disallowed_methods)] // A config file, not engine data.
    pub fn apply_file(&mut self, path: &Path) -> anyhow::Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        for (index, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let place = || format!("{}:{}", path.display(), index + 1);
            let (key, value) = line
                .split_once('=')
                .with_context(|| format!("{}: expected `key = value`", place()))?;
            self.set(key.trim(), value.trim())
                .with_context(|| format!("{}: `{}`", place(), line))?;
        }
        Ok(())
    }
}

fn positive(value: &str) -> anyhow::Result<usize> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => bail!("expected a positive number, got `{value}`"),
    }
}

/// A byte count, 0 allowed (a cache budget of 0 turns that cache off).
fn bytes(value: &str) -> anyhow::Result<usize> {
    value
        .parse()
        .with_context(|| format!("expected a number of bytes, got `{value}`"))
}

/// A cache TTL in milliseconds; 0 means entries never expire (`None`: the
/// engine refuses a zero TTL, which would serve nothing).
fn cache_ttl(value: &str) -> anyhow::Result<Option<Duration>> {
    let ms: u64 = value
        .parse()
        .with_context(|| format!("expected milliseconds (0 for no expiry), got `{value}`"))?;
    Ok((ms > 0).then(|| Duration::from_millis(ms)))
}

fn parse_bool(value: &str) -> anyhow::Result<bool> {
    match value {
        "true" | "on" | "yes" => Ok(true),
        "false" | "off" | "no" => Ok(false),
        _ => bail!("expected true or false, got `{value}`"),
    }
}

fn parse_addr(value: &str) -> anyhow::Result<SocketAddr> {
    value
        .parse()
        .with_context(|| format!("`{value}` is not an address like 127.0.0.1:7700"))
}

/// `sync`, `interval` (keeping an interval already set, else 100 ms) or
/// `none`.
pub fn parse_durability(value: &str, current: Durability) -> anyhow::Result<Durability> {
    Ok(match value {
        "sync" => Durability::Sync,
        "interval" => match current {
            Durability::Interval(d) => Durability::Interval(d),
            _ => Durability::Interval(Duration::from_millis(100)),
        },
        "none" => Durability::None,
        other => bail!("durability `{other}`: expected sync, interval or none"),
    })
}

/// `always` or `second-miss` (also `second_miss`, `secondmiss`), any case.
pub fn parse_cache_admission(value: &str) -> anyhow::Result<CacheAdmission> {
    Ok(match value.to_ascii_lowercase().as_str() {
        "always" => CacheAdmission::Always,
        "second-miss" | "second_miss" | "secondmiss" => CacheAdmission::SecondMiss,
        _ => bail!("cache_admission `{value}`: expected always or second-miss"),
    })
}

/// `lru` or `s3fifo` (also `s3-fifo`), any case.
pub fn parse_cache_policy(value: &str) -> anyhow::Result<CachePolicy> {
    Ok(match value.to_ascii_lowercase().as_str() {
        "lru" => CachePolicy::Lru,
        "s3fifo" | "s3-fifo" | "s3_fifo" => CachePolicy::S3Fifo,
        _ => bail!("cache_policy `{value}`: expected lru or s3fifo"),
    })
}

pub fn parse_io(value: &str) -> anyhow::Result<IoChoice> {
    Ok(match value {
        "auto" => IoChoice::Auto,
        "io-uring" | "io_uring" | "uring" => IoChoice::IoUring,
        "portable" | "epoll" => IoChoice::Portable,
        other => bail!("io `{other}`: expected auto, io-uring or portable"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::disallowed_methods)] // A real file for the real parser.
    fn a_config_file_sets_keys_and_names_the_bad_line() {
        let dir = std::env::temp_dir().join(format!("dynacore-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("server.conf");
        std::fs::write(
            &path,
            "# limits\nmax_in_flight = 7\nidle_timeout_ms = 250 # short\n\nforward = off\n",
        )
        .unwrap();
        let mut config = ServerConfig::new("d");
        config.apply_file(&path).unwrap();
        assert_eq!(config.max_in_flight, 7);
        assert_eq!(config.idle_timeout, Duration::from_millis(250));
        assert!(!config.forward);
        std::fs::write(&path, "shards = 2\nmax_in_flight = zero\n").unwrap();
        let error = format!("{:#}", config.apply_file(&path).unwrap_err());
        assert!(error.contains("server.conf:2"), "{error}");
        std::fs::write(&path, "colour = blue\n").unwrap();
        let error = format!("{:#}", config.apply_file(&path).unwrap_err());
        assert!(error.contains("unknown setting `colour`"), "{error}");
        std::fs::write(
            &path,
            "item_cache_bytes = 1048576\nquery_cache_bytes = 0\ncache_policy = lru\ncache_admission = always\n\
             item_cache_ttl_ms = 0\nquery_cache_ttl_ms = 1500\n",
        )
        .unwrap();
        let mut config = ServerConfig::new("d");
        config.apply_file(&path).unwrap();
        assert_eq!(
            config.cache,
            CacheOptions {
                item_cache_bytes: 1 << 20,
                query_cache_bytes: 0,
                policy: CachePolicy::Lru,
                admission: CacheAdmission::Always,
                item_ttl: None,
                query_ttl: Some(Duration::from_millis(1500)),
            }
        );
        std::fs::write(&path, "cache_policy = clock\n").unwrap();
        let error = format!("{:#}", config.apply_file(&path).unwrap_err());
        assert!(error.contains("server.conf:1"), "{error}");
        assert!(error.contains("expected lru or s3fifo"), "{error}");
    }

    #[test]
    fn cache_settings_default_to_the_engine_defaults_and_check_their_values() {
        let mut config = ServerConfig::new("d");
        assert_eq!(config.cache, CacheOptions::default());
        config.set("cache_policy", "S3FIFO").unwrap();
        assert_eq!(config.cache.policy, CachePolicy::S3Fifo);
        config.set("item_cache_bytes", "0").unwrap();
        assert_eq!(config.cache.item_cache_bytes, 0);
        config.set("item_cache_ttl_ms", "250").unwrap();
        assert_eq!(config.cache.item_ttl, Some(Duration::from_millis(250)));
        for (key, value, expected) in [
            (
                "item_cache_bytes",
                "256MiB",
                "expected a number of bytes, got `256MiB`",
            ),
            ("query_cache_bytes", "-1", "expected a number of bytes"),
            (
                "item_cache_ttl_ms",
                "soon",
                "expected milliseconds (0 for no expiry)",
            ),
            ("query_cache_ttl_ms", "1.5", "expected milliseconds"),
            ("cache_policy", "", "expected lru or s3fifo"),
        ] {
            let error = format!("{:#}", config.set(key, value).unwrap_err());
            assert!(error.contains(expected), "{key} = {value}: {error}");
        }
        // What the parser accepts, the engine accepts.
        config.set("query_cache_ttl_ms", "0").unwrap();
        assert_eq!(config.cache.query_ttl, None);
        config.cache.validate().unwrap();
    }
}
