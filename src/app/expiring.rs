//! The expiring view: every MANAGED user's newest certificate across the
//! organisation (or one project), soonest first, and rotation from there.
//! Scanning is commands and answers like any other load: the project list,
//! then each project's MANAGED users, then each user's certificates, at
//! most `SCAN_AT_ONCE` requests in flight (the client waits out 429s and
//! lowers its own bound when Atlas pushes back).

use std::collections::{HashMap, HashSet, VecDeque};

use crossterm::event::KeyEvent;

use super::keymap::{Action, Scope};
use super::msg::{ApiResult, Command, ProjectScan, RequestId};
use super::state::{IssueModal, Level, Modal, State};
use crate::atlas::UserCert;

/// Lists read at once during a scan.
pub const SCAN_AT_ONCE: usize = 4;

/// The most users one scan reads: the server decides how many projects
/// and users there are, this decides how many we hold.
pub const MAX_SCAN_USERS: usize = 100_000;

/// One MANAGED user and its newest unexpired certificate, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpRow {
    pub project_id: String,
    pub project: String,
    pub username: String,
    pub newest: Option<UserCert>,
    /// From before the current scan: shown until an answer replaces it.
    pub stale: bool,
    /// Rotated in this session: `newest` is the replacement.
    pub rotated: bool,
}

impl ExpRow {
    fn key(&self) -> (&str, &str) {
        (&self.project_id, &self.username)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Job {
    Projects,
    Project {
        id: String,
        name: String,
    },
    User {
        id: String,
        name: String,
        username: String,
    },
}

#[derive(Debug, Default)]
pub struct ScanRun {
    jobs: HashMap<RequestId, Job>,
    queue: VecDeque<Job>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub projects_total: Option<usize>,
    pub projects_done: usize,
    pub users_total: usize,
    pub users_done: usize,
}

#[derive(Debug, Default)]
pub struct ExpiringView {
    pub shown: bool,
    pub all_projects: bool,
    /// The project "this project only" means: the one selected at opening.
    pub here: Option<(String, String)>,
    pub rows: Vec<ExpRow>,
    pub selected: usize,
    pub scan: Option<ScanRun>,
    pub progress: Progress,
    /// Projects not scanned for a reason that is no error (a customer CA).
    pub skipped: Vec<String>,
    /// What could not be read, one line each.
    pub errors: Vec<String>,
}

impl ExpiringView {
    pub fn scanning(&self) -> bool {
        self.scan.is_some()
    }

    /// Requests of the current scan awaiting an answer.
    pub fn scan_in_flight(&self) -> usize {
        self.scan.as_ref().map_or(0, |s| s.jobs.len())
    }

    pub fn selected_row(&self) -> Option<&ExpRow> {
        self.rows.get(self.selected)
    }

    /// Users without an unexpired certificate first (they are past due),
    /// then by expiry; the selection stays on its row.
    fn sort(&mut self) {
        // The top row stays the top: answers arriving must not carry the
        // cursor away from the soonest expiry the user is looking at.
        let keep = self
            .selected_row()
            .filter(|_| self.selected > 0)
            .map(|r| (r.project_id.clone(), r.username.clone()));
        self.rows.sort_by(|a, b| {
            let at = |r: &ExpRow| (r.newest.is_some(), r.newest.as_ref().map(|c| c.not_after));
            (at(a), &a.project, &a.username).cmp(&(at(b), &b.project, &b.username))
        });
        if let Some((p, u)) = keep
            && let Some(i) = self.rows.iter().position(|r| r.key() == (&p, &u))
        {
            self.selected = i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }
}

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
    let first = if view.all_projects {
        Job::Projects
    } else {
        match &view.here {
            Some((id, name)) => Job::Project {
                id: id.clone(),
                name: name.clone(),
            },
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
    view.scan = Some(ScanRun {
        jobs: HashMap::new(),
        queue: VecDeque::from([first]),
    });
    pump(state)
}

/// Sends queued requests while fewer than `SCAN_AT_ONCE` are in flight.
fn pump(state: &mut State) -> Vec<Command> {
    let mut cmds = vec![];
    loop {
        let Some(scan) = state.expiring.as_mut().and_then(|v| v.scan.as_mut()) else {
            return cmds;
        };
        if scan.jobs.len() >= SCAN_AT_ONCE {
            return cmds;
        }
        let Some(job) = scan.queue.pop_front() else {
            if scan.jobs.is_empty() {
                state.expiring.as_mut().expect("scanning").scan = None;
            }
            return cmds;
        };
        let id = state.next_request();
        cmds.push(match &job {
            Job::Projects => Command::ScanProjects { id },
            Job::Project { id: gid, .. } => Command::ScanProject {
                id,
                group_id: gid.clone(),
            },
            Job::User {
                id: gid, username, ..
            } => Command::ScanUser {
                id,
                group_id: gid.clone(),
                username: username.clone(),
            },
        });
        if let Some(scan) = state.expiring.as_mut().and_then(|v| v.scan.as_mut()) {
            scan.jobs.insert(id, job);
        }
    }
}

/// An answer for the scan, if it is one (`None`: not the scan's, or a
/// superseded scan's, which is dropped).
pub fn on_api(state: &mut State, id: RequestId, result: ApiResult) -> Option<Vec<Command>> {
    let job = state
        .expiring
        .as_mut()
        .and_then(|v| v.scan.as_mut())
        .and_then(|s| s.jobs.remove(&id));
    let Some(job) = job else {
        return matches!(
            result,
            ApiResult::ScanProjects(_) | ApiResult::ScanProject(_) | ApiResult::ScanUser(_)
        )
        .then(Vec::new);
    };
    let view = state.expiring.as_mut().expect("a scan job");
    match (job, result) {
        (Job::Projects, ApiResult::ScanProjects(res)) => match res {
            Ok(list) => {
                view.progress.projects_total = Some(list.len());
                let keep: HashSet<&str> = list.iter().map(|(id, _)| id.as_str()).collect();
                // Projects gone from the list take their rows with them.
                view.rows.retain(|r| keep.contains(r.project_id.as_str()));
                let scan = view.scan.as_mut().expect("scanning");
                scan.queue
                    .extend(list.into_iter().map(|(id, name)| Job::Project { id, name }));
            }
            Err(e) => view.errors.push(format!("projects: {e}")),
        },
        (Job::Project { id: gid, name }, ApiResult::ScanProject(res)) => {
            view.progress.projects_done += 1;
            match res {
                Ok(ProjectScan {
                    customer_ca: true, ..
                }) => {
                    view.rows.retain(|r| r.project_id != gid);
                    view.skipped.push(format!("{name}: customer CA"));
                    // Answers come in any order; the line should not jump.
                    view.skipped.sort();
                }
                Ok(ProjectScan { managed_users, .. }) => {
                    let users: HashSet<&str> = managed_users.iter().map(String::as_str).collect();
                    view.rows
                        .retain(|r| r.project_id != gid || users.contains(r.username.as_str()));
                    let room = MAX_SCAN_USERS.saturating_sub(view.progress.users_total);
                    if managed_users.len() > room {
                        view.errors.push(format!(
                            "{name}: over {MAX_SCAN_USERS} MANAGED users in this scan; the rest are not shown"
                        ));
                    }
                    // A user listed twice is scanned once.
                    let mut seen = HashSet::new();
                    let jobs: Vec<Job> = managed_users
                        .into_iter()
                        .filter(|u| seen.insert(u.clone()))
                        .take(room)
                        .map(|username| Job::User {
                            id: gid.clone(),
                            name: name.clone(),
                            username,
                        })
                        .collect();
                    view.progress.users_total += jobs.len();
                    view.scan.as_mut().expect("scanning").queue.extend(jobs);
                }
                Err(e) => view.errors.push(format!("{name}: {e}")),
            }
        }
        (
            Job::User {
                id: gid,
                name,
                username,
            },
            ApiResult::ScanUser(res),
        ) => {
            view.progress.users_done += 1;
            match res {
                Ok(newest) => {
                    let row = ExpRow {
                        project_id: gid,
                        project: name,
                        username,
                        newest,
                        stale: false,
                        rotated: false,
                    };
                    match view.rows.iter_mut().find(|r| r.key() == row.key()) {
                        Some(r) => *r = row,
                        None => view.rows.push(row),
                    }
                    view.sort();
                }
                Err(e) => view.errors.push(format!("{username} in {name}: {e}")),
            }
        }
        // An answer of the wrong kind for its job: a bug, said, not acted on.
        _ => view
            .errors
            .push("an answer did not match its request".into()),
    }
    Some(pump(state))
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
        view.rows.retain(|r| r.project_id == here);
        view.selected = view.selected.min(view.rows.len().saturating_sub(1));
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
    state.modal = Some(Modal::Issue(IssueModal {
        group_id: row.project_id,
        project: row.project,
        username: row.username,
        months,
        typed: String::new(),
        in_flight: None,
        error: None,
        maybe_issued: false,
    }));
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
