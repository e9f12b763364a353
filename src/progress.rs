//! The progress bar on stderr (indicatif): only on a terminal, only for a batch that takes
//! over a second, never with `--quiet`, and cleared when the batch ends. Diagnostics printed
//! meanwhile go through [`suspend`] so they never mix with the bar.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(false);
static CURRENT: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Turns progress bars on for this process (when stderr is a terminal and not `--quiet`).
pub fn enable(quiet: bool) {
    ENABLED.store(!quiet && std::io::stderr().is_terminal(), Ordering::Relaxed);
}

/// Whether a progress bar may be shown: input files' sizes are then wanted before reading,
/// for its total.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Runs `f` (which writes to stderr) with the bar, if any, hidden meanwhile.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    let bar = CURRENT.lock().ok().and_then(|guard| guard.clone());
    match bar {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

/// A batch's progress over the bytes of its input files.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: bool,
}

const DELAY: Duration = Duration::from_secs(1);

impl Progress {
    /// `total_bytes`: the input files' sizes, when known (not for stdin).
    pub fn start(total_bytes: Option<u64>) -> Progress {
        let bar = ENABLED.load(Ordering::Relaxed).then(|| {
            let bar = ProgressBar::with_draw_target(total_bytes, ProgressDrawTarget::hidden());
            let style = match total_bytes {
                Some(_) => "{spinner} {bytes}/{total_bytes} {wide_bar} {binary_bytes_per_sec} eta {eta} {msg}",
                None => "{spinner} {bytes} read {binary_bytes_per_sec} {msg}",
            };
            if let Ok(style) = ProgressStyle::with_template(style) {
                bar.set_style(style);
            }
            bar
        });
        if let (Some(bar), Ok(mut current)) = (&bar, CURRENT.lock()) {
            *current = Some(bar.clone());
        }
        Progress {
            bar,
            started: Instant::now(),
            shown: false,
        }
    }

    /// Records that `bytes` in all have been read and `files` finished.
    pub fn update(&mut self, bytes: u64, files: u64) {
        let Some(bar) = &self.bar else { return };
        if !self.shown && self.started.elapsed() >= DELAY {
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
            self.shown = true;
        }
        bar.set_position(bytes);
        if self.shown {
            bar.set_message(format!("{files} files"));
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if let Ok(mut current) = CURRENT.lock() {
            *current = None;
        }
    }
}
