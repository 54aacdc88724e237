//! The real binary, run as a user would: a clean home, the given
//! environment, and its exit code, output, peak memory and time measured.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test; `ATLAS_X509_BIN` points the suite at another
/// build (an older one, to see which cases it fails).
pub fn path() -> PathBuf {
    std::env::var_os("ATLAS_X509_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_atlas-x509")))
}

pub struct Out {
    pub code: i32,
    /// The signal that ended it, when it did not exit by itself.
    pub killed_by: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub peak_rss_kib: u64,
    pub elapsed: Duration,
}

impl Out {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Never a panic, whatever the server did.
    pub fn assert_no_panic(&self) {
        assert!(
            !self.err().contains("panicked") && self.code != 101,
            "panic: {}",
            self.err()
        );
    }
}

/// Where stdout goes.
pub enum Stdout {
    Piped,
    /// A pipe whose reading end is closed before the program writes.
    Closed,
    /// `/dev/full`: every write fails with ENOSPC.
    Full,
    /// A pipe already full that nobody reads: a write blocks for ever.
    Stuck,
    /// `/dev/null`: what the runtime reopens a closed stdout (`>&-`) on.
    Null,
}

/// A pipe whose buffer is filled before the child gets its writing end;
/// the reading end is kept open (so writes block rather than fail) and
/// never read.
fn stuck_pipe() -> (std::os::fd::OwnedFd, std::os::fd::OwnedFd) {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two new descriptors, owned below.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let (r, w) = unsafe {
        (
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        )
    };
    let chunk = [b'.'; 4096];
    // SAFETY: plain fcntl and write calls on the descriptor just made.
    unsafe {
        let flags = libc::fcntl(fds[1], libc::F_GETFL);
        libc::fcntl(fds[1], libc::F_SETFL, flags | libc::O_NONBLOCK);
        while libc::write(fds[1], chunk.as_ptr().cast(), chunk.len()) > 0 {}
        // Single bytes fill the last partial page too.
        while libc::write(fds[1], chunk.as_ptr().cast(), 1) > 0 {}
        libc::fcntl(fds[1], libc::F_SETFL, flags);
    }
    (r, w)
}

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    /// A directory for keys in the home, mode 0700.
    pub fn private_dir(&self, name: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let d = self.path().join(name);
        std::fs::create_dir(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        d
    }

    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn rescue_dir(&self) -> PathBuf {
        self.path().join("state/atlas-x509/rescue")
    }

    pub fn rescued(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.rescue_dir())
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path().join("state/atlas-x509/atlas-x509.log"))
            .unwrap_or_default()
    }

    pub fn run(&self, env: &[(&str, &str)], args: &[&str]) -> Out {
        self.run_with(env, args, Stdout::Piped)
    }

    pub fn run_with(&self, env: &[(&str, &str)], args: &[&str], stdout: Stdout) -> Out {
        self.spawn_with(env, args, stdout).wait()
    }

    /// Started and left running: to be signalled, then waited for.
    pub fn spawn(&self, env: &[(&str, &str)], args: &[&str]) -> Running {
        self.spawn_with(env, args, Stdout::Piped)
    }

    fn spawn_with(&self, env: &[(&str, &str)], args: &[&str], stdout: Stdout) -> Running {
        let mut c = Command::new(path());
        c.args(args)
            .env_clear()
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join(".config"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(self.path())
            .stdin(Stdio::null())
            .stderr(Stdio::piped());
        let mut stuck_reader = None;
        c.stdout(match stdout {
            Stdout::Piped | Stdout::Closed => Stdio::piped(),
            Stdout::Full => Stdio::from(std::fs::File::create("/dev/full").unwrap()),
            Stdout::Null => Stdio::null(),
            Stdout::Stuck => {
                let (r, w) = stuck_pipe();
                stuck_reader = Some(r);
                Stdio::from(w)
            }
        });
        for (k, v) in env {
            c.env(k, v);
        }
        // As a terminal starts it: a test run as a background job (cron,
        // `cmd &` without job control) would hand down SIGINT and SIGQUIT
        // ignored, and the signals the tests send would do nothing.
        // SAFETY: signal() is async-signal-safe; nothing else runs here.
        unsafe {
            use std::os::unix::process::CommandExt;
            c.pre_exec(|| {
                for sig in [libc::SIGINT, libc::SIGQUIT, libc::SIGHUP, libc::SIGTERM] {
                    libc::signal(sig, libc::SIG_DFL);
                }
                Ok(())
            });
        }
        let started = Instant::now();
        // Reaped by wait4 in `Running::wait`, which also gives the peak memory.
        #[allow(clippy::zombie_processes)]
        let mut child = c.spawn().unwrap();
        let out_pipe = child.stdout.take();
        let out_so_far = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let out_reader = match stdout {
            Stdout::Closed => {
                drop(out_pipe);
                None
            }
            _ => out_pipe.map(|p| pump(p, out_so_far.clone())),
        };
        let err_so_far = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let err_reader = pump(child.stderr.take().unwrap(), err_so_far.clone());
        Running {
            pid: child.id() as i32,
            started,
            out_reader,
            err_reader,
            err_so_far,
            out_so_far,
            _stuck_reader: stuck_reader,
        }
    }
}

type Shared = std::sync::Arc<std::sync::Mutex<Vec<u8>>>;

/// Reads a pipe to its end, keeping what has come so far readable.
fn pump(mut pipe: impl Read + Send + 'static, so_far: Shared) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => so_far.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
        std::mem::take(&mut *so_far.lock().unwrap())
    })
}

fn wait_for_text(so_far: &Shared, which: &str, needle: &str, times: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = String::from_utf8_lossy(&so_far.lock().unwrap()).into_owned();
        if text.matches(needle).count() >= times {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{which} never said {needle:?} {times} time(s): {text}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A binary still running.
pub struct Running {
    pub pid: i32,
    started: Instant,
    out_reader: Option<std::thread::JoinHandle<Vec<u8>>>,
    err_reader: std::thread::JoinHandle<Vec<u8>>,
    err_so_far: Shared,
    out_so_far: Shared,
    _stuck_reader: Option<std::os::fd::OwnedFd>,
}

impl Running {
    pub fn signal(&self, sig: i32) {
        // SAFETY: a signal to our own child, not yet reaped.
        assert_eq!(unsafe { libc::kill(self.pid, sig) }, 0, "kill");
    }

    /// Sends `sig` and returns once the kernel has delivered it (nothing
    /// pending for the process): what happens next is the program's doing,
    /// not the scheduler's.
    pub fn signal_delivered(&self, sig: i32) {
        self.signal(sig);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let status =
                std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
            let pending = status
                .lines()
                .filter(|l| l.starts_with("SigPnd:") || l.starts_with("ShdPnd:"))
                .any(|l| {
                    let mask = u64::from_str_radix(l.split_whitespace().nth(1).unwrap_or("0"), 16)
                        .unwrap_or(0);
                    mask & (1 << (sig - 1)) != 0
                });
            if !pending {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "signal {sig} never delivered"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Returns once stderr holds `needle` at least `times` times: the
    /// program's own word that it got somewhere, instead of a sleep.
    pub fn wait_for_stderr(&self, needle: &str, times: usize) {
        wait_for_text(&self.err_so_far, "stderr", needle, times);
    }

    /// As `wait_for_stderr`, for stdout.
    pub fn wait_for_stdout(&self, needle: &str, times: usize) {
        wait_for_text(&self.out_so_far, "stdout", needle, times);
    }

    pub fn wait(self) -> Out {
        let (code, peak_rss_kib, killed_by) = wait_with_rusage(self.pid);
        Out {
            code,
            killed_by,
            stdout: self
                .out_reader
                .map(|r| r.join().unwrap())
                .unwrap_or_default(),
            stderr: self.err_reader.join().unwrap(),
            peak_rss_kib,
            elapsed: self.started.elapsed(),
        }
    }
}

/// Exit code (128 + signal when killed), the child's own peak RSS, and the
/// signal that killed it (None when it exited by itself).
fn wait_with_rusage(pid: i32) -> (i32, u64, Option<i32>) {
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for this child only.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let (code, killed_by) = if libc::WIFEXITED(status) {
        (libc::WEXITSTATUS(status), None)
    } else {
        (128 + libc::WTERMSIG(status), Some(libc::WTERMSIG(status)))
    };
    (code, usage.ru_maxrss.max(0) as u64, killed_by)
}
