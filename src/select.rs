//! Selection, shared by list, show, export and stats: the display zone, the time range, the
//! filters, dedupe of re-sent payloads and the optional sort — and the one streaming loop that
//! applies them all over the shared reader.

use std::collections::HashMap;

use anyhow::{bail, Result};
use clap::Args;

use crate::finding::Finding;
use crate::input::{self, Document, Item, Source};
use crate::payload::{Payload, SenderKind, Status};
use crate::report::{count, Diagnostics};
use crate::time::DisplayZone;
use crate::webhook::{Assembler, EventCounts, Facts};

/// The selection flags, flattened into every command that reads conversations.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Selection")]
pub struct SelectArgs {
    /// Show, parse and group times in this IANA zone (e.g. Europe/Prague). Default: the
    /// system's zone (TZ is honoured).
    #[arg(long, value_name = "ZONE", conflicts_with = "utc")]
    pub tz: Option<String>,

    /// Use UTC as the display zone.
    #[arg(long)]
    pub utc: bool,

    /// Only conversations that began at or after this time (inclusive): 2026-03-01,
    /// 2026-03-01T14:00, 2026-03-01T14:00:00Z, or a span back from now like 7d, 12h.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only conversations that began before this time (exclusive); same forms as --since.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Only conversations with this status: open (assembled from webhook events, not closed
    /// yet), offline, missed, dropped, completed, incomplete, or the tag triggered. Repeat to
    /// allow several.
    #[arg(long, value_enum, value_name = "WORD")]
    pub status: Vec<StatusWord>,

    /// Only conversations rated N, or in a range like 4-5.
    #[arg(long, value_name = "N|A-B", value_parser = parse_rating_range)]
    pub rating: Option<RatingRange>,

    /// Only conversations with a rating.
    #[arg(long, conflicts_with = "unrated")]
    pub rated: bool,

    /// Only conversations without a rating.
    #[arg(long)]
    pub unrated: bool,

    /// Only conversations in which this agent wrote (display name, case-insensitive, or the
    /// agent id as in agent:3). Repeat to allow several.
    #[arg(long, value_name = "NAME")]
    pub agent: Vec<String>,

    /// Only visitors from this country code (e.g. CZ). Repeat to allow several.
    #[arg(long, value_name = "CODE")]
    pub country: Vec<String>,

    /// Only visitors whose name or email contains this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub visitor: Option<String>,

    /// Only conversations with a message containing this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,

    /// Only this conversation: a POST-hook channel.id, or a webhook conversation id. Repeat
    /// for several.
    #[arg(long, value_name = "ID")]
    pub id: Vec<String>,

    /// Only this Smartsupp account. Repeat for several.
    #[arg(long, value_name = "ID")]
    pub account: Vec<i64>,

    /// Which copy of a re-sent conversation (same channel.id) to keep: first (the first read,
    /// in input order; numbered copies `X.1.json`, `X.2.json` that serve stores are read after
    /// `X.json`, in the order received), last (the last read: the conversation as last sent;
    /// holds the selection until the end of input), or all.
    #[arg(long, value_enum, value_name = "WHICH", default_value_t = Keep::First)]
    pub keep: Keep,

    /// The same as --keep all.
    #[arg(long, hide = true, conflicts_with = "keep")]
    pub keep_duplicates: bool,

    /// `--redact` and its companions (src/redact.rs).
    #[command(flatten)]
    pub redact: crate::redact::RedactArgs,
}

/// Order and count of the conversations written: for the commands whose output has an
/// order (list, show, export); stats and report do not offer them.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Selection")]
pub struct OrderArgs {
    /// Sort the selected conversations (default: input order, which streams).
    #[arg(long, value_enum, value_name = "KEY")]
    pub sort: Option<SortKey>,

    /// Reverse the --sort order.
    #[arg(long, requires = "sort")]
    pub reverse: bool,

    /// Write at most N conversations (the first N selected, after --sort), and stop reading
    /// as soon as they are written when nothing is sorted.
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<u64>,
}

/// `--status` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusWord {
    Open,
    Offline,
    Missed,
    Dropped,
    Completed,
    Incomplete,
    Triggered,
}

/// `--keep`: which copy of a re-sent conversation is kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Keep {
    #[default]
    First,
    Last,
    All,
}

impl Keep {
    fn as_str(self) -> &'static str {
        match self {
            Keep::First => "first",
            Keep::Last => "last",
            Keep::All => "all",
        }
    }
}

/// `--sort` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortKey {
    Begin,
    Id,
    Duration,
    Rating,
}

/// An inclusive range of ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingRange {
    pub low: i64,
    pub high: i64,
}

fn parse_rating_range(text: &str) -> Result<RatingRange, String> {
    let (low, high) = match text.split_once(['-', ':']) {
        Some((a, b)) => (a.trim(), b.trim()),
        None => match text.split_once("..") {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (text.trim(), text.trim()),
        },
    };
    let number = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| format!("expected a rating like 5 or 4-5, not {text:?}"))
    };
    let (low, high) = (number(low)?, number(high)?);
    if low > high {
        return Err(format!("empty rating range {text:?}"));
    }
    Ok(RatingRange { low, high })
}

/// The resolved selection: what `matches` needs, computed once.
#[derive(Debug, Clone)]
pub struct Selection {
    pub zone: DisplayZone,
    since: Option<i64>,
    until: Option<i64>,
    statuses: Vec<StatusWord>,
    rating: Option<RatingRange>,
    rated: Option<bool>,
    agents: Vec<String>,
    countries: Vec<String>,
    visitor: Option<String>,
    grep: Option<String>,
    ids: Vec<String>,
    accounts: Vec<i64>,
    pub keep: Keep,
    /// List each differing re-sent copy on stderr, not only their number.
    pub verbose: bool,
    pub sort: Option<SortKey>,
    pub reverse: bool,
    /// At most this many selected conversations reach the sink.
    pub limit: Option<u64>,
    /// `--redact`: applied to every selected document before `work` sees it.
    pub redactor: Option<crate::redact::Redactor>,
}

impl Selection {
    pub fn new(args: &SelectArgs, global: &crate::cli::GlobalArgs) -> Result<Selection> {
        let zone = DisplayZone::resolve(args.tz.as_deref(), args.utc)?;
        let now = jiff::Timestamp::now();
        let since = args
            .since
            .as_deref()
            .map(|t| zone.parse_instant(t, now))
            .transpose()?;
        let until = args
            .until
            .as_deref()
            .map(|t| zone.parse_instant(t, now))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                bail!("--since must come before --until");
            }
        }
        let lower = |v: &Option<String>| v.as_ref().map(|s| s.to_lowercase());
        Ok(Selection {
            zone,
            since,
            until,
            statuses: args.status.clone(),
            rating: args.rating,
            rated: match (args.rated, args.unrated) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            agents: args.agent.iter().map(|a| a.to_lowercase()).collect(),
            countries: args.country.iter().map(|c| c.to_lowercase()).collect(),
            visitor: lower(&args.visitor),
            grep: lower(&args.grep),
            ids: args.id.clone(),
            accounts: args.account.clone(),
            keep: if args.keep_duplicates {
                Keep::All
            } else {
                args.keep
            },
            verbose: global.verbose,
            sort: None,
            reverse: false,
            limit: None,
            redactor: args.redact.resolve()?,
        })
    }

    /// The selection, ordered and cut as `--sort`, `--reverse` and `--limit` say.
    pub fn ordered(mut self, order: &OrderArgs) -> Selection {
        self.sort = order.sort;
        self.reverse = order.reverse;
        self.limit = order.limit;
        self
    }

    /// A selection that keeps everything, shown in `zone`.
    pub fn all(zone: DisplayZone) -> Selection {
        Selection {
            zone,
            since: None,
            until: None,
            statuses: Vec::new(),
            rating: None,
            rated: None,
            agents: Vec::new(),
            countries: Vec::new(),
            visitor: None,
            grep: None,
            ids: Vec::new(),
            accounts: Vec::new(),
            keep: Keep::First,
            verbose: false,
            sort: None,
            reverse: false,
            limit: None,
            redactor: None,
        }
    }

    /// Runs `work` on `doc` as the commands see it: redacted with `--redact`. The one place
    /// redaction is applied (report and every reading command go through here).
    pub fn work<R>(&self, doc: &Document, work: &dyn Fn(&Document) -> R) -> R {
        match &self.redactor {
            Some(redactor) => redactor.document(doc, work),
            None => work(doc),
        }
    }

    /// The explicit `--since`/`--until` range as local days in the display zone (the first
    /// day, and the last day the range touches), or `None` when neither was given.
    pub fn range_days(&self) -> Option<(Option<jiff::civil::Date>, Option<jiff::civil::Date>)> {
        if self.since.is_none() && self.until.is_none() {
            return None;
        }
        let day = |ms: i64| self.zone.zoned(ms).map(|z| z.date());
        Some((
            self.since.and_then(day),
            self.until.and_then(|u| day(u - 1)),
        ))
    }

    /// Adds `--id` values (show takes a bare id as its first argument).
    pub fn add_ids(&mut self, ids: impl IntoIterator<Item = String>) {
        self.ids.extend(ids);
    }

    /// Whether an event passes the filters that apply to events: its time against
    /// `--since`/`--until`, its conversation against `--id`.
    pub fn matches_event(&self, e: &crate::webhook::Event) -> bool {
        if self.since.is_some_and(|s| e.timestamp < s)
            || self.until.is_some_and(|u| e.timestamp >= u)
        {
            return false;
        }
        self.ids.is_empty()
            || e.conversation_id()
                .is_some_and(|c| self.ids.iter().any(|id| id == c))
    }

    /// Whether the payload passes every filter.
    pub fn matches(&self, p: &Payload) -> bool {
        if !self.ids.is_empty() && !self.ids.iter().any(|id| *id == p.conversation_id()) {
            return false;
        }
        if !self.accounts.is_empty() && !p.account_id.is_some_and(|a| self.accounts.contains(&a)) {
            return false;
        }
        if self.since.is_some_and(|s| p.begin_at < s) || self.until.is_some_and(|u| p.begin_at >= u)
        {
            return false;
        }
        if !self.statuses.is_empty() && !self.statuses.iter().any(|w| status_holds(*w, p)) {
            return false;
        }
        let rating = p.channel.rating;
        if let Some(range) = self.rating {
            if !rating.is_some_and(|r| (range.low..=range.high).contains(&r)) {
                return false;
            }
        }
        if self.rated.is_some_and(|want| want != rating.is_some()) {
            return false;
        }
        if !self.countries.is_empty() {
            let code = p.visitor.as_ref().and_then(|v| v.country_code.as_deref());
            if !code.is_some_and(|c| self.countries.contains(&c.to_lowercase())) {
                return false;
            }
        }
        if let Some(needle) = &self.visitor {
            let v = p.visitor.as_ref();
            let hit = |t: Option<&str>| t.is_some_and(|t| t.to_lowercase().contains(needle));
            if !(hit(v.and_then(|v| v.name.as_deref())) || hit(v.and_then(|v| v.email.as_deref())))
            {
                return false;
            }
        }
        if !self.agents.is_empty() && !self.agent_wrote(p) {
            return false;
        }
        if let Some(needle) = &self.grep {
            let hit = p.messages.iter().any(|m| {
                m.sender_kind() != SenderKind::System && m.text().to_lowercase().contains(needle)
            });
            if !hit {
                return false;
            }
        }
        true
    }

    fn agent_wrote(&self, p: &Payload) -> bool {
        p.messages
            .iter()
            .filter(|m| m.sender_kind() == SenderKind::Agent)
            .any(|m| {
                let name = m.name.as_deref().unwrap_or("").to_lowercase();
                let from = m.from.as_deref().unwrap_or("").to_lowercase();
                self.agents
                    .iter()
                    .any(|a| *a == name || *a == from || *a == m.sender_id())
            })
    }

    /// `Some(documents)` when a chunk of input certainly holds no selected payload and no
    /// syntax error, so that `--id` (as `show ID` uses it) skips the typed parse of the rest: a
    /// chunk that does not contain any wanted id's digits is only checked for well-formedness.
    fn skippable(&self, chunk: &input::Chunk) -> Option<u64> {
        // A chunk that carries a finding (a file that cannot be read, an empty one, an entry
        // of a walked folder) goes the full way, which reports it.
        if self.ids.is_empty() || chunk.read_error.is_some() || chunk.empty_source {
            return None;
        }
        let text = &chunk.text;
        let contains_id = self
            .ids
            .iter()
            .any(|id| memchr::memmem::find(text, id.as_bytes()).is_some());
        if contains_id {
            return None;
        }
        // Any problem (syntax, or a top-level value that is not an object) takes the full path,
        // which reports it; value errors inside well-formed documents are not looked for.
        let mut documents = 0;
        for doc in serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>() {
            doc.ok()?;
            documents += 1;
        }
        Some(documents)
    }

    fn sort_key(&self, p: &Payload) -> Option<i64> {
        match self.sort? {
            SortKey::Begin => Some(p.begin_at),
            SortKey::Id => p.channel.id,
            SortKey::Duration => p.channel.duration,
            SortKey::Rating => p.channel.rating,
        }
    }
}

fn status_holds(word: StatusWord, p: &Payload) -> bool {
    let status = p.status();
    match word {
        StatusWord::Triggered => p.is_triggered(),
        StatusWord::Open => status == Status::Open,
        StatusWord::Offline => status == Status::Offline,
        StatusWord::Missed => status == Status::Missed,
        StatusWord::Dropped => status == Status::Dropped,
        StatusWord::Completed => status == Status::Completed,
        StatusWord::Incomplete => status == Status::Incomplete,
    }
}

/// Whether the sink wants more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// What a whole run read and kept, for the summary line.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// POST-hook payloads read (every copy).
    pub payloads: u64,
    /// Webhook events read, and the conversations assembled from them.
    pub events: EventCounts,
    pub conversations_assembled: u64,
    /// With `--rows events`: identical events read again and dropped.
    pub redelivered_events: u64,
    pub selected: u64,
    pub duplicates: u64,
    pub differing_duplicates: u64,
    keep: Keep,
    verbose: bool,
}

/// One payload as the worker saw it.
enum Entry<R> {
    /// A copy of a conversation (a POST-hook payload).
    Copy(Copy<R>),
    /// A copy of an event, with `--rows events`.
    EventCopy(Copy<R>),
    Bad(Finding),
    /// A webhook event's facts, for the assembler.
    Event(Box<Facts>, crate::finding::Origin),
    /// Documents skipped unparsed because they cannot match.
    Skipped(u64),
}

#[derive(Debug)]
struct StopReading;

impl std::fmt::Display for StopReading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stopped")
    }
}

impl std::error::Error for StopReading {}

thread_local! {
    /// How many entries the thread's last chunk gave: room made for the next chunk's at once
    /// (chunks are alike in size), not grown from empty by doubling with a copy each time.
    static ENTRIES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Reads `sources`, keeps the first copy of every conversation, and calls `work` (on any
/// thread) for each selected payload and `sink` (here, in input order — or in `--sort` order)
/// with its result. Bad inputs go to `diagnostics` and do not stop the run.
pub fn stream<R, W, S>(
    sources: &[Source],
    selection: &Selection,
    diagnostics: &mut Diagnostics,
    work: W,
    mut sink: S,
) -> Result<Summary>
where
    R: Send,
    W: Fn(&Document) -> R + Sync,
    S: FnMut(R) -> Result<Flow>,
{
    let mut summary = Summary::of(selection);
    let mut kept = Kept::new(selection);
    let mut assembler = Assembler::new();
    let result = input::for_each_chunk(
        sources,
        |chunk| {
            // At most 4096 (about 700 KiB): a chunk of tiny documents does not make every later
            // chunk (a live source's: one payload) reserve as much.
            let mut entries = Vec::with_capacity(ENTRIES.get().min(4096));
            if let Some(skipped) = selection.skippable(chunk) {
                entries.push(Entry::Skipped(skipped));
                return entries;
            }
            input::documents(chunk, &mut |item| {
                entries.push(match item {
                    Item::Payload(doc) => {
                        let matched = selection.matches(&doc.payload);
                        Entry::Copy(Copy {
                            id: doc.payload.channel.id,
                            fingerprint: doc.fingerprint() as u32,
                            sort_key: selection.sort_key(&doc.payload),
                            value: matched.then(|| selection.work(&doc, &work)),
                            origin: doc.origin,
                        })
                    }
                    Item::Event(doc) => {
                        let facts = Facts::new(&doc.event, crate::jsontext::fingerprint(doc.raw));
                        Entry::Event(Box::new(facts), doc.origin)
                    }
                    Item::Bad(finding) => Entry::Bad(finding),
                })
            });
            ENTRIES.set(entries.len());
            entries
        },
        |entries| {
            sink_entries(
                entries,
                &mut kept,
                &mut summary,
                diagnostics,
                &mut assembler,
                &mut sink,
            )
        },
    );
    match result {
        Err(err) if err.is::<StopReading>() => return Ok(summary),
        other => other?,
    };
    // Conversations assembled from webhook events are complete only at the end of input.
    summary.events = assembler.counts.clone();
    for assembled in assembler.finish() {
        summary.conversations_assembled += 1;
        let json = assembled.json;
        let payload = match serde_json::from_str::<Payload>(&json) {
            Ok(payload) => payload,
            Err(err) => {
                diagnostics.report(&Finding::error(
                    assembled.origin,
                    format!("cannot assemble the conversation from its events: {err}"),
                ));
                continue;
            }
        };
        let doc = Document {
            origin: assembled.origin,
            index: None,
            raw: &json,
            print: crate::input::split::Print::Unknown,
            payload: Box::new(payload),
        };
        let copy = Copy {
            id: None,
            fingerprint: 0,
            sort_key: selection.sort_key(&doc.payload),
            value: selection
                .matches(&doc.payload)
                .then(|| selection.work(&doc, &work)),
            origin: doc.origin,
        };
        if kept.offer(copy, &mut summary, diagnostics, &mut sink)? == Flow::Stop {
            return Ok(summary);
        }
    }
    for value in kept.finish() {
        if deliver(&mut summary, selection.limit, &mut sink, value)? == Flow::Stop {
            break;
        }
    }
    Ok(summary)
}

/// Reads `sources` for `--rows events`: every webhook event as stored, in input order, within
/// the time range (`--since`/`--until` on the event's own time) and `--id` (its conversation);
/// a re-delivered identical event is a copy like a re-sent payload, kept by `--keep`.
/// POST-hook payloads are read (and checked) but give no rows.
pub fn stream_events<R, W, S>(
    sources: &[Source],
    selection: &Selection,
    diagnostics: &mut Diagnostics,
    work: W,
    mut sink: S,
) -> Result<Summary>
where
    R: Send,
    W: Fn(&input::EventDoc) -> R + Sync,
    S: FnMut(R) -> Result<Flow>,
{
    let mut summary = Summary::of(selection);
    let mut kept = Kept::new(selection);
    let result = input::for_each_chunk(
        sources,
        |chunk| {
            let mut entries = Vec::new();
            input::documents(chunk, &mut |item| match item {
                Item::Event(doc) => {
                    let fingerprint = crate::jsontext::fingerprint(doc.raw);
                    entries.push(Entry::EventCopy(Copy {
                        id: Some(fingerprint as i64),
                        fingerprint: 0,
                        sort_key: None,
                        value: selection.matches_event(&doc.event).then(|| {
                            match &selection.redactor {
                                Some(redactor) => redactor.event(&doc, &work),
                                None => work(&doc),
                            }
                        }),
                        origin: doc.origin,
                    }));
                }
                Item::Payload(_) => entries.push(Entry::Skipped(1)),
                Item::Bad(finding) => entries.push(Entry::Bad(finding)),
            });
            entries
        },
        |entries| {
            // Events are rows here, not parts of conversations: nothing is assembled.
            let mut unused = Assembler::new();
            sink_entries(
                entries,
                &mut kept,
                &mut summary,
                diagnostics,
                &mut unused,
                &mut sink,
            )
        },
    );
    match result {
        Err(err) if err.is::<StopReading>() => return Ok(summary),
        other => other?,
    };
    for value in kept.finish() {
        if deliver(&mut summary, selection.limit, &mut sink, value)? == Flow::Stop {
            break;
        }
    }
    summary.redelivered_events = summary.duplicates;
    summary.duplicates = 0;
    Ok(summary)
}

/// The sink side of both reading loops (`stream`, `stream_events`): findings reported,
/// skipped documents counted, events' facts to the assembler, and copies through `--keep` and
/// `--limit` to `sink`. `Err(StopReading)` when the sink wants no more.
fn sink_entries<R>(
    entries: Vec<Entry<R>>,
    kept: &mut Kept<R>,
    summary: &mut Summary,
    diagnostics: &mut Diagnostics,
    assembler: &mut Assembler,
    sink: &mut impl FnMut(R) -> Result<Flow>,
) -> Result<()> {
    for entry in entries {
        let copy = match entry {
            Entry::Bad(finding) => {
                diagnostics.report(&finding);
                continue;
            }
            Entry::Skipped(documents) => {
                summary.payloads += documents;
                continue;
            }
            Entry::Event(facts, origin) => {
                assembler.add(*facts, &origin);
                continue;
            }
            Entry::Copy(copy) => {
                summary.payloads += 1;
                copy
            }
            Entry::EventCopy(copy) => {
                summary.events.events += 1;
                copy
            }
        };
        if kept.offer(copy, summary, diagnostics, sink)? == Flow::Stop {
            return Err(StopReading.into());
        }
    }
    Ok(())
}

/// Hands one selected value to the sink: `Stop` when the sink wants no more or `--limit` is
/// reached (the one home of `--limit`).
fn deliver<R>(
    summary: &mut Summary,
    limit: Option<u64>,
    sink: &mut impl FnMut(R) -> Result<Flow>,
    value: R,
) -> Result<Flow> {
    if limit.is_some_and(|limit| summary.selected >= limit) {
        return Ok(Flow::Stop);
    }
    summary.selected += 1;
    let flow = sink(value)?;
    let full = limit.is_some_and(|limit| summary.selected >= limit);
    Ok(if full { Flow::Stop } else { flow })
}

/// One copy of a conversation as the sink sees it.
struct Copy<R> {
    /// The POST hook's channel.id; `None` for an assembled conversation, which is one of a
    /// kind by construction (its events were grouped by id).
    id: Option<i64>,
    fingerprint: u32,
    sort_key: Option<i64>,
    origin: crate::finding::Origin,
    /// `Some` when this copy matched the selection.
    value: Option<R>,
}

/// Which copies go on, and in what order: the one home of `--keep` and `--sort`. With
/// `--keep first` and no sort, values stream through; `--keep last` and `--sort` hold the
/// selected values until the end of input.
struct Kept<'s, R> {
    selection: &'s Selection,
    /// Each conversation's fingerprint (to notice a differing copy) and, with `--keep last`,
    /// the slot its kept value is held in: 16 bytes a conversation (17 with the table's
    /// control byte, 19 to 39 as the table grows by doubling).
    seen: HashMap<i64, (u32, u32), rustc_hash::FxBuildHasher>,
    held: Vec<Option<(Option<i64>, R)>>,
}

impl<'s, R> Kept<'s, R> {
    fn new(selection: &'s Selection) -> Kept<'s, R> {
        Kept {
            selection,
            seen: HashMap::default(),
            held: Vec::new(),
        }
    }

    fn holds(&self) -> bool {
        self.selection.sort.is_some() || self.selection.keep == Keep::Last
    }

    /// Takes one copy; returns the value to sink now, if it goes on at once.
    fn add(
        &mut self,
        copy: Copy<R>,
        summary: &mut Summary,
        diagnostics: &mut Diagnostics,
    ) -> Option<R> {
        let keep = self.selection.keep;
        let slot = self.held.len();
        if let (Some(id), true) = (copy.id, keep != Keep::All) {
            // One probe of the table (a cache miss, most of this function's cost) for the
            // look-up and the insert.
            let seen = self.seen.entry(id);
            if let std::collections::hash_map::Entry::Occupied(seen) = &seen {
                let (kept_fp, kept_slot) = *seen.get();
                summary.duplicates += 1;
                if kept_fp != copy.fingerprint {
                    summary.differing_duplicates += 1;
                    if self.selection.verbose {
                        diagnostics.warn(&Finding::warning(
                            copy.origin,
                            None,
                            format!(
                                "conversation {id} was read before with different content; the {} copy is kept",
                                keep.as_str()
                            ),
                        ));
                    }
                }
                if keep == Keep::First {
                    return None;
                }
                // --keep last: this copy replaces the one held.
                self.held[kept_slot as usize] = None;
            }
            // More than 4 294 967 295 held values would not fit in memory anyway.
            seen.insert_entry((copy.fingerprint, slot as u32));
        }
        let value = copy.value;
        if !self.holds() {
            return value;
        }
        self.held.push(value.map(|v| (copy.sort_key, v)));
        None
    }

    /// Takes one copy and hands what goes on at once to `sink` (see [`deliver`]).
    fn offer(
        &mut self,
        copy: Copy<R>,
        summary: &mut Summary,
        diagnostics: &mut Diagnostics,
        sink: &mut impl FnMut(R) -> Result<Flow>,
    ) -> Result<Flow> {
        match self.add(copy, summary, diagnostics) {
            Some(value) => deliver(summary, self.selection.limit, sink, value),
            None => Ok(Flow::Continue),
        }
    }

    /// The held values, in input order of the kept copies, or in `--sort` order.
    fn finish(self) -> Vec<R> {
        let mut held: Vec<(Option<i64>, R)> = self.held.into_iter().flatten().collect();
        if self.selection.sort.is_some() {
            let reverse = self.selection.reverse;
            // Stable: equal keys keep input order. Missing values sort last either way.
            held.sort_by(|(a, _), (b, _)| match (a, b) {
                (Some(a), Some(b)) if reverse => b.cmp(a),
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        held.into_iter().map(|(_, v)| v).collect()
    }
}

impl Summary {
    /// An empty summary that reports copies as `selection` keeps them.
    fn of(selection: &Selection) -> Summary {
        Summary {
            keep: selection.keep,
            verbose: selection.verbose,
            ..Summary::default()
        }
    }

    /// What was read, for messages such as "no conversation 5 matches (read 27 payloads)".
    pub fn read(&self) -> String {
        let payloads = count(self.payloads, "payload", "payloads");
        match self.events.events {
            0 => payloads,
            n => format!(
                "{payloads} and {}",
                count(n, "webhook event", "webhook events")
            ),
        }
    }

    /// The dedupe line on stderr, when there were duplicates: one line, however many
    /// (`--verbose` lists the differing copies as they are met).
    pub fn report_duplicates(&self, quiet: bool) {
        if !quiet && self.redelivered_events > 0 {
            eprintln!(
                "sshook: {} dropped (identical events; the {} copy read is kept)",
                count(
                    self.redelivered_events,
                    "re-delivered event",
                    "re-delivered events"
                ),
                self.keep.as_str()
            );
        }
        if quiet || self.duplicates == 0 {
            return;
        }
        let differing = match self.differing_duplicates {
            0 => String::new(),
            n if self.verbose => format!("; {n} differed from the kept copy"),
            n => format!("; {n} differed from the kept copy (--verbose lists them)"),
        };
        eprintln!(
            "sshook: {} dropped (same channel.id; the {} copy read is kept){differing}",
            count(self.duplicates, "re-sent copy", "re-sent copies"),
            self.keep.as_str(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_ranges() {
        assert_eq!(
            parse_rating_range("4-5"),
            Ok(RatingRange { low: 4, high: 5 })
        );
        assert_eq!(parse_rating_range("3"), Ok(RatingRange { low: 3, high: 3 }));
        assert!(parse_rating_range("5-4").is_err());
        assert!(parse_rating_range("good").is_err());
    }
}
