//! Secrets in the OS credential store, every call bounded by a timeout.
//!
//! A locked or absent Secret Service can block a D-Bus call forever. Each
//! store therefore has one worker thread that owns the connection and runs
//! the calls in order; the caller waits at most the timeout. While a call is
//! stuck past its timeout, new calls fail at once with the timeout error
//! instead of queueing (or starting threads) without limit. The worker is
//! never joined: a call that never returns cannot hold up the process's exit.
//!
//! Which Secret Service items are bbtoken's: see the `items` module. Items
//! written by bbtoken before it marked its own are migrated on first read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use keyring_core::CredentialStore;

use crate::secret::Secret;

#[cfg(target_os = "linux")]
mod items;

/// The service name under which every bbtoken secret is filed.
pub(crate) const SERVICE: &str = "bbtoken";
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

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
        SecretBackend::from_name(std::env::var("BBTOKEN_STORE").ok().as_deref())
    }

    /// A store by the name `BBTOKEN_STORE` and `store migrate --to` take;
    /// `None` or empty: the platform's usual store.
    pub(crate) fn from_name(name: Option<&str>) -> Result<SecretBackend, StoreError> {
        match name {
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
        "the {backend} credential store did not answer within {secs} s: it may be locked and waiting for a password prompt that cannot show here. Unlock your keyring (log in to the desktop session, or run gnome-keyring-daemon --unlock). To use another store for good, move the secrets while this one answers (bbtoken store migrate --to keyutils), then set BBTOKEN_STORE=keyutils: secrets do not follow the setting"
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
    #[error("{name}={value:?} is not {expected}")]
    BadSetting {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("the {backend} credential store failed: {detail}")]
    Failed {
        backend: &'static str,
        detail: String,
    },
}

enum Inner {
    Worker(Worker),
    Memory(Mutex<HashMap<String, String>>),
}

/// A job for the worker: it gets the backend (connected on first use).
type Job = Box<dyn FnOnce(&mut Backend) + Send>;

/// The one thread that talks to the credential store.
struct Worker {
    backend: SecretBackend,
    jobs: Mutex<std::sync::mpsc::Sender<Job>>,
    /// When the job now running started; `None` while idle.
    running_since: Arc<Mutex<Option<Instant>>>,
}

impl Worker {
    fn start(backend: SecretBackend) -> std::io::Result<Worker> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let running_since = Arc::new(Mutex::new(None));
        let running = running_since.clone();
        std::thread::Builder::new()
            .name("bbtoken-keyring".into())
            .spawn(move || {
                let mut state = Backend::new(backend);
                // Ends when every SecretStore handle is gone.
                while let Ok(job) = rx.recv() {
                    *running.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
                    job(&mut state);
                    *running.lock().unwrap_or_else(|p| p.into_inner()) = None;
                }
            })?;
        Ok(Worker {
            backend,
            jobs: Mutex::new(tx),
            running_since,
        })
    }

    /// How long the job now running has been running.
    fn busy_for(&self) -> Option<Duration> {
        self.running_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|t| t.elapsed())
    }
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
    /// A store on the given backend, with its worker thread; it connects on
    /// first use.
    pub fn open(backend: SecretBackend) -> SecretStore {
        if backend == SecretBackend::Memory {
            return SecretStore::memory();
        }
        let inner = match Worker::start(backend) {
            Ok(w) => Inner::Worker(w),
            // Without a thread there is nothing to talk to the store with;
            // every call says so (see `call`).
            Err(_) => Inner::Worker(Worker {
                backend,
                jobs: Mutex::new(std::sync::mpsc::channel().0),
                running_since: Arc::new(Mutex::new(None)),
            }),
        };
        SecretStore {
            inner: Arc::new(inner),
            timeout: timeout_from_env(),
        }
    }

    /// The store chosen by `BBTOKEN_STORE`, with the timeout of
    /// `BBTOKEN_KEYRING_TIMEOUT`: a value that is not a number of seconds is
    /// an error, not a silent default, so a typo never leaves the user
    /// waiting 5 s where they asked for 1 (or the reverse).
    pub fn from_env() -> Result<SecretStore, StoreError> {
        let backend = SecretBackend::from_env()?;
        let timeout = checked_timeout_from_env()?;
        Ok(SecretStore::open(backend).with_timeout(timeout))
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
            Inner::Worker(w) => w.backend,
            Inner::Memory(_) => SecretBackend::Memory,
        }
    }

    pub async fn get(&self, profile: &str) -> Result<Secret, StoreError> {
        if let Inner::Memory(m) = &*self.inner {
            return memory_lock(m)
                .get(profile)
                .map(|s| Secret::new(s.clone()))
                .ok_or_else(|| StoreError::Missing {
                    profile: profile.into(),
                });
        }
        let name = profile.to_string();
        let call = self.call(move |b| b.get(&name));
        crate::diag::store_call("get", profile, self.backend().name(), call).await
    }

    /// The secrets of many profiles, by name. The Secret Service reads them
    /// in one batch (one job, its D-Bus calls pipelined; see `items`), bounded
    /// by the same timeout as one call; other stores read one by one.
    pub async fn get_many(&self, profiles: &[&str]) -> HashMap<String, Result<Secret, StoreError>> {
        let batched = cfg!(target_os = "linux") && self.backend() == SecretBackend::SecretService;
        if !batched {
            let mut out = HashMap::new();
            for p in profiles {
                out.insert(p.to_string(), self.get(p).await);
            }
            return out;
        }
        let names: Vec<String> = profiles.iter().map(|p| p.to_string()).collect();
        let asked = names.clone();
        match self.call(move |b| Ok(b.get_many(&names))).await {
            Ok(found) => found,
            Err(e) => asked.into_iter().map(|p| (p, Err(e.clone()))).collect(),
        }
    }

    pub async fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        if let Inner::Memory(m) = &*self.inner {
            memory_lock(m).insert(profile.into(), secret.expose().into());
            return Ok(());
        }
        let name = profile.to_string();
        let secret = secret.clone();
        let call = self.call(move |b| b.set(&name, &secret));
        crate::diag::store_call("set", profile, self.backend().name(), call).await
    }

    /// Removes the secret; `Ok(false)` when there was none.
    pub async fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        if let Inner::Memory(m) = &*self.inner {
            return Ok(memory_lock(m).remove(profile).is_some());
        }
        let name = profile.to_string();
        let call = self.call(move |b| b.delete(&name));
        crate::diag::store_call("delete", profile, self.backend().name(), call).await
    }

    async fn call<T: Send + 'static>(
        &self,
        op: impl FnOnce(&mut Backend) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let Inner::Worker(worker) = &*self.inner else {
            unreachable!("memory calls are answered inline")
        };
        let timeout = StoreError::Timeout {
            backend: worker.backend.name(),
            secs: self.timeout.as_secs().max(1),
        };
        // A call stuck past the timeout will not finish soon: say so at once
        // rather than queue behind it.
        if worker.busy_for().is_some_and(|d| d >= self.timeout) {
            return Err(timeout);
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |backend| {
            // The caller gave up (timed out) while this waited in the queue:
            // do not run a write it was told failed.
            if tx.is_closed() {
                return;
            }
            let _ = tx.send(op(backend));
        });
        let sent = worker
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(job);
        if sent.is_err() {
            return Err(StoreError::Failed {
                backend: worker.backend.name(),
                detail: "cannot start the thread that talks to the credential store".into(),
            });
        }
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(StoreError::Failed {
                backend: worker.backend.name(),
                detail: "the credential store call stopped unexpectedly".into(),
            }),
            Err(_) => Err(timeout),
        }
    }
}

fn memory_lock(
    m: &Mutex<HashMap<String, String>>,
) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

const TIMEOUT_ENV: &str = "BBTOKEN_KEYRING_TIMEOUT";
/// What [`TIMEOUT_ENV`] must be (said in the user's language by
/// `StoreError::words`).
pub(crate) const EXPECTED_SECONDS: &str = "a number of seconds above 0 and below 3600";

/// The timeout for stores opened directly (tests, benchmarks): a bad value
/// falls back to the default; [`SecretStore::from_env`] refuses it instead.
fn timeout_from_env() -> Duration {
    checked_timeout_from_env().unwrap_or(DEFAULT_TIMEOUT)
}

/// `BBTOKEN_KEYRING_TIMEOUT`, or why its value is refused.
pub(crate) fn checked_timeout_from_env() -> Result<Duration, StoreError> {
    timeout_setting(std::env::var(TIMEOUT_ENV).ok().as_deref())
}

/// The timeout a value of `BBTOKEN_KEYRING_TIMEOUT` asks for: unset (or not
/// Unicode) and empty mean the default.
fn timeout_setting(value: Option<&str>) -> Result<Duration, StoreError> {
    match value {
        None | Some("") => Ok(DEFAULT_TIMEOUT),
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0 && *s < 3600.0)
            .map(Duration::from_secs_f64)
            .ok_or(StoreError::BadSetting {
                name: TIMEOUT_ENV,
                value: crate::text::clean(v),
                expected: EXPECTED_SECONDS,
            }),
    }
}

/// The worker's side: one backend, connected on first use. A failed
/// connection is not kept: the user may start or unlock the keyring and try
/// again in the same session.
enum Backend {
    #[cfg(target_os = "linux")]
    SecretService(items::SecretServiceItems),
    Core {
        backend: SecretBackend,
        store: Option<Arc<CredentialStore>>,
    },
}

impl Backend {
    fn new(backend: SecretBackend) -> Backend {
        match backend {
            #[cfg(target_os = "linux")]
            SecretBackend::SecretService => {
                Backend::SecretService(items::SecretServiceItems::default())
            }
            _ => Backend::Core {
                backend,
                store: None,
            },
        }
    }

    fn get(&mut self, profile: &str) -> Result<Secret, StoreError> {
        match self {
            #[cfg(target_os = "linux")]
            Backend::SecretService(ss) => ss.get(profile),
            Backend::Core { backend, store } => {
                let backend = *backend;
                let store = core_store(backend, store)?;
                let found = core_get(backend, &store, profile, &owned_entry_modifiers(profile));
                match found {
                    Err(StoreError::Missing { .. }) if has_legacy_entries(backend) => {
                        // Written before bbtoken named its own entries:
                        // copy to the new name, then drop the old one.
                        let secret = core_get(backend, &store, profile, &None)?;
                        if core_set(
                            backend,
                            &store,
                            profile,
                            &owned_entry_modifiers(profile),
                            &secret,
                        )
                        .is_ok()
                        {
                            let _ = core_delete(backend, &store, profile, &None);
                        }
                        Ok(secret)
                    }
                    other => other,
                }
            }
        }
    }

    fn get_many(&mut self, profiles: &[String]) -> HashMap<String, Result<Secret, StoreError>> {
        #[cfg(target_os = "linux")]
        if let Backend::SecretService(ss) = self {
            return ss.get_many(profiles);
        }
        profiles.iter().map(|p| (p.clone(), self.get(p))).collect()
    }

    fn set(&mut self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        match self {
            #[cfg(target_os = "linux")]
            Backend::SecretService(ss) => ss.set(profile, secret),
            Backend::Core { backend, store } => {
                let backend = *backend;
                let store = core_store(backend, store)?;
                core_set(
                    backend,
                    &store,
                    profile,
                    &owned_entry_modifiers(profile),
                    secret,
                )?;
                if has_legacy_entries(backend) {
                    // A legacy entry left behind would come back after a remove.
                    let _ = core_delete(backend, &store, profile, &None);
                }
                Ok(())
            }
        }
    }

    fn delete(&mut self, profile: &str) -> Result<bool, StoreError> {
        match self {
            #[cfg(target_os = "linux")]
            Backend::SecretService(ss) => ss.delete(profile),
            Backend::Core { backend, store } => {
                let backend = *backend;
                let store = core_store(backend, store)?;
                let owned = core_delete(backend, &store, profile, &owned_entry_modifiers(profile))?;
                let legacy = if has_legacy_entries(backend) {
                    core_delete(backend, &store, profile, &None)?
                } else {
                    false
                };
                Ok(owned || legacy)
            }
        }
    }
}

/// The keyutils description of a bbtoken entry: `bbtoken:profile:NAME`,
/// which no other program's default scheme produces (the keyring crate's
/// default is `keyring:USER@SERVICE`). Other stores keep service + user.
fn owned_entry_modifiers(profile: &str) -> Option<String> {
    if cfg!(target_os = "linux") {
        Some(format!("{SERVICE}:profile:{profile}"))
    } else {
        None
    }
}

/// Whether entries written before bbtoken named its own can exist in this
/// store (keyutils only: the native stores keep the old naming).
fn has_legacy_entries(backend: SecretBackend) -> bool {
    backend == SecretBackend::Keyutils
}

fn core_store(
    backend: SecretBackend,
    slot: &mut Option<Arc<CredentialStore>>,
) -> Result<Arc<CredentialStore>, StoreError> {
    if let Some(s) = slot.as_ref() {
        return Ok(s.clone());
    }
    let s = connect(backend)?;
    *slot = Some(s.clone());
    Ok(s)
}

/// The entry for `profile`: with `description` (keyutils) the bbtoken-owned
/// one, without it the legacy (or native) service + user one.
fn core_entry(
    backend: SecretBackend,
    store: &Arc<CredentialStore>,
    profile: &str,
    description: &Option<String>,
) -> Result<keyring_core::Entry, StoreError> {
    let mods = description
        .as_deref()
        .map(|d| HashMap::from([("description", d)]));
    store
        .build(SERVICE, profile, mods.as_ref())
        .map_err(|e| map_error(backend, profile, e))
}

fn core_get(
    backend: SecretBackend,
    store: &Arc<CredentialStore>,
    profile: &str,
    description: &Option<String>,
) -> Result<Secret, StoreError> {
    core_entry(backend, store, profile, description)?
        .get_password()
        .map(Secret::new)
        .map_err(|e| map_error(backend, profile, e))
}

fn core_set(
    backend: SecretBackend,
    store: &Arc<CredentialStore>,
    profile: &str,
    description: &Option<String>,
    secret: &Secret,
) -> Result<(), StoreError> {
    core_entry(backend, store, profile, description)?
        .set_password(secret.expose())
        .map_err(|e| map_error(backend, profile, e))
}

fn core_delete(
    backend: SecretBackend,
    store: &Arc<CredentialStore>,
    profile: &str,
    description: &Option<String>,
) -> Result<bool, StoreError> {
    match core_entry(backend, store, profile, description)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring_core::Error::NoEntry) => Ok(false),
        Err(e) => Err(map_error(backend, profile, e)),
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

pub(crate) fn locked_hint(backend: SecretBackend) -> &'static str {
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

pub(crate) fn unavailable_hint(backend: SecretBackend) -> &'static str {
    match backend {
        SecretBackend::SecretService => {
            "bbtoken needs a Secret Service (GNOME Keyring, KWallet or KeePassXC) on the D-Bus session bus. \
             Start one. To keep the tokens in the kernel keyring instead, move them there while the Secret Service runs \
             (bbtoken store migrate --to keyutils) and set BBTOKEN_STORE=keyutils: secrets do not follow the setting"
        }
        _ => "check that the system credential store is running",
    }
}

/// Turns a keyring error into words. Never includes secret bytes: the
/// `BadEncoding` variants carry the stored data and are described, not shown.
pub(super) fn map_error(
    backend: SecretBackend,
    profile: &str,
    e: keyring_core::Error,
) -> StoreError {
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

    #[cfg(target_os = "linux")]
    #[test]
    fn store_names_on_linux() {
        use SecretBackend::{Keyutils, SecretService};
        for (name, backend) in [
            (None, SecretService),
            (Some(""), SecretService),
            (Some("secret-service"), SecretService),
            (Some("keyutils"), Keyutils),
        ] {
            assert_eq!(SecretBackend::from_name(name), Ok(backend), "{name:?}");
        }
        for name in ["native", "keychain", "windows", "memory", "Keyutils"] {
            match SecretBackend::from_name(Some(name)) {
                Err(
                    e @ StoreError::Unavailable {
                        backend: "BBTOKEN_STORE",
                        ..
                    },
                ) => {
                    assert!(
                        e.to_string().contains("use secret-service or keyutils"),
                        "{e}"
                    );
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn keyring_timeout_setting() {
        let secs = |v: &str| timeout_setting(Some(v)).map(|d| d.as_secs_f64());
        assert_eq!(timeout_setting(None), Ok(DEFAULT_TIMEOUT));
        assert_eq!(timeout_setting(Some("")), Ok(DEFAULT_TIMEOUT));
        assert_eq!(secs("2"), Ok(2.0));
        assert_eq!(secs(" 0.5 "), Ok(0.5));
        assert_eq!(secs("3599.5"), Ok(3599.5));
        for bad in ["0", "-1", "3600", "7200", "abc", "NaN", "inf", " "] {
            match timeout_setting(Some(bad)) {
                Err(StoreError::BadSetting { name, expected, .. }) => {
                    assert_eq!(name, TIMEOUT_ENV);
                    assert_eq!(expected, "a number of seconds above 0 and below 3600");
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    /// The memory store answers every call itself, the batch read too: it
    /// never reaches the worker (which has none to reach).
    #[tokio::test]
    async fn memory_store_opened_by_backend_reads_in_a_batch() {
        let s = SecretStore::open(SecretBackend::Memory);
        assert_eq!(s.backend(), SecretBackend::Memory);
        s.set("a", &Secret::new("tok-a")).await.unwrap();
        s.set("b", &Secret::new("tok-b")).await.unwrap();
        let got = s.get_many(&["a", "b", "c"]).await;
        assert_eq!(got.len(), 3);
        assert_eq!(got["a"].as_ref().unwrap().expose(), "tok-a");
        assert_eq!(got["b"].as_ref().unwrap().expose(), "tok-b");
        assert!(matches!(got["c"], Err(StoreError::Missing { ref profile }) if profile == "c"));
    }

    #[test]
    fn hints_name_the_store_and_what_to_do() {
        let ss = unavailable_hint(SecretBackend::SecretService);
        assert!(ss.contains("needs a Secret Service"), "{ss}");
        assert!(ss.contains("bbtoken store migrate --to keyutils"), "{ss}");
        assert_eq!(
            unavailable_hint(SecretBackend::Keyutils),
            "check that the system credential store is running"
        );
        let k = locked_hint(SecretBackend::Keyutils);
        assert!(k.contains("keyctl new_session"), "{k}");
        let s = locked_hint(SecretBackend::SecretService);
        assert!(s.starts_with("the keyring is locked"), "{s}");
    }
}
