//! Scanner and registry outputs read as scan logs (docs/logs.md): Trivy
//! reports, Grype reports and Harbor webhook payloads, one document per
//! file, several concatenated, or one per line. Documents are deserialised
//! into structs holding only the fields a scan row needs, so a report of
//! many megabytes of findings is read in bounded memory: serde skips the
//! rest as it streams past.
//!
//! Field names follow the formats' published schemas:
//! * Trivy: `pkg/types/report.go` (`Report`, `Metadata`, `Result`) in
//!   aquasecurity/trivy;
//! * Grype: `schema/grype/json/schema-*.json` (`Document`, `Match`,
//!   `Source`, `Descriptor`) in anchore/grype;
//! * Harbor: `src/pkg/notifier/model` (`Payload`, `EventData`, `Resource`,
//!   `Repository`) and the scan overview's `NativeReportSummary` in
//!   goharbor/harbor.

use crate::domain::error::{Error, Location, ReadProblem, Result};
use crate::domain::limits::{MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES, describe};
use crate::domain::zone::{TimestampError, Zone, parse_timestamp};
use crate::input::csv_input::shorten;
use crate::input::log::Source;
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::Read;
use std::rc::Rc;

/// A log's format: named with `--log-format`, or recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// The canonical CSV (or its JSON Lines form, recognised by content).
    Csv,
    /// The canonical log as JSON Lines: one object a line.
    Jsonl,
    Trivy,
    Grype,
    Harbor,
}

impl LogFormat {
    pub(crate) fn name(self) -> &'static str {
        match self {
            LogFormat::Csv => "csv",
            LogFormat::Jsonl => "jsonl",
            LogFormat::Trivy => "trivy",
            LogFormat::Grype => "grype",
            LogFormat::Harbor => "harbor",
        }
    }

    /// The document keys a scan row's columns come from, in the order of
    /// the canonical columns (timestamp, image, account, source, status,
    /// risk, scan_id): messages name the key the user's file has.
    pub(crate) fn row_keys(self) -> [&'static str; 7] {
        match self {
            LogFormat::Csv | LogFormat::Jsonl => super::KNOWN_COLUMNS,
            LogFormat::Trivy => [
                "CreatedAt",
                "Metadata.RepoDigests",
                "account",
                "source",
                "status",
                "Results[].Severity",
                "ReportID",
            ],
            LogFormat::Grype => [
                "descriptor.timestamp",
                "source.target.manifestDigest",
                "account",
                "source",
                "status",
                "matches[].vulnerability.severity",
                "scan_id",
            ],
            LogFormat::Harbor => [
                "occur_at",
                "event_data.resources[].digest",
                "account",
                "source",
                "type",
                "scan_overview.*.severity",
                "scan_overview.*.report_id",
            ],
        }
    }

    /// What the document is called in messages, and how it is made.
    fn document(self) -> (&'static str, &'static str) {
        match self {
            LogFormat::Csv | LogFormat::Jsonl => ("a scan-log row", "one JSON object a line"),
            LogFormat::Trivy => ("a Trivy report", "trivy image --format json"),
            LogFormat::Grype => ("a Grype report", "grype -o json"),
            LogFormat::Harbor => ("a Harbor webhook event", "a Harbor webhook payload"),
        }
    }

    /// The keys that identify a document of this format.
    fn keys(self) -> &'static str {
        match self {
            LogFormat::Csv | LogFormat::Jsonl => "`timestamp` and `image`",
            LogFormat::Trivy => "`SchemaVersion` and `ArtifactName` (trivy image --format json)",
            LogFormat::Grype => "`matches` and `descriptor` (grype -o json)",
            LogFormat::Harbor => "`type` and `event_data` (a Harbor webhook payload)",
        }
    }
}

/// Which of a format's identities names the image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImageKey {
    /// The manifest digest, so the same image scanned by Trivy and reported
    /// by Harbor is one image; falls back to the image id, then the name.
    #[default]
    Digest,
    /// The image (config) id; falls back to the digest, then the name.
    Id,
    /// The name as scanned (`ArtifactName`, `userInput`); falls back to the digest.
    Name,
}

/// How rows are made from documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// `--log-format`: the format every JSON document must have.
    pub format: Option<LogFormat>,
    /// `--source`: the source of rows made from Trivy and Grype documents.
    pub source: Option<Source>,
    pub image_key: ImageKey,
}

/// One scan row made from a document, as the canonical CSV would hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub(crate) timestamp: String,
    pub(crate) image: String,
    pub(crate) source: &'static str,
    pub(crate) status: &'static str,
    pub(crate) risk: &'static str,
    pub(crate) scan_id: String,
    /// `artifact`, `repository`, `namespace`, `tag`: for `--by` and `import`.
    pub(crate) extra: BTreeMap<&'static str, String>,
    /// The line the document ends on (its line, in JSON Lines).
    pub(crate) line: u64,
    pub(crate) format: LogFormat,
}

/// The extra columns a format can make, in the order `import` writes them.
pub(crate) const EXTRA_COLUMNS: [&str; 4] = ["artifact", "repository", "namespace", "tag"];

/// Every field any of the formats needs; everything else is skipped.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct Document {
    // Trivy
    #[serde(rename = "SchemaVersion")]
    schema_version: Option<IgnoredAny>,
    #[serde(rename = "ArtifactName")]
    artifact_name: Option<String>,
    #[serde(rename = "CreatedAt")]
    created_at: Option<String>,
    #[serde(rename = "ReportID")]
    report_id: Option<String>,
    #[serde(rename = "Metadata")]
    metadata: Option<TrivyMetadata>,
    #[serde(rename = "Results")]
    results: Option<Vec<TrivyResult>>,
    // Grype; `"matches": null` is present (a report without findings).
    #[serde(deserialize_with = "present")]
    matches: Option<Option<Vec<GrypeMatch>>>,
    descriptor: Option<GrypeDescriptor>,
    source: Option<GrypeSource>,
    // Harbor
    #[serde(rename = "type")]
    event_type: Option<String>,
    occur_at: Option<serde_json::Value>,
    event_data: Option<HarborEventData>,
    // The canonical JSON Lines keys, to name a canonical row given to a
    // scanner format.
    timestamp: Option<IgnoredAny>,
    image: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct TrivyMetadata {
    #[serde(rename = "ImageID")]
    image_id: Option<String>,
    repo_tags: Option<Vec<String>>,
    repo_digests: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct TrivyResult {
    vulnerabilities: Option<Vec<Finding>>,
    secrets: Option<Vec<Finding>>,
    misconfigurations: Option<Vec<Finding>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Finding {
    severity: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct GrypeMatch {
    vulnerability: GrypeVulnerability,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct GrypeVulnerability {
    severity: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct GrypeDescriptor {
    timestamp: Option<String>,
}

/// Grype's `source`; in a canonical JSON Lines row `source` is a string,
/// and a directory scan's `target` is a string too.
#[derive(Debug)]
enum GrypeSource {
    Target { target: GrypeTarget },
    Other,
}

/// The `visit_*` methods of a visitor that reads anything but an object as
/// `$other` (serde_json calls these from `deserialize_any`).
macro_rules! not_an_object {
    ($other:expr) => {
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($other)
        }
    };
}

impl<'de> Deserialize<'de> for GrypeSource {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Not `#[serde(untagged)]`: it would take a `target` that holds a
        // field twice for "no target", hiding serde's duplicate-field error.
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = GrypeSource;
            not_an_object!(GrypeSource::Other);
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<GrypeSource, A::Error> {
                let mut target: Option<ImageTarget> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "target" {
                        map.next_value::<IgnoredAny>()?;
                    } else if target.is_some() {
                        return Err(serde::de::Error::duplicate_field("target"));
                    } else {
                        target = Some(map.next_value()?);
                    }
                }
                Ok(match target {
                    Some(ImageTarget(Some(target))) => GrypeSource::Target { target },
                    _ => GrypeSource::Other,
                })
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// A `source.target` that is an object (an image's), or `None` for any other value.
struct ImageTarget(Option<GrypeTarget>);

impl<'de> Deserialize<'de> for ImageTarget {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ImageTarget;
            not_an_object!(ImageTarget(None));
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ImageTarget, A::Error> {
                let target =
                    GrypeTarget::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(ImageTarget(Some(target)))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct GrypeTarget {
    user_input: Option<String>,
    #[serde(rename = "imageID")]
    image_id: Option<String>,
    manifest_digest: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct HarborEventData {
    resources: Option<Vec<HarborResource>>,
    repository: Option<HarborRepository>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct HarborResource {
    digest: Option<String>,
    tag: Option<String>,
    /// `null` as if absent (a resource Harbor has no summary for), as a
    /// `null` tag or digest is.
    #[serde(deserialize_with = "null_as_default")]
    scan_overview: BTreeMap<String, Option<HarborReportSummary>>,
}

/// `null` read as the type's default, as an absent key is.
fn null_as_default<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct HarborReportSummary {
    report_id: Option<String>,
    severity: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct HarborRepository {
    name: Option<String>,
    namespace: Option<String>,
    repo_full_name: Option<String>,
}

/// A key that is present, even as `null`, is `Some`.
fn present<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

impl Document {
    /// A document that has one of a format's two identifying keys but not
    /// the other: the format, the key it has and the key it lacks.
    fn partial(&self) -> Option<(LogFormat, &'static str, &'static str)> {
        match (self.schema_version.is_some(), self.artifact_name.is_some()) {
            (true, false) => return Some((LogFormat::Trivy, "SchemaVersion", "ArtifactName")),
            (false, true) => return Some((LogFormat::Trivy, "ArtifactName", "SchemaVersion")),
            _ => {}
        }
        match (self.matches.is_some(), self.descriptor.is_some()) {
            (true, false) => return Some((LogFormat::Grype, "matches", "descriptor")),
            (false, true) => return Some((LogFormat::Grype, "descriptor", "matches")),
            _ => {}
        }
        if self.event_data.is_some() && self.event_type.is_none() {
            return Some((LogFormat::Harbor, "event_data", "type"));
        }
        None
    }

    fn format(&self) -> Option<LogFormat> {
        if self.schema_version.is_some() && self.artifact_name.is_some() {
            Some(LogFormat::Trivy)
        } else if self.matches.is_some() && self.descriptor.is_some() {
            Some(LogFormat::Grype)
        } else if self.event_type.is_some() && self.event_data.is_some() {
            Some(LogFormat::Harbor)
        } else if self.timestamp.is_some() || self.image.is_some() {
            Some(LogFormat::Csv)
        } else {
            None
        }
    }
}

/// The rank of a severity as the risk column spells it: CRITICAL and HIGH
/// are high, MEDIUM medium, LOW low; anything else (UNKNOWN, Negligible) is
/// unknown, which ranks below every finding.
fn risk_rank(severity: &str) -> u8 {
    match severity.to_ascii_lowercase().as_str() {
        "critical" | "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// The highest severity of `severities`: `none` when there is no finding,
/// empty (unknown) when every finding is of unknown severity.
fn highest_risk<'a>(severities: impl Iterator<Item = Option<&'a str>>) -> &'static str {
    let mut found = false;
    let mut best = 0;
    for severity in severities {
        found = true;
        best = best.max(severity.map_or(0, risk_rank));
    }
    match (found, best) {
        (false, _) => "none",
        (true, 3) => "high",
        (true, 2) => "medium",
        (true, 1) => "low",
        _ => "",
    }
}

/// The risk of a Harbor resource: the highest of its reports' severities
/// (`None`: no finding); a report without `severity` says nothing.
fn harbor_risk(reports: &[HarborReportSummary]) -> &'static str {
    let risks = reports
        .iter()
        .filter_map(|report| report.severity.as_deref())
        .map(|severity| {
            if severity.eq_ignore_ascii_case("none") {
                "none"
            } else {
                highest_risk(std::iter::once(Some(severity)))
            }
        });
    risks
        .max_by_key(|risk| match *risk {
            "high" => 4,
            "medium" => 3,
            "low" => 2,
            // Findings of unknown severity only: more than none.
            "" => 1,
            _ => 0,
        })
        .unwrap_or("")
}

/// `registry.example.com/team/app:1.4` or `…@sha256:…` → the repository.
pub(crate) fn repository_of(reference: &str) -> String {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    // A tag follows the last `:` after the last `/` (a port comes before it).
    match without_digest.rfind(':') {
        Some(colon) if !without_digest[colon..].contains('/') => {
            without_digest[..colon].to_string()
        }
        _ => without_digest.to_string(),
    }
}

/// `repo@sha256:…` → `sha256:…`.
fn digest_of(reference: &str) -> Option<&str> {
    reference.split_once('@').map(|(_, digest)| digest)
}

fn first_of(options: [Option<String>; 3]) -> Option<String> {
    options
        .into_iter()
        .flatten()
        .find(|text| !text.trim().is_empty())
}

/// A document the reader cannot use: names the file, line and key.
fn missing(name: &str, line: u64, key: &str, problem: &str) -> Error {
    Error::input(
        Location::file(name).line(line).key(key),
        problem.to_string(),
    )
}

/// `text`, the time a document's `format` writes its scan at, if a log
/// reader takes it; else the refusal, naming the document's own key and
/// the form its tool writes. The log's fix would list forms no report or
/// event holds (a naive time in the plan's zone). Checked as the CSV
/// `import` writes is read back, so that CSV is one `report` reads.
fn scan_time(name: &str, line: u64, format: LogFormat, text: String) -> Result<String> {
    let Err(err) = parse_timestamp(&text, Zone::default()) else {
        return Ok(text);
    };
    let key = format.row_keys()[0];
    let shown = shorten(&text);
    let problem = match format {
        LogFormat::Harbor if text.starts_with('-') => format!(
            "`{shown}` is before 1970-01-01; `{key}` is Unix seconds, as Harbor writes it (e.g. 1710936300)"
        ),
        LogFormat::Harbor => format!(
            "`{shown}` is after 9999-12-31 in Unix seconds, which `{key}` is as Harbor writes it (e.g. 1710936300); divide a time in milliseconds by 1000"
        ),
        _ => {
            let problem = match err {
                TimestampError::Unrecognised | TimestampError::Local(..) => {
                    "is not an RFC 3339 time".to_string()
                }
                other => format!("is not a usable time ({other})"),
            };
            let (what, made) = format.document();
            format!(
                "`{shown}` {problem}; {what} gives `{key}` in RFC 3339 (2024-03-15T14:00:00Z): give the JSON as `{made}` wrote it"
            )
        }
    };
    Err(missing(name, line, key, &problem))
}

/// Knows which line a byte offset of the input is on. It sits below the
/// buffer serde reads from (so serde keeps std's fast path for reading a
/// buffer byte by byte) and keeps the last chunk it handed up, which holds
/// serde's position.
struct LineCounter<R> {
    inner: R,
    seen: Rc<RefCell<ChunkLines>>,
}

#[derive(Default)]
struct ChunkLines {
    /// Bytes and line ends before the last chunk.
    offset: u64,
    lines: u64,
    last: Vec<u8>,
    /// Where the document being read starts, and its line.
    document: u64,
    document_line: u64,
    /// The most bytes one document may have.
    limit: u64,
}

impl ChunkLines {
    /// The number of line ends before byte `at` (at or after the last
    /// chunk's start).
    fn lines_before(&self, at: u64) -> u64 {
        let into = usize::try_from(at.saturating_sub(self.offset)).unwrap_or(usize::MAX);
        let part = &self.last[..into.min(self.last.len())];
        self.lines + memchr::memchr_iter(b'\n', part).count() as u64
    }

    /// The next document starts at byte `at` (or after the white space
    /// there, when it is in the last chunk).
    fn next_document(&mut self, at: u64) {
        let into = usize::try_from(at.saturating_sub(self.offset)).unwrap_or(usize::MAX);
        let rest = self.last.get(into..).unwrap_or_default();
        let blank = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        self.document = at;
        self.document_line =
            self.lines_before(at) + memchr::memchr_iter(b'\n', &rest[..blank]).count() as u64 + 1;
    }
}

/// The message for a document over `limit` bytes, starting on `line`.
fn document_too_long(line: u64, limit: u64) -> ReadProblem {
    ReadProblem {
        line: Some(line),
        problem: format!(
            "the JSON document starting on this line is over {}, the limit for one scanner report or event; split the report, or check that this is the right file",
            describe(limit)
        ),
    }
}

/// Bytes read ahead of serde's position: its buffer, and a chunk.
const READ_AHEAD: u64 = 2 << 16;

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        {
            // A document is refused once it has grown past the limit,
            // before serde holds any more of it.
            let seen = self.seen.borrow();
            let handed = seen.offset + seen.last.len() as u64;
            if handed.saturating_sub(seen.document) > seen.limit + READ_AHEAD {
                return Err(document_too_long(seen.document_line, seen.limit).into_io());
            }
        }
        let read = self.inner.read(buf)?;
        let mut seen = self.seen.borrow_mut();
        let before = memchr::memchr_iter(b'\n', &seen.last).count() as u64;
        seen.lines += before;
        seen.offset += seen.last.len() as u64;
        seen.last.clear();
        seen.last.extend_from_slice(&buf[..read]);
        Ok(read)
    }
}

/// Reads a JSON array of documents as the documents one after another:
/// the array's own brackets and the commas between its elements become
/// spaces (so every byte, and so every line, stays where it was). Input that
/// does not start with `[` passes through untouched.
struct ArrayFrames<R> {
    inner: R,
    state: Frame,
    /// Nesting inside the current element; 0 between elements.
    depth: u64,
    in_string: bool,
    escaped: bool,
    /// Between elements: whether an element is expected (after `[` or `,`).
    want_element: bool,
    elements: u64,
    lines: u64,
    /// The last byte read was a line end (the input's last line is the one before).
    after_newline: bool,
    /// Bytes of a leading BOM seen.
    bom: usize,
    /// Set once the input is found to be a JSON array: read after the
    /// stream has taken the frames, to tell `[]` from an empty file.
    is_array: Rc<Cell<bool>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Before the first byte that is not white space (or a BOM).
    Start,
    /// Not an array: bytes pass through.
    Plain,
    /// Inside the top-level array.
    Array,
    /// After the array's closing bracket.
    After,
}

impl<R> ArrayFrames<R> {
    fn new(inner: R, is_array: Rc<Cell<bool>>) -> Self {
        ArrayFrames {
            inner,
            state: Frame::Start,
            depth: 0,
            in_string: false,
            escaped: false,
            want_element: true,
            elements: 0,
            lines: 1,
            after_newline: false,
            bom: 0,
            is_array,
        }
    }

    fn problem(&self, problem: &str) -> std::io::Error {
        ReadProblem {
            line: Some(self.lines),
            problem: problem.to_string(),
        }
        .into_io()
    }

    fn frame(&mut self, bytes: &mut [u8]) -> std::io::Result<()> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        for byte in bytes.iter_mut() {
            // A BOM at the very start is not part of the JSON.
            if self.state == Frame::Start && self.bom < BOM.len() {
                if *byte == BOM[self.bom] {
                    self.bom += 1;
                    *byte = b' ';
                    continue;
                }
                self.bom = BOM.len();
            }
            if *byte == b'\n' {
                self.lines += 1;
            }
            match self.state {
                Frame::Plain => return Ok(()),
                Frame::Start | Frame::After if byte.is_ascii_whitespace() => {}
                Frame::Start if *byte == b'[' => {
                    self.state = Frame::Array;
                    self.is_array.set(true);
                    *byte = b' ';
                }
                Frame::Start => {
                    self.state = Frame::Plain;
                    return Ok(());
                }
                Frame::After => {
                    return Err(self.problem(
                        "there is more after the JSON array of reports; give one array, or documents one after another",
                    ));
                }
                Frame::Array if self.in_string => {
                    if self.escaped {
                        self.escaped = false;
                    } else if *byte == b'\\' {
                        self.escaped = true;
                    } else if *byte == b'"' {
                        self.in_string = false;
                    }
                }
                Frame::Array if self.depth > 0 => match *byte {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => self.depth -= 1,
                    _ => {}
                },
                Frame::Array => match *byte {
                    _ if byte.is_ascii_whitespace() => {}
                    b',' if !self.want_element => {
                        self.want_element = true;
                        *byte = b' ';
                    }
                    b']' => {
                        if self.want_element && self.elements > 0 {
                            return Err(self.problem(
                                "the JSON array of reports has a comma before its closing bracket; remove it",
                            ));
                        }
                        self.state = Frame::After;
                        *byte = b' ';
                    }
                    b',' => {
                        return Err(self.problem(
                            "the JSON array of reports has an empty element (two commas); remove one",
                        ));
                    }
                    _ if !self.want_element => {
                        return Err(self.problem(
                            "the elements of the JSON array of reports are not separated by a comma",
                        ));
                    }
                    b'{' => {
                        self.want_element = false;
                        self.elements += 1;
                        self.depth = 1;
                    }
                    _ => {
                        return Err(self.problem(
                            "an element of the JSON array is not a report (a JSON object); give an array of Trivy, Grype or Harbor documents",
                        ));
                    }
                },
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for ArrayFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        if read == 0 && !buf.is_empty() && self.state == Frame::Array {
            self.lines -= u64::from(self.after_newline);
            return Err(self.problem(
                "the JSON array of reports is not closed (a truncated file?); end it with `]`",
            ));
        }
        if self.state != Frame::Plain && read > 0 {
            self.frame(&mut buf[..read])?;
            self.after_newline = buf[read - 1] == b'\n';
        }
        Ok(read)
    }
}

/// What reading a stream of documents found besides rows: every document
/// that made no row, by reason. Every other document makes a row or an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Harbor events of types that are no scan result (`PUSH_ARTIFACT`, …).
    pub(crate) by_type: BTreeMap<String, u64>,
    /// Harbor scan events (`SCANNING_COMPLETED`, `SCANNING_FAILED`) whose
    /// `event_data.resources` is absent or empty, so they name no image.
    pub(crate) without_resources: BTreeMap<String, u64>,
    /// Harbor resources whose `scan_overview` holds several reports (one a
    /// format the scanner writes, of one scan), each made one row.
    pub(crate) several_reports: u64,
    /// Files that are an empty JSON array (`[]`): no document at all.
    pub(crate) empty_arrays: Vec<String>,
}

/// The stderr lines for documents that made no row, by reason, for
/// Harbor resources whose several reports made one row, and for files that
/// are an empty array, if any.
pub(crate) fn skipped_note(skipped: &Skipped) -> String {
    let mut note = skipped_documents_note(skipped);
    match skipped.empty_arrays.as_slice() {
        [] => {}
        [file] => {
            note += &format!(
                "scanquota: {file} holds no scanner report or event, only an empty JSON array `[]`\n"
            );
        }
        files => {
            note += &format!(
                "scanquota: {} files hold no scanner report or event, only an empty JSON array `[]`: {}\n",
                files.len(),
                file_list(files)
            );
        }
    }
    if skipped.several_reports > 0 {
        note += &format!(
            "scanquota: read {} Harbor resource(s) with several reports in `scan_overview` as one scan each (Harbor writes one report a format of the same scan): risk is the highest, scan_id the report ids joined by `+`\n",
            skipped.several_reports
        );
    }
    note
}

/// `files` joined by commas, the first few of many: a note stays one line.
pub(crate) fn file_list(files: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut list = files[..files.len().min(SHOWN)].join(", ");
    if files.len() > SHOWN {
        list += &format!(" and {} more", files.len() - SHOWN);
    }
    list
}

fn skipped_documents_note(skipped: &Skipped) -> String {
    let total: u64 = skipped
        .by_type
        .values()
        .chain(skipped.without_resources.values())
        .sum();
    if total == 0 {
        return String::new();
    }
    let kinds = skipped.by_type.iter().map(|(kind, count)| {
        let kind = if kind.is_empty() { "(no type)" } else { kind };
        format!("{count} {kind}")
    });
    let mut reasons: Vec<String> = kinds.collect();
    if !skipped.without_resources.is_empty() {
        let empty: Vec<String> = skipped
            .without_resources
            .iter()
            .map(|(kind, count)| format!("{count} {kind}"))
            .collect();
        reasons.push(format!(
            "{} without `event_data.resources` (they name no image to bill; check what sends Harbor's webhooks)",
            empty.join(" and ")
        ));
    }
    format!(
        "scanquota: skipped {total} Harbor event(s) that record no scan: {}\n",
        reasons.join(", ")
    )
}

/// Read every document of `reader` (already past any compression), calling
/// `each` with the rows made from it. The first document decides the format
/// unless `options.format` names it; every later one must be of that format.
/// Returns that format; none for an empty array (`[]`, counted in
/// `skipped`) when `options.format` names none. Input with no document
/// at all (empty, or white space) is refused.
pub fn read_documents(
    name: &str,
    reader: impl Read,
    options: &FormatOptions,
    skipped: &mut Skipped,
    each: impl FnMut(Record) -> Result<bool>,
) -> Result<Option<LogFormat>> {
    read_documents_within(name, reader, options, skipped, each, MAX_DOCUMENT_BYTES)
}

/// [`read_documents`], each document at most `limit` bytes.
fn read_documents_within(
    name: &str,
    reader: impl Read,
    options: &FormatOptions,
    skipped: &mut Skipped,
    mut each: impl FnMut(Record) -> Result<bool>,
    limit: u64,
) -> Result<Option<LogFormat>> {
    let seen = Rc::new(RefCell::new(ChunkLines {
        document_line: 1,
        limit,
        ..ChunkLines::default()
    }));
    let is_array = Rc::new(Cell::new(false));
    let counter = LineCounter {
        inner: ArrayFrames::new(reader, Rc::clone(&is_array)),
        seen: Rc::clone(&seen),
    };
    let buffered = std::io::BufReader::with_capacity(1 << 16, counter);
    let mut stream = serde_json::Deserializer::from_reader(buffered).into_iter::<Document>();
    let mut format = options.format;
    let mut documents: u64 = 0;
    loop {
        let next = stream.next();
        let Some(next) = next else { break };
        documents += 1;
        let document = next.map_err(|err| {
            if err.is_io() {
                return Error::io(name, std::io::Error::from(err));
            }
            let location = Location::file(name)
                .line(err.line() as u64)
                .column(err.column() as u64);
            if let Some(key) = duplicate_field(&err) {
                // serde refuses a field it reads written twice in one object.
                return Error::input(
                    location.key(key.as_str()),
                    format!("`{key}` is written twice in one object; keep one, or the document is ambiguous"),
                );
            }
            let whole = "give whole JSON documents, one after another or one a line";
            let (what, fix) = if err.is_eof() {
                (
                    "the JSON ends in the middle of a document (a truncated file?)".to_string(),
                    whole,
                )
            } else if err.classify() == serde_json::error::Category::Data {
                // Well-formed JSON, but a value where the tools write
                // another kind (a number for an object, say).
                (
                    format!("is JSON, but holds a value of another type than its tool writes there ({err})"),
                    "give the reports or events as the scanner or registry wrote them",
                )
            } else {
                (format!("is not valid JSON ({err})"), whole)
            };
            Error::input(location, format!("{what}; {fix}"))
        })?;
        // serde stands just past the document's closing brace.
        let end = stream.byte_offset() as u64;
        let line = seen.borrow().lines_before(end) + 1;
        let (start, start_line) = {
            let seen = seen.borrow();
            (seen.document, seen.document_line)
        };
        if end - start > limit {
            return Err(Error::io(
                name,
                document_too_long(start_line, limit).into_io(),
            ));
        }
        seen.borrow_mut().next_document(end);
        let found = document.format();
        if found.is_none()
            && let Some((partial, has, lacks)) = document.partial()
            && options.format.is_none_or(|named| named == partial)
        {
            let (what, made) = partial.document();
            return Err(Error::input(
                Location::file(name).line(line).key(lacks),
                format!(
                    "is {what} (it has `{has}`) without `{lacks}`; give the JSON as `{made}` wrote it"
                ),
            ));
        }
        if found == Some(LogFormat::Csv) && format.is_none() {
            // A canonical row that was not read as JSON Lines: too long for
            // one, or spread over several lines.
            let problem = if end - start > MAX_RECORD_BYTES {
                format!(
                    "is a scan-log row over {}, the limit for one record of a JSON Lines scan log",
                    describe(MAX_RECORD_BYTES)
                )
            } else {
                "is a scan-log row, but not on a line of its own; a JSON Lines scan log holds one object a line".to_string()
            };
            return Err(Error::input(Location::file(name).line(start_line), problem));
        }
        let expected = *format.get_or_insert(match found {
            Some(LogFormat::Csv) | None => {
                return Err(Error::input(
                    Location::file(name).line(line),
                    format!(
                        "is neither a scan log nor a scanner report or registry event; expected the keys {} (a JSON Lines scan log), {}, {} or {}",
                        LogFormat::Csv.keys(),
                        LogFormat::Trivy.keys(),
                        LogFormat::Grype.keys(),
                        LogFormat::Harbor.keys()
                    ),
                ));
            }
            Some(found) => found,
        });
        if found != Some(expected) {
            return Err(Error::input(
                Location::file(name).line(line),
                format!(
                    "is not a {} document{}; it needs the keys {}",
                    expected.name(),
                    found.map_or(String::new(), |f| format!(" (it looks like {})", f.name())),
                    expected.keys()
                ),
            ));
        }
        for record in records(name, line, expected, document, options, skipped)? {
            refuse_line_breaks(name, &record)?;
            if !each(record)? {
                return Ok(Some(expected));
            }
        }
    }
    if documents > 0 {
        return Ok(format);
    }
    if is_array.get() {
        // An array of no report is a run that found nothing to report: said
        // on stderr, as a CSV log of its header alone bills nothing.
        skipped.empty_arrays.push(name.to_string());
        return Ok(format);
    }
    // An empty file is a failed or truncated export, refused as an empty
    // CSV log is.
    let fix = match format {
        Some(LogFormat::Harbor) => "give the webhook payloads Harbor sends".to_string(),
        Some(named @ (LogFormat::Trivy | LogFormat::Grype)) => {
            format!("give the JSON `{}` writes", named.document().1)
        }
        _ => "give a report or event".to_string(),
    };
    Err(Error::input(
        Location::file(name).line(1),
        format!("holds no JSON document (it is empty or white space only); {fix}"),
    ))
}

/// The key serde names when a document writes a field it reads twice.
fn duplicate_field(err: &serde_json::Error) -> Option<String> {
    let text = err.to_string();
    let rest = text.strip_prefix("duplicate field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// A row's texts hold no line break, as in a CSV log (which refuses a field
/// over a line break): a name taken from a document with one was billed
/// here, and `import` wrote it into a CSV its own reader refused.
fn refuse_line_breaks(name: &str, record: &Record) -> Result<()> {
    let texts = [("image", &record.image), ("scan_id", &record.scan_id)]
        .into_iter()
        .chain(record.extra.iter().map(|(column, text)| (*column, text)));
    let at = Location::file(name).line(record.line);
    texts
        .into_iter()
        .try_for_each(|(column, text)| super::refuse_line_break(&at, column, text))
}

/// The rows one document makes.
fn records(
    name: &str,
    line: u64,
    format: LogFormat,
    document: Document,
    options: &FormatOptions,
    skipped: &mut Skipped,
) -> Result<Vec<Record>> {
    let source = options.source.unwrap_or(Source::Registry).as_str();
    // A scanner report is one successful scan.
    let scanned = |timestamp, image, risk, scan_id, extra| Record {
        timestamp,
        image,
        source,
        status: "success",
        risk,
        scan_id,
        extra,
        line,
        format,
    };
    match format {
        LogFormat::Trivy => {
            let timestamp = document
                .created_at
                .ok_or_else(|| missing(name, line, "CreatedAt", "the Trivy report has no `CreatedAt`; give the JSON Trivy wrote (trivy image --format json)"))?;
            let timestamp = scan_time(name, line, format, timestamp)?;
            let metadata = document.metadata.unwrap_or_default();
            let digest = metadata
                .repo_digests
                .as_ref()
                .and_then(|digests| digests.first())
                .and_then(|reference| digest_of(reference))
                .map(str::to_string);
            let id = metadata.image_id.clone();
            let artifact = document.artifact_name.clone();
            let image = match options.image_key {
                ImageKey::Digest => first_of([digest, id, artifact.clone()]),
                ImageKey::Id => first_of([id, digest, artifact.clone()]),
                ImageKey::Name => first_of([artifact.clone(), digest, id]),
            }
            .ok_or_else(|| {
                missing(name, line, "Metadata.RepoDigests", "the Trivy report names no image: no `Metadata.RepoDigests`, `Metadata.ImageID` or `ArtifactName`")
            })?;
            let results = document.results.unwrap_or_default();
            let risk = highest_risk(results.iter().flat_map(|result| {
                [
                    &result.vulnerabilities,
                    &result.secrets,
                    &result.misconfigurations,
                ]
                .into_iter()
                .flatten()
                .flatten()
                .map(|finding| finding.severity.as_deref())
            }));
            let tagged = metadata
                .repo_tags
                .as_ref()
                .and_then(|tags| tags.first())
                .cloned()
                .or_else(|| artifact.clone());
            let mut extra = BTreeMap::new();
            if let Some(artifact) = artifact {
                extra.insert("artifact", artifact);
            }
            if let Some(reference) = tagged {
                extra.insert("repository", repository_of(&reference));
            }
            let scan_id = document.report_id.unwrap_or_default();
            Ok(vec![scanned(timestamp, image, risk, scan_id, extra)])
        }
        LogFormat::Grype => {
            let timestamp = document
                .descriptor
                .and_then(|d| d.timestamp)
                .ok_or_else(|| missing(name, line, "descriptor.timestamp", "the Grype report has no `descriptor.timestamp`; give the JSON Grype wrote (grype -o json)"))?;
            let timestamp = scan_time(name, line, format, timestamp)?;
            let target = match document.source {
                Some(GrypeSource::Target { target }) => target,
                _ => GrypeTarget::default(),
            };
            let image = match options.image_key {
                ImageKey::Digest => first_of([target.manifest_digest, target.image_id, target.user_input.clone()]),
                ImageKey::Id => first_of([target.image_id, target.manifest_digest, target.user_input.clone()]),
                ImageKey::Name => first_of([target.user_input.clone(), target.manifest_digest, target.image_id]),
            }
            .ok_or_else(|| {
                missing(name, line, "source.target.manifestDigest", "the Grype report names no image: no `source.target.manifestDigest`, `imageID` or `userInput`")
            })?;
            let risk = highest_risk(
                document
                    .matches
                    .iter()
                    .flatten()
                    .flatten()
                    .map(|m| m.vulnerability.severity.as_deref()),
            );
            let mut extra = BTreeMap::new();
            if let Some(input) = target.user_input {
                extra.insert("repository", repository_of(&input));
                extra.insert("artifact", input);
            }
            Ok(vec![scanned(timestamp, image, risk, String::new(), extra)])
        }
        LogFormat::Harbor => {
            let event_type = document.event_type.unwrap_or_default();
            let status = match event_type.as_str() {
                "SCANNING_COMPLETED" => "success",
                "SCANNING_FAILED" => "failed",
                _ => {
                    *skipped.by_type.entry(event_type).or_default() += 1;
                    return Ok(Vec::new());
                }
            };
            let timestamp = match document.occur_at {
                Some(serde_json::Value::Number(number)) if number.is_i64() || number.is_u64() => {
                    scan_time(name, line, format, number.to_string())?
                }
                Some(other) => {
                    return Err(missing(
                        name,
                        line,
                        "occur_at",
                        &format!("`{other}` is not Unix seconds; Harbor writes an integer"),
                    ));
                }
                None => {
                    return Err(missing(
                        name,
                        line,
                        "occur_at",
                        "the Harbor event has no `occur_at`",
                    ));
                }
            };
            let data = document.event_data.unwrap_or_default();
            let repository = data.repository.unwrap_or_default();
            let resources = data.resources.unwrap_or_default();
            if resources.is_empty() {
                *skipped.without_resources.entry(event_type).or_default() += 1;
                return Ok(Vec::new());
            }
            let mut rows = Vec::with_capacity(resources.len());
            for (index, resource) in resources.into_iter().enumerate() {
                let image = resource
                    .digest
                    .filter(|digest| !digest.trim().is_empty())
                    .ok_or_else(|| {
                        missing(
                            name,
                            line,
                            &format!("event_data.resources[{index}].digest"),
                            "the Harbor event's resource has no `digest`",
                        )
                    })?;
                // One scan writes a report a format its scanner produces
                // (keyed by MIME type), each with its own id: one row,
                // naming every report.
                // A report that is `null` is none (as an absent one).
                let reports: Vec<HarborReportSummary> =
                    resource.scan_overview.into_values().flatten().collect();
                if reports.len() > 1 {
                    skipped.several_reports += 1;
                }
                let risk = harbor_risk(&reports);
                // Joined with `+`: an id holding `+` (or the `%` that
                // escapes it) is escaped, or the id `a+b` of one report and
                // the ids `a`, `b` of two would be one scan id, and the later
                // scan dropped as its duplicate. Harbor's ids (UUIDs) are
                // as written.
                let mut report_ids: Vec<String> = reports
                    .into_iter()
                    .filter_map(|report| report.report_id)
                    .filter(|id| !id.is_empty())
                    .map(|id| {
                        if id.contains(['+', '%']) {
                            id.replace('%', "%25").replace('+', "%2B")
                        } else {
                            id
                        }
                    })
                    .collect();
                report_ids.sort();
                report_ids.dedup();
                let mut extra = BTreeMap::new();
                if let Some(full) = repository
                    .repo_full_name
                    .clone()
                    .or_else(|| repository.name.clone())
                {
                    extra.insert("repository", full);
                }
                if let Some(namespace) = repository.namespace.clone() {
                    extra.insert("namespace", namespace);
                }
                if let Some(tag) = resource.tag {
                    extra.insert("tag", tag);
                }
                rows.push(Record {
                    timestamp: timestamp.clone(),
                    image,
                    // Harbor is a registry: its scans are registry scans.
                    source: Source::Registry.as_str(),
                    status,
                    risk,
                    scan_id: report_ids.join("+"),
                    extra,
                    line,
                    format,
                });
            }
            Ok(rows)
        }
        LogFormat::Csv | LogFormat::Jsonl => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_lose_their_tag_or_digest_but_keep_a_port() {
        assert_eq!(
            repository_of("registry.example.com/team/app:1.4"),
            "registry.example.com/team/app"
        );
        assert_eq!(repository_of("alpine@sha256:abc"), "alpine");
        assert_eq!(repository_of("localhost:5000/app"), "localhost:5000/app");
        assert_eq!(repository_of("localhost:5000/app:2"), "localhost:5000/app");
        assert_eq!(repository_of("/tmp/x/payments.tar"), "/tmp/x/payments.tar");
    }

    /// Rows read from `text` with documents of at most `limit` bytes; the
    /// message of the error, if any.
    fn read_within(text: &str, limit: u64) -> std::result::Result<usize, String> {
        let mut rows = 0;
        read_documents_within(
            "reports.json",
            text.as_bytes(),
            &FormatOptions::default(),
            &mut Skipped::default(),
            |_| {
                rows += 1;
                Ok(true)
            },
            limit,
        )
        .map(|_| rows)
        .map_err(|err| err.to_string())
    }

    fn trivy(pad: usize) -> String {
        format!(
            "{{\"SchemaVersion\": 2, \"ArtifactName\": \"a\", \"CreatedAt\": \"2024-04-01T00:00:00Z\", \"Pad\": \"{}\"}}",
            "x".repeat(pad)
        )
    }

    #[test]
    fn a_document_over_the_limit_is_refused_however_it_is_framed() {
        // The limit as the reader applies it to 256 MiB, scaled down.
        let limit = 1 << 10;
        let small = trivy(10);
        let large = trivy(2000);
        // In bounded memory: refused while being read, far past the limit.
        let huge = trivy(4 << 20);
        for (text, line) in [
            (large.clone(), 1),
            (format!("{small}\n{small}\n{large}\n"), 3),
            (format!("[\n{small},\n{large}\n]"), 3),
            (format!("{small}\n\n{huge}"), 3),
            (format!("[{small},\n {huge}]"), 2),
        ] {
            let message = read_within(&text, limit).unwrap_err();
            assert!(
                message.starts_with(&format!("reports.json:{line}: "))
                    && message.contains("over 1 KiB, the limit"),
                "{message}"
            );
        }
        assert_eq!(read_within(&format!("[{small}, {small}]"), limit), Ok(2));
    }

    #[test]
    fn severities_rank_as_the_risk_column() {
        assert_eq!(highest_risk([].into_iter()), "none");
        assert_eq!(highest_risk([Some("UNKNOWN")].into_iter()), "");
        assert_eq!(
            highest_risk([Some("LOW"), Some("CRITICAL")].into_iter()),
            "high"
        );
        assert_eq!(highest_risk([Some("Medium"), None].into_iter()), "medium");
        assert_eq!(
            highest_risk([Some("Negligible"), Some("Low")].into_iter()),
            "low"
        );
    }
}
