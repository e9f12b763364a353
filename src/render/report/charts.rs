//! The report's charts as inline SVG: stacked bars, a line, a histogram with markers, a
//! heatmap and horizontal bars. Colours come from the page's CSS classes (a colour-blind-safe
//! palette that follows dark mode); every text is escaped.

use std::fmt::Write as _;

use crate::render::transcript::html_escape;

/// The drawing area, in SVG user units (the page scales it to its width).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 44.0;
/// At most this many labels along the x axis.
const X_LABELS: usize = 6;

/// One series of a stacked bar chart: its CSS class, its name and a value per bar.
pub struct Series<'a> {
    pub class: &'a str,
    pub name: &'a str,
    pub values: Vec<f64>,
}

/// A marker on a histogram: a vertical line at `at` with a label.
pub struct Marker {
    pub at: f64,
    pub label: String,
}

fn open(out: &mut String, label: &str, height: f64) {
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{0}\"><title>{0}</title>",
        html_escape(label)
    );
}

/// `1, 2, 5 × 10ⁿ` at or above `value`: the top of an axis.
pub fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * magnitude >= value {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// The top of an axis of counts: four steps of 1, 2 or 5 × 10ⁿ (at least 1), so every tick
/// is a whole number.
pub fn count_ceiling(value: f64) -> f64 {
    let wanted = (value / 4.0).max(1.0);
    let magnitude = 10f64.powf(wanted.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|s| s * magnitude)
        .find(|s| *s >= wanted)
        .unwrap_or(10.0 * magnitude);
    4.0 * step
}

/// A number as an axis shows it: whole numbers without decimals, thousands as `40k` and
/// millions as `1.5M` so labels stay short.
fn tick(value: f64) -> String {
    let whole = |v: f64| {
        if (v - v.round()).abs() < 1e-9 {
            format!("{}", v.round() as i64)
        } else {
            format!("{v:.1}")
        }
    };
    if value.abs() >= 1e6 {
        format!("{}M", whole(value / 1e6))
    } else if value.abs() >= 1e4 {
        format!("{}k", whole(value / 1e3))
    } else {
        whole(value)
    }
}

/// The y axis: grid lines, tick labels and the axis title; returns the scale (value → y).
fn y_axis(out: &mut String, top: f64, title: &str, suffix: &str) -> impl Fn(f64) -> f64 {
    let plot = HEIGHT - TOP - BOTTOM;
    let scale = move |v: f64| HEIGHT - BOTTOM - plot * (v / top);
    for i in 0..=4 {
        let v = top * f64::from(i) / 4.0;
        let y = scale(v);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}{suffix}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            tick(v)
        );
    }
    let _ = write!(
        out,
        "<text class=\"title\" transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        TOP + plot / 2.0,
        html_escape(title)
    );
    scale
}

/// Labels under `n` slots (every k-th when there are many) and the x axis title.
fn x_axis(out: &mut String, labels: &[String], title: &str) {
    let n = labels.len().max(1);
    let slot = (WIDTH - LEFT - RIGHT) / n as f64;
    let every = n.div_ceil(X_LABELS).max(1);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let x = LEFT + slot * (i as f64 + 0.5);
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            HEIGHT - BOTTOM + 16.0,
            html_escape(label)
        );
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{1:.1}\" y2=\"{1:.1}\"/>\
         <text class=\"title\" x=\"{2:.1}\" y=\"{3:.1}\" text-anchor=\"middle\">{4}</text>",
        WIDTH - RIGHT,
        HEIGHT - BOTTOM,
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        HEIGHT - 6.0,
        html_escape(title)
    );
}

/// Bars of stacked series, one bar per label; a bar marked in `partial` is lighter (its
/// period is covered only in part, named `x_title`) and says so in its title.
pub fn stacked_bars(
    labels: &[String],
    series: &[Series],
    partial: &[bool],
    x_title: &str,
    y_title: &str,
) -> String {
    let mut out = String::new();
    open(&mut out, y_title, HEIGHT);
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| series.iter().filter_map(|s| s.values.get(i)).sum())
        .collect();
    let top = count_ceiling(totals.iter().copied().fold(0.0, f64::max));
    let y = y_axis(&mut out, top, y_title, "");
    let slot = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let bar = (slot * 0.8).max(0.5);
    for (i, label) in labels.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut base = 0.0;
        let part = partial.get(i).copied().unwrap_or(false);
        let noun = if totals[i] == 1.0 {
            "conversation"
        } else {
            "conversations"
        };
        let mut tip = if part {
            format!("{label} (partial {x_title}): {} {noun}", tick(totals[i]))
        } else {
            format!("{label}: {} {noun}", tick(totals[i]))
        };
        for s in series {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            if v > 0.0 {
                let _ = write!(tip, ", {} {}", tick(v), s.name);
            }
        }
        let class = if part { " class=\"partial\"" } else { "" };
        let _ = write!(out, "<g{class}><title>{}</title>", html_escape(&tip));
        for s in series {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let (y1, y0) = (y(base + v), y(base));
            let _ = write!(
                out,
                "<rect class=\"{}\" x=\"{x:.2}\" y=\"{y1:.2}\" width=\"{bar:.2}\" height=\"{:.2}\"/>",
                s.class,
                y0 - y1
            );
            base += v;
        }
        out.push_str("</g>");
    }
    x_axis(&mut out, labels, x_title);
    out.push_str("</svg>");
    out
}

/// A line of percentages (0–100) with a dot per value; no value, no dot and a gap. A dot
/// marked in `partial` is lighter and says so in its title, as in [`stacked_bars`].
pub fn percent_line(
    labels: &[String],
    values: &[Option<f64>],
    partial: &[bool],
    x_title: &str,
    y_title: &str,
) -> String {
    let mut out = String::new();
    open(&mut out, y_title, HEIGHT);
    let most = values.iter().flatten().copied().fold(0.0, f64::max);
    let top = count_ceiling(most).min(100.0);
    let y = y_axis(&mut out, top, y_title, " %");
    let slot = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let mut path = String::new();
    let mut pen_down = false;
    for (i, value) in values.iter().enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        match value {
            Some(v) => {
                let _ = write!(
                    path,
                    "{}{x:.2},{:.2} ",
                    if pen_down { "L" } else { "M" },
                    y(*v)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let _ = write!(out, "<path class=\"line\" d=\"{}\"/>", path.trim_end());
    for (i, value) in values.iter().enumerate() {
        if let Some(v) = value {
            let x = LEFT + slot * (i as f64 + 0.5);
            let label = labels.get(i).map_or("", String::as_str);
            let (class, label) = match partial.get(i) {
                Some(true) => ("dot partial", format!("{label} (partial {x_title})")),
                _ => ("dot", label.to_owned()),
            };
            let _ = write!(
                out,
                "<circle class=\"{class}\" cx=\"{x:.2}\" cy=\"{:.2}\" r=\"3\"><title>{}: {v:.1} % missed</title></circle>",
                y(*v),
                html_escape(&label)
            );
        }
    }
    x_axis(&mut out, labels, x_title);
    out.push_str("</svg>");
    out
}

/// A histogram of counts per bin, bins labelled below, with vertical markers.
pub fn histogram(
    bins: &[(String, u64)],
    bin_width: f64,
    markers: &[Marker],
    x_title: &str,
    y_title: &str,
) -> String {
    let mut out = String::new();
    open(&mut out, y_title, HEIGHT);
    let most = bins.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let top = count_ceiling(most as f64);
    let y = y_axis(&mut out, top, y_title, "");
    let slot = (WIDTH - LEFT - RIGHT) / bins.len().max(1) as f64;
    for (i, (label, n)) in bins.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        let x = LEFT + slot * i as f64 + 1.0;
        let y1 = y(*n as f64);
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{x:.2}\" y=\"{y1:.2}\" width=\"{:.2}\" height=\"{:.2}\"><title>{} s: {n}</title></rect>",
            (slot - 2.0).max(0.5),
            HEIGHT - BOTTOM - y1,
            html_escape(label)
        );
    }
    let labels: Vec<String> = bins.iter().map(|(l, _)| l.clone()).collect();
    x_axis(&mut out, &labels, x_title);
    let last = bins.len().saturating_sub(1) as f64;
    for (i, marker) in markers.iter().enumerate() {
        // Bins start at 0 and are `bin_width` wide; the last one holds everything beyond.
        let at = (marker.at / bin_width).clamp(0.0, last + 1.0);
        let x = LEFT + slot * at;
        let _ = write!(
            out,
            "<line class=\"marker\" x1=\"{x:.2}\" x2=\"{x:.2}\" y1=\"{TOP}\" y2=\"{:.1}\"/>\
             <text class=\"marker-label\" x=\"{:.2}\" y=\"{:.1}\">{}</text>",
            HEIGHT - BOTTOM,
            x + 4.0,
            TOP + 12.0 + 14.0 * i as f64,
            html_escape(&marker.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// A grid of rows × columns shaded by value (darker is more), labelled on both axes.
pub fn heatmap(
    rows: &[String],
    columns: &[String],
    values: &[Vec<u64>],
    x_title: &str,
    label: &str,
) -> String {
    let cell_h = 22.0;
    let height = TOP + cell_h * rows.len() as f64 + BOTTOM;
    let mut out = String::new();
    open(&mut out, label, height);
    // Shades span the smallest to the largest non-zero count, so that differences show
    // even when every hour is busy.
    let counts = values.iter().flatten().copied().filter(|n| *n > 0);
    let (least, most) = counts.fold((u64::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)));
    let range = most.saturating_sub(least).max(1) as f64;
    let cell_w = (WIDTH - LEFT - RIGHT) / columns.len().max(1) as f64;
    for (r, row) in rows.iter().enumerate() {
        let y = TOP + cell_h * r as f64;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 6.0,
            y + cell_h / 2.0 + 4.0,
            html_escape(row)
        );
        for (c, column) in columns.iter().enumerate() {
            let n = values.get(r).and_then(|v| v.get(c)).copied().unwrap_or(0);
            let shade = if n == 0 {
                0.0
            } else {
                0.15 + 0.85 * n.saturating_sub(least) as f64 / range
            };
            let _ = write!(
                out,
                "<rect class=\"{}\" x=\"{:.2}\" y=\"{y:.1}\" width=\"{:.2}\" height=\"{:.1}\" fill-opacity=\"{shade:.3}\"><title>{} {}:00 — {n}</title></rect>",
                if n == 0 { "cell empty" } else { "cell" },
                LEFT + cell_w * c as f64,
                cell_w - 1.0,
                cell_h - 1.0,
                html_escape(row),
                html_escape(column)
            );
        }
    }
    let base = TOP + cell_h * rows.len() as f64;
    for (c, column) in columns.iter().enumerate().filter(|(c, _)| c % 3 == 0) {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            LEFT + cell_w * (c as f64 + 0.5),
            base + 16.0,
            html_escape(column)
        );
    }
    let _ = write!(
        out,
        "<text class=\"title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></svg>",
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        height - 6.0,
        html_escape(x_title)
    );
    out
}

/// Horizontal bars, one per labelled count, with the count at the end.
pub fn horizontal_bars(bars: &[(String, u64)], label: &str) -> String {
    let bar_h = 24.0;
    let height = TOP + bar_h * bars.len() as f64 + 8.0;
    let mut out = String::new();
    open(&mut out, label, height);
    let most = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let room = WIDTH - LEFT - RIGHT - 48.0;
    for (i, (name, n)) in bars.iter().enumerate() {
        let y = TOP + bar_h * i as f64;
        let w = room * *n as f64 / most as f64;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"{LEFT}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{:.1}\"/>\
             <text x=\"{:.1}\" y=\"{1:.1}\">{n}</text>",
            LEFT - 6.0,
            y + bar_h / 2.0 + 4.0,
            html_escape(name),
            y + 2.0,
            bar_h - 4.0,
            LEFT + w + 6.0
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(13.0), 20.0);
        assert_eq!(nice_ceiling(230.0), 250.0);
        assert_eq!(nice_ceiling(1000.0), 1000.0);
        assert_eq!(count_ceiling(0.0), 4.0);
        assert_eq!(count_ceiling(5.0), 8.0);
        assert_eq!(count_ceiling(13.0), 20.0);
        assert_eq!(count_ceiling(230.0), 400.0);
        assert_eq!(tick(40000.0), "40k");
        assert_eq!(tick(1_500_000.0), "1.5M");
        assert_eq!(tick(2.5), "2.5");
    }

    #[test]
    fn labels_are_escaped() {
        let svg = horizontal_bars(&[("<script>".into(), 3)], "x\"y");
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("aria-label=\"x&quot;y\""));
    }
}
