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
    pub async fn clear_if_holds(&self, text: &Secret) {
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

    #[tokio::test]
    async fn osc52_only_never_starts_a_thread() {
        let c = Clipboard::osc52_only();
        assert!(!c.set(&Secret::new("x")).await);
        assert!(c.worker.get().is_none());
    }
}
