//! Pure reading of git remote URLs and of text that may hold a Bitbucket
//! token: is this URL Bitbucket's (the host of `BBTOKEN_GIT_URL`), which
//! workspace and repository does it name, does it carry a token, and what
//! does it look like masked or without the token. Shared by `here`, `audit`
//! and `onboard`, so they agree on what counts as a leak.

use percent_encoding::percent_decode_str;

use crate::gitcmd::{ACCESS_TOKEN_GIT_USER, API_TOKEN_GIT_USER};
use crate::token::{self, ACCESS_PREFIX, API_PREFIX, APP_PASSWORD_LEN, APP_PASSWORD_PREFIX};

/// Scheme and authority (host, and port when not the default) git talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHost {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
}

impl GitHost {
    /// From the git base (`https://bitbucket.org`, or the test fake's).
    pub(crate) fn from_base(base: &str) -> Option<GitHost> {
        let u = url::Url::parse(base).ok()?;
        Some(GitHost {
            scheme: u.scheme().to_string(),
            host: u.host_str()?.to_ascii_lowercase(),
            port: u.port_or_known_default(),
        })
    }

    /// `https://bitbucket.org` (with the port when it is not the default).
    pub fn base(&self) -> String {
        let default = match self.scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        };
        match self.port {
            Some(p) if Some(p) != default => format!("{}://{}:{p}", self.scheme, self.host),
            _ => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// The token-free URL of a repository: `https://bitbucket.org/ws/repo.git`.
    pub(crate) fn repo_url(&self, workspace: &str, repo: &str) -> String {
        format!("{}/{workspace}/{repo}.git", self.base())
    }
}

/// What a remote URL says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteUrl {
    /// Bitbucket over HTTP(S) on the configured host.
    pub bitbucket: bool,
    /// Bitbucket over SSH (`git@bitbucket.org:ws/repo.git`): no helper involved.
    pub ssh: bool,
    pub workspace: Option<String>,
    pub repo: Option<String>,
    /// The username in the URL, if any (not a secret).
    pub username: Option<String>,
    /// The token embedded in the URL (password, or a token-shaped username).
    pub token: Option<String>,
    /// The URL with any token masked, for display.
    pub masked: String,
    /// The URL without the token (the username kept), for `remote set-url`.
    pub clean: String,
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Whether a username/password pair in a URL is a Bitbucket credential.
fn is_token_userinfo(user: &str, pass: &str, bitbucket: bool) -> bool {
    !pass.is_empty()
        && (bitbucket
            || user == ACCESS_TOKEN_GIT_USER
            || user == API_TOKEN_GIT_USER
            || token::detect(pass) != token::Detected::Unknown)
}

/// Reads a remote URL. Anything unparsable is "not Bitbucket", shown as is
/// (callers clean it before display).
pub(crate) fn parse_remote(raw: &str, host: &GitHost) -> RemoteUrl {
    let mut r = RemoteUrl {
        bitbucket: false,
        ssh: false,
        workspace: None,
        repo: None,
        username: None,
        token: None,
        masked: raw.to_string(),
        clean: raw.to_string(),
    };
    if !raw.contains("://") {
        // scp-like ssh: [user@]host:ws/repo.git
        if let Some((left, path)) = raw.split_once(':') {
            let h = left.rsplit('@').next().unwrap_or(left).to_ascii_lowercase();
            if h == host.host && !path.starts_with('/') {
                r.ssh = true;
                set_path(&mut r, path);
            }
        }
        return r;
    }
    let Ok(mut u) = url::Url::parse(raw) else {
        return r;
    };
    let same_host = u.host_str().map(str::to_ascii_lowercase).as_deref() == Some(&host.host);
    if u.scheme() == "ssh" && same_host {
        r.ssh = true;
    } else if u.scheme() == host.scheme && same_host && u.port_or_known_default() == host.port {
        r.bitbucket = true;
    }
    set_path(&mut r, u.path().trim_start_matches('/'));
    let user = decode(u.username());
    let pass = u.password().map(decode).unwrap_or_default();
    if is_token_userinfo(&user, &pass, r.bitbucket) {
        r.token = Some(pass.clone());
        let _ = u.set_password(None);
        r.clean = u.to_string();
        let _ = u.set_password(Some(&token::mask(&pass)));
        r.masked = u.to_string();
    } else if pass.is_empty() && token::detect(&user) != token::Detected::Unknown {
        // The token as the username: https://TOKEN@bitbucket.org/...
        r.token = Some(user.clone());
        let _ = u.set_username("");
        r.clean = u.to_string();
        let _ = u.set_username(&token::mask(&user));
        r.masked = u.to_string();
        return r;
    }
    if !user.is_empty() {
        r.username = Some(user);
    }
    r
}

fn set_path(r: &mut RemoteUrl, path: &str) {
    let mut it = path.trim_end_matches('/').split('/');
    if let (Some(ws), Some(repo), None) = (it.next(), it.next(), it.next()) {
        let repo = repo.strip_suffix(".git").unwrap_or(repo);
        if !ws.is_empty() && !repo.is_empty() {
            r.workspace = Some(decode(ws).to_ascii_lowercase());
            r.repo = Some(decode(repo));
        }
    }
}

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '=')
}

/// Every Bitbucket token in a line of text: by prefix (access tokens, API
/// tokens, app passwords) and as the password of `x-token-auth:…@`-style
/// userinfo in URLs. Each token once, in order of appearance.
pub(crate) fn find_tokens(line: &str, host: &GitHost) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for prefix in [ACCESS_PREFIX, API_PREFIX] {
        for (i, _) in line.match_indices(prefix) {
            let t: String = line[i..].chars().take_while(|c| token_char(*c)).collect();
            if t.len() > prefix.len() + 8 {
                found.push((i, t));
            }
        }
    }
    for (i, _) in line.match_indices(APP_PASSWORD_PREFIX) {
        let t: String = line[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let before_ok = line[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if t.len() == APP_PASSWORD_LEN && before_ok {
            found.push((i, t));
        }
    }
    // URLs: scheme://user:pass@…
    for (i, _) in line.match_indices("://") {
        let start = line[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c)))
            .map_or(0, |p| p + 1);
        let end = line[i + 3..]
            .find(|c: char| c.is_whitespace() || "'\"`<>".contains(c))
            .map_or(line.len(), |p| i + 3 + p);
        let candidate = &line[start..end];
        let r = parse_remote(candidate, host);
        if let Some(t) = r.token {
            found.push((start, t));
        }
    }
    found.sort_by_key(|(i, _)| *i);
    let mut out: Vec<String> = Vec::new();
    for (_, t) in found {
        if !out
            .iter()
            .any(|o| o == &t || o.contains(&t) || t.contains(o.as_str()))
        {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::synthesize;

    fn bb() -> GitHost {
        GitHost::from_base("https://bitbucket.org").unwrap()
    }

    #[test]
    fn embedded_token_is_found_masked_and_removed() {
        let t = synthesize(ACCESS_PREFIX, 1);
        let raw = format!("https://x-token-auth:{t}@bitbucket.org/acme/api.git");
        let r = parse_remote(&raw, &bb());
        assert!(r.bitbucket);
        assert_eq!(r.token.as_deref(), Some(t.as_str()));
        assert_eq!(r.clean, "https://x-token-auth@bitbucket.org/acme/api.git");
        assert!(!r.masked.contains(&t));
        assert!(r.masked.contains("****"));
        assert_eq!(r.workspace.as_deref(), Some("acme"));
        assert_eq!(r.repo.as_deref(), Some("api"));
        assert_eq!(r.username.as_deref(), Some("x-token-auth"));
    }

    #[test]
    fn plain_ssh_and_other_hosts() {
        let r = parse_remote("https://bitbucket.org/acme/api.git", &bb());
        assert!(r.bitbucket && r.token.is_none());
        let r = parse_remote("git@bitbucket.org:acme/api.git", &bb());
        assert!(r.ssh && !r.bitbucket);
        assert_eq!(r.repo.as_deref(), Some("api"));
        let r = parse_remote("https://github.com/a/b.git", &bb());
        assert!(!r.bitbucket && r.token.is_none());
        // A port that differs is another host.
        let r = parse_remote("https://bitbucket.org:8443/acme/api.git", &bb());
        assert!(!r.bitbucket);
    }

    #[test]
    fn tokens_in_text_by_prefix_and_userinfo() {
        let a = synthesize(ACCESS_PREFIX, 2);
        let b = synthesize(API_PREFIX, 3);
        let line = format!(
            "git clone https://x-token-auth:{a}@bitbucket.org/acme/api.git && curl -u me:{b} x"
        );
        assert_eq!(find_tokens(&line, &bb()), vec![a.clone(), b]);
        let cred = "https://x-token-auth:secretpass@bitbucket.org";
        assert_eq!(find_tokens(cred, &bb()), vec!["secretpass".to_string()]);
        assert!(find_tokens("nothing here https://bitbucket.org/a/b.git", &bb()).is_empty());
        let app = format!("pw ATBB{}", "x".repeat(32));
        assert_eq!(find_tokens(&app, &bb()).len(), 1);
        // An access token percent-encoded in a URL is found decoded once.
        assert_eq!(find_tokens(&format!("{a} {a}"), &bb()), vec![a]);
    }
}
