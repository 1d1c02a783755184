//! The proof of issue 8 end to end: real git talks smart HTTP to the
//! loopback Bitbucket look-alike (src/fakebb/git.rs, `git http-backend`
//! behind Basic auth with read/write scopes), and authenticates only through
//! `bbtoken credential` after `bbtoken setup-git`, with the tokens in a real
//! private gnome-keyring (tests/common) under a temporary HOME.
//!
//! Why a file of its own: tests/credential.rs drives the helper with
//! `git credential fill|approve|reject`, which never meets a server; here git
//! itself decides when to call `get`, `store` and `erase`, from real 200s and
//! 401s, so the tests show the whole loop: clone/fetch/push, no token in any
//! file, argv or URL, a revoked token rejected by git, and a token typed once
//! at git's prompt rotating the profile.
//!
//! Every git process runs through a `git` wrapper first on PATH that logs its
//! argv, with GIT_TRACE on (git logs the argv of every child it runs: the
//! remote helper and the credential helper), so the argv scan covers the
//! processes git starts too.

mod common;
#[path = "common/world.rs"]
mod world;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bbtoken::fakebb::Quirks;
use bbtoken::fakebb::git::FakeGit;
use world::{World, stderr as err, stdout as out};

/// The shared world (acme/api and acme/web, bare repositories of both in
/// the git look-alike), bbtoken's config inside HOME, and the logs.
struct GitWorld {
    git: FakeGit,
    base: World,
    /// Outside HOME: the git wrapper, its argv log, GIT_TRACE's log, the
    /// askpass script and the file it reads the typed token from.
    aux: tempfile::TempDir,
    /// Everything bbtoken and git printed, for the leak scan.
    printed: std::cell::RefCell<Vec<String>>,
}

impl std::ops::Deref for GitWorld {
    type Target = World;
    fn deref(&self) -> &World {
        &self.base
    }
}

impl GitWorld {
    fn start(test: &str) -> Option<GitWorld> {
        let base = World::start(test)?;
        let git = base.rt.block_on(FakeGit::start(&base.fake)).unwrap();
        let w = GitWorld {
            git,
            base,
            aux: tempfile::tempdir().unwrap(),
            printed: Default::default(),
        };
        std::fs::write(
            w.global(),
            "[user]\n\tname = Dev\n\temail = dev@example.com\n",
        )
        .unwrap();
        std::fs::create_dir_all(w.config_dir()).unwrap();
        world::write_git_wrapper(&w.aux.path().join("bin"), &w.argv_log());
        w.write_askpass();
        for slug in ["api", "web"] {
            w.git.create_bare("acme", slug);
        }
        Some(w)
    }

    fn home(&self) -> &Path {
        self.keyring.home()
    }
    fn global(&self) -> PathBuf {
        self.home().join(".gitconfig")
    }
    /// Inside HOME, so the scan of HOME covers bbtoken's profiles file.
    fn config_dir(&self) -> PathBuf {
        self.home().join("bbtoken-config")
    }
    fn argv_log(&self) -> PathBuf {
        self.aux.path().join("git-argv.log")
    }
    fn trace_log(&self) -> PathBuf {
        self.aux.path().join("git-trace.log")
    }
    fn askpass_log(&self) -> PathBuf {
        self.aux.path().join("askpass.log")
    }
    fn typed_file(&self) -> PathBuf {
        self.aux.path().join("typed")
    }
    fn url(&self, slug: &str) -> String {
        format!("{}/acme/{slug}.git", self.git.url())
    }

    /// git's prompt, answered by a script: `x-token-auth` for the username,
    /// the token read from a file for the password (never on argv). It logs
    /// the prompts it was shown, never the answer.
    fn write_askpass(&self) {
        let script = self.aux.path().join("askpass.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\ncase \"$1\" in\n  Username*) echo x-token-auth ;;\n  *) cat '{}' ;;\nesac\n",
                self.askpass_log().display(),
                self.typed_file().display()
            ),
        )
        .unwrap();
        chmod(&script, 0o700);
    }

    /// The world's environment (but bbtoken's config in HOME), the wrapper
    /// first on PATH, bbtoken as the helper for the look-alike, no prompt.
    fn envs<'c>(&self, c: &'c mut Command) -> &'c mut Command {
        let path = format!(
            "{}:{}",
            self.aux.path().join("bin").display(),
            std::env::var("PATH").unwrap()
        );
        self.base
            .apply_env(c)
            .env("PATH", path)
            .env("BBTOKEN_CONFIG_DIR", self.config_dir())
            .env("BBTOKEN_GIT_URL", self.git.url())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.global())
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_TRACE", self.trace_log())
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com")
            .env_remove("GIT_ASKPASS")
            .env_remove("SSH_ASKPASS")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
    }

    fn run(&self, c: Command, stdin: &str, keep: bool) -> Output {
        let o = world::run_with_stdin(c, stdin);
        if keep {
            let mut p = self.printed.borrow_mut();
            p.push(out(&o));
            p.push(err(&o));
        }
        o
    }

    /// bbtoken in `dir`; `stdin` is how a token is typed into `add`.
    fn bb(&self, dir: &Path, args: &[&str], stdin: &str) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
        self.envs(c.args(args).current_dir(dir));
        self.run(c, stdin, true)
    }

    /// git through the wrapper, with no prompt: the helper alone.
    fn git_cmd(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        self.envs(c.args(args).current_dir(dir));
        c
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        self.run(self.git_cmd(dir, args), "", true)
    }

    fn git_ok(&self, dir: &Path, args: &[&str]) -> String {
        let o = self.git(dir, args);
        assert!(o.status.success(), "git {args:?}: {}", err(&o));
        out(&o)
    }

    /// A repository access token for acme/api, known to the fake.
    fn repo_token(&self, seed: u32, quirks: Quirks) -> String {
        self.repo_token_with(seed, "api", &["repository:write"], Some("bot1"), quirks)
    }

    fn add_profile(&self, name: &str, args: &[&str], token: &str) {
        let mut all = vec!["add", name];
        all.extend_from_slice(args);
        let o = self.bb(self.home(), &all, &format!("{token}\n"));
        assert_eq!(o.status.code(), Some(0), "add {name}: {}", err(&o));
    }

    fn setup_git(&self) {
        let o = self.bb(self.home(), &["setup-git"], "");
        assert_eq!(o.status.code(), Some(0), "setup-git: {}", err(&o));
        // Through git itself, for the look-alike's URL: the helper by
        // absolute path, and useHttpPath so git sends the repository path.
        let get = |key: &str| {
            let o = self.git(self.home(), &["config", "--global", "--get-all", key]);
            out(&o)
        };
        let url = self.git.url();
        let helpers = get(&format!("credential.{url}.helper"));
        assert!(
            helpers.contains(env!("CARGO_BIN_EXE_bbtoken")) && helpers.contains("credential"),
            "setup-git configured the helper: {helpers}"
        );
        assert_eq!(get(&format!("credential.{url}.useHttpPath")).trim(), "true");
    }

    /// The profile as `list --json` shows it.
    fn profile(&self, name: &str) -> serde_json::Value {
        let o = self.bb(self.home(), &["list", "--json"], "");
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let v = world::json(&o);
        let list = v
            .as_array()
            .cloned()
            .or_else(|| v.get("profiles").and_then(|p| p.as_array()).cloned())
            .expect("a list of profiles");
        list.into_iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no profile {name} in {v}"))
    }

    /// Commits a file in `dir`, returns the commit id.
    fn commit(&self, dir: &Path, file: &str, msg: &str) -> String {
        std::fs::write(dir.join(file), format!("{msg}\n")).unwrap();
        self.git_ok(dir, &["add", file]);
        self.git_ok(dir, &["commit", "--quiet", "-m", msg]);
        self.git_ok(dir, &["rev-parse", "HEAD"]).trim().to_string()
    }

    /// The commit `main` points at in the look-alike's bare repository.
    fn remote_main(&self, slug: &str) -> String {
        let bare = self.git.root().join("acme").join(format!("{slug}.git"));
        let o = Command::new("git")
            .args(["rev-parse", "main"])
            .current_dir(&bare)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", err(&o));
        out(&o).trim().to_string()
    }

    /// Everything that must not hold a token: every file under HOME (the
    /// clones live there), the argv logs, all output, and what the
    /// look-alike recorded (URLs, headers, CGI argv). Named for the message.
    fn haystacks(&self, also: &[&Path]) -> Vec<(String, String)> {
        let mut all = Vec::new();
        let mut files = world::walk_files(self.home());
        for p in also {
            files.extend(world::walk_files(p));
        }
        files.push(self.argv_log());
        files.push(self.trace_log());
        files.push(self.askpass_log());
        for f in files {
            if let Ok(b) = std::fs::read(&f) {
                all.push((
                    f.display().to_string(),
                    String::from_utf8_lossy(&b).into_owned(),
                ));
            }
        }
        for (i, s) in self.printed.borrow().iter().enumerate() {
            all.push((format!("output #{i}"), s.clone()));
        }
        for s in self.git.seen() {
            all.push((
                format!("look-alike saw {} {}", s.method, s.url),
                format!("{} {:?} {:?}", s.url, s.headers, s.cgi_argv),
            ));
        }
        all
    }

    /// No 12-character window of any token anywhere ([`GitWorld::haystacks`]).
    /// The window that is only the public prefix is not a secret.
    fn assert_no_leak(&self, tokens: &[&str], also: &[&Path]) {
        let hay = self.haystacks(also);
        // The scan must see what matters, or it proves nothing.
        let names: Vec<&str> = hay.iter().map(|(n, _)| n.as_str()).collect();
        for must in [
            "/.git/config",
            "/.gitconfig",
            "bbtoken-config/",
            "git-argv.log",
            "git-trace.log",
            "look-alike saw",
        ] {
            assert!(
                names.iter().any(|n| n.contains(must)),
                "the scan missed {must}: {names:?}"
            );
        }
        for t in tokens {
            for i in 1..=t.len() - 12 {
                let window = &t[i..i + 12];
                for (name, text) in &hay {
                    assert!(
                        !text.contains(window),
                        "a 12-character window of a token (at {i}) is in {name}"
                    );
                }
            }
        }
    }
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn message(p: &serde_json::Value) -> String {
    p.pointer("/last_validation/message")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string()
}

fn status(p: &serde_json::Value) -> String {
    p.pointer("/last_validation/status")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string()
}

#[test]
fn clone_fetch_push_through_the_helper_and_no_token_anywhere() {
    let Some(w) = GitWorld::start("clone_fetch_push_through_the_helper_and_no_token_anywhere")
    else {
        return;
    };
    let home = w.home().to_path_buf();
    let repo_tok = w.repo_token(1, Quirks::default());
    let api_tok = w.api_token(2, "dev@example.com");
    w.git.set_api_username(&api_tok, "alice");
    w.add_profile(
        "api-bot",
        &["-k", "repository", "-w", "acme", "-r", "api"],
        &repo_tok,
    );
    w.add_profile(
        "me",
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
    // Before setup-git git has no way to authenticate (no prompt): clone fails.
    let work = home.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let o = w.git(&work, &["clone", "--quiet", &w.url("api"), "nope"]);
    assert!(!o.status.success(), "no helper, no prompt: git must fail");
    w.setup_git();

    // Repository access token: clone (empty), push, clone again, fetch.
    w.git_ok(&work, &["clone", "--quiet", &w.url("api"), "a"]);
    let a = work.join("a");
    let first = w.commit(&a, "f.txt", "first");
    w.git_ok(&a, &["push", "--quiet", "origin", "HEAD:main"]);
    assert_eq!(w.remote_main("api"), first, "the pushed commit arrived");
    w.git_ok(&work, &["clone", "--quiet", &w.url("api"), "b"]);
    let b = work.join("b");
    assert_eq!(std::fs::read_to_string(b.join("f.txt")).unwrap(), "first\n");
    let second = w.commit(&a, "g.txt", "second");
    w.git_ok(&a, &["push", "--quiet", "origin", "HEAD:main"]);
    assert_eq!(w.remote_main("api"), second);
    w.git_ok(&b, &["fetch", "--quiet", "origin"]);
    assert_eq!(
        w.git_ok(&b, &["rev-parse", "origin/main"]).trim(),
        second,
        "fetch brought the pushed commit"
    );
    // The helper recorded the successful use (git's `store`).
    assert!(
        message(&w.profile("api-bot")).starts_with("used by git at"),
        "{}",
        w.profile("api-bot")
    );

    // API token: the username in the URL picks the API token profile.
    let api_url = w.url("web").replacen("http://", "http://alice@", 1);
    w.git_ok(&work, &["clone", "--quiet", &api_url, "c"]);
    let c = work.join("c");
    let third = w.commit(&c, "h.txt", "third");
    w.git_ok(&c, &["push", "--quiet", "origin", "HEAD:main"]);
    assert_eq!(w.remote_main("web"), third);
    w.git_ok(&c, &["fetch", "--quiet", "origin"]);

    // The look-alike authenticated both kinds, with their git usernames.
    let seen = w.git.seen();
    for (user, service) in [
        ("x-token-auth", "upload-pack"),
        ("x-token-auth", "receive-pack"),
        ("alice", "upload-pack"),
        ("alice", "receive-pack"),
    ] {
        assert!(
            seen.iter().any(|s| s.status == 200
                && s.username.as_deref() == Some(user)
                && s.url.contains(service)),
            "{user} {service}: {seen:?}"
        );
    }

    // The argv records saw the processes: the wrapper the clones and
    // pushes, GIT_TRACE the credential helper git ran.
    let argv = std::fs::read_to_string(w.argv_log()).unwrap();
    assert!(argv.contains("clone --quiet") && argv.contains("push --quiet"));
    let trace = std::fs::read_to_string(w.trace_log()).unwrap();
    assert!(
        trace.contains("credential get") && trace.contains("credential store"),
        "GIT_TRACE recorded the helper's argv"
    );
    assert!(trace.contains("remote-http"), "and the remote helper's");
    for clone in [&a, &b, &c] {
        let cfg = std::fs::read_to_string(clone.join(".git/config")).unwrap();
        assert!(cfg.contains("[remote \"origin\"]"), "{cfg}");
    }
    w.assert_no_leak(&[&repo_tok, &api_tok], &[]);
}

#[test]
fn revoked_token_is_rejected_by_git_and_a_typed_token_rotates_it() {
    let Some(w) = GitWorld::start("revoked_token_is_rejected_by_git_and_a_typed_token_rotates_it")
    else {
        return;
    };
    let home = w.home().to_path_buf();
    let old = w.repo_token(10, Quirks::default());
    w.add_profile(
        "api-bot",
        &["-k", "repository", "-w", "acme", "-r", "api"],
        &old,
    );
    w.setup_git();
    let work = home.join("work");
    std::fs::create_dir_all(&work).unwrap();
    w.git_ok(&work, &["clone", "--quiet", &w.url("api"), "a"]);
    let a = work.join("a");
    let first = w.commit(&a, "f.txt", "first");
    w.git_ok(&a, &["push", "--quiet", "origin", "HEAD:main"]);
    assert_eq!(w.remote_main("api"), first);

    // 3. Revoked at Bitbucket: the next fetch gets 401, git calls erase.
    let revoked = Quirks {
        revoked: true,
        ..Quirks::default()
    };
    assert_eq!(w.repo_token(10, revoked), old);
    let before = w.git.seen().len();
    let o = w.git(&a, &["fetch", "origin"]);
    assert!(!o.status.success(), "a revoked token cannot fetch");
    assert!(
        w.git.seen()[before..]
            .iter()
            .any(|s| s.status == 401 && s.username.as_deref() == Some("x-token-auth")),
        "the look-alike refused the helper's credential with 401"
    );
    let trace = std::fs::read_to_string(w.trace_log()).unwrap();
    assert!(trace.contains("credential erase"), "git called erase");
    let p = w.profile("api-bot");
    assert_eq!(status(&p), "invalid", "{p}");
    assert!(message(&p).starts_with("rejected by git at"), "{p}");
    let o = w.bb(&home, &["show", "api-bot"], "");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("rejected by git"), "{}", out(&o));
    // The secret is kept: it is the only copy.
    let o = w.bb(
        &home,
        &["commands", "api-bot", "--mode", "embedded", "--reveal"],
        "",
    );
    w.printed.borrow_mut().pop();
    w.printed.borrow_mut().pop();
    assert!(out(&o).contains(&old), "erase kept the secret");
    // A later fill for that repository: the rejected profile is skipped, no
    // answer, and with no prompt git fails.
    let fill = w.run(
        w.git_cmd(&a, &["credential", "fill"]),
        &format!(
            "protocol=http\nhost={}\npath=acme/api.git\n\n",
            w.git.url().trim_start_matches("http://")
        ),
        true,
    );
    assert!(!fill.status.success(), "no answer: {}", out(&fill));
    assert!(!out(&fill).contains("password="));

    // 4. A new token, typed at git's prompt (askpass reads it from a file),
    // rotates the profile through `store`.
    let new = w.repo_token(11, Quirks::default());
    std::fs::write(w.typed_file(), &new).unwrap();
    chmod(&w.typed_file(), 0o600);
    let mut c = w.git_cmd(&a, &["fetch", "--quiet", "origin"]);
    c.env("GIT_ASKPASS", w.aux.path().join("askpass.sh"))
        .env_remove("GIT_TERMINAL_PROMPT");
    let o = w.run(c, "", true);
    assert!(
        o.status.success(),
        "fetch with the typed token: {}",
        err(&o)
    );
    std::fs::remove_file(w.typed_file()).unwrap();
    let asked = std::fs::read_to_string(w.askpass_log()).unwrap();
    assert!(
        asked.contains("Username") && asked.contains("Password"),
        "git prompted: {asked}"
    );
    let o = w.bb(
        &home,
        &["commands", "api-bot", "--mode", "embedded", "--reveal"],
        "",
    );
    // This output holds the token on purpose: keep it out of the leak scan.
    w.printed.borrow_mut().pop();
    w.printed.borrow_mut().pop();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains(&new), "the keyring holds the typed token");
    assert!(!out(&o).contains(&old), "in place of the revoked one");
    let p = w.profile("api-bot");
    assert_ne!(status(&p), "invalid", "{p}");
    assert!(message(&p).starts_with("used by git at"), "{p}");
    let o = w.bb(&home, &["list", "--json"], "");
    let v = world::json(&o);
    let list = v
        .as_array()
        .or_else(|| v.get("profiles").and_then(|p| p.as_array()))
        .expect("a list of profiles");
    assert_eq!(list.len(), 1, "rotated in place, no new profile: {v}");

    // The helper alone now: no prompt, no askpass, fetch and push work.
    let second = w.commit(&a, "g.txt", "second");
    w.git_ok(&a, &["push", "--quiet", "origin", "HEAD:main"]);
    assert_eq!(w.remote_main("api"), second);
    w.git_ok(&a, &["fetch", "--quiet", "origin"]);
    let asked_after = std::fs::read_to_string(w.askpass_log()).unwrap();
    assert_eq!(asked, asked_after, "no prompt after the rotation");

    w.assert_no_leak(&[&old, &new], &[]);
}
