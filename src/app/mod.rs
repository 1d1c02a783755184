//! The TUI's state and its one door: `update(&mut App, Action) -> Vec<Effect>`.
//!
//! No I/O here. User intents and the completions of background work are both
//! [`Action`]s; what must happen outside (keyring, HTTP, file writes,
//! clipboard) is returned as [`Effect`]s for the runner in `tui` to perform.
//! Secrets never enter this state except the token field of an open form and
//! the token of a command panel the user chose to reveal.

pub mod form;
pub mod keymap;
pub mod onboard;

use chrono::{DateTime, Utc};

use crate::gitcmd::{self, Endpoints, Generated, Mode, TokenText};
use crate::i18n::tr;
use crate::profile::{Outcome, Profile, Status, TokenKind};
use crate::secret::Secret;
use crate::store::profiles::Document;

pub use form::{FieldId, Form, FormKind};
pub use onboard::{OnboardFocus, OnboardPanel, OnboardRequest, OnboardStage};

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Name,
    Status,
    Expiry,
}

impl Sort {
    pub fn label(self) -> String {
        match self {
            Sort::Name => tr!("ui.sort.name"),
            Sort::Status => tr!("ui.sort.status"),
            Sort::Expiry => tr!("ui.sort.expiry"),
        }
        .into_owned()
    }
    fn next(self) -> Sort {
        match self {
            Sort::Name => Sort::Status,
            Sort::Status => Sort::Expiry,
            Sort::Expiry => Sort::Name,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub profile: Profile,
    pub in_flight: bool,
    /// The revision the validation in flight started with: its outcome is
    /// shown only if the profile still has it (no rotate or edit meanwhile).
    pub flight_revision: u64,
    /// Validate again once the one in flight is done: a request made while
    /// one runs is queued, not dropped (it may be for a new token).
    pub queued: bool,
}

impl Row {
    fn new(profile: Profile) -> Row {
        Row {
            profile,
            in_flight: false,
            flight_revision: 0,
            queued: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// A message for the user: what happened and, for problems, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    pub remedy: Option<String>,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Notice {
        Notice {
            level: Level::Info,
            text: text.into(),
            remedy: None,
        }
    }
    pub fn error(text: impl Into<String>, remedy: Option<String>) -> Notice {
        Notice {
            level: Level::Error,
            text: text.into(),
            remedy,
        }
    }
}

/// The commands panel of one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandsPanel {
    pub profile: String,
    pub mode: Mode,
    pub workspace: String,
    pub repo: String,
    pub selected: usize,
    /// While editing the target: the text typed, as `workspace/repo`.
    pub target_input: Option<String>,
    /// The real token, only after the user asked to reveal it. Dropped (and
    /// wiped) when the panel closes or the token is masked again.
    pub revealed: Option<Secret>,
    pub revealing: bool,
}

// One overlay exists at a time and moves rarely: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help,
    Commands(CommandsPanel),
    Form(Form),
    ConfirmDelete {
        name: String,
    },
    /// Onboard a directory for the commands panel's profile and target.
    Onboard(OnboardPanel),
    /// "Where am I": the repository the TUI runs in, as `bbtoken here` reports it.
    Here,
}

/// What is known about the repository the TUI was started in.
#[derive(Debug, Clone, PartialEq)]
pub enum HereInfo {
    /// Being gathered (git runs in the background).
    Pending,
    /// Not inside a git repository.
    Outside,
    /// The report, already cleaned and masked by `git::here`.
    Inside(crate::git::here::Here),
}

/// Everything the screen shows.
#[derive(Debug, Clone)]
pub struct App {
    pub rows: Vec<Row>,
    /// Index into [`App::visible`].
    pub selected: usize,
    pub filter: String,
    pub filtering: bool,
    pub sort: Sort,
    pub overlay: Overlay,
    /// The last thing that happened (copied, saved, failed).
    pub notice: Option<Notice>,
    /// A problem that stays until it is solved (config unreadable, store locked).
    pub problem: Option<Notice>,
    pub now: DateTime<Utc>,
    pub spinner: usize,
    pub quit: bool,
    pub endpoints: Endpoints,
    pub validate_on_start: bool,
    /// Days before expiry that a profile is marked (settings).
    pub expiry_window: u32,
    pub loaded: bool,
    /// Where secrets live, for the title bar ("secret-service", "memory").
    pub store_name: String,
    /// Bumped on every copy: a pending clipboard clear only applies to the
    /// copy that scheduled it.
    pub clipboard_generation: u64,
    /// The terminal's size, for the scroll limits; (0, 0) until known.
    pub screen: (u16, u16),
    /// First line shown of the help overlay and of the detail pane: both
    /// may be taller than a small terminal.
    pub help_scroll: u16,
    pub detail_scroll: u16,
    /// tmux or screen around us: they keep their own copy of an OSC 52
    /// copy, which bbtoken cannot clear.
    pub multiplexer: Option<crate::tui::clipboard::Multiplexer>,
    /// `bbtoken setup-git` has been run: commands panels open in helper
    /// mode (plain URLs, git asks bbtoken). Learned once at start by the runner.
    pub helper_set_up: bool,
    /// The repository the TUI runs in; `w` shows it.
    pub here: HereInfo,
    /// The first report opens the panel by itself (once, and only over
    /// the bare main screen): later ones just refresh it.
    pub here_shown: bool,
    /// First line shown of the "here" panel (a small terminal).
    pub here_scroll: u16,
    /// The directory bbtoken was started in: onboarding's default.
    pub start_dir: String,
}

/// Everything that can change the state: user intents and completions.
// Actions are handled one at a time; their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Time passes: the clock for relative times and the spinner.
    Tick(DateTime<Utc>),
    Quit,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// Left and Right arrows (the Kind field of a form).
    Left,
    Right,
    /// Scroll the detail pane (J/K).
    DetailUp,
    DetailDown,
    /// The terminal's new size.
    Resize(u16, u16),
    /// Select the n-th visible row (mouse click).
    Select(usize),
    StartFilter,
    /// A typed character for whatever text field has focus.
    Input(char),
    Backspace,
    /// Bracketed paste, into whatever text field has focus.
    Paste(String),
    /// Enter.
    Confirm,
    /// Esc.
    Back,
    NextField,
    PrevField,
    CycleSort,
    ToggleHelp,
    ValidateSelected,
    ValidateAll,
    OpenCommands,
    ToggleMode,
    ToggleReveal,
    EditTarget,
    Copy,
    OpenAdd,
    OpenEdit,
    OpenRotate,
    AskDelete,
    /// `o` in a commands panel: onboard a directory for its profile.
    OpenOnboard,
    /// `w`: show (and refresh) the "here" panel.
    OpenHere,
    /// `o` on the list: open the selected token's page in a browser.
    OpenTokenPage,
    /// `b` on the list: take the bot email the clone link suggests.
    AcceptBotEmail,
    /// `f` on the list: the edit form, with the kind Bitbucket reported.
    FixKind,
    /// The browser was started for `url`, or why not (then the URL is
    /// shown for copying).
    LinkOpened {
        url: String,
        result: Result<(), String>,
    },
    // Completions of effects.
    /// Whether bbtoken is git's credential helper for the Bitbucket URL.
    HelperSetUp(bool),
    /// The `here` report of the current directory; `None` outside a repository.
    HereGathered(Option<crate::git::here::Here>),
    /// Onboarding ended: the steps done, and the summary or why it stopped.
    Onboarded {
        steps: Vec<crate::git::onboard::Step>,
        result: Result<String, String>,
    },
    Loaded(Result<Document, Notice>),
    Validated {
        name: String,
        outcome: Outcome,
    },
    /// Validation results could not be stored in the profiles file.
    RecordFailed(Notice),
    /// Something the user must know after an action that succeeded (say, a
    /// rename that left the old keyring entry behind).
    Warning(Notice),
    Revealed {
        profile: String,
        result: Result<Secret, Notice>,
    },
    Copied {
        what: String,
        held_secret: bool,
        generation: u64,
        native: bool,
    },
    CopyFailed(Notice),
    ClipboardCleared {
        generation: u64,
    },
    Saved {
        result: Result<Profile, SaveError>,
        revalidate: bool,
        previous: Option<String>,
    },
    Deleted {
        name: String,
        result: Result<(), Notice>,
    },
}

/// Why a save did not happen. The form shows it; a rejected token also
/// says what to do, in the app's words.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveError {
    /// Add and rotate need a token and none was typed.
    NoToken,
    /// The new token was checked and failed; the old one stays.
    Rejected(Box<Outcome>),
    /// The request itself cannot be done: a name taken, a bad value, a
    /// profile gone. The words say which.
    Refused(String),
    /// The profiles file could not be read or written.
    Config(String),
    /// The credential store failed.
    Store(String),
}

impl SaveError {
    /// What the user can do, in the app's words, when there is a step.
    pub fn remedy(&self) -> Option<String> {
        match self {
            SaveError::Rejected(o) => crate::ui::remedy::outcome_words(o),
            _ => None,
        }
    }
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::NoToken => f.write_str(&tr!("app.no_token")),
            SaveError::Rejected(o) => f.write_str(&tr!(
                "app.rejected",
                status = crate::describe::status_words(o.status),
                message = crate::describe::outcome_message(o)
            )),
            SaveError::Refused(m) | SaveError::Config(m) | SaveError::Store(m) => f.write_str(m),
        }
    }
}

/// A change to a profile and its secret, performed by the runner in this order:
/// secret first, then profile; a failed profile write puts the old secret back.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveRequest {
    pub kind: FormKind,
    pub profile: Profile,
    pub token: Option<Secret>,
}

/// Which command to copy: the `index`th built for this profile, target and
/// mode. `generation` tells this copy from later ones.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyRequest {
    pub profile: Profile,
    pub workspace: String,
    pub repo: String,
    pub mode: Mode,
    pub index: usize,
    pub generation: u64,
}

/// Work outside the state, done in the background; each reports back with an Action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Load,
    /// Find out whether `setup-git` has been run (reads git config).
    CheckHelper,
    /// Gather the `here` report of the current directory (runs git).
    GatherHere,
    /// Run the onboarding steps (git init, origin, email, bind, helper, push).
    Onboard(OnboardRequest),
    Validate(Vec<Profile>),
    Reveal {
        profile: String,
    },
    /// Copy one command; the runner fetches the token itself when the
    /// command needs it, and drops it after.
    Copy(CopyRequest),
    Save(SaveRequest),
    Delete {
        name: String,
    },
    /// Start the browser on a token page (built by `links`, never from
    /// server text).
    OpenLink(String),
}

pub(crate) const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

impl App {
    /// The problem to show above the list: one that stays (the config
    /// unreadable, a save that failed), else trouble every check shares — the
    /// credential store failing, or no profile reaching Bitbucket at all.
    /// Derived from the rows, so it goes away once a check succeeds; one
    /// profile's own failure belongs to its row, not here.
    pub(crate) fn trouble(&self) -> Option<Notice> {
        if let Some(p) = &self.problem {
            return Some(p.clone());
        }
        let settled: Vec<&Outcome> = self
            .rows
            .iter()
            .filter(|r| !r.in_flight)
            .filter_map(|r| r.profile.last_validation.as_ref())
            .collect();
        let notice = |what: &str, o: &Outcome| {
            let remedy = crate::ui::remedy::outcome_words(o);
            Notice::error(
                format!("{what}: {}", crate::describe::outcome_message(o)),
                remedy,
            )
        };
        if let Some(o) = settled.iter().find(|o| crate::validate::is_store_wide(o)) {
            return Some(notice(&tr!("app.trouble.store"), o));
        }
        match settled.first() {
            Some(o) if settled.iter().all(|o| o.status == Status::NetworkError) => {
                Some(notice(&tr!("app.trouble.network"), o))
            }
            _ => None,
        }
    }

    pub fn new(endpoints: Endpoints, store_name: impl Into<String>, now: DateTime<Utc>) -> App {
        App {
            rows: Vec::new(),
            selected: 0,
            filter: String::new(),
            filtering: false,
            sort: Sort::Name,
            overlay: Overlay::None,
            notice: None,
            problem: None,
            now,
            spinner: 0,
            quit: false,
            endpoints,
            validate_on_start: true,
            expiry_window: crate::expiry::DEFAULT_WINDOW_DAYS,
            loaded: false,
            store_name: store_name.into(),
            clipboard_generation: 0,
            screen: (0, 0),
            help_scroll: 0,
            detail_scroll: 0,
            multiplexer: None,
            helper_set_up: false,
            here: HereInfo::Pending,
            here_shown: false,
            here_scroll: 0,
            start_dir: String::new(),
        }
    }

    /// Indices into `rows` of the rows shown, filtered and sorted.
    pub fn visible(&self) -> Vec<usize> {
        let needle = self.filter.to_lowercase();
        let mut idx: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                let p = &self.rows[i].profile;
                needle.is_empty()
                    || [
                        p.name.as_str(),
                        p.workspace.as_str(),
                        p.repo.as_deref().unwrap_or(""),
                        p.kind.as_str(),
                    ]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&needle))
            })
            .collect();
        let today = self.now.date_naive();
        match self.sort {
            Sort::Name => {
                idx.sort_by(|&a, &b| self.rows[a].profile.name.cmp(&self.rows[b].profile.name))
            }
            Sort::Status => idx.sort_by_key(|&i| {
                let p = &self.rows[i].profile;
                (
                    status_rank(p.last_validation.as_ref().map(|o| o.status)),
                    p.name.clone(),
                )
            }),
            Sort::Expiry => idx.sort_by_key(|&i| {
                let p = &self.rows[i].profile;
                (p.days_left(today).unwrap_or(i64::MAX), p.name.clone())
            }),
        }
        idx
    }

    pub(crate) fn selected_row(&self) -> Option<&Row> {
        self.visible().get(self.selected).map(|&i| &self.rows[i])
    }

    pub(crate) fn selected_profile(&self) -> Option<&Profile> {
        self.selected_row().map(|r| &r.profile)
    }

    fn row_mut(&mut self, name: &str) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| r.profile.name == name)
    }

    pub fn find(&self, name: &str) -> Option<&Profile> {
        self.rows
            .iter()
            .find(|r| r.profile.name == name)
            .map(|r| &r.profile)
    }

    pub fn in_flight(&self) -> usize {
        self.rows.iter().filter(|r| r.in_flight).count()
    }

    fn clamp(&mut self) {
        let n = self.visible().len();
        self.selected = if n == 0 { 0 } else { self.selected.min(n - 1) };
    }

    /// Selects the profile called `name` if it is visible.
    fn select_name(&mut self, name: &str) {
        if let Some(pos) = self
            .visible()
            .iter()
            .position(|&i| self.rows[i].profile.name == name)
        {
            self.selected = pos;
        }
    }

    fn names(&self) -> Vec<String> {
        self.rows.iter().map(|r| r.profile.name.clone()).collect()
    }

    /// Marks the profiles in flight and returns the effect that validates them.
    /// A profile already in flight is queued: validated again once the
    /// current validation is done, since it may be for an older token.
    fn validate(&mut self, names: &[String]) -> Vec<Effect> {
        let mut todo = Vec::new();
        for name in names {
            if let Some(r) = self.row_mut(name) {
                if r.in_flight {
                    r.queued = true;
                } else {
                    r.in_flight = true;
                    r.flight_revision = r.profile.revision;
                    todo.push(r.profile.clone());
                }
            }
        }
        if todo.is_empty() {
            Vec::new()
        } else {
            vec![Effect::Validate(todo)]
        }
    }
}

/// Problems first, so the sort by status shows what needs attention on top.
fn status_rank(s: Option<Status>) -> u8 {
    match s {
        Some(s) if s.is_token_problem() => 0,
        Some(Status::Valid) => 3,
        Some(_) => 1,
        None => 2,
    }
}

/// The commands for a profile and target, built by the engine. The branch the
/// onboarding push sends is the repository's main branch when known.
pub fn build_commands(
    profile: &Profile,
    workspace: &str,
    repo: &str,
    mode: Mode,
    token: TokenText,
    endpoints: &Endpoints,
) -> Vec<Generated> {
    gitcmd::build(&gitcmd::Request {
        profile,
        workspace,
        repo,
        mode,
        token,
        endpoints,
        // Only a branch learned for this very repository: the panel may be
        // retargeted (`t`) to another one.
        branch: gitcmd::branch_for(profile, workspace, repo),
    })
}

/// What stands for the token on screen while it is masked. It is not derived
/// from the real token: the real one is not in the UI state until revealed.
pub(crate) const MASKED_TOKEN: &str = "****************";

/// The commands of a panel: with the revealed token, or with a placeholder.
pub(crate) fn panel_commands(app: &App, panel: &CommandsPanel) -> Vec<Generated> {
    let Some(profile) = app.find(&panel.profile) else {
        return Vec::new();
    };
    let token = match &panel.revealed {
        Some(s) => TokenText::Revealed(s.expose()),
        None => TokenText::Masked(MASKED_TOKEN),
    };
    build_commands(
        profile,
        &panel.workspace,
        &panel.repo,
        panel.mode,
        token,
        &app.endpoints,
    )
}

/// The only place the state changes.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now) => {
            app.now = now;
            app.spinner = (app.spinner + 1) % SPINNER.len();
            Vec::new()
        }
        Action::Resize(w, h) => {
            app.screen = (w, h);
            Vec::new()
        }
        Action::Quit => {
            app.quit = true;
            // Dropping the overlay wipes a revealed token or a typed one now.
            app.overlay = Overlay::None;
            Vec::new()
        }
        Action::Loaded(result) => {
            match result {
                Ok(doc) => {
                    // Validations in flight carry over to the reloaded rows.
                    let flights: Vec<Row> =
                        app.rows.iter().filter(|r| r.in_flight).cloned().collect();
                    let first_load = !app.loaded;
                    app.loaded = true;
                    app.validate_on_start = doc.settings.validate_on_start;
                    app.expiry_window = doc.settings.expiry_window_days;
                    app.rows = doc
                        .profiles
                        .into_iter()
                        .map(
                            |p| match flights.iter().find(|f| f.profile.name == p.name) {
                                Some(f) => Row {
                                    profile: p,
                                    ..f.clone()
                                },
                                None => Row::new(p),
                            },
                        )
                        .collect();
                    app.clamp();
                    if first_load && app.validate_on_start {
                        let names = app.names();
                        return app.validate(&names);
                    }
                }
                Err(notice) => {
                    // Loading is over, though it failed: the list must not
                    // say "Loading profiles…" under the banner.
                    app.loaded = true;
                    app.problem = Some(notice);
                }
            }
            Vec::new()
        }
        Action::Validated { name, outcome } => {
            let Some(r) = app.row_mut(&name) else {
                return Vec::new();
            };
            r.in_flight = false;
            // A late outcome for a token or target replaced meanwhile is
            // not shown over the new state (nor recorded: see validate.rs).
            if r.profile.revision == r.flight_revision {
                r.profile.record(outcome);
            }
            if std::mem::take(&mut r.queued) {
                return app.validate(&[name]);
            }
            // The "validating …" of v/V gives way once all are done: the
            // rows show the outcomes.
            if app.in_flight() == 0
                && app
                    .notice
                    .as_ref()
                    .is_some_and(|n| n.text.starts_with(&*tr!("app.validating")))
            {
                app.notice = Some(Notice::info(tr!("app.validation_done")));
            }
            Vec::new()
        }
        Action::RecordFailed(n) => {
            app.problem = Some(n);
            Vec::new()
        }
        Action::Warning(n) => {
            app.notice = Some(n);
            Vec::new()
        }
        Action::Revealed { profile, result } => {
            // Only the panel that asked: a late answer for a panel closed
            // meanwhile must not reveal the token in the next one.
            if let Overlay::Commands(p) = &mut app.overlay
                && p.profile == profile
                && p.revealing
            {
                p.revealing = false;
                match result {
                    Ok(secret) => p.revealed = Some(secret),
                    Err(n) => app.notice = Some(n),
                }
            }
            Vec::new()
        }
        Action::Copied {
            what,
            held_secret,
            generation,
            native,
        } => {
            if generation == app.clipboard_generation {
                let via = if native {
                    tr!("app.copy.both")
                } else {
                    tr!("app.copy.osc52")
                };
                let tail = if held_secret {
                    tr!("app.copy.held_secret")
                } else {
                    "".into()
                };
                let text = tr!("app.copy.copied", what = what, via = via, tail = tail).into_owned();
                app.notice = Some(match (held_secret, app.multiplexer) {
                    // The multiplexer's copy outlives the 30 s clear.
                    (true, Some(m)) => Notice {
                        level: Level::Warn,
                        text,
                        remedy: Some(m.copy_warning()),
                    },
                    _ => Notice::info(text),
                });
            }
            Vec::new()
        }
        Action::HelperSetUp(set_up) => {
            app.helper_set_up = set_up;
            Vec::new()
        }
        Action::HereGathered(report) => {
            let first = !app.here_shown;
            app.here_shown = true;
            app.here = match report {
                Some(h) => {
                    // Opened by itself only in a repository with a
                    // Bitbucket remote, and never over something open.
                    if first && !h.remotes.is_empty() && app.overlay == Overlay::None {
                        app.overlay = Overlay::Here;
                    }
                    HereInfo::Inside(h)
                }
                None => HereInfo::Outside,
            };
            Vec::new()
        }
        Action::Onboarded { steps, result } => onboard::finished(app, steps, result),
        Action::CopyFailed(n) => {
            app.notice = Some(n);
            Vec::new()
        }
        Action::ClipboardCleared { generation } => {
            if generation == app.clipboard_generation {
                app.notice = Some(match app.multiplexer {
                    Some(m) => Notice {
                        level: Level::Warn,
                        text: m.cleared_text(),
                        remedy: Some(m.clear_command()),
                    },
                    None => Notice::info(tr!("app.copy.cleared")),
                });
            }
            Vec::new()
        }
        Action::Saved {
            result,
            revalidate,
            previous,
        } => {
            match result {
                Ok(profile) => {
                    let name = profile.name.clone();
                    let old = previous.unwrap_or_else(|| name.clone());
                    match app.rows.iter_mut().find(|r| r.profile.name == old) {
                        Some(r) => {
                            if old != name {
                                // The validation in flight reports under
                                // the old name: it no longer has a row.
                                r.in_flight = false;
                                r.queued = false;
                            }
                            r.profile = profile;
                        }
                        None => app.rows.push(Row::new(profile)),
                    }
                    app.overlay = Overlay::None;
                    app.notice = Some(Notice::info(tr!("app.saved", name = name)));
                    app.select_name(&name);
                    if revalidate {
                        return app.validate(&[name]);
                    }
                }
                Err(why) => {
                    if let Overlay::Form(f) = &mut app.overlay {
                        f.saving = false;
                        f.error = Some(why.to_string());
                    }
                    app.notice = Some(Notice::error(
                        tr!("app.not_saved", why = why.to_string()),
                        why.remedy(),
                    ));
                }
            }
            Vec::new()
        }
        Action::LinkOpened { url, result } => {
            app.notice = Some(match result {
                Ok(()) => Notice::info(tr!("app.link.opened", url = url)),
                Err(why) => Notice {
                    level: Level::Info,
                    text: tr!("app.link.page", url = url).into_owned(),
                    remedy: Some(tr!("app.link.copy_it", why = why).into_owned()),
                },
            });
            Vec::new()
        }
        Action::Deleted { name, result } => {
            match result {
                Ok(()) => {
                    app.rows.retain(|r| r.profile.name != name);
                    app.clamp();
                    app.notice = Some(Notice::info(tr!("app.deleted", name = name)));
                }
                Err(n) => app.notice = Some(n),
            }
            Vec::new()
        }
        intent => update_intent(app, intent),
    }
}

/// User intents: what a key means depends on what is open.
fn update_intent(app: &mut App, action: Action) -> Vec<Effect> {
    // Help: Esc, ? and Enter close it; the movement keys scroll it (up to
    // the limit for this screen, computed by the pure layout in `ui`); q
    // and Ctrl-C quit as everywhere.
    if app.overlay == Overlay::Help {
        let max = crate::ui::help_max_scroll(app.screen);
        match action {
            Action::ToggleHelp | Action::Back | Action::Confirm => app.overlay = Overlay::None,
            a => scroll(&mut app.help_scroll, max, a),
        }
        return Vec::new();
    }
    if let Overlay::Form(form) = &mut app.overlay {
        let git = &app.endpoints.git;
        return update_form(form, action, app.now, &app.rows, git).unwrap_or_else(|close| {
            if close {
                app.overlay = Overlay::None;
            }
            Vec::new()
        });
    }
    if let Overlay::ConfirmDelete { name } = &app.overlay {
        let name = name.clone();
        return match action {
            Action::Confirm | Action::Input('y') => {
                app.overlay = Overlay::None;
                vec![Effect::Delete { name }]
            }
            Action::Back | Action::Input('n') => {
                app.overlay = Overlay::None;
                Vec::new()
            }
            _ => Vec::new(),
        };
    }
    if let Overlay::Commands(_) = &app.overlay {
        return update_commands(app, action);
    }
    if let Overlay::Onboard(_) = &app.overlay {
        return onboard::update(app, action);
    }
    if app.overlay == Overlay::Here {
        let max = crate::ui::here_max_scroll(app);
        match action {
            Action::Back | Action::OpenHere | Action::Confirm => app.overlay = Overlay::None,
            a => scroll(&mut app.here_scroll, max, a),
        }
        return Vec::new();
    }
    if app.filtering {
        match action {
            Action::Input(c) => {
                app.filter.push(c);
                app.selected = 0;
            }
            Action::Paste(s) => {
                app.filter.push_str(s.trim());
                app.selected = 0;
            }
            Action::Backspace => {
                app.filter.pop();
                app.selected = 0;
            }
            Action::Confirm => app.filtering = false,
            Action::Back => {
                app.filtering = false;
                app.filter.clear();
            }
            Action::Up | Action::Down => {
                app.filtering = false;
                return update_intent(app, action);
            }
            _ => {}
        }
        app.clamp();
        return Vec::new();
    }
    let n = app.visible().len();
    let before = app.selected_profile().map(|p| p.name.clone());
    let effects = update_main(app, action, n);
    // Another profile: its detail starts at the top.
    if app.selected_profile().map(|p| p.name.clone()) != before {
        app.detail_scroll = 0;
    }
    effects
}

/// The main screen (no overlay, not filtering).
fn update_main(app: &mut App, action: Action, n: usize) -> Vec<Effect> {
    match action {
        Action::DetailUp => app.detail_scroll = app.detail_scroll.saturating_sub(1),
        Action::DetailDown => {
            app.detail_scroll = (app.detail_scroll + 1).min(crate::ui::detail_max_scroll(app))
        }
        Action::Up => app.selected = app.selected.saturating_sub(1),
        Action::Down => app.selected = (app.selected + 1).min(n.saturating_sub(1)),
        Action::Top => app.selected = 0,
        Action::Bottom => app.selected = n.saturating_sub(1),
        Action::PageUp => app.selected = app.selected.saturating_sub(10),
        Action::PageDown => app.selected = (app.selected + 10).min(n.saturating_sub(1)),
        Action::Select(i) if i < n => app.selected = i,
        Action::StartFilter => app.filtering = true,
        Action::Back if !app.filter.is_empty() => {
            app.filter.clear();
            app.clamp();
        }
        Action::Back => app.notice = None,
        Action::CycleSort => {
            let name = app.selected_profile().map(|p| p.name.clone());
            app.sort = app.sort.next();
            if let Some(name) = name {
                app.select_name(&name);
            }
            app.notice = Some(Notice::info(tr!("app.sorted", by = app.sort.label())));
        }
        Action::ToggleHelp => {
            app.help_scroll = 0;
            app.overlay = Overlay::Help;
        }
        Action::ValidateSelected => {
            if let Some(name) = app.selected_profile().map(|p| p.name.clone()) {
                app.notice = Some(Notice::info(format!("{}{name}…", tr!("app.validating"))));
                return app.validate(&[name]);
            }
        }
        Action::ValidateAll => {
            let names = app.names();
            if !names.is_empty() {
                let n = names.len();
                let what = if n == 1 {
                    tr!("app.validating_one")
                } else {
                    tr!("app.validating_many", count = n)
                };
                app.notice = Some(Notice::info(format!("{}{what}…", tr!("app.validating"))));
            }
            return app.validate(&names);
        }
        Action::OpenCommands | Action::Confirm => {
            if let Some(p) = app.selected_profile() {
                let panel = CommandsPanel {
                    profile: p.name.clone(),
                    // Helper mode is the default once setup-git has run:
                    // no command then holds or asks for the token.
                    mode: if app.helper_set_up {
                        Mode::Helper
                    } else {
                        Mode::Interactive
                    },
                    workspace: p.workspace.clone(),
                    repo: p.repo.clone().unwrap_or_default(),
                    selected: 0,
                    target_input: None,
                    revealed: None,
                    revealing: false,
                };
                app.overlay = Overlay::Commands(panel);
            }
        }
        Action::OpenHere => {
            app.overlay = Overlay::Here;
            app.here_scroll = 0;
            // Refreshed on every opening: git config may have changed
            // (setup-git, bind, onboard) since the last look.
            return vec![Effect::GatherHere];
        }
        Action::OpenTokenPage => {
            let page = app.selected_profile().map(crate::links::token_page);
            match page {
                Some(Some(page)) => {
                    if let Some(then) = page.then {
                        app.notice = Some(Notice::info(tr!("app.link.there", then = then)));
                    }
                    return vec![Effect::OpenLink(page.url)];
                }
                Some(None) => app.notice = Some(Notice::info(tr!("app.link.none"))),
                None => {}
            }
        }
        Action::AcceptBotEmail => return accept_bot_email(app),
        Action::FixKind => fix_kind(app),
        Action::OpenAdd => app.overlay = Overlay::Form(Form::add(app.names())),
        Action::OpenEdit => {
            if let Some(p) = app.selected_profile() {
                app.overlay = Overlay::Form(Form::edit(p, app.names()));
            }
        }
        Action::OpenRotate => {
            if let Some(p) = app.selected_profile() {
                app.overlay = Overlay::Form(Form::rotate(p));
            }
        }
        Action::AskDelete => {
            if let Some(p) = app.selected_profile() {
                app.overlay = Overlay::ConfirmDelete {
                    name: p.name.clone(),
                };
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Save the clone link's bot email as the profile's own: from then on it is
/// the user's, not "unconfirmed". The outcome stays (the reach is the same).
fn accept_bot_email(app: &mut App) -> Vec<Effect> {
    let Some(p) = app.selected_profile() else {
        return Vec::new();
    };
    match p.bot_email_or_candidate() {
        Some((email, false)) => {
            let mut profile = p.clone();
            profile.bot_email = Some(email);
            vec![Effect::Save(SaveRequest {
                kind: FormKind::Edit {
                    original: profile.name.clone(),
                },
                profile,
                token: None,
            })]
        }
        Some((_, true)) => {
            app.notice = Some(Notice::info(tr!("app.bot.already_set")));
            Vec::new()
        }
        None => {
            app.notice = Some(Notice::info(tr!("app.bot.none")));
            Vec::new()
        }
    }
}

/// Opens the edit form with the kind Bitbucket reported: one key, then
/// Enter, after the user has seen what changes (a project token also needs
/// its project key, which the form then asks for).
fn fix_kind(app: &mut App) {
    let Some(p) = app.selected_profile() else {
        return;
    };
    let Some(seen) = crate::describe::kind_seen(p) else {
        app.notice = Some(Notice::info(tr!("app.kind.same")));
        return;
    };
    let mut form = Form::edit(p, app.names());
    form.token_kind = seen;
    form.focus = if seen == TokenKind::Project && p.project.is_none() {
        FieldId::Project
    } else {
        FieldId::Kind
    };
    form.note = Some(tr!("app.kind.set", kind = seen.short_words()).into_owned());
    app.overlay = Overlay::Form(form);
}

/// `Err(true)`: close the form; `Err(false)`: nothing to do.
fn update_form(
    form: &mut Form,
    action: Action,
    now: DateTime<Utc>,
    rows: &[Row],
    git: &str,
) -> Result<Vec<Effect>, bool> {
    if form.saving && action != Action::Back {
        return Err(false);
    }
    match action {
        Action::Back => return Err(true),
        Action::Input(c) => form.input(c),
        Action::Paste(s) => form.paste(&s, git),
        Action::Backspace => form.backspace(),
        Action::Left | Action::Right if form.focus == FieldId::Kind => {
            form.error = None;
            form.cycle_kind(if action == Action::Left { -1 } else { 1 });
        }
        Action::NextField | Action::Down => form.move_focus(1),
        Action::PrevField | Action::Up => form.move_focus(-1),
        Action::Confirm => {
            let problems = form.problems(now);
            if let Some((id, msg)) = problems.first() {
                form.error = Some(format!("{}: {msg}", id.label()));
                form.focus = *id;
                return Err(false);
            }
            let base_name = match &form.kind {
                FormKind::Add => None,
                FormKind::Edit { original } => Some(original.clone()),
                FormKind::Rotate { name } => Some(name.clone()),
            };
            let base = base_name
                .as_ref()
                .and_then(|n| rows.iter().find(|r| r.profile.name == *n))
                .map(|r| &r.profile);
            let mut profile = form.to_profile(base, now);
            let token = form
                .fields()
                .contains(&FieldId::Token)
                .then(|| form.token.to_secret());
            // The old outcome describes the old token (rotate) or another
            // target (an edit of kind, workspace, repository or email).
            if matches!(form.kind, FormKind::Rotate { .. })
                || base.is_some_and(|b| !b.same_reach(&profile))
            {
                profile.last_validation = None;
            }
            form.saving = true;
            form.error = None;
            return Ok(vec![Effect::Save(SaveRequest {
                kind: form.kind.clone(),
                profile,
                token,
            })]);
        }
        _ => {}
    }
    Err(false)
}

fn update_commands(app: &mut App, action: Action) -> Vec<Effect> {
    let Overlay::Commands(panel) = &mut app.overlay else {
        return Vec::new();
    };
    if let Some(input) = &mut panel.target_input {
        match action {
            Action::Input(c) => input.push(c),
            Action::Paste(s) => input.push_str(s.trim()),
            Action::Backspace => {
                input.pop();
            }
            Action::Back => panel.target_input = None,
            Action::Confirm => {
                let text = input.trim().to_string();
                let (ws, repo) = match text.split_once('/') {
                    Some((w, r)) => (w.to_string(), r.to_string()),
                    None => (panel.workspace.clone(), text),
                };
                let problem = crate::fields::workspace(&ws)
                    .err()
                    .or_else(|| crate::fields::repo_slug(&repo).err());
                match problem {
                    Some(why) => {
                        app.notice = Some(Notice::error(
                            tr!("app.target_not_changed", why = why),
                            None,
                        ))
                    }
                    None => {
                        // The same check as `bbtoken commands --repo`.
                        let warning = app
                            .rows
                            .iter()
                            .find(|r| r.profile.name == panel.profile)
                            .and_then(|r| crate::describe::reach_warning(&r.profile, &ws, &repo));
                        panel.workspace = ws;
                        panel.repo = repo;
                        panel.target_input = None;
                        app.notice = warning.map(|text| Notice {
                            level: Level::Warn,
                            text,
                            remedy: None,
                        });
                    }
                }
            }
            _ => {}
        }
        return Vec::new();
    }
    let count = {
        let panel = panel.clone();
        panel_commands(app, &panel).len()
    };
    let Overlay::Commands(panel) = &mut app.overlay else {
        return Vec::new();
    };
    match action {
        Action::Back | Action::OpenCommands => app.overlay = Overlay::None,
        Action::Up => panel.selected = panel.selected.saturating_sub(1),
        Action::Down => panel.selected = (panel.selected + 1).min(count.saturating_sub(1)),
        Action::ToggleMode => panel.mode = panel.mode.toggled(),
        Action::OpenOnboard => onboard::open(app),
        Action::EditTarget => {
            panel.target_input = Some(format!("{}/{}", panel.workspace, panel.repo))
        }
        Action::ToggleReveal => {
            if panel.revealed.is_some() {
                panel.revealed = None;
            } else if !panel.revealing {
                panel.revealing = true;
                return vec![Effect::Reveal {
                    profile: panel.profile.clone(),
                }];
            }
        }
        Action::Copy | Action::Confirm => {
            let (name, workspace, repo, mode, index) = (
                panel.profile.clone(),
                panel.workspace.clone(),
                panel.repo.clone(),
                panel.mode,
                panel.selected,
            );
            if let Some(profile) = app.find(&name).cloned() {
                app.clipboard_generation += 1;
                return vec![Effect::Copy(CopyRequest {
                    profile,
                    workspace,
                    repo,
                    mode,
                    index,
                    generation: app.clipboard_generation,
                })];
            }
        }
        _ => {}
    }
    Vec::new()
}

#[cfg(test)]
mod tests;

/// The movement keys in a scrolling overlay (help, where am I): one line,
/// ten lines, or an end, never past `max`.
fn scroll(s: &mut u16, max: u16, action: Action) {
    *s = match action {
        Action::Up | Action::DetailUp => s.saturating_sub(1),
        Action::Down | Action::DetailDown => (*s + 1).min(max),
        Action::PageUp => s.saturating_sub(10),
        Action::PageDown => (*s + 10).min(max),
        Action::Top => 0,
        Action::Bottom => max,
        _ => *s,
    };
}
