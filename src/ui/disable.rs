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
    let r = crate::layout::centered(area, 76, 20);
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
        DisableStage::Confirm {
            ca_count,
            typed,
            cas,
            ..
        } => {
            let save = state
                .env
                .keymap
                .label_for(Scope::Disable, Action::SaveBundle);
            let mut lines = vec![Line::raw(format!(
                "{} has {} configured; disabling clears {}:",
                shown(&m.project),
                atlas_client::bundle::count(*ca_count),
                if *ca_count == 1 { "it" } else { "them" }
            ))];
            lines.extend(ca_lines(cas, usize::from(inner.width), theme));
            lines.push(match (&m.saved, &m.save_path) {
                (Some(p), _) => Line::styled(
                    format!("Saved to {}", shown(&p.display().to_string())),
                    theme.ok(),
                ),
                (None, None) => Line::styled(
                    format!("{save} saves them to a file first (they are not kept anywhere else)"),
                    theme.dim(),
                ),
                (None, Some(_)) => Line::raw(""),
            });
            lines.push(Line::styled(
                "Users authenticating with certificates from them stop working, and Atlas restarts every cluster in the project.",
                theme.warn(),
            ));
            match &m.save_path {
                Some(path) => lines.extend([
                    Line::styled(
                        "Save the CA bundle (0644, never over a file) to:",
                        theme.key(),
                    ),
                    Line::from(vec![
                        Span::styled("> ", theme.key()),
                        Span::raw(shown(path.value())),
                        Span::styled("▏", theme.key()),
                    ]),
                    note_line(m, theme),
                    Line::styled(
                        if m.saving.is_some() {
                            format!("{} saving…", spinner(state.mono_ms))
                        } else {
                            format!("{confirm} save · {back} back")
                        },
                        theme.dim(),
                    ),
                ]),
                None => lines.extend([
                    Line::raw(format!(
                        "Type the project name ({}) to confirm:",
                        shown(&m.project)
                    )),
                    Line::from(vec![
                        Span::styled("> ", theme.key()),
                        Span::raw(shown(typed.value())),
                        Span::styled("▏", theme.key()),
                    ]),
                    note_line(m, theme),
                    Line::styled(
                        if typed.value() == m.project {
                            format!("{confirm} disable · {back} cancel")
                        } else {
                            format!("{back} cancel")
                        },
                        theme.dim(),
                    ),
                ]),
            }
            lines
        }
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

/// The CAs a disable clears, one a row (subject cut with `…`, expiry),
/// the first few; or why they could not be read.
fn ca_lines<'a>(
    cas: &Result<Vec<atlas_client::bundle::CaInfo>, String>,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    const SHOWN: usize = 4;
    match cas {
        Err(why) => vec![Line::styled(
            crate::format::fit(
                &format!("  (they could not be read: {})", shown(why)),
                width,
            ),
            theme.dim(),
        )],
        Ok(cas) => {
            let room = width.saturating_sub(2 + 2 + 18);
            let mut out: Vec<Line> = cas
                .iter()
                .take(SHOWN)
                .map(|c| {
                    Line::from(vec![
                        Span::raw(format!(
                            "  {:<room$}",
                            crate::format::fit(&shown(&c.subject), room)
                        )),
                        Span::styled(
                            format!("  expires {}", crate::format::date(c.not_after)),
                            theme.dim(),
                        ),
                    ])
                })
                .collect();
            if cas.len() > SHOWN {
                out.push(Line::styled(
                    format!("  …and {} more", cas.len() - SHOWN),
                    theme.dim(),
                ));
            }
            out
        }
    }
}

fn note_line<'a>(m: &DisableModal, theme: &Theme) -> Line<'a> {
    match &m.note {
        Some(note) => Line::styled(note.clone(), theme.warn()),
        None => Line::raw(""),
    }
}
