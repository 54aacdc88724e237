//! Logs go to a file: a TUI owns stdout, and a log on the terminal would
//! tear the screen.

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

pub fn default_log_path() -> Option<PathBuf> {
    crate::dirs::state_dir().map(|d| d.join("atlas-x509.log"))
}

/// Starts file logging at `ATLAS_X509_LOG` (default `info`). Returns the
/// guard that flushes on drop, or `None` if no log file could be opened.
pub fn init(path: Option<PathBuf>) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let path = path.or_else(default_log_path)?;
    let dir = path.parent()?.to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let file = open_private(&path)?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter =
        EnvFilter::try_from_env("ATLAS_X509_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

/// The log is the user's alone (0600): debug levels name projects, users
/// and requests. A log left wider by an older version is narrowed.
fn open_private(path: &std::path::Path) -> Option<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .ok()?;
    if let Ok(m) = file.metadata()
        && m.permissions().mode() & 0o077 != 0
    {
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    Some(file)
}
