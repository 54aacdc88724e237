//! The certificates pane: a page of Atlas's, or the whole list sorted and
//! filtered, with time left coloured by urgency.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::panes::{Listing, block, placeholder, render_listing, window};
use super::theme::Theme;
use crate::app::keymap::{Action, Scope};
use crate::app::state::Whole;
use crate::app::{CertSort, Pane, State};
use crate::format::{Urgency, date, fit, shown, spinner, thousands, time_left};

/// "Certificates · user · page 3/13 · 1,201 certs", the order if not
/// Atlas's own, and the filter.
/// The pane's title, most telling first (a narrow pane cuts the end): the
/// user, then the sort and filter and whether they cover every certificate
/// or this page, then the page.
fn title(c: &crate::app::state::CertsPane, mono_ms: u64) -> String {
    let mut title = "Certificates".to_string();
    if let Some((_, user)) = &c.owner {
        title.push_str(&format!(" · {}", fit(&shown(user), 40)));
    }
    let custom = c.view_is_custom() || c.filter_editing;
    if c.sort != CertSort::Created || c.descending {
        let by = match c.sort {
            CertSort::Created => "created",
            CertSort::Expires => "expires",
        };
        let arrow = if c.descending { "↓" } else { "↑" };
        title.push_str(&format!(" · by {by} {arrow}"));
    }
    if c.filter_editing || !c.filter.value().is_empty() {
        let cursor = if c.filter_editing { "▏" } else { "" };
        title.push_str(&format!(" [/{}{cursor}]", shown(c.filter.value())));
        if let Some(n) = c.view_len() {
            title.push_str(&format!(" {} match", thousands(n as u64)));
        }
    }
    // Whether the sort and filter cover every certificate or this page.
    if custom {
        title.push_str(&match &c.whole {
            Whole::Loaded(all, None) => format!(" · all {}", thousands(all.len() as u64)),
            Whole::Loaded(all, Some(d)) => match d.counted {
                Some(c) if c != all.len() as u64 => format!(
                    " · all {} read (Atlas counted {})",
                    thousands(all.len() as u64),
                    thousands(c)
                ),
                _ => format!(
                    " · all {} read (repeats dropped)",
                    thousands(all.len() as u64)
                ),
            },
            Whole::Loading(_) => format!(" · {} reading all…", spinner(mono_ms)),
            Whole::TooMany(_) | Whole::Failed => " · this page only".into(),
            Whole::NotNeeded => " · this page".into(),
        });
    }
    if let Some(total) = c.total {
        let pages = c.page_count().unwrap_or(1);
        title.push_str(&format!(
            " · page {}/{}",
            thousands(u64::from(c.page)),
            thousands(u64::from(pages)),
        ));
        // "all N" said it already.
        if !(custom && c.whole_list().is_some()) {
            let what = if total == 1 { "cert" } else { "certs" };
            title.push_str(&format!(" · {} {what}", thousands(total)));
        }
    }
    title
}

pub fn certs(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let c = &state.certs;
    let title = title(c, state.mono_ms);
    let b = block(state, Pane::Certs, title, area.width, theme);
    let rows_now = c.rows();
    let line = if c.owner.is_none() {
        Some(Line::styled("Select a database user.", theme.dim()))
    } else if let Some(note) = &c.note {
        Some(Line::styled(note.clone(), theme.dim()))
    } else if let Some(e) = &c.error {
        Some(Line::from(vec![
            Span::styled(crate::format::shown_whole(e), theme.danger()),
            Span::raw(format!(
                "  ({}: retry)",
                state.env.keymap.label_for(Scope::Panes, Action::Refresh)
            )),
        ]))
    } else if rows_now.is_empty() && (c.loading.is_some() || state.certs_due.is_some()) {
        Some(Line::styled(
            format!("{} loading page {}…", spinner(state.mono_ms), c.page),
            theme.dim(),
        ))
    } else if rows_now.is_empty() && !c.filter.value().is_empty() {
        Some(Line::styled(
            if c.whole_list().is_some() {
                "No certificate matches the filter (Esc clears it)."
            } else {
                "No certificate on this page matches the filter (Esc clears it)."
            },
            theme.dim(),
        ))
    } else if rows_now.is_empty() {
        Some(Line::styled(
            format!(
                "No unexpired certificates. Press {} to issue one.",
                state.env.keymap.label_for(Scope::Certs, Action::Issue)
            ),
            theme.dim(),
        ))
    } else {
        None
    };
    if let Some(line) = line {
        return placeholder(f, area, b, line);
    }
    // Inside the borders and the "> " marker, a column for the scrollbar.
    let inner = usize::from(area.width).saturating_sub(5);
    // Serial (20 digits, never cut), expires, time left; then created;
    // then the subject takes whatever is left — more room, more columns.
    const FIXED: usize = 20 + 1 + 10 + 1 + 7;
    let with_created = inner > FIXED + 11;
    let subject_width = inner.saturating_sub(FIXED + 11 + 1);
    let with_subject = with_created && subject_width >= 12;
    let shown_rows = window(area, Some(c.selected), rows_now.len());
    let rows = rows_now[shown_rows].iter().map(|cert| {
        let (left, urgency) = time_left(state.now, cert.not_after);
        let style = match urgency {
            Urgency::Fine => theme.ok(),
            Urgency::Soon => theme.warn(),
            Urgency::Imminent | Urgency::Expired => theme.danger(),
        };
        let mut cells = vec![Cell::from(cert.id.to_string())];
        if with_subject {
            cells.push(Cell::from(fit(&shown(&cert.subject), subject_width)));
        }
        if with_created {
            cells.push(Cell::from(Span::styled(date(cert.created_at), theme.dim())));
        }
        cells.push(Cell::from(date(cert.not_after)));
        cells.push(Cell::from(Span::styled(left, style)));
        Row::new(cells)
    });
    // The column the rows are ordered by carries the arrow.
    let arrow = if c.descending { " ↓" } else { " ↑" };
    let (created, expires) = match c.sort {
        CertSort::Created => (format!("created{arrow}"), "expires".to_string()),
        CertSort::Expires => ("created".to_string(), format!("expires{arrow}")),
    };
    let mut header = vec!["serial".to_string()];
    // u64 serials have up to 20 digits: the column never cuts one.
    let mut widths = vec![Constraint::Length(20)];
    if with_subject {
        header.push("subject".into());
        widths.push(Constraint::Length(subject_width as u16));
    }
    if with_created {
        header.push(created);
        widths.push(Constraint::Length(10));
    }
    header.extend([expires, "left".to_string()]);
    widths.extend([Constraint::Length(10), Constraint::Length(7)]);
    let table = Table::new(rows, widths).header(Row::new(header).style(theme.dim()));
    render_listing(
        f,
        area,
        Pane::Certs,
        state,
        theme,
        Listing {
            block: b,
            table,
            selected: Some(c.selected),
            len: rows_now.len(),
        },
    );
}
