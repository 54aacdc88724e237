//! Keys the UI will never show (it ended, or it panicked): kept all the
//! same, and said where.

use crate::app::{ApiResult, Issued, Msg};
use crate::handover::Held;

/// The UI is gone: an issued key it will never show is kept all the same.
pub(super) fn keep_unheard(msg: Msg) {
    if let Msg::Api(_, ApiResult::Issued(Ok(issued))) = msg {
        let said = keep_unshown(*issued);
        tracing::warn!(said, "an issued key arrived after the UI ended");
    }
}

/// An issued key the UI never showed: where it is, in words; kept now
/// (rescue file, else a stream) when it was not written ahead.
pub fn keep_unshown(issued: Issued) -> String {
    match &issued.held {
        Held::File(path) => format!(
            "the certificate issued for {} arrived as the program ended; its key is in {} (mode 0600)",
            atlas_client::sanitize::line(&issued.username, 80),
            path.display()
        ),
        _ => keep_now(&issued.pem, &issued.username),
    }
}

/// A key held only in memory, kept now; the words say where it went.
pub fn keep_now(pem: &atlas_client::IssuedPem, username: &str) -> String {
    let kept = crate::handover::keep_somewhere(pem, username, false);
    format!(
        "the issued key for {} was neither saved nor copied: {}",
        atlas_client::sanitize::line(username, 80),
        kept.said
    )
}

pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    atlas_client::sanitize::line(&text, 300)
}
