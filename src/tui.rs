//! The terminal: setup, restore on every exit path (panics included), and
//! the event loop that feeds `update` and redraws only when something changed.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, MouseEventKind,
};
use crossterm::execute;
use futures_util::{FutureExt, StreamExt};
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::unbounded_channel;

use crate::app::{self, Env, Msg, State};
use crate::atlas::Client;
use crate::pem::clipboard::Clipboard;
use crate::{ui, worker};

/// Undoes what `ratatui::restore` does not: bracketed paste and mouse capture.
fn undo_modes() {
    let _ = execute!(io::stdout(), DisableBracketedPaste, DisableMouseCapture);
}

pub struct Options {
    pub mouse: bool,
    pub clipboard: Arc<Clipboard>,
    /// Built from NO_COLOR and `[theme]`.
    pub theme: ui::Theme,
}

/// A full-screen message (no credentials, say) until a key is pressed.
pub async fn notice(title: &str, lines: &[String], theme: ui::Theme) -> io::Result<()> {
    let mut terminal = ratatui::init();
    let mut events = EventStream::new();
    let result = loop {
        if let Err(e) = terminal.draw(|f| ui::notice(f, title, lines, &theme)) {
            break Err(e);
        }
        match events.next().await {
            Some(Ok(Event::Key(k))) if k.kind == crossterm::event::KeyEventKind::Press => {
                break Ok(());
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => break Err(e),
            None => break Ok(()),
        }
    };
    ratatui::restore();
    result
}

pub async fn run(client: Client, env: Env, opts: Options) -> io::Result<()> {
    let terminal = ratatui::init();
    // ratatui's own hook restores raw mode and the screen.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        undo_modes();
        previous(info);
    }));
    let _ = execute!(io::stdout(), EnableBracketedPaste);
    if opts.mouse {
        // Opt-in: capture breaks the terminal's own drag-to-select.
        let _ = execute!(io::stdout(), EnableMouseCapture);
    }
    let theme = opts.theme;
    let mut state = State::new(env, jiff::Timestamp::now());
    let result = event_loop(terminal, &mut state, client, opts.clipboard, theme).await;
    undo_modes();
    ratatui::restore();
    if let Some(text) = rescue_unsaved(&state) {
        eprintln!("atlas-x509: {text}");
    }
    match (result, state.fatal.take()) {
        (Err(e), _) => Err(e),
        (Ok(()), Some(fatal)) => Err(io::Error::other(fatal)),
        (Ok(()), None) => Ok(()),
    }
}

/// An issued key the user neither saved nor copied must not end with the
/// program: it goes to a 0600 rescue file, and the user is told where.
fn rescue_unsaved(state: &State) -> Option<String> {
    let Some(app::Modal::Pem(m)) = &state.modal else {
        return None;
    };
    if m.handed_over() {
        return None;
    }
    Some(match crate::pem::rescue::write(&m.pem, &m.username, None) {
        Ok(path) => format!(
            "the issued key for {} was neither saved nor copied; it was kept in {} (mode 0600)",
            crate::sanitize::line(&m.username, 80),
            path.display()
        ),
        Err(why) => format!(
            "the issued key for {} was neither saved nor copied, and no rescue file could be written: {why}",
            crate::sanitize::line(&m.username, 80)
        ),
    })
}

/// Runs `f`, turning a panic into an error: the loop then ends in order
/// (terminal restored, unsaved key rescued) instead of unwinding past it.
fn guarded<R>(what: &str, f: impl FnOnce() -> R) -> io::Result<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        io::Error::other(format!(
            "internal error while {what}: {}",
            worker::panic_text(p.as_ref())
        ))
    })
}

async fn event_loop(
    mut terminal: DefaultTerminal,
    state: &mut State,
    client: Client,
    clipboard: Arc<Clipboard>,
    theme: ui::Theme,
) -> io::Result<()> {
    let (msg_tx, mut msg_rx) = unbounded_channel();
    let commands = worker::spawn(client, clipboard, msg_tx);
    let started = Instant::now();
    let size = terminal.size()?;
    app::update(state, Msg::Resize(size.width, size.height));
    for cmd in app::init(state) {
        let _ = commands.send(cmd);
    }
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_second = 0;
    loop {
        if dirty {
            guarded("drawing", || terminal.draw(|f| ui::draw(f, state, &theme)))??;
            dirty = false;
        }
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match to_msg(ev) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            Some(m) = msg_rx.recv() => m,
            _ = tick.tick() => Msg::Tick { now: jiff::Timestamp::now(), mono_ms: started.elapsed().as_millis() as u64 },
        };
        // Take whatever else is already waiting, so a burst of keys or
        // answers costs one frame, not one frame each.
        let mut batch = vec![first];
        while batch.len() < 256 {
            if let Ok(m) = msg_rx.try_recv() {
                batch.push(m);
                continue;
            }
            match events.next().now_or_never() {
                Some(Some(Ok(ev))) => batch.extend(to_msg(ev)),
                Some(Some(Err(e))) => return Err(e),
                Some(None) => return Ok(()),
                None => break,
            }
        }
        for msg in batch {
            let is_tick = matches!(msg, Msg::Tick { .. });
            let had_status = state.status.is_some();
            let cmds = guarded("updating", || {
                forced_test_panic(&msg);
                app::update(state, msg)
            })?;
            let second = started.elapsed().as_secs();
            // Ticks redraw only for spinners, expiring messages and the clock.
            dirty |= !is_tick
                || !cmds.is_empty()
                || state.busy()
                || had_status != state.status.is_some()
                || second != last_second;
            last_second = second;
            for cmd in cmds {
                let _ = commands.send(cmd);
            }
            if state.quit {
                return Ok(());
            }
        }
    }
}

/// Debug builds only: `ATLAS_X509_TEST_PANIC_KEY=<char>` panics on that
/// key, so the tests can prove what a panic leaves behind (a restored
/// terminal, a rescued key, no secret in the message).
#[cfg(debug_assertions)]
fn forced_test_panic(msg: &Msg) {
    if let Msg::Key(k) = msg
        && let crossterm::event::KeyCode::Char(c) = k.code
        && std::env::var("ATLAS_X509_TEST_PANIC_KEY").is_ok_and(|v| v.starts_with(c))
    {
        panic!("forced test panic on key {c:?}");
    }
}

#[cfg(not(debug_assertions))]
fn forced_test_panic(_: &Msg) {}

/// Terminal events the app cares about; mouse motion is dropped at the door.
fn to_msg(ev: Event) -> Option<Msg> {
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
