//! Keys to actions. What a key means depends on what is open: in a text
//! field letters are text; elsewhere they are commands. Pure, so the help
//! screen, the status bar and the tests all read the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{Action, App, Overlay};

/// One line of the help screen: keys and what they do.
pub const HELP: &[(&str, &[(&str, &str)])] = &[
    (
        "Profiles",
        &[
            ("↑/↓  k/j", "move"),
            ("g/G  Home/End", "first / last"),
            ("PgUp/PgDn", "page"),
            ("/", "filter as you type (Enter keeps, Esc clears)"),
            ("s", "sort by name, status, expiry"),
            ("v", "validate the selected profile"),
            ("V", "validate all profiles"),
            ("Enter  c", "commands for the selected profile"),
            ("a", "add a profile"),
            ("e", "edit the selected profile"),
            ("r", "rotate: replace its token, then validate"),
            ("d", "delete (asks first; removes the secret too)"),
            ("mouse", "click selects, wheel moves"),
            ("?", "this help"),
            ("q  Ctrl-C", "quit"),
        ],
    ),
    (
        "Commands panel",
        &[
            ("↑/↓  k/j", "choose a command"),
            (
                "y  Enter",
                "copy it (the token is fetched for the copy only)",
            ),
            ("m", "interactive ⇄ embedded token"),
            ("R", "reveal / mask the token on screen"),
            ("t", "change the target repository (workspace/repo)"),
            ("Esc", "close (masks the token again)"),
        ],
    ),
    (
        "Forms",
        &[
            ("Tab  ↓ / Shift-Tab  ↑", "next / previous field"),
            ("Space", "change the kind (on Kind)"),
            ("paste", "paste a token (bracketed paste)"),
            ("Enter", "save"),
            ("Esc", "cancel"),
        ],
    ),
];

/// The keys that matter now, for the status bar.
pub fn hints(app: &App) -> &'static str {
    match &app.overlay {
        Overlay::Help => "Esc close help",
        Overlay::Form(_) => "Tab next field · Enter save · Esc cancel",
        Overlay::ConfirmDelete { .. } => "y delete · n/Esc keep",
        Overlay::Commands(p) if p.target_input.is_some() => "Enter set target · Esc cancel",
        Overlay::Commands(_) => "↑↓ choose · y copy · m mode · R reveal · t target · Esc close",
        Overlay::None if app.filtering => "type to filter · Enter keep · Esc clear",
        Overlay::None => {
            "↑↓ move · Enter commands · v validate · V all · a add · e edit · r rotate · d delete · / filter · s sort · ? help · q quit"
        }
    }
}

/// Whether a text field has the keyboard: letters are text, not commands.
fn typing(app: &App) -> bool {
    match &app.overlay {
        Overlay::Form(_) => true,
        Overlay::Commands(p) => p.target_input.is_some(),
        Overlay::None => app.filtering,
        _ => false,
    }
}

pub fn key(app: &App, k: KeyEvent) -> Option<Action> {
    if k.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(k.code, KeyCode::Char('c') | KeyCode::Char('q')) {
        return Some(Action::Quit);
    }
    let common = match k.code {
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::Enter => Some(Action::Confirm),
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Tab => Some(Action::NextField),
        KeyCode::BackTab => Some(Action::PrevField),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Home => Some(Action::Top),
        KeyCode::End => Some(Action::Bottom),
        _ => None,
    };
    if common.is_some() {
        return common;
    }
    let KeyCode::Char(c) = k.code else {
        return None;
    };
    if ctrl {
        return None;
    }
    if typing(app) {
        return Some(Action::Input(c));
    }
    if let Overlay::ConfirmDelete { .. } = app.overlay {
        return Some(Action::Input(c));
    }
    if let Overlay::Commands(_) = app.overlay {
        return match c {
            'k' => Some(Action::Up),
            'j' => Some(Action::Down),
            'y' | 'c' => Some(Action::Copy),
            'm' => Some(Action::ToggleMode),
            'R' => Some(Action::ToggleReveal),
            't' => Some(Action::EditTarget),
            'q' => Some(Action::Back),
            '?' => None,
            _ => None,
        };
    }
    Some(match c {
        'q' => Action::Quit,
        'k' => Action::Up,
        'j' => Action::Down,
        'g' => Action::Top,
        'G' => Action::Bottom,
        '/' => Action::StartFilter,
        's' => Action::CycleSort,
        'v' => Action::ValidateSelected,
        'V' => Action::ValidateAll,
        'c' => Action::OpenCommands,
        'a' => Action::OpenAdd,
        'e' => Action::OpenEdit,
        'r' => Action::OpenRotate,
        'd' => Action::AskDelete,
        '?' => Action::ToggleHelp,
        _ => return None,
    })
}
