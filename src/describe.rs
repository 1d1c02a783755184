//! Words about a profile's state that every surface shows the same way: the
//! CLI's `list`, `show` and `validate`, and the full-screen app's detail pane.
//!
//! Why one place: a result that says nothing about the token (the credential
//! store or the network was down) must never read as a verdict, and the last
//! conclusive result must stay visible next to it. If each surface phrased
//! that itself, they would drift. The same goes for the bot email that
//! disagrees with the one Bitbucket's clone link shows.

use chrono::{DateTime, Utc};

use crate::profile::{Outcome, Profile, RepoFacts, Status, TokenKind};
use crate::timefmt;
use crate::validate::is_store_wide;

/// What an inconclusive outcome means, in a few words ("credential store
/// unavailable"); `None` for an outcome that is a verdict on the token.
pub fn inconclusive_words(o: &Outcome) -> Option<&'static str> {
    Some(match o.status {
        Status::Valid | Status::Invalid | Status::Forbidden | Status::NotFound => return None,
        Status::StoreError if is_store_wide(o) => "credential store unavailable",
        Status::StoreError => "the secret could not be read",
        Status::NetworkError => "Bitbucket could not be reached",
        Status::RateLimited => "rate limited by Bitbucket",
        Status::ServerError => "Bitbucket server error",
        Status::BadResponse => "unexpected answer from Bitbucket",
    })
}

/// The profile's status in one line, for `show`, `validate` and the app:
/// "last checked valid 2 h ago · now: credential store unavailable" when the
/// newest outcome says nothing about the token and an older one did;
/// "valid (2 h ago)" otherwise; `None` when never validated.
pub fn status_line(p: &Profile, now: DateTime<Utc>) -> Option<String> {
    let last = p.last_validation.as_ref()?;
    Some(match (inconclusive_words(last), &p.last_conclusive) {
        (Some(words), Some(c)) => format!(
            "last checked {} {} · now: {words}",
            c.status,
            timefmt::relative(c.checked_at, now)
        ),
        (Some(words), None) => format!(
            "never checked conclusively · now: {words} ({})",
            timefmt::relative(last.checked_at, now)
        ),
        (None, _) => format!(
            "{} ({})",
            last.status,
            timefmt::relative(last.checked_at, now)
        ),
    })
}

/// The short form for a table cell (`list`): "valid · now: credential store
/// unavailable", or just the status.
pub fn status_cell(p: &Profile) -> Option<(String, Status)> {
    let last = p.last_validation.as_ref()?;
    Some(match (inconclusive_words(last), &p.last_conclusive) {
        (Some(words), Some(c)) => (
            format!("{} {} · now: {words}", c.status.symbol(), c.status),
            last.status,
        ),
        _ => (
            format!("{} {}", last.status.symbol(), last.status),
            last.status,
        ),
    })
}

/// The repository facts of the newest outcome that has them: an outcome that
/// could not reach Bitbucket has none, and must not hide what was seen.
pub fn repo_facts(p: &Profile) -> Option<&RepoFacts> {
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
    Some(format!(
        "the bot email entered ({entered}) differs from the id in the clone link Bitbucket returned ({seen}@bots.bitbucket.org): \
         trust the token's page in Bitbucket (it shows the bot email), then bbtoken edit {} --bot-email ADDRESS; \
         until then commands print the entered one",
        p.name
    ))
}

/// When an access token's bot email is not set but validation saw one in the
/// clone link: the suggestion, and how to accept it. Said at display time,
/// not recorded, so it goes away the moment the user sets the email.
pub fn bot_email_suggestion(p: &Profile) -> Option<String> {
    match p.bot_email_or_candidate()? {
        (email, false) if p.kind.is_access_token() => Some(format!(
            "bot email not set; the clone link suggests {email} (unconfirmed: check the token's page, \
             then bbtoken edit {} --bot-email suggested)",
            p.name
        )),
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
            Some(format!(
                "{} is a repository access token for {}/{own}: it cannot reach {workspace}/{repo}",
                p.name, p.workspace
            ))
        }
        TokenKind::Project | TokenKind::Workspace if same_ws => None,
        TokenKind::Project | TokenKind::Workspace => Some(format!(
            "{} is a {} for workspace {}: it cannot reach {workspace}/{repo}",
            p.name,
            p.kind.label(),
            p.workspace
        )),
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
        p.record(valid);
        assert_eq!(status_line(&p, now).unwrap(), "valid (2 h ago)");
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
                assert!(w.contains(kind.label()), "{w}");
            }
        }
    }
}
