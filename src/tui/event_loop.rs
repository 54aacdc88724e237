//! The event loop: keys, answers, ticks and signals in; one frame per
//! burst out. Generic over the backend, the sources and the host, so the
//! tests drive it in-process.

use std::io;
use std::task::Poll;
use std::time::Instant;

use crossterm::event::{Event, MouseEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::UnboundedReceiver;

use super::keep::issued_copy;
use super::{Channels, Host, Stop};
use crate::app::{self, ApiResult, Msg, State};
use crate::{ui, worker};

/// Runs `f`, turning a panic into an error: the loop then ends in order
/// (terminal restored, unsaved key rescued) instead of unwinding past it.
pub(super) fn guarded<R>(what: &str, f: impl FnOnce() -> R) -> io::Result<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        io::Error::other(format!(
            "internal error while {what}: {}",
            worker::panic_text(p.as_ref())
        ))
    })
}

pub(super) fn backend_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// The event loop: draw when something changed, wait for the next event,
/// take everything else already waiting (keys, answers) into the same frame.
pub async fn run_loop<B, E, S, H>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    mut events: E,
    mut signals: S,
    chans: &mut Channels,
    host: &mut H,
    theme: &ui::Theme,
) -> io::Result<Stop>
where
    B: Backend,
    E: Stream<Item = io::Result<Event>> + Unpin,
    S: Stream<Item = (&'static str, u8)> + Unpin,
    H: Host,
{
    let started = Instant::now();
    let size = terminal.size().map_err(backend_error)?;
    app::update(state, Msg::Resize(size.width, size.height));
    for cmd in app::init(state) {
        chans.commands.send(cmd);
    }
    let mut tick = tokio::time::interval(chans.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_second = 0;
    loop {
        if dirty {
            guarded("drawing", || terminal.draw(|f| ui::draw(f, state, theme)))?
                .map_err(backend_error)?;
            dirty = false;
        }
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match to_msg(ev) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => return Ok(Stop::Quit),
            },
            Some(m) = chans.results.recv() => m,
            Some((name, code)) = signals.next() => return Ok(Stop::Signal(name, code)),
            _ = tick.tick() => tick_msg(started),
        };
        let (batch, read_error) = drain(first, &mut events, &mut chans.results).await;
        let mut batch = batch.into_iter();
        while let Some(msg) = batch.next() {
            let msg = deliver_to_terminal(msg, host);
            let is_tick = matches!(msg, Msg::Tick { .. });
            let had_status = state.status.is_some();
            // An issued key in this message is kept aside until the state
            // holds it: a panic in between must not take it along.
            let in_hand = issued_copy(&msg);
            let updated = guarded("updating", || {
                forced_test_panic(&msg);
                app::update(state, msg)
            });
            let cmds = match updated {
                Ok(cmds) => cmds,
                Err(e) => {
                    chans.leftover.extend(in_hand);
                    chans.leftover.extend(batch);
                    return Err(e);
                }
            };
            let second = started.elapsed().as_secs();
            // Ticks redraw only for spinners, expiring messages and the clock.
            dirty |= !is_tick
                || !cmds.is_empty()
                || state.busy()
                || had_status != state.status.is_some()
                || second != last_second;
            last_second = second;
            for cmd in cmds {
                chans.commands.send(cmd);
            }
            if state.quit {
                chans.leftover.extend(batch);
                return Ok(Stop::Quit);
            }
            if std::mem::take(&mut state.suspend) {
                let resumed = host
                    .suspend()
                    // Whatever the shell drew meanwhile is gone: draw it all.
                    .and_then(|()| terminal.clear().map_err(backend_error));
                if let Err(e) = resumed {
                    chans.leftover.extend(batch);
                    return Err(e);
                }
                dirty = true;
            }
        }
        // What the terminal gave before it failed was applied first.
        if let Some(e) = read_error {
            return Err(e);
        }
    }
}

pub(super) fn tick_msg(started: Instant) -> Msg {
    Msg::Tick {
        now: jiff::Timestamp::now(),
        mono_ms: started.elapsed().as_millis() as u64,
    }
}

/// `first` and whatever else is already waiting, so a burst of keys or
/// answers costs one frame, not one frame each. The event stream is polled
/// with this task's own waker: a no-op waker (`now_or_never`) would be kept
/// by crossterm's reader, and the next key would wait for the tick.
pub(super) async fn drain<E>(
    first: Msg,
    events: &mut E,
    results: &mut UnboundedReceiver<Msg>,
) -> (Vec<Msg>, Option<io::Error>)
where
    E: Stream<Item = io::Result<Event>> + Unpin,
{
    let mut batch = vec![first];
    while batch.len() < 256 {
        if let Ok(m) = results.try_recv() {
            batch.push(m);
            continue;
        }
        let ready = std::future::poll_fn(|cx| match events.poll_next_unpin(cx) {
            Poll::Ready(ev) => Poll::Ready(Some(ev)),
            Poll::Pending => Poll::Ready(None),
        })
        .await;
        match ready {
            Some(Some(Ok(ev))) => batch.extend(to_msg(ev)),
            // The batch is still applied (it may hold a key), then the error.
            Some(Some(Err(e))) => return (batch, Some(e)),
            Some(None) | None => break,
        }
    }
    (batch, None)
}

/// A copy's OSC 52 bytes go to the terminal here, between frames; if they
/// cannot be written, the copy did not happen and the state machine is told.
pub(super) fn deliver_to_terminal<H: Host>(msg: Msg, host: &mut H) -> Msg {
    match msg {
        Msg::Api(id, ApiResult::Copied(Ok(mut copied))) => match copied.to_terminal.take() {
            Some(bytes) => match host.write_raw(&bytes.0) {
                Ok(()) => Msg::Api(id, ApiResult::Copied(Ok(copied))),
                Err(e) => Msg::Api(
                    id,
                    ApiResult::Copied(Err(format!("the terminal did not take it: {e}"))),
                ),
            },
            None => Msg::Api(id, ApiResult::Copied(Ok(copied))),
        },
        other => other,
    }
}

/// Debug builds only: `ATLAS_X509_TEST_PANIC_KEY=<char>` panics on that
/// key, so the tests can prove what a panic leaves behind (a restored
/// terminal, a rescued key, no secret in the message).
#[cfg(debug_assertions)]
pub(super) fn forced_test_panic(msg: &Msg) {
    if let Msg::Key(k) = msg
        && let crossterm::event::KeyCode::Char(c) = k.code
        && std::env::var("ATLAS_X509_TEST_PANIC_KEY").is_ok_and(|v| v.starts_with(c))
    {
        panic!("forced test panic on key {c:?}");
    }
}

#[cfg(not(debug_assertions))]
pub(super) fn forced_test_panic(_: &Msg) {}

/// Terminal events the app cares about; mouse motion is dropped at the door.
pub fn to_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Mouse(m) if !matches!(m.kind, MouseEventKind::Moved | MouseEventKind::Drag(_)) => {
            Some(Msg::Mouse(m))
        }
        _ => None,
    }
}
