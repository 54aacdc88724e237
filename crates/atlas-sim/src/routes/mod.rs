//! The endpoints, each a thin shell over `Store`.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::middleware;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::json;

use super::error::SimError;
use super::guard;
use super::render::{self, ApiVersion};
use super::shared::Shared;

mod certs;
mod oauth;
mod projects;

use certs::{create_cert, list_certs};
use oauth::{refresh_user_token, revoke, token};
use projects::{
    create_user, delete_user, disable_customer_x509, get_group, get_rate_limit, get_security,
    get_user, list_groups, list_rate_limits, list_users, patch_security,
};

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

pub(super) fn version(ver: &str) -> ApiVersion {
    if ver == "v1.0" {
        ApiVersion::V1
    } else {
        ApiVersion::V2
    }
}

pub(super) fn or_error(r: Result<Response, SimError>) -> Response {
    r.unwrap_or_else(render::error)
}

pub(super) fn lock<T>(m: &std::sync::Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>, SimError> {
    m.lock().map_err(|_| SimError::unexpected())
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
