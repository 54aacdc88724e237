//! `draw(&State)`: reads state, never changes it.

mod format;
pub mod layout;
mod modals;
mod panes;
mod theme;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub use format::time_left;
pub use theme::Theme;

use crate::app::keymap::Scope;
use crate::app::{Level, Modal, Pane, State};

pub use layout::{MIN_HEIGHT, MIN_WIDTH};

pub fn draw(f: &mut Frame, state: &State, theme: &Theme) {
    let area = f.area();
    let Some(a) = layout::areas(area) else {
        let text = format!(
            "Terminal too small ({}x{}): need {MIN_WIDTH}x{MIN_HEIGHT}. q quits.",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    };
    draw_header(f, a.header, state, theme);
    panes::projects(f, a.panes[0], state, theme);
    panes::users(f, a.panes[1], state, theme);
    panes::certs(f, a.panes[2], state, theme);
    draw_status(f, a.status, state, theme);
    draw_footer(f, a.footer, state, theme);
    modals::draw(f, state, theme);
    scrub(f);
}

/// The last line of defence for server text: no cell leaves with a
/// character a terminal would obey (ratatui drops C0/C1, not bidi controls).
fn scrub(f: &mut Frame) {
    for cell in f.buffer_mut().content.iter_mut() {
        if cell.symbol().chars().any(crate::sanitize::is_unsafe) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

fn draw_header(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut spans = vec![
        Span::styled(" atlas-x509 ", theme.title()),
        Span::styled("│ ", theme.dim()),
        Span::styled(
            state.env.target.clone(),
            if state.env.target == "DEMO" {
                theme.warn()
            } else {
                theme.ok()
            },
        ),
        Span::styled(" │ ", theme.dim()),
        Span::raw(state.env.credentials.clone()),
        Span::styled(" │ ", theme.dim()),
    ];
    if let Some(p) = state.selected_project() {
        spans.push(Span::raw(format::shown(&p.name)));
        if let Some(u) = state.selected_user() {
            spans.push(Span::styled(" › ", theme.dim()));
            spans.push(Span::raw(format::shown(&u.username)));
        }
    }
    if state.busy() {
        spans.push(Span::styled(
            format!("  {}", format::spinner(state.mono_ms)),
            theme.key(),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(s) = &state.status {
        let style = match s.level {
            Level::Info => theme.ok(),
            Level::Warn => theme.warn(),
            Level::Error => theme.danger(),
        };
        let line = Line::from(vec![
            Span::styled(format!(" {}", s.text), style),
            Span::styled("  (Esc)", theme.dim()),
        ]);
        f.render_widget(Paragraph::new(line), area);
    }
}

fn draw_footer(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let scope = match &state.modal {
        Some(Modal::Issue(_)) => Scope::Issue,
        Some(Modal::Pem(_)) => Scope::Pem,
        Some(Modal::Disable(_)) => Scope::Disable,
        Some(Modal::Help) => Scope::Help,
        None => match state.focus {
            Pane::Projects => Scope::Projects,
            Pane::Users => Scope::Users,
            Pane::Certs => Scope::Certs,
        },
    };
    let all = state.env.keymap.hints(scope);
    // Help and quit always fit; the rest in keymap order while there is room.
    let pinned: Vec<_> = all
        .iter()
        .filter(|(k, _)| matches!(*k, "?" | "q"))
        .copied()
        .collect();
    let width = |(k, d): &(&str, &str)| k.chars().count() + d.chars().count() + 3;
    let mut room =
        (area.width as usize).saturating_sub(1 + pinned.iter().map(width).sum::<usize>());
    let mut shown = Vec::new();
    for h in all.iter().filter(|h| !pinned.contains(h)) {
        if width(h) > room {
            break;
        }
        room -= width(h);
        shown.push(*h);
    }
    shown.extend(pinned);
    let mut spans = vec![Span::raw(" ")];
    for (keys, desc) in shown {
        spans.push(Span::styled(keys, theme.key()));
        spans.push(Span::styled(format!(" {desc}  "), theme.dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A full-screen message: the no-credentials screen.
pub fn notice(f: &mut Frame, title: &str, lines: &[String], theme: &Theme) {
    use ratatui::widgets::{Block, Borders};
    let area = f.area();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()))
        .title_bottom(Span::styled(" any key quits ", theme.dim()));
    let text: Vec<Line> = lines
        .iter()
        .map(|l| {
            if l.contains("--demo") {
                Line::styled(l.clone(), theme.ok())
            } else if l.starts_with("Set ") || l.starts_with("or ") {
                Line::styled(l.clone(), theme.key())
            } else {
                Line::raw(l.clone())
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
        area,
    );
}
