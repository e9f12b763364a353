//! `-o FILE.xlsx`: Excel workbooks from export, list and stats, read back with calamine (typed
//! cells) and, for what calamine does not expose (the frozen header, the autofilter, column
//! widths, that no cell is a formula), the sheet's XML out of the zip.

use std::io::Read;
use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};

use crate::common::{official_with, payload, Workdir, OFFICIAL};

/// The sheets of a workbook, by name, in order.
fn sheets(path: &Path) -> Vec<(String, Range<Data>)> {
    let mut book: Xlsx<_> = open_workbook(path).expect("a workbook calamine reads");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("its sheet");
            (name, range)
        })
        .collect()
}

/// The XML of a file in the workbook's zip.
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut text = String::new();
    zip.by_name(name)
        .expect("the part")
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn header(range: &Range<Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

/// The cell of `column` in data row `row` (0 the first under the header).
fn cell<'r>(range: &'r Range<Data>, row: usize, column: &str) -> &'r Data {
    let at = header(range).iter().position(|h| h == column).unwrap();
    &range.rows().nth(row + 1).unwrap()[at]
}

/// `(y, m, d, h, min, s, ms)` of a date-time cell.
fn date_time(data: &Data) -> (u16, u8, u8, u8, u8, u8, u16) {
    match data {
        Data::DateTime(dt) if dt.is_datetime() => dt.to_ymd_hms_milli(),
        other => panic!("not a date-time: {other:?}"),
    }
}

#[test]
fn export_writes_typed_cells_in_the_display_zone() {
    let wd = Workdir::new();
    wd.write("data.json", official_with("\"Dusan Kmet\"", "\"=SUM(A1)\""));
    let run = wd.run(&[
        "export",
        "data.json",
        "--var",
        "chatId",
        "--tz",
        "Europe/Prague",
        "-o",
        "chats.xlsx",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "export: 1 payload read, 1 conversation written\n"
    );
    let csv = wd.run(&["export", "data.json", "--var", "chatId"]);

    let book = sheets(&wd.path("chats.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["conversations"]);
    let range = &book[0].1;
    // The CSV's header, and one row under it.
    assert_eq!(header(range).join(","), csv.stdout.lines().next().unwrap());
    assert_eq!(range.height(), 2);
    // 2015-03-27T15:33:59.703Z is 16:33:59.703 in Prague (CET): a date-time, not a text.
    assert_eq!(
        date_time(cell(range, 0, "begin_at")),
        (2015, 3, 27, 16, 33, 59, 703)
    );
    assert_eq!(cell(range, 0, "channel_id"), &Data::Float(55039.0));
    assert_eq!(cell(range, 0, "begin_at_ms"), &Data::Float(1427470439703.0));
    assert_eq!(cell(range, 0, "is_chat"), &Data::Bool(true));
    assert_eq!(cell(range, 0, "is_missed"), &Data::Bool(false));
    // Null and the empty string sent for ratingDesc: empty cells.
    assert_eq!(cell(range, 0, "rating_desc"), &Data::Empty);
    // Ids are texts, as in CSV; a custom variable sent as a number is a number.
    assert_eq!(
        cell(range, 0, "conversation_id"),
        &Data::String("55039".into())
    );
    assert_eq!(cell(range, 0, "var_chatId"), &Data::Float(208.0));
    // A text that looks like a formula stays that text.
    assert_eq!(
        cell(range, 0, "visitor_name"),
        &Data::String("=SUM(A1)".into())
    );
    assert!(matches!(cell(range, 0, "variables"), Data::String(v) if v.starts_with("{\"chatId\"")));

    let sheet = part(&wd.path("chats.xlsx"), "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    assert!(sheet.contains("<pane ySplit=\"1\""), "{sheet}");
    let last = column_letter(header(range).len());
    assert!(
        sheet.contains(&format!("<autoFilter ref=\"A1:{last}2\"")),
        "{sheet}"
    );
    assert!(sheet.contains("<cols>"), "column widths: {sheet}");
    assert!(!sheet.contains("<f>"), "no formula anywhere: {sheet}");
    assert!(sheet.contains("<is><t>=SUM(A1)</t></is>"), "{sheet}");
}

/// `A` for 1, `AR` for 44.
fn column_letter(n: usize) -> String {
    let mut n = n;
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap()
}

#[test]
fn message_and_event_rows_have_their_own_sheet() {
    let wd = Workdir::new();
    let corpus: Vec<String> = (1..=3)
        .map(|id| payload(id, 1_700_000_000_000 + id))
        .collect();
    wd.write("chats.ndjson", corpus.join("\n"));
    let run = wd.run(&[
        "export",
        "chats.ndjson",
        "--rows",
        "messages",
        "-o",
        "m.xlsx",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let book = sheets(&wd.path("m.xlsx"));
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].0, "messages");
    assert_eq!(book[0].1.height(), 7, "a header and two messages each");
    assert_eq!(
        cell(&book[0].1, 1, "content"),
        &Data::String("hello you".into())
    );
    // TZ=UTC for the tests: the system zone, as a person's own would be.
    assert_eq!(
        date_time(cell(&book[0].1, 1, "sent_at")),
        (2023, 11, 14, 22, 13, 25, 1)
    );

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/webhooks");
    let run = wd.run(&[
        "export",
        root.to_str().unwrap(),
        "--rows",
        "events",
        "-o",
        "e.xlsx",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let book = sheets(&wd.path("e.xlsx"));
    assert_eq!(book[0].0, "events");
    assert!(book[0].1.height() > 2);
    assert!(date_time(cell(&book[0].1, 0, "time")).0 >= 2020);
}

#[test]
fn list_writes_the_columns_a_person_reads() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["list", "data.json", "--utc", "-o", "list.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let book = sheets(&wd.path("list.xlsx"));
    assert_eq!(book[0].0, "conversations");
    let range = &book[0].1;
    assert_eq!(
        header(range),
        [
            "conversation_id",
            "begin_at",
            "duration",
            "status",
            "visitor_name",
            "visitor_country_code",
            "agents",
            "messages_counted",
            "rating",
            "first_visitor_message"
        ]
    );
    assert_eq!(
        date_time(cell(range, 0, "begin_at")),
        (2015, 3, 27, 15, 33, 59, 703)
    );
    assert_eq!(cell(range, 0, "rating"), &Data::Float(5.0));
}

#[test]
fn stats_writes_groups_then_the_total() {
    let wd = Workdir::new();
    let corpus = [
        payload(1, 1_774_000_000_000),
        payload(2, 1_774_000_000_000 + 86_400_000),
        payload(3, 1_774_000_000_000 + 86_400_000),
    ];
    wd.write("chats.ndjson", corpus.join("\n"));
    let run = wd.run(&["stats", "chats.ndjson", "--by", "day", "-o", "s.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let book = sheets(&wd.path("s.xlsx"));
    assert_eq!(book[0].0, "stats");
    let range = &book[0].1;
    assert_eq!(header(range)[..3], ["day", "conversations", "chats"]);
    // 1774000000000 is 2026-03-20T09:46:40Z: two days, a blank row, the total.
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 5);
    let (year, month, day, ..) = date_time(&rows[1][0]);
    assert_eq!((year, month, day), (2026, 3, 20));
    assert_eq!(rows[1][1], Data::Float(1.0));
    assert_eq!(rows[2][1], Data::Float(2.0));
    assert!(rows[3].iter().all(|c| *c == Data::Empty));
    assert_eq!(rows[4][0], Data::String("total".into()));
    assert_eq!(rows[4][1], Data::Float(3.0));
    // Missed rate: a fraction, shown as a percentage.
    let rate = header(range)
        .iter()
        .position(|h| h == "missed_rate")
        .unwrap();
    assert_eq!(rows[4][rate], Data::Float(0.0));
    let sheet = part(&wd.path("s.xlsx"), "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    assert!(sheet.contains("<autoFilter ref=\"A1:"), "{sheet}");
    let styles = part(&wd.path("s.xlsx"), "xl/styles.xml");
    assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
}

#[test]
fn a_text_longer_than_excel_takes_is_cut_and_said() {
    let wd = Workdir::new();
    let long = "x".repeat(40_000);
    wd.write(
        "data.json",
        official_with("\"VIP customer\"", &format!("\"{long}\"")),
    );
    let run = wd.run(&["export", "data.json", "-o", "x.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 text longer than Excel's 32767 characters cut to fit"),
        "{}",
        run.stderr
    );
    let book = sheets(&wd.path("x.xlsx"));
    match cell(&book[0].1, 0, "visitor_note") {
        Data::String(text) => assert_eq!(text.len(), 32_767),
        other => panic!("{other:?}"),
    }
}

#[test]
fn workbooks_that_cannot_be_written_are_usage_errors_and_write_nothing() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    wd.write("keep.xlsx", "an older file");
    for (args, message) in [
        (
            &["export", "-f", "xlsx"][..],
            "xlsx is written to a file: add -o FILE.xlsx",
        ),
        (
            &["list", "-f", "xlsx"][..],
            "xlsx is written to a file: add -o FILE.xlsx",
        ),
        (
            &["stats", "-f", "xlsx"][..],
            "xlsx is written to a file: add -o FILE.xlsx",
        ),
        (&["export", "-o", "keep.xlsx.gz"][..], "compressed already"),
        (
            &[
                "export",
                "-f",
                "xlsx",
                "--partition-by",
                "month",
                "-o",
                "keep.xlsx",
            ][..],
            "not tables or workbooks",
        ),
        (
            &["export", "--rows", "payloads", "-o", "keep.xlsx"][..],
            "--rows payloads is written as ndjson or json",
        ),
        (
            &["export", "--excel", "-o", "keep.xlsx"][..],
            "apply to csv and tsv",
        ),
        (
            &["export", "--compression", "zstd", "-o", "keep.xlsx"][..],
            "--compression applies to parquet",
        ),
    ] {
        let mut args = args.to_vec();
        args.push("data.json");
        let run = wd.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(wd.read("keep.xlsx"), "an older file", "{args:?}");
        assert!(!wd.path("keep.xlsx.gz").exists(), "{args:?}");
    }
}
