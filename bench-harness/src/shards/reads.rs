//! `dynacore-bench reads`: cached point reads through the embedded handle
//! for each hand-off mode ([`HandoffArg`]) and client-thread count. The data
//! is loaded once and the database reopened per hand-off mode (it is a
//! builder option); each timed phase is the shared
//! [`run_timed`](super::run_timed) driver.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use dynacore::{Durability, Handoff};

use super::{
    CountList, ITEM_COUNT_MAX, Latencies, Scratch, SplitMix64, YCSB_TABLE, check_poisoned,
    config_line, latency_line, load_ycsb, merge, new_histogram, open_db, operation_counts,
    parse_seconds, parse_thread_counts, print_background, print_shapes, run_timed, thread_seed,
    wait_for_background_idle, ycsb_primary_key,
};

/// Spins of the `shard-thread-spin` hand-off before parking (each a `pause`,
/// ~10–40 ns, so tens of µs: longer than a cached read, shorter than a sync).
const SHARD_THREAD_SPIN_ITERATIONS: u32 = 20_000;

/// How a `reads` run's blocking calls reach their shard.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum HandoffArg {
    /// `Handoff::CallerRuns`: the caller's thread serves its own read.
    Caller,
    /// `Handoff::ShardThread { spin_iterations: 0 }`: the shard thread serves
    /// it; the caller parks at once.
    ShardThread,
    /// `Handoff::ShardThread { spin_iterations: 20_000 }`: the caller spins
    /// tens of µs before parking.
    ShardThreadSpin,
}

impl HandoffArg {
    fn handoff(self) -> Handoff {
        match self {
            HandoffArg::Caller => Handoff::CallerRuns,
            HandoffArg::ShardThread => Handoff::ShardThread { spin_iterations: 0 },
            HandoffArg::ShardThreadSpin => Handoff::ShardThread {
                spin_iterations: SHARD_THREAD_SPIN_ITERATIONS,
            },
        }
    }

    fn name(self) -> &'static str {
        match self {
            HandoffArg::Caller => "caller",
            HandoffArg::ShardThread => "shard-thread",
            HandoffArg::ShardThreadSpin => "shard-thread-spin",
        }
    }
}

/// Options of `dynacore-bench reads`.
#[derive(Args, Debug)]
pub struct ReadsArgs {
    /// Reader-thread counts to measure per hand-off mode.
    #[arg(long, default_value = "1,4", value_parser = parse_thread_counts)]
    threads: CountList,
    /// Items to load (YCSB keys, 10 fields × 100 B).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=ITEM_COUNT_MAX))]
    items: u64,
    /// Seconds of reading per configuration.
    #[arg(long, default_value = "3", value_parser = parse_seconds)]
    seconds: Duration,
    /// Hand-off modes to measure; the database is reopened for each.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "caller,shard-thread,shard-thread-spin"
    )]
    handoff: Vec<HandoffArg>,
    /// Shards (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=dynacore::limits::SHARD_COUNT_MAX as u64))]
    shards: Option<u64>,
    /// Parent directory for the database (a fresh subdirectory, kept;
    /// default: a temp directory, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// Runs `dynacore-bench reads`.
#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
pub fn run_reads(args: &ReadsArgs) -> anyhow::Result<()> {
    let scratch = Scratch::new(args.dir.as_deref(), "reads");
    let dir = scratch.fresh("reads")?;
    let counts = &args.threads.0;
    let items = args.items;
    println!(
        "dynacore-bench reads: {items} items, hand-offs {:?}, thread counts {counts:?}, {:.1} s each, uniform keys, dir {}",
        args.handoff.iter().map(|h| h.name()).collect::<Vec<_>>(),
        args.seconds.as_secs_f64(),
        dir.display()
    );
    let shards = args.shards.map(|n| n as usize);
    {
        let db = open_db(&dir, Durability::None, shards, Handoff::CallerRuns)?;
        load_ycsb("reads load", &db, items)?;
        print_shapes("reads load", &db.stats());
        // Closed here; each hand-off mode reopens it.
    }
    for &mode in &args.handoff {
        let db = open_db(&dir, Durability::None, shards, mode.handoff())?;
        let opened_tag = format!("reads handoff={}", mode.name());
        wait_for_background_idle(&opened_tag, &db);
        print_shapes(&opened_tag, &db.stats());
        for &threads in counts {
            let tag = format!("reads handoff={} threads={threads}", mode.name());
            println!(
                "{}",
                config_line(
                    &tag,
                    &db,
                    Durability::None,
                    threads,
                    &format!(", items {items}, {:.1} s", args.seconds.as_secs_f64())
                )
            );
            let before_stats = db.stats();
            let before = operation_counts(&before_stats);
            let timed = run_timed(threads, args.seconds, |thread, deadline| {
                let mut rng = SplitMix64::new(thread_seed(thread));
                let mut latencies = Latencies {
                    operations: 0,
                    histogram: new_histogram()?,
                };
                loop {
                    let keynum = rng.below(items);
                    let key = ycsb_primary_key(keynum);
                    let t = Instant::now();
                    let found = db.get_item(YCSB_TABLE, &key)?;
                    let ended = Instant::now();
                    latencies
                        .histogram
                        .saturating_record(ended.duration_since(t).as_nanos() as u64);
                    latencies.operations += 1;
                    anyhow::ensure!(found.is_some(), "item {keynum} was loaded but is missing");
                    if ended >= deadline {
                        return Ok((latencies, ended));
                    }
                }
            })?;
            let after_stats = db.stats();
            let after = operation_counts(&after_stats);
            let total = merge(&timed.outcomes)?;
            println!(
                "[{tag}] reads {} in {:.2} s: {:.0} reads/s, latency µs: {}",
                total.operations,
                timed.elapsed.as_secs_f64(),
                total.operations as f64 / timed.elapsed.as_secs_f64(),
                latency_line(&total.histogram)
            );
            let gets: Vec<String> = before
                .iter()
                .zip(&after)
                .enumerate()
                .map(|(shard, (old, new))| format!("{shard}={}", new.gets - old.gets))
                .collect();
            println!("[{tag}] gets per shard: {}", gets.join(" "));
            print_background(&tag, &before_stats, &after_stats);
        }
        check_poisoned(&opened_tag, &db.stats());
    }
    Ok(())
}
