//! The `:` line, drawn in the status row: what is typed, then what the
//! last Tab or Enter said.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::state::CommandLine;
use crate::format;

pub fn draw(f: &mut Frame, area: Rect, line: &CommandLine, theme: &Theme) {
    let width = usize::from(area.width).saturating_sub(2);
    let typed = format::shown(line.input.value());
    // The end of a long line stays in view: that is where the cursor is.
    let typed_len = typed.chars().count();
    let shown: String = if typed_len + 1 > width {
        let skip = typed_len + 2 - width;
        format!("…{}", typed.chars().skip(skip).collect::<String>())
    } else {
        typed
    };
    let cursor = shown.chars().count();
    let mut spans = vec![Span::styled(":", theme.key()), Span::raw(shown)];
    let room = width.saturating_sub(cursor + 3);
    let note = line.note.as_deref().map(format::shown).unwrap_or_else(|| {
        "project NAME · user NAME · expiring · issue · messages · help · quit".to_string()
    });
    if room > 1 {
        let style = if line.refused {
            theme.level(crate::app::Level::Error)
        } else {
            theme.dim()
        };
        spans.push(Span::raw("   "));
        spans.push(Span::styled(format::fit(&note, room), style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    let x = area.x + 1 + cursor.min(width) as u16;
    f.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
}
