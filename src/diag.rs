//! Opt-in diagnostics: `BBTOKEN_LOG=info|debug|trace` appends a plain-text
//! log (the `tracing` crate) to `$XDG_STATE_HOME/bbtoken/bbtoken.log`, so a
//! slow keyring or a failing request can be looked at after the fact.
//!
//! Without the variable nothing is opened and no subscriber is installed:
//! the `tracing` macros elsewhere then cost one relaxed atomic load each.
//! Only bbtoken's own events are kept (not hyper's, h2's or rustls's), and
//! the events themselves carry names, statuses, durations and error kinds —
//! never a header, a token or the Debug of a type that holds one.

use std::fs::{DirBuilder, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

use tracing::Level;

use crate::store::StoreError;

/// The variable that turns the log on.
pub(crate) const LOG_ENV: &str = "BBTOKEN_LOG";

#[derive(Debug, thiserror::Error)]
pub enum DiagError {
    #[error("{LOG_ENV}={0:?} is not a log level: use info, debug or trace, or unset it for no log")]
    BadLevel(String),
    #[error(
        "{LOG_ENV} is set but the log has no home: set XDG_STATE_HOME or HOME, or unset {LOG_ENV}"
    )]
    NoPlace,
    #[error(
        "{LOG_ENV} is set but the log {path} cannot be opened: {source}; fix that or unset {LOG_ENV}"
    )]
    Open {
        path: String,
        source: std::io::Error,
    },
}

/// The level named by `value`; `None` for an empty value (treated as unset).
pub(crate) fn parse_level(value: &str) -> Result<Option<Level>, DiagError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "info" => Ok(Some(Level::INFO)),
        "debug" => Ok(Some(Level::DEBUG)),
        "trace" => Ok(Some(Level::TRACE)),
        _ => Err(DiagError::BadLevel(value.to_string())),
    }
}

/// `$XDG_STATE_HOME/bbtoken/bbtoken.log`, by default
/// `~/.local/state/bbtoken/bbtoken.log` (the local data folder where the
/// platform has no state folder).
pub(crate) fn log_path() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    let dir = base
        .state_dir()
        .unwrap_or_else(|| base.data_local_dir())
        .join("bbtoken");
    Some(dir.join("bbtoken.log"))
}

/// Reads [`LOG_ENV`] and, when it names a level, installs the file logger.
/// Returns the log's path when one was opened.
pub fn init_from_env() -> Result<Option<PathBuf>, DiagError> {
    let Some(raw) = std::env::var_os(LOG_ENV) else {
        return Ok(None);
    };
    let Some(level) = parse_level(&raw.to_string_lossy())? else {
        return Ok(None);
    };
    let path = log_path().ok_or(DiagError::NoPlace)?;
    let file = open_log(&path).map_err(|source| DiagError::Open {
        path: path.display().to_string(),
        source,
    })?;
    install(file, level);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        pid = std::process::id(),
        "bbtoken started"
    );
    Ok(Some(path))
}

fn install(file: File, level: Level) {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file));
    // Our own events only: a dependency's trace output is not ours to vet.
    let filter = Targets::new().with_target(env!("CARGO_CRATE_NAME"), level);
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}

/// Opens the log for appending: folder 0700, file 0600 (tightened if it
/// was wider), never through a symbolic link.
fn open_log(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        let mut builder = DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(file)
}

/// A short, secret-free name for a store error, for the log.
pub(crate) fn store_error_kind(e: &StoreError) -> &'static str {
    match e {
        StoreError::Timeout { .. } => "timeout",
        StoreError::Unavailable { .. } => "unavailable",
        StoreError::Locked { .. } => "locked",
        StoreError::Missing { .. } => "missing",
        StoreError::BadSetting { .. } => "bad_setting",
        StoreError::Failed { .. } => "failed",
    }
}

/// Runs one credential-store call and logs its operation, profile name,
/// duration and outcome kind (never the value).
pub(crate) async fn store_call<T>(
    op: &'static str,
    profile: &str,
    backend: &'static str,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let start = Instant::now();
    let result = call.await;
    let ms = elapsed_ms(start);
    match &result {
        Ok(_) => tracing::debug!(target: "bbtoken::store", op, profile, backend, ms, "store call"),
        Err(e) => tracing::debug!(
            target: "bbtoken::store",
            op,
            profile,
            backend,
            ms,
            error = store_error_kind(e),
            "store call failed"
        ),
    }
    result
}

/// Milliseconds since `start`, with a fraction, for log fields.
pub fn elapsed_ms(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_the_three_named_ones() {
        assert_eq!(parse_level("debug").unwrap(), Some(Level::DEBUG));
        assert_eq!(parse_level("TRACE").unwrap(), Some(Level::TRACE));
        assert_eq!(parse_level(" info ").unwrap(), Some(Level::INFO));
        assert_eq!(parse_level("").unwrap(), None);
        for bad in ["warn", "1", "yes", "debug,h2=trace"] {
            let e = parse_level(bad).unwrap_err().to_string();
            assert!(e.contains("info, debug or trace"), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_log_is_0600_in_a_0700_folder_and_appends() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("state/bbtoken/bbtoken.log");
        std::fs::write(tmp.path().join("x"), "").unwrap();
        {
            use std::io::Write;
            open_log(&path).unwrap().write_all(b"one\n").unwrap();
            open_log(&path).unwrap().write_all(b"two\n").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        // A wider file is tightened.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        open_log(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        // A symbolic link is refused.
        let link = tmp.path().join("state/bbtoken/link.log");
        std::os::unix::fs::symlink(tmp.path().join("x"), &link).unwrap();
        assert!(open_log(&link).is_err());
    }
}
