//! The system clock against the server's `Date` header. Expiry dates,
//! "expires in N days" and TLS certificate checks all trust this clock.

use chrono::{DateTime, Utc};

use super::{Check, shown};
use crate::i18n::{say, tr};

pub const NAME: &str = "clock";
/// Beyond this the clock is worth fixing; below it, the `Date` header's
/// one-second resolution and the request's own time are noise.
pub(crate) const MAX_SKEW_SECS: i64 = 5 * 60;

/// `local`: this machine's time halfway through the request; `date`: the
/// server's `Date` header, if an answer came.
pub fn check(local: DateTime<Utc>, date: Option<&str>, server: &str) -> Check {
    let Some(date) = date else {
        return Check::skip(NAME, say!("doctor.clock.no_answer"));
    };
    let Ok(server_time) = DateTime::parse_from_rfc2822(date.trim()) else {
        return Check::warn(
            NAME,
            say!(
                "doctor.clock.not_a_date",
                date = format!("{:?}", shown(date))
            ),
            say!("doctor.clock.not_a_date_fix"),
        );
    };
    // Positive: this machine is behind the server.
    let skew = server_time
        .with_timezone(&Utc)
        .signed_duration_since(local)
        .num_seconds();
    let n = skew.unsigned_abs();
    let c = if skew.abs() <= MAX_SKEW_SECS {
        let off = || match skew {
            0 => tr!("doctor.clock.same_second"),
            s if s > 0 => tr!("doctor.clock.secs_behind", n = n),
            _ => tr!("doctor.clock.secs_ahead", n = n),
        };
        Check::pass(
            NAME,
            say!("doctor.clock.in_step", server = server, off = off()),
        )
    } else {
        let detail = if skew > 0 {
            say!("doctor.clock.behind", span = words(n), server = server)
        } else {
            say!("doctor.clock.ahead", span = words(n), server = server)
        };
        Check::warn(NAME, detail, say!("doctor.clock.fix"))
    };
    c.fact("skew_seconds", skew)
        .fact("server_date", shown(date))
}

/// A duration for people, to the nearest minute: "7 min", "3 h 5 min",
/// "2 days" (the `Date` header is a second behind at most).
fn words(secs: u64) -> String {
    match secs + 30 {
        s if s < 3600 => tr!("doctor.clock.min", n = s / 60),
        s if s < 86_400 => tr!("doctor.clock.h_min", h = s / 3600, min = s % 3600 / 60),
        s => tr!("doctor.clock.days", n = s / 86_400),
    }
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn within_five_minutes_passes() {
        let c = check(
            at("2026-12-05T08:00:00Z"),
            Some("Sat, 05 Dec 2026 08:00:02 GMT"),
            "Bitbucket",
        );
        assert_eq!(c.status, Status::Pass);
        assert_eq!(c.detail.en, "in step with Bitbucket (2 s behind)");
        assert_eq!(c.facts["skew_seconds"], 2);
        let c = check(
            at("2026-12-05T08:04:59Z"),
            Some("Sat, 05 Dec 2026 08:00:00 GMT"),
            "Bitbucket",
        );
        assert_eq!(c.status, Status::Pass);
    }

    #[test]
    fn beyond_five_minutes_warns_either_way() {
        let c = check(
            at("2026-12-05T08:00:00Z"),
            Some("Sat, 05 Dec 2026 09:30:00 GMT"),
            "Bitbucket",
        );
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail.en.contains("1 h 30 min behind Bitbucket"),
            "{}",
            c.detail.en
        );
        assert!(
            c.remedy
                .as_ref()
                .map(|r| r.en.as_str())
                .unwrap()
                .contains("timedatectl")
        );
        let c = check(
            at("2026-12-08T08:00:00Z"),
            Some("Sat, 05 Dec 2026 08:00:00 GMT"),
            "Bitbucket",
        );
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.en.contains("3 days ahead of"), "{}", c.detail.en);
        assert_eq!(c.facts["skew_seconds"], -3 * 86_400);
        let c = check(
            at("2026-12-05T08:00:01Z"),
            Some("Sat, 05 Dec 2026 11:00:00 GMT"),
            "x",
        );
        assert!(c.detail.en.contains("3 h 0 min behind"), "{}", c.detail.en);
    }

    #[test]
    fn no_or_bad_date() {
        assert_eq!(check(Utc::now(), None, "x").status, Status::Skip);
        let c = check(Utc::now(), Some("yesterday\u{1b}[2J"), "x");
        assert_eq!(c.status, Status::Warn);
        assert!(!c.detail.en.contains('\u{1b}'));
    }
}
