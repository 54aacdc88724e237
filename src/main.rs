use std::process::ExitCode;
use std::time::Duration;

use atlas_x509::atlas::{Client, ClientConfig, Credentials, PageRequest, X509Type};
use atlas_x509::cli::{Cli, Command, SimArgs};
use atlas_x509::logging;
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
            None => run_overview(&cli).await,
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

/// Lists what the credentials can see. Stands in for the TUI until it lands.
async fn run_overview(cli: &Cli) -> Result<(), String> {
    let (_sim, base_url, credentials) = if cli.demo {
        let handle = sim::start(SimConfig::default())
            .await
            .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
        let c = &handle.credentials;
        let creds = Credentials::api_key(&c.public_key, &c.private_key);
        let url = c.base_url.clone();
        (Some(handle), url, creds)
    } else {
        let creds = env_credentials();
        if creds.is_none() {
            return Err("no Atlas credentials: set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY (or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET), or try --demo".into());
        }
        (None, cli.base_url.clone(), creds)
    };
    let mut cfg = ClientConfig::new(base_url, credentials);
    cfg.timeout = Duration::from_secs(cli.timeout);
    let client = Client::new(cfg).map_err(|e| e.to_string())?;
    let projects = client
        .all_projects(PageRequest::MAX_ITEMS_PER_PAGE, 4)
        .await
        .map_err(|e| e.to_string())?;
    println!("{} project(s) at {}", projects.len(), client.base_url());
    for p in &projects {
        println!(
            "\n{}  {}  clusters: {}",
            p.id,
            p.name,
            p.cluster_count.unwrap_or(0)
        );
        let users = client
            .all_users(&p.id, 500, 4)
            .await
            .map_err(|e| e.to_string())?;
        for u in users {
            let certs = if u.x509_type == X509Type::Managed {
                let page = client
                    .list_certs(&p.id, &u.username, PageRequest::first(1))
                    .await
                    .map_err(|e| e.to_string())?;
                format!(
                    "{} valid cert(s)",
                    page.known_total().unwrap_or(page.results.len() as u64)
                )
            } else {
                String::new()
            };
            println!(
                "  {:<9} {:<40} {:<10} {certs}",
                u.x509_type.as_str(),
                u.username,
                u.database_name
            );
        }
    }
    Ok(())
}
