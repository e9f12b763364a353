//! Writing rows: CSV and TSV through [`super::delimited`], NDJSON and JSON through serde_json,
//! tables through the fitted table ([`super::table`]).
//!
//! An [`Encoder`] renders the rows of one payload into bytes (on any thread, see
//! `select::stream`); a [`RowWriter`] writes them in order. Nothing is kept between payloads,
//! so memory does not grow with the corpus — except for tables, which must see every row to
//! size their columns.

use std::io::Write;

use anyhow::{bail, Context, Result};

use super::delimited::{self, Delimited};
use super::rows::{Cell, Columns, Kind};
use super::table::{self, Header, Look, Shown, Tone, Width};
use crate::jsontext::compact_json;
use crate::model::time::DisplayZone;
use crate::render::rows::Record;

thread_local! {
    /// A thread's buffer for the cells of a row, kept from one record to the next (a row's cells
    /// borrow from its record; the buffer is empty between records).
    static CELLS: std::cell::Cell<Vec<Cell<'static>>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The allocation of an empty vector, as a vector of another lifetime: collecting a vector's
/// own iterator reuses its buffer (`Vec`'s in-place collection), and an empty one maps no
/// element.
fn recycle<'a, 'b>(cells: Vec<Cell<'a>>) -> Vec<Cell<'b>> {
    debug_assert!(cells.is_empty());
    cells.into_iter().map(|_| Cell::Null).collect()
}

/// `--format` of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// Tab-separated, quoted like CSV where a value needs it.
    Tsv,
    /// One JSON object per line.
    Ndjson,
    /// One JSON array of objects.
    Json,
    /// A table for people.
    Table,
    /// Typed, compressed columns for warehouses (DuckDB, Spark); needs -o.
    Parquet,
    /// An Excel workbook ([`super::xlsx`]); needs -o.
    Xlsx,
}

/// The codec of Parquet's column chunks (`--compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Codec {
    /// Zstandard: smaller files, read by every current engine.
    #[default]
    Zstd,
    /// Snappy: larger, faster to read, for old readers.
    Snappy,
    /// Uncompressed.
    None,
}

/// How rows are written, beyond the format.
#[derive(Debug, Clone)]
pub struct Options {
    /// Field separator of CSV and TSV (default `,` and tab).
    pub delimiter: Option<u8>,
    /// Write the header row of CSV and TSV.
    pub header: bool,
    /// A UTF-8 BOM and CRLF line ends for spreadsheets (CSV and TSV); implies `safe`.
    pub excel: bool,
    /// Prefix text cells that a spreadsheet would run as a formula with `'`.
    pub safe: bool,
    /// The longest text a table cell of a fitted table shows, in characters (an unlimited
    /// width shows whole texts).
    pub table_text: usize,
    pub table_width: Width,
    /// The priority of each column in a table (0 the most important, hidden last); columns
    /// without one rank by their place.
    pub table_priority: Vec<u16>,
    /// Colour in tables.
    pub color: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            delimiter: None,
            header: true,
            excel: false,
            safe: false,
            table_text: 60,
            table_width: Width::Unlimited,
            table_priority: Vec::new(),
            color: false,
        }
    }
}

/// Turns payloads into rows of one format.
pub struct Encoder {
    columns: Columns,
    format: Format,
    zone: DisplayZone,
    options: Options,
    delimited: Delimited,
    /// `"name":` of every column, for JSON objects.
    keys: Vec<Vec<u8>>,
    status_column: Option<usize>,
}

/// The rendered rows of one payload.
#[derive(Debug, Default)]
pub struct Rendered {
    pub rows: u64,
    bytes: Vec<u8>,
    shown: Vec<Vec<Shown>>,
}

impl Rendered {
    /// The bytes rendered (for the tests that compare renderings).
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl Encoder {
    pub fn new(
        columns: Columns,
        format: Format,
        zone: DisplayZone,
        mut options: Options,
    ) -> Result<Encoder> {
        if matches!(format, Format::Parquet | Format::Xlsx) {
            bail!("parquet and xlsx are written cell by cell, not by this encoder");
        }
        let delimited = matches!(format, Format::Csv | Format::Tsv);
        if matches!(columns, Columns::Payloads) && !matches!(format, Format::Ndjson | Format::Json)
        {
            bail!("--rows payloads is written as ndjson or json, not as a table of columns");
        }
        if !delimited && options.excel {
            bail!("--excel applies to csv and tsv");
        }
        if !delimited && options.delimiter.is_some() {
            bail!("--delimiter applies to csv and tsv");
        }
        if let Some(d) = options.delimiter {
            if matches!(d, b'"' | b'\n' | b'\r') || !d.is_ascii() {
                bail!("--delimiter must be one ASCII character other than a quote or newline");
            }
        }
        options.safe |= options.excel;
        let delimited = Delimited::new(
            options.delimiter.unwrap_or(match format {
                Format::Tsv => b'\t',
                _ => b',',
            }),
            options.excel,
        );
        let names = columns.names();
        let keys = names
            .iter()
            .map(|name| {
                let mut key = serde_json::to_vec(name)?;
                key.push(b':');
                Ok(key)
            })
            .collect::<Result<_>>()?;
        let status_column = names.iter().position(|n| *n == "status");
        Ok(Encoder {
            columns,
            format,
            zone,
            options,
            delimited,
            keys,
            status_column,
        })
    }

    /// The rows of one record (a conversation, or an event with `--rows events`).
    pub fn render(&self, record: Record) -> Result<Rendered> {
        let mut cells = recycle(CELLS.take());
        let rendered = self.render_with(record, &mut cells);
        cells.clear();
        CELLS.set(recycle(cells));
        rendered
    }

    fn render_with<'p>(&self, record: Record<'p>, cells: &mut Vec<Cell<'p>>) -> Result<Rendered> {
        let mut rendered = Rendered::default();
        match self.format {
            Format::Csv | Format::Tsv => {
                // The rows of a document are rarely longer than its JSON: one allocation.
                let out = &mut rendered.bytes;
                out.reserve(record.raw_len().clamp(1 << 10, 1 << 20));
                self.columns.for_each_row(record, cells, |row| {
                    rendered.rows += 1;
                    let mut record = self.delimited.record(out);
                    for cell in row {
                        self.csv_field(&mut record, cell);
                    }
                    record.end();
                    Ok::<_, std::convert::Infallible>(())
                })?;
            }
            Format::Ndjson | Format::Json => {
                let out = &mut rendered.bytes;
                let json = self.format == Format::Json;
                if let Columns::Payloads = self.columns {
                    rendered.rows = 1;
                    if json {
                        out.extend_from_slice(b",\n");
                    }
                    out.extend_from_slice(compact_json(record.raw()).as_bytes());
                    if !json {
                        out.push(b'\n');
                    }
                }
                self.columns.for_each_row(record, cells, |row| {
                    rendered.rows += 1;
                    if json {
                        out.extend_from_slice(b",\n");
                    }
                    self.json_object(out, row)?;
                    if !json {
                        out.push(b'\n');
                    }
                    Ok::<_, anyhow::Error>(())
                })?;
            }
            Format::Parquet | Format::Xlsx => bail!("parquet and xlsx are written cell by cell"),
            Format::Table => {
                self.columns.for_each_row(record, cells, |row| {
                    rendered.rows += 1;
                    rendered.shown.push(self.shown_row(row));
                    Ok::<_, anyhow::Error>(())
                })?;
            }
        }
        Ok(rendered)
    }

    fn csv_field(&self, record: &mut delimited::Record, cell: &Cell) {
        match cell {
            Cell::Null => record.field(b""),
            Cell::Int(n) => record
                .plain_with(|out| out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes())),
            Cell::Bool(b) => {
                record.plain_with(|out| out.extend_from_slice(if *b { b"true" } else { b"false" }))
            }
            Cell::Text(text) if self.options.safe && is_formula_like(text) => {
                record.field_with(|out| {
                    out.push(b'\'');
                    out.extend_from_slice(text.as_bytes());
                })
            }
            Cell::Text(text) => record.field(text.as_bytes()),
            Cell::Time(ms) => record.plain_with(|out| self.zone.rfc3339_into(*ms, out)),
            Cell::Number(n) => record.field(n.as_bytes()),
        }
    }

    fn json_object(&self, out: &mut Vec<u8>, row: &[Cell]) -> Result<()> {
        out.push(b'{');
        for (i, (cell, key)) in row.iter().zip(&self.keys).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(key);
            match cell {
                Cell::Null => out.extend_from_slice(b"null"),
                Cell::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
                Cell::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
                Cell::Text(text) if self.options.safe && is_formula_like(text) => {
                    serde_json::to_writer(&mut *out, &format!("'{text}"))?
                }
                Cell::Text(text) => serde_json::to_writer(&mut *out, text.as_ref())?,
                Cell::Time(ms) => {
                    // Digits, signs, `T`, `:` and `.`: nothing a JSON string escapes.
                    out.push(b'"');
                    self.zone.rfc3339_into(*ms, out);
                    out.push(b'"');
                }
                Cell::Number(n) => out.extend_from_slice(n.as_bytes()),
            }
        }
        out.push(b'}');
        Ok(())
    }

    fn shown_row(&self, row: &[Cell]) -> Vec<Shown> {
        row.iter()
            .enumerate()
            .map(|(i, cell)| {
                let text = match cell {
                    Cell::Null => String::new(),
                    Cell::Int(n) => n.to_string(),
                    Cell::Bool(b) => String::from(if *b { "yes" } else { "no" }),
                    Cell::Text(text) => {
                        // --wide (no width): whole texts, however long.
                        let limit = match self.options.table_width {
                            Width::Unlimited => usize::MAX,
                            _ => self.options.table_text,
                        };
                        table::one_line(text, limit)
                    }
                    Cell::Time(ms) => self.zone.short(*ms),
                    Cell::Number(n) => n.to_string(),
                };
                let tone = if Some(i) == self.status_column {
                    status_tone(&text)
                } else {
                    Tone::Plain
                };
                Shown { text, tone }
            })
            .collect()
    }
}

/// Whether a spreadsheet would read the text as a formula (or strip its first character).
pub fn is_formula_like(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

fn status_tone(status: &str) -> Tone {
    match status {
        "completed" => Tone::Good,
        "missed" | "dropped" => Tone::Bad,
        "offline" => Tone::Warning,
        _ => Tone::Quiet,
    }
}

/// Writes rendered rows in order, with what comes before and after them (BOM, header, the
/// brackets of a JSON array, a whole table).
pub struct RowWriter<'e, W: Write> {
    encoder: &'e Encoder,
    out: W,
    rows: u64,
    first: bool,
    shown: Vec<Vec<Shown>>,
}

impl<'e, W: Write> RowWriter<'e, W> {
    pub fn start(encoder: &'e Encoder, mut out: W) -> Result<RowWriter<'e, W>> {
        match encoder.format {
            Format::Csv | Format::Tsv => {
                if encoder.options.excel {
                    out.write_all("\u{FEFF}".as_bytes())?;
                }
                if encoder.options.header {
                    let mut header = Vec::new();
                    (encoder.delimited).write_record(&mut header, encoder.columns.names());
                    out.write_all(&header)?;
                }
            }
            Format::Json => out.write_all(b"[")?,
            Format::Ndjson | Format::Table | Format::Parquet | Format::Xlsx => {}
        }
        Ok(RowWriter {
            encoder,
            out,
            rows: 0,
            first: true,
            shown: Vec::new(),
        })
    }

    pub fn write(&mut self, rendered: Rendered) -> Result<()> {
        self.rows += rendered.rows;
        let mut bytes = rendered.bytes.as_slice();
        if self.encoder.format == Format::Json && self.first && !bytes.is_empty() {
            bytes = &bytes[1..]; // the comma before the first row
            self.first = false;
        }
        self.out.write_all(bytes)?;
        self.shown.extend(rendered.shown);
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes what follows the rows and returns the destination.
    pub fn finish(mut self) -> Result<W> {
        match self.encoder.format {
            Format::Json => self.out.write_all(b"\n]\n")?,
            Format::Table => {
                let kinds = self.encoder.columns.kinds();
                let options = &self.encoder.options;
                let headers: Vec<Header> = (self.encoder.columns.names().into_iter())
                    .zip(kinds)
                    .enumerate()
                    .map(|(i, (name, kind))| Header {
                        name: name.to_owned(),
                        right: kind == Kind::Int,
                        keep: never_cut(name, kind),
                        priority: (options.table_priority.get(i).copied())
                            .unwrap_or_else(|| u16::try_from(i).unwrap_or(u16::MAX)),
                    })
                    .collect();
                let look = Look {
                    color: options.color,
                    ascii: false,
                };
                let text = table::render(&headers, &self.shown, options.table_width, look);
                self.out.write_all(text.as_bytes())?;
            }
            Format::Csv | Format::Tsv | Format::Ndjson | Format::Parquet | Format::Xlsx => {}
        }
        self.out.flush().context("cannot write the rows")?;
        Ok(self.out)
    }
}

/// The cells a table never cuts: numbers, booleans, times, statuses and ids — the values a
/// person copies (`show --id`) or compares; texts may be cut with `…` to fit.
fn never_cut(name: &str, kind: Kind) -> bool {
    matches!(kind, Kind::Int | Kind::Bool | Kind::Time)
        || name == "status"
        || name == "id"
        || name.ends_with("_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_texts() {
        for text in ["=SUM(A1)", "+420", "-1 more", "@cmd", "\tx", "\rx"] {
            assert!(is_formula_like(text), "{text:?}");
        }
        for text in ["SUM", "4=4", " =x", ""] {
            assert!(!is_formula_like(text), "{text:?}");
        }
    }
}
