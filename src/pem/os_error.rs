//! An OS error in words, for messages about the files keys go to.

pub(super) fn reason(e: std::io::Error) -> String {
    atlas_client::os_error::words(&e)
}
