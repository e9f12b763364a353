//! What sshook says about an input: an error or a warning, always naming where.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// Where a document, or a finding about it, sits: the file and the line (1-based) or the
/// element of a top-level array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The path as the user named it (or as found in a walked folder); `<stdin>` for `-`.
    pub file: Arc<str>,
    /// 1-based line; for a syntax error the error's line, for a document its first line.
    pub line: Option<usize>,
    /// 1-based byte column of a syntax error or of a wrong value.
    pub column: Option<usize>,
}

impl Origin {
    pub fn file(file: &Arc<str>) -> Origin {
        Origin {
            file: Arc::clone(file),
            line: None,
            column: None,
        }
    }

    pub fn at(file: &Arc<str>, line: usize, column: Option<usize>) -> Origin {
        Origin {
            file: Arc::clone(file),
            line: Some(line),
            column,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A difference nobody can act on (recorded counts against counted ones, whose rule is
    /// undocumented): shown only with `validate --pedantic`, never made an error by --strict.
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding: `file:line:column: severity: path: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub origin: Origin,
    /// The JSON path of a wrong value, e.g. `messages[3].sentAt` (`[2].channel.id` for the
    /// third element of a top-level array).
    pub path: Option<String>,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    pub fn error(origin: Origin, message: impl Into<String>) -> Finding {
        Finding {
            origin,
            path: None,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(origin: Origin, path: Option<String>, message: impl Into<String>) -> Finding {
        Finding {
            origin,
            path,
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The finding as one JSON object (validate's `--format json`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "file": &*self.origin.file,
            "line": self.origin.line,
            "column": self.origin.column,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
        })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.origin, self.severity.as_str())?;
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// An I/O error in a user's words, without Rust's `(os error 2)` suffix.
pub fn describe_io(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        _ if err.raw_os_error() == Some(40) => "symbolic link loop".into(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_lowercase(),
                None => text,
            }
        }
    }
}
