//! The profiles file: TOML in the platform config directory.
//!
//! Writes are read-modify-write under an exclusive lock on a sibling lock file,
//! so two bbtoken processes never lose each other's profiles, and land through
//! a private temp file that is fsynced and renamed over the old one, so a crash
//! leaves either the old file or the new one. A file that cannot be parsed is
//! never overwritten.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::profile::Profile;

pub const FILE_NAME: &str = "profiles.toml";
const LOCK_NAME: &str = "profiles.lock";
const FORMAT_VERSION: u32 = 1;

/// Settings that live beside the profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Validate every profile when the TUI starts.
    #[serde(default = "yes")]
    pub validate_on_start: bool,
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            validate_on_start: true,
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
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Handle on the profiles file in one config directory.
#[derive(Debug, Clone)]
pub struct ProfileFile {
    dir: PathBuf,
    /// Set for the demo: the document lives here and nothing touches disk.
    memory: Option<Arc<Mutex<Document>>>,
}

impl ProfileFile {
    /// `BBTOKEN_CONFIG_DIR`, else the platform config directory
    /// (`$XDG_CONFIG_HOME/bbtoken` on Linux).
    pub fn from_env() -> Result<ProfileFile, ConfigError> {
        if let Some(dir) = std::env::var_os("BBTOKEN_CONFIG_DIR").filter(|d| !d.is_empty()) {
            return Ok(ProfileFile::at(PathBuf::from(dir)));
        }
        directories::ProjectDirs::from("", "", "bbtoken")
            .map(|d| ProfileFile::at(d.config_dir().to_path_buf()))
            .ok_or(ConfigError::NoConfigDir)
    }

    pub fn at(dir: PathBuf) -> ProfileFile {
        ProfileFile { dir, memory: None }
    }

    /// Profiles kept in this process only (the demo): same API, no file.
    pub fn memory() -> ProfileFile {
        ProfileFile {
            dir: PathBuf::from("(in memory)"),
            memory: Some(Arc::new(Mutex::new(Document::default()))),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Reads the file; a missing file is an empty document.
    pub fn load(&self) -> Result<Document, ConfigError> {
        if let Some(m) = &self.memory {
            return Ok(m.lock().unwrap_or_else(|p| p.into_inner()).clone());
        }
        let path = self.path();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Document::default()),
            Err(e) => return Err(io_err(&path)(e)),
        };
        parse(&path, &text)
    }

    /// Locks, reads, lets `change` edit the document, and writes it back
    /// atomically if `change` succeeds. Nothing is written when it fails.
    pub fn update<R, E>(
        &self,
        change: impl FnOnce(&mut Document) -> Result<R, E>,
    ) -> Result<Result<R, E>, ConfigError> {
        if let Some(m) = &self.memory {
            let mut doc = m.lock().unwrap_or_else(|p| p.into_inner());
            let mut draft = doc.clone();
            let result = change(&mut draft);
            if result.is_ok() {
                *doc = draft;
            }
            return Ok(result);
        }
        let _lock = self.lock()?;
        let mut doc = self.load()?;
        let result = change(&mut doc);
        if result.is_ok() {
            doc.version = FORMAT_VERSION;
            self.write(&doc)?;
        }
        Ok(result)
    }

    fn ensure_dir(&self) -> Result<(), ConfigError> {
        fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = fs::metadata(&self.dir).map_err(io_err(&self.dir))?;
            if meta.permissions().mode() & 0o077 != 0 && self.dir.ends_with("bbtoken") {
                let _ = fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700));
            }
        }
        Ok(())
    }

    fn lock(&self) -> Result<File, ConfigError> {
        self.ensure_dir()?;
        let path = self.dir.join(LOCK_NAME);
        let file = open_private(&path, false).map_err(io_err(&path))?;
        // Blocks while another bbtoken holds it: writes are short.
        file.lock().map_err(io_err(&path))?;
        Ok(file)
    }

    fn write(&self, doc: &Document) -> Result<(), ConfigError> {
        let path = self.path();
        let text = toml::to_string_pretty(doc).expect("profiles always serialize to TOML");
        let tmp = self
            .dir
            .join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut f = open_private(&tmp, true)?;
            f.write_all(header().as_bytes())?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            // The rename is durable once the directory is synced. Some file
            // systems refuse a directory fsync; the new file is in place by
            // now, so that must not be reported as a failed write (callers
            // would roll back a secret whose profile was saved).
            #[cfg(unix)]
            let _ = File::open(&self.dir).and_then(|d| d.sync_all());
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io_err(&path))
    }
}

fn header() -> String {
    "# bbtoken profiles. Secrets are not here: they are in the OS credential store.\n\n".into()
}

/// Opens (creating) a file readable and writable by its owner only.
fn open_private(path: &Path, truncate: bool) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
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
}
