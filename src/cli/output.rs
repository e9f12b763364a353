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

    /// The folder the file goes to (`.` for a bare name, and for standard output): where
    /// temporary files beside it belong.
    pub fn folder(&self) -> PathBuf {
        match self.file().and_then(Path::parent) {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        }
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
pub trait OutputFormat: ValueEnum + Copy + PartialEq + 'static {
    /// The command that writes these formats, as messages name it.
    const COMMAND: &'static str;

    /// Each file extension (lower case, without `.gz`) and the format it asks for, in the
    /// order messages list them.
    const EXTENSIONS: &'static [(&'static str, Self)];

    /// Whether the command takes `-f` (report writes HTML only).
    const TAKES_F: bool = true;

    /// The format a file extension (lower case, without `.gz`) asks for.
    fn from_extension(ext: &str) -> Option<Self> {
        (Self::EXTENSIONS.iter())
            .find(|(name, _)| *name == ext)
            .map(|(_, format)| *format)
    }

    /// Why a `.gz` file of this format makes no sense, if it does not.
    fn refuses_gzip(self) -> Option<&'static str> {
        None
    }

    /// What to add when this format goes to standard output and cannot (its index at the end
    /// of the file, or a zip): `add -o FILE.parquet`.
    fn needs_a_file(self) -> Option<&'static str> {
        None
    }

    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// The format of a run: `-f` if given, else the extension of `-o`, else `default` (the
/// command's choice for a terminal or not). Usage errors, before anything is read: `-f` that
/// contradicts the extension; without `-f`, an extension that names none of the command's
/// formats (`-o x.xls`); a `.gz` name for a format that compresses itself; a file format to
/// standard output. A name without an extension (`-o chats`, `-o chats.gz`) takes `default`.
pub fn resolve_format<F: OutputFormat>(
    flag: Option<F>,
    output: &OutputArgs,
    default: F,
) -> Result<F> {
    let Some(path) = output.file() else {
        let format = flag.unwrap_or(default);
        if let Some(hint) = format.needs_a_file() {
            bail!("{} is written to a file: {hint}", format.name());
        }
        return Ok(format);
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
    let format = match (flag, by_name, ext.as_deref()) {
        (Some(flag), Some(named), _) if flag != named => bail!(
            "-f {} contradicts -o {} (a .{} file is {}): give one of them",
            flag.name(),
            path.display(),
            ext.unwrap_or_default(),
            named.name()
        ),
        (Some(flag), _, _) => flag,
        (None, Some(named), _) => named,
        (None, None, None) => default,
        (None, None, Some(_)) => bail!(
            "-o {}: {} writes {}{}",
            path.display(),
            F::COMMAND,
            extension_list::<F>(),
            if F::TAKES_F {
                "; name one, or give -f"
            } else {
                ""
            }
        ),
    };
    if let Some(reason) = format.refuses_gzip().filter(|_| gz) {
        bail!("{reason}");
    }
    Ok(format)
}

/// `.csv, .tsv, .parquet (each but parquet also .gz)`: the extensions a command writes.
fn extension_list<F: OutputFormat>() -> String {
    let names: Vec<String> = F::EXTENSIONS.iter().map(|(e, _)| format!(".{e}")).collect();
    let mut whole: Vec<String> = Vec::new();
    for (_, format) in F::EXTENSIONS {
        if format.refuses_gzip().is_some() && !whole.contains(&format.name()) {
            whole.push(format.name());
        }
    }
    let gz = match whole.as_slice() {
        [] if names.len() == 1 => String::from(" (also .gz)"),
        [] => String::from(" (each also .gz)"),
        [one] => format!(" (each but {one} also .gz)"),
        [most @ .., last] => format!(" (each but {} and {last} also .gz)", most.join(", ")),
    };
    format!("{}{gz}", names.join(", "))
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
        const COMMAND: &'static str = "export";
        const EXTENSIONS: &'static [(&'static str, F)] = &[
            ("csv", F::Csv),
            ("json", F::Json),
            ("parquet", F::Parquet),
            ("txt", F::Table),
        ];
        fn refuses_gzip(self) -> Option<&'static str> {
            (self == F::Parquet).then_some("no gzip")
        }
        fn needs_a_file(self) -> Option<&'static str> {
            (self == F::Parquet).then_some("add -o FILE.parquet")
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
        assert_eq!(resolve_format(None, &out("x"), F::Csv).unwrap(), F::Csv);
        assert_eq!(resolve_format(None, &out("x.gz"), F::Csv).unwrap(), F::Csv);
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

    #[test]
    fn an_extension_that_names_no_format_is_an_error_without_f() {
        let err = resolve_format(None, &out("dir/x.xls"), F::Csv).unwrap_err();
        assert_eq!(
            err.to_string(),
            "-o dir/x.xls: export writes .csv, .json, .parquet, .txt (each but parquet also .gz); \
             name one, or give -f"
        );
        assert!(resolve_format(None, &out("x.dat.gz"), F::Csv).is_err());
        assert_eq!(
            resolve_format(Some(F::Json), &out("x.dat"), F::Csv).unwrap(),
            F::Json
        );
    }

    #[test]
    fn a_file_format_to_standard_output_is_an_error() {
        let err = resolve_format(Some(F::Parquet), &out("-"), F::Csv).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parquet is written to a file: add -o FILE.parquet"
        );
        let none = OutputArgs::default();
        assert!(resolve_format(Some(F::Parquet), &none, F::Csv).is_err());
        assert_eq!(resolve_format(None, &none, F::Csv).unwrap(), F::Csv);
    }
}
