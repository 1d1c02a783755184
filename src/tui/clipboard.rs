//! Clipboards: OSC 52 always (the terminal sets its clipboard, which also
//! works over SSH), and the native clipboard where there is one.
//!
//! The native clipboard is one `arboard::Clipboard` for the whole session,
//! owned by a worker thread fed through a channel. On X11 and Wayland the
//! process that set the clipboard serves it: dropping the instance after each
//! copy (as bbtoken once did) either made the copy vanish at once or handed
//! it to a clipboard manager, which kept it in its history past the 30 s
//! clear. Every copy is marked to stay out of clipboard history and
//! monitoring (`x-kde-passwordManagerHint` on Linux, the nspasteboard
//! convention on macOS, ExcludeClipboardContentFromMonitorProcessing on
//! Windows). Each call waits at most `NATIVE_TIMEOUT`, as a clipboard daemon
//! can hang; while a call is stuck past that, new calls give up at once.

use crate::i18n::tr;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;

use crate::secret::Secret;

const NATIVE_TIMEOUT: Duration = Duration::from_secs(2);

/// The escape sequence that asks the terminal to set its clipboard to `text`.
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{b64}\x07")
}

/// A terminal multiplexer between bbtoken and the terminal. tmux with
/// `set-clipboard on` stores every OSC 52 copy in a paste buffer of its own
/// (seen with tmux 3.3a: `tmux list-buffers` shows it), and the empty OSC 52
/// that clears the terminal's clipboard leaves that buffer as it was. GNU
/// screen 4.9 drops OSC 52 (neither passed to the terminal nor kept: seen
/// with screen inside tmux and `writebuf`); other versions or setups may
/// keep it in screen's paste buffer. bbtoken cannot clear a multiplexer's
/// copy, so it says so, with the command that does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplexer {
    Tmux,
    Screen,
}

impl Multiplexer {
    /// From the environment: tmux sets `TMUX`, screen sets `STY`.
    pub fn from_env() -> Option<Multiplexer> {
        Self::detect(|k| std::env::var_os(k).filter(|v| !v.is_empty()).is_some())
    }

    /// `is_set(name)`: whether that variable is set and not empty.
    pub(crate) fn detect(is_set: impl Fn(&str) -> bool) -> Option<Multiplexer> {
        if is_set("TMUX") {
            Some(Multiplexer::Tmux)
        } else if is_set("STY") {
            Some(Multiplexer::Screen)
        } else {
            None
        }
    }

    /// Said with a copy that holds the token.
    pub(crate) fn copy_warning(self) -> String {
        match self {
            Multiplexer::Tmux => tr!("clipboard.tmux_keeps", clear = self.clear_command()),
            Multiplexer::Screen => tr!("clipboard.screen_keeps", clear = self.clear_command()),
        }
        .into_owned()
    }

    /// Said after the 30 s clear: only what is known.
    pub(crate) fn cleared_text(self) -> String {
        match self {
            Multiplexer::Tmux => tr!("clipboard.tmux_cleared"),
            Multiplexer::Screen => tr!("clipboard.screen_cleared"),
        }
        .into_owned()
    }

    /// How the user removes the multiplexer's copy.
    pub(crate) fn clear_command(self) -> String {
        match self {
            // `delete-buffer` without -b deletes the newest buffer, which is
            // the copy unless something was copied in tmux since.
            Multiplexer::Tmux => tr!("clipboard.tmux_clear"),
            // `register . TEXT` sets screen's paste buffer (seen with 4.9:
            // `writebuf` then writes TEXT).
            Multiplexer::Screen => tr!("clipboard.screen_clear"),
        }
        .into_owned()
    }
}

/// Whether to try the native clipboard, and the session's handle on it.
/// `BBTOKEN_CLIPBOARD=osc52` turns it off; without a display server there is
/// none to try. Clones share the one native clipboard.
#[derive(Debug, Clone)]
pub struct Clipboard {
    pub native: bool,
    worker: Arc<OnceLock<Worker>>,
}

impl Clipboard {
    pub fn from_env() -> Clipboard {
        let off = std::env::var("BBTOKEN_CLIPBOARD").is_ok_and(|v| v == "osc52");
        let display = if cfg!(target_os = "linux") {
            // arboard is built for X11 only (no Wayland data-control).
            std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty())
        } else {
            true
        };
        Clipboard {
            native: !off && display,
            worker: Arc::default(),
        }
    }

    pub fn osc52_only() -> Clipboard {
        Clipboard {
            native: false,
            worker: Arc::default(),
        }
    }

    /// Sets the native clipboard; false when there is none or it failed.
    pub async fn set(&self, text: &Secret) -> bool {
        if !self.native {
            return false;
        }
        let text = text.clone();
        self.run(move |cb| set_private(cb, text.expose()).is_ok())
            .await
            .unwrap_or(false)
    }

    /// Empties the native clipboard if it still holds `text`.
    pub(crate) async fn clear_if_holds(&self, text: &Secret) {
        if !self.native {
            return;
        }
        let text = text.clone();
        let _ = self
            .run(move |cb| {
                if cb.get_text().is_ok_and(|now| now == text.expose()) {
                    let _ = set_private(cb, "");
                }
            })
            .await;
    }

    /// Runs `f` on the session's clipboard, started on first use.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut arboard::Clipboard) -> T + Send + 'static,
    ) -> Option<T> {
        let worker = match self.worker.get() {
            Some(w) => w,
            None => {
                let w = Worker::start()?;
                // Another task may have won the race: use whichever is in.
                let _ = self.worker.set(w);
                self.worker.get()?
            }
        };
        if worker.busy_for().is_some_and(|d| d >= NATIVE_TIMEOUT) {
            return None;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |cb| {
            if !tx.is_closed() {
                let _ = tx.send(f(cb));
            }
        });
        worker
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(job)
            .ok()?;
        tokio::time::timeout(NATIVE_TIMEOUT, rx).await.ok()?.ok()
    }
}

/// Sets the text with the hints that keep it out of clipboard history and
/// monitoring.
fn set_private(cb: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    let set = cb.set();
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    let set = {
        #[cfg(target_os = "macos")]
        use arboard::SetExtApple;
        #[cfg(target_os = "linux")]
        use arboard::SetExtLinux;
        set.exclude_from_history()
    };
    #[cfg(target_os = "windows")]
    let set = {
        use arboard::SetExtWindows;
        set.exclude_from_monitoring()
    };
    set.text(text.to_string())
}

type Job = Box<dyn FnOnce(&mut arboard::Clipboard) + Send>;

/// The thread that owns the session's `arboard::Clipboard`. Never joined:
/// the process exits with it still running.
struct Worker {
    jobs: Mutex<Sender<Job>>,
    running_since: Arc<Mutex<Option<Instant>>>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("clipboard::Worker")
    }
}

impl Worker {
    fn start() -> Option<Worker> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let running_since = Arc::new(Mutex::new(None));
        let running = running_since.clone();
        std::thread::Builder::new()
            .name("bbtoken-clipboard".into())
            .spawn(move || {
                // Made once, kept for the session; retried if it failed.
                let mut clipboard: Option<arboard::Clipboard> = None;
                while let Ok(job) = rx.recv() {
                    *running.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
                    if clipboard.is_none() {
                        clipboard = arboard::Clipboard::new().ok();
                    }
                    // No clipboard: dropping the job tells the caller.
                    if let Some(cb) = clipboard.as_mut() {
                        job(cb);
                    }
                    *running.lock().unwrap_or_else(|p| p.into_inner()) = None;
                }
            })
            .ok()?;
        Some(Worker {
            jobs: Mutex::new(tx),
            running_since,
        })
    }

    fn busy_for(&self) -> Option<Duration> {
        self.running_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|t| t.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_encodes_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn tmux_and_screen_are_told_apart_by_their_variables() {
        let env = |set: &'static [&'static str]| move |k: &str| set.contains(&k);
        assert_eq!(Multiplexer::detect(env(&[])), None);
        assert_eq!(Multiplexer::detect(env(&["TMUX"])), Some(Multiplexer::Tmux));
        assert_eq!(
            Multiplexer::detect(env(&["STY"])),
            Some(Multiplexer::Screen)
        );
        // Both set (one inside the other): tmux is named, the one known to
        // keep a copy.
        assert_eq!(
            Multiplexer::detect(env(&["TMUX", "STY"])),
            Some(Multiplexer::Tmux)
        );
    }

    #[test]
    fn the_messages_name_the_command_and_never_claim_the_copy_is_gone() {
        for m in [Multiplexer::Tmux, Multiplexer::Screen] {
            let all = format!(
                "{} {} {}",
                m.copy_warning(),
                m.cleared_text(),
                m.clear_command()
            );
            assert!(!all.contains("no longer holds"), "{all}");
            assert!(m.cleared_text().contains("may still hold"));
        }
        assert!(
            Multiplexer::Tmux
                .copy_warning()
                .contains("tmux delete-buffer")
        );
        assert!(
            Multiplexer::Screen
                .copy_warning()
                .contains("screen -X register")
        );
    }

    #[tokio::test]
    async fn osc52_only_never_starts_a_thread() {
        let c = Clipboard::osc52_only();
        assert!(!c.set(&Secret::new("x")).await);
        assert!(c.worker.get().is_none());
    }
}
