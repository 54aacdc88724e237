//! The hand-over of an issued PEM: save, copy (reading a certificate is
//! `atlas_client::inspect`).

pub mod clipboard;
pub mod open_dir;
mod os_error;
pub mod rescue;
pub mod save;

/// `<username>-<serial>.pem`, with the name made safe for a file name.
pub fn default_pem_name(username: &str, serial: Option<u64>) -> String {
    let safe = file_name_safe(username);
    match serial {
        Some(s) => format!("{safe}-{s}.pem"),
        None => format!("{safe}.pem"),
    }
}

/// A user name made safe as part of a file name (DNs carry `=`, `,`, `/`).
pub fn file_name_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        "key".into()
    } else {
        safe.to_string()
    }
}
