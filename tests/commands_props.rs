//! Issue 6, item 1 and the property tests for the command builders: for any
//! (hostile) profile fields, branch, target, token and endpoint, no generated
//! command holds a control character, and every command parses back with a
//! POSIX sh parser into the argv it is meant to be. Also: the branch-name
//! checker agrees with the real `git check-ref-format --branch`, and real git
//! against a local bare repository shows that option-like and refspec-like
//! branch names cannot delete or force-push anything.

use std::path::Path;
use std::process::Command;

use bbtoken::app::build_commands;
use bbtoken::gitcmd::refname::{check_branch, git_branch_rules};
use bbtoken::gitcmd::safe::{has_forbidden, is_forbidden, text_has_forbidden};
use bbtoken::gitcmd::{self, Branch, CommandKind, Endpoints, Generated, Mode, TokenText};
use bbtoken::profile::{Outcome, Profile, RepoFacts, Status, TokenKind};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;

// ---------------------------------------------------------------- real git

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git is installed")
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// What the real git says about a branch name, asked outside any repository
/// (inside one, `--branch` would expand `@` and `@{-1}`).
fn real_git_accepts(dir: &Path, name: &str) -> bool {
    git(dir, &["check-ref-format", "--branch", name])
        .status
        .success()
}

#[test]
fn refname_checker_agrees_with_real_git() {
    let dir = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = [
        "main",
        "feature/x-1",
        "ü",
        "a{b",
        "a@b",
        "@a",
        "a@",
        "a+b",
        "HEAD/x",
        "x/HEAD",
        "a.lockx",
        "@",
        "@@",
        "+x",
        "HEAD",
        "-x",
        "-",
        "a-",
        "a@{b",
        "a@{",
        "@{-1}",
        "a/.b",
        "a.lock/b",
        "a/b.lock",
        ".lock",
        "a/.lock",
        "a.",
        ".a",
        "a..b",
        "a//b",
        "/a",
        "a/",
        "a b",
        "a\tb",
        "a~b",
        "a^b",
        "a:b",
        "a?b",
        "a*b",
        "a[b",
        "a]b",
        "a\\b",
        "a\x7fb",
        "a\x1bb",
        "a\rb",
        "a\u{9b}b",
        "a\u{202e}b",
        "",
        "x/..",
        "x/./y",
        "a.b",
        "refs/heads/x",
        "--mirror",
        "+refs/heads/*:refs/heads/*",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // And random names over the characters the rules are about.
    let alphabet: Vec<char> = "ab./-@{}~^:?*[\\ \t\x7f+lockHEAD\u{1b}ü".chars().collect();
    let mut seed: u64 = 0x5eed;
    for _ in 0..300 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let len = (seed >> 60) as usize % 8 + 1;
        let mut s = String::new();
        for i in 0..len {
            let r = seed.rotate_left(7 * i as u32 + 3);
            s.push(alphabet[(r % alphabet.len() as u64) as usize]);
        }
        names.push(s);
    }
    let mut checked = 0;
    for name in &names {
        let git_says = real_git_accepts(dir.path(), name);
        assert_eq!(
            git_branch_rules(name).is_ok(),
            git_says,
            "{name:?}: real git says {git_says}"
        );
        // Ours is never looser than git.
        if !git_says {
            assert!(check_branch(name).is_err(), "{name:?}");
        }
        checked += 1;
    }
    assert!(checked > 300);
}

/// A bare "remote" with three branches, and a clone-less local repository
/// whose history has nothing in common with it (so a force push would show).
struct Remote {
    _dir: tempfile::TempDir,
    bare: std::path::PathBuf,
    work: std::path::PathBuf,
}

impl Remote {
    fn new() -> Remote {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("remote.git");
        let seed = dir.path().join("seed");
        let work = dir.path().join("work");
        for d in [&bare, &seed, &work] {
            std::fs::create_dir(d).unwrap();
        }
        git_ok(&bare, &["init", "-q", "--bare"]);
        git_ok(&seed, &["init", "-q", "-b", "main"]);
        git_ok(
            &seed,
            &["commit", "-q", "--allow-empty", "-m", "remote history"],
        );
        let b = bare.to_str().unwrap();
        git_ok(&seed, &["push", "-q", b, "main", "main:other", "main:keep"]);
        git_ok(&work, &["init", "-q", "-b", "feature"]);
        git_ok(
            &work,
            &["commit", "-q", "--allow-empty", "-m", "local history"],
        );
        git_ok(&work, &["remote", "add", "origin", b]);
        Remote {
            _dir: dir,
            bare,
            work,
        }
    }

    fn refs(&self) -> Vec<String> {
        git_ok(
            &self.bare,
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        )
        .lines()
        .map(str::to_string)
        .collect()
    }

    /// Runs one line with sh in the local repository.
    fn sh(&self, line: &str) -> bool {
        Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(&self.work)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap()
            .status
            .success()
    }

    /// Every branch the remote had is still there, at the same commit.
    fn untouched(&self, before: &[String]) -> Result<(), String> {
        let after = self.refs();
        for r in before {
            if !after.contains(r) {
                return Err(format!("{r} was deleted or moved; now {after:?}"));
            }
        }
        Ok(())
    }
}

const HOSTILE_BRANCHES: &[&str] = &[
    "--mirror",
    "+refs/heads/*:refs/heads/*",
    "--delete",
    "-f",
    ":main",
    "+main",
    "refs/heads/*:refs/heads/*",
    "--force",
    "main\u{1b}[201~\u{15}touch /tmp/x\r",
];

fn push_line(branch: &str) -> String {
    let p = Profile::new("p", TokenKind::Repository, "acme", Some("api"));
    let ep = Endpoints::default();
    let cmds = gitcmd::build(&gitcmd::Request {
        profile: &p,
        workspace: "acme",
        repo: "api",
        mode: Mode::Interactive,
        token: TokenText::Masked("x"),
        endpoints: &ep,
        branch: Branch::Learned(branch),
    });
    let onboard = cmds
        .iter()
        .find(|c| c.kind == CommandKind::Onboard)
        .unwrap();
    onboard.text.lines().nth(1).unwrap().to_string()
}

#[test]
fn hostile_branch_names_cannot_delete_or_force_push() {
    for b in HOSTILE_BRANCHES {
        let r = Remote::new();
        let before = r.refs();
        let line = push_line(b);
        assert_eq!(line, "git push -u origin HEAD", "{b:?}");
        assert!(r.sh(&line), "the fallback push works");
        r.untouched(&before)
            .unwrap_or_else(|e| panic!("{b:?}: {e}"));
    }
}

/// Even without the name check, the `HEAD:refs/heads/NAME` form alone keeps
/// every name one destination branch: no option, no second refspec, no force.
#[test]
fn the_refspec_form_alone_is_safe_with_real_git() {
    for b in HOSTILE_BRANCHES {
        let r = Remote::new();
        let before = r.refs();
        let line = format!(
            "git push -u origin {}",
            gitcmd::quote(&format!("HEAD:refs/heads/{b}"))
        );
        r.sh(&line); // may fail; what matters is the remote
        r.untouched(&before)
            .unwrap_or_else(|e| panic!("{b:?} with {line}: {e}"));
    }
}

/// The remote setup can see harm: the pre-fix command for `--mirror`
/// (`git push -u origin --mirror`) deletes the remote's branches, and the
/// one for `+refs/heads/*:refs/heads/*` force-pushes.
#[test]
fn the_old_push_line_does_harm_so_the_checks_can_fail() {
    for b in ["--mirror", "+refs/heads/*:refs/heads/*"] {
        let r = Remote::new();
        let before = r.refs();
        if b.starts_with('+') {
            // Give the local side a branch the remote has, with other history.
            git_ok(&r.work, &["branch", "main"]);
        }
        r.sh(&format!("git push -u origin {}", gitcmd::quote(b)));
        assert!(
            r.untouched(&before).is_err(),
            "{b:?}: the old form left the remote alone, so the test above proves nothing"
        );
    }
}

// ---------------------------------------------------------------- properties

/// Characters that break things: controls of every kind, bidi, quotes and
/// shell syntax, URL syntax, and ordinary text.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            '\u{0}', '\u{7}', '\t', '\n', '\r', '\u{15}', '\u{1b}', '\u{7f}', '\u{85}',
            '\u{9b}', '\u{9d}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}',
            '\u{2028}', '\'', '"', '\\', '$', '`', ';', '&', '|', '(', ')', '<', '>', ' ',
            '*', '?', '[', '~', '!', '#', ':', '/', '@', '%', '+', '-', '.', '=', '{', '}',
            '^', 'ü', '€',
        ]),
        4 => prop::char::range('a', 'z'),
        1 => any::<char>(),
    ]
}

fn hostile(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..max).prop_map(String::from_iter)
}

/// Endpoints are checked for URL syntax where they are read (userinfo, query,
/// fragment are refused there); here they carry only controls and letters.
fn controls(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                '\u{1b}', '\r', '\n', '\t', '\u{7f}', '\u{9b}', '\u{202e}'
            ]),
            prop::char::range('a', 'z'),
        ],
        1..max,
    )
    .prop_map(String::from_iter)
}

/// Mostly ordinary names, sometimes hostile ones.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[a-z][a-z0-9-]{0,8}",
        1 => hostile(10),
        1 => prop::sample::select(vec![".".to_string(), "..".to_string(), String::new()]),
    ]
}

fn branch_like() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[a-z][a-z0-9/._-]{0,10}",
        2 => hostile(12),
        1 => prop::sample::select(HOSTILE_BRANCHES.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    kind: TokenKind,
    profile_ws: String,
    profile_repo: String,
    retarget: bool,
    target_ws: String,
    target_repo: String,
    branch: Option<String>,
    email: Option<String>,
    username: Option<String>,
    bot_email: Option<String>,
    bot_candidate: Option<String>,
    token: String,
    reveal: bool,
    mode: Mode,
    api: String,
    git: String,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            prop::sample::select(TokenKind::ALL.to_vec()),
            name_like(),
            name_like(),
            any::<bool>(),
            name_like(),
            name_like(),
            prop::option::of(branch_like()),
            prop::option::of(hostile(16)),
        ),
        (
            prop::option::of(hostile(10)),
            prop::option::of(hostile(10)),
            prop::option::of(hostile(10)),
            prop_oneof![2 => "ATCTT3[A-Za-z0-9_=-]{8,20}", 1 => hostile(20)],
            any::<bool>(),
            prop::sample::select(vec![Mode::Interactive, Mode::Embedded, Mode::Helper]),
            prop_oneof![
                3 => Just("https://api.bitbucket.org/2.0".to_string()),
                1 => controls(8).prop_map(|h| format!("https://api.example/{h}")),
            ],
            prop_oneof![
                3 => Just("https://bitbucket.org".to_string()),
                1 => controls(8).prop_map(|h| format!("https://git.example/{h}")),
            ],
        ),
    )
        .prop_map(
            |(
                (kind, profile_ws, profile_repo, retarget, target_ws, target_repo, branch, email),
                (username, bot_email, bot_candidate, token, reveal, mode, api, git),
            )| Case {
                kind,
                profile_ws,
                profile_repo,
                retarget,
                target_ws,
                target_repo,
                branch,
                email,
                username,
                bot_email,
                bot_candidate,
                token,
                reveal,
                mode,
                api,
                git,
            },
        )
}

impl Case {
    fn profile(&self) -> Profile {
        let mut p = Profile::new("p", self.kind, &self.profile_ws, Some(&self.profile_repo));
        p.email = self.email.clone();
        p.username = self.username.clone();
        p.bot_email = self.bot_email.clone();
        let mut o = Outcome::bare(Status::Valid, "ok", None);
        o.repository = Some(RepoFacts {
            full_name: format!("{}/{}", self.profile_ws, self.profile_repo),
            is_private: Some(true),
            main_branch: self.branch.clone(),
            project_key: None,
            bot_id_candidate: self.bot_candidate.clone(),
        });
        p.last_validation = Some(o);
        p
    }

    fn target(&self) -> (&str, &str) {
        if self.retarget {
            (&self.target_ws, &self.target_repo)
        } else {
            (&self.profile_ws, &self.profile_repo)
        }
    }
}

fn safe_segment(s: &str) -> bool {
    !(s.is_empty() || s == "." || s == ".." || has_forbidden(s))
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn words(text: &str) -> Vec<String> {
    shlex::split(text).unwrap_or_else(|| panic!("not one sh command: {text:?}"))
}

fn find(cmds: &[Generated], kind: CommandKind) -> &Generated {
    cmds.iter()
        .find(|c| c.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?}"))
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let p = c.profile();
    let (ws, repo) = c.target();
    let ep = Endpoints {
        api: c.api.clone(),
        git: c.git.clone(),
    };
    let token = if c.reveal {
        TokenText::Revealed(&c.token)
    } else {
        TokenText::Masked(&c.token)
    };
    // The TUI's builder; the CLI calls the same gitcmd::branch_for and build.
    let cmds = build_commands(&p, ws, repo, c.mode, token, &ep);

    // No forbidden character anywhere, and nothing had to be withheld: the
    // per-input checks caught everything before the last wall.
    for g in &cmds {
        prop_assert!(!text_has_forbidden(&g.text), "{:?}: {:?}", g.kind, g.text);
        prop_assert!(
            !g.note
                .as_deref()
                .is_some_and(|n| n.chars().any(is_forbidden)),
            "{:?} note: {:?}",
            g.kind,
            g.note
        );
        prop_assert_ne!(&g.text, gitcmd::WITHHELD);
    }

    // Clone, the existing clone's set-url and the remote add all carry the same URL, which points
    // at the target (or at a placeholder for an unsafe name).
    let clone = words(&find(&cmds, CommandKind::Clone).text);
    prop_assert_eq!(clone.len(), 3);
    prop_assert_eq!(&clone[..2], &["git", "clone"]);
    let url = clone[2].clone();
    let parsed = url::Url::parse(&url).map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
    let segs: Vec<String> = parsed.path_segments().unwrap().map(decode).collect();
    let want_ws = if safe_segment(ws) { ws } else { "WORKSPACE" };
    let want_repo = if safe_segment(repo) { repo } else { "REPO" };
    // A test endpoint may add one path segment in front.
    prop_assert!(segs.len() == 2 || segs.len() == 3, "{}", url);
    prop_assert_eq!(&segs[segs.len() - 2], want_ws);
    prop_assert_eq!(&segs[segs.len() - 1], &format!("{want_repo}.git"));
    let user = match c.username.as_deref() {
        Some(u) if c.kind == TokenKind::Api && !u.is_empty() && !has_forbidden(u) => u,
        _ if c.kind == TokenKind::Api => gitcmd::API_TOKEN_GIT_USER,
        _ => gitcmd::ACCESS_TOKEN_GIT_USER,
    };
    // Helper mode: no username either (git asks bbtoken's helper).
    let user = if c.mode == Mode::Helper { "" } else { user };
    prop_assert_eq!(decode(parsed.username()), user);
    let token_ok = !has_forbidden(&c.token);
    let shown_token = if token_ok { c.token.as_str() } else { "TOKEN" };
    match c.mode {
        Mode::Embedded => prop_assert_eq!(decode(parsed.password().unwrap_or("")), shown_token),
        Mode::Interactive | Mode::Helper => prop_assert!(parsed.password().is_none()),
    }

    // Onboarding: remote add, then a push whose last word is HEAD or exactly
    // HEAD:refs/heads/BRANCH for a checked branch of this very repository.
    let onboard = &find(&cmds, CommandKind::Onboard).text;
    let lines: Vec<&str> = onboard.lines().collect();
    prop_assert_eq!(lines.len(), 2);
    prop_assert_eq!(
        words(lines[0]),
        vec!["git", "remote", "add", "origin", url.as_str()]
    );
    let push = words(lines[1]);
    let same_repo = !c.retarget
        || (c.target_ws.eq_ignore_ascii_case(&c.profile_ws)
            && c.target_repo.eq_ignore_ascii_case(&c.profile_repo));
    let want_push = match &c.branch {
        Some(b) if same_repo && check_branch(b).is_ok() => format!("HEAD:refs/heads/{b}"),
        _ => "HEAD".to_string(),
    };
    prop_assert_eq!(
        push,
        vec!["git", "push", "-u", "origin", want_push.as_str()]
    );

    // The bot email, or the placeholder.
    let want_email = c.kind.is_access_token().then(|| {
        let recorded = c.bot_email.clone().or(c
            .bot_candidate
            .as_ref()
            .map(|id| format!("{id}@bots.bitbucket.org")));
        match recorded {
            Some(e) if !e.is_empty() && !has_forbidden(&e) => e,
            _ => "<bot-id>@bots.bitbucket.org".to_string(),
        }
    });
    if let Some(want) = &want_email {
        prop_assert_eq!(
            words(&find(&cmds, CommandKind::UserEmail).text),
            vec!["git", "config", "user.email", want.as_str()]
        );
    }

    // The existing clone: set-url to the same URL, the bot email (access
    // tokens), and the current branch pushed under its own name: in a clone
    // you may be on any branch, so never the learned main branch.
    let existing: Vec<Vec<String>> = find(&cmds, CommandKind::ExistingClone)
        .text
        .lines()
        .map(words)
        .collect();
    let mut want_existing = vec![vec![
        "git".to_string(),
        "remote".into(),
        "set-url".into(),
        "origin".into(),
        url.clone(),
    ]];
    if let Some(e) = &want_email {
        want_existing.push(vec![
            "git".into(),
            "config".into(),
            "user.email".into(),
            e.clone(),
        ]);
    }
    want_existing.push(
        ["git", "push", "-u", "origin", "HEAD"]
            .map(String::from)
            .to_vec(),
    );
    prop_assert_eq!(existing, want_existing);

    // curl: the one-line forms parse into the intended argv; the snippets
    // that read a token are whole programs for sh.
    let api_url = bbtoken::bitbucket::urls::repository_api_url(
        &gitcmd::safe::url_text(&ep.api),
        want_ws,
        want_repo,
    );
    let email_ok = c
        .email
        .as_deref()
        .is_some_and(|e| !e.is_empty() && !has_forbidden(e));
    let email = if email_ok {
        c.email.clone().unwrap()
    } else {
        "<atlassian-email>".to_string()
    };
    for g in cmds
        .iter()
        .filter(|g| matches!(g.kind, CommandKind::Curl | CommandKind::CurlBasic))
    {
        if g.text.contains("read -r") {
            prop_assert!(g.text.starts_with("(\n") && g.text.ends_with("\n)"));
            let o = Command::new("sh")
                .arg("-n")
                .arg("-c")
                .arg(&g.text)
                .output()
                .unwrap();
            prop_assert!(o.status.success(), "sh -n: {:?}", g.text);
            continue;
        }
        let w = words(&g.text);
        prop_assert_eq!(
            &w[..5],
            &["curl", "--request", "GET", "--url", api_url.as_str()]
        );
        let auth = match (c.kind, c.mode, g.kind) {
            // curl has no credential helper: helper mode shows interactive curl.
            (TokenKind::Api, Mode::Interactive | Mode::Helper, _) => {
                vec!["--user".to_string(), email.clone()]
            }
            (TokenKind::Api, Mode::Embedded, CommandKind::Curl) => {
                vec!["--user".to_string(), format!("{email}:{shown_token}")]
            }
            (TokenKind::Api, Mode::Embedded, _) => {
                let pair = format!("{email}:{shown_token}");
                let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pair);
                let shown = if c.reveal && token_ok {
                    b64
                } else {
                    bbtoken::token::mask(&b64)
                };
                vec![
                    "--header".to_string(),
                    format!("Authorization: Basic {shown}"),
                ]
            }
            (_, _, _) => vec![
                "--header".to_string(),
                format!("Authorization: Bearer {shown_token}"),
            ],
        };
        prop_assert_eq!(&w[5..7], &auth[..], "{:?}", g.kind);
        prop_assert_eq!(&w[7..], &["--header", "Accept: application/json"]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_commands_are_clean_and_parse_back(c in case()) {
        check_case(&c)?;
    }
}
