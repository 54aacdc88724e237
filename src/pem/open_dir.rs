//! A directory opened once and written through its handle. A path checked
//! and then written by name can be swapped in between (for a symlink to a
//! world-writable directory, say); a handle cannot, and every file made
//! through it is created beside it with `openat`/`linkat`/`renameat`,
//! never following a link.

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct OpenDir {
    fd: OwnedFd,
    path: PathBuf,
    dev: u64,
    ino: u64,
    mode: u32,
}

// mode_t is u32 on Linux and u16 on macOS: one cast, here.
#[allow(clippy::unnecessary_cast)]
const IFMT: u32 = libc::S_IFMT as u32;
#[allow(clippy::unnecessary_cast)]
const IFLNK: u32 = libc::S_IFLNK as u32;
#[allow(clippy::unnecessary_cast)]
const IFDIR: u32 = libc::S_IFDIR as u32;

fn last_os_error() -> std::io::Error {
    std::io::Error::last_os_error()
}

fn c_name(name: &OsStr) -> Result<CString, String> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes == b"." || bytes == b".." || bytes.contains(&b'/') {
        return Err(format!(
            "{:?} is not a file name",
            atlas_client::sanitize::line(&name.to_string_lossy(), 80)
        ));
    }
    CString::new(bytes).map_err(|_| "a file name holds a NUL byte".to_string())
}

fn stat_of(st: &libc::stat) -> (u64, u64, u32) {
    #[allow(clippy::unnecessary_cast)] // the field widths differ by system
    (st.st_dev as u64, st.st_ino as u64, st.st_mode as u32)
}

impl OpenDir {
    /// Opens `path` (following it once, as the user named it) as a
    /// directory; its mode and identity are read from the handle.
    pub fn open(path: &Path) -> std::io::Result<OpenDir> {
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        // SAFETY: `c` is a valid NUL-terminated string for the call.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(last_os_error());
        }
        // SAFETY: `fd` was just returned by open and is owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: an all-zero stat is a valid value to be overwritten.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `fd` is open and `st` is writable.
        if unsafe { libc::fstat(fd.as_raw_fd(), &mut st) } != 0 {
            return Err(last_os_error());
        }
        let (dev, ino, mode) = stat_of(&st);
        Ok(OpenDir {
            fd,
            path: path.to_path_buf(),
            dev,
            ino,
            mode: mode & 0o7777,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Permission bits, of the directory that was opened.
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// Whether the path still names the directory opened: moved away or
    /// replaced (by a symlink or another directory), it does not.
    pub fn still_there(&self) -> Result<(), String> {
        let moved = || {
            format!(
                "{} is no longer the directory checked at the start (moved or replaced meanwhile), so nothing is written through it",
                self.path.display()
            )
        };
        let c = CString::new(self.path.as_os_str().as_bytes()).map_err(|_| moved())?;
        // SAFETY: as in `open`.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is NUL-terminated and `st` writable.
        if unsafe { libc::stat(c.as_ptr(), &mut st) } != 0 {
            return Err(moved());
        }
        let (dev, ino, _) = stat_of(&st);
        if (dev, ino) == (self.dev, self.ino) {
            Ok(())
        } else {
            Err(moved())
        }
    }

    /// What `name` is inside the directory, not following a link.
    fn kind_of(&self, name: &CString) -> Option<u32> {
        // SAFETY: as in `open`.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: the handle is open, `name` NUL-terminated, `st` writable.
        let r = unsafe {
            libc::fstatat(
                self.fd.as_raw_fd(),
                name.as_ptr(),
                &mut st,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        (r == 0).then(|| stat_of(&st).2 & IFMT)
    }

    /// Writes `bytes` to `name` in this directory: a temporary file made
    /// with `mode` from creation, synced, then linked (never replacing) or,
    /// with `overwrite`, renamed over. `Ok(false)`: it exists.
    pub fn write_new(
        &self,
        name: &OsStr,
        bytes: &[u8],
        overwrite: bool,
        mode: u32,
    ) -> Result<bool, String> {
        let target = c_name(name)?;
        self.still_there()?;
        match self.kind_of(&target) {
            Some(k) if k == IFLNK => {
                return Err("it is a symbolic link; refusing to follow it".into());
            }
            Some(k) if k == IFDIR => return Err("it is a directory".into()),
            Some(_) if !overwrite => return Ok(false),
            _ => {}
        }
        let mut rnd = [0u8; 6];
        getrandom::fill(&mut rnd).map_err(|e| e.to_string())?;
        let suffix: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
        let tmp = c_name(OsStr::new(&format!(
            ".{}.{suffix}.tmp",
            name.to_string_lossy()
        )))?;
        let dir = self.fd.as_raw_fd();
        // SAFETY: the handle is open and `tmp` NUL-terminated.
        let fd = unsafe {
            libc::openat(
                dir,
                tmp.as_ptr(),
                libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                mode as libc::c_uint,
            )
        };
        if fd < 0 {
            return Err(super::os_error::reason(last_os_error()));
        }
        // SAFETY: `fd` was just returned by openat and is owned here only.
        let mut f = unsafe { File::from_raw_fd(fd) };
        let result = (|| {
            f.write_all(bytes).map_err(super::os_error::reason)?;
            f.sync_all().map_err(super::os_error::reason)?;
            // SAFETY: both names are NUL-terminated, the handle is open.
            let r = unsafe {
                if overwrite {
                    libc::renameat(dir, tmp.as_ptr(), dir, target.as_ptr())
                } else {
                    // A link fails if the target appeared meanwhile.
                    libc::linkat(dir, tmp.as_ptr(), dir, target.as_ptr(), 0)
                }
            };
            if r != 0 {
                let e = last_os_error();
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    return Ok(false);
                }
                return Err(super::os_error::reason(e));
            }
            Ok(true)
        })();
        drop(f);
        // SAFETY: as above; after a rename the name is gone and this fails
        // harmlessly.
        unsafe {
            libc::unlinkat(dir, tmp.as_ptr(), 0);
            libc::fsync(dir);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn writes_beside_the_handle_even_when_the_path_is_swapped() {
        let root = tempfile::tempdir().unwrap();
        let keys = root.path().join("keys");
        std::fs::create_dir(&keys).unwrap();
        let d = OpenDir::open(&keys).unwrap();
        assert!(
            d.write_new(OsStr::new("a.pem"), b"A", false, 0o600)
                .unwrap()
        );
        assert!(
            !d.write_new(OsStr::new("a.pem"), b"B", false, 0o600)
                .unwrap()
        );
        assert_eq!(std::fs::read(keys.join("a.pem")).unwrap(), b"A");
        let mode = std::fs::metadata(keys.join("a.pem")).unwrap().permissions();
        assert_eq!(mode.mode() & 0o777, 0o600);

        // Swapped for a symlink to an open directory: refused, and nothing
        // lands in the open one.
        let open = root.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::rename(&keys, root.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(&open, &keys).unwrap();
        let e = d
            .write_new(OsStr::new("b.pem"), b"B", false, 0o600)
            .unwrap_err();
        assert!(e.contains("no longer the directory"), "{e}");
        assert_eq!(std::fs::read_dir(&open).unwrap().count(), 0);
    }

    #[test]
    fn links_and_odd_names_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let d = OpenDir::open(root.path()).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.path().join("l.pem")).unwrap();
        let e = d
            .write_new(OsStr::new("l.pem"), b"A", true, 0o600)
            .unwrap_err();
        assert!(e.contains("symbolic link"), "{e}");
        for bad in ["", "..", "a/b"] {
            assert!(d.write_new(OsStr::new(bad), b"A", false, 0o600).is_err());
        }
        let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }
}
