//! Rendering a stats [`Report`]: one JSON object, CSV / TSV / NDJSON rows (groups, then the
//! total), or a table for people with a bar of conversations per group.

use std::io::Write;

use anyhow::{bail, Result};
use serde_json::{Map, Value};

use super::table::{self, one_line, Header, Look, Shown, Tone, Width};
use crate::stats::{Cell, Key, Report};

/// `stats --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsFormat {
    /// A table for people (the default on a terminal).
    Table,
    /// Comma-separated, a header line, one row per group, then the total (the default when
    /// standard output is not a terminal).
    Csv,
    /// As csv, separated by tabs.
    Tsv,
    /// One JSON object per group, then the total.
    Ndjson,
    /// One JSON object: {"by": [...], "groups": [...], "total": {...}}.
    Json,
    /// An Excel workbook ([`super::xlsx::write_report`]).
    Xlsx,
}

/// How the table looks.
#[derive(Debug, Clone, Copy)]
pub struct TableStyle {
    /// ASCII rule and bars instead of Unicode.
    pub ascii: bool,
    /// Every figure, not only the compact set.
    pub all: bool,
    pub width: Width,
    pub color: bool,
}

/// Every figure: its name (JSON key, CSV header), its title for people (with its unit) and
/// what it means. The one place that names figures for people: tables and the report.
const FIGURES: &[(&str, &str, &str)] = &[
    ("conversations", "conversations", "Conversations in the selection."),
    ("chats", "chats", "Conversations with isChat true."),
    ("completed", "completed", "Conversations whose status is completed."),
    ("incomplete", "incomplete", "Conversations whose status is incomplete."),
    ("missed", "missed", "Conversations whose status is missed: no agent answered."),
    ("offline", "offline", "Offline messages left while no agent was online."),
    ("dropped", "dropped", "Conversations whose status is dropped."),
    ("open", "open", "Conversations assembled from webhook events that are not closed yet."),
    ("triggered", "triggered", "Conversations opened by an automatic trigger message."),
    ("missed_rate", "missed %", "Missed conversations as a share of all conversations."),
    ("first_response_mean", "first response mean (s)", "Mean of the recorded first response time of chats, in seconds."),
    ("first_response_median", "first response median (s)", "Median of the recorded first response time of chats, in seconds: half waited less."),
    ("first_response_p90", "first response p90 (s)", "90th percentile (nearest rank) of the recorded first response time of chats, in seconds: 9 in 10 waited no longer."),
    ("first_response_max", "first response max (s)", "The longest recorded first response time of a chat, in seconds."),
    ("avg_response_mean", "avg response mean (s)", "Mean of the recorded average response time of chats, in seconds."),
    ("avg_response_median", "avg response median (s)", "Median of the recorded average response time of chats, in seconds."),
    ("duration_mean", "duration mean (s)", "Mean recorded duration of a conversation, in seconds."),
    ("duration_median", "duration median (s)", "Median recorded duration of a conversation, in seconds."),
    ("messages_recorded", "messages (recorded)", "Sum of channel.messagesCount."),
    ("messages_counted", "messages (counted)", "Visitor and agent messages counted by sshook (trigger messages included, system events not)."),
    ("words_recorded", "words (recorded)", "Sum of channel.wordsCount."),
    ("words_counted", "words (counted)", "Whitespace-separated words of the counted messages."),
    ("rated", "rated", "Conversations with a rating."),
    ("rating_mean", "rating mean (1–5)", "Mean rating of the rated conversations."),
    ("rating_1", "rated 1", "Conversations rated 1."),
    ("rating_2", "rated 2", "Conversations rated 2."),
    ("rating_3", "rated 3", "Conversations rated 3."),
    ("rating_4", "rated 4", "Conversations rated 4."),
    ("rating_5", "rated 5", "Conversations rated 5."),
    ("messages", "messages", "The agent's own messages."),
];

/// The figures a table shows unless `--all` (a table of at most five figures shows them all).
const COMPACT: &[&str] = &[
    "conversations",
    "messages",
    "missed",
    "missed_rate",
    "first_response_median",
    "first_response_p90",
    "duration_median",
    "rated",
    "rating_mean",
];

/// A figure's title for people, with its unit: `first response, median (s)`.
pub fn title(figure: &str) -> &str {
    FIGURES
        .iter()
        .find(|(name, _, _)| *name == figure)
        .map_or(figure, |(_, title, _)| title)
}

/// What a figure means, in one sentence.
pub fn definition(figure: &str) -> &'static str {
    FIGURES
        .iter()
        .find(|(name, _, _)| *name == figure)
        .map_or("", |(_, _, meaning)| meaning)
}

/// The widest bar, in characters.
const BAR_WIDTH: u64 = 20;

pub fn write(
    out: &mut dyn Write,
    report: &Report,
    format: StatsFormat,
    style: TableStyle,
) -> Result<()> {
    match format {
        StatsFormat::Table => write_table(out, report, style),
        StatsFormat::Csv => write_delimited(out, report, b','),
        StatsFormat::Tsv => write_delimited(out, report, b'\t'),
        StatsFormat::Ndjson => {
            for row in &report.rows {
                serde_json::to_writer(&mut *out, &object(report, Some(&row.keys), &row.cells))?;
                out.write_all(b"\n")?;
            }
            let none = vec![None; report.by.len()];
            serde_json::to_writer(&mut *out, &object(report, Some(&none), &report.total))?;
            out.write_all(b"\n")?;
            Ok(())
        }
        StatsFormat::Json => {
            let document = serde_json::json!({
                "by": report.by.iter().map(|d| d.name()).collect::<Vec<_>>(),
                "groups": report
                    .rows
                    .iter()
                    .map(|row| object(report, Some(&row.keys), &row.cells))
                    .collect::<Vec<_>>(),
                "total": object(report, None, &report.total),
            });
            serde_json::to_writer_pretty(&mut *out, &document)?;
            out.write_all(b"\n")?;
            Ok(())
        }
        StatsFormat::Xlsx => bail!("a workbook is written by render::xlsx::write_report"),
    }
}

/// A group (or the total) as a JSON object: its keys under the dimension names, then the
/// figures.
fn object(report: &Report, keys: Option<&[Option<Key>]>, cells: &[Cell]) -> Value {
    let mut map = Map::new();
    for (dimension, key) in report.by.iter().zip(keys.unwrap_or_default()) {
        let value = key.as_ref().map_or(Value::Null, Key::to_json);
        map.insert(dimension.name().to_owned(), value);
    }
    for (column, cell) in report.columns.iter().zip(cells) {
        map.insert((*column).to_owned(), json_number(*cell));
    }
    Value::Object(map)
}

fn json_number(cell: Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(v) => {
            serde_json::Number::from_i128(v).map_or(Value::from(v as f64), Value::Number)
        }
        Cell::Float(v) => Value::from(v),
    }
}

fn write_delimited(out: &mut dyn Write, report: &Report, delimiter: u8) -> Result<()> {
    let style = super::delimited::Delimited::new(delimiter, false);
    let mut text = Vec::new();
    let header = report
        .by
        .iter()
        .map(|d| d.name())
        .chain(report.columns.iter().copied());
    style.write_record(&mut text, header);
    for row in &report.rows {
        let keys = row
            .keys
            .iter()
            .map(|k| k.as_ref().map(|k| k.to_string()).unwrap_or_default());
        style.write_record(&mut text, keys.chain(row.cells.iter().map(|c| plain(*c))));
    }
    let empty = report.by.iter().map(|_| String::new());
    style.write_record(
        &mut text,
        empty.chain(report.total.iter().map(|c| plain(*c))),
    );
    out.write_all(&text)?;
    Ok(())
}

/// Full precision: integers as they are, fractions in the shortest form that reads back to
/// the same number.
fn plain(cell: Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Int(v) => v.to_string(),
        Cell::Float(v) => v.to_string(),
    }
}

fn write_table(out: &mut dyn Write, report: &Report, style: TableStyle) -> Result<()> {
    let null = if style.ascii { "-" } else { "–" };
    let shown: Vec<usize> = (0..report.columns.len())
        .filter(|&i| style.all || report.columns.len() <= 5 || COMPACT.contains(&report.columns[i]))
        .collect();
    let look = Look {
        color: style.color,
        ascii: style.ascii,
    };
    let figure = |name: &str, priority: u16| Header {
        name: title(name).to_owned(),
        right: true,
        keep: true,
        priority,
    };
    let text = if report.by.is_empty() {
        // No groups: the figures of the whole selection, one per line.
        let headers = [
            Header {
                name: String::from("figure"),
                right: false,
                keep: false,
                priority: 0,
            },
            figure("value", 0),
        ];
        let rows: Vec<Vec<Shown>> = shown
            .iter()
            .map(|&i| {
                let name = report.columns[i];
                vec![
                    plain_shown(title(name)),
                    plain_shown(&rounded(name, report.total[i], null)),
                ]
            })
            .collect();
        table::render(&headers, &rows, style.width, look)
    } else {
        let mut headers: Vec<Header> = report
            .by
            .iter()
            .enumerate()
            .map(|(level, d)| Header {
                name: d.name().to_owned(),
                right: false,
                keep: d.has_natural_order(),
                priority: u16::from(level > 0),
            })
            .collect();
        for (n, &i) in shown.iter().enumerate() {
            headers.push(figure(report.columns[i], priority(report.columns[i], n)));
            if n == 0 {
                // The bar, after conversations: the first to hide.
                headers.push(Header {
                    name: String::from("bar"),
                    right: false,
                    keep: true,
                    priority: u16::MAX,
                });
            }
        }
        let most = report
            .rows
            .iter()
            .filter_map(|row| row.cells.first())
            .filter_map(|c| c.as_f64())
            .fold(0.0, f64::max);
        let line = |names: Vec<String>, cells: &[Cell], bar: String| {
            let mut line: Vec<Shown> = names.iter().map(|n| plain_shown(n)).collect();
            for (n, &i) in shown.iter().enumerate() {
                let cell = cells.get(i).copied().unwrap_or(Cell::Null);
                line.push(plain_shown(&rounded(report.columns[i], cell, null)));
                if n == 0 {
                    line.push(plain_shown(&bar));
                }
            }
            line
        };
        let mut rows: Vec<Vec<Shown>> = report
            .rows
            .iter()
            .map(|row| {
                let names = row
                    .keys
                    .iter()
                    .map(|k| {
                        k.as_ref()
                            .map_or_else(|| null.to_owned(), |k| one_line(&k.to_string(), 60))
                    })
                    .collect();
                let conversations = row.cells.first().and_then(|c| c.as_f64()).unwrap_or(0.0);
                line(names, &row.cells, bar(conversations, most, style.ascii))
            })
            .collect();
        let mut names = vec![String::new(); report.by.len()];
        names[0] = String::from("total");
        rows.push(line(names, &report.total, String::new()));
        table::render(&headers, &rows, style.width, look)
    };
    out.write_all(text.as_bytes())?;
    let more = report.columns.len() - shown.len();
    if more > 0 {
        let noun = if more == 1 { "figure" } else { "figures" };
        writeln!(out, "{more} more {noun} — `--all` shows all")?;
    }
    Ok(())
}

/// How long a figure column stays in a narrow table: the compact figures in their order
/// first (after the group columns, 0 and 1), then the others in column order.
fn priority(figure: &str, place: usize) -> u16 {
    let rank = match COMPACT.iter().position(|c| *c == figure) {
        Some(at) => 2 + at,
        None => 2 + COMPACT.len() + place,
    };
    u16::try_from(rank).unwrap_or(u16::MAX - 1)
}

fn plain_shown(text: &str) -> Shown {
    Shown {
        text: text.to_owned(),
        tone: Tone::Plain,
    }
}

/// A figure for people: rates as percentages (the title says %), fractions to one decimal.
fn rounded(column: &str, cell: Cell, null: &str) -> String {
    match cell {
        Cell::Null => null.to_owned(),
        Cell::Int(v) => v.to_string(),
        Cell::Float(v) if column.ends_with("_rate") => format!("{:.1}", v * 100.0),
        Cell::Float(v) => format!("{v:.1}"),
    }
}

/// A bar of `value` against the largest value, in eighths of a block (or `#` in ASCII).
fn bar(value: f64, most: f64, ascii: bool) -> String {
    if value <= 0.0 || most <= 0.0 {
        return String::new();
    }
    let width = BAR_WIDTH as f64;
    if ascii {
        let n = ((value / most) * width).round().max(1.0) as usize;
        return "#".repeat(n);
    }
    let eighths = ((value / most) * width * 8.0).round().max(1.0) as usize;
    let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    format!("{}{}", "█".repeat(eighths / 8), partial[eighths % 8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_group() {
        assert_eq!(bar(4.0, 4.0, false), "█".repeat(20));
        assert_eq!(bar(1.0, 4.0, false), "█████");
        assert_eq!(bar(1.0, 3.0, false), "██████▋");
        assert_eq!(bar(1.0, 1000.0, false), "▏");
        assert_eq!(bar(0.0, 4.0, false), "");
        assert_eq!(bar(1.0, 3.0, true), "#######");
    }

    #[test]
    fn table_titles_and_rounding() {
        assert_eq!(title("first_response_median"), "first response median (s)");
        assert_eq!(title("missed_rate"), "missed %");
        assert_eq!(title("chats"), "chats");
        assert_eq!(rounded("missed_rate", Cell::Float(0.25), "-"), "25.0");
        assert_eq!(rounded("duration_mean", Cell::Float(36.25), "-"), "36.2");
        assert_eq!(rounded("rated", Cell::Null, "-"), "-");
    }
}
