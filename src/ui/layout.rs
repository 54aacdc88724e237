//! Where things are on screen, as a pure function of the terminal size, so
//! the state machine can map a mouse click to a row without asking the UI.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

pub struct Areas {
    pub header: Rect,
    pub panes: [Rect; 3],
    pub status: Rect,
    pub footer: Rect,
}

/// `None` when the terminal is too small to draw the panes.
pub fn areas(area: Rect) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (dir, sizes) = if body.width >= 110 {
        (
            Direction::Horizontal,
            [
                Constraint::Percentage(26),
                Constraint::Percentage(30),
                Constraint::Percentage(44),
            ],
        )
    } else {
        (
            Direction::Vertical,
            [
                Constraint::Percentage(28),
                Constraint::Percentage(32),
                Constraint::Percentage(40),
            ],
        )
    };
    let panes = Layout::default()
        .direction(dir)
        .constraints(sizes)
        .split(body);
    Some(Areas {
        header,
        panes: [panes[0], panes[1], panes[2]],
        status,
        footer,
    })
}

/// The first row of a pane's table and how many rows fit.
pub fn rows_area(pane: Rect, has_header: bool) -> (u16, u16) {
    let top = pane.y + 1 + u16::from(has_header);
    let height = pane.height.saturating_sub(2 + u16::from(has_header));
    (top, height)
}

/// The first visible row when a table is drawn afresh with `selected`:
/// ratatui scrolls just enough to show it.
pub fn first_visible(selected: usize, height: u16) -> usize {
    selected.saturating_sub(usize::from(height.max(1)) - 1)
}
