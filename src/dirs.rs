//! Where things live on this machine. An empty or relative `HOME` (or XDG
//! variable) counts as unset: otherwise a file planted in the current
//! directory could stand in for a config or receive a key.

use std::path::PathBuf;

fn absolute_var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

pub fn home() -> Option<PathBuf> {
    absolute_var("HOME")
}

/// `$XDG_STATE_HOME/atlas-x509`, else `~/.local/state/atlas-x509`.
pub fn state_dir() -> Option<PathBuf> {
    absolute_var("XDG_STATE_HOME")
        .or_else(|| home().map(|h| h.join(".local/state")))
        .map(|b| b.join("atlas-x509"))
}
