//! The scan-log reader: columns by name, timestamp forms, zones, gzip,
//! BOM/CRLF, merging, and a message naming file, line and column for bad rows.

mod common;

use common::Workdir;
use flate2::{Compression, write::GzEncoder};
use scanquota::domain::zone::Zone;
use scanquota::input::log::{ReadOptions, Risk, ScanLog, ScanStatus, Source};
use std::io::Write;

fn read(
    work: &Workdir,
    name: &str,
    text: &[u8],
    zone: &str,
) -> scanquota::domain::error::Result<ScanLog> {
    let path = work.write(name, text);
    // Keep the texts: these tests look at image names.
    ScanLog::read_paths(
        &[path],
        Zone::parse(zone).unwrap(),
        &ReadOptions::keeping_texts(),
    )
}

fn read_ok(text: &str, zone: &str) -> ScanLog {
    let work = Workdir::new();
    read(&work, "log.csv", text.as_bytes(), zone).expect("log reads")
}

/// As `scanquota report` reads: identities only, no image or scan id texts.
fn read_lean(text: &str) -> ScanLog {
    let work = Workdir::new();
    let path = work.write("log.csv", text.as_bytes());
    ScanLog::read_paths(&[path], Zone::default(), &ReadOptions::default()).expect("log reads")
}

fn read_err(text: &[u8]) -> String {
    let work = Workdir::new();
    let err = read(&work, "log.csv", text, "+08:00").expect_err("log is refused");
    assert_eq!(err.code(), 2);
    let message = err.to_string();
    assert!(message.contains("log.csv"), "names the file: {message}");
    message
}

fn rfc3339(log: &ScanLog) -> Vec<String> {
    log.events.iter().map(|e| e.at.to_rfc3339()).collect()
}

#[test]
fn columns_are_found_by_name_in_any_order_with_defaults() {
    let a = read_ok("timestamp,image\n2024-03-16T10:00:00Z,img\n", "+00:00");
    let b = read_ok(
        " Image ,Extra, TIMESTAMP \nimg,ignored,2024-03-16T10:00:00Z\n",
        "+00:00",
    );
    for log in [&a, &b] {
        let event = log.events[0];
        assert_eq!(log.images.name(event.image), "img");
        assert_eq!(log.accounts.name(event.account), "default");
        assert_eq!(event.source, Source::Registry);
        assert_eq!(event.status, ScanStatus::Success);
        assert_eq!(event.risk, Risk::Unknown);
        assert_eq!(event.scan_key, 0);
        assert_eq!(event.line, 2);
    }
    assert_eq!(rfc3339(&a), rfc3339(&b));
}

#[test]
fn optional_columns_are_read_case_insensitively() {
    let log = read_lean(
        "risk,status,source,account,scan_id,image,timestamp\n\
         HIGH,Failed,CICD,team-a,s1,img,2024-03-16T10:00:00Z\n\
         ,success,local,,,img,2024-03-16T11:00:00Z\n",
    );
    let first = log.events[0];
    assert_eq!(first.risk, Risk::High);
    assert_eq!(first.status, ScanStatus::Failed);
    assert_eq!(first.source, Source::Cicd);
    assert_eq!(log.accounts.name(first.account), "team-a");
    assert_ne!(first.scan_key, 0, "a scan id is known by a non-zero key");
    assert!(
        log.scan_ids.is_empty(),
        "scan id texts are not kept unless asked for"
    );
    assert_eq!(
        (log.images.len(), log.images.name(first.image)),
        (1, ""),
        "images are told apart, their names not kept unless asked for"
    );
    assert_eq!(first.image, log.events[1].image);
    let second = log.events[1];
    assert_eq!(log.accounts.name(second.account), "default");
    assert_eq!(second.scan_key, 0);
}

#[test]
fn all_three_timestamp_forms_read_naive_times_in_the_plan_zone() {
    let log = read_ok(
        "timestamp,image\n\
         2024-03-15T14:00:00+08:00,a\n\
         2024-03-15T06:00:00Z,b\n\
         2024-03-15 14:00:00,c\n\
         2024-03-15T14:00:00,d\n\
         1710482400,e\n",
        "+08:00",
    );
    let times = rfc3339(&log);
    assert_eq!(times.len(), 5);
    assert!(
        times.iter().all(|t| t == "2024-03-15T06:00:00+00:00"),
        "{times:?}"
    );
    let named = read_ok("timestamp,image\n2024-07-01 08:00:00,a\n", "Europe/Berlin");
    assert_eq!(rfc3339(&named), ["2024-07-01T06:00:00+00:00"]);
}

#[test]
fn berlin_skipped_and_repeated_local_times_are_errors_naming_the_line() {
    let work = Workdir::new();
    let skipped = read(
        &work,
        "spring.csv",
        b"timestamp,image\n2024-03-31 01:30:00,a\n2024-03-31 02:30:00,a\n",
        "Europe/Berlin",
    )
    .unwrap_err()
    .to_string();
    assert!(skipped.contains("spring.csv:3:1: timestamp"), "{skipped}");
    assert!(skipped.contains("does not exist"), "{skipped}");
    let repeated = read(
        &work,
        "autumn.csv",
        b"timestamp,image\n2024-10-27 02:30:00,a\n",
        "Europe/Berlin",
    )
    .unwrap_err()
    .to_string();
    assert!(repeated.contains("autumn.csv:2:1"), "{repeated}");
    assert!(repeated.contains("happens twice"), "{repeated}");
    // Shanghai has no DST: the same wall times are single instants.
    read(
        &work,
        "sh.csv",
        b"timestamp,image\n2024-03-31 02:30:00,a\n2024-10-27 02:30:00,a\n",
        "Asia/Shanghai",
    )
    .unwrap();
}

#[test]
fn bom_and_crlf_are_accepted() {
    let log = read_ok(
        "\u{feff}timestamp,image\r\n2024-03-16T10:00:00Z,img\r\n2024-03-16T11:00:00Z,img2\r\n",
        "+00:00",
    );
    assert_eq!(log.events.len(), 2);
    assert_eq!(log.images.name(log.events[1].image), "img2");
    assert_eq!(log.events[1].line, 3);
}

#[test]
fn gzip_logs_are_decompressed() {
    let work = Workdir::new();
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(b"timestamp,image\n2024-03-16T10:00:00Z,img\n")
        .unwrap();
    let path = work.write("log.csv.gz", encoder.finish().unwrap());
    let log = ScanLog::read_paths(&[path], Zone::default(), &ReadOptions::default()).unwrap();
    assert_eq!(log.events.len(), 1);

    let broken = work.write("broken.csv.gz", b"not gzip at all");
    let err = ScanLog::read_paths(&[broken], Zone::default(), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken.csv.gz"), "{err}");
}

#[test]
fn several_logs_merge_in_time_order_with_ties_in_input_order() {
    let work = Workdir::new();
    let first = work.write(
        "one.csv",
        "timestamp,image\n2024-03-16T12:00:00Z,late\n2024-03-16T10:00:00Z,tie-1\n",
    );
    let second = work.write(
        "two.csv",
        "image,timestamp\ntie-2,2024-03-16T10:00:00Z\nearly,2024-03-16T09:00:00Z\n",
    );
    let log = ScanLog::read_paths(
        &[first, second],
        Zone::default(),
        &ReadOptions::keeping_texts(),
    )
    .unwrap();
    let order: Vec<_> = log
        .events
        .iter()
        .map(|e| log.images.name(e.image))
        .collect();
    assert_eq!(order, ["early", "tie-1", "tie-2", "late"]);
    assert_eq!(
        log.location(&log.events[0]),
        format!("{}:3", work.path("two.csv"))
    );
}

#[test]
fn header_only_log_has_no_events() {
    assert!(read_ok("timestamp,image\n", "+00:00").events.is_empty());
}

#[test]
fn bad_logs_name_file_line_column_and_value() {
    let cases: &[(&[u8], &[&str])] = &[
        (b"", &["log.csv:1", "empty"]),
        (
            b"image,account\nimg,a\n",
            &["log.csv:1", "timestamp", "required"],
        ),
        (
            b"timestamp,account\n2024-03-16T10:00:00Z,a\n",
            &["image", "required"],
        ),
        (
            b"timestamp,image,timestamp\n1,2,3\n",
            &["log.csv:1:3", "twice"],
        ),
        (
            b"timestamp,image\n2024-03-16T10:00:00Z\n",
            &["log.csv:2", "1 fields", "header has 2"],
        ),
        (
            b"timestamp,image\nnot-a-time,img\n",
            &["log.csv:2:1: timestamp", "`not-a-time`", "RFC 3339"],
        ),
        (
            b"timestamp,image\n2024-03-16T10:00:00Z,\n",
            &["log.csv:2:2: image", "empty"],
        ),
        (
            b"timestamp,image,source\n2024-03-16T10:00:00Z,img,ftp\n",
            &["log.csv:2:3: source", "`ftp`", "registry"],
        ),
        (
            b"timestamp,image,status\n2024-03-16T10:00:00Z,img,ok\n",
            &["2:3: status", "`ok`", "failed"],
        ),
        (
            b"timestamp,image,risk\n2024-03-16T10:00:00Z,img,severe\n",
            &["2:3: risk", "`severe`", "medium"],
        ),
        (
            b"timestamp,image\n2024-03-16T10:00:00Z,im\xffg\n",
            &["log.csv:2:2: image", "UTF-8"],
        ),
        (
            b"timestamp,image\n0000-01-01T00:00:00Z,img\n",
            &["2:1", "between 1970"],
        ),
        (
            b"timestamp,image\n1000000000000000,img\n",
            &["2:1", "between 1970"],
        ),
        (b"timestamp,image\n10000-01-01T00:00:00Z,img\n", &["2:1"]),
    ];
    for (text, needles) in cases {
        let message = read_err(text);
        for needle in *needles {
            assert!(
                message.contains(needle),
                "{:?}: {message} lacks {needle:?}",
                String::from_utf8_lossy(text)
            );
        }
    }
}

#[test]
fn missing_file_and_directory_are_errors() {
    let work = Workdir::new();
    let missing = ScanLog::read_paths(
        &[work.path("nope.csv")],
        Zone::default(),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(missing.to_string().contains("nope.csv"));
    let dir = work.dir().to_string_lossy().into_owned();
    let directory =
        ScanLog::read_paths(&[dir], Zone::default(), &ReadOptions::default()).unwrap_err();
    assert!(directory.to_string().contains("directory"), "{directory}");
}

#[test]
fn scan_id_texts_are_kept_when_asked_for() {
    let work = Workdir::new();
    let path = work.write("log.csv", "timestamp,image,scan_id\n2024-03-16T10:00:00Z,a,s1\n2024-03-16T11:00:00Z,b,s1\n2024-03-16T12:00:00Z,c,\n");
    let kept = ScanLog::read_paths(
        std::slice::from_ref(&path),
        Zone::default(),
        &ReadOptions::keeping_texts(),
    )
    .unwrap();
    let texts: Vec<Option<&str>> = kept.events.iter().map(|e| kept.scan_id_text(e)).collect();
    assert_eq!(texts, [Some("s1"), Some("s1"), None]);
    let hashed = ScanLog::read_paths(&[path], Zone::default(), &ReadOptions::default()).unwrap();
    assert_eq!(
        hashed.events[0].scan_key, hashed.events[1].scan_key,
        "equal ids, equal keys"
    );
    assert_eq!(hashed.scan_id_text(&hashed.events[0]), None);
}

#[test]
fn events_are_at_most_48_bytes() {
    assert!(std::mem::size_of::<scanquota::input::log::ScanEvent>() <= 48);
}

#[test]
fn rows_after_blank_lines_name_their_own_line() {
    // The csv crate dates a row from the blank lines before it; messages and
    // the ledger must name the row's own line, with or without a final line end.
    for (text, lines) in [
        ("timestamp,image\n1710000000,a\n\n1710000001,b\n", [2, 4]),
        ("timestamp,image\n\n\n1710000000,a\n\n1710000001,b", [4, 6]),
        (
            "timestamp,image\r\n1710000000,a\r\n\r\n\r\n1710000001,b\r\n",
            [2, 5],
        ),
        // Blank lines before the header are skipped as well.
        ("\n\ntimestamp,image\n1710000000,a\n1710000001,b\n", [4, 5]),
    ] {
        let log = read_ok(text, "+00:00");
        let found: Vec<u64> = log.events.iter().map(|event| event.line).collect();
        assert_eq!(found, lines, "{text:?}");
    }
    let message = read_err(b"timestamp,image\n1710000000,a\n\n\nnot-a-time,b\n");
    assert!(message.contains("log.csv:5:1"), "{message}");
}

#[test]
fn a_field_over_a_line_break_is_refused_where_it_starts() {
    // A quote left open swallows the rows after it; a closed quote around a
    // line break is refused too, since no column holds one.
    for (text, line, column) in [
        ("timestamp,image\n1710000000,\"img\n1710000060,img2\n", 2, 2),
        (
            "timestamp,image\n1710000000,img1\n\n\n1710000060,\"img\nx\"\n",
            5,
            2,
        ),
        (
            "timestamp,image,account\n1710000000,img1,a\n1710000060,img2,\"a\nb\"\n",
            3,
            3,
        ),
    ] {
        let message = read_err(text.as_bytes());
        assert!(
            message.contains(&format!("log.csv:{line}:{column}"))
                && message.contains("close the quote or remove the line break"),
            "{text:?}: {message}"
        );
    }
}
