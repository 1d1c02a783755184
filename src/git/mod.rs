//! bbtoken in git's own auth path and in the repository you stand in: the
//! credential-helper protocol ([`credential`]), the profile selection rules
//! ([`select`]), the git config it reads and writes by running git itself
//! ([`config`]), the repository report ([`here`]), the leak audit
//! ([`audit`]) and one-step onboarding ([`onboard`]).

pub mod audit;
pub mod config;
pub mod credential;
pub mod here;
pub mod onboard;
pub mod pasted;
pub mod remote;
pub mod run;
pub mod select;

use chrono::{DateTime, Utc};

use crate::profile::{Outcome, Profile, Remedy, Status, Step};
use crate::store::{ConfigError, ProfileFile};

/// "2026-11-24 07:40 UTC": the time in the outcomes git's verdicts record.
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The outcome `erase` records: git sent the token and the server said 401.
pub(crate) fn rejected_outcome(name: &str, at: DateTime<Utc>) -> Outcome {
    let mut o = Outcome::bare(
        Status::Invalid,
        format!("{} {}", select::REJECTED_BY_GIT, stamp(at)),
        Some(Remedy::step(
            "rotate the token (or type the new token at git's prompt), or validate it again",
            Step::Rotate,
            name,
        )),
    );
    o.checked_at = at;
    o
}

/// The outcome `store` records: git authenticated with the token. What the
/// last valid outcome knew (scopes, repository facts) stays: git's success
/// says nothing new about them.
pub(crate) fn used_outcome(profile: &Profile, at: DateTime<Utc>) -> Outcome {
    let message = format!("{} {}", select::USED_BY_GIT, stamp(at));
    let last = profile
        .last_validation
        .as_ref()
        .filter(|o| o.status.is_conclusive())
        .or(profile.last_conclusive.as_ref());
    let mut o = match last {
        Some(prev) if prev.status == Status::Valid => Outcome {
            message,
            remedy: None,
            problem: None,
            warnings: Vec::new(),
            warning_kinds: Vec::new(),
            http_status: None,
            ..prev.clone()
        },
        _ => Outcome::bare(Status::Valid, message, None),
    };
    o.checked_at = at;
    o
}

/// Records `outcome` for `checked` through the same rule as validation: only
/// if the profile on disk is still the one the verdict was about (same
/// creation, revision and reach; see [`crate::validate::still_current`]).
/// `Ok(false)` when it was stale or gone.
pub fn record(
    file: &ProfileFile,
    checked: &Profile,
    outcome: Outcome,
) -> Result<bool, ConfigError> {
    let r = file.update(|doc| {
        let done = match doc.find_mut(&checked.name) {
            Some(p) if crate::validate::still_current(checked, p) => {
                p.record(outcome);
                true
            }
            _ => false,
        };
        Ok::<_, std::convert::Infallible>(done)
    })?;
    Ok(r.unwrap_or_else(|never| match never {}))
}
