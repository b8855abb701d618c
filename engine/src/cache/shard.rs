//! One shard's caches: the item cache (GetItem and BatchGetItem results by
//! primary key, negative entries included) and the query cache (one
//! shard's contribution to a Query or Scan page, by the page's key range).
//! Owned by the shard's locked state ([`crate::shard`]), so like the rest
//! of it it is single-threaded and takes `&mut self`.
//!
//! **Exactness.** The shard applies every write to its tree and then, in
//! the same lock hold and before the write is acknowledged, to these
//! caches ([`ShardCache::write_through`]): an item entry the write touches
//! is replaced by the new value (or a negative entry, for a delete), and
//! the partition's and table's versions move on, which retires every
//! cached page covering the item. A read fills the item cache from the
//! tree in the same lock hold as its lookup. So an entry always holds what
//! the tree would return right now; a TTL only makes an old entry be read
//! again from the tree (expired entries are dropped when next looked up or
//! evicted; nothing sweeps). `docs/cache.md` says what each read mode gives.
//!
//! **Query pages and versions.** A cached page records the version of what
//! it covers: the partition's, for a range inside one partition (a Query),
//! or the table's on this shard (a Scan). Partition versions live in a
//! fixed array of [`PARTITION_SLOTS`] counters indexed by a hash of the
//! partition prefix, so their memory is bounded; two partitions sharing a
//! slot only cost each other's pages a refill, never a stale answer. A page
//! whose version moved on is a miss. A scan that let go of the lock while
//! it ran is only cached if nothing it covers changed meanwhile.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::options::{CacheOptions, TableCacheOptions};
use super::{Cache, Inserted, IntHash};
use crate::coding::key::{TABLE_ID_BYTES, partition_prefix_len, prefix_successor};
use crate::ids::TableId;
use crate::io::Clock;
use crate::shard::{ScanChunk, ScanRange};
use crate::wal::WriteBatch;

/// Partition version counters per shard (8 bytes each).
pub const PARTITION_SLOTS: usize = 4096;

/// Bytes a cached page is charged per item besides the item's key and
/// value: the entry itself (key `Vec`, value `Bytes`, size), the
/// allocator's rounding of the key's and value's buffers, and the header
/// a shared `Bytes` carries.
const PAGE_ENTRY_OVERHEAD: usize = std::mem::size_of::<crate::shard::ScanEntry>() + 2 * 16 + 24;

/// Counters of one table's (or one shard's) caches, since the database opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheCounters {
    /// Item lookups answered from the cache (negative entries included).
    pub hits: u64,
    /// Of those, answers that the item does not exist.
    pub negative_hits: u64,
    /// Item lookups that went to the tree.
    pub misses: u64,
    /// Item entries filled after a miss.
    pub fills: u64,
    /// Misses not filled: the key's first miss, under
    /// `Admission::SecondMiss` (each is also a miss).
    pub not_admitted: u64,
    /// Item entries a write replaced (write-through).
    pub write_throughs: u64,
    /// Item entries evicted to make room.
    pub evictions: u64,
    /// Item entries found past their TTL (each also counts as a miss).
    pub expirations: u64,
    /// Cached pages served.
    pub query_hits: u64,
    /// Page lookups that read the tree (stale pages included).
    pub query_misses: u64,
    /// Of those, pages found but retired by a write since they were filled.
    pub query_stale: u64,
    /// Of those, pages found past their TTL.
    pub query_expirations: u64,
    /// Cached pages evicted to make room.
    pub query_evictions: u64,
    /// Pages not kept: their range's first miss, under `Admission::SecondMiss`.
    pub query_not_admitted: u64,
}

impl CacheCounters {
    /// Item hits over item lookups; 0 with no lookups.
    pub fn hit_ratio(&self) -> f64 {
        let lookups = self.hits + self.misses;
        if lookups == 0 {
            0.0
        } else {
            self.hits as f64 / lookups as f64
        }
    }

    /// Page hits over page lookups; 0 with no lookups.
    pub fn query_hit_ratio(&self) -> f64 {
        let lookups = self.query_hits + self.query_misses;
        if lookups == 0 {
            0.0
        } else {
            self.query_hits as f64 / lookups as f64
        }
    }

    /// Adds `other` to these counters.
    pub fn add(&mut self, other: &CacheCounters) {
        self.hits += other.hits;
        self.negative_hits += other.negative_hits;
        self.misses += other.misses;
        self.fills += other.fills;
        self.not_admitted += other.not_admitted;
        self.write_throughs += other.write_throughs;
        self.evictions += other.evictions;
        self.expirations += other.expirations;
        self.query_hits += other.query_hits;
        self.query_misses += other.query_misses;
        self.query_stale += other.query_stale;
        self.query_expirations += other.query_expirations;
        self.query_evictions += other.query_evictions;
        self.query_not_admitted += other.query_not_admitted;
    }
}

/// One table's caches on one shard (or, in `DbStats::cache_by_table`, on all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableCacheStats {
    pub table: TableId,
    pub counters: CacheCounters,
    /// Bytes its item entries are charged (overhead included).
    pub item_bytes_used: usize,
    pub item_entries: usize,
    /// Bytes its cached pages are charged.
    pub query_bytes_used: usize,
    pub query_entries: usize,
}

impl TableCacheStats {
    /// Adds `other`'s counters, bytes and entries (another shard's share of
    /// the same table) to these.
    pub fn add(&mut self, other: &TableCacheStats) {
        self.counters.add(&other.counters);
        self.item_bytes_used += other.item_bytes_used;
        self.item_entries += other.item_entries;
        self.query_bytes_used += other.query_bytes_used;
        self.query_entries += other.query_entries;
    }
}

/// One shard's caches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardCacheStats {
    /// The shard's item budget (its share of the database's).
    pub item_budget_bytes: usize,
    /// Bytes charged by its item entries, never above the budget.
    pub item_bytes_used: usize,
    pub item_entries: usize,
    pub query_budget_bytes: usize,
    pub query_bytes_used: usize,
    pub query_entries: usize,
    /// Every table's counters added up.
    pub counters: CacheCounters,
    /// Per table, for the tables the caches have seen, by table id.
    pub tables: Vec<TableCacheStats>,
}

/// An item entry: the encoded item, or `None` for "no such item".
#[derive(Debug)]
struct ItemEntry {
    value: Option<Bytes>,
    filled_at: Instant,
}

/// A cached page: what the shard contributed, and the version it covers.
#[derive(Debug)]
struct PageEntry {
    chunk: ScanChunk,
    version: u64,
    filled_at: Instant,
}

/// What an item lookup found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The item (or `None`: it does not exist), from the cache.
    Hit(Option<Bytes>),
    /// Not cached: read the tree, then [`ShardCache::fill`].
    Miss,
    /// The table is not cached (turned off, or no budget): read the tree.
    Bypass,
}

/// Per table: its settings, if configured, and its share of the caches.
#[derive(Debug, Default)]
struct TableState {
    options: Option<TableCacheOptions>,
    /// The table was deleted: its caching is off for good (requests that
    /// resolved it before the delete may still arrive), and its counters
    /// count only in the shard's totals, which must never go down.
    dropped: bool,
    counters: CacheCounters,
    item_bytes: usize,
    item_entries: usize,
    query_bytes: usize,
    query_entries: usize,
}

/// Takes an evicted item entry out of its table's accounting.
fn item_evicted(tables: &mut HashMap<TableId, TableState, IntHash>, key: &[u8], charge: usize) {
    if let Some(state) = table_of(key).and_then(|t| tables.get_mut(&t)) {
        state.item_bytes -= charge;
        state.item_entries -= 1;
        state.counters.evictions += 1;
    }
}

/// The table an encoded key belongs to.
fn table_of(key: &[u8]) -> Option<TableId> {
    let id: [u8; TABLE_ID_BYTES] = key.get(..TABLE_ID_BYTES)?.try_into().ok()?;
    Some(TableId(u32::from_be_bytes(id)))
}

fn expired(filled_at: Instant, ttl: Option<Duration>, now: Option<Instant>) -> bool {
    match (ttl, now) {
        (Some(ttl), Some(now)) => now.saturating_duration_since(filled_at) >= ttl,
        _ => false,
    }
}

/// What a page is charged: its items and its range key.
fn page_charge(chunk: &ScanChunk) -> usize {
    chunk
        .entries
        .iter()
        .map(|e| e.key.len() + e.value.len() + PAGE_ENTRY_OVERHEAD)
        .sum()
}

/// The query cache's key for `range`: the table id first (for the
/// per-table accounting), then every field of the range.
fn range_key(range: &ScanRange) -> Vec<u8> {
    let mut key = Vec::with_capacity(range.start.len() + 48);
    key.extend_from_slice(range.start.get(..TABLE_ID_BYTES).unwrap_or(&[0; 4]));
    key.extend_from_slice(&(range.start.len() as u32).to_be_bytes());
    key.extend_from_slice(&range.start);
    match &range.end {
        Some(end) => {
            key.push(1);
            key.extend_from_slice(&(end.len() as u32).to_be_bytes());
            key.extend_from_slice(end);
        }
        None => key.push(0),
    }
    key.extend_from_slice(&(range.limit as u64).to_be_bytes());
    key.push(u8::from(range.reverse));
    match &range.virtual_partitions {
        Some(partitions) => {
            key.push(1);
            key.extend_from_slice(&(partitions.start as u64).to_be_bytes());
            key.extend_from_slice(&(partitions.end as u64).to_be_bytes());
        }
        None => key.push(0),
    }
    key
}

/// The partition-version slot of a partition prefix.
fn partition_slot(prefix: &[u8]) -> usize {
    (xxhash_rust::xxh3::xxh3_64(prefix) % PARTITION_SLOTS as u64) as usize
}

/// One shard's caches; see the module docs.
#[derive(Debug)]
pub(crate) struct ShardCache {
    clock: std::sync::Arc<dyn Clock>,
    database: CacheOptions,
    shard_count: usize,
    /// The item pool of every table without a budget of its own.
    shared: Cache<ItemEntry>,
    /// The pools of tables with their own budget.
    own: HashMap<TableId, Cache<ItemEntry>, IntHash>,
    tables: HashMap<TableId, TableState, IntHash>,
    pages: Cache<PageEntry>,
    partition_versions: Box<[u64]>,
    table_versions: HashMap<TableId, u64, IntHash>,
}

impl ShardCache {
    pub(crate) fn new(
        database: CacheOptions,
        shard_count: usize,
        clock: std::sync::Arc<dyn Clock>,
    ) -> Self {
        let shards = shard_count.max(1);
        ShardCache {
            clock,
            shared: Cache::with_admission(
                database.item_cache_bytes / shards,
                database.policy,
                database.admission,
            ),
            pages: Cache::with_admission(
                database.query_cache_bytes / shards,
                database.policy,
                database.admission,
            ),
            database,
            shard_count: shards,
            own: HashMap::default(),
            tables: HashMap::default(),
            partition_versions: vec![0; PARTITION_SLOTS].into_boxed_slice(),
            table_versions: HashMap::default(),
        }
    }

    /// `table`'s settings (the database's until it is configured).
    fn options_of(&self, table: TableId) -> TableCacheOptions {
        match self.tables.get(&table).and_then(|t| t.options.as_ref()) {
            Some(options) => options.clone(),
            None => TableCacheOptions::inherit(&self.database),
        }
    }

    /// Whether `table`'s reads use the caches, and its TTLs; the common
    /// case (an unconfigured table) without cloning anything.
    fn settings_of(&self, table: TableId) -> (bool, Option<Duration>, Option<Duration>) {
        match self.tables.get(&table).and_then(|t| t.options.as_ref()) {
            Some(o) => (o.enabled, o.item_ttl, o.query_ttl),
            None => (true, self.database.item_ttl, self.database.query_ttl),
        }
    }

    // ----- items ------------------------------------------------------------

    /// Looks `key` up. `count` is false for a read-modify-write's read,
    /// which uses an entry but is not a read the stats should show.
    pub(crate) fn lookup(&mut self, key: &[u8], count: bool) -> Lookup {
        let Some(table) = table_of(key) else {
            return Lookup::Bypass;
        };
        // One probe of the table map for the settings and the counters.
        let state = self.tables.entry(table).or_default();
        let (enabled, ttl) = match &state.options {
            Some(o) => (o.enabled, o.item_ttl),
            None => (true, self.database.item_ttl),
        };
        let pool = match self.own.get_mut(&table) {
            Some(pool) => pool,
            None => &mut self.shared,
        };
        if !enabled || pool.budget() == 0 {
            return Lookup::Bypass;
        }
        let now = ttl.map(|_| self.clock.now());
        let found = pool.get(key).map(|entry| {
            if expired(entry.filled_at, ttl, now) {
                None
            } else {
                Some(entry.value.clone())
            }
        });
        match found {
            Some(Some(value)) => {
                if count {
                    state.counters.hits += 1;
                    state.counters.negative_hits += u64::from(value.is_none());
                }
                Lookup::Hit(value)
            }
            Some(None) => {
                if let Some(charge) = pool.remove(key) {
                    state.item_bytes -= charge;
                    state.item_entries -= 1;
                }
                state.counters.expirations += u64::from(count);
                state.counters.misses += u64::from(count);
                Lookup::Miss
            }
            None => {
                state.counters.misses += u64::from(count);
                Lookup::Miss
            }
        }
    }

    /// Caches what the tree returned for `key` after a [`Lookup::Miss`].
    pub(crate) fn fill(&mut self, key: &[u8], value: Option<&Bytes>) {
        let Some(table) = table_of(key) else {
            return;
        };
        // A copy: a value read from an SSTable is a slice of its mapping,
        // which must not be kept alive (or charged) by the cache.
        let value = value.map(|v| Bytes::copy_from_slice(v));
        let inserted = self.put(table, key, value, false);
        let counters = &mut self.tables.entry(table).or_default().counters;
        counters.fills += u64::from(inserted.charge.is_some());
        counters.not_admitted += u64::from(inserted.not_admitted);
    }

    /// Links an entry into `table`'s pool, keeping the per-table
    /// accounting (of the evicted entries' tables too).
    fn put(&mut self, table: TableId, key: &[u8], value: Option<Bytes>, write: bool) -> Inserted {
        let value_bytes = value.as_ref().map_or(0, Bytes::len);
        let entry = ItemEntry {
            value,
            filled_at: self.clock.now(),
        };
        let tables = &mut self.tables;
        let pool = match self.own.get_mut(&table) {
            Some(pool) => pool,
            None => &mut self.shared,
        };
        let inserted = pool.insert_tracked(key, entry, value_bytes, &mut |evicted, charge| {
            item_evicted(tables, evicted, charge)
        });
        let state = tables.entry(table).or_default();
        if let Some(old) = inserted.replaced {
            state.item_bytes -= old;
            state.item_entries -= 1;
        }
        if let Some(charge) = inserted.charge {
            state.item_bytes += charge;
            state.item_entries += 1;
        }
        state.counters.write_throughs += u64::from(write && inserted.replaced.is_some());
        inserted
    }

    /// Applies a batch the tree just applied: replaces the entries of the
    /// keys it wrote (only those already cached: a write does not fill, so
    /// a bulk load does not flush the cache) and retires the pages that
    /// cover them. Runs before the batch is acknowledged.
    pub(crate) fn write_through(&mut self, batch: &WriteBatch) {
        for (kind, key, value) in batch.iter() {
            let Some(table) = table_of(key) else {
                continue;
            };
            *self.table_versions.entry(table).or_default() += 1;
            if let Some(len) = partition_prefix_len(key) {
                self.partition_versions[partition_slot(&key[..len])] += 1;
            }
            let pool = match self.own.get(&table) {
                Some(pool) => pool,
                None => &self.shared,
            };
            if pool.contains(key) {
                let value = match kind {
                    crate::coding::internal_key::ValueKind::Put => {
                        Some(Bytes::copy_from_slice(value))
                    }
                    crate::coding::internal_key::ValueKind::Delete => None,
                };
                self.put(table, key, value, true);
            }
        }
    }

    // ----- pages ------------------------------------------------------------

    /// The version of what `range` covers: its partition's, if it lies
    /// inside one partition, else its table's on this shard.
    pub(crate) fn version_of(&self, range: &ScanRange) -> u64 {
        if range.virtual_partitions.is_none()
            && let Some(len) = partition_prefix_len(&range.start)
            && let Some(end) = &range.end
            && prefix_successor(&range.start[..len]).is_some_and(|limit| end <= &limit)
        {
            return self.partition_versions[partition_slot(&range.start[..len])];
        }
        table_of(&range.start)
            .and_then(|table| self.table_versions.get(&table).copied())
            .unwrap_or(0)
    }

    /// The cached page for `range`, if one is current; `None` on a miss
    /// (counted) or when the table's pages are not cached (not counted).
    pub(crate) fn lookup_page(&mut self, range: &ScanRange) -> Option<ScanChunk> {
        let table = table_of(&range.start)?;
        let (enabled, _, ttl) = self.settings_of(table);
        if !enabled || self.pages.budget() == 0 {
            return None;
        }
        let key = range_key(range);
        let version = self.version_of(range);
        let now = ttl.map(|_| self.clock.now());
        // Ok: current; Err(true): retired by a write; Err(false): expired.
        let found = self.pages.get(&key).map(|page| {
            if page.version != version {
                Err(true)
            } else if expired(page.filled_at, ttl, now) {
                Err(false)
            } else {
                Ok(page.chunk.clone())
            }
        });
        let state = self.tables.entry(table).or_default();
        match found {
            Some(Ok(chunk)) => {
                state.counters.query_hits += 1;
                Some(chunk)
            }
            Some(Err(retired)) => {
                if let Some(charge) = self.pages.remove(&key) {
                    state.query_bytes -= charge;
                    state.query_entries -= 1;
                }
                state.counters.query_stale += u64::from(retired);
                state.counters.query_expirations += u64::from(!retired);
                state.counters.query_misses += 1;
                None
            }
            None => {
                state.counters.query_misses += 1;
                None
            }
        }
    }

    /// Caches `chunk` for `range` if what it covers is still at `version`
    /// (the version when the scan began).
    pub(crate) fn fill_page(&mut self, range: &ScanRange, version: u64, chunk: &ScanChunk) {
        let Some(table) = table_of(&range.start) else {
            return;
        };
        let (enabled, _, _) = self.settings_of(table);
        if !enabled || self.pages.budget() == 0 || self.version_of(range) != version {
            return;
        }
        let key = range_key(range);
        // Checked before the clone: a page over the whole budget, or one
        // that admission turns away (its range's first miss), is not kept.
        if Cache::<PageEntry>::charge_of(&key, page_charge(chunk)) > self.pages.budget() {
            return;
        }
        if !self.pages.admits(&key) {
            self.tables
                .entry(table)
                .or_default()
                .counters
                .query_not_admitted += 1;
            return;
        }
        let page = PageEntry {
            chunk: chunk.clone(),
            version,
            filled_at: self.clock.now(),
        };
        let tables = &mut self.tables;
        let inserted =
            self.pages
                .insert_tracked(&key, page, page_charge(chunk), &mut |evicted, charge| {
                    if let Some(state) = table_of(evicted).and_then(|t| tables.get_mut(&t)) {
                        state.query_bytes -= charge;
                        state.query_entries -= 1;
                        state.counters.query_evictions += 1;
                    }
                });
        let state = tables.entry(table).or_default();
        if let Some(old) = inserted.replaced {
            state.query_bytes -= old;
            state.query_entries -= 1;
        }
        if let Some(charge) = inserted.charge {
            state.query_bytes += charge;
            state.query_entries += 1;
        }
    }

    // ----- configuration ----------------------------------------------------

    /// Applies `table`'s new settings (validated by the caller against the
    /// database's budget). Its entries are dropped when its pool changes or
    /// its caching is turned off.
    pub(crate) fn configure_table(&mut self, table: TableId, options: TableCacheOptions) {
        let before = self.options_of(table);
        if before.item_cache_bytes != options.item_cache_bytes || !options.enabled {
            self.purge(table);
        }
        match options.item_cache_bytes {
            Some(bytes) => {
                let budget = bytes / self.shard_count;
                let (policy, admission) = (self.database.policy, self.database.admission);
                let pool = self
                    .own
                    .entry(table)
                    .or_insert_with(|| Cache::with_admission(budget, policy, admission));
                if pool.budget() != budget {
                    *pool = Cache::with_admission(budget, policy, admission);
                }
            }
            None => {
                self.own.remove(&table);
            }
        }
        self.tables.entry(table).or_default().options = Some(options);
        self.resize_shared();
    }

    /// Forgets a dropped table: its entries, pool, settings and counters.
    pub(crate) fn drop_table(&mut self, table: TableId) {
        self.purge(table);
        self.own.remove(&table);
        let state = self.tables.entry(table).or_default();
        state.options = Some(TableCacheOptions {
            enabled: false,
            ..TableCacheOptions::inherit(&self.database)
        });
        state.dropped = true;
        self.table_versions.remove(&table);
        self.resize_shared();
    }

    /// Drops every item entry and page of `table`.
    fn purge(&mut self, table: TableId) {
        let mine = |key: &[u8]| table_of(key) == Some(table);
        self.shared.retain(|key| !mine(key));
        if let Some(pool) = self.own.get_mut(&table) {
            pool.retain(|_| false);
        }
        self.pages.retain(|key| !mine(key));
        if let Some(state) = self.tables.get_mut(&table) {
            state.item_bytes = 0;
            state.item_entries = 0;
            state.query_bytes = 0;
            state.query_entries = 0;
        }
    }

    /// Gives the shared pool what the tables' own budgets leave.
    fn resize_shared(&mut self) {
        let own: usize = self
            .tables
            .values()
            .filter_map(|t| t.options.as_ref()?.item_cache_bytes)
            .sum();
        let budget = self.database.item_cache_bytes.saturating_sub(own) / self.shard_count;
        if budget != self.shared.budget() {
            let tables = &mut self.tables;
            self.shared.set_budget(budget, &mut |evicted, charge| {
                item_evicted(tables, evicted, charge)
            });
        }
    }

    // ----- stats ------------------------------------------------------------

    pub(crate) fn stats(&self) -> ShardCacheStats {
        let mut counters = CacheCounters::default();
        let mut tables: Vec<TableCacheStats> = self
            .tables
            .iter()
            .filter_map(|(&table, state)| {
                counters.add(&state.counters);
                (!state.dropped).then_some(TableCacheStats {
                    table,
                    counters: state.counters,
                    item_bytes_used: state.item_bytes,
                    item_entries: state.item_entries,
                    query_bytes_used: state.query_bytes,
                    query_entries: state.query_entries,
                })
            })
            .collect();
        tables.sort_by_key(|t| t.table);
        let own = self.own.values();
        ShardCacheStats {
            item_budget_bytes: self.shared.budget() + own.clone().map(Cache::budget).sum::<usize>(),
            item_bytes_used: self.shared.bytes_used()
                + own.clone().map(Cache::bytes_used).sum::<usize>(),
            item_entries: self.shared.len() + own.map(Cache::len).sum::<usize>(),
            query_budget_bytes: self.pages.budget(),
            query_bytes_used: self.pages.bytes_used(),
            query_entries: self.pages.len(),
            counters,
            tables,
        }
    }
}

#[cfg(test)]
mod tests;
