//! What a run says: the table on stdout, the notes on stderr, and the
//! account given when a signal stops it.

use super::outcome::{Row, Status};
use super::plan::{Due, Scan};
use super::run::Run;
use crate::headless::hook::{self, HookRun, HookStatus};
use crate::headless::stop;
use crate::headless::{Ctx, Fail, emit_table, table, ts};

/// The stop after a signal: the keys in hand are written; what was done and
/// what was not is named on stderr.
pub(super) fn interrupted(run: &mut Run<'_>, not_reached: &[Due]) -> Fail {
    let n = run.stop.signal().unwrap_or(libc::SIGTERM);
    for d in not_reached {
        run.rows.push(Row::not_reached(d, None));
    }
    run.finish_journal(Some(n));
    let line = |t: &str| atlas_client::sanitize::line(t, 120);
    let mut written = 0;
    for r in &run.rows {
        match (&r.path, r.status) {
            (Some(p), _) => {
                written += 1;
                crate::say::say(&format!(
                    "key written: {} in {}: serial {} → {}{}",
                    line(&r.username),
                    line(&r.project_id),
                    r.new_serial.unwrap_or_default(),
                    p.display(),
                    r.hook
                        .as_ref()
                        .map(|h| format!(" (deploy hook: {})", h.summary()))
                        .unwrap_or_default()
                ));
            }
            (None, Status::NotReached) => crate::say::say(&format!(
                "not reached: {} in {}",
                line(&r.username),
                line(&r.project_id)
            )),
            // Our own sentences are never cut mid-way; server text in
            // them was capped where it came in.
            (None, status) => crate::say::say(&format!(
                "{}: {} in {}: {}",
                status.as_str(),
                line(&r.username),
                line(&r.project_id),
                r.message
                    .as_deref()
                    .map(|m| atlas_client::sanitize::line(
                        m,
                        2 * atlas_client::sanitize::DETAIL_MAX
                    ))
                    .unwrap_or_default()
            )),
        }
    }
    let unreached = run
        .rows
        .iter()
        .filter(|r| r.status == Status::NotReached)
        .count();
    let scan_note = if run.rows.is_empty() {
        "; stopped before the scan ended, nothing was issued"
    } else {
        ""
    };
    Fail::Interrupted(
        n,
        format!(
            "stopped by {}: {written} key(s) written, {unreached} user(s) not reached{scan_note}; run the same command again to finish",
            stop::name(n)
        ),
    )
}

pub(super) fn print_rows(ctx: &Ctx, run: &Run<'_>) -> Result<(), Fail> {
    let a = run.args;
    let with_hook = run.hook.is_some();
    emit_table(ctx, &run.rows, |w| {
        let mut headers = vec![
            "PROJECT",
            "PROJECT ID",
            "USER",
            "OLD SERIAL",
            "OLD EXPIRES",
            "MONTHS",
            "STATUS",
            "NEW SERIAL",
            "FILE",
        ];
        if with_hook {
            headers.push("HOOK");
        }
        table::write(w, &headers, &run.rows, |r| {
            let mut c: Vec<std::borrow::Cow<str>> = vec![
                r.project_name.as_str().into(),
                r.project_id.as_str().into(),
                r.username.as_str().into(),
                table::opt(r.old_serial),
                ts(r.old_not_after.as_ref().and_then(|t| t.0)).into(),
                table::opt(r.months),
                r.status.as_str().into(),
                table::opt(r.new_serial),
                table::opt(r.path.as_ref().map(|p| p.display())),
            ];
            if with_hook {
                c.push(table::opt(r.hook.as_ref().map(HookRun::summary)));
            }
            c
        })
    })?;
    // For the reader, on stderr: stdout is the rows alone.
    if !ctx.json {
        let verb = if a.dry_run { "would rotate" } else { "rotated" };
        let done = run.rows.iter().filter(|r| r.status.went_well()).count();
        crate::say_err!(
            "{verb} {done} of {} user(s) whose newest certificate {}",
            run.rows.len(),
            run.rule.describe()
        );
    }
    Ok(())
}

/// Notes on stderr: everything not rotated or not delivered is named.
pub(super) fn report_stderr(run: &Run<'_>, s: &Scan) {
    let line = |t: &str| atlas_client::sanitize::line(t, 120);
    for (p, why) in &s.skipped_projects {
        crate::say_err!("atlas-x509: project {} skipped: {why}", line(p));
    }
    for (p, u) in &s.without {
        crate::say_err!(
            "atlas-x509: {} in {}: no unexpired certificate to rotate (issue one with `atlas-x509 issue`)",
            line(u),
            line(p)
        );
    }
    for (p, u, why) in &s.too_short {
        crate::say_err!("atlas-x509: {} in {}: not rotated: {why}", line(u), line(p));
    }
    for (p, u, e) in &s.failed {
        crate::say_err!("atlas-x509: {} in {}: {}", line(u), line(p), e.explained());
    }
    for r in run.rows.iter().filter(|r| r.live_error.is_some()) {
        crate::say_err!(
            "atlas-x509: {} in {}: {}",
            line(&r.username),
            line(&r.project_id),
            line(r.live_error.as_deref().unwrap_or_default())
        );
    }
    for r in run.rows.iter().chain(&run.earlier) {
        if !r.status.went_well() && r.status != Status::DeliveredEarlier {
            let why = r.message.as_deref().unwrap_or("");
            crate::say_err!(
                "atlas-x509: {} in {}: {}: {why}",
                line(&r.username),
                line(&r.project_id),
                r.status.as_str()
            );
            if r.status == Status::MaybeIssued {
                crate::say_err!(
                    "atlas-x509: check `atlas-x509 certs --project {} --user '{}'`: a certificate without a key here may now be the newest, and a later run would not rotate it",
                    line(&r.project_id),
                    line(&r.username)
                );
            }
        }
        if let Some(h) = r
            .hook
            .as_ref()
            .filter(|h| !h.ok() && h.status != HookStatus::WouldRun)
        {
            let why = h
                .error
                .as_deref()
                .map(|e| format!(" ({})", line(e)))
                .unwrap_or_default();
            if run.args.dry_run {
                crate::say_err!(
                    "atlas-x509: {} in {}: the rehearsed deploy hook {}{why}",
                    line(&r.username),
                    line(&r.project_id),
                    h.summary(),
                );
                continue;
            }
            crate::say_err!(
                "atlas-x509: {} in {}: serial {} is in {}, but the deploy hook {}{}",
                line(&r.username),
                line(&r.project_id),
                r.new_serial.unwrap_or_default(),
                r.path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                h.summary(),
                h.error
                    .as_deref()
                    .map(|e| format!(" ({})", line(e)))
                    .unwrap_or_default()
            );
            let tail = hook::output_tail(&h.output, 10);
            if !tail.is_empty() {
                crate::say_err!("atlas-x509: its output ended with:\n{tail}");
            }
        }
    }
}
