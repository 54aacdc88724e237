//! Sorting and filtering a user's certificates as a whole, not page by
//! page: when the view leaves Atlas's own order (a sort, a reverse, a
//! filter) and the user has at most [`WHOLE_MAX`] certificates, all of them
//! are fetched once (the client's bounded, paced page walk) and from then
//! on pages, sort and filter are the client's. Above the bound the pane
//! sorts and filters the page shown, and says so.

use std::collections::HashSet;

use super::msg::{Command, RequestId};
use super::state::certs::{Disagreement, WHOLE_MAX, Whole};
use super::state::{Level, State};
use atlas_client::UserCert;

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
    use crate::app::state::{CertSort, CertsPane};

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
