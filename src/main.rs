use anyhow::Context;
use clap::Parser;
use scanquota::cli::Cli;
use scanquota::cmd::Outcome;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = cli.output.clone();
    match scanquota::cmd::run(cli) {
        Ok(mut outcome) => match emit(&mut outcome, output.as_deref()) {
            Ok(()) => ExitCode::from(outcome.code as u8),
            Err(err) => {
                eprintln!("scanquota: error: {err:#}");
                ExitCode::from(2)
            }
        },
        Err(err) => {
            eprintln!("scanquota: error: {err}");
            ExitCode::from(err.code() as u8)
        }
    }
}

/// Print the outcome: stderr first, then the result to `--output` or stdout.
fn emit(outcome: &mut Outcome, output: Option<&str>) -> anyhow::Result<()> {
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
        return scanquota::output::write_atomically_with(path, write_all)
            .with_context(|| format!("cannot write --output {path}"));
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write_all(&mut stdout).and_then(|()| stdout.flush()) {
        // A reader that went away (`| head -1`) is not a failure.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.context("cannot write to standard output"),
    }
}
