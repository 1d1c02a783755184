//! The onboarding panel, opened from a commands panel (`o`): choose the
//! directory and whether to push, confirm, then the runner performs the
//! engine's onboarding steps (`git::onboard`) and the panel shows them.
//! Pure state and transitions, like the rest of `app`.

use crate::i18n::tr;
use std::path::PathBuf;

use super::{Action, App, Effect, Notice, Overlay};
use crate::git::onboard::Step;
use crate::profile::Profile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnboardFocus {
    Dir,
    Push,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OnboardStage {
    /// Choosing the directory and the push toggle.
    Edit,
    /// "Onboard DIR for PROFILE?": y/Enter runs it, n/Esc goes back.
    Confirm,
    Running,
    /// The steps done and how it ended (`Ok`: the summary line).
    Done {
        steps: Vec<Step>,
        result: Result<String, String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct OnboardPanel {
    pub profile: String,
    pub workspace: String,
    pub repo: String,
    pub dir: String,
    pub push: bool,
    pub focus: OnboardFocus,
    pub stage: OnboardStage,
    pub error: Option<String>,
}

/// What the runner needs to onboard.
#[derive(Debug, Clone, PartialEq)]
pub struct OnboardRequest {
    pub profile: Profile,
    pub workspace: String,
    pub repo: String,
    pub dir: PathBuf,
    pub push: bool,
}

impl OnboardPanel {
    /// Whether the directory field has the keyboard.
    pub(crate) fn typing(&self) -> bool {
        self.stage == OnboardStage::Edit && self.focus == OnboardFocus::Dir
    }
}

/// The panel for the commands panel's profile and target, in `start_dir`.
pub fn open(app: &mut App) {
    let Overlay::Commands(c) = &app.overlay else {
        return;
    };
    if c.repo.is_empty() {
        app.notice = Some(Notice::error(tr!("onboard.needs_repo"), None));
        return;
    }
    app.overlay = Overlay::Onboard(OnboardPanel {
        profile: c.profile.clone(),
        workspace: c.workspace.clone(),
        repo: c.repo.clone(),
        dir: app.start_dir.clone(),
        push: false,
        focus: OnboardFocus::Dir,
        stage: OnboardStage::Edit,
        error: None,
    });
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let Overlay::Onboard(p) = &mut app.overlay else {
        return Vec::new();
    };
    match p.stage.clone() {
        OnboardStage::Edit => match action {
            Action::Back => app.overlay = Overlay::None,
            Action::NextField | Action::PrevField | Action::Up | Action::Down => {
                p.focus = match p.focus {
                    OnboardFocus::Dir => OnboardFocus::Push,
                    OnboardFocus::Push => OnboardFocus::Dir,
                }
            }
            // Control characters never enter the field: it is drawn as is.
            Action::Input(c) if p.typing() && !c.is_control() => p.dir.push(c),
            Action::Paste(s) if p.typing() => {
                p.dir.extend(s.trim().chars().filter(|c| !c.is_control()))
            }
            Action::Backspace if p.typing() => {
                p.dir.pop();
            }
            Action::Input(' ' | 'x') | Action::Left | Action::Right
                if p.focus == OnboardFocus::Push =>
            {
                p.push = !p.push
            }
            Action::Confirm => {
                if p.dir.trim().is_empty() {
                    p.error = Some(tr!("onboard.dir_empty").into_owned());
                } else if p.dir.chars().any(char::is_control) {
                    p.error = Some(tr!("onboard.dir_control").into_owned());
                } else {
                    p.error = None;
                    p.stage = OnboardStage::Confirm;
                }
            }
            _ => {}
        },
        OnboardStage::Confirm => match action {
            Action::Confirm | Action::Input('y') => {
                let Some(profile) = app
                    .rows
                    .iter()
                    .find(|r| r.profile.name == p.profile)
                    .map(|r| r.profile.clone())
                else {
                    p.stage = OnboardStage::Edit;
                    p.error = Some(tr!("onboard.gone", name = p.profile).into_owned());
                    return Vec::new();
                };
                p.stage = OnboardStage::Running;
                return vec![Effect::Onboard(OnboardRequest {
                    profile,
                    workspace: p.workspace.clone(),
                    repo: p.repo.clone(),
                    dir: PathBuf::from(p.dir.trim()),
                    push: p.push,
                })];
            }
            Action::Back | Action::Input('n') => p.stage = OnboardStage::Edit,
            _ => {}
        },
        // The work goes on when the panel closes: its end shows as a notice.
        OnboardStage::Running | OnboardStage::Done { .. } => {
            if matches!(action, Action::Back | Action::Confirm) {
                app.overlay = Overlay::None;
            }
        }
    }
    Vec::new()
}

/// The runner's report: the panel shows the steps, the status line the end.
pub(crate) fn finished(
    app: &mut App,
    steps: Vec<Step>,
    result: Result<String, String>,
) -> Vec<Effect> {
    app.notice = Some(match &result {
        Ok(m) => Notice::info(tr!("onboard.done", what = m)),
        Err(e) => Notice::error(tr!("onboard.stopped", why = e), None),
    });
    if let Overlay::Onboard(p) = &mut app.overlay
        && p.stage == OnboardStage::Running
    {
        p.stage = OnboardStage::Done { steps, result };
    }
    // The repository here may have changed (origin, binding, helper).
    vec![Effect::GatherHere]
}
