//! Excel workbooks (`-o FILE.xlsx`), through rust_xlsxwriter: the rows of `export` and `list`,
//! and the groups of `stats`, as typed cells a spreadsheet sorts and sums without converting.
//!
//! Cells follow the column kinds: integers are numbers (beyond Excel's 15 significant
//! digits, text, so that no digit is lost), flags booleans, times Excel date-times in the
//! display zone with a `yyyy-mm-dd hh:mm:ss.000` format (Excel keeps no zone: a date-time is a
//! wall-clock time), null an empty cell, and every text a text — written with `write_string`
//! only, which never makes a formula, so `=SUM(A1)` stays the text it was. A text longer than
//! Excel's 32 767 characters is cut there, and counted.
//!
//! Each sheet has a bold header row, frozen, an autofilter over its rows and columns as wide as
//! their widest value (capped): rust_xlsxwriter's autofit reads rows kept in memory, and these
//! are not. Rows are streamed to a temporary file per sheet (its constant-memory mode) in the
//! folder of the output, and the workbook is zipped straight into the [`Output`] at the end:
//! memory does not grow with the rows. A sheet holds Excel's 1 048 576 rows; the rows go on in
//! a sheet of the same name and its number, `conversations (2)`.
//!
//! As with Parquet, a [`Renderer`] turns one record into a [`Fragment`] of owned cells (on any
//! thread), and an [`XlsxWriter`] writes fragments in order.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use jiff::civil::Date;
use jiff::Timestamp;
use rust_xlsxwriter::{DocProperties, Format, IgnoreError, Workbook, Worksheet};
use unicode_width::UnicodeWidthChar;

use super::rows::{Cell, Columns, Record, RowKind};
use crate::model::time::DisplayZone;
use crate::output::Output;
use crate::stats::{Cell as Figure, Key, Report};

/// Rows of a sheet, its header included: Excel's limit.
pub const SHEET_ROWS: u32 = 1_048_576;
/// The widest a column is made, in characters; a longer text is whole in its cell.
const WIDEST: usize = 60;
/// Excel's longest text in a cell, in UTF-16 code units.
const LONGEST_TEXT: usize = 32_767;
/// The largest integer Excel shows exactly (15 significant digits).
const EXACT: i64 = 999_999_999_999_999;
/// Days from Excel's day 0 (1899-12-30, as Excel counts after February 1900) to 1970-01-01.
const UNIX_EPOCH_DAY: f64 = 25_569.0;
/// The first and last day Excel shows as a date without its 1900 leap-year bug in the way:
/// 1900-03-01 and 9999-12-31.
const FIRST_DAY: f64 = 61.0;
const LAST_DAY: f64 = 2_958_466.0;
const MS_PER_DAY: f64 = 86_400_000.0;
const DATE_TIME: &str = "yyyy-mm-dd hh:mm:ss.000";
/// The shown width of [`DATE_TIME`].
const DATE_TIME_WIDTH: u16 = 23;

/// The cells of one record's rows, owned, with the widest shown width of each column.
#[derive(Debug, Default)]
pub struct Fragment {
    pub rows: u64,
    values: Vec<Value>,
    text: String,
    widths: Vec<u16>,
    /// Texts cut to Excel's longest.
    cut: u64,
}

#[derive(Debug, Clone, Copy)]
enum Value {
    Null,
    Number(f64),
    Bool(bool),
    /// An Excel serial date-time (days since 1899-12-30, local).
    Time(f64),
    /// A range of [`Fragment::text`].
    Text(usize, usize),
}

/// The columns chosen and how their cells become Excel cells.
pub struct Renderer {
    columns: Columns,
    names: Vec<String>,
    zone: DisplayZone,
    sheet: &'static str,
}

impl Renderer {
    /// Rows of `kind` with `columns`, times in `zone`.
    pub fn new(kind: RowKind, columns: Columns, zone: DisplayZone) -> Renderer {
        Renderer {
            names: columns.names().into_iter().map(str::to_owned).collect(),
            columns,
            zone,
            sheet: super::rows::kind_word(kind),
        }
    }

    /// The rows of one record.
    pub fn render(&self, record: Record) -> Result<Fragment> {
        let mut fragment = Fragment {
            widths: vec![0; self.names.len()],
            ..Fragment::default()
        };
        let mut cells = Vec::new();
        self.columns.for_each_row(record, &mut cells, |row| {
            fragment.rows += 1;
            for (column, cell) in row.iter().enumerate() {
                let (value, width) = fragment.value(cell, &self.zone);
                fragment.values.push(value);
                if let Some(widest) = fragment.widths.get_mut(column) {
                    *widest = (*widest).max(width);
                }
            }
            Ok::<_, anyhow::Error>(())
        })?;
        Ok(fragment)
    }
}

impl Fragment {
    /// A cell as an Excel value, and its shown width in characters (at most [`WIDEST`]).
    fn value(&mut self, cell: &Cell, zone: &DisplayZone) -> (Value, u16) {
        match cell {
            Cell::Null => (Value::Null, 0),
            Cell::Int(n) if n.unsigned_abs() <= EXACT as u64 => {
                (Value::Number(*n as f64), digits(*n))
            }
            Cell::Int(n) => self.text(&n.to_string()),
            Cell::Bool(b) => (Value::Bool(*b), if *b { 4 } else { 5 }),
            Cell::Text(text) => self.text(text),
            Cell::Time(ms) => match serial(*ms, zone) {
                Some(serial) => (Value::Time(serial), DATE_TIME_WIDTH),
                None => self.text(&zone.rfc3339(*ms)),
            },
            Cell::Number(text) => match exact_number(text) {
                Some(n) => (Value::Number(n), text.len().min(WIDEST) as u16),
                None => self.text(text),
            },
        }
    }

    fn text(&mut self, text: &str) -> (Value, u16) {
        let text = match longest_prefix(text) {
            Some(prefix) => {
                self.cut += 1;
                prefix
            }
            None => text,
        };
        let start = self.text.len();
        self.text.push_str(text);
        (Value::Text(start, self.text.len()), shown_width(text))
    }
}

/// The digits (and sign) of an integer.
fn digits(n: i64) -> u16 {
    itoa::Buffer::new().format(n).len() as u16
}

/// A JSON number as sent, as an f64 when Excel keeps it whole: finite, with at most 15
/// significant digits.
fn exact_number(text: &str) -> Option<f64> {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let first = digits.iter().position(|d| *d != b'0');
    let last = digits.iter().rposition(|d| *d != b'0');
    let significant = match (first, last) {
        (Some(first), Some(last)) => last + 1 - first,
        _ => 0,
    };
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && significant <= 15).then_some(value)
}

/// The longest prefix of `text` Excel takes in a cell, when `text` is longer.
fn longest_prefix(text: &str) -> Option<&str> {
    // A UTF-16 unit takes at least one byte: short texts need no count.
    if text.len() <= LONGEST_TEXT {
        return None;
    }
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > LONGEST_TEXT {
            return Some(&text[..at]);
        }
    }
    None
}

/// The width `text` takes on one line, counted up to [`WIDEST`].
fn shown_width(text: &str) -> u16 {
    let mut width = 0;
    for c in text.chars() {
        width += c.width().unwrap_or(0);
        if width >= WIDEST {
            return WIDEST as u16;
        }
    }
    width as u16
}

/// An instant as an Excel serial date-time of the wall clock in `zone`, when Excel shows it.
fn serial(ms: i64, zone: &DisplayZone) -> Option<f64> {
    let ts = Timestamp::from_millisecond(ms).ok()?;
    let local = ms + i64::from(zone.tz.to_offset(ts).seconds()) * 1000;
    let serial = local as f64 / MS_PER_DAY + UNIX_EPOCH_DAY;
    (FIRST_DAY..LAST_DAY).contains(&serial).then_some(serial)
}

/// A date as an Excel serial day.
fn serial_day(date: Date) -> Option<f64> {
    let days = date
        .since((jiff::Unit::Day, Date::constant(1970, 1, 1)))
        .ok()?
        .get_days();
    let serial = f64::from(days) + UNIX_EPOCH_DAY;
    (FIRST_DAY..LAST_DAY).contains(&serial).then_some(serial)
}

/// The formats cells take.
struct Formats {
    header: Format,
    time: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            time: Format::new().set_num_format(DATE_TIME),
        }
    }
}

/// The deflate level of the workbook's zip. Zipping the sheets is most of a big workbook's time,
/// done at the end on one thread: on 200 000 conversations (a 385 MB sheet) level 6, the
/// default, took 8.6 s for 53 MB, level 2 2.8 s for 67 MB, level 1 1.7 s for 81 MB.
const ZIP_LEVEL: u8 = 2;

/// A new workbook that says the zone its times are in.
fn workbook(zone: &DisplayZone) -> Workbook {
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(ZIP_LEVEL);
    let name = zone.tz.iana_name().unwrap_or("UTC");
    let properties = DocProperties::new()
        .set_comment(format!("Written by sshook; times are in {name}."))
        .set_custom_property("time zone", name);
    workbook.set_properties(&properties);
    workbook
}

/// What a finished workbook held.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    pub sheets: usize,
    /// Texts cut to Excel's longest text.
    pub cut: u64,
}

impl Written {
    /// What a person should know about the workbook: texts cut to fit.
    pub fn note(&self) -> Option<String> {
        let noun = if self.cut == 1 { "text" } else { "texts" };
        (self.cut > 0).then(|| {
            format!(
                "{} {noun} longer than Excel's 32767 characters cut to fit (csv and ndjson keep them whole)",
                self.cut
            )
        })
    }
}

/// Writes fragments, in order, into one workbook.
pub struct XlsxWriter {
    workbook: Workbook,
    formats: Formats,
    names: Vec<String>,
    /// The name of the first sheet: `conversations`, `messages` or `events`.
    sheet: &'static str,
    /// Rows a sheet holds, its header included ([`SHEET_ROWS`]; fewer in tests).
    sheet_rows: u32,
    sheets: usize,
    /// The next row of the current sheet.
    row: u32,
    widths: Vec<u16>,
    cut: u64,
    out: Output,
}

impl XlsxWriter {
    /// A workbook for the renderer's rows, its rows streamed to temporary files in `folder`.
    pub fn start(renderer: &Renderer, out: Output, folder: &Path) -> Result<XlsxWriter> {
        XlsxWriter::with_sheet_rows(renderer, out, folder, SHEET_ROWS)
    }

    fn with_sheet_rows(
        renderer: &Renderer,
        out: Output,
        folder: &Path,
        sheet_rows: u32,
    ) -> Result<XlsxWriter> {
        let mut workbook = workbook(&renderer.zone);
        workbook
            .set_tempdir(folder)
            .with_context(|| format!("cannot write temporary files in {}", folder.display()))?;
        let mut writer = XlsxWriter {
            workbook,
            formats: Formats::new(),
            widths: renderer.names.iter().map(|n| header_width(n)).collect(),
            names: renderer.names.clone(),
            sheet: renderer.sheet,
            sheet_rows: sheet_rows.clamp(2, SHEET_ROWS),
            sheets: 0,
            row: 0,
            cut: 0,
            out,
        };
        writer.new_sheet()?;
        Ok(writer)
    }

    /// Ends the current sheet, if any, and starts the next with its header.
    fn new_sheet(&mut self) -> Result<()> {
        self.end_sheet()?;
        let name = match self.sheets {
            0 => self.sheet.to_owned(),
            n => format!("{} ({})", self.sheet, n + 1),
        };
        let sheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .context("cannot start a worksheet")?;
        sheet.set_name(&name)?;
        for (column, name) in self.names.iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, name, &self.formats.header)?;
        }
        self.sheets += 1;
        self.row = 1;
        Ok(())
    }

    /// The frozen header, the autofilter and the column widths of the current sheet.
    fn end_sheet(&mut self) -> Result<()> {
        let Some(index) = self.sheets.checked_sub(1) else {
            return Ok(());
        };
        let sheet = self.workbook.worksheet_from_index(index)?;
        finish_sheet(sheet, self.row, &self.widths)
    }

    pub fn write(&mut self, fragment: &Fragment) -> Result<()> {
        for (widest, width) in self.widths.iter_mut().zip(&fragment.widths) {
            *widest = (*widest).max(*width);
        }
        self.cut += fragment.cut;
        let width = self.names.len().max(1);
        for row in fragment.values.chunks(width) {
            if self.row >= self.sheet_rows {
                self.new_sheet()?;
            }
            let sheet = self.workbook.worksheet_from_index(self.sheets - 1)?;
            for (column, value) in row.iter().enumerate() {
                write_value(
                    sheet,
                    self.row,
                    column as u16,
                    *value,
                    fragment,
                    &self.formats,
                )?;
            }
            self.row += 1;
        }
        Ok(())
    }

    /// Sheets so far.
    pub fn sheets(&self) -> usize {
        self.sheets
    }

    /// Ends the last sheet, zips the workbook into the output and returns it.
    pub fn finish(mut self) -> Result<(Output, Written)> {
        self.end_sheet()?;
        self.workbook
            .save_to_writer(&mut self.out)
            .context("cannot write the workbook")?;
        let written = Written {
            sheets: self.sheets,
            cut: self.cut,
        };
        Ok((self.out, written))
    }
}

/// The width of a header cell: its name and the autofilter's button.
fn header_width(name: &str) -> u16 {
    shown_width(name) + 2
}

/// Freezes the header row, puts an autofilter over the `rows` written (the header's included)
/// and sets each column's width.
fn finish_sheet(sheet: &mut Worksheet, rows: u32, widths: &[u16]) -> Result<()> {
    let Some(last) = widths.len().checked_sub(1) else {
        return Ok(());
    };
    let last = last as u16;
    sheet.set_freeze_panes(1, 0)?;
    let last_row = rows.saturating_sub(1);
    sheet.autofilter(0, 0, last_row, last)?;
    // Ids and keys are texts of digits on purpose: no green "number stored as text" flags.
    sheet.ignore_error_range(0, 0, last_row, last, IgnoreError::NumberStoredAsText)?;
    for (column, width) in widths.iter().enumerate() {
        let width = usize::from(*width).clamp(4, WIDEST + 2);
        sheet.set_column_width(column as u16, width as f64 + 1.0)?;
    }
    Ok(())
}

/// One cell; a null is left empty. Texts go through `write_string`, never `write`, so that no
/// text becomes a formula.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: Value,
    fragment: &Fragment,
    formats: &Formats,
) -> Result<()> {
    match value {
        Value::Null => {}
        Value::Number(n) => {
            sheet.write_number(row, column, n)?;
        }
        Value::Bool(b) => {
            sheet.write_boolean(row, column, b)?;
        }
        Value::Time(serial) => {
            sheet.write_number_with_format(row, column, serial, &formats.time)?;
        }
        Value::Text(start, end) => {
            if let Some(text) = fragment.text.get(start..end) {
                sheet.write_string(row, column, text)?;
            }
        }
    }
    Ok(())
}

/// A stats report as a workbook: one sheet, `stats`, with the group columns (a day as a date,
/// an hour as a number, other keys as texts), the figures as numbers (rates as percentages),
/// a frozen header and an autofilter over the groups, then, after an empty row, the total.
/// A report has a row per group and is held in memory like its other formats.
pub fn write_report<W: Write + Send>(
    out: &mut W,
    report: &Report,
    zone: &DisplayZone,
) -> Result<()> {
    let mut workbook = workbook(zone);
    let mut sheet = ReportSheet {
        sheet: workbook.add_worksheet(),
        report,
        widths: Vec::new(),
        bold: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        percent: Format::new().set_num_format("0.0%"),
        bold_percent: Format::new().set_bold().set_num_format("0.0%"),
    };
    sheet.sheet.set_name("stats")?;
    let keys = report.by.len();
    let header = (report.by.iter().map(|d| d.name())).chain(report.columns.iter().copied());
    for (column, name) in header.enumerate() {
        let bold = &sheet.bold;
        sheet
            .sheet
            .write_string_with_format(0, column as u16, name, bold)?;
        sheet.widths.push(header_width(name));
    }
    let last_column = (sheet.widths.len() as u16).saturating_sub(1);
    let mut row = 1;
    for group in &report.rows {
        for (column, key) in group.keys.iter().enumerate() {
            sheet.key(row, column, key.as_ref())?;
        }
        sheet.figures(row, &group.cells, false)?;
        row += 1;
    }
    if keys > 0 {
        sheet.sheet.autofilter(0, 0, row - 1, last_column)?;
        // The total after an empty row, outside the filter: sorting the groups leaves it last.
        row += 1;
        let bold = &sheet.bold;
        sheet
            .sheet
            .write_string_with_format(row, 0, "total", bold)?;
    }
    sheet.figures(row, &report.total, true)?;
    sheet.sheet.set_freeze_panes(1, 0)?;
    // Sized here rather than by rust_xlsxwriter's autofit, which measures a date by its serial
    // number (and would leave `########`).
    for (column, width) in sheet.widths.iter().enumerate() {
        let width = usize::from(*width).clamp(4, WIDEST + 2);
        sheet
            .sheet
            .set_column_width(column as u16, width as f64 + 1.0)?;
    }
    workbook
        .save_to_writer(out)
        .context("cannot write the workbook")?;
    Ok(())
}

/// The sheet of a stats report being written, and the widest value of each column.
struct ReportSheet<'w, 'r> {
    sheet: &'w mut Worksheet,
    report: &'r Report,
    widths: Vec<u16>,
    bold: Format,
    date: Format,
    percent: Format,
    bold_percent: Format,
}

impl ReportSheet<'_, '_> {
    fn widen(&mut self, column: usize, width: usize) {
        if let Some(widest) = self.widths.get_mut(column) {
            *widest = (*widest).max(width.min(WIDEST) as u16);
        }
    }

    /// A group's key: a day as a date, an hour as a number, any other as its text.
    fn key(&mut self, row: u32, column: usize, key: Option<&Key>) -> Result<()> {
        let at = column as u16;
        let width = match key {
            None => 0,
            Some(Key::Day(day)) => {
                match serial_day(*day) {
                    Some(serial) => self
                        .sheet
                        .write_number_with_format(row, at, serial, &self.date)?,
                    None => self.sheet.write_string(row, at, day.to_string())?,
                };
                10
            }
            Some(Key::Hour(hour)) => {
                self.sheet.write_number(row, at, f64::from(*hour))?;
                2
            }
            Some(key) => {
                let text = key.to_string();
                self.sheet.write_string(row, at, &text)?;
                usize::from(shown_width(&text))
            }
        };
        self.widen(column, width);
        Ok(())
    }

    /// The figures of a group, or of the total (in bold), after the key columns.
    fn figures(&mut self, row: u32, cells: &[Figure], total: bool) -> Result<()> {
        let keys = self.report.by.len();
        for (i, (cell, name)) in cells.iter().zip(self.report.columns.iter()).enumerate() {
            let column = keys + i;
            let at = column as u16;
            let rate = name.ends_with("_rate");
            let value = match *cell {
                Figure::Null => continue,
                Figure::Int(v) if v.unsigned_abs() <= EXACT as u128 => v as f64,
                Figure::Int(v) => {
                    let text = v.to_string();
                    self.widen(column, text.len());
                    self.sheet.write_string(row, at, text)?;
                    continue;
                }
                Figure::Float(v) if v.is_finite() => v,
                Figure::Float(_) => continue,
            };
            // As Excel shows it: General takes at most 11 characters, a rate reads 25.8%.
            let shown = match rate {
                true => format!("{:.1}%", value * 100.0).len(),
                false => value.to_string().len().min(11),
            };
            self.widen(column, shown);
            let format = match (rate, total) {
                (true, true) => Some(&self.bold_percent),
                (true, false) => Some(&self.percent),
                (false, true) => Some(&self.bold),
                (false, false) => None,
            };
            match format {
                Some(format) => self
                    .sheet
                    .write_number_with_format(row, at, value, format)?,
                None => self.sheet.write_number(row, at, value)?,
            };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_excel_keeps_whole() {
        assert_eq!(exact_number("2.50"), Some(2.5));
        assert_eq!(exact_number("1e3"), Some(1000.0));
        assert_eq!(exact_number("-0.000123"), Some(-0.000123));
        assert_eq!(exact_number("123456789012345"), Some(123456789012345.0));
        assert_eq!(exact_number("1234567890123456"), None);
        assert_eq!(exact_number("12345678901234567890"), None);
        assert_eq!(exact_number("1e400"), None);
        assert_eq!(exact_number("100000000000000000000"), Some(1e20));
    }

    #[test]
    fn serial_date_times_are_wall_clock_times() {
        // 2015-03-27T15:33:59.703Z is 42090.648607… in UTC, an hour later in Prague (CET).
        let ms = 1_427_470_439_703;
        let utc = serial(ms, &DisplayZone::utc()).unwrap();
        assert!((utc - 42_090.648_607_673_6).abs() < 1e-9, "{utc}");
        let prague = DisplayZone::resolve(Some("Europe/Prague"), false).unwrap();
        let local = serial(ms, &prague).unwrap();
        assert!((local - utc - 1.0 / 24.0).abs() < 1e-9, "{local}");
        assert_eq!(serial(-5_000_000_000_000, &DisplayZone::utc()), None);
        assert_eq!(serial_day(Date::constant(2026, 3, 29)), Some(46_110.0));
    }

    /// Rows beyond a sheet's go on in the next sheet, `messages (2)`, each with its header
    /// (here 3 rows a sheet; Excel's 1 048 576 would take a million rows to test).
    #[test]
    fn rows_go_on_in_a_new_sheet_when_one_is_full() {
        use calamine::{Data, Reader};
        let dir = tempfile::tempdir().unwrap();
        let columns = Columns::new(RowKind::Messages, &["index".into(), "content".into()], &[]);
        let renderer = Renderer::new(RowKind::Messages, columns.unwrap(), DisplayZone::utc());
        let path = dir.path().join("m.xlsx");
        let out = Output::open(Some(&path)).unwrap();
        let mut writer = XlsxWriter::with_sheet_rows(&renderer, out, dir.path(), 4).unwrap();
        for n in 0..7 {
            let fragment = Fragment {
                rows: 1,
                values: vec![Value::Number(f64::from(n)), Value::Text(0, 2)],
                text: String::from("hi"),
                widths: vec![1, 2],
                cut: 0,
            };
            writer.write(&fragment).unwrap();
        }
        let (out, written) = writer.finish().unwrap();
        out.finish().unwrap();
        assert_eq!(written.sheets, 3);
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        assert_eq!(
            book.sheet_names(),
            ["messages", "messages (2)", "messages (3)"]
        );
        let mut numbers = Vec::new();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).unwrap();
            let mut rows = range.rows();
            assert_eq!(
                rows.next().unwrap(),
                [Data::String("index".into()), Data::String("content".into())]
            );
            for row in rows {
                numbers.push(row[0].clone());
            }
        }
        let expected: Vec<Data> = (0..7).map(|n| Data::Float(f64::from(n))).collect();
        assert_eq!(numbers, expected);
        // No temporary file is left beside the workbook.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn texts_are_cut_at_excels_longest() {
        let long = "é".repeat(LONGEST_TEXT + 5);
        assert_eq!(
            longest_prefix(&long).map(|p| p.chars().count()),
            Some(LONGEST_TEXT)
        );
        // An emoji is two UTF-16 units: it is not split.
        let emoji = format!("{}😀", "a".repeat(LONGEST_TEXT - 1));
        assert_eq!(longest_prefix(&emoji).map(str::len), Some(LONGEST_TEXT - 1));
        assert_eq!(longest_prefix("short"), None);
        assert_eq!(shown_width("日本"), 4);
        assert_eq!(shown_width(&"x".repeat(500)), WIDEST as u16);
    }
}
