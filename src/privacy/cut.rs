//! Which bytes leave a file with its removed documents, found in one forward pass over the
//! documents' surroundings, and the copy of a text without them: never the whole text in
//! memory, never a removal that moves the rest of a buffer.
//!
//! The bytes that go are those `erase` and `prune` have always cut
//! (`docs/privacy.md#safety-of-the-rewrite`), which were defined by
//! cutting the removed documents out one by one, from the last to the first, each from the text
//! the later cuts had left:
//!
//! - a top-level document goes with the blanks after it and its newline (alone when something
//!   else follows it on its line); the last document of a text that ends without a newline
//!   goes with the white space before it, and so do the removed documents before it that only
//!   white space separates from it;
//! - an array element goes with the comma after it and the white space up to the next
//!   element; in a run of removed elements that ends the array, each goes with the comma before
//!   it instead (the white space before each comma stays); an element with neither comma goes
//!   alone.
//!
//! The one-by-one definition is kept in the tests as the reference this is checked against.

use std::io::{self, Read, Write};

/// Where a document lies in its file's text (offsets from the start of the decompressed
/// text, after a byte order mark) and what surrounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    pub start: u64,
    pub end: u64,
    pub around: Around,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Around {
    /// A top-level document. `to`: where its cut ends (past its newline when only blanks
    /// follow it on its line, else its own end); `before`: where the white space before it
    /// begins.
    Line { to: u64, before: u64 },
    /// A top-level document followed by nothing but blanks: the end of the text.
    Last { before: u64 },
    /// An array element: the comma after it and where the white space after that comma ends;
    /// the comma before it.
    Element {
        after: Option<(u64, u64)>,
        before: Option<u64>,
    },
}

/// Blanks that may end a line before its newline.
fn blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// White space between top-level documents.
fn space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The surroundings of the document `text[start..end]`, with offsets in `text`. `ends_text`:
/// `text` ends where the file's text does (a piece of a text ends just after a newline). The
/// second value is true when the white space before a top-level document reaches the start
/// of `text`: its `before` is then 0 here, and really wherever the white space at the end of
/// the text before `text` began.
pub fn surroundings(
    text: &[u8],
    start: usize,
    end: usize,
    element: bool,
    ends_text: bool,
) -> (Spot, bool) {
    let at = |n: usize| n as u64;
    if element {
        let mut after = end;
        while after < text.len() && text[after].is_ascii_whitespace() {
            after += 1;
        }
        let comma_after = (text.get(after) == Some(&b',')).then(|| {
            let mut next = after + 1;
            while next < text.len() && text[next].is_ascii_whitespace() {
                next += 1;
            }
            (at(after), at(next))
        });
        let mut before = start;
        while before > 0 && text[before - 1].is_ascii_whitespace() {
            before -= 1;
        }
        let comma_before = (before > 0 && text[before - 1] == b',').then(|| at(before - 1));
        let around = Around::Element {
            after: comma_after,
            before: comma_before,
        };
        return (
            Spot {
                start: at(start),
                end: at(end),
                around,
            },
            false,
        );
    }
    let mut before = start;
    while before > 0 && space(text[before - 1]) {
        before -= 1;
    }
    let mut after = end;
    while after < text.len() && blank(text[after]) {
        after += 1;
    }
    let around = if text.get(after) == Some(&b'\n') {
        Around::Line {
            to: at(after + 1),
            before: at(before),
        }
    } else if after == text.len() && ends_text {
        Around::Last { before: at(before) }
    } else {
        Around::Line {
            to: at(end),
            before: at(before),
        }
    };
    let spot = Spot {
        start: at(start),
        end: at(end),
        around,
    };
    (spot, before == 0)
}

impl Spot {
    /// The same spot in a text that starts `base` bytes earlier.
    pub fn shifted(self, base: u64) -> Spot {
        let around = match self.around {
            Around::Line { to, before } => Around::Line {
                to: to + base,
                before: before + base,
            },
            Around::Last { before } => Around::Last {
                before: before + base,
            },
            Around::Element { after, before } => Around::Element {
                after: after.map(|(comma, next)| (comma + base, next + base)),
                before: before.map(|comma| comma + base),
            },
        };
        Spot {
            start: self.start + base,
            end: self.end + base,
            around,
        }
    }

    /// The same spot with the white space before it beginning at `before`.
    pub fn with_before(mut self, at: u64) -> Spot {
        match &mut self.around {
            Around::Line { before, .. } | Around::Last { before } => *before = at,
            Around::Element { .. } => {}
        }
        self
    }

    /// Where the white space before a top-level document begins.
    fn space_before(&self) -> u64 {
        match self.around {
            Around::Line { before, .. } | Around::Last { before } => before,
            Around::Element { .. } => self.start,
        }
    }
}

/// The documents of one file that may go, in text order: the removed payloads and every
/// webhook event (whether an event goes is known once all files are read). Packed, a few
/// bytes each, so that pruning millions of documents holds megabytes, not a vector of structs.
#[derive(Debug, Default)]
pub struct Log {
    bytes: Vec<u8>,
    last_start: u64,
}

const LINE: u8 = 0;
const LAST: u8 = 1;
const ELEMENT: u8 = 2;
const EVENT: u8 = 4;
const AFTER: u8 = 8;
const BEFORE: u8 = 16;

impl Log {
    /// Adds the next document (its start not before the last one's); `event`: a webhook
    /// event, removed or not as decided later.
    pub fn push(&mut self, spot: Spot, event: bool) {
        debug_assert!(spot.start >= self.last_start);
        let mut tag = if event { EVENT } else { 0 };
        let mut fields = [0u64; 5];
        let mut n = 2;
        fields[0] = spot.start.saturating_sub(self.last_start);
        fields[1] = spot.end.saturating_sub(spot.start);
        match spot.around {
            Around::Line { to, before } => {
                tag |= LINE;
                fields[2] = to.saturating_sub(spot.end);
                fields[3] = spot.start.saturating_sub(before);
                n = 4;
            }
            Around::Last { before } => {
                tag |= LAST;
                fields[2] = spot.start.saturating_sub(before);
                n = 3;
            }
            Around::Element { after, before } => {
                tag |= ELEMENT;
                if let Some((comma, next)) = after {
                    tag |= AFTER;
                    fields[n] = comma.saturating_sub(spot.end);
                    fields[n + 1] = next.saturating_sub(comma);
                    n += 2;
                }
                if let Some(comma) = before {
                    tag |= BEFORE;
                    fields[n] = spot.start.saturating_sub(comma);
                    n += 1;
                }
            }
        }
        self.bytes.push(tag);
        for value in &fields[..n] {
            put_varint(&mut self.bytes, *value);
        }
        self.last_start = spot.start;
    }

    /// The documents, in order, each with its ordinal among the events if it is one.
    pub fn iter(&self) -> Entries<'_> {
        Entries {
            bytes: &self.bytes,
            last_start: 0,
            events: 0,
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn take_varint(bytes: &mut &[u8]) -> u64 {
    let mut value = 0u64;
    let mut shift = 0;
    while let Some((&b, rest)) = bytes.split_first() {
        *bytes = rest;
        value |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    value
}

/// The entries of a [`Log`], decoded as they are read.
#[derive(Debug, Clone)]
pub struct Entries<'a> {
    bytes: &'a [u8],
    last_start: u64,
    events: usize,
}

impl Iterator for Entries<'_> {
    /// A document and, for an event, its ordinal among the file's events.
    type Item = (Spot, Option<usize>);

    fn next(&mut self) -> Option<(Spot, Option<usize>)> {
        let (&tag, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        let bytes = &mut self.bytes;
        let start = self.last_start + take_varint(bytes);
        let end = start + take_varint(bytes);
        let around = match tag & 3 {
            LINE => {
                let to = end + take_varint(bytes);
                let before = start.saturating_sub(take_varint(bytes));
                Around::Line { to, before }
            }
            LAST => Around::Last {
                before: start.saturating_sub(take_varint(bytes)),
            },
            _ => {
                let after = (tag & AFTER != 0).then(|| {
                    let comma = end + take_varint(bytes);
                    (comma, comma + take_varint(bytes))
                });
                let before = (tag & BEFORE != 0).then(|| start.saturating_sub(take_varint(bytes)));
                Around::Element { after, before }
            }
        };
        self.last_start = start;
        let event = (tag & EVENT != 0).then(|| {
            self.events += 1;
            self.events - 1
        });
        Some((Spot { start, end, around }, event))
    }
}

/// The removed documents of a log: its payloads, and the events `events` says go.
#[derive(Debug, Clone)]
struct Removed<'a> {
    entries: Entries<'a>,
    events: &'a [bool],
}

impl Iterator for Removed<'_> {
    type Item = Spot;

    fn next(&mut self) -> Option<Spot> {
        loop {
            let (spot, event) = self.entries.next()?;
            match event {
                Some(n) if !self.events.get(n).copied().unwrap_or(false) => continue,
                _ => return Some(spot),
            }
        }
    }
}

/// Whether removing `next` right after `spot` changes how `spot` is cut: `next` is the array
/// element after `spot` (their comma is one), or the top-level document after it with only
/// white space between.
fn linked(spot: &Spot, next: &Spot) -> bool {
    match (spot.around, next.around) {
        (Around::Element { after, .. }, Around::Element { before, .. }) => {
            after.is_some_and(|(comma, _)| Some(comma) == before)
        }
        (Around::Line { .. }, Around::Line { before, .. } | Around::Last { before }) => {
            spot.end == before
        }
        _ => false,
    }
}

/// How the documents of a run of linked removed documents are cut.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Top-level documents: each to its `to`.
    Line,
    /// Elements followed by an element that stays: each with the comma after it.
    After,
    /// Elements that end their array: each with the comma before it.
    Before,
}

impl Mode {
    fn cut(self, spot: &Spot) -> (u64, u64) {
        match (self, spot.around) {
            (Mode::Line, Around::Line { to, .. }) => (spot.start, to),
            (
                Mode::After,
                Around::Element {
                    after: Some((_, next)),
                    ..
                },
            ) => (spot.start, next),
            (
                Mode::Before,
                Around::Element {
                    before: Some(comma),
                    ..
                },
            ) => (comma, spot.end),
            _ => (spot.start, spot.end),
        }
    }
}

/// The byte ranges to cut from a file's text of `len` bytes, in order, disjoint and merged
/// when they touch: the removed payloads of `log`, and its events whose ordinal is true in
/// `events`.
pub fn cuts<'a>(log: &'a Log, events: &'a [bool], len: u64) -> Cuts<'a> {
    Cuts {
        removed: Removed {
            entries: log.iter(),
            events,
        },
        run: None,
        len,
        pending: None,
    }
}

/// The byte ranges to cut for `spots`, removed documents in text order (a piece's), in a
/// text of `len` bytes.
pub fn cuts_of(spots: &[Spot], len: u64) -> Vec<(u64, u64)> {
    let mut log = Log::default();
    for spot in spots {
        log.push(*spot, false);
    }
    cuts(&log, &[], len).collect()
}

/// The iterator of [`cuts`].
#[derive(Debug)]
pub struct Cuts<'a> {
    removed: Removed<'a>,
    /// The run being cut: its mode and how many of its documents are still to come.
    run: Option<(Mode, u64)>,
    len: u64,
    /// The last range found, not handed out yet in case the next one touches it.
    pending: Option<(u64, u64)>,
}

impl Cuts<'_> {
    /// The next document's range, unmerged.
    fn next_range(&mut self) -> Option<(u64, u64)> {
        if let Some((mode, left)) = &mut self.run {
            if *left > 0 {
                *left -= 1;
                let mode = *mode;
                return self.removed.next().map(|spot| mode.cut(&spot));
            }
        }
        self.run = None;
        let first = self.removed.next()?;
        // How a run is cut depends on how it ends: look ahead to its last document.
        let mut last = first;
        let mut more = 0u64;
        for next in self.removed.clone() {
            if !linked(&last, &next) {
                break;
            }
            last = next;
            more += 1;
        }
        let mode = match (first.around, last.around) {
            (_, Around::Last { .. }) => {
                // The run ends the text: all of it goes, with the white space before it.
                for _ in 0..more {
                    self.removed.next();
                }
                return Some((first.space_before(), self.len));
            }
            (Around::Element { .. }, Around::Element { after: Some(_), .. }) => Mode::After,
            (Around::Element { .. }, _) => Mode::Before,
            _ => Mode::Line,
        };
        self.run = Some((mode, more));
        Some(mode.cut(&first))
    }
}

impl Iterator for Cuts<'_> {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        loop {
            let Some((start, end)) = self.next_range() else {
                return self.pending.take();
            };
            match &mut self.pending {
                Some((_, pending_end)) if start <= *pending_end => {
                    *pending_end = (*pending_end).max(end);
                }
                pending => {
                    let out = pending.replace((start, end));
                    if out.is_some() {
                        return out;
                    }
                }
            }
        }
    }
}

/// Why a copy failed: reading the original, or writing the new text.
#[derive(Debug)]
pub enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Copies `text` to `out` without the byte ranges of `cuts` (in order, disjoint), through one
/// buffer of `block` bytes; returns how many bytes `text` held.
pub fn copy_without(
    text: &mut dyn Read,
    out: &mut dyn Write,
    cuts: impl Iterator<Item = (u64, u64)>,
    block: usize,
) -> Result<u64, CopyError> {
    let mut cuts = cuts.peekable();
    let mut buf = vec![0u8; block.max(1)];
    let mut pos = 0u64;
    loop {
        let n = match text.read(&mut buf) {
            Ok(0) => return Ok(pos),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(CopyError::Read(err)),
        };
        let block_end = pos + n as u64;
        let mut at = pos;
        while at < block_end {
            // Cuts that end where we are are done.
            while cuts.next_if(|&(_, end)| end <= at).is_some() {}
            let keep_to = match cuts.peek() {
                Some(&(start, _)) => start.clamp(at, block_end),
                None => block_end,
            };
            if keep_to > at {
                let slice = &buf[(at - pos) as usize..(keep_to - pos) as usize];
                out.write_all(slice).map_err(CopyError::Write)?;
                at = keep_to;
            }
            if let Some(&(start, end)) = cuts.peek() {
                if start <= at {
                    at = end.min(block_end).max(at);
                }
            }
        }
        pos = block_end;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::input::{self, Chunk};
    use crate::model::document::Item;

    /// The documents of `text` as the reader finds them: range, and whether an element.
    fn documents(text: &str) -> Vec<(usize, usize, bool)> {
        let chunk = Chunk {
            file: Arc::from("t"),
            text: text.as_bytes().to_vec(),
            first_line: 1,
            read_error: None,
            empty_source: false,
        };
        let base = chunk.text.as_ptr() as usize;
        let mut docs = Vec::new();
        input::documents(&chunk, &mut |item| {
            let (start, len, index) = match &item {
                Item::Payload(d) => (d.raw().as_ptr() as usize, d.raw().len(), d.index),
                Item::Event(d) => (d.raw.as_ptr() as usize, d.raw.len(), d.index),
                Item::Bad(_) => return,
            };
            let start = start - base;
            docs.push((start, start + len, index.is_some()));
        });
        docs
    }

    /// The reference: the removed documents cut out one by one from the last, each from what
    /// the later cuts left (the rewrite of sshook before issue 30).
    fn one_by_one(text: &[u8], docs: &[(usize, usize, bool)], removed: &[bool]) -> Vec<u8> {
        let mut out = text.to_vec();
        for ((start, end, element), _) in docs.iter().zip(removed).rev().filter(|(_, r)| **r) {
            let (start, end) = if *element {
                element_cut(&out, *start, *end)
            } else {
                line_cut(&out, *start, *end)
            };
            out.drain(start..end);
        }
        out
    }

    fn line_cut(text: &[u8], start: usize, end: usize) -> (usize, usize) {
        let mut after = end;
        while after < text.len() && matches!(text[after], b' ' | b'\t' | b'\r') {
            after += 1;
        }
        if after < text.len() && text[after] == b'\n' {
            return (start, after + 1);
        }
        if after == text.len() {
            let mut before = start;
            while before > 0 && matches!(text[before - 1], b' ' | b'\t' | b'\r' | b'\n') {
                before -= 1;
            }
            return (before, after);
        }
        (start, end)
    }

    fn element_cut(text: &[u8], start: usize, end: usize) -> (usize, usize) {
        let mut after = end;
        while after < text.len() && text[after].is_ascii_whitespace() {
            after += 1;
        }
        if text.get(after) == Some(&b',') {
            after += 1;
            while after < text.len() && text[after].is_ascii_whitespace() {
                after += 1;
            }
            return (start, after);
        }
        let mut before = start;
        while before > 0 && text[before - 1].is_ascii_whitespace() {
            before -= 1;
        }
        if before > 0 && text[before - 1] == b',' {
            return (before - 1, end);
        }
        (start, end)
    }

    /// The text without the removed documents, the streaming way: spots in a log (every
    /// other document an "event", to exercise the decisions), cuts, a copy in small blocks.
    fn streamed(
        text: &[u8],
        docs: &[(usize, usize, bool)],
        removed: &[bool],
        block: usize,
    ) -> Vec<u8> {
        let mut log = Log::default();
        let mut events = Vec::new();
        for (i, ((start, end, element), removed)) in docs.iter().zip(removed).enumerate() {
            let (spot, _) = surroundings(text, *start, *end, *element, true);
            let event = i % 2 == 1;
            if event {
                events.push(*removed);
                log.push(spot, true);
            } else if *removed {
                log.push(spot, false);
            }
        }
        let mut out = Vec::new();
        let len = text.len() as u64;
        let copied = copy_without(&mut &text[..], &mut out, cuts(&log, &events, len), block);
        assert_eq!(copied.ok(), Some(len));
        out
    }

    fn check(text: &str) {
        let docs = documents(text);
        assert!(docs.len() <= 12, "{text}");
        for mask in 0u32..(1 << docs.len()) {
            let removed: Vec<bool> = (0..docs.len()).map(|i| mask & (1 << i) != 0).collect();
            let want = one_by_one(text.as_bytes(), &docs, &removed);
            for block in [1, 7, 4096] {
                let got = streamed(text.as_bytes(), &docs, &removed, block);
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want),
                    "text {text:?}, removed {removed:?}, block {block}"
                );
            }
        }
    }

    const A: &str = r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[]}"#;
    const B: &str = r#"{"beginAt":2,"endAt":3,"channel":{"id":2},"messages":[]}"#;
    const C: &str = r#"{"beginAt":3,"endAt":4,"channel":{"id":3},"messages":[]}"#;
    const D: &str = r#"{"beginAt":4,"endAt":5,"channel":{"id":4},"messages":[]}"#;

    #[test]
    fn arrays_cut_as_one_by_one_in_every_layout() {
        for text in [
            format!("[{A},{B},{C},{D}]"),
            format!("[ {A} , {B} , {C} , {D} ]\n"),
            format!("[\n  {A},\n  {B},\n  {C},\n  {D}\n]\n"),
            format!("[\n{A}\n,{B}\n,{C}\n,{D}\n]"),
            format!("[\r\n\t{A},\r\n\t{B},\r\n\t{C}\r\n]\r\n"),
            format!("[{A}, {B}]\n[{C}, {D}]\n"),
            format!("[{A}]\n[{B}]"),
            format!("[{A}, 42, {B}, {C}, null, {D}]\n"),
            format!("[{A}, {B}, \"x\"]"),
            format!("[{A}, {B}]\n{C}\n{D}"),
            format!("{A}\n[{B}, {C}]\n{D}\n"),
            format!("[{A} \x0c, \x0c{B}]"),
            // Broken: the elements before the error are documents, and reading resumes at the
            // next line that starts a document.
            format!("[{A}, {B} x]\n{C}\n[{D},"),
        ] {
            check(&text);
        }
    }

    #[test]
    fn lines_cut_as_one_by_one_in_every_layout() {
        for text in [
            format!("{A}\n{B}\n{C}\n{D}\n"),
            format!("{A}\n{B}\n{C}\n{D}"),
            format!("{A}\r\n{B}\r\n{C}\r\n{D}"),
            format!("{A}\n\n{B}\n\n  \n{C}  \t "),
            format!("  {A} \n  {B}\t\n{C} \n"),
            format!("{A} {B}\n{C}{D}"),
            format!("{A}{B}{C}{D}"),
            format!("{A}\n{{\"beginAt\": broken\n{B}\nnot json\n{C}\n"),
            format!("{A}\n{B}\n{{\"beginAt\":1,"),
            format!("{A}\n{B}\n]]"),
            format!("{A} x\n{B}"),
            format!("{A}\x0c\n{B}\x0c{C}"),
            format!("\n\n{A}\n\n"),
            A.to_string(),
        ] {
            check(&text);
        }
    }

    #[test]
    fn the_log_gives_back_what_it_was_given() {
        let spots = [
            Spot {
                start: 0,
                end: 10,
                around: Around::Line { to: 11, before: 0 },
            },
            Spot {
                start: 300,
                end: 1 << 40,
                around: Around::Element {
                    after: Some(((1 << 40) + 2, (1 << 40) + 200)),
                    before: None,
                },
            },
            Spot {
                start: 1 << 41,
                end: (1 << 41) + 5,
                around: Around::Element {
                    after: None,
                    before: Some((1 << 41) - 3),
                },
            },
            Spot {
                start: 1 << 42,
                end: (1 << 42) + 5,
                around: Around::Last { before: 1 << 41 },
            },
        ];
        let mut log = Log::default();
        for (i, spot) in spots.iter().enumerate() {
            log.push(*spot, i % 2 == 0);
        }
        let back: Vec<(Spot, Option<usize>)> = log.iter().collect();
        let want: Vec<(Spot, Option<usize>)> = spots
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, (i % 2 == 0).then_some(i / 2)))
            .collect();
        assert_eq!(back, want);
    }

    #[test]
    fn copies_around_cuts_across_blocks() {
        let text = b"0123456789abcdefghij";
        for block in [1, 3, 8, 64] {
            let mut out = Vec::new();
            let cuts = [(0, 2), (5, 12), (12, 13), (19, 20)];
            let n = copy_without(&mut &text[..], &mut out, cuts.into_iter(), block).ok();
            assert_eq!(n, Some(20));
            assert_eq!(out, b"234defghi");
        }
    }
}
