//! `dynacore-bench`: benchmarks of the embedded engine.
//!
//! Without a subcommand it runs YCSB (`ycsb.rs`): `--workload a`…`f` or a
//! properties file, against `--target embedded,server,dynamodb,null` and,
//! with the `baselines` feature, `rocksdb,fjall,redb`, printing YCSB's
//! figures and a side-by-side table, with optional JSON and HTML reports.
//!
//! `dynacore-bench load` loads items into an embedded database, reads every
//! one back, and prints write and space amplification and the LSM's shape.
//!
//! `writers`, `reads` and `spread` (in `shards/`) measure the
//! thread-per-core layer: group commit under many durable writers, the
//! hand-off modes of point reads, and how work spreads over shards.

mod cache_policies;
mod driver;
mod load;
mod report;
mod results;
mod shards;
mod targets;
mod workload;
mod ycsb;

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser, Debug)]
#[command(
    name = "dynacore-bench",
    version,
    about = "Benchmarks of the dynacore storage engine: YCSB workloads A-F side by side \
             with other engines, and micro-benchmarks of the engine's parts",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    ycsb: ycsb::YcsbArgs,
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
    /// The item cache's eviction policies on zipfian, uniform and scan-polluted key traces.
    CachePolicies(cache_policies::CachePoliciesArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        None => ycsb::run(&cli.ycsb),
        Some(Command::Load(args)) => load::run(&args),
        Some(Command::Writers(args)) => shards::run_writers(&args),
        Some(Command::Reads(args)) => shards::run_reads(&args),
        Some(Command::Spread(args)) => shards::run_spread(&args),
        Some(Command::CachePolicies(args)) => cache_policies::run(&args),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // One line, whatever RUST_BACKTRACE says: the chain of contexts.
            eprintln!("dynacore-bench: error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
