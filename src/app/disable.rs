//! The disable dialog's keys and answers: the project's user security is
//! read first, then its name confirms the change.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::{Action, Scope};
use super::msg::{Command, RequestId};
use super::state::{DisableModal, DisableStage, Level, Modal, State};
use atlas_client::UserSecurity;
use std::sync::Arc;

/// The bundle was written (or not): said in the dialog, which stays open.
pub(super) fn on_bundle_saved(
    state: &mut State,
    id: RequestId,
    res: Result<std::path::PathBuf, String>,
) -> Vec<Command> {
    let Some(Modal::Disable(m)) = &mut state.modal else {
        return vec![];
    };
    if m.saving != Some(id) {
        return vec![];
    }
    m.saving = None;
    match res {
        Ok(path) => {
            m.save_path = None;
            m.note = None;
            let text = format!("The CA bundle was saved to {}", path.display());
            m.saved = Some(path);
            state.set_status(Level::Info, text);
        }
        Err(e) => m.note = Some(format!("Not saved: {e}")),
    }
    vec![]
}

pub fn open(state: &mut State) -> Vec<Command> {
    let Some(project) = state.selected_project().cloned() else {
        return vec![];
    };
    let id = state.next_request();
    state.modal = Some(Modal::Disable(DisableModal {
        group_id: project.id.clone(),
        project: project.name,
        stage: DisableStage::Loading(id),
        note: None,
        save_path: None,
        saving: None,
        saved: None,
    }));
    vec![Command::FetchSecurity {
        id,
        group_id: project.id,
    }]
}

pub(super) fn on_key(
    state: &mut State,
    mut m: DisableModal,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
    let action = state.env.keymap.action_for(Scope::Disable, &key);
    let input = state.env.keymap.action_for(Scope::Input, &key);
    if action == Some(Action::Quit) {
        state.quit = true;
        return (None, vec![]);
    }
    if let (Some(path), DisableStage::Confirm { pem, .. }) = (&mut m.save_path, &m.stage) {
        match input {
            Some(Action::Back) => m.save_path = None,
            Some(Action::Confirm) if m.saving.is_none() => {
                let id = state.next_request();
                m.saving = Some(id);
                let cmd = Command::SaveCaBundle {
                    id,
                    path: path.value().trim().into(),
                    text: pem.clone(),
                };
                return (Some(Modal::Disable(m)), vec![cmd]);
            }
            Some(Action::Confirm) => {}
            _ => {
                path.handle_event(&Event::Key(key));
                m.note = None;
            }
        }
        return (Some(Modal::Disable(m)), vec![]);
    }
    match &mut m.stage {
        DisableStage::Running(_) => {}
        DisableStage::Confirm { .. } if action == Some(Action::SaveBundle) => {
            let name = format!("{}-ca.pem", crate::pem::file_name_safe(&m.project));
            let dir = state.env.save_dir.as_deref().unwrap_or(".");
            m.save_path = Some(Input::new(format!("{}/{name}", dir.trim_end_matches('/'))));
            m.note = None;
        }
        DisableStage::Confirm { typed, .. } => match input {
            Some(Action::Back) => return (None, vec![]),
            Some(Action::Confirm) if typed.value() == m.project => {
                m.note = None;
                let id = state.next_request();
                m.stage = DisableStage::Running(id);
                let cmd = Command::DisableCustomerX509 {
                    id,
                    group_id: m.group_id.clone(),
                };
                return (Some(Modal::Disable(m)), vec![cmd]);
            }
            Some(Action::Confirm) => {
                m.note = Some(if typed.value().is_empty() {
                    "Type the project name first: nothing was changed".to_string()
                } else {
                    "That is not the project's name (it must match exactly, case included): nothing was changed".to_string()
                });
            }
            _ => {
                typed.handle_event(&Event::Key(key));
                m.note = None;
            }
        },
        _ if action == Some(Action::Back) || action == Some(Action::Confirm) => {
            return (None, vec![]);
        }
        _ => {}
    }
    (Some(Modal::Disable(m)), vec![])
}

pub(super) fn on_security(
    state: &mut State,
    id: RequestId,
    res: Result<UserSecurity, String>,
) -> Vec<Command> {
    if let Some(Modal::Disable(m)) = &mut state.modal
        && matches!(m.stage, DisableStage::Loading(l) if l == id)
    {
        m.stage = match res {
            Ok(sec) if sec.customer_x509.is_configured() => DisableStage::Confirm {
                ca_count: sec.customer_x509.ca_count(),
                typed: Input::default(),
                cas: crate::ca_file::configured(sec.customer_x509.cas.as_deref()),
                pem: Arc::from(sec.customer_x509.cas.unwrap_or_default()),
            },
            Ok(_) => DisableStage::NothingToDisable,
            Err(e) => DisableStage::Failed(e),
        };
    }
    vec![]
}

pub(super) fn on_disabled(
    state: &mut State,
    id: RequestId,
    res: Result<UserSecurity, String>,
) -> Vec<Command> {
    let project = match &mut state.modal {
        Some(Modal::Disable(m)) if matches!(m.stage, DisableStage::Running(r) if r == id) => {
            m.stage = match &res {
                Ok(_) => DisableStage::Done,
                Err(e) => DisableStage::Failed(e.clone()),
            };
            m.project.clone()
        }
        _ => "the project".into(),
    };
    match res {
        Ok(_) => state.set_status(
            Level::Info,
            format!("Customer X.509 disabled on {project}; Atlas is restarting its clusters"),
        ),
        Err(e) => state.set_status(Level::Error, format!("Disabling failed: {e}")),
    }
    vec![]
}
