//! Profiles and validation outcomes: plain data, shared by the CLI and the TUI.
//!
//! Nothing here does I/O. The secret never lives in these types: a profile names
//! its secret by the profile name, and only the effect that needs it fetches it.

use crate::i18n::tr;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use crate::problem::{Problem, Remedy, Step};

/// The four kinds of Bitbucket Cloud token bbtoken manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// Repository access token: one repository, Bearer auth, git user `x-token-auth`.
    Repository,
    /// Project access token: every repository of one project.
    Project,
    /// Workspace access token: every repository of the workspace (Premium).
    Workspace,
    /// User API token: Basic auth with the Atlassian account email.
    Api,
}

impl TokenKind {
    pub const ALL: [TokenKind; 4] = [
        TokenKind::Repository,
        TokenKind::Project,
        TokenKind::Workspace,
        TokenKind::Api,
    ];

    pub fn is_access_token(self) -> bool {
        !matches!(self, TokenKind::Api)
    }

    /// The word used in the config file, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Repository => "repository",
            TokenKind::Project => "project",
            TokenKind::Workspace => "workspace",
            TokenKind::Api => "api",
        }
    }

    /// A label for people, in the current language.
    pub fn label(self) -> String {
        match self {
            TokenKind::Repository => tr!("kind.repository"),
            TokenKind::Project => tr!("kind.project"),
            TokenKind::Workspace => tr!("kind.workspace"),
            TokenKind::Api => tr!("kind.api"),
        }
        .into_owned()
    }

    /// One word for a narrow column: `as_str` in English.
    pub(crate) fn short_words(self) -> String {
        match self {
            TokenKind::Repository => tr!("kind_short.repository"),
            TokenKind::Project => tr!("kind_short.project"),
            TokenKind::Workspace => tr!("kind_short.workspace"),
            TokenKind::Api => tr!("kind_short.api"),
        }
        .into_owned()
    }

    /// The `x-credential-type` value Bitbucket reports for this kind.
    pub fn credential_type(self) -> &'static str {
        match self {
            TokenKind::Repository => "repo_access_token",
            TokenKind::Project => "project_access_token",
            TokenKind::Workspace => "workspace_access_token",
            TokenKind::Api => "api_token",
        }
    }

    pub(crate) fn from_credential_type(value: &str) -> Option<TokenKind> {
        TokenKind::ALL
            .into_iter()
            .find(|k| k.credential_type() == value)
    }
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One token profile as stored in the profiles file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub kind: TokenKind,
    pub workspace: String,
    /// Repository slug: the token's repository, or the one used to validate
    /// project and workspace tokens and the default target of commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Project key (project access tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// `<id>@bots.bitbucket.org` (access tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_email: Option<String>,
    /// Atlassian account email (API tokens: the REST API authenticates with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Bitbucket username (API tokens: used as the git username when known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub created: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_validation: Option<Outcome>,
    /// The last outcome that said something about the token (valid, or a
    /// token problem), kept when a later one could not tell (network, store,
    /// rate limit, server trouble): "the network is down" must not erase
    /// "this token was revoked". `None` while `last_validation` is itself
    /// conclusive, or when there never was a conclusive one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_conclusive: Option<Outcome>,
    /// Bumped by every operation that changes the secret or the reach (kind,
    /// workspace, repository, email). A validation records its outcome only
    /// if the revision is still the one it started with, so the late outcome
    /// of an old token never lands on a new one.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Profile {
    /// A profile with only the required facts; every optional field empty.
    pub fn new(name: &str, kind: TokenKind, workspace: &str, repo: Option<&str>) -> Profile {
        Profile {
            name: name.into(),
            kind,
            workspace: workspace.into(),
            repo: repo.map(str::to_string),
            project: None,
            bot_email: None,
            email: None,
            username: None,
            expires: None,
            note: None,
            created: Utc::now(),
            last_validation: None,
            last_conclusive: None,
            revision: 0,
        }
    }

    /// Whether a validation of `other` also speaks for this profile: same
    /// kind, workspace, repository and account email. Edits that change
    /// any of these make the last outcome stale.
    pub(crate) fn same_reach(&self, other: &Profile) -> bool {
        (self.kind, &self.workspace, &self.repo, &self.email)
            == (other.kind, &other.workspace, &other.repo, &other.email)
    }

    /// Records a new outcome. An inconclusive one (it says nothing about the
    /// token) keeps the last conclusive one beside it in `last_conclusive`.
    pub fn record(&mut self, outcome: Outcome) {
        if outcome.status.is_conclusive() {
            self.last_conclusive = None;
        } else {
            let previous = self.last_validation.take();
            if let Some(p) = previous.filter(|p| p.status.is_conclusive()) {
                self.last_conclusive = Some(p);
            }
        }
        self.last_validation = Some(outcome);
    }

    /// The profile as the profiles file keeps it: what a person configures,
    /// without what bbtoken learned (outcomes, revision), which lives in the
    /// state file. A new learned field must be cleared here and carried in
    /// `store::state`.
    pub(crate) fn config_only(&self) -> Profile {
        Profile {
            last_validation: None,
            last_conclusive: None,
            revision: 0,
            ..self.clone()
        }
    }

    /// Forgets every outcome: they were about another token or target.
    pub(crate) fn forget_outcomes(&mut self) {
        self.last_validation = None;
        self.last_conclusive = None;
    }

    /// Days until expiry (negative once expired), when an expiry date is known.
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        self.expires.map(|d| (d - today).num_days())
    }

    /// The bot email to use: the one entered, else the unconfirmed candidate seen
    /// in the last Get Repository answer.
    pub(crate) fn bot_email_or_candidate(&self) -> Option<(String, bool)> {
        if let Some(e) = &self.bot_email {
            return Some((e.clone(), true));
        }
        // From the newest outcome that reached Bitbucket: a later store or
        // network error has no repository facts and must not hide them.
        crate::describe::repo_facts(self)
            .and_then(|r| r.bot_id_candidate.as_ref())
            .map(|id| (format!("{id}@bots.bitbucket.org"), false))
    }
}

/// Countdown text for an expiry: "12 d", "today", "expired", or "—" when unknown.
pub(crate) fn expiry_countdown(days_left: Option<i64>) -> String {
    match days_left {
        None => "—".to_string(),
        Some(d) if d < 0 => tr!("time.expired").into_owned(),
        Some(0) => tr!("time.today").into_owned(),
        Some(d) => tr!("time.days", n = d).into_owned(),
    }
}

/// Exactly one status per validation, as named in the CLI's JSON and exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Valid,
    Invalid,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    NetworkError,
    BadResponse,
    StoreError,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Forbidden => "forbidden",
            Status::NotFound => "not_found",
            Status::RateLimited => "rate_limited",
            Status::ServerError => "server_error",
            Status::NetworkError => "network_error",
            Status::BadResponse => "bad_response",
            Status::StoreError => "store_error",
        }
    }

    pub const ALL: [Status; 9] = [
        Status::Valid,
        Status::Invalid,
        Status::Forbidden,
        Status::NotFound,
        Status::RateLimited,
        Status::ServerError,
        Status::NetworkError,
        Status::BadResponse,
        Status::StoreError,
    ];

    /// A symbol that reads without colour, for badges.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Valid => "✓",
            Status::Invalid | Status::Forbidden | Status::NotFound => "✗",
            _ => "!",
        }
    }

    /// Failures of the token or its reach, as opposed to passing trouble
    /// (network, rate limit, server) that says nothing about the token.
    pub(crate) fn is_token_problem(self) -> bool {
        matches!(self, Status::Invalid | Status::Forbidden | Status::NotFound)
    }

    /// Whether the outcome says something about the token: it is valid, or
    /// it has a problem. Network, server, rate-limit and store trouble do not.
    pub(crate) fn is_conclusive(self) -> bool {
        self == Status::Valid || self.is_token_problem()
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Facts about the repository from a Get Repository answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoFacts {
    pub full_name: String,
    pub is_private: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_branch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_key: Option<String>,
    /// The user part of the https clone link: possibly the bot id (unconfirmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_id_candidate: Option<String>,
}

/// The rate-limit headers Bitbucket sends for access tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RateLimit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near_limit: Option<bool>,
}

/// The outcome of one validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "OutcomeWire", into = "OutcomeWire")]
pub struct Outcome {
    pub status: Status,
    /// Why it is not valid (`None` when it is).
    pub problem: Option<Problem>,
    pub http_status: Option<u16>,
    /// Granted scopes (`x-oauth-scopes`), when the header was present.
    pub scopes: Option<Vec<String>>,
    pub credential_type: Option<String>,
    pub repository: Option<RepoFacts>,
    pub rate_limit: Option<RateLimit>,
    pub message: String,
    pub remedy: Option<Remedy>,
    /// The warnings' English words: what JSON and the state file carry.
    pub warnings: Vec<String>,
    /// The same warnings, typed ([`crate::warning`]), for the user's
    /// language; empty for an outcome recorded before the types.
    pub warning_kinds: Vec<crate::warning::Warning>,
    pub checked_at: DateTime<Utc>,
}

impl Outcome {
    /// An outcome with only a status, the words for it and what to do; its
    /// problem is the one the status implies until the caller refines it.
    pub fn bare(status: Status, message: impl Into<String>, remedy: Option<Remedy>) -> Outcome {
        Outcome {
            status,
            problem: Problem::of_status(status),
            http_status: None,
            scopes: None,
            credential_type: None,
            repository: None,
            rate_limit: None,
            message: message.into(),
            remedy,
            warnings: Vec::new(),
            warning_kinds: Vec::new(),
            checked_at: Utc::now(),
        }
    }

    /// The same outcome with its problem kind set.
    pub(crate) fn with_problem(mut self, problem: Problem) -> Outcome {
        self.problem = Some(problem);
        self
    }
}

/// An outcome as the profiles file and JSON hold it: the remedy as its
/// command words (`remedy`, which scripts read) and its step
/// (`remedy_kind`). Outcomes recorded before `problem` existed get it from
/// their status and words ([`Problem::from_status`]).
#[derive(Serialize, Deserialize)]
struct OutcomeWire {
    status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    problem: Option<Problem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credential_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    repository: Option<RepoFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rate_limit: Option<RateLimit>,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remedy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remedy_kind: Option<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warning_kinds: Vec<crate::warning::Warning>,
    checked_at: DateTime<Utc>,
}

impl From<OutcomeWire> for Outcome {
    fn from(w: OutcomeWire) -> Outcome {
        let problem = w.problem.or_else(|| {
            Problem::from_status(w.status, &w.message, w.remedy.as_deref().unwrap_or(""))
        });
        Outcome {
            status: w.status,
            // A valid outcome has no problem, whatever the file says.
            problem: problem.filter(|_| w.status != Status::Valid),
            http_status: w.http_status,
            scopes: w.scopes,
            credential_type: w.credential_type,
            repository: w.repository,
            rate_limit: w.rate_limit,
            message: w.message,
            remedy: w.remedy.map(|r| Remedy::from_words(&r, w.remedy_kind)),
            warnings: w.warnings,
            warning_kinds: w.warning_kinds,
            checked_at: w.checked_at,
        }
    }
}

impl From<Outcome> for OutcomeWire {
    fn from(o: Outcome) -> OutcomeWire {
        OutcomeWire {
            status: o.status,
            problem: o.problem,
            http_status: o.http_status,
            scopes: o.scopes,
            credential_type: o.credential_type,
            repository: o.repository,
            rate_limit: o.rate_limit,
            message: o.message,
            remedy_kind: o.remedy.as_ref().and_then(|r| r.step),
            remedy: o.remedy.map(|r| r.command_words()),
            warnings: o.warnings,
            warning_kinds: o.warning_kinds,
            checked_at: o.checked_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_words() {
        assert_eq!(expiry_countdown(None), "—");
        assert_eq!(expiry_countdown(Some(-1)), "expired");
        assert_eq!(expiry_countdown(Some(0)), "today");
        assert_eq!(expiry_countdown(Some(12)), "12 d");
    }

    #[test]
    fn credential_type_round_trips() {
        for k in TokenKind::ALL {
            assert_eq!(
                TokenKind::from_credential_type(k.credential_type()),
                Some(k)
            );
        }
        assert_eq!(TokenKind::from_credential_type("app_password"), None);
    }

    #[test]
    fn inconclusive_outcome_keeps_the_last_conclusive_one() {
        let mut p = Profile::new("p", TokenKind::Repository, "w", Some("r"));
        p.record(Outcome::bare(Status::NetworkError, "down", None));
        assert_eq!(p.last_conclusive, None);
        p.record(Outcome::bare(Status::Invalid, "revoked", None));
        assert_eq!(p.last_conclusive, None);
        p.record(Outcome::bare(Status::NetworkError, "down", None));
        p.record(Outcome::bare(Status::StoreError, "locked", None));
        assert_eq!(
            p.last_validation.as_ref().unwrap().status,
            Status::StoreError
        );
        assert_eq!(p.last_conclusive.as_ref().unwrap().message, "revoked");
        p.record(Outcome::bare(Status::Valid, "ok", None));
        assert_eq!(p.last_conclusive, None);
        p.record(Outcome::bare(Status::RateLimited, "slow down", None));
        assert_eq!(p.last_conclusive.as_ref().unwrap().status, Status::Valid);
        p.forget_outcomes();
        assert_eq!((p.last_validation, p.last_conclusive), (None, None));
    }

    #[test]
    fn outcomes_keep_problem_and_remedy_through_the_file_and_json() {
        let mut o = Outcome::bare(
            Status::Invalid,
            "401",
            Some(Remedy::step("create a new token", Step::Rotate, "ci")),
        );
        o.problem = Some(Problem::Expired);
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["problem"], "expired");
        assert_eq!(json["remedy_kind"], "rotate");
        assert_eq!(
            json["remedy"],
            "create a new token; run bbtoken edit ci --secret"
        );
        let back: Outcome = serde_json::from_value(json).unwrap();
        assert_eq!(back, o);
        #[derive(Serialize, Deserialize)]
        struct File {
            o: Outcome,
        }
        let text = toml::to_string(&File { o: o.clone() }).unwrap();
        assert_eq!(toml::from_str::<File>(&text).unwrap().o, o);
        // A valid outcome has no problem, even if a file says one.
        let valid = Outcome::bare(Status::Valid, "ok", None).with_problem(Problem::Server);
        let back: Outcome = serde_json::from_value(serde_json::to_value(&valid).unwrap()).unwrap();
        assert_eq!(back.problem, None);
    }

    #[test]
    fn status_serializes_snake_case() {
        assert_eq!(
            serde_json::to_string(&Status::NotFound).unwrap(),
            "\"not_found\""
        );
        assert_eq!(Status::RateLimited.as_str(), "rate_limited");
    }
}
