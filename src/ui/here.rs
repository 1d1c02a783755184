//! The "here" panel: what `bbtoken here` reports about the repository the
//! TUI runs in, as lines for a popup. Pure: the report was gathered (and
//! every string from git cleaned and masked) by `git::here` in an effect.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Theme;
use crate::app::{Action, HereInfo, keymap};
use crate::git::here::{Chosen, Here, HereRemote};

/// The panel's lines; the popup wraps them.
pub fn lines(info: &HereInfo, theme: &Theme) -> Vec<Line<'static>> {
    match info {
        HereInfo::Pending => vec![Line::styled(
            "Asking git about this directory…",
            theme.dim(),
        )],
        HereInfo::Outside => vec![
            Line::from("Not inside a git repository."),
            Line::styled(
                "Start bbtoken in a clone to see which token git will use there.",
                theme.dim(),
            ),
        ],
        HereInfo::Inside(h) => report(h, theme),
    }
}

fn kv(theme: &Theme, label: &str, value: String, style: Style) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<15}"), theme.label()),
        Span::styled(value, style),
    ])
}

fn report(h: &Here, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        kv(theme, "Repository", h.repository.clone(), theme.accent()),
        match &h.binding {
            Some(b) => kv(theme, "Bound profile", b.clone(), Style::default()),
            None => kv(
                theme,
                "Bound profile",
                "none (bbtoken bind NAME pins one)".into(),
                theme.dim(),
            ),
        },
        match &h.user_email {
            Some(e) => kv(theme, "user.email", e.clone(), Style::default()),
            None => kv(theme, "user.email", "not set".into(), theme.warn()),
        },
    ];
    if h.remotes.is_empty() {
        out.push(Line::styled("No Bitbucket remotes.", theme.dim()));
    }
    for r in &h.remotes {
        out.push(Line::from(""));
        remote(&mut out, r, theme);
    }
    if h.token_in_any_url {
        out.push(Line::from(""));
        out.push(Line::styled(
            "A remote URL carries a token: bbtoken audit --fix moves it to the keyring.",
            theme.bad(),
        ));
    }
    out
}

fn remote(out: &mut Vec<Line<'static>>, r: &HereRemote, theme: &Theme) {
    let mut head = vec![
        Span::styled(format!("Remote {}  ", r.name), theme.accent()),
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
            "  ! a token is in this URL: bbtoken audit --fix moves it to the keyring",
            theme.bad(),
        ));
    }
    if r.transport == "https" {
        if r.helpers.is_empty() {
            out.push(Line::styled(
                "  helpers: none, git will prompt (bbtoken setup-git makes bbtoken answer)",
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
                "  helpers, in order: {}",
                list.join("  ")
            )));
            if !r.bbtoken_helper {
                out.push(Line::styled(
                    "  bbtoken is not among them: run bbtoken setup-git",
                    theme.warn(),
                ));
            }
        }
    }
    match (&r.profile, &r.no_profile) {
        (Some(c), _) => chosen(out, c, theme),
        (None, Some(why)) => out.push(Line::styled(
            format!("  profile: none, {why}"),
            theme.warn(),
        )),
        (None, None) => {}
    }
}

fn yes_no(theme: &Theme, b: bool) -> Span<'static> {
    if b {
        Span::styled("yes", theme.ok())
    } else {
        Span::styled("no", theme.bad())
    }
}

fn chosen(out: &mut Vec<Line<'static>>, c: &Chosen, theme: &Theme) {
    out.push(Line::from(vec![
        Span::raw("  profile: "),
        Span::styled(c.name.clone(), theme.accent()),
        Span::raw(format!(" ({}), {}", c.kind, c.why)),
    ]));
    let mut last = vec![Span::raw(format!("    last outcome: {}", c.summary))];
    if let Some(m) = &c.message {
        last.push(Span::styled(format!(" ({m})"), theme.dim()));
    }
    out.push(Line::from(last));
    if let Some(r) = &c.repository {
        out.push(Line::from(format!("    repository: {r}")));
    }
    match (c.can_clone, c.can_push) {
        (Some(cl), Some(pu)) => out.push(Line::from(vec![
            Span::raw("    clone/pull: "),
            yes_no(theme, cl),
            Span::raw("  push: "),
            yes_no(theme, pu),
        ])),
        _ => {
            let how = keymap::key_for(keymap::Context::List, &Action::ValidateSelected)
                .map(|k| format!(" ({k} on the list)"))
                .unwrap_or_default();
            out.push(Line::styled(
                format!("    scopes unknown: validate the profile{how} to learn them"),
                theme.dim(),
            ))
        }
    }
    if let Some(bot) = &c.bot_email {
        let m = c.user_email_matches == Some(true);
        out.push(Line::from(vec![
            Span::raw(format!("    bot email: {bot}; user.email ")),
            if m {
                Span::styled("matches", theme.ok())
            } else {
                Span::styled("does not match", theme.warn())
            },
        ]));
    }
}
