//! Validation of profiles: fetch each secret, call Get Repository, classify.
//! Many profiles run concurrently (bounded); each result is delivered as soon
//! as it is ready, so one slow profile never holds back the others.

use chrono::{NaiveDate, Utc};
use futures_util::{Stream, StreamExt};

use crate::bitbucket::{Client, Credential};
use crate::profile::{Outcome, Problem, Profile, Remedy, Status, Step, TokenKind};
use crate::secret::Secret;
use crate::store::profiles::ConfigError;
use crate::store::{ProfileFile, SecretStore, StoreError};
use crate::warning::Warning;

/// How many validations run at once by default: enough for 200 profiles in
/// one wave (see the README's Benchmark section for the figures behind it).
pub const DEFAULT_CONCURRENCY: usize = 256;

/// The validation service shared by the CLI and the TUI.
#[derive(Debug, Clone)]
pub struct Validator {
    client: Client,
    secrets: SecretStore,
    concurrency: usize,
}

impl Validator {
    pub fn new(client: Client, secrets: SecretStore) -> Validator {
        Validator {
            client,
            secrets,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    pub fn with_concurrency(mut self, n: usize) -> Validator {
        self.concurrency = n.max(1);
        self
    }

    pub fn secrets(&self) -> &SecretStore {
        &self.secrets
    }

    /// Validates one profile. Never fails: every problem is an outcome.
    pub async fn validate(&self, profile: &Profile) -> Outcome {
        // Every outcome is cleaned here, whichever path built it: store and
        // network errors carry text from D-Bus or the OS, not only classify's.
        let mut outcome = self.validate_raw(profile).await;
        crate::bitbucket::classify::clean_outcome(&mut outcome);
        outcome
    }

    /// Validates `secret` as the token of `profile`, without reading or
    /// writing the store: how a new token is checked before it replaces the
    /// old one (see [`crate::ops::Ops::rotate_checked`]).
    pub(crate) async fn check_secret(&self, profile: &Profile, secret: Secret) -> Outcome {
        let mut outcome = self.validate_with(profile, secret).await;
        crate::bitbucket::classify::clean_outcome(&mut outcome);
        outcome
    }

    async fn validate_raw(&self, profile: &Profile) -> Outcome {
        let secret = match self.secrets.get(&profile.name).await {
            Ok(s) => s,
            Err(e) => return store_outcome(&e),
        };
        self.validate_with(profile, secret).await
    }

    async fn validate_with(&self, profile: &Profile, secret: Secret) -> Outcome {
        // A token of the other family (stored with --force) fails as the
        // wrong kind: the advice is the one given at add, not "create a new
        // token of the kind the profile says".
        let detected = crate::token::detect(secret.expose());
        let cred = match profile.kind {
            TokenKind::Api => match &profile.email {
                Some(email) => Credential::Basic {
                    email: email.clone(),
                    secret,
                },
                None => {
                    return Outcome::bare(
                        Status::StoreError,
                        "the profile has no Atlassian account email, which API tokens authenticate with",
                        Some(Remedy::step(
                            "enter the email of the Atlassian account the token belongs to",
                            Step::EditEmail,
                            &profile.name,
                        )),
                    )
                    .with_problem(Problem::IncompleteProfile);
                }
            },
            _ => Credential::Bearer(secret),
        };
        let mut outcome = self.client.get_repository(profile, &cred).await;
        drop(cred);
        if outcome.status.is_token_problem()
            && crate::token::kind_mismatches(detected, profile.kind)
        {
            outcome.problem = Some(Problem::WrongKind);
            // Recorded advice stays English (scripts read it).
            let advice = crate::i18n::with_lang(crate::i18n::Lang::En, || {
                crate::token::kind_mismatch(detected, profile.kind)
            });
            outcome.remedy = Some(Remedy::step(advice, Step::ReAdd, &profile.name));
        }
        note_expiry(profile, outcome, Utc::now().date_naive())
    }

    /// Validates many profiles, yielding `(index, outcome)` in completion order.
    /// The secrets are read first in one batch (see [`SecretStore::get_many`]):
    /// one trip to the store instead of one per profile.
    pub fn validate_all<'a>(
        &'a self,
        profiles: &'a [Profile],
    ) -> impl Stream<Item = (usize, Outcome)> + 'a {
        let names: Vec<&'a str> = profiles.iter().map(|p| p.name.as_str()).collect();
        futures_util::stream::once(async move { self.secrets.get_many(&names).await })
            .flat_map(move |mut secrets| {
                futures_util::stream::iter(profiles.iter().enumerate())
                    .map(move |(i, p)| (i, p, secrets.remove(&p.name)))
            })
            .map(move |(i, p, read)| async move { (i, self.validate_read(p, read).await) })
            .buffer_unordered(self.concurrency)
    }

    /// Validates `profile` with the secret already read for it (`None`: read
    /// it now).
    async fn validate_read(
        &self,
        profile: &Profile,
        read: Option<Result<Secret, StoreError>>,
    ) -> Outcome {
        let mut outcome = match read {
            Some(Ok(secret)) => self.validate_with(profile, secret).await,
            Some(Err(e)) => store_outcome(&e),
            None => self.validate_raw(profile).await,
        };
        crate::bitbucket::classify::clean_outcome(&mut outcome);
        outcome
    }

    /// Validates `profiles`, handing each outcome to `each` as soon as it
    /// arrives, then records them all in `file` in one locked write. Returns
    /// the outcomes in the order of `profiles`, and how recording went: the
    /// names whose outcome was dropped as stale (see [`record`]).
    pub(crate) async fn validate_and_record(
        &self,
        file: &ProfileFile,
        profiles: &[Profile],
        mut each: impl FnMut(&Profile, &Outcome),
    ) -> (Vec<Outcome>, Result<Vec<String>, ConfigError>) {
        let mut slots: Vec<Option<Outcome>> = vec![None; profiles.len()];
        {
            let mut stream = std::pin::pin!(self.validate_all(profiles));
            while let Some((i, outcome)) = stream.next().await {
                each(&profiles[i], &outcome);
                slots[i] = Some(outcome);
            }
        }
        let outcomes: Vec<Outcome> = slots
            .into_iter()
            .map(|o| o.expect("every profile yields one outcome"))
            .collect();
        let named: Vec<(Profile, Outcome)> = profiles
            .iter()
            .cloned()
            .zip(outcomes.iter().cloned())
            .collect();
        let file = file.clone();
        // The file lock may wait on another bbtoken: off the async workers.
        let recorded = match tokio::task::spawn_blocking(move || record(&file, &named)).await {
            Ok(r) => r,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        (outcomes, recorded)
    }
}

/// The outcome of a secret that could not be read.
pub(crate) fn store_outcome(e: &StoreError) -> Outcome {
    match e {
        StoreError::Missing { profile } => Outcome::bare(
            Status::StoreError,
            format!("no secret is stored for profile {profile:?}"),
            Some(Remedy::step("store one", Step::Rotate, profile)),
        )
        .with_problem(Problem::MissingSecret),
        StoreError::Failed { .. } => Outcome::bare(
            Status::StoreError,
            e.to_string(),
            Some(Remedy::advice(
                "see the message; other profiles are unaffected",
            )),
        )
        .with_problem(Problem::StoreFailed),
        StoreError::Timeout { .. }
        | StoreError::Unavailable { .. }
        | StoreError::Locked { .. }
        | StoreError::BadSetting { .. } => Outcome::bare(
            Status::StoreError,
            e.to_string(),
            Some(Remedy::advice(
                "see the message; other profiles are unaffected",
            )),
        )
        .with_problem(Problem::StoreUnavailable),
    }
}

/// True when a store error concerns the credential store itself (missing,
/// locked, not answering, failing) rather than one profile's secret or
/// facts: every other profile will fail the same way.
pub fn is_store_wide(o: &Outcome) -> bool {
    o.status == Status::StoreError && o.problem.is_some_and(Problem::is_store_wide)
}

/// Adds what the user-entered expiry date says to the outcome.
pub(crate) fn note_expiry(profile: &Profile, mut outcome: Outcome, today: NaiveDate) -> Outcome {
    match profile.days_left(today) {
        Some(d) if d < 0 => {
            let note = format!(
                "the expiry date entered ({}) has passed",
                profile.expires.unwrap_or(today)
            );
            if outcome.status == Status::Invalid {
                outcome.problem = Some(Problem::Expired);
                outcome.remedy = Some(Remedy::step(
                    format!("{note}: create a new token and store it with its new expiry date"),
                    Step::RotateWithExpiry,
                    &profile.name,
                ));
            } else {
                // A warning says the command the command line would (see
                // README), on every surface.
                outcome.warn(Warning::ExpiryPassed {
                    date: profile.expires.unwrap_or(today),
                    profile: profile.name.clone(),
                });
            }
        }
        Some(d) if d <= 14 => outcome.warn(Warning::ExpiresSoon { days: d }),
        _ => {}
    }
    outcome
}

/// Whether an outcome computed for `checked` still speaks for `now`, the
/// profile on disk: the same profile (name and creation time: not one removed
/// and added again), the same revision (no new secret since), and the same
/// reach.
pub fn still_current(checked: &Profile, now: &Profile) -> bool {
    checked.name == now.name
        && checked.created == now.created
        && checked.revision == now.revision
        && checked.same_reach(now)
}

/// Stores the outcomes in the profiles file, in one locked write. An outcome
/// is recorded only if its profile is [`still_current`] under the lock:
/// profiles removed, re-added, rotated or re-targeted meanwhile are skipped,
/// and their names returned.
fn record(file: &ProfileFile, outcomes: &[(Profile, Outcome)]) -> Result<Vec<String>, ConfigError> {
    file.update(|doc| {
        let mut stale = Vec::new();
        for (checked, outcome) in outcomes {
            match doc.find_mut(&checked.name) {
                Some(p) if still_current(checked, p) => {
                    tracing::debug!(
                        profile = p.name,
                        status = outcome.status.as_str(),
                        "validation recorded"
                    );
                    p.record(outcome.clone());
                }
                Some(_) => {
                    tracing::debug!(profile = checked.name, "validation dropped as stale");
                    stale.push(checked.name.clone())
                }
                None => {}
            }
        }
        Ok::<_, std::convert::Infallible>(stale)
    })
    .map(|r| match r {
        Ok(stale) => stale,
        Err(never) => match never {},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_wide_errors() {
        let wide = StoreError::Timeout {
            backend: "secret-service",
            secs: 5,
        };
        assert!(is_store_wide(&store_outcome(&wide)));
        let missing = StoreError::Missing {
            profile: "p".into(),
        };
        assert!(!is_store_wide(&store_outcome(&missing)));
        assert!(!is_store_wide(&Outcome::bare(
            Status::NetworkError,
            "credential store",
            None
        )));
    }

    #[test]
    fn expiry_notes() {
        let mut p = Profile {
            expires: NaiveDate::from_ymd_opt(2026, 1, 10),
            ..Profile::new("p", TokenKind::Repository, "w", Some("r"))
        };
        let today = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
        let o = note_expiry(&p, Outcome::bare(Status::Invalid, "x", None), today);
        assert_eq!(o.problem, Some(Problem::Expired));
        assert!(o.remedy.unwrap().advice.contains("has passed"));
        p.expires = NaiveDate::from_ymd_opt(2026, 1, 25);
        let o = note_expiry(&p, Outcome::bare(Status::Valid, "x", None), today);
        assert!(o.warnings[0].contains("expires in 5"));
        p.expires = None;
        let o = note_expiry(&p, Outcome::bare(Status::Valid, "x", None), today);
        assert!(o.warnings.is_empty());
    }

    #[test]
    fn only_a_store_failure_gets_the_store_remedy() {
        let missing = store_outcome(&StoreError::Missing {
            profile: "p".into(),
        });
        assert_eq!(missing.status, Status::StoreError);
        // A missing secret is fixed by storing one for that profile, not by
        // the store advice.
        let r = missing.remedy.unwrap();
        assert_eq!((r.step, r.profile.as_str()), (Some(Step::Rotate), "p"));
        assert!(!r.advice.contains("other profiles"), "{r:?}");
        let locked = store_outcome(&StoreError::Locked {
            backend: "secret-service",
            detail: "no".into(),
        });
        assert!(locked.remedy.unwrap().advice.contains("other profiles"));
    }

    #[test]
    fn expiry_boundaries() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
        let due = |days: i64, status: Status| {
            let p = Profile {
                expires: Some(today + chrono::TimeDelta::days(days)),
                ..Profile::new("p", TokenKind::Repository, "w", Some("r"))
            };
            note_expiry(&p, Outcome::bare(status, "x", None), today)
        };
        // Today is not past: the token still works until the day ends.
        let o = due(0, Status::Valid);
        assert_eq!(o.warnings, ["expires today: rotate it soon"]);
        let o = due(1, Status::Valid);
        assert_eq!(o.warnings, ["expires tomorrow: rotate it soon"]);
        let o = due(14, Status::Valid);
        assert_eq!(o.warnings, ["expires in 14 days: rotate it soon"]);
        assert!(due(15, Status::Valid).warnings.is_empty());
        assert!(due(400, Status::Valid).warnings.is_empty());
        // Past, but Bitbucket still accepts it: a warning, not a remedy.
        let o = due(-1, Status::Valid);
        assert_eq!(o.remedy, None);
        assert!(o.warnings[0].contains("has passed"), "{:?}", o.warnings);
        let o = due(-1, Status::Invalid);
        assert!(o.remedy.unwrap().command_words().contains("has passed"));
        assert!(o.warnings.is_empty());
    }

    fn checked() -> Profile {
        Profile {
            email: Some("dev@example.com".into()),
            revision: 3,
            ..Profile::new("p", TokenKind::Api, "acme", Some("api"))
        }
    }

    #[test]
    fn still_current_needs_the_same_profile_revision_and_reach() {
        let c = checked();
        assert!(still_current(&c, &c.clone()));
        type Change = fn(&mut Profile);
        let changes: [(&str, Change); 5] = [
            ("name", |p| p.name = "q".into()),
            ("created", |p| p.created += chrono::TimeDelta::seconds(1)),
            ("revision", |p| p.revision += 1),
            ("workspace", |p| p.workspace = "other".into()),
            ("email", |p| p.email = Some("else@example.com".into())),
        ];
        for (what, change) in changes {
            let mut now = c.clone();
            change(&mut now);
            assert!(!still_current(&c, &now), "{what} changed");
        }
        // A field outside the reach does not make it stale.
        let now = Profile {
            note: Some("n".into()),
            ..c.clone()
        };
        assert!(still_current(&c, &now));
    }

    #[test]
    fn record_keeps_only_outcomes_that_still_speak_for_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile::at(dir.path().to_path_buf());
        let c = checked();
        let gone = Profile {
            name: "gone".into(),
            ..c.clone()
        };
        let rotated = Profile {
            name: "rotated".into(),
            ..c.clone()
        };
        file.update(|d| {
            d.profiles.push(c.clone());
            d.profiles.push(Profile {
                revision: rotated.revision + 1,
                ..rotated.clone()
            });
            Ok::<_, ()>(())
        })
        .unwrap()
        .unwrap();
        let valid = Outcome::bare(Status::Valid, "ok", None);
        let stale = record(
            &file,
            &[
                (c.clone(), valid.clone()),
                (rotated.clone(), valid.clone()),
                (gone, valid.clone()),
            ],
        )
        .unwrap();
        assert_eq!(stale, ["rotated"]);
        let doc = file.load().unwrap();
        assert_eq!(doc.find("p").unwrap().last_validation, Some(valid));
        assert_eq!(doc.find("rotated").unwrap().last_validation, None);
        assert!(
            doc.find("gone").is_none(),
            "a removed profile is not re-added"
        );
    }
}
