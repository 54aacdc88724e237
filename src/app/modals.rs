//! The modal dialogs: issue, PEM hand-over, disable customer X.509, help.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::certs::refresh_certs;
use super::hints::help_lines;
use super::keymap::{Action, Scope};
use super::msg::{ApiResult, Command, Copied, Held, IssueFailure, Issued, RequestId, SaveOutcome};
use super::state::{
    CertDetail, DisableModal, DisableStage, HelpView, IssueModal, Level, Modal, PemModal,
    PemPrompt, State,
};
use atlas_client::UserSecurity;

pub fn open_issue(state: &mut State) -> Vec<Command> {
    let Some(user) = state.selected_user().cloned() else {
        state.set_status(Level::Warn, "Select a database user first");
        return vec![];
    };
    if let Some(why) = State::issue_blocker(&user) {
        state.set_status(Level::Warn, why);
        return vec![];
    }
    let Some(project) = state.selected_project().cloned() else {
        return vec![];
    };
    state.modal = Some(Modal::Issue(IssueModal {
        group_id: project.id,
        project: project.name,
        username: user.username().to_string(),
        months: state.env.default_months.clamp(1, 24),
        typed: String::new(),
        in_flight: None,
        error: None,
        maybe_issued: false,
    }));
    vec![]
}

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
    mut view: super::messages::MessagesView,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
    let rows = crate::layout::messages_inner(state.size).1;
    let max = super::messages::max_scroll(&state.messages, state.size);
    let Some(scroll) = scroll_key(state, view.scroll, max, rows, key) else {
        return (None, vec![]);
    };
    view.scroll = scroll;
    (Some(Modal::Messages(view)), vec![])
}

pub fn open_disable(state: &mut State) -> Vec<Command> {
    let Some(project) = state.selected_project().cloned() else {
        return vec![];
    };
    let id = state.next_request();
    state.modal = Some(Modal::Disable(DisableModal {
        group_id: project.id.clone(),
        project: project.name,
        stage: DisableStage::Loading(id),
        note: None,
    }));
    vec![Command::FetchSecurity {
        id,
        group_id: project.id,
    }]
}

pub fn paste(state: &mut State, text: &str) {
    let line: String = text.chars().filter(|c| !c.is_control()).collect();
    let input = match &mut state.modal {
        Some(Modal::Pem(m)) if m.prompt == PemPrompt::SavePath => &mut m.path,
        Some(Modal::Disable(DisableModal {
            stage: DisableStage::Confirm { typed, .. },
            ..
        })) => typed,
        Some(Modal::CreateUser(m)) if m.stage == super::create_user::Stage::Form => match m.field {
            super::create_user::Field::Username => &mut m.username,
            super::create_user::Field::Roles => &mut m.roles,
        },
        Some(Modal::Upload(m)) => match &mut m.stage {
            super::upload_ca::Stage::Path => &mut m.path,
            super::upload_ca::Stage::Confirm { typed, .. } => typed,
            _ => return,
        },
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
        Modal::CertDetail(d) => match state.env.keymap.action_for(Scope::Help, &key) {
            Some(Action::Quit) => {
                state.quit = true;
                (None, vec![])
            }
            Some(Action::Back) => (None, vec![]),
            _ if key.code == KeyCode::Enter => (None, vec![]),
            _ => (Some(Modal::CertDetail(d)), vec![]),
        },
        Modal::Issue(m) => issue_key(state, m, key),
        // Handled in place above: never taken out of the state.
        Modal::Pem(m) => (Some(Modal::Pem(m)), vec![]),
        Modal::Disable(m) => disable_key(state, m, key),
        Modal::CreateUser(m) => super::create_user::on_key(state, m, key),
        Modal::Upload(m) => super::upload_ca::on_key(state, m, key),
    };
    state.modal = modal;
    cmds
}

fn issue_key(state: &mut State, mut m: IssueModal, key: KeyEvent) -> (Option<Modal>, Vec<Command>) {
    if m.in_flight.is_some() {
        // A certificate is on its way: its key must not be dropped.
        if state.env.keymap.action_for(Scope::Issue, &key).is_some() {
            state.set_status(
                Level::Warn,
                "Issuing… wait for the key: Atlas shows it only once",
            );
        }
        return (Some(Modal::Issue(m)), vec![]);
    }
    if let KeyCode::Char(d) = key.code
        && let Some(digit) = d.to_digit(10)
    {
        let candidate = format!("{}{digit}", m.typed);
        match candidate.parse::<u8>() {
            Ok(n) if (1..=24).contains(&n) => {
                m.months = n;
                m.typed = candidate;
            }
            _ if digit >= 1 => {
                m.months = digit as u8;
                m.typed = digit.to_string();
            }
            _ => m.typed.clear(),
        }
        return (Some(Modal::Issue(m)), vec![]);
    }
    let action = state.env.keymap.action_for(Scope::Issue, &key);
    if action.is_some() {
        m.typed.clear();
    }
    match action {
        Some(Action::Less) => m.months = m.months.saturating_sub(1).max(1),
        Some(Action::More) => m.months = (m.months + 1).min(24),
        Some(Action::Min) => m.months = 1,
        Some(Action::Max) => m.months = 24,
        Some(Action::Back) => return (None, vec![]),
        Some(Action::Quit) => {
            state.quit = true;
            return (None, vec![]);
        }
        Some(Action::Confirm) if m.maybe_issued => {
            state.set_status(
                Level::Warn,
                "A certificate may already have been issued: check the refreshed list; press a to issue another anyway",
            );
        }
        Some(Action::Confirm | Action::IssueAgain) => {
            if action == Some(Action::IssueAgain) && !m.maybe_issued {
                return (Some(Modal::Issue(m)), vec![]);
            }
            let id = state.next_request();
            m.in_flight = Some(id);
            m.error = None;
            m.maybe_issued = false;
            let cmd = Command::CreateCert {
                id,
                group_id: m.group_id.clone(),
                username: m.username.clone(),
                months: m.months,
            };
            return (Some(Modal::Issue(m)), vec![cmd]);
        }
        _ => {}
    }
    (Some(Modal::Issue(m)), vec![])
}

fn disable_key(
    state: &mut State,
    mut m: DisableModal,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
    let action = state.env.keymap.action_for(Scope::Disable, &key);
    let input = state.env.keymap.action_for(Scope::Input, &key);
    if action == Some(Action::Quit) {
        state.quit = true;
        return (None, vec![]);
    }
    match &mut m.stage {
        DisableStage::Running(_) => {}
        DisableStage::Confirm { typed, .. } => match input {
            Some(Action::Back) => return (None, vec![]),
            Some(Action::Confirm) if typed.value() == m.project => {
                m.note = None;
                let id = state.next_request();
                m.stage = DisableStage::Running(id);
                let cmd = Command::DisableCustomerX509 {
                    id,
                    group_id: m.group_id.clone(),
                };
                return (Some(Modal::Disable(m)), vec![cmd]);
            }
            Some(Action::Confirm) => {
                m.note = Some(if typed.value().is_empty() {
                    "Type the project name first: nothing was changed".to_string()
                } else {
                    "That is not the project's name (it must match exactly, case included): nothing was changed".to_string()
                });
            }
            _ => {
                typed.handle_event(&Event::Key(key));
                m.note = None;
            }
        },
        _ if action == Some(Action::Back) || action == Some(Action::Confirm) => {
            return (None, vec![]);
        }
        _ => {}
    }
    (Some(Modal::Disable(m)), vec![])
}

pub fn on_api(state: &mut State, id: RequestId, result: ApiResult) -> Vec<Command> {
    match result {
        ApiResult::Issued(Ok(issued)) => on_issued(state, *issued),
        ApiResult::Issued(Err(failure)) => on_issue_failed(state, id, failure),
        ApiResult::Security(res) => on_security(state, id, res),
        ApiResult::Disabled(res) => on_disabled(state, id, res),
        ApiResult::Saved(outcome) => on_saved(state, id, outcome),
        ApiResult::Copied(res) => on_copied(state, id, res),
        ApiResult::Released(res) => on_released(state, res),
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

fn on_issued(state: &mut State, issued: Issued) -> Vec<Command> {
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

fn on_issue_failed(state: &mut State, id: RequestId, failure: IssueFailure) -> Vec<Command> {
    let mut refresh_for = None;
    if let Some(Modal::Issue(m)) = &mut state.modal
        && m.in_flight == Some(id)
    {
        m.in_flight = None;
        m.error = Some(failure.text.clone());
        m.maybe_issued = failure.maybe_issued;
        refresh_for = Some(m.username.clone());
    } else {
        state.set_status(Level::Error, format!("Issuing failed: {}", failure.text));
    }
    // The list shows whether the lost answer minted a certificate.
    let owner_matches = |u: &String| state.certs.owner.as_ref().is_some_and(|o| &o.1 == u);
    match refresh_for {
        Some(u) if failure.maybe_issued && owner_matches(&u) => refresh_certs(state),
        _ => vec![],
    }
}

fn on_security(
    state: &mut State,
    id: RequestId,
    res: Result<UserSecurity, String>,
) -> Vec<Command> {
    if let Some(Modal::Disable(m)) = &mut state.modal
        && matches!(m.stage, DisableStage::Loading(l) if l == id)
    {
        m.stage = match res {
            Ok(sec) if sec.customer_x509.is_configured() => DisableStage::Confirm {
                ca_count: sec.customer_x509.ca_count(),
                typed: Input::default(),
            },
            Ok(_) => DisableStage::NothingToDisable,
            Err(e) => DisableStage::Failed(e),
        };
    }
    vec![]
}

fn on_disabled(
    state: &mut State,
    id: RequestId,
    res: Result<UserSecurity, String>,
) -> Vec<Command> {
    let project = match &mut state.modal {
        Some(Modal::Disable(m)) if matches!(m.stage, DisableStage::Running(r) if r == id) => {
            m.stage = match &res {
                Ok(_) => DisableStage::Done,
                Err(e) => DisableStage::Failed(e.clone()),
            };
            m.project.clone()
        }
        _ => "the project".into(),
    };
    match res {
        Ok(_) => state.set_status(
            Level::Info,
            format!("Customer X.509 disabled on {project}; Atlas is restarting its clusters"),
        ),
        Err(e) => state.set_status(Level::Error, format!("Disabling failed: {e}")),
    }
    vec![]
}

fn on_saved(state: &mut State, id: RequestId, outcome: SaveOutcome) -> Vec<Command> {
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
fn on_released(state: &mut State, res: Result<std::path::PathBuf, String>) -> Vec<Command> {
    if let Err(why) = res {
        state.set_status(
            Level::Warn,
            format!("The key's kept copy could not be removed ({why}): delete it yourself"),
        );
    }
    vec![]
}

fn on_copied(state: &mut State, id: RequestId, res: Result<Copied, String>) -> Vec<Command> {
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
