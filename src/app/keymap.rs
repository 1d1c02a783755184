//! Keys to actions, in one table. What a key means depends on what is open
//! (the [`Context`]): in a text field letters are text; elsewhere they are
//! commands. The help screen, the status line's hints and the key dispatch
//! all read [`BINDINGS`], so a key cannot work without being listed, nor be
//! listed without working. Pure, so the tests read the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{Action, App, OnboardStage, Overlay};

/// What has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Every screen, text fields included.
    Anywhere,
    /// The profile list, nothing open.
    List,
    /// Typing a filter over the list.
    Filter,
    Help,
    Commands,
    /// The commands panel's target field.
    Target,
    Form,
    Delete,
    Here,
    /// Onboarding: the directory and push fields.
    Onboard,
    /// Onboarding: the last question before it runs.
    OnboardConfirm,
    /// Onboarding: running or done.
    OnboardDone,
}

impl Context {
    /// The heading of the context's keys on the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Anywhere => "Anywhere",
            Context::List => "Profiles",
            Context::Filter => "Filter",
            Context::Help => "This help",
            Context::Commands => "Commands panel",
            Context::Target => "Commands panel: target",
            Context::Form => "Forms",
            Context::Delete => "Delete",
            Context::Here => "Where am I",
            Context::Onboard => "Onboarding",
            Context::OnboardConfirm => "Onboarding: confirm",
            Context::OnboardDone => "Onboarding: running or done",
        }
    }
}

/// The contexts in the order the help screen lists them.
pub const HELP_ORDER: &[Context] = &[
    Context::List,
    Context::Filter,
    Context::Commands,
    Context::Target,
    Context::Form,
    Context::Delete,
    Context::Here,
    Context::Onboard,
    Context::OnboardConfirm,
    Context::OnboardDone,
    Context::Help,
    Context::Anywhere,
];

/// A key, as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPattern {
    /// One character typed without Ctrl (Shift is part of the character).
    Char(&'static str),
    /// Ctrl and a letter, named as shown ("Ctrl-C").
    Ctrl(&'static str),
    Code(KeyCode),
    /// Any other character typed without Ctrl: text for the field.
    AnyChar,
}

impl KeyPattern {
    fn matches(self, k: &KeyEvent) -> bool {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match (self, k.code) {
            (KeyPattern::Char(s), KeyCode::Char(c)) => !ctrl && s.chars().eq([c]),
            (KeyPattern::Ctrl(s), KeyCode::Char(c)) => {
                ctrl && s.chars().last().is_some_and(|l| l.eq_ignore_ascii_case(&c))
            }
            (KeyPattern::AnyChar, KeyCode::Char(_)) => !ctrl,
            (KeyPattern::Code(code), got) => code == got,
            _ => false,
        }
    }

    /// How the key is written in help and remedies.
    pub fn name(self) -> &'static str {
        match self {
            KeyPattern::Char(s) | KeyPattern::Ctrl(s) => s,
            KeyPattern::AnyChar => "letters",
            KeyPattern::Code(c) => match c {
                KeyCode::Up => "↑",
                KeyCode::Down => "↓",
                KeyCode::Left => "←",
                KeyCode::Right => "→",
                KeyCode::Enter => "Enter",
                KeyCode::Esc => "Esc",
                KeyCode::Backspace => "Backspace",
                KeyCode::Tab => "Tab",
                KeyCode::BackTab => "Shift-Tab",
                KeyCode::PageUp => "PgUp",
                KeyCode::PageDown => "PgDn",
                KeyCode::Home => "Home",
                KeyCode::End => "End",
                _ => "?",
            },
        }
    }
}

/// What a key does: an action, or the typed character as text.
// Only in the static table, never moved: the size of Action costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq)]
pub enum Does {
    Act(Action),
    /// `Action::Input` with the character typed.
    Type,
}

/// A hint on the status line: its words, and its rank (0 always shows;
/// when the line is too narrow the highest ranks go first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub text: &'static str,
    pub rank: u8,
}

/// One row of the table: some keys of one context, how the help names
/// them (`label`) and what it says they do (`help`), and the status line's
/// hint, if any. A row without keys is help only (the mouse, a paste).
#[derive(Debug)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [(KeyPattern, Does)],
    pub label: &'static str,
    pub help: &'static str,
    pub hint: Option<Hint>,
}

use Context as C;
use Does::{Act, Type};
use KeyPattern::{AnyChar, Char, Code, Ctrl};

const fn hint(text: &'static str, rank: u8) -> Option<Hint> {
    Some(Hint { text, rank })
}

/// Within a context the first matching key wins, so `AnyChar` comes last.
/// Within the list, rows go in the order of the status line's hints.
pub static BINDINGS: &[Binding] = &[
    Binding {
        context: C::Anywhere,
        keys: &[
            (Ctrl("Ctrl-C"), Act(Action::Quit)),
            (Ctrl("Ctrl-Q"), Act(Action::Quit)),
        ],
        label: "Ctrl-C  Ctrl-Q",
        help: "quit, from any screen (even in a text field)",
        hint: None,
    },
    // The profile list.
    Binding {
        context: C::List,
        keys: &[
            (Code(KeyCode::Up), Act(Action::Up)),
            (Code(KeyCode::Down), Act(Action::Down)),
            (Char("k"), Act(Action::Up)),
            (Char("j"), Act(Action::Down)),
        ],
        label: "↑/↓  k/j",
        help: "move",
        hint: hint("↑↓ move", 1),
    },
    Binding {
        context: C::List,
        keys: &[
            (Code(KeyCode::Enter), Act(Action::Confirm)),
            (Char("c"), Act(Action::OpenCommands)),
        ],
        label: "Enter  c",
        help: "commands for the selected profile",
        hint: hint("Enter commands", 1),
    },
    Binding {
        context: C::List,
        keys: &[(Char("v"), Act(Action::ValidateSelected))],
        label: "v",
        help: "validate the selected profile",
        hint: hint("v validate", 2),
    },
    Binding {
        context: C::List,
        keys: &[(Char("V"), Act(Action::ValidateAll))],
        label: "V",
        help: "validate all profiles",
        hint: hint("V all", 3),
    },
    Binding {
        context: C::List,
        keys: &[(Char("a"), Act(Action::OpenAdd))],
        label: "a",
        help: "add a profile",
        hint: hint("a add", 2),
    },
    Binding {
        context: C::List,
        keys: &[(Char("e"), Act(Action::OpenEdit))],
        label: "e",
        help: "edit the selected profile",
        hint: hint("e edit", 3),
    },
    Binding {
        context: C::List,
        keys: &[(Char("r"), Act(Action::OpenRotate))],
        label: "r",
        help: "rotate: a new token, checked before it replaces",
        hint: hint("r rotate", 4),
    },
    Binding {
        context: C::List,
        keys: &[(Char("d"), Act(Action::AskDelete))],
        label: "d",
        help: "delete (asks first; removes the secret too)",
        hint: hint("d delete", 4),
    },
    Binding {
        context: C::List,
        keys: &[(Char("o"), Act(Action::OpenTokenPage))],
        label: "o",
        help: "open the token's page in Bitbucket (create, rotate, revoke); shows the URL when no browser",
        hint: hint("o page", 5),
    },
    Binding {
        context: C::List,
        keys: &[(Char("b"), Act(Action::AcceptBotEmail))],
        label: "b",
        help: "accept the bot email the clone link suggests",
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[(Char("f"), Act(Action::FixKind))],
        label: "f",
        help: "fix the kind to the one Bitbucket reports (opens the edit form)",
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[(Char("w"), Act(Action::OpenHere))],
        label: "w",
        help: "where am I: this repository's remotes, helpers and the profile git gets",
        hint: hint("w where", 4),
    },
    Binding {
        context: C::List,
        keys: &[(Char("/"), Act(Action::StartFilter))],
        label: "/",
        help: "filter as you type (Enter keeps, Esc clears)",
        hint: hint("/ filter", 4),
    },
    Binding {
        context: C::List,
        keys: &[(Char("s"), Act(Action::CycleSort))],
        label: "s",
        help: "sort by name, status, expiry",
        hint: hint("s sort", 5),
    },
    Binding {
        context: C::List,
        keys: &[
            (Char("J"), Act(Action::DetailDown)),
            (Char("K"), Act(Action::DetailUp)),
        ],
        label: "J/K",
        help: "scroll the detail pane down / up",
        hint: hint("J/K detail", 5),
    },
    Binding {
        context: C::List,
        keys: &[
            (Char("g"), Act(Action::Top)),
            (Char("G"), Act(Action::Bottom)),
            (Code(KeyCode::Home), Act(Action::Top)),
            (Code(KeyCode::End), Act(Action::Bottom)),
        ],
        label: "g/G  Home/End",
        help: "first / last",
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[
            (Code(KeyCode::PageUp), Act(Action::PageUp)),
            (Code(KeyCode::PageDown), Act(Action::PageDown)),
        ],
        label: "PgUp/PgDn",
        help: "page",
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: "clear the filter, else the message at the bottom",
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[],
        label: "mouse",
        help: "click selects, wheel moves",
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[(Char("?"), Act(Action::ToggleHelp))],
        label: "?",
        help: "this help",
        hint: hint("? help", 0),
    },
    Binding {
        context: C::List,
        keys: &[(Char("q"), Act(Action::Quit))],
        label: "q",
        help: "quit",
        hint: hint("q quit", 0),
    },
    // Typing a filter.
    Binding {
        context: C::Filter,
        keys: &[(Code(KeyCode::Enter), Act(Action::Confirm))],
        label: "Enter",
        help: "keep the filter",
        hint: hint("Enter keep", 0),
    },
    Binding {
        context: C::Filter,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: "clear the filter",
        hint: hint("Esc clear", 0),
    },
    Binding {
        context: C::Filter,
        keys: &[
            (Code(KeyCode::Up), Act(Action::Up)),
            (Code(KeyCode::Down), Act(Action::Down)),
        ],
        label: "↑/↓",
        help: "keep the filter and move",
        hint: None,
    },
    Binding {
        context: C::Filter,
        keys: &[(Code(KeyCode::Backspace), Act(Action::Backspace))],
        label: "Backspace",
        help: "delete the last character",
        hint: None,
    },
    Binding {
        context: C::Filter,
        keys: &[(AnyChar, Type)],
        label: "letters",
        help: "type to filter by name, workspace, repository or kind",
        hint: hint("type to filter", 1),
    },
    // The commands panel.
    Binding {
        context: C::Commands,
        keys: &[
            (Code(KeyCode::Up), Act(Action::Up)),
            (Code(KeyCode::Down), Act(Action::Down)),
            (Char("k"), Act(Action::Up)),
            (Char("j"), Act(Action::Down)),
        ],
        label: "↑/↓  k/j",
        help: "choose a command",
        hint: hint("↑↓ choose", 2),
    },
    Binding {
        context: C::Commands,
        keys: &[
            (Char("y"), Act(Action::Copy)),
            (Char("c"), Act(Action::Copy)),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "y  c  Enter",
        help: "copy it (the token is fetched for the copy only)",
        hint: hint("y copy", 1),
    },
    Binding {
        context: C::Commands,
        keys: &[(Char("m"), Act(Action::ToggleMode))],
        label: "m",
        help: "mode: interactive → embedded token → helper (the default after setup-git)",
        hint: hint("m mode", 3),
    },
    Binding {
        context: C::Commands,
        keys: &[(Char("R"), Act(Action::ToggleReveal))],
        label: "R",
        help: "reveal / mask the token on screen",
        hint: hint("R reveal", 2),
    },
    Binding {
        context: C::Commands,
        keys: &[(Char("t"), Act(Action::EditTarget))],
        label: "t",
        help: "change the target repository (workspace/repo)",
        hint: hint("t target", 3),
    },
    Binding {
        context: C::Commands,
        keys: &[(Char("o"), Act(Action::OpenOnboard))],
        label: "o",
        help: "onboard a directory for this profile and target: git init, origin, bot email, bind, helper, push (asks first)",
        hint: hint("o onboard", 3),
    },
    Binding {
        context: C::Commands,
        keys: &[
            (Code(KeyCode::Esc), Act(Action::Back)),
            (Char("q"), Act(Action::Back)),
        ],
        label: "Esc  q",
        help: "close (masks the token again)",
        hint: hint("Esc close", 0),
    },
    // The commands panel's target field.
    Binding {
        context: C::Target,
        keys: &[(Code(KeyCode::Enter), Act(Action::Confirm))],
        label: "Enter",
        help: "set the target",
        hint: hint("Enter set target", 0),
    },
    Binding {
        context: C::Target,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: "keep the old target",
        hint: hint("Esc cancel", 0),
    },
    Binding {
        context: C::Target,
        keys: &[(Code(KeyCode::Backspace), Act(Action::Backspace))],
        label: "Backspace",
        help: "delete the last character",
        hint: None,
    },
    Binding {
        context: C::Target,
        keys: &[(AnyChar, Type)],
        label: "letters",
        help: "type workspace/repo, or a repository of the same workspace",
        hint: None,
    },
    // Add, edit and rotate.
    Binding {
        context: C::Form,
        keys: &[
            (Code(KeyCode::Tab), Act(Action::NextField)),
            (Code(KeyCode::Down), Act(Action::Down)),
            (Code(KeyCode::BackTab), Act(Action::PrevField)),
            (Code(KeyCode::Up), Act(Action::Up)),
        ],
        label: "Tab  ↓ / Shift-Tab  ↑",
        help: "next / previous field",
        hint: hint("Tab next field", 1),
    },
    Binding {
        context: C::Form,
        keys: &[(Code(KeyCode::Enter), Act(Action::Confirm))],
        label: "Enter",
        help: "save",
        hint: hint("Enter save", 0),
    },
    Binding {
        context: C::Form,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: "cancel",
        hint: hint("Esc cancel", 0),
    },
    Binding {
        context: C::Form,
        keys: &[
            (Code(KeyCode::Left), Act(Action::Left)),
            (Code(KeyCode::Right), Act(Action::Right)),
        ],
        label: "←/→  Space",
        help: "change the kind (on Kind)",
        hint: hint("←→ kind", 2),
    },
    Binding {
        context: C::Form,
        keys: &[(Code(KeyCode::Backspace), Act(Action::Backspace))],
        label: "Backspace",
        help: "delete the last character",
        hint: None,
    },
    Binding {
        context: C::Form,
        keys: &[],
        label: "paste",
        help: "paste a token (bracketed paste)",
        hint: None,
    },
    Binding {
        context: C::Form,
        keys: &[(AnyChar, Type)],
        label: "letters",
        help: "type into the field",
        hint: None,
    },
    // The delete question.
    Binding {
        context: C::Delete,
        keys: &[
            (Char("y"), Act(Action::Input('y'))),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "y  Enter",
        help: "delete the profile and its secret",
        hint: hint("y delete", 0),
    },
    Binding {
        context: C::Delete,
        keys: &[
            (Char("n"), Act(Action::Input('n'))),
            (Code(KeyCode::Esc), Act(Action::Back)),
        ],
        label: "n  Esc",
        help: "keep it",
        hint: hint("n/Esc keep", 0),
    },
    // Where am I.
    Binding {
        context: C::Here,
        keys: &[
            (Code(KeyCode::Up), Act(Action::Up)),
            (Code(KeyCode::Down), Act(Action::Down)),
            (Char("k"), Act(Action::Up)),
            (Char("j"), Act(Action::Down)),
            (Code(KeyCode::PageUp), Act(Action::PageUp)),
            (Code(KeyCode::PageDown), Act(Action::PageDown)),
            (Code(KeyCode::Home), Act(Action::Top)),
            (Code(KeyCode::End), Act(Action::Bottom)),
        ],
        label: "↑/↓  k/j  PgUp/PgDn  Home/End",
        help: "scroll",
        hint: hint("↑↓ scroll", 1),
    },
    Binding {
        context: C::Here,
        keys: &[
            (Code(KeyCode::Esc), Act(Action::Back)),
            (Char("w"), Act(Action::OpenHere)),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "Esc  w  Enter",
        help: "close",
        hint: hint("Esc close", 0),
    },
    Binding {
        context: C::Here,
        keys: &[(Char("q"), Act(Action::Quit))],
        label: "q",
        help: "quit",
        hint: hint("q quit", 0),
    },
    // Onboarding.
    Binding {
        context: C::Onboard,
        keys: &[
            (Code(KeyCode::Tab), Act(Action::NextField)),
            (Code(KeyCode::BackTab), Act(Action::PrevField)),
            (Code(KeyCode::Up), Act(Action::Up)),
            (Code(KeyCode::Down), Act(Action::Down)),
        ],
        label: "Tab  Shift-Tab  ↑/↓",
        help: "the other field",
        hint: hint("Tab field", 1),
    },
    Binding {
        context: C::Onboard,
        keys: &[
            (Code(KeyCode::Left), Act(Action::Left)),
            (Code(KeyCode::Right), Act(Action::Right)),
        ],
        label: "←/→  Space  x",
        help: "push on / off (on Push)",
        hint: hint("Space push on/off", 1),
    },
    Binding {
        context: C::Onboard,
        keys: &[(Code(KeyCode::Enter), Act(Action::Confirm))],
        label: "Enter",
        help: "next: what will be done, before it is",
        hint: hint("Enter next", 0),
    },
    Binding {
        context: C::Onboard,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: "cancel",
        hint: hint("Esc cancel", 0),
    },
    Binding {
        context: C::Onboard,
        keys: &[(Code(KeyCode::Backspace), Act(Action::Backspace))],
        label: "Backspace",
        help: "delete the last character",
        hint: None,
    },
    Binding {
        context: C::Onboard,
        keys: &[(AnyChar, Type)],
        label: "letters",
        help: "type the directory",
        hint: None,
    },
    Binding {
        context: C::OnboardConfirm,
        keys: &[
            (Char("y"), Act(Action::Input('y'))),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "y  Enter",
        help: "onboard",
        hint: hint("y onboard", 0),
    },
    Binding {
        context: C::OnboardConfirm,
        keys: &[
            (Char("n"), Act(Action::Input('n'))),
            (Code(KeyCode::Esc), Act(Action::Back)),
        ],
        label: "n  Esc",
        help: "back to the fields",
        hint: hint("n/Esc back", 0),
    },
    Binding {
        context: C::OnboardDone,
        keys: &[
            (Code(KeyCode::Esc), Act(Action::Back)),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "Esc  Enter",
        help: "close (the work goes on; its end shows at the bottom)",
        hint: hint("Esc close", 0),
    },
    // This help.
    Binding {
        context: C::Help,
        keys: &[
            (Code(KeyCode::Esc), Act(Action::Back)),
            (Char("?"), Act(Action::ToggleHelp)),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "Esc  ?  Enter",
        help: "close the help",
        hint: hint("Esc close help", 0),
    },
    Binding {
        context: C::Help,
        keys: &[
            (Code(KeyCode::Up), Act(Action::Up)),
            (Code(KeyCode::Down), Act(Action::Down)),
            (Char("k"), Act(Action::Up)),
            (Char("j"), Act(Action::Down)),
            (Code(KeyCode::PageUp), Act(Action::PageUp)),
            (Code(KeyCode::PageDown), Act(Action::PageDown)),
        ],
        label: "↑/↓  k/j  PgUp/PgDn",
        help: "scroll",
        hint: hint("↑↓ PgUp/PgDn scroll", 1),
    },
    Binding {
        context: C::Help,
        keys: &[
            (Char("g"), Act(Action::Top)),
            (Char("G"), Act(Action::Bottom)),
            (Code(KeyCode::Home), Act(Action::Top)),
            (Code(KeyCode::End), Act(Action::Bottom)),
        ],
        label: "g/G  Home/End",
        help: "first / last line",
        hint: None,
    },
    Binding {
        context: C::Help,
        keys: &[(Char("q"), Act(Action::Quit))],
        label: "q",
        help: "quit",
        hint: hint("q quit", 0),
    },
];

/// What has the keyboard now: the same order of precedence as `update`.
pub fn context(app: &App) -> Context {
    match &app.overlay {
        Overlay::Help => C::Help,
        Overlay::Form(_) => C::Form,
        Overlay::ConfirmDelete { .. } => C::Delete,
        Overlay::Commands(p) if p.target_input.is_some() => C::Target,
        Overlay::Commands(_) => C::Commands,
        Overlay::Onboard(p) => match p.stage {
            OnboardStage::Edit => C::Onboard,
            OnboardStage::Confirm => C::OnboardConfirm,
            OnboardStage::Running | OnboardStage::Done { .. } => C::OnboardDone,
        },
        Overlay::Here => C::Here,
        Overlay::None if app.filtering => C::Filter,
        Overlay::None => C::List,
    }
}

/// The rows of one context, in table order (not those of `Anywhere`).
pub fn bindings(ctx: Context) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.context == ctx)
}

/// The key that does `action` in `ctx`, to name in a message ("v
/// validates"); `None` when no key there does it.
pub fn key_for(ctx: Context, action: &Action) -> Option<&'static str> {
    bindings(ctx)
        .chain(bindings(C::Anywhere))
        .flat_map(|b| b.keys)
        .find(|(_, does)| matches!(does, Act(a) if a == action))
        .map(|(k, _)| k.name())
}

/// The hints of a context, in display order.
pub fn hints(ctx: Context) -> Vec<Hint> {
    bindings(ctx).filter_map(|b| b.hint).collect()
}

/// The status line for `width` columns: every rank-0 hint (on the main
/// screen `? help` and `q quit`), then the others by rank while they fit,
/// shown in their own order.
pub fn footer(app: &App, width: usize) -> String {
    footer_for(context(app), width)
}

pub fn footer_for(ctx: Context, width: usize) -> String {
    const SEP: usize = 3; // " · "
    let all = hints(ctx);
    let mut keep = vec![false; all.len()];
    let mut used = 0;
    let mut by_rank: Vec<usize> = (0..all.len()).collect();
    by_rank.sort_by_key(|&i| all[i].rank);
    for i in by_rank {
        let Hint { text, rank } = all[i];
        let w = text.chars().count() + if used == 0 { 0 } else { SEP };
        if rank == 0 || used + w <= width {
            keep[i] = true;
            used += w;
        }
    }
    all.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(h, _)| h.text)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The action of a key press in the app's present context.
pub fn key(app: &App, k: KeyEvent) -> Option<Action> {
    if k.kind == KeyEventKind::Release {
        return None;
    }
    bindings(C::Anywhere)
        .chain(bindings(context(app)))
        .flat_map(|b| b.keys)
        .find(|(pattern, _)| pattern.matches(&k))
        .and_then(|(_, does)| match (does, k.code) {
            (Act(a), _) => Some(a.clone()),
            (Type, KeyCode::Char(c)) => Some(Action::Input(c)),
            (Type, _) => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Context] = HELP_ORDER;

    /// The help lists every context, and every key a row binds is named in
    /// that row's label: a key cannot work without being in the help.
    #[test]
    fn every_bound_key_is_in_the_help() {
        for b in BINDINGS {
            assert!(
                ALL.contains(&b.context),
                "{:?} is not in the help",
                b.context
            );
            assert!(!b.help.is_empty(), "{} has no help", b.label);
            for (k, _) in b.keys {
                assert!(
                    b.label.contains(k.name()),
                    "{:?}: the label {:?} does not name {}",
                    b.context,
                    b.label,
                    k.name()
                );
            }
        }
    }

    /// No key is bound twice in a context, and nothing follows `AnyChar`
    /// that is a character: such a row could never be reached.
    #[test]
    fn no_binding_is_shadowed() {
        for &ctx in ALL.iter().filter(|&&c| c != C::Anywhere) {
            let keys: Vec<KeyPattern> = bindings(C::Anywhere)
                .chain(bindings(ctx))
                .flat_map(|b| b.keys.iter().map(|(k, _)| *k))
                .collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[..i].contains(k), "{ctx:?}: {k:?} twice");
                if matches!(k, Char(_)) {
                    assert!(
                        !keys[..i].contains(&AnyChar),
                        "{ctx:?}: {k:?} after AnyChar"
                    );
                }
            }
        }
    }

    /// Where `q` quits, the status line says `q quit`; where `?` opens
    /// the help, it says `? help`; at any width, since both rank 0.
    #[test]
    fn hints_name_help_and_quit_where_they_work() {
        for &ctx in ALL.iter().filter(|&&c| c != C::Anywhere) {
            let does = |pattern: &'static str, action: Action| {
                bindings(ctx)
                    .flat_map(|b| b.keys)
                    .any(|(k, a)| *k == Char(pattern) && *a == Act(action.clone()))
            };
            for width in [0, 40, 200] {
                let f = footer_for(ctx, width);
                assert_eq!(
                    f.contains("q quit"),
                    does("q", Action::Quit),
                    "{ctx:?} at {width}: {f}"
                );
                assert_eq!(
                    f.contains("? help"),
                    does("?", Action::ToggleHelp) && ctx != C::Help,
                    "{ctx:?} at {width}: {f}"
                );
                assert!(!f.is_empty(), "{ctx:?} has no hint");
            }
        }
    }

    /// A hint's key is one the context binds: "y copy" needs a `y`.
    #[test]
    fn hints_name_bound_keys() {
        for b in BINDINGS {
            if let Some(h) = b.hint {
                let first = h.text.split(' ').next().unwrap();
                let named = b.label.contains(first)
                    || first.split('/').all(|k| b.label.contains(k))
                    || first == "type"
                    || (first == "↑↓" && b.label.contains('↑'))
                    || (first == "←→" && b.label.contains('←'));
                assert!(named, "hint {:?} for {:?}", h.text, b.label);
            }
        }
    }

    #[test]
    fn key_for_names_the_key() {
        assert_eq!(key_for(C::List, &Action::ValidateSelected), Some("v"));
        assert_eq!(key_for(C::List, &Action::OpenEdit), Some("e"));
        assert_eq!(key_for(C::Commands, &Action::Copy), Some("y"));
        assert_eq!(key_for(C::Form, &Action::Quit), Some("Ctrl-C"));
        assert_eq!(key_for(C::Form, &Action::ValidateAll), None);
    }
}
