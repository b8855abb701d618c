//! `dynacore-bench`: benchmarks of the embedded engine.
//!
//! `dynacore-bench load` is the project's main job for now: it loads items
//! into an embedded database, reads every one back, and prints what it did —
//! throughput, latency percentiles, write and space amplification, and the
//! shape of the LSM. The YCSB workloads A–F arrive with their issue.
//!
//! `writers`, `reads` and `spread` (in `shards.rs`) measure the
//! thread-per-core layer: group commit under many durable writers, the
//! hand-off modes of point reads, and how work spreads over shards.

mod load;
mod shards;

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser, Debug)]
#[command(
    name = "dynacore-bench",
    version,
    about = "Benchmarks of the dynacore storage engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load items into an embedded database, read them back, and report.
    Load(load::LoadArgs),
    /// Durable write throughput and group commit for several writer-thread counts.
    Writers(shards::WritersArgs),
    /// Cached point reads for each hand-off mode and reader-thread count.
    Reads(shards::ReadsArgs),
    /// A 50/50 read/update mix for several shard counts, and each shard's share.
    Spread(shards::SpreadArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Load(args) => load::run(&args),
        Command::Writers(args) => shards::run_writers(&args),
        Command::Reads(args) => shards::run_reads(&args),
        Command::Spread(args) => shards::run_spread(&args),
    }
}
