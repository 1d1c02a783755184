//! Opening a token's page in the user's browser.
//!
//! Only a graphical browser: the app owns the terminal, so a text browser
//! started on it would fight the app for the screen. Without a display the
//! app shows the URL for copying instead. The URL comes from `links`, built
//! from checked fields, and must start with `https://`, so as an argument it
//! never reads as an option.

use crate::i18n::tr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for the opener to report a failure. xdg-open and open
/// return once the browser has been asked; an opener that runs the browser
/// itself keeps running, which counts as opened.
const WAIT: Duration = Duration::from_secs(3);

/// Starts the browser on `url`, or says why it could not.
pub fn open(url: &str) -> Result<(), String> {
    if !url.starts_with("https://") || crate::text::has_unsafe(url) {
        return Err(tr!("browser.not_web").into_owned());
    }
    let program = opener(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))?;
    let mut child = Command::new(program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| tr!("browser.cannot_start", program = program, why = e).into_owned())?;
    let start = Instant::now();
    while start.elapsed() < WAIT {
        match child.try_wait() {
            Ok(Some(s)) if s.success() => return Ok(()),
            Ok(Some(s)) => {
                return Err(tr!("browser.failed", program = program, status = s).into_owned());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("{program}: {e}")),
        }
    }
    // Still running: reaped on a thread, so it leaves no zombie.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// The program that opens a URL in a graphical browser here, given which
/// environment variables are set and non-empty.
fn opener(set: impl Fn(&str) -> bool) -> Result<&'static str, String> {
    if cfg!(target_os = "macos") {
        return Ok("open");
    }
    if set("DISPLAY") || set("WAYLAND_DISPLAY") {
        Ok("xdg-open")
    } else {
        Err(tr!("browser.no_display").into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_display_no_browser() {
        if cfg!(target_os = "macos") {
            return;
        }
        assert!(opener(|_| false).is_err());
        assert_eq!(opener(|v| v == "WAYLAND_DISPLAY"), Ok("xdg-open"));
        assert_eq!(opener(|v| v == "DISPLAY"), Ok("xdg-open"));
    }

    #[test]
    fn only_web_addresses_are_opened() {
        for bad in [
            "-x",
            "file:///etc/passwd",
            "https://a\u{1b}]8;;",
            "http://x",
        ] {
            assert_eq!(open(bad), Err("not a web address".into()), "{bad:?}");
        }
    }
}
