//! The state file: what bbtoken learns about each profile, as opposed to
//! what a person configures. Validation outcomes (the last one and the last
//! conclusive one) and the revision that guards them live here, in JSON
//! (fast to read and write), so `profiles.toml` stays short and
//! hand-editable.
//!
//! Where: `BBTOKEN_STATE_DIR`, else `$BBTOKEN_CONFIG_DIR/state` when the
//! config dir is set (tests and portable setups stay in one folder), else
//! `$XDG_STATE_HOME/bbtoken`. The file is written atomically (see
//! [`fsio::write_atomic`]) under its own lock, `state.lock`. Whoever holds
//! both locks takes the profiles lock first, never the reverse.
//!
//! A state file that cannot be read as state (too large, not JSON, not a
//! regular file) is not fatal: profiles work without it. It is reported, and
//! moved aside to `state.json.broken` before the next write, never silently
//! overwritten.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::fsio::{self, LockError, ReadError};
use super::profiles::{ConfigError, Document};
use crate::profile::{Outcome, Profile};

pub(crate) const FILE_NAME: &str = "state.json";
pub(crate) const BROKEN_NAME: &str = "state.json.broken";
const LOCK_NAME: &str = "state.lock";
const FORMAT_VERSION: u32 = 1;
/// Far above any real state (an outcome is under a kilobyte).
pub const MAX_FILE_SIZE: u64 = 32 * 1024 * 1024;
/// Names the state directory; see the module docs for the fallbacks.
pub(crate) const STATE_DIR_ENV: &str = "BBTOKEN_STATE_DIR";

/// What bbtoken knows about one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileState {
    pub name: String,
    /// The creation time of the profile this belongs to: a profile removed
    /// and added again under the same name starts without the old facts.
    pub created: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_validation: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_conclusive: Option<Outcome>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The whole state file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub profiles: Vec<ProfileState>,
}

impl State {
    /// The state part of `doc`: one record per profile that has any.
    pub fn of(doc: &Document) -> State {
        State {
            version: FORMAT_VERSION,
            profiles: doc
                .profiles
                .iter()
                .filter(|p| {
                    p.revision != 0 || p.last_validation.is_some() || p.last_conclusive.is_some()
                })
                .map(|p| ProfileState {
                    name: p.name.clone(),
                    created: p.created,
                    revision: p.revision,
                    last_validation: p.last_validation.clone(),
                    last_conclusive: p.last_conclusive.clone(),
                })
                .collect(),
        }
    }

    /// Puts each record on its profile (same name and creation time);
    /// records of profiles that are gone are left out, and dropped by the
    /// next write. A profile without a record keeps what it has (facts from
    /// a profiles file of the old format, not yet migrated).
    pub fn apply(self, doc: &mut Document) {
        if self.profiles.is_empty() {
            return;
        }
        let index: std::collections::HashMap<&str, usize> = doc
            .profiles
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        let mut places = Vec::with_capacity(self.profiles.len());
        for record in &self.profiles {
            places.push(index.get(record.name.as_str()).copied());
        }
        for (record, place) in self.profiles.into_iter().zip(places) {
            if let Some(p) = place.map(|i| &mut doc.profiles[i])
                && p.created == record.created
            {
                put(p, record);
            }
        }
    }
}

fn put(p: &mut Profile, mut record: ProfileState) {
    // Cleaned as if it had just come in: the file may be hand-edited.
    for o in [&mut record.last_validation, &mut record.last_conclusive]
        .into_iter()
        .flatten()
    {
        crate::bitbucket::classify::clean_outcome(o);
    }
    p.revision = record.revision;
    p.last_validation = record.last_validation;
    p.last_conclusive = record.last_conclusive;
}

/// What reading the state file found.
#[derive(Debug, Default)]
pub struct Read {
    pub state: State,
    /// The bytes read, to skip a write that would change nothing.
    pub raw: Option<Vec<u8>>,
    /// Set when the file is there but is not usable state: why.
    pub broken: Option<String>,
}

/// Handle on the state file in one directory.
#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    dir: PathBuf,
    max_size: u64,
}

impl StateFile {
    pub fn at(dir: PathBuf) -> StateFile {
        StateFile {
            dir,
            max_size: MAX_FILE_SIZE,
        }
    }

    /// The directory for a config dir: `BBTOKEN_STATE_DIR`, else
    /// `config_dir/state` when `BBTOKEN_CONFIG_DIR` chose the config dir,
    /// else the platform state directory.
    pub(crate) fn dir_from_env(config_override: Option<&Path>) -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os(STATE_DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
        if let Some(config) = config_override {
            return Some(config.join("state"));
        }
        let base = directories::BaseDirs::new()?;
        Some(
            base.state_dir()
                .unwrap_or_else(|| base.data_local_dir())
                .join("bbtoken"),
        )
    }

    pub fn with_max_size(mut self, max: u64) -> StateFile {
        self.max_size = max;
        self
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Reads the state; a missing file is empty state, an unusable one is
    /// empty state with the reason in [`Read::broken`].
    pub fn read(&self) -> Result<Read, ConfigError> {
        let path = self.path();
        let broken = |why: String| {
            Ok(Read {
                broken: Some(why),
                ..Read::default()
            })
        };
        let bytes = match fsio::read_regular(&path, self.max_size) {
            Ok(b) => b,
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Read::default());
            }
            Err(ReadError::Io(e)) => {
                return Err(ConfigError::Io { path, source: e });
            }
            Err(ReadError::NotRegular(what)) => return broken(format!("it is {what}")),
            Err(ReadError::TooLarge) => {
                return broken(format!("it is larger than {} bytes", self.max_size));
            }
        };
        match serde_json::from_slice::<State>(&bytes) {
            Ok(state) if state.version > FORMAT_VERSION => Err(ConfigError::TooNew {
                path,
                found: state.version,
            }),
            Ok(state) => Ok(Read {
                state,
                raw: Some(bytes),
                broken: None,
            }),
            // The message may echo the bad value: cleaned, like server text.
            Err(e) => broken(format!("it is not state bbtoken can read ({})", {
                crate::text::clean_line(&e.to_string(), 200)
            })),
        }
    }

    /// Takes the state lock, waiting at most `timeout`.
    pub fn lock(&self, timeout: Duration) -> Result<std::fs::File, ConfigError> {
        fsio::ensure_dir(&self.dir, self.owns_dir()).map_err(|source| ConfigError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let path = self.dir.join(LOCK_NAME);
        fsio::lock(&path, timeout).map_err(|e| match e {
            LockError::Timeout => ConfigError::LockTimeout {
                path,
                secs: timeout.as_secs_f64().ceil() as u64,
            },
            LockError::Io(source) => ConfigError::Io { path, source },
        })
    }

    /// Whether the directory is bbtoken's own (made private if it is not).
    fn owns_dir(&self) -> bool {
        self.dir.ends_with("bbtoken") || self.dir.ends_with("state")
    }

    /// The bytes `state` is written as.
    pub fn encode(state: &State) -> Vec<u8> {
        serde_json::to_vec(state).expect("state always serializes to JSON")
    }

    /// Checks `bytes` fit under the size cap: what `read` would refuse must
    /// never be written.
    pub(crate) fn check_size(&self, bytes: &[u8]) -> Result<(), ConfigError> {
        if bytes.len() as u64 > self.max_size {
            return Err(ConfigError::WouldBeTooLarge {
                path: self.path(),
                max: self.max_size,
            });
        }
        Ok(())
    }

    /// Writes `bytes` (from [`StateFile::encode`]) unless they are what
    /// `read` found. A broken file is first moved aside to
    /// [`BROKEN_NAME`]; the returned notice says so. Call under the state
    /// lock.
    pub fn write(&self, bytes: &[u8], read: &Read) -> Result<Option<String>, ConfigError> {
        if read.raw.as_deref() == Some(bytes) {
            return Ok(None);
        }
        let path = self.path();
        let io = |source| ConfigError::Io {
            path: path.clone(),
            source,
        };
        let mut notice = None;
        if let Some(why) = &read.broken {
            let aside = self.dir.join(BROKEN_NAME);
            std::fs::rename(&path, &aside).map_err(io)?;
            notice = Some(format!(
                "{} could not be used ({why}); it was moved to {} and bbtoken started a new one: validation results recorded there are not shown",
                path.display(),
                aside.display()
            ));
        }
        fsio::write_atomic(&path, &[bytes]).map_err(io)?;
        Ok(notice)
    }

    /// The notice for a broken state file found on reading.
    pub(crate) fn broken_notice(&self, why: &str) -> String {
        format!(
            "{} could not be used ({why}); profiles are shown without its validation results. bbtoken will move it to {} at the next change",
            self.path().display(),
            self.dir.join(BROKEN_NAME).display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A state file in `<temp>/state`, the folder made.
    fn state_file() -> (tempfile::TempDir, StateFile) {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::at(dir.path().join("state"));
        fs::create_dir_all(&file.dir).unwrap();
        (dir, file)
    }

    /// `{}` padded with spaces to `len` bytes: valid, empty state.
    fn padded(len: usize) -> Vec<u8> {
        let mut bytes = b"{}".to_vec();
        bytes.resize(len, b' ');
        bytes
    }

    #[test]
    fn a_state_file_of_two_mib_is_read_under_the_default_cap() {
        let (_d, file) = state_file();
        let bytes = padded(2 * 1024 * 1024);
        fs::write(file.path(), &bytes).unwrap();
        let read = file.read().unwrap();
        assert_eq!(read.broken, None);
        assert_eq!(read.raw.as_deref(), Some(&bytes[..]));
        assert!(file.check_size(&bytes).is_ok());
    }

    #[test]
    fn a_missing_file_is_empty_state_but_an_unreadable_path_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let read = StateFile::at(d.path().join("nowhere")).read().unwrap();
        assert_eq!(read.state, State::default());
        assert_eq!((read.raw, read.broken), (None, None));
        // The state folder is a regular file: not "no state yet".
        let blocker = d.path().join("a-file");
        fs::write(&blocker, "x").unwrap();
        match StateFile::at(blocker.clone()).read() {
            Err(ConfigError::Io { path, .. }) => assert_eq!(path, blocker.join(FILE_NAME)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unusable_state_is_reported_as_broken_with_the_reason() {
        let (_d, file) = state_file();
        fs::write(file.path(), "not json").unwrap();
        let read = file.read().unwrap();
        let why = read.broken.expect("garbage is broken state");
        assert!(
            why.starts_with("it is not state bbtoken can read ("),
            "{why}"
        );
        assert_eq!((read.state, read.raw), (State::default(), None));

        fs::remove_file(file.path()).unwrap();
        fs::create_dir(file.path()).unwrap();
        let read = file.read().unwrap();
        assert_eq!(read.broken.as_deref(), Some("it is a directory"));
    }

    #[test]
    fn a_newer_format_is_refused_and_older_ones_are_read() {
        let (_d, file) = state_file();
        fs::write(file.path(), r#"{"version":2,"profiles":[]}"#).unwrap();
        match file.read() {
            Err(ConfigError::TooNew { path, found }) => {
                assert_eq!((path, found), (file.path(), 2));
            }
            other => panic!("{other:?}"),
        }
        for text in [r#"{"version":1,"profiles":[]}"#, r#"{"version":0}"#, "{}"] {
            fs::write(file.path(), text).unwrap();
            let read = file.read().unwrap();
            assert_eq!(read.broken, None, "{text}");
            assert_eq!(read.raw.as_deref(), Some(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn a_revision_of_zero_is_left_out_of_the_file() {
        let record = |name: &str, revision| ProfileState {
            name: name.into(),
            created: "2025-01-02T03:04:05Z".parse().unwrap(),
            revision,
            last_validation: None,
            last_conclusive: None,
        };
        let state = State {
            version: FORMAT_VERSION,
            profiles: vec![record("zero", 0), record("two", 2)],
        };
        let text = String::from_utf8(StateFile::encode(&state)).unwrap();
        assert_eq!(text.matches("\"revision\"").count(), 1, "{text}");
        assert!(text.contains("\"revision\":2"), "{text}");
        let back: State = serde_json::from_str(&text).unwrap();
        assert_eq!(back, state);
    }

    /// What `check_size` refuses is exactly what `read` would refuse.
    #[test]
    fn check_size_refuses_only_what_read_would_refuse() {
        let (_d, file) = state_file();
        let file = file.with_max_size(10);
        for len in [9, 10] {
            let bytes = padded(len);
            assert!(file.check_size(&bytes).is_ok(), "{len} bytes");
            fs::write(file.path(), &bytes).unwrap();
            assert_eq!(file.read().unwrap().broken, None, "{len} bytes");
        }
        let bytes = padded(11);
        match file.check_size(&bytes) {
            Err(ConfigError::WouldBeTooLarge { path, max }) => {
                assert_eq!((path, max), (file.path(), 10));
            }
            other => panic!("{other:?}"),
        }
        fs::write(file.path(), &bytes).unwrap();
        assert_eq!(
            file.read().unwrap().broken.as_deref(),
            Some("it is larger than 10 bytes")
        );
    }

    /// A folder of bbtoken's own (named `bbtoken` or `state`) is made
    /// private when the lock is taken; one the user named otherwise is
    /// left as it is.
    #[cfg(unix)]
    #[test]
    fn only_a_folder_of_its_own_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        for (name, expected) in [("bbtoken", 0o700), ("state", 0o700), ("shared", 0o755)] {
            let dir = d.path().join(name);
            fs::create_dir(&dir).unwrap();
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
            let _lock = StateFile::at(dir.clone())
                .lock(Duration::from_secs(5))
                .unwrap();
            let mode = fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, expected, "{name}");
        }
    }

    #[test]
    fn the_broken_notice_names_the_file_the_reason_and_where_it_goes() {
        let (_d, file) = state_file();
        let notice = file.broken_notice("it is a directory");
        for part in [
            file.path().display().to_string(),
            "(it is a directory)".to_string(),
            file.dir.join(BROKEN_NAME).display().to_string(),
        ] {
            assert!(notice.contains(&part), "{part:?} is not in {notice:?}");
        }
    }
}
