//! The terminal's only owner and only writer: setup, restore (a guard that
//! restores on drop, on panic and on every terminating signal), suspension,
//! and the event loop. The loop is generic over the backend, the event and
//! signal sources and the terminal's side effects, so tests drive keys to
//! frames in-process (gitui's `run_main_loop<B: Backend>`).

use std::io::{self, Write};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyEventKind, MouseEventKind,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::app::{self, ApiResult, Env, Held, Modal, Msg, State};
use crate::pem::clipboard::Clipboard;
use crate::say::say;
use crate::{ui, worker};
use atlas_client::Client;

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

fn enter_modes(mouse: bool) -> io::Result<()> {
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
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        leave_modes();
    }
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            leave_modes();
            previous(info);
        }));
    });
}

struct RealHost {
    mouse: bool,
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
fn signals() -> io::Result<impl Stream<Item = (&'static str, u8)> + Unpin> {
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

/// ratatui's `Terminal` shows the cursor when dropped and prints to stderr
/// when it cannot; with the terminal gone that print panics. The modes were
/// already restored: when the cursor cannot be shown, the terminal is gone
/// and the value is left unfreed (the process is ending) rather than dropped.
fn let_go<B: Backend>(mut terminal: Terminal<B>) {
    if terminal.show_cursor().is_err() {
        std::mem::forget(terminal);
    }
}

/// Is `fd` a terminal that hung up (window closed, SSH dropped, tmux
/// killed)? Writes to it fail, and a message meant for it reaches nobody.
fn hung_up(fd: i32) -> bool {
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
fn detach_if_hung_up() {
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

/// The loop has ended, however it ended: a certificate request still on
/// its way is waited for (its answer holds a key), and every issued key
/// that was not handed over is accounted for. The words say where each is.
async fn keep_what_is_left(
    state: &State,
    chans: &mut Channels,
    key_work: &worker::KeyWork,
    limit: Duration,
) -> Vec<String> {
    let mut said = Vec::new();
    // A save or a removal takes a moment; only a longer wait is announced.
    if !key_work.settled(Duration::from_millis(300)).await {
        tracing::info!("waiting for work on a key (a certificate request, a save) before exiting");
        say(
            "waiting for the work on a key to finish (a certificate request's answer is kept when it comes)",
        );
        if !key_work.settled(limit).await {
            said.push(format!(
                "no answer to the certificate request within {} s: if Atlas issued it, nobody holds its key; check the user's certificate list",
                limit.as_secs()
            ));
        }
    }
    if let Some(Modal::Pem(m)) = &state.modal
        && !m.handed_over()
    {
        said.push(keep_unsaved(m));
    }
    for (who, path) in &state.kept_keys {
        if path.exists() {
            said.push(format!(
                "the copied key for {} also waits in {} (mode 0600): delete it once the copy is safe",
                atlas_client::sanitize::line(who, 80),
                path.display()
            ));
        }
    }
    let mut rest = std::mem::take(&mut chans.leftover);
    while let Ok(msg) = chans.results.try_recv() {
        rest.push(msg);
    }
    for msg in rest {
        if let Msg::Api(_, ApiResult::Issued(Ok(issued))) = msg {
            said.push(worker::keep_unshown(*issued));
        }
    }
    said
}

/// A copy of an issued key's message, kept aside while the state takes it.
fn issued_copy(msg: &Msg) -> Option<Msg> {
    let Msg::Api(id, ApiResult::Issued(Ok(i))) = msg else {
        return None;
    };
    Some(Msg::Api(
        *id,
        ApiResult::Issued(Ok(Box::new(app::Issued {
            pem: i.pem.clone(),
            info: None,
            problem: None,
            username: i.username.clone(),
            held: i.held.clone(),
        }))),
    ))
}

/// The open dialog's key, neither saved nor copied: already in its
/// written-ahead file, or kept now.
fn keep_unsaved(m: &app::state::PemModal) -> String {
    match &m.held {
        Held::File(_) => app::pem_dialog::where_kept(m),
        _ => worker::keep_now(&m.pem, &m.username),
    }
}

// ---- the loop ------------------------------------------------------------

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

fn backend_error(e: impl std::fmt::Display) -> io::Error {
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

fn tick_msg(started: Instant) -> Msg {
    Msg::Tick {
        now: jiff::Timestamp::now(),
        mono_ms: started.elapsed().as_millis() as u64,
    }
}

/// `first` and whatever else is already waiting, so a burst of keys or
/// answers costs one frame, not one frame each. The event stream is polled
/// with this task's own waker: a no-op waker (`now_or_never`) would be kept
/// by crossterm's reader, and the next key would wait for the tick.
async fn drain<E>(
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
fn deliver_to_terminal<H: Host>(msg: Msg, host: &mut H) -> Msg {
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
