//! The projects and users panes, and what every pane shares: loading a
//! list, following the selection to the next pane, refreshing.

use super::certs::{reload_certs, reset_certs};
use super::msg::Command;
use super::state::{Pane, State};
use atlas_client::{PageRequest, X509Type};

pub(super) const LIST_PAGE: u32 = 100;
/// Quiet time before following a moving selection with a request.
pub const DEBOUNCE_MS: u64 = 150;

pub(super) fn fetch_projects(state: &mut State, page: u32) -> Command {
    let id = state.next_request();
    state.projects.loading = Some(id);
    Command::FetchProjects {
        id,
        page: PageRequest::new(page, LIST_PAGE),
    }
}

pub(super) fn fetch_users(state: &mut State, page: u32) -> Option<Command> {
    let group_id = state.users_owner.clone()?;
    let id = state.next_request();
    state.users.loading = Some(id);
    Some(Command::FetchUsers {
        id,
        group_id,
        page: PageRequest::new(page, LIST_PAGE),
    })
}

/// What identifies the selection of a pane, to tell whether it changed.
pub(super) fn selected_key(state: &State, pane: Pane) -> Option<String> {
    match pane {
        Pane::Projects => state.selected_project().map(|p| p.id.clone()),
        Pane::Users => state.selected_user().map(|u| u.username().to_string()),
        Pane::Certs => None,
    }
}

/// After anything that may move a list's selection: reload what depends on it.
pub(super) fn follow_selection(
    state: &mut State,
    pane: Pane,
    before: Option<String>,
) -> Vec<Command> {
    if pane != Pane::Certs {
        super::place::stop(state);
    }
    if selected_key(state, pane) == before {
        return more_if_near_end(state, pane);
    }
    match pane {
        Pane::Projects => project_changed(state, false),
        Pane::Users => user_changed(state, false),
        Pane::Certs => {}
    }
    more_if_near_end(state, pane)
}

pub(super) fn more_if_near_end(state: &mut State, pane: Pane) -> Vec<Command> {
    match pane {
        Pane::Projects
            if state.projects.more
                && state.projects.loading.is_none()
                && state.projects.near_end() =>
        {
            let next = state.projects.pages_loaded + 1;
            vec![fetch_projects(state, next)]
        }
        Pane::Users
            if state.users.more && state.users.loading.is_none() && state.users.near_end() =>
        {
            let next = state.users.pages_loaded + 1;
            fetch_users(state, next).into_iter().collect()
        }
        _ => vec![],
    }
}

pub(super) fn project_changed(state: &mut State, now: bool) {
    state.users.reset();
    state.users_owner = state.selected_project().map(|p| p.id.clone());
    state.users_due = state
        .users_owner
        .as_ref()
        .map(|_| state.mono_ms + if now { 0 } else { DEBOUNCE_MS });
    reset_certs(state, None, None);
}

pub(super) fn user_changed(state: &mut State, now: bool) {
    let owner = state.users_owner.clone();
    let Some(user) = state.selected_user().cloned() else {
        reset_certs(state, None, None);
        return;
    };
    let note = (user.x509_type != X509Type::Managed).then(|| match user.x509_type {
        X509Type::Customer => {
            "CUSTOMER user: its certificates come from your own CA, so Atlas lists none."
                .to_string()
        }
        _ => format!(
            "x509Type {}: this user does not authenticate with X.509.",
            user.x509_type.as_str()
        ),
    });
    let has_note = note.is_some();
    reset_certs(state, owner.map(|g| (g, user.username().to_string())), note);
    if !has_note {
        state.certs_due = Some(state.mono_ms + if now { 0 } else { DEBOUNCE_MS });
    }
}

/// `r`: load the focused pane again, keeping the item (or the page and the
/// certificate) the user was on.
/// The users list read again, keeping the selection.
pub(super) fn refresh_users(state: &mut State) -> Vec<Command> {
    refresh(state, Pane::Users)
}

pub(super) fn refresh(state: &mut State, focus: Pane) -> Vec<Command> {
    match focus {
        Pane::Projects => {
            let keep = state.projects.selected_key();
            state.projects.reset();
            state.projects.reselect = keep;
            vec![fetch_projects(state, 1)]
        }
        Pane::Users => {
            let keep = state.users.selected_key();
            state.users.reset();
            state.users.reselect = keep;
            fetch_users(state, 1).into_iter().collect()
        }
        Pane::Certs => {
            let (page, keep) = (state.certs.page, state.certs.selected_cert().map(|c| c.id));
            reload_certs(state, page, keep)
        }
    }
}

pub(super) fn move_selection(state: &mut State, pane: Pane, delta: i64) -> Vec<Command> {
    match pane {
        Pane::Projects | Pane::Users => {
            let waiting = match pane {
                Pane::Projects => {
                    state.projects.items.is_empty() && state.projects.loading.is_some()
                }
                _ => {
                    state.users.items.is_empty()
                        && (state.users.loading.is_some() || state.users_due.is_some())
                }
            };
            if waiting {
                // Not dropped: applied when the first page arrives.
                let list_moves = match pane {
                    Pane::Projects => &mut state.projects.pending_moves,
                    _ => &mut state.users.pending_moves,
                };
                *list_moves = list_moves.saturating_add(delta);
                return vec![];
            }
            let before = selected_key(state, pane);
            match pane {
                Pane::Projects => state.projects.move_by(delta),
                _ => state.users.move_by(delta),
            };
            follow_selection(state, pane, before)
        }
        Pane::Certs => {
            let c = &mut state.certs;
            if c.rows().is_empty() && (c.loading.is_some() || state.certs_due.is_some()) {
                c.pending_moves = c.pending_moves.saturating_add(delta);
                return vec![];
            }
            let len = state.certs.rows().len() as i64;
            if len > 0 {
                state.certs.selected =
                    (state.certs.selected as i64 + delta).clamp(0, len - 1) as usize;
            }
            vec![]
        }
    }
}
