//! add, edit, remove: the commands that change profiles and secrets.
//!
//! Order matters so that a failure loses nothing: a new secret is stored
//! before the profile that names it (and removed again if the profile cannot
//! be saved); a removed profile's secret goes first, so no secret is ever left
//! behind without a profile.

use crate::cli::args::{AddArgs, EditArgs, FieldArgs};
use crate::cli::{Fail, exit, input, report_warning, validate};
use crate::context::Context;
use crate::fields;
use crate::profile::{Profile, TokenKind};
use crate::secret::Secret;
use crate::store::ConfigError;
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
    ctx.secrets.set(&p.name, &secret).await?;
    let saved = ctx.profiles.update(|doc| {
        if doc.find(&p.name).is_some() {
            return Err(format!("a profile named {:?} was added meanwhile", p.name));
        }
        doc.profiles.push(p.clone());
        Ok(())
    });
    if let Some(why) = save_failure(saved) {
        // The secret was new: take it back so no orphan is left.
        let _ = ctx.secrets.delete(&p.name).await;
        return Err(Fail::usage(format!("profile not saved: {why}")));
    }
    anstream::eprintln!(
        "Added {} ({}); its token is in the {} credential store.",
        p.name,
        p.kind.label(),
        ctx.secrets.backend().name()
    );
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

pub async fn edit(ctx: &Context, a: EditArgs) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    let Some(old) = doc.find(&a.name).cloned() else {
        return Err(not_found(&a.name));
    };
    let mut p = old.clone();
    if let Some(k) = a.kind {
        p.kind = k;
    }
    apply(&mut p, &a.fields)?;
    check_fields(&p)?;
    let new_secret = if a.secret {
        Some(read_checked_secret(&p.name, p.kind)?)
    } else {
        None
    };
    let reach_changed = (p.kind, &p.workspace, &p.repo, &p.email)
        != (old.kind, &old.workspace, &old.repo, &old.email);
    if reach_changed || new_secret.is_some() {
        // The last outcome described another token or target.
        p.last_validation = None;
    }
    // Keep the old token until the profile is saved, to put it back on failure.
    let previous = match &new_secret {
        Some(s) => {
            let prev = ctx.secrets.get(&p.name).await.ok();
            ctx.secrets.set(&p.name, s).await?;
            prev
        }
        None => None,
    };
    let saved = ctx.profiles.update(|doc| match doc.find_mut(&p.name) {
        Some(slot) => {
            *slot = p.clone();
            Ok(())
        }
        None => Err(format!("profile {:?} was removed meanwhile", p.name)),
    });
    if let Some(why) = save_failure(saved) {
        if new_secret.is_some() {
            match previous {
                Some(prev) => {
                    let _ = ctx.secrets.set(&p.name, &prev).await;
                }
                None => {
                    let _ = ctx.secrets.delete(&p.name).await;
                }
            }
        }
        return Err(Fail::usage(format!("profile not saved: {why}")));
    }
    anstream::eprintln!(
        "Updated {}{}.",
        p.name,
        if new_secret.is_some() {
            " and replaced its token"
        } else {
            ""
        }
    );
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
    anstream::eprintln!(
        "Removed {name}{}.",
        if had_secret {
            " and its token"
        } else {
            " (it had no stored token)"
        }
    );
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
