//! Copying the PEM. The system clipboard (arboard) where a display is ours;
//! OSC 52 — the terminal takes the text — over SSH, without a display, or
//! when the system clipboard fails. On X11 the copying process serves the
//! data, so one clipboard owner lives as long as the app. OSC 52 bytes are
//! returned, not written: only the event loop writes to the terminal, between
//! frames, so a copy never lands inside a half-drawn escape sequence.

use std::process::Command;
use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use base64::Engine;
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ClipboardMode {
    /// System clipboard when a local display is ours, else OSC 52.
    #[default]
    Auto,
    Arboard,
    Osc52,
    /// Never copy: save to a file instead.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    System,
    Osc52,
}

/// What decides the route, read from the environment once per copy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    pub ssh: bool,
    pub display: bool,
}

impl Facts {
    pub fn from_env() -> Self {
        let set = |n: &str| std::env::var_os(n).is_some_and(|v| !v.is_empty());
        Self {
            ssh: set("SSH_CONNECTION") || set("SSH_TTY") || set("SSH_CLIENT"),
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
        }
    }
}

/// The routes to try, in order. Over SSH a display is the wrong machine's.
pub fn routes(mode: ClipboardMode, facts: Facts) -> Vec<Route> {
    match mode {
        ClipboardMode::Off => vec![],
        ClipboardMode::Arboard => vec![Route::System],
        ClipboardMode::Osc52 => vec![Route::Osc52],
        ClipboardMode::Auto if facts.ssh || !facts.display => vec![Route::Osc52],
        ClipboardMode::Auto => vec![Route::System, Route::Osc52],
    }
}

enum Request {
    Set(Zeroizing<String>, Sender<Result<(), String>>),
    /// Clears only if the clipboard still holds this text.
    ClearIfStill(Zeroizing<String>),
}

/// Bytes for the terminal. They carry the key (base64): wiped on drop and
/// never printed by `Debug`.
pub struct TerminalBytes(pub Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TerminalBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TerminalBytes({} bytes)", self.0.len())
    }
}

/// How a copy went out: the words for the status line and, for OSC 52, the
/// bytes the event loop must write to the terminal.
#[derive(Debug)]
pub struct Copied {
    pub how: String,
    pub to_terminal: Option<TerminalBytes>,
}

pub struct Clipboard {
    mode: ClipboardMode,
    clear_after: Option<Duration>,
    owner: Mutex<Option<Sender<Request>>>,
}

impl Clipboard {
    pub fn new(mode: ClipboardMode, clear_after: Option<Duration>) -> Self {
        Self {
            mode,
            clear_after,
            owner: Mutex::new(None),
        }
    }

    /// Blocking (X11 round trips, a `tmux` call): run off the async threads.
    /// Returns how the text went out, and what to write to the terminal.
    pub fn copy(&self, text: &str) -> Result<Copied, String> {
        let routes = routes(self.mode, Facts::from_env());
        if routes.is_empty() {
            return Err("copying is off (--clipboard off)".into());
        }
        let mut failures = Vec::new();
        for route in routes {
            let done = match route {
                Route::System => self.copy_system(text).map(|how| Copied {
                    how,
                    to_terminal: None,
                }),
                Route::Osc52 => osc52_for_here(text).map(|(seq, how)| Copied {
                    how,
                    to_terminal: Some(TerminalBytes(Zeroizing::new(seq.as_bytes().to_vec()))),
                }),
            };
            match done {
                Ok(c) if failures.is_empty() => return Ok(c),
                Ok(mut c) => {
                    c.how = format!(
                        "{} (system clipboard unavailable: {})",
                        c.how,
                        failures.join("; ")
                    );
                    return Ok(c);
                }
                Err(e) => failures.push(e),
            }
        }
        Err(failures.join("; "))
    }

    fn copy_system(&self, text: &str) -> Result<String, String> {
        let mut owner = self
            .owner
            .lock()
            .map_err(|_| "clipboard lock poisoned".to_string())?;
        if owner.is_none() {
            *owner = Some(spawn_owner()?);
        }
        let tx = owner.as_ref().expect("just set");
        let (reply_tx, reply_rx) = channel();
        tx.send(Request::Set(Zeroizing::new(text.to_string()), reply_tx))
            .map_err(|_| "the clipboard thread stopped".to_string())?;
        reply_rx
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| "the system clipboard did not answer".to_string())??;
        let mut how = "to the system clipboard; it holds the PEM while atlas-x509 runs or until something else is copied".to_string();
        if let Some(after) = self.clear_after {
            let tx = tx.clone();
            let text = Zeroizing::new(text.to_string());
            std::thread::spawn(move || {
                std::thread::sleep(after);
                let _ = tx.send(Request::ClearIfStill(text));
            });
            how.push_str(&format!(", and is cleared after {}s", after.as_secs()));
        }
        Ok(how)
    }
}

/// One thread owns the arboard clipboard for the app's life: on X11 the
/// owner serves the selection, so dropping it would drop the copy.
fn spawn_owner() -> Result<Sender<Request>, String> {
    let (tx, rx) = channel::<Request>();
    let (ready_tx, ready_rx) = channel();
    std::thread::Builder::new()
        .name("clipboard".into())
        .spawn(move || {
            let mut cb = match arboard::Clipboard::new() {
                Ok(cb) => {
                    let _ = ready_tx.send(Ok(()));
                    cb
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            for req in rx {
                match req {
                    Request::Set(text, reply) => {
                        let _ = reply.send(cb.set_text(text.as_str()).map_err(|e| e.to_string()));
                    }
                    Request::ClearIfStill(text) => {
                        if cb.get_text().is_ok_and(|now| now == *text) {
                            let _ = cb.clear();
                        }
                    }
                }
            }
        })
        .map_err(|e| e.to_string())?;
    ready_rx
        .recv_timeout(Duration::from_secs(5))
        .map_err(|_| "the system clipboard did not start".to_string())?
        .map(|()| tx)
}

/// The bare OSC 52 sequence that sets the clipboard.
pub fn osc52(text: &str) -> String {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text));
    format!("\x1b]52;c;{}\x07", b64.as_str())
}

/// Wrapped in a DCS passthrough for tmux (inner ESCs doubled) or screen.
pub fn passthrough(seq: &str, tmux: bool) -> String {
    if tmux {
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
    } else {
        format!("\x1bP{seq}\x1b\\")
    }
}

/// GNU screen drops a DCS string longer than 768 bytes, and a PEM with an
/// RSA 4096 key is over 4 KB in base64: the OSC 52 sequence is sent in
/// pieces, each in its own DCS, which screen passes on and the outer terminal
/// joins back into one sequence.
pub fn screen_chunks(text: &str) -> String {
    const PIECE: usize = 512;
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text));
    let mut out = String::from("\x1bP\x1b]52;c;");
    for (i, piece) in b64.as_bytes().chunks(PIECE).enumerate() {
        if i > 0 {
            out.push_str("\x1b\\\x1bP");
        }
        out.push_str(std::str::from_utf8(piece).unwrap_or_default());
    }
    out.push_str("\x07\x1b\\");
    out
}

/// What to write inside tmux, given its `set-clipboard` and
/// `allow-passthrough` options (`None`: tmux older than 3.3, which always
/// passes through). tmux drops an application's OSC 52 unless set-clipboard
/// is `on`.
pub fn tmux_plan(
    text: &str,
    set_clipboard: &str,
    allow_passthrough: Option<&str>,
) -> Result<(String, String), String> {
    let mut seq = String::new();
    let mut via = Vec::new();
    let bare = osc52(text);
    if set_clipboard == "on" {
        seq.push_str(&bare);
        via.push("tmux's clipboard");
    }
    if allow_passthrough != Some("off") {
        seq.push_str(&passthrough(&bare, true));
        via.push("passthrough to the outer terminal");
    }
    if seq.is_empty() {
        return Err(format!(
            "tmux drops OSC 52 here (set-clipboard {set_clipboard}, allow-passthrough off): `tmux set -g set-clipboard on` lets it through"
        ));
    }
    Ok((
        seq,
        format!("via OSC 52 through tmux ({})", via.join(" and ")),
    ))
}

fn tmux_option(name: &str) -> Option<String> {
    let out = Command::new("tmux")
        .args(["show-options", "-gv", name])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The OSC 52 bytes for where we run (tmux, screen, a bare terminal) and
/// how they will travel. Nothing is written here.
pub fn osc52_for_here(text: &str) -> Result<(Zeroizing<String>, String), String> {
    let (seq, how) = if std::env::var_os("TMUX").is_some() {
        let set_clipboard = tmux_option("set-clipboard").unwrap_or_else(|| "external".into());
        tmux_plan(
            text,
            &set_clipboard,
            tmux_option("allow-passthrough").as_deref(),
        )?
    } else if std::env::var("TERM").is_ok_and(|t| t.starts_with("screen")) {
        (
            screen_chunks(text),
            "via OSC 52 through screen (in pieces under its 768-byte limit)".to_string(),
        )
    } else {
        (osc52(text), "via OSC 52 to the terminal".to_string())
    };
    // The sequence carries the key, base64-encoded: wiped once written.
    Ok((Zeroizing::new(seq), how))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_bytes() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            passthrough(&osc52("hi"), true),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        assert_eq!(
            passthrough(&osc52("hi"), false),
            "\x1bP\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn routes_by_place() {
        let local = Facts {
            ssh: false,
            display: true,
        };
        let ssh = Facts {
            ssh: true,
            display: true,
        };
        let headless = Facts {
            ssh: false,
            display: false,
        };
        assert_eq!(
            routes(ClipboardMode::Auto, local),
            [Route::System, Route::Osc52]
        );
        assert_eq!(
            routes(ClipboardMode::Auto, ssh),
            [Route::Osc52],
            "a forwarded display is the wrong machine"
        );
        assert_eq!(routes(ClipboardMode::Auto, headless), [Route::Osc52]);
        assert_eq!(routes(ClipboardMode::Arboard, headless), [Route::System]);
        assert_eq!(routes(ClipboardMode::Osc52, local), [Route::Osc52]);
        assert!(routes(ClipboardMode::Off, local).is_empty());
    }

    #[test]
    fn tmux_gets_what_it_accepts() {
        let (seq, how) = tmux_plan("hi", "on", Some("off")).unwrap();
        assert_eq!(seq, osc52("hi"));
        assert!(how.contains("tmux's clipboard"));
        let (seq, _) = tmux_plan("hi", "external", Some("on")).unwrap();
        assert_eq!(seq, passthrough(&osc52("hi"), true));
        let (seq, _) = tmux_plan("hi", "off", None).unwrap();
        assert_eq!(
            seq,
            passthrough(&osc52("hi"), true),
            "tmux < 3.3 always passes through"
        );
        let err = tmux_plan("hi", "external", Some("off")).unwrap_err();
        assert!(err.contains("set-clipboard on"), "{err}");
    }

    #[test]
    fn screen_gets_pieces_under_its_limit() {
        let text = "k".repeat(4000);
        let seq = screen_chunks(&text);
        let pieces: Vec<&str> = seq.split("\x1bP").filter(|p| !p.is_empty()).collect();
        assert!(pieces.len() > 5);
        assert!(pieces.iter().all(|p| p.len() + 2 <= 768), "each DCS fits");
        let joined: String = pieces
            .iter()
            .map(|p| p.trim_end_matches("\x1b\\"))
            .collect();
        assert_eq!(joined, osc52(&text), "the outer terminal sees one OSC 52");
    }

    #[test]
    fn off_refuses() {
        let c = Clipboard::new(ClipboardMode::Off, None);
        assert!(c.copy("x").unwrap_err().contains("--clipboard off"));
    }
}
