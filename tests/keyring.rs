//! The real Secret Service (a private GNOME Keyring on a private session bus,
//! see tests/common) and the kernel keyring, through
//! `bbtoken::store::SecretStore`.
//!
//! Secret Service tests skip with a printed reason when the daemons are not
//! installed, and panic instead when CI is set. The keyutils test runs in a
//! fresh session keyring of its own; it skips (visibly, also in CI) for one
//! reason only: the kernel refuses keyctl itself, as seccomp does in some
//! containers. Any other keyutils failure fails the test. The keyutils store
//! links its keys into the user's persistent keyring (that is how it works);
//! the test uses names unique to the run and removes them.

mod common;

use std::time::{Duration, Instant};

use bbtoken::secret::Secret;
use bbtoken::store::{SecretBackend, SecretStore, StoreError};

fn secret_service() -> SecretStore {
    // Generous: a loaded CI machine must not turn a slow answer into a failure.
    SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_secs(20))
}

#[tokio::test]
async fn set_get_overwrite_delete() {
    let Some(kr) = common::keyring_or_skip("set_get_overwrite_delete") else {
        return;
    };
    let _env = kr.in_process().await.expect("keyring usable in-process");
    let store = secret_service();

    store
        .set("alpha", &Secret::new("first-value"))
        .await
        .unwrap();
    let got = store.get("alpha").await.unwrap();
    assert!(got.expose() == "first-value", "read back {}", got.masked());

    store
        .set("alpha", &Secret::new("second-value"))
        .await
        .unwrap();
    let got = store.get("alpha").await.unwrap();
    assert!(
        got.expose() == "second-value",
        "after overwrite read back {}",
        got.masked()
    );

    // A fresh store (a fresh D-Bus connection) sees the same item: it is in
    // the keyring, not in a cache.
    let again = secret_service().get("alpha").await.unwrap();
    assert!(again.expose() == "second-value", "{}", again.masked());

    assert_eq!(store.delete("alpha").await, Ok(true));
    assert_eq!(
        store.get("alpha").await.unwrap_err(),
        StoreError::Missing {
            profile: "alpha".into()
        }
    );
}

#[tokio::test]
async fn delete_of_missing_entry_is_false() {
    let Some(kr) = common::keyring_or_skip("delete_of_missing_entry_is_false") else {
        return;
    };
    let _env = kr.in_process().await.expect("keyring usable in-process");
    let store = secret_service();
    assert_eq!(store.delete("never-stored").await, Ok(false));
    assert!(matches!(
        store.get("never-stored").await,
        Err(StoreError::Missing { .. })
    ));
    // And a second delete after a real one.
    store.set("once", &Secret::new("v")).await.unwrap();
    assert_eq!(store.delete("once").await, Ok(true));
    assert_eq!(store.delete("once").await, Ok(false));
}

#[tokio::test]
async fn profiles_do_not_collide() {
    let Some(kr) = common::keyring_or_skip("profiles_do_not_collide") else {
        return;
    };
    let _env = kr.in_process().await.expect("keyring usable in-process");
    let store = secret_service();
    // Names that a careless key scheme could confuse.
    let names = ["work", "work-2", "Work", "work/api", "wörk", "w"];
    for (i, name) in names.iter().enumerate() {
        store
            .set(name, &Secret::new(format!("value-{i}")))
            .await
            .unwrap();
    }
    for (i, name) in names.iter().enumerate() {
        let got = store.get(name).await.unwrap();
        assert!(
            got.expose() == format!("value-{i}"),
            "{name} read back {}",
            got.masked()
        );
    }
    assert_eq!(store.delete("work").await, Ok(true));
    for (i, name) in names.iter().enumerate().skip(1) {
        let got = store.get(name).await.unwrap();
        assert!(
            got.expose() == format!("value-{i}"),
            "{name} after deleting another: {}",
            got.masked()
        );
    }
}

#[tokio::test]
async fn long_and_unusual_secrets_survive() {
    let Some(kr) = common::keyring_or_skip("long_and_unusual_secrets_survive") else {
        return;
    };
    let _env = kr.in_process().await.expect("keyring usable in-process");
    let store = secret_service();
    // A real-shaped 192-character access token, and text with quotes and
    // non-ASCII.
    let token = format!("ATCTT3xFfGN0{}=0A1B2C3D", "aZ09_-".repeat(29) + "aZ0_-");
    let odd = "pa\"ss wörd ' \\ ✓";
    store
        .set("long", &Secret::new(token.clone()))
        .await
        .unwrap();
    store.set("odd", &Secret::new(odd)).await.unwrap();
    let a = store.get("long").await.unwrap();
    let b = store.get("odd").await.unwrap();
    assert!(a.expose() == token, "long read back {}", a.masked());
    assert!(b.expose() == odd, "odd read back {}", b.masked());
}

#[tokio::test]
async fn bus_without_secret_service_is_a_clear_error() {
    let bus = match common::Keyring::start_bus_only() {
        Ok(b) => b,
        Err(reason) if common::in_ci() => panic!("cannot start a private bus in CI: {reason}"),
        Err(reason) => {
            common::skip("bus_without_secret_service_is_a_clear_error", &reason);
            return;
        }
    };
    let _env = common::with_bus_address(bus.address());
    let store = secret_service();
    let started = Instant::now();
    let err = store.get("anything").await.unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("no secrets service on the bus: {elapsed:?} to: {err}");
    assert!(
        matches!(err, StoreError::Unavailable { .. }),
        "want Unavailable, got {err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("secret-service"), "{text}");
    assert!(text.contains("BBTOKEN_STORE=keyutils"), "{text}");
    // No-hang bound only; the time is printed above.
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
}

#[tokio::test]
async fn bus_socket_that_does_not_exist_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("unix:path={}", dir.path().join("no-such-bus").display());
    let _env = common::with_bus_address(&address);
    let store = secret_service();
    let started = Instant::now();
    let err = store.get("anything").await.unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("bus socket missing: {elapsed:?} to: {err}");
    assert!(
        matches!(err, StoreError::Unavailable { .. }),
        "want Unavailable, got {err:?}"
    );
    assert!(err.to_string().contains("Secret Service"), "{err}");
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
}

#[tokio::test]
async fn bus_that_never_answers_times_out() {
    // A real unix socket that accepts connections and reads, but never
    // writes a byte: the D-Bus handshake never completes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent-bus");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            let reader = conn.try_clone();
            held.push(conn);
            if let Ok(mut r) = reader {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut r, &mut std::io::sink());
                });
            }
        }
    });
    let _env = common::with_bus_address(&format!("unix:path={}", path.display()));
    let store =
        SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_millis(800));
    let started = Instant::now();
    let err = store.get("anything").await.unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("silent bus: {elapsed:?} to: {err}");
    assert_eq!(
        err,
        StoreError::Timeout {
            backend: "secret-service",
            secs: 1
        }
    );
    assert!(err.to_string().contains("BBTOKEN_STORE=keyutils"), "{err}");
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    // The store stays bounded on later calls too (the connection attempt is
    // still stuck on its thread).
    let started = Instant::now();
    let err = store.set("anything", &Secret::new("v")).await.unwrap_err();
    assert!(matches!(err, StoreError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// Gives the calling thread (and the threads it starts from now on, which is
/// where `SecretStore` runs its calls) a new anonymous session keyring, so the
/// test neither depends on nor touches the session keyring it was started in.
/// In containers the inherited one often belongs to an unmapped user and
/// refuses writes (EACCES), which is what `keyctl session` works around too.
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

#[test]
fn keyutils_round_trip() {
    // The one documented reason to skip, in CI too: the kernel refuses
    // keyctl itself (seccomp in some containers answers EPERM or ENOSYS), so
    // no keyring can be had at all. Anything else that fails is a failure.
    // The test runs in a fresh session keyring of its own, joined on this
    // thread before any store thread is started from it, so the session
    // keyring it inherited is never used.
    if let Err(reason) = join_fresh_session_keyring() {
        common::skip(
            "keyutils_round_trip",
            &format!("the kernel refuses keyctl here (seccomp?): {reason}"),
        );
        return;
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(keyutils_cases());
}

async fn keyutils_cases() {
    let store = SecretStore::open(SecretBackend::Keyutils).with_timeout(Duration::from_secs(20));
    // The kernel keyring is shared by every process of this user: unique names.
    let name = format!("bbtoken-test-{}-a", std::process::id());
    let other = format!("bbtoken-test-{}-b", std::process::id());
    if let Err(e) = store.set(&name, &Secret::new("kernel-value-1")).await {
        panic!("the kernel keyring refused a write in a fresh session keyring: {e:?}");
    }
    store
        .set(&other, &Secret::new("kernel-value-2"))
        .await
        .unwrap();
    let a = store.get(&name).await.unwrap();
    assert!(a.expose() == "kernel-value-1", "{}", a.masked());
    store
        .set(&name, &Secret::new("kernel-value-3"))
        .await
        .unwrap();
    let a = store.get(&name).await.unwrap();
    assert!(a.expose() == "kernel-value-3", "{}", a.masked());
    let b = store.get(&other).await.unwrap();
    assert!(b.expose() == "kernel-value-2", "{}", b.masked());
    assert_eq!(store.delete(&name).await, Ok(true));
    assert_eq!(store.delete(&name).await, Ok(false));
    assert!(matches!(
        store.get(&name).await,
        Err(StoreError::Missing { .. })
    ));
    assert_eq!(store.delete(&other).await, Ok(true));

    // An entry written before bbtoken named its own (the keyring crate's
    // default description `keyring:NAME@bbtoken`) is migrated on read: the
    // new entry holds the secret and the old one is gone.
    let legacy = format!("bbtoken-test-{}-legacy", std::process::id());
    let l = legacy.clone();
    let old_entry = move || {
        use keyring_core::api::CredentialStoreApi;
        linux_keyutils_keyring_store::Store::new()
            .unwrap()
            .build("bbtoken", &l, None)
            .unwrap()
    };
    let e = old_entry.clone();
    tokio::task::spawn_blocking(move || e().set_password("kernel-legacy"))
        .await
        .unwrap()
        .unwrap();
    let got = store.get(&legacy).await.unwrap();
    assert!(got.expose() == "kernel-legacy", "{}", got.masked());
    let e = old_entry.clone();
    let old = tokio::task::spawn_blocking(move || e().get_password())
        .await
        .unwrap();
    assert!(
        matches!(old, Err(keyring_core::Error::NoEntry)),
        "the legacy entry is still there"
    );
    let again = store.get(&legacy).await.unwrap();
    assert!(again.expose() == "kernel-legacy", "{}", again.masked());
    assert_eq!(store.delete(&legacy).await, Ok(true));
    assert_eq!(store.delete(&legacy).await, Ok(false));
}

/// Items written the way other programs write them: same `service` and
/// `username` as bbtoken's, but not bbtoken's.
mod foreign {
    use std::collections::HashMap;

    use keyring_core::api::CredentialStoreApi;
    use secret_service::EncryptionType;
    use secret_service::blocking::SecretService;

    /// Like `secret-tool store --label=... service bbtoken username NAME`.
    pub fn secret_tool_like(name: &str, value: &str) {
        let ss = SecretService::connect(EncryptionType::Dh).unwrap();
        let c = ss.get_default_collection().unwrap();
        c.create_item(
            "someone else's token",
            HashMap::from([
                ("service", "bbtoken"),
                ("username", name),
                ("xdg:schema", "org.freedesktop.Secret.Generic"),
            ]),
            value.as_bytes(),
            false,
            "text/plain",
        )
        .unwrap();
    }

    /// The keyring crate with only service and user, but its own label: two
    /// attributes exactly like old bbtoken's items.
    pub fn keyring_crate_with_label(name: &str, value: &str) {
        let store = zbus_secret_service_keyring_store::Store::new().unwrap();
        let mods = HashMap::from([("label", "another app")]);
        store
            .build("bbtoken", name, Some(&mods))
            .unwrap()
            .set_password(value)
            .unwrap();
    }

    /// Exactly what bbtoken wrote before it marked its items.
    pub fn legacy_bbtoken(name: &str, value: &str) {
        let store = zbus_secret_service_keyring_store::Store::new().unwrap();
        store
            .build("bbtoken", name, None)
            .unwrap()
            .set_password(value)
            .unwrap();
    }

    /// Every item with service=bbtoken and username=NAME: (label, xdg:schema, secret).
    pub fn all(name: &str) -> Vec<(String, Option<String>, String)> {
        let ss = SecretService::connect(EncryptionType::Dh).unwrap();
        let found = ss
            .search_items(HashMap::from([("service", "bbtoken"), ("username", name)]))
            .unwrap();
        let mut out: Vec<_> = found
            .unlocked
            .iter()
            .map(|i| {
                (
                    i.get_label().unwrap(),
                    i.get_attributes().unwrap().get("xdg:schema").cloned(),
                    String::from_utf8(i.get_secret().unwrap()).unwrap(),
                )
            })
            .collect();
        out.sort();
        out
    }
}

#[tokio::test]
async fn foreign_items_are_never_read_overwritten_or_deleted() {
    let Some(kr) = common::keyring_or_skip("foreign_items_are_never_read_overwritten_or_deleted")
    else {
        return;
    };
    let _env = kr.in_process().await.expect("keyring usable in-process");
    // Writes on a blocking thread: the blocking D-Bus client must not run on
    // the runtime's thread.
    tokio::task::spawn_blocking(|| {
        // This order: the keyring crate overwrites any single item with the
        // same service and user, as it would overwrite bbtoken's.
        foreign::keyring_crate_with_label("shared", "foreign-two");
        foreign::secret_tool_like("shared", "foreign-one");
    })
    .await
    .unwrap();
    let before = tokio::task::spawn_blocking(|| foreign::all("shared"))
        .await
        .unwrap();
    assert_eq!(before.len(), 2, "{before:?}");

    let store = secret_service();
    assert_eq!(
        store.get("shared").await.unwrap_err(),
        StoreError::Missing {
            profile: "shared".into()
        }
    );
    assert_eq!(store.delete("shared").await, Ok(false));
    store.set("shared", &Secret::new("ours")).await.unwrap();
    assert!(store.get("shared").await.unwrap().expose() == "ours");
    let during = tokio::task::spawn_blocking(|| foreign::all("shared"))
        .await
        .unwrap();
    assert_eq!(during.len(), 3, "{during:?}");
    assert_eq!(store.delete("shared").await, Ok(true));
    let after = tokio::task::spawn_blocking(|| foreign::all("shared"))
        .await
        .unwrap();
    // Compared by label and secret: gnome-keyring may add
    // xdg:schema=org.freedesktop.Secret.Generic to an item written without
    // one when it next saves the collection (seen in about 1 run in 12), which
    // is the daemon's doing, not bbtoken's.
    let strip = |v: &[(String, Option<String>, String)]| -> Vec<(String, String)> {
        v.iter().map(|(l, _, s)| (l.clone(), s.clone())).collect()
    };
    assert_eq!(strip(&after), strip(&before), "the foreign items changed");
}

#[tokio::test]
async fn legacy_items_are_migrated_not_lost() {
    let Some(kr) = common::keyring_or_skip("legacy_items_are_migrated_not_lost") else {
        return;
    };
    let _env = kr.in_process().await.expect("keyring usable in-process");
    tokio::task::spawn_blocking(|| foreign::legacy_bbtoken("old", "legacy-value"))
        .await
        .unwrap();
    let store = secret_service();
    let got = store.get("old").await.unwrap();
    assert!(got.expose() == "legacy-value", "{}", got.masked());
    // Migrated: one item left, bbtoken's own, with the same secret.
    let items = tokio::task::spawn_blocking(|| foreign::all("old"))
        .await
        .unwrap();
    assert_eq!(
        items,
        vec![(
            "bbtoken: old".to_string(),
            Some("dev.bbtoken.ProfileSecret".to_string()),
            "legacy-value".to_string()
        )]
    );
    // A fresh connection reads it again; remove removes it.
    let again = secret_service().get("old").await.unwrap();
    assert!(again.expose() == "legacy-value");
    assert_eq!(store.delete("old").await, Ok(true));
    assert!(
        tokio::task::spawn_blocking(|| foreign::all("old"))
            .await
            .unwrap()
            .is_empty()
    );

    // A set over a legacy item replaces it with bbtoken's own, so a later
    // remove cannot leave the legacy one behind to come back.
    tokio::task::spawn_blocking(|| foreign::legacy_bbtoken("both", "stale"))
        .await
        .unwrap();
    store.set("both", &Secret::new("new")).await.unwrap();
    let items = tokio::task::spawn_blocking(|| foreign::all("both"))
        .await
        .unwrap();
    assert_eq!(
        items,
        vec![(
            "bbtoken: both".to_string(),
            Some("dev.bbtoken.ProfileSecret".to_string()),
            "new".to_string()
        )]
    );
    assert_eq!(store.delete("both").await, Ok(true));
    assert_eq!(
        store.get("both").await.unwrap_err(),
        StoreError::Missing {
            profile: "both".into()
        }
    );
}
