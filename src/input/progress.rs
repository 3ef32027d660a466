//! A progress bar on stderr for inputs that take a while to read: only on a
//! terminal, never with `--quiet`, and only after about a second, so quick
//! runs and piped runs print nothing.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);

const DELAY: Duration = Duration::from_secs(1);

/// Called once by `main`: show progress if stderr is a terminal and the user
/// did not ask for quiet.
pub(crate) fn enable_on_terminal(quiet: bool) {
    ENABLED.store(!quiet && std::io::stderr().is_terminal(), Ordering::Relaxed);
}

/// Wrap `inner` so reading it advances a bar labelled `name` (bytes of `total`).
pub(crate) fn track(inner: Box<dyn Read>, name: &str, total: Option<u64>) -> Box<dyn Read> {
    if !ENABLED.load(Ordering::Relaxed) {
        return inner;
    }
    let bar = match total {
        Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
            .with_style(
                ProgressStyle::with_template(
                    "{msg} {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_style(
            ProgressStyle::with_template("{msg} {bytes} read ({bytes_per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_message(format!("reading {name}"));
    Box::new(Tracked {
        inner,
        bar,
        started: Instant::now(),
        shown: false,
    })
}

struct Tracked {
    inner: Box<dyn Read>,
    bar: ProgressBar,
    started: Instant,
    shown: bool,
}

impl Read for Tracked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.bar.inc(read as u64);
        if !self.shown && self.started.elapsed() >= DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        if read == 0 {
            self.bar.finish_and_clear();
        }
        Ok(read)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// One bar for several readers of parts of one input, read in parallel.
pub(crate) struct SharedBar {
    bar: ProgressBar,
    started: Instant,
}

impl SharedBar {
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A bar for reading `total` bytes of `name` in parts; `None` when progress
/// is not shown.
pub(crate) fn shared(name: &str, total: u64) -> Option<SharedBar> {
    if !ENABLED.load(Ordering::Relaxed) {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden()).with_style(
        ProgressStyle::with_template(
            "{msg} {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("reading {name}"));
    Some(SharedBar {
        bar,
        started: Instant::now(),
    })
}

/// Wrap `inner`, one part of an input, so reading it advances `bar`.
pub(crate) fn track_part<'b>(
    inner: Box<dyn Read + 'b>,
    bar: Option<&'b SharedBar>,
) -> Box<dyn Read + 'b> {
    match bar {
        Some(bar) => Box::new(PartTracked { inner, bar }),
        None => inner,
    }
}

struct PartTracked<'b> {
    inner: Box<dyn Read + 'b>,
    bar: &'b SharedBar,
}

impl Read for PartTracked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.bar.bar.inc(read as u64);
        if self.bar.bar.is_hidden() && self.bar.started.elapsed() >= DELAY {
            self.bar.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        Ok(read)
    }
}
