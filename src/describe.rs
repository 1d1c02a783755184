//! Words about a profile's state that every surface shows the same way: the
//! CLI's `list`, `show` and `validate`, and the full-screen app's detail pane.
//!
//! Why one place: a result that says nothing about the token (the credential
//! store or the network was down) must never read as a verdict, and the last
//! conclusive result must stay visible next to it. If each surface phrased
//! that itself, they would drift. The same goes for the bot email that
//! disagrees with the one Bitbucket's clone link shows.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::bitbucket::scopes;
use crate::i18n::tr;
use crate::profile::{Outcome, Profile, RepoFacts, Status, TokenKind, expiry_countdown};
use crate::timefmt;
use crate::validate::is_store_wide;

/// How a fact reads at a glance: each surface maps it to its own colour
/// (the words always say the same without colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Muted,
    Plain,
}

impl Tone {
    /// A validation status: valid is good, a verdict against the token is
    /// bad, passing trouble (network, store, rate limit) is a warning.
    pub(crate) fn of_status(s: Status) -> Tone {
        match s {
            Status::Valid => Tone::Good,
            s if s.is_token_problem() => Tone::Bad,
            _ => Tone::Warn,
        }
    }
}

/// What the user can do about a fact. Each surface names it in its own
/// words: the CLI a command line, the full-screen app a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Next {
    Validate,
    SetBotEmail,
    /// Take the bot email the clone link suggested as the user's own.
    AcceptBotEmail,
    SetExpiry,
    /// Open the token's page in a browser (the app); the CLI shows the URL.
    OpenPage,
    /// Change the profile's kind to the one Bitbucket reported.
    SetKind(TokenKind),
}

impl Next {
    /// The command line that does it, for the CLI; `None` when the fact
    /// itself is what to use (a URL).
    pub fn command(self, profile: &str) -> Option<String> {
        Some(match self {
            Next::Validate => format!("bbtoken validate {profile}"),
            Next::SetBotEmail => format!("bbtoken edit {profile} --bot-email ADDRESS"),
            Next::AcceptBotEmail => format!("bbtoken edit {profile} --bot-email suggested"),
            Next::SetExpiry => format!("bbtoken edit {profile} --expires YYYY-MM-DD"),
            Next::OpenPage => return None,
            Next::SetKind(k) => format!("bbtoken edit {profile} --kind {k}"),
        })
    }
}

/// What a fact is about: each surface says it in the current language
/// ([`Label::words`]), and finds a fact by it (to put the token after the
/// git username, or show a validation in flight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Kind,
    Workspace,
    Repository,
    Project,
    Status,
    Message,
    LastVerdict,
    WhatToDo,
    Expires,
    TokenPage,
    BotEmail,
    Email,
    Username,
    GitUsername,
    /// The secret, masked: only `show` adds it.
    Token,
    Note,
    Scopes,
    Clone,
    Push,
    BeyondGit,
    Credential,
    Warning,
    RepoFacts,
    RateLimit,
    Created,
}

impl Label {
    pub fn words(self) -> String {
        match self {
            Label::Kind => tr!("fact.kind"),
            Label::Workspace => tr!("fact.workspace"),
            Label::Repository => tr!("fact.repository"),
            Label::Project => tr!("fact.project"),
            Label::Status => tr!("fact.status"),
            Label::Message => tr!("fact.message"),
            Label::LastVerdict => tr!("fact.last_verdict"),
            Label::WhatToDo => tr!("fact.what_to_do"),
            Label::Expires => tr!("fact.expires"),
            Label::TokenPage => tr!("fact.token_page"),
            Label::BotEmail => tr!("fact.bot_email"),
            Label::Email => tr!("fact.email"),
            Label::Username => tr!("fact.username"),
            Label::GitUsername => tr!("fact.git_username"),
            Label::Token => tr!("fact.token"),
            Label::Note => tr!("fact.note"),
            Label::Scopes => tr!("fact.scopes"),
            Label::Clone => tr!("fact.clone"),
            Label::Push => tr!("fact.push"),
            Label::BeyondGit => tr!("fact.beyond_git"),
            Label::Credential => tr!("fact.credential"),
            Label::Warning => tr!("fact.warning"),
            Label::RepoFacts => tr!("fact.repo_facts"),
            Label::RateLimit => tr!("fact.rate_limit"),
            Label::Created => tr!("fact.created"),
        }
        .into_owned()
    }
}

/// A status in the current language: the JSON and the state file keep
/// [`Status::as_str`], which is also the English.
pub(crate) fn status_words(s: Status) -> String {
    match s {
        Status::Valid => tr!("status.valid"),
        Status::Invalid => tr!("status.invalid"),
        Status::Forbidden => tr!("status.forbidden"),
        Status::NotFound => tr!("status.not_found"),
        Status::RateLimited => tr!("status.rate_limited"),
        Status::ServerError => tr!("status.server_error"),
        Status::NetworkError => tr!("status.network_error"),
        Status::BadResponse => tr!("status.bad_response"),
        Status::StoreError => tr!("status.store_error"),
    }
    .into_owned()
}

/// One labelled line about a profile: `show` prints these as a table, the
/// app's detail pane as lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub label: Label,
    pub value: String,
    pub tone: Tone,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Next>,
}

impl Fact {
    pub fn new(label: Label, value: impl Into<String>, tone: Tone) -> Fact {
        Fact {
            label,
            value: value.into(),
            tone,
            next: None,
        }
    }

    fn plain(label: Label, value: impl Into<String>) -> Fact {
        Fact::new(label, value, Tone::Plain)
    }

    fn then(mut self, next: Next) -> Fact {
        self.next = Some(next);
        self
    }
}

/// What to do about an outcome, in the command line's words. The app's
/// detail pane replaces this fact's value with the same remedy in its keys
/// (`ui::remedy::words`), found by its label ([`Label::WhatToDo`]).
pub(crate) fn remedy_words(o: &Outcome) -> Option<String> {
    o.remedy.as_ref().map(|r| r.command_words())
}

/// What an outcome says, in the current language: the recorded message (kept
/// in English: the state file and JSON carry it for scripts) in English,
/// the problem kind's words in Japanese, with the recorded text after it
/// when it adds a detail (a server's words, a scope).
pub fn outcome_message(o: &Outcome) -> String {
    if crate::i18n::current() == crate::i18n::Lang::En {
        return o.message.clone();
    }
    match (o.status, o.problem, &o.repository) {
        (Status::Valid, _, Some(r)) => tr!("outcome.can_read", repo = r.full_name).into_owned(),
        (Status::Valid, _, None) => tr!(
            "describe.with_detail",
            words = tr!("outcome.valid"),
            detail = o.message
        )
        .into_owned(),
        (_, Some(p), _) => tr!(
            "describe.with_detail",
            words = p.words(),
            detail = o.message
        )
        .into_owned(),
        _ => o.message.clone(),
    }
}

/// What to do about an outcome, in the current language, naming no command
/// and no key (each surface adds its own): the recorded advice in English;
/// in Japanese the problem kind's advice, the recorded advice after it.
pub(crate) fn advice_words(o: &Outcome) -> Option<String> {
    let r = o.remedy.as_ref()?;
    Some(match o.problem {
        // The recorded advice may name what the kind cannot (an email, a
        // scope): it follows as the detail, as with the message.
        Some(p) if crate::i18n::current() != crate::i18n::Lang::En && !r.advice.is_empty() => tr!(
            "describe.with_detail",
            words = p.advice(),
            detail = r.advice
        )
        .into_owned(),
        _ => r.advice.clone(),
    })
}

/// A scope as Atlassian's pages name it in the current language: the
/// Japanese pages say "リポジトリ読み取り (repository)"; the id stays, as it
/// is what Bitbucket's token form shows next to it.
pub(crate) fn scope_words(scope: &str) -> String {
    match scope {
        "repository" => tr!("scope.repository", id = scope).into_owned(),
        "repository:write" => tr!("scope.repository_write", id = scope).into_owned(),
        _ => scope.to_string(),
    }
}

/// The outcome whose scopes and credential type are the last seen from
/// Bitbucket: a store or network error learned none, and must not hide them.
pub(crate) fn seen_outcome(p: &Profile) -> Option<&Outcome> {
    let o = p.last_validation.as_ref()?;
    Some(match &p.last_conclusive {
        Some(c) if o.scopes.is_none() && o.credential_type.is_none() => c,
        _ => o,
    })
}

/// The scopes last seen and what they allow, when known.
pub fn access(p: &Profile) -> Option<(&[String], scopes::ScopeReport)> {
    let s = seen_outcome(p)?.scopes.as_deref()?;
    Some((s, scopes::analyze(p.kind, s)))
}

/// A repository as validation saw it, in one line:
/// "acme/api · private · main branch main · project PRJ". An empty
/// repository has no main branch, and says so.
pub(crate) fn repo_summary(r: &RepoFacts) -> String {
    let mut parts = vec![r.full_name.clone()];
    parts.push(
        match r.is_private {
            Some(true) => tr!("repo.private"),
            Some(false) => tr!("repo.public"),
            None => tr!("repo.visibility_unknown"),
        }
        .into_owned(),
    );
    parts.push(match &r.main_branch {
        Some(b) => tr!("repo.main_branch", branch = b).into_owned(),
        None => tr!("repo.empty").into_owned(),
    });
    if let Some(k) = &r.project_key {
        parts.push(tr!("repo.project", key = k).into_owned());
    }
    parts.join(" · ")
}

/// The status in one line with its symbol and HTTP status, or "never
/// validated": what `show`, the detail pane and `here` print.
pub(crate) fn status_summary(p: &Profile, now: DateTime<Utc>) -> (String, Tone) {
    match &p.last_validation {
        None => (
            format!("· {}", tr!("describe.never_validated")),
            Tone::Muted,
        ),
        Some(o) => (
            format!(
                "{} {}{}",
                o.status.symbol(),
                status_line(p, now).unwrap_or_default(),
                // After a dot: the line already ends in brackets ("(2 h ago)").
                o.http_status
                    .map(|s| format!(" · HTTP {s}"))
                    .unwrap_or_default(),
            ),
            Tone::of_status(o.status),
        ),
    }
}

/// Expired is bad, two weeks or less a warning.
pub(crate) fn expiry_tone(days: Option<i64>, window: u32) -> Tone {
    match days {
        Some(d) if d < 0 => Tone::Bad,
        Some(d) if d <= i64::from(window) => Tone::Warn,
        _ => Tone::Plain,
    }
}

/// Everything known about a profile, as labelled values with a tone, in
/// the order every surface shows them. The secret is not among them: only
/// the CLI reads it (and adds its own line). An expiry within `window` days
/// is a warning (the expiry alarm's window).
pub fn facts(p: &Profile, now: DateTime<Utc>, window: u32) -> Vec<Fact> {
    let mut out = vec![
        Fact::plain(Label::Kind, p.kind.label()),
        Fact::plain(Label::Workspace, &p.workspace),
    ];
    if let Some(r) = &p.repo {
        out.push(Fact::plain(Label::Repository, r));
    }
    if let Some(k) = &p.project {
        out.push(Fact::plain(Label::Project, k));
    }
    // The verdict first: it is what a look at a profile is for.
    let (status, tone) = status_summary(p, now);
    let last = p.last_validation.as_ref();
    match last {
        None => out.push(Fact::new(Label::Status, status, tone).then(Next::Validate)),
        Some(o) => {
            out.push(Fact::new(Label::Status, status, tone));
            out.push(Fact::plain(Label::Message, outcome_message(o)));
            if let Some(c) = &p.last_conclusive
                && !o.status.is_conclusive()
            {
                out.push(Fact::new(
                    Label::LastVerdict,
                    format!("{}: {}", status_words(c.status), outcome_message(c)),
                    Tone::of_status(c.status),
                ));
            }
            if let Some(r) = remedy_words(o) {
                out.push(Fact::plain(Label::WhatToDo, r));
            }
        }
    }
    let days = p.days_left(now.date_naive());
    out.push(match p.expires {
        Some(d) => Fact::new(
            Label::Expires,
            format!("{d} ({})", expiry_countdown(days)),
            expiry_tone(days, window),
        ),
        None => Fact::new(Label::Expires, tr!("describe.expires_unknown"), Tone::Muted)
            .then(Next::SetExpiry),
    });
    if let Some(page) = crate::links::token_page(p) {
        let value = match page.then {
            Some(then) => tr!("describe.page_then", url = page.url, then = then).into_owned(),
            None => page.url,
        };
        out.push(Fact::plain(Label::TokenPage, value).then(Next::OpenPage));
    }
    identity(p, &mut out);
    if let Some(n) = &p.note {
        out.push(Fact::plain(Label::Note, n));
    }
    if let Some((s, rep)) = access(p) {
        out.push(Fact::plain(
            Label::Scopes,
            if s.is_empty() {
                tr!("describe.scopes_none").into_owned()
            } else {
                s.join(", ")
            },
        ));
        let can = |label, ok: bool, scope: &str| {
            let scope = scope_words(scope);
            if ok {
                Fact::new(label, tr!("describe.can_yes", scope = scope), Tone::Good)
            } else {
                Fact::new(label, tr!("describe.can_no", scope = scope), Tone::Bad)
            }
        };
        out.push(can(Label::Clone, rep.can_clone, scopes::read_scope(p.kind)));
        out.push(can(Label::Push, rep.can_push, scopes::write_scope(p.kind)));
        if !rep.beyond_git.is_empty() {
            out.push(Fact::new(
                Label::BeyondGit,
                rep.beyond_git.join(", "),
                Tone::Warn,
            ));
        }
    }
    if let Some(c) = seen_outcome(p).and_then(|o| o.credential_type.as_ref()) {
        out.push(Fact::plain(Label::Credential, c));
    }
    if let Some(seen) = kind_seen(p) {
        out.push(
            Fact::new(Label::Warning, kind_words(p, seen), Tone::Warn).then(Next::SetKind(seen)),
        );
    }
    if let Some(r) = repo_facts(p) {
        out.push(Fact::plain(Label::RepoFacts, repo_summary(r)));
    }
    if let Some(o) = last {
        for w in o.warning_words() {
            out.push(Fact::new(Label::Warning, w, Tone::Warn));
        }
        if o.status == Status::RateLimited
            && let Some(l) = o.rate_limit.as_ref().and_then(|rl| rl.limit)
        {
            out.push(Fact::plain(
                Label::RateLimit,
                tr!("describe.per_hour", limit = l),
            ));
        }
    }
    out.push(Fact::new(
        Label::Created,
        p.created.format("%Y-%m-%d %H:%M UTC").to_string(),
        Tone::Muted,
    ));
    out
}

/// Who git and commits act as: the bot email of an access token, the
/// email and username of an API token, and the git username.
fn identity(p: &Profile, out: &mut Vec<Fact>) {
    if p.kind.is_access_token() {
        out.push(match p.bot_email_or_candidate() {
            Some((e, true)) => Fact::plain(Label::BotEmail, e),
            Some((e, false)) => Fact::new(
                Label::BotEmail,
                tr!("describe.bot_unconfirmed", email = e),
                Tone::Warn,
            )
            .then(Next::AcceptBotEmail),
            None => Fact::new(Label::BotEmail, tr!("describe.bot_not_set"), Tone::Muted)
                .then(Next::SetBotEmail),
        });
        if let Some(m) = bot_email_mismatch(p) {
            out.push(Fact::new(Label::Warning, m, Tone::Warn));
        }
    } else {
        out.push(match &p.email {
            Some(e) => Fact::plain(Label::Email, e),
            None => Fact::new(Label::Email, tr!("describe.email_not_set"), Tone::Bad),
        });
        out.push(match &p.username {
            Some(u) => Fact::plain(Label::Username, u),
            None => Fact::new(Label::Username, tr!("describe.not_set"), Tone::Muted),
        });
    }
    out.push(Fact::plain(
        Label::GitUsername,
        crate::gitcmd::git_username(p),
    ));
}

/// What an inconclusive outcome means, in a few words ("credential store
/// unavailable"); `None` for an outcome that is a verdict on the token.
pub(crate) fn inconclusive_words(o: &Outcome) -> Option<String> {
    Some(
        match o.status {
            Status::Valid | Status::Invalid | Status::Forbidden | Status::NotFound => return None,
            Status::StoreError if is_store_wide(o) => tr!("describe.store_unavailable"),
            Status::StoreError => tr!("describe.secret_unreadable"),
            Status::NetworkError => tr!("describe.unreachable"),
            Status::RateLimited => tr!("describe.rate_limited"),
            Status::ServerError => tr!("describe.server_error"),
            Status::BadResponse => tr!("describe.bad_response"),
        }
        .into_owned(),
    )
}

/// The profile's status in one line, for `show`, `validate` and the app:
/// "last checked valid 2 h ago · now: credential store unavailable" when the
/// newest outcome says nothing about the token and an older one did;
/// "valid (2 h ago)" otherwise; `None` when never validated.
pub(crate) fn status_line(p: &Profile, now: DateTime<Utc>) -> Option<String> {
    let last = p.last_validation.as_ref()?;
    Some(
        match (inconclusive_words(last), &p.last_conclusive) {
            (Some(words), Some(c)) => tr!(
                "describe.last_checked",
                status = status_words(c.status),
                ago = timefmt::relative(c.checked_at, now),
                now = words
            ),
            (Some(words), None) => tr!(
                "describe.never_conclusive",
                now = words,
                ago = timefmt::relative(last.checked_at, now)
            ),
            (None, _) => tr!(
                "describe.status_ago",
                status = status_words(last.status),
                ago = timefmt::relative(last.checked_at, now)
            ),
        }
        .into_owned(),
    )
}

/// The short form for a table cell (`list`): "valid · now: credential store
/// unavailable", or just the status.
pub(crate) fn status_cell(p: &Profile) -> Option<(String, Status)> {
    let last = p.last_validation.as_ref()?;
    Some(match (inconclusive_words(last), &p.last_conclusive) {
        (Some(words), Some(c)) => (
            tr!(
                "describe.cell_now",
                symbol = c.status.symbol(),
                status = status_words(c.status),
                now = words
            )
            .into_owned(),
            last.status,
        ),
        _ => (
            format!("{} {}", last.status.symbol(), status_words(last.status)),
            last.status,
        ),
    })
}

/// The repository facts of the newest outcome that has them: an outcome that
/// could not reach Bitbucket has none, and must not hide what was seen.
pub(crate) fn repo_facts(p: &Profile) -> Option<&RepoFacts> {
    [&p.last_validation, &p.last_conclusive]
        .into_iter()
        .flatten()
        .find_map(|o| o.repository.as_ref())
}

/// When the bot email entered differs from the id in the clone link that
/// validation saw: what to tell the user. Bitbucket's token page is the one to
/// trust; commits made with the wrong email carry the wrong identity.
pub fn bot_email_mismatch(p: &Profile) -> Option<String> {
    if !p.kind.is_access_token() {
        return None;
    }
    let entered = p.bot_email.as_deref()?;
    let seen = repo_facts(p)?.bot_id_candidate.as_deref()?;
    let entered_id = entered.split('@').next().unwrap_or(entered);
    if entered_id.eq_ignore_ascii_case(seen) {
        return None;
    }
    Some(
        tr!(
            "describe.bot_mismatch",
            entered = entered,
            seen = seen,
            name = p.name
        )
        .into_owned(),
    )
}

/// The kind Bitbucket's `x-credential-type` reported, when it is not the
/// profile's: a repository token added as a workspace token, say. Validation
/// of such a profile may well pass, so this is said, not a verdict.
pub(crate) fn kind_seen(p: &Profile) -> Option<TokenKind> {
    let ct = seen_outcome(p)?.credential_type.as_deref()?;
    TokenKind::from_credential_type(ct).filter(|k| *k != p.kind)
}

fn kind_words(p: &Profile, seen: TokenKind) -> String {
    tr!(
        "describe.kind_seen",
        seen = seen.label(),
        kind = p.kind.label()
    )
    .into_owned()
}

/// The kind disagreement in the CLI's words, with the command that fixes it.
pub(crate) fn kind_correction(p: &Profile) -> Option<String> {
    let seen = kind_seen(p)?;
    Some(format!(
        "{}: {}",
        kind_words(p, seen),
        Next::SetKind(seen).command(&p.name)?
    ))
}

/// When an access token's bot email is not set but validation saw one in the
/// clone link: the suggestion, and how to accept it. Said at display time,
/// not recorded, so it goes away the moment the user sets the email.
pub fn bot_email_suggestion(p: &Profile) -> Option<String> {
    match p.bot_email_or_candidate()? {
        (email, false) if p.kind.is_access_token() => {
            Some(tr!("describe.bot_suggestion", email = email, name = p.name).into_owned())
        }
        _ => None,
    }
}

/// When commands aimed at `workspace/repo` would fail because the token
/// cannot reach that repository: what to tell the user. One function for the
/// CLI's `commands --repo` and the app's `t`, so both surfaces warn alike.
///
/// A repository token reaches its own repository only; project and workspace
/// tokens stay inside their workspace (a project token's project cannot be
/// checked offline, so only the workspace is). An API token acts as its user,
/// who may reach any workspace: no warning.
pub fn reach_warning(p: &Profile, workspace: &str, repo: &str) -> Option<String> {
    let same_ws = workspace.eq_ignore_ascii_case(&p.workspace);
    match p.kind {
        TokenKind::Api => None,
        TokenKind::Repository => {
            let own = p.repo.as_deref().unwrap_or("?");
            if same_ws
                && p.repo
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(repo))
            {
                return None;
            }
            Some(
                tr!(
                    "describe.reach_repo",
                    name = p.name,
                    workspace = p.workspace,
                    own = own,
                    target = format!("{workspace}/{repo}")
                )
                .into_owned(),
            )
        }
        TokenKind::Project | TokenKind::Workspace if same_ws => None,
        TokenKind::Project | TokenKind::Workspace => Some(
            tr!(
                "describe.reach_workspace",
                name = p.name,
                kind = p.kind.label(),
                workspace = p.workspace,
                target = format!("{workspace}/{repo}")
            )
            .into_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn facts(id: &str) -> RepoFacts {
        RepoFacts {
            full_name: "acme/api".into(),
            is_private: Some(true),
            main_branch: None,
            project_key: None,
            bot_id_candidate: Some(id.into()),
        }
    }

    #[test]
    fn inconclusive_now_shows_the_last_verdict_too() {
        let now = Utc::now();
        let mut p = Profile::new("p", TokenKind::Repository, "acme", Some("api"));
        assert_eq!(status_line(&p, now), None);
        let mut valid = Outcome::bare(Status::Valid, "ok", None);
        valid.checked_at = now - Duration::hours(2);
        valid.http_status = Some(200);
        p.record(valid);
        assert_eq!(status_line(&p, now).unwrap(), "valid (2 h ago)");
        // The HTTP status after a dot, not in a second pair of brackets.
        assert_eq!(
            status_summary(&p, now),
            ("✓ valid (2 h ago) · HTTP 200".to_string(), Tone::Good)
        );
        p.record(Outcome::bare(
            Status::StoreError,
            "the secret-service credential store is not available: x",
            None,
        ));
        assert_eq!(
            status_line(&p, now).unwrap(),
            "last checked valid 2 h ago · now: credential store unavailable"
        );
        assert_eq!(
            status_cell(&p).unwrap().0,
            "✓ valid · now: credential store unavailable"
        );
        let mut fresh = Profile::new("q", TokenKind::Repository, "acme", Some("api"));
        fresh.record(Outcome::bare(Status::NetworkError, "down", None));
        assert!(
            status_line(&fresh, now)
                .unwrap()
                .starts_with("never checked conclusively · now: Bitbucket could not be reached")
        );
    }

    fn find(facts: &[Fact], label: Label) -> Option<&Fact> {
        facts.iter().find(|f| f.label == label)
    }

    /// A Japanese surface says an outcome and its advice from the problem
    /// kind, with the recorded (English) words after as the detail; English
    /// says the recorded words as they are.
    #[test]
    fn outcomes_are_said_in_the_language_from_their_kinds() {
        use crate::i18n::{Lang, with_lang};
        use crate::problem::{Problem, Remedy, Step};
        let o = Outcome::bare(
            Status::Forbidden,
            "the token lacks the scope read:repository:bitbucket",
            Some(Remedy::step(
                "create a token with that scope",
                Step::Rotate,
                "p",
            )),
        )
        .with_problem(Problem::MissingScope);
        assert_eq!(outcome_message(&o), o.message);
        assert_eq!(advice_words(&o).unwrap(), "create a token with that scope");
        let (message, advice) = with_lang(Lang::Ja, || (outcome_message(&o), advice_words(&o)));
        assert_eq!(
            message,
            "トークンに必要なスコープがありません (the token lacks the scope read:repository:bitbucket)"
        );
        assert_eq!(
            advice.unwrap(),
            "必要なスコープを付けたトークンを作成してください (create a token with that scope)"
        );
    }

    #[test]
    fn repo_summary_has_one_wording_for_the_unknown() {
        let mut r = facts("x");
        r.is_private = None;
        assert_eq!(
            repo_summary(&r),
            "acme/api · visibility unknown · empty (no main branch)"
        );
        r.is_private = Some(false);
        r.main_branch = Some("main".into());
        r.project_key = Some("PRJ".into());
        assert_eq!(
            repo_summary(&r),
            "acme/api · public · main branch main · project PRJ"
        );
    }

    #[test]
    fn facts_of_a_profile_never_validated_say_what_to_do() {
        let now = Utc::now();
        let p = Profile::new("p", TokenKind::Repository, "acme", Some("api"));
        let f = super::facts(&p, now, 14);
        let status = find(&f, Label::Status).unwrap();
        assert_eq!(status.value, "· never validated");
        assert_eq!(
            (status.tone, status.next),
            (Tone::Muted, Some(Next::Validate))
        );
        let bot = find(&f, Label::BotEmail).unwrap();
        assert_eq!(bot.next, Some(Next::SetBotEmail));
        assert_eq!(
            find(&f, Label::Expires).unwrap().next,
            Some(Next::SetExpiry)
        );
        assert!(find(&f, Label::Message).is_none() && find(&f, Label::Scopes).is_none());
        assert_eq!(find(&f, Label::GitUsername).unwrap().value, "x-token-auth");
    }

    #[test]
    fn facts_keep_the_last_verdict_beside_passing_trouble() {
        let now = Utc::now();
        let mut p = Profile::new("p", TokenKind::Repository, "acme", Some("api"));
        let mut valid = Outcome::bare(Status::Valid, "can read acme/api", None);
        valid.scopes = Some(vec!["repository".into()]);
        valid.repository = Some(facts("x"));
        p.record(valid);
        p.record(Outcome::bare(
            Status::NetworkError,
            "down",
            Some(crate::problem::Remedy::advice("check the network")),
        ));
        let f = super::facts(&p, now, 14);
        let status = find(&f, Label::Status).unwrap();
        assert_eq!(status.tone, Tone::Warn);
        assert!(
            status.value.starts_with("! last checked valid"),
            "{status:?}"
        );
        let verdict = find(&f, Label::LastVerdict).unwrap();
        assert_eq!(
            (verdict.value.as_str(), verdict.tone),
            ("valid: can read acme/api", Tone::Good)
        );
        assert_eq!(
            find(&f, Label::WhatToDo).unwrap().value,
            "check the network"
        );
        // Scopes and repository facts as last seen, not lost to the error.
        assert_eq!(find(&f, Label::Clone).unwrap().tone, Tone::Good);
        assert_eq!(find(&f, Label::Push).unwrap().tone, Tone::Bad);
        assert!(
            find(&f, Label::RepoFacts)
                .unwrap()
                .value
                .contains("private")
        );
    }

    #[test]
    fn facts_of_an_api_token_name_its_email_and_expiry_tone() {
        let now = Utc::now();
        let mut p = Profile::new("p", TokenKind::Api, "acme", None);
        p.expires = Some(now.date_naive() + chrono::Duration::days(3));
        let f = super::facts(&p, now, 14);
        assert_eq!(find(&f, Label::Email).unwrap().tone, Tone::Bad);
        assert!(find(&f, Label::BotEmail).is_none());
        assert_eq!(find(&f, Label::Expires).unwrap().tone, Tone::Warn);
        p.expires = Some(now.date_naive() - chrono::Duration::days(1));
        assert_eq!(
            find(&super::facts(&p, now, 14), Label::Expires)
                .unwrap()
                .tone,
            Tone::Bad
        );
    }

    #[test]
    fn bot_email_mismatch_is_flagged_and_survives_a_store_error() {
        let mut p = Profile::new("p", TokenKind::Repository, "acme", Some("api"));
        p.bot_email = Some("aaaaaaaaaaaaaaaaaaaaaaaa@bots.bitbucket.org".into());
        let mut o = Outcome::bare(Status::Valid, "ok", None);
        o.repository = Some(facts("bbbbbbbbbbbbbbbbbbbbbbbb"));
        p.record(o);
        let m = bot_email_mismatch(&p).unwrap();
        assert!(m.contains("trust the token's page"), "{m}");
        assert!(
            m.contains("bbbbbbbbbbbbbbbbbbbbbbbb@bots.bitbucket.org"),
            "{m}"
        );
        p.record(Outcome::bare(Status::StoreError, "credential store", None));
        assert!(bot_email_mismatch(&p).is_some());
        p.bot_email = Some("BBBBBBBBBBBBBBBBBBBBBBBB@bots.bitbucket.org".into());
        assert_eq!(bot_email_mismatch(&p), None);
        p.bot_email = None;
        assert_eq!(bot_email_mismatch(&p), None);
    }

    #[test]
    fn reach_warning_table() {
        use TokenKind::*;
        // (kind, profile repo, target workspace, target repo, warns)
        let table: &[(TokenKind, Option<&str>, &str, &str, bool)] = &[
            (Repository, Some("api"), "acme", "api", false),
            (Repository, Some("api"), "ACME", "API", false),
            (Repository, Some("api"), "acme", "web", true),
            (Repository, Some("api"), "other", "api", true),
            (Repository, None, "acme", "api", true),
            (Workspace, Some("api"), "acme", "web", false),
            (Workspace, Some("api"), "other", "web", true),
            (Project, Some("api"), "acme", "web", false),
            (Project, Some("api"), "other", "api", true),
            (Api, Some("api"), "other", "web", false),
        ];
        for &(kind, repo, ws, target, warns) in table {
            let p = Profile::new("p", kind, "acme", repo);
            let w = reach_warning(&p, ws, target);
            assert_eq!(
                w.is_some(),
                warns,
                "{kind} {repo:?} -> {ws}/{target}: {w:?}"
            );
            if let Some(w) = w {
                assert!(w.contains(&format!("cannot reach {ws}/{target}")), "{w}");
                assert!(w.contains(&kind.label()), "{w}");
            }
        }
    }

    #[test]
    fn token_page_and_expiry_window() {
        let now = Utc::now();
        let mut p = Profile::new("p", TokenKind::Repository, "acme", Some("api"));
        p.expires = Some(now.date_naive() + chrono::Duration::days(20));
        let page = |p: &Profile| {
            find(&super::facts(p, now, 14), Label::TokenPage)
                .cloned()
                .unwrap()
        };
        let f = page(&p);
        assert_eq!(
            f.value,
            "https://bitbucket.org/acme/api/admin/access-tokens"
        );
        assert_eq!(
            (f.next, f.next.unwrap().command("p")),
            (Some(Next::OpenPage), None)
        );
        p.kind = TokenKind::Project;
        p.project = Some("CORE".into());
        assert!(
            page(&p)
                .value
                .ends_with("(then open Project settings → Security → Access tokens)")
        );
        let tone = |w| {
            find(&super::facts(&p, now, w), Label::Expires)
                .unwrap()
                .tone
        };
        assert_eq!(
            (tone(14), tone(20), tone(30)),
            (Tone::Plain, Tone::Warn, Tone::Warn)
        );
    }

    #[test]
    fn an_unconfirmed_bot_email_can_be_accepted() {
        let mut p = Profile::new("p", TokenKind::Repository, "acme", Some("api"));
        let mut o = Outcome::bare(Status::Valid, "ok", None);
        o.repository = Some(facts("abc"));
        p.record(o);
        let f = super::facts(&p, Utc::now(), 14);
        let bot = find(&f, Label::BotEmail).unwrap();
        assert_eq!(bot.next, Some(Next::AcceptBotEmail));
        assert_eq!(
            bot.next.unwrap().command("p").unwrap(),
            "bbtoken edit p --bot-email suggested"
        );
    }

    #[test]
    fn a_kind_bitbucket_reports_otherwise_is_said_with_its_fix() {
        let mut p = Profile::new("ci", TokenKind::Workspace, "acme", Some("api"));
        let mut o = Outcome::bare(Status::Valid, "ok", None);
        o.credential_type = Some("repo_access_token".into());
        p.record(o);
        assert_eq!(kind_seen(&p), Some(TokenKind::Repository));
        let f = super::facts(&p, Utc::now(), 14);
        let w = f
            .iter()
            .find(|f| f.next == Some(Next::SetKind(TokenKind::Repository)))
            .unwrap();
        assert!(w.value.contains("profile says workspace"), "{w:?}");
        assert!(
            kind_correction(&p)
                .unwrap()
                .ends_with("bbtoken edit ci --kind repository")
        );
        // A store error afterwards learns nothing: the last seen type stays.
        p.record(Outcome::bare(Status::StoreError, "down", None));
        assert_eq!(kind_seen(&p), Some(TokenKind::Repository));
        p.kind = TokenKind::Repository;
        assert_eq!((kind_seen(&p), kind_correction(&p)), (None, None));
    }
}
