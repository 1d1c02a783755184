//! A world for end-to-end tests of the built `bbtoken` binary: a private
//! keyring (see the parent module), a fake Bitbucket on loopback that knows
//! acme/api and acme/web, and a temporary config directory. Runs the binary
//! with pipes or on a real PTY. Shared by the test files written for the
//! README's promises; they include it next to `mod common;` with
//! `#[path = "common/world.rs"] mod world;` (not from `common` itself, which
//! the benchmark also includes, where the binary's path is not known).
//! A test binary in a folder (`tests/cli/main.rs`) names both with
//! `#[path = "../common/…"]`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::secret::Secret;
use bbtoken::store::{ProfileFile, SecretBackend, SecretStore, StoreError};
use bbtoken::token::{ACCESS_PREFIX, API_PREFIX, synthesize};

/// Settings a developer's shell may carry that would change what the binary
/// under test does (a store, a timeout, a log): every run starts without them.
const INHERITED: [&str; 9] = [
    "BBTOKEN_STORE",
    "BBTOKEN_HTTP_TIMEOUT",
    "BBTOKEN_KEYRING_TIMEOUT",
    "BBTOKEN_LOCK_TIMEOUT",
    "BBTOKEN_GIT_URL",
    "BBTOKEN_CLIPBOARD",
    "BBTOKEN_DEBUG",
    "BBTOKEN_LOG",
    "CLICOLOR_FORCE",
];

/// What supports-hyperlinks reads to decide that a terminal shows links.
const HYPERLINK_SIGNS: [&str; 7] = [
    "FORCE_HYPERLINK",
    "DOMTERM",
    "VTE_VERSION",
    "TERM_PROGRAM",
    "COLORTERM",
    "WT_SESSION",
    "KONSOLE_VERSION",
];

pub struct World {
    pub rt: tokio::runtime::Runtime,
    pub fake: FakeBitbucket,
    pub keyring: crate::common::Keyring,
    pub config: tempfile::TempDir,
}

/// What a program wrote on a PTY, chunk by chunk with the time each chunk
/// was read, and how it exited.
pub struct PtyRun {
    pub chunks: Vec<(Instant, Vec<u8>)>,
    pub code: u32,
}

impl PtyRun {
    pub fn bytes(&self) -> Vec<u8> {
        self.chunks.iter().flat_map(|(_, b)| b.clone()).collect()
    }

    /// When `needle` had first been fully written.
    pub fn first_seen(&self, needle: &str) -> Option<Instant> {
        let mut all = Vec::new();
        for (at, b) in &self.chunks {
            all.extend_from_slice(b);
            if String::from_utf8_lossy(&all).contains(needle) {
                return Some(*at);
            }
        }
        None
    }

    /// The final screen, as a terminal of `rows` × `cols` shows it.
    pub fn screen(&self, rows: u16, cols: u16) -> String {
        let mut p = vt100::Parser::new(rows, cols, 0);
        p.process(&self.bytes());
        p.screen().contents()
    }
}

impl World {
    /// A keyring (or a visible skip, see [`crate::common::keyring_or_skip`]) and a
    /// fake Bitbucket with acme/api and acme/web in project CORE.
    pub fn start(test: &str) -> Option<World> {
        World::with_repos(
            test,
            ["api", "web"].map(|slug| FakeRepo::new("acme", slug, "CORE")),
        )
    }

    /// A keyring and a fake Bitbucket that knows exactly `repos`.
    pub fn with_repos(test: &str, repos: impl IntoIterator<Item = FakeRepo>) -> Option<World> {
        let keyring = crate::common::keyring_or_skip(test)?;
        let rt = tokio::runtime::Runtime::new().unwrap();
        let fake = rt.block_on(FakeBitbucket::start()).unwrap();
        for repo in repos {
            fake.add_repo(repo);
        }
        Some(World {
            rt,
            fake,
            keyring,
            config: tempfile::tempdir().unwrap(),
        })
    }

    pub fn envs(&self) -> Vec<(String, String)> {
        let mut e = self.keyring.envs();
        e.push((
            "BBTOKEN_CONFIG_DIR".into(),
            self.config.path().display().to_string(),
        ));
        e.push(("BBTOKEN_API_URL".into(), self.fake.api_url()));
        e
    }

    /// The binary with this world's environment, no colour, no retries, and
    /// none of the [`INHERITED`] settings.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
        c.args(args);
        self.apply_env(&mut c);
        c
    }

    /// Gives `c` (bbtoken, or a program that runs it, such as git running
    /// its credential helper) the environment of [`World::cmd`].
    pub fn apply_env<'c>(&self, c: &'c mut Command) -> &'c mut Command {
        for k in INHERITED {
            c.env_remove(k);
        }
        c.envs(self.envs())
            .env("BBTOKEN_RETRY_429", "0")
            .env("NO_COLOR", "1")
            // English whatever the machine's locale: the tests read English
            // words (tests/cli_ja.rs sets Japanese itself).
            .env("BBTOKEN_LANG", "en")
    }

    /// Runs bbtoken with `stdin` piped in.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        run_with_stdin(self.cmd(args), stdin)
    }

    /// Starts `cmd` with `stdin` written to it (then closed), output piped.
    pub fn spawn_with_stdin(&self, cmd: Command, stdin: &str) -> Child {
        spawn_with_stdin(cmd, stdin)
    }

    /// Runs bbtoken with nothing on stdin and reads its stdout as JSON,
    /// whatever it exits with (a failed validation still prints its rows).
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        json(&self.run(args, ""))
    }

    /// The names `list --json` prints, in its order.
    pub fn names(&self) -> Vec<String> {
        self.json(&["list", "--json"])
            .as_array()
            .expect("list --json prints an array")
            .iter()
            .map(|p| p["name"].as_str().expect("a name").to_string())
            .collect()
    }

    /// Adds a repository access token profile `name` for acme/`slug`.
    pub fn add_repo_profile(&self, name: &str, slug: &str, token: &str) {
        let o = self.run(
            &["add", name, "-k", "repository", "-w", "acme", "-r", slug],
            &format!("{token}\n"),
        );
        assert_eq!(code(&o), 0, "add {name}: {}", stderr(&o));
    }

    /// The profiles file of this world, read through bbtoken's own code.
    pub fn profiles(&self) -> ProfileFile {
        ProfileFile::at(self.config.path().to_path_buf())
    }

    /// The secret stored under `name`, read through bbtoken's own store.
    pub fn secret(&self, name: &str) -> Result<String, StoreError> {
        let _env = self.rt.block_on(self.keyring.in_process()).unwrap();
        let store = SecretStore::open(SecretBackend::SecretService);
        self.rt
            .block_on(store.get(name))
            .map(|s| s.expose().to_string())
    }

    /// Stores `value` under `name` behind bbtoken's back.
    pub fn set_secret(&self, name: &str, value: &str) {
        let _env = self.rt.block_on(self.keyring.in_process()).unwrap();
        let store = SecretStore::open(SecretBackend::SecretService);
        self.rt
            .block_on(store.set(name, &Secret::new(value)))
            .unwrap();
    }

    /// Runs bbtoken on a fresh `rows` × `cols` PTY (colour on: it is a
    /// terminal), recording each chunk it writes with its time.
    pub fn pty(&self, args: &[&str], rows: u16, cols: u16) -> PtyRun {
        self.pty_with(args, rows, cols, &[])
    }

    /// [`World::pty`] with extra environment variables. The variables by
    /// which terminals announce OSC 8 links are removed first, so a link
    /// shows only when the test asks for one (`FORCE_HYPERLINK`).
    pub fn pty_with(&self, args: &[&str], rows: u16, cols: u16, env: &[(&str, &str)]) -> PtyRun {
        self.pty_in(None, args, rows, cols, env, "")
    }

    /// [`World::pty_with`] in `dir` (when given), with `typed` typed ahead
    /// on the terminal (when not empty).
    pub fn pty_in(
        &self,
        dir: Option<&Path>,
        args: &[&str],
        rows: u16,
        cols: u16,
        env: &[(&str, &str)],
        typed: &str,
    ) -> PtyRun {
        use portable_pty::{CommandBuilder, PtySize, native_pty_system};
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_bbtoken"));
        cmd.args(args);
        if let Some(dir) = dir {
            cmd.cwd(dir);
        }
        for (k, v) in self.envs() {
            cmd.env(k, v);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("BBTOKEN_RETRY_429", "0");
        cmd.env("BBTOKEN_LANG", "en");
        for k in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "BBTOKEN_STORE"]
            .into_iter()
            .chain(HYPERLINK_SIGNS)
        {
            cmd.env_remove(k);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        // Taken only to type: dropping the writer sends an end of file.
        let writer = (!typed.is_empty()).then(|| {
            let mut w = pair.master.take_writer().unwrap();
            w.write_all(typed.as_bytes()).unwrap();
            w
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut chunks = Vec::new();
            let mut buf = [0u8; 8192];
            // EIO once the child has exited and every byte was read.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                chunks.push((Instant::now(), buf[..n].to_vec()));
            }
            let _ = tx.send(chunks);
        });
        let status = child.wait().unwrap();
        let chunks = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the PTY output ends once bbtoken exits");
        drop(writer);
        drop(pair.master);
        PtyRun {
            chunks,
            code: status.exit_code(),
        }
    }

    /// Registers a repository access token for `acme/slug` with the fake.
    pub fn repo_token(&self, seed: u32, slug: &str, quirks: Quirks) -> String {
        self.repo_token_scoped(seed, slug, &["repository", "repository:write"], quirks)
    }

    /// Registers a repository access token for `acme/slug` with `scopes`.
    pub fn repo_token_scoped(
        &self,
        seed: u32,
        slug: &str,
        scopes: &[&str],
        quirks: Quirks,
    ) -> String {
        let bot = Some("52c16467c5f19101ff2061cc");
        self.repo_token_with(seed, slug, scopes, bot, quirks)
    }

    /// Registers a repository access token for `acme/slug` with `scopes`,
    /// whose bot (the clone user Get Repository names) is `bot_id`.
    pub fn repo_token_with(
        &self,
        seed: u32,
        slug: &str,
        scopes: &[&str],
        bot_id: Option<&str>,
        quirks: Quirks,
    ) -> String {
        let t = synthesize(ACCESS_PREFIX, seed);
        self.fake.add_token(
            &t,
            FakeToken {
                credential_type: "repo_access_token".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                reach: Reach::Repo {
                    workspace: "acme".into(),
                    slug: slug.into(),
                },
                email: None,
                bot_id: bot_id.map(Into::into),
                quirks,
            },
        );
        t
    }

    /// Registers a workspace access token for all of `acme`.
    pub fn workspace_token(&self, seed: u32) -> String {
        let t = synthesize(ACCESS_PREFIX, seed);
        self.fake.add_token(
            &t,
            FakeToken {
                credential_type: "workspace_access_token".into(),
                scopes: vec!["repository".into(), "repository:write".into()],
                reach: Reach::Workspace("acme".into()),
                email: None,
                bot_id: Some("7a1b2c3d4e5f60718293a4b5".into()),
                quirks: Quirks::default(),
            },
        );
        t
    }

    /// Registers an API token of `email` for every repository of acme.
    pub fn api_token(&self, seed: u32, email: &str) -> String {
        let t = synthesize(API_PREFIX, seed);
        self.fake.add_token(
            &t,
            FakeToken {
                credential_type: "api_token".into(),
                scopes: vec![
                    "read:repository:bitbucket".into(),
                    "write:repository:bitbucket".into(),
                ],
                reach: Reach::User(vec!["acme".into()]),
                email: Some(email.into()),
                bot_id: None,
                quirks: Quirks::default(),
            },
        );
        t
    }
}

/// Runs `cmd` with `stdin` written to it, collecting its output.
pub fn run_with_stdin(cmd: Command, stdin: &str) -> Output {
    spawn_with_stdin(cmd, stdin).wait_with_output().unwrap()
}

/// Starts `cmd` with `stdin` written to it (then closed), output piped.
pub fn spawn_with_stdin(cmd: Command, stdin: &str) -> Child {
    spawn_with_bytes(cmd, stdin.as_bytes())
}

/// [`spawn_with_stdin`] with bytes that need not be UTF-8.
pub fn spawn_with_bytes(mut cmd: Command, stdin: &[u8]) -> Child {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program may exit before reading stdin (a usage error, `remove`):
    // ignore EPIPE.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child
}

/// The stdout of `o` as JSON, or a panic that shows what it was.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// No file under `dir`, in any subfolder, holds any of `secrets` or any
/// 24-character piece of one (a token cut or wrapped still leaks); and there
/// was a file to check, so the assertion is not on nothing.
pub fn assert_no_secret_in(dir: &Path, secrets: &[&str]) {
    const PIECE: usize = 24;
    let files = walk(dir);
    assert!(!files.is_empty(), "{} has files to check", dir.display());
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for s in secrets {
            let pieces = s.as_bytes().chunks(PIECE).filter(|p| p.len() == PIECE);
            for piece in std::iter::once(s.as_bytes()).chain(pieces) {
                let piece = String::from_utf8_lossy(piece);
                assert!(!text.contains(&*piece), "{} holds a token", file.display());
            }
        }
    }
}

/// Every file under `dir`, subfolders included.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Writes `bin/git`, a `git` that appends its argv to `log` and runs the
/// real git: put `bin` first on PATH for proof of what git was handed.
pub fn write_git_wrapper(bin: &Path, log: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin).unwrap();
    let real = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap()
        .stdout;
    let real = String::from_utf8(real).unwrap();
    let wrapper = bin.join("git");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
        log.display(),
        real.trim()
    );
    std::fs::write(&wrapper, script).unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every regular file under `dir`: symlinks not followed, and a folder that
/// cannot be read (or is gone, in a daemon's HOME) skipped.
pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            out.extend(walk_files(&e.path()));
        } else if t.is_file() {
            out.push(e.path());
        }
    }
    out
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
