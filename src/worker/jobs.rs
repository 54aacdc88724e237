//! The longer jobs: the fleet scan for the expiring view, reading a CA
//! bundle, issuing (and keeping) a certificate, saving a PEM.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{ApiResult, IssueFailure, Issued, Msg, SaveOutcome};
use crate::handover::Held;
use crate::pem;
use atlas_client::Client;

/// The fleet scan for the expiring view: each result sent as it comes,
/// of each user only the newest certificate; `Done` is the caller's.
pub(super) async fn scan(
    client: &Client,
    id: u64,
    project: Option<(String, String)>,
    concurrency: usize,
    results: &UnboundedSender<Msg>,
) {
    use crate::app::ScanEvent;
    use atlas_client::fleet::{self, Event};
    let scope = match project {
        Some(p) => fleet::Scope::These(vec![p]),
        None => fleet::Scope::All,
    };
    let mut scan = fleet::start(
        client,
        scope,
        concurrency,
        crate::app::state::expiring::MAX_SCAN_USERS,
    );
    while let Some(event) = scan.next().await {
        let event = match event {
            Event::Projects(n) => ScanEvent::Projects(n),
            Event::Project {
                id,
                name,
                users,
                over,
            } => ScanEvent::Project {
                id,
                name,
                users,
                over,
            },
            Event::Skipped { id, name, .. } => ScanEvent::Skipped { id, name },
            Event::Failed { id, name, error } => ScanEvent::Failed {
                id,
                name,
                error: error.explained(),
            },
            Event::User {
                project_id,
                project_name,
                username,
                certs,
            } => ScanEvent::User {
                project_id: project_id.to_string(),
                project: project_name.to_string(),
                username,
                newest: certs.map(fleet::newest).map_err(|e| e.explained()),
            },
        };
        if results.send(Msg::Api(id, ApiResult::Scan(event))).is_err() {
            return;
        }
    }
}

/// The file read (size-capped, off the runtime), parsed and checked as the
/// headless command does, and the project's current CA count.
pub(super) async fn read_bundle(
    client: &Client,
    group_id: &str,
    path: PathBuf,
) -> Result<Box<crate::app::CaBundle>, String> {
    use atlas_client::bundle;
    let home = crate::dirs::home();
    let path = pem::save::expand_home(&path, home.as_deref());
    let read = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            crate::ca_file::read_checked(&path, jiff::Timestamp::now())
        })
        .await
        .map_err(|_| "reading the file failed".to_string())?
    };
    let (text, cas) = read?;
    let current = client
        .get_user_security(group_id)
        .await
        .map_err(|e| e.explained())?
        .customer_x509
        .ca_count();
    Ok(Box::new(crate::app::CaBundle {
        path,
        // Only what was parsed is ever sent.
        text: bundle::reencoded(&text),
        cas,
        current,
    }))
}

/// The one hand-over issues; the key is written ahead (off the async
/// threads: fsync can take a while) before anything else is done with the
/// answer, then the answer is checked. A panic in the check is a finding,
/// not the end of the key.
pub(super) async fn issue(
    client: &Client,
    group_id: &str,
    username: &str,
    months: u8,
    write_ahead: bool,
) -> ApiResult {
    let ask = crate::handover::Ask {
        group_id,
        username,
        months,
    };
    let pem = match crate::handover::send(client, &ask).await {
        Ok(pem) => Arc::new(pem),
        Err(e) => {
            return ApiResult::Issued(Err(IssueFailure {
                maybe_issued: matches!(e, atlas_client::Error::MaybeIssued(_)),
                text: e.explained(),
            }));
        }
    };
    let held = if write_ahead {
        let (pem, label) = (pem.clone(), format!("{group_id}-{username}"));
        tokio::task::spawn_blocking(move || crate::handover::hold(&pem, &label))
            .await
            .unwrap_or_else(|e| Held::Failed(e.to_string()))
    } else {
        Held::Off
    };
    match &held {
        Held::File(path) => tracing::info!(?path, "issued key written ahead"),
        Held::Failed(why) => tracing::warn!(why, "the issued key could not be written ahead"),
        Held::Off | Held::Released => {}
    }
    let examined = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::handover::examine(&pem, &ask, jiff::Timestamp::now())
    }));
    let (info, problem) = examined.unwrap_or_else(|_| {
        (
            None,
            Some(crate::handover::Problem::Unusable(
                "its answer could not be checked (an internal error)".into(),
            )),
        )
    });
    crate::handover::audit(&ask, info.as_ref(), problem.as_ref());
    ApiResult::Issued(Ok(Box::new(Issued {
        pem,
        info,
        problem: problem.map(|p| p.to_string()),
        username: username.to_string(),
        held,
    })))
}

/// Writes the key file off the async threads: fsync can take a while.
pub(super) async fn save(
    id: u64,
    pem: Arc<atlas_client::IssuedPem>,
    path: PathBuf,
    default_name: String,
    overwrite: bool,
    split: bool,
) -> (u64, ApiResult) {
    let outcome = tokio::task::spawn_blocking(move || {
        pem::save::save(&pem, &path, &default_name, overwrite, split)
    })
    .await
    .unwrap_or_else(|e| SaveOutcome::Failed(PathBuf::new(), e.to_string()));
    match &outcome {
        SaveOutcome::Saved(paths) => tracing::info!(?paths, "PEM saved"),
        SaveOutcome::Failed(path, why) => {
            tracing::warn!(?path, why, "saving the PEM failed")
        }
        SaveOutcome::Exists(path) => tracing::info!(?path, "save target exists; asking"),
    }
    (id, ApiResult::Saved(outcome))
}
