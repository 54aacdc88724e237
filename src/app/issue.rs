//! The issue dialog's keys: months by arrow, Home/End or typed digits,
//! and what a failed request leaves (a lost answer may have issued one).

use crossterm::event::{KeyCode, KeyEvent};

use super::certs::refresh_certs;
use super::keymap::{Action, Scope};
use super::msg::{Command, IssueFailure, RequestId};
use super::state::{IssueModal, Level, Modal, State};

pub fn open(state: &mut State) -> Vec<Command> {
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
    state.modal = Some(Modal::Issue(IssueModal::new(
        project.id,
        project.name,
        user.username().to_string(),
        state.env.default_months,
    )));
    vec![]
}

pub(super) fn on_key(
    state: &mut State,
    mut m: IssueModal,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
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
    m.note = None;
    if let KeyCode::Char(d) = key.code
        && let Some(digit) = d.to_digit(10)
    {
        // Digits form a number as typed ("1", "2": 12). One out of range
        // is refused in the words `issue --months` uses, the months kept.
        let candidate = format!("{}{digit}", m.typed);
        let n = candidate.parse::<i64>().unwrap_or(i64::MAX);
        match atlas_client::validate_months(n) {
            Ok(n) => {
                m.months = n;
                m.typed = candidate;
            }
            Err(e) => {
                m.note = Some(format!(
                    "{}; still {}",
                    e.explained(),
                    crate::format::plural(usize::from(m.months), "month", "months")
                ));
                m.typed.clear();
            }
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
            if let Some(old) = &m.replaces
                && let Err(why) =
                    crate::rotation::worth_rotating(old, m.months, state.now, &state.env.renewal)
            {
                m.note = Some(format!("Not sent: {why}"));
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

pub(super) fn on_failed(state: &mut State, id: RequestId, failure: IssueFailure) -> Vec<Command> {
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
