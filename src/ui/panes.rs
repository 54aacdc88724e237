//! The three panes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table,
    TableState,
};

use super::theme::Theme;
use crate::app::keymap::{Action, Scope};
use crate::app::state::list::{Filterable, ListPane, Rows};
use crate::app::{Pane, State};
use crate::format::{fit, shown, spinner, thousands};
use atlas_client::X509Type;

/// A pane's frame; a title longer than the frame is cut with `…`, never
/// by the border in silence (the whole of it is in the details and help).
pub(super) fn block<'a>(
    state: &State,
    pane: Pane,
    title: String,
    width: u16,
    theme: &Theme,
) -> Block<'a> {
    let focused = state.focus == pane;
    let marker = if focused { "▶ " } else { "  " };
    let room = usize::from(width.saturating_sub(2));
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(
            fit(&format!("{marker}{title} "), room),
            if focused { theme.title() } else { theme.dim() },
        ))
}

/// A message in place of rows: loading, error, empty. Its text is wrapped
/// into the pane and cut with `…` when it does not fit; a second span (an
/// error's "r: retry") keeps a row of its own.
pub(super) fn placeholder(f: &mut Frame, area: Rect, block: Block, text: Line) {
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut spans = text.spans;
    let tail = (spans.len() > 1).then(|| spans.remove(spans.len() - 1));
    let style = spans.first().map(|s| s.style).unwrap_or_default();
    let head: String = spans.iter().map(|s| s.content.as_ref()).collect();
    let rows = usize::from(inner.height).saturating_sub(usize::from(tail.is_some()));
    let mut lines: Vec<Line> =
        crate::format::wrap_fit(&head, usize::from(inner.width), rows.max(1))
            .into_iter()
            .map(|l| Line::styled(l, style))
            .collect();
    if let Some(t) = tail {
        lines.push(Line::from(Span::styled(
            t.content.trim().to_string(),
            t.style,
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn list_title<T: Filterable>(name: &str, list: &ListPane<T>) -> String {
    let mut t = name.to_string();
    let shown = list.visible().len();
    match list.total {
        Some(total) if shown as u64 != total => {
            t.push_str(&format!(" {shown}/{}", thousands(total)))
        }
        _ if !list.items.is_empty() => t.push_str(&format!(" {shown}")),
        _ => {}
    }
    if list.filter_editing || !list.filter.value().is_empty() {
        let cursor = if list.filter_editing { "▏" } else { "" };
        t.push_str(&format!(" [/{}{cursor}]", list.filter.value()));
    }
    t
}

fn status_line<T>(
    list: &ListPane<T>,
    state: &State,
    theme: &Theme,
    empty: &str,
) -> Option<Line<'static>> {
    if let Some(e) = &list.error {
        return Some(Line::from(vec![
            Span::styled(crate::format::shown_whole(e), theme.danger()),
            Span::raw(format!(
                "  ({}: retry)",
                state.env.keymap.label_for(Scope::Panes, Action::Refresh)
            )),
        ]));
    }
    if list.items.is_empty() {
        return Some(if list.loading.is_some() {
            Line::styled(format!("{} loading…", spinner(state.mono_ms)), theme.dim())
        } else {
            Line::styled(empty.to_string(), theme.dim())
        });
    }
    None
}

/// A pane's rows, ready to draw.
pub(super) struct Listing<'a> {
    pub(super) block: Block<'a>,
    pub(super) table: Table<'a>,
    pub(super) selected: Option<usize>,
    pub(super) len: usize,
}

/// The rows that fit in `area` with `selected` among them, as ratatui
/// would scroll a fresh table to it: only these are built, so a frame costs
/// the same with 100 rows as with 100,000.
pub(super) fn window(area: Rect, selected: Option<usize>, len: usize) -> std::ops::Range<usize> {
    // Borders and the header row.
    let fits = usize::from(area.height.saturating_sub(3));
    let offset = selected
        .unwrap_or(0)
        .min(len.saturating_sub(1))
        .saturating_sub(fits.saturating_sub(1));
    offset..len.min(offset + fits)
}

/// The selection and the item indices of the rows that fit in `area`.
fn on_screen<T: Filterable>(
    area: Rect,
    list: &ListPane<T>,
    visible: &Rows,
) -> (Option<usize>, Vec<usize>) {
    let selected = (!visible.is_empty()).then_some(list.selected);
    let range = window(area, selected, visible.len());
    (
        selected,
        visible.iter().skip(range.start).take(range.len()).collect(),
    )
}

/// Draws a listing (whose table holds the rows of `window`) with the
/// selection marked and, when the rows overflow, a scrollbar.
pub(super) fn render_listing(
    f: &mut Frame,
    area: Rect,
    pane: Pane,
    state: &State,
    theme: &Theme,
    l: Listing,
) {
    let table = l
        .table
        .block(l.block)
        .row_highlight_style(theme.selected(state.focus == pane))
        .highlight_symbol("> ");
    let offset = window(area, l.selected, l.len).start;
    let mut ts = TableState::default().with_selected(l.selected.map(|s| s - offset.min(s)));
    f.render_stateful_widget(table, area, &mut ts);
    if l.len > area.height.saturating_sub(3) as usize {
        let mut sb = ScrollbarState::new(l.len).position(l.selected.unwrap_or(0));
        let inner = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(2),
            ..area
        };
        f.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            inner,
            &mut sb,
        );
    }
}

pub fn projects(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let list = &state.projects;
    let b = block(
        state,
        Pane::Projects,
        list_title("Projects", list),
        area.width,
        theme,
    );
    if let Some(line) = status_line(
        list,
        state,
        theme,
        "No projects are visible to these credentials.",
    ) {
        return placeholder(f, area, b, line);
    }
    let visible = list.visible();
    let wide = area.width > 60;
    // Borders, the "> " marker, the scrollbar, then the fixed columns.
    let fixed = if wide { 25 + 9 } else { 9 };
    let name_width = usize::from(area.width).saturating_sub(5 + fixed);
    let (selected, on_screen) = on_screen(area, list, &visible);
    let rows = on_screen.into_iter().map(|i| {
        let p = &list.items[i];
        let mut cells = vec![Cell::from(fit(&shown(&p.name), name_width))];
        if wide {
            cells.push(Cell::from(Span::styled(shown(&p.id), theme.dim())));
        }
        cells.push(Cell::from(
            p.cluster_count
                .map(|c| format!("{c:>8}"))
                .unwrap_or_default(),
        ));
        Row::new(cells)
    });
    let mut header = vec!["name"];
    let widths: Vec<Constraint> = if wide {
        header.push("id");
        vec![
            Constraint::Fill(1),
            Constraint::Length(24),
            Constraint::Length(8),
        ]
    } else {
        vec![Constraint::Fill(1), Constraint::Length(8)]
    };
    header.push("clusters");
    render_listing(
        f,
        area,
        Pane::Projects,
        state,
        theme,
        Listing {
            block: b,
            table: Table::new(rows, widths).header(Row::new(header).style(theme.dim())),
            selected,
            len: visible.len(),
        },
    );
}

pub fn x509_style(t: X509Type, theme: &Theme) -> Style {
    match t {
        X509Type::Managed => theme.ok(),
        X509Type::Customer => theme.accent(),
        X509Type::None | X509Type::Unknown => theme.dim(),
    }
}

pub fn users(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let list = &state.users;
    let b = block(
        state,
        Pane::Users,
        list_title("Database users", list),
        area.width,
        theme,
    );
    if state.users_owner.is_none() {
        return placeholder(f, area, b, Line::styled("Select a project.", theme.dim()));
    }
    let waiting = state.users_due.is_some();
    if list.items.is_empty() && waiting {
        return placeholder(
            f,
            area,
            b,
            Line::styled(format!("{} loading…", spinner(state.mono_ms)), theme.dim()),
        );
    }
    if let Some(line) = status_line(list, state, theme, "No database users in this project.") {
        return placeholder(f, area, b, line);
    }
    let visible = list.visible();
    let wide = area.width > 60;
    // Borders, the "> " marker, the scrollbar; then x509 (8) and a gap.
    let rest = usize::from(area.width).saturating_sub(5 + 9);
    // database (9) and roles share what the name leaves, each cut with `…`.
    let (name_width, roles_width) = if wide {
        let avail = rest.saturating_sub(10 + 1);
        let name = avail * 2 / 3;
        (name, avail - name)
    } else {
        (rest, 0)
    };
    let (selected, on_screen) = on_screen(area, list, &visible);
    let rows = on_screen.into_iter().map(|i| {
        let u = &list.items[i];
        let mut cells = vec![
            Cell::from(fit(&shown(u.username()), name_width)),
            Cell::from(Span::styled(
                u.x509_type.as_str(),
                x509_style(u.x509_type, theme),
            )),
        ];
        if wide {
            cells.push(Cell::from(Span::styled(
                fit(&shown(u.database_name()), 9),
                theme.dim(),
            )));
            cells.push(Cell::from(Span::styled(
                fit(&shown(u.roles()), roles_width),
                theme.dim(),
            )));
        }
        Row::new(cells)
    });
    let (widths, header): (Vec<Constraint>, Vec<&str>) = if wide {
        (
            vec![
                Constraint::Length(name_width as u16),
                Constraint::Length(8),
                Constraint::Length(9),
                Constraint::Length(roles_width as u16),
            ],
            vec!["username", "x509", "database", "roles"],
        )
    } else {
        (
            vec![Constraint::Fill(1), Constraint::Length(8)],
            vec!["username", "x509"],
        )
    };
    render_listing(
        f,
        area,
        Pane::Users,
        state,
        theme,
        Listing {
            block: b,
            table: Table::new(rows, widths).header(Row::new(header).style(theme.dim())),
            selected,
            len: visible.len(),
        },
    );
}
