//! The certificates pane: server pages, the prefetched next page, and what
//! happens when a page answer arrives.

use super::msg::{Command, RequestId};
use super::state::{CertsPane, State};
use crate::atlas::PageRequest;

pub(super) fn fetch_certs(state: &mut State, page: u32, prefetch: bool) -> Option<Command> {
    let (group_id, username) = state.certs.owner.clone()?;
    let id = state.next_request();
    if prefetch {
        state.certs.prefetching = Some((id, page));
    } else {
        state.certs.loading = Some((id, page));
    }
    let page = PageRequest::new(page, state.certs.per_page);
    Some(Command::FetchCerts {
        id,
        group_id,
        username,
        page,
    })
}

pub(super) fn reset_certs(
    state: &mut State,
    owner: Option<(String, String)>,
    note: Option<String>,
) {
    let per_page = state.certs.per_page;
    state.certs = CertsPane {
        owner,
        note,
        per_page,
        page: 1,
        ..CertsPane::default()
    };
    state.certs_due = None;
}

pub(super) fn refresh_certs(state: &mut State) -> Vec<Command> {
    let owner = state.certs.owner.clone();
    let note = state.certs.note.clone();
    let jump = state.certs.jump_to_last;
    reset_certs(state, owner, note);
    state.certs.jump_to_last = jump;
    state.certs.select_last = false;
    if state.certs.note.is_some() {
        return vec![];
    }
    fetch_certs(state, 1, false).into_iter().collect()
}

pub(super) fn flip_page(state: &mut State, forward: bool) -> Vec<Command> {
    let c = &state.certs;
    let target = if forward {
        if !c.has_next() {
            return vec![];
        }
        c.page + 1
    } else if c.page > 1 {
        c.page - 1
    } else {
        return vec![];
    };
    state.certs.page = target;
    state.certs.selected = 0;
    state.certs.error = None;
    if state.certs.pages.contains_key(&target) {
        state.certs.loading = None;
        return prefetch_next(state);
    }
    fetch_certs(state, target, false).into_iter().collect()
}

pub(super) fn prefetch_next(state: &mut State) -> Vec<Command> {
    let next = state.certs.page + 1;
    let c = &state.certs;
    if !c.has_next() || c.pages.contains_key(&next) || c.prefetching.is_some_and(|(_, p)| p == next)
    {
        return vec![];
    }
    fetch_certs(state, next, true).into_iter().collect()
}

pub(super) fn on_certs(
    state: &mut State,
    id: RequestId,
    page_num: u32,
    res: Result<crate::atlas::Page<crate::atlas::UserCert>, String>,
) -> Vec<Command> {
    let main = state.certs.loading.is_some_and(|(l, _)| l == id);
    let pre = state.certs.prefetching.is_some_and(|(p, _)| p == id);
    if !main && !pre {
        return vec![];
    }
    if main {
        state.certs.loading = None;
    } else {
        state.certs.prefetching = None;
    }
    match res {
        Ok(page) => {
            state.certs.total = page.known_total().or(state.certs.total);
            state.certs.pages.insert(page_num, page.results);
            if main {
                state.certs.error = None;
                let jump = std::mem::take(&mut state.certs.jump_to_last);
                if jump && let Some(last) = state.certs.page_count().filter(|n| *n > page_num) {
                    state.certs.page = last;
                    state.certs.select_last = true;
                    return fetch_certs(state, last, false).into_iter().collect();
                }
                if jump || std::mem::take(&mut state.certs.select_last) {
                    state.certs.selected = state.certs.rows().len().saturating_sub(1);
                }
                return prefetch_next(state);
            }
            vec![]
        }
        Err(e) if main => {
            state.certs.error = Some(e);
            vec![]
        }
        Err(_) => vec![],
    }
}
