//! The `load` command: bulk load, read back, report.
//!
//! Keys follow YCSB's: `"user" + fnvhash64(keynum)`, so they arrive in
//! random key order, as in a YCSB load phase. Each item has the key and
//! `--fields` string attributes of `--field-bytes` bytes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, ValueEnum};
use dynacore::{
    AttributeValue, Db, Durability, Item, KeyAttribute, KeyType, KeyValue, PrimaryKey, TableSchema,
};
use hdrhistogram::Histogram;

/// Options of `dynacore-bench load`.
#[derive(Args, Debug)]
pub struct LoadArgs {
    /// Number of items to load.
    #[arg(long, default_value_t = 100_000)]
    items: u64,
    /// String attributes per item.
    #[arg(long, default_value_t = 10)]
    fields: usize,
    /// Bytes per attribute value.
    #[arg(long, default_value_t = 100)]
    field_bytes: usize,
    /// Database directory (default: a fresh directory under the temp dir, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// When writes become durable. `sync` pays one fdatasync per item.
    #[arg(long, value_enum, default_value_t = DurabilityArg::None)]
    durability: DurabilityArg,
    /// Memtable budget in MiB.
    #[arg(long, default_value_t = 16)]
    memtable_mib: usize,
    /// Compact until idle after loading, before reading back.
    #[arg(long)]
    compact: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum DurabilityArg {
    Sync,
    Interval,
    None,
}

/// YCSB's key for `keynum`: "user" + FNV-1a-64 over its 8 little-endian
/// bytes, in Java's signed arithmetic, made non-negative with Java's Math.abs.
pub fn ycsb_key(keynum: u64) -> String {
    let mut hash: i64 = 0xCBF2_9CE4_8422_2325_u64 as i64;
    let mut value = keynum as i64;
    for _ in 0..8 {
        let octet = value & 0xff;
        value >>= 8;
        hash ^= octet;
        hash = hash.wrapping_mul(1_099_511_628_211);
    }
    format!("user{}", hash.wrapping_abs())
}

pub(crate) fn make_item(key: &str, fields: usize, field_bytes: usize, seed: u64) -> Item {
    let mut item = BTreeMap::new();
    item.insert("pk".to_owned(), AttributeValue::S(key.to_owned()));
    for field in 0..fields {
        // Printable ASCII derived from the seed, as YCSB's values are.
        let value: String = (0..field_bytes)
            .map(|i| (b'!' + ((seed as usize + field * 31 + i * 7) % 94) as u8) as char)
            .collect();
        item.insert(format!("field{field}"), AttributeValue::S(value));
    }
    item
}

fn percentiles(name: &str, histogram: &Histogram<u64>, elapsed: Duration) {
    let count = histogram.len();
    println!(
        "[{name}] operations {count}, throughput {:.0} ops/s, latency µs: p50 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
        count as f64 / elapsed.as_secs_f64(),
        histogram.value_at_quantile(0.50) as f64 / 1000.0,
        histogram.value_at_quantile(0.99) as f64 / 1000.0,
        histogram.value_at_quantile(0.999) as f64 / 1000.0,
        histogram.max() as f64 / 1000.0,
    );
}

/// Runs the load command.
#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
pub fn run(args: &LoadArgs) -> anyhow::Result<()> {
    let (dir, remove_after) = match &args.dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("dynacore-load-{}", std::process::id())),
            true,
        ),
    };
    let durability = match args.durability {
        DurabilityArg::Sync => Durability::Sync,
        DurabilityArg::Interval => Durability::Interval(Duration::from_millis(10)),
        DurabilityArg::None => Durability::None,
    };
    println!(
        "dynacore-bench load: {} items, {} × {} B fields, durability {:?}, memtable {} MiB, dir {}",
        args.items,
        args.fields,
        args.field_bytes,
        args.durability,
        args.memtable_mib,
        dir.display()
    );
    let db = Db::builder(&dir)
        .durability(durability)
        .memtable_size_bytes_max(args.memtable_mib << 20)
        .open()
        .with_context(|| format!("opening {}", dir.display()))?;
    let schema = TableSchema {
        partition_key: KeyAttribute {
            name: "pk".into(),
            key_type: KeyType::S,
        },
        sort_key: None,
    };
    if db.describe_table("usertable").is_err() {
        db.create_table("usertable", schema)?;
    }

    let mut put_latency = Histogram::<u64>::new(3)?;
    let mut logical_bytes = 0u64;
    let started = Instant::now();
    for keynum in 0..args.items {
        let key = ycsb_key(keynum);
        let item = make_item(&key, args.fields, args.field_bytes, keynum);
        logical_bytes += (key.len() + args.fields * args.field_bytes) as u64;
        let t = Instant::now();
        db.put_item("usertable", &item)?;
        put_latency.record(t.elapsed().as_nanos() as u64)?;
    }
    db.sync()?;
    let load_elapsed = started.elapsed();
    percentiles("LOAD", &put_latency, load_elapsed);

    if args.compact {
        let t = Instant::now();
        db.compact()?;
        println!("[COMPACT] until idle: {:.2} s", t.elapsed().as_secs_f64());
    }

    let mut get_latency = Histogram::<u64>::new(3)?;
    let started = Instant::now();
    for keynum in 0..args.items {
        let key = ycsb_key(keynum);
        let primary = PrimaryKey {
            partition: KeyValue::S(key.clone()),
            sort: None,
        };
        let t = Instant::now();
        let found = db.get_item("usertable", &primary)?;
        get_latency.record(t.elapsed().as_nanos() as u64)?;
        let item = found.with_context(|| format!("{key} was loaded but is missing"))?;
        anyhow::ensure!(
            item == make_item(&key, args.fields, args.field_bytes, keynum),
            "{key} reads back different"
        );
    }
    percentiles("READ", &get_latency, started.elapsed());
    println!(
        "read back all {} items: every one present and identical",
        args.items
    );

    let stats = db.stats().combined();
    let c = &stats.counters;
    println!(
        "write amplification: (flush {} + compaction {} bytes) / user {} bytes = {:.2}  (WAL adds {} bytes)",
        c.flush_bytes_written,
        c.compaction_bytes_written,
        c.user_bytes_written,
        stats.write_amplification(),
        c.wal_bytes_written
    );
    println!(
        "space amplification: SSTables {} bytes + memtable {} bytes / logical data {} bytes = {:.2}",
        stats.sstable_size_bytes(),
        stats.memtable_size_bytes,
        logical_bytes,
        (stats.sstable_size_bytes() + stats.memtable_size_bytes as u64) as f64
            / logical_bytes.max(1) as f64
    );
    for (level, l) in stats
        .levels
        .iter()
        .enumerate()
        .filter(|(_, l)| l.file_count > 0)
    {
        println!(
            "  L{level}: {} files, {:.1} MiB",
            l.file_count,
            l.size_bytes as f64 / (1 << 20) as f64
        );
    }
    println!(
        "flushes {}, compactions {}, trivial moves {}, write stalls {}, WAL syncs {}, bloom negatives {}/{} tables considered",
        c.flush_count,
        c.compaction_count,
        c.trivial_move_count,
        c.write_stall_count,
        c.wal_syncs,
        c.get_bloom_negatives,
        c.get_tables_considered
    );
    drop(db);
    if remove_after {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ycsb_key;

    #[test]
    fn ycsb_keys_match_the_reference_vectors() {
        assert_eq!(ycsb_key(0), "user6284781860667377211");
        assert_eq!(ycsb_key(1), "user8517097267634966620");
        assert_eq!(ycsb_key(2), "user1820151046732198393");
        assert_eq!(ycsb_key(999_999), "user2744965632448235251");
    }
}
