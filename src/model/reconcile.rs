//! Compare a vendor's statistics JSON with what scanquota computes from the
//! logs, field by field.

use crate::domain::error::{Error, Location, Result};
use crate::model::stats::HssStatistics;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Difference {
    /// Dotted path, e.g. `high_risk.cicd`.
    pub(crate) field: String,
    pub(crate) vendor: String,
    pub(crate) computed: String,
}

impl Difference {
    pub(crate) fn line(&self) -> String {
        format!(
            "DIFF {}: vendor {}, scanquota {}",
            self.field, self.vendor, self.computed
        )
    }
}

/// Read the vendor's statistics JSON: an object with the API's fields, and
/// notes for stderr (keys ignored that look like a field).
pub(crate) fn read_vendor(path: &str) -> Result<(Value, String)> {
    let bytes = crate::domain::limits::read_whole(
        path,
        crate::domain::limits::MAX_VENDOR_STATS_BYTES,
        "vendor statistics",
    )?;
    parse_vendor(path, &bytes)
}

/// [`read_vendor`] from bytes; `path` names them in messages.
pub fn parse_vendor(path: &str, bytes: &[u8]) -> Result<(Value, String)> {
    // A BOM is accepted as in logs: an editor on Windows writes one, and
    // serde_json would call it invalid JSON at 1:1.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|err| {
        Error::input(
            Location::file(path)
                .line(err.line() as u64)
                .column(err.column() as u64),
            format!(
                "is not valid JSON ({err}); give the body ShowImagePayPerScanStatistics returned"
            ),
        )
    })?;
    if !value.is_object() {
        return Err(Error::input(
            Location::file(path).line(1),
            "is not a JSON object; give the object ShowImagePayPerScanStatistics returned, with fields such as repository_scan_num",
        ));
    }
    // serde_json's `Value` keeps the last of a key written twice: the
    // statistics would be compared with one figure of two, and agree or not
    // by the order they were written in.
    if let Err(err) = serde_json::from_slice::<EachKeyOnce>(bytes) {
        let text = err.to_string();
        let problem = text
            .rfind(" at line ")
            .map_or(text.as_str(), |cut| &text[..cut]);
        return Err(Error::input(
            Location::file(path)
                .line(err.line() as u64)
                .column(err.column() as u64),
            format!("{problem}; keep one, or the statistics are ambiguous"),
        ));
    }
    let template = serde_json::to_value(HssStatistics::zero()).expect("statistics serialise");
    let mut misses = Vec::new();
    near_misses("", &template, &value, &mut misses);
    let mut notes = String::new();
    for miss in misses {
        let mut at = Location::file(path);
        if let Some((line, column)) = position_of(bytes, &miss.key) {
            at = at.line(line).column(column);
        }
        let key = crate::domain::text::shown(&miss.key);
        let meant = &miss.meant;
        if miss.meant_present {
            notes += &format!(
                "scanquota: {}: `{key}` is not a field of the statistics; it is ignored, and `{meant}` beside it is compared\n",
                at.key(&miss.dotted)
            );
            continue;
        }
        return Err(Error::input(
            at.key(&miss.dotted),
            format!(
                "`{key}` is not a field of the statistics (did you mean `{meant}`?); the fields here are: {}; correct the key (other keys the vendor adds are ignored)",
                miss.known.join(", ")
            ),
        ));
    }
    let mut missing = Vec::new();
    incomplete("", &template, &value, &mut missing);
    if !missing.is_empty() {
        return Err(Error::input(
            Location::file(path),
            format!(
                "is not a complete statistics object: {} field(s) missing or not of the API's type: {}; \
                 give the whole body ShowImagePayPerScanStatistics returned (counts as whole numbers, already_given as true or false)",
                missing.len(),
                missing.join(", ")
            ),
        ));
    }
    Ok((value, notes))
}

/// A key of the vendor's statistics that is not a field but is a near miss
/// of one (the same but for case, or one or two letters off, as
/// `cicd_scan_nun`).
struct NearMiss {
    /// Its dotted path.
    dotted: String,
    key: String,
    /// The field it is close to.
    meant: String,
    /// Whether that field is there too: then the key is the vendor's
    /// addition beside it (`registry` beside the API's own `registriy`),
    /// ignored with a note; else it stands for the field, and is refused.
    meant_present: bool,
    /// The fields of its object.
    known: Vec<String>,
}

/// Every near miss of `vendor`'s keys against `template`'s fields, at any
/// depth, in the order written. Keys unlike every field are the vendor's
/// additions and are ignored (docs/decisions.md).
fn near_misses(prefix: &str, template: &Value, vendor: &Value, out: &mut Vec<NearMiss>) {
    let (Value::Object(fields), Value::Object(found)) = (template, vendor) else {
        return;
    };
    for (key, value) in found {
        let dotted = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match fields.get(key) {
            Some(expected) => near_misses(&dotted, expected, value, out),
            None => {
                let folded = key.to_lowercase();
                if let Some(meant) = fields.keys().find(|known| edits(&folded, known) <= 2) {
                    out.push(NearMiss {
                        dotted,
                        key: key.clone(),
                        meant: meant.clone(),
                        meant_present: found.contains_key(meant),
                        known: fields.keys().cloned().collect(),
                    });
                }
            }
        }
    }
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The line and column (in characters) where `key` is written as a JSON
/// key (`"key"`), to point the message at it; `None` when it is written more
/// than once (in several objects), where the dotted path alone is exact.
fn position_of(bytes: &[u8], key: &str) -> Option<(u64, u64)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let quoted = format!("\"{key}\"");
    let start = text.find(&quoted)?;
    if text[start + quoted.len()..].contains(&quoted) {
        return None;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    Some((line, column))
}

/// The dotted paths of `template`'s leaves that `vendor` lacks or holds as
/// another JSON type (a count as a string, a flag as a number).
fn incomplete(prefix: &str, template: &Value, vendor: &Value, out: &mut Vec<String>) {
    let Value::Object(fields) = template else {
        return;
    };
    for (key, expected) in fields {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (expected, vendor.get(key)) {
            (Value::Object(_), Some(found @ Value::Object(_))) => {
                incomplete(&path, expected, found, out)
            }
            (Value::Number(_), Some(Value::Number(n))) if n.is_u64() => {}
            (Value::Bool(_), Some(Value::Bool(_))) => {}
            _ => out.push(path),
        }
    }
}

fn show(value: Option<&Value>) -> String {
    match value {
        None => "missing".to_string(),
        Some(Value::String(text)) => format!("{text:?}"),
        Some(other) => other.to_string(),
    }
}

fn walk(prefix: &str, computed: &Value, vendor: Option<&Value>, out: &mut Vec<Difference>) {
    match computed {
        Value::Object(fields) => {
            for (key, value) in fields {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                walk(&path, value, vendor.and_then(|v| v.get(key)), out);
            }
        }
        leaf => {
            // Every computed leaf is a count or a flag: compare exactly.
            let same = vendor == Some(leaf);
            if !same {
                out.push(Difference {
                    field: prefix.to_string(),
                    vendor: show(vendor),
                    computed: show(Some(leaf)),
                });
            }
        }
    }
}

/// Every field of the computed statistics whose vendor value differs or is missing.
pub(crate) fn differences(vendor: &Value, computed: &HssStatistics) -> Vec<Difference> {
    let computed = serde_json::to_value(computed).expect("statistics serialise to JSON");
    let mut out = Vec::new();
    walk("", &computed, Some(vendor), &mut out);
    out
}

/// A JSON document whose objects each hold a key once, at any depth (the
/// check only: nothing is kept).
struct EachKeyOnce;

impl<'de> serde::Deserialize<'de> for EachKeyOnce {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EachKeyOnce)
    }
}

impl<'de> serde::de::Visitor<'de> for EachKeyOnce {
    type Value = EachKeyOnce;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<EachKeyOnce>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<EachKeyOnce>()?;
            if !keys.insert(key.clone()) {
                return Err(serde::de::Error::custom(format_args!(
                    "`{key}` is written twice in one object"
                )));
            }
        }
        Ok(self)
    }
}
