//! The operations that change a profile and its secret — add, update (edit
//! fields, rotate the token, rename) and remove — written once, for the CLI
//! and the TUI alike.
//!
//! Why one place: the two shells had their own copies, and the copies split
//! (the TUI deleted the profile before the secret, and ignored a failed delete
//! after a rename). The order and the rollback rules are here only:
//!
//! - Every operation takes the profiles lock first, checks the name under it,
//!   and holds it across the keyring write and the file write. Two bbtoken
//!   processes (CLI or TUI) working on one name therefore run one after the
//!   other, never interleaved: a rollback can only undo what its own run
//!   wrote, and a run that reports success is the last word.
//! - add / rotate store the secret before the profile that names it; if the
//!   profile cannot be written, the keyring slot is put back as it was.
//! - remove deletes the secret first; if that fails the profile stays and
//!   nothing was removed (no secret is ever left behind without a profile).
//! - rename copies the secret to the new name, writes the profile, then deletes
//!   the old entry; a failed delete is reported, not hidden.
//! - Every change of secret or reach bumps the profile's revision and drops its
//!   last outcome, so a validation that started earlier cannot record over it.

use std::convert::Infallible;

use crate::fields;
use crate::profile::{Outcome, Profile, Status};
use crate::secret::Secret;
use crate::store::profiles::{Document, LockGuard};
use crate::store::{ConfigError, ProfileFile, SecretStore, StoreError};

/// Why an operation failed, what was left changed, and what to do (in the
/// user's language: `OpError::words` in src/error_words.rs).
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpError {
    #[error(
        "a profile named {name:?} already exists: use bbtoken edit {name} (or --secret to replace its token); nothing was changed"
    )]
    Exists { name: String },
    #[error("no profile named {name:?}: see bbtoken list; nothing was changed")]
    NotFound { name: String },
    #[error("{message}\nnothing was changed")]
    Invalid { message: String },
    /// The profiles file could not be locked or read: nothing was touched.
    #[error("{0}")]
    Config(#[source] ConfigError),
    #[error("{source}\nnothing was changed")]
    StoreRead {
        #[source]
        source: StoreError,
    },
    #[error(
        "{source}\nthe profile was not changed; a credential store that answers late may still take the new token, so run the command again once it answers"
    )]
    StoreWrite {
        #[source]
        source: StoreError,
    },
    #[error(
        "no secret is stored for {from:?}, so there is none to move to {to:?}: store one first (bbtoken edit {from} --secret, or rotate in the app); nothing was changed"
    )]
    NoSecretToMove { from: String, to: String },
    #[error("the profile {name:?} could not be saved: {source}\n{}", rollback_text(name, rollback.as_ref()))]
    ProfileWrite {
        name: String,
        #[source]
        source: Box<ConfigError>,
        /// `Some` when the keyring slot could not be put back.
        rollback: Option<StoreError>,
    },
    /// The new token did not pass the check before a rotation: the old
    /// token stays (see [`Ops::rotate_checked`]).
    #[error(
        "the new token for {name:?} was not accepted ({}: {}); the old token is kept: nothing was changed",
        outcome.status,
        outcome.message
    )]
    Rejected { name: String, outcome: Box<Outcome> },
    #[error(
        "{source}\nnothing was removed: the profile {name:?} stays until its secret can be removed too"
    )]
    RemoveSecret {
        name: String,
        #[source]
        source: StoreError,
    },
    #[error("the profile {name:?} could not be removed: {source}\n{}", restore_text(name, restored.as_ref()))]
    RemoveWrite {
        name: String,
        #[source]
        source: Box<ConfigError>,
        /// `Some` when the deleted secret could not be stored again.
        restored: Option<StoreError>,
    },
}

fn rollback_text(name: &str, failed: Option<&StoreError>) -> String {
    match failed {
        None => "the credential store was put back as it was: nothing was changed".into(),
        Some(e) => format!(
            "and the credential store entry bbtoken/{name} could not be put back as it was ({e}): it may hold the new token while the profile does not"
        ),
    }
}

fn restore_text(name: &str, failed: Option<&StoreError>) -> String {
    match failed {
        None => "its secret was stored again: nothing was removed".into(),
        Some(e) => format!(
            "its secret was deleted and could not be stored again ({e}): the profile {name:?} stays without a token; run bbtoken remove {name} again"
        ),
    }
}

/// What [`Ops::update`] did.
#[derive(Debug)]
pub struct Updated {
    /// The profile as saved.
    pub profile: Profile,
    /// The last outcome was dropped (new secret or new reach): validate again.
    pub outcome_dropped: bool,
    /// After a rename: the old keyring entry could not be deleted. The rename
    /// itself succeeded; the shells tell the user to remove the entry.
    pub old_entry_left: Option<StoreError>,
}

/// What [`Ops::rotate_checked`] did.
#[derive(Debug)]
pub struct Checked {
    pub updated: Updated,
    /// The new token's check, recorded on the profile.
    pub outcome: Outcome,
    /// Whether the check passed (`false`: replaced because forced).
    pub accepted: bool,
}

/// What [`Ops::remove`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub had_secret: bool,
}

/// The profile-changing operations over one profiles file and one store.
#[derive(Debug, Clone)]
pub(crate) struct Ops {
    profiles: ProfileFile,
    secrets: SecretStore,
}

impl Ops {
    pub fn new(profiles: ProfileFile, secrets: SecretStore) -> Ops {
        Ops { profiles, secrets }
    }

    /// Stores `secret`, then adds `profile`. Refused if the name exists.
    pub async fn add(&self, profile: Profile, secret: &Secret) -> Result<Profile, OpError> {
        let guard = self.lock().await?;
        let doc = self.load().await?;
        if doc.find(&profile.name).is_some() {
            return Err(OpError::Exists { name: profile.name });
        }
        check(&profile)?;
        let name = profile.name.clone();
        let previous = self.current(&name).await?;
        self.store(&name, secret).await?;
        let saved = profile.clone();
        let (_guard, written) = self
            .write(guard, move |doc| doc.profiles.push(profile))
            .await;
        if let Err(source) = written {
            let rollback = self.put_back(&name, previous).await;
            return Err(OpError::ProfileWrite {
                name,
                source: Box::new(source),
                rollback,
            });
        }
        tracing::info!(profile = saved.name, kind = ?saved.kind, "profile added");
        Ok(saved)
    }

    /// Changes the profile `name` with `change`, which gets the profile as it
    /// is on disk under the lock and returns the new one. With `secret`, the
    /// token is replaced (rotate). A new name in the returned profile renames
    /// it, moving its secret. The revision, the creation time and the last
    /// outcome are managed here, whatever `change` sets them to.
    pub async fn update(
        &self,
        name: &str,
        change: impl FnOnce(&Profile) -> Result<Profile, String> + Send,
        secret: Option<&Secret>,
    ) -> Result<Updated, OpError> {
        self.update_recording(name, change, secret, None).await
    }

    /// Rotates the token of `name` only if the new one passes `check` first
    /// (issue 10: a failing new token once replaced a working one, and
    /// Bitbucket shows a token only once). `check` gets the profile as it
    /// will be saved (with `change` applied) and validates `secret` for it,
    /// without the store. Unless `force`, anything but `valid` — a token
    /// problem, or a check that could not conclude — leaves everything as it
    /// was ([`OpError::Rejected`]). When the rotation goes ahead, the check's
    /// outcome is recorded on the new revision, so it needs no second call.
    ///
    /// The check runs before the profiles lock is taken: a network call must
    /// not hold other bbtoken processes for up to its timeout. A concurrent
    /// change of the reach meanwhile makes the outcome stale; it is then not
    /// recorded.
    pub(crate) async fn rotate_checked<Fut>(
        &self,
        name: &str,
        change: impl Fn(&Profile) -> Result<Profile, String> + Send + Sync,
        secret: &Secret,
        check_new: impl FnOnce(Profile) -> Fut,
        force: bool,
    ) -> Result<Checked, OpError>
    where
        Fut: std::future::Future<Output = Outcome>,
    {
        let doc = self.load().await?;
        let old = doc.find(name).ok_or_else(|| OpError::NotFound {
            name: name.to_string(),
        })?;
        let preview = change(old).map_err(|message| OpError::Invalid { message })?;
        check(&preview)?;
        let outcome = check_new(preview.clone()).await;
        let accepted = outcome.status == Status::Valid;
        if !accepted && !force {
            return Err(OpError::Rejected {
                name: name.to_string(),
                outcome: Box::new(outcome),
            });
        }
        let record = Some((preview, outcome.clone()));
        let updated = self
            .update_recording(name, change, Some(secret), record)
            .await?;
        Ok(Checked {
            updated,
            outcome,
            accepted,
        })
    }

    async fn update_recording(
        &self,
        name: &str,
        change: impl FnOnce(&Profile) -> Result<Profile, String> + Send,
        secret: Option<&Secret>,
        checked: Option<(Profile, Outcome)>,
    ) -> Result<Updated, OpError> {
        let guard = self.lock().await?;
        let doc = self.load().await?;
        let old = doc.find(name).ok_or_else(|| OpError::NotFound {
            name: name.to_string(),
        })?;
        let mut new = change(old).map_err(|message| OpError::Invalid { message })?;
        new.created = old.created;
        new.revision = old.revision;
        let outcome_dropped = secret.is_some() || !new.same_reach(old);
        if outcome_dropped {
            new.forget_outcomes();
            new.revision = old.revision.wrapping_add(1);
            // The new token's check, if it was made for what is saved now.
            if let Some((checked, outcome)) = checked
                && checked.same_reach(&new)
                && checked.name == new.name
            {
                new.record(outcome);
            }
        } else {
            new.last_validation = old.last_validation.clone();
            new.last_conclusive = old.last_conclusive.clone();
        }
        check(&new)?;
        let target = new.name.clone();
        let renamed = target != name;
        if renamed && doc.find(&target).is_some() {
            return Err(OpError::Exists { name: target });
        }
        let moved;
        let to_store = match secret {
            Some(s) => Some(s),
            None if renamed => {
                moved = match self.secrets.get(name).await {
                    Ok(s) => s,
                    Err(StoreError::Missing { .. }) => {
                        return Err(OpError::NoSecretToMove {
                            from: name.to_string(),
                            to: target,
                        });
                    }
                    Err(source) => return Err(OpError::StoreRead { source }),
                };
                Some(&moved)
            }
            None => None,
        };
        let previous = match to_store {
            Some(s) => {
                let previous = self.current(&target).await?;
                self.store(&target, s).await?;
                Some(previous)
            }
            None => None,
        };
        let (old_name, saved) = (name.to_string(), new.clone());
        let (_guard, written) = self
            .write(guard, move |doc| {
                if let Some(slot) = doc.find_mut(&old_name) {
                    *slot = new;
                }
            })
            .await;
        if let Err(source) = written {
            let rollback = match previous {
                Some(previous) => self.put_back(&target, previous).await,
                None => None,
            };
            return Err(OpError::ProfileWrite {
                name: target,
                source: Box::new(source),
                rollback,
            });
        }
        tracing::info!(
            profile = saved.name,
            from = name,
            secret_replaced = secret.is_some(),
            outcome_dropped,
            "profile updated"
        );
        let old_entry_left = if renamed {
            self.secrets.delete(name).await.err()
        } else {
            None
        };
        Ok(Updated {
            profile: saved,
            outcome_dropped,
            old_entry_left,
        })
    }

    /// Deletes the secret, then the profile. If the secret cannot be
    /// deleted, nothing is removed.
    pub async fn remove(&self, name: &str) -> Result<Removed, OpError> {
        let guard = self.lock().await?;
        let doc = self.load().await?;
        if doc.find(name).is_none() {
            return Err(OpError::NotFound {
                name: name.to_string(),
            });
        }
        let refused = |source| OpError::RemoveSecret {
            name: name.to_string(),
            source,
        };
        // Kept until the profile is gone, to store it again if that fails.
        let previous = match self.secrets.get(name).await {
            Ok(s) => Some(s),
            Err(StoreError::Missing { .. }) => None,
            Err(e) => return Err(refused(e)),
        };
        if previous.is_some() {
            self.secrets.delete(name).await.map_err(refused)?;
        }
        let n = name.to_string();
        let (_guard, written) = self
            .write(guard, move |doc| doc.profiles.retain(|p| p.name != n))
            .await;
        if let Err(source) = written {
            let restored = match &previous {
                Some(s) => self.secrets.set(name, s).await.err(),
                None => None,
            };
            return Err(OpError::RemoveWrite {
                name: name.to_string(),
                source: Box::new(source),
                restored,
            });
        }
        tracing::info!(
            profile = name,
            had_secret = previous.is_some(),
            "profile removed"
        );
        Ok(Removed {
            had_secret: previous.is_some(),
        })
    }

    /// The lock, taken off the async workers (the wait is bounded).
    async fn lock(&self) -> Result<LockGuard, OpError> {
        let file = self.profiles.clone();
        blocking(move || file.lock()).await.map_err(OpError::Config)
    }

    async fn load(&self) -> Result<Document, OpError> {
        let file = self.profiles.clone();
        blocking(move || file.load()).await.map_err(OpError::Config)
    }

    /// Applies `change` to the document under `guard` and writes it. The
    /// guard comes back so the lock is held until the caller is done.
    async fn write(
        &self,
        guard: LockGuard,
        change: impl FnOnce(&mut Document) + Send + 'static,
    ) -> (LockGuard, Result<(), ConfigError>) {
        let file = self.profiles.clone();
        blocking(move || {
            let r = file.update_locked(&guard, |doc| {
                change(doc);
                Ok::<_, Infallible>(())
            });
            (guard, r.map(|_| ()))
        })
        .await
    }

    /// What the keyring holds under `name` now (`None`: nothing). Any other
    /// error stops the operation: guessing "nothing" could later delete the
    /// only copy of a token, and Bitbucket shows a token only once.
    async fn current(&self, name: &str) -> Result<Option<Secret>, OpError> {
        match self.secrets.get(name).await {
            Ok(s) => Ok(Some(s)),
            Err(StoreError::Missing { .. }) => Ok(None),
            Err(source) => Err(OpError::StoreRead { source }),
        }
    }

    async fn store(&self, name: &str, secret: &Secret) -> Result<(), OpError> {
        self.secrets
            .set(name, secret)
            .await
            .map_err(|source| OpError::StoreWrite { source })
    }

    /// Puts the keyring slot back as it was; `Some` when that failed.
    async fn put_back(&self, name: &str, previous: Option<Secret>) -> Option<StoreError> {
        match previous {
            Some(s) => self.secrets.set(name, &s).await.err(),
            None => self.secrets.delete(name).await.err(),
        }
    }
}

/// The field checks, as the last gate before anything is written.
fn check(p: &Profile) -> Result<(), OpError> {
    let errs = fields::check_profile(p);
    if errs.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = errs.iter().map(|(f, e)| format!("  {f}: {e}")).collect();
    Err(OpError::Invalid {
        message: format!(
            "profile {:?} is not complete:\n{}",
            p.name,
            lines.join("\n")
        ),
    })
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(t) => t,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

#[cfg(test)]
mod tests;
