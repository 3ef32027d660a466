//! `--output` is safe (issue 20 §5) and usage errors read like every other
//! error (§4): modes and owners kept, devices and FIFOs written straight,
//! symlinks followed, no temporary file left on a signal, a closed standard
//! output refused, the ledger's inputs checked between its two passes.

mod common;

use clap::Parser;
use common::{Workdir, root, run, scanquota};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_scanquota");
const PLAN: &str = "fixtures/tcss-usd-300.toml";
const LOG: &str = "fixtures/tcss-worked-example.csv";
const AS_OF: &str = "2024-04-20T12:00:00+08:00";

fn report_args(output: &str) -> Vec<String> {
    [
        "report", "--plan", PLAN, "--log", LOG, "--as-of", AS_OF, "--output", output,
    ]
    .map(String::from)
    .to_vec()
}

/// The report as printed to standard output: what every `--output` must hold.
fn expected_report() -> String {
    let (code, stdout, stderr) = run(&["report", "--plan", PLAN, "--log", LOG, "--as-of", AS_OF]);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

/// Run the binary through `sh` with `umask` set first; (status, stderr).
fn run_with_umask(umask: &str, args: &[String]) -> (Option<i32>, String) {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `.scanquota-*` temporary files in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".scanquota-"))
        .collect()
}

fn mode(path: &str) -> u32 {
    std::fs::metadata(path).unwrap().mode() & 0o7777
}

fn running_as_root(dir: &Workdir) -> bool {
    let probe = dir.write("probe", "");
    std::fs::metadata(probe).unwrap().uid() == 0
}

#[test]
fn a_new_output_file_gets_the_umask_mode_not_0600() {
    let dir = Workdir::new();
    for (umask, expected) in [("022", 0o644), ("027", 0o640), ("002", 0o664)] {
        let out = dir.path(&format!("new-{umask}.txt"));
        let (code, stderr) = run_with_umask(umask, &report_args(&out));
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(mode(&out), expected, "umask {umask}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), expected_report());
    }
    assert!(temporaries(dir.dir()).is_empty());
}

#[test]
fn an_existing_output_file_keeps_its_mode_and_owner() {
    let dir = Workdir::new();
    let out = dir.write("metrics.prom", "old\n");
    for kept in [0o644, 0o604, 0o640] {
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(kept)).unwrap();
        let (code, stderr) = run_with_umask("077", &report_args(&out));
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(mode(&out), kept);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), expected_report());
    }
    if running_as_root(&dir) {
        // Root may give a file away: the replacement keeps owner and group.
        std::os::unix::fs::chown(&out, Some(1234), Some(5678)).unwrap();
        let (code, stderr) = run_with_umask("022", &report_args(&out));
        assert_eq!(code, Some(0), "{stderr}");
        let metadata = std::fs::metadata(&out).unwrap();
        assert_eq!((metadata.uid(), metadata.gid()), (1234, 5678));
        assert_eq!(mode(&out), 0o640);
    }
}

#[test]
fn a_fifo_is_written_straight_and_stays_a_fifo() {
    let dir = Workdir::new();
    let fifo = dir.path("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reading = fifo.clone();
    // Opening a FIFO for reading waits for the writer, and the reader sees
    // everything written until the writer closes it.
    let reader = std::thread::spawn(move || std::fs::read_to_string(reading).unwrap());
    let output = scanquota().args(report_args(&fifo)).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(reader.join().unwrap(), expected_report());
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(temporaries(dir.dir()).is_empty());
}

#[test]
fn a_character_device_is_written_straight_and_stays_a_device() {
    let dir = Workdir::new();
    // First a private copy of /dev/null where the process may make one
    // (root): a regression replaces that one, not the system's.
    let private = dir.path("null");
    let made = Command::new("mknod")
        .args([&private, "c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let mut devices = vec![private];
    if !made {
        devices.clear();
    }
    devices.push("/dev/null".to_string());
    for device in devices {
        let output = scanquota().args(report_args(&device)).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{device}: {output:?}");
        let kind = std::fs::symlink_metadata(&device).unwrap().file_type();
        assert!(kind.is_char_device(), "{device} is no longer a device");
    }
    assert!(temporaries(dir.dir()).is_empty());
    assert!(temporaries(Path::new("/dev")).is_empty());
}

#[test]
fn a_unix_socket_is_connected_to_and_stays_a_socket() {
    let dir = Workdir::new();
    let socket = dir.path("collector.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    });
    let output = scanquota().args(report_args(&socket)).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(reader.join().unwrap(), expected_report());
    assert!(
        std::fs::symlink_metadata(&socket)
            .unwrap()
            .file_type()
            .is_socket()
    );
    assert!(temporaries(dir.dir()).is_empty());
}

#[test]
fn a_symlink_is_kept_and_the_file_it_points_to_replaced() {
    let dir = Workdir::new();
    std::fs::create_dir(dir.dir().join("data")).unwrap();
    let real = dir.write("data/report.txt", "old\n");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path("current.txt");
    std::os::unix::fs::symlink("data/report.txt", &link).unwrap();
    let output = scanquota().args(report_args(&link)).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("data/report.txt")
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), expected_report());
    assert_eq!(mode(&real), 0o640);
    assert!(temporaries(dir.dir()).is_empty());
    assert!(temporaries(&dir.dir().join("data")).is_empty());

    // A link to nothing: the file is made where it points, the link kept.
    let dangling = dir.path("dangling.txt");
    std::os::unix::fs::symlink("data/new.txt", &dangling).unwrap();
    let output = scanquota().args(report_args(&dangling)).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path("data/new.txt")).unwrap(),
        expected_report()
    );

    // A loop of links is refused, naming the path.
    let looped = dir.path("loop.txt");
    std::os::unix::fs::symlink("loop.txt", &looped).unwrap();
    let output = scanquota().args(report_args(&looped)).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!("scanquota: error: {looped}: cannot write: ")),
        "{stderr}"
    );
}

#[test]
fn an_output_that_names_an_input_is_refused_and_the_input_kept() {
    let dir = Workdir::new();
    let log_text = std::fs::read(root().join(LOG)).unwrap();
    let plan_text = std::fs::read(root().join(PLAN)).unwrap();
    std::fs::create_dir(dir.dir().join("logs")).unwrap();
    let log = dir.write("logs/scans.csv", &log_text);
    let plan = dir.write("plan.toml", &plan_text);
    let link = dir.path("latest.csv");
    std::os::unix::fs::symlink("logs/scans.csv", &link).unwrap();
    let directory = dir.path("logs");
    let cases: Vec<(Vec<&str>, &str, Option<&str>)> = vec![
        // The log by name, by a link to it, and the plan.
        (vec!["report", "--log", &log], &log, None),
        (vec!["report", "--log", &log], &link, None),
        (vec!["report", "--log", &log], &plan, None),
        // The log read from standard input, and a log found in a directory.
        (vec!["report", "--log", "-"], &log, Some(&log)),
        (vec!["ledger", "--log", &directory], &log, None),
    ];
    for (args, output, stdin) in cases {
        // std's Command: standard input is then the file itself, not a pipe.
        let mut command = Command::new(BIN);
        command
            .current_dir(root())
            .args(&args)
            .args(["--plan", &plan, "--as-of", AS_OF, "--output", output]);
        if let Some(stdin) = stdin {
            command.stdin(std::fs::File::open(stdin).unwrap());
        }
        let result = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{args:?} {output}: {stderr}");
        assert!(result.stdout.is_empty());
        assert_eq!(stderr, refusal(output), "{args:?}");
        assert_eq!(std::fs::read(&log).unwrap(), log_text);
        assert_eq!(std::fs::read(&plan).unwrap(), plan_text);
        assert!(temporaries(dir.dir()).is_empty());
        assert!(temporaries(&dir.dir().join("logs")).is_empty());
    }
    // Another file beside them is written.
    let report = dir.path("report.txt");
    let (code, _, stderr) = run(&[
        "report", "--plan", &plan, "--log", &log, "--as-of", AS_OF, "--output", &report,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!std::fs::read(&report).unwrap().is_empty());
}

/// The one line `--output` onto an input prints.
fn refusal(output: &str) -> String {
    format!(
        "scanquota: error: {output}: is a file this run read as input (by this name or \
         another); writing the result over it would replace that input: give --output \
         another file\n"
    )
}

/// A log of 16 MiB or more is read in pieces on two cores, by readers of
/// their own: they note the file too.
#[test]
fn an_output_that_names_a_log_read_in_pieces_is_refused() {
    let dir = Workdir::new();
    let log = big_log(&dir, 500_000);
    let before = std::fs::read(&log).unwrap();
    assert!(before.len() >= 16 << 20, "{}", before.len());
    // The report is enough: the ledger's second pass reads what its first
    // (the same readers) noted, and a debug build takes seconds a pass.
    let result = scanquota()
        .args(["report", "--plan", PLAN, "--log", &log, "--as-of", AS_OF])
        .args(["--output", &log])
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&result.stderr), refusal(&log));
    assert!(std::fs::read(&log).unwrap() == before);
}

/// A time-ordered log of `rows` rows (one every 5 seconds from 2024-04-01),
/// whose ledger takes seconds to write in a debug build.
fn big_log(dir: &Workdir, rows: u32) -> String {
    let mut log = String::from("timestamp,account,image\n");
    for row in 0..rows {
        let second = row * 5;
        let (day, hour) = (1 + second / 86_400, second / 3600 % 24);
        let (minute, second) = (second / 60 % 60, second % 60);
        log += &format!(
            "2024-04-{day:02}T{hour:02}:{minute:02}:{second:02}Z,team-{},img{}\n",
            row % 7,
            row % 5000
        );
    }
    dir.write("big.csv", log)
}

fn ledger_args(log: &str, output: &str) -> Vec<String> {
    let mut args = [
        "ledger",
        "--plan",
        PLAN,
        "--log",
        log,
        "--as-of",
        "2024-06-01",
        "--format",
        "csv",
    ]
    .map(String::from)
    .to_vec();
    if !output.is_empty() {
        args.extend(["--output".to_string(), output.to_string()]);
    }
    args
}

/// Send `signal` while the ledger is being written to its temporary file:
/// the file is removed and the process exits with `code` (128 + number).
fn interrupted_while_writing(signal: &str, code: i32) {
    let dir = Workdir::new();
    let log = big_log(&dir, 300_000);
    let out = dir.path("out.csv");
    let mut child = Command::new(BIN)
        .args(ledger_args(&log, &out))
        .current_dir(root())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while temporaries(dir.dir()).is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the ledger ended ({status}) before its temporary file was seen");
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("no temporary file in 300 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(code), "SIG{signal}: {status}");
    assert_eq!(temporaries(dir.dir()), Vec::<String>::new(), "SIG{signal}");
    assert!(!Path::new(&out).exists(), "SIG{signal}");
}

#[test]
fn sigterm_while_writing_leaves_no_temporary_file_and_exits_143() {
    interrupted_while_writing("TERM", 143);
}

#[test]
fn sigint_while_writing_leaves_no_temporary_file_and_exits_130() {
    interrupted_while_writing("INT", 130);
}

#[test]
fn sighup_while_writing_leaves_no_temporary_file_and_exits_129() {
    interrupted_while_writing("HUP", 129);
}

/// Run the binary with file descriptor 1 closed.
fn with_stdout_closed(args: &[String]) -> (Option<i32>, String) {
    let output = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" \"$@\" >&-")
        .arg(BIN)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_standard_output_is_exit_2_with_a_message() {
    let args = ["report", "--plan", PLAN, "--log", LOG, "--as-of", AS_OF].map(String::from);
    let (code, stderr) = with_stdout_closed(&args);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with("scanquota: error: standard output: "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // With --output the closed standard output is not needed.
    let dir = Workdir::new();
    let out = dir.path("report.txt");
    let (code, stderr) = with_stdout_closed(&report_args(&out));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected_report());
    // Standard output sent to /dev/null is open: the result is discarded.
    let status = Command::new(BIN)
        .args(args)
        .current_dir(root())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

/// Help and the version are results too: written where they cannot be
/// (a full device, a closed standard output), they exit 2 with one line
/// naming standard output (written, 0: the test below).
#[test]
fn help_and_version_that_cannot_be_written_exit_2() {
    for args in [
        &["--help"][..],
        &["report", "--help"],
        &["--version"],
        &["help"],
    ] {
        let full = Command::new(BIN)
            .args(args)
            .stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&full.stderr);
        assert_eq!(full.status.code(), Some(2), "{args:?} {stderr}");
        assert!(
            stderr.starts_with("scanquota: error: standard output: cannot write: ")
                && stderr
                    .trim_end()
                    .ends_with("; redirect it to a file that can be written, or to /dev/null")
                && !stderr.contains("--output")
                && stderr.lines().count() == 1,
            "{stderr}"
        );
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        let (code, stderr) = with_stdout_closed(&args);
        assert_eq!(code, Some(2), "{args:?} {stderr}");
        assert_eq!(
            stderr,
            "scanquota: error: standard output: is closed (`>&-`), so this could not be printed; redirect it to a file that can be written, or to /dev/null\n"
        );
    }
}

/// `man --dir` names a path that is there but not a directory as such.
#[test]
fn man_into_something_that_is_not_a_directory_says_so() {
    let work = Workdir::new();
    let file = work.write("pages", "not a directory");
    let dangling = work.path("gone");
    std::os::unix::fs::symlink(work.path("nowhere"), &dangling).unwrap();
    let output = Command::new(BIN)
        .args(["man", "--dir", &dangling])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains(": is a symbolic link to nothing (No such file or directory (os error 2)); give a directory"),
        "{output:?}"
    );
    for dir in [file.as_str(), "/dev/full"] {
        let output = Command::new(BIN)
            .args(["man", "--dir", dir])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!(
                "scanquota: error: --dir {dir}: is not a directory; give a directory to write the pages into (it is made if missing)"
            )
        );
        assert!(output.stdout.is_empty());
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");
}

#[test]
fn a_reader_that_goes_away_is_still_exit_0() {
    let dir = Workdir::new();
    let log = big_log(&dir, 20_000);
    let mut child = Command::new(BIN)
        .args(ledger_args(&log, ""))
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the header line, then close the pipe (`| head -1`).
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 9];
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"timestamp");
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stderr.is_empty(), "{output:?}");
}

/// The first line of stderr and the status of a command line clap refuses.
#[test]
fn usage_errors_start_with_scanquota_error_and_exit_2() {
    let cases: &[&[&str]] = &[
        &["report", "--plan", PLAN, "--log", LOG, "--bogus"],
        &[
            "check",
            "--plan",
            PLAN,
            "--log",
            LOG,
            "--min-remaining",
            "-5",
        ],
        &["report", "--log", LOG],
        &["report", "--plan", PLAN, "--log", LOG, "--format", "bogus"],
        &[],
    ];
    for args in cases {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("scanquota: error: "),
            "{args:?}: {stderr}"
        );
    }
    // clap's suggestion is kept below the first line.
    let (_, _, stderr) = run(&["report", "--plan", PLAN, "--log", LOG, "--formt", "json"]);
    assert!(
        stderr.starts_with("scanquota: error: unexpected argument '--formt'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tip: a similar argument exists: '--format'"),
        "{stderr}"
    );
    // A negative threshold is the value check's message, not an unknown flag.
    let (_, _, stderr) = run(&[
        "check",
        "--plan",
        PLAN,
        "--log",
        LOG,
        "--min-remaining",
        "-5",
    ]);
    assert!(stderr.contains("--min-remaining `-5`"), "{stderr}");
    let (_, _, stderr) = run(&["report", "--log", LOG]);
    assert!(stderr.contains("--plan <PLAN>"), "{stderr}");
}

#[test]
fn help_and_version_still_print_with_exit_0() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["report", "--help"],
        &["help"],
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        assert!(
            stdout.contains("scanquota") || stdout.contains("Usage"),
            "{args:?}"
        );
    }
}

/// The library's ledger run, its rows not yet written.
fn ledger_command(log: &str) -> scanquota::app::cmd::CommandOutput {
    let args = std::iter::once("scanquota".to_string()).chain(ledger_args(log, ""));
    let cli = scanquota::app::cli::Cli::try_parse_from(args).unwrap();
    // Integration tests run in the package root, where the fixtures are.
    scanquota::app::cmd::run(cli).unwrap()
}

/// Write a command's stream to `out` as `--output` does.
fn write_stream(
    mut command: scanquota::app::cmd::CommandOutput,
    out: &str,
) -> scanquota::domain::error::Result<()> {
    let stream = command.stream.take().expect("a CSV ledger streams");
    scanquota::app::output::write_atomically_with(out, stream)
}

#[test]
fn a_log_that_changes_between_the_ledgers_passes_is_named() {
    let dir = Workdir::new();
    let log = dir.write("scans.csv", common::twelve_daily_images());
    let out = dir.path("ledger.csv");
    // Unchanged: the ledger is written.
    write_stream(ledger_command(&log), &out).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 13);
    std::fs::remove_file(&out).unwrap();

    // A row added after the first pass: refused before a row is written.
    let command = ledger_command(&log);
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut file, b"2024-04-13T01:00:00Z,img13\n").unwrap();
    drop(file);
    let err = write_stream(command, &out).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{log}: changed while being read (its size went from "
        )),
        "{err}"
    );
    assert!(
        err.ends_with("run again on a file that is not being written"),
        "{err}"
    );
    assert!(!Path::new(&out).exists());
    assert!(temporaries(dir.dir()).is_empty());
}

#[test]
fn the_check_between_passes_sees_size_time_and_replacement() {
    use scanquota::replay::Unchanged;
    let dir = Workdir::new();
    let log = dir.write("scans.csv", "timestamp,image\n");
    let paths = vec![log.clone()];
    assert!(Unchanged::take(&paths).check().is_ok());

    let unchanged = Unchanged::take(&paths);
    std::fs::write(&log, "timestamp,image\n2024-04-01T00:00:00Z,a\n").unwrap();
    let err = unchanged.check().unwrap_err().to_string();
    assert!(err.contains("its size went from 16 to 39 bytes"), "{err}");

    // Same size, another time.
    let unchanged = Unchanged::take(&paths);
    let file = std::fs::File::options().write(true).open(&log).unwrap();
    let earlier = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    file.set_modified(earlier).unwrap();
    drop(file);
    let err = unchanged.check().unwrap_err().to_string();
    assert!(err.contains("its modification time changed"), "{err}");

    // Another file renamed into its place.
    let unchanged = Unchanged::take(&paths);
    let other = dir.write("other.csv", "timestamp,image\n2024-04-01T00:00:00Z,a\n");
    std::fs::rename(&other, &log).unwrap();
    let err = unchanged.check().unwrap_err().to_string();
    assert!(err.contains("another file took its place"), "{err}");

    let unchanged = Unchanged::take(&paths);
    std::fs::remove_file(&log).unwrap();
    let err = unchanged.check().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{log}: changed while being read (it is gone)")),
        "{err}"
    );
}

#[test]
fn a_read_error_in_the_second_pass_names_the_input_not_the_output() {
    let dir = Workdir::new();
    let log = dir.write("scans.csv", common::twelve_daily_images());
    let out = dir.path("ledger.csv");
    let command = ledger_command(&log);
    // Damage a timestamp in place, keeping size, file and modification
    // time: only the second pass's reading can find it.
    let before = std::fs::metadata(&log).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("2024-04-05T01", "2024-04-05X01", 1)).unwrap();
    let file = std::fs::File::options().write(true).open(&log).unwrap();
    file.set_modified(before).unwrap();
    drop(file);
    let err = write_stream(command, &out).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{log}:6")), "{err}");
    assert!(!err.contains("cannot write"), "{err}");
    assert!(!Path::new(&out).exists());
    assert!(temporaries(dir.dir()).is_empty());
}

#[test]
fn a_log_read_through_a_pipe_is_read_once_and_fully() {
    // `<(cat log)`: a pipe cannot be read twice, nor its first bytes
    // looked at before it is read.
    let script =
        format!("exec \"$0\" ledger --plan {PLAN} --log <(cat {LOG}) --as-of {AS_OF} --format csv");
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .arg(BIN)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let (_, expected, _) = run(&[
        "ledger", "--plan", PLAN, "--log", LOG, "--as-of", AS_OF, "--format", "csv",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Same rows; the file column names the pipe.
    assert_eq!(stdout.lines().count(), expected.lines().count(), "{stdout}");
    assert!(expected.lines().count() > 2);
    // The report too, in time order or not: the same figures.
    let reversed = Workdir::new();
    let text = std::fs::read_to_string(root().join(LOG)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let shuffled = reversed.write("reversed.csv", lines.join("\n") + "\n");
    for log in [LOG, shuffled.as_str()] {
        let script = format!("exec \"$0\" report --plan {PLAN} --log <(cat {log}) --as-of {AS_OF}");
        let output = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .arg(BIN)
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{log}: {output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected_report());
    }
}
