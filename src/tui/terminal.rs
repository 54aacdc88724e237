//! The real terminal: modes in and out, the restore guard, the panic hook,
//! terminating signals, and telling a terminal that hung up.

use std::io::{self, Write};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::Host;

pub(super) fn enter_modes(mouse: bool) -> io::Result<()> {
    enable_raw_mode()?;
    let mut out = io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )?;
    if mouse {
        // Opt-in: capture breaks the terminal's own drag-to-select.
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}

/// Undoes everything `enter_modes` may have done; safe to call twice, and
/// from a panic hook or after a hang-up (errors are ignored).
pub fn leave_modes() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal when dropped: on return, on `?`, on unwinding.
pub(super) struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        leave_modes();
    }
}

pub(super) fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            leave_modes();
            previous(info);
        }));
    });
}

pub(super) struct RealHost {
    pub(super) mouse: bool,
}

impl Host for RealHost {
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    fn suspend(&mut self) -> io::Result<()> {
        leave_modes();
        // SAFETY: raising a signal at ourselves; the default action of
        // SIGTSTP stops the process until the shell's `fg` sends SIGCONT.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        enter_modes(self.mouse)
    }
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT, as one stream of (name, exit code).
pub(super) fn signals() -> io::Result<impl Stream<Item = (&'static str, u8)> + Unpin> {
    use tokio::signal::unix::{SignalKind, signal};
    let all = (
        signal(SignalKind::terminate())?,
        signal(SignalKind::hangup())?,
        signal(SignalKind::interrupt())?,
        signal(SignalKind::quit())?,
    );
    Ok(Box::pin(futures_util::stream::unfold(
        all,
        |(mut term, mut hup, mut int, mut quit)| async move {
            let got = tokio::select! {
                _ = term.recv() => ("SIGTERM", 128 + 15),
                _ = hup.recv() => ("SIGHUP", 128 + 1),
                _ = int.recv() => ("SIGINT", 128 + 2),
                _ = quit.recv() => ("SIGQUIT", 128 + 3),
            };
            Some((got, (term, hup, int, quit)))
        },
    )))
}

/// ratatui's `Terminal` shows the cursor when dropped and prints to stderr
/// when it cannot; with the terminal gone that print panics. The modes were
/// already restored: when the cursor cannot be shown, the terminal is gone
/// and the value is left unfreed (the process is ending) rather than dropped.
pub(super) fn let_go<B: Backend>(mut terminal: Terminal<B>) {
    if terminal.show_cursor().is_err() {
        std::mem::forget(terminal);
    }
}

/// Is `fd` a terminal that hung up (window closed, SSH dropped, tmux
/// killed)? Writes to it fail, and a message meant for it reaches nobody.
pub(super) fn hung_up(fd: i32) -> bool {
    let mut p = [libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    }];
    // SAFETY: one valid pollfd, no wait.
    let n = unsafe { libc::poll(p.as_mut_ptr(), 1, 0) };
    n > 0 && p[0].revents & (libc::POLLHUP | libc::POLLERR) != 0
}

/// The terminal is gone: stdin, stdout and stderr are pointed at
/// /dev/null, so no later write (ours, a library's, a panic's) can fail,
/// block or panic on it.
pub(super) fn detach_if_hung_up() {
    let gone: Vec<i32> = [0, 1, 2].into_iter().filter(|fd| hung_up(*fd)).collect();
    if gone.is_empty() {
        return;
    }
    tracing::warn!(?gone, "the terminal is gone");
    // SAFETY: open and dup2 on descriptors this process owns; the /dev/null
    // descriptor is closed again after being copied.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC);
        if null < 0 {
            return;
        }
        for fd in gone {
            libc::dup2(null, fd);
        }
        libc::close(null);
    }
}
