//! `dynacore-bench cache-policies`: the engine's cache (`dynacore::cache`)
//! under each eviction policy, driven by key traces alone (no database), so
//! the policies' hit ratios and costs are compared on the same keys. Each
//! read is a `get`; a miss is followed by an `insert` of the record, as a
//! read-through item cache does.
//!
//! Each trace is generated and every key formatted before the clock starts,
//! so `ns/read` is the cache's own work (a lookup, and on a miss an insert
//! with its evictions), not the generators'.
//!
//! Traces, over `--records` YCSB keys (`user` + keynum):
//! - `zipfian`: YCSB's scrambled zipfian (θ = 0.99), as workloads B and C;
//! - `uniform`: every key equally likely;
//! - `scan-polluted`: the zipfian reads, with one in ten operations instead
//!   a scan of 100 consecutive keys from a uniform start (each key read
//!   through the cache), as workload E's scans pollute a cache. Its
//!   `point hits` column is the hit ratio of the zipfian reads alone: how
//!   well the hot set survived the scans. (dynacore's own Scan and Query do
//!   not read through the item cache; a GetItem sweep, such as an export
//!   job's, does.)

use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use dynacore::cache::{Admission, Cache, Policy};

use crate::workload::generators::ScrambledZipfianGenerator;
use crate::workload::rng::Rng;

/// Options of `dynacore-bench cache-policies`.
#[derive(Args, Debug)]
pub struct CachePoliciesArgs {
    /// Distinct keys.
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
    /// Operations per trace (a scan counts as one).
    #[arg(long, default_value_t = 2_000_000)]
    operations: u64,
    /// The cache's budget as a share of the data set's bytes (keys, values
    /// and per-entry overhead).
    #[arg(long, default_value_t = 0.1)]
    cache_fraction: f64,
    /// Bytes per cached record (YCSB's 10 × 100 B fields).
    #[arg(long, default_value_t = 1000)]
    value_bytes: usize,
}

#[derive(Debug, Clone, Copy)]
enum Trace {
    Zipfian,
    Uniform,
    ScanPolluted,
}

impl Trace {
    fn name(self) -> &'static str {
        match self {
            Trace::Zipfian => "zipfian",
            Trace::Uniform => "uniform",
            Trace::ScanPolluted => "scan-polluted",
        }
    }
}

/// One policy's run of one trace.
#[derive(Debug)]
struct Outcome {
    reads: u64,
    hits: u64,
    /// Of those, the point reads (all of them, but for scan-polluted).
    point_reads: u64,
    point_hits: u64,
    elapsed: Duration,
}

/// A read of a trace: the key number, with [`SCAN_READ`] set for a read
/// that is part of a scan.
type TraceRead = u32;
const SCAN_READ: u32 = 1 << 31;

/// The reads of `trace`, in order.
fn generate(args: &CachePoliciesArgs, trace: Trace) -> Vec<TraceRead> {
    let mut rng = Rng::seed_from_u64(7);
    let mut zipfian = ScrambledZipfianGenerator::new(0, args.records - 1);
    let mut reads = Vec::with_capacity(args.operations as usize);
    for _ in 0..args.operations {
        match trace {
            Trace::Zipfian => reads.push(zipfian.next(&mut rng) as u32),
            Trace::Uniform => reads.push(rng.below(args.records) as u32),
            Trace::ScanPolluted => {
                if rng.below(10) == 0 {
                    let start = rng.below(args.records);
                    for keynum in start..(start + 100).min(args.records) {
                        reads.push(keynum as u32 | SCAN_READ);
                    }
                } else {
                    reads.push(zipfian.next(&mut rng) as u32);
                }
            }
        }
    }
    reads
}

fn key(keynum: u64) -> Vec<u8> {
    format!("user{keynum}").into_bytes()
}

#[allow(clippy::disallowed_methods)] // A benchmark driver measures with the real clock.
fn run_one(
    args: &CachePoliciesArgs,
    keys: &[Box<[u8]>],
    trace: &[TraceRead],
    (policy, admission): (Policy, Admission),
    budget: usize,
) -> Outcome {
    let mut cache: Cache<()> = Cache::with_admission(budget, policy, admission);
    let (mut hits, mut point_reads, mut point_hits) = (0u64, 0u64, 0u64);
    let started = Instant::now();
    for &read in trace {
        let key = &keys[(read & !SCAN_READ) as usize];
        let hit = cache.get(key).is_some();
        if !hit {
            cache.insert(key, (), args.value_bytes);
        }
        hits += u64::from(hit);
        if read & SCAN_READ == 0 {
            point_reads += 1;
            point_hits += u64::from(hit);
        }
    }
    Outcome {
        reads: trace.len() as u64,
        hits,
        point_reads,
        point_hits,
        elapsed: started.elapsed(),
    }
}

/// Every policy, with each admission rule.
const CHOICES: [(Policy, Admission); 4] = [
    (Policy::Lru, Admission::Always),
    (Policy::Lru, Admission::SecondMiss),
    (Policy::S3Fifo, Admission::Always),
    (Policy::S3Fifo, Admission::SecondMiss),
];

pub fn run(args: &CachePoliciesArgs) -> Result<()> {
    anyhow::ensure!(
        args.records > 0 && args.records < u64::from(SCAN_READ),
        "--records must be at least 1 and below 2^31"
    );
    anyhow::ensure!(
        args.cache_fraction > 0.0 && args.cache_fraction <= 1.0,
        "--cache-fraction must be in (0, 1]"
    );
    let entry = Cache::<()>::charge_of(&key(args.records / 2), args.value_bytes);
    let budget = (args.records as f64 * entry as f64 * args.cache_fraction) as usize;
    println!(
        "# cache-policies: {} records, {} operations per trace, budget {} bytes ({:.0}% of the data set, about {} entries of {} bytes)",
        args.records,
        args.operations,
        budget,
        args.cache_fraction * 100.0,
        budget / entry,
        entry
    );
    let keys: Vec<Box<[u8]>> = (0..args.records).map(|n| key(n).into()).collect();
    println!("trace          policy   admission    hit ratio   point hits   reads/s      ns/read");
    for trace in [Trace::Zipfian, Trace::Uniform, Trace::ScanPolluted] {
        let reads = generate(args, trace);
        for choice in CHOICES {
            let outcome = run_one(args, &keys, &reads, choice, budget);
            let seconds = outcome.elapsed.as_secs_f64();
            println!(
                "{:<14} {:<8} {:<10} {:>9.4}   {:>10.4}   {:>10.0}   {:>8.1}",
                trace.name(),
                format!("{:?}", choice.0),
                format!("{:?}", choice.1),
                outcome.hits as f64 / outcome.reads.max(1) as f64,
                outcome.point_hits as f64 / outcome.point_reads.max(1) as f64,
                outcome.reads as f64 / seconds,
                seconds * 1e9 / outcome.reads.max(1) as f64,
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cache_fraction: f64) -> CachePoliciesArgs {
        CachePoliciesArgs {
            records: 1000,
            operations: 20_000,
            cache_fraction,
            value_bytes: 100,
        }
    }

    #[test]
    fn a_cache_holding_everything_misses_only_the_first_read_of_each_key() {
        let args = args(1.0);
        let entry = Cache::<()>::charge_of(&key(999), args.value_bytes);
        for policy in [Policy::Lru, Policy::S3Fifo] {
            let policy = (policy, Admission::Always);
            let keys: Vec<Box<[u8]>> = (0..args.records).map(|n| key(n).into()).collect();
            let trace = generate(&args, Trace::Uniform);
            let outcome = run_one(&args, &keys, &trace, policy, 1000 * entry);
            // Keys below 100 are charged a byte or two less: all fit.
            assert!(
                outcome.reads - outcome.hits <= 1000,
                "{policy:?}: {outcome:?}"
            );
        }
    }

    #[test]
    fn a_zipfian_trace_hits_more_than_a_uniform_one_in_a_small_cache() {
        let args = args(0.1);
        let entry = Cache::<()>::charge_of(&key(999), args.value_bytes);
        let keys: Vec<Box<[u8]>> = (0..args.records).map(|n| key(n).into()).collect();
        let run = |trace| {
            let reads = generate(&args, trace);
            run_one(
                &args,
                &keys,
                &reads,
                (Policy::Lru, Admission::Always),
                100 * entry,
            )
        };
        let (zipfian, uniform) = (run(Trace::Zipfian), run(Trace::Uniform));
        assert!(zipfian.hits > 2 * uniform.hits, "{zipfian:?} {uniform:?}");
    }

    #[test]
    fn scans_hurt_lru_point_reads_more_than_s3fifo_ones() {
        let args = CachePoliciesArgs {
            records: 10_000,
            operations: 20_000,
            cache_fraction: 0.1,
            value_bytes: 100,
        };
        let entry = Cache::<()>::charge_of(&key(9999), args.value_bytes);
        let keys: Vec<Box<[u8]>> = (0..args.records).map(|n| key(n).into()).collect();
        let reads = generate(&args, Trace::ScanPolluted);
        let lru = run_one(
            &args,
            &keys,
            &reads,
            (Policy::Lru, Admission::Always),
            1000 * entry,
        );
        let s3fifo = run_one(
            &args,
            &keys,
            &reads,
            (Policy::S3Fifo, Admission::Always),
            1000 * entry,
        );
        assert!(lru.point_reads < lru.reads, "the trace has scans");
        assert!(s3fifo.point_hits > lru.point_hits, "{lru:?} {s3fifo:?}");
    }
}
