//! The words flags take (`--format csv`, `--status missed`, `--by day`…) and the help clap
//! shows for each. Each is declared here beside the library's own enum it stands for, so that
//! no module outside the command line knows clap; `From` turns the word into the setting.

use super::output::OutputFormat;

/// Declares a flag's value enum (with the help text of each word, as clap shows it) and its
/// conversion into the library's enum of the same variants.
macro_rules! flag_words {
    ($(#[$meta:meta])* $name:ident => $target:ty { $($(#[$vmeta:meta])* $variant:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl From<$name> for $target {
            fn from(word: $name) -> $target {
                match word {
                    $($name::$variant => <$target>::$variant,)*
                }
            }
        }
    };
}

flag_words! {
    /// `--color`.
    #[derive(Default)]
    ColorArg => crate::output::ColorChoice {
        /// Colour when writing to a terminal and `NO_COLOR` is not set.
        #[default]
        Auto,
        Always,
        Never,
    }
}

flag_words! {
    /// A `--by` dimension.
    ByArg => crate::stats::Dimension {
        /// Local day of beginAt, `2026-03-29`; as the first --by, empty days get zero rows.
        Day,
        /// ISO week of beginAt, `2026-W13`.
        Week,
        /// Month of beginAt, `2026-03`.
        Month,
        /// Hour of beginAt, 0–23.
        Hour,
        /// Weekday of beginAt, Mon–Sun.
        Weekday,
        /// The display name of each agent who wrote in the conversation.
        Agent,
        /// visitor.countryCode.
        Country,
        /// visitor.group (or visitor.groupKey).
        Group,
        /// The status word: offline, missed, dropped, completed, incomplete.
        Status,
    }
}

flag_words! {
    /// `stats --format`.
    StatsFormatArg => crate::render::stats::StatsFormat {
        /// A table for people (the default on a terminal).
        Table,
        /// Comma-separated, a header line, one row per group, then the total (the default when
        /// standard output is not a terminal).
        Csv,
        /// As csv, separated by tabs.
        Tsv,
        /// One JSON object per group, then the total.
        Ndjson,
        /// One JSON object: {"by": [...], "groups": [...], "total": {...}}.
        Json,
        /// An Excel workbook: typed cells, the total row below the groups; needs -o.
        Xlsx,
    }
}

flag_words! {
    /// `--format` of rows.
    ExportFormatArg => crate::render::encode::Format {
        /// RFC 4180 CSV with a header row.
        Csv,
        /// Tab-separated, quoted like CSV where a value needs it.
        Tsv,
        /// One JSON object per line.
        Ndjson,
        /// One JSON array of objects.
        Json,
        /// A table for people.
        Table,
        /// Typed, compressed columns for warehouses (DuckDB, Spark); needs -o.
        Parquet,
        /// An Excel workbook: typed cells, a frozen header, an autofilter; needs -o.
        Xlsx,
    }
}

flag_words! {
    /// `--compression` of Parquet.
    #[derive(Default)]
    CompressionArg => crate::render::encode::Codec {
        /// Zstandard: smaller files, read by every current engine.
        #[default]
        Zstd,
        /// Snappy: larger, faster to read, for old readers.
        Snappy,
        /// Uncompressed.
        None,
    }
}

flag_words! {
    /// `--partition-by`.
    PartitionArg => crate::render::partition::PartitionBy {
        /// `month=2025-03`, by the conversation's start in the display zone.
        Month,
        /// `day=2025-03-29`, by the conversation's start in the display zone.
        Day,
        /// `account=208`, by accountId.
        Account,
    }
}

flag_words! {
    /// What one row stands for (`--rows`).
    #[derive(Default)]
    RowsArg => crate::render::rows::RowKind {
        /// One row per conversation (POST-hook payloads and conversations assembled from webhook
        /// events).
        #[default]
        Conversations,
        /// One row per message.
        Messages,
        /// Each payload as compact JSON, every field kept (an assembled conversation as sshook
        /// wrote it, POST-hook-shaped).
        Payloads,
        /// One row per webhook event as stored (re-deliveries once, unless --keep all).
        Events,
    }
}

flag_words! {
    /// `show --format`.
    #[derive(Default)]
    ShowFormatArg => crate::render::transcript::TranscriptFormat {
        /// Aligned text, coloured on a terminal.
        #[default]
        Text,
        /// Markdown, for tickets and notes.
        Markdown,
        /// One self-contained HTML page (inline CSS, no script).
        Html,
        /// The normalised conversation, one JSON object per line.
        Json,
    }
}

flag_words! {
    /// `--format` of validate's findings.
    #[derive(Default)]
    FindingsFormatArg => crate::diagnostics::FindingFormat {
        /// `file:line:column: severity: path: message`, one per line.
        #[default]
        Text,
        /// One JSON object per line: file, line, column, path, severity, message.
        Json,
    }
}

flag_words! {
    /// `--status` words.
    StatusArg => crate::select::StatusWord {
        Open,
        Offline,
        Missed,
        Dropped,
        Completed,
        Incomplete,
        Triggered,
    }
}

flag_words! {
    /// `--keep`: which copy of a re-sent conversation is kept.
    #[derive(Default)]
    KeepArg => crate::select::Keep {
        #[default]
        First,
        Last,
        All,
    }
}

flag_words! {
    /// `--sort` keys.
    SortArg => crate::select::SortKey {
        Begin,
        Id,
        Duration,
        Rating,
    }
}

/// `report` has no `-f`: it writes HTML, and this is the `-o` rule's list of its extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormatArg {
    Html,
}

impl OutputFormat for ReportFormatArg {
    const COMMAND: &'static str = "report";
    const EXTENSIONS: &'static [(&'static str, ReportFormatArg)] = &[
        ("html", ReportFormatArg::Html),
        ("htm", ReportFormatArg::Html),
    ];
    const TAKES_F: bool = false;
}

impl OutputFormat for StatsFormatArg {
    const COMMAND: &'static str = "stats";
    const EXTENSIONS: &'static [(&'static str, StatsFormatArg)] = &[
        ("csv", StatsFormatArg::Csv),
        ("tsv", StatsFormatArg::Tsv),
        ("tab", StatsFormatArg::Tsv),
        ("ndjson", StatsFormatArg::Ndjson),
        ("jsonl", StatsFormatArg::Ndjson),
        ("json", StatsFormatArg::Json),
        ("txt", StatsFormatArg::Table),
        ("xlsx", StatsFormatArg::Xlsx),
    ];

    fn refuses_gzip(self) -> Option<&'static str> {
        (self == StatsFormatArg::Xlsx).then_some(XLSX_GZ)
    }

    fn needs_a_file(self) -> Option<&'static str> {
        (self == StatsFormatArg::Xlsx).then_some("add -o FILE.xlsx")
    }
}

/// Why `-o FILE.xlsx.gz` is refused.
pub const XLSX_GZ: &str =
    "an xlsx workbook is a zip, compressed already: name the file .xlsx, not .gz";

impl OutputFormat for ExportFormatArg {
    const COMMAND: &'static str = "export";
    const EXTENSIONS: &'static [(&'static str, ExportFormatArg)] = &[
        ("csv", ExportFormatArg::Csv),
        ("tsv", ExportFormatArg::Tsv),
        ("tab", ExportFormatArg::Tsv),
        ("ndjson", ExportFormatArg::Ndjson),
        ("jsonl", ExportFormatArg::Ndjson),
        ("json", ExportFormatArg::Json),
        ("txt", ExportFormatArg::Table),
        ("parquet", ExportFormatArg::Parquet),
        ("xlsx", ExportFormatArg::Xlsx),
    ];

    fn refuses_gzip(self) -> Option<&'static str> {
        match self {
            ExportFormatArg::Parquet => {
                Some("parquet compresses its columns itself: name the file .parquet, not .gz")
            }
            ExportFormatArg::Xlsx => Some(XLSX_GZ),
            _ => None,
        }
    }

    fn needs_a_file(self) -> Option<&'static str> {
        match self {
            ExportFormatArg::Parquet => Some("add -o FILE.parquet (or --partition-by and -o DIR)"),
            ExportFormatArg::Xlsx => Some("add -o FILE.xlsx"),
            _ => None,
        }
    }
}

impl OutputFormat for ShowFormatArg {
    const COMMAND: &'static str = "show";
    const EXTENSIONS: &'static [(&'static str, ShowFormatArg)] = &[
        ("txt", ShowFormatArg::Text),
        ("text", ShowFormatArg::Text),
        ("md", ShowFormatArg::Markdown),
        ("markdown", ShowFormatArg::Markdown),
        ("html", ShowFormatArg::Html),
        ("htm", ShowFormatArg::Html),
        ("json", ShowFormatArg::Json),
        ("ndjson", ShowFormatArg::Json),
        ("jsonl", ShowFormatArg::Json),
    ];
}

impl OutputFormat for FindingsFormatArg {
    const COMMAND: &'static str = "validate";
    const EXTENSIONS: &'static [(&'static str, FindingsFormatArg)] = &[
        ("txt", FindingsFormatArg::Text),
        ("log", FindingsFormatArg::Text),
        ("json", FindingsFormatArg::Json),
        ("ndjson", FindingsFormatArg::Json),
        ("jsonl", FindingsFormatArg::Json),
    ];
}

/// A `--memory` size: plain bytes, or a number with K, M, G or T (powers of 1024, with an
/// optional `B` or `iB`, any case): `64M`, `1G`, `512KiB`, `1048576`. At least one byte.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || format!("expected a size like 64M, 1G, 512K or a number of bytes, not {text:?}");
    let lower = text.trim().to_ascii_lowercase();
    let unit = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, shift) = match unit.char_indices().last() {
        Some((at, 'k')) => (&unit[..at], 10),
        Some((at, 'm')) => (&unit[..at], 20),
        Some((at, 'g')) => (&unit[..at], 30),
        Some((at, 't')) => (&unit[..at], 40),
        _ => (unit, 0),
    };
    let digits = digits.trim_end();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let size = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(bad)?;
    if size == 0 {
        return Err(format!("--memory must be at least one byte, not {text:?}"));
    }
    Ok(size)
}

/// A length of time, as every flag that takes one reads it: jiff's friendly format (`30s`,
/// `500ms`, `15m`, `1h30m`, `2 hours`), or a bare `0`. Never negative.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let span: jiff::SignedDuration = text
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: write e.g. 30s, 500ms, 15m or 1h30m"))?;
    std::time::Duration::try_from(span)
        .map_err(|_| format!("{text:?}: a duration cannot be negative"))
}

/// [`parse_duration`], more than 0.
pub fn parse_positive_duration(text: &str) -> Result<std::time::Duration, String> {
    match parse_duration(text)? {
        duration if duration.is_zero() => Err("the duration must be more than 0".into()),
        duration => Ok(duration),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_duration, parse_positive_duration, parse_size};

    #[test]
    fn durations() {
        let ms = |text| parse_duration(text).map(|d| d.as_millis());
        assert_eq!(ms("0"), Ok(0));
        assert_eq!(ms("0s"), Ok(0));
        assert_eq!(ms("500ms"), Ok(500));
        assert_eq!(ms("90s"), Ok(90_000));
        assert_eq!(ms("15m"), Ok(900_000));
        assert_eq!(ms("1h30m"), Ok(5_400_000));
        assert_eq!(ms("24h"), Ok(86_400_000));
        for bad in ["", "m", "15", "-1m", "-5s", "soon", "1d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_positive_duration("30s"),
            Ok(std::time::Duration::from_secs(30))
        );
        for bad in ["0", "0s", "-5s", "soon"] {
            assert!(parse_positive_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sizes_in_bytes_and_binary_units() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("64m"), Ok(64 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("64MB"), Ok(64 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("2T"), Ok(2 << 40));
        assert_eq!(parse_size("1K"), Ok(1024));
        assert_eq!(parse_size("100B"), Ok(100));
        for bad in [
            "",
            "M",
            "0",
            "0K",
            "-1M",
            "1.5G",
            "64X",
            "lots",
            "1 G G",
            "99999999999T",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }
}
