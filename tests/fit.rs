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
        for all in [false, true] {
            let mut args = vec!["stats", SAMPLE, "--format", "table", "--quiet"];
            if all {
                args.push("--all");
            }
            assert_fits(width, &run_at(width, &args), "stats");
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
