//! Where things are on screen, as a pure function of the terminal size, so
//! the state machine can map a mouse click to a row without asking the UI.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// The smallest terminal where every pane shows a header and two rows, and
/// a 20-digit serial fits whole.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

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
                // The certificates pane gets the most: its columns
                // (serial, subject, dates, time left) are the widest.
                Constraint::Percentage(24),
                Constraint::Percentage(28),
                Constraint::Percentage(48),
            ],
        )
    } else if body.height < 24 {
        // Short: equal thirds, so the first pane is not squeezed to nothing.
        (Direction::Vertical, [Constraint::Ratio(1, 3); 3])
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
/// Rows of items pane `index` (0 projects, 1 users, 2 certificates) shows
/// at once: what PgDn and PgUp move by. `None` before the size is known.
pub fn pane_rows(size: (u16, u16), index: usize) -> Option<u16> {
    let a = areas(Rect::new(0, 0, size.0, size.1))?;
    Some(rows_area(*a.panes.get(index)?, true).1.max(1))
}

pub fn first_visible(selected: usize, height: u16) -> usize {
    selected.saturating_sub(usize::from(height.max(1)) - 1)
}

/// The expiring view: the whole body between the header and the status line.
pub fn expiring_area(area: Rect) -> Option<Rect> {
    let a = areas(area)?;
    Some(Rect {
        x: area.x,
        y: a.header.y + 1,
        width: area.width,
        height: a.status.y.saturating_sub(a.header.y + 1),
    })
}

/// Lines of the expiring view that are not rows: two borders, the progress
/// line, the notes line and the column header.
pub const EXPIRING_CHROME: u16 = 5;

/// Rows of the expiring view that fit at once.
pub fn expiring_rows(size: (u16, u16)) -> u16 {
    expiring_area(screen(size))
        .map(|r| r.height.saturating_sub(EXPIRING_CHROME))
        .unwrap_or(0)
}

/// Where dialogs are drawn: between the header and the status line, which
/// stay readable under any dialog (the whole area when there is no room).
pub fn dialog_area(area: Rect) -> Rect {
    expiring_area(area).unwrap_or(area)
}

/// A box of at most `width` x `height`, centred.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn screen(size: (u16, u16)) -> Rect {
    Rect::new(0, 0, size.0, size.1)
}

/// The help box.
pub fn help_box(area: Rect) -> Rect {
    let body = dialog_area(area);
    centered(body, 76, body.height)
}

/// Help lines that fit at once.
pub fn help_rows(size: (u16, u16)) -> u16 {
    help_box(screen(size)).height.saturating_sub(2)
}

/// The message list's box.
pub fn messages_box(area: Rect) -> Rect {
    let body = dialog_area(area);
    centered(body, body.width.saturating_sub(4).min(110), body.height)
}

/// The message list's text width and the rows it shows at once.
pub fn messages_inner(size: (u16, u16)) -> (u16, u16) {
    let r = messages_box(screen(size));
    (r.width.saturating_sub(2), r.height.saturating_sub(2))
}

/// The PEM dialog's box.
pub fn pem_box(area: Rect) -> Rect {
    let body = dialog_area(area);
    centered(body, body.width.saturating_sub(4).min(110), body.height)
}

/// Rows of the PEM dialog: certificate facts, the PEM text, the prompt.
pub const PEM_INFO_ROWS: u16 = 7;
pub const PEM_PROMPT_ROWS: u16 = 4;

/// PEM text lines that fit at once (below its one-line top border).
pub fn pem_text_rows(size: (u16, u16)) -> u16 {
    pem_box(screen(size))
        .height
        .saturating_sub(2 + PEM_INFO_ROWS + PEM_PROMPT_ROWS + 1)
}

/// The furthest a list of `lines` can scroll in `rows`: the last line stays
/// on screen, never a blank page.
pub fn max_scroll(lines: usize, rows: u16) -> u16 {
    u16::try_from(lines.saturating_sub(usize::from(rows.max(1)))).unwrap_or(u16::MAX)
}
