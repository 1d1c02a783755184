//! The system clock against the server's `Date` header. Expiry dates,
//! "expires in N days" and TLS certificate checks all trust this clock.

use chrono::{DateTime, Utc};

use super::{Check, shown};

pub const NAME: &str = "clock";
/// Beyond this the clock is worth fixing; below it, the `Date` header's
/// one-second resolution and the request's own time are noise.
pub(crate) const MAX_SKEW_SECS: i64 = 5 * 60;

/// `local`: this machine's time halfway through the request; `date`: the
/// server's `Date` header, if an answer came.
pub fn check(local: DateTime<Utc>, date: Option<&str>, server: &str) -> Check {
    let Some(date) = date else {
        return Check::skip(NAME, "no answer from the API to compare with");
    };
    let Ok(server_time) = DateTime::parse_from_rfc2822(date.trim()) else {
        return Check::warn(
            NAME,
            format!("the server's Date header is not a date: {:?}", shown(date)),
            "check that BBTOKEN_API_URL is the Bitbucket API",
        );
    };
    // Positive: this machine is behind the server.
    let skew = server_time
        .with_timezone(&Utc)
        .signed_duration_since(local)
        .num_seconds();
    let c = if skew.abs() <= MAX_SKEW_SECS {
        Check::pass(
            NAME,
            format!(
                "in step with {server} ({})",
                if skew == 0 {
                    "same second".to_string()
                } else {
                    format!(
                        "{} s {}",
                        skew.abs(),
                        if skew > 0 { "behind" } else { "ahead" }
                    )
                }
            ),
        )
    } else {
        Check::warn(
            NAME,
            format!(
                "this machine's clock is {} {} {server}: expiry dates and days left are off by as much, and HTTPS certificates may be refused",
                words(skew.unsigned_abs()),
                if skew > 0 { "behind" } else { "ahead of" }
            ),
            "turn on time sync (`timedatectl set-ntp true`, or your system's clock settings)",
        )
    };
    c.fact("skew_seconds", skew)
        .fact("server_date", shown(date))
}

/// A duration for people, to the nearest minute: "7 min", "3 h 5 min",
/// "2 days" (the `Date` header is a second behind at most).
fn words(secs: u64) -> String {
    match secs + 30 {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s => format!("{} days", s / 86_400),
    }
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
        assert_eq!(c.detail, "in step with Bitbucket (2 s behind)");
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
            c.detail.contains("1 h 30 min behind Bitbucket"),
            "{}",
            c.detail
        );
        assert!(c.remedy.as_deref().unwrap().contains("timedatectl"));
        let c = check(
            at("2026-12-08T08:00:00Z"),
            Some("Sat, 05 Dec 2026 08:00:00 GMT"),
            "Bitbucket",
        );
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.contains("3 days ahead of"), "{}", c.detail);
        assert_eq!(c.facts["skew_seconds"], -3 * 86_400);
        let c = check(
            at("2026-12-05T08:00:01Z"),
            Some("Sat, 05 Dec 2026 11:00:00 GMT"),
            "x",
        );
        assert!(c.detail.contains("3 h 0 min behind"), "{}", c.detail);
    }

    #[test]
    fn no_or_bad_date() {
        assert_eq!(check(Utc::now(), None, "x").status, Status::Skip);
        let c = check(Utc::now(), Some("yesterday\u{1b}[2J"), "x");
        assert_eq!(c.status, Status::Warn);
        assert!(!c.detail.contains('\u{1b}'));
    }
}
