//! The issue dialog: months for a new certificate.

use super::RequestId;

#[derive(Debug)]
pub struct IssueModal {
    pub group_id: String,
    pub project: String,
    pub username: String,
    pub months: u8,
    /// Digits typed so far, so "1" then "2" means 12.
    pub typed: String,
    pub in_flight: Option<RequestId>,
    /// Why the last digits typed were not taken ("…not 25"), until the
    /// next key.
    pub note: Option<String>,
    pub error: Option<String>,
    /// The last request's answer was lost after it reached Atlas: a
    /// certificate may exist. Another one takes a deliberate key, not Enter.
    pub maybe_issued: bool,
    /// A rotation from the expiring view: the certificate it replaces, so
    /// a validity that buys nothing is refused as `rotate` refuses it.
    pub replaces: Option<atlas_client::UserCert>,
}

impl IssueModal {
    /// The dialog for `username` in a project, at `months` (kept in 1..=24).
    pub fn new(group_id: String, project: String, username: String, months: u8) -> Self {
        IssueModal {
            group_id,
            project,
            username,
            months: months.clamp(1, 24),
            typed: String::new(),
            in_flight: None,
            note: None,
            error: None,
            maybe_issued: false,
            replaces: None,
        }
    }
}
