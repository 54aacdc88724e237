//! What is due: the organisation scan read as rotation reads it.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use crate::headless::{Ctx, Fail};
use crate::rotation::{Renewal, months_of, worth_rotating};
use atlas_client::fleet::{self, Event};
use atlas_client::{Error, UserCert};

/// A user due for a new certificate, and the one it replaces.
#[derive(Debug, Clone)]
pub struct Due {
    pub project: String,
    pub project_name: String,
    pub user: String,
    pub old: UserCert,
    pub months: u8,
}

/// What a scan of the chosen projects found.
#[derive(Default)]
pub struct Scan {
    pub due: Vec<Due>,
    /// (project, why): customer-CA projects, unreadable ones.
    pub skipped_projects: Vec<(String, String)>,
    /// (project, user): MANAGED users with no unexpired certificate.
    pub without: Vec<(String, String)>,
    /// (project, user, error)
    pub failed: Vec<(String, String, Error)>,
    /// (project, user, why): due, but a replacement of that validity
    /// would buy less than a day, or be due at once itself.
    pub too_short: Vec<(String, String, String)>,
    /// (project, user, serial): issued for an earlier run that was stopped
    /// before it wrote the key; left out when choosing the newest.
    pub keyless: Vec<(String, String, u64)>,
    /// Every MANAGED user read: (project, project name, user, its newest
    /// certificate), for the metrics.
    pub seen: Vec<(String, String, String, Option<UserCert>)>,
}

/// Requests an earlier run sent and never wrote an answer for; a
/// certificate created after one of them (Atlas dates `createdAt` an hour
/// back) holds a key that nobody has.
pub(super) struct Unanswered {
    pub(super) sent: Vec<(String, String, Timestamp)>,
    pub(super) written: HashSet<u64>,
}

impl Unanswered {
    fn keyless(&self, project: &str, user: &str, c: &UserCert) -> bool {
        !self.written.contains(&c.id)
            && self.sent.iter().any(|(p, u, at)| {
                p == project
                    && u == user
                    && c.created_at
                        >= at
                            .saturating_sub(SignedDuration::from_hours(2))
                            .unwrap_or(*at)
            })
    }
}

/// What rotation makes of the fleet scan: each MANAGED user's newest
/// certificate, due by `rule`.
pub(super) async fn scan(
    ctx: &Ctx,
    scope: fleet::Scope,
    (now, rule): (Timestamp, &Renewal),
    months: Option<u8>,
    unanswered: &Unanswered,
) -> Result<Scan, Fail> {
    let mut s = Scan::default();
    let budget = usize::try_from(ctx.client.limits().max_items).unwrap_or(usize::MAX);
    let mut fleet = fleet::start(&ctx.client, scope, ctx.concurrency, budget);
    while let Some(event) = fleet.next().await {
        match event {
            Event::Project { id, over, .. } if over > 0 => s.skipped_projects.push((
                id,
                crate::headless::expiring::over_budget(over, budget).explained(),
            )),
            Event::Projects(_) | Event::Project { .. } => {}
            Event::Skipped { id, reason, .. } => s.skipped_projects.push((id, reason.into())),
            // The project list itself: nothing to rotate around it.
            Event::Failed { id, error, .. } if id.is_empty() => return Err(error.into()),
            Event::Failed { id, error, .. } => s.skipped_projects.push((id, error.explained())),
            Event::User {
                project_id,
                project_name,
                username: user,
                certs,
            } => {
                let project = project_id.to_string();
                let mut certs = match certs {
                    Ok(c) => c,
                    Err(e) => {
                        s.failed.push((project, user, e));
                        continue;
                    }
                };
                certs.retain(|c| {
                    let lost = unanswered.keyless(&project, &user, c);
                    if lost {
                        s.keyless.push((project.clone(), user.clone(), c.id));
                    }
                    !lost
                });
                let newest = fleet::newest(certs);
                s.seen.push((
                    project.clone(),
                    project_name.to_string(),
                    user.clone(),
                    newest.clone(),
                ));
                let Some(old) = newest else {
                    s.without.push((project, user));
                    continue;
                };
                if !rule.due(&old, now) {
                    continue;
                }
                let months = months.unwrap_or_else(|| months_of(&old));
                match worth_rotating(&old, months, now, rule) {
                    Ok(()) => s.due.push(Due {
                        project,
                        project_name: project_name.to_string(),
                        months,
                        user,
                        old,
                    }),
                    Err(why) => s.too_short.push((project, user, why)),
                }
            }
        }
    }
    s.due.sort_by(|a, b| {
        (a.old.not_after, &a.project, &a.user).cmp(&(b.old.not_after, &b.project, &b.user))
    });
    // Answers come in any order; the notes should not.
    s.skipped_projects.sort();
    s.without.sort();
    s.too_short.sort();
    s.failed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    s.keyless.sort();
    s.seen.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
    Ok(s)
}
