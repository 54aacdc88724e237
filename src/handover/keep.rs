//! Where a key goes when it is not (yet) where it was meant to be: the
//! 0600 rescue file, else stdout, else stderr. nano's emergency save is
//! the model; the rescue directory is private (0700) and files are never
//! replaced.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::pem;
use atlas_client::IssuedPem;

/// Where the TUI's issued key lives while its dialog is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// Written ahead (0600, fsync'd, through the directory's handle) before
    /// the dialog showed it: a closed terminal, a crash or SIGKILL loses
    /// nothing. Removed once the key was saved, its copy confirmed, or it
    /// was discarded.
    File(PathBuf),
    /// `key_write_ahead = false`: in memory only, by the user's choice.
    Off,
    /// The write-ahead failed (why): in memory only.
    Failed(String),
    /// The written-ahead file was removed after the hand-over.
    Released,
}

/// The write-ahead: the key in a rescue file before anyone sees it.
pub fn hold(pem: &IssuedPem, label: &str) -> Held {
    match pem::rescue::write(pem, label, None) {
        Ok(path) => Held::File(path),
        Err(why) => Held::Failed(why),
    }
}

/// Removes a written-ahead file once its key is safe elsewhere (or was
/// discarded on purpose). Only a file in the rescue directory is removed.
pub fn release(path: &Path) -> Result<(), String> {
    let dir = pem::rescue::dir().ok_or("no state directory")?;
    if path.parent() != Some(dir.as_path()) {
        return Err(format!(
            "{} is not in the rescue directory; left alone",
            path.display()
        ));
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Where a key that could not go where it was asked ended up.
pub struct Kept {
    /// The truthful end of the story, for the last message.
    pub said: String,
    /// Not in a file: on a stream, or lost. Nothing more may be issued in
    /// this run, since the next key would have no home either.
    pub homeless: bool,
}

/// The key could not go where it was asked: the rescue file, else stdout
/// (stderr when stdout is a terminal, has already failed, or carries JSON
/// that must stay parseable: `stdout_taken`).
pub fn keep_somewhere(pem: &IssuedPem, label: &str, stdout_taken: bool) -> Kept {
    let why = match pem::rescue::write(pem, label, None) {
        Ok(path) => {
            return Kept {
                said: format!(
                    "the PEM with its private key was kept in {} (mode 0600)",
                    path.display()
                ),
                homeless: false,
            };
        }
        Err(why) => why,
    };
    let to_stderr = |pem: &IssuedPem| {
        if let Some(no) = super::key_out::nowhere(libc::STDERR_FILENO) {
            return Err(format!("stderr {no}"));
        }
        let mut e = std::io::stderr().lock();
        writeln!(
            e,
            "atlas-x509: WARNING: no file could hold this private key ({why}); it follows here and nowhere else: copy it now"
        )
        .and_then(|_| e.write_all(pem.expose().as_bytes()))
        .and_then(|_| e.flush())
        .map_err(|e| e.to_string())
    };
    let stdout_nowhere = super::key_out::nowhere(libc::STDOUT_FILENO);
    let (stream, written) = if stdout_taken || std::io::stdout().is_terminal() {
        ("stderr".to_string(), to_stderr(pem))
    } else if let Some(no) = stdout_nowhere {
        match to_stderr(pem) {
            Ok(()) => (format!("stderr, since stdout {no}"), Ok(())),
            Err(e) => ("stdout".to_string(), Err(format!("it {no}; {e}"))),
        }
    } else {
        // stdout nobody reads must not hold the only copy without bound.
        match super::key_out::to_stdout(pem.expose(), super::key_out::FALLBACK_DEADLINE) {
            Ok(()) => ("stdout".to_string(), Ok(())),
            Err(e) => match to_stderr(pem) {
                Ok(()) => (format!("stderr, since stdout failed ({e})"), Ok(())),
                Err(e2) => ("stdout".to_string(), Err(format!("{e}; stderr too: {e2}"))),
            },
        }
    };
    Kept {
        said: match written {
            Ok(()) => {
                format!("no rescue file could be written ({why}); the PEM was written to {stream}")
            }
            Err(e) => format!(
                "no rescue file could be written ({why}) and {stream} failed ({e}): the private key is lost"
            ),
        },
        homeless: true,
    }
}
