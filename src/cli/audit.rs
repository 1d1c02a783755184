//! `bbtoken audit [--fix] [--scan DIR] [--yes]`: reports Bitbucket tokens
//! kept in plain text and, with --fix, moves each into the keyring (through
//! the one write path, [`crate::ops`]) before taking it out of the URL or
//! file. A token is removed from a place only once the keyring holds it.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use super::args::AuditArgs;
use super::output::{self, BAD, BOLD, DIM, GOOD, PLAIN, Stream, Text, WARN};
use super::{Fail, exit, report_warning};
use crate::context::Context;
use crate::git::audit::{self, Finding, Place, Sources};
use crate::git::remote::GitHost;
use crate::ops::Ops;
use crate::profile::{Profile, TokenKind};
use crate::secret::Secret;
use crate::token::Detected;

pub async fn run(ctx: &Context, a: AuditArgs) -> Result<i32, Fail> {
    let host = GitHost::from_base(&ctx.endpoints.git).ok_or_else(Fail::bad_git_url)?;
    let cwd = std::env::current_dir().map_err(Fail::no_current_dir)?;
    if let Some(d) = &a.scan
        && !d.is_dir()
    {
        return Err(Fail::usage(format!(
            "--scan {}: not a directory",
            crate::text::clean(&d.display().to_string())
        )));
    }
    let src = Sources::from_env(cwd, a.scan.clone(), host)
        .ok_or_else(|| Fail::usage("HOME is not set: bbtoken does not know where to look"))?;
    let found = audit::scan(&src);
    if found.is_empty() {
        output::line(
            Stream::Out,
            &Text::styled(GOOD, "No Bitbucket token found in plain text."),
        );
        return Ok(exit::OK);
    }
    report(&src, &found);
    if !a.fix {
        output::err_line(
            "bbtoken audit --fix moves each token into the keyring and out of the URL or file (history files are only reported).",
        );
        return Ok(exit::NOT_VALID);
    }
    let interactive = std::io::stdin().is_terminal();
    if !a.yes && !interactive {
        return Err(Fail::usage(
            "--fix changes your files: on a terminal it asks before each change; elsewhere add --yes",
        ));
    }
    fix(ctx, &src, &found, a.yes).await?;
    let left = audit::scan(&src);
    if left.is_empty() {
        output::line(
            Stream::Out,
            &Text::styled(
                GOOD,
                "Nothing left in plain text: the keyring holds the tokens.",
            ),
        );
        Ok(exit::OK)
    } else {
        output::line(Stream::Out, &Text::styled(BOLD, "Still in plain text:"));
        report(&src, &left);
        Ok(exit::NOT_VALID)
    }
}

fn report(src: &Sources, found: &[Finding]) {
    output::line(
        Stream::Out,
        &Text::styled(
            BAD.bold(),
            format!("{} Bitbucket token(s) in plain text:", found.len()),
        ),
    );
    for f in found {
        output::line(
            Stream::Out,
            &Text::plain(format!("  {}", f.place_text(&src.home)))
                .with(format!("  {}", f.kind.label()), DIM)
                .with(format!("  {}", f.masked()), WARN),
        );
    }
}

/// Asks a yes/no question on the terminal; `yes` answers it.
fn ask(question: &str, yes: bool) -> bool {
    if yes {
        output::line(Stream::Err, &Text::plain(format!("{question} yes (--yes)")));
        return true;
    }
    output::emit(Stream::Err, &Text::plain(format!("{question} [y/N] ")));
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// The profile already holding `token`, if any.
async fn stored_as(ctx: &Context, profiles: &[Profile], token: &str) -> Option<String> {
    for p in profiles {
        if let Ok(s) = ctx.secrets.get(&p.name).await
            && s.expose() == token
        {
            return Some(p.name.clone());
        }
    }
    None
}

/// Why a token found could not become a profile by itself.
fn cannot_store(group: &[&Finding]) -> Option<&'static str> {
    match group[0].kind {
        Detected::ApiToken => Some(
            "an API token needs the Atlassian email it authenticates with, which the URL does not say: add it with bbtoken add NAME --kind api --email …, then run bbtoken audit --fix again",
        ),
        Detected::AppPassword => Some(
            "app passwords are retired by Bitbucket and bbtoken does not store them: revoke it and create an access or API token",
        ),
        _ if !group
            .iter()
            .any(|f| f.workspace.is_some() && f.repo.is_some()) =>
        {
            Some(
                "no URL around it names the repository: add it with bbtoken add, then run bbtoken audit --fix again",
            )
        }
        _ => None,
    }
}

async fn fix(ctx: &Context, src: &Sources, found: &[Finding], yes: bool) -> Result<(), Fail> {
    let ops = Ops::new(ctx.profiles.clone(), ctx.secrets.clone());
    let mut tokens: Vec<&str> = Vec::new();
    for f in found {
        if !matches!(f.place, Place::History { .. }) && !tokens.contains(&f.token.expose()) {
            tokens.push(f.token.expose());
        }
    }
    let mut lines: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    let mut changed_any = false;
    for token in tokens {
        let group: Vec<&Finding> = found
            .iter()
            .filter(|f| f.token.expose() == token && !matches!(f.place, Place::History { .. }))
            .collect();
        let masked = group[0].masked();
        let doc = ctx.profiles.load()?;
        let in_keyring = match stored_as(ctx, &doc.profiles, token).await {
            Some(name) => {
                output::line(
                    Stream::Out,
                    &Text::plain(format!("{masked}: already in the keyring as profile "))
                        .with(name, BOLD),
                );
                true
            }
            None => match cannot_store(&group) {
                Some(why) => {
                    report_warning(&format!("{masked} left where it is: {why}"));
                    false
                }
                None => {
                    let at = group
                        .iter()
                        .find(|f| f.workspace.is_some() && f.repo.is_some())
                        .expect("checked by cannot_store");
                    let (ws, repo) = (at.workspace.clone().unwrap_or_default(), at.repo.clone());
                    let taken: Vec<String> = doc.profiles.iter().map(|p| p.name.clone()).collect();
                    let name = audit::derive_name(&ws, repo.as_deref(), &taken);
                    let q = format!(
                        "Store {masked} in the keyring as profile {name} (repository token for {ws}/{})?",
                        repo.as_deref().unwrap_or("")
                    );
                    if !ask(&q, yes) {
                        false
                    } else {
                        let mut p =
                            Profile::new(&name, TokenKind::Repository, &ws, repo.as_deref());
                        p.note = Some("moved from plain text by bbtoken audit --fix".into());
                        match ops.add(p, &Secret::new(token)).await {
                            Ok(_) => {
                                changed_any = true;
                                output::line(
                                    Stream::Out,
                                    &Text::styled(GOOD, "stored")
                                        .with(format!(" {masked} as profile {name}"), PLAIN),
                                );
                                true
                            }
                            Err(e) => {
                                report_warning(&format!(
                                    "{masked} not stored, left where it is: {e}"
                                ));
                                false
                            }
                        }
                    }
                }
            },
        };
        if !in_keyring {
            continue;
        }
        for f in &group {
            let place = f.place_text(&src.home);
            match &f.place {
                Place::Remote { repo, key, .. } => {
                    if ask(&format!("Rewrite {place} without the token?"), yes) {
                        match audit::clean_remote(repo, key, &src.host) {
                            Ok(()) => {
                                changed_any = true;
                                output::line(
                                    Stream::Out,
                                    &Text::styled(GOOD, "rewrote").with(format!(" {place}"), PLAIN),
                                );
                            }
                            Err(e) => report_warning(&format!("{place}: {e}")),
                        }
                    }
                }
                Place::CredentialFile { path, line } => {
                    if ask(
                        &format!("Remove line {place} (the keyring holds its token)?"),
                        yes,
                    ) {
                        lines.entry(path.clone()).or_default().push(*line);
                    }
                }
                Place::InsteadOf { scope } => report_warning(&format!(
                    "{place}: remove that entry by hand (git config --{scope} --edit); bbtoken does not pass the key to git, since it holds the token and argv is visible to every process"
                )),
                Place::History { .. } => {}
            }
        }
    }
    for (path, drop) in &lines {
        let shown = crate::text::clean(&path.display().to_string());
        match audit::remove_lines(path, drop) {
            Ok(()) => {
                changed_any = true;
                output::line(
                    Stream::Out,
                    &Text::styled(GOOD, "removed")
                        .with(format!(" {} line(s) from {shown}", drop.len()), PLAIN),
                );
            }
            Err(e) => report_warning(&format!("{shown}: {e}")),
        }
    }
    if found
        .iter()
        .any(|f| matches!(f.place, Place::History { .. }))
    {
        report_warning(
            "history files are never edited: remove those lines yourself, and rotate a token that was in them",
        );
    }
    if changed_any {
        ensure_helper(&ctx.endpoints.git);
    }
    Ok(())
}

/// "Make sure the helper is set up": after a token moved into the keyring,
/// git must ask bbtoken for it, so the global helper is configured as
/// `bbtoken setup-git` would (idempotent).
fn ensure_helper(url: &str) {
    match crate::git::config::ensure_global(url) {
        Ok(changes) if changes.is_empty() => output::line(
            Stream::Out,
            &Text::styled(
                DIM,
                "git asks bbtoken for Bitbucket credentials (setup-git done).",
            ),
        ),
        Ok(changes) => {
            for c in changes {
                output::line(
                    Stream::Out,
                    &Text::styled(DIM, format!("git config --global: {c}")),
                );
            }
        }
        Err(e) => report_warning(&format!(
            "git does not ask bbtoken for Bitbucket credentials yet, and setting it up failed ({e}): run bbtoken setup-git"
        )),
    }
}
