//! SSTable point gets (hit and miss) and bloom filter probes.
//!
//! One table of 100k entries (YCSB-like keys, 100-byte values), written
//! through the real builder into `MemFs` and read through the real reader.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use dynacore::coding::internal_key::{self, ValueKind};
use dynacore::ids::SeqNo;
use dynacore::io::{Fs, MemFs};
use dynacore::sstable::{SsTable, SsTableBuilder, SsTableOptions};
use dynacore_benches::ycsb_like_keys;

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const ENTRY_COUNT: usize = 100_000;

fn build_table(keys: &[Vec<u8>]) -> Arc<SsTable> {
    let fs = MemFs::new();
    fs.create_dir_all(Path::new("/b")).unwrap();
    let path = Path::new("/b/000001.sst");
    let mut builder = SsTableBuilder::new(fs.create(path).unwrap(), &SsTableOptions::default());
    let mut sorted: Vec<&Vec<u8>> = keys.iter().collect();
    sorted.sort();
    for (i, key) in sorted.iter().enumerate() {
        let internal = internal_key::encode(key, SeqNo(i as u64 + 1), ValueKind::Put);
        builder.add(&internal, &[b'v'; 100]).unwrap();
    }
    builder.finish().unwrap();
    Arc::new(SsTable::open(path, fs.map(path).unwrap()).unwrap())
}

fn point_gets(c: &mut Criterion) {
    let all = ycsb_like_keys(ENTRY_COUNT * 2);
    let (present, absent) = all.split_at(ENTRY_COUNT);
    let table = build_table(present);
    let mut i = 0usize;
    c.bench_function("sstable/get hit (100k entries, 4 KiB blocks)", |b| {
        b.iter(|| {
            i = (i + 7919) % ENTRY_COUNT;
            black_box(table.get(&present[i], SeqNo::MAX).unwrap())
        })
    });
    c.bench_function("sstable/get miss (bloom filters most)", |b| {
        b.iter(|| {
            i = (i + 7919) % ENTRY_COUNT;
            black_box(table.get(&absent[i], SeqNo::MAX).unwrap())
        })
    });
    c.bench_function("bloom/probe (10 bits per key, absent key)", |b| {
        b.iter(|| {
            i = (i + 7919) % ENTRY_COUNT;
            black_box(table.may_contain(&absent[i]))
        })
    });
    c.bench_function("bloom/probe (10 bits per key, present key)", |b| {
        b.iter(|| {
            i = (i + 7919) % ENTRY_COUNT;
            black_box(table.may_contain(&present[i]))
        })
    });
}

criterion_group!(benches, point_gets);
criterion_main!(benches);
