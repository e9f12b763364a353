//! The one tolerance rule for webhook objects (`docs/formats.md#tolerance`).
//!
//! Smartsupp's APIs send the same object in several shapes (`tags` as an array or a list
//! object, agent ids as strings or numbers, a nested or a flat location, …). Every field sshook
//! uses is read by one of the readers below, which accept each shape the format documents.
//! A used field whose shape is still unknown is **not** an error: the reader calls [`odd`],
//! which counts it, and the field is read as absent; the document is still read. Fields sshook
//! does not use are kept as they came ([`Other`]) and never checked.
//!
//! Counting costs nothing when every shape is known. Only for a document with odd fields is
//! the text read again to say where each one is: [`failing_at`] makes the `n`-th odd field an
//! error, which `serde_path_to_error` names by its JSON path (the reader in `src/input/` turns
//! it into a warning with line and column).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::jsontext::scan::Parser;
use crate::model::payload::{Scalar, Text};

/// A struct read from a JSON object by the tolerance rule: each listed key with its reader
/// (a [`Shape`], whose `.0` is the value), every other key kept in `other` as it came.
/// A key given twice keeps its last value, as JavaScript reads it.
macro_rules! lenient_object {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident<'a> {
            $(
                $(#[$fmeta:meta])*
                $key:literal => $field:ident: $ty:ty = $reader:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default)]
        $vis struct $name<'a> {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// The fields the model does not use, as they came.
            pub other: $crate::model::webhook::tolerant::Other<'a>,
        }

        impl<'de: 'a, 'a> serde::Deserialize<'de> for $name<'a> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct ObjectVisitor<'a>(std::marker::PhantomData<$name<'a>>);
                impl<'de: 'a, 'a> serde::de::Visitor<'de> for ObjectVisitor<'a> {
                    type Value = $name<'a>;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Self::Value, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) =
                            map.next_key::<$crate::model::webhook::tolerant::Name<'a>>()?
                        {
                            match &*key.0 {
                                $( $key => out.$field = map.next_value::<$reader>()?.0, )*
                                _ => {
                                    let raw: &'a serde_json::value::RawValue = map.next_value()?;
                                    out.other.push((key.0, raw.get()));
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
            }
        }

        impl<'a> $crate::model::webhook::tolerant::Fast<'a> for $name<'a> {
            fn fast<const P: bool>(
                p: &mut $crate::jsontext::scan::Parser<'a, P>,
                depth: usize,
            ) -> Option<Self> {
                if depth >= $crate::jsontext::scan::DEPTH {
                    return None;
                }
                let mut out = $name::default();
                p.object(|p, key| {
                    match key {
                        $( $key => {
                            out.$field =
                                <$reader as $crate::model::webhook::tolerant::Fast<'a>>::fast(
                                    p,
                                    depth + 1,
                                )?
                                .0
                        } )*
                        _ => {
                            let raw = p.raw_text(depth + 1)?;
                            out.other.push((std::borrow::Cow::Borrowed(key), raw));
                        }
                    }
                    Some(())
                })?;
                Some(out)
            }
        }
    };
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Count odd fields and read them as absent.
    Count,
    /// Read the first `skip` odd fields as absent, fail on the next one.
    Fail { skip: u32 },
}

thread_local! {
    static MODE: Cell<Mode> = const { Cell::new(Mode::Count) };
    static ODD: Cell<u32> = const { Cell::new(0) };
}

/// Called by a reader that found a shape it does not know: `Ok` to read the field as absent,
/// or (while [`failing_at`] locates it) the error that names it.
pub fn odd<E: de::Error>(expected: &str, found: &dyn fmt::Display) -> Result<(), E> {
    match MODE.get() {
        Mode::Count => {
            ODD.set(ODD.get().saturating_add(1));
            Ok(())
        }
        Mode::Fail { skip: 0 } => Err(E::custom(format_args!(
            "expected {expected}, found {found}"
        ))),
        Mode::Fail { skip } => {
            MODE.set(Mode::Fail { skip: skip - 1 });
            Ok(())
        }
    }
}

/// Counts the odd fields of one document read: [`Counting::finish`] says how many.
pub struct Counting {
    saved: u32,
}

impl Counting {
    pub fn start() -> Counting {
        Counting {
            saved: ODD.replace(0),
        }
    }

    pub fn finish(self) -> u32 {
        ODD.get()
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        ODD.set(self.saved);
    }
}

/// Runs `read` with the `skip + 1`-th odd field made an error (its message says what was
/// expected and what was found).
pub fn failing_at<R>(skip: u32, read: impl FnOnce() -> R) -> R {
    struct Restore(Mode);
    impl Drop for Restore {
        fn drop(&mut self) {
            MODE.set(self.0);
        }
    }
    let _restore = Restore(MODE.replace(Mode::Fail { skip }));
    read()
}

/// What was found instead of a known shape, in validate's words (`string "no"`, `number 3`).
enum Found<'s> {
    Null,
    Bool(bool),
    Number(String),
    Str(&'s str),
    Array,
    Object,
}

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Null => f.write_str("null"),
            Found::Bool(b) => write!(f, "boolean {b}"),
            Found::Number(n) => write!(f, "number {n}"),
            Found::Str(s) if s.chars().count() > 60 => {
                let cut: String = s.chars().take(60).collect();
                write!(f, "string {:?}…", cut)
            }
            Found::Str(s) => write!(f, "string {s:?}"),
            Found::Array => f.write_str("array"),
            Found::Object => f.write_str("object"),
        }
    }
}

/// A JSON scalar as a reader sees it.
pub enum Any<'de> {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond `i64`.
    Big(u64),
    Float(f64),
    Str(Text<'de>),
}

impl Any<'_> {
    fn found(&self) -> Found<'_> {
        match self {
            Any::Null => Found::Null,
            Any::Bool(b) => Found::Bool(*b),
            Any::Int(n) => Found::Number(n.to_string()),
            Any::Big(n) => Found::Number(n.to_string()),
            Any::Float(n) => Found::Number(n.to_string()),
            Any::Str(s) => Found::Str(s),
        }
    }
}

/// A field's shapes: what each kind of JSON value reads as. Anything not overridden is odd.
pub trait Shape<'de>: Sized + Default {
    /// What the field may be, for the warning (`string or null`).
    const EXPECTED: &'static str;

    /// A scalar; `null` is absent unless overridden.
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        if !matches!(any, Any::Null) {
            odd::<E>(Self::EXPECTED, &any.found())?;
        }
        Ok(Self::default())
    }

    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        odd::<A::Error>(Self::EXPECTED, &Found::Array)?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::default())
    }

    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        odd::<A::Error>(Self::EXPECTED, &Found::Object)?;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Self::default())
    }
}

struct ShapeVisitor<S>(PhantomData<S>);

impl<'de, S: Shape<'de>> Visitor<'de> for ShapeVisitor<S> {
    type Value = S;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(S::EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<S, E> {
        S::scalar(Any::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<S, E> {
        S::scalar(Any::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<S, E> {
        S::scalar(i64::try_from(v).map_or(Any::Big(v), Any::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<S, E> {
        S::scalar(Any::Float(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<S, E> {
        S::scalar(Any::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<S, E> {
        S::scalar(Any::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<S, E> {
        S::scalar(Any::Str(Cow::Owned(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<S, E> {
        S::scalar(Any::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<S, E> {
        S::scalar(Any::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<S, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<S, A::Error> {
        S::seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S, A::Error> {
        S::map(map)
    }
}

/// Reads any JSON value by the shapes `S` accepts (`Deserialize` for a [`Shape`]).
pub fn by_shape<'de, S: Shape<'de>, D: Deserializer<'de>>(d: D) -> Result<S, D::Error> {
    d.deserialize_any(ShapeVisitor::<S>(PhantomData))
}

macro_rules! by_shape {
    ($($t:ident<$l:lifetime>),* $(,)?) => {$(
        impl<'de: 'a, 'a> Deserialize<'de> for $t<$l> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                by_shape(d)
            }
        }
    )*};
}

/// A string, or null.
#[derive(Default)]
pub struct Str<'a>(pub Option<Text<'a>>);

impl<'de: 'a, 'a> Shape<'de> for Str<'a> {
    const EXPECTED: &'static str = "string or null";
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        match any {
            Any::Str(s) => Ok(Str(Some(s))),
            Any::Null => Ok(Str(None)),
            other => odd(Self::EXPECTED, &other.found()).map(|()| Str(None)),
        }
    }
}

/// An id: a string, or an integer (the same agent either way: `3` reads as `"3"`), or null.
#[derive(Default)]
pub struct Id<'a>(pub Option<Scalar<'a>>);

impl<'de: 'a, 'a> Shape<'de> for Id<'a> {
    const EXPECTED: &'static str = "string, integer or null";
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        let number = |text: String| {
            Id(Some(Scalar {
                text: Cow::Owned(text),
                number: true,
            }))
        };
        match any {
            Any::Str(s) => Ok(Id(Some(Scalar {
                text: s,
                number: false,
            }))),
            Any::Int(n) => Ok(number(n.to_string())),
            Any::Big(n) => Ok(number(n.to_string())),
            Any::Null => Ok(Id(None)),
            other => odd(Self::EXPECTED, &other.found()).map(|()| Id(None)),
        }
    }
}

/// The id of an object (a conversation's, a message's, a contact's): as [`Id`], empty when
/// missing, null or odd.
#[derive(Default)]
pub struct Key<'a>(pub Scalar<'a>);

impl<'de: 'a, 'a> Shape<'de> for Key<'a> {
    const EXPECTED: &'static str = Id::EXPECTED;
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        Id::scalar(any).map(|id| Key(id.0.unwrap_or_default()))
    }
}

/// `true`, `false` or null.
#[derive(Default)]
pub struct Flag(pub Option<bool>);

impl<'de> Shape<'de> for Flag {
    const EXPECTED: &'static str = "boolean or null";
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        match any {
            Any::Bool(b) => Ok(Flag(Some(b))),
            Any::Null => Ok(Flag(None)),
            other => odd(Self::EXPECTED, &other.found()).map(|()| Flag(None)),
        }
    }
}

/// An integer (a whole number written `5.0` too), or null.
#[derive(Default)]
pub struct Int(pub Option<i64>);

impl<'de> Shape<'de> for Int {
    const EXPECTED: &'static str = "integer or null";
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        match any {
            Any::Int(n) => Ok(Int(Some(n))),
            Any::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Int(Some(f as i64))),
            Any::Null => Ok(Int(None)),
            other => odd(Self::EXPECTED, &other.found()).map(|()| Int(None)),
        }
    }
}

/// A number of seconds, or null.
#[derive(Default)]
pub struct Seconds(pub Option<f64>);

impl<'de> Shape<'de> for Seconds {
    const EXPECTED: &'static str = "number or null";
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        match any {
            Any::Int(n) => Ok(Seconds(Some(n as f64))),
            Any::Big(n) => Ok(Seconds(Some(n as f64))),
            Any::Float(f) => Ok(Seconds(Some(f))),
            Any::Null => Ok(Seconds(None)),
            other => odd(Self::EXPECTED, &other.found()).map(|()| Seconds(None)),
        }
    }
}

/// An RFC 3339 instant — with or without a fraction, `Z` or any offset — as epoch
/// milliseconds, or null.
#[derive(Default)]
pub struct Time(pub Option<i64>);

pub const TIME_EXPECTED: &str = "an ISO 8601 time like 2020-08-08T07:53:18.825Z";

impl<'de> Shape<'de> for Time {
    const EXPECTED: &'static str = "an ISO 8601 time like 2020-08-08T07:53:18.825Z, or null";
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        match any {
            Any::Str(s) => match parse_time(&s) {
                Some(ms) => Ok(Time(Some(ms))),
                None => odd(Self::EXPECTED, &Found::Str(&s)).map(|()| Time(None)),
            },
            Any::Null => Ok(Time(None)),
            other => odd(Self::EXPECTED, &other.found()).map(|()| Time(None)),
        }
    }
}

/// An ISO 8601 instant (`2020-08-08T07:53:18.825Z`, any offset, fraction optional) as epoch
/// milliseconds.
pub fn parse_time(text: &str) -> Option<i64> {
    if let Some(ms) = common_time(text.as_bytes()) {
        return Some(ms);
    }
    let ts: jiff::Timestamp = text.parse().ok()?;
    Some(ts.as_millisecond())
}

/// The one form Smartsupp writes, `2020-08-08T07:53:18.825Z`, read without jiff (whose general
/// parser was a tenth of reading an event); `None` for anything else, which jiff then reads.
/// Years 1000–9998 only: jiff's range ends within 9999 (tested against jiff).
fn common_time(b: &[u8]) -> Option<i64> {
    let b: &[u8; 24] = b.try_into().ok()?;
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
    ];
    if b[23] != b'Z' || separators.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second, milli) = (
        number(11, 13)?,
        number(14, 16)?,
        number(17, 19)?,
        number(20, 23)?,
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1000..=9998).contains(&year)
        || !(1..=month_days).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let (era, year_of_era) = (y.div_euclid(400), y.rem_euclid(400));
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milli)
}

/// When a link stops working: an ISO 8601 time, or epoch milliseconds (seconds when small).
#[derive(Default)]
pub struct Expiry(pub Option<i64>);

impl<'de> Shape<'de> for Expiry {
    const EXPECTED: &'static str = "an ISO 8601 time, epoch milliseconds or null";
    fn scalar<E: de::Error>(any: Any<'de>) -> Result<Self, E> {
        const SECONDS_BELOW: i64 = 100_000_000_000;
        match any {
            Any::Int(n) if n.abs() < SECONDS_BELOW => Ok(Expiry(Some(n.saturating_mul(1000)))),
            Any::Int(n) => Ok(Expiry(Some(n))),
            other => Time::scalar(other).map(|t| Expiry(t.0)),
        }
    }
}

/// An array of ids (elements that are null or odd are left out), or null.
#[derive(Default)]
pub struct Ids<'a>(pub Option<Vec<Scalar<'a>>>);

impl<'de: 'a, 'a> Shape<'de> for Ids<'a> {
    const EXPECTED: &'static str = "an array of ids, or null";
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut ids = Vec::new();
        while let Some(Id(id)) = seq.next_element::<Id<'a>>()? {
            ids.extend(id);
        }
        Ok(Ids(Some(ids)))
    }
}

/// Tags: an array of strings, or the REST list object `{"type": "list", "data": [...],
/// "total": N}`; or null. Numbers in the list read as their digits.
#[derive(Default)]
pub struct Tags<'a>(pub Option<Vec<Text<'a>>>);

impl<'de: 'a, 'a> Shape<'de> for Tags<'a> {
    const EXPECTED: &'static str =
        "an array of strings or a list object {\"type\": \"list\", \"data\": […]}, or null";
    fn seq<A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        Ids::seq(seq)
            .map(|Ids(ids)| Tags(ids.map(|ids| ids.into_iter().map(|id| id.text).collect())))
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let list = ListObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Tags(Some(list.data.map_or_else(Vec::new, |ids| {
            ids.into_iter().map(|id| id.text).collect()
        }))))
    }
}

lenient_object! {
    /// The REST API's list object: only `data` is used.
    pub struct ListObject<'a> {
        "data" => data: Option<Vec<Scalar<'a>>> = Ids<'a>,
    }
}

/// A JSON object kept as its text (custom variables: a map of scalars, or of
/// `{label, value}`), or null.
#[derive(Default)]
pub struct Map<'a>(pub Option<&'a str>);

impl<'de: 'a, 'a> Deserialize<'de> for Map<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?.get();
        let found = match raw.as_bytes().first() {
            Some(b'{') => return Ok(Map(Some(raw))),
            Some(b'n') => return Ok(Map(None)),
            Some(b'[') => Found::Array,
            Some(b'"') => Found::Str(raw.trim_matches('"')),
            Some(b't') => Found::Bool(true),
            Some(b'f') => Found::Bool(false),
            _ => Found::Number(raw.to_owned()),
        };
        odd::<D::Error>("an object or null", &found)?;
        Ok(Map(None))
    }
}

/// An object read as `T`, or null.
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Shape<'de> for Obj<T> {
    const EXPECTED: &'static str = "an object or null";
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        by_shape(d)
    }
}

/// An array of objects read as `T` (elements of another shape are odd and left out), or null.
pub struct Objs<T>(pub Option<Vec<T>>);

impl<T> Default for Objs<T> {
    fn default() -> Self {
        Objs(None)
    }
}

impl<'de, T: Deserialize<'de>> Shape<'de> for Objs<T> {
    const EXPECTED: &'static str = "an array of objects, or null";
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(Obj(item)) = seq.next_element::<Obj<T>>()? {
            out.extend(item);
        }
        Ok(Objs(Some(out)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Objs<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        by_shape(d)
    }
}

by_shape!(Str<'a>, Id<'a>, Key<'a>, Ids<'a>, Tags<'a>);

macro_rules! by_shape_static {
    ($($t:ident),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                by_shape(d)
            }
        }
    )*};
}

by_shape_static!(Flag, Int, Seconds, Time, Expiry);

/// A key of an object, borrowed from the input where it has no escapes.
pub struct Name<'a>(pub Text<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Name<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Name(Cow::Owned(v)))
            }
        }
        d.deserialize_str(NameVisitor)
    }
}

/// The fields of an object that the model does not use, as they came: key and JSON text.
pub type Other<'a> = Vec<(Text<'a>, &'a str)>;

/// The fast reading of a field by the same rule, on the shared scanner
/// ([`crate::jsontext::scan`]): each reader takes the shapes it knows and gives up (`None`)
/// on anything else — an odd shape included, which only serde's reading counts and locates —
/// and the event is then read by serde. What it reads is what serde reads: every debug build
/// compares the two on every event, and the tests in every profile (`input/fast.rs`,
/// `input/fast_reference.rs`).
pub(crate) trait Fast<'a>: Sized {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self>;
}

/// `null`, read as the reader's default.
fn null<'a, const P: bool, T: Default>(p: &mut Parser<'a, P>) -> Option<T> {
    p.literal(b"null").map(|()| T::default())
}

impl<'a> Fast<'a> for Str<'a> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, _: usize) -> Option<Self> {
        match p.peek()? {
            b'"' => p.string().map(|s| Str(Some(s))),
            b'n' => null(p),
            _ => None,
        }
    }
}

impl<'a> Fast<'a> for Id<'a> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, _: usize) -> Option<Self> {
        match p.peek()? {
            b'"' => p.string().map(|text| {
                Id(Some(Scalar {
                    text,
                    number: false,
                }))
            }),
            b'n' => null(p),
            // The digits as written are the integer's own text (see `integer_text`).
            _ => p.integer_text().map(|(_, digits)| {
                Id(Some(Scalar {
                    text: Cow::Borrowed(digits),
                    number: true,
                }))
            }),
        }
    }
}

impl<'a> Fast<'a> for Key<'a> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        Id::fast(p, depth).map(|id| Key(id.0.unwrap_or_default()))
    }
}

impl<'a> Fast<'a> for Flag {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, _: usize) -> Option<Self> {
        match p.peek()? {
            b't' => p.literal(b"true").map(|()| Flag(Some(true))),
            b'f' => p.literal(b"false").map(|()| Flag(Some(false))),
            b'n' => null(p),
            _ => None,
        }
    }
}

/// An integer or null (a fraction or an exponent is left to serde).
fn opt_integer<const P: bool>(p: &mut Parser<'_, P>) -> Option<Option<i64>> {
    match p.peek()? {
        b'n' => null(p),
        _ => p.integer().map(Some),
    }
}

impl<'a> Fast<'a> for Int {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, _: usize) -> Option<Self> {
        opt_integer(p).map(Int)
    }
}

impl<'a> Fast<'a> for Seconds {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, _: usize) -> Option<Self> {
        opt_integer(p).map(|n| Seconds(n.map(|n| n as f64)))
    }
}

impl<'a> Fast<'a> for Time {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, _: usize) -> Option<Self> {
        match p.peek()? {
            b'"' => p
                .string()
                .and_then(|s| parse_time(&s))
                .map(|ms| Time(Some(ms))),
            b'n' => null(p),
            _ => None,
        }
    }
}

impl<'a> Fast<'a> for Expiry {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        match p.peek()? {
            b'"' | b'n' => Time::fast(p, depth).map(|t| Expiry(t.0)),
            _ => p
                .integer()
                .and_then(|n| Expiry::scalar::<serde_json::Error>(Any::Int(n)).ok()),
        }
    }
}

impl<'a> Fast<'a> for Ids<'a> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        if p.peek()? == b'n' {
            return null(p);
        }
        let mut ids = Vec::new();
        p.array(|p| {
            ids.extend(Id::fast(p, depth + 1)?.0);
            Some(())
        })?;
        Some(Ids(Some(ids)))
    }
}

impl<'a> Fast<'a> for Tags<'a> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        let texts = |ids: Vec<Scalar<'a>>| ids.into_iter().map(|id| id.text).collect();
        match p.peek()? {
            b'{' => ListObject::fast(p, depth)
                .map(|list| Tags(Some(list.data.map_or_else(Vec::new, texts)))),
            _ => Ids::fast(p, depth).map(|ids| Tags(ids.0.map(texts))),
        }
    }
}

impl<'a> Fast<'a> for Map<'a> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        match p.peek()? {
            b'{' => p.raw_text(depth).map(|raw| Map(Some(raw))),
            b'n' => null(p),
            _ => None,
        }
    }
}

impl<'a, T: Fast<'a>> Fast<'a> for Box<T> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        T::fast(p, depth).map(Box::new)
    }
}

impl<'a, T: Fast<'a>> Fast<'a> for Obj<T> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        match p.peek()? {
            b'{' => T::fast(p, depth).map(|t| Obj(Some(t))),
            b'n' => null(p),
            _ => None,
        }
    }
}

impl<'a, T: Fast<'a>> Fast<'a> for Objs<T> {
    fn fast<const P: bool>(p: &mut Parser<'a, P>, depth: usize) -> Option<Self> {
        if p.peek()? == b'n' {
            return null(p);
        }
        let mut out = Vec::new();
        p.array(|p| {
            out.extend(Obj::<T>::fast(p, depth + 1)?.0);
            Some(())
        })?;
        Some(Objs(Some(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    lenient_object! {
        struct Sample<'a> {
            "tags" => tags: Option<Vec<Text<'a>>> = Tags<'a>,
            "agent" => agent: Option<Scalar<'a>> = Id<'a>,
            "at" => at: Option<i64> = Time,
            "open" => open: Option<bool> = Flag,
        }
    }

    /// The sample read from `json`, and how many fields were odd.
    fn read(json: &str) -> (Sample<'_>, u32) {
        let counting = Counting::start();
        let sample: Sample = serde_json::from_str(json).unwrap();
        (sample, counting.finish())
    }

    #[test]
    fn every_known_shape_reads_and_nothing_is_odd() {
        let (s, odd) = read(
            r#"{"tags":{"type":"list","data":["vip",7],"total":2},"agent":3,
                "at":"2026-05-12T20:29:21+02:00","open":null,"x":{"kept":[1]}}"#,
        );
        assert_eq!(odd, 0);
        assert_eq!(s.tags.unwrap(), ["vip", "7"]);
        assert_eq!(&*s.agent.unwrap(), "3");
        assert_eq!(s.at, Some(1_778_610_561_000));
        assert_eq!(s.open, None);
        assert_eq!(s.other.len(), 1);
        assert_eq!((&*s.other[0].0, s.other[0].1), ("x", r#"{"kept":[1]}"#));
        let (s, odd) = read(r#"{"tags":["a"],"agent":"3","at":"2026-05-12T18:29:21.336Z"}"#);
        assert_eq!(
            (odd, s.tags.unwrap().len(), s.at),
            (0, 1, Some(1_778_610_561_336))
        );
    }

    #[test]
    fn the_common_time_form_reads_as_jiff_reads_it() {
        let jiff = |text: &str| {
            text.parse::<jiff::Timestamp>()
                .ok()
                .map(|t| t.as_millisecond())
        };
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % below
        };
        let mut texts = vec![
            "1970-01-01T00:00:00.000Z".to_string(),
            "2000-02-29T23:59:59.999Z".into(),
            "2100-02-29T00:00:00.000Z".into(),
            "1999-13-01T00:00:00.000Z".into(),
            "1999-00-01T00:00:00.000Z".into(),
            "1999-04-31T00:00:00.000Z".into(),
            "1999-04-30T24:00:00.000Z".into(),
            "1999-04-30T23:60:00.000Z".into(),
            "2016-12-31T23:59:60.000Z".into(),
            "9999-12-31T23:59:59.999Z".into(),
            "0999-12-31T23:59:59.999Z".into(),
            "1999-04-30t23:00:00.000Z".into(),
            "1999-04-30T23:00:00.000z".into(),
            "1999-04-30T23:00:00,000Z".into(),
            "+1999-04-30T23:00:00.000Z".into(),
            "1999-04-30T23:00:00.00Z".into(),
        ];
        for _ in 0..200_000 {
            texts.push(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                next(10_000),
                next(14),
                next(33),
                next(26),
                next(62),
                next(62),
                next(1000)
            ));
        }
        for text in &texts {
            assert_eq!(parse_time(text), jiff(text), "{text}");
            if let Some(ms) = common_time(text.as_bytes()) {
                assert_eq!(Some(ms), jiff(text), "{text}");
            }
        }
        // Most of the random dates are valid, and the common form took them.
        let common = texts
            .iter()
            .filter(|t| common_time(t.as_bytes()).is_some())
            .count();
        assert!(common > 50_000, "{common}");
    }

    #[test]
    fn odd_shapes_are_counted_read_as_absent_and_found_again() {
        let json = r#"{"tags":42,"agent":{"id":3},"at":"yesterday","open":"no"}"#;
        let (s, odd) = read(json);
        assert_eq!(odd, 4);
        assert!(s.tags.is_none() && s.agent.is_none() && s.at.is_none() && s.open.is_none());
        let messages: Vec<String> = (0..odd)
            .map(|skip| {
                failing_at(skip, || serde_json::from_str::<Sample>(json))
                    .unwrap_err()
                    .to_string()
            })
            .collect();
        assert!(messages[0].starts_with("expected an array of strings or a list object"));
        assert!(messages[1].starts_with("expected string, integer or null, found object"));
        assert!(
            messages[2].contains("found string \"yesterday\""),
            "{}",
            messages[2]
        );
        assert!(messages[3].starts_with("expected boolean or null, found string \"no\""));
        // Back to counting afterwards.
        assert_eq!(read(json).1, 4);
    }
}
