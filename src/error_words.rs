//! The engine's errors in the user's language.
//!
//! Each error's `Display` is English and stays so: it is data that JSON
//! (`show --json`'s `secret_error`), the log and the tests read. What a
//! person reads on the terminal goes through `words()`, from the catalog
//! `assets/locales/errors.toml`, whose English is exactly the `Display`
//! (tested below). Text that comes from elsewhere (an OS or D-Bus error, a
//! path, a field's reason) is put in as it is; the store's English hints
//! inside it are replaced by their words.

use crate::context::ContextError;
use crate::i18n::{self, Lang, tk, tr};
use crate::ops::OpError;
use crate::store::{ConfigError, SecretBackend, StoreError, secrets};

impl StoreError {
    /// What went wrong and what to do, in the current language.
    pub fn words(&self) -> String {
        match self {
            StoreError::Timeout { backend, secs } => {
                tr!("errors.store.timeout", backend = backend, secs = secs)
            }
            StoreError::Unavailable { backend, detail } => tr!(
                "errors.store.unavailable",
                backend = backend,
                detail = hints_in_words(detail)
            ),
            StoreError::Locked { backend, detail } => tr!(
                "errors.store.locked",
                backend = backend,
                detail = hints_in_words(detail)
            ),
            StoreError::Missing { profile } => tr!(
                "errors.store.missing",
                profile = format!("{profile:?}"),
                name = profile
            ),
            StoreError::BadSetting {
                name,
                value,
                expected,
            } => tr!(
                "errors.store.bad_setting",
                name = name,
                value = format!("{value:?}"),
                expected = expected_words(expected)
            ),
            StoreError::Failed { backend, detail } => tr!(
                "errors.store.failed",
                backend = backend,
                detail = hints_in_words(detail)
            ),
        }
        .into_owned()
    }
}

/// The store's hints ([`secrets::locked_hint`], [`secrets::unavailable_hint`])
/// as they are built into an error's detail, and their catalog keys.
fn hints() -> [(&'static str, &'static str); 4] {
    [
        (
            secrets::locked_hint(SecretBackend::Keyutils),
            tk!("errors.hint.locked_keyutils"),
        ),
        (
            secrets::locked_hint(SecretBackend::SecretService),
            tk!("errors.hint.locked"),
        ),
        (
            secrets::unavailable_hint(SecretBackend::SecretService),
            tk!("errors.hint.unavailable_secret_service"),
        ),
        (
            secrets::unavailable_hint(SecretBackend::Keyutils),
            tk!("errors.hint.unavailable"),
        ),
    ]
}

/// What a setting must be ([`StoreError::BadSetting`]'s `expected`), in the
/// current language when the catalog knows it.
fn expected_words(expected: &str) -> String {
    if expected == secrets::EXPECTED_SECONDS {
        tr!("errors.expected.seconds").into_owned()
    } else {
        expected.to_string()
    }
}

/// `detail` with the store's English hints in the current language.
fn hints_in_words(detail: &str) -> String {
    if i18n::current() == Lang::En {
        return detail.to_string();
    }
    hints()
        .into_iter()
        .fold(detail.to_string(), |d, (english, key)| {
            d.replace(english, &i18n::text(key))
        })
}

impl ContextError {
    /// Why bbtoken could not start, in the current language.
    pub fn words(&self) -> String {
        match self {
            ContextError::Config(e) => e.words(),
            ContextError::Store(e) => e.words(),
            // A bad BBTOKEN_API_URL: its words name the setting.
            ContextError::Api(e) => e.to_string(),
        }
    }
}

impl ConfigError {
    /// What went wrong and what to do, in the current language.
    pub fn words(&self) -> String {
        match self {
            ConfigError::NoConfigDir => tr!("errors.config.no_config_dir"),
            ConfigError::Io { path, source } => {
                tr!("errors.config.io", path = path.display(), error = source)
            }
            ConfigError::Parse {
                path,
                line,
                message,
            } => tr!(
                "errors.config.parse",
                path = path.display(),
                line = line,
                message = message
            ),
            ConfigError::TooNew { path, found } => tr!(
                "errors.config.too_new",
                path = path.display(),
                found = found,
                version = crate::store::profiles::FORMAT_VERSION
            ),
            ConfigError::Duplicate { path, name } => tr!(
                "errors.config.duplicate",
                path = path.display(),
                name = format!("{name:?}")
            ),
            ConfigError::InvalidField {
                path,
                line,
                name,
                field,
                reason,
            } => tr!(
                "errors.config.invalid_field",
                path = path.display(),
                line = line,
                name = name,
                field = field,
                reason = reason
            ),
            ConfigError::NotRegular { path, what } => tr!(
                "errors.config.not_regular",
                path = path.display(),
                what = what
            ),
            ConfigError::TooLarge { path, max } => {
                tr!("errors.config.too_large", path = path.display(), max = max)
            }
            ConfigError::WouldBeTooLarge { path, max } => tr!(
                "errors.config.would_be_too_large",
                path = path.display(),
                max = max
            ),
            ConfigError::LockTimeout { path, secs } => tr!(
                "errors.config.lock_timeout",
                path = path.display(),
                secs = secs,
                env = crate::store::profiles::LOCK_TIMEOUT_ENV
            ),
        }
        .into_owned()
    }
}

impl OpError {
    /// What went wrong, what was left changed, and what to do, in the
    /// current language.
    pub fn words(&self) -> String {
        let quoted = |s: &str| format!("{s:?}");
        match self {
            OpError::Exists { name } => {
                tr!("errors.op.exists", name = quoted(name), bare = name)
            }
            OpError::NotFound { name } => tr!("errors.op.not_found", name = quoted(name)),
            OpError::Invalid { message } => tr!("errors.op.invalid", message = message),
            OpError::Config(e) => return e.words(),
            OpError::StoreRead { source } => tr!("errors.op.store_read", source = source.words()),
            OpError::StoreWrite { source } => {
                tr!("errors.op.store_write", source = source.words())
            }
            OpError::NoSecretToMove { from, to } => tr!(
                "errors.op.no_secret_to_move",
                from = quoted(from),
                to = quoted(to),
                bare = from
            ),
            OpError::ProfileWrite {
                name,
                source,
                rollback,
            } => {
                let rest = match rollback {
                    None => tr!("errors.op.rolled_back"),
                    Some(e) => tr!("errors.op.not_rolled_back", bare = name, error = e.words()),
                };
                tr!(
                    "errors.op.profile_write",
                    name = quoted(name),
                    source = source.words(),
                    rest = rest
                )
            }
            OpError::Rejected { name, outcome } => {
                let status = match i18n::current() {
                    Lang::En => outcome.status.as_str().to_string(),
                    Lang::Ja => crate::describe::status_words(outcome.status),
                };
                tr!(
                    "errors.op.rejected",
                    name = quoted(name),
                    status = status,
                    message = crate::describe::outcome_message(outcome)
                )
            }
            OpError::RemoveSecret { name, source } => tr!(
                "errors.op.remove_secret",
                source = source.words(),
                name = quoted(name)
            ),
            OpError::RemoveWrite {
                name,
                source,
                restored,
            } => {
                let rest = match restored {
                    None => tr!("errors.op.restored"),
                    Some(e) => tr!(
                        "errors.op.not_restored",
                        error = e.words(),
                        name = quoted(name),
                        bare = name
                    ),
                };
                tr!(
                    "errors.op.remove_write",
                    name = quoted(name),
                    source = source.words(),
                    rest = rest
                )
            }
        }
        .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::i18n::with_lang;
    use crate::profile::{Outcome, Status};

    fn store_errors() -> Vec<StoreError> {
        vec![
            StoreError::Timeout {
                backend: "secret-service",
                secs: 5,
            },
            StoreError::Unavailable {
                backend: "secret-service",
                detail: format!(
                    "org.freedesktop.DBus.Error.ServiceUnknown. {}",
                    secrets::unavailable_hint(SecretBackend::SecretService)
                ),
            },
            StoreError::Locked {
                backend: "keyutils",
                detail: format!(
                    "Permission denied; {}",
                    secrets::locked_hint(SecretBackend::Keyutils)
                ),
            },
            StoreError::Missing {
                profile: "ci".into(),
            },
            StoreError::BadSetting {
                name: "BBTOKEN_KEYRING_TIMEOUT",
                value: "abc".into(),
                expected: secrets::EXPECTED_SECONDS,
            },
            StoreError::Failed {
                backend: "keyutils",
                detail: "gone".into(),
            },
        ]
    }

    fn config_errors() -> Vec<ConfigError> {
        let path = PathBuf::from("/home/u/.config/bbtoken/profiles.toml");
        vec![
            ConfigError::NoConfigDir,
            ConfigError::Io {
                path: path.clone(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            },
            ConfigError::Parse {
                path: path.clone(),
                line: 3,
                message: "expected `=`".into(),
            },
            ConfigError::TooNew {
                path: path.clone(),
                found: 9,
            },
            ConfigError::Duplicate {
                path: path.clone(),
                name: "ci".into(),
            },
            ConfigError::InvalidField {
                path: path.clone(),
                line: 4,
                name: "ci".into(),
                field: "workspace",
                reason: "has a control character".into(),
            },
            ConfigError::NotRegular {
                path: path.clone(),
                what: "a FIFO (named pipe)",
            },
            ConfigError::TooLarge {
                path: path.clone(),
                max: 1024,
            },
            ConfigError::WouldBeTooLarge {
                path: path.clone(),
                max: 1024,
            },
            ConfigError::LockTimeout { path, secs: 10 },
        ]
    }

    fn op_errors() -> Vec<OpError> {
        let store = || StoreError::Failed {
            backend: "keyutils",
            detail: "gone".into(),
        };
        let config = || Box::new(ConfigError::NoConfigDir);
        let outcome = Outcome::bare(Status::Invalid, "the token was refused (401)", None);
        vec![
            OpError::Exists { name: "ci".into() },
            OpError::NotFound { name: "ci".into() },
            OpError::Invalid {
                message: "--workspace: empty".into(),
            },
            OpError::Config(ConfigError::NoConfigDir),
            OpError::StoreRead { source: store() },
            OpError::StoreWrite { source: store() },
            OpError::NoSecretToMove {
                from: "a".into(),
                to: "b".into(),
            },
            OpError::ProfileWrite {
                name: "ci".into(),
                source: config(),
                rollback: None,
            },
            OpError::ProfileWrite {
                name: "ci".into(),
                source: config(),
                rollback: Some(store()),
            },
            OpError::Rejected {
                name: "ci".into(),
                outcome: Box::new(outcome),
            },
            OpError::RemoveSecret {
                name: "ci".into(),
                source: store(),
            },
            OpError::RemoveWrite {
                name: "ci".into(),
                source: config(),
                restored: None,
            },
            OpError::RemoveWrite {
                name: "ci".into(),
                source: config(),
                restored: Some(store()),
            },
        ]
    }

    /// The English catalog says exactly what `Display` says, so the two
    /// never drift apart.
    #[test]
    fn english_words_are_the_display() {
        with_lang(Lang::En, || {
            for e in store_errors() {
                assert_eq!(e.words(), e.to_string());
            }
            for e in config_errors() {
                assert_eq!(e.words(), e.to_string());
            }
            for e in op_errors() {
                assert_eq!(e.words(), e.to_string());
            }
            for (english, key) in hints() {
                assert_eq!(i18n::text(key), english, "{key}");
            }
        });
    }

    /// Japanese words for every error, with what came from outside (a
    /// name, a path, an OS error) kept, and no English hint left.
    #[test]
    fn japanese_words_keep_names_and_translate_hints() {
        with_lang(Lang::Ja, || {
            let all: Vec<(String, String)> = store_errors()
                .iter()
                .map(|e| (e.words(), e.to_string()))
                .chain(config_errors().iter().map(|e| (e.words(), e.to_string())))
                .chain(op_errors().iter().map(|e| (e.words(), e.to_string())))
                .collect();
            for (ja, en) in &all {
                assert_ne!(ja, en);
                assert!(
                    ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
                    "no kana in {ja:?}"
                );
                for (english, _) in hints() {
                    assert!(!ja.contains(english), "an English hint in {ja:?}");
                }
            }
            let missing = StoreError::Missing {
                profile: "ci".into(),
            };
            assert!(missing.words().contains("bbtoken edit ci --secret"));
            let setting = &store_errors()[4];
            assert!(
                setting.words().contains("3600 より小さい秒数"),
                "{setting:?}"
            );
            let io = &config_errors()[1];
            assert!(io.words().contains("/home/u/.config/bbtoken/profiles.toml"));
            let unavailable = &store_errors()[1];
            assert!(
                unavailable
                    .words()
                    .contains("org.freedesktop.DBus.Error.ServiceUnknown")
            );
        });
    }
}
