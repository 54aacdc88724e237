//! The commands that only read: projects, users, a user's certificates,
//! a project's user security.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use super::json_out::Ts;
use super::{Ctx, Fail, emit, emit_table, table, ts};
use crate::cli::{CertsArgs, ProjectArg};
use atlas_client::{PageRequest, UserCert};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectRow<'a> {
    id: &'a str,
    name: &'a str,
    org_id: &'a Option<String>,
    cluster_count: Option<u64>,
    created: Ts,
}

/// A user as `users` prints it, and all that is kept of it while a long
/// list is read: a failed list prints nothing, so every row waits for the
/// last page, and 100,000 full `DatabaseUser`s would be ~100 MB.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserRow {
    username: Box<str>,
    database_name: Box<str>,
    x509_type: &'static str,
    roles: Box<[Box<str>]>,
}

impl From<atlas_client::DatabaseUser> for UserRow {
    fn from(u: atlas_client::DatabaseUser) -> Self {
        Self {
            roles: u
                .roles
                .iter()
                .map(|r| format!("{}@{}", r.role_name, r.database_name).into_boxed_str())
                .collect(),
            username: u.username.into_boxed_str(),
            database_name: u.database_name.into_boxed_str(),
            x509_type: u.x509_type.as_str(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CertRow<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    project_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(rename = "_id")]
    id: u64,
    #[serde(serialize_with = "super::json_out::serial")]
    serial: u64,
    serial_hex: String,
    subject: &'a str,
    created_at: Ts,
    not_after: Ts,
    days_left: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CertPage<'a> {
    total_count: Option<u64>,
    page: Option<u32>,
    items_per_page: u32,
    results: Vec<CertRow<'a>>,
}

pub(super) async fn projects(ctx: &Ctx) -> Result<(), Fail> {
    let all = ctx
        .client
        .all_projects(PageRequest::MAX_ITEMS_PER_PAGE, ctx.concurrency)
        .await?;
    let value: Vec<ProjectRow> = all
        .iter()
        .map(|p| ProjectRow {
            id: &p.id,
            name: &p.name,
            org_id: &p.org_id,
            cluster_count: p.cluster_count,
            created: Ts(p.created),
        })
        .collect();
    emit_table(ctx, &value, |w| {
        table::write(w, &["ID", "NAME", "CLUSTERS"], &all, |p| {
            vec![
                p.id.as_str().into(),
                p.name.as_str().into(),
                table::opt(p.cluster_count),
            ]
        })
    })
}

pub(super) async fn users(ctx: &Ctx, a: &ProjectArg) -> Result<(), Fail> {
    let project = ctx.project(a).await?;
    let all: Vec<UserRow> = ctx
        .client
        .all_users_kept(
            &project,
            PageRequest::MAX_ITEMS_PER_PAGE,
            ctx.concurrency,
            UserRow::from,
        )
        .await?;
    emit_table(ctx, &all, |w| {
        table::write(w, &["USERNAME", "DATABASE", "X509", "ROLES"], &all, |u| {
            vec![
                u.username.as_ref().into(),
                u.database_name.as_ref().into(),
                u.x509_type.into(),
                u.roles.join(",").into(),
            ]
        })
    })
}

fn cert_json<'a>(c: &'a UserCert, username: Option<&'a str>, now: Timestamp) -> CertRow<'a> {
    CertRow {
        project_id: None,
        username,
        id: c.id,
        serial: c.id,
        serial_hex: format!("{:X}", c.id),
        subject: &c.subject,
        created_at: Ts(Some(c.created_at)),
        not_after: Ts(Some(c.not_after)),
        days_left: (c.not_after.as_second().saturating_sub(now.as_second())).div_euclid(86_400),
    }
}

fn cert_row(c: &UserCert, now: Timestamp) -> Vec<std::borrow::Cow<'_, str>> {
    let (left, _) = crate::format::time_left(now, c.not_after);
    vec![
        c.id.to_string().into(),
        c.subject.as_str().into(),
        ts(Some(c.created_at)).into(),
        ts(Some(c.not_after)).into(),
        left.into(),
    ]
}

const CERT_HEADERS: [&str; 5] = ["SERIAL", "SUBJECT", "CREATED", "EXPIRES", "LEFT"];

pub(super) async fn certs(ctx: &Ctx, a: &CertsArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project).await?;
    let now = Timestamp::now();
    let (list, total, page) = if a.all {
        let all = ctx
            .client
            .all_certs(&project, &a.user, a.per_page, ctx.concurrency)
            .await?;
        let n = all.len() as u64;
        (all, Some(n), None)
    } else {
        let p = ctx
            .client
            .list_certs(&project, &a.user, PageRequest::new(a.page, a.per_page))
            .await?;
        let total = p.known_total();
        if let Some(t) = total {
            let pages = t.div_ceil(u64::from(a.per_page)).max(1);
            if u64::from(a.page) > pages {
                return Err(Fail::Usage(format!(
                    "there is no page {}: {} make {pages} page{} of {} (--page 1 to {pages}, or --all)",
                    a.page,
                    crate::format::plural(
                        usize::try_from(t).unwrap_or(usize::MAX),
                        "certificate",
                        "certificates"
                    ),
                    if pages == 1 { "" } else { "s" },
                    a.per_page
                )));
            }
        }
        (p.results, total, Some(a.page))
    };
    let value = CertPage {
        total_count: total,
        page,
        items_per_page: a.per_page,
        results: list.iter().map(|c| cert_json(c, None, now)).collect(),
    };
    emit_table(ctx, &value, |w| {
        table::write(w, &CERT_HEADERS, &list, |c| cert_row(c, now))
    })?;
    // Where this page sits: for the reader, on stderr, so stdout is only rows.
    if let (Some(p), Some(total), false) = (page, total, ctx.json) {
        let pages = total.div_ceil(u64::from(a.per_page)).max(1);
        crate::say_err!(
            "page {p}/{pages} · {}",
            crate::format::plural(
                usize::try_from(total).unwrap_or(usize::MAX),
                "certificate",
                "certificates"
            )
        );
    }
    Ok(())
}

pub(super) async fn security(ctx: &Ctx, a: &ProjectArg) -> Result<(), Fail> {
    let project = ctx.project(a).await?;
    let sec = ctx.client.get_user_security(&project).await?;
    let value = json!({
        "projectId": project,
        "customerX509": {
            "configured": sec.customer_x509.is_configured(),
            "caCount": sec.customer_x509.ca_count(),
            "cas": sec.customer_x509.cas,
        },
        "ldap": sec.ldap,
    });
    emit(ctx, &value, || {
        if sec.customer_x509.is_configured() {
            format!(
                "customer-managed X.509: on ({})\n",
                atlas_client::bundle::count(sec.customer_x509.ca_count())
            )
        } else {
            "customer-managed X.509: off (no customer CA)\n".into()
        }
    })
}
