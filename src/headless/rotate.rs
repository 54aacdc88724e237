//! Rotation for scripts and cron: for every MANAGED user whose newest
//! certificate expires within a window, issue a replacement and write its
//! PEM into a private directory. Certificates cannot be revoked, so this is
//! the whole job: the old one is left to expire.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::hook::{self, Delivery, Hook, HookRun};
use super::journal::{self, Entry, Journal, RunInfo};
use super::json_out::Ts;
use super::stop::{self, Stop};
use super::{Ctx, Fail, emit_table, table, ts};
use crate::cli::RotateArgs;
use crate::pem::open_dir::OpenDir;
use crate::pem::save::SaveOutcome;
use crate::rotation::{months_of, outlives};
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

/// The directory must exist and be private before anything is issued:
/// keys written into a world-readable directory are not private.
/// Opens the out-dir once: its mode is checked on the handle, and every
/// key is written through it, so a directory swapped in later gets none.
fn check_out_dir(dir: &Path) -> Result<OpenDir, Fail> {
    let d = OpenDir::open(dir).map_err(|e| {
        Fail::Usage(match e.raw_os_error() {
            Some(libc::ENOTDIR) => format!("{} is not a directory", dir.display()),
            _ => format!(
                "{}: {e} (the output directory is not created; make it with mode 0700)",
                dir.display()
            ),
        })
    })?;
    let mode = d.mode() & 0o777;
    if mode & 0o007 != 0 {
        return Err(Fail::Usage(format!(
            "{} is open to every user (mode {mode:03o}): private keys do not go there; chmod o-rwx it first",
            dir.display()
        )));
    }
    // 0750 lets a service's group read the keys; group write would let
    // it replace them.
    if mode & 0o020 != 0 {
        return Err(Fail::Usage(format!(
            "{} is writable by its group (mode {mode:03o}): use 0700 or 0750 (chmod g-w)",
            dir.display()
        )));
    }
    Ok(d)
}

/// One user's outcome, as printed and reported.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    project_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    project_name: String,
    username: String,
    /// None only for a delivery of an earlier run's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    old_serial: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    old_not_after: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    months: Option<u8>,
    /// planned, rotated, failed, maybe-issued, not-reached;
    /// delivered-earlier, not-delivered (an earlier run's key)
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_serial: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_not_after: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hook: Option<HookRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl Row {
    fn planned(d: &Due) -> Self {
        Row {
            project_id: d.project.clone(),
            project_name: d.project_name.clone(),
            username: d.user.clone(),
            old_serial: Some(d.old.id),
            old_not_after: Some(Ts(Some(d.old.not_after))),
            months: Some(d.months),
            status: "planned",
            new_serial: None,
            new_not_after: None,
            path: None,
            hook: None,
            message: None,
        }
    }

    fn hook_failed(&self) -> bool {
        self.hook.as_ref().is_some_and(|h| !h.ok())
    }
}

/// A user or project left out, and why.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Skipped {
    project_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    reason: String,
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
    /// (project, user, serial): issued for an earlier run that was stopped
    /// before it wrote the key; left out when choosing the newest.
    pub keyless: Vec<(String, String, u64)>,
}

/// Requests an earlier run sent and never wrote an answer for; a
/// certificate created after one of them (Atlas dates `createdAt` an hour
/// back) holds a key that nobody has.
struct Unanswered {
    sent: Vec<(String, String, Timestamp)>,
    written: HashSet<u64>,
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

/// The project asked for, as (id, name); its name is read only when
/// `named` (hooks and the report show it).
async fn project_named(
    ctx: &Ctx,
    project: &crate::cli::ProjectArg,
    named: bool,
) -> Result<(String, String), Fail> {
    let id = ctx.project(project)?;
    let name = if named {
        ctx.client.get_project(&id).await?.name
    } else {
        String::new()
    };
    Ok((id, name))
}

/// What rotation makes of the fleet scan: each MANAGED user's newest
/// certificate, due when it expires before `horizon`.
async fn scan(
    ctx: &Ctx,
    scope: fleet::Scope,
    (now, horizon): (Timestamp, Timestamp),
    months: Option<u8>,
    unanswered: &Unanswered,
) -> Result<Scan, Fail> {
    let mut s = Scan::default();
    let budget = usize::try_from(ctx.client.limits().max_items).unwrap_or(usize::MAX);
    let mut fleet = fleet::start(&ctx.client, scope, ctx.concurrency, budget);
    while let Some(event) = fleet.next().await {
        match event {
            Event::Project { id, over, .. } if over > 0 => s
                .skipped_projects
                .push((id, super::expiring::over_budget(over, budget).explained())),
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
                let Some(old) = fleet::newest(certs) else {
                    s.without.push((project, user));
                    continue;
                };
                if old.not_after > horizon {
                    continue;
                }
                let months = months.unwrap_or_else(|| months_of(&old));
                if outlives(now, months, horizon) {
                    s.due.push(Due {
                        project,
                        project_name: project_name.to_string(),
                        months,
                        user,
                        old,
                    });
                } else {
                    s.too_short.push((project, user, months));
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
    Ok(s)
}

/// Everything a run knows, kept as it happens so that the report and the
/// last message say the same thing however the run ends.
struct Run<'a> {
    args: &'a RotateArgs,
    /// `--json`: stdout carries JSON, so a key with no file goes to stderr.
    json: bool,
    dir: PathBuf,
    hook: Option<Hook>,
    stop: &'a Stop,
    started: Timestamp,
    horizon: Option<Timestamp>,
    rows: Vec<Row>,
    skipped_users: Vec<Skipped>,
    skipped_projects: Vec<Skipped>,
    /// Deliveries of keys an earlier run wrote and did not deliver.
    earlier: Vec<Row>,
    /// What the stopped run before this one left, as said on stderr.
    earlier_note: Option<String>,
    journal: Option<Journal>,
    journal_warned: bool,
    /// Set when a key could be kept in no file: nothing more is issued.
    halt: bool,
    /// Atlas's `Retry-After` (or a minute) after a 429 on a creation: the
    /// next user waits it out, since the creation itself is never retried.
    pause: Option<Duration>,
    /// The out-dir, opened and checked once (none on a dry run).
    out: Option<OpenDir>,
}

impl Run<'_> {
    /// The key could not go to its file: the rescue file, else a stream,
    /// and then this run issues nothing more.
    fn keep(&mut self, pem: &atlas_client::IssuedPem, label: &str) -> String {
        let kept = crate::handover::keep_somewhere(pem, label, self.json);
        self.halt |= kept.homeless;
        kept.said
    }

    fn save_journal(&mut self) {
        let (Some(j), Some(out)) = (&self.journal, &self.out) else {
            return;
        };
        if let Err(why) = journal::save(out, j)
            && !self.journal_warned
        {
            crate::tui::say(&format!(
                "cannot record the run in {}: {why} (a rerun after a stop will not know what this run did)",
                self.dir.join(journal::FILE).display()
            ));
            self.journal_warned = true;
        }
    }

    fn journal_entry(&mut self, project: &str, user: &str) -> Option<&mut Entry> {
        self.journal.as_mut().and_then(|j| {
            j.entries
                .iter_mut()
                .rev()
                .find(|e| e.project_id == project && e.username == user)
        })
    }
}

/// Issues one replacement and writes it; the row says what happened.
async fn rotate_one(ctx: &Ctx, d: &Due, run: &mut Run<'_>) -> Row {
    let mut row = Row::planned(d);
    if let Some(j) = &mut run.journal {
        j.entries.push(Entry {
            project_id: d.project.clone(),
            project_name: d.project_name.clone(),
            username: d.user.clone(),
            requested_at: Timestamp::now(),
            serial: None,
            not_after: None,
            file: None,
            hook: "none".into(),
        });
    }
    run.save_journal();
    let what = format!(
        "the certificate request for {}",
        atlas_client::sanitize::line(&d.user, 80)
    );
    let answer = stop::finish(
        run.stop,
        &what,
        crate::handover::request(
            &ctx.client,
            &crate::handover::Ask {
                group_id: &d.project,
                username: &d.user,
                months: d.months,
            },
        ),
    )
    .await;
    let issued = match answer {
        Some(Ok(p)) => p,
        None => {
            row.status = "maybe-issued";
            row.message = Some(
                "stopped while waiting for Atlas's answer: if it issued the certificate, nobody holds its key (the next run rotates this user again)".into(),
            );
            return row;
        }
        Some(Err(e)) => {
            if e.status() == Some(429) {
                run.pause = Some(e.retry_after().unwrap_or(DEFAULT_RATE_WAIT));
            }
            if matches!(e, Error::MaybeIssued(_)) {
                row.status = "maybe-issued";
            } else {
                row.status = "failed";
                // Refused: nothing was issued, nothing to look for later.
                if let Some(j) = &mut run.journal {
                    j.entries.pop();
                }
                run.save_journal();
            }
            row.message = Some(e.explained());
            return row;
        }
    };
    let label = format!("{}-{}", d.project, d.user);
    let (issued, info) = match issued.accepted(&d.user) {
        Ok(accepted) => accepted,
        Err((issued, said)) => {
            row.status = "failed";
            row.message = Some(format!("{said}; {}", run.keep(&issued, &label)));
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
    let saved = match &run.out {
        Some(out) => match out.still_there() {
            Ok(()) => crate::pem::save::save_in(&issued, out, name.as_ref(), false),
            Err(why) => {
                // Every later key would meet the same: none is asked for.
                run.halt = true;
                SaveOutcome::Failed(out.path().join(&name), why)
            }
        },
        None => SaveOutcome::Failed(run.dir.join(&name), "no output directory".into()),
    };
    let written = match saved {
        SaveOutcome::Saved(mut paths) => {
            row.status = "rotated";
            Some(paths.remove(0))
        }
        SaveOutcome::Exists(p) => {
            row.status = "failed";
            row.message = Some(format!(
                "{} exists (not overwritten); {}",
                p.display(),
                run.keep(&issued, &label)
            ));
            None
        }
        SaveOutcome::Failed(p, why) => {
            row.status = "failed";
            row.message = Some(format!(
                "could not write {}: {why}; {}",
                p.display(),
                run.keep(&issued, &label)
            ));
            None
        }
    };
    let has_hook = run.hook.is_some();
    if let Some(e) = run.journal_entry(&d.project, &d.user) {
        e.serial = Some(info.serial);
        e.not_after = Some(info.not_after);
        e.file.clone_from(&written);
        e.hook = if has_hook && written.is_some() {
            "pending"
        } else {
            "none"
        }
        .into();
    }
    run.save_journal();
    let (Some(path), Some(h)) = (written.clone(), run.hook.clone()) else {
        row.path = written;
        return row;
    };
    row.path = Some(path.clone());
    let delivery = Delivery {
        pem: path,
        project_id: d.project.clone(),
        project_name: d.project_name.clone(),
        username: d.user.clone(),
        serial: info.serial,
        not_after: info.not_after,
    };
    let result = deliver(&h, &delivery, run.stop, &hook::key_lines(&issued)).await;
    if let Some(e) = run.journal_entry(&d.project, &d.user) {
        e.hook = hook_state(&result).into();
    }
    run.save_journal();
    row.hook = Some(result);
    row
}

/// A 429 with no `Retry-After`: Atlas's windows are a minute long.
const DEFAULT_RATE_WAIT: Duration = Duration::from_secs(60);
/// Longer than this and the run stops rather than sit in a cron slot.
const MAX_RATE_WAIT: Duration = Duration::from_secs(300);

/// Waits out Atlas's rate limit before the next creation; false (and the
/// rest marked not reached) when the wait is longer than a run should sit.
async fn wait_out_rate_limit(run: &mut Run<'_>, wait: Duration, rest: &[Due]) -> bool {
    let human = atlas_client::human_wait(wait);
    if wait > MAX_RATE_WAIT {
        for d in rest {
            let mut r = Row::planned(d);
            r.status = "not-reached";
            r.message = Some(format!(
                "not issued: Atlas is rate limiting certificate requests and asks to wait {human}; run again after that"
            ));
            run.rows.push(r);
        }
        return false;
    }
    crate::tui::say(&format!(
        "rate limited by Atlas: waiting {human} before the next certificate request"
    ));
    tokio::select! {
        () = tokio::time::sleep(wait) => {}
        () = run.stop.stopped() => {}
    }
    true
}

/// A hook runs only while no signal has come: a stopped run leaves the
/// delivery to the next one (the journal keeps it pending).
async fn deliver(h: &Hook, d: &Delivery, stop: &Stop, secrets: &[String]) -> HookRun {
    if stop.signal().is_some() {
        let mut r = HookRun::skipped(h, "not-run");
        r.error = Some("stopped by a signal before the hook ran; the next run delivers it".into());
        return r;
    }
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    hook::run(h, d, stop, &secrets).await
}

fn hook_state(r: &HookRun) -> &'static str {
    match r.status {
        "ok" => "ok",
        "not-run" | "interrupted" => "pending",
        _ => "failed",
    }
}

/// Keys an earlier run wrote but did not deliver: delivered now, when this
/// run has a hook and the file is still there.
/// Why a file named by the run record is not one this tool wrote for
/// that entry: anything but `<out-dir>/<project>-<user>-<serial>.pem`, a
/// regular file (not a link), is refused.
fn foreign_file(dir: &Path, e: &Entry, serial: u64, file: &Path) -> Option<String> {
    let name = format!(
        "{}-{}",
        crate::pem::file_name_safe(&e.project_id),
        crate::pem::default_pem_name(&e.username, Some(serial))
    );
    let expected = dir.join(&name);
    // The same directory however it was spelled (a rerun may name it
    // relatively); the name exactly as written.
    let same_dir = file.parent().and_then(|p| p.canonicalize().ok()) == dir.canonicalize().ok();
    if file.file_name() != Some(std::ffi::OsStr::new(&name)) || !same_dir {
        return Some(format!(
            "names {}, not {} (the file this tool writes for it)",
            atlas_client::sanitize::line(&file.display().to_string(), 200),
            expected.display()
        ));
    }
    match std::fs::symlink_metadata(file) {
        Ok(m) if m.file_type().is_symlink() => {
            Some(format!("names {}, a symbolic link", expected.display()))
        }
        _ => None,
    }
}

async fn deliver_earlier(run: &mut Run<'_>) {
    let Some(h) = run.hook.clone() else { return };
    let Some(j) = &run.journal else { return };
    let pending: Vec<Entry> = j
        .entries
        .iter()
        .filter(|e| e.undelivered())
        .cloned()
        .collect();
    for e in pending {
        if run.stop.signal().is_some() {
            break;
        }
        let (Some(serial), Some(file)) = (e.serial, e.file.clone()) else {
            continue;
        };
        let mut row = Row {
            project_id: e.project_id.clone(),
            project_name: e.project_name.clone(),
            username: e.username.clone(),
            old_serial: None,
            old_not_after: None,
            months: None,
            status: "delivered-earlier",
            new_serial: Some(serial),
            new_not_after: e.not_after.map(|t| Ts(Some(t))),
            path: Some(file.clone()),
            hook: None,
            message: Some("written by an earlier run that did not deliver it".into()),
        };
        let still_valid = e.not_after.is_some_and(|t| t > Timestamp::now());
        if let Some(why) = foreign_file(&run.dir, &e, serial, &file) {
            // The record is data: a path it names is used only when it is
            // the very file this tool writes for that entry.
            row.status = "not-delivered";
            row.path = None;
            row.message = Some(format!("set aside, not delivered: the run record {why}"));
            crate::tui::say(&format!(
                "{}: an entry of {} {why}; set aside",
                atlas_client::sanitize::line(&e.username, 80),
                run.dir.join(journal::FILE).display()
            ));
            if let Some(j) = &mut run.journal {
                j.entries.retain(|x| x.serial != Some(serial));
            }
        } else if !file.is_file() || !still_valid {
            row.status = "not-delivered";
            row.message = Some(format!(
                "written by an earlier run, but {}; not delivered",
                if still_valid {
                    "the file is gone"
                } else {
                    "it has expired"
                }
            ));
            if let Some(j) = &mut run.journal {
                j.entries.retain(|x| x.serial != Some(serial));
            }
        } else {
            let d = Delivery {
                pem: file,
                project_id: e.project_id.clone(),
                project_name: e.project_name.clone(),
                username: e.username.clone(),
                serial,
                not_after: e.not_after.unwrap_or(Timestamp::UNIX_EPOCH),
            };
            let r = deliver(&h, &d, run.stop, &[]).await;
            if let Some(x) = run
                .journal
                .as_mut()
                .and_then(|j| j.entries.iter_mut().find(|x| x.serial == Some(serial)))
            {
                x.hook = hook_state(&r).into();
            }
            row.hook = Some(r);
        }
        run.save_journal();
        run.earlier.push(row);
    }
}

/// What the run before this one left, said once at the start.
fn earlier_note(j: &Journal) -> Option<String> {
    if j.run.finished {
        return None;
    }
    let how = match &j.run.signal {
        Some(sig) => format!("was stopped by {sig}"),
        None => "did not finish (killed, or the machine went down)".into(),
    };
    let written: Vec<String> = j
        .entries
        .iter()
        .filter_map(|e| {
            e.serial.map(|s| {
                format!(
                    "{} in {} (serial {s})",
                    atlas_client::sanitize::line(&e.username, 80),
                    atlas_client::sanitize::line(&e.project_id, 40)
                )
            })
        })
        .collect();
    let mut note = format!(
        "the run started {} {how}; this run rotates only the users it had not reached",
        ts(Some(j.run.started_at))
    );
    if !written.is_empty() {
        note.push_str(&format!(
            " (already rotated, found by listing: {})",
            written.join(", ")
        ));
    }
    Some(note)
}

pub(super) async fn rotate(ctx: &Ctx, a: &RotateArgs, stop: &Stop) -> Result<(), Fail> {
    let dir = crate::pem::save::expand_home(&a.out_dir, crate::dirs::home().as_deref());
    let report_path = a
        .report
        .as_ref()
        .map(|p| crate::pem::save::expand_home(p, crate::dirs::home().as_deref()));
    if let Some(p) = &report_path {
        super::report::precheck(p).map_err(Fail::Usage)?;
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
    let mut run = Run {
        args: a,
        json: ctx.json,
        dir,
        hook,
        stop,
        started: Timestamp::now(),
        horizon: None,
        rows: vec![],
        skipped_users: vec![],
        skipped_projects: vec![],
        earlier: vec![],
        earlier_note: None,
        journal: None,
        journal_warned: false,
        halt: false,
        pause: None,
        out: None,
    };
    // "running" until the end writes the outcome: a run killed outright
    // (SIGKILL, power) never reads as the previous run's "completed".
    if let Some(p) = &report_path {
        super::report::write(p, &report_of(&run, None)).map_err(|why| {
            Fail::Io(format!(
                "the report could not be written: {why}; nothing was sent"
            ))
        })?;
    }
    let result = run_rotation(ctx, &mut run).await;
    if matches!(result, Err(Fail::Interrupted(..))) && !run.rows.is_empty() {
        let _ = print_rows(ctx, &run, run.horizon.unwrap_or(run.started));
    }
    let result = match result {
        Ok(()) => outcome(&run),
        Err(f) => Err(f),
    };
    if let Some(p) = &report_path
        && let Err(why) = super::report::write(p, &report_of(&run, Some(&result)))
    {
        let said = format!("the report could not be written: {why}");
        // Said once: as the run's error when it had none, else beside it.
        if result.is_ok() {
            return Err(Fail::Io(said));
        }
        crate::tui::say(&said);
    }
    result
}

async fn run_rotation(ctx: &Ctx, run: &mut Run<'_>) -> Result<(), Fail> {
    let a = run.args;
    if !a.dry_run {
        run.out = Some(check_out_dir(&run.dir)?);
    }
    let _lock = if a.dry_run {
        None
    } else {
        Some(journal::lock(&run.dir).map_err(Fail::Usage)?)
    };
    let earlier = match journal::load(&run.dir) {
        Ok(j) => j,
        Err(why) => {
            crate::tui::say(&format!(
                "the record of an earlier run is unreadable and is set aside: {why}"
            ));
            if !a.dry_run {
                let from = run.dir.join(journal::FILE);
                let _ =
                    std::fs::rename(&from, run.dir.join(format!("{}.unreadable", journal::FILE)));
            }
            None
        }
    };
    let unanswered = Unanswered {
        sent: earlier
            .iter()
            .flat_map(|j| &j.entries)
            .filter(|e| e.unanswered())
            .map(|e| (e.project_id.clone(), e.username.clone(), e.requested_at))
            .collect(),
        written: earlier
            .iter()
            .flat_map(|j| &j.entries)
            .filter_map(|e| e.serial)
            .collect(),
    };
    run.earlier_note = earlier.as_ref().and_then(earlier_note);
    if let Some(n) = &run.earlier_note {
        crate::tui::say(n);
    }
    if !a.dry_run {
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
    let now = Timestamp::now();
    let horizon = now
        .checked_add(a.within)
        .map_err(|e| Fail::Usage(e.to_string()))?;
    run.horizon = Some(horizon);
    let named = run.hook.is_some() || a.report.is_some();
    let scope = if a.all_projects {
        fleet::Scope::All
    } else {
        tokio::select! {
            p = project_named(ctx, &a.project, named) => fleet::Scope::These(vec![p?]),
            () = run.stop.stopped() => return Err(interrupted(run, &[])),
        }
    };
    let s = tokio::select! {
        s = scan(ctx, scope, (now, horizon), a.months, &unanswered) => s?,
        () = run.stop.stopped() => return Err(interrupted(run, &[])),
    };
    note_scan(run, &s);
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
        deliver_earlier(run).await;
    }
    // Sequential on purpose: a creation is never retried, and each one is
    // a key to hand over; the scan above is where concurrency pays.
    for (i, d) in s.due.iter().enumerate() {
        if run.stop.signal().is_some() {
            return Err(interrupted(run, &s.due[i..]));
        }
        if run.halt {
            for d in &s.due[i..] {
                let mut r = Row::planned(d);
                r.status = "not-reached";
                r.message = Some(
                    "not issued: the key before it could not go where it should (see above); fix the output directory (and the rescue directory), then run again".into(),
                );
                run.rows.push(r);
            }
            break;
        }
        if let Some(wait) = run.pause.take() {
            if !wait_out_rate_limit(run, wait, &s.due[i..]).await {
                break;
            }
            if run.stop.signal().is_some() {
                return Err(interrupted(run, &s.due[i..]));
            }
        }
        let row = if a.dry_run {
            let mut r = Row::planned(d);
            r.hook = run.hook.as_ref().map(|h| HookRun::skipped(h, "would-run"));
            r
        } else {
            rotate_one(ctx, d, run).await
        };
        run.rows.push(row);
    }
    if run.stop.signal().is_some() {
        return Err(interrupted(run, &[]));
    }
    finish_journal(run, None);
    print_rows(ctx, run, horizon)?;
    report_stderr(run, &s);
    if let (true, Some(h)) = (a.dry_run, &run.hook) {
        crate::tui::say(&format!(
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

fn note_scan(run: &mut Run<'_>, s: &Scan) {
    let skip = |p: &str, u: Option<&str>, reason: String| Skipped {
        project_id: p.to_string(),
        username: u.map(str::to_string),
        reason,
    };
    for (p, why) in &s.skipped_projects {
        run.skipped_projects.push(skip(p, None, why.clone()));
    }
    for (p, u) in &s.without {
        run.skipped_users.push(skip(
            p,
            Some(u),
            "no unexpired certificate to rotate".into(),
        ));
    }
    for (p, u, m) in &s.too_short {
        run.skipped_users.push(skip(
            p,
            Some(u),
            format!("a {m}-month certificate would itself expire within the window"),
        ));
    }
    for (p, u, e) in &s.failed {
        run.skipped_users
            .push(skip(p, Some(u), format!("unreadable: {}", e.explained())));
    }
    for (p, u, serial) in &s.keyless {
        let why = format!(
            "serial {serial} was issued for an earlier run that was stopped before its key was written: nobody holds that key, so it is rotated again"
        );
        crate::tui::say(&format!(
            "{} in {}: {why}",
            atlas_client::sanitize::line(u, 80),
            atlas_client::sanitize::line(p, 40)
        ));
        run.skipped_users.push(skip(p, Some(u), why));
    }
}

/// The journal at the end: a run that finished keeps only what a later
/// run must still do; a stopped one keeps everything it did.
fn finish_journal(run: &mut Run<'_>, signal: Option<i32>) {
    if let Some(j) = &mut run.journal {
        j.run.finished = signal.is_none();
        j.run.signal = signal.map(|n| stop::name(n).to_string());
        if signal.is_none() {
            j.entries = journal::carried(j);
        }
    }
    run.save_journal();
}

/// The stop after a signal: the keys in hand are written; what was done and
/// what was not is named on stderr.
fn interrupted(run: &mut Run<'_>, not_reached: &[Due]) -> Fail {
    let n = run.stop.signal().unwrap_or(libc::SIGTERM);
    for d in not_reached {
        let mut r = Row::planned(d);
        r.status = "not-reached";
        run.rows.push(r);
    }
    finish_journal(run, Some(n));
    let line = |t: &str| atlas_client::sanitize::line(t, 120);
    let mut written = 0;
    for r in &run.rows {
        match (&r.path, r.status) {
            (Some(p), _) => {
                written += 1;
                crate::tui::say(&format!(
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
            (None, "not-reached") => crate::tui::say(&format!(
                "not reached: {} in {}",
                line(&r.username),
                line(&r.project_id)
            )),
            // Our own sentences are never cut mid-way; server text in
            // them was capped where it came in.
            (None, status) => crate::tui::say(&format!(
                "{status}: {} in {}: {}",
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
        .filter(|r| r.status == "not-reached")
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

fn print_rows(ctx: &Ctx, run: &Run<'_>, horizon: Timestamp) -> Result<(), Fail> {
    let a = run.args;
    let with_hook = run.hook.is_some();
    emit_table(ctx, &run.rows, |w| {
        let mut headers = vec![
            "PROJECT",
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
                r.project_id.as_str().into(),
                r.username.as_str().into(),
                table::opt(r.old_serial),
                ts(r.old_not_after.as_ref().and_then(|t| t.0)).into(),
                table::opt(r.months),
                r.status.into(),
                table::opt(r.new_serial),
                table::opt(r.path.as_ref().map(|p| p.display())),
            ];
            if with_hook {
                c.push(table::opt(r.hook.as_ref().map(HookRun::summary)));
            }
            c
        })?;
        let verb = if a.dry_run { "would rotate" } else { "rotated" };
        let done = run
            .rows
            .iter()
            .filter(|r| r.status == "rotated" || r.status == "planned")
            .count();
        writeln!(
            w,
            "{verb} {done} of {} user(s) whose newest certificate expires before {}",
            run.rows.len(),
            ts(Some(horizon))
        )
    })
}

/// Notes on stderr: everything not rotated or not delivered is named.
fn report_stderr(run: &Run<'_>, s: &Scan) {
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
    for (p, u, m) in &s.too_short {
        crate::say_err!(
            "atlas-x509: {} in {}: not rotated: a {m}-month certificate would itself expire within the window (pass a longer --months or a shorter --within)",
            line(u),
            line(p)
        );
    }
    for (p, u, e) in &s.failed {
        crate::say_err!("atlas-x509: {} in {}: {}", line(u), line(p), e.explained());
    }
    for r in run.rows.iter().chain(&run.earlier) {
        if r.status != "rotated" && r.status != "planned" && r.status != "delivered-earlier" {
            let why = r.message.as_deref().unwrap_or("");
            crate::say_err!(
                "atlas-x509: {} in {}: {}: {why}",
                line(&r.username),
                line(&r.project_id),
                r.status
            );
            if r.status == "maybe-issued" {
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
            .filter(|h| !h.ok() && h.status != "would-run")
        {
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
            let tail = output_tail(&h.output, 10);
            if !tail.is_empty() {
                crate::say_err!("atlas-x509: its output ended with:\n{tail}");
            }
        }
    }
}

/// The last `n` lines of a hook's output, escaped for the terminal and
/// indented, for stderr; the report holds it all.
pub(super) fn output_tail(output: &str, n: usize) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("  | {}", atlas_client::sanitize::line(l, 300)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The exit code of a run that went to its end.
fn outcome(run: &Run<'_>) -> Result<(), Fail> {
    let bad = run
        .rows
        .iter()
        .filter(|r| !matches!(r.status, "rotated" | "planned"))
        .count();
    if bad > 0 {
        return Err(Fail::Io(format!(
            "{bad} rotation(s) did not complete; see above"
        )));
    }
    let undelivered = run
        .rows
        .iter()
        .chain(&run.earlier)
        .filter(|r| r.hook_failed() && r.hook.as_ref().is_some_and(|h| h.status != "would-run"))
        .count()
        + run
            .earlier
            .iter()
            .filter(|r| r.status == "not-delivered")
            .count();
    if undelivered > 0 {
        return Err(Fail::Delivery(format!(
            "delivered partly: {undelivered} certificate(s) written but not delivered by the deploy hook; the files are in place, and the next run tries the hook again"
        )));
    }
    let unreadable = run
        .skipped_users
        .iter()
        .filter(|s| s.reason.starts_with("unreadable"))
        .count();
    if unreadable > 0 {
        return Err(Fail::Partial(format!(
            "{unreadable} user(s) could not be read, so were not rotated"
        )));
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    version: u32,
    command: &'static str,
    started_at: Ts,
    finished_at: Ts,
    /// running (the run has not ended, or was killed outright), completed,
    /// failed, delivered-partly, partial, interrupted
    outcome: &'static str,
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
fn report_of<'a>(run: &'a Run<'_>, result: Option<&Result<(), Fail>>) -> Report<'a> {
    let (outcome, code, signal, message) = match result {
        None => ("running", None, None, None),
        Some(Ok(())) => ("completed", Some(0), None, None),
        Some(Err(f)) => (
            match f {
                Fail::Interrupted(..) => "interrupted",
                Fail::Delivery(_) => "delivered-partly",
                Fail::Partial(_) => "partial",
                _ => "failed",
            },
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
        outcome,
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
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o770)).unwrap();
        assert!(check_out_dir(d.path()).is_err(), "group-writable");
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
        assert!(check_out_dir(d.path()).is_ok());
        assert!(check_out_dir(&d.path().join("missing")).is_err());
    }
}
