//! The real binary, in tmux, driven by keys like a person: navigate to a
//! MANAGED user, issue a 6-month certificate, see it listed, save the PEM,
//! quit. Then the saved file must be a certificate and its matching key.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use x509_parser::prelude::*;

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
        let deadline = Instant::now() + Duration::from_secs(30);
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
    let exit_file = dir.path().join("exit-status");
    let t = Tmux {
        socket: format!("atlas-x509-e2e-{}", std::process::id()),
    };
    let cmd = format!(
        "HOME='{home}' NO_COLOR=1 '{bin}' --demo; echo $? > '{exit}'; sleep 30",
        home = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_atlas-x509"),
        exit = exit_file.display()
    );
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
        &dir.path().to_string_lossy(),
        &cmd,
    ]);

    t.wait_for("the projects", |s| {
        s.contains("payments-prod") && s.contains("orders-staging")
    });
    t.keys(&["j"]);
    t.wait_for("orders-staging's users", |s| {
        s.contains("alice") && s.contains("load-tester")
    });
    t.keys(&["Tab", "j"]);
    let before = t.wait_for("alice's certificates", |s| {
        s.contains("orders-staging › alice") && s.contains("page 1/1 · 4 certs")
    });
    assert!(before.contains("MANAGED"));

    t.keys(&["i"]);
    t.wait_for("the issue dialog", |s| s.contains("Issue a certificate"));
    t.keys(&["6"]);
    let expiry = month_after(6);
    t.wait_for("6 months", |s| s.contains("Valid for  6 months"));
    t.keys(&["Enter"]);
    let pem_screen = t.wait_for("the PEM", |s| {
        s.contains("Certificate issued") && s.contains("-----BEGIN CERTIFICATE-----")
    });
    assert!(
        pem_screen.contains("lines hidden · v to reveal"),
        "the key is masked:\n{pem_screen}"
    );
    assert!(pem_screen.contains("Subject    CN=alice"));

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
    let deadline = Instant::now() + Duration::from_secs(10);
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
