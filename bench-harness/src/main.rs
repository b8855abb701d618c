//! `dynacore-bench`: benchmarks of the embedded engine.
//!
//! `dynacore-bench load` is the project's main job for now: it loads items
//! into an embedded database, reads every one back, and prints what it did —
//! throughput, latency percentiles, write and space amplification, and the
//! shape of the LSM. The YCSB workloads A–F arrive with their issue.

mod load;

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
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Load(args) => load::run(&args),
    }
}
