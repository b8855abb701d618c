//! `dynacore`: the server (`dynacore serve`) and a CLI for humans that
//! talks to a running server (`dynacore put`, `get`, `query` ...).

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Debug, Parser)]
#[command(
    name = "dynacore",
    version,
    about = "dynacore: a DynamoDB-style storage engine and server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(dynacore_server::server::ServeArgs),
    #[command(flatten)]
    Client(dynacore_server::cli::Command),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve(args) => dynacore_server::server::run(args),
        Command::Client(command) => dynacore_server::cli::run(command),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dynacore: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
