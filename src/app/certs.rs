//! The certificates pane: server pages, the prefetched next page, and what
//! happens when a page answer arrives.

use super::msg::{Command, RequestId};
use super::state::{CertsPane, Level, State};
use atlas_client::PageRequest;

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

/// A new owner (or none): a fresh pane. The page size and the sort order
/// are the user's preferences and stay.
pub(super) fn reset_certs(
    state: &mut State,
    owner: Option<(String, String)>,
    note: Option<String>,
) {
    let c = &state.certs;
    state.certs = CertsPane {
        owner,
        note,
        per_page: c.per_page,
        sort: c.sort,
        descending: c.descending,
        page: 1,
        ..CertsPane::default()
    };
    state.certs_due = None;
}

/// After issuing: from page 1, then to the last page where the new one is.
pub(super) fn refresh_certs(state: &mut State) -> Vec<Command> {
    let jump = state.certs.jump_to_last;
    let cmds = reload_certs(state, 1, None);
    state.certs.jump_to_last = jump;
    cmds
}

/// Loads `page` again for the same user, keeping the filter and order, and
/// selecting `reselect` again if it is still there.
pub(super) fn reload_certs(state: &mut State, page: u32, reselect: Option<u64>) -> Vec<Command> {
    let owner = state.certs.owner.clone();
    let note = state.certs.note.clone();
    let filter = std::mem::take(&mut state.certs.filter);
    let moves = state.certs.pending_moves;
    reset_certs(state, owner, note);
    state.certs.filter = filter;
    state.certs.pending_moves = moves;
    state.certs.page = page.max(1);
    state.certs.reselect = reselect;
    if state.certs.note.is_some() {
        return vec![];
    }
    let page = state.certs.page;
    fetch_certs(state, page, false).into_iter().collect()
}

/// `+`/`-`: the certificate selected before stays selected, on whatever
/// page it lands at the new size.
pub(super) fn change_per_page(state: &mut State, more: bool) -> Vec<Command> {
    use super::state::certs::PER_PAGE_STEPS;
    let old = state.certs.per_page.max(1);
    let i = PER_PAGE_STEPS.iter().position(|n| *n >= old).unwrap_or(2);
    let j = if more {
        (i + 1).min(PER_PAGE_STEPS.len() - 1)
    } else {
        i.saturating_sub(1)
    };
    let new = PER_PAGE_STEPS[j];
    let keep = state.certs.selected_cert().map(|c| c.id);
    if state.certs.whole_list().is_some() {
        // The whole list is in hand: only the pages change.
        state.certs.per_page = new;
        state.certs.select_serial(keep);
        state.set_status(Level::Info, format!("{new} certificates per page"));
        return vec![];
    }
    let in_page = keep
        .and_then(|id| state.certs.page_rows().iter().position(|c| c.id == id))
        .unwrap_or(0) as u64;
    let absolute = u64::from(state.certs.page.saturating_sub(1)) * u64::from(old) + in_page;
    let page = u32::try_from(absolute / u64::from(new) + 1).unwrap_or(u32::MAX);
    state.certs.per_page = new;
    state.set_status(Level::Info, format!("{new} certificates per page"));
    reload_certs(state, page, keep)
}

/// Where `n`, `p`, `P` and `N` go among Atlas's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PageJump {
    Next,
    Prev,
    First,
    Last,
}

pub(super) fn flip_page(state: &mut State, jump: PageJump) -> Vec<Command> {
    let c = &state.certs;
    let target = match jump {
        PageJump::Next if c.has_next() => c.page + 1,
        PageJump::Prev | PageJump::First if c.page > 1 => {
            if jump == PageJump::First {
                1
            } else {
                c.page - 1
            }
        }
        PageJump::Last => match c.page_count() {
            Some(n) if n > c.page => n,
            Some(_) => return vec![],
            None => {
                state.set_status(
                    Level::Info,
                    "Atlas gave no count for this list: the last page is found with n, page by page",
                );
                return vec![];
            }
        },
        _ => return vec![],
    };
    state.certs.page = target;
    state.certs.selected = 0;
    state.certs.error = None;
    if state.certs.whole_list().is_some() {
        return vec![];
    }
    if state.certs.pages.contains_key(&target) {
        state.certs.loading = None;
        return prefetch_next(state);
    }
    fetch_certs(state, target, false).into_iter().collect()
}

pub(super) fn prefetch_next(state: &mut State) -> Vec<Command> {
    let next = state.certs.page + 1;
    let c = &state.certs;
    if c.whole_list().is_some()
        || !c.has_next()
        || c.pages.contains_key(&next)
        || c.prefetching.is_some_and(|(_, p)| p == next)
    {
        return vec![];
    }
    fetch_certs(state, next, true).into_iter().collect()
}

pub(super) fn on_certs(
    state: &mut State,
    id: RequestId,
    page_num: u32,
    res: Result<atlas_client::Page<atlas_client::UserCert>, String>,
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
                } else if whole_follows(&state.certs) {
                    // `reselect` waits for the whole list: this page is not
                    // the one the selection was on.
                } else if let Some(id) = state.certs.reselect.take() {
                    state.certs.reselect(Some(id));
                }
                let moves = std::mem::take(&mut state.certs.pending_moves);
                let len = state.certs.rows().len() as i64;
                if moves != 0 && len > 0 {
                    let at = (state.certs.selected as i64).saturating_add(moves);
                    state.certs.selected = at.clamp(0, len - 1) as usize;
                }
                // The page is gone (the list shrank): once, to the last one.
                if state.certs.page_rows().is_empty() && page_num > 1 && !state.certs.fell_back {
                    state.certs.fell_back = true;
                    let last = state.certs.page_count().unwrap_or(1).min(page_num - 1);
                    state.certs.page = last;
                    return fetch_certs(state, last, false).into_iter().collect();
                }
                let mut cmds = super::cert_view::want_whole(state);
                cmds.extend(prefetch_next(state));
                return cmds;
            }
            vec![]
        }
        Err(e) if main => {
            state.log_pane_error("Certificates", Some(e.clone()));
            state.certs.error = Some(e);
            vec![]
        }
        Err(_) => vec![],
    }
}

/// A sort or filter is in force and the count allows the whole list: it
/// will be asked for as soon as this page's count is known.
fn whole_follows(c: &CertsPane) -> bool {
    c.view_is_custom()
        && matches!(c.whole, super::state::Whole::NotNeeded)
        && c.total.is_some_and(|t| t <= super::state::certs::WHOLE_MAX)
}
