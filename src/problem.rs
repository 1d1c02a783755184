//! What went wrong with a validation, and what to do about it, as values.
//!
//! The engine decides the [`Problem`] and the [`Remedy`]; each surface says
//! them in its own words: the command line names a command
//! ([`Remedy::command_words`], also the `remedy` text of JSON and of the
//! profiles file, which scripts read), the app names a key
//! (`ui::remedy::words`). Nothing is decided from message text, except when
//! reading outcomes recorded before these kinds existed ([`Problem::from_status`]).

use serde::{Deserialize, Serialize};

use crate::i18n::tr;
use crate::profile::Status;

/// Why an outcome is not `valid`: one kind per cause a person acts on
/// differently. Finer than [`Status`], which stays the JSON verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// 401: invalid, expired or revoked (Bitbucket cannot tell which).
    Unauthorized,
    /// 401 after the expiry date the user entered.
    Expired,
    /// 403 naming the scope the call needs.
    MissingScope,
    /// 403 for another reason.
    Forbidden,
    /// 404: the repository does not exist or the token cannot see it.
    NoRepo,
    /// The token is of the other family than the profile says.
    WrongKind,
    RateLimited,
    /// 5xx.
    Server,
    Network,
    /// A redirect: the repository may have been renamed or moved.
    Moved,
    BadResponse,
    /// The credential store itself cannot be used: every profile fails alike.
    StoreUnavailable,
    /// The credential store failed on this call.
    StoreFailed,
    /// No secret is stored for the profile.
    MissingSecret,
    /// The profile lacks a fact its kind needs (an email, a repository).
    IncompleteProfile,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Unauthorized => "unauthorized",
            Problem::Expired => "expired",
            Problem::MissingScope => "missing_scope",
            Problem::Forbidden => "forbidden",
            Problem::NoRepo => "no_repo",
            Problem::WrongKind => "wrong_kind",
            Problem::RateLimited => "rate_limited",
            Problem::Server => "server",
            Problem::Network => "network",
            Problem::Moved => "moved",
            Problem::BadResponse => "bad_response",
            Problem::StoreUnavailable => "store_unavailable",
            Problem::StoreFailed => "store_failed",
            Problem::MissingSecret => "missing_secret",
            Problem::IncompleteProfile => "incomplete_profile",
        }
    }

    /// The coarse kind a status alone implies: what an outcome gets until
    /// the code that knows more refines it.
    pub(crate) fn of_status(status: Status) -> Option<Problem> {
        Some(match status {
            Status::Valid => return None,
            Status::Invalid => Problem::Unauthorized,
            Status::Forbidden => Problem::Forbidden,
            Status::NotFound => Problem::NoRepo,
            Status::RateLimited => Problem::RateLimited,
            Status::ServerError => Problem::Server,
            Status::NetworkError => Problem::Network,
            Status::BadResponse => Problem::BadResponse,
            Status::StoreError => Problem::StoreFailed,
        })
    }

    /// The kind of an outcome recorded before kinds were: from its status and
    /// the words bbtoken wrote then, so nothing is lost on load. Only here is
    /// message text read, because it is all an old file has.
    pub(crate) fn from_status(status: Status, message: &str, remedy: &str) -> Option<Problem> {
        let coarse = Problem::of_status(status)?;
        Some(match status {
            Status::Invalid if remedy.contains("has passed") => Problem::Expired,
            Status::Invalid if remedy.contains("this looks like an") => Problem::WrongKind,
            Status::Forbidden if remedy.contains("lacks a scope") => Problem::MissingScope,
            Status::BadResponse if message.contains("redirected") => Problem::Moved,
            Status::BadResponse if message.contains("names no repository") => {
                Problem::IncompleteProfile
            }
            Status::StoreError if message.contains("credential store") => Problem::StoreUnavailable,
            Status::StoreError if message.contains("no secret is stored") => Problem::MissingSecret,
            Status::StoreError if message.contains("no Atlassian account email") => {
                Problem::IncompleteProfile
            }
            _ => coarse,
        })
    }

    /// What happened, in the current language. The recorded message stays
    /// English (scripts read it), so another language says the kind in its
    /// own words ([`crate::describe::outcome_message`]).
    pub fn words(self) -> String {
        match self {
            Problem::Unauthorized => tr!("problem.unauthorized"),
            Problem::Expired => tr!("problem.expired"),
            Problem::MissingScope => tr!("problem.missing_scope"),
            Problem::Forbidden => tr!("problem.forbidden"),
            Problem::NoRepo => tr!("problem.no_repo"),
            Problem::WrongKind => tr!("problem.wrong_kind"),
            Problem::RateLimited => tr!("problem.rate_limited"),
            Problem::Server => tr!("problem.server"),
            Problem::Network => tr!("problem.network"),
            Problem::Moved => tr!("problem.moved"),
            Problem::BadResponse => tr!("problem.bad_response"),
            Problem::StoreUnavailable => tr!("problem.store_unavailable"),
            Problem::StoreFailed => tr!("problem.store_failed"),
            Problem::MissingSecret => tr!("problem.missing_secret"),
            Problem::IncompleteProfile => tr!("problem.incomplete_profile"),
        }
        .into_owned()
    }

    /// What to do about it, in the current language, naming no command and
    /// no key (the surface adds its own); see [`Problem::words`].
    pub fn advice(self) -> String {
        match self {
            Problem::Unauthorized | Problem::Expired => tr!("advice.new_token"),
            Problem::MissingScope => tr!("advice.scope"),
            Problem::Forbidden => tr!("advice.forbidden"),
            Problem::NoRepo => tr!("advice.no_repo"),
            Problem::WrongKind => tr!("advice.wrong_kind"),
            Problem::RateLimited | Problem::Server => tr!("advice.wait"),
            Problem::Network => tr!("advice.network"),
            Problem::Moved => tr!("advice.moved"),
            Problem::BadResponse => tr!("advice.bad_response"),
            Problem::StoreUnavailable => tr!("advice.store_unavailable"),
            Problem::StoreFailed => tr!("advice.store_failed"),
            Problem::MissingSecret => tr!("advice.missing_secret"),
            Problem::IncompleteProfile => tr!("advice.incomplete_profile"),
        }
        .into_owned()
    }

    /// Whether every other profile will fail the same way: the store itself
    /// is missing, locked or not answering, rather than one profile's secret.
    pub fn is_store_wide(self) -> bool {
        matches!(self, Problem::StoreUnavailable | Problem::StoreFailed)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one bbtoken action that carries out a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Store a new token for the profile.
    Rotate,
    /// Store a new token and its new expiry date.
    RotateWithExpiry,
    /// Correct the expiry date.
    EditExpiry,
    /// Enter the Atlassian account email.
    EditEmail,
    /// Point the profile at another repository.
    EditRepo,
    /// Remove the profile and add the token again as the kind it is.
    ReAdd,
    /// Validate the profile again.
    Validate,
    /// Validate every profile again.
    ValidateAll,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Rotate,
        Step::RotateWithExpiry,
        Step::EditExpiry,
        Step::EditEmail,
        Step::EditRepo,
        Step::ReAdd,
        Step::Validate,
        Step::ValidateAll,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Rotate => "rotate",
            Step::RotateWithExpiry => "rotate_with_expiry",
            Step::EditExpiry => "edit_expiry",
            Step::EditEmail => "edit_email",
            Step::EditRepo => "edit_repo",
            Step::ReAdd => "re_add",
            Step::Validate => "validate",
            Step::ValidateAll => "validate_all",
        }
    }

    /// The command line, around the profile name: (before, after).
    fn command_parts(self) -> (&'static str, &'static str) {
        match self {
            Step::Rotate => ("bbtoken edit ", " --secret"),
            Step::RotateWithExpiry => ("bbtoken edit ", " --secret --expires YYYY-MM-DD"),
            Step::EditExpiry => ("bbtoken edit ", " --expires YYYY-MM-DD"),
            Step::EditEmail => ("bbtoken edit ", " --email YOU@EXAMPLE.COM"),
            Step::EditRepo => ("bbtoken edit ", " --repo NEW-SLUG"),
            Step::ReAdd => ("bbtoken remove ", ", then add it again as that kind"),
            Step::Validate => ("bbtoken validate ", ""),
            Step::ValidateAll => ("bbtoken validate", ""),
        }
    }

    /// The command that carries out the step for `profile`.
    pub fn command(self, profile: &str) -> String {
        let (before, after) = self.command_parts();
        match self {
            Step::ValidateAll => before.to_string(),
            _ => format!("{before}{profile}{after}"),
        }
    }

    /// The profile named in a command this step built, if it is one.
    fn profile_in(self, command: &str) -> Option<String> {
        let (before, after) = self.command_parts();
        let name = command.strip_prefix(before)?.strip_suffix(after)?;
        Some(name.to_string())
    }
}

/// What to do about an outcome: advice in words every surface can show, and
/// the bbtoken action that carries it out, if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remedy {
    /// Says what to do and why, naming no command and no key.
    pub advice: String,
    pub step: Option<Step>,
    /// The profile the step acts on.
    pub profile: String,
}

/// Between the advice and the command in [`Remedy::command_words`].
const RUN: &str = "; run ";

impl Remedy {
    /// Advice with no bbtoken action (wait, check the network).
    pub fn advice(advice: impl Into<String>) -> Remedy {
        Remedy {
            advice: advice.into(),
            step: None,
            profile: String::new(),
        }
    }

    /// Advice carried out by `step` on `profile`.
    pub fn step(advice: impl Into<String>, step: Step, profile: &str) -> Remedy {
        Remedy {
            advice: advice.into(),
            step: Some(step),
            profile: profile.to_string(),
        }
    }

    /// The words for the command line: the advice, then the command. Also
    /// the `remedy` text recorded in the profiles file and printed in JSON.
    pub fn command_words(&self) -> String {
        match self.step {
            None => self.advice.clone(),
            Some(step) if self.advice.is_empty() => format!("run {}", step.command(&self.profile)),
            Some(step) => format!("{}{RUN}{}", self.advice, step.command(&self.profile)),
        }
    }

    /// The remedy back from its command words and kind, as recorded. Words
    /// this version did not write (an older file, a hand edit) stay advice
    /// as they are, with no step.
    pub(crate) fn from_words(words: &str, step: Option<Step>) -> Remedy {
        let parsed = step.and_then(|s| {
            let (advice, command) = match words.rfind(RUN) {
                Some(i) => (&words[..i], &words[i + RUN.len()..]),
                None => ("", words.strip_prefix("run ")?),
            };
            let profile = match s {
                Step::ValidateAll => (command == s.command("")).then(String::new)?,
                _ => s.profile_in(command)?,
            };
            Some(Remedy {
                advice: advice.to_string(),
                step: Some(s),
                profile,
            })
        });
        parsed.unwrap_or_else(|| Remedy::advice(words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_words_round_trip_for_every_step() {
        for step in Step::ALL {
            for advice in ["", "create a new token", "a; run b; then c"] {
                let r = Remedy::step(advice, step, "ci-api.x");
                let back = Remedy::from_words(&r.command_words(), r.step);
                let want = match step {
                    Step::ValidateAll => Remedy {
                        profile: String::new(),
                        ..r.clone()
                    },
                    _ => r.clone(),
                };
                assert_eq!(back, want, "{step:?} {advice:?}");
            }
        }
    }

    #[test]
    fn words_of_another_step_stay_advice() {
        let words = Remedy::step("x", Step::Rotate, "p").command_words();
        assert_eq!(
            Remedy::from_words(&words, Some(Step::EditRepo)),
            Remedy::advice(words.clone())
        );
        assert_eq!(Remedy::from_words(&words, None), Remedy::advice(words));
    }

    #[test]
    fn cli_words_name_the_command() {
        let r = Remedy::step("create a new token", Step::Rotate, "ci");
        assert_eq!(
            r.command_words(),
            "create a new token; run bbtoken edit ci --secret"
        );
        assert_eq!(
            Remedy::step("", Step::ValidateAll, "ci").command_words(),
            "run bbtoken validate"
        );
        assert_eq!(Remedy::advice("wait").command_words(), "wait");
    }

    #[test]
    fn old_outcomes_get_their_kind_from_what_they_said() {
        let cases = [
            (Status::Valid, "ok", "", None),
            (
                Status::Invalid,
                "401",
                "create a new token",
                Some(Problem::Unauthorized),
            ),
            (
                Status::Invalid,
                "401",
                "the expiry date entered (x) has passed: …",
                Some(Problem::Expired),
            ),
            (
                Status::Invalid,
                "401",
                "this looks like an API token …",
                Some(Problem::WrongKind),
            ),
            (
                Status::Forbidden,
                "403",
                "the token lacks a scope this call needs: x",
                Some(Problem::MissingScope),
            ),
            (
                Status::Forbidden,
                "403",
                "the token may lack",
                Some(Problem::Forbidden),
            ),
            (Status::NotFound, "", "", Some(Problem::NoRepo)),
            (Status::RateLimited, "", "", Some(Problem::RateLimited)),
            (Status::ServerError, "", "", Some(Problem::Server)),
            (Status::NetworkError, "", "", Some(Problem::Network)),
            (
                Status::BadResponse,
                "Bitbucket redirected (301) to x",
                "",
                Some(Problem::Moved),
            ),
            (
                Status::BadResponse,
                "the profile names no repository to validate against",
                "",
                Some(Problem::IncompleteProfile),
            ),
            (
                Status::BadResponse,
                "not a repository",
                "",
                Some(Problem::BadResponse),
            ),
            (
                Status::StoreError,
                "the secret-service credential store is not available: x",
                "",
                Some(Problem::StoreUnavailable),
            ),
            (
                Status::StoreError,
                "no secret is stored for profile \"p\"",
                "",
                Some(Problem::MissingSecret),
            ),
            (
                Status::StoreError,
                "the profile has no Atlassian account email, which …",
                "",
                Some(Problem::IncompleteProfile),
            ),
            (Status::StoreError, "x", "", Some(Problem::StoreFailed)),
        ];
        for (status, message, remedy, want) in cases {
            assert_eq!(
                Problem::from_status(status, message, remedy),
                want,
                "{message} {remedy}"
            );
        }
    }

    #[test]
    fn names_match_serde() {
        for p in [
            Problem::NoRepo,
            Problem::StoreUnavailable,
            Problem::MissingScope,
        ] {
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        for s in Step::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }
}
