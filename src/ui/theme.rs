//! Colours, or none: with NO_COLOR (or `[theme] color = false`) every
//! distinction falls back to reverse/bold/markers, since colour alone is not
//! a selection. `[theme]` may also rename the colours.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Focus, titles, keys.
    pub accent: Color,
    pub ok: Color,
    pub warn: Color,
    pub danger: Color,
    /// CUSTOMER users, the connection hint.
    pub special: Color,
    pub dim: Color,
}

impl Default for Palette {
    fn default() -> Self {
        Self {
            accent: Color::Cyan,
            ok: Color::Green,
            warn: Color::Yellow,
            danger: Color::Red,
            special: Color::Magenta,
            dim: Color::DarkGray,
        }
    }
}

pub const PALETTE_KEYS: [&str; 6] = ["accent", "ok", "warn", "danger", "special", "dim"];

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub palette: Palette,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Self {
            color,
            palette: Palette::default(),
        }
    }

    /// Applies `[theme]` colour names ("red", "#ff8800", "light-blue", "208");
    /// bad names are reported and the default kept.
    pub fn with_colors(color: bool, names: &BTreeMap<String, String>) -> (Self, Vec<String>) {
        let mut t = Self::new(color);
        let mut problems = Vec::new();
        for (key, value) in names {
            let slot = match key.as_str() {
                "accent" => &mut t.palette.accent,
                "ok" => &mut t.palette.ok,
                "warn" => &mut t.palette.warn,
                "danger" => &mut t.palette.danger,
                "special" => &mut t.palette.special,
                "dim" => &mut t.palette.dim,
                other => {
                    problems.push(format!(
                        "theme.{other}: no such colour (known: {})",
                        PALETTE_KEYS.join(", ")
                    ));
                    continue;
                }
            };
            match Color::from_str(value) {
                Ok(c) => *slot = c,
                Err(_) => problems.push(format!(
                    "theme.{key}: {value:?} is not a colour (a name, #rrggbb or 0-255)"
                )),
            }
        }
        (t, problems)
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
        } else {
            self.fg(self.palette.dim)
        }
    }

    /// Only the focused pane's selection is in reverse video; the others
    /// mark theirs quietly (the `>` and bold), so the eye finds the one
    /// the keys move.
    pub fn selected(&self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
        }
    }

    pub fn title(&self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(self.palette.dim)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn ok(&self) -> Style {
        self.fg(self.palette.ok)
    }

    pub fn warn(&self) -> Style {
        self.fg(self.palette.warn)
    }

    pub fn danger(&self) -> Style {
        self.fg(self.palette.danger).add_modifier(Modifier::BOLD)
    }

    /// A message's colour by its level.
    pub fn level(&self, level: crate::app::Level) -> Style {
        match level {
            crate::app::Level::Info => self.ok(),
            crate::app::Level::Warn => self.warn(),
            crate::app::Level::Error => self.danger(),
        }
    }

    pub fn accent(&self) -> Style {
        self.fg(self.palette.special)
    }

    pub fn key(&self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_by_name() {
        let mut names = BTreeMap::new();
        names.insert("accent".to_string(), "#ff8800".to_string());
        names.insert("danger".to_string(), "magenta".to_string());
        names.insert("warn".to_string(), "not-a-colour".to_string());
        names.insert("sparkle".to_string(), "red".to_string());
        let (t, problems) = Theme::with_colors(true, &names);
        assert_eq!(t.palette.accent, Color::Rgb(0xff, 0x88, 0));
        assert_eq!(t.palette.danger, Color::Magenta);
        assert_eq!(t.palette.warn, Color::Yellow, "kept");
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
