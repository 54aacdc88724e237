//! An OS error in words, for messages about the files keys go to.

pub(super) fn reason(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => format!("permission denied ({e})"),
        _ => e.to_string(),
    }
}
