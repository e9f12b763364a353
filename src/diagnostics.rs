//! Printing findings: one line each (`file:line:col: error: path: message`) or one JSON object
//! each, coloured only when asked to be. Commands other than validate print bad inputs on
//! stderr through [`Diagnostics`] and keep going.

use std::io::{self, Write};

use crate::model::finding::{Finding, Severity};

/// `--format` of validate's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FindingFormat {
    /// `file:line:column: severity: path: message`, one per line.
    #[default]
    Text,
    /// One JSON object per line: file, line, column, path, severity, message.
    Json,
}

/// Writes one finding.
pub fn write_finding(
    w: &mut dyn Write,
    finding: &Finding,
    format: FindingFormat,
    color: bool,
) -> io::Result<()> {
    match format {
        FindingFormat::Json => {
            serde_json::to_writer(&mut *w, &finding.to_json())?;
            w.write_all(b"\n")
        }
        FindingFormat::Text if color => {
            let (style, word) = match finding.severity {
                Severity::Error => ("\x1b[1;31m", "error"),
                Severity::Warning => ("\x1b[1;33m", "warning"),
                Severity::Note => ("\x1b[1;36m", "note"),
            };
            write!(
                w,
                "\x1b[1m{}\x1b[0m: {style}{word}\x1b[0m: ",
                finding.origin
            )?;
            if let Some(path) = &finding.path {
                write!(w, "\x1b[36m{path}\x1b[0m: ")?;
            }
            writeln!(w, "{}", printable(&finding.message))
        }
        FindingFormat::Text => writeln!(w, "{}", printable(&finding.to_string())),
    }
}

/// Control characters from the input never reach the terminal raw.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect::<String>()
        .into()
}

/// Bad inputs met by a reading command: printed on stderr as they come, counted for the exit
/// status. Warnings are validate's business and are not printed here.
#[derive(Debug)]
pub struct Diagnostics {
    color: bool,
    quiet: bool,
    pub errors: u64,
}

impl Diagnostics {
    /// `color`: findings are coloured; `quiet`: warnings are not printed.
    pub fn new(color: bool, quiet: bool) -> Diagnostics {
        Diagnostics {
            color,
            quiet,
            errors: 0,
        }
    }

    /// Reports discovery's findings (missing files, bad globs) before reading starts.
    pub fn report_all(&mut self, findings: &[Finding]) {
        for finding in findings {
            self.report(finding);
        }
    }

    pub fn report(&mut self, finding: &Finding) {
        if !finding.is_error() {
            return;
        }
        self.errors += 1;
        self.print(finding);
    }

    /// Prints a warning (a dropped copy that differed, …) unless `--quiet`.
    pub fn warn(&mut self, finding: &Finding) {
        if !self.quiet {
            self.print(finding);
        }
    }

    fn print(&self, finding: &Finding) {
        crate::progress::suspend(|| {
            let stderr = io::stderr();
            let mut lock = stderr.lock();
            let _ = write_finding(&mut lock, finding, FindingFormat::Text, self.color);
        });
    }

    pub fn any(&self) -> bool {
        self.errors > 0
    }
}

/// `n` and the noun in the right number: "1 file", "2 files", "0 errors".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
