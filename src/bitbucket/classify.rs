//! Turns an HTTP answer to Get Repository into an [`Outcome`]: the status, the
//! facts, and words a person can act on. Pure; table-tested.

use serde::Deserialize;

use crate::bitbucket::scopes;
use crate::profile::{Outcome, Profile, RateLimit, RepoFacts, Status, TokenKind};

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
        let text = String::from_utf8_lossy(body).trim().to_string();
        let text: String = text.chars().take(200).collect();
        return ((!text.is_empty()).then_some(text), Vec::new());
    };
    let mut required = Vec::new();
    let mut message = parsed.error.message;
    match parsed.error.detail {
        Some(serde_json::Value::Object(map)) => {
            if let Some(serde_json::Value::Array(list)) = map.get("required") {
                required = list
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
            }
        }
        Some(serde_json::Value::String(s)) if !s.is_empty() => {
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
        && user
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
    .then(|| user.to_string())
}

/// Classifies an answer for a profile.
pub fn classify(profile: &Profile, answer: &Answer) -> Outcome {
    let kind = profile.kind;
    let mut out = Outcome::bare(Status::BadResponse, "", None);
    out.http_status = Some(answer.status);
    out.scopes = answer.scopes.as_deref().map(scopes::parse_header);
    out.credential_type = answer.credential_type.clone();
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
                out.message = format!("can read {}", body.full_name);
                out.repository = Some(RepoFacts {
                    full_name: body.full_name,
                    is_private: body.is_private,
                    main_branch: body.mainbranch.map(|b| b.name),
                    project_key: body.project.map(|p| p.key),
                    bot_id_candidate: if kind.is_access_token() {
                        clone_user(&body.links)
                    } else {
                        None
                    },
                });
                add_valid_warnings(profile, &mut out);
            }
            Err(e) => {
                out.message =
                    format!("Bitbucket answered 200 but the body is not a repository: {e}");
                out.remedy =
                    Some("check BBTOKEN_API_URL points at the Bitbucket API (…/2.0)".into());
            }
        },
        401 => {
            out.status = Status::Invalid;
            out.message = said("Bitbucket refused the token (401)");
            out.remedy = Some(match kind {
                TokenKind::Api => format!(
                    "the API token is invalid, expired or revoked (Bitbucket cannot tell which), or {} is not the Atlassian account email it belongs to: check the email, else create a new API token with scopes and run bbtoken edit {} --secret",
                    profile.email.as_deref().unwrap_or("the email"),
                    profile.name
                ),
                _ => format!(
                    "the token is invalid, expired or revoked (Bitbucket cannot tell which): create a new {} and run bbtoken edit {} --secret",
                    kind.label(),
                    profile.name
                ),
            });
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
            out.remedy = Some(if !needed.is_empty() {
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
            });
        }
        404 => {
            out.status = Status::NotFound;
            out.message = format!(
                "{target} does not exist, or this token cannot see it (Bitbucket answers 404 for both)"
            );
            out.remedy = Some(match kind {
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
            });
        }
        429 => {
            out.status = Status::RateLimited;
            out.message = "Bitbucket's rate limit for this resource was exceeded".into();
            out.remedy = Some(if kind.is_access_token() {
                "wait a few minutes: the limit is per hour (about 1,000 Get Repository calls; each access token has its own budget), then validate again".into()
            } else {
                "wait a few minutes: API tokens share their user's hourly budget with every other tool that user runs".into()
            });
        }
        s @ 500..=599 => {
            out.status = Status::ServerError;
            out.message = format!("Bitbucket answered {s}: a problem on Bitbucket's side");
            out.remedy =
                Some("try again shortly; check Bitbucket's status page if it lasts".into());
        }
        s @ 300..=399 => {
            out.status = Status::BadResponse;
            out.message = format!(
                "Bitbucket redirected ({s}) to {}; bbtoken never sends a token along a redirect",
                answer.location.as_deref().unwrap_or("an unnamed place")
            );
            out.remedy = Some(format!(
                "the repository may have been renamed or moved: update the profile with bbtoken edit {} --repo NEW-SLUG",
                profile.name
            ));
        }
        s => {
            out.status = Status::BadResponse;
            out.message = said(&format!("unexpected HTTP status {s}"));
            out.remedy = Some("check BBTOKEN_API_URL; try again later".into());
        }
    }
    out
}

fn add_valid_warnings(profile: &Profile, out: &mut Outcome) {
    let kind = profile.kind;
    if let Some(granted) = &out.scopes {
        let report = scopes::analyze(kind, granted);
        if !report.can_push {
            out.warnings.push(format!(
                "no {} scope: git push will fail with 403",
                scopes::write_scope(kind)
            ));
        }
        if !report.can_clone {
            out.warnings.push(format!(
                "no {} scope: git clone and fetch will fail",
                scopes::read_scope(kind)
            ));
        }
        if !report.beyond_git.is_empty() {
            out.warnings.push(format!(
                "least privilege: this token also holds {}; a token used for git needs only {} and {}",
                report.beyond_git.join(", "),
                scopes::read_scope(kind),
                scopes::write_scope(kind)
            ));
        }
    }
    if let Some(ct) = &out.credential_type {
        match TokenKind::from_credential_type(ct) {
            Some(seen) if seen != kind => out.warnings.push(format!(
                "Bitbucket says this is a {} but the profile says {}: bbtoken edit {} --kind {}",
                seen.label(),
                kind.label(),
                profile.name,
                seen
            )),
            _ => {}
        }
    }
    if let (Some(want), Some(facts)) = (&profile.project, &out.repository)
        && let Some(key) = &facts.project_key
        && kind == TokenKind::Project
        && key != want
    {
        out.warnings.push(format!(
            "{} is in project {key}, not {want}",
            facts.full_name
        ));
    }
    if kind.is_access_token()
        && profile.bot_email.is_none()
        && let Some(id) = out
            .repository
            .as_ref()
            .and_then(|r| r.bot_id_candidate.as_ref())
    {
        out.warnings.push(format!(
            "bot email not set; the clone link suggests {id}@bots.bitbucket.org (unconfirmed: check the token's page)"
        ));
    }
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
        assert!(o.warnings.iter().any(|w| w.contains("unconfirmed")));
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
        assert!(
            o.remedy
                .unwrap()
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

    #[test]
    fn api_401_mentions_email() {
        let o = classify(&profile(TokenKind::Api), &answer(401, ""));
        assert!(o.remedy.unwrap().contains("dev@example.com"));
    }

    #[test]
    fn least_privilege_and_kind_mismatch() {
        let mut a = answer(200, REPO_200);
        a.scopes = Some("repository:write, repository:admin".into());
        a.credential_type = Some("workspace_access_token".into());
        let o = classify(&profile(TokenKind::Repository), &a);
        assert!(o.warnings.iter().any(|w| w.contains("least privilege")));
        assert!(o.warnings.iter().any(|w| w.contains("--kind workspace")));
        assert!(!o.warnings.iter().any(|w| w.contains("push will fail")));
    }
}
