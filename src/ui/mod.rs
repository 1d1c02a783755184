//! Pure rendering: `render(frame, app, theme)` draws the state and changes
//! nothing. Layout helpers are shared with the mouse handling so a click lands
//! on the row that was drawn there.

pub mod here;
pub mod onboard;
mod popups;
pub mod remedy;
pub use popups::{help_max_scroll, here_max_scroll};
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Cell, Paragraph, Row as TableRow, Table, TableState, Wrap};

use crate::app::{Action, App, Overlay, SPINNER, keymap};
use crate::describe::{self, Label, Next, Tone};
use crate::i18n::tr;
use crate::profile::{Profile, Status, TokenKind, expiry_countdown};
pub use theme::Theme;
use unicode_width::UnicodeWidthStr;

pub const MIN_WIDTH: u16 = 60;
pub(crate) const MIN_HEIGHT: u16 = 15;

/// Where things go on a screen of this size.
pub(crate) struct Areas {
    pub title: Rect,
    pub problem: Rect,
    pub list: Rect,
    pub detail: Rect,
    pub notice: Rect,
    pub status: Rect,
}

/// Lines the problem banner may take: the rest of the screen is the list.
const PROBLEM_MAX_LINES: usize = 6;
/// Lines the last notice may take (a warning with its remedy).
const NOTICE_MAX_LINES: usize = 3;

pub(crate) fn areas(app: &App, area: Rect) -> Areas {
    let problem_h = problem_lines(app, &Theme::plain(), area.width)
        .len()
        .min(PROBLEM_MAX_LINES) as u16;
    let notice_h = notice_lines(app, &Theme::plain(), area.width)
        .len()
        .clamp(1, NOTICE_MAX_LINES) as u16;
    let [title, problem, body, notice, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(problem_h),
        Constraint::Min(3),
        Constraint::Length(notice_h),
        Constraint::Length(1),
    ])
    .areas(area);
    let wide = body.width >= 110;
    let [list, detail] = if wide {
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body)
    };
    Areas {
        title,
        problem,
        list,
        detail,
        notice,
        status,
    }
}

/// The first visible row shown, so the selection stays on screen.
pub(crate) fn list_offset(selected: usize, rows_shown: usize) -> usize {
    if rows_shown == 0 {
        0
    } else {
        (selected + 1).saturating_sub(rows_shown)
    }
}

/// Rows of the list that fit: the border and the header take three lines.
fn rows_shown(list: Rect) -> usize {
    list.height.saturating_sub(3) as usize
}

/// The visible row under a mouse click at (x, y), if any.
pub(crate) fn row_at(app: &App, screen: Rect, x: u16, y: u16) -> Option<usize> {
    if !big_enough(screen) || app.overlay != Overlay::None {
        return None;
    }
    let list = areas(app, screen).list;
    let first = list.y + 2;
    if x <= list.x
        || x >= list.right().saturating_sub(1)
        || y < first
        || y >= list.bottom().saturating_sub(1)
    {
        return None;
    }
    let i = (y - first) as usize + list_offset(app.selected, rows_shown(list));
    (i < app.visible().len()).then_some(i)
}

fn big_enough(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

pub fn render(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if !big_enough(area) {
        let text = Text::from(vec![
            Line::from(tr!("ui.small.line1")),
            Line::from(tr!(
                "ui.small.line2",
                width = area.width,
                height = area.height,
                min_width = MIN_WIDTH,
                min_height = MIN_HEIGHT
            )),
            Line::from(tr!("ui.small.quit")),
        ]);
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let a = areas(app, area);
    title_bar(frame, app, theme, a.title);
    frame.render_widget(
        Paragraph::new(problem_lines(app, theme, a.problem.width)),
        a.problem,
    );
    list(frame, app, theme, a.list);
    detail(frame, app, theme, a.detail);
    frame.render_widget(
        Paragraph::new(notice_lines(app, theme, a.notice.width)),
        a.notice,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            keymap::footer(app, usize::from(a.status.width)),
            theme.dim(),
        )),
        a.status,
    );
    popups::render(frame, app, theme, area);
}

/// The banner of [`App::trouble`], wrapped to `width` with each part's
/// continuation lines under its text, not under its label.
fn problem_lines(app: &App, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let Some(p) = app.trouble() else {
        return Vec::new();
    };
    let mut lines = labelled(&tr!("ui.problem"), theme.level(p.level), &p.text, width);
    if let Some(r) = &p.remedy {
        lines.extend(labelled(&tr!("ui.what_to_do"), theme.label(), r, width));
    }
    lines
}

/// The last notice and its remedy, wrapped to `width`.
fn notice_lines(app: &App, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let Some(n) = &app.notice else {
        return Vec::new();
    };
    let full = match &n.remedy {
        Some(r) => format!("{} — {r}", n.text),
        None => n.text.clone(),
    };
    let style = theme.level(n.level);
    wrap(&full, usize::from(width))
        .into_iter()
        .map(|part| Line::styled(part, style))
        .collect()
}

/// `label` then `text`, wrapped to `width` with a hanging indent.
fn labelled(label: &str, style: Style, text: &str, width: u16) -> Vec<Line<'static>> {
    let indent = label.width();
    wrap(text, usize::from(width).saturating_sub(indent))
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let head = if i == 0 {
                Span::styled(label.to_string(), style)
            } else {
                Span::raw(" ".repeat(indent))
            };
            Line::from(vec![head, Span::raw(part)])
        })
        .collect()
}

/// Wraps at spaces only: an email or a URL with a hyphen stays whole. A
/// word longer than the line is broken, as there is no other way to show it.
/// Text with wide (Japanese) characters wraps where Unicode's line-breaking
/// rules allow, which is between most Japanese characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let separator = if text.width() == text.chars().count() {
        textwrap::WordSeparator::AsciiSpace
    } else {
        textwrap::WordSeparator::UnicodeBreakProperties
    };
    let opts = textwrap::Options::new(width.max(1))
        .word_separator(separator)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, opts)
        .into_iter()
        .map(|c| c.into_owned())
        .collect()
}

fn title_bar(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut spans = vec![
        Span::styled(" bbtoken ", theme.accent()),
        Span::raw(format!(
            "· {} · {} · {}",
            if app.rows.len() == 1 {
                tr!("ui.title.profile_one")
            } else {
                tr!("ui.title.profiles", count = app.rows.len())
            },
            tr!("ui.title.store", name = app.store_name),
            tr!("ui.title.sort", by = app.sort.label())
        )),
    ];
    if app.filtering || !app.filter.is_empty() {
        let cursor = if app.filtering { "▏" } else { "" };
        spans.push(Span::styled(
            format!(
                " · {}",
                tr!("ui.title.filter", text = format!("{}{cursor}", app.filter))
            ),
            theme.accent(),
        ));
    }
    let busy = app.in_flight();
    if busy > 0 {
        spans.push(Span::styled(
            format!(
                " · {} {}",
                SPINNER[app.spinner],
                tr!("ui.title.validating", count = busy)
            ),
            theme.warn(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The badge: a symbol and a word, so it reads without colour.
pub(crate) fn badge(app: &App, in_flight: bool, p: &Profile) -> String {
    if in_flight {
        return format!("{} {}", SPINNER[app.spinner], tr!("ui.badge.checking"));
    }
    match &p.last_validation {
        Some(o) => format!("{} {}", o.status.symbol(), describe::status_words(o.status)),
        None => format!("· {}", tr!("ui.badge.unchecked")),
    }
}

fn list(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let visible = app.visible();
    let today = app.now.date_naive();
    let rows: Vec<TableRow> = visible
        .iter()
        .map(|&i| {
            let r = &app.rows[i];
            let p = &r.profile;
            let text = badge(app, r.in_flight, p);
            let status_style = theme.tone(match (&p.last_validation, r.in_flight) {
                (_, true) => Tone::Warn,
                (Some(o), false) => Tone::of_status(o.status),
                (None, false) => Tone::Muted,
            });
            let place = match (&p.repo, p.kind) {
                (Some(repo), _) => format!("{}/{}", p.workspace, repo),
                (None, _) => p.workspace.clone(),
            };
            let days = p.days_left(today);
            let tone = crate::describe::expiry_tone(days, app.expiry_window);
            let exp_style = theme.tone(tone);
            // Marked, not only coloured: inside the warning window.
            let mark = if tone == Tone::Warn { "! " } else { "" };
            TableRow::new(vec![
                Cell::from(Span::styled(text, status_style)),
                Cell::from(p.name.clone()),
                Cell::from(p.kind.short_words()),
                Cell::from(place),
                Cell::from(Span::styled(
                    format!("{mark}{}", expiry_countdown(days)),
                    exp_style,
                )),
            ])
        })
        .collect();
    let title = if visible.len() == app.rows.len() {
        tr!("ui.list.title")
    } else {
        tr!(
            "ui.list.title_some",
            shown = visible.len(),
            all = app.rows.len()
        )
    };
    let empty = rows.is_empty();
    // As wide as the widest kind's word in this language (Japanese ones are
    // wider), so none is cut.
    let kind_w = TokenKind::ALL
        .iter()
        .map(|k| k.short_words().width() as u16)
        .max()
        .unwrap_or(0)
        .max(10);
    // The widest badge in this language, the spinner's included.
    let status_w = Status::ALL
        .iter()
        .map(|s| describe::status_words(*s).width() as u16 + 2)
        .chain([
            tr!("ui.badge.checking").width() as u16 + 2,
            tr!("ui.badge.unchecked").width() as u16 + 2,
        ])
        .max()
        .unwrap_or(0)
        .max(15);
    let table = Table::new(
        rows,
        [
            Constraint::Length(status_w),
            Constraint::Min(10),
            Constraint::Length(kind_w),
            Constraint::Min(12),
            Constraint::Length(8),
        ],
    )
    .header(
        TableRow::new([
            tr!("ui.list.status"),
            tr!("ui.list.name"),
            tr!("ui.list.kind"),
            tr!("ui.list.place"),
            tr!("ui.list.expires"),
        ])
        .style(theme.title()),
    )
    .block(Block::bordered().title(title))
    .row_highlight_style(theme.selected())
    .highlight_symbol("› ");
    let mut state = TableState::default()
        .with_offset(list_offset(app.selected, rows_shown(area)))
        .with_selected((!empty).then_some(app.selected));
    frame.render_stateful_widget(table, area, &mut state);
    if empty {
        let msg = if app.rows.is_empty() {
            if app.loaded && app.problem.is_some() {
                tr!("ui.list.none_problem")
            } else if app.loaded {
                tr!("ui.list.none_yet")
            } else {
                tr!("ui.list.loading")
            }
        } else {
            tr!("ui.list.no_match")
        };
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1,
        };
        frame.render_widget(Paragraph::new(Line::styled(msg, theme.dim())), inner);
    }
}

/// The narrowest label column of the detail panel: the English labels
/// and a space. Wider labels (Japanese ones) widen it.
const LABEL_W: usize = 13;

/// `label` padded with spaces to `w` columns of display width.
fn pad(label: &str, w: usize) -> String {
    format!("{label}{}", " ".repeat(w.saturating_sub(label.width())))
}

/// Wraps each label-and-value line so that continuation lines stay in the
/// value column instead of running back under the labels; other lines wrap
/// as plain text. Everything is wrapped here, so the line count is what the
/// pane shows and what its scroll limit counts.
fn hang_values(lines: Vec<Line<'_>>, width: usize, label_w: usize) -> Vec<Line<'_>> {
    let value_w = width.saturating_sub(label_w);
    if value_w < 12 {
        // Too narrow for a value column: each line wraps as plain text (the
        // pane does no wrapping of its own, its scroll counts these lines).
        return lines
            .into_iter()
            .flat_map(|line| {
                let style = line.spans.first().map(|s| s.style).unwrap_or_default();
                let flat: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                wrap(&flat, width)
                    .into_iter()
                    .map(move |part| Line::styled(part, style))
            })
            .collect();
    }
    lines
        .into_iter()
        .flat_map(|line| {
            let is_field = line.spans.len() == 2 && line.spans[0].content.width() == label_w;
            if !is_field {
                if line.width() <= width {
                    return vec![line];
                }
                let style = line.spans.first().map(|s| s.style).unwrap_or_default();
                let flat: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                return wrap(&flat, width)
                    .into_iter()
                    .map(|part| Line::styled(part, style))
                    .collect();
            }
            if line.spans[1].width() <= value_w {
                return vec![line];
            }
            let label = line.spans[0].clone();
            let style = line.spans[1].style;
            // Only words of narrow characters must stay whole (an email, a
            // URL): Japanese text breaks between any two characters.
            let longest = line.spans[1]
                .content
                .split(' ')
                .filter(|w| w.width() == w.chars().count())
                .map(UnicodeWidthStr::width)
                .max()
                .unwrap_or(0);
            if longest > value_w && longest <= width.saturating_sub(2) {
                // A word (an email, a URL) wider than the value column but
                // not than the pane: the value goes under its label, so the
                // word stays whole.
                let mut out = vec![Line::from(vec![label])];
                out.extend(
                    wrap(&line.spans[1].content, width - 2)
                        .into_iter()
                        .map(|part| Line::from(vec![Span::raw("  "), Span::styled(part, style)])),
                );
                return out;
            }
            wrap(&line.spans[1].content, value_w)
                .into_iter()
                .enumerate()
                .map(|(i, part)| {
                    Line::from(vec![
                        if i == 0 {
                            label.clone()
                        } else {
                            Span::raw(" ".repeat(label_w))
                        },
                        Span::styled(part, style),
                    ])
                })
                .collect()
        })
        .collect()
}

/// How far the detail pane can scroll on the app's screen: its wrapped
/// lines past those that fit. 0 while the screen size is unknown.
pub(crate) fn detail_max_scroll(app: &App) -> u16 {
    let (w, h) = app.screen;
    let area = Rect::new(0, 0, w, h);
    if !big_enough(area) {
        return 0;
    }
    let d = areas(app, area).detail;
    detail_overflow(app, d)
}

fn detail_overflow(app: &App, d: Rect) -> u16 {
    let lines = detail_lines(app, &Theme::plain(), usize::from(d.width.saturating_sub(2)));
    (lines.len() as u16).saturating_sub(d.height.saturating_sub(2))
}

fn detail(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let inner = usize::from(area.width.saturating_sub(2));
    let lines = detail_lines(app, theme, inner);
    let max = detail_overflow(app, area);
    let scroll = app.detail_scroll.min(max);
    let title = if max == 0 {
        tr!("ui.detail.title")
    } else {
        let more = if scroll < max {
            tr!("ui.detail.more")
        } else {
            "".into()
        };
        tr!("ui.detail.title_scroll", more = more)
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(title))
            .scroll((scroll, 0)),
        area,
    );
}

/// What the user can do about a fact, naming the key that does it.
fn next_words(n: Next) -> String {
    let (action, what) = match n {
        Next::Validate => (Action::ValidateSelected, tr!("ui.next.validates")),
        Next::SetBotEmail | Next::SetExpiry => (Action::OpenEdit, tr!("ui.next.edits")),
        Next::AcceptBotEmail => (Action::AcceptBotEmail, tr!("ui.next.accepts")),
        Next::OpenPage => (Action::OpenTokenPage, tr!("ui.next.opens")),
        Next::SetKind(_) => (Action::FixKind, tr!("ui.next.sets_it")),
    };
    match keymap::key_for(keymap::Context::List, &action) {
        Some(k) => format!("{k} {what}"),
        None => what.into_owned(),
    }
}

/// The detail of the selected profile, wrapped to `width`.
fn detail_lines(app: &App, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let Some(row) = app.selected_row() else {
        return Vec::new();
    };
    let p = &row.profile;
    let mut lines = vec![Line::styled(p.name.clone(), theme.title())];
    let facts = describe::facts(p, app.now, app.expiry_window);
    let labels: Vec<String> = facts.iter().map(|f| f.label.words()).collect();
    let label_w = labels
        .iter()
        .map(|l| l.width() + 1)
        .max()
        .unwrap_or(0)
        .max(LABEL_W);
    for (f, label) in facts.into_iter().zip(labels) {
        let (value, tone) = if row.in_flight && f.label == Label::Status {
            // The facts below stay: they describe the last outcome.
            (tr!("ui.detail.validating").into_owned(), Tone::Warn)
        } else if f.label == Label::WhatToDo
            && let Some(r) = p.last_validation.as_ref().and_then(remedy::outcome_words)
        {
            // The app names its keys, never a command.
            (r, f.tone)
        } else {
            match f.next {
                Some(n) => (format!("{} · {}", f.value, next_words(n)), f.tone),
                None => (f.value, f.tone),
            }
        };
        lines.push(Line::from(vec![
            Span::styled(pad(&label, label_w), theme.label()),
            Span::styled(value, theme.tone(tone)),
        ]));
    }
    hang_values(lines, width, label_w)
}
