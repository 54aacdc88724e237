//! Writing a key file: mode 0600 from creation, a temp file in the target
//! directory, fsync, then an atomic link/rename — never a half-written key,
//! never a followed symlink, never a silent overwrite.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::app::SaveOutcome;
use crate::atlas::IssuedPem;

/// `~` and `~/…` expand to `$HOME`.
pub fn expand_home(path: &Path, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

pub fn save(pem: &IssuedPem, path: &Path, default_name: &str, overwrite: bool) -> SaveOutcome {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut target = expand_home(path, home.as_deref());
    if target.is_dir() {
        target = target.join(default_name);
    }
    match write_new(pem.expose().as_bytes(), &target, overwrite, 0o600) {
        Ok(true) => SaveOutcome::Saved(target),
        Ok(false) => SaveOutcome::Exists(target),
        Err(why) => SaveOutcome::Failed(target, why),
    }
}

/// `Ok(false)` when the target exists and `overwrite` is off.
pub fn write_new(bytes: &[u8], target: &Path, overwrite: bool, mode: u32) -> Result<bool, String> {
    let name = target.file_name().ok_or("that path names no file")?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(format!("the directory {} does not exist", dir.display()));
    }
    match fs::symlink_metadata(target) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err("it is a symbolic link; refusing to follow it".into());
        }
        Ok(m) if m.is_dir() => return Err("it is a directory".into()),
        Ok(_) if !overwrite => return Ok(false),
        _ => {}
    }
    let mut rnd = [0u8; 6];
    getrandom::fill(&mut rnd).map_err(|e| e.to_string())?;
    let suffix: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
    let tmp = dir.join(format!(".{}.{suffix}.tmp", name.to_string_lossy()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)
            .map_err(os_reason)?;
        f.write_all(bytes).map_err(os_reason)?;
        f.sync_all().map_err(os_reason)?;
        drop(f);
        if overwrite {
            fs::rename(&tmp, target).map_err(os_reason)?;
        } else {
            // A hard link fails if the target appeared meanwhile: no race can clobber it.
            match fs::hard_link(&tmp, target) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
                Err(e) => return Err(os_reason(e)),
            }
        }
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(true)
    })();
    let _ = fs::remove_file(&tmp);
    result
}

fn os_reason(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => format!("permission denied ({e})"),
        _ => e.to_string(),
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
            save(&pem(), &path, "x.pem", false),
            SaveOutcome::Saved(_)
        ));
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(fs::read_to_string(&path).unwrap(), pem().expose());
        assert!(matches!(
            save(&pem(), &path, "x.pem", false),
            SaveOutcome::Exists(_)
        ));
        assert!(matches!(
            save(&pem(), &path, "x.pem", true),
            SaveOutcome::Saved(_)
        ));
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temp files left");
    }

    #[test]
    fn directory_gets_the_default_name() {
        let dir = tempfile::tempdir().unwrap();
        let SaveOutcome::Saved(p) = save(&pem(), dir.path(), "alice-1.pem", false) else {
            panic!()
        };
        assert_eq!(p, dir.path().join("alice-1.pem"));
    }

    #[test]
    fn refuses_symlinks_and_missing_directories() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::write(&real, "x").unwrap();
        let link = dir.path().join("link.pem");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            save(&pem(), &link, "x", true),
            SaveOutcome::Failed(..)
        ));
        assert_eq!(fs::read_to_string(&real).unwrap(), "x");
        let missing = dir.path().join("nope/a.pem");
        let SaveOutcome::Failed(_, why) = save(&pem(), &missing, "x", false) else {
            panic!()
        };
        assert!(why.contains("does not exist"), "{why}");
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
