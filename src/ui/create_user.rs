//! The create-user dialog.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::State;
use crate::app::keymap::{Action, Scope};
use crate::app::state::{CreateStage, CreateUserModal, Field};
use crate::format::{shown, spinner};
use atlas_client::roles::{CLUSTER_ROLES, DATABASE_ROLES};

pub fn draw(f: &mut Frame, area: Rect, state: &State, m: &CreateUserModal, theme: &Theme) {
    let r = crate::layout::centered(area, 76, 16);
    f.render_widget(Clear, r);
    let block = super::dialog::frame(
        &format!("Add an X.509 user · {}", shown(&m.project)),
        r.width,
        theme,
    );
    let inner = block.inner(r);
    f.render_widget(block, r);
    let field = |label: &'static str, value: &str, active: bool| {
        let mut spans = vec![
            Span::styled(format!("{label:<10}"), theme.dim()),
            Span::styled(if active { "> " } else { "  " }, theme.key()),
            Span::raw(shown(value)),
        ];
        if active {
            spans.push(Span::styled("▏", theme.key()));
        }
        Line::from(spans)
    };
    let lines: Vec<Line> = match &m.stage {
        CreateStage::Form | CreateStage::Running(_) => {
            let mut lines = vec![
                Line::styled(
                    "MANAGED (Atlas issues its certificates) on $external.",
                    theme.dim(),
                ),
                Line::raw(""),
                field("Username", m.username.value(), m.field == Field::Username),
                Line::styled("  a plain name or CN=name (no other OIDs)", theme.dim()),
                field("Roles", m.roles.value(), m.field == Field::Roles),
                Line::styled(
                    format!(
                        "  role@db, comma-separated: {} need @db",
                        DATABASE_ROLES.join(", ")
                    ),
                    theme.dim(),
                ),
                Line::styled(
                    format!("  no @db (cluster-wide): {}", CLUSTER_ROLES.join(", ")),
                    theme.dim(),
                ),
                Line::raw(""),
            ];
            lines.push(match (&m.stage, &m.error) {
                (CreateStage::Running(_), _) => Line::styled(
                    format!("{} creating…", spinner(state.mono_ms)),
                    theme.warn(),
                ),
                (_, Some(e)) => Line::styled(shown(e), theme.danger()),
                _ => Line::raw(""),
            });
            let km = &state.env.keymap;
            lines.push(Line::styled(
                format!(
                    "{} switch field · {} next / create · {} cancel",
                    km.label_for(Scope::Input, Action::SwitchField),
                    km.label_for(Scope::Input, Action::Confirm),
                    km.label_for(Scope::Input, Action::Back)
                ),
                theme.dim(),
            ));
            lines
        }
        CreateStage::Created { username } => vec![
            Line::styled(
                format!("Created MANAGED user {} on $external.", shown(username)),
                theme.ok(),
            ),
            Line::raw(""),
            Line::raw("Issue its first certificate now?"),
            Line::raw(""),
            Line::styled(
                format!(
                    "Enter/{} issue · {} later",
                    state.env.keymap.label_for(Scope::Prompt, Action::Yes),
                    state.env.keymap.label_for(Scope::Prompt, Action::No)
                ),
                theme.dim(),
            ),
        ],
    };
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
