//! Argument rules every command that writes data shares, written once: `-o FILE` decides the
//! format by its extension unless `-f` names one (and a `-f` that contradicts the extension is
//! a usage error); a table goes to a terminal, data formats anywhere else.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::ValueEnum;

use crate::render::table::Width;

/// `-o/--output`, flattened into every command that writes data.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Write to FILE instead of standard output, atomically (a temporary file moved into place
    /// when the run succeeds). Its extension picks the format unless -f names one; FILE.gz is
    /// compressed.
    #[arg(short, long, value_name = "FILE", global = false)]
    pub output: Option<PathBuf>,
}

impl OutputArgs {
    /// The file named, if it is not `-` (standard output).
    pub fn file(&self) -> Option<&Path> {
        self.output.as_deref().filter(|p| p.as_os_str() != "-")
    }

    pub fn to_stdout(&self) -> bool {
        self.file().is_none()
    }

    /// Where a table may be drawn: standard output that is a terminal.
    pub fn to_terminal(&self) -> bool {
        self.to_stdout() && std::io::stdout().is_terminal()
    }
}

/// `--wide`, shared by every command that draws a table.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct WideArgs {
    /// Tables show every column and whole texts, however wide (no fitting to the terminal).
    #[arg(long)]
    pub wide: bool,
}

impl WideArgs {
    /// The width a table drawn for `to_stdout` may take.
    pub fn width(self, to_stdout: bool) -> Width {
        if self.wide {
            Width::Unlimited
        } else {
            Width::for_output(to_stdout)
        }
    }
}

/// A command's output formats, with the file extensions that ask for each.
pub trait OutputFormat: ValueEnum + Copy + PartialEq {
    /// The format a file extension (lower case, without `.gz`) asks for.
    fn from_extension(ext: &str) -> Option<Self>;

    /// Why a `.gz` file of this format makes no sense, if it does not.
    fn refuses_gzip(self) -> Option<&'static str> {
        None
    }

    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// The format of a run: `-f` if given, else the extension of `-o`, else `default` (the
/// command's choice for a terminal or not). `-f` that contradicts the extension is an error.
pub fn resolve_format<F: OutputFormat>(
    flag: Option<F>,
    output: &OutputArgs,
    default: F,
) -> Result<F> {
    let Some(path) = output.file() else {
        return Ok(flag.unwrap_or(default));
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (base, gz) = match name.strip_suffix(".gz") {
        Some(base) => (base.to_owned(), true),
        None => (name.clone(), false),
    };
    let ext = Path::new(&base)
        .extension()
        .map(|e| e.to_string_lossy().into_owned());
    let by_name = ext.as_deref().and_then(F::from_extension);
    let format = match (flag, by_name) {
        (Some(flag), Some(named)) if flag != named => bail!(
            "-f {} contradicts -o {} (a .{} file is {}): give one of them",
            flag.name(),
            path.display(),
            ext.unwrap_or_default(),
            named.name()
        ),
        (Some(flag), _) => flag,
        (None, Some(named)) => named,
        (None, None) => default,
    };
    if let Some(reason) = format.refuses_gzip().filter(|_| gz) {
        bail!("{reason}");
    }
    Ok(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
    enum F {
        Csv,
        Json,
        Parquet,
        Table,
    }

    impl OutputFormat for F {
        fn from_extension(ext: &str) -> Option<F> {
            match ext {
                "csv" => Some(F::Csv),
                "json" => Some(F::Json),
                "parquet" => Some(F::Parquet),
                _ => None,
            }
        }
        fn refuses_gzip(self) -> Option<&'static str> {
            (self == F::Parquet).then_some("no gzip")
        }
    }

    fn out(path: &str) -> OutputArgs {
        OutputArgs {
            output: Some(path.into()),
        }
    }

    #[test]
    fn the_extension_decides_unless_f_names_a_format() {
        assert_eq!(
            resolve_format(None, &out("x.parquet"), F::Table).unwrap(),
            F::Parquet
        );
        assert_eq!(
            resolve_format(None, &out("x.JSON.gz"), F::Table).unwrap(),
            F::Json
        );
        assert_eq!(resolve_format(None, &out("x.dat"), F::Csv).unwrap(), F::Csv);
        assert_eq!(
            resolve_format(Some(F::Json), &out("x.dat"), F::Csv).unwrap(),
            F::Json
        );
        assert_eq!(
            resolve_format(Some(F::Csv), &out("x.csv.gz"), F::Table).unwrap(),
            F::Csv
        );
        assert_eq!(resolve_format(None, &out("-"), F::Table).unwrap(), F::Table);
        let err = resolve_format(Some(F::Csv), &out("x.parquet"), F::Table).unwrap_err();
        assert_eq!(
            err.to_string(),
            "-f csv contradicts -o x.parquet (a .parquet file is parquet): give one of them"
        );
        assert!(resolve_format(None, &out("x.parquet.gz"), F::Table).is_err());
    }
}
