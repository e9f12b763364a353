//! Text for people on a terminal and in HTML: where the web links are, and lines wrapped at
//! word boundaries that never break a link.

use std::ops::Range;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Characters that end a link when they close it (`see https://x.cz/a.` → `https://x.cz/a`).
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', '\'', '"', ')', ']', '}', '>'];

/// The byte ranges of the `http://` and `https://` links in `text`: from the scheme (at the
/// start or after a space or an opening bracket or quote) to the next space, quote or angle
/// bracket, without trailing punctuation. Every other scheme is text.
pub fn links(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = find_scheme(&lower[from..]).map(|at| at + from) {
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "([{<\"'".contains(c));
        let rest = &text[at..];
        let len = rest
            .find(|c: char| c.is_whitespace() || c.is_control() || "<>\"".contains(c))
            .unwrap_or(rest.len());
        let mut link = &rest[..len];
        loop {
            let trimmed = link.trim_end_matches(|c| TRAILING.contains(&c) && c != ')');
            // A closing bracket belongs to the link when the link opened one (Wikipedia).
            let trimmed = match trimmed.strip_suffix(')') {
                Some(inner) if inner.matches('(').count() < trimmed.matches(')').count() => inner,
                _ => trimmed,
            };
            if trimmed.len() == link.len() {
                break;
            }
            link = trimmed;
        }
        let scheme_only = link.ends_with("://");
        if starts_word && !scheme_only {
            found.push(at..at + link.len());
        }
        from = at + len.max(1);
    }
    found
}

/// Where the first `http://` or `https://` of a lowercased text starts.
fn find_scheme(lower: &str) -> Option<usize> {
    let http = lower.find("http://");
    let https = lower.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether the whole word is a web link (perhaps in brackets or followed by punctuation).
fn holds_link(word: &str) -> bool {
    !links(word).is_empty()
}

/// `text` (which may hold line breaks) on lines of at most `width` display columns, broken
/// at spaces. A word wider than a line is broken at a character boundary — except a web link,
/// which keeps a line of its own, whole. Runs of spaces and tabs read as one space.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split_whitespace() {
            let w = word.width();
            if used > 0 && used + 1 + w <= width {
                line.push(' ');
                line.push_str(word);
                used += 1 + w;
                continue;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if w <= width || holds_link(word) {
                line.push_str(word);
                used = w;
                continue;
            }
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width && used > 0 {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        links(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn web_links_only() {
        assert_eq!(
            found("see https://x.cz/a?b=1. or (http://y.cz/p) ok"),
            ["https://x.cz/a?b=1", "http://y.cz/p"]
        );
        assert_eq!(
            found("javascript:alert(1) ftp://x mailto:a@b"),
            Vec::<&str>::new()
        );
        assert_eq!(
            found("https://en.wikipedia.org/wiki/Rust_(programming_language)"),
            ["https://en.wikipedia.org/wiki/Rust_(programming_language)"]
        );
        assert_eq!(found("xhttps://evil.cz https://"), Vec::<&str>::new());
        assert_eq!(found("<https://a.cz/\"onclick=x>"), ["https://a.cz/"]);
        assert_eq!(found("HTTPS://A.CZ"), ["HTTPS://A.CZ"]);
    }

    #[test]
    fn wraps_at_words_and_keeps_links_whole() {
        assert_eq!(
            wrap("We're glad to help you", 10),
            ["We're glad", "to help", "you"]
        );
        assert_eq!(
            wrap("go to https://example.com/a/very/long/path now", 12),
            ["go to", "https://example.com/a/very/long/path", "now"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("日本語のテキスト", 6), ["日本語", "のテキ", "スト"]);
        assert_eq!(wrap("one\n\ntwo", 10), ["one", "", "two"]);
    }
}
