//! The leak audit: finds Bitbucket tokens kept in plain text (remote URLs,
//! git credential files, `url.*.insteadOf`, shell history) and, for `--fix`,
//! the steps that move them into the keyring and out of the files.
//!
//! The token found is held as a [`Secret`] and never leaves this module
//! except masked, or into the keyring through [`crate::ops`]. git is run
//! with the token nowhere in its argv: remote URLs are rewritten by setting
//! the token-free values, and config keys that hold a token themselves
//! (`url.<token URL>.insteadOf`) are left for the user to remove by hand.

use std::path::{Path, PathBuf};

use super::remote::{GitHost, find_tokens, parse_remote};
use super::run;
use crate::secret::Secret;
use crate::text::clean;
use crate::token::{self, Detected};

/// Where a token was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// `remote.<name>.url` or `.pushurl` of the repository at `repo`.
    Remote {
        repo: PathBuf,
        name: String,
        key: String,
    },
    /// A line of a git credential file.
    CredentialFile { path: PathBuf, line: usize },
    /// A `url.*.insteadOf` entry of the global or system config.
    InsteadOf { scope: &'static str },
    /// A line of a shell history file: reported, never edited.
    History { path: PathBuf, line: usize },
}

/// One token in one place.
#[derive(Debug, Clone)]
pub struct Finding {
    pub place: Place,
    pub token: Secret,
    pub kind: Detected,
    /// The reach the surrounding URL names, when it names one.
    pub workspace: Option<String>,
    pub repo: Option<String>,
    pub username: Option<String>,
}

impl Finding {
    /// Where, for a report: file and line, or repository and remote. Holds
    /// no token (the insteadOf key may, so it is not shown).
    pub(crate) fn place_text(&self, home: &Path) -> String {
        let p = |path: &Path| {
            let s = match path.strip_prefix(home) {
                Ok(rel) => format!("~/{}", rel.display()),
                Err(_) => path.display().to_string(),
            };
            clean(&s)
        };
        match &self.place {
            Place::Remote { repo, name, key } => {
                let what = if key.ends_with(".pushurl") {
                    "push URL"
                } else {
                    "URL"
                };
                format!("{} remote {} {what}", p(repo), clean(name))
            }
            Place::CredentialFile { path, line } => format!("{}:{line}", p(path)),
            Place::InsteadOf { scope } => format!("{scope} git config url.*.insteadOf"),
            Place::History { path, line } => format!("{}:{line} (history)", p(path)),
        }
    }

    pub fn masked(&self) -> String {
        self.token.masked()
    }
}

/// Where to look.
#[derive(Debug, Clone)]
pub struct Sources {
    pub cwd: PathBuf,
    pub scan: Option<PathBuf>,
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME` (default `~/.config`).
    pub xdg_config: PathBuf,
    /// `$XDG_DATA_HOME` (default `~/.local/share`), for fish history.
    pub xdg_data: PathBuf,
    pub host: GitHost,
}

impl Sources {
    /// From the environment: HOME and the XDG variables.
    pub fn from_env(cwd: PathBuf, scan: Option<PathBuf>, host: GitHost) -> Option<Sources> {
        let home = PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?);
        let xdg = |var: &str, default: &str| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(default))
        };
        Some(Sources {
            xdg_config: xdg("XDG_CONFIG_HOME", ".config"),
            xdg_data: xdg("XDG_DATA_HOME", ".local/share"),
            cwd,
            scan,
            home,
            host,
        })
    }

    pub(crate) fn credential_files(&self) -> Vec<PathBuf> {
        vec![
            self.home.join(".git-credentials"),
            self.xdg_config.join("git").join("credentials"),
        ]
    }

    pub(crate) fn history_files(&self) -> Vec<PathBuf> {
        vec![
            self.home.join(".bash_history"),
            self.home.join(".zsh_history"),
            self.xdg_data.join("fish").join("fish_history"),
        ]
    }
}

/// History and credential files larger than this are read only this far.
const MAX_READ: u64 = 64 * 1024 * 1024;

fn read_lossy(path: &Path) -> Option<String> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_READ)
        .read_to_end(&mut buf)
        .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

fn finding(place: Place, token: String, context: &str, host: &GitHost) -> Finding {
    // The reach from the URL around the token, if the text is one.
    let url = context
        .split_whitespace()
        .find(|w| w.contains(token.as_str()) && w.contains("://"))
        .unwrap_or("");
    let r = parse_remote(url.trim_matches(|c| c == '\'' || c == '"'), host);
    Finding {
        place,
        kind: token::detect(&token),
        token: Secret::new(token),
        workspace: r.workspace,
        repo: r.repo,
        username: r.username,
    }
}

/// Git repositories under `dir` (a `.git` directory or file), not following
/// symlinks, at most `depth` levels down.
pub(crate) fn repositories_under(dir: &Path, depth: usize) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    if dir.join(".git").exists() {
        out.push(dir.to_path_buf());
    }
    if depth == 0 {
        return out;
    }
    let mut subdirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| e.file_name() != ".git")
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    for d in subdirs {
        out.extend(repositories_under(&d, depth - 1));
    }
    out
}

/// Tokens in the remote URLs of the repository at `repo`.
pub(crate) fn scan_repository(repo: &Path, host: &GitHost) -> Vec<Finding> {
    let mut out = Vec::new();
    for (key, value) in run::config_regexp(repo, &["--local"], r"^remote\..*\.(url|pushurl)$") {
        let Some(name) = key.strip_prefix("remote.").and_then(|k| {
            k.strip_suffix(".url")
                .or_else(|| k.strip_suffix(".pushurl"))
        }) else {
            continue;
        };
        for t in find_tokens(&value, host) {
            let place = Place::Remote {
                repo: repo.to_path_buf(),
                name: name.to_string(),
                key: key.clone(),
            };
            out.push(finding(place, t, &value, host));
        }
    }
    out
}

/// Every finding in every source.
pub fn scan(src: &Sources) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut repos: Vec<PathBuf> = run::toplevel(&src.cwd).into_iter().collect();
    if let Some(dir) = &src.scan {
        for r in repositories_under(dir, 8) {
            let r = std::fs::canonicalize(&r).unwrap_or(r);
            if !repos
                .iter()
                .any(|x| std::fs::canonicalize(x).ok().as_ref() == Some(&r))
            {
                repos.push(r);
            }
        }
    }
    for r in &repos {
        out.extend(scan_repository(r, &src.host));
    }
    for path in src.credential_files() {
        let Some(text) = read_lossy(&path) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            for t in find_tokens(line, &src.host) {
                let place = Place::CredentialFile {
                    path: path.clone(),
                    line: i + 1,
                };
                out.push(finding(place, t, line, &src.host));
            }
        }
    }
    for scope in ["--global", "--system"] {
        for (key, value) in run::config_regexp(&src.home, &[scope], r"^url\..*\.insteadof$") {
            let both = format!("{key} {value}");
            // The key is url.<base>.insteadof: the base is the URL.
            let base = key
                .strip_prefix("url.")
                .and_then(|k| k.strip_suffix(".insteadof"))
                .unwrap_or("");
            for t in find_tokens(&both, &src.host) {
                let place = Place::InsteadOf {
                    scope: scope.trim_start_matches('-'),
                };
                out.push(finding(place, t, &format!("{base} {value}"), &src.host));
            }
        }
    }
    for path in src.history_files() {
        let Some(text) = read_lossy(&path) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            for t in find_tokens(line, &src.host) {
                let place = Place::History {
                    path: path.clone(),
                    line: i + 1,
                };
                out.push(finding(place, t, line, &src.host));
            }
        }
    }
    out
}

/// Rewrites every value of `key` in the repository's own config without its
/// tokens. The argv holds the key and the token-free values only.
pub(crate) fn clean_remote(repo: &Path, key: &str, host: &GitHost) -> Result<(), String> {
    let name_ok = key
        .strip_prefix("remote.")
        .is_some_and(|k| !k.starts_with('-') && !crate::text::has_unsafe(k));
    if !name_ok {
        return Err("the remote name holds characters bbtoken will not pass to git".into());
    }
    let values: Vec<String> =
        run::config_regexp(repo, &["--local"], r"^remote\..*\.(url|pushurl)$")
            .into_iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v)
            .collect();
    let cleaned: Vec<String> = values
        .iter()
        .map(|v| {
            let r = parse_remote(v, host);
            if r.token.is_some() {
                r.clean
            } else {
                v.clone()
            }
        })
        .collect();
    if cleaned.iter().any(|v| !find_tokens(v, host).is_empty()) {
        return Err(
            "the URL still holds a token once cleaned: edit it by hand (git config --edit)".into(),
        );
    }
    let e = |e: run::GitError| e.to_string();
    run::ok(repo, &["config", "--local", "--unset-all", key]).map_err(e)?;
    for v in &cleaned {
        run::ok(repo, &["config", "--local", "--add", key, v]).map_err(e)?;
    }
    Ok(())
}

/// Writes `path` again without the lines (1-based) in `drop`, atomically:
/// a temporary file beside it with the same permissions, renamed over it.
/// No backup is kept (it would still hold the token).
pub(crate) fn remove_lines(path: &Path, drop: &[usize]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let text = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&text);
    let mut kept = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if !drop.contains(&(i + 1)) {
            kept.push_str(line);
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode & 0o600))?;
    tmp.write_all(kept.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A profile name for a token found in `workspace/repo`, free in `taken`.
pub(crate) fn derive_name(workspace: &str, repo: Option<&str>, taken: &[String]) -> String {
    let base: String = match repo {
        Some(r) => format!("{workspace}-{r}"),
        None => workspace.to_string(),
    }
    .chars()
    .map(|c| {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            c.to_ascii_lowercase()
        } else {
            '-'
        }
    })
    .take(56)
    .collect();
    let base = if base.is_empty() {
        "found".to_string()
    } else {
        base
    };
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|n| !taken.contains(n))
        .expect("an unused name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_derived_and_made_unique() {
        assert_eq!(derive_name("acme", Some("api"), &[]), "acme-api");
        let taken = vec!["acme-api".to_string(), "acme-api-2".to_string()];
        assert_eq!(derive_name("acme", Some("api"), &taken), "acme-api-3");
        assert_eq!(derive_name("Acme", Some("a b"), &[]), "acme-a-b");
    }

    #[test]
    fn remove_lines_keeps_the_rest_and_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("creds");
        std::fs::write(&p, "a\nb\nc\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        remove_lines(&p, &[2]).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a\nc\n");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
