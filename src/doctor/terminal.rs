//! What the full-screen app will have: a terminal it can draw on, and the
//! clipboards a copy goes to (OSC 52 through the terminal, the native one on
//! a display), with the multiplexer caveats.

use super::{Check, Status, shown};
use crate::tui::clipboard::Multiplexer;

pub(crate) const TERMINAL: &str = "terminal";
pub(crate) const CLIPBOARD: &str = "clipboard";

#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub term: Option<String>,
    /// Columns × rows, when stdout is a terminal.
    pub size: Option<(u16, u16)>,
    pub multiplexer: Option<Multiplexer>,
    /// `tmux show-options -gv set-clipboard`, inside tmux.
    pub tmux_set_clipboard: Option<String>,
    /// `BBTOKEN_CLIPBOARD`.
    pub setting: Option<String>,
    pub display: Option<String>,
    pub wayland: bool,
    /// Whether the X server on `display` answered; `None` when not tried.
    pub native: Option<Result<(), String>>,
}

pub fn checks(f: &Facts) -> Vec<Check> {
    vec![terminal(f), clipboard(f)]
}

fn terminal(f: &Facts) -> Check {
    let term = f.term.as_deref().map(shown);
    let base = |c: Check| {
        c.fact("term", term.clone())
            .fact("stdin_tty", f.stdin_tty)
            .fact("stdout_tty", f.stdout_tty)
    };
    match term.as_deref() {
        None | Some("") | Some("dumb") => {
            return base(Check::warn(
                TERMINAL,
                format!(
                    "TERM is {}: the full-screen app needs a terminal that understands escape sequences; the commands work anywhere",
                    term.as_deref()
                        .map(|t| format!("{t:?}"))
                        .unwrap_or_else(|| "not set".into())
                ),
                "run bbtoken in a terminal emulator (TERM=xterm-256color or similar)",
            ));
        }
        Some(_) => {}
    }
    let t = term.clone().unwrap_or_default();
    let detail = match (f.stdin_tty && f.stdout_tty, f.size) {
        (true, Some((cols, rows))) => {
            format!("TERM={t}, {cols}×{rows}: the full-screen app can run here")
        }
        (true, None) => format!("TERM={t}: the full-screen app can run here"),
        (false, _) => format!(
            "TERM={t}; doctor's input or output is not a terminal (piped), so the full-screen app would not start this way"
        ),
    };
    let c = base(Check::pass(TERMINAL, detail));
    match f.size {
        Some((cols, rows)) => c.fact("columns", cols).fact("rows", rows),
        None => c,
    }
}

fn clipboard(f: &Facts) -> Check {
    // (status, what, remedy): the worst status wins, the words add up.
    let mut notes: Vec<(Status, String, Option<String>)> = Vec::new();
    let osc52_only = f.setting.as_deref() == Some("osc52");
    match f.setting.as_deref() {
        None | Some("") | Some("osc52") => {}
        Some(other) => notes.push((
            Status::Warn,
            format!(
                "BBTOKEN_CLIPBOARD={:?} means nothing to bbtoken (only osc52 does)",
                shown(other)
            ),
            Some("unset BBTOKEN_CLIPBOARD, or set it to osc52".into()),
        )),
    }
    let native = if osc52_only {
        notes.push((
            Status::Pass,
            "copies go to the terminal's clipboard by OSC 52 only (BBTOKEN_CLIPBOARD=osc52)".into(),
            None,
        ));
        "off"
    } else if let Some(display) = f.display.as_deref().filter(|d| !d.is_empty()) {
        let d = shown(display);
        match &f.native {
            Some(Err(e)) => {
                notes.push((
                    Status::Warn,
                    format!("DISPLAY={d} is set but its X server did not answer ({}): copies go by OSC 52 only", shown(e)),
                    Some("check DISPLAY (and xauth over SSH), or set BBTOKEN_CLIPBOARD=osc52 to stop trying".into()),
                ));
                "unreachable"
            }
            _ => {
                notes.push((Status::Pass, format!("copies go to the X11 clipboard on DISPLAY={d} (kept out of clipboard history) and by OSC 52 to the terminal"), None));
                "x11"
            }
        }
    } else if f.wayland {
        notes.push((
            Status::Warn,
            "Wayland without X11 (DISPLAY is not set): bbtoken's native clipboard speaks X11, so copies go by OSC 52 only".into(),
            Some("run XWayland (so DISPLAY is set), or use a terminal that accepts OSC 52".into()),
        ));
        "none"
    } else {
        notes.push((Status::Pass, "no display (as over SSH): copies go to your terminal's clipboard by OSC 52; if pasting gives nothing, the terminal does not accept OSC 52".into(), None));
        "none"
    };
    match f.multiplexer {
        Some(Multiplexer::Tmux) => match f.tmux_set_clipboard.as_deref().map(str::trim) {
            Some("off") => notes.push((
                Status::Warn,
                "inside tmux with set-clipboard off: tmux drops OSC 52, so copies never reach the terminal".into(),
                Some("tmux set -g set-clipboard on".into()),
            )),
            _ => notes.push((
                Status::Warn,
                "inside tmux: it keeps its own copy of every OSC 52 copy, which bbtoken cannot clear".into(),
                Some(Multiplexer::Tmux.clear_command().to_string()),
            )),
        },
        Some(Multiplexer::Screen) => notes.push((
            Status::Warn,
            Multiplexer::Screen.copy_warning(),
            Some(Multiplexer::Screen.clear_command().to_string()),
        )),
        None => {}
    }
    let status = notes.iter().map(|n| n.0).max().unwrap_or(Status::Pass);
    let detail = notes
        .iter()
        .map(|n| n.1.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let remedies: Vec<String> = notes.iter().filter_map(|n| n.2.clone()).collect();
    let mut c = Check::new(CLIPBOARD, status, detail)
        .fact("native", native)
        .fact(
            "multiplexer",
            match f.multiplexer {
                Some(Multiplexer::Tmux) => Some("tmux"),
                Some(Multiplexer::Screen) => Some("screen"),
                None => None,
            },
        );
    if !remedies.is_empty() {
        c = c.remedy(remedies.join("; "));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            stdin_tty: true,
            stdout_tty: true,
            term: Some("xterm-256color".into()),
            size: Some((120, 40)),
            multiplexer: None,
            tmux_set_clipboard: None,
            setting: None,
            display: Some(":0".into()),
            wayland: false,
            native: Some(Ok(())),
        }
    }

    #[test]
    fn a_desktop_terminal_passes() {
        let c = checks(&facts());
        assert_eq!(c[0].status, Status::Pass);
        assert_eq!(
            c[0].detail,
            "TERM=xterm-256color, 120×40: the full-screen app can run here"
        );
        assert_eq!(c[1].status, Status::Pass);
        assert_eq!(c[1].facts["native"], "x11");
    }

    #[test]
    fn dumb_or_missing_term_warns() {
        let mut f = facts();
        f.term = Some("dumb".into());
        assert_eq!(checks(&f)[0].status, Status::Warn);
        f.term = None;
        assert!(checks(&f)[0].detail.contains("not set"));
    }

    #[test]
    fn clipboard_paths() {
        let mut f = facts();
        f.display = None;
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Pass);
        assert!(c.detail.contains("OSC 52"));
        f.wayland = true;
        assert_eq!(checks(&f)[1].status, Status::Warn);
        let mut f = facts();
        f.native = Some(Err("cannot open display".into()));
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.facts["native"], "unreachable");
        let mut f = facts();
        f.setting = Some("osc52".into());
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Pass);
        assert!(c.detail.contains("BBTOKEN_CLIPBOARD=osc52"));
        f.setting = Some("xclip\u{1b}[2J".into());
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert!(!c.detail.contains('\u{1b}'));
    }

    #[test]
    fn multiplexers_carry_their_caveat() {
        let mut f = facts();
        f.multiplexer = Some(Multiplexer::Tmux);
        f.tmux_set_clipboard = Some("off\n".into());
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.remedy.as_deref(), Some("tmux set -g set-clipboard on"));
        f.tmux_set_clipboard = Some("external".into());
        assert!(
            checks(&f)[1]
                .remedy
                .as_deref()
                .unwrap()
                .contains("tmux delete-buffer")
        );
        f.multiplexer = Some(Multiplexer::Screen);
        assert!(
            checks(&f)[1]
                .remedy
                .as_deref()
                .unwrap()
                .contains("screen -X")
        );
    }
}
