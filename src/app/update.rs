//! `update(&mut State, Msg) -> Vec<Command>`: the whole behaviour of the app,
//! pure — no I/O, no clock, no terminal.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::EventHandler;

use super::certs::{change_per_page, fetch_certs, flip_page, on_certs, reload_certs, reset_certs};
use super::keymap::{Action, Scope};
use super::modals;
use super::mouse::on_mouse;
use super::msg::{ApiResult, Command, Msg, RequestId};
use super::state::{CertSort, HelpView, Level, Modal, Pane, State};
use atlas_client::{PageRequest, X509Type};

/// Quiet time before following a moving selection with a request.
pub const DEBOUNCE_MS: u64 = 150;
pub(super) const PER_PAGE_STEPS: [u32; 5] = [25, 50, 100, 200, 500];
const LIST_PAGE: u32 = 100;

pub fn init(state: &mut State) -> Vec<Command> {
    if let Some(first) = state.env.notes.first().cloned() {
        let more = state.env.notes.len() - 1;
        let text = if more > 0 {
            format!("config: {first} (+{more} more: atlas-x509 config show)")
        } else {
            format!("config: {first}")
        };
        state.set_status(Level::Warn, text);
    }
    vec![fetch_projects(state, 1)]
}

/// On the first page of projects: open the default project, if any.
fn select_default_project(state: &mut State) {
    let Some(want) = state.env.default_project.clone() else {
        return;
    };
    match state
        .projects
        .visible()
        .iter()
        .position(|i| state.projects.items[i].id == want)
    {
        Some(row) => {
            state.projects.selected = row;
            state.focus = Pane::Users;
        }
        None => state.set_status(
            Level::Warn,
            format!("The default project {want} is not among the projects these credentials see"),
        ),
    }
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Tick { now, mono_ms } => tick(state, now, mono_ms),
        Msg::Key(key) if key.kind == KeyEventKind::Release => vec![],
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => {
            modals::paste(state, &text);
            vec![]
        }
        Msg::Api(id, result) => on_api(state, id, result),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            vec![]
        }
        Msg::Mouse(m) => on_mouse(state, m),
        Msg::Waiting { secs, status } => {
            let why = match status {
                429 => "Rate limited by Atlas".to_string(),
                0 => "The connection failed".to_string(),
                s => format!("Atlas answered {s}"),
            };
            state.set_status(Level::Warn, format!("{why}: retrying in {} s", secs.max(1)));
            vec![]
        }
        Msg::Fatal(text) => {
            state.fatal = Some(text);
            state.quit = true;
            vec![]
        }
    }
}

fn tick(state: &mut State, now: jiff::Timestamp, mono_ms: u64) -> Vec<Command> {
    state.now = now;
    state.mono_ms = mono_ms;
    if state.status.as_ref().is_some_and(|s| s.until_ms <= mono_ms) {
        state.status = None;
    }
    let mut cmds = vec![];
    if state.users_due.is_some_and(|due| due <= mono_ms) {
        state.users_due = None;
        cmds.extend(fetch_users(state, 1));
    }
    if state.certs_due.is_some_and(|due| due <= mono_ms) {
        state.certs_due = None;
        let page = state.certs.page;
        cmds.extend(fetch_certs(state, page, false));
    }
    cmds
}

pub(super) fn fetch_projects(state: &mut State, page: u32) -> Command {
    let id = state.next_request();
    state.projects.loading = Some(id);
    Command::FetchProjects {
        id,
        page: PageRequest::new(page, LIST_PAGE),
    }
}

fn fetch_users(state: &mut State, page: u32) -> Option<Command> {
    let group_id = state.users_owner.clone()?;
    let id = state.next_request();
    state.users.loading = Some(id);
    Some(Command::FetchUsers {
        id,
        group_id,
        page: PageRequest::new(page, LIST_PAGE),
    })
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    // Suspending is allowed anywhere, dialogs and text inputs included.
    if state.env.keymap.action_for(Scope::Global, &key) == Some(Action::Suspend) {
        state.suspend = true;
        return vec![];
    }
    if state.modal.is_some() {
        return modals::on_key(state, key);
    }
    if state.expiring.as_ref().is_some_and(|v| v.shown) {
        return super::expiring::on_key(state, key);
    }
    if let Some(cmds) = filter_key(state, key) {
        return cmds;
    }
    let scope = match state.focus {
        Pane::Projects => Scope::Projects,
        Pane::Users => Scope::Users,
        Pane::Certs => Scope::Certs,
    };
    match state.env.keymap.action_for(scope, &key) {
        Some(action) => on_action(state, action),
        None => vec![],
    }
}

/// Keys typed into an active filter. `None` when no filter is being edited.
fn filter_key(state: &mut State, key: KeyEvent) -> Option<Vec<Command>> {
    let focus = state.focus;
    let editing = match focus {
        Pane::Projects => state.projects.filter_editing,
        Pane::Users => state.users.filter_editing,
        Pane::Certs => state.certs.filter_editing,
    };
    if !editing {
        return None;
    }
    let act = state.env.keymap.action_for(Scope::Input, &key);
    if act == Some(Action::Quit) {
        state.quit = true;
        return Some(vec![]);
    }
    if focus == Pane::Certs {
        let before = state.certs.selected_cert().map(|c| c.id);
        let c = &mut state.certs;
        return Some(
            match filter_edit(&mut c.filter, &mut c.filter_editing, key, act) {
                FilterEdit::Cleared | FilterEdit::Typed => {
                    super::cert_view::view_changed(state, before)
                }
                FilterEdit::Done => vec![],
            },
        );
    }
    let before = selected_key(state, focus);
    match focus {
        Pane::Projects => edit_filter(&mut state.projects, key, act, before.as_deref()),
        _ => edit_filter(&mut state.users, key, act, before.as_deref()),
    }
    Some(follow_selection(state, focus, before))
}

enum FilterEdit {
    Typed,
    Cleared,
    Done,
}

/// `act`: the key's meaning among the typing keys (the keymap's `Input`).
fn filter_edit(
    filter: &mut tui_input::Input,
    editing: &mut bool,
    key: KeyEvent,
    act: Option<Action>,
) -> FilterEdit {
    match (act, key.code) {
        (Some(Action::Back), _) => {
            filter.reset();
            *editing = false;
            FilterEdit::Cleared
        }
        (Some(Action::Confirm | Action::SwitchField), _) | (_, KeyCode::Down | KeyCode::Up) => {
            *editing = false;
            FilterEdit::Done
        }
        _ => {
            filter.handle_event(&Event::Key(key));
            FilterEdit::Typed
        }
    }
}

/// Typing jumps to the first match; clearing keeps the item that was
/// selected (it is still there, somewhere in the longer list).
fn edit_filter<T: super::list::Filterable>(
    list: &mut super::list::ListPane<T>,
    key: KeyEvent,
    act: Option<Action>,
    before: Option<&str>,
) {
    match filter_edit(&mut list.filter, &mut list.filter_editing, key, act) {
        FilterEdit::Typed => list.selected = 0,
        FilterEdit::Cleared => {
            if let Some(k) = before {
                list.select_key(k);
            }
        }
        FilterEdit::Done => {}
    }
    list.clamp_selection();
}

/// Selects the certificate with this serial if it is shown, else the first.
pub(super) fn reselect_cert(c: &mut super::state::CertsPane, serial: Option<u64>) {
    c.selected = serial
        .and_then(|id| c.rows().iter().position(|r| r.id == id))
        .unwrap_or(0);
}

/// What identifies the selection of a pane, to tell whether it changed.
fn selected_key(state: &State, pane: Pane) -> Option<String> {
    match pane {
        Pane::Projects => state.selected_project().map(|p| p.id.clone()),
        Pane::Users => state.selected_user().map(|u| u.username().to_string()),
        Pane::Certs => None,
    }
}

/// After anything that may move a list's selection: reload what depends on it.
fn follow_selection(state: &mut State, pane: Pane, before: Option<String>) -> Vec<Command> {
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

fn more_if_near_end(state: &mut State, pane: Pane) -> Vec<Command> {
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

fn project_changed(state: &mut State, now: bool) {
    state.users.reset();
    state.users_owner = state.selected_project().map(|p| p.id.clone());
    state.users_due = state
        .users_owner
        .as_ref()
        .map(|_| state.mono_ms + if now { 0 } else { DEBOUNCE_MS });
    reset_certs(state, None, None);
}

fn user_changed(state: &mut State, now: bool) {
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

fn on_action(state: &mut State, action: Action) -> Vec<Command> {
    let focus = state.focus;
    match action {
        Action::Quit => {
            state.quit = true;
            vec![]
        }
        Action::FocusNext | Action::FocusPrev => {
            let i = Pane::ALL.iter().position(|p| *p == focus).unwrap_or(0);
            let step = if action == Action::FocusNext {
                1
            } else {
                Pane::ALL.len() - 1
            };
            state.focus = Pane::ALL[(i + step) % Pane::ALL.len()];
            vec![]
        }
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => {
            let delta: i64 = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -10,
                Action::PageDown => 10,
                Action::Top => i64::MIN / 2,
                _ => i64::MAX / 2,
            };
            move_selection(state, focus, delta)
        }
        Action::NextPage | Action::PrevPage => flip_page(state, action == Action::NextPage),
        Action::MorePerPage | Action::FewerPerPage => {
            change_per_page(state, action == Action::MorePerPage)
        }
        Action::Filter => {
            match focus {
                Pane::Projects => state.projects.filter_editing = true,
                Pane::Users => state.users.filter_editing = true,
                Pane::Certs => state.certs.filter_editing = true,
            }
            vec![]
        }
        Action::Refresh => refresh(state, focus),
        Action::Sort | Action::Reverse => sort_certs(state, action == Action::Sort),
        Action::Details => {
            modals::open_details(state);
            vec![]
        }
        Action::Issue => modals::open_issue(state),
        Action::DisableCustomerX509 => modals::open_disable(state),
        Action::Expiring => super::expiring::open(state),
        Action::UploadCa => {
            super::upload_ca::open(state);
            vec![]
        }
        Action::CreateUser => {
            super::create_user::open(state);
            vec![]
        }
        Action::Help => {
            state.modal = Some(Modal::Help(HelpView::default()));
            vec![]
        }
        Action::Messages => {
            state.modal = Some(Modal::Messages(Default::default()));
            vec![]
        }
        Action::Back => back(state, focus),
        _ => vec![],
    }
}

/// `r`: load the focused pane again, keeping the item (or the page and the
/// certificate) the user was on.
/// The users list read again, keeping the selection.
pub(super) fn refresh_users(state: &mut State) -> Vec<Command> {
    refresh(state, Pane::Users)
}

fn refresh(state: &mut State, focus: Pane) -> Vec<Command> {
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

/// `o` cycles the sort column, `O` reverses; the selected certificate stays.
fn sort_certs(state: &mut State, cycle: bool) -> Vec<Command> {
    let keep = state.certs.selected_cert().map(|c| c.id);
    let c = &mut state.certs;
    if cycle {
        c.sort = match c.sort {
            CertSort::Created => CertSort::Expires,
            CertSort::Expires => CertSort::Created,
        };
    } else {
        c.descending = !c.descending;
    }
    super::cert_view::view_changed(state, keep)
}

/// Esc in a pane: clear its filter (keeping the selected item), or the
/// status line.
fn back(state: &mut State, focus: Pane) -> Vec<Command> {
    let filtered = match focus {
        Pane::Projects => !state.projects.filter.value().is_empty(),
        Pane::Users => !state.users.filter.value().is_empty(),
        Pane::Certs => !state.certs.filter.value().is_empty(),
    };
    if !filtered {
        state.status = None;
        return vec![];
    }
    // Clearing a filter keeps the selected item selected.
    let before = selected_key(state, focus);
    match focus {
        Pane::Projects => {
            state.projects.filter.reset();
            if let Some(k) = &before {
                state.projects.select_key(k);
            }
        }
        Pane::Users => {
            state.users.filter.reset();
            if let Some(k) = &before {
                state.users.select_key(k);
            }
        }
        Pane::Certs => {
            let keep = state.certs.selected_cert().map(|c| c.id);
            state.certs.filter.reset();
            return super::cert_view::view_changed(state, keep);
        }
    }
    follow_selection(state, focus, before)
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

fn on_api(state: &mut State, id: RequestId, result: ApiResult) -> Vec<Command> {
    let result = match result {
        ApiResult::Scan(event) => {
            super::expiring::on_scan(state, id, event);
            return vec![];
        }
        r => r,
    };
    match result {
        ApiResult::Projects(res) => {
            let refreshing = state.projects.reselect.is_some();
            let failed = res.as_ref().err().cloned();
            let accepted = state.projects.accept(id, res, LIST_PAGE);
            if accepted.is_some() {
                pane_error_to_messages(state, "Projects", failed);
            }
            if accepted == Some(true) {
                // A refresh that found the same project keeps what hangs off it.
                if refreshing
                    && state.selected_project().map(|p| &p.id) == state.users_owner.as_ref()
                {
                    return vec![];
                }
                if !refreshing {
                    select_default_project(state);
                }
                project_changed(state, true);
                return tick_now(state);
            }
            vec![]
        }
        ApiResult::Users(res) => {
            let refreshing = state.users.reselect.is_some();
            let failed = res.as_ref().err().cloned();
            let accepted = state.users.accept(id, res, LIST_PAGE);
            if accepted.is_some() {
                pane_error_to_messages(state, "Database users", failed);
            }
            if accepted == Some(true) {
                let same = state.selected_user().map(|u| u.username())
                    == state.certs.owner.as_ref().map(|o| o.1.as_str());
                if refreshing && same {
                    return vec![];
                }
                user_changed(state, true);
                return tick_now(state);
            }
            vec![]
        }
        ApiResult::Certs(page_num, res) => on_certs(state, id, page_num, res),
        ApiResult::AllCerts(res) => {
            super::cert_view::on_whole(state, id, res);
            vec![]
        }
        other => modals::on_api(state, id, other),
    }
}

/// A pane's error is cut to fit the pane: the message list has it whole.
pub(super) fn pane_error_to_messages(state: &mut State, pane: &str, error: Option<String>) {
    if let Some(e) = error {
        let now = state.now;
        state
            .messages
            .push(now, Level::Error, &format!("{pane}: {e}"));
    }
}

/// Sends what is due right now (loads that need no debounce).
fn tick_now(state: &mut State) -> Vec<Command> {
    let (now, mono) = (state.now, state.mono_ms);
    tick(state, now, mono)
}
