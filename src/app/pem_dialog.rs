//! The PEM dialog's keys: save (path, format, overwrite), copy, reveal,
//! scroll, and the questions before a key is let go. The dialog is worked
//! on where it lives, in `state.modal`: a panic anywhere in here leaves it,
//! and its key, where the exit path finds them.

use std::path::PathBuf;

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::certs::refresh_certs;
use super::keymap::{Action, Keymap, Scope};
use super::msg::{Command, Copied, Held, Issued, RequestId, SaveOutcome};
use super::state::{Level, Modal, PemModal, PemPrompt, State};
pub use crate::pem::default_pem_name;

/// What a key asks of the rest of the state, once the dialog is let go.
enum Effect {
    None,
    Save {
        overwrite: bool,
    },
    Copy,
    /// Not the key: a serial, a fingerprint, a command.
    CopyText(&'static str, String),
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
        Effect::CopyText(what, text) => super::copy_text::copy(state, what, text),
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
        Some(a @ (Action::CopySerial | Action::CopyFingerprint | Action::CopyMongosh)) => {
            return match super::copy_text::from_pem(m, a) {
                Ok((what, text)) => Effect::CopyText(what, text),
                Err(why) => Effect::Status(Level::Warn, why),
            };
        }
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

pub(super) fn on_issued(state: &mut State, issued: Issued) -> Vec<Command> {
    let username = issued.username.clone();
    if let Some(Modal::Pem(open)) = &state.modal
        && !open.handed_over()
    {
        // Never the case from the keys (the dialog holds the screen), but
        // a key must not push another out: say where the older one is.
        let words = super::pem_dialog::where_kept(open);
        state.set_status(Level::Error, words);
    }
    let issue_of = match &state.modal {
        Some(Modal::Issue(m)) => Some((m.group_id.clone(), m.username.clone())),
        _ => None,
    };
    let info_of = issued.info.clone();
    // Whatever was open, the key takes the screen first: it exists only here.
    let problem = issued.problem.clone();
    let held = issued.held.clone();
    state.modal = Some(Modal::Pem(Box::new(PemModal {
        pem: issued.pem,
        info: issued.info,
        problem: issued.problem,
        username: username.clone(),
        scroll: 0,
        reveal_key: false,
        saved_to: Vec::new(),
        split: false,
        copied: None,
        prompt: PemPrompt::None,
        path: Input::default(),
        busy: None,
        error: None,
        held: issued.held,
    })));
    // Only an answer that is what was asked replaces the user's row in the
    // expiring view: a certificate for another subject renews nothing.
    if let (Some((group_id, for_user)), Some(info), None) = (issue_of, info_of, &problem) {
        let cert = atlas_client::UserCert {
            id: info.serial,
            created_at: info.not_before,
            group_id: Some(group_id.clone()),
            not_after: info.not_after,
            subject: info.subject,
        };
        super::expiring::on_issued(state, &group_id, &for_user, cert);
    }
    let kept = match &held {
        Held::File(path) => format!(
            "until you save or copy it, the key is kept in {} (mode 0600)",
            path.display()
        ),
        Held::Off => {
            "the key is in memory only (key_write_ahead = false): save or copy it now".into()
        }
        Held::Failed(why) => {
            format!("the key could not be kept on disk ({why}): save or copy it now")
        }
        Held::Released => String::new(),
    };
    match problem {
        None => state.set_status(
            Level::Info,
            format!("Certificate issued; Atlas keeps no copy of the key: {kept}"),
        ),
        Some(why) => state.set_status(
            Level::Error,
            format!("{why}. The answer is kept as it is, since a certificate may have been issued: {kept}"),
        ),
    }
    if state.certs.owner.as_ref().is_some_and(|o| o.1 == username) {
        state.certs.jump_to_last = true;
        return refresh_certs(state);
    }
    vec![]
}

pub(super) fn on_saved(state: &mut State, id: RequestId, outcome: SaveOutcome) -> Vec<Command> {
    let mut release = None;
    if let Some(Modal::Pem(m)) = &mut state.modal
        && m.busy == Some(id)
    {
        m.busy = None;
        match outcome {
            SaveOutcome::Saved(paths) => {
                m.prompt = PemPrompt::None;
                m.error = None;
                let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                m.saved_to = paths;
                // The key is on disk where the user wants it: the kept copy
                // goes, unless the user saved over the kept file itself.
                if let Held::File(path) = &m.held
                    && !m.saved_to.contains(path)
                {
                    release = Some(path.clone());
                    m.held = Held::Released;
                }
                let text = format!("Saved to {} (the key with mode 0600)", shown.join(" and "));
                state.set_status(Level::Info, text);
            }
            SaveOutcome::Exists(path) => m.prompt = PemPrompt::Overwrite(path),
            SaveOutcome::Failed(path, why) => {
                m.prompt = PemPrompt::SavePath;
                m.error = Some(format!("Could not save to {}: {why}", path.display()));
            }
        }
    }
    match release {
        Some(path) => vec![Command::ReleaseKey {
            id: state.next_request(),
            path,
        }],
        None => vec![],
    }
}

/// The written-ahead copy is gone, or is still there and the user is told.
pub(super) fn on_released(
    state: &mut State,
    res: Result<std::path::PathBuf, String>,
) -> Vec<Command> {
    if let Err(why) = res {
        state.set_status(
            Level::Warn,
            format!("The key's kept copy could not be removed ({why}): delete it yourself"),
        );
    }
    vec![]
}

pub(super) fn on_copied(
    state: &mut State,
    id: RequestId,
    res: Result<Copied, String>,
) -> Vec<Command> {
    if let Some(Modal::Pem(m)) = &mut state.modal
        && m.busy == Some(id)
    {
        m.busy = None;
        match res {
            Ok(copied) => {
                let text = format!("Copied the PEM {}", copied.how);
                m.copied = Some(copied.how);
                m.error = None;
                state.set_status(Level::Info, text);
            }
            Err(e) => {
                m.error = Some(format!(
                    "Could not copy: {e}. Save it to a file instead (s)"
                ))
            }
        }
    }
    vec![]
}
