//! Tables for people: one line per row, never wider than the terminal (or `COLUMNS`).
//!
//! One fitting rule for every table (list, `export --format table`, stats), the way DuckDB's
//! shell does it: each column is as wide as its values; when the table is too wide, text
//! columns shrink (cut with `…`), then the least important columns are hidden and a footer
//! names them. Numbers are never cut. Widths are display widths (CJK and emoji count two).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::IsTerminal;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Between two columns.
const GAP: &str = "  ";
/// A text column shrinks to this many columns (or its natural width) before columns hide.
const TEXT_FLOOR: usize = 8;
/// With room to spare, a header line may be this wide before it wraps at its words.
const HEADER_LINE: usize = 12;

/// How wide a table may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// The terminal's width, asked of the terminal.
    Terminal,
    Fixed(u16),
    /// As wide as the content: nothing is cut or hidden (`--wide`, or a pipe without
    /// `COLUMNS`).
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

    /// The number of columns, `None` when unlimited (or the terminal does not say).
    pub fn columns(self) -> Option<usize> {
        match self {
            Width::Terminal => terminal_size::terminal_size()
                .map(|(w, _)| usize::from(w.0))
                .filter(|w| *w > 0)
                .or_else(|| Width::for_output(false).columns()),
            Width::Fixed(columns) => Some(usize::from(columns)),
            Width::Unlimited => None,
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

/// A column: its header, whether its cells align right (numbers), whether they keep their
/// width (numbers, times, short words: never cut) or may be cut to fit (texts), and its
/// priority (0 the most important; the highest numbers hide first).
#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub right: bool,
    pub keep: bool,
    pub priority: u16,
}

/// The look of a table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look {
    pub color: bool,
    /// `-` under the header instead of `─`.
    pub ascii: bool,
}

/// Where each column went: its content width, or `None` when hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub widths: Vec<Option<usize>>,
}

impl Layout {
    pub fn hidden<'h>(&self, headers: &'h [Header]) -> Vec<&'h str> {
        let hidden = self.widths.iter().zip(headers).filter(|(w, _)| w.is_none());
        hidden.map(|(_, h)| h.name.as_str()).collect()
    }
}

/// Draws the table: every row one line, texts cut with `…` and the least important columns
/// hidden where the width demands, with a footer naming the hidden ones.
pub fn render(headers: &[Header], rows: &[Vec<Shown>], width: Width, look: Look) -> String {
    let values: Vec<usize> = (0..headers.len())
        .map(|i| {
            let cells = rows.iter().filter_map(|row| row.get(i));
            cells.map(|c| c.text.width()).max().unwrap_or(0)
        })
        .collect();
    let total = width.columns();
    let layout = fit(headers, &values, total);
    let shown: Vec<(usize, usize)> = (layout.widths.iter().enumerate())
        .filter_map(|(i, w)| w.map(|w| (i, w)))
        .collect();

    let mut out = String::new();
    let titles: Vec<Vec<String>> = shown
        .iter()
        .map(|&(i, w)| header_lines(&headers[i].name, w))
        .collect();
    let height = titles.iter().map(Vec::len).max().unwrap_or(0);
    for line in 0..height {
        let cells = shown.iter().zip(&titles).map(|(&(i, w), lines)| {
            // Bottom-aligned: the last line of every header sits on the rule.
            let text = (line + lines.len())
                .checked_sub(height)
                .and_then(|at| lines.get(at))
                .map_or("", String::as_str);
            let padded = pad(text, w, headers[i].right);
            if look.color && !text.is_empty() {
                format!("\x1b[1m{padded}\x1b[0m")
            } else {
                padded
            }
        });
        push_line(&mut out, cells);
    }
    let rule = if look.ascii { "-" } else { "─" };
    push_line(&mut out, shown.iter().map(|&(_, w)| rule.repeat(w)));
    for row in rows {
        let cells = shown.iter().map(|&(i, w)| {
            let cell = row.get(i).cloned().unwrap_or_default();
            let text = pad(&cut(&cell.text, w), w, headers[i].right);
            paint(&text, cell.tone, look.color)
        });
        push_line(&mut out, cells);
    }
    let hidden = layout.hidden(headers);
    if !hidden.is_empty() {
        let noun = if hidden.len() == 1 {
            "column"
        } else {
            "columns"
        };
        let footer = format!(
            "{} {noun} hidden: {} — `--wide` shows all",
            hidden.len(),
            hidden.join(", ")
        );
        for line in wrap_words(&footer, total.unwrap_or(usize::MAX)) {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn push_line(out: &mut String, cells: impl Iterator<Item = String>) {
    let line: Vec<String> = cells.collect();
    out.push_str(line.join(GAP).trim_end_matches(' '));
    out.push('\n');
}

fn pad(text: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(text.width()));
    if right {
        fill + text
    } else {
        format!("{text}{fill}")
    }
}

fn paint(text: &str, tone: Tone, color: bool) -> String {
    let style = match (color, tone) {
        (false, _) | (_, Tone::Plain) => return text.to_owned(),
        (true, Tone::Good) => "\x1b[32m",
        (true, Tone::Bad) => "\x1b[31m",
        (true, Tone::Warning) => "\x1b[33m",
        (true, Tone::Quiet) => "\x1b[2m",
    };
    format!("{style}{text}\x1b[0m")
}

/// A header's words (at spaces and underscores) on lines of at most `width`; a word wider
/// than that is cut.
fn header_lines(name: &str, width: usize) -> Vec<String> {
    let words = name.replace('_', " ");
    let lines = wrap_words(&words, width);
    lines
        .into_iter()
        .map(|l| cut(&l, width).into_owned())
        .collect()
}

/// `text` on lines of at most `width` display columns, broken at spaces only (a longer word
/// stays whole on its own line).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` cut to `width` display columns, ending in `…` when cut (at a character boundary).
pub fn cut(text: &str, width: usize) -> Cow<'_, str> {
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
    if width > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// The fitting rule. `values` is the widest value of each column; `total` the width the
/// table may take (`None`: unlimited, nothing cut or hidden).
///
/// 1. Each column is as wide as its widest value and its header (whole, or wrapped at its
///    words to [`HEADER_LINE`] when a line is limited).
/// 2. Too wide: the widest column that may give way loses one column at a time — first the
///    headers of numbers and kept columns wrap, down to their widest value and longest header
///    word (never less: numbers are never cut), then texts shrink down to [`TEXT_FLOOR`].
/// 3. Still too wide: the visible column with the highest priority number hides, and 1–2
///    start again for the rest. The most important column never hides.
pub fn fit(headers: &[Header], values: &[usize], total: Option<usize>) -> Layout {
    let natural: Vec<usize> = headers
        .iter()
        .zip(values)
        .map(|(h, &v)| {
            let whole = h.name.width();
            let header = if total.is_some() {
                whole.min(HEADER_LINE.max(longest_word(&h.name)))
            } else {
                whole
            };
            v.max(header)
        })
        .collect();
    let Some(total) = total else {
        return Layout {
            widths: natural.into_iter().map(Some).collect(),
        };
    };
    let floor: Vec<usize> = (headers.iter().zip(values).zip(&natural))
        .map(|((h, &v), &n)| {
            if h.keep {
                v.max(longest_word(&h.name))
            } else {
                n.min(TEXT_FLOOR)
            }
        })
        .collect();
    let mut visible: Vec<bool> = vec![true; headers.len()];
    loop {
        let mut widths: Vec<Option<usize>> = (visible.iter().zip(&natural))
            .map(|(&v, &n)| v.then_some(n))
            .collect();
        let shown = visible.iter().filter(|v| **v).count();
        let mut sum: usize =
            widths.iter().flatten().sum::<usize>() + GAP.len() * shown.saturating_sub(1);
        while sum > total {
            // Headers of kept columns wrap before any text is cut.
            let slack = |keep: bool| {
                (0..widths.len())
                    .filter(|&i| headers[i].keep == keep && widths[i].is_some_and(|w| w > floor[i]))
                    .max_by_key(|&i| (widths[i], headers[i].priority, i))
            };
            let give = slack(true).or_else(|| slack(false));
            let Some(i) = give else { break };
            if let Some(w) = widths[i].as_mut() {
                *w -= 1;
                sum -= 1;
            }
        }
        if sum <= total || shown <= 1 {
            if sum > total {
                // One column left and still too wide: a text is cut to the width.
                for (w, h) in widths.iter_mut().zip(headers) {
                    if let Some(w) = w.as_mut().filter(|_| !h.keep) {
                        *w = (*w).min(total).max(1);
                    }
                }
            }
            grow_headers(headers, &mut widths, total.saturating_sub(sum));
            return Layout { widths };
        }
        let least = (0..headers.len())
            .filter(|&i| visible[i])
            .max_by_key(|&i| (headers[i].priority, i));
        let most = (0..headers.len())
            .filter(|&i| visible[i])
            .min_by_key(|&i| (headers[i].priority, i));
        match least {
            Some(i) if Some(i) != most => visible[i] = false,
            _ => return Layout { widths },
        }
    }
}

/// With room for every header on one line, headers read on one line (all or none, so the
/// table keeps one look).
fn grow_headers(headers: &[Header], widths: &mut [Option<usize>], spare: usize) {
    let short = |w: &Option<usize>, h: &Header| w.map_or(0, |w| h.name.width().saturating_sub(w));
    let needed: usize = widths.iter().zip(headers).map(|(w, h)| short(w, h)).sum();
    if needed > spare {
        return;
    }
    for (width, header) in widths.iter_mut().zip(headers) {
        if let Some(width) = width.as_mut() {
            *width = (*width).max(header.name.width());
        }
    }
}

fn longest_word(name: &str) -> usize {
    let words = name.split([' ', '_']);
    words.map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// A text on one line, control characters made visible, at most `max` characters (cut with
/// `…`). Tables never break a row across lines.
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max.saturating_mul(4)));
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

    fn header(name: &str, keep: bool, priority: u16) -> Header {
        Header {
            name: name.into(),
            right: keep,
            keep,
            priority,
        }
    }

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
        // A wide character that would end past the width gives way to the ellipsis.
        assert_eq!(cut("日本語です", 4), "日…");
        assert_eq!(cut("a👋b👋c", 4), "a👋…");
    }

    #[test]
    fn everything_fits_nothing_changes() {
        let h = [header("id", true, 0), header("name", false, 1)];
        let layout = fit(&h, &[5, 10], Some(80));
        assert_eq!(layout.widths, [Some(5), Some(10)]);
        assert_eq!(fit(&h, &[5, 300], None).widths, [Some(5), Some(300)]);
    }

    #[test]
    fn texts_shrink_before_columns_hide() {
        let h = [
            header("id", true, 0),
            header("name", false, 1),
            header("note", false, 2),
        ];
        // 5 + 30 + 30 + 2 gaps = 69 > 50: the two texts give way, widest first.
        let layout = fit(&h, &[5, 30, 30], Some(50));
        assert_eq!(layout.widths, [Some(5), Some(21), Some(20)]);
        assert!(layout.hidden(&h).is_empty());
    }

    #[test]
    fn least_important_hides_when_texts_are_at_their_floor() {
        let h = [
            header("id", true, 0),
            header("count", true, 3),
            header("name", false, 1),
            header("total", true, 2),
        ];
        // Floors: 5 + 5 + 8 + 6 + 3 gaps = 30 > 25: "count" (priority 3) hides first.
        let layout = fit(&h, &[5, 5, 40, 6], Some(25));
        assert_eq!(layout.hidden(&h), ["count"]);
        let sum: usize = layout.widths.iter().flatten().sum::<usize>() + 2 * 2;
        assert!(sum <= 25, "{layout:?}");
        // Numbers keep their width.
        assert_eq!(layout.widths[0], Some(5));
        assert_eq!(layout.widths[3], Some(6));
    }

    #[test]
    fn the_most_important_column_never_hides() {
        let h = [header("id", true, 0), header("name", false, 1)];
        let layout = fit(&h, &[12, 40], Some(6));
        assert_eq!(layout.widths, [Some(12), None]);
    }

    #[test]
    fn footer_names_hidden_columns_and_no_line_is_wider() {
        let h = [
            header("id", true, 0),
            header("visitor_name", false, 1),
            header("visitor_country_code", false, 5),
            header("rating", true, 4),
        ];
        let rows = vec![vec![
            Shown {
                text: "55039".into(),
                tone: Tone::Plain,
            },
            Shown {
                text: "山田 太郎 and a long tail".into(),
                tone: Tone::Plain,
            },
            Shown {
                text: "CZ".into(),
                tone: Tone::Plain,
            },
            Shown {
                text: "5".into(),
                tone: Tone::Plain,
            },
        ]];
        let text = render(&h, &rows, Width::Fixed(24), Look::default());
        for line in text.lines() {
            assert!(line.width() <= 24, "{line:?}");
        }
        let footer = text.replace('\n', " ");
        assert!(
            footer.contains("1 column hidden: visitor_country_code — `--wide` shows all"),
            "{text}"
        );
    }

    #[test]
    fn headers_wrap_at_words() {
        assert_eq!(header_lines("messages_counted", 9), ["messages", "counted"]);
        assert_eq!(
            header_lines("first response, median (s)", 12),
            ["first", "response,", "median (s)"]
        );
        assert_eq!(header_lines("abcdefghij", 4), ["abc…"]);
    }
}
