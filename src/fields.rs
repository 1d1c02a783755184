//! Checks of the fields a person types: used by `add`/`edit`, by the TUI
//! forms as the user types, and when the profiles file is loaded (a
//! hand-edited or hostile file gets the same checks). Each returns the reason
//! a value is wrong. No field accepts a control or bidi character
//! ([`crate::text::is_unsafe`]); a note alone may hold newlines.

use crate::i18n::tr;
use chrono::NaiveDate;

use crate::profile::{Profile, TokenKind};

pub(crate) type FieldResult = Result<(), String>;

/// Refuses control, C1 and bidi characters: a field may reach a terminal, a
/// command or a request.
pub(crate) fn no_controls(v: &str) -> FieldResult {
    if crate::text::has_unsafe(v) {
        return Err(tr!("field.no_controls").into_owned());
    }
    Ok(())
}

/// A free-text note: any text up to 1,000 characters, on several lines if
/// need be, but no other control character.
pub fn note(v: &str) -> FieldResult {
    if v.chars().any(|c| c != '\n' && crate::text::is_unsafe(c)) {
        return Err(tr!("field.no_controls").into_owned());
    }
    no_token(v)?;
    if v.chars().count() > 1000 {
        return Err(tr!("field.note_long").into_owned());
    }
    Ok(())
}

/// Text that goes into the profiles file must not hold a token: a token
/// pasted into the wrong field (`--note`, `--username`) would sit in plain
/// text. The words never repeat the value.
fn no_token(v: &str) -> FieldResult {
    let base = crate::gitcmd::Endpoints::default().git;
    let Some(host) = crate::git::remote::GitHost::from_base(&base) else {
        return Ok(());
    };
    if crate::git::remote::find_tokens(v, &host).is_empty() {
        Ok(())
    } else {
        Err(tr!("field.holds_token").into_owned())
    }
}

/// Profile names are used as keyring entries and on the command line.
pub(crate) fn profile_name(v: &str) -> FieldResult {
    if v.is_empty() {
        return Err(tr!("field.name_required").into_owned());
    }
    no_controls(v)?;
    if v.len() > 64 {
        return Err(tr!("field.name_long").into_owned());
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(tr!("field.name_chars").into_owned());
    }
    Ok(())
}

/// Workspace IDs: lower-case letters, digits, '-' and '_'.
pub fn workspace(v: &str) -> FieldResult {
    if v.is_empty() {
        return Err(tr!("field.workspace_required").into_owned());
    }
    no_controls(v)?;
    if v == "." || v == ".." {
        return Err(tr!("field.workspace_dots").into_owned());
    }
    if v.len() > 62 {
        return Err(tr!("field.workspace_long").into_owned());
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
    {
        return Err(tr!("field.workspace_chars").into_owned());
    }
    Ok(())
}

/// Repository slugs: letters, digits, '-', '_' and '.', at most 62 characters.
pub(crate) fn repo_slug(v: &str) -> FieldResult {
    if v.is_empty() {
        return Err(tr!("field.repo_required").into_owned());
    }
    no_controls(v)?;
    if v.len() > 62 {
        return Err(tr!("field.repo_long").into_owned());
    }
    if v == "." || v == ".." {
        return Err(tr!("field.repo_dots").into_owned());
    }
    if v.ends_with(".git") {
        return Err(tr!("field.repo_git").into_owned());
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(tr!("field.repo_chars").into_owned());
    }
    Ok(())
}

/// Project keys: upper-case letters, digits and '_', starting with a letter.
pub fn project_key(v: &str) -> FieldResult {
    no_controls(v)?;
    if v.len() > 128 {
        return Err(tr!("field.project_long").into_owned());
    }
    let mut chars = v.chars();
    match chars.next() {
        None => Err(tr!("field.project_required").into_owned()),
        Some(c) if !c.is_ascii_uppercase() => Err(tr!("field.project_start").into_owned()),
        _ if chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') => Ok(()),
        _ => Err(tr!("field.project_chars").into_owned()),
    }
}

/// A plausible email address: one '@', a dot in the domain, no spaces.
pub fn email(v: &str) -> FieldResult {
    no_controls(v)?;
    no_token(v)?;
    if v.len() > 254 {
        return Err(tr!("field.email_long").into_owned());
    }
    let Some((local, domain)) = v.split_once('@') else {
        return Err(tr!("field.email_at").into_owned());
    };
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || v.chars().any(char::is_whitespace)
    {
        return Err(tr!("field.email_shape").into_owned());
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
        _ => Err(tr!("field.bot_shape").into_owned()),
    }
}

/// A Bitbucket username as used in git URLs.
pub fn username(v: &str) -> FieldResult {
    no_controls(v)?;
    no_token(v)?;
    if v.len() > 255 {
        return Err(tr!("field.username_long").into_owned());
    }
    if v.is_empty()
        || v.chars()
            .any(|c| c.is_whitespace() || c == '@' || c == ':' || c == '/')
    {
        return Err(tr!("field.username_chars").into_owned());
    }
    Ok(())
}

pub(crate) fn parse_date(v: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| tr!("field.date_shape").into_owned())
}

/// Which problem a whole profile has, field by field: (field, reason).
pub(crate) fn check_profile(p: &Profile) -> Vec<(&'static str, String)> {
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
        (None, TokenKind::Repository) => {
            push("repo", Err(tr!("field.repo_token_needs_repo").into_owned()))
        }
        (None, _) => push("repo", Err(tr!("field.needs_repo").into_owned())),
    }
    match (&p.project, p.kind) {
        (Some(k), _) => push("project", project_key(k)),
        (None, TokenKind::Project) => push("project", Err(tr!("field.needs_project").into_owned())),
        _ => {}
    }
    if let Some(b) = &p.bot_email {
        if p.kind == TokenKind::Api {
            push("bot-email", Err(tr!("field.bot_for_access").into_owned()));
        } else {
            push("bot-email", bot_email(b));
        }
    }
    if p.kind == TokenKind::Api {
        match &p.email {
            Some(e) => push("email", email(e)),
            None => push("email", Err(tr!("field.api_needs_email").into_owned())),
        }
        if let Some(u) = &p.username {
            push("username", username(u));
        }
    } else {
        if p.email.is_some() {
            push("email", Err(tr!("field.email_for_api").into_owned()));
        }
        if p.username.is_some() {
            push("username", Err(tr!("field.username_for_api").into_owned()));
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

    /// A token in a field that is written to the profiles file is refused,
    /// without its value in the words.
    #[test]
    fn a_token_in_a_plain_text_field_is_refused() {
        let t = crate::token::synthesize(crate::token::ACCESS_PREFIX, 4);
        for r in [
            note(&format!("ci token {t}")),
            username(&t),
            email(&format!("{t}@example.com")),
        ] {
            let e = r.expect_err("refused");
            assert!(e.contains("looks like a token"), "{e}");
            assert!(!e.contains(&t[..20]), "{e}");
        }
        assert!(note("rotate in June").is_ok());
        assert!(username("jane-doe").is_ok());
    }
}
