//! add, edit, remove: the commands that change profiles and secrets.
//!
//! This is the shell: it reads arguments and the token, prints what
//! happened, and leaves the order of the writes, the locking and the
//! rollbacks to [`crate::ops`], which the TUI uses too.

use crate::cli::args::{AddArgs, EditArgs, FieldArgs};
use crate::cli::{Fail, exit, input, output, report_warning, validate};
use crate::context::Context;
use crate::fields;
use crate::git::pasted;
use crate::git::remote::GitHost;
use crate::i18n::tr;
use crate::ops::Ops;
use crate::profile::{Profile, TokenKind};
use crate::secret::Secret;
use crate::token::{self, Severity};

/// Sets the fields given on the command line; an empty value clears one.
fn apply(p: &mut Profile, f: &FieldArgs) -> Result<(), Fail> {
    fn set(slot: &mut Option<String>, value: &Option<String>) {
        if let Some(v) = value {
            let v = v.trim();
            *slot = (!v.is_empty()).then(|| v.to_string());
        }
    }
    if let Some(ws) = &f.workspace {
        p.workspace = ws.trim().to_string();
    }
    set(&mut p.repo, &f.repo);
    set(&mut p.project, &f.project);
    if f.bot_email.as_deref().map(str::trim) == Some(SUGGESTED) {
        p.bot_email = Some(suggested_bot_email(p)?);
    } else {
        set(&mut p.bot_email, &f.bot_email);
    }
    set(&mut p.email, &f.email);
    set(&mut p.username, &f.username);
    set(&mut p.note, &f.note);
    if let Some(d) = &f.expires {
        p.expires = match d.trim() {
            "" => None,
            d => Some(fields::parse_date(d).map_err(|e| Fail::usage(format!("--expires: {e}")))?),
        };
    }
    Ok(())
}

/// `--bot-email suggested`: accept the bot email the clone link showed.
const SUGGESTED: &str = "suggested";

/// The candidate from the last Get Repository answer, which the user now
/// confirms; once set it is an entered email like any other.
fn suggested_bot_email(p: &Profile) -> Result<String, Fail> {
    match p.bot_email_or_candidate() {
        Some((email, false)) => Ok(email),
        Some((email, true)) => Err(Fail::usage(tr!(
            "cli.bot_email.already",
            name = p.name,
            email = email
        ))),
        None if p.kind.is_access_token() => {
            Err(Fail::usage(tr!("cli.bot_email.nothing_yet", name = p.name)))
        }
        None => Err(Fail::usage(tr!("cli.bot_email.access_only"))),
    }
}

fn check_fields(p: &Profile) -> Result<(), Fail> {
    let errs = fields::check_profile(p);
    if errs.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = errs
        .iter()
        .map(|(field, e)| format!("  --{field}: {e}"))
        .collect();
    Err(Fail::usage(format!(
        "{}\n{}",
        tr!("cli.profile.incomplete", name = format!("{:?}", p.name)),
        lines.join("\n")
    )))
}

/// Reads the token and runs the offline checks: warnings are printed,
/// a refusal ends the command.
/// With `force`, a token of another kind than chosen is stored anyway (with
/// a warning); without, it is refused like the app's form refuses it.
fn read_checked_secret(name: &str, kind: TokenKind, force: bool) -> Result<Secret, Fail> {
    let prompt = tr!("cli.prompt.token", name = name, kind = kind.label());
    let secret = input::read_secret(&format!("{prompt} "))?;
    check_secret(secret, kind, force)
}

fn check_secret(secret: Secret, kind: TokenKind, force: bool) -> Result<Secret, Fail> {
    let check = token::check(secret.expose(), kind);
    if let Some(f) = check.blocker(force) {
        return Err(Fail::usage(if f.severity == Severity::Mismatch {
            tr!("cli.secret.not_stored_force", reason = f.message)
        } else {
            tr!("cli.secret.not_stored", reason = f.message)
        }));
    }
    for f in &check.findings {
        if matches!(f.severity, Severity::Warn | Severity::Mismatch) {
            report_warning(&f.message);
        }
    }
    Ok(secret)
}

/// Fills workspace and repository from `--url` (unless given, when they
/// must agree) and returns the token the URL carried, if any.
fn apply_url(ctx: &Context, p: &mut Profile, url: &str) -> Result<Option<Secret>, Fail> {
    let from_stdin = url == "-";
    let raw = if from_stdin {
        input::read_line_secret(&format!("{} ", tr!("cli.prompt.url")))?
    } else {
        Secret::new(url)
    };
    let host = GitHost::from_base(&ctx.endpoints.git)
        .ok_or_else(|| Fail::usage(tr!("cli.url.bad_git_base")))?;
    let pasted = pasted::parse_pasted(raw.expose(), &host)
        .map_err(|e| Fail::usage(format!("--url: {e}")))?;
    drop(raw);
    let take = |field: &str, slot: &mut Option<String>, value: String| match slot {
        Some(given) if *given != value => Err(Fail::usage(tr!(
            "cli.url.disagrees",
            flag = format!("--{field} {given}"),
            value = value
        ))),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    };
    let mut ws = (!p.workspace.is_empty()).then(|| p.workspace.clone());
    take("workspace", &mut ws, pasted.workspace)?;
    p.workspace = ws.unwrap_or_default();
    take("repo", &mut p.repo, pasted.repo)?;
    if pasted.token.is_some() {
        report_warning(&if from_stdin {
            tr!("cli.url.token_taken")
        } else {
            tr!("cli.url.token_taken_history")
        });
    }
    Ok(pasted.token)
}

pub async fn add(ctx: &Context, a: AddArgs) -> Result<i32, Fail> {
    let mut p = Profile::new(&a.name, a.kind.into(), "", None);
    apply(&mut p, &a.fields)?;
    let from_url = match &a.url {
        Some(url) => apply_url(ctx, &mut p, url)?,
        None => None,
    };
    check_fields(&p)?;
    // Checked early so no token is asked for in vain; ops checks it again
    // under the lock.
    if ctx.profiles.load()?.find(&p.name).is_some() {
        return Err(Fail::usage(tr!(
            "cli.add.exists",
            quoted = format!("{:?}", p.name),
            name = p.name
        )));
    }
    let secret = match from_url {
        Some(token) => check_secret(token, p.kind, a.force)?,
        None => read_checked_secret(&p.name, p.kind, a.force)?,
    };
    let p = ops(ctx).add(p, &secret).await?;
    drop(secret);
    output::err_line(&tr!(
        "cli.add.done",
        name = p.name,
        kind = p.kind.label(),
        store = ctx.secrets.backend().name()
    ));
    if a.validate {
        return validate_one(ctx, p.name).await;
    }
    Ok(exit::OK)
}

/// The profile as `edit` leaves it: the given kind and fields applied.
/// (Whether the last outcome still holds is decided in `ops`.)
fn edited(old: &Profile, a: &EditArgs) -> Result<Profile, Fail> {
    let mut p = old.clone();
    if let Some(k) = a.kind {
        p.kind = k.into();
    }
    apply(&mut p, &a.fields)?;
    check_fields(&p)?;
    Ok(p)
}

/// Whether `edit` was given anything to change (a field, the kind or a new
/// token); `--validate` alone changes nothing.
fn asks_for_a_change(a: &EditArgs) -> bool {
    let f = &a.fields;
    a.secret
        || a.kind.is_some()
        || [
            &f.workspace,
            &f.repo,
            &f.project,
            &f.bot_email,
            &f.email,
            &f.username,
            &f.expires,
            &f.note,
        ]
        .iter()
        .any(|v| v.is_some())
}

pub async fn edit(ctx: &Context, a: EditArgs) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    let Some(old) = doc.find(&a.name) else {
        return Err(Fail::no_profile(&a.name));
    };
    if !asks_for_a_change(&a) {
        if a.validate {
            return validate_one(ctx, a.name).await;
        }
        return Err(Fail::usage(tr!("cli.edit.nothing_given", name = a.name)));
    }
    // Bad input fails here, before a token is read or stored.
    let preview = edited(old, &a)?;
    if !a.secret && preview == *old {
        output::err_line(&tr!("cli.edit.same", name = a.name));
        if !a.validate {
            return Ok(exit::OK);
        }
        return validate_one(ctx, a.name).await;
    }
    let new_secret = if a.secret {
        Some(read_checked_secret(&preview.name, preview.kind, a.force)?)
    } else {
        None
    };
    if let (Some(secret), true) = (&new_secret, a.validate) {
        return rotate_checked(ctx, &a, secret).await;
    }
    // The edit is applied to the profile as it is on disk under the lock,
    // so a change another bbtoken made meanwhile is kept.
    let done = ops(ctx)
        .update(
            &a.name,
            |slot| edited(slot, &a).map_err(|f| f.message),
            new_secret.as_ref(),
        )
        .await?;
    if let Some(e) = done.old_entry_left {
        report_warning(&tr!("cli.edit.old_entry_left", name = a.name, error = e));
    }
    output::err_line(&if new_secret.is_some() {
        tr!("cli.edit.updated_token", name = a.name)
    } else {
        tr!("cli.edit.updated", name = a.name)
    });
    drop(new_secret);
    if a.validate {
        return validate_one(ctx, a.name).await;
    }
    Ok(exit::OK)
}

/// `edit --secret --validate`: the new token is checked before it replaces
/// the old one, which stays when the check fails (unless --force).
async fn rotate_checked(ctx: &Context, a: &EditArgs, secret: &Secret) -> Result<i32, Fail> {
    let validator = ctx.validator()?;
    let result = ops(ctx)
        .rotate_checked(
            &a.name,
            |slot| edited(slot, a).map_err(|f| f.message),
            secret,
            |p| async move { validator.check_secret(&p, secret.clone()).await },
            a.force,
        )
        .await;
    match result {
        Ok(done) => {
            let p = &done.updated.profile;
            if let Some(e) = &done.updated.old_entry_left {
                report_warning(&tr!("cli.edit.old_entry_left", name = a.name, error = e));
            }
            output::err_line(&if done.accepted {
                tr!("cli.edit.rotated_checked", name = p.name)
            } else {
                tr!("cli.edit.rotated_forced", name = p.name)
            });
            validate::print_outcome(p, &done.outcome);
            Ok(validate::exit_code(std::slice::from_ref(&done.outcome)))
        }
        Err(crate::ops::OpError::Rejected { name, outcome }) => {
            if let Some(p) = ctx.profiles.load()?.find(&name) {
                validate::print_outcome(p, &outcome);
            }
            let why = crate::ops::OpError::Rejected { name, outcome };
            let kind = super::op_kind(&why);
            Err(Fail::new(
                kind,
                format!("{why}\n{}", tr!("cli.edit.rotate_refused")),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(ctx: &Context, name: &str) -> Result<i32, Fail> {
    let removed = ops(ctx).remove(name).await?;
    output::err_line(&if removed.had_secret {
        tr!("cli.remove.done", name = name)
    } else {
        tr!("cli.remove.done_no_token", name = name)
    });
    Ok(exit::OK)
}

fn ops(ctx: &Context) -> Ops {
    Ops::new(ctx.profiles.clone(), ctx.secrets.clone())
}

/// `--validate` after a change: the one profile, human output.
async fn validate_one(ctx: &Context, name: String) -> Result<i32, Fail> {
    validate::run_names(ctx, vec![name], false, crate::validate::DEFAULT_CONCURRENCY).await
}
