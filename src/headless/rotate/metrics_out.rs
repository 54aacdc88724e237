//! `rotate --metrics FILE`: what the run saw and did, written for the
//! node_exporter textfile collector however the run ends.

use std::path::Path;

use jiff::Timestamp;

use super::run::Run;
use crate::headless::Fail;
use crate::metrics::{self, RunSeen, UserSeen};
use atlas_client::UserCert;

/// Before anything is sent: the file's directory must exist, and the file
/// must not be a directory or a symbolic link.
pub(super) fn precheck(path: &Path) -> Result<(), String> {
    crate::headless::report::precheck_output("--metrics", path)?;
    // Written by a rename in its directory: that must be writable.
    let probe = path.with_file_name(format!(
        ".{}.probe",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::write(&probe, b"")
        .map(|()| {
            let _ = std::fs::remove_file(&probe);
        })
        .map_err(|e| format!("--metrics {}", atlas_client::os_error::about(&probe, &e)))
}

/// The metrics of a run that ended with `result`.
pub(super) fn text(
    run: &Run<'_>,
    result: &Result<(), Fail>,
    previous: Option<Timestamp>,
    carried: Option<String>,
) -> String {
    let now = Timestamp::now();
    // Each user's newest certificate, and the one this run issued it.
    let mut per_user: Vec<(String, String, String, Vec<UserCert>)> = run
        .seen
        .iter()
        .map(|(p, name, u, newest)| {
            (
                p.clone(),
                name.clone(),
                u.clone(),
                newest.iter().cloned().collect(),
            )
        })
        .collect();
    for r in &run.rows {
        let (Some(serial), Some(not_after)) =
            (r.new_serial, r.new_not_after.as_ref().and_then(|t| t.0))
        else {
            continue;
        };
        let new = UserCert {
            id: serial,
            created_at: run.started,
            not_after,
            subject: String::new(),
            group_id: None,
        };
        match per_user
            .iter_mut()
            .find(|(p, _, u, _)| *p == r.project_id && *u == r.username)
        {
            Some(entry) => entry.3.push(new),
            None => per_user.push((
                r.project_id.clone(),
                r.project_name.clone(),
                r.username.clone(),
                vec![new],
            )),
        }
    }
    let users: Vec<UserSeen> = per_user
        .iter()
        .map(|(p, name, u, certs)| UserSeen {
            project_id: p,
            project: name,
            user: u,
            certs,
            due: certs
                .iter()
                .max_by_key(|c| c.not_after)
                .is_none_or(|c| run.rule.due(c, now)),
        })
        .collect();
    let mut out = String::new();
    match carried {
        Some(users) => out.push_str(&users),
        None => metrics::users(&mut out, &users, now),
    }
    let failed = run
        .rows
        .iter()
        .filter(|r| !r.status.went_well() || r.hook_failed())
        .count();
    metrics::run(
        &mut out,
        &RunSeen {
            at: now,
            last_success: previous,
            exit_code: match result {
                Ok(()) => 0,
                Err(f) => f.code(),
            },
            rotated: run
                .rows
                .iter()
                .filter(|r| r.status.went_well() && !r.hook_failed())
                .count(),
            failed,
            skipped: run.skipped_users.len(),
        },
    );
    out
}
