//! The notes under a generated command, typed, so each surface says them in
//! the user's language while `commands --json` keeps the English
//! ([`super::Generated::note`]).

use super::refname::Refused;
use crate::i18n::{Lang, tr, with_lang};

/// One thing to know about a generated command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The workspace is not a safe name: WORKSPACE stands in for it.
    UnsafeWorkspace,
    /// The repository is not a safe name: REPO stands in for it.
    UnsafeRepo,
    /// The stored token holds control characters: TOKEN stands in for it.
    UnsafeToken,
    /// The bot email on record holds control characters.
    BotEmailUnsafe,
    /// The bot email comes from the clone link, not from the user.
    BotEmailUnconfirmed,
    /// No bot email: a placeholder stands in.
    BotEmailUnknown,
    /// `git push -u origin HEAD`: the current branch under its own name.
    PushHead,
    /// The main branch Bitbucket reported is refused, and why.
    BranchRefused(Refused),
    /// The main branch was learned for another repository.
    BranchOtherRepository,
    /// No validation has told the main branch yet.
    BranchUnknown,
    /// `git remote add` then push: the repository should be empty.
    RepositoryShouldBeEmpty,
    /// An API token profile without an Atlassian email.
    NoApiEmail,
    /// The API token profile's email holds control characters.
    ApiEmailUnsafe,
    /// `curl --user EMAIL` prompts for the token.
    CurlAsks,
    /// The snippet reads the token without echo.
    ShellReads,
    /// The command was withheld by the last check.
    Withheld,
}

impl Note {
    /// The note in the current language.
    pub fn words(&self) -> String {
        match self {
            Note::UnsafeWorkspace => tr!("gitcmd.note.unsafe_workspace"),
            Note::UnsafeRepo => tr!("gitcmd.note.unsafe_repo"),
            Note::UnsafeToken => tr!("gitcmd.note.unsafe_token"),
            Note::BotEmailUnsafe => tr!("gitcmd.note.bot_email_unsafe"),
            Note::BotEmailUnconfirmed => tr!("gitcmd.note.bot_email_unconfirmed"),
            Note::BotEmailUnknown => tr!("gitcmd.note.bot_email_unknown"),
            Note::PushHead => tr!("gitcmd.note.push_head"),
            Note::BranchRefused(why) => tr!("gitcmd.note.branch_refused", why = why.reason()),
            Note::BranchOtherRepository => tr!("gitcmd.note.branch_other_repository"),
            Note::BranchUnknown => tr!("gitcmd.note.branch_unknown"),
            Note::RepositoryShouldBeEmpty => tr!("gitcmd.note.repository_should_be_empty"),
            Note::NoApiEmail => tr!("gitcmd.note.no_api_email"),
            Note::ApiEmailUnsafe => tr!("gitcmd.note.api_email_unsafe"),
            Note::CurlAsks => tr!("gitcmd.note.curl_asks"),
            Note::ShellReads => tr!("gitcmd.note.shell_reads"),
            Note::Withheld => tr!("gitcmd.note.withheld"),
        }
        .into_owned()
    }
}

/// Notes joined in the current language, or `None` when there are none.
pub fn joined(notes: &[Note]) -> Option<String> {
    (!notes.is_empty()).then(|| {
        notes
            .iter()
            .map(Note::words)
            .collect::<Vec<_>>()
            .join(&tr!("gitcmd.note.separator"))
    })
}

/// [`joined`] in English: what `Generated::note` and JSON carry.
pub fn english(notes: &[Note]) -> Option<String> {
    with_lang(Lang::En, || joined(notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Note> {
        vec![
            Note::UnsafeWorkspace,
            Note::UnsafeRepo,
            Note::UnsafeToken,
            Note::BotEmailUnsafe,
            Note::BotEmailUnconfirmed,
            Note::BotEmailUnknown,
            Note::PushHead,
            Note::BranchRefused(Refused::OptionLike),
            Note::BranchOtherRepository,
            Note::BranchUnknown,
            Note::RepositoryShouldBeEmpty,
            Note::NoApiEmail,
            Note::ApiEmailUnsafe,
            Note::CurlAsks,
            Note::ShellReads,
            Note::Withheld,
        ]
    }

    /// Every note has Japanese words of its own; what a script reads
    /// (`english`) is English whatever the language.
    #[test]
    fn notes_have_japanese_words_and_english_data() {
        for n in all() {
            let en = with_lang(Lang::En, || n.words());
            let ja = with_lang(Lang::Ja, || n.words());
            assert_ne!(en, ja, "{n:?}");
            assert!(
                ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
                "{ja}"
            );
        }
        let two = [Note::BranchUnknown, Note::PushHead];
        let english = "main branch not known yet (validate to learn it); this pushes your current branch under its own name";
        assert_eq!(with_lang(Lang::Ja, || english_of(&two)), english);
        assert_eq!(with_lang(Lang::En, || joined(&two)).unwrap(), english);
    }

    fn english_of(notes: &[Note]) -> String {
        super::english(notes).unwrap()
    }
}
