//! The figures of one group of conversations: counters, sums and exact distributions, turned
//! into cells in column order at the end.

use crate::model::payload::Status;
use crate::stats::values::Values;
use crate::stats::{AgentPart, Cell, Conversation};

/// A set of figures that conversations are added to.
pub trait Tally: Default {
    /// The figure names, in output order.
    const COLUMNS: &'static [&'static str];
    /// Whether the figures need each conversation's agents.
    const NEEDS_AGENTS: bool;

    /// Adds one conversation; `agents` are the agents' parts this tally counts (one for an
    /// agent's group, all of them for the whole selection).
    fn add(&mut self, conversation: &Conversation, agents: &[AgentPart]);

    fn conversations(&self) -> u64;

    /// The figures in [`Tally::COLUMNS`] order.
    fn cells(&self) -> Vec<Cell>;
}

/// How many conversations, by status: the first columns of [`Figures`], and all that a chart
/// of volumes or a top-N table reads (the report tallies its periods, hours, countries and
/// groups with these alone).
#[derive(Debug, Clone, Default)]
pub struct Volumes {
    conversations: u64,
    chats: u64,
    /// Conversations per status word, in [`Status::ALL`] order.
    statuses: [u64; Status::ALL.len()],
    triggered: u64,
}

impl Volumes {
    fn status(&self, status: Status) -> u64 {
        let index = Status::ALL.iter().position(|s| *s == status).unwrap_or(0);
        self.statuses[index]
    }
}

impl Tally for Volumes {
    const COLUMNS: &'static [&'static str] = &[
        "conversations",
        "chats",
        "completed",
        "incomplete",
        "missed",
        "offline",
        "dropped",
        "open",
        "triggered",
        "missed_rate",
    ];
    const NEEDS_AGENTS: bool = false;

    fn add(&mut self, c: &Conversation, _agents: &[AgentPart]) {
        self.conversations += 1;
        self.chats += u64::from(c.is_chat);
        if let Some(index) = Status::ALL.iter().position(|s| *s == c.status) {
            self.statuses[index] += 1;
        }
        self.triggered += u64::from(c.is_triggered);
    }

    fn conversations(&self) -> u64 {
        self.conversations
    }

    fn cells(&self) -> Vec<Cell> {
        let missed = self.status(Status::Missed);
        let missed_rate =
            (self.conversations > 0).then(|| missed as f64 / self.conversations as f64);
        vec![
            Cell::int(self.conversations),
            Cell::int(self.chats),
            Cell::int(self.status(Status::Completed)),
            Cell::int(self.status(Status::Incomplete)),
            Cell::int(missed),
            Cell::int(self.status(Status::Offline)),
            Cell::int(self.status(Status::Dropped)),
            Cell::int(self.status(Status::Open)),
            Cell::int(self.triggered),
            Cell::from_float(missed_rate),
        ]
    }
}

/// The conversation figures: volumes, recorded response times, durations, counts, ratings.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    volumes: Volumes,
    first_response: Values,
    avg_response: Values,
    duration: Values,
    messages_recorded: Sum,
    messages_counted: Sum,
    words_recorded: Sum,
    words_counted: Sum,
    ratings: Values,
    /// Conversations rated 1 … 5.
    rating_counts: [u64; 5],
}

/// A sum that is `None` until a value enters it.
#[derive(Debug, Clone, Copy, Default)]
struct Sum(Option<i128>);

impl Sum {
    fn add(&mut self, value: Option<i64>) {
        if let Some(value) = value {
            self.0 = Some(self.0.unwrap_or(0) + i128::from(value));
        }
    }
}

impl Figures {
    /// The recorded first response times of chats (seconds): the distribution behind
    /// `first_response_*`.
    pub fn first_response(&self) -> &Values {
        &self.first_response
    }
}

impl Tally for Figures {
    const COLUMNS: &'static [&'static str] = &[
        "conversations",
        "chats",
        "completed",
        "incomplete",
        "missed",
        "offline",
        "dropped",
        "open",
        "triggered",
        "missed_rate",
        "first_response_mean",
        "first_response_median",
        "first_response_p90",
        "first_response_max",
        "avg_response_mean",
        "avg_response_median",
        "duration_mean",
        "duration_median",
        "messages_recorded",
        "messages_counted",
        "words_recorded",
        "words_counted",
        "rated",
        "rating_mean",
        "rating_1",
        "rating_2",
        "rating_3",
        "rating_4",
        "rating_5",
    ];
    const NEEDS_AGENTS: bool = false;

    fn add(&mut self, c: &Conversation, agents: &[AgentPart]) {
        self.volumes.add(c, agents);
        if c.is_chat {
            if let Some(v) = c.first_response {
                self.first_response.add(v);
            }
            if let Some(v) = c.avg_response {
                self.avg_response.add(v);
            }
        }
        if let Some(v) = c.duration {
            self.duration.add(v);
        }
        self.messages_recorded.add(c.messages_recorded);
        self.messages_counted.add(Some(c.counted.messages));
        self.words_recorded.add(c.words_recorded);
        self.words_counted.add(Some(c.counted.words));
        if let Some(rating) = c.rating {
            self.ratings.add(rating);
            if let Some(count) = usize::try_from(rating - 1)
                .ok()
                .and_then(|i| self.rating_counts.get_mut(i))
            {
                *count += 1;
            }
        }
    }

    fn conversations(&self) -> u64 {
        self.volumes.conversations
    }

    fn cells(&self) -> Vec<Cell> {
        let mut cells = self.volumes.cells();
        cells.extend([
            Cell::from_float(self.first_response.mean(1)),
            Cell::from_float(self.first_response.median(1)),
            Cell::from_int(self.first_response.p90()),
            Cell::from_int(self.first_response.max()),
            Cell::from_float(self.avg_response.mean(1)),
            Cell::from_float(self.avg_response.median(1)),
            Cell::from_float(self.duration.mean(1)),
            Cell::from_float(self.duration.median(1)),
            Cell::from_int(self.messages_recorded.0),
            Cell::from_int(self.messages_counted.0),
            Cell::from_int(self.words_recorded.0),
            Cell::from_int(self.words_counted.0),
            Cell::int(self.ratings.len()),
            Cell::from_float(self.ratings.mean(1)),
        ]);
        cells.extend(self.rating_counts.iter().map(|&n| Cell::int(n)));
        cells
    }
}

/// The agent figures: conversations an agent wrote in, its messages, its own first
/// response times measured from the messages (seconds, as fractions), and the mean rating of
/// the rated conversations it wrote in.
#[derive(Debug, Clone, Default)]
pub struct AgentFigures {
    conversations: u64,
    messages: u64,
    /// Milliseconds; shown as seconds.
    first_response_ms: Values,
    ratings: Values,
}

impl Tally for AgentFigures {
    const COLUMNS: &'static [&'static str] = &[
        "conversations",
        "messages",
        "first_response_mean",
        "first_response_median",
        "first_response_p90",
        "rating_mean",
    ];
    const NEEDS_AGENTS: bool = true;

    fn add(&mut self, c: &Conversation, agents: &[AgentPart]) {
        self.conversations += 1;
        if let Some(rating) = c.rating {
            self.ratings.add(rating);
        }
        for part in agents {
            self.messages += part.messages;
            if let Some(ms) = part.first_response_ms {
                self.first_response_ms.add(ms);
            }
        }
    }

    fn conversations(&self) -> u64 {
        self.conversations
    }

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::int(self.conversations),
            Cell::int(self.messages),
            Cell::from_float(self.first_response_ms.mean(1000)),
            Cell::from_float(self.first_response_ms.median(1000)),
            Cell::from_float(self.first_response_ms.p90().map(|ms| ms as f64 / 1000.0)),
            Cell::from_float(self.ratings.mean(1)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::payload::Counted;

    /// The volumes are the first figures, under the same names, with the same values.
    #[test]
    fn volumes_are_the_first_figures() {
        assert_eq!(
            Volumes::COLUMNS,
            &Figures::COLUMNS[..Volumes::COLUMNS.len()]
        );
        let (mut volumes, mut figures) = (Volumes::default(), Figures::default());
        for (status, is_chat) in [
            (Status::Missed, true),
            (Status::Completed, true),
            (Status::Offline, false),
        ] {
            let c = Conversation {
                status,
                is_chat,
                is_triggered: is_chat,
                first_response: Some(3),
                avg_response: None,
                duration: Some(60),
                messages_recorded: None,
                words_recorded: None,
                counted: Counted::default(),
                rating: Some(4),
                keys: Vec::new(),
                agents: Vec::new(),
            };
            volumes.add(&c, &[]);
            figures.add(&c, &[]);
        }
        assert_eq!(volumes.cells(), figures.cells()[..Volumes::COLUMNS.len()]);
        assert_eq!(volumes.cells()[9], Cell::Float(1.0 / 3.0));
    }
}
