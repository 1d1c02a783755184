//! File plumbing shared by the profiles file and the state file: bounded
//! reads of regular files only, private lock files with a bounded wait, and
//! atomic private writes (temp file, fsync, rename, directory fsync).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why [`read_regular`] gave no bytes.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    /// Not a regular file: what it is instead, for the message.
    NotRegular(&'static str),
    TooLarge,
}

/// Reads `path` if it is a regular file of at most `cap` bytes. The type is
/// checked on the opened descriptor (no check-then-open race), the open does
/// not block on a FIFO, and the read stops after `cap + 1` bytes whatever the
/// file claims its size is.
pub(crate) fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(describe(&meta.file_type())));
    }
    // Sized from the metadata (capped), so a large file is read without
    // regrowing the buffer; the `take` still bounds what is read.
    let mut bytes = Vec::with_capacity(meta.len().min(cap) as usize + 1);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

fn describe(t: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Creates `dir` (and its parents) if missing, new folders private (0700).
/// An existing folder is made private only when `tighten` says it is
/// bbtoken's own: a folder the user named may be shared on purpose.
pub(crate) fn ensure_dir(dir: &Path, tighten: bool) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    #[cfg(unix)]
    if tighten {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(dir)?;
        if meta.permissions().mode() & 0o077 != 0 {
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
        }
    }
    #[cfg(not(unix))]
    let _ = tighten;
    Ok(())
}

/// Opens (creating) a lock file, readable and writable by its owner only,
/// never through a symlink.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    opts.open(path)
}

/// Why [`lock`] gave no lock.
#[derive(Debug)]
pub(crate) enum LockError {
    Io(std::io::Error),
    /// Another holder kept it past the timeout.
    Timeout,
}

/// Takes the exclusive lock on `path` (created if missing), waiting at most
/// `timeout`. The lock goes with the returned descriptor. Polled rather
/// than a blocking flock, so the wait can be bounded.
pub fn lock(path: &Path, timeout: Duration) -> Result<File, LockError> {
    let deadline = Instant::now() + timeout;
    let pause = Duration::from_millis(25);
    let file = open_lock_file(path).map_err(LockError::Io)?;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(pause)
            }
            Err(fs::TryLockError::WouldBlock) => return Err(LockError::Timeout),
            Err(fs::TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
    }
}

/// Writes `parts` to `path` atomically: a private temp file beside it
/// (`O_CREAT|O_EXCL` under a random name, mode 0600, so a planted symlink is
/// never followed), fsynced and renamed over `path`, so a crash leaves
/// either the old file or the new one.
pub(crate) fn write_atomic(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "bbtoken".into(), |n| n.to_string_lossy());
    // Removed on drop unless persisted.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    for part in parts {
        tmp.write_all(part)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename is durable once the directory is synced. Some file systems
    // refuse a directory fsync; the new file is in place by now, so that
    // must not be reported as a failed write (callers would roll back a
    // secret whose profile was saved).
    #[cfg(unix)]
    let _ = File::open(&dir).and_then(|d| d.sync_all());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn atomic_write_is_private_and_replaces() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_atomic(&path, &[b"one"]).unwrap();
        write_atomic(&path, &[b"two", b"three"]).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "twothree");
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let left = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(left, 1, "no temp file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn new_dirs_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("a/b");
        ensure_dir(&inner, false).unwrap();
        let mode = fs::metadata(&inner).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let open = dir.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
        ensure_dir(&open, true).unwrap();
        let mode = fs::metadata(&open).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn read_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, "12345").unwrap();
        assert_eq!(read_regular(&path, 5).unwrap(), b"12345");
        assert!(matches!(read_regular(&path, 4), Err(ReadError::TooLarge)));
    }

    /// A folder with no group or other bits is private already: its mode
    /// is kept (here the owner made it read-only), not reset to 0700.
    #[cfg(unix)]
    #[test]
    fn a_private_folder_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        fs::create_dir(&kept).unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o500)).unwrap();
        ensure_dir(&kept, true).unwrap();
        let mode = fs::metadata(&kept).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o500);
    }
}
