//! Every version of each routine (the one the crate calls, the portable one and, on x86_64,
//! the SSE2 one) against its naive reference: exhaustively over short inputs made of the bytes
//! that matter, and on pseudo-random ones.

#[cfg(target_arch = "x86_64")]
use super::x86_64;
use super::{naive, portable};

type WordCount = fn(&str) -> i64;
type StringStop = fn(&[u8]) -> Option<usize>;
type NeedsQuotes = fn(&[u8], u8, &[bool; 256]) -> bool;

fn word_counts() -> Vec<(&'static str, WordCount)> {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut all: Vec<(&'static str, WordCount)> = vec![
        ("dispatched", super::count_words),
        ("portable", portable::count_words),
    ];
    #[cfg(target_arch = "x86_64")]
    all.push(("sse2", x86_64::count_words));
    all
}

fn string_stops() -> Vec<(&'static str, StringStop)> {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut all: Vec<(&'static str, StringStop)> = vec![
        ("dispatched", super::json_string_stop),
        ("portable", portable::json_string_stop),
    ];
    #[cfg(target_arch = "x86_64")]
    all.push(("sse2", x86_64::json_string_stop));
    all
}

fn quotings() -> Vec<(&'static str, NeedsQuotes)> {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut all: Vec<(&'static str, NeedsQuotes)> = vec![
        ("dispatched", super::needs_quotes),
        ("portable", portable::needs_quotes),
    ];
    #[cfg(target_arch = "x86_64")]
    all.push(("sse2", x86_64::needs_quotes));
    all
}

/// The table `render::delimited` makes for a delimiter.
fn special_table(delimiter: u8) -> [bool; 256] {
    let mut special = [false; 256];
    for b in [delimiter, b'"', b'\r', b'\n'] {
        special[usize::from(b)] = true;
    }
    special
}

/// Characters that matter to word counting: ASCII white space and its neighbours (0x08, 0x0E,
/// 0x1C..0x1F, `!`), every non-ASCII White_Space character and characters that share their
/// lead byte (0xC2, 0xE1..0xE3) or their continuation bytes (0x85, 0xA0, 0x80), letters of
/// two, three and four bytes.
const CHARS: &[&str] = &[
    "w", "ž", "é", "😀", " ", "\t", "\n", "\u{0B}", "\u{0C}", "\r", "\u{08}", "\u{0E}", "\u{1C}",
    "\u{1D}", "\u{1E}", "\u{1F}", "!", "\u{7F}", ",", "\"", "\u{85}", "\u{A0}", "\u{80}", "\u{A9}",
    "\u{145}", "\u{E0}", "\u{1680}", "\u{1681}", "\u{1000}", "\u{2000}", "\u{2003}", "\u{200A}",
    "\u{200B}", "\u{2013}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{2060}", "\u{20AC}",
    "\u{2100}", "\u{3000}", "\u{3001}", "\u{3042}", "\u{FEFF}",
];

/// Bytes that matter to the scans: control bytes (0x00, 0x1F and their neighbours), the bytes
/// that end a JSON string run or force quotes, delimiters, and bytes of 0x80 and above (a
/// signed compare would take them for control bytes).
const BYTES: &[u8] = &[
    0x00, 0x01, 0x08, b'\t', b'\n', 0x0B, 0x0C, b'\r', 0x0E, 0x1C, 0x1F, b' ', b'!', b'"', b',',
    b';', b':', b'\\', b'a', b'x', 0x7F, 0x80, 0x85, 0x9F, 0xA0, 0xC2, 0xC3, 0xDC, 0xE1, 0xE3,
    0xE9, 0xFF,
];

/// Delimiters the command line accepts (anything but `"`, CR and LF), the usual and odd ones.
const DELIMITERS: &[u8] = &[b',', b'\t', b';', b':', b'a', b'\\', 0x00, 0x1F, 0xE9, 0xFF];

/// xorshift64: reproducible pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn check_words(versions: &[(&str, WordCount)], text: &str) {
    let expected = naive::count_words(text);
    for (name, count) in versions {
        assert_eq!(count(text), expected, "{name}: {text:?}");
    }
}

fn check_stop(versions: &[(&str, StringStop)], bytes: &[u8]) {
    let expected = naive::json_string_stop(bytes);
    for (name, stop) in versions {
        assert_eq!(stop(bytes), expected, "{name}: {bytes:02X?}");
    }
}

fn check_quotes(versions: &[(&str, NeedsQuotes)], field: &[u8], delimiter: u8) {
    let special = special_table(delimiter);
    check_quotes_with(versions, field, delimiter, &special);
}

fn check_quotes_with(
    versions: &[(&str, NeedsQuotes)],
    field: &[u8],
    delimiter: u8,
    special: &[bool; 256],
) {
    let expected = naive::needs_quotes(field, delimiter);
    for (name, quotes) in versions {
        assert_eq!(
            quotes(field, delimiter, special),
            expected,
            "{name}: delimiter {delimiter:02X} {field:02X?}"
        );
    }
}

/// `n` copies of `background`, the one at `at` replaced by `c`.
fn planted<T: Clone>(background: T, n: usize, at: usize, c: T) -> Vec<T> {
    let mut all = vec![background; n];
    all[at] = c;
    all
}

#[test]
fn naive_references_are_what_they_say() {
    assert_eq!(naive::count_words(" a\u{3000}b\u{1C}c \u{A0}"), 2);
    assert_eq!(naive::json_string_stop(b"ab\xE9\x7F\\\""), Some(4));
    assert_eq!(naive::json_string_stop(b"ab\x1F\""), Some(2));
    assert_eq!(naive::json_string_stop(b"ab \x7F\x80\xFF"), None);
    assert!(naive::needs_quotes(b"a;b", b';'));
    assert!(!naive::needs_quotes(b"a;b", b','));
    assert!(naive::needs_quotes(b"a\rb", b','));
}

// Word counts.

#[test]
fn word_counts_agree_with_naive_for_one_character_at_every_place() {
    // Every length up to 40 characters, each character of CHARS at every place, in runs of a
    // letter, of blanks and of wide characters.
    let versions = word_counts();
    for background in ["w", " ", "ž", "\u{3000}", "\u{A0}"] {
        for n in 0..=40 {
            check_words(&versions, &background.repeat(n));
            for at in 0..n {
                for &c in CHARS {
                    check_words(&versions, &planted(background, n, at, c).concat());
                }
            }
        }
    }
}

#[test]
fn word_counts_agree_with_naive_for_two_characters_at_every_place() {
    // Every pair of CHARS side by side at every place of a text of 35 (so across the ends of
    // 8- and 16-byte blocks), after a word or a blank.
    let versions = word_counts();
    for background in ["w", " "] {
        for at in 0..34 {
            for &a in CHARS {
                for &b in CHARS {
                    let mut text = vec![background; 35];
                    text[at] = a;
                    text[at + 1] = b;
                    check_words(&versions, &text.concat());
                }
            }
        }
    }
}

#[test]
fn word_counts_agree_with_naive_at_every_alignment() {
    // The same texts starting at each of sixteen addresses.
    let versions = word_counts();
    for offset in 0..16 {
        for n in 0..=40 {
            for at in 0..n {
                for c in [" ", "\u{1C}", "\u{A0}", "\u{A9}", "\u{2003}", "\u{3001}"] {
                    let text = "x".repeat(offset) + &planted("w", n, at, c).concat();
                    check_words(&versions, &text[offset..]);
                }
            }
        }
    }
}

#[test]
fn word_counts_agree_with_naive_on_random_texts() {
    // Up to 120 characters from CHARS, with some code points up to U+3100 among them.
    let versions = word_counts();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..5000 {
        let n = rng.below(121);
        let text: String = (0..n)
            .map(|_| match rng.below(8) {
                0 => char::from_u32(rng.below(0x3100) as u32)
                    .unwrap_or('?')
                    .to_string(),
                _ => CHARS[rng.below(CHARS.len())].to_string(),
            })
            .collect();
        let offset = rng.below(16);
        let shifted = "x".repeat(offset) + &text;
        check_words(&versions, &shifted[offset..]);
    }
}

#[test]
fn ascii_word_count_agrees_with_split_whitespace() {
    for (name, count_words) in word_counts() {
        for text in [
            "",
            " ",
            "a",
            " a  b\tc\n",
            "x\u{0B}y\u{0C}z\r",
            "Hi, how can i help you ?",
        ] {
            assert_eq!(
                count_words(text),
                text.split_whitespace().count() as i64,
                "{name} {text:?}"
            );
        }
        assert_eq!(count_words("Dobrý\u{A0}den"), 2, "{name}");
    }
}

#[test]
fn every_white_space_character_separates_words() {
    // Every char up to U+FFFF (and some above) between two words, as split_whitespace has it.
    for (name, count_words) in word_counts() {
        for c in (0u32..0x1_0000)
            .chain([0x1_F600, 0x10_FFFF])
            .filter_map(char::from_u32)
        {
            let text = format!("a{c}b ž{c}{c}ř");
            assert_eq!(
                count_words(&text),
                text.split_whitespace().count() as i64,
                "{name} U+{:04X}",
                c as u32
            );
        }
    }
}

#[test]
fn eight_bytes_at_once_agree_with_split_whitespace() {
    // Every pair of ASCII characters and some wider ones (spaces among them) at every place
    // of the 8-byte blocks counted at once, after a word or a blank, across a block's end.
    let wide = [
        'é', 'ž', '–', '€', '😀', '\u{85}', '\u{a0}', '\u{1680}', '\u{2003}',
    ];
    let chars: Vec<char> = (0u8..128).map(char::from).chain(wide).collect();
    let versions = word_counts();
    for first in ['w', ' '] {
        for &a in &chars {
            for &b in &chars {
                for at in (1..10).chain([14, 15, 16, 17]) {
                    let mut text: Vec<char> = vec!['w'; 35];
                    text[0] = first;
                    text[at] = a;
                    text[at + 1] = b;
                    let text: String = text.into_iter().collect();
                    for (name, count_words) in &versions {
                        assert_eq!(
                            count_words(&text),
                            text.split_whitespace().count() as i64,
                            "{name} {text:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_last_bytes_of_a_text_agree_with_split_whitespace() {
    // Texts of every length up to 40 bytes, one character changed at every place, after a
    // word or a blank: the last 1 to 15 bytes are counted with the block of the text's
    // last sixteen (or, in a shorter text, padded) and only some of its bits.
    let wide = [
        'é', 'ž', '–', '€', '😀', '\u{85}', '\u{a0}', '\u{1680}', '\u{2003}', '\u{3000}',
    ];
    let chars: Vec<char> = (0u8..128).map(char::from).chain(wide).collect();
    let versions = word_counts();
    for first in ['w', ' '] {
        for len in 1..=40 {
            for at in 0..len {
                for &c in &chars {
                    let mut text: Vec<char> = vec!['w'; len];
                    text[0] = first;
                    text[at] = c;
                    let text: String = text.into_iter().collect();
                    for (name, count_words) in &versions {
                        assert_eq!(
                            count_words(&text),
                            text.split_whitespace().count() as i64,
                            "{name} {text:?}"
                        );
                    }
                }
            }
        }
    }
}

proptest::proptest! {
    #[test]
    fn long_mostly_ascii_word_counts_agree(text in "([ \t\n\x0b\x0c\r\x1cA-Za-z0-9,.]|\u{a0}|ž|\u{3000}){0,120}") {
        for (name, count_words) in word_counts() {
            proptest::prop_assert_eq!(count_words(&text), text.split_whitespace().count() as i64, "{}", name);
        }
    }

    #[test]
    fn word_count_agrees_with_split_whitespace(text in "(\\PC|\\s|\u{a0}|\u{2003}|\u{3000}|\u{85}){0,40}") {
        for (name, count_words) in word_counts() {
            proptest::prop_assert_eq!(count_words(&text), text.split_whitespace().count() as i64, "{}", name);
        }
    }
}

// The end of a run of JSON string text.

#[test]
fn string_stops_agree_with_naive_for_one_byte_at_every_place() {
    let versions = string_stops();
    for background in [b'a', b' ', 0x7F, 0x80, 0xE9, 0xFF] {
        for n in 0..=40 {
            check_stop(&versions, &vec![background; n]);
            for at in 0..n {
                for &c in BYTES {
                    check_stop(&versions, &planted(background, n, at, c));
                }
            }
        }
    }
}

#[test]
fn string_stops_agree_with_naive_for_two_bytes_at_every_place() {
    let versions = string_stops();
    for at in 0..39 {
        for &a in BYTES {
            for &b in BYTES {
                let mut bytes = vec![0xE9; 40];
                bytes[at] = a;
                bytes[at + 1] = b;
                check_stop(&versions, &bytes);
            }
        }
    }
}

#[test]
fn string_stops_agree_with_naive_at_every_alignment() {
    let versions = string_stops();
    for offset in 0..16 {
        for n in 0..=40 {
            for at in 0..n {
                for c in [b'"', b'\\', 0x00, 0x1F, 0x20, 0x80, 0xFF] {
                    let mut bytes = vec![b'x'; offset];
                    bytes.extend(planted(b'a', n, at, c));
                    check_stop(&versions, &bytes[offset..]);
                }
            }
        }
    }
}

#[test]
fn string_stops_agree_with_naive_on_random_bytes() {
    let versions = string_stops();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..5000 {
        let n = rng.below(131);
        // Mostly plain text, so that the stop is often far in.
        let bytes: Vec<u8> = (0..n)
            .map(|_| match rng.below(16) {
                0 => BYTES[rng.below(BYTES.len())],
                1 => rng.next() as u8,
                _ => b"plain text \xC3\xA9"[rng.below(13)],
            })
            .collect();
        let offset = rng.below(16);
        check_stop(&versions, &bytes[offset.min(n)..]);
    }
}

#[test]
fn special_bytes_are_found_at_every_place_of_a_block() {
    for (name, json_string_stop) in string_stops() {
        for len in 0..40 {
            for at in 0..len {
                for c in [b'"', b'\\', 0, 0x1F] {
                    let mut b = vec![b'a'; len];
                    b[at] = c;
                    b.iter_mut().skip(at + 1).for_each(|x| *x = 0xE9);
                    assert_eq!(json_string_stop(&b), Some(at), "{name} {len} {at} {c}");
                }
            }
            let b: Vec<u8> = (0..len)
                .map(|i| [b'a', 0x20, 0x7F, 0x80, 0xFF][i % 5])
                .collect();
            assert_eq!(json_string_stop(&b), None, "{name} {len}");
        }
    }
}

// Whether a CSV field needs quotes.

#[test]
fn quoting_agrees_with_naive_for_one_byte_at_every_place() {
    // Up to 64 bytes: the portable version scans from 48 bytes on, the SSE2 one from 16.
    let versions = quotings();
    for &delimiter in DELIMITERS {
        let special = special_table(delimiter);
        for background in [b'x', 0xC3] {
            for n in 0..=64 {
                let mut field = vec![background; n];
                check_quotes_with(&versions, &field, delimiter, &special);
                for at in 0..n {
                    for &c in BYTES {
                        field[at] = c;
                        check_quotes_with(&versions, &field, delimiter, &special);
                    }
                    field[at] = background;
                }
            }
        }
    }
}

#[test]
fn quoting_agrees_with_naive_for_two_bytes_at_every_place() {
    let versions = quotings();
    for delimiter in [b',', 0xE9] {
        for n in [40, 60] {
            for at in 0..n - 1 {
                for &a in BYTES {
                    for &b in BYTES {
                        let mut field = vec![b'x'; n];
                        field[at] = a;
                        field[at + 1] = b;
                        check_quotes(&versions, &field, delimiter);
                    }
                }
            }
        }
    }
}

#[test]
fn quoting_agrees_with_naive_at_every_alignment() {
    let versions = quotings();
    for offset in 0..16 {
        for n in 0..=70 {
            for at in 0..n {
                for c in [b',', b'"', b'\r', b'\n', b'\t', 0xAC] {
                    let mut field = vec![b'x'; offset];
                    field.extend(planted(b'a', n, at, c));
                    check_quotes(&versions, &field[offset..], b',');
                }
            }
        }
    }
}

#[test]
fn quoting_agrees_with_naive_on_random_fields() {
    let versions = quotings();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..5000 {
        let n = rng.below(200);
        let delimiter = DELIMITERS[rng.below(DELIMITERS.len())];
        // Mostly plain text, so that the byte that forces quotes is often far in, or absent.
        let field: Vec<u8> = (0..n)
            .map(|_| match rng.below(40) {
                0 => BYTES[rng.below(BYTES.len())],
                1 => rng.next() as u8,
                _ => b"plain text \xC3\xA9"[rng.below(13)],
            })
            .collect();
        let offset = rng.below(16);
        check_quotes(&versions, &field[offset.min(n)..], delimiter);
    }
}

#[test]
fn one_special_byte_anywhere_in_a_field_quotes_it() {
    for (name, needs_quotes) in quotings() {
        for delimiter in [b',', b'\t', b'a', b'b', 0xE9] {
            let special = special_table(delimiter);
            for len in 0..70 {
                for filler in [b'x', b'a', b'b', 0xC3] {
                    let plain = vec![filler; len];
                    assert_eq!(
                        needs_quotes(&plain, delimiter, &special),
                        filler == delimiter && len > 0,
                        "{name}"
                    );
                    for at in 0..len {
                        for byte in [delimiter, b'"', b'\r', b'\n'] {
                            let mut field = plain.clone();
                            field[at] = byte;
                            assert!(
                                needs_quotes(&field, delimiter, &special),
                                "{name} {delimiter} {len} {at}"
                            );
                        }
                    }
                }
            }
        }
    }
}
