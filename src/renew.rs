//! Renewing an expired user-account access token through the Atlas CLI.
//! The refresh token is the CLI's (it rotates on use, and the CLI stores the
//! new pair in its config or keyring); atlas-x509 never writes either. So a
//! renewal is: run the CLI's cheapest authenticated call, which refreshes
//! and stores the pair, then read the profile again.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use atlas_client::renew_command;

/// What the CLI may print that we keep: enough for its error, no more.
const STDERR_CAP: usize = 16 * 1024;

/// The `atlas` executable on `path` (the value of PATH), if any.
pub fn find_atlas(path: Option<&OsStr>) -> Option<PathBuf> {
    let name = if cfg!(windows) { "atlas.exe" } else { "atlas" };
    std::env::split_paths(path?)
        // An empty or relative PATH entry means "the current directory":
        // never run a program planted there.
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Runs the renewal command for `profile` with no terminal input (it must
/// not prompt), in a process group of its own, for at most `timeout` (then
/// the whole group is stopped: a grandchild included). `Err` says what
/// failed, never what the CLI printed: a freshly minted token can reach its
/// output in shapes no redaction after the fact can catch (split by colour
/// codes, wrapped, cut into pieces). The output goes to the log at debug
/// level only, redacted (`secrets` are the profile's).
pub fn run_atlas(
    atlas: &Path,
    profile: &str,
    timeout: Duration,
    secrets: &[&str],
) -> Result<(), String> {
    let args = &renew_command(profile)[1..];
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(atlas)
        .args(args)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", atlas.display()))?;
    // Read stderr on a thread so a chatty CLI never blocks on a full pipe.
    let reader = child.stderr.take().map(|mut err| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let room = STDERR_CAP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            kept
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Ok(None) | Err(_) => {
                // The whole group: the CLI and whatever it started.
                if let Ok(pid) = i32::try_from(child.id()) {
                    // SAFETY: signalling the process group this child leads.
                    unsafe {
                        libc::kill(-pid, libc::SIGKILL);
                    }
                }
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    // A grandchild may hold the pipe open after the CLI ended: wait for its
    // words a moment, not for the grandchild.
    let said = reader
        .and_then(|r| {
            let until = Instant::now() + Duration::from_secs(1);
            while !r.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
            r.is_finished().then(|| r.join().ok()).flatten()
        })
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let said = last_lines(&said, 4, secrets);
    if !said.is_empty() {
        tracing::debug!(said, "the Atlas CLI's output (redacted)");
    }
    match status {
        Some(s) if s.success() => Ok(()),
        Some(s) => Err(format!(
            "`{}` failed ({s}); its output is not shown (it may carry tokens) and is in the log at debug level",
            renew_command(profile).join(" "),
        )),
        None => Err(format!(
            "`{}` did not finish within {} s and was stopped",
            renew_command(profile).join(" "),
            timeout.as_secs()
        )),
    }
}

/// The CLI's last few non-empty lines, escaped (they may quote a server)
/// and with the profile's secrets and any token-looking word redacted.
/// Redacted before the cut, so a cut cannot leave half a token behind.
fn last_lines(text: &str, n: usize, secrets: &[&str]) -> String {
    let text = atlas_client::sanitize::redact_known(text, secrets);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(n)..].join(" / ");
    atlas_client::sanitize::line(&tail, 600)
}

/// `y`, `yes` or an empty answer (the default) mean yes.
pub fn is_yes(answer: &str) -> bool {
    matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "" | "y" | "yes"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        for y in ["", "y", "Y", "yes", " YES \n"] {
            assert!(is_yes(y), "{y:?}");
        }
        for n in ["n", "no", "nope", "q"] {
            assert!(!is_yes(n), "{n:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn atlas_is_found_only_in_absolute_path_entries() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let atlas = dir.path().join("atlas");
        std::fs::write(&atlas, "#!/bin/sh\n").unwrap();
        assert_eq!(
            find_atlas(Some(dir.path().as_os_str())),
            None,
            "not executable"
        );
        std::fs::set_permissions(&atlas, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths(["relative/bin", dir.path().to_str().unwrap()]).unwrap();
        assert_eq!(find_atlas(Some(&path)), Some(atlas));
        assert_eq!(find_atlas(Some(OsStr::new("."))), None);
        assert_eq!(find_atlas(None), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_or_hanging_cli_is_reported_not_waited_on() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let atlas = dir.path().join("atlas");
        std::fs::write(
            &atlas,
            "#!/bin/sh\necho 'Error: INVALID_REFRESH_TOKEN \x1b[31mlog in again' >&2\nexit 1\n",
        )
        .unwrap();
        std::fs::set_permissions(&atlas, std::fs::Permissions::from_mode(0o755)).unwrap();
        let e = run_atlas(&atlas, "work", Duration::from_secs(10), &[]).unwrap_err();
        assert!(
            !e.contains("INVALID_REFRESH_TOKEN"),
            "never the CLI's words: {e}"
        );
        assert!(e.contains("--profile work") && e.contains("failed"), "{e}");

        let hangs = dir.path().join("atlas-hangs");
        let pidfile = dir.path().join("grandchild");
        std::fs::write(
            &hangs,
            format!(
                "#!/bin/sh\nsleep 300 &\necho $! > '{}'\nexec sleep 300\n",
                pidfile.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&hangs, std::fs::Permissions::from_mode(0o755)).unwrap();
        let started = Instant::now();
        let e = run_atlas(&hangs, "work", Duration::from_millis(300), &[]).unwrap_err();
        assert!(e.contains("did not finish"), "{e}");
        // Only a hang (the script's 300 s) is caught by time.
        assert!(started.elapsed() < Duration::from_secs(60));
        // The grandchild went with the group (gone, or a zombie awaiting init).
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let stat = format!("/proc/{}/stat", pid.trim());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let s = std::fs::read_to_string(&stat).unwrap_or_default();
            if s.is_empty() || s.split_whitespace().nth(2) == Some("Z") {
                break;
            }
            assert!(Instant::now() < deadline, "the grandchild still runs: {s}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
