//! Command-line arguments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::pem::clipboard::ClipboardMode;
use crate::sim::{KeyType, RateLimit};

#[derive(Debug, Parser)]
#[command(
    name = "atlas-x509",
    version,
    about = "The X.509 certificates of MongoDB Atlas database users, in a terminal"
)]
pub struct Cli {
    /// Run against a built-in Atlas simulator on loopback (no account needed).
    #[arg(long, global = true)]
    pub demo: bool,

    /// Atlas base URL.
    #[arg(long, env = "MONGODB_ATLAS_OPS_MANAGER_URL", default_value = crate::atlas::DEFAULT_BASE_URL, global = true)]
    pub base_url: String,

    /// Seconds before an Atlas request is abandoned.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600), global = true)]
    pub timeout: u64,

    /// Capture the mouse: click selects, wheel scrolls (turns off the
    /// terminal's own drag-to-select).
    #[arg(long)]
    pub mouse: bool,

    /// How to copy the PEM: `auto` (system clipboard with a local display,
    /// OSC 52 over SSH or without one), `arboard`, `osc52` or `off`.
    #[arg(long, value_enum, default_value_t = ClipboardMode::Auto)]
    pub clipboard: ClipboardMode,

    /// Clear the system clipboard this many seconds after a copy, if it
    /// still holds the PEM.
    #[arg(long, value_name = "SECS")]
    pub clipboard_clear_after: Option<u64>,

    /// Where to write the log (never the terminal).
    #[arg(long, global = true)]
    pub log_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Atlas simulator until killed. The first stdout line is a JSON
    /// object with its base URL and credentials.
    Sim(SimArgs),
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
}
