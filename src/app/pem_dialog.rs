//! The PEM dialog's keys: save (path, format, overwrite), copy, reveal,
//! scroll, and the questions before a key is let go. The dialog is worked
//! on where it lives, in `state.modal`: a panic anywhere in here leaves it,
//! and its key, where the exit path finds them.

use std::path::PathBuf;

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::{Action, Keymap, Scope};
use super::msg::{Command, Held};
use super::state::{Level, Modal, PemModal, PemPrompt, State};
pub use crate::pem::default_pem_name;

/// What a key asks of the rest of the state, once the dialog is let go.
enum Effect {
    None,
    Save {
        overwrite: bool,
    },
    Copy,
    /// Close; `release` when the key was let go on purpose (its
    /// written-ahead file goes too).
    Close {
        then_quit: bool,
        release: bool,
    },
    Status(Level, &'static str),
}

/// What the dialog's keys need to know besides the dialog itself.
struct Ctx<'a> {
    keymap: &'a Keymap,
    text_rows: u16,
    save_dir: Option<&'a str>,
    panic_key: Option<char>,
}

pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let keymap = state.env.keymap.clone();
    let save_dir = state.env.save_dir.clone();
    let ctx = Ctx {
        keymap: &keymap,
        text_rows: crate::layout::pem_text_rows(state.size),
        save_dir: save_dir.as_deref(),
        panic_key: state.env.test_panic_key,
    };
    let Some(Modal::Pem(m)) = &mut state.modal else {
        return vec![];
    };
    let effect = step(m, &ctx, key);
    apply(state, effect)
}

fn apply(state: &mut State, effect: Effect) -> Vec<Command> {
    match effect {
        Effect::None => vec![],
        Effect::Status(level, text) => {
            state.set_status(level, text);
            vec![]
        }
        Effect::Save { overwrite } => busy_with(state, |id, m| Command::SavePem {
            id,
            pem: m.pem.clone(),
            path: PathBuf::from(m.path.value().trim()),
            default_name: default_pem_name(&m.username, m.info.as_ref().map(|i| i.serial)),
            overwrite,
            split: m.split,
        }),
        Effect::Copy => busy_with(state, |id, m| Command::CopyPem {
            id,
            pem: m.pem.clone(),
        }),
        Effect::Close { then_quit, release } => {
            let Some(Modal::Pem(m)) = state.modal.take() else {
                return vec![];
            };
            state.quit |= then_quit;
            let handed = m.handed_over();
            let cmds = match (&m.held, release) {
                (Held::File(path), true) => vec![Command::ReleaseKey {
                    id: state.next_request(),
                    path: path.clone(),
                }],
                _ => vec![],
            };
            match (&m.held, release, handed) {
                (_, true, false) => state.set_status(
                    Level::Warn,
                    "The private key was discarded; the certificate stays valid until it expires",
                ),
                (Held::File(path), false, _) => {
                    state.kept_keys.push((m.username.clone(), path.clone()));
                    state.set_status(
                        Level::Warn,
                        format!(
                            "The key stays in {} (mode 0600) until you move it somewhere safe",
                            path.display()
                        ),
                    )
                }
                _ => {}
            }
            cmds
        }
    }
}

/// A save or copy: the dialog is busy with the request made of it.
fn busy_with(state: &mut State, make: impl FnOnce(u64, &PemModal) -> Command) -> Vec<Command> {
    let id = state.next_request();
    let Some(Modal::Pem(m)) = &mut state.modal else {
        return vec![];
    };
    m.busy = Some(id);
    vec![make(id, m)]
}

/// The PEM text scrolls until its last line is on screen, no further.
fn max_scroll(m: &PemModal, ctx: &Ctx<'_>) -> u16 {
    crate::layout::max_scroll(m.shown_line_count(), ctx.text_rows)
}

/// A question's answer, from the keymap's `Prompt` bindings.
fn answer(ctx: &Ctx<'_>, key: &KeyEvent) -> Option<Action> {
    ctx.keymap.action_for(Scope::Prompt, key)
}

fn step(m: &mut PemModal, ctx: &Ctx<'_>, key: KeyEvent) -> Effect {
    if let (Some(c), KeyCode::Char(k)) = (ctx.panic_key, key.code)
        && c == k
    {
        panic!("forced test panic inside the PEM dialog on key {k:?}");
    }
    let yes = answer(ctx, &key) == Some(Action::Yes);
    match std::mem::replace(&mut m.prompt, PemPrompt::None) {
        PemPrompt::SavePath => save_path_key(m, key, ctx.keymap.action_for(Scope::Input, &key)),
        PemPrompt::Overwrite(_) if yes => {
            m.prompt = PemPrompt::SavePath;
            Effect::Save { overwrite: true }
        }
        PemPrompt::Overwrite(_) => {
            m.prompt = PemPrompt::SavePath;
            Effect::None
        }
        PemPrompt::Discard { then_quit } if yes => Effect::Close {
            then_quit,
            release: true,
        },
        PemPrompt::Discard { .. } => Effect::None,
        // Copied only: did the paste work? Only a yes lets the kept file go;
        // a no closes and keeps it; any other key is back to the dialog.
        PemPrompt::CopyCheck { then_quit } => match answer(ctx, &key) {
            Some(Action::Yes) => Effect::Close {
                then_quit,
                release: true,
            },
            Some(Action::No) => Effect::Close {
                then_quit,
                release: false,
            },
            _ => Effect::None,
        },
        PemPrompt::None => idle_key(m, ctx, key),
    }
}

/// A key in the save-path prompt.
fn save_path_key(m: &mut PemModal, key: KeyEvent, act: Option<Action>) -> Effect {
    m.prompt = PemPrompt::SavePath;
    match act {
        Some(Action::Back) => m.prompt = PemPrompt::None,
        Some(Action::Confirm) if m.path.value().trim().is_empty() => {
            m.error = Some("Type a file path".into());
        }
        Some(Action::Confirm) => {
            m.error = None;
            return Effect::Save { overwrite: false };
        }
        Some(Action::SwitchField) => m.split = !m.split,
        // Quitting from the prompt asks as quitting from the dialog does.
        Some(Action::Quit) => return close_or_ask(m, true),
        _ => {
            m.path.handle_event(&Event::Key(key));
        }
    }
    Effect::None
}

fn idle_key(m: &mut PemModal, ctx: &Ctx<'_>, key: KeyEvent) -> Effect {
    match ctx.keymap.action_for(Scope::Pem, &key) {
        Some(Action::Save) => {
            m.prompt = PemPrompt::SavePath;
            if m.path.value().is_empty() {
                let name = default_pem_name(&m.username, m.info.as_ref().map(|i| i.serial));
                let dir = ctx.save_dir.unwrap_or(".");
                m.path = Input::new(format!("{}/{name}", dir.trim_end_matches('/')));
            }
        }
        Some(Action::Copy) if m.busy.is_some() => {
            return Effect::Status(Level::Warn, "Still busy with the last save or copy");
        }
        Some(Action::Copy) => return Effect::Copy,
        Some(Action::Reveal) => {
            m.reveal_key = !m.reveal_key;
            m.scroll = m.scroll.min(max_scroll(m, ctx));
        }
        Some(Action::Down) => m.scroll = m.scroll.saturating_add(1).min(max_scroll(m, ctx)),
        Some(Action::Up) => m.scroll = m.scroll.saturating_sub(1),
        Some(action @ (Action::Back | Action::Quit)) => {
            return close_or_ask(m, action == Action::Quit);
        }
        _ => {}
    }
    Effect::None
}

/// Closing: at once when the key is safe elsewhere, else a question.
fn close_or_ask(m: &mut PemModal, then_quit: bool) -> Effect {
    let kept_file = matches!(m.held, Held::File(_));
    if !m.saved_to.is_empty() || (m.copied.is_some() && !kept_file) {
        return Effect::Close {
            then_quit,
            release: false,
        };
    }
    m.prompt = if m.copied.is_some() {
        PemPrompt::CopyCheck { then_quit }
    } else {
        PemPrompt::Discard { then_quit }
    };
    Effect::None
}

/// Where this dialog's key is, in words, for a status line or the exit.
pub fn where_kept(m: &PemModal) -> String {
    let who = atlas_client::sanitize::line(&m.username, 80);
    match &m.held {
        Held::File(path) => format!(
            "the issued key for {who} was neither saved nor copied; it waits in {} (mode 0600)",
            path.display()
        ),
        Held::Off | Held::Failed(_) => {
            format!("the issued key for {who} was neither saved nor copied and is not on disk")
        }
        Held::Released => format!("the issued key for {who} was handed over"),
    }
}
