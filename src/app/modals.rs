//! Which dialog a key or an answer goes to, and the small ones that need
//! no file of their own: help, the message list, a certificate's details.

use crossterm::event::KeyEvent;
use tui_input::Input;

use super::hints::help_lines;
use super::keymap::{Action, Scope};
use super::msg::{ApiResult, Command, RequestId};
use super::state::{CertDetail, DisableModal, DisableStage, HelpView, Modal, PemPrompt, State};

/// Enter on a certificate: everything the list says about it.
pub fn open_details(state: &mut State) {
    let Some(cert) = state.certs.selected_cert().cloned() else {
        return;
    };
    let project = state
        .selected_project()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let username = state
        .certs
        .owner
        .as_ref()
        .map(|o| o.1.clone())
        .unwrap_or_default();
    state.modal = Some(Modal::CertDetail(Box::new(CertDetail {
        cert,
        project,
        username,
    })));
}

/// A scrolled text view's keys (help, the message list): the new scroll,
/// at most `max`, or `None` when the key closes it.
fn scroll_key(state: &mut State, scroll: u16, max: u16, rows: u16, key: KeyEvent) -> Option<u16> {
    let page = rows.max(1);
    let next = match state.env.keymap.action_for(Scope::Help, &key) {
        Some(Action::Quit) => {
            state.quit = true;
            return None;
        }
        Some(Action::Back) => return None,
        Some(Action::Down) => scroll.saturating_add(1),
        Some(Action::Up) => scroll.saturating_sub(1),
        Some(Action::PageDown) => scroll.saturating_add(page),
        Some(Action::PageUp) => scroll.saturating_sub(page),
        Some(Action::Top) => 0,
        Some(Action::Bottom) => max,
        _ => scroll,
    };
    Some(next.min(max))
}

fn help_key(state: &mut State, mut view: HelpView, key: KeyEvent) -> (Option<Modal>, Vec<Command>) {
    let rows = crate::layout::help_rows(state.size);
    let max = crate::layout::max_scroll(help_lines(&state.env.keymap).len(), rows);
    let Some(scroll) = scroll_key(state, view.scroll, max, rows, key) else {
        return (None, vec![]);
    };
    view.scroll = scroll;
    (Some(Modal::Help(view)), vec![])
}

fn messages_key(
    state: &mut State,
    mut view: super::state::MessagesView,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
    let rows = crate::layout::messages_inner(state.size).1;
    let max = super::state::messages::max_scroll(&state.messages, state.size);
    let Some(scroll) = scroll_key(state, view.scroll, max, rows, key) else {
        return (None, vec![]);
    };
    view.scroll = scroll;
    (Some(Modal::Messages(view)), vec![])
}

pub fn paste(state: &mut State, text: &str) {
    let line: String = text.chars().filter(|c| !c.is_control()).collect();
    let input = match &mut state.modal {
        Some(Modal::Pem(m)) if m.prompt == PemPrompt::SavePath => &mut m.path,
        Some(Modal::Disable(DisableModal {
            save_path: Some(path),
            ..
        })) => path,
        Some(Modal::Disable(DisableModal {
            stage: DisableStage::Confirm { typed, .. },
            ..
        })) => typed,
        Some(Modal::CreateUser(m)) if m.stage == super::state::CreateStage::Form => match m.field {
            super::state::Field::Username => &mut m.username,
            super::state::Field::Roles => &mut m.roles,
        },
        Some(Modal::Upload(m)) => match &mut m.stage {
            super::state::UploadStage::Path => &mut m.path,
            super::state::UploadStage::Confirm { typed, .. } => typed,
            _ => return,
        },
        Some(Modal::Command(line)) => &mut line.input,
        None if state.projects.filter_editing => &mut state.projects.filter,
        None if state.users.filter_editing => &mut state.users.filter,
        _ => return,
    };
    let value = format!("{}{line}", input.value());
    *input = Input::new(value);
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    if let Some(Modal::Pem(_)) = &state.modal {
        return super::pem_dialog::on_key(state, key);
    }
    let Some(modal) = state.modal.take() else {
        return vec![];
    };
    let (modal, cmds) = match modal {
        Modal::Help(view) => help_key(state, view, key),
        Modal::Messages(view) => messages_key(state, view, key),
        Modal::CertDetail(d) => match state.env.keymap.action_for(Scope::Details, &key) {
            Some(Action::Quit) => {
                state.quit = true;
                (None, vec![])
            }
            Some(Action::Back) => (None, vec![]),
            Some(a) => match super::copy_text::from_details(&d, a) {
                Some((what, text)) => {
                    let cmds = super::copy_text::copy(state, what, text);
                    (Some(Modal::CertDetail(d)), cmds)
                }
                None => (Some(Modal::CertDetail(d)), vec![]),
            },
            None => (Some(Modal::CertDetail(d)), vec![]),
        },
        Modal::Issue(m) => super::issue::on_key(state, m, key),
        // Handled in place above: never taken out of the state.
        Modal::Pem(m) => (Some(Modal::Pem(m)), vec![]),
        Modal::Disable(m) => super::disable::on_key(state, m, key),
        Modal::CreateUser(m) => super::create_user::on_key(state, m, key),
        Modal::Upload(m) => super::upload_ca::on_key(state, m, key),
        Modal::Command(line) => super::command_line::on_key(state, line, key),
    };
    state.modal = modal;
    cmds
}

pub fn on_api(state: &mut State, id: RequestId, result: ApiResult) -> Vec<Command> {
    match result {
        ApiResult::Issued(Ok(issued)) => super::pem_dialog::on_issued(state, *issued),
        ApiResult::Issued(Err(failure)) => super::issue::on_failed(state, id, failure),
        ApiResult::Security(res) => super::disable::on_security(state, id, res),
        ApiResult::Disabled(res) => super::disable::on_disabled(state, id, res),
        ApiResult::Saved(outcome) => super::pem_dialog::on_saved(state, id, outcome),
        ApiResult::CaBundleSaved(res) => super::disable::on_bundle_saved(state, id, res),
        ApiResult::Copied(res) if super::copy_text::on_copied(state, id, &res) => vec![],
        ApiResult::Copied(res) => super::pem_dialog::on_copied(state, id, res),
        ApiResult::Released(res) => super::pem_dialog::on_released(state, res),
        ApiResult::UserCreated(res) => super::create_user::on_created(state, id, res),
        ApiResult::CaBundleRead(res) => super::upload_ca::on_read(state, id, res),
        ApiResult::CustomerX509Set(res) => super::upload_ca::on_set(state, id, res),
        ApiResult::Projects(_)
        | ApiResult::Users(_)
        | ApiResult::Certs(..)
        | ApiResult::AllCerts(_)
        | ApiResult::Scan(_) => vec![],
    }
}
