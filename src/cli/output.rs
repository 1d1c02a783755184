//! The one way the CLI prints. Everything reaches stdout or stderr through
//! [`emit`] (or [`json`]), which makes control characters visible, applies
//! colour only around text that is already escaped, and ends the program
//! quietly when stdout is a closed pipe (`bbtoken list | head -c1`), as
//! ripgrep does. A test scans `src/cli/` so no other file prints directly.
//!
//! anstream strips colour when the output is not a terminal or NO_COLOR is
//! set.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use crate::describe::Tone;
use crate::i18n::tr;
use crate::profile::Status;
use crate::text;

pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const GOOD: Style = AnsiColor::Green.on_default();
pub(crate) const BAD: Style = AnsiColor::Red.on_default();
pub(crate) const WARN: Style = AnsiColor::Yellow.on_default();
pub(crate) const PLAIN: Style = Style::new();

pub(crate) fn status_style(s: Status) -> Style {
    tone_style(Tone::of_status(s))
}

/// How a [`Tone`] from `describe` looks on a terminal.
pub(crate) fn tone_style(t: Tone) -> Style {
    match t {
        Tone::Good => GOOD,
        Tone::Warn => WARN,
        Tone::Bad => BAD,
        Tone::Muted => DIM,
        Tone::Plain => PLAIN,
    }
}

/// Where a [`Text`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// Text to print: pieces, each with a style. The pieces stay raw until
/// [`Text::render`], which escapes each one before wrapping it in its style,
/// so a style is never applied to raw text and no piece can smuggle an
/// escape sequence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text {
    parts: Vec<(String, Style)>,
    /// URLs that become clickable (OSC 8) where they appear, on a terminal
    /// that shows links ([`hyperlinks`]).
    links: Vec<String>,
}

impl Text {
    pub fn new() -> Text {
        Text::default()
    }

    pub fn plain(s: impl Into<String>) -> Text {
        Text::new().with(s, PLAIN)
    }

    pub(crate) fn styled(style: Style, s: impl Into<String>) -> Text {
        Text::new().with(s, style)
    }

    /// Adds a piece (builder form).
    pub fn with(mut self, s: impl Into<String>, style: Style) -> Text {
        self.push(s, style);
        self
    }

    pub fn push(&mut self, s: impl Into<String>, style: Style) {
        self.parts.push((s.into(), style));
    }

    /// Makes `url` clickable wherever it appears in this text. Only a plain
    /// https URL is taken (bbtoken's own token pages, built from checked
    /// fields): nothing from outside goes into an escape sequence.
    pub(crate) fn with_link(mut self, url: &str) -> Text {
        if crate::links::is_linkable(url) && !self.links.iter().any(|l| l == url) {
            self.links.push(url.to_string());
        }
        self
    }

    /// The bytes to write: each piece escaped ([`text::visible`]: newlines
    /// and tabs stay), then styled when `colour` is on.
    pub fn render(&self, colour: bool) -> String {
        let mut out = String::new();
        for (s, style) in &self.parts {
            let shown = text::visible(s);
            if colour && *style != PLAIN && !shown.is_empty() {
                out.push_str(&format!("{style}{shown}{style:#}"));
            } else {
                out.push_str(&shown);
            }
        }
        out
    }
}

/// Prints `t` on `stream`, with no newline added.
pub(crate) fn emit(stream: Stream, t: &Text) {
    write_str(stream, &for_stream(stream, t));
}

/// Prints `t` and a newline.
pub fn line(stream: Stream, t: &Text) {
    let mut s = for_stream(stream, t);
    s.push('\n');
    write_str(stream, &s);
}

/// `t` rendered for `stream`: styled (anstream strips the styles where
/// colour is off), with its links clickable where the terminal shows them.
fn for_stream(stream: Stream, t: &Text) -> String {
    let s = t.render(true);
    if t.links.is_empty() || !hyperlinks(stream) {
        return s;
    }
    linked(&s, &t.links)
}

/// Whether `stream` is a terminal known to show OSC 8 links
/// (supports-hyperlinks: the terminal's own variables, or
/// `FORCE_HYPERLINK=1`). Other terminals may print the sequence as text.
fn hyperlinks(stream: Stream) -> bool {
    supports_hyperlinks::on(match stream {
        Stream::Out => supports_hyperlinks::Stream::Stdout,
        Stream::Err => supports_hyperlinks::Stream::Stderr,
    })
}

/// `rendered` with every occurrence of each URL in `links` wrapped in an
/// OSC 8 hyperlink to itself.
fn linked(rendered: &str, links: &[String]) -> String {
    let mut out = rendered.to_string();
    for url in links {
        out = out.replace(
            url.as_str(),
            &format!("\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\"),
        );
    }
    out
}

/// Prints one plain line on stdout.
pub(crate) fn out_line(s: &str) {
    line(Stream::Out, &Text::plain(s));
}

/// Prints one plain line on stderr.
pub(crate) fn err_line(s: &str) {
    line(Stream::Err, &Text::plain(s));
}

/// Prints `value` as pretty JSON on stdout. The data is exact; dangerous
/// characters inside strings are written as JSON `\uXXXX` escapes, which
/// decode to the same data ([`text::json_visible`]).
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), serde_json::Error> {
    let mut s = text::json_visible(&serde_json::to_string_pretty(value)?);
    s.push('\n');
    write_str(Stream::Out, &s);
    Ok(())
}

/// Writes text that the program itself generated (shell completions) on
/// stdout, still with control characters made visible.
pub fn generated(s: &str) {
    write_str(Stream::Out, &text::visible(s));
}

fn write_str(stream: Stream, s: &str) {
    let result = match stream {
        Stream::Out => {
            let mut o = anstream::stdout().lock();
            o.write_all(s.as_bytes()).and_then(|()| o.flush())
        }
        Stream::Err => {
            let mut e = anstream::stderr().lock();
            e.write_all(s.as_bytes()).and_then(|()| e.flush())
        }
    };
    match (result, stream) {
        (Ok(()), _) => {}
        // Whoever read stdout has had enough (`| head`): stop quietly, as
        // ripgrep does. Every command has done its work before it prints.
        (Err(e), Stream::Out) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(crate::cli::exit::OK)
        }
        (Err(e), Stream::Out) => {
            let msg = text::clean(&e.to_string());
            let _ = writeln!(
                std::io::stderr(),
                "{} {}",
                tr!("cli.error"),
                tr!("cli.output.write_failed", error = msg)
            );
            std::process::exit(crate::cli::exit::ERROR)
        }
        // Nowhere left to say it; the exit code still tells.
        (Err(_), Stream::Err) => {}
    }
}

/// True when both stdout and stderr are terminals: a person is watching,
/// so long work may show live feedback. Piped output stays plain and whole.
pub fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

/// A progress line on stderr for long work (indicatif). Lines printed while
/// it shows go through [`Progress::line`], which takes the bar away while it
/// writes them, so the bar never mixes into the output; [`Progress::finish`]
/// (or dropping it) erases the bar and leaves nothing behind. Hidden when
/// [`interactive`] is false.
pub(crate) struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    /// A bar counting to `total`, shown only on a terminal.
    pub fn new(total: u64) -> Progress {
        if !interactive() {
            return Progress::hidden();
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr_with_hz(10),
        );
        let style = indicatif::ProgressStyle::with_template(&tr!("cli.progress.checked"))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        Progress { bar }
    }

    /// A bar that never draws.
    pub fn hidden() -> Progress {
        Progress {
            bar: indicatif::ProgressBar::hidden(),
        }
    }

    /// Sets how much is done and what is still awaited. `msg` is made
    /// visible like every other text ([`text::visible`]): a profile name
    /// cannot smuggle an escape sequence into the terminal.
    pub fn set(&self, done: u64, msg: &str) {
        self.bar.set_position(done);
        self.bar.set_message(text::visible(msg).replace('\n', " "));
    }

    /// Prints `t` and a newline on `stream` with the bar out of the way.
    pub fn line(&self, stream: Stream, t: &Text) {
        self.bar.suspend(|| line(stream, t));
    }

    /// Erases the bar.
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A table whose cells may carry a style; columns are padded by display width
/// of the text as it will be shown (escaped).
#[derive(Default)]
pub struct Table {
    rows: Vec<Vec<(String, Style)>>,
    links: Vec<String>,
}

impl Table {
    pub fn row(&mut self, cells: Vec<(String, Style)>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|(t, s)| (text::visible(&t), s))
                .collect(),
        );
    }

    /// Makes `url` clickable where it appears (see [`Text::with_link`]).
    pub(crate) fn link(&mut self, url: &str) {
        if crate::links::is_linkable(url) && !self.links.iter().any(|l| l == url) {
            self.links.push(url.to_string());
        }
    }

    pub fn render(&self) -> Text {
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
        let mut out = Text::new();
        for row in &self.rows {
            // Trailing empty cells add no padding.
            let used = row
                .iter()
                .rposition(|(t, _)| !t.is_empty())
                .map_or(0, |i| i + 1);
            for (i, (cell, style)) in row.iter().take(used).enumerate() {
                out.push(cell.clone(), *style);
                if i + 1 < used {
                    out.push(" ".repeat(widths[i] - cell.width() + 2), PLAIN);
                }
            }
            out.push("\n", PLAIN);
        }
        out.links = self.links.clone();
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
        assert_eq!(t.render().render(false), "✓    a\nxyz  b\n");
    }

    #[test]
    fn links_wrap_only_plain_https_urls() {
        let url = "https://bitbucket.org/acme/api/admin/access-tokens";
        let t = Text::plain(format!("page: {url}"))
            .with_link(url)
            .with_link(url);
        assert_eq!(
            linked(&t.render(false), &t.links),
            format!("page: \x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\")
        );
        for bad in [
            "http://bitbucket.org/x",
            "https://x.test/a\x1b\\b",
            "https://x.test/a\u{7}",
            "https://x.test/a b",
            "https://x.test/\u{e9}",
            "javascript:alert(1)",
        ] {
            assert!(Text::plain(bad).with_link(bad).links.is_empty(), "{bad:?}");
        }
        let mut table = Table::default();
        table.row(vec![("page:".into(), PLAIN), (url.into(), PLAIN)]);
        table.link(url);
        assert_eq!(table.render().links, vec![url.to_string()]);
    }

    #[test]
    fn table_aligns_escaped_cells() {
        let mut t = Table::default();
        t.row(vec![("a\u{1b}".into(), PLAIN), ("x".into(), PLAIN)]);
        t.row(vec![("b".into(), PLAIN), ("y".into(), PLAIN)]);
        assert_eq!(t.render().render(false), "a\\u{1b}  x\nb        y\n");
    }

    #[test]
    fn styles_wrap_escaped_text_only() {
        let t = Text::styled(BAD, "\u{1b}]52;c;eA==\u{7}token valid").with("\u{9b}2J", PLAIN);
        let s = t.render(true);
        assert_eq!(
            s,
            format!("{BAD}\\u{{1b}}]52;c;eA==\\u{{7}}token valid{BAD:#}\\u{{9b}}2J")
        );
        // The only ESC left opens or closes a style.
        let escs = s.matches('\u{1b}').count();
        assert_eq!(escs, 2);
        assert_eq!(
            t.render(false),
            "\\u{1b}]52;c;eA==\\u{7}token valid\\u{9b}2J"
        );
    }

    /// The progress line's template, in each language, is one indicatif
    /// reads.
    #[test]
    fn the_progress_template_parses_in_every_language() {
        use crate::i18n::{Lang, with_lang};
        for lang in [Lang::En, Lang::Ja] {
            let t = with_lang(lang, || tr!("cli.progress.checked").into_owned());
            assert!(
                indicatif::ProgressStyle::with_template(&t).is_ok(),
                "{lang:?}: {t}"
            );
            assert!(t.contains("{pos}/{len}") && t.contains("{wide_msg}"), "{t}");
        }
    }

    /// Every file under src/cli/ prints only through this module.
    #[test]
    fn no_other_cli_file_prints_directly() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
        let forbidden = [
            "println!",
            "print!",
            "eprintln!",
            "eprint!",
            "write!",
            "writeln!",
            "io::stdout",
            "io::stderr",
            "anstream::",
            "dbg!",
        ];
        let mut offenders = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "output.rs")
                || path.extension().is_none_or(|e| e != "rs")
            {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            for (n, l) in src.lines().enumerate() {
                let code = l.split("//").next().unwrap_or("");
                for f in forbidden {
                    if code.contains(f) {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, l.trim()));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "print through cli::output only:\n{}",
            offenders.join("\n")
        );
    }
}
