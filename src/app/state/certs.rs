//! The certificates pane: a user's certificates page by page, or as a
//! whole when a sort or filter needs them all.

use std::collections::BTreeMap;

use jiff::Timestamp;
use tui_input::Input;

use super::RequestId;
use atlas_client::UserCert;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertSort {
    /// Atlas's own order.
    #[default]
    Created,
    Expires,
}

impl CertSort {
    /// What a certificate is ordered by; the serial breaks ties.
    pub fn key(self, c: &UserCert) -> (Timestamp, u64) {
        match self {
            CertSort::Created => (c.created_at, c.id),
            CertSort::Expires => (c.not_after, c.id),
        }
    }
}

#[derive(Debug, Default)]
pub struct CertsPane {
    /// (project id, username) the pane shows.
    pub owner: Option<(String, String)>,
    /// Why there is nothing to list (user not MANAGED), if so.
    pub note: Option<String>,
    pub per_page: u32,
    pub page: u32,
    pub pages: BTreeMap<u32, Vec<UserCert>>,
    pub total: Option<u64>,
    pub selected: usize,
    pub loading: Option<(RequestId, u32)>,
    pub prefetching: Option<(RequestId, u32)>,
    pub error: Option<String>,
    /// After issuing: show the last page, where the new certificate is.
    pub jump_to_last: bool,
    /// The jump is under way: select the last row when its page arrives.
    /// The jump is made once, whatever later answers say the count is.
    pub select_last: bool,
    /// After a refresh or a page-size change: select this serial again.
    pub reselect: Option<u64>,
    pub filter: Input,
    pub filter_editing: bool,
    pub sort: CertSort,
    pub descending: bool,
    /// A reload found its page gone and moved back once; never twice.
    pub fell_back: bool,
    /// Moves typed while the page was still loading.
    pub pending_moves: i64,
    /// Every certificate, when a sort or filter needs them all.
    pub whole: Whole,
    /// The whole list in view order (indices into it), filter applied;
    /// rebuilt on change, never per frame.
    pub(crate) view: Vec<u32>,
}

/// The page sizes `+`/`-` step through.
pub const PER_PAGE_STEPS: [u32; 5] = [25, 50, 100, 200, 500];

impl CertsPane {
    /// Selects the certificate with this serial if it is shown, else the first.
    pub fn reselect(&mut self, serial: Option<u64>) {
        self.selected = serial
            .and_then(|id| self.rows().iter().position(|r| r.id == id))
            .unwrap_or(0);
    }

    /// The page as Atlas sent it.
    pub fn page_rows(&self) -> &[UserCert] {
        self.pages.get(&self.page).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The page as shown: filtered by serial (decimal or hex) or subject,
    /// in the chosen order — a page of the whole list when it is in hand,
    /// else the server's page sorted and filtered on its own.
    pub fn rows(&self) -> Vec<&UserCert> {
        if let Some(all) = self.whole_list() {
            let per = self.per_page.max(1) as usize;
            let from = (self.page.max(1) as usize - 1).saturating_mul(per);
            return self
                .view
                .iter()
                .skip(from)
                .take(per)
                .map(|&i| &all[i as usize])
                .collect();
        }
        let needle = self.filter.value().trim().to_lowercase();
        let mut rows: Vec<&UserCert> = self
            .page_rows()
            .iter()
            .filter(|c| matches_filter(c, &needle))
            .collect();
        rows.sort_by_key(|c| self.sort.key(c));
        if self.descending {
            rows.reverse();
        }
        rows
    }

    pub fn selected_cert(&self) -> Option<&UserCert> {
        self.rows().get(self.selected).copied()
    }

    /// Pages as the server counts them; a count past what a page number
    /// can hold saturates instead of wrapping.
    pub fn page_count(&self) -> Option<u32> {
        if let Some(n) = self.view_len() {
            let pages = (n as u64).div_ceil(u64::from(self.per_page.max(1))).max(1);
            return Some(u32::try_from(pages).unwrap_or(u32::MAX));
        }
        self.total.map(|t| {
            u32::try_from(t.div_ceil(u64::from(self.per_page.max(1))).max(1)).unwrap_or(u32::MAX)
        })
    }

    pub fn has_next(&self) -> bool {
        if self.whole_list().is_some() {
            return self.page_count().is_some_and(|n| self.page < n);
        }
        match self.page_count() {
            Some(n) => self.page < n,
            None => self.page_rows().len() as u32 >= self.per_page,
        }
    }
}

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
    pub(crate) fn rebuild_view(&mut self) {
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
    pub(crate) fn select_serial(&mut self, serial: Option<u64>) {
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
            self.reselect(serial);
        }
    }
}

/// The filter in force: serial in decimal or hex, or subject.
pub fn matches_filter(c: &UserCert, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let hex = needle.trim_start_matches("0x");
    c.id.to_string().contains(needle)
        || (!hex.is_empty() && format!("{:x}", c.id).contains(hex))
        || c.subject.to_lowercase().contains(needle)
}
