//! The two plain-text renderings, both written to the harness's standard
//! output: [`print_ycsb_text`], YCSB's own `[OP], Metric, value` lines per
//! target and phase, and [`print_comparison`], the aligned table of every
//! target × operation type with ratios against the first target. The table's
//! rows ([`ComparisonRow`]), cells and notes are built here once and reused by
//! the HTML page's table. Outside text reaches these outputs only through
//! [`one_line`].

use std::io;

use super::{
    Phase, RunReport, find_operation, format_mib, format_ops_per_s, format_optional, format_ratio,
    format_significant, format_us, one_line, operation_groups, phase_measured_anything,
};
use crate::results::{CacheSummary, PhaseReport, TargetReport};

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
            if phase == Phase::Run
                && let Some(cache) = &target.cache
            {
                write_ycsb_cache(cache, out)?;
            }
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

/// The item cache's run-phase figures in YCSB's line grammar, under the
/// tag `[CACHE]`; `HitRatio` only when there were lookups.
fn write_ycsb_cache(cache: &CacheSummary, out: &mut impl io::Write) -> io::Result<()> {
    if let Some(ratio) = cache.hit_ratio {
        writeln!(out, "[CACHE], HitRatio, {ratio:.4}")?;
    }
    for (metric, value) in [
        ("Hits", cache.hits),
        ("Misses", cache.misses),
        ("NegativeHits", cache.negative_hits),
        ("Evictions", cache.evictions),
        ("ItemBytesUsed", cache.item_bytes_used),
        ("ItemBudgetBytes", cache.item_budget_bytes),
    ] {
        writeln!(out, "[CACHE], {metric}, {value}")?;
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
    let text_columns = COMPARISON_TEXT_COLUMN_COUNT;
    write_aligned_line(
        out,
        &COMPARISON_HEADER.map(String::from),
        &widths,
        text_columns,
    )?;
    let separator = widths.map(|width| "-".repeat(width));
    write_aligned_line(out, &separator, &widths, text_columns)?;
    for (row_index, (row, row_cells)) in rows.iter().zip(&cells).enumerate() {
        if row.starts_group && row_index > 0 {
            writeln!(out)?;
        }
        write_aligned_line(out, row_cells, &widths, text_columns)?;
    }
    writeln!(out)?;
    for note in comparison_notes(report) {
        writeln!(out, "{}", one_line(&note))?;
    }
    writeln!(out)?;
    print_cache_table(report, out)
}

/// Prints the item cache table: one row per target, `n/a` for a target
/// whose cache the harness cannot see, then the note saying what it counts.
fn print_cache_table(report: &RunReport, out: &mut impl io::Write) -> io::Result<()> {
    let cells: Vec<[String; CACHE_COLUMN_COUNT]> = report
        .targets
        .iter()
        .map(|target| cache_cells(target, one_line))
        .collect();
    let mut widths = CACHE_HEADER.map(|header| header.chars().count());
    for row_cells in &cells {
        for (width, cell) in widths.iter_mut().zip(row_cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    write_aligned_line(out, &CACHE_HEADER.map(String::from), &widths, 1)?;
    write_aligned_line(out, &widths.map(|width| "-".repeat(width)), &widths, 1)?;
    for row_cells in &cells {
        write_aligned_line(out, row_cells, &widths, 1)?;
    }
    writeln!(out)?;
    writeln!(out, "{}", one_line(CACHE_NOTE))
}

/// Pads `cells` to `widths`: the first `text_columns` left-aligned (words),
/// the rest right-aligned (numbers).
fn write_aligned_line<const N: usize>(
    out: &mut impl io::Write,
    cells: &[String; N],
    widths: &[usize; N],
    text_columns: usize,
) -> io::Result<()> {
    let mut line = String::new();
    for (column_index, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        if column_index > 0 {
            line.push_str("  ");
        }
        // Rust pads by characters, so `µ` and `×` count as one column each.
        if column_index < text_columns {
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
pub(super) const COMPARISON_TEXT_COLUMN_COUNT: usize = 3;
pub(super) const COMPARISON_HEADER: [&str; COMPARISON_COLUMN_COUNT] = [
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
pub(super) struct ComparisonRow<'a> {
    phase: Phase,
    /// `OVERALL` or an operation type.
    operation: &'a str,
    pub(super) target_index: usize,
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
    pub(super) starts_group: bool,
}

/// Builds the comparison's rows: the run phase's `OVERALL` rows, then each
/// run-phase operation type, then each load-phase operation type, each group
/// with one row per target that has the figure, in run order.
pub(super) fn comparison_rows(report: &RunReport) -> Vec<ComparisonRow<'_>> {
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
pub(super) fn comparison_cells(
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
pub(super) fn comparison_notes(report: &RunReport) -> Vec<String> {
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
         operations. Peak RSS is the process's peak while that target ran (reset before each \
         target); disk is the target's files after the run."
            .to_owned(),
        TAIL_NOTE.to_owned(),
    ]
}

const CACHE_COLUMN_COUNT: usize = 8;
pub(super) const CACHE_HEADER: [&str; CACHE_COLUMN_COUNT] = [
    "target",
    "item cache hit ratio",
    "hits",
    "misses",
    "negative hits",
    "evictions",
    "used MiB",
    "budget MiB",
];

/// What the cache table counts, under it.
pub(super) const CACHE_NOTE: &str = "Item cache: dynacore's point-read cache over the run phase \
     (warm-up included): hit ratio = hits / (hits + misses), `-` with no lookups; used and \
     budget are at the phase's end, over all shards. n/a: a target whose cache the harness \
     cannot see (the baselines, a server it did not start).";

/// One target's row of the cache table; `clean` makes outside text safe.
pub(super) fn cache_cells(
    target: &TargetReport,
    clean: fn(&str) -> String,
) -> [String; CACHE_COLUMN_COUNT] {
    let mut cells: [String; CACHE_COLUMN_COUNT] = std::array::from_fn(|_| "n/a".to_owned());
    cells[0] = clean(&target.name);
    if let Some(cache) = &target.cache {
        cells[1] = format_optional(cache.hit_ratio, |ratio| format!("{:.1} %", ratio * 100.0));
        cells[2] = cache.hits.to_string();
        cells[3] = cache.misses.to_string();
        cells[4] = cache.negative_hits.to_string();
        cells[5] = cache.evictions.to_string();
        cells[6] = format_mib(cache.item_bytes_used);
        cells[7] = format_mib(cache.item_budget_bytes);
    }
    cells
}

fn ratio(value: f64, base: Option<f64>) -> Option<f64> {
    let base = base?;
    (value.is_finite() && base.is_finite() && base > 0.0).then(|| value / base)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{comparison_text, synthetic_report, ycsb_text};
    use super::*;

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
    fn report_text_has_the_cache_figures_and_n_a_for_baselines() {
        let report = synthetic_report();
        let text = ycsb_text(&report);
        assert_eq!(
            text.matches("[CACHE], HitRatio, 0.7500\n").count(),
            1,
            "{text}"
        );
        assert!(text.contains("[CACHE], Hits, 3000\n[CACHE], Misses, 1000\n"));
        assert!(text.contains("[CACHE], ItemBytesUsed, 2097152\n"));
        let table = comparison_text(&report);
        let row = |name: &str| {
            table
                .lines()
                .find(|line| line.starts_with(name))
                .unwrap_or_else(|| panic!("no cache row for {name}:\n{table}"))
                .split_whitespace()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            row("embedded"),
            [
                "embedded", "75.0", "%", "3000", "1000", "12", "40", "2.0", "256.0"
            ]
        );
        assert_eq!(row("rocksdb")[1..], ["n/a"; 7]);
        assert!(table.contains("item cache hit ratio"));
        assert!(table.contains("hits / (hits + misses)"));
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
}
