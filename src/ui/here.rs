//! The "here" panel: what `bbtoken here` reports about the repository the
//! TUI runs in, as lines for a popup. Pure: the report was gathered (and
//! every string from git cleaned and masked) by `git::here` in an effect.

use crate::i18n::tr;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Theme;
use crate::app::{Action, HereInfo, keymap};
use crate::git::here::{Chosen, Here, HereRemote};

/// The panel's lines; the popup wraps them.
pub fn lines(info: &HereInfo, theme: &Theme) -> Vec<Line<'static>> {
    match info {
        HereInfo::Pending => vec![Line::styled(tr!("here.asking"), theme.dim())],
        HereInfo::Outside => vec![
            Line::from(tr!("here.outside")),
            Line::styled(tr!("here.outside_hint"), theme.dim()),
        ],
        HereInfo::Inside(h) => report(h, theme),
    }
}

fn kv(theme: &Theme, label: &str, value: String, style: Style) -> Line<'static> {
    Line::from(vec![
        Span::styled(super::pad(label, 15), theme.label()),
        Span::styled(value, style),
    ])
}

fn report(h: &Here, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        kv(
            theme,
            &tr!("here.repository"),
            h.repository.clone(),
            theme.accent(),
        ),
        match &h.binding {
            Some(b) => kv(theme, &tr!("here.bound"), b.clone(), Style::default()),
            None => kv(
                theme,
                &tr!("here.bound"),
                tr!("here.bound_none").into_owned(),
                theme.dim(),
            ),
        },
        match &h.user_email {
            Some(e) => kv(theme, "user.email", e.clone(), Style::default()),
            None => kv(
                theme,
                "user.email",
                tr!("describe.not_set").into_owned(),
                theme.warn(),
            ),
        },
    ];
    if h.remotes.is_empty() {
        out.push(Line::styled(tr!("here.no_remotes"), theme.dim()));
    }
    for r in &h.remotes {
        out.push(Line::from(""));
        remote(&mut out, r, theme);
    }
    if h.token_in_any_url {
        out.push(Line::from(""));
        out.push(Line::styled(tr!("here.token_in_a_url"), theme.bad()));
    }
    out
}

fn remote(out: &mut Vec<Line<'static>>, r: &HereRemote, theme: &Theme) {
    let mut head = vec![
        Span::styled(
            format!("{}  ", tr!("here.remote", name = r.name)),
            theme.accent(),
        ),
        Span::raw(r.url.clone()),
    ];
    if let (Some(w), Some(p)) = (&r.workspace, &r.repo) {
        head.push(Span::styled(
            format!("  ({w}/{p}, {})", r.transport),
            theme.dim(),
        ));
    }
    out.push(Line::from(head));
    if r.token_in_url {
        out.push(Line::styled(
            format!("  ! {}", tr!("here.token_in_this_url")),
            theme.bad(),
        ));
    }
    if r.transport == "https" {
        if r.helpers.is_empty() {
            out.push(Line::styled(
                format!("  {}", tr!("here.no_helpers")),
                theme.warn(),
            ));
        } else {
            let list: Vec<String> = r
                .helpers
                .iter()
                .enumerate()
                .map(|(i, h)| format!("{}. {h}", i + 1))
                .collect();
            out.push(Line::from(format!(
                "  {}",
                tr!("here.helpers", list = list.join("  "))
            )));
            if !r.bbtoken_helper {
                out.push(Line::styled(
                    format!("  {}", tr!("here.not_ours")),
                    theme.warn(),
                ));
            }
        }
    }
    match (&r.profile, &r.no_profile) {
        (Some(c), _) => chosen(out, c, theme),
        (None, Some(why)) => out.push(Line::styled(
            format!("  {}", tr!("here.no_profile", why = why)),
            theme.warn(),
        )),
        (None, None) => {}
    }
}

fn yes_no(theme: &Theme, b: bool) -> Span<'static> {
    if b {
        Span::styled(tr!("here.yes"), theme.ok())
    } else {
        Span::styled(tr!("here.no"), theme.bad())
    }
}

fn chosen(out: &mut Vec<Line<'static>>, c: &Chosen, theme: &Theme) {
    out.push(Line::from(vec![
        Span::raw(format!("  {}: ", tr!("here.profile"))),
        Span::styled(c.name.clone(), theme.accent()),
        Span::raw(format!(" ({}), {}", c.kind, c.why)),
    ]));
    let mut last = vec![Span::raw(format!(
        "    {}",
        tr!("here.last_outcome", summary = c.summary)
    ))];
    if let Some(m) = &c.message {
        last.push(Span::styled(format!(" ({m})"), theme.dim()));
    }
    out.push(Line::from(last));
    if let Some(r) = &c.repository {
        out.push(Line::from(format!(
            "    {}",
            tr!("here.repository_line", repo = r)
        )));
    }
    match (c.can_clone, c.can_push) {
        (Some(cl), Some(pu)) => out.push(Line::from(vec![
            Span::raw(format!("    {}: ", tr!("here.clone_pull"))),
            yes_no(theme, cl),
            Span::raw(format!("  {}: ", tr!("here.push"))),
            yes_no(theme, pu),
        ])),
        _ => {
            let how = keymap::key_for(keymap::Context::List, &Action::ValidateSelected)
                .map(|k| tr!("here.key_on_list", key = k).into_owned())
                .unwrap_or_default();
            out.push(Line::styled(
                format!("    {}", tr!("here.scopes_unknown", how = how)),
                theme.dim(),
            ))
        }
    }
    if let Some(bot) = &c.bot_email {
        let m = c.user_email_matches == Some(true);
        out.push(Line::from(vec![
            Span::raw(format!("    {} ", tr!("here.bot_email", bot = bot))),
            if m {
                Span::styled(tr!("here.matches"), theme.ok())
            } else {
                Span::styled(tr!("here.no_match"), theme.warn())
            },
        ]));
    }
}
