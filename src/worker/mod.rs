//! Runs `Command`s off the UI: one task owns the Atlas client; results come
//! back as `Msg`s tagged with the request they answer.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::AbortHandle;

use crate::app::{ApiResult, Command, Msg};
use crate::pem::clipboard::Clipboard;
use atlas_client::Client;

mod jobs;
mod keep;

use jobs::{issue, read_bundle, save, scan};
use keep::keep_unheard;
pub use keep::{keep_now, keep_unshown, panic_text};

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
        Command::SaveCaBundle { id, path, text } => {
            let r = tokio::task::spawn_blocking(move || {
                let path = crate::pem::save::expand_home(&path, crate::dirs::home().as_deref());
                // Certificates only, public: 0644 like a .crt, never replacing a file.
                match crate::pem::save::write_new(text.as_bytes(), &path, false, 0o644) {
                    Ok(true) => Ok(path),
                    Ok(false) => Err(format!(
                        "{} already exists: type another name",
                        path.display()
                    )),
                    Err(e) => Err(format!("{}: {e}", path.display())),
                }
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            (id, ApiResult::CaBundleSaved(r))
        }
        Command::CopyText { id, text } => {
            let clipboard = clipboard.clone();
            let r = tokio::task::spawn_blocking(move || clipboard.copy(&text))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            (id, ApiResult::Copied(r))
        }
    }
}
