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
use crate::pem::inspect::mongosh_hint;
use crate::pem::save::split_paths;

pub(super) fn frame<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()))
}

pub fn draw(f: &mut Frame, state: &State, theme: &Theme) {
    let area = f.area();
    match &state.modal {
        Some(Modal::Issue(m)) => issue(f, area, state, m, theme),
        Some(Modal::Pem(m)) => pem(f, area, state, m, theme),
        Some(Modal::Disable(m)) => disable(f, area, state, m, theme),
        Some(Modal::Help(view)) => help(f, area, state, view, theme),
        Some(Modal::CertDetail(d)) => cert_detail(f, area, state, d, theme),
        Some(Modal::CreateUser(m)) => super::create_user::draw(f, area, state, m, theme),
        Some(Modal::Upload(m)) => super::upload_ca::draw(f, area, state, m, theme),
        Some(Modal::Messages(view)) => super::messages::draw(f, area, state, view, theme),
        None => {}
    }
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
    let r = crate::layout::centered(area, 64, 12);
    f.render_widget(Clear, r);
    let block = frame("Issue a certificate", theme);
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
                "{} Issuing… the key will appear here once",
                spinner(state.mono_ms)
            ),
            theme.warn(),
        )
    } else if let Some(e) = &m.error
        && m.maybe_issued
    {
        let again = state.env.keymap.label_for(Scope::Issue, Action::IssueAgain);
        let back = state.env.keymap.label_for(Scope::Issue, Action::Back);
        return f.render_widget(
            Paragraph::new(vec![
                Line::styled(crate::format::shown_whole(e), theme.danger()),
                Line::styled(
                    format!("The certificate list was refreshed: look there first. {again} issue another anyway · {back} close"),
                    theme.warn(),
                ),
            ])
            .wrap(Wrap { trim: true }),
            msg,
        );
    } else if let Some(e) = &m.error {
        Line::styled(crate::format::shown_whole(e), theme.danger())
    } else {
        Line::styled(issue_keys(state), theme.dim())
    };
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), msg);
}

/// The PEM with the private key's body hidden unless asked for.
fn pem_lines<'a>(m: &'a PemModal, theme: &Theme) -> Vec<Line<'a>> {
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
                    format!("•••• {hidden} lines hidden · v to reveal ••••"),
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
    let lines = pem_facts(state, m, theme);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), info);
    f.render_widget(
        Paragraph::new(pem_lines(m, theme))
            .scroll((m.scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme.dim()),
            ),
        text,
    );
    let lines = pem_prompt(state, m, theme);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), prompt);
}

/// What the certificate says about itself, and any problem with the answer.
fn pem_facts<'a>(state: &State, m: &PemModal, theme: &Theme) -> Vec<Line<'a>> {
    let has_key = m.pem.has_private_key();
    let mut lines = match &m.info {
        Some(i) => {
            let (left, _) = time_left(state.now, i.not_after);
            vec![
                kv("Subject", shown(&i.subject), theme),
                kv("Issuer", shown(&i.issuer), theme),
                kv(
                    "Serial",
                    format!("{} (0x{:X}) — the list's _id", i.serial, i.serial),
                    theme,
                ),
                kv(
                    "Valid",
                    format!(
                        "{} → {} ({left} left)",
                        date(i.not_before),
                        date(i.not_after)
                    ),
                    theme,
                ),
                kv(
                    "Key",
                    match (has_key, m.reveal_key) {
                        (true, false) => {
                            format!("{} · private key included, hidden (v reveals)", i.key)
                        }
                        (true, true) => {
                            format!("{} · private key included, SHOWN (v hides)", i.key)
                        }
                        (false, _) => i.key.clone(),
                    },
                    theme,
                ),
                kv("SHA-256", i.sha256.clone(), theme),
            ]
        }
        None => vec![Line::styled(
            "This PEM does not parse as a certificate. It is shown, and can be saved, exactly as Atlas sent it.",
            theme.danger(),
        )],
    };
    if let Some(problem) = &m.problem {
        lines.insert(
            0,
            Line::styled(
                format!(
                    "⚠ {problem}. A certificate may have been issued: save this answer as it is."
                ),
                theme.danger(),
            ),
        );
    } else if !has_key {
        lines.push(Line::styled(
            "Atlas's answer holds no private key.",
            theme.danger(),
        ));
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

/// The dialog's own keys, as bound.
fn pem_keys(state: &State) -> String {
    let keys = bound_keys(
        state,
        Scope::Pem,
        &[
            (Action::Save, "save"),
            (Action::Copy, "copy"),
            (Action::Reveal, "key"),
            (Action::Down, "scroll"),
            (Action::Back, "close"),
        ],
    );
    format!("  {keys}")
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
                Span::styled(pem_keys(state), theme.dim()),
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
        DisableStage::Failed(e) => vec![
            Line::styled(crate::format::shown_whole(e), theme.danger()),
            Line::raw(""),
            Line::styled(format!("{back} close"), theme.dim()),
        ],
    };
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn help(f: &mut Frame, area: Rect, state: &State, view: &HelpView, theme: &Theme) {
    let r = crate::layout::help_box(area);
    f.render_widget(Clear, r);
    let lines: Vec<Line> = help_lines(&state.env.keymap)
        .into_iter()
        .map(|l| match l {
            HelpLine::Title(t) => Line::styled(t, theme.title()),
            HelpLine::Key { keys, desc } => Line::from(vec![
                Span::styled(format!("  {keys:<12}"), theme.key()),
                Span::raw(desc),
            ]),
        })
        .collect();
    let rows = r.height.saturating_sub(2);
    let total = lines.len();
    let first = usize::from(view.scroll) + 1;
    let last = (usize::from(view.scroll) + usize::from(rows)).min(total);
    let title = format!("Keys · {first}-{last} of {total} · j/k scroll · Esc close");
    f.render_widget(
        Paragraph::new(lines)
            .scroll((view.scroll, 0))
            .block(frame(&title, theme)),
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
        Paragraph::new(lines).block(frame("Certificate · Esc close", theme)),
        r,
    );
}
