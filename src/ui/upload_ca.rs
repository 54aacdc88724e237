//! The upload-CA dialog.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::State;
use crate::app::state::{UploadModal, UploadStage};
use crate::format::{date, fit, shown, spinner};

pub fn draw(f: &mut Frame, area: Rect, state: &State, m: &UploadModal, theme: &Theme) {
    let r = crate::layout::centered(
        area,
        area.width.saturating_sub(2).min(90),
        area.height.min(20),
    );
    f.render_widget(Clear, r);
    let block = super::dialog::frame(
        &format!("Upload a customer CA · {}", shown(&m.project)),
        r.width,
        theme,
    );
    let inner = block.inner(r);
    f.render_widget(block, r);
    let input = |value: &str| {
        Line::from(vec![
            Span::styled("> ", theme.key()),
            Span::raw(shown(value)),
            Span::styled("▏", theme.key()),
        ])
    };
    let mut lines: Vec<Line> = match &m.stage {
        UploadStage::Path => vec![
            Line::raw("PEM file with the CA certificate(s) your client certificates chain to:"),
            input(m.path.value()),
        ],
        UploadStage::Reading(_) => vec![Line::styled(
            format!(
                "{} reading and checking the bundle…",
                spinner(state.mono_ms)
            ),
            theme.dim(),
        )],
        UploadStage::Confirm { bundle, typed } => {
            let mut l = vec![Line::raw(format!(
                "{} from {}:",
                atlas_client::bundle::count(bundle.cas.len()),
                shown(&bundle.path.display().to_string())
            ))];
            for c in bundle.cas.iter().take(6) {
                // The fingerprint whole when the row has room for it.
                let head = format!(
                    "  {}  expires {}  sha256 ",
                    shown(&c.subject),
                    date(c.not_after)
                );
                let room = usize::from(inner.width).saturating_sub(head.chars().count());
                l.push(Line::from(vec![
                    Span::raw(format!("  {}", shown(&c.subject))),
                    Span::styled(
                        format!(
                            "  expires {}  sha256 {}",
                            date(c.not_after),
                            fit(&c.sha256, room.max(18))
                        ),
                        theme.dim(),
                    ),
                ]));
            }
            if bundle.cas.len() > 6 {
                l.push(Line::styled(
                    format!("  … and {} more", bundle.cas.len() - 6),
                    theme.dim(),
                ));
            }
            l.push(Line::styled(
                atlas_client::bundle::upload_effect(bundle.current),
                theme.warn(),
            ));
            l.push(Line::raw(format!(
                "Type the project name ({}) to confirm:",
                shown(&m.project)
            )));
            l.push(input(typed.value()));
            l
        }
        UploadStage::Running(_) => vec![Line::styled(
            format!("{} uploading…", spinner(state.mono_ms)),
            theme.warn(),
        )],
        UploadStage::Done { count } => vec![
            Line::styled(
                format!(
                    "Customer-managed X.509 is on, with {}.",
                    atlas_client::bundle::count(*count)
                ),
                theme.ok(),
            ),
            Line::raw("Atlas is restarting the project's clusters."),
        ],
    };
    if let Some(note) = &m.note {
        lines.push(Line::raw(""));
        lines.push(Line::styled(shown(note), theme.danger()));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
