//! The OAuth endpoints: client-credentials tokens, revocation, and the
//! refresh of an `atlas auth login` session.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::json;

use super::Sh;
use crate::digest::constant_time_eq;
use crate::error::SimError;
use crate::render::{self};
use crate::shared::Shared;

pub(super) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    render::body(
        status,
        "application/json",
        json!({ "error": error, "error_description": description }).to_string(),
    )
}

/// The service account's client credentials: HTTP Basic
/// (`client_secret_basic`) or the form body (`client_secret_post`), as
/// OAuth allows; never both.
pub(super) fn client_authorized(
    sh: &Shared,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> bool {
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

pub(super) fn form_of(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .take(16)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// OAuth 2 client credentials, `grant_type=client_credentials`.
pub(super) async fn token(State(sh): Sh, headers: HeaderMap, body: Bytes) -> Response {
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
pub(super) async fn revoke(State(sh): Sh, headers: HeaderMap, body: Bytes) -> Response {
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
pub(super) async fn refresh_user_token(State(sh): Sh, body: Bytes) -> Response {
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
