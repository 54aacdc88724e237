//! The hooks around a rotation: a rehearsal of the deploy hook on a dry
//! run (`--run-hooks`), and `--failure-hook`, which hears about what went
//! wrong.

use std::path::PathBuf;

use jiff::Timestamp;

use super::outcome::Row;
use super::plan::Due;
use super::run::{Run, deliver};
use crate::headless::Fail;
use crate::headless::hook::{Delivery, Hook, HookRun, HookStatus};

/// `--dry-run --run-hooks`: the deploy hook, run against the user's
/// current live file with `ATLAS_X509_DRY_RUN=1`. Without a live file yet
/// there is nothing to rehearse with, and the row says so.
pub(super) async fn rehearse(run: &Run<'_>, h: &Hook, d: &Due) -> HookRun {
    let link = super::live::path_of(&run.dir, &d.project_name, &d.project, &d.user, "pem");
    let Ok(target) = std::fs::canonicalize(&link) else {
        // Not a failure: there is nothing to rehearse with before the
        // first real run.
        let mut r = HookRun::skipped(h, HookStatus::WouldRun);
        r.error = Some(format!(
            "no live file {} yet to rehearse with: the first real run makes it",
            link.display()
        ));
        return r;
    };
    // The live file's key lines stay out of what the hook prints back.
    let secrets = std::fs::read_to_string(&target)
        .map(|t| crate::headless::hook::key_lines(&atlas_client::IssuedPem::new(t)))
        .unwrap_or_default();
    let delivery = Delivery {
        pem: target,
        project_id: d.project.clone(),
        project_name: d.project_name.clone(),
        username: d.user.clone(),
        serial: d.old.id,
        not_after: d.old.not_after,
        live: Some(link),
        dry_run: true,
        failure: None,
    };
    deliver(h, &delivery, run.stop, &secrets).await
}

/// `--failure-hook`: once per user whose rotation or delivery failed, then
/// once for the run when it failed on its own (not per user). Said on
/// stderr when the hook itself fails; it never changes the exit code.
pub(super) async fn failures(run: &Run<'_>, h: &Hook, run_failed: Option<&Fail>) {
    let mut said = vec![];
    for r in run.rows.iter().chain(&run.earlier) {
        let failed = !r.status.went_well() && r.status != super::outcome::Status::DeliveredEarlier;
        let why = if failed {
            Some(format!(
                "{}: {}",
                r.status.as_str(),
                r.message
                    .as_deref()
                    .unwrap_or("the rotation did not complete")
            ))
        } else if let Some(e) = &r.live_error {
            Some(format!("the stable path was not switched: {e}"))
        } else if r.hook_failed() {
            Some(format!(
                "the deploy hook did not deliver: {}",
                r.hook.as_ref().map(HookRun::summary).unwrap_or_default()
            ))
        } else {
            None
        };
        let Some(why) = why else { continue };
        let d = delivery(r, why);
        said.push((r.username.clone(), deliver(h, &d, run.stop, &[]).await));
    }
    for (project_id, project_name, user, why) in &run.refused {
        let d = Delivery {
            pem: PathBuf::new(),
            project_id: project_id.clone(),
            project_name: project_name.clone(),
            username: user.clone(),
            serial: 0,
            not_after: Timestamp::UNIX_EPOCH,
            live: None,
            dry_run: false,
            failure: Some(format!("due but not rotated: {why}")),
        };
        said.push((user.clone(), deliver(h, &d, run.stop, &[]).await));
    }
    if let Some(f) = run_failed {
        let d = Delivery {
            pem: PathBuf::new(),
            project_id: String::new(),
            project_name: String::new(),
            username: String::new(),
            serial: 0,
            not_after: Timestamp::UNIX_EPOCH,
            live: None,
            dry_run: false,
            failure: Some(format!("the run failed: {}", f.message())),
        };
        said.push((String::new(), deliver(h, &d, run.stop, &[]).await));
    }
    for (user, r) in said.iter().filter(|(_, r)| !r.ok()) {
        crate::say::say(&format!(
            "the failure hook{} did not run cleanly: {}",
            if user.is_empty() {
                String::new()
            } else {
                format!(" for {}", atlas_client::sanitize::line(user, 80))
            },
            r.summary()
        ));
    }
}

fn delivery(r: &Row, why: String) -> Delivery {
    Delivery {
        pem: r.path.clone().unwrap_or_default(),
        project_id: r.project_id.clone(),
        project_name: r.project_name.clone(),
        username: r.username.clone(),
        serial: r.new_serial.or(r.old_serial).unwrap_or(0),
        not_after: r
            .new_not_after
            .as_ref()
            .or(r.old_not_after.as_ref())
            .and_then(|t| t.0)
            .unwrap_or(Timestamp::UNIX_EPOCH),
        live: r.live.clone(),
        dry_run: false,
        failure: Some(why),
    }
}
