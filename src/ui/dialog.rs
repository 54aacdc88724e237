//! What every dialog draws with: a frame whose title is cut with `…`,
//! server text that keeps the dialog's keys in view, label/value rows,
//! keys as bound.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::theme::Theme;
use crate::app::State;
use crate::app::keymap::{Action, Scope};

/// A dialog's frame, its title cut with `…` when the box is narrower.
pub(super) fn frame<'a>(title: &str, width: u16, theme: &Theme) -> Block<'a> {
    let room = usize::from(width.saturating_sub(4));
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(" {} ", crate::format::fit(title, room)),
            theme.title(),
        ))
}

/// Server text above a dialog's own lines: the text gets the rows the
/// `tail` leaves in `area`, wrapped and cut with `…`; the tail (the keys)
/// always shows.
pub(super) fn text_then<'a>(
    text: &str,
    style: ratatui::style::Style,
    tail: Vec<Line<'a>>,
    area: Rect,
) -> Vec<Line<'a>> {
    let rows = usize::from(area.height).saturating_sub(tail.len()).max(1);
    let mut lines: Vec<Line> = crate::format::wrap_fit(
        &crate::format::shown_whole(text),
        usize::from(area.width),
        rows,
    )
    .into_iter()
    .map(|l| Line::styled(l, style))
    .collect();
    lines.extend(tail);
    lines
}

pub(super) fn kv<'a>(k: &'a str, v: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<11}"), theme.dim()),
        Span::raw(v),
    ])
}

/// "s save · y/c copy": a dialog's keys as bound, each with what it does.
pub(super) fn bound_keys(state: &State, scope: Scope, keys: &[(Action, &str)]) -> String {
    keys.iter()
        .map(|(a, desc)| format!("{} {desc}", state.env.keymap.label_for(scope, *a)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A question's answers as bound, the default (No) named as such.
pub(super) fn yes_no(state: &State) -> String {
    let km = &state.env.keymap;
    format!(
        " {} yes · {} no (default)",
        km.label_for(Scope::Prompt, Action::Yes),
        km.label_for(Scope::Prompt, Action::No)
    )
}
