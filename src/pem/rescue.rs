//! The last place a key can go. When a PEM cannot be written where it was
//! asked for (or the program must end before the user saved it), it goes to
//! a 0600 file in `$XDG_STATE_HOME/atlas-x509/rescue/`, and the user is told
//! where. nano's emergency save is the model.

use std::fs::DirBuilder;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::save::write_new;
use atlas_client::IssuedPem;

pub fn dir() -> Option<PathBuf> {
    crate::dirs::state_dir().map(|d| d.join("rescue"))
}

/// Writes `pem` under `dir` (or the default rescue directory) as
/// `<utc-time>-<label>.pem`, never replacing a file. Returns the path.
pub fn write(pem: &IssuedPem, label: &str, dir_override: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match dir_override {
        Some(d) => d.to_path_buf(),
        None => dir().ok_or("no state directory: HOME and XDG_STATE_HOME are unset")?,
    };
    // Said as it is: a symlink is not "missing", a file is not "full".
    let what_is_there = |dir: &Path| match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => Some(format!(
            "{} is a symbolic link; a rescue directory must be a real directory",
            dir.display()
        )),
        Ok(m) if !m.is_dir() => Some(format!(
            "{} is {}, not a directory",
            dir.display(),
            kind_of(&m.file_type())
        )),
        _ => None,
    };
    if let Some(why) = what_is_there(&dir) {
        return Err(why);
    }
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| {
            dir.ancestors()
                .skip(1)
                .find(|a| std::fs::symlink_metadata(a).is_ok_and(|m| m.is_file()))
                .map(|a| format!("{} is a file, not a directory", a.display()))
                .unwrap_or_else(|| format!("{}: {e}", dir.display()))
        })?;
    let meta = std::fs::symlink_metadata(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    // A rescue directory others can read would defeat the point.
    // SAFETY: geteuid has no preconditions and cannot fail.
    if meta.permissions().mode() & 0o077 != 0 && meta.uid() == unsafe { libc::geteuid() } {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    }
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let safe = crate::pem::file_name_safe(label);
    for n in 0..100u32 {
        let name = if n == 0 {
            format!("{stamp}-{safe}.pem")
        } else {
            format!("{stamp}-{safe}-{n}.pem")
        };
        let path = dir.join(name);
        match write_new(pem.expose().as_bytes(), &path, false, 0o600) {
            Ok(true) => return Ok(path),
            Ok(false) => continue,
            Err(why) => return Err(format!("{}: {why}", path.display())),
        }
    }
    Err(format!(
        "{}: too many rescue files this second",
        dir.display()
    ))
}

/// What a path that should be a directory is instead, in words.
fn kind_of(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "a file"
    }
}

/// The rescue files waiting to be dealt with, oldest first.
pub fn waiting(dir_override: Option<&Path>) -> Vec<PathBuf> {
    let Some(dir) = dir_override.map(Path::to_path_buf).or_else(dir) else {
        return vec![];
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "pem"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescue_files_are_private_and_never_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("deep/rescue");
        let pem =
            IssuedPem::new("-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n".into());
        let a = write(&pem, "CN=app,O=acme", Some(&target)).unwrap();
        let b = write(&pem, "CN=app,O=acme", Some(&target)).unwrap();
        assert_ne!(a, b);
        for p in [&a, &b] {
            assert_eq!(
                std::fs::metadata(p).unwrap().permissions().mode() & 0o777,
                0o600
            );
            assert_eq!(std::fs::read_to_string(p).unwrap(), pem.expose());
        }
        assert_eq!(
            std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert!(
            a.file_name()
                .unwrap()
                .to_string_lossy()
                .contains("CN_app_O_acme")
        );
        assert_eq!(waiting(Some(&target)).len(), 2);
    }

    #[test]
    fn a_fifo_in_the_rescue_directorys_place_is_called_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("rescue");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let pem = IssuedPem::new("K".into());
        let e = write(&pem, "x", Some(&fifo)).unwrap_err();
        assert!(e.contains("is a FIFO (named pipe), not a directory"), "{e}");
    }
}
