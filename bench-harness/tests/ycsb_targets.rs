//! The YCSB command end to end through the network targets: tiny runs of
//! workloads A (GetItem, UpdateItem) and E (Scan, PutItem) against an
//! in-process server, over the binary protocol (`server`) and the DynamoDB
//! JSON API (`dynamodb`) in one invocation, every operation succeeding; and
//! the item cache figures of the report, with `--cache-bytes` and without.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// A path under the system temp dir, removed on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new(tag: &str) -> Self {
        TempPath(
            std::env::temp_dir().join(format!("dynacore-bench-it-{tag}-{}", std::process::id())),
        )
    }
}

impl Drop for TempPath {
    #[allow(clippy::disallowed_methods)] // Test scratch space.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn bench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dynacore-bench"))
        .args(args)
        .output()
        .expect("dynacore-bench runs")
}

/// Runs `workload` through both network targets and returns the report.
#[allow(clippy::disallowed_methods)] // Reads the report the run wrote.
fn run_network_targets(workload: &str, records: &str, operations: &str) -> Value {
    let json = TempPath::new(&format!("{workload}.json"));
    let data = TempPath::new(&format!("{workload}-data"));
    let output = bench(&[
        "--workload",
        workload,
        "--target",
        "server,dynamodb",
        "--threads",
        "2",
        "--records",
        records,
        "--operations",
        operations,
        "--warmup-s",
        "0",
        "--data-dir",
        data.0.to_str().unwrap(),
        "--json",
        json.0.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "workload {workload}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&json.0).expect("the JSON report was written");
    serde_json::from_str(&text).expect("the JSON report parses")
}

/// Each target's operations in `phase`, as (name, count, errors).
fn operations(report: &Value, target: &str, phase: &str) -> Vec<(String, u64, u64)> {
    let target = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == target)
        .unwrap_or_else(|| panic!("no target {target} in the report"));
    target[phase]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| {
            (
                op["name"].as_str().unwrap().to_owned(),
                op["count"].as_u64().unwrap(),
                op["error_count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn assert_all_succeeded(report: &Value, expected_operations: &[&str], run_count: u64) {
    for target in ["server", "dynamodb"] {
        let load = operations(report, target, "load");
        assert_eq!(load.len(), 1, "{target}: {load:?}");
        assert_eq!(load[0].0, "INSERT");
        assert_eq!(load[0].2, 0, "{target}: load errors");
        let run = operations(report, target, "run");
        for (name, count, errors) in &run {
            assert_eq!(*errors, 0, "{target}: {name} had errors: {run:?}");
            assert!(*count > 0, "{target}: {name}");
        }
        let names: Vec<&str> = run.iter().map(|(name, _, _)| name.as_str()).collect();
        assert_eq!(names, expected_operations, "{target}");
        assert_eq!(
            run.iter().map(|(_, count, _)| count).sum::<u64>(),
            run_count,
            "{target}"
        );
    }
    let settings = report["targets"][1]["settings"].as_str().unwrap();
    assert!(settings.contains("DynamoDB JSON API"), "{settings}");
}

#[test]
fn workload_a_succeeds_through_the_binary_protocol_and_the_dynamodb_api() {
    let report = run_network_targets("a", "300", "400");
    assert_all_succeeded(&report, &["READ", "UPDATE"], 400);
}

#[test]
fn workload_e_succeeds_through_the_binary_protocol_and_the_dynamodb_api() {
    let report = run_network_targets("e", "300", "200");
    assert_all_succeeded(&report, &["INSERT", "SCAN"], 200);
}

#[test]
fn an_unreachable_dynamodb_endpoint_is_reported() {
    let output = bench(&[
        "--workload",
        "c",
        "--target",
        "dynamodb",
        "--dynamodb-addr",
        "127.0.0.1:1",
        "--records",
        "10",
        "--operations",
        "10",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("target dynamodb") && stderr.contains("connecting"),
        "{stderr}"
    );
}

/// Runs workload C (reads only) against the in-process dynacore targets
/// with `extra` arguments and returns the report.
#[allow(clippy::disallowed_methods)] // Reads the report the run wrote.
fn run_read_only(tag: &str, extra: &[&str]) -> Value {
    let json = TempPath::new(&format!("cache-{tag}.json"));
    let data = TempPath::new(&format!("cache-{tag}-data"));
    let mut args = vec![
        "--workload",
        "c",
        "--target",
        "embedded,server",
        "--records",
        "200",
        "--operations",
        "2000",
        "--warmup-s",
        "0",
        "--data-dir",
        data.0.to_str().unwrap(),
        "--json",
        json.0.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = bench(&args);
    assert!(
        output.status.success(),
        "{tag}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("item cache hit ratio"), "{stdout}");
    let text = std::fs::read_to_string(&json.0).expect("the JSON report was written");
    serde_json::from_str(&text).expect("the JSON report parses")
}

/// The budget is split evenly over the shards, so the shards' shares add
/// up to `bytes` less at most one byte per shard.
fn assert_budget(cache: &Value, bytes: u64, name: &str) {
    let budget = cache["item_budget_bytes"].as_u64().unwrap();
    assert!(budget <= bytes && budget + 64 > bytes, "{name}: {cache}");
}

fn target<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no target {name} in the report"))
}

#[test]
fn a_read_heavy_run_reports_item_cache_hits() {
    let report = run_read_only("default", &[]);
    for name in ["embedded", "server"] {
        let cache = &target(&report, name)["cache"];
        let hits = cache["hits"].as_u64().unwrap();
        let misses = cache["misses"].as_u64().unwrap();
        // 2,000 reads of 200 records: with second-miss admission (the
        // default) each record misses at most twice.
        assert_eq!(hits + misses, 2000, "{name}: {cache}");
        assert!(misses <= 400, "{name}: {cache}");
        let ratio = cache["hit_ratio"].as_f64().unwrap();
        assert!(ratio > 0.0, "{name}: {cache}");
        assert!(
            (ratio - hits as f64 / 2000.0).abs() < 1e-9,
            "{name}: {cache}"
        );
        assert!(cache["item_bytes_used"].as_u64().unwrap() > 0, "{name}");
        assert_budget(cache, 256 << 20, name);
        let settings = target(&report, name)["settings"].as_str().unwrap();
        assert!(settings.contains("item cache 256 MiB"), "{settings}");
    }
}

#[test]
fn cache_bytes_zero_turns_the_caches_off() {
    let report = run_read_only("off", &["--cache-bytes", "0"]);
    assert_eq!(report["config"]["cache_bytes"].as_u64(), Some(0));
    for name in ["embedded", "server"] {
        let cache = &target(&report, name)["cache"];
        assert_eq!(cache["hits"].as_u64(), Some(0), "{name}: {cache}");
        assert_eq!(cache["misses"].as_u64(), Some(0), "{name}: {cache}");
        assert!(cache["hit_ratio"].is_null(), "{name}: {cache}");
        assert_eq!(cache["item_budget_bytes"].as_u64(), Some(0), "{name}");
        let settings = target(&report, name)["settings"].as_str().unwrap();
        assert!(
            settings.contains("item cache off and query cache off"),
            "{settings}"
        );
    }
}

#[test]
fn cache_bytes_sets_the_item_cache_budget() {
    let report = run_read_only("small", &["--cache-bytes", "1048576"]);
    for name in ["embedded", "server"] {
        let cache = &target(&report, name)["cache"];
        assert_budget(cache, 1 << 20, name);
        let settings = target(&report, name)["settings"].as_str().unwrap();
        assert!(settings.contains("item cache 1 MiB"), "{settings}");
    }
}
