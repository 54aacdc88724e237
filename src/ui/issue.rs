//! The issue dialog: months, by keyboard, and what came of the request.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, LineGauge, Paragraph, Wrap};

use super::dialog::{bound_keys, frame, kv, text_then};
use super::theme::Theme;
use crate::app::State;
use crate::app::keymap::{Action, Scope};
use crate::app::state::IssueModal;
use crate::format::{date, expiry_after, plural, shown, spinner};

/// The slider's keys, as bound.
fn issue_keys(state: &State) -> String {
    let l = |a| state.env.keymap.label_for(Scope::Issue, a);
    let rest = bound_keys(
        state,
        Scope::Issue,
        &[(Action::Confirm, "issue"), (Action::Back, "cancel")],
    );
    format!(
        "{}/{} or type 1-24 · {}/{} · {rest}",
        l(Action::Less),
        l(Action::More),
        l(Action::Min),
        l(Action::Max)
    )
}

pub(super) fn issue(f: &mut Frame, area: Rect, state: &State, m: &IssueModal, theme: &Theme) {
    // Three more rows for an error and what to do about it.
    let r = crate::layout::centered(
        area,
        64,
        if m.error.is_some() || m.note.is_some() {
            15
        } else {
            12
        },
    );
    f.render_widget(Clear, r);
    let block = frame("Issue a certificate", r.width, theme);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [info, gauge, expiry, msg] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(2),
        Constraint::Length(2),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let lines = vec![
        kv("Project", shown(&m.project), theme),
        kv("User", shown(&m.username), theme),
        kv(
            "Valid for",
            plural(usize::from(m.months), "month", "months"),
            theme,
        ),
    ];
    f.render_widget(Paragraph::new(lines), info);
    // Never empty: one month is a twenty-fourth of the bar.
    let ratio = f64::from(m.months) / 24.0;
    f.render_widget(
        LineGauge::default()
            .ratio(ratio)
            .label(format!(
                "{:>2} {} ",
                m.months,
                if m.months == 1 { "month " } else { "months" }
            ))
            // Heavy vs light line: the fill shows without colour too.
            .filled_symbol("━")
            .unfilled_symbol("─")
            .filled_style(theme.key())
            .unfilled_style(theme.dim()),
        gauge,
    );
    let exp = expiry_after(state.now, m.months)
        .map(date)
        .unwrap_or_default();
    f.render_widget(Paragraph::new(kv("Expires", exp, theme)), expiry);
    let line = if m.in_flight.is_some() {
        Line::styled(
            format!(
                "{} Issuing… the key appears here once Atlas answers",
                spinner(state.mono_ms)
            ),
            theme.warn(),
        )
    } else if let Some(e) = &m.error {
        let back = state.env.keymap.label_for(Scope::Issue, Action::Back);
        let tail = if m.maybe_issued {
            let again = state.env.keymap.label_for(Scope::Issue, Action::IssueAgain);
            format!(
                "A certificate may have been issued: the list was refreshed, look there first. {again} issue another anyway · {back} close"
            )
        } else {
            issue_keys(state)
        };
        let rows = usize::from(msg.height.saturating_sub(1)).max(1);
        let tail: Vec<Line> = crate::format::wrap_fit(&tail, usize::from(msg.width), rows)
            .into_iter()
            .map(|l| Line::styled(l, theme.warn()))
            .collect();
        let lines = text_then(e, theme.danger(), tail, msg);
        return f.render_widget(Paragraph::new(lines), msg);
    } else if let Some(note) = &m.note {
        let lines = vec![
            Line::styled(note.clone(), theme.warn()),
            Line::styled(issue_keys(state), theme.dim()),
        ];
        return f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), msg);
    } else {
        Line::styled(issue_keys(state), theme.dim())
    };
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), msg);
}
