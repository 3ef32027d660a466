//! The files this run has read, so that `--output` never replaces one of
//! its own inputs: `--output scans.csv --log scans.csv` would put a report
//! where the scan log was, and the rows it billed would be gone.
//!
//! Files are told apart by device and inode, so a second name or a link to
//! an input is caught too. A list, not a set: a run reads a handful of
//! files, or a directory of them.

use std::fs::Metadata;
use std::sync::Mutex;

#[cfg(unix)]
static READ: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());

/// Note that the file `metadata` describes is read by this run.
pub(crate) fn note(metadata: &Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let identity = (metadata.dev(), metadata.ino());
        let mut read = READ.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !read.contains(&identity) {
            read.push(identity);
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
}

/// Whether the file `metadata` describes was read by this run.
pub fn was_read(metadata: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let identity = (metadata.dev(), metadata.ino());
        READ.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(&identity)
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}
