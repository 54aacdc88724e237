//! Rotation for scripts and cron: for every MANAGED user whose newest
//! certificate expires within a window, issue a replacement and write its
//! PEM into a private directory. Certificates cannot be revoked, so this is
//! the whole job: the old one is left to expire.
//!
//! `plan` reads what is due from the organisation scan, `run` rotates one
//! user, `earlier` finishes what a stopped run left, `outcome` types what
//! happened, `print` and `report` say it.

mod earlier;
pub mod live;
mod metrics_out;
mod out_dir;
mod outcome;
mod plan;
mod print;
mod report;
mod run;
mod side_hooks;

use jiff::Timestamp;

use super::hook::{Hook, HookRun, HookStatus};
use super::journal::{self, Journal, RunInfo};
use super::stop::Stop;
use super::{Ctx, Fail};
use crate::cli::RotateArgs;
use crate::rotation::Renewal;
use atlas_client::fleet;
use outcome::Row;
use plan::{Due, Scan, Unanswered};
use print::interrupted;
use run::Run;

pub(super) async fn rotate(ctx: &Ctx, a: &RotateArgs, stop: &Stop) -> Result<(), Fail> {
    let dir = crate::pem::save::expand_home(&a.out_dir, crate::dirs::home().as_deref());
    // Absolute: hooks get absolute paths (one that changes directory still
    // finds its file), as certbot's do.
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let report_path = a
        .report
        .as_ref()
        .map(|p| crate::pem::save::expand_home(p, crate::dirs::home().as_deref()));
    if let Some(p) = &report_path {
        super::report::precheck(p).map_err(Fail::Usage)?;
    }
    let metrics_path = a
        .metrics
        .as_ref()
        .map(|p| crate::pem::save::expand_home(p, crate::dirs::home().as_deref()));
    if let Some(p) = &metrics_path {
        metrics_out::precheck(p).map_err(Fail::Usage)?;
    }
    let hook = match &a.hook.deploy_hook {
        Some(text) => Some(
            Hook::parse(text, a.hook.deploy_hook_shell, a.hook.deploy_hook_timeout)
                .map(|h| Hook {
                    keep_output: a.hook.hook_output,
                    ..h
                })
                .map_err(Fail::Usage)?,
        ),
        None => None,
    };
    let failure_hook = match &a.failure_hook {
        Some(text) => Some(
            Hook::parse(text, false, a.hook.deploy_hook_timeout)
                .map_err(|e| Fail::Usage(format!("--failure-hook: {e}")))?,
        ),
        None => None,
    };
    let mut run = Run::new(ctx, a, dir, hook, stop);
    // Before the lock and before `now`: a run waiting out its delay holds
    // nothing another run needs, and judges what is due when it wakes.
    crate::headless::delay::before_first_request(a.delay.random_delay, Some(stop)).await?;
    // A dry run refuses what the real run would: its answer is a promise.
    let out = out_dir::check_out_dir(&run.dir)?;
    if !a.dry_run {
        run.out = Some(out);
    }
    // A second run is refused before it writes a report or metrics: those
    // are the running run's, and a monitor reads them.
    let _lock = if a.dry_run {
        None
    } else {
        Some(journal::lock(&run.dir).map_err(Fail::Usage)?)
    };
    // "running" until the end writes the outcome: a run killed outright
    // (SIGKILL, power) never reads as the previous run's "completed".
    if let Some(p) = &report_path {
        super::report::write(p, &report::report_of(&run, None)).map_err(|why| {
            Fail::Io(format!(
                "the report could not be written: {why}; nothing was sent"
            ))
        })?;
    }
    let result = run_rotation(ctx, &mut run).await;
    if matches!(result, Err(Fail::Interrupted(..))) && !run.rows.is_empty() {
        let _ = print::print_rows(ctx, &run);
    }
    // The run's own failure, not one of its users': the failure hook's
    // once-per-run call. A signal is not a failure to report.
    let run_failed = match &result {
        Err(f) if !matches!(f, Fail::Interrupted(..)) => Some(f.message()),
        _ => None,
    };
    let result = match result {
        Ok(()) => outcome::exit_of(&run.rows, &run.earlier, &run.skipped_users),
        Err(f) => Err(f),
    };
    // Due and left as it was: a run that exits 0 has rotated everything due.
    let result = match result {
        Ok(()) if !run.refused.is_empty() && !a.dry_run => Err(Fail::Partial(format!(
            "{} due user(s) not rotated: a replacement of the validity asked would buy nothing (see above; --months)",
            run.refused.len()
        ))),
        r => r,
    };
    if !a.dry_run
        && !matches!(result, Err(Fail::Interrupted(..)))
        && let Some(h) = &failure_hook
    {
        let failed = run_failed.map(Fail::Io);
        side_hooks::failures(&run, h, failed.as_ref()).await;
    }
    let result = match result {
        // A due user refused (a validity that buys nothing) is not
        // "nothing was due": it is due, and said.
        Ok(())
            if a.nothing_due_exit
                && run.rows.is_empty()
                && run.earlier.is_empty()
                && run.refused.is_empty() =>
        {
            Err(Fail::NothingDue(format!(
                "nothing was due: no MANAGED user's newest certificate {}",
                run.rule.describe()
            )))
        }
        r => r,
    };
    if let Some(p) = &report_path
        && let Err(why) = super::report::write(p, &report::report_of(&run, Some(&result)))
    {
        let said = format!("the report could not be written: {why}");
        // Said once: as the run's error when it had none, else beside it.
        if result.is_ok() {
            return finish_metrics(&metrics_path, &run, Err(Fail::Io(said)));
        }
        crate::say::say(&said);
        return finish_metrics(&metrics_path, &run, result);
    }
    finish_metrics(&metrics_path, &run, result)
}

/// The metrics last, from the run's final result (a report that could
/// not be written counts): a monitor reads what the exit code says.
fn finish_metrics(
    metrics_path: &Option<std::path::PathBuf>,
    run: &Run<'_>,
    result: Result<(), Fail>,
) -> Result<(), Fail> {
    let a = run.args;
    // A dry run changes nothing an alert should see.
    if let (Some(p), false) = (&metrics_path, a.dry_run) {
        let previous = crate::metrics::last_success_in(p);
        // A run that read no user (it failed first) keeps the last figures
        // of the users: an expiry alert must not go quiet just then.
        let carried = run
            .seen
            .is_empty()
            .then(|| crate::metrics::users_section_in(p))
            .flatten();
        let text = metrics_out::text(run, &result, previous, carried);
        if let Err(why) = crate::metrics::write(p, &text) {
            crate::say::say(&format!(
                "the metrics could not be written to {}: {why}",
                p.display()
            ));
        }
    }
    result
}

async fn run_rotation(ctx: &Ctx, run: &mut Run<'_>) -> Result<(), Fail> {
    let a = run.args;
    let unanswered = take_over_journal(run);
    let now = Timestamp::now();
    if let Renewal::Within(w) = run.rule {
        run.horizon = Some(now.checked_add(w).map_err(|e| Fail::Usage(e.to_string()))?);
    }
    let rule = run.rule;
    // The name makes the stable path (`live/<project>/<user>.pem`).
    let named = true;
    let scope = if a.all_projects {
        fleet::Scope::All
    } else {
        tokio::select! {
            p = ctx.project_named(&a.project, named) => fleet::Scope::These(vec![p?]),
            () = run.stop.stopped() => return Err(interrupted(run, &[])),
        }
    };
    let s = tokio::select! {
        s = plan::scan(ctx, scope, (now, &rule), a.months, &unanswered) => s?,
        () = run.stop.stopped() => return Err(interrupted(run, &[])),
    };
    note_scan(run, &s);
    run.seen = s.seen.clone();
    run.refused = s
        .too_short
        .iter()
        .map(|(p, u, why)| {
            let name = s
                .seen
                .iter()
                .find(|x| x.0 == *p)
                .map(|x| x.1.clone())
                .unwrap_or_default();
            (p.clone(), name, u.clone(), why.clone())
        })
        .collect();
    // The listing has now answered every request an earlier run left
    // unanswered (the certificate it made is named above, or there is
    // none): carried further, they would make this run's own new
    // certificates look keyless to the next.
    let started = run.started;
    if let Some(j) = &mut run.journal {
        j.entries
            .retain(|e| !(e.unanswered() && e.requested_at < started));
    }
    if !a.dry_run {
        earlier::deliver_earlier(run).await;
    }
    rotate_due(ctx, run, &s.due).await?;
    if run.stop.signal().is_some() {
        return Err(interrupted(run, &[]));
    }
    run.finish_journal(None);
    // Still under the lock: no other run is writing into the directory.
    if a.prune && !a.dry_run {
        prune(run);
    }
    print::print_rows(ctx, run)?;
    print::report_stderr(run, &s);
    if let (true, false, Some(h)) = (a.dry_run, a.run_hooks, &run.hook) {
        crate::say::say(&format!(
            "would run {} once per certificate written ({}), with ATLAS_X509_PEM, ATLAS_X509_PROJECT_ID, ATLAS_X509_PROJECT_NAME, ATLAS_X509_USERNAME, ATLAS_X509_SERIAL and ATLAS_X509_NOT_AFTER set; no hook was run",
            atlas_client::sanitize::line(&format!("{:?}", h.argv), 300),
            if a.hook.deploy_hook_shell {
                "through /bin/sh -c"
            } else {
                "no shell"
            }
        ));
    }
    Ok(())
}

/// Reads what the run before this one recorded (set aside when
/// unreadable), says how it ended, and starts this run's record with what
/// it left to do; the requests it sent and never answered come back.
fn take_over_journal(run: &mut Run<'_>) -> Unanswered {
    let dry_run = run.args.dry_run;
    let earlier = match journal::load(&run.dir) {
        Ok(j) => j,
        Err(why) => {
            crate::say::say(&format!(
                "the record of an earlier run is unreadable and is set aside: {why}"
            ));
            if !dry_run {
                let from = run.dir.join(journal::FILE);
                let _ =
                    std::fs::rename(&from, run.dir.join(format!("{}.unreadable", journal::FILE)));
            }
            None
        }
    };
    let entries = earlier.iter().flat_map(|j| &j.entries);
    let unanswered = Unanswered {
        sent: entries
            .clone()
            .filter(|e| e.unanswered())
            .map(|e| (e.project_id.clone(), e.username.clone(), e.requested_at))
            .collect(),
        written: entries.filter_map(|e| e.serial).collect(),
    };
    run.earlier_note = earlier.as_ref().and_then(earlier::earlier_note);
    if let Some(n) = &run.earlier_note {
        crate::say::say(n);
    }
    if !dry_run {
        run.journal = Some(Journal {
            version: 1,
            run: RunInfo {
                started_at: run.started,
                pid: std::process::id(),
                finished: false,
                signal: None,
            },
            entries: earlier.as_ref().map(journal::carried).unwrap_or_default(),
        });
        run.save_journal();
    }
    unanswered
}

/// `--prune`: expired serial files no live path points at, said on stderr.
fn prune(run: &Run<'_>) {
    let (removed, problems) = live::prune(&run.dir, Timestamp::now());
    for p in &removed {
        crate::say::say(&format!("pruned {} (expired)", p.display()));
    }
    for p in &problems {
        crate::say::say(&format!("not pruned: {p}"));
    }
}

/// What the scan left out goes into the report; a keyless certificate
/// from a stopped run is said at once.
fn note_scan(run: &mut Run<'_>, s: &Scan) {
    let (users, projects) = outcome::skipped_of(s);
    run.skipped_users.extend(users);
    run.skipped_projects.extend(projects);
    for (p, u, serial) in &s.keyless {
        crate::say::say(&format!(
            "{} in {}: {}",
            atlas_client::sanitize::line(u, 80),
            atlas_client::sanitize::line(p, 40),
            outcome::keyless_reason(*serial)
        ));
    }
}

/// One user after another. Sequential on purpose: a creation is never
/// retried, and each one is a key to hand over; the scan is where
/// concurrency pays.
async fn rotate_due(ctx: &Ctx, run: &mut Run<'_>, due: &[Due]) -> Result<(), Fail> {
    for (i, d) in due.iter().enumerate() {
        if run.stop.signal().is_some() {
            return Err(interrupted(run, &due[i..]));
        }
        if run.halt {
            for d in &due[i..] {
                run.rows.push(Row::not_reached(
                    d,
                    Some("not issued: the key before it could not go where it should (see above); fix the output directory (and the rescue directory), then run again".into()),
                ));
            }
            break;
        }
        if let Some(wait) = run.pause.take() {
            if !run::wait_out_rate_limit(run, wait, &due[i..]).await {
                break;
            }
            if run.stop.signal().is_some() {
                return Err(interrupted(run, &due[i..]));
            }
        }
        let row = if run.args.dry_run {
            let mut r = Row::planned(d);
            r.hook = match (&run.hook, run.args.run_hooks) {
                (Some(h), true) => Some(side_hooks::rehearse(run, h, d).await),
                (Some(h), false) => Some(HookRun::skipped(h, HookStatus::WouldRun)),
                (None, _) => None,
            };
            r
        } else {
            run::rotate_one(ctx, d, run).await
        };
        run.rows.push(row);
    }
    Ok(())
}
