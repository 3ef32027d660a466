use clap::Parser;
use scanquota::cli::Cli;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match scanquota::cmd::run(cli) {
        Ok(outcome) => {
            eprint!("{}", outcome.stderr);
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(outcome.stdout.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // A reader that went away (`| head -1`) is not a failure.
                Ok(()) => ExitCode::from(outcome.code as u8),
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                    ExitCode::from(outcome.code as u8)
                }
                Err(err) => {
                    eprintln!("scanquota: error: cannot write output: {err}");
                    ExitCode::from(2)
                }
            }
        }
        Err(err) => {
            eprintln!("scanquota: error: {err}");
            ExitCode::from(err.code() as u8)
        }
    }
}
