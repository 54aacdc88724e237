//! Runs `Command`s off the UI: one task owns the Atlas client; results come
//! back as `Msg`s tagged with the request they answer.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::AbortHandle;

use std::path::PathBuf;

use crate::app::{ApiResult, Command, IssueFailure, Issued, Msg, SaveOutcome};
use crate::handover::Held;
use crate::pem;
use crate::pem::clipboard::Clipboard;
use atlas_client::Client;

/// The worker's side of the UI: where commands go, and the work on keys
/// still under way.
pub struct Worker {
    pub commands: Commands,
    pub key_work: KeyWork,
}

/// Work that holds a key, from the moment the UI asks for it until its
/// answer is sent back: a certificate request (its answer is the only copy
/// of a key), a save, a copy, a kept copy's removal. The UI ends only once
/// this is zero (or the request's time is up).
#[derive(Clone)]
pub struct KeyWork(Arc<tokio::sync::watch::Sender<usize>>);

impl Default for KeyWork {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::channel(0).0))
    }
}

/// One piece of key work under way; dropped once its answer was sent.
pub struct KeyWorkGuard(KeyWork);

impl Drop for KeyWorkGuard {
    fn drop(&mut self) {
        self.0.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl KeyWork {
    fn start(&self) -> KeyWorkGuard {
        self.0.send_modify(|n| *n += 1);
        KeyWorkGuard(self.clone())
    }

    pub fn count(&self) -> usize {
        *self.0.borrow()
    }

    /// Waits until every piece was answered; false when `limit` passed first.
    pub async fn settled(&self, limit: std::time::Duration) -> bool {
        let mut rx = self.0.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|n| *n == 0))
            .await
            .is_ok()
    }
}

/// Where the UI sends commands. Key work is counted here, as it is sent,
/// so that no moment exists where a request is asked for and not counted.
#[derive(Clone)]
pub struct Commands {
    tx: UnboundedSender<(Command, Option<KeyWorkGuard>)>,
    key_work: KeyWork,
}

impl Commands {
    pub fn send(&self, cmd: Command) {
        let guard = cmd.holds_a_key().then(|| self.key_work.start());
        let _ = self.tx.send((cmd, guard));
    }
}

/// `write_ahead`: an issued key goes to a 0600 rescue file before the UI
/// sees it (`key_write_ahead`, on unless the user turned it off).
pub fn spawn(
    client: Client,
    clipboard: Arc<Clipboard>,
    results: UnboundedSender<Msg>,
    write_ahead: bool,
) -> Worker {
    let key_work = KeyWork::default();
    let (tx, mut rx) = unbounded_channel::<(Command, Option<KeyWorkGuard>)>();
    let waits = results.clone();
    client.set_wait_observer(Arc::new(move |wait, status| {
        let _ = waits.send(Msg::Waiting {
            secs: wait.as_secs_f64().ceil() as u64,
            status,
        });
    }));
    tokio::spawn(async move {
        let mut slots: HashMap<&'static str, AbortHandle> = HashMap::new();
        while let Some((cmd, guard)) = rx.recv().await {
            let slot = cmd.slot();
            let client = client.clone();
            let clipboard = clipboard.clone();
            let results = results.clone();
            let task = tokio::spawn(async move {
                let work = std::panic::AssertUnwindSafe(async {
                    match cmd {
                        Command::Scan {
                            id,
                            project,
                            concurrency,
                        } => {
                            scan(&client, id, project, concurrency, &results).await;
                            (id, ApiResult::Scan(crate::app::ScanEvent::Done))
                        }
                        cmd => run(&client, &clipboard, cmd, write_ahead).await,
                    }
                });
                let msg = match futures_util::FutureExt::catch_unwind(work).await {
                    Ok((id, result)) => Msg::Api(id, result),
                    Err(panic) => Msg::Fatal(format!(
                        "internal error in a background task: {}",
                        panic_text(panic.as_ref())
                    )),
                };
                if let Err(unsent) = results.send(msg) {
                    keep_unheard(unsent.0);
                }
                drop(guard);
            });
            if let Some(slot) = slot
                && let Some(older) = slots.insert(slot, task.abort_handle())
            {
                // Superseded: the UI no longer wants its answer.
                older.abort();
            }
        }
    });
    Worker {
        commands: Commands {
            tx,
            key_work: key_work.clone(),
        },
        key_work,
    }
}

/// The UI is gone: an issued key it will never show is kept all the same.
fn keep_unheard(msg: Msg) {
    if let Msg::Api(_, ApiResult::Issued(Ok(issued))) = msg {
        let said = keep_unshown(*issued);
        tracing::warn!(said, "an issued key arrived after the UI ended");
    }
}

/// An issued key the UI never showed: where it is, in words; kept now
/// (rescue file, else a stream) when it was not written ahead.
pub fn keep_unshown(issued: Issued) -> String {
    match &issued.held {
        Held::File(path) => format!(
            "the certificate issued for {} arrived as the program ended; its key is in {} (mode 0600)",
            atlas_client::sanitize::line(&issued.username, 80),
            path.display()
        ),
        _ => keep_now(&issued.pem, &issued.username),
    }
}

/// A key held only in memory, kept now; the words say where it went.
pub fn keep_now(pem: &atlas_client::IssuedPem, username: &str) -> String {
    let kept = crate::handover::keep_somewhere(pem, username, false);
    format!(
        "the issued key for {} was neither saved nor copied: {}",
        atlas_client::sanitize::line(username, 80),
        kept.said
    )
}

pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    atlas_client::sanitize::line(&text, 300)
}

/// The fleet scan for the expiring view: each result sent as it comes,
/// of each user only the newest certificate; `Done` is the caller's.
async fn scan(
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
async fn read_bundle(
    client: &Client,
    group_id: &str,
    path: PathBuf,
) -> Result<Box<crate::app::CaBundle>, String> {
    use atlas_client::bundle;
    let home = crate::dirs::home();
    let path = pem::save::expand_home(&path, home.as_deref());
    let shown = path.display().to_string();
    let read = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || bundle::read_capped(&path))
            .await
            .map_err(|_| "reading the file failed".to_string())?
    };
    let text = read.map_err(|e| format!("{}: {e}", atlas_client::sanitize::line(&shown, 200)))?;
    let cas = bundle::parse(&text)
        .map_err(|e| format!("{}: {e}", atlas_client::sanitize::line(&shown, 200)))?;
    if let Some(why) = bundle::refusal(&cas, jiff::Timestamp::now()) {
        return Err(format!("{why}: Atlas would refuse it; nothing was sent"));
    }
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

async fn run(
    client: &Client,
    clipboard: &Arc<Clipboard>,
    cmd: Command,
    write_ahead: bool,
) -> (u64, ApiResult) {
    let text = |e: atlas_client::Error| e.explained();
    match cmd {
        Command::FetchProjects { id, page } => (
            id,
            ApiResult::Projects(client.list_projects(page).await.map_err(text)),
        ),
        Command::FetchUsers { id, group_id, page } => (
            id,
            ApiResult::Users(client.list_users(&group_id, page).await.map_err(text)),
        ),
        Command::FetchCerts {
            id,
            group_id,
            username,
            page,
        } => (
            id,
            ApiResult::Certs(
                page.page_num,
                client
                    .list_certs(&group_id, &username, page)
                    .await
                    .map_err(text),
            ),
        ),
        Command::FetchAllCerts {
            id,
            group_id,
            username,
            max_items,
            concurrency,
        } => (
            id,
            ApiResult::AllCerts(
                client
                    // Fewer at once when Atlas pushes back (the client's pacer).
                    .all_certs_up_to(&group_id, &username, max_items, concurrency)
                    .await
                    .map_err(text),
            ),
        ),
        Command::CreateCert {
            id,
            group_id,
            username,
            months,
        } => (
            id,
            issue(client, &group_id, &username, months, write_ahead).await,
        ),
        Command::CreateUser { id, group_id, user } => (
            id,
            ApiResult::UserCreated(
                client
                    .create_x509_user(&group_id, &user)
                    .await
                    .map(Box::new)
                    .map_err(text),
            ),
        ),
        Command::ReadCaBundle { id, group_id, path } => (
            id,
            ApiResult::CaBundleRead(read_bundle(client, &group_id, path).await),
        ),
        Command::SetCustomerX509 { id, group_id, cas } => {
            let result = client.set_customer_x509(&group_id, &cas).await;
            // Worth a line: it restarts every cluster of the project.
            if result.is_ok() {
                tracing::info!(
                    group_id,
                    "customer X.509 enabled; Atlas restarts the project's clusters"
                );
            }
            (id, ApiResult::CustomerX509Set(result.map_err(text)))
        }
        // Streamed by `spawn`, never run here.
        Command::Scan { id, .. } => (id, ApiResult::Scan(crate::app::ScanEvent::Done)),
        Command::FetchSecurity { id, group_id } => (
            id,
            ApiResult::Security(client.get_user_security(&group_id).await.map_err(text)),
        ),
        Command::DisableCustomerX509 { id, group_id } => {
            let result = client.disable_customer_x509(&group_id).await;
            // Worth a line: it clears the CA and restarts every cluster.
            match &result {
                Ok(_) => tracing::info!(
                    group_id,
                    "customer X.509 disabled; Atlas restarts the project's clusters"
                ),
                Err(e) => tracing::warn!(group_id, error = %e, "disabling customer X.509 failed"),
            }
            (id, ApiResult::Disabled(result.map_err(text)))
        }
        Command::SavePem {
            id,
            pem,
            path,
            default_name,
            overwrite,
            split,
        } => save(id, pem, path, default_name, overwrite, split).await,
        Command::ReleaseKey { id, path } => {
            let r = {
                let path = path.clone();
                tokio::task::spawn_blocking(move || crate::handover::release(&path))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
            };
            match &r {
                Ok(()) => tracing::info!(?path, "kept key file removed after the hand-over"),
                Err(why) => tracing::warn!(why, "the kept key file could not be removed"),
            }
            (id, ApiResult::Released(r.map(|()| path)))
        }
        Command::CopyPem { id, pem } => {
            let clipboard = clipboard.clone();
            let r = tokio::task::spawn_blocking(move || clipboard.copy(pem.expose()))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            (id, ApiResult::Copied(r))
        }
    }
}

/// The one hand-over issues; the key is written ahead (off the async
/// threads: fsync can take a while) before anything else is done with the
/// answer, then the answer is checked. A panic in the check is a finding,
/// not the end of the key.
async fn issue(
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
async fn save(
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
