//! Turns an HTTP answer to Get Repository into an [`Outcome`]: the status, the
//! facts, and words a person can act on. Pure; table-tested.
//!
//! Server text is cleaned here, as it comes in (see [`crate::text`]): text
//! that is only shown is escaped and capped; values that can reach a command
//! (the main branch, the project key, the clone link's user) are dropped with
//! a warning when they are not plausible, never repaired. So an [`Outcome`]
//! holds no control character, and `--json` stays exact data.

use serde::Deserialize;

use crate::bitbucket::scopes;
use crate::profile::{
    Outcome, Problem, Profile, RateLimit, Remedy, RepoFacts, Status, Step, TokenKind,
};
use crate::text;
use crate::warning::Warning;

/// The parts of an answer classification looks at, taken out of the HTTP
/// response by the client.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub scopes: Option<String>,
    pub accepted_scopes: Option<String>,
    pub credential_type: Option<String>,
    pub rate_limit: Option<RateLimit>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Deserialize)]
struct RepoBody {
    full_name: String,
    #[serde(default)]
    is_private: Option<bool>,
    #[serde(default)]
    mainbranch: Option<Named>,
    #[serde(default)]
    project: Option<ProjectRef>,
    #[serde(default)]
    links: Option<Links>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct ProjectRef {
    key: String,
}

#[derive(Deserialize)]
struct Links {
    #[serde(default)]
    clone: Vec<CloneLink>,
}

#[derive(Deserialize)]
struct CloneLink {
    name: String,
    href: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[derive(Deserialize)]
struct ErrorInner {
    #[serde(default)]
    message: Option<String>,
    /// A string or an object: clients that assumed one kind have crashed.
    #[serde(default)]
    detail: Option<serde_json::Value>,
}

/// The error message and, for scope errors, the scopes required.
fn error_text(body: &[u8]) -> (Option<String>, Vec<String>) {
    let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
        let raw = String::from_utf8_lossy(body);
        let raw: String = raw.trim().chars().take(200).collect();
        let shown = text::clean_line(&raw, 201);
        return ((!shown.is_empty()).then_some(shown), Vec::new());
    };
    let mut required = Vec::new();
    let mut message = parsed.error.message.map(|m| text::clean(&m));
    match parsed.error.detail {
        Some(serde_json::Value::Object(map)) => {
            if let Some(serde_json::Value::Array(list)) = map.get("required") {
                required = list
                    .iter()
                    .filter_map(|v| v.as_str().map(|s| text::clean_line(s, 100)))
                    .take(20)
                    .collect();
            }
        }
        Some(serde_json::Value::String(s)) if !s.is_empty() => {
            let s = text::clean(&s);
            message = Some(match message {
                Some(m) => format!("{m} {s}"),
                None => s,
            });
        }
        _ => {}
    }
    (message, required)
}

/// The user part of an https clone link (`https://<user>@bitbucket.org/…`).
fn clone_user(links: &Option<Links>) -> Option<String> {
    let href = &links
        .as_ref()?
        .clone
        .iter()
        .find(|l| l.name == "https")?
        .href;
    let rest = href.split_once("://")?.1;
    let (userinfo, _) = rest.split_once('@')?;
    let user = userinfo.split(':').next()?;
    // The bot id seen is 30 lower-case alphanumerics; anything else is a
    // person's username and says nothing about a bot.
    (user.len() >= 20
        && user.len() <= 64
        && user
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
    .then(|| user.to_string())
}

/// A branch name fit to put in a git command: no control or bidi character,
/// none of the characters git refuses in a ref name (check-ref-format), and
/// nothing that could read as an option (`-`), a forced refspec (`+`) or a
/// `src:dst` / glob refspec (`:`, `*`).
pub(crate) fn usable_branch(name: &str) -> bool {
    let Some(name) = text::command_safe(name, 255) else {
        return false;
    };
    !(name.starts_with(['-', '+', '/', '.'])
        || name.ends_with(['/', '.'])
        || name.ends_with(".lock")
        || name == "@"
        || name.contains("..")
        || name.contains("//")
        || name.contains("@{")
        || name.contains("/.")
        || name.contains(".lock/")
        || name.contains(['~', '^', ':', '?', '*', '[', '\\']))
}

/// A project key as Bitbucket makes them: letters, digits and `_`.
pub(crate) fn usable_project_key(key: &str) -> bool {
    text::command_safe(key, 128)
        .is_some_and(|k| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Cleans an outcome in place: every shown string escaped, the values that
/// may reach a command kept only when usable (else dropped, with a warning).
/// Classification ends with it; loading the profiles file runs it on the
/// recorded outcomes, which a hostile or older file may hold raw.
/// Idempotent.
pub(crate) fn clean_outcome(o: &mut Outcome) {
    // Composed messages hold already-capped pieces; cap only as a backstop.
    const COMPOSED: usize = 4 * text::MAX_SHOWN;
    o.message = text::clean_line(&o.message, COMPOSED);
    if let Some(r) = &mut o.remedy {
        r.advice = text::clean_line(&r.advice, COMPOSED);
        r.profile = text::clean_line(&r.profile, text::MAX_SHOWN);
    }
    for w in &mut o.warnings {
        *w = text::clean_line(w, COMPOSED);
    }
    for w in &mut o.warning_kinds {
        w.clean();
    }
    if let Some(list) = &mut o.scopes {
        for s in list.iter_mut() {
            *s = text::clean_line(s, 100);
        }
    }
    if let Some(c) = &mut o.credential_type {
        *c = text::clean_line(c, 100);
    }
    if let Some(rl) = &mut o.rate_limit
        && let Some(r) = &mut rl.resource
    {
        *r = text::clean_line(r, 100);
    }
    let mut unusable = Vec::new();
    if let Some(r) = &mut o.repository {
        r.full_name = text::clean(&r.full_name);
        if let Some(b) = r.main_branch.take() {
            if usable_branch(&b) {
                r.main_branch = Some(b);
            } else {
                unusable.push(Warning::UnusableBranch {
                    branch: text::clean_line(&b, 100),
                });
            }
        }
        if let Some(k) = r.project_key.take() {
            if usable_project_key(&k) {
                r.project_key = Some(k);
            } else {
                unusable.push(Warning::UnusableProjectKey {
                    key: text::clean_line(&k, 100),
                });
            }
        }
        if let Some(id) = r.bot_id_candidate.take() {
            if text::command_safe(&id, 64)
                .is_some_and(|i| i.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                r.bot_id_candidate = Some(id);
            } else {
                unusable.push(Warning::UnusableCloneUser);
            }
        }
    }
    for w in unusable {
        o.warn(w);
    }
}

/// Classifies an answer for a profile. The outcome holds no control
/// character, whatever the answer held.
pub fn classify(profile: &Profile, answer: &Answer) -> Outcome {
    let mut out = classify_raw(profile, answer);
    clean_outcome(&mut out);
    out
}

fn classify_raw(profile: &Profile, answer: &Answer) -> Outcome {
    let kind = profile.kind;
    let mut out = Outcome::bare(Status::BadResponse, "", None);
    out.http_status = Some(answer.status);
    out.scopes = answer.scopes.as_deref().map(|h| {
        scopes::parse_header(h)
            .iter()
            .take(100)
            .map(|s| text::clean_line(s, 100))
            .collect()
    });
    out.credential_type = answer
        .credential_type
        .as_deref()
        .map(|c| text::clean_line(c, 100));
    out.rate_limit = answer.rate_limit.clone();
    let repo = profile.repo.as_deref().unwrap_or("?");
    let target = format!("{}/{}", profile.workspace, repo);
    let (err_msg, required) = error_text(&answer.body);
    let said = |fallback: &str| {
        err_msg
            .clone()
            .map(|m| format!("Bitbucket said: {m}"))
            .unwrap_or_else(|| fallback.to_string())
    };

    match answer.status {
        200 => match serde_json::from_slice::<RepoBody>(&answer.body) {
            Ok(body) => {
                out.status = Status::Valid;
                out.problem = None;
                let full_name = text::clean(&body.full_name);
                out.message = format!("can read {full_name}");
                out.repository = Some(RepoFacts {
                    full_name,
                    is_private: body.is_private,
                    main_branch: body.mainbranch.map(|b| b.name),
                    project_key: body.project.map(|p| p.key),
                    bot_id_candidate: if kind.is_access_token() {
                        clone_user(&body.links)
                    } else {
                        None
                    },
                });
                // Drop unusable facts before any warning compares them.
                clean_outcome(&mut out);
                add_valid_warnings(profile, &mut out);
            }
            Err(e) => {
                out.message = format!(
                    "Bitbucket answered 200 but the body is not a repository: {}",
                    text::clean(&e.to_string())
                );
                out.remedy = Some(Remedy::advice(
                    "check BBTOKEN_API_URL points at the Bitbucket API (…/2.0)",
                ));
            }
        },
        401 => {
            out.status = Status::Invalid;
            out.message = said("Bitbucket refused the token (401)");
            let advice = match kind {
                TokenKind::Api => format!(
                    "the API token is invalid, expired or revoked (Bitbucket cannot tell which), or {} is not the Atlassian account email it belongs to: check the email, else create a new API token with scopes and store it",
                    profile.email.as_deref().unwrap_or("the email"),
                ),
                _ => format!(
                    "the token is invalid, expired or revoked (Bitbucket cannot tell which): create a new {} and store it",
                    // Recorded advice stays English (scripts read it).
                    crate::i18n::with_lang(crate::i18n::Lang::En, || kind.label()),
                ),
            };
            out.problem = Some(Problem::Unauthorized);
            out.remedy = Some(Remedy::step(advice, Step::Rotate, &profile.name));
        }
        403 => {
            out.status = Status::Forbidden;
            let needed = if required.is_empty() {
                answer
                    .accepted_scopes
                    .as_deref()
                    .map(scopes::parse_header)
                    .unwrap_or_default()
            } else {
                required
            };
            out.message = said("Bitbucket answered 403 Forbidden");
            out.problem = Some(if needed.is_empty() {
                Problem::Forbidden
            } else {
                Problem::MissingScope
            });
            out.remedy = Some(Remedy::advice(if !needed.is_empty() {
                format!(
                    "the token lacks a scope this call needs: {}. Create a token with it ({} to clone, {} to push)",
                    needed.join(", "),
                    scopes::read_scope(kind),
                    scopes::write_scope(kind)
                )
            } else if err_msg
                .as_deref()
                .is_some_and(|m| m.contains("authentication mechanism"))
            {
                "this API is not open to this kind of credential".into()
            } else {
                format!("the token may lack the {} scope", scopes::read_scope(kind))
            }));
        }
        404 => {
            out.status = Status::NotFound;
            out.message = format!(
                "{target} does not exist, or this token cannot see it (Bitbucket answers 404 for both)"
            );
            out.problem = Some(Problem::NoRepo);
            out.remedy = Some(Remedy::advice(match kind {
                TokenKind::Repository => format!(
                    "check the workspace and slug, and that the token was created in {target}'s settings: a repository token sees only its own repository"
                ),
                TokenKind::Project => format!(
                    "check the workspace and slug, and that {target} belongs to the token's project{}",
                    profile
                        .project
                        .as_deref()
                        .map(|p| format!(" ({p})"))
                        .unwrap_or_default()
                ),
                TokenKind::Workspace => format!(
                    "check the workspace and slug, and that the token was created in the {} workspace",
                    profile.workspace
                ),
                TokenKind::Api => format!(
                    "check the workspace and slug, and that your Atlassian account can see {target}"
                ),
            }));
        }
        429 => {
            out.status = Status::RateLimited;
            out.message = "Bitbucket's rate limit for this resource was exceeded".into();
            out.problem = Some(Problem::RateLimited);
            out.remedy = Some(Remedy::step(
                if kind.is_access_token() {
                    "wait a few minutes: the limit is per hour (about 1,000 Get Repository calls; each access token has its own budget), then validate again"
                } else {
                    "wait a few minutes: API tokens share their user's hourly budget with every other tool that user runs, then validate again"
                },
                Step::Validate,
                &profile.name,
            ));
        }
        s @ 500..=599 => {
            out.status = Status::ServerError;
            out.message = format!("Bitbucket answered {s}: a problem on Bitbucket's side");
            out.problem = Some(Problem::Server);
            out.remedy = Some(Remedy::step(
                "try again shortly; check Bitbucket's status page if it lasts",
                Step::Validate,
                &profile.name,
            ));
        }
        s @ 300..=399 => {
            out.status = Status::BadResponse;
            out.message = format!(
                "Bitbucket redirected ({s}) to {}; bbtoken never sends a token along a redirect",
                answer
                    .location
                    .as_deref()
                    .map(text::clean)
                    .unwrap_or_else(|| "an unnamed place".into())
            );
            out.problem = Some(Problem::Moved);
            out.remedy = Some(Remedy::step(
                "the repository may have been renamed or moved: point the profile at its new slug",
                Step::EditRepo,
                &profile.name,
            ));
        }
        s => {
            out.status = Status::BadResponse;
            out.message = said(&format!("unexpected HTTP status {s}"));
            out.problem = Some(Problem::BadResponse);
            out.remedy = Some(Remedy::advice("check BBTOKEN_API_URL; try again later"));
        }
    }
    out
}

fn add_valid_warnings(profile: &Profile, out: &mut Outcome) {
    let kind = profile.kind;
    if let Some(granted) = &out.scopes {
        let report = scopes::analyze(kind, granted);
        if !report.can_push {
            out.warn(Warning::NoWriteScope {
                scope: scopes::write_scope(kind).into(),
            });
        }
        if !report.can_clone {
            out.warn(Warning::NoReadScope {
                scope: scopes::read_scope(kind).into(),
            });
        }
        if !report.beyond_git.is_empty() {
            out.warn(Warning::LeastPrivilege {
                extra: report.beyond_git.clone(),
                read: scopes::read_scope(kind).into(),
                write: scopes::write_scope(kind).into(),
            });
        }
    }
    // A credential type that disagrees with the kind is not recorded either:
    // the user corrects the kind, so describe says it when shown
    // (describe::kind_seen).
    if let (Some(want), Some(facts)) = (&profile.project, &out.repository)
        && let Some(key) = &facts.project_key
        && kind == TokenKind::Project
        && key != want
    {
        out.warn(Warning::OtherProject {
            repository: facts.full_name.clone(),
            key: key.clone(),
            want: want.clone(),
        });
    }
    // "bot email not set; the clone link suggests …" is not recorded here: it
    // depends on a field the user may set later, so describe says it when
    // shown (describe::bot_email_suggestion).
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(kind: TokenKind) -> Profile {
        Profile {
            email: Some("dev@example.com".into()),
            ..Profile::new("p", kind, "acme", Some("api"))
        }
    }

    const REPO_200: &str = r#"{"type":"repository","full_name":"acme/api","is_private":true,
        "mainbranch":{"name":"main","type":"branch"},"project":{"key":"PROJ"},
        "links":{"clone":[{"name":"https","href":"https://abcdefghijklmnopqrstuvwxyz1234@bitbucket.org/acme/api.git"}]},
        "unknown_field":[1,2,3]}"#;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.as_bytes().to_vec(),
            ..Answer::default()
        }
    }

    #[test]
    fn statuses() {
        let cases = [
            (200, REPO_200, Status::Valid),
            (200, "{not json", Status::BadResponse),
            (
                401,
                r#"{"type":"error","error":{"message":"Token is invalid, expired, or not supported for this endpoint."}}"#,
                Status::Invalid,
            ),
            (
                403,
                r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["repository"],"granted":["pullrequest"]}}}"#,
                Status::Forbidden,
            ),
            (
                404,
                r#"{"type":"error","error":{"message":"You may not have access to this repository or it no longer exists in this workspace."}}"#,
                Status::NotFound,
            ),
            (
                429,
                "Rate limit for this resource has been exceeded",
                Status::RateLimited,
            ),
            (500, "", Status::ServerError),
            (503, "<html>", Status::ServerError),
            (301, "", Status::BadResponse),
            (418, "", Status::BadResponse),
        ];
        for (code, body, want) in cases {
            let o = classify(&profile(TokenKind::Repository), &answer(code, body));
            assert_eq!(o.status, want, "{code}");
            assert!(!o.message.is_empty(), "{code}");
            assert_eq!(o.http_status, Some(code));
            if want != Status::Valid {
                assert!(o.remedy.is_some(), "{code} has a remedy");
                assert!(o.problem.is_some(), "{code} has a problem kind");
            } else {
                assert_eq!(o.problem, None);
            }
        }
    }

    #[test]
    fn valid_answer_facts() {
        let mut a = answer(200, REPO_200);
        a.scopes = Some("repository".into());
        a.credential_type = Some("repo_access_token".into());
        let o = classify(&profile(TokenKind::Repository), &a);
        let r = o.repository.unwrap();
        assert_eq!(r.full_name, "acme/api");
        assert_eq!(r.is_private, Some(true));
        assert_eq!(r.main_branch.as_deref(), Some("main"));
        assert_eq!(r.project_key.as_deref(), Some("PROJ"));
        assert_eq!(
            r.bot_id_candidate.as_deref(),
            Some("abcdefghijklmnopqrstuvwxyz1234")
        );
        assert!(o.warnings.iter().any(|w| w.contains("push will fail")));
        // The bot email suggestion depends on a field the user sets later,
        // so it is said at display time (describe), never recorded.
        assert!(!o.warnings.iter().any(|w| w.contains("bot email")));
    }

    #[test]
    fn missing_mainbranch_is_fine() {
        let o = classify(
            &profile(TokenKind::Api),
            &answer(200, r#"{"full_name":"acme/api","mainbranch":null}"#),
        );
        assert_eq!(o.status, Status::Valid);
        assert_eq!(o.repository.unwrap().main_branch, None);
    }

    #[test]
    fn forbidden_names_missing_scope() {
        let o = classify(
            &profile(TokenKind::Repository),
            &answer(
                403,
                r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["repository"],"granted":[]}}}"#,
            ),
        );
        assert_eq!(o.problem, Some(Problem::MissingScope));
        assert!(
            o.remedy
                .unwrap()
                .advice
                .contains("lacks a scope this call needs: repository")
        );
    }

    #[test]
    fn string_detail_is_kept() {
        let o = classify(
            &profile(TokenKind::Repository),
            &answer(
                403,
                r#"{"type":"error","error":{"message":"Nope.","detail":"extra words"}}"#,
            ),
        );
        assert!(o.message.contains("Nope. extra words"));
    }

    /// What is recorded (and read by scripts) stays English whatever the
    /// language of the screen: the surfaces translate from the kinds.
    #[test]
    fn recorded_words_stay_english_in_japanese() {
        use crate::i18n::{Lang, with_lang};
        let (ja, en) = (
            with_lang(Lang::Ja, || {
                classify(&profile(TokenKind::Repository), &answer(401, ""))
            }),
            classify(&profile(TokenKind::Repository), &answer(401, "")),
        );
        assert_eq!(ja.message, en.message);
        assert_eq!(ja.remedy, en.remedy);
        let advice = ja.remedy.unwrap().advice;
        assert!(
            advice.contains("create a new repository access token"),
            "{advice}"
        );
    }

    #[test]
    fn api_401_mentions_email() {
        let o = classify(&profile(TokenKind::Api), &answer(401, ""));
        let r = o.remedy.unwrap();
        assert!(r.advice.contains("dev@example.com"));
        assert_eq!(
            (r.step, o.problem),
            (Some(Step::Rotate), Some(Problem::Unauthorized))
        );
    }

    #[test]
    fn least_privilege_and_kind_mismatch() {
        let mut a = answer(200, REPO_200);
        a.scopes = Some("repository:write, repository:admin".into());
        a.credential_type = Some("workspace_access_token".into());
        let o = classify(&profile(TokenKind::Repository), &a);
        assert!(o.warnings.iter().any(|w| w.contains("least privilege")));
        // The kind disagreement is said at display time (describe), not
        // recorded; the type it comes from is.
        assert!(!o.warnings.iter().any(|w| w.contains("--kind")));
        assert_eq!(o.credential_type.as_deref(), Some("workspace_access_token"));
        assert!(!o.warnings.iter().any(|w| w.contains("push will fail")));
    }

    /// Every string an outcome holds, for the "no control character" checks.
    fn all_text(o: &Outcome) -> Vec<String> {
        let mut v = vec![o.message.clone()];
        v.extend(o.remedy.as_ref().map(|r| r.advice.clone()));
        v.extend(o.warnings.clone());
        v.extend(o.scopes.clone().unwrap_or_default());
        v.extend(o.credential_type.clone());
        v.extend(o.rate_limit.as_ref().and_then(|r| r.resource.clone()));
        if let Some(r) = &o.repository {
            v.push(r.full_name.clone());
            v.extend(r.main_branch.clone());
            v.extend(r.project_key.clone());
            v.extend(r.bot_id_candidate.clone());
        }
        v
    }

    const EVIL: &str = "\u{1b}]52;c;dG91Y2ggL3RtcC94\u{7}\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{1b}[31mtoken valid\u{1b}[0m\u{9b}31m\u{202e}";

    #[test]
    fn hostile_answers_come_out_clean() {
        let repo = serde_json::json!({
            "full_name": format!("acme/api{EVIL}"),
            "mainbranch": {"name": format!("main{EVIL}")},
            "project": {"key": format!("P{EVIL}")},
            "links": {"clone": [{"name": "https", "href": format!("https://abcdefghijklmnopqrstuvwxyz{EVIL}@bitbucket.org/a/b.git")}]}
        })
        .to_string();
        let errors = [
            serde_json::json!({"error": {"message": EVIL, "detail": EVIL}}).to_string(),
            serde_json::json!({"error": {"message": EVIL, "detail": {"required": [EVIL]}}})
                .to_string(),
            EVIL.to_string(),
        ];
        let mut answers = vec![Answer {
            status: 200,
            body: repo.into_bytes(),
            ..Answer::default()
        }];
        for code in [401, 403, 404, 418, 500] {
            for e in &errors {
                answers.push(Answer {
                    status: code,
                    body: e.clone().into_bytes(),
                    ..Answer::default()
                });
            }
        }
        answers.push(Answer {
            status: 301,
            location: Some(EVIL.into()),
            ..Answer::default()
        });
        for mut a in answers {
            a.scopes = Some(format!("repository, {EVIL}"));
            a.accepted_scopes = Some(EVIL.into());
            a.credential_type = Some(EVIL.into());
            a.rate_limit = Some(RateLimit {
                limit: Some(1),
                resource: Some(EVIL.into()),
                near_limit: None,
            });
            for kind in TokenKind::ALL {
                let o = classify(&profile(kind), &a);
                for t in all_text(&o) {
                    assert!(!text::has_unsafe(&t), "{} {t:?}", a.status);
                }
                if a.status == 403 {
                    assert!(o.message.contains("\\u{1b}]52"), "{}", o.message);
                }
            }
        }
    }

    #[test]
    fn command_bound_values_are_dropped_not_cleaned() {
        for branch in [
            "main\u{1b}[201~\u{15}touch /tmp/x\r",
            "--mirror",
            "+refs/heads/*:refs/heads/*",
            "a..b",
            "x\u{202e}",
            "has space",
            "",
        ] {
            let body = serde_json::json!({
                "full_name": "acme/api",
                "mainbranch": {"name": branch},
                "project": {"key": "P;rm"},
            })
            .to_string();
            let o = classify(&profile(TokenKind::Repository), &answer(200, &body));
            let r = o.repository.as_ref().unwrap();
            assert_eq!(r.main_branch, None, "{branch:?}");
            assert_eq!(r.project_key, None);
            assert!(
                o.warnings.iter().any(|w| w.contains("main branch name")),
                "{:?}",
                o.warnings
            );
        }
        for good in ["main", "release/2.0", "feature/x-y_z", "v1.2"] {
            assert!(usable_branch(good), "{good}");
        }
    }

    #[test]
    fn clean_outcome_is_idempotent() {
        let mut a = answer(
            200,
            &serde_json::json!({"full_name": EVIL, "mainbranch": {"name": "-x"}}).to_string(),
        );
        a.credential_type = Some(EVIL.into());
        let once = classify(&profile(TokenKind::Workspace), &a);
        let mut twice = once.clone();
        clean_outcome(&mut twice);
        assert_eq!(once, twice);
    }

    /// A 200 answer whose https clone link carries `user`.
    fn cloned_by(user: &str) -> Answer {
        answer(
            200,
            &serde_json::json!({
                "full_name": "acme/api",
                "links": {"clone": [
                    {"name": "ssh", "href": "git@bitbucket.org:acme/api.git"},
                    {"name": "https", "href": format!("https://{user}@bitbucket.org/acme/api.git")},
                ]},
            })
            .to_string(),
        )
    }

    fn candidate(user: &str) -> Option<String> {
        let o = classify(&profile(TokenKind::Repository), &cloned_by(user));
        o.repository.unwrap().bot_id_candidate
    }

    #[test]
    fn only_a_bot_like_clone_user_is_a_candidate() {
        for user in ["a".repeat(20), "0".repeat(64), "abc123".repeat(5)] {
            assert_eq!(candidate(&user), Some(user.clone()), "{user}");
        }
        // A person's username: short, long, or not all lower-case alphanumerics.
        for user in [
            "bob".to_string(),
            "a".repeat(19),
            "a".repeat(65),
            "JohnDoe".repeat(4),
            "john_doe_the_developer_x".to_string(),
        ] {
            assert_eq!(candidate(&user), None, "{user}");
        }
    }

    #[test]
    fn error_detail_joins_the_message_only_when_it_says_something() {
        let said = |detail: serde_json::Value| {
            let body = serde_json::json!({"error": {"message": "Nope.", "detail": detail}});
            classify(
                &profile(TokenKind::Repository),
                &answer(418, &body.to_string()),
            )
            .message
        };
        assert_eq!(said("".into()), "Bitbucket said: Nope.");
        assert_eq!(said("why".into()), "Bitbucket said: Nope. why");
    }

    #[test]
    fn composed_messages_keep_two_full_pieces() {
        // Message and detail are each capped at MAX_SHOWN; the sentence
        // that joins them must not be cut again.
        let m = "m".repeat(text::MAX_SHOWN);
        let d = "d".repeat(text::MAX_SHOWN);
        let body = serde_json::json!({"error": {"message": m, "detail": d}});
        let o = classify(
            &profile(TokenKind::Repository),
            &answer(403, &body.to_string()),
        );
        assert_eq!(o.message, format!("Bitbucket said: {m} {d}"));
    }

    #[test]
    fn recorded_overlong_text_is_capped_as_a_backstop() {
        // A hostile or older profiles file may record words of any length;
        // cleaning caps composed text at four shown pieces, no more, no less.
        let limit = 4 * text::MAX_SHOWN;
        let long = "x".repeat(limit + 1);
        let mut o = Outcome::bare(
            Status::Invalid,
            long.clone(),
            Some(Remedy::advice(long.clone())),
        );
        o.warnings = vec![long.clone(), "y".repeat(limit)];
        clean_outcome(&mut o);
        let capped = format!("{}…", "x".repeat(limit - 1));
        assert_eq!(o.message, capped);
        assert_eq!(o.remedy.unwrap().advice, capped);
        assert_eq!(o.warnings, [capped, "y".repeat(limit)]);
    }

    #[test]
    fn branch_rules_one_by_one() {
        // Each name breaks exactly one rule.
        for bad in [
            "-x", "+x", "/x", ".x", "x/", "x.", "x.lock", "@", "a..b", "a//b", "a@{b", "a/.b",
            "a.lock/b", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b",
        ] {
            assert!(!usable_branch(bad), "{bad}");
        }
        for good in ["a@b", "a.b", "a/b", "lock", "x.locked", "@x"] {
            assert!(usable_branch(good), "{good}");
        }
    }

    #[test]
    fn project_keys() {
        for good in ["PROJ", "MY_PROJ", "p2"] {
            assert!(usable_project_key(good), "{good}");
        }
        for bad in ["P;rm", "P-Q", "", "P Q"] {
            assert!(!usable_project_key(bad), "{bad}");
        }
    }

    fn valid(kind: TokenKind, scopes: &str, ctype: &str) -> Outcome {
        let mut a = answer(200, REPO_200);
        a.scopes = Some(scopes.into());
        a.credential_type = Some(ctype.into());
        classify(&profile(kind), &a)
    }

    #[test]
    fn a_token_fit_for_git_gets_no_warning() {
        let o = valid(
            TokenKind::Repository,
            "repository:write",
            "repo_access_token",
        );
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    }

    #[test]
    fn missing_read_scope_is_named() {
        let o = valid(TokenKind::Api, "write:repository:bitbucket", "api_token");
        assert!(
            o.warnings
                .iter()
                .any(|w| w.contains("clone and fetch will fail"))
        );
        assert!(!o.warnings.iter().any(|w| w.contains("push will fail")));
        let o = valid(
            TokenKind::Api,
            "read:repository:bitbucket, write:repository:bitbucket",
            "api_token",
        );
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    }

    #[test]
    fn project_mismatch_only_for_project_tokens() {
        let mut p = profile(TokenKind::Project);
        let mut a = answer(200, REPO_200);
        a.scopes = Some("repository:write".into());
        let mismatch = |p: &Profile| {
            classify(p, &a)
                .warnings
                .iter()
                .any(|w| w.contains("acme/api is in project PROJ, not"))
        };
        p.project = Some("OTHER".into());
        assert!(mismatch(&p));
        p.project = Some("PROJ".into());
        assert!(!mismatch(&p));
        p.project = None;
        assert!(!mismatch(&p));
        let mut r = profile(TokenKind::Repository);
        r.project = Some("OTHER".into());
        assert!(!mismatch(&r));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Classification never panics on any bytes and headers, and its
        /// outcome holds no control character.
        #[test]
        fn classify_any_answer(
            status in proptest::prelude::any::<u16>(),
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            json_text in "\\PC{0,40}|[\u{0}-\u{3f}\u{7f}-\u{a0}\u{202a}-\u{202e}\u{2066}-\u{2069}]{0,20}",
            scopes in proptest::option::of(".{0,60}"),
            ctype in proptest::option::of(".{0,60}"),
            location in proptest::option::of(".{0,60}"),
            resource in proptest::option::of(".{0,60}"),
            kind in 0usize..4,
            as_repo in proptest::prelude::any::<bool>(),
        ) {
            let body = if as_repo {
                serde_json::json!({
                    "full_name": json_text,
                    "mainbranch": {"name": json_text},
                    "project": {"key": json_text},
                    "links": {"clone": [{"name": "https", "href": format!("https://{json_text}@x/y")}]},
                    "error": {"message": json_text, "detail": json_text},
                })
                .to_string()
                .into_bytes()
            } else {
                body
            };
            let a = Answer {
                status,
                scopes,
                accepted_scopes: None,
                credential_type: ctype,
                rate_limit: Some(RateLimit { limit: None, resource, near_limit: None }),
                location,
                body,
            };
            let o = classify(&profile(TokenKind::ALL[kind]), &a);
            for t in all_text(&o) {
                proptest::prop_assert!(!text::has_unsafe(&t), "{:?}", t);
            }
        }
    }
}
