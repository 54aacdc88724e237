//! OSC 52: the terminal itself takes the text, which works over SSH and
//! inside tmux where no display server is reachable.

use base64::Engine;

/// The escape sequence that sets the clipboard, wrapped for tmux or screen
/// passthrough when running inside them.
pub fn osc52(text: &str, tmux: bool, screen: bool) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    let seq = format!("\x1b]52;c;{b64}\x07");
    if tmux {
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
    } else if screen {
        format!("\x1bP{seq}\x1b\\")
    } else {
        seq
    }
}

/// Writes the sequence to the terminal; returns how it went out.
pub fn copy_osc52(text: &str) -> Result<String, String> {
    use std::io::Write;
    let tmux = std::env::var_os("TMUX").is_some();
    let screen = !tmux && std::env::var("TERM").is_ok_and(|t| t.starts_with("screen"));
    let seq = osc52(text, tmux, screen);
    let mut out = std::io::stdout().lock();
    out.write_all(seq.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| e.to_string())?;
    Ok(if tmux {
        "via OSC 52 (tmux passthrough)".into()
    } else {
        "via OSC 52 to the terminal".into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_bytes() {
        assert_eq!(osc52("hi", false, false), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            osc52("hi", true, false),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        assert_eq!(osc52("hi", false, true), "\x1bP\x1b]52;c;aGk=\x07\x1b\\");
    }
}
