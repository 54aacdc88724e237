//! The disable dialog: what clearing the customer CA does, confirmed by
//! the project's name.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::dialog::{frame, text_then};
use super::theme::Theme;
use crate::app::keymap::{Action, Scope};
use crate::app::state::DisableModal;
use crate::app::{DisableStage, State};
use crate::format::{shown, spinner};

pub(super) fn disable(f: &mut Frame, area: Rect, state: &State, m: &DisableModal, theme: &Theme) {
    let r = crate::layout::centered(area, 72, 14);
    f.render_widget(Clear, r);
    let block = frame(
        &format!("Disable customer-managed X.509 · {}", shown(&m.project)),
        r.width,
        theme,
    );
    let inner = block.inner(r);
    f.render_widget(block, r);
    let confirm = state.env.keymap.label_for(Scope::Disable, Action::Confirm);
    let back = state.env.keymap.label_for(Scope::Disable, Action::Back);
    let lines: Vec<Line> = match &m.stage {
        DisableStage::Loading(_) => vec![Line::styled(
            format!(
                "{} reading the project's user security…",
                spinner(state.mono_ms)
            ),
            theme.dim(),
        )],
        DisableStage::NothingToDisable => vec![
            Line::raw(format!(
                "No customer CA is configured on {}.",
                shown(&m.project)
            )),
            Line::raw("Nothing to disable."),
            Line::raw(""),
            Line::styled(format!("{back} close"), theme.dim()),
        ],
        DisableStage::Confirm { ca_count, typed } => vec![
            Line::raw(format!(
                "{} has {ca_count} customer CA certificate{} configured.",
                shown(&m.project),
                if *ca_count == 1 { "" } else { "s" }
            )),
            Line::raw(""),
            Line::styled(
                "Disabling clears the uploaded CA: users authenticating with certificates from it stop working, and Atlas performs a rolling restart of every cluster in the project.",
                theme.warn(),
            ),
            Line::raw(""),
            Line::raw(format!(
                "Type the project name ({}) to confirm:",
                shown(&m.project)
            )),
            Line::from(vec![
                Span::styled("> ", theme.key()),
                Span::raw(typed.value().to_string()),
                Span::styled("▏", theme.key()),
            ]),
            match &m.note {
                Some(note) => Line::styled(note.clone(), theme.warn()),
                None => Line::raw(""),
            },
            Line::styled(
                if typed.value() == m.project {
                    format!("{confirm} disable · {back} cancel")
                } else {
                    format!("{back} cancel")
                },
                theme.dim(),
            ),
        ],
        DisableStage::Running(_) => vec![Line::styled(
            format!("{} disabling…", spinner(state.mono_ms)),
            theme.warn(),
        )],
        DisableStage::Done => vec![
            Line::styled("Customer-managed X.509 is disabled.", theme.ok()),
            Line::raw("No customer CA is configured now; Atlas is restarting the clusters."),
            Line::raw(""),
            Line::styled(format!("{back} close"), theme.dim()),
        ],
        DisableStage::Failed(e) => {
            let tail = vec![
                Line::raw(""),
                Line::styled(format!("{back} close"), theme.dim()),
            ];
            return f.render_widget(
                Paragraph::new(text_then(e, theme.danger(), tail, inner)),
                inner,
            );
        }
    };
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
