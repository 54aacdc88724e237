use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use super::Error;

/// How atlas-x509 proves who it is to Atlas. Secrets stay inside `secrecy`
/// types: zeroed on drop and never printed by `Debug`.
#[derive(Clone, Default)]
pub enum Credentials {
    #[default]
    None,
    /// Programmatic API key: HTTP Digest, public key as user name.
    ApiKey {
        public_key: String,
        private_key: SecretString,
    },
    /// Service account: OAuth 2 client credentials for a bearer token.
    ServiceAccount {
        client_id: String,
        client_secret: SecretString,
    },
    /// A user's access token from `atlas auth login` (a JWT), sent as a
    /// bearer token. Its refresh token stays the Atlas CLI's: it rotates on
    /// use, and only the CLI may store the new pair.
    UserAccount {
        access_token: SecretString,
        /// The token's `sub` claim (the user's name), safe to show.
        subject: Option<String>,
        origin: TokenOrigin,
    },
}

/// Reads the access token again, from wherever it was found (the Atlas CLI
/// may have refreshed it since): `None` if it is no longer there.
pub type TokenReload = Arc<dyn Fn() -> Option<SecretString> + Send + Sync>;

/// Where a user-account token came from, to say how to renew it.
#[derive(Clone, Default)]
pub struct TokenOrigin {
    /// The Atlas CLI profile; `None` when the token came from the environment.
    pub profile: Option<String>,
    pub reload: Option<TokenReload>,
}

/// The Atlas CLI refreshes an expired access token before any API call it
/// makes (atlas-cli-core's token transport) and stores the new pair; it has
/// no command that only refreshes. This is its cheapest read-only call.
pub fn renew_command(profile: &str) -> Vec<String> {
    [
        "atlas",
        "organizations",
        "list",
        "--limit",
        "1",
        "--output",
        "json",
        "--profile",
        profile,
    ]
    .map(String::from)
    .to_vec()
}

/// How to get a usable access token again, in words.
pub fn renew_advice(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!(
            "renew it with `{}` (the Atlas CLI refreshes the token on any call), or sign in again with `atlas auth login --profile {p}`",
            renew_command(p).join(" ")
        ),
        None => "set MONGODB_ATLAS_ACCESS_TOKEN to a fresh token (`atlas auth login` makes one)"
            .to_string(),
    }
}

impl Credentials {
    pub fn api_key(public_key: impl Into<String>, private_key: impl Into<String>) -> Self {
        Credentials::ApiKey {
            public_key: public_key.into(),
            private_key: SecretString::from(private_key.into()),
        }
    }

    pub fn service_account(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Credentials::ServiceAccount {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }

    pub fn user_account(access_token: impl Into<String>, profile: Option<String>) -> Self {
        let access_token: String = access_token.into();
        let subject = super::jwt::claims(&access_token).and_then(|c| c.sub);
        Credentials::UserAccount {
            access_token: SecretString::from(access_token),
            subject,
            origin: TokenOrigin {
                profile,
                reload: None,
            },
        }
    }

    /// Lets the client read a user-account token again when the one it has
    /// expires; other credentials ignore it.
    pub fn with_reload(mut self, reload: TokenReload) -> Self {
        if let Credentials::UserAccount { origin, .. } = &mut self {
            origin.reload = Some(reload);
        }
        self
    }

    /// A user-account token's `exp` (Unix seconds), if known.
    pub fn expires_at(&self) -> Option<i64> {
        match self {
            Credentials::UserAccount { access_token, .. } => {
                super::jwt::claims(access_token.expose_secret())?.exp
            }
            _ => None,
        }
    }

    /// When a user-account token stops being usable (Unix seconds), if known.
    pub fn usable_until(&self) -> Option<i64> {
        match self {
            Credentials::UserAccount { access_token, .. } => {
                super::jwt::usable_until(access_token.expose_secret())
            }
            _ => None,
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Credentials::None)
    }

    /// What kind of credentials these are, fit for a header line.
    pub fn kind_label(&self) -> &'static str {
        match self {
            Credentials::None => "no credentials",
            Credentials::ApiKey { .. } => "API key",
            Credentials::ServiceAccount { .. } => "service account",
            Credentials::UserAccount { .. } => "user account",
        }
    }

    /// The public half (API public key or client id), safe to show.
    pub fn public_id(&self) -> Option<&str> {
        match self {
            Credentials::None => None,
            Credentials::ApiKey { public_key, .. } => Some(public_key),
            Credentials::ServiceAccount { client_id, .. } => Some(client_id),
            Credentials::UserAccount { subject, .. } => subject.as_deref(),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::None => f.write_str("Credentials::None"),
            Credentials::ApiKey { public_key, .. } => f
                .debug_struct("Credentials::ApiKey")
                .field("public_key", public_key)
                .field("private_key", &"[REDACTED]")
                .finish(),
            Credentials::ServiceAccount { client_id, .. } => f
                .debug_struct("Credentials::ServiceAccount")
                .field("client_id", client_id)
                .field("client_secret", &"[REDACTED]")
                .finish(),
            Credentials::UserAccount {
                subject, origin, ..
            } => f
                .debug_struct("Credentials::UserAccount")
                .field("subject", subject)
                .field("profile", &origin.profile)
                .field("access_token", &"[REDACTED]")
                .finish(),
        }
    }
}

/// Digest nonces. Atlas (as recorded) refuses a nonce count it has seen,
/// not one that arrives out of order, so one nonce is shared by every
/// request in flight, each answered with a count of its own: only the very
/// first call costs a 401 round trip, not each extra request in flight.
/// A server that insists on counts rising in order (RFC 7616 allows it)
/// refuses a shared nonce soon after issuing it; from then on each request
/// in flight gets a nonce of its own from a pool, reused sequentially.
#[derive(Default)]
pub(crate) struct DigestSession {
    shared: std::sync::Mutex<Option<(http_auth::PasswordClient, Instant)>>,
    strict: std::sync::atomic::AtomicBool,
    idle: std::sync::Mutex<Vec<http_auth::PasswordClient>>,
}

/// How a request was authorised, to report back once it is answered.
pub(crate) enum Lent {
    /// The shared nonce, issued at that instant.
    Shared(Instant),
    /// A nonce of its own (strict servers), returned to the pool if accepted.
    Own(http_auth::PasswordClient),
}

/// A shared nonce refused sooner than this after it was issued was refused
/// for its count's order, not its age.
const YOUNG_NONCE: Duration = Duration::from_secs(60);

/// More idle nonces than this are dropped: they cost only a challenge to renew.
const IDLE_NONCES: usize = 8;

impl DigestSession {
    #[cfg(test)]
    pub fn idle(&self) -> usize {
        self.idle.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// The `Authorization` for a request, if a nonce is in hand.
    pub fn lend(
        &self,
        mut answer: impl FnMut(&mut http_auth::PasswordClient) -> Result<String, Error>,
    ) -> Result<Option<(String, Lent)>, Error> {
        use std::sync::atomic::Ordering;
        if self.strict.load(Ordering::Relaxed) {
            let Some(mut own) = self.take() else {
                return Ok(None);
            };
            let header = answer(&mut own)?;
            return Ok(Some((header, Lent::Own(own))));
        }
        let Ok(mut shared) = self.shared.lock() else {
            return Ok(None);
        };
        let Some((client, since)) = shared.as_mut() else {
            return Ok(None);
        };
        // Under the lock: each request gets the next count.
        let header = answer(client)?;
        Ok(Some((header, Lent::Shared(*since))))
    }

    /// The request was answered without a challenge.
    pub fn accepted(&self, lent: Option<Lent>) {
        if let Some(Lent::Own(c)) = lent {
            self.put_back(c);
        }
    }

    /// A fresh nonce was accepted after `refused` was not: it becomes the
    /// one in use. A shared nonce refused while young marks a strict server.
    pub fn renewed(&self, fresh: http_auth::PasswordClient, refused: Option<Lent>) {
        use std::sync::atomic::Ordering;
        if let Some(Lent::Shared(since)) = &refused
            && since.elapsed() < YOUNG_NONCE
            && !self.strict.swap(true, Ordering::Relaxed)
        {
            tracing::debug!(
                "digest: a shared nonce was refused out of order; one nonce per request from now on"
            );
        }
        if self.strict.load(Ordering::Relaxed) {
            self.put_back(fresh);
            return;
        }
        if let Ok(mut shared) = self.shared.lock() {
            // Another request may have renewed it already; the newest wins.
            *shared = Some((fresh, Instant::now()));
        }
    }

    /// A nonce no other request is using, if one is idle.
    pub fn take(&self) -> Option<http_auth::PasswordClient> {
        self.idle.lock().ok()?.pop()
    }

    /// Returns a nonce the server accepted, for the next request to reuse.
    pub fn put_back(&self, client: http_auth::PasswordClient) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_NONCES
        {
            idle.push(client);
        }
    }

    #[cfg(test)]
    pub fn is_strict(&self) -> bool {
        self.strict.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn from_challenge(www_authenticate: &str) -> Result<http_auth::PasswordClient, Error> {
        http_auth::PasswordClient::try_from(www_authenticate)
            .map_err(|e| Error::Auth(format!("unusable Digest challenge from Atlas: {e}")))
    }

    /// The `Authorization` value for one request with this nonce.
    pub fn authorization(
        client: &mut http_auth::PasswordClient,
        public_key: &str,
        private_key: &SecretString,
        method: &str,
        uri: &str,
    ) -> Result<String, Error> {
        client
            .respond(&http_auth::PasswordParams {
                username: public_key,
                password: private_key.expose_secret(),
                uri,
                method,
                body: None,
            })
            .map_err(|e| Error::Auth(format!("cannot answer the Digest challenge: {e}")))
    }
}

/// A bearer token and when to stop trusting it.
pub(crate) struct CachedToken {
    pub value: SecretString,
    pub refresh_at: Instant,
}

impl CachedToken {
    /// Refresh a minute before expiry (or at half-life for short tokens) so a
    /// request never leaves with a token that dies on the way.
    /// A lifetime past a day is taken as a day: refreshing early is
    /// harmless, and no server number can overflow the clock.
    pub fn new(value: String, expires_in: Duration, now: Instant) -> Self {
        let expires_in = expires_in.min(Self::MAX_LIFETIME);
        let margin = Duration::from_secs(60).min(expires_in / 2);
        Self {
            value: SecretString::from(value),
            refresh_at: now
                .checked_add(expires_in.saturating_sub(margin))
                .unwrap_or(now),
        }
    }

    pub const MAX_LIFETIME: Duration = Duration::from_secs(86_400);

    pub fn is_fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    #[serde(
        default = "default_expires_in",
        deserialize_with = "super::model::lenient::seconds"
    )]
    pub expires_in: u64,
    #[serde(default)]
    pub token_type: Option<String>,
}

fn default_expires_in() -> u64 {
    3600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::api_key("pub", "very-secret-value");
        let s = format!("{c:?}");
        assert!(!s.contains("very-secret-value"), "{s}");
        assert!(s.contains("pub"));
        let c = Credentials::service_account("mdb_sa_id", "mdb_sa_sk_secret");
        assert!(!format!("{c:?}").contains("mdb_sa_sk_secret"));
    }

    #[test]
    fn token_refreshes_before_expiry() {
        let now = Instant::now();
        let t = CachedToken::new("t".into(), Duration::from_secs(3600), now);
        assert!(t.is_fresh(now + Duration::from_secs(3500)));
        assert!(!t.is_fresh(now + Duration::from_secs(3541)));
        let short = CachedToken::new("t".into(), Duration::from_secs(2), now);
        assert!(!short.is_fresh(now + Duration::from_secs(1)));
        let forever = CachedToken::new("t".into(), Duration::from_secs(u64::MAX), now);
        assert!(!forever.is_fresh(now + Duration::from_secs(86_400)));
        let parsed: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":18446744073709551615}"#)
                .unwrap();
        assert_eq!(parsed.expires_in, u64::MAX);
        let negative: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":-3}"#).unwrap();
        assert_eq!(negative.expires_in, 0);
    }

    #[test]
    fn a_shared_nonce_gives_each_request_its_own_count_until_a_young_refusal() {
        let challenge = r#"Digest realm="MMS Public API", domain="", nonce="89FU+zZ06zgKynmobMhdFzhWpORw6cYM", algorithm=MD5, qop="auth", stale=false"#;
        let key = SecretString::from("priv".to_string());
        let answer = |c: &mut http_auth::PasswordClient| {
            DigestSession::authorization(c, "pub", &key, "GET", "/x")
        };
        let s = DigestSession::default();
        assert!(
            s.lend(answer).unwrap().is_none(),
            "nothing before a challenge"
        );
        s.renewed(DigestSession::from_challenge(challenge).unwrap(), None);
        assert!(!s.is_strict());
        let (a, la) = s.lend(answer).unwrap().unwrap();
        let (b, lb) = s.lend(answer).unwrap().unwrap();
        assert!(
            a.contains("nc=00000001") && b.contains("nc=00000002"),
            "{a} {b}"
        );
        s.accepted(Some(la));
        // A refusal of the young shared nonce: a strict server.
        s.renewed(DigestSession::from_challenge(challenge).unwrap(), Some(lb));
        assert!(s.is_strict());
        let (_, own) = s.lend(answer).unwrap().expect("the pool's nonce");
        assert!(
            s.lend(answer).unwrap().is_none(),
            "one request per nonce now"
        );
        s.accepted(Some(own));
        assert_eq!(s.idle(), 1);
    }

    #[test]
    fn digest_session_answers_recorded_challenge() {
        let s = DigestSession::default();
        assert!(s.take().is_none());
        let mut c = DigestSession::from_challenge(r#"Digest realm="MMS Public API", domain="", nonce="89FU+zZ06zgKynmobMhdFzhWpORw6cYM", algorithm=MD5, qop="auth", stale=false"#).unwrap();
        let key = SecretString::from("priv".to_string());
        let a = DigestSession::authorization(&mut c, "pub", &key, "GET", "/api/atlas/v2/groups")
            .unwrap();
        assert!(a.starts_with("Digest "), "{a}");
        assert!(a.contains("nc=00000001"));
        s.put_back(c);
        assert_eq!(s.idle(), 1);
        let mut c = s.take().expect("reused");
        assert!(s.take().is_none(), "one request at a time per nonce");
        let b = DigestSession::authorization(&mut c, "pub", &key, "GET", "/api/atlas/v2/groups")
            .unwrap();
        assert!(
            b.contains("nc=00000002"),
            "nonce reused with a higher count: {b}"
        );
        assert!(!a.contains("priv"));
    }
}
