//! Command-line arguments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::pem::clipboard::ClipboardMode;
use atlas_sim::{KeyType, RateLimit};

/// Every exit code: one table, in `--help` and the docs.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0      done (rotate: everything due was rotated and delivered)
  1      an Atlas or I/O error
  2      usage: a bad flag, project, page or file; nothing was sent
  3      authentication: no credentials, or Atlas refused them
  4      partial: some projects or users could not be read (the rest is printed),
         or a due user was not rotated (the validity asked would buy nothing)
  5      rotate: certificates written, but a deploy hook did not deliver one
  6      expiring --fail-within: a certificate expires within it, or a user has none
  7      rotate --nothing-due-exit: nothing was due
  128+n  stopped by signal n (130 Ctrl-C, 143 SIGTERM) after finishing the key in hand"
    };
}
pub const EXIT_CODES: &str = exit_codes!();

/// The heading of the options every command shares, listed after a
/// command's own.
const CONNECTION: &str = "Connection and output (every command)";

/// A command's help: its own options in full, the shared ones by name
/// (`atlas-x509 --help` explains them), so they do not bury its own.
const SUB_HELP: &str = "{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}\n\n\
Every command also takes: --demo, -P/--profile, --base-url, --public-api-key,\n\
--private-api-key-file, --client-id, --client-secret-file, --timeout, --concurrency,\n\
--max-items, --max-pages, --json, --log-file, --renew-with-atlas (atlas-x509 --help)\n\
{after-help}";

impl Cli {
    /// The command line as parsed and as its help is printed: each
    /// command's help lists its own options, and names the shared ones.
    pub fn command_line() -> clap::Command {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        cmd.build();
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        for name in names {
            cmd = cmd.mut_subcommand(name, |sc| {
                sc.mut_args(|a| if a.is_global_set() { a.hide(true) } else { a })
            });
        }
        cmd
    }

    pub fn parse_args() -> Cli {
        use clap::FromArgMatches;
        let matches = Cli::command_line().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "atlas-x509",
    version,
    about = "The X.509 certificates of MongoDB Atlas database users, in a terminal",
    after_help = concat!("Credentials are read as the Atlas CLI reads them: flags, then MONGODB_ATLAS_* (or MCLI_*) \
                  variables, then the Atlas CLI profile (keyring, then its config.toml). \
                  `atlas-x509 config show` says where each setting came from.", "\n\n", exit_codes!())
)]
pub struct Cli {
    /// Run against a built-in Atlas simulator on loopback (no account needed).
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub demo: bool,

    /// When the profile's user-account access token has expired, run the
    /// Atlas CLI to renew it without asking (for scripts; a terminal is asked).
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub renew_with_atlas: bool,

    /// Atlas CLI profile to read (default: `default`).
    #[arg(long, short = 'P', global = true, help_heading = CONNECTION)]
    pub profile: Option<String>,

    /// Atlas base URL (default https://cloud.mongodb.com).
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub base_url: Option<String>,

    /// The project, by name or id: the UI opens on it, and commands use
    /// it when they are given none.
    #[arg(
        long = "project",
        short = 'p',
        alias = "project-id",
        value_name = "NAME|ID"
    )]
    pub project_id: Option<String>,

    /// API public key (its private key comes from a file, never an argument).
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub public_api_key: Option<String>,

    /// File holding the API private key.
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "PATH")]
    pub private_api_key_file: Option<PathBuf>,

    /// Service account client id.
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub client_id: Option<String>,

    /// File holding the service account client secret.
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "PATH")]
    pub client_secret_file: Option<PathBuf>,

    /// Seconds before an Atlas request is abandoned (default 30).
    #[arg(long, global = true, help_heading = CONNECTION, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: Option<u64>,

    /// Requests in flight at once: the pages of a list, and all of an
    /// organisation scan (expiring, rotate, the expiring view) (default 20).
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=32))]
    pub concurrency: Option<u64>,

    /// The most items one list may hold before a command stops with an
    /// error (default 100000): a bound on what a server can make us read.
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_items: Option<u64>,

    /// The most pages one list walk may fetch (default 1000).
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pages: Option<u32>,

    /// Certificates per page in the UI (default 100).
    #[arg(long, help_heading = "The terminal UI", value_parser = clap::value_parser!(u32).range(1..=500))]
    pub items_per_page: Option<u32>,

    /// The expiring view marks a user due when less than this share of its
    /// newest certificate's lifetime is left (`1/3`), instead of when it
    /// expires within 30 days; rotating from there refuses what `rotate`
    /// would.
    #[arg(long, help_heading = "The terminal UI", value_name = "FRACTION", value_parser = crate::rotation::parse_fraction)]
    pub renew_before: Option<crate::rotation::Renewal>,

    /// Months preselected in the issue dialog (default 3).
    #[arg(long, help_heading = "The terminal UI", value_parser = clap::value_parser!(u8).range(1..=24))]
    pub default_months: Option<u8>,

    /// How `y` copies the PEM: `auto` (system clipboard with a local display,
    /// OSC 52 over SSH or without one), `arboard`, `osc52` or `off`.
    #[arg(long, help_heading = "The terminal UI", value_enum)]
    pub clipboard: Option<ClipboardMode>,

    /// Clear the system clipboard this many seconds after a copy, if it
    /// still holds the PEM.
    #[arg(long, help_heading = "The terminal UI", value_name = "SECS")]
    pub clipboard_clear_after: Option<u64>,

    /// Capture the mouse: click selects, wheel scrolls (turns off the
    /// terminal's own drag-to-select).
    #[arg(long, help_heading = "The terminal UI")]
    pub mouse: bool,

    /// JSON output for commands (a table otherwise).
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub json: bool,

    /// Where to write the log (never the terminal).
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub log_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Atlas simulator until killed. The first stdout line is a JSON
    /// object with its base URL and credentials.
    Sim(SimArgs),
    /// Settings and where each came from.
    Config {
        #[command(subcommand)]
        what: ConfigCommand,
    },
    /// The projects the credentials can see.
    #[command(help_template = SUB_HELP)]
    Projects,
    /// A project's database users.
    #[command(help_template = SUB_HELP)]
    Users(ProjectArg),
    /// A user's unexpired certificates.
    #[command(help_template = SUB_HELP)]
    Certs(CertsArgs),
    /// Issue a certificate and write its PEM (certificate + private key).
    #[command(help_template = SUB_HELP)]
    Issue(IssueArgs),
    /// A project's user security: is a customer CA configured?
    #[command(help_template = SUB_HELP)]
    Security(ProjectArg),
    /// Clear a project's customer CA (Atlas restarts every cluster).
    #[command(help_template = SUB_HELP)]
    DisableCustomerX509(DisableArgs),
    /// Each MANAGED user whose newest certificate expires within a window
    /// (or who has none); customer-CA projects are skipped, and said so.
    #[command(help_template = SUB_HELP, after_help = crate::headless::EXIT_CODES)]
    Expiring(ExpiringArgs),
    /// Issue a replacement for every MANAGED user whose newest certificate
    /// expires within a window, each PEM written 0600 into a private directory.
    #[command(help_template = SUB_HELP, after_help = crate::headless::EXIT_CODES)]
    Rotate(RotateArgs),
    /// Create an X.509 database user on $external.
    #[command(help_template = SUB_HELP)]
    CreateUser(CreateUserArgs),
    /// Upload a customer CA bundle: customer-managed X.509 on (Atlas restarts
    /// every cluster; Atlas-managed certificates can no longer be issued).
    #[command(help_template = SUB_HELP)]
    EnableCustomerX509(EnableArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Install: bash: atlas-x509 completion bash > ~/.local/share/bash-completion/completions/atlas-x509\n\
                            zsh: atlas-x509 completion zsh > \"${fpath[1]}/_atlas-x509\"\n\
                            fish: atlas-x509 completion fish > ~/.config/fish/completions/atlas-x509.fish\n\
                            PowerShell: atlas-x509 completion powershell | Out-String | Invoke-Expression"
    )]
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per command into a directory.
    #[command(
        after_help = "Install: atlas-x509 man --dir ~/.local/share/man/man1, then `man atlas-x509` \
                            and `man atlas-x509-rotate`"
    )]
    Man {
        /// Write atlas-x509.1 and atlas-x509-<command>.1 here (created if missing).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every setting with its source; secrets are masked.
    Show,
}

#[derive(Debug, Args)]
pub struct ProjectArg {
    /// The project, by name or id (default: the profile's, or
    /// MONGODB_ATLAS_PROJECT_ID).
    #[arg(long, short = 'p', alias = "project-id", value_name = "NAME|ID")]
    pub project: Option<String>,
}

#[derive(Debug, Args)]
pub struct CertsArgs {
    /// The database user: its username as Atlas has it (`alice`,
    /// `CN=app,O=acme`).
    #[arg(long, short = 'u')]
    pub user: String,
    #[command(flatten)]
    pub project: ProjectArg,
    /// Every page.
    #[arg(long, short = 'A', conflicts_with = "page")]
    pub all: bool,
    /// The page to print, from 1 (pages as Atlas counts them).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub page: u32,
    /// Certificates per page, 1 to 500.
    #[arg(long, short = 'L', default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub per_page: u32,
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The database user (a MANAGED one): its username as Atlas has it
    /// (`alice`, `CN=app,O=acme`).
    #[arg(long, short = 'u')]
    pub user: String,
    #[command(flatten)]
    pub project: ProjectArg,
    /// Months until the certificate expires, 1 to 24.
    #[arg(long, short = 'm', value_parser = clap::value_parser!(u8).range(1..=24))]
    pub months: u8,
    /// File for the PEM (mode 0600); `-` writes it to stdout.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub overwrite: bool,
    /// With `--out -`: how long stdout may take to accept the key (a pipe
    /// nobody reads) before it goes to the rescue file instead.
    #[arg(long, default_value = "30s", value_parser = parse_timeout, value_name = "TIME")]
    pub stdout_timeout: std::time::Duration,
    #[command(flatten)]
    pub hook: DeployHookArgs,
}

#[derive(Debug, Args)]
pub struct DeployHookArgs {
    /// A command run once per certificate written, after the file is in
    /// place, with ATLAS_X509_PEM, ATLAS_X509_PROJECT_ID,
    /// ATLAS_X509_PROJECT_NAME, ATLAS_X509_USERNAME, ATLAS_X509_SERIAL and
    /// ATLAS_X509_NOT_AFTER in its environment (never the key). Split into
    /// words as a shell quotes them, but run without a shell.
    #[arg(long, value_name = "CMD")]
    pub deploy_hook: Option<String>,
    /// Run the deploy hook with /bin/sh -c (pipes, variables, `&&`).
    #[arg(long, requires = "deploy_hook")]
    pub deploy_hook_shell: bool,
    /// How long a deploy hook may run before it is stopped (`90s`, `5m`).
    #[arg(long, default_value = "120s", value_parser = parse_timeout, requires = "deploy_hook")]
    pub deploy_hook_timeout: std::time::Duration,
    /// Keep the hook's output (redacted) in the report and --json; without
    /// it, only a failing hook's last lines are shown, on stderr.
    #[arg(long, requires = "deploy_hook")]
    pub hook_output: bool,
}

/// `90s`, `5m`, `1h`; a bare number is seconds; 1 s to 24 h.
pub fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{t:?} is not a timeout like 90s or 5m"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3_600),
        _ => return Err(format!("{t:?}: the unit must be s, m or h")),
    };
    if !(1..=86_400).contains(&secs) {
        return Err(format!("{t:?}: a timeout is from 1s to 24h"));
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[derive(Debug, Args)]
pub struct DisableArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Do it without asking (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ExpiringArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Due when the certificate expires within this window (`30d`, `12h`,
    /// `2w`).
    #[arg(long, default_value = "30d", value_parser = parse_window)]
    pub within: jiff::SignedDuration,
    /// Due when less than this share of its lifetime is left instead
    /// (`1/3`, `0.25`, `33%`): cert-manager and step-ca renew at 1/3.
    #[arg(long, value_name = "FRACTION", value_parser = crate::rotation::parse_fraction, conflicts_with = "within")]
    pub renew_before: Option<crate::rotation::Renewal>,
    /// Every project the credentials can see, not one.
    #[arg(long, conflicts_with = "project")]
    pub all_projects: bool,
    /// Every certificate that expires within the window, not only each
    /// user's newest (the one `rotate` would replace).
    #[arg(long)]
    pub all_certs: bool,
    /// Exit 6 when a user's newest certificate expires within this window
    /// (`7d`), or a MANAGED user has none: for monitoring and cron alerts.
    #[arg(long, value_name = "DURATION", value_parser = parse_window)]
    pub fail_within: Option<jiff::SignedDuration>,
    /// `table` (default), `json` (as --json), or `prometheus`: the
    /// node_exporter textfile format, every MANAGED user in scope.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub delay: DelayArg,
}

/// How `expiring` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Prometheus,
}

#[derive(Debug, Args)]
pub struct DelayArg {
    /// Wait a random time up to this long (`1h`) before the first request,
    /// so a fleet of cron jobs does not reach Atlas at the same second;
    /// skipped when run from a terminal, as certbot does.
    #[arg(long, value_name = "DURATION", value_parser = parse_delay)]
    pub random_delay: Option<std::time::Duration>,
}

/// A `--random-delay`: as a timeout, up to 24 hours.
pub fn parse_delay(s: &str) -> Result<std::time::Duration, String> {
    parse_timeout(s)
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Every project the credentials can see, not one.
    #[arg(long, conflicts_with = "project")]
    pub all_projects: bool,
    /// Rotate when the newest certificate expires within this window.
    #[arg(long, default_value = "30d", value_parser = parse_window)]
    pub within: jiff::SignedDuration,
    /// Rotate when less than this share of its lifetime is left instead
    /// (`1/3`, `0.25`, `33%`): cert-manager and step-ca renew at 1/3.
    #[arg(long, value_name = "FRACTION", value_parser = crate::rotation::parse_fraction, conflicts_with = "within")]
    pub renew_before: Option<crate::rotation::Renewal>,
    /// Where the PEMs go, as `<project>-<user>-<serial>.pem`: an existing
    /// directory closed to other users (mode 0700 or 0750).
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Validity of the new certificates (default: that of the one replaced).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=24))]
    pub months: Option<u8>,
    /// Show what would be rotated (and which hooks would run); issue nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub hook: DeployHookArgs,
    /// Write a JSON report of the run here (atomically, also when the run
    /// fails or is stopped by a signal).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the run's metrics here in the node_exporter textfile format
    /// (atomically, however the run ends): each certificate's and user's
    /// expiry, the last success, users rotated, failed and skipped.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
    /// Exit 7 instead of 0 when nothing was due, so a wrapper can tell a
    /// run that rotated from one that did not.
    #[arg(long)]
    pub nothing_due_exit: bool,
    /// Also write each certificate (0644) and key (0600) as `.crt` and
    /// `.key`, with stable `live/<project>/<user>.crt` and `.key` paths.
    #[arg(long)]
    pub split: bool,
    /// After the run, remove the serial files of certificates that have
    /// expired (never one a `live/` path points at, never before expiry).
    #[arg(long)]
    pub prune: bool,
    /// With --dry-run: run each due user's deploy hook against its current
    /// live file, with ATLAS_X509_DRY_RUN=1, to rehearse the delivery.
    #[arg(long, requires = "dry_run", requires = "deploy_hook")]
    pub run_hooks: bool,
    /// A command run once per user whose rotation or delivery failed, and
    /// once when the run itself fails, with ATLAS_X509_FAILURE (the reason)
    /// and the user's ATLAS_X509_PROJECT_ID, ATLAS_X509_PROJECT_NAME,
    /// ATLAS_X509_USERNAME in its environment; never a key or a secret.
    /// Split into words as a shell quotes them, run without a shell.
    #[arg(long, value_name = "CMD")]
    pub failure_hook: Option<String>,
    #[command(flatten)]
    pub delay: DelayArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum X509Kind {
    /// Certificates issued by Atlas.
    Managed,
    /// Certificates from the project's customer CA; the username is a DN.
    Customer,
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// The username: a plain name or `CN=name` for MANAGED, an RFC 2253 DN
    /// for CUSTOMER.
    #[arg(long = "user", short = 'u', alias = "username")]
    pub username: String,
    #[arg(long, value_enum)]
    pub x509: X509Kind,
    /// A role as `role@database` (repeatable); cluster-wide roles such as
    /// `readAnyDatabase` or `atlasAdmin` take no database.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EnableArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// PEM file with the CA certificate(s).
    #[arg(long)]
    pub cas: PathBuf,
    /// Do it without asking (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `30d`, `12h`, `2w`, `90m`; a bare number is days.
pub fn parse_window(s: &str) -> Result<jiff::SignedDuration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{s:?} is not a window like 30d, 12h or 2w"))?;
    let secs = match unit {
        "" | "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "w" => 7 * 86_400,
        _ => return Err(format!("{s:?}: the unit must be m, h, d or w")),
    };
    Ok(jiff::SignedDuration::from_secs(n.saturating_mul(secs)))
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Loopback address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// Seed JSON (projects, users, certificate metadata); the bundled one by default.
    #[arg(long)]
    pub seed: Option<PathBuf>,

    /// Added to every answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Added to a certificate's answer after it is issued (a slow POST).
    #[arg(long, default_value_t = 0)]
    pub issue_delay_ms: u64,

    /// Issue the wrong certificate, to try a client's checks.
    #[arg(long, value_enum)]
    pub issue_fault: Option<atlas_sim::IssueFault>,

    /// After each certificate issued, refuse the next ones with a 429 and
    /// Retry-After for this long (a creation rate limit).
    #[arg(long, default_value_t = 0)]
    pub issue_cooldown_ms: u64,

    /// Share of API requests answered with a 500, from 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,

    /// Requests allowed per window before 429s, e.g. `100/min` or `5/10s`.
    #[arg(long)]
    pub rate_limit: Option<RateLimit>,

    /// Key type of issued certificates: `rsa` (4096, as Atlas) or `ec` (fast).
    #[arg(long, value_enum, default_value_t = KeyType::Rsa)]
    pub key_type: KeyType,

    /// Lifetime of service-account tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    pub token_ttl: u64,

    /// Refuse a Digest nonce count that does not rise (a strict server).
    #[arg(long)]
    pub strict_nonce_count: bool,

    /// Lifetime of user-account access tokens (`access_token` in the
    /// start-up line, and each one a refresh gives), in seconds; 0 makes
    /// them expired from the start.
    #[arg(long, default_value_t = 43_200)]
    pub user_token_ttl: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(parse_window("30d").unwrap().as_secs(), 30 * 86_400);
        assert_eq!(parse_window("12h").unwrap().as_secs(), 12 * 3_600);
        assert_eq!(parse_window("2w").unwrap().as_secs(), 14 * 86_400);
        assert_eq!(parse_window("7").unwrap().as_secs(), 7 * 86_400);
        assert!(parse_window("soon").is_err());
        assert!(parse_window("3y").is_err());
    }

    #[test]
    fn the_cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
