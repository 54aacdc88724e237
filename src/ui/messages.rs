//! The message list: every status message whole, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::dialog::frame;
use super::theme::Theme;
use crate::app::State;
use crate::app::state::messages::{HEAD_WIDTH, MessagesView, rows};

pub fn draw(f: &mut Frame, area: Rect, state: &State, view: &MessagesView, theme: &Theme) {
    let r = crate::layout::messages_box(area);
    f.render_widget(Clear, r);
    let inner_w = r.width.saturating_sub(2);
    let shown = r.height.saturating_sub(2);
    let all = rows(&state.messages, usize::from(inner_w));
    // A scroll made on a smaller terminal may reach past the end here.
    let scroll = view.scroll.min(crate::layout::max_scroll(all.len(), shown));
    let title = if state.messages.is_empty() {
        "Messages · none yet · Esc close".to_string()
    } else {
        let first = usize::from(scroll) + 1;
        let last = (usize::from(scroll) + usize::from(shown)).min(all.len());
        // What matters first: a narrow box cuts the end.
        format!(
            "Messages · {} · rows {first}-{last} of {} · Esc close · newest first · UTC",
            state.messages.len(),
            all.len()
        )
    };
    let lines: Vec<Line> = all
        .into_iter()
        .skip(usize::from(scroll))
        .take(usize::from(shown))
        .map(|row| {
            let head = match row.head {
                Some((h, level)) => Span::styled(format!("{h:<HEAD_WIDTH$}"), theme.level(level)),
                None => Span::raw(" ".repeat(HEAD_WIDTH)),
            };
            Line::from(vec![head, Span::raw(row.text)])
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(frame(&title, r.width, theme)),
        r,
    );
}
