//! Tables for people, drawn by comfy-table: one line per row, fitted to the terminal's width
//! (or to `COLUMNS`), with colour only when the caller says so.

use std::borrow::Cow;
use std::io::IsTerminal;

use comfy_table::{
    Attribute, Cell as TableCell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Row,
    Table,
};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// No borders, no lines between columns or rows: one line under the header (psql-like).
const STYLE: &str = "     ─             ";

/// How wide a table may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// The terminal's width, asked of the terminal.
    Terminal,
    Fixed(u16),
    /// As wide as the content: nothing is cut (a pipe or a file without `COLUMNS`).
    Unlimited,
}

impl Width {
    /// The terminal's width when stdout is one and is the destination; otherwise `COLUMNS`
    /// when set; otherwise unlimited.
    pub fn for_output(to_stdout: bool) -> Width {
        if to_stdout && std::io::stdout().is_terminal() {
            return Width::Terminal;
        }
        match std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse().ok())
        {
            Some(columns) if columns > 0 => Width::Fixed(columns),
            _ => Width::Unlimited,
        }
    }
}

/// How a cell is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Plain,
    Good,
    Bad,
    Warning,
    Quiet,
}

/// One shown cell: its text (one line) and tone.
#[derive(Debug, Clone, Default)]
pub struct Shown {
    pub text: String,
    pub tone: Tone,
}

/// A column header, whether its cells align right (numbers) and whether they keep their
/// width (numbers, times, short words) or may be cut to fit (texts).
#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub right: bool,
    pub keep: bool,
}

/// Draws the table; every row is one line, texts cut with `…` where the width demands.
pub fn render(headers: &[Header], rows: &[Vec<Shown>], width: Width, color: bool) -> String {
    let mut values = vec![0; headers.len()];
    for row in rows {
        for (widest, shown) in values.iter_mut().zip(row) {
            *widest = (*widest).max(shown.text.width());
        }
    }
    let total = match width {
        Width::Terminal => Table::new().width().map(usize::from),
        Width::Fixed(columns) => Some(usize::from(columns)),
        Width::Unlimited => None,
    };
    let widths = fit(headers, &values, total);

    let mut table = Table::new();
    table.load_preset(STYLE).set_truncation_indicator("…");
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    // Names wrap at their underscores when the column is narrower than its name.
    table.set_header(headers.iter().map(|h| {
        let cell = TableCell::new(h.name.replace('_', " "));
        if color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for row in rows {
        let cells = row.iter().zip(headers.iter().zip(&widths));
        let cells = cells.map(|(shown, (header, &width))| {
            let mut cell = TableCell::new(cut(&shown.text, width));
            if header.right {
                cell = cell.set_alignment(CellAlignment::Right);
            }
            match (color, shown.tone) {
                (false, _) | (_, Tone::Plain) => cell,
                (true, Tone::Good) => cell.fg(Color::Green),
                (true, Tone::Bad) => cell.fg(Color::Red),
                (true, Tone::Warning) => cell.fg(Color::Yellow),
                (true, Tone::Quiet) => cell.add_attribute(Attribute::Dim),
            }
        });
        let mut row = Row::from(cells);
        row.max_height(1);
        table.add_row(row);
    }
    for (column, (header, width)) in table.column_iter_mut().zip(headers.iter().zip(&widths)) {
        if header.right {
            column.set_cell_alignment(CellAlignment::Right);
        }
        // comfy-table counts the padding (one space each side) in the width.
        let width = u16::try_from(width + 2).unwrap_or(u16::MAX);
        column.set_constraint(ColumnConstraint::Absolute(comfy_table::Width::Fixed(width)));
    }
    let sum: usize = widths.iter().map(|w| w + 2).sum();
    table
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(sum).unwrap_or(u16::MAX));
    let mut text = String::new();
    for line in table.lines() {
        text.push_str(line.trim_end_matches(' '));
        text.push('\n');
    }
    text
}

/// `text` cut to `width` display columns, ending in `…` when cut.
fn cut(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// The content width of every column: as wide as its widest value (and its longest header
/// word); when that is too wide for `total`, the widest texts give way first.
fn fit(headers: &[Header], values: &[usize], total: Option<usize>) -> Vec<usize> {
    let Some(total) = total else {
        // Nothing is cut: every column as wide as its values and its whole name.
        let names = headers.iter().map(|h| h.name.len());
        return values.iter().zip(names).map(|(v, n)| (*v).max(n)).collect();
    };
    let floor: Vec<usize> = headers
        .iter()
        .map(|h| h.name.split('_').map(str::len).max().unwrap_or(1).max(3))
        .collect();
    let mut widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, _)| values.get(i).copied().unwrap_or(0).max(floor[i]))
        .collect();
    let budget = total.saturating_sub(2 * headers.len());
    let mut sum: usize = widths.iter().sum();
    while sum > budget {
        let widest = (0..widths.len())
            .filter(|&i| !headers[i].keep && widths[i] > floor[i])
            .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
        let Some(i) = widest else { break };
        widths[i] -= 1;
        sum -= 1;
    }
    // Room to spare: whole names rather than names broken over lines.
    for (width, header) in widths.iter_mut().zip(headers) {
        let grow = header.name.len().saturating_sub(*width);
        let grow = grow.min(budget.saturating_sub(sum));
        *width += grow;
        sum += grow;
    }
    widths
}

/// A text on one line, control characters made visible, at most `max` characters (cut with
/// `…`). Tables never break a row across lines.
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut count = 0;
    let mut last_space = false;
    for c in text.trim().chars() {
        if count == max {
            out.pop();
            out.push('…');
            return out;
        }
        if c.is_whitespace() {
            // Runs of whitespace, newlines included, show as one space.
            if !last_space {
                out.push(' ');
                count += 1;
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_collapses_and_cuts() {
        assert_eq!(one_line("a\n\n b\tc", 10), "a b c");
        assert_eq!(one_line("abcdef", 4), "abc…");
        assert_eq!(one_line("abcd", 4), "abcd");
        assert_eq!(one_line("a\u{1b}b", 10), "a\\u{1b}b");
    }

    #[test]
    fn cut_counts_display_width() {
        assert_eq!(cut("abcdef", 6), "abcdef");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("日本語です", 5), "日本…");
    }
}
