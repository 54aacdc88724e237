//! The real binary, in tmux, driven by keys like a person: navigate to a
//! MANAGED user, issue a 6-month certificate, see it listed, save the PEM,
//! quit. Then the saved file must be a certificate and its matching key.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use x509_parser::prelude::*;

use crate::common;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux is installed (.ci/run installs it)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Polls the screen until `pred` holds; the screen is in the panic message otherwise.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// Starts `atlas-x509 --demo <args>` in a fresh tmux server, from `dir`.
fn start_demo(dir: &Path, args: &str, env: &str, setup: &[&[&str]]) -> (Tmux, PathBuf) {
    start(dir, &format!("--demo {args}"), env, setup)
}

/// Starts `atlas-x509 <args>` in a fresh tmux server, from `dir`; after it
/// exits, its status goes to `exit-status` and the tty's modes to `stty`.
fn start(dir: &Path, args: &str, env: &str, setup: &[&[&str]]) -> (Tmux, PathBuf) {
    let exit_file = dir.join("exit-status");
    // One tmux server per start: tests run in parallel, and each kills its
    // own server when done.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = Tmux {
        socket: format!("atlas-x509-e2e-{}-{n}", std::process::id()),
    };
    let cmd = format!(
        "HOME='{home}' XDG_STATE_HOME='{home}/state' NO_COLOR=1 {env} '{bin}' {args}; echo $? > '{exit}'; stty -a > '{home}/stty'; sleep 30",
        home = dir.display(),
        bin = env!("CARGO_BIN_EXE_atlas-x509"),
        exit = exit_file.display()
    );
    // The server starts with a placeholder so options can be set before the app runs.
    t.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "160",
        "-y",
        "45",
        "-c",
        &dir.to_string_lossy(),
        "sleep 60",
    ]);
    for s in setup {
        t.run(s);
    }
    t.run(&[
        "respawn-pane",
        "-k",
        "-t",
        "e2e",
        "-c",
        &dir.to_string_lossy(),
        &cmd,
    ]);
    (t, exit_file)
}

fn wait_exit(exit_file: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !exit_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(exit_file)
        .expect("the app exited")
        .trim()
        .to_string()
}

/// Project orders-staging, user alice, issue dialog open at `months`.
fn issue_for_alice(t: &Tmux, months: &str) -> String {
    t.wait_for("the projects", |s| {
        s.contains("payments-prod") && s.contains("orders-staging")
    });
    t.keys(&["j"]);
    t.wait_for("orders-staging's users", |s| {
        s.contains("alice") && s.contains("load-tester")
    });
    t.keys(&["Tab", "j"]);
    t.wait_for("alice's certificates", |s| {
        s.contains("orders-staging › alice") && s.contains("page 1/1")
    });
    t.keys(&["i"]);
    t.wait_for("the issue dialog", |s| s.contains("Issue a certificate"));
    t.keys(&[months]);
    t.wait_for("the months", |s| {
        s.contains(&format!("Valid for  {months} month"))
    });
    t.keys(&["Enter"]);
    t.wait_for("the PEM", |s| {
        s.contains("Certificate issued") && s.contains("-----BEGIN CERTIFICATE-----")
    })
}

fn month_after(months: i64) -> String {
    let now = jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::UTC);
    now.checked_add(jiff::Span::new().months(months))
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string()
}

fn saved_pem(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pem"))
        .expect("a .pem file was saved")
}

#[test]
fn issue_and_save_a_certificate_in_the_real_binary() {
    let dir = tempfile::tempdir().unwrap();
    let (t, exit_file) = start_demo(dir.path(), "", "", &[]);
    let expiry = month_after(6);
    let pem_screen = issue_for_alice(&t, "6");
    assert!(
        pem_screen.contains("Key        RSA 4096 · private key included, hidden"),
        "{pem_screen}"
    );
    assert!(pem_screen.contains("Subject    CN=alice"));
    t.keys(&[
        "G", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j",
    ]);
    let scrolled = t.wait_for("the end of the PEM", |s| {
        s.contains("-----END PRIVATE KEY-----")
    });
    assert!(
        scrolled.contains("lines hidden · v to reveal"),
        "the key body is masked:\n{scrolled}"
    );

    t.keys(&["s"]);
    t.wait_for("the save prompt", |s| s.contains("Save to: ./alice-"));
    t.keys(&["Enter"]);
    t.wait_for("the save to finish", |s| s.contains("saved to ./alice-"));
    t.keys(&["Escape"]);
    let listed = t.wait_for("the new certificate in the table", |s| {
        s.contains("5 certs") && !s.contains("Certificate issued ·")
    });
    let expiry_alt = month_after(6);
    assert!(
        listed.contains(&expiry) || listed.contains(&expiry_alt),
        "a certificate expiring {expiry} is listed:\n{listed}"
    );

    t.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !exit_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        std::fs::read_to_string(&exit_file)
            .expect("the app exited")
            .trim(),
        "0"
    );

    let path = saved_pem(dir.path());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let cert_end = text.find("-----END CERTIFICATE-----").unwrap() + 25;
    let (_, p) = x509_parser::pem::parse_x509_pem(&text.as_bytes()[..cert_end]).unwrap();
    let (_, cert) = X509Certificate::from_der(&p.contents).unwrap();
    assert_eq!(cert.subject().to_string(), "CN=alice");
    let key = rcgen::KeyPair::from_pem(&text[cert_end..]).expect("a PKCS#8 private key follows");
    assert_eq!(
        rcgen::PublicKeyData::subject_public_key_info(&key),
        cert.public_key().raw,
        "the key belongs to the certificate"
    );
    let serial = path
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .rsplit('-')
        .next()
        .unwrap()
        .to_string();
    assert!(
        listed.contains(&serial),
        "the saved serial {serial} is the listed one"
    );
}

#[test]
fn copy_through_tmux_osc52_and_the_discard_guard() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace.log");
    let (t, exit_file) = start_demo(
        dir.path(),
        &format!("--clipboard osc52 --log-file '{}'", log.display()),
        "ATLAS_X509_LOG=trace",
        &[&["set-option", "-g", "set-clipboard", "on"]],
    );
    issue_for_alice(&t, "2");

    // Closing before saving or copying asks, and No keeps the key.
    t.keys(&["Escape"]);
    t.wait_for("the discard question", |s| {
        s.contains("The private key cannot be downloaded again. Discard it (and its kept copy")
            && s.contains("y yes")
    });
    t.keys(&["n"]);
    t.wait_for("the PEM again", |s| s.contains("Not saved or copied yet"));

    t.keys(&["y"]);
    t.wait_for("the copy", |s| {
        s.contains("copied via OSC 52 through tmux (tmux's clipboard")
    });
    let buffer = t.run(&["show-buffer"]);
    assert!(
        buffer.starts_with("-----BEGIN CERTIFICATE-----"),
        "{buffer}"
    );
    assert!(buffer.contains("-----BEGIN PRIVATE KEY-----"));

    // Saved too: the file and the clipboard hold the same PEM.
    t.keys(&["s"]);
    t.wait_for("the save prompt", |s| s.contains("Save to: ./alice-"));
    t.keys(&["Enter"]);
    t.wait_for("the save", |s| s.contains("saved to ./alice-"));
    let saved = std::fs::read_to_string(saved_pem(dir.path())).unwrap();
    assert_eq!(buffer, saved);

    t.keys(&["Escape"]);
    t.wait_for("the PEM dialog to close", |s| {
        !s.contains("Certificate issued ·")
    });
    t.keys(&["q"]);
    assert_eq!(wait_exit(&exit_file), "0");
    let kept: Vec<_> = std::fs::read_dir(dir.path().join("state/atlas-x509/rescue"))
        .expect("the key was written ahead")
        .collect();
    assert!(kept.is_empty(), "saved: the kept copy is gone: {kept:?}");

    let log = std::fs::read_to_string(&log).expect("a trace log was written");
    assert!(log.len() > 1_000, "trace logging ran: {} bytes", log.len());
    assert!(
        !log.contains("PRIVATE KEY"),
        "the key never reaches the log"
    );
    assert!(
        !log.contains("Digest username"),
        "no Authorization header in the log"
    );
}

#[test]
fn a_panic_restores_the_terminal_rescues_the_key_and_leaks_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let h = rt
        .block_on(atlas_sim::start(atlas_sim::SimConfig {
            key_type: atlas_sim::KeyType::Ec,
            ..Default::default()
        }))
        .unwrap();
    let c = h.credentials.clone();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let env = format!(
        "MONGODB_ATLAS_OPS_MANAGER_URL='{}' MONGODB_ATLAS_PUBLIC_API_KEY='{}' MONGODB_ATLAS_PRIVATE_API_KEY='{}' ATLAS_X509_LOG=trace ATLAS_X509_TEST_PANIC_KEY=P",
        c.base_url, c.public_key, c.private_key
    );
    let (t, exit_file) = start(
        dir.path(),
        &format!("--mouse --log-file '{d}/trace.log' 2> '{d}/stderr'"),
        &env,
        &[],
    );
    issue_for_alice(&t, "2");
    // The key is neither saved nor copied when the app dies.
    t.keys(&["P"]);
    assert_eq!(wait_exit(&exit_file), "1", "a panic is a failure");
    assert_sane_terminal(&t, dir.path());
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    assert!(stderr.contains("forced test panic"), "{stderr}");
    let rescue_dir = dir.path().join("state/atlas-x509/rescue");
    let rescued: Vec<PathBuf> = std::fs::read_dir(&rescue_dir)
        .expect("a rescue directory")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(rescued.len(), 1);
    assert!(
        stderr.contains(&rescued[0].display().to_string()),
        "{stderr}"
    );
    let pem = std::fs::read_to_string(&rescued[0]).unwrap();
    assert!(pem.contains("-----BEGIN CERTIFICATE-----") && pem.contains("PRIVATE KEY"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&rescued[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let log = std::fs::read_to_string(dir.path().join("trace.log")).unwrap();
    for (what, text) in [("stderr", &stderr), ("log", &log)] {
        assert!(!text.contains(&c.private_key), "{what} holds the API key");
        assert!(!text.contains("PRIVATE KEY"), "{what} holds the key");
        assert!(!text.contains("Digest username"), "{what} holds a header");
    }
}

/// The app's pid, from the pane's process tree (the shell runs it as a child).
fn app_pid(t: &Tmux) -> String {
    let shell = t.run(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"]);
    let out = Command::new("pgrep")
        .args(["-P", shell.trim(), "atlas-x509"])
        .output()
        .expect("pgrep (procps)");
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "the app runs under the pane's shell");
    pid
}

fn assert_sane_terminal(t: &Tmux, dir: &Path) {
    let modes = t.run(&[
        "display-message",
        "-p",
        "-t",
        "e2e",
        "#{alternate_on} #{cursor_flag} #{mouse_any_flag}",
    ]);
    assert_eq!(
        modes.trim(),
        "0 1 0",
        "main screen, cursor shown, mouse released"
    );
    // The shell writes the exit status first and the tty's modes after it.
    let deadline = Instant::now() + Duration::from_secs(60);
    let stty = loop {
        let text = std::fs::read_to_string(dir.join("stty")).unwrap_or_default();
        if text.contains("icanon") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    for mode in ["icanon", "echo", "icrnl", "opost", "isig"] {
        assert!(
            stty.split_whitespace().any(|w| w == mode),
            "the tty is cooked again ({mode}): {stty}"
        );
    }
}

#[test]
fn sigterm_with_an_unsaved_key_restores_the_terminal_and_rescues_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let (t, exit_file) = start_demo(dir.path(), &format!("--mouse 2> '{d}/stderr'"), "", &[]);
    issue_for_alice(&t, "2");
    let pid = app_pid(&t);
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert_eq!(wait_exit(&exit_file), "143", "128 + SIGTERM");
    assert_sane_terminal(&t, dir.path());
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    let rescued: Vec<PathBuf> = std::fs::read_dir(dir.path().join("state/atlas-x509/rescue"))
        .expect("a rescue directory")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(rescued.len(), 1, "{stderr}");
    assert!(
        stderr.contains(&rescued[0].display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("stopped by SIGTERM"), "{stderr}");
    let pem = std::fs::read_to_string(&rescued[0]).unwrap();
    assert!(pem.contains("PRIVATE KEY"));

    // The next start says a rescued key is waiting.
    let (t2, exit2) = start_demo(dir.path(), "", "", &[]);
    t2.wait_for("the rescue note", |s| {
        s.contains("rescued key file(s) wait in")
    });
    t2.keys(&["q"]);
    assert_eq!(wait_exit(&exit2), "0");
}

#[test]
fn sighup_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let (t, exit_file) = start(dir.path(), &format!("--demo 2> '{d}/stderr'"), "", &[]);
    t.wait_for("the projects", |s| s.contains("payments-prod"));
    let pid = app_pid(&t);
    Command::new("kill").args(["-HUP", &pid]).status().unwrap();
    assert_eq!(wait_exit(&exit_file), "129", "128 + SIGHUP");
    assert_sane_terminal(&t, dir.path());
    assert!(
        !dir.path().join("state/atlas-x509/rescue").exists(),
        "nothing to rescue"
    );
}

/// An expired user-account token on a terminal: the app asks before running
/// the Atlas CLI, runs it on "y", reads the profile again and goes on.
#[test]
fn an_expired_token_is_renewed_through_the_atlas_cli_when_the_user_says_yes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let h = rt.block_on(common::sim());
    let home = common::fake_atlas::cli_home(&h, &h.user_access_token(-60));
    let dir = home.path();
    let env = format!(
        "XDG_CONFIG_HOME='{d}/.config' PATH='{d}/bin':\"$PATH\" FAKE_ATLAS_LOG='{d}/atlas.log' DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent",
        d = dir.display()
    );
    let (t, exit_file) = start(dir, "projects", &env, &[]);
    t.wait_for("the renewal question", |s| {
        s.contains(
            "Run `atlas organizations list --limit 1 --output json --profile work` now? [Y/n]",
        )
    });
    assert_eq!(
        std::fs::read_to_string(dir.join("atlas.log")).unwrap_or_default(),
        "",
        "nothing run before the answer"
    );
    t.keys(&["y", "Enter"]);
    let screen = t.wait_for("the project table", |s| s.contains("orders-staging"));
    assert!(screen.contains("access token renewed"), "{screen}");
    assert_eq!(wait_exit(&exit_file), "0");
    assert_eq!(
        std::fs::read_to_string(dir.join("atlas.log")).unwrap(),
        "organizations list --limit 1 --output json --profile work\n"
    );
}

/// The expiring view, rotation from it and the hand-over, by keys.
#[test]
fn rotate_a_user_from_the_expiring_view_and_save_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (t, exit_file) = start_demo(dir.path(), "", "", &[]);
    t.wait_for("the projects", |s| s.contains("orders-staging"));
    t.keys(&["e"]);
    let view = t.wait_for("the scan to finish", |s| {
        s.contains("Expiring") && s.contains("scanned: projects 4/4")
    });
    assert!(
        view.contains("skipped: analytics-eu: customer CA, payments-prod: customer CA"),
        "{view}"
    );
    let rows: Vec<&str> = view
        .lines()
        .filter(|l| l.contains("orders-staging") || l.contains("sandbox"))
        .collect();
    assert!(
        rows[0].contains("fresh-service") && rows[0].contains("none"),
        "{view}"
    );
    assert!(rows[1].contains("dev"), "soonest first: {view}");
    t.keys(&["j", "Enter"]);
    t.wait_for("the issue dialog for dev", |s| {
        s.contains("Issue a certificate")
            && s.contains("User       dev")
            && s.contains("Valid for  1 month")
    });
    t.keys(&["l"]);
    t.wait_for("two months", |s| s.contains("Valid for  2 months"));
    t.keys(&["Enter"]);
    t.wait_for("the PEM", |s| s.contains("Certificate issued"));
    t.keys(&["s"]);
    t.wait_for("the save prompt", |s| s.contains("Save to: ./dev-"));
    t.keys(&["Enter"]);
    t.wait_for("the save", |s| s.contains("saved to ./dev-"));
    t.keys(&["Escape"]);
    let after = t.wait_for("the row rotated", |s| {
        s.contains("rotated") && s.contains("Expiring")
    });
    let expiry = month_after(2);
    let row = after
        .lines()
        .find(|l| l.contains(" dev "))
        .unwrap_or_default();
    assert!(
        row.contains("rotated") && row.contains(&expiry),
        "dev shows its new expiry {expiry}:\n{after}"
    );
    t.keys(&["q"]);
    assert_eq!(wait_exit(&exit_file), "0");
    let path = saved_pem(dir.path());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("BEGIN CERTIFICATE") && text.contains("PRIVATE KEY"));
}

// ---- losing the terminal ----------------------------------------------------
//
// The app runs in a pane as a person runs it: under a shell, stderr on the
// terminal. The simulator lives in the test, so what Atlas issued can be
// read back after the app is gone and matched, by serial, with what is on
// disk.

struct Loss {
    rt: tokio::runtime::Runtime,
    sim: atlas_sim::SimHandle,
    dir: tempfile::TempDir,
}

impl Loss {
    fn new() -> Self {
        Self::with(None)
    }

    fn with(issue_fault: Option<atlas_sim::IssueFault>) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let sim = rt
            .block_on(atlas_sim::start(atlas_sim::SimConfig {
                key_type: atlas_sim::KeyType::Ec,
                issue_fault,
                ..Default::default()
            }))
            .unwrap();
        Self {
            rt,
            sim,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn env(&self, extra: &str) -> String {
        let c = &self.sim.credentials;
        format!(
            "MONGODB_ATLAS_OPS_MANAGER_URL='{}' MONGODB_ATLAS_PUBLIC_API_KEY='{}' MONGODB_ATLAS_PRIVATE_API_KEY='{}' {extra}",
            c.base_url, c.public_key, c.private_key
        )
    }

    /// The app on the pane's terminal, stderr included.
    fn start(&self, extra_env: &str) -> (Tmux, PathBuf) {
        let d = self.dir.path().display();
        start(
            self.dir.path(),
            &format!("--log-file '{d}/trace.log'"),
            &self.env(extra_env),
            &[],
        )
    }

    fn alice_serials(&self) -> Vec<u64> {
        let c = common::digest_client(&self.sim);
        self.rt
            .block_on(c.all_certs(common::ORDERS, "alice", 500, 2))
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect()
    }

    /// The rescued key files: each 0600, each a certificate with its key.
    fn rescued(&self) -> Vec<(PathBuf, u64)> {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.dir.path().join("state/atlas-x509/rescue");
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return vec![];
        };
        rd.map(|e| e.unwrap().path())
            .map(|p| {
                let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", p.display());
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(text.contains("PRIVATE KEY-----"), "{}", p.display());
                let pem = atlas_client::IssuedPem::new(text);
                let info = atlas_client::inspect::inspect(&pem)
                    .unwrap_or_else(|| panic!("{}: not a certificate", p.display()));
                (p, info.serial)
            })
            .collect()
    }

    /// Every certificate issued while the test ran has its key on disk,
    /// and the next start says where. Returns (issued, on disk).
    fn assert_every_key_kept(&self, before: &[u64]) -> (usize, usize) {
        let issued: Vec<u64> = self
            .alice_serials()
            .into_iter()
            .filter(|s| !before.contains(s))
            .collect();
        let rescued = self.rescued();
        let on_disk: Vec<u64> = rescued.iter().map(|r| r.1).collect();
        for s in &issued {
            assert!(
                on_disk.contains(s),
                "serial {s} was issued and its key is not on disk: {rescued:?}"
            );
        }
        let (t, exit) = self.start("");
        t.wait_for("the rescue note", |s| {
            s.contains("rescued key file(s) wait in")
        });
        t.keys(&["q"]);
        assert_eq!(wait_exit(&exit), "0");
        (issued.len(), on_disk.len())
    }
}

/// How long the process took to go after the terminal did.
fn gone_within(pid: &str, limit: Duration) -> Duration {
    let t0 = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists() {
        // A zombie has left; only its parent has not looked yet.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat.split_whitespace().nth(2) == Some("Z") {
            break;
        }
        assert!(
            t0.elapsed() < limit,
            "still running {limit:?} after losing its terminal"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    t0.elapsed()
}

/// Where the key is when the terminal goes.
#[derive(PartialEq)]
enum KeyAt {
    OnScreen,
    /// Issued, its answer held by the simulator until the terminal is gone.
    InAtlasAnswer,
}

fn lose_terminal(case: &str, at: KeyAt, lose: impl FnOnce(&Tmux, &str)) {
    let l = Loss::new();
    let before = l.alice_serials();
    let (t, _exit) = l.start("");
    if at == KeyAt::OnScreen {
        issue_for_alice(&t, "2");
    } else {
        l.sim.hold_answers();
        issue_until_sent(&t);
        crate::common::wait_until(case, || !l.sim.issued().is_empty());
    }
    let pid = app_pid(&t);
    lose(&t, &pid);
    l.sim.release_answers();
    let took = gone_within(&pid, Duration::from_secs(60));
    drop(t);
    let (issued, on_disk) = l.assert_every_key_kept(&before);
    assert_eq!(issued, 1, "{case}: one certificate was issued");
    eprintln!(
        "terminal loss · {case}: keys issued {issued}, keys on disk {on_disk}, exit {:.2} s after the terminal went",
        took.as_secs_f64()
    );
}

/// Project orders-staging, user alice, Enter on the issue dialog; returns
/// once the request is on its way.
fn issue_until_sent(t: &Tmux) {
    t.wait_for("the projects", |s| s.contains("orders-staging"));
    t.keys(&["j"]);
    t.wait_for("orders-staging's users", |s| s.contains("alice"));
    t.keys(&["Tab", "j"]);
    t.wait_for("alice's certificates", |s| {
        s.contains("orders-staging › alice") && s.contains("page 1/1")
    });
    t.keys(&["i"]);
    t.wait_for("the issue dialog", |s| s.contains("Issue a certificate"));
    t.keys(&["Enter"]);
    t.wait_for("the request on its way", |s| s.contains("Issuing"));
}

#[test]
fn the_pane_killed_with_the_key_on_screen_keeps_the_key() {
    lose_terminal("pane killed, dialog open", KeyAt::OnScreen, |t, _| {
        t.run(&["kill-pane", "-t", "e2e"]);
    });
}

#[test]
fn the_tmux_server_killed_with_the_key_on_screen_keeps_the_key() {
    lose_terminal(
        "tmux server killed, dialog open",
        KeyAt::OnScreen,
        |t, _| {
            t.run(&["kill-server"]);
        },
    );
}

#[test]
fn the_pane_killed_while_atlas_holds_the_answer_keeps_the_key() {
    lose_terminal(
        "pane killed, POST answer held",
        KeyAt::InAtlasAnswer,
        |t, _| {
            t.run(&["kill-pane", "-t", "e2e"]);
        },
    );
}

#[test]
fn sigkill_with_the_key_on_screen_keeps_the_key() {
    lose_terminal("SIGKILL, dialog open", KeyAt::OnScreen, |_, pid| {
        Command::new("kill").args(["-KILL", pid]).status().unwrap();
    });
}

#[test]
fn a_panic_inside_the_pem_dialog_keeps_the_key() {
    let l = Loss::new();
    let before = l.alice_serials();
    let (t, exit) = l.start("ATLAS_X509_TEST_PANIC_IN_DIALOG=P");
    issue_for_alice(&t, "2");
    t.keys(&["P"]);
    assert_eq!(wait_exit(&exit), "1", "a panic is a failure");
    assert_sane_terminal(&t, l.dir.path());
    let (issued, on_disk) = l.assert_every_key_kept(&before);
    assert_eq!((issued, on_disk), (1, 1));
}

#[test]
fn answers_that_are_not_what_was_asked_are_warned_about_and_kept() {
    use atlas_sim::IssueFault;
    for (fault, says) in [
        (
            IssueFault::OtherSubject,
            "names \"CN=admin\", not \"CN=alice\"",
        ),
        (IssueFault::Expired, "expired at"),
        (IssueFault::ForeignKey, "does not belong to its certificate"),
    ] {
        let l = Loss::with(Some(fault));
        let before = l.alice_serials();
        let (t, exit) = l.start("");
        issue_for_alice(&t, "2");
        let screen = t.wait_for("the warning", |s| s.contains(says));
        assert!(
            screen.contains("⚠"),
            "{fault:?}: said as a warning:\n{screen}"
        );
        assert!(
            screen.contains("kept in"),
            "{fault:?}: and where the key is:\n{screen}"
        );
        // Kept on disk before anything else was done with it.
        let rescued = l.rescued();
        assert_eq!(rescued.len(), 1, "{fault:?}");
        let new: Vec<u64> = l
            .alice_serials()
            .into_iter()
            .filter(|s| !before.contains(s))
            .collect();
        assert_eq!(new, vec![rescued[0].1], "{fault:?}: the issued serial");
        Command::new("kill")
            .args(["-TERM", &app_pid(&t)])
            .status()
            .unwrap();
        assert_eq!(wait_exit(&exit), "143", "{fault:?}");
        assert_eq!(l.rescued().len(), 1, "{fault:?}: still there, once");
    }
}

#[test]
fn a_save_to_a_directory_that_does_not_exist_is_refused_in_the_clis_words() {
    let l = Loss::new();
    let (t, exit) = l.start("");
    issue_for_alice(&t, "2");
    t.keys(&["s"]);
    t.wait_for("the save prompt", |s| s.contains("Save to:"));
    // Clear the proposed path, then type one naming a missing directory.
    t.run(&["send-keys", "-t", "e2e", "-N", "80", "BSpace"]);
    t.run(&["send-keys", "-t", "e2e", "-l", "newdir/"]);
    t.keys(&["Enter"]);
    t.wait_for("the refusal", |s| {
        s.contains("newdir/: no such directory (it is not created; make it first)")
    });
    assert!(!l.dir.path().join("newdir").exists(), "nothing was made");
    assert_eq!(l.rescued().len(), 1, "the key is still kept");
    Command::new("kill")
        .args(["-TERM", &app_pid(&t)])
        .status()
        .unwrap();
    assert_eq!(wait_exit(&exit), "143");
}

/// `:` jumps by name; the terminal is then closed (the tmux server killed,
/// as when a window or an SSH session goes), and the next run opens on the
/// same project and user.
#[test]
fn the_next_run_opens_where_a_closed_terminal_left_off() {
    let dir = tempfile::tempdir().unwrap();
    let (t, _) = start_demo(dir.path(), "", "", &[]);
    t.wait_for("the projects", |s| s.contains("payments-prod"));
    t.keys(&[":", "p orders", "Enter"]);
    t.wait_for("orders-staging's users", |s| s.contains("svc.orders"));
    t.keys(&[":", "user svc.o", "Tab"]);
    t.wait_for("the completed name", |s| s.contains(":user svc.orders"));
    t.keys(&["Enter"]);
    t.wait_for("svc.orders in the header", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("orders-staging › svc.orders"))
    });
    let pid = app_pid(&t);
    t.run(&["kill-server"]);
    gone_within(&pid, Duration::from_secs(20));
    let kept = std::fs::read_to_string(dir.path().join("state/atlas-x509/places.json"))
        .expect("the place is kept when the terminal closes");
    assert!(kept.contains("svc.orders"), "{kept}");

    let (t, exit_file) = start_demo(dir.path(), "", "", &[]);
    let s = t.wait_for("the place left", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("orders-staging › svc.orders"))
    });
    assert!(s.contains("▶ Certificates"), "the pane it was in:\n{s}");
    t.keys(&["q"]);
    assert_eq!(wait_exit(&exit_file), "0");
}
