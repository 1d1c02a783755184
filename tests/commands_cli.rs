//! `bbtoken commands` end to end against a fake Bitbucket whose Get
//! Repository names a hostile main branch (issue 6, item 1), with the real
//! binary and a private Secret Service: the branch never reaches a command,
//! a branch learned for one repository is not used for another (item 4),
//! and embedded mode says where the token really goes (item 11).

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::token::{ACCESS_PREFIX, synthesize};

/// The main branch from the issue's report: ends a bracketed paste, erases
/// the line, runs `touch`, and presses Enter.
const PASTE_ESCAPE: &str = "main\u{1b}[201~\u{15}touch /tmp/x\r";

struct World {
    _rt: tokio::runtime::Runtime,
    fake: FakeBitbucket,
    keyring: common::Keyring,
    config: tempfile::TempDir,
}

impl World {
    fn start(test: &str) -> Option<World> {
        let keyring = common::keyring_or_skip(test)?;
        let rt = tokio::runtime::Runtime::new().unwrap();
        let fake = rt.block_on(FakeBitbucket::start()).unwrap();
        let repo = |slug: &str, branch: &str| FakeRepo {
            main_branch: Some(branch.into()),
            ..FakeRepo::new("acme", slug, "CORE")
        };
        fake.add_repo(repo("api", PASTE_ESCAPE));
        fake.add_repo(repo("mirror", "--mirror"));
        fake.add_repo(repo("web", "trunk"));
        Some(World {
            _rt: rt,
            fake,
            keyring,
            config: tempfile::tempdir().unwrap(),
        })
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bbtoken"))
            .args(args)
            .envs(self.keyring.envs())
            .env("BBTOKEN_CONFIG_DIR", self.config.path())
            .env("BBTOKEN_API_URL", self.fake.api_url())
            .env("BBTOKEN_RETRY_429", "0")
            .env("NO_COLOR", "1")
            // English whatever the machine's locale: the tests read its words.
            .env("BBTOKEN_LANG", "en")
            .env_remove("BBTOKEN_STORE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The program may exit before reading stdin: ignore EPIPE.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }

    /// Adds a workspace token profile for acme/`repo` and validates it, so
    /// the profile learns that repository's main branch.
    fn profile(&self, name: &str, repo: &str, seed: u32) {
        let t = synthesize(ACCESS_PREFIX, seed);
        self.fake.add_token(
            &t,
            FakeToken {
                credential_type: "workspace_access_token".into(),
                scopes: vec!["repository".into()],
                reach: Reach::Workspace("acme".into()),
                email: None,
                bot_id: Some("abcdefghijklmnopqrstuvwxyz0123".into()),
                quirks: Quirks::default(),
            },
        );
        let args = ["add", name, "-k", "workspace", "-w", "acme", "-r", repo];
        let o = self.run(&args, &t);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let o = self.run(&["validate", name], "");
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The push line and its note from `commands --json`.
fn push(w: &World, args: &[&str]) -> (String, String) {
    let mut all = vec!["commands"];
    all.extend_from_slice(args);
    all.push("--json");
    let o = w.run(&all, "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let onboard = v["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "onboard")
        .unwrap()
        .clone();
    (
        onboard["text"]
            .as_str()
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .to_string(),
        onboard["note"].as_str().unwrap_or_default().to_string(),
    )
}

/// No byte of the commands' output is a control character (the newline
/// between lines aside) or a bidi control.
fn assert_clean(out: &[u8], what: &str) {
    let s = text(out);
    let bad: Vec<char> = s
        .chars()
        .filter(|&c| c != '\n' && bbtoken::gitcmd::safe::is_forbidden(c))
        .collect();
    assert!(bad.is_empty(), "{what}: {bad:?} in {s}");
}

#[test]
fn hostile_main_branches_never_reach_a_command() {
    let Some(w) = World::start("hostile main branch") else {
        return;
    };
    w.profile("esc", "api", 31);
    w.profile("mirror", "mirror", 32);
    for (name, mode) in [
        ("esc", "interactive"),
        ("esc", "embedded"),
        ("mirror", "interactive"),
    ] {
        let o = w.run(&["commands", name, "--mode", mode], "");
        assert_eq!(o.status.code(), Some(0));
        assert_clean(&o.stdout, name);
        let (line, note) = push(&w, &[name, "--mode", mode]);
        assert_eq!(line, "git push -u origin HEAD", "{name}");
        // Refused here ("is not used because ...") or, where the server text
        // is already dropped at ingest, never learned ("not known yet").
        assert!(
            note.contains("pushes your current branch under its own name"),
            "{name}: {note}"
        );
    }
}

#[test]
fn a_branch_learned_for_one_repository_is_not_used_for_another() {
    let Some(w) = World::start("branch per repository") else {
        return;
    };
    w.profile("ws", "web", 41);
    let (line, _) = push(&w, &["ws"]);
    assert_eq!(line, "git push -u origin HEAD:refs/heads/trunk");
    let (line, note) = push(&w, &["ws", "--repo", "api"]);
    assert_eq!(line, "git push -u origin HEAD", "retargeted: {note}");
    assert!(note.contains("known only for the profile's own repository"));
}

#[test]
fn embedded_mode_says_where_the_token_goes() {
    let Some(w) = World::start("embedded warning") else {
        return;
    };
    w.profile("ws", "web", 51);
    for reveal in [false, true] {
        let mut args = vec!["commands", "ws", "--mode", "embedded"];
        if reveal {
            args.push("--reveal");
        }
        let o = w.run(&args, "");
        let err = text(&o.stderr);
        for place in ["process list", ".git/config", "shell history", "scrollback"] {
            assert!(err.contains(place), "reveal={reveal}: {err}");
        }
    }
    let o = w.run(&["commands", "ws"], "");
    assert!(!text(&o.stderr).contains(".git/config"), "interactive mode");
}

/// Issue 10, A2: a workspace token aimed at another workspace is warned
/// about by the same check the app's `t` uses (describe::reach_warning).
#[test]
fn a_target_out_of_reach_is_warned_about() {
    let Some(w) = World::start("reach warning") else {
        return;
    };
    w.profile("ws", "web", 61);
    let o = w.run(&["commands", "ws", "--repo", "api"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        !text(&o.stderr).contains("cannot reach"),
        "{}",
        text(&o.stderr)
    );
    let o = w.run(&["commands", "ws", "--repo", "other/web"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains(
            "ws is a workspace access token for workspace acme: it cannot reach other/web"
        ),
        "{err}"
    );
}
