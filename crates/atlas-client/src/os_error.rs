//! An OS error in words, for messages that name a file: "no such file or
//! directory", not "No such file or directory (os error 2)".

use std::io::{Error, ErrorKind};
use std::path::Path;

pub fn words(e: &Error) -> String {
    let said = match e.raw_os_error() {
        Some(libc::ENOTDIR) => "a part of the path is not a directory",
        Some(libc::EISDIR) => "it is a directory, not a file",
        Some(libc::ENOSPC) => "no space left on the device",
        Some(libc::EDQUOT) => "the disk quota is used up",
        Some(libc::EROFS) => "the file system is read-only",
        Some(libc::ELOOP) => "it is a symbolic link (not followed) or a loop of them",
        Some(libc::ENAMETOOLONG) => "the name is too long",
        Some(libc::ETXTBSY) => "the file is busy",
        _ => match e.kind() {
            ErrorKind::NotFound => "no such file or directory",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::AlreadyExists => "it already exists",
            ErrorKind::Interrupted => "interrupted",
            _ => return e.to_string(),
        },
    };
    said.to_string()
}

/// "PATH: what happened (what to do)".
pub fn about(path: &Path, e: &Error) -> String {
    let hint = match e.kind() {
        ErrorKind::NotFound => " (check the path; `~` is expanded, `$VARS` are not)",
        ErrorKind::PermissionDenied => " (check its owner and mode: ls -l)",
        _ => "",
    };
    format!(
        "{}: {}{hint}",
        crate::sanitize::line(&path.display().to_string(), 300),
        words(e)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_said_in_words_with_the_path_and_what_to_do() {
        let e = std::fs::read("/nonexistent/x.pem").unwrap_err();
        let said = about(Path::new("/nonexistent/x.pem"), &e);
        assert_eq!(
            said,
            "/nonexistent/x.pem: no such file or directory (check the path; `~` is expanded, `$VARS` are not)"
        );
        assert!(!said.contains("os error"));
        let e = Error::from_raw_os_error(libc::ENOTDIR);
        assert_eq!(words(&e), "a part of the path is not a directory");
    }
}
