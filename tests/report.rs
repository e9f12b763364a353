//! `sshook report`: one self-contained page whose figures are those of `sshook stats`.

use std::collections::BTreeMap;

use crate::common::{self, agents_of, official_with, status, varied, write_ndjson, Workdir};
use crate::common::{MARCH_2, STATUSES};
use serde_json::Value;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/2026");

/// `data-figure="NAME" data-value="VALUE"` pairs of the headline, in page order.
fn headline(page: &str) -> Vec<(String, String)> {
    let mut figures = Vec::new();
    for part in page.split("data-figure=\"").skip(1) {
        let (name, rest) = part.split_once('"').unwrap();
        let value = rest.split_once("data-value=\"").unwrap().1;
        let value = value.split_once('"').unwrap().0;
        figures.push((name.to_owned(), value.to_owned()));
    }
    figures
}

fn stats_json(wd: &Workdir, args: &[&str]) -> Value {
    let mut all = vec!["stats", "--format", "json", "--quiet"];
    all.extend(args);
    let run = wd.run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn report(wd: &Workdir, args: &[&str]) -> String {
    let mut all = vec!["report", "--quiet", "-o", "report.html"];
    all.extend(args);
    let run = wd.run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    wd.read("report.html")
}

/// Every headline figure equals the total of `stats --format json`, to the last digit.
fn assert_headline_equals_stats(wd: &Workdir, args: &[&str]) {
    let page = report(wd, args);
    let stats = stats_json(wd, args);
    let figures = headline(&page);
    assert_eq!(figures.len(), 7, "{figures:?}");
    for (name, value) in figures {
        let expected = &stats["total"][&name];
        let got: Value = serde_json::from_str(&value).unwrap();
        assert_eq!(
            got.as_f64(),
            expected.as_f64(),
            "{name} with {args:?}: report {value}, stats {expected}"
        );
    }
}

#[test]
fn headline_figures_equal_stats_for_the_same_selection() {
    let wd = Workdir::new();
    assert_headline_equals_stats(&wd, &[SAMPLE]);
    assert_headline_equals_stats(
        &wd,
        &[SAMPLE, "--since", "2026-03-10", "--tz", "Europe/Prague"],
    );
    assert_headline_equals_stats(&wd, &[SAMPLE, "--status", "completed", "--rated"]);
    assert_headline_equals_stats(&wd, &[SAMPLE, "--agent", "John Doe"]);
}

#[test]
fn agent_table_equals_stats_by_agent() {
    let wd = Workdir::new();
    let page = report(&wd, &[SAMPLE, "--utc"]);
    let stats = stats_json(&wd, &[SAMPLE, "--utc", "--by", "agent"]);
    let table = &page[page.find("<h2>Agents</h2>").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    for group in stats["groups"].as_array().unwrap() {
        let name = group["agent"].as_str().unwrap();
        let row = table
            .split("<tr>")
            .find(|r| r.starts_with(&format!("<td>{name}</td>")))
            .unwrap_or_else(|| panic!("{name} missing in {table}"));
        let conversations = group["conversations"].as_i64().unwrap();
        let median = group["first_response_median"].as_f64().unwrap();
        assert!(
            row.contains(&format!("<td class=\"n\">{conversations}</td>")),
            "{row}"
        );
        assert!(row.contains(&format!("{median:.1} s")), "{row}");
    }
}

#[test]
fn the_page_is_self_contained_and_has_every_chart() {
    let wd = Workdir::new();
    let page = report(&wd, &[SAMPLE, "--utc"]);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    ));
    // Nothing is fetched: no scripts, images, stylesheets, fonts or frames.
    for needle in [
        "<script", "<img", "<link", "<iframe", "url(", "@import", "src=",
    ] {
        assert!(!page.contains(needle), "{needle} in the page");
    }
    assert_eq!(page.matches("<svg ").count(), 5);
    for caption in [
        "Conversations per day, by status",
        "Missed rate per day",
        "First response time of",
        "When conversations start: weekday × hour",
        "Ratings: ",
        "<h2>Agents</h2>",
        "<h2>Top countries</h2>",
        "<h2>Top groups</h2>",
        "<h2>Top triggers</h2>",
        "<h2>Definitions</h2>",
        "prefers-color-scheme:dark",
        "@media print",
    ] {
        assert!(page.contains(caption), "{caption} missing");
    }
    // Median and p90 are marked on the histogram.
    assert!(page.contains(">median 28.5 s<"), "median marker");
    assert!(page.contains(">p90 75 s<"), "p90 marker");
    // Every headline figure has its definition on hover and in a footnote.
    assert_eq!(page.matches("<div class=\"card\" title=\"").count(), 7);
    assert_eq!(page.matches("<li id=\"def-").count(), 7);
    // Aggregates only: no message text reaches the page.
    assert!(!page.contains("Dobrý den"));
    assert!(page.len() < 100_000, "{} bytes", page.len());
}

#[test]
fn markup_in_the_data_is_escaped() {
    let wd = Workdir::new();
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let json = official_with("\"John Doe\"", &serde_json::to_string(evil).unwrap())
        .replace("\"Test Trigger\"", &serde_json::to_string(evil).unwrap())
        .replace("\"CZ\"", &serde_json::to_string(evil).unwrap());
    wd.write("evil.json", json);
    let page = report(&wd, &["evil.json"]);
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("<img"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn spans_choose_days_weeks_or_months() {
    let wd = Workdir::new();
    let day = 86_400_000_i64;
    let start = 1_767_225_600_000_i64; // 2026-01-01T00:00:00Z
    let lines: Vec<String> = (0..30)
        .map(|i| common::payload(i + 1, start + i * 20 * day))
        .collect();
    wd.write("long.ndjson", lines.join("\n"));
    let page = report(&wd, &["long.ndjson", "--utc"]);
    // 580 days: too many for days, about 83 weeks; weeks without conversations are drawn
    // (empty) so the time axis is even.
    assert!(page.contains("Conversations per week, by status"), "weeks");
    assert!(
        page.contains("2026-W02: 0 conversations</title>"),
        "empty weeks"
    );
    let lines: Vec<String> = (0..30)
        .map(|i| common::payload(i + 1, start + i * 40 * day))
        .collect();
    wd.write("long.ndjson", lines.join("\n"));
    let page = report(&wd, &["long.ndjson", "--utc"]);
    assert!(
        page.contains("Conversations per month, by status"),
        "months"
    );
}

#[test]
fn an_empty_selection_still_gives_a_page() {
    let wd = Workdir::new();
    let page = report(&wd, &[SAMPLE, "--since", "2030-01-01"]);
    assert!(page.contains("no conversations"));
    assert!(page.contains("data-figure=\"conversations\" data-value=\"0\""));
}

/// One line on stderr names where the report went and how many conversations it holds.
#[test]
fn report_says_what_it_wrote() {
    let wd = crate::common::Workdir::new();
    wd.write("a.json", crate::common::payload(1, 1_700_000_000_000))
        .write("b.json", crate::common::payload(2, 1_700_000_100_000));
    let run = wd.run(&["report", "a.json", "b.json", "-o", "r.html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "report: 2 payloads read, 2 conversations in r.html\n"
    );
    let run = wd.run(&["report", "a.json", "--since", "2030-01-01"]);
    assert_eq!(
        run.stderr,
        "report: 1 payload read, 0 conversations in standard output\n"
    );
    assert!(run.stdout.starts_with("<!DOCTYPE html>"));
}

/// On a phone's width nothing but a table's own box scrolls: every table sits in a box that
/// scrolls (`.wide`), and no grid column asks for more than the screen.
#[test]
fn wide_tables_scroll_in_their_own_box() {
    let wd = crate::common::Workdir::new();
    wd.write("a.json", crate::common::OFFICIAL);
    let page = wd.run(&["report", "a.json"]).stdout;
    let tables = page.matches("<table").count();
    assert!(tables >= 2, "{page}");
    assert_eq!(page.matches("<div class=\"wide\"><table").count(), tables);
    assert!(page.contains(".wide{overflow-x:auto"));
    assert!(
        !page.contains("minmax(28rem"),
        "a chart column wider than a phone"
    );
}

// ---- Figures counted by the test from the payloads it wrote ----

fn median(sorted: &[i64]) -> f64 {
    let n = sorted.len();
    assert!(n > 0);
    if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    }
}

/// The nearest-rank 90th percentile: the ⌈0.9·n⌉-th smallest.
fn p90(sorted: &[i64]) -> f64 {
    sorted[(9 * sorted.len()).div_ceil(10) - 1] as f64
}

/// The seven headline figures of `payloads`, computed here from their JSON.
fn expected_headline(payloads: &[&Value]) -> Vec<(String, f64)> {
    let sorted = |mut v: Vec<i64>| {
        v.sort();
        v
    };
    let int = |p: &Value, name: &str| p["channel"][name].as_i64();
    let first_response = sorted(
        (payloads.iter())
            .filter(|p| p["channel"]["isChat"] == true)
            .filter_map(|p| int(p, "firstResponse"))
            .collect(),
    );
    let durations = sorted(payloads.iter().filter_map(|p| int(p, "duration")).collect());
    let ratings: Vec<i64> = payloads.iter().filter_map(|p| int(p, "rating")).collect();
    let n = payloads.len() as f64;
    let missed = payloads.iter().filter(|p| status(p) == "missed").count() as f64;
    [
        ("conversations", n),
        ("missed_rate", missed / n),
        ("first_response_median", median(&first_response)),
        ("first_response_p90", p90(&first_response)),
        ("duration_median", median(&durations)),
        ("rated", ratings.len() as f64),
        (
            "rating_mean",
            ratings.iter().sum::<i64>() as f64 / ratings.len() as f64,
        ),
    ]
    .map(|(k, v)| (k.to_owned(), v))
    .to_vec()
}

fn headline_values(page: &str) -> Vec<(String, f64)> {
    headline(page)
        .into_iter()
        .map(|(name, value)| {
            let v = value.parse().unwrap_or_else(|_| panic!("{name}: {value}"));
            (name, v)
        })
        .collect()
}

#[test]
fn headline_figures_equal_those_counted_from_the_payloads() {
    let wd = Workdir::new();
    let payloads = varied(60);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let all: Vec<&Value> = payloads.iter().collect();
    // Not a degenerate set: every status, chats and not, rated and not.
    for word in STATUSES {
        assert!(all.iter().any(|p| status(p) == word), "{word}");
    }
    let since = MARCH_2 + 3 * 86_400_000;
    type Keep<'a> = &'a dyn Fn(&Value) -> bool;
    let selections: [(&[&str], Keep); 5] = [
        (&[], &|_| true),
        (&["--since", "2026-03-05"], &|p| {
            p["beginAt"].as_i64().unwrap() >= since
        }),
        (&["--agent", "Jana Nováková"], &|p| {
            agents_of(p).contains_key("Jana Nováková")
        }),
        (&["--status", "missed", "--status", "offline"], &|p| {
            ["missed", "offline"].contains(&status(p))
        }),
        (&["--rated"], &|p| !p["channel"]["rating"].is_null()),
    ];
    for (flags, keep) in selections {
        let chosen: Vec<&Value> = all.iter().copied().filter(|p| keep(p)).collect();
        assert!(chosen.len() >= 5, "{flags:?}: {}", chosen.len());
        let args = [&["chats.ndjson", "--utc"][..], flags].concat();
        let page = report(&wd, &args);
        if flags.contains(&"missed") {
            // No chats among missed and offline conversations: no response times.
            let figures = headline(&page);
            assert_eq!(figures[2], ("first_response_median".into(), "null".into()));
            assert_eq!(figures[0].1, chosen.len().to_string());
            continue;
        }
        assert_eq!(
            headline_values(&page),
            expected_headline(&chosen),
            "{flags:?}"
        );
    }
}

/// The `<title>`s of one chart's bars: from the chart titled `chart` to the next chart.
fn bar_titles<'p>(page: &'p str, chart: &str, next: &str) -> Vec<&'p str> {
    let start = page.find(&format!("<title>{chart}</title>")).unwrap();
    let end = start
        + page[start..]
            .find(&format!("<title>{next}</title>"))
            .unwrap();
    page[start..end]
        .split("<title>")
        .skip(2)
        .map(|t| t.split_once("</title>").unwrap().0)
        .collect()
}

#[test]
fn each_day_counts_its_conversations_by_status() {
    let wd = Workdir::new();
    let payloads = varied(60);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let mut expected: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for p in &payloads {
        let day = (p["beginAt"].as_i64().unwrap() - MARCH_2) / 86_400_000;
        let day = format!("03-{:02}", 2 + day);
        *expected
            .entry(day)
            .or_default()
            .entry(status(p).to_owned())
            .or_default() += 1;
    }
    let page = report(&wd, &["chats.ndjson", "--utc"]);
    assert!(page.contains("Conversations per day, by status"));
    let mut shown: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for title in bar_titles(&page, "conversations", "missed") {
        // "03-04: 7 conversations, 3 completed, 2 missed, …"
        let (day, rest) = title.split_once(": ").unwrap();
        let mut parts = rest.split(", ");
        // "7 conversations", "1 conversation"
        let total: u64 = parts
            .next()
            .unwrap()
            .split_once(" conversation")
            .unwrap()
            .0
            .parse()
            .unwrap();
        let by_status: BTreeMap<String, u64> = parts
            .map(|part| {
                let (n, word) = part.split_once(' ').unwrap();
                (word.to_owned(), n.parse().unwrap())
            })
            .collect();
        assert_eq!(by_status.values().sum::<u64>(), total, "{title}");
        if total > 0 {
            shown.insert(day.to_owned(), by_status);
        }
    }
    assert_eq!(shown, expected);
    assert_eq!(expected.len(), 9, "every day has conversations");
}

#[test]
fn ratings_agents_and_countries_are_counted_from_the_payloads() {
    let wd = Workdir::new();
    let payloads = varied(60);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let page = report(&wd, &["chats.ndjson", "--utc"]);

    // Ratings: the caption and one bar per star.
    let ratings: Vec<i64> = payloads
        .iter()
        .filter_map(|p| p["channel"]["rating"].as_i64())
        .collect();
    assert!(page.contains(&format!(
        "Ratings: {} of 60 conversations rated ({:.1} %)",
        ratings.len(),
        ratings.len() as f64 * 100.0 / 60.0
    )));
    for star in 1..=5 {
        let n = ratings.iter().filter(|r| **r == star).count();
        let bar = page.split(&format!(">{star} ★</text>")).nth(1).unwrap();
        let count = bar
            .split("</text>")
            .next()
            .unwrap()
            .rsplit('>')
            .next()
            .unwrap();
        assert_eq!(count, n.to_string(), "{star} stars");
    }

    // Agents: conversations an agent wrote in and its messages; the total row counts every
    // conversation and every agent message.
    let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for p in &payloads {
        for (name, messages) in agents_of(p) {
            let entry = expected.entry(name).or_default();
            entry.0 += 1;
            entry.1 += messages;
        }
    }
    let messages: u64 = expected.values().map(|(_, m)| m).sum();
    expected.insert("total".into(), (60, messages));
    assert_eq!(table_counts(&page, "Agents"), expected);

    // Countries: conversations and the missed share of each.
    let mut countries: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for p in &payloads {
        let entry = countries
            .entry(p["visitor"]["countryCode"].as_str().unwrap().to_owned())
            .or_default();
        entry.0 += 1;
        entry.1 += u64::from(status(p) == "missed");
    }
    let table = section(&page, "Top countries");
    for (code, (n, missed)) in &countries {
        let row = format!(
            "<tr><td>{code}</td><td class=\"n\">{n}</td><td class=\"n\"><span class=\"share\" style=\"--w:{share:.1}%\"></span>{share:.1} %</td><td class=\"n\">{rate:.1} %</td></tr>",
            share = *n as f64 * 100.0 / 60.0,
            rate = *missed as f64 * 100.0 / *n as f64,
        );
        assert!(table.contains(&row), "{row} not in {table}");
    }
}

/// The table under `<h2>{heading}</h2>`.
fn section<'p>(page: &'p str, heading: &str) -> &'p str {
    let start = page
        .find(&format!("<h2>{heading}</h2>"))
        .unwrap_or_else(|| panic!("no {heading}"));
    let table = &page[start..];
    &table[..table.find("</table>").unwrap()]
}

/// A table's rows: name, and the first two numbers (conversations, messages).
fn table_counts(page: &str, heading: &str) -> BTreeMap<String, (u64, u64)> {
    section(page, heading)
        .split("<tr")
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row
                .split("<td")
                .skip(1)
                .map(|c| c.split_once('>').unwrap().1.split("</td>").next().unwrap())
                .collect();
            (
                cells[0].to_owned(),
                (cells[1].parse().unwrap(), cells[2].parse().unwrap()),
            )
        })
        .collect()
}

#[test]
fn without_o_the_page_goes_to_stdout() {
    let wd = Workdir::new();
    let payloads = varied(20);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let run = wd.run(&["report", "chats.ndjson", "--utc"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("<!DOCTYPE html>\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("</html>\n"));
    assert!(run
        .stdout
        .contains("data-figure=\"conversations\" data-value=\"20\""));
    let all: Vec<&Value> = payloads.iter().collect();
    assert_eq!(headline_values(&run.stdout), expected_headline(&all));
    // The same page as with -o, and no file is written.
    let files = || std::fs::read_dir(wd.root()).unwrap().count();
    assert_eq!(files(), 1);
    assert_eq!(run.stdout, report(&wd, &["chats.ndjson", "--utc"]));
    let dash = wd.run(&["report", "chats.ndjson", "--utc", "-o", "-", "-q"]);
    assert_eq!(dash.stdout, run.stdout);
    assert_eq!(files(), 2, "report.html only");
}

#[test]
fn redact_agents_renames_the_agent_rows_and_keeps_their_figures() {
    let wd = Workdir::new();
    let payloads = varied(40);
    write_ndjson(&wd, "chats.ndjson", &payloads);
    let plain = report(&wd, &["chats.ndjson", "--utc"]);
    let agents = table_counts(&plain, "Agents");
    assert!(agents.contains_key("John Doe") && agents.contains_key("Jana Nováková"));

    // --redact alone keeps agents (and the page has no visitor data to redact).
    let redacted = report(&wd, &["chats.ndjson", "--utc", "--redact"]);
    assert_eq!(table_counts(&redacted, "Agents"), agents);

    let page = report(
        &wd,
        &[
            "chats.ndjson",
            "--utc",
            "--redact",
            "--redact-agents",
            "--redact-key",
            "k",
        ],
    );
    for name in ["John Doe", "Jana Nováková", "Doe", "Nováková"] {
        assert!(!page.contains(name), "{name} in the page");
    }
    let renamed = table_counts(&page, "Agents");
    assert_eq!(renamed.len(), agents.len());
    assert_eq!(renamed["total"], agents["total"]);
    let mut figures: Vec<(u64, u64)> = Vec::new();
    for (name, counts) in &renamed {
        if name != "total" {
            let hex = name
                .strip_prefix("agent-")
                .unwrap_or_else(|| panic!("{name}"));
            assert!(
                hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
                "{name}"
            );
            figures.push(*counts);
        }
    }
    let mut expected: Vec<(u64, u64)> = (agents.iter())
        .filter(|(name, _)| *name != "total")
        .map(|(_, c)| *c)
        .collect();
    figures.sort();
    expected.sort();
    assert_eq!(figures, expected);
    // Every other figure stays: the headline is the same.
    assert_eq!(headline(&page), headline(&plain));
    // The same key, the same names in the next run.
    let again = report(
        &wd,
        &[
            "chats.ndjson",
            "--utc",
            "--redact",
            "--redact-agents",
            "--redact-key",
            "k",
        ],
    );
    assert_eq!(table_counts(&again, "Agents"), renamed);
    // --redact-agents alone is refused.
    let run = wd.run(&["report", "chats.ndjson", "--redact-agents"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--redact-agents needs --redact"),
        "{}",
        run.stderr
    );
}

/// Open conversations (assembled from webhook events, not closed yet) are a series of their
/// own: every period's bar adds up to its conversations, and all bars to the headline, which
/// is `stats`' count.
#[test]
fn open_conversations_are_a_series_and_the_bars_add_up() {
    let wd = crate::common::Workdir::new();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/webhooks");
    let page = wd.run(&["report", sample, "-q"]).stdout;
    assert!(
        page.contains("<i class=\"s-open\"></i>open"),
        "no open in the legend"
    );
    let stats = wd.run(&["stats", sample, "-f", "json", "-q"]);
    let stats: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
    let total = stats["total"]["conversations"].as_u64().unwrap();
    assert!(stats["total"]["open"].as_u64().unwrap() >= 1, "{stats}");
    let mut summed = 0;
    for title in page.split("<title>").skip(1) {
        let title = &title[..title.find('<').unwrap()];
        let Some((_, rest)) = title.split_once(": ") else {
            continue;
        };
        let Some((n, statuses)) =
            (rest.split_once(" conversations, ")).or_else(|| rest.split_once(" conversation, "))
        else {
            continue;
        };
        let n: u64 = n.parse().unwrap();
        let parts: u64 = statuses
            .split(", ")
            .map(|p| p.split_once(' ').unwrap().0.parse::<u64>().unwrap())
            .sum();
        assert_eq!(parts, n, "{title}");
        summed += n;
    }
    assert_eq!(summed, total, "the bars add up to the headline");
}

/// The notes under the volume chart, as HTML.
fn volume_notes_html(page: &str) -> Vec<&str> {
    let start = page.find("Conversations per ").unwrap();
    let figure = &page[start..start + page[start..].find("</figure>").unwrap()];
    figure
        .split("<p class=\"note\">")
        .skip(1)
        .map(|n| n.split_once("</p>").unwrap().0)
        .collect()
}

/// The notes under the volume chart, as text (no markup).
fn volume_notes(page: &str) -> Vec<String> {
    volume_notes_html(page)
        .into_iter()
        .map(|note| {
            let mut text = String::new();
            for (i, part) in note.split(['<', '>']).enumerate() {
                if i % 2 == 0 {
                    text.push_str(part);
                }
            }
            text
        })
        .collect()
}

/// The `<title>`s of the volume chart's bars drawn lighter, as partial.
fn partial_bars(page: &str) -> Vec<&str> {
    page.split("<g class=\"partial\"><title>")
        .skip(1)
        .map(|t| t.split_once("</title>").unwrap().0)
        .collect()
}

/// Payloads at 10:00 UTC every other day from `first` to `last` (local days, both included).
fn every_other_day(wd: &Workdir, first: &str, last: &str) {
    let day = |d: &str| {
        let date: jiff::civil::Date = d.parse().unwrap();
        date.to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_millisecond()
            + 10 * 3_600_000
    };
    let (first, last) = (day(first), day(last));
    let lines: Vec<String> = (0..)
        .map(|i| first + i * 2 * 86_400_000)
        .take_while(|t| *t < last)
        .chain([last])
        .enumerate()
        .map(|(i, t)| common::payload(i as i64 + 1, t))
        .collect();
    wd.write("chats.ndjson", lines.join("\n"));
}

#[test]
fn a_week_the_data_covers_in_part_is_drawn_lighter_and_named() {
    let wd = Workdir::new();
    // Monday 2024-01-01 to Wednesday 2024-03-20: weeks; the first is whole, the last is not.
    every_other_day(&wd, "2024-01-01", "2024-03-20");
    let page = report(&wd, &["chats.ndjson", "--utc"]);
    assert!(page.contains("Conversations per week, by status"));
    assert_eq!(
        volume_notes(&page),
        [
            "The last week, 2024-W12 (2024-03-18 – 2024-03-24), is partial (lighter bar): \
          the data ends on Wednesday 2024-03-20."
        ]
    );
    assert_eq!(
        partial_bars(&page),
        ["2024-W12 (partial week): 2 conversations, 2 completed"]
    );
    // Every other bar is whole, and has no class.
    assert_eq!(page.matches("<g><title>2024-W").count(), 11);
    assert!(page.contains(".partial rect,.dot.partial{fill-opacity:.4}"));
    // Its dot in the missed rate says so too; the dates stay whole on a narrow page.
    assert!(
        page.contains("<circle class=\"dot partial\"")
            && page.contains("<title>2024-W12 (partial week): 0.0 % missed</title>"),
        "{page}"
    );
    assert!(volume_notes_html(&page)[0]
        .contains("(<span class=\"nw\">2024-03-18</span> – <span class=\"nw\">2024-03-24</span>)"));

    // A week wholly inside the range asked for is not partial, whatever the data holds.
    let page = report(&wd, &["chats.ndjson", "--utc", "--until", "2024-03-25"]);
    assert_eq!(volume_notes(&page), Vec::<String>::new());
    assert_eq!(partial_bars(&page), Vec::<&str>::new());

    // The range's own ends are those compared, day by day.
    let page = report(
        &wd,
        &[
            "chats.ndjson",
            "--utc",
            "--since",
            "2024-01-03",
            "--until",
            "2024-03-24",
        ],
    );
    assert_eq!(
        volume_notes(&page),
        [
            "The first week, 2024-W01 (2024-01-01 – 2024-01-07), is partial (lighter bar): \
             the selection (--since) begins on Wednesday 2024-01-03.",
            "The last week, 2024-W12 (2024-03-18 – 2024-03-24), is partial (lighter bar): \
             the selection (--until) ends on Saturday 2024-03-23."
        ]
    );
    assert_eq!(partial_bars(&page).len(), 2);
}

#[test]
fn days_are_never_partial() {
    let wd = Workdir::new();
    every_other_day(&wd, "2024-01-03", "2024-01-20");
    let page = report(&wd, &["chats.ndjson", "--utc", "--since", "2024-01-01"]);
    assert!(page.contains("Conversations per day, by status"));
    assert_eq!(volume_notes(&page), Vec::<String>::new());
    assert_eq!(partial_bars(&page), Vec::<&str>::new());
}

#[test]
fn a_lone_period_far_from_the_rest_is_named_with_the_flag_that_leaves_it_out() {
    let wd = Workdir::new();
    // The sample data: one payload of 2015 (the official example) and a month of 2026.
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");
    let page = report(&wd, &[sample, "--utc"]);
    assert!(page.contains("Conversations per month, by status"));
    assert_eq!(
        volume_notes(&page),
        [
            "The first month, 2015-03, is partial (lighter bar): the data begins on Friday 2015-03-27.",
            "1 conversation in 2015-03 is far from the rest (2026-03); \
             --since 2026-03-01 leaves it out."
        ]
    );
    assert_eq!(
        partial_bars(&page),
        ["2015-03 (partial month): 1 conversation, 1 completed"]
    );
    assert!(volume_notes_html(&page)[1].contains("<code>--since 2026-03-01</code>"));
    // As suggested: the note is gone, and so is 2015.
    let page = report(&wd, &[sample, "--utc", "--since", "2026-03-01"]);
    assert_eq!(volume_notes(&page), Vec::<String>::new());
    assert!(page.contains("Conversations per day, by status"));

    // At the end, with --until; a period with several conversations.
    every_other_day(&wd, "2024-01-01", "2024-01-05");
    let late = common::payload(50, 1_705_744_800_000); // 2024-01-20T10:00Z
    let later = common::payload(51, 1_705_748_400_000);
    wd.write(
        "late.ndjson",
        format!("{}\n{late}\n{later}\n", wd.read("chats.ndjson")),
    );
    let page = report(&wd, &["late.ndjson", "--utc"]);
    assert_eq!(
        volume_notes(&page),
        [
            "2 conversations on 2024-01-20 are far from the rest (2024-01-01 – 2024-01-05); \
         --until 2024-01-06 leaves them out."
        ]
    );
    assert!(volume_notes_html(&page)[0].contains("<code>--until 2024-01-06</code>"));
    // Near enough: not far.
    let near = common::payload(50, 1_704_794_400_000); // 2024-01-09T10:00Z
    wd.write(
        "near.ndjson",
        format!("{}\n{near}\n", wd.read("chats.ndjson")),
    );
    let page = report(&wd, &["near.ndjson", "--utc"]);
    assert_eq!(volume_notes(&page), Vec::<String>::new());
}
