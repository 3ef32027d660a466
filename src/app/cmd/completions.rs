use super::CommandOutput;
use crate::app::cli::Cli;
use crate::domain::error::{Error, Result};
use clap::CommandFactory;

/// The completion script for `shell`, as committed under `completions/`.
pub(crate) fn script(shell: clap_complete::Shell) -> String {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "scanquota", &mut buffer);
    String::from_utf8(buffer).expect("completion scripts are UTF-8")
}

pub(crate) fn run(shell: clap_complete::Shell) -> CommandOutput {
    CommandOutput::success(script(shell))
}

/// The command definition as the pages describe it: built, so each
/// subcommand knows its `scanquota-<command>` name, and without `help`.
fn built() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// One man page: clap_mangen's sections, then EXIT STATUS and FILES (before
/// VERSION, where a man page has them).
pub(crate) fn page(cmd: &clap::Command) -> String {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buffer)
        .expect("rendering to memory cannot fail");
    let text = String::from_utf8(buffer).expect("the man page is UTF-8");
    let extra = exit_status(cmd) + &files(cmd);
    match text.find("\n.SH VERSION") {
        Some(at) => format!("{}\n{}{}", &text[..at], extra.trim_end(), &text[at..]),
        None => text + &extra,
    }
}

/// The EXIT STATUS section: 1 only where the command uses it.
fn exit_status(cmd: &clap::Command) -> String {
    let one = match cmd.get_display_name().unwrap_or(cmd.get_name()) {
        "scanquota-check" => {
            Some("a threshold was crossed (an unpriced projected cost alerts too)")
        }
        "scanquota-reconcile" => {
            Some("a field of the vendor's statistics differs from the computed one")
        }
        "scanquota" => Some(
            "a \\fBcheck\\fR threshold was crossed, or \\fBreconcile\\fR found a field that differs",
        ),
        _ => None,
    };
    let mut out = String::from(".SH \"EXIT STATUS\"\n.TP\n\\fB0\\fR\nsuccess\n");
    if let Some(one) = one {
        out += &format!(".TP\n\\fB1\\fR\n{one}\n");
    }
    out += ".TP\n\\fB2\\fR\nbad input or usage: one message on standard error, starting \
            \\fBscanquota: error:\\fR, names the file, line, column or key, the value, and the \
            fix; nothing is written to standard output\n";
    out
}

/// The FILES section: each file the command reads or writes, by option.
fn files(cmd: &clap::Command) -> String {
    const FILES: &[(&str, &str, &str)] = &[
        (
            "plan",
            "\\fB\\-\\-plan\\fR \\fIPLAN\\fR",
            "a billing plan in TOML, or \\fBbuiltin:\\fR\\fINAME\\fR (\\fBscanquota plan list\\fR)",
        ),
        (
            "log",
            "\\fB\\-\\-log\\fR \\fILOG\\fR",
            "scan logs: CSV (\\fBtimestamp,image,\\fR...), JSON Lines, Trivy or Grype JSON reports, \
             Harbor webhook events; gzip recognised by content; \\fB\\-\\fR for standard input",
        ),
        (
            "from_log",
            "\\fB\\-\\-from\\-log\\fR \\fILOG\\fR",
            "scan logs to size the demand from, in any format \\fB\\-\\-log\\fR takes",
        ),
        (
            "cores",
            "\\fB\\-\\-cores\\fR \\fIFILE\\fR",
            "CSV \\fBtimestamp,account,cores\\fR: hourly samples of online cores",
        ),
        (
            "inventory",
            "\\fB\\-\\-inventory\\fR \\fIFILE\\fR",
            "CSV \\fBimage,source\\fR: images known to exist, scanned or not",
        ),
        (
            "vendor_stats",
            "\\fB\\-\\-vendor\\-stats\\fR \\fIFILE\\fR",
            "JSON: the whole body ShowImagePayPerScanStatistics returned; a missing field is bad input",
        ),
        (
            "files",
            "\\fIFILES\\fR",
            "scanner reports or registry events to convert",
        ),
        (
            "reports",
            "\\fIREPORTS\\fR",
            "JSON reports written by \\fBscanquota report \\-\\-format json\\fR",
        ),
        (
            "dir",
            "\\fB\\-\\-dir\\fR \\fIDIR\\fR",
            "where \\fBscanquota.1\\fR and one \\fBscanquota\\-\\fR\\fIcommand\\fR\\fB.1\\fR page per command are written",
        ),
        (
            "output",
            "\\fB\\-\\-output\\fR \\fIFILE\\fR",
            "the result, in place of standard output; replaced only when the run succeeds",
        ),
    ];
    let has = |id: &str| cmd.get_arguments().any(|a| a.get_id() == id);
    let mut out = String::from(".SH FILES\n");
    if cmd.get_name() == "scanquota" {
        // The top page: what the commands read, as a whole.
        for id in ["plan", "log", "output"] {
            let (_, name, what) = FILES.iter().find(|f| f.0 == id).expect("listed");
            out += &format!(".TP\n{name}\n{what}\n");
        }
        return out;
    }
    for (id, name, what) in FILES {
        if has(id) {
            out += &format!(".TP\n{name}\n{what}\n");
        }
    }
    out
}

/// Every page: the top one and one per command and subcommand, by file name.
fn pages(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
    let name = clap_mangen::Man::new(cmd.clone()).get_filename();
    out.push((name, page(cmd)));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages(sub, out);
    }
}

/// The man page, built from the same command definition as `--help`; with
/// `dir`, one page per command and subcommand written there (the pages the
/// main page's SEE ALSO names), and their names printed. Every page has
/// EXIT STATUS and FILES sections.
pub(crate) fn man(dir: Option<&str>) -> Result<CommandOutput> {
    let cmd = built();
    let Some(dir) = dir else {
        return Ok(CommandOutput::success(page(&cmd)));
    };
    // Something there that is not a directory (a file, a device, a link to
    // nothing) is named as such: creating it would only say "File exists".
    if std::fs::symlink_metadata(dir).is_ok() {
        let what = match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => None,
            Ok(_) => Some("is not a directory".to_string()),
            Err(err) => Some(format!("is a symbolic link to nothing ({err})")),
        };
        if let Some(what) = what {
            return Err(Error::Usage(format!(
                "--dir {dir}: {what}; give a directory to write the pages into (it is made if missing)"
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|err| Error::write(dir, err))?;
    let mut all = Vec::new();
    pages(&cmd, &mut all);
    for (name, text) in &all {
        let path = std::path::Path::new(dir).join(name);
        std::fs::write(&path, text).map_err(|err| Error::write(path.display().to_string(), err))?;
    }
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
