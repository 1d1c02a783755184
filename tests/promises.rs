//! Tests with teeth for promises the README makes, each written so that
//! breaking the promise turns it red: the 429 back-off really waits (and
//! within its documented bounds), JSON output holds no piece of any token,
//! `show` masks to a literal expected mask, and the settings
//! (BBTOKEN_HTTP_TIMEOUT, BBTOKEN_KEYRING_TIMEOUT, BBTOKEN_STORE,
//! BBTOKEN_API_URL, BBTOKEN_RETRY_429) and the private config directory do
//! what the README says.

mod common;
#[path = "common/world.rs"]
mod world;

use std::time::{Duration, Instant};

use base64::Engine;
use bbtoken::bitbucket::{ApiConfig, Client, Credential};
use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::profile::{Profile, Status, TokenKind};
use bbtoken::secret::Secret;
use bbtoken::token::{ACCESS_PREFIX, synthesize};
use world::{World, code, stderr, stdout};

/// A repository token for acme/api that is answered 429 `times` times.
fn rate_limited_token(fake: &FakeBitbucket, seed: u32, times: u32) -> String {
    let t = synthesize(ACCESS_PREFIX, seed);
    fake.add_token(
        &t,
        FakeToken {
            credential_type: "repo_access_token".into(),
            scopes: vec!["repository".into()],
            reach: Reach::Repo {
                workspace: "acme".into(),
                slug: "api".into(),
            },
            email: None,
            bot_id: None,
            quirks: Quirks {
                rate_limited_times: times,
                ..Quirks::default()
            },
        },
    );
    t
}

/// The gaps between consecutive requests the fake saw.
fn gaps(fake: &FakeBitbucket) -> Vec<Duration> {
    let seen = fake.seen();
    seen.windows(2)
        .map(|w| w[1].at.duration_since(w[0].at))
        .collect()
}

/// M2: after a 429 the client waits `backoff × 2^attempt` plus up to 25 %
/// jitter (src/bitbucket/client.rs, README: "back-off 2 s, 4 s, 8 s… with
/// jitter"), and retries 3 times by default. Each gap is measured where the
/// requests arrive. Removing the sleep makes every gap a few milliseconds.
#[test]
fn retries_after_429_wait_the_documented_back_off() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let fake = FakeBitbucket::start().await.unwrap();
        fake.add_repo(FakeRepo::new("acme", "api", "CORE"));
        let tok = rate_limited_token(&fake, 70, 100);
        let base = Duration::from_millis(200);
        let client = Client::new(ApiConfig {
            base: fake.api_url(),
            backoff: base,
            ..ApiConfig::default()
        })
        .unwrap();
        let p = Profile::new("p", TokenKind::Repository, "acme", Some("api"));
        let o = client
            .get_repository(&p, &Credential::Bearer(Secret::new(tok)))
            .await;
        assert_eq!(o.status, Status::RateLimited, "{o:?}");
        assert!(o.message.contains("after 3 retries"), "{}", o.message);
        let gaps = gaps(&fake);
        assert_eq!(gaps.len(), 3, "the default is 3 retries: {gaps:?}");
        for (k, gap) in gaps.iter().enumerate() {
            let least = base * (1 << k);
            // 25 % jitter at most, plus room for a busy machine.
            let most = least + least / 4 + Duration::from_millis(250);
            assert!(
                *gap >= least && *gap <= most,
                "retry {k}: waited {gap:?}, expected {least:?}..={most:?} (all: {gaps:?})"
            );
        }
    });
}

/// M2 through the binary: BBTOKEN_RETRY_429 sets the number of retries, the
/// first wait is the default 2 s (+ jitter), and more than 10 is refused.
#[test]
fn retry_429_setting_and_default_first_wait() {
    let Some(w) = World::start("retry_429_setting_and_default_first_wait") else {
        return;
    };
    let tok = rate_limited_token(&w.fake, 71, 100);
    let o = w.run(
        &[
            "add",
            "rl",
            "--kind",
            "repository",
            "-w",
            "acme",
            "-r",
            "api",
        ],
        &format!("{tok}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run_env(&w, &["validate", "rl"], &[("BBTOKEN_RETRY_429", "1")]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("rate_limited"), "{}", stdout(&o));
    let gaps = gaps(&w.fake);
    assert_eq!(gaps.len(), 1, "one retry: {gaps:?}");
    let least = Duration::from_secs(2);
    assert!(
        gaps[0] >= least && gaps[0] <= least + least / 4 + Duration::from_millis(400),
        "{gaps:?}"
    );

    for bad in ["11", "-1", "many"] {
        let o = run_env(&w, &["list"], &[("BBTOKEN_RETRY_429", bad)]);
        assert_eq!(code(&o), 2, "BBTOKEN_RETRY_429={bad}");
        assert!(stderr(&o).contains("BBTOKEN_RETRY_429"), "{}", stderr(&o));
    }
    let o = run_env(&w, &["list"], &[("BBTOKEN_RETRY_429", "10")]);
    assert_eq!(code(&o), 0, "10 is the limit and allowed: {}", stderr(&o));
}

fn run_env(w: &World, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = w.cmd(args);
    c.envs(env.iter().copied());
    world::run_with_stdin(c, "")
}

/// Every 12-character window of `secret`.
fn windows(secret: &str) -> Vec<&str> {
    (0..=secret.len().saturating_sub(12))
        .map(|i| &secret[i..i + 12])
        .collect()
}

/// The README: JSON output (`list`, `show`, `validate`, `commands`) never
/// holds a secret. Scanned for any 12 characters in a row of each token
/// (past its public 12-character prefix) and of the Basic credential
/// base64(email:token).
#[test]
fn json_output_holds_no_piece_of_a_token() {
    let Some(w) = World::start("json_output_holds_no_piece_of_a_token") else {
        return;
    };
    let repo = w.repo_token(80, "api", Quirks::default());
    let ws = w.workspace_token(81);
    let api = w.api_token(82, "dev@example.com");
    for (name, kind, tok, extra) in [
        ("ci", "repository", &repo, vec![]),
        ("plat", "workspace", &ws, vec![]),
        ("me", "api", &api, vec!["--email", "dev@example.com"]),
    ] {
        let mut args = vec!["add", name, "--kind", kind, "-w", "acme", "-r", "api"];
        args.extend(extra);
        let o = w.run(&args, &format!("{tok}\n"));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("dev@example.com:{api}"));
    // The Basic credential past the email's own part (which is public).
    let basic_secret = &basic[basic.len() - 200..];
    let mut pieces: Vec<&str> = Vec::new();
    for t in [&repo, &ws, &api] {
        pieces.extend(windows(&t[12..]));
        // Windows that straddle the public prefix and the secret body.
        pieces.extend(windows(&t[1..24]));
    }
    pieces.extend(windows(basic_secret));

    let mut runs: Vec<Vec<&str>> = vec![vec!["list", "--json"], vec!["validate", "--json"]];
    for name in ["ci", "plat", "me"] {
        runs.push(vec!["show", name, "--json"]);
        runs.push(vec!["commands", name, "--mode", "embedded", "--json"]);
        runs.push(vec!["commands", name, "--json"]);
    }
    for args in &runs {
        let o = w.run(args, "");
        assert!(code(&o) == 0, "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap_or_else(|e| panic!("{args:?} is not JSON ({e}): {out}"));
        for piece in &pieces {
            assert!(!out.contains(piece), "{args:?} holds {piece:?}:\n{out}");
            assert!(
                !stderr(&o).contains(piece),
                "{args:?} stderr holds {piece:?}"
            );
        }
    }
    // The scan is not blind: the one documented exception shows the token.
    let o = w.run(
        &["commands", "ci", "--mode", "embedded", "--reveal", "--json"],
        "",
    );
    assert!(stdout(&o).contains(&repo[12..24]), "{}", stdout(&o));
}

/// `show` masks the token as its first six and last four characters. The
/// expected mask is written out here, not computed with the code under test.
#[test]
fn show_masks_the_token_literally() {
    let Some(w) = World::start("show_masks_the_token_literally") else {
        return;
    };
    let tok = w.repo_token(90, "api", Quirks::default());
    assert_eq!(
        (&tok[..6], &tok[tok.len() - 4..]),
        ("ATCTT3", "0C5C"),
        "the sample token is the one the literal below was written for"
    );
    let o = w.run(
        &[
            "add",
            "ci",
            "--kind",
            "repository",
            "-w",
            "acme",
            "-r",
            "api",
        ],
        &format!("{tok}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = w.run(&["show", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ATCTT3****0C5C"), "{out}");
    assert!(!out.contains(&tok), "{out}");
    assert!(!out.contains(&tok[6..18]), "{out}");
}

/// BBTOKEN_HTTP_TIMEOUT bounds one request: a fake answer slower than it
/// gives network_error in about that time.
#[test]
fn http_timeout_setting_bounds_a_slow_answer() {
    let Some(w) = World::start("http_timeout_setting_bounds_a_slow_answer") else {
        return;
    };
    let tok = w.repo_token(
        91,
        "api",
        Quirks {
            delay: Some(Duration::from_secs(20)),
            ..Quirks::default()
        },
    );
    let o = w.run(
        &[
            "add",
            "slow",
            "--kind",
            "repository",
            "-w",
            "acme",
            "-r",
            "api",
        ],
        &format!("{tok}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let start = Instant::now();
    let o = run_env(
        &w,
        &["validate", "slow", "--json"],
        &[("BBTOKEN_HTTP_TIMEOUT", "1.5")],
    );
    let took = start.elapsed();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["status"], "network_error", "{v}");
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(5),
        "took {took:?}"
    );
    let o = run_env(&w, &["list"], &[("BBTOKEN_HTTP_TIMEOUT", "soon")]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("BBTOKEN_HTTP_TIMEOUT"),
        "{}",
        stderr(&o)
    );
}

/// A session bus that accepts connections and never answers: a credential
/// store that hangs. BBTOKEN_KEYRING_TIMEOUT bounds the wait, exit 2.
#[test]
fn keyring_timeout_setting_bounds_a_hanging_store() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            held.push(s);
        }
    });
    let config = dir.path().join("config");
    let tok = synthesize(ACCESS_PREFIX, 92);
    let start = Instant::now();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_bbtoken"));
    c.args([
        "add",
        "x",
        "--kind",
        "repository",
        "-w",
        "acme",
        "-r",
        "api",
    ])
    .env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", socket.display()),
    )
    .env("BBTOKEN_CONFIG_DIR", &config)
    .env("BBTOKEN_KEYRING_TIMEOUT", "1")
    .env("NO_COLOR", "1")
    .env_remove("BBTOKEN_STORE");
    let o = world::run_with_stdin(c, &format!("{tok}\n"));
    let took = start.elapsed();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("within 1 s"), "{}", stderr(&o));
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(4),
        "took {took:?}"
    );
    assert!(!stderr(&o).contains(&tok[12..24]));
}

/// Settings that are wrong are refused before anything is done: an unknown
/// BBTOKEN_STORE, and plain http to a host that is not this machine.
#[test]
fn bad_settings_exit_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let run = |env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_bbtoken"));
        c.arg("list")
            .env("BBTOKEN_CONFIG_DIR", dir.path())
            .env("NO_COLOR", "1")
            .env_remove("BBTOKEN_STORE")
            .env_remove("BBTOKEN_API_URL")
            .envs(env.iter().copied());
        world::run_with_stdin(c, "")
    };
    let o = run(&[("BBTOKEN_STORE", "floppy")]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("BBTOKEN_STORE") && stderr(&o).contains("floppy"),
        "{}",
        stderr(&o)
    );
    for url in [
        "http://api.bitbucket.org/2.0",
        "http://10.0.0.1/2.0",
        "http://localhost.example.com/2.0",
    ] {
        let o = run(&[("BBTOKEN_API_URL", url)]);
        assert_eq!(code(&o), 2, "{url}: {}", stderr(&o));
        assert!(stderr(&o).contains("plain http"), "{url}: {}", stderr(&o));
    }
    // The same command runs when the settings are fine.
    for url in [
        "http://127.0.0.1:9/2.0",
        "http://[::1]:9/2.0",
        "http://localhost:9/2.0",
    ] {
        let o = run(&[
            ("BBTOKEN_API_URL", url),
            ("BBTOKEN_STORE", "secret-service"),
        ]);
        assert_eq!(code(&o), 0, "{url}: {}", stderr(&o));
    }
}

/// The config directory bbtoken creates is private (0700) and the profiles
/// file 0600, whatever the umask.
#[test]
fn config_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let Some(w) = World::start("config_directory_is_private") else {
        return;
    };
    let dir = w.config.path().join("fresh").join("bbtoken");
    let tok = w.repo_token(93, "api", Quirks::default());
    let mut c = w.cmd(&[
        "add",
        "ci",
        "--kind",
        "repository",
        "-w",
        "acme",
        "-r",
        "api",
    ]);
    c.env("BBTOKEN_CONFIG_DIR", &dir);
    let o = world::run_with_stdin(c, &format!("{tok}\n"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    assert_eq!(mode(&dir.join("profiles.toml")), 0o600);
}
