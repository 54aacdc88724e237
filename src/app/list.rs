//! A selectable, filterable list loaded page by page from Atlas.

use tui_input::Input;

use super::msg::RequestId;
use crate::atlas::{DatabaseUser, Page, Project};

pub trait Filterable {
    fn matches(&self, needle_lower: &str) -> bool;
    /// What identifies the item across reloads.
    fn key(&self) -> &str;
}

impl Filterable for Project {
    fn matches(&self, n: &str) -> bool {
        self.name.to_lowercase().contains(n) || self.id.contains(n)
    }

    fn key(&self) -> &str {
        &self.id
    }
}

impl Filterable for DatabaseUser {
    fn key(&self) -> &str {
        &self.username
    }

    fn matches(&self, n: &str) -> bool {
        self.username.to_lowercase().contains(n)
            || self.x509_type.as_str().to_lowercase() == n
            || self.database_name.to_lowercase() == n
    }
}

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
        }
    }
}

impl<T: Filterable> ListPane<T> {
    pub fn visible(&self) -> Vec<usize> {
        let needle = self.filter.value().trim().to_lowercase();
        self.items
            .iter()
            .enumerate()
            .filter(|(_, it)| needle.is_empty() || it.matches(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn selected_item(&self) -> Option<&T> {
        self.visible().get(self.selected).map(|&i| &self.items[i])
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
            .position(|&i| self.items[i].key() == key)
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
    pub fn accept(
        &mut self,
        id: RequestId,
        res: Result<Page<T>, String>,
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
                self.items.extend(page.results);
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
