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
use crate::i18n::tr;
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
        return Err(Fail::usage(tr!(
            "cli.audit.not_a_dir",
            dir = crate::text::clean(&d.display().to_string())
        )));
    }
    let src = Sources::from_env(cwd, a.scan.clone(), host)
        .ok_or_else(|| Fail::usage(tr!("cli.audit.no_home")))?;
    let found = audit::scan(&src);
    if found.is_empty() {
        output::line(Stream::Out, &Text::styled(GOOD, tr!("cli.audit.none")));
        return Ok(exit::OK);
    }
    report(&src, &found);
    if !a.fix {
        output::err_line(&tr!("cli.audit.fix_hint"));
        return Ok(exit::NOT_VALID);
    }
    let interactive = std::io::stdin().is_terminal();
    if !a.yes && !interactive {
        return Err(Fail::usage(tr!("cli.audit.needs_yes")));
    }
    fix(ctx, &src, &found, a.yes).await?;
    let left = audit::scan(&src);
    if left.is_empty() {
        output::line(Stream::Out, &Text::styled(GOOD, tr!("cli.audit.all_fixed")));
        Ok(exit::OK)
    } else {
        output::line(Stream::Out, &Text::styled(BOLD, tr!("cli.audit.still")));
        report(&src, &left);
        Ok(exit::NOT_VALID)
    }
}

fn report(src: &Sources, found: &[Finding]) {
    output::line(
        Stream::Out,
        &Text::styled(BAD.bold(), tr!("cli.audit.found", n = found.len())),
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
        output::line(
            Stream::Err,
            &Text::plain(format!("{question} {}", tr!("cli.audit.yes_given"))),
        );
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
fn cannot_store(group: &[&Finding]) -> Option<String> {
    let why = match group[0].kind {
        Detected::ApiToken => tr!("cli.audit.api_token"),
        Detected::AppPassword => tr!("cli.audit.app_password"),
        _ if !group
            .iter()
            .any(|f| f.workspace.is_some() && f.repo.is_some()) =>
        {
            tr!("cli.audit.no_repo")
        }
        _ => return None,
    };
    Some(why.into_owned())
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
                    &Text::plain(format!("{masked}: {} ", tr!("cli.audit.already")))
                        .with(name, BOLD),
                );
                true
            }
            None => match cannot_store(&group) {
                Some(why) => {
                    report_warning(&tr!("cli.audit.left", masked = masked, why = why));
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
                    let q = tr!(
                        "cli.audit.ask_store",
                        masked = masked,
                        name = name,
                        target = format!("{ws}/{}", repo.as_deref().unwrap_or(""))
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
                                    &Text::styled(GOOD, tr!("cli.audit.stored")).with(
                                        format!(
                                            " {}",
                                            tr!(
                                                "cli.audit.stored_as",
                                                masked = masked,
                                                name = name
                                            )
                                        ),
                                        PLAIN,
                                    ),
                                );
                                true
                            }
                            Err(e) => {
                                report_warning(&tr!(
                                    "cli.audit.not_stored",
                                    masked = masked,
                                    error = e
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
                    if ask(&tr!("cli.audit.ask_rewrite", place = place), yes) {
                        match audit::clean_remote(repo, key, &src.host) {
                            Ok(()) => {
                                changed_any = true;
                                output::line(
                                    Stream::Out,
                                    &Text::styled(GOOD, tr!("cli.audit.rewrote"))
                                        .with(format!(" {place}"), PLAIN),
                                );
                            }
                            Err(e) => report_warning(&format!("{place}: {e}")),
                        }
                    }
                }
                Place::CredentialFile { path, line } => {
                    if ask(&tr!("cli.audit.ask_remove", place = place), yes) {
                        lines.entry(path.clone()).or_default().push(*line);
                    }
                }
                Place::InsteadOf { scope } => {
                    report_warning(&tr!("cli.audit.instead_of", place = place, scope = scope))
                }
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
                    &Text::styled(GOOD, tr!("cli.audit.removed")).with(
                        format!(
                            " {}",
                            tr!("cli.audit.removed_lines", n = drop.len(), file = shown)
                        ),
                        PLAIN,
                    ),
                );
            }
            Err(e) => report_warning(&format!("{shown}: {e}")),
        }
    }
    if found
        .iter()
        .any(|f| matches!(f.place, Place::History { .. }))
    {
        report_warning(&tr!("cli.audit.history"));
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
        Ok(changes) if changes.is_empty() => {
            output::line(Stream::Out, &Text::styled(DIM, tr!("cli.audit.helper_ok")))
        }
        Ok(changes) => {
            for c in changes {
                output::line(
                    Stream::Out,
                    &Text::styled(DIM, format!("git config --global: {c}")),
                );
            }
        }
        Err(e) => report_warning(&tr!("cli.audit.helper_failed", error = e)),
    }
}
