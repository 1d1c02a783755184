//! What a URL copied out of the browser or a clone dialog says about a
//! token's reach: the repository page (`https://bitbucket.org/ws/repo/src/…`),
//! an https clone URL with or without userinfo, or an ssh clone URL
//! (`git@bitbucket.org:ws/repo.git`, `ssh://git@bitbucket.org/ws/repo.git`).
//!
//! A clone URL may carry the token itself (Atlassian's own examples put it
//! there). It is taken out as the secret, so the caller can store it and say
//! it was moved; the URL text is never shown back.

use crate::fields;
use crate::git::remote::{GitHost, parse_remote};
use crate::i18n::tr;
use crate::secret::Secret;

/// Workspace and repository from a pasted URL, and the token it carried.
#[derive(Debug)]
pub(crate) struct Pasted {
    pub workspace: String,
    pub repo: String,
    pub token: Option<Secret>,
}

/// Pages under a repository whose first two path segments are still
/// workspace and repository: `/ws/repo/src/main/x.rs`, `/ws/repo/admin/…`.
fn repo_page(url: &url::Url, host: &GitHost) -> Option<(String, String)> {
    let same_host = url.host_str().map(str::to_ascii_lowercase).as_deref() == Some(&host.host);
    if !same_host || !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let mut segs = url.path_segments()?;
    let ws = segs.next()?.to_ascii_lowercase();
    let repo = segs.next()?;
    let repo = repo.strip_suffix(".git").unwrap_or(repo).to_string();
    Some((ws, repo))
}

/// Reads a pasted URL. The error says what was wrong without repeating the
/// URL, which may hold a token.
pub(crate) fn parse_pasted(raw: &str, host: &GitHost) -> Result<Pasted, String> {
    let raw = raw.trim();
    let remote = parse_remote(raw, host);
    let token = remote.token.clone().map(Secret::new);
    let from_page = || url::Url::parse(raw).ok().and_then(|u| repo_page(&u, host));
    let (workspace, repo) = match (remote.workspace, remote.repo) {
        (Some(ws), Some(repo)) if remote.bitbucket || remote.ssh => (ws, repo),
        _ => {
            from_page().ok_or_else(|| tr!("pasted.not_repo_url", host = host.host).into_owned())?
        }
    };
    fields::workspace(&workspace).map_err(|e| tr!("pasted.workspace", why = e).into_owned())?;
    fields::repo_slug(&repo).map_err(|e| tr!("pasted.repo", why = e).into_owned())?;
    Ok(Pasted {
        workspace,
        repo,
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token;

    fn host() -> GitHost {
        GitHost::from_base("https://bitbucket.org").unwrap()
    }

    fn reach(raw: &str) -> (String, String, Option<String>) {
        let p = parse_pasted(raw, &host()).unwrap();
        (p.workspace, p.repo, p.token.map(|t| t.expose().to_string()))
    }

    #[test]
    fn every_shape_people_copy_names_workspace_and_repository() {
        let want = ("acme".to_string(), "web-app".to_string(), None);
        for raw in [
            "https://bitbucket.org/acme/web-app",
            "https://bitbucket.org/acme/web-app/",
            "https://bitbucket.org/Acme/web-app/src/main/README.md",
            "https://bitbucket.org/acme/web-app/admin/access-tokens",
            "https://bitbucket.org/acme/web-app/pull-requests/12",
            "https://bitbucket.org/acme/web-app.git",
            "https://jdoe@bitbucket.org/acme/web-app.git",
            "https://x-token-auth@bitbucket.org/acme/web-app.git",
            "git@bitbucket.org:acme/web-app.git",
            "ssh://git@bitbucket.org/acme/web-app.git",
            "  https://bitbucket.org/acme/web-app\n",
        ] {
            assert_eq!(reach(raw), want, "{raw}");
        }
    }

    #[test]
    fn a_token_in_the_url_is_taken_out_as_the_secret() {
        let t = token::synthesize(token::ACCESS_PREFIX, 7);
        for raw in [
            format!("https://x-token-auth:{t}@bitbucket.org/acme/web.git"),
            format!("https://{t}@bitbucket.org/acme/web.git"),
        ] {
            let (ws, repo, token) = reach(&raw);
            assert_eq!((ws.as_str(), repo.as_str()), ("acme", "web"));
            assert_eq!(token.as_deref(), Some(t.as_str()));
        }
    }

    #[test]
    fn other_hosts_and_partial_urls_are_refused_without_echoing_them() {
        let t = token::synthesize(token::ACCESS_PREFIX, 8);
        for raw in [
            "https://github.com/acme/web".to_string(),
            "https://bitbucket.org/acme".to_string(),
            "https://bitbucket.org/".to_string(),
            "acme/web".to_string(),
            "ftp://bitbucket.org/acme/web".to_string(),
            format!("https://x-token-auth:{t}@evil.test/acme/web.git"),
        ] {
            let e = parse_pasted(&raw, &host()).unwrap_err();
            assert!(
                !e.contains(&t) && !e.contains("github") && !e.contains("evil"),
                "{e}"
            );
        }
    }

    #[test]
    fn segments_that_fail_the_field_checks_are_refused() {
        for raw in [
            "https://bitbucket.org/acme/..",
            "https://bitbucket.org/ac%20me/web",
            "https://bitbucket.org/acme/we%1Bb",
            "git@bitbucket.org:acme/-x.git/more",
        ] {
            assert!(parse_pasted(raw, &host()).is_err(), "{raw}");
        }
    }
}
