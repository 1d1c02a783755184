//! Which profile answers git for a request: the selection rules of the
//! credential helper, in one pure function so `credential get`, `store`,
//! `erase` and `here` (the "which token will git use here" report) can never
//! disagree.
//!
//! The order (issue 8, item 1):
//! 1. the clone's explicit binding (`bbtoken.profile` in its git config);
//! 2. a repository or project profile for exactly this workspace/repo;
//! 3. a workspace profile for the workspace;
//! 4. an API token profile whose username matches the request's (with no
//!    username in the request: an API token profile for the workspace).
//!
//! A username in the request restricts every rule: `x-token-auth` admits
//! access tokens only; any other name admits the API token with that
//! username, or any API token for `x-bitbucket-api-token-auth`. Within a rule
//! a profile whose last outcome is valid and whose scopes allow the operation
//! comes first. Profiles git has rejected (or a validation found invalid) are
//! skipped until they are rotated or validate again: answering them would
//! only earn another 401, while answering nothing lets git prompt, and the
//! token typed there rotates the profile through `store`.

use chrono::NaiveDate;
use serde::Serialize;

use crate::bitbucket::scopes;
use crate::gitcmd::{ACCESS_TOKEN_GIT_USER, API_TOKEN_GIT_USER};
use crate::profile::{Profile, Status, TokenKind};

/// What git is about to do. The credential protocol does not say whether a
/// fetch or a push follows, so `get` asks for [`Operation::Read`]; `here`
/// reports for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// clone, fetch, pull.
    Read,
    /// push.
    Write,
}

/// The facts of one request, already checked (see
/// [`crate::git::credential::Request`]): nothing here is raw git input.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<'a> {
    /// Lower-cased workspace ID from `path`.
    pub workspace: Option<&'a str>,
    /// Repository slug from `path`, without `.git`.
    pub repo: Option<&'a str>,
    /// The username git sent (empty counts as none).
    pub username: Option<&'a str>,
    /// The clone's `bbtoken.profile`, when set.
    pub binding: Option<&'a str>,
    pub operation: Option<Operation>,
    /// Today, for expiry dates.
    pub today: Option<NaiveDate>,
}

/// Which rule chose a profile: `here` prints it as the "why".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Bound to this clone with `bbtoken bind`.
    Binding,
    /// A repository or project profile for exactly this repository.
    Repository,
    /// A workspace profile for this workspace.
    Workspace,
    /// An API token profile by username (or for the workspace).
    Username,
}

impl Rule {
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Binding => "bound to this clone (bbtoken bind)",
            Rule::Repository => "a repository or project profile for this repository",
            Rule::Workspace => "a workspace profile for this workspace",
            Rule::Username => "an API token profile for this username",
        }
    }
}

/// The chosen profile and why.
#[derive(Debug, Clone, Copy)]
pub struct Choice<'p> {
    pub profile: &'p Profile,
    pub rule: Rule,
}

/// Why nothing was chosen, for `BBTOKEN_DEBUG` and `here`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoChoice {
    /// The binding names a profile that git rejected or that the username
    /// rules out: bbtoken answers nothing, so git prompts.
    BindingUnusable(String),
    /// No profile fits the request.
    NoneFits,
    /// Profiles fit, but git rejected every one of them.
    AllRejected,
}

/// Whether git (or a validation) found the profile's token invalid: such a
/// profile is skipped until it is rotated (the outcome is dropped) or a
/// validation finds it valid again.
pub fn is_rejected(p: &Profile) -> bool {
    p.last_validation
        .as_ref()
        .filter(|o| o.status.is_conclusive())
        .or(p.last_conclusive.as_ref())
        .is_some_and(|o| o.status == Status::Invalid)
}

/// The prefix of the message `erase` records.
pub const REJECTED_BY_GIT: &str = "rejected by git at";
/// The prefix of the message `store` records.
pub const USED_BY_GIT: &str = "used by git at";

/// Whether the request's username admits this profile.
pub fn username_admits(username: Option<&str>, p: &Profile) -> bool {
    match username.filter(|u| !u.is_empty()) {
        None => true,
        Some(ACCESS_TOKEN_GIT_USER) => p.kind.is_access_token(),
        Some(API_TOKEN_GIT_USER) => p.kind == TokenKind::Api,
        Some(u) => p.kind == TokenKind::Api && p.username.as_deref() == Some(u),
    }
}

fn same_ws(p: &Profile, ws: Option<&str>) -> bool {
    ws.is_some_and(|w| p.workspace.eq_ignore_ascii_case(w))
}

fn same_repo(p: &Profile, repo: Option<&str>) -> bool {
    match (p.repo.as_deref(), repo) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// The rule (2–4) under which `p` fits `q`, if any; the binding is apart.
fn rule_for(p: &Profile, q: &Query) -> Option<Rule> {
    if !username_admits(q.username, p) {
        return None;
    }
    match p.kind {
        TokenKind::Repository | TokenKind::Project
            if same_ws(p, q.workspace) && same_repo(p, q.repo) =>
        {
            Some(Rule::Repository)
        }
        TokenKind::Workspace if same_ws(p, q.workspace) => Some(Rule::Workspace),
        TokenKind::Api => {
            let named = q
                .username
                .filter(|u| !u.is_empty() && *u != API_TOKEN_GIT_USER);
            match named {
                Some(u) if p.username.as_deref() == Some(u) => Some(Rule::Username),
                Some(_) => None,
                None if same_ws(p, q.workspace) => Some(Rule::Username),
                None => None,
            }
        }
        _ => None,
    }
}

/// How much a profile is preferred within its rule: lower is better.
/// 0: last outcome valid and scopes allow the operation (or are unknown);
/// 1: never validated, or only inconclusive outcomes; 2: valid, but its
/// scopes do not allow the operation; 3: forbidden / not found, or its
/// expiry date has passed.
fn rank(p: &Profile, q: &Query) -> u8 {
    let expired = matches!((p.expires, q.today), (Some(e), Some(t)) if e < t);
    let last = p
        .last_validation
        .as_ref()
        .filter(|o| o.status.is_conclusive())
        .or(p.last_conclusive.as_ref());
    let base = match last {
        None => 1,
        Some(o) if o.status == Status::Valid => {
            let allowed = match (&o.scopes, q.operation) {
                (Some(s), Some(op)) => {
                    let r = scopes::analyze(p.kind, s);
                    match op {
                        Operation::Read => r.can_clone,
                        Operation::Write => r.can_push,
                    }
                }
                _ => true,
            };
            if allowed { 0 } else { 2 }
        }
        Some(_) => 3,
    };
    if expired { 3 } else { base }
}

/// Every profile that fits the request, in the order `get` would consider
/// them (rule, then preference, then name), rejected ones included: `store`
/// and `erase` look for the credential git used among these. The bound
/// profile, when it exists, comes first.
pub fn candidates<'p>(profiles: &'p [Profile], q: &Query) -> Vec<Choice<'p>> {
    let mut out: Vec<(u8, u8, Choice<'p>)> = Vec::new();
    if let Some(b) = q.binding
        && let Some(p) = profiles.iter().find(|p| p.name == b)
    {
        out.push((
            0,
            0,
            Choice {
                profile: p,
                rule: Rule::Binding,
            },
        ));
    }
    for p in profiles {
        if out.iter().any(|(_, _, c)| std::ptr::eq(c.profile, p)) {
            continue;
        }
        if let Some(rule) = rule_for(p, q) {
            let order = match rule {
                Rule::Binding => 0,
                Rule::Repository => 1,
                Rule::Workspace => 2,
                Rule::Username => 3,
            };
            out.push((order, rank(p, q), Choice { profile: p, rule }));
        }
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2.profile.name).cmp(&(b.0, b.1, &b.2.profile.name)));
    out.into_iter().map(|(_, _, c)| c).collect()
}

/// The profile `credential get` answers with, or why there is none.
///
/// An existing binding is final: if git rejected the bound profile, or the
/// request's username rules it out, nothing is answered (git then prompts)
/// rather than quietly answering with another token. A binding that names
/// no profile is ignored. Otherwise rules 2–4 in order; within a rule the
/// best-ranked profile (valid with the right scopes first), skipping
/// rejected ones.
pub fn choose<'p>(profiles: &'p [Profile], q: &Query) -> Result<Choice<'p>, NoChoice> {
    if let Some(b) = q.binding
        && let Some(p) = profiles.iter().find(|p| p.name == b)
    {
        if is_rejected(p) || !username_admits(q.username, p) {
            return Err(NoChoice::BindingUnusable(p.name.clone()));
        }
        return Ok(Choice {
            profile: p,
            rule: Rule::Binding,
        });
    }
    let all = candidates(profiles, q);
    if all.is_empty() {
        return Err(NoChoice::NoneFits);
    }
    all.into_iter()
        .find(|c| !is_rejected(c.profile))
        .ok_or(NoChoice::AllRejected)
}
