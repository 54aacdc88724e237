//! A selectable, filterable list loaded page by page from Atlas.

use std::sync::{Arc, Mutex};

use tui_input::Input;

use super::RequestId;
use super::users::UserItem;
use atlas_client::{Page, Project};

pub trait Filterable {
    /// `needle_lower` is trimmed and lowercased.
    fn matches(&self, needle_lower: &str) -> bool;
    /// What identifies the item across reloads.
    fn key(&self) -> &str;
}

/// Whether `hay` contains `needle_lower`, ignoring case, without building a
/// lowercased copy of `hay` when it is ASCII (a filter runs over 100,000
/// names per keystroke).
pub fn contains_folded(hay: &str, needle_lower: &str) -> bool {
    if hay.is_ascii() && needle_lower.is_ascii() {
        let n = needle_lower.as_bytes();
        return n.is_empty()
            || hay
                .as_bytes()
                .windows(n.len())
                .any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(needle_lower)
}

impl Filterable for Project {
    fn matches(&self, n: &str) -> bool {
        contains_folded(&self.name, n) || self.id.contains(n)
    }

    fn key(&self) -> &str {
        &self.id
    }
}

impl Filterable for UserItem {
    fn key(&self) -> &str {
        self.username()
    }

    fn matches(&self, n: &str) -> bool {
        contains_folded(self.username(), n)
            || self.x509_type.as_str().eq_ignore_ascii_case(n)
            || self.database_name().to_lowercase() == n
    }
}

/// The rows a list shows: all of its items, or those its filter keeps.
#[derive(Debug, Clone)]
pub enum Rows {
    All(usize),
    Kept(Arc<[usize]>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::All(n) => *n,
            Rows::Kept(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item index shown at `row`.
    pub fn get(&self, row: usize) -> Option<usize> {
        match self {
            Rows::All(n) => (row < *n).then_some(row),
            Rows::Kept(v) => v.get(row).copied(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let (all, kept) = match self {
            Rows::All(n) => (0..*n, &[][..]),
            Rows::Kept(v) => (0..0, &v[..]),
        };
        all.chain(kept.iter().copied())
    }
}

/// The last filter result, keyed by what it was computed from: the screen
/// asks for the rows several times a frame, and a filter over 100,000
/// items is worth doing once per change, not once per question.
#[derive(Debug, Default)]
struct Memo(Mutex<Option<Filtered>>);

/// (needle, item count, the rows kept).
type Filtered = (String, usize, Arc<[usize]>);

#[derive(Debug)]
pub struct ListPane<T> {
    pub items: Vec<T>,
    /// Index into `visible()`.
    pub selected: usize,
    pub filter: Input,
    pub filter_editing: bool,
    pub loading: Option<RequestId>,
    pub error: Option<String>,
    pub total: Option<u64>,
    pub pages_loaded: u32,
    pub more: bool,
    /// After a refresh: the item to select again when it arrives.
    pub reselect: Option<String>,
    /// Moves typed while the list was still empty and loading.
    pub pending_moves: i64,
    memo: Memo,
}

impl<T> Default for ListPane<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            selected: 0,
            filter: Input::default(),
            filter_editing: false,
            loading: None,
            error: None,
            total: None,
            pages_loaded: 0,
            more: false,
            reselect: None,
            pending_moves: 0,
            memo: Memo::default(),
        }
    }
}

impl<T: Filterable> ListPane<T> {
    pub fn visible(&self) -> Rows {
        let needle = self.filter.value().trim().to_lowercase();
        if needle.is_empty() {
            return Rows::All(self.items.len());
        }
        let mut memo = self.memo.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, len, rows)) = memo.as_ref()
            && *n == needle
            && *len == self.items.len()
        {
            return Rows::Kept(rows.clone());
        }
        let rows: Arc<[usize]> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.matches(&needle))
            .map(|(i, _)| i)
            .collect();
        *memo = Some((needle, self.items.len(), rows.clone()));
        Rows::Kept(rows)
    }

    pub fn selected_item(&self) -> Option<&T> {
        self.visible().get(self.selected).map(|i| &self.items[i])
    }

    /// Moves the selection by `delta` rows, clamped; true if it moved.
    pub fn move_by(&mut self, delta: i64) -> bool {
        let len = self.visible().len();
        if len == 0 {
            return false;
        }
        let next = (self.selected as i64 + delta).clamp(0, len as i64 - 1) as usize;
        let moved = next != self.selected;
        self.selected = next;
        moved
    }

    /// Selects the item with this key if it is visible; true if it is.
    pub fn select_key(&mut self, key: &str) -> bool {
        match self
            .visible()
            .iter()
            .position(|i| self.items[i].key() == key)
        {
            Some(row) => {
                self.selected = row;
                true
            }
            None => false,
        }
    }

    pub fn selected_key(&self) -> Option<String> {
        self.selected_item().map(|i| i.key().to_string())
    }

    pub fn clamp_selection(&mut self) {
        let len = self.visible().len();
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    pub fn reset(&mut self) {
        let filter = std::mem::take(&mut self.filter);
        *self = Self {
            filter,
            ..Self::default()
        };
    }

    /// Takes an answer for this list: `None` if it answers a request no
    /// longer wanted, else whether it was the first page to arrive.
    pub fn accept<S: Into<T>>(
        &mut self,
        id: RequestId,
        res: Result<Page<S>, String>,
        page_size: u32,
    ) -> Option<bool> {
        if self.loading != Some(id) {
            return None;
        }
        self.loading = None;
        match res {
            Ok(page) => {
                let first = self.pages_loaded == 0;
                self.pages_loaded += 1;
                self.total = page.known_total();
                self.more = page.results.len() as u32 >= page_size;
                self.items.extend(page.results.into_iter().map(Into::into));
                self.error = None;
                if let Some(key) = self.reselect.take()
                    && !self.select_key(&key)
                    && self.more
                {
                    // Maybe on a later page: keep looking as pages arrive.
                    self.reselect = Some(key);
                }
                if first && self.pending_moves != 0 {
                    let moves = std::mem::take(&mut self.pending_moves);
                    self.move_by(moves);
                }
                Some(first)
            }
            Err(e) => {
                self.error = Some(e);
                Some(false)
            }
        }
    }

    pub fn near_end(&self) -> bool {
        self.selected + 10 >= self.visible().len()
    }
}
