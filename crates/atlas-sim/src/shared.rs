//! What the server's tasks share: the accepted credentials, the rules in
//! force, the store, nonces, tokens, rate-limit buckets and the request
//! log. Built once by `server::start`; read by the guard and the routes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::ca::KeyType;
use super::digest::NonceStore;
use super::store::Store;

/// What a client needs to talk to this simulator; printed by `atlas-x509 sim`.
#[derive(Debug, Clone, Serialize)]
pub struct SimCredentials {
    pub base_url: String,
    pub public_key: String,
    pub private_key: String,
    pub client_id: String,
    pub client_secret: String,
    /// A user-account session, as `atlas auth login` leaves in a profile.
    pub access_token: String,
    pub refresh_token: String,
}

/// One request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub status: u16,
    pub authenticated: bool,
}

pub(crate) struct Shared {
    pub creds: SimCredentials,
    pub key_type: KeyType,
    pub latency: Duration,
    pub fail_rate: f64,
    pub token_ttl: Duration,
    pub user_token_ttl: i64,
    pub issue_delay: Duration,
    pub issue_cooldown: Duration,
    pub issue_fault: Option<super::ca::IssueFault>,
    /// While true, an issued certificate's answer waits (it is recorded
    /// first): a test acts "mid-answer" without racing a clock.
    pub hold_answers: tokio::sync::watch::Sender<bool>,
    /// Until when certificate requests get a 429 (with `issue_cooldown`).
    pub cooldown_until: Mutex<Option<Instant>>,
    /// (project, user, serial) of every certificate issued, oldest first.
    pub issued: Mutex<Vec<(String, String, u64)>>,
    pub sessions: Mutex<super::account::Sessions>,
    pub store: Mutex<Store>,
    pub nonces: Mutex<NonceStore>,
    pub tokens: Mutex<HashMap<String, Instant>>,
    pub rate: Mutex<super::buckets::Buckets>,
    pub log: Mutex<Vec<RequestRecord>>,
}

/// Marks a response whose request passed authentication.
#[derive(Clone, Copy)]
pub(crate) struct Authenticated;

/// The log is for tests and benchmarks: bounded in records and in the bytes
/// of each, whatever a client sends.
const LOG_CAP: usize = 20_000;
pub(crate) const LOG_TARGET_MAX: usize = 512;

impl Shared {
    pub fn record(&self, mut rec: RequestRecord) {
        if rec.target.len() > LOG_TARGET_MAX {
            let mut cut = LOG_TARGET_MAX;
            while !rec.target.is_char_boundary(cut) {
                cut -= 1;
            }
            rec.target.truncate(cut);
            rec.target.push('…');
        }
        rec.target.shrink_to_fit();
        if let Ok(mut log) = self.log.lock() {
            if log.len() >= LOG_CAP {
                log.drain(..LOG_CAP / 2);
            }
            log.push(rec);
        }
    }
}
