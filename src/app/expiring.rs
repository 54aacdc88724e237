//! The expiring view: every MANAGED user's newest certificate across the
//! organisation (or one project), soonest first, and rotation from there.
//! The scan is one command; the worker runs the fleet scan
//! (`atlas::fleet`, the one `expiring` and `rotate` use) and its results
//! come back as they arrive, many answers to the one request.

use crossterm::event::KeyEvent;

use super::keymap::{Action, Scope};
use super::msg::{Command, RequestId, ScanEvent};
use super::state::expiring::{ExpRow, MAX_SCAN_USERS, Progress, ScanRun};
use super::state::{ExpiringView, IssueModal, Level, Modal, State};
use atlas_client::UserCert;

/// `e` from the panes: shows the view (the last results at once) and scans.
pub fn open(state: &mut State) -> Vec<Command> {
    let here = state
        .selected_project()
        .map(|p| (p.id.clone(), p.name.clone()));
    let view = state.expiring.get_or_insert_with(|| ExpiringView {
        all_projects: true,
        ..ExpiringView::default()
    });
    view.shown = true;
    if here.is_some() {
        view.here = here;
    }
    start_scan(state)
}

/// A fresh scan; what is shown stays, marked stale, until answers replace it.
pub fn start_scan(state: &mut State) -> Vec<Command> {
    let Some(view) = state.expiring.as_mut() else {
        return vec![];
    };
    let project = if view.all_projects {
        None
    } else {
        match &view.here {
            Some(here) => Some(here.clone()),
            None => {
                state.set_status(Level::Warn, "Select a project first");
                return vec![];
            }
        }
    };
    for r in &mut view.rows {
        r.stale = true;
    }
    view.progress = Progress {
        projects_total: (!view.all_projects).then_some(1),
        ..Progress::default()
    };
    view.skipped.clear();
    view.errors.clear();
    let id = state.next_request();
    let view = state.expiring.as_mut().expect("checked above");
    let had_rows = view.rows.iter().map(|r| r.project_id.clone()).collect();
    view.scan = Some(ScanRun {
        id,
        had_rows,
        ..ScanRun::default()
    });
    vec![Command::Scan {
        id,
        project,
        concurrency: state.env.concurrency,
    }]
}

/// A result of the scan; one of a superseded scan is dropped.
pub fn on_scan(state: &mut State, id: RequestId, event: ScanEvent) {
    let Some(view) = state.expiring.as_mut() else {
        return;
    };
    let Some(scan) = view.scan.as_mut().filter(|s| s.id == id) else {
        return;
    };
    match event {
        ScanEvent::Projects(n) => view.progress.projects_total = Some(n),
        ScanEvent::Skipped { id: gid, name } => {
            view.progress.projects_done += 1;
            scan.answered.insert(gid);
            let line = format!("{name}: customer CA");
            // Answers come in any order; the line should not jump.
            let at = view.skipped.binary_search(&line).unwrap_or_else(|i| i);
            view.skipped.insert(at, line);
        }
        ScanEvent::Failed {
            id: gid,
            name,
            error,
        } => {
            if gid.is_empty() {
                scan.list_failed = true;
                view.errors.push(format!("projects: {error}"));
            } else {
                view.progress.projects_done += 1;
                scan.failed.insert(gid);
                view.errors.push(format!("{name}: {error}"));
            }
        }
        ScanEvent::Project {
            id: gid,
            name,
            users,
            over,
        } => {
            view.progress.projects_done += 1;
            if over > 0 {
                view.errors.push(format!(
                    "{name}: over {MAX_SCAN_USERS} MANAGED users in this scan; {over} are not shown"
                ));
            }
            view.progress.users_total += users.len();
            if scan.had_rows.contains(&gid) {
                scan.listed
                    .extend(users.into_iter().map(|u| (gid.clone(), u)));
            }
            scan.answered.insert(gid);
        }
        ScanEvent::User {
            project_id,
            project,
            username,
            newest,
        } => {
            view.progress.users_done =
                (view.progress.users_done + 1).min(view.progress.users_total);
            match newest {
                Ok(newest) => view.place(ExpRow {
                    project_id,
                    project,
                    username,
                    newest,
                    stale: false,
                    rotated: false,
                }),
                Err(e) => view.errors.push(format!("{username} in {project}: {e}")),
            }
        }
        ScanEvent::Done => {
            let scan = view.scan.take().expect("matched above");
            // A stale row goes when this scan settled it: its project
            // answered and no longer lists the user (or was skipped), or
            // the project is gone from the organisation (or the scope).
            // Nothing goes when the project list could not be read.
            if !scan.list_failed {
                view.retain(|r| {
                    !r.stale
                        || scan.failed.contains(&r.project_id)
                        || (scan.answered.contains(&r.project_id)
                            && scan
                                .listed
                                .contains(&(r.project_id.clone(), r.username.clone())))
                });
            }
            view.sort();
        }
    }
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let Some(view) = state.expiring.as_mut() else {
        return vec![];
    };
    let len = view.rows.len();
    let page = usize::from(crate::layout::expiring_rows(state.size).max(1));
    let step = |sel: usize, d: i64| -> usize {
        (sel as i64 + d).clamp(0, len.saturating_sub(1) as i64) as usize
    };
    match state.env.keymap.action_for(Scope::Expiring, &key) {
        Some(Action::Down) => view.selected = step(view.selected, 1),
        Some(Action::Up) => view.selected = step(view.selected, -1),
        Some(Action::PageDown) => view.selected = step(view.selected, page as i64),
        Some(Action::PageUp) => view.selected = step(view.selected, -(page as i64)),
        Some(Action::Top) => view.selected = 0,
        Some(Action::Bottom) => view.selected = len.saturating_sub(1),
        Some(Action::Back) => view.shown = false,
        Some(Action::Quit) => state.quit = true,
        Some(Action::Help) => state.modal = Some(Modal::Help(Default::default())),
        Some(Action::Messages) => state.modal = Some(Modal::Messages(Default::default())),
        Some(Action::Refresh) => return start_scan(state),
        Some(Action::ToggleScope) => return toggle_scope(state),
        Some(Action::Confirm) => rotate(state),
        _ => {}
    }
    vec![]
}

fn toggle_scope(state: &mut State) -> Vec<Command> {
    let Some(view) = state.expiring.as_mut() else {
        return vec![];
    };
    if view.all_projects {
        let Some((here, _)) = view.here.clone() else {
            state.set_status(Level::Warn, "Select a project in the panes first");
            return vec![];
        };
        view.all_projects = false;
        // Other projects' rows are not "this project": they go at once.
        view.retain(|r| r.project_id == here);
    } else {
        view.all_projects = true;
    }
    start_scan(state)
}

/// Enter on a row: the issue dialog for that user, with the validity of the
/// certificate it replaces; the usual hand-over follows.
fn rotate(state: &mut State) {
    let Some(row) = state
        .expiring
        .as_ref()
        .and_then(|v| v.selected_row())
        .cloned()
    else {
        return;
    };
    let months = row
        .newest
        .as_ref()
        .map(crate::rotation::months_of)
        .unwrap_or(state.env.default_months)
        .clamp(1, 24);
    let mut modal = IssueModal::new(row.project_id, row.project, row.username, months);
    modal.replaces = row.newest;
    state.modal = Some(Modal::Issue(modal));
}

/// A certificate was issued for this user: its row shows the replacement.
pub fn on_issued(state: &mut State, group_id: &str, username: &str, cert: UserCert) {
    let Some(view) = state.expiring.as_mut() else {
        return;
    };
    if let Some(r) = view
        .rows
        .iter_mut()
        .find(|r| r.project_id == group_id && r.username == username)
    {
        r.newest = Some(cert);
        r.rotated = true;
        r.stale = false;
        view.sort();
    }
}
