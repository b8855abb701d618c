use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

fn key(n: u32) -> Vec<u8> {
    format!("key{n:04}").into_bytes()
}

/// A budget for exactly `n` entries of `value_bytes` with 7-byte keys.
fn budget_for(n: usize, value_bytes: usize) -> usize {
    n * Cache::<u32>::charge_of(&key(0), value_bytes)
}

#[test]
fn lru_evicts_the_least_recently_used() {
    let mut cache = Cache::new(budget_for(3, 10), Policy::Lru);
    for n in 0..3 {
        assert!(cache.insert(&key(n), n, 10));
    }
    assert_eq!(cache.get(&key(0)), Some(&0)); // 1 is now the oldest
    assert!(cache.insert(&key(3), 3, 10));
    assert!(!cache.contains(&key(1)));
    assert!(cache.contains(&key(0)) && cache.contains(&key(2)) && cache.contains(&key(3)));
    assert_eq!(cache.stats().evictions, 1);
}

#[test]
fn an_entry_over_the_whole_budget_is_not_admitted_and_drops_the_old_value() {
    for policy in [Policy::Lru, Policy::S3Fifo] {
        let mut cache = Cache::new(budget_for(2, 10), policy);
        assert!(cache.insert(&key(1), 1, 10));
        assert!(!cache.insert(&key(1), 2, 10_000));
        assert_eq!(cache.get(&key(1)), None, "{policy:?}");
        assert_eq!(cache.stats().rejected, 1);
        assert_eq!(cache.bytes_used(), 0);
    }
}

/// S3-FIFO's point: a scan of keys read once passes through the small
/// FIFO and leaves the hot keys, which were hit, in the main one. LRU
/// loses them all.
#[test]
fn s3fifo_keeps_hot_keys_through_a_scan_and_lru_does_not() {
    let hot: Vec<u32> = (0..50).collect();
    let mut survivors = Vec::new();
    for policy in [Policy::Lru, Policy::S3Fifo] {
        let mut cache = Cache::new(budget_for(100, 100), policy);
        for _ in 0..3 {
            for &n in &hot {
                if cache.get(&key(n)).is_none() {
                    cache.insert(&key(n), n, 100);
                }
            }
        }
        for n in 1000..1500 {
            cache.insert(&key(n), n, 100);
        }
        survivors.push(hot.iter().filter(|&&n| cache.contains(&key(n))).count());
    }
    assert_eq!(survivors[0], 0, "LRU keeps none of the hot keys");
    assert_eq!(survivors[1], hot.len(), "S3-FIFO keeps all of them");
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u32, usize),
    Get(u32),
    Remove(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..40, 0usize..400).prop_map(|(k, size)| Op::Insert(k, size)),
        (0u32..40).prop_map(Op::Get),
        (0u32..40).prop_map(Op::Remove),
    ]
}

proptest! {
    /// Against a model: the budget is never passed, the charges add up, a
    /// hit returns the last value inserted for its key, and a removed key
    /// is gone. Budgets from tiny (one entry or none) to larger than the
    /// whole key space.
    #[test]
    fn the_cache_never_passes_its_budget_or_returns_a_stale_value(
        ops in proptest::collection::vec(op(), 1..400),
        budget in 0usize..20_000,
        s3fifo in any::<bool>(),
    ) {
        let policy = if s3fifo { Policy::S3Fifo } else { Policy::Lru };
        let mut cache = Cache::new(budget, policy);
        // key -> (the last value written, its size); None once removed.
        let mut model: HashMap<u32, Option<(u64, usize)>> = HashMap::new();
        for (step, op) in ops.into_iter().enumerate() {
            let step = step as u64;
            match op {
                Op::Insert(k, size) => {
                    cache.insert(&key(k), step, size);
                    model.insert(k, Some((step, size)));
                }
                Op::Get(k) => {
                    if let Some(&value) = cache.get(&key(k)) {
                        let expected = model.get(&k).copied().flatten().map(|(v, _)| v);
                        prop_assert_eq!(Some(value), expected, "key {}", k);
                    }
                }
                Op::Remove(k) => {
                    cache.remove(&key(k));
                    model.insert(k, None);
                }
            }
            prop_assert!(cache.bytes_used() <= budget);
            let charged: usize = model
                .iter()
                .filter(|(k, _)| cache.contains(&key(**k)))
                .map(|(k, v)| Cache::<u64>::charge_of(&key(*k), v.expect("cached means written").1))
                .sum();
            prop_assert_eq!(cache.bytes_used(), charged);
        }
    }
}

#[test]
fn the_overhead_covers_the_slot_and_the_index_entry() {
    // The slot holds the key handle, the value, the charge and the links;
    // the index holds another key handle and the slot number.
    let fixed = std::mem::size_of::<Option<list::Slot<[u8; 40]>>>()
        + std::mem::size_of::<(Box<[u8]>, u32)>();
    assert!(Cache::<[u8; 40]>::entry_overhead() > fixed);
    assert!(Cache::<[u8; 40]>::entry_overhead() >= Cache::<()>::entry_overhead() + 40);
}
