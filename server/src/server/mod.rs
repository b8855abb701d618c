//! The server runtime: one event loop per shard core (placeholder until
//! the runtime lands).

pub mod poll;

/// `dynacore serve`'s flags.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The database directory.
    #[arg(long, default_value = "dynacore-data")]
    pub data: std::path::PathBuf,
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!(
        "the server runtime is not written yet ({})",
        args.data.display()
    )
}
