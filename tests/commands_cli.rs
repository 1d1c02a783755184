//! `bbtoken commands` end to end against a fake Bitbucket whose Get
//! Repository names a hostile main branch (issue 6, item 1), with the real
//! binary and a private Secret Service: the branch never reaches a command,
//! a branch learned for one repository is not used for another (item 4),
//! and embedded mode says where the token really goes (item 11).

mod common;
#[path = "common/world.rs"]
mod world;

use bbtoken::fakebb::{FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::token::{ACCESS_PREFIX, synthesize};
use world::{World, code, json, stderr, stdout};

/// The main branch from the issue's report: ends a bracketed paste, erases
/// the line, runs `touch`, and presses Enter.
const PASTE_ESCAPE: &str = "main\u{1b}[201~\u{15}touch /tmp/x\r";

/// acme/api with the hostile branch above, acme/mirror with `--mirror`, and
/// acme/web with `trunk`.
fn start(test: &str) -> Option<World> {
    let repo = |slug: &str, branch: &str| FakeRepo {
        main_branch: Some(branch.into()),
        ..FakeRepo::new("acme", slug, "CORE")
    };
    World::with_repos(
        test,
        [
            repo("api", PASTE_ESCAPE),
            repo("mirror", "--mirror"),
            repo("web", "trunk"),
        ],
    )
}

/// Adds a workspace token profile for acme/`repo` and validates it, so
/// the profile learns that repository's main branch.
fn profile(w: &World, name: &str, repo: &str, seed: u32) {
    let t = synthesize(ACCESS_PREFIX, seed);
    w.fake.add_token(
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
    let o = w.run(&args, &t);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = w.run(&["validate", name], "");
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

/// The push line and its note from `commands --json`.
fn push(w: &World, args: &[&str]) -> (String, String) {
    let mut all = vec!["commands"];
    all.extend_from_slice(args);
    all.push("--json");
    let o = w.run(&all, "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let onboard = json(&o)["commands"]
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
    let s = String::from_utf8_lossy(out);
    let bad: Vec<char> = s
        .chars()
        .filter(|&c| c != '\n' && bbtoken::gitcmd::safe::is_forbidden(c))
        .collect();
    assert!(bad.is_empty(), "{what}: {bad:?} in {s}");
}

#[test]
fn hostile_main_branches_never_reach_a_command() {
    let Some(w) = start("hostile main branch") else {
        return;
    };
    profile(&w, "esc", "api", 31);
    profile(&w, "mirror", "mirror", 32);
    for (name, mode) in [
        ("esc", "interactive"),
        ("esc", "embedded"),
        ("mirror", "interactive"),
    ] {
        let o = w.run(&["commands", name, "--mode", mode], "");
        assert_eq!(code(&o), 0);
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
    let Some(w) = start("branch per repository") else {
        return;
    };
    profile(&w, "ws", "web", 41);
    let (line, _) = push(&w, &["ws"]);
    assert_eq!(line, "git push -u origin HEAD:refs/heads/trunk");
    let (line, note) = push(&w, &["ws", "--repo", "api"]);
    assert_eq!(line, "git push -u origin HEAD", "retargeted: {note}");
    assert!(note.contains("known only for the profile's own repository"));
}

#[test]
fn embedded_mode_says_where_the_token_goes() {
    let Some(w) = start("embedded warning") else {
        return;
    };
    profile(&w, "ws", "web", 51);
    for reveal in [false, true] {
        let mut args = vec!["commands", "ws", "--mode", "embedded"];
        if reveal {
            args.push("--reveal");
        }
        let o = w.run(&args, "");
        let err = stderr(&o);
        for place in ["process list", ".git/config", "shell history", "scrollback"] {
            assert!(err.contains(place), "reveal={reveal}: {err}");
        }
    }
    let o = w.run(&["commands", "ws"], "");
    assert!(!stderr(&o).contains(".git/config"), "interactive mode");
}

/// Issue 10, A2: a workspace token aimed at another workspace is warned
/// about by the same check the app's `t` uses (describe::reach_warning).
#[test]
fn a_target_out_of_reach_is_warned_about() {
    let Some(w) = start("reach warning") else {
        return;
    };
    profile(&w, "ws", "web", 61);
    let o = w.run(&["commands", "ws", "--repo", "api"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("cannot reach"), "{}", stderr(&o));
    let o = w.run(&["commands", "ws", "--repo", "other/web"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "ws is a workspace access token for workspace acme: it cannot reach other/web"
        ),
        "{err}"
    );
}
