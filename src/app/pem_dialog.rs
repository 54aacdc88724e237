//! The PEM dialog's keys: save (path, format, overwrite), copy, reveal,
//! scroll, and the question before a key that was never handed over is
//! dropped.

use std::path::PathBuf;

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::{Action, Scope};
use super::msg::Command;
use super::state::{Level, Modal, PemModal, PemPrompt, State};
pub use crate::pem::default_pem_name;

/// The PEM text scrolls until its last line is on screen, no further.
fn pem_max_scroll(state: &State, m: &PemModal) -> u16 {
    crate::layout::max_scroll(
        m.shown_line_count(),
        crate::layout::pem_text_rows(state.size),
    )
}

fn save_command(state: &mut State, m: &mut PemModal, overwrite: bool) -> Command {
    let id = state.next_request();
    m.busy = Some(id);
    Command::SavePem {
        id,
        pem: m.pem.clone(),
        path: PathBuf::from(m.path.value().trim()),
        default_name: default_pem_name(&m.username, m.info.as_ref().map(|i| i.serial)),
        overwrite,
        split: m.split,
    }
}

/// A key in the save-path prompt; a command when it is time to save.
fn save_path_key(state: &mut State, m: &mut PemModal, key: KeyEvent) -> Option<Command> {
    m.prompt = PemPrompt::SavePath;
    match key.code {
        KeyCode::Esc => m.prompt = PemPrompt::None,
        KeyCode::Enter if m.path.value().trim().is_empty() => {
            m.error = Some("Type a file path".into());
        }
        KeyCode::Enter => {
            m.error = None;
            return Some(save_command(state, m, false));
        }
        // tui-input ignores Tab: it is free to switch the format.
        KeyCode::Tab => m.split = !m.split,
        _ => {
            m.path.handle_event(&Event::Key(key));
        }
    }
    None
}

pub(super) fn pem_key(
    state: &mut State,
    mut m: PemModal,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
    match std::mem::replace(&mut m.prompt, PemPrompt::None) {
        PemPrompt::SavePath => {
            if let Some(cmd) = save_path_key(state, &mut m, key) {
                return (Some(Modal::Pem(Box::new(m))), vec![cmd]);
            }
        }
        PemPrompt::Overwrite(path) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                let _ = path;
                m.prompt = PemPrompt::SavePath;
                let cmd = save_command(state, &mut m, true);
                return (Some(Modal::Pem(Box::new(m))), vec![cmd]);
            }
            _ => m.prompt = PemPrompt::SavePath,
        },
        PemPrompt::Discard { then_quit } => {
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    state.quit |= then_quit;
                    state.set_status(Level::Warn, "The private key was discarded; the certificate stays valid until it expires");
                    return (None, vec![]);
                }
                _ => {}
            }
        }
        PemPrompt::None => match state.env.keymap.action_for(Scope::Pem, &key) {
            Some(Action::Save) => {
                m.prompt = PemPrompt::SavePath;
                if m.path.value().is_empty() {
                    let name = default_pem_name(&m.username, m.info.as_ref().map(|i| i.serial));
                    let dir = state.env.save_dir.as_deref().unwrap_or(".");
                    let path = format!("{}/{name}", dir.trim_end_matches('/'));
                    m.path = Input::new(path);
                }
            }
            Some(Action::Copy) => {
                let id = state.next_request();
                m.busy = Some(id);
                let cmd = Command::CopyPem {
                    id,
                    pem: m.pem.clone(),
                };
                return (Some(Modal::Pem(Box::new(m))), vec![cmd]);
            }
            Some(Action::Reveal) => {
                m.reveal_key = !m.reveal_key;
                m.scroll = m.scroll.min(pem_max_scroll(state, &m));
            }
            Some(Action::Down) => {
                m.scroll = m.scroll.saturating_add(1).min(pem_max_scroll(state, &m));
            }
            Some(Action::Up) => m.scroll = m.scroll.saturating_sub(1),
            Some(action @ (Action::Back | Action::Quit)) => {
                let then_quit = action == Action::Quit;
                if m.handed_over() {
                    state.quit |= then_quit;
                    return (None, vec![]);
                }
                m.prompt = PemPrompt::Discard { then_quit };
            }
            _ => {}
        },
    }
    (Some(Modal::Pem(Box::new(m))), vec![])
}
