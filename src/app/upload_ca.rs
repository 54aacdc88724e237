//! The upload-CA dialog (`C` in the projects pane), the counterpart of
//! disabling: a PEM bundle is read (by the worker) and shown — subjects,
//! expiry, fingerprints — then the project's name confirms the upload,
//! which restarts every cluster and stops Atlas-managed issuance there.

use std::sync::Arc;

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::{Action, Scope};
use super::msg::{CaBundle, Command, ErrorText, RequestId};
use super::state::{Level, Modal, State, UploadModal, UploadStage};
use atlas_client::UserSecurity;

pub fn open(state: &mut State) {
    let Some(project) = state.selected_project().cloned() else {
        state.set_status(Level::Warn, "Select a project first");
        return;
    };
    state.modal = Some(Modal::Upload(Box::new(UploadModal {
        group_id: project.id,
        project: project.name,
        path: Input::default(),
        stage: UploadStage::Path,
        note: None,
    })));
}

pub fn on_key(
    state: &mut State,
    mut m: Box<UploadModal>,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
    let act = state.env.keymap.action_for(Scope::Input, &key);
    if act == Some(Action::Quit) {
        state.quit = true;
        return (None, vec![]);
    }
    if act == Some(Action::Back) && !matches!(m.stage, UploadStage::Running(_)) {
        return (None, vec![]);
    }
    let confirm = act == Some(Action::Confirm);
    match &mut m.stage {
        UploadStage::Path => match confirm {
            true if m.path.value().trim().is_empty() => {
                m.note = Some("Type the path of a PEM file with the CA certificate(s)".into());
            }
            true => {
                let id = state.next_request();
                let cmd = Command::ReadCaBundle {
                    id,
                    group_id: m.group_id.clone(),
                    path: m.path.value().trim().into(),
                };
                m.stage = UploadStage::Reading(id);
                m.note = None;
                return (Some(Modal::Upload(m)), vec![cmd]);
            }
            false => {
                m.path.handle_event(&Event::Key(key));
                m.note = None;
            }
        },
        UploadStage::Confirm { bundle, typed } => match confirm {
            true if typed.value() == m.project => {
                let id = state.next_request();
                let cmd = Command::SetCustomerX509 {
                    id,
                    group_id: m.group_id.clone(),
                    cas: bundle.text.clone(),
                };
                m.stage = UploadStage::Running(id);
                m.note = None;
                return (Some(Modal::Upload(m)), vec![cmd]);
            }
            true => {
                m.note = Some(
                    "That is not the project's name (it must match exactly): nothing was sent"
                        .into(),
                );
            }
            false => {
                typed.handle_event(&Event::Key(key));
                m.note = None;
            }
        },
        UploadStage::Done { .. } if confirm => return (None, vec![]),
        _ => {}
    }
    (Some(Modal::Upload(m)), vec![])
}

pub fn on_read(
    state: &mut State,
    id: RequestId,
    res: Result<Box<CaBundle>, ErrorText>,
) -> Vec<Command> {
    if let Some(Modal::Upload(m)) = &mut state.modal
        && matches!(m.stage, UploadStage::Reading(r) if r == id)
    {
        match res {
            Ok(bundle) => {
                m.stage = UploadStage::Confirm {
                    bundle: Arc::from(bundle),
                    typed: Input::default(),
                }
            }
            Err(e) => {
                m.stage = UploadStage::Path;
                m.note = Some(e);
            }
        }
    }
    vec![]
}

pub fn on_set(
    state: &mut State,
    id: RequestId,
    res: Result<UserSecurity, ErrorText>,
) -> Vec<Command> {
    let Some(Modal::Upload(m)) = &mut state.modal else {
        return vec![];
    };
    if !matches!(m.stage, UploadStage::Running(r) if r == id) {
        return vec![];
    }
    match res {
        Ok(sec) => {
            let project = m.project.clone();
            m.stage = UploadStage::Done {
                count: sec.customer_x509.ca_count(),
            };
            state.set_status(
                Level::Info,
                format!("Customer X.509 enabled on {project}; Atlas is restarting its clusters"),
            );
        }
        Err(e) => {
            // Back to the path, still filled in: trying again is Enter, the
            // bundle read and confirmed again; nothing is resent on its own.
            m.note = Some(e);
            m.stage = UploadStage::Path;
        }
    }
    vec![]
}
