//! The language of the words bbtoken shows: English or Japanese.
//!
//! Every word a person reads comes from the catalogs in `assets/locales/`
//! (one TOML file per area, each key with its `en` and `ja` text), through
//! [`tr!`]. The catalogs are compiled into the binary by `rust-i18n`, so
//! nothing is parsed at start: `bbtoken list` stays as fast as before.
//!
//! What scripts read stays English whatever the language: JSON output,
//! statuses, exit codes, command names, and the text recorded in the state
//! file. The surfaces translate from types (a status, a problem kind, a
//! remedy), never from recorded text.

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};

/// A language bbtoken speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    /// The catalog's name for it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// A locale name (`ja_JP.UTF-8`, `ja`, `en_US`, `C`) or a
    /// `BBTOKEN_LANG` value: `ja…` is Japanese, anything else English.
    pub(crate) fn from_locale(name: &str) -> Lang {
        if name.trim().to_ascii_lowercase().starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    /// The language the environment asks for: `BBTOKEN_LANG` first, then the
    /// first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and not empty
    /// (POSIX's order for messages). Nothing set means English.
    pub(crate) fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["BBTOKEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(|name| get(name).filter(|v| !v.trim().is_empty()))
            .map(|v| Lang::from_locale(&v))
            .next()
            .unwrap_or_default()
    }
}

static PROCESS: AtomicU8 = AtomicU8::new(0);

thread_local! {
    /// A language for this thread only: tests render English and Japanese
    /// side by side, and JSON is written in English whatever the process's
    /// language.
    static SCOPED: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// Sets the process's language from the environment; called once at start.
pub fn init_from_env() -> Lang {
    let lang = Lang::from_env_with(|name| std::env::var(name).ok());
    set(lang);
    lang
}

/// Sets the process's language.
pub fn set(lang: Lang) {
    PROCESS.store(lang as u8, Ordering::Relaxed);
}

/// The language words are said in on this thread now.
pub fn current() -> Lang {
    SCOPED
        .get()
        .unwrap_or(match PROCESS.load(Ordering::Relaxed) {
            1 => Lang::Ja,
            _ => Lang::En,
        })
}

/// The catalog code of [`current`], for `tr!`.
pub fn code() -> &'static str {
    current().code()
}

/// Runs `f` with words in `lang` on this thread, then puts back what was.
pub fn with_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            SCOPED.set(self.0);
        }
    }
    let _restore = Restore(SCOPED.replace(Some(lang)));
    f()
}

/// The words of a catalog key in the current language, with `%{name}`
/// placeholders filled: `tr!("ui.small.size", width = w, height = h)`.
/// A key missing from the catalogs is a test failure (`tests/i18n.rs`),
/// never a silent English fallback.
macro_rules! tr {
    ($key:literal) => {
        rust_i18n::t!($key, locale = $crate::i18n::code())
    };
    ($key:literal, $($args:tt)+) => {
        rust_i18n::t!($key, locale = $crate::i18n::code(), $($args)+)
    };
}
pub(crate) use tr;

/// A catalog key kept in a table to be said later with [`text`]: marked so
/// that `tests/i18n.rs` checks it like the keys of `tr!`.
macro_rules! tk {
    ($key:literal) => {
        $key
    };
}
pub(crate) use tk;

/// The words of a key kept in a table ([`tk!`]), in the current language.
pub fn text(key: &str) -> String {
    crate::_rust_i18n_try_translate(code(), key)
        .map_or_else(|| key.to_string(), |words| words.into_owned())
}

/// Words said once in English, for what scripts read (JSON), and once in
/// the user's language, for the screen: built from one closure that is run
/// under each language, so words nested in it (an error's, a status's)
/// follow the language too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub en: String,
    pub local: String,
}

impl Said {
    /// Runs `words` in English, and again in the current language when that
    /// is not English.
    pub fn new(words: impl Fn() -> String) -> Said {
        let en = with_lang(Lang::En, &words);
        let local = if current() == Lang::En {
            en.clone()
        } else {
            words()
        };
        Said { en, local }
    }

    /// Text that is the same in every language: a path, a command, a value
    /// from outside (cleaned by the caller).
    pub fn verbatim(text: impl Into<String>) -> Said {
        let en = text.into();
        Said {
            local: en.clone(),
            en,
        }
    }
}

/// Unit tests write checks and lines in plain English; the code itself says
/// everything through the catalogs, so these exist only for tests.
#[cfg(test)]
impl From<&str> for Said {
    fn from(s: &str) -> Said {
        Said::verbatim(s)
    }
}

#[cfg(test)]
impl From<String> for Said {
    fn from(s: String) -> Said {
        Said::verbatim(s)
    }
}

/// Serialised as its English: JSON stays the same whatever the language.
impl serde::Serialize for Said {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.en)
    }
}

/// [`Said::new`] over [`tr!`]: `say!("doctor.x", n = 3)`.
macro_rules! say {
    ($($args:tt)+) => {
        $crate::i18n::Said::new(|| $crate::i18n::tr!($($args)+).into_owned())
    };
}
pub(crate) use say;

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn the_environment_chooses_the_language_in_posix_order() {
        let cases: &[(&[(&str, &str)], Lang)] = &[
            (&[], Lang::En),
            (&[("LANG", "ja_JP.UTF-8")], Lang::Ja),
            (&[("LANG", "en_US.UTF-8")], Lang::En),
            (&[("LANG", "C")], Lang::En),
            (&[("LANG", "ja_JP.UTF-8"), ("LC_MESSAGES", "C")], Lang::En),
            (&[("LANG", "C"), ("LC_MESSAGES", "ja_JP.eucJP")], Lang::Ja),
            (&[("LC_MESSAGES", "C"), ("LC_ALL", "ja_JP.UTF-8")], Lang::Ja),
            (&[("LC_ALL", "en_GB.UTF-8"), ("LANG", "ja_JP")], Lang::En),
            // Empty counts as unset, as in POSIX.
            (&[("LC_ALL", ""), ("LANG", "ja")], Lang::Ja),
            (&[("LC_ALL", "C"), ("BBTOKEN_LANG", "ja")], Lang::Ja),
            (&[("LANG", "ja_JP.UTF-8"), ("BBTOKEN_LANG", "en")], Lang::En),
            (&[("LANG", "ja_JP.UTF-8"), ("BBTOKEN_LANG", " ")], Lang::Ja),
            (&[("BBTOKEN_LANG", "JA")], Lang::Ja),
        ];
        for (vars, want) in cases {
            assert_eq!(Lang::from_env_with(env(vars)), *want, "{vars:?}");
        }
    }

    /// Text from outside (a server's message, an error) that looks like a
    /// placeholder is put in as it is, never filled in turn.
    #[test]
    fn a_value_is_never_read_as_a_placeholder() {
        let said = tr!("app.target_not_changed", why = "%{why} %{name}");
        assert_eq!(said, "Target not changed: %{why} %{name}");
    }

    #[test]
    fn a_scoped_language_is_this_threads_only_and_is_put_back() {
        assert_eq!(current(), Lang::En);
        let inner = with_lang(Lang::Ja, || {
            let other = std::thread::spawn(current).join().unwrap();
            (current(), other, with_lang(Lang::En, current), current())
        });
        assert_eq!(inner, (Lang::Ja, Lang::En, Lang::En, Lang::Ja));
        assert_eq!(current(), Lang::En);
    }

    #[test]
    fn said_holds_english_and_the_users_words() {
        let s = with_lang(Lang::Ja, || say!("cli.doctor.fix"));
        assert_eq!(s.en, "fix:");
        assert_eq!(s.local, "対処:");
        assert_eq!(serde_json::to_value(&s).unwrap(), "fix:");
        let e = say!("cli.doctor.fix");
        assert_eq!((e.en.as_str(), e.local.as_str()), ("fix:", "fix:"));
    }
}
