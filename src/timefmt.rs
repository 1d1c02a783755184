//! Times for people: "3 min ago", "2 d ago".

use chrono::{DateTime, Utc};

use crate::i18n::tr;

/// How long ago `then` was, relative to `now`, in one short phrase.
pub fn relative(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    match secs {
        s if s < 0 => tr!("time.just_now"),
        0..=44 => tr!("time.just_now"),
        45..=5399 => tr!("time.min_ago", n = ((secs + 30) / 60).max(1)),
        5400..=129_599 => tr!("time.h_ago", n = (secs + 1800) / 3600),
        _ => tr!("time.d_ago", n = (secs + 43_200) / 86_400),
    }
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn phrases() {
        let now = Utc::now();
        let cases = [
            (Duration::seconds(-5), "just now"),
            (Duration::seconds(10), "just now"),
            (Duration::seconds(60), "1 min ago"),
            (Duration::minutes(59), "59 min ago"),
            (Duration::hours(2), "2 h ago"),
            (Duration::hours(35), "35 h ago"),
            (Duration::days(3), "3 d ago"),
        ];
        for (ago, want) in cases {
            assert_eq!(relative(now - ago, now), want, "{ago:?}");
        }
    }
}
