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

impl OutputFormat for StatsFormatArg {
    fn from_extension(ext: &str) -> Option<StatsFormatArg> {
        Some(match ext {
            "csv" => StatsFormatArg::Csv,
            "tsv" | "tab" => StatsFormatArg::Tsv,
            "ndjson" | "jsonl" => StatsFormatArg::Ndjson,
            "json" => StatsFormatArg::Json,
            "txt" => StatsFormatArg::Table,
            _ => return None,
        })
    }
}

impl OutputFormat for ExportFormatArg {
    fn from_extension(ext: &str) -> Option<ExportFormatArg> {
        Some(match ext {
            "csv" => ExportFormatArg::Csv,
            "tsv" | "tab" => ExportFormatArg::Tsv,
            "ndjson" | "jsonl" => ExportFormatArg::Ndjson,
            "json" => ExportFormatArg::Json,
            "txt" => ExportFormatArg::Table,
            "parquet" => ExportFormatArg::Parquet,
            _ => return None,
        })
    }

    fn refuses_gzip(self) -> Option<&'static str> {
        (self == ExportFormatArg::Parquet)
            .then_some("parquet compresses its columns itself: name the file .parquet, not .gz")
    }
}

impl OutputFormat for ShowFormatArg {
    fn from_extension(ext: &str) -> Option<ShowFormatArg> {
        Some(match ext {
            "txt" | "text" => ShowFormatArg::Text,
            "md" | "markdown" => ShowFormatArg::Markdown,
            "html" | "htm" => ShowFormatArg::Html,
            "json" | "ndjson" | "jsonl" => ShowFormatArg::Json,
            _ => return None,
        })
    }
}

impl OutputFormat for FindingsFormatArg {
    fn from_extension(ext: &str) -> Option<FindingsFormatArg> {
        Some(match ext {
            "txt" | "log" => FindingsFormatArg::Text,
            "json" | "ndjson" | "jsonl" => FindingsFormatArg::Json,
            _ => return None,
        })
    }
}
