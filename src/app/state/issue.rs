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
    pub error: Option<String>,
    /// The last request's answer was lost after it reached Atlas: a
    /// certificate may exist. Another one takes a deliberate key, not Enter.
    pub maybe_issued: bool,
}
