//! Bitbucket's URLs: the Get Repository call and git remotes. Pure, shared by
//! the HTTP client (which validates) and the command builders (which print),
//! so neither depends on the other.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 3986 userinfo keeps unreserved characters and sub-delims; everything
/// else is percent-encoded. `*` stays so masked tokens read as masked.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'=')
    .remove(b'*');

/// Path segments (workspace, slug).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc<'s>(s: &'s str, set: &'static AsciiSet) -> impl std::fmt::Display + 's {
    utf8_percent_encode(s, set)
}

/// The Get Repository URL: the validation call, and the curl example.
pub fn repository_api_url(api: &str, workspace: &str, repo: &str) -> String {
    format!(
        "{}/repositories/{}/{}",
        api.trim_end_matches('/'),
        enc(workspace, SEGMENT),
        enc(repo, SEGMENT)
    )
}

/// Who a git remote URL names: nobody, a user, or a user and a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserInfo<'a> {
    None,
    User(&'a str),
    UserAndPassword(&'a str, &'a str),
}

/// The https git remote of `workspace/repo` on the git host `git_base`
/// (`https://bitbucket.org`), with the user info percent-encoded.
pub(crate) fn git_remote_url(git_base: &str, who: UserInfo, workspace: &str, repo: &str) -> String {
    let (scheme, host) = git_base.split_once("://").unwrap_or(("https", git_base));
    let userinfo = match who {
        UserInfo::None => String::new(),
        UserInfo::User(u) => format!("{}@", enc(u, USERINFO)),
        UserInfo::UserAndPassword(u, p) => format!("{}:{}@", enc(u, USERINFO), enc(p, USERINFO)),
    };
    format!(
        "{scheme}://{userinfo}{}/{}/{}.git",
        host.trim_end_matches('/'),
        enc(workspace, SEGMENT),
        enc(repo, SEGMENT)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_userinfo_are_encoded() {
        assert_eq!(
            repository_api_url("https://api.example/2.0/", "a b", "r/x"),
            "https://api.example/2.0/repositories/a%20b/r%2Fx"
        );
        assert_eq!(
            git_remote_url(
                "https://bitbucket.org",
                UserInfo::UserAndPassword("x-token-auth", "a:b@c*"),
                "w",
                "r"
            ),
            "https://x-token-auth:a%3Ab%40c*@bitbucket.org/w/r.git"
        );
        assert_eq!(
            git_remote_url("host.example/", UserInfo::None, "w", "r"),
            "https://host.example/w/r.git"
        );
    }
}
