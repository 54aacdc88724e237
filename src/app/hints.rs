//! What the footer and the help screen say, generated from the keymap in
//! force (remapped keys show as remapped) and from the state (the footer
//! follows a dialog's sub-state: under the discard question `y` discards, so
//! the footer must not offer `y copy`).

use super::keymap::{Action, Keymap, Scope};
use super::state::{CreateStage, DisableStage, Modal, PemPrompt, State, UploadStage};

/// One footer hint. `pinned` hints (help, quit) are kept when room runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub desc: String,
    pub pinned: bool,
}

fn hint(keys: impl Into<String>, desc: impl Into<String>) -> Hint {
    Hint {
        keys: keys.into(),
        desc: desc.into(),
        pinned: false,
    }
}

/// Keys that are not actions of their own (typed text, y/n answers): not
/// remappable, listed so the help is complete.
const FIXED: &[(Scope, &str, &str)] = &[
    (
        Scope::Projects,
        "type",
        "while / is open: filter by name or id",
    ),
    (
        Scope::Users,
        "type",
        "while / is open: filter by name, x509Type or database",
    ),
    (
        Scope::Certs,
        "type",
        "while / is open: filter by serial (decimal or hex) or subject",
    ),
    (Scope::Issue, "1-24", "type the months"),
    (
        Scope::Pem,
        "type",
        "in the save prompt: the path (~ expands)",
    ),
    (Scope::Disable, "type", "the project name, to confirm"),
];

/// The help screen, section by section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Title(&'static str),
    Key { keys: String, desc: String },
}

const SECTIONS: [(Scope, &str); 13] = [
    (Scope::Global, "Anywhere"),
    (Scope::Panes, "Panes"),
    (Scope::Projects, "Projects pane"),
    (Scope::Users, "Users pane"),
    (Scope::Certs, "Certificates pane"),
    (Scope::Issue, "Issue dialog"),
    (Scope::Pem, "PEM dialog"),
    (Scope::Details, "Certificate details"),
    (
        Scope::Prompt,
        "Questions (overwrite? discard? did the paste work?)",
    ),
    (Scope::Input, "Typing (filters, paths, names)"),
    (Scope::Disable, "Disable dialog"),
    (Scope::Expiring, "Expiring view"),
    (Scope::Help, "This help"),
];

/// Every binding in force and every fixed key, once each, by where it works.
pub fn help_lines(keymap: &Keymap) -> Vec<HelpLine> {
    let mut out = Vec::new();
    for (scope, title) in SECTIONS {
        out.push(HelpLine::Title(title));
        for b in keymap.bindings.iter().filter(|b| b.scope == scope) {
            let keys = if b.keys.is_empty() {
                "(unbound)".to_string()
            } else {
                b.label.clone()
            };
            out.push(HelpLine::Key {
                keys,
                desc: b.desc.to_string(),
            });
        }
        for (_, keys, desc) in FIXED.iter().filter(|(s, _, _)| *s == scope) {
            out.push(HelpLine::Key {
                keys: keys.to_string(),
                desc: desc.to_string(),
            });
        }
    }
    out
}

fn scope_of(state: &State) -> Scope {
    match &state.modal {
        Some(Modal::Issue(_)) => Scope::Issue,
        Some(Modal::Pem(_)) => Scope::Pem,
        Some(Modal::Disable(_)) => Scope::Disable,
        Some(Modal::Help(_) | Modal::CreateUser(_) | Modal::Upload(_) | Modal::Messages(_)) => {
            Scope::Help
        }
        Some(Modal::Command(_)) => Scope::Input,
        Some(Modal::CertDetail(_)) => Scope::Details,
        None if state.expiring.as_ref().is_some_and(|v| v.shown) => Scope::Expiring,
        None => state.focus.scope(),
    }
}

/// The footer's order: what the place is for first, then what changes the
/// view, moving around last (every key stays in the help).
fn rank(a: Action) -> u8 {
    use Action::*;
    match a {
        Issue | Save | Copy | Confirm | CopySerial | CopyFingerprint | CopyMongosh => 0,
        Open | Details | Reveal | ToggleScope => 1,
        Expiring => 2,
        Refresh => 3,
        Filter | Command | NextPage | PrevPage | LastPage | Sort | Reverse | CreateUser
        | UploadCa | DisableCustomerX509 | Messages => 4,
        Back | FocusNext | FocusPrev => 5,
        _ => 6,
    }
}

/// The footer's word for an action, where the help's sentence is too long
/// for a row of keys.
fn short(a: Action, desc: &'static str) -> &'static str {
    use Action::*;
    match a {
        Open => "open",
        Details => "details",
        Issue => "issue",
        Filter => "filter",
        Sort => "sort",
        Reverse => "reverse",
        NextPage => "next page",
        PrevPage => "prev page",
        FirstPage => "first page",
        LastPage => "last page",
        Command => "command",
        Back if desc.starts_with("back") => "back",
        CreateUser => "add user",
        UploadCa => "upload CA",
        DisableCustomerX509 => "disable X.509",
        Expiring => "expiring",
        ToggleScope => "this/all",
        CopySerial => "copy serial",
        CopyFingerprint => "copy fingerprint",
        CopyMongosh => "copy mongosh",
        _ => desc,
    }
}

/// The footer for what is on screen now.
pub fn footer(state: &State) -> Vec<Hint> {
    let km = &state.env.keymap;
    let label = |scope, action| km.label_for(scope, action);
    let special = match &state.modal {
        Some(Modal::Pem(m)) => match &m.prompt {
            PemPrompt::Discard { .. } => Some(vec![
                hint(
                    label(Scope::Prompt, Action::Yes),
                    "discard the key for good",
                ),
                hint(label(Scope::Prompt, Action::No), "keep it"),
            ]),
            PemPrompt::CopyCheck { .. } => Some(vec![
                hint(
                    label(Scope::Prompt, Action::Yes),
                    "the paste worked: remove the kept copy",
                ),
                hint(label(Scope::Prompt, Action::No), "close, keep the file"),
            ]),
            PemPrompt::Overwrite(_) => Some(vec![
                hint(label(Scope::Prompt, Action::Yes), "overwrite"),
                hint(label(Scope::Prompt, Action::No), "keep the file"),
            ]),
            PemPrompt::SavePath => Some(vec![
                hint(label(Scope::Input, Action::Confirm), "save"),
                hint(
                    label(Scope::Input, Action::SwitchField),
                    "one file / .crt + .key",
                ),
                hint(label(Scope::Input, Action::Back), "back"),
            ]),
            PemPrompt::None => None,
        },
        Some(Modal::Issue(m)) if m.in_flight.is_some() => Some(vec![hint(
            "",
            "issuing… the key arrives here once Atlas answers",
        )]),
        Some(Modal::Issue(m)) if m.maybe_issued => Some(vec![
            hint(
                label(Scope::Issue, Action::IssueAgain),
                "issue another anyway",
            ),
            hint(label(Scope::Issue, Action::Back), "close"),
        ]),
        Some(Modal::Disable(m)) => Some(match m.stage {
            DisableStage::Confirm { .. } if m.save_path.is_some() => vec![
                hint("type", "where to save the CAs"),
                hint(label(Scope::Input, Action::Confirm), "save"),
                hint(label(Scope::Input, Action::Back), "back"),
            ],
            DisableStage::Confirm { .. } => vec![
                hint(
                    label(Scope::Disable, Action::SaveBundle),
                    "save the CAs first",
                ),
                hint("type", "the project name"),
                hint(label(Scope::Disable, Action::Confirm), "disable"),
                hint(label(Scope::Disable, Action::Back), "cancel"),
            ],
            DisableStage::Loading(_) | DisableStage::Running(_) => {
                vec![hint("", "waiting for Atlas…")]
            }
            _ => vec![hint(label(Scope::Disable, Action::Back), "close")],
        }),
        Some(Modal::Command(_)) => Some(vec![
            hint(label(Scope::Input, Action::SwitchField), "complete"),
            hint(label(Scope::Input, Action::Confirm), "run"),
            hint(label(Scope::Input, Action::Back), "cancel"),
        ]),
        Some(Modal::Upload(m)) => Some(match m.stage {
            UploadStage::Path => vec![
                hint("type", "the PEM file's path"),
                hint(label(Scope::Input, Action::Confirm), "read it"),
                hint(label(Scope::Input, Action::Back), "cancel"),
            ],
            UploadStage::Confirm { .. } => vec![
                hint("type", "the project name"),
                hint(label(Scope::Input, Action::Confirm), "upload"),
                hint(label(Scope::Input, Action::Back), "cancel"),
            ],
            UploadStage::Reading(_) | UploadStage::Running(_) => {
                vec![hint("", "waiting…")]
            }
            UploadStage::Done { .. } => vec![hint(
                format!(
                    "{}/{}",
                    label(Scope::Input, Action::Confirm),
                    label(Scope::Input, Action::Back)
                ),
                "close",
            )],
        }),
        Some(Modal::CreateUser(m)) => Some(match m.stage {
            CreateStage::Form => vec![
                hint("type", "username, roles"),
                hint(label(Scope::Input, Action::SwitchField), "switch field"),
                hint(label(Scope::Input, Action::Confirm), "next / create"),
                hint(label(Scope::Input, Action::Back), "cancel"),
            ],
            CreateStage::Running(_) => vec![hint("", "creating… sent once")],
            CreateStage::Created { .. } => vec![
                hint(
                    format!("Enter/{}", label(Scope::Prompt, Action::Yes)),
                    "issue its first certificate",
                ),
                hint(label(Scope::Prompt, Action::No), "later"),
            ],
        }),
        None if state.focused().filter_editing() => Some(vec![
            hint(label(Scope::Input, Action::Confirm), "keep the filter"),
            hint(label(Scope::Input, Action::Back), "clear it"),
        ]),
        _ => None,
    };
    if let Some(hints) = special {
        return hints;
    }
    // An answer without a private key has none to show or hide.
    let keyless = matches!(&state.modal, Some(Modal::Pem(m)) if !m.pem.has_private_key());
    let mut all = km.hints(scope_of(state));
    all.retain(|(_, _, a)| !(keyless && *a == Action::Reveal));
    // Esc in the projects pane goes nowhere unless a filter is to clear.
    if state.modal.is_none()
        && state.focus == super::state::Pane::Projects
        && state.projects.filter.value().is_empty()
        && !state.expiring.as_ref().is_some_and(|v| v.shown)
    {
        all.retain(|(_, _, a)| *a != Action::Back);
    }
    all.sort_by_key(|(_, _, a)| rank(*a));
    all.into_iter()
        .map(|(keys, desc, action)| Hint {
            keys,
            desc: short(action, desc).to_string(),
            pinned: matches!(action, Action::Help | Action::Quit),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_binding_and_no_wrong_rows() {
        let km = Keymap::default();
        let lines = help_lines(&km);
        let keys: Vec<(&str, &str)> = lines
            .iter()
            .filter_map(|l| match l {
                HelpLine::Key { keys, desc } => Some((keys.as_str(), desc.as_str())),
                _ => None,
            })
            .collect();
        for b in &km.bindings {
            assert!(
                keys.iter().any(|(_, d)| *d == b.desc),
                "{:?} is missing from the help",
                b.desc
            );
        }
        assert!(!keys.contains(&("Home/End", "1 month")));
        assert!(keys.contains(&("Home", "1 month")) && keys.contains(&("End", "24 months")));
        let titles = lines
            .iter()
            .filter(|l| matches!(l, HelpLine::Title(_)))
            .count();
        assert_eq!(titles, SECTIONS.len());
    }
}
