//! What the report says about its time axis (`docs/guide.md#report`): a first or last period
//! that the selection covers only in part, and a lone period far from the rest.
//!
//! **Partial**, compared by whole local days: the first period is partial when the selection
//! begins after its first day, the last when the selection ends before its last day. The
//! selection begins on the `--since` day when one was given, else on the day of the first
//! conversation; it ends on the last day `--until` touches, else on the day of the last
//! conversation. A day is never partial.
//!
//! **Far**: the first (or last) period with conversations, when more empty periods separate
//! it from the next (or previous) one with conversations than the rest span, and at least
//! [`FAR_GAP`]: it stretches the axis to at least twice the length the rest would need.

use jiff::civil::Date;

use crate::diagnostics::count;
use crate::render::transcript::html_escape;
use crate::stats::overview::Overview;
use crate::stats::Key;

/// The fewest empty periods between a lone period and the rest for it to be far.
const FAR_GAP: usize = 5;

/// A period of the time charts: its row, key, first and last day.
struct Period {
    row: usize,
    key: Key,
    first: Date,
    last: Date,
}

/// The periods of the time charts that have a key, in order (every period of the axis).
fn periods(overview: &Overview) -> Vec<Period> {
    let rows = overview.periods.rows.iter().enumerate();
    rows.filter_map(|(row, r)| {
        let key = r.keys.first().cloned().flatten()?;
        let first = key.first_day()?;
        let last = match key {
            Key::Day(_) => first,
            Key::Week { .. } => first.checked_add(jiff::Span::new().days(6)).ok()?,
            Key::Month { .. } => first.last_of_month(),
            _ => return None,
        };
        Some(Period {
            row,
            key,
            first,
            last,
        })
    })
    .collect()
}

/// Text that a narrow page must not break at its hyphens, as HTML.
fn whole(text: &str) -> String {
    format!("<span class=\"nw\">{}</span>", html_escape(text))
}

/// `Wednesday 2024-03-20`, as HTML.
fn day(date: Date) -> String {
    format!("{} {}", date.strftime("%A"), whole(&date.to_string()))
}

/// A period as the notes name it, as HTML: a week with its days, since its number says
/// little.
fn named(period: &Period) -> String {
    let key = whole(&period.key.to_string());
    match period.key {
        Key::Week { .. } => format!(
            "{key} ({} – {})",
            whole(&period.first.to_string()),
            whole(&period.last.to_string())
        ),
        _ => key,
    }
}

/// The periods covered in part.
pub struct Partial {
    /// One per row of the periods: whether it is partial.
    pub rows: Vec<bool>,
    /// What the notes under the chart say, as HTML.
    pub notes: Vec<String>,
}

/// Which of the first and last period are partial, and why; `word` names the period (`week`).
pub fn partial(overview: &Overview, word: &str) -> Partial {
    let mut out = Partial {
        rows: vec![false; overview.periods.rows.len()],
        notes: Vec::new(),
    };
    let periods = periods(overview);
    let (Some(first), Some(last), Some((data_first, data_last))) =
        (periods.first(), periods.last(), overview.days)
    else {
        return out;
    };
    let (since, until) = overview.range.unwrap_or((None, None));
    let start = since.unwrap_or(data_first);
    let end = until.unwrap_or(data_last);
    let begins = (start > first.first).then(|| match since {
        Some(_) => format!("the selection (--since) begins on {}", day(start)),
        None => format!("the data begins on {}", day(start)),
    });
    let ends = (end < last.last).then(|| match until {
        Some(_) => format!("the selection (--until) ends on {}", day(end)),
        None => format!("the data ends on {}", day(end)),
    });
    if first.row == last.row {
        let why: Vec<String> = begins.into_iter().chain(ends).collect();
        if !why.is_empty() {
            out.rows[first.row] = true;
            out.notes.push(format!(
                "The only {word}, {}, is partial (lighter bar): {}.",
                named(first),
                why.join(" and ")
            ));
        }
        return out;
    }
    if let Some(why) = begins {
        out.rows[first.row] = true;
        out.notes.push(format!(
            "The first {word}, {}, is partial (lighter bar): {why}.",
            named(first)
        ));
    }
    if let Some(why) = ends {
        out.rows[last.row] = true;
        out.notes.push(format!(
            "The last {word}, {}, is partial (lighter bar): {why}.",
            named(last)
        ));
    }
    out
}

/// The note on a lone period far from the rest, as HTML, if there is one.
pub fn far(overview: &Overview) -> Option<String> {
    let periods = periods(overview);
    let report = &overview.periods;
    let busy: Vec<(usize, u64)> = (periods.iter().enumerate())
        .filter_map(|(i, p)| {
            let row = &report.rows[p.row];
            let n = report.cell(&row.cells, "conversations").as_f64()? as u64;
            (n > 0).then_some((i, n))
        })
        .collect();
    let n = busy.len();
    if n < 2 {
        return None;
    }
    let ((a, n_a), (b, _)) = (busy[0], busy[1]);
    let ((y, _), (z, n_z)) = (busy[n - 2], busy[n - 1]);
    lone(&periods, a, n_a, b, z, true).or_else(|| lone(&periods, z, n_z, a, y, false))
}

/// The note when the period `alone` (holding `n` conversations) is far from the rest,
/// `from..=to`; `before`: it comes before them.
fn lone(
    periods: &[Period],
    alone: usize,
    n: u64,
    from: usize,
    to: usize,
    before: bool,
) -> Option<String> {
    let gap = if before {
        from - alone - 1
    } else {
        alone - to - 1
    };
    let rest = to - from + 1;
    if gap < FAR_GAP || gap <= rest {
        return None;
    }
    let (lone, first, last) = (&periods[alone], &periods[from], &periods[to]);
    let rest = if from == to {
        whole(&first.key.to_string())
    } else {
        format!(
            "{} – {}",
            whole(&first.key.to_string()),
            whole(&last.key.to_string())
        )
    };
    let flag = if before {
        format!("--since {}", first.first)
    } else {
        format!("--until {}", last.last.tomorrow().ok()?)
    };
    let at = if matches!(lone.key, Key::Day(_)) {
        "on"
    } else {
        "in"
    };
    let is = if n == 1 { "is" } else { "are" };
    Some(format!(
        "{} {at} {} {is} far from the rest ({}); <code>{}</code> leaves {} out.",
        count(n, "conversation", "conversations"),
        whole(&lone.key.to_string()),
        rest,
        html_escape(&flag),
        if n == 1 { "it" } else { "them" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: i8) -> Vec<Period> {
        (1..=n)
            .map(|d| {
                let date = Date::new(2024, 1, d).unwrap();
                Period {
                    row: usize::try_from(d - 1).unwrap(),
                    key: Key::Day(date),
                    first: date,
                    last: date,
                }
            })
            .collect()
    }

    #[test]
    fn far_is_a_gap_longer_than_the_rest_and_at_least_five() {
        let periods = days(20);
        // Day 1 alone, the rest days 8–9: a gap of 6 > 2.
        let note = lone(&periods, 0, 1, 7, 8, true).unwrap();
        assert!(
            note.contains("<code>--since 2024-01-08</code> leaves it out"),
            "{note}"
        );
        // A gap of 4 is near, however short the rest.
        assert_eq!(lone(&periods, 0, 1, 5, 5, true), None);
        // A gap of 6 as long as the rest is near; one longer is far.
        assert_eq!(lone(&periods, 0, 1, 7, 12, true), None);
        assert!(lone(&periods, 0, 1, 7, 11, true).is_some());
        // At the end: --until the day after the rest.
        let note = lone(&periods, 19, 3, 0, 2, false).unwrap();
        assert!(
            note.starts_with("3 conversations on <span class=\"nw\">2024-01-20</span> are far"),
            "{note}"
        );
        assert!(
            note.contains("<code>--until 2024-01-04</code> leaves them out"),
            "{note}"
        );
    }
}
