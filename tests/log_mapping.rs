//! Logs as they come (issue 26): `--column NAME=HEADER`, `--delimiter`, the
//! same options for cores and inventory files, and what each refuses.

mod common;

use common::reference::generate;
use common::{Workdir, scanquota};
use proptest::prelude::*;
use scanquota::domain::zone::parse_timestamp;
use scanquota::engine::meter::Schedule;
use scanquota::input::csv_input::{Layout, Rename};
use scanquota::input::log::{ReadOptions, ScanLog};
use scanquota::model::report::assemble;
use scanquota::plan::Plan;
use scanquota::replay::stream::replay_streaming;

const PLAN: &str = "fixtures/tcss-usd-300.toml";

/// The rows of the worked example as (timestamp, image, account).
fn example_rows() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(common::root().join("fixtures/tcss-worked-example.csv"))
        .expect("fixture");
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (
                cells[0].to_string(),
                cells[1].to_string(),
                cells[2].to_string(),
            )
        })
        .collect()
}

/// Run in `dir` and return (exit code, stdout, stderr).
fn run_in(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let output = scanquota()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run scanquota");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn plan_path() -> String {
    common::root().join(PLAN).to_string_lossy().into_owned()
}

/// The report JSON of `log` (a name in `dir`) with `extra` options.
fn report_json(dir: &std::path::Path, log: &str, extra: &[&str]) -> String {
    let plan = plan_path();
    let mut args = vec![
        "report",
        "--plan",
        plan.as_str(),
        "--log",
        log,
        "--as-of",
        "2024-04-20",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run_in(dir, &args);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn a_semicolon_log_with_its_own_names_reports_as_the_canonical_csv() {
    let canonical_dir = Workdir::new();
    let own_dir = Workdir::new();
    let rows = example_rows();
    let mut canonical = String::from("timestamp,image,account\n");
    let mut own = String::from("time;digest;tenant\n");
    for (at, image, account) in &rows {
        canonical += &format!("{at},{image},{account}\n");
        own += &format!("{at};{image};{account}\n");
    }
    canonical_dir.write("scans.csv", canonical);
    own_dir.write("scans.csv", own);
    let expected = report_json(canonical_dir.dir(), "scans.csv", &[]);
    let got = report_json(
        own_dir.dir(),
        "scans.csv",
        &[
            "--delimiter",
            ";",
            "--column",
            "timestamp=time",
            "--column",
            "image=digest",
            "--column",
            "account=tenant",
        ],
    );
    assert_eq!(got, expected);
    assert!(expected.contains("\"accounts\""), "{expected}");
}

#[test]
fn json_lines_with_other_keys_report_as_the_canonical_csv() {
    let canonical_dir = Workdir::new();
    let own_dir = Workdir::new();
    let mut canonical = String::from("timestamp,image,account\n");
    let mut own = String::new();
    for (at, image, account) in example_rows() {
        canonical += &format!("{at},{image},{account}\n");
        // A decoy `timestamp` key that the mapping makes ignored.
        own += &format!(
            "{{\"When\": \"{at}\", \" Digest \": \"{image}\", \"tenant\": \"{account}\", \"timestamp\": \"not a time\"}}\n"
        );
    }
    canonical_dir.write("scans", canonical);
    own_dir.write("scans", own);
    let expected = report_json(canonical_dir.dir(), "scans", &[]);
    let got = report_json(
        own_dir.dir(),
        "scans",
        &[
            "--column",
            "timestamp=when",
            "--column",
            "IMAGE=digest",
            "--column",
            "account= Tenant ",
        ],
    );
    assert_eq!(got, expected);
}

#[test]
fn a_tab_delimiter_is_written_as_backslash_t() {
    let canonical_dir = Workdir::new();
    let own_dir = Workdir::new();
    let mut canonical = String::from("timestamp,image\n");
    let mut own = String::from("Image\tWhen\n");
    for (at, image, _) in example_rows() {
        canonical += &format!("{at},{image}\n");
        own += &format!("{image}\t{at}\n");
    }
    canonical_dir.write("scans.csv", canonical);
    own_dir.write("scans.csv", own);
    let expected = report_json(canonical_dir.dir(), "scans.csv", &[]);
    let got = report_json(
        own_dir.dir(),
        "scans.csv",
        &["--delimiter", "\\t", "--column", "timestamp=when"],
    );
    assert_eq!(got, expected);
}

/// One random row: minute, image (may hold the delimiter, so quoted),
/// account, failed, scan id.
type RowSpec = (u32, u8, u8, bool, Option<u8>);

fn rows() -> impl Strategy<Value = Vec<RowSpec>> {
    prop::collection::vec(
        (
            0u32..200_000,
            0u8..12,
            0u8..3,
            prop::bool::weighted(0.1),
            prop::option::weighted(0.3, 0u8..30),
        ),
        1..80,
    )
}

/// The rows as a log: `delimiter` between fields, `headers` for
/// timestamp, image, account, status, scan_id (written in `order`).
fn log_text(rows: &[RowSpec], delimiter: char, headers: [&str; 5], order: [usize; 5]) -> String {
    let quote = |cell: String| {
        if cell.contains(delimiter) || cell.contains('"') {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell
        }
    };
    let line = |cells: [String; 5]| {
        let ordered: Vec<String> = order.iter().map(|i| quote(cells[*i].clone())).collect();
        ordered.join(&delimiter.to_string()) + "\n"
    };
    let mut text = line(headers.map(str::to_string));
    for (minute, image, account, failed, id) in rows {
        let at =
            chrono::DateTime::from_timestamp(1_704_067_200 + i64::from(*minute) * 60, 0).unwrap();
        text += &line([
            at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            // Images 0..3 hold every delimiter and a quote.
            if *image < 3 {
                format!("img{image};x,y|z\t\"q\"")
            } else {
                format!("img{image}")
            },
            format!("acct{account}"),
            (if *failed { "failed" } else { "success" }).to_string(),
            id.map(|i| format!("s{i}")).unwrap_or_default(),
        ]);
    }
    text
}

const CANONICAL: [&str; 5] = ["timestamp", "image", "account", "status", "scan_id"];
const OWN: [&str; 5] = ["Time", " Digest ", "TENANT", "result", "id"];

fn layout(delimiter: u8) -> Layout {
    let columns = CANONICAL
        .iter()
        .zip(OWN)
        .map(|(name, header)| Rename {
            name: name.to_string(),
            header: header.trim().to_lowercase(),
            written: format!("{name}={header}"),
        })
        .collect();
    Layout {
        delimiter,
        columns,
        ..Layout::default()
    }
}

/// Every event as text, in replay order, without the file's name.
fn described(log: &ScanLog) -> Vec<String> {
    log.events
        .iter()
        .map(|event| {
            format!(
                "{} {} {:?} {} {} {:?}",
                event.at,
                event.line,
                event.status,
                log.accounts.name(event.account),
                log.images.name(event.image),
                log.scan_id_text(event),
            )
        })
        .collect()
}

const METERED: &str = "timezone = \"+08:00\"\n[subscription]\nstart = 2024-01-01T00:00:00+08:00\n\
    [metering]\nrepeat_scan_units = 0.1\n[[allowance]]\nname = \"quota\"\nunits = 30\nunit_price = 0.06\n\
    [overage]\npolicy = \"deny\"\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The held, pieces and streamed paths read a log of one's own (any
    /// delimiter, renamed and reordered columns, fields holding delimiters)
    /// as they read the canonical CSV of the same rows.
    #[test]
    fn every_path_honours_the_mapping_and_the_delimiter(
        mut rows in rows(),
        delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        order in Just([0usize, 1, 2, 3, 4]).prop_shuffle(),
        sorted in any::<bool>(),
        threads in 1usize..4,
        pieces in 1usize..6,
        minute in 0u32..220_000,
    ) {
        if sorted {
            rows.sort_by_key(|row| row.0);
        }
        let order: [usize; 5] = order;
        let work = Workdir::new();
        let canonical = work.write("canonical.csv", log_text(&rows, ',', CANONICAL, [0, 1, 2, 3, 4]));
        let own = work.write("own.csv", log_text(&rows, char::from(delimiter), OWN, order));
        let plan = Plan::from_str("plan.toml", METERED).unwrap();
        let plain = ReadOptions::keeping_texts();
        let mapped = ReadOptions { layout: layout(delimiter), ..ReadOptions::keeping_texts() };

        // Held: read whole and sorted.
        let expected = ScanLog::read_paths(std::slice::from_ref(&canonical), plan.zone, &plain).unwrap();
        let held = ScanLog::read_paths(std::slice::from_ref(&own), plan.zone, &mapped).unwrap();
        prop_assert_eq!(described(&held), described(&expected));

        // In pieces on `threads` threads.
        let in_pieces = ScanLog::read_file_in_pieces(&own, plan.zone, &mapped, threads, pieces)
            .unwrap()
            .expect("a valid log is read in pieces");
        prop_assert_eq!(described(&in_pieces), described(&expected));

        // Streamed whole, or streamed in pieces.
        let as_of = parse_timestamp("2024-01-01T00:00:00Z", plan.zone).unwrap()
            + chrono::Duration::minutes(i64::from(minute));
        let buffered = generate(&plan, &expected, as_of, None).unwrap();
        let schedule = Schedule::new(&plan, as_of);
        let size = std::fs::metadata(&own).unwrap().len();
        let ordered = rows.windows(2).all(|pair| pair[0].0 <= pair[1].0);
        let streamed_options = ReadOptions { layout: layout(delimiter), ..ReadOptions::default() };
        for (split, shares) in [(None, 1), (Some((size, threads)), 2)] {
            let result = replay_streaming(&plan, std::slice::from_ref(&own), &schedule, None, &streamed_options, &[split], shares).unwrap();
            match result {
                Some((log, usages)) => {
                    prop_assert!(ordered, "only a time-ordered log streams to the end");
                    let streamed = assemble(&plan, &schedule, usages, log.accounts.is_empty(), None, None, None).unwrap();
                    prop_assert_eq!(&streamed, &buffered);
                }
                None => prop_assert!(!ordered, "a time-ordered log streams to the end"),
            }
        }
    }

    /// The ledger of a log out of time order re-reads each row's texts
    /// from its line: with the delimiter and mapping, it is the canonical
    /// log's ledger.
    #[test]
    fn the_ledger_rereads_rows_with_the_delimiter(
        rows in rows(),
        delimiter in prop::sample::select(vec![b';', b'\t', b'|']),
    ) {
        let canonical_dir = Workdir::new();
        let own_dir = Workdir::new();
        canonical_dir.write("log.csv", log_text(&rows, ',', CANONICAL, [0, 1, 2, 3, 4]));
        own_dir.write("log.csv", log_text(&rows, char::from(delimiter), OWN, [4, 3, 2, 1, 0]));
        let plan = canonical_dir.write("plan.toml", METERED);
        own_dir.write("plan.toml", METERED);
        let ledger = |dir: &std::path::Path, extra: &[&str]| {
            let mut args = vec!["ledger", "--plan", "plan.toml", "--log", "log.csv", "--format", "csv"];
            args.extend_from_slice(extra);
            let (code, stdout, stderr) = run_in(dir, &args);
            assert_eq!(code, 0, "{stderr}");
            stdout
        };
        let delimiter_text = match delimiter { b';' => ";", b'|' => "|", _ => "\\t" };
        let mut extra = vec!["--delimiter", delimiter_text];
        let mapping: Vec<String> = CANONICAL.iter().zip(OWN).map(|(n, h)| format!("{n}={h}")).collect();
        for map in &mapping {
            extra.extend(["--column", map.as_str()]);
        }
        prop_assert_eq!(ledger(own_dir.dir(), &extra), ledger(canonical_dir.dir(), &[]));
        drop(plan);
    }
}

/// Runs in the repository root; the message, after checking the contract.
fn refused(args: &[&str]) -> String {
    let (code, stdout, stderr) = common::run(args);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.starts_with("scanquota: error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

fn own_log(work: &Workdir) -> String {
    work.write(
        "own.csv",
        "time;digest;tenant\n2024-03-16T09:00:00+08:00;sha256:aaaa;acme\n",
    )
}

#[test]
fn a_header_that_splits_on_another_delimiter_names_the_option() {
    let work = Workdir::new();
    let log = own_log(&work);
    let message = refused(&["report", "--plan", PLAN, "--log", &log]);
    assert!(message.contains("own.csv:1"), "{message}");
    assert!(message.contains("splits on `;`"), "{message}");
    assert!(message.contains("--delimiter ';'"), "{message}");
    let comma = work.write("comma.csv", "timestamp,image\n2024-03-16T09:00:00Z,a\n");
    let message = refused(&[
        "report",
        "--plan",
        PLAN,
        "--log",
        &comma,
        "--delimiter",
        "|",
    ]);
    assert!(message.contains("splits on a comma"), "{message}");
    assert!(message.contains("--delimiter ','"), "{message}");
}

#[test]
fn a_missing_column_suggests_the_mapping() {
    let work = Workdir::new();
    let log = own_log(&work);
    let message = refused(&["report", "--plan", PLAN, "--log", &log, "--delimiter", ";"]);
    assert!(message.contains("it has: time,digest,tenant"), "{message}");
    assert!(message.contains("--column timestamp=HEADER"), "{message}");
}

#[test]
fn an_unknown_name_is_refused_listing_the_columns() {
    let work = Workdir::new();
    let log = own_log(&work);
    let message = refused(&[
        "report",
        "--plan",
        PLAN,
        "--log",
        &log,
        "--delimiter",
        ";",
        "--column",
        "when=time",
    ]);
    assert!(message.contains("--column when=time"), "{message}");
    assert!(message.contains("`when` is not a column"), "{message}");
    assert!(
        message.contains("columns are: time, digest, tenant"),
        "{message}"
    );
}

#[test]
fn a_by_column_may_be_mapped() {
    let work = Workdir::new();
    let log = work.write(
        "own.csv",
        "time,digest,squad\n2024-03-16T09:00:00+08:00,sha256:aaaa,red\n",
    );
    let (code, stdout, stderr) = common::run(&[
        "report",
        "--plan",
        PLAN,
        "--log",
        &log,
        "--as-of",
        "2024-04-01",
        "--column",
        "timestamp=time",
        "--column",
        "image=digest",
        "--column",
        "team=squad",
        "--by",
        "team",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("\"red\""), "{stdout}");
}

/// A mapping that reads an optional column's own header as another column
/// (`--column image=account`) leaves that column unread: said on stderr,
/// with what it does (every scan billed to `default`), in every command
/// that reads the log. Both columns mapped, nothing is left unread and
/// nothing is said; `--by`'s column so taken is refused.
#[test]
fn a_mapping_that_leaves_an_optional_column_unread_is_noted() {
    let work = Workdir::new();
    let log = work.write(
        "log.csv",
        "timestamp,account,image,team\n2024-03-16T09:00:00+08:00,a,img1,red\n2024-03-16T10:00:00+08:00,b,img2,blue\n",
    );
    let base = ["--plan", PLAN, "--log", &log, "--as-of", "2024-04-01"];
    let note = "scanquota: --column image=account reads the column `account` as `image`, so no column is read as `account`, and every scan is billed to the account `default`; give --column account=HEADER to read it from another column\n";
    for command in ["report", "invoice", "ledger"] {
        let args = [
            &[command][..],
            &base,
            &["--column", "image=account", "--format", "json"],
        ]
        .concat();
        let args = if command == "ledger" {
            [
                &[command][..],
                &base,
                &["--column", "image=account", "--format", "csv"],
            ]
            .concat()
        } else {
            args
        };
        let (code, stdout, stderr) = common::run(&args);
        assert_eq!(code, 0, "{command}: {stderr}");
        assert!(stderr.ends_with(note), "{command}: {stderr}");
        // Every account the output names is `default`.
        let accounts: Vec<String> = if command == "ledger" {
            let mut rows = csv::Reader::from_reader(stdout.as_bytes());
            let column = rows
                .headers()
                .unwrap()
                .iter()
                .position(|name| name == "account");
            let column = column.expect("the ledger has an account column");
            let accounts = rows.records().map(|row| row.unwrap()[column].to_string());
            accounts.collect()
        } else {
            let mut found = Vec::new();
            accounts_named(&serde_json::from_str(&stdout).unwrap(), &mut found);
            found
        };
        let wanted = if command == "ledger" { 2 } else { 1 };
        assert!(
            accounts.len() >= wanted && accounts.iter().all(|name| name == "default"),
            "{command}: {accounts:?}"
        );
    }
    let swapped = [
        &["report"][..],
        &base,
        &["--column", "image=account", "--column", "account=image"],
    ]
    .concat();
    let (code, _, stderr) = common::run(&swapped);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stderr}");
    // `--by`'s column so taken is refused, as a required one is.
    let grouped = [
        &["report"][..],
        &base,
        &["--by", "team", "--column", "account=team"],
    ]
    .concat();
    let (code, stdout, stderr) = common::run(&grouped);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    // It names the mapping: the log has a `team` column.
    assert!(
        stderr.contains("log.csv:1: team: the column `team` is read as `account` (--column account=team), so none is read as the required `team`"),
        "{stderr}"
    );
}

/// Every string under a key `account` in `value`, at any depth.
fn accounts_named(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                match inner {
                    serde_json::Value::String(name) if key == "account" => found.push(name.clone()),
                    _ => accounts_named(inner, found),
                }
            }
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(|item| accounts_named(item, found))
        }
        _ => {}
    }
}

#[test]
fn a_header_the_log_lacks_is_refused_listing_the_columns() {
    let work = Workdir::new();
    let log = own_log(&work);
    let message = refused(&[
        "ledger",
        "--plan",
        PLAN,
        "--log",
        &log,
        "--delimiter",
        ";",
        "--column",
        "timestamp=time",
        "--column",
        "image=sha",
    ]);
    assert!(message.contains("--column image=sha"), "{message}");
    assert!(message.contains("has no column `sha`"), "{message}");
    assert!(message.contains("time, digest, tenant"), "{message}");
    let jsonl = work.write(
        "own.jsonl",
        "{\"when\": \"2024-03-16T09:00:00Z\", \"digest\": \"a\"}\n",
    );
    let message = refused(&[
        "report",
        "--plan",
        PLAN,
        "--log",
        &jsonl,
        "--column",
        "timestamp=time",
    ]);
    assert!(message.contains("own.jsonl:1"), "{message}");
    assert!(message.contains("has no column `time`"), "{message}");
    assert!(message.contains("when, digest"), "{message}");
}

#[test]
fn two_names_for_one_header_are_refused() {
    let work = Workdir::new();
    let log = own_log(&work);
    let message = refused(&[
        "check",
        "--plan",
        PLAN,
        "--log",
        &log,
        "--min-remaining",
        "1",
        "--delimiter",
        ";",
        "--column",
        "timestamp=time",
        "--column",
        "image=TIME",
    ]);
    assert!(
        message.contains(
            "--column timestamp=time and --column image=TIME both read the column `time`"
        ),
        "{message}"
    );
    assert!(message.contains("time, digest, tenant"), "{message}");
    let message = refused(&[
        "report",
        "--plan",
        PLAN,
        "--log",
        &log,
        "--delimiter",
        ";",
        "--column",
        "image=digest",
        "--column",
        "image=tenant",
    ]);
    assert!(message.contains("both name `image`"), "{message}");
}

#[test]
fn a_malformed_mapping_or_delimiter_names_the_option() {
    let work = Workdir::new();
    let log = own_log(&work);
    let message = refused(&["report", "--plan", PLAN, "--log", &log, "--column", "time"]);
    assert!(
        message.contains("--column `time` is not NAME=HEADER"),
        "{message}"
    );
    let message = refused(&["report", "--plan", PLAN, "--log", &log, "--delimiter", "::"]);
    assert!(
        message.contains("--delimiter `::` is not a delimiter"),
        "{message}"
    );
    assert!(message.contains("`\\t`"), "{message}");
}

#[test]
fn cores_and_inventory_files_have_their_own_mapping() {
    let work = Workdir::new();
    let cores = work.write(
        "cores.csv",
        "when;tenant;online\n2024-04-01 00:00:00;team-a;6\n2024-04-01 01:00:00;team-a;6\n",
    );
    let canonical = work.write(
        "canonical-cores.csv",
        "timestamp,account,cores\n2024-04-01 00:00:00,team-a,6\n2024-04-01 01:00:00,team-a,6\n",
    );
    let base = [
        "invoice",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        "2024-05-01",
        "--format",
        "json",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        common::run(&args)
    };
    let (code, expected, stderr) = with(&["--cores", &canonical]);
    assert_eq!(code, 0, "{stderr}");
    let (code, got, stderr) = with(&[
        "--cores",
        &cores,
        "--cores-delimiter",
        ";",
        "--cores-column",
        "timestamp=when",
        "--cores-column",
        "account=tenant",
        "--cores-column",
        "cores=online",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(got, expected);
    let mut args = base.to_vec();
    args.extend([
        "--cores",
        &cores,
        "--cores-delimiter",
        ";",
        "--cores-column",
        "cpus=online",
    ]);
    let message = refused(&args);
    assert!(message.contains("cores.csv:1"), "{message}");
    assert!(message.contains("--cores-column cpus=online"), "{message}");
    assert!(message.contains("when, tenant, online"), "{message}");
    let mut args = base.to_vec();
    args.extend(["--cores", &cores]);
    let message = refused(&args);
    assert!(message.contains("--cores-delimiter ';'"), "{message}");

    let inventory = work.write(
        "inventory.csv",
        "Digest|Where\nimg-a|registry\nimg-z|local\n",
    );
    let canonical = work.write(
        "canonical-inventory.csv",
        "image,source\nimg-a,registry\nimg-z,local\n",
    );
    let stats = |extra: &[&str]| {
        let mut args = vec![
            "stats",
            "--plan",
            "builtin:hss-payg",
            "--log",
            "fixtures/hss.csv",
        ];
        args.extend_from_slice(extra);
        common::run(&args)
    };
    let (code, expected, stderr) = stats(&["--inventory", &canonical]);
    assert_eq!(code, 0, "{stderr}");
    let (code, got, stderr) = stats(&[
        "--inventory",
        &inventory,
        "--inventory-delimiter",
        "|",
        "--inventory-column",
        "image=digest",
        "--inventory-column",
        "source=where",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(got, expected);
    let (code, _, stderr) = stats(&[
        "--inventory",
        &inventory,
        "--inventory-delimiter",
        "|",
        "--inventory-column",
        "image=name",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--inventory-column image=name"), "{stderr}");
    assert!(stderr.contains("has no column `name`"), "{stderr}");
}

/// A cores or inventory mapping that reads an optional column's own header
/// as another column is noted, as the log's is: `--cores-column
/// cores=account` billed the account ids as core counts to `default`.
#[test]
fn a_cores_or_inventory_mapping_that_leaves_a_column_unread_is_noted() {
    let work = Workdir::new();
    let cores = work.write(
        "cores.csv",
        "timestamp,account,cores\n2024-04-01 00:00:00,1000,9\n2024-04-01 01:00:00,1000,9\n",
    );
    let args = [
        "invoice",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        "2024-05-01",
        "--format",
        "json",
        "--cores",
        &cores,
        "--cores-column",
        "cores=account",
    ];
    let (code, _, stderr) = common::run(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("scanquota: --cores-column cores=account reads the column `account` as `cores`, so no column is read as `account`, and every sample is billed to the account `default`; give --cores-column account=HEADER"),
        "{stderr}"
    );
    let inventory = work.write("inventory.csv", "image,source\nimg-z,local\n");
    let (code, _, stderr) = common::run(&[
        "stats",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--inventory",
        &inventory,
        "--inventory-column",
        "image=source",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("scanquota: --inventory-column image=source reads the column `source` as `image`, so no column is read as `source`, and every image is counted as a registry image"),
        "{stderr}"
    );
    // Read in full, nothing is noted of its columns.
    let (code, _, stderr) = common::run(&[
        "stats",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--inventory",
        &inventory,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("--inventory-column"), "{stderr}");
    // An inventory's image with a no-break space before its quote is
    // refused, as a log's is: it counted `img-a` again as never scanned.
    let spaced = work.write("spaced.csv", "image,source\n\u{a0}\"img-a\",registry\n");
    let (code, stdout, stderr) = common::run(&[
        "stats",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--inventory",
        &spaced,
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("spaced.csv:2:1: image: "), "{stderr}");
    assert!(stderr.contains("before its opening quote"), "{stderr}");
}

#[test]
fn estimate_from_log_takes_the_mapping() {
    let work = Workdir::new();
    let log = own_log(&work);
    let (code, _, stderr) = common::run(&[
        "estimate",
        "--plan",
        PLAN,
        "--from-log",
        &log,
        "--as-of",
        "2024-06-01",
        "--delimiter",
        ";",
        "--column",
        "timestamp=time",
        "--column",
        "image=digest",
        "--column",
        "account=tenant",
    ]);
    assert_eq!(code, 0, "{stderr}");
}

/// Every string of `value` that is an RFC 3339 time, in document order.
fn times(value: &serde_json::Value, out: &mut Vec<chrono::DateTime<chrono::FixedOffset>>) {
    match value {
        serde_json::Value::String(text) => {
            if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
                out.push(at);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| times(item, out)),
        serde_json::Value::Object(map) => map.values().for_each(|item| times(item, out)),
        _ => {}
    }
}

#[test]
fn the_display_zone_shows_the_same_instants_with_its_offset() {
    let args = [
        "report",
        "--plan",
        PLAN,
        "--log",
        "fixtures/tcss-worked-example.csv",
        "--as-of",
        "2024-04-20",
        "--format",
        "json",
    ];
    let (code, plain, stderr) = common::run(&args);
    assert_eq!(code, 0, "{stderr}");
    let mut shown_args = args.to_vec();
    shown_args.extend(["--display-zone", "America/New_York"]);
    let (code, shown, stderr) = common::run(&shown_args);
    assert_eq!(code, 0, "{stderr}");
    let plain: serde_json::Value = serde_json::from_str(&plain).unwrap();
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["timezone"], "America/New_York");
    let (mut before, mut after) = (Vec::new(), Vec::new());
    times(&plain, &mut before);
    times(&shown, &mut after);
    assert!(before.len() > 3, "{before:?}");
    assert_eq!(before, after, "the same instants, period for period");
    let new_york = |at: &chrono::DateTime<chrono::FixedOffset>| {
        let seconds = at.offset().local_minus_utc();
        seconds == -4 * 3600 || seconds == -5 * 3600
    };
    assert!(after.iter().all(new_york), "{after:?}");
    assert!(
        before
            .iter()
            .all(|at| at.offset().local_minus_utc() == 8 * 3600)
    );
    // The periods are the plan's: 15th 14:00 in +08:00, shown in New York.
    assert!(
        shown.to_string().contains("2024-04-15T02:00:00-04:00"),
        "{shown}"
    );
    // The ledger and the table show the zone too.
    let (code, ledger, _) = common::run(&[
        "ledger",
        "--plan",
        PLAN,
        "--log",
        "fixtures/tcss-worked-example.csv",
        "--format",
        "csv",
        "--display-zone",
        "+00:00",
    ]);
    assert_eq!(code, 0);
    assert!(
        ledger.contains("\n2024-03-16T01:00:00+00:00,default,sha256:aaaa"),
        "{ledger}"
    );
    let mut table = args[..7].to_vec();
    table.extend(["--display-zone", "Z"]);
    let (code, table, _) = common::run(&table);
    assert_eq!(code, 0);
    assert!(
        table.contains("times in +00:00")
            || table.contains("times in Z")
            || table.contains("times in UTC"),
        "{table}"
    );
}

#[test]
fn naive_times_in_the_log_zone_equal_the_same_times_with_offsets() {
    let naive_dir = Workdir::new();
    let offset_dir = Workdir::new();
    let mut naive = String::from("timestamp,image\n");
    let mut offset = String::from("timestamp,image\n");
    for (day, image) in [(16, "a"), (20, "a"), (21, "b"), (30, "c")] {
        // 23:30 in Berlin (UTC+1 in March) is the next day in +08:00.
        naive += &format!("2024-03-{day} 23:30:00,{image}\n");
        offset += &format!("2024-03-{day}T23:30:00+01:00,{image}\n");
    }
    naive_dir.write("scans.csv", naive);
    offset_dir.write("scans.csv", offset);
    let expected = report_json(offset_dir.dir(), "scans.csv", &[]);
    let got = report_json(
        naive_dir.dir(),
        "scans.csv",
        &["--log-zone", "Europe/Berlin"],
    );
    assert_eq!(got, expected);
    let plan_zone = report_json(naive_dir.dir(), "scans.csv", &[]);
    assert_ne!(
        plan_zone, expected,
        "without --log-zone the plan's zone applies"
    );
    // A zone west of Greenwich is written with a leading minus, and taken
    // as the option's value (not as an option of its own).
    let mut west = String::from("timestamp,image\n");
    for (day, image) in [(16, "a"), (20, "a"), (21, "b"), (30, "c")] {
        west += &format!("2024-03-{day}T23:30:00-05:00,{image}\n");
    }
    let west_dir = Workdir::new();
    west_dir.write("scans.csv", west);
    let got = report_json(
        naive_dir.dir(),
        "scans.csv",
        &["--log-zone", "-05:00", "--display-zone", "-12:00"],
    );
    let expected = report_json(west_dir.dir(), "scans.csv", &["--display-zone", "-12:00"]);
    assert_eq!(got, expected);
    assert!(got.contains("-12:00"), "{got}");
}

#[test]
fn a_zone_option_that_is_not_a_zone_is_refused() {
    for option in ["--log-zone", "--display-zone"] {
        let message = refused(&[
            "report",
            "--plan",
            PLAN,
            "--log",
            "fixtures/tcss-worked-example.csv",
            option,
            "Mars/Base",
        ]);
        assert!(
            message.contains(&format!("{option} `Mars/Base` is not a time zone")),
            "{message}"
        );
        assert!(message.contains("Europe/Berlin"), "{message}");
    }
}

/// The ledger as CSV, with `extra` options, of `log`.
fn ledger_csv(log: &str, extra: &[&str]) -> String {
    let mut args = vec!["ledger", "--plan", PLAN, "--log", log];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = common::run(&args);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

/// `full`'s header and the rows whose time is in `[from, to)`.
fn rows_between(full: &str, from: &str, to: &str) -> String {
    let from = chrono::DateTime::parse_from_rfc3339(from).unwrap();
    let to = chrono::DateTime::parse_from_rfc3339(to).unwrap();
    let mut lines = full.lines();
    let mut kept = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let at = chrono::DateTime::parse_from_rfc3339(line.split(',').next().unwrap()).unwrap();
        if at >= from && at < to {
            kept += line;
            kept.push('\n');
        }
    }
    kept
}

#[test]
fn a_ledger_window_prints_the_full_ledgers_rows_in_it() {
    let log = "fixtures/tcss-worked-example.csv";
    let full = ledger_csv(log, &["--format", "csv"]);
    // A bare date is 00:00 in the plan's zone (+08:00); a date-time as written.
    let windowed = ledger_csv(
        log,
        &[
            "--format",
            "csv",
            "--from",
            "2024-03-20",
            "--to",
            "2024-03-25T12:00:00Z",
        ],
    );
    let expected = rows_between(&full, "2024-03-20T00:00:00+08:00", "2024-03-25T12:00:00Z");
    assert_eq!(windowed, expected);
    let rows = windowed.lines().count() - 1;
    assert!(rows > 3 && rows < full.lines().count() - 1, "{windowed}");
    // Replayed from the start: the window's first scan is a repeat.
    assert!(
        windowed.lines().nth(1).unwrap().contains(",repeat,"),
        "{windowed}"
    );
    assert!(!windowed.contains(",first,"), "{windowed}");

    // The table (rows held) and a log out of time order (rows re-read)
    // cut the same rows.
    let table = ledger_csv(
        log,
        &["--from", "2024-03-20", "--to", "2024-03-25T12:00:00Z"],
    );
    assert_eq!(table.matches("sha256:aaaa").count(), rows, "{table}");
    let work = Workdir::new();
    let text = std::fs::read_to_string(common::root().join(log)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let reversed = work.write("reversed.csv", lines.join("\n") + "\n");
    let reversed_full = ledger_csv(&reversed, &["--format", "jsonl"]);
    let reversed_window = ledger_csv(
        &reversed,
        &[
            "--format",
            "jsonl",
            "--from",
            "2024-03-20",
            "--to",
            "2024-03-25T12:00:00Z",
        ],
    );
    let kept: Vec<&str> = reversed_full
        .lines()
        .filter(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let at =
                chrono::DateTime::parse_from_rfc3339(value["timestamp"].as_str().unwrap()).unwrap();
            at >= chrono::DateTime::parse_from_rfc3339("2024-03-20T00:00:00+08:00").unwrap()
                && at < chrono::DateTime::parse_from_rfc3339("2024-03-25T12:00:00Z").unwrap()
        })
        .collect();
    assert_eq!(reversed_window, kept.join("\n") + "\n");

    // Either bound alone.
    let from_only = ledger_csv(log, &["--format", "csv", "--from", "2024-03-20"]);
    assert_eq!(
        from_only,
        rows_between(&full, "2024-03-20T00:00:00+08:00", "9999-01-01T00:00:00Z")
    );
}

#[test]
fn a_ledger_window_that_cannot_be_used_is_refused() {
    let base = [
        "ledger",
        "--plan",
        PLAN,
        "--log",
        "fixtures/tcss-worked-example.csv",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        refused(&args)
    };
    let message = with(&["--from", "last week"]);
    assert!(
        message.contains("--from `last week` is not a usable time"),
        "{message}"
    );
    let message = with(&["--to", "2024-13-01"]);
    assert!(message.contains("--to `2024-13-01`"), "{message}");
    let message = with(&["--from", "2024-03-20", "--to", "2024-03-20"]);
    assert!(
        message.contains("--to `2024-03-20` is not after --from (2024-03-20T00:00:00+08:00)"),
        "{message}"
    );
}

#[test]
fn flattened_json_lines_on_standard_input_take_the_mapping() {
    // What `jq -c '{at: .event.at, digest: .artifact.digest, org}'` writes.
    let mut input = String::new();
    let mut canonical = String::from("timestamp,image,account\n");
    for (at, image, account) in example_rows() {
        input += &format!("{{\"at\":\"{at}\",\"digest\":\"{image}\",\"org\":\"{account}\"}}\n");
        canonical += &format!("{at},{image},{account}\n");
    }
    let work = Workdir::new();
    let output = scanquota()
        .current_dir(work.dir())
        .args([
            "report",
            "--plan",
            &plan_path(),
            "--log",
            "-",
            "--as-of",
            "2024-04-20",
            "--format",
            "json",
            "--column",
            "timestamp=at",
            "--column",
            "image=digest",
            "--column",
            "account=org",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", output);
    let expected = scanquota()
        .current_dir(work.dir())
        .args([
            "report",
            "--plan",
            &plan_path(),
            "--log",
            "-",
            "--as-of",
            "2024-04-20",
            "--format",
            "json",
        ])
        .write_stdin(canonical)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&expected.stdout)
    );
}

/// `--column scan_id=image` reads the `image` column as the scan id, so no
/// column is left to read as the image: the message says so, rather than
/// that the header lacks an `image` column it plainly has.
#[test]
fn a_required_column_read_as_another_is_named() {
    let stderr = refused(&[
        "report",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--column",
        "scan_id=image",
        "--as-of",
        "2024-05-01",
    ]);
    assert!(
        stderr.contains("fixtures/tcss-cny.csv:1: image: the column `image` is read as `scan_id` (--column scan_id=image), so none is read as the required `image`"),
        "{stderr}"
    );
    // JSON Lines alike: the key is not read twice (it was billed as both
    // image and scan id), and an optional column whose key another takes
    // reads nothing, as in CSV.
    let work = Workdir::new();
    let jsonl = work.write(
        "log.jsonl",
        "{\"timestamp\": \"2024-03-20T00:00:00Z\", \"image\": \"sha256:1\", \"account\": \"a1\"}\n",
    );
    let csv = work.write(
        "log.csv",
        "timestamp,image,account\n2024-03-20T00:00:00Z,sha256:1,a1\n",
    );
    let ledger = |log: &str, mapping: &str| {
        common::run(&[
            "ledger",
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            log,
            "--column",
            mapping,
            "--as-of",
            "2024-05-01",
            "--format",
            "jsonl",
        ])
    };
    let (code, _, stderr) = ledger(&jsonl, "scan_id=image");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("log.jsonl:1: image: the key `image` is read as `scan_id` (--column scan_id=image), so none is read as the required `image`"),
        "{stderr}"
    );
    let row = |log: &str| -> serde_json::Value {
        let (code, stdout, stderr) = ledger(log, "scan_id=account");
        assert_eq!(code, 0, "{stderr}");
        let mut row: serde_json::Value =
            serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
        row.as_object_mut().unwrap().remove("file");
        row.as_object_mut().unwrap().remove("line");
        row
    };
    let from_jsonl = row(&jsonl);
    assert_eq!(
        (&from_jsonl["account"], &from_jsonl["scan_id"]),
        (&"default".into(), &"a1".into())
    );
    assert_eq!(from_jsonl, row(&csv));
}
