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

use std::fmt::{self, Write as _};
use std::io;
use std::path::Path;

use anyhow::Context as _;

use crate::results::{OperationReport, PhaseReport, RunReport, TargetReport};

/// YCSB's operation types in the order YCSB prints them; any other name
/// follows these, in the order it first appears.
const OPERATION_ORDER: [&str; 5] = ["READ", "UPDATE", "INSERT", "SCAN", "READ-MODIFY-WRITE"];

const BYTES_PER_MIB: f64 = 1024.0 * 1024.0;
const BYTES_PER_GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// One colour per target, in run order: the Okabe–Ito palette, which stays
/// distinguishable for the common forms of colour blindness. From the ninth
/// target on the colours repeat and lines are dashed.
const TARGET_COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#C9B200",
];

/// The percentile above which, on the project's 2-vCPU VMs, latency mostly
/// measures the OS scheduler (docs: `MACHINE.md`), as a spectrum position
/// `log10(1 / (1 − q))`: 3 is p99.9.
const HONEST_SPECTRUM_POSITION_MAX: f64 = 3.0;

/// The note every comparison carries about the tail.
const TAIL_NOTE: &str = "Percentiles above p99.9 (p99.99, max) on a 2-core VM mostly measure \
     the scheduler, not the engine: p99.9 is the highest honest percentile here.";

// ---------------------------------------------------------------------------
// YCSB text
// ---------------------------------------------------------------------------

/// Prints, for each target, its load phase (when it measured any operation)
/// and its run phase in YCSB's own format: a `#` header line naming the
/// target, the phase and the target's settings, then `[OVERALL], RunTime(ms)`,
/// `[OVERALL], Throughput(ops/sec)` and, per operation type, `Operations`,
/// average, min, max, p50, p90, p99, p99.9 and p99.99 latency in µs (two
/// decimals), `Return=OK` and, when there were errors, `Return=ERROR`.
///
/// YCSB's `95thPercentileLatency(us)` is not printed: the model has no p95.
///
/// # Errors
/// Whatever writing to `out` returns.
pub fn print_ycsb_text(report: &RunReport, out: &mut impl io::Write) -> io::Result<()> {
    for (target_index, target) in report.targets.iter().enumerate() {
        if target_index > 0 {
            writeln!(out)?;
        }
        for phase in [Phase::Load, Phase::Run] {
            let phase_report = phase.of(target);
            if phase == Phase::Load && !phase_measured_anything(phase_report) {
                continue;
            }
            writeln!(
                out,
                "# target {}, {} phase; settings: {}",
                one_line(&target.name),
                phase.label(),
                one_line(&target.settings)
            )?;
            write_ycsb_phase(phase_report, out)?;
        }
    }
    Ok(())
}

fn write_ycsb_phase(phase: &PhaseReport, out: &mut impl io::Write) -> io::Result<()> {
    let run_time_ms = (phase.elapsed_s * 1000.0).round();
    writeln!(out, "[OVERALL], RunTime(ms), {run_time_ms:.0}")?;
    writeln!(
        out,
        "[OVERALL], Throughput(ops/sec), {:.1}",
        phase.throughput_ops_per_s
    )?;
    for operation in &phase.operations {
        let tag = one_line(&operation.name);
        let operations_total = operation.count.saturating_add(operation.error_count);
        writeln!(out, "[{tag}], Operations, {operations_total}")?;
        let latencies_us = [
            ("AverageLatency(us)", operation.mean_us),
            ("MinLatency(us)", operation.min_us),
            ("MaxLatency(us)", operation.max_us),
            ("50thPercentileLatency(us)", operation.p50_us),
            ("90thPercentileLatency(us)", operation.p90_us),
            ("99thPercentileLatency(us)", operation.p99_us),
            ("99.9PercentileLatency(us)", operation.p999_us),
            ("99.99PercentileLatency(us)", operation.p9999_us),
        ];
        for (metric, value_us) in latencies_us {
            writeln!(out, "[{tag}], {metric}, {value_us:.2}")?;
        }
        writeln!(out, "[{tag}], Return=OK, {}", operation.count)?;
        if operation.error_count > 0 {
            writeln!(out, "[{tag}], Return=ERROR, {}", operation.error_count)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Comparison table
// ---------------------------------------------------------------------------

/// Prints a plain-text table with aligned columns: for each phase and
/// operation type, one row per target (throughput, p50, p99, p99.9 in µs, and
/// the ratios of throughput and of p99 to the first target's), preceded by
/// one `OVERALL` row per target for the run phase (overall throughput, CPU
/// seconds per 1000 operations, peak RSS and disk use in MiB). Rows of one
/// operation type sit together so the ratios read down a column. Notes under
/// the table say what the ratios mean and how far the tail can be trusted.
///
/// # Errors
/// Whatever writing to `out` returns.
pub fn print_comparison(report: &RunReport, out: &mut impl io::Write) -> io::Result<()> {
    let rows = comparison_rows(report);
    if rows.is_empty() {
        return writeln!(out, "No target ran: nothing to compare.");
    }
    let cells: Vec<[String; COMPARISON_COLUMN_COUNT]> = rows
        .iter()
        .map(|row| comparison_cells(report, row, one_line))
        .collect();
    let mut widths = COMPARISON_HEADER.map(|header| header.chars().count());
    for row_cells in &cells {
        for (width, cell) in widths.iter_mut().zip(row_cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    write_aligned_line(out, &COMPARISON_HEADER.map(String::from), &widths)?;
    let separator = widths.map(|width| "-".repeat(width));
    write_aligned_line(out, &separator, &widths)?;
    for (row_index, (row, row_cells)) in rows.iter().zip(&cells).enumerate() {
        if row.starts_group && row_index > 0 {
            writeln!(out)?;
        }
        write_aligned_line(out, row_cells, &widths)?;
    }
    writeln!(out)?;
    for note in comparison_notes(report) {
        writeln!(out, "{}", one_line(&note))?;
    }
    Ok(())
}

fn write_aligned_line(
    out: &mut impl io::Write,
    cells: &[String; COMPARISON_COLUMN_COUNT],
    widths: &[usize; COMPARISON_COLUMN_COUNT],
) -> io::Result<()> {
    let mut line = String::new();
    for (column_index, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        if column_index > 0 {
            line.push_str("  ");
        }
        // Rust pads by characters, so `µ` and `×` count as one column each.
        if column_index < COMPARISON_TEXT_COLUMN_COUNT {
            line.push_str(&format!("{cell:<width$}"));
        } else {
            line.push_str(&format!("{cell:>width$}"));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// The comparison's name for the all-operations row of a target.
const OVERALL: &str = "OVERALL";
const COMPARISON_COLUMN_COUNT: usize = 12;
/// The leading columns holding words (left-aligned); the rest are numbers.
const COMPARISON_TEXT_COLUMN_COUNT: usize = 3;
const COMPARISON_HEADER: [&str; COMPARISON_COLUMN_COUNT] = [
    "phase",
    "operation",
    "target",
    "ops/s",
    "p50 µs",
    "p99 µs",
    "p99.9 µs",
    "ops/s ratio",
    "p99 ratio",
    "CPU s/1k ops",
    "peak RSS MiB",
    "disk MiB",
];

/// One row of the comparison, shared by the text and the HTML table.
#[derive(Debug)]
struct ComparisonRow<'a> {
    phase: Phase,
    /// `OVERALL` or an operation type.
    operation: &'a str,
    target_index: usize,
    throughput_ops_per_s: f64,
    p50_us: Option<f64>,
    p99_us: Option<f64>,
    p999_us: Option<f64>,
    /// This row's throughput over the first target's for the same phase and
    /// operation type; `None` when the first target has no such figure.
    throughput_ratio: Option<f64>,
    /// This row's p99 over the first target's, likewise.
    p99_ratio: Option<f64>,
    cpu_s_per_1000_ops: Option<f64>,
    peak_rss_bytes: Option<u64>,
    disk_bytes: Option<u64>,
    /// First row of a phase × operation group.
    starts_group: bool,
}

/// Builds the comparison's rows: the run phase's `OVERALL` rows, then each
/// run-phase operation type, then each load-phase operation type, each group
/// with one row per target that has the figure, in run order.
fn comparison_rows(report: &RunReport) -> Vec<ComparisonRow<'_>> {
    let mut rows = Vec::new();
    let first_target = report.targets.first();
    for (target_index, target) in report.targets.iter().enumerate() {
        let first_throughput = first_target.map(|first| first.run.throughput_ops_per_s);
        rows.push(ComparisonRow {
            phase: Phase::Run,
            operation: OVERALL,
            target_index,
            throughput_ops_per_s: target.run.throughput_ops_per_s,
            p50_us: None,
            p99_us: None,
            p999_us: None,
            throughput_ratio: ratio(target.run.throughput_ops_per_s, first_throughput),
            p99_ratio: None,
            cpu_s_per_1000_ops: Some(target.run.cpu_s_per_1000_ops),
            peak_rss_bytes: Some(target.peak_rss_bytes),
            disk_bytes: Some(target.disk_bytes),
            starts_group: target_index == 0,
        });
    }
    for group in operation_groups(report) {
        let first_operation =
            first_target.and_then(|first| find_operation(first, group.phase, group.name));
        for (position, &(target_index, operation)) in group.entries.iter().enumerate() {
            rows.push(ComparisonRow {
                phase: group.phase,
                operation: group.name,
                target_index,
                throughput_ops_per_s: operation.throughput_ops_per_s,
                p50_us: Some(operation.p50_us),
                p99_us: Some(operation.p99_us),
                p999_us: Some(operation.p999_us),
                throughput_ratio: ratio(
                    operation.throughput_ops_per_s,
                    first_operation.map(|first| first.throughput_ops_per_s),
                ),
                p99_ratio: ratio(operation.p99_us, first_operation.map(|first| first.p99_us)),
                cpu_s_per_1000_ops: None,
                peak_rss_bytes: None,
                disk_bytes: None,
                starts_group: position == 0,
            });
        }
    }
    rows
}

/// The row's cells as text; `clean` makes outside text safe for the output
/// (one line for text, escaped for HTML).
fn comparison_cells(
    report: &RunReport,
    row: &ComparisonRow<'_>,
    clean: fn(&str) -> String,
) -> [String; COMPARISON_COLUMN_COUNT] {
    let target_name = report
        .targets
        .get(row.target_index)
        .map_or("", |target| target.name.as_str());
    // A figure the row's kind has no use for is left blank; `-` marks one it
    // should have but cannot (a ratio without the first target's figure).
    let is_overall = row.operation == OVERALL;
    let blank_if =
        |not_applicable: bool, text: String| if not_applicable { String::new() } else { text };
    [
        row.phase.label().to_owned(),
        clean(row.operation),
        clean(target_name),
        format_ops_per_s(row.throughput_ops_per_s),
        blank_if(is_overall, format_optional(row.p50_us, format_us)),
        blank_if(is_overall, format_optional(row.p99_us, format_us)),
        blank_if(is_overall, format_optional(row.p999_us, format_us)),
        format_optional(row.throughput_ratio, format_ratio),
        blank_if(is_overall, format_optional(row.p99_ratio, format_ratio)),
        blank_if(
            !is_overall,
            format_optional(row.cpu_s_per_1000_ops, |value| format_significant(value, 3)),
        ),
        blank_if(!is_overall, format_optional(row.peak_rss_bytes, format_mib)),
        blank_if(!is_overall, format_optional(row.disk_bytes, format_mib)),
    ]
}

/// The notes under the comparison, as sentences of unescaped text.
fn comparison_notes(report: &RunReport) -> Vec<String> {
    let first_name = report
        .targets
        .first()
        .map_or("", |target| target.name.as_str());
    vec![
        format!(
            "Ratios are against the first target, {first_name}, for the same phase and \
             operation: an ops/s ratio above 1.00× is faster, a p99 ratio below 1.00× is better."
        ),
        "CPU s/1k ops: user + system CPU seconds of the whole process per 1000 run-phase \
         operations. Peak RSS is the process's peak so far (targets run one after another); \
         disk is the target's files after the run."
            .to_owned(),
        TAIL_NOTE.to_owned(),
    ]
}

fn ratio(value: f64, base: Option<f64>) -> Option<f64> {
    let base = base?;
    (value.is_finite() && base.is_finite() && base > 0.0).then(|| value / base)
}

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

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

/// Writes one self-contained HTML page to `path` (replacing any file there):
/// the run's workload, configuration, machine, git commit and each target's
/// settings; the comparison table; per phase and operation type a bar chart
/// of p50/p99/p99.9 per target and a latency percentile spectrum; and each
/// target's run-phase throughput per second with the warm-up shaded. Charts
/// are inline SVG; the page loads no script, font, style sheet or image.
///
/// # Errors
/// When the file cannot be written; the error names the path.
pub fn write_html(report: &RunReport, path: &Path) -> anyhow::Result<()> {
    write_report_file(path, render_html(report).as_bytes())
}

#[allow(clippy::disallowed_methods)] // Report files are the harness's own output, not engine data.
fn write_report_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// The HTML page [`write_html`] writes.
fn render_html(report: &RunReport) -> String {
    let mut html = String::with_capacity(64 * 1024);
    write_html_page(report, &mut html).expect("formatting into a String cannot fail");
    html
}

const HTML_STYLE: &str = "
body { margin: 0; background: #f7f7f7; color: #1b1b1b;
  font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 22px; margin: 8px 0 12px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d8d8d8; }
h3 { font-size: 15px; margin: 20px 0 6px; }
table { border-collapse: collapse; background: #fff; }
th, td { padding: 3px 9px; border-bottom: 1px solid #ececec; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group-start td { border-top: 2px solid #c8c8c8; }
td.target { white-space: nowrap; }
.table-scroll { max-width: 100%; overflow-x: auto; }
.table-scroll table { font-size: 13px; }
.table-scroll th, .table-scroll td { padding: 3px 7px; }
.kv th { background: none; width: 130px; }
.swatch { display: inline-block; width: 11px; height: 11px; margin-right: 6px;
  border-radius: 2px; vertical-align: -1px; }
.settings, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.settings { white-space: pre-wrap; word-break: break-word; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #e0e0e0; border-radius: 4px; padding: 4px; }
figcaption { font-size: 12px; color: #555; padding: 2px 6px 4px; }
svg { display: block; max-width: 100%; height: auto; }
.note { color: #555; font-size: 13px; margin: 6px 0; }
details { margin: 10px 0; }
summary { cursor: pointer; }
";

fn write_html_page(report: &RunReport, html: &mut String) -> fmt::Result {
    let title = format!("dynacore-bench: YCSB workload {}", report.workload);
    writeln!(html, "<!DOCTYPE html>")?;
    writeln!(html, "<html lang=\"en\">")?;
    writeln!(html, "<head>")?;
    writeln!(html, "<meta charset=\"utf-8\">")?;
    writeln!(
        html,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(html, "<title>{}</title>", escape_html(&title))?;
    writeln!(html, "<style>{HTML_STYLE}</style>")?;
    writeln!(html, "</head>")?;
    writeln!(html, "<body>")?;
    writeln!(html, "<main>")?;
    writeln!(html, "<h1>{}</h1>", escape_html(&title))?;
    write_html_header(report, html)?;

    writeln!(html, "<h2>Results</h2>")?;
    write_html_comparison(report, html)?;

    let groups = operation_groups(report);
    writeln!(html, "<h2>Latency by operation type</h2>")?;
    writeln!(
        html,
        "<p class=\"note\">Left: p50, p99 and p99.9 per target (log scale). Right: the percentile \
         spectrum, latency at each percentile q with q spread on a 1/(1&#8722;q) log scale so the \
         tail gets room; the grey band beyond p99.9 is where a 2-core VM mostly measures its \
         scheduler.</p>"
    )?;
    if groups.is_empty() {
        writeln!(html, "<p class=\"note\">No operation was measured.</p>")?;
    }
    for group in &groups {
        writeln!(
            html,
            "<section>\n<h3>{} phase · {}</h3>\n<div class=\"charts\">",
            capitalised(group.phase.label()),
            escape_html(group.name)
        )?;
        writeln!(html, "<figure>")?;
        write_percentile_bar_chart(report, group, html)?;
        writeln!(
            html,
            "<figcaption>p50 / p99 / p99.9 latency, µs, log scale</figcaption>"
        )?;
        writeln!(html, "</figure>")?;
        writeln!(html, "<figure>")?;
        write_percentile_spectrum_chart(report, group, html)?;
        writeln!(
            html,
            "<figcaption>Latency percentile spectrum: x = percentile q on a 1/(1&#8722;q) log \
             scale, y = latency µs, log scale</figcaption>"
        )?;
        writeln!(html, "</figure>")?;
        writeln!(html, "</div>\n</section>")?;
    }

    writeln!(html, "<h2>Throughput over time (run phase)</h2>")?;
    writeln!(html, "<figure>")?;
    write_throughput_timeline_chart(report, html)?;
    writeln!(
        html,
        "<figcaption>Operations completed in each second of the run phase; the shaded \
         warm-up is excluded from every other figure.</figcaption>"
    )?;
    writeln!(html, "</figure>")?;

    writeln!(
        html,
        "<p class=\"note\">Written by dynacore-bench. This page is self-contained: it loads \
         nothing from the network.</p>"
    )?;
    writeln!(html, "</main>")?;
    writeln!(html, "</body>")?;
    writeln!(html, "</html>")
}

/// (a): workload, configuration, machine, commit and each target's settings.
fn write_html_header(report: &RunReport, html: &mut String) -> fmt::Result {
    let config = &report.config;
    let run_bound = match (config.operation_count, config.duration_s) {
        (Some(operation_count), Some(duration_s)) => {
            format!("{operation_count} operations or {duration_s} s, whichever comes first")
        }
        (Some(operation_count), None) => format!("{operation_count} operations"),
        (None, Some(duration_s)) => format!("{duration_s} s"),
        (None, None) => "unbounded".to_owned(),
    };
    let pacing = match config.target_ops_per_s {
        Some(target_ops_per_s) => format!(
            "open loop, target {} ops/s over all threads",
            format_ops_per_s(target_ops_per_s)
        ),
        None => "closed loop (no target rate)".to_owned(),
    };
    let configuration = format!(
        "{} client threads · {} records · run: {run_bound} · warm-up {} s · {pacing} · \
         durability {}",
        config.threads, config.record_count, config.warmup_s, config.durability
    );
    let machine = &report.machine;
    let machine_text = format!(
        "{} · {} CPUs · {:.1} GiB memory · kernel {}",
        machine.cpu_model,
        machine.cpu_count,
        machine.memory_bytes as f64 / BYTES_PER_GIB,
        machine.kernel
    );
    writeln!(html, "<table class=\"kv\">")?;
    for (key, value, class) in [
        ("Workload", report.workload.as_str(), ""),
        ("Configuration", configuration.as_str(), ""),
        ("Machine", machine_text.as_str(), ""),
        (
            "Git commit",
            report.git_commit.as_deref().unwrap_or("unknown"),
            " class=\"mono\"",
        ),
    ] {
        writeln!(
            html,
            "<tr><th>{key}</th><td{class}>{}</td></tr>",
            escape_html(value)
        )?;
    }
    writeln!(html, "</table>")?;

    writeln!(html, "<h2>Targets</h2>")?;
    writeln!(
        html,
        "<table>\n<thead><tr><th>target</th><th>settings</th><th class=\"num\">disk MiB</th>\
         <th class=\"num\">peak RSS MiB</th></tr></thead>\n<tbody>"
    )?;
    for (target_index, target) in report.targets.iter().enumerate() {
        writeln!(
            html,
            "<tr><td>{}{}</td><td class=\"settings\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            swatch_html(target_index),
            escape_html(&target.name),
            escape_html(&target.settings),
            format_mib(target.disk_bytes),
            format_mib(target.peak_rss_bytes)
        )?;
    }
    writeln!(html, "</tbody>\n</table>")?;

    writeln!(
        html,
        "<details>\n<summary>Workload properties ({})</summary>\n<table>",
        report.properties.len()
    )?;
    for (key, value) in &report.properties {
        writeln!(
            html,
            "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
            escape_html(key),
            escape_html(value)
        )?;
    }
    writeln!(html, "</table>\n</details>")
}

/// (e): the comparison table, as HTML.
fn write_html_comparison(report: &RunReport, html: &mut String) -> fmt::Result {
    let rows = comparison_rows(report);
    if rows.is_empty() {
        return writeln!(
            html,
            "<p class=\"note\">No target ran: nothing to compare.</p>"
        );
    }
    writeln!(html, "<div class=\"table-scroll\">\n<table>\n<thead><tr>")?;
    for (column_index, header) in COMPARISON_HEADER.iter().enumerate() {
        let class = if column_index < COMPARISON_TEXT_COLUMN_COUNT {
            ""
        } else {
            " class=\"num\""
        };
        write!(html, "<th{class}>{}</th>", escape_html(header))?;
    }
    writeln!(html, "</tr></thead>\n<tbody>")?;
    for row in &rows {
        let cells = comparison_cells(report, row, escape_html);
        let row_class = if row.starts_group {
            " class=\"group-start\""
        } else {
            ""
        };
        write!(html, "<tr{row_class}>")?;
        for (column_index, cell) in cells.iter().enumerate() {
            match column_index {
                2 => write!(
                    html,
                    "<td class=\"target\">{}{cell}</td>",
                    swatch_html(row.target_index)
                )?,
                index if index < COMPARISON_TEXT_COLUMN_COUNT => write!(html, "<td>{cell}</td>")?,
                _ => write!(html, "<td class=\"num\">{cell}</td>")?,
            }
        }
        writeln!(html, "</tr>")?;
    }
    writeln!(html, "</tbody>\n</table>\n</div>")?;
    for note in comparison_notes(report) {
        writeln!(html, "<p class=\"note\">{}</p>", escape_html(&note))?;
    }
    Ok(())
}

fn swatch_html(target_index: usize) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>",
        target_colour(target_index)
    )
}

// ---------------------------------------------------------------------------
// SVG charts
// ---------------------------------------------------------------------------

const BAR_CHART_WIDTH: f64 = 430.0;
const SPECTRUM_CHART_WIDTH: f64 = 650.0;
const LATENCY_CHART_HEIGHT: f64 = 340.0;
const TIMELINE_CHART_WIDTH: f64 = 1090.0;
const TIMELINE_CHART_HEIGHT: f64 = 320.0;
/// Room left of a plot for tick labels and the rotated axis title.
const PLOT_LEFT_MARGIN: f64 = 62.0;
const PLOT_RIGHT_MARGIN: f64 = 16.0;
/// A rough average glyph advance of the 12 px sans-serif text, for layout.
const GLYPH_ADVANCE_PX: f64 = 7.0;

/// (b): p50, p99 and p99.9 of one operation type, one bar per target.
fn write_percentile_bar_chart(
    report: &RunReport,
    group: &OperationGroup<'_>,
    svg: &mut String,
) -> fmt::Result {
    const PERCENTILES: [&str; 3] = ["p50", "p99", "p99.9"];
    fn percentile_us(operation: &OperationReport, percentile_index: usize) -> f64 {
        match percentile_index {
            0 => operation.p50_us,
            1 => operation.p99_us,
            _ => operation.p999_us,
        }
    }

    let legend = Legend::layout(report, group.target_indexes(), BAR_CHART_WIDTH);
    let plot = PlotArea {
        left: PLOT_LEFT_MARGIN,
        right: BAR_CHART_WIDTH - PLOT_RIGHT_MARGIN,
        top: legend.bottom + 22.0,
        bottom: LATENCY_CHART_HEIGHT - 36.0,
    };
    let values_us = group.entries.iter().flat_map(|(_, operation)| {
        (0..PERCENTILES.len()).map(|index| percentile_us(operation, index))
    });
    let y_axis = LogAxis::covering(values_us, plot.bottom, plot.top);

    let label = format!(
        "{} phase {}: p50, p99 and p99.9 latency per target",
        group.phase.label(),
        group.name
    );
    svg_open(svg, BAR_CHART_WIDTH, LATENCY_CHART_HEIGHT, &label)?;
    legend.write(svg)?;
    y_axis.write_vertical(svg, &plot, "latency µs (log scale)")?;

    let group_width = plot.width() / PERCENTILES.len() as f64;
    let bar_count = group.entries.len().max(1) as f64;
    let bar_width = group_width * 0.72 / bar_count;
    for (percentile_index, percentile_name) in PERCENTILES.iter().enumerate() {
        let group_left = plot.left + group_width * percentile_index as f64;
        writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"600\">{percentile_name}</text>",
            group_left + group_width / 2.0,
            plot.bottom + 18.0
        )?;
        for (bar_index, &(target_index, operation)) in group.entries.iter().enumerate() {
            let value_us = percentile_us(operation, percentile_index);
            let bar_left = group_left + group_width * 0.14 + bar_width * bar_index as f64;
            let bar_top = y_axis.position(value_us);
            let name = target_name(report, target_index);
            writeln!(
                svg,
                "<rect x=\"{bar_left:.1}\" y=\"{bar_top:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
                 fill=\"{}\"><title>{}: {percentile_name} {} µs</title></rect>",
                (bar_width - 2.0).max(1.0),
                (plot.bottom - bar_top).max(0.0),
                target_colour(target_index),
                escape_html(name),
                format_us(value_us)
            )?;
            write_bar_value_label(svg, &plot, bar_left, bar_width, bar_top, value_us)?;
        }
    }
    svg_close(svg)
}

/// A bar's value: above it when there is room, otherwise rotated (narrow
/// bars) and, when the bar reaches the top, inside it in white.
fn write_bar_value_label(
    svg: &mut String,
    plot: &PlotArea,
    bar_left: f64,
    bar_width: f64,
    bar_top: f64,
    value_us: f64,
) -> fmt::Result {
    let text = format_us(value_us);
    let centre_x = bar_left + (bar_width - 2.0) / 2.0;
    let text_length_px = text.chars().count() as f64 * 6.0;
    if bar_width >= text_length_px + 4.0 {
        return writeln!(
            svg,
            "<text x=\"{centre_x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{text}</text>",
            bar_top - 4.0
        );
    }
    let (anchor, y, fill) = if bar_top - plot.top >= text_length_px + 6.0 {
        ("start", bar_top - 4.0, "#333")
    } else {
        ("end", bar_top + 4.0, "#fff")
    };
    writeln!(
        svg,
        "<text transform=\"translate({:.1},{y:.1}) rotate(-90)\" text-anchor=\"{anchor}\" \
         font-size=\"10\" fill=\"{fill}\">{text}</text>",
        centre_x + 3.5
    )
}

/// (c): latency against percentile for every target, the percentile spread
/// as `log10(1 / (1 − q))` so p90, p99, p99.9 … are equally spaced.
fn write_percentile_spectrum_chart(
    report: &RunReport,
    group: &OperationGroup<'_>,
    svg: &mut String,
) -> fmt::Result {
    const SPECTRUM_TICKS: [(f64, &str); 8] = [
        (0.0, "0%"),
        (std::f64::consts::LOG10_2, "50%"),
        (1.0, "90%"),
        (2.0, "99%"),
        (3.0, "99.9%"),
        (4.0, "99.99%"),
        (5.0, "99.999%"),
        (6.0, "99.9999%"),
    ];
    let legend = Legend::layout(report, group.target_indexes(), SPECTRUM_CHART_WIDTH);
    let plot = PlotArea {
        left: PLOT_LEFT_MARGIN,
        right: SPECTRUM_CHART_WIDTH - PLOT_RIGHT_MARGIN - 14.0,
        top: legend.bottom + 14.0,
        bottom: LATENCY_CHART_HEIGHT - 44.0,
    };
    // The resolution a histogram of n values has is 1/n: show the spectrum
    // up to there, at least to p99 and at most to p99.9999.
    let count_max = group
        .entries
        .iter()
        .map(|(_, operation)| operation.count)
        .max()
        .unwrap_or(0);
    let spectrum_max = (count_max.max(1) as f64).log10().ceil().clamp(2.0, 6.0);
    let x_axis = LinearAxis {
        low: 0.0,
        high: spectrum_max,
        pixel_low: plot.left,
        pixel_high: plot.right,
    };
    let latencies_us = group.entries.iter().flat_map(|(_, operation)| {
        operation
            .cdf
            .iter()
            .map(|&(latency_us, _)| latency_us)
            .chain([operation.min_us, operation.max_us])
    });
    let y_axis = LogAxis::covering(latencies_us, plot.bottom, plot.top);

    let label = format!(
        "{} phase {}: latency percentile spectrum per target",
        group.phase.label(),
        group.name
    );
    svg_open(svg, SPECTRUM_CHART_WIDTH, LATENCY_CHART_HEIGHT, &label)?;
    if spectrum_max > HONEST_SPECTRUM_POSITION_MAX {
        let band_left = x_axis.position(HONEST_SPECTRUM_POSITION_MAX);
        writeln!(
            svg,
            "<rect x=\"{band_left:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ededed\"/>",
            plot.top,
            plot.right - band_left,
            plot.height()
        )?;
    }
    legend.write(svg)?;
    y_axis.write_vertical(svg, &plot, "latency µs (log scale)")?;
    for &(spectrum_position, tick_label) in &SPECTRUM_TICKS {
        if spectrum_position > spectrum_max {
            break;
        }
        let x = x_axis.position(spectrum_position);
        writeln!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#dcdcdc\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{tick_label}</text>",
            plot.top,
            plot.bottom,
            plot.bottom + 16.0
        )?;
    }
    writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">percentile (1/(1&#8722;q) log scale)</text>",
        (plot.left + plot.right) / 2.0,
        plot.bottom + 36.0
    )?;
    write_plot_frame(svg, &plot)?;
    if spectrum_max > HONEST_SPECTRUM_POSITION_MAX {
        // Drawn over the gridlines, with a halo of the band's colour.
        writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\" fill=\"#666\" \
             stroke=\"#ededed\" stroke-width=\"4\" paint-order=\"stroke\">beyond p99.9: mostly the \
             scheduler</text>",
            plot.right - 4.0,
            plot.top + 12.0
        )?;
    }

    for &(target_index, operation) in &group.entries {
        let Some(path) = spectrum_path(operation, &x_axis, &y_axis) else {
            continue;
        };
        writeln!(
            svg,
            "<path d=\"{path}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}>\
             <title>{}</title></path>",
            target_colour(target_index),
            line_dash(target_index),
            escape_html(target_name(report, target_index))
        )?;
    }
    svg_close(svg)
}

/// The spectrum as a step path: latency `l_i` holds for the percentiles in
/// `(q_{i−1}, q_i]`, where `(l_i, q_i)` are the CDF's points. `None` when the
/// CDF has no usable point.
fn spectrum_path(
    operation: &OperationReport,
    x_axis: &LinearAxis,
    y_axis: &LogAxis,
) -> Option<String> {
    let points: Vec<(f64, f64)> = operation
        .cdf
        .iter()
        .copied()
        .filter(|&(latency_us, fraction)| latency_us.is_finite() && (0.0..=1.0).contains(&fraction))
        .collect();
    let (first_latency_us, _) = *points.first()?;
    let mut path = format!(
        "M{:.1},{:.1}",
        x_axis.position(0.0),
        y_axis.position(first_latency_us)
    );
    for (point_index, &(_, fraction)) in points.iter().enumerate() {
        let spectrum_position = if fraction >= 1.0 {
            x_axis.high
        } else {
            (-(1.0 - fraction).log10()).min(x_axis.high)
        };
        write!(path, "H{:.1}", x_axis.position(spectrum_position)).ok()?;
        if spectrum_position >= x_axis.high {
            break;
        }
        if let Some(&(next_latency_us, _)) = points.get(point_index + 1) {
            write!(path, "V{:.1}", y_axis.position(next_latency_us)).ok()?;
        }
    }
    Some(path)
}

/// (d): operations per second of every target's run phase, warm-up shaded.
fn write_throughput_timeline_chart(report: &RunReport, svg: &mut String) -> fmt::Result {
    let legend = Legend::layout(report, 0..report.targets.len(), TIMELINE_CHART_WIDTH);
    let plot = PlotArea {
        left: PLOT_LEFT_MARGIN + 6.0,
        right: TIMELINE_CHART_WIDTH - PLOT_RIGHT_MARGIN - 8.0,
        top: legend.bottom + 14.0,
        bottom: TIMELINE_CHART_HEIGHT - 42.0,
    };
    let seconds_max = report
        .targets
        .iter()
        .map(|target| target.run.throughput_timeline.len())
        .max()
        .unwrap_or(0);
    let ops_max = report
        .targets
        .iter()
        .flat_map(|target| target.run.throughput_timeline.iter().copied())
        .max()
        .unwrap_or(0);
    let (seconds_top, seconds_ticks) = nice_linear_ticks(seconds_max.max(1) as f64, 12);
    let (ops_top, ops_ticks) = nice_linear_ticks(ops_max.max(1) as f64 * 1.05, 6);
    let x_axis = LinearAxis {
        low: 0.0,
        high: seconds_top,
        pixel_low: plot.left,
        pixel_high: plot.right,
    };
    let y_axis = LinearAxis {
        low: 0.0,
        high: ops_top,
        pixel_low: plot.bottom,
        pixel_high: plot.top,
    };

    svg_open(
        svg,
        TIMELINE_CHART_WIDTH,
        TIMELINE_CHART_HEIGHT,
        "run phase throughput per second, per target",
    )?;
    let mut warmup_seconds: Vec<usize> = report
        .targets
        .iter()
        .map(|target| target.run.warmup_seconds)
        .filter(|&seconds| seconds > 0)
        .collect();
    warmup_seconds.sort_unstable();
    warmup_seconds.dedup();
    for &seconds in &warmup_seconds {
        let band_right = x_axis.position(seconds as f64);
        writeln!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#888\" \
             fill-opacity=\"0.14\"><title>warm-up: {seconds} s</title></rect>",
            plot.left,
            plot.top,
            band_right - plot.left,
            plot.height()
        )?;
    }
    if let Some(&seconds) = warmup_seconds.first() {
        writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#555\">warm-up</text>",
            plot.left + 4.0,
            plot.top + 12.0
        )?;
        debug_assert!(seconds > 0);
    }
    legend.write(svg)?;
    for &ops in &ops_ticks {
        let y = y_axis.position(ops);
        writeln!(
            svg,
            "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e2e2e2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            plot.left,
            plot.right,
            plot.left - 6.0,
            y + 4.0,
            format_axis_value(ops)
        )?;
    }
    for &second in &seconds_ticks {
        let x = x_axis.position(second);
        writeln!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            plot.bottom,
            plot.bottom + 4.0,
            plot.bottom + 17.0,
            format_axis_value(second)
        )?;
    }
    write_axis_titles(svg, &plot, "ops/s", "seconds since the run phase started")?;
    write_plot_frame(svg, &plot)?;
    if seconds_max == 0 {
        writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#777\">no timeline recorded</text>",
            (plot.left + plot.right) / 2.0,
            (plot.top + plot.bottom) / 2.0
        )?;
    }
    for (target_index, target) in report.targets.iter().enumerate() {
        let timeline = &target.run.throughput_timeline;
        let colour = target_colour(target_index);
        if let [only_ops] = timeline.as_slice() {
            writeln!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"/>",
                x_axis.position(0.5),
                y_axis.position(*only_ops as f64)
            )?;
            continue;
        }
        let mut points = String::new();
        for (second, &ops) in timeline.iter().enumerate() {
            write!(
                points,
                "{:.1},{:.1} ",
                x_axis.position(second as f64 + 0.5),
                y_axis.position(ops as f64)
            )?;
        }
        writeln!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\" \
             stroke-linejoin=\"round\"{}><title>{}</title></polyline>",
            points.trim_end(),
            line_dash(target_index),
            escape_html(&target.name)
        )?;
    }
    svg_close(svg)
}

fn svg_open(svg: &mut String, width: f64, height: f64, label: &str) -> fmt::Result {
    let label = escape_html(label);
    writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{label}\" \
         font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"#222\">"
    )?;
    writeln!(svg, "<title>{label}</title>")?;
    writeln!(
        svg,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>"
    )
}

fn svg_close(svg: &mut String) -> fmt::Result {
    writeln!(svg, "</svg>")
}

fn write_plot_frame(svg: &mut String, plot: &PlotArea) -> fmt::Result {
    writeln!(
        svg,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#999\"/>",
        plot.left,
        plot.top,
        plot.width(),
        plot.height()
    )
}

fn write_axis_titles(
    svg: &mut String,
    plot: &PlotArea,
    y_title: &str,
    x_title: &str,
) -> fmt::Result {
    writeln!(
        svg,
        "<text transform=\"translate(14,{:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        (plot.top + plot.bottom) / 2.0,
        escape_html(y_title)
    )?;
    if !x_title.is_empty() {
        writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            (plot.left + plot.right) / 2.0,
            plot.bottom + 34.0,
            escape_html(x_title)
        )?;
    }
    Ok(())
}

/// A plot's rectangle in SVG pixels.
#[derive(Debug)]
struct PlotArea {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl PlotArea {
    fn width(&self) -> f64 {
        self.right - self.left
    }

    fn height(&self) -> f64 {
        self.bottom - self.top
    }
}

/// A linear map from values to pixels.
#[derive(Debug)]
struct LinearAxis {
    low: f64,
    high: f64,
    pixel_low: f64,
    pixel_high: f64,
}

impl LinearAxis {
    fn position(&self, value: f64) -> f64 {
        let span = self.high - self.low;
        let fraction = if span > 0.0 {
            (value - self.low) / span
        } else {
            0.0
        };
        self.pixel_low + fraction.clamp(0.0, 1.0) * (self.pixel_high - self.pixel_low)
    }
}

/// A base-10 logarithmic map from values to pixels over whole decades.
#[derive(Debug)]
struct LogAxis {
    decade_low: i32,
    decade_high: i32,
    pixel_low: f64,
    pixel_high: f64,
}

impl LogAxis {
    /// The decades that cover the positive, finite `values`, with the lowest
    /// value at least a little above the axis so its bar stays visible.
    fn covering(values: impl Iterator<Item = f64>, pixel_low: f64, pixel_high: f64) -> Self {
        // Ten nanoseconds to a thousand seconds: beyond that a figure is a bug.
        const DECADE_MIN: i32 = -2;
        const DECADE_MAX: i32 = 9;
        let (mut value_min, mut value_max) = (f64::INFINITY, 0.0_f64);
        for value in values.filter(|value| value.is_finite() && *value > 0.0) {
            value_min = value_min.min(value);
            value_max = value_max.max(value);
        }
        if !value_min.is_finite() {
            (value_min, value_max) = (1.0, 10.0);
        }
        let decade_low =
            ((value_min * 0.8).log10().floor() as i32).clamp(DECADE_MIN, DECADE_MAX - 1);
        let decade_high = (value_max.log10().ceil() as i32).clamp(decade_low + 1, DECADE_MAX);
        Self {
            decade_low,
            decade_high,
            pixel_low,
            pixel_high,
        }
    }

    fn position(&self, value: f64) -> f64 {
        let (low, high) = (f64::from(self.decade_low), f64::from(self.decade_high));
        let exponent = if value.is_finite() && value > 0.0 {
            value.log10().clamp(low, high)
        } else {
            low
        };
        self.pixel_low + (exponent - low) / (high - low) * (self.pixel_high - self.pixel_low)
    }

    /// Ticks as (value, labelled): every decade labelled; within decades 2×
    /// and 5× labelled when the axis spans at most two decades, and 2×…9×
    /// as unlabelled minor ticks otherwise.
    fn ticks(&self) -> Vec<(f64, bool)> {
        let few_decades = self.decade_high - self.decade_low <= 2;
        let mut ticks = Vec::new();
        for decade in self.decade_low..=self.decade_high {
            let base = 10_f64.powi(decade);
            ticks.push((base, true));
            if decade == self.decade_high {
                break;
            }
            for multiple in 2..=9 {
                let labelled = few_decades && (multiple == 2 || multiple == 5);
                ticks.push((base * f64::from(multiple), labelled));
            }
        }
        ticks
    }

    /// Gridlines, labels and title of a vertical log axis on `plot`.
    fn write_vertical(&self, svg: &mut String, plot: &PlotArea, title: &str) -> fmt::Result {
        for (value, labelled) in self.ticks() {
            let y = self.position(value);
            let stroke = if labelled { "#d6d6d6" } else { "#f0f0f0" };
            writeln!(
                svg,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{stroke}\"/>",
                plot.left, plot.right
            )?;
            if labelled {
                writeln!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                    plot.left - 6.0,
                    y + 4.0,
                    format_axis_value(value)
                )?;
            }
        }
        write_axis_titles(svg, plot, title, "")?;
        write_plot_frame(svg, plot)
    }
}

/// A legend of targets at the top of a chart, wrapped into rows.
#[derive(Debug)]
struct Legend<'a> {
    /// (x, y of the row's top, target index, name).
    items: Vec<(f64, f64, usize, &'a str)>,
    /// The y just below the last row.
    bottom: f64,
}

impl<'a> Legend<'a> {
    const ROW_HEIGHT_PX: f64 = 18.0;
    const TOP_PX: f64 = 8.0;

    fn layout(
        report: &'a RunReport,
        target_indexes: impl Iterator<Item = usize>,
        chart_width: f64,
    ) -> Self {
        let left = PLOT_LEFT_MARGIN;
        let right = chart_width - PLOT_RIGHT_MARGIN;
        let (mut x, mut y) = (left, Self::TOP_PX);
        let mut items = Vec::new();
        for target_index in target_indexes {
            let name = target_name(report, target_index);
            let item_width = 18.0 + name.chars().count() as f64 * GLYPH_ADVANCE_PX + 16.0;
            if x > left && x + item_width > right {
                x = left;
                y += Self::ROW_HEIGHT_PX;
            }
            items.push((x, y, target_index, name));
            x += item_width;
        }
        Self {
            items,
            bottom: y + Self::ROW_HEIGHT_PX,
        }
    }

    fn write(&self, svg: &mut String) -> fmt::Result {
        for &(x, y, target_index, name) in &self.items {
            writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" rx=\"2\" fill=\"{}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                y + 1.0,
                target_colour(target_index),
                x + 17.0,
                y + 11.5,
                escape_html(name)
            )?;
        }
        Ok(())
    }
}

/// Ticks at a 1, 2 or 5 × 10ⁿ step from 0 to at least `value_max`, about
/// `tick_count_wanted` of them; returns the top of the axis and the ticks.
fn nice_linear_ticks(value_max: f64, tick_count_wanted: usize) -> (f64, Vec<f64>) {
    let value_max = if value_max.is_finite() && value_max > 0.0 {
        value_max
    } else {
        1.0
    };
    let raw_step = value_max / tick_count_wanted.max(1) as f64;
    let magnitude = 10_f64.powf(raw_step.log10().floor());
    let step = match raw_step / magnitude {
        normalised if normalised <= 1.0 => magnitude,
        normalised if normalised <= 2.0 => 2.0 * magnitude,
        normalised if normalised <= 5.0 => 5.0 * magnitude,
        _ => 10.0 * magnitude,
    };
    let step_count = (value_max / step).ceil().max(1.0) as usize;
    let ticks = (0..=step_count).map(|index| step * index as f64).collect();
    (step * step_count as f64, ticks)
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
    use super::*;
    use crate::results::{MachineInfo, RunConfig};

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
        }
    }

    const HOSTILE_NAME: &str = "<script>alert(\"x\")</script> & 'co'";

    fn synthetic_report() -> RunReport {
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
            },
            machine: MachineInfo {
                cpu_model: "AMD EPYC 9R14".to_owned(),
                cpu_count: 2,
                memory_bytes: 8 * 1024 * 1024 * 1024,
                kernel: "6.18.0".to_owned(),
            },
            git_commit: Some("fd3ec7f0123456789abcdef0123456789abcdef0".to_owned()),
            targets: vec![
                synthetic_target(
                    "embedded",
                    "4 shards, block cache 256 MiB, WAL without sync",
                    1.0,
                    false,
                ),
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

    fn ycsb_text(report: &RunReport) -> String {
        let mut bytes = Vec::new();
        print_ycsb_text(report, &mut bytes).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    fn comparison_text(report: &RunReport) -> String {
        let mut bytes = Vec::new();
        print_comparison(report, &mut bytes).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    /// Checks that every non-void element is closed in order: enough to
    /// catch an unescaped `<` in outside text or a forgotten closing tag.
    fn assert_tags_balanced(html: &str) {
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
    }

    #[test]
    fn report_html_is_self_contained_escaped_and_balanced() {
        let report = synthetic_report();
        let html = render_html(&report);

        for target in &report.targets {
            assert!(
                html.contains(&escape_html(&target.name)),
                "missing {}",
                target.name
            );
        }
        assert!(
            html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;")
        );
        assert!(
            !html.contains("<script"),
            "outside text reached the page unescaped"
        );
        assert!(!html.contains("<b>markup"));
        assert!(html.contains("<svg"));
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        // Two charts per phase × operation type, one timeline.
        let group_count = operation_groups(&report).len();
        assert_eq!(html.matches("<svg").count(), 2 * group_count + 1);

        let without_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!without_namespace.contains("http://"));
        assert!(!without_namespace.contains("https://"));
        for reference in ["src=", "href=", "url(", "@import"] {
            assert!(!html.contains(reference), "page references {reference}");
        }
        assert_tags_balanced(&html);

        if let Some(sample_path) = std::env::var_os("DYNACORE_REPORT_SAMPLE_HTML") {
            write_html(&report, Path::new(&sample_path)).unwrap();
        }
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // The test reads back and removes its own file.
    fn report_html_writes_the_file() {
        let report = synthetic_report();
        let path =
            std::env::temp_dir().join(format!("dynacore-report-test-{}.html", std::process::id()));
        write_html(&report, &path).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(written, render_html(&report));
        assert!(written.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn report_ycsb_text_has_overall_and_percentiles_per_target() {
        let report = synthetic_report();
        let text = ycsb_text(&report);
        for target in &report.targets {
            let header = format!(
                "# target {}, run phase; settings: {}",
                one_line(&target.name),
                one_line(&target.settings)
            );
            let block_start = text
                .find(&header)
                .unwrap_or_else(|| panic!("no run block for {}", target.name));
            let block = &text[block_start + header.len()..];
            let block = &block[..block.find("\n#").unwrap_or(block.len())];
            assert!(block.contains(&format!(
                "\n[OVERALL], Throughput(ops/sec), {:.1}\n",
                target.run.throughput_ops_per_s
            )));
            assert!(block.contains("\n[OVERALL], RunTime(ms), 20000\n"));
            let read = &target.run.operations[0];
            assert!(block.contains(&format!(
                "\n[READ], 99thPercentileLatency(us), {:.2}\n",
                read.p99_us
            )));
            assert!(block.contains(&format!("\n[READ], Operations, {}\n", read.count)));
            assert!(text.contains(&format!(
                "# target {}, load phase; settings: ",
                one_line(&target.name)
            )));
        }
        assert!(text.contains("[UPDATE], Return=ERROR, 17\n"));
        assert_eq!(text.matches("Return=ERROR").count(), 1);
        assert_eq!(
            text.matches("[READ], 99.9PercentileLatency(us), ").count(),
            3
        );
        // The settings' line break must not start a line of its own.
        assert!(
            text.lines()
                .all(|line| line.is_empty() || line.starts_with('#') || line.starts_with('['))
        );
    }

    #[test]
    fn report_comparison_ratios_of_the_first_target_are_one() {
        let report = synthetic_report();
        let rows = comparison_rows(&report);
        for row in rows.iter().filter(|row| row.target_index == 0) {
            assert_eq!(
                row.throughput_ratio,
                Some(1.0),
                "{} {}",
                row.phase.label(),
                row.operation
            );
            if row.operation != OVERALL {
                assert_eq!(row.p99_ratio, Some(1.0));
            }
        }
        // SCAN: only the third target has it, so there is nothing to compare with.
        let scan = rows.iter().find(|row| row.operation == "SCAN").unwrap();
        assert_eq!((scan.throughput_ratio, scan.p99_ratio), (None, None));

        let text = comparison_text(&report);
        let embedded_lines: Vec<&str> = text
            .lines()
            .filter(|line| line.contains(" embedded "))
            .collect();
        assert_eq!(
            embedded_lines.len(),
            1 + 2 + 1,
            "OVERALL, READ, UPDATE, load INSERT:\n{text}"
        );
        for line in &embedded_lines {
            assert!(line.contains("1.00×"), "{line}");
        }
        let rocksdb_read = text
            .lines()
            .find(|line| line.contains(" READ ") && line.contains(" rocksdb "))
            .unwrap();
        assert!(rocksdb_read.contains("0.43×"), "{rocksdb_read}");
        assert!(text.contains("p99.9"));
        assert!(text.contains("mostly measure the scheduler"));

        // Aligned: the ops/s column ends at the same character in every row.
        let header = text.lines().next().unwrap();
        let ops_end = header.find("ops/s").unwrap() + "ops/s".len();
        let ops_end_chars = header[..ops_end].chars().count();
        for line in text.lines().skip(2).take_while(|line| !line.is_empty()) {
            let before: String = line.chars().take(ops_end_chars).collect();
            assert!(
                before.ends_with(|character: char| character.is_ascii_digit()),
                "{line}"
            );
        }
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
