//! `scanquota merge`: reports of account partitions combine into the report
//! of the whole log.

mod common;

use common::{Workdir, run};

const PLAN: &str = "fixtures/tcss-cny-topup.toml";
const AS_OF: &str = "2024-05-01 12:00:00";

fn report(work: &Workdir, name: &str, extra: &[&str]) -> String {
    report_at(work, name, AS_OF, extra)
}

fn report_at(work: &Workdir, name: &str, as_of: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "report",
        "--plan",
        PLAN,
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        as_of,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    work.write(name, stdout)
}

/// Each `(report file, needle)`: `merge` exits 2, prints nothing, and names
/// the needle and the fix for a report edited by hand.
fn assert_each_refused(cases: &[(String, &str)]) {
    for (file, needle) in cases {
        let (code, stdout, stderr) = run(&["merge", file]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{file}: {stderr}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
        assert!(
            stderr.contains("give the report as scanquota wrote it"),
            "{stderr}"
        );
    }
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
    // The same as-of shown in another zone: the zone is what differs.
    let berlin = report(
        &work,
        "berlin.json",
        &["--account", "team-b", "--display-zone", "Europe/Berlin"],
    );
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
    // An account named with an escape sequence (a report edited by hand, or
    // written by something else) is refused as it is in a log.
    let text = std::fs::read_to_string(&a).unwrap();
    assert!(text.contains("\"account\": \"team-a\""));
    let hidden = work.write(
        "hidden.json",
        text.replace(
            "\"account\": \"team-a\"",
            "\"account\": \"team-\\u001b]0;x\\u0007a\"",
        ),
    );
    // Money edited by hand: merged as written, it would make a total the
    // report's own lines contradict.
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut report: serde_json::Value = serde_json::from_str(&text).unwrap();
        edit(&mut report["accounts"][0]["charges"]);
        work.write(name, serde_json::to_string_pretty(&report).unwrap())
    };
    let total = edited("total.json", &|charges| charges["total"] = "1000.00".into());
    let places = edited("places.json", &|charges| {
        charges["lines"][0]["amount"] = "90.001".into()
    });
    let negative = edited("negative.json", &|charges| {
        charges["lines"][0]["amount"] = "-90.00".into()
    });
    for (args, needle) in [
        (
            vec!["merge", &total],
            "accounts[0].charges.total: `1000.00` is not the sum of the account's lines (530.00)",
        ),
        (
            vec!["merge", &places],
            "accounts[0].charges.lines[0].amount: `90.001` is not an amount with the report's 2 decimals",
        ),
        (
            vec!["merge", &negative],
            "accounts[0].charges.lines[0].amount: `-90.00` is negative",
        ),
        (
            vec!["merge", &hidden],
            "accounts[0].account: `team-\\u{1b}]0;x\\u{7}a` holds a control character",
        ),
        (vec!["merge", &a, &later], "as_of"),
        (
            vec!["merge", &a, &berlin],
            "berlin.json: timezone: `Europe/Berlin` differs from",
        ),
        (vec!["merge", &a, &berlin], "one --display-zone"),
        (vec!["merge", &a, &usd], "plan"),
        (vec!["merge", &a, &a], "also in another report"),
        (vec!["merge", &a, &broken], "broken.json:1"),
    ] {
        let (code, stdout, stderr) = run(&args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}

/// `log` split by account into two CSV logs (the first account's rows, and
/// every other's), each with the header.
fn split_by_account(work: &Workdir, log: &str) -> (String, String) {
    let text = std::fs::read_to_string(common::root().join(log)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let column = header.split(',').position(|c| c == "account").unwrap();
    let rows: Vec<&str> = lines.collect();
    let first = rows[0].split(',').nth(column).unwrap();
    let (mut a, mut b) = (format!("{header}\n"), format!("{header}\n"));
    for row in rows {
        let part = if row.split(',').nth(column) == Some(first) {
            &mut a
        } else {
            &mut b
        };
        part.push_str(row);
        part.push('\n');
    }
    assert!(b.lines().count() > 1, "{log} has one account");
    (work.write("a.csv", a), work.write("b.csv", b))
}

/// A merged report carries what the single run's report carries (the
/// lines' typed basis included, which the JSON does not hold): every
/// report format renders it byte for byte as the single run does.
#[test]
fn a_merged_report_renders_as_the_single_run_in_every_format() {
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "fixtures/tcss-cny-topup.toml",
            "fixtures/tcss-cny.csv",
            &["--as-of", AS_OF],
        ),
        (
            "fixtures/tcss-cny-topup.toml",
            "fixtures/tcss-cny.csv",
            &["--as-of", "2024-04-25 12:00:00", "--month", "2024-04"],
        ),
        (
            "fixtures/fleet.toml",
            "fixtures/fleet.csv",
            &["--as-of", "2025-02-14 12:00:00"],
        ),
    ];
    for (plan, log, extra) in cases {
        let work = Workdir::new();
        let (a, b) = split_by_account(&work, log);
        let mut parts = Vec::new();
        for part in [&a, &b] {
            let mut args = vec!["report", "--plan", plan, "--log", part, "--format", "json"];
            args.extend_from_slice(extra);
            let (code, stdout, stderr) = run(&args);
            assert_eq!(code, 0, "{stderr}");
            parts.push(work.write(&format!("{}.json", parts.len()), stdout));
        }
        for format in ["table", "markdown", "csv", "html", "json", "openmetrics"] {
            let mut args = vec!["report", "--plan", plan, "--log", log, "--format", format];
            args.extend_from_slice(extra);
            let (code, single, stderr) = run(&args);
            assert_eq!(code, 0, "{stderr}");
            let (code, merged, stderr) = run(&["merge", &parts[1], &parts[0], "--format", format]);
            assert_eq!(code, 0, "{stderr}");
            assert_eq!(merged, single, "{plan} {log} {extra:?} --format {format}");
        }
    }
}

/// Money outside the charge lines is shown as taken too, so it is held to
/// the same: a projection or allocation amount not at the report's
/// decimals, an allocation whose parts do not add up to the account's
/// total, and an amount with more digits than a decimal holds (which was
/// rounded as it was read) are refused; a `--by` report as written merges
/// into itself.
#[test]
fn merge_refuses_projection_and_allocation_money_edited_by_hand() {
    let work = Workdir::new();
    let by = report(&work, "by.json", &["--by", "source"]);
    let (code, stdout, stderr) = run(&["merge", &by, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, std::fs::read_to_string(&by).unwrap());
    let text = std::fs::read_to_string(&by).unwrap();
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut report: serde_json::Value = serde_json::from_str(&text).unwrap();
        edit(&mut report["accounts"][0]);
        work.write(name, serde_json::to_string_pretty(&report).unwrap())
    };
    let projected = edited("projected.json", &|account| {
        account["projection"]["projected_cycle_charges"] = "4.123456789".into()
    });
    let group = edited("group.json", &|account| {
        account["allocation"]["groups"][0]["charges"] = "999.50".into()
    });
    let long = edited("long.json", &|account| {
        account["charges"]["lines"][0]["amount"] = "99999999999999999999.999999995".into()
    });
    // The cycles are the CSV view's rows: edited, the views disagreed.
    let cycle = edited("cycle.json", &|account| {
        account["allocation"]["cycles"][0]["groups"][0]["charges"] = "101.17".into()
    });
    let shared = edited("shared.json", &|account| {
        account["allocation"]["cycles"][0]["shared"] = "1030.00".into()
    });
    let renamed = edited("renamed.json", &|account| {
        account["allocation"]["groups"][1]["group"] = "cicd".into()
    });
    let stray = edited("stray.json", &|account| {
        account["allocation"]["cycles"][1]["groups"][0]["group"] = "nobody".into()
    });
    // A posted line's state, kind, item or posting instant edited: nothing
    // posted ever changes, so such a line is no report's.
    let accrued = edited("accrued.json", &|account| {
        account["charges"]["lines"][0]["state"] = "accrued".into()
    });
    let kind = edited("kind.json", &|account| {
        account["charges"]["lines"][0]["kind"] = "overage".into()
    });
    let item = edited("item.json", &|account| {
        account["charges"]["lines"][0]["item"] = "fee:quota".into()
    });
    let later = edited("later.json", &|account| {
        account["charges"]["lines"][0]["posted_at"] = "2024-06-15T14:00:00+08:00".into()
    });
    for (file, needle) in [
        (
            &accrued,
            "accounts[0].charges.lines[0].state: `accrued` does not fit the allowance line posting at 2024-03-15T14:00:00+08:00 as of 2024-05-01T12:00:00+08:00",
        ),
        (
            &kind,
            "accounts[0].charges.lines[0].item: `allowance:quota` is not an item of kind `overage`",
        ),
        (
            &item,
            "accounts[0].charges.lines[0].item: `fee:quota` is not an item of kind `allowance`",
        ),
        (
            &later,
            "accounts[0].charges.lines[0].state: `posted` does not fit the allowance line posting at 2024-06-15T14:00:00+08:00",
        ),
        (
            &cycle,
            "accounts[0].allocation.groups[0].charges: `1.59` is not the sum of its cycles' (101.59)",
        ),
        (
            &shared,
            "accounts[0].allocation.shared: `260.00` is not the sum of its cycles' (1160.00)",
        ),
        (
            &renamed,
            "accounts[0].allocation.groups[1].group: `cicd` is listed twice",
        ),
        (
            &stray,
            "accounts[0].allocation.cycles[1].groups[0].group: `nobody` is not one of the allocation's groups",
        ),
        (
            &projected,
            "accounts[0].projection.projected_cycle_charges: `4.123456789` is not an amount with the report's 2 decimals",
        ),
        (
            &group,
            "accounts[0].allocation.total: `530.00` is not both the sum of the groups, unused and shared (1527.91) and the account's total (530.00)",
        ),
        (
            &long,
            "`99999999999999999999.999999995` has more digits than an exact decimal holds (28)",
        ),
    ] {
        let (code, stdout, stderr) = run(&["merge", file]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{file}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}

/// An account listed twice within one report (its charges were counted
/// twice, and OpenMetrics had two identical series), or named by the empty
/// string, is no report's: refused naming the key, whichever report it is in.
#[test]
fn merge_refuses_an_account_twice_in_one_report_or_an_empty_name() {
    let work = Workdir::new();
    let a = report(&work, "a.json", &["--account", "team-a"]);
    let b = report(&work, "b.json", &["--account", "team-b"]);
    let text = std::fs::read_to_string(&a).unwrap();
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut report: serde_json::Value = serde_json::from_str(&text).unwrap();
        edit(&mut report);
        work.write(name, serde_json::to_string_pretty(&report).unwrap())
    };
    let twice = edited("twice.json", &|report| {
        let account = report["accounts"][0].clone();
        report["accounts"].as_array_mut().unwrap().push(account);
    });
    let empty = edited("empty.json", &|report| {
        report["accounts"][0]["account"] = "".into()
    });
    for (files, needle) in [
        (
            [twice.as_str(), b.as_str()],
            "twice.json: accounts[1].account: account `team-a` is listed twice in this report",
        ),
        (
            [b.as_str(), twice.as_str()],
            "twice.json: accounts[1].account: account `team-a` is listed twice in this report",
        ),
        (
            [empty.as_str(), b.as_str()],
            "empty.json: accounts[0].account: `` is an empty account name",
        ),
    ] {
        let (code, stdout, stderr) = run(&["merge", files[0], files[1]]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{files:?}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}

/// A partition reported without `--cores` bills no cores (`bills_cores`
/// false, whatever the plan prices): merged with one reported with them,
/// the whole was short of the first's cores lines; refused, naming the key.
#[test]
fn merge_refuses_partitions_reported_with_and_without_core_samples() {
    let work = Workdir::new();
    let cores = ["--cores", "fixtures/cores.csv"];
    let a = report(
        &work,
        "a.json",
        &[&["--account", "team-a"][..], &cores].concat(),
    );
    let b_with = report(
        &work,
        "b-with.json",
        &[&["--account", "team-b"][..], &cores].concat(),
    );
    let b_without = report(&work, "b-without.json", &["--account", "team-b"]);
    let whole = report(&work, "whole.json", &cores);
    let (code, merged, stderr) = run(&["merge", &a, &b_with]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(merged, std::fs::read_to_string(whole).unwrap());
    let (code, stdout, stderr) = run(&["merge", &a, &b_without]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    for needle in [
        "b-without.json: bills_cores: `false` differs from `true` in ",
        "a.json; make every report with --cores (its partition of the samples), or every report without it",
    ] {
        assert!(stderr.contains(needle), "{stderr}");
    }
}

/// A partition whose log is empty reports the account `default` with the
/// plan's fees and prepaid periods, no row behind it: merged beside
/// partitions with scans it is left out, with a note (it billed 612.00 of
/// a `default` account no log named), wherever it comes; merged with only
/// its like, it is the report of an empty log. A real `default` account in
/// another partition still merges.
#[test]
fn merge_leaves_out_the_account_of_an_empty_partition_with_a_note() {
    let work = Workdir::new();
    let empty_log = work.write("empty.csv", "timestamp,account,image\n");
    let whole = report(&work, "whole.json", &[]);
    let a = report(&work, "a.json", &["--account", "team-a"]);
    let b = report(&work, "b.json", &["--account", "team-b"]);
    let args = |log: &str| {
        let args = [
            "report", "--plan", PLAN, "--log", log, "--as-of", AS_OF, "--format", "json",
        ];
        args.map(str::to_string)
    };
    let run_owned = |args: [String; 9]| run(&args.each_ref().map(String::as_str));
    let (code, empty_report, stderr) = run_owned(args(&empty_log));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        empty_report.contains("\"account\": \"default\""),
        "{empty_report}"
    );
    let empty = work.write("empty.json", &empty_report);
    for order in [[&empty, &a, &b], [&a, &empty, &b], [&a, &b, &empty]] {
        let (code, merged, stderr) = run(&["merge", order[0], order[1], order[2]]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(merged, std::fs::read_to_string(&whole).unwrap());
        assert_eq!(
            stderr,
            format!(
                "scanquota: {empty}: a report of no scans; its account `default` (which a report of an empty log shows) is left out of the merged report\n"
            )
        );
    }
    // Only empty partitions: the report of an empty log, without a note.
    let again = work.write("again.json", &empty_report);
    for only in [vec![empty.as_str()], vec![empty.as_str(), again.as_str()]] {
        let (code, merged, stderr) = run(&[vec!["merge"], only].concat());
        assert_eq!((code, stderr.as_str()), (0, ""));
        assert_eq!(merged, empty_report);
    }
    // A `default` account with scans merges beside an empty partition.
    let defaulted = work.write(
        "defaulted.csv",
        "timestamp,image\n2024-04-02 10:00:00,sha256:d\n",
    );
    let (code, default_report, stderr) = run_owned(args(&defaulted));
    assert_eq!(code, 0, "{stderr}");
    let real = work.write("real.json", &default_report);
    let (code, merged, stderr) = run(&["merge", &empty, &real, &a]);
    assert_eq!(code, 0, "{stderr}");
    let merged: serde_json::Value = serde_json::from_str(&merged).unwrap();
    let names: Vec<&str> = merged["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["account"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "team-a"]);
    assert_eq!(merged["accounts"][0]["scans"]["first"], 1);
}

/// Partitions allocated by one column merge into the whole report so
/// allocated; one allocated by another column, or not at all, is refused
/// (merged, its accounts were split by two keys, and the CSV view, which
/// lists the allocation when any account has one, left the others out), as
/// is a report whose accounts differ in it (edited by hand).
#[test]
fn merge_refuses_partitions_allocated_by_another_column_or_none() {
    let work = Workdir::new();
    let by_source = ["--by", "source"];
    let a = report(
        &work,
        "a.json",
        &[&["--account", "team-a"][..], &by_source].concat(),
    );
    let b = report(
        &work,
        "b.json",
        &[&["--account", "team-b"][..], &by_source].concat(),
    );
    let b_risk = report(
        &work,
        "b-risk.json",
        &["--account", "team-b", "--by", "risk"],
    );
    let b_none = report(&work, "b-none.json", &["--account", "team-b"]);
    let whole = report(&work, "whole.json", &by_source);
    let (code, merged, stderr) = run(&["merge", &b, &a]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(merged, std::fs::read_to_string(&whole).unwrap());
    for (other, theirs) in [(&b_risk, "`--by risk`"), (&b_none, "no `--by`")] {
        let (code, stdout, stderr) = run(&["merge", &a, other]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
        for needle in [
            format!("{other}: accounts[0].allocation: made with {theirs} differs from "),
            "a.json, made with `--by source`; make every report with one --by, or every report without it".to_string(),
        ] {
            assert!(stderr.contains(&needle), "{stderr}");
        }
    }
    // One account's allocation taken out by hand.
    let mut edited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&whole).unwrap()).unwrap();
    edited["accounts"][1]
        .as_object_mut()
        .unwrap()
        .remove("allocation");
    let edited = work.write("edited.json", edited.to_string());
    let (code, stdout, stderr) = run(&["merge", &edited]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains(
            "edited.json: accounts[1].allocation: no `--by` differs from the first account's `--by source`, which no report holds"
        ),
        "{stderr}"
    );
}

/// A report's window lines are those of its charge lines posted in the
/// window (or accrued), and its lines still to come are amounts as its
/// charge lines are: an edited window line, a window bill left out, and a
/// negative line still to come were merged and shown as written.
#[test]
fn merge_refuses_window_lines_and_lines_still_to_come_edited_by_hand() {
    let work = Workdir::new();
    let month = report_at(
        &work,
        "month.json",
        "2024-04-25 12:00:00",
        &["--month", "2024-04"],
    );
    let coming = report_at(&work, "coming.json", "2024-04-16 12:00:00", &[]);
    for unedited in [&month, &coming] {
        let (code, stdout, stderr) = run(&["merge", unedited, "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout, std::fs::read_to_string(unedited).unwrap());
    }
    let edited = |from: &str, name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
        edit(&mut report["accounts"][0]);
        work.write(name, serde_json::to_string_pretty(&report).unwrap())
    };
    let line = edited(&month, "line.json", &|account| {
        account["window_charges"]["lines"][0]["amount"] = "99.00".into()
    });
    let dropped = edited(&month, "dropped.json", &|account| {
        account.as_object_mut().unwrap().remove("window_charges");
    });
    let negative = edited(&coming, "negative.json", &|account| {
        account["charges"]["still_to_come"][0]["amount"] = "-1000.00".into()
    });
    // The same figure at other places: a decimal's equality ignores them.
    let places = edited(&month, "places.json", &|account| {
        let posted = account["window_charges"]["posted"]
            .as_str()
            .unwrap()
            .to_string();
        account["window_charges"]["posted"] = format!("{posted}0").into()
    });
    let dearer = edited(&coming, "dearer.json", &|account| {
        account["charges"]["still_to_come"][0]["amount"] = "9999.00".into()
    });
    for (file, needle) in [
        (
            &line,
            "accounts[0].window_charges: are not the lines of charges.lines posted from 2024-04-01T00:00:00+08:00 to 2024-05-01T00:00:00+08:00 or accrued (posted 310.00, accrued 0.00, 4 lines)",
        ),
        (
            &dropped,
            "accounts[0].window_charges: are missing from a report with a window",
        ),
        (
            &negative,
            "accounts[0].charges.still_to_come[0].amount: `-1000.00` is negative, which no charge line is",
        ),
        (
            &places,
            "accounts[0].window_charges: are not the lines of charges.lines posted from",
        ),
        (
            &dearer,
            "accounts[0].charges.still_to_come[0].amount: `9999.00` is not its quantity 300 × unit price 0.3 at 2 decimals",
        ),
    ] {
        let (code, stdout, stderr) = run(&["merge", file]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{file}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}

/// A report's units and its lines' arithmetic are held to what `report`
/// writes as its money is: an account total that is not its allowances'
/// sum, a negative expiry, a line whose amount is not its quantity × unit
/// price, and scan counts beyond a count's range are refused naming the
/// key; the report of every bundled plan, as written, merges into itself.
#[test]
fn merge_refuses_units_and_line_arithmetic_edited_by_hand() {
    let work = Workdir::new();
    for (plan, log) in [
        ("fixtures/tcss-cny-topup.toml", "fixtures/tcss-cny.csv"),
        (
            "fixtures/tcss-usd-300.toml",
            "fixtures/tcss-worked-example.csv",
        ),
        ("fixtures/hss-payg.toml", "fixtures/hss.csv"),
        ("fixtures/fleet.toml", "fixtures/fleet.csv"),
    ] {
        let (code, stdout, stderr) = run(&[
            "report", "--plan", plan, "--log", log, "--as-of", AS_OF, "--format", "json",
        ]);
        assert_eq!(code, 0, "{plan}: {stderr}");
        let written = work.write("written.json", &stdout);
        let (code, merged, stderr) = run(&["merge", &written, "--format", "json"]);
        assert_eq!(
            (code, merged.as_str()),
            (0, stdout.as_str()),
            "{plan}: {stderr}"
        );
        // Every key of a report is one merge reads: nothing to note.
        assert_eq!(stderr, "", "{plan}");
    }
    let text = std::fs::read_to_string(report(&work, "whole.json", &[])).unwrap();
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut report: serde_json::Value = serde_json::from_str(&text).unwrap();
        edit(&mut report["accounts"][0]);
        work.write(name, serde_json::to_string_pretty(&report).unwrap())
    };
    let cases = [
        (
            edited("consumed.json", &|account| {
                account["units"]["consumed"] = "500".into()
            }),
            "accounts[0].units.consumed: `500` is not the sum of the allowances'",
        ),
        (
            edited("expired.json", &|account| {
                account["allowances"][0]["periods"][0]["expired"] = "-200".into()
            }),
            "accounts[0].allowances[0].periods[0].expired: `-200` is negative",
        ),
        (
            edited("quantity.json", &|account| {
                account["charges"]["lines"][0]["quantity"] = "1".into()
            }),
            "accounts[0].charges.lines[0].amount: ",
        ),
        (
            edited("scans.json", &|account| {
                account["scans"]["first"] = u64::MAX.into();
                account["scans"]["repeat"] = 1.into();
            }),
            "accounts[0].scans: counts add up beyond a count's range",
        ),
        (
            edited("overage.json", &|account| {
                account["units"]["overage"] = "9".into()
            }),
            "accounts[0].units.overage: `9` is not the sum of the cycles' (0)",
        ),
        (
            edited("denied.json", &|account| {
                account["units"]["denied"] = "4".into()
            }),
            "accounts[0].units.denied: `4` is not the sum of the cycles' (0)",
        ),
        (
            edited("unpriced.json", &|account| {
                account["cycles"][0]["unpriced_overage"] = "3".into()
            }),
            "accounts[0].cycles[0].unpriced_overage: `3` is more than the cycle's overage (0)",
        ),
    ];
    assert_each_refused(&cases);
}

/// A period's daily usage (what the HTML page draws) and the projection
/// are held to what `report` writes: a day's units never fall and the last
/// day's are the period's consumed units; no projected figure is negative,
/// `exhausted` means nothing is available, and a plan that denies overage
/// projects none (and one that bills it projects no denial).
#[test]
fn merge_refuses_daily_usage_and_projection_edited_by_hand() {
    let work = Workdir::new();
    let text = std::fs::read_to_string(report(&work, "whole.json", &[])).unwrap();
    let written: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(written["overage_policy"], "deny");
    let account = &written["accounts"][0];
    assert_eq!(account["allowances"][0]["periods"][1]["consumed"], "3.2");
    assert_eq!(
        account["allowances"][0]["periods"][1]["daily"][16]["used"],
        "3.2"
    );
    assert_eq!(account["projection"]["available"], "596.8");
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut report = written.clone();
        edit(&mut report["accounts"][0]);
        work.write(name, serde_json::to_string_pretty(&report).unwrap())
    };
    let cases = [
        (
            edited("falls.json", &|account| {
                account["allowances"][0]["periods"][1]["daily"][15]["used"] = "3.3".into()
            }),
            "accounts[0].allowances[0].periods[1].daily[16].used: `3.2` is less than the day before's (3.3)",
        ),
        (
            edited("last.json", &|account| {
                account["allowances"][0]["periods"][1]["daily"][16]["used"] = "3.5".into()
            }),
            "accounts[0].allowances[0].periods[1].daily[16].used: `3.5` on the last day is not the period's consumed units (3.2)",
        ),
        (
            edited("demand.json", &|account| {
                account["projection"]["projected_demand"] = "-6".into()
            }),
            "accounts[0].projection.projected_demand: `-6` is negative",
        ),
        (
            edited("charges.json", &|account| {
                account["projection"]["projected_cycle_charges"] = "-310.00".into()
            }),
            "accounts[0].projection.projected_cycle_charges: `-310.00` is negative",
        ),
        (
            edited("cycle.json", &|account| {
                account["projection"]["cycle_end"] = "2024-04-15T14:00:00+08:00".into()
            }),
            "accounts[0].projection.cycle_end: `2024-04-15T14:00:00+08:00` is not after the cycle's start",
        ),
        (
            edited("exhausted.json", &|account| {
                account["projection"]["exhausted"] = true.into()
            }),
            "accounts[0].projection.exhausted: `true` with 596.8 units available",
        ),
        (
            edited("overage.json", &|account| {
                account["projection"]["projected_overage"] = "12".into()
            }),
            "accounts[0].projection.projected_overage: `12` where the plan denies overage, so none are",
        ),
    ];
    assert_each_refused(&cases);
    // Figures scanquota never writes: the decimal crate alone read `3_.2`
    // as 3.2.
    for figure in ["3_.2", "+3.2", ".5", "3.", "3e0"] {
        let written = edited("written.json", &|account| {
            account["allowances"][0]["periods"][1]["consumed"] = figure.into()
        });
        let (code, stdout, stderr) = run(&["merge", &written]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{figure}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "`{figure}` is not a decimal as scanquota writes one"
            )),
            "{stderr}"
        );
    }
}

/// Every charge line belongs to what it charges for: a fee to a cycle, an
/// allowance or top-up line to a period of the allowance its item names.
/// Edited to belong to none, the CSV view left it out of its period's
/// `allowance_charge` (90.00 where the period was charged 180.00).
#[test]
fn merge_refuses_a_line_that_charges_for_no_period() {
    let work = Workdir::new();
    let text = std::fs::read_to_string(report(&work, "whole.json", &[])).unwrap();
    let written: serde_json::Value = serde_json::from_str(&text).unwrap();
    let lines = &written["accounts"][0]["charges"]["lines"];
    assert_eq!(lines[0]["item"], "allowance:quota");
    assert_eq!(lines[1]["item"], "fee:Pro edition");
    assert_eq!(lines[6]["item"], "topup:quota");
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut report = written.clone();
        edit(&mut report["accounts"][0]["charges"]["lines"]);
        work.write(name, serde_json::to_string_pretty(&report).unwrap())
    };
    let cases = [
        (
            edited("fee.json", &|lines| {
                lines[1]["period_start"] = "2023-01-01T00:00:00+08:00".into()
            }),
            "accounts[0].charges.lines[1].period_start: `2023-01-01T00:00:00+08:00` of the line `fee:Pro edition` is in none of the account's cycles",
        ),
        (
            edited("topup.json", &|lines| {
                lines[6]["period_start"] = "2023-01-01T00:00:00+08:00".into()
            }),
            "accounts[0].charges.lines[6].period_start: `2023-01-01T00:00:00+08:00` of the line `topup:quota` is in none of the periods of the allowance it names",
        ),
        (
            edited("item.json", &|lines| {
                lines[0]["item"] = "allowance:spare".into()
            }),
            "accounts[0].charges.lines[0].item: `allowance:spare` names no allowance of the account",
        ),
    ];
    assert_each_refused(&cases);
}

/// The overage lines bill every priced overage unit once: a cycle's and the
/// account's overage raised together (the sums agree) leave the lines short.
#[test]
fn merge_refuses_overage_the_lines_do_not_bill() {
    let work = Workdir::new();
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        "fixtures/fleet.toml",
        "--log",
        "fixtures/fleet.csv",
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let gamma = &mut report["accounts"][2];
    assert_eq!(gamma["account"], "gamma");
    assert_eq!(gamma["units"]["overage"], "233.3");
    let cycle = gamma["cycles"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|cycle| cycle["overage"] == "13.1")
        .unwrap();
    cycle["overage"] = "14.1".into();
    gamma["units"]["overage"] = "234.3".into();
    let edited = work.write(
        "edited.json",
        serde_json::to_string_pretty(&report).unwrap(),
    );
    let (code, stdout, stderr) = run(&["merge", &edited]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("accounts[2].charges.lines: the overage lines' quantities add up to 233.3, not to the account's priced overage (234.3"),
        "{stderr}"
    );
}

/// A report read back holds to the rule every timestamp read does: second
/// 60 only where UTC may insert a leap second. `2024-05-01T12:00:60` is
/// refused naming the value; a leap second where one can be still merges.
#[test]
fn merge_refuses_a_second_60_where_no_leap_second_can_be() {
    let work = Workdir::new();
    let text = std::fs::read_to_string(report(&work, "whole.json", &[])).unwrap();
    let as_of = |value: &str| {
        let mut report: serde_json::Value = serde_json::from_str(&text).unwrap();
        report["as_of"] = value.into();
        work.write(
            "edited.json",
            serde_json::to_string_pretty(&report).unwrap(),
        )
    };
    let edited = as_of("2024-05-01T12:00:60+08:00");
    let (code, stdout, stderr) = run(&["merge", &edited]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("edited.json:")
            && stderr
                .contains("`2024-05-01T12:00:60+08:00`: second 60 exists only as a leap second"),
        "{stderr}"
    );
    // A report made at the leap second of 2016 (its lines posted before).
    let plan = work.write(
        "leap.toml",
        "currency = \"USD\"\ntimezone = \"+08:00\"\n[subscription]\nstart = 2016-12-01T00:00:00+08:00\n[[allowance]]\nname = \"q\"\nunits = 10\nunit_price = 1\n",
    );
    let log = work.write("leap.csv", "timestamp,image\n2016-12-10T00:00:00Z,a\n");
    let (code, leap, stderr) = run(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2016-12-31T23:59:60Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let leap = work.write("leap.json", leap);
    let (code, stdout, stderr) = run(&["merge", &leap]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("\"as_of\": \"2017-01-01T07:59:60+08:00\""),
        "{stdout}"
    );
}

/// Reports are merged only when made with one plan: a plan sharing the
/// name but not the price, a built-in plan without `start` (started at each
/// partition's first scan) and a header edited by hand are refused, naming
/// the key and the fix; the reports of one plan still merge.
#[test]
fn merge_refuses_reports_of_another_plan_with_the_same_name() {
    let work = Workdir::new();
    let a = report(&work, "a.json", &["--account", "team-a"]);
    let plan = std::fs::read_to_string(PLAN).unwrap();
    let dearer = work.write(
        "dearer.toml",
        plan.replace("unit_price = 0.30", "unit_price = 0.35"),
    );
    let (code, b, stderr) = run(&[
        "report",
        "--plan",
        &dearer,
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--account",
        "team-b",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let b = work.write("b.json", b);
    let (code, stdout, stderr) = run(&["merge", &a, &b]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("b.json: plan_digest: `\"")
            && stderr.contains("for a plan without `start`, one --start"),
        "{stderr}"
    );

    // A built-in plan without --start: each partition's log starts it at
    // its own first scan (team-a's on 2024-03-10 13:17, team-b's ten hours
    // later).
    let log = std::fs::read_to_string("fixtures/tcss-cny.csv").unwrap();
    let builtin = |name: &str, account: &str| {
        let lines: Vec<&str> = log.lines().collect();
        let mut part = vec![lines[0]];
        part.extend(
            lines
                .iter()
                .filter(|line| line.contains(&format!(",{account},"))),
        );
        let part = work.write(&format!("{account}.csv"), part.join("\n") + "\n");
        let (code, stdout, stderr) = run(&[
            "report",
            "--plan",
            "builtin:tcss-cny-300",
            "--log",
            &part,
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        work.write(name, stdout)
    };
    let (a, b) = (builtin("ba.json", "team-a"), builtin("bb.json", "team-b"));
    let (code, _, stderr) = run(&["merge", &a, &b]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bb.json: plan_digest: "), "{stderr}");

    // The same plan's reports merge; one with its overage policy edited not.
    let a = report(&work, "a.json", &["--account", "team-a"]);
    let text = std::fs::read_to_string(report(&work, "b.json", &["--account", "team-b"])).unwrap();
    let mut edited: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        edited["plan_digest"]
            .as_str()
            .is_some_and(|d| d.len() == 32)
    );
    let (code, _, stderr) = run(&["merge", &a, &work.write("same.json", &text)]);
    assert_eq!(code, 0, "{stderr}");
    // A report from before reports carried a digest: remade, not merged.
    let mut older = edited.clone();
    older.as_object_mut().unwrap().remove("plan_digest");
    let older = work.write("older.json", serde_json::to_string_pretty(&older).unwrap());
    let (code, _, stderr) = run(&["merge", &a, &older]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("older.json: plan_digest: `null` differs from")
            && stderr.contains("make every report with this version"),
        "{stderr}"
    );
    edited["overage_policy"] = "bill".into();
    let edited = work.write(
        "edited.json",
        serde_json::to_string_pretty(&edited).unwrap(),
    );
    let (code, _, stderr) = run(&["merge", &a, &edited]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("edited.json: overage_policy: `\"bill\"` differs from `\"deny\"` in"),
        "{stderr}"
    );
}

/// Keys no scanquota report has (a newer version's, or added by hand) are
/// left out of the merged report, and a note on stderr names them; the
/// figures merge as without them.
#[test]
fn merge_notes_the_keys_it_leaves_out() {
    let work = Workdir::new();
    let whole = report(&work, "whole.json", &[]);
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&whole).unwrap()).unwrap();
    value["reviewed_by"] = "finance".into();
    value["accounts"][0]["note"] = "checked".into();
    let extra = work.write("extra.json", serde_json::to_string_pretty(&value).unwrap());
    let (code, merged, stderr) = run(&["merge", &extra]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(merged, std::fs::read_to_string(&whole).unwrap());
    assert!(
        stderr.contains("extra.json: 2 key(s) no scanquota report has are left out of the merged report: `accounts.0.note`, `reviewed_by`"),
        "{stderr}"
    );
}

/// A report `report` writes merges back as itself when its projected
/// unpriced overage is more than its projected overage: April's unpriced
/// overage (20 scans on April 1st) posts on May 1st, inside the cycle from
/// April 15th, which has no demand of its own yet.
#[test]
fn merge_takes_unpriced_overage_of_an_earlier_cycle_posting_in_this_one() {
    let work = Workdir::new();
    let plan = work.write(
        "plan.toml",
        "currency = \"USD\"\n[subscription]\nstart = 2024-03-15T00:00:00Z\nmonths = 3\n\
         [overage]\npolicy = \"bill\"\nperiod = \"calendar-month\"\n",
    );
    let mut log = String::from("timestamp,image\n");
    for hour in 0..20 {
        log += &format!("2024-04-01T{hour:02}:30:00Z,img{hour}\n");
    }
    let log = work.write("log.csv", log);
    let (code, written, stderr) = run(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-04-20",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&written).unwrap();
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["projected_overage"], "0");
    assert_eq!(projection["projected_unpriced_overage"], "20");
    let path = work.write("report.json", &written);
    let (code, merged, stderr) = run(&["merge", &path, "--format", "json"]);
    assert_eq!(
        (code, merged.as_str(), stderr.as_str()),
        (0, written.as_str(), "")
    );
}
