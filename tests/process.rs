//! The built binary as a process: no terminal, no core dumps, refused base
//! URLs, and no proxy for loopback. Everything that needs an environment
//! variable sets it on the child process, never in this test process.
#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::token::{ACCESS_PREFIX, synthesize};

fn bbtoken(config: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
    c.env("BBTOKEN_CONFIG_DIR", config)
        .env("NO_COLOR", "1")
        .env_remove("BBTOKEN_API_URL")
        .env_remove("BBTOKEN_GIT_URL")
        .env_remove("BBTOKEN_STORE");
    c
}

fn output(mut c: Command) -> Output {
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn no_terminal_is_exit_2_naming_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&[][..], &["demo"][..]] {
        let mut c = bbtoken(dir.path());
        c.args(args);
        let o = output(c);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains("needs a terminal"), "{args:?}: {err}");
        for word in [
            "bbtoken list",
            "show",
            "validate",
            "add",
            "commands",
            "--help",
        ] {
            assert!(err.contains(word), "{args:?}: {word} missing: {err}");
        }
        assert!(o.stdout.is_empty(), "{args:?}: wrote to stdout");
    }
}

#[test]
fn base_urls_with_userinfo_query_or_fragment_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (var, url, what) in [
        (
            "BBTOKEN_API_URL",
            "https://someone:SECRETPW@api.bitbucket.org/2.0",
            "user name or password",
        ),
        ("BBTOKEN_API_URL", "http://tok@127.0.0.1:9/2.0", "user name"),
        (
            "BBTOKEN_API_URL",
            "https://api.bitbucket.org/2.0?x=1",
            "query",
        ),
        (
            "BBTOKEN_API_URL",
            "https://api.bitbucket.org/2.0#top",
            "fragment",
        ),
        (
            "BBTOKEN_GIT_URL",
            "https://someone:SECRETPW@bitbucket.org",
            "user name or password",
        ),
        ("BBTOKEN_GIT_URL", "https://bitbucket.org?x=1", "query"),
        ("BBTOKEN_GIT_URL", "https://bitbucket.org#x", "fragment"),
    ] {
        for args in [&["list"][..], &["validate"][..]] {
            let mut c = bbtoken(dir.path());
            c.args(args).env(var, url);
            let o = output(c);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{var}={url} {args:?}: {err}");
            assert!(err.contains(var), "{var}={url}: {err}");
            assert!(err.contains(what), "{var}={url}: {err}");
            assert!(!err.contains("SECRETPW"), "the password was echoed: {err}");
        }
    }
}

/// Reads the soft and hard "Max core file size" of a process.
fn core_limit_of(pid: u32) -> Option<String> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[test]
fn sigquit_leaves_no_core_file() {
    // Only meaningful where the kernel writes plain core files in the cwd.
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    if pattern.trim() != "core" {
        eprintln!(
            "skipped: sigquit_leaves_no_core_file: core_pattern is {:?}, not \"core\"",
            pattern.trim()
        );
        return;
    }
    let cwd = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut c = bbtoken(config.path());
    // `add` waits for the token on stdin: a live process to signal.
    c.args([
        "add",
        "x",
        "--kind",
        "repository",
        "--workspace",
        "acme",
        "--repo",
        "api",
    ])
    .env("BBTOKEN_STORE", "keyutils")
    .current_dir(cwd.path())
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(|| {
            // What a user with `ulimit -c unlimited` would give bbtoken.
            let unlimited = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &unlimited);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = c.spawn().unwrap();
    let pid = child.id();
    // Wait until bbtoken sits waiting for the token (past its start-up).
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if status.contains("State:\tS") && !stat.is_empty() && stat != "0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let limit = core_limit_of(pid).unwrap_or_default();
    // SAFETY: signals our own child by pid.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGQUIT) };
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGQUIT), "{status:?}");
    let files: Vec<_> = std::fs::read_dir(cwd.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        !status.core_dumped() && files.is_empty(),
        "a core was dumped: {status:?}, files {files:?}"
    );
    // bbtoken lowered its own limit (which children such as git inherit).
    assert!(limit.contains("size 0 0"), "core limit: {limit}");
}

/// A loopback listener that counts the connections it gets and closes them.
fn counting_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            h.fetch_add(1, Ordering::SeqCst);
            let _ = conn.set_read_timeout(Some(Duration::from_millis(200)));
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (format!("http://{addr}"), hits)
}

#[test]
fn loopback_api_never_goes_through_a_proxy() {
    let Some(keyring) = common::keyring_or_skip("loopback_api_never_goes_through_a_proxy") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(FakeBitbucket::start()).unwrap();
    fake.add_repo(FakeRepo::new("acme", "api", "CORE"));
    let token = synthesize(ACCESS_PREFIX, 7);
    fake.add_token(
        &token,
        FakeToken {
            credential_type: "repo_access_token".into(),
            scopes: vec!["repository".into()],
            reach: Reach::Repo {
                workspace: "acme".into(),
                slug: "api".into(),
            },
            email: None,
            bot_id: Some("abcdefghijklmnopqrstuvwxyz0123".into()),
            quirks: Quirks::default(),
        },
    );
    let (proxy, hits) = counting_proxy();
    let config = tempfile::tempdir().unwrap();
    let cmd = |args: &[&str]| {
        let mut c = bbtoken(config.path());
        c.args(args)
            .envs(keyring.envs())
            .env("BBTOKEN_API_URL", fake.api_url())
            .env("BBTOKEN_RETRY_429", "0");
        for var in [
            "http_proxy",
            "HTTP_PROXY",
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "ALL_PROXY",
        ] {
            c.env(var, &proxy);
        }
        c.env_remove("no_proxy").env_remove("NO_PROXY");
        c
    };
    let mut add = cmd(&[
        "add",
        "ci",
        "--kind",
        "repository",
        "--workspace",
        "acme",
        "--repo",
        "api",
    ]);
    let mut child = add
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{token}\n").as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "add: {}", stderr(&o));
    let o = output(cmd(&["validate", "ci"]));
    assert_eq!(
        o.status.code(),
        Some(0),
        "validate: {}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the request to loopback went to the proxy"
    );

    // Real Bitbucket (https, not loopback) still goes through HTTPS_PROXY:
    // the proxy gets the CONNECT (and refuses it, so nothing leaves the
    // machine).
    let mut c = cmd(&["validate", "ci"]);
    c.env("BBTOKEN_API_URL", "https://api.bitbucket.org/2.0");
    let o = output(c);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        hits.load(Ordering::SeqCst) >= 1,
        "HTTPS_PROXY was not used for Bitbucket"
    );
}

#[test]
fn stdout_not_a_terminal_is_exit_2_even_with_a_terminal_on_stdin() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    // stdin (and the controlling terminal) is the pty; stdout goes to a file.
    let mut cmd = CommandBuilder::new("sh");
    cmd.args([
        "-c",
        "exec \"$0\" > \"$1\" 2>&1",
        env!("CARGO_BIN_EXE_bbtoken"),
        out.to_str().unwrap(),
    ]);
    cmd.env("BBTOKEN_CONFIG_DIR", dir.path());
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("bbtoken did not exit with stdout redirected");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(status.exit_code(), 2, "{text}");
    assert!(text.contains("stdout is not one"), "{text}");
    // Nothing but the message: no escape sequence reached the file.
    assert!(!text.contains('\x1b'), "{text:?}");
}

#[test]
fn validate_with_a_hung_secret_service_fails_fast_after_the_first_timeout() {
    // A bus that accepts and never answers, like a stopped daemon.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent-bus");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    let config = tempfile::tempdir().unwrap();
    let n = 12;
    let mut toml = String::from("version = 1\n");
    for i in 0..n {
        toml.push_str(&format!(
            "\n[[profile]]\nname = \"p{i}\"\nkind = \"repository\"\nworkspace = \"acme\"\nrepo = \"api\"\ncreated = \"2026-01-01T00:00:00Z\"\n"
        ));
    }
    std::fs::write(config.path().join("profiles.toml"), toml).unwrap();
    let mut c = bbtoken(config.path());
    // One at a time: each would wait out its own timeout if calls queued
    // behind the stuck one.
    c.args(["validate", "--jobs", "1", "--json"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", path.display()),
        )
        .env("BBTOKEN_KEYRING_TIMEOUT", "1")
        // Never reached: every secret read fails first.
        .env("BBTOKEN_API_URL", "http://127.0.0.1:9/2.0");
    let started = Instant::now();
    let o = output(c);
    let elapsed = started.elapsed();
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{n} profiles, hung Secret Service: {elapsed:?}");
    assert_eq!(
        out.matches("did not answer within").count(),
        n,
        "every profile reports the timeout: {out}{}",
        stderr(&o)
    );
    assert!(
        elapsed < Duration::from_secs(6),
        "{n} validations took {elapsed:?}: calls queued behind the stuck one"
    );
}
