//! `expiring`: what the fleet scan finds due within a window. By default
//! each MANAGED user's newest certificate (what `rotate` would replace) and
//! every user with none; `--all-certs` every certificate in the window.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::json_out::Ts;
use super::{Ctx, Fail, table, ts};
use crate::cli::{ExpiringArgs, Format};
use crate::rotation::Renewal;
use atlas_client::fleet::{self, Event};
use atlas_client::{Error, UserCert};

/// One line of the report: a certificate, or a user with none (`cert`
/// empty), who is past due.
struct Due {
    project: String,
    project_name: String,
    user: String,
    cert: Option<UserCert>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DueRow<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    project_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project: Option<&'a str>,
    username: &'a str,
    #[serde(rename = "_id")]
    id: Option<u64>,
    #[serde(serialize_with = "super::json_out::serial_opt")]
    serial: Option<u64>,
    serial_hex: Option<String>,
    subject: Option<&'a str>,
    created_at: Option<Ts>,
    not_after: Option<Ts>,
    days_left: Option<i64>,
}

/// Every MANAGED user the scan read, for the metrics and `--fail-within`.
struct Seen {
    project_id: String,
    project: String,
    user: String,
    certs: Vec<UserCert>,
    due: bool,
}

pub(super) async fn run(ctx: &Ctx, a: &ExpiringArgs) -> Result<(), Fail> {
    let rule = a.renew_before.unwrap_or(Renewal::Within(a.within));
    super::delay::before_first_request(a.delay.random_delay, None).await?;
    let scope = if a.all_projects {
        fleet::Scope::All
    } else {
        fleet::Scope::These(vec![ctx.project_named(&a.project, false).await?])
    };
    let now = Timestamp::now();
    let budget = usize::try_from(ctx.client.limits().max_items).unwrap_or(usize::MAX);
    let mut scan = fleet::start(&ctx.client, scope, ctx.concurrency, budget);
    let mut due: Vec<Due> = vec![];
    let mut seen: Vec<Seen> = vec![];
    // (project, user or "", error)
    let mut failed: Vec<(String, String, Error)> = vec![];
    // (name, id, why)
    let mut skipped: Vec<(String, String, &str)> = vec![];
    let mut total_users = 0;
    while let Some(event) = scan.next().await {
        match event {
            Event::Projects(_) => {}
            Event::Project {
                id, users, over, ..
            } => {
                total_users += users.len() + over;
                if over > 0 {
                    failed.push((id, String::new(), over_budget(over, budget)));
                }
            }
            Event::Skipped { id, name, reason } => skipped.push((name, id, reason)),
            // The list of projects, or the one project asked for: nothing
            // to report around it.
            Event::Failed { id, error, .. } if id.is_empty() || !a.all_projects => {
                return Err(error.into());
            }
            // One project's refusal must not hide the others' expiries.
            Event::Failed { id, error, .. } => failed.push((id, String::new(), error)),
            Event::User {
                project_id,
                project_name,
                username,
                certs,
            } => match certs {
                Err(e) => failed.push((project_id.to_string(), username, e)),
                Ok(certs) => {
                    let project = project_id.to_string();
                    let row = |cert| Due {
                        project: project.clone(),
                        project_name: project_name.to_string(),
                        user: username.clone(),
                        cert,
                    };
                    let newest = fleet::newest(certs.clone());
                    let user_due = newest.as_ref().is_none_or(|c| rule.due(c, now));
                    if certs.is_empty() {
                        due.push(row(None));
                    } else if a.all_certs {
                        due.extend(
                            certs
                                .iter()
                                .filter(|c| rule.due(c, now))
                                .cloned()
                                .map(|c| row(Some(c))),
                        );
                    } else if let Some(c) = newest.filter(|c| rule.due(c, now)) {
                        due.push(row(Some(c)));
                    }
                    seen.push(Seen {
                        project_id: project.clone(),
                        project: project_name.to_string(),
                        user: username.clone(),
                        certs,
                        due: user_due,
                    });
                }
            },
        }
    }
    finish(
        ctx,
        a,
        (now, &rule),
        due,
        seen,
        failed,
        skipped,
        total_users,
    )
}

/// Users past the scan's budget: named, never dropped in silence.
pub(super) fn over_budget(over: usize, budget: usize) -> Error {
    Error::Bound(format!(
        "{over} MANAGED users not read: over the limit of {budget} in one scan (--max-items raises it)"
    ))
}

#[allow(clippy::too_many_arguments)]
fn finish(
    ctx: &Ctx,
    a: &ExpiringArgs,
    (now, rule): (Timestamp, &Renewal),
    mut due: Vec<Due>,
    mut seen: Vec<Seen>,
    mut failed: Vec<(String, String, Error)>,
    skipped: Vec<(String, String, &str)>,
    total_users: usize,
) -> Result<(), Fail> {
    if !failed.is_empty() && due.is_empty() && failed.len() >= total_users.max(1) {
        return Err(Fail::Atlas(failed.swap_remove(0).2));
    }
    // Users with none first (past due), then soonest first.
    let key = |d: &Due| (d.cert.as_ref().map(|c| (c.not_after, c.id)),);
    due.sort_by(|x, y| (key(x), &x.project, &x.user).cmp(&(key(y), &y.project, &y.user)));
    // A page repeated by the server must not repeat rows or counts.
    due.dedup_by(|x, y| {
        x.project == y.project
            && x.user == y.user
            && x.cert.as_ref().map(|c| c.id) == y.cert.as_ref().map(|c| c.id)
    });
    seen.sort_by(|x, y| (&x.project_id, &x.user).cmp(&(&y.project_id, &y.user)));
    seen.dedup_by(|x, y| x.project_id == y.project_id && x.user == y.user);
    // A page the server repeated must not repeat a series: the textfile
    // collector rejects a whole file for one duplicate.
    for u in &mut seen {
        u.certs.sort_by_key(|c| c.id);
        u.certs.dedup_by_key(|c| c.id);
    }
    match a.format {
        Some(Format::Prometheus) => print_metrics(&seen, now)?,
        _ => print_due(ctx, a, (now, rule), &due)?,
    }
    let partial = say_gaps(skipped, &mut failed);
    if let Some(within) = a.fail_within {
        alert(&seen, now, within, a.all_certs)?;
    }
    if !partial {
        return Ok(());
    }
    Err(Fail::Partial(format!(
        "the report is partial: {} of {total_users} MANAGED users (or projects) could not be read",
        failed.len()
    )))
}

/// `--fail-within`: exit 6 when a user's newest certificate (any listed
/// one with `--all-certs`) expires within it, or a user has none.
fn alert(seen: &[Seen], now: Timestamp, within: SignedDuration, all: bool) -> Result<(), Fail> {
    let limit = now.checked_add(within).unwrap_or(Timestamp::MAX);
    let none = seen.iter().filter(|u| u.certs.is_empty()).count();
    let soon = seen
        .iter()
        .filter(|u| {
            let mut certs = u.certs.iter();
            if all {
                certs.any(|c| c.not_after <= limit)
            } else {
                certs.map(|c| c.not_after).max().is_some_and(|t| t <= limit)
            }
        })
        .count();
    if none == 0 && soon == 0 {
        return Ok(());
    }
    let mut parts = vec![];
    if soon > 0 {
        parts.push(format!(
            "{} expire{} within {}",
            crate::format::plural(soon, "user's certificate", "users' certificates"),
            if soon == 1 { "s" } else { "" },
            crate::format::duration_words(within)
        ));
    }
    if none > 0 {
        parts.push(format!(
            "{} no certificate",
            crate::format::plural(none, "MANAGED user has", "MANAGED users have")
        ));
    }
    Err(Fail::Alert(parts.join("; ")))
}

fn print_metrics(seen: &[Seen], now: Timestamp) -> Result<(), Fail> {
    let users: Vec<crate::metrics::UserSeen> = seen
        .iter()
        .map(|u| crate::metrics::UserSeen {
            project_id: &u.project_id,
            project: &u.project,
            user: &u.user,
            certs: &u.certs,
            due: u.due,
        })
        .collect();
    let mut text = String::new();
    crate::metrics::users(&mut text, &users, now);
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Fail::Io(format!("stdout: {e}")))
}

/// The rows, as JSON or a table; the totals on stderr.
fn print_due(
    ctx: &Ctx,
    a: &ExpiringArgs,
    (now, rule): (Timestamp, &Renewal),
    due: &[Due],
) -> Result<(), Fail> {
    let value: Vec<DueRow> = due
        .iter()
        .map(|d| {
            let c = d.cert.as_ref();
            DueRow {
                project_id: a.all_projects.then_some(d.project.as_str()),
                project: (a.all_projects && !d.project_name.is_empty())
                    .then_some(d.project_name.as_str()),
                username: &d.user,
                id: c.map(|c| c.id),
                serial: c.map(|c| c.id),
                serial_hex: c.map(|c| format!("{:X}", c.id)),
                subject: c.map(|c| c.subject.as_str()),
                created_at: c.map(|c| Ts(Some(c.created_at))),
                not_after: c.map(|c| Ts(Some(c.not_after))),
                days_left: c.map(|c| {
                    (c.not_after.as_second().saturating_sub(now.as_second())).div_euclid(86_400)
                }),
            }
        })
        .collect();
    let certs = due.iter().filter(|d| d.cert.is_some()).count();
    let without = due.len() - certs;
    let json = ctx.json || a.format == Some(Format::Json);
    super::emit_as(json, &value, |w| {
        let mut headers = vec!["USER", "SERIAL", "CREATED", "EXPIRES", "LEFT"];
        if a.all_projects {
            headers.splice(0..0, ["PROJECT", "PROJECT ID"]);
        }
        table::write(w, &headers, due, |d| {
            let mut row: Vec<std::borrow::Cow<str>> = match &d.cert {
                Some(c) => {
                    let (left, _) = crate::format::time_left(now, c.not_after);
                    vec![
                        d.user.as_str().into(),
                        c.id.to_string().into(),
                        ts(Some(c.created_at)).into(),
                        ts(Some(c.not_after)).into(),
                        left.into(),
                    ]
                }
                None => vec![
                    d.user.as_str().into(),
                    "-".into(),
                    "-".into(),
                    "none".into(),
                    "no certificate".into(),
                ],
            };
            if a.all_projects {
                row.splice(
                    0..0,
                    [d.project_name.as_str().into(), d.project.as_str().into()],
                );
            }
            row
        })
    })?;
    if !json {
        let what = if a.all_certs {
            "certificate(s) that"
        } else {
            "user(s) whose newest certificate"
        };
        crate::say_err!("{certs} {what} {}", rule.describe());
        if without > 0 {
            crate::say_err!("{without} MANAGED user(s) have no certificate");
        }
    }
    Ok(())
}

/// Skipped and unreadable projects and users, on stderr; whether any
/// could not be read.
fn say_gaps(
    mut skipped: Vec<(String, String, &str)>,
    failed: &mut [(String, String, Error)],
) -> bool {
    skipped.sort();
    for (name, id, reason) in &skipped {
        let who = if name.is_empty() {
            atlas_client::sanitize::line(id, 80)
        } else {
            format!(
                "{} ({})",
                atlas_client::sanitize::line(name, 80),
                atlas_client::sanitize::line(id, 80)
            )
        };
        crate::say_err!("atlas-x509: project {who} skipped: {reason}");
    }
    if failed.is_empty() {
        return false;
    }
    failed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (project, user, e) in failed.iter() {
        let who = if user.is_empty() {
            format!("project {}", atlas_client::sanitize::line(project, 80))
        } else {
            format!(
                "{} in project {}",
                atlas_client::sanitize::line(user, 80),
                atlas_client::sanitize::line(project, 80)
            )
        };
        crate::say_err!("atlas-x509: {who}: {}", e.explained());
    }
    true
}
