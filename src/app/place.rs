//! Opening at the starting place: its project is looked for page by page as
//! the projects arrive, then its user among that project's users. Nothing
//! is followed (no users or certificates read) until the search ends, so
//! the first project is not loaded for nothing.

use super::lists::{fetch_projects, fetch_users, project_changed, user_changed};
use super::msg::Command;
use super::state::{Level, Pane, State};
use super::update::tick_now;

/// How far the search walks: 100 pages of 100 (a server that always says
/// "more" cannot keep it going).
const MAX_PAGES: u32 = 100;

/// After a page of projects that was not a refresh. `None`: no search is
/// under way, the page is handled as usual.
pub(super) fn after_projects(state: &mut State, ok: bool) -> Option<Vec<Command>> {
    let want = state.seeking.as_ref()?.clone();
    if !ok {
        state.seeking = None;
        return None;
    }
    let row = state
        .projects
        .visible()
        .iter()
        .position(|i| state.projects.items[i].answers_to(&want.project));
    match row {
        Some(row) => {
            state.projects.selected = row;
            state.focus = match want.pane {
                Pane::Projects => Pane::Projects,
                _ => Pane::Users,
            };
            if want.user.is_none() {
                state.seeking = None;
            }
        }
        None if state.projects.more && state.projects.pages_loaded < MAX_PAGES => {
            let next = state.projects.pages_loaded + 1;
            return Some(vec![fetch_projects(state, next)]);
        }
        None => {
            state.seeking = None;
            if !want.remembered {
                state.set_status(
                    Level::Warn,
                    format!(
                        "The project {} is not among the projects these credentials see",
                        want.project
                    ),
                );
            }
        }
    }
    project_changed(state, true);
    Some(tick_now(state))
}

/// After a page of the starting project's users.
pub(super) fn after_users(state: &mut State, ok: bool) -> Option<Vec<Command>> {
    let want = state.seeking.as_ref()?.clone();
    let user = want.user.as_deref()?;
    if state.users_owner.as_deref() != Some(want.project.as_str()) {
        return None;
    }
    if !ok {
        state.seeking = None;
        return None;
    }
    let row = state
        .users
        .visible()
        .iter()
        .position(|i| state.users.items[i].username() == user);
    match row {
        Some(row) => {
            state.users.selected = row;
            state.focus = want.pane;
        }
        None if state.users.more && state.users.pages_loaded < MAX_PAGES => {
            let next = state.users.pages_loaded + 1;
            return Some(fetch_users(state, next).into_iter().collect());
        }
        None => {}
    }
    state.seeking = None;
    user_changed(state, true);
    Some(tick_now(state))
}

/// The user moved first: the search ends where they are, and the pane they
/// left waiting is loaded.
pub(super) fn stop(state: &mut State) {
    if state.seeking.take().is_none() {
        return;
    }
    if state.users_owner.is_none() {
        project_changed(state, false);
    } else if state.certs.owner.is_none() && state.users.loading.is_none() {
        user_changed(state, false);
    }
}
