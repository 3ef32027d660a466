//! Reading one large log file on every core: the file is cut at line ends
//! into pieces, each piece is parsed on its own into a small log, and the
//! pieces are merged (ids remapped, lines made absolute). Replay sorts the
//! events afterwards, so the order pieces finish in does not matter.
//!
//! Anything unusual — a header with quotes, a piece that fails to parse, a
//! cut that lands inside a quoted field — and nothing is kept: the caller
//! reads the file again on one core, which names the problem exactly as it
//! always does.

use super::{
    Columns, ReadOptions, ReadRow, SAMPLE_ROWS, ScanEvent, ScanLog, TextsByRow, rows_expected,
};
use crate::domain::error::{Error, Result};
use crate::domain::key_set::PREFETCH_AHEAD;
use crate::domain::zone::Zone;
use crate::input::csv_input::{CsvInput, Row};
use crate::input::plain_csv::{PLAIN_CHUNK, PlainLayout, read_plain_rows};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How far past a cut to look for the line end it moves to.
const LOOKAHEAD: usize = 64 << 10;

/// A piece of the file, parsed: its events carry lines counted from the
/// piece's start and ids of the piece's own interners.
struct Piece {
    log: ScanLog,
    /// Each event's image fingerprint, when images are known by them.
    images: Vec<u128>,
    /// Each row's texts and the byte (from the piece's start) its line
    /// starts at, when they are handed out ([`Readers::texts`]).
    texts: TextsByRow,
    bytes: Vec<u64>,
    /// Line ends and quote characters in the piece's bytes.
    newlines: u64,
    quotes: u64,
}

/// How [`ScanLog::read_in_order_pieces`] ended.
#[derive(Debug)]
pub(crate) enum PiecesRead {
    /// The file cannot be cut: nothing was handed out (read it whole).
    Uncut,
    /// Every row was handed out.
    Finished,
    /// `each` asked to stop.
    Stopped,
    /// A piece did not read on its own (its error, when it had one; none
    /// when a cut fell inside quotes). Rows may have been handed out: read
    /// on one core, the file names its problem.
    Failed(Option<Error>),
}

/// The rows of one piece of a file, in file order, as
/// [`ScanLog::read_in_order_piece_rows`] hands them out: accounts as the
/// reading log's ids, lines counted from the file's start.
pub(crate) struct PieceRows {
    pub(crate) events: Vec<ScanEvent>,
    /// Each event's image fingerprint.
    pub(crate) images: Vec<u128>,
    /// Each row's texts and the byte (from the file's start) its line starts
    /// at, when texts were asked for; else both are empty.
    pub(crate) bytes: Vec<u64>,
    pub(crate) texts: TextsByRow,
}

/// What turns a piece's rows into the file's: the reading log's id of each
/// of the piece's accounts, the lines before the piece, and its first byte.
struct PieceFix<'a> {
    accounts: &'a [u32],
    newlines: u64,
    start: u64,
}

impl PieceFix<'_> {
    fn event(&self, event: &mut ScanEvent) {
        event.account = self.accounts[event.account as usize];
        event.line += self.newlines;
    }
}

impl ScanLog {
    /// Read the plain file `path` (`size` bytes) in `pieces` pieces on
    /// `threads` threads, appending its events unsorted. `Ok(false)`: nothing
    /// was kept, read it whole.
    pub(crate) fn read_in_pieces(
        &mut self,
        options: &ReadOptions,
        path: &str,
        size: u64,
        zone: Zone,
        threads: usize,
        pieces: usize,
    ) -> Result<bool> {
        let Some((names, columns, cuts)) = plan_cuts(path, size, pieces, options)? else {
            return Ok(false);
        };
        let Ok(file) = u32::try_from(self.files.len()) else {
            return Ok(false);
        };
        let before = (
            self.events.len(),
            self.accounts.len(),
            self.images.len(),
            self.scan_ids.len(),
            self.row_images.iter().map(Vec::len).collect::<Vec<_>>(),
        );
        // Without texts, pieces hand over each row's image fingerprint and
        // the merge interns them once, fetching slots ahead: interning in
        // each piece, then merging the pieces' tables, probed twice a row.
        let piece_options = ReadOptions {
            images_by_fingerprint: options.images_by_fingerprint || !options.keep_texts,
            ..options.clone()
        };
        let readers = Readers::new(
            &piece_options,
            path,
            size,
            (&names, &columns, &cuts),
            file,
            zone,
        );
        // Per piece: where its events went in `self.events`, and its counts.
        let mut placed: Vec<Option<(Range<usize>, u64, u64)>> = vec![None; cuts.len() - 1];
        let mut merged = true;
        std::thread::scope(|scope| {
            let receiver = readers.start(scope, threads);
            for (index, piece) in receiver {
                if let Ok(piece) = &piece
                    && self.events.len() == before.0
                {
                    // Size the events for the whole file at once, from the
                    // first piece's rows per byte.
                    let bytes = cuts[index + 1] - cuts[index];
                    self.events
                        .reserve_exact(rows_expected(size, piece.log.events.len(), bytes));
                }
                let adopted = piece.ok().and_then(|piece| {
                    let start = self.events.len();
                    self.adopt(options, piece.log, &piece.images, file)?;
                    Some((start..self.events.len(), piece.newlines, piece.quotes))
                });
                match adopted {
                    Some(place) => placed[index] = Some(place),
                    None => {
                        merged = false;
                        readers.stop.store(true, Ordering::Relaxed);
                    }
                }
            }
        });
        readers.finish();
        let placed: Option<Vec<_>> = placed.into_iter().collect();
        let lines_fixed = merged && placed.is_some_and(|placed| self.fix_lines(&placed));
        if !lines_fixed {
            self.events.truncate(before.0);
            self.accounts.truncate(before.1);
            self.images.truncate(before.2);
            self.scan_ids.truncate(before.3);
            self.row_images.truncate(before.4.len());
            for (images, len) in self.row_images.iter_mut().zip(&before.4) {
                images.truncate(*len);
            }
            return Ok(false);
        }
        self.files.push(path.to_string());
        Ok(true)
    }

    /// Read the plain file `path` (`size` bytes) in pieces of about
    /// `piece_bytes` parsed on `threads` threads, handing each row to `each`
    /// in file order (accounts as this log's ids, lines counted from the
    /// file's start) with its image's fingerprint, and with its texts and
    /// the byte it starts at when `texts` (else empty, and 0), keeping
    /// nothing else; `each` returns false to stop. How it ended says
    /// whether rows were handed out ([`PiecesRead`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn read_in_order_pieces(
        &mut self,
        options: &ReadOptions,
        path: &str,
        size: u64,
        zone: Zone,
        cut: (usize, u64),
        texts: bool,
        mut each: impl FnMut(&ScanLog, ReadRow<'_>) -> bool,
    ) -> Result<PiecesRead> {
        self.read_in_order(options, path, size, zone, cut, texts, |log, piece, fix| {
            // Each row put right as it is handed out: one pass over the piece.
            let rows = piece.log.events.into_iter().zip(piece.images);
            for (row, (mut event, image)) in rows.enumerate() {
                fix.event(&mut event);
                let (image_text, scan_id_text) = piece.texts.get(row).unwrap_or_default();
                let read = ReadRow {
                    event,
                    image,
                    byte: piece.bytes.get(row).map_or(0, |byte| fix.start + byte),
                    image_text,
                    scan_id_text,
                };
                if !each(log, read) {
                    return false;
                }
            }
            true
        })
    }

    /// [`ScanLog::read_in_order_pieces`] handing out a piece's rows at a
    /// time, as the piece's own arrays: a reader that holds rows to replay
    /// and write takes them over without copying each row.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn read_in_order_piece_rows(
        &mut self,
        options: &ReadOptions,
        path: &str,
        size: u64,
        zone: Zone,
        cut: (usize, u64),
        texts: bool,
        mut each: impl FnMut(&ScanLog, PieceRows) -> bool,
    ) -> Result<PiecesRead> {
        self.read_in_order(options, path, size, zone, cut, texts, |log, piece, fix| {
            let Piece {
                log: ScanLog { mut events, .. },
                images,
                texts,
                mut bytes,
                ..
            } = piece;
            for event in &mut events {
                fix.event(event);
            }
            for byte in &mut bytes {
                *byte += fix.start;
            }
            let rows = PieceRows {
                events,
                images,
                bytes,
                texts,
            };
            each(log, rows)
        })
    }

    /// The pieces of the plain file `path`, parsed on `threads` threads and
    /// handed to `each` in file order with what puts their rows right
    /// ([`PieceFix`]); `each` returns false to stop.
    #[allow(clippy::too_many_arguments)]
    fn read_in_order(
        &mut self,
        options: &ReadOptions,
        path: &str,
        size: u64,
        zone: Zone,
        (threads, piece_bytes): (usize, u64),
        texts: bool,
        mut each: impl FnMut(&ScanLog, Piece, PieceFix<'_>) -> bool,
    ) -> Result<PiecesRead> {
        let pieces = usize::try_from(size / piece_bytes.max(1))
            .unwrap_or(1)
            .max(threads);
        let Some((names, columns, cuts)) = plan_cuts(path, size, pieces, options)? else {
            return Ok(PiecesRead::Uncut);
        };
        let Ok(file) = u32::try_from(self.files.len()) else {
            return Ok(PiecesRead::Uncut);
        };
        self.files.push(path.to_string());
        let options = ReadOptions {
            images_by_fingerprint: true,
            keep_texts: false,
            ..options.clone()
        };
        let mut readers = Readers::new(&options, path, size, (&names, &columns, &cuts), file, zone);
        readers.texts = texts;
        let ended = std::thread::scope(|scope| {
            // Readers take pieces in file order, so at most about `threads`
            // finished pieces wait for an earlier one.
            let receiver = readers.start(scope, threads);
            let mut waiting = std::collections::BTreeMap::new();
            let mut wanted = 0;
            // The header is one line without quotes.
            let (mut newlines, mut quotes) = (1u64, 0u64);
            for (index, piece) in receiver.iter() {
                waiting.insert(index, piece);
                while let Some(piece) = waiting.remove(&wanted) {
                    wanted += 1;
                    // A cut inside a quoted field, or a piece that does not
                    // read on its own: the pieces mean nothing.
                    let piece = match piece {
                        Ok(piece) => piece,
                        Err(err) => return PiecesRead::Failed(Some(err)),
                    };
                    if quotes % 2 == 1 {
                        return PiecesRead::Failed(None);
                    }
                    let Some(accounts) = (0..piece.log.accounts.len() as u32)
                        .map(|id| self.accounts.adopt(&piece.log.accounts, id))
                        .collect::<Option<Vec<u32>>>()
                    else {
                        return PiecesRead::Failed(None);
                    };
                    let (piece_newlines, piece_quotes) = (piece.newlines, piece.quotes);
                    let fix = PieceFix {
                        accounts: &accounts,
                        newlines,
                        start: cuts[wanted - 1],
                    };
                    if !each(self, piece, fix) {
                        return PiecesRead::Stopped;
                    }
                    newlines += piece_newlines;
                    quotes += piece_quotes;
                }
            }
            if wanted + 1 == cuts.len() {
                PiecesRead::Finished
            } else {
                PiecesRead::Failed(None)
            }
        });
        readers.finish();
        Ok(ended)
    }

    /// Append a piece's events, its ids turned into this log's; images
    /// known in the piece only by `fingerprints` (one an event) are
    /// interned here unless `options` keeps them by fingerprint or by row
    /// (then only copied to [`ScanLog::row_images`]).
    fn adopt(
        &mut self,
        options: &ReadOptions,
        piece: ScanLog,
        fingerprints: &[u128],
        file: u32,
    ) -> Option<()> {
        let accounts = (0..piece.accounts.len() as u32)
            .map(|id| self.accounts.adopt(&piece.accounts, id))
            .collect::<Option<Vec<u32>>>()?;
        let images = (0..piece.images.len() as u32)
            .map(|id| self.images.adopt(&piece.images, id))
            .collect::<Option<Vec<u32>>>()?;
        let scan_ids = (0..piece.scan_ids.len() as u32)
            .map(|id| self.scan_ids.adopt(&piece.scan_ids, id))
            .collect::<Option<Vec<u32>>>()?;
        let keep_texts = options.keep_texts;
        let by_fingerprint = options.images_by_fingerprint;
        let handed = fingerprints.len() == piece.events.len();
        let by_row = !by_fingerprint && !keep_texts && options.images_by_row && handed;
        let intern_here = !by_fingerprint && !by_row && handed;
        for (index, mut event) in piece.events.into_iter().enumerate() {
            event.account = accounts[event.account as usize];
            if by_row {
                event.image = self.keep_row_image(event.account, fingerprints[index])?;
            } else if intern_here {
                if let Some(ahead) = fingerprints.get(index + PREFETCH_AHEAD) {
                    self.images.prefetch(*ahead);
                }
                event.image = self
                    .images
                    .intern_fingerprinted(fingerprints[index], None)?;
            } else if !by_fingerprint {
                event.image = images[event.image as usize];
            }
            if keep_texts && event.scan_key != 0 {
                event.scan_key = u64::from(scan_ids[(event.scan_key - 1) as usize]) + 1;
            }
            event.file = file;
            self.events.push(event);
        }
        Some(())
    }

    /// Make every piece's lines count from the file's start, once every
    /// piece is in. False when a cut fell inside a quoted field (an odd
    /// number of quotes before it): the pieces then mean nothing.
    fn fix_lines(&mut self, placed: &[(Range<usize>, u64, u64)]) -> bool {
        // The header is one line without quotes.
        let (mut newlines, mut quotes) = (1u64, 0u64);
        for (range, piece_newlines, piece_quotes) in placed {
            if quotes % 2 == 1 {
                return false;
            }
            for event in &mut self.events[range.clone()] {
                event.line += newlines;
            }
            newlines += piece_newlines;
            quotes += piece_quotes;
        }
        true
    }
}

/// What the threads reading one file's pieces share: the file, its cuts, and
/// the next piece to take.
struct Readers<'a> {
    options: &'a ReadOptions,
    path: &'a str,
    cuts: &'a [u64],
    names: &'a [String],
    columns: &'a Columns,
    file: u32,
    zone: Zone,
    next: AtomicUsize,
    /// Set once the pieces are of no more use.
    stop: AtomicBool,
    /// Keep each row's texts and byte ([`Piece::texts`]) to hand out with it.
    texts: bool,
    bar: Option<crate::input::progress::SharedBar>,
}

impl<'a> Readers<'a> {
    /// Readers of the file `path` (`size` bytes) cut at `cuts`, whose header
    /// has `names` and `columns`.
    fn new(
        options: &'a ReadOptions,
        path: &'a str,
        size: u64,
        (names, columns, cuts): (&'a [String], &'a Columns, &'a [u64]),
        file: u32,
        zone: Zone,
    ) -> Self {
        Readers {
            options,
            path,
            cuts,
            names,
            columns,
            file,
            zone,
            next: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            texts: false,
            bar: crate::input::progress::shared(path, size),
        }
    }

    /// Start `threads` threads reading pieces; the pieces come out of the
    /// receiver parsed, with their index, in about file order.
    fn start<'scope>(
        &'scope self,
        scope: &'scope std::thread::Scope<'scope, '_>,
        threads: usize,
    ) -> std::sync::mpsc::Receiver<(usize, Result<Piece>)> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(threads);
        for _ in 0..threads {
            let sender = sender.clone();
            scope.spawn(move || {
                yield_to_the_replay();
                self.work(&sender)
            });
        }
        receiver
    }

    /// Take pieces in file order until none is left or `stop` is set, and
    /// send each one parsed, with its index.
    fn work(&self, sender: &std::sync::mpsc::SyncSender<(usize, Result<Piece>)>) {
        loop {
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            if index + 1 >= self.cuts.len() || self.stop.load(Ordering::Relaxed) {
                break;
            }
            let range = self.cuts[index]..self.cuts[index + 1];
            let piece = read_piece(self, range);
            if sender.send((index, piece)).is_err() {
                break;
            }
        }
    }

    fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// The nice value piece readers run at, at the least (a thread at 10 gets
/// about a tenth of the share of one at 0); a process already nicer keeps
/// its own value.
#[cfg(target_os = "linux")]
const READER_NICE: i32 = 10;

/// Lowers the calling thread's priority to [`READER_NICE`]: the replay that
/// takes the pieces is the one thread every other waits on, and with two
/// readers and a replay on two cores, equal shares left it a third of its
/// time without a core (measured: `bench/README.md`). At a lower priority
/// the readers take what the replay leaves. Linux only (elsewhere, and
/// should the call fail, nothing changes: it is a hint).
fn yield_to_the_replay() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take and return plain integers; a
    // failure leaves the priority as it was.
    unsafe {
        let thread = libc::gettid() as libc::id_t;
        let now = libc::getpriority(libc::PRIO_PROCESS, thread);
        libc::setpriority(libc::PRIO_PROCESS, thread, now.max(READER_NICE));
    }
}

/// The header's names and columns, and the byte offsets that cut the rows
/// into about `pieces` pieces (each cut just after a line end); `None` when
/// the file is better read whole (and with `--by`).
#[allow(clippy::type_complexity)]
fn plan_cuts(
    path: &str,
    size: u64,
    pieces: usize,
    options: &ReadOptions,
) -> Result<Option<(Vec<String>, Columns, Vec<u64>)>> {
    // Pieces keep no `--by` keys: their ids would be the pieces' own.
    if options.group_column.is_some() {
        return Ok(None);
    }
    let mut file = crate::domain::files_read::open(path).map_err(|err| Error::io(path, err))?;
    let head = read_up_to(&mut file, LOOKAHEAD).map_err(|err| Error::io(path, err))?;
    let Some(header_end) = head.iter().position(|&b| b == b'\n').map(|at| at + 1) else {
        return Ok(None);
    };
    let header = &head[..header_end];
    // A lone CR ends a line for the reader: the "header" up to the first
    // LF would then hold the first row too, and the pieces would drop it.
    let lone_cr = header[..header_end - 1]
        .iter()
        .enumerate()
        .any(|(at, &byte)| byte == b'\r' && header[at + 1] != b'\n');
    if header.contains(&b'"') || lone_cr {
        return Ok(None);
    }
    let Ok(input) = CsvInput::with_layout(
        path,
        "scan log",
        "timestamp,image",
        header,
        &options.layout,
        &options.known_columns(),
    ) else {
        return Ok(None);
    };
    let Ok(columns) = Columns::of(&input, None) else {
        return Ok(None);
    };
    let names = input.names().to_vec();
    let body = size - header_end as u64;
    let mut cuts = vec![header_end as u64];
    for index in 1..pieces as u64 {
        let at = header_end as u64 + body * index / pieces as u64;
        file.seek(SeekFrom::Start(at))
            .map_err(|err| Error::io(path, err))?;
        let Some(end) = line_end_ahead(&mut file).map_err(|err| Error::io(path, err))? else {
            return Ok(None);
        };
        let cut = at + end + 1;
        if cut > *cuts.last().unwrap_or(&0) && cut < size {
            cuts.push(cut);
        }
    }
    cuts.push(size);
    Ok(Some((names, columns, cuts)))
}

/// How far past the file's position its next line end lies, looking
/// [`LOOKAHEAD`] bytes ahead at most: a few KB first, which a line end is
/// nearly always within (a file cut every MB would otherwise read 64 KB a
/// cut), then the rest.
fn line_end_ahead(file: &mut File) -> std::io::Result<Option<u64>> {
    const FIRST: usize = 4 << 10;
    let first = read_up_to(file, FIRST)?;
    if let Some(end) = memchr::memchr(b'\n', &first) {
        return Ok(Some(end as u64));
    }
    if first.len() < FIRST {
        return Ok(None);
    }
    let rest = read_up_to(file, LOOKAHEAD - FIRST)?;
    Ok(memchr::memchr(b'\n', &rest).map(|end| (FIRST + end) as u64))
}

fn read_up_to(file: &mut File, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(limit);
    file.take(limit as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn read_piece(readers: &Readers<'_>, range: Range<u64>) -> Result<Piece> {
    let path = readers.path;
    let mut handle = crate::domain::files_read::open(path).map_err(|err| Error::io(path, err))?;
    handle
        .seek(SeekFrom::Start(range.start))
        .map_err(|err| Error::io(path, err))?;
    let bytes = crate::input::progress::track_part(
        Box::new(handle.take(range.end - range.start)),
        readers.bar.as_ref(),
    );
    parse_piece(readers, bytes, range.end - range.start, PLAIN_CHUNK)
}

/// Parse the rows in `bytes`, a piece of the file of `length` bytes,
/// cutting plain rows at their delimiters `plain_chunk` bytes at a time (0:
/// none) and reading the rest with the csv crate.
fn parse_piece(
    readers: &Readers<'_>,
    mut bytes: impl Read,
    length: u64,
    plain_chunk: usize,
) -> Result<Piece> {
    let Readers {
        options,
        path,
        names,
        columns,
        file,
        zone,
        ..
    } = *readers;
    let mut log = ScanLog::default();
    let mut images = Vec::new();
    let mut texts = TextsByRow::default();
    let mut row_bytes = Vec::new();
    let mut keep = |log: &mut ScanLog, row: &Row<'_>| {
        let read = log.parse_row(options, file, row, columns, zone)?;
        log.events.push(read.event);
        if options.images_by_fingerprint {
            images.push(read.image);
        }
        // After the first rows, size the piece's arrays for all of it at
        // once (its doubling was most of a shuffled report's page faults);
        // no more rows than lines of the header's width fit in the piece,
        // so short first rows do not reserve beyond that.
        if log.events.len() == SAMPLE_ROWS {
            let most = usize::try_from(length / names.len().max(1) as u64).unwrap_or(usize::MAX);
            let estimate = rows_expected(length, SAMPLE_ROWS, read.byte).min(most);
            log.events
                .reserve_exact(estimate.saturating_sub(SAMPLE_ROWS));
            if options.images_by_fingerprint {
                images.reserve_exact(estimate.saturating_sub(SAMPLE_ROWS));
            }
        }
        if readers.texts {
            texts.push(read.image_text, read.scan_id_text);
            row_bytes.push(read.byte);
        }
        Ok(())
    };
    let layout = PlainLayout {
        name: path,
        kind: "scan log",
        names,
        delimiter: options.layout.delimiter,
    };
    let plain = read_plain_rows(&mut bytes, &layout, plain_chunk, |row| {
        keep(&mut log, &row).map(|()| true)
    })?;
    // From the first row that is not plain on, the csv crate reads, its
    // lines counted on from the plain rows'.
    let mut counted = Counting {
        inner: std::io::Cursor::new(plain.rest).chain(BufReader::with_capacity(1 << 16, bytes)),
        after_cr: false,
        newlines: 0,
        quotes: 0,
    };
    let mut input = CsvInput::headless(
        path,
        "scan log",
        names.to_vec(),
        &mut counted,
        &options.layout,
    )
    .starting_after(plain.newlines, plain.consumed);
    let mut record = csv::ByteRecord::new();
    while input.read(&mut record)? {
        keep(&mut log, &input.row(&record))?;
    }
    drop(input);
    Ok(Piece {
        log,
        images,
        texts,
        bytes: row_bytes,
        newlines: plain.newlines + counted.newlines,
        quotes: counted.quotes,
    })
}

/// Counts line ends and quotes in the bytes read through it.
struct Counting<R> {
    inner: R,
    /// The last byte read was a CR (a line end unless LF follows).
    after_cr: bool,
    newlines: u64,
    quotes: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        let bytes = &buf[..read];
        self.newlines += memchr::memchr_iter(b'\n', bytes).count() as u64;
        // A lone CR is a line end to the reader too.
        if self.after_cr && bytes.first() != Some(&b'\n') {
            self.newlines += 1;
        }
        self.newlines += memchr::memchr_iter(b'\r', bytes)
            .filter(|&at| at + 1 < read && bytes[at + 1] != b'\n')
            .count() as u64;
        self.after_cr = bytes.last() == Some(&b'\r');
        self.quotes += memchr::memchr_iter(b'"', bytes).count() as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::log::ScanEvent;
    use crate::input::plain_csv::tests::log_lines;
    use proptest::prelude::*;

    const HEADER: &str = "timestamp,account,image,status,scan_id\n";

    /// A piece reader runs below the rest of the process; the thread that
    /// started it keeps its priority.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_piece_reader_yields_to_the_replay() {
        // SAFETY: plain integer calls, as in `yield_to_the_replay`.
        let priority =
            || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let before = priority();
        if before >= READER_NICE {
            // The tests themselves run at that priority or lower: nothing
            // to see.
            return;
        }
        let reader = std::thread::spawn(move || {
            yield_to_the_replay();
            priority()
        });
        assert_eq!(reader.join().unwrap(), READER_NICE);
        assert_eq!(priority(), before);
    }

    /// What a piece holds, for comparing two ways of reading it.
    type Held = (Vec<ScanEvent>, Vec<String>, Vec<u128>, u64, u64);

    /// The piece `body` (rows of a file whose header is [`HEADER`]) parsed
    /// with plain rows cut `chunk` bytes at a time (0: by the csv crate only).
    fn parsed(body: &[u8], chunk: usize) -> Option<Held> {
        let options = ReadOptions {
            images_by_fingerprint: true,
            ..ReadOptions::default()
        };
        let input = CsvInput::with_layout(
            "log.csv",
            "scan log",
            "timestamp,image",
            HEADER.as_bytes(),
            &options.layout,
            &options.known_columns(),
        )
        .unwrap();
        let columns = Columns::of(&input, None).unwrap();
        let names = input.names().to_vec();
        let cuts = [0, body.len() as u64];
        let readers = Readers::new(
            &options,
            "log.csv",
            body.len() as u64,
            (&names, &columns, &cuts),
            0,
            Zone::Fixed(chrono::FixedOffset::east_opt(0).unwrap()),
        );
        let piece = parse_piece(&readers, body, body.len() as u64, chunk).ok()?;
        let accounts = (0..piece.log.accounts.len() as u32)
            .map(|id| piece.log.accounts.name(id).to_string())
            .collect();
        Some((
            piece.log.events,
            accounts,
            piece.images,
            piece.newlines,
            piece.quotes,
        ))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Rows cut at their delimiters, in chunks of any size, hand over
        /// the same events, accounts, image fingerprints, line ends and
        /// quotes as the csv crate reading the whole piece, or fail as it
        /// does; the cut gives way to the csv crate at the first line that
        /// is not plain.
        #[test]
        fn plain_rows_read_as_the_csv_crate_reads_them(
            lines in prop::collection::vec(log_lines(), 0..40),
            chunk in prop_oneof![1usize..200, Just(PLAIN_CHUNK)],
            unterminated in any::<bool>(),
        ) {
            let mut body: Vec<u8> = lines.concat();
            if unterminated && body.last() == Some(&b'\n') {
                body.pop();
            }
            prop_assert_eq!(parsed(&body, chunk), parsed(&body, 0));
        }
    }

    #[test]
    fn a_plain_piece_is_cut_without_the_csv_crate_and_lines_count_from_its_start() {
        let body =
            b"\n2024-01-01T00:00:00Z,a1,img1,success,s1\n\n2024-01-01T00:01:00Z,a2,img2,failed,\n";
        let (events, accounts, images, newlines, quotes) = parsed(body, PLAIN_CHUNK).unwrap();
        assert_eq!(events.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(accounts, ["a1", "a2"]);
        assert_eq!(images.len(), 2);
        assert_eq!((newlines, quotes), (4, 0));
    }
}
