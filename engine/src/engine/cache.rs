//! The caches' per-table settings and statistics on a [`Db`]
//! (`docs/cache.md`). The caches themselves live in the shards
//! (`cache/shard.rs`); this is the database-wide face of them.

use std::collections::BTreeMap;

use crate::Result;
use crate::cache::options::{CacheOptions, TableCacheOptions};
use crate::cache::shard::TableCacheStats;
use crate::ids::TableId;
use crate::shard::DbStats;

use super::Db;

impl Db {
    /// The database's cache options, as opened.
    pub fn cache_options(&self) -> &CacheOptions {
        &self.inner.cache
    }

    /// Table `name`'s cache settings (the database's until it is configured).
    ///
    /// # Errors
    /// `TableNotFound`.
    pub fn table_cache_options(&self, name: &str) -> Result<TableCacheOptions> {
        let id = self.with_table(name, |d| Ok(d.id))?;
        let configured = self.table_caches().get(&id).cloned();
        Ok(configured.unwrap_or_else(|| TableCacheOptions::inherit(&self.inner.cache)))
    }

    /// Changes table `name`'s cache settings on every shard. Settings belong
    /// to the table as it is now: they are not persisted, and a table
    /// deleted and created again starts with the database's. Changing the
    /// table's own budget, or turning its caching off, drops its entries.
    ///
    /// # Errors
    /// `TableNotFound`; `InvalidConfig` for a zero TTL, or an own budget
    /// that with the other tables' would exceed the database's item budget.
    pub fn set_table_cache_options(&self, name: &str, options: TableCacheOptions) -> Result<()> {
        // Under the control lock: a table deleted meanwhile cannot be configured.
        let _control = self.inner.control.lock().unwrap_or_else(|e| e.into_inner());
        let id = self.with_table(name, |d| Ok(d.id))?;
        let mut tables = self.table_caches();
        let others: usize = tables
            .iter()
            .filter(|(table, _)| **table != id)
            .filter_map(|(_, o)| o.item_cache_bytes)
            .sum();
        options.validate(&self.inner.cache, others)?;
        for shard in &self.inner.shards {
            shard.lock().cache.configure_table(id, options.clone());
        }
        tables.insert(id, options);
        Ok(())
    }

    /// Forgets a deleted table's settings.
    pub(super) fn forget_table_cache(&self, id: TableId) {
        self.table_caches().remove(&id);
    }

    fn table_caches(&self) -> std::sync::MutexGuard<'_, BTreeMap<TableId, TableCacheOptions>> {
        self.inner
            .table_caches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The caches' statistics per live table, added up over the shards, by
    /// table name (from `stats`, taken before: see [`Db::stats`]).
    pub fn cache_stats_by_table(&self, stats: &DbStats) -> BTreeMap<String, TableCacheStats> {
        let names: BTreeMap<TableId, String> = self
            .inner
            .tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|d| (d.id, d.name.clone()))
            .collect();
        let mut out: BTreeMap<String, TableCacheStats> = BTreeMap::new();
        for shard in &stats.shards {
            for table in &shard.cache.tables {
                let Some(name) = names.get(&table.table) else {
                    continue;
                };
                let sum = out.entry(name.clone()).or_insert_with(|| TableCacheStats {
                    table: table.table,
                    ..TableCacheStats::default()
                });
                sum.add(table);
            }
        }
        out
    }
}
