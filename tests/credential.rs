//! The credential helper driven by real git (`git credential fill | approve |
//! reject`) with bbtoken configured as the helper by `bbtoken setup-git`,
//! secrets in a real private Secret Service (tests/common), git's global
//! config in a temporary file (GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM).
//! No network: the helper never uses it.

mod common;
#[path = "common/world.rs"]
mod world;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bbtoken::token::{ACCESS_PREFIX, API_PREFIX, synthesize};
use world::{World, code, run_with_stdin as run, stderr, stdout};

/// The shared world, and git's global config in a folder of its own.
struct GitWorld {
    base: World,
    /// Holds the global git config file and the repositories.
    git: tempfile::TempDir,
}

impl std::ops::Deref for GitWorld {
    type Target = World;
    fn deref(&self) -> &World {
        &self.base
    }
}

impl GitWorld {
    fn start(test: &str) -> Option<GitWorld> {
        let w = GitWorld {
            base: World::start(test)?,
            git: tempfile::tempdir().unwrap(),
        };
        std::fs::write(w.global(), "[user]\n\tname = Test\n").unwrap();
        Some(w)
    }

    fn global(&self) -> PathBuf {
        self.git.path().join("gitconfig")
    }

    /// The world's environment, git's config and no prompt of git's.
    fn env<'c>(&self, c: &'c mut Command) -> &'c mut Command {
        self.base
            .apply_env(c)
            .env("GIT_CONFIG_GLOBAL", self.global())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_ASKPASS")
            .env_remove("SSH_ASKPASS")
    }

    fn bbtoken(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
        self.env(c.args(args).current_dir(self.git.path()));
        c
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        self.env(c.args(args).current_dir(dir));
        c
    }

    fn add(&self, name: &str, args: &[&str], token: &str) {
        let mut all = vec!["add", name];
        all.extend_from_slice(args);
        let o = run(self.bbtoken(&all), &format!("{token}\n"));
        assert_eq!(code(&o), 0, "add {name}: {}", stderr(&o));
    }

    fn setup(&self) {
        let o = run(self.bbtoken(&["setup-git"]), "");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }

    /// `git credential fill` for `path` (and `extra` lines); the password
    /// git got, or None when no helper answered (git then fails: no prompt).
    fn fill_in(&self, dir: &Path, path: &str, extra: &str) -> Option<(String, String, Output)> {
        let input = format!("protocol=https\nhost=bitbucket.org\npath={path}\n{extra}\n");
        let o = run(self.git(dir, &["credential", "fill"]), &input);
        if code(&o) != 0 {
            return None;
        }
        let out = stdout(&o);
        let get = |k: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .map(str::to_string)
        };
        Some((get("username")?, get("password")?, o))
    }

    fn fill(&self, path: &str, extra: &str) -> Option<(String, String)> {
        self.fill_in(self.git.path(), path, extra)
            .map(|(u, p, _)| (u, p))
    }

    /// `git credential approve` or `reject` of `user` and `pass` for `path`.
    fn tell(&self, action: &str, path: &str, user: &str, pass: &str) {
        let input = format!(
            "protocol=https\nhost=bitbucket.org\npath={path}\nusername={user}\npassword={pass}\n\n"
        );
        let o = run(self.git(self.git.path(), &["credential", action]), &input);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }

    fn approve(&self, path: &str, user: &str, pass: &str) {
        self.tell("approve", path, user, pass)
    }

    fn reject(&self, path: &str, user: &str, pass: &str) {
        self.tell("reject", path, user, pass)
    }

    /// The profile as `list --json` shows it.
    fn profile(&self, name: &str) -> Option<serde_json::Value> {
        let o = run(self.bbtoken(&["list", "--json"]), "");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v = world::json(&o);
        let list = v
            .as_array()
            .cloned()
            .or_else(|| v.get("profiles").and_then(|p| p.as_array()).cloned())
            .expect("a list of profiles");
        list.into_iter().find(|p| p["name"] == name)
    }

    /// Runs the helper directly with raw `input`.
    fn helper(&self, action: &str, input: &[u8]) -> Output {
        let child = world::spawn_with_bytes(self.bbtoken(&["credential", action]), input);
        child.wait_with_output().unwrap()
    }
}

fn outcome_message(p: &serde_json::Value) -> String {
    p.pointer("/last_validation/message")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string()
}

#[test]
fn get_follows_the_selection_rules() {
    let Some(w) = GitWorld::start("get_follows_the_selection_rules") else {
        return;
    };
    w.setup();
    let repo_tok = synthesize(ACCESS_PREFIX, 1);
    let ws_tok = synthesize(ACCESS_PREFIX, 2);
    let api_tok = synthesize(API_PREFIX, 3);
    let bound_tok = synthesize(ACCESS_PREFIX, 4);
    w.add(
        "repo",
        &["-k", "repository", "-w", "acme", "-r", "api"],
        &repo_tok,
    );
    w.add(
        "ws",
        &["-k", "workspace", "-w", "acme", "-r", "web"],
        &ws_tok,
    );
    w.add(
        "api",
        &[
            "-k",
            "api",
            "-w",
            "acme",
            "-r",
            "web",
            "--email",
            "dev@example.com",
            "--username",
            "alice",
        ],
        &api_tok,
    );
    w.add(
        "bound",
        &["-k", "repository", "-w", "other", "-r", "x"],
        &bound_tok,
    );

    // 2. repository profile for exactly this repository.
    assert_eq!(
        w.fill("acme/api.git", ""),
        Some(("x-token-auth".into(), repo_tok.clone()))
    );
    // 3. workspace profile for another repository of the workspace.
    assert_eq!(w.fill("acme/docs.git", "").unwrap().1, ws_tok);
    // Username restriction: x-token-auth admits access tokens only; a named
    // user admits the API token with that username only.
    assert_eq!(
        w.fill("acme/docs.git", "username=x-token-auth").unwrap().1,
        ws_tok
    );
    assert_eq!(
        w.fill("acme/docs.git", "username=alice"),
        Some(("alice".into(), api_tok.clone()))
    );
    assert_eq!(
        w.fill("acme/docs.git", "username=x-bitbucket-api-token-auth")
            .unwrap()
            .1,
        api_tok
    );
    assert_eq!(w.fill("acme/docs.git", "username=bob"), None);
    // Nothing for an unknown workspace: git asks the next helper (none: fails).
    assert_eq!(w.fill("nobody/x.git", ""), None);

    // 1. a binding wins, inside the clone that holds it.
    let clone = w.git.path().join("clone");
    std::fs::create_dir(&clone).unwrap();
    assert_eq!(code(&run(w.git(&clone, &["init", "-q"]), "")), 0);
    let mut bind = w.bbtoken(&["bind", "bound"]);
    bind.current_dir(&clone);
    let o = run(bind, "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut bad = w.bbtoken(&["bind", "nope"]);
    bad.current_dir(&clone);
    assert_ne!(
        code(&run(bad, "")),
        0,
        "bind checks that the profile exists"
    );
    assert_eq!(w.fill_in(&clone, "acme/api.git", "").unwrap().1, bound_tok);
    // Outside the clone the rules apply as before.
    assert_eq!(w.fill("acme/api.git", "").unwrap().1, repo_tok);
    let mut unbind = w.bbtoken(&["unbind"]);
    unbind.current_dir(&clone);
    assert_eq!(code(&run(unbind, "")), 0);
    assert_eq!(w.fill_in(&clone, "acme/api.git", "").unwrap().1, repo_tok);
}

#[test]
fn erase_marks_rejected_and_store_rotates_or_adds() {
    let Some(w) = GitWorld::start("erase_marks_rejected_and_store_rotates_or_adds") else {
        return;
    };
    w.setup();
    let old = synthesize(ACCESS_PREFIX, 10);
    let ws_tok = synthesize(ACCESS_PREFIX, 11);
    w.add(
        "repo",
        &["-k", "repository", "-w", "acme", "-r", "api"],
        &old,
    );
    w.add(
        "ws",
        &["-k", "workspace", "-w", "acme", "-r", "web"],
        &ws_tok,
    );

    // store of what bbtoken gave out: "used by git".
    let (user, pass) = w.fill("acme/api.git", "").unwrap();
    assert_eq!(pass, old);
    w.approve("acme/api.git", &user, &pass);
    let p = w.profile("repo").unwrap();
    assert!(outcome_message(&p).starts_with("used by git at"), "{p}");

    // erase: recorded as rejected, the secret kept, the profile skipped.
    w.reject("acme/api.git", &user, &pass);
    let p = w.profile("repo").unwrap();
    assert_eq!(
        p.pointer("/last_validation/status").unwrap(),
        "invalid",
        "{p}"
    );
    assert!(outcome_message(&p).starts_with("rejected by git at"), "{p}");
    assert_eq!(
        w.fill("acme/api.git", "").unwrap().1,
        ws_tok,
        "the rejected profile is skipped; the workspace one answers"
    );

    // A new token typed at git's prompt rotates the rejected profile in place.
    let new = synthesize(ACCESS_PREFIX, 12);
    w.approve("acme/api.git", "x-token-auth", &new);
    let p = w.profile("repo").unwrap();
    assert!(outcome_message(&p).starts_with("used by git at"), "{p}");
    assert_eq!(w.fill("acme/api.git", "").unwrap().1, new);
    assert!(w.profile("acme-api").is_none(), "rotated, not added");

    // A typed token for a repository no profile covers becomes a new profile.
    let fresh = synthesize(ACCESS_PREFIX, 13);
    w.approve("solo/tool.git", "x-token-auth", &fresh);
    let p = w
        .profile("solo-tool")
        .expect("a new profile from git's prompt");
    assert_eq!(p["kind"], "repository");
    assert_eq!(w.fill("solo/tool.git", "").unwrap().1, fresh);

    // Never for another host.
    let input = format!(
        "protocol=https\nhost=example.com\npath=solo/other.git\nusername=x-token-auth\npassword={}\n\n",
        synthesize(ACCESS_PREFIX, 14)
    );
    let o = w.helper("store", input.as_bytes());
    assert_eq!((code(&o), stdout(&o).as_str()), (0, ""));
    assert!(w.profile("solo-other").is_none());

    // No token in any file of the config directory or git's config.
    for f in [w.global()] {
        let text = std::fs::read_to_string(f).unwrap();
        for t in [&old, &new, &fresh, &ws_tok] {
            assert!(!text.contains(t.as_str()));
        }
    }
    world::assert_no_secret_in(w.config.path(), &[&old, &new, &fresh, &ws_tok]);
}

#[test]
fn protocol_edges() {
    let Some(w) = GitWorld::start("protocol_edges") else {
        return;
    };
    let tok = synthesize(ACCESS_PREFIX, 20);
    w.add(
        "repo",
        &[
            "-k",
            "repository",
            "-w",
            "acme",
            "-r",
            "api",
            "--expires",
            "2031-05-06",
        ],
        &tok,
    );
    let ask = |input: &[u8]| w.helper("get", input);

    // The answer: username, password, expiry; no unknown attribute echoed.
    let o = ask(b"protocol=https\nhost=bitbucket.org\npath=acme/api.git\nwwwauth[]=Basic realm=x\nfoo=bar\n\n");
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o),
        format!("username=x-token-auth\npassword={tok}\npassword_expiry_utc=1935792000\n")
    );
    assert_eq!(stderr(&o), "", "no diagnostics without BBTOKEN_DEBUG");
    // Through git too (git 2.41+ passes the expiry on).
    w.setup();
    let (_, _, out) = w
        .fill_in(w.git.path(), "acme/api.git", "")
        .expect("git got the credential");
    assert!(
        stdout(&out).contains("password_expiry_utc=1935792000"),
        "{}",
        stdout(&out)
    );

    // Other hosts, other protocols, other ports: silence, exit 0.
    for input in [
        &b"protocol=https\nhost=github.com\npath=acme/api.git\n\n"[..],
        b"protocol=http\nhost=bitbucket.org\npath=acme/api.git\n\n",
        b"protocol=https\nhost=bitbucket.org:8443\npath=acme/api.git\n\n",
        b"protocol=https\nhost=bitbucket.org.evil.example\npath=acme/api.git\n\n",
    ] {
        let o = ask(input);
        assert_eq!(
            (code(&o), stdout(&o).as_str(), stderr(&o).as_str()),
            (0, "", "")
        );
    }
    // quit=1: nothing.
    let o = ask(b"protocol=https\nhost=bitbucket.org\npath=acme/api.git\nquit=1\n\n");
    assert_eq!((code(&o), stdout(&o).as_str()), (0, ""));
    // Empty values are values: an empty username is no username.
    let o = ask(b"protocol=https\nhost=bitbucket.org\npath=acme/api.git\nusername=\n\n");
    assert!(stdout(&o).contains(&format!("password={tok}")));
    // Malformed input: no answer, an error code, no panic.
    let long = format!(
        "protocol=https\nhost=bitbucket.org\npath=acme/api.git\nx={}\n\n",
        "a".repeat(70_000)
    );
    for input in [
        &b"protocol=https\nhost=bitbucket.org\npath=acme/api.git\0\n\n"[..],
        b"protocol=https\nhost=bitbucket.org\npath=acme/api.git\nnoequals\n\n",
        b"protocol=https\nhost=bitbucket.org\npath=acme/\xff.git\n\n",
        b"protocol=https\nhost=bitbucket.org\npath=acme/api.git\r\n\n",
        b"protocol=https\nhost=bitbucket.org\npath=acme/api.git\nusername=a\x1b[31m\n\n",
        long.as_bytes(),
    ] {
        let o = ask(input);
        assert_eq!(
            stdout(&o),
            "",
            "{:?}",
            String::from_utf8_lossy(&input[..input.len().min(80)])
        );
        assert_ne!(code(&o), 0);
        assert!(!stderr(&o).contains("panicked"));
    }
    // A hostile path is refused, not used.
    for path in ["acme/../api.git", "acme", "../../etc", "acme/api%0a.git"] {
        let o = ask(format!("protocol=https\nhost=bitbucket.org\npath={path}\n\n").as_bytes());
        assert_eq!(stdout(&o), "", "{path}");
    }
    // BBTOKEN_DEBUG says why on stderr, never with the token.
    let mut c = w.bbtoken(&["credential", "get"]);
    c.env("BBTOKEN_DEBUG", "1");
    let o = run(
        c,
        "protocol=https\nhost=bitbucket.org\npath=acme/api.git\n\n",
    );
    assert!(stderr(&o).contains("answering with repo"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&tok));
}

#[test]
fn setup_git_is_idempotent_and_undo_restores_the_file() {
    let Some(w) = GitWorld::start("setup_git_is_idempotent_and_undo_restores_the_file") else {
        return;
    };
    let before = "[user]\n\tname = Test\n[credential]\n\thelper = store\n";
    std::fs::write(w.global(), before).unwrap();
    let o = run(w.bbtoken(&["setup-git"]), "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("changed"), "{}", stdout(&o));
    let once = std::fs::read_to_string(w.global()).unwrap();
    let o = run(w.bbtoken(&["setup-git", "--global"]), "");
    assert!(stdout(&o).contains("nothing to change"), "{}", stdout(&o));
    assert_eq!(
        std::fs::read_to_string(w.global()).unwrap(),
        once,
        "idempotent"
    );

    // git sees: the empty entry, then bbtoken by absolute path; useHttpPath.
    let o = run(
        w.git(
            w.git.path(),
            &[
                "config",
                "--get-all",
                "credential.https://bitbucket.org.helper",
            ],
        ),
        "",
    );
    let lines: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_bbtoken")).unwrap();
    assert_eq!(
        lines,
        vec![String::new(), format!("!'{}' credential", exe.display())]
    );
    let o = run(
        w.git(
            w.git.path(),
            &[
                "config",
                "--get-urlmatch",
                "credential.useHttpPath",
                "https://bitbucket.org/a/b.git",
            ],
        ),
        "",
    );
    assert_eq!(stdout(&o).trim(), "true");
    // The global `store` helper is no longer asked for Bitbucket.
    let o = run(
        w.git(
            w.git.path(),
            &[
                "config",
                "--get-urlmatch",
                "credential.helper",
                "https://bitbucket.org/a/b.git",
            ],
        ),
        "",
    );
    assert!(stdout(&o).contains("credential"), "{}", stdout(&o));

    let o = run(w.bbtoken(&["setup-git", "--undo"]), "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(w.global()).unwrap(),
        before,
        "byte-identical"
    );
    let o = run(w.bbtoken(&["setup-git", "--undo"]), "");
    assert!(stdout(&o).contains("nothing to change"));

    // useHttpPath that the user had set before stays after --undo.
    let before = "[credential \"https://bitbucket.org\"]\n\tuseHttpPath = true\n";
    std::fs::write(w.global(), before).unwrap();
    assert_eq!(code(&run(w.bbtoken(&["setup-git"]), "")), 0);
    assert_eq!(code(&run(w.bbtoken(&["setup-git", "--undo"]), "")), 0);
    assert_eq!(std::fs::read_to_string(w.global()).unwrap(), before);
}

#[test]
fn commands_default_to_helper_mode_after_setup_git() {
    let Some(w) = GitWorld::start("commands_default_to_helper_mode_after_setup_git") else {
        return;
    };
    w.add(
        "repo",
        &["-k", "repository", "-w", "acme", "-r", "api"],
        &synthesize(ACCESS_PREFIX, 30),
    );
    let o = run(w.bbtoken(&["commands", "repo"]), "");
    assert!(
        stdout(&o).contains("https://x-token-auth@bitbucket.org/acme/api.git"),
        "{}",
        stdout(&o)
    );
    w.setup();
    let o = run(w.bbtoken(&["commands", "repo"]), "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("git clone https://bitbucket.org/acme/api.git"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("x-token-auth@"));
    let o = run(w.bbtoken(&["commands", "repo", "-m", "interactive"]), "");
    assert!(stdout(&o).contains("x-token-auth@"));
}

#[test]
fn api_token_rotation_and_a_hostile_binding() {
    let Some(w) = GitWorld::start("api_token_rotation_and_a_hostile_binding") else {
        return;
    };
    w.setup();
    let old = synthesize(API_PREFIX, 40);
    let repo_tok = synthesize(ACCESS_PREFIX, 41);
    w.add(
        "alice",
        &[
            "-k",
            "api",
            "-w",
            "acme",
            "-r",
            "web",
            "--email",
            "dev@example.com",
            "--username",
            "alice",
        ],
        &old,
    );
    w.add(
        "repo",
        &["-k", "repository", "-w", "acme", "-r", "api"],
        &repo_tok,
    );
    assert_eq!(w.fill("acme/api.git", "username=alice").unwrap().1, old);
    w.reject("acme/api.git", "alice", &old);
    assert_eq!(
        w.fill("acme/api.git", "username=alice"),
        None,
        "rejected: git prompts"
    );
    // An access token typed for the API username is not the API profile's.
    w.approve("acme/api.git", "alice", &synthesize(ACCESS_PREFIX, 42));
    assert_eq!(w.fill("acme/api.git", "username=alice"), None);
    // The new API token typed at git's prompt rotates the profile.
    let new = synthesize(API_PREFIX, 43);
    w.approve("acme/api.git", "alice", &new);
    assert_eq!(w.fill("acme/api.git", "username=alice").unwrap().1, new);
    let p = w.profile("alice").unwrap();
    assert_eq!(p["email"], "dev@example.com", "rotation keeps the fields");

    // A binding that is not a profile name (an escape sequence) is ignored.
    let clone = w.git.path().join("clone");
    std::fs::create_dir(&clone).unwrap();
    assert_eq!(code(&run(w.git(&clone, &["init", "-q"]), "")), 0);
    let o = run(
        w.git(
            &clone,
            &["config", "--local", "bbtoken.profile", "re\u{1b}[2Jpo"],
        ),
        "",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(w.fill_in(&clone, "acme/api.git", "").unwrap().1, repo_tok);
    // A binding to a missing profile is ignored too.
    let o = run(
        w.git(&clone, &["config", "--local", "bbtoken.profile", "gone"]),
        "",
    );
    assert_eq!(code(&o), 0);
    assert_eq!(w.fill_in(&clone, "acme/api.git", "").unwrap().1, repo_tok);
}

/// setup-git quotes bbtoken's path for git's shell: a path with a space and
/// a quote still runs the helper (a hard link of the binary lives there).
#[test]
fn helper_path_with_space_and_quote() {
    let Some(w) = GitWorld::start("helper_path_with_space_and_quote") else {
        return;
    };
    let dir = tempfile::Builder::new()
        .prefix("it's a dir ")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let exe = dir.path().join("bbtoken");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_bbtoken"), &exe).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_bbtoken"), &exe).unwrap();
    }
    let tok = synthesize(ACCESS_PREFIX, 50);
    w.add(
        "repo",
        &["-k", "repository", "-w", "acme", "-r", "api"],
        &tok,
    );
    let mut c = Command::new(&exe);
    c.arg("setup-git").current_dir(w.git.path());
    w.env(&mut c);
    let o = run(c, "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(w.global())
            .unwrap()
            .contains("it'\\\\''s a dir")
    );
    assert_eq!(w.fill("acme/api.git", "").unwrap().1, tok);
}
