//! `bbtoken store migrate --to BACKEND`: the shell over [`crate::migrate`].

use crate::cli::{Fail, exit, output, report_error};
use crate::context::Context;
use crate::migrate::{Moved, migrate as move_all};
use crate::store::{SecretBackend, SecretStore};

pub async fn migrate(ctx: &Context, to: &str) -> Result<i32, Fail> {
    let target =
        SecretBackend::from_name(Some(to.trim())).map_err(|e| Fail::usage(format!("--to: {e}")))?;
    let source = ctx.secrets.backend();
    if target == source {
        return Err(Fail::usage(format!(
            "the secrets are already in {} (BBTOKEN_STORE): nothing to move; to move them elsewhere, give another store with --to",
            source.name()
        )));
    }
    let to_store = SecretStore::open(target);
    let report = move_all(&ctx.profiles, &ctx.secrets, &to_store).await?;
    if report.is_empty() {
        output::err_line("No profiles: there is nothing to move.");
        return Ok(exit::OK);
    }
    let (from, to) = (source.name(), target.name());
    for (name, moved) in &report {
        let line = match moved {
            Moved::Moved => format!("{name}: moved from {from} to {to} (read back and verified)"),
            Moved::AlreadyThere => format!("{name}: already in {to}"),
            Moved::NoSecret => format!(
                "{name}: no secret in either store (bbtoken edit {name} --secret stores one)"
            ),
            Moved::Conflict => format!(
                "{name}: both {from} and {to} hold a secret, and they differ: left as they are. Remove the one you do not want (bbtoken validate tells which works), then run this again"
            ),
            Moved::Failed { what, copies } => format!("{name}: not moved: {what}; {copies}"),
        };
        output::out_line(&line);
    }
    let failed = report.iter().filter(|(_, m)| !m.ok()).count();
    if failed > 0 {
        report_error(&format!(
            "{failed} of {} secret(s) were not moved; every original that was not verified in {to} is still in {from}. Run this again once the cause is fixed",
            report.len()
        ));
        return Ok(exit::ERROR);
    }
    output::err_line(&format!(
        "Every secret is in {to}. Use it from now on: export BBTOKEN_STORE={to} (add it to your shell profile)."
    ));
    Ok(exit::OK)
}
