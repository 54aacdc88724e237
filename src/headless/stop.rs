//! Terminating signals in the headless commands that hold keys. A key that
//! Atlas has issued exists nowhere else, so a signal never ends the process
//! at once: it stops new work, and the command finishes the key in hand
//! (the answer it is waiting for, the write it is making) before it exits
//! 128+n. The first signal asks for that; a second is told what is still
//! being finished; only a third gives up waiting for an answer. A write is
//! never cut: the handlers below replace the default action, so the process
//! ends only where the command returns.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

use tokio::sync::watch;

/// How many signals it takes to give up waiting for Atlas's answer.
pub const GIVE_UP_AFTER: usize = 3;

#[derive(Clone)]
pub struct Stop {
    first: Arc<AtomicI32>,
    count: Arc<AtomicUsize>,
    changed: watch::Receiver<usize>,
}

impl Stop {
    /// Takes over SIGTERM, SIGINT, SIGHUP and SIGQUIT for the rest of the
    /// process. Must run inside the runtime.
    pub fn install() -> std::io::Result<Self> {
        let (tx, rx) = watch::channel(0usize);
        let stop = Stop {
            first: Arc::new(AtomicI32::new(0)),
            count: Arc::new(AtomicUsize::new(0)),
            changed: rx,
        };
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let kinds = [
                (libc::SIGTERM, SignalKind::terminate()),
                (libc::SIGINT, SignalKind::interrupt()),
                (libc::SIGHUP, SignalKind::hangup()),
                (libc::SIGQUIT, SignalKind::quit()),
            ];
            let tx = Arc::new(tx);
            for (n, kind) in kinds {
                let mut s = signal(kind)?;
                let (first, count, tx) = (stop.first.clone(), stop.count.clone(), tx.clone());
                tokio::spawn(async move {
                    while s.recv().await.is_some() {
                        let _ = first.compare_exchange(0, n, Ordering::SeqCst, Ordering::SeqCst);
                        let c = count.fetch_add(1, Ordering::SeqCst) + 1;
                        tx.send_replace(c);
                    }
                });
            }
        }
        #[cfg(not(unix))]
        {
            let tx = Arc::new(tx);
            let (first, count) = (stop.first.clone(), stop.count.clone());
            tokio::spawn(async move {
                while tokio::signal::ctrl_c().await.is_ok() {
                    let _ = first.compare_exchange(0, 2, Ordering::SeqCst, Ordering::SeqCst);
                    let c = count.fetch_add(1, Ordering::SeqCst) + 1;
                    tx.send_replace(c);
                }
            });
        }
        Ok(stop)
    }

    /// A stop that no signal reaches (tests, dry runs in-process).
    pub fn never() -> Self {
        let (tx, rx) = watch::channel(0usize);
        std::mem::forget(tx);
        Stop {
            first: Arc::new(AtomicI32::new(0)),
            count: Arc::new(AtomicUsize::new(0)),
            changed: rx,
        }
    }

    /// The first signal received, if any.
    pub fn signal(&self) -> Option<i32> {
        match self.first.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n),
        }
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Resolves once more than `seen` signals have arrived.
    pub async fn after(&self, seen: usize) {
        let mut rx = self.changed.clone();
        if rx.wait_for(|c| *c > seen).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Resolves once any signal has arrived (at once if one has).
    pub async fn stopped(&self) {
        self.after(0).await;
    }
}

/// `SIGTERM` for 15, and so on; the exit code is 128 + n.
pub fn name(n: i32) -> &'static str {
    match n {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

pub fn exit_code(n: i32) -> u8 {
    u8::try_from(128 + n.clamp(0, 127)).unwrap_or(255)
}

/// Awaits `fut`, a request whose answer may hold a key, through signals:
/// the first two are answered on stderr with what is being waited for;
/// the third gives up (`None`).
pub async fn finish<F: std::future::Future>(stop: &Stop, what: &str, fut: F) -> Option<F::Output> {
    tokio::pin!(fut);
    loop {
        let seen = stop.count();
        if seen >= GIVE_UP_AFTER {
            return None;
        }
        tokio::select! {
            biased;
            out = &mut fut => return Some(out),
            () = stop.after(seen) => {
                let n = stop.count();
                let sig = name(stop.signal().unwrap_or(0));
                if n < GIVE_UP_AFTER {
                    crate::say::say(&format!(
                        "{sig}: waiting for Atlas's answer to {what} so that its private key is kept, then stopping (signal {} more time(s) to give it up)",
                        GIVE_UP_AFTER - n
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_128_plus_n() {
        assert_eq!(exit_code(15), 143);
        assert_eq!(exit_code(2), 130);
        assert_eq!(exit_code(1), 129);
        assert_eq!(exit_code(3), 131);
        assert_eq!(name(15), "SIGTERM");
    }

    #[tokio::test]
    async fn a_stop_nobody_signals_lets_work_finish() {
        let s = Stop::never();
        assert_eq!(s.signal(), None);
        assert_eq!(finish(&s, "x", async { 7 }).await, Some(7));
    }
}
