//! A token held in memory: never printed by `Debug`, wiped when dropped.

use zeroize::Zeroize;

/// A secret token. `Debug` and `Display` never show it; reading it takes an
/// explicit [`Secret::expose`], so every use is easy to find in review.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Takes a token as typed or piped in: surrounding whitespace is trimmed.
    pub fn new(raw: impl Into<String>) -> Secret {
        let mut raw = raw.into();
        let trimmed = raw.trim().to_string();
        raw.zeroize();
        Secret(trimmed)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The masked form shown wherever the secret would appear.
    pub fn masked(&self) -> String {
        crate::token::mask(&self.0)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_hides() {
        let s = Secret::new("  ATCTT3xFfGN0abcdefghijklmnop\n");
        assert_eq!(s.expose(), "ATCTT3xFfGN0abcdefghijklmnop");
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("abcdefghijklmnop"), "{dbg}");
    }
}
