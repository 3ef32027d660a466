use super::Outcome;
use crate::cli::Cli;
use clap::CommandFactory;

/// The completion script for `shell`, as committed under `completions/`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "scanquota", &mut buffer);
    String::from_utf8(buffer).expect("completion scripts are UTF-8")
}

pub fn run(shell: clap_complete::Shell) -> Outcome {
    Outcome::success(script(shell))
}

/// The man page, built from the same command definition as `--help`.
pub fn man() -> Outcome {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buffer)
        .expect("rendering to memory cannot fail");
    Outcome::success(String::from_utf8(buffer).expect("the man page is UTF-8"))
}
