//! The key written to stdout with a deadline. A reader that never reads (a
//! full pipe, a terminal stopped with Ctrl-S) would otherwise hold the
//! process, and the only copy of the key, without bound.

use std::io::Write;
use std::os::fd::FromRawFd;
use std::time::Duration;

use zeroize::Zeroizing;

/// How long a key with no file may wait for stdout before stderr is tried.
pub const FALLBACK_DEADLINE: Duration = Duration::from_secs(30);

/// `Err` says why stdout did not take the whole key in time; what reached
/// it then is at most a part.
pub fn to_stdout(text: &str, deadline: Duration) -> Result<(), String> {
    // Written through a descriptor of its own, not std's locked stdout: a
    // thread left blocked here must not hold a lock the exit path wants.
    // SAFETY: dup of fd 1; the new descriptor is owned by the File below.
    let fd = unsafe { libc::dup(libc::STDOUT_FILENO) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    // SAFETY: `fd` was just returned by dup and nothing else owns it.
    let mut f = unsafe { std::fs::File::from_raw_fd(fd) };
    let bytes = Zeroizing::new(text.as_bytes().to_vec());
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let r = f.write_all(&bytes).and_then(|()| f.flush());
        let _ = tx.send(r.map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(deadline) {
        Ok(r) => r,
        Err(_) => Err(format!(
            "stdout did not take the whole key within {} s (is anything reading it?)",
            deadline.as_secs()
        )),
    }
}

/// Why a key written to `fd` would reach nobody: the descriptor is closed,
/// or it is /dev/null (what a runtime reopens a closed stdout on, and where
/// the TUI points its streams once the terminal is gone).
pub fn nowhere(fd: i32) -> Option<&'static str> {
    // SAFETY: fstat and stat fill the zeroed structs; the path is a valid
    // C string.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0 {
            return Some("is closed");
        }
        let mut null: libc::stat = std::mem::zeroed();
        let is_chr = st.st_mode & libc::S_IFMT == libc::S_IFCHR;
        if is_chr && libc::stat(c"/dev/null".as_ptr(), &mut null) == 0 && st.st_rdev == null.st_rdev
        {
            return Some("is /dev/null");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsRawFd;

    #[test]
    fn dev_null_and_closed_descriptors_reach_nobody() {
        let null = std::fs::File::open("/dev/null").unwrap();
        assert_eq!(super::nowhere(null.as_raw_fd()), Some("is /dev/null"));
        let file = tempfile::tempfile().unwrap();
        assert_eq!(super::nowhere(file.as_raw_fd()), None);
        let fd = file.as_raw_fd();
        drop(file);
        assert_eq!(super::nowhere(fd), Some("is closed"));
    }
}
