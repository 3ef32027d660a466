//! Built-in plans: listed, shown as editable TOML, usable as `--plan builtin:NAME`.

mod common;

use common::{Workdir, run};

#[test]
fn plan_list_names_every_builtin() {
    let (code, stdout, _) = run(&["plan", "list"]);
    assert_eq!(code, 0);
    for name in [
        "builtin:tcss-usd-300",
        "builtin:tcss-cny-300",
        "builtin:hss-payg",
    ] {
        assert!(stdout.contains(name), "{stdout}");
    }
}

#[test]
fn plan_show_prints_toml_that_plan_check_accepts() {
    let work = Workdir::new();
    for name in ["tcss-usd-300", "tcss-cny-300", "hss-payg"] {
        let spec = format!("builtin:{name}");
        let (code, toml, stderr) = run(&["plan", "show", &spec, "--start", "2024-03-15 14:00:00"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(toml.contains("start = 2024-03-15T14:00:00+08:00"), "{toml}");
        let path = work.write(&format!("{name}.toml"), &toml);
        let (code, checked, stderr) = run(&["plan", "check", &path, "--format", "json"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let (_, builtin_checked, _) = run(&[
            "plan",
            "check",
            &spec,
            "--start",
            "2024-03-15 14:00:00",
            "--format",
            "json",
        ]);
        assert_eq!(
            checked, builtin_checked,
            "{name}: the shown TOML is the built-in"
        );
    }
}

#[test]
fn builtin_prices_are_the_vendor_list_prices() {
    let check = |spec: &str| -> serde_json::Value {
        let (_, json, _) = run(&[
            "plan",
            "check",
            spec,
            "--start",
            "2024-03-15 14:00:00",
            "--format",
            "json",
        ]);
        serde_json::from_str(&json).unwrap()
    };
    let usd = check("builtin:tcss-usd-300");
    assert_eq!(
        (
            usd["currency"].as_str(),
            usd["allowance"][0]["unit_price"].as_str()
        ),
        (Some("USD"), Some("0.06"))
    );
    assert_eq!(usd["metering"]["repeat_scan_units"], "0.1");
    assert_eq!(usd["allowance"][0]["step"], "300");
    let cny = check("builtin:tcss-cny-300");
    assert_eq!(
        (
            cny["currency"].as_str(),
            cny["allowance"][0]["unit_price"].as_str()
        ),
        (Some("CNY"), Some("0.3"))
    );
    let hss = check("builtin:hss-payg");
    assert_eq!(hss["allowance"][0]["kind"], "free");
    assert_eq!(hss["allowance"][0]["units"], "10");
    assert_eq!(hss["allowance"][0]["reset"], "calendar-month");
    assert_eq!(hss["overage"]["policy"], "bill");
    assert!(
        hss["overage"].get("unit_price").is_none(),
        "HSS overage is unpriced"
    );
}

#[test]
fn report_with_a_builtin_starts_at_the_first_scan_or_at_start() {
    let args = |extra: &[&'static str]| {
        let mut all = vec![
            "report",
            "--plan",
            "builtin:tcss-usd-300",
            "--log",
            "fixtures/tcss-worked-example.csv",
            "--as-of",
            "2024-05-01T00:00:00+08:00",
            "--format",
            "json",
        ];
        all.extend_from_slice(extra);
        all
    };
    let (code, stdout, stderr) = run(&args(&[]));
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["accounts"][0]["subscription"]["start"],
        "2024-03-16T09:00:00+08:00"
    );
    assert_eq!(report["accounts"][0]["units"]["consumed"], "10.9");

    let (code, stdout, _) = run(&args(&["--start", "2024-03-15T14:00:00+08:00"]));
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["accounts"][0]["subscription"]["start"],
        "2024-03-15T14:00:00+08:00"
    );
    assert_eq!(
        report["accounts"][0]["allowances"][0]["periods"][0]["expired"],
        "289.1"
    );
}

#[test]
fn builtin_errors_exit_2() {
    let work = Workdir::new();
    let empty = work.write("empty.csv", "timestamp,image\n");
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "report",
            "--plan",
            "builtin:nope",
            "--log",
            "fixtures/hss.csv",
        ],
        vec!["report", "--plan", "builtin:hss-payg", "--log", &empty],
        vec![
            "report",
            "--plan",
            "fixtures/hss-payg.toml",
            "--log",
            "fixtures/hss.csv",
            "--start",
            "2024-03-01 00:00:00",
        ],
        vec!["plan", "show", "fixtures/hss-payg.toml"],
        vec!["plan", "show", "builtin:hss-payg", "--start", "soon"],
    ];
    for args in cases {
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stdout, "");
        assert!(stderr.starts_with("scanquota: error: "), "{stderr}");
    }
}
