//! Is a branch name safe to put in a generated `git push`? The main branch
//! comes from the server (Get Repository), so it is hostile input. This is
//! git's own `check-ref-format --branch` rule set, in pure Rust so no git is
//! needed at run time, plus stricter rules of ours for names that are legal
//! to git but could change what a pasted command does.

use super::safe::is_forbidden;
use crate::i18n::tr;

/// Why a branch name was refused. The words go into a command's note, so they
/// never quote the name itself (it may hold terminal controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Empty,
    TooLong,
    /// A control, DEL, C1 or bidi character: could rewrite the terminal line.
    ControlCharacter,
    /// Space, `~ ^ : ? * [ \`, `..` or `@{`: git refuses these in any ref.
    BadCharacter,
    /// Leading or trailing `/`, or `//`.
    BadSlash,
    /// A component starting with `.`, ending with `.lock`, or a name ending in `.`.
    BadDot,
    /// `HEAD`, or `@` alone.
    Reserved,
    /// Starts with `-` (an option) or `+` (a forced refspec).
    OptionLike,
    /// Holds `:` or `*`: refspec syntax.
    RefspecLike,
}

impl Refused {
    /// Why, in the current language ("it is empty").
    pub fn reason(self) -> String {
        match self {
            Refused::Empty => tr!("gitcmd.refused.empty"),
            Refused::TooLong => tr!("gitcmd.refused.too_long"),
            Refused::ControlCharacter => tr!("gitcmd.refused.control"),
            Refused::BadCharacter => tr!("gitcmd.refused.bad_character"),
            Refused::BadSlash => tr!("gitcmd.refused.bad_slash"),
            Refused::BadDot => tr!("gitcmd.refused.bad_dot"),
            Refused::Reserved => tr!("gitcmd.refused.reserved"),
            Refused::OptionLike => tr!("gitcmd.refused.option_like"),
            Refused::RefspecLike => tr!("gitcmd.refused.refspec_like"),
        }
        .into_owned()
    }
}

/// Longest name we place in a command. Git has no limit, but a server that
/// sends megabytes of branch name is not one whose name we paste.
pub(crate) const MAX_LEN: usize = 255;

/// git's rules for `git check-ref-format --branch NAME` (git 2.47): the name
/// is checked as `refs/heads/NAME`, must not start with `-` and must not be
/// `HEAD`. Kept separate from [`check_branch`] so a test can compare it with
/// the real git binary rule for rule.
pub fn git_branch_rules(name: &str) -> Result<(), Refused> {
    if name.is_empty() {
        return Err(Refused::Empty);
    }
    if name == "HEAD" {
        return Err(Refused::Reserved);
    }
    if name.starts_with('-') {
        return Err(Refused::OptionLike);
    }
    if name.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(Refused::ControlCharacter);
    }
    if name
        .chars()
        .any(|c| matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
        || name.contains("..")
        || name.contains("@{")
    {
        return Err(Refused::BadCharacter);
    }
    if name.ends_with('/') || name.starts_with('/') || name.contains("//") {
        return Err(Refused::BadSlash);
    }
    if name.ends_with('.')
        || name
            .split('/')
            .any(|c| c.starts_with('.') || c.ends_with(".lock"))
    {
        return Err(Refused::BadDot);
    }
    Ok(())
}

/// A branch name we will put in `git push ... HEAD:refs/heads/NAME`: git's
/// rules, and also no Unicode controls (C1, bidi) git would accept, not `@`
/// alone, no leading `+`, no `:` or `*` (already refused by git's rules, kept
/// explicit because they are what turns a name into a refspec), at most
/// [`MAX_LEN`] bytes.
pub fn check_branch(name: &str) -> Result<(), Refused> {
    if name.chars().any(is_forbidden) {
        return Err(Refused::ControlCharacter);
    }
    if name.len() > MAX_LEN {
        return Err(Refused::TooLong);
    }
    if name.starts_with('+') {
        return Err(Refused::OptionLike);
    }
    if name.contains(':') || name.contains('*') {
        return Err(Refused::RefspecLike);
    }
    git_branch_rules(name)?;
    if name == "@" {
        return Err(Refused::Reserved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names and what real git 2.47 says about them (`git check-ref-format
    /// --branch`, outside a repository). The integration test
    /// tests/commands_props.rs asks the real binary about the same kind of table.
    const TABLE: &[(&str, bool)] = &[
        ("main", true),
        ("feature/x-1", true),
        ("ü", true),
        ("a{b", true),
        ("a@b", true),
        ("@a", true),
        ("a+b", true),
        ("HEAD/x", true),
        ("a.lockx", true),
        ("@", true),
        ("+x", true),
        ("HEAD", false),
        ("-x", false),
        ("-", false),
        ("a@{b", false),
        ("a/.b", false),
        ("a.lock/b", false),
        ("a/b.lock", false),
        ("a.", false),
        (".a", false),
        ("a..b", false),
        ("a//b", false),
        ("/a", false),
        ("a/", false),
        ("a b", false),
        ("a\tb", false),
        ("a~b", false),
        ("a^b", false),
        ("a:b", false),
        ("a?b", false),
        ("a*b", false),
        ("a[b", false),
        ("a\\b", false),
        ("a\x7fb", false),
        ("", false),
        ("x/..", false),
    ];

    #[test]
    fn matches_git_table() {
        for (name, ok) in TABLE {
            assert_eq!(git_branch_rules(name).is_ok(), *ok, "{name:?}");
        }
    }

    #[test]
    fn stricter_than_git_where_it_matters() {
        for name in [
            "@",
            "+x",
            "+refs/heads/*:refs/heads/*",
            "--mirror",
            "main\u{1b}[201~\u{15}touch /tmp/x\r",
            "a\u{9b}b",
            "a\u{202e}b",
            "a\u{2066}b",
        ] {
            assert!(check_branch(name).is_err(), "{name:?}");
        }
        assert_eq!(
            check_branch(&"a".repeat(MAX_LEN + 1)),
            Err(Refused::TooLong)
        );
        for name in ["main", "release/1.2", "ü-branch", "a+b"] {
            assert_eq!(check_branch(name), Ok(()), "{name:?}");
        }
    }

    /// Which rule refused a name matters: it is the note shown next to the
    /// fallback push line (mutants of the boundaries survived without this).
    #[test]
    fn each_refusal_names_its_rule() {
        assert_eq!(check_branch(&"a".repeat(MAX_LEN)), Ok(()));
        assert_eq!(check_branch("a:b"), Err(Refused::RefspecLike));
        assert_eq!(check_branch("a*b"), Err(Refused::RefspecLike));
        assert_eq!(git_branch_rules("a b"), Err(Refused::BadCharacter));
        assert_eq!(git_branch_rules("a\x1fb"), Err(Refused::ControlCharacter));
        let all = [
            Refused::Empty,
            Refused::TooLong,
            Refused::ControlCharacter,
            Refused::BadCharacter,
            Refused::BadSlash,
            Refused::BadDot,
            Refused::Reserved,
            Refused::OptionLike,
            Refused::RefspecLike,
        ];
        let reasons: std::collections::HashSet<String> = all.iter().map(|r| r.reason()).collect();
        assert_eq!(reasons.len(), all.len(), "every reason is its own");
        assert!(reasons.iter().all(|r| r.starts_with("it ")), "{reasons:?}");
    }
}
