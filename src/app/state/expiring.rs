//! The expiring view: every MANAGED user's newest certificate across the
//! organisation (or one project), as the scan finds them.

use std::collections::{HashMap, HashSet};

use super::RequestId;
use atlas_client::UserCert;

/// The most users one scan shows: the server decides how many projects
/// and users there are, this decides how many rows we hold.
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

/// The scan under way: its request, and what it has answered so far.
#[derive(Debug, Default)]
pub struct ScanRun {
    pub(crate) id: RequestId,
    /// Projects with rows when the scan began: only their users are
    /// remembered, to settle those rows at the end.
    pub(crate) had_rows: HashSet<String>,
    /// Projects whose users were listed (or skipped).
    pub(crate) answered: HashSet<String>,
    /// (project, user) listed by this scan, of the projects in `had_rows`.
    pub(crate) listed: HashSet<(String, String)>,
    /// Projects that could not be read: their rows stay, stale.
    pub(crate) failed: HashSet<String>,
    /// The project list could not be read: nothing is settled.
    pub(crate) list_failed: bool,
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
    /// Where each (project, user) row is, so that a result finds its row
    /// without a walk over every row: a scan of 100,000 users must not
    /// take 100,000² steps.
    pub(crate) at: HashMap<(String, String), usize>,
    /// Rows placed since the last sort.
    pub(crate) unsorted: usize,
}

impl ExpiringView {
    pub fn scanning(&self) -> bool {
        self.scan.is_some()
    }

    pub fn selected_row(&self) -> Option<&ExpRow> {
        self.rows.get(self.selected)
    }

    /// A user's row, new or renewed. Rows are sorted at once while few,
    /// then in batches (each sort is a pass over every row).
    pub(crate) fn place(&mut self, row: ExpRow) {
        let key = (row.project_id.clone(), row.username.clone());
        match self.at.get(&key) {
            // A rotation of this session is newer than a scan's answer
            // that was under way when it happened.
            Some(&i)
                if self.rows[i].rotated
                    && self.rows[i].newest.as_ref().map(|c| c.created_at)
                        >= row.newest.as_ref().map(|c| c.created_at) =>
            {
                self.rows[i].stale = false;
            }
            Some(&i) => self.rows[i] = row,
            None => {
                self.at.insert(key, self.rows.len());
                self.rows.push(row);
            }
        }
        self.unsorted += 1;
        if self.rows.len() <= 2_048 || self.unsorted * 32 >= self.rows.len() {
            self.sort();
        }
    }

    pub fn retain(&mut self, keep: impl FnMut(&ExpRow) -> bool) {
        let before = self.rows.len();
        self.rows.retain(keep);
        if self.rows.len() != before {
            self.reindex();
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    pub(crate) fn reindex(&mut self) {
        self.at = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.project_id.clone(), r.username.clone()), i))
            .collect();
    }

    /// Users without an unexpired certificate first (they are past due),
    /// then by expiry; the selection stays on its row.
    pub(crate) fn sort(&mut self) {
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
        self.reindex();
        self.unsorted = 0;
        if let Some(i) = keep.and_then(|k| self.at.get(&k)) {
            self.selected = *i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }
}
