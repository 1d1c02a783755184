//! `bbtoken credential get|store|erase`: git's credential helper.
//!
//! git runs this with `get` before it authenticates, `store` after a success
//! and `erase` after a 401, writing the request on stdin. The rules for
//! choosing a profile are in [`crate::git::select`], the protocol in
//! [`crate::git::credential`]. Here: the I/O, and the discipline git needs
//! from a helper: only protocol lines on stdout, nothing at all for hosts
//! other than `BBTOKEN_GIT_URL`'s, never a prompt, no network, and
//! diagnostics on stderr only with `BBTOKEN_DEBUG` set (never a secret:
//! every message here is built from fixed words, profile names and checked
//! fields).

use std::io::Read;

use chrono::Utc;

use crate::cli::args::CredentialAction;
use crate::cli::exit;
use crate::cli::output::{self, Stream, Text};
use crate::context::Context;
use crate::git::credential::{self as proto, Attributes, Scope, Target};
use crate::git::select::{self, Choice, Operation, Query};
use crate::i18n::tr;
use crate::ops::Ops;
use crate::profile::{Profile, TokenKind};
use crate::secret::Secret;
use crate::store::StoreError;
use crate::token::{self, Detected};

/// How many fitting profiles `store` and `erase` compare with the credential
/// git used (one keyring read each).
const MAX_COMPARED: usize = 32;

fn debug_on() -> bool {
    std::env::var_os("BBTOKEN_DEBUG").is_some_and(|v| !v.is_empty())
}

/// A diagnostic, shown only with `BBTOKEN_DEBUG`. Callers never pass a secret.
fn debug(msg: &str) {
    if debug_on() {
        output::err_line(&format!("bbtoken credential: {msg}"));
    }
}

/// Runs the helper; always returns an exit code, never prints an error
/// unless asked to (git shows a helper's stderr to the user).
pub async fn run(action: CredentialAction) -> i32 {
    let mut input = Vec::new();
    let read = std::io::stdin()
        .lock()
        .take(proto::MAX_INPUT as u64 + 1)
        .read_to_end(&mut input);
    if let Err(e) = read {
        debug(&tr!(
            "cli.credential.stdin",
            error = crate::text::clean(&e.to_string())
        ));
        return exit::ERROR;
    }
    let attrs = match proto::parse(&input) {
        Ok(a) => a,
        Err(e) => {
            debug(&tr!("cli.credential.refused", error = e));
            return exit::ERROR;
        }
    };
    if attrs.quit {
        debug(&tr!("cli.credential.quit"));
        return exit::OK;
    }
    let ctx = match Context::from_env() {
        Ok(c) => c,
        Err(e) => {
            debug(&crate::text::clean(&e.to_string()));
            return exit::ERROR;
        }
    };
    let Some(scope) = Scope::from_url(&ctx.endpoints.git) else {
        debug(&tr!("cli.credential.no_host"));
        return exit::ERROR;
    };
    if !scope.covers(&attrs) {
        // Another host: git moves on to its next helper.
        return exit::OK;
    }
    let result = match action {
        CredentialAction::Get => get(&ctx, &attrs).await,
        CredentialAction::Store => store(&ctx, &attrs).await,
        CredentialAction::Erase => erase(&ctx, &attrs).await,
    };
    match result {
        Ok(()) => exit::OK,
        Err(msg) => {
            debug(&msg);
            exit::ERROR
        }
    }
}

/// The checked facts of a request.
struct Checked {
    target: Option<Target>,
    username: Option<String>,
    binding: Option<String>,
}

impl Checked {
    fn query(&self) -> Query<'_> {
        Query {
            workspace: self.target.as_ref().map(|t| t.workspace.as_str()),
            repo: self.target.as_ref().map(|t| t.repo.as_str()),
            username: self.username.as_deref(),
            binding: self.binding.as_deref(),
            operation: Some(Operation::Read),
            today: Some(Utc::now().date_naive()),
        }
    }
}

fn check(attrs: &Attributes) -> Result<Checked, String> {
    let target = proto::target(attrs.path.as_deref())?;
    let username = proto::username(attrs.username.as_deref())
        .map_err(|e| tr!("cli.credential.username", error = e).into_owned())?
        .map(str::to_string);
    let binding =
        crate::git::config::binding().and_then(|b| match crate::fields::profile_name(&b) {
            Ok(()) => Some(b),
            Err(_) => {
                debug(&tr!("cli.credential.bad_binding"));
                None
            }
        });
    Ok(Checked {
        target,
        username,
        binding,
    })
}

async fn get(ctx: &Context, attrs: &Attributes) -> Result<(), String> {
    let c = check(attrs)?;
    let doc = ctx.profiles.load().map_err(|e| e.to_string())?;
    let choice = match select::choose(&doc.profiles, &c.query()) {
        Ok(choice) => choice,
        Err(why) => {
            debug(&tr!("cli.credential.no_answer", why = format!("{why:?}")));
            return Ok(());
        }
    };
    let Choice { profile, rule } = choice;
    debug(&tr!(
        "cli.credential.answering",
        name = profile.name,
        rule = rule.describe()
    ));
    let secret = ctx
        .secrets
        .get(&profile.name)
        .await
        .map_err(|e| e.to_string())?;
    let username = c
        .username
        .clone()
        .unwrap_or_else(|| crate::gitcmd::git_username(profile).to_string());
    let expiry = profile.expires.map(proto::expiry_timestamp);
    match proto::answer(&username, secret.expose(), expiry) {
        Some(text) => {
            output::emit(Stream::Out, &Text::plain(text));
            Ok(())
        }
        None => Err(tr!("cli.credential.unsendable", name = profile.name).into_owned()),
    }
}

/// Compares without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What the fitting profiles hold compared with the credential git used.
struct Compared<'p> {
    /// The profile whose secret is the one git used.
    matched: Option<&'p Profile>,
    /// Fitting profiles with no secret in the keyring.
    missing: Vec<&'p Profile>,
}

async fn compare<'p>(
    ctx: &Context,
    cands: &[Choice<'p>],
    password: &str,
) -> Result<Compared<'p>, String> {
    let mut out = Compared {
        matched: None,
        missing: Vec::new(),
    };
    for c in cands.iter().take(MAX_COMPARED) {
        match ctx.secrets.get(&c.profile.name).await {
            Ok(s) if same_secret(s.expose(), password) => {
                out.matched = Some(c.profile);
                return Ok(out);
            }
            Ok(_) => {}
            Err(StoreError::Missing { .. }) => out.missing.push(c.profile),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(out)
}

async fn erase(ctx: &Context, attrs: &Attributes) -> Result<(), String> {
    let Some(password) = attrs.password.as_deref().filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let c = check(attrs)?;
    let doc = ctx.profiles.load().map_err(|e| e.to_string())?;
    let cands = select::candidates(&doc.profiles, &c.query());
    let found = compare(ctx, &cands, password).await?;
    // The secret stays: it is the only copy, and the user may know better.
    let Some(p) = found.matched else {
        debug(&tr!("cli.credential.rejected_unknown"));
        return Ok(());
    };
    let outcome = crate::git::rejected_outcome(&p.name, Utc::now());
    let recorded = crate::git::record(&ctx.profiles, p, outcome).map_err(|e| e.to_string())?;
    debug(&if recorded {
        tr!("cli.credential.rejected", name = p.name)
    } else {
        tr!("cli.credential.changed", name = p.name)
    });
    Ok(())
}

async fn store(ctx: &Context, attrs: &Attributes) -> Result<(), String> {
    let Some(password) = attrs.password.as_deref().filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let c = check(attrs)?;
    let doc = ctx.profiles.load().map_err(|e| e.to_string())?;
    let q = c.query();
    let cands = select::candidates(&doc.profiles, &q);
    let found = compare(ctx, &cands, password).await?;
    if let Some(p) = found.matched {
        let recorded =
            crate::git::record(&ctx.profiles, p, crate::git::used_outcome(p, Utc::now()))
                .map_err(|e| e.to_string())?;
        debug(&tr!(
            "cli.credential.used",
            name = p.name,
            recorded = recorded
        ));
        return Ok(());
    }
    // A token typed at git's prompt.
    let family = match token::detect(password) {
        Detected::AccessToken => Family::Access,
        Detected::ApiToken => Family::Api,
        other => {
            debug(&tr!("cli.credential.typed_other", what = other.label()));
            return Ok(());
        }
    };
    if !family.fits_username(c.username.as_deref()) {
        debug(&tr!("cli.credential.kind_mismatch"));
        return Ok(());
    }
    let ops = Ops::new(ctx.profiles.clone(), ctx.secrets.clone());
    let secret = Secret::new(password);
    // A profile for this reach whose secret git rejected, or that has none:
    // rotate it in place.
    let stale = cands
        .iter()
        .map(|c| c.profile)
        .filter(|p| family.admits(p.kind))
        .find(|p| select::is_rejected(p) || found.missing.iter().any(|m| m.name == p.name));
    if let Some(p) = stale {
        let kind = p.kind;
        if token::check(password, kind).refused() {
            debug(&tr!("cli.credential.offline_refused"));
            return Ok(());
        }
        let updated = ops
            .update(&p.name, |old| Ok(old.clone()), Some(&secret))
            .await
            .map_err(|e| e.to_string())?;
        let saved = updated.profile;
        crate::git::record(
            &ctx.profiles,
            &saved,
            crate::git::used_outcome(&saved, Utc::now()),
        )
        .map_err(|e| e.to_string())?;
        debug(&tr!("cli.credential.rotated", name = saved.name));
        return Ok(());
    }
    // Otherwise a new profile, when enough is known to make one.
    let Some(t) = &c.target else {
        debug(&tr!("cli.credential.no_path"));
        return Ok(());
    };
    if family == Family::Api {
        // An API token profile needs the Atlassian email, which git does not know.
        debug(&tr!("cli.credential.typed_api"));
        return Ok(());
    }
    if token::check(password, TokenKind::Repository).refused() {
        debug(&tr!("cli.credential.offline_refused"));
        return Ok(());
    }
    let Some(name) = derive_name(&doc.profiles, t) else {
        debug(&tr!("cli.credential.no_name"));
        return Ok(());
    };
    let mut p = Profile::new(&name, TokenKind::Repository, &t.workspace, Some(&t.repo));
    p.note = Some(format!(
        "added from git's prompt at {}; the kind is a guess (repository): fix it with bbtoken edit {name} --kind",
        crate::git::stamp(Utc::now())
    ));
    let saved = ops.add(p, &secret).await.map_err(|e| e.to_string())?;
    crate::git::record(
        &ctx.profiles,
        &saved,
        crate::git::used_outcome(&saved, Utc::now()),
    )
    .map_err(|e| e.to_string())?;
    debug(&tr!("cli.credential.added", name = name));
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Access,
    Api,
}

impl Family {
    fn admits(self, kind: TokenKind) -> bool {
        kind.is_access_token() == (self == Family::Access)
    }

    fn fits_username(self, username: Option<&str>) -> bool {
        match username {
            None => true,
            Some(crate::gitcmd::ACCESS_TOKEN_GIT_USER) => self == Family::Access,
            Some(_) => self == Family::Api,
        }
    }
}

/// `workspace-repo`, or with `-2`, `-3`, … when taken; cut to the name limit.
fn derive_name(profiles: &[Profile], t: &Target) -> Option<String> {
    let base: String = format!("{}-{}", t.workspace, t.repo)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(56)
        .collect();
    (1..100)
        .map(|i| {
            if i == 1 {
                base.clone()
            } else {
                format!("{base}-{i}")
            }
        })
        .find(|n| crate::fields::profile_name(n).is_ok() && !profiles.iter().any(|p| &p.name == n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_families() {
        let t = Target {
            workspace: "acme".into(),
            repo: "api".into(),
        };
        assert_eq!(derive_name(&[], &t).unwrap(), "acme-api");
        let taken = [Profile::new(
            "acme-api",
            TokenKind::Repository,
            "acme",
            Some("api"),
        )];
        assert_eq!(derive_name(&taken, &t).unwrap(), "acme-api-2");
        assert!(Family::Access.fits_username(Some("x-token-auth")));
        assert!(!Family::Access.fits_username(Some("alice")));
        assert!(Family::Api.fits_username(Some("alice")));
        assert!(!Family::Api.fits_username(Some("x-token-auth")));
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("a", "ab"));
    }
}
