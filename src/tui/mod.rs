//! The terminal's only owner and only writer: setup, restore (a guard that
//! restores on drop, on panic and on every terminating signal), suspension,
//! and the event loop. The loop is generic over the backend, the event and
//! signal sources and the terminal's side effects, so tests drive keys to
//! frames in-process (gitui's `run_main_loop<B: Backend>`).

use std::io;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::app::{Env, Msg, State};
use crate::pem::clipboard::Clipboard;
use crate::say::say;
use crate::{ui, worker};
use atlas_client::Client;

mod event_loop;
mod keep;
mod terminal;

pub use event_loop::{run_loop, to_msg};
use keep::keep_what_is_left;
pub use terminal::leave_modes;
use terminal::{
    RealHost, Restore, detach_if_hung_up, enter_modes, install_panic_hook, let_go, signals,
};

pub struct Options {
    /// Issued keys go to a 0600 rescue file before they are shown.
    pub write_ahead: bool,
    /// How long an unanswered certificate request may hold the exit.
    pub issue_wait: Duration,
    pub mouse: bool,
    pub clipboard: Arc<Clipboard>,
    /// Built from NO_COLOR and `[theme]`.
    pub theme: ui::Theme,
}

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Quit,
    /// A terminating signal, by name, and the exit code it earns (128 + n).
    Signal(&'static str, u8),
}

/// What the loop needs of the real terminal besides drawing.
pub trait Host {
    /// Bytes for the terminal itself (OSC 52), written between frames.
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Ctrl-Z: hand the terminal back, stop until `fg`, take it again.
    fn suspend(&mut self) -> io::Result<()>;
}

/// The channels to and from the worker, and the loop's clock.
pub struct Channels {
    pub results: UnboundedReceiver<Msg>,
    pub commands: worker::Commands,
    /// Messages taken from the worker but not yet applied when the loop
    /// ended (a read error, a quit, a panic mid-batch): the exit path keeps
    /// any key among them.
    pub leftover: Vec<Msg>,
    /// How often time passes for spinners, timers and debounced loads;
    /// keys never wait for it.
    pub tick: Duration,
}

pub const TICK: Duration = Duration::from_millis(100);

// ---- the real terminal ------------------------------------------------------

/// A full-screen message (no credentials, say) until a key is pressed.
/// A terminating signal ends it like a key, with the terminal restored.
pub async fn notice(title: &str, lines: &[String], theme: ui::Theme) -> io::Result<()> {
    let mut signals = signals()?;
    install_panic_hook();
    enter_modes(false)?;
    let _restore = Restore;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let mut events = EventStream::new();
    loop {
        terminal.draw(|f| ui::notice(f, title, lines, &theme))?;
        let ev = tokio::select! {
            ev = events.next() => ev,
            _ = signals.next() => return Ok(()),
        };
        match ev {
            Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => return Ok(()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e),
            None => return Ok(()),
        }
    }
}

/// Runs the UI until the user quits or a signal arrives. Returns the exit
/// code. Whatever ends it, the terminal is restored and an issued key that
/// was neither saved nor copied goes to a rescue file.
pub async fn run(client: Client, mut env: Env, opts: Options) -> io::Result<u8> {
    let waiting = crate::pem::rescue::waiting(None);
    if !waiting.is_empty() {
        env.notes.insert(
            0,
            format!(
                "{} rescued key file(s) wait in {}: move them somewhere safe",
                waiting.len(),
                waiting[0]
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
        );
    }
    let signals = signals()?;
    install_panic_hook();
    enter_modes(opts.mouse)?;
    let restore = Restore;
    let mut state = State::new(env, jiff::Timestamp::now());
    let (msg_tx, results) = unbounded_channel();
    let worker = worker::spawn(client, opts.clipboard, msg_tx, opts.write_ahead);
    let mut chans = Channels {
        results,
        commands: worker.commands.clone(),
        leftover: Vec::new(),
        tick: TICK,
    };
    let result = match Terminal::new(CrosstermBackend::new(io::stdout())) {
        Ok(mut terminal) => {
            let mut host = RealHost { mouse: opts.mouse };
            let r = run_loop(
                &mut terminal,
                &mut state,
                EventStream::new(),
                signals,
                &mut chans,
                &mut host,
                &opts.theme,
            )
            .await;
            let_go(terminal);
            r
        }
        Err(e) => Err(e),
    };
    drop(restore);
    // Nothing below may wait on a terminal that is gone.
    detach_if_hung_up();
    if let Some(place) = state.place() {
        crate::places::remember(&state.env.target, &place);
    }
    for text in keep_what_is_left(&state, &mut chans, &worker.key_work, opts.issue_wait).await {
        // Also in the log: with the terminal gone, stderr reaches nobody.
        tracing::warn!(said = text, "at exit");
        say(&text);
    }
    match (result, state.fatal.take()) {
        (Err(e), _) => Err(e),
        (Ok(_), Some(fatal)) => Err(io::Error::other(fatal)),
        (Ok(Stop::Quit), None) => Ok(0),
        (Ok(Stop::Signal(name, code)), None) => {
            tracing::info!(signal = name, "stopped by a signal");
            say(&format!("stopped by {name}"));
            Ok(code)
        }
    }
}

// ---- the loop ------------------------------------------------------------
