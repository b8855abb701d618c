//! The shard benchmarks: `writers`, `reads` and `spread`.
//!
//! Each measures the embedded engine on real files, several configurations
//! side by side in one invocation, and prints one tagged line per fact so the
//! output can be grepped (`grep '^\[reads'`, `grep ^ratio`):
//!
//! - `writers`: durable (`Durability::Sync`) put throughput for several
//!   writer-thread counts, with the group-commit and `fdatasync` figures that
//!   explain it; a fresh database per writer count.
//! - `reads`: cached point reads through the embedded handle for each
//!   hand-off mode and client-thread count; the data is loaded once and the
//!   database reopened per hand-off mode (it is a builder option).
//! - `spread`: a 50/50 read/update mix for several shard counts, with each
//!   shard's share of the work; a fresh database per shard count (the count
//!   is fixed when a database is created).
//!
//! Every measured phase is driven by [`run_timed`]: the client threads start
//! together behind a barrier, each runs until a shared deadline, and each
//! records its own per-operation latencies (nanoseconds, HdrHistogram),
//! merged afterwards. Throughput divides the operations by the time from the
//! start to the last operation's end. Engine counters are read before and
//! after each phase and printed as differences, so loading does not count.
//!
//! Databases live in a fresh directory under the temp dir, removed
//! afterwards, or in fresh subdirectories of `--dir`, kept.

use std::path::{Path, PathBuf};
use std::sync::{Barrier, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, ValueEnum};
use dynacore::shard::OperationCounts;
use dynacore::{
    AttributeValue, Db, DbStats, Durability, Handoff, Item, KeyAttribute, KeyType, KeyValue,
    PrimaryKey, TableSchema,
};
use hdrhistogram::Histogram;

use crate::load::{make_item, ycsb_key};

/// Most client threads, and most entries in a count list.
const THREAD_COUNT_MAX: usize = 1024;
/// Longest measured phase per configuration.
const SECONDS_MAX: f64 = 3600.0;
/// Most items a `reads` or `spread` run preloads.
const ITEM_COUNT_MAX: u64 = 100_000_000;
/// Largest `writers` value: DynamoDB's 400 KB item less room for the key and
/// attribute names.
const VALUE_BYTES_MAX: u64 = 390 * 1024;
/// YCSB's item shape for `reads` and `spread`: 10 fields of 100 bytes.
const YCSB_FIELD_COUNT: usize = 10;
const YCSB_FIELD_BYTES: usize = 100;
/// The table `reads` and `spread` use, as YCSB names it.
const YCSB_TABLE: &str = "usertable";
/// The table `writers` uses.
const WRITERS_TABLE: &str = "writers";
/// Largest latency a histogram records (longer ones saturate): 60 s in ns.
const LATENCY_NS_MAX: u64 = 60_000_000_000;
/// How long to wait for flushes and compactions of a load to go idle before
/// measuring; the run goes ahead anyway after that, and says so.
const BACKGROUND_IDLE_WAIT_MAX: Duration = Duration::from_secs(60);
/// How long to wait after opening for the shard threads to report their cores.
const PINNING_WAIT_MAX: Duration = Duration::from_millis(200);
/// Spins of the `shard-thread-spin` hand-off before parking (each a `pause`,
/// ~10–40 ns, so tens of µs: longer than a cached read, shorter than a sync).
const SHARD_THREAD_SPIN_ITERATIONS: u32 = 20_000;

const _: () = assert!(dynacore::limits::SHARD_COUNT_MAX <= THREAD_COUNT_MAX);
const _: () = assert!(
    VALUE_BYTES_MAX as usize + 1024 <= dynacore::limits::ITEM_SIZE_BYTES_MAX,
    "a writers item must stay within DynamoDB's item size"
);

// ----- arguments -----------------------------------------------------------

/// A comma-separated list of counts, each at least 1 (`1,64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountList(Vec<usize>);

/// Parses `text` as a comma-separated list of counts in `1..=max`.
fn parse_count_list(text: &str, max: usize) -> Result<CountList, String> {
    let mut counts = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err("an empty entry (expected a list such as 1,64)".to_owned());
        }
        let count: usize = part
            .parse()
            .map_err(|_| format!("`{part}` is not a count (expected a list such as 1,64)"))?;
        if !(1..=max).contains(&count) {
            return Err(format!("{count} is out of range 1..={max}"));
        }
        counts.push(count);
    }
    if counts.len() > THREAD_COUNT_MAX {
        return Err(format!("more than {THREAD_COUNT_MAX} entries"));
    }
    Ok(CountList(counts))
}

fn parse_thread_counts(text: &str) -> Result<CountList, String> {
    parse_count_list(text, THREAD_COUNT_MAX)
}

fn parse_shard_counts(text: &str) -> Result<CountList, String> {
    parse_count_list(text, dynacore::limits::SHARD_COUNT_MAX)
}

/// Parses a positive duration in seconds, fractions allowed (`0.5`).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= SECONDS_MAX) {
        return Err(format!("{seconds} s is out of range (0, {SECONDS_MAX}]"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Options of `dynacore-bench writers`.
#[derive(Args, Debug)]
pub struct WritersArgs {
    /// Writer-thread counts to measure, one after another, each on a fresh database.
    #[arg(long, default_value = "1,64", value_parser = parse_thread_counts)]
    writers: CountList,
    /// Seconds of writing per writer count.
    #[arg(long, default_value = "3", value_parser = parse_seconds)]
    seconds: Duration,
    /// Shards (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=dynacore::limits::SHARD_COUNT_MAX as u64))]
    shards: Option<u64>,
    /// Bytes of the one value attribute.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=VALUE_BYTES_MAX))]
    value_bytes: u64,
    /// Parent directory for the databases (fresh subdirectories, kept;
    /// default: a temp directory, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
}

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

// ----- pure helpers ----------------------------------------------------------

/// SplitMix64: a fast, well-mixed generator, one per client thread.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (Lemire's multiply-shift; the bias is below
    /// 2^-40 for any bound a benchmark uses).
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }
}

/// A distinct seed for client thread `thread` of one configuration.
fn thread_seed(thread: usize) -> u64 {
    0x00D1_7ACE_u64 ^ (thread as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Which two configurations the closing ratio compares, as indexes into
/// `counts`: the largest count against the first, or, when the first is the
/// largest, against the smallest. `None` when all counts are equal.
fn ratio_pair(counts: &[usize]) -> Option<(usize, usize)> {
    let largest = (0..counts.len()).max_by_key(|&i| counts[i])?;
    let smallest = (0..counts.len()).min_by_key(|&i| counts[i])?;
    if counts[largest] == counts[smallest] {
        return None;
    }
    let base = if counts[0] == counts[largest] {
        smallest
    } else {
        0
    };
    Some((largest, base))
}

/// `"1 writer"`, `"64 writers"`.
fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn handoff_label(handoff: Handoff) -> String {
    match handoff {
        Handoff::CallerRuns => "caller-runs".to_owned(),
        Handoff::ShardThread { spin_iterations } => {
            format!("shard-thread (spin {spin_iterations})")
        }
    }
}

fn durability_label(durability: Durability) -> String {
    match durability {
        Durability::Sync => "sync".to_owned(),
        Durability::Interval(interval) => format!("interval {} ms", interval.as_millis()),
        Durability::None => "none".to_owned(),
    }
}

fn us(nanoseconds: u64) -> f64 {
    nanoseconds as f64 / 1000.0
}

/// `latency µs: p50 … p99 … p99.9 … max …`, two decimals.
fn latency_line(histogram: &Histogram<u64>) -> String {
    format!(
        "mean {:.2}  p50 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
        histogram.mean() / 1000.0,
        us(histogram.value_at_quantile(0.50)),
        us(histogram.value_at_quantile(0.99)),
        us(histogram.value_at_quantile(0.999)),
        us(histogram.max()),
    )
}

fn new_histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, LATENCY_NS_MAX, 3)?)
}

// ----- databases and directories ---------------------------------------------

/// Where a command's databases live; removes a temp root when dropped, so
/// an error half-way leaves nothing behind.
#[derive(Debug)]
struct Scratch {
    root: PathBuf,
    remove_after: bool,
}

impl Scratch {
    fn new(dir: Option<&Path>, command: &str) -> Self {
        match dir {
            Some(dir) => Scratch {
                root: dir.to_owned(),
                remove_after: false,
            },
            None => {
                let root =
                    std::env::temp_dir().join(format!("dynacore-{command}-{}", std::process::id()));
                // Ours by name: a leftover of an earlier process with this id.
                let _ = std::fs::remove_dir_all(&root);
                Scratch {
                    root,
                    remove_after: true,
                }
            }
        }
    }

    /// A database directory `name` under the root, which must not exist yet:
    /// an old database there would be reopened, not measured fresh.
    fn fresh(&self, name: &str) -> anyhow::Result<PathBuf> {
        let path = self.root.join(name);
        anyhow::ensure!(
            !path.exists(),
            "{} already exists; remove it or pass another --dir",
            path.display()
        );
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.remove_after {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

fn string_key_schema() -> TableSchema {
    TableSchema {
        partition_key: KeyAttribute {
            name: "pk".into(),
            key_type: KeyType::S,
        },
        sort_key: None,
    }
}

fn open_db(
    dir: &Path,
    durability: Durability,
    shards: Option<usize>,
    handoff: Handoff,
) -> anyhow::Result<Db> {
    let mut builder = Db::builder(dir).durability(durability).handoff(handoff);
    if let Some(shards) = shards {
        builder = builder.shard_count(shards);
    }
    let db = builder
        .open()
        .with_context(|| format!("opening {}", dir.display()))?;
    wait_for_pinning(&db);
    Ok(db)
}

/// Waits briefly for the shard threads to pin themselves: `Db::open`
/// returns before they have, and the header reports where they run. A
/// thread the kernel refused to pin never reports a core, hence the bound.
#[allow(clippy::disallowed_methods)] // A benchmark driver waits on the real clock.
fn wait_for_pinning(db: &Db) {
    let started = Instant::now();
    while started.elapsed() < PINNING_WAIT_MAX
        && db.stats().shards.iter().any(|shard| shard.cpu.is_none())
    {
        // The driver's own thread, not a shard thread: it may sleep.
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The header every configuration prints: what exactly was measured.
fn config_line(tag: &str, db: &Db, durability: Durability, threads: usize, extra: &str) -> String {
    let stats = db.stats();
    let cpus: Vec<String> = stats
        .shards
        .iter()
        .map(|s| s.cpu.map_or_else(|| "-".to_owned(), |cpu| cpu.to_string()))
        .collect();
    format!(
        "[{tag}] config: durability {}, shards {} (pinned to cpus {}), handoff {}, io {}, threads {threads}{extra}",
        durability_label(durability),
        stats.shards.len(),
        cpus.join(","),
        handoff_label(stats.handoff),
        stats.io_backend,
    )
}

/// One line per shard with the shape of its LSM: memtable and files per level.
fn print_shapes(tag: &str, stats: &DbStats) {
    for shard in &stats.shards {
        let lsm = &shard.lsm;
        let levels: Vec<String> = lsm
            .levels
            .iter()
            .enumerate()
            .filter(|(_, level)| level.file_count > 0)
            .map(|(index, level)| {
                format!(
                    "L{index} {} files {:.1} MiB",
                    level.file_count,
                    level.size_bytes as f64 / (1 << 20) as f64
                )
            })
            .collect();
        println!(
            "[{tag}] shard {} data: memtable {:.1} MiB (+{:.1} MiB frozen), {}{}",
            shard.shard.0,
            lsm.memtable_size_bytes as f64 / (1 << 20) as f64,
            lsm.frozen_memtable_size_bytes as f64 / (1 << 20) as f64,
            if levels.is_empty() {
                "no SSTables".to_owned()
            } else {
                levels.join(", ")
            },
            if lsm.background_work_pending {
                ", background work pending"
            } else {
                ""
            }
        );
    }
}

/// Warns if any shard is poisoned (its writes fail from then on).
fn check_poisoned(tag: &str, stats: &DbStats) {
    for shard in &stats.shards {
        if let Some(reason) = &shard.lsm.poisoned {
            println!(
                "[{tag}] WARNING shard {} is poisoned: {reason}",
                shard.shard.0
            );
        }
    }
}

/// Waits until no shard has flush or compaction pending (the shard threads
/// do it by themselves), up to [`BACKGROUND_IDLE_WAIT_MAX`], so a load's
/// background work does not compete with the measured phase.
#[allow(clippy::disallowed_methods)] // A benchmark driver waits on the real clock.
fn wait_for_background_idle(tag: &str, db: &Db) {
    let started = Instant::now();
    loop {
        let busy = db
            .stats()
            .shards
            .iter()
            .any(|shard| shard.lsm.background_work_pending);
        if !busy {
            println!(
                "[{tag}] background flush/compaction idle after {:.2} s",
                started.elapsed().as_secs_f64()
            );
            return;
        }
        if started.elapsed() >= BACKGROUND_IDLE_WAIT_MAX {
            println!(
                "[{tag}] background work still pending after {:.0} s; measuring anyway",
                BACKGROUND_IDLE_WAIT_MAX.as_secs_f64()
            );
            return;
        }
        // The driver's own thread, not a shard thread: it may sleep.
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Loads `items` YCSB items (one thread, `put_item`), then makes them durable.
#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
fn load_ycsb(tag: &str, db: &Db, items: u64) -> anyhow::Result<()> {
    db.create_table(YCSB_TABLE, string_key_schema())?;
    let started = Instant::now();
    for keynum in 0..items {
        let key = ycsb_key(keynum);
        let item = make_item(&key, YCSB_FIELD_COUNT, YCSB_FIELD_BYTES, keynum);
        db.put_item(YCSB_TABLE, &item)
            .with_context(|| format!("loading {key}"))?;
    }
    db.sync()?;
    let elapsed = started.elapsed();
    println!(
        "[{tag}] loaded {items} items ({YCSB_FIELD_COUNT} × {YCSB_FIELD_BYTES} B) in {:.2} s: {:.0} items/s",
        elapsed.as_secs_f64(),
        items as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

fn ycsb_primary_key(keynum: u64) -> PrimaryKey {
    PrimaryKey {
        partition: KeyValue::S(ycsb_key(keynum)),
        sort: None,
    }
}

/// One line per shard with the background work done between two snapshots:
/// flushes, compactions and write stalls explain tails in the latencies.
fn print_background(tag: &str, before: &DbStats, after: &DbStats) {
    for (old_shard, new_shard) in before.shards.iter().zip(&after.shards) {
        let (old, new) = (&old_shard.lsm.counters, &new_shard.lsm.counters);
        println!(
            "[{tag}] shard {} background during the run: flushes {}, compactions {}, trivial moves {}, write stalls {}",
            new_shard.shard.0,
            new.flush_count - old.flush_count,
            new.compaction_count - old.compaction_count,
            new.trivial_move_count - old.trivial_move_count,
            new.write_stall_count - old.write_stall_count,
        );
    }
}

fn operation_counts(stats: &DbStats) -> Vec<OperationCounts> {
    stats.shards.iter().map(|s| s.operations.clone()).collect()
}

// ----- the timed driver --------------------------------------------------------

/// What a timed phase returns: each thread's result, and the wall time from
/// the common start to the last thread's last operation.
#[derive(Debug)]
struct Timed<T> {
    outcomes: Vec<T>,
    elapsed: Duration,
}

/// Runs `worker(thread, deadline)` on `threads` threads started together.
/// Each worker runs operations until one ends at or after `deadline`, and
/// returns its result with the instant its last operation ended.
#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
fn run_timed<T: Send>(
    threads: usize,
    duration: Duration,
    worker: impl Fn(usize, Instant) -> anyhow::Result<(T, Instant)> + Sync,
) -> anyhow::Result<Timed<T>> {
    let barrier = Barrier::new(threads + 1);
    let start: OnceLock<Instant> = OnceLock::new();
    let (started, results) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let (barrier, start, worker) = (&barrier, &start, &worker);
                scope.spawn(move || {
                    barrier.wait();
                    let started = *start.get().expect("the start is set before the barrier");
                    worker(thread, started + duration)
                })
            })
            .collect();
        let started = Instant::now();
        let _ = start.set(started);
        barrier.wait();
        let results: Vec<_> = handles.into_iter().map(|handle| handle.join()).collect();
        (started, results)
    });
    let mut outcomes = Vec::with_capacity(threads);
    let mut last_end = started;
    for (thread, result) in results.into_iter().enumerate() {
        let (outcome, ended) = result
            .map_err(|_| anyhow::anyhow!("client thread {thread} panicked"))?
            .with_context(|| format!("client thread {thread}"))?;
        last_end = last_end.max(ended);
        outcomes.push(outcome);
    }
    Ok(Timed {
        outcomes,
        elapsed: last_end.duration_since(started),
    })
}

/// One client thread's operations and latencies.
#[derive(Debug)]
struct Latencies {
    operations: u64,
    histogram: Histogram<u64>,
}

fn merge(outcomes: &[Latencies]) -> anyhow::Result<Latencies> {
    let mut total = Latencies {
        operations: 0,
        histogram: new_histogram()?,
    };
    for outcome in outcomes {
        total.operations += outcome.operations;
        total.histogram.add(&outcome.histogram)?;
    }
    Ok(total)
}

// ----- writers -------------------------------------------------------------------

/// Runs `dynacore-bench writers`.
#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
pub fn run_writers(args: &WritersArgs) -> anyhow::Result<()> {
    let scratch = Scratch::new(args.dir.as_deref(), "writers");
    let counts = &args.writers.0;
    let value_bytes = args.value_bytes as usize;
    println!(
        "dynacore-bench writers: writer counts {counts:?}, {:.1} s each, one {value_bytes} B value per item, durability sync, dir {}",
        args.seconds.as_secs_f64(),
        scratch.root.display()
    );
    let mut rates = Vec::with_capacity(counts.len());
    for (index, &writers) in counts.iter().enumerate() {
        let tag = format!("writers={writers}");
        let dir = scratch.fresh(&format!("writers-{index}-{writers}"))?;
        let db = open_db(
            &dir,
            Durability::Sync,
            args.shards.map(|n| n as usize),
            Handoff::CallerRuns,
        )?;
        db.create_table(WRITERS_TABLE, string_key_schema())?;
        println!(
            "{}",
            config_line(
                &tag,
                &db,
                Durability::Sync,
                writers,
                &format!(
                    ", value {value_bytes} B, {:.1} s",
                    args.seconds.as_secs_f64()
                )
            )
        );
        let before = db.stats();
        let value = "v".repeat(value_bytes);
        let timed = run_timed(writers, args.seconds, |thread, deadline| {
            let mut item = Item::new();
            item.insert("v".to_owned(), AttributeValue::S(value.clone()));
            let mut latencies = Latencies {
                operations: 0,
                histogram: new_histogram()?,
            };
            loop {
                let key = format!("w{thread}-{}", latencies.operations);
                item.insert("pk".to_owned(), AttributeValue::S(key));
                let t = Instant::now();
                db.put_item(WRITERS_TABLE, &item)?;
                let ended = Instant::now();
                latencies
                    .histogram
                    .saturating_record(ended.duration_since(t).as_nanos() as u64);
                latencies.operations += 1;
                if ended >= deadline {
                    return Ok((latencies, ended));
                }
            }
        })?;
        let after = db.stats();
        let total = merge(&timed.outcomes)?;
        let rate = total.operations as f64 / timed.elapsed.as_secs_f64();
        rates.push(rate);
        println!(
            "[{tag}] writes {} in {:.2} s: {rate:.0} writes/s, latency µs: {}",
            total.operations,
            timed.elapsed.as_secs_f64(),
            latency_line(&total.histogram)
        );
        let (mut groups, mut batches, mut batches_max) = (0u64, 0u64, 0u64);
        for (old, new) in before.shards.iter().zip(&after.shards) {
            groups += new.lsm.counters.write_groups - old.lsm.counters.write_groups;
            batches += new.lsm.counters.batches_written - old.lsm.counters.batches_written;
            batches_max = batches_max.max(new.group_commit.batches_per_group_max);
        }
        println!(
            "[{tag}] group commit: groups {groups}, batches {batches}, batches/group mean {:.2}, max {batches_max}",
            batches as f64 / groups.max(1) as f64
        );
        for (old, new) in before.shards.iter().zip(&after.shards) {
            let fsync = &new.fsync_latency;
            println!(
                "[{tag}] shard {}: write batches {}, groups {}, WAL syncs {}, fsync µs: p50 {}  p99 {}  p99.9 {}  max {}  ({} syncs)",
                new.shard.0,
                new.operations.write_batches - old.operations.write_batches,
                new.lsm.counters.write_groups - old.lsm.counters.write_groups,
                new.lsm.counters.wal_syncs - old.lsm.counters.wal_syncs,
                fsync.p50_us,
                fsync.p99_us,
                fsync.p999_us,
                fsync.max_us,
                fsync.count,
            );
        }
        print_background(&tag, &before, &after);
        check_poisoned(&tag, &after);
        drop(db);
    }
    if let Some((high, base)) = ratio_pair(counts) {
        println!(
            "ratio {} / {}: {:.1}×",
            counted(counts[high], "writer"),
            counted(counts[base], "writer"),
            rates[high] / rates[base]
        );
    }
    Ok(())
}

// ----- reads ---------------------------------------------------------------------

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

// ----- spread --------------------------------------------------------------------

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_lists_parse_and_reject_bad_entries() {
        assert_eq!(parse_thread_counts("1,64"), Ok(CountList(vec![1, 64])));
        assert_eq!(parse_thread_counts(" 4 "), Ok(CountList(vec![4])));
        assert_eq!(parse_thread_counts("1, 2,3"), Ok(CountList(vec![1, 2, 3])));
        for bad in ["", "0", "1,,2", "1,x", "-1", "1.5", "1025"] {
            assert!(parse_thread_counts(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(parse_shard_counts(&dynacore::limits::SHARD_COUNT_MAX.to_string()).is_ok());
        assert!(parse_shard_counts(&(dynacore::limits::SHARD_COUNT_MAX + 1).to_string()).is_err());
    }

    #[test]
    fn seconds_must_be_positive_and_bounded() {
        assert_eq!(parse_seconds("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "-1", "nan", "inf", "x", "", "3601"] {
            assert!(parse_seconds(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn ratio_compares_the_largest_count_with_the_first_or_the_smallest() {
        assert_eq!(ratio_pair(&[1, 64]), Some((1, 0)));
        assert_eq!(ratio_pair(&[4, 1, 64]), Some((2, 0)));
        assert_eq!(ratio_pair(&[64, 1, 8]), Some((0, 1)));
        assert_eq!(ratio_pair(&[2, 2]), None);
        assert_eq!(ratio_pair(&[2]), None);
        assert_eq!(ratio_pair(&[]), None);
    }

    #[test]
    fn splitmix64_matches_the_reference_and_stays_below_its_bound() {
        // The first outputs of SplitMix64 seeded with 0 (Vigna's reference).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let mut rng = SplitMix64::new(thread_seed(3));
        let mut seen = [0u32; 10];
        for _ in 0..10_000 {
            let value = rng.below(10);
            assert!(value < 10);
            seen[value as usize] += 1;
        }
        // Uniform: each bucket near 1000 (a loose bound, not a statistical test).
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
    }
}
