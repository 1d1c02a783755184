//! The effect runner: performs [`Effect`]s in background tasks and reports
//! each completion as an [`Action`]. Secrets are fetched here, used, and
//! dropped here; only a reveal hands one to the UI state.

use crate::i18n::tr;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{
    Action, CopyRequest, Effect, FormKind, Notice, SaveError, SaveRequest, build_commands,
};
use crate::gitcmd::{Endpoints, Mode, TokenText};
use crate::ops::{OpError, Ops};
use crate::profile::Profile;
use crate::secret::Secret;
use crate::store::{ProfileFile, SecretStore};
use crate::validate::Validator;

use super::clipboard;

/// How long a copied token stays on the clipboard.
pub(crate) const CLIPBOARD_CLEAR_AFTER: Duration = Duration::from_secs(30);

/// What background work sends back to the event loop.
#[allow(clippy::large_enum_variant)]
pub enum Msg {
    Action(Action),
    /// Bytes for the terminal (OSC 52), written by the loop between draws.
    /// Wrapped in `Secret` because a copied command may hold the token.
    Osc52(Secret),
    /// The copy just written (`Osc52`) holds the token: the loop keeps it to
    /// clear the clipboard after 30 s, or on quit, whichever comes first.
    HoldsSecret {
        generation: u64,
        text: Secret,
        native: bool,
    },
    /// Clear the terminal clipboard if it still holds copy `generation`.
    ClearOsc52 {
        generation: u64,
    },
}

/// The engine's services the effects use.
#[derive(Clone)]
pub struct Services {
    pub profiles: ProfileFile,
    pub secrets: SecretStore,
    pub validator: Validator,
    pub endpoints: Endpoints,
    pub clipboard: clipboard::Clipboard,
}

pub fn spawn(svc: &Services, effect: Effect, tx: UnboundedSender<Msg>) {
    let svc = svc.clone();
    tokio::spawn(async move {
        run(svc, effect, tx).await;
    });
}

fn send(tx: &UnboundedSender<Msg>, a: Action) {
    let _ = tx.send(Msg::Action(a));
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| tr!("effects.task_failed", why = e).into_owned())
}

async fn run(svc: Services, effect: Effect, tx: UnboundedSender<Msg>) {
    match effect {
        Effect::Load => {
            let file = svc.profiles.clone();
            let path = file.path();
            let result = match blocking(move || file.load()).await {
                Ok(Ok(doc)) => Ok(doc),
                Ok(Err(e)) => Err(Notice::error(
                    tr!("effects.unreadable", why = e.words()),
                    Some(tr!("effects.unreadable_fix", path = path.display()).into_owned()),
                )),
                Err(e) => Err(Notice::error(e, None)),
            };
            send(&tx, Action::Loaded(result));
            send_notices(&svc, &tx);
        }
        Effect::CheckHelper => {
            let url = svc.endpoints.git.clone();
            let set_up = blocking(move || crate::git::config::helper_is_set_up(&url))
                .await
                .unwrap_or(false);
            send(&tx, Action::HelperSetUp(set_up));
        }
        Effect::GatherHere => {
            let file = svc.profiles.clone();
            let git = svc.endpoints.git.clone();
            let report = blocking(move || {
                let host = crate::git::remote::GitHost::from_base(&git)?;
                let dir = std::env::current_dir().ok()?;
                // Unreadable profiles: the report still shows remotes and
                // helpers; the list shows the problem itself.
                let profiles = file.load().map(|d| d.profiles).unwrap_or_default();
                crate::git::here::build(&dir, &host, &profiles)
            })
            .await
            .ok()
            .flatten();
            send(&tx, Action::HereGathered(report));
        }
        Effect::Onboard(req) => {
            let git = svc.endpoints.git.clone();
            let (steps, result) = blocking(move || onboard(&git, req))
                .await
                .unwrap_or_else(|e| (Vec::new(), Err(e)));
            send(&tx, Action::Onboarded { steps, result });
        }
        Effect::Validate(profiles) => validate_many(svc, profiles, tx).await,
        Effect::Reveal { profile } => {
            let result =
                svc.secrets.get(&profile).await.map_err(|e| {
                    Notice::error(tr!("effects.cannot_reveal", why = e.words()), None)
                });
            send(&tx, Action::Revealed { profile, result });
        }
        Effect::Copy(req) => copy(svc, req, tx).await,
        Effect::Save(req) => {
            let previous = match &req.kind {
                FormKind::Edit { original } => Some(original.clone()),
                _ => None,
            };
            let (result, revalidate, warning) = match save(&svc, req).await {
                Ok(s) => (Ok(s.profile), s.revalidate, s.warning),
                Err(why) => (Err(why), false, None),
            };
            send(
                &tx,
                Action::Saved {
                    result,
                    revalidate,
                    previous,
                },
            );
            if let Some(w) = warning {
                send(&tx, Action::Warning(w));
            }
        }
        Effect::Delete { name } => {
            let result = delete(&svc, &name).await;
            send(&tx, Action::Deleted { name, result });
        }
        Effect::OpenLink(url) => {
            let shown = url.clone();
            let result = blocking(move || super::browser::open(&url))
                .await
                .and_then(|r| r);
            send(&tx, Action::LinkOpened { url: shown, result });
        }
    }
}

/// The engine's onboarding steps, then the push when asked: the steps done
/// and the summary, or why it stopped. git runs with no terminal prompt
/// (`git::run`), and no token is among its arguments.
pub fn onboard(
    git_url: &str,
    req: crate::app::OnboardRequest,
) -> (Vec<crate::git::onboard::Step>, Result<String, String>) {
    use crate::git::onboard::{self as engine, PushOutcome};
    let mut steps = Vec::new();
    let Some(host) = crate::git::remote::GitHost::from_base(git_url) else {
        return (steps, Err(tr!("effects.git_url").into_owned()));
    };
    let (ws, repo, name) = (&req.workspace, &req.repo, &req.profile.name);
    let top = match engine::prepare(&req.dir, &req.profile, ws, repo, &host, git_url, &mut steps) {
        Ok(top) => top,
        Err(e) => return (steps, Err(e)),
    };
    if !req.push {
        let top = crate::text::clean(&top.display().to_string());
        return (
            steps,
            Ok(tr!("effects.set_up", dir = top, name = name).into_owned()),
        );
    }
    let result = match engine::push(&top) {
        Ok(o @ PushOutcome::Pushed { .. }) => Ok(o.explain(ws, repo, name)),
        Ok(o) => Err(o.explain(ws, repo, name)),
        Err(e) => Err(e),
    };
    (steps, result)
}

/// Results arrive row by row as they complete; they are written to the
/// profiles file together at the end, in one locked write.
async fn validate_many(svc: Services, profiles: Vec<Profile>, tx: UnboundedSender<Msg>) {
    let (_, recorded) = svc
        .validator
        .validate_and_record(&svc.profiles, &profiles, |p, outcome| {
            send(
                &tx,
                Action::Validated {
                    name: p.name.clone(),
                    outcome: outcome.clone(),
                },
            )
        })
        .await;
    if let Err(e) = recorded {
        send(
            &tx,
            Action::RecordFailed(Notice::error(
                tr!("effects.not_recorded", why = e.words()),
                Some(tr!("effects.not_recorded_fix").into_owned()),
            )),
        );
    }
    send_notices(&svc, &tx);
}

/// What the profiles file had to say about the state file (unreadable and
/// kept aside, moved to state.json.broken): the CLI prints these as
/// warnings, the app shows them in the status line. Already cleaned.
fn send_notices(svc: &Services, tx: &UnboundedSender<Msg>) {
    for text in svc.profiles.take_notices() {
        let notice = Notice {
            level: crate::app::Level::Warn,
            text,
            remedy: None,
        };
        send(tx, Action::Warning(notice));
    }
}

async fn copy(svc: Services, req: CopyRequest, tx: UnboundedSender<Msg>) {
    let CopyRequest {
        profile,
        workspace,
        repo,
        mode,
        index,
        generation,
    } = req;
    // Only embedded commands hold the token; interactive ones never need it.
    let secret = if mode == Mode::Embedded {
        match svc.secrets.get(&profile.name).await {
            Ok(s) => Some(s),
            Err(e) => {
                send(
                    &tx,
                    Action::CopyFailed(Notice::error(
                        tr!("effects.not_copied", why = e.words()),
                        None,
                    )),
                );
                return;
            }
        }
    } else {
        None
    };
    let token = match &secret {
        Some(s) => TokenText::Revealed(s.expose()),
        None => TokenText::Masked(crate::app::MASKED_TOKEN),
    };
    let commands = build_commands(&profile, &workspace, &repo, mode, token, &svc.endpoints);
    let Some(cmd) = commands.get(index) else {
        return;
    };
    let text = Secret::new(cmd.text.clone());
    let what = cmd.title.to_string();
    let held_secret = cmd.holds_secret;
    drop(commands);
    drop(secret);
    let native = svc.clipboard.set(&text).await;
    let _ = tx.send(Msg::Osc52(text.clone()));
    if held_secret {
        let _ = tx.send(Msg::HoldsSecret {
            generation,
            text: text.clone(),
            native,
        });
    }
    send(
        &tx,
        Action::Copied {
            what,
            held_secret,
            generation,
            native,
        },
    );
    if held_secret {
        tokio::time::sleep(CLIPBOARD_CLEAR_AFTER).await;
        if native {
            svc.clipboard.clear_if_holds(&text).await;
        }
        let _ = tx.send(Msg::ClearOsc52 { generation });
    }
}

/// The form's profile laid over the one on disk under the lock: what the form
/// does not show (the note) comes from disk. The revision, the creation time
/// and the last outcome are `ops`' business.
fn over_fresh(fresh: &Profile, mut edited: Profile) -> Profile {
    edited.note = fresh.note.clone();
    edited
}

/// What a successful save leaves for the UI.
#[derive(Debug)]
pub struct Saved {
    pub profile: Profile,
    /// A new token or a new target: the last outcome no longer holds.
    pub revalidate: bool,
    /// The save worked, but something needs the user (a rename that could
    /// not delete the old keyring entry).
    pub warning: Option<Notice>,
}

/// An engine failure as the form shows it: typed by whose it is, the words
/// on one line.
fn save_error(e: OpError) -> SaveError {
    let words = e.words().replace('\n', "; ");
    match e {
        OpError::Rejected { outcome, .. } => SaveError::Rejected(outcome),
        OpError::Exists { .. }
        | OpError::NotFound { .. }
        | OpError::Invalid { .. }
        | OpError::NoSecretToMove { .. } => SaveError::Refused(words),
        OpError::Config(_) | OpError::ProfileWrite { .. } | OpError::RemoveWrite { .. } => {
            SaveError::Config(words)
        }
        OpError::StoreRead { .. } | OpError::StoreWrite { .. } | OpError::RemoveSecret { .. } => {
            SaveError::Store(words)
        }
    }
}

/// Saves the form through [`Ops`]: add, edit (with a rename) or rotate.
pub async fn save(svc: &Services, req: SaveRequest) -> Result<Saved, SaveError> {
    let SaveRequest {
        kind,
        profile,
        token,
    } = req;
    let ops = Ops::new(svc.profiles.clone(), svc.secrets.clone());
    match kind {
        FormKind::Add => {
            let token = token.ok_or(SaveError::NoToken)?;
            let profile = ops.add(profile, &token).await.map_err(save_error)?;
            Ok(Saved {
                profile,
                revalidate: true,
                warning: None,
            })
        }
        // A rotation checks the new token first, as `edit --secret
        // --validate` does: a failing one does not replace a working one.
        // The app has no --force; the old token stays and the form says why.
        FormKind::Rotate { name } => {
            let token = token.ok_or(SaveError::NoToken)?;
            let validator = svc.validator.clone();
            let checked = token.clone();
            let done = ops
                .rotate_checked(
                    &name,
                    |fresh| Ok(over_fresh(fresh, profile.clone())),
                    &token,
                    |p| async move { validator.check_secret(&p, checked).await },
                    false,
                )
                .await
                .map_err(save_error)?;
            Ok(Saved {
                revalidate: false,
                profile: done.updated.profile,
                warning: None,
            })
        }
        FormKind::Edit { original: name } => {
            let done = ops
                .update(
                    &name,
                    |fresh| Ok(over_fresh(fresh, profile)),
                    token.as_ref(),
                )
                .await
                .map_err(save_error)?;
            let warning = done.old_entry_left.map(|e| {
                Notice::error(
                    tr!(
                        "effects.renamed_left",
                        old = name,
                        new = done.profile.name,
                        why = e.words()
                    ),
                    Some(tr!("effects.renamed_left_fix", old = name).into_owned()),
                )
            });
            Ok(Saved {
                revalidate: done.outcome_dropped,
                profile: done.profile,
                warning,
            })
        }
    }
}

/// Removes the secret, then the profile, through [`Ops`]: when the secret
/// cannot be removed, nothing is.
pub async fn delete(svc: &Services, name: &str) -> Result<(), Notice> {
    Ops::new(svc.profiles.clone(), svc.secrets.clone())
        .remove(name)
        .await
        .map(|_| ())
        .map_err(|e| {
            let text = e.words();
            let (what, rest) = text.split_once('\n').unwrap_or((&text, ""));
            Notice::error(
                tr!("effects.not_deleted", why = what),
                (!rest.is_empty()).then(|| rest.replace('\n', "; ")),
            )
        })
}
