//! Grouping conversations by one or more `--by` dimensions, nested in the order given, and
//! putting the groups in a deterministic order.
//!
//! Order, level by level: days, weeks, months and hours in time order, weekdays Mon–Sun,
//! statuses offline, missed, dropped, completed, incomplete; agents, countries and groups by
//! conversations (descending), then by key. A group without a key comes last in its level.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use rustc_hash::FxBuildHasher;

use crate::stats::facts::date_key;
use crate::stats::{Cell, Conversation, Dimension, Key, Report, Row, Tally};

/// The running tallies of a stats run: one per group, and one for the whole selection.
#[derive(Debug)]
pub struct Grouping<T: Tally> {
    by: Vec<Dimension>,
    agent_level: Option<usize>,
    groups: HashMap<Vec<Option<Key>>, T, FxBuildHasher>,
    /// Distinct conversations per key prefix, for ordering outer levels by size.
    sizes: HashMap<Vec<Option<Key>>, u64, FxBuildHasher>,
    /// The explicit `--since`/`--until` range as local days (first, last; either may be
    /// open), inside which empty periods of the outer time dimension get zero rows.
    fill: Option<(Option<Date>, Option<Date>)>,
    /// The first days of the data's first and last outer periods (day, week or month).
    span: Option<(Date, Date)>,
    total: T,
    /// Whether `total` is counted (a report that reads its total elsewhere skips the work).
    with_total: bool,
}

impl<T: Tally> Grouping<T> {
    /// Groups `by`; `fill` is the selection's explicit range in local days, if it has one.
    pub fn new(by: Vec<Dimension>, fill: Option<(Option<Date>, Option<Date>)>) -> Grouping<T> {
        Grouping {
            agent_level: by.iter().position(|d| *d == Dimension::Agent),
            by,
            groups: HashMap::default(),
            sizes: HashMap::default(),
            fill,
            span: None,
            total: T::default(),
            with_total: true,
        }
    }

    /// A grouping whose total stays empty: for several groupings of one selection, where one
    /// of them counts the total.
    pub fn groups_only(
        by: Vec<Dimension>,
        fill: Option<(Option<Date>, Option<Date>)>,
    ) -> Grouping<T> {
        Grouping {
            with_total: false,
            ..Grouping::new(by, fill)
        }
    }

    /// The first days of the data's first and last outer periods (day, week or month): with
    /// days outermost, the first and last day a conversation began on. `None` without any.
    pub fn span(&self) -> Option<(Date, Date)> {
        self.span
    }

    pub fn add(&mut self, conversation: &Conversation) {
        self.add_keyed(&conversation.keys, conversation);
    }

    /// Adds `conversation` under `keys`, one per `--by` dimension (the agent's is filled from
    /// its agents), in place of its own keys: several groupings of one conversation each read
    /// their part of one list of keys, and nothing is copied unless a group is new.
    pub fn add_keyed(&mut self, keys: &[Option<Key>], conversation: &Conversation) {
        if self.with_total {
            self.total.add(conversation, &conversation.agents);
        }
        if self.by.is_empty() {
            return;
        }
        if let Some(day) = keys[0].as_ref().and_then(Key::first_day) {
            self.span = Some(match self.span {
                Some((first, last)) => (first.min(day), last.max(day)),
                None => (day, day),
            });
        }
        let Some(level) = self.agent_level else {
            self.count_sizes(keys, 0..self.by.len());
            add_to(&mut self.groups, keys, |tally| tally.add(conversation, &[]));
            return;
        };
        // Outer levels count a conversation once, however many agents wrote in it.
        if let (Some(first), true) = (conversation.agents.first(), level > 0) {
            self.count_sizes(&with_agent(keys, level, first), 0..level);
        }
        for part in &conversation.agents {
            // By agent alone, the agent's own key is the whole key: nothing to build.
            let built;
            let keys = if self.by.len() == 1 {
                std::slice::from_ref(&part.key)
            } else {
                built = with_agent(keys, level, part);
                &built
            };
            self.count_sizes(keys, level..self.by.len());
            add_to(&mut self.groups, keys, |tally| {
                tally.add(conversation, std::slice::from_ref(part))
            });
        }
    }

    /// Counts the conversation in its prefixes at `levels` that are ordered by size (the
    /// innermost level is counted by its tally).
    fn count_sizes(&mut self, keys: &[Option<Key>], levels: std::ops::Range<usize>) {
        for level in levels {
            if level + 1 < self.by.len() && !self.by[level].has_natural_order() {
                let prefix = &keys[..=level];
                match self.sizes.get_mut(prefix) {
                    Some(size) => *size += 1,
                    None => {
                        self.sizes.insert(prefix.to_vec(), 1);
                    }
                }
            }
        }
    }

    /// The report: groups in order (with a day, week or month outermost and an explicit
    /// range, every period of the range), and the whole selection.
    pub fn finish(mut self) -> Report {
        self.fill_periods();
        let mut groups: Vec<(Vec<Option<Key>>, T)> =
            std::mem::take(&mut self.groups).into_iter().collect();
        groups.sort_by(|(a, ta), (b, tb)| self.compare(a, ta, b, tb));
        Report {
            by: self.by.clone(),
            columns: T::COLUMNS,
            rows: groups
                .into_iter()
                .map(|(keys, tally)| Row {
                    keys,
                    cells: tally.cells(),
                })
                .collect(),
            total: self.total.cells(),
        }
    }

    /// A zero row for every period (day, week, month) of the explicit `--since`/`--until`
    /// range that has no group, its inner keys empty, so that a plot has no holes. Without an
    /// explicit range nothing is filled: one stray old payload must not add years of empty
    /// rows. An open end of the range is the data's own first or last period.
    fn fill_periods(&mut self) {
        let (Some(outer), Some((since, until))) = (self.by.first().copied(), self.fill) else {
            return;
        };
        if !matches!(outer, Dimension::Day | Dimension::Week | Dimension::Month) {
            return;
        }
        let seen: HashSet<Key> = self
            .groups
            .keys()
            .filter_map(|keys| keys.first().cloned().flatten())
            .collect();
        let (Some(first), Some(last)) = (
            since.or(self.span.map(|(first, _)| first)),
            until.or(self.span.map(|(_, last)| last)),
        ) else {
            return;
        };
        let mut day = first;
        let mut added: HashSet<Key> = HashSet::new();
        while day <= last {
            if let Some(key) = date_key(outer, day) {
                if !seen.contains(&key) && added.insert(key.clone()) {
                    let mut keys = vec![None; self.by.len()];
                    keys[0] = Some(key);
                    self.groups.insert(keys, T::default());
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
    }

    fn compare(&self, a: &[Option<Key>], ta: &T, b: &[Option<Key>], tb: &T) -> Ordering {
        for (level, dimension) in self.by.iter().enumerate() {
            let (ka, kb) = (&a[level], &b[level]);
            if ka == kb {
                continue;
            }
            let by_size = if dimension.has_natural_order() {
                Ordering::Equal
            } else {
                let size = |keys: &[Option<Key>], tally: &T| {
                    if level + 1 == self.by.len() {
                        tally.conversations()
                    } else {
                        self.sizes.get(&keys[..=level]).copied().unwrap_or(0)
                    }
                };
                size(b, tb).cmp(&size(a, ta))
            };
            return by_size.then_with(|| keyless_last(ka, kb));
        }
        Ordering::Equal
    }
}

fn with_agent(
    keys: &[Option<Key>],
    level: usize,
    part: &crate::stats::AgentPart,
) -> Vec<Option<Key>> {
    let mut keys = keys.to_vec();
    keys[level] = part.key.clone();
    keys
}

/// Adds to the tally of the group `keys`, made (and its keys copied) only when it is new.
fn add_to<T: Tally>(
    groups: &mut HashMap<Vec<Option<Key>>, T, FxBuildHasher>,
    keys: &[Option<Key>],
    add: impl FnOnce(&mut T),
) {
    match groups.get_mut(keys) {
        Some(tally) => add(tally),
        None => {
            let mut tally = T::default();
            add(&mut tally);
            groups.insert(keys.to_vec(), tally);
        }
    }
}

fn keyless_last(a: &Option<Key>, b: &Option<Key>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

impl Report {
    /// The row whose keys read `keys` (as displayed), for tests and lookups.
    pub fn row(&self, keys: &[&str]) -> Option<&[Cell]> {
        self.rows
            .iter()
            .find(|row| {
                row.keys.len() == keys.len()
                    && row.keys.iter().zip(keys).all(|(k, want)| {
                        k.as_ref().map(|k| k.to_string()).unwrap_or_default() == *want
                    })
            })
            .map(|row| row.cells.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::payload::{Counted, Status};
    use crate::stats::{AgentFigures, AgentPart, Figures};

    fn conversation(keys: Vec<Option<Key>>, agents: &[&str]) -> Conversation {
        Conversation {
            status: Status::Completed,
            is_chat: true,
            is_triggered: false,
            first_response: Some(10),
            avg_response: Some(10),
            duration: Some(60),
            messages_recorded: Some(2),
            words_recorded: Some(4),
            counted: Counted::default(),
            rating: None,
            keys,
            agents: agents
                .iter()
                .map(|a| AgentPart {
                    key: Some(Key::Name(a.to_string())),
                    messages: 1,
                    first_response_ms: Some(1_000),
                })
                .collect(),
        }
    }

    fn name(s: &str) -> Option<Key> {
        Some(Key::Name(s.into()))
    }

    fn day(d: i8) -> Option<Key> {
        Some(Key::Day(jiff::civil::date(2026, 3, d)))
    }

    fn order(report: &Report) -> Vec<String> {
        report
            .rows
            .iter()
            .map(|r| {
                r.keys
                    .iter()
                    .map(|k| k.as_ref().map(|k| k.to_string()).unwrap_or("-".into()))
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect()
    }

    #[test]
    fn names_by_size_then_key_and_keyless_last() {
        let mut g = Grouping::<Figures>::new(vec![Dimension::Country], None);
        for key in [name("SK"), None, name("CZ"), name("AT"), name("CZ"), None] {
            g.add(&conversation(vec![key], &[]));
        }
        assert_eq!(order(&g.finish()), ["CZ", "-", "AT", "SK"]);
    }

    #[test]
    fn days_fill_holes_only_at_the_outer_level_inside_an_explicit_range() {
        let add = |g: &mut Grouping<AgentFigures>| {
            g.add(&conversation(vec![day(28), None], &["Bob", "Ann"]));
            g.add(&conversation(vec![day(31), None], &["Ann"]));
            g.add(&conversation(vec![day(29), None], &[]));
            g.add(&conversation(vec![day(27), None], &[]));
        };
        let by = vec![Dimension::Day, Dimension::Agent];
        // --until 2026-04-02: filled up to the range's last day, from the data's first.
        let range = Some((None, jiff::civil::date(2026, 4, 2).yesterday().ok()));
        let mut g = Grouping::<AgentFigures>::new(by.clone(), range);
        add(&mut g);
        let report = g.finish();
        assert_eq!(
            order(&report),
            [
                "2026-03-27/-",
                "2026-03-28/Ann",
                "2026-03-28/Bob",
                "2026-03-29/-",
                "2026-03-30/-",
                "2026-03-31/Ann",
                "2026-04-01/-"
            ]
        );
        assert_eq!(report.row(&["2026-03-30", ""]).unwrap()[0], Cell::Int(0));
        // The total counts every conversation, with or without an agent.
        assert_eq!(report.total[0], Cell::Int(4));
        assert_eq!(report.total[1], Cell::Int(3));
        // Without a range, no row is invented: only groups that have conversations.
        let mut g = Grouping::<AgentFigures>::new(by, None);
        add(&mut g);
        assert_eq!(
            order(&g.finish()),
            ["2026-03-28/Ann", "2026-03-28/Bob", "2026-03-31/Ann"]
        );
    }

    #[test]
    fn an_open_range_fills_weeks_across_a_year_between_the_data() {
        let week = |year, week| Some(Key::Week { year, week });
        let mut g = Grouping::<Figures>::new(vec![Dimension::Week], Some((None, None)));
        g.add(&conversation(vec![week(2025, 51)], &[]));
        g.add(&conversation(vec![week(2026, 2)], &[]));
        g.add(&conversation(vec![None], &[]));
        assert_eq!(
            order(&g.finish()),
            ["2025-W51", "2025-W52", "2026-W01", "2026-W02", "-"]
        );
    }

    #[test]
    fn months_fill_inside_the_range_too() {
        let month = |m| {
            Some(Key::Month {
                year: 2026,
                month: m,
            })
        };
        let range = Some((
            Some(jiff::civil::date(2026, 1, 15)),
            Some(jiff::civil::date(2026, 4, 30)),
        ));
        let mut g = Grouping::<Figures>::new(vec![Dimension::Month], range);
        g.add(&conversation(vec![month(2)], &[]));
        assert_eq!(
            order(&g.finish()),
            ["2026-01", "2026-02", "2026-03", "2026-04"]
        );
    }

    #[test]
    fn outer_names_order_by_their_distinct_conversations() {
        let mut g = Grouping::<AgentFigures>::new(vec![Dimension::Country, Dimension::Agent], None);
        // CZ: one conversation with two agents; SK: two conversations with one agent.
        g.add(&conversation(vec![name("CZ"), None], &["Ann", "Bob"]));
        g.add(&conversation(vec![name("SK"), None], &["Ann"]));
        g.add(&conversation(vec![name("SK"), None], &["Ann"]));
        assert_eq!(order(&g.finish()), ["SK/Ann", "CZ/Ann", "CZ/Bob"]);
    }
}
