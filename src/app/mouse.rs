//! Mouse input (only with `--mouse`): the same layout function as drawing
//! maps a position to a pane and a row.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::lists::move_selection;
use super::msg::Command;
use super::state::{Modal, Pane, State};
use crate::layout;

/// Click selects a row and focuses its pane; the wheel scrolls.
pub(super) fn on_mouse(state: &mut State, m: MouseEvent) -> Vec<Command> {
    if let Some(Modal::Pem(p)) = &mut state.modal {
        match m.kind {
            MouseEventKind::ScrollDown => p.scroll = p.scroll.saturating_add(3),
            MouseEventKind::ScrollUp => p.scroll = p.scroll.saturating_sub(3),
            _ => {}
        }
    }
    if let Some(view) = state.expiring.as_mut().filter(|v| v.shown) {
        // The view covers the panes: the wheel moves its selection.
        let last = view.rows.len().saturating_sub(1);
        match m.kind {
            MouseEventKind::ScrollDown if state.modal.is_none() => {
                view.selected = (view.selected + 3).min(last)
            }
            MouseEventKind::ScrollUp if state.modal.is_none() => {
                view.selected = view.selected.saturating_sub(3)
            }
            _ => {}
        }
        return vec![];
    }
    if state.modal.is_some() {
        return vec![];
    }
    let (w, h) = state.size;
    let Some(areas) = layout::areas(Rect::new(0, 0, w, h)) else {
        return vec![];
    };
    let at = Position {
        x: m.column,
        y: m.row,
    };
    let Some(i) = areas.panes.iter().position(|r| r.contains(at)) else {
        return vec![];
    };
    let pane = Pane::ALL[i];
    match m.kind {
        MouseEventKind::ScrollDown => {
            state.focus = pane;
            move_selection(state, pane, 3)
        }
        MouseEventKind::ScrollUp => {
            state.focus = pane;
            move_selection(state, pane, -3)
        }
        MouseEventKind::Down(MouseButton::Left) => {
            state.focus = pane;
            let (top, height) = layout::rows_area(areas.panes[i], true);
            if m.row < top || m.row >= top + height {
                return vec![];
            }
            let (selected, len) = (state.pane(pane).selected(), state.pane(pane).shown());
            let row = layout::first_visible(selected, height) + usize::from(m.row - top);
            if row >= len {
                return vec![];
            }
            move_selection(state, pane, row as i64 - selected as i64)
        }
        _ => vec![],
    }
}
