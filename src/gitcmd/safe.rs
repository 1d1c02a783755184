//! Which characters may never appear in a generated command, and the safe
//! form each input takes when it holds one. Server data and profile fields
//! are also cleaned where they come in; this is the second wall, so a command
//! a person pastes can never carry a byte that rewrites the terminal line
//! (ESC, CR, Ctrl-U, the end of a bracketed paste) or reorders what they read
//! (bidi controls).

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// The one definition of a dangerous character, shared with the text
/// cleaning of server data: C0, DEL, C1, bidi controls, U+2028/U+2029.
pub fn is_forbidden(c: char) -> bool {
    crate::text::is_unsafe(c)
}

pub fn has_forbidden(s: &str) -> bool {
    s.chars().any(is_forbidden)
}

/// A generated command's text: forbidden characters other than the newline
/// that separates commands (and continues a line after `\`).
pub fn text_has_forbidden(s: &str) -> bool {
    s.chars().any(|c| c != '\n' && is_forbidden(c))
}

/// Endpoints come from the environment. In a URL every forbidden character
/// has a percent-encoded form that means the same to the server and nothing
/// to a terminal, so encode exactly those and keep the rest as given (an
/// internationalised host name stays readable).
pub fn url_text(url: &str) -> String {
    if !has_forbidden(url) {
        return url.to_string();
    }
    // CONTROLS covers C0 and DEL; utf8_percent_encode always encodes the bytes
    // of non-ASCII characters, so only the forbidden ones are passed to it.
    const SET: &AsciiSet = CONTROLS;
    let mut out = String::with_capacity(url.len());
    let mut buf = [0u8; 4];
    for c in url.chars() {
        if is_forbidden(c) {
            out.extend(utf8_percent_encode(c.encode_utf8(&mut buf), SET));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_required_set_is_forbidden() {
        for c in (0u32..0x20).chain([0x7f]).chain(0x80..0xa0) {
            assert!(is_forbidden(char::from_u32(c).unwrap()), "{c:#x}");
        }
        for c in (0x202a..=0x202e).chain(0x2066..=0x2069) {
            assert!(is_forbidden(char::from_u32(c).unwrap()), "{c:#x}");
        }
        for c in ['a', ' ', '~', 'ü', '€', '\u{a0}', '*'] {
            assert!(!is_forbidden(c), "{c:?}");
        }
    }

    #[test]
    fn urls_keep_their_meaning() {
        assert_eq!(
            url_text("https://api.bitbucket.org/2.0"),
            "https://api.bitbucket.org/2.0"
        );
        assert_eq!(
            url_text("https://h\u{1b}[2J/x\u{9b}\u{202e}ü"),
            "https://h%1B[2J/x%C2%9B%E2%80%AEü"
        );
        assert!(!has_forbidden(&url_text("a\r\n\u{7f}\u{2069}b")));
    }

    #[test]
    fn command_text_keeps_its_newlines_and_nothing_else() {
        assert!(!text_has_forbidden("git clone x\ngit push"));
        assert!(text_has_forbidden("git clone x\u{1b}[2J"));
        assert!(text_has_forbidden("a\rb"));
        assert!(text_has_forbidden("a\u{202e}b"));
    }
}
