//! `draw(&State)`: reads state, never changes it.

mod certs_pane;
mod command_line;
mod create_user;
mod dialog;
mod disable;
mod expiring;
mod help;
mod issue;
mod messages;
mod modals;
mod panes;
mod pem;
mod settings;
mod theme;
mod upload_ca;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub use crate::format::time_left;
use crate::{format, layout};
pub use settings::check_settings;
pub use theme::Theme;

use crate::app::State;

pub use crate::layout::{MIN_HEIGHT, MIN_WIDTH};

pub fn draw(f: &mut Frame, state: &State, theme: &Theme) {
    let area = f.area();
    let Some(a) = layout::areas(area) else {
        too_small(f, area);
        scrub(f);
        return;
    };
    draw_header(f, a.header, state, theme);
    panes::projects(f, a.panes[0], state, theme);
    panes::users(f, a.panes[1], state, theme);
    certs_pane::certs(f, a.panes[2], state, theme);
    if let (Some(view), Some(body)) = (
        state.expiring.as_ref().filter(|v| v.shown),
        layout::expiring_area(area),
    ) {
        expiring::draw(f, body, state, view, theme);
    }
    draw_status(f, a.status, state, theme);
    draw_footer(f, a.footer, state, theme);
    modals::draw(f, state, theme);
    scrub(f);
}

/// The last line of defence for server text: no cell leaves with a
/// character a terminal would obey (ratatui drops C0/C1, not bidi controls).
fn scrub(f: &mut Frame) {
    for cell in f.buffer_mut().content.iter_mut() {
        if cell.symbol().chars().any(atlas_client::sanitize::is_unsafe) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

/// The longest message that fits whole, down to a bare "small".
fn too_small(f: &mut Frame, area: Rect) {
    let (w, h) = (area.width, area.height);
    let candidates = [
        format!(
            "Terminal too small ({w}x{h}): atlas-x509 needs at least {MIN_WIDTH}x{MIN_HEIGHT}. Enlarge it, or press q to quit."
        ),
        format!("Too small: {w}x{h}, needs {MIN_WIDTH}x{MIN_HEIGHT}. q quits"),
        format!("Too small {w}x{h} need {MIN_WIDTH}x{MIN_HEIGHT}"),
        format!("need {MIN_WIDTH}x{MIN_HEIGHT}"),
        "too small".to_string(),
        "small".to_string(),
        "!".to_string(),
    ];
    let fits = |text: &str| wrapped_lines(text, usize::from(w)) <= usize::from(h);
    if let Some(text) = candidates.iter().find(|t| fits(t)) {
        f.render_widget(
            Paragraph::new(text.as_str()).wrap(Wrap { trim: true }),
            area,
        );
    }
}

/// Lines a greedy word wrap takes at `width` (long words are broken).
fn wrapped_lines(text: &str, width: usize) -> usize {
    if width == 0 {
        return usize::MAX;
    }
    format::wrap(text, width).len()
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
    let spinner = state
        .busy()
        .then(|| format!("  {}", format::spinner(state.mono_ms)));
    // Project and user share what is left; each cut with `…` (both whole
    // in their panes and the details).
    let used: usize = spans
        .iter()
        .map(|s| s.content.chars().count())
        .sum::<usize>()
        + spinner.as_ref().map_or(0, |s| s.chars().count());
    let room = usize::from(area.width).saturating_sub(used);
    if let Some(p) = state.selected_project() {
        let project = format::shown(&p.name);
        match state.selected_user() {
            Some(u) => {
                let user = format::shown(u.username());
                let room = room.saturating_sub(3);
                let (pl, ul) = (project.chars().count(), user.chars().count());
                let (pw, uw) = if pl + ul <= room {
                    (pl, ul)
                } else {
                    let half = room / 2;
                    let uw = ul.min(room.saturating_sub(pl.min(half)));
                    (room.saturating_sub(uw), uw)
                };
                spans.push(Span::raw(format::fit(&project, pw)));
                spans.push(Span::styled(" › ", theme.dim()));
                spans.push(Span::raw(format::fit(&user, uw)));
            }
            None => spans.push(Span::raw(format::fit(&project, room))),
        }
    }
    if let Some(s) = spinner {
        spans.push(Span::styled(s, theme.key()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(crate::app::Modal::Command(line)) = &state.modal {
        command_line::draw(f, area, line, theme);
        return;
    }
    if let Some(s) = &state.status {
        let style = theme.level(s.level);
        // One row: a message that does not fit is cut visibly, and the
        // key to read it whole is named.
        let text = format::shown(&s.text).replace('\n', " ");
        let room = usize::from(area.width).saturating_sub(1);
        let whole = text.chars().count() <= room;
        let suffix = if whole {
            String::new()
        } else {
            let key = state.env.keymap.label_for(
                crate::app::keymap::Scope::Panes,
                crate::app::keymap::Action::Messages,
            );
            format!("  {key}: whole message")
        };
        let text = format::fit(&text, room.saturating_sub(suffix.chars().count()));
        let line = Line::from(vec![
            Span::styled(format!(" {text}"), style),
            Span::styled(suffix, theme.dim()),
        ]);
        f.render_widget(Paragraph::new(line), area);
    }
}

fn draw_footer(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let all = crate::app::hints::footer(state);
    let width = |h: &crate::app::hints::Hint| h.keys.chars().count() + h.desc.chars().count() + 3;
    // Help and quit always fit; the rest in keymap order while there is room.
    let pinned: usize = all.iter().filter(|h| h.pinned).map(width).sum();
    let mut room = (area.width as usize).saturating_sub(1 + pinned);
    let mut spans = vec![Span::raw(" ")];
    let mut push = |h: &crate::app::hints::Hint| {
        spans.push(Span::styled(h.keys.clone(), theme.key()));
        spans.push(Span::styled(format!(" {}  ", h.desc), theme.dim()));
    };
    for h in all.iter().filter(|h| !h.pinned) {
        if width(h) > room {
            break;
        }
        room -= width(h);
        push(h);
    }
    all.iter().filter(|h| h.pinned).for_each(&mut push);
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
