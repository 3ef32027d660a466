//! Scan logs: CSV → time-ordered events.
//!
//! Each event is compact (ids instead of text) and remembers the file and
//! line it came from, for messages and the ledger.

use crate::domain::error::{Error, Location, ReadProblem, Result};
use crate::domain::files_read::{FileIdentity, identity};
use crate::domain::key_set::{KeyMap, fetch_into_cache};
use crate::domain::limits::{MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES, describe};
use crate::domain::text::{HIDDEN_IN_ACCOUNT, has_hidden, shown};
use crate::domain::zone::{Zone, parse_timestamp};
use crate::input::csv_input::{CsvInput, Layout, Row};
use crate::input::plain_csv::{PLAIN_CHUNK, PlainLayout, read_plain_rows};
use chrono::{DateTime, Utc};
use flate2::read::MultiGzDecoder;
pub(crate) use formats::LogFormat;
use std::collections::HashMap;
use std::io::{BufRead, Read};

pub mod formats;
mod pieces;
pub(crate) use pieces::{PieceRows, PiecesRead};
pub mod reread;

use formats::{FormatOptions, Record, Skipped};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Local,
    Registry,
    Cicd,
}

impl Source {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Registry => "registry",
            Source::Cicd => "cicd",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Source> {
        one_of(text, SOURCES)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanStatus {
    Success,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Risk {
    Unknown,
    None,
    Low,
    Medium,
    High,
}

impl Risk {
    pub(crate) fn parse(text: &str) -> Option<Risk> {
        one_of(text, RISKS)
    }
}

/// Sources by name, any case.
const SOURCES: &[(&str, Source)] = &[
    ("registry", Source::Registry),
    ("cicd", Source::Cicd),
    ("local", Source::Local),
];

/// Risk levels by name, any case.
const RISKS: &[(&str, Risk)] = &[
    ("", Risk::Unknown),
    ("none", Risk::None),
    ("low", Risk::Low),
    ("medium", Risk::Medium),
    ("high", Risk::High),
];

/// The value whose name `text` is, ignoring ASCII case (without allocating:
/// this runs for every row). Names as written most often, in their own
/// case, are found by a plain comparison before any case is folded.
fn one_of<T: Copy>(text: &str, choices: &[(&str, T)]) -> Option<T> {
    choices
        .iter()
        .find(|(name, _)| *name == text)
        .or_else(|| {
            choices
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(text))
        })
        .map(|(_, value)| *value)
}

/// One scan row, with text replaced by ids: at most 48 bytes, so ten
/// million rows fit in memory when a log must be sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanEvent {
    pub at: DateTime<Utc>,
    pub account: u32,
    pub image: u32,
    /// 0 for no scan id; otherwise equal for equal scan ids (see `ScanLog::scan_key`).
    pub scan_key: u64,
    pub source: Source,
    pub status: ScanStatus,
    pub risk: Risk,
    /// Index into `ScanLog::files`.
    pub(crate) file: u32,
    pub line: u64,
    /// Index into `ScanLog::groups`: the row's `--by` key (0 without `--by`).
    pub(crate) group: u32,
}

/// The most input files one run reads.
pub(crate) const MAX_FILES: usize = u32::MAX as usize;

/// Text ↔ dense id, so events stay small and comparisons are integer ones.
///
/// A text is known by its 128-bit XXH3 fingerprint: looking one up hashes it
/// once and compares two integers, never the text, and the text itself is
/// kept only when someone will print it (an interner keeps every text or none).
/// Two different texts sharing a fingerprint is a 1-in-2^128 event per pair
/// (about 10^-25 for ten million distinct names); see docs/decisions.md.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: KeyMap<u128, u32>,
    /// Each id's fingerprint, so interners can be merged.
    fingerprints: Vec<u128>,
    /// Each id's text, when texts are kept; else empty and
    /// [`Interner::name`] answers "".
    names: Vec<Box<str>>,
    /// The id [`Interner::intern`] gave last: rows of one account often
    /// follow each other, and comparing the bytes spares hashing them.
    last: Option<u32>,
}

impl Interner {
    /// The id of `text`, a new one the first time it is seen; `None` once
    /// four billion distinct texts have been seen.
    pub(crate) fn intern(&mut self, text: &str) -> Option<u32> {
        if let Some(last) = self.last
            && self
                .names
                .get(last as usize)
                .is_some_and(|name| **name == *text)
        {
            return Some(last);
        }
        let id = self.intern_fingerprinted(fingerprint(text), Some(text));
        self.last = id;
        id
    }

    /// [`Interner::intern`] for a text whose [`fingerprint`] is known; `None`
    /// for the text keeps only its identity.
    pub(crate) fn intern_fingerprinted(
        &mut self,
        fingerprint: u128,
        text: Option<&str>,
    ) -> Option<u32> {
        let Ok(next) = u32::try_from(self.fingerprints.len()) else {
            return self.ids.get(fingerprint);
        };
        let (id, added) = self.ids.get_or_insert(fingerprint, next);
        if added {
            if let Some(text) = text {
                self.names.push(text.into());
            }
            self.fingerprints.push(fingerprint);
        }
        Some(id)
    }

    /// Fetch ahead the slot a lookup of `fingerprint` will probe (a hint).
    #[inline]
    pub(crate) fn prefetch(&self, fingerprint: u128) {
        self.ids.prefetch(fingerprint);
    }

    /// The id of an entry of `other` in this interner, added if new.
    pub(crate) fn adopt(&mut self, other: &Interner, id: u32) -> Option<u32> {
        let text = other.names.get(id as usize).map(|name| &**name);
        self.intern_fingerprinted(other.fingerprints[id as usize], text)
    }

    /// Forget every id from `len` on.
    pub(crate) fn truncate(&mut self, len: usize) {
        for fingerprint in self.fingerprints.drain(len.min(self.fingerprints.len())..) {
            self.ids.remove(fingerprint);
        }
        self.names.truncate(len);
        self.last = self.last.filter(|&id| (id as usize) < len);
    }

    pub(crate) fn get(&self, text: &str) -> Option<u32> {
        self.ids.get(fingerprint(text))
    }

    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |name| name)
    }

    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}

/// A note naming the account names that equal another but for case or
/// Unicode form (`Payments`, `payments`; `café` written with `é` or with
/// `e` and a combining accent; fullwidth `ｗｅｂ`): each is billed as an
/// account of its own, as written, so a typo or an editor's encoding
/// splits one account's quota without a word otherwise. The same for the
/// `--by` groups (`what`: "`--by team` values … shown as separate
/// groups"), whose shares split alike.
fn accounts_written_two_ways(accounts: &Interner) -> String {
    written_two_ways(
        accounts,
        "account names that differ only in case or Unicode form are billed as separate accounts",
        "write each account one way in the logs if they are one",
    )
}

fn written_two_ways(names: &Interner, what: &str, fix: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut folded: Vec<(String, &str)> = (0..names.len() as u32)
        .map(|id| names.name(id))
        .filter(|name| !name.is_empty())
        .map(|name| (name.nfkc().collect::<String>().to_lowercase(), name))
        .collect();
    if folded.len() < 2 {
        return String::new();
    }
    folded.sort_unstable();
    let mut sets: Vec<String> = Vec::new();
    let mut count = 0usize;
    for run in folded
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        count += 1;
        if sets.len() < 3 {
            let names: Vec<String> = run
                .iter()
                .map(|(_, name)| format!("`{}`", shown(name)))
                .collect();
            sets.push(names.join(" and "));
        }
    }
    if count == 0 {
        return String::new();
    }
    let more = match count - sets.len() {
        0 => String::new(),
        more => format!("; and {more} more"),
    };
    format!("scanquota: {what}: {}{more}; {fix}\n", sets.join("; "))
}

pub(crate) use crate::domain::text::fingerprint;

/// Every scan of every log given, merged and in replay order.
#[derive(Debug, Default, Clone)]
pub struct ScanLog {
    /// Sorted by time; rows with equal times keep their input order.
    pub events: Vec<ScanEvent>,
    pub accounts: Interner,
    pub images: Interner,
    /// Scan id texts, kept only when asked for (the ledger prints them);
    /// otherwise empty, and a scan id is known by a 64-bit hash.
    pub scan_ids: Interner,
    /// The name of each input, as messages show it.
    pub(crate) files: Vec<String>,
    /// The `--by` keys seen; an empty key is the group `(none)`.
    pub groups: Interner,
    /// Registry events that made no row, by type.
    pub(crate) skipped: Skipped,
    /// Some rows share their file and line (a registry event with several
    /// resources, or several scanner reports on one line), so (time, file,
    /// line) no longer says which came first: sorts must then be stable
    /// (see [`ScanLog::run_sort`]).
    pub(crate) lines_shared: bool,
    /// With `--by`: whether any input had the key (a CSV log's column, or
    /// a JSON Lines row's key), and the JSON Lines files none of whose rows
    /// had it, each with its first line's keys ([`ScanLog::notes`]).
    pub(crate) by_key_seen: bool,
    pub(crate) by_key_absent: Vec<(String, Vec<String>)>,
    /// Read with [`ReadOptions::images_by_row`]: per account id, the image
    /// fingerprint of each of its rows in the order read, and an event's
    /// `image` is its index in its account's list (see
    /// [`ScanLog::image_key`]); otherwise empty.
    pub(crate) row_images: Vec<Vec<u128>>,
}

/// [`ScanLog::image_key`] for an event of one account, given that
/// account's list of [`ScanLog::row_images`] (empty when the log was not
/// read by row).
#[inline]
pub(crate) fn image_key(account_images: &[u128], event: &ScanEvent) -> u128 {
    if account_images.is_empty() {
        u128::from(event.image)
    } else {
        account_images[event.image as usize]
    }
}

/// One row as read: its event, its image's [`fingerprint`], the byte its row
/// starts at, and the texts a report drops but a ledger prints.
#[derive(Debug, Clone, Copy)]
pub struct ReadRow<'row> {
    pub(crate) event: ScanEvent,
    pub(crate) image: u128,
    pub(crate) byte: u64,
    pub(crate) image_text: &'row str,
    pub(crate) scan_id_text: &'row str,
}

/// The image and scan id texts of rows, in one string: how rows' texts
/// travel in batches (a piece's rows, a window of rows read again) without
/// two allocations a row.
#[derive(Debug, Default)]
pub(crate) struct TextsByRow {
    text: String,
    /// Per row, 16 bytes (a window read again holds a million rows): where
    /// its image starts in `text`, and the lengths of its image and of the
    /// scan id after it.
    rows: Vec<(usize, u32, u32)>,
}

// A text is part of one record or document, so its length fits 32 bits.
const _: () = assert!(MAX_RECORD_BYTES < 1 << 32 && MAX_DOCUMENT_BYTES < 1 << 32);

impl TextsByRow {
    /// Empties it for `rows` rows, keeping the room.
    pub(crate) fn reset(&mut self, rows: usize) {
        self.text.clear();
        self.rows.clear();
        self.rows.resize(rows, (0, 0, 0));
    }

    /// Appends a row's texts.
    pub(crate) fn push(&mut self, image: &str, scan_id: &str) {
        self.rows.push((0, 0, 0));
        self.set(self.rows.len() - 1, image, scan_id);
    }

    /// Sets row `index`'s texts (rows may be set in any order).
    pub(crate) fn set(&mut self, index: usize, image: &str, scan_id: &str) {
        let start = self.text.len();
        self.text.push_str(image);
        self.text.push_str(scan_id);
        // Within one record or document: see the assertion above.
        self.rows[index] = (start, image.len() as u32, scan_id.len() as u32);
    }

    /// Row `index`'s image and scan id.
    pub(crate) fn get(&self, index: usize) -> Option<(&str, &str)> {
        let &(start, image, scan_id) = self.rows.get(index)?;
        let image_end = start + image as usize;
        Some((
            self.text.get(start..image_end)?,
            self.text.get(image_end..image_end + scan_id as usize)?,
        ))
    }

    /// Fetch row `index`'s texts into cache ahead of [`TextsByRow::get`]
    /// (a hint): rows are set in file order and got in replay order, so
    /// each row's texts are a cache miss of their own.
    #[inline]
    pub(crate) fn prefetch(&self, index: usize) {
        if let Some(&(start, image, scan_id)) = self.rows.get(index)
            && let Some(texts) = self
                .text
                .as_bytes()
                .get(start..start + image as usize + scan_id as usize)
            && let (Some(first), Some(last)) = (texts.first(), texts.last())
        {
            // The texts span a line or two (an image and a scan id).
            fetch_into_cache(first);
            fetch_into_cache(last);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl ReadRow<'_> {
    /// The byte of its file the row starts at (`testkit`: the tests check
    /// that every way of reading a file with LF line ends gives the same;
    /// where the csv crate reads CRLF lines it counts without their CRs).
    #[cfg(feature = "testkit")]
    pub fn byte(&self) -> u64 {
        self.byte
    }
}

/// How logs are read. The job builds it once from the command line; the log
/// read holds only what was read, never how.
#[derive(Debug, Default, Clone)]
pub struct ReadOptions {
    /// Keep image names and scan id texts (the ledger and `stats` print
    /// them); a report needs only their identities.
    pub keep_texts: bool,
    /// Do not intern images at all: events carry image 0 and readers use the
    /// fingerprint handed to them (streaming keeps no image table).
    pub images_by_fingerprint: bool,
    /// Keep each row's image fingerprint in its account's list of
    /// [`ScanLog::row_images`], the event's `image` its index there, rather
    /// than interning images into one table of the whole log, probed once a
    /// row (a shuffled report's slowest step while it reads): a report that
    /// groups the log by account then meters each account by fingerprint,
    /// its list small enough to stay in cache. Only without texts (a
    /// fingerprint names no image).
    pub images_by_row: bool,
    /// The rows are only checked, never replayed (the ledger's first pass
    /// over a file it reads again): images and scan ids are not
    /// fingerprinted, each a hash of every row (events carry image 0 and
    /// a scan key of 1 for a row with a scan id).
    pub only_checked: bool,
    /// The `--by` column (lower-case) whose values break accounts down.
    pub group_column: Option<String>,
    /// How scanner and registry documents are read (`--log-format`,
    /// `--source`, `--image-key`).
    pub formats: FormatOptions,
    /// `--delimiter` and `--column`: how a CSV log is split and which of
    /// its columns (or JSON Lines keys) hold the canonical ones.
    pub layout: Layout,
    /// `--log-zone`: the zone of times written without an offset, instead
    /// of the plan's.
    pub log_zone: Option<Zone>,
}

impl ReadOptions {
    /// The columns a `--column` may name: the canonical ones and `--by`'s.
    pub(crate) fn known_columns(&self) -> Vec<&str> {
        let mut known: Vec<&str> = KNOWN_COLUMNS.to_vec();
        known.extend(self.group_column.as_deref());
        known
    }

    /// Notes for stderr, one for each optional column whose own header a
    /// `--column` reads as another column while nothing else is read as it
    /// (`--column image=account`): that column goes unread, and without a
    /// word every scan was billed to `default`. (A required column, or
    /// `--by`'s, so taken is refused as the file is read; a mapping's header
    /// is in every file, or the file is refused.)
    pub(crate) fn columns_read_as_others(&self) -> String {
        let optional: Vec<(&str, &str)> = self
            .known_columns()
            .into_iter()
            .filter(|column| !matches!(*column, "timestamp" | "image"))
            .map(|column| {
                let outcome = if column == "account" {
                    ", and every scan is billed to the account `default`"
                } else {
                    ""
                };
                (column, outcome)
            })
            .collect();
        self.layout.unread_notes(&optional)
    }

    /// Options that keep image names and scan id texts (`testkit`).
    #[cfg(feature = "testkit")]
    pub fn keeping_texts() -> ReadOptions {
        ReadOptions {
            keep_texts: true,
            ..ReadOptions::default()
        }
    }
}

/// The longest `--by` key accepted, in bytes.
pub(crate) const MAX_GROUP_BYTES: usize = 256;

/// The group of rows whose `--by` key is empty.
pub(crate) const NO_GROUP: &str = "(none)";

/// The rows a `--by` breakdown adds for the charges no group drew: the
/// allowance left unused, and the fees and charges shared by all. A group
/// of the log may not take these names, nor [`NO_GROUP`].
pub(crate) const UNUSED_GROUP: &str = "(unused)";
pub(crate) const SHARED_GROUP: &str = "(shared)";

/// Hashes scan ids when their text is not kept; fixed seed, so runs agree.
const SCAN_ID_HASH: foldhash::quality::FixedState =
    foldhash::quality::FixedState::with_seed(0x5ca7_0a11_d00d_f00d);

/// The name `-` is shown as.
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// The canonical columns, in the order rows made from objects hold them.
pub(crate) const KNOWN_COLUMNS: [&str; 7] = [
    "timestamp",
    "image",
    "account",
    "source",
    "status",
    "risk",
    "scan_id",
];

/// The columns a `ledger --format csv` (or `jsonl`) output has and a scan
/// log never does: a ledger read back as a log would be billed again with
/// its `outcome` ignored (failed scans charged as first scans).
const LEDGER_SIGNATURE: [&str; 4] = ["outcome", "units", "draws", "overage"];

/// Refuse a file whose header (or first object's keys), folded, is a
/// ledger's: a scan log's unknown columns are ignored, so only all of
/// [`LEDGER_SIGNATURE`] together is taken as a ledger. The names come
/// folded (a CSV header's and a JSON object's keys alike), so a ledger's
/// header in any case is one.
fn refuse_ledger<'a>(at: Location, names: impl Iterator<Item = &'a str> + Clone) -> Result<()> {
    if !LEDGER_SIGNATURE
        .iter()
        .all(|column| names.clone().any(|name| name == *column))
    {
        return Ok(());
    }
    Err(Error::input(
        at,
        format!(
            "is a scanquota ledger (it has the columns {}), not a scan log; give the scan logs the ledger was made from (its `file` column names them)",
            LEDGER_SIGNATURE.join(", ")
        ),
    ))
}

/// Where each known column sits in a file's rows.
struct Columns {
    timestamp: usize,
    image: usize,
    account: Option<usize>,
    source: Option<usize>,
    status: Option<usize>,
    risk: Option<usize>,
    scan_id: Option<usize>,
    /// The `--by` column, when one is asked for.
    group: Option<usize>,
}

impl Columns {
    fn of<R: Read>(input: &CsvInput<R>, group_column: Option<&str>) -> Result<Columns> {
        refuse_ledger(
            Location::file(input.name()).line(1),
            input.names().iter().map(String::as_str),
        )?;
        let group = match group_column {
            None => None,
            Some(column) => Some(input.find(column)?.ok_or_else(|| {
                // The column is there, but --column reads it as another one.
                if let Some(taken) = input.taken(column) {
                    return taken;
                }
                Error::input(
                    Location::file(input.name()).line(1).key(column),
                    format!(
                        "--by {column}: the log has no `{column}` column; its columns are: {}; or give --column {column}=HEADER",
                        input.names().join(", ")
                    ),
                )
            })?),
        };
        Ok(Columns {
            group,
            timestamp: input.require("timestamp", &KNOWN_COLUMNS)?,
            image: input.require("image", &KNOWN_COLUMNS)?,
            account: input.find("account")?,
            source: input.find("source")?,
            status: input.find("status")?,
            risk: input.find("risk")?,
            scan_id: input.find("scan_id")?,
        })
    }
}

impl ScanLog {
    /// Read and merge `paths` as `options` say, each file whole on one core,
    /// sorted; `-` is standard input, gzip is recognised by content
    /// (`testkit`: the commands read through the replay entry).
    #[cfg(feature = "testkit")]
    pub fn read_paths(paths: &[String], zone: Zone, options: &ReadOptions) -> Result<ScanLog> {
        let mut log = ScanLog::default();
        for path in paths {
            log.read_path(path, zone, options, None)?;
        }
        log.sort();
        Ok(log)
    }

    /// Read one more path whole (unsorted); `size` is the file's size when
    /// known, so the events can be sized for it.
    pub(crate) fn read_path(
        &mut self,
        path: &str,
        zone: Zone,
        options: &ReadOptions,
        size: Option<u64>,
    ) -> Result<()> {
        let name = if path == "-" { STDIN_NAME } else { path };
        let (mut reader, gzip) = open_input_gzip(path)?;
        let result = self.read_one_sized(options, name, &mut reader, zone, size);
        gzip_verdict(name, gzip, &mut reader, result)
    }

    /// Read one more path as [`ScanLog::read_each`] does, handing each row
    /// to `each` instead of keeping it.
    pub(crate) fn read_path_each(
        &mut self,
        path: &str,
        zone: Zone,
        options: &ReadOptions,
        each: impl FnMut(&ScanLog, ReadRow<'_>) -> bool,
    ) -> Result<()> {
        let name = if path == "-" { STDIN_NAME } else { path };
        let (mut reader, gzip) = open_input_gzip(path)?;
        let result = self.read_each(options, name, &mut reader, zone, each);
        gzip_verdict(name, gzip, &mut reader, result)
    }

    /// One plain file read in `pieces` pieces on `threads` threads whatever
    /// its size; `None` when the file must be read whole instead. The replay
    /// entry decides when this pays; tests call it directly (`testkit`).
    #[cfg(feature = "testkit")]
    pub fn read_file_in_pieces(
        path: &str,
        zone: Zone,
        options: &ReadOptions,
        threads: usize,
        pieces: usize,
    ) -> Result<Option<ScanLog>> {
        let size = std::fs::metadata(path)
            .map_err(|err| Error::io(path, err))?
            .len();
        let mut log = ScanLog::default();
        if !log.read_in_pieces(options, path, size, zone, threads, pieces)? {
            return Ok(None);
        }
        log.sort();
        Ok(Some(log))
    }

    /// Read one more log from any reader (decompressed already), keeping no
    /// texts and no `--by` key.
    pub fn read_one(&mut self, name: &str, reader: impl Read, zone: Zone) -> Result<()> {
        self.read_one_with(&ReadOptions::default(), name, reader, zone)
    }

    /// [`ScanLog::read_one`] as `options` say.
    pub fn read_one_with(
        &mut self,
        options: &ReadOptions,
        name: &str,
        reader: impl Read,
        zone: Zone,
    ) -> Result<()> {
        self.read_one_sized(options, name, reader, zone, None)
    }

    /// [`ScanLog::read_one`] for an input of `size` bytes, if known: after the
    /// first rows the event vector is sized for the whole file at once, so a
    /// large log does not pay for repeated doubling (and its memory peaks).
    fn read_one_sized(
        &mut self,
        options: &ReadOptions,
        name: &str,
        reader: impl Read,
        zone: Zone,
        size: Option<u64>,
    ) -> Result<()> {
        let mut events = std::mem::take(&mut self.events);
        let start = events.len();
        let result = self.read_each(options, name, reader, zone, |_, read| {
            let byte = read.byte;
            events.push(read.event);
            if let Some(size) = size
                && events.len() - start == SAMPLE_ROWS
            {
                let expected = start + rows_expected(size, SAMPLE_ROWS, byte);
                events.reserve_exact(expected.saturating_sub(events.len()));
            }
            true
        });
        self.events = events;
        result
    }

    /// Read one log, handing each event (with its image's [`fingerprint`]
    /// and the byte offset its row starts at) to `each` instead of keeping it;
    /// `each` returns false to stop reading early. Interned names and the
    /// file name are kept in `self` as usual.
    pub(crate) fn read_each(
        &mut self,
        options: &ReadOptions,
        name: &str,
        reader: impl Read,
        zone: Zone,
        each: impl FnMut(&ScanLog, ReadRow<'_>) -> bool,
    ) -> Result<()> {
        let file = u32::try_from(self.files.len()).map_err(|_| {
            Error::input(
                Location::file(name),
                format!("is one input too many; give at most {MAX_FILES} logs"),
            )
        })?;
        self.files.push(name.to_string());
        let mut reader = std::io::BufReader::with_capacity(1 << 16, reader);
        let head = Head::read(&mut reader).map_err(|err| Error::io(name, err))?;
        let json = matches!(head.first_byte(), Some(b'{' | b'['));
        let jsonl = match options.formats.format {
            Some(LogFormat::Jsonl) => true,
            Some(LogFormat::Csv) | None => {
                head.first_byte() == Some(b'{') && head.first_line_is_a_scan_row(&options.layout)
            }
            Some(_) => false,
        };
        let named = options
            .formats
            .format
            .filter(|f| !matches!(f, LogFormat::Csv | LogFormat::Jsonl));
        // The bytes looked at are read again, after the BOM if any.
        let reader = std::io::Cursor::new(head.bytes).chain(reader);
        if jsonl {
            return self.read_json_lines(options, file, name, reader, zone, each);
        }
        if json {
            return self.read_documents(options, file, name, reader, zone, each);
        }
        if let Some(format) = named {
            return Err(Error::input(
                Location::file(name).line(1),
                format!(
                    "is not JSON, so not a {} document; give the JSON the tool wrote, or drop --log-format",
                    format.name()
                ),
            ));
        }
        self.read_csv(options, (file, name), reader, zone, PLAIN_CHUNK, each)
    }

    /// The rows of a CSV log: its header, then plain rows cut at their
    /// delimiters `plain_chunk` bytes at a time (0: none,
    /// `crate::input::plain_csv`), and from the first row that is not plain
    /// on, the csv crate's reading. A header that is not one plain line
    /// leaves the whole file to the csv crate.
    fn read_csv(
        &mut self,
        options: &ReadOptions,
        (file, name): (u32, &str),
        mut reader: impl std::io::BufRead,
        zone: Zone,
        plain_chunk: usize,
        mut each: impl FnMut(&ScanLog, ReadRow<'_>) -> bool,
    ) -> Result<()> {
        let mut header = Vec::new();
        if plain_chunk > 0 {
            (&mut reader)
                .take(MAX_RECORD_BYTES)
                .read_until(b'\n', &mut header)
                .map_err(|err| Error::io(name, err))?;
        }
        // A blank first line is skipped by the csv crate, which then takes
        // the next as the header: not one plain line.
        let plain_header = header.len() > 1
            && header.last() == Some(&b'\n')
            && memchr::memchr2(b'"', b'\r', &header).is_none();
        fn open<R: Read>(name: &str, options: &ReadOptions, reader: R) -> Result<CsvInput<R>> {
            CsvInput::with_layout(
                name,
                "scan log",
                "timestamp,image",
                reader,
                &options.layout,
                &options.known_columns(),
            )
        }
        // A CSV log without the `--by` column is refused by `Columns::of`.
        self.by_key_seen |= options.group_column.is_some();
        if !plain_header {
            let input = open(name, options, std::io::Cursor::new(header).chain(reader))?;
            let columns = Columns::of(&input, options.group_column.as_deref())?;
            return self.read_csv_rows(options, file, input, &columns, zone, each);
        }
        let input = open(name, options, &header[..])?;
        let columns = Columns::of(&input, options.group_column.as_deref())?;
        let names = input.names().to_vec();
        drop(input);
        let header_bytes = header.len() as u64;
        let layout = PlainLayout {
            name,
            kind: "scan log",
            names: &names,
            delimiter: options.layout.delimiter,
        };
        let plain = read_plain_rows(&mut reader, &layout, plain_chunk, |mut row| {
            row.line += 1;
            row.byte += header_bytes;
            let read = self.parse_row(options, file, &row, &columns, zone)?;
            Ok(each(self, read))
        })?;
        if plain.stopped {
            return Ok(());
        }
        let rest = std::io::Cursor::new(plain.rest).chain(reader);
        let input = CsvInput::headless(name, "scan log", names, rest, &options.layout)
            .starting_after(1 + plain.newlines, header_bytes + plain.consumed);
        self.read_csv_rows(options, file, input, &columns, zone, each)
    }

    /// Every row `input` (the csv crate) still holds, handed to `each` until
    /// it returns false.
    fn read_csv_rows(
        &mut self,
        options: &ReadOptions,
        file: u32,
        mut input: CsvInput<impl Read>,
        columns: &Columns,
        zone: Zone,
        mut each: impl FnMut(&ScanLog, ReadRow<'_>) -> bool,
    ) -> Result<()> {
        let mut record = csv::ByteRecord::new();
        while input.read(&mut record)? {
            let row = input.row(&record);
            let read = self.parse_row(options, file, &row, columns, zone)?;
            if !each(self, read) {
                break;
            }
        }
        Ok(())
    }

    /// A JSON Lines log: one object a line with the CSV columns as keys
    /// (`timestamp` a string or integer Unix seconds; unknown keys ignored).
    /// Each object becomes the row a CSV log would hold, so every value is
    /// checked, and every message worded, exactly as for CSV.
    fn read_json_lines(
        &mut self,
        options: &ReadOptions,
        file: u32,
        name: &str,
        mut reader: impl std::io::BufRead,
        zone: Zone,
        mut each: impl FnMut(&ScanLog, ReadRow<'_>) -> bool,
    ) -> Result<()> {
        let layout = &options.layout;
        // A required key that `--column` reads as another column leaves none
        // for it, as in a CSV log.
        for column in ["timestamp", "image"] {
            layout.refuse_taken(name, column, "key")?;
        }
        // The key each column is read from, folded (`--column`).
        let mut names: Vec<String> = KNOWN_COLUMNS
            .iter()
            .map(|c| layout.header_of(c).to_string())
            .collect();
        names.extend(
            options
                .group_column
                .as_deref()
                .map(|c| layout.header_of(c).to_string()),
        );
        // A column whose own key is read as another column reads none, as
        // in a CSV log: a name no folded key can be (it starts with a space).
        let folded_names: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(index, name)| match KNOWN_COLUMNS.get(index) {
                Some(column) if layout.read_as_another(column).is_some() => {
                    " (read as another column)".to_string()
                }
                _ => fold_key(name),
            })
            .collect();
        let columns = keyed_columns(options);
        let mut bytes = Vec::new();
        let mut record = csv::ByteRecord::new();
        let (mut line, mut offset) = (0u64, 0u64);
        let mut classified = false;
        // Whether any object has the `--by` key, and the first's keys: a
        // file without it is noted, and refused when no log given has it
        // ([`ScanLog::notes`]): a misspelt key would put every scan in the
        // empty group without a word.
        let mut group_seen = options.group_column.is_none();
        let mut first_keys: Vec<String> = Vec::new();
        loop {
            bytes.clear();
            // One record at most, plus a byte to know it is over.
            let read = std::io::BufRead::read_until(
                &mut (&mut reader).take(MAX_RECORD_BYTES + 1),
                b'\n',
                &mut bytes,
            )
            .map_err(|err| Error::io(name, err))?;
            if read == 0 {
                if options.group_column.is_some() && classified {
                    if group_seen {
                        self.by_key_seen = true;
                    } else {
                        // Refused once every input is read, if none had
                        // the key; else noted ([`ScanLog::notes`]).
                        self.by_key_absent.push((name.to_string(), first_keys));
                    }
                }
                return Ok(());
            }
            line += 1;
            if read as u64 > MAX_RECORD_BYTES {
                return Err(Error::input(
                    Location::file(name).line(line),
                    format!(
                        "the line is over {}, the limit for one record of a JSON Lines scan log; a record holds a timestamp, an image and a few short keys (is this the right file?)",
                        describe(MAX_RECORD_BYTES)
                    ),
                ));
            }
            let byte = offset;
            offset += read as u64;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let at = Location::file(name).line(line);
            let Members(members) = serde_json::from_slice(&bytes).map_err(|err| {
                    if let Some(cr) = lone_cr(&bytes) {
                        return Error::input(
                            at.clone().column(cr as u64 + 1),
                            "the lines end in CR only (old Mac line ends), which JSON Lines does not take; end them in LF or CRLF, e.g. tr '\\r' '\\n' < old.jsonl > new.jsonl",
                        );
                    }
                    // serde counts lines within the one line it was given.
                    let text = err.to_string();
                    if text.starts_with("recursion limit exceeded") {
                        // serde_json's guard against a stack overflow: say
                        // what the limit is, not how it is enforced.
                        return Error::input(
                            at.clone().column(err_column(&text)),
                            "nests arrays or objects more than 128 deep, the most a JSON Lines row may; flatten the row's values (a log row is one object of plain values)",
                        );
                    }
                    let err = text.rfind(" at line ").map_or(text.as_str(), |cut| &text[..cut]);
                    Error::input(
                        at.clone().column(err_column(&text)),
                        format!(
                            "is not one JSON object ({err}); a JSON Lines log holds one object a line, e.g. {{\"timestamp\": \"2024-03-15T14:00:00Z\", \"image\": \"sha256:…\"}}"
                        ),
                    )
                })?;
            let object = fold_keys(members, &at, &folded_names)?;
            if !classified {
                if !layout.columns.is_empty() {
                    let keys: Vec<String> = object.keys().cloned().collect();
                    layout.check(name, "scan log", &keys, &options.known_columns())?;
                }
                classify_json(name, line, &object, layout)?;
                classified = true;
                if !group_seen {
                    first_keys = object
                        .keys()
                        .take(12)
                        .map(|key| crate::input::csv_input::shorten(key).to_string())
                        .collect();
                }
            }
            record.clear();
            for (column, key) in KNOWN_COLUMNS.iter().zip(&folded_names) {
                let key = key.as_str();
                match object.get(key) {
                    None | Some(serde_json::Value::Null) => {
                        if matches!(*column, "timestamp" | "image") {
                            return Err(Error::input(
                                at.key(key),
                                format!(
                                    "the object has no `{key}`; every line needs `timestamp` and `image`"
                                ),
                            ));
                        }
                        record.push_field(b"");
                    }
                    Some(serde_json::Value::String(text)) => {
                        refuse_line_break(&at, key, text)?;
                        record.push_field(text.as_bytes())
                    }
                    Some(serde_json::Value::Number(number))
                        if number.is_i64() || number.is_u64() =>
                    {
                        record.push_field(number.to_string().as_bytes())
                    }
                    Some(other) => {
                        // A number as written: serde_json holds a huge one
                        // as a float (`1e+26`).
                        let written = match other {
                            serde_json::Value::Number(_) => raw_value(&bytes, key),
                            _ => None,
                        }
                        .unwrap_or_else(|| other.to_string());
                        let fix = match other {
                            serde_json::Value::Number(_) if *column == "timestamp" => {
                                "is not integer Unix seconds in range; write seconds since 1970 (e.g. 1711893600) or a string such as \"2024-04-01T00:00:00Z\""
                            }
                            _ => {
                                "is not a string; write the value as a JSON string (timestamps may also be integer Unix seconds)"
                            }
                        };
                        return Err(Error::input(
                            at.key(key),
                            format!("`{}` {fix}", crate::input::csv_input::shorten(&written)),
                        ));
                    }
                }
            }
            // The `--by` key, folded, follows the canonical columns' keys.
            if let Some(key) = folded_names.get(KNOWN_COLUMNS.len()) {
                // A row without the key belongs to the empty group.
                let value = object.get(key);
                group_seen |= value.is_some();
                // Text or an integer, as the canonical keys take: a float
                // would be named as serde_json prints it (`1e2` as `100.0`),
                // and an object or `true` is no team.
                match value {
                    None | Some(serde_json::Value::Null) => record.push_field(b""),
                    Some(serde_json::Value::String(text)) => {
                        refuse_line_break(&at, key, text)?;
                        record.push_field(text.as_bytes())
                    }
                    Some(serde_json::Value::Number(number))
                        if number.is_i64() || number.is_u64() =>
                    {
                        record.push_field(number.to_string().as_bytes())
                    }
                    Some(other) => {
                        let written = match other {
                            serde_json::Value::Number(_) => raw_value(&bytes, key),
                            _ => None,
                        }
                        .unwrap_or_else(|| other.to_string());
                        // An integer past 64 bits is taken as written.
                        let digits = written.strip_prefix('-').unwrap_or(&written);
                        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                            return Err(Error::input(
                                at.key(key),
                                format!(
                                    "`{}` is not a string; write the --by value as a JSON string (or an integer)",
                                    crate::input::csv_input::shorten(&written)
                                ),
                            ));
                        }
                        record.push_field(written.as_bytes());
                    }
                }
            }
            let row = Row::keyed(name, "scan log", &names, line, byte, &record);
            let read = self.parse_row(options, file, &row, &columns, zone)?;
            if !each(self, read) {
                return Ok(());
            }
        }
    }

    /// Scanner reports and registry events: every row made from them is
    /// checked, and its messages worded, as a CSV row would be.
    fn read_documents(
        &mut self,
        options: &ReadOptions,
        file: u32,
        name: &str,
        reader: impl Read,
        zone: Zone,
        mut each: impl FnMut(&ScanLog, ReadRow<'_>) -> bool,
    ) -> Result<()> {
        if let Some(column) = &options.group_column
            && !formats::EXTRA_COLUMNS.contains(&column.as_str())
        {
            // Refused as a CSV log without the column is: a misspelt key
            // would put every scan in the empty group without a word.
            return Err(Error::input(
                Location::file(name).key(column),
                format!(
                    "--by {column}: rows made from scanner reports and registry events have no `{column}` column; their columns are: {} (artifact and repository from Trivy and Grype; repository, namespace and tag from Harbor)",
                    formats::EXTRA_COLUMNS.join(", ")
                ),
            ));
        }
        // A column the documents make is the key's, as a CSV log's column is.
        self.by_key_seen |= options.group_column.is_some();
        let mut names: Vec<String> = Vec::new();
        let columns = keyed_columns(options);
        let mut skipped = std::mem::take(&mut self.skipped);
        let mut record = csv::ByteRecord::new();
        let mut last_line = None;
        let result = formats::read_documents(
            name,
            reader,
            &options.formats,
            &mut skipped,
            |row: Record| {
                if last_line.replace(row.line) == Some(row.line) {
                    self.lines_shared = true;
                }
                record.clear();
                for field in [
                    row.timestamp.as_str(),
                    row.image.as_str(),
                    "",
                    row.source,
                    row.status,
                    row.risk,
                    row.scan_id.as_str(),
                ] {
                    record.push_field(field.as_bytes());
                }
                if let Some(column) = &options.group_column {
                    let key = row.extra.get(column.as_str()).map_or("", String::as_str);
                    record.push_field(key.as_bytes());
                }
                if names.is_empty() {
                    // Messages name the key the document has, not our column.
                    names = row
                        .format
                        .row_keys()
                        .iter()
                        .map(|k| k.to_string())
                        .collect();
                    names.extend(options.group_column.clone());
                }
                let cells = Row::keyed(name, "scan log", &names, row.line, 0, &record);
                let read = self.parse_row(options, file, &cells, &columns, zone)?;
                Ok(each(self, read))
            },
        );
        self.skipped = skipped;
        result.map(|_| ())
    }

    /// Lines for stderr about what the logs held, once every input is read:
    /// registry events and documents that made no row, account names that
    /// differ only in case (billed apart, as written, but likely one account
    /// typed twice), and JSON Lines files none of whose rows has the `--by`
    /// key (its scans are in `(none)`). When no input at all has the key,
    /// the key is almost surely misspelt, and it is refused instead, as a
    /// CSV log without the column is.
    pub(crate) fn notes(&self, options: &ReadOptions) -> Result<String> {
        let mut notes =
            formats::skipped_note(&self.skipped) + &accounts_written_two_ways(&self.accounts);
        if let Some(column) = options.group_column.as_deref() {
            notes += &written_two_ways(
                &self.groups,
                &format!(
                    "`--by {column}` values that differ only in case or Unicode form are shown as separate groups"
                ),
                "write each group one way in the logs if they are one",
            );
        }
        let (Some(column), Some((first, keys))) =
            (options.group_column.as_deref(), self.by_key_absent.first())
        else {
            return Ok(notes);
        };
        let key = options.layout.header_of(column);
        if !self.by_key_seen {
            return Err(Error::input(
                Location::file(first).key(key),
                format!(
                    "--by {column}: no line of the JSON Lines log has a `{key}` key; the first line's keys are: {}; or give --column {column}=KEY",
                    keys.join(", ")
                ),
            ));
        }
        let files: Vec<String> = self
            .by_key_absent
            .iter()
            .take(3)
            .map(|(name, _)| format!("`{}`", shown(name)))
            .collect();
        let more = match self.by_key_absent.len().saturating_sub(3) {
            0 => String::new(),
            more => format!(" and {more} more"),
        };
        notes += &format!(
            "scanquota: --by {column}: no line of {}{more} has a `{key}` key; their scans are in the group (none)\n",
            files.join(", ")
        );
        Ok(notes)
    }

    /// Put events in replay order: by time, ties in input order (a stable sort).
    pub fn sort(&mut self) {
        self.sort_on(1);
    }

    /// [`ScanLog::sort`] on `threads` threads: a large log whose rows have
    /// lines of their own is grouped in place into stretches of time (a
    /// counting sort by stretch, as by account), and the threads sort the
    /// stretches, each in cache. One sort of the whole log ran on one core
    /// through memory, the ledger's longest step on a shuffled log.
    pub fn sort_on(&mut self, threads: usize) {
        if self.lines_shared || threads <= 1 || self.events.len() < SORT_IN_STRETCHES_FROM {
            (self.run_sort())(&mut self.events);
            return;
        }
        sort_in_stretches(&mut self.events, threads, STRETCH_EVENTS);
    }

    /// How to put one account's events (or the whole log's) in replay order:
    /// by time, ties in input order. Events are kept in input order, and
    /// (file, line) is that order when every row has a line of its own: an
    /// unstable sort on the full key then equals a stable sort by time,
    /// without a stable sort's scratch buffer (half the events). Rows that
    /// share a line ([`ScanLog::lines_shared`]) need the stable sort. After
    /// [`ScanLog::group_by_account`], this on each account's run is one sort
    /// by (account, time, file, line); a run sorted alone stays in cache,
    /// which a sort of the whole log cannot.
    pub fn run_sort(&self) -> fn(&mut [ScanEvent]) {
        if self.lines_shared {
            |run| run.sort_by_key(|event| (event.at, event.file, event.line))
        } else {
            sort_in_replay_order
        }
    }

    /// Put events in account order, each account's in replay order: the
    /// order [`crate::engine::meter::sort_and_replay_by_account`] replays
    /// in (ties keep the input order, as in [`ScanLog::sort`]). The replay
    /// does this account by account itself; this whole-log form is what
    /// its tests compare with.
    pub fn sort_by_account(&mut self, threads: usize) {
        self.group_by_account(threads);
        let sort_run = self.run_sort();
        for run in self.events.chunk_by_mut(|a, b| a.account == b.account) {
            sort_run(run);
        }
    }

    /// Put events in account order, each account's in no particular order:
    /// [`ScanLog::sort_by_account`] except that each account's run is left
    /// for [`ScanLog::run_sort`], which a replay calls just before it replays
    /// the run (while the run is in cache). With `threads` > 1 the events are
    /// first split in place into groups of whole accounts, and the groups are
    /// grouped at once; rows that share a line are grouped by one stable sort
    /// instead, which keeps each account's events in input order.
    pub fn group_by_account(&mut self, threads: usize) {
        if self.lines_shared {
            self.events.sort_by_key(|event| event.account);
            return;
        }
        let counting = if self.events.len() < THREADED_COUNT_FROM {
            1
        } else {
            threads
        };
        let account = |event: &ScanEvent| event.account;
        let counts = count_by(&self.events, self.accounts.len(), counting, &account);
        group_by_id(
            &mut self.events,
            0..counts.len() as u32,
            &counts,
            threads,
            &account,
        );
    }

    /// The key replay compares scan ids by: the interned id + 1 when texts
    /// are kept (exact), else a 64-bit hash of the text (never 0).
    fn scan_key(&mut self, text: &str, keep_text: bool) -> Option<u64> {
        if text.is_empty() {
            return Some(0);
        }
        if keep_text {
            return self.scan_ids.intern(text).map(|id| u64::from(id) + 1);
        }
        use std::hash::BuildHasher;
        Some(SCAN_ID_HASH.hash_one(text).max(1))
    }

    /// The scan id text of an event, when texts were kept (the scan id
    /// table is empty when they were not).
    pub fn scan_id_text(&self, event: &ScanEvent) -> Option<&str> {
        (!self.scan_ids.is_empty() && event.scan_key != 0)
            .then(|| self.scan_ids.name((event.scan_key - 1) as u32))
    }

    /// What identifies `event`'s image within the run, as the meter keys
    /// it: its fingerprint when the log was read
    /// [`ReadOptions::images_by_row`], else its interned id.
    #[inline]
    pub fn image_key(&self, event: &ScanEvent) -> u128 {
        let account_images = self.row_images.get(event.account as usize);
        image_key(account_images.map_or(&[], Vec::as_slice), event)
    }

    /// Keep `fingerprint` as the next row image of `account`
    /// ([`ReadOptions::images_by_row`]): its index in the account's list,
    /// `None` past four billion rows of one account.
    pub(crate) fn keep_row_image(&mut self, account: u32, fingerprint: u128) -> Option<u32> {
        let account = account as usize;
        if self.row_images.len() <= account {
            self.row_images.resize_with(account + 1, Vec::new);
        }
        let images = &mut self.row_images[account];
        let index = u32::try_from(images.len()).ok()?;
        images.push(fingerprint);
        Some(index)
    }

    pub fn location(&self, event: &ScanEvent) -> String {
        format!("{}:{}", self.files[event.file as usize], event.line)
    }

    fn parse_row<'row>(
        &mut self,
        options: &ReadOptions,
        file: u32,
        row: &Row<'row>,
        columns: &Columns,
        zone: Zone,
    ) -> Result<ReadRow<'row>> {
        let cell = |index| row.cell(index);
        let optional = |index| row.optional(index);
        let fail = |index, value: &str, fix: &str| row.fail(index, value, fix);
        let line = row.line;
        let zone = options.log_zone.unwrap_or(zone);

        let timestamp_text = cell(columns.timestamp)?;
        let at = parse_timestamp(timestamp_text, zone).map_err(|err| {
            fail(
                columns.timestamp,
                timestamp_text,
                &format!("is not a usable timestamp; {err}"),
            )
        })?;

        let image_text = row.trimmed(columns.image)?;
        if image_text.is_empty() {
            return Err(fail(
                columns.image,
                image_text,
                "is empty; every row needs the image it scanned, e.g. sha256:…",
            ));
        }
        let too_many = |index: usize, value: &str, what: &str| {
            fail(
                index,
                value,
                &format!(
                    "is one distinct {what} too many (the most is 4 294 967 296); split the log"
                ),
            )
        };
        let image_fingerprint = if options.only_checked {
            0
        } else {
            fingerprint(image_text)
        };
        // By row, the image is kept once the row is known good (below).
        let by_row = options.images_by_row && !options.keep_texts && !options.images_by_fingerprint;
        let image = if options.images_by_fingerprint || by_row {
            0
        } else {
            self.images
                .intern_fingerprinted(image_fingerprint, options.keep_texts.then_some(image_text))
                .ok_or_else(|| too_many(columns.image, image_text, "image"))?
        };

        let account_text = optional(columns.account)?;
        let known_accounts = self.accounts.len();
        let account = self
            .accounts
            .intern(if account_text.is_empty() {
                "default"
            } else {
                account_text
            })
            .ok_or_else(|| too_many(columns.account.unwrap_or(0), account_text, "account"))?;
        // Checked once per account, when it is first seen: a name is printed
        // in every view, and an escape sequence would reach the terminal.
        if self.accounts.len() > known_accounts && has_hidden(account_text) {
            self.accounts.truncate(known_accounts);
            return Err(fail(
                columns.account.unwrap_or(0),
                &shown(account_text),
                HIDDEN_IN_ACCOUNT,
            ));
        }

        let source_text = optional(columns.source)?;
        let source = if source_text.is_empty() {
            Source::Registry
        } else {
            Source::parse(source_text).ok_or_else(|| {
                fail(
                    columns.source.unwrap_or(0),
                    source_text,
                    "is not a source; write local, registry or cicd",
                )
            })?
        };

        let status_text = optional(columns.status)?;
        let status = match status_text {
            "" => ScanStatus::Success,
            _ if status_text.eq_ignore_ascii_case("success") => ScanStatus::Success,
            _ if status_text.eq_ignore_ascii_case("failed") => ScanStatus::Failed,
            _ => {
                return Err(fail(
                    columns.status.unwrap_or(0),
                    status_text,
                    "is not a status; write success or failed",
                ));
            }
        };

        let risk_text = optional(columns.risk)?;
        let risk = Risk::parse(risk_text).ok_or_else(|| {
            fail(
                columns.risk.unwrap_or(0),
                risk_text,
                "is not a risk level; write high, medium, low, none or leave it empty",
            )
        })?;

        let scan_id_text = optional(columns.scan_id)?;
        let scan_key = if options.only_checked && !options.keep_texts {
            Some(u64::from(!scan_id_text.is_empty()))
        } else {
            self.scan_key(scan_id_text, options.keep_texts)
        };
        let scan_key = scan_key
            .ok_or_else(|| too_many(columns.scan_id.unwrap_or(0), scan_id_text, "scan id"))?;

        let group = match columns.group {
            None => 0,
            Some(index) => {
                let key = optional(Some(index))?;
                if key.len() > MAX_GROUP_BYTES {
                    return Err(fail(
                        index,
                        key,
                        &format!(
                            "is longer than {MAX_GROUP_BYTES} bytes; --by keys are short names such as a team or namespace"
                        ),
                    ));
                }
                if has_hidden(key) {
                    return Err(fail(
                        index,
                        &shown(key),
                        "holds a control character, an invisible character or a mark that reorders text; --by keys are plain text",
                    ));
                }
                if [NO_GROUP, UNUSED_GROUP, SHARED_GROUP].contains(&key) {
                    return Err(fail(
                        index,
                        key,
                        "is a name scanquota gives its own rows ((none): rows without a --by value; (unused), (shared): charges no group drew), so this group's figures would read as those; rename the group in the log",
                    ));
                }
                self.groups
                    .intern(if key.is_empty() { NO_GROUP } else { key })
                    .ok_or_else(|| too_many(index, key, "--by key"))?
            }
        };

        let image = if by_row {
            self.keep_row_image(account, image_fingerprint).ok_or_else(|| {
                fail(
                    columns.image,
                    image_text,
                    "is on one row too many of its account for a report held in memory (the most is 4 294 967 296); split the log by time (docs/scale.md)",
                )
            })?
        } else {
            image
        };
        let event = ScanEvent {
            group,
            at,
            account,
            image,
            scan_key,
            source,
            status,
            risk,
            file,
            line,
        };
        Ok(ReadRow {
            event,
            image: image_fingerprint,
            byte: row.byte,
            image_text,
            scan_id_text,
        })
    }
}

/// The rows a reader of a sized input reads before it sizes its arrays for
/// all of them ([`rows_expected`]).
pub(crate) const SAMPLE_ROWS: usize = 4096;

/// The rows `size` bytes hold, two in a hundred more, if `rows` took
/// `bytes`: an array sized for them at once does not grow by doubling,
/// which copies it and touches fresh pages each time (and holds two copies
/// at its peak). 0 when nothing was measured.
pub(crate) fn rows_expected(size: u64, rows: usize, bytes: u64) -> usize {
    if bytes == 0 {
        return 0;
    }
    let estimate = u128::from(size) * rows as u128 / u128::from(bytes);
    usize::try_from(estimate + estimate / 50).unwrap_or(0)
}

/// Events from which counting them by account pays for a thread of its own.
const THREADED_COUNT_FROM: usize = 1 << 20;

/// Logs of this many events or more are sorted in stretches of time.
const SORT_IN_STRETCHES_FROM: usize = 1 << 20;

/// The fewest events a stretch of time holds on average, when its times
/// are spread evenly (one to four times this: a few MB, sorted in cache).
const STRETCH_EVENTS: usize = 1 << 16;

/// The earliest and the latest time of `events`, if any.
fn time_span(events: &[ScanEvent]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    events.iter().fold(None, |span, event| match span {
        None => Some((event.at, event.at)),
        Some((first, last)) => Some((event.at.min(first), event.at.max(last))),
    })
}

/// Sort `events` (rows with lines of their own) by (time, file, line) on
/// `threads` threads: grouped in place by stretch of time (at least
/// `stretch_events` each on average when times are spread evenly; seconds from
/// the first, shifted right, so stretches follow each other in time and
/// equal times share one), then each stretch sorted on its own
/// ([`sort_in_replay_order`]), the threads taking the next stretch left.
/// Times crowded into one stretch make it long, which is slower, never
/// wrong. A property test pins it to the sort by the fields.
fn sort_in_stretches(events: &mut [ScanEvent], threads: usize, stretch_events: usize) {
    let Some((first, last)) = time_span(events) else {
        return;
    };
    let base = first.timestamp();
    let widest = (last.timestamp() - base) as u64;
    // Stretches: the largest power of two at most events / stretch_events.
    let stretch_bits = (events.len() / stretch_events.max(1)).max(1).ilog2();
    let shift = (u64::BITS - widest.leading_zeros()).saturating_sub(stretch_bits);
    let stretches = (widest >> shift) as usize + 1;
    let stretch = move |event: &ScanEvent| ((event.at.timestamp() - base) as u64 >> shift) as u32;
    let counts = count_by(events, stretches, threads, &stretch);
    group_by_id(events, 0..stretches as u32, &counts, threads, &stretch);
    let mut runs = Vec::with_capacity(stretches);
    let mut rest = events;
    for count in counts {
        let (run, after) = rest.split_at_mut(count);
        runs.push(run);
        rest = after;
    }
    let runs = std::sync::Mutex::new(runs.into_iter());
    let next = || {
        runs.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .next()
    };
    std::thread::scope(|scope| {
        let work = || {
            while let Some(run) = next() {
                sort_in_replay_order(run);
            }
        };
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
}

/// The most events a run sorts through its array of times (16 bytes an
/// event, 24 MB of events): moving each event once along the permutation's
/// cycles reads them in random order, which pays while they are in cache.
/// A larger run (one huge account, a whole log) is sorted in place, as
/// before, which also keeps its memory.
const TIMED_SORT_MAX: usize = 1 << 19;

/// Sort `run`, events with lines of their own, by (time, file, line). A
/// comparison of those fields branches on each of the time's date, seconds
/// and nanoseconds, then file and line, and the sort moves 48 bytes at a
/// time (a sixth of a shuffled report's CPU): here each event's time is
/// made one integer, once; the (time, position) pairs are sorted, pairs
/// with equal times (rare) put in (file, line) order, and each event is
/// then moved once, in place, along the permutation's cycles. A property
/// test pins it to the sort by the fields.
fn sort_in_replay_order(run: &mut [ScanEvent]) {
    let by_fields = |event: &ScanEvent| (event.at, event.file, event.line);
    if run.len() > TIMED_SORT_MAX {
        run.sort_unstable_by_key(by_fields);
        return;
    }
    let Some((first, last)) = time_span(run) else {
        return;
    };
    let base = first.timestamp();
    // Seconds from the first in 33 bits (272 years), nanoseconds in 31 (a
    // leap second's run to 1 999 999 999).
    if last.timestamp() - base >= 1 << 33 {
        run.sort_unstable_by_key(by_fields);
        return;
    }
    let time = |event: &ScanEvent| {
        ((event.at.timestamp() - base) as u64) << 31 | u64::from(event.at.timestamp_subsec_nanos())
    };
    let mut order: Vec<(u64, u32)> = run
        .iter()
        .enumerate()
        .map(|(position, event)| (time(event), position as u32))
        .collect();
    order.sort_unstable_by_key(|(time, _)| *time);
    for tied in order.chunk_by_mut(|a, b| a.0 == b.0) {
        if tied.len() > 1 {
            tied.sort_unstable_by_key(|(_, position)| {
                let event = &run[*position as usize];
                (event.file, event.line)
            });
        }
    }
    // `order[to].1` is the position of the event that goes to `to`; a
    // place filled is marked `DONE` (no run is that long).
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        if order[start].1 == DONE {
            continue;
        }
        let held = run[start];
        let mut to = start;
        loop {
            let from = order[to].1 as usize;
            order[to].1 = DONE;
            if from == start {
                run[to] = held;
                break;
            }
            run[to] = run[from];
            to = from;
        }
    }
}

/// The events of each of `ids` ids (`id` of an event below `ids`), counted
/// on `threads` threads (a pass over every event that one core would do
/// alone while the other waits).
fn count_by(
    events: &[ScanEvent],
    ids: usize,
    threads: usize,
    id: &(impl Fn(&ScanEvent) -> u32 + Sync),
) -> Vec<usize> {
    let count = |events: &[ScanEvent]| {
        let mut counts = vec![0usize; ids];
        for event in events {
            counts[id(event) as usize] += 1;
        }
        counts
    };
    if threads <= 1 || events.is_empty() {
        return count(events);
    }
    let part = events.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = events
            .chunks(part)
            .map(|events| scope.spawn(move || count(events)))
            .collect();
        let mut counts = vec![0usize; ids];
        for part in parts {
            let part = part
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            counts.iter_mut().zip(part).for_each(|(sum, n)| *sum += n);
        }
        counts
    })
}

/// Group `events`, whose `id`s are the ids `ids` (an account's, or a
/// stretch of time's), by id (in ascending order) on `threads` threads.
fn group_by_id(
    events: &mut [ScanEvent],
    ids: std::ops::Range<u32>,
    counts: &[usize],
    threads: usize,
    id: &(impl Fn(&ScanEvent) -> u32 + Sync),
) {
    if threads <= 1 || ids.len() <= 1 {
        place_by_id(events, ids, counts, id);
        return;
    }
    // The first id of the second half: about half the events before it.
    let mut before = 0;
    let mut split = ids.start + 1;
    for each in ids.clone() {
        before += counts[each as usize];
        split = (each + 1).min(ids.end - 1);
        if before * 2 >= events.len() {
            break;
        }
    }
    let split = split.max(ids.start + 1);
    // Move the events of ids before `split` to the front (Hoare's two
    // cursors), then group both parts at once.
    let (mut low, mut high) = (0, events.len());
    loop {
        while low < high && id(&events[low]) < split {
            low += 1;
        }
        while low < high && id(&events[high - 1]) >= split {
            high -= 1;
        }
        if low >= high {
            break;
        }
        events.swap(low, high - 1);
    }
    let (front, back) = events.split_at_mut(low);
    let half = threads / 2;
    std::thread::scope(|scope| {
        scope.spawn(|| group_by_id(front, ids.start..split, counts, half, id));
        group_by_id(back, split..ids.end, counts, threads - half, id);
    });
}

/// Group `events`, whose `id`s are the ids `ids` with `counts` events
/// each, by id in ascending order, in place: each id's room is known from
/// the counts, so every event is moved once, straight to the next free slot
/// of its id's room (a counting sort that follows each cycle of the
/// permutation instead of copying to a second buffer: a shuffled log's
/// events are most of its memory). A comparison sort on the id made about
/// log2(ids) passes over all the events instead of one. The order within
/// an id is left for [`ScanLog::run_sort`].
fn place_by_id(
    events: &mut [ScanEvent],
    ids: std::ops::Range<u32>,
    counts: &[usize],
    id: &impl Fn(&ScanEvent) -> u32,
) {
    let first = ids.start;
    // Each id's next free slot, and the end of its room.
    let mut next = Vec::with_capacity(ids.len());
    let mut ends = Vec::with_capacity(ids.len());
    let mut at = 0;
    for each in ids {
        next.push(at);
        at += counts[each as usize];
        ends.push(at);
    }
    assert_eq!(at, events.len(), "the counts are of these events");
    for room in 0..next.len() {
        while next[room] < ends[room] {
            // Carry the event found here to its own room, then the one it
            // displaces to its room, until one belongs here.
            let mut carried = events[next[room]];
            loop {
                let own = (id(&carried) - first) as usize;
                if own == room {
                    break;
                }
                let slot = next[own];
                next[own] += 1;
                carried = std::mem::replace(&mut events[slot], carried);
            }
            events[next[room]] = carried;
            next[room] += 1;
        }
    }
}

/// Where a row made from an object (JSON Lines, or a scanner document)
/// holds each column: the canonical order, then the `--by` key.
fn keyed_columns(options: &ReadOptions) -> Columns {
    Columns {
        timestamp: 0,
        image: 1,
        account: Some(2),
        source: Some(3),
        status: Some(4),
        risk: Some(5),
        scan_id: Some(6),
        group: options.group_column.as_ref().map(|_| KNOWN_COLUMNS.len()),
    }
}

/// Open a path for reading: `-` is standard input; gzip is recognised by its
/// magic bytes (on files and standard input alike), not by the name.
/// Reading shows progress on a terminal (see [`crate::input::progress`]).
pub(crate) fn open_input(path: &str) -> Result<Box<dyn Read>> {
    Ok(open_input_gzip(path)?.0)
}

/// [`open_input`], and whether the input is gzip-compressed.
fn open_input_gzip(path: &str) -> Result<(Box<dyn Read>, bool)> {
    let name = if path == "-" { STDIN_NAME } else { path };
    let (raw, size): (Box<dyn Read>, Option<u64>) = if path == "-" {
        if let Some(metadata) = stdin_metadata() {
            crate::domain::files_read::note(&metadata);
        }
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let metadata = std::fs::metadata(path).map_err(|err| Error::io(path, err))?;
        if metadata.is_dir() {
            return Err(Error::input(
                Location::file(path),
                "is a directory; give a file",
            ));
        }
        let file = crate::domain::files_read::open(path).map_err(|err| Error::io(path, err))?;
        (Box::new(file), Some(metadata.len()))
    };
    let tracked = Counted {
        inner: crate::input::progress::track(raw, name, size),
        count: 0,
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 16, tracked);
    if starts_with_gzip_magic(&mut reader).map_err(|err| Error::io(name, err))? {
        return Ok((
            Box::new(GzipReader {
                inner: MultiGzDecoder::new(reader),
            }),
            true,
        ));
    }
    let head = std::io::BufRead::fill_buf(&mut reader).map_err(|err| Error::io(name, err))?;
    if let Some((format, tool)) = compression_of(head) {
        return Err(Error::input(
            Location::file(name),
            format!(
                "is {format}-compressed, which scanquota does not read (it reads plain and gzip-compressed files); decompress it first, e.g. `{tool} -dc FILE | scanquota … --log -`"
            ),
        ));
    }
    Ok((Box::new(reader), false))
}

/// The compressions recognised by their magic bytes but not read: the
/// name and the tool that decompresses it.
fn compression_of(head: &[u8]) -> Option<(&'static str, &'static str)> {
    const KNOWN: [(&[u8], &str, &str); 3] = [
        (b"BZh", "bzip2", "bzip2"),
        (b"\x28\xB5\x2F\xFD", "zstd", "zstd"),
        (b"\xFD7zXZ\x00", "xz", "xz"),
    ];
    KNOWN
        .iter()
        .find(|(magic, _, _)| head.starts_with(magic))
        .map(|(_, format, tool)| (*format, *tool))
}

/// The budget of decompressed bytes read on, after an input error in a gzip
/// input, to learn whether the stream is damaged.
const GZIP_CHECK_BYTES: u64 = 16 << 20;

/// A damaged gzip payload inflates to garbage before the damage is found
/// (the checksum is checked at the end): when reading a gzip input failed
/// on what it held, read on a little, and if the stream is damaged, say so
/// instead.
fn gzip_verdict<T>(name: &str, gzip: bool, reader: &mut dyn Read, result: Result<T>) -> Result<T> {
    if gzip && matches!(result, Err(Error::Input { .. })) {
        let mut rest = reader.take(GZIP_CHECK_BYTES);
        if let Err(err) = std::io::copy(&mut rest, &mut std::io::sink()) {
            let damaged = Error::io(name, err);
            if matches!(damaged, Error::Input { .. }) {
                return Err(damaged);
            }
        }
    }
    result
}

/// Counts the bytes read through it: the compressed offset of a gzip input.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.count += read as u64;
        Ok(read)
    }
}

/// The start of an input, read to decide its format: any leading blank
/// lines and the first line with text, at most one record long. A UTF-8
/// byte order mark is dropped (it is not part of the text).
struct Head {
    bytes: Vec<u8>,
    /// Where the first line with text starts.
    text: usize,
    /// Whether that line is whole (its line end, or the input's end, read).
    whole: bool,
}

/// A key as columns are matched: case and surrounding white space ignored
/// (as a CSV header's names are).
fn fold_key(key: &str) -> String {
    key.trim().to_lowercase()
}

/// A JSON object's members in the order written, each kept: serde_json's
/// own map would keep only the last of a key written twice.
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A JSON Lines object keyed by folded keys ([`fold_key`]); a key the
/// reader uses (`columns`, folded) written twice, or two keys that fold to it, is
/// refused.
fn fold_keys(
    members: Vec<(String, serde_json::Value)>,
    at: &Location,
    columns: &[String],
) -> Result<serde_json::Map<String, serde_json::Value>> {
    // Which column each member names, first by key as written.
    let mut written: Vec<(usize, &str)> = Vec::with_capacity(columns.len());
    for (key, _) in &members {
        let folded = folded_key(key);
        let Some(column) = columns.iter().position(|name| *name == folded) else {
            continue;
        };
        if let Some((_, first)) = written.iter().find(|(seen, _)| *seen == column) {
            let how = if first == key {
                format!("`{key}` is written twice")
            } else {
                format!("`{first}` and `{key}` are the same key (case and spaces are ignored)")
            };
            return Err(Error::input(
                at.clone().key(folded),
                format!("{how} in one object; keep one, or the row is ambiguous"),
            ));
        }
        written.push((column, key));
    }
    let mut object = serde_json::Map::with_capacity(members.len());
    for (key, value) in members {
        let key = match folded_key(&key) {
            std::borrow::Cow::Borrowed(_) => key,
            std::borrow::Cow::Owned(folded) => folded,
        };
        object.insert(key, value);
    }
    Ok(object)
}

/// [`fold_key`] without copying a key that is folded already (the usual
/// lower-case ASCII key).
fn folded_key(key: &str) -> std::borrow::Cow<'_, str> {
    let plain = key
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase());
    if plain {
        std::borrow::Cow::Borrowed(key)
    } else {
        std::borrow::Cow::Owned(fold_key(key))
    }
}

/// Whether a JSON object has a canonical scan row's keys (`timestamp` or
/// `image`, matched as [`fold_key`] says).
fn is_scan_row(object: &serde_json::Map<String, serde_json::Value>, layout: &Layout) -> bool {
    object.keys().any(|key| is_scan_key(key, layout))
}

fn is_scan_key(key: &str, layout: &Layout) -> bool {
    let key = fold_key(key);
    key == layout.header_of("timestamp") || key == layout.header_of("image")
}

impl Head {
    fn read(reader: &mut impl std::io::BufRead) -> std::io::Result<Head> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let cap = MAX_RECORD_BYTES as usize + 1;
        let mut head = Head {
            bytes: Vec::new(),
            text: usize::MAX,
            whole: false,
        };
        let mut first = true;
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                head.whole = true;
                break;
            }
            let mut skip = 0;
            if first {
                first = false;
                if buf.starts_with(BOM) {
                    skip = BOM.len();
                }
            }
            let room = cap - head.bytes.len();
            let chunk = &buf[skip..buf.len().min(skip + room)];
            let mut take = chunk.len();
            let mut from = 0;
            if head.text == usize::MAX
                && let Some(at) = chunk.iter().position(|b| !b.is_ascii_whitespace())
            {
                head.text = head.bytes.len() + at;
                from = at;
            }
            if head.text != usize::MAX
                && let Some(end) = memchr::memchr(b'\n', &chunk[from..])
            {
                take = from + end + 1;
                head.whole = true;
            }
            head.bytes.extend_from_slice(&chunk[..take]);
            reader.consume(skip + take);
            if head.whole || head.bytes.len() >= cap {
                break;
            }
        }
        Ok(head)
    }

    /// The first byte that is not white space.
    fn first_byte(&self) -> Option<u8> {
        self.bytes.get(self.text).copied()
    }

    /// Whether the first line with text is one object with a canonical scan
    /// row's keys (JSON Lines of scan rows). A multi-line document, or an
    /// object of another kind, is read as scanner or registry documents.
    fn first_line_is_a_scan_row(&self, layout: &Layout) -> bool {
        if !self.whole || self.text >= self.bytes.len() {
            return false;
        }
        match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(
            &self.bytes[self.text..],
        ) {
            // With `--column`, one object a line is a scan log of one's own.
            Ok(object) => !layout.columns.is_empty() || is_scan_row(&object, layout),
            // A line nested too deeply to hold as a value is still one line
            // of JSON: the JSON Lines reader names it and the limit (read as
            // a document, it was called a row "not on a line of its own").
            Err(err) if err.to_string().starts_with("recursion limit exceeded") => true,
            // A bad value (a lone surrogate escape, a byte that is not
            // UTF-8) or lines ended by CR only: the keys of the line's first
            // object still say whether it is a scan row, and the JSON Lines
            // reader then names the value's column, as on any later line.
            Err(_) => self.first_object_keys().is_some_and(|keys| {
                !layout.columns.is_empty() || keys.iter().any(|key| is_scan_key(key, layout))
            }),
        }
    }

    /// The keys of the first object on the first line with text, its
    /// values skipped unchecked (serde leaves an ignored string as bytes);
    /// `None` if even that is not JSON, or the object goes on past the line.
    fn first_object_keys(&self) -> Option<Vec<String>> {
        let line = &self.bytes[self.text..];
        let first = serde_json::Deserializer::from_slice(line)
            .into_iter::<HashMap<String, serde::de::IgnoredAny>>()
            .next()?;
        first.ok().map(|object| object.into_keys().collect())
    }
}

/// Whether the first bytes of a file are a plain (CSV) text: not JSON, not
/// compressed. Files that are not are read whole rather than by line.
pub(crate) fn looks_like_plain_text(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    !matches!(
        text.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) && compression_of(head).is_none()
        && !head.starts_with(&GZIP_MAGIC)
}

/// A JSON Lines value, or a text a scanner document gives, holds no line
/// break, as a CSV log's field may not (it refuses one): the same scans
/// read from either form bill alike, and a ledger or `import` row stays
/// one line.
fn refuse_line_break(at: &Location, key: &str, text: &str) -> Result<()> {
    if text.contains(['\n', '\r']) {
        return Err(Error::input(
            at.clone().key(key),
            format!(
                "`{}` holds a line break, which no scan-log field may (a CSV log refuses one too); remove it",
                crate::input::csv_input::shorten(&shown(text))
            ),
        ));
    }
    Ok(())
}

/// The value of `key` (folded, as [`fold_key`] says) in the JSON object
/// `line` as written, if it is there.
fn raw_value(line: &[u8], key: &str) -> Option<String> {
    let object: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_slice(line).ok()?;
    object
        .iter()
        .find(|(written, _)| fold_key(written) == key)
        .map(|(_, raw)| raw.get().to_string())
}

/// Whether a JSON log's first object is a canonical scan row; scanner and
/// registry documents are named so the message says what was found.
fn classify_json(
    name: &str,
    line: u64,
    object: &serde_json::Map<String, serde_json::Value>,
    layout: &Layout,
) -> Result<()> {
    refuse_ledger(
        Location::file(name).line(line),
        object.keys().map(String::as_str),
    )?;
    if is_scan_row(object, layout) {
        return Ok(());
    }
    let has = |key: &str| object.keys().any(|k| fold_key(k) == fold_key(key));
    let found = if has("SchemaVersion") && has("ArtifactName") {
        "a Trivy report"
    } else if has("matches") && has("descriptor") {
        "a Grype report"
    } else if has("type") && has("event_data") {
        "a Harbor webhook event"
    } else {
        "a JSON object of another kind"
    };
    let keys: Vec<&str> = object.keys().map(String::as_str).take(8).collect();
    Err(Error::input(
        Location::file(name).line(line),
        format!(
            "is {found} (keys: {}), not a scan log; a JSON Lines scan log has one object a line with the keys `timestamp` and `image` (and optionally account, source, status, risk, scan_id), or --column NAME=KEY naming yours",
            keys.join(", ")
        ),
    ))
}

/// Where `line` holds a CR not followed by LF: JSON takes it as white space,
/// so a file with CR-only line ends reads as one line of many objects.
fn lone_cr(line: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\r', line).find(|&at| line.get(at + 1) != Some(&b'\n'))
}

/// The column serde_json's message names (`… at line 1 column N`), if any.
fn err_column(message: &str) -> Option<u64> {
    message.rsplit(" column ").next()?.parse().ok()
}

/// The paths of the logs: a directory stands for the regular files in it
/// (symbolic links followed; not its subdirectories, nor hidden files), in
/// name order. A link to nothing or a loop of links is refused, naming the
/// link, and so is one file given twice (its rows would be billed twice).
/// Also returns lines for stderr naming the entries left out that are not
/// hidden (subdirectories, links to them, pipes…).
pub(crate) fn expand_paths(paths: &[String]) -> Result<(Vec<String>, String)> {
    let mut notes = String::new();
    let mut expanded = Vec::with_capacity(paths.len());
    // The directory each path was found in, if any.
    let mut from: Vec<Option<&str>> = Vec::with_capacity(paths.len());
    for path in paths {
        if path == "-" || !followed(path)?.is_some_and(|metadata| metadata.is_dir()) {
            expanded.push(path.clone());
            from.push(None);
            continue;
        }
        let mut files: Vec<String> = Vec::new();
        let mut left_out: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|err| Error::io(path, err))? {
            let entry = entry.map_err(|err| Error::io(path, err))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            // Paths are text from here on: a name that is not UTF-8 would
            // be read under another name (its lossy form names no file).
            let Ok(file) = entry.path().into_os_string().into_string() else {
                return Err(Error::input(
                    Location::file(entry.path().to_string_lossy()),
                    "has a file name that is not UTF-8 text, which scanquota cannot name; rename the file (e.g. with convmv) or move it out of the directory",
                ));
            };
            let kind = entry.file_type().map_err(|err| Error::io(&file, err))?;
            let regular = if kind.is_symlink() {
                followed(&file)?.is_some_and(|metadata| metadata.is_file())
            } else {
                kind.is_file()
            };
            if regular {
                files.push(file);
            } else {
                left_out.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        if !left_out.is_empty() {
            left_out.sort();
            let shown = left_out.len().min(5);
            let more = if left_out.len() > shown { ", …" } else { "" };
            let (entries, are) = match left_out.len() {
                1 => ("1 entry".to_string(), "is not a regular file"),
                n => (format!("{n} entries"), "are not regular files"),
            };
            notes += &format!(
                "scanquota: left out {entries} of {path} that {are}: {}{more} (subdirectories are not read; name them too to read them)\n",
                left_out[..shown].join(", ")
            );
        }
        if files.is_empty() {
            return Err(Error::input(
                Location::file(path),
                "is a directory with no files; give logs or reports",
            ));
        }
        files.sort();
        from.extend(files.iter().map(|_| Some(path.as_str())));
        expanded.extend(files);
    }
    refuse_repeated_inputs(&expanded, &from)?;
    Ok((expanded, notes))
}

/// What `path` is, symbolic links followed; `None` when it does not exist
/// (opening it says so). A link to nothing, or a loop of links, is refused.
fn followed(path: &str) -> Result<Option<std::fs::Metadata>> {
    let err = match std::fs::metadata(path) {
        Ok(metadata) => return Ok(Some(metadata)),
        Err(err) => err,
    };
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(None);
    }
    // Walk the chain of links to say where it breaks.
    let mut seen = vec![std::path::PathBuf::from(path)];
    let mut current = std::path::PathBuf::from(path);
    let problem = loop {
        let Ok(target) = std::fs::read_link(&current) else {
            break format!("is a symbolic link that cannot be followed ({err})");
        };
        let next = match current.parent() {
            Some(parent) if target.is_relative() => parent.join(&target),
            _ => target.clone(),
        };
        if seen.contains(&next) || seen.len() > 40 {
            break format!(
                "is a loop of symbolic links (it leads back to `{}`)",
                next.display()
            );
        }
        match std::fs::symlink_metadata(&next) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                seen.push(next.clone());
                current = next;
            }
            Ok(_) => break format!("is a symbolic link that cannot be followed ({err})"),
            Err(_) => {
                break format!(
                    "is a symbolic link leading to `{}`, which does not exist",
                    next.display()
                );
            }
        }
    };
    Err(Error::input(
        Location::file(path),
        format!("{problem}; point the link at a log or remove it"),
    ))
}

/// Refuse an input given twice: standard input (it can be read once), or
/// one file under two names (the same path, a directory holding it, a
/// link to it), whose rows would otherwise be billed twice.
/// `from` holds the directory each path was found in, if any.
fn refuse_repeated_inputs(paths: &[String], from: &[Option<&str>]) -> Result<()> {
    let mut seen: HashMap<FileIdentity, (&str, Option<&str>)> = HashMap::new();
    let mut stdin = false;
    let how = |dir: Option<&str>| match dir {
        None => "by name".to_string(),
        Some(dir) => format!("in the directory `{dir}`"),
    };
    for (path, dir) in paths.iter().zip(from.iter().copied()) {
        if path == "-" {
            if stdin {
                return Err(Error::input(
                    Location::file(STDIN_NAME),
                    "is given twice (`-`); standard input can be read only once: give `-` once",
                ));
            }
            stdin = true;
        }
        // Standard input is known by what it reads: a file also given by
        // name (`--log /dev/stdin -`, `--log a.csv - < a.csv`) is refused.
        let identity = if path == "-" {
            stdin_identity()
        } else {
            file_identity(path)
        };
        let Some(identity) = identity else {
            continue;
        };
        let path = if path == "-" {
            STDIN_NAME
        } else {
            path.as_str()
        };
        if let Some((first, first_dir)) = seen.insert(identity, (path, dir)) {
            let same = match (first == path, first_dir, dir) {
                (true, None, None) => "is given twice".to_string(),
                (true, _, _) => format!("is given twice, {} and {}", how(first_dir), how(dir)),
                (false, None, _) => format!("is the same file as `{first}`, given before it"),
                (false, Some(_), _) => format!(
                    "is the same file as `{first}`, given before it {}",
                    how(first_dir)
                ),
            };
            return Err(Error::input(
                Location::file(path),
                format!("{same}; its rows would be billed twice: give each log once"),
            ));
        }
    }
    Ok(())
}

/// What standard input reads (a file, a pipe, a terminal), told apart as
/// [`file_identity`] does; `None` when that cannot be known.
fn stdin_identity() -> Option<FileIdentity> {
    stdin_metadata().map(|metadata| identity(&metadata))
}

/// What standard input reads, as `fstat` of descriptor 0 tells it.
fn stdin_metadata() -> Option<std::fs::Metadata> {
    use std::os::fd::AsFd;
    let descriptor = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    std::fs::File::from(descriptor).metadata().ok()
}

/// What tells one file from another (its device and inode number); `None`
/// when it cannot be read (opening it says why).
fn file_identity(path: &str) -> Option<FileIdentity> {
    std::fs::metadata(path)
        .ok()
        .map(|metadata| identity(&metadata))
}

/// The two bytes every gzip member starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether the buffered input starts with the gzip magic bytes, without
/// consuming anything.
fn starts_with_gzip_magic(reader: &mut impl std::io::BufRead) -> std::io::Result<bool> {
    let head = reader.fill_buf()?;
    if head.len() >= 2 || head.is_empty() {
        return Ok(head.starts_with(&GZIP_MAGIC));
    }
    // A one-byte first read (a pipe): gzip output is never one byte long,
    // so a lone 0x1f is not taken for gzip.
    Ok(false)
}

/// Whether the file at `path` is gzip-compressed, by its first bytes.
pub(crate) fn is_gzip_file(path: &str) -> Result<bool> {
    let mut head = [0u8; 2];
    let mut file = crate::domain::files_read::open(path).map_err(|err| Error::io(path, err))?;
    let mut read = 0;
    while read < 2 {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(Error::io(path, err)),
        }
    }
    Ok(read == 2 && head == GZIP_MAGIC)
}

/// Says the gzip stream is damaged, and at which compressed byte, when
/// inflating fails: a bare "corrupt deflate stream" would be taken for a
/// read error of the file.
struct GzipReader<R> {
    inner: MultiGzDecoder<std::io::BufReader<Counted<R>>>,
}

impl<R: Read> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|err| {
            let buffered = self.inner.get_ref();
            let offset = buffered.get_ref().count - buffered.buffer().len() as u64;
            let what = if err.kind() == std::io::ErrorKind::UnexpectedEof {
                "ends early (truncated)".to_string()
            } else {
                format!("is corrupt ({err})")
            };
            ReadProblem {
                line: None,
                problem: format!(
                    "the gzip stream {what} at compressed byte {offset}; `gzip -t FILE` tests it: copy or compress the file again"
                ),
            }
            .into_io()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::plain_csv::tests::log_lines;
    use proptest::prelude::*;

    proptest! {
        /// Sorted through their times, alone or in stretches of time on
        /// any number of threads, events with lines of their own are
        /// in the order a sort by (time, file, line) gives: times equal,
        /// seconds or days apart, a leap second, centuries apart (sorted in
        /// place).
        #[test]
        fn a_run_sorts_through_its_times_as_by_its_fields(
            rows in prop::collection::vec(
                (
                    0i64..6,
                    // Equal times often; the last nanosecond and a leap second's first.
                    prop_oneof![0u32..2, 999_999_999u32..1_000_000_001, 0u32..2_000_000_000],
                    0u32..3,
                    0u64..1_000,
                ),
                0..120,
            ),
            spread in 0usize..3,
            // 23:59:59 UTC, after 1970 and before: the last nanosecond of a
            // day, its leap second and the next day's first second meet.
            base in prop_oneof![Just(1_700_006_399i64), Just(-86_401i64)],
            threads in 1usize..4,
            stretch_events in 1usize..9,
        ) {
            let mut seen = std::collections::HashSet::new();
            let mut run: Vec<ScanEvent> = rows
                .into_iter()
                // Lines of their own: (file, line) never repeats.
                .filter(|row| seen.insert((row.2, row.3)))
                .map(|(second, nanos, file, line)| {
                    let seconds = second * [1, 86_400, 3_000_000_000][spread];
                    let at = if nanos >= 1_000_000_000 {
                        // A leap second: 23:59:59 and more than a second of nanoseconds.
                        DateTime::from_timestamp(base + seconds, 0)
                            .unwrap()
                            .date_naive()
                            .and_hms_nano_opt(23, 59, 59, nanos)
                            .unwrap()
                            .and_utc()
                    } else {
                        DateTime::from_timestamp(base + seconds, nanos).unwrap()
                    };
                    ScanEvent {
                        at,
                        account: 0,
                        image: 0,
                        scan_key: 0,
                        source: Source::Local,
                        status: ScanStatus::Success,
                        risk: Risk::Unknown,
                        file,
                        line,
                        group: 0,
                    }
                })
                .collect();
            let mut expected = run.clone();
            expected.sort_by_key(|event| (event.at, event.file, event.line));
            let mut in_stretches = run.clone();
            sort_in_replay_order(&mut run);
            prop_assert_eq!(&run, &expected);
            sort_in_stretches(&mut in_stretches, threads, stretch_events);
            prop_assert_eq!(in_stretches, expected);
        }
    }

    /// Counted on any number of threads, the events of each account are
    /// the ones one thread counts.
    #[test]
    fn accounts_are_counted_alike_on_any_number_of_threads() {
        let text: String = std::iter::once("timestamp,account,image\n".to_string())
            .chain(
                (0..50)
                    .map(|row| format!("2024-01-01T00:00:{:02}Z,a{},img\n", row % 60, row * 7 % 5)),
            )
            .collect();
        let mut log = ScanLog::default();
        log.read_one("log.csv", text.as_bytes(), Zone::default())
            .unwrap();
        let one = count_by(&log.events, log.accounts.len(), 1, &|e: &ScanEvent| {
            e.account
        });
        assert_eq!(one.iter().sum::<usize>(), 50);
        for threads in 2..8 {
            assert_eq!(
                count_by(
                    &log.events,
                    log.accounts.len(),
                    threads,
                    &|e: &ScanEvent| e.account
                ),
                one
            );
        }
        assert!(
            count_by(&[], 3, 2, &|e: &ScanEvent| e.account)
                .iter()
                .all(|n| *n == 0)
        );
    }

    /// The exact-name shortcuts answer as the case-folding lookup does.
    #[test]
    fn sources_and_risks_parse_in_any_case() {
        let cases = |name: &str| {
            let mut capital = name.to_string();
            if let Some(first) = capital.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            [name.to_string(), name.to_ascii_uppercase(), capital]
        };
        for (name, source) in SOURCES {
            for text in cases(name) {
                assert_eq!(Source::parse(&text), Some(*source), "{text}");
            }
        }
        for (name, risk) in RISKS {
            for text in cases(name) {
                assert_eq!(Risk::parse(&text), Some(*risk), "{text}");
            }
        }
        for text in ["registryx", "cic", "critical", " low"] {
            assert_eq!(Source::parse(text), None, "{text}");
            assert_eq!(Risk::parse(text), None, "{text}");
        }
    }

    /// What reading a log handed out, row by row, and how it ended.
    type Handed = (
        Vec<(ScanEvent, u128, u64, String, String)>,
        Result<(), String>,
    );

    /// `text` read as a CSV log with plain rows cut `chunk` bytes at a time
    /// (0: the csv crate alone), stopping after `stop_after` rows.
    fn handed(text: &[u8], chunk: usize, keep_texts: bool, stop_after: usize) -> Handed {
        let options = ReadOptions {
            keep_texts,
            ..ReadOptions::default()
        };
        let mut log = ScanLog::default();
        let mut rows = Vec::new();
        let zone = Zone::Fixed(chrono::FixedOffset::east_opt(3600).unwrap());
        let result = log.read_csv(&options, (0, "log.csv"), text, zone, chunk, |_, read| {
            rows.push((
                read.event,
                read.image,
                read.byte,
                read.image_text.to_string(),
                read.scan_id_text.to_string(),
            ));
            rows.len() < stop_after
        });
        (rows, result.map_err(|err| err.to_string()))
    }

    proptest! {
        /// Sorting by account on any number of threads (accounts placed in
        /// their rooms, then each account's run in replay order) gives the order one
        /// stable sort by the whole key gives, and sorting the log the order
        /// one stable sort by time, file and line gives: many accounts and
        /// few, equal times broken by file and line, and, where rows share
        /// a line (a registry event's resources), by input order.
        #[test]
        fn sorting_by_account_is_one_sort_by_the_whole_key(
            rows in prop::collection::vec((0u32..12, 0i64..40, 0u32..3), 0..400),
            threads in 1usize..5,
            rows_a_line in prop_oneof![Just(1usize), 2usize..6],
        ) {
            let mut log = ScanLog::default();
            for account in 0..12 {
                log.accounts.intern(&format!("acct{account}"));
            }
            log.events = rows
                .iter()
                .enumerate()
                // Rows on one line share its file and time, as a document's
                // rows do (so their ties are many).
                .map(|(line, (account, _, _))| (line, account, rows[line / rows_a_line * rows_a_line]))
                .map(|(line, account, (_, second, file))| ScanEvent {
                    at: chrono::DateTime::from_timestamp(1_704_067_200 + second, 0).unwrap(),
                    account: *account,
                    // The input order, which only ties on a shared line show.
                    image: line as u32,
                    scan_key: 0,
                    source: Source::Local,
                    status: ScanStatus::Success,
                    risk: Risk::Unknown,
                    file,
                    line: (line / rows_a_line) as u64,
                    group: 0,
                })
                .collect();
            log.lines_shared = rows_a_line > 1;
            let mut in_time = log.clone();
            let mut expected = log.events.clone();
            expected.sort_by_key(|event| (event.account, event.at, event.file, event.line));
            log.sort_by_account(threads);
            prop_assert_eq!(log.events, expected);
            let mut expected = in_time.events.clone();
            expected.sort_by_key(|event| (event.at, event.file, event.line));
            in_time.sort();
            prop_assert_eq!(in_time.events, expected);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// A log read with plain rows cut at their delimiters, in chunks of
        /// any size, hands out the same rows (events, fingerprints, offsets,
        /// texts) and ends the same way, with the same message, as the csv
        /// crate reading the whole file; a header that is not one plain
        /// line leaves the file to the csv crate.
        #[test]
        fn a_log_reads_the_same_with_plain_rows_cut(
            header in prop_oneof![
                Just(&b"timestamp,account,image,status,scan_id\n"[..]),
                Just(&b"timestamp,account,image,status,scan_id\r\n"[..]),
                Just(&b"\"timestamp\",account,image,status,scan_id\n"[..]),
                Just(&b"Timestamp , Account,IMAGE,status,scan_id\n"[..]),
                Just(&b"timestamp,account,image,status,scan_id"[..]),
                Just(&b"\ntimestamp,account,image,status,scan_id\n"[..]),
                Just(&b"\n"[..]),
            ],
            lines in prop::collection::vec(log_lines(), 0..40),
            chunk in prop_oneof![1usize..200, Just(PLAIN_CHUNK)],
            unterminated in any::<bool>(),
            keep_texts in any::<bool>(),
            stop_after in prop_oneof![Just(usize::MAX), 1usize..20],
        ) {
            let mut text = header.to_vec();
            text.extend(lines.concat());
            if unterminated && text.last() == Some(&b'\n') {
                text.pop();
            }
            prop_assert_eq!(
                handed(&text, chunk, keep_texts, stop_after),
                handed(&text, 0, keep_texts, stop_after)
            );
        }
    }
}
