//! The token page's link, clickable on terminals that show OSC 8 links.
//!
//! ratatui has no hyperlinks: a cell holds what it prints, and an escape
//! sequence inside one would count as columns. So after a frame is drawn,
//! the cells where the link's text stands whole on one row are written once
//! more, the same symbols in the same styles, with the OSC 8 opening before
//! the first and the closing after the last. The screen then holds exactly
//! what ratatui believes it holds.
//!
//! A terminal keeps a link on a cell until the cell is written again, and
//! ratatui writes only the cells that changed: the shared start of two
//! token pages would still open the first one. So the cells linked last are
//! written again plainly whenever the link moves or goes.
//!
//! Only a URL from [`crate::links::token_page`] (built from checked fields)
//! that passes [`crate::links::is_linkable`] is ever put in a sequence.

use ratatui::buffer::{Buffer, Cell};

/// Where a link stands on the screen: one row, `len` cells from `x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    url: String,
    x: u16,
    y: u16,
    len: u16,
}

/// The first place where `url` stands whole on one row of `buf`; `None`
/// when it is not on the screen whole (wrapped, cut, covered) or may not be
/// linked.
pub(crate) fn find(buf: &Buffer, url: &str) -> Option<Link> {
    if !crate::links::is_linkable(url) {
        return None;
    }
    let want: Vec<char> = url.chars().collect();
    let area = buf.area;
    // A linkable URL is at least "https://" long: `len - 1` cannot wrap.
    let len = u16::try_from(want.len()).ok()?;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right().saturating_sub(len - 1) {
            let fits = want.iter().zip(x..).all(|(c, cx)| {
                let s = buf[(cx, y)].symbol();
                s.len() == c.len_utf8() && s.starts_with(*c)
            });
            if fits {
                return Some(Link {
                    url: url.to_string(),
                    x,
                    y,
                    len,
                });
            }
        }
    }
    None
}

/// The cells to write after a frame, for `Backend::draw`: the cells of the
/// `last` link as the frame has them, plainly, when that link moved or went;
/// then the `next` link's cells, the first and last carrying the OSC 8
/// opening and closing.
pub(crate) fn cells(
    buf: &Buffer,
    last: Option<&Link>,
    next: Option<&Link>,
) -> Vec<(u16, u16, Cell)> {
    let plain = |l: &Link| -> Vec<(u16, u16, Cell)> {
        (l.x..l.x + l.len)
            .filter(|&x| buf.area.contains((x, l.y).into()))
            .map(|x| (x, l.y, buf[(x, l.y)].clone()))
            .collect()
    };
    let mut out = Vec::new();
    if let Some(l) = last.filter(|l| Some(*l) != next) {
        out.extend(plain(l));
    }
    if let Some(l) = next {
        let mut linked = plain(l);
        if let Some(first) = linked.first_mut() {
            let open = format!("\x1b]8;;{}\x1b\\{}", l.url, first.2.symbol());
            first.2.set_symbol(&open);
        }
        if let Some(last) = linked.last_mut() {
            let close = format!("{}\x1b]8;;\x1b\\", last.2.symbol());
            last.2.set_symbol(&close);
        }
        out.extend(linked);
    }
    out
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

    fn text(cells: &[(u16, u16, Cell)]) -> String {
        cells.iter().map(|(_, _, c)| c.symbol()).collect()
    }

    #[test]
    fn a_whole_url_is_wrapped_in_osc_8_keeping_its_cells_and_style() {
        let buf = screen(&["Kind  repository", &format!("Page  {URL}  ")]);
        let link = find(&buf, URL).expect("found");
        let cells = cells(&buf, None, Some(&link));
        assert_eq!(cells.len(), URL.len());
        assert_eq!((cells[0].0, cells[0].1), (6, 1));
        assert_eq!(
            text(&cells),
            format!("\x1b]8;;{URL}\x1b\\{URL}\x1b]8;;\x1b\\")
        );
        assert!(cells.iter().all(|(_, _, c)| c.fg == Color::Cyan));
        // The same link again: nothing to undo, the link written again.
        assert_eq!(super::cells(&buf, Some(&link), Some(&link)), cells);
    }

    /// A link that moved or went is written again plainly, so its cells
    /// stop opening the old page.
    #[test]
    fn the_last_link_is_unlinked_when_it_moves_or_goes() {
        let before = screen(&[&format!("Page  {URL}")]);
        let old = find(&before, URL).unwrap();
        let other = "https://bitbucket.org/acme/web/admin/access-tokens";
        let after = screen(&[&format!("Page  {other}")]);
        let new = find(&after, other).unwrap();
        let cells = cells(&after, Some(&old), Some(&new));
        let (undo, link) = cells.split_at(URL.len());
        assert_eq!(text(undo), other);
        assert!(!text(undo).contains('\x1b'));
        assert!(text(link).starts_with(&format!("\x1b]8;;{other}\x1b\\")));
        // Gone (cut, covered): only the plain cells.
        let cut = screen(&["Page  https://bitbucket.org/acme/web/adm"]);
        let undo = super::cells(&cut, Some(&old), None);
        assert!(!text(&undo).contains('\x1b'));
        assert!(!undo.is_empty());
        // Off a smaller screen: nothing outside it is written.
        let small = screen(&["Page"]);
        assert!(super::cells(&small, Some(&old), None).is_empty());
    }

    #[test]
    fn a_cut_or_wrapped_url_is_not_linked() {
        let cut = &URL[..URL.len() - 3];
        assert!(find(&screen(&[&format!("Page  {cut}")]), URL).is_none());
        let (a, b) = URL.split_at(30);
        assert!(find(&screen(&[a, b]), URL).is_none());
    }

    #[test]
    fn only_a_linkable_url_goes_into_a_sequence() {
        for bad in [
            "http://bitbucket.org/a",
            "https://x/\x1b]8;;evil",
            "https://x/a b",
        ] {
            let buf = screen(&[&format!("Page  {bad}")]);
            assert!(find(&buf, bad).is_none(), "{bad:?}");
        }
    }
}
