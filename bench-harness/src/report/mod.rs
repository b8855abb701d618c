//! The output side of a `dynacore-bench` YCSB invocation: four renderings of
//! one [`RunReport`] (the model in `results.rs`, which the driver fills in).
//!
//! - [`print_ycsb_text`]: YCSB's own `[OP], Metric, value` lines, one block
//!   per target and phase, so YCSB's habits and parsers keep working.
//! - [`print_comparison`]: a plain-text table of every target × operation
//!   type with throughput and latency ratios against the first target.
//! - [`write_json`]: the whole report as pretty JSON, for scripts.
//! - [`write_html`]: one self-contained HTML file whose charts are inline SVG
//!   drawn here; it references no network resource, so it opens offline and
//!   can be attached to an issue as it is.
//!
//! Everything here runs on the harness's main thread after every target has
//! finished; nothing is timed. Invariants: text that came from outside (target
//! names, settings, workload properties, machine strings) reaches HTML or SVG
//! only through [`escape_html`], and reaches the text renderings only through
//! [`one_line`], so it can neither inject markup nor break the line grammar.
//! Latencies are microseconds, printed with two decimals because in-process
//! engines answer in single-digit microseconds.
//!
//! Reading of the model: an [`OperationReport`]'s `count` is the operations
//! that succeeded (the ones in its latency histogram); `error_count` are the
//! ones that failed on top of those. YCSB's `Operations` line is their sum.
//!
//! The renderings live in submodules along the same lines: `text` (the YCSB
//! lines and the comparison table, whose rows the HTML table reuses), `html`
//! (the page and its tables) and `svg` (the charts the page embeds). This
//! file holds [`write_json`] and what they share: grouping the operations by
//! phase and type, target names and colours, escaping, and number formatting.

mod html;
mod svg;
mod text;

use std::path::Path;

use anyhow::Context as _;

use crate::results::{OperationReport, PhaseReport, RunReport, TargetReport};

pub use html::write_html;
pub use text::{print_comparison, print_ycsb_text};

/// YCSB's operation types in the order YCSB prints them; any other name
/// follows these, in the order it first appears.
const OPERATION_ORDER: [&str; 5] = ["READ", "UPDATE", "INSERT", "SCAN", "READ-MODIFY-WRITE"];

const BYTES_PER_MIB: f64 = 1024.0 * 1024.0;

/// One colour per target, in run order: the Okabe–Ito palette, which stays
/// distinguishable for the common forms of colour blindness. From the ninth
/// target on the colours repeat and lines are dashed.
const TARGET_COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#C9B200",
];

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/// Writes the whole report to `path` as pretty-printed JSON (non-finite
/// numbers become `null`), replacing any file there.
///
/// # Errors
/// When the file cannot be written; the error names the path.
pub fn write_json(report: &RunReport, path: &Path) -> anyhow::Result<()> {
    let mut json = serde_json::to_string_pretty(report).context("serialising the run report")?;
    json.push('\n');
    write_report_file(path, json.as_bytes())
}

#[allow(clippy::disallowed_methods)] // Report files are the harness's own output, not engine data.
fn write_report_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Load,
    Run,
}

impl Phase {
    fn label(self) -> &'static str {
        match self {
            Self::Load => "load",
            Self::Run => "run",
        }
    }

    fn of(self, target: &TargetReport) -> &PhaseReport {
        match self {
            Self::Load => &target.load,
            Self::Run => &target.run,
        }
    }
}

fn phase_measured_anything(phase: &PhaseReport) -> bool {
    phase.operation_count > 0 || !phase.operations.is_empty()
}

/// One phase × operation type, with each target that has it.
#[derive(Debug)]
struct OperationGroup<'a> {
    phase: Phase,
    name: &'a str,
    /// (target index, its figures), in run order.
    entries: Vec<(usize, &'a OperationReport)>,
}

impl OperationGroup<'_> {
    fn target_indexes(&self) -> impl Iterator<Item = usize> + '_ {
        self.entries.iter().map(|&(target_index, _)| target_index)
    }
}

/// Every operation type any target measured: the run phase's first, then the
/// load phase's, each in YCSB's order.
fn operation_groups(report: &RunReport) -> Vec<OperationGroup<'_>> {
    let mut groups = Vec::new();
    for phase in [Phase::Run, Phase::Load] {
        let mut names: Vec<&str> = Vec::new();
        for target in &report.targets {
            for operation in &phase.of(target).operations {
                if !names.contains(&operation.name.as_str()) {
                    names.push(&operation.name);
                }
            }
        }
        // Stable: unknown names keep the order they first appeared in.
        names.sort_by_key(|name| {
            OPERATION_ORDER
                .iter()
                .position(|known| known == name)
                .unwrap_or(OPERATION_ORDER.len())
        });
        for name in names {
            let entries = report
                .targets
                .iter()
                .enumerate()
                .filter_map(|(target_index, target)| {
                    find_operation(target, phase, name).map(|operation| (target_index, operation))
                })
                .collect();
            groups.push(OperationGroup {
                phase,
                name,
                entries,
            });
        }
    }
    groups
}

fn find_operation<'a>(
    target: &'a TargetReport,
    phase: Phase,
    name: &str,
) -> Option<&'a OperationReport> {
    phase
        .of(target)
        .operations
        .iter()
        .find(|operation| operation.name == name)
}

fn target_name(report: &RunReport, target_index: usize) -> &str {
    report
        .targets
        .get(target_index)
        .map_or("", |target| target.name.as_str())
}

fn target_colour(target_index: usize) -> &'static str {
    TARGET_COLOURS[target_index % TARGET_COLOURS.len()]
}

/// Lines of targets whose colour repeats an earlier target's are dashed.
fn line_dash(target_index: usize) -> &'static str {
    if target_index >= TARGET_COLOURS.len() {
        " stroke-dasharray=\"6 3\""
    } else {
        ""
    }
}

/// Escapes text for HTML and SVG content and attribute values.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// Text on one line: line breaks and other control characters become spaces,
/// so outside text cannot break the line grammar of the text outputs.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .collect()
}

fn capitalised(word: &str) -> String {
    let mut characters = word.chars();
    characters
        .next()
        .map(|first| first.to_uppercase().chain(characters).collect())
        .unwrap_or_default()
}

fn format_optional<T>(value: Option<T>, format: impl Fn(T) -> String) -> String {
    value.map_or_else(|| "-".to_owned(), format)
}

fn format_us(value_us: f64) -> String {
    if value_us.is_finite() {
        format!("{value_us:.2}")
    } else {
        "-".to_owned()
    }
}

fn format_ratio(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

fn format_mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / BYTES_PER_MIB)
}

/// Operations per second: whole numbers with thousands separators, one
/// decimal below 100 ops/s.
fn format_ops_per_s(ops_per_s: f64) -> String {
    if !ops_per_s.is_finite() || ops_per_s < 0.0 {
        return "-".to_owned();
    }
    if ops_per_s < 100.0 {
        return format!("{ops_per_s:.1}");
    }
    let digits = format!("{ops_per_s:.0}");
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `value` with `significant_digits` significant digits (at most 6 decimals).
fn format_significant(value: f64, significant_digits: i32) -> String {
    if !value.is_finite() {
        return "-".to_owned();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (significant_digits - 1 - magnitude).clamp(0, 6) as usize;
    format!("{value:.decimals$}")
}

/// An axis label: at most three decimals, trailing zeros dropped, `k` and
/// `M` for thousands and millions.
fn format_axis_value(value: f64) -> String {
    fn trimmed(value: f64) -> String {
        let text = format!("{value:.3}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        text.to_owned()
    }
    if value >= 1e6 {
        format!("{}M", trimmed(value / 1e6))
    } else if value >= 1e3 {
        format!("{}k", trimmed(value / 1e3))
    } else {
        trimmed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::html::render_html;
    use super::*;
    use crate::results::{CacheSummary, MachineInfo, RunConfig};

    /// An operation whose latency at percentile q is `base_us × (1/(1−q))^tail`.
    fn synthetic_operation(
        name: &str,
        count: u64,
        error_count: u64,
        base_us: f64,
        tail: f64,
        elapsed_s: f64,
    ) -> OperationReport {
        let latency_at = |quantile: f64| base_us * (1.0 / (1.0 - quantile)).powf(tail);
        let mut cdf: Vec<(f64, f64)> = (0..=110)
            .map(|step| {
                let fraction = 1.0 - 10_f64.powf(-f64::from(step) / 20.0) * 0.999;
                (latency_at(fraction), fraction)
            })
            .collect();
        let max_us = latency_at(0.999_999) * 1.7;
        cdf.push((max_us, 1.0));
        OperationReport {
            name: name.to_owned(),
            count,
            error_count,
            throughput_ops_per_s: count as f64 / elapsed_s,
            mean_us: latency_at(0.6),
            min_us: latency_at(0.0) * 0.9,
            p50_us: latency_at(0.5),
            p90_us: latency_at(0.9),
            p99_us: latency_at(0.99),
            p999_us: latency_at(0.999),
            p9999_us: latency_at(0.9999),
            max_us,
            cdf,
        }
    }

    fn synthetic_phase(
        operations: Vec<OperationReport>,
        elapsed_s: f64,
        ops_per_s: f64,
        seconds: usize,
        warmup_seconds: usize,
    ) -> PhaseReport {
        let operation_count = operations.iter().map(|operation| operation.count).sum();
        let throughput_timeline = (0..seconds)
            .map(|second| {
                let ramp = if second < warmup_seconds {
                    0.6 + 0.08 * second as f64
                } else {
                    1.0
                };
                let wobble = 1.0 + 0.03 * ((second * 7 % 11) as f64 - 5.0) / 5.0;
                (ops_per_s * ramp * wobble) as u64
            })
            .collect();
        PhaseReport {
            elapsed_s,
            throughput_ops_per_s: ops_per_s,
            operation_count,
            cpu_s_per_1000_ops: 2.0 / ops_per_s * 1000.0 * 0.9,
            operations,
            throughput_timeline,
            warmup_seconds,
        }
    }

    fn synthetic_target(name: &str, settings: &str, speed: f64, with_scan: bool) -> TargetReport {
        let run_s = 20.0;
        let run_ops_per_s = 80_000.0 * speed;
        let half = (run_ops_per_s * run_s / 2.0) as u64;
        let mut operations = vec![
            synthetic_operation("READ", half, 0, 3.1 / speed, 0.35, run_s),
            synthetic_operation(
                "UPDATE",
                half,
                if speed < 1.0 { 17 } else { 0 },
                5.4 / speed,
                0.42,
                run_s,
            ),
        ];
        if with_scan {
            operations.push(synthetic_operation("SCAN", half / 50, 0, 40.0, 0.3, run_s));
        }
        let load_ops_per_s = 140_000.0 * speed;
        TargetReport {
            name: name.to_owned(),
            settings: settings.to_owned(),
            load: synthetic_phase(
                vec![synthetic_operation(
                    "INSERT",
                    100_000,
                    0,
                    6.0 / speed,
                    0.4,
                    100_000.0 / load_ops_per_s,
                )],
                100_000.0 / load_ops_per_s,
                load_ops_per_s,
                2,
                0,
            ),
            run: synthetic_phase(operations, run_s, run_ops_per_s, 25, 5),
            disk_bytes: (130.0 * BYTES_PER_MIB * speed) as u64,
            peak_rss_bytes: (420.0 * BYTES_PER_MIB / speed) as u64,
            cache: None,
        }
    }

    pub(super) const HOSTILE_NAME: &str = "<script>alert(\"x\")</script> & 'co'";

    pub(super) fn synthetic_report() -> RunReport {
        RunReport {
            workload: "a".to_owned(),
            properties: vec![
                ("operationcount".to_owned(), "1000000".to_owned()),
                ("readproportion".to_owned(), "0.5".to_owned()),
                ("requestdistribution".to_owned(), "zipfian".to_owned()),
                ("updateproportion".to_owned(), "0.5".to_owned()),
            ],
            config: RunConfig {
                threads: 2,
                record_count: 100_000,
                operation_count: None,
                duration_s: Some(20.0),
                warmup_s: 5.0,
                target_ops_per_s: None,
                durability: "none".to_owned(),
                cache_bytes: None,
            },
            machine: MachineInfo {
                cpu_model: "AMD EPYC 9R14".to_owned(),
                cpu_count: 2,
                memory_bytes: 8 * 1024 * 1024 * 1024,
                kernel: "6.18.0".to_owned(),
            },
            git_commit: Some("fd3ec7f0123456789abcdef0123456789abcdef0".to_owned()),
            targets: vec![
                TargetReport {
                    cache: Some(CacheSummary {
                        hit_ratio: Some(0.75),
                        hits: 3000,
                        misses: 1000,
                        negative_hits: 12,
                        evictions: 40,
                        item_bytes_used: 2 << 20,
                        item_budget_bytes: 256 << 20,
                    }),
                    ..synthetic_target(
                        "embedded",
                        "4 shards, block cache 256 MiB, WAL without sync",
                        1.0,
                        false,
                    )
                },
                synthetic_target(
                    "rocksdb",
                    "block cache 256 MiB\nsync=false, WAL on",
                    0.43,
                    false,
                ),
                synthetic_target(
                    HOSTILE_NAME,
                    "settings with <b>markup</b> & \"quotes\"",
                    1.6,
                    true,
                ),
            ],
        }
    }

    pub(super) fn ycsb_text(report: &RunReport) -> String {
        let mut bytes = Vec::new();
        print_ycsb_text(report, &mut bytes).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    pub(super) fn comparison_text(report: &RunReport) -> String {
        let mut bytes = Vec::new();
        print_comparison(report, &mut bytes).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    /// Checks that every non-void element is closed in order: enough to
    /// catch an unescaped `<` in outside text or a forgotten closing tag.
    pub(super) fn assert_tags_balanced(html: &str) {
        const VOID_ELEMENTS: [&str; 6] = ["meta", "br", "hr", "img", "input", "link"];
        let mut open: Vec<String> = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').expect("unterminated tag") + start;
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('!') || tag.ends_with('/') {
                continue;
            }
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|character| character.is_ascii_alphanumeric())
                .collect();
            assert!(!name.is_empty(), "not a tag: <{tag}>");
            if VOID_ELEMENTS.contains(&name.as_str()) {
                continue;
            }
            if tag.starts_with('/') {
                let expected = open.pop();
                assert_eq!(
                    expected.as_deref(),
                    Some(name.as_str()),
                    "closing </{name}>"
                );
            } else {
                open.push(name);
            }
        }
        assert!(open.is_empty(), "unclosed elements: {open:?}");
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // The test reads back and removes its own file.
    fn report_json_parses_back_with_every_figure() {
        let report = synthetic_report();
        let path =
            std::env::temp_dir().join(format!("dynacore-report-test-{}.json", std::process::id()));
        write_json(&report, &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).ok();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();

        for key in [
            "workload",
            "properties",
            "config",
            "machine",
            "git_commit",
            "targets",
        ] {
            assert!(value.get(key).is_some(), "missing {key}");
        }
        for key in [
            "threads",
            "record_count",
            "operation_count",
            "duration_s",
            "warmup_s",
            "target_ops_per_s",
            "durability",
            "cache_bytes",
        ] {
            assert!(value["config"].get(key).is_some(), "missing config.{key}");
        }
        for key in ["cpu_model", "cpu_count", "memory_bytes", "kernel"] {
            assert!(value["machine"].get(key).is_some(), "missing machine.{key}");
        }
        let targets = value["targets"].as_array().unwrap();
        assert_eq!(targets.len(), report.targets.len());
        assert_eq!(targets[2]["name"], HOSTILE_NAME);
        for target in targets {
            for key in [
                "name",
                "settings",
                "load",
                "run",
                "disk_bytes",
                "peak_rss_bytes",
                "cache",
            ] {
                assert!(target.get(key).is_some(), "missing target.{key}");
            }
            for phase in ["load", "run"] {
                for key in [
                    "elapsed_s",
                    "throughput_ops_per_s",
                    "operation_count",
                    "cpu_s_per_1000_ops",
                    "operations",
                    "throughput_timeline",
                    "warmup_seconds",
                ] {
                    assert!(target[phase].get(key).is_some(), "missing {phase}.{key}");
                }
                for operation in target[phase]["operations"].as_array().unwrap() {
                    for key in [
                        "name",
                        "count",
                        "error_count",
                        "throughput_ops_per_s",
                        "mean_us",
                        "min_us",
                        "p50_us",
                        "p90_us",
                        "p99_us",
                        "p999_us",
                        "p9999_us",
                        "max_us",
                        "cdf",
                    ] {
                        assert!(
                            operation.get(key).is_some(),
                            "missing {phase} operation.{key}"
                        );
                    }
                    assert!(operation["cdf"][0][1].is_f64());
                }
            }
        }
        assert_eq!(
            value["targets"][0]["run"]["operations"][0]["p99_us"].as_f64(),
            Some(report.targets[0].run.operations[0].p99_us)
        );
        let cache = &value["targets"][0]["cache"];
        for key in [
            "hit_ratio",
            "hits",
            "misses",
            "negative_hits",
            "evictions",
            "item_bytes_used",
            "item_budget_bytes",
        ] {
            assert!(cache.get(key).is_some(), "missing cache.{key}");
        }
        assert_eq!(cache["hit_ratio"].as_f64(), Some(0.75));
        assert_eq!(cache["hits"].as_u64(), Some(3000));
        assert!(value["targets"][1]["cache"].is_null());
    }

    #[test]
    fn report_renders_an_empty_run() {
        let mut report = synthetic_report();
        report.targets.clear();
        assert!(ycsb_text(&report).is_empty());
        assert!(comparison_text(&report).contains("No target ran"));
        let html = render_html(&report);
        assert_tags_balanced(&html);
        assert!(html.contains("no timeline recorded"));
    }

    #[test]
    fn report_formats_numbers() {
        assert_eq!(format_ops_per_s(81_234.5), "81,234");
        assert_eq!(format_ops_per_s(1_234_567.0), "1,234,567");
        assert_eq!(format_ops_per_s(999.0), "999");
        assert_eq!(format_ops_per_s(42.25), "42.2");
        assert_eq!(format_significant(0.020_04, 3), "0.0200");
        assert_eq!(format_significant(12.345, 3), "12.3");
        assert_eq!(format_axis_value(0.5), "0.5");
        assert_eq!(format_axis_value(20_000.0), "20k");
        assert_eq!(format_axis_value(1_500_000.0), "1.5M");
        assert_eq!(format_ratio(0.4321), "0.43×");
        assert_eq!(
            escape_html("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
