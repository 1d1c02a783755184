//! Builders for ready-to-paste git and curl commands. Pure: the caller passes
//! the token text to place (the real token only when the user asked to reveal
//! it, else its masked form), and every argument is shell-quoted so a pasted
//! command is always one correct command.

use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::profile::{Profile, TokenKind};

/// Where git and the REST API live. Defaults are Bitbucket Cloud's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// e.g. `https://api.bitbucket.org/2.0`
    pub api: String,
    /// e.g. `https://bitbucket.org`
    pub git: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints {
            api: "https://api.bitbucket.org/2.0".into(),
            git: "https://bitbucket.org".into(),
        }
    }
}

/// Interactive: only the username in URLs, git (or the shell) prompts for the
/// token. Embedded: the token is part of the URL or header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Interactive,
    Embedded,
}

impl Mode {
    pub fn toggled(self) -> Mode {
        match self {
            Mode::Interactive => Mode::Embedded,
            Mode::Embedded => Mode::Interactive,
        }
    }
}

/// Which command a [`Generated`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandKind {
    Clone,
    SetUrl,
    Onboard,
    UserEmail,
    Curl,
    CurlBasic,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generated {
    pub kind: CommandKind,
    pub title: &'static str,
    /// One shell command per line.
    pub text: String,
    /// True when `text` holds the real token (embedded mode, revealed).
    pub holds_secret: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What to put where the token goes.
#[derive(Debug, Clone, Copy)]
pub enum TokenText<'a> {
    /// The real token, because the user asked to reveal it.
    Revealed(&'a str),
    /// The masked form, for display.
    Masked(&'a str),
}

impl<'a> TokenText<'a> {
    fn text(&self) -> &'a str {
        match self {
            TokenText::Revealed(t) | TokenText::Masked(t) => t,
        }
    }
    fn is_real(&self) -> bool {
        matches!(self, TokenText::Revealed(_))
    }
}

/// Everything a command needs. `branch` is the branch the onboarding push sends.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub profile: &'a Profile,
    pub workspace: &'a str,
    pub repo: &'a str,
    pub mode: Mode,
    pub token: TokenText<'a>,
    pub endpoints: &'a Endpoints,
    pub branch: &'a str,
}

pub const ACCESS_TOKEN_GIT_USER: &str = "x-token-auth";
pub const API_TOKEN_GIT_USER: &str = "x-bitbucket-api-token-auth";

/// The git username for a profile: `x-token-auth` for access tokens; the
/// Bitbucket username for API tokens when known, else the static name.
pub fn git_username(profile: &Profile) -> &str {
    match profile.kind {
        TokenKind::Api => profile.username.as_deref().unwrap_or(API_TOKEN_GIT_USER),
        _ => ACCESS_TOKEN_GIT_USER,
    }
}

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

/// Quotes one shell word. Tokens, URLs and emails never hold NUL, the only
/// thing POSIX quoting cannot express; if one did, it is dropped rather than
/// producing a command that splits.
pub fn quote(word: &str) -> String {
    let cleaned: String;
    let word = if word.contains('\0') {
        cleaned = word.replace('\0', "");
        &cleaned
    } else {
        word
    };
    shlex::try_quote(word)
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

/// A command line from words, each quoted.
fn line(words: &[&str]) -> String {
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

/// The git remote URL for the request, with the username and, in embedded
/// mode, the token.
pub fn remote_url(req: &Request) -> String {
    let (scheme, host) = req
        .endpoints
        .git
        .split_once("://")
        .unwrap_or(("https", req.endpoints.git.as_str()));
    let user = enc(git_username(req.profile), USERINFO).to_string();
    let userinfo = match req.mode {
        Mode::Interactive => user,
        Mode::Embedded => format!("{user}:{}", enc(req.token.text(), USERINFO)),
    };
    format!(
        "{scheme}://{userinfo}@{}/{}/{}.git",
        host.trim_end_matches('/'),
        enc(req.workspace, SEGMENT),
        enc(req.repo, SEGMENT)
    )
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

/// All the commands for a request, in the order a person uses them.
pub fn build(req: &Request) -> Vec<Generated> {
    let url = remote_url(req);
    let embedded = req.mode == Mode::Embedded;
    let secret_in_git = embedded && req.token.is_real();
    let mut out = vec![
        Generated {
            kind: CommandKind::Clone,
            title: "Clone",
            text: line(&["git", "clone", &url]),
            holds_secret: secret_in_git,
            note: None,
        },
        Generated {
            kind: CommandKind::SetUrl,
            title: "Point an existing clone here",
            text: line(&["git", "remote", "set-url", "origin", &url]),
            holds_secret: secret_in_git,
            note: None,
        },
        Generated {
            kind: CommandKind::Onboard,
            title: "Push a new local repository",
            text: format!(
                "{}\n{}",
                line(&["git", "remote", "add", "origin", &url]),
                line(&["git", "push", "-u", "origin", req.branch])
            ),
            holds_secret: secret_in_git,
            note: Some("the Bitbucket repository should be empty (no README or .gitignore)".into()),
        },
    ];
    if req.profile.kind.is_access_token() {
        let (email, note) = match req.profile.bot_email_or_candidate() {
            Some((e, true)) => (e, None),
            Some((e, false)) => (
                e,
                Some("unconfirmed: taken from the clone link; check it on the token's page".into()),
            ),
            None => (
                "<bot-id>@bots.bitbucket.org".to_string(),
                Some("bot email unknown: copy it from the token's page, then bbtoken edit --bot-email".into()),
            ),
        };
        out.push(Generated {
            kind: CommandKind::UserEmail,
            title: "Commit as the token's bot",
            text: line(&["git", "config", "user.email", &email]),
            holds_secret: false,
            note,
        });
    }
    out.extend(curl(req));
    out
}

fn curl(req: &Request) -> Vec<Generated> {
    let url = repository_api_url(&req.endpoints.api, req.workspace, req.repo);
    let get = ["curl", "--request", "GET", "--url", url.as_str()];
    let accept = ["--header", "Accept: application/json"];
    let token = req.token.text();
    let real = req.token.is_real();
    // Interactive: the shell reads the token without echo and pipes the header
    // to curl (`--header @-`), so it is neither on screen, in history nor in argv.
    // POSIX sh, so it works pasted into bash, zsh or dash alike (`read -s`
    // and `read -p` are bash-only; zsh's -p means something else). The prompt
    // goes to stderr so curl's output can still be piped.
    let read_token = "printf 'Bitbucket token: ' >&2; stty -echo 2>/dev/null; IFS= read -r BB_TOKEN; stty echo 2>/dev/null; echo >&2";
    match (req.profile.kind, req.mode) {
        (TokenKind::Api, mode) => {
            let email = req.profile.email.as_deref().unwrap_or("<atlassian-email>");
            let (user, basic_text, secret) = match mode {
                Mode::Interactive => {
                    let user = [&get[..], &["--user", email], &accept[..]].concat();
                    let basic = format!(
                        "{read_token}\nprintf 'Authorization: Basic %s\\n' \"$(printf '%s' {}\"$BB_TOKEN\" | base64 | tr -d '\\n')\" \\\n  | {}",
                        quote(&format!("{email}:")),
                        line(&[&get[..], &["--header", "@-"], &accept[..]].concat())
                    );
                    (line(&user), basic, false)
                }
                Mode::Embedded => {
                    let pair = format!("{email}:{token}");
                    let b64 = base64::engine::general_purpose::STANDARD.encode(&pair);
                    let shown = if real { b64 } else { crate::token::mask(&b64) };
                    let user = [&get[..], &["--user", &pair], &accept[..]].concat();
                    let auth = format!("Authorization: Basic {shown}");
                    let basic = [&get[..], &["--header", &auth], &accept[..]].concat();
                    (line(&user), line(&basic), real)
                }
            };
            let user_note =
                (mode == Mode::Interactive).then(|| "curl asks for the API token".to_string());
            vec![
                Generated {
                    kind: CommandKind::Curl,
                    title: "REST: Get Repository (--user)",
                    text: user,
                    holds_secret: secret,
                    note: user_note,
                },
                Generated {
                    kind: CommandKind::CurlBasic,
                    title: "REST: Get Repository (Basic header)",
                    text: basic_text,
                    holds_secret: secret,
                    note: None,
                },
            ]
        }
        (_, Mode::Interactive) => vec![Generated {
            kind: CommandKind::Curl,
            title: "REST: Get Repository (Bearer)",
            text: format!(
                "{read_token}\nprintf 'Authorization: Bearer %s\\n' \"$BB_TOKEN\" \\\n  | {}",
                line(&[&get[..], &["--header", "@-"], &accept[..]].concat())
            ),
            holds_secret: false,
            note: Some("the shell reads the token without echo; it never reaches argv".into()),
        }],
        (_, Mode::Embedded) => {
            let auth = format!("Authorization: Bearer {token}");
            vec![Generated {
                kind: CommandKind::Curl,
                title: "REST: Get Repository (Bearer)",
                text: line(&[&get[..], &["--header", &auth], &accept[..]].concat()),
                holds_secret: real,
                note: None,
            }]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(kind: TokenKind) -> Profile {
        Profile {
            email: (kind == TokenKind::Api).then(|| "dev@example.com".to_string()),
            ..Profile::new("p", kind, "acme", Some("api"))
        }
    }

    fn req<'a>(p: &'a Profile, mode: Mode, token: TokenText<'a>, ep: &'a Endpoints) -> Request<'a> {
        Request {
            profile: p,
            workspace: "acme",
            repo: "api",
            mode,
            token,
            endpoints: ep,
            branch: "main",
        }
    }

    fn words(text: &str) -> Vec<String> {
        shlex::split(text).expect("one well-formed shell command")
    }

    fn text_of(cmds: &[Generated], kind: CommandKind) -> String {
        cmds.iter()
            .find(|c| c.kind == kind)
            .map(|c| c.text.clone())
            .unwrap_or_default()
    }

    #[test]
    fn urls_match_atlassian_docs() {
        let ep = Endpoints::default();
        let access = profile(TokenKind::Repository);
        let mut api_user = profile(TokenKind::Api);
        let api_static = profile(TokenKind::Api);
        api_user.username = Some("jdoe".into());
        let cases = [
            (
                &access,
                Mode::Interactive,
                "https://x-token-auth@bitbucket.org/acme/api.git",
            ),
            (
                &access,
                Mode::Embedded,
                "https://x-token-auth:TOK=EN@bitbucket.org/acme/api.git",
            ),
            (
                &api_user,
                Mode::Interactive,
                "https://jdoe@bitbucket.org/acme/api.git",
            ),
            (
                &api_user,
                Mode::Embedded,
                "https://jdoe:TOK=EN@bitbucket.org/acme/api.git",
            ),
            (
                &api_static,
                Mode::Interactive,
                "https://x-bitbucket-api-token-auth@bitbucket.org/acme/api.git",
            ),
            (
                &api_static,
                Mode::Embedded,
                "https://x-bitbucket-api-token-auth:TOK=EN@bitbucket.org/acme/api.git",
            ),
        ];
        for (p, mode, want) in cases {
            let r = req(p, mode, TokenText::Revealed("TOK=EN"), &ep);
            assert_eq!(remote_url(&r), want);
            let cmds = build(&r);
            assert_eq!(
                words(&text_of(&cmds, CommandKind::Clone)),
                ["git", "clone", want]
            );
            assert_eq!(
                words(&text_of(&cmds, CommandKind::SetUrl)),
                ["git", "remote", "set-url", "origin", want]
            );
        }
    }

    #[test]
    fn userinfo_is_percent_encoded() {
        let ep = Endpoints::default();
        let mut p = profile(TokenKind::Api);
        p.username = Some("j doe".into());
        let r = req(&p, Mode::Embedded, TokenText::Revealed("a:b@c/d"), &ep);
        assert_eq!(
            remote_url(&r),
            "https://j%20doe:a%3Ab%40c%2Fd@bitbucket.org/acme/api.git"
        );
    }

    #[test]
    fn quoting_keeps_one_word() {
        assert_eq!(quote("plain"), "plain");
        let q = quote("it's $HOME; rm -rf /");
        assert_eq!(shlex::split(&q).unwrap(), vec!["it's $HOME; rm -rf /"]);
        assert_eq!(shlex::split(&quote("a\0b")).unwrap(), vec!["ab"]);
    }

    #[test]
    fn masked_tokens_never_hold_secret() {
        let ep = Endpoints::default();
        for kind in TokenKind::ALL {
            let p = profile(kind);
            for mode in [Mode::Interactive, Mode::Embedded] {
                let cmds = build(&req(&p, mode, TokenText::Masked("ATCTT3****ABCD"), &ep));
                assert!(cmds.iter().all(|c| !c.holds_secret), "{kind} {mode:?}");
                let revealed = build(&req(&p, mode, TokenText::Revealed("SECRETTOKEN"), &ep));
                for c in &revealed {
                    assert_eq!(
                        c.holds_secret,
                        c.text.contains("SECRETTOKEN")
                            || c.text.contains(
                                &base64::engine::general_purpose::STANDARD
                                    .encode("dev@example.com:SECRETTOKEN")
                            ),
                        "{kind} {mode:?} {:?}",
                        c.kind
                    );
                }
            }
        }
    }

    #[test]
    fn interactive_commands_carry_no_token() {
        let ep = Endpoints::default();
        for kind in TokenKind::ALL {
            let p = profile(kind);
            let cmds = build(&req(
                &p,
                Mode::Interactive,
                TokenText::Revealed("SECRETTOKEN"),
                &ep,
            ));
            for c in &cmds {
                assert!(!c.text.contains("SECRETTOKEN"), "{kind}: {}", c.text);
            }
        }
    }

    #[test]
    fn curl_forms() {
        let ep = Endpoints::default();
        let access = profile(TokenKind::Workspace);
        let cmds = build(&req(&access, Mode::Embedded, TokenText::Revealed("T"), &ep));
        assert_eq!(
            text_of(&cmds, CommandKind::Curl),
            "curl --request GET --url https://api.bitbucket.org/2.0/repositories/acme/api --header 'Authorization: Bearer T' --header 'Accept: application/json'"
        );
        let api = profile(TokenKind::Api);
        let cmds = build(&req(&api, Mode::Embedded, TokenText::Revealed("T"), &ep));
        assert!(text_of(&cmds, CommandKind::Curl).contains("--user dev@example.com:T"));
        // base64("dev@example.com:T")
        assert!(
            text_of(&cmds, CommandKind::CurlBasic)
                .contains("'Authorization: Basic ZGV2QGV4YW1wbGUuY29tOlQ='")
        );
        let cmds = build(&req(&api, Mode::Interactive, TokenText::Masked("x"), &ep));
        assert!(text_of(&cmds, CommandKind::Curl).contains("--user dev@example.com --header"));
        assert!(text_of(&cmds, CommandKind::CurlBasic).contains("--header @-"));
    }

    #[test]
    fn onboarding_and_user_email() {
        let ep = Endpoints::default();
        let mut p = profile(TokenKind::Repository);
        p.bot_email = Some("abc123@bots.bitbucket.org".into());
        let mut r = req(&p, Mode::Interactive, TokenText::Masked("x"), &ep);
        r.branch = "trunk";
        let cmds = build(&r);
        assert_eq!(
            text_of(&cmds, CommandKind::Onboard),
            "git remote add origin https://x-token-auth@bitbucket.org/acme/api.git\ngit push -u origin trunk"
        );
        assert_eq!(
            text_of(&cmds, CommandKind::UserEmail),
            "git config user.email abc123@bots.bitbucket.org"
        );
        let api = profile(TokenKind::Api);
        assert!(
            build(&req(&api, Mode::Interactive, TokenText::Masked("x"), &ep))
                .iter()
                .all(|c| c.kind != CommandKind::UserEmail)
        );
    }
}
