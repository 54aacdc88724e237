//! The real event loop, in-process: a recording backend instead of a
//! terminal, scripted keys and signals, the real worker and client against
//! the simulator. Keys → update → worker → simulator → frames.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use atlas_sim::SimHandle;
use atlas_x509::app::State;
use atlas_x509::pem::clipboard::{Clipboard, ClipboardMode};
use atlas_x509::tui::{Channels, Host, Stop, run_loop};
use atlas_x509::ui::Theme;
use atlas_x509::worker;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// Every flushed frame, as text, with when it was flushed.
/// Each frame: when it was flushed, its text, and how many events the
/// loop had taken by then.
pub type Frames = Arc<Mutex<Vec<(Instant, String, usize)>>>;

/// A TestBackend that records each frame and can be resized from outside.
pub struct Recorder {
    inner: TestBackend,
    frames: Frames,
    /// Events taken by the loop so far (the `Keys` it reads).
    taken: Arc<AtomicUsize>,
    size: Arc<Mutex<(u16, u16)>>,
    /// The size ratatui last asked for: the test may change `size` at any
    /// moment, the drawing follows what ratatui knows.
    known: std::cell::Cell<(u16, u16)>,
    pub clears: Arc<Mutex<u32>>,
}

impl Recorder {
    fn fit(&mut self) {
        let (w, h) = self.known.get();
        if self.inner.buffer().area.width != w || self.inner.buffer().area.height != h {
            self.inner.resize(w, h);
        }
    }
}

impl Backend for Recorder {
    type Error = io::Error;

    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, c: I) -> io::Result<()> {
        self.fit();
        let _ = self.inner.draw(c);
        Ok(())
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(Position::ORIGIN)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, _: P) -> io::Result<()> {
        Ok(())
    }
    fn clear(&mut self) -> io::Result<()> {
        *self.clears.lock().unwrap() += 1;
        let _ = self.inner.clear();
        Ok(())
    }
    fn clear_region(&mut self, t: ClearType) -> io::Result<()> {
        *self.clears.lock().unwrap() += 1;
        let _ = self.inner.clear_region(t);
        Ok(())
    }
    fn size(&self) -> io::Result<Size> {
        let (w, h) = *self.size.lock().unwrap();
        self.known.set((w, h));
        Ok(Size::new(w, h))
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        let (w, h) = *self.size.lock().unwrap();
        Ok(WindowSize {
            columns_rows: Size::new(w, h),
            pixels: Size::new(0, 0),
        })
    }
    fn flush(&mut self) -> io::Result<()> {
        self.fit();
        let buf = self.inner.buffer();
        let text = (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n");
        let taken = self.taken.load(Ordering::SeqCst);
        self.frames
            .lock()
            .unwrap()
            .push((Instant::now(), text, taken));
        Ok(())
    }
}

/// An event source that, like crossterm's reader thread, keeps the waker of
/// the poll that found it empty until an event fires it: a loop that polls
/// it with a no-op waker would miss keys until something else wakes it.
#[derive(Clone, Default)]
pub struct Keys {
    queue: Arc<Mutex<VecDeque<Event>>>,
    waker: Arc<Mutex<Option<Waker>>>,
    sent: Arc<AtomicUsize>,
    taken: Arc<AtomicUsize>,
}

impl Keys {
    pub fn send(&self, ev: Event) {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.queue.lock().unwrap().push_back(ev);
        if let Some(w) = self.waker.lock().unwrap().take() {
            w.wake();
        }
    }
}

impl Stream for Keys {
    type Item = io::Result<Event>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(ev) = self.queue.lock().unwrap().pop_front() {
            self.taken.fetch_add(1, Ordering::SeqCst);
            return Poll::Ready(Some(Ok(ev)));
        }
        let mut slot = self.waker.lock().unwrap();
        if slot.is_none() {
            *slot = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// What the loop asked of the terminal besides frames.
#[derive(Default)]
pub struct HostLog {
    pub raw: Vec<Vec<u8>>,
    pub suspends: u32,
    pub fail_writes: bool,
}

#[derive(Clone, Default)]
pub struct TestHost(pub Arc<Mutex<HostLog>>);

impl Host for TestHost {
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut log = self.0.lock().unwrap();
        if log.fail_writes {
            return Err(io::Error::other("the terminal is gone"));
        }
        log.raw.push(bytes.to_vec());
        Ok(())
    }

    fn suspend(&mut self) -> io::Result<()> {
        self.0.lock().unwrap().suspends += 1;
        Ok(())
    }
}

pub struct App {
    pub keys: Keys,
    pub signals: tokio::sync::mpsc::UnboundedSender<(&'static str, u8)>,
    pub frames: Frames,
    pub size: Arc<Mutex<(u16, u16)>>,
    pub clears: Arc<Mutex<u32>>,
    pub host: TestHost,
    pub task: tokio::task::JoinHandle<(io::Result<Stop>, State)>,
}

impl App {
    pub fn key(&self, code: KeyCode) {
        self.keys
            .send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    pub fn ch(&self, c: char) {
        self.key(KeyCode::Char(c));
    }

    pub fn ctrl(&self, c: char) {
        self.keys.send(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    pub fn resize(&self, w: u16, h: u16) {
        *self.size.lock().unwrap() = (w, h);
        self.keys.send(Event::Resize(w, h));
    }

    pub fn frame_count(&self) -> usize {
        self.frames.lock().unwrap().len()
    }

    pub fn screen(&self) -> String {
        self.frames
            .lock()
            .unwrap()
            .last()
            .map(|f| f.1.clone())
            .unwrap_or_default()
    }

    /// The first frame, drawn after every event sent so far was taken,
    /// for which `pred` holds (a frame from before the last key never
    /// counts). The deadline only catches a hang.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        let sent = self.keys.sent.load(Ordering::SeqCst);
        loop {
            let last = self.frames.lock().unwrap().last().cloned();
            let s = last.as_ref().map(|f| f.1.clone()).unwrap_or_default();
            if last.is_some_and(|f| f.2 >= sent) && pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub async fn stop(self) -> (io::Result<Stop>, State) {
        self.ctrl('c');
        self.task.await.unwrap()
    }
}

/// The whole app on a recording backend, against this simulator.
pub fn start(h: &SimHandle, w: u16, h_: u16, tick: Duration) -> App {
    let client = super::digest_client(h);
    let clipboard = Arc::new(Clipboard::new(ClipboardMode::Osc52, None));
    let (msg_tx, results) = tokio::sync::mpsc::unbounded_channel();
    // No write-ahead here: the process's own HOME is not the test's. The
    // tmux tests run the binary with a HOME of their own and cover it.
    let commands = worker::spawn(client, clipboard, msg_tx, false).commands;
    let frames: Frames = Arc::default();
    let size = Arc::new(Mutex::new((w, h_)));
    let clears = Arc::new(Mutex::new(0));
    let keys = Keys::default();
    let backend = Recorder {
        inner: TestBackend::new(w, h_),
        frames: frames.clone(),
        taken: keys.taken.clone(),
        size: size.clone(),
        known: std::cell::Cell::new((w, h_)),
        clears: clears.clone(),
    };
    let (sig_tx, mut sig_rx) = tokio::sync::mpsc::unbounded_channel();
    let signals = Box::pin(futures_util::stream::poll_fn(move |cx| {
        sig_rx.poll_recv(cx)
    }));
    let host = TestHost::default();
    let (events, mut test_host) = (keys.clone(), host.clone());
    let task = tokio::spawn(async move {
        let mut terminal = Terminal::new(backend).unwrap();
        let mut state = State::new(super::fixtures::env(), jiff::Timestamp::now());
        let mut chans = Channels {
            results,
            commands,
            leftover: Vec::new(),
            tick,
        };
        let r = run_loop(
            &mut terminal,
            &mut state,
            events,
            signals,
            &mut chans,
            &mut test_host,
            &Theme::new(false),
        )
        .await;
        (r, state)
    });
    App {
        keys,
        signals: sig_tx,
        frames,
        size,
        clears,
        host,
        task,
    }
}
