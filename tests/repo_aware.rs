//! `bbtoken here`, `audit` and `onboard` end to end: the built binary, a real
//! private keyring under a temp HOME, real git, and the git smart-HTTP
//! look-alike (src/fakebb/git.rs) for onboarding.

mod common;
#[path = "common/world.rs"]
mod world;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bbtoken::fakebb::git::FakeGit;
use bbtoken::fakebb::{FakeRepo, Quirks};
use bbtoken::token::{ACCESS_PREFIX, synthesize};
use world::{World, run_with_stdin, stderr as err, stdout as out};

/// The shared world (acme/api only), with the git look-alike and git's
/// global config in the keyring's temporary HOME.
struct GitWorld {
    git: FakeGit,
    base: World,
}

impl std::ops::Deref for GitWorld {
    type Target = World;
    fn deref(&self) -> &World {
        &self.base
    }
}

impl GitWorld {
    fn start(test: &str) -> Option<GitWorld> {
        let base = World::with_repos(test, [FakeRepo::new("acme", "api", "CORE")])?;
        let git = base.rt.block_on(FakeGit::start(&base.fake)).unwrap();
        let w = GitWorld { git, base };
        std::fs::write(w.home().join(".gitconfig"), "[user]\n\tname = Dev\n").unwrap();
        Some(w)
    }

    fn home(&self) -> &Path {
        self.keyring.home()
    }

    /// The world's environment, with git's global config in HOME.
    fn envs<'c>(&self, c: &'c mut Command) -> &'c mut Command {
        self.base
            .apply_env(c)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home().join(".gitconfig"))
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
    }

    /// bbtoken in `dir`.
    fn bb_cmd(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
        self.envs(c.args(args).current_dir(dir));
        c
    }

    fn bb(&self, dir: &Path, args: &[&str], stdin: &str) -> Output {
        run_with_stdin(self.bb_cmd(dir, args), stdin)
    }

    /// [`GitWorld::bb_cmd`] with the git look-alike as `BBTOKEN_GIT_URL`.
    fn bb_git(&self, dir: &Path, args: &[&str]) -> Output {
        let mut c = self.bb_cmd(dir, args);
        c.env("BBTOKEN_GIT_URL", self.git.url()).output().unwrap()
    }

    /// Like [`GitWorld::bb`], with a `git` first in PATH that appends its argv
    /// to `log` and runs the real git: proof of what bbtoken hands git.
    fn bb_logged(&self, dir: &Path, args: &[&str], log: &Path) -> Output {
        let bin = log.parent().unwrap().join("bin");
        world::write_git_wrapper(&bin, log);
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        self.bb_cmd(dir, args).env("PATH", path).output().unwrap()
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        let mut c = Command::new("git");
        let o = self.envs(c.args(args).current_dir(dir)).output().unwrap();
        assert!(o.status.success(), "git {args:?}: {}", err(&o));
        o
    }

    /// A repository access token for acme/api whose bot is `bot1`.
    fn token(&self, seed: u32, scopes: &[&str]) -> String {
        self.repo_token_with(seed, "api", scopes, Some("bot1"), Quirks::default())
    }

    /// Runs bbtoken on a PTY in `dir` with `input` typed ahead; returns what
    /// it wrote and its exit code.
    fn on_pty(&self, dir: &Path, args: &[&str], input: &str) -> (String, u32) {
        let global = self.home().join(".gitconfig");
        let env = [
            ("NO_COLOR", "1"),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_CONFIG_GLOBAL", global.to_str().unwrap()),
        ];
        let run = self.pty_in(Some(dir), args, 50, 200, &env, input);
        (String::from_utf8_lossy(&run.bytes()).into_owned(), run.code)
    }
}

fn files_holding(dir: &Path, secret: &str) -> Vec<PathBuf> {
    world::walk_files(dir)
        .into_iter()
        .filter(|p| {
            std::fs::read(p)
                .map(|b| String::from_utf8_lossy(&b).contains(secret))
                .unwrap_or(false)
        })
        .collect()
}

#[test]
fn audit_finds_planted_tokens_fix_moves_them_to_the_keyring() {
    let Some(w) = GitWorld::start("audit_finds_planted_tokens_fix_moves_them_to_the_keyring")
    else {
        return;
    };
    let home = w.home().to_path_buf();
    let t1 = synthesize(ACCESS_PREFIX, 11);
    let t2 = synthesize(ACCESS_PREFIX, 12);
    let t3 = synthesize(ACCESS_PREFIX, 13);
    // The current repository, its origin URL holding t1.
    let app = home.join("work/app");
    std::fs::create_dir_all(&app).unwrap();
    w.git(&app, &["init", "--quiet"]);
    let leaky = format!("https://x-token-auth:{t1}@bitbucket.org/acme/api.git");
    w.git(&app, &["config", "remote.origin.url", &leaky]);
    // A repository under --scan, its push URL holding t2.
    let other = home.join("src/other");
    std::fs::create_dir_all(&other).unwrap();
    w.git(&other, &["init", "--quiet"]);
    w.git(
        &other,
        &[
            "config",
            "remote.origin.url",
            "https://bitbucket.org/acme/web.git",
        ],
    );
    let leaky2 = format!("https://x-token-auth:{t2}@bitbucket.org/acme/web.git");
    w.git(&other, &["config", "remote.origin.pushurl", &leaky2]);
    // Credential files: t1 without a path, t2 with one, and a foreign line.
    std::fs::write(
        home.join(".git-credentials"),
        format!(
            "https://someone:ghp_notours@github.com\nhttps://x-token-auth:{t1}@bitbucket.org\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(home.join("config/git")).unwrap();
    std::fs::write(
        home.join("config/git/credentials"),
        format!("https://x-token-auth:{t2}@bitbucket.org/acme/web.git\n"),
    )
    .unwrap();
    // History: t3, reported and never edited.
    let history = format!("ls\ngit clone https://x-token-auth:{t3}@bitbucket.org/acme/old.git\n");
    std::fs::write(home.join(".bash_history"), &history).unwrap();

    // Report only: exit 1, every place named, masked tokens only.
    let o = w.bb(&app, &["audit"], "");
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    let s = out(&o);
    assert!(s.contains("remote origin URL"), "{s}");
    assert!(s.contains("~/.git-credentials:2"), "{s}");
    assert!(s.contains("~/config/git/credentials:1"), "{s}");
    assert!(s.contains("~/.bash_history:2 (history)"), "{s}");
    assert!(!s.contains("other"), "no --scan, no other repository: {s}");
    assert!(!s.contains("ghp_notours"));
    for t in [&t1, &t2, &t3] {
        assert!(!s.contains(t.as_str()) && !err(&o).contains(t.as_str()));
    }
    let o = w.bb(
        &app,
        &["audit", "--scan", home.join("src").to_str().unwrap()],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("remote origin push URL"), "{}", out(&o));

    // --fix off a terminal needs --yes.
    let o = w.bb(&app, &["audit", "--fix"], "");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));

    // --fix --yes: two profiles, clean URLs, credential lines gone; only
    // the history finding is left (exit 1).
    let scan = home.join("src");
    let logdir = tempfile::tempdir().unwrap();
    let log = logdir.path().join("argv.log");
    let o = w.bb_logged(
        &app,
        &["audit", "--fix", "--yes", "--scan", scan.to_str().unwrap()],
        &log,
    );
    // bbtoken ran git (config reads and the remote rewrites) and never with
    // a token among its arguments.
    let argv = std::fs::read_to_string(&log).unwrap();
    assert!(
        argv.contains(
            "config --local --add remote.origin.url https://x-token-auth@bitbucket.org/acme/api.git"
        ),
        "{argv}"
    );
    for t in [&t1, &t2, &t3] {
        assert!(!argv.contains(t.as_str()), "token in git argv: {argv}");
    }
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    // --fix made sure git asks bbtoken (as setup-git would).
    assert!(
        out(&o).contains("git config --global: credential."),
        "{}",
        out(&o)
    );
    for t in [&t1, &t2, &t3] {
        assert!(!out(&o).contains(t.as_str()) && !err(&o).contains(t.as_str()));
    }
    let list = w.bb(&app, &["list", "--json"], "");
    let profiles: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let names: Vec<&str> = profiles
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["acme-api", "acme-web"]);
    // The keyring holds the tokens (read back through an embedded command).
    for (name, t) in [("acme-api", &t1), ("acme-web", &t2)] {
        let o = w.bb(
            &app,
            &["commands", name, "--mode", "embedded", "--reveal"],
            "",
        );
        assert!(out(&o).contains(t.as_str()), "{name}: {}", err(&o));
    }
    assert_eq!(
        String::from_utf8(w.git(&app, &["config", "remote.origin.url"]).stdout).unwrap(),
        "https://x-token-auth@bitbucket.org/acme/api.git\n"
    );
    assert_eq!(
        String::from_utf8(w.git(&other, &["config", "remote.origin.pushurl"]).stdout).unwrap(),
        "https://x-token-auth@bitbucket.org/acme/web.git\n"
    );
    assert_eq!(
        std::fs::read_to_string(home.join(".git-credentials")).unwrap(),
        "https://someone:ghp_notours@github.com\n"
    );
    assert_eq!(
        std::fs::read_to_string(home.join(".bash_history")).unwrap(),
        history
    );
    // No file anywhere under HOME (repositories, credential files, backups,
    // the profiles file) still holds t1 or t2.
    for t in [&t1, &t2] {
        assert!(
            files_holding(&home, t).is_empty(),
            "{:?}",
            files_holding(&home, t)
        );
        assert!(files_holding(w.config.path(), t).is_empty());
    }

    // Re-scan: only the history line; once it is gone, nothing (exit 0).
    let o = w.bb(&app, &["audit", "--scan", scan.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("1 Bitbucket token(s)"), "{}", out(&o));
    std::fs::write(home.join(".bash_history"), "ls\n").unwrap();
    let o = w.bb(&app, &["audit", "--scan", scan.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
}

#[test]
fn here_reports_remotes_helpers_profile_and_email() {
    let Some(w) = GitWorld::start("here_reports_remotes_helpers_profile_and_email") else {
        return;
    };
    let home = w.home().to_path_buf();
    let t = w.token(21, &["repository"]);
    let o = w.bb(
        &home,
        &[
            "add",
            "api",
            "--kind",
            "repository",
            "--workspace",
            "acme",
            "--repo",
            "api",
            "--bot-email",
            "bot1@bots.bitbucket.org",
            "--validate",
        ],
        &format!("{t}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let repo = home.join("r");
    std::fs::create_dir_all(&repo).unwrap();
    w.git(&repo, &["init", "--quiet"]);
    w.git(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://bitbucket.org/acme/api.git",
        ],
    );
    let leaky = format!("https://x-token-auth:{t}@bitbucket.org/acme/api.git");
    w.git(&repo, &["remote", "add", "leaky", &leaky]);
    w.git(
        &repo,
        &["remote", "add", "gh", "https://github.com/a/b.git"],
    );
    // A hostile remote: escape sequences in its URL.
    w.git(
        &repo,
        &[
            "config",
            "remote.evil.url",
            "https://bitbucket.org/acme/\u{1b}[2Jx.git",
        ],
    );
    w.git(&repo, &["config", "user.email", "bot1@bots.bitbucket.org"]);
    let gc = home.join(".gitconfig");
    let gc = gc.to_str().unwrap();
    w.git(
        &repo,
        &[
            "config",
            "--file",
            gc,
            "--add",
            "credential.helper",
            "cache",
        ],
    );
    w.git(
        &repo,
        &[
            "config",
            "--file",
            gc,
            "--add",
            "credential.https://bitbucket.org.helper",
            "",
        ],
    );
    w.git(
        &repo,
        &[
            "config",
            "--file",
            gc,
            "--add",
            "credential.https://bitbucket.org.helper",
            "/opt/bbtoken credential",
        ],
    );

    let o = w.bb(&repo, &["here", "--json"], "");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(!out(&o).contains(&t));
    // Scripts read the JSON: a Japanese locale changes none of it (the
    // report holds a profile's status in words).
    let mut c = w.bb_cmd(&repo, &["here", "--json"]);
    let ja = c.env("BBTOKEN_LANG", "ja").output().unwrap();
    assert_eq!(out(&ja), out(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let remotes = j["remotes"].as_array().unwrap();
    let names: Vec<&str> = remotes
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["origin", "leaky", "evil"],
        "gh is not Bitbucket"
    );
    let origin = &remotes[0];
    assert_eq!(
        origin["helpers"],
        serde_json::json!(["/opt/bbtoken credential"])
    );
    assert_eq!(origin["bbtoken_helper"], true);
    assert_eq!(origin["token_in_url"], false);
    let p = &origin["profile"];
    assert_eq!(p["name"], "api");
    assert_eq!(p["rule"], "repository");
    assert_eq!(p["status"], "valid");
    assert_eq!(p["can_clone"], true);
    assert_eq!(p["can_push"], false);
    assert_eq!(p["user_email_matches"], true);
    assert_eq!(remotes[1]["token_in_url"], true);
    assert!(remotes[1]["url"].as_str().unwrap().contains("****"));
    assert_eq!(j["token_in_any_url"], true);

    // Bound: the binding is the reason.
    w.git(&repo, &["config", "bbtoken.profile", "api"]);
    let o = w.bb(&repo, &["here"], "");
    let s = out(&o);
    assert!(s.contains("bound to this clone"), "{s}");
    assert!(s.contains("a token is in this URL"), "{s}");
    assert!(s.contains("clone/pull: yes  push: no"), "{s}");
    assert!(
        !s.contains('\u{1b}'),
        "hostile text reached the terminal: {s:?}"
    );
    assert!(!s.contains(&t));

    // Outside a repository: exit 2.
    let o = w.bb(&home.join("config"), &["here"], "");
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
}

#[test]
fn onboard_sets_up_a_new_repository() {
    let Some(w) = GitWorld::start("onboard_sets_up_a_new_repository") else {
        return;
    };
    let home = w.home().to_path_buf();
    w.git.create_bare("acme", "api");
    let t = w.token(31, &["repository:write"]);
    let o = w.bb(
        &home,
        &[
            "add",
            "api",
            "--kind",
            "repository",
            "--workspace",
            "acme",
            "--repo",
            "api",
            "--bot-email",
            "bot1@bots.bitbucket.org",
        ],
        &format!("{t}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let dir = home.join("new/project");
    let cmd_env = |args: &[&str]| w.bb_git(&home, args);
    let o = cmd_env(&["onboard", "api", "--dir", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let s = out(&o);
    assert!(s.contains("git init"), "{s}");
    assert!(s.contains("git config --global: credential."), "{s}");
    let url = format!("{}/acme/api.git", w.git.url());
    let helper = w.git(
        &dir,
        &["config", "--get-urlmatch", "credential.helper", &url],
    );
    assert!(
        String::from_utf8_lossy(&helper.stdout).contains("bbtoken' credential"),
        "onboard set bbtoken up as git's helper: {:?}",
        helper
    );
    let get = |k: &str| String::from_utf8(w.git(&dir, &["config", "--local", k]).stdout).unwrap();
    assert_eq!(get("remote.origin.url"), format!("{url}\n"));
    assert_eq!(get("user.email"), "bot1@bots.bitbucket.org\n");
    assert_eq!(get("bbtoken.profile"), "api\n");
    // Idempotent: a second run changes nothing.
    let o = cmd_env(&["onboard", "api", "--dir", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!out(&o).contains('✓'), "{}", out(&o));
    // A leaky origin is repaired.
    let leaky = format!(
        "http://x-token-auth:{t}@{}/acme/api.git",
        w.git.url().trim_start_matches("http://")
    );
    w.git(&dir, &["remote", "set-url", "origin", &leaky]);
    let o = cmd_env(&["onboard", "api", "--dir", dir.to_str().unwrap()]);
    assert!(out(&o).contains("origin repaired"), "{}", out(&o));
    assert!(!out(&o).contains(&t));
    assert_eq!(get("remote.origin.url"), format!("{url}\n"));
    assert!(files_holding(&dir, &t).is_empty());

    // --push with nothing committed: a clear refusal.
    let o = cmd_env(&["onboard", "api", "--dir", dir.to_str().unwrap(), "--push"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("commit something first"), "{}", err(&o));
    // --push: onboard set the helper up, so the push goes through it.
    std::fs::write(dir.join("README"), "hi\n").unwrap();
    w.git(&dir, &["add", "README"]);
    w.git(&dir, &["commit", "--quiet", "-m", "first"]);
    let o = cmd_env(&["onboard", "api", "--dir", dir.to_str().unwrap(), "--push"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    // A token the server does not know: the push is classified 401.
    let unknown = synthesize(ACCESS_PREFIX, 77);
    let o = w.bb(&dir, &["edit", "api", "--secret"], &format!("{unknown}\n"));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    std::fs::write(dir.join("README"), "hi again\n").unwrap();
    w.git(&dir, &["commit", "--quiet", "-am", "second"]);
    let o = cmd_env(&["onboard", "api", "--dir", dir.to_str().unwrap(), "--push"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    assert!(err(&o).contains("(401)"), "{}", err(&o));
}

/// The full flow of the issue: `onboard --push` through `bbtoken credential`
/// after `setup-git`, and the remote has the commit authored with the bot
/// email. Needs helper E's `bbtoken credential` and `setup-git` (branch
/// git-e); the coordinator removes the `#[ignore]` after merging them.
#[test]
fn onboard_push_through_the_helper_reaches_the_remote_with_the_bot_email() {
    let Some(w) = GitWorld::start("onboard_push_through_the_helper") else {
        return;
    };
    let home = w.home().to_path_buf();
    let bare = w.git.create_bare("acme", "api");
    let t = w.token(41, &["repository:write"]);
    let o = w.bb(
        &home,
        &[
            "add",
            "api",
            "--kind",
            "repository",
            "--workspace",
            "acme",
            "--repo",
            "api",
            "--bot-email",
            "bot1@bots.bitbucket.org",
        ],
        &format!("{t}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let run = |dir: &Path, args: &[&str]| w.bb_git(dir, args);
    let o = run(&home, &["setup-git", "--global"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let dir = home.join("p");
    std::fs::create_dir_all(&dir).unwrap();
    w.git(&dir, &["init", "--quiet", "--initial-branch=main"]);
    // onboard sets user.email before the commit is made.
    let o = run(&dir, &["onboard", "api"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    std::fs::write(dir.join("README"), "hi\n").unwrap();
    w.git(&dir, &["add", "README"]);
    w.git(&dir, &["commit", "--quiet", "-m", "first"]);
    let o = run(&dir, &["onboard", "api", "--push"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let author = Command::new("git")
        .args(["log", "-1", "--format=%ae", "main"])
        .current_dir(&bare)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&author.stdout),
        "bot1@bots.bitbucket.org\n"
    );
    // No token in the clone's config, the temp HOME files, or any URL the
    // server saw.
    assert!(files_holding(&dir, &t).is_empty());
    assert!(files_holding(&home, &t).is_empty());
    assert!(w.git.seen().iter().all(|s| !s.url.contains(&t)));
    assert!(
        w.git
            .seen()
            .iter()
            .any(|s| s.status == 200 && s.url.contains("receive-pack"))
    );
}

#[test]
fn audit_reports_insteadof_and_leaves_it_for_the_user() {
    let Some(w) = GitWorld::start("audit_reports_insteadof_and_leaves_it_for_the_user") else {
        return;
    };
    let home = w.home().to_path_buf();
    let t = synthesize(ACCESS_PREFIX, 51);
    let gc = home.join(".gitconfig");
    let key = format!("url.https://x-token-auth:{t}@bitbucket.org/acme/api.git.insteadOf");
    w.git(
        &home,
        &[
            "config",
            "--file",
            gc.to_str().unwrap(),
            &key,
            "https://bitbucket.org/acme/api.git",
        ],
    );
    let o = w.bb(&home, &["audit"], "");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        out(&o).contains("global git config url.*.insteadOf"),
        "{}",
        out(&o)
    );
    assert!(!out(&o).contains(&t));
    let o = w.bb(&home, &["audit", "--fix", "--yes"], "");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("remove that entry by hand"), "{}", err(&o));
    assert!(!err(&o).contains(&t) && !out(&o).contains(&t));
    // The token was still moved into the keyring (the URL names the repository).
    let o = w.bb(
        &home,
        &["commands", "acme-api", "--mode", "embedded", "--reveal"],
        "",
    );
    assert!(out(&o).contains(&t), "{}", err(&o));
}

#[test]
fn audit_fix_asks_before_each_change_on_a_terminal() {
    let Some(w) = GitWorld::start("audit_fix_asks_before_each_change_on_a_terminal") else {
        return;
    };
    let home = w.home().to_path_buf();
    let t = synthesize(ACCESS_PREFIX, 61);
    let app = home.join("app");
    std::fs::create_dir_all(&app).unwrap();
    w.git(&app, &["init", "--quiet"]);
    let leaky = format!("https://x-token-auth:{t}@bitbucket.org/acme/api.git");
    w.git(&app, &["config", "remote.origin.url", &leaky]);
    let url = || String::from_utf8(w.git(&app, &["config", "remote.origin.url"]).stdout).unwrap();

    // "n": nothing is stored, so nothing is removed either.
    let (s, code) = w.on_pty(&app, &["audit", "--fix"], "n\n");
    assert_eq!(code, 1, "{s}");
    assert!(s.contains("Store ATCTT3****") && s.contains("[y/N]"), "{s}");
    assert!(!s.contains(&t), "{s}");
    assert_eq!(url(), format!("{leaky}\n"));
    let list = w.bb(&app, &["list", "--json"], "");
    assert_eq!(out(&list).trim(), "[]");

    // "y", "y": stored, then the URL rewritten; nothing left.
    let (s, code) = w.on_pty(&app, &["audit", "--fix"], "y\ny\n");
    assert!(
        s.contains("Rewrite ~/app remote origin URL without the token? [y/N]"),
        "{s}"
    );
    assert_eq!(code, 0, "{s}");
    assert_eq!(url(), "https://x-token-auth@bitbucket.org/acme/api.git\n");
}
