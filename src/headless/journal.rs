//! What a `rotate` run has done so far, kept beside its keys in the output
//! directory (`.atlas-x509-rotate.json`, 0600, replaced atomically at each
//! step). Listing finds the certificates an earlier run issued; this file
//! adds what listing cannot tell: that the run was stopped, which keys it
//! wrote where, which hooks still have to deliver them, and which requests
//! were sent with no answer written (a key Atlas issued that nobody holds).
//! A lock beside it keeps two runs out of one directory.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub const FILE: &str = ".atlas-x509-rotate.json";
const LOCK: &str = ".atlas-x509-rotate.lock";
/// Entries kept at most: a journal is read whole at every start.
const MAX_ENTRIES: usize = 10_000;
const MAX_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    pub started_at: Timestamp,
    pub pid: u32,
    pub finished: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub project_id: String,
    #[serde(default)]
    pub project_name: String,
    pub username: String,
    pub requested_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    pub hook: HookState,
}

/// Where a written key's delivery stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum HookState {
    /// No hook to run (or no file for it).
    None,
    /// Still to run: a signal came first, or stopped it.
    Pending,
    Ok,
    Failed,
}

impl HookState {
    pub fn after(run: &super::hook::HookRun) -> Self {
        use super::hook::HookStatus;
        match run.status {
            HookStatus::Ok => HookState::Ok,
            HookStatus::NotRun | HookStatus::Interrupted => HookState::Pending,
            _ => HookState::Failed,
        }
    }
}

impl Entry {
    /// Sent, and no key written: either Atlas issued nothing, or it issued
    /// a certificate whose key died with the run.
    pub fn unanswered(&self) -> bool {
        self.serial.is_none()
    }

    pub fn undelivered(&self) -> bool {
        self.serial.is_some() && matches!(self.hook, HookState::Pending | HookState::Failed)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    pub version: u32,
    pub run: RunInfo,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

/// Holds the directory's lock for as long as it lives.
#[derive(Debug)]
pub struct Lock {
    _file: std::fs::File,
}

/// Takes the directory's lock, or says who holds it.
pub fn lock(dir: &Path) -> Result<Lock, String> {
    let path = dir.join(LOCK);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor we own; released when it closes.
    let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r != 0 {
        return Err(format!(
            "another `atlas-x509 rotate` is running with --out-dir {} (it holds {}); two runs must not issue for the same users",
            dir.display(),
            path.display()
        ));
    }
    Ok(Lock { _file: file })
}

/// The journal an earlier run left, if any. An unreadable one is reported
/// and set aside, never trusted.
pub fn load(dir: &Path) -> Result<Option<Journal>, String> {
    let path = dir.join(FILE);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    if meta.len() > MAX_BYTES {
        return Err(format!("{} is over 8 MiB", path.display()));
    }
    let text = std::fs::read(&path).map_err(|e| atlas_client::os_error::about(&path, &e))?;
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub fn save(dir: &crate::pem::open_dir::OpenDir, j: &Journal) -> Result<(), String> {
    let mut j = j.clone();
    if j.entries.len() > MAX_ENTRIES {
        let cut = j.entries.len() - MAX_ENTRIES;
        j.entries.drain(..cut);
    }
    let bytes = serde_json::to_vec_pretty(&j).map_err(|e| e.to_string())?;
    dir.write_new(FILE.as_ref(), &bytes, true, 0o600)
        .map(|_| ())
}

/// What carries over into a new run: requests with no answer written and
/// keys not yet delivered. The rest is found by listing.
pub fn carried(earlier: &Journal) -> Vec<Entry> {
    earlier
        .entries
        .iter()
        .filter(|e| e.unanswered() || e.undelivered())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(serial: Option<u64>, hook: &str) -> Entry {
        Entry {
            project_id: "p".into(),
            project_name: "P".into(),
            username: "u".into(),
            requested_at: Timestamp::UNIX_EPOCH,
            serial,
            not_after: None,
            file: None,
            // As the file spells it.
            hook: serde_json::from_value(serde_json::Value::from(hook)).unwrap(),
        }
    }

    #[test]
    fn only_unfinished_work_carries_over() {
        let j = Journal {
            version: 1,
            run: RunInfo {
                started_at: Timestamp::UNIX_EPOCH,
                pid: 1,
                finished: false,
                signal: None,
            },
            entries: vec![
                entry(None, "none"),
                entry(Some(1), "ok"),
                entry(Some(2), "none"),
                entry(Some(3), "pending"),
                entry(Some(4), "failed"),
            ],
        };
        let c: Vec<Option<u64>> = carried(&j).iter().map(|e| e.serial).collect();
        assert_eq!(c, [None, Some(3), Some(4)]);
    }

    #[test]
    fn a_journal_round_trips_and_a_second_lock_is_refused() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(load(d.path()).unwrap(), None);
        let j = Journal {
            version: 1,
            run: RunInfo {
                started_at: Timestamp::UNIX_EPOCH,
                pid: 7,
                finished: true,
                signal: Some("SIGTERM".into()),
            },
            entries: vec![entry(Some(9), "pending")],
        };
        save(&crate::pem::open_dir::OpenDir::open(d.path()).unwrap(), &j).unwrap();
        assert_eq!(load(d.path()).unwrap(), Some(j));
        let _held = lock(d.path()).unwrap();
        assert!(lock(d.path()).unwrap_err().contains("another"));
        std::fs::write(d.path().join(FILE), "{not json").unwrap();
        assert!(load(d.path()).is_err());
    }
}
