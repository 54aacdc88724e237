use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use atlas_x509::app::Env;
use atlas_x509::atlas::{Client, ClientConfig, Credentials, PageRequest};
use atlas_x509::cli::{Cli, Command, SimArgs};
use atlas_x509::logging;
use atlas_x509::pem::clipboard::Clipboard;
use atlas_x509::sim::{self, Seed, SimConfig};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = logging::init(cli.log_file.clone());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("atlas-x509: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Some(Command::Sim(args)) => run_sim(args).await,
            None => run_tui(&cli).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("atlas-x509: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_sim(args: &SimArgs) -> Result<(), String> {
    let seed = match &args.seed {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Seed::from_json(&text)?
        }
        None => Seed::default_seed(),
    };
    let handle = sim::start(SimConfig {
        listen: args.listen,
        seed,
        key_type: args.key_type,
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        rate_limit: args.rate_limit,
        token_ttl: Duration::from_secs(args.token_ttl),
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

fn env_credentials() -> Credentials {
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
    };
    let public = var(&["MONGODB_ATLAS_PUBLIC_API_KEY", "MCLI_PUBLIC_API_KEY"]);
    let private = var(&["MONGODB_ATLAS_PRIVATE_API_KEY", "MCLI_PRIVATE_API_KEY"]);
    let client_id = var(&["MONGODB_ATLAS_CLIENT_ID", "MCLI_CLIENT_ID"]);
    let client_secret = var(&["MONGODB_ATLAS_CLIENT_SECRET", "MCLI_CLIENT_SECRET"]);
    match (public, private, client_id, client_secret) {
        (_, _, Some(id), Some(secret)) => Credentials::service_account(id, secret),
        (Some(public), Some(private), _, _) => Credentials::api_key(public, private),
        _ => Credentials::None,
    }
}

async fn run_tui(cli: &Cli) -> Result<(), String> {
    // The demo simulator issues RSA 4096 like Atlas; it lives as long as the UI.
    let (_sim, base_url, credentials, target) = if cli.demo {
        let handle = sim::start(SimConfig::default())
            .await
            .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
        let c = &handle.credentials;
        let creds = Credentials::api_key(&c.public_key, &c.private_key);
        let url = c.base_url.clone();
        (Some(handle), url, creds, "DEMO".to_string())
    } else {
        let creds = env_credentials();
        if creds.is_none() {
            return Err("no Atlas credentials: set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY (or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET), or try --demo".into());
        }
        (None, cli.base_url.clone(), creds, String::new())
    };
    let mut cfg = ClientConfig::new(base_url, credentials.clone());
    cfg.timeout = Duration::from_secs(cli.timeout);
    let client = Client::new(cfg).map_err(|e| e.to_string())?;
    let target = if target.is_empty() {
        client.base_url().host_str().unwrap_or("atlas").to_string()
    } else {
        target
    };
    let env = Env {
        target,
        credentials: format!(
            "{} {}",
            credentials.kind_label(),
            credentials.public_id().unwrap_or_default()
        ),
        items_per_page: PageRequest::DEFAULT_ITEMS_PER_PAGE,
        default_months: 3,
    };
    let clipboard = Clipboard::new(
        cli.clipboard,
        cli.clipboard_clear_after.map(Duration::from_secs),
    );
    let opts = atlas_x509::tui::Options {
        mouse: cli.mouse,
        clipboard: Arc::new(clipboard),
    };
    atlas_x509::tui::run(client, env, opts)
        .await
        .map_err(|e| format!("terminal: {e}"))
}
