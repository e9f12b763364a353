//! `-j/--jobs`: the threads that parse and render. The output never depends on how many.

use crate::common::Workdir;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");

#[test]
fn one_thread_gives_what_every_core_gives() {
    let wd = Workdir::new();
    for args in [
        &["validate", SAMPLE][..],
        &[
            "list", SAMPLE, "-f", "csv", "--keep", "last", "--sort", "begin",
        ],
        &["show", SAMPLE, "--first"],
        &["export", SAMPLE, "-f", "ndjson", "--verbose"],
        &["export", SAMPLE, "--rows", "messages"],
        &[
            "stats", SAMPLE, "--by", "day", "--by", "agent", "-f", "json",
        ],
        &["report", SAMPLE, "--utc"],
    ] {
        let all = wd.run(args);
        for jobs in [&["-j", "1"][..], &["--jobs", "3"], &["--jobs=1"]] {
            let one = wd.run(&[jobs, args].concat());
            assert_eq!(one.code, all.code, "{jobs:?} {args:?}: {}", one.stderr);
            assert_eq!(one.stdout, all.stdout, "{jobs:?} {args:?}");
            assert_eq!(one.stderr, all.stderr, "{jobs:?} {args:?}");
        }
    }
}

#[test]
fn the_flag_goes_before_or_after_the_command_and_wins_over_the_environment() {
    let wd = Workdir::new();
    let want = wd.run(&["stats", SAMPLE, "-f", "csv"]).stdout;
    let after = wd.run(&["stats", SAMPLE, "-f", "csv", "-j", "1"]);
    assert_eq!((after.code, &after.stdout), (0, &want));
    // RAYON_NUM_THREADS=0 means "one per core" to rayon; any value gives the same output.
    for threads in ["1", "0", "7"] {
        let run = wd
            .command(&["-j", "2", "stats", SAMPLE, "-f", "csv"])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("run sshook");
        assert_eq!(run.status.code(), Some(0));
        assert_eq!(String::from_utf8_lossy(&run.stdout), want);
    }
}

#[test]
fn a_count_that_is_not_a_positive_number_is_a_usage_error() {
    let wd = Workdir::new();
    for jobs in ["0", "-1", "two", "", "1.5", "70000"] {
        let run = wd.run(&["export", SAMPLE, "-j", jobs]);
        assert_eq!(run.code, 2, "-j {jobs:?}: {}", run.stderr);
        // "-1" reads as a flag of its own: clap names it, not -j.
        let named = run.stderr.contains("--jobs") || run.stderr.contains("'-1'");
        assert!(named, "-j {jobs:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "-j {jobs:?}");
    }
    // Commands that read no files take no -j.
    for args in [
        &["serve", "--dir", "dumps"][..],
        &["completions", "bash"],
        &["man"],
    ] {
        let run = wd.run(&[&["-j", "2"][..], args].concat());
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("-j/--jobs"), "{}", run.stderr);
    }
}

/// `erase` and `prune` rewrite the same bytes with one thread (which takes turns with the
/// reader and the `.gz` compressor) as on every core: a plain dump and a `.gz` one.
#[test]
fn one_thread_rewrites_what_every_core_rewrites() {
    for args in [
        &[
            "erase",
            "--conversation",
            "64002",
            "--conversation",
            "61201",
        ][..],
        &["prune", "--before", "2026-03-03", "--utc"],
    ] {
        let mut trees = Vec::new();
        for jobs in [&[][..], &["-j", "1"]] {
            let wd = Workdir::new();
            let dumps = wd.path("dumps");
            copy_tree(std::path::Path::new(SAMPLE), &dumps);
            // The typical mistakes (erase and prune read every dump they are given).
            std::fs::remove_dir_all(dumps.join("broken")).unwrap();
            let dumps = dumps.display().to_string();
            let run = wd.run(&[jobs, args, &[&dumps]].concat());
            assert_eq!(run.code, 0, "{jobs:?} {args:?}: {}", run.stderr);
            assert!(run.stdout.contains("rewritten"), "{}", run.stdout);
            let said = |text: &str| text.replace(&dumps, "D");
            trees.push((
                read_tree(&wd.path("dumps")),
                said(&run.stdout),
                said(&run.stderr),
            ));
        }
        assert!(trees[0] == trees[1], "{args:?}: -j 1 rewrote other bytes");
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `root`, by path below it, with its bytes.
fn read_tree(root: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}
