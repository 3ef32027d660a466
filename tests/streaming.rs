//! The optimised (streaming) path against the straightforward one (all
//! events in memory, sorted): identical reports on random logs, time-ordered
//! and shuffled.

mod common;

use common::reference::generate;
use common::{Workdir, run, scanquota};
use proptest::prelude::*;
use scanquota::domain::zone::parse_timestamp;
use scanquota::engine::meter::Schedule;
use scanquota::input::log::reread::RowTexts;
use scanquota::input::log::{ReadOptions, ScanLog};
use scanquota::model::ledger::ledger_row;
use scanquota::model::report::assemble;
use scanquota::plan::Plan;
use scanquota::render::ledger::Sink;
use scanquota::replay::stream::replay_streaming;
use scanquota::replay::{RowSource, each_row, row_source};

const PLAN: &str = "timezone = \"+08:00\"\n[subscription]\nstart = 2024-01-01T00:00:00+08:00\n\
    [metering]\nrepeat_scan_units = 0.1\n[[allowance]]\nname = \"free\"\nkind = \"free\"\nunits = 3\nreset = \"calendar-month\"\n\
    [[allowance]]\nname = \"quota\"\nunits = 30\nunit_price = 0.06\n[overage]\npolicy = \"deny\"\n";

fn log_text(rows: &[(u32, u8, u8, bool, Option<u8>)]) -> String {
    let mut text = String::from("timestamp,image,account,status,scan_id\n");
    for (minute, image, account, failed, id) in rows {
        let at =
            chrono::DateTime::from_timestamp(1_704_067_200 + i64::from(*minute) * 60, 0).unwrap();
        text += &format!(
            "{},img{image},acct{account},{},{}\n",
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            if *failed { "failed" } else { "success" },
            id.map(|i| format!("s{i}")).unwrap_or_default()
        );
    }
    text
}

fn rows() -> impl Strategy<Value = Vec<(u32, u8, u8, bool, Option<u8>)>> {
    prop::collection::vec(
        (
            0u32..200_000,
            0u8..12,
            0u8..3,
            prop::bool::weighted(0.1),
            prop::option::weighted(0.3, 0u8..30),
        ),
        0..80,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn streaming_and_buffered_replays_agree(mut rows in rows(), shuffle in any::<bool>(), minute in 0u32..220_000, threads in prop::option::of(1usize..4), shares in 1usize..3) {
        if !shuffle {
            rows.sort_by_key(|row| row.0);
        }
        let work = Workdir::new();
        let path = work.write("log.csv", log_text(&rows));
        let plan = Plan::from_str("plan.toml", PLAN).unwrap();
        let as_of = parse_timestamp("2024-01-01T00:00:00Z", plan.zone).unwrap() + chrono::Duration::minutes(i64::from(minute));
        let buffered = generate(&plan, &ScanLog::read_paths(std::slice::from_ref(&path), plan.zone, &ReadOptions::default()).unwrap(), as_of, None).unwrap();
        let schedule = Schedule::new(&plan, as_of);
        let sorted = rows.windows(2).all(|pair| pair[0].0 <= pair[1].0);
        // Streamed whole, or parsed in pieces on `threads` threads; replayed
        // on one thread or shared by account between two.
        let size = std::fs::metadata(&path).unwrap().len();
        let in_pieces = [threads.map(|threads| (size, threads))];
        match replay_streaming(&plan, std::slice::from_ref(&path), &schedule, None, &ReadOptions::default(), &in_pieces, shares).unwrap() {
            Some((log, usages)) => {
                prop_assert!(sorted, "streaming only finishes on time-ordered logs");
                let streamed = assemble(&plan, &schedule, usages, log.accounts.is_empty(), None, None, None).unwrap();
                prop_assert_eq!(streamed, buffered);
            }
            None => prop_assert!(!sorted, "a time-ordered log streams to the end"),
        }
    }
}

/// A log of `count` rows under `header`, a row every `seconds` from
/// 2024-01-01T00:00:00Z; `row` writes row `i` at time `at`.
fn timed_rows(
    header: &str,
    count: i64,
    seconds: i64,
    row: impl Fn(i64, String) -> String,
) -> String {
    let mut text = format!("{header}\n");
    for i in 0..count {
        let at = chrono::DateTime::from_timestamp(1_704_067_200 + i * seconds, 0).unwrap();
        text += &row(i, at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        text.push('\n');
    }
    text
}

/// The ledger as CSV, written from `source`.
fn ledger_csv(
    source: &mut RowSource,
    plan: &Plan,
    schedule: &Schedule,
    account: Option<&str>,
    options: &ReadOptions,
) -> String {
    let mut out = Vec::new();
    let mut draws = String::new();
    {
        let mut sink = Sink::csv(&mut out, schedule.grouped).unwrap();
        each_row(
            source,
            plan,
            schedule,
            account,
            options,
            |log, read, result| {
                sink.row(&ledger_row(
                    plan,
                    log,
                    schedule.grouped,
                    read,
                    result,
                    &mut draws,
                ))
                .unwrap();
                true
            },
        )
        .unwrap();
        sink.finish().unwrap();
    }
    String::from_utf8(out).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A file's ledger is the same bytes whichever way its rows come: held
    /// in memory with their texts; or, time-ordered, replayed as the file is
    /// read again; or, in any order, held without texts and each row's texts
    /// read again from its line (quoted, CRLF, a last line without an end).
    #[test]
    fn ledger_rows_from_files_equal_those_held(
        mut rows in rows(),
        shuffle in any::<bool>(),
        minute in 0u32..220_000,
        only in prop::option::of(0u8..4),
        grouped in any::<bool>(),
        crlf in any::<bool>(),
        last_line_ended in any::<bool>(),
    ) {
        if !shuffle {
            rows.sort_by_key(|row| row.0);
        }
        let work = Workdir::new();
        // With --by the last column is `team`; without, `scan_id`.
        let end = if crlf { "\r\n" } else { "\n" };
        let team = |index: usize| if !grouped { String::new() } else if index == 0 { ",team".to_string() } else { format!(",t{}", index % 3) };
        let mut text: String = log_text(&rows)
            .lines()
            .enumerate()
            .map(|(index, line)| match index {
                0 => format!("{line}{}{end}", team(0)),
                // Quotes around some images, as a spreadsheet writes them.
                _ if index % 4 == 0 => format!("{}{}{end}", line.replacen(",img", ",\"img", 1).replacen(",acct", "\",acct", 1), team(index)),
                _ => format!("{line}{}{end}", team(index)),
            })
            .collect();
        if !last_line_ended && rows.len() > 1 {
            text.truncate(text.len() - end.len());
        }
        let path = work.write("log.csv", &text);
        let plan = Plan::from_str("plan.toml", PLAN).unwrap();
        let mut schedule = Schedule::new(&plan, parse_timestamp("2024-01-01T00:00:00Z", plan.zone).unwrap() + chrono::Duration::minutes(i64::from(minute)));
        schedule.grouped = grouped;
        let options = ReadOptions { group_column: grouped.then(|| "team".to_string()), ..ReadOptions::default() };
        let paths = std::slice::from_ref(&path);
        let held = ScanLog::read_paths(paths, plan.zone, &ReadOptions { keep_texts: true, ..options.clone() }).unwrap();
        let account = only.map(|id| format!("acct{id}"));
        let from_memory = ledger_csv(&mut RowSource::Held(Box::new(held)), &plan, &schedule, account.as_deref(), &options);
        if !shuffle {
            // Replayed on one thread, or shared by account between two.
            let shares = 1 + minute as usize % 2;
            let from_file = ledger_csv(&mut RowSource::Files(vec![path.clone()], vec![None], shares), &plan, &schedule, account.as_deref(), &options);
            prop_assert_eq!(&from_file, &from_memory);
            // Read again in pieces on 2-4 threads, as a file the check read
            // in pieces is (with --by, pieces are not cut: read whole).
            let size = std::fs::metadata(&path).unwrap().len();
            let pieces = vec![Some((size, 2 + minute as usize % 3))];
            let from_pieces = ledger_csv(&mut RowSource::Files(vec![path.clone()], pieces, 3 - shares), &plan, &schedule, account.as_deref(), &options);
            prop_assert_eq!(&from_pieces, &from_memory);
        }
        let lean = ScanLog::read_paths(paths, plan.zone, &options).unwrap();
        // Windows of a few rows cross many hand-overs; the full window, none.
        let window = [1, 2, 3, 7, usize::MAX][minute as usize % 5];
        let texts = RowTexts::open(paths).unwrap().expect("a plain CSV file").with_window_rows(window);
        let from_lines = ledger_csv(&mut RowSource::Indexed(Box::new(lean), Box::new(texts)), &plan, &schedule, account.as_deref(), &options);
        prop_assert_eq!(from_lines, from_memory);
    }
}

/// A file the check read in pieces is read in pieces again; should its
/// pieces no longer read (it changed in between: here a row near its end
/// gained a field after the check), the ledger stops with that message
/// instead of reading it whole, which would hand the rows already out a
/// second time.
#[test]
fn a_ledger_whose_pieces_no_longer_read_stops() {
    let work = Workdir::new();
    let text = timed_rows("timestamp,image,account", 4000, 60, |i, at| {
        format!("{at},img{},acct{}", i % 7, i % 3)
    });
    let at = text.rfind("acct1\n").unwrap();
    let changed = format!("{}acct1,extra{}", &text[..at], &text[at + 5..]);
    let path = work.write("log.csv", &changed);
    let plan = Plan::from_str("plan.toml", PLAN).unwrap();
    let schedule = Schedule::new(
        &plan,
        parse_timestamp("2024-03-01T00:00:00Z", plan.zone).unwrap(),
    );
    let options = ReadOptions::default();
    let size = std::fs::metadata(&path).unwrap().len();
    let mut source = RowSource::Files(vec![path.clone()], vec![Some((size, 2))], 2);
    let mut rows = 0;
    let read = each_row(&mut source, &plan, &schedule, None, &options, |_, _, _| {
        rows += 1;
        true
    });
    let message = read.expect_err("pieces that no longer read").to_string();
    assert!(
        message.contains("log.csv") && message.contains("read differently the second time"),
        "{message}"
    );
    assert!(
        (1..4000).contains(&rows),
        "{rows} rows handed out, none twice"
    );
}

/// Quoted fields read in pieces as whole; a row that does not parse in a
/// piece never gives a report: the stream gives up and the caller reads the
/// file whole, which names the row.
#[test]
fn streamed_pieces_that_do_not_read_on_their_own_give_up() {
    let work = Workdir::new();
    let text = timed_rows("timestamp,image,account", 400, 60, |i, at| {
        format!("{at},\"img,{}\",acct{}", i % 7, i % 3)
    });
    let quoted = work.write("quoted.csv", &text);
    let broken = work.write("broken.csv", text.replace("acct1\n", "acct1,extra\n"));
    let plan = Plan::from_str("plan.toml", PLAN).unwrap();
    let as_of = parse_timestamp("2024-03-01T00:00:00Z", plan.zone).unwrap();
    let schedule = Schedule::new(&plan, as_of);
    let options = ReadOptions::default();
    let buffered = generate(
        &plan,
        &ScanLog::read_paths(std::slice::from_ref(&quoted), plan.zone, &options).unwrap(),
        as_of,
        None,
    )
    .unwrap();
    for threads in 2..5 {
        let size = std::fs::metadata(&quoted).unwrap().len();
        let (log, usages) = replay_streaming(
            &plan,
            std::slice::from_ref(&quoted),
            &schedule,
            None,
            &options,
            &[Some((size, threads))],
            threads % 2 + 1,
        )
        .unwrap()
        .expect("a time-ordered file streams");
        let streamed = assemble(
            &plan,
            &schedule,
            usages,
            log.accounts.is_empty(),
            None,
            None,
            None,
        )
        .unwrap();
        assert_eq!(streamed, buffered, "{threads} threads");
        let size = std::fs::metadata(&broken).unwrap().len();
        let streamed = replay_streaming(
            &plan,
            std::slice::from_ref(&broken),
            &schedule,
            None,
            &options,
            &[Some((size, threads))],
            threads % 2 + 1,
        );
        assert!(
            matches!(streamed, Ok(None) | Err(_)),
            "{threads} threads: a broken file never reports"
        );
    }
}

#[test]
fn a_ledger_refuses_a_bad_row_before_writing_any() {
    let work = Workdir::new();
    let plan = work.write("plan.toml", PLAN);
    let mut text = log_text(&[(10, 1, 0, false, None), (20, 2, 1, false, None)]);
    text += "2024-03-01T00:00:00Z,img3,acct0,maybe,\n";
    let path = work.write("log.csv", &text);
    for format in ["csv", "jsonl"] {
        let (code, stdout, stderr) = run(&[
            "ledger",
            "--plan",
            &plan,
            "--log",
            &path,
            "--as-of",
            "2024-04-01T00:00:00Z",
            "--format",
            format,
        ]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stdout.is_empty(), "{format}: {stdout}");
        assert!(
            stderr.contains("log.csv:4") && stderr.contains("maybe"),
            "{stderr}"
        );
    }
}

#[test]
fn the_binary_gives_the_same_json_streamed_from_a_file_and_buffered_from_stdin() {
    let work = Workdir::new();
    let mut rows: Vec<(u32, u8, u8, bool, Option<u8>)> = (0..500u32)
        .map(|i| {
            (
                i * 397 % 150_000,
                (i * 7 % 11) as u8,
                (i % 3) as u8,
                i % 17 == 0,
                (i % 5 == 0).then_some((i % 40) as u8),
            )
        })
        .collect();
    for ordered in [false, true] {
        if ordered {
            rows.sort_by_key(|row| row.0);
        }
        let text = log_text(&rows);
        let path = work.write("log.csv", &text);
        let plan = work.write("plan.toml", PLAN);
        let args = [
            "report",
            "--plan",
            &plan,
            "--log",
            &path,
            "--as-of",
            "2024-03-20T00:00:00Z",
            "--format",
            "json",
        ];
        let (code, from_file, stderr) = run(&args);
        assert_eq!(code, 0, "{stderr}");
        let from_stdin = scanquota()
            .args([
                "report",
                "--plan",
                &plan,
                "--log",
                "-",
                "--as-of",
                "2024-03-20T00:00:00Z",
                "--format",
                "json",
            ])
            .write_stdin(text)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&from_stdin.stdout),
            from_file,
            "ordered: {ordered}"
        );
    }
}

/// A stream of several batches whose accounts pass the count from which
/// blocks are sorted by account mid-stream: the batches replayed as they
/// came, then the sorted blocks, give the JSON the buffered read gives.
#[test]
fn a_stream_that_starts_sorting_blocks_midway_equals_the_buffered_read() {
    let work = Workdir::new();
    let mut text = String::from("timestamp,image,account,status,scan_id\n");
    let start = parse_timestamp("2024-01-01T00:00:00Z", Default::default()).unwrap();
    for i in 0..40_000u32 {
        // 50 accounts for the first two batches' worth, then 1 500.
        let account = if i < 20_000 { i % 50 } else { i * 7919 % 1500 };
        let at = start + chrono::Duration::seconds(i64::from(i) * 97);
        text += &format!(
            "{},img{},a{account},{},{}\n",
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            i % 3000,
            if i % 23 == 0 { "failed" } else { "success" },
            if i % 5 == 0 {
                format!("s{}", i % 9000)
            } else {
                String::new()
            },
        );
    }
    let path = work.write("log.csv", &text);
    let plan = work.write("plan.toml", PLAN);
    let args = |log: &str| {
        [
            "report",
            "--plan",
            &plan,
            "--log",
            log,
            "--as-of",
            "2024-03-20T00:00:00Z",
            "--format",
            "json",
        ]
        .map(str::to_string)
    };
    let from_file = args(&path);
    let (code, streamed, stderr) = run(&from_file.each_ref().map(String::as_str));
    assert_eq!(code, 0, "{stderr}");
    let buffered = scanquota()
        .args(args("-"))
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&buffered.stdout), streamed);
    assert!(streamed.contains("\"a1499\""), "every account is reported");
}

/// A large file (read in pieces on every core) makes the same ledger whether
/// it streams or is held, and a bad row at its end stops the ledger before
/// it writes anything.
#[test]
fn a_large_ledger_is_checked_before_it_streams() {
    let work = Workdir::new();
    let plan = work.write("plan.toml", PLAN);
    let rows = 160_000;
    let text = timed_rows(
        "timestamp,image,account,status,scan_id",
        rows,
        30,
        |i, at| {
            format!(
                "{at},sha256:{:064x},acct{},success,scan-{i:08}",
                i % 5000,
                i % 3
            )
        },
    );
    assert!(text.len() > 16 << 20, "large enough to be read in pieces");
    let path = work.write("log.csv", &text);
    let args = |log: &str| {
        [
            "ledger",
            "--plan",
            &plan,
            "--log",
            log,
            "--as-of",
            "2024-03-01T00:00:00Z",
            "--format",
            "csv",
        ]
        .map(str::to_string)
    };
    let (code, streamed, stderr) = run(&args(&path).each_ref().map(String::as_str));
    assert_eq!(code, 0, "{stderr}");
    let held = scanquota()
        .args(args("-"))
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(
        streamed.replace(&path, "<stdin>"),
        String::from_utf8_lossy(&held.stdout),
        "the streamed ledger equals the held one"
    );
    let broken = work.write(
        "broken.csv",
        text + "2024-05-01T00:00:00Z,img,acct1,maybe,\n",
    );
    let (code, stdout, stderr) = run(&args(&broken).each_ref().map(String::as_str));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stdout.is_empty(),
        "nothing is written before every row is checked"
    );
    assert!(
        stderr.contains(&format!("broken.csv:{}", rows + 2)) && stderr.contains("maybe"),
        "{stderr}"
    );
}

/// What the ledger keeps of a plain CSV file: nothing of its rows when the
/// file is in time order (it is read again as it prints), and no text when
/// it is not (each row's texts are read again from its line, indexed while
/// the rows are parsed). A shuffled file whose lines end in a lone CR
/// cannot be found again by line: its rows are read again, with texts.
#[test]
fn the_ledger_keeps_no_row_text_of_a_plain_file() {
    use scanquota::app::cli::{InputArgs, WindowArgs};
    use scanquota::app::job::{Job, Needs};
    let work = Workdir::new();
    let plan = work.write("plan.toml", PLAN);
    let ordered = timed_rows("timestamp,image,account,scan_id", 50, 60, |i, at| {
        format!("{at},img{},acct{},s{i}", i % 7, i % 3)
    });
    let mut lines: Vec<&str> = ordered.lines().collect();
    lines[1..].reverse();
    let shuffled = lines.join("\n") + "\n";
    let old_mac = lines.join("\r") + "\r";
    for (text, streams) in [(ordered.clone(), true), (shuffled, false), (old_mac, false)] {
        let path = work.write("log.csv", &text);
        let input = InputArgs {
            log: vec![path],
            window: WindowArgs::default(),
            formats: Default::default(),
        };
        let needs = Needs {
            texts: true,
            may_stream: true,
            ..Needs::default()
        };
        let mut job = Job::build(std::slice::from_ref(&plan), &input, None, needs).unwrap();
        let zone = job.runs[0].plan.zone;
        match row_source(&mut job.inputs, zone).unwrap().0 {
            RowSource::Files(_, _, shares) => {
                assert!(streams, "a file out of order is not streamed");
                // The replay is shared by account when there are two cores.
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                assert_eq!(shares, cores.min(2));
            }
            RowSource::Indexed(log, _) => {
                assert!(!streams, "a time-ordered file streams");
                assert!(
                    log.scan_ids.is_empty() && log.images.name(0).is_empty(),
                    "no text is held"
                );
                assert_eq!(log.events.len(), 50);
            }
            RowSource::Held(log) => {
                assert!(
                    text.contains('\r'),
                    "a plain CSV file is held with its texts"
                );
                assert_eq!(log.images.name(log.events[0].image), "img0");
                assert_eq!(log.events.len(), 50);
            }
        }
    }
}

/// A streamed ledger is read and replayed on one thread (or its replay
/// shared by account with a second) and written on another, rows of a
/// file read whole handed over a few thousand at a time, a piece's rows
/// together: across many hand-overs (batches emptied
/// and filled again), two files (each read whole or in pieces, or one of
/// each), `--by` groups and accounts first seen late (in a later piece),
/// with `--account` and rows after as-of, it writes what the held rows
/// give; and a writer that stops (`each` says false) stops the reading.
#[test]
fn a_streamed_ledger_handed_between_threads_equals_the_held_one() {
    let work = Workdir::new();
    let row = |i: i64, at: String| {
        // Accounts and teams appear as the log goes on; images repeat.
        let account = if i < 5_000 { i % 3 } else { i % 7 };
        format!(
            "{at},img{},acct{account},success,s{},t{}",
            i % 50,
            i % 9_000,
            i % (1 + i / 3_000)
        )
    };
    let first = timed_rows(
        "timestamp,image,account,status,scan_id,team",
        7_000,
        60,
        row,
    );
    // Enough batches that emptied ones come back to be filled again.
    let second = timed_rows(
        "timestamp,image,account,status,scan_id,team",
        48_000,
        60,
        row,
    );
    // The second file goes on in time where the first stops.
    let second: String = second
        .lines()
        .skip(7_001)
        .map(|line| format!("{line}\n"))
        .collect();
    let paths = vec![
        work.write("a.csv", &first),
        work.write(
            "b.csv",
            format!("timestamp,image,account,status,scan_id,team\n{second}"),
        ),
    ];
    let in_pieces: Vec<_> = paths
        .iter()
        .zip([2, 3])
        .map(|(path, threads)| Some((std::fs::metadata(path).unwrap().len(), threads)))
        .collect();
    let plan = Plan::from_str("plan.toml", PLAN).unwrap();
    let as_of = parse_timestamp("2024-01-10T00:00:00Z", plan.zone).unwrap();
    for (grouped, account) in [
        (false, None),
        (true, None),
        (true, Some("acct5")),
        (false, Some("acct1")),
        // First seen in the first file's second piece.
        (false, Some("acct5")),
    ] {
        let mut schedule = Schedule::new(&plan, as_of);
        schedule.grouped = grouped;
        let options = ReadOptions {
            group_column: grouped.then(|| "team".to_string()),
            ..ReadOptions::default()
        };
        let held = ScanLog::read_paths(
            &paths,
            plan.zone,
            &ReadOptions {
                keep_texts: true,
                ..options.clone()
            },
        )
        .unwrap();
        let from_memory = ledger_csv(
            &mut RowSource::Held(Box::new(held)),
            &plan,
            &schedule,
            account,
            &options,
        );
        assert!(from_memory.lines().count() > 1_000, "{grouped} {account:?}");
        assert!(from_memory.contains("after_as_of"));
        // Each file read whole, in pieces on two and three threads, and one
        // whole and the other in pieces (rows of a file read whole are
        // handed over before a piece's).
        let mixed = [vec![None, in_pieces[1]], vec![in_pieces[0], None]];
        for pieces in [vec![None, None], in_pieces.clone()]
            .into_iter()
            .chain(mixed)
        {
            // Replayed on one thread, or shared by account between two.
            for shares in [1, 2] {
                let from_files = ledger_csv(
                    &mut RowSource::Files(paths.clone(), pieces.clone(), shares),
                    &plan,
                    &schedule,
                    account,
                    &options,
                );
                assert_eq!(from_files, from_memory, "{grouped} {account:?} {shares}");
            }
        }
    }
    // A writer that stops after 5 000 rows is handed no more; read in
    // pieces or whole, each row comes with the byte its line starts at.
    let schedule = Schedule::new(&plan, as_of);
    let mut starts = Vec::new();
    for (pieces, shares) in [(vec![None, None], 1), (in_pieces, 2)] {
        let mut seen = Vec::new();
        each_row(
            &mut RowSource::Files(paths.clone(), pieces, shares),
            &plan,
            &schedule,
            None,
            &ReadOptions::default(),
            |_, read, _| {
                seen.push(read.byte());
                seen.len() < 5_000
            },
        )
        .unwrap();
        assert_eq!(seen.len(), 5_000);
        starts.push(seen);
    }
    assert_eq!(starts[0], starts[1]);
    let line_starts: Vec<u64> = std::iter::once(0)
        .chain(first.match_indices('\n').map(|(at, _)| at as u64 + 1))
        .skip(1)
        .take(5_000)
        .collect();
    assert_eq!(starts[0], line_starts);
}
