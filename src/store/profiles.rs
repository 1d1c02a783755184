//! The profiles file: TOML in the platform config directory.
//!
//! Writes are read-modify-write under an exclusive lock on a sibling lock file,
//! so two bbtoken processes never lose each other's profiles, and land through
//! a private temp file (created with `O_EXCL` under a random name, so a planted
//! symlink is never followed) that is fsynced and renamed over the old one, so
//! a crash leaves either the old file or the new one. A file that cannot be
//! parsed is never overwritten.
//!
//! The lock can also be held by a caller across other work ([`ProfileFile::lock`]
//! then [`ProfileFile::update_locked`]): the operations in `ops` keep it across
//! the keyring write and the file write, so two bbtoken processes never
//! interleave on one profile. The wait for it is bounded.
//!
//! Only a regular file is read, and at most [`MAX_FILE_SIZE`] bytes of it: a
//! FIFO, a device or a directory in its place is an error, not a hang.
//!
//! The file holds only what a person configures. What bbtoken learns (the
//! validation outcomes and the revision that guards them) is kept in the
//! state file ([`super::state`]); [`ProfileFile::load`] joins the two, and
//! a write splits them again, taking the state lock after the profiles
//! lock. A profiles file of the old format, with outcomes in it, is read as
//! before and migrated by the first write: the outcomes go to the state
//! file first, then leave the profiles file.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::fsio::{self, LockError, ReadError};
use super::state::{State, StateFile};
use crate::profile::Profile;

pub(crate) const FILE_NAME: &str = "profiles.toml";
const LOCK_NAME: &str = "profiles.lock";
pub(crate) const FORMAT_VERSION: u32 = 1;
/// Far above any real profiles file (a profile is a few hundred bytes).
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;
/// How long to wait for another bbtoken to release the lock.
pub(crate) const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);
/// Overrides [`DEFAULT_LOCK_TIMEOUT`], in seconds.
pub(crate) const LOCK_TIMEOUT_ENV: &str = "BBTOKEN_LOCK_TIMEOUT";

/// Settings that live beside the profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Validate every profile when the TUI starts.
    #[serde(default = "yes")]
    pub validate_on_start: bool,
    /// Days before its expiry date that a profile is marked in the app and
    /// in `show` (the CLI alarm takes its window as an argument).
    #[serde(default = "expiry_window")]
    pub expiry_window_days: u32,
}

fn expiry_window() -> u32 {
    crate::expiry::DEFAULT_WINDOW_DAYS
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            validate_on_start: true,
            expiry_window_days: expiry_window(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default, rename = "profile")]
    pub profiles: Vec<Profile>,
}

impl Document {
    pub fn find(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    pub fn find_mut(&mut self, name: &str) -> Option<&mut Profile> {
        self.profiles.iter_mut().find(|p| p.name == name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot find a config directory: set BBTOKEN_CONFIG_DIR to a folder bbtoken may use")]
    NoConfigDir,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}, line {line}: {message}\n  the file was left as it is: fix it by hand, or move it away to start afresh"
    )]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "{path} was written by a newer bbtoken (format {found}); this one reads format {FORMAT_VERSION}"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("{path}: profile {name:?} appears twice; remove one by hand")]
    Duplicate { path: PathBuf, name: String },
    /// A profile fails a field check: it is never used, and the file is never
    /// overwritten while it holds it.
    #[error(
        "{path}, line {line}: profile {name}, field {field}: {reason}\n  the file was left as it is: fix that value by hand, or move the file away to start afresh"
    )]
    InvalidField {
        path: PathBuf,
        line: usize,
        /// The profile's name, cleaned for display.
        name: String,
        field: &'static str,
        reason: String,
    },
    #[error(
        "{path} is {what}, not a regular file: bbtoken reads its profiles only from a regular file; move it away (bbtoken then starts with no profiles)"
    )]
    NotRegular { path: PathBuf, what: &'static str },
    #[error(
        "{path} is larger than {max} bytes, far more than any profiles file: it was not read; check what it is and move it away"
    )]
    TooLarge { path: PathBuf, max: u64 },
    #[error(
        "{path} was not written: with this change it would be larger than {max} bytes, which bbtoken refuses to read back; remove profiles you no longer need"
    )]
    WouldBeTooLarge { path: PathBuf, max: u64 },
    #[error(
        "another bbtoken holds the lock on {path} (waited {secs} s); try again when it is done. Nothing was changed. If no bbtoken is running, the lock is stale only if a process still holds it: see `fuser {path}`. The wait can be set in seconds with {LOCK_TIMEOUT_ENV}"
    )]
    LockTimeout { path: PathBuf, secs: u64 },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The lock of the in-memory variant: a flag and a condvar, so the guard is
/// `Send` and may be held across `.await` like the file lock.
#[derive(Debug, Default)]
struct MemoryLock {
    held: Mutex<bool>,
    freed: Condvar,
}

/// Proof that this process holds the profiles lock; released on drop.
#[derive(Debug)]
pub struct LockGuard {
    /// The locked `profiles.lock` (the flock goes with the descriptor).
    _file: Option<File>,
    memory: Option<Arc<MemoryLock>>,
    /// Which file this guard locks, so a guard of another file is refused.
    dir: PathBuf,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if let Some(m) = &self.memory {
            *m.held.lock().unwrap_or_else(|p| p.into_inner()) = false;
            m.freed.notify_one();
        }
    }
}

/// Handle on the profiles file in one config directory, and on the state
/// file that goes with it.
#[derive(Debug, Clone)]
pub struct ProfileFile {
    dir: PathBuf,
    state: StateFile,
    /// Set for the demo: the document lives here and nothing touches disk.
    memory: Option<Arc<Mutex<Document>>>,
    memory_lock: Arc<MemoryLock>,
    lock_timeout: Option<Duration>,
    max_size: u64,
    /// Things the user should hear about that are not errors (a state file
    /// moved aside), for the surface to show: see [`ProfileFile::take_notices`].
    notices: Arc<Mutex<Vec<String>>>,
}

/// A document as read, with the bytes it came from, so a write that
/// changes nothing in one of the two files leaves that file alone.
struct Loaded {
    doc: Document,
    config_raw: Option<String>,
    state: super::state::Read,
}

impl ProfileFile {
    /// `BBTOKEN_CONFIG_DIR`, else the platform config directory
    /// (`$XDG_CONFIG_HOME/bbtoken` on Linux). The state file goes where
    /// [`StateFile::dir_from_env`] says.
    pub fn from_env() -> Result<ProfileFile, ConfigError> {
        let config_override = std::env::var_os("BBTOKEN_CONFIG_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from);
        let dir = match &config_override {
            Some(dir) => dir.clone(),
            None => directories::ProjectDirs::from("", "", "bbtoken")
                .map(|d| d.config_dir().to_path_buf())
                .ok_or(ConfigError::NoConfigDir)?,
        };
        let state = StateFile::dir_from_env(config_override.as_deref())
            .unwrap_or_else(|| dir.join("state"));
        Ok(ProfileFile::at(dir).with_state_dir(state))
    }

    /// The profiles in `dir`, their state in `dir/state`.
    pub fn at(dir: PathBuf) -> ProfileFile {
        ProfileFile {
            state: StateFile::at(dir.join("state")),
            dir,
            memory: None,
            memory_lock: Arc::default(),
            lock_timeout: None,
            max_size: MAX_FILE_SIZE,
            notices: Arc::default(),
        }
    }

    /// Keeps the state file in `dir` instead.
    pub(crate) fn with_state_dir(mut self, dir: PathBuf) -> ProfileFile {
        self.state = StateFile::at(dir);
        self
    }

    /// Caps the state file at `max` bytes instead of
    /// [`super::state::MAX_FILE_SIZE`].
    pub fn with_state_max_size(mut self, max: u64) -> ProfileFile {
        self.state = self.state.with_max_size(max);
        self
    }

    /// Profiles kept in this process only (the demo): same API, no file.
    pub fn memory() -> ProfileFile {
        ProfileFile {
            memory: Some(Arc::new(Mutex::new(Document::default()))),
            ..ProfileFile::at(PathBuf::from("(in memory)"))
        }
    }

    /// Waits at most `timeout` for the lock instead of the default (or
    /// `BBTOKEN_LOCK_TIMEOUT`).
    pub(crate) fn with_lock_timeout(mut self, timeout: Duration) -> ProfileFile {
        self.lock_timeout = Some(timeout);
        self
    }

    /// Reads and writes at most `max` bytes instead of [`MAX_FILE_SIZE`].
    pub fn with_max_size(mut self, max: u64) -> ProfileFile {
        self.max_size = max;
        self
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// The state file's path.
    pub fn state_path(&self) -> PathBuf {
        self.state.path()
    }

    /// Notices gathered since the last call (each said once), for the CLI
    /// to print and the TUI to show.
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn notice(&self, text: String) {
        // Paths come from the environment: no escapes reach the terminal.
        let text = crate::text::clean(&text);
        let mut notices = self.notices.lock().unwrap_or_else(|p| p.into_inner());
        if !notices.contains(&text) {
            tracing::warn!(notice = text, "state file");
            notices.push(text);
        }
    }

    /// Reads the profiles and their state; a missing file is an empty
    /// document. An unusable state file is a notice, not an error.
    pub fn load(&self) -> Result<Document, ConfigError> {
        if let Some(m) = &self.memory {
            return Ok(m.lock().unwrap_or_else(|p| p.into_inner()).clone());
        }
        self.read_both().map(|l| l.doc)
    }

    fn read_both(&self) -> Result<Loaded, ConfigError> {
        let path = self.path();
        let text = match fsio::read_regular(&path, self.max_size) {
            Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| {
                io_err(&path)(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the file is not UTF-8 text",
                ))
            })?),
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(ReadError::Io(e)) => return Err(io_err(&path)(e)),
            Err(ReadError::NotRegular(what)) => return Err(ConfigError::NotRegular { path, what }),
            Err(ReadError::TooLarge) => {
                return Err(ConfigError::TooLarge {
                    path,
                    max: self.max_size,
                });
            }
        };
        let mut doc = match &text {
            Some(t) => parse(&path, t)?,
            None => Document::default(),
        };
        let mut state = self.state.read()?;
        if let Some(why) = &state.broken {
            self.notice(self.state.broken_notice(why));
        }
        std::mem::take(&mut state.state).apply(&mut doc);
        Ok(Loaded {
            doc,
            config_raw: text,
            state,
        })
    }

    /// Locks, reads, lets `change` edit the document, and writes it back
    /// atomically if `change` succeeds. Nothing is written when it fails.
    pub fn update<R, E>(
        &self,
        change: impl FnOnce(&mut Document) -> Result<R, E>,
    ) -> Result<Result<R, E>, ConfigError> {
        let guard = self.lock()?;
        self.update_locked(&guard, change)
    }

    /// [`ProfileFile::update`] under a lock the caller already holds. The
    /// state lock is taken here, after the profiles lock, for the read and
    /// the write. Each file is written only if its part changed: recording
    /// an outcome rewrites the state file alone.
    pub(crate) fn update_locked<R, E>(
        &self,
        guard: &LockGuard,
        change: impl FnOnce(&mut Document) -> Result<R, E>,
    ) -> Result<Result<R, E>, ConfigError> {
        assert_eq!(guard.dir, self.dir, "a lock of another profiles file");
        if let Some(m) = &self.memory {
            let mut doc = m.lock().unwrap_or_else(|p| p.into_inner());
            let mut draft = doc.clone();
            let result = change(&mut draft);
            if result.is_ok() {
                *doc = draft;
            }
            return Ok(result);
        }
        let _state_lock = self.state.lock(self.timeout())?;
        let mut loaded = self.read_both()?;
        let result = change(&mut loaded.doc);
        if result.is_ok() {
            loaded.doc.version = FORMAT_VERSION;
            self.write(&loaded)?;
        }
        Ok(result)
    }

    fn timeout(&self) -> Duration {
        self.lock_timeout.unwrap_or_else(|| {
            std::env::var(LOCK_TIMEOUT_ENV)
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
                .unwrap_or(DEFAULT_LOCK_TIMEOUT)
        })
    }

    /// Takes the exclusive profiles lock, waiting at most the lock timeout
    /// (then [`ConfigError::LockTimeout`]). Blocks: call it off the async
    /// workers. Held until the guard is dropped.
    pub fn lock(&self) -> Result<LockGuard, ConfigError> {
        if self.memory.is_some() {
            let deadline = Instant::now() + self.timeout();
            let m = &self.memory_lock;
            let mut held = m.held.lock().unwrap_or_else(|p| p.into_inner());
            while *held {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(self.lock_timeout_error());
                }
                held = m
                    .freed
                    .wait_timeout(held, left)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            *held = true;
            return Ok(LockGuard {
                _file: None,
                memory: Some(m.clone()),
                dir: self.dir.clone(),
            });
        }
        fsio::ensure_dir(&self.dir, self.dir.ends_with("bbtoken")).map_err(io_err(&self.dir))?;
        let path = self.dir.join(LOCK_NAME);
        let file = match fsio::lock(&path, self.timeout()) {
            Ok(f) => f,
            Err(LockError::Timeout) => return Err(self.lock_timeout_error()),
            Err(LockError::Io(e)) => return Err(io_err(&path)(e)),
        };
        Ok(LockGuard {
            _file: Some(file),
            memory: None,
            dir: self.dir.clone(),
        })
    }

    fn lock_timeout_error(&self) -> ConfigError {
        ConfigError::LockTimeout {
            path: self.dir.join(LOCK_NAME),
            secs: self.timeout().as_secs_f64().ceil() as u64,
        }
    }

    /// Where the bytes go. A symlinked `profiles.toml` (dotfiles kept in a
    /// repository) is written through: the temp file is made beside the link's
    /// final target and renamed over it, so the link and the user's setup
    /// survive, with the same crash safety as a plain file. Refusing would
    /// push those users to a copy that silently drifts from their dotfiles;
    /// replacing the link (the old behaviour) broke the setup without a word.
    /// The config directory is private to its owner, so a link there is the
    /// owner's choice, not an attacker's. A dangling link is refused: where
    /// it points may be a typo, and creating a file there is a guess.
    fn target(&self) -> Result<PathBuf, ConfigError> {
        let path = self.path();
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => fs::canonicalize(&path).map_err(|e| {
                ConfigError::Io {
                    path: path.clone(),
                    source: std::io::Error::new(
                        e.kind(),
                        format!(
                            "it is a symlink whose target cannot be reached ({e}); bbtoken writes through a symlinked profiles file to its target, so create the target or replace the link with a regular file"
                        ),
                    ),
                }
            }),
            _ => Ok(path),
        }
    }

    /// Writes the state part, then the configured part, each only if it
    /// changed. Both sizes are checked before either is written. State goes
    /// first: a crash in between leaves outcomes in both files (the state
    /// file wins on reading), never in neither, so a migration loses nothing.
    fn write(&self, loaded: &Loaded) -> Result<(), ConfigError> {
        let doc = &loaded.doc;
        let config = Document {
            version: doc.version,
            settings: doc.settings.clone(),
            profiles: doc.profiles.iter().map(Profile::config_only).collect(),
        };
        let mut text = header();
        text.push_str(&toml::to_string_pretty(&config).expect("profiles always serialize to TOML"));
        // Never write what `load` would refuse: the next run would be locked out.
        if text.len() as u64 > self.max_size {
            return Err(ConfigError::WouldBeTooLarge {
                path: self.path(),
                max: self.max_size,
            });
        }
        let state = StateFile::encode(&State::of(doc));
        self.state.check_size(&state)?;
        if let Some(notice) = self.state.write(&state, &loaded.state)? {
            // Said instead of "will be moved at the next change".
            if let Some(why) = &loaded.state.broken {
                let before = crate::text::clean(&self.state.broken_notice(why));
                self.notices
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .retain(|n| *n != before);
            }
            self.notice(notice);
        }
        if loaded.config_raw.as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        let path = self.target()?;
        fsio::write_atomic(&path, &[text.as_bytes()]).map_err(io_err(&path))
    }
}

fn header() -> String {
    "# bbtoken profiles. Secrets are not here: they are in the OS credential store.\n# Validation results are in the state file (see the README).\n\n".into()
}

/// The 1-based line of byte offset `pos` in `text`.
fn line_at(text: &str, pos: usize) -> usize {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    text[..pos].matches('\n').count() + 1
}

/// The line of field `key` in the `index`-th `[[profile]]` table, else of
/// the table itself: read again with toml's spans, only when a check failed.
fn field_line(text: &str, index: usize, key: &str) -> usize {
    type Spanned = toml::Spanned<toml::Value>;
    #[derive(Deserialize)]
    struct Spans {
        #[serde(default)]
        profile: Vec<toml::Spanned<std::collections::BTreeMap<String, Spanned>>>,
    }
    let Ok(spans) = toml::from_str::<Spans>(text) else {
        return 1;
    };
    spans.profile.get(index).map_or(1, |table| {
        let at = table
            .get_ref()
            .get(key)
            .map_or(table.span().start, |v| v.span().start);
        line_at(text, at)
    })
}

/// Parses profiles text; errors name the file and the line. Every profile
/// passes the same field checks as `add` and `edit` ([`crate::fields`]), and
/// recorded outcomes are cleaned as if they had just come in, so nothing
/// from a hand-edited or hostile file reaches a terminal, a command or a
/// request raw.
pub fn parse(path: &Path, text: &str) -> Result<Document, ConfigError> {
    let mut doc: Document = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        line: e.span().map_or(1, |s| line_at(text, s.start)),
        // The message may echo the bad value: cleaned, like server text.
        message: crate::text::clean(e.message().trim_end()),
    })?;
    if doc.version > FORMAT_VERSION {
        return Err(ConfigError::TooNew {
            path: path.to_path_buf(),
            found: doc.version,
        });
    }
    for (i, p) in doc.profiles.iter().enumerate() {
        if let Some((field, reason)) = crate::fields::check_profile(p).into_iter().next() {
            let key = match field {
                "bot-email" => "bot_email",
                f => f,
            };
            return Err(ConfigError::InvalidField {
                path: path.to_path_buf(),
                line: field_line(text, i, key),
                name: format!("\"{}\"", crate::text::clean_line(&p.name, 80)),
                field: key,
                reason,
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    for p in &doc.profiles {
        if !seen.insert(p.name.as_str()) {
            return Err(ConfigError::Duplicate {
                path: path.to_path_buf(),
                name: p.name.clone(),
            });
        }
    }
    for p in &mut doc.profiles {
        if let Some(o) = &mut p.last_validation {
            crate::bitbucket::classify::clean_outcome(o);
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::TokenKind;
    use chrono::Utc;

    fn sample(name: &str) -> Profile {
        Profile {
            note: Some("line one\nline \"two\"".into()),
            ..Profile::new(name, TokenKind::Repository, "acme", Some("api"))
        }
    }

    #[test]
    fn round_trip_and_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile::at(dir.path().join("cfg"));
        file.update(|d| {
            d.profiles.push(sample("a"));
            Ok::<_, ()>(())
        })
        .unwrap()
        .unwrap();
        let doc = file.load().unwrap();
        assert_eq!(
            doc.profiles,
            vec![sample_with_created("a", doc.profiles[0].created)]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    fn sample_with_created(name: &str, created: chrono::DateTime<Utc>) -> Profile {
        Profile {
            created,
            ..sample(name)
        }
    }

    /// A hand-written `[settings]` table that leaves a setting out gets the
    /// same value as a file with no table at all.
    #[test]
    fn settings_left_out_take_their_defaults() {
        let p = Path::new("p.toml");
        for text in ["", "[settings]\n", "version = 1\n[settings]\n"] {
            let s = parse(p, text).unwrap().settings;
            assert!(s.validate_on_start, "{text:?}");
            assert_eq!(s.expiry_window_days, 14, "{text:?}");
            assert_eq!(s, Settings::default());
        }
        let s = parse(p, "[settings]\nexpiry_window_days = 30\n")
            .unwrap()
            .settings;
        assert_eq!((s.expiry_window_days, s.validate_on_start), (30, true));
    }

    /// The cap is 4 MiB: a long hand-kept file (comments, here 3 MiB) loads.
    #[test]
    fn a_file_of_three_mib_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile::at(dir.path().to_path_buf());
        let line = format!("# {}\n", "x".repeat(1022));
        std::fs::write(file.path(), line.repeat(3 * 1024)).unwrap();
        assert!(file.load().unwrap().profiles.is_empty());
    }

    #[test]
    fn failed_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile::at(dir.path().to_path_buf());
        let r = file.update(|d| {
            d.profiles.push(sample("a"));
            Err::<(), _>("no")
        });
        assert!(matches!(r, Ok(Err("no"))));
        assert!(!file.path().exists());
    }

    #[test]
    fn parse_error_names_line_and_keeps_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile::at(dir.path().to_path_buf());
        let bad = "version = 1\n\n[[profile]]\nname = \"a\"\nkind = \"nonsense\"\n";
        fs::write(file.path(), bad).unwrap();
        let err = file.load().unwrap_err().to_string();
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains(FILE_NAME), "{err}");
        let r = file.update(|_| Ok::<_, ()>(()));
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(file.path()).unwrap(), bad);
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let file = ProfileFile::at(dir.path().to_path_buf());
                std::thread::spawn(move || {
                    for j in 0..10 {
                        file.update(|d| {
                            d.profiles.push(sample(&format!("p{i}-{j}")));
                            Ok::<_, ()>(())
                        })
                        .unwrap()
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let doc = ProfileFile::at(dir.path().to_path_buf()).load().unwrap();
        assert_eq!(doc.profiles.len(), 80);
    }

    #[test]
    fn memory_profiles_touch_no_disk_and_keep_failed_changes_out() {
        let file = ProfileFile::memory();
        file.update(|d| {
            d.profiles.push(sample("a"));
            Ok::<_, ()>(())
        })
        .unwrap()
        .unwrap();
        let r = file.update(|d| {
            d.profiles.push(sample("b"));
            Err::<(), _>("no")
        });
        assert!(matches!(r, Ok(Err("no"))));
        let names: Vec<String> = file
            .load()
            .unwrap()
            .profiles
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["a"]);
        assert!(!file.path().exists());
    }

    #[test]
    fn duplicate_names_rejected() {
        let p = sample("a");
        let doc = Document {
            version: 1,
            settings: Settings::default(),
            profiles: vec![p.clone(), p],
        };
        let text = toml::to_string(&doc).unwrap();
        assert!(matches!(
            parse(Path::new("x"), &text),
            Err(ConfigError::Duplicate { .. })
        ));
    }

    fn add_one(file: &ProfileFile, name: &str) -> Result<(), ConfigError> {
        file.update(|d| {
            d.profiles.push(sample(name));
            Ok::<_, ()>(())
        })
        .map(|_| ())
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile::at(dir.path().to_path_buf());
        // A FIFO: no hang, a clear error.
        let c = std::ffi::CString::new(file.path().to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = file.load().unwrap_err();
        assert!(matches!(err, ConfigError::NotRegular { .. }), "{err}");
        assert!(err.to_string().contains("FIFO"), "{err}");
        // Nor is it replaced by a write.
        assert!(add_one(&file, "a").is_err());
        fs::remove_file(file.path()).unwrap();
        // A directory.
        fs::create_dir(file.path()).unwrap();
        let err = file.load().unwrap_err().to_string();
        assert!(err.contains("a directory"), "{err}");
        fs::remove_dir(file.path()).unwrap();
        // A symlink to /dev/zero: followed, then refused as a device, at once.
        std::os::unix::fs::symlink("/dev/zero", file.path()).unwrap();
        let started = std::time::Instant::now();
        let err = file.load().unwrap_err().to_string();
        assert!(err.contains("character device"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn oversized_file_is_not_read_and_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile::at(dir.path().to_path_buf());
        // One byte over the cap, padded with a TOML comment.
        let mut text = String::from("version = 1\n#");
        text.push_str(&"x".repeat(MAX_FILE_SIZE as usize + 1 - text.len()));
        fs::write(file.path(), &text).unwrap();
        let err = file.load().unwrap_err();
        assert!(matches!(err, ConfigError::TooLarge { .. }), "{err}");
        // At the cap exactly, it is read.
        text.pop();
        fs::write(file.path(), &text).unwrap();
        assert!(file.load().unwrap().profiles.is_empty());
        // A write that would cross the cap is refused, and the file is kept.
        let small = ProfileFile::at(dir.path().join("small")).with_max_size(400);
        add_one(&small, "a").unwrap();
        let before = fs::read_to_string(small.path()).unwrap();
        let err = add_one(&small, "b").unwrap_err();
        assert!(matches!(err, ConfigError::WouldBeTooLarge { .. }), "{err}");
        assert_eq!(fs::read_to_string(small.path()).unwrap(), before);
    }

    #[cfg(unix)]
    #[test]
    fn planted_symlink_at_the_old_temp_path_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile::at(dir.path().join("cfg"));
        fs::create_dir(dir.path().join("cfg")).unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        // The name the old code used for its temp file.
        let planted = dir
            .path()
            .join("cfg")
            .join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        add_one(&file, "a").unwrap();
        add_one(&file, "b").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(file.load().unwrap().profiles.len(), 2);
        // No temp file is left behind.
        let left: Vec<_> = fs::read_dir(dir.path().join("cfg"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp") && !n.contains(&std::process::id().to_string()))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_profiles_file_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        fs::create_dir(&dotfiles).unwrap();
        let real = dotfiles.join("bbtoken.toml");
        let file = ProfileFile::at(dir.path().join("cfg"));
        fs::create_dir(dir.path().join("cfg")).unwrap();
        add_one(&ProfileFile::at(dotfiles.clone()), "a").unwrap();
        fs::rename(dotfiles.join(FILE_NAME), &real).unwrap();
        std::os::unix::fs::symlink(&real, file.path()).unwrap();
        add_one(&file, "b").unwrap();
        // The link is still a link, and the target holds both profiles.
        assert!(
            fs::symlink_metadata(file.path())
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let names: Vec<String> = parse(&real, &fs::read_to_string(&real).unwrap())
            .unwrap()
            .profiles
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["a", "b"]);
        // A dangling link is refused on write, not replaced.
        fs::remove_file(&real).unwrap();
        let err = add_one(&file, "c").unwrap_err().to_string();
        assert!(err.contains("symlink"), "{err}");
        assert!(fs::symlink_metadata(file.path()).is_ok());
        assert!(!real.exists());
    }

    #[test]
    fn lock_wait_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let file =
            ProfileFile::at(dir.path().to_path_buf()).with_lock_timeout(Duration::from_millis(300));
        let held = file.lock().unwrap();
        let started = std::time::Instant::now();
        let err = file.lock().unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert!(matches!(err, ConfigError::LockTimeout { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("another bbtoken holds the lock"), "{text}");
        assert!(text.contains(LOCK_TIMEOUT_ENV), "{text}");
        drop(held);
        file.lock().unwrap();
    }

    #[test]
    fn memory_lock_excludes_and_is_bounded() {
        let file = ProfileFile::memory().with_lock_timeout(Duration::from_millis(200));
        let held = file.lock().unwrap();
        let other = file.clone();
        let t = std::thread::spawn(move || other.lock().map(|_| ()));
        assert!(matches!(
            t.join().unwrap(),
            Err(ConfigError::LockTimeout { .. })
        ));
        let other = file.clone();
        let t = std::thread::spawn(move || other.lock().map(|_| ()));
        std::thread::sleep(Duration::from_millis(50));
        drop(held);
        t.join().unwrap().unwrap();
    }
}
