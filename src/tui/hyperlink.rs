//! The token page's link, clickable on terminals that show OSC 8 links.
//!
//! ratatui has no hyperlinks: a cell holds what it prints, and an escape
//! sequence inside one would count as columns. So after a frame is drawn,
//! the cells where the link's text stands whole on one row are written once
//! more, the same symbols in the same styles, with the OSC 8 opening before
//! the first and the closing after the last. The screen then holds exactly
//! what ratatui believes it holds; when those cells change, ratatui rewrites
//! them and the link goes with them.
//!
//! Only a URL from [`crate::links::token_page`] (built from checked fields)
//! that passes [`crate::links::is_linkable`] is ever put in a sequence.

use ratatui::buffer::{Buffer, Cell};

/// The cells of the first place where `url` stands whole on one row of
/// `buf`, the first and last carrying the OSC 8 opening and closing, ready
/// for `Backend::draw`; `None` when it is not on the screen whole (wrapped,
/// cut, covered) or may not be linked.
pub(crate) fn linked_cells(buf: &Buffer, url: &str) -> Option<Vec<(u16, u16, Cell)>> {
    if !crate::links::is_linkable(url) {
        return None;
    }
    let want: Vec<char> = url.chars().collect();
    let area = buf.area;
    let len = u16::try_from(want.len()).ok()?;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right().saturating_sub(len - 1) {
            let fits = want.iter().zip(x..).all(|(c, cx)| {
                let s = buf[(cx, y)].symbol();
                s.len() == c.len_utf8() && s.starts_with(*c)
            });
            if !fits {
                continue;
            }
            let mut cells: Vec<(u16, u16, Cell)> = (x..x + len)
                .map(|cx| (cx, y, buf[(cx, y)].clone()))
                .collect();
            let open = format!("\x1b]8;;{url}\x1b\\{}", cells[0].2.symbol());
            cells[0].2.set_symbol(&open);
            let last = cells.len() - 1;
            let close = format!("{}\x1b]8;;\x1b\\", cells[last].2.symbol());
            cells[last].2.set_symbol(&close);
            return Some(cells);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};

    const URL: &str = "https://bitbucket.org/acme/api/admin/access-tokens";

    fn screen(rows: &[&str]) -> Buffer {
        let width = rows.iter().map(|r| r.chars().count()).max().unwrap_or(0) as u16;
        let mut buf = Buffer::empty(Rect::new(0, 0, width, rows.len() as u16));
        for (y, row) in rows.iter().enumerate() {
            buf.set_string(0, y as u16, row, Style::default().fg(Color::Cyan));
        }
        buf
    }

    #[test]
    fn a_whole_url_is_wrapped_in_osc_8_keeping_its_cells_and_style() {
        let buf = screen(&["Kind  repository", &format!("Page  {URL}  ")]);
        let cells = linked_cells(&buf, URL).expect("found");
        assert_eq!(cells.len(), URL.len());
        assert_eq!((cells[0].0, cells[0].1), (6, 1));
        assert_eq!(
            cells[0].2.symbol(),
            format!("\x1b]8;;{URL}\x1b\\h").as_str()
        );
        assert_eq!(cells.last().unwrap().2.symbol(), "s\x1b]8;;\x1b\\");
        let middle: String = cells[1..cells.len() - 1]
            .iter()
            .map(|(_, _, c)| c.symbol())
            .collect();
        assert_eq!(middle, URL[1..URL.len() - 1]);
        assert!(cells.iter().all(|(_, _, c)| c.fg == Color::Cyan));
    }

    #[test]
    fn a_cut_or_wrapped_url_is_not_linked() {
        let cut = &URL[..URL.len() - 3];
        assert!(linked_cells(&screen(&[&format!("Page  {cut}")]), URL).is_none());
        let (a, b) = URL.split_at(30);
        assert!(linked_cells(&screen(&[a, b]), URL).is_none());
    }

    #[test]
    fn only_a_linkable_url_goes_into_a_sequence() {
        for bad in [
            "http://bitbucket.org/a",
            "https://x/\x1b]8;;evil",
            "https://x/a b",
        ] {
            let buf = screen(&[&format!("Page  {bad}")]);
            assert!(linked_cells(&buf, bad).is_none(), "{bad:?}");
        }
    }
}
