//! `sshook report`: one self-contained HTML page (inline CSS and SVG, no script, no network)
//! drawn from an [`Overview`] — the same figures `sshook stats` prints, never a second
//! computation. Every text from the data is escaped.

mod charts;
mod periods;
mod style;
mod tables;

use std::fmt::Write as _;

use charts::{Marker, Series};

use crate::model::payload::Status;
use crate::render::stats::{definition, title};
use crate::render::transcript::html_escape;
use crate::stats::overview::Overview;
use crate::stats::{Cell, Key, Report};

/// The headline figures, in order (their definitions become the footnotes).
const HEADLINE: &[&str] = &[
    "conversations",
    "missed_rate",
    "first_response_median",
    "first_response_p90",
    "duration_median",
    "rated",
    "rating_mean",
];

/// Rows in the top-N tables.
const TOP: usize = 10;
/// Bins of the first-response histogram (the last holds everything beyond).
const BINS: usize = 24;

/// What the page says about the run, beyond the figures.
pub struct Context<'a> {
    /// The display zone's name, for the weekday × hour chart.
    pub zone: &'a str,
}

/// The whole page.
pub fn page(overview: &Overview, context: &Context) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let span = span(&overview.periods);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>Chat report{}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        html_escape(&span.as_ref().map(|s| format!(" · {s}")).unwrap_or_default()),
        style::CSS
    );
    let _ = writeln!(
        out,
        "<header><h1>Chat report</h1><p class=\"sub\">{} · times in {} · made by sshook {}</p></header>",
        html_escape(span.as_deref().unwrap_or("no conversations")),
        html_escape(context.zone),
        env!("CARGO_PKG_VERSION")
    );
    headline(&mut out, &overview.total);
    out.push_str("<div class=\"charts\">\n");
    volume(&mut out, overview);
    missed(&mut out, overview);
    first_response(&mut out, overview);
    heat(&mut out, &overview.weekday_hour, context.zone);
    ratings(&mut out, &overview.total);
    out.push_str("</div>\n");
    tables::agents(&mut out, &overview.agents);
    out.push_str("<div class=\"tops\">\n");
    let all = (overview.total)
        .cell(&overview.total.total, "conversations")
        .as_f64()
        .unwrap_or(0.0);
    tables::top(
        &mut out,
        "Top countries",
        "country",
        &overview.countries,
        all,
    );
    tables::top(&mut out, "Top groups", "group", &overview.groups, all);
    tables::triggers(&mut out, overview);
    out.push_str("</div>\n");
    footnotes(&mut out);
    out.push_str("</body>\n</html>\n");
    out
}

/// `2026-03-02 – 2026-03-31`: the first and last period of the selection.
fn span(periods: &Report) -> Option<String> {
    let keys = periods
        .rows
        .iter()
        .filter_map(|r| r.keys.first().cloned().flatten());
    let keys: Vec<Key> = keys.collect();
    match (keys.first(), keys.last()) {
        (Some(a), Some(b)) if a == b => Some(a.to_string()),
        (Some(a), Some(b)) => Some(format!("{a} – {b}")),
        _ => None,
    }
}

/// A figure for people, with its unit.
fn shown(name: &str, cell: Cell) -> String {
    match cell {
        Cell::Null => String::from("–"),
        Cell::Int(v) if name.starts_with("first_response") || name.starts_with("duration") => {
            format!("{v} s")
        }
        Cell::Int(v) => v.to_string(),
        Cell::Float(v) if name.ends_with("_rate") => format!("{:.1} %", v * 100.0),
        Cell::Float(v) if name.starts_with("first_response") || name.starts_with("duration") => {
            format!("{v:.1} s")
        }
        Cell::Float(v) => format!("{v:.2}"),
    }
}

/// The exact value, as CSV and JSON write it (for programs and the tests).
fn exact(cell: Cell) -> String {
    match cell {
        Cell::Null => String::from("null"),
        Cell::Int(v) => v.to_string(),
        Cell::Float(v) => v.to_string(),
    }
}

fn headline(out: &mut String, total: &Report) {
    out.push_str("<section class=\"cards\" aria-label=\"Headline figures\">\n");
    for (n, name) in HEADLINE.iter().enumerate() {
        let cell = total.cell(&total.total, name);
        let _ = writeln!(
            out,
            "<div class=\"card\" title=\"{}\"><div class=\"v\" data-figure=\"{name}\" data-value=\"{}\">{}</div>\
             <div class=\"k\">{}<sup><a href=\"#def-{name}\">{}</a></sup></div></div>",
            html_escape(definition(name)),
            exact(cell),
            html_escape(&shown(name, cell)),
            html_escape(title(name)),
            n + 1
        );
    }
    out.push_str("</section>\n");
}

fn footnotes(out: &mut String) {
    out.push_str("<footer><h2>Definitions</h2><ol class=\"notes\">\n");
    for name in HEADLINE {
        let _ = writeln!(
            out,
            "<li id=\"def-{name}\"><b>{}</b> — {}</li>",
            html_escape(title(name)),
            html_escape(definition(name))
        );
    }
    out.push_str(
        "</ol><p>Figures are those of <code>sshook stats</code> for the same selection; \
         medians of an even count are the mean of the two middle values, p90 the nearest rank.</p></footer>\n",
    );
}

fn figure(out: &mut String, caption: &str, svg: &str, legend: &str) {
    figure_with_notes(out, caption, svg, legend, &[]);
}

/// A figure with notes under the chart (each HTML, escaped by the caller).
fn figure_with_notes(out: &mut String, caption: &str, svg: &str, legend: &str, notes: &[String]) {
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption>{legend}{svg}",
        html_escape(caption)
    );
    for note in notes {
        let _ = write!(out, "<p class=\"note\">{note}</p>");
    }
    out.push_str("</figure>\n");
}

/// The periods as the x axis shows them: days without their year when the span lies in one
/// year (the page's subtitle says which).
fn period_labels(periods: &Report) -> Vec<String> {
    let keys: Vec<Option<Key>> = (periods.rows.iter())
        .map(|r| r.keys.first().cloned().flatten())
        .collect();
    let years: std::collections::HashSet<i16> = keys
        .iter()
        .filter_map(|k| match k {
            Some(Key::Day(date)) => Some(date.year()),
            _ => None,
        })
        .collect();
    keys.into_iter()
        .map(|k| match k {
            Some(Key::Day(date)) if years.len() == 1 => date.strftime("%m-%d").to_string(),
            Some(k) => k.to_string(),
            None => String::new(),
        })
        .collect()
}

fn period_word(periods: &Report) -> &'static str {
    periods.by.first().map_or("day", |d| d.name())
}

/// The statuses, bottom to top, with their CSS classes: every status a conversation can
/// have, so that the bars add up to the headline (open: assembled from webhook events and
/// not closed yet).
const STATUSES: [(Status, &str); 6] = [
    (Status::Completed, "s-completed"),
    (Status::Incomplete, "s-incomplete"),
    (Status::Dropped, "s-dropped"),
    (Status::Offline, "s-offline"),
    (Status::Missed, "s-missed"),
    (Status::Open, "s-open"),
];

fn volume(out: &mut String, overview: &Overview) {
    let periods = &overview.periods;
    let labels = period_labels(periods);
    let series: Vec<Series> = STATUSES
        .iter()
        .map(|(status, class)| Series {
            class,
            name: status.as_str(),
            values: periods
                .rows
                .iter()
                .map(|r| {
                    periods
                        .cell(&r.cells, status.as_str())
                        .as_f64()
                        .unwrap_or(0.0)
                })
                .collect(),
        })
        .collect();
    let mut legend = String::from("<p class=\"legend\">");
    for (status, class) in STATUSES.iter().rev() {
        let _ = write!(
            legend,
            "<span><i class=\"{class}\"></i>{}</span>",
            status.as_str()
        );
    }
    legend.push_str("</p>");
    let word = period_word(periods);
    let partial = periods::partial(overview, word);
    let svg = charts::stacked_bars(&labels, &series, &partial.rows, word, "conversations");
    let mut notes = partial.notes;
    notes.extend(periods::far(overview));
    figure_with_notes(
        out,
        &format!("Conversations per {word}, by status"),
        &svg,
        &legend,
        &notes,
    );
}

fn missed(out: &mut String, overview: &Overview) {
    let periods = &overview.periods;
    let labels = period_labels(periods);
    let values: Vec<Option<f64>> = periods
        .rows
        .iter()
        .map(|r| {
            periods
                .cell(&r.cells, "missed_rate")
                .as_f64()
                .map(|v| v * 100.0)
        })
        .collect();
    let word = period_word(periods);
    let partial = periods::partial(overview, word).rows;
    let svg = charts::percent_line(&labels, &values, &partial, word, "missed");
    figure(out, &format!("Missed rate per {word}"), &svg, "");
}

fn first_response(out: &mut String, overview: &Overview) {
    let total = &overview.total;
    let median = total.cell(&total.total, "first_response_median").as_f64();
    let p90 = total.cell(&total.total, "first_response_p90").as_f64();
    // Bins up to twice the p90 (round numbers), the rest in the last bin.
    let upper = charts::nice_ceiling(p90.unwrap_or(1.0).max(1.0) * 2.0);
    let width = (upper / BINS as f64).ceil().max(1.0);
    let mut counts = [0u64; BINS + 1];
    for &(value, count) in &overview.first_response {
        let bin = ((value.max(0) as f64) / width).floor() as usize;
        counts[bin.min(BINS)] += count;
    }
    let bins: Vec<(String, u64)> = counts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let from = width * i as f64;
            let label = if i == BINS {
                format!("≥{}", from as i64)
            } else {
                format!("{}", from as i64)
            };
            (label, *n)
        })
        .collect();
    let mut markers = Vec::new();
    if let Some(m) = median {
        markers.push(Marker {
            at: m,
            label: format!("median {m:.1} s"),
        });
    }
    if let Some(p) = p90 {
        markers.push(Marker {
            at: p,
            label: format!("p90 {p:.0} s"),
        });
    }
    let svg = charts::histogram(&bins, width, &markers, "first response (s)", "chats");
    let n: u64 = counts.iter().sum();
    figure(
        out,
        &format!("First response time of {n} chats (recorded)"),
        &svg,
        "",
    );
}

fn heat(out: &mut String, weekday_hour: &Report, zone: &str) {
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut values = vec![vec![0u64; 24]; 7];
    for row in &weekday_hour.rows {
        if let [Some(Key::Weekday(d)), Some(Key::Hour(h))] = row.keys.as_slice() {
            let n = weekday_hour
                .cell(&row.cells, "conversations")
                .as_f64()
                .unwrap_or(0.0);
            let (d, h) = (usize::try_from(*d - 1), usize::try_from(*h));
            if let (Ok(d), Ok(h)) = (d, h) {
                if let Some(slot) = values.get_mut(d).and_then(|r| r.get_mut(h)) {
                    *slot = n as u64;
                }
            }
        }
    }
    let rows: Vec<String> = days.iter().map(|d| d.to_string()).collect();
    let columns: Vec<String> = (0..24).map(|h| h.to_string()).collect();
    let svg = charts::heatmap(
        &rows,
        &columns,
        &values,
        &format!("hour of the start ({zone})"),
        "conversations by weekday and hour",
    );
    let counts = values.iter().flatten().copied().filter(|n| *n > 0);
    let (least, most) = counts.fold((u64::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)));
    let least = if most == 0 { 0 } else { least };
    let legend = format!(
        "<p class=\"legend\"><span><i class=\"cell-key light\"></i>{least}</span>\
         <span><i class=\"cell-key\"></i>{most} conversations an hour</span>\
         <span>blank: none</span></p>"
    );
    figure(
        out,
        "When conversations start: weekday × hour",
        &svg,
        &legend,
    );
}

fn ratings(out: &mut String, total: &Report) {
    let cells = &total.total;
    let bars: Vec<(String, u64)> = (1..=5)
        .rev()
        .map(|r| {
            let n = total
                .cell(cells, &format!("rating_{r}"))
                .as_f64()
                .unwrap_or(0.0);
            (format!("{r} ★"), n as u64)
        })
        .collect();
    let rated = total.cell(cells, "rated").as_f64().unwrap_or(0.0);
    let all = total.cell(cells, "conversations").as_f64().unwrap_or(0.0);
    let share = if all > 0.0 { rated / all * 100.0 } else { 0.0 };
    let svg = charts::horizontal_bars(&bars, "ratings");
    figure(
        out,
        &format!("Ratings: {rated} of {all} conversations rated ({share:.1} %)"),
        &svg,
        "",
    );
}
