//! `--report FILE`: a run's account for whatever watches the cron job. It
//! is written whole or not at all (temp file, fsync, rename), at the end of
//! every run, the failed and the stopped ones included, so a monitor never
//! reads half a report or yesterday's as today's.

use std::path::Path;

use serde::Serialize;

/// Refuses a report path that could only fail at the end, after keys were
/// issued: a missing directory, a directory, a symbolic link.
pub fn precheck(path: &Path) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "--report {}: the directory {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(format!(
            "--report {} is a symbolic link; refusing to follow it",
            path.display()
        )),
        Ok(m) if m.is_dir() => Err(format!("--report {} is a directory", path.display())),
        _ => Ok(()),
    }
}

pub fn write<T: Serialize>(path: &Path, report: &T) -> Result<(), String> {
    let mut bytes = Vec::with_capacity(4096);
    super::json_out::write(&mut bytes, report).map_err(|e| e.to_string())?;
    crate::pem::save::write_new(&bytes, path, true, 0o600)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", path.display()))
}
