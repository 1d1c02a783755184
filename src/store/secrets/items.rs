//! bbtoken's own items in the Secret Service, and the migration of items it
//! wrote before it marked them.
//!
//! Earlier bbtoken (through the keyring crate) filed a secret as an item with
//! exactly the attributes `service=bbtoken`, `username=NAME` and the label
//! `keyring:NAME@bbtoken`. Any other program could write an item with those
//! two attributes (`secret-tool store service bbtoken username NAME`), and
//! bbtoken read and deleted it as its own. Now bbtoken's items also carry
//! `xdg:schema=dev.bbtoken.ProfileSecret` (the libsecret convention for "items
//! of my schema"; `secret-tool` writes `org.freedesktop.Secret.Generic`), and
//! every lookup requires it. `service` and `username` are kept so that
//! `secret-tool lookup service bbtoken username NAME` still finds them.
//!
//! A legacy item is migrated (copied to a new item, then deleted) when the new
//! one is missing. An item counts as legacy only when its attributes are
//! exactly `service` and `username` (plus the generic `xdg:schema` the daemon
//! may add) and its label is `keyring:NAME@bbtoken`: what the keyring crate
//! writes. Anything else with `service=bbtoken` is
//! foreign and never read, overwritten or deleted. A foreign program that
//! used the keyring crate with service "bbtoken" cannot be told apart from
//! old bbtoken, and is migrated.

use std::collections::HashMap;

use futures_util::StreamExt;
use secret_service::blocking::{Item, SecretService};
use secret_service::{EncryptionType, Error as SsError};
use zeroize::Zeroize;

use super::{SERVICE, SecretBackend, StoreError, locked_hint, unavailable_hint};
use crate::secret::Secret;

/// The schema attribute that marks bbtoken's items.
pub(crate) const SCHEMA: &str = "dev.bbtoken.ProfileSecret";
const SCHEMA_KEY: &str = "xdg:schema";
/// The schema the daemon gives items written without one.
const GENERIC_SCHEMA: &str = "org.freedesktop.Secret.Generic";
const BACKEND: SecretBackend = SecretBackend::SecretService;

/// The attributes of bbtoken's item for `profile`.
pub(crate) fn owned_attributes(profile: &str) -> HashMap<&str, &str> {
    HashMap::from([
        (SCHEMA_KEY, SCHEMA),
        ("service", SERVICE),
        ("username", profile),
    ])
}

/// The label an item gets: what keyring UIs show.
fn label(profile: &str) -> String {
    format!("bbtoken: {profile}")
}

/// Whether an item with these attributes and label is one that bbtoken
/// wrote before it marked its items (see the module doc).
pub(crate) fn is_legacy(profile: &str, attributes: &HashMap<String, String>, label: &str) -> bool {
    // gnome-keyring adds `xdg:schema=org.freedesktop.Secret.Generic` to an
    // item written without a schema when it next saves the collection (seen
    // in tests, about 1 run in 12), so an old bbtoken item on a real disk
    // usually has it: it is allowed, and the label tells the items apart.
    let generic = attributes.get(SCHEMA_KEY).map(String::as_str);
    let expected = if generic.is_some() { 3 } else { 2 };
    attributes.len() == expected
        && matches!(generic, None | Some(GENERIC_SCHEMA))
        && attributes.get("service").map(String::as_str) == Some(SERVICE)
        && attributes.get("username").map(String::as_str) == Some(profile)
        && label == format!("keyring:{profile}@{SERVICE}")
}

/// The connection, made on first use and dropped after a bus failure so the
/// next call reconnects.
#[derive(Default)]
pub(crate) struct SecretServiceItems {
    conn: Option<SecretService<'static>>,
    /// The batch reader: an async connection, so that many D-Bus calls are
    /// in flight at once on it, driven by a small runtime of this thread.
    batch: Option<(
        tokio::runtime::Runtime,
        secret_service::SecretService<'static>,
    )>,
}

/// How many reads of a batch are in flight on the bus at once.
const BATCH_IN_FLIGHT: usize = 256;

impl SecretServiceItems {
    fn conn(&mut self) -> Result<&SecretService<'static>, StoreError> {
        if self.conn.is_none() {
            let c = SecretService::connect(EncryptionType::Dh).map_err(|e| to_store_error(&e))?;
            self.conn = Some(c);
        }
        Ok(self.conn.as_ref().expect("connected above"))
    }

    /// Runs `f` on the connection; drops the connection when the bus failed.
    fn with<T>(
        &mut self,
        f: impl FnOnce(&SecretService<'static>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let result = f(self.conn()?);
        if matches!(result, Err(StoreError::Unavailable { .. })) {
            self.conn = None;
        }
        result
    }

    pub fn get(&mut self, profile: &str) -> Result<Secret, StoreError> {
        self.with(|ss| {
            if let Some(item) = one_owned(ss, profile)? {
                return read(&item, profile);
            }
            let Some(old) = legacy(ss, profile)? else {
                return Err(StoreError::Missing {
                    profile: profile.into(),
                });
            };
            let secret = read(&old, profile)?;
            // Migrate: the new item first, so a failure loses nothing. A
            // failed migration does not fail the read; the next one retries.
            if create(ss, profile, &secret).is_ok() {
                let _ = old.delete();
            }
            Ok(secret)
        })
    }

    /// Reads the secrets of many profiles: their lookups and reads are
    /// pipelined on one connection instead of one round trip after another.
    /// Whatever the batch could not read plainly (no item, a locked or
    /// duplicated item, a legacy item to migrate, an error) is read again
    /// through [`Self::get`], which gives the clear error or migrates.
    pub fn get_many(&mut self, profiles: &[String]) -> HashMap<String, Result<Secret, StoreError>> {
        let mut fast = match self.read_batch(profiles) {
            Ok(found) => found,
            // No connection at all: every read would fail the same way.
            Err(e @ StoreError::Unavailable { .. }) => {
                return profiles
                    .iter()
                    .map(|p| (p.clone(), Err(e.clone())))
                    .collect();
            }
            Err(_) => HashMap::new(),
        };
        profiles
            .iter()
            .map(|p| {
                let got = match fast.remove(p) {
                    Some(secret) => Ok(secret),
                    None => self.get(p),
                };
                (p.clone(), got)
            })
            .collect()
    }

    /// The plain reads of a batch: a profile is in the answer only when it
    /// has exactly one unlocked bbtoken item whose secret is text.
    fn read_batch(&mut self, profiles: &[String]) -> Result<HashMap<String, Secret>, StoreError> {
        if self.batch.is_none() {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::Failed {
                    backend: BACKEND.name(),
                    detail: format!("cannot start the batch reader: {e}"),
                })?;
            let ss = rt
                .block_on(secret_service::SecretService::connect(EncryptionType::Dh))
                .map_err(|e| to_store_error(&e))?;
            self.batch = Some((rt, ss));
        }
        let (rt, ss) = self.batch.as_ref().expect("connected above");
        let mut bus_failed = false;
        let reads: Vec<Result<Option<(String, Secret)>, StoreError>> = rt.block_on(
            futures_util::stream::iter(profiles)
                .map(|profile| async move {
                    let found = ss
                        .search_items(owned_attributes(profile))
                        .await
                        .map_err(|e| to_store_error(&e))?;
                    if !found.locked.is_empty() || found.unlocked.len() != 1 {
                        return Ok(None);
                    }
                    let bytes = found.unlocked[0]
                        .get_secret()
                        .await
                        .map_err(|e| to_store_error(&e))?;
                    Ok(match String::from_utf8(bytes) {
                        Ok(text) => Some((profile.clone(), Secret::new(text))),
                        Err(e) => {
                            e.into_bytes().zeroize();
                            None
                        }
                    })
                })
                .buffer_unordered(BATCH_IN_FLIGHT)
                .collect(),
        );
        let mut found = HashMap::new();
        for read in reads {
            match read {
                Ok(Some((name, secret))) => {
                    found.insert(name, secret);
                }
                Ok(None) => {}
                Err(StoreError::Unavailable { .. }) => bus_failed = true,
                Err(_) => {}
            }
        }
        if bus_failed {
            // Reconnect next time; the per-item path reads what is left.
            self.batch = None;
        }
        Ok(found)
    }

    pub fn set(&mut self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        self.with(|ss| {
            match one_owned(ss, profile)? {
                Some(item) => item
                    .set_secret(secret.expose().as_bytes(), "text/plain")
                    .map_err(|e| to_store_error(&e))?,
                None => create(ss, profile, secret)?,
            }
            // A legacy item left behind would be migrated back after a remove.
            if let Some(old) = legacy(ss, profile)? {
                old.delete().map_err(|e| to_store_error(&e))?;
            }
            Ok(())
        })
    }

    pub fn delete(&mut self, profile: &str) -> Result<bool, StoreError> {
        self.with(|ss| {
            let mut deleted = false;
            for item in search(ss, owned_attributes(profile))? {
                item.delete().map_err(|e| to_store_error(&e))?;
                deleted = true;
            }
            if let Some(old) = legacy(ss, profile)? {
                old.delete().map_err(|e| to_store_error(&e))?;
                deleted = true;
            }
            Ok(deleted)
        })
    }
}

/// Items matching `attributes`, unlocking locked ones (which may show an
/// unlock prompt; the caller's timeout bounds the wait).
fn search<'a>(
    ss: &'a SecretService<'static>,
    attributes: HashMap<&str, &str>,
) -> Result<Vec<Item<'a>>, StoreError> {
    let found = ss
        .search_items(attributes)
        .map_err(|e| to_store_error(&e))?;
    if !found.locked.is_empty() {
        let refs: Vec<&Item> = found.locked.iter().collect();
        ss.unlock_all(&refs).map_err(|e| to_store_error(&e))?;
    }
    Ok(found.unlocked.into_iter().chain(found.locked).collect())
}

/// bbtoken's item for `profile`, if any; more than one is an error.
fn one_owned<'a>(
    ss: &'a SecretService<'static>,
    profile: &str,
) -> Result<Option<Item<'a>>, StoreError> {
    let mut items = search(ss, owned_attributes(profile))?;
    match items.len() {
        0 => Ok(None),
        1 => Ok(items.pop()),
        n => Err(StoreError::Failed {
            backend: BACKEND.name(),
            detail: format!(
                "{n} bbtoken items match profile {profile:?}; remove the extras with your keyring tool (seahorse, secret-tool)"
            ),
        }),
    }
}

/// The legacy item for `profile` (see [`is_legacy`]), if there is exactly one.
fn legacy<'a>(
    ss: &'a SecretService<'static>,
    profile: &str,
) -> Result<Option<Item<'a>>, StoreError> {
    let mut matching = Vec::new();
    for item in search(
        ss,
        HashMap::from([("service", SERVICE), ("username", profile)]),
    )? {
        let attributes = item.get_attributes().map_err(|e| to_store_error(&e))?;
        let label = item.get_label().map_err(|e| to_store_error(&e))?;
        if is_legacy(profile, &attributes, &label) {
            matching.push(item);
        }
    }
    // Two look-alikes: leave both alone rather than guess.
    Ok(if matching.len() == 1 {
        matching.pop()
    } else {
        None
    })
}

fn read(item: &Item<'_>, profile: &str) -> Result<Secret, StoreError> {
    let bytes = item.get_secret().map_err(|e| to_store_error(&e))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Secret::new(text)),
        Err(e) => {
            e.into_bytes().zeroize();
            Err(StoreError::Failed {
                backend: BACKEND.name(),
                detail: format!(
                    "the stored secret for {profile:?} is not text; store it again with bbtoken edit {profile} --secret"
                ),
            })
        }
    }
}

fn create(ss: &SecretService<'static>, profile: &str, secret: &Secret) -> Result<(), StoreError> {
    let collection = ss
        .get_default_collection()
        .map_err(|e| to_store_error(&e))?;
    collection
        .ensure_unlocked()
        .map_err(|e| to_store_error(&e))?;
    collection
        .create_item(
            &label(profile),
            owned_attributes(profile),
            secret.expose().as_bytes(),
            true,
            "text/plain",
        )
        .map_err(|e| to_store_error(&e))?;
    Ok(())
}

/// In words, never with secret bytes (these errors carry none).
fn to_store_error(e: &SsError) -> StoreError {
    let name = BACKEND.name();
    match e {
        SsError::Locked | SsError::Prompt | SsError::PromptDisconnected => StoreError::Locked {
            backend: name,
            detail: format!("{e}; {}", locked_hint(BACKEND)),
        },
        SsError::Unavailable | SsError::Zbus(_) | SsError::ZbusFdo(_) => StoreError::Unavailable {
            backend: name,
            detail: format!("{e}. {}", unavailable_hint(BACKEND)),
        },
        SsError::NoResult => StoreError::Unavailable {
            backend: name,
            detail: format!(
                "the Secret Service has no default collection (keyring) to store in. {}",
                unavailable_hint(BACKEND)
            ),
        },
        other => StoreError::Failed {
            backend: name,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn legacy_is_exactly_what_the_keyring_crate_wrote() {
        let two = attrs(&[("service", "bbtoken"), ("username", "work")]);
        assert!(is_legacy("work", &two, "keyring:work@bbtoken"));
        // secret-tool: its own label, and an xdg:schema attribute.
        assert!(!is_legacy("work", &two, "my work token"));
        let tool = attrs(&[
            ("service", "bbtoken"),
            ("username", "work"),
            ("xdg:schema", "org.freedesktop.Secret.Generic"),
        ]);
        assert!(!is_legacy("work", &tool, "my work token"));
        // The same attributes with the keyring crate's label: an old bbtoken
        // item that the daemon gave the generic schema on save.
        assert!(is_legacy("work", &tool, "keyring:work@bbtoken"));
        let other_schema = attrs(&[
            ("service", "bbtoken"),
            ("username", "work"),
            ("xdg:schema", "org.example.Other"),
        ]);
        assert!(!is_legacy("work", &other_schema, "keyring:work@bbtoken"));
        assert!(!is_legacy("other", &two, "keyring:work@bbtoken"));
    }

    /// What `secret-tool lookup service bbtoken username NAME` and keyring
    /// UIs rely on: the attributes and the label of bbtoken's item.
    #[test]
    fn owned_items_carry_the_schema_service_and_name() {
        assert_eq!(
            owned_attributes("work"),
            HashMap::from([
                ("xdg:schema", "dev.bbtoken.ProfileSecret"),
                ("service", "bbtoken"),
                ("username", "work"),
            ])
        );
        assert_eq!(label("work"), "bbtoken: work");
    }
}
