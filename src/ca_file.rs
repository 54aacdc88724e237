//! A customer CA bundle read from a file and checked before anything is
//! sent: what `enable-customer-x509` and the upload dialog both need.

use std::path::Path;

use atlas_client::bundle::{self, CaInfo};

/// One CA as the confirmations list it: subject, expiry, fingerprint.
pub fn describe(c: &CaInfo) -> String {
    format!(
        "{}  expires {}  sha256 {}…",
        atlas_client::sanitize::line(&c.subject, 200),
        crate::format::IsoUtc(c.not_after),
        &c.sha256[..c.sha256.len().min(23)]
    )
}

/// The CAs a project's user security holds, as far as they can be read.
pub fn configured(cas: Option<&str>) -> Result<Vec<CaInfo>, String> {
    bundle::parse(cas.unwrap_or_default())
}

/// (the PEM text, its certificates), or why not, naming the file and that
/// nothing was sent. `path` is already expanded.
pub fn read_checked(path: &Path, now: jiff::Timestamp) -> Result<(String, Vec<CaInfo>), String> {
    let shown = atlas_client::sanitize::line(&path.display().to_string(), 200);
    // Some reasons already say it; once is enough.
    let unsent = |why: String| {
        if why.contains("nothing was sent") {
            format!("{shown}: {why}")
        } else {
            format!("{shown}: {why}; nothing was sent")
        }
    };
    let text = bundle::read_capped(path).map_err(unsent)?;
    let cas = bundle::parse(&text).map_err(|e| unsent(e.to_string()))?;
    if let Some(why) = bundle::refusal(&cas, now) {
        return Err(unsent(format!("{why}: Atlas would refuse it")));
    }
    Ok((text, cas))
}
