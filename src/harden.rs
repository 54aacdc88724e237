//! Process-wide protections for a program that holds private keys and
//! bearer tokens in memory: no core file (a SIGQUIT or a crash would write
//! them to disk), and on Linux no ptrace or /proc/PID/mem by other
//! processes of the same user.

/// Called first thing in `main`. Best effort: each failure is returned,
/// none stops the program.
pub fn no_core_dumps() -> Vec<String> {
    let mut problems = vec![];
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass and nothing else.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } != 0 {
            problems.push(format!("RLIMIT_CORE: {}", std::io::Error::last_os_error()));
        }
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            problems.push(format!(
                "PR_SET_DUMPABLE: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    #[cfg(target_os = "macos")]
    {
        // PT_DENY_ATTACH: no debugger attaches, and no core of us is taken.
        // SAFETY: ptrace with PT_DENY_ATTACH takes no pointers.
        unsafe {
            libc::ptrace(libc::PT_DENY_ATTACH, 0, std::ptr::null_mut(), 0);
        }
    }
    problems
}

/// Whether this process may dump core (for `config show` and tests).
pub fn dumpable() -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: PR_GET_DUMPABLE takes no pointer arguments.
        if unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) } == 0 {
            return false;
        }
    }
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit writes into the struct we own.
        if unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut lim) } == 0 && lim.rlim_cur == 0 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn after_it_no_core_can_be_written() {
        assert!(super::no_core_dumps().is_empty());
        assert!(!super::dumpable());
    }
}
