//! The bad-input matrix: one table of (command line, stdin, environment,
//! profiles-file state) → (exit code, a fragment of the message), run
//! against the built binary.
//!
//! Every row also checks what must hold for any bad input: no panic (exit
//! 101), nothing raw from outside on the terminal (no ESC, C1 or bidi
//! character in stdout or stderr: NO_COLOR is set, so bbtoken itself sends
//! none), and nothing written where it was refused.
//!
//! No row needs a working keyring: the session bus points at a socket that
//! does not exist, so a row that reached the keyring would say so, and the
//! developer's own keyring is never touched.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use bbtoken::token::{ACCESS_PREFIX, synthesize};

/// What the config directory holds before the command runs.
#[derive(Clone, Copy)]
enum FileState {
    Empty,
    /// `profiles.toml` with this text.
    Toml(&'static str),
    /// `profiles.toml` is a FIFO: reading it would block forever.
    Fifo,
    /// `profiles.toml` is a symlink to /dev/zero: reading it never ends.
    DevZero,
    /// `profiles.toml` is 5 MiB of comment.
    Huge,
    /// `profiles.toml` is a directory.
    Directory,
    /// Another process holds `profiles.lock`.
    LockHeld,
}

struct Case {
    /// What the row is about (the issue item).
    what: &'static str,
    args: &'static str,
    stdin: &'static str,
    env: &'static [(&'static str, &'static str)],
    file: FileState,
    code: i32,
    /// Must appear in stderr.
    says: &'static str,
}

const ONE_PROFILE: &str = "version = 1\n\n[[profile]]\nname = \"ci\"\nkind = \"repository\"\nworkspace = \"acme\"\nrepo = \"api\"\ncreated = \"2026-01-01T00:00:00Z\"\n";

const CASES: &[Case] = &[
    // --- item 3: fields, on the command line and in the file -------------
    Case {
        what: "ESC in an email on the command line",
        args: "add me --kind api --workspace acme --repo api --email a\x1b[2J@example.com",
        stdin: "",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "--email",
    },
    Case {
        what: "C1 CSI in a username",
        args: "add me --kind api --workspace acme --repo api --email a@example.com --username j\u{9b}doe",
        stdin: "",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "--username",
    },
    Case {
        what: "bidi override in a note",
        args: "add ci --kind repository --workspace acme --repo api --note abc\u{202e}def",
        stdin: "",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "--note",
    },
    Case {
        what: "'..' as repository",
        args: "add ci --kind repository --workspace acme --repo ..",
        stdin: "",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "'.' and '..'",
    },
    Case {
        what: "'.' as workspace",
        args: "add ci --kind repository --workspace . --repo api",
        stdin: "",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "--workspace",
    },
    Case {
        what: "ESC in a workspace in the file: file, line and field",
        args: "list",
        stdin: "",
        env: &[],
        file: FileState::Toml(
            "version = 1\n\n[[profile]]\nname = \"ci\"\nkind = \"repository\"\nworkspace = \"ac\\u001b]52;c;eA==\\u0007me\"\nrepo = \"api\"\ncreated = \"2026-01-01T00:00:00Z\"\n",
        ),
        code: 2,
        says: "line 6: profile \"ci\", field workspace",
    },
    Case {
        what: "'..' as repository in the file, through show",
        args: "show ci",
        stdin: "",
        env: &[],
        file: FileState::Toml(
            "version = 1\n\n[[profile]]\nname = \"ci\"\nkind = \"repository\"\nworkspace = \"acme\"\nrepo = \"..\"\ncreated = \"2026-01-01T00:00:00Z\"\n",
        ),
        code: 2,
        says: "field repo",
    },
    Case {
        what: "a TOML error that echoes a hostile value",
        args: "list",
        stdin: "",
        env: &[],
        file: FileState::Toml(
            "version = 1\n\n[[profile]]\nname = \"ci\"\nkind = \"\\u001b[2J\\u009b31m\"\nworkspace = \"acme\"\ncreated = \"2026-01-01T00:00:00Z\"\n",
        ),
        code: 2,
        says: "line 5",
    },
    Case {
        what: "an invalid file is not used to build a command",
        args: "commands ci",
        stdin: "",
        env: &[],
        file: FileState::Toml(
            "version = 1\n\n[[profile]]\nname = \"ci\"\nkind = \"repository\"\nworkspace = \"acme\"\nrepo = \"api\"\nbot_email = \"x\\u001b[201~@bots.bitbucket.org\"\ncreated = \"2026-01-01T00:00:00Z\"\n",
        ),
        code: 2,
        says: "field bot_email",
    },
    // --- item 12: the profiles file ----------------------------------------
    Case {
        what: "a FIFO as profiles.toml",
        args: "list",
        stdin: "",
        env: &[],
        file: FileState::Fifo,
        code: 2,
        says: "not a regular file",
    },
    Case {
        what: "profiles.toml linked to /dev/zero",
        args: "list",
        stdin: "",
        env: &[],
        file: FileState::DevZero,
        code: 2,
        says: "not a regular file",
    },
    Case {
        what: "a directory as profiles.toml",
        args: "show ci",
        stdin: "",
        env: &[],
        file: FileState::Directory,
        code: 2,
        says: "not a regular file",
    },
    Case {
        what: "a huge profiles.toml",
        args: "list",
        stdin: "",
        env: &[],
        file: FileState::Huge,
        code: 2,
        says: "larger than",
    },
    Case {
        what: "the lock held by another bbtoken",
        args: "remove ci",
        stdin: "",
        env: &[("BBTOKEN_LOCK_TIMEOUT", "0.5")],
        file: FileState::LockHeld,
        code: 2,
        says: "another bbtoken holds the lock",
    },
    // --- item 10: endpoints ----------------------------------------------
    Case {
        what: "userinfo in BBTOKEN_API_URL",
        args: "list",
        stdin: "",
        env: &[("BBTOKEN_API_URL", "https://user:pass@api.bitbucket.org/2.0")],
        file: FileState::Empty,
        code: 2,
        says: "user name or password",
    },
    Case {
        what: "a query in BBTOKEN_API_URL",
        args: "list",
        stdin: "",
        env: &[("BBTOKEN_API_URL", "https://api.bitbucket.org/2.0?a=b")],
        file: FileState::Empty,
        code: 2,
        says: "query",
    },
    Case {
        what: "a fragment in BBTOKEN_GIT_URL",
        args: "list",
        stdin: "",
        env: &[("BBTOKEN_GIT_URL", "https://bitbucket.org/#x")],
        file: FileState::Empty,
        code: 2,
        says: "fragment",
    },
    Case {
        what: "plain http to another machine",
        args: "list",
        stdin: "",
        env: &[("BBTOKEN_API_URL", "http://example.com/2.0")],
        file: FileState::Empty,
        code: 2,
        says: "plain http",
    },
    // --- settings ----------------------------------------------------------
    Case {
        what: "an unknown credential store",
        args: "list",
        stdin: "",
        env: &[("BBTOKEN_STORE", "nope")],
        file: FileState::Empty,
        code: 2,
        says: "secret-service or keyutils",
    },
    Case {
        what: "a keyring timeout that is not a number",
        args: "list",
        stdin: "",
        env: &[("BBTOKEN_KEYRING_TIMEOUT", "soon")],
        file: FileState::Empty,
        code: 2,
        says: "BBTOKEN_KEYRING_TIMEOUT",
    },
    Case {
        what: "an HTTP timeout that is not a number",
        args: "list",
        stdin: "",
        env: &[("BBTOKEN_HTTP_TIMEOUT", "\x1b[2J")],
        file: FileState::Empty,
        code: 2,
        says: "BBTOKEN_HTTP_TIMEOUT",
    },
    // --- item 14: no terminal --------------------------------------------
    Case {
        what: "the full-screen app without a terminal",
        args: "",
        stdin: "",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "bbtoken list",
    },
    // --- tokens and the keyring -------------------------------------------
    Case {
        what: "an app password",
        args: "add old --kind api --workspace acme --repo api --email a@example.com",
        stdin: "ATBBabcdefghijklmnopqrstuvwx0123ABCD\n",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "not stored",
    },
    Case {
        what: "no token on stdin",
        args: "add ci --kind repository --workspace acme --repo api",
        stdin: "",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "token",
    },
    Case {
        what: "no keyring: add stores nothing",
        args: "add ci --kind repository --workspace acme --repo api",
        stdin: "@TOKEN\n",
        env: &[],
        file: FileState::Empty,
        code: 2,
        says: "credential store",
    },
    Case {
        what: "no keyring: remove removes nothing",
        args: "remove ci",
        stdin: "",
        env: &[],
        file: FileState::Toml(ONE_PROFILE),
        code: 2,
        says: "nothing was removed",
    },
    Case {
        what: "a profile that does not exist",
        args: "show nobody",
        stdin: "",
        env: &[],
        file: FileState::Toml(ONE_PROFILE),
        code: 2,
        says: "no profile named",
    },
];

fn is_raw_control(c: char) -> bool {
    bbtoken::text::is_unsafe(c) && c != '\n'
}

fn set_up(dir: &Path, state: FileState) -> Option<std::fs::File> {
    let file = dir.join("profiles.toml");
    match state {
        FileState::Empty => None,
        FileState::Toml(text) => {
            std::fs::write(&file, text).unwrap();
            None
        }
        FileState::Fifo => {
            let c = std::ffi::CString::new(file.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            None
        }
        FileState::DevZero => {
            std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
            None
        }
        FileState::Huge => {
            let mut text = String::from("version = 1\n");
            while text.len() < 5 * 1024 * 1024 {
                text.push_str("# padding padding padding padding padding padding padding\n");
            }
            std::fs::write(&file, text).unwrap();
            None
        }
        FileState::Directory => {
            std::fs::create_dir(&file).unwrap();
            None
        }
        FileState::LockHeld => {
            std::fs::write(&file, ONE_PROFILE).unwrap();
            let lock = std::fs::File::create(dir.join("profiles.lock")).unwrap();
            use std::os::fd::AsRawFd;
            assert_eq!(
                unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) },
                0,
                "the test takes the lock"
            );
            Some(lock)
        }
    }
}

/// The profiles file as it was set up, to check a refused command left it.
fn snapshot(dir: &Path) -> Option<Vec<u8>> {
    let path = dir.join("profiles.toml");
    std::fs::symlink_metadata(&path)
        .ok()
        .filter(|m| m.is_file() && m.len() < 1024 * 1024)
        .and_then(|_| std::fs::read(&path).ok())
}

#[test]
fn bad_input_matrix() {
    let token = synthesize(ACCESS_PREFIX, 7);
    let mut failures = Vec::new();
    for case in CASES {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("cfg");
        std::fs::create_dir_all(&config).unwrap();
        let _lock = set_up(&config, case.file);
        let before = snapshot(&config);

        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("XDG_CONFIG_HOME", home.path().join("xdg"))
            .env("BBTOKEN_CONFIG_DIR", &config)
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", home.path().join("no-bus").display()),
            )
            .env("BBTOKEN_KEYRING_TIMEOUT", "2")
            .env("NO_COLOR", "1")
            .args(shlex::split(case.args).expect("the row's command line splits"))
            .envs(case.env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stdin = case.stdin.replace("@TOKEN", &token);
        {
            use std::io::Write;
            let mut pipe = child.stdin.take().unwrap();
            let _ = pipe.write_all(stdin.as_bytes());
        }
        let out = wait_bounded(child, Duration::from_secs(20));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        let mut wrong = Vec::new();
        if code != Some(case.code) {
            wrong.push(format!("exit {code:?}, want {}", case.code));
        }
        if !stderr.contains(case.says) {
            wrong.push(format!("stderr lacks {:?}", case.says));
        }
        if stderr.contains("panicked") {
            wrong.push("it panicked".into());
        }
        if let Some(c) = stdout
            .chars()
            .chain(stderr.chars())
            .find(|c| is_raw_control(*c))
        {
            wrong.push(format!("a raw {:?} reached the terminal", c));
        }
        if stdout.contains(&token) || stderr.contains(&token) {
            wrong.push("the token was printed".into());
        }
        if snapshot(&config) != before {
            wrong.push("the profiles file changed".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{} (`bbtoken {}`): {}\n  stderr: {}",
                case.what,
                case.args.escape_debug(),
                wrong.join("; "),
                stderr.trim().escape_debug()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// Waits for the child, killing it (by its own handle) after `limit`: a row
/// that hangs fails instead of hanging the suite.
fn wait_bounded(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "timed out after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
