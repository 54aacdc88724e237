//! The PEM dialog: Atlas's answer, its key masked until asked for, and
//! how it is handed over.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::dialog::{bound_keys, frame, yes_no};
use super::theme::Theme;
use crate::app::keymap::{Action, Scope};
use crate::app::msg::Held;
use crate::app::state::PemModal;
use crate::app::{PemPrompt, State};
use crate::format::{date, shown, spinner, time_left};
use crate::pem::save::split_paths;
use atlas_client::inspect::mongosh_hint;

/// The PEM with the private key's body hidden unless asked for.
fn pem_lines<'a>(m: &'a PemModal, theme: &Theme) -> Vec<Line<'a>> {
    // Only an answer with a key has lines to hide.
    let mut in_key = false;
    let mut hidden = 0;
    let mut out = Vec::new();
    for line in m.pem.expose().lines() {
        if line.starts_with("-----BEGIN") && line.contains("PRIVATE KEY") {
            in_key = true;
            out.push(Line::styled(line, theme.warn()));
            continue;
        }
        if line.starts_with("-----END") && line.contains("PRIVATE KEY") {
            in_key = false;
            if !m.reveal_key {
                out.push(Line::styled(
                    format!(
                        "•••• {} hidden · v to reveal ••••",
                        crate::format::plural(hidden, "line", "lines")
                    ),
                    theme.warn(),
                ));
            }
            out.push(Line::styled(line, theme.warn()));
            continue;
        }
        if in_key && !m.reveal_key {
            hidden += 1;
            continue;
        }
        out.push(Line::raw(line));
    }
    out
}

pub(super) fn pem(f: &mut Frame, area: Rect, state: &State, m: &PemModal, theme: &Theme) {
    let r = crate::layout::pem_box(area);
    f.render_widget(Clear, r);
    // Only an answer with a key has one to lose.
    let block = frame(
        if m.pem.has_private_key() {
            "Certificate issued · the private key is shown only once"
        } else {
            "Atlas's answer · no private key in it"
        },
        r.width,
        theme,
    );
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [info, text, prompt] = Layout::vertical([
        Constraint::Length(crate::layout::PEM_INFO_ROWS),
        Constraint::Fill(1),
        Constraint::Length(crate::layout::PEM_PROMPT_ROWS),
    ])
    .areas(inner);
    // One row per fact, cut with `…`: the rows below them are the PEM's.
    let room = usize::from(info.width);
    let lines: Vec<Line> = pem_facts(state, m, theme)
        .into_iter()
        .map(|(k, v, style)| {
            let k = if k.is_empty() {
                String::new()
            } else {
                format!("{k:<11}")
            };
            let v = crate::format::fit(&v, room.saturating_sub(k.chars().count()));
            Line::from(vec![Span::styled(k, theme.dim()), Span::styled(v, style)])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), info);
    let body = pem_lines(m, theme);
    let rows = text.height.saturating_sub(1);
    // Drawn where the state left it, never past the last line (a resize
    // may have made the box taller since).
    let scroll = m.scroll.min(crate::layout::max_scroll(body.len(), rows));
    let first = usize::from(scroll) + 1;
    let last = (usize::from(scroll) + usize::from(rows)).min(body.len());
    let position = if body.len() > usize::from(rows) {
        format!(
            " PEM · lines {first}-{last} of {} · j/↓ scroll ",
            body.len()
        )
    } else {
        " PEM ".to_string()
    };
    f.render_widget(
        Paragraph::new(body).scroll((scroll, 0)).block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(theme.dim())
                .title(Span::styled(
                    crate::format::fit(&position, usize::from(text.width)),
                    theme.dim(),
                )),
        ),
        text,
    );
    let lines = pem_prompt(state, m, theme);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), prompt);
}

/// What the certificate says about itself, and any problem with the
/// answer: (label, value, style), one row each.
fn pem_facts(
    state: &State,
    m: &PemModal,
    theme: &Theme,
) -> Vec<(&'static str, String, ratatui::style::Style)> {
    let has_key = m.pem.has_private_key();
    let plain = ratatui::style::Style::default();
    let reveal = state.env.keymap.label_for(Scope::Pem, Action::Reveal);
    let mut lines = match &m.info {
        Some(i) => {
            let (left, _) = time_left(state.now, i.not_after);
            vec![
                ("Subject", shown(&i.subject), plain),
                ("Issuer", shown(&i.issuer), plain),
                (
                    "Serial",
                    format!("{} (0x{:X}) — the list's _id", i.serial, i.serial),
                    plain,
                ),
                (
                    "Valid",
                    format!(
                        "{} → {} ({left} left)",
                        date(i.not_before),
                        date(i.not_after)
                    ),
                    plain,
                ),
                (
                    "Key",
                    match (has_key, m.reveal_key) {
                        (true, false) => {
                            format!("{} · private key included, hidden ({reveal} reveals)", i.key)
                        }
                        (true, true) => {
                            format!("{} · private key included, SHOWN ({reveal} hides)", i.key)
                        }
                        (false, _) => format!("{} · no private key in this answer", i.key),
                    },
                    plain,
                ),
                ("SHA-256", i.sha256.clone(), plain),
            ]
        }
        None => vec![(
            "",
            "This PEM does not parse as a certificate. It is shown, and can be saved, exactly as Atlas sent it.".to_string(),
            theme.danger(),
        )],
    };
    if let Some(problem) = &m.problem {
        // Whole in the status line and the message list.
        lines.insert(
            0,
            (
                "",
                format!(
                    "⚠ {problem}. A certificate may have been issued: save this answer as it is."
                ),
                theme.danger(),
            ),
        );
    }
    lines
}

/// The dialog's own keys, as bound; "key" only when there is one.
fn pem_keys(state: &State, m: &PemModal) -> String {
    let mut keys = vec![(Action::Save, "save"), (Action::Copy, "copy")];
    if m.pem.has_private_key() {
        keys.push((Action::Reveal, "key"));
    }
    keys.extend([(Action::Down, "scroll"), (Action::Back, "close")]);
    format!("  {}", bound_keys(state, Scope::Pem, &keys))
}

/// The prompt under the PEM: the save path, a question, or what was done.
fn pem_prompt<'a>(state: &State, m: &PemModal, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    match &m.prompt {
        PemPrompt::SavePath => {
            let format = if m.split {
                let (crt, key) = split_paths(std::path::Path::new(m.path.value()));
                format!("as {} (0644) + {} (0600)", crt.display(), key.display())
            } else {
                "one PEM, certificate + key (0600)".to_string()
            };
            lines.push(Line::from(vec![
                Span::styled("Save to: ", theme.key()),
                Span::raw(m.path.value().to_string()),
                Span::styled("▏", theme.key()),
            ]));
            lines.push(Line::from(vec![
                Span::styled(format, theme.dim()),
                Span::styled(
                    format!(
                        "  {} switch format · {} save · {} back",
                        state.env.keymap.label_for(Scope::Input, Action::SwitchField),
                        state.env.keymap.label_for(Scope::Input, Action::Confirm),
                        state.env.keymap.label_for(Scope::Input, Action::Back)
                    ),
                    theme.dim(),
                ),
            ]));
        }
        PemPrompt::Overwrite(p) => lines.push(Line::styled(
            format!("{} exists. Overwrite?{}", p.display(), yes_no(state)),
            theme.warn(),
        )),
        PemPrompt::Discard { .. } => lines.push(Line::styled(
            match &m.held {
                Held::File(p) => format!(
                    "The private key cannot be downloaded again. Discard it (and its kept copy {})?{}",
                    p.display(),
                    yes_no(state)
                ),
                _ => format!(
                    "The private key cannot be downloaded again. Discard it?{}",
                    yes_no(state)
                ),
            },
            theme.danger(),
        )),
        PemPrompt::CopyCheck { .. } => lines.push(Line::styled(
            match &m.held {
                Held::File(p) => format!(
                    "Copied. Did the paste work? {yes}: remove the kept copy {} and close · {no}: close and keep it",
                    p.display(),
                    yes = state.env.keymap.label_for(Scope::Prompt, Action::Yes),
                    no = state.env.keymap.label_for(Scope::Prompt, Action::No),
                ),
                _ => format!("Copied. Did the paste work?{}", yes_no(state)),
            },
            theme.warn(),
        )),
        PemPrompt::None => lines.extend(kept_lines(state, m, theme)),
    }
    if m.busy.is_some() {
        lines.push(Line::styled(
            format!("{} working…", spinner(state.mono_ms)),
            theme.dim(),
        ));
    }
    if let Some(e) = &m.error {
        lines.push(Line::styled(crate::format::shown_whole(e), theme.danger()));
    }
    lines
}

/// With no question open: what was done with the key, where it is kept
/// until then, the keys, and (once saved) the mongosh command.
fn kept_lines<'a>(state: &State, m: &PemModal, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let mut done = Vec::new();
    if !m.saved_to.is_empty() {
        let paths: Vec<String> = m.saved_to.iter().map(|p| p.display().to_string()).collect();
        done.push(format!("saved to {}", paths.join(" + ")));
    }
    if let Some(how) = &m.copied {
        done.push(format!("copied {how}"));
    }
    let mut head = if done.is_empty() {
        "Not saved or copied yet".to_string()
    } else {
        done.join(" · ")
    };
    match &m.held {
        Held::File(p) => head.push_str(&format!(" · kept in {} until then", p.display())),
        Held::Off => head.push_str(
            " · not on disk (key_write_ahead = false): a closed terminal or a crash now loses it",
        ),
        Held::Failed(why) => head.push_str(&format!(
            " · not on disk ({why}): a closed terminal or a crash now loses it"
        )),
        Held::Released => {}
    }
    lines.push(Line::from(vec![
        Span::styled(
            head,
            if m.handed_over() {
                theme.ok()
            } else {
                theme.warn()
            },
        ),
        Span::styled(pem_keys(state, m), theme.dim()),
    ]));
    if m.info.is_some() {
        lines.push(Line::styled(
            format!(
                "  {}",
                bound_keys(
                    state,
                    Scope::Pem,
                    &[
                        (Action::CopySerial, "copy serial"),
                        (Action::CopyFingerprint, "fingerprint"),
                        (Action::CopyMongosh, "mongosh command"),
                    ]
                )
            ),
            theme.dim(),
        ));
    }
    let combined = m
        .saved_to
        .iter()
        .find(|p| p.extension().is_none_or(|e| e != "crt" && e != "key"));
    if let Some(p) = combined {
        lines.push(Line::styled(mongosh_hint(p), theme.accent()));
    }
    lines
}
