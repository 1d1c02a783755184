//! `SecretStore::get_many` against the real Secret Service (a private GNOME
//! Keyring, see tests/common): the batch read that validation uses must give
//! exactly what one read per profile gives.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use bbtoken::secret::Secret;
use bbtoken::store::{SecretBackend, SecretStore, StoreError};
use secret_service::EncryptionType;
use secret_service::blocking::SecretService;

fn secret_service() -> SecretStore {
    SecretStore::open(SecretBackend::SecretService).with_timeout(Duration::from_secs(20))
}

/// Like `secret-tool store --label=... service bbtoken username NAME`.
fn foreign_item(name: &str, value: &str) {
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

/// A second item with bbtoken's own attributes for `name` (as a copy made
/// by a keyring tool would be): neither copy may be chosen silently.
fn duplicate_item(name: &str, value: &str) {
    let ss = SecretService::connect(EncryptionType::Dh).unwrap();
    let c = ss.get_default_collection().unwrap();
    c.create_item(
        "a copy",
        HashMap::from([
            ("xdg:schema", "dev.bbtoken.ProfileSecret"),
            ("service", "bbtoken"),
            ("username", name),
        ]),
        value.as_bytes(),
        false,
        "text/plain",
    )
    .unwrap();
}

/// Exactly what bbtoken wrote before it marked its items.
fn legacy_item(name: &str, value: &str) {
    use keyring_core::api::CredentialStoreApi;
    let store = zbus_secret_service_keyring_store::Store::new().unwrap();
    store
        .build("bbtoken", name, None)
        .unwrap()
        .set_password(value)
        .unwrap();
}

#[tokio::test]
async fn batch_of_50_equals_per_item_reads() {
    let Some(kr) = common::keyring_or_skip("batch_of_50_equals_per_item_reads") else {
        return;
    };
    let _env = kr.in_process().await.expect("keyring usable in-process");
    let store = secret_service();

    let names: Vec<String> = (0..50).map(|i| format!("batch-{i:02}")).collect();
    for (i, n) in names.iter().enumerate() {
        store
            .set(n, &Secret::new(format!("value-{i}")))
            .await
            .unwrap();
    }
    tokio::task::spawn_blocking(|| {
        foreign_item("foreign-only", "not-ours");
        legacy_item("legacy-one", "legacy-value");
        duplicate_item("batch-07", "a-copy");
    })
    .await
    .unwrap();

    let mut asked: Vec<&str> = names.iter().map(String::as_str).collect();
    asked.extend(["missing-one", "foreign-only", "legacy-one"]);
    let got = store.get_many(&asked).await;
    assert_eq!(got.len(), asked.len());

    // Two items for one profile: the per-item path's clear error.
    let dup = got["batch-07"].as_ref().unwrap_err();
    assert!(dup.to_string().contains("2 bbtoken items match"), "{dup}");
    for (i, n) in names.iter().enumerate().filter(|(_, n)| *n != "batch-07") {
        let s = got[n].as_ref().unwrap_or_else(|e| panic!("{n}: {e}"));
        assert!(s.expose() == format!("value-{i}"), "{n}: {}", s.masked());
    }
    assert_eq!(
        got["missing-one"].as_ref().unwrap_err(),
        &StoreError::Missing {
            profile: "missing-one".into()
        }
    );
    // A foreign item with the same username is never bbtoken's secret.
    assert_eq!(
        got["foreign-only"].as_ref().unwrap_err(),
        &StoreError::Missing {
            profile: "foreign-only".into()
        }
    );
    // A legacy item is read (and migrated) through the per-item path.
    let legacy = got["legacy-one"].as_ref().unwrap();
    assert!(legacy.expose() == "legacy-value", "{}", legacy.masked());

    // The same as one read per profile.
    for n in &asked {
        match (&got[*n], store.get(n).await) {
            (Ok(a), Ok(b)) => assert!(a.expose() == b.expose(), "{n} differs"),
            (Err(a), Err(b)) => assert_eq!(a, &b, "{n}"),
            (a, b) => panic!("{n}: batch {:?} vs single {:?}", a.is_ok(), b.is_ok()),
        }
    }
}

#[tokio::test]
async fn batch_on_a_bus_without_secret_service_is_a_clear_error() {
    let bus = match common::Keyring::start_bus_only() {
        Ok(b) => b,
        Err(reason) if common::in_ci() => panic!("cannot start a private bus in CI: {reason}"),
        Err(reason) => {
            common::skip("batch_on_a_bus_without_secret_service", &reason);
            return;
        }
    };
    let _env = common::with_bus_address(bus.address());
    let got = secret_service().get_many(&["a", "b"]).await;
    for n in ["a", "b"] {
        let e = got[n].as_ref().unwrap_err();
        assert!(matches!(e, StoreError::Unavailable { .. }), "{n}: {e}");
    }
}
