//! How a client is set up: where, as whom, how long a call may take, how
//! often a GET is retried, how far a list walk may go.

use std::sync::Arc;
use std::time::Duration;

use crate::{Credentials, Limits};

pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";
/// Every endpoint atlas-x509 calls exists at this resource version and no newer one.
pub const API_V2_MEDIA_TYPE: &str = "application/vnd.atlas.2023-01-01+json";

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    pub credentials: Credentials,
    /// The longest one call may take, retries and their waits included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries of a GET after a 429, a 5xx or a transport failure. Other
    /// methods are never retried: a POST creates a certificate each time.
    pub max_retries: u32,
    pub retry_base_delay: Duration,
    /// A `Retry-After` longer than this is reported, not waited out.
    pub max_retry_wait: Duration,
    /// How far a whole-list walk may go.
    pub limits: Limits,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            base_url: base_url.into(),
            credentials,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            retry_base_delay: Duration::from_millis(250),
            max_retry_wait: Duration::from_secs(30),
            limits: Limits::default(),
        }
    }
}

/// The last `RateLimit-*` headers Atlas sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitInfo {
    pub limit: u64,
    pub remaining: u64,
}

/// Told of every wait before a retry: how long, and the status (429, 5xx)
/// or 0 for a transport failure. The UI shows it instead of a bare spinner.
pub type WaitObserver = Arc<dyn Fn(Duration, u16) + Send + Sync>;
