//! Everything `sshook report` draws, computed in one pass by the same tallies as `sshook
//! stats`: the whole selection, conversations per day / week / month, weekday × hour,
//! countries, groups, agents, and conversations per trigger. Only aggregates are kept, and
//! only those the page draws: the groups by time, country and group count volumes
//! ([`Volumes`]), not the distributions of every figure that a `--by` of stats keeps.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::model::payload::Payload;
use crate::model::time::DisplayZone;
use crate::stats::{
    AgentFigures, Conversation, Dimension, Figures, Grouping, Report, Tally, Volumes,
};

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
    /// The whole selection.
    total: Figures,
    days: Grouping<Volumes>,
    weeks: Grouping<Volumes>,
    months: Grouping<Volumes>,
    weekday_hour: Grouping<Volumes>,
    countries: Grouping<Volumes>,
    groups: Grouping<Volumes>,
    agents: Grouping<AgentFigures>,
    triggers: HashMap<String, u64, rustc_hash::FxBuildHasher>,
    range: Option<(Option<Date>, Option<Date>)>,
}

impl OverviewTally {
    /// Tallies for a selection whose explicit `--since`/`--until` range is `range` (local
    /// days, either end open). The time charts always have every period, from the range's
    /// start (else the data's first) to its end (else the data's last), so that a time axis
    /// is even: the same filling stats does inside an explicit range.
    pub fn new(range: Option<(Option<Date>, Option<Date>)>) -> OverviewTally {
        let axis = Some(range.unwrap_or((None, None)));
        OverviewTally {
            total: Figures::default(),
            // The total is counted once, above; the groupings count their groups only.
            days: Grouping::groups_only(vec![Dimension::Day], axis),
            weeks: Grouping::groups_only(vec![Dimension::Week], axis),
            months: Grouping::groups_only(vec![Dimension::Month], axis),
            weekday_hour: Grouping::groups_only(vec![Dimension::Weekday, Dimension::Hour], None),
            countries: Grouping::groups_only(vec![Dimension::Country], None),
            groups: Grouping::groups_only(vec![Dimension::Group], None),
            agents: Grouping::new(vec![Dimension::Agent], None),
            triggers: HashMap::default(),
            range,
        }
    }
}

/// What the report shows.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The figures of the whole selection: `sshook stats` without `--by`.
    pub total: Report,
    /// Conversations per day, week or month (chosen by the span): the [`Volumes`] of `stats
    /// --by day|week|month`. The reports below have an empty total (it is
    /// [`Overview::total`]), except agents'; all but the agents' are volumes.
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
    /// The first and last local day a selected conversation began on (`None` without any).
    pub days: Option<(Date, Date)>,
    /// The explicit `--since`/`--until` range in local days (the first day, and the last day
    /// the range touches; either end open), or `None` when neither was given.
    pub range: Option<(Option<Date>, Option<Date>)>,
}

impl OverviewTally {
    /// Adds one conversation's facts. Its keys are in [`BY`] order, so each grouping reads
    /// its own slice of them: no key is copied unless its group is new.
    pub fn add(&mut self, facts: Facts) {
        let Facts {
            conversation,
            triggers,
        } = facts;
        self.total.add(&conversation, &[]);
        let keys = &conversation.keys;
        self.days.add_keyed(&keys[0..1], &conversation);
        self.weeks.add_keyed(&keys[1..2], &conversation);
        self.months.add_keyed(&keys[2..3], &conversation);
        self.weekday_hour.add_keyed(&keys[3..5], &conversation);
        self.countries.add_keyed(&keys[5..6], &conversation);
        self.groups.add_keyed(&keys[6..7], &conversation);
        self.agents.add_keyed(&[None], &conversation);
        for trigger in triggers {
            *self.triggers.entry(trigger).or_insert(0) += 1;
        }
    }

    pub fn finish(self) -> Overview {
        let first_response = self.total.first_response().counts().collect();
        let data_days = self.days.span();
        let days = self.days.finish();
        // With --by day outermost every day of the span has a row: the rows are the span.
        let span = days.rows.len();
        let periods = if span <= MAX_DAYS {
            days
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
                total: self.total.cells(),
            },
            periods,
            weekday_hour: self.weekday_hour.finish(),
            countries: self.countries.finish(),
            groups: self.groups.finish(),
            agents: self.agents.finish(),
            triggers,
            first_response,
            days: data_days,
            range: self.range,
        }
    }
}
