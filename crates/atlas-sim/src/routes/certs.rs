//! A user's certificates: the list, and issuing one (with the faults,
//! delays and rate limits the tests ask for).

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::Value;

use super::projects::json_body;
use super::{Sh, lock, or_error, version};
use crate::ca::ProjectCa;
use crate::error::SimError;
use crate::render::{self, ApiVersion, PageQuery};
use crate::shared::Shared;
use crate::store::{CertRec, issuance_window, random_serial};

pub(super) async fn list_certs(
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
pub(super) fn months_from_body(body: &[u8]) -> Result<Option<i64>, SimError> {
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

pub(super) async fn create_cert(
    State(sh): Sh,
    Path((ver, gid, user)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    or_error(issue(&sh, version(&ver), &gid, &user, &body).await)
}

pub(super) async fn issue(
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

/// How long certificate requests are still refused, if they are.
pub(super) fn cooling(sh: &Shared) -> Result<Option<std::time::Duration>, SimError> {
    let until = *lock(&sh.cooldown_until)?;
    Ok(until.and_then(|u| u.checked_duration_since(Instant::now())))
}
