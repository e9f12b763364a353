//! Rendering a stats [`Report`]: one JSON object, CSV / TSV / NDJSON rows (groups, then the
//! total), or a table for people with a bar of conversations per group.

use std::io::Write;

use anyhow::Result;
use comfy_table::{presets, CellAlignment, Table};
use serde_json::{Map, Value};

use crate::stats::{Cell, Key, Report};

impl crate::args::OutputFormat for StatsFormat {
    fn from_extension(ext: &str) -> Option<StatsFormat> {
        Some(match ext {
            "csv" => StatsFormat::Csv,
            "tsv" | "tab" => StatsFormat::Tsv,
            "ndjson" | "jsonl" => StatsFormat::Ndjson,
            "json" => StatsFormat::Json,
            "txt" => StatsFormat::Table,
            _ => return None,
        })
    }
}

/// `stats --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
}

/// How the table looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableStyle {
    /// ASCII borders and bars instead of Unicode.
    pub ascii: bool,
    /// Every figure, not only the main ones.
    pub wide: bool,
}

/// The figures a table shows unless `--wide` (those of agent groups are all shown).
const MAIN_FIGURES: &[&str] = &[
    "conversations",
    "chats",
    "missed",
    "missed_rate",
    "first_response_median",
    "duration_median",
    "rating_mean",
];

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
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(out);
    let header = report
        .by
        .iter()
        .map(|d| d.name())
        .chain(report.columns.iter().copied());
    writer.write_record(header)?;
    for row in &report.rows {
        let keys = row
            .keys
            .iter()
            .map(|k| k.as_ref().map(|k| k.to_string()).unwrap_or_default());
        writer.write_record(keys.chain(row.cells.iter().map(|c| plain(*c))))?;
    }
    let empty = report.by.iter().map(|_| String::new());
    writer.write_record(empty.chain(report.total.iter().map(|c| plain(*c))))?;
    writer.flush()?;
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
    let mut table = Table::new();
    table.load_preset(if style.ascii {
        presets::ASCII_FULL_CONDENSED
    } else {
        presets::UTF8_FULL_CONDENSED
    });
    let null = if style.ascii { "-" } else { "–" };
    if report.by.is_empty() {
        // No groups: the figures of the whole selection, one per line.
        table.set_header(["figure", "value"]);
        for (column, cell) in report.columns.iter().zip(&report.total) {
            table.add_row([column.to_string(), rounded(column, *cell, null)]);
        }
        align_right(&mut table, 1..2);
        writeln!(out, "{table}")?;
        return Ok(());
    }
    let shown: Vec<usize> = (0..report.columns.len())
        .filter(|&i| {
            style.wide || report.columns.len() <= 5 || MAIN_FIGURES.contains(&report.columns[i])
        })
        .collect();
    let keys = report.by.len();
    let mut header: Vec<String> = report.by.iter().map(|d| d.name().to_owned()).collect();
    for (n, &i) in shown.iter().enumerate() {
        header.push(label(report.columns[i]));
        if n == 0 {
            header.push(String::new()); // the bar, after conversations
        }
    }
    table.set_header(header);
    let most = report
        .rows
        .iter()
        .filter_map(|row| row.cells.first())
        .filter_map(|c| c.as_f64())
        .fold(0.0, f64::max);
    let mut add = |names: Vec<String>, cells: &[Cell], bar: String| {
        let mut line = names;
        for (n, &i) in shown.iter().enumerate() {
            let cell = cells.get(i).copied().unwrap_or(Cell::Null);
            line.push(rounded(report.columns[i], cell, null));
            if n == 0 {
                line.push(bar.clone());
            }
        }
        table.add_row(line);
    };
    for row in &report.rows {
        let names = row
            .keys
            .iter()
            .map(|k| {
                k.as_ref()
                    .map(|k| k.to_string())
                    .unwrap_or_else(|| null.into())
            })
            .collect();
        let conversations = row.cells.first().and_then(|c| c.as_f64()).unwrap_or(0.0);
        add(names, &row.cells, bar(conversations, most, style.ascii));
    }
    let mut names = vec![String::new(); keys];
    names[0] = String::from("total");
    add(names, &report.total, String::new());
    align_right(&mut table, keys..keys + 1);
    align_right(&mut table, keys + 2..keys + shown.len() + 1);
    writeln!(out, "{table}")?;
    Ok(())
}

fn align_right(table: &mut Table, columns: std::ops::Range<usize>) {
    for i in columns {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// `first_response_median` as a two-line header: `first response` / `median`.
fn label(column: &str) -> String {
    match column.rsplit_once('_') {
        Some((head, tail)) => format!("{}\n{tail}", head.replace('_', " ")),
        None => column.to_owned(),
    }
}

/// A figure for people: rates as percentages, fractions to one decimal.
fn rounded(column: &str, cell: Cell, null: &str) -> String {
    match cell {
        Cell::Null => null.to_owned(),
        Cell::Int(v) => v.to_string(),
        Cell::Float(v) if column.ends_with("_rate") => format!("{:.1}%", v * 100.0),
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
    fn table_labels_and_rounding() {
        assert_eq!(label("first_response_median"), "first response\nmedian");
        assert_eq!(label("chats"), "chats");
        assert_eq!(rounded("missed_rate", Cell::Float(0.25), "-"), "25.0%");
        assert_eq!(rounded("duration_mean", Cell::Float(36.25), "-"), "36.2");
        assert_eq!(rounded("rated", Cell::Null, "-"), "-");
    }
}
