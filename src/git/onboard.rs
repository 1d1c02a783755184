//! One-step onboarding of a local repository for a profile: git init if
//! needed, `origin` with a token-free URL, the bot `user.email`, the
//! binding (`bbtoken.profile`), and optionally the first push, whose failure
//! is classified into what to do next.
//!
//! Every value handed to git is built here from checked parts (workspace and
//! slug pass the profile field rules, the branch passes the refname rules),
//! and no token is ever among git's arguments: git gets it from the helper.

use std::path::{Path, PathBuf};

use super::remote::{GitHost, parse_remote};
use super::run;
use crate::fields;
use crate::gitcmd::refname::check_branch;
use crate::i18n::tr;
use crate::profile::Profile;
use crate::text::clean;

/// One thing onboarding did or found, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Done(String),
    Unchanged(String),
    Warn(String),
}

/// The classified outcome of the push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Pushed {
        branch: String,
    },
    /// 403: the token may read but not write.
    NoWriteScope,
    /// 404: the repository does not exist yet (or the token does not reach it).
    NotFound,
    /// 401: git was refused the credentials (or got none).
    Unauthorized,
    Other(String),
}

impl PushOutcome {
    /// What happened and what to do, in one message.
    pub(crate) fn explain(&self, workspace: &str, repo: &str, profile: &str) -> String {
        match self {
            PushOutcome::Pushed { branch } => tr!(
                "git.push.pushed",
                branch = branch,
                workspace = workspace,
                repo = repo
            ),
            PushOutcome::NoWriteScope => tr!("git.push.no_write_scope", profile = profile),
            PushOutcome::NotFound => tr!(
                "git.push.not_found",
                workspace = workspace,
                repo = repo,
                profile = profile
            ),
            PushOutcome::Unauthorized => tr!("git.push.unauthorized", profile = profile),
            PushOutcome::Other(m) => tr!("git.push.other", message = m),
        }
        .into_owned()
    }
}

/// Sorts git push's stderr into a [`PushOutcome`].
pub(crate) fn classify_push(stderr: &str) -> PushOutcome {
    let s = unquoted(stderr).to_ascii_lowercase();
    let status = |code: &str| {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == code)
    };
    if status("403") || s.contains("lack one or more required privilege scopes") {
        PushOutcome::NoWriteScope
    } else if status("404") || s.contains("repository not found") || s.contains("not found") {
        PushOutcome::NotFound
    } else if status("401")
        || s.contains("authentication failed")
        || s.contains("could not read username")
        || s.contains("could not read password")
    {
        PushOutcome::Unauthorized
    } else {
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        PushOutcome::Other(clean(last.trim()))
    }
}

/// `SLUG` or `WORKSPACE/SLUG` (default: the profile's), checked.
pub fn target(profile: &Profile, repo: Option<&str>) -> Result<(String, String), String> {
    let (ws, slug) = match repo {
        Some(r) => match r.split_once('/') {
            Some((w, s)) => (w.to_string(), s.to_string()),
            None => (profile.workspace.clone(), r.to_string()),
        },
        None => (
            profile.workspace.clone(),
            profile.repo.clone().ok_or_else(|| {
                tr!("git.onboard.no_repository", name = clean(&profile.name)).into_owned()
            })?,
        ),
    };
    let slug = slug.strip_suffix(".git").unwrap_or(&slug).to_string();
    fields::workspace(&ws)
        .map_err(|e| tr!("git.onboard.workspace", error = e.to_string()).into_owned())?;
    fields::repo_slug(&slug)
        .map_err(|e| tr!("git.onboard.repository", error = e.to_string()).into_owned())?;
    Ok((ws, slug))
}

fn git_err(e: run::GitError) -> String {
    e.to_string()
}

/// The work tree to onboard: `dir`'s repository, or `dir` after `git init`.
pub(crate) fn ensure_repository(dir: &Path, steps: &mut Vec<Step>) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("{}: {e}", clean(&dir.display().to_string())))?;
    if let Some(top) = run::toplevel(dir) {
        steps.push(Step::Unchanged(
            tr!(
                "git.onboard.repository_at",
                path = clean(&top.display().to_string())
            )
            .into_owned(),
        ));
        return Ok(top);
    }
    run::ok(dir, &["init", "--quiet"]).map_err(git_err)?;
    steps.push(Step::Done(
        tr!("git.onboard.init", path = clean(&dir.display().to_string())).into_owned(),
    ));
    run::toplevel(dir).ok_or_else(|| tr!("git.onboard.init_failed").into_owned())
}

/// Adds `origin` with the token-free URL, or repairs it.
pub(crate) fn ensure_origin(
    top: &Path,
    url: &str,
    host: &GitHost,
    steps: &mut Vec<Step>,
) -> Result<(), String> {
    match run::config_get(top, &["config", "--local", "--get", "remote.origin.url"]) {
        None => {
            run::ok(top, &["remote", "add", "origin", url]).map_err(git_err)?;
            steps.push(Step::Done(
                tr!("git.onboard.origin_added", url = url).into_owned(),
            ));
        }
        Some(old) if old == url => steps.push(Step::Unchanged(
            tr!("git.onboard.origin_is", url = url).into_owned(),
        )),
        Some(old) => {
            let was = parse_remote(&old, host);
            run::ok(top, &["remote", "set-url", "origin", url]).map_err(git_err)?;
            steps.push(Step::Done(
                tr!(
                    "git.onboard.origin_repaired",
                    url = url,
                    was = clean(&was.masked)
                )
                .into_owned(),
            ));
            if was.token.is_some() {
                steps.push(Step::Warn(tr!("git.onboard.old_origin_token").into_owned()));
            }
        }
    }
    Ok(())
}

/// Sets the bot email for access tokens (commits then show as the bot's).
pub(crate) fn ensure_email(
    top: &Path,
    profile: &Profile,
    steps: &mut Vec<Step>,
) -> Result<(), String> {
    if !profile.kind.is_access_token() {
        return Ok(());
    }
    let Some((email, confirmed)) = profile.bot_email_or_candidate() else {
        steps.push(Step::Warn(
            tr!("git.onboard.no_bot_email", name = clean(&profile.name)).into_owned(),
        ));
        return Ok(());
    };
    if fields::bot_email(&email).is_err() {
        steps.push(Step::Warn(tr!("git.onboard.bad_bot_email").into_owned()));
        return Ok(());
    }
    let current = run::config_get(top, &["config", "--local", "--get", "user.email"]);
    if current.as_deref() == Some(email.as_str()) {
        steps.push(Step::Unchanged(
            tr!("git.onboard.email_is", email = email).into_owned(),
        ));
    } else {
        run::ok(top, &["config", "--local", "user.email", &email]).map_err(git_err)?;
        let said = if confirmed {
            tr!("git.onboard.email_set", email = email)
        } else {
            tr!("git.onboard.email_set_unconfirmed", email = email)
        };
        steps.push(Step::Done(said.into_owned()));
    }
    Ok(())
}

/// Binds the profile to the clone (`bbtoken.profile`).
pub fn bind(top: &Path, name: &str, steps: &mut Vec<Step>) -> Result<(), String> {
    fields::profile_name(name)
        .map_err(|e| tr!("git.onboard.profile_name", error = e.to_string()).into_owned())?;
    if run::config_get(top, &["config", "--local", "--get", "bbtoken.profile"]).as_deref()
        == Some(name)
    {
        steps.push(Step::Unchanged(
            tr!("git.onboard.bound", name = name).into_owned(),
        ));
        return Ok(());
    }
    run::ok(top, &["config", "--local", "bbtoken.profile", name]).map_err(git_err)?;
    steps.push(Step::Done(
        tr!("git.onboard.bound_now", name = name).into_owned(),
    ));
    Ok(())
}

/// Every step but the push, in order: the repository, `origin`, the bot
/// email, the binding and git's credential helper (global config). The CLI
/// and the TUI both run exactly this.
pub(crate) fn prepare(
    dir: &Path,
    profile: &Profile,
    workspace: &str,
    repo: &str,
    host: &GitHost,
    git_url: &str,
    steps: &mut Vec<Step>,
) -> Result<PathBuf, String> {
    let top = ensure_repository(dir, steps)?;
    ensure_origin(&top, &host.repo_url(workspace, repo), host, steps)?;
    ensure_email(&top, profile, steps)?;
    bind(&top, &profile.name, steps)?;
    let changes = crate::git::config::ensure_global(git_url)
        .map_err(|e| tr!("git.onboard.helper_failed", error = e.to_string()).into_owned())?;
    if changes.is_empty() {
        steps.push(Step::Unchanged(
            tr!("git.onboard.helper_unchanged").into_owned(),
        ));
    }
    for c in changes {
        steps.push(Step::Done(format!("git config --global: {c}")));
    }
    Ok(top)
}

/// Pushes the current branch with upstream tracking.
pub fn push(top: &Path) -> Result<PushOutcome, String> {
    let branch = run::ok(top, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .map_err(|_| tr!("git.push.detached").into_owned())?;
    let branch = branch.trim_end_matches('\n').to_string();
    check_branch(&branch)
        .map_err(|r| tr!("git.push.bad_branch", reason = r.reason()).into_owned())?;
    if !run::run(top, &["rev-parse", "--verify", "--quiet", "HEAD"])
        .map_err(git_err)?
        .ok
    {
        return Err(tr!("git.push.nothing").into_owned());
    }
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    let r = run::run(top, &["push", "--set-upstream", "origin", &refspec]).map_err(git_err)?;
    Ok(if r.ok {
        PushOutcome::Pushed { branch }
    } else {
        classify_push(&r.stderr)
    })
}

/// git's stderr without its quoted parts. git quotes the URL and paths
/// ('http://127.0.0.1:40317/acme/api.git'), and a port, a workspace or a
/// repository name may hold "403" or "not found" (a loopback port once made
/// a 401 read as a 403).
fn unquoted(stderr: &str) -> String {
    stderr
        .lines()
        .map(|line| line.split('\'').step_by(2).collect::<Vec<_>>().join(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_failures_are_classified() {
        assert_eq!(
            classify_push(
                "remote: Your credentials lack one or more required privilege scopes.\nfatal: unable to access 'x': The requested URL returned error: 403"
            ),
            PushOutcome::NoWriteScope
        );
        assert_eq!(
            classify_push("remote: Repository not found\nfatal: repository 'x' not found"),
            PushOutcome::NotFound
        );
        assert_eq!(
            classify_push(
                "fatal: could not read Username for 'https://bitbucket.org': terminal prompts disabled"
            ),
            PushOutcome::Unauthorized
        );
        assert!(matches!(classify_push("boom\n"), PushOutcome::Other(m) if m == "boom"));
    }

    /// A status is read from git's words, never from the URL it quotes.
    #[test]
    fn a_status_in_the_url_is_not_the_answer() {
        assert_eq!(
            classify_push(
                "remote: Authentication failed\nfatal: Authentication failed for 'http://127.0.0.1:40317/acme/api.git/'"
            ),
            PushOutcome::Unauthorized
        );
        assert_eq!(
            classify_push(
                "fatal: unable to access 'https://bitbucket.org/w404/r401.git/': The requested URL returned error: 403"
            ),
            PushOutcome::NoWriteScope
        );
        assert_eq!(
            classify_push("fatal: repository 'https://bitbucket.org/acme/x4030.git/' not found"),
            PushOutcome::NotFound
        );
        assert!(matches!(
            classify_push("error: failed to push some refs to 'https://h:403/a/b.git'"),
            PushOutcome::Other(_)
        ));
    }

    #[test]
    fn target_defaults_and_checks() {
        let p = Profile::new(
            "p",
            crate::profile::TokenKind::Repository,
            "acme",
            Some("api"),
        );
        assert_eq!(target(&p, None).unwrap(), ("acme".into(), "api".into()));
        assert_eq!(
            target(&p, Some("web")).unwrap(),
            ("acme".into(), "web".into())
        );
        assert_eq!(
            target(&p, Some("other/x.git")).unwrap(),
            ("other".into(), "x".into())
        );
        assert!(target(&p, Some("acme/--upload-pack=x")).is_err());
    }
}
