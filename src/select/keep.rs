//! Which copies of a conversation go on, in what order and how many: the one home of
//! `--keep`, `--sort` and `--limit`.

use anyhow::Result;

use super::seen::Seen;
use super::{Flow, Selection, Summary};
use crate::diagnostics::Diagnostics;
use crate::model::finding::{Finding, Origin};

/// `--keep`: which copy of a re-sent conversation is kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Keep {
    #[default]
    First,
    Last,
    All,
}

impl Keep {
    pub fn as_str(self) -> &'static str {
        match self {
            Keep::First => "first",
            Keep::Last => "last",
            Keep::All => "all",
        }
    }
}

/// `--sort` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Begin,
    Id,
    Duration,
    Rating,
}

/// One copy of a conversation (or, for event rows, of an event) as it reaches the keeper.
pub(super) struct Sighting<R> {
    /// What copies of one conversation share: the POST hook's channel.id, or an event's
    /// fingerprint; `None` for an assembled conversation, which is one of a kind by
    /// construction (its events were grouped by id).
    pub id: Option<i64>,
    /// Tells a differing copy from an identical one.
    pub fingerprint: u32,
    pub sort_key: Option<i64>,
    pub origin: Origin,
    /// `Some` when this copy matched the selection.
    pub value: Option<R>,
}

/// Which copies go on, and in what order. With `--keep first` and no sort, values stream
/// through; `--keep last` and `--sort` hold the selected values until the end of input.
pub(super) struct Kept<'s, R> {
    selection: &'s Selection,
    /// Each conversation's fingerprint (to notice a differing copy) and, with `--keep last`,
    /// the slot its kept value is held in: at most 16 bytes a conversation (21 with held
    /// slots).
    seen: Seen,
    held: Vec<Option<(Option<i64>, R)>>,
}

impl<'s, R> Kept<'s, R> {
    pub fn new(selection: &'s Selection) -> Kept<'s, R> {
        Kept {
            selection,
            seen: Seen::new(selection.keep == Keep::Last),
            held: Vec::new(),
        }
    }

    fn holds(&self) -> bool {
        self.selection.sort.is_some() || self.selection.keep == Keep::Last
    }

    /// Takes one copy; returns the value to sink now, if it goes on at once.
    fn add(
        &mut self,
        copy: Sighting<R>,
        summary: &mut Summary,
        diagnostics: &mut Diagnostics,
    ) -> Option<R> {
        let keep = self.selection.keep;
        let slot = self.held.len();
        if let (Some(id), true) = (copy.id, keep != Keep::All) {
            // One probe of the index (a cache miss, most of this function's cost) for the
            // look-up and the insert; --keep last keeps the new copy's fingerprint and slot.
            // More than 4 294 967 295 held values would not fit in memory anyway.
            let replace = keep == Keep::Last;
            if let Some(kept) = self.seen.insert(id, copy.fingerprint, slot as u32, replace) {
                summary.dropped += 1;
                if kept.fingerprint != copy.fingerprint {
                    summary.differing += 1;
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
                self.held[kept.held as usize] = None;
            }
        }
        let value = copy.value;
        if !self.holds() {
            return value;
        }
        self.held.push(value.map(|v| (copy.sort_key, v)));
        None
    }

    /// Takes one copy and hands what goes on at once to `sink` (see [`deliver`]).
    pub fn offer(
        &mut self,
        copy: Sighting<R>,
        summary: &mut Summary,
        diagnostics: &mut Diagnostics,
        sink: &mut impl FnMut(R) -> Result<Flow>,
    ) -> Result<Flow> {
        match self.add(copy, summary, diagnostics) {
            Some(value) => deliver(summary, self.selection.limit, sink, value),
            None => Ok(Flow::Continue),
        }
    }

    /// Hands the held values to `sink` at the end of input, in input order of the kept
    /// copies or in `--sort` order, until it or `--limit` says enough.
    pub fn finish(
        self,
        summary: &mut Summary,
        sink: &mut impl FnMut(R) -> Result<Flow>,
    ) -> Result<()> {
        let limit = self.selection.limit;
        for value in self.sorted() {
            if deliver(summary, limit, sink, value)? == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn sorted(self) -> Vec<R> {
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
