//! Keys to actions. What a key means depends on what is open: in a text
//! field letters are text; elsewhere they are commands. Pure, so the help
//! screen, the status bar and the tests all read the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{Action, App, OnboardStage, Overlay};

/// One line of the help screen: keys and what they do.
pub const HELP: &[(&str, &[(&str, &str)])] = &[
    (
        "Profiles",
        &[
            ("↑/↓  k/j", "move"),
            ("g/G  Home/End", "first / last"),
            ("PgUp/PgDn", "page"),
            ("J/K", "scroll the detail pane down / up"),
            ("/", "filter as you type (Enter keeps, Esc clears)"),
            ("s", "sort by name, status, expiry"),
            ("v", "validate the selected profile"),
            ("V", "validate all profiles"),
            ("Enter  c", "commands for the selected profile"),
            ("a", "add a profile"),
            ("e", "edit the selected profile"),
            ("r", "rotate: a new token, checked before it replaces"),
            ("d", "delete (asks first; removes the secret too)"),
            (
                "w",
                "where am I: this repository's remotes, helpers and the profile git gets",
            ),
            ("mouse", "click selects, wheel moves"),
            ("?", "this help (↑/↓ PgUp/PgDn scroll it)"),
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
            (
                "m",
                "mode: interactive → embedded token → helper (the default after setup-git)",
            ),
            ("R", "reveal / mask the token on screen"),
            ("t", "change the target repository (workspace/repo)"),
            (
                "o",
                "onboard a directory for this profile and target: git init, origin, bot email, bind, helper, push (asks first)",
            ),
            ("Esc", "close (masks the token again)"),
        ],
    ),
    (
        "Forms",
        &[
            ("Tab  ↓ / Shift-Tab  ↑", "next / previous field"),
            ("←/→  Space", "change the kind (on Kind)"),
            ("paste", "paste a token (bracketed paste)"),
            ("Enter", "save"),
            ("Esc", "cancel"),
        ],
    ),
];

/// The keys that matter now, for the status bar, in display order, each
/// with its rank: 0 always shows; when the line is too narrow the highest
/// ranks go first.
pub fn hints(app: &App) -> &'static [(&'static str, u8)] {
    match &app.overlay {
        Overlay::Help => &[
            ("Esc close help", 0),
            ("↑↓ PgUp/PgDn scroll", 1),
            ("q quit", 0),
        ],
        Overlay::Form(_) => &[
            ("Tab next field", 1),
            ("Enter save", 0),
            ("Esc cancel", 0),
            ("←→ kind", 2),
        ],
        Overlay::ConfirmDelete { .. } => &[("y delete", 0), ("n/Esc keep", 0)],
        Overlay::Here => &[("↑↓ scroll", 1), ("Esc close", 0), ("q quit", 0)],
        Overlay::Onboard(p) => match p.stage {
            OnboardStage::Edit => &[
                ("Tab field", 1),
                ("Space push on/off", 1),
                ("Enter next", 0),
                ("Esc cancel", 0),
            ],
            OnboardStage::Confirm => &[("y onboard", 0), ("n/Esc back", 0)],
            OnboardStage::Running | OnboardStage::Done { .. } => &[("Esc close", 0)],
        },
        Overlay::Commands(p) if p.target_input.is_some() => {
            &[("Enter set target", 0), ("Esc cancel", 0)]
        }
        Overlay::Commands(_) => &[
            ("↑↓ choose", 2),
            ("y copy", 1),
            ("m mode", 3),
            ("R reveal", 2),
            ("t target", 3),
            ("o onboard", 3),
            ("Esc close", 0),
        ],
        Overlay::None if app.filtering => {
            &[("type to filter", 1), ("Enter keep", 0), ("Esc clear", 0)]
        }
        Overlay::None => &[
            ("↑↓ move", 1),
            ("Enter commands", 1),
            ("v validate", 2),
            ("V all", 3),
            ("a add", 2),
            ("e edit", 3),
            ("r rotate", 4),
            ("d delete", 4),
            ("w where", 4),
            ("/ filter", 4),
            ("s sort", 5),
            ("J/K detail", 5),
            ("? help", 0),
            ("q quit", 0),
        ],
    }
}

/// The status line for `width` columns: every rank-0 hint (on the main
/// screen `? help` and `q quit`), then the others by rank while they fit,
/// shown in their own order.
pub fn footer(app: &App, width: usize) -> String {
    const SEP: usize = 3; // " · "
    let all = hints(app);
    let mut keep = vec![false; all.len()];
    let mut used = 0;
    let mut by_rank: Vec<usize> = (0..all.len()).collect();
    by_rank.sort_by_key(|&i| all[i].1);
    for i in by_rank {
        let (text, rank) = all[i];
        let w = text.chars().count() + if used == 0 { 0 } else { SEP };
        if rank == 0 || used + w <= width {
            keep[i] = true;
            used += w;
        }
    }
    all.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|((t, _), _)| *t)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Whether a text field has the keyboard: letters are text, not commands.
fn typing(app: &App) -> bool {
    match &app.overlay {
        Overlay::Form(_) => true,
        Overlay::Commands(p) => p.target_input.is_some(),
        Overlay::Onboard(p) => p.typing(),
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
        KeyCode::Left => Some(Action::Left),
        KeyCode::Right => Some(Action::Right),
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
    // Its keys are letters (y/n, Space for the push toggle).
    if let Overlay::Onboard(_) = app.overlay {
        return Some(Action::Input(c));
    }
    if app.overlay == Overlay::Here {
        return match c {
            'w' => Some(Action::OpenHere),
            'q' => Some(Action::Quit),
            'k' => Some(Action::Up),
            'j' => Some(Action::Down),
            _ => None,
        };
    }
    if let Overlay::Commands(_) = app.overlay {
        return match c {
            'k' => Some(Action::Up),
            'j' => Some(Action::Down),
            'y' | 'c' => Some(Action::Copy),
            'm' => Some(Action::ToggleMode),
            'R' => Some(Action::ToggleReveal),
            't' => Some(Action::EditTarget),
            'o' => Some(Action::OpenOnboard),
            'q' => Some(Action::Back),
            '?' => None,
            _ => None,
        };
    }
    Some(match c {
        'q' => Action::Quit,
        'k' => Action::Up,
        'j' => Action::Down,
        'K' => Action::DetailUp,
        'J' => Action::DetailDown,
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
        'w' => Action::OpenHere,
        '?' => Action::ToggleHelp,
        _ => return None,
    })
}
