//! Everything `sshook report` draws, computed in one pass by the same tallies as `sshook
//! stats`: the whole selection, conversations per day / week / month, weekday × hour,
//! countries, groups, agents, and conversations per trigger. Only aggregates are kept.

use std::collections::HashMap;

use jiff::civil::{ISOWeekDate, Weekday};
use jiff::ToSpan;

use crate::payload::Payload;
use crate::stats::{
    AgentFigures, Conversation, Dimension, Figures, Grouping, Key, Report, Row, Tally,
};
use crate::time::DisplayZone;

/// The dimensions one conversation's facts are keyed by, in this order.
const BY: [Dimension; 7] = [
    Dimension::Day,
    Dimension::Week,
    Dimension::Month,
    Dimension::Weekday,
    Dimension::Hour,
    Dimension::Country,
    Dimension::Group,
];

/// The periods of the time charts follow the span: days up to this many days, …
const MAX_DAYS: usize = 62;
/// … weeks up to this many days (two years), months beyond.
const MAX_WEEKS_DAYS: usize = 730;

/// What the report needs from one payload (taken on the parsing threads).
#[derive(Debug, Clone)]
pub struct Facts {
    conversation: Conversation,
    /// Distinct trigger names of its automatic messages.
    triggers: Vec<String>,
}

impl Facts {
    pub fn new(payload: &Payload, zone: &DisplayZone) -> Facts {
        let mut triggers: Vec<String> = Vec::new();
        for name in payload.triggers() {
            if !name.is_empty() {
                triggers.push(name.to_owned());
            }
        }
        Facts {
            conversation: Conversation::new(payload, &BY, zone, true),
            triggers,
        }
    }
}

/// The running tallies of a report.
#[derive(Debug)]
pub struct OverviewTally {
    days: Grouping<Figures>,
    weeks: Grouping<Figures>,
    months: Grouping<Figures>,
    weekday_hour: Grouping<Figures>,
    countries: Grouping<Figures>,
    groups: Grouping<Figures>,
    agents: Grouping<AgentFigures>,
    triggers: HashMap<String, u64>,
}

impl Default for OverviewTally {
    fn default() -> OverviewTally {
        OverviewTally {
            days: Grouping::new(vec![Dimension::Day]),
            // The total is counted once, by the days; the others count their groups only.
            weeks: Grouping::groups_only(vec![Dimension::Week]),
            months: Grouping::groups_only(vec![Dimension::Month]),
            weekday_hour: Grouping::groups_only(vec![Dimension::Weekday, Dimension::Hour]),
            countries: Grouping::groups_only(vec![Dimension::Country]),
            groups: Grouping::groups_only(vec![Dimension::Group]),
            agents: Grouping::new(vec![Dimension::Agent]),
            triggers: HashMap::new(),
        }
    }
}

/// What the report shows.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The figures of the whole selection: `sshook stats` without `--by`.
    pub total: Report,
    /// Conversations per day, week or month (chosen by the span): `stats --by day|week|month`.
    /// The reports below have an empty total (it is [`Overview::total`]), except agents'.
    pub periods: Report,
    /// `stats --by weekday --by hour`.
    pub weekday_hour: Report,
    pub countries: Report,
    pub groups: Report,
    /// `stats --by agent`.
    pub agents: Report,
    /// Conversations per trigger name, most first (then by name).
    pub triggers: Vec<(String, u64)>,
    /// The recorded first response times of chats, seconds → how many, smallest first.
    pub first_response: Vec<(i64, u64)>,
}

impl OverviewTally {
    pub fn add(&mut self, facts: Facts) {
        let Facts {
            mut conversation,
            triggers,
        } = facts;
        let keys = std::mem::take(&mut conversation.keys);
        let key = |i: usize| keys.get(i).cloned().flatten();
        let mut add = |grouping: &mut Grouping<Figures>, these: Vec<Option<Key>>| {
            conversation.keys = these;
            grouping.add(&conversation);
        };
        add(&mut self.days, vec![key(0)]);
        add(&mut self.weeks, vec![key(1)]);
        add(&mut self.months, vec![key(2)]);
        add(&mut self.weekday_hour, vec![key(3), key(4)]);
        add(&mut self.countries, vec![key(5)]);
        add(&mut self.groups, vec![key(6)]);
        conversation.keys = vec![None];
        self.agents.add(&conversation);
        for trigger in triggers {
            *self.triggers.entry(trigger).or_insert(0) += 1;
        }
    }

    pub fn finish(self) -> Overview {
        let first_response = self.days.total().first_response().counts().collect();
        let days = self.days.finish();
        // With --by day outermost every day of the span has a row: the rows are the span.
        let span = days.rows.len();
        let periods = if span <= MAX_DAYS {
            days.clone()
        } else if span <= MAX_WEEKS_DAYS {
            even(self.weeks.finish())
        } else {
            even(self.months.finish())
        };
        let mut triggers: Vec<(String, u64)> = self.triggers.into_iter().collect();
        triggers.sort_by(|(a, na), (b, nb)| nb.cmp(na).then_with(|| a.cmp(b)));
        Overview {
            total: Report {
                by: Vec::new(),
                columns: Figures::COLUMNS,
                rows: Vec::new(),
                total: days.total,
            },
            periods,
            weekday_hour: self.weekday_hour.finish(),
            countries: self.countries.finish(),
            groups: self.groups.finish(),
            agents: self.agents.finish(),
            triggers,
            first_response,
        }
    }
}

/// The report with a zero row for every week or month between its first and last that has
/// none (as `--by day` fills days), so that a time axis is even.
fn even(mut report: Report) -> Report {
    let (mut keyed, keyless): (Vec<Row>, Vec<Row>) =
        (report.rows.drain(..)).partition(|row| matches!(row.keys.first(), Some(Some(_))));
    let (Some(first), Some(last)) = (
        keyed
            .first()
            .and_then(|r| r.keys.first().cloned().flatten()),
        keyed.last().and_then(|r| r.keys.first().cloned().flatten()),
    ) else {
        report.rows = keyed.into_iter().chain(keyless).collect();
        return report;
    };
    let zero = Figures::default().cells();
    let mut rows = Vec::with_capacity(keyed.len());
    let mut existing = keyed.drain(..).peekable();
    let mut key = Some(first);
    while let Some(current) = key.filter(|k| *k <= last) {
        match existing.peek() {
            Some(row) if row.keys.first() == Some(&Some(current.clone())) => {
                rows.extend(existing.next());
            }
            _ => rows.push(Row {
                keys: vec![Some(current.clone())],
                cells: zero.clone(),
            }),
        }
        key = next(&current);
    }
    // Anything the walk did not meet (it cannot happen with ordered keys) is kept.
    rows.extend(existing);
    rows.extend(keyless);
    report.rows = rows;
    report
}

/// The week or month after `key`.
fn next(key: &Key) -> Option<Key> {
    match *key {
        Key::Week { year, week } => {
            let monday = ISOWeekDate::new(year, week, Weekday::Monday).ok()?.date();
            let week = monday.checked_add(7.days()).ok()?.iso_week_date();
            Some(Key::Week {
                year: week.year(),
                week: week.week(),
            })
        }
        Key::Month { year, month } if month >= 12 => Some(Key::Month {
            year: year.checked_add(1)?,
            month: 1,
        }),
        Key::Month { year, month } => Some(Key::Month {
            year,
            month: month + 1,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Cell;

    fn row(key: Key, n: i128) -> Row {
        let mut cells = Figures::default().cells();
        cells[0] = Cell::Int(n);
        Row {
            keys: vec![Some(key)],
            cells,
        }
    }

    #[test]
    fn weeks_and_months_are_filled_across_years() {
        let week = |year, week| Key::Week { year, week };
        let report = Report {
            by: vec![Dimension::Week],
            columns: Figures::COLUMNS,
            rows: vec![
                row(week(2025, 51), 2),
                row(week(2026, 2), 1),
                Row {
                    keys: vec![None],
                    cells: Figures::default().cells(),
                },
            ],
            total: Figures::default().cells(),
        };
        let keys: Vec<String> = even(report)
            .rows
            .iter()
            .map(|r| r.keys[0].as_ref().map_or("-".into(), |k| k.to_string()))
            .collect();
        assert_eq!(keys, ["2025-W51", "2025-W52", "2026-W01", "2026-W02", "-"]);
        let month = |year, month| Key::Month { year, month };
        let report = Report {
            by: vec![Dimension::Month],
            columns: Figures::COLUMNS,
            rows: vec![row(month(2025, 11), 1), row(month(2026, 2), 1)],
            total: Figures::default().cells(),
        };
        let filled = even(report);
        assert_eq!(filled.rows.len(), 4);
        assert_eq!(filled.rows[1].cells[0], Cell::Int(0));
        assert_eq!(filled.rows[2].keys[0], Some(month(2026, 1)));
    }
}
