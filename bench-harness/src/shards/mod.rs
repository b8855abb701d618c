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
//!
//! Layout: this module holds what the three share (the argument parsers,
//! the pure helpers, the scratch directories and database helpers, and
//! [`run_timed`]); [`writers`], [`reads`] and [`spread`] hold each
//! subcommand's options and its `run_*` function, re-exported here.

use std::path::{Path, PathBuf};
use std::sync::{Barrier, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use dynacore::shard::OperationCounts;
use dynacore::{
    Db, DbStats, Durability, Handoff, KeyAttribute, KeyType, KeyValue, PrimaryKey, TableSchema,
};
use hdrhistogram::Histogram;

use crate::load::{make_item, ycsb_key};

mod reads;
mod spread;
mod writers;

pub use reads::{ReadsArgs, run_reads};
pub use spread::{SpreadArgs, run_spread};
pub use writers::{WritersArgs, run_writers};

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
/// Largest latency a histogram records (longer ones saturate): 60 s in ns.
const LATENCY_NS_MAX: u64 = 60_000_000_000;
/// How long to wait for flushes and compactions of a load to go idle before
/// measuring; the run goes ahead anyway after that, and says so.
const BACKGROUND_IDLE_WAIT_MAX: Duration = Duration::from_secs(60);
/// How long to wait after opening for the shard threads to report their cores.
const PINNING_WAIT_MAX: Duration = Duration::from_millis(200);

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
