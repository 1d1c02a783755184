//! The onboarding panel's lines: the form (directory, push toggle), the
//! confirmation, the progress, then the steps done and how it ended. Pure.

use ratatui::text::{Line, Span};

use super::Theme;
use crate::app::{OnboardFocus, OnboardPanel, OnboardStage};
use crate::git::onboard::Step;

pub fn lines(p: &OnboardPanel, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(vec![
            Span::styled("Profile    ", theme.label()),
            Span::styled(p.profile.clone(), theme.accent()),
        ]),
        Line::from(vec![
            Span::styled("Target     ", theme.label()),
            Span::raw(format!("{}/{}", p.workspace, p.repo)),
        ]),
    ];
    let mark = |f: OnboardFocus| {
        if p.focus == f && p.stage == OnboardStage::Edit {
            "› "
        } else {
            "  "
        }
    };
    let cursor = if p.typing() { "▏" } else { "" };
    out.push(Line::from(vec![
        Span::styled(
            format!("{}Directory  ", mark(OnboardFocus::Dir)),
            theme.label(),
        ),
        Span::raw(format!("{}{cursor}", p.dir)),
    ]));
    out.push(Line::from(vec![
        Span::styled(
            format!("{}Push       ", mark(OnboardFocus::Push)),
            theme.label(),
        ),
        Span::raw(if p.push {
            "[x] push the current branch after setting up"
        } else {
            "[ ] push the current branch after setting up"
        }),
    ]));
    out.push(Line::from(""));
    match &p.stage {
        OnboardStage::Edit => {
            if let Some(e) = &p.error {
                out.push(Line::styled(e.clone(), theme.bad()));
            }
            out.push(Line::styled(
                "git init if needed, origin without a token, the bot email, bind, git's helper.",
                theme.dim(),
            ));
        }
        OnboardStage::Confirm => out.push(Line::from(vec![
            Span::raw(format!(
                "Onboard {} for {}{}? ",
                p.dir,
                p.profile,
                if p.push { ", then push" } else { "" }
            )),
            Span::styled("y", theme.ok()),
            Span::raw(" yes   "),
            Span::styled("n / Esc", theme.bad()),
            Span::raw(" back"),
        ])),
        OnboardStage::Running => out.push(Line::styled("Onboarding…", theme.dim())),
        OnboardStage::Done { steps, result } => {
            for s in steps {
                out.push(match s {
                    Step::Done(m) => {
                        Line::from(vec![Span::styled("✓ ", theme.ok()), Span::raw(m.clone())])
                    }
                    Step::Unchanged(m) => Line::styled(format!("= {m}"), theme.dim()),
                    Step::Warn(m) => {
                        Line::from(vec![Span::styled("! ", theme.warn()), Span::raw(m.clone())])
                    }
                });
            }
            out.push(match result {
                Ok(m) => Line::from(vec![Span::styled("✓ ", theme.ok()), Span::raw(m.clone())]),
                Err(e) => Line::from(vec![Span::styled("✗ ", theme.bad()), Span::raw(e.clone())]),
            });
        }
    }
    out
}
