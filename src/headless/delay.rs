//! `--random-delay`: a fleet of cron jobs spread over a window instead of
//! reaching Atlas's rate buckets at the same second (certbot's habit).

use std::io::IsTerminal;
use std::time::Duration;

use super::Fail;
use super::stop::Stop;

/// The wait for a `max`, or none on a terminal (someone is watching).
/// `rnd` is a random number; the wait is uniform over `0..=max`, in ms.
pub fn chosen(max: Duration, on_terminal: bool, rnd: u64) -> Option<Duration> {
    if on_terminal || max.is_zero() {
        return None;
    }
    let span = u64::try_from(max.as_millis())
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    Some(Duration::from_millis(rnd % span))
}

/// Waits before the first request, said on stderr; a terminating signal
/// ends the wait (and the run: nothing was sent).
pub async fn before_first_request(max: Option<Duration>, stop: Option<&Stop>) -> Result<(), Fail> {
    let Some(max) = max else {
        return Ok(());
    };
    let mut rnd = [0u8; 8];
    getrandom::fill(&mut rnd).map_err(|e| Fail::Io(format!("random: {e}")))?;
    let on_terminal = std::io::stdin().is_terminal();
    let Some(wait) = chosen(max, on_terminal, u64::from_le_bytes(rnd)) else {
        if on_terminal {
            crate::say::say("--random-delay skipped: run from a terminal");
        }
        return Ok(());
    };
    crate::say::say(&format!(
        "waiting {:.1} s (--random-delay up to {} s) before the first request",
        wait.as_secs_f64(),
        max.as_secs()
    ));
    match stop {
        None => tokio::time::sleep(wait).await,
        Some(stop) => tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stop.stopped() => {
                let n = stop.signal().unwrap_or(libc::SIGTERM);
                return Err(Fail::Interrupted(
                    n,
                    format!("stopped by {} during --random-delay: nothing was sent", super::stop::name(n)),
                ));
            }
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_bounded_and_skipped_on_a_terminal() {
        let max = Duration::from_secs(90);
        for rnd in [0, 1, 90_000, 90_001, u64::MAX, 12_345_678_901] {
            let w = chosen(max, false, rnd).unwrap();
            assert!(w <= max, "{w:?}");
        }
        assert_eq!(chosen(max, false, 90_000), Some(max));
        assert_eq!(chosen(max, true, 5), None);
        assert_eq!(chosen(Duration::ZERO, false, 5), None);
    }
}
