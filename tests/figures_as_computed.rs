//! Issue 22 §3 "Every figure as computed": each view shows the figure the
//! model computed, whole and unsplit, and inputs that are not what they claim
//! to be are bad input.

mod common;

use common::{Workdir, run};

#[allow(dead_code)]
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
