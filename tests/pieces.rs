//! A large log file is read in pieces on every core: the pieces must give
//! exactly the events, lines and names of reading it whole, and a file that
//! reading whole refuses must never be read in pieces.

mod common;

use common::Workdir;
use proptest::prelude::*;
use scanquota::domain::zone::Zone;
use scanquota::input::log::{ReadOptions, ScanLog};
use std::collections::HashMap;

/// One row's cells; the image may need quoting.
fn row() -> impl Strategy<Value = String> {
    (
        0u32..100_000,
        prop_oneof![
            "sha256:[a-f0-9]{4}",
            Just("\"img,with,commas\"".to_string()),
            Just("\"say \"\"hi\"\"\"".to_string()),
            Just(" padded ".to_string()),
        ],
        "(team-[a-c])?",
        prop_oneof![Just(""), Just("FAILED"), Just("success")],
        "(s[0-9]{1,2})?",
    )
        .prop_map(|(minute, image, account, status, scan_id)| {
            format!(
                "{},{image},{account},{status},{scan_id}",
                1_710_000_000 + u64::from(minute) * 60
            )
        })
}

fn file_text(rows: &[String], crlf: bool, blank_every: usize) -> String {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut text = format!("timestamp,image,account,status,scan_id{end}");
    for (index, row) in rows.iter().enumerate() {
        text.push_str(row);
        text.push_str(end);
        if blank_every > 0 && index % blank_every == 0 {
            text.push_str(end);
        }
    }
    text
}

/// Every event as text, in replay order: what the readers must agree on.
fn described(log: &ScanLog) -> Vec<String> {
    log.events
        .iter()
        .map(|event| {
            format!(
                "{} {} {:?} {:?} {:?} {} {} {:?}",
                event.at,
                log.location(event),
                event.source,
                event.status,
                event.risk,
                log.accounts.name(event.account),
                log.images.name(event.image),
                log.scan_id_text(event),
            )
        })
        .collect()
}

/// The events with account and image ids renumbered in order of first use.
fn renamed(log: &ScanLog) -> Vec<scanquota::input::log::ScanEvent> {
    let (mut accounts, mut images) = (HashMap::new(), HashMap::new());
    log.events
        .iter()
        .map(|event| {
            let mut event = *event;
            let next = accounts.len() as u32;
            event.account = *accounts.entry(event.account).or_insert(next);
            let next = images.len() as u32;
            event.image = *images.entry(event.image).or_insert(next);
            event
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn pieces_read_what_the_whole_file_reads(
        rows in prop::collection::vec(row(), 1..120),
        crlf in any::<bool>(),
        blank_every in 0usize..7,
        threads in 1usize..4,
        pieces in 1usize..9,
    ) {
        let work = Workdir::new();
        let path = work.write("log.csv", file_text(&rows, crlf, blank_every));
        let whole = ScanLog::read_paths(std::slice::from_ref(&path), Zone::default(), &ReadOptions::keeping_texts())
            .expect("a valid log");
        let in_pieces = ScanLog::read_file_in_pieces(&path, Zone::default(), &ReadOptions::keeping_texts(), threads, pieces)
            .expect("no error")
            .expect("a valid log is read in pieces");
        prop_assert_eq!(described(&whole), described(&in_pieces));
        prop_assert_eq!(whole.accounts.len(), in_pieces.accounts.len());
        prop_assert_eq!(whole.images.len(), in_pieces.images.len());
    }

    /// Without texts (a report), pieces hand over image fingerprints and
    /// the merge interns them: the events, image ids included, are those of
    /// the whole file read on one core.
    #[test]
    fn pieces_without_texts_intern_images_as_the_whole_file_does(
        rows in prop::collection::vec(row(), 1..120),
        threads in 1usize..4,
        pieces in 1usize..9,
    ) {
        let work = Workdir::new();
        let path = work.write("log.csv", file_text(&rows, false, 0));
        let lean = ReadOptions::default();
        let whole = ScanLog::read_paths(std::slice::from_ref(&path), Zone::default(), &lean)
            .expect("a valid log");
        let in_pieces = ScanLog::read_file_in_pieces(&path, Zone::default(), &lean, threads, pieces)
            .expect("no error")
            .expect("a valid log is read in pieces");
        // Ids follow the order pieces come in: compare them renamed in
        // order of first use.
        prop_assert_eq!(renamed(&whole), renamed(&in_pieces));
        prop_assert_eq!(whole.images.len(), in_pieces.images.len());
        prop_assert_eq!(whole.accounts.len(), in_pieces.accounts.len());
    }

    /// A report of a log out of order keeps each row's image fingerprint
    /// in its account's list (`images_by_row`): pieces keep each row's
    /// image as reading the whole file does (the lists in the order the
    /// pieces came in).
    #[test]
    fn pieces_keep_images_by_row_as_the_whole_file_does(
        rows in prop::collection::vec(row(), 1..120),
        threads in 1usize..4,
        pieces in 1usize..9,
    ) {
        let work = Workdir::new();
        let path = work.write("log.csv", file_text(&rows, false, 0));
        let by_row = ReadOptions { images_by_row: true, ..ReadOptions::default() };
        let whole = ScanLog::read_paths(std::slice::from_ref(&path), Zone::default(), &by_row)
            .expect("a valid log");
        let in_pieces = ScanLog::read_file_in_pieces(&path, Zone::default(), &by_row, threads, pieces)
            .expect("no error")
            .expect("a valid log is read in pieces");
        let keyed = |log: &ScanLog| -> Vec<(String, u128, String)> {
            log.events
                .iter()
                .map(|event| (log.accounts.name(event.account).to_string(), log.image_key(event), log.location(event)))
                .collect()
        };
        prop_assert_eq!(keyed(&whole), keyed(&in_pieces));
        // Every row keeps its own image: no table of images is built.
        prop_assert!(whole.images.is_empty() && in_pieces.images.is_empty());
        let distinct = |log: &ScanLog| log.events.iter().map(|event| log.image_key(event)).collect::<std::collections::HashSet<_>>().len();
        let interned = ScanLog::read_paths(std::slice::from_ref(&path), Zone::default(), &ReadOptions::default())
            .expect("a valid log");
        prop_assert_eq!(distinct(&whole), interned.images.len());
    }

    /// Line ends of every kind, the header's too: LF, CRLF and a lone CR
    /// (which the reader takes as a line end). A header ending in a lone CR
    /// once let pieces take the first row for part of the header.
    #[test]
    fn pieces_read_what_the_whole_file_reads_whatever_the_line_ends(
        rows in prop::collection::vec(row(), 1..80),
        header_end in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        ends in prop::collection::vec(prop_oneof![Just("\n"), Just("\r\n"), Just("\r")], 80),
        threads in 1usize..4,
        pieces in 1usize..9,
    ) {
        let mut text = format!("timestamp,image,account,status,scan_id{header_end}");
        for (row, end) in rows.iter().zip(&ends) {
            text.push_str(row);
            text.push_str(end);
        }
        let work = Workdir::new();
        let path = work.write("log.csv", text);
        let options = ReadOptions::keeping_texts();
        let whole = ScanLog::read_paths(std::slice::from_ref(&path), Zone::default(), &options)
            .expect("a valid log");
        // Read in pieces, or left to be read whole: never other rows.
        if let Some(in_pieces) = ScanLog::read_file_in_pieces(&path, Zone::default(), &options, threads, pieces)
            .expect("no error")
        {
            prop_assert_eq!(described(&whole), described(&in_pieces));
        }
    }

    #[test]
    fn a_file_refused_whole_is_never_read_in_pieces(
        rows in prop::collection::vec(row(), 2..60),
        broken_at in any::<prop::sample::Index>(),
        breakage in prop_oneof![
            Just("\"open quote,img"),
            Just("not-a-time,img"),
            Just("1710000000"),
            Just("1710000000,img,a,b,c,d"),
            Just("1710000000,\"multi\nline\""),
        ],
        pieces in 2usize..9,
    ) {
        let mut rows = rows;
        let at = broken_at.index(rows.len());
        rows[at] = breakage.to_string();
        let work = Workdir::new();
        let path = work.write("log.csv", file_text(&rows, false, 0));
        let whole = ScanLog::read_paths(std::slice::from_ref(&path), Zone::default(), &ReadOptions::keeping_texts());
        let in_pieces = ScanLog::read_file_in_pieces(&path, Zone::default(), &ReadOptions::keeping_texts(), 2, pieces);
        match whole {
            Err(_) => prop_assert!(matches!(in_pieces, Ok(None)), "refused whole, so not read in pieces"),
            Ok(whole) => {
                let in_pieces = in_pieces.expect("no error").expect("read in pieces");
                prop_assert_eq!(described(&whole), described(&in_pieces));
            }
        }
    }
}
