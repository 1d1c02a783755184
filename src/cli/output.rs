//! Human output: aligned columns and colour. anstream strips colour when the
//! output is not a terminal or NO_COLOR is set.

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use crate::profile::Status;

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
pub const GOOD: Style = AnsiColor::Green.on_default();
pub const BAD: Style = AnsiColor::Red.on_default();
pub const WARN: Style = AnsiColor::Yellow.on_default();

pub fn status_style(s: Status) -> Style {
    match s {
        Status::Valid => GOOD,
        s if s.is_token_problem() => BAD,
        _ => WARN,
    }
}

pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// A table whose cells may carry a style; columns are padded by display width.
#[derive(Default)]
pub struct Table {
    rows: Vec<Vec<(String, Style)>>,
}

impl Table {
    pub fn row(&mut self, cells: Vec<(String, Style)>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let cols = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..cols)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|(t, _)| t.width())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (i, (text, style)) in row.iter().enumerate() {
                let last = i + 1 == row.len();
                line.push_str(&paint(*style, text));
                if !last {
                    line.push_str(&" ".repeat(widths[i] - text.width() + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_by_display_width() {
        let mut t = Table::default();
        t.row(vec![("✓".into(), Style::new()), ("a".into(), Style::new())]);
        t.row(vec![
            ("xyz".into(), Style::new()),
            ("b".into(), Style::new()),
        ]);
        assert_eq!(t.render(), "✓    a\nxyz  b\n");
    }
}
