//! [`write_html`]: the self-contained HTML page: its structure, the
//! style sheet, the header tables (workload, configuration, machine, commit,
//! targets, workload properties) and the comparison table, whose rows come
//! from `text`. The charts placed in the page are drawn in `svg`. Outside
//! text reaches the page only through [`escape_html`].

use std::fmt::{self, Write as _};
use std::path::Path;

use super::svg::{
    write_percentile_bar_chart, write_percentile_spectrum_chart, write_throughput_timeline_chart,
};
use super::text::{
    CACHE_HEADER, CACHE_NOTE, COMPARISON_HEADER, COMPARISON_TEXT_COLUMN_COUNT, cache_cells,
    comparison_cells, comparison_notes, comparison_rows,
};
use super::{
    RunReport, capitalised, escape_html, format_mib, format_ops_per_s, operation_groups,
    target_colour, write_report_file,
};

const BYTES_PER_GIB: f64 = 1024.0 * 1024.0 * 1024.0;

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
/// The HTML page [`write_html`] writes.
pub(super) fn render_html(report: &RunReport) -> String {
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

    writeln!(html, "<h2>Item cache (run phase)</h2>")?;
    write_html_cache(report, html)?;

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
    let cache = match config.cache_bytes {
        Some(bytes) => format!("--cache-bytes {bytes}"),
        None => "each engine's usual cache".to_owned(),
    };
    let configuration = format!(
        "{} client threads · {} records · run: {run_bound} · warm-up {} s · {pacing} · \
         durability {} · cache: {cache}",
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

/// The item cache table, one row per target (`n/a` where the harness
/// cannot see the cache), and its note.
fn write_html_cache(report: &RunReport, html: &mut String) -> fmt::Result {
    if report.targets.is_empty() {
        return writeln!(html, "<p class=\"note\">No target ran.</p>");
    }
    writeln!(html, "<table>\n<thead><tr>")?;
    for (column_index, header) in CACHE_HEADER.iter().enumerate() {
        let class = if column_index == 0 {
            ""
        } else {
            " class=\"num\""
        };
        write!(html, "<th{class}>{}</th>", escape_html(header))?;
    }
    writeln!(html, "</tr></thead>\n<tbody>")?;
    for (target_index, target) in report.targets.iter().enumerate() {
        write!(html, "<tr>")?;
        for (column_index, cell) in cache_cells(target, escape_html).iter().enumerate() {
            if column_index == 0 {
                write!(
                    html,
                    "<td class=\"target\">{}{cell}</td>",
                    swatch_html(target_index)
                )?;
            } else {
                write!(html, "<td class=\"num\">{cell}</td>")?;
            }
        }
        writeln!(html, "</tr>")?;
    }
    writeln!(html, "</tbody>\n</table>")?;
    writeln!(html, "<p class=\"note\">{}</p>", escape_html(CACHE_NOTE))
}

fn swatch_html(target_index: usize) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>",
        target_colour(target_index)
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_tags_balanced, synthetic_report};
    use super::*;

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
        assert!(html.contains("<h2>Item cache (run phase)</h2>"));
        assert!(html.contains("<td class=\"num\">75.0 %</td>"));
        assert!(html.contains("<td class=\"num\">n/a</td>"));

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
}
