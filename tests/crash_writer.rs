//! Child process for the SIGKILL crash test (`tests/it/crash.rs`).
//!
//! Usage: `crash-writer DIR FIRST_INDEX SEED`. Opens the database in DIR
//! under `Durability::Sync` with a small memtable (so flushes and compactions
//! run while it is killed), then writes items `k{FIRST_INDEX}`,
//! `k{FIRST_INDEX+1}`, … forever, sometimes deleting an earlier one, and
//! prints `put N` / `del N` on stdout after each write is acknowledged
//! (and `deleting N` before a delete starts). The
//! parent kills it with SIGKILL at a random moment and checks that every
//! acknowledged write survived.

use std::io::Write;

use dynacore::{Db, Durability};
use dynacore_tests::{Rng, item, key, string_schema};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() == 4, "usage: crash-writer DIR FIRST_INDEX SEED");
    let dir = &args[1];
    let first: u64 = args[2].parse()?;
    let mut rng = Rng::new(args[3].parse()?);
    let db = Db::builder(dir)
        .durability(Durability::Sync)
        .memtable_size_bytes_max(64 * 1024)
        .background_slice_entries(64)
        .open()?;
    if db.describe_table("crash").is_err() {
        db.create_table("crash", string_schema())?;
    }
    let stdout = std::io::stdout();
    let padding = "x".repeat(200);
    for index in first.. {
        let name = format!("k{index}");
        let value = format!("{index}-{padding}");
        db.put_item("crash", &item(&name, None, &[("v", &value)]))?;
        writeln!(stdout.lock(), "put {index}")?;
        if index > first && rng.chance(10) {
            let victim = first + rng.below(index - first);
            // Announced first: if the kill lands mid-delete, the parent
            // knows this key's state is undetermined.
            writeln!(stdout.lock(), "deleting {victim}")?;
            db.delete_item("crash", &key(&format!("k{victim}"), None))?;
            writeln!(stdout.lock(), "del {victim}")?;
        }
    }
    Ok(())
}
