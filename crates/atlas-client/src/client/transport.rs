//! Sending: authentication (Digest with nonce reuse, bearer tokens), the
//! GET-only retry policy, and rate-limit bookkeeping.

use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::auth::{CachedToken, DigestSession, TokenOrigin, TokenResponse};
use crate::jwt;
use crate::{Credentials, Error, TransportKind};

use super::response::{Raw, error_from, retry_after};
use super::{API_V2_MEDIA_TYPE, Client, RateLimitInfo, buckets};

impl Client {
    /// Sends a request, retrying a GET after a 429, a 5xx or a transport
    /// failure. The whole call, retries and the server's waits included,
    /// ends within the configured timeout from when its first try may go (a
    /// turn behind the job's bound or a spent bucket is not counted): a
    /// server that drips or stalls cannot hold it longer.
    pub(super) async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Raw, Error> {
        let retryable = method == Method::GET;
        let timeout = self.inner.cfg.timeout;
        // The clock starts when the first try may go: a request queued
        // behind its job's bound or a spent bucket is not yet a call.
        let mut deadline: Option<Instant> = None;
        let mut attempt = 0;
        loop {
            // A spent bucket holds its requests before they take a place.
            let _turn = match self
                .inner
                .buckets
                .turn(buckets::key_of(url.path()), self.inner.cfg.max_retry_wait)
                .await
            {
                Ok(turn) => turn,
                Err(buckets::Wait::TooLong(wait)) => {
                    return Err(Error::UnexpectedStatus {
                        status: 429,
                        snippet: format!(
                            "not sent: this endpoint's rate limit is spent until Atlas refills it ({})",
                            crate::human_wait(wait)
                        ),
                        retry_after: Some(wait),
                    });
                }
            };
            // The job's bound is taken only once the bucket has room:
            // requests waiting for a spent bucket hold no place.
            let _place = match &self.gate {
                Some(gate) => gate.acquire().await.ok(),
                None => None,
            };
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + timeout);
            let remaining = deadline.saturating_duration_since(Instant::now());
            // The slot is held for the exchange only, never across a wait.
            let exchange = async {
                let _slot = self.inner.pacer.slot().await;
                self.send_authenticated(&method, &url, body.as_deref())
                    .await
            };
            let result = match tokio::time::timeout(remaining, exchange).await {
                Ok(r) => r,
                Err(_) => Err(Error::Transport {
                    kind: TransportKind::Timeout,
                    message: format!(
                        "no complete answer from Atlas within {} s (--timeout), retries included",
                        timeout.as_secs()
                    ),
                }),
            };
            drop((_place, _turn));
            let wait = match &result {
                Ok(raw) if is_retryable_status(raw.status) => match retry_after(&raw.headers) {
                    Some(d) if d > self.inner.cfg.max_retry_wait => None,
                    Some(d) => Some(d),
                    None => Some(self.backoff(attempt)),
                },
                Err(Error::Transport { kind, .. }) if *kind != TransportKind::Timeout => {
                    Some(self.backoff(attempt))
                }
                _ => None,
            };
            let left = deadline.saturating_duration_since(Instant::now());
            match wait {
                Some(wait) if retryable && attempt < self.inner.cfg.max_retries && wait < left => {
                    tracing::debug!(%method, path = url.path(), attempt, ?wait, "retrying");
                    let status = result.as_ref().map(|r| r.status.as_u16()).unwrap_or(0);
                    let observer = self.inner.on_wait.lock().ok().and_then(|o| o.clone());
                    if let Some(observe) = observer {
                        observe(wait, status);
                    }
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.inner.cfg.retry_base_delay;
        let exp = base.saturating_mul(1 << attempt.min(6));
        let mut b = [0u8; 2];
        let _ = getrandom::fill(&mut b);
        let jitter = base.mul_f64(f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX));
        (exp + jitter).min(Duration::from_secs(10))
    }

    /// Sends with whatever the credentials need. A 401 is answered once (new
    /// Digest challenge or fresh token): Atlas refused that request unread,
    /// so sending it again cannot do anything twice.
    async fn send_authenticated(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
    ) -> Result<Raw, Error> {
        match &self.inner.cfg.credentials {
            Credentials::None => self.send_once(method, url, body, None).await,
            Credentials::ApiKey {
                public_key,
                private_key,
            } => {
                let uri = &url[url::Position::BeforePath..];
                let answer = |c: &mut http_auth::PasswordClient| {
                    DigestSession::authorization(c, public_key, private_key, method.as_str(), uri)
                };
                let (auth, lent) = match self.inner.digest.lend(answer)? {
                    Some((header, lent)) => (Some(header), Some(lent)),
                    None => (None, None),
                };
                let raw = self.send_once(method, url, body, auth).await?;
                let Some(challenge) = digest_challenge(&raw) else {
                    self.inner.digest.accepted(lent);
                    return Ok(raw);
                };
                let mut fresh = DigestSession::from_challenge(&challenge)?;
                let auth = answer(&mut fresh)?;
                let raw = self.send_once(method, url, body, Some(auth)).await?;
                if digest_challenge(&raw).is_none() {
                    self.inner.digest.renewed(fresh, lent);
                }
                Ok(raw)
            }
            Credentials::UserAccount { origin, .. } => {
                let token = self.user_token(origin, None).await?;
                let raw = self
                    .send_once(method, url, body, Some(bearer_header(&token)))
                    .await?;
                if raw.status != StatusCode::UNAUTHORIZED || about_the_project(&raw) {
                    return Ok(raw);
                }
                // Refused before its time: the Atlas CLI may have refreshed
                // the pair meanwhile (revoking this one). Once, with a newer token.
                let token = self.user_token(origin, Some(&token)).await?;
                let raw = self
                    .send_once(method, url, body, Some(bearer_header(&token)))
                    .await?;
                if raw.status == StatusCode::UNAUTHORIZED && !about_the_project(&raw) {
                    return Err(Error::Token {
                        expired_at: None,
                        profile: origin.profile.clone(),
                    });
                }
                Ok(raw)
            }
            Credentials::ServiceAccount { .. } => {
                let token = self.bearer(None).await?;
                let raw = self
                    .send_once(method, url, body, Some(bearer_header(&token)))
                    .await?;
                if raw.status != StatusCode::UNAUTHORIZED {
                    return Ok(raw);
                }
                let token = self.bearer(Some(&token)).await?;
                self.send_once(method, url, body, Some(bearer_header(&token)))
                    .await
            }
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        authorization: Option<String>,
    ) -> Result<Raw, Error> {
        let mut req = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .header(header::ACCEPT, API_V2_MEDIA_TYPE);
        if let Some(body) = body {
            req = req
                .header(header::CONTENT_TYPE, API_V2_MEDIA_TYPE)
                .body(body.to_vec());
        }
        if let Some(auth) = authorization {
            let mut value = HeaderValue::from_str(&auth).map_err(|_| {
                Error::Auth("credentials contain characters HTTP cannot carry".into())
            })?;
            value.set_sensitive(true);
            req = req.header(header::AUTHORIZATION, value);
        }
        let started = Instant::now();
        let resp = req.send().await.map_err(Error::from_reqwest)?;
        let raw = read_capped(resp).await?;
        tracing::debug!(%method, path = url.path(), status = raw.status.as_u16(), ms = started.elapsed().as_millis() as u64, "atlas");
        let said = self.note_rate_limit(&raw.headers);
        let status = raw.status.as_u16();
        // What is left is a bucket's, not the whole API's: it paces that
        // bucket alone. Only a 429 nobody saw coming halves the client's
        // bound; the expected one (a probe of an empty bucket) does not.
        let surprise = self.inner.buckets.observe(
            &buckets::key_of(url.path()),
            status,
            said,
            retry_after(&raw.headers),
        );
        let seen = if status == 429 && !surprise {
            200
        } else {
            status
        };
        self.inner.pacer.observe(seen, None);
        Ok(raw)
    }

    /// Records `RateLimit-*`; returns (capacity, left), each if said.
    fn note_rate_limit(&self, headers: &HeaderMap) -> (Option<u64>, Option<u64>) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let (limit, remaining) = (num("ratelimit-limit"), num("ratelimit-remaining"));
        if let (Some(limit), Some(remaining)) = (limit, remaining)
            && let Ok(mut slot) = self.inner.rate.lock()
        {
            *slot = Some(RateLimitInfo { limit, remaining });
        }
        (limit, remaining)
    }

    /// A usable bearer token. `rejected` is the token Atlas just refused: it
    /// is replaced unless another request already did so.
    async fn bearer(&self, rejected: Option<&SecretString>) -> Result<SecretString, Error> {
        let mut slot = self.inner.token.lock().await;
        let now = Instant::now();
        if let Some(cached) = slot.as_ref() {
            let refused =
                rejected.is_some_and(|r| r.expose_secret() == cached.value.expose_secret());
            if cached.is_fresh(now) && !refused {
                return Ok(cached.value.clone());
            }
        }
        let token = self.fetch_token().await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    /// The user-account token to send: the current one while unexpired,
    /// else (or when `refused`) the one the profile holds now.
    async fn user_token(
        &self,
        origin: &TokenOrigin,
        refused: Option<&SecretString>,
    ) -> Result<SecretString, Error> {
        let mut slot = self.inner.user_token.lock().await;
        let now = jiff::Timestamp::now().as_second();
        let current = slot.clone().unwrap_or_default();
        let stale = refused.is_some_and(|r| r.expose_secret() == current.expose_secret());
        if !stale && !jwt::is_expired(current.expose_secret(), now) {
            return Ok(current);
        }
        let reread = match origin.reload.clone() {
            // A thread of its own, outside the runtime: the keyring client
            // blocks on a runtime of its own.
            Some(reload) => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                std::thread::spawn(move || {
                    let _ = tx.send(reload());
                });
                rx.await.ok().flatten()
            }
            None => None,
        };
        if let Some(new) = reread
            && new.expose_secret() != current.expose_secret()
            && !jwt::is_expired(new.expose_secret(), now)
        {
            *slot = Some(new.clone());
            return Ok(new);
        }
        Err(Error::Token {
            expired_at: if stale {
                None
            } else {
                jwt::claims(current.expose_secret()).and_then(|c| c.exp)
            },
            profile: origin.profile.clone(),
        })
    }

    async fn fetch_token(&self) -> Result<CachedToken, Error> {
        let Credentials::ServiceAccount {
            client_id,
            client_secret,
        } = &self.inner.cfg.credentials
        else {
            return Err(Error::Auth("no service account configured".into()));
        };
        let url = Url::parse(&format!("{}/api/oauth/token", self.inner.prefix))
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let resp = self
            .inner
            .http
            .post(url)
            .basic_auth(client_id, Some(client_secret.expose_secret()))
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        let raw = read_capped(resp).await?;
        if !raw.status.is_success() {
            return Err(match error_from(&raw) {
                Error::UnexpectedStatus {
                    status, snippet, ..
                } => Error::Auth(format!(
                    "the token endpoint refused the service account (HTTP {status}): {snippet}"
                )),
                other => other,
            });
        }
        let token: TokenResponse = serde_json::from_slice(&raw.body)
            .map_err(|e| Error::Auth(format!("the token endpoint's answer is not a token: {e}")))?;
        if let Some(kind) = &token.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(Error::Auth(format!("unsupported token type {kind:?}")));
        }
        Ok(CachedToken::new(
            token.access_token,
            Duration::from_secs(token.expires_in),
            Instant::now(),
        ))
    }
}
/// No Atlas answer we read comes near this; a larger one is a fault, and
/// reading it whole would let a server choose how much memory we use.
pub(super) const MAX_BODY: usize = 16 << 20;

async fn read_capped(mut resp: reqwest::Response) -> Result<Raw, Error> {
    let too_big = || {
        Error::Bound(format!(
            "Atlas's answer is larger than {} MiB; refusing to read it",
            MAX_BODY >> 20
        ))
    };
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_big());
    }
    let status = resp.status();
    let headers = resp.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(Error::from_reqwest)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Raw {
        status,
        headers,
        body,
    })
}

fn bearer_header(token: &SecretString) -> String {
    format!("Bearer {}", token.expose_secret())
}

fn digest_challenge(raw: &Raw) -> Option<String> {
    if raw.status != StatusCode::UNAUTHORIZED {
        return None;
    }
    raw.headers
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| {
            v.trim_start()
                .get(..6)
                .is_some_and(|s| s.eq_ignore_ascii_case("digest"))
        })
        .map(str::to_string)
}

/// A 401 that says the credentials are fine but the project is not theirs.
fn about_the_project(raw: &Raw) -> bool {
    serde_json::from_slice::<crate::ApiError>(&raw.body).is_ok_and(|e| {
        matches!(
            e.error_code.as_str(),
            "USER_CANNOT_ACCESS_GROUP" | "NOT_IN_GROUP"
        )
    })
}

fn is_retryable_status(s: StatusCode) -> bool {
    s == StatusCode::TOO_MANY_REQUESTS || matches!(s.as_u16(), 500 | 502 | 503 | 504)
}
