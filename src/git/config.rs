//! The git config bbtoken reads and writes, always by running git itself:
//! git knows where its files are (`GIT_CONFIG_GLOBAL`, `XDG_CONFIG_HOME`,
//! includes, worktrees) and how to write them safely; bbtoken never edits a
//! config file by hand. No secret is ever passed to git here: only keys,
//! the helper command and profile names.

use std::path::Path;
use std::process::{Command, Stdio};

/// The key of the clone's binding.
pub(crate) const BINDING_KEY: &str = "bbtoken.profile";
/// Marks that setup-git turned useHttpPath on (so `--undo` turns it off
/// only then): one value per URL.
pub(crate) const HTTP_PATH_MARK: &str = "bbtoken.setupgitusehttppath";

/// Which config file setup-git and bind work on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Local,
}

impl Scope {
    fn flag(self) -> &'static str {
        match self {
            Scope::Global => "--global",
            Scope::Local => "--local",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0}")]
    Spawn(String),
    #[error("git config {what} failed: {message}")]
    Failed { what: String, message: String },
}

/// Runs `git config ARGS`: exit code, stdout, cleaned stderr. The callers
/// read the exit code: 1 (key not set), 5 (nothing to unset), 128 (no
/// repository for `--local`).
fn git_config(args: &[&str]) -> Result<(i32, String, String), GitError> {
    let out = Command::new("git")
        .arg("config")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError::Spawn(crate::text::clean(&e.to_string())))?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        crate::text::clean(String::from_utf8_lossy(&out.stderr).trim()),
    ))
}

fn write(args: &[&str]) -> Result<(), GitError> {
    let (code, _, err) = git_config(args)?;
    if code == 0 {
        Ok(())
    } else {
        Err(GitError::Failed {
            what: args.iter().take(3).copied().collect::<Vec<_>>().join(" "),
            message: err,
        })
    }
}

/// All values of `key` in `scope`, in file order (git's `--get-all -z`).
pub(crate) fn get_all(scope: Scope, key: &str) -> Result<Vec<String>, GitError> {
    let (code, out, err) = git_config(&[scope.flag(), "-z", "--get-all", key])?;
    match code {
        // `-z` ends every value with NUL, so an empty value is an empty
        // field between two NULs.
        0 => {
            let mut vals: Vec<String> = out.split('\0').map(str::to_string).collect();
            vals.pop(); // after the last NUL
            Ok(vals)
        }
        1 => Ok(Vec::new()),
        _ => Err(GitError::Failed {
            what: format!("{} --get-all {key}", scope.flag()),
            message: err,
        }),
    }
}

/// The clone's binding (`git config --local bbtoken.profile`), read in the
/// current directory: git runs credential helpers inside the repository.
/// `None` outside a repository or when unset.
pub fn binding() -> Option<String> {
    let (code, out, _) = git_config(&["--local", "-z", "--get", BINDING_KEY]).ok()?;
    (code == 0).then(|| out.trim_end_matches('\0').to_string())
}

pub(crate) fn set_binding(name: &str) -> Result<(), GitError> {
    write(&["--local", BINDING_KEY, name])
}

/// `Ok(false)` when there was no binding.
pub(crate) fn unset_binding() -> Result<bool, GitError> {
    let (code, _, err) = git_config(&["--local", "--unset-all", BINDING_KEY])?;
    match code {
        0 => {
            remove_section_if_empty(Scope::Local, "bbtoken")?;
            Ok(true)
        }
        5 => Ok(false),
        _ => Err(GitError::Failed {
            what: "--local --unset-all bbtoken.profile".into(),
            message: err,
        }),
    }
}

/// The helper value for bbtoken at `exe`: a shell snippet (`!`), the path
/// quoted for git's shell, so spaces or quotes in it cannot split it.
pub(crate) fn helper_value(exe: &Path) -> Option<String> {
    let s = exe.to_str()?;
    if crate::text::has_unsafe(s) {
        return None;
    }
    // Always single quotes, so the value reads the same whatever the path.
    Some(format!("!'{}' credential", s.replace('\'', "'\\''")))
}

/// The helper value for this very binary, by its absolute path.
pub(crate) fn own_helper_value() -> Result<String, String> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| format!("cannot find bbtoken's own path: {e}"))?;
    helper_value(&exe)
        .ok_or_else(|| "bbtoken's path holds characters git's config cannot carry safely".into())
}

/// Sets this bbtoken up as git's helper for `url` in the global config
/// unless it already is: what audit --fix and onboard do to "make sure the
/// helper is set up". Returns what changed (nothing when it already was).
pub(crate) fn ensure_global(url: &str) -> Result<Vec<String>, String> {
    let ours = own_helper_value()?;
    setup(Scope::Global, url, &ours)
        .map(|changes| changes.into_iter().map(|c| c.0).collect())
        .map_err(|e| e.to_string())
}

/// Whether a helper value runs bbtoken's credential helper (any path).
pub(crate) fn is_bbtoken_helper(value: &str) -> bool {
    let v = value.trim();
    v.starts_with('!')
        && v.ends_with(" credential")
        && v.trim_end_matches(" credential")
            .trim_matches(|c| c == '!' || c == '\'' || c == '"')
            .rsplit('/')
            .next()
            .is_some_and(|f| f.starts_with("bbtoken"))
}

/// Whether git, for `url`, will ask bbtoken last-and-only: the helper that
/// applies there (`git config --get-urlmatch`) is bbtoken's. This is how
/// `commands` knows setup-git has been run.
pub fn helper_is_set_up(url: &str) -> bool {
    match git_config(&["--get-urlmatch", "credential.helper", url]) {
        Ok((0, out, _)) => is_bbtoken_helper(out.trim_end_matches('\n')),
        _ => false,
    }
}

/// One change setup-git made, for printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change(pub String);

fn helper_key(url: &str) -> String {
    format!("credential.{url}.helper")
}

fn http_path_key(url: &str) -> String {
    format!("credential.{url}.useHttpPath")
}

/// Where the pair (empty entry, bbtoken) sits in the helper list.
fn pair_at(values: &[String], ours: &str) -> Option<usize> {
    (0..values.len().saturating_sub(1))
        .rev()
        .find(|&i| values[i].is_empty() && values[i + 1] == ours)
}

/// Configures git to ask bbtoken for `url`; idempotent. Returns what changed.
pub fn setup(scope: Scope, url: &str, ours: &str) -> Result<Vec<Change>, GitError> {
    let mut changes = Vec::new();
    let key = helper_key(url);
    let values = get_all(scope, &key)?;
    if pair_at(&values, ours).is_none() {
        write(&[scope.flag(), "--add", &key, ""])?;
        write(&[scope.flag(), "--add", &key, ours])?;
        changes.push(Change(format!(
            "{key}: added an empty entry (earlier helpers for this URL are not asked) and {ours}"
        )));
    }
    let hp = http_path_key(url);
    let current = get_all(scope, &hp)?;
    if current.last().map(|v| v.to_ascii_lowercase()) != Some("true".into()) {
        write(&[scope.flag(), &hp, "true"])?;
        write(&[scope.flag(), "--add", HTTP_PATH_MARK, url])?;
        changes.push(Change(format!(
            "{hp}: set to true (git then tells bbtoken the repository)"
        )));
    }
    Ok(changes)
}

/// Removes exactly what [`setup`] added for `url`.
pub fn undo(scope: Scope, url: &str, ours: &str) -> Result<Vec<Change>, GitError> {
    let mut changes = Vec::new();
    let key = helper_key(url);
    let values = get_all(scope, &key)?;
    if let Some(i) = pair_at(&values, ours) {
        let empties = values.iter().filter(|v| v.is_empty()).count();
        let same = values.iter().filter(|v| *v == ours).count();
        if empties == 1 && same == 1 {
            // Each line is the only one of its value: remove them in place,
            // leaving every other line of the file as it was.
            write(&[scope.flag(), "--fixed-value", "--unset", &key, ours])?;
            write(&[scope.flag(), "--unset", &key, "^$"])?;
        } else {
            // Several lines share a value: write the list again without the pair.
            let mut rest = values.clone();
            rest.drain(i..i + 2);
            write(&[scope.flag(), "--unset-all", &key])?;
            for v in &rest {
                write(&[scope.flag(), "--add", &key, v])?;
            }
        }
        changes.push(Change(format!("{key}: removed the empty entry and {ours}")));
    }
    let marks = get_all(scope, HTTP_PATH_MARK)?;
    if marks.iter().any(|m| m == url) {
        let hp = http_path_key(url);
        let (code, _, err) = git_config(&[scope.flag(), "--unset-all", &hp])?;
        if code != 0 && code != 5 {
            return Err(GitError::Failed {
                what: format!("--unset-all {hp}"),
                message: err,
            });
        }
        write(&[
            scope.flag(),
            "--fixed-value",
            "--unset-all",
            HTTP_PATH_MARK,
            url,
        ])?;
        changes.push(Change(format!("{hp}: removed")));
    }
    if !changes.is_empty() {
        remove_section_if_empty(scope, &format!("credential.{url}"))?;
        remove_section_if_empty(scope, "bbtoken")?;
    }
    Ok(changes)
}

/// git leaves an empty `[section]` behind when its last key goes: remove
/// it, so setup-git then --undo leaves the file as it was.
fn remove_section_if_empty(scope: Scope, section: &str) -> Result<(), GitError> {
    let (code, out, _) = git_config(&[scope.flag(), "-z", "--list"])?;
    if code != 0 {
        return Ok(());
    }
    let prefix = format!("{}.", section.to_ascii_lowercase());
    let used = out.split('\0').any(|entry| {
        let key = entry.split('\n').next().unwrap_or("");
        // Section names compare without case; subsections (the URL) with.
        key.len() > prefix.len()
            && key
                .get(..prefix.len())
                .is_some_and(|k| k.eq_ignore_ascii_case(&prefix))
    });
    if !used {
        let _ = git_config(&[scope.flag(), "--remove-section", section]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_values() {
        let v = helper_value(Path::new("/opt/my tools/bbtoken")).unwrap();
        assert_eq!(v, "!'/opt/my tools/bbtoken' credential");
        assert!(is_bbtoken_helper(&v));
        assert!(is_bbtoken_helper("!/usr/bin/bbtoken credential"));
        assert!(!is_bbtoken_helper("store"));
        assert!(!is_bbtoken_helper("!/usr/bin/other credential"));
        assert!(helper_value(Path::new("/a\nb")).is_none());
        assert_eq!(
            helper_value(Path::new("/o'k/bbtoken")).unwrap(),
            "!'/o'\\''k/bbtoken' credential"
        );
    }

    #[test]
    fn pairs() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(pair_at(&v(&["", "B"]), "B"), Some(0));
        assert_eq!(pair_at(&v(&["x", "", "B"]), "B"), Some(1));
        assert_eq!(pair_at(&v(&["B", ""]), "B"), None);
        assert_eq!(pair_at(&v(&[]), "B"), None);
    }
}
