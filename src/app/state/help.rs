//! The help screen and a certificate's details.

use atlas_client::UserCert;

/// The help screen, scrolled.
#[derive(Debug, Default)]
pub struct HelpView {
    pub scroll: u16,
}

/// Everything the list gives about one certificate.
#[derive(Debug)]
pub struct CertDetail {
    pub cert: UserCert,
    pub project: String,
    pub username: String,
}
