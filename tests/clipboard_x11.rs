//! The system clipboard for real: an X server (Xvfb), the app's own copy
//! path, and `xclip` — another X client — reading the selection back after
//! the copy call returned. One test in this binary: it sets DISPLAY.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use atlas_x509::pem::clipboard::{Clipboard, ClipboardMode};

struct Xvfb(Child);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_xvfb() -> (Xvfb, String) {
    let n = (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free display number");
    let child = Command::new("Xvfb")
        .args([
            &format!(":{n}"),
            "-nolisten",
            "tcp",
            "-screen",
            "0",
            "320x200x24",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed (apt-get install -y xvfb xclip; .ci/run does)");
    let socket = format!("/tmp/.X11-unix/X{n}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !Path::new(&socket).exists() {
        assert!(Instant::now() < deadline, "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Xvfb(child), format!(":{n}"))
}

fn xclip_out(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output()
        .expect("xclip is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn copy_to_a_real_x11_clipboard_and_clear_it_later() {
    let (_x, display) = start_xvfb();
    // SAFETY: the only test in this binary; nothing else reads the environment concurrently.
    unsafe {
        std::env::set_var("DISPLAY", &display);
        std::env::remove_var("SSH_CONNECTION");
        std::env::remove_var("SSH_TTY");
        std::env::remove_var("SSH_CLIENT");
    }
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    let clipboard = Clipboard::new(ClipboardMode::Auto, Some(Duration::from_secs(2)));
    let copied = clipboard.copy(pem).expect("copied");
    assert!(
        copied.to_terminal.is_none(),
        "nothing for the terminal to write"
    );
    let how = copied.how;
    assert!(
        how.contains("system clipboard"),
        "auto picks the local display: {how}"
    );
    assert!(how.contains("cleared after 2s"), "{how}");
    // The copy call has returned; another program reads what we serve.
    assert_eq!(xclip_out(&display), pem);
    // A second copy replaces the first, still served by the same owner.
    let again = pem.replace("MIIB", "MIIC");
    clipboard.copy(&again).unwrap();
    assert_eq!(xclip_out(&display), again);
    // After the delay, the clipboard no longer holds the key: waited for
    // as it happens (a loaded machine may be late; only a hang fails).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let after = xclip_out(&display);
        if !after.contains("PRIVATE KEY") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never cleared: {after:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Something else copied in the meantime: clearing leaves it alone.
    // The clear is due 5 s after the copy; the other text lands well
    // before it, and is checked after it (the clear has had its turn).
    let clipboard = Clipboard::new(ClipboardMode::Arboard, Some(Duration::from_secs(5)));
    clipboard.copy(pem).unwrap();
    assert_eq!(xclip_out(&display), pem, "ours until the other copy");
    let mut other = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .env("DISPLAY", &display)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    other
        .stdin
        .take()
        .unwrap()
        .write_all(b"someone else's text")
        .unwrap();
    other.wait().unwrap();
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(xclip_out(&display), "someone else's text");
}
