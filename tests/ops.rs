//! The one write path (`bbtoken::ops`) failing half-way, through the CLI
//! (the built binary) and through the TUI's effects, against a real private
//! gnome-keyring (tests/common) and real files.
//!
//! Why: a failure between the keyring write and the file write must leave
//! both as they were, and a remove whose secret cannot be deleted must remove
//! nothing (no orphaned secret, no profile without its secret).

mod common;
#[path = "common/world.rs"]
mod world;

use std::time::Duration;

use bbtoken::bitbucket::{ApiConfig, Client};
use bbtoken::gitcmd::Endpoints;
use bbtoken::profile::{Profile, TokenKind};
use bbtoken::store::profiles::MAX_FILE_SIZE;
use bbtoken::store::{ProfileFile, SecretBackend, SecretStore, StoreError};
use bbtoken::token::{ACCESS_PREFIX, synthesize};
use bbtoken::tui::clipboard::Clipboard;
use bbtoken::tui::effects::{Services, delete};
use bbtoken::validate::Validator;
use world::{World, assert_no_secret_in, code, run_with_stdin, stderr, stdout};

/// A socket path where no bus listens: the keyring is dead.
fn dead_bus(w: &World) -> String {
    format!("unix:path={}", w.keyring.home().join("no-bus").display())
}

fn services(profiles: ProfileFile, secrets: SecretStore) -> Services {
    Services {
        profiles,
        validator: Validator::new(Client::new(ApiConfig::default()).unwrap(), secrets.clone()),
        secrets,
        endpoints: Endpoints::default(),
        clipboard: Clipboard::osc52_only(),
    }
}

/// Issue 10's mutation M1: `remove` with the keyring dead. Exit 2, "nothing
/// was removed", and the profile is still listed; then the TUI's delete, the
/// way effects.rs calls it, does the same.
#[test]
fn remove_with_a_dead_keyring_removes_nothing() {
    let Some(w) = World::start("remove_dead_keyring") else {
        return;
    };
    let token = synthesize(ACCESS_PREFIX, 7);
    w.add_repo_profile("keep", "api", &token);

    let mut cmd = w.cmd(&["remove", "keep"]);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", dead_bus(&w));
    let o = run_with_stdin(cmd, "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was removed"), "{}", stderr(&o));
    let o = w.run(&["list", "--json"], "");
    assert!(stdout(&o).contains("\"keep\""));

    {
        let _env = common::with_bus_address(&dead_bus(&w));
        let secrets =
            SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_secs(5));
        let svc = services(w.profiles(), secrets);
        let n = w.rt.block_on(delete(&svc, "keep")).unwrap_err();
        assert!(n.text.starts_with("Not deleted"), "{n:?}");
        let remedy = n.remedy.clone().unwrap_or_default();
        assert!(remedy.contains("nothing was removed"), "{n:?}");
    }
    assert!(w.profiles().load().unwrap().find("keep").is_some());
    assert_eq!(w.secret("keep").unwrap(), token);

    // With the keyring alive, the same call removes both.
    {
        let _env = w.rt.block_on(w.keyring.in_process()).unwrap();
        let svc = services(
            w.profiles(),
            SecretStore::open(SecretBackend::SecretService),
        );
        w.rt.block_on(delete(&svc, "keep")).unwrap();
    }
    assert!(w.profiles().load().unwrap().find("keep").is_none());
    assert!(matches!(w.secret("keep"), Err(StoreError::Missing { .. })));
}

/// Fills the profiles file (written by bbtoken itself) to `margin` bytes
/// under the size cap: the next change that grows it cannot be written.
fn fill_to_the_cap(file: &ProfileFile, margin: u64) {
    let created = "2026-01-01T00:00:00Z".parse().unwrap();
    let filler = |i: usize| Profile {
        created,
        ..Profile::new(
            &format!("filler{i:06}"),
            TokenKind::Repository,
            "acme",
            Some("api"),
        )
    };
    let size = |file: &ProfileFile| std::fs::metadata(file.path()).unwrap().len();
    let put = |n: usize, note: Option<String>| {
        file.update(|d| {
            d.profiles.retain(|p| !p.name.starts_with("filler"));
            d.profiles.extend((0..n).map(filler));
            if let Some(last) = d.profiles.last_mut() {
                last.note = note;
            }
            Ok::<_, ()>(())
        })
        .unwrap()
        .unwrap();
    };
    put(1, None);
    let one = size(file);
    put(2, None);
    let per = size(file) - one;
    let goal = MAX_FILE_SIZE - margin;
    let mut n = ((goal - one) / per + 1) as usize;
    put(n, None);
    // `note = "…"` costs 10 bytes beyond the note itself.
    if goal - size(file) < 11 {
        n -= 1;
        put(n, None);
    }
    let mut len = (goal - size(file) - 10) as usize;
    put(n, Some("n".repeat(len)));
    let now = size(file);
    if now != goal {
        len = (len as i64 + goal as i64 - now as i64) as usize;
        put(n, Some("n".repeat(len)));
    }
    assert_eq!(size(file), goal);
}

/// The profile write fails after the keyring write (the file would cross
/// its size cap): `add` and `edit --secret` put the keyring back as it was.
#[test]
fn failed_profile_write_puts_the_keyring_back() {
    let Some(w) = World::start("rollback") else {
        return;
    };
    let old = synthesize(ACCESS_PREFIX, 21);
    w.add_repo_profile("victim", "api", &old);
    // An entry with no profile (left by another tool): `add` of that name
    // overwrites it, and must restore it when the add fails.
    w.set_secret("late", "orphan-value");
    fill_to_the_cap(&w.profiles(), 5);
    let before = std::fs::read(w.profiles().path()).unwrap();

    let new = synthesize(ACCESS_PREFIX, 22);
    // A new secret alone changes only state.json; the note grows
    // profiles.toml past its cap, so that write fails after the keyring's.
    let o = w.run(
        &[
            "edit",
            "victim",
            "--secret",
            "--note",
            "a note past the cap",
        ],
        &format!("{new}\n"),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("put back as it was"), "{}", stderr(&o));
    assert_eq!(w.secret("victim").unwrap(), old, "the old token is back");

    let token = synthesize(ACCESS_PREFIX, 23);
    let o = w.run(
        &["add", "late", "-k", "repository", "-w", "acme", "-r", "api"],
        &format!("{token}\n"),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was changed"), "{}", stderr(&o));
    assert_eq!(w.secret("late").unwrap(), "orphan-value");

    assert_eq!(std::fs::read(w.profiles().path()).unwrap(), before);
    assert_no_secret_in(w.config.path(), &[&new, &token]);
}
