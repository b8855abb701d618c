//! `dynacore-bench spread`: a 50/50 read/update mix for several shard
//! counts, with each shard's share of the work; a fresh, freshly loaded
//! database per shard count (the count is fixed when a database is
//! created). The timed phase is the shared [`run_timed`](super::run_timed)
//! driver.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use dynacore::{AttributeValue, Durability, Handoff};

use crate::load::{make_item, ycsb_key};

use super::{
    CountList, ITEM_COUNT_MAX, Latencies, Scratch, SplitMix64, THREAD_COUNT_MAX, YCSB_FIELD_BYTES,
    YCSB_FIELD_COUNT, YCSB_TABLE, check_poisoned, config_line, counted, latency_line, load_ycsb,
    merge, new_histogram, open_db, operation_counts, parse_seconds, parse_shard_counts,
    print_background, print_shapes, ratio_pair, run_timed, thread_seed, wait_for_background_idle,
    ycsb_primary_key,
};

/// Options of `dynacore-bench spread`.
#[derive(Args, Debug)]
pub struct SpreadArgs {
    /// Shard counts to measure, each on a freshly loaded database.
    #[arg(long, default_value = "1,2", value_parser = parse_shard_counts)]
    shards: CountList,
    /// Client threads.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=THREAD_COUNT_MAX as u64))]
    threads: u64,
    /// Items to preload (YCSB keys, 10 fields × 100 B).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=ITEM_COUNT_MAX))]
    items: u64,
    /// Seconds of the read/update mix per shard count.
    #[arg(long, default_value = "3", value_parser = parse_seconds)]
    seconds: Duration,
    /// Parent directory for the databases (fresh subdirectories, kept;
    /// default: a temp directory, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// One client thread's reads and updates of a `spread` run.
#[derive(Debug)]
struct Mix {
    reads: Latencies,
    updates: Latencies,
}

/// Runs `dynacore-bench spread`.
#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
pub fn run_spread(args: &SpreadArgs) -> anyhow::Result<()> {
    let scratch = Scratch::new(args.dir.as_deref(), "spread");
    let counts = &args.shards.0;
    let threads = args.threads as usize;
    let items = args.items;
    println!(
        "dynacore-bench spread: shard counts {counts:?}, {threads} threads, 50/50 read/update over {items} items, {:.1} s each, dir {}",
        args.seconds.as_secs_f64(),
        scratch.root.display()
    );
    let mut rates = Vec::with_capacity(counts.len());
    for (index, &shards) in counts.iter().enumerate() {
        let tag = format!("spread shards={shards}");
        let dir = scratch.fresh(&format!("spread-{index}-{shards}"))?;
        let db = open_db(&dir, Durability::None, Some(shards), Handoff::CallerRuns)?;
        load_ycsb(&tag, &db, items)?;
        wait_for_background_idle(&tag, &db);
        print_shapes(&tag, &db.stats());
        println!(
            "{}",
            config_line(
                &tag,
                &db,
                Durability::None,
                threads,
                &format!(
                    ", items {items}, 50% reads 50% updates, {:.1} s",
                    args.seconds.as_secs_f64()
                )
            )
        );
        let before_stats = db.stats();
        let before = operation_counts(&before_stats);
        let timed = run_timed(threads, args.seconds, |thread, deadline| {
            let mut rng = SplitMix64::new(thread_seed(thread));
            // The full item an update writes; only its key changes.
            let mut item = make_item(
                "",
                YCSB_FIELD_COUNT,
                YCSB_FIELD_BYTES,
                thread_seed(thread) % 1_000,
            );
            let mut mix = Mix {
                reads: Latencies {
                    operations: 0,
                    histogram: new_histogram()?,
                },
                updates: Latencies {
                    operations: 0,
                    histogram: new_histogram()?,
                },
            };
            loop {
                let draw = rng.next_u64();
                // The top bit picks the kind; the rest picks the key.
                let keynum = ((u128::from(draw << 1) * u128::from(items)) >> 64) as u64;
                let is_read = draw >> 63 == 0;
                let (t, ended, latencies) = if is_read {
                    let key = ycsb_primary_key(keynum);
                    let t = Instant::now();
                    let found = db.get_item(YCSB_TABLE, &key)?;
                    let ended = Instant::now();
                    anyhow::ensure!(found.is_some(), "item {keynum} was loaded but is missing");
                    (t, ended, &mut mix.reads)
                } else {
                    item.insert("pk".to_owned(), AttributeValue::S(ycsb_key(keynum)));
                    let t = Instant::now();
                    db.put_item(YCSB_TABLE, &item)?;
                    (t, Instant::now(), &mut mix.updates)
                };
                latencies
                    .histogram
                    .saturating_record(ended.duration_since(t).as_nanos() as u64);
                latencies.operations += 1;
                if ended >= deadline {
                    return Ok((mix, ended));
                }
            }
        })?;
        let after_stats = db.stats();
        let after = operation_counts(&after_stats);
        let (read_outcomes, update_outcomes): (Vec<Latencies>, Vec<Latencies>) = timed
            .outcomes
            .into_iter()
            .map(|mix| (mix.reads, mix.updates))
            .unzip();
        let reads = merge(&read_outcomes)?;
        let updates = merge(&update_outcomes)?;
        let operations = reads.operations + updates.operations;
        let rate = operations as f64 / timed.elapsed.as_secs_f64();
        rates.push(rate);
        println!(
            "[{tag}] operations {operations} in {:.2} s: {rate:.0} ops/s (reads {}, updates {})",
            timed.elapsed.as_secs_f64(),
            reads.operations,
            updates.operations
        );
        println!(
            "[{tag}] read latency µs: {}",
            latency_line(&reads.histogram)
        );
        println!(
            "[{tag}] update latency µs: {}",
            latency_line(&updates.histogram)
        );
        for (shard, (old, new)) in before.iter().zip(&after).enumerate() {
            let gets = new.gets - old.gets;
            let writes = new.write_batches - old.write_batches;
            println!(
                "[{tag}] shard {shard}: gets {gets}, write_batches {writes}, share {:.1}% of operations",
                100.0 * (gets + writes) as f64 / operations.max(1) as f64
            );
        }
        print_background(&tag, &before_stats, &after_stats);
        check_poisoned(&tag, &after_stats);
        drop(db);
    }
    if let Some((high, base)) = ratio_pair(counts) {
        println!(
            "ratio {} / {}: {:.2}×",
            counted(counts[high], "shard"),
            counted(counts[base], "shard"),
            rates[high] / rates[base]
        );
    }
    Ok(())
}
