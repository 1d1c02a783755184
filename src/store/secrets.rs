//! Secrets in the OS credential store, every call bounded by a timeout.
//!
//! A locked or absent Secret Service can block a D-Bus call forever, so each
//! call runs on its own thread and the caller waits at most the timeout. The
//! thread is detached: a call that never returns cannot hold up the process's
//! exit (tokio's `spawn_blocking` would make runtime shutdown wait for it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyring_core::CredentialStore;

use crate::secret::Secret;

/// The service name under which every bbtoken secret is filed.
pub const SERVICE: &str = "bbtoken";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which credential store holds the secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretBackend {
    /// Secret Service over D-Bus (GNOME Keyring, KWallet, KeePassXC): Linux default.
    SecretService,
    /// The Linux kernel keyring: survives logout, not reboot.
    Keyutils,
    /// macOS Keychain or Windows Credential Manager.
    Native,
    /// Process memory only: the demo and tests. Not selectable by the user.
    Memory,
}

impl SecretBackend {
    pub fn name(self) -> &'static str {
        match self {
            SecretBackend::SecretService => "secret-service",
            SecretBackend::Keyutils => "keyutils",
            SecretBackend::Native => "native",
            SecretBackend::Memory => "memory",
        }
    }

    /// `BBTOKEN_STORE`, else the platform's usual store.
    pub fn from_env() -> Result<SecretBackend, StoreError> {
        match std::env::var("BBTOKEN_STORE").ok().as_deref() {
            None | Some("") => Ok(if cfg!(target_os = "linux") {
                SecretBackend::SecretService
            } else {
                SecretBackend::Native
            }),
            Some("secret-service") if cfg!(target_os = "linux") => Ok(SecretBackend::SecretService),
            Some("keyutils") if cfg!(target_os = "linux") => Ok(SecretBackend::Keyutils),
            Some("native" | "keychain" | "windows") if !cfg!(target_os = "linux") => {
                Ok(SecretBackend::Native)
            }
            Some(other) => Err(StoreError::Unavailable {
                backend: "BBTOKEN_STORE",
                detail: format!(
                    "{other:?} is not a credential store bbtoken knows on this system; use {}",
                    if cfg!(target_os = "linux") {
                        "secret-service or keyutils"
                    } else {
                        "native"
                    }
                ),
            }),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error(
        "the {backend} credential store did not answer within {secs} s: it may be locked and waiting for a password prompt that cannot show here. Unlock your keyring (log in to the desktop session, or run gnome-keyring-daemon --unlock), or choose another store with BBTOKEN_STORE=keyutils"
    )]
    Timeout { backend: &'static str, secs: u64 },
    #[error("the {backend} credential store is not available: {detail}")]
    Unavailable {
        backend: &'static str,
        detail: String,
    },
    #[error("the {backend} credential store refused access: {detail}")]
    Locked {
        backend: &'static str,
        detail: String,
    },
    #[error(
        "no secret is stored for profile {profile:?}: run bbtoken edit {profile} --secret to store one"
    )]
    Missing { profile: String },
    #[error("the {backend} credential store failed: {detail}")]
    Failed {
        backend: &'static str,
        detail: String,
    },
}

enum Inner {
    Keyring {
        backend: SecretBackend,
        /// The connection, once made. A failed attempt is not kept: the user
        /// may start or unlock the keyring and try again in the same session.
        store: Mutex<Option<Arc<CredentialStore>>>,
    },
    Memory(Mutex<HashMap<String, String>>),
}

/// The secret store. Cheap to clone; safe to share across tasks.
#[derive(Clone)]
pub struct SecretStore {
    inner: Arc<Inner>,
    timeout: Duration,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretStore({})", self.backend().name())
    }
}

impl SecretStore {
    /// A store on the given backend; it connects on first use.
    pub fn open(backend: SecretBackend) -> SecretStore {
        if backend == SecretBackend::Memory {
            return SecretStore::memory();
        }
        SecretStore {
            inner: Arc::new(Inner::Keyring {
                backend,
                store: Mutex::new(None),
            }),
            timeout: timeout_from_env(),
        }
    }

    /// The store chosen by `BBTOKEN_STORE`.
    pub fn from_env() -> Result<SecretStore, StoreError> {
        Ok(SecretStore::open(SecretBackend::from_env()?))
    }

    /// An in-memory store for the demo and tests: nothing leaves the process.
    pub fn memory() -> SecretStore {
        SecretStore {
            inner: Arc::new(Inner::Memory(Mutex::new(HashMap::new()))),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> SecretStore {
        self.timeout = timeout;
        self
    }

    pub fn backend(&self) -> SecretBackend {
        match &*self.inner {
            Inner::Keyring { backend, .. } => *backend,
            Inner::Memory(_) => SecretBackend::Memory,
        }
    }

    pub async fn get(&self, profile: &str) -> Result<Secret, StoreError> {
        let name = profile.to_string();
        self.call(move |inner| inner.get(&name)).await
    }

    pub async fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        let name = profile.to_string();
        let secret = secret.clone();
        self.call(move |inner| inner.set(&name, &secret)).await
    }

    /// Removes the secret; `Ok(false)` when there was none.
    pub async fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        let name = profile.to_string();
        self.call(move |inner| inner.delete(&name)).await
    }

    async fn call<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Inner) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("bbtoken-keyring".into())
            .spawn(move || {
                let _ = tx.send(op(&inner));
            })
            .map_err(|e| StoreError::Failed {
                backend: self.backend().name(),
                detail: format!("cannot start a thread: {e}"),
            })?;
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(StoreError::Failed {
                backend: self.backend().name(),
                detail: "the credential store call stopped unexpectedly".into(),
            }),
            Err(_) => Err(StoreError::Timeout {
                backend: self.backend().name(),
                secs: self.timeout.as_secs().max(1),
            }),
        }
    }
}

fn timeout_from_env() -> Duration {
    std::env::var("BBTOKEN_KEYRING_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && *s < 3600.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_TIMEOUT)
}

impl Inner {
    fn keyring(&self) -> Result<(SecretBackend, Arc<CredentialStore>), StoreError> {
        match self {
            Inner::Keyring { backend, store } => {
                let mut slot = store.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(s) = slot.as_ref() {
                    return Ok((*backend, s.clone()));
                }
                let s = connect(*backend)?;
                *slot = Some(s.clone());
                Ok((*backend, s))
            }
            Inner::Memory(_) => unreachable!("memory store has no keyring"),
        }
    }

    fn entry(&self, profile: &str) -> Result<(SecretBackend, keyring_core::Entry), StoreError> {
        let (backend, store) = self.keyring()?;
        let entry = store
            .build(SERVICE, profile, None)
            .map_err(|e| map_error(backend, profile, e))?;
        Ok((backend, entry))
    }

    fn get(&self, profile: &str) -> Result<Secret, StoreError> {
        if let Inner::Memory(m) = self {
            return m
                .lock()
                .expect("memory store lock")
                .get(profile)
                .map(|s| Secret::new(s.clone()))
                .ok_or_else(|| StoreError::Missing {
                    profile: profile.into(),
                });
        }
        let (backend, entry) = self.entry(profile)?;
        entry
            .get_password()
            .map(Secret::new)
            .map_err(|e| map_error(backend, profile, e))
    }

    fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        if let Inner::Memory(m) = self {
            m.lock()
                .expect("memory store lock")
                .insert(profile.into(), secret.expose().into());
            return Ok(());
        }
        let (backend, entry) = self.entry(profile)?;
        entry
            .set_password(secret.expose())
            .map_err(|e| map_error(backend, profile, e))
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        if let Inner::Memory(m) = self {
            return Ok(m
                .lock()
                .expect("memory store lock")
                .remove(profile)
                .is_some());
        }
        let (backend, entry) = self.entry(profile)?;
        match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(backend, profile, e)),
        }
    }
}

fn connect(backend: SecretBackend) -> Result<Arc<CredentialStore>, StoreError> {
    let name = backend.name();
    let unavailable = |e: keyring_core::Error| StoreError::Unavailable {
        backend: name,
        detail: format!("{e}. {}", unavailable_hint(backend)),
    };
    match backend {
        #[cfg(target_os = "linux")]
        SecretBackend::SecretService => zbus_secret_service_keyring_store::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(unavailable),
        #[cfg(target_os = "linux")]
        SecretBackend::Keyutils => linux_keyutils_keyring_store::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(unavailable),
        #[cfg(target_os = "macos")]
        SecretBackend::Native => apple_native_keyring_store::keychain::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(unavailable),
        #[cfg(target_os = "windows")]
        SecretBackend::Native => windows_native_keyring_store::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(unavailable),
        _ => Err(StoreError::Unavailable {
            backend: name,
            detail: "this store is not built for this system".into(),
        }),
    }
}

fn locked_hint(backend: SecretBackend) -> &'static str {
    match backend {
        // Seen in containers and su/ssh shells that inherit a session keyring
        // owned by someone else.
        SecretBackend::Keyutils => {
            "this process cannot use the kernel session keyring it inherited, as happens in containers and su or ssh shells. \
             Run `keyctl new_session` (package keyutils) in this shell and try again, or use BBTOKEN_STORE=secret-service"
        }
        _ => {
            "the keyring is locked: unlock it (log in to the desktop session, or run gnome-keyring-daemon --unlock) and try again"
        }
    }
}

fn unavailable_hint(backend: SecretBackend) -> &'static str {
    match backend {
        SecretBackend::SecretService => {
            "bbtoken needs a Secret Service (GNOME Keyring, KWallet or KeePassXC) on the D-Bus session bus. \
             Start one, or run bbtoken with BBTOKEN_STORE=keyutils to use the kernel keyring"
        }
        _ => "check that the system credential store is running",
    }
}

/// Turns a keyring error into words. Never includes secret bytes: the
/// `BadEncoding` variants carry the stored data and are described, not shown.
fn map_error(backend: SecretBackend, profile: &str, e: keyring_core::Error) -> StoreError {
    use keyring_core::Error as E;
    let name = backend.name();
    match e {
        E::NoEntry => StoreError::Missing {
            profile: profile.into(),
        },
        E::NoStorageAccess(err) => StoreError::Locked {
            backend: name,
            detail: format!("{err}; {}", locked_hint(backend)),
        },
        E::PlatformFailure(err) => StoreError::Unavailable {
            backend: name,
            detail: format!("{err}. {}", unavailable_hint(backend)),
        },
        E::BadEncoding(_) | E::BadDataFormat(..) => StoreError::Failed {
            backend: name,
            detail: format!(
                "the stored secret for {profile:?} is not text; store it again with bbtoken edit {profile} --secret"
            ),
        },
        E::Ambiguous(entries) => StoreError::Failed {
            backend: name,
            detail: format!(
                "{} entries match service {SERVICE:?} and profile {profile:?}; remove the extras with your keyring tool",
                entries.len()
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

    #[tokio::test]
    async fn memory_store_round_trip() {
        let s = SecretStore::memory();
        assert!(matches!(s.get("a").await, Err(StoreError::Missing { .. })));
        s.set("a", &Secret::new("tok")).await.unwrap();
        assert_eq!(s.get("a").await.unwrap().expose(), "tok");
        assert!(s.delete("a").await.unwrap());
        assert!(!s.delete("a").await.unwrap());
    }

    #[test]
    fn refused_access_says_what_to_do_per_store() {
        let denied = || {
            keyring_core::Error::NoStorageAccess(Box::new(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "AccessDenied",
            )))
        };
        let k = map_error(SecretBackend::Keyutils, "p", denied()).to_string();
        assert!(k.contains("keyctl new_session"), "{k}");
        let s = map_error(SecretBackend::SecretService, "p", denied()).to_string();
        assert!(s.contains("unlock"), "{s}");
    }

    #[test]
    fn errors_never_carry_secret_bytes() {
        let e = map_error(
            SecretBackend::SecretService,
            "p",
            keyring_core::Error::BadEncoding(b"SECRETBYTES".to_vec()),
        );
        assert!(!e.to_string().contains("SECRETBYTES"));
    }
}
