//! Size limits on input (SPEC §16): a hostile or mistaken input is refused
//! in bounded memory, naming the limit, instead of being read whole.

use crate::domain::error::{Error, Location, Result};
use std::io::Read;

/// One scan-log record: a CSV row (the header included) or a JSON Lines line
/// of the canonical log, its line end included.
pub(crate) const MAX_RECORD_BYTES: u64 = 1 << 20;

/// One scanner document (a Trivy or Grype report, a Harbor event), however
/// it is framed: a whole file, a line, or an element of a JSON array.
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 256 << 20;

/// A plan file.
pub(crate) const MAX_PLAN_BYTES: u64 = 1 << 20;

/// The vendor's statistics JSON (`--vendor-stats`): one small object.
pub(crate) const MAX_VENDOR_STATS_BYTES: u64 = 1 << 20;

/// A scanquota JSON report given to `merge`: one report per account
/// partition, as large as a scanner document at most.
pub(crate) const MAX_REPORT_BYTES: u64 = MAX_DOCUMENT_BYTES;

/// `1 MiB`, `256 MiB`: a limit as messages name it.
pub(crate) fn describe(bytes: u64) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Read the file at `path` whole, refusing it once it is over `limit` bytes
/// (`what` names the kind of file) without reading further.
pub(crate) fn read_whole(path: &str, limit: u64, what: &str) -> Result<Vec<u8>> {
    // `-` is standard input to `--log` and `--cores`; a whole document read
    // here is named by its path (opened, `-` was "No such file").
    if path == "-" {
        return Err(Error::input(
            Location::file(path),
            format!("is standard input, which scanquota does not read as {what}; give its path"),
        ));
    }
    let file = crate::domain::files_read::open(path).map_err(|err| Error::io(path, err))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| Error::io(path, err))?;
    if bytes.len() as u64 > limit {
        return Err(Error::input(
            Location::file(path),
            format!(
                "is over {}, the limit for {what}; check that the path names the right file",
                describe(limit)
            ),
        ));
    }
    Ok(bytes)
}
