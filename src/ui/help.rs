//! The help screen (generated from the keymap) and a certificate's details.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::dialog::{bound_keys, frame, kv};
use super::theme::Theme;
use crate::app::State;
use crate::app::hints::{HelpLine, help_lines};
use crate::app::keymap::{Action, Scope};
use crate::app::state::{CertDetail, HelpView};
use crate::format::{shown, time_left};

pub(super) fn help(f: &mut Frame, area: Rect, state: &State, view: &HelpView, theme: &Theme) {
    let r = crate::layout::help_box(area);
    f.render_widget(Clear, r);
    let room = usize::from(r.width.saturating_sub(2));
    let lines: Vec<Line> = help_lines(&state.env.keymap)
        .into_iter()
        .map(|l| match l {
            HelpLine::Title(t) => Line::styled(crate::format::fit(t, room), theme.title()),
            HelpLine::Key { keys, desc } => {
                let keys = format!("  {keys:<12}");
                let desc = crate::format::fit(&desc, room.saturating_sub(keys.chars().count()));
                Line::from(vec![Span::styled(keys, theme.key()), Span::raw(desc)])
            }
        })
        .collect();
    let rows = r.height.saturating_sub(2);
    let total = lines.len();
    // Never past the end, whatever size the state last scrolled at.
    let scroll = view.scroll.min(crate::layout::max_scroll(total, rows));
    let first = usize::from(scroll) + 1;
    let last = (usize::from(scroll) + usize::from(rows)).min(total);
    let title = format!("Keys · {first}-{last} of {total} · j/k scroll · Esc close");
    f.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(frame(&title, r.width, theme)),
        r,
    );
}

pub(super) fn cert_detail(f: &mut Frame, area: Rect, state: &State, d: &CertDetail, theme: &Theme) {
    let r = crate::layout::centered(area, 70, 11);
    f.render_widget(Clear, r);
    let c = &d.cert;
    let (left, _) = time_left(state.now, c.not_after);
    // A long subject or name is cut with `…`; the message list and the
    // copy keys have it whole.
    let room = usize::from(r.width.saturating_sub(2 + 11));
    let kv = |k, v: String, theme| kv(k, crate::format::fit(&v, room), theme);
    let lines = vec![
        kv("Serial", c.id.to_string(), theme),
        kv("Serial hex", format!("0x{:X}", c.id), theme),
        kv("Subject", shown(&c.subject), theme),
        kv("User", shown(&d.username), theme),
        kv("Project", shown(&d.project), theme),
        kv(
            "Created",
            c.created_at.strftime(crate::format::HUMAN_UTC).to_string(),
            theme,
        ),
        kv(
            "Expires",
            c.not_after.strftime(crate::format::HUMAN_UTC).to_string(),
            theme,
        ),
        kv("Left", left, theme),
    ];
    f.render_widget(
        Paragraph::new(lines).block(frame(
            &format!(
                "Certificate · {}",
                bound_keys(
                    state,
                    Scope::Details,
                    &[
                        (Action::CopySerial, "copy serial"),
                        (Action::CopyMongosh, "copy mongosh"),
                        (Action::Back, "close")
                    ]
                )
            ),
            r.width,
            theme,
        )),
        r,
    );
}
