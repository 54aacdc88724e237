//! The Prometheus text format (node_exporter's textfile collector) for
//! `expiring --format prometheus` and `rotate --metrics FILE`: one writer,
//! so both speak the same names and labels.

use std::fmt::Write as _;
use std::path::Path;

use jiff::Timestamp;

use atlas_client::UserCert;

/// A MANAGED user as a scan saw it: its unexpired certificates, newest
/// last or in any order.
pub struct UserSeen<'a> {
    pub project_id: &'a str,
    pub project: &'a str,
    pub user: &'a str,
    pub certs: &'a [UserCert],
    /// Due by the renewal rule in force (a user with none is due).
    pub due: bool,
}

/// What one `rotate` run did.
pub struct RunSeen {
    pub at: Timestamp,
    /// The previous success when this run did not succeed.
    pub last_success: Option<Timestamp>,
    pub exit_code: u8,
    pub rotated: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// A label value as the format wants it: `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn head(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
}

/// Per certificate its expiry, per user its newest one's and whether it is
/// due, and when the scan ran.
pub fn users(out: &mut String, users: &[UserSeen], scanned_at: Timestamp) {
    head(
        out,
        "atlas_x509_certificate_not_after_seconds",
        "When an unexpired certificate of a MANAGED database user expires (Unix seconds).",
    );
    for u in users {
        let (p, pid, user) = (label(u.project), label(u.project_id), label(u.user));
        for c in u.certs {
            let _ = writeln!(
                out,
                "atlas_x509_certificate_not_after_seconds{{project=\"{p}\",project_id=\"{pid}\",user=\"{user}\",serial=\"{}\"}} {}",
                c.id,
                c.not_after.as_second()
            );
        }
    }
    head(
        out,
        "atlas_x509_user_newest_not_after_seconds",
        "When a MANAGED user's newest certificate expires (Unix seconds); 0 when it has none.",
    );
    for u in users {
        let newest = u
            .certs
            .iter()
            .map(|c| c.not_after.as_second())
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "atlas_x509_user_newest_not_after_seconds{{project=\"{}\",project_id=\"{}\",user=\"{}\"}} {newest}",
            label(u.project),
            label(u.project_id),
            label(u.user)
        );
    }
    head(
        out,
        "atlas_x509_user_due",
        "1 when a MANAGED user's newest certificate is due for renewal by the rule in force (or it has none), else 0.",
    );
    for u in users {
        let _ = writeln!(
            out,
            "atlas_x509_user_due{{project=\"{}\",project_id=\"{}\",user=\"{}\"}} {}",
            label(u.project),
            label(u.project_id),
            label(u.user),
            u8::from(u.due)
        );
    }
    head(
        out,
        "atlas_x509_scan_timestamp_seconds",
        "When the certificates above were read (Unix seconds).",
    );
    let _ = writeln!(
        out,
        "atlas_x509_scan_timestamp_seconds {}",
        scanned_at.as_second()
    );
}

/// The run's own figures.
pub fn run(out: &mut String, r: &RunSeen) {
    head(
        out,
        "atlas_x509_rotate_last_run_timestamp_seconds",
        "When the last rotate run ended (Unix seconds).",
    );
    let _ = writeln!(
        out,
        "atlas_x509_rotate_last_run_timestamp_seconds {}",
        r.at.as_second()
    );
    head(
        out,
        "atlas_x509_rotate_last_success_timestamp_seconds",
        "When a rotate run last ended without an error (Unix seconds); 0 if none has.",
    );
    let success = if r.exit_code == 0 || r.exit_code == crate::headless::EXIT_NOTHING_DUE {
        Some(r.at)
    } else {
        r.last_success
    };
    let _ = writeln!(
        out,
        "atlas_x509_rotate_last_success_timestamp_seconds {}",
        success.map_or(0, |t| t.as_second())
    );
    head(
        out,
        "atlas_x509_rotate_last_exit_code",
        "The last rotate run's exit code (see atlas-x509 rotate --help).",
    );
    let _ = writeln!(out, "atlas_x509_rotate_last_exit_code {}", r.exit_code);
    head(
        out,
        "atlas_x509_rotate_users",
        "Users the last rotate run rotated, failed to rotate or deliver, or skipped.",
    );
    for (outcome, n) in [
        ("rotated", r.rotated),
        ("failed", r.failed),
        ("skipped", r.skipped),
    ] {
        let _ = writeln!(out, "atlas_x509_rotate_users{{outcome=\"{outcome}\"}} {n}");
    }
}

/// The last success an earlier file recorded, to carry over a failed run.
pub fn last_success_in(path: &Path) -> Option<Timestamp> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text
        .lines()
        .find(|l| l.starts_with("atlas_x509_rotate_last_success_timestamp_seconds "))?;
    let secs: i64 = line.rsplit(' ').next()?.trim().parse().ok()?;
    (secs > 0)
        .then(|| Timestamp::from_second(secs).ok())
        .flatten()
}

/// The user figures an earlier file holds (all before the run's own).
pub fn users_section_in(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let end = text.find("# HELP atlas_x509_rotate_").unwrap_or(text.len());
    let users = &text[..end];
    users
        .starts_with("# HELP atlas_x509_certificate_not_after_seconds")
        .then(|| users.to_string())
}

/// Writes `text` to `path` atomically (a textfile collector must never read
/// half a file): a temporary file in the same directory, renamed over.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    crate::pem::save::write_new(text.as_bytes(), path, true, 0o644).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd\u{1b}e"), "a\\\"b\\\\c\\nde");
    }
}
