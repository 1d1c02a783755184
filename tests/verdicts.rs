//! What validation may and may not conclude, through the built binary and the
//! app's effects, against a private keyring and the fake Bitbucket
//! (tests/common/world.rs):
//!
//! - a credential store that is down is not a verdict on any token: exit 2,
//!   and the saved `valid` survives beside "now: credential store
//!   unavailable", from the CLI and from the app's validation effect;
//! - a bot email that differs from the id in the clone link is flagged;
//! - a token of the wrong kind is refused at add unless --force;
//! - a rotation checks the new token before it replaces the old one.

mod common;
#[path = "common/world.rs"]
mod world;

use std::time::Duration;

use bbtoken::app::{Action, Effect};
use bbtoken::bitbucket::{ApiConfig, Client};
use bbtoken::fakebb::Quirks;
use bbtoken::gitcmd::Endpoints;
use bbtoken::profile::{Profile, Status};
use bbtoken::store::{ProfileFile, SecretBackend, SecretStore};
use bbtoken::token::{ACCESS_PREFIX, API_PREFIX, synthesize};
use bbtoken::tui::clipboard::Clipboard;
use bbtoken::tui::effects::{Msg, Services};
use bbtoken::validate::Validator;
use world::{World, code, stderr, stdout};

const BOT: &str = "52c16467c5f19101ff2061cc@bots.bitbucket.org";

fn add(w: &World, name: &str, token: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["add", name, "-k", "repository", "-w", "acme", "-r", "api"];
    args.extend_from_slice(extra);
    w.run(&args, &format!("{token}\n"))
}

fn dead_bus(w: &World) -> String {
    format!("unix:path={}", w.keyring.home().join("no-bus").display())
}

fn run_dead(w: &World, args: &[&str]) -> std::process::Output {
    let mut c = w.cmd(args);
    c.env("DBUS_SESSION_BUS_ADDRESS", dead_bus(w))
        .env("BBTOKEN_KEYRING_TIMEOUT", "3");
    world::run_with_stdin(c, "")
}

fn saved(w: &World, name: &str) -> Profile {
    ProfileFile::at(w.config.path().to_path_buf())
        .load()
        .unwrap()
        .find(name)
        .cloned()
        .unwrap()
}

fn services(w: &World, secrets: SecretStore) -> Services {
    let api = ApiConfig {
        base: w.fake.api_url(),
        ..ApiConfig::default()
    };
    Services {
        profiles: ProfileFile::at(w.config.path().to_path_buf()),
        validator: Validator::new(Client::new(api).unwrap(), secrets.clone()),
        secrets,
        endpoints: Endpoints::default(),
        clipboard: Clipboard::osc52_only(),
    }
}

/// Runs one effect the way the app does and collects what it sends back
/// until it is done (the sender is dropped when the task ends).
fn run_effect(w: &World, svc: &Services, effect: Effect) -> Vec<Action> {
    w.rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        bbtoken::tui::effects::spawn(svc, effect, tx);
        let mut got = Vec::new();
        while let Some(m) = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("the effect ends")
        {
            if let Msg::Action(a) = m {
                got.push(a);
            }
        }
        got
    })
}

/// Issue 10 A1: with the keyring gone, `validate` exits 2 (README: credential
/// store error), says it is no verdict, and the saved `valid` is kept and
/// shown beside the store error by `list`, `show` and `validate`. Then the
/// app's start-up validation over the same dead keyring keeps it too.
#[test]
fn a_dead_keyring_is_no_verdict_and_keeps_the_last_one() {
    let Some(w) = World::start("dead_keyring_no_verdict") else {
        return;
    };
    let names = ["one", "two", "three", "four", "five"];
    for (i, n) in names.iter().enumerate() {
        let t = w.repo_token(300 + i as u32, "api", Quirks::default());
        let o = add(&w, n, &t, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let o = w.run(&["validate"], "");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));

    let o = run_dead(&w, &["validate"]);
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("not a verdict"), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("last checked valid just now · now: credential store unavailable"),
        "{}",
        stdout(&o)
    );
    for n in names {
        let p = saved(&w, n);
        assert_eq!(p.last_validation.unwrap().status, Status::StoreError);
        assert_eq!(p.last_conclusive.unwrap().status, Status::Valid, "{n}");
    }
    let o = w.run(&["list"], "");
    assert!(
        stdout(&o).contains("✓ valid · now: credential store unavailable"),
        "{}",
        stdout(&o)
    );
    let o = run_dead(&w, &["show", "one"]);
    assert!(
        stdout(&o).contains("last checked valid just now · now: credential store unavailable"),
        "{}",
        stdout(&o)
    );
    // The repository facts learned while valid stay visible.
    assert!(stdout(&o).contains("acme/api · private"), "{}", stdout(&o));
    let o = run_dead(&w, &["validate", "--json"]);
    assert_eq!(code(&o), 2);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows[0]["status"], "store_error");
    assert_eq!(rows[0]["last_conclusive"]["status"], "valid");

    // A bad token and a dead store: the dead store wins (exit 2), as the
    // README says.
    // The app: its start-up validation of every profile, keyring dead.
    let profiles = ProfileFile::at(w.config.path().to_path_buf())
        .load()
        .unwrap()
        .profiles;
    let actions = {
        let _env = common::with_bus_address(&dead_bus(&w));
        let secrets =
            SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_secs(5));
        run_effect(&w, &services(&w, secrets), Effect::Validate(profiles))
    };
    let validated = actions
        .iter()
        .filter(|a| {
            matches!(a, Action::Validated { outcome, .. } if outcome.status == Status::StoreError)
        })
        .count();
    assert_eq!(validated, 5);
    for n in names {
        let p = saved(&w, n);
        assert_eq!(p.last_validation.unwrap().status, Status::StoreError);
        assert_eq!(p.last_conclusive.unwrap().status, Status::Valid, "{n}");
    }
}

/// The exit rule when some tokens are invalid and others cannot be read:
/// 2, because the verdict is incomplete.
#[test]
fn store_error_beside_an_invalid_token_exits_2() {
    let Some(w) = World::start("store_error_beside_invalid") else {
        return;
    };
    let good = w.repo_token(320, "api", Quirks::default());
    assert_eq!(code(&add(&w, "good", &good, &[])), 0);
    // Not known to the fake: invalid.
    let unknown = synthesize(ACCESS_PREFIX, 321);
    assert_eq!(code(&add(&w, "bad", &unknown, &[])), 0);
    let o = w.run(&["validate"], "");
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    // A profile whose secret is gone: a store error for that one only.
    let mut file = ProfileFile::at(w.config.path().to_path_buf());
    let mut orphan = saved(&w, "good");
    orphan.name = "orphan".into();
    file.update(|d| {
        d.profiles.push(orphan);
        Ok::<_, ()>(())
    })
    .unwrap()
    .unwrap();
    let _ = &mut file;
    let o = w.run(&["validate"], "");
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("invalid"), "{}", stdout(&o));
}

/// Issue 10 A3: a bot email whose id differs from the clone link's is
/// flagged by `validate` and `show`, which say to trust the token's page.
#[test]
fn bot_email_mismatch_is_flagged() {
    let Some(w) = World::start("bot_email_mismatch") else {
        return;
    };
    let t = w.repo_token(330, "api", Quirks::default());
    let wrong = "0123456789abcdef01234567@bots.bitbucket.org";
    let o = add(&w, "ci", &t, &["--bot-email", wrong]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = w.run(&["validate", "ci"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("trust the token's page"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains(BOT), "{}", stdout(&o));
    let o = w.run(&["show", "ci"], "");
    assert!(
        stdout(&o).contains("trust the token's page"),
        "{}",
        stdout(&o)
    );
    let o = w.run(&["validate", "ci", "--json"], "");
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let said = rows[0]["bot_email_mismatch"].as_str().unwrap();
    assert!(said.contains(wrong) && said.contains("trust the token's page"));
    // Scripts read it: the same English in a Japanese locale.
    let ja = w
        .cmd(&["validate", "ci", "--json"])
        .env("BBTOKEN_LANG", "ja")
        .output()
        .unwrap();
    let ja: serde_json::Value = serde_json::from_slice(&ja.stdout).unwrap();
    assert_eq!(ja[0]["bot_email_mismatch"].as_str(), Some(said));
    // Fixed: no warning.
    let o = w.run(&["edit", "ci", "--bot-email", BOT], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = w.run(&["show", "ci"], "");
    assert!(
        !stdout(&o).contains("trust the token's page"),
        "{}",
        stdout(&o)
    );
    let o = w.run(&["validate", "ci"], "");
    assert!(
        !stdout(&o).contains("trust the token's page"),
        "{}",
        stdout(&o)
    );
}

/// The secret stored under `name` in the private keyring, read through
/// bbtoken's own store.
fn keyring_secret(w: &World, name: &str) -> Option<String> {
    let _env = w.rt.block_on(w.keyring.in_process()).unwrap();
    let store = SecretStore::open(SecretBackend::SecretService);
    w.rt.block_on(store.get(name))
        .ok()
        .map(|s| s.expose().to_string())
}

/// Issue 10 A4: an API token added as a repository token is refused (exit 2,
/// nothing stored) with the advice to change the kind; --force stores it.
/// The reverse (an access token as --kind api) likewise.
#[test]
fn kind_mismatch_is_refused_unless_forced() {
    let Some(w) = World::start("kind_mismatch_refused") else {
        return;
    };
    let api = synthesize(API_PREFIX, 340);
    let o = add(&w, "mixed", &api, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--kind api --email"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("create a new"), "{}", stderr(&o));
    assert_eq!(keyring_secret(&w, "mixed"), None);
    let o = w.run(&["list", "--json"], "");
    assert_eq!(stdout(&o).trim(), "[]");
    let o = add(&w, "mixed", &api, &["--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("warning:"), "{}", stderr(&o));
    assert_eq!(keyring_secret(&w, "mixed").as_deref(), Some(api.as_str()));
    // Validated as the wrong kind, it fails with the same advice, not "create
    // a new repository access token".
    let o = w.run(&["validate", "mixed"], "");
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("--kind api --email"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("create a new"), "{}", stdout(&o));

    let access = synthesize(ACCESS_PREFIX, 341);
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
            "a@example.com",
        ],
        &format!("{access}\n"),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--kind repository, project or workspace"),
        "{}",
        stderr(&o)
    );
    // The same rule for a new token given to edit.
    let good = w.repo_token(342, "api", Quirks::default());
    assert_eq!(code(&add(&w, "ci", &good, &[])), 0);
    let o = w.run(&["edit", "ci", "--secret"], &format!("{api}\n"));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(keyring_secret(&w, "ci").as_deref(), Some(good.as_str()));
}

/// Issue 10 A5: `edit --secret --validate` checks the new token first. One
/// Bitbucket refuses leaves the old token in the real keyring (exit 1, says
/// --force); --force replaces it; a good one replaces it and is recorded.
#[test]
fn rotation_checks_the_new_token_first() {
    let Some(w) = World::start("rotation_checks_first") else {
        return;
    };
    let old = w.repo_token(350, "api", Quirks::default());
    assert_eq!(code(&add(&w, "ci", &old, &["--validate"])), 0);
    let before = saved(&w, "ci");
    let bad = synthesize(ACCESS_PREFIX, 351);
    let o = w.run(
        &["edit", "ci", "--secret", "--validate", "--note", "rotated"],
        &format!("{bad}\n"),
    );
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("invalid 401"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("the old token is kept"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&bad[12..40]));
    assert_eq!(keyring_secret(&w, "ci").as_deref(), Some(old.as_str()));
    assert_eq!(saved(&w, "ci"), before, "the profile is untouched");
    let o = w.run(&["validate", "ci"], "");
    assert_eq!(code(&o), 0, "the old token still works: {}", stdout(&o));

    // A good new token: checked, stored, and its outcome recorded.
    let new = w.repo_token(352, "api", Quirks::default());
    let o = w.run(
        &["edit", "ci", "--secret", "--validate"],
        &format!("{new}\n"),
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("checked first"), "{}", stderr(&o));
    assert_eq!(keyring_secret(&w, "ci").as_deref(), Some(new.as_str()));
    let p = saved(&w, "ci");
    assert_eq!(p.last_validation.unwrap().status, Status::Valid);
    assert_eq!(p.revision, before.revision + 1);

    // --force replaces even with a failing token.
    let o = w.run(
        &["edit", "ci", "--secret", "--validate", "--force"],
        &format!("{bad}\n"),
    );
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(keyring_secret(&w, "ci").as_deref(), Some(bad.as_str()));
    assert_eq!(
        saved(&w, "ci").last_validation.unwrap().status,
        Status::Invalid
    );
}

/// Issue 10 A8: `edit NAME` with nothing to change says so, and does not
/// claim "Updated".
#[test]
fn edit_with_nothing_to_change_says_so() {
    let Some(w) = World::start("edit_nothing") else {
        return;
    };
    let t = w.repo_token(360, "api", Quirks::default());
    assert_eq!(code(&add(&w, "ci", &t, &["--note", "x"])), 0);
    let before = std::fs::read(w.config.path().join("profiles.toml")).unwrap();
    let o = w.run(&["edit", "ci"], "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing to change"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("Updated"), "{}", stderr(&o));
    let o = w.run(&["edit", "ci", "--note", "x"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("Nothing to change"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("Updated"), "{}", stderr(&o));
    let after = std::fs::read(w.config.path().join("profiles.toml")).unwrap();
    assert_eq!(before, after);
    let o = w.run(&["edit", "ci", "--note", "y"], "");
    assert!(stderr(&o).contains("Updated ci"), "{}", stderr(&o));
}
