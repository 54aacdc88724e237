//! `update(&mut State, Msg) -> Vec<Command>`: the whole behaviour of the app,
//! pure — no I/O, no clock, no terminal.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::EventHandler;

use super::certs::{PageJump, change_per_page, fetch_certs, flip_page, on_certs};
use super::keymap::{Action, Scope};
use super::lists::{
    LIST_PAGE, fetch_projects, fetch_users, follow_selection, move_selection, project_changed,
    refresh, selected_key, user_changed,
};
use super::modals;
use super::mouse::on_mouse;
use super::msg::{ApiResult, Command, Msg, RequestId};
use super::state::{CertSort, HelpView, Level, Modal, Pane, State};

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

pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    let before = failure_of(state);
    let cmds = dispatch(state, msg);
    let after = failure_of(state);
    // Said once: a status line that already logged it is enough.
    if let Some((level, e, text)) = after
        && Some(&text) != before.as_ref().map(|b| &b.2)
        && !state
            .messages
            .newest_first()
            .next()
            .is_some_and(|m| m.text.contains(e.as_str()))
    {
        let now = state.now;
        state.messages.push(now, level, &text);
    }
    cmds
}

/// (level, what failed, "Dialog: what failed") as the message list keeps it.
fn failure_of(state: &State) -> Option<(Level, String, String)> {
    let (dialog, level, e) = state.modal.as_ref()?.failure()?;
    Some((level, e.to_string(), format!("{dialog}: {e}")))
}

fn dispatch(state: &mut State, msg: Msg) -> Vec<Command> {
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
    match state.env.keymap.action_for(state.focus.scope(), &key) {
        Some(action) => on_action(state, action),
        None => vec![],
    }
}

/// Keys typed into an active filter. `None` when no filter is being edited.
fn filter_key(state: &mut State, key: KeyEvent) -> Option<Vec<Command>> {
    let focus = state.focus;
    if !state.pane(focus).filter_editing() {
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
fn edit_filter<T: super::state::Filterable>(
    list: &mut super::state::ListPane<T>,
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
            // A screen of the pane, as the terminal shows it now.
            let index = Pane::ALL.iter().position(|p| *p == focus).unwrap_or(0);
            let page = i64::from(crate::layout::pane_rows(state.size, index).unwrap_or(10));
            let delta: i64 = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -page,
                Action::PageDown => page,
                Action::Top => i64::MIN / 2,
                _ => i64::MAX / 2,
            };
            move_selection(state, focus, delta)
        }
        Action::NextPage => flip_page(state, PageJump::Next),
        Action::PrevPage => flip_page(state, PageJump::Prev),
        Action::FirstPage => flip_page(state, PageJump::First),
        Action::LastPage => flip_page(state, PageJump::Last),
        Action::Open => {
            if let Some(next) = focus.next() {
                state.focus = next;
            }
            vec![]
        }
        Action::Command => {
            super::command_line::open(state);
            vec![]
        }
        Action::MorePerPage | Action::FewerPerPage => {
            change_per_page(state, action == Action::MorePerPage)
        }
        Action::Filter => {
            state.pane_mut(focus).set_filter_editing(true);
            vec![]
        }
        Action::Refresh => refresh(state, focus),
        Action::Sort | Action::Reverse => sort_certs(state, action == Action::Sort),
        Action::Details => {
            modals::open_details(state);
            vec![]
        }
        Action::Issue => super::issue::open(state),
        Action::DisableCustomerX509 => super::disable::open(state),
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

/// Esc in a pane: clear its filter (keeping the selected item), else go
/// back a pane, else clear the status line.
fn back(state: &mut State, focus: Pane) -> Vec<Command> {
    if state.pane(focus).filter().value().is_empty() {
        state.status = None;
        if let Some(p) = focus.prev() {
            state.focus = p;
        }
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
            let ok = failed.is_none();
            if accepted.is_some() {
                state.log_pane_error("Projects", failed);
            }
            if accepted.is_some()
                && !refreshing
                && let Some(cmds) = super::place::after_projects(state, ok)
            {
                return cmds;
            }
            if accepted == Some(true) {
                // A refresh that found the same project keeps what hangs off it.
                if refreshing
                    && state.selected_project().map(|p| &p.id) == state.users_owner.as_ref()
                {
                    return vec![];
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
            let ok = failed.is_none();
            if accepted.is_some() {
                state.log_pane_error("Database users", failed);
            }
            if accepted.is_some()
                && !refreshing
                && let Some(cmds) = super::place::after_users(state, ok)
            {
                return cmds;
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

/// Sends what is due right now (loads that need no debounce).
pub(super) fn tick_now(state: &mut State) -> Vec<Command> {
    let (now, mono) = (state.now, state.mono_ms);
    tick(state, now, mono)
}
