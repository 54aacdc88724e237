//! One run's state, and rotating one user: ask once, write the key
//! through the checked directory, hand it to the deploy hook.

use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use super::outcome::{Row, Skipped, Status};
use super::plan::Due;
use crate::cli::RotateArgs;
use crate::handover::Answer;
use crate::headless::Ctx;
use crate::headless::hook::{self, Delivery, Hook, HookRun, HookStatus};
use crate::headless::journal::{self, Entry, HookState, Journal};
use crate::headless::json_out::Ts;
use crate::headless::stop::{self, Stop};
use crate::pem::open_dir::OpenDir;
use crate::pem::save::SaveOutcome;
use atlas_client::{Error, IssuedPem};

/// Everything a run knows, kept as it happens so that the report and the
/// last message say the same thing however the run ends.
pub(super) struct Run<'a> {
    pub args: &'a RotateArgs,
    /// `--json`: stdout carries JSON, so a key with no file goes to stderr.
    pub json: bool,
    pub dir: PathBuf,
    pub hook: Option<Hook>,
    pub stop: &'a Stop,
    pub started: Timestamp,
    pub horizon: Option<Timestamp>,
    /// When a certificate is due (`--within` or `--renew-before`).
    pub rule: crate::rotation::Renewal,
    /// Due but not rotated: (project id, project name, user, why).
    pub refused: Vec<(String, String, String, String)>,
    /// Every MANAGED user the scan read, with its newest certificate.
    pub seen: Vec<(String, String, String, Option<atlas_client::UserCert>)>,
    pub rows: Vec<Row>,
    pub skipped_users: Vec<Skipped>,
    pub skipped_projects: Vec<Skipped>,
    /// Deliveries of keys an earlier run wrote and did not deliver.
    pub earlier: Vec<Row>,
    /// What the stopped run before this one left, as said on stderr.
    pub earlier_note: Option<String>,
    pub journal: Option<Journal>,
    journal_warned: bool,
    /// Set when a key could be kept in no file: nothing more is issued.
    pub halt: bool,
    /// Atlas's `Retry-After` (or a minute) after a 429 on a creation: the
    /// next user waits it out, since the creation itself is never retried.
    pub pause: Option<Duration>,
    /// The out-dir, opened and checked once (none on a dry run).
    pub out: Option<OpenDir>,
}

impl<'a> Run<'a> {
    pub(super) fn new(
        ctx: &Ctx,
        args: &'a RotateArgs,
        dir: PathBuf,
        hook: Option<Hook>,
        stop: &'a Stop,
    ) -> Self {
        Run {
            args,
            json: ctx.json,
            dir,
            hook,
            stop,
            started: Timestamp::now(),
            horizon: None,
            rule: args
                .renew_before
                .unwrap_or(crate::rotation::Renewal::Within(args.within)),
            seen: vec![],
            refused: vec![],
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
        }
    }

    /// The key could not go to its file: the rescue file, else a stream,
    /// and then this run issues nothing more.
    fn keep(&mut self, pem: &IssuedPem, label: &str) -> String {
        let kept = crate::handover::keep_somewhere(pem, label, self.json);
        self.halt |= kept.homeless;
        kept.said
    }

    pub(super) fn save_journal(&mut self) {
        let (Some(j), Some(out)) = (&self.journal, &self.out) else {
            return;
        };
        if let Err(why) = journal::save(out, j)
            && !self.journal_warned
        {
            crate::say::say(&format!(
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

    /// The journal at the end: a run that finished keeps only what a later
    /// run must still do; a stopped one keeps everything it did.
    pub(super) fn finish_journal(&mut self, signal: Option<i32>) {
        if let Some(j) = &mut self.journal {
            j.run.finished = signal.is_none();
            j.run.signal = signal.map(|n| stop::name(n).to_string());
            if signal.is_none() {
                j.entries = journal::carried(j);
            }
        }
        self.save_journal();
    }
}

/// Issues one replacement and writes it; the row says what happened.
pub(super) async fn rotate_one(ctx: &Ctx, d: &Due, run: &mut Run<'_>) -> Row {
    let mut row = Row::planned(d);
    let issued = match ask(ctx, d, run).await {
        Ok(p) => p,
        Err((status, message)) => {
            row.status = status;
            row.message = Some(message);
            return row;
        }
    };
    let label = format!("{}-{}", d.project, d.user);
    let (issued, info) = match issued.accepted(&d.user) {
        Ok(accepted) => accepted,
        Err((issued, said)) => {
            row.status = Status::Failed;
            row.message = Some(format!("{said}; {}", run.keep(&issued, &label)));
            return row;
        }
    };
    row.new_serial = Some(info.serial);
    row.new_not_after = Some(Ts(Some(info.not_after)));
    let written = write(run, d, &issued, info.serial, &mut row);
    let has_hook = run.hook.is_some();
    if let Some(e) = run.journal_entry(&d.project, &d.user) {
        e.serial = Some(info.serial);
        e.not_after = Some(info.not_after);
        e.file.clone_from(&written);
        e.hook = if has_hook && written.is_some() {
            HookState::Pending
        } else {
            HookState::None
        };
    }
    run.save_journal();
    row.path.clone_from(&written);
    if let Some(path) = &written {
        row.live = point_live(run, d, &issued, path, &mut row);
    }
    let (Some(path), Some(h)) = (written, run.hook.clone()) else {
        return row;
    };
    let delivery = Delivery {
        pem: path,
        project_id: d.project.clone(),
        project_name: d.project_name.clone(),
        username: d.user.clone(),
        serial: info.serial,
        not_after: info.not_after,
        live: row.live.clone(),
        dry_run: false,
        failure: None,
    };
    let result = deliver(&h, &delivery, run.stop, &hook::key_lines(&issued)).await;
    if let Some(e) = run.journal_entry(&d.project, &d.user) {
        e.hook = HookState::after(&result);
    }
    run.save_journal();
    row.hook = Some(result);
    row
}

/// The user's stable paths switched to the files just written (the
/// `.crt` and `.key` first with `--split`); the live PEM's path, or the
/// row says why the links still point at the previous certificate.
fn point_live(
    run: &mut Run<'_>,
    d: &Due,
    issued: &IssuedPem,
    path: &std::path::Path,
    row: &mut Row,
) -> Option<PathBuf> {
    let out = run.out.as_ref()?;
    let name = path.file_name()?.to_os_string();
    let mut files = vec![("pem", name.clone())];
    if run.args.split {
        let stem = name.to_string_lossy().trim_end_matches(".pem").to_string();
        match super::live::write_split(out, issued, &stem) {
            Ok([crt, key]) => files.extend([("crt", crt), ("key", key)]),
            Err(why) => {
                row.live_error = Some(format!("--split: {why}"));
                return None;
            }
        }
    }
    let mut live_pem = None;
    // The PEM last: a reader of `<user>.pem` sees the new pair complete.
    files.rotate_left(1);
    let prefix = format!(
        "{}-{}-",
        crate::pem::file_name_safe(&d.project),
        crate::pem::file_name_safe(&d.user)
    );
    for (ext, file) in &files {
        let link = super::live::path_of(out.path(), &d.project_name, &d.project, &d.user, ext);
        let switched = super::live::ours_to_switch(&link, &prefix)
            .and_then(|()| super::live::switch(out.path(), &link, file));
        if let Err(why) = switched {
            row.live_error = Some(format!(
                "the stable path {} still points at the previous certificate: {why}",
                link.display()
            ));
            return None;
        }
        if *ext == "pem" {
            live_pem = Some(link);
        }
    }
    live_pem
}

/// Asks Atlas once, the request noted in the journal first; an error is
/// the row's status and message.
async fn ask(ctx: &Ctx, d: &Due, run: &mut Run<'_>) -> Result<Answer, (Status, String)> {
    if let Some(j) = &mut run.journal {
        j.entries.push(Entry {
            project_id: d.project.clone(),
            project_name: d.project_name.clone(),
            username: d.user.clone(),
            requested_at: Timestamp::now(),
            serial: None,
            not_after: None,
            file: None,
            hook: HookState::None,
        });
    }
    run.save_journal();
    let what = format!(
        "the certificate request for {}",
        atlas_client::sanitize::line(&d.user, 80)
    );
    let ask = crate::handover::Ask {
        group_id: &d.project,
        username: &d.user,
        months: d.months,
    };
    let answer = stop::finish(run.stop, &what, crate::handover::request(&ctx.client, &ask)).await;
    match answer {
        Some(Ok(p)) => Ok(p),
        None => Err((
            Status::MaybeIssued,
            "stopped while waiting for Atlas's answer: if it issued the certificate, nobody holds its key (the next run rotates this user again)".into(),
        )),
        Some(Err(e)) => {
            if e.status() == Some(429) {
                run.pause = Some(e.retry_after().unwrap_or(DEFAULT_RATE_WAIT));
            }
            let status = if matches!(e, Error::MaybeIssued(_)) {
                Status::MaybeIssued
            } else {
                // Refused: nothing was issued, nothing to look for later.
                if let Some(j) = &mut run.journal {
                    j.entries.pop();
                }
                run.save_journal();
                Status::Failed
            };
            Err((status, e.explained()))
        }
    }
}

/// Writes the key through the checked directory; the path when written,
/// else the row says where the key was kept instead.
fn write(
    run: &mut Run<'_>,
    d: &Due,
    issued: &IssuedPem,
    serial: u64,
    row: &mut Row,
) -> Option<PathBuf> {
    let label = format!("{}-{}", d.project, d.user);
    let name = format!(
        "{}-{}",
        crate::pem::file_name_safe(&d.project),
        crate::pem::default_pem_name(&d.user, Some(serial))
    );
    let saved = match &run.out {
        Some(out) => match out.still_there() {
            Ok(()) => crate::pem::save::save_in(issued, out, name.as_ref(), false),
            Err(why) => {
                // Every later key would meet the same: none is asked for.
                run.halt = true;
                SaveOutcome::Failed(out.path().join(&name), why)
            }
        },
        None => SaveOutcome::Failed(run.dir.join(&name), "no output directory".into()),
    };
    match saved {
        SaveOutcome::Saved(mut paths) => {
            row.status = Status::Rotated;
            Some(paths.remove(0))
        }
        SaveOutcome::Exists(p) => {
            row.status = Status::Failed;
            row.message = Some(format!(
                "{} exists (not overwritten); {}",
                p.display(),
                run.keep(issued, &label)
            ));
            None
        }
        SaveOutcome::Failed(p, why) => {
            row.status = Status::Failed;
            row.message = Some(format!(
                "could not write {}: {why}; {}",
                p.display(),
                run.keep(issued, &label)
            ));
            None
        }
    }
}

/// A 429 with no `Retry-After`: Atlas's windows are a minute long.
const DEFAULT_RATE_WAIT: Duration = Duration::from_secs(60);
/// Longer than this and the run stops rather than sit in a cron slot.
const MAX_RATE_WAIT: Duration = Duration::from_secs(300);

/// Waits out Atlas's rate limit before the next creation; false (and the
/// rest marked not reached) when the wait is longer than a run should sit.
pub(super) async fn wait_out_rate_limit(run: &mut Run<'_>, wait: Duration, rest: &[Due]) -> bool {
    let human = atlas_client::human_wait(wait);
    if wait > MAX_RATE_WAIT {
        for d in rest {
            run.rows.push(Row::not_reached(
                d,
                Some(format!(
                    "not issued: Atlas is rate limiting certificate requests and asks to wait {human}; run again after that"
                )),
            ));
        }
        return false;
    }
    crate::say::say(&format!(
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
pub(super) async fn deliver(h: &Hook, d: &Delivery, stop: &Stop, secrets: &[String]) -> HookRun {
    if stop.signal().is_some() {
        let mut r = HookRun::skipped(h, HookStatus::NotRun);
        r.error = Some("stopped by a signal before the hook ran; the next run delivers it".into());
        return r;
    }
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    hook::run(h, d, stop, &secrets).await
}
