//! The hand-over of an issued PEM: save, copy, inspect.

pub mod clipboard;
pub mod inspect;
pub mod rescue;
pub mod save;

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
