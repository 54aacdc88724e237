//! Sorting and filtering a user's certificates as a whole, not page by
//! page: when the view leaves Atlas's own order (a sort, a reverse, a
//! filter) and the user has at most [`WHOLE_MAX`] certificates, all of them
//! are fetched once (the client's bounded, paced page walk) and from then
//! on pages, sort and filter are the client's. Above the bound the pane
//! sorts and filters the page shown, and says so.

use std::collections::HashSet;

use super::msg::{Command, RequestId};
use super::state::{CertSort, CertsPane, Level, State};
use atlas_client::UserCert;

/// The most certificates held to sort and filter as a whole (about 1 MB).
pub const WHOLE_MAX: u64 = 10_000;

/// What was read of a whole list against what the server said of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// `totalCount` as the first page gave it.
    pub counted: Option<u64>,
    /// Rows the server sent more than once (same serial).
    pub repeated: usize,
}

impl Disagreement {
    /// For the message list: what was seen, and that the list shown is
    /// what was read.
    pub fn said(&self, read: usize) -> String {
        let mut parts = vec![];
        if let Some(c) = self.counted
            && c != read as u64
        {
            parts.push(format!(
                "Atlas counted {c} certificates but {read} were read"
            ));
        }
        if self.repeated > 0 {
            parts.push(format!("{} came twice (shown once)", self.repeated));
        }
        format!(
            "The certificate list disagrees with itself: {}; sorting and filtering cover the {read} read",
            parts.join("; ")
        )
    }
}

/// The user's whole certificate list, as far as the view needs it.
#[derive(Debug, Default)]
pub enum Whole {
    /// Not needed yet: Atlas's order, unfiltered, page by page.
    #[default]
    NotNeeded,
    Loading(RequestId),
    /// Every certificate, in Atlas's order, each serial once; with what
    /// Atlas's count said when what was read disagrees with it.
    Loaded(Vec<UserCert>, Option<Disagreement>),
    /// More than [`WHOLE_MAX`]: sort and filter stay per page.
    TooMany(u64),
    /// The walk failed: per page until the next refresh.
    Failed,
}

impl CertsPane {
    /// Sorted or filtered: not what a page of Atlas's shows.
    pub fn view_is_custom(&self) -> bool {
        self.sort != CertSort::Created || self.descending || !self.filter.value().trim().is_empty()
    }

    pub fn whole_list(&self) -> Option<&[UserCert]> {
        match &self.whole {
            Whole::Loaded(all, _) => Some(all),
            _ => None,
        }
    }

    /// Certificates in the view when the whole list is in hand (the filter
    /// applied), else `None`.
    pub fn view_len(&self) -> Option<usize> {
        self.whole_list().map(|_| self.view.len())
    }

    /// Orders and filters the whole list into `view`; called on every change
    /// of the list, the sort or the filter (never per frame).
    pub(super) fn rebuild_view(&mut self) {
        let Whole::Loaded(all, _) = &self.whole else {
            self.view.clear();
            return;
        };
        let needle = self.filter.value().trim().to_lowercase();
        let mut view: Vec<u32> = (0..all.len() as u32)
            .filter(|&i| matches_filter(&all[i as usize], &needle))
            .collect();
        view.sort_by_key(|&i| self.sort.key(&all[i as usize]));
        if self.descending {
            view.reverse();
        }
        self.view = view;
    }

    /// Puts the selection on `serial` wherever it now is (its page, its
    /// row), or on the first row when it is gone (filtered out).
    pub(super) fn select_serial(&mut self, serial: Option<u64>) {
        if let Some(all) = self.whole_list() {
            let at = serial.and_then(|id| self.view.iter().position(|&i| all[i as usize].id == id));
            let per = self.per_page.max(1) as usize;
            match at {
                Some(p) => {
                    self.page = u32::try_from(p / per + 1).unwrap_or(u32::MAX);
                    self.selected = p % per;
                }
                None => {
                    self.page = 1;
                    self.selected = 0;
                }
            }
        } else {
            super::update::reselect_cert(self, serial);
        }
    }
}

/// The filter in force: serial in decimal or hex, or subject.
pub(super) fn matches_filter(c: &UserCert, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let hex = needle.trim_start_matches("0x");
    c.id.to_string().contains(needle)
        || (!hex.is_empty() && format!("{:x}", c.id).contains(hex))
        || c.subject.to_lowercase().contains(needle)
}

/// After anything that may leave Atlas's order: the whole list is asked
/// for once, if the view needs it and the count allows it.
pub(super) fn want_whole(state: &mut State) -> Vec<Command> {
    let c = &state.certs;
    if !c.view_is_custom() || !matches!(c.whole, Whole::NotNeeded) || c.note.is_some() {
        return vec![];
    }
    let (Some(total), Some((group_id, username))) = (c.total, c.owner.clone()) else {
        // The first page's count decides; it is on its way.
        return vec![];
    };
    if total > WHOLE_MAX {
        state.certs.whole = Whole::TooMany(total);
        return vec![];
    }
    let id = state.next_request();
    state.certs.whole = Whole::Loading(id);
    vec![Command::FetchAllCerts {
        id,
        group_id,
        username,
        max_items: WHOLE_MAX,
        concurrency: state.env.concurrency,
    }]
}

/// The whole list arrived (or failed): the view switches to it, the
/// selected certificate stays selected.
pub(super) fn on_whole(state: &mut State, id: RequestId, res: Result<Vec<UserCert>, String>) {
    if !matches!(state.certs.whole, Whole::Loading(l) if l == id) {
        return;
    }
    // After a refresh, the certificate selected before it.
    let keep = state
        .certs
        .reselect
        .take()
        .or_else(|| state.certs.selected_cert().map(|c| c.id));
    match res {
        Ok(mut all) => {
            // A page repeated by the server must not repeat rows.
            let sent = all.len();
            let mut seen = HashSet::with_capacity(all.len());
            all.retain(|c| seen.insert(c.id));
            let counted = state.certs.total;
            let miscounted = counted.is_some_and(|c| c != all.len() as u64);
            let disagreement = (sent != all.len() || miscounted).then(|| Disagreement {
                counted,
                repeated: sent - all.len(),
            });
            if let Some(d) = &disagreement {
                state.set_status(Level::Warn, d.said(all.len()));
            }
            state.certs.whole = Whole::Loaded(all, disagreement);
            state.certs.rebuild_view();
            state.certs.select_serial(keep);
        }
        Err(e) => {
            state.certs.whole = Whole::Failed;
            state.certs.select_serial(keep);
            state.set_status(
                Level::Warn,
                format!(
                    "could not read all the certificates to sort and filter them as a whole ({e}); sorting and filtering this page only"
                ),
            );
        }
    }
}

/// A sort or filter change: the view follows, the selection stays on its
/// certificate.
pub(super) fn view_changed(state: &mut State, keep: Option<u64>) -> Vec<Command> {
    if state.certs.whole_list().is_some() {
        state.certs.rebuild_view();
    }
    state.certs.select_serial(keep);
    want_whole(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(id: u64, created: i64, expires: i64, subject: &str) -> UserCert {
        UserCert {
            id,
            subject: subject.into(),
            created_at: jiff::Timestamp::from_second(created).unwrap(),
            not_after: jiff::Timestamp::from_second(expires).unwrap(),
            group_id: None,
        }
    }

    #[test]
    fn the_view_sorts_and_filters_the_whole_list_and_keeps_the_serial() {
        let mut c = CertsPane {
            per_page: 2,
            page: 1,
            ..CertsPane::default()
        };
        c.whole = Whole::Loaded(
            vec![
                cert(10, 1, 400, "CN=a"),
                cert(11, 2, 100, "CN=b"),
                cert(12, 3, 300, "CN=a"),
                cert(13, 4, 200, "CN=b"),
            ],
            None,
        );
        c.rebuild_view();
        assert_eq!(c.rows().iter().map(|r| r.id).collect::<Vec<_>>(), [10, 11]);
        c.page = 2;
        c.selected = 1;
        assert_eq!(c.selected_cert().unwrap().id, 13);
        c.sort = CertSort::Expires;
        c.rebuild_view();
        c.select_serial(Some(13));
        assert_eq!((c.page, c.selected), (1, 1), "13 expires second");
        assert_eq!(c.selected_cert().unwrap().id, 13);
        c.filter = tui_input::Input::new("cn=a".into());
        c.rebuild_view();
        c.select_serial(Some(13));
        assert_eq!(c.view_len(), Some(2));
        assert_eq!((c.page, c.selected), (1, 0), "filtered out: the first row");
        assert_eq!(c.rows().iter().map(|r| r.id).collect::<Vec<_>>(), [12, 10]);
        c.filter = tui_input::Input::new("0xb".into());
        c.rebuild_view();
        assert_eq!(c.rows().iter().map(|r| r.id).collect::<Vec<_>>(), [11]);
        assert_eq!(c.page_count(), Some(1));
    }
}
