//! The onboarding panel's lines: the form (directory, push toggle), the
//! confirmation, the progress, then the steps done and how it ended. Pure.

use crate::i18n::tr;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::Theme;
use crate::app::{OnboardFocus, OnboardPanel, OnboardStage};
use crate::git::onboard::Step;

pub fn lines(p: &OnboardPanel, theme: &Theme) -> Vec<Line<'static>> {
    let heads = [
        tr!("onboard.profile"),
        tr!("onboard.target"),
        tr!("onboard.directory"),
        tr!("onboard.push"),
    ];
    let w = heads.iter().map(|h| h.width()).max().unwrap_or(0) + 2;
    let head = |i: usize| super::pad(&heads[i], w);
    let mut out = vec![
        Line::from(vec![
            Span::styled(head(0), theme.label()),
            Span::styled(p.profile.clone(), theme.accent()),
        ]),
        Line::from(vec![
            Span::styled(head(1), theme.label()),
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
            format!("{}{}", mark(OnboardFocus::Dir), head(2)),
            theme.label(),
        ),
        Span::raw(format!("{}{cursor}", p.dir)),
    ]));
    out.push(Line::from(vec![
        Span::styled(
            format!("{}{}", mark(OnboardFocus::Push), head(3)),
            theme.label(),
        ),
        Span::raw(format!(
            "[{}] {}",
            if p.push { "x" } else { " " },
            tr!("onboard.push_branch")
        )),
    ]));
    out.push(Line::from(""));
    match &p.stage {
        OnboardStage::Edit => {
            if let Some(e) = &p.error {
                out.push(Line::styled(e.clone(), theme.bad()));
            }
            out.push(Line::styled(tr!("onboard.steps"), theme.dim()));
        }
        OnboardStage::Confirm => out.push(Line::from(vec![
            Span::raw(if p.push {
                tr!("onboard.confirm_push", dir = p.dir, name = p.profile)
            } else {
                tr!("onboard.confirm", dir = p.dir, name = p.profile)
            }),
            Span::styled("y", theme.ok()),
            Span::raw(format!(" {}   ", tr!("onboard.yes"))),
            Span::styled("n / Esc", theme.bad()),
            Span::raw(format!(" {}", tr!("onboard.back"))),
        ])),
        OnboardStage::Running => out.push(Line::styled(tr!("onboard.running"), theme.dim())),
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
