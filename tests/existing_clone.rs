//! Issue 10, A7: the "use this token in the clone you already have" group,
//! run by `sh` in a real git clone whose origin points elsewhere.
//!
//! Why a file of its own: the group's promise is about what git does with it
//! (origin moved, the bot email set, the current branch pushed under its own
//! name), which only real git can show. No network: git's
//! `url.<base>.insteadOf` sends the generated Bitbucket URL to a local bare
//! repository, so the push really happens.

use std::path::Path;
use std::process::Command;

use bbtoken::gitcmd::{self, CommandKind, Endpoints, Mode, Request, TokenText};
use bbtoken::profile::{Outcome, Profile, RepoFacts, Status, TokenKind};

const BOT: &str = "52c16467c5f19101ff2061cc@bots.bitbucket.org";
const SECRET: &str = "ATCTT3xFfGF0SECRETSECRETSECRET";

/// git with no system, global or user configuration but `config`, and no prompt.
fn git_in(dir: &Path, config: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", config)
        .env("HOME", dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .unwrap()
}

fn ok(dir: &Path, config: &Path, args: &[&str]) -> String {
    let o = git_in(dir, config, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// A profile that has learned the main branch `develop` of acme/api: the
/// group must still push the current branch, not `develop`.
fn profile(kind: TokenKind) -> Profile {
    let mut p = Profile::new("p", kind, "acme", Some("api"));
    if kind.is_access_token() {
        p.bot_email = Some(BOT.into());
    } else {
        p.email = Some("dev@example.com".into());
    }
    let mut o = Outcome::bare(Status::Valid, "ok", None);
    o.repository = Some(RepoFacts {
        full_name: "acme/api".into(),
        is_private: Some(true),
        main_branch: Some("develop".into()),
        project_key: None,
        bot_id_candidate: None,
    });
    p.last_validation = Some(o);
    p
}

fn group(p: &Profile, mode: Mode, token: TokenText) -> String {
    let ep = Endpoints::default();
    let cmds = gitcmd::build(&Request {
        profile: p,
        workspace: "acme",
        repo: "api",
        mode,
        token,
        endpoints: &ep,
        branch: gitcmd::branch_for(p, "acme", "api"),
    });
    cmds.into_iter()
        .find(|g| g.kind == CommandKind::ExistingClone)
        .expect("an existing-clone group")
        .text
}

/// Runs the group in a clone of another repository, on a topic branch, and
/// checks what git did.
fn run_in_existing_clone(kind: TokenKind, mode: Mode, token: TokenText) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let config = root.join("gitconfig");
    std::fs::write(
        &config,
        "[user]\n\tname = Test\n\temail = test@example.com\n",
    )
    .unwrap();
    let p = profile(kind);
    let text = group(&p, mode, token);
    let lines: Vec<&str> = text.lines().collect();
    let url = shlex::split(lines[0]).unwrap()[4].clone();

    // Bitbucket's acme/api, and the repository the clone came from.
    let bitbucket = root.join("bitbucket");
    std::fs::create_dir_all(bitbucket.join("acme")).unwrap();
    ok(
        root,
        &config,
        &["init", "-q", "--bare", "bitbucket/acme/api.git"],
    );
    ok(root, &config, &["init", "-q", "--bare", "elsewhere.git"]);
    let base = url.strip_suffix("acme/api.git").expect(&url);
    let rewrite = format!("url.{}/.insteadOf", bitbucket.display());
    ok(
        root,
        &config,
        &["config", "--file", config.to_str().unwrap(), &rewrite, base],
    );

    ok(root, &config, &["init", "-q", "-b", "main", "seed"]);
    let seed = root.join("seed");
    ok(
        &seed,
        &config,
        &["commit", "-q", "--allow-empty", "-m", "first"],
    );
    ok(&seed, &config, &["push", "-q", "../elsewhere.git", "main"]);
    ok(root, &config, &["clone", "-q", "elsewhere.git", "clone"]);
    let clone = root.join("clone");
    ok(&clone, &config, &["switch", "-q", "-c", "topic"]);
    ok(
        &clone,
        &config,
        &["commit", "-q", "--allow-empty", "-m", "work"],
    );
    let head = ok(&clone, &config, &["rev-parse", "HEAD"]);

    let o = Command::new("sh")
        .arg("-e")
        .arg("-c")
        .arg(&text)
        .current_dir(&clone)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("HOME", &clone)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{mode:?}: {text}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // origin is the generated URL (as stored, before insteadOf).
    assert_eq!(ok(&clone, &config, &["config", "remote.origin.url"]), url);
    let email = git_in(&clone, &config, &["config", "--local", "user.email"]);
    if kind.is_access_token() {
        assert_eq!(String::from_utf8_lossy(&email.stdout).trim(), BOT);
    } else {
        assert!(!email.status.success(), "an API token commits as its user");
    }
    // The current branch arrived under its own name; `develop` was not touched.
    let bare = bitbucket.join("acme/api.git");
    assert_eq!(ok(&bare, &config, &["rev-parse", "refs/heads/topic"]), head);
    assert!(
        !git_in(
            &bare,
            &config,
            &["rev-parse", "--verify", "-q", "refs/heads/develop"]
        )
        .status
        .success()
    );
    assert!(
        !git_in(
            &bare,
            &config,
            &["rev-parse", "--verify", "-q", "refs/heads/main"]
        )
        .status
        .success()
    );
    assert_eq!(
        ok(
            &clone,
            &config,
            &["rev-parse", "--abbrev-ref", "topic@{upstream}"]
        ),
        "origin/topic"
    );
}

#[test]
fn interactive_lines_hold_no_token_and_move_an_existing_clone() {
    for kind in TokenKind::ALL {
        let text = group(
            &profile(kind),
            Mode::Interactive,
            TokenText::Revealed(SECRET),
        );
        assert!(!text.contains(SECRET), "{kind}: {text}");
        run_in_existing_clone(kind, Mode::Interactive, TokenText::Revealed(SECRET));
    }
}

#[test]
fn helper_and_embedded_lines_move_an_existing_clone_too() {
    run_in_existing_clone(
        TokenKind::Repository,
        Mode::Helper,
        TokenText::Masked("****"),
    );
    run_in_existing_clone(
        TokenKind::Workspace,
        Mode::Embedded,
        TokenText::Masked("****"),
    );
}
