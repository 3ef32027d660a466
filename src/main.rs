use clap::Parser;
use scanquota::app::cli::Cli;
use scanquota::app::cmd::{CommandOutput, Status};
use scanquota::app::output::Failure;
use scanquota::domain::error::Error;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Parse, run, print. The only place an outcome or an error becomes the
/// exit status: 0, 1 for findings (an alerting `check`, a `reconcile` that
/// differs), the error's `code()` (2), or 128 + a signal's number.
fn main() -> ExitCode {
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    // `-o -` is standard output, as `-` is standard input to `--log`: for
    // the commands too (a table is laid out to the terminal's width).
    if cli.output.as_deref() == Some("-") {
        cli.output = None;
    }
    let output = cli.output.clone();
    // Without the signal thread (it cannot fail but for want of resources)
    // results are still written whole or not at all, as before.
    let _ = exit_on_signals();
    let result = check_stdout(output.as_deref())
        .and_then(|()| scanquota::app::cmd::run(cli))
        .and_then(|mut outcome| emit(&mut outcome, output.as_deref()).map(|()| outcome.status));
    match result {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Findings) => ExitCode::from(1),
        Err(err) => {
            // A message quotes what was read (a cell, an option's value): a
            // control character in it is shown escaped, never sent to the
            // terminal, and the message stays one line.
            let message = err.to_string();
            eprintln!(
                "scanquota: error: {}",
                scanquota::domain::text::shown(&message)
            );
            ExitCode::from(err.code() as u8)
        }
    }
}

/// On SIGTERM, SIGINT or SIGHUP: remove the temporary file `--output` is
/// being written through, if any, and exit with 128 + the signal's number.
/// signal-hook hands the signal to a thread, so the removal is ordinary
/// code, not a signal handler's; the thread exits holding the pending file,
/// so it cannot be renamed into place meanwhile.
fn exit_on_signals() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".to_string())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let _abandoned = scanquota::app::output::abandon();
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

/// A command line clap refuses: its message, first line `scanquota: error:
/// …` like every other error, and status 2. Help and the version are
/// printed as clap prints them, with status 0 only when they were written
/// (clap's own `exit` ignores a failed write: `--help > /dev/full` said 0);
/// a reader that went away (`| head -1`) is not a failure.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // (`--output` does not apply to them: the fix is a redirection.)
            let failed = if STDOUT_CLOSED.load(Ordering::Relaxed) {
                Some("is closed (`>&-`), so this could not be printed".to_string())
            } else {
                match err.print().and_then(|()| std::io::stdout().flush()) {
                    Err(failed) if failed.kind() != std::io::ErrorKind::BrokenPipe => {
                        Some(format!("cannot write: {failed}"))
                    }
                    _ => None,
                }
            };
            return match failed {
                None => ExitCode::SUCCESS,
                Some(why) => {
                    let err = Error::Usage(format!(
                        "{}: {why}; redirect it to a file that can be written, or to /dev/null",
                        scanquota::domain::error::STDOUT_NAME
                    ));
                    eprintln!("scanquota: error: {err}");
                    ExitCode::from(err.code() as u8)
                }
            };
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!(
                "scanquota: error: a command is required\n\n{}",
                err.render()
            );
        }
        _ => {
            let text = err.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            eprint!("scanquota: error: {text}");
        }
    }
    ExitCode::from(2)
}

/// Whether file descriptor 1 was closed when the process started. Rust's
/// runtime opens /dev/null in the place of a closed standard descriptor
/// before `main`, so a result printed there would vanish with status 0; this
/// is read before that, from the executable's initialisers.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static SEE_STDOUT: extern "C" fn() = see_stdout;

#[cfg(target_os = "linux")]
extern "C" fn see_stdout() {
    // SAFETY: F_GETFD only reads the descriptor's flags; -1 (EBADF) means
    // no descriptor 1 is open.
    let closed = unsafe { libc::fcntl(1, libc::F_GETFD) } == -1;
    STDOUT_CLOSED.store(closed, Ordering::Relaxed);
}

/// A result for standard output needs one that is open (`>&-` closes it).
fn check_stdout(output: Option<&str>) -> Result<(), Error> {
    if output.is_none() && STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Err(Error::Usage(
            "standard output: is closed (`>&-`), so the result could not be printed; \
             redirect it to a file, to /dev/null to discard it, or give --output FILE"
                .to_string(),
        ));
    }
    Ok(())
}

/// Print the outcome: stderr first, then the result to `--output` or stdout.
fn emit(outcome: &mut CommandOutput, output: Option<&str>) -> Result<(), Error> {
    if let Some(path) = output {
        scanquota::app::output::refuse_input_as_output(path)?;
    }
    eprint!("{}", outcome.stderr);
    let stream = outcome.stream.take();
    let text = outcome.stdout.as_bytes();
    let write_all = |out: &mut dyn Write| -> Result<(), Failure> {
        out.write_all(text)?;
        match stream {
            Some(stream) => stream(out),
            None => Ok(()),
        }
    };
    if let Some(path) = output {
        return scanquota::app::output::write_atomically_with(path, write_all);
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write_all(&mut stdout).and_then(|()| Ok(stdout.flush()?)) {
        // A reader that went away (`| head -1`) is not a failure.
        Err(Failure::Write(err)) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => {
            result.map_err(|failure| failure.into_error(scanquota::domain::error::STDOUT_NAME))
        }
    }
}
