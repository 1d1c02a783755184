//! Builders for ready-to-paste git and curl commands. Pure: the caller passes
//! the token text to place (the real token only when the user asked to reveal
//! it, else its masked form), and every argument is shell-quoted so a pasted
//! command is always one correct command.
//!
//! Every input is treated as hostile here, even though server text and profile
//! fields are also cleaned where they come in: a value that holds a control
//! character ([`safe::is_forbidden`]) or is otherwise unsafe is replaced by a
//! placeholder with a note, never emitted. [`build`] checks its own output
//! last and withholds a command rather than let such a byte through.

pub mod note;
pub mod refname;
pub mod safe;

use crate::i18n::tr;
use base64::Engine;
use serde::Serialize;

use crate::bitbucket::urls::{UserInfo, git_remote_url, repository_api_url};
use crate::profile::{Profile, TokenKind};
pub use note::Note;

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
/// token. Embedded: the token is part of the URL or header. Helper: plain
/// URLs with neither, git gets the token from bbtoken's credential helper
/// (`bbtoken setup-git`); curl has no such helper, so its commands are the
/// interactive ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// git or the shell asks for the token; no command holds it.
    Interactive,
    /// The token is in the URL or header (see [`EMBEDDED_WARNING`]).
    Embedded,
    /// Plain URLs: git asks bbtoken's credential helper (after setup-git).
    Helper,
}

impl Mode {
    /// The next mode, in a cycle: interactive, embedded, helper.
    pub(crate) fn toggled(self) -> Mode {
        match self {
            Mode::Interactive => Mode::Embedded,
            Mode::Embedded => Mode::Helper,
            Mode::Helper => Mode::Interactive,
        }
    }
}

/// Which command a [`Generated`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandKind {
    Clone,
    /// An existing clone: `remote set-url`, the bot's `user.email`, push.
    ExistingClone,
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
    /// The notes in English, joined: what `commands --json` carries. The
    /// surfaces say [`Generated::notes`] in the user's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    pub notes: Vec<Note>,
}

impl Generated {
    /// The notes in the current language, joined.
    pub fn note_words(&self) -> Option<String> {
        note::joined(&self.notes)
    }
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

/// Everything a command needs. `branch` is what the onboarding push sends:
/// get it from [`branch_for`].
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub profile: &'a Profile,
    pub workspace: &'a str,
    pub repo: &'a str,
    pub mode: Mode,
    pub token: TokenText<'a>,
    pub endpoints: &'a Endpoints,
    pub branch: Branch<'a>,
}

/// What the onboarding push knows about the target's main branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branch<'a> {
    /// Bitbucket named it when this very repository was validated. Still
    /// server text: [`build`] checks it with [`refname::check_branch`].
    Learned(&'a str),
    /// A branch is known, but for the profile's own repository, and the
    /// commands target another one: that name says nothing about this one.
    OtherRepository,
    /// No validation has named a main branch yet.
    Unknown,
}

/// The main branch to push for commands aimed at `workspace/repo`: the one the
/// last validation learned, only if that validation was of this repository
/// (the profile's own). The one place the CLI and the TUI choose it, so a
/// retargeted panel (`commands --repo`, the TUI's `t`) can never push to a
/// branch learned for another repository.
pub fn branch_for<'p>(profile: &'p Profile, workspace: &str, repo: &str) -> Branch<'p> {
    let learned = profile
        .last_validation
        .as_ref()
        .and_then(|o| o.repository.as_ref())
        .and_then(|r| r.main_branch.as_deref());
    let Some(branch) = learned else {
        return Branch::Unknown;
    };
    // Slugs are case-insensitive in Bitbucket URLs.
    let same = profile.workspace.eq_ignore_ascii_case(workspace)
        && profile
            .repo
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(repo));
    if same {
        Branch::Learned(branch)
    } else {
        Branch::OtherRepository
    }
}

/// Where embedded mode really puts the token. One text for the CLI and the TUI.
/// A command group's title in the current language. The titles in
/// [`Generated`] stay English: `commands --json` carries them for scripts.
pub(crate) fn title_words(title: &str) -> String {
    match title {
        "Use this token in the clone you already have" => tr!("gitcmd.title.existing"),
        "Clone" => tr!("gitcmd.title.clone"),
        "Push a new local repository" => tr!("gitcmd.title.push_new"),
        "Commit as the token's bot" => tr!("gitcmd.title.commit_as_bot"),
        "REST: Get Repository (--user)" => tr!("gitcmd.title.rest_user"),
        "REST: Get Repository (Basic header)" => tr!("gitcmd.title.rest_basic"),
        "REST: Get Repository (Bearer)" => tr!("gitcmd.title.rest_bearer"),
        other => return other.to_string(),
    }
    .into_owned()
}

/// [`EMBEDDED_WARNING`] in the current language (the constant is clap's,
/// which needs it at compile time).
pub(crate) fn embedded_warning() -> String {
    tr!("gitcmd.embedded_warning").into_owned()
}

pub(crate) const EMBEDDED_WARNING: &str = "Embedded mode puts the token where others can read it: \
in the process list (ps) while git or curl runs, in the clone's .git/config \
(git clone and git remote set-url store the URL with the token), in your shell \
history, and in the terminal's scrollback.";

/// What [`build`] shows instead of a command that would have carried a
/// forbidden character past the per-input checks. Never expected; a property
/// test holds that it never happens.
pub const WITHHELD: &str = "# (command withheld: it would have held control characters)";

pub const ACCESS_TOKEN_GIT_USER: &str = "x-token-auth";
pub const API_TOKEN_GIT_USER: &str = "x-bitbucket-api-token-auth";

/// The git username for a profile: `x-token-auth` for access tokens; the
/// Bitbucket username for API tokens when known, else the static name. A
/// username that is empty or holds a control character is not used: the
/// static name works for every API token, so nothing is lost.
pub fn git_username(profile: &Profile) -> &str {
    match profile.kind {
        TokenKind::Api => profile
            .username
            .as_deref()
            .filter(|u| !u.is_empty() && !safe::has_forbidden(u))
            .unwrap_or(API_TOKEN_GIT_USER),
        _ => ACCESS_TOKEN_GIT_USER,
    }
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
pub(crate) fn remote_url(req: &Request) -> String {
    let user = git_username(req.profile);
    let who = match req.mode {
        Mode::Interactive => UserInfo::User(user),
        Mode::Embedded => UserInfo::UserAndPassword(user, req.token.text()),
        // No username either: a username in the URL would restrict which
        // profile the helper may answer with.
        Mode::Helper => UserInfo::None,
    };
    git_remote_url(&req.endpoints.git, who, req.workspace, req.repo)
}

/// The inputs of [`build`] in their safe forms, with a note for each one that
/// had to be replaced.
struct Clean<'a> {
    workspace: &'a str,
    repo: &'a str,
    token: TokenText<'a>,
    endpoints: Endpoints,
    /// Notes that concern every command (a replaced workspace, repo or token).
    notes: Vec<Note>,
}

/// A workspace or slug that is empty, `.` or `..` (a URL path that climbs out
/// of /repositories/) or holds a forbidden character.
fn unsafe_segment(s: &str) -> bool {
    s.is_empty() || s == "." || s == ".." || safe::has_forbidden(s)
}

fn clean<'a>(req: &Request<'a>) -> Clean<'a> {
    let mut notes = Vec::new();
    let mut segment = |s: &'a str, placeholder: &'static str, note: Note| {
        if unsafe_segment(s) {
            notes.push(note);
            placeholder
        } else {
            s
        }
    };
    let workspace = segment(req.workspace, "WORKSPACE", Note::UnsafeWorkspace);
    let repo = segment(req.repo, "REPO", Note::UnsafeRepo);
    let token = if safe::has_forbidden(req.token.text()) {
        notes.push(Note::UnsafeToken);
        TokenText::Masked("TOKEN")
    } else {
        req.token
    };
    let endpoints = Endpoints {
        api: safe::url_text(&req.endpoints.api),
        git: safe::url_text(&req.endpoints.git),
    };
    Clean {
        workspace,
        repo,
        token,
        endpoints,
        notes,
    }
}

/// An email from the profile, or `placeholder` with `note` when it is missing
/// or holds a forbidden character.
fn email_or<'e>(
    email: Option<&'e str>,
    placeholder: &'static str,
    missing: Note,
    bad: Note,
) -> (&'e str, Option<Note>) {
    match email {
        Some(e) if !safe::has_forbidden(e) && !e.is_empty() => (e, None),
        Some(_) => (placeholder, Some(bad)),
        None => (placeholder, Some(missing)),
    }
}

/// The push line of the onboarding command, and why it is the fallback when it is.
fn push_line(branch: Branch) -> (String, Vec<Note>) {
    let fallback = line(&["git", "push", "-u", "origin", "HEAD"]);
    match branch {
        // `HEAD:refs/heads/NAME`, not `NAME`: the word starts with `HEAD:`, so
        // git can never read it as an option (`--mirror`) or as a refspec of
        // its own (`+refs/heads/*:refs/heads/*` would force-push every
        // branch); the source is always the current commit and the
        // destination always one branch. `--` before a bare NAME would stop
        // option parsing but still let a refspec through. `-u` still records
        // origin/NAME as the upstream. check_branch refuses such names anyway.
        Branch::Learned(b) => match refname::check_branch(b) {
            Ok(()) => (
                line(&[
                    "git",
                    "push",
                    "-u",
                    "origin",
                    &format!("HEAD:refs/heads/{b}"),
                ]),
                Vec::new(),
            ),
            Err(why) => (fallback, vec![Note::BranchRefused(why), Note::PushHead]),
        },
        Branch::OtherRepository => (fallback, vec![Note::BranchOtherRepository, Note::PushHead]),
        Branch::Unknown => (fallback, vec![Note::BranchUnknown, Note::PushHead]),
    }
}

/// The bot email for `git config user.email` (access tokens only), or a
/// placeholder, with a note when it is unconfirmed or a placeholder.
fn bot_email(profile: &Profile) -> Option<(String, Option<Note>)> {
    if !profile.kind.is_access_token() {
        return None;
    }
    Some(match profile.bot_email_or_candidate() {
        Some((e, _)) if safe::has_forbidden(&e) || e.is_empty() => (
            "<bot-id>@bots.bitbucket.org".to_string(),
            Some(Note::BotEmailUnsafe),
        ),
        Some((e, true)) => (e, None),
        Some((e, false)) => (e, Some(Note::BotEmailUnconfirmed)),
        None => (
            "<bot-id>@bots.bitbucket.org".to_string(),
            Some(Note::BotEmailUnknown),
        ),
    })
}

/// "Use this token in the clone you already have": point origin here, commit
/// as the token's bot (access tokens), push. `remote add` would fail in a
/// clone (origin exists). The push sends the current branch under its own
/// name, never the learned main branch: in a clone you may be on any branch,
/// and `HEAD:refs/heads/MAIN` from a feature branch would push it into main.
fn existing_clone(
    url: &str,
    bot_email: &Option<(String, Option<Note>)>,
    secret_in_git: bool,
    common: &[Note],
) -> Generated {
    let mut lines = vec![line(&["git", "remote", "set-url", "origin", url])];
    let mut email_note = None;
    if let Some((email, note)) = bot_email {
        lines.push(line(&["git", "config", "user.email", email]));
        email_note = note.clone();
    }
    lines.push(line(&["git", "push", "-u", "origin", "HEAD"]));
    Generated {
        kind: CommandKind::ExistingClone,
        title: "Use this token in the clone you already have",
        text: lines.join("\n"),
        holds_secret: secret_in_git,
        note: None,
        notes: notes([email_note, Some(Note::PushHead)], common),
    }
}

/// The notes that apply to one command: its own, then the common ones.
fn notes(parts: impl IntoIterator<Item = Option<Note>>, common: &[Note]) -> Vec<Note> {
    parts
        .into_iter()
        .flatten()
        .chain(common.iter().cloned())
        .collect()
}

/// The last wall: a command whose text still holds a forbidden character
/// is replaced by [`WITHHELD`]. Also writes the English
/// [`Generated::note`].
fn finish(mut g: Generated) -> Generated {
    // Notes are typed and said from the catalogs (which hold no unsafe
    // character: tests/i18n.rs), so only the text can carry one.
    g.note = note::english(&g.notes);
    if safe::text_has_forbidden(&g.text) {
        g.text = WITHHELD.to_string();
        g.holds_secret = false;
        g.notes = vec![Note::Withheld];
        g.note = note::english(&g.notes);
    }
    g
}

/// All the commands for a request, in the order a person uses them.
pub fn build(req: &Request) -> Vec<Generated> {
    let c = clean(req);
    let inner = Request {
        workspace: c.workspace,
        repo: c.repo,
        token: c.token,
        endpoints: &c.endpoints,
        ..req.clone()
    };
    let req = &inner;
    let url = remote_url(req);
    let embedded = req.mode == Mode::Embedded;
    let secret_in_git = embedded && req.token.is_real();
    let (push, push_notes) = push_line(req.branch);
    let bot_email = bot_email(req.profile);
    let mut out = vec![
        Generated {
            kind: CommandKind::Clone,
            title: "Clone",
            text: line(&["git", "clone", &url]),
            holds_secret: secret_in_git,
            note: None,
            notes: c.notes.clone(),
        },
        existing_clone(&url, &bot_email, secret_in_git, &c.notes),
        Generated {
            kind: CommandKind::Onboard,
            title: "Push a new local repository",
            text: format!(
                "{}\n{push}",
                line(&["git", "remote", "add", "origin", &url]),
            ),
            holds_secret: secret_in_git,
            note: None,
            notes: notes(
                std::iter::once(Note::RepositoryShouldBeEmpty)
                    .chain(push_notes)
                    .map(Some),
                &c.notes,
            ),
        },
    ];
    if let Some((email, note)) = &bot_email {
        out.push(Generated {
            kind: CommandKind::UserEmail,
            title: "Commit as the token's bot",
            text: line(&["git", "config", "user.email", email]),
            holds_secret: false,
            note: None,
            notes: notes([note.clone()], &[]),
        });
    }
    out.extend(curl(req).into_iter().map(|mut g| {
        g.notes.extend(c.notes.iter().cloned());
        g
    }));
    out.into_iter().map(finish).collect()
}

/// The start of every snippet that reads a token. The whole snippet is one
/// subshell `( ... )`, so a shell that gets it pasted line by line (dash;
/// bash or zsh with bracketed paste off) must read up to the closing `)`
/// before it runs anything: `read` then can only get what the person types
/// next, never the snippet's own next line (which would leave the typed token
/// to run as a command and land in history). The subshell also means
/// BB_TOKEN never exists in the person's shell. The EXIT trap turns echo back
/// on however the subshell ends; INT, HUP and TERM go through `exit` so that
/// trap runs in dash too, which skips EXIT traps on death by signal. POSIX
/// sh only: `read -s` and `read -p` are bash-only (zsh's -p means something
/// else). Echo goes off before the prompt shows, so a token typed the moment
/// the prompt appears is never echoed. The prompt goes to stderr so curl's
/// output can still be piped.
const READ_TOKEN: &str = "(\n  \
trap 'stty echo 2>/dev/null' EXIT\n  \
trap 'exit 130' INT HUP TERM\n  \
stty -echo 2>/dev/null\n  \
printf 'Bitbucket token: ' >&2\n  \
IFS= read -r BB_TOKEN || { echo >&2; exit 1; }\n  \
stty echo 2>/dev/null\n  \
echo >&2\n";

/// The end of a snippet that reads a token: `printf` is a builtin in every
/// POSIX shell, so the token travels only through pipes, never argv.
fn read_token_snippet(header_printf: &str, curl: &str) -> String {
    format!("{READ_TOKEN}  {header_printf} \\\n    | {curl}\n)")
}

fn curl(req: &Request) -> Vec<Generated> {
    let url = repository_api_url(&req.endpoints.api, req.workspace, req.repo);
    let get = ["curl", "--request", "GET", "--url", url.as_str()];
    let accept = ["--header", "Accept: application/json"];
    let token = req.token.text();
    let real = req.token.is_real();
    let stdin_header = line(&[&get[..], &["--header", "@-"], &accept[..]].concat());
    // curl cannot ask git's credential helper: helper mode shows the
    // interactive commands.
    let mode = match req.mode {
        Mode::Helper => Mode::Interactive,
        m => m,
    };
    match (req.profile.kind, mode) {
        (TokenKind::Api, mode) => {
            let (email, email_note) = email_or(
                req.profile.email.as_deref(),
                "<atlassian-email>",
                Note::NoApiEmail,
                Note::ApiEmailUnsafe,
            );
            let (user, basic_text, secret) = match mode {
                Mode::Interactive | Mode::Helper => {
                    let user = [&get[..], &["--user", email], &accept[..]].concat();
                    let basic = read_token_snippet(
                        &format!(
                            "printf 'Authorization: Basic %s\\n' \"$(printf '%s' {}\"$BB_TOKEN\" | base64 | tr -d '\\n')\"",
                            quote(&format!("{email}:"))
                        ),
                        &stdin_header,
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
            let user_note = (mode == Mode::Interactive).then_some(Note::CurlAsks);
            vec![
                Generated {
                    kind: CommandKind::Curl,
                    title: "REST: Get Repository (--user)",
                    text: user,
                    holds_secret: secret,
                    note: None,
                    notes: notes([user_note, email_note.clone()], &[]),
                },
                Generated {
                    kind: CommandKind::CurlBasic,
                    title: "REST: Get Repository (Basic header)",
                    text: basic_text,
                    holds_secret: secret,
                    note: None,
                    notes: notes([email_note], &[]),
                },
            ]
        }
        (_, Mode::Interactive | Mode::Helper) => vec![Generated {
            kind: CommandKind::Curl,
            title: "REST: Get Repository (Bearer)",
            text: read_token_snippet(
                "printf 'Authorization: Bearer %s\\n' \"$BB_TOKEN\"",
                &stdin_header,
            ),
            holds_secret: false,
            note: None,
            notes: vec![Note::ShellReads],
        }],
        (_, Mode::Embedded) => {
            let auth = format!("Authorization: Bearer {token}");
            vec![Generated {
                kind: CommandKind::Curl,
                title: "REST: Get Repository (Bearer)",
                text: line(&[&get[..], &["--header", &auth], &accept[..]].concat()),
                holds_secret: real,
                note: None,
                notes: Vec::new(),
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
            branch: Branch::Learned("main"),
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
            let existing = text_of(&cmds, CommandKind::ExistingClone);
            assert_eq!(
                words(existing.lines().next().unwrap()),
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

    /// Every title a build gives has Japanese words (a new title without
    /// them would show English on a Japanese screen), and the translated
    /// warning is the constant's in English.
    #[test]
    fn every_title_has_its_words() {
        use crate::i18n::{Lang, with_lang};
        let ep = Endpoints::default();
        for kind in TokenKind::ALL {
            let p = profile(kind);
            for mode in [Mode::Interactive, Mode::Embedded, Mode::Helper] {
                for c in build(&req(&p, mode, TokenText::Masked("ATCTT3****ABCD"), &ep)) {
                    let ja = with_lang(Lang::Ja, || title_words(c.title));
                    assert_ne!(ja, c.title, "{kind} {mode:?}");
                    assert_eq!(title_words(c.title), c.title);
                }
            }
        }
        assert_eq!(embedded_warning(), EMBEDDED_WARNING);
        assert_ne!(with_lang(Lang::Ja, embedded_warning), EMBEDDED_WARNING);
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
        r.branch = Branch::Learned("trunk");
        let cmds = build(&r);
        assert_eq!(
            text_of(&cmds, CommandKind::Onboard),
            "git remote add origin https://x-token-auth@bitbucket.org/acme/api.git\ngit push -u origin HEAD:refs/heads/trunk"
        );
        assert_eq!(
            text_of(&cmds, CommandKind::UserEmail),
            "git config user.email abc123@bots.bitbucket.org"
        );
        // The existing clone: set-url, the bot email, and the current branch
        // pushed under its own name even though the main branch is known.
        assert_eq!(
            text_of(&cmds, CommandKind::ExistingClone),
            "git remote set-url origin https://x-token-auth@bitbucket.org/acme/api.git\n\
             git config user.email abc123@bots.bitbucket.org\n\
             git push -u origin HEAD"
        );
        let api = profile(TokenKind::Api);
        let cmds = build(&req(&api, Mode::Interactive, TokenText::Masked("x"), &ep));
        assert!(cmds.iter().all(|c| c.kind != CommandKind::UserEmail));
        // An API token commits as its user: no user.email line.
        assert_eq!(
            text_of(&cmds, CommandKind::ExistingClone),
            "git remote set-url origin https://x-bitbucket-api-token-auth@bitbucket.org/acme/api.git\n\
             git push -u origin HEAD"
        );
    }

    fn push_of(cmds: &[Generated]) -> (String, String) {
        let g = cmds
            .iter()
            .find(|c| c.kind == CommandKind::Onboard)
            .unwrap();
        (
            g.text.lines().nth(1).unwrap().to_string(),
            g.note.clone().unwrap_or_default(),
        )
    }

    #[test]
    fn hostile_branches_fall_back_to_head() {
        let ep = Endpoints::default();
        let p = profile(TokenKind::Repository);
        for b in [
            "main\u{1b}[201~\u{15}touch /tmp/x\r",
            "--mirror",
            "+refs/heads/*:refs/heads/*",
            "a:b",
            "HEAD",
            "x\u{202e}y",
            "",
        ] {
            let mut r = req(&p, Mode::Interactive, TokenText::Masked("x"), &ep);
            r.branch = Branch::Learned(b);
            let (push, note) = push_of(&build(&r));
            assert_eq!(push, "git push -u origin HEAD", "{b:?}");
            assert!(note.contains("is not used because"), "{b:?}: {note}");
            assert!(!safe::has_forbidden(&note));
        }
        for (branch, want) in [
            (Branch::OtherRepository, "known only for the profile's own"),
            (Branch::Unknown, "not known yet"),
        ] {
            let mut r = req(&p, Mode::Interactive, TokenText::Masked("x"), &ep);
            r.branch = branch;
            let (push, note) = push_of(&build(&r));
            assert_eq!(push, "git push -u origin HEAD");
            assert!(note.contains(want), "{note}");
        }
    }

    #[test]
    fn the_branch_is_used_only_for_the_validated_repository() {
        let mut p = profile(TokenKind::Workspace);
        assert_eq!(branch_for(&p, "acme", "api"), Branch::Unknown);
        let mut o = crate::profile::Outcome::bare(crate::profile::Status::Valid, "ok", None);
        o.repository = Some(crate::profile::RepoFacts {
            full_name: "acme/api".into(),
            is_private: Some(true),
            main_branch: Some("trunk".into()),
            project_key: None,
            bot_id_candidate: None,
        });
        p.last_validation = Some(o);
        assert_eq!(branch_for(&p, "acme", "api"), Branch::Learned("trunk"));
        assert_eq!(branch_for(&p, "ACME", "Api"), Branch::Learned("trunk"));
        assert_eq!(branch_for(&p, "acme", "web"), Branch::OtherRepository);
        assert_eq!(branch_for(&p, "other", "api"), Branch::OtherRepository);
        p.repo = None;
        assert_eq!(branch_for(&p, "acme", "api"), Branch::OtherRepository);
    }

    #[test]
    fn hostile_inputs_become_placeholders() {
        let ep = Endpoints {
            api: "https://api.example\u{1b}]0;x\u{7}/2.0".into(),
            git: "https://git.example\u{9b}31m".into(),
        };
        let mut p = profile(TokenKind::Api);
        p.email = Some("dev@example.com\u{1b}[2J".into());
        p.username = Some("j\u{1b}doe".into());
        let mut r = req(&p, Mode::Embedded, TokenText::Revealed("TOK\rEN"), &ep);
        r.workspace = "..";
        r.repo = "a\u{202e}b";
        let cmds = build(&r);
        for c in &cmds {
            assert!(!safe::text_has_forbidden(&c.text), "{:?}", c.text);
            assert_ne!(c.text, WITHHELD);
            assert!(!c.holds_secret, "the token was replaced: {:?}", c.kind);
        }
        let clone = words(&text_of(&cmds, CommandKind::Clone));
        assert_eq!(
            clone[2],
            "https://x-bitbucket-api-token-auth:TOKEN@git.example%C2%9B31m/WORKSPACE/REPO.git"
        );
        let note = cmds[0].note.clone().unwrap();
        assert!(note.contains("replace WORKSPACE") && note.contains("TOKEN stands in"));
        assert!(text_of(&cmds, CommandKind::Curl).contains("<atlassian-email>:TOKEN"));
        let mut bot = profile(TokenKind::Repository);
        bot.bot_email = Some("x\u{1b}[201~@bots.bitbucket.org".into());
        let cmds = build(&req(&bot, Mode::Interactive, TokenText::Masked("x"), &ep));
        assert_eq!(
            text_of(&cmds, CommandKind::UserEmail),
            "git config user.email '<bot-id>@bots.bitbucket.org'"
        );
    }

    #[test]
    fn empty_and_dot_segments_become_placeholders() {
        let ep = Endpoints::default();
        let p = profile(TokenKind::Repository);
        for (workspace, repo) in [("", "."), (".", "")] {
            let mut r = req(&p, Mode::Interactive, TokenText::Masked("x"), &ep);
            r.workspace = workspace;
            r.repo = repo;
            let cmds = build(&r);
            assert_eq!(
                text_of(&cmds, CommandKind::Clone),
                "git clone https://x-token-auth@bitbucket.org/WORKSPACE/REPO.git",
                "{workspace:?}/{repo:?}"
            );
            let note = cmds[0].note.clone().unwrap_or_default();
            assert!(
                note.contains("replace WORKSPACE") && note.contains("replace REPO"),
                "{note}"
            );
        }
    }

    /// The last wall withholds a command whose text holds a forbidden
    /// character, and lets a clean one through with its notes.
    #[test]
    fn finish_withholds_when_the_text_is_unsafe() {
        let command = |text: &str| Generated {
            kind: CommandKind::Clone,
            title: "Clone",
            text: text.into(),
            holds_secret: true,
            note: None,
            notes: vec![Note::BranchRefused(refname::Refused::OptionLike)],
        };
        let clean = command("git clone https://bitbucket.org/a/b.git");
        let finished = finish(clean.clone());
        assert_eq!(finished.text, clean.text);
        assert_eq!(finished.notes, clean.notes);
        assert!(finished.note.unwrap().contains("because it starts with -"));
        for bad in [
            command("git clone https://bitbucket.org/a/b\u{1b}[2J.git"),
            command("git clone x\u{1b}[2J"),
        ] {
            let g = finish(bad.clone());
            assert_eq!(g.text, WITHHELD, "{:?}", bad.text);
            assert!(!g.holds_secret);
            assert_eq!(g.notes, vec![Note::Withheld]);
        }
    }

    #[test]
    fn api_curl_says_it_asks_only_when_it_asks() {
        let ep = Endpoints::default();
        let p = profile(TokenKind::Api);
        let note = |mode| {
            let cmds = build(&req(&p, mode, TokenText::Masked("x"), &ep));
            cmds.into_iter()
                .find(|c| c.kind == CommandKind::Curl)
                .unwrap()
                .note
        };
        let asks = Some("curl asks for the API token".to_string());
        assert_eq!(note(Mode::Interactive), asks);
        assert_eq!(note(Mode::Helper), asks);
        assert_eq!(note(Mode::Embedded), None);
    }

    /// The multi-line snippets are whole, valid programs for every shell a
    /// person may paste them into. (tests/shell_paste.rs pastes them for real.)
    #[test]
    fn snippets_parse_in_every_shell() {
        let ep = Endpoints::default();
        let mut snippets = Vec::new();
        for kind in [TokenKind::Repository, TokenKind::Api] {
            let p = profile(kind);
            for c in build(&req(&p, Mode::Interactive, TokenText::Masked("x"), &ep)) {
                if c.text.contains("read -r") {
                    assert!(c.text.starts_with("(\n") && c.text.ends_with("\n)"));
                    snippets.push(c.text);
                }
            }
        }
        assert_eq!(snippets.len(), 2);
        for shell in ["sh", "bash", "dash", "zsh"] {
            for s in &snippets {
                let Ok(o) = std::process::Command::new(shell)
                    .arg("-n")
                    .arg("-c")
                    .arg(s)
                    .output()
                else {
                    eprintln!("{shell} not installed: skipped");
                    continue;
                };
                assert!(
                    o.status.success(),
                    "{shell}: {}\n{s}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
        }
    }

    #[test]
    fn the_embedded_warning_names_every_place_the_token_goes() {
        for place in [
            "process list",
            ".git/config",
            "remote set-url",
            "git clone",
            "shell history",
            "scrollback",
        ] {
            assert!(EMBEDDED_WARNING.contains(place), "{place}");
        }
        assert!(!safe::has_forbidden(EMBEDDED_WARNING));
    }

    #[test]
    fn helper_mode_has_plain_urls_and_the_modes_cycle() {
        let ep = Endpoints::default();
        for kind in TokenKind::ALL {
            let p = profile(kind);
            let cmds = build(&req(&p, Mode::Helper, TokenText::Masked("x"), &ep));
            assert_eq!(
                text_of(&cmds, CommandKind::Clone),
                "git clone https://bitbucket.org/acme/api.git"
            );
            assert!(cmds.iter().all(|c| !c.holds_secret));
            // curl has no credential helper: the interactive forms.
            let interactive = build(&req(&p, Mode::Interactive, TokenText::Masked("x"), &ep));
            assert_eq!(
                text_of(&cmds, CommandKind::Curl),
                text_of(&interactive, CommandKind::Curl)
            );
        }
        let mut m = Mode::Interactive;
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(m);
            m = m.toggled();
        }
        assert_eq!(m, Mode::Interactive);
        assert_eq!(seen, [Mode::Interactive, Mode::Embedded, Mode::Helper]);
    }
}
