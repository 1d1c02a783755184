//! Running git for `here`, `audit` and `onboard`: one place that spawns it,
//! with fixed arguments built by the caller, never a shell, and that treats
//! what git prints as hostile text (the callers clean it before showing it).

use std::path::Path;
use std::process::{Command, Stdio};

/// What went wrong running git.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("could not run git: {0}")]
    Spawn(String),
    #[error("git {what} failed: {message}")]
    Failed { what: String, message: String },
}

/// The output of a git run that exited (successfully or not).
#[derive(Debug, Clone)]
pub struct Ran {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `git args…` in `dir`, with stdin closed and no terminal prompt
/// (bbtoken must not hang on git asking for something).
pub fn run(dir: &Path, args: &[&str]) -> Result<Ran, GitError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    Ok(Ran {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Runs git and wants success; the error names the subcommand only (the
/// arguments may be paths or URLs the caller did not want repeated).
pub fn ok(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let r = run(dir, args)?;
    if r.ok {
        Ok(r.stdout)
    } else {
        Err(GitError::Failed {
            what: args.first().copied().unwrap_or("").to_string(),
            message: crate::text::clean(r.stderr.trim()),
        })
    }
}

/// A config value, or `None` when unset (exit 1) or unreadable.
pub(crate) fn config_get(dir: &Path, args: &[&str]) -> Option<String> {
    let r = run(dir, args).ok()?;
    r.ok.then(|| r.stdout.trim_end_matches('\n').to_string())
}

/// `git config … --get-regexp PATTERN` as (key, value) pairs, in config
/// order. Keys are lower-cased by git except the subsection.
pub(crate) fn config_regexp(dir: &Path, scope: &[&str], pattern: &str) -> Vec<(String, String)> {
    let mut args = vec!["config"];
    args.extend_from_slice(scope);
    args.extend_from_slice(&["--null", "--get-regexp", pattern]);
    let Ok(r) = run(dir, &args) else {
        return Vec::new();
    };
    if !r.ok {
        return Vec::new();
    }
    // With --null each entry is "key\nvalue\0" (or "key\0" with no value).
    r.stdout
        .split('\0')
        .filter(|e| !e.is_empty())
        .map(|e| match e.split_once('\n') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (e.to_string(), String::new()),
        })
        .collect()
}

/// The top of the work tree `dir` is in, or `None` outside a repository.
pub(crate) fn toplevel(dir: &Path) -> Option<std::path::PathBuf> {
    let r = run(dir, &["rev-parse", "--show-toplevel"]).ok()?;
    r.ok.then(|| std::path::PathBuf::from(r.stdout.trim_end_matches('\n')))
}
