//! Cleaning text that came from outside (a server, a hand-edited file) before
//! it is shown or used. Pure and table-tested.
//!
//! Two rules, because the two uses fail differently:
//! - Text that is only *shown* (error messages, `full_name`, header values,
//!   TOML parse messages) has every dangerous character replaced by a visible
//!   escape and is capped in length: the user still sees what was sent.
//! - Values that can end up in a command or a URL (a branch name, a project
//!   key, the clone link's user) are *rejected* instead ([`command_safe`]):
//!   a cleaned but different value must never be used, so such a value is
//!   dropped and the caller says why.
//!
//! Dangerous characters ([`is_unsafe`]): every C0 control (tab and newline
//! included), DEL, every C1 control (U+0080–U+009F: U+009B is a one-byte CSI
//! on some terminals) and the bidi controls (U+202A–U+202E, U+2066–U+2069,
//! U+200E, U+200F, U+061C), which reorder what the eye sees. Also U+2028 and
//! U+2029 (line and paragraph separators), which some viewers break lines at.
//!
//! The visible form is the Rust-style escape `\u{1b}` rather than U+FFFD: it
//! is plain ASCII, survives any font and terminal, and says *which* character
//! was sent, which is what a person reporting a hostile or broken server needs.

/// The most characters of one shown value taken from outside.
pub(crate) const MAX_SHOWN: usize = 500;

/// True for characters that must never reach a terminal or a command raw.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{2028}' | '\u{2029}')
}

/// True when `s` holds a character of [`is_unsafe`].
pub fn has_unsafe(s: &str) -> bool {
    s.chars().any(is_unsafe)
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// A single-line value for display: every unsafe character (newline and tab
/// included) escaped, then capped at `max` characters, the last being `…`.
/// Idempotent: cleaning clean text changes nothing.
pub(crate) fn clean_line(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    cap(out, max)
}

/// [`clean_line`] with the usual cap, for one value from outside.
pub fn clean(s: &str) -> String {
    clean_line(s, MAX_SHOWN)
}

fn cap(s: String, max: usize) -> String {
    if max == 0 || s.chars().count() <= max {
        return s;
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// Text about to be printed: unsafe characters escaped, except the newline
/// and tab that lay out multi-line output. No length cap: the values inside
/// were capped when they came in.
pub fn visible(s: &str) -> String {
    if !s.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && c != '\n' && c != '\t' {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// JSON text about to be printed: unsafe characters written as JSON `\uXXXX`
/// escapes, which decode to the very same string, so `--json` stays exact
/// data and is still safe on a terminal. Every unsafe character is in the
/// BMP, and outside strings JSON is ASCII, so this never breaks the document.
pub(crate) fn json_visible(s: &str) -> String {
    if !has_unsafe(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && c != '\n' {
            use std::fmt::Write;
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// A value bound for a command or a URL, kept only when it is plausible:
/// non-empty, at most `max` characters, no unsafe character, no whitespace.
/// `None` means the caller must not use it and should say so.
pub(crate) fn command_safe(s: &str, max: usize) -> Option<String> {
    (!s.is_empty()
        && s.chars().count() <= max
        && !s.chars().any(|c| is_unsafe(c) || c.is_whitespace()))
    .then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_table() {
        let unsafe_chars = [
            '\u{0}', '\t', '\n', '\r', '\u{1b}', '\u{7}', '\u{7f}', '\u{80}', '\u{9b}', '\u{9f}',
            '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}',
            '\u{2028}', '\u{2029}',
        ];
        for c in unsafe_chars {
            assert!(is_unsafe(c), "{:?}", c);
        }
        for c in [
            ' ', 'a', '~', '\u{a0}', 'é', '✓', '→', '…', '\u{2030}', '\u{2065}',
        ] {
            assert!(!is_unsafe(c), "{:?}", c);
        }
    }

    #[test]
    fn clean_line_table() {
        let cases = [
            ("plain", "plain"),
            ("a\u{1b}[2Jb", "a\\u{1b}[2Jb"),
            ("\u{1b}]52;c;aGk=\u{7}", "\\u{1b}]52;c;aGk=\\u{7}"),
            ("line\nnext\ttab\r", "line\\u{a}next\\u{9}tab\\u{d}"),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("abc\u{202e}fed", "abc\\u{202e}fed"),
            ("é ✓", "é ✓"),
        ];
        for (raw, want) in cases {
            assert_eq!(clean_line(raw, 100), want, "{raw:?}");
            assert!(!has_unsafe(&clean_line(raw, 100)));
            // Idempotent.
            assert_eq!(clean_line(want, 100), want);
        }
    }

    #[test]
    fn caps_with_ellipsis_and_is_idempotent() {
        let long = "x".repeat(1000);
        let c = clean(&long);
        assert_eq!(c.chars().count(), MAX_SHOWN);
        assert!(c.ends_with('…'));
        assert_eq!(clean(&c), c);
        assert_eq!(clean_line("abcdef", 4), "abc…");
        assert_eq!(clean_line("abcd", 4), "abcd");
    }

    #[test]
    fn visible_keeps_layout_only() {
        assert_eq!(visible("a\nb\tc"), "a\nb\tc");
        assert_eq!(visible("a\r\n\u{1b}[31m"), "a\\u{d}\n\\u{1b}[31m");
        assert_eq!(visible("\u{85}\u{2067}"), "\\u{85}\\u{2067}");
    }

    #[test]
    fn json_visible_is_exact_data() {
        let raw = "m\u{1b}]0;t\u{7}\u{9b}\u{202e}\u{7f}";
        let json =
            serde_json::to_string_pretty(&serde_json::json!({ "m": raw, "n": [1] })).unwrap();
        let shown = json_visible(&json);
        assert!(!shown.chars().any(|c| is_unsafe(c) && c != '\n'), "{shown}");
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back["m"], raw);
    }

    #[test]
    fn command_safe_rejects_instead_of_cleaning() {
        assert_eq!(command_safe("main", 10).as_deref(), Some("main"));
        for bad in [
            "",
            "ma in",
            "main\u{1b}[201~",
            "m\u{202e}",
            "m\r",
            "toolong-value",
        ] {
            assert_eq!(command_safe(bad, 10), None, "{bad:?}");
        }
    }
}
