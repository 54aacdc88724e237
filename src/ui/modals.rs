//! Dialogs drawn over `Clear`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, LineGauge, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::hints::{HelpLine, help_lines};
use crate::app::keymap::{Action, Scope};
use crate::app::msg::Held;
use crate::app::state::{CertDetail, DisableModal, HelpView, IssueModal, PemModal};
use crate::app::{DisableStage, Modal, PemPrompt, State};
use crate::format::{date, expiry_after, shown, spinner, time_left};
use crate::pem::save::split_paths;
use atlas_client::inspect::mongosh_hint;

/// A dialog's frame, its title cut with `…` when the box is narrower.
pub(super) fn frame<'a>(title: &str, width: u16, theme: &Theme) -> Block<'a> {
    let room = usize::from(width.saturating_sub(4));
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(" {} ", crate::format::fit(title, room)),
            theme.title(),
        ))
}

pub fn draw(f: &mut Frame, state: &State, theme: &Theme) {
    let screen = f.area();
    // Between the header and the status line: both stay readable.
    let area = crate::layout::dialog_area(screen);
    match &state.modal {
        Some(Modal::Issue(m)) => issue(f, area, state, m, theme),
        Some(Modal::Pem(m)) => pem(f, screen, state, m, theme),
        Some(Modal::Disable(m)) => disable(f, area, state, m, theme),
        Some(Modal::Help(view)) => help(f, screen, state, view, theme),
        Some(Modal::CertDetail(d)) => cert_detail(f, area, state, d, theme),
        Some(Modal::CreateUser(m)) => super::create_user::draw(f, area, state, m, theme),
        Some(Modal::Upload(m)) => super::upload_ca::draw(f, area, state, m, theme),
        Some(Modal::Messages(view)) => super::messages::draw(f, screen, state, view, theme),
        None => {}
    }
}

/// Server text above a dialog's own lines: the text gets the rows the
/// `tail` leaves in `area`, wrapped and cut with `…`; the tail (the keys)
/// always shows.
pub(super) fn text_then<'a>(
    text: &str,
    style: ratatui::style::Style,
    tail: Vec<Line<'a>>,
    area: Rect,
) -> Vec<Line<'a>> {
    let rows = usize::from(area.height).saturating_sub(tail.len()).max(1);
    let mut lines: Vec<Line> = crate::format::wrap_fit(
        &crate::format::shown_whole(text),
        usize::from(area.width),
        rows,
    )
    .into_iter()
    .map(|l| Line::styled(l, style))
    .collect();
    lines.extend(tail);
    lines
}

fn kv<'a>(k: &'a str, v: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<11}"), theme.dim()),
        Span::raw(v),
    ])
}

/// "s save · y/c copy": a dialog's keys as bound, each with what it does.
fn bound_keys(state: &State, scope: Scope, keys: &[(Action, &str)]) -> String {
    keys.iter()
        .map(|(a, desc)| format!("{} {desc}", state.env.keymap.label_for(scope, *a)))
        .collect::<Vec<_>>()
        .join(" · ")
}

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

fn issue(f: &mut Frame, area: Rect, state: &State, m: &IssueModal, theme: &Theme) {
    // Three more rows for an error and what to do about it.
    let r = crate::layout::centered(area, 64, if m.error.is_some() { 15 } else { 12 });
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
            format!("{} month{}", m.months, if m.months == 1 { "" } else { "s" }),
            theme,
        ),
    ];
    f.render_widget(Paragraph::new(lines), info);
    let ratio = f64::from(m.months - 1) / 23.0;
    f.render_widget(
        LineGauge::default()
            .ratio(ratio)
            .label(format!("{:>2} months ", m.months))
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
    } else {
        Line::styled(issue_keys(state), theme.dim())
    };
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), msg);
}

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

fn pem(f: &mut Frame, area: Rect, state: &State, m: &PemModal, theme: &Theme) {
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

/// A question's answers as bound, the default (No) named as such.
fn yes_no(state: &State) -> String {
    let km = &state.env.keymap;
    format!(
        " {} yes · {} no (default)",
        km.label_for(Scope::Prompt, Action::Yes),
        km.label_for(Scope::Prompt, Action::No)
    )
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
        PemPrompt::None => {
            let mut done = Vec::new();
            if !m.saved_to.is_empty() {
                let paths: Vec<String> =
                    m.saved_to.iter().map(|p| p.display().to_string()).collect();
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
                Held::File(p) => {
                    head.push_str(&format!(" · kept in {} until then", p.display()))
                }
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
            let combined = m
                .saved_to
                .iter()
                .find(|p| p.extension().is_none_or(|e| e != "crt" && e != "key"));
            if let Some(p) = combined {
                lines.push(Line::styled(mongosh_hint(p), theme.accent()));
            }
        }
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

fn disable(f: &mut Frame, area: Rect, state: &State, m: &DisableModal, theme: &Theme) {
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

fn help(f: &mut Frame, area: Rect, state: &State, view: &HelpView, theme: &Theme) {
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

fn cert_detail(f: &mut Frame, area: Rect, state: &State, d: &CertDetail, theme: &Theme) {
    let r = crate::layout::centered(area, 70, 11);
    f.render_widget(Clear, r);
    let c = &d.cert;
    let (left, _) = time_left(state.now, c.not_after);
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
        Paragraph::new(lines).block(frame("Certificate · Esc close", r.width, theme)),
        r,
    );
}
