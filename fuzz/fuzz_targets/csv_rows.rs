//! CSV rows: every payload read from the fuzz input is exported with the real row code
//! (`render::rows` + `render::encode`, as `sshook export` does), conversations and messages,
//! with and without the formula guard; the CSV is read back with the `csv` crate and must
//! hold exactly the cells the columns computed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sshook::render::encode::{is_formula_like, Encoder, Format, Options, RowWriter};
use sshook::render::rows::{Cell, Columns, RowKind};
use sshook::model::time::DisplayZone;

/// A cell as export's CSV spells it.
fn spelled(cell: &Cell, zone: &DisplayZone, safe: bool) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Int(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Text(t) if safe && is_formula_like(t) => format!("'{t}"),
        Cell::Text(t) => t.to_string(),
        Cell::Time(ms) => zone.rfc3339(*ms),
        Cell::Number(n) => n.to_string(),
    }
}

fuzz_target!(|data: &[u8]| {
    let chunk = sshook_fuzz::chunk(data);
    let docs = sshook_fuzz::payloads(&chunk);
    let zone = DisplayZone::utc();
    for kind in [RowKind::Conversations, RowKind::Messages] {
        for safe in [false, true] {
            let columns = Columns::new(kind, &[], &[]).expect("default columns");
            let names: Vec<String> = columns.names().iter().map(|n| n.to_string()).collect();
            let mut expected: Vec<Vec<String>> = Vec::new();
            let mut cells = Vec::new();
            for doc in &docs {
                columns
                    .for_each_row(doc.into(), &mut cells, |row| {
                        expected.push(row.iter().map(|c| spelled(c, &zone, safe)).collect());
                        Ok::<_, ()>(())
                    })
                    .expect("cells");
            }
            let options = Options {
                safe,
                ..Options::default()
            };
            let encoder = Encoder::new(columns, Format::Csv, zone.clone(), options).expect("encoder");
            let mut writer = RowWriter::start(&encoder, Vec::new()).expect("header");
            for doc in &docs {
                writer.write(encoder.render(doc.into()).expect("render")).expect("write");
            }
            let bytes = writer.finish().expect("finish");
            let mut reader = csv::Reader::from_reader(bytes.as_slice());
            let header: Vec<String> = reader.headers().expect("header").iter().map(String::from).collect();
            assert_eq!(header, names);
            let back: Vec<Vec<String>> = reader
                .records()
                .map(|r| r.expect("a record").iter().map(String::from).collect())
                .collect();
            assert_eq!(back, expected);
        }
    }
});
