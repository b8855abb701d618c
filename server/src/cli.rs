//! The CLI for humans (placeholder until the client lands).

/// The CLI's subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the tables.
    ListTables,
}

/// Runs one CLI command.
pub fn run(command: Command) -> anyhow::Result<()> {
    anyhow::bail!("{command:?}: the client is not written yet")
}
