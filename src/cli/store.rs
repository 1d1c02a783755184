//! `bbtoken store migrate --to BACKEND`: the shell over [`crate::migrate`].

use crate::cli::{Fail, exit, output, report_error};
use crate::context::Context;
use crate::i18n::tr;
use crate::migrate::{Moved, migrate as move_all};
use crate::store::{SecretBackend, SecretStore};

pub async fn migrate(ctx: &Context, to: &str) -> Result<i32, Fail> {
    let target =
        SecretBackend::from_name(Some(to.trim())).map_err(|e| Fail::usage(format!("--to: {e}")))?;
    let source = ctx.secrets.backend();
    if target == source {
        return Err(Fail::usage(tr!(
            "cli.store.already_there",
            store = source.name()
        )));
    }
    let to_store = SecretStore::open(target);
    let report = move_all(&ctx.profiles, &ctx.secrets, &to_store).await?;
    if report.is_empty() {
        output::err_line(&tr!("cli.store.no_profiles"));
        return Ok(exit::OK);
    }
    let (from, to) = (source.name(), target.name());
    for (name, moved) in &report {
        let line = match moved {
            Moved::Moved => tr!("cli.store.moved", name = name, from = from, to = to),
            Moved::AlreadyThere => tr!("cli.store.already", name = name, to = to),
            Moved::NoSecret => tr!("cli.store.no_secret", name = name),
            Moved::Conflict => tr!("cli.store.conflict", name = name, from = from, to = to),
            Moved::Failed { what, copies } => tr!(
                "cli.store.failed",
                name = name,
                what = what,
                copies = copies
            ),
        };
        output::out_line(&line);
    }
    let failed = report.iter().filter(|(_, m)| !m.ok()).count();
    if failed > 0 {
        report_error(&tr!(
            "cli.store.some_failed",
            failed = failed,
            total = report.len(),
            to = to,
            from = from
        ));
        return Ok(exit::ERROR);
    }
    output::err_line(&tr!("cli.store.done", to = to));
    Ok(exit::OK)
}
