//! Scan logs: CSV → time-ordered events.
//!
//! Each event is compact (ids instead of text) and remembers the file and
//! line it came from, for messages and the ledger.

use crate::error::{Error, Location, Result};
use crate::zone::{Zone, parse_timestamp};
use chrono::{DateTime, Utc};
use flate2::read::MultiGzDecoder;
use std::collections::HashMap;
use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Local,
    Registry,
    Cicd,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Registry => "registry",
            Source::Cicd => "cicd",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        match text.to_ascii_lowercase().as_str() {
            "local" => Some(Source::Local),
            "registry" => Some(Source::Registry),
            "cicd" => Some(Source::Cicd),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
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
    pub fn parse(text: &str) -> Option<Risk> {
        match text.to_ascii_lowercase().as_str() {
            "" => Some(Risk::Unknown),
            "none" => Some(Risk::None),
            "low" => Some(Risk::Low),
            "medium" => Some(Risk::Medium),
            "high" => Some(Risk::High),
            _ => None,
        }
    }
}

/// One scan row, with text replaced by interned ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanEvent {
    pub at: DateTime<Utc>,
    pub account: u32,
    pub image: u32,
    pub scan_id: Option<u32>,
    pub source: Source,
    pub status: Status,
    pub risk: Risk,
    /// Index into `ScanLog::files`.
    pub file: u32,
    pub line: u64,
}

/// Text ↔ dense id, so events stay small and comparisons are integer ones.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion distinct names");
        self.names.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    pub fn get(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Every scan of every log given, merged and in replay order.
#[derive(Debug, Default, Clone)]
pub struct ScanLog {
    /// Sorted by time; rows with equal times keep their input order.
    pub events: Vec<ScanEvent>,
    pub accounts: Interner,
    pub images: Interner,
    pub scan_ids: Interner,
    /// The name of each input, as messages show it.
    pub files: Vec<String>,
}

/// The name `-` is shown as.
pub const STDIN_NAME: &str = "<stdin>";

const KNOWN_COLUMNS: [&str; 7] = [
    "timestamp",
    "image",
    "account",
    "source",
    "status",
    "risk",
    "scan_id",
];

/// Where each known column sits in a file's rows.
struct Columns {
    timestamp: usize,
    image: usize,
    account: Option<usize>,
    source: Option<usize>,
    status: Option<usize>,
    risk: Option<usize>,
    scan_id: Option<usize>,
    names: Vec<String>,
}

impl ScanLog {
    /// Read and merge logs; `-` is standard input, `.gz` is gunzipped.
    pub fn read_paths(paths: &[String], zone: Zone) -> Result<ScanLog> {
        let mut log = ScanLog::default();
        for path in paths {
            let name = if path == "-" {
                STDIN_NAME.to_string()
            } else {
                path.clone()
            };
            let reader = open_input(path)?;
            log.read_one(&name, reader, zone)?;
        }
        log.sort();
        Ok(log)
    }

    /// Read one more log from any reader (decompressed already).
    pub fn read_one(&mut self, name: &str, reader: impl Read, zone: Zone) -> Result<()> {
        let file = u32::try_from(self.files.len()).expect("fewer than 4 billion files");
        self.files.push(name.to_string());
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(CrlfToLf::new(reader));
        let mut record = csv::ByteRecord::new();
        let header_read = csv
            .read_byte_record(&mut record)
            .map_err(|err| csv_error(name, err))?;
        if !header_read {
            return Err(Error::input(
                Location::file(name).line(1),
                "the file is empty; a scan log starts with a header row such as `timestamp,image`",
            ));
        }
        let columns = Columns::from_header(name, &record)?;
        while csv
            .read_byte_record(&mut record)
            .map_err(|err| csv_error(name, err))?
        {
            let line = record.position().map_or(0, |p| p.line());
            let event = self.parse_row(name, file, line, &record, &columns, zone)?;
            self.events.push(event);
        }
        Ok(())
    }

    /// Put events in replay order: by time, ties in input order (a stable sort).
    pub fn sort(&mut self) {
        self.events.sort_by_key(|event| event.at);
    }

    pub fn location(&self, event: &ScanEvent) -> String {
        format!("{}:{}", self.files[event.file as usize], event.line)
    }

    fn parse_row(
        &mut self,
        name: &str,
        file: u32,
        line: u64,
        record: &csv::ByteRecord,
        columns: &Columns,
        zone: Zone,
    ) -> Result<ScanEvent> {
        let cell = |index: usize| -> Result<&str> {
            let bytes = record.get(index).unwrap_or_default();
            std::str::from_utf8(bytes).map_err(|_| {
                Error::input(
                    Location::file(name)
                        .line(line)
                        .column(index as u64 + 1)
                        .key(&columns.names[index]),
                    format!(
                        "`{}` is not UTF-8 text; save the log as UTF-8",
                        String::from_utf8_lossy(shorten_bytes(bytes))
                    ),
                )
            })
        };
        let fail = |index: usize, value: &str, fix: &str| {
            Error::input(
                Location::file(name)
                    .line(line)
                    .column(index as u64 + 1)
                    .key(&columns.names[index]),
                format!("`{}` {fix}", shorten(value)),
            )
        };
        let optional = |index: Option<usize>| -> Result<&str> {
            match index {
                Some(index) => cell(index).map(str::trim),
                None => Ok(""),
            }
        };

        let timestamp_text = cell(columns.timestamp)?;
        let at = parse_timestamp(timestamp_text, zone).map_err(|err| {
            fail(
                columns.timestamp,
                timestamp_text,
                &format!("is not a usable timestamp; {err}"),
            )
        })?;

        let image_text = cell(columns.image)?.trim();
        if image_text.is_empty() {
            return Err(fail(
                columns.image,
                image_text,
                "is empty; every row needs the image it scanned, e.g. sha256:…",
            ));
        }
        let image = self.images.intern(image_text);

        let account_text = optional(columns.account)?;
        let account = self.accounts.intern(if account_text.is_empty() {
            "default"
        } else {
            account_text
        });

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
        let status = match status_text.to_ascii_lowercase().as_str() {
            "" | "success" => Status::Success,
            "failed" => Status::Failed,
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
        let scan_id = (!scan_id_text.is_empty()).then(|| self.scan_ids.intern(scan_id_text));

        Ok(ScanEvent {
            at,
            account,
            image,
            scan_id,
            source,
            status,
            risk,
            file,
            line,
        })
    }
}

impl Columns {
    fn from_header(name: &str, header: &csv::ByteRecord) -> Result<Columns> {
        let mut names = Vec::with_capacity(header.len());
        for (index, raw) in header.iter().enumerate() {
            let raw = if index == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
            } else {
                raw
            };
            let text = std::str::from_utf8(raw).map_err(|_| {
                Error::input(
                    Location::file(name).line(1).column(index as u64 + 1),
                    format!(
                        "header `{}` is not UTF-8 text; save the log as UTF-8",
                        String::from_utf8_lossy(shorten_bytes(raw))
                    ),
                )
            })?;
            names.push(text.trim().to_lowercase());
        }
        let find = |column: &str| -> Result<Option<usize>> {
            let mut positions = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_str() == column)
                .map(|(i, _)| i);
            let first = positions.next();
            if let Some(second) = positions.next() {
                return Err(Error::input(
                    Location::file(name)
                        .line(1)
                        .column(second as u64 + 1)
                        .key(column),
                    format!("the column `{column}` appears twice in the header; keep one"),
                ));
            }
            Ok(first)
        };
        let required = |column: &str| -> Result<usize> {
            find(column)?.ok_or_else(|| {
                Error::input(
                    Location::file(name).line(1).key(column),
                    format!(
                        "the header lacks the required column `{column}`; it has: {}. Add a `{column}` column (columns are {})",
                        if names.iter().all(String::is_empty) { "nothing".to_string() } else { shorten(&names.join(",")).to_string() },
                        KNOWN_COLUMNS.join(", ")
                    ),
                )
            })
        };
        Ok(Columns {
            timestamp: required("timestamp")?,
            image: required("image")?,
            account: find("account")?,
            source: find("source")?,
            status: find("status")?,
            risk: find("risk")?,
            scan_id: find("scan_id")?,
            names,
        })
    }
}

fn shorten(text: &str) -> &str {
    match text.char_indices().nth(60) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

fn shorten_bytes(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().min(60)]
}

fn csv_error(name: &str, err: csv::Error) -> Error {
    let line = err.position().map(|p| p.line());
    match err.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(name, io),
        csv::ErrorKind::UnequalLengths {
            expected_len,
            len,
            pos,
        } => {
            let line = pos.map(|p| p.line()).or(line).unwrap_or(0);
            Error::input(
                Location::file(name).line(line),
                format!(
                    "the row has {len} fields but the header has {expected_len}; give every row the header's columns (quote fields that contain commas)"
                ),
            )
        }
        other => Error::input(
            Location::file(name).line(line.unwrap_or(0)),
            format!("the CSV cannot be read ({other:?}); fix the row"),
        ),
    }
}

/// Open a path for reading: `-` is standard input, `*.gz` is gunzipped.
pub fn open_input(path: &str) -> Result<Box<dyn Read>> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let metadata = std::fs::metadata(path).map_err(|err| Error::io(path, err))?;
    if metadata.is_dir() {
        return Err(Error::input(
            Location::file(path),
            "is a directory; give a file",
        ));
    }
    let file = std::fs::File::open(path).map_err(|err| Error::io(path, err))?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    if path.ends_with(".gz") {
        Ok(Box::new(GzipReader {
            name: path.to_string(),
            inner: MultiGzDecoder::new(reader),
        }))
    } else {
        Ok(Box::new(reader))
    }
}

/// Names the file when its gzip stream is damaged, since a bare
/// "corrupt deflate stream" would not say which input is at fault.
struct GzipReader<R> {
    name: String,
    inner: MultiGzDecoder<R>,
}

impl<R: std::io::BufRead> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|err| {
            std::io::Error::new(
                err.kind(),
                format!("{} is not a valid gzip file ({err})", self.name),
            )
        })
    }
}

/// Turns CRLF line ends into LF. The csv crate counts a CRLF record's line
/// one short (it sees the `\n` only when the next record starts), and every
/// message and ledger row must name the true line.
struct CrlfToLf<R> {
    inner: R,
    /// A `\r` that ended the previous read, not yet known to precede `\n`.
    pending_cr: bool,
    /// A byte produced but not yet handed out (reads into a 1-byte buffer).
    carry: Option<u8>,
}

impl<R> CrlfToLf<R> {
    fn new(inner: R) -> Self {
        CrlfToLf {
            inner,
            pending_cr: false,
            carry: None,
        }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if let Some(byte) = self.carry.take() {
            buf[0] = byte;
            return Ok(1);
        }
        if buf.len() == 1 {
            let mut two = [0u8; 2];
            let read = self.read(&mut two)?;
            if read == 2 {
                self.carry = Some(two[1]);
            }
            buf[0] = two[0];
            return Ok(read.min(1));
        }
        let offset = usize::from(self.pending_cr);
        let read = self.inner.read(&mut buf[offset..])?;
        if self.pending_cr {
            buf[0] = b'\r';
            self.pending_cr = false;
            if read == 0 {
                return Ok(1);
            }
        }
        let mut len = offset + read;
        if read == 0 {
            return Ok(0);
        }
        if !buf[..len].contains(&b'\r') {
            return Ok(len);
        }
        if buf[len - 1] == b'\r' {
            self.pending_cr = true;
            len -= 1;
        }
        let mut write = 0;
        for read_at in 0..len {
            let byte = buf[read_at];
            if byte == b'\r' && read_at + 1 < len && buf[read_at + 1] == b'\n' {
                continue;
            }
            buf[write] = byte;
            write += 1;
        }
        if write == 0 && self.pending_cr {
            // Only a lone pending `\r` was read: fetch more rather than report end of file.
            return self.read(buf);
        }
        Ok(write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalise(input: &[u8], chunk: usize) -> Vec<u8> {
        struct Chunked<'a>(&'a [u8], usize);
        impl Read for Chunked<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        CrlfToLf::new(Chunked(input, chunk))
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn crlf_becomes_lf_across_read_boundaries() {
        let input = b"a,b\r\n1,2\r\n\"x\ry\",3\r\n\r";
        for chunk in 1..input.len() + 1 {
            assert_eq!(
                normalise(input, chunk),
                b"a,b\n1,2\n\"x\ry\",3\n\r",
                "chunk {chunk}"
            );
        }
    }
}
