//! Rotation for scripts and cron: for every MANAGED user whose newest
//! certificate expires within a window, issue a replacement and write its
//! PEM into a private directory. Certificates cannot be revoked, so this is
//! the whole job: the old one is left to expire.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;

use super::json_out::Ts;
use super::{Ctx, Fail, certs_per_user, emit, table, ts};
use crate::atlas::{Error, PageRequest, UserCert};
use crate::cli::RotateArgs;
use crate::pem::save::SaveOutcome;
use crate::rotation::{months_of, newest, outlives};

/// A user due for a new certificate, and the one it replaces.
#[derive(Debug, Clone)]
pub struct Due {
    pub project: String,
    pub user: String,
    pub old: UserCert,
    pub months: u8,
}

/// The directory must exist and be private before anything is issued:
/// keys written into a world-readable directory are not private.
fn check_out_dir(dir: &Path) -> Result<(), Fail> {
    let meta = std::fs::metadata(dir).map_err(|e| {
        Fail::Usage(format!(
            "{}: {e} (the output directory is not created; make it with mode 0700)",
            dir.display()
        ))
    })?;
    if !meta.is_dir() {
        return Err(Fail::Usage(format!("{} is not a directory", dir.display())));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o007 != 0 {
            return Err(Fail::Usage(format!(
                "{} is open to every user (mode {mode:03o}): private keys do not go there; chmod o-rwx it first",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// One user's outcome, as printed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    project_id: String,
    username: String,
    old_serial: u64,
    old_not_after: Ts,
    months: u8,
    /// planned, rotated, failed, maybe-issued, skipped
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_serial: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_not_after: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl Row {
    fn planned(d: &Due) -> Self {
        Row {
            project_id: d.project.clone(),
            username: d.user.clone(),
            old_serial: d.old.id,
            old_not_after: Ts(Some(d.old.not_after)),
            months: d.months,
            status: "planned",
            new_serial: None,
            new_not_after: None,
            path: None,
            message: None,
        }
    }
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
    /// (project, user, months): due, but a replacement of that validity
    /// would itself expire within the window, so every run would rotate it.
    pub too_short: Vec<(String, String, u8)>,
}

pub async fn projects_in_scope(
    ctx: &Ctx,
    project: &crate::cli::ProjectArg,
    all: bool,
) -> Result<Vec<String>, Fail> {
    if all {
        let all = ctx
            .client
            .all_projects(PageRequest::MAX_ITEMS_PER_PAGE, ctx.concurrency)
            .await?;
        Ok(all.into_iter().map(|p| p.id).collect())
    } else {
        Ok(vec![ctx.project(project)?])
    }
}

async fn scan(
    ctx: &Ctx,
    projects: &[String],
    (now, horizon): (Timestamp, Timestamp),
    months: Option<u8>,
) -> Scan {
    let mut s = Scan::default();
    for project in projects {
        match ctx.client.get_user_security(project).await {
            Ok(sec) if sec.customer_x509.is_configured() => {
                s.skipped_projects.push((
                    project.clone(),
                    "customer-managed X.509: its users' certificates come from your CA".into(),
                ));
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                s.skipped_projects.push((project.clone(), e.explained()));
                continue;
            }
        }
        let users = ctx.client.managed_usernames(project, ctx.concurrency).await;
        let users: Vec<String> = match users {
            // A server listing one user twice must not get two certificates.
            Ok(u) => u.into_iter().collect::<BTreeSet<_>>().into_iter().collect(),
            Err(e) => {
                s.skipped_projects.push((project.clone(), e.explained()));
                continue;
            }
        };
        let (per_user, failed) = certs_per_user(ctx, project, users).await;
        s.failed
            .extend(failed.into_iter().map(|(u, e)| (project.clone(), u, e)));
        let (with, without) = newest(per_user);
        s.without
            .extend(without.into_iter().map(|u| (project.clone(), u)));
        for (user, old) in with.into_iter().filter(|(_, c)| c.not_after <= horizon) {
            let months = months.unwrap_or_else(|| months_of(&old));
            if outlives(now, months, horizon) {
                s.due.push(Due {
                    project: project.clone(),
                    months,
                    user,
                    old,
                });
            } else {
                s.too_short.push((project.clone(), user, months));
            }
        }
    }
    s.due.sort_by(|a, b| {
        (a.old.not_after, &a.project, &a.user).cmp(&(b.old.not_after, &b.project, &b.user))
    });
    s
}

/// Issues one replacement and writes it; the row says what happened.
async fn rotate_one(ctx: &Ctx, d: &Due, dir: &Path) -> Row {
    let mut row = Row::planned(d);
    let issued = match ctx
        .client
        .create_cert(&d.project, &d.user, i64::from(d.months))
        .await
    {
        Ok(p) => p,
        Err(e) => {
            row.status = if matches!(e, Error::MaybeIssued(_)) {
                "maybe-issued"
            } else {
                "failed"
            };
            row.message = Some(e.explained());
            return row;
        }
    };
    let label = format!("{}-{}", d.project, d.user);
    let info = match crate::pem::inspect::verify(&issued) {
        Ok(info) => info,
        Err(why) => {
            row.status = "failed";
            row.message = Some(format!(
                "Atlas accepted the request but {why}; {}",
                super::change::keep_somewhere(&issued, &label, false)
            ));
            return row;
        }
    };
    row.new_serial = Some(info.serial);
    row.new_not_after = Some(Ts(Some(info.not_after)));
    let name = format!(
        "{}-{}",
        crate::pem::file_name_safe(&d.project),
        crate::pem::default_pem_name(&d.user, Some(info.serial))
    );
    // The whole path: were `dir` gone, a bare directory path would be
    // taken as the file to write.
    match crate::pem::save::save(&issued, &dir.join(&name), &name, false, false) {
        SaveOutcome::Saved(mut paths) => {
            row.status = "rotated";
            row.path = Some(paths.remove(0));
        }
        SaveOutcome::Exists(p) => {
            row.status = "failed";
            row.message = Some(format!(
                "{} exists (not overwritten); {}",
                p.display(),
                super::change::keep_somewhere(&issued, &label, false)
            ));
        }
        SaveOutcome::Failed(p, why) => {
            row.status = "failed";
            row.message = Some(format!(
                "could not write {}: {why}; {}",
                p.display(),
                super::change::keep_somewhere(&issued, &label, false)
            ));
        }
    }
    row
}

pub(super) async fn rotate(ctx: &Ctx, a: &RotateArgs) -> Result<(), Fail> {
    let dir = crate::pem::save::expand_home(&a.out_dir, crate::dirs::home().as_deref());
    if !a.dry_run {
        check_out_dir(&dir)?;
    }
    let now = Timestamp::now();
    let horizon = now
        .checked_add(a.within)
        .map_err(|e| Fail::Usage(e.to_string()))?;
    let projects = projects_in_scope(ctx, &a.project, a.all_projects).await?;
    let s = scan(ctx, &projects, (now, horizon), a.months).await;
    let mut rows: Vec<Row> = vec![];
    // Sequential on purpose: a creation is never retried, and each one is
    // a key to hand over; the scan above is where concurrency pays.
    for d in &s.due {
        rows.push(if a.dry_run {
            Row::planned(d)
        } else {
            rotate_one(ctx, d, &dir).await
        });
    }
    emit(ctx, &rows, || {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.project_id.clone(),
                    r.username.clone(),
                    r.old_serial.to_string(),
                    ts(r.old_not_after.0),
                    r.months.to_string(),
                    r.status.into(),
                    r.new_serial.map(|s| s.to_string()).unwrap_or_default(),
                    r.path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let mut t = table::render(
            &[
                "PROJECT",
                "USER",
                "OLD SERIAL",
                "OLD EXPIRES",
                "MONTHS",
                "STATUS",
                "NEW SERIAL",
                "FILE",
            ],
            &cells,
        );
        let verb = if a.dry_run { "would rotate" } else { "rotated" };
        let done = rows
            .iter()
            .filter(|r| r.status == "rotated" || r.status == "planned")
            .count();
        t.push_str(&format!(
            "{verb} {done} of {} user(s) whose newest certificate expires before {}\n",
            rows.len(),
            ts(Some(horizon))
        ));
        t
    })?;
    report(&s, &rows)
}

/// Notes on stderr and the exit code: everything not rotated is named.
fn report(s: &Scan, rows: &[Row]) -> Result<(), Fail> {
    let line = |t: &str| crate::sanitize::line(t, 120);
    for (p, why) in &s.skipped_projects {
        eprintln!("atlas-x509: project {} skipped: {why}", line(p));
    }
    for (p, u) in &s.without {
        eprintln!(
            "atlas-x509: {} in {}: no unexpired certificate to rotate (issue one with `atlas-x509 issue`)",
            line(u),
            line(p)
        );
    }
    for (p, u, m) in &s.too_short {
        eprintln!(
            "atlas-x509: {} in {}: not rotated: a {m}-month certificate would itself expire within the window (pass a longer --months or a shorter --within)",
            line(u),
            line(p)
        );
    }
    for (p, u, e) in &s.failed {
        eprintln!("atlas-x509: {} in {}: {}", line(u), line(p), e.explained());
    }
    let mut bad = 0;
    for r in rows
        .iter()
        .filter(|r| r.status != "rotated" && r.status != "planned")
    {
        bad += 1;
        let why = r.message.as_deref().unwrap_or("");
        eprintln!(
            "atlas-x509: {} in {}: {}: {why}",
            line(&r.username),
            line(&r.project_id),
            r.status
        );
        if r.status == "maybe-issued" {
            eprintln!(
                "atlas-x509: check `atlas-x509 certs --project {} --user '{}'`: a certificate without a key here may now be the newest, and a later run would not rotate it",
                line(&r.project_id),
                line(&r.username)
            );
        }
    }
    if bad > 0 {
        return Err(Fail::Io(format!(
            "{bad} rotation(s) did not complete; see above"
        )));
    }
    if !s.failed.is_empty() {
        return Err(Fail::Partial(format!(
            "{} user(s) could not be read, so were not rotated",
            s.failed.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn open_directories_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let e = check_out_dir(d.path()).unwrap_err();
        assert!(
            e.message().contains("open to every user"),
            "{}",
            e.message()
        );
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
        assert!(check_out_dir(d.path()).is_ok());
        assert!(check_out_dir(&d.path().join("missing")).is_err());
    }
}
