//! The place each target (the demo, an Atlas host) was left in, kept in
//! the state directory so the next run opens there. Not a secret: project
//! ids and usernames, never credentials.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::app::{Pane, Place};

const FILE: &str = "places.json";
/// Targets kept; the file is read whole at start and must stay small.
const MAX_TARGETS: usize = 32;
const MAX_BYTES: u64 = 64 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Kept {
    project: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    pane: String,
}

fn path() -> Option<PathBuf> {
    crate::dirs::state_dir().map(|d| d.join(FILE))
}

fn read(file: &Path) -> BTreeMap<String, Kept> {
    let Ok(meta) = std::fs::metadata(file) else {
        return BTreeMap::new();
    };
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return BTreeMap::new();
    }
    std::fs::read(file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn pane_name(p: Pane) -> &'static str {
    match p {
        Pane::Projects => "projects",
        Pane::Users => "users",
        Pane::Certs => "certs",
    }
}

/// The place `target` was left in, if any.
pub fn recall(target: &str) -> Option<Place> {
    recall_in(&path()?, target)
}

fn recall_in(file: &Path, target: &str) -> Option<Place> {
    let k = read(file).remove(target)?;
    let pane = match k.pane.as_str() {
        "projects" => Pane::Projects,
        "certs" if k.user.is_some() => Pane::Certs,
        _ => Pane::Users,
    };
    Some(Place {
        project: k.project,
        user: k.user,
        pane,
        remembered: true,
    })
}

/// Keeps `place` for `target`. Best effort: a read-only home costs the
/// next run its starting place, nothing else.
pub fn remember(target: &str, place: &Place) {
    let Some(file) = path() else { return };
    if let Err(e) = remember_in(&file, target, place) {
        tracing::debug!(error = e, "the place was not kept");
    }
}

fn remember_in(file: &Path, target: &str, place: &Place) -> Result<(), String> {
    let mut all = read(file);
    let kept = Kept {
        project: place.project.clone(),
        user: place.user.clone(),
        pane: pane_name(place.pane).to_string(),
    };
    if all.get(target) == Some(&kept) {
        return Ok(());
    }
    all.insert(target.to_string(), kept);
    while all.len() > MAX_TARGETS {
        let Some(other) = all.keys().find(|k| *k != target).cloned() else {
            break;
        };
        all.remove(&other);
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let bytes = serde_json::to_vec_pretty(&all).map_err(|e| e.to_string())?;
    crate::pem::save::write_new(&bytes, file, true, 0o600).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_round_trips_per_target_and_junk_reads_as_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state/places.json");
        assert_eq!(recall_in(&file, "DEMO"), None);
        let place = Place {
            project: "65f1a2b3c4d5e6f708192a3b".into(),
            user: Some("CN=app,O=acme".into()),
            pane: Pane::Certs,
            remembered: false,
        };
        remember_in(&file, "DEMO", &place).unwrap();
        remember_in(&file, "cloud.mongodb.com", &Place::project("p2")).unwrap();
        let back = recall_in(&file, "DEMO").unwrap();
        assert_eq!(
            (back.project.as_str(), back.user.as_deref(), back.pane),
            (place.project.as_str(), Some("CN=app,O=acme"), Pane::Certs)
        );
        assert!(back.remembered);
        assert_eq!(
            recall_in(&file, "cloud.mongodb.com").unwrap().pane,
            Pane::Users
        );
        std::fs::write(&file, b"{not json").unwrap();
        assert_eq!(recall_in(&file, "DEMO"), None);
        remember_in(&file, "DEMO", &place).unwrap();
        assert!(recall_in(&file, "DEMO").is_some(), "junk is replaced");
    }
}
