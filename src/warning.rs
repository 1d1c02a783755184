//! What an outcome warns of, typed, so each surface says it in the user's
//! language. The outcome keeps the English too ([`Outcome::warnings`]):
//! that is what JSON and the state file have always carried, and all that
//! an outcome recorded before the types has.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, tr, with_lang};
use crate::profile::Outcome;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The token cannot push: it lacks `scope`.
    NoWriteScope { scope: String },
    /// The token cannot clone or fetch: it lacks `scope`.
    NoReadScope { scope: String },
    /// The token holds scopes git does not need.
    LeastPrivilege {
        extra: Vec<String>,
        read: String,
        write: String,
    },
    /// A project token's repository is in another project than the profile's.
    OtherProject {
        repository: String,
        key: String,
        want: String,
    },
    /// The expiry date entered has passed, though the token still works.
    ExpiryPassed { date: NaiveDate, profile: String },
    /// The token expires within two weeks.
    ExpiresSoon { days: i64 },
    /// Bitbucket sent a main branch that bbtoken will not put in a command.
    UnusableBranch { branch: String },
    /// Bitbucket sent a project key that is not one.
    UnusableProjectKey { key: String },
    /// Bitbucket sent a clone link user that is not a bot id.
    UnusableCloneUser,
}

impl Warning {
    /// The warning in the current language.
    pub fn words(&self) -> String {
        match self {
            Warning::NoWriteScope { scope } => tr!("warning.no_write_scope", scope = scope),
            Warning::NoReadScope { scope } => tr!("warning.no_read_scope", scope = scope),
            Warning::LeastPrivilege { extra, read, write } => tr!(
                "warning.least_privilege",
                extra = extra.join(", "),
                read = read,
                write = write
            ),
            Warning::OtherProject {
                repository,
                key,
                want,
            } => tr!(
                "warning.other_project",
                repository = repository,
                key = key,
                want = want
            ),
            Warning::ExpiryPassed { date, profile } => {
                tr!("warning.expiry_passed", date = date, name = profile)
            }
            Warning::ExpiresSoon { days: 0 } => tr!("warning.expires_today"),
            Warning::ExpiresSoon { days: 1 } => tr!("warning.expires_tomorrow"),
            Warning::ExpiresSoon { days } => tr!("warning.expires_soon", days = days),
            Warning::UnusableBranch { branch } => {
                tr!("warning.unusable_branch", branch = branch)
            }
            Warning::UnusableProjectKey { key } => tr!("warning.unusable_project_key", key = key),
            Warning::UnusableCloneUser => tr!("warning.unusable_clone_user"),
        }
        .into_owned()
    }

    /// The English words: what [`Outcome::warnings`] records.
    pub fn english(&self) -> String {
        with_lang(Lang::En, || self.words())
    }

    /// Every text in it made safe to show (a state file may hold anything).
    pub(crate) fn clean(&mut self) {
        let line = |s: &mut String| *s = crate::text::clean_line(s, 100);
        match self {
            Warning::NoWriteScope { scope } | Warning::NoReadScope { scope } => line(scope),
            Warning::LeastPrivilege { extra, read, write } => {
                extra.iter_mut().for_each(line);
                line(read);
                line(write);
            }
            Warning::OtherProject {
                repository,
                key,
                want,
            } => {
                line(repository);
                line(key);
                line(want);
            }
            Warning::ExpiryPassed { profile, .. } => line(profile),
            Warning::UnusableBranch { branch } => line(branch),
            Warning::UnusableProjectKey { key } => line(key),
            Warning::ExpiresSoon { .. } | Warning::UnusableCloneUser => {}
        }
    }
}

impl Outcome {
    /// Adds a warning: its type, and its English words for scripts.
    pub(crate) fn warn(&mut self, w: Warning) {
        self.warnings.push(w.english());
        self.warning_kinds.push(w);
    }

    /// The warnings in the current language. An outcome recorded before the
    /// types (or one whose lists disagree) says its recorded English.
    pub fn warning_words(&self) -> Vec<String> {
        if self.warning_kinds.len() == self.warnings.len() {
            self.warning_kinds.iter().map(Warning::words).collect()
        } else {
            self.warnings.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Status;

    fn all() -> Vec<Warning> {
        vec![
            Warning::NoWriteScope {
                scope: "repository:write".into(),
            },
            Warning::NoReadScope {
                scope: "repository".into(),
            },
            Warning::LeastPrivilege {
                extra: vec!["repository:admin".into(), "pullrequest".into()],
                read: "repository".into(),
                write: "repository:write".into(),
            },
            Warning::OtherProject {
                repository: "acme/api".into(),
                key: "CORE".into(),
                want: "OPS".into(),
            },
            Warning::ExpiryPassed {
                date: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
                profile: "ci".into(),
            },
            Warning::ExpiresSoon { days: 5 },
            Warning::UnusableBranch {
                branch: "--mirror".into(),
            },
            Warning::UnusableProjectKey { key: "x y".into() },
            Warning::UnusableCloneUser,
        ]
    }

    #[test]
    fn each_warning_has_japanese_words_and_keeps_its_values() {
        for w in all() {
            let ja = with_lang(Lang::Ja, || w.words());
            assert_ne!(ja, w.english(), "{w:?}");
            assert!(
                ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
                "{ja}"
            );
        }
        let w = &all()[2];
        let ja = with_lang(Lang::Ja, || w.words());
        assert!(ja.contains("repository:admin, pullrequest"), "{ja}");
        assert_eq!(
            all()[5].english(),
            "expires in 5 days: rotate it soon",
            "the English recorded before the types"
        );
    }

    #[test]
    fn an_outcome_says_typed_warnings_and_falls_back_to_recorded_ones() {
        let mut o = Outcome::bare(Status::Valid, "ok", None);
        o.warn(Warning::ExpiresSoon { days: 3 });
        assert_eq!(o.warnings, ["expires in 3 days: rotate it soon"]);
        let ja = with_lang(Lang::Ja, || o.warning_words());
        assert!(ja[0].contains('3') && ja[0] != o.warnings[0], "{ja:?}");
        // Recorded by an older bbtoken: English only.
        o.warning_kinds.clear();
        assert_eq!(with_lang(Lang::Ja, || o.warning_words()), o.warnings);
    }

    #[test]
    fn clean_makes_server_text_safe() {
        let mut w = Warning::UnusableBranch {
            branch: "main\u{1b}[2J".into(),
        };
        w.clean();
        assert!(!crate::text::has_unsafe(&w.words()), "{w:?}");
    }
}
