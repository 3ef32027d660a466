//! Issue 22 §3 "Every figure as computed": each view shows the figure the
//! model computed, whole and unsplit, and inputs that are not what they claim
//! to be are bad input.

mod common;

use common::{Workdir, run};

fn ok(args: &[&str]) -> (String, String) {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    (stdout, stderr)
}

fn bad_input(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.starts_with("scanquota: error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

// ---- reconcile: an incomplete vendor file is bad input ----

#[test]
fn reconcile_with_a_vendor_file_missing_fields_is_bad_input_naming_them() {
    let work = Workdir::new();
    let vendor = work.write(
        "vendor.json",
        r#"{"repository_scan_num": 3, "cicd_scan_num": 2, "free_quota_num": 4,
            "already_given": true, "image_free_quota": 10,
            "high_risk": {"local": 0, "cicd": 1},
            "has_risk": {"local": 1, "registriy": 1, "cicd": 2},
            "total": {"local": 2, "registriy": "3", "cicd": 3}}"#,
    );
    let stderr = bad_input(&[
        "reconcile",
        "--plan",
        "builtin:hss-payg",
        "--start",
        "2024-03-01",
        "--log",
        "fixtures/hss.csv",
        "--vendor-stats",
        &vendor,
    ]);
    assert!(stderr.contains("vendor.json"), "{stderr}");
    for field in ["high_risk.registriy", "total.registriy", "unscan"] {
        assert!(stderr.contains(field), "{field}: {stderr}");
    }
    assert!(!stderr.contains("has_risk"), "{stderr}");
    assert!(!stderr.contains("differ"), "{stderr}");
}

#[test]
fn reconcile_with_a_complete_vendor_file_still_reports_differences_with_status_1() {
    let (code, stdout, _) = run(&[
        "reconcile",
        "--plan",
        "builtin:hss-payg",
        "--start",
        "2024-03-01",
        "--log",
        "fixtures/hss.csv",
        "--vendor-stats",
        "fixtures/hss-vendor-stats.json",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with("DIFF "), "{stdout}");
}

// ---- check: one field per word, and --quiet means quiet ----

#[test]
fn check_quotes_account_names_so_a_shell_reads_them_back_whole() {
    let work = Workdir::new();
    let log = work.write(
        "spaces.csv",
        "timestamp,image,account,source,status\n\
         2024-03-16T09:00:00+08:00,sha256:aaaa,x remaining=5 (limit 1),registry,success\n\
         2024-03-16T10:00:00+08:00,sha256:bbbb,it's,registry,success\n\
         2024-03-16T11:00:00+08:00,sha256:cccc,plain,registry,success\n",
    );
    let (stdout, _) = ok(&[
        "check",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        &log,
        "--as-of",
        "2024-03-20",
        "--min-remaining",
        "1",
    ]);
    assert!(
        stdout.contains("OK plain remaining=299 (limit 1)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("OK 'x remaining=5 (limit 1)' remaining=299 (limit 1)\n"),
        "{stdout}"
    );
    // Every line splits into exactly five shell words (status, account,
    // check=value, "(limit", "1)"); xargs reads shell-style quotes.
    let script = "printf '%s' \"$CHECK_LINES\" | while read -r line; do \
                  printf '%s\\n' \"$line\" | xargs sh -c 'printf \"%s|%s|%s\\n\" \"$#\" \"$2\" \"$3\"' sh; done";
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("CHECK_LINES", &stdout)
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let mut got: Vec<&str> = out.lines().collect();
    got.sort();
    assert_eq!(
        got,
        [
            "5|it's|remaining=299",
            "5|plain|remaining=299",
            "5|x remaining=5 (limit 1)|remaining=299",
        ],
        "{stdout}"
    );
}

#[test]
fn quiet_silences_every_note_including_the_builtin_start_notice() {
    let args = [
        "report",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
    ];
    let (_, loud) = ok(&args);
    assert!(loud.contains("builtin:hss-payg starts at"), "{loud}");
    let mut quiet = args.to_vec();
    quiet.push("--quiet");
    let (stdout, stderr) = ok(&quiet);
    assert!(!stdout.is_empty());
    assert_eq!(stderr, "");
    let (code, stdout, stderr) = run(&[
        "check",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
        "--min-remaining",
        "0",
        "--quiet",
    ]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
}
