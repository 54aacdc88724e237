//! Writing a key file: mode 0600 from creation, a temp file in the target
//! directory, fsync, then an atomic link/rename — never a half-written key,
//! never a followed symlink, never a silent overwrite.

use std::fs;
use std::path::{Path, PathBuf};

use super::open_dir::OpenDir;
use atlas_client::IssuedPem;

#[derive(Debug)]
pub enum SaveOutcome {
    /// Every file written (one, or two when split).
    Saved(Vec<PathBuf>),
    /// The target exists: ask before overwriting.
    Exists(PathBuf),
    Failed(PathBuf, String),
}

/// `~` and `~/…` expand to `$HOME`.
pub fn expand_home(path: &Path, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

/// Where a typed save path points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An existing directory: the file is named for the certificate.
    Dir(PathBuf),
    /// A file to make in an existing directory.
    File {
        dir: PathBuf,
        name: std::ffi::OsString,
    },
}

/// A typed path, `~` expanded (by the one reading of HOME), checked the
/// same way for the TUI and the commands before anything is written: a
/// path ending in `/` names a directory, which must exist (none is
/// created), and a file's directory must exist. The error is in words.
pub fn target(asked: &Path) -> Result<(PathBuf, Target), String> {
    let path = expand_home(asked, crate::dirs::home().as_deref());
    if path.as_os_str().is_empty() {
        return Err("no path given".into());
    }
    if path.is_dir() {
        return Ok((path.clone(), Target::Dir(path)));
    }
    if asked.as_os_str().to_string_lossy().ends_with('/') {
        return Err(format!(
            "{}: no such directory (it is not created; make it first)",
            asked.display()
        ));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "{}: the directory {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    let Some(name) = path.file_name() else {
        return Err(format!("{} names no file", path.display()));
    };
    let name = name.to_os_string();
    Ok((path, Target::File { dir, name }))
}

/// Saves the combined PEM (what `mongosh --tlsCertificateKeyFile` takes),
/// or with `split` the certificate (0644) and key (0600) apart.
pub fn save(
    pem: &IssuedPem,
    path: &Path,
    default_name: &str,
    overwrite: bool,
    split: bool,
) -> SaveOutcome {
    let target = match target(path) {
        Ok((dir, Target::Dir(_))) => dir.join(default_name),
        Ok((file, Target::File { .. })) => file,
        Err(why) => return SaveOutcome::Failed(path.to_path_buf(), why),
    };
    if split {
        return save_split(pem, &target, overwrite);
    }
    match write_new(pem.expose().as_bytes(), &target, overwrite, 0o600) {
        Ok(true) => SaveOutcome::Saved(vec![target]),
        Ok(false) => SaveOutcome::Exists(target),
        Err(why) => SaveOutcome::Failed(target, why),
    }
}

/// `alice-1.pem` → (`alice-1.crt`, `alice-1.key`); a name without a known
/// extension keeps its dots (`svc.orders` → `svc.orders.crt`).
pub fn split_paths(target: &Path) -> (PathBuf, PathBuf) {
    let known = target
        .extension()
        .is_some_and(|e| matches!(e.to_str(), Some("pem" | "crt" | "key")));
    let stem = if known {
        target.with_extension("")
    } else {
        target.to_path_buf()
    };
    let with = |ext: &str| {
        let mut s = stem.clone().into_os_string();
        s.push(ext);
        PathBuf::from(s)
    };
    (with(".crt"), with(".key"))
}

fn save_split(pem: &IssuedPem, target: &Path, overwrite: bool) -> SaveOutcome {
    let (crt, key) = split_paths(target);
    let (Some(cert_pem), Some(key_pem)) = (pem.certificate_pem(), pem.private_key_pem()) else {
        return SaveOutcome::Failed(
            target.to_path_buf(),
            "Atlas's answer lacks a certificate or a key to split; save it whole instead".into(),
        );
    };
    if !overwrite {
        for p in [&key, &crt] {
            if fs::symlink_metadata(p).is_ok() {
                return SaveOutcome::Exists(p.clone());
            }
        }
    }
    for (path, text, mode) in [(&key, key_pem, 0o600), (&crt, cert_pem, 0o644)] {
        let body = zeroize::Zeroizing::new(format!("{text}\n"));
        match write_new(body.as_bytes(), path, overwrite, mode) {
            Ok(true) => {}
            Ok(false) => return SaveOutcome::Exists(path.clone()),
            Err(why) => return SaveOutcome::Failed(path.clone(), why),
        }
    }
    SaveOutcome::Saved(vec![crt, key])
}

/// `Ok(false)` when the target exists and `overwrite` is off. The
/// directory is opened once and the file made through that handle.
pub fn write_new(bytes: &[u8], target: &Path, overwrite: bool, mode: u32) -> Result<bool, String> {
    let name = target.file_name().ok_or("that path names no file")?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = OpenDir::open(&dir).map_err(|e| match e.raw_os_error() {
        Some(libc::ENOENT | libc::ENOTDIR) => {
            format!("the directory {} does not exist", dir.display())
        }
        _ => format!(
            "the directory {}: {}",
            dir.display(),
            super::os_error::reason(e)
        ),
    })?;
    dir.write_new(name, bytes, overwrite, mode)
}

/// The combined PEM as `name` in a directory opened earlier.
pub fn save_in(
    pem: &IssuedPem,
    dir: &OpenDir,
    name: &std::ffi::OsStr,
    overwrite: bool,
) -> SaveOutcome {
    let path = dir.path().join(name);
    match dir.write_new(name, pem.expose().as_bytes(), overwrite, 0o600) {
        Ok(true) => SaveOutcome::Saved(vec![path]),
        Ok(false) => SaveOutcome::Exists(path),
        Err(why) => SaveOutcome::Failed(path, why),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn pem() -> IssuedPem {
        IssuedPem::new("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n".into())
    }

    #[test]
    fn writes_0600_and_never_clobbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pem");
        assert!(matches!(
            save(&pem(), &path, "x.pem", false, false),
            SaveOutcome::Saved(_)
        ));
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(fs::read_to_string(&path).unwrap(), pem().expose());
        assert!(matches!(
            save(&pem(), &path, "x.pem", false, false),
            SaveOutcome::Exists(_)
        ));
        assert!(matches!(
            save(&pem(), &path, "x.pem", true, false),
            SaveOutcome::Saved(_)
        ));
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temp files left");
    }

    #[test]
    fn directory_gets_the_default_name() {
        let dir = tempfile::tempdir().unwrap();
        let SaveOutcome::Saved(files) = save(&pem(), dir.path(), "alice-1.pem", false, false)
        else {
            panic!()
        };
        assert_eq!(files, [dir.path().join("alice-1.pem")]);
    }

    #[test]
    fn refuses_symlinks_and_missing_directories() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::write(&real, "x").unwrap();
        let link = dir.path().join("link.pem");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            save(&pem(), &link, "x", true, false),
            SaveOutcome::Failed(..)
        ));
        assert_eq!(fs::read_to_string(&real).unwrap(), "x");
        let missing = dir.path().join("nope/a.pem");
        let SaveOutcome::Failed(_, why) = save(&pem(), &missing, "x", false, false) else {
            panic!()
        };
        assert!(why.contains("does not exist"), "{why}");
    }

    #[test]
    fn split_writes_a_public_cert_and_a_private_key() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("svc.orders-9.pem");
        let SaveOutcome::Saved(files) = save(&pem(), &target, "x", false, true) else {
            panic!()
        };
        let (crt, key) = (&files[0], &files[1]);
        assert_eq!(crt, &dir.path().join("svc.orders-9.crt"));
        assert_eq!(
            fs::metadata(crt).unwrap().permissions().mode() & 0o777,
            0o644
        );
        assert_eq!(
            fs::metadata(key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(!fs::read_to_string(crt).unwrap().contains("PRIVATE"));
        assert!(
            fs::read_to_string(key)
                .unwrap()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert!(matches!(
            save(&pem(), &target, "x", false, true),
            SaveOutcome::Exists(_)
        ));
        assert_eq!(
            split_paths(Path::new("a/svc.orders")),
            (
                PathBuf::from("a/svc.orders.crt"),
                PathBuf::from("a/svc.orders.key")
            )
        );
    }

    #[test]
    fn a_refused_write_keeps_the_path_and_the_os_reason() {
        // Root ignores directory modes; as root, use sysfs, where nobody may create files.
        let uid = std::os::unix::fs::MetadataExt::uid(&fs::metadata("/proc/self").unwrap());
        let dir = tempfile::tempdir().unwrap();
        let target = if uid == 0 {
            PathBuf::from("/sys/atlas-x509-test.pem")
        } else {
            fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
            dir.path().join("a.pem")
        };
        let outcome = save(&pem(), &target, "x", false, false);
        let _ = fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700));
        let SaveOutcome::Failed(path, why) = outcome else {
            panic!("the write was refused: {outcome:?}")
        };
        assert_eq!(path, target);
        assert!(
            why.contains("permission denied") || why.contains("Read-only"),
            "{why}"
        );
    }

    #[test]
    fn tilde_expands() {
        assert_eq!(
            expand_home(Path::new("~/k.pem"), Some(Path::new("/home/u"))),
            PathBuf::from("/home/u/k.pem")
        );
        assert_eq!(
            expand_home(Path::new("./k.pem"), Some(Path::new("/home/u"))),
            PathBuf::from("./k.pem")
        );
    }
}
