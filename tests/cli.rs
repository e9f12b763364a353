//! The command line as a whole: help, version, completions, man page, exit codes, closed pipes.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::{Workdir, OFFICIAL};

#[test]
fn version_and_help_are_manuals() {
    let wd = Workdir::new();
    let run = wd.run(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("sshook "));
    let run = wd.run(&["validate", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Examples:"), "{}", run.stdout);
    assert!(run.stdout.contains("--strict"));
}

#[test]
fn completions_cover_subcommands_and_flags() {
    let wd = Workdir::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = wd.run(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("validate"), "{shell}");
        assert!(run.stdout.contains("strict"), "{shell}");
    }
    assert_eq!(wd.run(&["completions", "tcsh"]).code, 2);
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let wd = Workdir::new();
    let run = wd.run(&["man"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with(".ie") || run.stdout.contains(".TH sshook"));
    assert_eq!(run.stdout.matches(".TH ").count(), 1);
    assert!(run.stdout.contains("sshook validate"));
}

/// `--help` and the man page describe both generations, not only the POST hook.
#[test]
fn help_and_man_name_both_generations() {
    let wd = Workdir::new();
    for args in [&["--help"][..], &["-h"], &["man"]] {
        let run = wd.run(args);
        assert_eq!(run.code, 0, "{args:?}");
        assert!(
            run.stdout.contains("webhook events"),
            "{args:?}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("POST hook"), "{args:?}: {}", run.stdout);
    }
    let run = wd.run(&["validate", "--help"]);
    assert!(
        run.stdout.contains("payloads and webhook events"),
        "{}",
        run.stdout
    );
}

/// Completions and the man page end quietly on a closed pipe (clap_complete's writer panicked).
#[test]
fn completions_and_man_end_quietly_on_a_closed_pipe() {
    let wd = Workdir::new();
    for args in [&["completions", "bash"][..], &["man"]] {
        let mut child = wd
            .std_command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away before anything is read
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}

#[test]
fn no_input_on_a_terminal_is_a_usage_error_and_bad_flags_exit_2() {
    let wd = Workdir::new();
    assert_eq!(wd.run(&["validate", "--no-such-flag"]).code, 2);
    assert_eq!(wd.run(&["frobnicate"]).code, 2);
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_0() {
    let wd = Workdir::new();
    let line = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(OFFICIAL).unwrap())
        .unwrap();
    wd.write("many.ndjson", format!("{line}\n").repeat(20_000));
    let mut child = wd
        .std_command(&["validate", "--pedantic", "many.ndjson"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains(": note: "));
    // The reader is dropped here: the pipe is closed while sshook still has much to write.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.to_lowercase().contains("broken pipe"), "{stderr}");
}
