//! The YCSB driver: load phase, run phase, client threads, timing.
//!
//! Each client thread owns its operation chooser and its histograms, so the
//! hot loop shares nothing but the target and YCSB's acknowledged-insert
//! counter. Latencies are recorded in nanoseconds (an in-process engine
//! answers in a few microseconds; YCSB's whole-microsecond histograms would
//! round that away) and reported in microseconds.
//!
//! - **Closed loop** (default): each thread issues its next operation as soon
//!   as the previous one returns; latency is measured from the call.
//! - **Open loop** (`--target-ops-per-s R`): each thread has a schedule of
//!   intended start times at R / threads per second and measures latency
//!   from the *intended* start, so an operation that had to wait behind a
//!   stall carries that wait (YCSB's "Intended" latency; coordinated
//!   omission corrected).
//! - **Warm-up**: operations that complete in the first `warmup` of the run
//!   phase are executed but not recorded (they still show in the
//!   throughput timeline, marked as warm-up); in a run bounded by operation
//!   count, at most each thread's first tenth of operations is warm-up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::results::{OperationReport, PhaseReport};
use crate::targets::Target;
use crate::workload::{Operation, SharedState, WorkloadRunner, WorkloadSpec};

/// YCSB's operation names, in report order.
pub const OPERATION_NAMES: [&str; 5] = ["READ", "UPDATE", "INSERT", "SCAN", "READ-MODIFY-WRITE"];

/// How the run phase is driven.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub threads: usize,
    /// Operations in the run phase, all threads together (if no duration).
    pub operation_count: u64,
    /// Stop the run phase after this long instead of after `operation_count`.
    pub duration: Option<Duration>,
    /// Operations completing in this first part of the run are not recorded.
    pub warmup: Duration,
    /// Open loop at this total rate; `None`: closed loop.
    pub target_ops_per_s: Option<f64>,
    /// Base seed of the client threads' random number generators.
    pub seed: u64,
}

/// One client thread's measurements.
struct ThreadStats {
    histograms: Vec<Histogram<u64>>,
    errors: Vec<u64>,
    /// Operations completed in each second since the phase began.
    timeline: Vec<u64>,
    first_error: Option<String>,
}

impl ThreadStats {
    fn new() -> Self {
        ThreadStats {
            histograms: (0..OPERATION_NAMES.len())
                .map(|_| {
                    // 1 ns .. 10 min at 3 significant digits.
                    Histogram::new_with_bounds(1, 600_000_000_000, 3)
                        .expect("constant bounds are valid")
                })
                .collect(),
            errors: vec![0; OPERATION_NAMES.len()],
            timeline: Vec::new(),
            first_error: None,
        }
    }

    fn complete(&mut self, phase_start: Instant, now: Instant) {
        let second = now.duration_since(phase_start).as_secs() as usize;
        if self.timeline.len() <= second {
            self.timeline.resize(second + 1, 0);
        }
        self.timeline[second] += 1;
    }

    fn record(
        &mut self,
        op: usize,
        latency: Duration,
        outcome: anyhow::Result<()>,
        recorded: bool,
    ) {
        match outcome {
            Ok(()) if recorded => {
                let nanos = (latency.as_nanos() as u64).clamp(1, 600_000_000_000);
                let _ = self.histograms[op].record(nanos);
            }
            Ok(()) => {}
            Err(e) => {
                if recorded {
                    self.errors[op] += 1;
                }
                self.first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }

    fn merge(&mut self, other: ThreadStats) {
        for (mine, theirs) in self.histograms.iter_mut().zip(&other.histograms) {
            mine.add(theirs).expect("same bounds");
        }
        for (mine, theirs) in self.errors.iter_mut().zip(&other.errors) {
            *mine += theirs;
        }
        if self.timeline.len() < other.timeline.len() {
            self.timeline.resize(other.timeline.len(), 0);
        }
        for (mine, theirs) in self.timeline.iter_mut().zip(&other.timeline) {
            *mine += theirs;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// CPU seconds (user + system) this process has used so far, and its peak
/// resident set size in bytes.
pub fn process_usage() -> (f64, u64) {
    // SAFETY: getrusage fills the struct it is given; zeroed is a valid value.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (
        seconds(usage.ru_utime) + seconds(usage.ru_stime),
        usage.ru_maxrss as u64 * 1024,
    )
}

fn progress_bar(length: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix:>18} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .expect("constant template")
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_owned());
    // indicatif hides itself when stderr is not a terminal.
    bar
}

/// Loads `spec.record_count` records into `target` with `threads` threads.
#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
pub fn load(
    target: &dyn Target,
    spec: &WorkloadSpec,
    shared: &Arc<SharedState>,
    threads: usize,
    label: &str,
) -> anyhow::Result<PhaseReport> {
    let keynums = spec.load_keynums();
    let total = keynums.end - keynums.start;
    let next = AtomicU64::new(0);
    let bar = progress_bar(total, &format!("{label} load"));
    let (cpu_before, _) = process_usage();
    let start = Instant::now();
    let merged = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (next, bar, keynums) = (&next, &bar, &keynums);
                scope.spawn(move || {
                    let mut stats = ThreadStats::new();
                    let insert = OPERATION_NAMES.iter().position(|n| *n == "INSERT").unwrap();
                    loop {
                        // Claim keynums in small chunks to keep the counter cool.
                        let first = next.fetch_add(64, Ordering::Relaxed);
                        if first >= total {
                            break;
                        }
                        let last = (first + 64).min(total);
                        for index in first..last {
                            let (key, fields) = shared.load_record(keynums.start + index);
                            let began = Instant::now();
                            let outcome = target.insert(&key, &fields);
                            let done = Instant::now();
                            stats.record(insert, done - began, outcome, true);
                            stats.complete(start, done);
                        }
                        bar.inc(last - first);
                    }
                    stats
                })
            })
            .collect();
        let mut merged = ThreadStats::new();
        for handle in handles {
            merged.merge(handle.join().expect("client thread panicked"));
        }
        merged
    });
    let elapsed = start.elapsed();
    bar.finish_and_clear();
    let (cpu_after, _) = process_usage();
    if let Some(error) = &merged.first_error {
        anyhow::bail!("{label}: load failed: {error}");
    }
    Ok(phase_report(merged, elapsed, cpu_after - cpu_before, 0))
}

/// Runs the workload's run phase against `target`.
#[allow(clippy::disallowed_methods)] // Benchmark pacing and timing use the real clock.
pub fn run(
    target: &dyn Target,
    spec: &WorkloadSpec,
    shared: &Arc<SharedState>,
    options: &RunOptions,
    label: &str,
) -> anyhow::Result<PhaseReport> {
    let threads = options.threads.max(1);
    let per_thread_rate = options.target_ops_per_s.map(|r| r / threads as f64);
    let stop = AtomicBool::new(false);
    let done_ops = AtomicU64::new(0);
    let bar_length = match options.duration {
        Some(d) => d.as_secs().max(1),
        None => options.operation_count,
    };
    let bar = progress_bar(bar_length, &format!("{label} run"));
    let (cpu_at_start, _) = process_usage();
    let start = Instant::now();
    let warmup_end = start + options.warmup;
    let deadline = options.duration.map(|d| start + options.warmup + d);
    let mut cpu_at_warmup_end = None;
    let merged = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let (stop, done_ops) = (&stop, &done_ops);
                let quota = match options.duration {
                    Some(_) => u64::MAX,
                    None => {
                        let base = options.operation_count / threads as u64;
                        base + u64::from((thread as u64) < options.operation_count % threads as u64)
                    }
                };
                let mut runner = WorkloadRunner::new(
                    spec,
                    shared.clone(),
                    options.seed.wrapping_add(thread as u64),
                );
                scope.spawn(move || {
                    let mut stats = ThreadStats::new();
                    let interval = per_thread_rate.map(|rate| Duration::from_secs_f64(1.0 / rate));
                    let mut intended = start;
                    let mut count = 0u64;
                    let warmup_quota = if quota == u64::MAX {
                        u64::MAX
                    } else {
                        quota / 10
                    };
                    while count < quota && !stop.load(Ordering::Relaxed) {
                        let began = match interval {
                            Some(interval) => {
                                intended += interval;
                                // Spin-sleep until the intended start.
                                loop {
                                    let now = Instant::now();
                                    if now >= intended {
                                        break;
                                    }
                                    let left = intended - now;
                                    if left > Duration::from_micros(200) {
                                        std::thread::sleep(left - Duration::from_micros(100));
                                    } else {
                                        std::hint::spin_loop();
                                    }
                                }
                                intended
                            }
                            None => Instant::now(),
                        };
                        let operation = runner.next_operation();
                        let (index, outcome) = execute(target, &runner, operation);
                        let now = Instant::now();
                        // Warm-up: the first `warmup`, but in a count-bounded
                        // run never more than its first tenth of operations.
                        let measured = now >= warmup_end || count >= warmup_quota;
                        stats.record(index, now - began, outcome, measured);
                        stats.complete(start, now);
                        count += 1;
                        done_ops.fetch_add(1, Ordering::Relaxed);
                        if deadline.is_some_and(|d| now >= d) {
                            break;
                        }
                    }
                    stats
                })
            })
            .collect();
        // Progress, the warm-up's CPU mark, and the deadline, from this thread.
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let now = Instant::now();
            if cpu_at_warmup_end.is_none() && now >= warmup_end {
                cpu_at_warmup_end = Some((process_usage().0, now));
            }
            match (options.duration, deadline) {
                (Some(_), Some(deadline)) => {
                    bar.set_position(
                        now.saturating_duration_since(start + options.warmup)
                            .as_secs(),
                    );
                    if now >= deadline {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                _ => bar.set_position(done_ops.load(Ordering::Relaxed)),
            }
            if handles.iter().all(|h| h.is_finished()) {
                break;
            }
        }
        let mut merged = ThreadStats::new();
        for handle in handles {
            merged.merge(handle.join().expect("client thread panicked"));
        }
        merged
    });
    let end = Instant::now();
    bar.finish_and_clear();
    let (cpu_end, _) = process_usage();
    // A count-bounded run may end before the warm-up time: then the whole
    // run is the measured window (its operations were measured after the
    // first tenth), and its time and CPU are counted from the start.
    let (cpu_start, measured_from) = cpu_at_warmup_end.unwrap_or((cpu_at_start, start));
    if merged.histograms.iter().all(|h| h.is_empty()) {
        let why = merged
            .first_error
            .clone()
            .unwrap_or_else(|| "the run ended within the warm-up".into());
        anyhow::bail!("{label}: no operation was measured: {why}");
    }
    let warmup_seconds = options.warmup.as_secs() as usize;
    Ok(phase_report(
        merged,
        end.saturating_duration_since(measured_from),
        cpu_end - cpu_start,
        warmup_seconds,
    ))
}

/// Runs one operation; returns its type's index and outcome.
#[allow(clippy::disallowed_methods)] // READ-MODIFY-WRITE is timed as one operation.
fn execute(
    target: &dyn Target,
    runner: &WorkloadRunner,
    operation: Operation,
) -> (usize, anyhow::Result<()>) {
    match operation {
        Operation::Read { key } => (0, target.read(&key).map(|_| ())),
        Operation::Update { key, field, value } => (1, target.update(&key, &field, &value)),
        Operation::Insert {
            keynum,
            key,
            fields,
        } => {
            let outcome = target.insert(&key, &fields);
            // Acknowledged whatever the outcome, as YCSB does (in a
            // `finally`): a failed insert must not freeze the readable range.
            runner.shared().acknowledge(keynum);
            (2, outcome)
        }
        Operation::Scan { start_key, count } => (3, target.scan(&start_key, count).map(|_| ())),
        Operation::ReadModifyWrite { key, field, value } => (
            4,
            target
                .read(&key)
                .and_then(|_| target.update(&key, &field, &value)),
        ),
    }
}

fn to_us(nanos: u64) -> f64 {
    nanos as f64 / 1000.0
}

fn phase_report(
    stats: ThreadStats,
    elapsed: Duration,
    cpu_seconds: f64,
    warmup_seconds: usize,
) -> PhaseReport {
    let seconds = elapsed.as_secs_f64().max(1e-9);
    let operation_count: u64 = stats.histograms.iter().map(|h| h.len()).sum();
    let operations = OPERATION_NAMES
        .iter()
        .zip(&stats.histograms)
        .zip(&stats.errors)
        .filter(|((_, h), errors)| !h.is_empty() || **errors > 0)
        .map(|((name, h), errors)| OperationReport {
            name: (*name).to_owned(),
            count: h.len(),
            error_count: *errors,
            throughput_ops_per_s: h.len() as f64 / seconds,
            mean_us: h.mean() / 1000.0,
            min_us: to_us(h.min()),
            p50_us: to_us(h.value_at_quantile(0.50)),
            p90_us: to_us(h.value_at_quantile(0.90)),
            p99_us: to_us(h.value_at_quantile(0.99)),
            p999_us: to_us(h.value_at_quantile(0.999)),
            p9999_us: to_us(h.value_at_quantile(0.9999)),
            max_us: to_us(h.max()),
            cdf: cdf_points(h),
        })
        .collect();
    PhaseReport {
        elapsed_s: seconds,
        throughput_ops_per_s: operation_count as f64 / seconds,
        operation_count,
        cpu_s_per_1000_ops: cpu_seconds / (operation_count.max(1) as f64 / 1000.0),
        operations,
        throughput_timeline: stats.timeline,
        warmup_seconds,
    }
}

/// About 200 points of the latency CDF, evenly spaced in log(latency).
fn cdf_points(histogram: &Histogram<u64>) -> Vec<(f64, f64)> {
    if histogram.is_empty() {
        return Vec::new();
    }
    let total = histogram.len() as f64;
    let (low, high) = (histogram.min().max(1) as f64, histogram.max().max(2) as f64);
    let steps = 200;
    let mut points = Vec::with_capacity(steps + 1);
    for i in 0..=steps {
        let value = (low.ln() + (high.ln() - low.ln()) * i as f64 / steps as f64).exp();
        let below = histogram.count_between(0, value as u64) as f64;
        points.push((value / 1000.0, below / total));
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_is_monotonic_and_ends_at_one() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 600_000_000_000, 3).unwrap();
        for v in [1_000u64, 2_000, 3_000, 50_000, 1_000_000] {
            h.record(v).unwrap();
        }
        let points = cdf_points(&h);
        assert!(
            points
                .windows(2)
                .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1)
        );
        assert!((points.last().unwrap().1 - 1.0).abs() < 1e-9);
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // Needs a real instant to build timelines from.
    fn thread_stats_merge_adds_counts_and_timelines() {
        let start = Instant::now();
        let mut a = ThreadStats::new();
        let mut b = ThreadStats::new();
        a.record(0, Duration::from_micros(5), Ok(()), true);
        b.record(0, Duration::from_micros(7), Ok(()), true);
        b.record(1, Duration::from_micros(7), Err(anyhow::anyhow!("x")), true);
        a.complete(start, start);
        b.complete(start, start + Duration::from_millis(1500));
        a.merge(b);
        assert_eq!(a.histograms[0].len(), 2);
        assert_eq!(a.errors[1], 1);
        assert_eq!(a.timeline, vec![1, 1]);
        assert_eq!(a.first_error.as_deref(), Some("x"));
    }
}
