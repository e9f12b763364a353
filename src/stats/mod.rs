//! Statistics over the selected conversations: the facts a figure needs from one payload
//! ([`facts`]), the figures of a group ([`figures`]), exact distributions ([`values`]) and the
//! grouping by day, agent, status… ([`groups`]), and everything `sshook report` draws in one
//! pass ([`overview`]). Rendering lives in `render::stats` and `render::report`.
//!
//! Memory holds counters and exact value distributions per group, never payloads.

pub mod facts;
pub mod figures;
pub mod groups;
pub mod overview;
pub mod values;

use std::fmt;

use jiff::civil::Date;

use crate::model::payload::Status;

pub use facts::{AgentPart, Conversation};
pub use figures::{AgentFigures, Figures, Tally, Volumes};
pub use groups::Grouping;

/// A `--by` dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Local day of beginAt, `2026-03-29`; as the first --by, empty days get zero rows.
    Day,
    /// ISO week of beginAt, `2026-W13`.
    Week,
    /// Month of beginAt, `2026-03`.
    Month,
    /// Hour of beginAt, 0–23.
    Hour,
    /// Weekday of beginAt, Mon–Sun.
    Weekday,
    /// The display name of each agent who wrote in the conversation.
    Agent,
    /// visitor.countryCode.
    Country,
    /// visitor.group (or visitor.groupKey).
    Group,
    /// The status word: offline, missed, dropped, completed, incomplete.
    Status,
}

impl Dimension {
    /// The column name of the dimension, as in `--by`.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Day => "day",
            Dimension::Week => "week",
            Dimension::Month => "month",
            Dimension::Hour => "hour",
            Dimension::Weekday => "weekday",
            Dimension::Agent => "agent",
            Dimension::Country => "country",
            Dimension::Group => "group",
            Dimension::Status => "status",
        }
    }

    /// Whether its key comes from beginAt's local time (day, week, month, hour, weekday).
    pub fn is_calendar(self) -> bool {
        matches!(
            self,
            Dimension::Day
                | Dimension::Week
                | Dimension::Month
                | Dimension::Hour
                | Dimension::Weekday
        )
    }

    /// Whether its groups are ordered by their place in time (or the status order) rather than
    /// by size.
    pub fn has_natural_order(self) -> bool {
        !matches!(
            self,
            Dimension::Agent | Dimension::Country | Dimension::Group
        )
    }
}

/// The key of one group in one dimension. A conversation without a value (no country, a
/// beginAt out of range) has no key: `None`, shown empty or null.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Day(Date),
    Week {
        year: i16,
        week: i8,
    },
    Month {
        year: i16,
        month: i8,
    },
    Hour(i8),
    /// 1 = Monday … 7 = Sunday.
    Weekday(i8),
    Status(Status),
    Name(String),
}

impl Key {
    /// The first local day of a day, week or month key.
    pub fn first_day(&self) -> Option<jiff::civil::Date> {
        match *self {
            Key::Day(date) => Some(date),
            Key::Week { year, week } => {
                jiff::civil::ISOWeekDate::new(year, week, jiff::civil::Weekday::Monday)
                    .ok()
                    .map(|w| w.date())
            }
            Key::Month { year, month } => jiff::civil::Date::new(year, month, 1).ok(),
            _ => None,
        }
    }

    /// The key as a JSON value: the hour as a number, everything else as its text.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Key::Hour(hour) => serde_json::Value::from(*hour),
            other => serde_json::Value::from(other.to_string()),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Day(date) => write!(f, "{date}"),
            Key::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Key::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Key::Hour(hour) => write!(f, "{hour}"),
            Key::Weekday(day) => {
                let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                let index = usize::try_from(day - 1).unwrap_or(0).min(6);
                f.write_str(names[index])
            }
            Key::Status(status) => f.write_str(status.as_str()),
            Key::Name(name) => f.write_str(name),
        }
    }
}

/// One figure's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// No value entered the figure.
    Null,
    Int(i128),
    Float(f64),
}

impl Cell {
    pub fn int(value: impl Into<i128>) -> Cell {
        Cell::Int(value.into())
    }

    pub fn from_int(value: Option<impl Into<i128>>) -> Cell {
        value.map_or(Cell::Null, |v| Cell::Int(v.into()))
    }

    pub fn from_float(value: Option<f64>) -> Cell {
        value.map_or(Cell::Null, Cell::Float)
    }

    pub fn as_f64(self) -> Option<f64> {
        match self {
            Cell::Null => None,
            Cell::Int(v) => Some(v as f64),
            Cell::Float(v) => Some(v),
        }
    }
}

/// One group: its key in each `--by` dimension, and its figures in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub keys: Vec<Option<Key>>,
    pub cells: Vec<Cell>,
}

/// What stats computed: the groups in output order and the whole selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub by: Vec<Dimension>,
    /// The figure names, the JSON keys and CSV headers, in order.
    pub columns: &'static [&'static str],
    pub rows: Vec<Row>,
    pub total: Vec<Cell>,
}

impl Report {
    /// The value of the named figure in `cells`.
    pub fn cell(&self, cells: &[Cell], column: &str) -> Cell {
        self.columns
            .iter()
            .position(|c| *c == column)
            .and_then(|i| cells.get(i).copied())
            .unwrap_or(Cell::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_as_the_issue_names_them() {
        let day = Key::Day(jiff::civil::date(2026, 3, 9));
        assert_eq!(day.to_string(), "2026-03-09");
        assert_eq!(
            Key::Week {
                year: 2026,
                week: 3
            }
            .to_string(),
            "2026-W03"
        );
        assert_eq!(
            Key::Month {
                year: 2026,
                month: 3
            }
            .to_string(),
            "2026-03"
        );
        assert_eq!(Key::Weekday(1).to_string(), "Mon");
        assert_eq!(Key::Weekday(7).to_string(), "Sun");
        assert_eq!(Key::Hour(0).to_json(), serde_json::json!(0));
        assert_eq!(
            Key::Status(Status::Missed).to_json(),
            serde_json::json!("missed")
        );
    }
}
