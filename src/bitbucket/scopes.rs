//! What a token's scopes allow for git, and what it holds beyond that.

use serde::Serialize;

use crate::profile::TokenKind;

/// Scope names differ between access tokens (classic names) and API tokens
/// (`read:repository:bitbucket` style).
pub(crate) fn read_scope(kind: TokenKind) -> &'static str {
    if kind.is_access_token() {
        "repository"
    } else {
        "read:repository:bitbucket"
    }
}

pub(crate) fn write_scope(kind: TokenKind) -> &'static str {
    if kind.is_access_token() {
        "repository:write"
    } else {
        "write:repository:bitbucket"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeReport {
    pub can_clone: bool,
    pub can_push: bool,
    /// Scopes a token used for git does not need (admin, delete).
    pub beyond_git: Vec<String>,
}

pub(crate) fn parse_header(value: &str) -> Vec<String> {
    value
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) fn analyze(kind: TokenKind, scopes: &[String]) -> ScopeReport {
    let has = |s: &str| scopes.iter().any(|g| g == s);
    let (can_clone, can_push) = if kind.is_access_token() {
        // repository:write implies repository (Bitbucket docs).
        (
            has("repository") || has("repository:write"),
            has("repository:write"),
        )
    } else {
        // write:repository:bitbucket does not imply read for API tokens.
        (
            has("read:repository:bitbucket"),
            has("write:repository:bitbucket"),
        )
    };
    let beyond_git = scopes
        .iter()
        .filter(|s| s.contains("admin") || s.contains("delete"))
        .cloned()
        .collect();
    ScopeReport {
        can_clone,
        can_push,
        beyond_git,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(list: &str) -> Vec<String> {
        parse_header(list)
    }

    #[test]
    fn table() {
        let cases = [
            (TokenKind::Repository, "repository", true, false, 0),
            (TokenKind::Repository, "repository:write", true, true, 0),
            (
                TokenKind::Project,
                "pullrequest, repository, repository:write, repository:admin",
                true,
                true,
                1,
            ),
            (TokenKind::Workspace, "pipeline", false, false, 0),
            (TokenKind::Api, "read:repository:bitbucket", true, false, 0),
            (TokenKind::Api, "write:repository:bitbucket", false, true, 0),
            (
                TokenKind::Api,
                "read:repository:bitbucket,write:repository:bitbucket,delete:repository:bitbucket,admin:repository:bitbucket",
                true,
                true,
                2,
            ),
        ];
        for (kind, header, clone, push, extra) in cases {
            let r = analyze(kind, &s(header));
            assert_eq!(
                (r.can_clone, r.can_push, r.beyond_git.len()),
                (clone, push, extra),
                "{kind} {header}"
            );
        }
    }
}
