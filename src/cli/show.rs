//! list and show.

use chrono::Utc;
use serde::Serialize;

use crate::cli::output::{self, BOLD, DIM, Stream, Table, Text, status_style};
use crate::cli::{Fail, exit};
use crate::context::Context;
use crate::describe;
use crate::i18n::tr;
use crate::profile::{Profile, expiry_countdown};
use crate::timefmt;

fn target(p: &Profile) -> String {
    format!("{}/{}", p.workspace, p.repo.as_deref().unwrap_or("?"))
}

fn status_word(p: &Profile) -> (String, anstyle::Style) {
    // An outcome that says nothing about the token shows beside the last
    // verdict, never instead of it (describe.rs).
    match describe::status_cell(p) {
        Some((words, status)) => (words, status_style(status)),
        None => (format!("· {}", tr!("cli.list.unchecked")), DIM),
    }
}

/// A profile in `list --json`: its fields and the days left before it
/// expires (when a date is recorded; negative once expired).
#[derive(Serialize)]
struct ListJson<'a> {
    #[serde(flatten)]
    profile: &'a Profile,
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
}

pub fn list(ctx: &Context, json: bool, expiring_within: Option<u32>) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    let today = Utc::now().date_naive();
    let now = Utc::now();
    // With a window, only the profiles it catches: what a CI log should show.
    let shown: Vec<&Profile> = crate::order::sorted(&doc.profiles)
        .into_iter()
        .filter(|p| expiring_within.is_none_or(|w| crate::expiry::is_due(p, today, w)))
        .collect();
    // The alarm is said after the list, on stderr.
    let alarm = || match expiring_within {
        Some(w) => super::expiring::report(&doc.profiles, today, w),
        None => exit::OK,
    };
    if json {
        let rows: Vec<ListJson> = shown
            .iter()
            .map(|p| ListJson {
                profile: p,
                days_left: p.days_left(today),
            })
            .collect();
        output::json(&rows)?;
        return Ok(alarm());
    }
    if doc.profiles.is_empty() {
        output::err_line(&tr!("cli.list.none"));
        return Ok(exit::OK);
    }
    if shown.is_empty() {
        return Ok(alarm());
    }
    let mut t = Table::default();
    let h = |s: std::borrow::Cow<str>| (s.into_owned(), BOLD);
    t.row(vec![
        h(tr!("cli.list.name")),
        h(tr!("cli.list.kind")),
        h(tr!("cli.list.target")),
        h(tr!("cli.list.status")),
        h(tr!("cli.list.expires")),
        h(tr!("cli.list.checked")),
    ]);
    // As the full-screen app lists them.
    for p in shown {
        let plain = anstyle::Style::new();
        t.row(vec![
            (p.name.clone(), plain),
            (p.kind.short_words(), plain),
            (target(p), plain),
            status_word(p),
            (expiry_countdown(p.days_left(today)), plain),
            (
                p.last_validation
                    .as_ref()
                    .map(|o| timefmt::relative(o.checked_at, now))
                    .unwrap_or_else(|| tr!("cli.list.never").into_owned()),
                DIM,
            ),
        ]);
    }
    output::emit(Stream::Out, &t.render());
    Ok(alarm())
}

#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    profile: &'a Profile,
    git_username: &'a str,
    secret_stored: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
    /// Where the token is created, rotated and revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    token_page: Option<String>,
}

pub async fn show(ctx: &Context, name: &str, json: bool) -> Result<i32, Fail> {
    let doc = ctx.profiles.load()?;
    let p = doc.find(name).ok_or_else(|| Fail::no_profile(name))?;
    let secret = ctx.secrets.get(name).await;
    if json {
        let (stored, err) = match &secret {
            Ok(_) => (Some(true), None),
            Err(crate::store::StoreError::Missing { .. }) => (Some(false), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let out = ShowJson {
            profile: p,
            git_username: crate::gitcmd::git_username(p),
            secret_stored: stored,
            secret_error: err,
            days_left: p.days_left(Utc::now().date_naive()),
            token_page: crate::links::token_page(p).map(|l| l.url),
        };
        output::json(&out)?;
        return Ok(exit::OK);
    }
    let token = match &secret {
        Ok(s) => describe::Fact {
            label: describe::Label::Token,
            value: tr!(
                "cli.show.token_stored",
                masked = s.masked(),
                store = ctx.secrets.backend().name()
            )
            .into_owned(),
            tone: describe::Tone::Plain,
            next: None,
        },
        Err(e) => describe::Fact {
            label: describe::Label::Token,
            value: e.words(),
            tone: describe::Tone::Bad,
            next: None,
        },
    };
    let mut facts = describe::facts(p, Utc::now(), doc.settings.expiry_window_days);
    // The secret goes after the git username it pairs with.
    let at = facts
        .iter()
        .position(|f| f.label == describe::Label::GitUsername)
        .map_or(facts.len(), |i| i + 1);
    facts.insert(at, token);
    let mut t = Table::default();
    if let Some(page) = crate::links::token_page(p) {
        t.link(&page.url);
    }
    for f in facts {
        let value = match f.next.and_then(|n| n.command(&p.name)) {
            Some(command) => format!("{}: {command}", f.value),
            None => f.value,
        };
        t.row(vec![
            (format!("{}:", f.label.words().to_lowercase()), DIM),
            (value, output::tone_style(f.tone)),
        ]);
    }
    output::line(Stream::Out, &Text::styled(BOLD, &p.name));
    output::emit(Stream::Out, &t.render());
    Ok(exit::OK)
}
