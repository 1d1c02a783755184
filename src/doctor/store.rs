//! The credential store: which one, and whether it takes, gives back and
//! removes an item within the timeout.

use std::time::Duration;

use super::{Check, shown};
use crate::i18n::{Said, say, tr};
use crate::store::secrets::{locked_hint, unavailable_hint};
use crate::store::{SecretBackend, StoreError};

pub const NAME: &str = "store";

/// The throwaway item's name. It holds spaces, which no profile name may
/// (letters, digits, `-`, `_`, `.`), so it can never be a profile's secret;
/// the pid keeps two doctors apart.
pub(crate) fn probe_name(pid: u32) -> String {
    format!("bbtoken doctor probe {pid}")
}

/// What the store did with the throwaway item.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundTrip {
    pub write: Result<(), StoreError>,
    /// `Ok(true)` when the value read back is the one written; `None` when
    /// not tried (the write failed).
    pub read: Option<Result<bool, StoreError>>,
    /// Always tried, even after a failed write or read: a write that timed
    /// out may still land.
    pub delete: Result<bool, StoreError>,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// `BBTOKEN_STORE` as set (cleaned), or `None` for the default.
    pub setting: Option<String>,
    /// The store that setting names, or why it names none.
    pub backend: Result<SecretBackend, StoreError>,
    /// `BBTOKEN_KEYRING_TIMEOUT`, or why it is refused.
    pub timeout: Result<Duration, StoreError>,
    /// Whether `DBUS_SESSION_BUS_ADDRESS` is set (the Secret Service needs it).
    pub session_bus: bool,
    pub item: String,
    /// `None` when the store could not be opened.
    pub round_trip: Option<RoundTrip>,
}

pub fn check(f: &Facts) -> Check {
    let backend = match &f.backend {
        Ok(b) => *b,
        Err(e) => {
            return Check::fail(
                NAME,
                Said::new(|| shown(&e.words())),
                say!("doctor.store.bad_store_fix"),
            )
            .fact("setting", f.setting.clone());
        }
    };
    let label = || {
        if f.setting.is_some() {
            tr!("doctor.store.label_set", backend = backend.name())
        } else {
            tr!("doctor.store.label_default", backend = backend.name())
        }
        .into_owned()
    };
    let base = |c: Check| {
        c.fact("backend", backend.name())
            .fact("setting", f.setting.clone())
            .fact("item", f.item.clone())
    };
    let timeout = match &f.timeout {
        Ok(t) => *t,
        Err(e) => {
            return base(Check::fail(
                NAME,
                say!(
                    "doctor.store.said",
                    label = label(),
                    words = shown(&e.words())
                ),
                say!("doctor.store.bad_timeout_fix"),
            ));
        }
    };
    let base = |c: Check| base(c).fact("timeout_ms", timeout.as_millis() as u64);
    let Some(rt) = &f.round_trip else {
        return base(Check::skip(
            NAME,
            say!("doctor.store.not_opened", label = label()),
        ));
    };
    let base = |c: Check| base(c).fact("elapsed_ms", rt.elapsed.as_millis() as u64);
    let leftover = || {
        tr!(
            "doctor.store.leftover",
            item = format!("{:?}", f.item),
            command = removal_command(backend, &f.item)
        )
        .into_owned()
    };
    if let Err(e) = &rt.write {
        let remedy = if matches!(e, StoreError::Timeout { .. }) {
            Said::new(|| {
                tr!(
                    "doctor.store.and_leftover",
                    remedy = remedy_for(backend, e, f.session_bus),
                    leftover = leftover()
                )
                .into_owned()
            })
        } else {
            Said::new(|| remedy_for(backend, e, f.session_bus))
        };
        return base(Check::fail(
            NAME,
            say!(
                "doctor.store.cannot_store",
                label = label(),
                error = said(backend, e)
            ),
            remedy,
        ));
    }
    match &rt.read {
        Some(Ok(true)) => {}
        Some(Ok(false)) => {
            return base(Check::fail(
                NAME,
                say!("doctor.store.read_other", label = label()),
                say!("doctor.store.read_other_fix"),
            ));
        }
        Some(Err(e)) => {
            return base(Check::fail(
                NAME,
                say!(
                    "doctor.store.cannot_read",
                    label = label(),
                    error = said(backend, e)
                ),
                Said::new(|| remedy_for(backend, e, f.session_bus)),
            ));
        }
        None => unreachable!("read is tried after every successful write"),
    }
    match &rt.delete {
        Ok(true) => {}
        Ok(false) => {
            return base(Check::fail(
                NAME,
                say!("doctor.store.gone", label = label()),
                say!("doctor.store.gone_fix"),
            ));
        }
        Err(e) => {
            return base(Check::fail(
                NAME,
                say!(
                    "doctor.store.cannot_delete",
                    label = label(),
                    error = said(backend, e)
                ),
                Said::new(leftover),
            ));
        }
    }
    let ms = rt.elapsed.as_millis();
    // Three calls that used half the budget leave little for a real one.
    if rt.elapsed * 2 > timeout * 3 {
        return base(Check::warn(
            NAME,
            say!(
                "doctor.store.slow",
                label = label(),
                ms = ms,
                secs = timeout.as_secs_f64()
            ),
            say!("doctor.store.slow_fix"),
        ));
    }
    base(Check::pass(
        NAME,
        say!("doctor.store.ok", label = label(), ms = ms),
    ))
}

/// The store's own words without the advice it appends (the check gives
/// its own remedy, which knows more, such as a missing session bus).
fn said(backend: SecretBackend, e: &StoreError) -> String {
    let text = match e {
        StoreError::Timeout { backend, secs } => {
            tr!("doctor.store.timeout", backend = backend, secs = secs).into_owned()
        }
        StoreError::Unavailable {
            backend: name,
            detail,
        } => tr!(
            "errors.store.unavailable",
            backend = name,
            detail = strip_hint(detail, unavailable_hint(backend))
        )
        .into_owned(),
        StoreError::Locked {
            backend: name,
            detail,
        } => tr!(
            "errors.store.locked",
            backend = name,
            detail = strip_hint(detail, locked_hint(backend))
        )
        .into_owned(),
        other => other.words(),
    };
    shown(&text)
}

fn strip_hint<'a>(detail: &'a str, hint: &str) -> &'a str {
    detail
        .strip_suffix(hint)
        .map(|d| d.trim_end_matches([' ', '.', ';']))
        .unwrap_or(detail)
}

/// What to do when the store refused or did not answer.
fn remedy_for(backend: SecretBackend, e: &StoreError, session_bus: bool) -> String {
    let secret_service = backend == SecretBackend::SecretService;
    match e {
        _ if secret_service && !session_bus => tr!("doctor.store.no_bus_fix"),
        StoreError::Timeout { .. } if secret_service => tr!("doctor.store.timeout_fix"),
        StoreError::Unavailable { .. } if secret_service => tr!("doctor.store.unavailable_fix"),
        StoreError::Locked { .. } if backend == SecretBackend::Keyutils => {
            tr!("doctor.store.locked_keyutils_fix")
        }
        StoreError::Locked { .. } => tr!("doctor.store.locked_fix"),
        _ => tr!("doctor.store.other_fix"),
    }
    .into_owned()
}

/// The command that removes the test item by hand.
fn removal_command(backend: SecretBackend, item: &str) -> String {
    match backend {
        SecretBackend::Keyutils => format!("`keyctl purge user 'bbtoken:profile:{item}'`"),
        _ => format!("`secret-tool clear service bbtoken username '{item}'`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    fn facts(round_trip: Option<RoundTrip>) -> Facts {
        Facts {
            setting: None,
            backend: Ok(SecretBackend::SecretService),
            timeout: Ok(Duration::from_secs(5)),
            session_bus: true,
            item: probe_name(7),
            round_trip,
        }
    }

    fn rt(write: Result<(), StoreError>, read: Option<Result<bool, StoreError>>) -> RoundTrip {
        RoundTrip {
            write,
            read,
            delete: Ok(true),
            elapsed: Duration::from_millis(40),
        }
    }

    fn unavailable() -> StoreError {
        StoreError::Unavailable {
            backend: "secret-service",
            detail: "no \u{1b}[31m owner".into(),
        }
    }

    #[test]
    fn the_probe_name_is_never_a_profile_name() {
        let name = probe_name(12345);
        assert!(crate::fields::profile_name(&name).is_err(), "{name}");
    }

    #[test]
    fn a_full_round_trip_passes_with_its_time() {
        let c = check(&facts(Some(rt(Ok(()), Some(Ok(true))))));
        assert_eq!(c.status, Status::Pass, "{c:?}");
        assert!(
            c.detail
                .en
                .starts_with("secret-service (default): stored, read back and deleted")
        );
        assert!(c.detail.en.contains("40 ms"), "{}", c.detail.en);
        assert_eq!(c.facts["backend"], "secret-service");
        assert_eq!(c.facts["elapsed_ms"], 40);
    }

    #[test]
    fn a_store_that_is_not_there_fails_with_how_to_start_one() {
        let c = check(&facts(Some(rt(Err(unavailable()), None))));
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.remedy
                .as_ref()
                .unwrap()
                .en
                .contains("gnome-keyring-daemon --start")
        );
        // The store's own words are shown, escapes made visible.
        assert!(c.detail.en.contains("\\u{1b}[31m"), "{}", c.detail.en);
        assert!(!c.detail.en.contains('\u{1b}'));
    }

    #[test]
    fn the_stores_own_advice_is_left_out_of_the_detail() {
        let e = StoreError::Unavailable {
            backend: "secret-service",
            detail: format!(
                "zbus error: no such file. {}",
                unavailable_hint(SecretBackend::SecretService)
            ),
        };
        let c = check(&facts(Some(rt(Err(e), None))));
        assert_eq!(
            c.detail.en,
            "secret-service (default): cannot store a test item: the secret-service credential store is not available: zbus error: no such file"
        );
    }

    #[test]
    fn no_session_bus_is_named_as_the_cause() {
        let mut f = facts(Some(rt(Err(unavailable()), None)));
        f.session_bus = false;
        let c = check(&f);
        assert!(c.remedy.unwrap().en.contains("DBUS_SESSION_BUS_ADDRESS"));
    }

    #[test]
    fn a_timed_out_write_says_an_item_may_be_left() {
        let t = StoreError::Timeout {
            backend: "secret-service",
            secs: 5,
        };
        let c = check(&facts(Some(rt(Err(t), None))));
        assert_eq!(c.status, Status::Fail);
        let r = c.remedy.unwrap().en;
        assert!(r.contains("unlock"), "{r}");
        assert!(
            r.contains("secret-tool clear service bbtoken username 'bbtoken doctor probe 7'"),
            "{r}"
        );
    }

    #[test]
    fn a_wrong_read_or_failed_delete_fails() {
        let c = check(&facts(Some(rt(Ok(()), Some(Ok(false))))));
        assert_eq!(c.status, Status::Fail);
        let mut bad_delete = rt(Ok(()), Some(Ok(true)));
        bad_delete.delete = Err(unavailable());
        let c = check(&facts(Some(bad_delete)));
        assert_eq!(c.status, Status::Fail);
        assert!(c.remedy.unwrap().en.contains("secret-tool clear"));
    }

    #[test]
    fn slow_calls_warn() {
        let mut slow = rt(Ok(()), Some(Ok(true)));
        slow.elapsed = Duration::from_millis(8000);
        assert_eq!(check(&facts(Some(slow))).status, Status::Warn);
    }

    #[test]
    fn bad_settings_fail_before_any_call() {
        let mut f = facts(None);
        f.setting = Some("kwallet".into());
        f.backend = SecretBackend::from_name(Some("kwallet"));
        let c = check(&f);
        assert_eq!(c.status, Status::Fail);
        assert!(c.remedy.unwrap().en.contains("unset BBTOKEN_STORE"));
        let mut f = facts(None);
        f.timeout = Err(StoreError::BadSetting {
            name: "BBTOKEN_KEYRING_TIMEOUT",
            value: "x".into(),
            expected: "a number",
        });
        assert_eq!(check(&f).status, Status::Fail);
    }
}
