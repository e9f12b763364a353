//! The README's examples run, and the README and the docs stay what they promise to be.
//!
//! Convention for README examples:
//!
//! - Every line that starts with `sshook ` inside a fenced block whose info string is `sh`
//!   (```` ```sh ````) is a command this test runs, with `sh -c`, in a fresh temporary folder
//!   holding a copy of `sample-data/`, with the built `sshook` first on `PATH` and standard
//!   input closed (null). Other lines of such a block (`cargo …`) are not run.
//! - It must exit 0, or N when the line ends with the comment `# exit N`.
//! - Examples that cannot run here — `sshook serve` (it never ends), anything that needs the
//!   network or another program (curl, jq, duckdb, man), output shown as an example — go in
//!   blocks with another info string: ```` ```console ````, ```` ```text ````, and so on.
//!
//! Also checked: the README has at most 400 lines, no commit hashes and no issue numbers
//! (history belongs in `git log`), and every relative link from the README and the docs
//! points to a file that exists, and to a heading that exists when it names one.
//!
//! Only `assert_cmd`, `tempfile` and std: this file is meant to become a module of one test
//! crate, without the shared test helpers.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The most lines the README may have (the aim is about 350).
const MAX_README_LINES: usize = 400;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// One command of the README: its line number, its text and the exit status it documents.
#[derive(Debug)]
struct Example {
    line: usize,
    command: String,
    exit: i32,
}

/// Lines starting with `sshook ` inside ```` ```sh ```` blocks.
fn examples(readme: &str) -> Vec<Example> {
    let mut found = Vec::new();
    let mut block: Option<String> = None;
    for (index, line) in readme.lines().enumerate() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            block = match block {
                None => Some(info.trim().to_owned()),
                Some(_) => None,
            };
            continue;
        }
        if block.as_deref() == Some("sh") && line.starts_with("sshook ") {
            found.push(Example {
                line: index + 1,
                command: line.to_owned(),
                exit: documented_exit(line)
                    .unwrap_or_else(|| panic!("README.md:{}: unreadable `# exit N`", index + 1)),
            });
        }
    }
    assert!(block.is_none(), "README.md: a fenced block is never closed");
    found
}

/// 0, or N when the line ends with the comment `# exit N`; `None` for `# exit` without a number.
fn documented_exit(line: &str) -> Option<i32> {
    let Some(hash) = line.rfind('#') else {
        return Some(0);
    };
    match line[hash + 1..].trim().strip_prefix("exit") {
        Some("") => None,
        Some(code) if code.starts_with(' ') => code.trim().parse().ok(),
        _ => Some(0),
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    let entries =
        fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("an entry's type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap_or_else(|e| {
                panic!("cannot copy {}: {e}", entry.path().display());
            });
        }
    }
}

#[test]
fn readme_examples_exit_as_documented() {
    let readme = read("README.md");
    let examples = examples(&readme);
    assert!(
        !examples.is_empty(),
        "README.md has no `sshook …` line in a ```sh block: the examples are not tested"
    );

    // The macro is the compile-time form of `assert_cmd::cargo::cargo_bin("sshook")`.
    let binary = assert_cmd::cargo::cargo_bin!("sshook");
    let bin_dir = binary.parent().expect("the binary's folder");
    let path = match std::env::var_os("PATH") {
        Some(old) => {
            let mut dirs = vec![bin_dir.to_path_buf()];
            dirs.extend(std::env::split_paths(&old));
            std::env::join_paths(dirs).expect("a PATH")
        }
        None => bin_dir.as_os_str().to_owned(),
    };

    let mut failures = Vec::new();
    for example in &examples {
        let dir = tempfile::tempdir().expect("a temporary folder");
        copy_tree(&root().join("sample-data"), &dir.path().join("sample-data"));
        let output = Command::new("sh")
            .arg("-c")
            .arg(&example.command)
            .current_dir(dir.path())
            .env("PATH", &path)
            .stdin(Stdio::null())
            .output()
            .expect("run sh");
        let code = output.status.code();
        // A lean build (`--no-default-features`) has no Parquet: its examples are a usage
        // error there, which is what the README says of that build.
        let expected = if cfg!(feature = "parquet") || !example.command.contains("parquet") {
            example.exit
        } else {
            2
        };
        if code != Some(expected) {
            failures.push(format!(
                "README.md:{}: `{}` exited {:?}, the README says {}\n--- stderr:\n{}",
                example.line,
                example.command,
                code,
                expected,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} README examples failed:\n\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

#[test]
fn readme_is_short() {
    let lines = read("README.md").lines().count();
    assert!(
        lines <= MAX_README_LINES,
        "README.md has {lines} lines, more than {MAX_README_LINES}: move the detail to docs/"
    );
}

/// Runs of word characters (as a regex `\b` sees them): letters, digits and `_`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// A word that `\b[0-9a-f]{7,40}\b` matches and that holds both a digit and a letter.
fn is_commit_hash(word: &str) -> bool {
    (7..=40).contains(&word.len())
        && word.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().any(|b| b.is_ascii_lowercase())
}

/// `issue 12` (any case) or `#12`.
fn issue_references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = text.to_lowercase();
    for (at, _) in lower.match_indices("issue") {
        let rest = &lower[at + "issue".len()..];
        let spaced = rest.trim_start();
        if spaced.len() < rest.len() && spaced.starts_with(|c: char| c.is_ascii_digit()) {
            found.push(lower[at..].chars().take(12).collect());
        }
    }
    for (at, _) in text.match_indices('#') {
        if text[at + 1..].starts_with(|c: char| c.is_ascii_digit()) {
            found.push(text[at..].chars().take(8).collect());
        }
    }
    found
}

fn assert_no_history(name: &str, text: &str) {
    let hashes: Vec<&str> = words(text).filter(|w| is_commit_hash(w)).collect();
    assert!(
        hashes.is_empty(),
        "{name} holds what look like commit hashes: {hashes:?} (history belongs in git log)"
    );
    let issues = issue_references(text);
    assert!(
        issues.is_empty(),
        "{name} refers to issue numbers: {issues:?} (history belongs in git log)"
    );
}

#[test]
fn readme_has_no_commit_hashes_or_issue_numbers() {
    assert_no_history("README.md", &read("README.md"));
}

#[test]
fn docs_have_no_commit_hashes_or_issue_numbers() {
    for page in doc_pages() {
        assert_no_history(&page, &read(&page));
    }
}

/// The Markdown pages the README links to, besides itself.
fn doc_pages() -> Vec<String> {
    let mut pages: Vec<String> = fs::read_dir(root().join("docs"))
        .expect("a docs/ folder")
        .map(|e| {
            e.expect("a docs/ entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    pages.sort();
    pages.push("bench/README.md".to_owned());
    pages
}

/// The targets of Markdown links `](target)` outside code blocks and code spans.
fn links(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        // Text between backticks is code, not a link.
        let prose: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, part)| part)
            .collect::<Vec<_>>()
            .join(" ");
        for (at, _) in prose.match_indices("](") {
            let rest = &prose[at + 2..];
            if let Some(end) = rest.find(')') {
                found.push(rest[..end].to_owned());
            }
        }
    }
    found
}

/// The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces as
/// `-`, and `-1`, `-2`, … for repeats.
fn anchors(markdown: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut slugs: Vec<String> = Vec::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        if in_block {
            continue;
        }
        let text = heading.trim_start_matches('#');
        if !text.starts_with(' ') {
            continue;
        }
        let slug: String = text
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let repeats = slugs.iter().filter(|s| **s == slug).count();
        found.push(if repeats == 0 {
            slug.clone()
        } else {
            format!("{slug}-{repeats}")
        });
        slugs.push(slug);
    }
    found
}

/// Relative links of `page` that point nowhere: a missing file, or a missing heading.
fn broken_links(page: &str, only_under: &[&str]) -> Vec<String> {
    let text = read(page);
    let folder = Path::new(page).parent().unwrap_or(Path::new(""));
    let mut broken = Vec::new();
    for link in links(&text) {
        if link.contains("://") || link.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = match link.split_once('#') {
            Some((file, anchor)) => (file, Some(anchor)),
            None => (link.as_str(), None),
        };
        if !only_under.is_empty() && !only_under.iter().any(|p| file.starts_with(p)) {
            continue;
        }
        let target = if file.is_empty() {
            root().join(page)
        } else {
            root().join(folder).join(file)
        };
        if !target.exists() {
            broken.push(format!("{page}: ]({link}): no file {}", target.display()));
            continue;
        }
        if let Some(anchor) = anchor {
            let is_markdown = target.extension().is_some_and(|e| e == "md");
            let known = is_markdown
                && anchors(&fs::read_to_string(&target).unwrap_or_default())
                    .iter()
                    .any(|a| a == anchor);
            if !known {
                broken.push(format!("{page}: ]({link}): no heading #{anchor}"));
            }
        }
    }
    broken
}

#[test]
fn readme_links_to_docs_and_bench_exist() {
    let text = read("README.md");
    let relative: Vec<String> = links(&text)
        .into_iter()
        .filter(|l| l.starts_with("docs/") || l.starts_with("bench/"))
        .collect();
    assert!(
        !relative.is_empty(),
        "README.md links to nothing under docs/ or bench/"
    );
    let broken = broken_links("README.md", &["docs/", "bench/"]);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn docs_links_resolve() {
    let mut broken = Vec::new();
    for page in doc_pages() {
        broken.extend(broken_links(&page, &[]));
    }
    broken.extend(broken_links("README.md", &[]));
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_conventions_are_read_as_documented() {
    let sample = "text\n```sh\nsshook a\n  sshook indented\ncargo test\nsshook b   # exit 1\n```\n\
                  ```console\nsshook serve --dir d\n```\n```text\nsshook c\n```\n";
    let found: Vec<(String, i32)> = examples(sample)
        .into_iter()
        .map(|e| (e.command, e.exit))
        .collect();
    assert_eq!(
        found,
        vec![
            ("sshook a".to_owned(), 0),
            ("sshook b   # exit 1".to_owned(), 1)
        ]
    );
    assert_eq!(documented_exit("sshook x  # all of it"), Some(0));
    assert_eq!(documented_exit("sshook x  # exit 2"), Some(2));
    assert_eq!(documented_exit("sshook x  # exit"), None);
    assert!(is_commit_hash("a1b2c3d"));
    assert!(!is_commit_hash("deadbeef") && !is_commit_hash("1772442847412"));
    assert_eq!(issue_references("see issue 16 and #9").len(), 2);
    assert!(issue_references("an issue, and ## Heading, #anchor").is_empty());
    assert_eq!(
        anchors("# A `--redact` flag\n```\n# not a heading\n```\n## Same\n## Same\n"),
        vec!["a---redact-flag", "same", "same-1"]
    );
}
