//! A compact binary encoding of the assembler's state ([`Facts`](super::assemble::Facts) and
//! assemblies), for the temporary files it spills to when a stream does not fit in its memory
//! budget (`--memory`), and for the facts it holds in memory until then.
//!
//! Hand-written rather than a serde format crate: the types are few and private to the
//! assembler, the files are read back only by the process that wrote them (no versioning, no
//! schema), and a dozen lines of trait impls and one macro for structs are all it takes.
//! Lengths are LEB128 varints (almost always one byte); integers are fixed-width little-endian.

use std::io;

/// A value that writes itself to bytes and reads itself back.
pub trait Codec: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt>;

    /// [`get`](Codec::get) into `self`, reusing its allocations where the type can (strings,
    /// vectors, options and structs of them): the fold decodes every event into one value,
    /// and a fresh allocation per string was a third of its time. Reads exactly what `get`
    /// reads (tested below).
    fn get_into(&mut self, input: &mut &[u8]) -> Result<(), Corrupt> {
        *self = Self::get(input)?;
        Ok(())
    }
}

/// Bytes that do not decode: a temporary file changed under us (never expected).
#[derive(Debug)]
pub struct Corrupt;

impl From<Corrupt> for io::Error {
    fn from(_: Corrupt) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "a temporary file of the webhook assembly does not read back as written",
        )
    }
}

/// `n` bytes off the front of `input`.
pub fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], Corrupt> {
    if input.len() < n {
        return Err(Corrupt);
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

pub fn put_len(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

pub fn get_len(input: &mut &[u8]) -> Result<u64, Corrupt> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = take(input, 1)?[0];
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(n);
        }
    }
    Err(Corrupt)
}

macro_rules! fixed {
    ($($ty:ty),*) => {$(
        impl Codec for $ty {
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
                let bytes = take(input, std::mem::size_of::<$ty>())?;
                Ok(<$ty>::from_le_bytes(bytes.try_into().map_err(|_| Corrupt)?))
            }
        }
    )*};
}

fixed!(i64, u64, u32, u8, f32);

impl Codec for usize {
    fn put(&self, out: &mut Vec<u8>) {
        put_len(out, *self as u64);
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        usize::try_from(get_len(input)?).map_err(|_| Corrupt)
    }
}

impl Codec for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        match take(input, 1)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Corrupt),
        }
    }
}

/// The bytes of an encoded string: its length, then them.
fn str_bytes<'a>(input: &mut &'a [u8]) -> Result<&'a [u8], Corrupt> {
    let n = usize::get(input)?;
    take(input, n)
}

/// Skips an encoded string (its bytes are not checked to be UTF-8).
pub fn skip_str(input: &mut &[u8]) -> Result<(), Corrupt> {
    str_bytes(input).map(drop)
}

fn get_str<'a>(input: &mut &'a [u8]) -> Result<&'a str, Corrupt> {
    std::str::from_utf8(str_bytes(input)?).map_err(|_| Corrupt)
}

impl Codec for String {
    fn put(&self, out: &mut Vec<u8>) {
        put_len(out, self.len() as u64);
        out.extend_from_slice(self.as_bytes());
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        get_str(input).map(str::to_owned)
    }
    fn get_into(&mut self, input: &mut &[u8]) -> Result<(), Corrupt> {
        let text = get_str(input)?;
        self.clear();
        self.push_str(text);
        Ok(())
    }
}

/// A text borrowed while it is written (facts taken from an event), owned when read back.
impl Codec for std::borrow::Cow<'_, str> {
    fn put(&self, out: &mut Vec<u8>) {
        put_len(out, self.len() as u64);
        out.extend_from_slice(self.as_bytes());
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        get_str(input).map(|text| std::borrow::Cow::Owned(text.to_owned()))
    }
    fn get_into(&mut self, input: &mut &[u8]) -> Result<(), Corrupt> {
        let text = get_str(input)?;
        match self {
            std::borrow::Cow::Owned(held) => {
                held.clear();
                held.push_str(text);
            }
            _ => *self = std::borrow::Cow::Owned(text.to_owned()),
        }
        Ok(())
    }
}

impl Codec for Box<str> {
    fn put(&self, out: &mut Vec<u8>) {
        put_len(out, self.len() as u64);
        out.extend_from_slice(self.as_bytes());
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        get_str(input).map(Box::from)
    }
}

impl<T: Codec> Codec for Box<T> {
    fn put(&self, out: &mut Vec<u8>) {
        (**self).put(out);
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        T::get(input).map(Box::new)
    }
}

impl<T: Codec> Codec for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.put(out);
            }
        }
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        match take(input, 1)?[0] {
            0 => Ok(None),
            1 => T::get(input).map(Some),
            _ => Err(Corrupt),
        }
    }
    fn get_into(&mut self, input: &mut &[u8]) -> Result<(), Corrupt> {
        match (take(input, 1)?[0], self.as_mut()) {
            (0, _) => *self = None,
            (1, Some(value)) => value.get_into(input)?,
            (1, None) => *self = Some(T::get(input)?),
            _ => return Err(Corrupt),
        }
        Ok(())
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_len(out, self.len() as u64);
        self.iter().for_each(|item| item.put(out));
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        let n = usize::get(input)?;
        // Every item takes at least a byte: a corrupt length cannot reserve much.
        let mut items = Vec::with_capacity(n.min(input.len()));
        for _ in 0..n {
            items.push(T::get(input)?);
        }
        Ok(items)
    }
    fn get_into(&mut self, input: &mut &[u8]) -> Result<(), Corrupt> {
        let n = usize::get(input)?;
        self.truncate(n);
        for item in self.iter_mut() {
            item.get_into(input)?;
        }
        for _ in self.len()..n {
            self.push(T::get(input)?);
        }
        Ok(())
    }
}

impl<T: Codec, const N: usize> Codec for [T; N] {
    fn put(&self, out: &mut Vec<u8>) {
        self.iter().for_each(|item| item.put(out));
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        let mut items = Vec::with_capacity(N);
        for _ in 0..N {
            items.push(T::get(input)?);
        }
        items.try_into().map_err(|_| Corrupt)
    }
}

impl<A: Codec, B: Codec> Codec for (A, B) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        Ok((A::get(input)?, B::get(input)?))
    }
}

impl<A: Codec, B: Codec, C: Codec> Codec for (A, B, C) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
        self.2.put(out);
    }
    fn get(input: &mut &[u8]) -> Result<Self, Corrupt> {
        Ok((A::get(input)?, B::get(input)?, C::get(input)?))
    }
}

/// `Codec` for a struct, field by field in the order named (every field must be named).
macro_rules! codec_struct {
    ($ty:ident $(<$lt:lifetime>)? { $($field:ident),* $(,)? }) => {
        impl$(<$lt>)? $crate::model::webhook::codec::Codec for $ty$(<$lt>)? {
            fn put(&self, out: &mut Vec<u8>) {
                let $ty { $($field),* } = self;
                $($crate::model::webhook::codec::Codec::put($field, out);)*
            }
            fn get(input: &mut &[u8]) -> Result<Self, $crate::model::webhook::codec::Corrupt> {
                Ok($ty { $($field: $crate::model::webhook::codec::Codec::get(input)?),* })
            }
            fn get_into(
                &mut self,
                input: &mut &[u8],
            ) -> Result<(), $crate::model::webhook::codec::Corrupt> {
                let $ty { $($field),* } = self;
                $($crate::model::webhook::codec::Codec::get_into($field, input)?;)*
                Ok(())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Codec + PartialEq + std::fmt::Debug + Clone>(value: T) {
        let mut bytes = Vec::new();
        value.put(&mut bytes);
        let mut input = &bytes[..];
        assert_eq!(T::get(&mut input).unwrap(), value);
        assert!(input.is_empty());
        // Read into a value that held something else, and into one that held the same.
        let mut held = T::get(&mut &FILLER[..]).unwrap_or_else(|_| value.clone());
        for _ in 0..2 {
            let mut input = &bytes[..];
            held.get_into(&mut input).unwrap();
            assert_eq!(held, value);
            assert!(input.is_empty());
        }
    }

    /// Bytes that read as some value of most types above (long strings, lists, `Some`).
    const FILLER: [u8; 40] = [
        1, 3, 1, 2, 3, 4, 5, 6, 7, 8, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120,
        120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120, 120,
    ];

    #[test]
    fn values_read_back_as_written() {
        round_trip(0u64);
        round_trip(u64::MAX);
        round_trip(i64::MIN);
        round_trip(1.5f32);
        round_trip(usize::MAX);
        round_trip(300usize);
        round_trip(String::from("Nováková 🙂"));
        round_trip(Box::<str>::from(""));
        round_trip(Some(vec![(1i64, String::from("a")), (2, String::new())]));
        round_trip(None::<bool>);
        round_trip([(1i64, 2i64); 3]);
        round_trip((true, Some(3i64), Some(Box::<str>::from("x"))));
        round_trip(Some(String::from("shorter")));
        round_trip(vec![String::from("a"); 5]);
        round_trip(Vec::<String>::new());
        round_trip(Some(vec![
            Some(String::from("x")),
            None,
            Some(String::new()),
        ]));
    }

    #[derive(Debug, Clone, PartialEq, Default)]
    struct Sample {
        a: String,
        b: Option<Vec<String>>,
        c: i64,
    }
    codec_struct!(Sample { a, b, c });

    #[test]
    fn a_struct_read_into_another_is_the_value_read() {
        let values = [
            Sample {
                a: "first, and long enough to have a capacity".into(),
                b: Some(vec!["x".into(), "y".into(), "z".into()]),
                c: -1,
            },
            Sample::default(),
            Sample {
                a: "b".into(),
                b: Some(vec!["only".into()]),
                c: 7,
            },
            Sample {
                a: String::new(),
                b: None,
                c: i64::MAX,
            },
        ];
        let mut held = Sample::default();
        for value in values.iter().chain(values.iter().rev()) {
            let mut bytes = Vec::new();
            value.put(&mut bytes);
            let mut input = &bytes[..];
            held.get_into(&mut input).unwrap();
            assert_eq!(&held, value);
            assert!(input.is_empty());
        }
    }

    #[test]
    fn truncated_bytes_are_an_error_not_a_panic() {
        let mut bytes = Vec::new();
        vec![String::from("hello"), String::from("world")].put(&mut bytes);
        for end in 0..bytes.len() {
            assert!(Vec::<String>::get(&mut &bytes[..end]).is_err());
        }
    }
}
