//! `bbtoken doctor` end to end, with real parts: the private keyring (and
//! the same keyring with its daemon stopped), the fake Bitbucket on loopback
//! (and a closed port, and a skewed clock), the real git binary with a
//! temporary global config, and the built binary.

mod common;
#[path = "common/world.rs"]
mod world;

use std::path::Path;
use std::process::{Command, Output};

use bbtoken::fakebb::Quirks;
use world::{World, code, stderr, stdout};

/// A temporary HOME for git: its own global config, no system config.
struct GitHome {
    dir: tempfile::TempDir,
}

impl GitHome {
    fn new() -> GitHome {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gitconfig"), "").unwrap();
        GitHome { dir }
    }

    fn apply(&self, c: &mut Command) {
        c.env("GIT_CONFIG_GLOBAL", self.dir.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            // English whatever the machine's locale: the tests read its words.
            .env("BBTOKEN_LANG", "en")
            .env_remove("TMUX")
            .env_remove("STY")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("BBTOKEN_CLIPBOARD")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy");
    }

    /// An empty folder outside any repository, to run in.
    fn outside(&self) -> std::path::PathBuf {
        let d = self.dir.path().join("outside");
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}

fn doctor(w: &World, git: &GitHome, dir: &Path, extra: &[(&str, &str)]) -> Output {
    let mut c = w.cmd(&["doctor", "--json"]);
    git.apply(&mut c);
    c.current_dir(dir);
    for (k, v) in extra {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn report(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

fn check<'a>(r: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {r:#}"))
}

fn status<'a>(r: &'a serde_json::Value, name: &str) -> &'a str {
    check(r, name)["status"].as_str().unwrap()
}

#[test]
fn a_working_chain_passes_with_a_stable_json_shape_and_no_secret() {
    let Some(w) = World::start("a_working_chain_passes_with_a_stable_json_shape_and_no_secret")
    else {
        return;
    };
    let git = GitHome::new();
    // A profile with its token in the keyring: doctor must not read or show it.
    let token = w.repo_token(11, "api", Quirks::default());
    let added = w.run(
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
        &token,
    );
    assert_eq!(code(&added), 0, "{}", stderr(&added));

    let o = doctor(&w, &git, &git.outside(), &[]);
    let r = report(&o);
    assert_eq!(code(&o), 0, "{r:#}");
    assert_eq!(r["ok"], true);
    for key in ["pass", "warn", "fail", "skip"] {
        assert!(r["summary"][key].is_u64(), "{r:#}");
    }
    let names: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "store",
            "profiles.file",
            "profiles.lock",
            "api.resolve",
            "api.request",
            "clock",
            "git.version",
            "git.helper",
            "git.use_http_path",
            "terminal",
            "clipboard"
        ]
    );
    for c in r["checks"].as_array().unwrap() {
        assert!(
            ["pass", "warn", "fail", "skip"].contains(&c["status"].as_str().unwrap()),
            "{c:#}"
        );
        assert!(c["detail"].is_string() && c["facts"].is_object(), "{c:#}");
        assert!(c["remedy"].is_string() || c["remedy"].is_null(), "{c:#}");
        if c["status"] != "pass" {
            assert!(c["remedy"].is_string() || c["status"] == "skip", "{c:#}");
        }
    }
    assert_eq!(status(&r, "store"), "pass", "{r:#}");
    assert_eq!(check(&r, "store")["facts"]["backend"], "secret-service");
    assert_eq!(status(&r, "profiles.file"), "pass", "{r:#}");
    assert_eq!(check(&r, "profiles.file")["facts"]["profiles"], 1);
    assert_eq!(status(&r, "profiles.lock"), "pass");
    assert_eq!(status(&r, "api.resolve"), "pass");
    assert_eq!(status(&r, "api.request"), "pass", "{r:#}");
    assert_eq!(
        check(&r, "api.request")["facts"]["http_version"],
        "HTTP/1.1"
    );
    assert_eq!(check(&r, "api.request")["facts"]["http_status"], 401);
    assert_eq!(status(&r, "clock"), "pass", "{r:#}");
    assert_eq!(status(&r, "git.version"), "pass");

    // One request, to /2.0/user, without any credential.
    let seen: Vec<_> = w
        .fake
        .seen()
        .into_iter()
        .filter(|s| s.path == "/2.0/user")
        .collect();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].authorization.is_none());
    assert!(
        seen[0]
            .user_agent
            .as_deref()
            .unwrap()
            .starts_with("bbtoken/")
    );

    // No piece of the token anywhere in the output.
    let all = format!("{}{}", stdout(&o), stderr(&o));
    for i in 0..token.len() - 12 {
        assert!(
            !all.contains(&token[i..i + 12]),
            "a piece of the token leaked"
        );
    }
    // The throwaway item is gone and the profile's secret untouched.
    let show = w.run(
        &["commands", "ci", "--mode", "embedded", "--reveal", "--json"],
        "",
    );
    assert_eq!(code(&show), 0, "{}", stderr(&show));
    assert!(stdout(&show).contains(&token));
    let probe = check(&r, "store")["facts"]["item"]
        .as_str()
        .unwrap()
        .to_string();
    let left = w.rt.block_on(async {
        let _env = w.keyring.in_process().await.unwrap();
        bbtoken::store::SecretStore::open(bbtoken::store::SecretBackend::SecretService)
            .get(&probe)
            .await
    });
    assert!(
        matches!(left, Err(bbtoken::store::StoreError::Missing { .. })),
        "the probe item was left behind: {left:?}"
    );

    // The human form: one line per check, and the summary.
    let mut c = w.cmd(&["doctor"]);
    git.apply(&mut c);
    c.current_dir(git.outside());
    let human = c.output().unwrap();
    assert_eq!(code(&human), 0);
    let text = stdout(&human);
    assert!(text.contains("pass  store              secret-service (default): stored, read back and deleted a test item in"), "{text}");
    assert!(text.contains("fix: bbtoken setup-git"), "{text}");
    assert!(text.trim_end().ends_with("0 failed"), "{text}");
}

#[test]
fn a_stopped_keyring_daemon_fails_the_store_check_with_a_remedy() {
    let Some(mut w) = World::start("a_stopped_keyring_daemon_fails_the_store_check_with_a_remedy")
    else {
        return;
    };
    let git = GitHome::new();
    w.keyring.stop_secrets();
    let o = doctor(
        &w,
        &git,
        &git.outside(),
        &[("BBTOKEN_KEYRING_TIMEOUT", "3")],
    );
    let r = report(&o);
    assert_eq!(code(&o), 1, "{r:#}");
    assert_eq!(r["ok"], false);
    let store = check(&r, "store");
    assert_eq!(store["status"], "fail", "{r:#}");
    assert!(
        store["detail"]
            .as_str()
            .unwrap()
            .contains("cannot store a test item"),
        "{store:#}"
    );
    assert!(
        store["remedy"]
            .as_str()
            .unwrap()
            .contains("gnome-keyring-daemon --start"),
        "{store:#}"
    );
    // The rest of the chain is still checked.
    assert_eq!(status(&r, "api.request"), "pass", "{r:#}");
}

#[test]
fn a_closed_port_fails_the_request_with_a_network_remedy() {
    let Some(w) = World::start("a_closed_port_fails_the_request_with_a_network_remedy") else {
        return;
    };
    let git = GitHome::new();
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = format!("http://127.0.0.1:{port}/2.0");
    let o = doctor(&w, &git, &git.outside(), &[("BBTOKEN_API_URL", &api)]);
    let r = report(&o);
    assert_eq!(code(&o), 1, "{r:#}");
    assert_eq!(status(&r, "api.resolve"), "pass");
    let req = check(&r, "api.request");
    assert_eq!(req["status"], "fail", "{req:#}");
    let detail = req["detail"].as_str().unwrap();
    assert!(detail.contains("cannot connect"), "{detail}");
    assert!(detail.to_lowercase().contains("refused"), "{detail}");
    let remedy = req["remedy"].as_str().unwrap();
    assert!(
        remedy.contains("network") && remedy.contains("BBTOKEN_API_URL"),
        "{remedy}"
    );
    assert_eq!(status(&r, "clock"), "skip");
    assert_eq!(status(&r, "store"), "pass");
}

#[test]
fn a_skewed_clock_warns_and_still_exits_0() {
    let Some(w) = World::start("a_skewed_clock_warns_and_still_exits_0") else {
        return;
    };
    let git = GitHome::new();
    w.fake.set_clock_skew(3 * 3600);
    let o = doctor(&w, &git, &git.outside(), &[]);
    let r = report(&o);
    assert_eq!(code(&o), 0, "{r:#}");
    let clock = check(&r, "clock");
    assert_eq!(clock["status"], "warn", "{clock:#}");
    let skew = clock["facts"]["skew_seconds"].as_i64().unwrap();
    assert!((3 * 3600 - 5..=3 * 3600 + 5).contains(&skew), "{skew}");
    assert!(
        clock["detail"]
            .as_str()
            .unwrap()
            .contains("3 h 0 min behind"),
        "{clock:#}"
    );
    assert!(clock["remedy"].as_str().unwrap().contains("timedatectl"));

    w.fake.set_clock_skew(-2 * 86_400);
    let r = report(&doctor(&w, &git, &git.outside(), &[]));
    assert!(
        check(&r, "clock")["detail"]
            .as_str()
            .unwrap()
            .contains("2 days ahead of")
    );
    w.fake.set_clock_skew(0);
    assert_eq!(
        status(&report(&doctor(&w, &git, &git.outside(), &[])), "clock"),
        "pass"
    );
}

#[test]
fn the_git_helper_checks_follow_setup_git_global_and_local() {
    let Some(w) = World::start("the_git_helper_checks_follow_setup_git_global_and_local") else {
        return;
    };
    let git = GitHome::new();
    let outside = git.outside();
    let before = report(&doctor(&w, &git, &outside, &[]));
    assert_eq!(status(&before, "git.helper"), "warn");
    assert_eq!(status(&before, "git.use_http_path"), "warn");

    // --local in a temporary repository: set up there, not outside it.
    let repo = git.dir.path().join("repo");
    let init = Command::new("git")
        .args(["init", "-q"])
        .arg(&repo)
        .env("GIT_CONFIG_GLOBAL", git.dir.path().join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .unwrap();
    assert!(init.success());
    let mut c = w.cmd(&["setup-git", "--local"]);
    git.apply(&mut c);
    let local = c.current_dir(&repo).output().unwrap();
    assert_eq!(code(&local), 0, "{}", stderr(&local));
    let inside = report(&doctor(&w, &git, &repo, &[]));
    assert_eq!(status(&inside, "git.helper"), "pass", "{inside:#}");
    assert!(
        check(&inside, "git.helper")["detail"]
            .as_str()
            .unwrap()
            .contains("in the repository")
    );
    assert_eq!(status(&inside, "git.use_http_path"), "pass");
    assert_eq!(
        status(&report(&doctor(&w, &git, &outside, &[])), "git.helper"),
        "warn"
    );

    // A store helper before bbtoken's, globally: it would answer first.
    let cfg = git.dir.path().join("gitconfig");
    std::fs::write(&cfg, "[credential]\n\thelper = store\n").unwrap();
    let mut c = w.cmd(&["setup-git"]);
    git.apply(&mut c);
    let global = c.current_dir(&outside).output().unwrap();
    assert_eq!(code(&global), 0, "{}", stderr(&global));
    let after = report(&doctor(&w, &git, &outside, &[]));
    assert_eq!(status(&after, "git.helper"), "pass", "{after:#}");
    assert_eq!(status(&after, "git.use_http_path"), "pass");
    // Without setup-git's empty entry, store is asked first.
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, text.replacen("\thelper = \n", "", 1)).unwrap();
    let shared = report(&doctor(&w, &git, &outside, &[]));
    let h = check(&shared, "git.helper");
    assert_eq!(
        h["status"],
        "warn",
        "{h:#}\n{}",
        std::fs::read_to_string(&cfg).unwrap()
    );
    assert!(
        h["detail"]
            .as_str()
            .unwrap()
            .contains("store before bbtoken"),
        "{h:#}"
    );

    // A helper whose bbtoken is gone fails.
    std::fs::write(
        &cfg,
        "[credential \"https://bitbucket.org\"]\n\thelper = \n\thelper = !'/nonexistent/bbtoken' credential\n\tuseHttpPath = true\n",
    )
    .unwrap();
    let o = doctor(&w, &git, &outside, &[]);
    let gone = report(&o);
    assert_eq!(status(&gone, "git.helper"), "fail", "{gone:#}");
    assert_eq!(code(&o), 1);
}

/// Text from the environment with escapes in it never reaches the terminal
/// raw; a held profiles lock is reported. No keyring is needed: the store
/// points at a bus that does not exist (never the developer's own).
#[test]
fn hostile_settings_are_shown_escaped_and_a_held_lock_warns() {
    let git = GitHome::new();
    let config = tempfile::tempdir().unwrap();
    let pf = bbtoken::store::ProfileFile::at(config.path().to_path_buf());
    let guard = pf.lock().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_bbtoken"));
    c.args(["doctor", "--offline"]);
    git.apply(&mut c);
    let o = c
        .current_dir(git.outside())
        .env("BBTOKEN_CONFIG_DIR", config.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/bbtoken-doctor-bus",
        )
        .env_remove("BBTOKEN_STORE")
        .env("BBTOKEN_KEYRING_TIMEOUT", "2")
        .env("BBTOKEN_CLIPBOARD", "\u{1b}]52;c;aGk=\u{7}\u{1b}[2J")
        .env("TERM", "xterm\u{1b}]0;owned\u{7}")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    drop(guard);
    let out = stdout(&o);
    assert!(
        !o.stdout.contains(&0x1b) && !o.stdout.contains(&0x07),
        "{out:?}"
    );
    assert!(out.contains("\\u{1b}]52;c;aGk="), "{out}");
    assert!(out.contains("warn  profiles.lock"), "{out}");
    assert!(out.contains("skip  api.request        --offline"), "{out}");
    assert!(out.contains("fail  store"), "{out}");
    assert_eq!(code(&o), 1);
}

#[test]
fn usage_errors_exit_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_bbtoken"))
        .args(["doctor", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
}

/// In Japanese the findings and remedies are Japanese on the screen, and the
/// JSON scripts read stays English.
#[test]
fn findings_are_said_in_japanese_and_json_stays_english() {
    let Some(w) = World::start("findings_are_said_in_japanese_and_json_stays_english") else {
        return;
    };
    let git = GitHome::new();
    let run = |json: bool| {
        let mut c = w.cmd(if json {
            &["doctor", "--json"]
        } else {
            &["doctor"]
        });
        git.apply(&mut c);
        c.env("BBTOKEN_LANG", "ja").current_dir(git.outside());
        c.output().unwrap()
    };
    let o = run(false);
    let text = stdout(&o);
    assert_eq!(code(&o), 0, "{text}{}", stderr(&o));
    for words in [
        // store, api.request, git.helper and its remedy, clock
        "テスト項目の保存・読み戻し・削除",
        "Bitbucket が未認証の相手に返す応答です",
        "認証情報ヘルパーがありません",
        "対処: bbtoken setup-git",
        "と合っています",
    ] {
        assert!(text.contains(words), "{words:?} in\n{text}");
    }
    for english in [
        "stored, read back",
        "a stranger",
        "credential helper for",
        "in step with",
    ] {
        assert!(!text.contains(english), "{english:?} in\n{text}");
    }
    let r = report(&run(true));
    let store = check(&r, "store")["detail"].as_str().unwrap().to_string();
    assert!(store.contains("stored, read back and deleted"), "{store}");
    let helper = check(&r, "git.helper")["remedy"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(helper.starts_with("bbtoken setup-git (or"), "{helper}");
}
