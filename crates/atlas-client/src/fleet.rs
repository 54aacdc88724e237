//! The organisation's MANAGED users and their certificates, read once for
//! everything that looks across projects: `expiring`, `rotate` and the
//! TUI's expiring view. One bound covers every request of the scan — the
//! project list, each project's X.509 settings and users, each user's
//! certificates — so a project's users, its users' certificates and the
//! next projects overlap, and the bound stays full until the end.
//!
//! Results stream out as they come (a bounded channel: a slow reader slows
//! the scan instead of growing it). What is held is what is under way: new
//! projects start only when no user of a started one waits for its turn.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Client, Error, PageRequest, UserCert, X509Type};

/// Which projects a scan covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every project the credentials can see.
    All,
    /// These (id, name); a name may be empty when the caller has none.
    These(Vec<(String, String)>),
}

/// Why a project's users are not scanned, said once per project.
pub const CUSTOMER_CA: &str =
    "customer-managed X.509: its users' certificates come from your CA, not Atlas";

#[derive(Debug)]
pub enum Event {
    /// How many projects the scan covers, once known.
    Projects(usize),
    /// A project's MANAGED users (each listed once); their certificates
    /// follow. `over`: users past the scan's budget, not read.
    Project {
        id: String,
        name: String,
        users: Vec<String>,
        over: usize,
    },
    /// Left out for a reason that is no error (a customer CA).
    Skipped {
        id: String,
        name: String,
        reason: &'static str,
    },
    /// A project could not be read; an empty id: the project list itself,
    /// and the scan ends.
    Failed {
        id: String,
        name: String,
        error: Error,
    },
    /// One MANAGED user's certificates, every one Atlas lists.
    User {
        project_id: Arc<str>,
        project_name: Arc<str>,
        username: String,
        certs: Result<Vec<UserCert>, Error>,
    },
}

/// A scan under way; dropping it stops every request it has.
pub struct Scan {
    rx: mpsc::Receiver<Event>,
    task: JoinHandle<()>,
    over: bool,
}

impl Scan {
    /// The next result; `None` once the scan is over. A scan that ended by
    /// a fault of ours ends with a `Failed` for the whole list, never as if
    /// it had read everything.
    pub async fn next(&mut self) -> Option<Event> {
        if let Some(e) = self.rx.recv().await {
            return Some(e);
        }
        if std::mem::replace(&mut self.over, true) {
            return None;
        }
        match (&mut self.task).await {
            Err(e) if e.is_panic() => Some(Event::Failed {
                id: String::new(),
                name: String::new(),
                error: Error::Invalid(
                    "internal error: the organisation scan stopped before its end; what it listed is incomplete"
                        .into(),
                ),
            }),
            _ => None,
        }
    }
}

impl Drop for Scan {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a scan with at most `in_flight` requests under way at once, of
/// at most `max_users` MANAGED users in all (the server decides how many
/// there are; this decides how many we read): a project over the budget
/// is listed with the users that fit, and `over` the rest.
pub fn start(client: &Client, scope: Scope, in_flight: usize, max_users: usize) -> Scan {
    let in_flight = in_flight.max(1);
    let (tx, rx) = mpsc::channel(256);
    let client = client.gated(in_flight);
    let task = tokio::spawn(drive(client, scope, in_flight, max_users, tx));
    Scan {
        rx,
        task,
        over: false,
    }
}

/// The newest certificate (by creation): the one rotation acts on and the
/// one every view shows unless asked for all.
pub fn newest(certs: impl IntoIterator<Item = UserCert>) -> Option<UserCert> {
    certs
        .into_iter()
        .max_by_key(|c| (c.created_at, c.not_after, c.id))
}

enum Done {
    Project {
        id: String,
        name: String,
        answer: Result<Option<Vec<String>>, Error>,
    },
    User(Event),
}

type Job = std::pin::Pin<Box<dyn std::future::Future<Output = Done> + Send>>;

async fn drive(
    client: Client,
    scope: Scope,
    in_flight: usize,
    mut budget: usize,
    tx: mpsc::Sender<Event>,
) {
    let Some(mut projects) = project_list(&client, scope, in_flight, &tx).await else {
        return;
    };
    let mut users: VecDeque<(Arc<str>, Arc<str>, String)> = VecDeque::new();
    let mut active: FuturesUnordered<Job> = FuturesUnordered::new();
    // Twice the bound: while one half is answered the other waits its
    // turn, so no slot is idle between answers.
    let room = in_flight * 2;
    loop {
        while active.len() < room {
            if let Some((pid, pname, user)) = users.pop_front() {
                active.push(Box::pin(user_job(
                    client.clone(),
                    pid,
                    pname,
                    user,
                    in_flight,
                )));
            } else if let Some((id, name)) = projects.pop_front() {
                active.push(Box::pin(project_job(client.clone(), id, name, in_flight)));
            } else {
                break;
            }
        }
        let Some(done) = active.next().await else {
            return;
        };
        let event = match done {
            Done::Project {
                id,
                name,
                answer: Ok(None),
            } => Event::Skipped {
                id,
                name,
                reason: CUSTOMER_CA,
            },
            Done::Project {
                id,
                name,
                answer: Ok(Some(mut list)),
            } => {
                let over = list.len().saturating_sub(budget);
                list.truncate(budget);
                budget -= list.len();
                let (pid, pname): (Arc<str>, Arc<str>) = (id.as_str().into(), name.as_str().into());
                users.extend(list.iter().map(|u| (pid.clone(), pname.clone(), u.clone())));
                Event::Project {
                    id,
                    name,
                    users: list,
                    over,
                }
            }
            Done::Project {
                id,
                name,
                answer: Err(error),
            } => Event::Failed { id, name, error },
            Done::User(event) => event,
        };
        if tx.send(event).await.is_err() {
            return;
        }
    }
}

/// The projects to scan, each once, and their count sent; `None` when
/// the list could not be read (said as a `Failed` for it) or nobody listens.
async fn project_list(
    client: &Client,
    scope: Scope,
    in_flight: usize,
    tx: &mpsc::Sender<Event>,
) -> Option<VecDeque<(String, String)>> {
    let listed: Vec<(String, String)> = match scope {
        Scope::These(list) => list,
        Scope::All => match client
            .all_projects(PageRequest::MAX_ITEMS_PER_PAGE, in_flight)
            .await
        {
            Ok(all) => all.into_iter().map(|p| (p.id, p.name)).collect(),
            Err(error) => {
                let _ = tx
                    .send(Event::Failed {
                        id: String::new(),
                        name: String::new(),
                        error,
                    })
                    .await;
                return None;
            }
        },
    };
    // A project listed twice (a page repeated) is scanned once: rotate
    // would otherwise issue twice for each of its users.
    let mut seen = std::collections::HashSet::new();
    let projects: VecDeque<(String, String)> = listed
        .into_iter()
        .filter(|(id, _)| seen.insert(id.clone()))
        .collect();
    if tx.send(Event::Projects(projects.len())).await.is_err() {
        return None;
    }
    Some(projects)
}

/// A project's MANAGED users, and then (only when it has some) its X.509
/// mode; `None`: a customer CA, so Atlas issues nothing there. Most
/// projects of an organisation have no MANAGED user: they cost one
/// request, not two.
async fn project_job(client: Client, id: String, name: String, in_flight: usize) -> Done {
    let answer = match managed_usernames(&client, &id, in_flight).await {
        Ok(users) if users.is_empty() => Ok(Some(users)),
        Ok(users) => match client.get_user_security(&id).await {
            Ok(s) if s.customer_x509.is_configured() => Ok(None),
            Ok(_) => Ok(Some(users)),
            // Reading the mode takes Project Owner; a key that may only
            // read still lists certificates (a customer-CA project's
            // MANAGED users hold only those Atlas issued before).
            Err(e) if e.status() == Some(403) => Ok(Some(users)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    Done::Project { id, name, answer }
}

async fn user_job(
    client: Client,
    project_id: Arc<str>,
    project_name: Arc<str>,
    username: String,
    in_flight: usize,
) -> Done {
    let certs = client
        .all_certs(
            &project_id,
            &username,
            PageRequest::MAX_ITEMS_PER_PAGE,
            in_flight,
        )
        .await;
    Done::User(Event::User {
        project_id,
        project_name,
        username,
        certs,
    })
}

/// The usernames of a project's MANAGED X.509 users, each once (a server
/// listing one user twice gets one row and one certificate, not two).
async fn managed_usernames(
    client: &Client,
    group_id: &str,
    concurrency: usize,
) -> Result<Vec<String>, Error> {
    let kept = client
        .all_users_kept(
            group_id,
            PageRequest::MAX_ITEMS_PER_PAGE,
            concurrency,
            |u| (u.x509_type == X509Type::Managed).then_some(u.username),
        )
        .await?;
    let set: std::collections::BTreeSet<String> = kept.into_iter().flatten().collect();
    Ok(set.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(id: u64, created: &str, not_after: &str) -> UserCert {
        UserCert {
            id,
            created_at: created.parse().unwrap(),
            not_after: not_after.parse().unwrap(),
            subject: "CN=x".into(),
            group_id: None,
        }
    }

    #[test]
    fn the_newest_is_the_last_created() {
        let got = newest(vec![
            cert(1, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            cert(2, "2026-06-01T00:00:00Z", "2026-09-01T00:00:00Z"),
        ]);
        assert_eq!(got.map(|c| c.id), Some(2));
        assert_eq!(newest(vec![]), None);
    }
}
