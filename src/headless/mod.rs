//! The TUI's actions as commands for scripts: same client, same guards, no
//! terminal UI. Data goes to stdout (a table, or JSON with `--json`),
//! errors to stderr. Exit codes: 0 ok, 1 API or I/O error, 2 usage, 3 auth.

mod change;
mod expiring;
pub mod hook;
pub mod journal;
pub mod json_out;
mod lifecycle;
mod report;
pub mod rotate;
pub mod stop;
mod table;

use std::io::Write;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use json_out::Ts;

use crate::cli::{CertsArgs, Command, ProjectArg};
use atlas_client::{Client, Error, PageRequest, UserCert};

pub enum Fail {
    Usage(String),
    Atlas(Error),
    Io(String),
    /// The output was printed but is incomplete (exit 4).
    Partial(String),
    /// Certificates were written but a deploy hook did not deliver one
    /// (exit 5): the files are in place, the delivery is not.
    Delivery(String),
    /// Stopped by a signal after finishing the key in hand (exit 128+n).
    Interrupted(i32, String),
}

impl Fail {
    pub fn code(&self) -> u8 {
        match self {
            Fail::Usage(_) => 2,
            Fail::Atlas(e) if e.is_auth() => 3,
            Fail::Atlas(Error::Invalid(_)) => 2,
            Fail::Atlas(_) | Fail::Io(_) => 1,
            Fail::Partial(_) => 4,
            Fail::Delivery(_) => 5,
            Fail::Interrupted(n, _) => stop::exit_code(*n),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Fail::Usage(m)
            | Fail::Io(m)
            | Fail::Partial(m)
            | Fail::Delivery(m)
            | Fail::Interrupted(_, m) => m.clone(),
            Fail::Atlas(e) => e.explained(),
        }
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Atlas(e)
    }
}

pub struct Ctx {
    pub client: Client,
    /// The default project (flag, env, profile).
    pub project: Option<String>,
    pub json: bool,
    /// Pages (or users) fetched at once after the first page.
    pub concurrency: usize,
}

impl Ctx {
    pub(super) fn project(&self, arg: &ProjectArg) -> Result<String, Fail> {
        arg.project.clone().or_else(|| self.project.clone()).ok_or_else(|| {
            Fail::Usage("no project: pass --project ID, or set MONGODB_ATLAS_PROJECT_ID or the profile's project_id".into())
        })
    }
}

/// The JSON of `value` (typed rows, streamed) or the text, never both built.
pub(super) fn emit<T: Serialize + ?Sized>(
    ctx: &Ctx,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<(), Fail> {
    emit_table(ctx, value, |w| w.write_all(text().as_bytes()))
}

/// The JSON of `value`, or a table written straight to stdout.
pub(super) fn emit_table<T: Serialize + ?Sized>(
    ctx: &Ctx,
    value: &T,
    table: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Fail> {
    if ctx.json {
        json_out::write(std::io::stdout().lock(), value).map_err(|e| Fail::Io(e.to_string()))
    } else {
        let mut w = std::io::BufWriter::new(std::io::stdout().lock());
        table(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| Fail::Io(e.to_string()))
    }
}

pub async fn run(ctx: &Ctx, cmd: &Command) -> Result<(), Fail> {
    match cmd {
        Command::Projects => projects(ctx).await,
        Command::Users(a) => users(ctx, a).await,
        Command::Certs(a) => certs(ctx, a).await,
        Command::Issue(a) => change::issue(ctx, a, &stop_for_keys()).await,
        Command::Security(a) => security(ctx, a).await,
        Command::DisableCustomerX509(a) => change::disable(ctx, a).await,
        Command::Expiring(a) => expiring::run(ctx, a).await,
        Command::Rotate(a) => rotate::rotate(ctx, a, &stop_for_keys()).await,
        Command::CreateUser(a) => lifecycle::create_user(ctx, a).await,
        Command::EnableCustomerX509(a) => lifecycle::enable(ctx, a).await,
        Command::Sim(_)
        | Command::Config { .. }
        | Command::Completion { .. }
        | Command::Man { .. } => Err(Fail::Usage("not a headless command".into())),
    }
}

/// The commands that can hold an issued key take the terminating signals
/// over, so that a key in hand is finished before the process ends.
fn stop_for_keys() -> stop::Stop {
    stop::Stop::install().unwrap_or_else(|e| {
        tracing::warn!("signals: {e}");
        crate::tui::say(&format!(
            "cannot take over terminating signals ({e}): a signal now may lose a key in hand"
        ));
        stop::Stop::never()
    })
}

pub(super) fn ts(t: Option<Timestamp>) -> String {
    t.map(|t| crate::format::IsoUtc(t).to_string())
        .unwrap_or_default()
}

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

async fn projects(ctx: &Ctx) -> Result<(), Fail> {
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

async fn users(ctx: &Ctx, a: &ProjectArg) -> Result<(), Fail> {
    let project = ctx.project(a)?;
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

async fn certs(ctx: &Ctx, a: &CertsArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project)?;
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
        (p.results, total, Some(a.page))
    };
    let value = CertPage {
        total_count: total,
        page,
        items_per_page: a.per_page,
        results: list.iter().map(|c| cert_json(c, None, now)).collect(),
    };
    emit_table(ctx, &value, |w| {
        table::write(w, &CERT_HEADERS, &list, |c| cert_row(c, now))?;
        if let (Some(p), Some(total)) = (page, total) {
            let pages = total.div_ceil(u64::from(a.per_page)).max(1);
            writeln!(w, "page {p}/{pages} · {total} certificates")?;
        }
        Ok(())
    })
}

async fn security(ctx: &Ctx, a: &ProjectArg) -> Result<(), Fail> {
    let project = ctx.project(a)?;
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
