//! Projects, their database users and user security, and the rate-limit
//! sets.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Sh, lock, or_error, version};
use crate::error::SimError;
use crate::lifecycle::NewUser;
use crate::render::{self, PageQuery};

const RATE_LIMITS_MEDIA_TYPE: &str = "application/vnd.atlas.2025-03-12+json;charset=utf-8";

pub(super) async fn list_groups(
    State(sh): Sh,
    Path(ver): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
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

pub(super) async fn get_group(State(sh): Sh, Path((ver, gid)): Path<(String, String)>) -> Response {
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

pub(super) async fn list_users(
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

pub(super) async fn get_user(
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
pub(super) async fn delete_user(
    State(sh): Sh,
    Path((ver, gid, db, name)): Path<(String, String, String, String)>,
) -> Response {
    or_error((|| {
        let v = version(&ver);
        lock(&sh.store)?.delete_user(&gid, &db, &name)?;
        Ok(render::no_content(v))
    })())
}

/// `GET /rateLimits`: the endpoint sets and their buckets' numbers, paged
/// like any list; `groupId` narrows them to a project's scope.
pub(super) async fn list_rate_limits(State(sh): Sh, RawQuery(q): RawQuery) -> Response {
    or_error((|| {
        let page = PageQuery::parse(q.as_deref())?;
        let group = url::form_urlencoded::parse(q.as_deref().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "groupId")
            .map(|(_, v)| v.into_owned());
        if let Some(g) = &group {
            lock(&sh.store)?.project(g)?;
        }
        let sets: Vec<&crate::buckets::Set> = crate::buckets::SETS
            .iter()
            .filter(|s| group.is_none() || s.scope == crate::buckets::Scope::Group)
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

pub(super) async fn get_rate_limit(
    State(sh): Sh,
    Path((_ver, set)): Path<(String, String)>,
) -> Response {
    or_error((|| {
        let Some(s) = crate::buckets::SETS.iter().find(|s| s.id == set) else {
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

pub(super) async fn get_security(
    State(sh): Sh,
    Path((ver, gid)): Path<(String, String)>,
) -> Response {
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

pub(super) fn json_body(body: &[u8]) -> Result<Value, SimError> {
    serde_json::from_slice(body).map_err(|_| SimError::validation("the body is not valid JSON"))
}

pub(super) async fn create_user(
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
pub(super) async fn patch_security(
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

pub(super) async fn disable_customer_x509(
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
