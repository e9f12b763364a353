//! The fast path for reading a POST-hook payload: a parser written for the one shape
//! [`Payload`] has, used before serde_json and giving up (`None`) on anything it is not sure
//! of, so that serde_json then reads the document and words any error exactly as before.
//!
//! Why: serde_json's typed parse was 59 % of an export's instructions. This parser scans
//! strings sixteen bytes at a time, expects each object's keys in the order Smartsupp writes
//! them (checking the next one with one sixteen-byte comparison, any order still read) and
//! makes the same values: a string borrowed from the input when it has no escapes, owned when it
//! has, integers, booleans, nulls, and the custom variables as raw text. A text is read first as
//! compact (no white space between tokens, no check for it after each token); at the first
//! white space it is read again allowing it.
//!
//! What it gives up on (and serde_json then reads): any value whose type is not the common
//! one (a float or a boolean where an integer or a string is expected, an array where an
//! object is), a number it cannot be sure to read as serde_json does (`-0`, more than 18
//! digits, a fraction or an exponent in a known field), a key written with escapes, an
//! escape serde_json refuses or reads specially (lone surrogates), a repeated known key, a
//! missing required one, nesting deeper than [`DEPTH`](crate::jsontext::scan::DEPTH), and every syntax error. Unknown keys are skipped after checking their
//! values are JSON by serde_json's grammar, as serde_json does.
//!
//! One rule holds it to serde_json: in a debug build (every test run), each payload it reads
//! is read by serde_json too and the two must be equal, to the byte offset where they end.

use std::borrow::Cow;

#[cfg(test)]
use crate::jsontext::scan::DEPTH;
use crate::jsontext::scan::{Key, Parser};
use crate::model::document::Fingerprint;
#[cfg(any(debug_assertions, test))]
use crate::model::payload::Text;
use crate::model::payload::{
    Assembled, Channel, Message, Page, Payload, RawJson, RawText, Scalar, Visitor,
};
use crate::model::webhook::Event;

/// What the fast path read: the payload, the length of its text, what is known of its
/// fingerprint, and whether the payload holds every value of the text that `--redact` reads
/// (no member that redaction looks at was skipped: see `model::document::looked_at`).
pub type Read<'a> = (Box<Payload<'a>>, usize, Fingerprint, bool);

/// Reads the payload object at the start of `text`, or `None` when serde_json must read it.
pub fn payload(text: &str) -> Option<Read<'_>> {
    // Read first as a compact text, with no white space between tokens (NDJSON as it is
    // usually written): the first white space fails that reading at once, and the text is
    // read again allowing it. Looking for white space after every token was 6 % of an export.
    read::<false>(text).or_else(|| read::<true>(text))
}

/// [`payload`], allowing white space between tokens (`PRETTY`) or not.
fn read<const PRETTY: bool>(text: &str) -> Option<Read<'_>> {
    let mut parser = Parser::<PRETTY>::new(text).noting(crate::model::document::looked_at);
    // Boxed at once: the payload is large (over 600 bytes) and moved several times on its way.
    let payload = Box::new(parser.payload()?);
    let end = parser.i;
    let covered = !parser.unread;
    // Hashed only if asked for (validate does not) when the text is compact.
    let print = parser
        .made_fingerprint()
        .map_or(Fingerprint::Compact, Fingerprint::Made);
    #[cfg(debug_assertions)]
    same_as_serde(text, &payload, end, print.of(&text[..end]));
    Some((payload, end, print, covered))
}

/// Reads the webhook event object at the start of `text` by the webhook model's fast readers
/// (`model::webhook::tolerant::Fast`, on the same scanner); returns it, the length of its
/// text and what it knows of its fingerprint, or `None` when serde_json must read it (any
/// shape the tolerance rule reads as odd, among the rest).
pub fn event(text: &str) -> Option<(Box<Event<'_>>, usize, Fingerprint)> {
    read_event::<false>(text).or_else(|| read_event::<true>(text))
}

fn read_event<const PRETTY: bool>(text: &str) -> Option<(Box<Event<'_>>, usize, Fingerprint)> {
    let mut parser = Parser::<PRETTY>::new(text);
    let event = Box::new(Event::fast(&mut parser)?);
    let end = parser.i;
    let print = parser
        .made_fingerprint()
        .map_or(Fingerprint::Compact, Fingerprint::Made);
    #[cfg(debug_assertions)]
    event_same_as_serde(text, &event, end, print.of(&text[..end]));
    Some((event, end, print))
}

/// [`same_as_serde`] for an event: serde_json reads the same event (with no odd field) from
/// the same text and ends at the same place, and the fingerprint is the text's.
#[cfg(any(debug_assertions, test))]
pub(super) fn event_same_as_serde(text: &str, fast: &Event, len: usize, fingerprint: u64) {
    serde_reads_the_same(text, fast, len, fingerprint, "an event");
}

/// The check every debug build makes on every payload the fast path reads, and the tests make
/// in every profile (see `fast_reference.rs`): serde_json reads the same payload from the same
/// text, ends at the same place, borrows the same strings, and the fingerprint is the one made
/// from the text alone.
#[cfg(any(debug_assertions, test))]
pub(super) fn same_as_serde(text: &str, fast: &Payload, len: usize, fingerprint: u64) {
    let slow = serde_reads_the_same(text, fast, len, fingerprint, "a payload");
    assert_eq!(
        borrowed(fast),
        borrowed(&slow),
        "borrowed strings differ:\n{text}"
    );
}

/// What both checks share: serde_json reads `T` from `text`, ends where the fast path ended
/// (`len`), reads the same (by `Debug`), and `fingerprint` is the text's own. Its reading.
#[cfg(any(debug_assertions, test))]
fn serde_reads_the_same<'a, T>(
    text: &'a str,
    fast: &T,
    len: usize,
    fingerprint: u64,
    what: &str,
) -> T
where
    T: serde::Deserialize<'a> + std::fmt::Debug,
{
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<T>();
    let slow = match stream.next() {
        Some(Ok(slow)) => slow,
        other => panic!("the fast path read {what} serde_json does not: {other:?}\n{text}"),
    };
    assert_eq!(
        stream.byte_offset(),
        len,
        "fast path ended elsewhere:\n{text}"
    );
    assert_eq!(
        format!("{fast:?}"),
        format!("{slow:?}"),
        "fast path read otherwise:\n{text}"
    );
    assert_eq!(
        fingerprint,
        crate::jsontext::fingerprint(&text[..len]),
        "fingerprint differs:\n{text}"
    );
    slow
}

/// Which strings of a payload borrow from the input (in a fixed order).
#[cfg(any(debug_assertions, test))]
fn borrowed(p: &Payload) -> Vec<bool> {
    let is = |t: &Option<Text>| matches!(t, Some(Cow::Borrowed(_)));
    // A number's text is borrowed by the fast path and made by serde_json (`Debug` compares
    // the texts): only strings must agree.
    let scalar = |s: &Option<Scalar>| {
        matches!(
            s,
            Some(Scalar {
                text: Cow::Borrowed(_),
                number: false,
            })
        )
    };
    let mut out = vec![is(&p.channel.rating_desc)];
    if let Some(a) = &p.assembled {
        out.push(matches!(a.conversation_id, Cow::Borrowed(_)));
    }
    if let Some(v) = &p.visitor {
        out.extend([scalar(&v.id), scalar(&v.group), scalar(&v.group_key)]);
        out.extend(
            [
                &v.name,
                &v.email,
                &v.note,
                &v.ip_address,
                &v.city,
                &v.country_code,
                &v.country,
                &v.user_agent,
                &v.platform,
                &v.referer,
            ]
            .map(is),
        );
    }
    for page in &p.paths {
        out.extend([is(&page.url), is(&page.title)]);
    }
    for m in &p.messages {
        out.push(matches!(m.kind, Cow::Borrowed(_)));
        out.extend([
            is(&m.name),
            scalar(&m.from),
            is(&m.content),
            is(&m.triggered_by),
        ]);
    }
    out
}

// The keys of each object, in the order Smartsupp writes them (the official example's): the
// key after the one just read is checked first, and only a miss scans the key and looks it
// up. The index of a key is its bit in `seen` and its arm in the object's `match`.
const PAYLOAD: [Key; 8] = [
    Key::new("accountId"),
    Key::new("beginAt"),
    Key::new("endAt"),
    Key::new("channel"),
    Key::new("visitor"),
    Key::new("paths"),
    Key::new("messages"),
    Key::new("sshook"),
];
const CHANNEL: [Key; 14] = [
    Key::new("id"),
    Key::new("isChat"),
    Key::new("isMissed"),
    Key::new("isTriggered"),
    Key::new("isOffline"),
    Key::new("isCompleted"),
    Key::new("isDropped"),
    Key::new("duration"),
    Key::new("avgResponse"),
    Key::new("firstResponse"),
    Key::new("messagesCount"),
    Key::new("wordsCount"),
    Key::new("rating"),
    Key::new("ratingDesc"),
];
const VISITOR: [Key; 14] = [
    Key::new("id"),
    Key::new("name"),
    Key::new("email"),
    Key::new("note"),
    Key::new("group"),
    Key::new("groupKey"),
    Key::new("ipAddress"),
    Key::new("city"),
    Key::new("countryCode"),
    Key::new("country"),
    Key::new("userAgent"),
    Key::new("platform"),
    Key::new("referer"),
    Key::new("variables"),
];
/// The block sshook writes into a conversation it assembled from webhook events.
const ASSEMBLED: [Key; 3] = [
    Key::new("conversationId"),
    Key::new("open"),
    Key::new("events"),
];
const PAGE: [Key; 2] = [Key::new("url"), Key::new("title")];
const MESSAGE: [Key; 8] = [
    Key::new("type"),
    Key::new("name"),
    Key::new("from"),
    Key::new("content"),
    Key::new("sentAt"),
    Key::new("triggeredBy"),
    Key::new("attachments"),
    Key::new("data"),
];

impl<'a, const PRETTY: bool> Parser<'a, PRETTY> {
    /// A string or an integer, kept as text (see [`Scalar`]); floats go to serde_json.
    fn opt_scalar(&mut self) -> Option<Option<Scalar<'a>>> {
        match self.peek()? {
            b'"' => self.string().map(|text| {
                Some(Scalar {
                    text,
                    number: false,
                })
            }),
            b'n' => self.literal(b"null").map(|_| None),
            _ => {
                // The digits as written: the same text as the integer's own (`integer` reads
                // no sign on zero, no leading zero, no fraction or exponent), without a copy.
                let start = self.i;
                self.integer()?;
                Some(Some(Scalar {
                    text: Cow::Borrowed(self.s.get(start..self.i)?),
                    number: true,
                }))
            }
        }
    }

    fn payload(&mut self) -> Option<Payload<'a>> {
        let (mut account_id, mut begin_at, mut end_at, mut channel) = (None, None, None, None);
        let (mut visitor, mut paths, mut messages) = (None, Vec::new(), None);
        let mut assembled = None;
        self.fields(&PAYLOAD, |p, key| {
            match key {
                0 => {
                    // accountId
                    account_id = p.int(true)?;
                }
                1 => {
                    // beginAt
                    begin_at = p.int(false)?;
                }
                2 => {
                    // endAt
                    end_at = Some(p.int(true)?);
                }
                3 => {
                    // channel
                    channel = Some(p.channel()?);
                }
                4 => {
                    // visitor
                    visitor = match p.peek()? {
                        b'n' => p.literal(b"null").map(|_| None)?,
                        _ => Some(p.visitor()?),
                    };
                }
                5 => {
                    // paths
                    if p.peek()? == b'n' {
                        p.literal(b"null")?;
                    } else {
                        p.array(|p| {
                            paths.push(p.page()?);
                            Some(())
                        })?;
                    }
                }
                6 => {
                    let mut list = Vec::with_capacity(16);
                    p.array(|p| {
                        list.push(p.message()?);
                        Some(())
                    })?;
                    messages = Some(list);
                }
                7 => {
                    // sshook
                    assembled = match p.peek()? {
                        b'n' => p.literal(b"null").map(|_| None)?,
                        _ => Some(p.assembled()?),
                    };
                }
                _ => p.skip(1)?,
            }
            Some(())
        })?;
        Some(Payload {
            account_id,
            begin_at: begin_at?,
            end_at: end_at?,
            channel: channel?,
            visitor,
            paths,
            messages: messages?,
            assembled,
        })
    }

    /// The `sshook` block of an assembled conversation.
    fn assembled(&mut self) -> Option<Assembled<'a>> {
        let (mut conversation_id, mut open, mut events) = (None, false, 0);
        self.fields(&ASSEMBLED, |p, key| {
            match key {
                0 if p.peek()? == b'"' => conversation_id = Some(p.string()?),
                1 => {
                    open = match p.peek()? {
                        b't' => p.literal(b"true").map(|_| true)?,
                        b'f' => p.literal(b"false").map(|_| false)?,
                        _ => return None,
                    }
                }
                2 => events = u64::try_from(p.integer()?).ok()?,
                3 => p.skip(1)?,
                _ => return None,
            }
            Some(())
        })?;
        Some(Assembled {
            conversation_id: conversation_id?,
            open,
            events,
        })
    }

    fn channel(&mut self) -> Option<Channel<'a>> {
        let mut c = Channel {
            id: None,
            is_chat: None,
            is_missed: None,
            is_triggered: None,
            is_offline: None,
            is_completed: None,
            is_dropped: None,
            duration: None,
            avg_response: None,
            first_response: None,
            messages_count: None,
            words_count: None,
            rating: None,
            rating_desc: None,
        };
        let seen = self.fields(&CHANNEL, |p, key| {
            match key {
                0 => {
                    // id
                    c.id = p.int(true)?;
                }
                1 => {
                    // isChat
                    c.is_chat = p.opt_bool()?;
                }
                2 => {
                    // isMissed
                    c.is_missed = p.opt_bool()?;
                }
                3 => {
                    // isTriggered
                    c.is_triggered = p.opt_bool()?;
                }
                4 => {
                    // isOffline
                    c.is_offline = p.opt_bool()?;
                }
                5 => {
                    // isCompleted
                    c.is_completed = p.opt_bool()?;
                }
                6 => {
                    // isDropped
                    c.is_dropped = p.opt_bool()?;
                }
                7 => {
                    // duration
                    c.duration = p.int(true)?;
                }
                8 => {
                    // avgResponse
                    c.avg_response = p.int(true)?;
                }
                9 => {
                    // firstResponse
                    c.first_response = p.int(true)?;
                }
                10 => {
                    // messagesCount
                    c.messages_count = p.int(true)?;
                }
                11 => {
                    // wordsCount
                    c.words_count = p.int(true)?;
                }
                12 => {
                    // rating
                    c.rating = p.int(true)?;
                }
                13 => {
                    // ratingDesc
                    c.rating_desc = p.opt_text()?;
                }
                _ => p.skip(2)?,
            }
            Some(())
        })?;
        // `id` is required (its null is refused later, with the payload's other nulls).
        (seen & 1 != 0).then_some(c)
    }

    fn visitor(&mut self) -> Option<Visitor<'a>> {
        let mut v = Visitor::default();
        self.fields(&VISITOR, |p, key| {
            match key {
                0 => {
                    // id
                    v.id = p.opt_scalar()?;
                }
                1 => {
                    // name
                    v.name = p.opt_text()?;
                }
                2 => {
                    // email
                    v.email = p.opt_text()?;
                }
                3 => {
                    // note
                    v.note = p.opt_text()?;
                }
                4 => {
                    // group
                    v.group = p.opt_scalar()?;
                }
                5 => {
                    // groupKey
                    v.group_key = p.opt_scalar()?;
                }
                6 => {
                    // ipAddress
                    v.ip_address = p.opt_text()?;
                }
                7 => {
                    // city
                    v.city = p.opt_text()?;
                }
                8 => {
                    // countryCode
                    v.country_code = p.opt_text()?;
                }
                9 => {
                    // country
                    v.country = p.opt_text()?;
                }
                10 => {
                    // userAgent
                    v.user_agent = p.opt_text()?;
                }
                11 => {
                    // platform
                    v.platform = p.opt_text()?;
                }
                12 => {
                    // referer
                    v.referer = p.opt_text()?;
                }
                13 => {
                    // variables
                    v.variables = p.raw(2)?;
                }
                _ => p.skip(2)?,
            }
            Some(())
        })?;
        Some(v)
    }

    /// A value kept as raw JSON text, `null` read as none (as serde's `Option` reads it);
    /// `depth`: the nesting it is at.
    fn raw(&mut self, depth: usize) -> Option<Option<RawJson<'a>>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        let (start, blanks) = (self.i, self.blanks);
        self.skip(depth)?;
        let text = self.s.get(start..self.i)?;
        Some(Some(RawJson::checked(text, self.blanks == blanks)))
    }

    fn page(&mut self) -> Option<Page<'a>> {
        let mut page = Page {
            url: None,
            title: None,
        };
        self.fields(&PAGE, |p, key| {
            match key {
                0 => {
                    // url
                    page.url = p.opt_text()?;
                }
                1 => {
                    // title
                    page.title = p.opt_text()?;
                }
                _ => p.skip(3)?,
            }
            Some(())
        })?;
        Some(page)
    }

    fn message(&mut self) -> Option<Message<'a>> {
        let (mut kind, mut sent_at) = (None, None);
        let (mut name, mut from, mut content, mut triggered_by) = (None, None, None, None);
        let (mut attachments, mut data) = (None, None);
        self.fields(&MESSAGE, |p, key| {
            match key {
                0 => {
                    // type
                    if p.peek()? != b'"' {
                        return None;
                    }
                    kind = Some(p.string()?);
                }
                1 => {
                    // name
                    name = p.opt_text()?;
                }
                2 => {
                    // from
                    from = p.opt_scalar()?;
                }
                3 => {
                    // content
                    content = p.opt_text()?;
                }
                4 => {
                    // sentAt
                    sent_at = Some(p.integer()?);
                }
                5 => {
                    // triggeredBy
                    triggered_by = p.opt_text()?;
                }
                6 => {
                    // attachments
                    attachments = p.raw(3)?.map(|raw| RawText::checked(raw.get()));
                }
                7 => {
                    // data
                    data = p.raw(3)?.map(|raw| RawText::checked(raw.get()));
                }
                _ => p.skip(3)?,
            }
            Some(())
        })?;
        Some(Message {
            kind: kind?,
            name,
            from,
            content,
            sent_at: sent_at?,
            triggered_by,
            attachments,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsontext::scan::eight_digits;

    fn serde(text: &str) -> Option<(String, usize)> {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Payload>();
        let p = stream.next()?.ok()?;
        Some((format!("{p:?}"), stream.byte_offset()))
    }

    fn fast(text: &str) -> Option<(String, usize)> {
        payload(text).map(|(p, n, _, _)| (format!("{p:?}"), n))
    }

    const OFFICIAL: &str = include_str!("../../sample-data/official-example.json");

    #[test]
    fn eight_digits_read_as_str_parse_does() {
        let word = |text: &[u8; 8]| u64::from_le_bytes(*text);
        assert_eq!(eight_digits(word(b"17356896")), Some(17_356_896));
        assert_eq!(eight_digits(word(b"00000000")), Some(0));
        assert_eq!(eight_digits(word(b"99999999")), Some(99_999_999));
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let text: [u8; 8] =
                std::array::from_fn(|k| b'0' + (state >> (k * 5) & 0x1F) as u8 % 10);
            let expected: u64 = std::str::from_utf8(&text).unwrap().parse().unwrap();
            assert_eq!(eight_digits(word(&text)), Some(expected));
            // Any byte that is not a digit, at any place: not eight digits.
            for at in 0..8 {
                for b in [
                    b'/',
                    b':',
                    b'.',
                    b'-',
                    b'e',
                    b' ',
                    0x30 + 0x80,
                    0x40,
                    0x20,
                    b'"',
                ] {
                    let mut other = text;
                    other[at] = b;
                    assert_eq!(eight_digits(word(&other)), None, "{other:?}");
                }
            }
        }
    }

    #[test]
    fn integers_of_every_length_read_as_serde_does() {
        for len in 1..=20 {
            for first in [b'1', b'9', b'0'] {
                let digits: String = (0..len)
                    .map(|k| {
                        if k == 0 {
                            first as char
                        } else {
                            (b'0' + (k * 7 % 10) as u8) as char
                        }
                    })
                    .collect();
                for text in [
                    digits.clone(),
                    format!("-{digits}"),
                    format!("{digits}.5"),
                    format!("{digits}e2"),
                ] {
                    let json = format!("{text},");
                    let mut parser = Parser::<true>::new(&json);
                    let fast = parser.integer();
                    let serde = serde_json::from_str::<i64>(&text).ok();
                    let readable = len <= 18
                        && !(len > 1 && first == b'0')
                        && text != "-0"
                        && !text.contains(['.', 'e']);
                    assert_eq!(fast, if readable { serde } else { None }, "{text}");
                    if let Some(n) = fast {
                        assert_eq!(n.to_string(), text);
                    }
                }
            }
        }
    }

    #[test]
    fn the_common_payloads_take_the_fast_path_and_read_as_serde_json_does() {
        let texts = [
            OFFICIAL.to_string(),
            // escapes of every kind, surrogate pair, unknown keys of every type, nulls
            r#"{ "beginAt" : 1 , "endAt":2,"x":[1,-2.5e+3,{"a":[true,false,null]},"s\"\\"],
               "channel":{"id":-7,"rating":null,"ratingDesc":"a\u00e9\ud83d\ude00\n\/\b\f\r\t","isChat":false},
               "visitor":{"id":12,"group":"g","variables":{"k":{"label":"L","value":[1,{"x":null}]}}, "zz":0},
               "paths":null,
               "messages":[{"type":"visitor","from":42,"content":"hi","sentAt":0,"email":null},
                           {"type":"agent","from":"agent:1","content":"","sentAt":-5,"triggeredBy":null}]}"#
                .to_string(),
            r#"{"beginAt":1,"endAt":null,"channel":{"id":null},"visitor":null,"paths":[{"url":"u"},{}],"messages":[]}"#
                .to_string(),
            // A key missing where a longer one that starts like it follows.
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1,"wordsCount":3,"ratingDesc":"x"},"visitor":{"note":"n","groupKey":"g"},"messages":[]}"#
                .to_string(),
            // Files and a system line's data, as assembled conversations carry them.
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[
                {"type":"visitor","content":null,"sentAt":1,"id":"m1","attachments":[{"type":"image","url":"https://x/a.png","size":5}]},
                {"type":"system","content":"rating","sentAt":2,"data":{"value":5,"text":"ok"},"attachments":null},
                {"type":"note","from":"agent:3","content":"n","sentAt":2,"data":null}]}"#
                .to_string(),
        ];
        for text in &texts {
            let fast = fast(text);
            assert!(fast.is_some(), "fast path gave up on:\n{text}");
            assert_eq!(fast, serde(text));
        }
    }

    #[test]
    fn white_space_anywhere_between_tokens_is_read_the_second_time() {
        let compact = crate::jsontext::compact_json(OFFICIAL).into_owned();
        assert!(
            read::<false>(&compact).is_some(),
            "a compact text is read at once"
        );
        // Every place next to a bracket, a comma or a colon outside strings.
        let mut places: Vec<usize> = crate::jsontext::outside_strings(compact.as_bytes())
            .filter(|(_, b)| matches!(b, b'{' | b'}' | b'[' | b']' | b',' | b':'))
            .flat_map(|(at, _)| [at, at + 1])
            .collect();
        places.dedup();
        places.retain(|&at| at > 0 && at < compact.len());
        assert!(places.len() > 100);
        for at in places {
            for blank in [" ", "\n", "\r\n\t "] {
                let text = format!("{}{blank}{}", &compact[..at], &compact[at..]);
                assert!(read::<false>(&text).is_none(), "{at}: {text}");
                let read = fast(&text);
                assert_eq!(read.as_ref().map(|r| r.1), Some(text.len()), "{at}: {text}");
                assert_eq!(read, serde(&text), "{at}: {text}");
            }
        }
    }

    #[test]
    fn custom_variables_say_whether_they_are_compact() {
        fn variables(text: &str) -> RawJson<'_> {
            let (p, _, _, _) = payload(text).unwrap();
            p.visitor.unwrap().variables.unwrap()
        }
        let compact = variables(
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"variables":{"a":{"label":"A b","value":[1,"x y"]}}},"messages":[]}"#,
        );
        assert_eq!(
            compact.known_compact(),
            Some(r#"{"a":{"label":"A b","value":[1,"x y"]}}"#)
        );
        for spaced in [
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"variables":{"a": 1}},"messages":[]}"#,
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"variables":[1 ,2]},"messages":[]}"#,
        ] {
            assert_eq!(variables(spaced).known_compact(), None, "{spaced}");
        }
        // White space around the value is not part of it.
        let around = variables(
            r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"visitor":{"variables" :  {"a":1} },"messages":[]}"#,
        );
        assert_eq!(around.known_compact(), Some(r#"{"a":1}"#));
    }

    #[test]
    fn keys_in_any_order_read_the_same() {
        // The key after the last one read is tried first: any other order must read alike.
        fn reversed(v: &serde_json::Value) -> serde_json::Value {
            use serde_json::Value;
            match v {
                Value::Object(map) => Value::Object(
                    map.iter()
                        .rev()
                        .map(|(k, v)| (k.clone(), reversed(v)))
                        .collect(),
                ),
                Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
                other => other.clone(),
            }
        }
        for text in [OFFICIAL, COMPACT] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            for text in [
                serde_json::to_string(&reversed(&value)).unwrap(),
                serde_json::to_string_pretty(&reversed(&value)).unwrap(),
                serde_json::to_string(&value).unwrap(),
            ] {
                let fast = fast(&text);
                assert!(fast.is_some(), "fast path gave up on:\n{text}");
                assert_eq!(fast, serde(&text));
            }
        }
    }

    #[test]
    fn what_it_is_not_sure_of_goes_to_serde_json() {
        let base = |channel: &str, message: &str| {
            format!(
                r#"{{"beginAt":1,"endAt":2,"channel":{{"id":1{channel}}},"messages":[{{"type":"visitor","sentAt":1{message}}}]}}"#
            )
        };
        for (channel, message) in [
            (",\"rating\":-0", ""),
            (",\"rating\":1.0", ""),
            (",\"rating\":1e2", ""),
            (",\"rating\":0123", ""),
            (",\"rating\":9223372036854775807", ""),
            (",\"id\":2", ""),
            (",\"isChat\":1", ""),
            (",\"ratingDesc\":\"\\ud800\"", ""),
            (",\"ratingDesc\":\"\\udc00x\"", ""),
            (",\"ratingDesc\":\"a\tb\"", ""),
            (",\"ratingDesc\":\"\\x\"", ""),
            (",\"rat\\u0069ng\":5", ""),
            ("", ",\"from\":1.5"),
            ("", ",\"from\":true"),
            ("", ",\"type\":null"),
            ("", ",\"x\":[1,]"),
            ("", ",\"x\":01"),
            ("", ",\"x\":1."),
            ("", ",\"x\":-"),
            ("", ",\"x\":nul"),
        ] {
            let text = base(channel, message);
            assert_eq!(fast(&text), None, "{text}");
        }
        let deep = format!(
            r#"{{"beginAt":1,"endAt":2,"channel":{{"id":1}},"messages":[],"x":{}{}}}"#,
            "[".repeat(DEPTH),
            "]".repeat(DEPTH)
        );
        assert_eq!(fast(&deep), None);
        // Custom variables are read by serde_json, which counts their nesting on its own.
        let variables = |levels: usize| {
            format!(
                r#"{{"beginAt":1,"endAt":2,"channel":{{"id":1}},"messages":[],"visitor":{{"variables":{}{}}}}}"#,
                "[".repeat(levels),
                "]".repeat(levels)
            )
        };
        assert!(fast(&variables(DEPTH - 2)).is_some());
        assert_eq!(fast(&variables(DEPTH - 1)), None);
        assert!(fast(&base("", "")).is_some());
        // The block of an assembled conversation: its common shapes read, the rest is left.
        let assembled = |block: &str| {
            format!(
                r#"{{"beginAt":1,"endAt":2,"channel":{{"id":1}},"messages":[],"sshook":{block}}}"#
            )
        };
        for block in [
            "null",
            r#"{"conversationId":"c1","open":true,"events":12}"#,
            r#"{"events":0,"conversationId":"c\u00e9","open":false,"x":[1]}"#,
            r#"{"conversationId":"c1"}"#,
        ] {
            assert_eq!(fast(&assembled(block)), serde(&assembled(block)), "{block}");
        }
        for block in [
            r#"{"open":true}"#,
            r#"{"conversationId":1}"#,
            r#"{"conversationId":"c1","open":null}"#,
            r#"{"conversationId":"c1","events":-1}"#,
            r#"{"conversationId":"c1","events":1.5}"#,
            "[]",
        ] {
            assert_eq!(fast(&assembled(block)), None, "{block}");
        }
        assert_eq!(
            fast(r#"{"beginAt":1,"channel":{"id":1},"messages":[]}"#),
            None
        );
        assert_eq!(
            fast(r#"{"beginAt":1,"endAt":2,"channel":{},"messages":[]}"#),
            None
        );
        assert_eq!(
            fast(r#"{"beginAt":1,"endAt":2,"channel":{"id":1},"messages":[[]]}"#),
            None
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Random edits of a payload's text: whatever the fast path reads, serde_json reads
        /// the same (the other way round is not required: it may give up).
        #[test]
        fn edited_payloads_read_as_serde_json_reads_them(
            edits in proptest::collection::vec((0usize..10_000, 0usize..3, 0usize..TOKENS.len()), 1..4),
            base in 0usize..2,
        ) {
            let mut text = [OFFICIAL, COMPACT][base].to_string();
            for (at, how, token) in edits {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let end = text[at..].char_indices().nth(1).map_or(text.len(), |(i, _)| at + i);
                match how {
                    0 => text.insert_str(at, TOKENS[token]),
                    1 => text.replace_range(at..end, TOKENS[token]),
                    _ => text.replace_range(at..end, ""),
                }
            }
            let fast = fast(&text);
            if fast.is_some() {
                proptest::prop_assert_eq!(fast, serde(&text), "{}", text);
            }
        }
    }

    const COMPACT: &str = r#"{"accountId":5,"beginAt":1735689694867,"endAt":1735690023983,"channel":{"id":1000027,"isChat":true,"duration":329,"rating":4,"ratingDesc":"Rychlé"},"visitor":{"id":"v1","name":"Agnieszka","groupKey":7,"variables":{"a":{"label":"A","value":[1,2.5,"x"]}}},"paths":[{"url":"https://x","title":"T"}],"messages":[{"type":"visitor","name":"A","from":"visitor:x","content":"SAML \"bad\" sig","sentAt":1735689710220,"triggeredBy":null},{"type":"system","from":"agent:21","content":"agent.join","sentAt":1735689746963}]}"#;

    const TOKENS: &[&str] = &[
        "\"",
        "\\",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\t",
        "null",
        "true",
        "-0",
        "0",
        "1.5",
        "1e5",
        "-",
        "01",
        "\\u00e9",
        "\\ud83d\\ude00",
        "\\ud800",
        "\\n",
        "\u{1}",
        "é",
        "\"x\":1,",
        "\"id\":2,",
        "\"type\":\"agent\",",
        "\"sentAt\":3,",
        "9999999999999999999",
        "\"variables\":{\"a\":[]},",
        "\"paths\":[],",
        "\"from\":7,",
    ];
}
