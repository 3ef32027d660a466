use super::CommandOutput;
use crate::cli::Cli;
use crate::error::{Error, Result};
use clap::CommandFactory;

/// The completion script for `shell`, as committed under `completions/`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "scanquota", &mut buffer);
    String::from_utf8(buffer).expect("completion scripts are UTF-8")
}

pub fn run(shell: clap_complete::Shell) -> CommandOutput {
    CommandOutput::success(script(shell))
}

/// The man page, built from the same command definition as `--help`; with
/// `dir`, one page per command and subcommand written there (the pages the
/// main page's SEE ALSO names), and their names printed.
pub fn man(dir: Option<&str>) -> Result<CommandOutput> {
    let Some(dir) = dir else {
        let mut buffer = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut buffer)
            .expect("rendering to memory cannot fail");
        return Ok(CommandOutput::success(
            String::from_utf8(buffer).expect("the man page is UTF-8"),
        ));
    };
    std::fs::create_dir_all(dir).map_err(|err| Error::write(dir, err))?;
    clap_mangen::generate_to(Cli::command(), dir).map_err(|err| Error::write(dir, err))?;
    let mut pages: Vec<String> = std::fs::read_dir(dir)
        .map_err(|err| Error::io(dir, err))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("scanquota") && n.ends_with(".1"))
        })
        .map(|path| path.display().to_string())
        .collect();
    pages.sort();
    Ok(CommandOutput::success(pages.join("\n") + "\n"))
}
