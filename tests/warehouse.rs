//! What warehouses read in a Parquet file's metadata: JSON-valued columns carry Parquet's JSON
//! logical type, and `--compression` chooses the codec of every column chunk (zstd unless
//! told otherwise). Read with the parquet crate's own reader.

use std::path::Path;

use parquet::basic::{Compression, LogicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};

use crate::common::{Workdir, OFFICIAL};

/// Each column's name, logical type and codec (of the first row group).
fn columns(path: &Path) -> Vec<(String, Option<LogicalType>, Compression)> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let metadata = reader.metadata();
    let schema = metadata.file_metadata().schema_descr();
    let group = metadata.row_group(0);
    (0..schema.num_columns())
        .map(|i| {
            let column = schema.column(i);
            (
                column.name().to_owned(),
                column.logical_type_ref().cloned(),
                group.column(i).compression(),
            )
        })
        .collect()
}

#[test]
fn json_columns_carry_the_json_logical_type() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    let run = wd.run(&["export", "data.json", "-o", "chats.parquet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let columns = columns(&wd.path("chats.parquet"));
    let logical = |name: &str| {
        let (_, logical, _) = columns.iter().find(|(n, _, _)| n == name).unwrap();
        logical.clone()
    };
    assert_eq!(logical("variables"), Some(LogicalType::Json));
    assert_eq!(logical("visitor_name"), Some(LogicalType::String));
    assert_eq!(logical("conversation_id"), Some(LogicalType::String));
    let json: Vec<&str> = (columns.iter())
        .filter(|(_, l, _)| *l == Some(LogicalType::Json))
        .map(|(n, _, _)| n.as_str())
        .collect();
    assert_eq!(json, ["variables"]);

    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/webhooks");
    let run = wd.run(&[
        "export",
        events.to_str().unwrap(),
        "--rows",
        "events",
        "-o",
        "events.parquet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let columns = self::columns(&wd.path("events.parquet"));
    let json: Vec<&str> = (columns.iter())
        .filter(|(_, l, _)| *l == Some(LogicalType::Json))
        .map(|(n, _, _)| n.as_str())
        .collect();
    assert_eq!(json, ["raw"]);
}

#[test]
fn compression_chooses_the_codec_of_every_column() {
    let wd = Workdir::new();
    wd.write("data.json", OFFICIAL);
    for (flag, expected) in [
        (None, "ZSTD"),
        (Some("zstd"), "ZSTD"),
        (Some("snappy"), "SNAPPY"),
        (Some("none"), "UNCOMPRESSED"),
    ] {
        let mut args = vec![
            "export",
            "data.json",
            "--rows",
            "messages",
            "-o",
            "m.parquet",
        ];
        if let Some(codec) = flag {
            args.extend(["--compression", codec]);
        }
        let run = wd.run(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        for (name, _, codec) in columns(&wd.path("m.parquet")) {
            let codec = format!("{codec:?}");
            assert!(codec.starts_with(expected), "{args:?}: {name} is {codec}");
        }
    }
    // Partitions take the codec too.
    let run = wd.run(&[
        "export",
        "data.json",
        "-f",
        "parquet",
        "--partition-by",
        "month",
        "--compression",
        "snappy",
        "-o",
        "out",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let part = wd.path("out/month=2015-03/part-00000.parquet");
    assert!(columns(&part)
        .iter()
        .all(|(_, _, codec)| *codec == Compression::SNAPPY));

    let run = wd.run(&[
        "export",
        "data.json",
        "--compression",
        "lz4",
        "-o",
        "x.parquet",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = wd.run(&[
        "export",
        "data.json",
        "--compression",
        "zstd",
        "-o",
        "x.csv",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--compression applies to parquet"));
    assert!(!wd.path("x.csv").exists());
}
