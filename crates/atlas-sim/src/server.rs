//! Starting, inspecting and stopping a simulator.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::buckets::RateLimit;
use super::ca::KeyType;
use super::digest::NonceStore;
use super::seed::Seed;
use super::shared::{RequestRecord, Shared, SimCredentials};
use super::store::Store;

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Must be a loopback address: the simulator's keys travel in the clear.
    pub listen: SocketAddr,
    pub seed: Seed,
    pub key_type: KeyType,
    /// Added before every answer.
    pub latency: Duration,
    /// Share of authenticated API requests answered with a 500 (0.0..=1.0).
    pub fail_rate: f64,
    pub rate_limit: Option<RateLimit>,
    pub token_ttl: Duration,
    pub nonce_ttl: Duration,
    /// A connection that sends no complete request head for this long
    /// (half-open, or idle between requests) is closed.
    pub header_timeout: Duration,
    /// Reject a Digest `nc` that is not higher than the last one seen for
    /// its nonce (a strict server); off by default, like Atlas as recorded.
    pub strict_nonce_count: bool,
    /// Lifetime of user-account access tokens, in seconds (may be 0 or
    /// negative: expired from the start).
    pub user_token_ttl: i64,
    /// Between recording an issued certificate and answering with it: the
    /// window where a client killed holds nothing and Atlas holds the cert.
    pub issue_delay: Duration,
    /// After each certificate issued, requests for another are refused
    /// with a 429 and `Retry-After` for this long (Atlas limits creations
    /// per window): what a client must wait out between users.
    pub issue_cooldown: Duration,
    /// Issue the wrong certificate (another subject, expired, a foreign key).
    pub issue_fault: Option<super::ca::IssueFault>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: Seed::default_seed(),
            key_type: KeyType::Rsa,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            rate_limit: None,
            token_ttl: Duration::from_secs(3600),
            nonce_ttl: Duration::from_secs(300),
            header_timeout: Duration::from_secs(10),
            strict_nonce_count: false,
            user_token_ttl: 43_200,
            issue_delay: Duration::ZERO,
            issue_cooldown: Duration::ZERO,
            issue_fault: None,
        }
    }
}

/// A simulator serving on loopback; dropping it stops it.
pub struct SimHandle {
    pub credentials: SimCredentials,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    pub fn base_url(&self) -> &str {
        &self.credentials.base_url
    }

    /// Every request served so far, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// (project, user, serial) of every certificate issued so far: what a
    /// client must hold a key for.
    pub fn issued(&self) -> Vec<(String, String, u64)> {
        self.shared
            .issued
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// The bearer tokens handed out and still valid (tests look for them
    /// where no token may appear).
    pub fn live_tokens(&self) -> Vec<String> {
        self.shared
            .tokens
            .lock()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// From now on an issued certificate is recorded and its answer held
    /// until [`SimHandle::release_answers`].
    pub fn hold_answers(&self) {
        self.shared.hold_answers.send_replace(true);
    }

    /// Lets every held answer (and those to come) go.
    pub fn release_answers(&self) {
        self.shared.hold_answers.send_replace(false);
    }

    /// Invalidates every bearer token, as an expiry or a revocation would.
    pub fn revoke_tokens(&self) {
        if let Ok(mut t) = self.shared.tokens.lock() {
            t.clear();
        }
    }

    /// A user-account access token signed by this simulator, expiring `ttl`
    /// seconds from now (negative: already expired).
    pub fn user_access_token(&self, ttl: i64) -> String {
        let now = jiff::Timestamp::now().as_second();
        self.shared
            .sessions
            .lock()
            .map(|s| s.access_token(now, ttl))
            .unwrap_or_default()
    }

    /// Adds a MANAGED X.509 user with no certificates to a project, as the
    /// Atlas console would (tests use it for names no seed holds).
    pub fn add_managed_user(&self, group_id: &str, username: &str) -> Result<(), String> {
        let mut store = self.shared.store.lock().map_err(|e| e.to_string())?;
        let project = store
            .projects
            .iter_mut()
            .find(|p| p.id == group_id)
            .ok_or_else(|| format!("no project {group_id}"))?;
        if project.users.iter().any(|u| u.username == username) {
            return Ok(());
        }
        project.users.push(super::store::UserRec {
            username: username.to_string(),
            database_name: "$external".into(),
            x509_type: "MANAGED".into(),
            ldap_auth_type: "NONE".into(),
            oidc_auth_type: "NONE".into(),
            roles: vec![],
            scopes: vec![],
            labels: vec![],
            description: None,
            certs: vec![],
        });
        Ok(())
    }

    /// Forgets every Digest nonce, as a server restart would.
    pub fn forget_nonces(&self, ttl: Duration) {
        if let Ok(mut n) = self.shared.nonces.lock() {
            *n = NonceStore::new(ttl).strict(n.is_strict());
        }
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until the process is killed or the server fails.
    pub async fn serve_forever(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn random_string(len: usize, alphabet: &[u8]) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("OS randomness");
    bytes
        .iter()
        .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
        .collect()
}

fn new_credentials(base_url: String, session: super::account::Pair) -> SimCredentials {
    const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    const HEX: &[u8] = b"0123456789abcdef";
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        random_string(8, HEX),
        random_string(4, HEX),
        random_string(4, HEX),
        random_string(4, HEX),
        random_string(12, HEX)
    );
    SimCredentials {
        base_url,
        public_key: random_string(8, LOWER),
        private_key: uuid,
        client_id: format!("mdb_sa_id_{}", random_string(24, HEX)),
        client_secret: format!(
            "mdb_sa_sk_{}",
            random_string(
                40,
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            )
        ),
        access_token: session.access_token,
        refresh_token: session.refresh_token,
    }
}

/// Binds, then serves in a background task. Only loopback addresses are
/// accepted.
pub async fn start(cfg: SimConfig) -> std::io::Result<SimHandle> {
    if !cfg.listen.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "the simulator listens on loopback only, not {}: its credentials travel over plain HTTP",
                cfg.listen
            ),
        ));
    }
    if !(0.0..=1.0).contains(&cfg.fail_rate) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("fail rate must be from 0 to 1, not {}", cfg.fail_rate),
        ));
    }
    let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let mut sessions = super::account::Sessions::new();
    let session = sessions.mint(jiff::Timestamp::now().as_second(), cfg.user_token_ttl);
    let credentials = new_credentials(format!("http://{addr}"), session);
    let shared = Arc::new(Shared {
        creds: credentials.clone(),
        key_type: cfg.key_type,
        latency: cfg.latency,
        fail_rate: cfg.fail_rate,
        token_ttl: cfg.token_ttl,
        user_token_ttl: cfg.user_token_ttl,
        issue_delay: cfg.issue_delay,
        hold_answers: tokio::sync::watch::Sender::new(false),
        issue_fault: cfg.issue_fault,
        issue_cooldown: cfg.issue_cooldown,
        cooldown_until: Mutex::new(None),
        issued: Mutex::new(Vec::new()),
        sessions: Mutex::new(sessions),
        store: Mutex::new(Store::from_seed(&cfg.seed, jiff::Timestamp::now())),
        nonces: Mutex::new(NonceStore::new(cfg.nonce_ttl).strict(cfg.strict_nonce_count)),
        tokens: Mutex::new(HashMap::new()),
        rate: Mutex::new(super::buckets::Buckets::new(cfg.rate_limit)),
        log: Mutex::new(Vec::new()),
    });
    let app = super::routes::router(shared.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(super::listen::serve(listener, app, cfg.header_timeout, rx));
    Ok(SimHandle {
        credentials,
        shared,
        shutdown: Some(tx),
        task: Some(task),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_syntax() {
        assert_eq!(
            "100/min".parse::<RateLimit>().unwrap(),
            RateLimit {
                limit: 100,
                window: Duration::from_secs(60)
            }
        );
        assert_eq!(
            "3/2s".parse::<RateLimit>().unwrap().window,
            Duration::from_secs(2)
        );
        assert_eq!(
            "5/10min".parse::<RateLimit>().unwrap().window,
            Duration::from_secs(600)
        );
        for bad in ["", "x/min", "0/min", "5/hour", "5"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn refuses_non_loopback() {
        let cfg = SimConfig {
            listen: "0.0.0.0:0".parse().unwrap(),
            ..SimConfig::default()
        };
        assert!(start(cfg).await.is_err());
    }
}
