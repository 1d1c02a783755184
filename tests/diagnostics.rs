//! BBTOKEN_LOG: a full session (add, validate against the fake, rotate with
//! edit --secret, commands --reveal, remove) through the built binary with a
//! real private keyring, logged at trace; then no 12-character window of any
//! token used may appear in the log, while the request, store and state
//! lines must. Also: without the variable nothing is written, and a bad
//! level is a clear error.

mod common;
#[path = "common/world.rs"]
mod world;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bbtoken::fakebb::Quirks;
use world::{World, code, run_with_stdin, stderr, stdout};

/// The binary with the world's environment and the log settings given.
fn cmd(w: &World, state: &Path, level: Option<&str>, args: &[&str]) -> Command {
    let mut c = w.cmd(args);
    c.env("XDG_STATE_HOME", state);
    match level {
        Some(l) => c.env("BBTOKEN_LOG", l),
        None => c.env_remove("BBTOKEN_LOG"),
    };
    c
}

fn run(w: &World, state: &Path, level: Option<&str>, args: &[&str], stdin: &str) -> Output {
    let o = run_with_stdin(cmd(w, state, level, args), stdin);
    assert_eq!(
        code(&o),
        0,
        "bbtoken {args:?}: {}{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

fn log_file(state: &Path) -> PathBuf {
    state.join("bbtoken").join("bbtoken.log")
}

/// Every 12-character window of `token` found in `log`.
fn leaks<'a>(log: &str, token: &'a str) -> Vec<&'a str> {
    (0..=token.len().saturating_sub(12))
        .map(|i| &token[i..i + 12])
        .filter(|w| log.contains(w))
        .collect()
}

#[test]
fn the_leak_check_finds_a_piece_of_a_token() {
    let token = "ATCTT3xFfGN0abcdefghijklmnop";
    assert!(leaks("x ATCTT3xFfGN0 y", token).len() == 1);
    assert!(leaks("x hijklmnop y", token).is_empty());
    assert_eq!(
        leaks(&format!("..{token}.."), token).len(),
        token.len() - 11
    );
}

#[test]
fn a_traced_session_logs_what_happened_and_no_secret() {
    let Some(w) = World::start("diagnostics session") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let s = state.path();
    let lvl = Some("trace");
    let first = w.repo_token(71, "api", Quirks::default());
    let rotated = w.repo_token(72, "api", Quirks::default());
    let workspace = w.workspace_token(73);
    let api = w.api_token(74, "dev@example.com");

    let repo_args = [
        "add",
        "ci",
        "--kind",
        "repository",
        "--workspace",
        "acme",
        "--repo",
        "api",
    ];
    run(&w, s, lvl, &repo_args, &format!("{first}\n"));
    let ws_args = [
        "add",
        "platform",
        "--kind",
        "workspace",
        "--workspace",
        "acme",
        "--repo",
        "web",
    ];
    run(&w, s, lvl, &ws_args, &format!("{workspace}\n"));
    let api_args = [
        "add",
        "me",
        "--kind",
        "api",
        "--workspace",
        "acme",
        "--repo",
        "web",
        "--email",
        "dev@example.com",
        "--validate",
    ];
    run(&w, s, lvl, &api_args, &format!("{api}\n"));
    run(&w, s, lvl, &["validate"], "");
    run(
        &w,
        s,
        lvl,
        &["edit", "ci", "--secret", "--validate"],
        &format!("{rotated}\n"),
    );
    let o = run(
        &w,
        s,
        lvl,
        &["commands", "ci", "--mode", "embedded", "--reveal"],
        "",
    );
    // The session did handle the secret: it is on stdout, as asked.
    assert!(stdout(&o).contains(&rotated), "{}", stdout(&o));
    run(&w, s, lvl, &["remove", "ci"], "");
    run(&w, s, lvl, &["validate", "platform"], "");

    let path = log_file(s);
    let log = std::fs::read_to_string(&path).expect("the log was written");
    if std::env::var_os("BBTOKEN_SHOW_LOG").is_some() {
        eprintln!("{log}");
    }
    for (i, token) in [&first, &rotated, &workspace, &api].iter().enumerate() {
        // Says how many pieces, not which: even a test token stays out of output.
        let found = leaks(&log, token).len();
        assert_eq!(found, 0, "{found} pieces of token #{i} in the log");
    }
    // Base64 of user:token (Basic auth) must not be there either.
    for needle in ["Authorization", "Basic ", "Bearer "] {
        assert!(!log.contains(needle), "{needle} in the log:\n{log}");
    }

    // What it should hold.
    let lines: Vec<&str> = log.lines().collect();
    let has = |all: &[&str]| lines.iter().any(|l| all.iter().all(|p| l.contains(p)));
    let expect: &[&[&str]] = &[
        &["bbtoken started"],
        &["request", "profile=\"ci\"", "http=200", "ms="],
        &["request", "profile=\"platform\"", "http=200"],
        &["request", "profile=\"me\"", "http=200"],
        &["store call", "op=\"set\"", "profile=\"ci\"", "ms="],
        &["store call", "op=\"get\"", "profile=\"platform\""],
        &["store call", "op=\"delete\"", "profile=\"ci\""],
        &["profile added", "profile=\"ci\""],
        &["profile updated", "profile=\"ci\"", "secret_replaced=true"],
        &["profile removed", "profile=\"ci\""],
        &[
            "validation recorded",
            "profile=\"platform\"",
            "status=\"valid\"",
        ],
        &["bbtoken ended", "code=0"],
    ];
    for want in expect {
        assert!(has(want), "no line with {want:?} in:\n{log}");
    }
    // Each process appends: one start line per run.
    let starts = lines
        .iter()
        .filter(|l| l.contains("bbtoken started"))
        .count();
    assert_eq!(starts, 8, "{log}");
    // No colour codes, no other crate's events.
    assert!(!log.contains('\u{1b}'), "ANSI in the log");
    assert!(
        lines.iter().all(|l| l.contains(" bbtoken")),
        "a line not from bbtoken:\n{log}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600, "log file mode");
        assert_eq!(mode(path.parent().unwrap()), 0o700, "log folder mode");
    }
}

#[test]
fn without_the_variable_nothing_is_written_and_a_bad_level_is_refused() {
    let Some(w) = World::start("diagnostics off") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let s = state.path();
    let token = w.repo_token(81, "api", Quirks::default());
    let args = [
        "add",
        "ci",
        "--kind",
        "repository",
        "--workspace",
        "acme",
        "--repo",
        "api",
        "--validate",
    ];
    run(&w, s, None, &args, &format!("{token}\n"));
    run(&w, s, Some(""), &["validate"], "");
    assert!(
        !s.join("bbtoken").exists(),
        "a log folder appeared without BBTOKEN_LOG"
    );

    for bad in ["warn", "verbose", "1"] {
        let o = run_with_stdin(cmd(&w, s, Some(bad), &["list"]), "");
        assert_eq!(code(&o), 2, "BBTOKEN_LOG={bad}");
        let err = stderr(&o);
        assert!(
            err.contains("BBTOKEN_LOG") && err.contains("info, debug or trace"),
            "{err}"
        );
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    }
    assert!(!s.join("bbtoken").exists());
}
