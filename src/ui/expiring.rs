//! The expiring view: progress, then one row per MANAGED user, soonest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState,
    Table, TableState,
};

use super::theme::Theme;
use crate::app::State;
use crate::app::state::ExpiringView;
use crate::app::state::expiring::ExpRow;
use crate::format::{Urgency, date, fit, shown, spinner, thousands, time_left};

pub fn draw(f: &mut Frame, area: Rect, state: &State, view: &ExpiringView, theme: &Theme) {
    f.render_widget(Clear, area);
    let scope = if view.all_projects {
        "all projects".to_string()
    } else {
        view.here
            .as_ref()
            .map(|(_, name)| format!("project {}", fit(&shown(name), 40)))
            .unwrap_or_default()
    };
    // What matters first: a narrow terminal cuts the end, with `…`.
    let users = view.rows.len();
    let title = format!(
        "▶ Expiring · {scope} · {} {} · newest certificate of each MANAGED user · due when it {} ",
        thousands(users as u64),
        if users == 1 { "user" } else { "users" },
        state.env.renewal.describe()
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            fit(&title, usize::from(area.width.saturating_sub(2))),
            theme.title(),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 3 {
        return;
    }
    let lines = Rect { height: 2, ..inner };
    f.render_widget(
        Paragraph::new(vec![
            progress(state, view, theme, inner.width),
            notes(view, theme, usize::from(inner.width)),
        ]),
        lines,
    );
    let table_area = Rect {
        y: inner.y + 2,
        height: inner.height - 2,
        ..inner
    };
    rows(f, table_area, state, view, theme);
}

/// "scanning ▕████░░░░▏ projects 3/12 · users 40/95", or the totals when done.
fn progress(state: &State, view: &ExpiringView, theme: &Theme, width: u16) -> Line<'static> {
    let p = view.progress;
    let counts = format!(
        "projects {}/{} · users {}/{}",
        p.projects_done,
        p.projects_total
            .map(|t| t.to_string())
            .unwrap_or_else(|| "?".into()),
        p.users_done,
        p.users_total
    );
    if !view.scanning() {
        let stale = view.rows.iter().filter(|r| r.stale).count();
        let mut text = if view.errors.is_empty() {
            format!("scanned: {counts}")
        } else {
            format!("scanned, {} unread: {counts}", view.errors.len())
        };
        if stale > 0 {
            text.push_str(&format!(" · {stale} from an earlier scan"));
        }
        return Line::styled(text, theme.dim());
    }
    let bar_width = usize::from(width.saturating_sub(counts.len() as u16 + 14)).clamp(0, 30);
    // Projects first (a user count is unknown until its project answers).
    let done = match p.projects_total {
        Some(t) if t > 0 => {
            let projects = p.projects_done as f64 / t as f64;
            let users = if p.users_total > 0 {
                p.users_done as f64 / p.users_total as f64
            } else {
                0.0
            };
            (projects * 0.5 + users * 0.5).clamp(0.0, 1.0)
        }
        _ => 0.0,
    };
    let filled = (done * bar_width as f64).round() as usize;
    Line::from(vec![
        Span::styled(format!("{} scanning ", spinner(state.mono_ms)), theme.key()),
        Span::styled("█".repeat(filled), theme.ok()),
        Span::styled("░".repeat(bar_width - filled.min(bar_width)), theme.dim()),
        Span::styled(format!(" {counts}"), theme.dim()),
    ])
}

/// Skipped and unread projects on one row, each cut with `…` (whole in
/// the message list).
fn notes(view: &ExpiringView, theme: &Theme, width: usize) -> Line<'static> {
    let mut spans = vec![];
    let mut room = width;
    if !view.skipped.is_empty() {
        // The unread, when there are some, keep at least half the row.
        let share = if view.errors.is_empty() {
            room
        } else {
            room / 2
        };
        let text = fit(
            &format!("skipped: {}", shown(&view.skipped.join(", "))),
            share,
        );
        room = room.saturating_sub(text.chars().count() + 1);
        spans.push(Span::styled(format!("{text} "), theme.dim()));
    }
    if let Some(first) = view.errors.first() {
        let more = if view.errors.len() > 1 {
            format!(" (+{} more)", view.errors.len() - 1)
        } else {
            String::new()
        };
        let text = fit(
            &format!("unread: {}", shown(first)),
            room.saturating_sub(more.chars().count()),
        );
        spans.push(Span::styled(format!("{text}{more}"), theme.danger()));
    }
    Line::from(spans)
}

fn rows(f: &mut Frame, area: Rect, state: &State, view: &ExpiringView, theme: &Theme) {
    if view.rows.is_empty() {
        let text = if view.scanning() {
            "Looking for MANAGED users…"
        } else {
            "No MANAGED users with Atlas certificates here."
        };
        f.render_widget(Paragraph::new(Line::styled(text, theme.dim())), area);
        return;
    }
    let fits = usize::from(area.height.saturating_sub(1));
    let offset = view.selected.saturating_sub(fits.saturating_sub(1));
    let wide = area.width >= 100;
    let mut header = vec!["left", "expires", "user", "project"];
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Fill(2),
        Constraint::Fill(1),
    ];
    if wide {
        header.push("serial");
        widths.push(Constraint::Length(20));
    }
    header.push("");
    widths.push(Constraint::Length(7));
    // The columns as the table will lay them out (after the "> " marker,
    // one space between columns), so that a name too long for its column
    // is cut with `…`, never by the column's edge in silence.
    let cols = Layout::horizontal(widths.clone()).spacing(1).split(Rect {
        width: area.width.saturating_sub(2),
        ..area
    });
    let (user_w, project_w) = (usize::from(cols[2].width), usize::from(cols[3].width));
    let shown_rows = view
        .rows
        .iter()
        .skip(offset)
        .take(fits)
        .map(|r| row(r, state, theme, (user_w, project_w), wide));
    let table = Table::new(shown_rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .row_highlight_style(theme.selected(true))
        .highlight_symbol("> ");
    let mut ts = TableState::default().with_selected(Some(view.selected - offset));
    f.render_stateful_widget(table, area, &mut ts);
    if view.rows.len() > fits {
        let mut sb = ScrollbarState::new(view.rows.len()).position(view.selected);
        f.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            Rect {
                y: area.y + 1,
                height: area.height.saturating_sub(1),
                ..area
            },
            &mut sb,
        );
    }
}

/// One user's row: time left coloured by urgency, names cut with `…` to
/// their columns, the serial when there is room.
fn row<'a>(
    r: &ExpRow,
    state: &State,
    theme: &Theme,
    (user_w, project_w): (usize, usize),
    wide: bool,
) -> Row<'a> {
    let (left, style) = match &r.newest {
        None => ("none".to_string(), theme.danger()),
        Some(c) => {
            let (left, urgency) = time_left(state.now, c.not_after);
            let style = match urgency {
                Urgency::Fine => theme.ok(),
                Urgency::Soon => theme.warn(),
                Urgency::Imminent | Urgency::Expired => theme.danger(),
            };
            (left, style)
        }
    };
    let expires = r
        .newest
        .as_ref()
        .map(|c| date(c.not_after))
        .unwrap_or_else(|| "—".into());
    let due = r
        .newest
        .as_ref()
        .is_none_or(|c| state.env.renewal.due(c, state.now));
    let mark = if r.rotated {
        "rotated"
    } else if r.stale {
        "…"
    } else if due {
        "due"
    } else {
        ""
    };
    let mut cells = vec![
        Cell::from(Span::styled(left, style)),
        Cell::from(expires),
        Cell::from(fit(&shown(&r.username), user_w)),
        Cell::from(Span::styled(
            fit(&shown(&r.project), project_w),
            theme.dim(),
        )),
    ];
    if wide {
        cells.push(Cell::from(Span::styled(
            r.newest
                .as_ref()
                .map(|c| c.id.to_string())
                .unwrap_or_default(),
            theme.dim(),
        )));
    }
    cells.push(Cell::from(Span::styled(mark, theme.accent())));
    Row::new(cells)
}
