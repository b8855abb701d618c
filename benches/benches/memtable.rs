//! Memtable insert and point get.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dynacore::coding::internal_key::ValueKind;
use dynacore::ids::SeqNo;
use dynacore::memtable::MemTable;
use dynacore_benches::ycsb_like_keys;
use std::hint::black_box;

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const ENTRY_COUNT: usize = 100_000;
const VALUE: [u8; 100] = [b'v'; 100];

fn insert(c: &mut Criterion) {
    let keys = ycsb_like_keys(ENTRY_COUNT);
    c.bench_function("memtable/insert 100k × 100 B (per batch)", |b| {
        b.iter_batched(
            || MemTable::with_capacity(32 << 20),
            |mut table| {
                for (i, key) in keys.iter().enumerate() {
                    table.insert(key, SeqNo(i as u64 + 1), ValueKind::Put, &VALUE);
                }
                table
            },
            BatchSize::LargeInput,
        )
    });
}

fn get(c: &mut Criterion) {
    let keys = ycsb_like_keys(ENTRY_COUNT);
    let mut table = MemTable::with_capacity(32 << 20);
    for (i, key) in keys.iter().enumerate() {
        table.insert(key, SeqNo(i as u64 + 1), ValueKind::Put, &VALUE);
    }
    let mut i = 0usize;
    c.bench_function("memtable/get hit (100k entries)", |b| {
        b.iter(|| {
            i = (i + 7919) % ENTRY_COUNT;
            black_box(table.get(&keys[i], SeqNo::MAX))
        })
    });
    let misses = ycsb_like_keys(ENTRY_COUNT * 2);
    c.bench_function("memtable/get miss (100k entries)", |b| {
        b.iter(|| {
            i = (i + 7919) % ENTRY_COUNT;
            black_box(table.get(&misses[ENTRY_COUNT + i], SeqNo::MAX))
        })
    });
}

criterion_group!(benches, insert, get);
criterion_main!(benches);
