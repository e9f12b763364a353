//! Tables that always fit and transcripts that wrap: at 60, 80, 100 and 160 columns no line
//! of list, stats (every grouping) or `export --format table` is wider than the terminal,
//! hidden columns are named, and `show` wraps under the text column.

use crate::common::{official_with, Workdir};
use unicode_width::UnicodeWidthStr;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/2026");
const WIDTHS: [usize; 4] = [60, 80, 100, 160];

fn run_at(width: usize, args: &[&str]) -> String {
    let wd = Workdir::new();
    let output = wd
        .command(args)
        .env("COLUMNS", width.to_string())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn assert_fits(width: usize, text: &str, what: &str) {
    for line in text.lines() {
        assert!(
            line.width() <= width,
            "{what} at {width}: {} columns: {line:?}\n{text}",
            line.width()
        );
    }
}

#[test]
fn no_table_line_is_wider_than_the_terminal() {
    let bys = [
        "day", "week", "month", "hour", "weekday", "agent", "country", "group", "status",
    ];
    for width in WIDTHS {
        let list = run_at(width, &["list", "-f", "table", SAMPLE]);
        assert_fits(width, &list, "list");
        let export = run_at(width, &["export", SAMPLE, "--format", "table"]);
        assert_fits(width, &export, "export --format table");
        let messages = run_at(
            width,
            &["export", SAMPLE, "--rows", "messages", "--format", "table"],
        );
        assert_fits(width, &messages, "export --rows messages --format table");
        // Fitting keeps every row and more than one column (even at 60, four of list's).
        for (table, rows, columns) in [(&list, 13, 4), (&export, 13, 3), (&messages, 79, 3)] {
            let shape = shape(table);
            assert_eq!(shape.rows.len(), rows, "{width}:\n{table}");
            assert!(shape.widths.len() >= columns, "{width}:\n{table}");
        }
        for all in [false, true] {
            let mut args = vec!["stats", SAMPLE, "--format", "table", "--quiet"];
            if all {
                args.push("--all");
            }
            let stats = run_at(width, &args);
            assert_fits(width, &stats, "stats");
            assert!(
                stats.contains("conversations                 13\n"),
                "{stats}"
            );
            for by in bys {
                let mut nested = args.clone();
                nested.extend(["--by", by]);
                assert_fits(width, &run_at(width, &nested), &format!("stats --by {by}"));
                nested.extend(["--by", if by == "agent" { "day" } else { "agent" }]);
                assert_fits(width, &run_at(width, &nested), "stats nested");
            }
        }
    }
}

#[test]
fn hidden_columns_are_named_in_priority_order_and_wide_shows_them() {
    let list = run_at(60, &["list", "-f", "table", SAMPLE]);
    let footer: String = list
        .lines()
        .skip_while(|l| !l.contains("hidden"))
        .collect::<Vec<_>>()
        .join(" ");
    insta::assert_snapshot!(footer, @"6 columns hidden: duration, visitor_country_code, agents, messages_counted, rating, first_visitor_message — `--wide` shows all");
    // The most important columns stay, the id whole: id, start, status, visitor.
    let header = list.lines().find(|l| l.starts_with('─')).unwrap();
    assert_eq!(header.split("  ").count(), 4, "{list}");

    let wide = run_at(60, &["list", "-f", "table", SAMPLE, "--wide"]);
    assert!(!wide.contains("hidden"));
    assert!(wide.contains("visitor country code"));
    assert!(wide.lines().any(|l| l.width() > 60));

    // At 160 everything fits: nothing hidden.
    assert!(!run_at(160, &["list", "-f", "table", SAMPLE]).contains("hidden"));
}

/// list's columns from the most important to the least (the order they hide in reverse), and
/// whether a column is text (cut with `…` down to 8 columns before any column hides) or keeps
/// its values' width (numbers, times and the status word: never cut, and at least as wide as
/// their header's longest word).
const LIST_PRIORITY: [(&str, bool); 10] = [
    // Ids are never cut: kept whole like numbers.
    ("conversation_id", false),
    ("begin_at", false),
    ("status", false),
    ("visitor_name", true),
    ("first_visitor_message", true),
    ("agents", true),
    ("duration", false),
    ("messages_counted", false),
    ("rating", false),
    ("visitor_country_code", true),
];
/// A text column shrinks to this many display columns before columns hide.
const TEXT_FLOOR: usize = 8;

/// A table's shape: the widths of its shown columns (from the rule under the header), its
/// data lines, and the columns its footer says are hidden.
struct Shape {
    widths: Vec<usize>,
    rows: Vec<String>,
    hidden: Vec<String>,
}

fn shape(table: &str) -> Shape {
    let lines: Vec<&str> = table.lines().collect();
    let rule = lines.iter().position(|l| l.starts_with('─')).unwrap();
    let widths = lines[rule]
        .split("  ")
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().count())
        .collect();
    let footer = (rule..lines.len())
        .find(|&i| {
            lines[i].starts_with(|c: char| c.is_ascii_digit())
                && (lines[i].contains(" column hidden:") || lines[i].contains(" columns hidden:"))
        })
        .unwrap_or(lines.len());
    let rows = lines[rule + 1..footer]
        .iter()
        .map(|l| l.to_string())
        .collect();
    let hidden = match lines[footer..].join(" ").split_once(" hidden: ") {
        None => Vec::new(),
        Some((count, rest)) => {
            let names: Vec<String> = (rest.split_once(" — ").unwrap().0.split(", "))
                .map(String::from)
                .collect();
            let n: usize = count.split(' ').next().unwrap().parse().unwrap();
            assert_eq!(n, names.len(), "{table}");
            names
        }
    };
    Shape {
        widths,
        rows,
        hidden,
    }
}

/// The narrowest each list column can be, from the values (list's CSV, read here): a text
/// column `TEXT_FLOOR` (or less when everything in it is narrower), any other its widest
/// value as the table writes it or its header's longest word, whichever is wider.
fn floors() -> Vec<usize> {
    let csv_text = run_at(100, &["list", "-f", "csv", SAMPLE]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 13);
    LIST_PRIORITY
        .iter()
        .map(|&(name, text)| {
            let at = header.iter().position(|h| h == name).unwrap();
            let widest = (records.iter())
                .map(|r| match name {
                    // The table shows the start to the minute: 2026-03-02 09:14.
                    "begin_at" => r[at][..16].width(),
                    _ => r[at].width(),
                })
                .max()
                .unwrap();
            let word = name.split('_').map(str::len).max().unwrap();
            if text {
                widest.max(word).min(TEXT_FLOOR)
            } else {
                widest.max(word)
            }
        })
        .collect()
}

/// A fit shows what fits: the columns, most important first, whose narrowest forms fit the
/// width (with two columns between each), and hides only the rest. So a fit that hid every
/// column but one, or one too many, fails; and at 100 columns the id, start and status show.
#[test]
fn what_fits_is_shown_and_only_what_does_not_fit_is_hidden() {
    let floors = floors();
    let all: Vec<&str> = LIST_PRIORITY.iter().map(|(n, _)| *n).collect();
    // In table order (the order of `list --format csv`).
    let table_order = [
        "conversation_id",
        "begin_at",
        "duration",
        "status",
        "visitor_name",
        "visitor_country_code",
        "agents",
        "messages_counted",
        "rating",
        "first_visitor_message",
    ];
    let mut counts = Vec::new();
    for width in WIDTHS {
        // The most important columns whose floors fit, added one by one.
        let mut used = 0;
        let mut fits = 0;
        for floor in &floors {
            let more = used + floor + if fits == 0 { 0 } else { 2 };
            if more > width {
                break;
            }
            used = more;
            fits += 1;
        }
        let expected_shown = &all[..fits];
        let table = run_at(width, &["list", "-f", "table", SAMPLE]);
        let shape = shape(&table);
        let shown: Vec<&str> = (table_order.iter().copied())
            .filter(|name| !shape.hidden.iter().any(|h| h == name))
            .collect();
        assert_eq!(
            shape.hidden.len() + shown.len(),
            10,
            "{width}: {:?}\n{table}",
            shape.hidden
        );
        let mut sorted_shown = shown.clone();
        sorted_shown.sort();
        let mut sorted_expected = expected_shown.to_vec();
        sorted_expected.sort();
        assert_eq!(sorted_shown, sorted_expected, "shown at {width}:\n{table}");
        assert_eq!(shape.widths.len(), shown.len(), "{width}:\n{table}");
        // Every row is there, each starting with its id, and the shown columns fit.
        assert_eq!(shape.rows.len(), 13, "{width}:\n{table}");
        assert!(shape.rows[0].starts_with("61201  "), "{width}:\n{table}");
        let sum: usize = shape.widths.iter().sum::<usize>() + 2 * (shape.widths.len() - 1);
        assert!(sum <= width, "{width}: {sum}");
        // Each column at least as wide as its floor (a number, a time never cut).
        for (name, w) in shown.iter().zip(&shape.widths) {
            let floor = floors[all.iter().position(|n| n == name).unwrap()];
            assert!(*w >= floor, "{name} {w} < {floor} at {width}:\n{table}");
        }
        if width == 100 {
            for name in ["conversation_id", "begin_at", "status"] {
                assert!(shown.contains(&name), "{name} at 100:\n{table}");
            }
        }
        counts.push(shape.hidden.len());
    }
    // What these widths imply for the sample, worked out by hand as a cross-check (the id
    // keeps 12 columns, its header word "conversation").
    assert_eq!(counts, [6, 4, 1, 0]);
}

/// `export --format table` with chosen columns: the first chosen is the most important, so
/// at a width where only some fit, those are the first ones chosen, and one column more
/// shows exactly when the width reaches its floor.
#[test]
fn export_columns_hide_from_the_last_chosen() {
    let columns = "channel_id,status,duration,rating,visitor_country_code";
    // Floors: channel_id 7 ("channel"; ids have 5 digits), status 9 ("completed", never
    // cut), duration 8 (the word; values have up to 4 digits), rating 6 (the word), and
    // visitor_country_code, a text, 8; two columns between each: 7, +2+9 = 18, +2+8 = 28,
    // +2+6 = 36, +2+8 = 46. (Below 20 the footer overflows: the word visitor_country_code
    // is 20 columns wide and does not wrap.)
    for (width, hidden) in [
        (20, &["duration", "rating", "visitor_country_code"][..]),
        (27, &["duration", "rating", "visitor_country_code"]),
        (28, &["rating", "visitor_country_code"]),
        (35, &["rating", "visitor_country_code"]),
        (36, &["visitor_country_code"]),
        (45, &["visitor_country_code"]),
        (46, &[]),
    ] {
        let table = run_at(
            width,
            &["export", SAMPLE, "--format", "table", "--columns", columns],
        );
        let shape = shape(&table);
        assert_eq!(shape.hidden, hidden, "{width}:\n{table}");
        assert_eq!(shape.widths.len(), 5 - hidden.len(), "{width}:\n{table}");
        assert_eq!(shape.rows.len(), 13, "{width}:\n{table}");
        assert_fits(width, &table, "export --columns");
    }
}

#[test]
fn numbers_are_never_cut_and_texts_end_with_an_ellipsis() {
    let export = run_at(
        60,
        &[
            "export",
            SAMPLE,
            "--format",
            "table",
            "--columns",
            "channel_id,visitor_name,messages_counted,words_counted",
        ],
    );
    assert!(!export.contains("hidden"), "{export}");
    for line in export.lines().skip_while(|l| !l.starts_with('─')).skip(1) {
        let id = line.split_whitespace().next().unwrap();
        assert!(
            id.len() == 5 && id.bytes().all(|b| b.is_ascii_digit()),
            "{line}"
        );
    }
    let narrow = run_at(
        17,
        &[
            "export",
            SAMPLE,
            "--format",
            "table",
            "--columns",
            "channel_id,visitor_name",
        ],
    );
    assert_fits(17, &narrow, "narrow export");
    // 山田 太郎 is 9 columns wide: cut at a character boundary, never half a character.
    assert!(narrow.contains("  61420  山田 太…\n"), "{narrow}");
}

#[test]
fn stats_titles_have_units_and_all_shows_every_figure() {
    let compact = run_at(100, &["stats", SAMPLE, "--format", "table", "--quiet"]);
    assert!(compact.contains("first response median (s)"), "{compact}");
    assert!(compact.contains("missed %"));
    assert!(!compact.contains("words (counted)"));
    assert!(compact.contains("more figures — `--all` shows all"));
    let all = run_at(
        100,
        &["stats", SAMPLE, "--format", "table", "--all", "--quiet"],
    );
    for title in [
        "words (counted)",
        "avg response median (s)",
        "rated 5",
        "triggered",
    ] {
        assert!(all.contains(title), "{title} missing:\n{all}");
    }
    assert!(!all.contains("more figures"));
    // CSV keeps the snake_case names and every figure.
    let csv = run_at(100, &["stats", SAMPLE, "--format", "csv", "--quiet"]);
    assert!(csv.starts_with("conversations,chats,completed,"));
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .contains("first_response_median"));
}

#[test]
fn transcripts_wrap_at_words_under_the_text_column() {
    let wd = Workdir::new();
    let text = "We're glad you asked. The Pro plan includes the export model, the warranty \
                and https://shop.example.com/a/really/long/path/that/does/not/fit?x=1 as a link";
    wd.write(
        "data.json",
        official_with("\"Hello\"", &serde_json::to_string(text).unwrap()).replace(
            "Test Trigger",
            "A very long trigger name that pushes things",
        ),
    );
    let output = wd
        .command(&["show", "data.json"])
        .env("COLUMNS", "60")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let messages = &stdout[stdout.find("──").unwrap()..];
    insta::assert_snapshot!(messages, @r#"
    ── 2015-03-27 Friday ──
    15:33:59  Dusan Kmet        We're glad you asked. The Pro
                                plan includes the export model,
                                the warranty and
                                https://shop.example.com/a/really/long/path/that/does/not/fit?x=1
                                as a link
    15:34:06  · John Doe joined the chat
    15:34:09  trigger: A very long trigger name that pushes
              things
                                This is triggered message
    15:34:13  John Doe          Hi, how can i help you ?
    15:34:33  Dusan Kmet        tanks.
    15:34:36  · the visitor closed the chat
    "#);
    for line in stdout.lines().filter(|l| !l.contains("https://")) {
        assert!(line.width() <= 60, "{line:?}");
    }
}

mod rule {
    //! The fitting rule on any table: never wider than the width (unless one kept column alone
    //! is wider), numbers never narrower than their values, the most important column shown,
    //! and columns hidden only in priority order.

    use crate::common::regressions_beside_file;
    use proptest::prelude::*;
    use sshook::render::table::{fit, render, Header, Look, Shown, Width};
    use unicode_width::UnicodeWidthStr;

    fn column() -> impl Strategy<Value = (bool, u16, String)> {
        (any::<bool>(), 0u16..6, "[a-z_ 日本👋éš]{0,30}")
    }

    proptest! {
        #![proptest_config(regressions_beside_file(ProptestConfig::default()))]

        #[test]
        fn any_table_fits(columns in prop::collection::vec(column(), 1..9), total in 1usize..200) {
            let headers: Vec<Header> = columns
                .iter()
                .enumerate()
                .map(|(i, (number, priority, _))| Header {
                    name: format!("col_{i}"),
                    right: *number,
                    keep: *number,
                    priority: *priority,
                })
                .collect();
            let row: Vec<Shown> = columns
                .iter()
                .map(|(number, _, text)| Shown {
                    text: if *number { text.len().to_string() } else { text.clone() },
                    ..Shown::default()
                })
                .collect();
            let values: Vec<usize> = row.iter().map(|s| s.text.width()).collect();
            let layout = fit(&headers, &values, Some(total));
            let shown: Vec<usize> = (0..headers.len()).filter(|&i| layout.widths[i].is_some()).collect();
            prop_assert!(!shown.is_empty());
            let sum: usize = layout.widths.iter().flatten().sum::<usize>() + 2 * (shown.len() - 1);
            let alone_too_wide = shown.len() == 1;
            prop_assert!(sum <= total || alone_too_wide, "{layout:?} > {total}");
            for &i in &shown {
                if headers[i].keep {
                    prop_assert!(layout.widths[i].unwrap() >= values[i]);
                }
            }
            // A hidden column is never more important than a shown one.
            let least_shown = shown.iter().map(|&i| headers[i].priority).max().unwrap();
            for i in (0..headers.len()).filter(|i| layout.widths[*i].is_none()) {
                prop_assert!(headers[i].priority >= least_shown);
            }
            let text = render(&headers, &[row], Width::Fixed(total as u16), Look::default());
            if !alone_too_wide {
                for line in text.lines().filter(|l| !l.contains("hidden")) {
                    prop_assert!(line.width() <= total, "{line:?}");
                }
            }
        }
    }
}
