//! Issue 20 §3: nothing skipped or mis-billed without a word. Symbolic
//! links in a log directory are followed (a link to nothing or a loop is
//! refused), every Harbor event that makes no row is counted in the one
//! note, JSON Lines keys are matched as CSV headers are, a key written twice
//! is refused, and so is one input given twice.

mod common;

use common::{Workdir, run};
use serde_json::Value;
use std::os::unix::fs::symlink;

/// A plan from 2024-01-01 with room for every scan below.
const PLAN: &str = "[subscription]\nstart = 2024-01-01T00:00:00Z\n\
    [[allowance]]\nname = \"quota\"\nunits = 100\n";

/// One scan row of the canonical CSV, of `image`.
fn csv_log(image: &str) -> String {
    format!("timestamp,image\n2024-03-01T00:00:00Z,{image}\n")
}

/// Run a command that must be refused: exit 2, nothing on stdout, one line
/// on stderr with the usual prefix. Returns that line.
fn refused(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert_eq!(stdout, "", "{args:?}");
    assert!(stderr.starts_with("scanquota: error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

/// A JSON report of `logs` (as of the end of 2024): exit 0, and its stderr.
fn report(dir: &Workdir, logs: &[&str], extra: &[&str]) -> (Value, String) {
    let plan = dir.write("plan.toml", PLAN);
    let mut args = vec!["report", "--plan", &plan, "--as-of", "2024-12-31"];
    args.extend(["--format", "json", "--log"]);
    args.extend_from_slice(logs);
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    (serde_json::from_str(&stdout).unwrap(), stderr)
}

/// The `--by` groups of a JSON report's first account, sorted.
fn groups(report: &Value) -> Vec<String> {
    let mut groups: Vec<String> = report["accounts"][0]["allocation"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap().to_string())
        .collect();
    groups.sort();
    groups
}

/// The accounts of a JSON report with their scan counts.
fn scans(report: &Value) -> Vec<(String, Value)> {
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account"].as_str().unwrap().to_string(),
                a["scans"].clone(),
            )
        })
        .collect()
}

// --- §3.1 symbolic links ---------------------------------------------------

#[test]
fn a_directory_of_symlinked_logs_bills_every_log() {
    let dir = Workdir::new();
    std::fs::create_dir_all(dir.dir().join("logs/archive")).unwrap();
    std::fs::create_dir_all(dir.dir().join("elsewhere")).unwrap();
    dir.write("logs/a.csv", csv_log("img-a"));
    // A link to a file outside the directory, one to a file in a
    // subdirectory (which is not read on its own), and an absolute link.
    dir.write("elsewhere/b.csv", csv_log("img-b"));
    symlink("../elsewhere/b.csv", dir.dir().join("logs/b.csv")).unwrap();
    dir.write("logs/archive/c.csv", csv_log("img-c"));
    symlink("archive/c.csv", dir.dir().join("logs/c.csv")).unwrap();
    let d = dir.write("elsewhere/d.csv", csv_log("img-d"));
    symlink(&d, dir.dir().join("logs/d.csv")).unwrap();
    let logs = dir.path("logs");
    let (report, stderr) = report(&dir, &[&logs], &[]);
    assert_eq!(
        stderr,
        format!(
            "scanquota: left out 1 entry of {logs} that is not a regular file: archive \
             (subdirectories are not read; name them too to read them)\n"
        )
    );
    let scans = scans(&report);
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0].1["first"], 4, "{scans:?}");
}

#[test]
fn a_directory_of_symlinked_trivy_reports_imports_every_report() {
    let dir = Workdir::new();
    std::fs::create_dir_all(dir.dir().join("reports")).unwrap();
    let real = common::root().join("fixtures/real/trivy");
    for name in ["01-payments.json", "02-search.json", "03-worker.json"] {
        symlink(real.join(name), dir.dir().join("reports").join(name)).unwrap();
    }
    let (code, stdout, stderr) = run(&["import", "trivy", &dir.path("reports")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1 + 3, "{stdout}");
}

#[test]
fn a_link_to_nothing_in_a_directory_is_refused_naming_it() {
    let dir = Workdir::new();
    std::fs::create_dir_all(dir.dir().join("logs")).unwrap();
    dir.write("logs/a.csv", csv_log("img-a"));
    symlink("gone.csv", dir.dir().join("logs/b.csv")).unwrap();
    let plan = dir.write("plan.toml", PLAN);
    let stderr = refused(&["report", "--plan", &plan, "--log", &dir.path("logs")]);
    let link = dir.path("logs/b.csv");
    assert!(stderr.contains(&format!("{link}: ")), "{stderr}");
    assert!(stderr.contains("gone.csv"), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
}

#[test]
fn a_link_to_nothing_given_by_name_is_refused_naming_it() {
    let dir = Workdir::new();
    let link = dir.path("log.csv");
    symlink("missing.csv", &link).unwrap();
    let plan = dir.write("plan.toml", PLAN);
    let stderr = refused(&["report", "--plan", &plan, "--log", &link]);
    assert!(
        stderr.starts_with(&format!("scanquota: error: {link}: is a symbolic link")),
        "{stderr}"
    );
    assert!(stderr.contains("does not exist"), "{stderr}");
}

#[test]
fn a_loop_of_links_is_refused_naming_it() {
    let dir = Workdir::new();
    std::fs::create_dir_all(dir.dir().join("logs")).unwrap();
    dir.write("logs/0.csv", csv_log("img-a"));
    symlink("b.csv", dir.dir().join("logs/a.csv")).unwrap();
    symlink("a.csv", dir.dir().join("logs/b.csv")).unwrap();
    let plan = dir.write("plan.toml", PLAN);
    let stderr = refused(&["report", "--plan", &plan, "--log", &dir.path("logs")]);
    let link = dir.path("logs/a.csv");
    assert!(stderr.contains(&format!("{link}: ")), "{stderr}");
    assert!(stderr.contains("loop of symbolic links"), "{stderr}");
    // A link to itself, given by name.
    let itself = dir.path("self.csv");
    symlink("self.csv", &itself).unwrap();
    let stderr = refused(&["report", "--plan", &plan, "--log", &itself]);
    assert!(stderr.contains(&format!("{itself}: ")), "{stderr}");
    assert!(stderr.contains("loop of symbolic links"), "{stderr}");
}

#[test]
fn a_link_to_a_directory_is_a_subdirectory_and_left_out_with_a_note() {
    // Directories are not walked into, so a link to the directory's parent
    // (or to itself) cannot loop: it is left out like any subdirectory, and
    // the note names it.
    let dir = Workdir::new();
    std::fs::create_dir_all(dir.dir().join("logs")).unwrap();
    dir.write("logs/a.csv", csv_log("img-a"));
    dir.write("top.csv", csv_log("img-top"));
    symlink("..", dir.dir().join("logs/up")).unwrap();
    symlink(".", dir.dir().join("logs/here")).unwrap();
    let logs = dir.path("logs");
    let (report, stderr) = report(&dir, &[&logs], &[]);
    assert_eq!(scans(&report)[0].1["first"], 1);
    // Said on stderr, not left out without a word.
    assert!(
        stderr.starts_with(&format!(
            "scanquota: left out 2 entries of {logs} that are not regular files: here, up ("
        )),
        "{stderr}"
    );
    // `import` says it too.
    std::fs::create_dir_all(dir.dir().join("reports/old")).unwrap();
    let real = common::root().join("fixtures/real/trivy/01-payments.json");
    symlink(real, dir.dir().join("reports/01.json")).unwrap();
    let reports = dir.path("reports");
    let (code, stdout, stderr) = run(&["import", "trivy", &reports]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        stderr.starts_with(&format!(
            "scanquota: left out 1 entry of {reports} that is not a regular file: old ("
        )),
        "{stderr}"
    );
}

// --- §3.2 every record that makes no row is counted --------------------------

#[test]
fn harbor_scan_events_without_resources_are_counted_in_the_note() {
    let dir = Workdir::new();
    let events = dir.write(
        "events.jsonl",
        concat!(
            r#"{"type": "SCANNING_COMPLETED", "occur_at": 1710936300, "event_data": {"resources": [], "repository": {"name": "payments"}}}"#,
            "\n",
            r#"{"type": "SCANNING_COMPLETED", "occur_at": 1710936400, "event_data": {"repository": {"name": "payments"}}}"#,
            "\n",
            r#"{"type": "SCANNING_FAILED", "occur_at": 1710936500, "event_data": {"resources": null}}"#,
            "\n",
            r#"{"type": "PUSH_ARTIFACT", "occur_at": 1710936600, "event_data": {"resources": []}}"#,
            "\n",
            r#"{"type": "SCANNING_COMPLETED", "occur_at": 1710936700, "event_data": {"resources": [{"digest": "sha256:1"}]}}"#,
            "\n",
        ),
    );
    let note = "scanquota: skipped 4 Harbor event(s) that record no scan: 1 PUSH_ARTIFACT, \
        2 SCANNING_COMPLETED and 1 SCANNING_FAILED without `event_data.resources` \
        (they name no image to bill; check what sends Harbor's webhooks)\n";
    let (code, stdout, stderr) = run(&["import", "harbor", &events]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, note);
    assert_eq!(stdout.lines().count(), 1 + 1, "{stdout}");
    // The report says it once, and bills the one event with a resource.
    let (report, stderr) = report(&dir, &[&events], &[]);
    assert_eq!(stderr, note);
    assert_eq!(scans(&report)[0].1["first"], 1);
}

#[test]
fn harbor_scan_events_without_resources_alone_are_still_counted() {
    let dir = Workdir::new();
    let events = dir.write(
        "events.jsonl",
        concat!(
            r#"{"type": "SCANNING_COMPLETED", "occur_at": 1710936300, "event_data": {"resources": []}}"#,
            "\n",
        ),
    );
    let (code, stdout, stderr) = run(&["import", "harbor", &events]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stderr.starts_with("scanquota: skipped 1 Harbor event(s) that record no scan: 1 SCANNING_COMPLETED without `event_data.resources`"),
        "{stderr}"
    );
}

#[test]
fn an_empty_file_is_refused_by_import_as_by_report() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    for (file, text) in [("empty.json", ""), ("blank.json", " \n\n")] {
        let path = dir.write(file, text);
        let stderr = refused(&["import", "trivy", &path]);
        assert!(
            stderr.contains(&format!("{file}:1: holds no JSON document (it is empty or white space only); give the JSON `trivy image --format json` writes")),
            "{stderr}"
        );
        refused(&[
            "report",
            "--plan",
            &plan,
            "--log",
            &path,
            "--as-of",
            "2024-12-31",
        ]);
    }
}

#[test]
fn an_empty_json_array_is_noted_and_imports_nothing() {
    let dir = Workdir::new();
    let empty = dir.write("none.json", "[]\n");
    let note = format!(
        "scanquota: {empty} holds no scanner report or event, only an empty JSON array `[]`\n"
    );
    // Alone: the header, and a word that nothing was imported.
    let (code, stdout, stderr) = run(&["import", "grype", &empty]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert_eq!(
        stderr,
        format!("{note}scanquota: imported no scan from {empty}: the CSV holds its header only\n")
    );
    let (code, _, stderr) = run(&["import", "grype", &empty, "--quiet"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // Beside a report: that report's row, and the note on the empty one.
    let grype = "fixtures/grype/01-payments.json";
    let (code, stdout, stderr) = run(&["import", "grype", &empty, grype]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1 + 1, "{stdout}");
    assert_eq!(stderr, note);
    // `report` says the same, with the format named or not.
    let (report_of, stderr) = report(&dir, &[&empty, grype], &[]);
    assert_eq!(stderr, note);
    assert_eq!(scans(&report_of)[0].1["first"], 1);
    let (_, stderr) = report(&dir, &[&empty], &["--log-format", "grype"]);
    assert_eq!(stderr, note);
}

// --- §3.3 JSON Lines keys are matched as CSV headers are -----------------------

#[test]
fn json_lines_keys_ignore_case_and_spaces() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.jsonl",
        concat!(
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1", "Account": "team-b", "Status": "failed"}"#,
            "\n",
            r#"{" TIMESTAMP ": "2024-03-02T00:00:00Z", "Image": "sha256:2", " account": "team-b", "SOURCE": "cicd"}"#,
            "\n",
        ),
    );
    let (report, stderr) = report(&dir, &[&log], &[]);
    assert_eq!(stderr, "");
    let scans = scans(&report);
    // Billed to team-b, the first as failed (not metered), nothing to default.
    assert_eq!(scans.len(), 1, "{scans:?}");
    assert_eq!(scans[0].0, "team-b");
    assert_eq!(scans[0].1["failed"], 1);
    assert_eq!(scans[0].1["first"], 1);
}

#[test]
fn a_json_lines_log_with_capitalised_keys_only_is_a_scan_log() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.jsonl",
        concat!(
            r#"{"Timestamp": "2024-03-01T00:00:00Z", "Image": "sha256:1"}"#,
            "\n"
        ),
    );
    let (report, _) = report(&dir, &[&log], &[]);
    assert_eq!(scans(&report)[0].1["first"], 1);
}

#[test]
fn the_by_key_of_json_lines_ignores_case_and_spaces() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.jsonl",
        concat!(
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1", " Team ": "red"}"#,
            "\n",
            r#"{"timestamp": "2024-03-02T00:00:00Z", "image": "sha256:2", "TEAM": "blue"}"#,
            "\n",
        ),
    );
    let (report, _) = report(&dir, &[&log], &["--by", "team"]);
    let groups = groups(&report);
    assert_eq!(groups, ["blue", "red"]);
}

// --- §3.4 a key written twice is refused ----------------------------------------

#[test]
fn a_json_lines_key_written_twice_is_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let cases = [
        (
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1", "image": "sha256:2"}"#,
            "image",
        ),
        (
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1", "timestamp": 1709251200}"#,
            "timestamp",
        ),
        (
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1", " Image": "sha256:2"}"#,
            "image",
        ),
        (
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1", "account": "a", "ACCOUNT": "b"}"#,
            "account",
        ),
    ];
    for (line, key) in cases {
        let first = r#"{"timestamp": "2024-02-01T00:00:00Z", "image": "sha256:0"}"#;
        let log = dir.write("log.jsonl", format!("{first}\n{line}\n"));
        let stderr = refused(&["report", "--plan", &plan, "--log", &log]);
        assert!(
            stderr.starts_with(&format!("scanquota: error: {log}:2: {key}: ")),
            "{line}: {stderr}"
        );
        assert!(
            stderr.contains("twice") || stderr.contains("the same key"),
            "{stderr}"
        );
    }
}

#[test]
fn a_by_key_written_twice_is_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write(
        "log.jsonl",
        concat!(
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1", "team": "red", "Team": "blue"}"#,
            "\n"
        ),
    );
    let stderr = refused(&["report", "--plan", &plan, "--log", &log, "--by", "team"]);
    assert!(
        stderr.starts_with(&format!("scanquota: error: {log}:1: team: ")),
        "{stderr}"
    );
}

#[test]
fn a_scanner_field_written_twice_is_refused() {
    let dir = Workdir::new();
    let cases = [
        (
            "trivy",
            "fixtures/real/trivy/02-search.json",
            "CreatedAt",
            "\"2024-03-01T00:00:00Z\"",
        ),
        // Nested under `source.target`, which may also be a string.
        (
            "grype",
            "fixtures/grype/01-payments.json",
            "manifestDigest",
            "\"sha256:0\"",
        ),
        (
            "harbor",
            "fixtures/harbor/events.jsonl",
            "digest",
            "\"sha256:0\"",
        ),
    ];
    for (format, fixture, key, value) in cases {
        let text = std::fs::read_to_string(common::root().join(fixture)).unwrap();
        let quoted = format!("\"{key}\"");
        let twice = text.replacen(&quoted, &format!("{quoted}: {value}, {quoted}"), 1);
        assert_ne!(twice, text);
        let path = dir.write("document.json", twice);
        let stderr = refused(&["import", format, &path]);
        assert!(
            stderr.contains(&format!(": {key}: `{key}` is written twice")),
            "{stderr}"
        );
    }
}

// --- §3.5 one input given twice ---------------------------------------------------

#[test]
fn the_same_file_given_twice_is_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write("a.csv", csv_log("img-a"));
    let stderr = refused(&["report", "--plan", &plan, "--log", &log, &log]);
    assert!(
        stderr.starts_with(&format!("scanquota: error: {log}: is given twice")),
        "{stderr}"
    );
    // --log repeated, too.
    let stderr = refused(&["report", "--plan", &plan, "--log", &log, "--log", &log]);
    assert!(stderr.contains("given twice"), "{stderr}");
}

#[test]
fn a_file_and_the_directory_holding_it_are_refused() {
    let dir = Workdir::new();
    std::fs::create_dir_all(dir.dir().join("logs")).unwrap();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write("logs/a.csv", csv_log("img-a"));
    let logs = dir.path("logs");
    let stderr = refused(&["report", "--plan", &plan, "--log", &logs, &log]);
    assert!(
        stderr.starts_with(&format!(
            "scanquota: error: {log}: is given twice, in the directory `{logs}` and by name"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("billed twice"), "{stderr}");
    // Spelled another way: both names, as given.
    let other = format!("{logs}/./a.csv");
    let stderr = refused(&["report", "--plan", &plan, "--log", &other, &logs]);
    assert!(
        stderr.starts_with(&format!(
            "scanquota: error: {log}: is the same file as `{other}`, given before it"
        )),
        "{stderr}"
    );
}

#[test]
fn a_file_and_a_link_to_it_are_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write("a.csv", csv_log("img-a"));
    let link = dir.path("b.csv");
    symlink(&log, &link).unwrap();
    let stderr = refused(&["report", "--plan", &plan, "--log", &log, &link]);
    assert!(
        stderr.starts_with(&format!(
            "scanquota: error: {link}: is the same file as `{log}`"
        )),
        "{stderr}"
    );
    // A link beside its target in one directory.
    std::fs::create_dir_all(dir.dir().join("logs")).unwrap();
    dir.write("logs/a.csv", csv_log("img-a"));
    symlink("a.csv", dir.dir().join("logs/b.csv")).unwrap();
    let stderr = refused(&["report", "--plan", &plan, "--log", &dir.path("logs")]);
    assert!(stderr.contains("is the same file as"), "{stderr}");
}

#[test]
fn a_file_and_a_hard_link_to_it_are_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write("a.csv", csv_log("img-a"));
    let other = dir.path("b.csv");
    std::fs::hard_link(&log, &other).unwrap();
    let stderr = refused(&["report", "--plan", &plan, "--log", &log, &other]);
    assert!(
        stderr.contains(&format!("{other}: is the same file as `{log}`")),
        "{stderr}"
    );
}

#[test]
fn standard_input_given_twice_is_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let output = common::scanquota()
        .args(["report", "--plan", &plan, "--log", "-", "-"])
        .write_stdin(csv_log("img-a"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(
        stderr.starts_with("scanquota: error: <stdin>: is given twice"),
        "{stderr}"
    );
}

/// Standard input is known by what it reads: the file it was redirected
/// from, given by name too, is refused (in either order), as is
/// `/dev/stdin` beside `-`; a pipe of the same bytes is read, once.
#[test]
fn standard_input_and_the_file_it_reads_are_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write("a.csv", csv_log("img-a"));
    let from_file = |logs: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_scanquota"));
        command.args(["report", "--plan", &plan, "--as-of", "2024-12-31", "--log"]);
        command.args(logs);
        command.stdin(std::fs::File::open(&log).unwrap());
        command.output().unwrap()
    };
    for (logs, same) in [
        (
            vec![log.as_str(), "-"],
            format!("<stdin>: is the same file as `{log}`"),
        ),
        (
            vec!["-", log.as_str()],
            format!("{log}: is the same file as `<stdin>`"),
        ),
        (
            vec!["/dev/stdin", "-"],
            "<stdin>: is the same file as `/dev/stdin`".to_string(),
        ),
    ] {
        let output = from_file(&logs);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{logs:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{logs:?}");
        assert!(
            stderr.starts_with(&format!("scanquota: error: {same}, given before it")),
            "{logs:?}: {stderr}"
        );
        assert!(stderr.contains("billed twice"), "{stderr}");
    }
    // Standard input alone, redirected from the file: read once.
    let output = from_file(&["-"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn import_refuses_the_same_report_twice() {
    let report = "fixtures/real/trivy/01-payments.json";
    let stderr = refused(&["import", "trivy", "fixtures/real/trivy", report]);
    assert!(
        stderr.contains(&format!(
            "{report}: is given twice, in the directory `fixtures/real/trivy` and by name"
        )),
        "{stderr}"
    );
}

// --- §3.6 a --by column scanner documents do not make --------------------------

#[test]
fn a_by_column_scanner_documents_do_not_make_is_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    for log in [
        "fixtures/real/trivy/01-payments.json",
        "fixtures/grype/01-payments.json",
        "fixtures/harbor/events.jsonl",
    ] {
        let stderr = refused(&[
            "report",
            "--plan",
            &plan,
            "--log",
            log,
            "--as-of",
            "2024-12-31",
            "--by",
            "teem",
        ]);
        assert!(
            stderr.contains(&format!("{log}: teem: --by teem: ")),
            "{stderr}"
        );
        assert!(
            stderr.contains("their columns are: artifact, repository, namespace, tag"),
            "{stderr}"
        );
    }
    // A column one format makes and another does not is taken: a Grype
    // report and Harbor events may be billed together by namespace.
    let (report, _) = report(
        &dir,
        &["fixtures/grype/01-payments.json"],
        &["--by", "namespace"],
    );
    assert_eq!(scans(&report)[0].1["first"], 1);
}

#[test]
fn a_by_key_no_json_lines_row_has_is_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write(
        "log.jsonl",
        concat!(
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1", "team": "red"}"#,
            "\n",
            r#"{"timestamp": "2024-03-02T00:00:00Z", "image": "sha256:2", "team": "blue"}"#,
            "\n",
        ),
    );
    // A misspelt key put every scan in the group `(none)` without a word.
    let stderr = refused(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-12-31",
        "--by",
        "teem",
    ]);
    assert!(
        stderr.contains("log.jsonl: teem: --by teem: no line of the JSON Lines log has a `teem` key; the first line's keys are: timestamp, image, team; or give --column teem=KEY"),
        "{stderr}"
    );
    // A key some rows have and others lack is taken: those rows are `(none)`.
    let partly = dir.write(
        "partly.jsonl",
        concat!(
            r#"{"timestamp": "2024-03-01T00:00:00Z", "image": "sha256:1"}"#,
            "\n",
            r#"{"timestamp": "2024-03-02T00:00:00Z", "image": "sha256:2", "team": "blue"}"#,
            "\n",
        ),
    );
    // A file none of whose rows has the key, beside one that has it (a day
    // nobody tagged a scan): read, its scans in `(none)`, and noted.
    let untagged = dir.write(
        "untagged.jsonl",
        concat!(
            r#"{"timestamp": "2024-03-03T00:00:00Z", "image": "sha256:3"}"#,
            "\n"
        ),
    );
    let (_, stderr) = report(&dir, &[&log, &untagged], &["--by", "team"]);
    assert!(
        stderr.contains("scanquota: --by team: no line of `")
            && stderr
                .contains("untagged.jsonl` has a `team` key; their scans are in the group (none)"),
        "{stderr}"
    );
    // Scanner reports have the key when it is a column they make: a JSON
    // Lines file without it beside them is noted, not refused.
    let (_, stderr) = report(
        &dir,
        &["fixtures/real/trivy", &untagged],
        &["--by", "repository"],
    );
    assert!(
        stderr.contains(
            "untagged.jsonl` has a `repository` key; their scans are in the group (none)"
        ),
        "{stderr}"
    );
    let (report, _) = report(&dir, &[&partly], &["--by", "team"]);
    let groups = groups(&report);
    assert_eq!(groups, ["(none)", "blue"]);
}

/// A `--by` value that is a name scanquota gives its own rows (`(none)`,
/// `(unused)`, `(shared)`) is refused, naming the line: a team `(none)` was
/// added to the rows without a value, and `(unused)` printed beside the
/// unused allowance's row. In JSON Lines a value that is not text or an
/// integer (`1e2`, `true`, an object) is refused, as written; `7` is the
/// group `7`.
#[test]
fn a_by_value_that_names_scanquotas_own_rows_is_refused() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let by_team = |log: &str| {
        refused(&[
            "report",
            "--plan",
            &plan,
            "--log",
            log,
            "--as-of",
            "2024-12-31",
            "--by",
            "team",
        ])
    };
    for (line, value) in [(3, "(none)"), (2, "(unused)"), (2, "(shared)")] {
        let rows = if line == 3 {
            format!("2024-03-01T00:00:00Z,x,\n2024-03-02T00:00:00Z,y,{value}\n")
        } else {
            format!("2024-03-02T00:00:00Z,y,{value}\n")
        };
        let log = dir.write("log.csv", format!("timestamp,image,team\n{rows}"));
        let stderr = by_team(&log);
        assert!(
            stderr.contains(&format!(
                "log.csv:{line}:3: team: `{value}` is a name scanquota gives its own rows"
            )) && stderr.contains("rename the group in the log"),
            "{value}: {stderr}"
        );
    }
    for (value, shown) in [
        ("1e2", "1e2"),
        ("true", "true"),
        (r#"{"a": 1}"#, r#"{"a":1}"#),
    ] {
        let log = dir.write(
            "log.jsonl",
            format!(
                "{{\"timestamp\": \"2024-03-01T00:00:00Z\", \"image\": \"x\", \"team\": {value}}}\n"
            ),
        );
        let stderr = by_team(&log);
        assert!(
            stderr.contains(&format!("log.jsonl:1: team: `{shown}` is not a string; write the --by value as a JSON string (or an integer)")),
            "{value}: {stderr}"
        );
    }
    // An integer past 64 bits too, as written.
    for number in ["7", "18446744073709551616"] {
        let log = dir.write(
            "number.jsonl",
            format!("{{\"timestamp\": \"2024-03-01T00:00:00Z\", \"image\": \"x\", \"team\": {number}}}\n"),
        );
        let (report, _) = report(&dir, &[&log], &["--by", "team"]);
        assert_eq!(groups(&report), [number]);
    }
}

/// `café` composed (`é`) and decomposed (`e` and U+0301), and fullwidth
/// `ｗｅｂ` beside `web`, print alike but are different accounts: noted, as
/// names that differ in case are.
#[test]
fn account_names_that_differ_only_in_unicode_form_are_noted() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.csv",
        "timestamp,image,account\n\
         2024-03-01T00:00:00Z,a,caf\u{e9}\n\
         2024-03-02T00:00:00Z,b,cafe\u{301}\n\
         2024-03-03T00:00:00Z,c,web\n\
         2024-03-03T00:00:00Z,c,\u{ff57}\u{ff45}\u{ff42}\n",
    );
    let (billed, stderr) = report(&dir, &[&log], &[]);
    assert_eq!(scans(&billed).len(), 4);
    assert!(
        stderr.contains("differ only in case or Unicode form are billed as separate accounts: `cafe\u{301}` and `caf\u{e9}`; `web` and `\u{ff57}\u{ff45}\u{ff42}`"),
        "{stderr}"
    );
}

#[test]
fn account_names_that_differ_only_in_case_are_noted() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.csv",
        "timestamp,image,account\n\
         2024-03-01T00:00:00Z,a,Payments\n\
         2024-03-02T00:00:00Z,b,payments\n\
         2024-03-03T00:00:00Z,c,web\n",
    );
    // Billed apart, as written; the note says so once, for every command.
    let (billed, stderr) = report(&dir, &[&log], &[]);
    let accounts: Vec<String> = scans(&billed).into_iter().map(|(a, _)| a).collect();
    assert_eq!(accounts, ["Payments", "payments", "web"]);
    assert_eq!(
        stderr,
        "scanquota: account names that differ only in case or Unicode form are billed as separate accounts: `Payments` and `payments`; write each account one way in the logs if they are one\n"
    );
    let plan = dir.write("plan.toml", PLAN);
    for command in ["ledger", "invoice"] {
        let (code, _, stderr) = run(&[
            command,
            "--plan",
            &plan,
            "--log",
            &log,
            "--as-of",
            "2024-12-31",
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(
            stderr
                .matches("differ only in case or Unicode form")
                .count(),
            1,
            "{command}: {stderr}"
        );
    }
    // Accounts that differ otherwise say nothing.
    let other = dir.write(
        "other.csv",
        "timestamp,image,account\n2024-03-01T00:00:00Z,a,payments\n2024-03-02T00:00:00Z,b,web\n",
    );
    let (_, stderr) = report(&dir, &[&other], &[]);
    assert_eq!(stderr, "");
}

/// Plans compared over one log are metered to one instant: a `--as-of`
/// without an offset is read in each plan's zone, so plans in +08:00 and
/// +02:00 were metered six hours apart under one printed as-of (a scan at
/// 18:00Z counted by one plan, not the other). It is refused, naming both
/// instants; with an offset, or in one zone, the plans are compared.
#[test]
fn plans_in_different_zones_need_an_as_of_with_an_offset() {
    let dir = Workdir::new();
    let plan = |zone: &str| {
        dir.write(
            &format!("plan{}.toml", &zone[1..3]),
            format!(
                "timezone = \"{zone}\"\n[subscription]\nstart = 2024-05-01T00:00:00Z\nmonths = 3\n\
                 [[allowance]]\nname = \"q\"\nunits = 10\nunit_price = 1\n"
            ),
        )
    };
    let (east, west) = (plan("+08:00"), plan("+02:00"));
    let log = dir.write("log.csv", "timestamp,image\n2024-06-01T18:00:00Z,x\n");
    let compare = |as_of: &'static str| -> Vec<&str> {
        vec![
            "report", "--plan", &east, "--plan", &west, "--log", &log, "--as-of", as_of,
            "--format", "json",
        ]
    };
    let stderr = refused(&compare("2024-06-01"));
    assert!(
        stderr.contains("--as-of `2024-06-01` is another instant in each plan's time zone (2024-06-01T23:59:59+08:00 in +08:00; 2024-06-01T23:59:59+02:00 in +02:00); plans are compared at one instant: give --as-of with an offset"),
        "{stderr}"
    );
    for (as_of, units) in [
        ("2024-06-01T23:59:59+08:00", "0"),
        ("2024-06-02T00:00:00Z", "1"),
    ] {
        let (code, stdout, stderr) = run(&compare(as_of));
        assert_eq!(code, 0, "{as_of}: {stderr}");
        let report: Value = serde_json::from_str(&stdout).unwrap();
        let plans = report["summaries"].as_array().expect("a comparison");
        let consumed: Vec<&Value> = plans.iter().map(|plan| &plan["consumed"]).collect();
        assert_eq!(consumed, [units, units], "{as_of}: {stdout}");
    }
    // `now` (no --as-of) is one instant, read once for every plan; a window
    // caps it in each plan's zone, as it always has.
    for extra in [
        &[][..],
        &["--month", "2024-06", "--as-of", "2024-07-01T00:00:00Z"],
    ] {
        let mut args = vec![
            "report", "--plan", &east, "--plan", &west, "--log", &log, "--format", "json",
        ];
        args.extend_from_slice(extra);
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 0, "{extra:?}: {stderr}");
    }
}

/// Standard input given to two options is refused naming both: the second
/// reader found it empty and was refused as an empty file, which named the
/// wrong problem.
#[test]
fn standard_input_given_to_two_options_is_refused() {
    let cases: [&[&str]; 2] = [
        &[
            "report",
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            "-",
            "--cores",
            "-",
            "--as-of",
            "2024-05-01",
        ],
        &[
            "stats",
            "--plan",
            "fixtures/hss-payg.toml",
            "--log",
            "-",
            "--inventory",
            "-",
        ],
    ];
    for (args, second) in cases.into_iter().zip(["--cores", "--inventory"]) {
        let stderr = refused(args);
        assert!(
            stderr.contains(&format!(
                "{second} `-` is standard input, which --log reads already and can be read only once; give {second} a file"
            )),
            "{stderr}"
        );
    }
}

/// `--by` values that differ only in case or Unicode form are shown as
/// separate groups, as written, and noted as accounts are: one team's
/// share was split over `payments`, `Payments` and fullwidth `ｐａｙｍｅｎｔｓ`
/// without a word. Values that differ otherwise say nothing.
#[test]
fn by_values_that_differ_only_in_case_or_unicode_form_are_noted() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.csv",
        "timestamp,account,image,team\n\
         2024-03-16 10:00:00,acme,img-1,payments\n\
         2024-03-16 11:00:00,acme,img-2,Payments\n\
         2024-03-16 12:00:00,acme,img-3,\u{ff50}\u{ff41}\u{ff59}\u{ff4d}\u{ff45}\u{ff4e}\u{ff54}\u{ff53}\n\
         2024-03-16 13:00:00,acme,img-4,web\n",
    );
    let plan = dir.write("plan.toml", PLAN);
    for command in ["report", "invoice", "ledger"] {
        let (code, _, stderr) = run(&[
            command,
            "--plan",
            &plan,
            "--log",
            &log,
            "--as-of",
            "2024-12-31",
            "--by",
            "team",
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(
            stderr,
            "scanquota: `--by team` values that differ only in case or Unicode form are shown as separate groups: `Payments` and `payments` and `\u{ff50}\u{ff41}\u{ff59}\u{ff4d}\u{ff45}\u{ff4e}\u{ff54}\u{ff53}`; write each group one way in the logs if they are one\n",
            "{command}"
        );
    }
    let other = dir.write(
        "other.csv",
        "timestamp,account,image,team\n2024-03-16 10:00:00,acme,img-1,payments\n2024-03-16 11:00:00,acme,img-2,web\n",
    );
    let (code, _, stderr) = run(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &other,
        "--as-of",
        "2024-12-31",
        "--by",
        "team",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}
