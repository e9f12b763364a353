//! Everything `sshook report` draws, computed in one pass by the same tallies as `sshook
//! stats`: the whole selection, conversations per day / week / month, weekday × hour,
//! countries, groups, agents, and conversations per trigger. Only aggregates are kept.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::model::payload::Payload;
use crate::model::time::DisplayZone;
use crate::stats::{AgentFigures, Conversation, Dimension, Figures, Grouping, Key, Report, Tally};

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

impl OverviewTally {
    /// Tallies for a selection whose explicit `--since`/`--until` range is `range` (local
    /// days, either end open). The time charts always have every period, from the range's
    /// start (else the data's first) to its end (else the data's last), so that a time axis
    /// is even: the same filling stats does inside an explicit range.
    pub fn new(range: Option<(Option<Date>, Option<Date>)>) -> OverviewTally {
        let axis = Some(range.unwrap_or((None, None)));
        OverviewTally {
            days: Grouping::new(vec![Dimension::Day], axis),
            // The total is counted once, by the days; the others count their groups only.
            weeks: Grouping::groups_only(vec![Dimension::Week], axis),
            months: Grouping::groups_only(vec![Dimension::Month], axis),
            weekday_hour: Grouping::groups_only(vec![Dimension::Weekday, Dimension::Hour], None),
            countries: Grouping::groups_only(vec![Dimension::Country], None),
            groups: Grouping::groups_only(vec![Dimension::Group], None),
            agents: Grouping::new(vec![Dimension::Agent], None),
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
            self.weeks.finish()
        } else {
            self.months.finish()
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
