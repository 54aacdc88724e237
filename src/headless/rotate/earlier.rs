//! What the run before this one left: keys written and not delivered,
//! and a note on how it ended.

use std::path::Path;

use jiff::Timestamp;

use super::outcome::{Row, Status};
use super::run::{Run, deliver};
use crate::headless::hook::Delivery;
use crate::headless::journal::{self, Entry, HookState, Journal};
use crate::headless::json_out::Ts;
use crate::headless::ts;

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

/// Keys an earlier run wrote but did not deliver: delivered now, when this
/// run has a hook and the file is still there.
pub(super) async fn deliver_earlier(run: &mut Run<'_>) {
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
            status: Status::DeliveredEarlier,
            new_serial: Some(serial),
            new_not_after: e.not_after.map(|t| Ts(Some(t))),
            path: Some(file.clone()),
            live: None,
            live_error: None,
            hook: None,
            message: Some("written by an earlier run that did not deliver it".into()),
        };
        let still_valid = e.not_after.is_some_and(|t| t > Timestamp::now());
        if let Some(why) = foreign_file(&run.dir, &e, serial, &file) {
            // The record is data: a path it names is used only when it is
            // the very file this tool writes for that entry.
            row.status = Status::NotDelivered;
            row.path = None;
            row.message = Some(format!("set aside, not delivered: the run record {why}"));
            crate::say::say(&format!(
                "{}: an entry of {} {why}; set aside",
                atlas_client::sanitize::line(&e.username, 80),
                run.dir.join(journal::FILE).display()
            ));
            if let Some(j) = &mut run.journal {
                j.entries.retain(|x| x.serial != Some(serial));
            }
        } else if !file.is_file() || !still_valid {
            row.status = Status::NotDelivered;
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
                live: live_of(&run.dir, &e),
                dry_run: false,
                failure: None,
            };
            let r = deliver(&h, &d, run.stop, &[]).await;
            if let Some(x) = run
                .journal
                .as_mut()
                .and_then(|j| j.entries.iter_mut().find(|x| x.serial == Some(serial)))
            {
                x.hook = HookState::after(&r);
            }
            row.hook = Some(r);
        }
        run.save_journal();
        run.earlier.push(row);
    }
}

/// What the run before this one left, said once at the start.
pub(super) fn earlier_note(j: &Journal) -> Option<String> {
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

/// The user's stable path, when one points at a file (a delivery retried
/// from an earlier run gets it as a fresh one does).
fn live_of(dir: &std::path::Path, e: &Entry) -> Option<std::path::PathBuf> {
    let link = super::live::path_of(dir, &e.project_name, &e.project_id, &e.username, "pem");
    std::fs::metadata(&link).is_ok().then_some(link)
}
