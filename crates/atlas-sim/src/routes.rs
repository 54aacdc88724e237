//! The endpoints, each a thin shell over `Store`.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use super::ca::ProjectCa;
use super::digest::constant_time_eq;
use super::guard;
use super::lifecycle::NewUser;
use super::render::{self, ApiVersion, PageQuery};
use super::shared::Shared;
use super::store::{CertRec, SimError, issuance_window, random_serial};

type Sh = State<Arc<Shared>>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/atlas/{ver}/groups", get(list_groups))
        .route("/api/atlas/{ver}/groups/{gid}", get(get_group))
        .route(
            "/api/atlas/{ver}/groups/{gid}/databaseUsers",
            get(list_users).post(create_user),
        )
        .route(
            "/api/atlas/{ver}/groups/{gid}/databaseUsers/{user}/certs",
            get(list_certs).post(create_cert),
        )
        // `{user}` here is the database name: one parameter name per
        // position, as the router needs.
        .route(
            "/api/atlas/{ver}/groups/{gid}/databaseUsers/{user}/{name}",
            get(get_user).delete(delete_user),
        )
        .route("/api/atlas/{ver}/rateLimits", get(list_rate_limits))
        .route("/api/atlas/{ver}/rateLimits/{set}", get(get_rate_limit))
        .route(
            "/api/atlas/{ver}/groups/{gid}/userSecurity",
            get(get_security).patch(patch_security),
        )
        .route(
            "/api/atlas/{ver}/groups/{gid}/userSecurity/customerX509",
            delete(disable_customer_x509),
        )
        .route_layer(middleware::from_fn_with_state(shared.clone(), guard::api));
    Router::new()
        .merge(api)
        .route("/api/oauth/token", post(token))
        .route("/api/oauth/revoke", post(revoke))
        .route(
            "/api/private/unauth/account/device/token",
            post(refresh_user_token),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            guard::observe,
        ))
        .with_state(shared)
}

fn version(ver: &str) -> ApiVersion {
    if ver == "v1.0" {
        ApiVersion::V1
    } else {
        ApiVersion::V2
    }
}

fn or_error(r: Result<Response, SimError>) -> Response {
    r.unwrap_or_else(render::error)
}

fn lock<T>(m: &std::sync::Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>, SimError> {
    m.lock().map_err(|_| SimError::unexpected())
}

async fn list_groups(State(sh): Sh, Path(ver): Path<String>, RawQuery(q): RawQuery) -> Response {
    or_error((|| {
        let v = version(&ver);
        let page = PageQuery::parse(q.as_deref())?;
        let path = format!("/api/atlas/{}/groups", v.segment());
        // The lock covers building the page's values, not serialising them.
        let body = {
            let store = lock(&sh.store)?;
            page.page(
                store.projects.len(),
                store.projects.iter(),
                &sh.creds.base_url,
                &path,
                |p| render::group(p, &store.org_id, &sh.creds.base_url, v),
            )
        };
        Ok(render::json(StatusCode::OK, v, &body))
    })())
}

async fn get_group(State(sh): Sh, Path((ver, gid)): Path<(String, String)>) -> Response {
    or_error((|| {
        let v = version(&ver);
        let store = lock(&sh.store)?;
        let p = store.project(&gid)?;
        Ok(render::json(
            StatusCode::OK,
            v,
            &render::group(p, &store.org_id, &sh.creds.base_url, v),
        ))
    })())
}

async fn list_users(
    State(sh): Sh,
    Path((ver, gid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Response {
    or_error((|| {
        let v = version(&ver);
        let page = PageQuery::parse(q.as_deref())?;
        let path = format!("/api/atlas/{}/groups/{gid}/databaseUsers", v.segment());
        let body = {
            let store = lock(&sh.store)?;
            let p = store.project(&gid)?;
            page.page(
                p.users.len(),
                p.users.iter(),
                &sh.creds.base_url,
                &path,
                |u| render::user(u, &gid, &sh.creds.base_url, v),
            )
        };
        Ok(render::json(StatusCode::OK, v, &body))
    })())
}

async fn get_user(
    State(sh): Sh,
    Path((ver, gid, db, name)): Path<(String, String, String, String)>,
) -> Response {
    or_error((|| {
        let v = version(&ver);
        let store = lock(&sh.store)?;
        let u = store.user_in(&gid, &db, &name)?;
        Ok(render::json(
            StatusCode::OK,
            v,
            &render::user(u, &gid, &sh.creds.base_url, v),
        ))
    })())
}

/// Removes the user and with it its certificates' records (Atlas keeps
/// none once the user is gone); 204 with no body, as recorded.
async fn delete_user(
    State(sh): Sh,
    Path((ver, gid, db, name)): Path<(String, String, String, String)>,
) -> Response {
    or_error((|| {
        let v = version(&ver);
        lock(&sh.store)?.delete_user(&gid, &db, &name)?;
        Ok(render::no_content(v))
    })())
}

const RATE_LIMITS_MEDIA_TYPE: &str = "application/vnd.atlas.2025-03-12+json;charset=utf-8";

/// `GET /rateLimits`: the endpoint sets and their buckets' numbers, paged
/// like any list; `groupId` narrows them to a project's scope.
async fn list_rate_limits(State(sh): Sh, RawQuery(q): RawQuery) -> Response {
    or_error((|| {
        let page = PageQuery::parse(q.as_deref())?;
        let group = url::form_urlencoded::parse(q.as_deref().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "groupId")
            .map(|(_, v)| v.into_owned());
        if let Some(g) = &group {
            lock(&sh.store)?.project(g)?;
        }
        let sets: Vec<&super::buckets::Set> = super::buckets::SETS
            .iter()
            .filter(|s| group.is_none() || s.scope == super::buckets::Scope::Group)
            .collect();
        let buckets = lock(&sh.rate)?;
        let body = page.page(
            sets.len(),
            sets.iter(),
            &sh.creds.base_url,
            "/api/atlas/v2/rateLimits",
            |s| buckets.describe(s),
        );
        Ok(render::body(
            StatusCode::OK,
            RATE_LIMITS_MEDIA_TYPE,
            body.to_string(),
        ))
    })())
}

async fn get_rate_limit(State(sh): Sh, Path((_ver, set)): Path<(String, String)>) -> Response {
    or_error((|| {
        let Some(s) = super::buckets::SETS.iter().find(|s| s.id == set) else {
            return Err(SimError::new(
                404,
                "RESOURCE_NOT_FOUND",
                format!("Cannot find resource {set}."),
                vec![json!(set)],
            ));
        };
        let body = lock(&sh.rate)?.describe(s);
        Ok(render::body(
            StatusCode::OK,
            RATE_LIMITS_MEDIA_TYPE,
            body.to_string(),
        ))
    })())
}

async fn list_certs(
    State(sh): Sh,
    Path((ver, gid, user)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
) -> Response {
    or_error((|| {
        let v = version(&ver);
        let page = PageQuery::parse(q.as_deref())?;
        let path = format!(
            "/api/atlas/{}/groups/{gid}/databaseUsers/{}/certs",
            v.segment(),
            atlas_client::encode_path_segment(&user)
        );
        let now = jiff::Timestamp::now();
        // Only the page's records are copied under the lock; the JSON is
        // written after it.
        let (total, rows) = {
            let store = lock(&sh.store)?;
            let valid = store.valid_certs(&gid, &user, now)?;
            let total = valid.clone().count();
            let (start, end) = page.bounds(total);
            let rows: Vec<_> = valid.skip(start).take(end - start).copied().collect();
            (total, rows)
        };
        let text = render::cert_page(&page, total, &rows, &sh.creds.base_url, &path, &gid, &user);
        Ok(render::body(StatusCode::OK, v.content_type(), text))
    })())
}

/// `monthsUntilExpiration` from the body; `None` if the body leaves it out.
fn months_from_body(body: &[u8]) -> Result<Option<i64>, SimError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value = json_body(body)?;
    match value.get("monthsUntilExpiration") {
        None | Some(Value::Null) => Ok(None),
        Some(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| SimError::validation("monthsUntilExpiration must be an integer")),
    }
}

async fn create_cert(
    State(sh): Sh,
    Path((ver, gid, user)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    or_error(issue(&sh, version(&ver), &gid, &user, &body).await)
}

async fn issue(
    sh: &Arc<Shared>,
    v: ApiVersion,
    gid: &str,
    user: &str,
    body: &[u8],
) -> Result<Response, SimError> {
    let months = months_from_body(body)?;
    if let Some(left) = cooling(sh)? {
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let mut resp = render::error(SimError::new(
            429,
            "RATE_LIMITED",
            "Resource certs is limited: too many certificates requested in this window.",
            vec![],
        ));
        resp.headers_mut()
            .insert(header::RETRY_AFTER, secs.max(1).into());
        return Ok(resp);
    }
    let (months, ca) = {
        let store = lock(&sh.store)?;
        let months = store.check_can_issue(gid, user, months)?;
        (months, store.project(gid)?.ca.clone())
    };
    let kind = sh.key_type;
    let ca = match ca {
        Some(ca) => ca,
        None => {
            let made = tokio::task::spawn_blocking(move || {
                ProjectCa::generate(kind, jiff::Timestamp::now())
            })
            .await
            .map_err(|_| SimError::unexpected())?
            .map_err(|_| SimError::unexpected())?;
            lock(&sh.store)?.set_ca(gid, Arc::new(made))?
        }
    };
    let serial = random_serial();
    let (not_before, not_after) = issuance_window(jiff::Timestamp::now(), months);
    let name = user.to_string();
    let fault = sh.issue_fault;
    let pem = tokio::task::spawn_blocking(move || match fault {
        None => ca.issue(kind, &name, serial, not_before, not_after),
        Some(f) => ca.issue_faulty(f, kind, &name, serial, not_before, not_after),
    })
    .await
    .map_err(|_| SimError::unexpected())?
    .map_err(|_| SimError::unexpected())?;
    lock(&sh.store)?.record_cert(
        gid,
        user,
        CertRec {
            serial,
            created_at: not_before,
            not_after,
        },
    )?;
    if let Ok(mut log) = sh.issued.lock() {
        log.push((gid.to_string(), user.to_string(), serial));
    }
    if !sh.issue_cooldown.is_zero() {
        *lock(&sh.cooldown_until)? = Some(Instant::now() + sh.issue_cooldown);
    }
    if !sh.issue_delay.is_zero() {
        tokio::time::sleep(sh.issue_delay).await;
    }
    let mut held = sh.hold_answers.subscribe();
    let _ = held.wait_for(|held| !*held).await;
    // Raw PEM under a JSON content type: that is what Atlas sends.
    Ok(render::body(StatusCode::CREATED, v.content_type(), pem))
}

async fn get_security(State(sh): Sh, Path((ver, gid)): Path<(String, String)>) -> Response {
    or_error((|| {
        let store = lock(&sh.store)?;
        let p = store.project(&gid)?;
        Ok(render::json(
            StatusCode::OK,
            version(&ver),
            &render::user_security(p),
        ))
    })())
}

fn json_body(body: &[u8]) -> Result<Value, SimError> {
    serde_json::from_slice(body).map_err(|_| SimError::validation("the body is not valid JSON"))
}

async fn create_user(
    State(sh): Sh,
    Path((ver, gid)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    or_error((|| {
        let v = version(&ver);
        let new = NewUser::from_json(&json_body(&body)?)?;
        let mut store = lock(&sh.store)?;
        let u = store.create_user(&gid, new)?;
        Ok(render::json(
            StatusCode::CREATED,
            v,
            &render::user(u, &gid, &sh.creds.base_url, v),
        ))
    })())
}

/// Only `customerX509.cas` is modelled (LDAP is not atlas-x509's business):
/// setting it turns customer-managed X.509 on, as Atlas does.
async fn patch_security(
    State(sh): Sh,
    Path((ver, gid)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    or_error((|| {
        let v = version(&ver);
        let value = json_body(&body)?;
        let cas = value
            .get("customerX509")
            .and_then(|c| c.get("cas"))
            .and_then(Value::as_str)
            .ok_or_else(|| SimError::validation("customerX509.cas is required"))?;
        let mut store = lock(&sh.store)?;
        let p = store.set_customer_cas(&gid, cas, jiff::Timestamp::now())?;
        Ok(render::json(
            StatusCode::ACCEPTED,
            v,
            &render::user_security(p),
        ))
    })())
}

async fn disable_customer_x509(
    State(sh): Sh,
    Path((ver, gid)): Path<(String, String)>,
) -> Response {
    or_error((|| {
        let mut store = lock(&sh.store)?;
        let p = store.disable_customer_x509(&gid)?;
        Ok(render::json(
            StatusCode::ACCEPTED,
            version(&ver),
            &render::user_security(p),
        ))
    })())
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    render::body(
        status,
        "application/json",
        json!({ "error": error, "error_description": description }).to_string(),
    )
}

/// The service account's client credentials: HTTP Basic
/// (`client_secret_basic`) or the form body (`client_secret_post`), as
/// OAuth allows; never both.
fn client_authorized(sh: &Shared, headers: &HeaderMap, form: &[(String, String)]) -> bool {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b.trim()).ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let pair = match (&basic, field("client_id"), field("client_secret")) {
        (Some(b), None, None) => b.split_once(':'),
        (None, Some(id), Some(secret)) => Some((id, secret)),
        _ => None,
    };
    pair.is_some_and(|(id, secret)| {
        constant_time_eq(id.as_bytes(), sh.creds.client_id.as_bytes())
            & constant_time_eq(secret.as_bytes(), sh.creds.client_secret.as_bytes())
    })
}

fn form_of(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .take(16)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// OAuth 2 client credentials, `grant_type=client_credentials`.
async fn token(State(sh): Sh, headers: HeaderMap, body: Bytes) -> Response {
    if !client_authorized(&sh, &headers, &form_of(&body)) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials.",
        );
    }
    let grant_ok = url::form_urlencoded::parse(&body)
        .any(|(k, v)| k == "grant_type" && v == "client_credentials");
    if !grant_ok {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only grant_type=client_credentials is supported.",
        );
    }
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).expect("OS randomness");
    let token = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, raw);
    if let Ok(mut t) = sh.tokens.lock() {
        let now = Instant::now();
        t.retain(|_, exp| *exp > now);
        t.insert(token.clone(), now + sh.token_ttl);
    }
    render::body(
        StatusCode::OK,
        "application/json",
        json!({
            "access_token": token,
            "expires_in": sh.token_ttl.as_secs(),
            "token_type": "Bearer",
        })
        .to_string(),
    )
}

/// RFC 7009 revocation: the service account's client authenticates as at
/// the token endpoint; the token named is revoked at once. An unknown or
/// already revoked token is no error (200), as the RFC says.
async fn revoke(State(sh): Sh, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_of(&body);
    if !client_authorized(&sh, &headers, &form) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials.",
        );
    }
    let Some((_, token)) = form.iter().find(|(k, _)| k == "token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The token to revoke is missing.",
        );
    };
    if let Ok(mut t) = sh.tokens.lock() {
        t.remove(token);
    }
    render::body(StatusCode::OK, "application/json", "{}".to_string())
}

/// The device-flow token endpoint the Atlas CLI refreshes a user's access
/// token at: `grant_type=refresh_token`; the refresh token is spent and a
/// new pair returned. A spent or unknown one gets Atlas's error code, which
/// the CLI reads as "log in again".
async fn refresh_user_token(State(sh): Sh, body: Bytes) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .take(16)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if get("grant_type") != Some("refresh_token") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only grant_type=refresh_token is supported here.",
        );
    }
    let now = jiff::Timestamp::now().as_second();
    let pair = get("refresh_token")
        .and_then(|r| sh.sessions.lock().ok()?.refresh(r, now, sh.user_token_ttl));
    match pair {
        Some(p) => render::body(
            StatusCode::OK,
            "application/json",
            json!({
                "access_token": p.access_token,
                "refresh_token": p.refresh_token,
                "expires_in": sh.user_token_ttl.max(0),
                "token_type": "Bearer",
                "scope": "openid profile offline_access",
            })
            .to_string(),
        ),
        None => render::error(SimError::new(
            400,
            "INVALID_REFRESH_TOKEN",
            "The refresh token is invalid or has expired.",
            vec![],
        )),
    }
}

async fn not_found(req: axum::extract::Request) -> Response {
    let path = req.uri().path().to_string();
    render::error(SimError::new(
        404,
        "RESOURCE_NOT_FOUND",
        format!("Cannot find resource {path}."),
        vec![json!(path)],
    ))
}

/// How long certificate requests are still refused, if they are.
fn cooling(sh: &Shared) -> Result<Option<std::time::Duration>, SimError> {
    let until = *lock(&sh.cooldown_until)?;
    Ok(until.and_then(|u| u.checked_duration_since(Instant::now())))
}
