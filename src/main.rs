use clap::Parser;
use scanquota::cli::Cli;
use scanquota::cmd::CommandOutput;
use scanquota::error::Error;
use std::io::Write;
use std::process::ExitCode;

/// Parse, run, print; the exit status is the outcome's (0, or 1 for an
/// alerting `check`) or the error's `code()` (2).
fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    let output = cli.output.clone();
    let result = scanquota::cmd::run(cli)
        .and_then(|mut outcome| emit(&mut outcome, output.as_deref()).map(|()| outcome.code));
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(err) => {
            eprintln!("scanquota: error: {err}");
            ExitCode::from(err.code() as u8)
        }
    }
}

/// A command line clap refuses: its message, first line `scanquota: error:
/// …` like every other error, and status 2. Help and the version are
/// printed as clap prints them.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => err.exit(),
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

/// Print the outcome: stderr first, then the result to `--output` or stdout.
fn emit(outcome: &mut CommandOutput, output: Option<&str>) -> Result<(), Error> {
    eprint!("{}", outcome.stderr);
    let stream = outcome.stream.take();
    let text = outcome.stdout.as_bytes();
    let write_all = |out: &mut dyn Write| -> std::io::Result<()> {
        out.write_all(text)?;
        match stream {
            Some(stream) => stream(out),
            None => Ok(()),
        }
    };
    if let Some(path) = output {
        return scanquota::output::write_atomically_with(path, write_all);
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write_all(&mut stdout).and_then(|()| stdout.flush()) {
        // A reader that went away (`| head -1`) is not a failure.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(|err| Error::write("standard output", err)),
    }
}
