//! The one replay entry, [`run`]: a plan over the logs. Only this module
//! chooses how: streamed (time-ordered files), read whole or in pieces
//! (large plain files on every core), replayed serially, in blocks or per
//! account on every core; every path gives the same usages. Observers (the
//! ledger table, statistics, estimates) see each scan of the serial path,
//! [`each_outcome`], the reference every faster path equals. The streamed
//! ledger takes its rows from [`row_source`] and [`each_row`]: files read a
//! second time as they are written, or rows held.

use crate::domain::error::{Error, Location, Result};
use crate::domain::key_set::PREFETCH_AHEAD;
use crate::engine::meter::{
    AccountUsage, HeldResults, Replayer, ScanResult, Schedule, replay as replay_serially,
    replay_in_parallel, sort_and_replay_by_account,
};
use crate::input::log::reread::RowTexts;
use crate::input::log::{
    PieceRows, PiecesRead, ReadOptions, ReadRow, ScanEvent, ScanLog, TextsByRow, is_gzip_file,
};
use crate::plan::Plan;
pub mod stream;
use crate::domain::zone::Zone;

/// The fewest cores on which a streamed file is parsed in pieces: two, now
/// that the replay costs about a third of the parse (issue 25: the piece
/// readers and the replay share both cores; measured in `bench/README.md`).
const STREAM_PIECES_MIN_CORES: usize = 2;

/// Pieces a file held whole is cut into, per thread: the main thread adopts
/// each piece as it comes, and once the readers are done only the last ones
/// are left to adopt, while the other cores wait (with four a thread, a
/// fifth of a second on ten million rows).
const PIECES_PER_THREAD: usize = 16;

/// The smallest piece a file held whole is cut into (on many cores, 16 a
/// thread would cut a small file into pieces of a few KB, each cut read
/// ahead 64 KB for its line end).
const PIECE_MIN_BYTES: u64 = 1 << 20;

/// Smaller files are read on one core: threads would not pay for themselves.
const PIECES_MIN_BYTES: u64 = 16 << 20;

/// Read and merge `paths` as `options` say, sorted in replay order: a large
/// plain file is read in pieces on every core, anything else whole.
pub(crate) fn read(paths: &[String], zone: Zone, options: &ReadOptions) -> Result<ScanLog> {
    let mut log = read_unsorted(paths, &plain_sizes(paths)?, zone, options)?;
    log.sort_on(cores());
    Ok(log)
}

/// The pieces a plain file of `size` bytes held whole is cut into on
/// `threads` threads: 16 a thread, none under 1 MB, at least one a thread.
fn pieces_of(size: u64, threads: usize) -> usize {
    let most = usize::try_from(size / PIECE_MIN_BYTES).unwrap_or(usize::MAX);
    (threads.saturating_mul(PIECES_PER_THREAD))
        .min(most)
        .max(threads)
}

/// [`read`] without the sort; `sizes` as [`plain_sizes`] gives them.
fn read_unsorted(
    paths: &[String],
    sizes: &[Option<u64>],
    zone: Zone,
    options: &ReadOptions,
) -> Result<ScanLog> {
    let mut log = ScanLog::default();
    for ((path, size), pieces) in paths.iter().zip(sizes).zip(in_pieces(sizes, options)) {
        if let Some((size, threads)) = pieces
            && log.read_in_pieces(options, path, size, zone, threads, pieces_of(size, threads))?
        {
            continue;
        }
        log.read_path(path, zone, options, *size)?;
    }
    Ok(log)
}

/// Per path: its size when it is a plain file (a regular file, not
/// gzipped; not standard input, nor a pipe, which a look at its first bytes
/// would consume).
fn plain_sizes(paths: &[String]) -> Result<Vec<Option<u64>>> {
    paths
        .iter()
        .map(|path| {
            let regular = std::fs::metadata(path).ok().filter(|m| m.is_file());
            let Some(metadata) = regular else {
                return Ok(None);
            };
            if path == "-" || is_gzip_file(path)? {
                return Ok(None);
            }
            Ok(Some(metadata.len()))
        })
        .collect()
}

/// Per path of [`plain_sizes`]: `(size, threads)` when it is read in pieces
/// on every core. Only a large plain CSV file is: pieces cut at line ends of
/// the bytes on disk (the reader refuses a JSON header), and they keep no
/// `--by` keys.
fn in_pieces(sizes: &[Option<u64>], options: &ReadOptions) -> Vec<Option<(u64, usize)>> {
    let threads = cores();
    sizes
        .iter()
        .map(|size| {
            size.filter(|size| *size >= PIECES_MIN_BYTES)
                .filter(|_| options.group_column.is_none() && threads > 1)
                .map(|size| (size, threads))
        })
        .collect()
}

/// The cores replay and reading may use.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The logs of a job: still unread files a replay may stream, or read and
/// sorted once per plan time zone (naive timestamps depend on the zone).
pub enum Logs {
    Unread(Vec<String>),
    Read(Vec<(Zone, ScanLog)>),
}

impl Logs {
    /// The log as read in `zone`, when it was read.
    pub(crate) fn read_in(&self, zone: Zone) -> Option<&ScanLog> {
        match self {
            Logs::Read(logs) => logs.iter().find(|(z, _)| *z == zone).map(|(_, log)| log),
            Logs::Unread(_) => None,
        }
    }
}

/// What a replay runs over: the logs, how every one of them is read, and
/// whose rows count.
pub struct Inputs {
    pub logs: Logs,
    /// `--by`, `--log-format`, `--source`, `--image-key`, texts kept or not.
    pub read_options: ReadOptions,
    /// `--account`: only this account's rows.
    pub account: Option<String>,
}

/// Who watches a replay besides its usages. An observer sees scans in
/// replay order, so the replay then takes the serial path over held rows
/// (reading the logs now if they were left to stream).
pub enum Observer<'o> {
    /// Nobody: the replay takes the fastest path the inputs allow.
    Usages,
    /// Each scan with what the meter did to it (statistics, estimates).
    EachScan(&'o mut dyn FnMut(&ScanLog, &ScanEvent, &ScanResult<'_>)),
    /// Each row with its texts and what the meter did to it; rows dated
    /// after as-of come last, with `None` (the ledger as a table).
    EachRow(&'o mut dyn FnMut(&ScanLog, &ReadRow<'_>, Option<&ScanResult<'_>>)),
}

/// A plan replayed: its periods and each account's usage.
pub struct Replayed {
    pub schedule: Schedule,
    pub usages: Vec<AccountUsage>,
    /// The logs had no rows at all.
    pub no_rows: bool,
    /// Every account with a row in the logs, sorted.
    pub accounts_in_logs: Vec<String>,
    /// With `--by`: the group names, by group id.
    pub(crate) group_names: Vec<String>,
    /// Lines for stderr: registry events the logs held that make no row.
    pub(crate) notes: String,
}

/// The logs of a job: left unread for a replay that streams them when
/// `one_pass` (one plan, a command that may stream) and every input
/// can be read twice (a log found out of order is read again, whole), else
/// read now in each zone.
pub(crate) fn open(
    paths: Vec<String>,
    zones: &[Zone],
    options: &ReadOptions,
    one_pass: bool,
) -> Result<Logs> {
    if one_pass && stream::rereadable(&paths) {
        for path in &paths {
            // Fail now, naming the file, rather than inside a replay thread.
            std::fs::metadata(path).map_err(|err| Error::io(path, err))?;
        }
        return Ok(Logs::Unread(paths));
    }
    Ok(Logs::Read(read_in_zones(&paths, zones, options)?))
}

/// Keeps a copy of every byte read through it.
struct Tee<'a, R> {
    inner: R,
    copy: &'a mut Vec<u8>,
}

impl<R: std::io::Read> std::io::Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.copy.extend_from_slice(&buf[..read]);
        Ok(read)
    }
}

/// Read the logs once per zone; each input is read once and kept in
/// memory when more than one zone needs it.
fn read_in_zones(
    paths: &[String],
    zones: &[Zone],
    options: &ReadOptions,
) -> Result<Vec<(Zone, ScanLog)>> {
    if let [zone] = zones {
        return Ok(vec![(*zone, read(paths, *zone, options)?)]);
    }
    // Each input is read once: parsed in the first zone while its bytes are
    // kept (so the reader's limits hold while buffering: `/dev/zero` is
    // refused at its first record), then parsed from memory in the others.
    let mut logs: Vec<ScanLog> = zones.iter().map(|_| ScanLog::default()).collect();
    for path in paths {
        let name = if path == "-" {
            crate::input::log::STDIN_NAME
        } else {
            path.as_str()
        };
        let mut bytes = Vec::new();
        let tee = Tee {
            inner: crate::input::log::open_input(path)?,
            copy: &mut bytes,
        };
        logs[0].read_one_with(options, name, tee, zones[0])?;
        for (log, zone) in logs.iter_mut().zip(zones).skip(1) {
            log.read_one_with(options, name, bytes.as_slice(), *zone)?;
        }
    }
    zones
        .iter()
        .zip(logs)
        .map(|(zone, mut log)| {
            log.sort_on(cores());
            Ok((*zone, log))
        })
        .collect()
}

/// The one replay entry: `plan` over `inputs` up to `schedule`'s as-of,
/// handing `observer` what it watches. Which path runs (streamed, in
/// pieces, held and replayed per account or on every core, or serially for
/// an observer) is decided here and nowhere else; every path gives the
/// same usages.
pub fn run(
    inputs: &Inputs,
    plan: &Plan,
    schedule: Schedule,
    observer: Observer<'_>,
) -> Result<Replayed> {
    let account = inputs.account.as_deref();
    let read_now;
    let (log, notes) = match (&inputs.logs, &observer) {
        (Logs::Unread(paths), Observer::Usages) => {
            return fastest(paths, inputs, plan, schedule);
        }
        (Logs::Unread(paths), _) => {
            read_now = read(paths, plan.zone, &inputs.read_options)?;
            (&read_now, read_now.notes(&inputs.read_options)?)
        }
        // A job that read its logs said what they skipped already.
        (Logs::Read(_), _) => (
            inputs
                .logs
                .read_in(plan.zone)
                .expect("logs are read in every plan's zone (open)"),
            String::new(),
        ),
    };
    let usages = match observer {
        Observer::Usages => replay_buffered(plan, log, &schedule, account),
        Observer::EachScan(each) => each_outcome(plan, log, &schedule, account, |event, result| {
            each(log, event, result)
        }),
        Observer::EachRow(each) => each_held_row(plan, log, &schedule, account, |read, result| {
            each(log, &read, result)
        }),
    };
    Ok(replayed(schedule, usages, log, notes))
}

/// Has glibc keep freed blocks of up to 32 MiB for reuse instead of
/// giving them back to the kernel: the meter's tables double as they grow,
/// and each new one was a fresh mapping the kernel zeroes page by page
/// (`clear_page_erms`, a tenth of an ordered report's samples) while the
/// old one was unmapped. The trim threshold (256 MiB) keeps the freed
/// tables at the heap's top for the next one instead of handing them
/// back. Alternating on 10 M rows, an ordered report took 2.10–2.18 s
/// against 2.23–2.69 s, its system time about a third, 15–70 MB more at its
/// peak. Only for logs not yet read (report, invoice, check): the
/// streamed ledger, whose batches are freed by another thread than the one
/// that took them, grew slower so (`bench/README.md`, the fifteenth round),
/// and the shuffled ledger gained nothing.
fn keep_freed_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt changes the allocator's thresholds, never memory
    // the program holds; a value it refuses leaves them as they were. The
    // allocator is initialised long before (the first allocation), and a
    // thread allocating meanwhile reads each threshold as one whole word.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Files left unread: streamed when in time order, else read whole and
/// replayed per account.
fn fastest(paths: &[String], inputs: &Inputs, plan: &Plan, schedule: Schedule) -> Result<Replayed> {
    keep_freed_blocks();
    let account = inputs.account.as_deref();
    // While a log streams, pieces parse beside the replay (two threads of it
    // on two cores or more, each replaying its own accounts).
    let sizes = plain_sizes(paths)?;
    let mut pieces = in_pieces(&sizes, &inputs.read_options);
    if cores() < STREAM_PIECES_MIN_CORES {
        pieces.iter_mut().for_each(|piece| *piece = None);
    }
    if let Some((log, usages)) = stream::replay_streaming(
        plan,
        paths,
        &schedule,
        account,
        &inputs.read_options,
        &pieces,
        cores().min(2),
    )? {
        let notes = log.notes(&inputs.read_options)?;
        return Ok(replayed(schedule, usages, &log, notes));
    }
    // Not in time order: read every row and group the rows by account; each
    // core sorts and replays one account at a time, the largest first.
    let options = ReadOptions {
        images_by_row: !inputs.read_options.keep_texts,
        ..inputs.read_options.clone()
    };
    let mut log = read_unsorted(paths, &sizes, plan.zone, &options)?;
    let usages = sort_and_replay_by_account(plan, &mut log, &schedule, account, cores());
    let notes = log.notes(&inputs.read_options)?;
    Ok(replayed(schedule, usages, &log, notes))
}

fn replayed(
    schedule: Schedule,
    usages: Vec<AccountUsage>,
    log: &ScanLog,
    notes: String,
) -> Replayed {
    Replayed {
        schedule,
        usages,
        no_rows: log.accounts.is_empty(),
        accounts_in_logs: account_names(log),
        group_names: group_names(log),
        notes,
    }
}

fn group_names(log: &ScanLog) -> Vec<String> {
    (0..log.groups.len() as u32)
        .map(|id| log.groups.name(id).to_string())
        .collect()
}

/// A log held in memory: accounts are independent, so a large one is shared
/// out among the machine's cores, each thread replaying its own accounts'
/// events in order; the usages are exactly the serial replay's.
fn replay_buffered(
    plan: &Plan,
    log: &ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
) -> Vec<AccountUsage> {
    let threads = cores();
    // Small logs are not worth a thread.
    if threads <= 1 || account.is_some() || log.events.len() < 100_000 {
        return replay_serially(plan, log, schedule, account, |_, _| {});
    }
    replay_in_parallel(plan, log, schedule, threads)
}

fn account_names(log: &ScanLog) -> Vec<String> {
    let mut names: Vec<String> = (0..log.accounts.len() as u32)
        .map(|id| log.accounts.name(id).to_string())
        .collect();
    names.sort_unstable();
    names
}

/// Whether `wanted` (`--account`) names one of the accounts `known` (those
/// with a row in the logs or a core sample); `Some(known)` lists the
/// accounts there are when it does not (the first [`NAMED_ACCOUNTS`], and
/// how many more).
pub(crate) fn unknown_account<'a>(
    wanted: Option<&str>,
    known: impl Iterator<Item = &'a str>,
) -> Option<String> {
    let wanted = wanted?;
    let mut known: Vec<&str> = known.collect();
    // Logs with no row still bill the implicit `default` account its fixed
    // charges, so that one name is known.
    if known.contains(&wanted) || (known.is_empty() && wanted == "default") {
        return None;
    }
    known.sort_unstable();
    known.dedup();
    Some(match known.len() {
        0 => "(none: the logs have no rows)".to_string(),
        count if count > NAMED_ACCOUNTS => format!(
            "{}, and {} more (a report lists them all)",
            known[..NAMED_ACCOUNTS].join(", "),
            count - NAMED_ACCOUNTS
        ),
        _ => known.join(", "),
    })
}

/// The accounts an unknown `--account` message names at most: a log of
/// thousands of accounts would make it a page long.
const NAMED_ACCOUNTS: usize = 20;

/// [`unknown_account`] among the accounts of a log held in memory.
fn unknown_in_log(wanted: Option<&str>, log: &ScanLog) -> Option<String> {
    unknown_account(wanted, account_names(log).iter().map(String::as_str))
}

/// Replay `log` serially in replay order, handing `observe` each event and
/// what the meter did to it: the straightforward path, and the reference
/// every faster one equals.
pub fn each_outcome(
    plan: &Plan,
    log: &ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
    observe: impl FnMut(&ScanEvent, &ScanResult<'_>),
) -> Vec<AccountUsage> {
    replay_serially(plan, log, schedule, account, observe)
}

/// Every row of a log held in memory (of `account`, if given) in replay
/// order, with its texts and what the replay did to it; rows dated after
/// as-of come last, with `None`.
pub fn each_held_row<'log>(
    plan: &Plan,
    log: &'log ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
    mut each: impl FnMut(ReadRow<'log>, Option<&ScanResult<'_>>),
) -> Vec<AccountUsage> {
    let read = |event: &ScanEvent| ReadRow {
        event: *event,
        image: u128::from(event.image),
        byte: 0,
        image_text: log.images.name(event.image),
        scan_id_text: log.scan_id_text(event).unwrap_or_default(),
    };
    let usages = each_outcome(plan, log, schedule, account, |event, result| {
        each(read(event), Some(result))
    });
    let wanted = account.map(|name| log.accounts.get(name));
    log.events
        .iter()
        .filter(|event| event.at > schedule.as_of)
        .filter(|event| wanted.is_none_or(|id| id == Some(event.account)))
        .for_each(|event| each(read(event), None));
    usages
}

/// Whether rows come in time order, one at a time.
struct TimeOrder {
    last: Option<chrono::DateTime<chrono::Utc>>,
    in_order: bool,
}

impl Default for TimeOrder {
    fn default() -> Self {
        TimeOrder {
            last: None,
            in_order: true,
        }
    }
}

impl TimeOrder {
    /// Take the next row's time; false once a row came before the one
    /// before it.
    fn follows(&mut self, at: chrono::DateTime<chrono::Utc>) -> bool {
        self.in_order = self.last.is_none_or(|last| at >= last);
        self.last = Some(at);
        self.in_order
    }
}

/// Each input file as it was before its first reading: the ledger reads its
/// files twice (or their lines again), and a file written to in between
/// would give rows the first pass never checked.
#[derive(Debug, Clone, Default)]
pub struct Unchanged {
    files: Vec<(String, Option<Stamp>)>,
}

/// A file's identity, size and modification time; `None`: it is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(path: &str) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let metadata = std::fs::metadata(path).ok()?;
        Some(Stamp {
            device: metadata.dev(),
            inode: metadata.ino(),
            len: metadata.len(),
            modified: metadata.modified().ok(),
        })
    }
}

impl Unchanged {
    /// Take each of `paths` as it is now.
    pub fn take(paths: &[String]) -> Unchanged {
        Unchanged {
            files: paths
                .iter()
                .map(|path| (path.clone(), Stamp::of(path)))
                .collect(),
        }
    }

    /// An error naming the first file whose size, modification time or
    /// identity is not what [`Unchanged::take`] saw.
    pub fn check(&self) -> Result<()> {
        for (path, stamp) in &self.files {
            let now = Stamp::of(path);
            if now == *stamp {
                continue;
            }
            let what = match (stamp, &now) {
                (Some(_), None) => "it is gone".to_string(),
                (Some(then), Some(now)) if (then.device, then.inode) != (now.device, now.inode) => {
                    "another file took its place".to_string()
                }
                (Some(then), Some(now)) if then.len != now.len => {
                    format!("its size went from {} to {} bytes", then.len, now.len)
                }
                _ => "its modification time changed".to_string(),
            };
            return Err(Error::input(
                Location::file(path),
                format!(
                    "changed while being read ({what}); run again on a file that is not being written"
                ),
            ));
        }
        Ok(())
    }
}

/// Where a per-row replay (the ledger) takes its rows from.
pub enum RowSource {
    /// Files found valid and in time order: read again as they are
    /// replayed, keeping no row and no text; each with `(size, threads)`
    /// when it was read in pieces on `threads` threads, and is read again so
    /// (pieces that read once read again, unless the file changed); the
    /// replay shared by account among that many threads (1 or 2).
    Files(Vec<String>, Vec<Option<(u64, usize)>>, usize),
    /// Rows held in memory with their texts, in replay order.
    Held(Box<ScanLog>),
    /// Rows held in memory without their texts, in replay order: each row's
    /// texts are read again from its line of a plain CSV file.
    Indexed(Box<ScanLog>, Box<RowTexts>),
}

/// The rows of the job's (first) plan's replay, taken out of the job and
/// ready to hand out, lines for stderr, (as [`unknown_account`] says) the
/// accounts there are when `--account` names none of them, and the input
/// files as they were before this read them, to check before and after they
/// are read again. Every input is read and checked here, before a row is
/// handed out: a bad row stops the command before it writes anything.
pub fn row_source(
    inputs: &mut Inputs,
    zone: Zone,
) -> Result<(RowSource, String, Option<String>, Unchanged)> {
    let account = inputs.account.as_deref();
    let paths = match std::mem::replace(&mut inputs.logs, Logs::Unread(Vec::new())) {
        Logs::Read(logs) => {
            let log = logs
                .into_iter()
                .find(|(read_in, _)| *read_in == zone)
                .map(|(_, log)| log)
                .expect("a job that read its logs read them in every plan's zone");
            let unknown = unknown_in_log(account, &log);
            let source = RowSource::Held(Box::new(log));
            return Ok((source, String::new(), unknown, Unchanged::default()));
        }
        Logs::Unread(paths) => paths,
    };
    let unchanged = Unchanged::take(&paths);
    // A first pass keeps nothing but checks every row and the order.
    let options = ReadOptions {
        keep_texts: false,
        images_by_fingerprint: true,
        only_checked: true,
        ..inputs.read_options.clone()
    };
    let mut log = ScanLog::default();
    let mut order = TimeOrder::default();
    let sizes = plain_sizes(&paths)?;
    // Per path: how it was read in pieces, if it was (it is read again so).
    let mut read_in_pieces = Vec::new();
    for (path, pieces) in paths.iter().zip(in_pieces(&sizes, &options)) {
        let before = order.last;
        // Large plain files are checked in pieces on every core; a piece
        // that does not read on its own sends the file to one core, which
        // names the problem.
        let mut checked = false;
        if let Some((size, threads)) = pieces {
            let each = |_: &ScanLog, read: ReadRow<'_>| order.follows(read.event.at);
            let pieces = (threads, LEDGER_PIECE_BYTES);
            checked = matches!(
                log.read_in_order_pieces(&options, path, size, zone, pieces, false, each)?,
                PiecesRead::Finished
            );
        }
        if !checked && order.in_order {
            order.last = before;
            log.read_path_each(path, zone, &options, |_, read| order.follows(read.event.at))?;
        }
        if !order.in_order {
            break;
        }
        read_in_pieces.push(pieces.filter(|_| checked));
    }
    let in_order = order.in_order;
    if in_order {
        let unknown = unknown_in_log(account, &log);
        let notes = log.notes(&options)?;
        let source = RowSource::Files(paths, read_in_pieces, cores().min(2));
        return Ok((source, notes, unknown, unchanged));
    }
    // Out of time order: the rows are held and sorted; the texts too,
    // unless each row's line of a plain CSV file can be read again.
    let (texts, log) = read_indexed(&paths, &sizes, zone, &inputs.read_options)?;
    let mut log = Box::new(log);
    log.sort_on(cores());
    let notes = log.notes(&options)?;
    let unknown = unknown_in_log(account, &log);
    let source = match texts {
        Some(texts) => RowSource::Indexed(log, Box::new(texts)),
        None => RowSource::Held(log),
    };
    Ok((source, notes, unknown, unchanged))
}

/// The rows of `paths` unsorted, without their texts when every file is a
/// plain CSV file whose lines can be read again (then with the index of
/// its lines), else with them. Regular files that start as plain text are
/// indexed on a thread of their own while they are parsed (the index is a
/// pass over every byte; before, the other core waited through it); should
/// the index find a line it cannot find again (a lone carriage return), the
/// rows are read again with their texts. The index's error, if any, comes
/// first, as when it was made before the parse.
fn read_indexed(
    paths: &[String],
    sizes: &[Option<u64>],
    zone: Zone,
    options: &ReadOptions,
) -> Result<(Option<RowTexts>, ScanLog)> {
    let layout = &options.layout;
    let with_texts = |texts: bool| ReadOptions {
        keep_texts: texts,
        ..options.clone()
    };
    // Regular files only (a pipe would be consumed by two readers).
    let mut side_by_side = sizes.iter().all(Option::is_some);
    for path in paths {
        if !side_by_side {
            break;
        }
        side_by_side = RowTexts::starts_plain(path)?;
    }
    if !side_by_side {
        let texts = RowTexts::open_laid_out(paths, layout)?;
        let log = read_unsorted(paths, sizes, zone, &with_texts(texts.is_none()))?;
        return Ok((texts, log));
    }
    let (texts, log) = std::thread::scope(|scope| {
        let index = scope.spawn(|| RowTexts::open_laid_out(paths, layout));
        let log = read_unsorted(paths, sizes, zone, &with_texts(false));
        (index.join().expect("the index does not panic"), log)
    });
    match texts? {
        Some(texts) => Ok((Some(texts), log?)),
        None => {
            // Not two logs of every row at once.
            drop(log);
            Ok((None, read_unsorted(paths, sizes, zone, &with_texts(true))?))
        }
    }
}

/// Every row of `source` (of `account`, if given) in replay order with its
/// texts and what the replay did to it (`None`: dated after as-of; such rows
/// come last). Time-ordered files are replayed as they are read again, and
/// `each` returning false stops the reading (a ledger that cannot write;
/// a log out of order stops reading texts again, and its replay, which
/// cannot be cut short, runs to its end without handing rows out).
pub fn each_row(
    source: &mut RowSource,
    plan: &Plan,
    schedule: &Schedule,
    account: Option<&str>,
    options: &ReadOptions,
    mut each: impl FnMut(&ScanLog, &ReadRow<'_>, Option<&ScanResult<'_>>) -> bool,
) -> Result<()> {
    let (paths, pieces, shares) = match source {
        RowSource::Held(log) => {
            each_held_row(plan, log, schedule, account, |read, result| {
                each(log, &read, result);
            });
            return Ok(());
        }
        RowSource::Indexed(log, texts) => {
            return each_indexed_row(log, texts, plan, schedule, account, each);
        }
        RowSource::Files(paths, pieces, shares) => (paths, pieces, (*shares).clamp(1, 2)),
    };
    let options = ReadOptions {
        keep_texts: false,
        images_by_fingerprint: true,
        ..options.clone()
    };
    // A second thread reads and replays the rows while this one hands them
    // to `each` (which formats and writes them): the two halves of a
    // streamed ledger's work each take a core. With two shares, the reader
    // replays the rows of even accounts and a third thread, between it and
    // this one, those of odd accounts (accounts share nothing): the replay
    // was the longest thread.
    std::thread::scope(|scope| {
        let (sender, from_reader) = std::sync::mpsc::sync_channel::<HandedRows>(2);
        let receiver = if shares == 2 {
            let (to_writer, receiver) = std::sync::mpsc::sync_channel::<HandedRows>(1);
            scope.spawn(move || {
                let mut replayer = Replayer::new(plan, schedule, account);
                for mut handed in from_reader.iter() {
                    // The names first seen in this batch, in the reader's
                    // order: both replayers know every account by one id.
                    for name in &handed.accounts {
                        replayer.add_account(name);
                    }
                    handed.replay(&mut replayer, schedule.as_of, 1, shares);
                    // Nobody takes rows once the writing stopped; the reader
                    // then stops at its next hand-over.
                    if to_writer.send(handed).is_err() {
                        break;
                    }
                }
            });
            receiver
        } else {
            from_reader
        };
        // Batches go back emptied, to be filled again: fresh ones would be
        // grown row by row, and freed on the other thread, a few MB a batch.
        // The reader makes a batch only when no emptied one waits, so no
        // more than the batches in flight (about five, six with a second
        // replay thread) ever exist. (A
        // piece's rows come in arrays of their own: of an emptied batch,
        // only its outcomes and results keep their room for them.)
        let (spare_sender, spare) = std::sync::mpsc::channel::<HandedRows>();
        let reader = scope.spawn(move || {
            let mut log = ScanLog::default();
            let mut replayer = Replayer::new(plan, schedule, account);
            let mut rows = HandedRows::default();
            let mut go_on = true;
            for (index, path) in paths.iter().enumerate() {
                // (A file without an entry is read whole.)
                let pieces = pieces.get(index).copied().flatten();
                // A file the check read in pieces is read in pieces again,
                // parsed on every core while this thread replays. Those
                // pieces read once, so they read again unless the file
                // changed; once rows are out, reading it whole would hand
                // them out twice. Each piece's rows are one batch.
                let ended = match pieces {
                    Some((size, threads)) => {
                        let cut = (threads, LEDGER_PIECE_BYTES);
                        let take_piece = |log: &ScanLog, piece: PieceRows| {
                            rows.learn_names(log, &mut replayer);
                            // Rows held before (of a file read whole) go first.
                            if !rows.events.is_empty() {
                                rows.replay(&mut replayer, schedule.as_of, 0, shares);
                                go_on = sender.send(rows.take_rows(spare.try_recv().ok())).is_ok();
                            }
                            if go_on {
                                let wanted = account.map(|name| log.accounts.get(name));
                                rows.hold_piece(piece, wanted);
                                rows.replay(&mut replayer, schedule.as_of, 0, shares);
                                go_on = sender.send(rows.take_rows(spare.try_recv().ok())).is_ok();
                            }
                            go_on
                        };
                        log.read_in_order_piece_rows(&options, path, size, plan.zone, cut, true, take_piece)
                    }
                    None => Ok(PiecesRead::Uncut),
                };
                let read = match ended {
                    Ok(PiecesRead::Finished | PiecesRead::Stopped) => Ok(()),
                    Ok(PiecesRead::Failed(why)) => {
                        let why = why.map_or(" (it changed while being read)".to_string(), |err| {
                            format!(": {err}")
                        });
                        Err(Error::input(
                            Location::file(path),
                            format!(
                                "read differently the second time{why}; run again on a file that is not being written"
                            ),
                        ))
                    }
                    // Not read in pieces, or not cut (nothing handed out).
                    Ok(PiecesRead::Uncut) => {
                        let take = |log: &ScanLog, read: ReadRow<'_>| {
                            rows.learn_names(log, &mut replayer);
                            let shown = account
                                .is_none_or(|wanted| log.accounts.name(read.event.account) == wanted);
                            rows.hold(&read, shown);
                            if rows.events.len() >= HANDED_ROWS {
                                rows.replay(&mut replayer, schedule.as_of, 0, shares);
                                go_on = sender.send(rows.take_rows(spare.try_recv().ok())).is_ok();
                            }
                            go_on
                        };
                        log.read_path_each(path, plan.zone, &options, take)
                    }
                    Err(err) => Err(err),
                };
                if let Err(err) = read {
                    // The rows read before the failing one are shown, as
                    // when one thread read and wrote.
                    rows.replay(&mut replayer, schedule.as_of, 0, shares);
                    let _ = sender.send(rows.take_rows(None));
                    return Err(err);
                }
                if !go_on {
                    break;
                }
            }
            rows.replay(&mut replayer, schedule.as_of, 0, shares);
            let _ = sender.send(rows.take_rows(None));
            Ok(())
        });
        let mut names = ScanLog::default();
        'handed: for mut handed in receiver.iter() {
            handed.name(&mut names);
            for (index, outcome) in handed.outcomes.iter().enumerate() {
                let result = match *outcome {
                    RowOutcome::Replayed(held) => Some(handed.results.get(held)),
                    RowOutcome::AfterAsOf => None,
                    RowOutcome::Unshown => continue,
                    RowOutcome::Unreplayed => {
                        // Every share's replayer has seen the batch: a row
                        // left unreplayed would be a share nobody replays.
                        debug_assert!(false, "a row no replayer replayed");
                        continue;
                    }
                };
                let read = handed.read_row(index);
                if !each(&names, &read, result.as_ref()) {
                    break 'handed;
                }
            }
            handed.clear();
            let _ = spare_sender.send(handed);
        }
        // The reader stops at its next hand-over once nobody takes rows.
        drop(receiver);
        reader.join().expect("the reading thread does not panic")
    })
}

/// The bytes of a piece when a ledger reads a time-ordered file in pieces
/// (the check and the pass that writes cut it alike): a piece's rows are
/// handed to the writing thread as one batch, so pieces are smaller than
/// a report's, to hold no more rows in flight.
const LEDGER_PIECE_BYTES: u64 = 1 << 20;

/// Rows the reading thread hands over at a time, when it reads a file
/// whole (a piece of a file is handed over as one batch).
const HANDED_ROWS: usize = 4096;

/// What became of a handed row.
#[derive(Clone, Copy)]
enum RowOutcome {
    /// Read, not replayed yet.
    Unreplayed,
    /// Replayed: the index of its result among [`HandedRows::results`].
    Replayed(usize),
    /// Dated after as-of: shown without a result.
    AfterAsOf,
    /// Another account's than `--account`'s: not shown.
    Unshown,
}

/// Replayed rows handed from the reading thread to the one that shows them,
/// with the names (accounts, `--by` groups, files) first seen in them: the
/// showing thread learns the names in the reader's order, so ids agree.
/// The rows are kept as columns, one entry a row, the arrays a piece of a
/// file is parsed into ([`PieceRows`]): a piece's rows are taken over as
/// they are, not copied row by row.
#[derive(Default)]
struct HandedRows {
    accounts: Vec<String>,
    groups: Vec<String>,
    files: Vec<String>,
    events: Vec<ScanEvent>,
    /// Each row's image fingerprint.
    images: Vec<u128>,
    /// The byte each row's line starts at.
    bytes: Vec<u64>,
    texts: TextsByRow,
    outcomes: Vec<RowOutcome>,
    results: HeldResults,
    /// The reader's counts of names already handed over.
    named: (usize, usize, usize),
}

impl HandedRows {
    /// Notes the names `log` learnt since the last row; new accounts are
    /// made known to `replayer` too.
    fn learn_names(&mut self, log: &ScanLog, replayer: &mut Replayer<'_>) {
        let (accounts, groups, files) = self.named;
        for id in accounts..log.accounts.len() {
            let name = log.accounts.name(id as u32);
            replayer.add_account(name);
            self.accounts.push(name.to_string());
        }
        for id in groups..log.groups.len() {
            self.groups.push(log.groups.name(id as u32).to_string());
        }
        self.files
            .extend(log.files[files.min(log.files.len())..].iter().cloned());
        self.named = (log.accounts.len(), log.groups.len(), log.files.len());
    }

    /// Holds `read` to replay (`shown`: of the `--account` asked for, if any).
    fn hold(&mut self, read: &ReadRow<'_>, shown: bool) {
        self.events.push(read.event);
        self.images.push(read.image);
        self.bytes.push(read.byte);
        self.texts.push(read.image_text, read.scan_id_text);
        self.outcomes.push(if shown {
            RowOutcome::Unreplayed
        } else {
            RowOutcome::Unshown
        });
    }

    /// Takes over the rows of a piece (with texts), holding none before;
    /// `wanted`: `--account`'s id, when one was asked for (`None` inside
    /// when the log has no such account).
    fn hold_piece(&mut self, piece: PieceRows, wanted: Option<Option<u32>>) {
        debug_assert!(self.events.is_empty() && self.results.is_empty());
        let PieceRows {
            events,
            images,
            bytes,
            texts,
        } = piece;
        // A ledger's pieces are read with their texts: every column is whole.
        debug_assert!(
            images.len() == events.len()
                && bytes.len() == events.len()
                && texts.len() == events.len()
        );
        self.outcomes.clear();
        self.outcomes.extend(events.iter().map(|event| {
            if wanted.is_none_or(|id| id == Some(event.account)) {
                RowOutcome::Unreplayed
            } else {
                RowOutcome::Unshown
            }
        }));
        (self.events, self.images, self.bytes, self.texts) = (events, images, bytes, texts);
    }

    /// The row at `index`, with its texts.
    fn read_row(&self, index: usize) -> ReadRow<'_> {
        let (image_text, scan_id_text) = self.texts.get(index).unwrap_or_default();
        ReadRow {
            event: self.events[index],
            image: self.images[index],
            byte: self.bytes[index],
            image_text,
            scan_id_text,
        }
    }

    /// Replays the rows held of share `share` of `shares` (by account, as
    /// [`stream::share_of`] says), in order, fetching the slots each scan
    /// will probe a few rows ahead (as the report's block replay does). The
    /// other shares' rows stay unreplayed, for their own replayer; rows
    /// after as-of are marked so whichever share they are of.
    fn replay(
        &mut self,
        replayer: &mut Replayer<'_>,
        as_of: chrono::DateTime<chrono::Utc>,
        share: usize,
        shares: usize,
    ) {
        let (events, images) = (&self.events, &self.images);
        for index in 0..events.len() {
            if let (Some(ahead), Some(image)) = (
                events.get(index + PREFETCH_AHEAD),
                images.get(index + PREFETCH_AHEAD),
            ) && stream::share_of(ahead.account, shares) == share
            {
                replayer.prefetch(ahead, *image);
            }
            let outcome = &mut self.outcomes[index];
            if !matches!(outcome, RowOutcome::Unreplayed) {
                continue;
            }
            let event = &events[index];
            if event.at > as_of {
                // Rows after as-of are last in a time-ordered log.
                *outcome = RowOutcome::AfterAsOf;
                continue;
            }
            if stream::share_of(event.account, shares) != share {
                continue;
            }
            let results = &mut self.results;
            *outcome = RowOutcome::Unshown;
            replayer.push(event, images[index], &mut |_, result| {
                *outcome = RowOutcome::Replayed(results.hold(result));
            });
        }
    }

    /// The rows and names held so far, leaving the counts of names handed
    /// and `spare`'s room (an emptied batch) for the next rows.
    fn take_rows(&mut self, spare: Option<HandedRows>) -> HandedRows {
        let named = self.named;
        debug_assert!(spare.as_ref().is_none_or(HandedRows::is_empty));
        let taken = std::mem::replace(self, spare.unwrap_or_default());
        self.named = named;
        taken
    }

    /// Empties the batch, keeping its room (every field named, so that a
    /// field added later is emptied too: a batch used again must not carry
    /// the last one's rows, nor grow with every row read).
    fn clear(&mut self) {
        let HandedRows {
            accounts,
            groups,
            files,
            events,
            images,
            bytes,
            texts,
            outcomes,
            results,
            named: _,
        } = self;
        accounts.clear();
        groups.clear();
        files.clear();
        events.clear();
        images.clear();
        bytes.clear();
        texts.reset(0);
        outcomes.clear();
        results.clear();
    }

    /// Nothing held: no row, result or name.
    fn is_empty(&self) -> bool {
        let HandedRows {
            accounts,
            groups,
            files,
            events,
            images,
            bytes,
            texts,
            outcomes,
            results,
            named: _,
        } = self;
        accounts.is_empty()
            && groups.is_empty()
            && files.is_empty()
            && events.is_empty()
            && images.is_empty()
            && bytes.is_empty()
            && texts.is_empty()
            && outcomes.is_empty()
            && results.is_empty()
    }

    /// Teaches `names` the names first seen in these rows.
    fn name(&self, names: &mut ScanLog) {
        for account in &self.accounts {
            names.accounts.intern(account);
        }
        for group in &self.groups {
            names.groups.intern(group);
        }
        names.files.extend(self.files.iter().cloned());
    }
}

/// [`each_row`] for rows held without texts: two threads read the rows'
/// texts again from their lines, a window each in turn, in the order the
/// replay hands rows out; another replays the rows; and this one hands
/// them out with their texts and results (the texts are about half of the
/// work, the replay and the writing a quarter each).
fn each_indexed_row(
    log: &ScanLog,
    texts: &mut RowTexts,
    plan: &Plan,
    schedule: &Schedule,
    account: Option<&str>,
    mut each: impl FnMut(&ScanLog, &ReadRow<'_>, Option<&ScanResult<'_>>) -> bool,
) -> Result<()> {
    let wanted = account.map(|name| log.accounts.get(name));
    let as_of = schedule.as_of;
    // A log of fewer rows than two windows is cut in two, so that both
    // readers take a half (a window of at least 64 K rows still gathers
    // neighbouring lines into one read).
    let window_rows = texts
        .window_rows
        .min(log.events.len().div_ceil(2).max(1 << 16));
    let readers = if log.events.len() > window_rows { 2 } else { 1 };
    let mut twin = (readers == 2).then(|| texts.another_reader());
    std::thread::scope(|scope| {
        // Windows of rows ([`RowTexts::read_rows`]) are read by two threads
        // in turn (a window's reads are most of the work of a row) and
        // handed over when this thread asks for them, so two are read while
        // the one before is shown.
        let mut windows = Vec::with_capacity(readers);
        let mut spares = Vec::with_capacity(readers);
        let mut readers_texts = vec![texts];
        readers_texts.extend(twin.as_mut());
        for (turn, texts) in readers_texts.into_iter().enumerate() {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<TextsByRow>>(0);
            let (spare_sender, spare) = std::sync::mpsc::channel::<TextsByRow>();
            windows.push(receiver);
            spares.push(spare_sender);
            scope.spawn(move || {
                // The rows in the order each_held_row hands them out.
                let of_account =
                    |event: &&ScanEvent| wanted.is_none_or(|id| id == Some(event.account));
                let replayed = log.events.iter().filter(|event| event.at <= as_of);
                let after = log.events.iter().filter(|event| event.at > as_of);
                let mut rows = replayed
                    .filter(of_account)
                    .chain(after.filter(of_account))
                    .peekable();
                for index in 0.. {
                    // The other reader's windows are passed over, not copied.
                    if index % readers != turn {
                        if rows.by_ref().take(window_rows).count() == 0 {
                            return;
                        }
                        continue;
                    }
                    if rows.peek().is_none() {
                        return;
                    }
                    let window = rows
                        .by_ref()
                        .take(window_rows)
                        .map(|event| (event.file, event.line));
                    // A window this thread read before, shown, to fill again.
                    let mut fetched = spare.try_recv().unwrap_or_default();
                    let read = texts.read_rows(window, &mut fetched).map(|()| fetched);
                    let failed = read.is_err();
                    if sender.send(read).is_err() || failed {
                        return;
                    }
                }
            });
        }
        // The replay hands its rows over in batches; emptied batches come
        // back to be filled again.
        let (replayed_sender, replayed) = std::sync::mpsc::sync_channel::<ReplayedRows>(4);
        let (emptied_sender, emptied) = std::sync::mpsc::channel::<ReplayedRows>();
        scope.spawn(move || {
            let mut batch = ReplayedRows::default();
            let mut taken = true;
            each_held_row(plan, log, schedule, account, |read, result| {
                if !taken {
                    return;
                }
                batch.push(read.event, result);
                if batch.events.len() >= HANDED_ROWS {
                    let next = emptied.try_recv().unwrap_or_default();
                    // Nobody takes rows once the writing stopped.
                    taken = replayed_sender
                        .send(std::mem::replace(&mut batch, next))
                        .is_ok();
                }
            });
            let _ = replayed_sender.send(batch);
        });
        let mut current = TextsByRow::default();
        let mut next = 0;
        // Windows received so far: the next comes from reader
        // `received % readers`.
        let mut received = 0;
        let mut failed = None;
        'batches: for mut batch in replayed.iter() {
            for (index, event) in batch.events.iter().enumerate() {
                if next == current.len() {
                    match windows[received % readers].recv() {
                        Ok(Ok(fetched)) => {
                            let shown = std::mem::replace(&mut current, fetched);
                            if received > 0 {
                                let _ = spares[(received - 1) % readers].send(shown);
                            }
                            received += 1;
                            next = 0;
                        }
                        Ok(Err(err)) => {
                            failed = Some(err);
                            break 'batches;
                        }
                        Err(_) => {
                            let lost = std::io::Error::other("the rows' texts ran out");
                            let name = log.files.first().map_or("the log", String::as_str);
                            failed = Some(Error::io(name, lost));
                            break 'batches;
                        }
                    }
                }
                current.prefetch(next + PREFETCH_AHEAD);
                let Some((image_text, scan_id_text)) = current.get(next) else {
                    break 'batches;
                };
                next += 1;
                let read = ReadRow {
                    event: *event,
                    image: u128::from(event.image),
                    byte: 0,
                    image_text,
                    scan_id_text,
                };
                let result = batch.results[index].map(|held| batch.held.get(held));
                if !each(log, &read, result.as_ref()) {
                    break 'batches;
                }
            }
            batch.clear();
            let _ = emptied_sender.send(batch);
        }
        drop(replayed);
        drop(windows);
        failed.map_or(Ok(()), Err)
    })
}

/// Rows the serial replay hands over, in replay order, with what it did to
/// each (`None`: dated after as-of).
#[derive(Default)]
struct ReplayedRows {
    events: Vec<ScanEvent>,
    /// Per row: the index of its result among `held`.
    results: Vec<Option<usize>>,
    held: HeldResults,
}

impl ReplayedRows {
    fn push(&mut self, event: ScanEvent, result: Option<&ScanResult<'_>>) {
        self.events.push(event);
        self.results
            .push(result.map(|result| self.held.hold(result)));
    }

    /// Empties the batch, keeping its room (every field named, so that a
    /// field added later is emptied too).
    fn clear(&mut self) {
        let ReplayedRows {
            events,
            results,
            held,
        } = self;
        events.clear();
        results.clear();
        held.clear();
    }
}

#[cfg(test)]
mod tests {
    use crate::replay::pieces_of;

    /// A file held whole is cut into 16 pieces a thread, none under 1 MB
    /// (but one a thread at least).
    #[test]
    fn pieces_are_16_a_thread_and_none_under_a_megabyte() {
        assert_eq!(pieces_of(1_375_333_292, 2), 32);
        assert_eq!(pieces_of(16 << 20, 2), 16);
        assert_eq!(pieces_of(16 << 20, 64), 64);
        assert_eq!(pieces_of(0, 2), 2);
        assert_eq!(pieces_of(u64::MAX, usize::MAX), usize::MAX);
    }
}
