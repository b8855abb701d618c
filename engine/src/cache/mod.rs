//! A byte-budgeted cache with a choice of eviction policy: the structure
//! the per-shard item cache (issue 8) is built on. It is owned by one
//! shard's thread, so it takes `&mut self` and has no locks.
//!
//! - **Budget.** Every entry is charged its key (twice: the index and the
//!   slot each hold a copy), its value's bytes as the caller counts them,
//!   and [`Cache::entry_overhead`] for the slot, the index entry and the
//!   allocator's rounding. Room is made
//!   *before* an entry is linked in, so [`Cache::bytes_used`] never passes
//!   the budget, not even for a moment; an entry larger than the whole
//!   budget is not admitted.
//! - **[`Policy::Lru`]**: one list, a hit moves the entry to the head, the
//!   tail is evicted.
//! - **[`Policy::S3Fifo`]** (Yang et al., "FIFO queues are all you need for
//!   cache eviction", SOSP 2023): a small FIFO (10 % of the budget) where
//!   new entries start, a main FIFO, and a ghost FIFO of the hashes of keys
//!   recently evicted from the small one. A hit only bumps a 2-bit counter
//!   (no list movement). Evicting from the small FIFO moves an entry that
//!   was hit since insertion to the main one, and drops one that was not
//!   (remembering its hash in the ghost). Evicting from the main FIFO gives
//!   an entry that was hit another lap (its counter decremented), else drops
//!   it. A key found in the ghost when it is inserted again goes straight to
//!   the main FIFO. One-hit wonders (a scan) pass through the small FIFO
//!   without displacing the main one.
//!
//! Which one the item cache uses is chosen by measurement (issue 8's
//! benchmark of both on YCSB's zipfian, uniform and scan-polluted mixes).

mod list;

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::Xxh3DefaultBuilder;

use list::{List, NIL, Slab, Slot};

mod admission;
pub mod options;
pub mod shard;

pub use admission::Admission;
use admission::Doorkeeper;

/// A hasher for small integer keys (table ids) and keys that are already
/// hashes (the ghost's): one multiply, which spreads small integers over
/// the high bits the hash table's control bytes use, instead of SipHash.
#[derive(Debug, Default)]
pub(crate) struct IntHasher(u64);

/// [`IntHasher`] as a `HashMap`'s hasher builder.
pub(crate) type IntHash = BuildHasherDefault<IntHasher>;

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only the integer writes are used; fold anything else in, to stay correct.
        for &b in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// What [`Cache::insert_tracked`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inserted {
    /// The charge of the entry it replaced, if the key was cached.
    pub replaced: Option<usize>,
    /// The new entry's charge if it was admitted (`None`: over the budget,
    /// or refused by admission).
    pub charge: Option<usize>,
    /// Whether admission refused it (a key's first miss).
    pub not_admitted: bool,
}

/// Bytes charged per entry besides its key and value, for the bookkeeping
/// that does not depend on the value type: the index entry (a key handle
/// and the slot index, over the hash table's 7/8 load factor, plus its
/// control byte) and the allocator's rounding of the two key copies and
/// the value's buffer (jemalloc's classes are 16 bytes apart for small
/// sizes; a shared `Bytes` adds a 24-byte header). The slot itself, whose
/// size depends on the value type, is added by [`Cache::entry_overhead`].
pub const ENTRY_OVERHEAD: usize =
    (std::mem::size_of::<(Box<[u8]>, u32)>() * 8).div_ceil(7) + 1 + 3 * 16 + 24;

/// The eviction policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Lru,
    S3Fifo,
}

/// Counters since the cache was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub inserts: u64,
    /// Entries dropped to make room.
    pub evictions: u64,
    /// Entries not admitted: larger than the whole budget.
    pub rejected: u64,
    /// Inserts refused by admission: a key's first miss
    /// ([`Admission::SecondMiss`]).
    pub not_admitted: u64,
}

// List numbers in `Slot::list`.
const LRU: u8 = 0;
const SMALL: u8 = 0;
const MAIN: u8 = 1;
/// The small FIFO's share of the budget, in tenths.
const SMALL_TENTHS: usize = 1;
/// The most accesses an S3-FIFO counter remembers.
const FREQ_MAX: u8 = 3;

/// The cache: values of type `V` by byte-string key.
#[derive(Debug)]
pub struct Cache<V> {
    policy: Policy,
    budget: usize,
    slab: Slab<V>,
    /// xxh3, not SipHash: the index is probed on every read, and keys
    /// come from the database's own encoding, not from an adversary who
    /// could pick colliding ones more cheaply than writing them.
    index: HashMap<Box<[u8]>, u32, Xxh3DefaultBuilder>,
    /// LRU's list, or S3-FIFO's small and main FIFOs.
    lists: [List; 2],
    /// S3-FIFO: hashes of keys evicted from the small FIFO, oldest first,
    /// and how many times each hash is in the queue.
    ghost: VecDeque<u64>,
    ghost_counts: HashMap<u64, u32, IntHash>,
    /// With [`Admission::SecondMiss`]: the keys missed once.
    doorkeeper: Option<Doorkeeper>,
    stats: CacheStats,
}

impl<V> Cache<V> {
    /// An empty cache holding at most `budget_bytes`, admitting every key.
    pub fn new(budget_bytes: usize, policy: Policy) -> Self {
        Self::with_admission(budget_bytes, policy, Admission::Always)
    }

    /// An empty cache holding at most `budget_bytes`, admitting new keys
    /// as `admission` says.
    pub fn with_admission(budget_bytes: usize, policy: Policy, admission: Admission) -> Self {
        Cache {
            doorkeeper: match admission {
                Admission::Always => None,
                Admission::SecondMiss => Some(Doorkeeper::new(budget_bytes)),
            },
            policy,
            budget: budget_bytes,
            slab: Slab::new(),
            index: HashMap::default(),
            lists: [List::new(), List::new()],
            ghost: VecDeque::new(),
            ghost_counts: HashMap::default(),
            stats: CacheStats::default(),
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    pub fn admission(&self) -> Admission {
        match self.doorkeeper {
            None => Admission::Always,
            Some(_) => Admission::SecondMiss,
        }
    }

    /// Bytes of fixed bookkeeping outside the budget (the doorkeeper's bits).
    pub fn fixed_bytes(&self) -> usize {
        self.doorkeeper.as_ref().map_or(0, Doorkeeper::bytes)
    }

    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Bytes charged by the entries held (never above the budget).
    pub fn bytes_used(&self) -> usize {
        self.lists[0].bytes + self.lists[1].bytes
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// What every entry is charged besides its key and value bytes: its
    /// slot in the slab and [`ENTRY_OVERHEAD`].
    pub const fn entry_overhead() -> usize {
        std::mem::size_of::<Option<Slot<V>>>() + ENTRY_OVERHEAD
    }

    /// What `key` with a value of `value_bytes` is charged.
    pub fn charge_of(key: &[u8], value_bytes: usize) -> usize {
        2 * key.len() + value_bytes + Self::entry_overhead()
    }

    /// The value cached for `key`, counting a hit or a miss.
    pub fn get(&mut self, key: &[u8]) -> Option<&V> {
        let Some(&index) = self.index.get(key) else {
            self.stats.misses += 1;
            return None;
        };
        self.stats.hits += 1;
        match self.policy {
            Policy::Lru => {
                self.lists[LRU as usize].unlink(&mut self.slab, index);
                self.lists[LRU as usize].push_head(&mut self.slab, index);
            }
            Policy::S3Fifo => {
                let slot = self.slab.get_mut(index);
                slot.freq = (slot.freq + 1).min(FREQ_MAX);
            }
        }
        Some(&self.slab.get(index).value)
    }

    /// Whether `key` is cached, without counting or touching it.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.index.contains_key(key)
    }

    /// Caches `value` for `key` (replacing what was there), charged
    /// [`Cache::charge_of`]`(key, value_bytes)`; evicts others first to make
    /// room. Returns false, caching nothing (and dropping any old value),
    /// when the entry alone is over the budget, or when admission refuses a
    /// key that is not cached (its first miss).
    pub fn insert(&mut self, key: &[u8], value: V, value_bytes: usize) -> bool {
        self.insert_tracked(key, value, value_bytes, &mut |_, _| {})
            .charge
            .is_some()
    }

    /// [`Cache::insert`], telling `evicted` the key and charge of every
    /// entry dropped to make room, and returning what it replaced.
    pub fn insert_tracked(
        &mut self,
        key: &[u8],
        value: V,
        value_bytes: usize,
        evicted: &mut dyn FnMut(&[u8], usize),
    ) -> Inserted {
        let charge = Self::charge_of(key, value_bytes);
        // The old value goes first: it must never outlive a newer one.
        let replaced = self.remove(key);
        let hash = xxhash_rust::xxh3::xxh3_64(key);
        if replaced.is_none()
            && let Some(door) = &mut self.doorkeeper
            && !door.seen_before(hash)
        {
            self.stats.not_admitted += 1;
            return Inserted {
                replaced,
                charge: None,
                not_admitted: true,
            };
        }
        if charge > self.budget {
            self.stats.rejected += 1;
            return Inserted {
                replaced,
                charge: None,
                not_admitted: false,
            };
        }
        while self.bytes_used() + charge > self.budget {
            if !self.evict_one(evicted) {
                break;
            }
        }
        let list = match self.policy {
            Policy::Lru => LRU,
            Policy::S3Fifo if replaced.is_some() || self.in_ghost(hash) => MAIN,
            Policy::S3Fifo => SMALL,
        };
        let index = self.slab.insert(Slot {
            key: key.into(),
            value,
            charge,
            prev: NIL,
            next: NIL,
            list,
            freq: 0,
        });
        self.lists[list as usize].push_head(&mut self.slab, index);
        self.index.insert(key.into(), index);
        self.stats.inserts += 1;
        Inserted {
            replaced,
            charge: Some(charge),
            not_admitted: false,
        }
    }

    /// Changes the budget, evicting (and telling `evicted`) until the
    /// entries fit it.
    pub fn set_budget(&mut self, budget: usize, evicted: &mut dyn FnMut(&[u8], usize)) {
        self.budget = budget;
        while self.bytes_used() > self.budget {
            if !self.evict_one(evicted) {
                break;
            }
        }
    }

    /// Whether admission lets `key` in now (marking its miss if not): for
    /// a caller that must prepare a costly value before inserting it. A
    /// key already cached, or a cache admitting everything, is always let in.
    pub fn admits(&mut self, key: &[u8]) -> bool {
        match &mut self.doorkeeper {
            None => true,
            Some(_) if self.index.contains_key(key) => true,
            Some(door) => door.seen_before(xxhash_rust::xxh3::xxh3_64(key)),
        }
    }

    /// Drops every entry whose key `keep` refuses; returns how many and
    /// their charges. O(entries): for rare events (a table dropped).
    pub fn retain(&mut self, mut keep: impl FnMut(&[u8]) -> bool) -> (usize, usize) {
        let doomed: Vec<Box<[u8]>> = self
            .index
            .keys()
            .filter(|key| !keep(key))
            .cloned()
            .collect();
        let mut bytes = 0;
        for key in &doomed {
            bytes += self.remove(key).unwrap_or(0);
        }
        (doomed.len(), bytes)
    }

    /// Drops `key`'s entry; returns its charge if there was one.
    pub fn remove(&mut self, key: &[u8]) -> Option<usize> {
        let index = self.index.remove(key)?;
        let list = self.slab.get(index).list;
        self.lists[list as usize].unlink(&mut self.slab, index);
        Some(self.slab.remove(index).charge)
    }

    /// Evicts one entry; false when there is none.
    fn evict_one(&mut self, evicted: &mut dyn FnMut(&[u8], usize)) -> bool {
        match self.policy {
            Policy::Lru => self.drop_tail(LRU, false, evicted),
            Policy::S3Fifo => {
                let small = self.lists[SMALL as usize];
                if small.len > 0
                    && (small.bytes * 10 >= self.budget * SMALL_TENTHS
                        || self.lists[MAIN as usize].len == 0)
                {
                    self.evict_small(evicted)
                } else {
                    self.evict_main(evicted)
                }
            }
        }
    }

    /// S3-FIFO: from the small FIFO's tail, promote entries hit since they
    /// came in, until one that was not is dropped (into the ghost).
    fn evict_small(&mut self, evicted: &mut dyn FnMut(&[u8], usize)) -> bool {
        loop {
            let tail = self.lists[SMALL as usize].tail;
            if tail == NIL {
                return self.evict_main(evicted);
            }
            if self.slab.get(tail).freq > 0 {
                self.lists[SMALL as usize].unlink(&mut self.slab, tail);
                let slot = self.slab.get_mut(tail);
                slot.freq = 0;
                slot.list = MAIN;
                self.lists[MAIN as usize].push_head(&mut self.slab, tail);
            } else {
                return self.drop_tail(SMALL, true, evicted);
            }
        }
    }

    /// S3-FIFO: from the main FIFO's tail, give entries hit since their last
    /// lap another one, until one that was not is dropped.
    fn evict_main(&mut self, evicted: &mut dyn FnMut(&[u8], usize)) -> bool {
        loop {
            let tail = self.lists[MAIN as usize].tail;
            if tail == NIL {
                return self.drop_tail(SMALL, true, evicted);
            }
            if self.slab.get(tail).freq > 0 {
                self.lists[MAIN as usize].unlink(&mut self.slab, tail);
                self.slab.get_mut(tail).freq -= 1;
                self.lists[MAIN as usize].push_head(&mut self.slab, tail);
            } else {
                return self.drop_tail(MAIN, false, evicted);
            }
        }
    }

    /// Drops the tail of `list`, remembering its key in the ghost if asked.
    fn drop_tail(
        &mut self,
        list: u8,
        to_ghost: bool,
        evicted: &mut dyn FnMut(&[u8], usize),
    ) -> bool {
        let tail = self.lists[list as usize].tail;
        if tail == NIL {
            return false;
        }
        self.lists[list as usize].unlink(&mut self.slab, tail);
        let slot = self.slab.remove(tail);
        self.index.remove(&slot.key);
        evicted(&slot.key, slot.charge);
        if to_ghost {
            self.remember(&slot.key);
        }
        self.stats.evictions += 1;
        true
    }

    /// Adds `key`'s hash to the ghost, which holds as many hashes as the
    /// cache holds entries (at least 64).
    fn remember(&mut self, key: &[u8]) {
        let hash = xxhash_rust::xxh3::xxh3_64(key);
        self.ghost.push_back(hash);
        *self.ghost_counts.entry(hash).or_insert(0) += 1;
        let capacity = self.index.len().max(64);
        while self.ghost.len() > capacity {
            if let Some(old) = self.ghost.pop_front() {
                self.forget_ghost(old);
            }
        }
    }

    fn forget_ghost(&mut self, hash: u64) {
        if let Some(count) = self.ghost_counts.get_mut(&hash) {
            *count -= 1;
            if *count == 0 {
                self.ghost_counts.remove(&hash);
            }
        }
    }

    /// Whether `key` was recently evicted from the small FIFO. It stays in
    /// the ghost until it ages out, as in the paper's algorithm.
    fn in_ghost(&self, hash: u64) -> bool {
        self.ghost_counts.contains_key(&hash)
    }
}

#[cfg(test)]
mod tests;
