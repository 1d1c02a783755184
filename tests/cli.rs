//! End-to-end tests of the built `bbtoken` binary: a real private Secret
//! Service (tests/common), a fake Bitbucket on loopback, and real git.

mod common;
#[path = "common/world.rs"]
mod world;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use world::{code, run_with_stdin, stderr, stdout};

use bbtoken::fakebb::{FakeBitbucket, FakeRepo, FakeToken, Quirks, Reach};
use bbtoken::token::{ACCESS_PREFIX, API_PREFIX, synthesize};

struct World {
    _rt: tokio::runtime::Runtime,
    fake: FakeBitbucket,
    keyring: common::Keyring,
    config: tempfile::TempDir,
}

impl World {
    fn start(test: &str) -> Option<World> {
        let keyring = common::keyring_or_skip(test)?;
        let rt = tokio::runtime::Runtime::new().unwrap();
        let fake = rt.block_on(FakeBitbucket::start()).unwrap();
        fake.add_repo(FakeRepo::new("acme", "api", "CORE"));
        fake.add_repo(FakeRepo::new("acme", "web", "CORE"));
        Some(World {
            _rt: rt,
            fake,
            keyring,
            config: tempfile::tempdir().unwrap(),
        })
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
        c.args(args)
            .envs(self.keyring.envs())
            .env("BBTOKEN_CONFIG_DIR", self.config.path())
            .env("BBTOKEN_API_URL", self.fake.api_url())
            .env("BBTOKEN_RETRY_429", "0")
            .env("NO_COLOR", "1")
            .env_remove("BBTOKEN_STORE");
        c
    }

    /// Runs bbtoken with `stdin` piped in.
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        run_with_stdin(self.cmd(args), stdin)
    }
}

/// Registers a repository access token for acme/api with the fake.
fn repo_token(fake: &FakeBitbucket, seed: u32, scopes: &[&str]) -> String {
    repo_token_with(fake, seed, scopes, Quirks::default())
}

fn repo_token_with(fake: &FakeBitbucket, seed: u32, scopes: &[&str], quirks: Quirks) -> String {
    let t = synthesize(ACCESS_PREFIX, seed);
    fake.add_token(
        &t,
        FakeToken {
            credential_type: "repo_access_token".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            reach: Reach::Repo {
                workspace: "acme".into(),
                slug: "api".into(),
            },
            email: None,
            bot_id: Some("abcdefghijklmnopqrstuvwxyz0123".into()),
            quirks,
        },
    );
    t
}

fn api_token(fake: &FakeBitbucket, seed: u32) -> String {
    let t = synthesize(API_PREFIX, seed);
    fake.add_token(
        &t,
        FakeToken {
            credential_type: "api_token".into(),
            scopes: vec![
                "read:repository:bitbucket".into(),
                "write:repository:bitbucket".into(),
            ],
            reach: Reach::User(vec!["acme".into()]),
            email: Some("dev@example.com".into()),
            bot_id: None,
            quirks: Quirks::default(),
        },
    );
    t
}

/// Every file under `dir`, read as bytes, must not contain any of `secrets`.
fn assert_no_secret_in(dir: &Path, secrets: &[&str]) {
    let mut checked = 0;
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for s in secrets {
            assert!(
                !text.contains(s) && !text.contains(&s[12..60]),
                "{} holds a token",
                entry.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "the config directory has files to check");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
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

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn lifecycle_add_list_show_validate_commands_edit_remove() {
    let Some(w) = World::start("lifecycle") else {
        return;
    };
    let repo_tok = repo_token(&w.fake, 1, &["repository", "repository:write"]);
    let api_tok = api_token(&w.fake, 2);

    // add, secret on stdin
    let o = w.run(
        &[
            "add",
            "ci",
            "--kind",
            "repository",
            "--workspace",
            "acme",
            "--repo",
            "api",
            "--bot-email",
            "abc123@bots.bitbucket.org",
        ],
        &format!("{repo_tok}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = w.run(
        &[
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
            "--username",
            "jdoe",
            "--validate",
        ],
        &format!("  {api_tok}  \n"),
    );
    assert_eq!(code(&o), 0, "add --validate: {}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("valid"), "{}", stdout(&o));

    // list
    let o = w.run(&["list"], "");
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(
        out.contains("ci") && out.contains("acme/api") && out.contains("me"),
        "{out}"
    );
    let listed = json(&w.run(&["list", "--json"], ""));
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ci", "me"]);

    // validate all: both valid, exit 0, outcome facts in JSON
    let o = w.run(&["validate", "--json"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = json(&o);
    for row in rows.as_array().unwrap() {
        assert_eq!(row["status"], "valid", "{row}");
        assert_eq!(row["http_status"], 200);
    }
    assert_eq!(rows[0]["credential_type"], "repo_access_token");
    assert_eq!(rows[0]["repository"]["full_name"], "acme/api");
    assert_eq!(rows[0]["repository"]["main_branch"], "main");
    assert_eq!(rows[1]["credential_type"], "api_token");

    // show: recorded outcome, masked token, JSON without secret
    let o = w.run(&["show", "ci"], "");
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("✓ valid"), "{}", stdout(&o));
    assert!(stdout(&o).contains(&bbtoken::token::mask(&repo_tok)));
    let shown = json(&w.run(&["show", "ci", "--json"], ""));
    assert_eq!(shown["secret_stored"], true);
    assert_eq!(shown["git_username"], "x-token-auth");

    // commands: interactive has no token; embedded is masked; --reveal has it
    let o = w.run(&["commands", "ci"], "");
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).contains("https://x-token-auth@"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("git config user.email abc123@bots.bitbucket.org"));
    let o = w.run(&["commands", "me", "--mode", "embedded"], "");
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).contains("https://jdoe:ATATT3****"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains(&api_tok));
    let revealed = json(&w.run(
        &["commands", "ci", "--mode", "embedded", "--reveal", "--json"],
        "",
    ));
    let clone = revealed["commands"][0]["text"].as_str().unwrap();
    assert!(
        clone.contains(&repo_tok),
        "--reveal puts the token in the URL"
    );
    assert_eq!(revealed["commands"][0]["holds_secret"], true);

    // edit a field; then rotate to a token Bitbucket does not know: invalid, exit 1
    let o = w.run(&["edit", "ci", "--note", "deploy bot"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let new_tok = synthesize(ACCESS_PREFIX, 99);
    // (--force: replace it even though the check fails, issue 10 A5)
    let o = w.run(
        &["edit", "ci", "--secret", "--validate", "--force"],
        &format!("{new_tok}\n"),
    );
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("invalid 401"), "{}", stdout(&o));
    let shown = json(&w.run(&["show", "ci", "--json"], ""));
    assert_eq!(shown["note"], "deploy bot");
    assert_eq!(shown["last_validation"]["status"], "invalid");
    let o = w.run(&["validate"], "");
    assert_eq!(code(&o), 1, "one invalid profile: exit 1");

    // no token in any file of the config directory
    assert_no_secret_in(w.config.path(), &[&repo_tok, &api_tok, &new_tok]);

    // remove: the profile and its secret go
    let o = w.run(&["remove", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("and its token"), "{}", stderr(&o));
    let listed = json(&w.run(&["list", "--json"], ""));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // re-adding the name without a secret finds none left behind: show reports it missing
    let o = w.run(&["remove", "ci"], "");
    assert_eq!(code(&o), 2, "removing twice is an error");
    {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let _env = rt.block_on(w.keyring.in_process()).unwrap();
        let store = bbtoken::store::SecretStore::open(bbtoken::store::SecretBackend::SecretService);
        let left = rt.block_on(store.get("ci"));
        assert!(
            matches!(left, Err(bbtoken::store::StoreError::Missing { .. })),
            "the removed profile's secret is gone from the keyring: {left:?}"
        );
        assert!(
            rt.block_on(store.get("me")).is_ok(),
            "the other profile's secret stays"
        );
    }
}

#[test]
fn every_failure_status_gets_exit_1_and_a_remedy() {
    let Some(w) = World::start("statuses") else {
        return;
    };
    let cases: Vec<(&str, Quirks, &[&str], &str)> = vec![
        (
            "revoked",
            Quirks {
                revoked: true,
                ..Quirks::default()
            },
            &["repository"],
            "invalid",
        ),
        ("noscope", Quirks::default(), &["pullrequest"], "forbidden"),
        (
            "limited",
            Quirks {
                rate_limited_times: 5,
                ..Quirks::default()
            },
            &["repository"],
            "rate_limited",
        ),
        (
            "broken",
            Quirks {
                fixed_status: Some(503),
                ..Quirks::default()
            },
            &["repository"],
            "server_error",
        ),
        (
            "garbled",
            Quirks {
                malformed_body: true,
                ..Quirks::default()
            },
            &["repository"],
            "bad_response",
        ),
    ];
    for (i, (name, quirks, scopes, want)) in cases.iter().enumerate() {
        let t = repo_token_with(&w.fake, 100 + i as u32, scopes, quirks.clone());
        let o = w.run(
            &["add", name, "-k", "repository", "-w", "acme", "-r", "api"],
            &t,
        );
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        let o = w.run(&["validate", name, "--json"], "");
        assert_eq!(code(&o), 1, "{name}");
        let row = &json(&o)[0];
        assert_eq!(row["status"], *want, "{name}: {row}");
        assert!(
            row["remedy"].as_str().is_some_and(|r| !r.is_empty()),
            "{name}: {row}"
        );
    }
    // a repository the token cannot see: not_found
    let t = repo_token(&w.fake, 7, &["repository"]);
    let o = w.run(
        &[
            "add",
            "elsewhere",
            "-k",
            "repository",
            "-w",
            "acme",
            "-r",
            "web",
        ],
        &t,
    );
    assert_eq!(code(&o), 0);
    let o = w.run(&["validate", "elsewhere", "--json"], "");
    assert_eq!(json(&o)[0]["status"], "not_found");
    // the network down: a closed port
    let o = w
        .cmd(&["validate", "elsewhere", "--json"])
        .env("BBTOKEN_API_URL", "http://127.0.0.1:9/2.0")
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)[0]["status"], "network_error");
    // an unknown profile name is a usage error
    let o = w.run(&["validate", "nobody"], "");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no profile named \"nobody\""));
}

#[test]
fn bad_input_is_refused_with_exit_2_and_nothing_stored() {
    let Some(w) = World::start("bad input") else {
        return;
    };
    let app_password = format!("ATBB{}{}", "a".repeat(24), "DEADBEEF");
    // (command line, stdin, what the error must say)
    let cases = [
        (
            "add x -k api -w acme -r api --email d@example.com",
            app_password.as_str(),
            "app password",
        ),
        ("add x -k repository -w acme -r api", "", "no token given"),
        ("add x -k repository -w acme", "t", "--repo"),
        ("add x -k api -w acme -r api", "t", "--email"),
        (
            "add x -k repository -w acme -r api --bot-email me@example.com",
            "t",
            "bots.bitbucket.org",
        ),
        (
            "add x -k repository -w acme -r api --expires 'next week'",
            "t",
            "2026-12-31",
        ),
        ("add x -k repository -w 'Acme Co' -r api", "t", "lower-case"),
        ("add x -k nonsense -w acme", "t", "invalid value"),
    ];
    for (line, stdin, says) in cases {
        let args = shlex::split(line).unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = w.run(&args, stdin);
        assert_eq!(code(&o), 2, "{line}");
        assert!(stderr(&o).contains(says), "{line}: {}", stderr(&o));
    }
    let listed = json(&w.run(&["list", "--json"], ""));
    assert_eq!(listed.as_array().unwrap().len(), 0, "nothing was stored");

    // an API token entered as a repository token is refused (issue 10 A4),
    // and stored with a warning only with --force
    let api = synthesize(API_PREFIX, 5);
    let mixed = [
        "add",
        "mixed",
        "-k",
        "repository",
        "-w",
        "acme",
        "-r",
        "api",
    ];
    let o = w.run(&mixed, &api);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--kind api"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&api), "no token in messages");
    let o = w.run(&[&mixed[..], &["--force"]].concat(), &api);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("--kind api"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&api), "no token in messages");
    // a mistyped token warns about the checksum
    let mut typo = synthesize(ACCESS_PREFIX, 6);
    typo.replace_range(30..31, if &typo[30..31] == "A" { "B" } else { "A" });
    let o = w.run(
        &["add", "typo", "-k", "repository", "-w", "acme", "-r", "api"],
        &typo,
    );
    assert!(
        stderr(&o).contains("mistyped or truncated"),
        "{}",
        stderr(&o)
    );
    // no Secret Service on the bus: a clear error naming the way out, exit 2
    let mut cmd = w.cmd(&[
        "add",
        "nokeyring",
        "-k",
        "repository",
        "-w",
        "acme",
        "-r",
        "api",
    ]);
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/bbtoken-test-bus",
    );
    let o = run_with_stdin(cmd, &synthesize(ACCESS_PREFIX, 8));
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("BBTOKEN_STORE=keyutils"),
        "{}",
        stderr(&o)
    );
    let listed = json(&w.run(&["list", "--json"], ""));
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"] != "nokeyring"),
        "a profile whose secret could not be stored is not saved"
    );
    // a second add under the same name is refused
    let o = w.run(
        &["add", "typo", "-k", "repository", "-w", "acme", "-r", "api"],
        &typo,
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn malformed_config_is_reported_with_line_and_left_untouched() {
    let Some(w) = World::start("malformed config") else {
        return;
    };
    let path = w.config.path().join("profiles.toml");
    let bad = "version = 1\n[[profile]]\nname = \"a\"\nkind = \"repository\"\nworkspace = \n";
    std::fs::write(&path, bad).unwrap();
    for args in [
        vec!["list"],
        vec!["validate"],
        vec!["add", "b", "-k", "repository", "-w", "acme", "-r", "api"],
    ] {
        let o = w.run(&args, &synthesize(ACCESS_PREFIX, 3));
        assert_eq!(code(&o), 2, "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains("profiles.toml") && err.contains("line 5"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), bad);
}

/// The generated commands are real git commands: run them with git.
#[test]
fn generated_git_commands_work_with_real_git() {
    let Some(w) = World::start("real git") else {
        return;
    };
    let t = repo_token(&w.fake, 11, &["repository"]);
    let o = w.run(
        &[
            "add",
            "ci",
            "-k",
            "repository",
            "-w",
            "acme",
            "-r",
            "api",
            "--bot-email",
            "52c16467c5f19101ff2061cc@bots.bitbucket.org",
        ],
        &t,
    );
    assert_eq!(code(&o), 0);
    for (mode, reveal) in [("interactive", false), ("embedded", true)] {
        let mut args = vec!["commands", "ci", "--mode", mode, "--json"];
        if reveal {
            args.push("--reveal");
        }
        let out = json(&w.run(&args, ""));
        let text = |kind: &str| -> String {
            out["commands"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["kind"] == kind)
                .unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let repo = tempfile::tempdir().unwrap();
        let sh = |script: &str| {
            let o = Command::new("sh")
                .arg("-c")
                .arg(script)
                .current_dir(repo.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", repo.path())
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{script}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            String::from_utf8_lossy(&o.stdout).trim().to_string()
        };
        sh("git init -q -b main .");
        let onboard = text("onboard");
        let add_origin = onboard.lines().next().unwrap();
        sh(add_origin);
        let url = sh("git remote get-url origin");
        let want = if reveal {
            format!("https://x-token-auth:{t}@bitbucket.org/acme/api.git")
        } else {
            "https://x-token-auth@bitbucket.org/acme/api.git".to_string()
        };
        assert_eq!(url, want, "{mode}");
        sh("git remote set-url origin https://example.invalid/x.git");
        // The existing-clone group's set-url (its push is in tests/existing_clone.rs).
        sh(text("existing-clone").lines().next().unwrap());
        assert_eq!(sh("git remote get-url origin"), want);
        sh(&text("user-email"));
        assert_eq!(
            sh("git config user.email"),
            "52c16467c5f19101ff2061cc@bots.bitbucket.org"
        );
        // No validation has named the main branch: push the current one.
        assert_eq!(onboard.lines().nth(1).unwrap(), "git push -u origin HEAD");
    }
}

/// Profiles added by several bbtoken processes at once are all kept.
#[test]
fn concurrent_adds_from_many_processes_lose_nothing() {
    let Some(w) = World::start("concurrent adds") else {
        return;
    };
    let children: Vec<_> = (0..8)
        .map(|i| {
            let mut child = w
                .cmd(&[
                    "add",
                    &format!("p{i}"),
                    "-k",
                    "repository",
                    "-w",
                    "acme",
                    "-r",
                    "api",
                ])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let token = synthesize(ACCESS_PREFIX, 200 + i);
            child
                .stdin
                .take()
                .unwrap()
                .write_all(token.as_bytes())
                .unwrap();
            child
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let listed = json(&w.run(&["list", "--json"], ""));
    let mut names: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, (0..8).map(|i| format!("p{i}")).collect::<Vec<_>>());
}

/// The generated curl commands, pasted into a POSIX shell, really call the
/// API: the interactive ones read the token from the terminal (here: stdin),
/// the embedded ones carry it.
#[test]
fn generated_curl_commands_reach_the_api() {
    let Some(w) = World::start("curl") else {
        return;
    };
    let repo_tok = repo_token(&w.fake, 21, &["repository"]);
    let api_tok = api_token(&w.fake, 22);
    assert_eq!(
        code(&w.run(
            &["add", "ci", "-k", "repository", "-w", "acme", "-r", "api"],
            &repo_tok
        )),
        0
    );
    let o = w.run(
        &[
            "add",
            "me",
            "-k",
            "api",
            "-w",
            "acme",
            "-r",
            "api",
            "--email",
            "dev@example.com",
        ],
        &api_tok,
    );
    assert_eq!(code(&o), 0);
    let cases = [
        ("ci", "interactive", "curl", &repo_tok),
        ("ci", "embedded", "curl", &repo_tok),
        ("me", "interactive", "curl-basic", &api_tok),
        ("me", "embedded", "curl", &api_tok),
        ("me", "embedded", "curl-basic", &api_tok),
    ];
    for (profile, mode, kind, token) in cases {
        let out = json(&w.run(
            &["commands", profile, "--mode", mode, "--reveal", "--json"],
            "",
        ));
        let cmd = out["commands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == kind)
            .unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string();
        let mut sh = Command::new("sh");
        sh.arg("-c").arg(&cmd);
        // What a person types at the prompt (ignored by embedded commands).
        let o = run_with_stdin(sh, &format!("{token}\n"));
        let body: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| {
            panic!(
                "{profile} {mode} {kind}: not JSON: {} {}",
                stdout(&o),
                stderr(&o)
            )
        });
        assert_eq!(
            body["full_name"], "acme/api",
            "{profile} {mode} {kind}: {body}"
        );
    }
}
