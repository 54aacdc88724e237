//! When the loop ends with a key on screen or on its way: the key goes
//! to its rescue file, and the answers still coming are waited for.

use std::time::Duration;

use super::Channels;
use crate::app::{self, ApiResult, Held, Modal, Msg, State};
use crate::say::say;
use crate::worker;

/// The loop has ended, however it ended: a certificate request still on
/// its way is waited for (its answer holds a key), and every issued key
/// that was not handed over is accounted for. The words say where each is.
pub(super) async fn keep_what_is_left(
    state: &State,
    chans: &mut Channels,
    key_work: &worker::KeyWork,
    limit: Duration,
) -> Vec<String> {
    let mut said = Vec::new();
    // A save or a removal takes a moment; only a longer wait is announced.
    if !key_work.settled(Duration::from_millis(300)).await {
        tracing::info!("waiting for work on a key (a certificate request, a save) before exiting");
        say(
            "waiting for the work on a key to finish (a certificate request's answer is kept when it comes)",
        );
        if !key_work.settled(limit).await {
            said.push(format!(
                "no answer to the certificate request within {} s: if Atlas issued it, nobody holds its key; check the user's certificate list",
                limit.as_secs()
            ));
        }
    }
    if let Some(Modal::Pem(m)) = &state.modal
        && !m.handed_over()
    {
        said.push(keep_unsaved(m));
    }
    for (who, path) in &state.kept_keys {
        if path.exists() {
            said.push(format!(
                "the copied key for {} also waits in {} (mode 0600): delete it once the copy is safe",
                atlas_client::sanitize::line(who, 80),
                path.display()
            ));
        }
    }
    let mut rest = std::mem::take(&mut chans.leftover);
    while let Ok(msg) = chans.results.try_recv() {
        rest.push(msg);
    }
    for msg in rest {
        if let Msg::Api(_, ApiResult::Issued(Ok(issued))) = msg {
            said.push(worker::keep_unshown(*issued));
        }
    }
    said
}

/// A copy of an issued key's message, kept aside while the state takes it.
pub(super) fn issued_copy(msg: &Msg) -> Option<Msg> {
    let Msg::Api(id, ApiResult::Issued(Ok(i))) = msg else {
        return None;
    };
    Some(Msg::Api(
        *id,
        ApiResult::Issued(Ok(Box::new(app::Issued {
            pem: i.pem.clone(),
            info: None,
            problem: None,
            username: i.username.clone(),
            held: i.held.clone(),
        }))),
    ))
}

/// The open dialog's key, neither saved nor copied: already in its
/// written-ahead file, or kept now.
pub(super) fn keep_unsaved(m: &app::state::PemModal) -> String {
    match &m.held {
        Held::File(_) => app::pem_dialog::where_kept(m),
        _ => worker::keep_now(&m.pem, &m.username),
    }
}
