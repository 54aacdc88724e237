//! Copying what people paste elsewhere — a serial, a fingerprint, the
//! mongosh command — from a certificate's details and the PEM dialog, by
//! key: the dialog's border would cut a selection with the mouse.

use std::path::{Path, PathBuf};

use super::keymap::Action;
use super::msg::{Command, Copied, RequestId};
use super::state::{CertDetail, Level, PemModal, State};
use crate::pem::default_pem_name;
use atlas_client::inspect::mongosh_hint;

/// (what, the text) a copy key asks for, or why there is none.
pub(super) fn from_details(d: &CertDetail, action: Action) -> Option<(&'static str, String)> {
    match action {
        Action::CopySerial => Some(("serial", d.cert.id.to_string())),
        Action::CopyMongosh => {
            let file = default_pem_name(&d.username, Some(d.cert.id));
            Some(("mongosh command", mongosh_hint(Path::new(&file))))
        }
        _ => None,
    }
}

pub(super) fn from_pem(
    m: &PemModal,
    action: Action,
) -> Result<(&'static str, String), &'static str> {
    let info = m.info.as_ref();
    match action {
        Action::CopySerial => info
            .map(|i| ("serial", i.serial.to_string()))
            .ok_or("The answer holds no readable certificate: no serial to copy"),
        Action::CopyFingerprint => info
            .map(|i| ("SHA-256 fingerprint", i.sha256.clone()))
            .ok_or("The answer holds no readable certificate: no fingerprint to copy"),
        Action::CopyMongosh => {
            // The file it was saved to, else the name the save prompt offers.
            let file = m
                .saved_to
                .iter()
                .find(|p| p.extension().is_some_and(|e| e == "pem"))
                .cloned()
                .unwrap_or_else(|| {
                    PathBuf::from(default_pem_name(&m.username, info.map(|i| i.serial)))
                });
            Ok(("mongosh command", mongosh_hint(&file)))
        }
        _ => Err(""),
    }
}

pub(super) fn copy(state: &mut State, what: &'static str, text: String) -> Vec<Command> {
    let id = state.next_request();
    state.copying = Some((id, what));
    vec![Command::CopyText { id, text }]
}

/// The answer to a [`copy`]; `false` when `id` was not one.
pub(super) fn on_copied(state: &mut State, id: RequestId, res: &Result<Copied, String>) -> bool {
    let Some((_, what)) = state.copying.filter(|(c, _)| *c == id) else {
        return false;
    };
    state.copying = None;
    match res {
        Ok(c) => state.set_status(Level::Info, format!("Copied the {what} {}", c.how)),
        Err(e) => state.set_status(Level::Error, format!("Could not copy the {what}: {e}")),
    }
    true
}
