//! Writing results so that a failed run never loses the previous output.
//!
//! A regular file (or a path that does not exist yet) is written through a
//! temporary file in its directory, renamed over it once everything is
//! written: readers see the old file or the new one, never a half-written
//! one. The new file gets the old one's mode (and owner and group, where the
//! process may set them), or the process umask's mode when there was none.
//! A symbolic link is followed: the file it points to is replaced, the link
//! kept. Anything else (a device such as /dev/null, a FIFO, a socket) is
//! written straight, never replaced. A signal that ends the process while a
//! temporary file exists removes it first ([`abandon`]). A file the run
//! read as input (a log, the plan) is never replaced: that is refused.

use crate::domain::error::{Error, Location, Result};
use std::fs::{File, Metadata, Permissions};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Why writing a result stopped: the writing itself failed, or an input
/// that was read while writing (the ledger's second pass over its logs).
#[derive(Debug)]
pub enum Failure {
    Write(std::io::Error),
    Input(Error),
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::Write(err)
    }
}

impl Failure {
    /// The error to report; a write error names `path`, where it was written.
    pub fn into_error(self, path: &str) -> Error {
        match self {
            Failure::Write(err) => Error::write(path, err),
            Failure::Input(err) => err,
        }
    }
}

/// The temporary file being written, if any: the signal thread removes it.
static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

fn pending() -> MutexGuard<'static, Option<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Forgets the pending temporary file when dropped: by then it has been
/// renamed into place, or the [`tempfile::NamedTempFile`] removes it.
struct Registered;

impl Drop for Registered {
    fn drop(&mut self) {
        pending().take();
    }
}

/// The pending temporary file removed, and none renamed into place or
/// made while this lives: `main` takes it when a signal ends the process,
/// and exits holding it.
pub struct Abandoned(#[allow(dead_code)] MutexGuard<'static, Option<PathBuf>>);

/// Remove the temporary file being written, if any, for a process about to
/// exit (on SIGTERM, SIGINT or SIGHUP).
pub fn abandon() -> Abandoned {
    let mut pending = pending();
    if let Some(path) = pending.take() {
        let _ = std::fs::remove_file(path);
    }
    Abandoned(pending)
}

/// Write to `path`, as the module says, what `write` writes (through a
/// buffer).
pub fn write_atomically_with(
    path: &str,
    write: impl FnOnce(&mut dyn Write) -> Result<(), Failure>,
) -> Result<()> {
    let target = follow_links(Path::new(path)).map_err(|err| Error::write(path, err))?;
    let existing = match std::fs::metadata(&target) {
        Ok(metadata) => Some(metadata),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(Error::write(path, err)),
    };
    if let Some(existing) = &existing
        && !existing.is_file()
    {
        return write_straight(path, &target, existing, write);
    }
    refuse_an_input(path, existing.as_ref())?;
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".scanquota-");
    if existing.is_none() {
        // Opened with 0666, which the umask narrows (0644 under 022), as
        // any new file; an existing file's mode is set below.
        builder.permissions(Permissions::from_mode(0o666));
    }
    let (mut temporary, _registered) = {
        let mut pending = pending();
        let temporary = builder
            .tempfile_in(directory)
            .map_err(|err| Error::write(directory.display().to_string(), err))?;
        *pending = Some(temporary.path().to_path_buf());
        (temporary, Registered)
    };
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, temporary.as_file_mut());
    write(&mut buffered)
        .and_then(|()| Ok(buffered.flush()?))
        .map_err(|failure| failure.into_error(path))?;
    drop(buffered);
    if let Some(existing) = &existing {
        keep_owner_and_mode(temporary.as_file(), existing)
            .map_err(|err| Error::write(path, err))?;
    }
    temporary
        .as_file()
        .sync_all()
        .map_err(|err| Error::write(path, err))?;
    let mut pending = pending();
    temporary
        .persist(&target)
        .map_err(|err| Error::write(path, err.error))?;
    pending.take();
    Ok(())
}

/// Refuse `--output` naming a file the run read (a log, the plan): what is
/// written would replace it. `main` asks before it prints the run's notes,
/// so the refusal is the one line on standard error.
pub fn refuse_input_as_output(path: &str) -> Result<()> {
    let Ok(target) = follow_links(Path::new(path)) else {
        // Writing names the problem with the path.
        return Ok(());
    };
    refuse_an_input(path, std::fs::metadata(target).ok().as_ref())
}

fn refuse_an_input(path: &str, existing: Option<&Metadata>) -> Result<()> {
    match existing {
        Some(existing) if existing.is_file() && crate::domain::files_read::was_read(existing) => {
            Err(Error::input(
                Location::file(path),
                "is a file this run read as input (by this name or another); writing the \
                 result over it would replace that input: give --output another file",
            ))
        }
        _ => Ok(()),
    }
}

/// The path `path` names once every symbolic link is followed; a link to
/// nothing gives the path it points to (which is then created).
fn follow_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // As many links as the kernel follows in one path.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(current),
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::from_raw_os_error(libc::ELOOP))
}

/// Give the new file the owner, group and mode of the one it replaces. The
/// owner can only be kept by a process allowed to give files away (root),
/// the group by one that belongs to it; otherwise they are the writer's.
fn keep_owner_and_mode(file: &File, existing: &Metadata) -> std::io::Result<()> {
    let ours = file.metadata()?;
    if (ours.uid(), ours.gid()) != (existing.uid(), existing.gid()) {
        let kept = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()));
        if kept.is_err() {
            let _ = std::os::unix::fs::fchown(file, None, Some(existing.gid()));
        }
    }
    // Set after the owner: a change of owner clears the set-id bits.
    file.set_permissions(Permissions::from_mode(existing.mode() & 0o7777))
}

/// Write to something that is not a regular file (a device, a FIFO, a
/// socket) as it is: it is never replaced by a file.
fn write_straight(
    path: &str,
    target: &Path,
    existing: &Metadata,
    write: impl FnOnce(&mut dyn Write) -> Result<(), Failure>,
) -> Result<()> {
    let kind = existing.file_type();
    if kind.is_dir() {
        let err = std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory");
        return Err(Error::write(path, err));
    }
    let out: Box<dyn Write> = if kind.is_socket() {
        Box::new(
            std::os::unix::net::UnixStream::connect(target)
                .map_err(|err| Error::write(path, err))?,
        )
    } else {
        Box::new(
            std::fs::OpenOptions::new()
                .write(true)
                .open(target)
                .map_err(|err| Error::write(path, err))?,
        )
    };
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    write(&mut buffered)
        .and_then(|()| Ok(buffered.flush()?))
        .map_err(|failure| failure.into_error(path))
}
