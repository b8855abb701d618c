//! The charts of the HTML page, drawn as inline SVG with no script or
//! external resource: per phase and operation type a bar chart of p50, p99
//! and p99.9 per target and a latency percentile spectrum, and the run
//! phase's throughput over time with the warm-up shaded; plus what they are
//! built from (plot areas, linear and logarithmic axes with their ticks,
//! legends). Outside text reaches a chart only through [`escape_html`].

use std::fmt::{self, Write as _};

use super::{
    OperationGroup, OperationReport, RunReport, escape_html, format_axis_value, format_us,
    line_dash, target_colour, target_name,
};

/// The percentile above which, on the project's 2-vCPU VMs, latency mostly
/// measures the OS scheduler (docs: `MACHINE.md`), as a spectrum position
/// `log10(1 / (1 − q))`: 3 is p99.9.
const HONEST_SPECTRUM_POSITION_MAX: f64 = 3.0;

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
pub(super) fn write_percentile_bar_chart(
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
pub(super) fn write_percentile_spectrum_chart(
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
pub(super) fn write_throughput_timeline_chart(report: &RunReport, svg: &mut String) -> fmt::Result {
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
