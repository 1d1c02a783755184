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

use crate::i18n::tr;
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
    pub fn describe(self) -> String {
        match self {
            Rule::Binding => tr!("git.rule.binding"),
            Rule::Repository => tr!("git.rule.repository"),
            Rule::Workspace => tr!("git.rule.workspace"),
            Rule::Username => tr!("git.rule.username"),
        }
        .into_owned()
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
pub(crate) fn is_rejected(p: &Profile) -> bool {
    p.last_validation
        .as_ref()
        .filter(|o| o.status.is_conclusive())
        .or(p.last_conclusive.as_ref())
        .is_some_and(|o| o.status == Status::Invalid)
}

/// The prefix of the message `erase` records.
pub(crate) const REJECTED_BY_GIT: &str = "rejected by git at";
/// The prefix of the message `store` records.
pub(crate) const USED_BY_GIT: &str = "used by git at";

/// Whether the request's username admits this profile.
pub(crate) fn username_admits(username: Option<&str>, p: &Profile) -> bool {
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
pub(crate) fn candidates<'p>(profiles: &'p [Profile], q: &Query) -> Vec<Choice<'p>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Outcome;

    fn p(name: &str, kind: TokenKind, ws: &str, repo: &str) -> Profile {
        Profile::new(name, kind, ws, Some(repo))
    }

    fn api(name: &str, user: Option<&str>) -> Profile {
        Profile {
            username: user.map(str::to_string),
            email: Some("dev@example.com".into()),
            ..p(name, TokenKind::Api, "acme", "web")
        }
    }

    fn with(mut p: Profile, status: Status, scopes: Option<&[&str]>) -> Profile {
        let mut o = Outcome::bare(status, "x", None);
        o.scopes = scopes.map(|s| s.iter().map(|s| s.to_string()).collect());
        p.record(o);
        p
    }

    fn q<'a>(
        ws: &'a str,
        repo: &'a str,
        user: Option<&'a str>,
        bind: Option<&'a str>,
    ) -> Query<'a> {
        Query {
            workspace: Some(ws),
            repo: Some(repo),
            username: user,
            binding: bind,
            operation: Some(Operation::Read),
            today: NaiveDate::from_ymd_opt(2026, 6, 1),
        }
    }

    fn chosen(all: &[Profile], q: &Query) -> Option<(String, Rule)> {
        choose(all, q)
            .ok()
            .map(|c| (c.profile.name.clone(), c.rule))
    }

    #[test]
    fn rules_in_order() {
        let all = vec![
            p("repo", TokenKind::Repository, "acme", "api"),
            p("proj", TokenKind::Project, "acme", "lib"),
            p("ws", TokenKind::Workspace, "acme", "web"),
            api("alice", Some("alice")),
            p("other", TokenKind::Repository, "zeta", "x"),
        ];
        let some = |n: &str, r| Some((n.to_string(), r));
        let table: &[(Query, Option<(String, Rule)>)] = &[
            (q("acme", "api", None, None), some("repo", Rule::Repository)),
            (q("acme", "API", None, None), some("repo", Rule::Repository)),
            (q("acme", "lib", None, None), some("proj", Rule::Repository)),
            (q("acme", "docs", None, None), some("ws", Rule::Workspace)),
            (
                q("acme", "api", Some("x-token-auth"), None),
                some("repo", Rule::Repository),
            ),
            (
                q("acme", "api", Some("alice"), None),
                some("alice", Rule::Username),
            ),
            (
                q("acme", "api", Some("x-bitbucket-api-token-auth"), None),
                some("alice", Rule::Username),
            ),
            (q("acme", "api", Some("bob"), None), None),
            (q("nobody", "x", None, None), None),
            (
                q("nobody", "x", None, Some("other")),
                some("other", Rule::Binding),
            ),
            (
                q("acme", "api", None, Some("missing")),
                some("repo", Rule::Repository),
            ),
            // A bound API token, but the request wants an access token.
            (q("acme", "api", Some("x-token-auth"), Some("alice")), None),
        ];
        for (query, want) in table {
            assert_eq!(&chosen(&all, query), want, "{query:?}");
        }
        // Without a username, with no access token for the workspace, an API
        // token for the workspace answers.
        let only_api = vec![api("alice", Some("alice"))];
        assert_eq!(
            chosen(&only_api, &q("acme", "api", None, None)),
            some("alice", Rule::Username)
        );
        assert_eq!(
            chosen(&only_api, &q("acme", "api", Some("x-token-auth"), None)),
            None
        );
    }

    #[test]
    fn rejected_skipped_and_valid_preferred() {
        let rejected = with(
            p("a-rejected", TokenKind::Repository, "acme", "api"),
            Status::Invalid,
            None,
        );
        let unknown = p("b-unknown", TokenKind::Repository, "acme", "api");
        let valid = with(
            p("c-valid", TokenKind::Repository, "acme", "api"),
            Status::Valid,
            Some(&["repository"]),
        );
        let no_read = with(
            p("a-noscope", TokenKind::Repository, "acme", "api"),
            Status::Valid,
            Some(&["pullrequest"]),
        );
        let query = q("acme", "api", None, None);
        let all = vec![
            rejected.clone(),
            unknown.clone(),
            valid.clone(),
            no_read.clone(),
        ];
        assert_eq!(chosen(&all, &query).unwrap().0, "c-valid");
        let all = vec![rejected.clone(), unknown.clone(), no_read.clone()];
        assert_eq!(chosen(&all, &query).unwrap().0, "b-unknown");
        let all = vec![rejected.clone(), no_read.clone()];
        assert_eq!(chosen(&all, &query).unwrap().0, "a-noscope");
        let all = vec![rejected.clone()];
        assert_eq!(choose(&all, &query).err(), Some(NoChoice::AllRejected));
        // A rejected profile after an inconclusive outcome is still rejected.
        let mut still = rejected.clone();
        still.record(Outcome::bare(Status::NetworkError, "down", None));
        assert!(is_rejected(&still));
        // A rejected binding is not replaced by another profile.
        let all = vec![rejected.clone(), valid.clone()];
        assert_eq!(
            choose(&all, &q("acme", "api", None, Some("a-rejected"))).err(),
            Some(NoChoice::BindingUnusable("a-rejected".into()))
        );
        // Candidates keep the rejected ones (store/erase compare with them).
        assert_eq!(candidates(&all, &query).len(), 2);
        // An expired profile comes after a current one.
        let mut expired = valid.clone();
        expired.name = "a-expired".into();
        expired.expires = NaiveDate::from_ymd_opt(2026, 1, 1);
        let all = vec![expired, unknown];
        assert_eq!(chosen(&all, &query).unwrap().0, "b-unknown");
    }
}
