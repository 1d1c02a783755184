//! Expiry alarms: which profiles are expired or expire within a window.
//!
//! Bitbucket exposes no token expiry date through any API or header (facts
//! doc), so the only date bbtoken knows is the one the user recorded with
//! `--expires`. A profile without one is never "due", but the alarm says how
//! many it could not judge, so a CI job does not pass silently on profiles
//! nobody dated.

use crate::i18n::tr;
use chrono::NaiveDate;

use crate::profile::Profile;

/// The TUI's default window, and the one the README's examples use.
pub(crate) const DEFAULT_WINDOW_DAYS: u32 = 14;

/// Longest window accepted: ten years is already "every dated token".
const MAX_WINDOW_DAYS: u32 = 3650;

/// Parses a window such as `14d`, `2w` or `14` (days).
pub(crate) fn parse_window(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let (digits, per_unit) = match t.strip_suffix(['d', 'D']) {
        Some(d) => (d, 1),
        None => match t.strip_suffix(['w', 'W']) {
            Some(w) => (w, 7),
            None => (t, 1),
        },
    };
    let bad = || {
        tr!(
            "cli.expiry.bad_window",
            value = crate::text::clean_line(text, 40)
        )
        .into_owned()
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u32 = digits.parse().map_err(|_| bad())?;
    match n.checked_mul(per_unit) {
        Some(days) if days <= MAX_WINDOW_DAYS => Ok(days),
        _ => Err(tr!("cli.expiry.window_too_long", max = MAX_WINDOW_DAYS).into_owned()),
    }
}

/// A profile that is expired or expires within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub name: String,
    /// Negative once expired; 0 on the last day.
    pub days_left: i64,
}

/// What a window says about a set of profiles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alarm {
    /// Soonest first.
    pub due: Vec<Due>,
    /// Profiles with no recorded expiry date, which the window cannot judge.
    pub undated: Vec<String>,
}

impl Alarm {
    pub fn rings(&self) -> bool {
        !self.due.is_empty()
    }
}

/// True when the profile is expired or its last day falls within `window`
/// days from `today` (a window of 0 catches only expired and last-day tokens).
pub(crate) fn is_due(profile: &Profile, today: NaiveDate, window: u32) -> bool {
    profile
        .days_left(today)
        .is_some_and(|d| d <= i64::from(window))
}

/// The alarm for `profiles` on `today`.
pub fn check<'p>(
    profiles: impl IntoIterator<Item = &'p Profile>,
    today: NaiveDate,
    window: u32,
) -> Alarm {
    let mut alarm = Alarm::default();
    for p in profiles {
        match p.days_left(today) {
            None => alarm.undated.push(p.name.clone()),
            Some(d) if d <= i64::from(window) => alarm.due.push(Due {
                name: p.name.clone(),
                days_left: d,
            }),
            Some(_) => {}
        }
    }
    alarm.due.sort_by(|a, b| {
        a.days_left
            .cmp(&b.days_left)
            .then_with(|| a.name.cmp(&b.name))
    });
    alarm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::TokenKind;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dated(name: &str, expires: Option<&str>) -> Profile {
        let mut p = Profile::new(name, TokenKind::Repository, "acme", Some("web"));
        p.expires = expires.map(day);
        p
    }

    #[test]
    fn windows_parse_in_days_and_weeks() {
        assert_eq!(parse_window("14d"), Ok(14));
        assert_eq!(parse_window("14"), Ok(14));
        assert_eq!(parse_window("2w"), Ok(14));
        assert_eq!(parse_window(" 3D "), Ok(3));
        assert_eq!(parse_window("0d"), Ok(0));
        assert_eq!(parse_window("3650d"), Ok(3650));
        for bad in ["", "d", "-1d", "1.5w", "14 days", "1e3", "+3d", "w2"] {
            assert!(parse_window(bad).is_err(), "{bad:?} accepted");
        }
        assert!(parse_window("3651d").unwrap_err().contains("at most"));
        assert!(parse_window("999999999999w").is_err());
        assert!(parse_window("700000000w").is_err(), "overflow");
    }

    #[test]
    fn a_bad_window_is_named_without_control_characters() {
        let e = parse_window("x\x1b[2J").unwrap_err();
        assert!(!e.contains('\x1b'), "{e:?}");
        assert!(e.contains("14d"), "{e}");
    }

    #[test]
    fn the_window_includes_its_last_day() {
        let today = day("2026-12-04");
        let p = dated("p", Some("2026-12-18")); // 14 days left
        assert!(is_due(&p, today, 14));
        assert!(!is_due(&p, today, 13));
        assert!(is_due(&dated("gone", Some("2026-12-01")), today, 0));
        assert!(is_due(&dated("last", Some("2026-12-04")), today, 0));
        assert!(!is_due(&dated("never", None), today, 3650));
    }

    #[test]
    fn the_alarm_lists_due_profiles_soonest_first_and_counts_undated_ones() {
        let today = day("2026-12-04");
        let ps = [
            dated("later", Some("2027-06-01")),
            dated("soon", Some("2026-12-10")),
            dated("undated", None),
            dated("gone", Some("2026-11-30")),
            dated("also-soon", Some("2026-12-10")),
        ];
        let a = check(&ps, today, 14);
        assert!(a.rings());
        assert_eq!(
            a.due,
            vec![
                Due {
                    name: "gone".into(),
                    days_left: -4
                },
                Due {
                    name: "also-soon".into(),
                    days_left: 6
                },
                Due {
                    name: "soon".into(),
                    days_left: 6
                },
            ]
        );
        assert_eq!(a.undated, vec!["undated".to_string()]);
        assert!(!check(&ps[..1], today, 14).rings());
    }
}
