//! The TUI's actions as commands for scripts: same client, same guards, no
//! terminal UI. Data goes to stdout (a table, or JSON with `--json`),
//! errors to stderr. Exit codes: [`EXIT_CODES`].

mod create_user;
mod customer_ca;
pub mod delay;
mod expiring;
pub mod hook;
mod issue;
pub mod journal;
pub mod json_out;
mod read;
mod report;
pub mod rotate;
pub mod stop;
mod table;

use std::io::Write;

use jiff::Timestamp;
use serde::Serialize;

use crate::cli::{Command, ProjectArg};
use atlas_client::{Client, Error};

/// `expiring --fail-within`: something in scope expires within it, or a
/// MANAGED user has no certificate.
pub const EXIT_EXPIRING: u8 = 6;
/// `rotate --nothing-due-exit`: the run found nothing due.
pub const EXIT_NOTHING_DUE: u8 = 7;

/// Every exit code, for `--help` and the docs: one table.
pub use crate::cli::EXIT_CODES;

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
    /// `expiring --fail-within` found something (exit 6).
    Alert(String),
    /// `rotate --nothing-due-exit` found nothing due (exit 7).
    NothingDue(String),
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
            Fail::Alert(_) => EXIT_EXPIRING,
            Fail::NothingDue(_) => EXIT_NOTHING_DUE,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Fail::Usage(m)
            | Fail::Io(m)
            | Fail::Partial(m)
            | Fail::Delivery(m)
            | Fail::Alert(m)
            | Fail::NothingDue(m)
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
    /// The project asked for (`--project NAME|ID`, else the default) as
    /// (id, name); the name only when `named` or given as the name.
    pub(super) async fn project_named(
        &self,
        arg: &ProjectArg,
        named: bool,
    ) -> Result<(String, String), Fail> {
        let want = arg.project.clone().or_else(|| self.project.clone()).ok_or_else(|| {
            Fail::Usage("no project: pass --project NAME|ID, or set MONGODB_ATLAS_PROJECT_ID or the profile's project_id".into())
        })?;
        Ok(self
            .client
            .find_project(&want, named, self.concurrency)
            .await?)
    }

    /// The project asked for, as its id.
    pub(super) async fn project(&self, arg: &ProjectArg) -> Result<String, Fail> {
        Ok(self.project_named(arg, false).await?.0)
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
    emit_as(ctx.json, value, table)
}

/// [`emit_table`] with the choice made by the caller (`--format json`).
pub(super) fn emit_as<T: Serialize + ?Sized>(
    json: bool,
    value: &T,
    table: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Fail> {
    if json {
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
        Command::Projects => read::projects(ctx).await,
        Command::Users(a) => read::users(ctx, a).await,
        Command::Certs(a) => read::certs(ctx, a).await,
        Command::Issue(a) => issue::issue(ctx, a, &stop_for_keys()).await,
        Command::Security(a) => read::security(ctx, a).await,
        Command::DisableCustomerX509(a) => customer_ca::disable(ctx, a).await,
        Command::Expiring(a) => expiring::run(ctx, a).await,
        Command::Rotate(a) => rotate::rotate(ctx, a, &stop_for_keys()).await,
        Command::CreateUser(a) => create_user::create_user(ctx, a).await,
        Command::EnableCustomerX509(a) => customer_ca::enable(ctx, a).await,
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
        crate::say::say(&format!(
            "cannot take over terminating signals ({e}): a signal now may lose a key in hand"
        ));
        stop::Stop::never()
    })
}

pub(super) fn ts(t: Option<Timestamp>) -> String {
    t.map(|t| crate::format::IsoUtc(t).to_string())
        .unwrap_or_default()
}
