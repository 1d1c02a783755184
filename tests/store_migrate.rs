//! `bbtoken store migrate --to BACKEND` through the built binary: from a
//! private GNOME Keyring (tests/common) to the kernel keyring and back, each
//! secret verified before its original is deleted, idempotent, and a failure
//! that leaves the original where it was.
//!
//! The kernel keyring: the test thread first joins a new anonymous session
//! keyring (as `keyctl session` does), and the bbtoken processes it starts
//! inherit it, so nothing depends on the session the tests were started in.
//! The keyutils store also links its entries into the user's persistent
//! keyring: the names here are unique to this run, and the test ends by
//! moving every secret back, which deletes them from the kernel keyring.
//! Skipped (visibly, see common::skip) only when the kernel refuses keyctl,
//! as seccomp does in some containers.

mod common;
#[path = "common/world.rs"]
mod world;

use bbtoken::fakebb::Quirks;
use bbtoken::store::{SecretBackend, SecretStore};
use world::{World, code, stderr, stdout};

/// Joins a fresh anonymous session keyring on this thread; the processes it
/// spawns inherit it.
fn join_fresh_session_keyring() -> Result<(), String> {
    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
    // SAFETY: keyctl(JOIN_SESSION_KEYRING, NULL) takes no pointers but the
    // null name, and only changes this thread's credentials.
    let r = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    };
    if r < 0 {
        Err(format!(
            "keyctl(JOIN_SESSION_KEYRING) failed: {}",
            std::io::Error::last_os_error()
        ))
    } else {
        Ok(())
    }
}

fn secret_service_holds(w: &World, name: &str) -> Option<String> {
    let _env = w.rt.block_on(w.keyring.in_process()).unwrap();
    let store = SecretStore::open(SecretBackend::SecretService);
    w.rt.block_on(store.get(name))
        .ok()
        .map(|s| s.expose().to_string())
}

fn on(w: &World, store: &str, args: &[&str]) -> std::process::Output {
    let mut c = w.cmd(args);
    c.env("BBTOKEN_STORE", store);
    world::run_with_stdin(c, "")
}

#[test]
fn secrets_move_to_keyutils_and_back() {
    if let Err(reason) = join_fresh_session_keyring() {
        common::skip("secrets_move_to_keyutils_and_back", &reason);
        return;
    }
    let Some(w) = World::start("secrets_move_to_keyutils_and_back") else {
        return;
    };
    let pid = std::process::id();
    let (a, b) = (format!("mig-a-{pid}"), format!("mig-b-{pid}"));
    let (ta, tb) = (
        w.repo_token(400, "api", Quirks::default()),
        w.repo_token(401, "api", Quirks::default()),
    );
    for (n, t) in [(&a, &ta), (&b, &tb)] {
        let o = w.run(
            &["add", n, "-k", "repository", "-w", "acme", "-r", "api"],
            &format!("{t}\n"),
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    // Before: keyutils has nothing, so validate there is a store error (2).
    let o = on(&w, "keyutils", &["validate"]);
    if stdout(&o).contains("not available") || stderr(&o).contains("not available") {
        common::skip(
            "secrets_move_to_keyutils_and_back",
            &format!("the kernel keyring is not usable here: {}", stdout(&o)),
        );
        return;
    }
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));

    let o = w.run(&["store", "migrate", "--to", "keyutils"], "");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o).matches("read back and verified").count(), 2);
    assert!(stderr(&o).contains("export BBTOKEN_STORE=keyutils"));
    assert!(!stdout(&o).contains(&ta[12..30]) && !stderr(&o).contains(&ta[12..30]));
    assert_eq!(secret_service_holds(&w, &a), None, "the original is gone");
    let o = on(&w, "keyutils", &["validate"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));

    // Idempotent.
    let o = w.run(&["store", "migrate", "--to", "keyutils"], "");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o).matches("already in keyutils").count(), 2);

    // A target that cannot be reached: nothing moves, the originals stay.
    let mut c = w.cmd(&["store", "migrate", "--to", "secret-service"]);
    c.env("BBTOKEN_STORE", "keyutils")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", w.keyring.home().join("no-bus").display()),
        )
        .env("BBTOKEN_KEYRING_TIMEOUT", "3");
    let o = world::run_with_stdin(c, "");
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o).matches("not moved").count(), 2, "{}", stdout(&o));
    assert!(stderr(&o).contains("still in keyutils"), "{}", stderr(&o));
    let o = on(&w, "keyutils", &["validate"]);
    assert_eq!(code(&o), 0, "the originals stay: {}", stdout(&o));

    // Same store: refused.
    let o = on(&w, "keyutils", &["store", "migrate", "--to", "keyutils"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("already in keyutils"), "{}", stderr(&o));

    // And back: the kernel keyring is left empty.
    let o = on(
        &w,
        "keyutils",
        &["store", "migrate", "--to", "secret-service"],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(secret_service_holds(&w, &a).as_deref(), Some(ta.as_str()));
    assert_eq!(secret_service_holds(&w, &b).as_deref(), Some(tb.as_str()));
    let o = on(&w, "keyutils", &["show", &a]);
    assert!(stdout(&o).contains("no secret is stored"), "{}", stdout(&o));
    let o = w.run(&["validate"], "");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
}
