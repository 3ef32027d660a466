//! The files this run has read, so that `--output` never replaces one of
//! its own inputs: `--output scans.csv --log scans.csv` would put a report
//! where the scan log was, and the rows it billed would be gone.
//!
//! Every input file is opened through [`open`], which notes it; standard
//! input is noted by what it reads. Files are told apart by device and
//! inode, so a link to an input is caught too. A list, not a set: a run
//! reads a handful of files, or a directory of them.

use std::fs::{File, Metadata};
use std::os::unix::fs::MetadataExt;
use std::sync::{Mutex, MutexGuard};

/// What tells one file from another: its device and inode number.
pub(crate) type FileIdentity = (u64, u64);

/// The identity of the file `metadata` describes.
pub(crate) fn identity(metadata: &Metadata) -> FileIdentity {
    (metadata.dev(), metadata.ino())
}

static READ: Mutex<Vec<FileIdentity>> = Mutex::new(Vec::new());

fn read() -> MutexGuard<'static, Vec<FileIdentity>> {
    READ.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Open the input file at `path` for reading, noting it.
pub(crate) fn open(path: &str) -> std::io::Result<File> {
    let file = File::open(path)?;
    note(&file.metadata()?);
    Ok(file)
}

/// Note that the file `metadata` describes is read by this run.
pub(crate) fn note(metadata: &Metadata) {
    let identity = identity(metadata);
    let mut read = read();
    if !read.contains(&identity) {
        read.push(identity);
    }
}

/// Whether the file `metadata` describes was read by this run.
pub(crate) fn was_read(metadata: &Metadata) -> bool {
    read().contains(&identity(metadata))
}

/// Start a run with nothing read (a process may run several commands, as
/// the tests do).
pub(crate) fn forget_all() {
    read().clear();
}
