//! Words the command line shows for values that scripts see in English
//! (a kind, a status, a day count): in the current language for people.
//! JSON keeps the English values; these are for human output only.

use chrono::{DateTime, Utc};

use crate::i18n::tr;
use crate::profile::{Status, TokenKind};

/// A token kind for people: "repository access token", リポジトリアクセストークン.
pub fn kind_label(kind: TokenKind) -> String {
    match kind {
        TokenKind::Repository => tr!("cli.kind.repository"),
        TokenKind::Project => tr!("cli.kind.project"),
        TokenKind::Workspace => tr!("cli.kind.workspace"),
        TokenKind::Api => tr!("cli.kind.api"),
    }
    .into_owned()
}

/// A status for people. In English it is the status's own name, as the
/// JSON has it (`valid`, `store_error`).
pub fn status(s: Status) -> String {
    match s {
        Status::Valid => tr!("cli.status.valid"),
        Status::Invalid => tr!("cli.status.invalid"),
        Status::Forbidden => tr!("cli.status.forbidden"),
        Status::NotFound => tr!("cli.status.not_found"),
        Status::RateLimited => tr!("cli.status.rate_limited"),
        Status::ServerError => tr!("cli.status.server_error"),
        Status::NetworkError => tr!("cli.status.network_error"),
        Status::BadResponse => tr!("cli.status.bad_response"),
        Status::StoreError => tr!("cli.status.store_error"),
    }
    .into_owned()
}

/// The days left before a profile expires, for the list's column
/// ([`crate::profile::expiry_countdown`] in the current language).
pub fn countdown(days_left: Option<i64>) -> String {
    match days_left {
        None => "—".to_string(),
        Some(d) if d < 0 => tr!("cli.countdown.expired").into_owned(),
        Some(0) => tr!("cli.countdown.today").into_owned(),
        Some(d) => tr!("cli.countdown.days", days = d).into_owned(),
    }
}

/// How long ago something happened ([`crate::timefmt::relative`] in the
/// current language).
pub fn relative(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    match secs {
        s if s < 45 => tr!("cli.ago.now"),
        45..=5399 => tr!("cli.ago.minutes", n = ((secs + 30) / 60).max(1)),
        5400..=129_599 => tr!("cli.ago.hours", n = (secs + 1800) / 3600),
        _ => tr!("cli.ago.days", n = (secs + 43_200) / 86_400),
    }
    .into_owned()
}

/// When a token expires, in a sentence ([`crate::expiry::words`] in the
/// current language).
pub fn expiry(days_left: i64) -> String {
    match days_left {
        d if d < -1 => tr!("cli.expiry.ago", days = -d),
        -1 => tr!("cli.expiry.yesterday"),
        0 => tr!("cli.expiry.today"),
        1 => tr!("cli.expiry.tomorrow"),
        d => tr!("cli.expiry.in", days = d),
    }
    .into_owned()
}

/// `s` padded with spaces to `width` columns as a terminal shows them
/// (Japanese takes two columns a character).
pub fn pad(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let w = s.width();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, with_lang};

    /// In English the words are the engine's own, byte for byte.
    #[test]
    fn english_is_what_it_was() {
        for k in [
            TokenKind::Repository,
            TokenKind::Project,
            TokenKind::Workspace,
            TokenKind::Api,
        ] {
            assert_eq!(with_lang(Lang::En, || kind_label(k)), k.label());
        }
        for s in [
            Status::Valid,
            Status::Invalid,
            Status::Forbidden,
            Status::NotFound,
            Status::RateLimited,
            Status::ServerError,
            Status::NetworkError,
            Status::BadResponse,
            Status::StoreError,
        ] {
            assert_eq!(with_lang(Lang::En, || status(s)), s.as_str());
        }
        for d in [None, Some(-3), Some(0), Some(12)] {
            assert_eq!(
                with_lang(Lang::En, || countdown(d)),
                crate::profile::expiry_countdown(d)
            );
        }
        for d in [-9, -1, 0, 1, 30] {
            assert_eq!(with_lang(Lang::En, || expiry(d)), crate::expiry::words(d));
        }
        let now = Utc::now();
        for secs in [-5, 10, 60, 59 * 60, 2 * 3600, 35 * 3600, 3 * 86_400] {
            let then = now - chrono::Duration::seconds(secs);
            assert_eq!(
                with_lang(Lang::En, || relative(then, now)),
                crate::timefmt::relative(then, now)
            );
        }
    }

    #[test]
    fn japanese_says_it_in_japanese_and_pads_by_columns() {
        with_lang(Lang::Ja, || {
            assert_eq!(
                kind_label(TokenKind::Repository),
                "リポジトリアクセストークン"
            );
            assert_eq!(status(Status::Valid), "有効");
            assert_eq!(countdown(Some(12)), "あと 12 日");
            assert_eq!(expiry(1), "明日期限切れになります");
        });
        assert_eq!(pad("有効", 6), "有効  ");
        assert_eq!(pad("valid", 6), "valid ");
    }
}
