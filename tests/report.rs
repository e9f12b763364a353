//! `sshook report`: one self-contained page whose figures are those of `sshook stats`.

use crate::common::{self, official_with, Workdir};
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
