//! Clipboards: OSC 52 always (the terminal sets its clipboard, which also
//! works over SSH), and the native clipboard where there is one. Native calls
//! run on a blocking thread with a timeout: a clipboard daemon can hang.

use std::time::Duration;

use base64::Engine;

use crate::secret::Secret;

const NATIVE_TIMEOUT: Duration = Duration::from_secs(2);

/// The escape sequence that asks the terminal to set its clipboard to `text`.
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{b64}\x07")
}

/// Whether to try the native clipboard. `BBTOKEN_CLIPBOARD=osc52` turns it
/// off; without a display server there is none to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clipboard {
    pub native: bool,
}

impl Clipboard {
    pub fn from_env() -> Clipboard {
        let off = std::env::var("BBTOKEN_CLIPBOARD").is_ok_and(|v| v == "osc52");
        let display = if cfg!(target_os = "linux") {
            std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty())
        } else {
            true
        };
        Clipboard {
            native: !off && display,
        }
    }

    pub fn osc52_only() -> Clipboard {
        Clipboard { native: false }
    }

    /// Sets the native clipboard; false when there is none or it failed.
    pub async fn set(&self, text: &Secret) -> bool {
        if !self.native {
            return false;
        }
        let text = text.clone();
        native(move |cb| cb.set_text(text.expose().to_string()).is_ok())
            .await
            .unwrap_or(false)
    }

    /// Empties the native clipboard if it still holds `text`.
    pub async fn clear_if_holds(&self, text: &Secret) {
        if !self.native {
            return;
        }
        let text = text.clone();
        let _ = native(move |cb| {
            if cb.get_text().is_ok_and(|now| now == text.expose()) {
                let _ = cb.set_text(String::new());
            }
        })
        .await;
    }
}

async fn native<T: Send + 'static>(
    f: impl FnOnce(&mut arboard::Clipboard) -> T + Send + 'static,
) -> Option<T> {
    let job = tokio::task::spawn_blocking(move || {
        arboard::Clipboard::new().ok().map(|mut cb| f(&mut cb))
    });
    tokio::time::timeout(NATIVE_TIMEOUT, job).await.ok()?.ok()?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_encodes_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
