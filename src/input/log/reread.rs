//! Row texts read again from the file: a ledger of a log that is not in time
//! order holds only each row's 48-byte event, and prints a row's image and
//! scan id from its line, found through an index of where each line starts.
//!
//! Only plain CSV files qualify: a row is one line there (a field holding a
//! line break is refused), so a row's line is all it takes to find it again.

use super::{ScanEvent, is_gzip_file};
use crate::domain::error::{Error, Location, Result};
use crate::input::csv_input::{CsvInput, Layout, trim};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;

/// The lines of every input file, to read rows from again.
pub struct RowTexts {
    files: Vec<FileLines>,
    reader: csv_core::Reader,
    line: Vec<u8>,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

struct FileLines {
    name: String,
    file: File,
    /// Where each line starts (line 1 at index 0), and where the file ends.
    starts: Vec<u64>,
    image: usize,
    scan_id: Option<usize>,
}

impl RowTexts {
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
            let file = File::open(path).map_err(|err| Error::io(path, err))?;
            let Some(lines) = index(path, file, layout)? else {
                return Ok(None);
            };
            files.push(lines);
        }
        Ok(Some(RowTexts {
            files,
            reader: csv_core::ReaderBuilder::new()
                .delimiter(layout.delimiter)
                .build(),
            line: Vec::new(),
            fields: Vec::new(),
            ends: Vec::new(),
        }))
    }

    /// The image and scan id texts of `event`'s row, as the reader saw them.
    pub(crate) fn texts(&mut self, event: &ScanEvent) -> Result<(&str, &str)> {
        let Some(file) = self.files.get(event.file as usize) else {
            let lost = std::io::Error::other("a row of a file that was not indexed");
            return Err(Error::io("the log", lost));
        };
        let changed = || {
            Error::input(
                Location::file(&file.name).line(event.line),
                "changed while being read; run again on a file that is not being written",
            )
        };
        let index = usize::try_from(event.line.saturating_sub(1)).map_err(|_| changed())?;
        let (Some(start), Some(end)) = (file.starts.get(index), file.starts.get(index + 1)) else {
            return Err(changed());
        };
        self.line
            .resize(usize::try_from(end - start).map_err(|_| changed())?, 0);
        file.file
            .read_exact_at(&mut self.line, *start)
            .map_err(|err| Error::io(&file.name, err))?;
        // One record, its fields back to back in `fields`, each ending at
        // its entry of `ends`.
        self.fields.resize(self.line.len() + 1, 0);
        self.ends.resize(self.line.len() + 2, 0);
        self.reader.reset();
        let (mut result, _, written, mut fields) =
            self.reader
                .read_record(&self.line, &mut self.fields, &mut self.ends);
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
        let image = field(file.image).filter(|_| complete).ok_or_else(changed)?;
        let scan_id = match file.scan_id {
            Some(index) => field(index).ok_or_else(changed)?,
            None => "",
        };
        Ok((image, scan_id))
    }
}

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
    let header = File::open(path).map_err(|err| Error::io(path, err))?;
    // The file was read with this layout already: every name it maps is known.
    let known: Vec<&str> = layout.columns.iter().map(|r| r.name.as_str()).collect();
    let input = CsvInput::with_layout(path, "scan log", "timestamp,image", header, layout, &known)?;
    let image = input.require("image", &["timestamp", "image"])?;
    let scan_id = input.find("scan_id")?;
    Ok(Some(FileLines {
        name: path.to_string(),
        file,
        starts,
        image,
        scan_id,
    }))
}
