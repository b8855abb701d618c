//! How the caches are configured: for the whole database
//! ([`CacheOptions`], given to `DbBuilder::cache`) and per table
//! ([`TableCacheOptions`], `Db::set_table_cache_options`).
//!
//! Budgets are for the whole database and split evenly over the shards
//! (keys are spread evenly by hashing). A table given its own item budget
//! gets it carved out of the database's: the tables' own budgets together
//! may not exceed it, and every other table shares what is left. So the
//! item cache never holds more than `item_cache_bytes`, whatever the
//! per-table settings.

use std::time::Duration;

use super::{Admission, Policy};
use crate::{Error, Result};

/// The database's item and query caches (`docs/cache.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOptions {
    /// The item cache's budget over all shards, per-entry overhead
    /// included; 0 turns the item cache off.
    pub item_cache_bytes: usize,
    /// The query cache's budget over all shards; 0 turns it off.
    pub query_cache_bytes: usize,
    /// The eviction policy of both caches.
    pub policy: Policy,
    /// Which missed items and pages the caches admit.
    pub admission: Admission,
    /// How long an item entry may serve reads after it was filled; `None`:
    /// until it is evicted. Entries are kept exact by write-through either
    /// way, so the TTL does not bound staleness here (DAX's
    /// `record-ttl-millis` does, 5 minutes by default there too): it only
    /// makes an entry be read again from the tree once it is that old. An
    /// expired entry is dropped when it is next looked up, or evicted like
    /// any other; nothing sweeps for them.
    pub item_ttl: Option<Duration>,
    /// How long a cached Query or Scan page may be served after it was
    /// filled (DAX's `query-ttl-millis`, 5 minutes by default).
    pub query_ttl: Option<Duration>,
}

/// Five minutes: DAX's default for both TTLs.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

impl Default for CacheOptions {
    /// 256 MiB of items and 32 MiB of query pages, S3-FIFO (chosen by
    /// measurement: `docs/cache.md`), DAX's 5-minute TTLs.
    fn default() -> Self {
        CacheOptions {
            item_cache_bytes: 256 << 20,
            query_cache_bytes: 32 << 20,
            policy: Policy::S3Fifo,
            admission: Admission::SecondMiss,
            item_ttl: Some(DEFAULT_TTL),
            query_ttl: Some(DEFAULT_TTL),
        }
    }
}

impl CacheOptions {
    /// No caching at all.
    pub fn disabled() -> Self {
        CacheOptions {
            item_cache_bytes: 0,
            query_cache_bytes: 0,
            ..CacheOptions::default()
        }
    }

    /// Checks the options make sense.
    pub fn validate(&self) -> Result<()> {
        for (name, ttl) in [("item", self.item_ttl), ("query", self.query_ttl)] {
            if ttl == Some(Duration::ZERO) {
                return Err(Error::InvalidConfig(format!(
                    "a {name} cache TTL of zero would serve nothing; use None for no expiry, or \
                     turn the cache off with a budget of 0"
                )));
            }
        }
        Ok(())
    }
}

/// One table's cache settings. A table nobody configured uses
/// [`TableCacheOptions::inherit`] of the database's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCacheOptions {
    /// Whether the table's eventually consistent reads use the caches at
    /// all. (Writes keep the caches exact either way.)
    pub enabled: bool,
    /// The table's own item budget over all shards, carved out of the
    /// database's; `None`: it shares the database's budget with the other
    /// tables that have none.
    pub item_cache_bytes: Option<usize>,
    /// Its item TTL (see [`CacheOptions::item_ttl`]).
    pub item_ttl: Option<Duration>,
    /// Its query TTL (see [`CacheOptions::query_ttl`]).
    pub query_ttl: Option<Duration>,
}

impl TableCacheOptions {
    /// The settings a table has until it is configured: cached, sharing
    /// the database's budget, with its TTLs.
    pub fn inherit(database: &CacheOptions) -> Self {
        TableCacheOptions {
            enabled: true,
            item_cache_bytes: None,
            item_ttl: database.item_ttl,
            query_ttl: database.query_ttl,
        }
    }

    /// Checks the options, `others_own_bytes` being what the other tables'
    /// own budgets already take of the database's.
    pub fn validate(&self, database: &CacheOptions, others_own_bytes: usize) -> Result<()> {
        CacheOptions {
            item_ttl: self.item_ttl,
            query_ttl: self.query_ttl,
            ..database.clone()
        }
        .validate()?;
        if let Some(own) = self.item_cache_bytes {
            let total = others_own_bytes.saturating_add(own);
            if total > database.item_cache_bytes {
                return Err(Error::InvalidConfig(format!(
                    "tables' own item cache budgets would add up to {total} bytes, more than the \
                     database's item cache of {} bytes",
                    database.item_cache_bytes
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_budgets_may_not_exceed_the_database_budget() {
        let database = CacheOptions {
            item_cache_bytes: 1000,
            ..CacheOptions::default()
        };
        let mut table = TableCacheOptions::inherit(&database);
        table.item_cache_bytes = Some(600);
        assert!(table.validate(&database, 400).is_ok());
        assert!(table.validate(&database, 401).is_err());
        table.item_ttl = Some(Duration::ZERO);
        assert!(table.validate(&database, 0).is_err());
    }
}
