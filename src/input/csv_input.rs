//! Reading CSV inputs whose columns are found by name: the header (BOM,
//! case, spaces, duplicates), CRLF, and messages that name the file, line,
//! column and value. Scan logs, inventories and core samples share it.

use crate::domain::error::{Error, Location, ReadProblem, Result};
use crate::domain::limits::{MAX_RECORD_BYTES, describe};
use std::io::Read;

/// How a CSV input is laid out when it is not the canonical one: its
/// delimiter (`--delimiter`) and the columns read under another name
/// (`--column NAME=HEADER`).
#[derive(Debug, Clone)]
pub struct Layout {
    pub delimiter: u8,
    /// The option that sets the delimiter, for messages (`--delimiter`).
    pub delimiter_option: &'static str,
    pub columns: Vec<Rename>,
    /// The option that renames columns, for messages (`--column`).
    pub column_option: &'static str,
}

/// One `--column NAME=HEADER`: `name` and `header` folded as headers are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub name: String,
    pub header: String,
    /// `NAME=HEADER` as given, for messages.
    pub written: String,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            delimiter: b',',
            delimiter_option: "--delimiter",
            columns: Vec::new(),
            column_option: "--column",
        }
    }
}

impl Layout {
    /// The header (or key) that holds the canonical column `name`: the one
    /// mapped to it, else `name` itself.
    pub(crate) fn header_of<'a>(&'a self, name: &'a str) -> &'a str {
        self.columns
            .iter()
            .find(|rename| rename.name == name)
            .map_or(name, |rename| rename.header.as_str())
    }

    /// The mapping that reads `column`'s own header as another column
    /// (`--column scan_id=image` for `image`), when `column` has no mapping
    /// of its own: nothing is then read as `column`.
    pub(crate) fn read_as_another(&self, column: &str) -> Option<&Rename> {
        if self.columns.iter().any(|rename| rename.name == column) {
            return None;
        }
        self.columns.iter().find(|rename| rename.header == column)
    }

    /// Notes for stderr, one for each optional column of `optional` (with
    /// what its going unread means) whose own header a mapping reads as
    /// another column while nothing else is read as it (`--column
    /// image=account`): that column goes unread without a word otherwise.
    /// (A required column so taken is refused as the file is read.)
    pub(crate) fn unread_notes(&self, optional: &[(&str, &str)]) -> String {
        let option = self.column_option;
        let mut notes = String::new();
        for (column, outcome) in optional {
            let Some(rename) = self.read_as_another(column) else {
                continue;
            };
            notes += &format!(
                "scanquota: {option} {} reads the column `{column}` as `{}`, so no column is read as `{column}`{outcome}; give {option} {column}=HEADER to read it from another column\n",
                crate::domain::text::shown(&rename.written),
                rename.name,
            );
        }
        notes
    }

    /// The error for a required `column` of `file` whose own header (a CSV
    /// column, or a JSON Lines key: `noun`) a mapping reads as another
    /// column, if one does: it names the mapping rather than saying the
    /// header is missing.
    pub(crate) fn refuse_taken(&self, file: &str, column: &str, noun: &str) -> Result<()> {
        let Some(rename) = self.read_as_another(column) else {
            return Ok(());
        };
        let option = self.column_option;
        Err(Error::input(
            Location::file(file).line(1).key(column),
            format!(
                "the {noun} `{column}` is read as `{}` ({option} {}), so none is read as the required `{column}`; give {option} {column}=HEADER for another {noun}, or read `{}` from another",
                rename.name, rename.written, rename.name
            ),
        ))
    }

    /// The canonical name a header (folded) is read as: its mapping, else
    /// itself; "" when the header is a canonical name read from another
    /// column instead (so it is ignored).
    pub(crate) fn name_of<'a>(&'a self, header: &'a str) -> &'a str {
        if let Some(rename) = self.columns.iter().find(|r| r.header == header) {
            return &rename.name;
        }
        if self.columns.iter().any(|r| r.name == header) {
            return "";
        }
        header
    }

    /// Refuse a mapping that cannot apply to an input whose columns (or
    /// first object's keys) are `names` (folded): a NAME not in `known`, a
    /// HEADER it lacks, two NAMEs for one HEADER or one NAME twice.
    pub(crate) fn check(
        &self,
        file: &str,
        kind: &str,
        names: &[String],
        known: &[&str],
    ) -> Result<()> {
        let option = self.column_option;
        let listed = || {
            if names.iter().all(String::is_empty) {
                "none".to_string()
            } else {
                names.join(", ")
            }
        };
        let at = || Location::file(file).line(1);
        for (index, rename) in self.columns.iter().enumerate() {
            if !known.contains(&rename.name.as_str()) {
                return Err(Error::input(
                    at().key(&rename.name),
                    format!(
                        "{option} {}: `{}` is not a column scanquota reads in a {kind} (those are {}); the {kind}'s columns are: {}",
                        rename.written,
                        rename.name,
                        known.join(", "),
                        listed()
                    ),
                ));
            }
            if !names.contains(&rename.header) {
                return Err(Error::input(
                    at().key(&rename.header),
                    format!(
                        "{option} {}: the {kind} has no column `{}`; its columns are: {}",
                        rename.written,
                        rename.header,
                        listed()
                    ),
                ));
            }
            if let Some(first) = self.columns[..index]
                .iter()
                .find(|first| first.header == rename.header || first.name == rename.name)
            {
                let what = if first.header == rename.header {
                    format!("both read the column `{}`", rename.header)
                } else {
                    format!("both name `{}`", rename.name)
                };
                return Err(Error::input(
                    at().key(&rename.header),
                    format!(
                        "{option} {} and {option} {} {what}; map each column once (the {kind}'s columns are: {})",
                        first.written,
                        rename.written,
                        listed()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// How a delimiter is shown in messages and written on the command line.
pub(crate) fn delimiter_shown(delimiter: u8) -> (&'static str, &'static str) {
    match delimiter {
        b';' => ("`;`", "';'"),
        b'\t' => ("a tab", "'\\t'"),
        b'|' => ("`|`", "'|'"),
        _ => ("a comma", "','"),
    }
}

/// A CSV input with its header read.
pub(crate) struct CsvInput<R: Read> {
    name: String,
    /// What the file is, for messages ("scan log").
    kind: &'static str,
    reader: csv::Reader<Guard<CrlfToLf<R>>>,
    /// Header names, trimmed and lower-cased.
    names: Vec<String>,
    /// The canonical name each column is read as (see [`Layout::name_of`]).
    lookup: Vec<String>,
    layout: Layout,
    /// The line the last row read stands on.
    line: u64,
    /// Lines and bytes of the input before the reader's first byte (rows
    /// of a file read on from the middle): added to every line and offset
    /// the csv crate counts.
    line_base: u64,
    byte_base: u64,
}

impl<R: Read> CsvInput<R> {
    /// Read the header of an input laid out as `layout` says; `example` is
    /// a header to suggest when the file is empty. Its renamed columns must
    /// be among `known` and in the header.
    pub(crate) fn with_layout(
        name: &str,
        kind: &'static str,
        example: &str,
        reader: R,
        layout: &Layout,
        known: &[&str],
    ) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(layout.delimiter)
            .from_reader(Guard::new(CrlfToLf::new(reader), kind, layout.delimiter));
        let mut header = csv::ByteRecord::new();
        let more = reader
            .read_byte_record(&mut header)
            .map_err(|err| csv_error(name, err, 0))?;
        check_record_size(name, kind, 1, 0, reader.position().byte())?;
        let (guard, end) = (reader.get_ref(), reader.position().byte());
        if let Some(refusal) = guard.quoting_problem(end) {
            let mut location = Location::file(name).line(1);
            if guard.text_after_quote.is_some_and(|at| at < end)
                && let Some(index) = guard.text_after_quote_field
            {
                location = location.column(index as u64 + 1);
            }
            return Err(refusal(location));
        }
        if !more {
            return Err(Error::input(
                Location::file(name).line(1),
                format!("the file is empty; a {kind} starts with a header row such as `{example}`"),
            ));
        }
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
                        "header `{}` is not UTF-8 text; save the {kind} as UTF-8",
                        String::from_utf8_lossy(shorten_bytes(raw))
                    ),
                )
            })?;
            let trimmed = text.trim();
            if quoted_after_blanks(text) {
                return Err(Error::input(
                    Location::file(name).line(1).column(index as u64 + 1),
                    format!(
                        "header `{}` {BLANK_BEFORE_QUOTE}",
                        crate::domain::text::shown(shorten(text))
                    ),
                ));
            }
            names.push(trimmed.to_lowercase());
        }
        if !layout.columns.is_empty() {
            layout.check(name, kind, &names, known)?;
        }
        let lookup = names
            .iter()
            .map(|header| layout.name_of(header).to_string())
            .collect();
        Ok(CsvInput {
            name: name.to_string(),
            kind,
            reader,
            names,
            lookup,
            layout: layout.clone(),
            line: 1,
            line_base: 0,
            byte_base: 0,
        })
    }

    /// Rows of a file whose header (`names`, as [`CsvInput::names`] gives
    /// them) was read elsewhere; `reader` starts at a row boundary.
    pub(crate) fn headless(
        name: &str,
        kind: &'static str,
        names: Vec<String>,
        reader: R,
        layout: &Layout,
    ) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(layout.delimiter)
            .from_reader(Guard::new(CrlfToLf::new(reader), kind, layout.delimiter));
        let lookup = names
            .iter()
            .map(|header| layout.name_of(header).to_string())
            .collect();
        CsvInput {
            name: name.to_string(),
            kind,
            reader,
            names,
            lookup,
            layout: layout.clone(),
            line: 0,
            line_base: 0,
            byte_base: 0,
        }
    }

    /// The reader starts `lines` line ends and `bytes` bytes into the
    /// input: lines and offsets count from the input's start.
    pub(crate) fn starting_after(mut self, lines: u64, bytes: u64) -> Self {
        self.line_base = lines;
        self.byte_base = bytes;
        self
    }

    /// The refusal of a `column` the header has but a mapping reads as
    /// another column (`--column account=team` for `team`), if so: it names
    /// the mapping rather than saying the header lacks the column.
    pub(crate) fn taken(&self, column: &str) -> Option<Error> {
        if !self.names.iter().any(|name| name == column) {
            return None;
        }
        self.layout.refuse_taken(&self.name, column, "column").err()
    }

    /// The input's name, as messages show it.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The header's names, trimmed and lower-cased.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Where `column` is, refusing a header that names it twice.
    pub(crate) fn find(&self, column: &str) -> Result<Option<usize>> {
        let mut positions = self
            .lookup
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_str() == column)
            .map(|(i, _)| i);
        let first = positions.next();
        if let Some(second) = positions.next() {
            return Err(Error::input(
                Location::file(&self.name)
                    .line(1)
                    .column(second as u64 + 1)
                    .key(column),
                format!(
                    "the column `{}` appears twice in the header; keep one",
                    self.names[second]
                ),
            ));
        }
        Ok(first)
    }

    /// Where a required `column` is; `known` lists every column the input understands.
    pub(crate) fn require(&self, column: &str, known: &[&str]) -> Result<usize> {
        self.find(column)?.ok_or_else(|| {
            let has = if self.names.iter().all(String::is_empty) {
                "nothing".to_string()
            } else {
                shorten(&self.names.join(",")).to_string()
            };
            let delimiter = self.layout.delimiter;
            if let [only] = self.names.as_slice()
                && let Some(other) = [b',', b';', b'\t', b'|']
                    .into_iter()
                    .find(|other| *other != delimiter && only.contains(char::from(*other)))
            {
                let parts: Vec<&str> = only.split(char::from(other)).map(str::trim).collect();
                let (shown, _) = delimiter_shown(delimiter);
                let (other_shown, written) = delimiter_shown(other);
                return Error::input(
                    Location::file(&self.name).line(1).key(column),
                    format!(
                        "the header has no {} but splits on {other_shown} into {}; give {} {written} to read it (files are comma-separated unless told)",
                        shown.trim_start_matches("a "),
                        shorten(&parts.join(", ")),
                        self.layout.delimiter_option,
                    ),
                );
            }
            // The column is there, but --column reads it as another one.
            if let Some(taken) = self.taken(column) {
                return taken;
            }
            Error::input(
                Location::file(&self.name).line(1).key(column),
                format!(
                    "the header lacks the required column `{column}`; it has: {has}. Add a `{column}` column, or give {} {column}=HEADER to read another column as it (columns are {})",
                    self.layout.column_option,
                    known.join(", ")
                ),
            )
        })
    }

    /// Read the next row into `record`; false at the end.
    ///
    /// A field holding a line break is refused: no column takes one, and it
    /// is what a quote left open looks like (the csv crate reads it to the end
    /// of the file, swallowing every later row).
    pub(crate) fn read(&mut self, record: &mut csv::ByteRecord) -> Result<bool> {
        let start = self.reader.position().line() + self.line_base;
        let start_byte = self.reader.position().byte();
        self.reader.get_mut().record_start(start_byte, start);
        let more = self
            .reader
            .read_byte_record(record)
            .map_err(|err| csv_error(&self.name, err, self.line_base))?;
        // The csv crate dates a row from where its search began, before any
        // blank lines it skipped; a row (which holds no line break) stands on
        // the line its end is on: one before the reader's line once its line
        // end is read, the reader's own at the end of a file without one.
        let end = self.reader.position().line() + self.line_base;
        let input = &self.reader.get_ref().inner;
        // A field left open to the end of the input holds the last line end
        // itself: no line end after the row was read either.
        let open_to_the_end = input.ended && record.as_slice().last() == Some(&b'\n');
        self.line = if input.ended_mid_line() || open_to_the_end {
            end
        } else {
            end.saturating_sub(1)
        };
        // The line the row starts on, which messages name (not the first
        // blank line before it, where the csv crate's search began): a row
        // holding line breaks (quoted, or a quote left open) starts as many
        // lines before its end as it holds breaks. A row that ends on the
        // line the search began on holds none: only count them when it ends
        // on a later one (blank lines skipped, or breaks).
        let breaks = match more && self.line > start {
            true => memchr::memchr_iter(b'\n', record.as_slice()).count() as u64,
            false => 0,
        };
        let row_line = match more {
            true => self.line.saturating_sub(breaks).max(start),
            false => start,
        };
        // Every row is held to the header's width here (the reader is
        // flexible), before its size, as the csv crate's own check came
        // first.
        if more && record.len() != self.names.len() {
            return Err(Error::input(
                Location::file(&self.name).line(row_line),
                format!(
                    "the row has {} fields but the header has {}; give every row the header's columns (quote fields that contain commas)",
                    record.len(),
                    self.names.len()
                ),
            ));
        }
        // Blank lines the csv crate skipped before the row are no part of
        // it: each is one byte (line ends are LF here).
        check_record_size(
            &self.name,
            self.kind,
            row_line,
            start_byte + (row_line - start),
            self.reader.position().byte(),
        )?;
        if breaks > 0 {
            let column = record
                .iter()
                .position(|field| field.contains(&b'\n'))
                .unwrap_or(0);
            return Err(Error::input(
                Location::file(&self.name)
                    .line(row_line)
                    .column(column as u64 + 1),
                "a field runs over a line break, as when a quote is not closed; close the quote or remove the line break",
            ));
        }
        // A quote still open at the end of the input: the csv crate ends the
        // field there, which would pass for a row.
        let guard = self.reader.get_ref();
        if more && guard.inner.ended && guard.quote == Quote::Open {
            // The open field is the row's last, and runs to the end: it was
            // opened as many lines before the row's end as it holds breaks.
            let last = record.iter().next_back().unwrap_or_default();
            let breaks = memchr::memchr_iter(b'\n', last).count() as u64;
            return Err(Error::input(
                Location::file(&self.name)
                    .line(self.line.saturating_sub(breaks))
                    .column(record.len() as u64),
                "a quoted field opened here is not closed by the end of the file; close the quote or remove it (a quote inside a field is written twice: \"\")",
            ));
        }
        // Text after a quoted field's closing quote (`"sha256:ab"cd`): the
        // csv crate joins it on (`sha256:abcd`), which would bill an image
        // under a name nobody wrote. A quote after blanks at a field's start
        // (`, "acme"`): it reads it as text, and the trimmed value `"acme"`,
        // quotes and all, would be another account or image than `acme`.
        let end = self.reader.position().byte();
        if let Some(refusal) = guard.quoting_problem(end) {
            let mut location = Location::file(&self.name).line(row_line);
            // Blanks before a quote stay in the field as text: name its
            // column. Text after a closing quote is joined on, unseen in the
            // record: the reader counted its field as it found it.
            let text_after = guard.text_after_quote.is_some_and(|at| at < end);
            if let (true, Some(index)) = (text_after, guard.text_after_quote_field) {
                location = location.column(index as u64 + 1);
                if let Some(name) = self.names.get(index) {
                    location = location.key(name);
                }
            }
            let spaced = record.iter().position(|field| {
                let blanks = field
                    .iter()
                    .take_while(|&&b| matches!(b, b' ' | b'\t'))
                    .count();
                blanks > 0 && field.get(blanks) == Some(&b'"')
            });
            if let Some(index) = spaced.filter(|_| !text_after) {
                location = location.column(index as u64 + 1);
                if let Some(name) = self.names.get(index) {
                    location = location.key(name);
                }
            }
            return Err(refusal(location));
        }
        Ok(more)
    }

    /// Cell access and messages for one row just read.
    pub(crate) fn row<'a>(&'a self, record: &'a csv::ByteRecord) -> Row<'a> {
        Row {
            name: &self.name,
            kind: self.kind,
            names: &self.names,
            line: self.line,
            byte: record.position().map_or(0, |p| p.byte()) + self.byte_base,
            text: std::str::from_utf8(record.as_slice()).ok(),
            fields: Fields::Record(record),
            keyed: false,
        }
    }
}

impl<'a> Row<'a> {
    /// A row whose cells were taken from the keys of an object (a JSON Lines
    /// log): messages name the file, line and key, not a column number.
    pub(crate) fn keyed(
        name: &'a str,
        kind: &'static str,
        names: &'a [String],
        line: u64,
        byte: u64,
        record: &'a csv::ByteRecord,
    ) -> Self {
        Row {
            name,
            kind,
            names,
            line,
            byte,
            text: std::str::from_utf8(record.as_slice()).ok(),
            fields: Fields::Record(record),
            keyed: true,
        }
    }

    /// A row cut from one line of plain text (`crate::input::plain_csv`):
    /// field `i` ends at `ends[i]`, the next starts one byte (the delimiter)
    /// later.
    pub(crate) fn plain(
        name: &'a str,
        kind: &'static str,
        names: &'a [String],
        (line, byte): (u64, u64),
        text: &'a str,
        ends: &'a [usize],
    ) -> Self {
        Row {
            name,
            kind,
            names,
            line,
            byte,
            text: Some(text),
            fields: Fields::Line(ends),
            keyed: false,
        }
    }
}

/// Where a row's fields lie.
enum Fields<'a> {
    /// In a record the csv reader filled: its fields back to back.
    Record(&'a csv::ByteRecord),
    /// In one line of text, cut at the delimiters: each field's end.
    Line(&'a [usize]),
}

impl Fields<'_> {
    /// Where field `index` lies in the row's bytes.
    #[inline]
    fn range(&self, index: usize) -> Option<std::ops::Range<usize>> {
        match self {
            Fields::Record(record) => record.range(index),
            Fields::Line(ends) => {
                let end = *ends.get(index)?;
                let start = match index {
                    0 => 0,
                    _ => ends[index - 1] + 1,
                };
                Some(start..end)
            }
        }
    }
}

/// One row of a [`CsvInput`].
pub(crate) struct Row<'a> {
    name: &'a str,
    kind: &'static str,
    names: &'a [String],
    pub(crate) line: u64,
    /// Byte offset of the row in the (decompressed, LF-normalised) input.
    pub(crate) byte: u64,
    fields: Fields<'a>,
    /// Every field's bytes back to back, when they are UTF-8 together: then
    /// a cell is a slice of it, without validating each cell again.
    text: Option<&'a str>,
    /// Cells named by key rather than by column position.
    keyed: bool,
}

impl<'a> Row<'a> {
    fn location(&self, index: usize) -> Location {
        let column = (!self.keyed).then_some(index as u64 + 1);
        let location = Location::file(self.name).line(self.line).column(column);
        match self.names.get(index) {
            Some(column) => location.key(column),
            None => location,
        }
    }

    /// The cell's text, refusing bytes that are not UTF-8.
    #[inline]
    pub(crate) fn cell(&self, index: usize) -> Result<&'a str> {
        // A field whose ends are character boundaries of valid UTF-8 text is
        // valid UTF-8 itself; otherwise fall through and say what is wrong.
        if let (Some(text), Some(range)) = (self.text, self.fields.range(index))
            && let Some(cell) = text.get(range)
        {
            return Ok(cell);
        }
        self.cell_checked(index)
    }

    /// [`Row::cell`] for a field not known to be UTF-8, out of line: the
    /// usual cell is a slice of the row's text, taken inline for every cell
    /// of every row.
    #[cold]
    #[inline(never)]
    fn cell_checked(&self, index: usize) -> Result<&'a str> {
        // A line is cut only once it is known to be UTF-8 (the cell is
        // there); only a record's field can get here with bytes.
        let bytes = match &self.fields {
            Fields::Record(record) => record.get(index).unwrap_or_default(),
            Fields::Line(_) => &[],
        };
        std::str::from_utf8(bytes).map_err(|_| {
            Error::input(
                self.location(index),
                format!(
                    "`{}` is not UTF-8 text; save the {} as UTF-8",
                    String::from_utf8_lossy(shorten_bytes(bytes)),
                    self.kind
                ),
            )
        })
    }

    /// An optional column's trimmed text; empty when the column is absent.
    #[inline]
    pub(crate) fn optional(&self, index: Option<usize>) -> Result<&'a str> {
        match index {
            Some(index) => self.trimmed(index),
            None => Ok(""),
        }
    }

    /// The cell's text, trimmed. Refuses a value that opens with a quote
    /// only after blanks the reader does not see as blanks (a no-break
    /// space, U+00A0, or another Unicode space) or invisible characters (a
    /// zero-width space): the quotes stay in the value, another name than
    /// the one quoted. Spaces and tabs there are refused as the row is read.
    #[inline]
    pub(crate) fn trimmed(&self, index: usize) -> Result<&'a str> {
        let text = self.cell(index)?;
        let value = trim(text);
        // A cell opening with a visible ASCII character (the usual one,
        // a quote included) has nothing before a quote.
        if !text.as_bytes().first().is_some_and(u8::is_ascii_graphic) && quoted_after_blanks(text) {
            return Err(self.fail(index, &crate::domain::text::shown(text), BLANK_BEFORE_QUOTE));
        }
        Ok(value)
    }

    /// An error about the value in column `index`; `fix` says what is allowed.
    pub(crate) fn fail(&self, index: usize, value: &str, fix: &str) -> Error {
        Error::input(self.location(index), format!("`{}` {fix}", shorten(value)))
    }
}

/// `str::trim`, without its Unicode scan for the usual cell that starts and
/// ends with a visible ASCII character (this runs for every cell).
pub(crate) fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

pub(crate) fn shorten(text: &str) -> &str {
    match text.char_indices().nth(60) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

fn shorten_bytes(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().min(60)]
}

/// The csv crate's error, its line counted after `line_base` lines. (Its
/// readers are flexible: a row's width is checked in [`CsvInput::read`].)
fn csv_error(name: &str, err: csv::Error, line_base: u64) -> Error {
    let line = err.position().map(|p| p.line() + line_base);
    match err.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(name, io),
        other => Error::input(
            Location::file(name).line(line.unwrap_or(0)),
            format!("the CSV cannot be read ({other:?}); fix the row"),
        ),
    }
}

/// Text after a quoted field's closing quote, on the row at `location`.
fn text_after_quote(location: Location) -> Error {
    Error::input(
        location,
        "a quoted field has text after its closing quote (as in \"ab\"cd); quote the whole field, writing a quote inside it twice (\"ab\"\"cd\")",
    )
}

/// What is wrong with a cell whose opening quote follows a blank the csv
/// reader does not take for one (a no-break space), and the fix.
const BLANK_BEFORE_QUOTE: &str = "has a blank or an invisible character (a no-break or zero-width space, another Unicode space) before its opening quote, so the quotes would be read as part of its value; remove what is before the quote";

/// Whether `text` opens with a quote only after blanks or invisible
/// characters: the csv reader took the quote for text, and trimming (or
/// the eye) makes the value look quoted.
fn quoted_after_blanks(text: &str) -> bool {
    !text.starts_with('"')
        && text
            .trim_start_matches(|c: char| c.is_whitespace() || crate::domain::text::is_hidden(c))
            .starts_with('"')
}

/// A quote after blanks at a field's start, on the row at `location`.
fn space_before_quote(location: Location) -> Error {
    Error::input(
        location,
        "a field has spaces before its opening quote (as in a, \"b\"), so the quotes would be read as part of its value; remove the spaces before the quote (a, \"b\" becomes a,\"b\")",
    )
}

/// Refuses a record over [`MAX_RECORD_BYTES`] (from byte `start` to `end`,
/// its line end included), naming the line it starts on.
fn check_record_size(name: &str, kind: &str, line: u64, start: u64, end: u64) -> Result<()> {
    if end.saturating_sub(start) > MAX_RECORD_BYTES {
        return Err(Error::io(name, record_too_long(kind, line).into_io()));
    }
    Ok(())
}

fn record_too_long(kind: &str, line: u64) -> ReadProblem {
    ReadProblem {
        line: Some(line),
        problem: format!(
            "the record starting on this line is over {}, the limit for one row of a {kind}; is this the right file, or is a quote left open?",
            describe(MAX_RECORD_BYTES)
        ),
    }
}

/// Sits between the csv reader and the input: refuses a record once it has
/// grown past [`MAX_RECORD_BYTES`] (plus the csv reader's buffer), so a
/// record is never held whole to find it too long, and follows quoting so
/// that a quote left open at the end of the input can be refused with the
/// line it was opened on (the csv crate takes the rest of the file as the
/// field, silently).
struct Guard<R> {
    inner: R,
    /// What the input is, for messages ("scan log").
    kind: &'static str,
    /// The field delimiter.
    delimiter: u8,
    /// Bytes handed up so far.
    offset: u64,
    /// Where the record being read starts, and its line.
    start: u64,
    start_line: u64,
    /// Quoting state after the bytes handed up so far.
    quote: Quote,
    /// The last byte handed up (a line end before the first).
    last: u8,
    /// Where the first text after a quoted field's closing quote is, if any,
    /// and the field it joins (counted from 0).
    text_after_quote: Option<u64>,
    text_after_quote_field: Option<usize>,
    /// The field the bytes handed up so far end in ([`FieldCount`]).
    field_count: FieldCount,
    /// Where the first quote that opens no field, as only spaces or tabs
    /// stand before it in its field (` "acme"`), is, if any.
    space_before_quote: Option<u64>,
    /// The bytes handed up since the last field start are spaces or tabs
    /// only (outside quotes): a quote after them is one above.
    blank_since_field_start: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// Outside a quoted field: a quote opens one at the start of a field.
    Outside,
    /// Inside a quoted field.
    Open,
    /// Just after a quote inside a quoted field: a second quote is an
    /// escaped quote, anything else ends the quoted part.
    QuotedEnd,
}

/// The field of its line that a point of the input is in, for naming the
/// column of text after a closing quote: delimiters outside quotes since
/// the last line end. A line end always starts a line here, even inside
/// quotes (a field over a line break is refused anyway), so the count never
/// depends on where reads cut the input, and each read walks only its
/// bytes after its last line end.
#[derive(Debug, Clone, Copy)]
struct FieldCount {
    field: usize,
    quote: Quote,
    /// The byte before (a line end at the start).
    last: u8,
}

impl FieldCount {
    const LINE_START: FieldCount = FieldCount {
        field: 0,
        quote: Quote::Outside,
        last: b'\n',
    };

    /// The count after `bytes`, which follow the point this one is at.
    fn through(self, bytes: &[u8], delimiter: u8) -> FieldCount {
        let (mut count, tail) = match memchr::memrchr2(b'\n', b'\r', bytes) {
            Some(end) => (FieldCount::LINE_START, &bytes[end + 1..]),
            None => (self, bytes),
        };
        let mut at = 0;
        while at < tail.len() {
            let byte = tail[at];
            match count.quote {
                Quote::Outside => {
                    let field_start =
                        count.last == delimiter || matches!(count.last, b'\n' | b'\r');
                    if byte == b'"' && field_start {
                        count.quote = Quote::Open;
                    } else if byte == delimiter {
                        count.field += 1;
                    }
                }
                Quote::Open => {
                    if byte == b'"' {
                        count.quote = Quote::QuotedEnd;
                    }
                }
                Quote::QuotedEnd => {
                    if byte == b'"' {
                        count.quote = Quote::Open;
                    } else {
                        // The quoted part ends: the byte is read again outside.
                        count.quote = Quote::Outside;
                        continue;
                    }
                }
            }
            count.last = byte;
            at += 1;
        }
        count
    }
}

/// Bytes the csv reader may hold past the record it is reading (its buffer is 8 KiB).
const READ_AHEAD: u64 = 64 << 10;

impl<R> Guard<R> {
    fn new(inner: R, kind: &'static str, delimiter: u8) -> Self {
        Guard {
            inner,
            kind,
            delimiter,
            offset: 0,
            start: 0,
            start_line: 1,
            quote: Quote::Outside,
            last: b'\n',
            text_after_quote: None,
            text_after_quote_field: None,
            field_count: FieldCount::LINE_START,
            space_before_quote: None,
            blank_since_field_start: true,
        }
    }

    /// The refusal of the first quoting the csv crate would misread
    /// (text after a closing quote, blanks before an opening one) in the
    /// input before byte `end`, if any.
    fn quoting_problem(&self, end: u64) -> Option<fn(Location) -> Error> {
        let before_end = |at: Option<u64>| at.is_some_and(|at| at < end);
        if before_end(self.text_after_quote) {
            Some(text_after_quote)
        } else if before_end(self.space_before_quote) {
            Some(space_before_quote)
        } else {
            None
        }
    }

    fn record_start(&mut self, byte: u64, line: u64) {
        self.start = byte;
        self.start_line = line;
    }

    /// Follow the quoting through `bytes`. Only quotes are looked at (with
    /// memchr): a quote opens a quoted field when the byte before it ends a
    /// field or a line.
    fn follow(&mut self, bytes: &[u8]) {
        let counted = self.field_count;
        let mut at = 0;
        while at < bytes.len() {
            match self.quote {
                Quote::Outside => match memchr::memchr(b'"', &bytes[at..]) {
                    Some(found) => {
                        let quote = at + found;
                        let before = if quote == 0 {
                            self.last
                        } else {
                            bytes[quote - 1]
                        };
                        if before == self.delimiter || matches!(before, b'\n' | b'\r') {
                            self.quote = Quote::Open;
                        } else if self.space_before_quote.is_none()
                            && self.blank_before(&bytes[..quote])
                        {
                            self.space_before_quote = Some(self.offset + quote as u64);
                        }
                        at = quote + 1;
                    }
                    None => at = bytes.len(),
                },
                Quote::Open => match memchr::memchr(b'"', &bytes[at..]) {
                    Some(found) => {
                        self.quote = Quote::QuotedEnd;
                        at += found + 1;
                    }
                    None => at = bytes.len(),
                },
                Quote::QuotedEnd => {
                    // `""` is a quote inside the field; anything else ends
                    // the quoted part (and is looked at again, outside).
                    // What ends a quoted field is its delimiter or line end.
                    let byte = bytes[at];
                    if byte == b'"' {
                        self.quote = Quote::Open;
                        at += 1;
                    } else {
                        if byte != self.delimiter
                            && !matches!(byte, b'\n' | b'\r')
                            && self.text_after_quote.is_none()
                        {
                            self.text_after_quote = Some(self.offset + at as u64);
                            self.text_after_quote_field =
                                Some(counted.through(&bytes[..at], self.delimiter).field);
                        }
                        self.quote = Quote::Outside;
                    }
                }
            }
        }
        if !bytes.is_empty() {
            // Whether the next chunk starts in a field holding only blanks.
            self.blank_since_field_start = self.quote == Quote::Outside && self.blank_before(bytes);
        }
        if let Some(&last) = bytes.last() {
            self.last = last;
        }
        self.field_count = counted.through(bytes, self.delimiter);
    }

    /// Whether `before` (the bytes of this chunk before some point) ends in
    /// spaces or tabs only (or none) back to a field start: a delimiter, a
    /// line end, or the chunk's start when the chunk before ended so.
    fn blank_before(&self, before: &[u8]) -> bool {
        // A tab that delimits ends the walk: it starts the field.
        let blanks = before
            .iter()
            .rev()
            .take_while(|&&byte| byte != self.delimiter && matches!(byte, b' ' | b'\t'))
            .count();
        match before.len().checked_sub(blanks + 1) {
            Some(at) => before[at] == self.delimiter || matches!(before[at], b'\n' | b'\r'),
            None => self.blank_since_field_start,
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.offset.saturating_sub(self.start) > MAX_RECORD_BYTES + READ_AHEAD {
            return Err(record_too_long(self.kind, self.start_line).into_io());
        }
        let read = self.inner.read(buf)?;
        self.follow(&buf[..read]);
        self.offset += read as u64;
        Ok(read)
    }
}

/// Turns CRLF and lone CR line ends into LF. The csv crate counts a CRLF record's line
/// one short (it sees the `\n` only when the next record starts), and every
/// message and ledger row must name the true line.
struct CrlfToLf<R> {
    inner: R,
    /// A `\r` that ended the previous read, not yet known to precede `\n`.
    pending_cr: bool,
    /// A byte produced but not yet handed out (reads into a 1-byte buffer).
    carry: Option<u8>,
    /// The last byte handed out, and whether the input has ended: a row read
    /// just as the input ended without a line end stands on the last line.
    last: Option<u8>,
    ended: bool,
}

impl<R> CrlfToLf<R> {
    fn new(inner: R) -> Self {
        CrlfToLf {
            inner,
            pending_cr: false,
            carry: None,
            last: None,
            ended: false,
        }
    }

    /// The input ended after a last row that has no line end.
    fn ended_mid_line(&self) -> bool {
        self.ended && self.last.is_some_and(|byte| byte != b'\n')
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.read_normalised(buf)?;
        match read {
            0 if !buf.is_empty() => self.ended = true,
            0 => {}
            n => self.last = Some(buf[n - 1]),
        }
        Ok(read)
    }
}

impl<R: Read> CrlfToLf<R> {
    fn read_normalised(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if let Some(byte) = self.carry.take() {
            buf[0] = byte;
            return Ok(1);
        }
        if buf.len() == 1 {
            let mut two = [0u8; 2];
            let read = self.read_normalised(&mut two)?;
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
                buf[0] = b'\n';
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
            // A lone CR (old Mac line ends) is a line end too, counted as one.
            buf[write] = if byte == b'\r' { b'\n' } else { byte };
            write += 1;
        }
        if write == 0 && self.pending_cr {
            // Only a lone pending `\r` was read: fetch more rather than report end of file.
            return self.read_normalised(buf);
        }
        Ok(write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `.1` bytes a call: the boundaries a
    /// slow pipe or a decompressor would make.
    struct Chunked<'a>(&'a [u8], usize);

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn normalise(input: &[u8], chunk: usize) -> Vec<u8> {
        let mut out = Vec::new();
        CrlfToLf::new(Chunked(input, chunk))
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// Read `input` in chunks of `chunk` bytes: the rows, or the message.
    fn rows(input: &[u8], chunk: usize) -> std::result::Result<u64, String> {
        rows_delimited(input, chunk, b',')
    }

    /// [`rows`] of an input delimited by `delimiter`.
    fn rows_delimited(
        input: &[u8],
        chunk: usize,
        delimiter: u8,
    ) -> std::result::Result<u64, String> {
        let layout = Layout {
            delimiter,
            ..Layout::default()
        };
        let reader = Chunked(input, chunk);
        let mut input = CsvInput::with_layout("log.csv", "scan log", "a,b", reader, &layout, &[])
            .map_err(|err| err.to_string())?;
        let mut record = csv::ByteRecord::new();
        let mut rows = 0;
        while input.read(&mut record).map_err(|err| err.to_string())? {
            rows += 1;
        }
        Ok(rows)
    }

    #[test]
    fn a_quote_left_open_is_found_across_read_boundaries() {
        let open = b"a,b\n1,\"x\"\"y\"\n2,z\"q\n3,\"w";
        let closed = b"a,b\n1,\"x\"\"y\"\n2,z\"q\n3,\"w\"\n";
        for chunk in 1..open.len() + 1 {
            let message = rows(open, chunk).unwrap_err();
            assert!(message.starts_with("log.csv:4:2: "), "{chunk}: {message}");
            assert_eq!(rows(closed, chunk), Ok(3), "{chunk}");
        }
    }

    /// A quote after blanks at a field's start is refused wherever the
    /// reads cut the input (the blanks in one read, the quote in the next),
    /// naming the row and column; a quote inside a field's text, after a quoted field's
    /// spaces inside its quotes, or after an escaped quote is read as before.
    #[test]
    fn a_space_before_an_opening_quote_is_found_across_read_boundaries() {
        let spaced = b"a,b\n1,\"x\"\n2,ab \"c\"\n3,\" \"\"y\"\n4, \t\"z\"\n5,w\n";
        let tab_header = b"a,\t\"b\"\n1,2\n";
        let fine = b"a,b\n1,\"x\"\n2,ab \"c\"\n3,\" \"\"y\"\n4,\"z\"\n5, w \n";
        for chunk in 1..spaced.len() + 1 {
            let message = rows(spaced, chunk).unwrap_err();
            assert!(
                message.starts_with("log.csv:5:2: b: ")
                    && message.contains("spaces before its opening quote"),
                "{chunk}: {message}"
            );
            assert_eq!(rows(fine, chunk), Ok(5), "{chunk}");
        }
        for chunk in 1..tab_header.len() + 1 {
            let message = rows(tab_header, chunk).unwrap_err();
            assert!(message.starts_with("log.csv:1: "), "{chunk}: {message}");
        }
        // Tab-delimited: the tab before the blanks starts the field (it was
        // taken for a blank, and the row passed).
        let tabbed = b"a\tb\tc\n1\t \t\"x\"\n2\t \t \"y\"\n";
        let tabbed_fine = b"a\tb\tc\n1\t \t\"x\"\n2\t\t\"y\"\n";
        for chunk in 1..tabbed.len() + 1 {
            let message = rows_delimited(tabbed, chunk, b'\t').unwrap_err();
            assert!(
                message.starts_with("log.csv:3:3: c: "),
                "{chunk}: {message}"
            );
            assert_eq!(rows_delimited(tabbed_fine, chunk, b'\t'), Ok(2), "{chunk}");
        }
    }

    /// Text after a closing quote names its row and column wherever the
    /// reads cut the input (delimiters inside quotes, and escaped quotes,
    /// are not counted).
    #[test]
    fn text_after_a_closing_quote_names_its_column() {
        let input = b"a,b,c\n\"1,\"\"x\",y,z\n2,\"p,q\"r,s\n";
        let header = b"a,\"b\"x,c\n1,2,3\n";
        let tabbed = b"a\tb\n1\t\"x\ty\"z\n";
        for chunk in 1..input.len() + 1 {
            let message = rows(input, chunk).unwrap_err();
            assert!(
                message.starts_with("log.csv:3:2: b: ")
                    && message.contains("text after its closing quote"),
                "{chunk}: {message}"
            );
            let message = rows(header, chunk).unwrap_err();
            assert!(message.starts_with("log.csv:1:2: "), "{chunk}: {message}");
            let message = rows_delimited(tabbed, chunk, b'\t').unwrap_err();
            assert!(
                message.starts_with("log.csv:2:2: b: "),
                "{chunk}: {message}"
            );
        }
    }

    #[test]
    fn a_record_over_the_limit_is_refused_before_it_is_held() {
        let mut input = b"a,b\n1,2\n3,".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES as usize));
        input.push(b'\n');
        let message = rows(&input, 1 << 16).unwrap_err();
        assert!(
            message.starts_with("log.csv:3: ") && message.contains("1 MiB"),
            "{message}"
        );
    }

    #[test]
    fn crlf_becomes_lf_across_read_boundaries() {
        let input = b"a,b\r\n1,2\r\n\"x\ry\",3\r\n\r";
        for chunk in 1..input.len() + 1 {
            assert_eq!(
                normalise(input, chunk),
                b"a,b\n1,2\n\"x\ny\",3\n\n",
                "chunk {chunk}"
            );
        }
    }
}
