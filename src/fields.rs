//! Checks of the fields a person types: used by `add`/`edit`, by the TUI
//! forms as the user types, and when the profiles file is loaded (a
//! hand-edited or hostile file gets the same checks). Each returns the reason
//! a value is wrong. No field accepts a control or bidi character
//! ([`crate::text::is_unsafe`]); a note alone may hold newlines.

use chrono::NaiveDate;

use crate::profile::{Profile, TokenKind};

pub type FieldResult = Result<(), String>;

const NO_CONTROLS: &str =
    "control characters (escape sequences, C1 or bidi controls) are not allowed";

/// Refuses control, C1 and bidi characters: a field may reach a terminal, a
/// command or a request.
pub fn no_controls(v: &str) -> FieldResult {
    if crate::text::has_unsafe(v) {
        return Err(NO_CONTROLS.into());
    }
    Ok(())
}

/// A free-text note: any text up to 1,000 characters, on several lines if
/// need be, but no other control character.
pub fn note(v: &str) -> FieldResult {
    if v.chars().any(|c| c != '\n' && crate::text::is_unsafe(c)) {
        return Err(NO_CONTROLS.into());
    }
    if v.chars().count() > 1000 {
        return Err("a note has at most 1,000 characters".into());
    }
    Ok(())
}

/// Profile names are used as keyring entries and on the command line.
pub fn profile_name(v: &str) -> FieldResult {
    if v.is_empty() {
        return Err("a name is required".into());
    }
    no_controls(v)?;
    if v.len() > 64 {
        return Err("at most 64 characters".into());
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("use letters, digits, '-', '_' or '.'".into());
    }
    Ok(())
}

/// Workspace IDs: lower-case letters, digits, '-' and '_'.
pub fn workspace(v: &str) -> FieldResult {
    if v.is_empty() {
        return Err("a workspace is required".into());
    }
    no_controls(v)?;
    if v == "." || v == ".." {
        return Err("'.' and '..' are not workspace IDs".into());
    }
    if v.len() > 62 {
        return Err("a workspace ID has at most 62 characters".into());
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
    {
        return Err("a workspace ID uses lower-case letters, digits, '-' and '_'".into());
    }
    Ok(())
}

/// Repository slugs: letters, digits, '-', '_' and '.', at most 62 characters.
pub fn repo_slug(v: &str) -> FieldResult {
    if v.is_empty() {
        return Err("a repository slug is required".into());
    }
    no_controls(v)?;
    if v.len() > 62 {
        return Err("a slug has at most 62 characters".into());
    }
    if v == "." || v == ".." {
        return Err("'.' and '..' are not repository slugs".into());
    }
    if v.ends_with(".git") {
        return Err("give the slug without '.git'".into());
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("a slug uses letters, digits, '-', '_' and '.'".into());
    }
    Ok(())
}

/// Project keys: upper-case letters, digits and '_', starting with a letter.
pub fn project_key(v: &str) -> FieldResult {
    no_controls(v)?;
    if v.len() > 128 {
        return Err("a project key has at most 128 characters".into());
    }
    let mut chars = v.chars();
    match chars.next() {
        None => Err("a project key is required".into()),
        Some(c) if !c.is_ascii_uppercase() => {
            Err("a project key starts with an upper-case letter".into())
        }
        _ if chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') => Ok(()),
        _ => Err("a project key uses upper-case letters, digits and '_'".into()),
    }
}

/// A plausible email address: one '@', a dot in the domain, no spaces.
pub fn email(v: &str) -> FieldResult {
    no_controls(v)?;
    if v.len() > 254 {
        return Err("an email address has at most 254 characters".into());
    }
    let Some((local, domain)) = v.split_once('@') else {
        return Err("an email address has an '@'".into());
    };
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || v.chars().any(char::is_whitespace)
    {
        return Err("this does not look like an email address".into());
    }
    Ok(())
}

/// Bot emails look like `<id>@bots.bitbucket.org`.
pub fn bot_email(v: &str) -> FieldResult {
    no_controls(v)?;
    match v.split_once('@') {
        Some((id, "bots.bitbucket.org"))
            if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            Ok(())
        }
        _ => Err(
            "a bot email looks like <id>@bots.bitbucket.org (see the token's page in Bitbucket)"
                .into(),
        ),
    }
}

/// A Bitbucket username as used in git URLs.
pub fn username(v: &str) -> FieldResult {
    no_controls(v)?;
    if v.len() > 255 {
        return Err("a Bitbucket username has at most 255 characters".into());
    }
    if v.is_empty()
        || v.chars()
            .any(|c| c.is_whitespace() || c == '@' || c == ':' || c == '/')
    {
        return Err("a Bitbucket username has no spaces, '@', ':' or '/'".into());
    }
    Ok(())
}

pub fn parse_date(v: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| "a date looks like 2026-12-31".to_string())
}

/// Which problem a whole profile has, field by field: (field, reason).
pub fn check_profile(p: &Profile) -> Vec<(&'static str, String)> {
    let mut errs = Vec::new();
    let mut push = |field: &'static str, r: FieldResult| {
        if let Err(e) = r {
            errs.push((field, e));
        }
    };
    push("name", profile_name(&p.name));
    push("workspace", workspace(&p.workspace));
    match (&p.repo, p.kind) {
        (Some(r), _) => push("repo", repo_slug(r)),
        (None, TokenKind::Repository) => push(
            "repo",
            Err("a repository token needs --repo: the repository it was created in".into()),
        ),
        (None, _) => push(
            "repo",
            Err("give --repo: a repository this token can see, used to validate it".into()),
        ),
    }
    match (&p.project, p.kind) {
        (Some(k), _) => push("project", project_key(k)),
        (None, TokenKind::Project) => {
            push("project", Err("a project token needs --project KEY".into()))
        }
        _ => {}
    }
    if let Some(b) = &p.bot_email {
        if p.kind == TokenKind::Api {
            push(
                "bot-email",
                Err("bot emails belong to access tokens, not API tokens".into()),
            );
        } else {
            push("bot-email", bot_email(b));
        }
    }
    if p.kind == TokenKind::Api {
        match &p.email {
            Some(e) => push("email", email(e)),
            None => push(
                "email",
                Err(
                    "an API token needs --email: the Atlassian account email it authenticates with"
                        .into(),
                ),
            ),
        }
        if let Some(u) = &p.username {
            push("username", username(u));
        }
    } else {
        if p.email.is_some() {
            push(
                "email",
                Err("--email is for API tokens; access tokens use --bot-email".into()),
            );
        }
        if p.username.is_some() {
            push(
                "username",
                Err("--username is for API tokens; access tokens use x-token-auth".into()),
            );
        }
    }
    if let Some(n) = &p.note {
        push("note", note(n));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    type Check = fn(&str) -> FieldResult;

    #[test]
    fn field_table() {
        let ok: &[(Check, &str)] = &[
            (profile_name, "ci-deploy.1"),
            (workspace, "acme_co-2"),
            (repo_slug, "api.v2_x-y"),
            (project_key, "PROJ_2"),
            (email, "dev@example.com"),
            (bot_email, "52c16467c5f19101ff2061cc@bots.bitbucket.org"),
            (username, "jdoe"),
        ];
        for (f, v) in ok {
            assert!(f(v).is_ok(), "{v} should pass");
        }
        let bad: &[(Check, &str)] = &[
            (profile_name, ""),
            (profile_name, "has space"),
            (workspace, "Acme"),
            (repo_slug, "api.git"),
            (repo_slug, "a/b"),
            (project_key, "proj"),
            (project_key, "1AB"),
            (email, "dev@localhost"),
            (email, "nope"),
            (bot_email, "someone@example.com"),
            (bot_email, "@bots.bitbucket.org"),
            (username, "a b"),
            (workspace, "."),
            (workspace, ".."),
            (repo_slug, "."),
            (repo_slug, ".."),
            (note, "x\u{1b}[2J"),
        ];
        for (f, v) in bad {
            assert!(f(v).is_err(), "{v:?} should fail");
        }
    }

    #[test]
    fn dates() {
        assert!(parse_date("2026-12-31").is_ok());
        assert!(parse_date("31/12/2026").is_err());
        assert!(parse_date("2026-02-30").is_err());
    }

    /// Every field refuses C0 (ESC, CR, tab…), DEL, C1 and bidi controls.
    #[test]
    fn every_field_refuses_controls() {
        let checks: &[(Check, &str)] = &[
            (profile_name, "ci"),
            (workspace, "acme"),
            (repo_slug, "api"),
            (project_key, "PROJ"),
            (email, "dev@example.com"),
            (bot_email, "abc@bots.bitbucket.org"),
            (username, "jdoe"),
            (note, "a note"),
        ];
        let hostile = [
            "\u{1b}[2J",
            "\u{1b}]52;c;eA==\u{7}",
            "\r",
            "\t",
            "\u{7f}",
            "\u{85}",
            "\u{9b}",
            "\u{202e}",
            "\u{2066}",
            "\u{200f}",
            "\u{61c}",
        ];
        for (f, ok) in checks {
            assert!(f(ok).is_ok(), "{ok}");
            for h in hostile {
                for v in [format!("{h}{ok}"), format!("{ok}{h}")] {
                    assert!(f(&v).is_err(), "{v:?} should fail");
                }
            }
        }
        assert!(note("line one\nline two").is_ok());
    }
}
