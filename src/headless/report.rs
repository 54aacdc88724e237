//! `--report FILE`: a run's account for whatever watches the cron job. It
//! is written whole or not at all (temp file, fsync, rename), at the end of
//! every run, the failed and the stopped ones included, so a monitor never
//! reads half a report or yesterday's as today's.

use std::path::Path;

use serde::Serialize;

/// Refuses an output path (`flag`'s) that could only fail at the end,
/// after keys were issued: a missing directory, a directory, a symbolic
/// link. `Ok(true)`: a file is already there.
pub fn precheck_output(flag: &str, path: &Path) -> Result<bool, String> {
    // The same rule as a key's path: its directory must exist.
    match crate::pem::save::target(path).map_err(|why| format!("{flag} {why}"))? {
        (_, crate::pem::save::Target::Dir(_)) => {
            return Err(format!("{flag} {} is a directory", path.display()));
        }
        (_, crate::pem::save::Target::File { .. }) => {}
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(format!(
            "{flag} {} is a symbolic link; refusing to follow it",
            path.display()
        )),
        Ok(_) => Ok(true),
        Err(_) => Ok(false),
    }
}

/// [`precheck_output`] for `--report`: a file there must be an earlier report.
pub fn precheck(path: &Path) -> Result<(), String> {
    if precheck_output("--report", path)? {
        replaceable(path)
    } else {
        Ok(())
    }
}

/// The largest file read to tell whether it is an earlier report.
const MAX_REPORT: u64 = 64 << 20;

/// A report replaces only a report: an existing file is replaced when it
/// is a regular file holding what `rotate --report` writes (a JSON object
/// with `"command": "rotate"` and a `version`), never a key, never anything
/// else the user keeps there.
fn replaceable(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let refuse = |what: &str| {
        Err(format!(
            "--report {} exists and {what}; a report never replaces it (give another path, or remove the file)",
            path.display()
        ))
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if !meta.is_file() {
        return refuse("is not a regular file");
    }
    if meta.len() > MAX_REPORT {
        return refuse("is not a report atlas-x509 wrote");
    }
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(MAX_REPORT).read_to_end(&mut bytes))
        .map_err(|e| format!("--report {}: {e}", path.display()));
    let bytes = zeroize::Zeroizing::new(bytes);
    read?;
    if bytes.windows(11).any(|w| w == b"PRIVATE KEY") {
        return refuse("holds a private key");
    }
    let ours = serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| {
        v.get("command").and_then(|c| c.as_str()) == Some("rotate")
            && v.get("version").is_some_and(|n| n.is_u64())
    });
    if ours {
        Ok(())
    } else {
        refuse("is not a report atlas-x509 wrote")
    }
}

pub fn write<T: Serialize>(path: &Path, report: &T) -> Result<(), String> {
    // Checked again: the file may have been put there during the run.
    replaceable(path)?;
    let mut bytes = Vec::with_capacity(4096);
    super::json_out::write(&mut bytes, report).map_err(|e| e.to_string())?;
    crate::pem::save::write_new(&bytes, path, true, 0o600)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", path.display()))
}
