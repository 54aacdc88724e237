//! The JSON report of a run (`--report FILE`): written as "running" at
//! the start, and again however the run ends.

use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;

use super::outcome::{Row, RunOutcome, Skipped};
use super::run::Run;
use crate::headless::Fail;
use crate::headless::json_out::Ts;
use crate::headless::stop;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Report<'a> {
    version: u32,
    command: &'static str,
    started_at: Ts,
    finished_at: Ts,
    outcome: RunOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signal: Option<&'static str>,
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    horizon: Option<Ts>,
    out_dir: &'a Path,
    #[serde(skip_serializing_if = "Option::is_none")]
    deploy_hook: Option<&'a [String]>,
    users: &'a [Row],
    earlier_deliveries: &'a [Row],
    skipped_users: &'a [Skipped],
    skipped_projects: &'a [Skipped],
    #[serde(skip_serializing_if = "Option::is_none")]
    earlier_run: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// The report of a run that ended with `result`, or (`None`) of one still
/// running: written at the start, so a run that never finished says so.
pub(super) fn report_of<'a>(run: &'a Run<'_>, result: Option<&Result<(), Fail>>) -> Report<'a> {
    let (code, signal, message) = match result {
        None | Some(Ok(())) => (result.map(|_| 0), None, None),
        Some(Err(f)) => (
            Some(f.code()),
            match f {
                Fail::Interrupted(n, _) => Some(stop::name(*n)),
                _ => None,
            },
            Some(f.message()),
        ),
    };
    Report {
        version: 1,
        command: "rotate",
        started_at: Ts(Some(run.started)),
        finished_at: Ts(result.map(|_| Timestamp::now())),
        outcome: RunOutcome::of(result),
        exit_code: code,
        signal,
        dry_run: run.args.dry_run,
        horizon: run.horizon.map(|h| Ts(Some(h))),
        out_dir: &run.dir,
        deploy_hook: run.hook.as_ref().map(|h| h.argv.as_slice()),
        users: &run.rows,
        earlier_deliveries: &run.earlier,
        skipped_users: &run.skipped_users,
        skipped_projects: &run.skipped_projects,
        earlier_run: run.earlier_note.as_deref(),
        message,
    }
}
