//! `scanquota merge`: reports of account partitions combine into the report
//! of the whole log.

mod common;

use common::{Workdir, run};

const PLAN: &str = "fixtures/tcss-cny-topup.toml";
const AS_OF: &str = "2024-05-01 12:00:00";

fn report(work: &Workdir, name: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "report",
        "--plan",
        PLAN,
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    work.write(name, stdout)
}

#[test]
fn merging_account_partitions_gives_the_whole_report() {
    let work = Workdir::new();
    let whole = report(&work, "whole.json", &[]);
    let a = report(&work, "a.json", &["--account", "team-a"]);
    let b = report(&work, "b.json", &["--account", "team-b"]);
    let (code, merged, stderr) = run(&["merge", &b, &a]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(merged, std::fs::read_to_string(whole).unwrap());
}

#[test]
fn merge_refuses_reports_that_do_not_belong_together() {
    let work = Workdir::new();
    let a = report(&work, "a.json", &["--account", "team-a"]);
    let (_, other_as_of, _) = run(&[
        "report",
        "--plan",
        PLAN,
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        "2024-05-02 12:00:00",
        "--format",
        "json",
        "--account",
        "team-b",
    ]);
    let later = work.write("later.json", other_as_of);
    let (_, usd, _) = run(&[
        "report",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        "fixtures/tcss-worked-example.csv",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    let usd = work.write("usd.json", usd);
    let broken = work.write("broken.json", "{\"schema\": 1");
    for (args, needle) in [
        (vec!["merge", &a, &later], "as_of"),
        (vec!["merge", &a, &usd], "plan"),
        (vec!["merge", &a, &a], "also in another report"),
        (vec!["merge", &a, &broken], "broken.json:1"),
    ] {
        let (code, stdout, stderr) = run(&args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}
