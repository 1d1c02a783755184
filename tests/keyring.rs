//! The real Secret Service (a private GNOME Keyring) and the kernel keyring,
//! through `bbtoken::store::SecretStore`.

mod common;

use bbtoken::secret::Secret;
use bbtoken::store::{SecretBackend, SecretStore};

#[tokio::test]
async fn harness_smoke() {
    let Some(kr) = common::keyring_or_skip("harness_smoke") else {
        return;
    };
    let _env = kr.in_process().await.expect("in-process keyring");
    let store = SecretStore::open(SecretBackend::SecretService);
    store.set("p", &Secret::new("value-one")).await.unwrap();
    assert_eq!(store.get("p").await.unwrap().expose(), "value-one");
}
