//! `dynacore-bench writers`: durable (`Durability::Sync`) put throughput
//! for several writer-thread counts, each on a fresh database, with the
//! group-commit and `fdatasync` figures that explain it. The timed phase is
//! the shared [`run_timed`](super::run_timed) driver.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use dynacore::{AttributeValue, Durability, Handoff, Item};

use super::{
    CountList, Latencies, Scratch, VALUE_BYTES_MAX, check_poisoned, config_line, counted,
    latency_line, merge, new_histogram, open_db, parse_seconds, parse_thread_counts,
    print_background, ratio_pair, run_timed, string_key_schema,
};

/// The table `writers` uses.
const WRITERS_TABLE: &str = "writers";

/// Options of `dynacore-bench writers`.
#[derive(Args, Debug)]
pub struct WritersArgs {
    /// Writer-thread counts to measure, one after another, each on a fresh database.
    #[arg(long, default_value = "1,64", value_parser = parse_thread_counts)]
    writers: CountList,
    /// Seconds of writing per writer count.
    #[arg(long, default_value = "3", value_parser = parse_seconds)]
    seconds: Duration,
    /// Shards (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=dynacore::limits::SHARD_COUNT_MAX as u64))]
    shards: Option<u64>,
    /// Bytes of the one value attribute.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=VALUE_BYTES_MAX))]
    value_bytes: u64,
    /// Parent directory for the databases (fresh subdirectories, kept;
    /// default: a temp directory, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// Runs `dynacore-bench writers`.
#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
pub fn run_writers(args: &WritersArgs) -> anyhow::Result<()> {
    let scratch = Scratch::new(args.dir.as_deref(), "writers");
    let counts = &args.writers.0;
    let value_bytes = args.value_bytes as usize;
    println!(
        "dynacore-bench writers: writer counts {counts:?}, {:.1} s each, one {value_bytes} B value per item, durability sync, dir {}",
        args.seconds.as_secs_f64(),
        scratch.root.display()
    );
    let mut rates = Vec::with_capacity(counts.len());
    for (index, &writers) in counts.iter().enumerate() {
        let tag = format!("writers={writers}");
        let dir = scratch.fresh(&format!("writers-{index}-{writers}"))?;
        let db = open_db(
            &dir,
            Durability::Sync,
            args.shards.map(|n| n as usize),
            Handoff::CallerRuns,
        )?;
        db.create_table(WRITERS_TABLE, string_key_schema())?;
        println!(
            "{}",
            config_line(
                &tag,
                &db,
                Durability::Sync,
                writers,
                &format!(
                    ", value {value_bytes} B, {:.1} s",
                    args.seconds.as_secs_f64()
                )
            )
        );
        let before = db.stats();
        let value = "v".repeat(value_bytes);
        let timed = run_timed(writers, args.seconds, |thread, deadline| {
            let mut item = Item::new();
            item.insert("v".to_owned(), AttributeValue::S(value.clone()));
            let mut latencies = Latencies {
                operations: 0,
                histogram: new_histogram()?,
            };
            loop {
                let key = format!("w{thread}-{}", latencies.operations);
                item.insert("pk".to_owned(), AttributeValue::S(key));
                let t = Instant::now();
                db.put_item(WRITERS_TABLE, &item)?;
                let ended = Instant::now();
                latencies
                    .histogram
                    .saturating_record(ended.duration_since(t).as_nanos() as u64);
                latencies.operations += 1;
                if ended >= deadline {
                    return Ok((latencies, ended));
                }
            }
        })?;
        let after = db.stats();
        let total = merge(&timed.outcomes)?;
        let rate = total.operations as f64 / timed.elapsed.as_secs_f64();
        rates.push(rate);
        println!(
            "[{tag}] writes {} in {:.2} s: {rate:.0} writes/s, latency µs: {}",
            total.operations,
            timed.elapsed.as_secs_f64(),
            latency_line(&total.histogram)
        );
        let (mut groups, mut batches, mut batches_max) = (0u64, 0u64, 0u64);
        for (old, new) in before.shards.iter().zip(&after.shards) {
            groups += new.lsm.counters.write_groups - old.lsm.counters.write_groups;
            batches += new.lsm.counters.batches_written - old.lsm.counters.batches_written;
            batches_max = batches_max.max(new.group_commit.batches_per_group_max);
        }
        println!(
            "[{tag}] group commit: groups {groups}, batches {batches}, batches/group mean {:.2}, max {batches_max}",
            batches as f64 / groups.max(1) as f64
        );
        for (old, new) in before.shards.iter().zip(&after.shards) {
            let fsync = &new.fsync_latency;
            println!(
                "[{tag}] shard {}: write batches {}, groups {}, WAL syncs {}, fsync µs: p50 {}  p99 {}  p99.9 {}  max {}  ({} syncs)",
                new.shard.0,
                new.operations.write_batches - old.operations.write_batches,
                new.lsm.counters.write_groups - old.lsm.counters.write_groups,
                new.lsm.counters.wal_syncs - old.lsm.counters.wal_syncs,
                fsync.p50_us,
                fsync.p99_us,
                fsync.p999_us,
                fsync.max_us,
                fsync.count,
            );
        }
        print_background(&tag, &before, &after);
        check_poisoned(&tag, &after);
        drop(db);
    }
    if let Some((high, base)) = ratio_pair(counts) {
        println!(
            "ratio {} / {}: {:.1}×",
            counted(counts[high], "writer"),
            counted(counts[base], "writer"),
            rates[high] / rates[base]
        );
    }
    Ok(())
}
