//! A typed, span-keeping walk over a TOML document. Every value read keeps its
//! key path and source position so validation can point at it, and numbers
//! are read from their written text so `0.1` is exactly one tenth.

use crate::domain::error::{Error, Location, Result};
use crate::domain::numbers::parse_decimal;
use crate::domain::text::{HIDDEN_IN_PLAN, has_hidden, shown};
use rust_decimal::Decimal;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

/// The document being read: its file name and text, for positions.
pub(crate) struct Doc<'s> {
    pub(crate) file: &'s str,
    pub(crate) text: &'s str,
}

impl Doc<'_> {
    pub(crate) fn location(&self, span: &Range<usize>, key: &str) -> Location {
        let start = span.start.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, start)];
        let line = before.matches('\n').count() as u64 + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
        let location = Location::file(self.file).line(line).column(column);
        if key.is_empty() {
            location
        } else {
            location.key(key)
        }
    }

    pub(crate) fn error(
        &self,
        span: &Range<usize>,
        key: &str,
        problem: impl Into<String>,
    ) -> Error {
        Error::input(self.location(span, key), problem)
    }

    fn raw(&self, span: &Range<usize>) -> &str {
        let start = floor_char_boundary(self.text, span.start.min(self.text.len()));
        let end = floor_char_boundary(self.text, span.end.min(self.text.len()));
        let raw = self.text.get(start..end).unwrap_or("");
        // Long values are cut so the message stays one readable line.
        match raw.char_indices().nth(60) {
            Some((cut, _)) => &raw[..cut],
            None => raw,
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// A value read from the document, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Field<T> {
    pub(crate) value: T,
    pub(crate) span: Range<usize>,
    pub(crate) path: String,
}

impl<T> Field<T> {
    /// An error about this value: names the file, line, column, key and the
    /// value as written, then `problem` (what is allowed, how to fix it).
    pub(crate) fn error(&self, doc: &Doc<'_>, problem: impl AsRef<str>) -> Error {
        doc.error(
            &self.span,
            &self.path,
            format!("`{}` {}", doc.raw(&self.span), problem.as_ref()),
        )
    }
}

type Entry<'i> = (Spanned<DeString<'i>>, Spanned<DeValue<'i>>);

/// One TOML table being read; keys are taken as they are read, and `finish`
/// refuses whatever is left as unknown.
pub(crate) struct TableReader<'d, 's, 'i> {
    doc: &'d Doc<'s>,
    path: String,
    span: Range<usize>,
    entries: Vec<Entry<'i>>,
}

impl<'d, 's, 'i> TableReader<'d, 's, 'i> {
    pub(crate) fn new(
        doc: &'d Doc<'s>,
        path: String,
        span: Range<usize>,
        table: DeTable<'i>,
    ) -> Self {
        TableReader {
            doc,
            path,
            span,
            entries: table.into_iter().collect(),
        }
    }

    pub(crate) fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn take(&mut self, key: &str) -> Option<Spanned<DeValue<'i>>> {
        let index = self.entries.iter().position(|(k, _)| k.get_ref() == key)?;
        Some(self.entries.remove(index).1)
    }

    fn field<T>(&self, key: &str, value: T, span: Range<usize>) -> Field<T> {
        Field {
            value,
            span,
            path: self.path_of(key),
        }
    }

    fn wrong_type(&self, key: &str, value: &Spanned<DeValue<'_>>, expected: &str) -> Error {
        let field = self.field(key, (), value.span());
        field.error(
            self.doc,
            format!("is a {}; write {expected}", value.get_ref().type_str()),
        )
    }

    /// An error for a key that must be present but is not.
    /// `subscription.start` is absent: an error of its own, since `--start`
    /// may supply it (the zone says how to read that).
    pub(crate) fn start_missing(&self, zone: crate::domain::zone::Zone) -> Error {
        match self.missing("start", "") {
            Error::Input { location, .. } => Error::StartMissing { location, zone },
            other => other,
        }
    }

    /// An error about this table itself, placed at it and named by its path.
    pub(crate) fn table_error(&self, problem: impl Into<String>) -> Error {
        self.doc.error(&self.span, &self.path, problem)
    }

    pub(crate) fn missing(&self, key: &str, example: &str) -> Error {
        self.doc.error(
            &self.span,
            &self.path_of(key),
            format!("is required; add it, e.g. `{key} = {example}`"),
        )
    }

    /// An error about `key` of this table as a whole (a rule that no single
    /// value breaks), placed at the table.
    pub(crate) fn key_error(&self, key: &str, problem: &str) -> Error {
        self.doc.error(
            &self.span,
            &self.path_of(key),
            format!("`[[{}]]` {problem}", self.path_of(key)),
        )
    }

    pub(crate) fn string(&mut self, key: &str) -> Result<Option<Field<String>>> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            // Every string of a plan is read here, so a name that would act
            // on a terminal or a page is refused before any view prints it.
            // Shown escaped, not as written: TOML takes a tab or U+202E as is.
            DeValue::String(text) if has_hidden(text) => Err(self.doc.error(
                &value.span(),
                &self.path_of(key),
                format!("`{}` {HIDDEN_IN_PLAN}", shown(text)),
            )),
            DeValue::String(text) => Ok(Some(self.field(key, text.to_string(), value.span()))),
            _ => Err(self.wrong_type(key, &value, "a quoted string")),
        }
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Result<Option<Field<bool>>> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Boolean(flag) => Ok(Some(self.field(key, *flag, value.span()))),
            _ => Err(self.wrong_type(key, &value, "true or false")),
        }
    }

    /// A whole number in `0..=max`.
    pub(crate) fn whole(&mut self, key: &str, max: u32) -> Result<Option<Field<u32>>> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        let field = self.field(key, (), value.span());
        let number = match value.get_ref() {
            DeValue::Integer(int) => i64::from_str_radix(int.as_str(), int.radix()).ok(),
            _ => {
                return Err(self.wrong_type(
                    key,
                    &value,
                    &format!("a whole number from 0 to {max}"),
                ));
            }
        };
        match number {
            Some(n) if (0..=i64::from(max)).contains(&n) => {
                Ok(Some(self.field(key, n as u32, value.span())))
            }
            _ => Err(field.error(
                self.doc,
                format!("is out of range; write a whole number from 0 to {max}"),
            )),
        }
    }

    fn decimal_of(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<Field<Decimal>> {
        let field = self.field(key, (), value.span());
        let text = match value.get_ref() {
            DeValue::Integer(int) if int.radix() == 10 => int.as_str().to_string(),
            DeValue::Integer(int) => match i128::from_str_radix(int.as_str(), int.radix()) {
                Ok(n) => n.to_string(),
                Err(_) => String::new(),
            },
            DeValue::Float(float) => float.as_str().to_string(),
            DeValue::String(text) => text.to_string(),
            _ => return Err(self.wrong_type(key, value, "a number such as 300 or 0.06")),
        };
        match parse_decimal(&text) {
            Some(number) => Ok(self.field(key, number, value.span())),
            None => Err(field.error(
                self.doc,
                "is not a decimal number; write a number such as 300 or 0.06 (at most 28 digits)",
            )),
        }
    }

    /// A decimal from a TOML integer, float (taken as written) or string.
    pub(crate) fn decimal(&mut self, key: &str) -> Result<Option<Field<Decimal>>> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        self.decimal_of(key, &value).map(Some)
    }

    pub(crate) fn decimals(&mut self, key: &str) -> Result<Vec<Field<Decimal>>> {
        let Some(value) = self.take(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(key, &value, "a list of numbers such as [2000, 5000]"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.decimal_of(&format!("{key}[{i}]"), item))
            .collect()
    }

    /// A TOML datetime or a string holding one, as its text.
    pub(crate) fn datetime_text(&mut self, key: &str) -> Result<Option<Field<String>>> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Datetime(datetime) => {
                Ok(Some(self.field(key, datetime.to_string(), value.span())))
            }
            DeValue::String(text) => Ok(Some(self.field(key, text.to_string(), value.span()))),
            _ => Err(self.wrong_type(key, &value, "a date-time such as 2024-03-15T14:00:00+08:00")),
        }
    }

    pub(crate) fn table(&mut self, key: &str) -> Result<Option<TableReader<'d, 's, 'i>>> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(table) => Ok(Some(TableReader::new(
                self.doc,
                self.path_of(key),
                span,
                table,
            ))),
            other => {
                let value = Spanned::new(span, other);
                Err(self.wrong_type(key, &value, &format!("a table: [{key}]")))
            }
        }
    }

    /// [`Self::tables`] where an empty list (`key = []`) would silently
    /// change the meaning (no tiers is untiered overage): refused.
    pub(crate) fn nonempty_tables(&mut self, key: &str) -> Result<Vec<TableReader<'d, 's, 'i>>> {
        let empty = self.entries.iter().any(|(k, value)| {
            k.get_ref() == key
                && matches!(value.get_ref(), DeValue::Array(items) if items.is_empty())
        });
        if empty {
            return Err(self.key_error(
                key,
                &format!("is an empty list; give at least one [[{key}]] table, or remove the key"),
            ));
        }
        self.tables(key)
    }

    /// An array of tables (`[[key]]`), each with its path `key[i]`.
    pub(crate) fn tables(&mut self, key: &str) -> Result<Vec<TableReader<'d, 's, 'i>>> {
        let Some(value) = self.take(key) else {
            return Ok(Vec::new());
        };
        let span = value.span();
        let items = match value.into_inner() {
            DeValue::Array(items) => items,
            other => {
                let value = Spanned::new(span, other);
                return Err(self.wrong_type(key, &value, &format!("tables: [[{key}]]")));
            }
        };
        let mut readers = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let item_span = item.span();
            match item.into_inner() {
                DeValue::Table(table) => readers.push(TableReader::new(
                    self.doc,
                    self.path_of(&format!("{key}[{i}]")),
                    item_span,
                    table,
                )),
                other => {
                    let value = Spanned::new(item_span, other);
                    return Err(self.wrong_type(&format!("{key}[{i}]"), &value, "a table"));
                }
            }
        }
        Ok(readers)
    }

    /// Refuse any key not read: unknown keys are errors.
    pub(crate) fn finish(self, allowed: &[&str]) -> Result<()> {
        if let Some((key, _)) = self.entries.first() {
            let path = self.path_of(key.get_ref());
            return Err(self.doc.error(
                &key.span(),
                &path,
                format!("is not a known key; allowed here: {}", allowed.join(", ")),
            ));
        }
        Ok(())
    }
}
