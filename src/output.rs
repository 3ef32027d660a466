//! Writing results so that a failed run never loses the previous output.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Write `contents` to `path` through a temporary file in the same directory,
/// renamed into place only once everything is written: readers see the old
/// file or the new one, never a half-written one.
pub fn write_atomically(path: &str, contents: &[u8]) -> Result<()> {
    write_atomically_with(path, |file| file.write_all(contents))
}

/// [`write_atomically`] what `write` writes (through a buffer).
pub fn write_atomically_with(
    path: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let target = Path::new(path);
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".scanquota-")
        .tempfile_in(directory)
        .map_err(|err| Error::write(directory.display().to_string(), err))?;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, temporary.as_file_mut());
    write(&mut buffered)
        .and_then(|()| buffered.flush())
        .map_err(|err| Error::write(path, err))?;
    drop(buffered);
    temporary
        .as_file()
        .sync_all()
        .map_err(|err| Error::write(path, err))?;
    temporary
        .persist(target)
        .map_err(|err| Error::write(path, err.error))?;
    Ok(())
}
