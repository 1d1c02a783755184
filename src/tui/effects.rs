//! The effect runner: performs [`Effect`]s in background tasks and reports
//! each completion as an [`Action`]. Secrets are fetched here, used, and
//! dropped here; only a reveal hands one to the UI state.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Action, CopyRequest, Effect, FormKind, Notice, SaveRequest, build_commands};
use crate::gitcmd::{Endpoints, Mode, TokenText};
use crate::profile::Profile;
use crate::secret::Secret;
use crate::store::{ProfileFile, SecretStore, StoreError};
use crate::validate::Validator;

use super::clipboard;

/// How long a copied token stays on the clipboard.
pub const CLIPBOARD_CLEAR_AFTER: Duration = Duration::from_secs(30);

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
        .map_err(|e| format!("background task failed: {e}"))
}

async fn run(svc: Services, effect: Effect, tx: UnboundedSender<Msg>) {
    match effect {
        Effect::Load => {
            let file = svc.profiles.clone();
            let path = file.path();
            let result = match blocking(move || file.load()).await {
                Ok(Ok(doc)) => Ok(doc),
                Ok(Err(e)) => Err(Notice::error(
                    format!("cannot read the profiles file: {e}"),
                    Some(format!(
                        "fix or move {} and restart bbtoken; it is never overwritten while unreadable",
                        path.display()
                    )),
                )),
                Err(e) => Err(Notice::error(e, None)),
            };
            send(&tx, Action::Loaded(result));
        }
        Effect::Validate(profiles) => validate_many(svc, profiles, tx).await,
        Effect::Reveal { profile } => {
            let result = svc
                .secrets
                .get(&profile)
                .await
                .map_err(|e| Notice::error(format!("Cannot reveal the token: {e}"), None));
            send(&tx, Action::Revealed { profile, result });
        }
        Effect::Copy(req) => copy(svc, req, tx).await,
        Effect::Save(req) => {
            let previous = match &req.kind {
                FormKind::Edit { original } => Some(original.clone()),
                _ => None,
            };
            // A new token, or an edit that made the last outcome stale.
            let revalidate = req.token.is_some()
                || (previous.is_some() && req.profile.last_validation.is_none());
            let result = save(&svc, req).await;
            send(
                &tx,
                Action::Saved {
                    result,
                    revalidate,
                    previous,
                },
            );
        }
        Effect::Delete { name } => {
            let result = delete(&svc, &name).await;
            send(&tx, Action::Deleted { name, result });
        }
    }
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
                format!("validation results were not saved: {e}"),
                Some("check that the config directory is writable".into()),
            )),
        );
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
                    Action::CopyFailed(Notice::error(format!("Not copied: {e}"), None)),
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
/// does not show (note, creation time) comes from disk, and so does a newer
/// outcome another bbtoken recorded meanwhile, unless the save dropped the
/// outcome on purpose (a new token or another target).
fn over_fresh(fresh: &Profile, mut edited: Profile) -> Profile {
    edited.note = fresh.note.clone();
    edited.created = fresh.created;
    if edited.last_validation.is_some() {
        edited.last_validation = fresh.last_validation.clone();
    }
    edited
}

/// The secret currently stored under `name`, `None` when there is none.
async fn current_secret(secrets: &SecretStore, name: &str) -> Result<Option<Secret>, String> {
    match secrets.get(name).await {
        Ok(s) => Ok(Some(s)),
        Err(StoreError::Missing { .. }) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Puts back what was stored under `name` before a failed save.
async fn restore(secrets: &SecretStore, name: &str, old: Option<Secret>) -> Option<String> {
    let r = match old {
        Some(s) => secrets.set(name, &s).await,
        None => secrets.delete(name).await.map(|_| ()),
    };
    r.err()
        .map(|e| format!(" (and the credential store entry for {name} could not be put back: {e})"))
}

/// Writes the profile with `change`, off the async threads.
async fn write_profiles(
    file: &ProfileFile,
    change: impl FnOnce(&mut crate::store::profiles::Document) -> Result<(), String> + Send + 'static,
) -> Result<(), String> {
    let file = file.clone();
    match blocking(move || file.update(change)).await? {
        Ok(Ok(())) => Ok(()),
        Ok(Err(why)) => Err(why),
        Err(e) => Err(e.to_string()),
    }
}

/// Secret first, then profile; when the profile write fails, the secret slot
/// is put back as it was, so nothing already saved is lost.
pub async fn save(svc: &Services, req: SaveRequest) -> Result<Profile, String> {
    let SaveRequest {
        kind,
        profile,
        token,
    } = req;
    let name = profile.name.clone();
    match kind {
        FormKind::Add | FormKind::Rotate { .. } => {
            let token = token.ok_or("no token was given")?;
            let old = current_secret(&svc.secrets, &name).await?;
            svc.secrets
                .set(&name, &token)
                .await
                .map_err(|e| e.to_string())?;
            drop(token);
            let p = profile.clone();
            let adding = kind == FormKind::Add;
            let written = write_profiles(&svc.profiles, move |doc| {
                if adding {
                    if doc.find(&p.name).is_some() {
                        return Err(format!("a profile called {} already exists", p.name));
                    }
                    doc.profiles.push(p);
                } else {
                    match doc.find_mut(&p.name) {
                        Some(slot) => *slot = over_fresh(slot, p),
                        None => return Err(format!("the profile {} no longer exists", p.name)),
                    }
                }
                Ok(())
            })
            .await;
            if let Err(why) = written {
                let extra = restore(&svc.secrets, &name, old).await.unwrap_or_default();
                return Err(format!("{why}{extra}"));
            }
            Ok(profile)
        }
        FormKind::Edit { original } => {
            let renamed = original != name;
            let mut old_slot = None;
            if renamed {
                let secret = current_secret(&svc.secrets, &original)
                    .await?
                    .ok_or_else(|| {
                        format!("no secret is stored for {original}; rotate it first")
                    })?;
                old_slot = Some(current_secret(&svc.secrets, &name).await?);
                svc.secrets
                    .set(&name, &secret)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let p = profile.clone();
            let orig = original.clone();
            let written = write_profiles(&svc.profiles, move |doc| {
                if orig != p.name && doc.find(&p.name).is_some() {
                    return Err(format!("a profile called {} already exists", p.name));
                }
                match doc.find_mut(&orig) {
                    Some(slot) => *slot = over_fresh(slot, p),
                    None => return Err(format!("the profile {orig} no longer exists")),
                }
                Ok(())
            })
            .await;
            if let Err(why) = written {
                let extra = match old_slot {
                    Some(old) => restore(&svc.secrets, &name, old).await.unwrap_or_default(),
                    None => String::new(),
                };
                return Err(format!("{why}{extra}"));
            }
            if renamed {
                // The profile now points at the new entry; the old one is spare.
                let _ = svc.secrets.delete(&original).await;
            }
            Ok(profile)
        }
    }
}

/// Removes the profile, then its secret.
pub async fn delete(svc: &Services, name: &str) -> Result<(), Notice> {
    let n = name.to_string();
    write_profiles(&svc.profiles, move |doc| {
        doc.profiles.retain(|p| p.name != n);
        Ok(())
    })
    .await
    .map_err(|why| Notice::error(format!("Not deleted: {why}"), None))?;
    svc.secrets.delete(name).await.map_err(|e| {
        Notice::error(
            format!("Deleted the profile {name}, but its secret could not be removed: {e}"),
            Some(format!(
                "remove the entry bbtoken/{name} from your credential store"
            )),
        )
    })?;
    Ok(())
}
