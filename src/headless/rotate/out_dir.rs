//! The output directory, checked once before anything is issued.

use std::path::Path;

use crate::headless::Fail;
use crate::pem::open_dir::OpenDir;

/// The directory must exist and be private before anything is issued:
/// keys written into a world-readable directory are not private.
/// Opens the out-dir once: its mode is checked on the handle, and every
/// key is written through it, so a directory swapped in later gets none.
pub(super) fn check_out_dir(dir: &Path) -> Result<OpenDir, Fail> {
    let d = OpenDir::open(dir).map_err(|e| {
        Fail::Usage(match e.raw_os_error() {
            Some(libc::ENOTDIR) => format!("{} is not a directory", dir.display()),
            Some(libc::ENOENT) => format!(
                "{}: no such directory (it is not created for you: mkdir -m 0700 it first)",
                dir.display()
            ),
            _ => atlas_client::os_error::about(dir, &e),
        })
    })?;
    let mode = d.mode() & 0o777;
    if mode & 0o007 != 0 {
        return Err(Fail::Usage(format!(
            "{} is open to every user (mode {mode:03o}): private keys do not go there; chmod o-rwx it first",
            dir.display()
        )));
    }
    // 0750 lets a service's group read the keys; group write would let
    // it replace them.
    if mode & 0o020 != 0 {
        return Err(Fail::Usage(format!(
            "{} is writable by its group (mode {mode:03o}): use 0700 or 0750 (chmod g-w)",
            dir.display()
        )));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn open_directories_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let e = check_out_dir(d.path()).unwrap_err();
        assert!(
            e.message().contains("open to every user"),
            "{}",
            e.message()
        );
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o770)).unwrap();
        assert!(check_out_dir(d.path()).is_err(), "group-writable");
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
        assert!(check_out_dir(d.path()).is_ok());
        assert!(check_out_dir(&d.path().join("missing")).is_err());
    }
}
