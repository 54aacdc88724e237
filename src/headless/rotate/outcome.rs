//! What happened to each user, and what the run comes to: typed here,
//! spelled in the report and `--json` as they always were.

use std::path::PathBuf;

use serde::Serialize;

use super::plan::{Due, Scan};
use crate::headless::Fail;
use crate::headless::hook::{HookRun, HookStatus};
use crate::headless::json_out::Ts;

/// One user's outcome in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Status {
    /// A dry run's plan (and, until it is tried, every due user).
    Planned,
    Rotated,
    Failed,
    /// Stopped or cut off while Atlas was answering: a certificate may
    /// exist whose key nobody holds.
    MaybeIssued,
    NotReached,
    /// An earlier run's key, delivered now.
    DeliveredEarlier,
    /// An earlier run's key that cannot be delivered (gone, expired, or
    /// a run record naming a file this tool did not write).
    NotDelivered,
}

impl Status {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Rotated => "rotated",
            Status::Failed => "failed",
            Status::MaybeIssued => "maybe-issued",
            Status::NotReached => "not-reached",
            Status::DeliveredEarlier => "delivered-earlier",
            Status::NotDelivered => "not-delivered",
        }
    }

    /// Done as asked (or, in a dry run, planned as asked).
    pub(super) fn went_well(self) -> bool {
        matches!(self, Status::Rotated | Status::Planned)
    }
}

/// One user's outcome, as printed and reported.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Row {
    pub project_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub project_name: String,
    pub username: String,
    /// None only for a delivery of an earlier run's key.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::headless::json_out::serial_opt"
    )]
    pub old_serial: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_not_after: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<u8>,
    pub status: Status,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::headless::json_out::serial_opt"
    )]
    pub new_serial: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_not_after: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// The stable path now pointing at `path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<PathBuf>,
    /// Why the stable path still points at the previous certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hook: Option<HookRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Row {
    pub(super) fn planned(d: &Due) -> Self {
        Row {
            project_id: d.project.clone(),
            project_name: d.project_name.clone(),
            username: d.user.clone(),
            old_serial: Some(d.old.id),
            old_not_after: Some(Ts(Some(d.old.not_after))),
            months: Some(d.months),
            status: Status::Planned,
            new_serial: None,
            new_not_after: None,
            path: None,
            live: None,
            live_error: None,
            hook: None,
            message: None,
        }
    }

    /// A due user this run did not get to, and why (`None`: a signal).
    pub(super) fn not_reached(d: &Due, why: Option<String>) -> Self {
        Row {
            status: Status::NotReached,
            message: why,
            ..Row::planned(d)
        }
    }

    /// A hook ran (not merely planned) and did not succeed.
    pub(super) fn hook_failed(&self) -> bool {
        self.hook
            .as_ref()
            .is_some_and(|h| !h.ok() && h.status != HookStatus::WouldRun)
    }
}

/// A user or project left out, and why.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(super) struct Skipped {
    pub project_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub reason: String,
    /// Could not be read (the run ends "partial"); not serialised.
    #[serde(skip)]
    pub unreadable: bool,
}

/// The users and projects a scan leaves out, as the report lists them.
pub(super) fn skipped_of(s: &Scan) -> (Vec<Skipped>, Vec<Skipped>) {
    let skip = |p: &str, u: Option<&str>, reason: String, unreadable: bool| Skipped {
        project_id: p.to_string(),
        username: u.map(str::to_string),
        reason,
        unreadable,
    };
    let projects = s
        .skipped_projects
        .iter()
        .map(|(p, why)| skip(p, None, why.clone(), false))
        .collect();
    let mut users = vec![];
    for (p, u) in &s.without {
        users.push(skip(
            p,
            Some(u),
            "no unexpired certificate to rotate".into(),
            false,
        ));
    }
    for (p, u, why) in &s.too_short {
        users.push(skip(p, Some(u), format!("not rotated: {why}"), false));
    }
    for (p, u, e) in &s.failed {
        users.push(skip(
            p,
            Some(u),
            format!("unreadable: {}", e.explained()),
            true,
        ));
    }
    for (p, u, serial) in &s.keyless {
        users.push(skip(p, Some(u), keyless_reason(*serial), false));
    }
    (users, projects)
}

pub(super) fn keyless_reason(serial: u64) -> String {
    format!(
        "serial {serial} was issued for an earlier run that was stopped before its key was written: nobody holds that key, so it is rotated again"
    )
}

/// How the run ended, as the report's `outcome` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum RunOutcome {
    /// Not ended yet, or killed outright (the report is written first).
    Running,
    Completed,
    Failed,
    DeliveredPartly,
    Partial,
    Interrupted,
    /// `--nothing-due-exit` and nothing was due: a healthy run (exit 7).
    NothingDue,
}

impl RunOutcome {
    pub(super) fn of(result: Option<&Result<(), Fail>>) -> Self {
        match result {
            None => RunOutcome::Running,
            Some(Ok(())) => RunOutcome::Completed,
            Some(Err(Fail::Interrupted(..))) => RunOutcome::Interrupted,
            Some(Err(Fail::Delivery(_))) => RunOutcome::DeliveredPartly,
            Some(Err(Fail::Partial(_))) => RunOutcome::Partial,
            Some(Err(Fail::NothingDue(_))) => RunOutcome::NothingDue,
            Some(Err(_)) => RunOutcome::Failed,
        }
    }
}

/// The exit of a run that went to its end: rotations that did not
/// complete, then deliveries, then users that could not be read.
pub(super) fn exit_of(
    rows: &[Row],
    earlier: &[Row],
    skipped_users: &[Skipped],
) -> Result<(), Fail> {
    let bad = rows.iter().filter(|r| !r.status.went_well()).count();
    if bad > 0 {
        return Err(Fail::Io(format!(
            "{bad} rotation(s) did not complete; see above"
        )));
    }
    let unlinked = rows.iter().filter(|r| r.live_error.is_some()).count();
    if unlinked > 0 {
        return Err(Fail::Delivery(format!(
            "delivered partly: {unlinked} stable path(s) under live/ still point at the previous certificate (see above); the new files are in place"
        )));
    }
    let undelivered = rows
        .iter()
        .chain(earlier)
        .filter(|r| r.hook_failed())
        .count()
        + earlier
            .iter()
            .filter(|r| r.status == Status::NotDelivered)
            .count();
    if undelivered > 0 {
        return Err(Fail::Delivery(format!(
            "delivered partly: {undelivered} certificate(s) written but not delivered by the deploy hook; the files are in place, and the next run tries the hook again"
        )));
    }
    let unreadable = skipped_users.iter().filter(|s| s.unreadable).count();
    if unreadable > 0 {
        return Err(Fail::Partial(format!(
            "{unreadable} user(s) could not be read, so were not rotated"
        )));
    }
    Ok(())
}
