//! Popups drawn over the main screen: help, commands, forms, confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::Theme;
use crate::app::{App, CommandsPanel, FieldId, Form, Overlay, keymap, panel_commands};
use crate::gitcmd::Mode;
use crate::i18n::{self, tr};
use crate::token::Severity;
use unicode_width::UnicodeWidthStr;

pub fn render(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => help(frame, app, theme, area),
        Overlay::Commands(p) => commands(frame, app, p, theme, area),
        Overlay::Form(f) => form(frame, app, f, theme, area),
        Overlay::Onboard(p) => {
            let lines = super::onboard::lines(p, theme);
            let h = (lines.len() as u16 + 6).min(area.height.saturating_sub(2));
            let r = centered(area, 90, h);
            popup(frame, r, tr!("popup.onboard.title"), lines);
        }
        Overlay::Here => {
            let lines = super::here::lines(&app.here, theme);
            let (r, max) = here_rect(area, &lines);
            let scroll = app.here_scroll.min(max);
            let more = if max == 0 {
                "".into()
            } else if scroll < max {
                tr!("popup.here.scroll_more")
            } else {
                tr!("popup.here.scroll")
            };
            let title = Line::from(vec![
                Span::raw(tr!("popup.here.title")),
                Span::styled(tr!("popup.here.keys", more = more), theme.dim()),
            ]);
            clear(frame, r);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(Block::bordered().title(title))
                    .wrap(Wrap { trim: false })
                    .scroll((scroll, 0)),
                r,
            );
        }
        Overlay::ConfirmDelete { name } => {
            let r = centered(area, 60, 7);
            let lines = vec![
                Line::from(tr!("popup.delete.question", name = name)),
                Line::from(tr!("popup.delete.secret_too")),
                Line::from(""),
                Line::from(vec![
                    Span::styled("y", theme.bad()),
                    Span::raw(format!(" {}   ", tr!("popup.delete.delete"))),
                    Span::styled("n / Esc", theme.ok()),
                    Span::raw(format!(" {}", tr!("popup.delete.keep"))),
                ]),
            ];
            popup(frame, r, tr!("popup.delete.title"), lines);
        }
    }
}

/// Empties `r` for a popup. A wide character (Japanese) just left of it
/// would cover the popup's left border, which then never reaches the
/// terminal: it is blanked too.
fn clear(frame: &mut Frame, r: Rect) {
    frame.render_widget(Clear, r);
    if r.x == 0 {
        return;
    }
    let buf = frame.buffer_mut();
    for y in r.top()..r.bottom() {
        let cell = &mut buf[(r.x - 1, y)];
        if cell.symbol().width() > 1 {
            cell.set_symbol(" ");
        }
    }
}

/// Draws a bordered box over whatever is beneath it in `r`.
fn popup<'a>(frame: &mut Frame, r: Rect, title: impl Into<Line<'a>>, lines: Vec<Line<'a>>) {
    clear(frame, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(title))
            .wrap(Wrap { trim: false }),
        r,
    );
}

/// A rectangle of at most `w`×`h` in the middle of `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The "here" box: as tall as the report wrapped to its width, or the
/// screen less a line above and below; and how far it scrolls.
fn here_rect(area: Rect, lines: &[Line]) -> (Rect, u16) {
    let inner_w = usize::from(96.min(area.width).saturating_sub(2)).max(1);
    // Wrapped height, counted by characters: word wrapping may take a line
    // more now and then, so one spare line is kept.
    let tall: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum::<usize>()
        + 1;
    let tall = u16::try_from(tall).unwrap_or(u16::MAX);
    let h = tall.saturating_add(2).min(area.height.saturating_sub(2));
    (
        centered(area, 96, h),
        tall.saturating_sub(h.saturating_sub(2)),
    )
}

/// How far the "here" panel scrolls on a screen of `(width, height)`.
pub fn here_max_scroll(app: &App) -> u16 {
    let area = Rect::new(0, 0, app.screen.0, app.screen.1);
    here_rect(area, &super::here::lines(&app.here, &Theme::plain())).1
}

/// Width of the keys column of the help.
const HELP_KEYS_W: usize = 24;
const HELP_W: u16 = 76;

/// The help, wrapped to `width` with each description's continuation under
/// the descriptions.
fn help_lines(theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for &ctx in keymap::HELP_ORDER {
        lines.push(Line::styled(ctx.title(), theme.accent()));
        for b in keymap::bindings(ctx) {
            let (k, what) = (b.label_words(), i18n::text(b.help));
            let key = super::pad(&format!("  {k}"), HELP_KEYS_W);
            let key_w = key.width();
            for (i, part) in super::wrap(&what, width.saturating_sub(key_w))
                .into_iter()
                .enumerate()
            {
                let head = if i == 0 {
                    Span::styled(key.clone(), theme.label())
                } else {
                    Span::raw(" ".repeat(key_w))
                };
                lines.push(Line::from(vec![head, Span::raw(part)]));
            }
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::styled(tr!("popup.help.closes"), theme.dim()));
    lines
}

/// The help box on a screen of `area`: as tall as the help, or the screen
/// less a line above and below (the status line stays visible).
fn help_rect(area: Rect) -> (Rect, Vec<Line<'static>>) {
    let inner_w = HELP_W.min(area.width).saturating_sub(2);
    let lines = help_lines(&Theme::plain(), usize::from(inner_w));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    (centered(area, HELP_W, h), lines)
}

/// How far the help scrolls on a screen of `(width, height)`.
pub fn help_max_scroll(screen: (u16, u16)) -> u16 {
    let area = Rect::new(0, 0, screen.0, screen.1);
    let (r, lines) = help_rect(area);
    (lines.len() as u16).saturating_sub(r.height.saturating_sub(2))
}

fn help(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let (r, _) = help_rect(area);
    let lines = help_lines(theme, usize::from(r.width.saturating_sub(2)));
    let max = (lines.len() as u16).saturating_sub(r.height.saturating_sub(2));
    let scroll = app.help_scroll.min(max);
    let title = if max == 0 {
        tr!("popup.help.title")
    } else {
        let more = if scroll < max {
            tr!("ui.detail.more")
        } else {
            "".into()
        };
        tr!("popup.help.title_scroll", more = more)
    };
    clear(frame, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(title))
            .scroll((scroll, 0)),
        r,
    );
}

fn commands(frame: &mut Frame, app: &App, panel: &CommandsPanel, theme: &Theme, area: Rect) {
    // Leaves the title, notice and status lines visible: confirmations and
    // clipboard warnings (up to three lines) show there.
    let above_notice = Rect {
        height: super::areas(app, area).notice.y.saturating_sub(area.y),
        ..area
    };
    let r = centered(
        above_notice,
        area.width.saturating_sub(4).min(110),
        above_notice.height.saturating_sub(2),
    );
    let mode = match panel.mode {
        Mode::Interactive => tr!("popup.commands.interactive"),
        Mode::Embedded => tr!("popup.commands.embedded"),
        Mode::Helper => tr!("popup.commands.helper"),
    };
    let token = if panel.revealed.is_some() {
        Span::styled(tr!("popup.commands.revealed"), theme.bad())
    } else if panel.revealing {
        Span::styled(tr!("popup.commands.fetching"), theme.warn())
    } else {
        Span::styled(tr!("popup.commands.masked"), theme.ok())
    };
    let target = match &panel.target_input {
        Some(t) => Span::styled(format!("{t}▏"), theme.accent()),
        None => Span::raw(format!("{}/{}", panel.workspace, panel.repo)),
    };
    let heads = [
        tr!("popup.commands.target"),
        tr!("popup.commands.mode"),
        tr!("popup.commands.token"),
    ];
    let head_w = heads.iter().map(|h| h.width()).max().unwrap_or(0) + 2;
    let head = |i: usize| Span::styled(super::pad(&heads[i], head_w), theme.label());
    let mut lines = vec![
        Line::from(vec![head(0), target]),
        Line::from(vec![head(1), Span::raw(mode)]),
        Line::from(vec![head(2), token]),
    ];
    let width = usize::from(r.width.saturating_sub(2));
    // The target may be out of the token's reach (`t`): say so while it is.
    if let Some(w) = app
        .find(&panel.profile)
        .and_then(|p| crate::describe::reach_warning(p, &panel.workspace, &panel.repo))
    {
        for part in super::wrap(&w, width) {
            lines.push(Line::styled(part, theme.warn()));
        }
    }
    if panel.mode == Mode::Embedded {
        for part in super::wrap(&crate::gitcmd::embedded_warning(), width) {
            lines.push(Line::styled(part, theme.warn()));
        }
    }
    lines.push(Line::from(""));
    // The selected group's first and last line, to keep it in view.
    let mut chosen_span = (0, 0);
    for (i, g) in panel_commands(app, panel).iter().enumerate() {
        let start = lines.len();
        let chosen = i == panel.selected;
        let marker = if chosen { "› " } else { "  " };
        let title_style = if chosen {
            theme.selected()
        } else {
            theme.title()
        };
        lines.push(Line::from(vec![
            Span::raw(marker),
            Span::styled(crate::gitcmd::title_words(g.title), title_style),
        ]));
        // A long command goes on under itself, two columns in, so it
        // reads as one command and not as the next.
        for l in g.text.lines() {
            for (j, part) in super::wrap(l, width.saturating_sub(6))
                .into_iter()
                .enumerate()
            {
                let indent = if j == 0 { "    " } else { "      " };
                lines.push(Line::from(format!("{indent}{part}")));
            }
        }
        if let Some(n) = g.note_words() {
            for (j, part) in super::wrap(
                &tr!("popup.commands.note", note = n),
                width.saturating_sub(10),
            )
            .into_iter()
            .enumerate()
            {
                let indent = if j == 0 { "    " } else { "          " };
                lines.push(Line::styled(format!("{indent}{part}"), theme.dim()));
            }
        }
        if chosen {
            chosen_span = (start, lines.len());
        }
    }
    let shown = usize::from(r.height.saturating_sub(2));
    let (start, end) = chosen_span;
    let scroll = end.saturating_sub(shown).min(start) as u16;
    clear(frame, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(tr!("popup.commands.title", name = panel.profile)))
            .scroll((scroll, 0)),
        r,
    );
}

/// The form's label column, the marker included: wide enough for the
/// longest label in either language.
const FORM_LABEL_W: usize = 18;

fn form(frame: &mut Frame, app: &App, f: &Form, theme: &Theme, area: Rect) {
    let problems = f.problems(app.now);
    let mut lines = Vec::new();
    for id in f.fields() {
        let focused = id == f.focus;
        let marker = if focused { "› " } else { "  " };
        let mut value = f.value(id);
        if id == FieldId::Kind {
            value = format!("◂ {value} ▸  {}", tr!("popup.form.kind_keys"));
        } else if focused {
            value.push('▏');
        }
        let label_style = if focused {
            theme.accent()
        } else {
            theme.label()
        };
        lines.push(Line::from(vec![
            Span::raw(marker),
            Span::styled(super::pad(&id.label(), FORM_LABEL_W - 2), label_style),
            Span::raw(value),
        ]));
        // Problems show once the field has been typed in, or once it has focus.
        let touched = focused || !f.value(id).is_empty();
        if let Some((_, msg)) = problems.iter().find(|(p, _)| *p == id).filter(|_| touched) {
            lines.push(Line::styled(
                format!("{:FORM_LABEL_W$}✗ {msg}", ""),
                theme.bad(),
            ));
        }
        if id == FieldId::Token
            && let Some(check) = f.token_check()
        {
            let ok = !check.refused() && check.warnings().next().is_none();
            let style = if ok { theme.ok() } else { theme.warn() };
            let mark = if ok { "✓" } else { "!" };
            lines.push(Line::styled(
                format!("{:FORM_LABEL_W$}{mark} {}", "", check.summary()),
                style,
            ));
            for finding in check
                .findings
                .iter()
                .filter(|x| x.severity == Severity::Warn)
            {
                lines.push(Line::styled(
                    format!("{:FORM_LABEL_W$}! {}", "", finding.message),
                    theme.warn(),
                ));
            }
        }
    }
    lines.push(Line::from(""));
    if let Some(n) = &f.note {
        lines.push(Line::styled(format!("› {n}"), theme.accent()));
    }
    if let Some(e) = &f.error {
        lines.push(Line::styled(format!("✗ {e}"), theme.bad()));
    }
    if f.saving {
        lines.push(Line::styled(tr!("popup.form.saving"), theme.warn()));
    }
    lines.push(Line::styled(tr!("popup.form.keys"), theme.dim()));
    let r = centered(area, 96, lines.len() as u16 + 6);
    popup(frame, r, format!(" {} ", f.title()), lines);
}
