//! The YCSB command: `dynacore-bench --workload a --target embedded,rocksdb`.
//!
//! For each target, one after another on the same workload: a fresh
//! directory, the load phase, the run phase, then disk and memory figures.
//! Then the YCSB-style text per target, the comparison table, and on request
//! a JSON file and a self-contained HTML report.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::driver::{self, RunOptions};
use crate::report;
use crate::results::{MachineInfo, RunConfig, RunReport, TargetReport};
use crate::targets::{self, DurabilityMode};
use crate::workload::{SharedState, WorkloadSpec};

/// Records a preset workload loads unless `--records` says otherwise.
const DEFAULT_RECORDS: u64 = 1_000_000;
/// Operations a preset workload runs unless `--operations` says otherwise.
const DEFAULT_OPERATIONS: u64 = 1_000_000;

/// Options of the YCSB benchmark (the default command).
#[derive(Args, Debug)]
pub struct YcsbArgs {
    /// YCSB core workload `a`…`f`, or the path of a YCSB-style properties file.
    #[arg(long, short = 'w', default_value = "a")]
    pub workload: String,
    /// Targets to run, one after another: embedded, server (binary protocol
    /// over loopback), dynamodb (DynamoDB JSON API over loopback HTTP), null,
    /// rocksdb, fjall, redb (the last three need `--features baselines`).
    #[arg(long, short = 't', value_delimiter = ',', default_value = "embedded")]
    pub target: Vec<String>,
    /// Records to load (YCSB's recordcount; default for a..f: 1,000,000).
    #[arg(long)]
    pub records: Option<u64>,
    /// Operations in the run phase (YCSB's operationcount; default for a..f:
    /// 1,000,000), unless --duration-s.
    #[arg(long)]
    pub operations: Option<u64>,
    /// Run for this many seconds (after the warm-up) instead of --operations.
    #[arg(long)]
    pub duration_s: Option<f64>,
    /// Seconds at the start of the run phase whose operations are not measured.
    #[arg(long, default_value_t = 2.0)]
    pub warmup_s: f64,
    /// The `server` target's server; default: start one in this process on a
    /// free loopback port.
    #[arg(long)]
    pub server_addr: Option<String>,
    /// The `dynamodb` target's DynamoDB JSON API endpoint, HOST:PORT (e.g.
    /// a `dynacore serve` at 127.0.0.1:8000); default: start a server in
    /// this process with its DynamoDB listener on a free loopback port.
    #[arg(long)]
    pub dynamodb_addr: Option<String>,
    /// Client threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Open loop at this many operations per second (all threads together);
    /// latency then counts from each operation's intended start.
    #[arg(long)]
    pub target_ops_per_s: Option<f64>,
    /// Durability of every target's writes (mapped to each engine's setting).
    #[arg(long, value_enum, default_value_t = DurabilityMode::None)]
    pub durability: DurabilityMode,
    /// Cache bytes for every target: dynacore's item cache (embedded, and
    /// servers this process starts; 0 turns its item and query caches off)
    /// and each baseline's cache (RocksDB's block cache, fjall's block cache,
    /// redb's page cache). Default: dynacore's defaults (256 MiB of items,
    /// 32 MiB of query pages), 1 GiB for the baselines.
    #[arg(long, value_name = "BYTES")]
    pub cache_bytes: Option<usize>,
    /// dynacore's cache eviction policy, `lru` or `s3fifo` (default: the
    /// engine's, S3-FIFO); the baselines keep theirs.
    #[arg(long, value_parser = parse_cache_policy, value_name = "POLICY")]
    pub cache_policy: Option<dynacore::CachePolicy>,
    /// dynacore's item cache admission, `always` or `second-miss` (default:
    /// the engine's, second-miss).
    #[arg(long, value_parser = parse_cache_admission, value_name = "ADMISSION")]
    pub cache_admission: Option<dynacore::CacheAdmission>,
    /// Where targets keep their files (a subdirectory each); default: a fresh
    /// temporary directory, removed afterwards.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// YCSB property overrides, `-p key=value` (repeatable).
    #[arg(short = 'p', value_name = "KEY=VALUE")]
    pub property: Vec<String>,
    /// Seed of the client threads' generators.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write every figure as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Also write a self-contained HTML report (inline SVG) to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

fn parse_cache_admission(text: &str) -> Result<dynacore::CacheAdmission, String> {
    match text {
        "always" => Ok(dynacore::CacheAdmission::Always),
        "second-miss" => Ok(dynacore::CacheAdmission::SecondMiss),
        other => Err(format!(
            "unknown cache admission {other:?}: use always or second-miss"
        )),
    }
}

fn parse_cache_policy(text: &str) -> Result<dynacore::CachePolicy, String> {
    match text {
        "lru" => Ok(dynacore::CachePolicy::Lru),
        "s3fifo" => Ok(dynacore::CachePolicy::S3Fifo),
        other => Err(format!("unknown cache policy {other:?}: use lru or s3fifo")),
    }
}

/// The workload the arguments describe.
fn workload_spec(args: &YcsbArgs) -> anyhow::Result<WorkloadSpec> {
    let mut spec = match args.workload.as_str() {
        name @ ("a" | "b" | "c" | "d" | "e" | "f") => WorkloadSpec::preset(name)?,
        path if std::path::Path::new(path).exists() => {
            WorkloadSpec::from_properties_file(std::path::Path::new(path))?
        }
        other => anyhow::bail!(
            "unknown workload `{other}`: expected a, b, c, d, e, f or the path of a \
             YCSB properties file"
        ),
    };
    for property in &args.property {
        let (key, value) = property
            .split_once('=')
            .with_context(|| format!("-p {property}: expected key=value"))?;
        spec.set(key.trim(), value.trim())?;
    }
    // YCSB's preset files load 1,000 records and run 1,000 operations, too
    // few to measure anything; the presets get sizes that take about a
    // minute here instead, unless told otherwise.
    let preset = args.workload.len() == 1;
    let records = args.records.or(preset.then_some(DEFAULT_RECORDS));
    let operations = args.operations.or(preset.then_some(DEFAULT_OPERATIONS));
    if let Some(records) = records {
        spec.set("recordcount", &records.to_string())?;
    }
    if let Some(operations) = operations {
        spec.set("operationcount", &operations.to_string())?;
    }
    spec.validate()?;
    Ok(spec)
}

fn machine_info() -> MachineInfo {
    #[allow(clippy::disallowed_methods)] // Reads /proc for the report.
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu_model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let memory_bytes = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024);
    MachineInfo {
        cpu_model,
        cpu_count: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_bytes,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
    }
}

/// Resets the kernel's record of this process's peak resident set size
/// (`echo 5 > /proc/self/clear_refs`, Linux 4.0+), so that each target's
/// peak is its own although all run in one process.
#[allow(clippy::disallowed_methods)] // A /proc control file, not engine data.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident set size since [`reset_peak_rss`] (`VmHWM`), in bytes;
/// the process's lifetime peak if /proc cannot tell.
#[allow(clippy::disallowed_methods)] // Reads /proc for the report.
fn peak_rss_since_reset() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or_else(|| driver::process_usage().1, |kb| kb * 1024)
}

fn git_commit() -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Runs the benchmark the arguments describe.
#[allow(clippy::disallowed_methods)] // Manages its own scratch directories.
pub fn run(args: &YcsbArgs) -> anyhow::Result<()> {
    let spec = workload_spec(args)?;
    anyhow::ensure!(args.threads >= 1, "--threads must be at least 1");
    anyhow::ensure!(
        args.duration_s.is_none_or(|d| d > 0.0),
        "--duration-s must be positive"
    );
    anyhow::ensure!(args.warmup_s >= 0.0, "--warmup-s must not be negative");
    anyhow::ensure!(
        args.target_ops_per_s.is_none_or(|r| r > 0.0),
        "--target-ops-per-s must be positive"
    );
    for name in &args.target {
        anyhow::ensure!(
            targets::TARGET_NAMES.contains(&name.as_str()),
            "unknown target `{name}`: expected one of {}",
            targets::TARGET_NAMES.join(", ")
        );
    }
    let (root, remove_after) = match &args.data_dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("dynacore-ycsb-{}", std::process::id())),
            true,
        ),
    };
    let result = run_targets(args, &spec, &root);
    if remove_after {
        let _ = std::fs::remove_dir_all(&root);
    }
    let report = result?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    report::print_ycsb_text(&report, &mut out)?;
    report::print_comparison(&report, &mut out)?;
    if let Some(path) = &args.json {
        report::write_json(&report, path)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.report {
        report::write_html(&report, path)?;
        eprintln!("wrote {} (open it in a browser)", path.display());
    }
    Ok(())
}

fn run_targets(
    args: &YcsbArgs,
    spec: &WorkloadSpec,
    root: &std::path::Path,
) -> anyhow::Result<RunReport> {
    let options = RunOptions {
        threads: args.threads,
        operation_count: spec.operation_count,
        duration: args.duration_s.map(Duration::from_secs_f64),
        warmup: Duration::from_secs_f64(args.warmup_s),
        target_ops_per_s: args.target_ops_per_s,
        seed: args.seed,
    };
    let mut reports = Vec::new();
    for name in &args.target {
        let dir = root.join(name);
        #[allow(clippy::disallowed_methods)] // Fresh scratch directory per target.
        {
            if dir.exists() {
                anyhow::bail!(
                    "target {name}: {} already exists; remove it or pass another --data-dir",
                    dir.display()
                );
            }
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("target {name}: creating {}", dir.display()))?;
        }
        reset_peak_rss();
        let server = targets::ServerOptions {
            addr: args.server_addr.clone(),
            dynamodb_addr: args.dynamodb_addr.clone(),
            threads: args.threads,
        };
        let cache_budget = targets::CacheBudget {
            bytes: args.cache_bytes,
            policy: args.cache_policy,
            admission: args.cache_admission,
        };
        let target = targets::open(
            name,
            &dir,
            args.durability,
            spec.field_count,
            &server,
            cache_budget,
        )
        .with_context(|| format!("target {name}"))?;
        let shared = Arc::new(SharedState::new(spec));
        eprintln!(
            "[{name}] loading {} records with {} threads",
            spec.record_count, args.threads
        );
        let load = driver::load(&*target, spec, &shared, args.threads, name)?;
        eprintln!("[{name}] running workload {}", args.workload);
        let cache_before = target.cache_stats();
        let run = driver::run(&*target, spec, &shared, &options, name)?;
        // The run phase's own figures: its counters less the load phase's.
        let cache = match (target.cache_stats(), cache_before) {
            (Some(after), Some(before)) => Some(after.since(&before)),
            (after, _) => after,
        };
        let settings = target.settings();
        let disk_bytes = target.disk_bytes();
        let name = target.name().to_owned();
        drop(target);
        reports.push(TargetReport {
            name,
            settings,
            load,
            run,
            disk_bytes,
            peak_rss_bytes: peak_rss_since_reset(),
            cache,
        });
    }
    Ok(RunReport {
        workload: args.workload.clone(),
        properties: spec.properties(),
        config: RunConfig {
            threads: args.threads,
            record_count: spec.record_count,
            operation_count: args.duration_s.is_none().then_some(spec.operation_count),
            duration_s: args.duration_s,
            warmup_s: args.warmup_s,
            target_ops_per_s: args.target_ops_per_s,
            durability: match args.durability {
                DurabilityMode::Sync => "sync".into(),
                DurabilityMode::None => "none".into(),
            },
            cache_bytes: args.cache_bytes,
        },
        machine: machine_info(),
        git_commit: git_commit(),
        targets: reports,
    })
}
