use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;
use zeroize::Zeroize;

use super::auth::{CachedToken, DigestSession};
use super::model::{
    DatabaseUser, IssuedPem, NewX509User, Page, PageRequest, Project, UserCert, UserSecurity,
};
use super::path::{encode_path_segment, validate_group_id, validate_months, validate_username};
use super::{Credentials, Error, Limits, fetch_all, fetch_all_kept};

mod buckets;
mod config;
mod pacer;
mod response;
mod transport;

pub use config::{API_V2_MEDIA_TYPE, ClientConfig, DEFAULT_BASE_URL, RateLimitInfo, WaitObserver};
use response::{decode, error_from, pem_from_body};

/// A typed client for the Atlas Admin API v2 calls atlas-x509 needs.
/// Cheap to clone; clones share the connection pool and the auth session.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Shared by the clones of one [`Client::gated`]: at most its permits
    /// of their calls are under way at once, however many lists they walk.
    gate: Option<Arc<tokio::sync::Semaphore>>,
}

struct Inner {
    http: reqwest::Client,
    /// The base URL without a trailing slash, to which API paths are appended.
    prefix: String,
    base: Url,
    cfg: ClientConfig,
    digest: DigestSession,
    token: tokio::sync::Mutex<Option<CachedToken>>,
    /// The user-account token in use: the configured one, or a newer one
    /// read again after the Atlas CLI refreshed it.
    user_token: tokio::sync::Mutex<Option<secrecy::SecretString>>,
    rate: Mutex<Option<RateLimitInfo>>,
    on_wait: Mutex<Option<WaitObserver>>,
    pacer: pacer::Pacer,
    buckets: buckets::Buckets,
}

/// The most requests one client keeps in flight; callers' own bounds
/// (`--concurrency`, at most this) are lowered further when Atlas pushes back.
pub const MAX_IN_FLIGHT: usize = 32;

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
        // No per-request timeout here: `execute` bounds the whole call,
        // retries included, and says so in its own words.
        let mut builder = reqwest::Client::builder();
        if base.scheme() == "http" {
            // Plain HTTP (a loopback simulator): never a TLS handshake, since
            // redirects are not followed, so skip loading the system's root
            // certificates (milliseconds before the first request).
            builder = builder.tls_certs_only([]);
        }
        let http = builder
            .connect_timeout(cfg.connect_timeout)
            // Atlas never redirects API calls; following one could carry
            // credentials somewhere they were not meant to go.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("atlas-x509/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::from_reqwest)?;
        let prefix = base.as_str().trim_end_matches('/').to_string();
        let user_token = match &cfg.credentials {
            Credentials::UserAccount { access_token, .. } => Some(access_token.clone()),
            _ => None,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                prefix,
                base,
                cfg,
                digest: DigestSession::default(),
                token: tokio::sync::Mutex::new(None),
                user_token: tokio::sync::Mutex::new(user_token),
                rate: Mutex::new(None),
                on_wait: Mutex::new(None),
                pacer: pacer::Pacer::new(MAX_IN_FLIGHT),
                buckets: buckets::Buckets::default(),
            }),
            gate: None,
        })
    }

    /// A clone whose calls (and its clones' calls) are at most `permits` at
    /// once: one bound over every list a job walks side by side.
    pub fn gated(&self, permits: usize) -> Client {
        Client {
            inner: self.inner.clone(),
            gate: Some(Arc::new(tokio::sync::Semaphore::new(permits.max(1)))),
        }
    }

    pub fn limits(&self) -> Limits {
        self.inner.cfg.limits
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub fn set_wait_observer(&self, observer: WaitObserver) {
        if let Ok(mut slot) = self.inner.on_wait.lock() {
            *slot = Some(observer);
        }
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
        let body = format!(r#"{{"monthsUntilExpiration":{months}}}"#).into_bytes();
        let uncertain = |e: Error| {
            if e.outcome_unknown() {
                Error::MaybeIssued(Box::new(e))
            } else {
                e
            }
        };
        let mut raw = self
            .execute(Method::POST, url, Some(body))
            .await
            .map_err(uncertain)?;
        if !raw.status.is_success() {
            return Err(uncertain(error_from(&raw)));
        }
        // Whatever a 2xx carries is the only copy of what was issued: it is
        // kept whole, and checked (certificate, matching key) by the caller.
        let pem = pem_from_body(&raw.body);
        raw.body.zeroize();
        Ok(pem)
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

    /// Creates an X.509 database user on `$external`. Sent once, never
    /// retried: after a lost answer the user may exist (the list tells).
    pub async fn create_x509_user(
        &self,
        group_id: &str,
        user: &NewX509User,
    ) -> Result<DatabaseUser, Error> {
        validate_group_id(group_id)?;
        validate_username(&user.username)?;
        let url = self.api_url(&["groups", group_id, "databaseUsers"], None)?;
        let body =
            serde_json::to_vec(&user.body(group_id)).map_err(|e| Error::Invalid(e.to_string()))?;
        decode(self.execute(Method::POST, url, Some(body)).await?)
    }

    /// Uploads a customer CA bundle: customer-managed X.509 turns on, Atlas
    /// restarts every cluster, and Atlas-managed certificates can no longer
    /// be issued in the project.
    pub async fn set_customer_x509(
        &self,
        group_id: &str,
        cas: &str,
    ) -> Result<UserSecurity, Error> {
        validate_group_id(group_id)?;
        let url = self.api_url(&["groups", group_id, "userSecurity"], None)?;
        let body = serde_json::to_vec(&serde_json::json!({ "customerX509": { "cas": cas } }))
            .map_err(|e| Error::Invalid(e.to_string()))?;
        decode(self.execute(Method::PATCH, url, Some(body)).await?)
    }

    pub async fn all_projects(
        &self,
        per_page: u32,
        concurrency: usize,
    ) -> Result<Vec<Project>, Error> {
        let limits = self.inner.cfg.limits;
        fetch_all(per_page, concurrency, limits, |p| self.list_projects(p)).await
    }

    /// The project `want` names (an id, or a name looked up in the list of
    /// projects). An id is taken as it is: no request, unless `named` asks
    /// for its name.
    pub async fn find_project(
        &self,
        want: &str,
        named: bool,
        concurrency: usize,
    ) -> Result<(String, String), Error> {
        if crate::model::looks_like_project_id(want) {
            let name = if named {
                self.get_project(want).await?.name
            } else {
                String::new()
            };
            return Ok((want.to_string(), name));
        }
        let all = self
            .all_projects(PageRequest::MAX_ITEMS_PER_PAGE, concurrency)
            .await?;
        let p = crate::model::project_named(&all, want).map_err(Error::Invalid)?;
        Ok((p.id.clone(), p.name.clone()))
    }

    pub async fn all_users(
        &self,
        group_id: &str,
        per_page: u32,
        concurrency: usize,
    ) -> Result<Vec<DatabaseUser>, Error> {
        let limits = self.inner.cfg.limits;
        fetch_all(per_page, concurrency, limits, |p| {
            self.list_users(group_id, p)
        })
        .await
    }

    /// [`Client::all_users`], each user kept as `keep` makes it while the
    /// list is read (100,000 full users would be held otherwise).
    pub async fn all_users_kept<U>(
        &self,
        group_id: &str,
        per_page: u32,
        concurrency: usize,
        keep: impl FnMut(DatabaseUser) -> U,
    ) -> Result<Vec<U>, Error> {
        let limits = self.inner.cfg.limits;
        fetch_all_kept(
            per_page,
            concurrency,
            limits,
            |p| self.list_users(group_id, p),
            keep,
        )
        .await
    }

    pub async fn all_certs(
        &self,
        group_id: &str,
        username: &str,
        per_page: u32,
        concurrency: usize,
    ) -> Result<Vec<UserCert>, Error> {
        self.certs_walk(group_id, username, per_page, concurrency, u64::MAX, false)
            .await
    }

    /// Every certificate of a user in the largest pages, stopping with an
    /// error past `max_items` whatever the server claims.
    pub async fn all_certs_up_to(
        &self,
        group_id: &str,
        username: &str,
        max_items: u64,
        concurrency: usize,
    ) -> Result<Vec<UserCert>, Error> {
        let per_page = PageRequest::MAX_ITEMS_PER_PAGE;
        // Sorting and filtering must not miss a certificate: no count trusted.
        self.certs_walk(group_id, username, per_page, concurrency, max_items, true)
            .await
    }

    /// The walk behind both, bounded by the client's limits and `max_items`.
    async fn certs_walk(
        &self,
        group_id: &str,
        username: &str,
        per_page: u32,
        concurrency: usize,
        max_items: u64,
        to_short: bool,
    ) -> Result<Vec<UserCert>, Error> {
        let mut limits = self.inner.cfg.limits;
        limits.max_items = limits.max_items.min(max_items);
        let fetch = |p| self.list_certs(group_id, username, p);
        if to_short {
            super::paginate::fetch_all_to_short(per_page, concurrency, limits, fetch).await
        } else {
            fetch_all(per_page, concurrency, limits, fetch).await
        }
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
}
