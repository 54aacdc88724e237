use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;
use zeroize::Zeroize;

use super::auth::{CachedToken, DigestSession, TokenResponse};
use super::error::snippet;
use super::model::{DatabaseUser, IssuedPem, Page, PageRequest, Project, UserCert, UserSecurity};
use super::path::{encode_path_segment, validate_group_id, validate_months, validate_username};
use super::{ApiError, Credentials, Error, fetch_all};

pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";
/// Every endpoint atlas-x509 calls exists at this resource version and no newer one.
pub const API_V2_MEDIA_TYPE: &str = "application/vnd.atlas.2023-01-01+json";

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    pub credentials: Credentials,
    /// Whole-request timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries of a GET after a 429, a 5xx or a transport failure. Other
    /// methods are never retried: a POST creates a certificate each time.
    pub max_retries: u32,
    pub retry_base_delay: Duration,
    /// A `Retry-After` longer than this is reported, not waited out.
    pub max_retry_wait: Duration,
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
        }
    }
}

/// The last `RateLimit-*` headers Atlas sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitInfo {
    pub limit: u64,
    pub remaining: u64,
}

/// A typed client for the Atlas Admin API v2 calls atlas-x509 needs.
/// Cheap to clone; clones share the connection pool and the auth session.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The base URL without a trailing slash, to which API paths are appended.
    prefix: String,
    base: Url,
    cfg: ClientConfig,
    digest: DigestSession,
    token: tokio::sync::Mutex<Option<CachedToken>>,
    rate: Mutex<Option<RateLimitInfo>>,
}

struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Self, Error> {
        let base = Url::parse(cfg.base_url.trim()).map_err(|e| {
            Error::Invalid(format!("base URL {:?} is not a URL: {e}", cfg.base_url))
        })?;
        match base.scheme() {
            "https" => {}
            "http" if cfg.credentials.is_none() || is_loopback(&base) => {}
            "http" => {
                return Err(Error::Insecure {
                    host: base.host_str().unwrap_or_default().to_string(),
                });
            }
            other => {
                return Err(Error::Invalid(format!(
                    "base URL scheme {other:?} is not supported: use https"
                )));
            }
        }
        if base.query().is_some() || !base.username().is_empty() || base.password().is_some() {
            return Err(Error::Invalid(
                "the base URL must not carry a query or credentials".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            // Atlas never redirects API calls; following one could carry
            // credentials somewhere they were not meant to go.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("atlas-x509/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::from_reqwest)?;
        let prefix = base.as_str().trim_end_matches('/').to_string();
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                prefix,
                base,
                cfg,
                digest: DigestSession::default(),
                token: tokio::sync::Mutex::new(None),
                rate: Mutex::new(None),
            }),
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub fn credentials(&self) -> &Credentials {
        &self.inner.cfg.credentials
    }

    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        self.inner.rate.lock().ok().and_then(|r| *r)
    }

    // ---- calls -------------------------------------------------------------

    pub async fn list_projects(&self, page: PageRequest) -> Result<Page<Project>, Error> {
        self.get_page(&["groups"], page).await
    }

    pub async fn get_project(&self, group_id: &str) -> Result<Project, Error> {
        validate_group_id(group_id)?;
        let url = self.api_url(&["groups", group_id], None)?;
        decode(self.execute(Method::GET, url, None).await?)
    }

    pub async fn list_users(
        &self,
        group_id: &str,
        page: PageRequest,
    ) -> Result<Page<DatabaseUser>, Error> {
        validate_group_id(group_id)?;
        self.get_page(&["groups", group_id, "databaseUsers"], page)
            .await
    }

    pub async fn list_certs(
        &self,
        group_id: &str,
        username: &str,
        page: PageRequest,
    ) -> Result<Page<UserCert>, Error> {
        validate_group_id(group_id)?;
        validate_username(username)?;
        self.get_page(
            &["groups", group_id, "databaseUsers", username, "certs"],
            page,
        )
        .await
    }

    /// Issues a certificate. Sent once: a failure is reported, never retried,
    /// since a retry could mint a second certificate whose key nobody sees.
    pub async fn create_cert(
        &self,
        group_id: &str,
        username: &str,
        months: i64,
    ) -> Result<IssuedPem, Error> {
        validate_group_id(group_id)?;
        validate_username(username)?;
        let months = validate_months(months)?;
        let url = self.api_url(
            &["groups", group_id, "databaseUsers", username, "certs"],
            None,
        )?;
        let body = serde_json::to_vec(&serde_json::json!({ "monthsUntilExpiration": months }))
            .expect("static JSON");
        let mut raw = self.execute(Method::POST, url, Some(body)).await?;
        if !raw.status.is_success() {
            return Err(error_from(&raw));
        }
        let parsed = parse_pem_body(&raw.body);
        raw.body.zeroize();
        parsed.map_err(|reason| Error::Decode {
            status: raw.status.as_u16(),
            reason,
            snippet: "(withheld: the body may hold a private key)".into(),
        })
    }

    pub async fn get_user_security(&self, group_id: &str) -> Result<UserSecurity, Error> {
        validate_group_id(group_id)?;
        let url = self.api_url(&["groups", group_id, "userSecurity"], None)?;
        decode(self.execute(Method::GET, url, None).await?)
    }

    /// Clears the project's customer CA: Atlas then restarts every cluster.
    pub async fn disable_customer_x509(&self, group_id: &str) -> Result<UserSecurity, Error> {
        validate_group_id(group_id)?;
        let url = self.api_url(&["groups", group_id, "userSecurity", "customerX509"], None)?;
        decode(self.execute(Method::DELETE, url, None).await?)
    }

    pub async fn all_projects(
        &self,
        per_page: u32,
        concurrency: usize,
    ) -> Result<Vec<Project>, Error> {
        fetch_all(per_page, concurrency, |p| self.list_projects(p)).await
    }

    pub async fn all_users(
        &self,
        group_id: &str,
        per_page: u32,
        concurrency: usize,
    ) -> Result<Vec<DatabaseUser>, Error> {
        fetch_all(per_page, concurrency, |p| self.list_users(group_id, p)).await
    }

    pub async fn all_certs(
        &self,
        group_id: &str,
        username: &str,
        per_page: u32,
        concurrency: usize,
    ) -> Result<Vec<UserCert>, Error> {
        fetch_all(per_page, concurrency, |p| {
            self.list_certs(group_id, username, p)
        })
        .await
    }

    // ---- plumbing ----------------------------------------------------------

    async fn get_page<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        page: PageRequest,
    ) -> Result<Page<T>, Error> {
        if page.page_num == 0 {
            return Err(Error::Invalid("page numbers start at 1".into()));
        }
        if !(1..=PageRequest::MAX_ITEMS_PER_PAGE).contains(&page.items_per_page) {
            return Err(Error::Invalid(format!(
                "items per page must be from 1 to {}, not {}",
                PageRequest::MAX_ITEMS_PER_PAGE,
                page.items_per_page
            )));
        }
        let url = self.api_url(segments, Some(page))?;
        decode(self.execute(Method::GET, url, None).await?)
    }

    fn api_url(&self, segments: &[&str], page: Option<PageRequest>) -> Result<Url, Error> {
        let mut s = format!("{}/api/atlas/v2", self.inner.prefix);
        for seg in segments {
            s.push('/');
            s.push_str(&encode_path_segment(seg));
        }
        if let Some(p) = page {
            s.push_str(&format!(
                "?pageNum={}&itemsPerPage={}&includeCount={}",
                p.page_num, p.items_per_page, p.include_count
            ));
        }
        Url::parse(&s).map_err(|e| Error::Invalid(format!("cannot build a URL: {e}")))
    }

    async fn execute(&self, method: Method, url: Url, body: Option<Vec<u8>>) -> Result<Raw, Error> {
        let retryable = method == Method::GET;
        let mut attempt = 0;
        loop {
            let result = self
                .send_authenticated(&method, &url, body.as_deref())
                .await;
            let wait = match &result {
                Ok(raw) if is_retryable_status(raw.status) => match retry_after(&raw.headers) {
                    Some(d) if d > self.inner.cfg.max_retry_wait => None,
                    Some(d) => Some(d),
                    None => Some(self.backoff(attempt)),
                },
                Err(Error::Transport { .. }) => Some(self.backoff(attempt)),
                _ => None,
            };
            match wait {
                Some(wait) if retryable && attempt < self.inner.cfg.max_retries => {
                    tracing::debug!(%method, path = url.path(), attempt, ?wait, "retrying");
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
                let auth = self
                    .inner
                    .digest
                    .authorization(public_key, private_key, method.as_str(), uri)
                    .transpose()?;
                let raw = self.send_once(method, url, body, auth).await?;
                let Some(challenge) = digest_challenge(&raw) else {
                    return Ok(raw);
                };
                self.inner.digest.accept_challenge(&challenge)?;
                let auth = self
                    .inner
                    .digest
                    .authorization(public_key, private_key, method.as_str(), uri)
                    .transpose()?;
                self.send_once(method, url, body, auth).await
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
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(Error::from_reqwest)?;
        tracing::debug!(%method, path = url.path(), status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "atlas");
        self.note_rate_limit(&headers);
        Ok(Raw {
            status,
            headers,
            body: Vec::from(body),
        })
    }

    fn note_rate_limit(&self, headers: &HeaderMap) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        if let (Some(limit), Some(remaining)) = (num("ratelimit-limit"), num("ratelimit-remaining"))
            && let Ok(mut slot) = self.inner.rate.lock()
        {
            *slot = Some(RateLimitInfo { limit, remaining });
        }
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
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(Error::from_reqwest)?;
        let raw = Raw {
            status,
            headers,
            body: Vec::from(body),
        };
        if !status.is_success() {
            return Err(match error_from(&raw) {
                Error::UnexpectedStatus { status, snippet } => Error::Auth(format!(
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

fn is_retryable_status(s: StatusCode) -> bool {
    s == StatusCode::TOO_MANY_REQUESTS || matches!(s.as_u16(), 500 | 502 | 503 | 504)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    Some(
        now.duration_until(when)
            .try_into()
            .unwrap_or(Duration::ZERO),
    )
}

fn error_from(raw: &Raw) -> Error {
    match serde_json::from_slice::<ApiError>(&raw.body) {
        Ok(api) => Error::Api {
            api: Box::new(api),
            retry_after: retry_after(&raw.headers),
        },
        Err(_) => Error::UnexpectedStatus {
            status: raw.status.as_u16(),
            snippet: snippet(&raw.body),
        },
    }
}

fn decode<T: DeserializeOwned>(raw: Raw) -> Result<T, Error> {
    if !raw.status.is_success() {
        return Err(error_from(&raw));
    }
    serde_json::from_slice(&raw.body).map_err(|e| Error::Decode {
        status: raw.status.as_u16(),
        reason: e.to_string(),
        snippet: snippet(&raw.body),
    })
}

/// Atlas sends the PEM raw even though the content type says JSON; accept a
/// JSON string too in case that is ever fixed.
fn parse_pem_body(body: &[u8]) -> Result<IssuedPem, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the PEM is not UTF-8".to_string())?;
    let trimmed = text.trim_start();
    let pem = if trimmed.starts_with('"') {
        serde_json::from_str::<String>(trimmed)
            .map_err(|e| format!("a JSON string was expected: {e}"))?
    } else {
        text.to_string()
    };
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err("no certificate in the answer".into());
    }
    Ok(IssuedPem::new(pem))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: &str, creds: Credentials) -> ClientConfig {
        ClientConfig::new(url, creds)
    }

    #[test]
    fn refuses_credentials_over_plain_http_to_remote_hosts() {
        let creds = Credentials::api_key("p", "s");
        let err = Client::new(cfg("http://cloud.mongodb.com", creds.clone()))
            .err()
            .unwrap();
        assert!(matches!(err, Error::Insecure { .. }), "{err}");
        assert!(!err.to_string().contains('s') || !err.to_string().contains("\"s\""));
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "https://cloud.mongodb.com",
        ] {
            assert!(Client::new(cfg(ok, creds.clone())).is_ok(), "{ok}");
        }
        assert!(Client::new(cfg("http://10.0.0.1", Credentials::None)).is_ok());
        assert!(Client::new(cfg("ftp://x", Credentials::None)).is_err());
    }

    #[test]
    fn urls_encode_segments_and_keep_base_path() {
        let c = Client::new(cfg("https://proxy.example/atlas/", Credentials::None)).unwrap();
        let u = c
            .api_url(
                &[
                    "groups",
                    "b0123456789abcdef012345b",
                    "databaseUsers",
                    "CN=app,OU=ops/x",
                    "certs",
                ],
                Some(PageRequest::new(2, 500)),
            )
            .unwrap();
        assert_eq!(
            u.as_str(),
            "https://proxy.example/atlas/api/atlas/v2/groups/b0123456789abcdef012345b/databaseUsers/CN=app%2COU=ops%2Fx/certs?pageNum=2&itemsPerPage=500&includeCount=true"
        );
    }

    #[test]
    fn pem_body_raw_or_json_string() {
        let pem = "-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nKK\n-----END PRIVATE KEY-----\n";
        assert_eq!(parse_pem_body(pem.as_bytes()).unwrap().expose(), pem);
        let quoted = serde_json::to_string(pem).unwrap();
        assert_eq!(parse_pem_body(quoted.as_bytes()).unwrap().expose(), pem);
        assert!(parse_pem_body(b"{\"nope\":1}").is_err());
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }
}
