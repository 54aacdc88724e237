//! Deploy hooks: the command that carries a new certificate to the service
//! that uses it, run once per file written (certbot's `--deploy-hook`).
//! The details travel in the environment; the key stays in its 0600 file,
//! never in the environment or the arguments. No shell unless asked for,
//! a timeout, the output captured (capped, secrets redacted) for the report.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::AsyncReadExt;

use super::stop::Stop;

/// What a hook's output is kept to, for the report and stderr.
pub const OUTPUT_MAX: usize = 16 * 1024;
/// A hook is asked to stop (SIGTERM) this long before it is killed.
const GRACE: Duration = Duration::from_secs(2);

/// Variables of ours that hold credentials: a hook is not given them.
const SECRET_VARS: [&str; 12] = [
    "MONGODB_ATLAS_PRIVATE_API_KEY",
    "MONGODB_ATLAS_CLIENT_SECRET",
    "MONGODB_ATLAS_ACCESS_TOKEN",
    "MONGODB_ATLAS_REFRESH_TOKEN",
    "MCLI_PRIVATE_API_KEY",
    "MCLI_CLIENT_SECRET",
    "MCLI_ACCESS_TOKEN",
    "MCLI_REFRESH_TOKEN",
    "ATLAS_PRIVATE_API_KEY",
    "ATLAS_CLIENT_SECRET",
    "ATLAS_ACCESS_TOKEN",
    "ATLAS_REFRESH_TOKEN",
];

#[derive(Debug, Clone)]
pub struct Hook {
    /// As the user typed it, for messages.
    pub text: String,
    /// The program and its arguments (`sh -c TEXT` with `shell`).
    pub argv: Vec<String>,
    pub timeout: Duration,
    /// `--hook-output`: the output (redacted) goes into the report and
    /// `--json`; by default it is only for a failing hook's stderr lines.
    pub keep_output: bool,
}

impl Hook {
    pub fn parse(text: &str, shell: bool, timeout: Duration) -> Result<Self, String> {
        let argv = if shell {
            if text.trim().is_empty() {
                return Err("--deploy-hook is empty".into());
            }
            vec!["/bin/sh".into(), "-c".into(), text.to_string()]
        } else {
            split_words(text)?
        };
        found(&argv[0])?;
        Ok(Hook {
            text: text.to_string(),
            argv,
            timeout,
            keep_output: false,
        })
    }
}

/// The hook's program must be there before anything is issued: a
/// certificate cannot be revoked, so a hook that cannot start is found out
/// now, not after Atlas made one.
fn found(program: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let runnable = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let ok = if program.contains('/') {
        runnable(std::path::Path::new(program))
    } else {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|d| runnable(&d.join(program))))
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{program:?} is not an executable file{}; nothing was sent",
            if program.contains('/') {
                ""
            } else {
                " on PATH"
            }
        ))
    }
}

/// Splits a command line into words as a POSIX shell would quote them
/// (`'…'`, `"…"`, `\`), and nothing more: no variables, globs or pipes —
/// `--deploy-hook-shell` is for those.
pub fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = vec![];
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("--deploy-hook: a ' is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err("--deploy-hook: a \" is not closed".into()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("--deploy-hook: a \" is not closed".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') => {}
                    Some(c) => cur.push(c),
                    None => return Err("--deploy-hook ends in a lone \\".into()),
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    if words.is_empty() {
        return Err("--deploy-hook is empty".into());
    }
    Ok(words)
}

/// The certificate a hook delivers.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub pem: PathBuf,
    pub project_id: String,
    pub project_name: String,
    pub username: String,
    pub serial: u64,
    pub not_after: jiff::Timestamp,
    /// The user's stable path (`live/<project>/<user>.pem`), when kept.
    pub live: Option<PathBuf>,
    /// A rehearsal (`--dry-run --run-hooks`): the hook gets the current
    /// live file and `ATLAS_X509_DRY_RUN=1`.
    pub dry_run: bool,
    /// For a failure hook: why the rotation, the delivery or the run failed.
    pub failure: Option<String>,
}

impl Delivery {
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("ATLAS_X509_PEM", self.pem.display().to_string()),
            ("ATLAS_X509_PROJECT_ID", self.project_id.clone()),
            ("ATLAS_X509_PROJECT_NAME", self.project_name.clone()),
            ("ATLAS_X509_USERNAME", self.username.clone()),
            ("ATLAS_X509_SERIAL", self.serial.to_string()),
            (
                "ATLAS_X509_NOT_AFTER",
                self.not_after.strftime(crate::format::ISO_UTC).to_string(),
            ),
        ]
        .into_iter()
        .chain(
            self.live
                .as_ref()
                .map(|l| ("ATLAS_X509_LIVE", l.display().to_string())),
        )
        .chain(
            self.dry_run
                .then(|| ("ATLAS_X509_DRY_RUN", "1".to_string())),
        )
        .chain(
            self.failure
                .as_ref()
                .map(|f| ("ATLAS_X509_FAILURE", atlas_client::sanitize::line(f, 2_000))),
        )
        // A run's own failure has no certificate: no serial, no expiry.
        .filter(|(k, v)| {
            let no_certificate = (*k == "ATLAS_X509_SERIAL" && v == "0")
                || (*k == "ATLAS_X509_NOT_AFTER" && self.not_after == jiff::Timestamp::UNIX_EPOCH);
            !v.is_empty() && !no_certificate
        })
        .collect()
    }
}

/// How a hook ended (or why it did not run), as the report spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum HookStatus {
    Ok,
    #[default]
    Failed,
    TimedOut,
    /// A signal came while it ran: stopped, delivered by the next run.
    Interrupted,
    NotStarted,
    /// Not run: a signal came first.
    NotRun,
    /// A dry run's plan.
    WouldRun,
}

impl HookStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HookStatus::Ok => "ok",
            HookStatus::Failed => "failed",
            HookStatus::TimedOut => "timed-out",
            HookStatus::Interrupted => "interrupted",
            HookStatus::NotStarted => "not-started",
            HookStatus::NotRun => "not-run",
            HookStatus::WouldRun => "would-run",
        }
    }
}

/// How a hook ended, as the report holds it.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct HookRun {
    pub command: Vec<String>,
    pub status: HookStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    pub duration_ms: u64,
    /// stdout and stderr as they came, capped, secrets redacted; not yet
    /// escaped (stderr passes the sanitiser). For a failing hook's stderr
    /// lines only: a hook can print a key in encodings no redaction knows.
    #[serde(skip)]
    pub output: String,
    /// The same, in the report and `--json` only with `--hook-output`.
    #[serde(rename = "output", skip_serializing_if = "Option::is_none")]
    pub kept_output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl HookRun {
    pub fn ok(&self) -> bool {
        self.status == HookStatus::Ok
    }

    /// Not run: `status` says why (a signal came first, dry run).
    pub fn skipped(hook: &Hook, status: HookStatus) -> Self {
        HookRun {
            command: hook.argv.clone(),
            status,
            ..HookRun::default()
        }
    }

    /// One line for a table cell or a message.
    pub fn summary(&self) -> String {
        match (self.status, self.exit_code, self.signal) {
            (HookStatus::Failed, Some(c), _) => format!("exit {c}"),
            (HookStatus::Failed, None, Some(s)) => format!("killed by signal {s}"),
            (s, _, _) => s.as_str().to_string(),
        }
    }
}

/// Output of both pipes in arrival order, capped.
#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    cut: bool,
}

async fn drain<R: tokio::io::AsyncRead + Unpin>(mut r: R, into: Arc<Mutex<Captured>>) {
    let mut buf = [0u8; 4096];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if let Ok(mut c) = into.lock() {
                    let room = OUTPUT_MAX.saturating_sub(c.bytes.len());
                    c.bytes.extend_from_slice(&buf[..n.min(room)]);
                    c.cut |= n > room;
                }
            }
        }
    }
}

#[cfg(unix)]
fn kill_group(pid: Option<u32>, sig: i32) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill has no memory preconditions; -pid is the group the
        // hook leads (process_group(0) below), so its children go too.
        unsafe {
            libc::kill(-pid, sig);
        }
    }
}

/// Runs `hook` for `d`. `secrets`: text that must not reach the report
/// (the new key's lines), should the hook print the file it was given.
pub async fn run(hook: &Hook, d: &Delivery, stop: &Stop, secrets: &[&str]) -> HookRun {
    let started = Instant::now();
    let mut run = HookRun {
        command: hook.argv.clone(),
        ..HookRun::default()
    };
    let mut cmd = tokio::process::Command::new(&hook.argv[0]);
    cmd.args(&hook.argv[1..])
        .envs(d.env())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for v in SECRET_VARS {
        cmd.env_remove(v);
    }
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            run.status = HookStatus::NotStarted;
            run.error = Some(format!("{}: {e}", hook.argv[0]));
            return run;
        }
    };
    let pid = child.id();
    let captured = Arc::new(Mutex::new(Captured::default()));
    let mut readers = vec![];
    if let Some(o) = child.stdout.take() {
        readers.push(tokio::spawn(drain(o, captured.clone())));
    }
    if let Some(e) = child.stderr.take() {
        readers.push(tokio::spawn(drain(e, captured.clone())));
    }
    let (status, cut_short) = wait_or_stop(&mut child, pid, hook.timeout, stop).await;
    // A hook may leave a daemon holding its pipes: read what is there, and
    // do not wait for an end that never comes.
    for r in readers {
        let _ = tokio::time::timeout(Duration::from_millis(500), r).await;
    }
    #[cfg(unix)]
    kill_group(pid, libc::SIGKILL);
    run.status = HookStatus::Failed;
    if let Some(s) = status {
        run.exit_code = s.code();
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            run.signal = s.signal();
        }
        if s.success() {
            run.status = HookStatus::Ok;
        }
    }
    if let Some(c) = cut_short {
        run.status = c;
    }
    run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    run.output = output_of(&captured, d, secrets);
    run.kept_output = hook.keep_output.then(|| run.output.clone());
    if run.status == HookStatus::TimedOut {
        run.error = Some(format!(
            "still running after {} s; stopped",
            hook.timeout.as_secs()
        ));
    }
    run
}

/// Waits for the hook to end, for its timeout, or for a signal; a hook
/// that did not end by itself gets SIGTERM, then SIGKILL after a grace.
/// Its exit status, if it has one, and why it was stopped, if it was.
async fn wait_or_stop(
    child: &mut tokio::process::Child,
    pid: Option<u32>,
    timeout: Duration,
    stop: &Stop,
) -> (Option<std::process::ExitStatus>, Option<HookStatus>) {
    let seen = stop.count();
    let mut cut_short = None;
    let status = tokio::select! {
        s = child.wait() => s.ok(),
        () = tokio::time::sleep(timeout) => {
            cut_short = Some(HookStatus::TimedOut);
            None
        }
        () = stop.after(seen) => {
            cut_short = Some(HookStatus::Interrupted);
            None
        }
    };
    if status.is_some() {
        return (status, cut_short);
    }
    #[cfg(unix)]
    kill_group(pid, libc::SIGTERM);
    let status = match tokio::time::timeout(GRACE, child.wait()).await {
        Ok(s) => s.ok(),
        Err(_) => {
            #[cfg(unix)]
            kill_group(pid, libc::SIGKILL);
            let _ = child.start_kill();
            child.wait().await.ok()
        }
    };
    (status, cut_short)
}

/// What the hook printed, capped, with the key's lines and the secrets
/// redacted (the values it was handed are its own to print).
fn output_of(captured: &Mutex<Captured>, d: &Delivery, secrets: &[&str]) -> String {
    let (text, cut) = captured
        .lock()
        .map(|c| (String::from_utf8_lossy(&c.bytes).into_owned(), c.cut))
        .unwrap_or_default();
    let handed = d.env();
    let handed: Vec<&str> = handed.iter().map(|(_, v)| v.as_str()).collect();
    let mut output = atlas_client::sanitize::redact_known_keeping(&text, secrets, &handed);
    if cut {
        output.push_str("\n[output cut at 16 KiB]");
    }
    output
}

/// The last `n` lines of a hook's output, escaped for the terminal and
/// indented, for stderr; the report holds it all.
pub fn output_tail(output: &str, n: usize) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("  | {}", atlas_client::sanitize::line(l, 300)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines of a PEM's key block worth redacting if a hook echoes them.
pub fn key_lines(pem: &atlas_client::IssuedPem) -> Vec<String> {
    pem.private_key_pem()
        .map(|k| {
            k.lines()
                .map(str::trim)
                .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_as_a_shell_quotes_them_and_nothing_more() {
        assert_eq!(
            split_words("systemctl reload 'my app' \"x y\" a\\ b").unwrap(),
            ["systemctl", "reload", "my app", "x y", "a b"]
        );
        assert_eq!(
            split_words("echo $HOME | tee x").unwrap(),
            ["echo", "$HOME", "|", "tee", "x"]
        );
        assert_eq!(split_words("a ''").unwrap(), ["a", ""]);
        assert_eq!(split_words(r#""a\"b\n""#).unwrap(), [r#"a"b\n"#]);
        assert!(split_words("  ").is_err());
        assert!(split_words("'open").is_err());
        assert!(split_words("\"open").is_err());
        assert!(split_words("end\\").is_err());
    }

    #[test]
    fn a_shell_is_used_only_when_asked() {
        let h = Hook::parse("a | b", true, Duration::from_secs(1)).unwrap();
        assert_eq!(h.argv, ["/bin/sh", "-c", "a | b"]);
        let h = Hook::parse("true | b", false, Duration::from_secs(1)).unwrap();
        assert_eq!(h.argv, ["true", "|", "b"]);
        let e = Hook::parse("/nonexistent/hook --x", false, Duration::from_secs(1)).unwrap_err();
        assert!(
            e.contains("not an executable file") && e.contains("nothing was sent"),
            "{e}"
        );
        assert!(Hook::parse("no-such-program-here", false, Duration::from_secs(1)).is_err());
    }
}
