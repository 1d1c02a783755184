//! add, edit, remove: the commands that change profiles and secrets.
//!
//! Order matters so that a failure loses nothing: a new secret is stored
//! before the profile that names it (and removed again if the profile cannot
//! be saved); a removed profile's secret goes first, so no secret is ever left
//! behind without a profile.

use crate::cli::args::{AddArgs, EditArgs, FieldArgs};
use crate::cli::{Fail, exit, input, output, report_warning, validate};
use crate::context::Context;
use crate::fields;
use crate::profile::{Profile, TokenKind};
use crate::secret::Secret;
use crate::store::{ConfigError, StoreError};
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
    set(&mut p.bot_email, &f.bot_email);
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
        "profile {:?} is not complete:\n{}",
        p.name,
        lines.join("\n")
    )))
}

/// Reads the token and runs the offline checks: warnings are printed,
/// a refusal ends the command.
fn read_checked_secret(name: &str, kind: TokenKind) -> Result<Secret, Fail> {
    let secret = input::read_secret(&format!("Token for {name} ({}): ", kind.label()))?;
    let check = token::check(secret.expose(), kind);
    let mut refusal = None;
    for f in &check.findings {
        match f.severity {
            Severity::Refuse => refusal = Some(f.message.clone()),
            Severity::Warn => report_warning(&f.message),
            Severity::Info => {}
        }
    }
    match refusal {
        Some(why) => Err(Fail::usage(format!("not stored: {why}"))),
        None => Ok(secret),
    }
}

pub async fn add(ctx: &Context, a: AddArgs) -> Result<i32, Fail> {
    let mut p = Profile::new(&a.name, a.kind, "", None);
    apply(&mut p, &a.fields)?;
    check_fields(&p)?;
    if ctx.profiles.load()?.find(&p.name).is_some() {
        return Err(Fail::usage(format!(
            "a profile named {:?} exists: use bbtoken edit {} (or --secret to replace its token)",
            p.name, p.name
        )));
    }
    let secret = read_checked_secret(&p.name, p.kind)?;
    // Another bbtoken may add the same name meanwhile: keep what its slot
    // held, to put back if this add loses the race.
    let previous = replace_secret(ctx, &p.name, &secret).await?;
    let saved = ctx.profiles.update(|doc| {
        if doc.find(&p.name).is_some() {
            return Err(format!("a profile named {:?} was added meanwhile", p.name));
        }
        doc.profiles.push(p.clone());
        Ok(())
    });
    if let Some(why) = save_failure(saved) {
        restore_secret(ctx, &p.name, previous).await;
        return Err(Fail::usage(format!("profile not saved: {why}")));
    }
    output::err_line(&format!(
        "Added {} ({}); its token is in the {} credential store.",
        p.name,
        p.kind.label(),
        ctx.secrets.backend().name()
    ));
    if a.validate {
        return validate::run_names(
            ctx,
            vec![p.name],
            false,
            crate::validate::DEFAULT_CONCURRENCY,
        )
        .await;
    }
    Ok(exit::OK)
}

/// The profile as `edit` leaves it: the given kind and fields applied, and
/// the last outcome dropped when it described another token or target.
fn edited(old: &Profile, a: &EditArgs, new_token: bool) -> Result<Profile, Fail> {
    let mut p = old.clone();
    if let Some(k) = a.kind {
        p.kind = k;
    }
    apply(&mut p, &a.fields)?;
    check_fields(&p)?;
    if !p.same_reach(old) || new_token {
        p.last_validation = None;
    }
    Ok(p)
}

pub async fn edit(ctx: &Context, a: EditArgs) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    let Some(old) = doc.find(&a.name) else {
        return Err(not_found(&a.name));
    };
    // Bad input fails here, before a token is read or stored.
    let preview = edited(old, &a, a.secret)?;
    let new_secret = if a.secret {
        Some(read_checked_secret(&preview.name, preview.kind)?)
    } else {
        None
    };
    let previous = match &new_secret {
        Some(s) => Some(replace_secret(ctx, &a.name, s).await?),
        None => None,
    };
    // The edit is applied to the profile as it is on disk under the lock,
    // so a change another bbtoken made meanwhile (say, a recorded outcome)
    // is kept.
    let saved = ctx.profiles.update(|doc| match doc.find_mut(&a.name) {
        Some(slot) => {
            *slot = edited(slot, &a, a.secret).map_err(|f| f.message)?;
            Ok(())
        }
        None => Err(format!("profile {:?} was removed meanwhile", a.name)),
    });
    if let Some(why) = save_failure(saved) {
        if let Some(previous) = previous {
            restore_secret(ctx, &a.name, previous).await;
        }
        return Err(Fail::usage(format!("profile not saved: {why}")));
    }
    output::err_line(&format!(
        "Updated {}{}.",
        a.name,
        if new_secret.is_some() {
            " and replaced its token"
        } else {
            ""
        }
    ));
    if a.validate {
        return validate::run_names(
            ctx,
            vec![a.name],
            false,
            crate::validate::DEFAULT_CONCURRENCY,
        )
        .await;
    }
    Ok(exit::OK)
}

/// Stores `secret` under `name` and returns what was there before (`None`
/// when nothing was), so a failed save can put it back. Any store error other
/// than "nothing there" stops here: guessing "nothing" could later delete the
/// only copy of a token, and Bitbucket shows a token only once.
async fn replace_secret(
    ctx: &Context,
    name: &str,
    secret: &Secret,
) -> Result<Option<Secret>, Fail> {
    let previous = match ctx.secrets.get(name).await {
        Ok(s) => Some(s),
        Err(StoreError::Missing { .. }) => None,
        Err(e) => return Err(Fail::usage(format!("{e}\nnothing was changed"))),
    };
    ctx.secrets.set(name, secret).await?;
    Ok(previous)
}

/// Puts back what `replace_secret` replaced. Best effort: the failure that
/// led here is what the user is told about.
async fn restore_secret(ctx: &Context, name: &str, previous: Option<Secret>) {
    let restored = match previous {
        Some(prev) => ctx.secrets.set(name, &prev).await,
        None => ctx.secrets.delete(name).await.map(|_| ()),
    };
    if let Err(e) = restored {
        report_warning(&format!(
            "the credential store could not be put back as it was: {e}"
        ));
    }
}

pub async fn remove(ctx: &Context, name: &str) -> Result<i32, Fail> {
    if ctx.profiles.load()?.find(name).is_none() {
        return Err(not_found(name));
    }
    let had_secret = ctx.secrets.delete(name).await.map_err(|e| {
        Fail::usage(format!(
            "{e}\nnothing was removed: the profile stays until its secret can be removed too"
        ))
    })?;
    let removed = ctx.profiles.update(|doc| {
        let before = doc.profiles.len();
        doc.profiles.retain(|p| p.name != name);
        if doc.profiles.len() == before {
            Err(())
        } else {
            Ok(())
        }
    })?;
    if removed.is_err() {
        return Err(not_found(name));
    }
    output::err_line(&format!(
        "Removed {name}{}.",
        if had_secret {
            " and its token"
        } else {
            " (it had no stored token)"
        }
    ));
    Ok(exit::OK)
}

/// Why a profile update did not land, if it did not.
fn save_failure(saved: Result<Result<(), String>, ConfigError>) -> Option<String> {
    match saved {
        Ok(Ok(())) => None,
        Ok(Err(why)) => Some(why),
        Err(e) => Some(e.to_string()),
    }
}

pub fn not_found(name: &str) -> Fail {
    Fail::usage(format!("no profile named {name:?}: see bbtoken list"))
}
