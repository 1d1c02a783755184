//! Keys to actions, in one table. What a key means depends on what is open
//! (the [`Context`]): in a text field letters are text; elsewhere they are
//! commands. The help screen, the status line's hints and the key dispatch
//! all read [`BINDINGS`], so a key cannot work without being listed, nor be
//! listed without working. Pure, so the tests read the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use unicode_width::UnicodeWidthStr;

use super::{Action, App, OnboardStage, Overlay};
use crate::i18n::{self, tk, tr};

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
    pub fn title(self) -> String {
        match self {
            Context::Anywhere => tr!("keys.title.anywhere"),
            Context::List => tr!("keys.title.list"),
            Context::Filter => tr!("keys.title.filter"),
            Context::Help => tr!("keys.title.help"),
            Context::Commands => tr!("keys.title.commands"),
            Context::Target => tr!("keys.title.target"),
            Context::Form => tr!("keys.title.form"),
            Context::Delete => tr!("keys.title.delete"),
            Context::Here => tr!("keys.title.here"),
            Context::Onboard => tr!("keys.title.onboard"),
            Context::OnboardConfirm => tr!("keys.title.onboard_confirm"),
            Context::OnboardDone => tr!("keys.title.onboard_done"),
        }
        .into_owned()
    }
}

/// The contexts in the order the help screen lists them.
pub(crate) const HELP_ORDER: &[Context] = &[
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

impl Binding {
    /// The keys as the help names them; the rows for letters, the mouse and
    /// a paste say so in words.
    pub fn label_words(&self) -> String {
        match self.label {
            "letters" => tr!("keys.label.letters").into_owned(),
            "mouse" => tr!("keys.label.mouse").into_owned(),
            "paste" => tr!("keys.label.paste").into_owned(),
            keys => keys.to_string(),
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

/// A hint on the status line: its keys, its words (a catalog key), and
/// its rank (0 always shows; when the line is too narrow the highest ranks
/// go first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub keys: &'static str,
    pub words: &'static str,
    pub rank: u8,
}

impl Hint {
    /// "v validate", in the current language.
    pub fn text(self) -> String {
        let words = i18n::text(self.words);
        if self.keys.is_empty() {
            words
        } else {
            format!("{} {words}", self.keys)
        }
    }
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

const fn hint(keys: &'static str, words: &'static str, rank: u8) -> Option<Hint> {
    Some(Hint { keys, words, rank })
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
        help: tk!("help.anywhere.quit_from_any_screen"),
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
        help: tk!("help.list.move"),
        hint: hint("↑↓", tk!("hint.move"), 1),
    },
    Binding {
        context: C::List,
        keys: &[
            (Code(KeyCode::Enter), Act(Action::Confirm)),
            (Char("c"), Act(Action::OpenCommands)),
        ],
        label: "Enter  c",
        help: tk!("help.list.commands_for_the_selected"),
        hint: hint("Enter", tk!("hint.commands"), 1),
    },
    Binding {
        context: C::List,
        keys: &[(Char("v"), Act(Action::ValidateSelected))],
        label: "v",
        help: tk!("help.list.validate_the_selected_profile"),
        hint: hint("v", tk!("hint.validate"), 2),
    },
    Binding {
        context: C::List,
        keys: &[(Char("V"), Act(Action::ValidateAll))],
        label: "V",
        help: tk!("help.list.validate_all_profiles"),
        hint: hint("V", tk!("hint.all"), 3),
    },
    Binding {
        context: C::List,
        keys: &[(Char("a"), Act(Action::OpenAdd))],
        label: "a",
        help: tk!("help.list.add_a_profile"),
        hint: hint("a", tk!("hint.add"), 2),
    },
    Binding {
        context: C::List,
        keys: &[(Char("e"), Act(Action::OpenEdit))],
        label: "e",
        help: tk!("help.list.edit_the_selected_profile"),
        hint: hint("e", tk!("hint.edit"), 3),
    },
    Binding {
        context: C::List,
        keys: &[(Char("r"), Act(Action::OpenRotate))],
        label: "r",
        help: tk!("help.list.rotate_a_new_token"),
        hint: hint("r", tk!("hint.rotate"), 4),
    },
    Binding {
        context: C::List,
        keys: &[(Char("d"), Act(Action::AskDelete))],
        label: "d",
        help: tk!("help.list.delete_asks_first_removes"),
        hint: hint("d", tk!("hint.delete"), 4),
    },
    Binding {
        context: C::List,
        keys: &[(Char("o"), Act(Action::OpenTokenPage))],
        label: "o",
        help: tk!("help.list.open_the_token_s"),
        hint: hint("o", tk!("hint.page"), 5),
    },
    Binding {
        context: C::List,
        keys: &[(Char("b"), Act(Action::AcceptBotEmail))],
        label: "b",
        help: tk!("help.list.accept_the_bot_email"),
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[(Char("f"), Act(Action::FixKind))],
        label: "f",
        help: tk!("help.list.fix_the_kind_to"),
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[(Char("w"), Act(Action::OpenHere))],
        label: "w",
        help: tk!("help.list.where_am_i_this"),
        hint: hint("w", tk!("hint.where"), 4),
    },
    Binding {
        context: C::List,
        keys: &[(Char("/"), Act(Action::StartFilter))],
        label: "/",
        help: tk!("help.list.filter_as_you_type"),
        hint: hint("/", tk!("hint.filter"), 4),
    },
    Binding {
        context: C::List,
        keys: &[(Char("s"), Act(Action::CycleSort))],
        label: "s",
        help: tk!("help.list.sort_by_name_status"),
        hint: hint("s", tk!("hint.sort"), 5),
    },
    Binding {
        context: C::List,
        keys: &[
            (Char("J"), Act(Action::DetailDown)),
            (Char("K"), Act(Action::DetailUp)),
        ],
        label: "J/K",
        help: tk!("help.list.scroll_the_detail_pane"),
        hint: hint("J/K", tk!("hint.detail"), 5),
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
        help: tk!("help.list.first_last"),
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[
            (Code(KeyCode::PageUp), Act(Action::PageUp)),
            (Code(KeyCode::PageDown), Act(Action::PageDown)),
        ],
        label: "PgUp/PgDn",
        help: tk!("help.list.page"),
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: tk!("help.list.clear_the_filter_else"),
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[],
        label: "mouse",
        help: tk!("help.list.click_selects_wheel_moves"),
        hint: None,
    },
    Binding {
        context: C::List,
        keys: &[(Char("?"), Act(Action::ToggleHelp))],
        label: "?",
        help: tk!("help.list.this_help"),
        hint: hint("?", tk!("hint.help"), 0),
    },
    Binding {
        context: C::List,
        keys: &[(Char("q"), Act(Action::Quit))],
        label: "q",
        help: tk!("help.list.quit"),
        hint: hint("q", tk!("hint.quit"), 0),
    },
    // Typing a filter.
    Binding {
        context: C::Filter,
        keys: &[(Code(KeyCode::Enter), Act(Action::Confirm))],
        label: "Enter",
        help: tk!("help.filter.keep_the_filter"),
        hint: hint("Enter", tk!("hint.keep"), 0),
    },
    Binding {
        context: C::Filter,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: tk!("help.filter.clear_the_filter"),
        hint: hint("Esc", tk!("hint.clear"), 0),
    },
    Binding {
        context: C::Filter,
        keys: &[
            (Code(KeyCode::Up), Act(Action::Up)),
            (Code(KeyCode::Down), Act(Action::Down)),
        ],
        label: "↑/↓",
        help: tk!("help.filter.keep_the_filter_and"),
        hint: None,
    },
    Binding {
        context: C::Filter,
        keys: &[(Code(KeyCode::Backspace), Act(Action::Backspace))],
        label: "Backspace",
        help: tk!("help.filter.delete_the_last_character"),
        hint: None,
    },
    Binding {
        context: C::Filter,
        keys: &[(AnyChar, Type)],
        label: "letters",
        help: tk!("help.filter.type_to_filter_by"),
        hint: hint("", tk!("hint.type_to_filter"), 1),
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
        help: tk!("help.commands.choose_a_command"),
        hint: hint("↑↓", tk!("hint.choose"), 2),
    },
    Binding {
        context: C::Commands,
        keys: &[
            (Char("y"), Act(Action::Copy)),
            (Char("c"), Act(Action::Copy)),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "y  c  Enter",
        help: tk!("help.commands.copy_it_the_token"),
        hint: hint("y", tk!("hint.copy"), 1),
    },
    Binding {
        context: C::Commands,
        keys: &[(Char("m"), Act(Action::ToggleMode))],
        label: "m",
        help: tk!("help.commands.mode_interactive_embedded_token"),
        hint: hint("m", tk!("hint.mode"), 3),
    },
    Binding {
        context: C::Commands,
        keys: &[(Char("R"), Act(Action::ToggleReveal))],
        label: "R",
        help: tk!("help.commands.reveal_mask_the_token"),
        hint: hint("R", tk!("hint.reveal"), 2),
    },
    Binding {
        context: C::Commands,
        keys: &[(Char("t"), Act(Action::EditTarget))],
        label: "t",
        help: tk!("help.commands.change_the_target_repository"),
        hint: hint("t", tk!("hint.target"), 3),
    },
    Binding {
        context: C::Commands,
        keys: &[(Char("o"), Act(Action::OpenOnboard))],
        label: "o",
        help: tk!("help.commands.onboard_a_directory_for"),
        hint: hint("o", tk!("hint.onboard"), 3),
    },
    Binding {
        context: C::Commands,
        keys: &[
            (Code(KeyCode::Esc), Act(Action::Back)),
            (Char("q"), Act(Action::Back)),
        ],
        label: "Esc  q",
        help: tk!("help.commands.close_masks_the_token"),
        hint: hint("Esc", tk!("hint.close"), 0),
    },
    // The commands panel's target field.
    Binding {
        context: C::Target,
        keys: &[(Code(KeyCode::Enter), Act(Action::Confirm))],
        label: "Enter",
        help: tk!("help.target.set_the_target"),
        hint: hint("Enter", tk!("hint.set_target"), 0),
    },
    Binding {
        context: C::Target,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: tk!("help.target.keep_the_old_target"),
        hint: hint("Esc", tk!("hint.cancel"), 0),
    },
    Binding {
        context: C::Target,
        keys: &[(Code(KeyCode::Backspace), Act(Action::Backspace))],
        label: "Backspace",
        help: tk!("help.filter.delete_the_last_character"),
        hint: None,
    },
    Binding {
        context: C::Target,
        keys: &[(AnyChar, Type)],
        label: "letters",
        help: tk!("help.target.type_workspace_repo_or"),
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
        help: tk!("help.form.next_previous_field"),
        hint: hint("Tab", tk!("hint.next_field"), 1),
    },
    Binding {
        context: C::Form,
        keys: &[(Code(KeyCode::Enter), Act(Action::Confirm))],
        label: "Enter",
        help: tk!("help.form.save"),
        hint: hint("Enter", tk!("hint.save"), 0),
    },
    Binding {
        context: C::Form,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: tk!("help.form.cancel"),
        hint: hint("Esc", tk!("hint.cancel"), 0),
    },
    Binding {
        context: C::Form,
        keys: &[
            (Code(KeyCode::Left), Act(Action::Left)),
            (Code(KeyCode::Right), Act(Action::Right)),
        ],
        label: "←/→  Space",
        help: tk!("help.form.change_the_kind_on"),
        hint: hint("←→", tk!("hint.kind"), 2),
    },
    Binding {
        context: C::Form,
        keys: &[(Code(KeyCode::Backspace), Act(Action::Backspace))],
        label: "Backspace",
        help: tk!("help.filter.delete_the_last_character"),
        hint: None,
    },
    Binding {
        context: C::Form,
        keys: &[],
        label: "paste",
        help: tk!("help.form.paste_a_token_bracketed"),
        hint: None,
    },
    Binding {
        context: C::Form,
        keys: &[(AnyChar, Type)],
        label: "letters",
        help: tk!("help.form.type_into_the_field"),
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
        help: tk!("help.delete.delete_the_profile_and"),
        hint: hint("y", tk!("hint.delete"), 0),
    },
    Binding {
        context: C::Delete,
        keys: &[
            (Char("n"), Act(Action::Input('n'))),
            (Code(KeyCode::Esc), Act(Action::Back)),
        ],
        label: "n  Esc",
        help: tk!("help.delete.keep_it"),
        hint: hint("n/Esc", tk!("hint.keep"), 0),
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
        help: tk!("help.here.scroll"),
        hint: hint("↑↓", tk!("hint.scroll"), 1),
    },
    Binding {
        context: C::Here,
        keys: &[
            (Code(KeyCode::Esc), Act(Action::Back)),
            (Char("w"), Act(Action::OpenHere)),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "Esc  w  Enter",
        help: tk!("help.here.close"),
        hint: hint("Esc", tk!("hint.close"), 0),
    },
    Binding {
        context: C::Here,
        keys: &[(Char("q"), Act(Action::Quit))],
        label: "q",
        help: tk!("help.list.quit"),
        hint: hint("q", tk!("hint.quit"), 0),
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
        help: tk!("help.onboard.the_other_field"),
        hint: hint("Tab", tk!("hint.field"), 1),
    },
    Binding {
        context: C::Onboard,
        keys: &[
            (Code(KeyCode::Left), Act(Action::Left)),
            (Code(KeyCode::Right), Act(Action::Right)),
        ],
        label: "←/→  Space  x",
        help: tk!("help.onboard.push_on_off_on"),
        hint: hint("Space", tk!("hint.push_on_off"), 1),
    },
    Binding {
        context: C::Onboard,
        keys: &[(Code(KeyCode::Enter), Act(Action::Confirm))],
        label: "Enter",
        help: tk!("help.onboard.next_what_will_be"),
        hint: hint("Enter", tk!("hint.next"), 0),
    },
    Binding {
        context: C::Onboard,
        keys: &[(Code(KeyCode::Esc), Act(Action::Back))],
        label: "Esc",
        help: tk!("help.form.cancel"),
        hint: hint("Esc", tk!("hint.cancel"), 0),
    },
    Binding {
        context: C::Onboard,
        keys: &[(Code(KeyCode::Backspace), Act(Action::Backspace))],
        label: "Backspace",
        help: tk!("help.filter.delete_the_last_character"),
        hint: None,
    },
    Binding {
        context: C::Onboard,
        keys: &[(AnyChar, Type)],
        label: "letters",
        help: tk!("help.onboard.type_the_directory"),
        hint: None,
    },
    Binding {
        context: C::OnboardConfirm,
        keys: &[
            (Char("y"), Act(Action::Input('y'))),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "y  Enter",
        help: tk!("help.onboard_confirm.onboard"),
        hint: hint("y", tk!("hint.onboard"), 0),
    },
    Binding {
        context: C::OnboardConfirm,
        keys: &[
            (Char("n"), Act(Action::Input('n'))),
            (Code(KeyCode::Esc), Act(Action::Back)),
        ],
        label: "n  Esc",
        help: tk!("help.onboard_confirm.back_to_the_fields"),
        hint: hint("n/Esc", tk!("hint.back"), 0),
    },
    Binding {
        context: C::OnboardDone,
        keys: &[
            (Code(KeyCode::Esc), Act(Action::Back)),
            (Code(KeyCode::Enter), Act(Action::Confirm)),
        ],
        label: "Esc  Enter",
        help: tk!("help.onboard_done.close_the_work_goes"),
        hint: hint("Esc", tk!("hint.close"), 0),
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
        help: tk!("help.help.close_the_help"),
        hint: hint("Esc", tk!("hint.close_help"), 0),
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
        help: tk!("help.here.scroll"),
        hint: hint("↑↓", tk!("hint.pgup_pgdn_scroll"), 1),
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
        help: tk!("help.help.first_last_line"),
        hint: None,
    },
    Binding {
        context: C::Help,
        keys: &[(Char("q"), Act(Action::Quit))],
        label: "q",
        help: tk!("help.list.quit"),
        hint: hint("q", tk!("hint.quit"), 0),
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
pub(crate) fn bindings(ctx: Context) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.context == ctx)
}

/// The key that does `action` in `ctx`, to name in a message ("v
/// validates"); `None` when no key there does it.
pub(crate) fn key_for(ctx: Context, action: &Action) -> Option<&'static str> {
    bindings(ctx)
        .chain(bindings(C::Anywhere))
        .flat_map(|b| b.keys)
        .find(|(_, does)| matches!(does, Act(a) if a == action))
        .map(|(k, _)| k.name())
}

/// The hints of a context, in display order.
pub(crate) fn hints(ctx: Context) -> Vec<Hint> {
    bindings(ctx).filter_map(|b| b.hint).collect()
}

/// The status line for `width` columns: every rank-0 hint (on the main
/// screen `? help` and `q quit`), then the others by rank while they fit,
/// shown in their own order.
pub fn footer(app: &App, width: usize) -> String {
    footer_for(context(app), width)
}

pub(crate) fn footer_for(ctx: Context, width: usize) -> String {
    const SEP: usize = 3; // " · "
    let all = hints(ctx);
    let mut keep = vec![false; all.len()];
    let mut used = 0;
    let mut by_rank: Vec<usize> = (0..all.len()).collect();
    by_rank.sort_by_key(|&i| all[i].rank);
    let texts: Vec<String> = all.iter().map(|h| h.text()).collect();
    for i in by_rank {
        let rank = all[i].rank;
        let w = texts[i].width() + if used == 0 { 0 } else { SEP };
        if rank == 0 || used + w <= width {
            keep[i] = true;
            used += w;
        }
    }
    texts
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(t, _)| t)
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
            assert!(
                i18n::with_lang(i18n::Lang::Ja, || i18n::text(b.help)) != b.help,
                "{}: {} is not in the catalogs",
                b.label,
                b.help
            );
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
                let first = h.keys;
                let named = b.label.contains(first)
                    || first.split('/').all(|k| b.label.contains(k))
                    || first.is_empty()
                    || (first == "↑↓" && b.label.contains('↑'))
                    || (first == "←→" && b.label.contains('←'));
                assert!(named, "hint {:?} for {:?}", h.text(), b.label);
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
