//! Scanner and registry outputs read as logs: reports written by the real
//! Trivy binary (fixtures/real/make.sh), and Grype reports and Harbor events
//! written from their published schemas.

mod common;

use common::{Workdir, run, scanquota};
use serde_json::{Value, json};

/// The Trivy fixtures were made on 2026-11-27; a quota bought that month.
const TRIVY_PLAN: &str = "currency = \"USD\"\n[subscription]\nstart = 2026-11-01T00:00:00Z\n\
    [metering]\nrepeat_scan_units = 0.1\n[[allowance]]\nname = \"quota\"\nunits = 300\nunit_price = 0.06\n";
const TRIVY_DIR: &str = "fixtures/real/trivy";
const AS_OF: &str = "2026-11-28";

/// The Grype and Harbor fixtures are of March 2024.
const MARCH_PLAN: &str = "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\n\
    [metering]\nrepeat_scan_units = 0.1\n[[allowance]]\nname = \"quota\"\nunits = 300\nunit_price = 0.06\n";

fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

fn report(plan: &str, logs: &[&str], as_of: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "report", "--plan", plan, "--as-of", as_of, "--format", "json", "--log",
    ];
    args.extend_from_slice(logs);
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(&args)).unwrap()
}

fn trivy_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(common::root().join(TRIVY_DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn real_trivy_reports_meter_first_and_repeat_scans() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", TRIVY_PLAN);
    let report = report(&plan, &[TRIVY_DIR], AS_OF, &[]);
    let account = &report["accounts"][0];
    // Three images, each scanned first once; five repeats.
    assert_eq!(account["scans"]["first"], 3);
    assert_eq!(account["scans"]["repeat"], 5);
    assert_eq!(account["units"]["consumed"], "3.5");
    assert_eq!(trivy_files().len(), 8);
}

#[test]
fn real_trivy_secrets_give_each_image_its_risk() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", TRIVY_PLAN);
    let stats: Value = serde_json::from_str(&ok(&[
        "stats", "--plan", &plan, "--log", TRIVY_DIR, "--as-of", AS_OF,
    ]))
    .unwrap();
    // payments and worker hold fake credentials (CRITICAL → high); search none.
    assert_eq!(stats["repository_scan_num"], 8);
    assert_eq!(
        stats["high_risk"],
        json!({"local": 0, "registriy": 2, "cicd": 0})
    );
    assert_eq!(
        stats["has_risk"],
        json!({"local": 0, "registriy": 2, "cicd": 0})
    );
    assert_eq!(
        stats["total"],
        json!({"local": 0, "registriy": 3, "cicd": 0})
    );
    let imported = ok(&["import", "trivy", TRIVY_DIR]);
    let risks: Vec<&str> = imported
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(5).unwrap())
        .collect();
    assert_eq!(
        risks,
        [
            "high", "none", "high", "high", "high", "none", "high", "high"
        ]
    );
    // The image is the config id (a docker archive has no registry digest),
    // the repository comes from the tag.
    let first: Vec<&str> = imported.lines().nth(1).unwrap().split(',').collect();
    assert!(first[2].starts_with("sha256:"), "{first:?}");
    assert_eq!(first[8], "registry.example.com/team/payments");
}

#[test]
fn the_same_trivy_report_from_a_directory_concatenated_json_lines_and_import() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", TRIVY_PLAN);
    let from_dir = report(&plan, &[TRIVY_DIR], AS_OF, &[]);
    let texts: Vec<String> = trivy_files()
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let concatenated = dir.write("all.json", texts.concat());
    let lines: Vec<String> = texts
        .iter()
        .map(|t| serde_json::to_string(&serde_json::from_str::<Value>(t).unwrap()).unwrap())
        .collect();
    let json_lines = dir.write("all.jsonl", lines.join("\n") + "\n");
    let strip = |mut report: Value| {
        report["accounts"][0]
            .as_object_mut()
            .unwrap()
            .remove("allocation");
        report
    };
    assert_eq!(
        strip(report(&plan, &[&concatenated], AS_OF, &[])),
        strip(from_dir.clone())
    );
    assert_eq!(
        strip(report(&plan, &[&json_lines], AS_OF, &[])),
        strip(from_dir.clone())
    );
    let named = report(&plan, &[&json_lines], AS_OF, &["--log-format", "trivy"]);
    assert_eq!(named, from_dir);
    // `import … | report --log -`.
    let piped_report = |csv: String| -> Value {
        let output = scanquota()
            .args([
                "report", "--plan", &plan, "--as-of", AS_OF, "--format", "json", "--log", "-",
            ])
            .write_stdin(csv)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let piped = piped_report(ok(&["import", "trivy", TRIVY_DIR]));
    assert_eq!(
        piped, from_dir,
        "import … | report --log - gives the same report"
    );
    // The imported log names the account as given, even one a spreadsheet
    // would take for a formula: it is read back by scanquota, not Excel.
    let csv = ok(&["import", "trivy", TRIVY_DIR, "--account", "@ops"]);
    assert!(
        csv.lines().skip(1).all(|row| row.contains(",@ops,")),
        "{csv}"
    );
    let piped = piped_report(csv);
    assert_eq!(piped["accounts"][0]["account"], "@ops");
    assert_eq!(
        piped["accounts"][0]["units"],
        from_dir["accounts"][0]["units"]
    );
}

#[test]
fn a_json_lines_document_is_named_by_its_line() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", TRIVY_PLAN);
    let good = serde_json::to_string(
        &serde_json::from_str::<Value>(&std::fs::read_to_string(&trivy_files()[0]).unwrap())
            .unwrap(),
    )
    .unwrap();
    let bad = good.replace("\"CreatedAt\":\"", "\"CreatedAt\":\"not ");
    let log = dir.write("reports.jsonl", format!("{good}\n{good}\n{bad}\n"));
    let (code, stdout, stderr) = run(&["report", "--plan", &plan, "--log", &log, "--as-of", AS_OF]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("reports.jsonl:3: CreatedAt: `not 2026"),
        "{stderr}"
    );
}

#[test]
fn grype_mapping() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", MARCH_PLAN);
    let csv = ok(&["import", "grype", "fixtures/grype"]);
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    // timestamp from descriptor.timestamp, image the manifest digest.
    assert_eq!(rows[0][0], "2024-03-20T10:00:00.000000000Z");
    assert!(rows[0][2].starts_with("sha256:9b2c1f4e"));
    // Critical → high; Medium beside Negligible → medium; no match → none;
    // Unknown only → empty.
    let risks: Vec<&str> = rows.iter().map(|r| r[5]).collect();
    assert_eq!(risks, ["high", "medium", "none", ""]);
    assert_eq!(rows[0][3], "registry", "the default source");
    assert_eq!(
        rows[0][7], "registry.example.com/team/payments:1.4",
        "artifact is userInput"
    );
    assert_eq!(
        rows[0][8], "registry.example.com/team/payments",
        "repository without the tag"
    );
    assert!(rows.iter().all(|r| r[6].is_empty()), "Grype has no scan id");
    // --source, --image-key id|name.
    let cicd = ok(&[
        "import",
        "grype",
        "fixtures/grype",
        "--source",
        "cicd",
        "--image-key",
        "id",
    ]);
    let row: Vec<&str> = cicd.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(
        (row[2], row[3]),
        (
            "sha256:c0ffee0000000000000000000000000000000000000000000000000000000001",
            "cicd"
        )
    );
    let by_name = ok(&["import", "grype", "fixtures/grype", "--image-key", "name"]);
    assert_eq!(
        by_name.lines().nth(1).unwrap().split(',').nth(2),
        Some("registry.example.com/team/payments:1.4")
    );
    // Metering: the fourth report rescans payments' digest: a repeat.
    let report = report(&plan, &["fixtures/grype"], "2024-03-31", &[]);
    assert_eq!(report["accounts"][0]["scans"]["first"], 3);
    assert_eq!(report["accounts"][0]["scans"]["repeat"], 1);
}

#[test]
fn harbor_mapping() {
    let (code, csv, stderr) = run(&["import", "harbor", "fixtures/harbor/events.jsonl"]);
    assert_eq!(code, 0, "{stderr}");
    // PUSH_ARTIFACT and SCANNING_STOPPED make no row, and are counted.
    assert_eq!(
        stderr,
        "scanquota: skipped 2 Harbor event(s) that record no scan: 1 PUSH_ARTIFACT, 1 SCANNING_STOPPED\n"
    );
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 5);
    // occur_at as Unix seconds; the digest; completed → success.
    assert_eq!(
        &rows[0][..7],
        [
            "1710936300",
            "default",
            "sha256:9b2c1f4e5a6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3",
            "registry",
            "success",
            "high",
            "r-1"
        ]
    );
    // severity None → none; failed → failed with no risk.
    assert_eq!(rows[1][5], "none");
    assert_eq!((rows[2][4], rows[2][5]), ("failed", ""));
    // repository (repo_full_name), namespace and tag.
    assert_eq!(&rows[0][8..], ["team/payments", "team", "1.4"]);
    // --source has no effect: Harbor is a registry.
    let local = ok(&[
        "import",
        "harbor",
        "fixtures/harbor/events.jsonl",
        "--source",
        "local",
        "--account",
        "acme",
    ]);
    let row: Vec<&str> = local.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((row[1], row[3]), ("acme", "registry"));
}

#[test]
fn harbor_events_meter_as_a_registry_reports_them() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", MARCH_PLAN);
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        &plan,
        "--log",
        "fixtures/harbor/events.jsonl",
        "--as-of",
        "2024-03-31",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("skipped 2 Harbor event(s)"), "{stderr}");
    let scans = serde_json::from_str::<Value>(&stdout).unwrap()["accounts"][0]["scans"].clone();
    // Two completed first scans, one repeat, its redelivery a duplicate (same
    // report id), and the failed scan not billed.
    assert_eq!(scans["first"], 2);
    assert_eq!(scans["repeat"], 1);
    assert_eq!(scans["duplicates"], 1);
    assert_eq!(scans["failed"], 1);
}

#[test]
fn the_same_image_through_grype_and_harbor_is_one_image() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", MARCH_PLAN);
    // Each file is recognised on its own: Grype reports and Harbor events
    // in one run.
    let both = report(
        &plan,
        &["fixtures/grype", "fixtures/harbor/events.jsonl"],
        "2024-03-31",
        &[],
    );
    // Grype first saw payments' and search's digests on 2024-03-20; Harbor's
    // scans of those digests (2024-03-20 12:05 on) are repeats.
    let grype = ok(&["import", "grype", "fixtures/grype"]);
    let harbor = ok(&["import", "harbor", "fixtures/harbor/events.jsonl"]);
    let grype_csv = dir.write("grype.csv", grype);
    let harbor_csv = dir.write("harbor.csv", harbor);
    let merged = report(&plan, &[&grype_csv, &harbor_csv], "2024-03-31", &[]);
    let scans = &merged["accounts"][0]["scans"];
    assert_eq!(scans["first"], 3, "grype's three images; harbor adds none");
    assert_eq!(
        scans["repeat"], 4,
        "grype's one repeat and harbor's three scans"
    );
    assert_eq!(both["accounts"][0]["scans"], *scans);
}

#[test]
fn by_repository_breaks_down_scanner_reports() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", TRIVY_PLAN);
    let report = report(&plan, &[TRIVY_DIR], AS_OF, &["--by", "repository"]);
    let groups: Vec<(String, String)> = report["accounts"][0]["allocation"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().into(),
                g["units"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (
                "registry.example.com/ops/worker".to_string(),
                "1.1".to_string()
            ),
            ("registry.example.com/team/payments".into(), "1.3".into()),
            ("registry.example.com/team/search".into(), "1.1".into()),
        ]
    );
}

#[test]
fn an_empty_directory_is_an_error() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", TRIVY_PLAN);
    let empty = dir.path("reports");
    std::fs::create_dir(&empty).unwrap();
    let (code, stdout, stderr) = run(&["report", "--plan", &plan, "--log", &empty]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("reports: is a directory with no files"),
        "{stderr}"
    );
}

/// A Harbor event's resources share the event's line, so only their order in
/// the event says which came first. Sixty resources at a time that sorts
/// before an earlier line: the first ten draw the ten free scans, as they do
/// when the same event is imported to CSV first (one line a resource).
#[test]
fn a_harbor_events_resources_keep_their_order_among_equal_times() {
    let dir = Workdir::new();
    let resource = |i: u32| {
        json!({"digest": format!("sha256:{i:064x}"), "tag": "1",
            "resource_url": format!("harbor.example.com/team/app{i}:1"),
            "scan_overview": {"application/vnd.security.vulnerability.report; version=1.1":
                {"report_id": format!("r-{i}"), "scan_status": "Success", "severity": "High"}}})
    };
    let event = |at: u32, resources: Vec<Value>| {
        json!({"type": "SCANNING_COMPLETED", "occur_at": at, "operator": "auto",
            "event_data": {"resources": resources,
                "repository": {"name": "app", "namespace": "team", "repo_full_name": "team/app"}}})
        .to_string()
    };
    let events = dir.write(
        "events.jsonl",
        format!(
            "{}\n{}\n",
            event(1_710_939_900, vec![resource(1000)]),
            event(1_710_936_000, (1..=60).map(resource).collect())
        ),
    );
    let imported = dir.write("imported.csv", ok(&["import", "harbor", &events]));
    let ledger = |log: &str| {
        let csv = ok(&[
            "ledger",
            "--plan",
            "fixtures/hss-payg.toml",
            "--log",
            log,
            "--as-of",
            "2024-04-01",
            "--format",
            "csv",
        ]);
        // Every column but the file and line the row was read from.
        csv.lines()
            .map(|line| line.rsplitn(3, ',').nth(2).unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let direct = ledger(&events);
    let free: Vec<&str> = direct
        .iter()
        .filter(|row| row.ends_with(",free:1,0"))
        .map(|row| row.split(',').nth(4).unwrap())
        .collect();
    let first_ten: Vec<String> = (1..=10).map(|i| format!("r-{i}")).collect();
    assert_eq!(free, first_ten, "{direct:#?}");
    assert_eq!(direct, ledger(&imported));
}

/// Harbor keys `scan_overview` by MIME type: one scan writes a report in
/// each format its scanner produces, each with its own id. The resource is
/// one scan, risk the highest of its reports, every report id kept (the
/// first report in key order alone gave `low` and `r-2`, silently).
#[test]
fn a_harbor_resource_with_several_reports_is_one_scan_naming_every_report() {
    let dir = Workdir::new();
    let event = json!({"type": "SCANNING_COMPLETED", "occur_at": 1_710_936_300,
        "event_data": {"resources": [{"digest": "sha256:aa", "tag": "1.4", "scan_overview": {
            "application/vnd.security.vulnerability.report; version=1.1":
                {"report_id": "r-1", "scan_status": "Success", "severity": "High"},
            "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0":
                {"report_id": "r-2", "scan_status": "Success", "severity": "Low"}}}],
            "repository": {"name": "payments", "namespace": "team", "repo_full_name": "team/payments"}}});
    let events = dir.write("event.json", event.to_string());
    let (code, csv, stderr) = run(&["import", "harbor", &events]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(
        rows,
        ["1710936300,default,sha256:aa,registry,success,high,r-1+r-2,,team/payments,team,1.4"]
    );
    assert!(
        stderr.contains(
            "read 1 Harbor resource(s) with several reports in `scan_overview` as one scan each"
        ),
        "{stderr}"
    );
    // Read as a log, the same: one first scan, at the highest risk.
    let plan = dir.write("plan.toml", MARCH_PLAN);
    let ledger = ok(&[
        "ledger",
        "--plan",
        &plan,
        "--log",
        &events,
        "--as-of",
        "2024-03-31",
        "--format",
        "csv",
    ]);
    assert_eq!(ledger.lines().count(), 2, "{ledger}");
    assert!(ledger.contains(",r-1+r-2,first,1,"), "{ledger}");
}

/// Report ids are joined with `+`, so an id holding `+` (or the `%` that
/// escapes it) is escaped: the two reports `a`, `b`, the one `a+b` and the
/// one `a%2Bb` are three scans, not one scan and its duplicates.
#[test]
fn a_harbor_report_id_holding_a_plus_is_not_two_joined_ids() {
    let dir = Workdir::new();
    let resource = |digest: &str, ids: &[&str]| {
        let overview: serde_json::Map<String, Value> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                (
                    format!("application/format-{i}"),
                    json!({"report_id": id, "scan_status": "Success", "severity": "High"}),
                )
            })
            .collect();
        json!({"digest": digest, "tag": "1", "scan_overview": overview})
    };
    let event = |at: u32, resources: Vec<Value>| {
        json!({"type": "SCANNING_COMPLETED", "occur_at": at,
            "event_data": {"resources": resources,
                "repository": {"name": "app", "namespace": "team", "repo_full_name": "team/app"}}})
        .to_string()
    };
    let events = dir.write(
        "events.jsonl",
        format!(
            "{}\n{}\n{}\n",
            event(1_710_936_300, vec![resource("sha256:aa", &["a", "b"])]),
            event(1_710_936_400, vec![resource("sha256:bb", &["a+b"])]),
            event(1_710_936_500, vec![resource("sha256:cc", &["a%2Bb"])])
        ),
    );
    let csv = ok(&["import", "harbor", &events]);
    let ids: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|row| row.split(',').nth(6).unwrap())
        .collect();
    assert_eq!(ids, ["a+b", "a%2Bb", "a%252Bb"]);
    let plan = dir.write("plan.toml", MARCH_PLAN);
    let ledger = ok(&[
        "ledger",
        "--plan",
        &plan,
        "--log",
        &events,
        "--as-of",
        "2024-03-31",
        "--format",
        "csv",
    ]);
    assert_eq!(ledger.lines().count(), 4, "{ledger}");
    assert!(!ledger.contains("duplicate"), "{ledger}");
}

/// A Harbor resource whose `scan_overview` is `null` is read as one without
/// a summary (no risk, no report id), as a missing key is; a value of
/// another type is refused as JSON of the wrong shape, naming line and
/// column (it was called "not valid JSON").
#[test]
fn a_harbor_scan_overview_of_null_is_none_and_of_a_number_is_refused() {
    let dir = Workdir::new();
    let event = |overview: Value| {
        json!({"type": "SCANNING_COMPLETED", "occur_at": 1_710_936_300,
            "event_data": {"resources": [{"digest": "sha256:aa", "tag": "1.4", "scan_overview": overview}],
                "repository": {"name": "payments", "namespace": "team", "repo_full_name": "team/payments"}}})
        .to_string()
    };
    for (name, overview) in [
        ("null.json", Value::Null),
        (
            "null-report.json",
            json!({"application/vnd.security.vulnerability.report; version=1.1": null}),
        ),
    ] {
        let null = dir.write(name, event(overview));
        let csv = ok(&["import", "harbor", &null]);
        assert_eq!(
            csv.lines().nth(1),
            Some("1710936300,default,sha256:aa,registry,success,,,,team/payments,team,1.4"),
            "{name}"
        );
    }
    let number = dir.write("number.json", event(json!(5)));
    let (code, stdout, stderr) = run(&["import", "harbor", &number]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("number.json:1:")
            && stderr.contains("is JSON, but holds a value of another type than its tool writes there (invalid type: integer `5`, expected a map")
            && stderr.contains("give the reports or events as the scanner or registry wrote them"),
        "{stderr}"
    );
}
