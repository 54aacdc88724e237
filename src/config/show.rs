//! `atlas-x509 config show`: every setting, its value and where it came
//! from. Secrets are never printed, not even in part.

use std::fmt::Write;

use super::{Resolved, Setting, Source};
use atlas_client::Credentials;

/// (setting, value, where it came from); `None`: no single source.
type Row = (String, String, Option<String>);

fn row(out: &mut Vec<Row>, name: &str, value: &str, source: &Source) {
    out.push((name.into(), value.into(), Some(source.to_string())));
}

fn row_of<T: std::fmt::Display>(out: &mut Vec<Row>, name: &str, s: &Setting<T>) {
    row(out, name, &s.value.to_string(), &s.source);
}

/// `now` (Unix seconds) tells an expired access token from a live one.
pub fn show(r: &Resolved, now: i64) -> String {
    let mut out = String::new();
    for (name, value, source) in rows(r, now) {
        let _ = match source {
            Some(source) => writeln!(out, "{name:<22} {value:<40} ({source})"),
            None => writeln!(out, "{name:<22} {value}"),
        };
    }
    if !r.problems.is_empty() {
        out.push_str("\nproblems:\n");
        for p in &r.problems {
            let _ = writeln!(out, "  - {p}");
        }
    }
    out
}

/// The same, for `--json`: `{"settings": {name: {value, source}}, "problems": [..]}`.
pub fn show_json(r: &Resolved, now: i64) -> serde_json::Value {
    let settings: serde_json::Map<String, serde_json::Value> = rows(r, now)
        .into_iter()
        .map(|(name, value, source)| {
            (
                name,
                serde_json::json!({ "value": typed(&value), "source": source }),
            )
        })
        .collect();
    serde_json::json!({ "settings": settings, "problems": r.problems })
}

/// A value as JSON has it: numbers and booleans as such, "(none)" as null.
fn typed(v: &str) -> serde_json::Value {
    match v {
        "true" => true.into(),
        "false" => false.into(),
        "(none)" => serde_json::Value::Null,
        _ => v
            .parse::<u64>()
            .map(Into::into)
            .unwrap_or_else(|_| v.into()),
    }
}

fn rows(r: &Resolved, now: i64) -> Vec<Row> {
    let mut out = Vec::new();
    row_of(&mut out, "profile", &r.profile);
    row_of(&mut out, "base_url", &r.base_url);
    match (&r.credentials, &r.credential_sources) {
        (Credentials::ApiKey { public_key, .. }, Some((p, s))) => {
            row(&mut out, "public_api_key", public_key, p);
            row(
                &mut out,
                "private_api_key",
                "******** (set, never shown)",
                s,
            );
        }
        (Credentials::ServiceAccount { client_id, .. }, Some((p, s))) => {
            row(&mut out, "client_id", client_id, p);
            row(&mut out, "client_secret", "******** (set, never shown)", s);
        }
        (Credentials::UserAccount { subject, .. }, Some((_, s))) => {
            let who = subject.as_deref().unwrap_or("(no subject in the token)");
            row(
                &mut out,
                "user_account",
                &atlas_client::sanitize::line(who, 80),
                s,
            );
            let state = match (r.credentials.usable_until(), r.credentials.expires_at()) {
                (Some(t), Some(exp)) if now >= t => {
                    format!("******** expired {}", crate::format::utc_seconds(exp))
                }
                (_, Some(exp)) => {
                    format!("******** valid until {}", crate::format::utc_seconds(exp))
                }
                _ => "******** (set, never shown)".to_string(),
            };
            row(&mut out, "access_token", &state, s);
        }
        _ => row(&mut out, "credentials", "none found", &Source::Default),
    }
    if let Some(k) = &r.keyring {
        out.push(("keyring".into(), k.to_string(), None));
    }
    match &r.project_id {
        Some(p) => row_of(&mut out, "project_id", p),
        None => row(&mut out, "project_id", "(none)", &Source::Default),
    }
    if let Some(o) = &r.org_id {
        row_of(&mut out, "org_id", o);
    }
    row_of(&mut out, "items_per_page", &r.items_per_page);
    row_of(&mut out, "default_months", &r.default_months);
    match &r.save_dir {
        Some(d) => row_of(&mut out, "save_dir", d),
        None => row(&mut out, "save_dir", ".", &Source::Default),
    }
    let clip = Setting {
        value: format!("{:?}", r.clipboard.value).to_lowercase(),
        source: r.clipboard.source.clone(),
    };
    row_of(&mut out, "clipboard", &clip);
    if let Some(c) = &r.clipboard_clear_after {
        row_of(&mut out, "clipboard_clear_after", c);
    }
    row_of(&mut out, "timeout", &r.timeout);
    row_of(&mut out, "concurrency", &r.concurrency);
    row_of(&mut out, "mouse", &r.mouse);
    row_of(&mut out, "key_write_ahead", &r.key_write_ahead);
    row_of(&mut out, "color", &r.color);
    for (action, keys) in &r.keys {
        out.push((format!("keys.{action}"), keys.join(", "), None));
    }
    out
}
