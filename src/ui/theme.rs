//! Colours. Only the terminal's own named colours are used (never a fixed
//! white or black), so the palette follows the user's dark or light scheme;
//! every colour is doubled by a word or symbol, and `NO_COLOR` turns colour off.

use ratatui::style::{Color, Modifier, Style};

use crate::app::Level;
use crate::describe::Tone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    pub fn plain() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// How a fact's [`Tone`] looks; the words carry the same meaning
    /// without colour.
    pub(crate) fn tone(&self, t: Tone) -> Style {
        match t {
            Tone::Good => self.ok(),
            Tone::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Tone::Warn => self.warn(),
            Tone::Muted => self.dim(),
            Tone::Plain => Style::new(),
        }
    }

    pub fn level(&self, l: Level) -> Style {
        match l {
            Level::Info => self.fg(Color::Green),
            Level::Warn => self.fg(Color::Yellow),
            Level::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn bad(&self) -> Style {
        self.fg(Color::Red)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub(crate) fn accent(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn label(&self) -> Style {
        self.fg(Color::Blue)
    }

    pub(crate) fn dim(&self) -> Style {
        if self.color {
            Style::new().add_modifier(Modifier::DIM)
        } else {
            Style::new()
        }
    }

    /// Selection reads without colour: reversed video works on any scheme.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
}
