//! What stands between a request and the API, in Atlas's order:
//! authentication, API version, rate limit — then injected faults.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::digest::{
    DigestInput, NonceCheck, REALM, UNAUTHORIZED_BODY, challenge, constant_time_eq,
    expected_response, parse_authorization,
};
use super::render::{self, ApiVersion};
use super::server::{Authenticated, RequestRecord, Shared};
use super::store::SimError;
use crate::atlas::API_V2_MEDIA_TYPE;

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
    if version == ApiVersion::V2 && !accepts_v2(req.headers()) {
        return render::error(SimError::new(
            406,
            "INVALID_VERSION_DATE",
            "Invalid accept header or version date.",
            vec![],
        ));
    }
    let class = rate_class(req.uri().path());
    let (limit, remaining) = match take_rate_token(sh, class, req.uri().path()) {
        Ok(v) => v,
        Err(resp) => return *resp,
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

fn accepts_v2(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| {
            range
                .split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(API_V2_MEDIA_TYPE))
        })
}

/// Recorded limits: database users 10000 per window, the rest 1200.
fn rate_class(path: &str) -> &'static str {
    if path.ends_with("/databaseUsers") {
        "databaseUsers"
    } else {
        "default"
    }
}

/// Counts the request; `Ok((limit, remaining))`, or the 429 to send.
fn take_rate_token(
    sh: &Shared,
    class: &'static str,
    path: &str,
) -> Result<(u32, u32), Box<Response>> {
    let (limit, window, enforce) = match sh.rate_limit {
        Some(rl) => (rl.limit, rl.window, true),
        None => (
            if class == "databaseUsers" {
                10_000
            } else {
                1_200
            },
            std::time::Duration::from_secs(60),
            false,
        ),
    };
    // One shared bucket when a limit is imposed, per endpoint set otherwise.
    let key = if enforce { "all" } else { class };
    let mut rate = sh
        .rate
        .lock()
        .map_err(|_| render::error(SimError::unexpected()))?;
    let now = Instant::now();
    if now.duration_since(rate.window_start) >= window {
        rate.window_start = now;
        rate.counts.clear();
    }
    let used = rate.counts.entry(key).or_insert(0);
    if enforce && *used >= limit {
        let left = window.saturating_sub(now.duration_since(rate.window_start));
        let retry_after = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let minutes = window.as_secs_f64() / 60.0;
        let minutes = if minutes.fract() == 0.0 {
            format!("{minutes:.0}")
        } else {
            format!("{minutes:.2}")
        };
        let mut resp = render::error(SimError::new(
            429,
            "RATE_LIMITED",
            format!("Resource {path} is limited to {limit} requests every {minutes} minutes."),
            vec![json!(path), json!(limit.to_string()), json!(minutes)],
        ));
        let h = resp.headers_mut();
        h.insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        h.insert("ratelimit-limit", HeaderValue::from(limit));
        h.insert("ratelimit-remaining", HeaderValue::from(0));
        return Err(Box::new(resp));
    }
    *used += 1;
    Ok((limit, limit.saturating_sub(*used)))
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
