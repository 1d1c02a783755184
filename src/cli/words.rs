//! Words the command line shows for values that scripts see in English
//! (a day count), and padding by display width. JSON keeps the English
//! values; these are for human output only. (Kinds, statuses, countdowns and
//! times come from `profile`, `describe` and `timefmt`, shared with the app.)

use crate::i18n::tr;

/// When a token expires, in a sentence in the current language.
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
pub(crate) fn pad(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let w = s.width();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, with_lang};

    #[test]
    fn english_says_each_day_count() {
        for (d, want) in [
            (-9, "expired 9 days ago"),
            (-1, "expired yesterday"),
            (0, "expires today"),
            (1, "expires tomorrow"),
            (30, "expires in 30 days"),
        ] {
            assert_eq!(with_lang(Lang::En, || expiry(d)), want);
        }
    }

    #[test]
    fn japanese_says_it_in_japanese_and_pads_by_columns() {
        with_lang(Lang::Ja, || {
            assert_eq!(expiry(1), "明日期限切れになります");
            assert_eq!(expiry(-3), "3 日前に期限切れになりました");
        });
        assert_eq!(pad("有効", 6), "有効  ");
        assert_eq!(pad("valid", 6), "valid ");
    }
}
