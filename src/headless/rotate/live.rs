//! `<out-dir>/live/<project>/<user>.pem` (and `.crt`/`.key` with
//! `--split`): a path that does not change with each serial, pointing at
//! the user's newest certificate, switched atomically as certbot's `live/`
//! is; and `--prune`, which removes serial files only once they expired.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::pem::file_name_safe;
use crate::pem::open_dir::OpenDir;
use atlas_client::IssuedPem;

pub const DIR: &str = "live";

/// The stable path of a user's `ext` file. The project's name when known
/// (what people look for), else its id. A name that had to be changed to
/// be a file name gets a short digest of itself, so that `orders app` and
/// `orders_app`, or two DNs alike in their first 100 characters, never
/// share a path.
pub fn path_of(out: &Path, project_name: &str, project_id: &str, user: &str, ext: &str) -> PathBuf {
    let project = if project_name.trim().is_empty() {
        project_id
    } else {
        project_name
    };
    out.join(DIR)
        .join(unique_name(project))
        .join(format!("{}.{ext}", unique_name(user)))
}

fn unique_name(name: &str) -> String {
    let safe = file_name_safe(name);
    if safe == name {
        return safe;
    }
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let tag: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{safe}~{tag}")
}

/// Whether `link` may be pointed at a file of `prefix` (the serial files'
/// `<project id>-<user>-`): a link that points at another user's file is a
/// collision (two projects of one name in different organisations), and is
/// refused rather than crossed.
pub fn ours_to_switch(link: &Path, prefix: &str) -> Result<(), String> {
    match std::fs::read_link(link) {
        Err(_) => Ok(()),
        Ok(t) => {
            let name = t
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with(prefix) {
                Ok(())
            } else {
                Err(format!(
                    "{} points at {name}, another project's or user's certificate: two projects share this name; not switched",
                    link.display()
                ))
            }
        }
    }
}

/// A directory of ours: made 0700, and refused when something else (a
/// symbolic link, a file) stands in its place.
fn private_dir(p: &Path) -> Result<(), String> {
    match std::fs::DirBuilder::new().mode(0o700).create(p) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(atlas_client::os_error::about(p, &e)),
    }
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "{} is not a directory of ours; refusing it",
            p.display()
        )),
        Err(e) => Err(atlas_client::os_error::about(p, &e)),
    }
}

/// Points `link` at `file` (a name in the out-dir): a new symbolic link
/// made beside it, then renamed over the old one, so a reader sees the old
/// file or the new one, never neither. `file` exists before the switch.
pub fn switch(out: &Path, link: &Path, file: &OsStr) -> Result<(), String> {
    if std::fs::symlink_metadata(out.join(file)).is_err() {
        return Err(format!(
            "{} is not there to point at",
            out.join(file).display()
        ));
    }
    let dir = link.parent().ok_or("no directory for the live link")?;
    private_dir(&out.join(DIR))?;
    private_dir(dir)?;
    let target = Path::new("../..").join(file);
    let mut rnd = [0u8; 6];
    getrandom::fill(&mut rnd).map_err(|e| e.to_string())?;
    let suffix: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
    let mut tmp_name = OsString::from(".");
    tmp_name.push(link.file_name().unwrap_or_default());
    tmp_name.push(format!(".{suffix}.tmp"));
    let tmp = dir.join(tmp_name);
    std::os::unix::fs::symlink(&target, &tmp)
        .map_err(|e| atlas_client::os_error::about(&tmp, &e))?;
    std::fs::rename(&tmp, link).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        atlas_client::os_error::about(link, &e)
    })
}

/// With `--split`: the certificate (0644) and the key (0600) beside the
/// combined PEM, as `<name>.crt` and `<name>.key`, never over a file.
pub fn write_split(out: &OpenDir, issued: &IssuedPem, stem: &str) -> Result<[OsString; 2], String> {
    let (Some(cert), Some(key)) = (issued.certificate_pem(), issued.private_key_pem()) else {
        return Err("the answer lacks a certificate or a key to split".into());
    };
    let crt = OsString::from(format!("{stem}.crt"));
    let key_name = OsString::from(format!("{stem}.key"));
    for (name, text, mode) in [(&key_name, key, 0o600), (&crt, cert, 0o644)] {
        let body = zeroize::Zeroizing::new(format!("{text}\n"));
        match out.write_new(name, body.as_bytes(), false, mode) {
            Ok(true) => {}
            Ok(false) => {
                return Err(format!(
                    "{} exists (not overwritten)",
                    name.to_string_lossy()
                ));
            }
            Err(why) => return Err(format!("{}: {why}", name.to_string_lossy())),
        }
    }
    Ok([crt, key_name])
}

/// The files the live links point at: never pruned.
fn live_targets(out: &Path) -> HashSet<OsString> {
    let mut set = HashSet::new();
    let Ok(projects) = std::fs::read_dir(out.join(DIR)) else {
        return set;
    };
    for p in projects.flatten().take(100_000) {
        let Ok(links) = std::fs::read_dir(p.path()) else {
            continue;
        };
        for l in links.flatten().take(100_000) {
            if let Ok(t) = std::fs::read_link(l.path())
                && let Some(name) = t.file_name()
            {
                set.insert(name.to_os_string());
            }
        }
    }
    set
}

/// `<anything>-<serial>.<ext>`: a file of ours, by its name.
fn ours(name: &str) -> Option<(&str, &str)> {
    let (stem, ext) = name.rsplit_once('.')?;
    let serial = stem.rsplit_once('-')?.1;
    (matches!(ext, "pem" | "crt" | "key")
        && !serial.is_empty()
        && serial.bytes().all(|b| b.is_ascii_digit()))
    .then_some((stem, ext))
}

/// `--prune`: the serial files (`.pem`, `.crt`, `.key`) of certificates
/// that have expired and that no live link points at. A file whose
/// certificate cannot be read is kept. Returns what was removed.
pub fn prune(out: &Path, now: Timestamp) -> (Vec<PathBuf>, Vec<String>) {
    let live = live_targets(out);
    let (mut removed, mut problems) = (vec![], vec![]);
    let Ok(entries) = std::fs::read_dir(out) else {
        return (
            removed,
            vec![format!("{}: cannot be listed", out.display())],
        );
    };
    let mut expired_stems = HashSet::new();
    let mut names = vec![];
    for e in entries.flatten().take(1_000_000) {
        let name = e.file_name();
        let Some(n) = name.to_str() else { continue };
        if ours(n).is_some() && e.file_type().is_ok_and(|t| t.is_file()) {
            names.push(n.to_string());
        }
    }
    for n in &names {
        let Some((stem, ext)) = ours(n) else { continue };
        if ext == "key" {
            continue;
        }
        let path = out.join(n);
        let text = match std::fs::metadata(&path) {
            Ok(m) if m.len() <= 1 << 20 => std::fs::read_to_string(&path).ok(),
            _ => None,
        };
        let Some(info) = text.and_then(|t| atlas_client::inspect::inspect(&IssuedPem::new(t)))
        else {
            continue;
        };
        if info.not_after < now {
            expired_stems.insert(stem.to_string());
        }
    }
    // The key first: a prune cut short never leaves a key without the
    // certificate that says when it expired.
    names.sort_by_key(|n| !n.ends_with(".key"));
    for n in &names {
        let Some((stem, _)) = ours(n) else { continue };
        if !expired_stems.contains(stem) || live.contains(OsStr::new(n)) {
            continue;
        }
        // A stem one live link still points at keeps all its files.
        if ["pem", "crt", "key"]
            .iter()
            .any(|x| live.contains(OsStr::new(&format!("{stem}.{x}"))))
        {
            continue;
        }
        let path = out.join(n);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) => problems.push(atlas_client::os_error::about(&path, &e)),
        }
    }
    removed.sort();
    (removed, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_serial_files_are_candidates() {
        assert_eq!(ours("p-alice-123.pem"), Some(("p-alice-123", "pem")));
        assert_eq!(ours("p-CN=a,O=b-9.key"), Some(("p-CN=a,O=b-9", "key")));
        assert_eq!(ours("notes.pem"), None);
        assert_eq!(ours("p-alice-12a.pem"), None);
        assert_eq!(ours(".atlas-x509-rotate.json"), None);
    }

    #[test]
    fn a_switch_is_atomic_and_never_dangles() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path();
        std::fs::write(out.join("p-u-1.pem"), "one").unwrap();
        let link = path_of(out, "orders", "65f", "CN=u,O=x", "pem");
        let name = link.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("CN_u_O_x~") && name.ends_with(".pem"),
            "{link:?}"
        );
        assert_ne!(
            path_of(out, "orders", "65f", "CN_u_O_x", "pem"),
            link,
            "a name made safe never meets one that was safe"
        );
        assert!(link.parent().unwrap().ends_with("live/orders"));
        switch(out, &link, OsStr::new("p-u-1.pem")).unwrap();
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "one");
        std::fs::write(out.join("p-u-2.pem"), "two").unwrap();
        switch(out, &link, OsStr::new("p-u-2.pem")).unwrap();
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "two");
        assert!(
            switch(out, &link, OsStr::new("p-u-3.pem")).is_err(),
            "never at a file that is not there"
        );
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "two");
        let left: Vec<_> = std::fs::read_dir(link.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 1, "no temporary link left: {left:?}");
        // A link another user's file holds is not crossed over.
        assert!(ours_to_switch(&link, "p-u-").is_ok());
        let e = ours_to_switch(&link, "q-other-").unwrap_err();
        assert!(e.contains("two projects share this name"), "{e}");
    }
}
