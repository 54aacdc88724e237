//! Where settings come from, in this order: command-line flags, the
//! environment (as the Atlas CLI reads it), the Atlas CLI's profile
//! (keyring, then its TOML), then atlas-x509's own config, then defaults.
//! `resolve` is pure: the caller hands it the environment, the files and a
//! keyring lookup, so precedence is tested without touching the machine.

pub mod atlascli;
mod credentials;
mod env;
pub mod keyring;
pub mod own;
mod paths;
mod resolve;
mod show;
mod sources;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use keyring::lookup as keyring_lookup;
pub use paths::{Os, config_path, user_config_dir};
pub use resolve::resolve;
pub use show::{show, show_json};
pub use sources::{load, profile_secrets};

use crate::pem::clipboard::ClipboardMode;
use atlas_client::Credentials;

/// Pages in flight at once. Atlas limits requests with a token bucket per
/// endpoint set and scope that allows bursts up to its capacity (recorded:
/// 1,200 for certificates, projects and userSecurity, 10,000 for database
/// users), so what bounds a list is its number of pages, not how many are
/// in flight; 20 reads the largest list the UI takes whole (10,000
/// certificates: 20 pages of 500) in one round after the first page, at
/// under 2% of the smallest bucket. The client still halves the bound on a
/// 429 and caps it at `RateLimit-Remaining`.
pub const DEFAULT_CONCURRENCY: usize = 20;

pub const GOV_BASE_URL: &str = "https://cloud.mongodbgov.com";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(String),
    AtlasCli {
        path: PathBuf,
        profile: String,
    },
    Keyring {
        service: String,
    },
    Own(PathBuf),
    /// The Atlas CLI config holds exactly one profile, so it is the one.
    OnlyProfile(PathBuf),
    /// The built-in simulator of `--demo`.
    Demo,
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(name) => write!(f, "flag {name}"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::AtlasCli { path, profile } => write!(f, "{} [{profile}]", path.display()),
            Source::Keyring { service } => write!(f, "keyring service {service}"),
            Source::Own(path) => write!(f, "{}", path.display()),
            Source::OnlyProfile(path) => {
                write!(f, "the only profile in {}", path.display())
            }
            Source::Demo => f.write_str("--demo simulator"),
            Source::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

fn set<T>(value: T, source: Source) -> Setting<T> {
    Setting { value, source }
}

/// What the command line said (secrets only by file, never as arguments).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub project_id: Option<String>,
    pub public_api_key: Option<String>,
    /// The contents of `--private-api-key-file`.
    pub private_api_key: Option<String>,
    pub client_id: Option<String>,
    /// The contents of `--client-secret-file`.
    pub client_secret: Option<String>,
    pub timeout: Option<u64>,
    pub concurrency: Option<usize>,
    pub items_per_page: Option<u32>,
    pub default_months: Option<u8>,
    pub clipboard: Option<ClipboardMode>,
    pub clipboard_clear_after: Option<u64>,
    pub mouse: bool,
}

/// A file that was looked for: `None` if absent, else its text or the read error.
pub type FileInput = (PathBuf, Option<Result<String, String>>);

/// (service, key) → the secret; `Ok(None)` if absent, `Err` if no keyring can be asked.
pub type KeyringLookup<'a> = &'a dyn Fn(&str, &str) -> Result<Option<String>, String>;

pub struct Inputs<'a> {
    pub flags: Flags,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Some environment variable's name starts with `MCLI`: the Atlas CLI
    /// then reads its variables as `MCLI_*` and ignores `MONGODB_ATLAS_*`.
    pub mcli_env: bool,
    pub atlascli: FileInput,
    pub own: FileInput,
    pub keyring: KeyringLookup<'a>,
}

#[derive(Debug, Clone)]
pub struct Resolved {
    pub profile: Setting<String>,
    pub base_url: Setting<String>,
    pub credentials: Credentials,
    /// Where the public half and the secret came from.
    pub credential_sources: Option<(Source, Source)>,
    pub project_id: Option<Setting<String>>,
    pub org_id: Option<Setting<String>>,
    pub items_per_page: Setting<u32>,
    pub default_months: Setting<u8>,
    pub save_dir: Option<Setting<String>>,
    pub clipboard: Setting<ClipboardMode>,
    pub clipboard_clear_after: Option<Setting<u64>>,
    pub timeout: Setting<u64>,
    /// Requests in flight at once when a list spans pages.
    pub concurrency: Setting<usize>,
    pub mouse: Setting<bool>,
    /// An issued key goes to a 0600 rescue file before the TUI shows it.
    pub key_write_ahead: Setting<bool>,
    pub color: Setting<bool>,
    pub theme_colors: BTreeMap<String, String>,
    pub keys: BTreeMap<String, Vec<String>>,
    /// What the OS keyring gave, when the Atlas CLI profile was read.
    pub keyring: Option<String>,
    /// Where credentials were looked for, for the "no credentials" screen.
    pub looked: Vec<String>,
    /// Problems found on the way (unknown keys, half-set pairs…).
    pub problems: Vec<String>,
    /// atlas-x509's own config file, to name it in problems found later
    /// (`[theme]` and `[keys]` are checked where they are built: ui::check_settings).
    pub own_path: PathBuf,
}

/// What the no-credentials screen (and a headless command) says.
pub fn no_credentials_text(r: &Resolved) -> Vec<String> {
    let mut lines = vec!["No Atlas credentials were found. Looked in:".to_string()];
    lines.extend(r.looked.iter().map(|l| format!("  · {l}")));
    if !r.problems.is_empty() {
        lines.push("Problems:".into());
        lines.extend(r.problems.iter().map(|p| format!("  · {p}")));
    }
    lines.extend([
        String::new(),
        "Set an API key:      export MONGODB_ATLAS_PUBLIC_API_KEY=… MONGODB_ATLAS_PRIVATE_API_KEY=…".into(),
        "or a service account: export MONGODB_ATLAS_CLIENT_ID=… MONGODB_ATLAS_CLIENT_SECRET=…".into(),
        "or sign in with the Atlas CLI (atlas auth login, or atlas config init for a key), then --profile NAME.".into(),
        String::new(),
        "No account at hand? `atlas-x509 --demo` runs everything against a built-in Atlas simulator.".into(),
    ]);
    lines
}
