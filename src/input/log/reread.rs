//! Row texts read again from the file: a ledger of a log that is not in time
//! order holds only each row's 48-byte event, and prints a row's image and
//! scan id from its line, found through an index of where each line starts.
//!
//! Only plain CSV files qualify: a row is one line there (a field holding a
//! line break is refused), so a row's line is all it takes to find it again.

use super::{TextsByRow, is_gzip_file};
use crate::domain::error::{Error, Location, Result};
use crate::domain::key_set::fetch_into_cache;
use crate::input::csv_input::{CsvInput, Layout, trim};
use crate::input::plain_csv::cuts_plainly;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

/// The lines of every input file, to read rows from again.
pub struct RowTexts {
    /// Shared by every reader of these texts ([`RowTexts::another_reader`]).
    files: Arc<Vec<FileLines>>,
    reader: csv_core::Reader,
    /// The field delimiter, for [`plain_fields`].
    delimiter: u8,
    /// Lines without quotes are cut at their delimiters ([`plain_fields`]);
    /// the tests turn it off to compare with the csv reader.
    plain_lines: bool,
    /// Rows whose texts are read at a time ([`REREAD_ROWS`]; the tests
    /// take a few, to cross many windows).
    pub(crate) window_rows: usize,
    /// Where each row of a window lies (kept for the next window).
    wanted: Vec<WantedLine>,
    /// The bytes read last: one or more whole lines.
    chunk: Vec<u8>,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

/// A row's line, 16 bytes: where it starts counted across the files (each
/// file's bytes after those of the files before it, so that one integer
/// sorts the rows into file order), how long it is, and the row's place in
/// its window. A window of a million rows needs 16 MB of these. While a
/// window is listed, before its lines are found ([`RowTexts::find_lines`]),
/// `at` holds the row's line number and `len` its file, so that the list
/// is made once.
#[derive(Debug, Clone, Copy)]
struct WantedLine {
    at: u64,
    len: u32,
    place: u32,
}

struct FileLines {
    name: String,
    file: File,
    /// Where each line starts (line 1 at index 0), and where the file ends.
    starts: Vec<u64>,
    /// The bytes of the files before this one ([`WantedLine::at`]).
    base: u64,
    image: usize,
    scan_id: Option<usize>,
}

impl RowTexts {
    /// These texts read `rows` rows at a time instead of [`REREAD_ROWS`]
    /// (`testkit`: windows of a few rows cross many hand-overs).
    #[cfg(feature = "testkit")]
    pub fn with_window_rows(mut self, rows: usize) -> RowTexts {
        self.window_rows = rows.max(1);
        self
    }

    /// Index the lines of `paths`, in the order they were read. `None` when
    /// one of them is not a plain CSV file (standard input, gzip, JSON).
    pub fn open(paths: &[String]) -> Result<Option<RowTexts>> {
        Self::open_laid_out(paths, &Layout::default())
    }

    /// [`RowTexts::open`] for logs laid out as `layout` says (`--delimiter`,
    /// `--column`).
    pub(crate) fn open_laid_out(paths: &[String], layout: &Layout) -> Result<Option<RowTexts>> {
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            if path == "-" || is_gzip_file(path)? {
                return Ok(None);
            }
            let file = crate::domain::files_read::open(path).map_err(|err| Error::io(path, err))?;
            let Some(lines) = index(path, file, layout)? else {
                return Ok(None);
            };
            files.push(lines);
        }
        let mut base = 0u64;
        for lines in &mut files {
            lines.base = base;
            base = base.saturating_add(lines.size());
        }
        Ok(Some(RowTexts::reading(Arc::new(files), layout.delimiter)))
    }

    /// Whether the file at `path` starts as a plain CSV file does (not
    /// JSON, not compressed), by its first 4 KB: a file that does not is
    /// never indexed. (One that does may still not be: see [`index`].)
    pub(crate) fn starts_plain(path: &str) -> Result<bool> {
        let file = crate::domain::files_read::open(path).map_err(|err| Error::io(path, err))?;
        let mut head = Vec::with_capacity(4096);
        file.take(4096)
            .read_to_end(&mut head)
            .map_err(|err| Error::io(path, err))?;
        Ok(super::looks_like_plain_text(&head))
    }

    /// A reader of `files`, delimited by `delimiter`, with room of its own.
    fn reading(files: Arc<Vec<FileLines>>, delimiter: u8) -> RowTexts {
        RowTexts {
            files,
            reader: record_reader(delimiter),
            delimiter,
            plain_lines: true,
            window_rows: REREAD_ROWS,
            wanted: Vec::new(),
            chunk: Vec::new(),
            fields: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Another reader of the same files and index, with room of its own:
    /// two threads can read two windows at once (each `pread`s its lines).
    pub(crate) fn another_reader(&self) -> RowTexts {
        // Its csv_core reader is built afresh: csv_core's `Reader::clone`
        // copies only part of its state machine (0.1.13), and the copy
        // misreads quotes.
        RowTexts {
            plain_lines: self.plain_lines,
            window_rows: self.window_rows,
            ..RowTexts::reading(Arc::clone(&self.files), self.delimiter)
        }
    }

    /// The image and scan id texts of the rows `rows` (file and line each),
    /// into `into` in that order. The lines are read in file order: lines
    /// close together (gaps of at most [`GAP_BYTES`]) come in one read of up
    /// to [`CHUNK_BYTES`], so a window of many rows of a shuffled log costs a
    /// few large reads, not a `pread` a row, while rows far apart still cost
    /// one small read each (never more bytes than a row plus a gap). A line
    /// that is gone or no longer a row is the file having changed.
    pub(crate) fn read_rows(
        &mut self,
        rows: impl IntoIterator<Item = (u32, u64)>,
        into: &mut TextsByRow,
    ) -> Result<()> {
        // The rows' files and lines first (held in `len` and `at`), so that
        // the line starts can be fetched into cache a few rows ahead (each
        // is a cache miss of its own); then where each line lies; then the
        // rows in file order.
        let mut wanted = std::mem::take(&mut self.wanted);
        wanted.clear();
        let listed = rows
            .into_iter()
            .enumerate()
            .try_for_each(|(place, (file, line))| {
                let place = u32::try_from(place).map_err(|_| {
                    Error::io(
                        "the log",
                        std::io::Error::other("too many rows read at once"),
                    )
                })?;
                wanted.push(WantedLine {
                    at: line,
                    len: file,
                    place,
                });
                Ok(())
            });
        into.reset(wanted.len());
        let read = listed
            .and_then(|()| self.find_lines(&mut wanted))
            .and_then(|()| {
                wanted.sort_unstable_by_key(|line| line.at);
                self.read_wanted(&wanted, into)
            });
        self.wanted = wanted;
        read
    }

    /// Turns each of `wanted`'s file (in `len`) and line (in `at`) into
    /// where the line lies.
    fn find_lines(&self, wanted: &mut [WantedLine]) -> Result<()> {
        const AHEAD: usize = 16;
        for index in 0..wanted.len() {
            if let Some(ahead) = wanted.get(index + AHEAD)
                && let Some(lines) = self.files.get(ahead.len as usize)
                && let Some(start) = lines.starts.get(ahead.at.saturating_sub(1) as usize)
            {
                fetch_into_cache(start);
            }
            let WantedLine {
                at: line,
                len: file,
                place,
            } = wanted[index];
            let (start, end) = self.line_at(file, line)?;
            let at = self.files[file as usize].base.saturating_add(start);
            // A row is at most a megabyte (`MAX_RECORD_BYTES`): a longer
            // line is not the row the first pass read.
            let len = u32::try_from(end - start).map_err(|_| self.changed(file, line))?;
            wanted[index] = WantedLine { at, len, place };
        }
        Ok(())
    }

    /// [`RowTexts::read_rows`] once the rows' lines are found and sorted.
    fn read_wanted(&mut self, wanted: &[WantedLine], into: &mut TextsByRow) -> Result<()> {
        let mut next = 0;
        while next < wanted.len() {
            // One read from this row's line start through the lines close
            // after it in the same file.
            let first = wanted[next];
            let file = self.files.partition_point(|lines| lines.base <= first.at) - 1;
            let lines = &self.files[file];
            let file_end = lines.base.saturating_add(lines.size());
            let start = first.at;
            let mut end = start + u64::from(first.len);
            let mut last = next + 1;
            while let Some(other) = wanted.get(last) {
                let other_end = other.at + u64::from(other.len);
                if other.at >= file_end
                    || other.at > end.saturating_add(GAP_BYTES)
                    || other_end - start > CHUNK_BYTES
                {
                    break;
                }
                end = end.max(other_end);
                last += 1;
            }
            let file = file as u32;
            let line_of = |lines: &FileLines, at: u64| {
                // Line 1 starts at `starts[0]`.
                lines
                    .starts
                    .partition_point(|&line| line <= at - lines.base) as u64
            };
            let Ok(size) = usize::try_from(end - start) else {
                return Err(self.changed(file, line_of(lines, start)));
            };
            self.chunk.resize(size, 0);
            lines
                .file
                .read_exact_at(&mut self.chunk, start - lines.base)
                .map_err(|err| Error::io(&lines.name, err))?;
            for row in &wanted[next..last] {
                let from = (row.at - start) as usize;
                let line = from..from + row.len as usize;
                let Some((image, scan_id)) = self.fields_of(file, line) else {
                    let lines = &self.files[file as usize];
                    return Err(self.changed(file, line_of(lines, row.at)));
                };
                into.set(row.place as usize, image, scan_id);
            }
            next = last;
        }
        Ok(())
    }

    /// Where line `line` of file `file` starts and ends.
    fn line_at(&self, file: u32, line: u64) -> Result<(u64, u64)> {
        let Some(lines) = self.files.get(file as usize) else {
            let lost = std::io::Error::other("a row of a file that was not indexed");
            return Err(Error::io("the log", lost));
        };
        let index =
            usize::try_from(line.saturating_sub(1)).map_err(|_| self.changed(file, line))?;
        match (lines.starts.get(index), lines.starts.get(index + 1)) {
            (Some(start), Some(end)) => Ok((*start, *end)),
            _ => Err(self.changed(file, line)),
        }
    }

    fn changed(&self, file: u32, line: u64) -> Error {
        let name = self
            .files
            .get(file as usize)
            .map_or("the log", |lines| &lines.name);
        Error::input(
            Location::file(name).line(line),
            "changed while being read; run again on a file that is not being written",
        )
    }

    /// The image and scan id of the row on `line` (a range of the chunk read
    /// last) of file `file`, as the reader saw them; `None` when the line is
    /// not a whole row with those fields.
    fn fields_of(&mut self, file: u32, line: std::ops::Range<usize>) -> Option<(&str, &str)> {
        let line = &self.chunk[line];
        let lines = &self.files[file as usize];
        if self.plain_lines
            && let Some(fields) = plain_fields(line, self.delimiter, lines.image, lines.scan_id)
        {
            return fields;
        }
        // One record, its fields back to back in `fields`, each ending at
        // its entry of `ends`.
        self.fields.resize(line.len() + 1, 0);
        self.ends.resize(line.len() + 2, 0);
        self.reader.reset();
        let (mut result, _, written, mut fields) =
            self.reader
                .read_record(line, &mut self.fields, &mut self.ends);
        if result == csv_core::ReadRecordResult::InputEmpty {
            // The last line of a file without a line end: the end of the
            // input ends the record (its field ends count from the record's
            // start, across both calls).
            let (more, _, _, more_fields) =
                self.reader
                    .read_record(&[], &mut self.fields[written..], &mut self.ends[fields..]);
            (result, fields) = (more, fields + more_fields);
        }
        let complete = result == csv_core::ReadRecordResult::Record;
        let field = |index: usize| -> Option<&str> {
            let end = *self.ends[..fields].get(index)?;
            let start = if index == 0 { 0 } else { self.ends[index - 1] };
            std::str::from_utf8(self.fields.get(start..end)?)
                .ok()
                .map(trim)
        };
        let image = field(lines.image).filter(|_| complete)?;
        let scan_id = match lines.scan_id {
            Some(index) => field(index)?,
            None => "",
        };
        Some((image, scan_id))
    }
}

impl FileLines {
    /// The file's size when it was indexed: where its last line ends.
    fn size(&self) -> u64 {
        self.starts.last().copied().unwrap_or(0)
    }
}

/// A reader of one CSV record delimited by `delimiter`.
fn record_reader(delimiter: u8) -> csv_core::Reader {
    csv_core::ReaderBuilder::new().delimiter(delimiter).build()
}

/// The image and scan id of a row `line` holds, when the line has no quote
/// and no carriage return but the one ending it: such a line's fields are
/// the bytes between its delimiters, as the csv reader would read them (the
/// plain rows of `plain_csv`), found in one pass over its bytes instead of
/// the reader's state machine. `None`: not such a line; `Some(None)`: it lacks the fields.
/// `line` is one line of an indexed file: no LF but the one ending it.
fn plain_fields(
    line: &[u8],
    delimiter: u8,
    image: usize,
    scan_id: Option<usize>,
) -> Option<Option<(&str, &str)>> {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    if body.is_empty() || !cuts_plainly(delimiter) {
        return None;
    }
    // One pass over the line: its delimiters cut the fields, and a quote
    // or a CR anywhere makes it a line for the csv reader.
    let last = scan_id.map_or(image, |index| index.max(image));
    let (mut image_text, mut scan_id_text) = (None, scan_id.is_none().then_some(""));
    let (mut start, mut index) = (0, 0);
    // A byte at a time: a row's line is short and cut every few bytes, and
    // `memchr3_iter`, which starts afresh at each delimiter, took twice as
    // long on the benchmark's rows.
    let ends = body.iter().enumerate().filter_map(|(at, &byte)| {
        (byte == delimiter || byte == b'"' || byte == b'\r').then_some(at)
    });
    for end in ends.chain([body.len()]) {
        if end < body.len() && body[end] != delimiter {
            return None;
        }
        if index <= last {
            let text = || std::str::from_utf8(&body[start..end]).ok().map(trim);
            if index == image {
                image_text = text();
            }
            if Some(index) == scan_id {
                scan_id_text = text();
            }
        }
        start = end + 1;
        index += 1;
    }
    Some(image_text.zip(scan_id_text))
}

/// Lines at most this far apart are read in one read rather than two:
/// copying a few KB more costs less than another system call. A window of
/// a shuffled 10 M-row log finds its rows about 2.7 KB apart, so 8 KB joins
/// most neighbours (alternating, 10 M shuffled ledger: 2 KB 6.1-7.4 s and
/// 12.0 s CPU, 4 KB 5.5-5.7 s, 8 KB 5.4-5.5 s and 10.1 s CPU, memory the
/// same).
const GAP_BYTES: u64 = 8 << 10;

/// Rows whose texts are read again at a time: enough that lines close
/// together in the file come in one read, and few windows (each copies
/// most of a shuffled file). A window is about 100 bytes a row with its
/// texts and 16 more for the list that sorts it; a ledger holds up to four.
pub(crate) const REREAD_ROWS: usize = 1 << 20;

/// The most one read takes in (a single line may be longer).
const CHUNK_BYTES: u64 = 256 << 10;

/// The columns and line starts of one plain file; `None` when it holds JSON.
fn index(path: &str, mut file: File, layout: &Layout) -> Result<Option<FileLines>> {
    let mut starts = vec![0u64];
    let mut chunk = vec![0u8; 1 << 20];
    let mut offset = 0u64;
    let mut after_cr = false;
    loop {
        let read = file.read(&mut chunk).map_err(|err| Error::io(path, err))?;
        if read == 0 {
            break;
        }
        if offset == 0 && !super::looks_like_plain_text(&chunk[..read]) {
            return Ok(None);
        }
        // Rows are found again by LF line ends: a lone CR ending a line
        // (which the reader counts as a line) leaves the file to be read whole.
        let bytes = &chunk[..read];
        if after_cr && bytes[0] != b'\n'
            || memchr::memchr_iter(b'\r', bytes).any(|at| at + 1 < read && bytes[at + 1] != b'\n')
        {
            return Ok(None);
        }
        after_cr = chunk[read - 1] == b'\r';
        starts.extend(memchr::memchr_iter(b'\n', &chunk[..read]).map(|at| offset + at as u64 + 1));
        offset += read as u64;
    }
    if after_cr {
        return Ok(None);
    }
    if starts.last() != Some(&offset) {
        starts.push(offset);
    }
    let header = crate::domain::files_read::open(path).map_err(|err| Error::io(path, err))?;
    // The file was read with this layout already: every name it maps is known.
    let known: Vec<&str> = layout.columns.iter().map(|r| r.name.as_str()).collect();
    let input = CsvInput::with_layout(path, "scan log", "timestamp,image", header, layout, &known)?;
    let image = input.require("image", &["timestamp", "image"])?;
    let scan_id = input.find("scan_id")?;
    Ok(Some(FileLines {
        name: path.to_string(),
        file,
        starts,
        base: 0,
        image,
        scan_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A log whose rows are `pads` long (so that lines lie close together
    /// or far apart), every row's image and scan id naming `tag` and its line.
    fn log_file(pads: &[usize], tag: &str) -> tempfile::NamedTempFile {
        let mut text = String::from("timestamp,image,account,scan_id,note\n");
        for (index, pad) in pads.iter().enumerate() {
            let line = index + 2;
            text.push_str(&format!(
                "2024-01-01T00:00:00Z,{},a,{tag}s{line},{}\n",
                if line % 2 == 0 {
                    format!("{tag}img{line}")
                } else {
                    format!("\"{tag}img{line}\"")
                },
                "x".repeat(*pad)
            ));
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
        file
    }

    fn texts_of(texts: &TextsByRow) -> Vec<(String, String)> {
        (0..texts.len())
            .map(|row| texts.get(row).unwrap())
            .map(|(image, scan_id)| (image.to_string(), scan_id.to_string()))
            .collect()
    }

    proptest! {
        /// Rows read together (in any order, repeated, lines close together
        /// and far apart, across reads of their own and shared ones, from
        /// two files) give each row the texts of reading its line alone, by
        /// either of two readers of the same files.
        #[test]
        fn rows_read_together_read_as_each_alone(
            pads in prop::collection::vec(prop_oneof![0usize..40, 1_000usize..3_000, Just(300_000usize)], 1..60),
            other_pads in prop::collection::vec(0usize..40, 1..20),
            picks in prop::collection::vec((any::<bool>(), any::<prop::sample::Index>()), 0..120),
        ) {
            let files = [log_file(&pads, ""), log_file(&other_pads, "b")];
            let paths: Vec<String> = files.iter().map(|file| file.path().to_str().unwrap().to_string()).collect();
            let mut texts = RowTexts::open(&paths).unwrap().expect("plain CSV files");
            let rows = [pads.len(), other_pads.len()];
            let wanted: Vec<(u32, u64)> = picks
                .iter()
                .map(|(second, pick)| (u32::from(*second), pick.index(rows[usize::from(*second)]) as u64 + 2))
                .collect();
            let mut together = TextsByRow::default();
            texts.read_rows(wanted.iter().copied(), &mut together).unwrap();
            // Alone, by this reader and another of the same files in turn.
            let mut another = texts.another_reader();
            let mut alone = Vec::new();
            for (index, one) in wanted.iter().enumerate() {
                let mut read = TextsByRow::default();
                let reader = if index % 2 == 0 { &mut texts } else { &mut another };
                reader.read_rows([*one], &mut read).unwrap();
                alone.extend(texts_of(&read));
            }
            prop_assert_eq!(&texts_of(&together), &alone);
            for ((image, scan_id), (file, line)) in alone.iter().zip(&wanted) {
                let tag = if *file == 1 { "b" } else { "" };
                prop_assert_eq!(image, &format!("{tag}img{line}"));
                prop_assert_eq!(scan_id, &format!("{tag}s{line}"));
            }
        }
    }

    #[test]
    fn plain_fields_are_found_in_either_order_or_missing() {
        use super::plain_fields;
        assert_eq!(
            plain_fields(b"a,b,c\n", b',', 2, Some(0)),
            Some(Some(("c", "a")))
        );
        assert_eq!(
            plain_fields(b"a, b \n", b',', 1, None),
            Some(Some(("b", "")))
        );
        assert_eq!(
            plain_fields(b"a;b\n", b';', 0, Some(0)),
            Some(Some(("a", "a")))
        );
        assert_eq!(plain_fields(b"a,b\n", b',', 0, Some(2)), Some(None));
        assert_eq!(plain_fields(b"a,b\n", b',', 3, None), Some(None));
        assert_eq!(plain_fields(b"a,\"b\"\n", b',', 1, None), None);
    }

    proptest! {
        /// Lines cut at their delimiters give every row the texts (or the
        /// refusal) the csv reader gives: plain fields, quoted ones, spaces
        /// to trim, CRLF, missing fields, and a last line without its end.
        #[test]
        fn plain_lines_read_as_the_csv_reader_reads_them(
            rows in prop::collection::vec(
                prop::collection::vec(prop_oneof![
                    "[a-z é]{0,4}",
                    "[ \t]{0,3}",
                    "\"[a-z, ]{0,4}\"",
                    "\"[a-z]{0,2}\"\"[a-z]{0,2}\"",
                ], 1..5),
                1..30,
            ),
            crlf in any::<bool>(),
            last_ended in any::<bool>(),
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("timestamp,image,scan_id{end}");
            for row in &rows {
                text.push_str(&row.join(","));
                text.push_str(end);
            }
            if !last_ended {
                text.truncate(text.len() - end.len());
            }
            let mut file = tempfile::NamedTempFile::new().unwrap();
            std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
            let path = file.path().to_str().unwrap().to_string();
            let mut texts = RowTexts::open(&[path]).unwrap().expect("a plain CSV file");
            let wanted: Vec<(u32, u64)> = (0..rows.len()).map(|row| (0, row as u64 + 2)).collect();
            let mut read = |plain: bool| {
                texts.plain_lines = plain;
                let mut read = TextsByRow::default();
                // Row by row, so that a row without the fields refuses alone.
                wanted
                    .iter()
                    .map(|one| {
                        texts
                            .read_rows([*one], &mut read)
                            .map(|()| texts_of(&read))
                            .map_err(|err| err.to_string())
                    })
                    .collect::<Vec<_>>()
            };
            let cut = read(true);
            prop_assert_eq!(cut, read(false));
        }
    }

    /// A line the index does not have is the file having changed.
    #[test]
    fn a_line_past_the_end_is_a_changed_file() {
        let file = log_file(&[3, 4], "");
        let path = file.path().to_str().unwrap().to_string();
        let mut texts = RowTexts::open(&[path]).unwrap().unwrap();
        let mut read = TextsByRow::default();
        let err = texts.read_rows([(0, 2), (0, 9)], &mut read).unwrap_err();
        assert!(
            err.to_string().contains("changed while being read"),
            "{err}"
        );
        assert!(err.to_string().contains(":9"), "{err}");
    }
}
