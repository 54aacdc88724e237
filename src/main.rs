use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use atlas_client::{Client, ClientConfig, Credentials};
use atlas_sim::{Seed, SimConfig, SimHandle};
use atlas_x509::app::Env;
use atlas_x509::app::keymap::Keymap;
use atlas_x509::cli::{Cli, Command, ConfigCommand, SimArgs};
use atlas_x509::config::{self, Flags, Resolved, Setting, Source};
use atlas_x509::pem::clipboard::Clipboard;
use atlas_x509::{headless, logging, manuals, renew, tui};

fn main() -> ExitCode {
    // Before anything holds a secret: a core file would hold them all.
    let hardening = atlas_x509::harden::no_core_dumps();
    let cli = Cli::parse_args();
    // Generated from the definition alone: no log, config or credentials.
    match &cli.command {
        Some(Command::Completion { shell }) => {
            return ExitCode::from(match manuals::print(&manuals::completion(*shell)) {
                Ok(()) => 0,
                Err(e) => fail(1, &e),
            });
        }
        Some(Command::Man { dir }) => {
            let done = match dir {
                Some(d) => manuals::write_man_pages(d).map(|n| {
                    atlas_x509::say_err!("atlas-x509: {n} man pages written to {}", d.display());
                }),
                None => manuals::man_page()
                    .map_err(|e| e.to_string())
                    .and_then(|page| manuals::print(&page)),
            };
            return ExitCode::from(match done {
                Ok(()) => 0,
                Err(e) => fail(1, &e),
            });
        }
        _ => {}
    }
    let _log = logging::init(cli.log_file.clone());
    for p in &hardening {
        tracing::warn!("core dumps: {p}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            atlas_x509::say_err!("atlas-x509: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Sim(args)) = &cli.command {
        return ExitCode::from(match runtime.block_on(run_sim(args)) {
            Ok(()) => 0,
            Err(e) => fail(1, &e),
        });
    }
    let flags = match flags(&cli) {
        Ok(f) => f,
        Err(e) => return ExitCode::from(fail(2, &e)),
    };
    // Before the runtime: a keyring lookup may block on D-Bus.
    let mut resolved = config::load(flags.clone());
    let config_show = matches!(cli.command, Some(Command::Config { .. }));
    if !cli.demo && !config_show {
        match renew_if_expired(resolved, &flags, cli.renew_with_atlas) {
            Ok(r) => resolved = r,
            Err((code, message)) => return ExitCode::from(fail(code, &message)),
        }
    }
    resolved.credentials = with_reload(resolved.credentials, flags);
    // Colours and keys are UI types: checked there, reported with the rest.
    atlas_x509::ui::check_settings(&mut resolved);
    let code = runtime.block_on(run(cli, resolved));
    // A thread stuck on a dead terminal or clipboard must not hold the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    ExitCode::from(code)
}

async fn run(cli: Cli, mut resolved: Resolved) -> u8 {
    // The demo's simulator lives as long as this function.
    let _demo = if cli.demo {
        match demo(&mut resolved).await {
            Ok(h) => Some(h),
            Err(e) => return fail(1, &e),
        }
    } else {
        None
    };
    if let Some(Command::Config {
        what: ConfigCommand::Show,
    }) = &cli.command
    {
        let now = jiff::Timestamp::now().as_second();
        if cli.json {
            let out = std::io::stdout().lock();
            return match atlas_x509::headless::json_out::write(
                out,
                &config::show_json(&resolved, now),
            ) {
                Ok(()) => 0,
                Err(e) => fail(1, &format!("stdout: {e}")),
            };
        }
        print!("{}", config::show(&resolved, now));
        return 0;
    }
    for p in &resolved.problems {
        tracing::warn!("config: {p}");
    }
    match &cli.command {
        Some(cmd) => {
            // The TUI's flag, before a command, would be silently ignored.
            if cli.renew_before.is_some() {
                return fail(
                    2,
                    "--renew-before before the command is the terminal UI's: put it after the command (`atlas-x509 rotate --renew-before 1/3 …`)",
                );
            }
            if resolved.credentials.is_none() {
                return fail(3, &config::no_credentials_text(&resolved).join("\n"));
            }
            let client = match client(&resolved, &cli) {
                Ok(c) => c,
                Err(e) => return fail(e.0, &e.1),
            };
            let ctx = headless::Ctx {
                client,
                project: resolved.project_id.as_ref().map(|p| p.value.clone()),
                json: cli.json,
                concurrency: resolved.concurrency.value,
            };
            match headless::run(&ctx, cmd).await {
                Ok(()) => 0,
                Err(f) => fail(f.code(), &f.message()),
            }
        }
        None => run_tui(&resolved, &cli).await,
    }
}

/// An expired user-account token is renewed through the Atlas CLI (asked
/// first on a terminal), then the profile read again; anything else passes.
fn renew_if_expired(
    r: Resolved,
    flags: &Flags,
    without_asking: bool,
) -> Result<Resolved, (u8, String)> {
    use std::io::IsTerminal;
    let now = jiff::Timestamp::now().as_second();
    let Credentials::UserAccount { origin, .. } = &r.credentials else {
        return Ok(r);
    };
    if r.credentials.usable_until().is_none_or(|t| now < t) {
        return Ok(r);
    }
    let expired = atlas_client::Error::Token {
        expired_at: r.credentials.expires_at(),
        profile: origin.profile.clone(),
    };
    let Some(profile) = origin.profile.clone() else {
        return Err((3, expired.to_string()));
    };
    let Some(atlas) = renew::find_atlas(std::env::var_os("PATH").as_deref()) else {
        return Err((
            3,
            format!("{expired} (the Atlas CLI, `atlas`, is not on PATH)"),
        ));
    };
    let command = atlas_client::renew_command(&profile).join(" ");
    if !without_asking {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err((
                3,
                format!("{expired}; or pass --renew-with-atlas to let atlas-x509 run it"),
            ));
        }
        eprint!("atlas-x509: {expired}.\nRun `{command}` now? [Y/n] ");
        let mut answer = String::new();
        if std::io::stdin().read_line(&mut answer).is_err() || !renew::is_yes(&answer) {
            return Err((3, format!("not renewed: {expired}")));
        }
    }
    atlas_x509::say::say(&format!("renewing the access token with `{command}`…"));
    // What the CLI may print back: the profile's secrets, read before it
    // rotates them (the new ones are caught by their shape).
    let mut secrets = config::profile_secrets(&profile);
    if let Credentials::UserAccount { access_token, .. } = &r.credentials {
        use secrecy::ExposeSecret;
        secrets.push(zeroize::Zeroizing::new(
            access_token.expose_secret().to_string(),
        ));
    }
    let secrets: Vec<&str> = secrets.iter().map(|s| s.as_str()).collect();
    renew::run_atlas(&atlas, &profile, Duration::from_secs(120), &secrets).map_err(|e| {
        (
            3,
            format!("{e}; sign in again with `atlas auth login --profile {profile}`"),
        )
    })?;
    let again = config::load(flags.clone());
    let now = jiff::Timestamp::now().as_second();
    match &again.credentials {
        Credentials::UserAccount { .. }
            if again.credentials.usable_until().is_none_or(|t| now < t) =>
        {
            atlas_x509::say::say("access token renewed");
            Ok(again)
        }
        _ => Err((
            3,
            format!(
                "`{command}` ran but profile [{profile}] still holds no valid access token; sign in again with `atlas auth login --profile {profile}`"
            ),
        )),
    }
}

/// Lets the client read a user-account token again when it expires mid-run:
/// the Atlas CLI, run in another shell, may have refreshed it.
fn with_reload(credentials: Credentials, flags: Flags) -> Credentials {
    credentials.with_reload(Arc::new(move || {
        match config::load(flags.clone()).credentials {
            Credentials::UserAccount { access_token, .. } => Some(access_token),
            _ => None,
        }
    }))
}

/// The last word on stderr. Messages can quote a server, so they pass the
/// sanitiser like every other server text.
fn fail(code: u8, message: &str) -> u8 {
    atlas_x509::say::say(&atlas_client::sanitize::lines(
        message,
        4 * atlas_client::sanitize::DETAIL_MAX,
    ));
    code
}

fn read_secret(path: &Option<std::path::PathBuf>, what: &str) -> Result<Option<String>, String> {
    path.as_ref()
        .map(|p| {
            std::fs::read_to_string(p)
                .map(|s| s.trim().to_string())
                .map_err(|e| format!("{what} {}", atlas_client::os_error::about(p, &e)))
        })
        .transpose()
}

fn flags(cli: &Cli) -> Result<Flags, String> {
    Ok(Flags {
        profile: cli.profile.clone(),
        base_url: cli.base_url.clone(),
        project_id: cli.project_id.clone(),
        public_api_key: cli.public_api_key.clone(),
        private_api_key: read_secret(&cli.private_api_key_file, "--private-api-key-file")?,
        client_id: cli.client_id.clone(),
        client_secret: read_secret(&cli.client_secret_file, "--client-secret-file")?,
        timeout: cli.timeout,
        concurrency: cli.concurrency.map(|n| n as usize),
        items_per_page: cli.items_per_page,
        default_months: cli.default_months,
        clipboard: cli.clipboard,
        clipboard_clear_after: cli.clipboard_clear_after,
        mouse: cli.mouse,
    })
}

/// Points the settings at a fresh in-process simulator with its own key.
async fn demo(r: &mut Resolved) -> Result<SimHandle, String> {
    let handle = atlas_sim::start(SimConfig::default())
        .await
        .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
    let c = &handle.credentials;
    r.credentials = Credentials::api_key(&c.public_key, &c.private_key);
    r.credential_sources = Some((Source::Demo, Source::Demo));
    r.base_url = Setting {
        value: c.base_url.clone(),
        source: Source::Demo,
    };
    r.project_id = None;
    r.org_id = None;
    Ok(handle)
}

fn client(r: &Resolved, cli: &Cli) -> Result<Client, (u8, String)> {
    let mut cfg = ClientConfig::new(r.base_url.value.clone(), r.credentials.clone());
    cfg.timeout = Duration::from_secs(r.timeout.value);
    if let Some(n) = cli.max_items {
        cfg.limits.max_items = n;
    }
    if let Some(n) = cli.max_pages {
        cfg.limits.max_pages = n;
    }
    Client::new(cfg).map_err(|e| (if e.is_auth() { 3 } else { 2 }, e.explained()))
}

/// A project asked for by flag or environment wins; then the place the
/// last run against this target was left in; then the profile's project.
fn start_place(r: &Resolved, target: &str) -> Option<atlas_x509::app::Place> {
    use atlas_x509::app::Place;
    let asked = r.project_id.as_ref();
    let explicit = asked.filter(|p| matches!(p.source, Source::Flag(_) | Source::Env(_)));
    if let Some(p) = explicit {
        return Some(Place::project(p.value.clone()));
    }
    atlas_x509::places::recall(target).or_else(|| asked.map(|p| Place::project(p.value.clone())))
}

async fn run_tui(r: &Resolved, cli: &Cli) -> u8 {
    let theme = atlas_x509::ui::Theme::with_colors(r.color.value, &r.theme_colors).0;
    if r.credentials.is_none() {
        return match tui::notice(
            "atlas-x509 · no credentials",
            &config::no_credentials_text(r),
            theme,
        )
        .await
        {
            Ok(()) => 3,
            Err(e) => fail(1, &format!("terminal: {e}")),
        };
    }
    let client = match client(r, cli) {
        Ok(c) => c,
        Err(e) => return fail(e.0, &e.1),
    };
    let target = if r.base_url.source == Source::Demo {
        "DEMO".to_string()
    } else {
        client.base_url().host_str().unwrap_or("atlas").to_string()
    };
    let env = Env {
        target: target.clone(),
        credentials: format!(
            "{} {}",
            r.credentials.kind_label(),
            r.credentials.public_id().unwrap_or_default()
        ),
        items_per_page: r.items_per_page.value,
        default_months: r.default_months.value,
        concurrency: r.concurrency.value,
        start: start_place(r, &target),
        renewal: cli.renew_before.unwrap_or_default(),
        save_dir: r.save_dir.as_ref().map(|d| d.value.clone()),
        notes: r.problems.clone(),
        // Clashes were already reported among `r.problems`.
        keymap: Arc::new(Keymap::with_overrides(&r.keys).0),
        test_panic_key: test_panic_key(),
    };
    let clipboard = Clipboard::new(
        r.clipboard.value,
        r.clipboard_clear_after
            .as_ref()
            .map(|s| Duration::from_secs(s.value)),
    );
    let opts = tui::Options {
        write_ahead: r.key_write_ahead.value,
        // The request's own deadline, and a little for the key to be kept.
        issue_wait: Duration::from_secs(r.timeout.value) + Duration::from_secs(5),
        mouse: r.mouse.value,
        clipboard: Arc::new(clipboard),
        theme,
    };
    match tui::run(client, env, opts).await {
        Ok(code) => code,
        Err(e) => fail(1, &format!("terminal: {e}")),
    }
}

/// Debug builds only: `ATLAS_X509_TEST_PANIC_IN_DIALOG=<char>` panics on
/// that key inside the PEM dialog, for the tests.
fn test_panic_key() -> Option<char> {
    if cfg!(debug_assertions) {
        std::env::var("ATLAS_X509_TEST_PANIC_IN_DIALOG")
            .ok()
            .and_then(|v| v.chars().next())
    } else {
        None
    }
}

async fn run_sim(args: &SimArgs) -> Result<(), String> {
    let seed = match &args.seed {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| atlas_client::os_error::about(path, &e))?;
            Seed::from_json(&text)?
        }
        None => Seed::default_seed(),
    };
    let handle = atlas_sim::start(SimConfig {
        listen: args.listen,
        seed,
        key_type: args.key_type,
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        rate_limit: args.rate_limit,
        token_ttl: Duration::from_secs(args.token_ttl),
        strict_nonce_count: args.strict_nonce_count,
        user_token_ttl: i64::try_from(args.user_token_ttl).unwrap_or(i64::MAX),
        issue_delay: Duration::from_millis(args.issue_delay_ms),
        issue_cooldown: Duration::from_millis(args.issue_cooldown_ms),
        issue_fault: args.issue_fault,
        ..SimConfig::default()
    })
    .await
    .map_err(|e| format!("cannot start the simulator: {e}"))?;
    let line = serde_json::to_string(&handle.credentials).map_err(|e| e.to_string())?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
            .and_then(|_| out.flush())
            .map_err(|e| e.to_string())?;
    }
    tokio::select! {
        _ = handle.serve_forever() => Err("the simulator stopped".into()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
