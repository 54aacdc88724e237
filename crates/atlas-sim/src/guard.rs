//! What stands between a request and the API, in Atlas's order:
//! authentication, API version, rate limit — then injected faults.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::buckets::Draw;
use super::digest::{
    DigestInput, NonceCheck, REALM, UNAUTHORIZED_BODY, challenge, constant_time_eq,
    expected_response, parse_authorization,
};
use super::error::SimError;
use super::render::{self, ApiVersion};
use super::shared::{Authenticated, RequestRecord, Shared};

/// Outermost layer: latency and the request log.
pub async fn observe(State(sh): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if !sh.latency.is_zero() {
        tokio::time::sleep(sh.latency).await;
    }
    let method = req.method().to_string();
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let resp = next.run(req).await;
    sh.record(RequestRecord {
        method,
        target,
        status: resp.status().as_u16(),
        authenticated: resp.extensions().get::<Authenticated>().is_some(),
    });
    resp
}

/// Guards every `/api/atlas/...` route.
pub async fn api(State(sh): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let Some(version) = ApiVersion::from_path(req.uri().path()) else {
        return render::error(SimError::new(
            404,
            "RESOURCE_NOT_FOUND",
            format!("Cannot find resource {}.", req.uri().path()),
            vec![json!(req.uri().path())],
        ));
    };
    if let Err(Challenge { stale }) = authenticate(&sh, &req) {
        return unauthorized(&sh, stale);
    }
    let mut resp = checked(&sh, version, req, next).await;
    resp.extensions_mut().insert(Authenticated);
    resp
}

async fn checked(sh: &Shared, version: ApiVersion, req: Request, next: Next) -> Response {
    if version == ApiVersion::V2 && served_version(req.headers(), req.uri().path()).is_none() {
        return render::error(SimError::new(
            406,
            "INVALID_VERSION_DATE",
            "Invalid accept header or version date.",
            vec![],
        ));
    }
    let draw = match sh.rate.lock() {
        Ok(mut b) => b.draw(req.uri().path(), Instant::now()),
        Err(_) => return render::error(SimError::unexpected()),
    };
    let (limit, remaining) = match draw {
        Draw::Ok { limit, remaining } => (limit, remaining),
        Draw::Empty {
            error,
            retry_after,
            limit,
        } => {
            let mut resp = render::error(error);
            let h = resp.headers_mut();
            h.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            h.insert("ratelimit-limit", HeaderValue::from(limit));
            h.insert("ratelimit-remaining", HeaderValue::from(0));
            return resp;
        }
    };
    if sh.fail_rate > 0.0 && random_unit() < sh.fail_rate {
        return render::error(SimError::unexpected());
    }
    let mut resp = next.run(req).await;
    if resp.status().is_success() {
        let h = resp.headers_mut();
        h.insert("ratelimit-limit", HeaderValue::from(limit));
        h.insert("ratelimit-remaining", HeaderValue::from(remaining));
    }
    resp
}

/// The version dates each resource exists at, oldest first.
fn versions_of(path: &str) -> &'static [&'static str] {
    if path.starts_with("/api/atlas/v2/rateLimits") {
        &["2025-03-12"]
    } else {
        &["2023-01-01"]
    }
}

/// The version a request is served at: the newest the resource has at or
/// before the date its `Accept` asks for (Atlas's rule, and what clients
/// that send one date for every call rely on); none: 406.
pub fn served_version(headers: &HeaderMap, path: &str) -> Option<&'static str> {
    let asked = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|range| {
            let t = range.split(';').next()?.trim().to_ascii_lowercase();
            let date = t
                .strip_prefix("application/vnd.atlas.")?
                .strip_suffix("+json")?;
            // A real calendar date, written in full.
            let ok = date.len() == 10 && date.parse::<jiff::civil::Date>().is_ok();
            ok.then(|| date.to_string())
        })
        .max()?;
    versions_of(path)
        .iter()
        .rev()
        .find(|v| **v <= asked.as_str())
        .copied()
}

fn random_unit() -> f64 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("OS randomness");
    f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX)
}

pub fn unauthorized(sh: &Shared, stale: bool) -> Response {
    let nonce = sh
        .nonces
        .lock()
        .map(|mut n| n.issue(Instant::now()))
        .unwrap_or_default();
    let mut resp = (StatusCode::UNAUTHORIZED, UNAUTHORIZED_BODY).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&challenge(&nonce, stale)) {
        h.insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// A refusal that answers with a fresh challenge; `stale` when the key was
/// right and only the nonce was spent.
struct Challenge {
    stale: bool,
}

fn authenticate(sh: &Shared, req: &Request) -> Result<(), Challenge> {
    let Some(auth) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(Challenge { stale: false });
    };
    if let Some(token) = auth.strip_prefix("Bearer ") {
        let token = token.trim();
        // A JWT is a user-account token; anything else a service account's.
        if token.matches('.').count() == 2 {
            let now = jiff::Timestamp::now().as_second();
            let ok = sh
                .sessions
                .lock()
                .map(|s| s.verify(token, now))
                .unwrap_or(false);
            return if ok {
                Ok(())
            } else {
                Err(Challenge { stale: false })
            };
        }
        let ok = sh
            .tokens
            .lock()
            .map(|t| t.get(token.trim()).is_some_and(|exp| Instant::now() < *exp))
            .unwrap_or(false);
        return if ok {
            Ok(())
        } else {
            Err(Challenge { stale: false })
        };
    }
    let Some(p) = parse_authorization(auth) else {
        return Err(Challenge { stale: false });
    };
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("");
    let algorithm_ok = matches!(get("algorithm"), "" | "MD5");
    let Ok(nc) = u32::from_str_radix(get("nc"), 16) else {
        return Err(Challenge { stale: false });
    };
    if get("username") != sh.creds.public_key
        || get("realm") != REALM
        || get("qop") != "auth"
        || !algorithm_ok
        || get("uri") != target
    {
        return Err(Challenge { stale: false });
    }
    let want = expected_response(&DigestInput {
        username: &sh.creds.public_key,
        password: &sh.creds.private_key,
        method: req.method().as_str(),
        uri: target,
        nonce: get("nonce"),
        nc: get("nc"),
        cnonce: get("cnonce"),
    });
    if !constant_time_eq(want.as_bytes(), get("response").as_bytes()) {
        return Err(Challenge { stale: false });
    }
    let check = sh
        .nonces
        .lock()
        .map(|mut n| n.check(get("nonce"), nc, Instant::now()))
        .unwrap_or(NonceCheck::Stale);
    match check {
        NonceCheck::Fresh => Ok(()),
        NonceCheck::Stale | NonceCheck::Replayed => Err(Challenge { stale: true }),
    }
}
