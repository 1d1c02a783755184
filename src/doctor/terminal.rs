//! What the full-screen app will have: a terminal it can draw on, and the
//! clipboards a copy goes to (OSC 52 through the terminal, the native one on
//! a display), with the multiplexer caveats.

use super::{Check, Status, join, shown};
use crate::i18n::{Said, say, tr};
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
            let value = || match term.as_deref() {
                Some(t) => format!("{t:?}"),
                None => tr!("doctor.terminal.unset").into_owned(),
            };
            return base(Check::warn(
                TERMINAL,
                say!("doctor.terminal.dumb", value = value()),
                say!("doctor.terminal.dumb_fix"),
            ));
        }
        Some(_) => {}
    }
    let t = term.clone().unwrap_or_default();
    let detail = match (f.stdin_tty && f.stdout_tty, f.size) {
        (true, Some((cols, rows))) => say!(
            "doctor.terminal.sized",
            term = t,
            columns = cols,
            rows = rows
        ),
        (true, None) => say!("doctor.terminal.ok", term = t),
        (false, _) => say!("doctor.terminal.piped", term = t),
    };
    let c = base(Check::pass(TERMINAL, detail));
    match f.size {
        Some((cols, rows)) => c.fact("columns", cols).fact("rows", rows),
        None => c,
    }
}

fn clipboard(f: &Facts) -> Check {
    // (status, what, remedy): the worst status wins, the words add up.
    let mut notes: Vec<(Status, Said, Option<Said>)> = Vec::new();
    let osc52_only = f.setting.as_deref() == Some("osc52");
    match f.setting.as_deref() {
        None | Some("") | Some("osc52") => {}
        Some(other) => notes.push((
            Status::Warn,
            say!(
                "doctor.clipboard.bad_setting",
                value = format!("{:?}", shown(other))
            ),
            Some(say!("doctor.clipboard.bad_setting_fix")),
        )),
    }
    let native = if osc52_only {
        notes.push((Status::Pass, say!("doctor.clipboard.osc52_only"), None));
        "off"
    } else if let Some(display) = f.display.as_deref().filter(|d| !d.is_empty()) {
        let d = shown(display);
        match &f.native {
            Some(Err(e)) => {
                notes.push((
                    Status::Warn,
                    say!("doctor.clipboard.x11_silent", display = d, error = shown(e)),
                    Some(say!("doctor.clipboard.x11_silent_fix")),
                ));
                "unreachable"
            }
            _ => {
                notes.push((
                    Status::Pass,
                    say!("doctor.clipboard.x11", display = d),
                    None,
                ));
                "x11"
            }
        }
    } else if f.wayland {
        notes.push((
            Status::Warn,
            say!("doctor.clipboard.wayland"),
            Some(say!("doctor.clipboard.wayland_fix")),
        ));
        "none"
    } else {
        notes.push((Status::Pass, say!("doctor.clipboard.no_display"), None));
        "none"
    };
    match f.multiplexer {
        Some(Multiplexer::Tmux) => match f.tmux_set_clipboard.as_deref().map(str::trim) {
            Some("off") => notes.push((
                Status::Warn,
                say!("doctor.clipboard.tmux_off"),
                Some(Said::verbatim("tmux set -g set-clipboard on")),
            )),
            _ => notes.push((
                Status::Warn,
                say!("doctor.clipboard.tmux"),
                Some(Said::new(|| Multiplexer::Tmux.clear_command())),
            )),
        },
        Some(Multiplexer::Screen) => notes.push((
            Status::Warn,
            Said::new(|| Multiplexer::Screen.copy_warning()),
            Some(Said::new(|| Multiplexer::Screen.clear_command())),
        )),
        None => {}
    }
    let status = notes.iter().map(|n| n.0).max().unwrap_or(Status::Pass);
    let detail = join(notes.iter().map(|n| &n.1));
    let remedies: Vec<&Said> = notes.iter().filter_map(|n| n.2.as_ref()).collect();
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
        c = c.remedy(join(remedies));
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
            c[0].detail.en,
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
        assert!(checks(&f)[0].detail.en.contains("not set"));
    }

    #[test]
    fn clipboard_paths() {
        let mut f = facts();
        f.display = None;
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Pass);
        assert!(c.detail.en.contains("OSC 52"));
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
        assert!(c.detail.en.contains("BBTOKEN_CLIPBOARD=osc52"));
        f.setting = Some("xclip\u{1b}[2J".into());
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert!(!c.detail.en.contains('\u{1b}'));
    }

    #[test]
    fn multiplexers_carry_their_caveat() {
        let mut f = facts();
        f.multiplexer = Some(Multiplexer::Tmux);
        f.tmux_set_clipboard = Some("off\n".into());
        let c = &checks(&f)[1];
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.remedy.as_ref().map(|r| r.en.as_str()),
            Some("tmux set -g set-clipboard on")
        );
        f.tmux_set_clipboard = Some("external".into());
        assert!(
            checks(&f)[1]
                .remedy
                .as_ref()
                .unwrap()
                .en
                .contains("tmux delete-buffer")
        );
        f.multiplexer = Some(Multiplexer::Screen);
        assert!(
            checks(&f)[1]
                .remedy
                .as_ref()
                .unwrap()
                .en
                .contains("screen -X")
        );
    }
}
