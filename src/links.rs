//! The web page where each token is created, rotated and revoked.
//!
//! People forget where a token's page was; every remedy that says "create or
//! rotate the token" points there. Pages are from the facts doc: repository,
//! workspace and API token pages are seen in public docs and tools. The
//! project token page has no confirmed URL: Atlassian's guide says to open
//! the project, then Project settings → Security → Access tokens, so the
//! link goes to the project and `then` says the rest.
//!
//! A link is built only from fields that pass the same checks as input
//! (`fields`): workspace IDs, slugs and project keys are plain ASCII, so
//! nothing from the server and no escape sequence can reach a URL or the
//! OSC 8 sequence that wraps it.

use crate::fields;
use crate::i18n::tr;
use crate::profile::{Profile, TokenKind};

/// Where Atlassian accounts manage their API tokens.
pub(crate) const API_TOKENS_PAGE: &str =
    "https://id.atlassian.com/manage-profile/security/api-tokens";

/// Whether `url` may go into an OSC 8 sequence: https, printable ASCII, no
/// quote, backslash or angle bracket (nothing that could end the sequence
/// or confuse a terminal's parser).
pub(crate) fn is_linkable(url: &str) -> bool {
    url.starts_with("https://")
        && url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '\\' | '"' | '\'' | '<' | '>'))
}

/// Where a profile's token is managed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenPage {
    pub url: String,
    /// What to do once there, when the URL does not lead to the page itself.
    pub then: Option<String>,
}

/// The page for `profile`'s token, or `None` when a field it needs is
/// missing or fails its check.
pub(crate) fn token_page(profile: &Profile) -> Option<TokenPage> {
    let ws = Some(profile.workspace.as_str()).filter(|w| fields::workspace(w).is_ok());
    let page = |url: String| TokenPage { url, then: None };
    match profile.kind {
        TokenKind::Api => Some(page(API_TOKENS_PAGE.to_string())),
        TokenKind::Workspace => Some(page(format!(
            "https://bitbucket.org/{}/workspace/settings/access-tokens",
            ws?
        ))),
        TokenKind::Repository => {
            let repo = profile
                .repo
                .as_deref()
                .filter(|r| fields::repo_slug(r).is_ok())?;
            Some(page(format!(
                "https://bitbucket.org/{}/{repo}/admin/access-tokens",
                ws?
            )))
        }
        TokenKind::Project => {
            let key = profile
                .project
                .as_deref()
                .filter(|k| fields::project_key(k).is_ok())?;
            Some(TokenPage {
                url: format!("https://bitbucket.org/{}/workspace/projects/{key}", ws?),
                then: Some(tr!("links.project_then").into_owned()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(kind: TokenKind, ws: &str, repo: Option<&str>, project: Option<&str>) -> Profile {
        let mut p = Profile::new("p", kind, ws, repo);
        p.project = project.map(str::to_string);
        p
    }

    #[test]
    fn each_kind_links_to_its_page() {
        let url = |p: &Profile| token_page(p).map(|t| t.url);
        assert_eq!(
            url(&profile(
                TokenKind::Repository,
                "acme",
                Some("web.app"),
                None
            ))
            .as_deref(),
            Some("https://bitbucket.org/acme/web.app/admin/access-tokens")
        );
        assert_eq!(
            url(&profile(TokenKind::Workspace, "acme", Some("web"), None)).as_deref(),
            Some("https://bitbucket.org/acme/workspace/settings/access-tokens")
        );
        assert_eq!(
            url(&profile(TokenKind::Api, "acme", None, None)).as_deref(),
            Some(API_TOKENS_PAGE)
        );
        let project = token_page(&profile(
            TokenKind::Project,
            "acme",
            Some("web"),
            Some("OPS_2"),
        ))
        .unwrap();
        assert_eq!(
            project.url,
            "https://bitbucket.org/acme/workspace/projects/OPS_2"
        );
        assert!(project.then.unwrap().contains("Access tokens"));
    }

    #[test]
    fn no_link_from_a_field_that_fails_its_check() {
        for p in [
            profile(TokenKind::Repository, "acme", None, None),
            profile(TokenKind::Repository, "acme", Some("we b"), None),
            profile(
                TokenKind::Repository,
                "acme",
                Some("x\x1b]8;;evil\x1b\\"),
                None,
            ),
            profile(TokenKind::Repository, "Acme/../x", Some("web"), None),
            profile(TokenKind::Workspace, "ac\u{202e}me", Some("web"), None),
            profile(TokenKind::Project, "acme", Some("web"), None),
            profile(TokenKind::Project, "acme", Some("web"), Some("ops")),
        ] {
            assert_eq!(token_page(&p), None, "{p:?}");
        }
    }
}
