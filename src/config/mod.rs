//! Where settings come from, in this order: command-line flags, the
//! environment (as the Atlas CLI reads it), the Atlas CLI's profile
//! (keyring, then its TOML), then atlas-x509's own config, then defaults.
//! `resolve` is pure: the caller hands it the environment, the files and a
//! keyring lookup, so precedence is tested without touching the machine.

pub mod atlascli;
mod credentials;
pub mod keyring;
pub mod own;
mod show;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use keyring::lookup as keyring_lookup;
pub use show::show;

use crate::pem::clipboard::ClipboardMode;
use atlas_client::{Credentials, DEFAULT_BASE_URL};

/// Pages in flight at once. Atlas allows 1,200 calls a minute per endpoint
/// set (10,000 for database users), so 8 stays far below it even at 20 ms
/// a round trip; each 429 is waited out as Atlas says (`Retry-After`).
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
    /// (the `[theme]` colours are checked where the theme is built).
    pub own_path: PathBuf,
}

/// The first of these environment variables that is set and not empty.
fn env_first(env: &dyn Fn(&str) -> Option<String>, names: &[&str]) -> Option<Setting<String>> {
    names.iter().find_map(|n| {
        env(n)
            .filter(|v| !v.trim().is_empty())
            .map(|v| set(v.trim().to_string(), Source::Env(n.to_string())))
    })
}

fn env_names(suffix: &str) -> [String; 2] {
    [format!("MONGODB_ATLAS_{suffix}"), format!("MCLI_{suffix}")]
}

fn env_var(env: &dyn Fn(&str) -> Option<String>, suffix: &str) -> Option<Setting<String>> {
    let names = env_names(suffix);
    env_first(env, &[names[0].as_str(), names[1].as_str()])
}

/// A public/secret pair from one place, or a note on why it is unusable.
type Pair = (Setting<String>, Setting<String>);

fn pair(
    public: Option<Setting<String>>,
    secret: Option<Setting<String>>,
    what: &str,
    problems: &mut Vec<String>,
) -> Option<Pair> {
    match (public, secret) {
        (Some(p), Some(s)) => Some((p, s)),
        (Some(p), None) => {
            problems.push(format!(
                "{what}: the public half is set ({}) but not the secret; ignored",
                p.source
            ));
            None
        }
        (None, Some(s)) => {
            problems.push(format!(
                "{what}: the secret is set ({}) but not the public half; ignored",
                s.source
            ));
            None
        }
        (None, None) => None,
    }
}

pub fn resolve(inputs: Inputs) -> Resolved {
    let raw_env = inputs.env;
    let mcli = inputs.mcli_env;
    // As the Atlas CLI (viper's key replacer): once any MCLI… variable is
    // set, its settings are read as MCLI_* only, MONGODB_ATLAS_* ignored.
    let family = move |name: &str| {
        let other = if mcli { "MONGODB_ATLAS_" } else { "MCLI_" };
        if name.starts_with(other) {
            None
        } else {
            raw_env(name)
        }
    };
    let env: &dyn Fn(&str) -> Option<String> = &family;
    let f = inputs.flags;
    let mut problems = Vec::new();
    let mut looked = Vec::new();
    // What became of the Atlas CLI file; listed after flags and env, in precedence order.
    let mut cli_looked = Vec::new();

    let (cli_path, cli_text) = inputs.atlascli;
    let cli = match cli_text {
        None => {
            cli_looked.push(format!(
                "Atlas CLI config {}: not found",
                cli_path.display()
            ));
            None
        }
        Some(Err(e)) => {
            problems.push(format!("{}: {e}", cli_path.display()));
            cli_looked.push(format!(
                "Atlas CLI config {}: unreadable",
                cli_path.display()
            ));
            None
        }
        Some(Ok(text)) => match atlascli::parse(&text) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(format!("{}: {e}", cli_path.display()));
                cli_looked.push(format!(
                    "Atlas CLI config {}: not valid TOML",
                    cli_path.display()
                ));
                None
            }
        },
    };
    let (own_path, own_text) = inputs.own;
    let own = match own_text {
        None => own::OwnConfig::default(),
        Some(Err(e)) => {
            problems.push(format!("{}: {e}", own_path.display()));
            own::OwnConfig::default()
        }
        Some(Ok(text)) => match own::parse(&text) {
            Ok((c, p)) => {
                problems.extend(
                    p.into_iter()
                        .map(|p| format!("{}: {p}", own_path.display())),
                );
                c
            }
            Err(e) => {
                problems.push(format!("{}: {e}", own_path.display()));
                own::OwnConfig::default()
            }
        },
    };
    let own_src = || Source::Own(own_path.clone());
    let (_, key_problems) = crate::app::keymap::Keymap::with_overrides(&own.keys);
    problems.extend(
        key_problems
            .into_iter()
            .map(|p| format!("{}: {p}", own_path.display())),
    );

    let profile = f
        .profile
        .clone()
        .map(|p| set(p, Source::Flag("--profile")))
        .or_else(|| env_var(env, "PROFILE"))
        .or_else(|| own.profile.clone().map(|p| set(p, own_src())))
        .or_else(|| {
            // As the Atlas CLI: a config with exactly one profile uses it.
            let only = cli.as_ref().filter(|c| c.profiles.len() == 1)?;
            let name = only.profiles.keys().next()?.clone();
            Some(set(name, Source::OnlyProfile(cli_path.clone())))
        })
        .unwrap_or_else(|| set("default".to_string(), Source::Default));
    // The Atlas CLI lowercases profile names (and viper its TOML keys).
    let profile = set(profile.value.to_lowercase(), profile.source);
    let cli_profile = cli
        .as_ref()
        .and_then(|c| c.profiles.get(&profile.value))
        .cloned();
    if cli.is_some() && cli_profile.is_none() {
        cli_looked.push(format!(
            "Atlas CLI config {}: no profile [{}]",
            cli_path.display(),
            profile.value
        ));
        if profile.source != Source::Default {
            problems.push(format!(
                "the Atlas CLI config has no profile named {:?}",
                profile.value
            ));
        }
    }
    let cli_src = || Source::AtlasCli {
        path: cli_path.clone(),
        profile: profile.value.clone(),
    };

    let (credentials, credential_sources, keyring) = credentials::find(
        &f,
        env,
        cli_profile.as_ref().map(|p| credentials::CliProfileRef {
            profile: p,
            name: &profile.value,
            path: &cli_path,
        }),
        cli_looked,
        inputs.keyring,
        &mut problems,
        &mut looked,
    );

    let gov = |s: Setting<String>| {
        (s.value.eq_ignore_ascii_case("cloudgov")).then(|| set(GOV_BASE_URL.to_string(), s.source))
    };
    let base_url = f
        .base_url
        .clone()
        .map(|u| set(u, Source::Flag("--base-url")))
        // As the Atlas CLI: OPS_MANAGER_URL wins over BASE_URL.
        .or_else(|| {
            env_first(
                env,
                &[
                    "MONGODB_ATLAS_OPS_MANAGER_URL",
                    "MONGODB_ATLAS_BASE_URL",
                    "MCLI_OPS_MANAGER_URL",
                    "MCLI_BASE_URL",
                ],
            )
        })
        .or_else(|| env_var(env, "SERVICE").and_then(gov))
        .or_else(|| {
            cli_profile
                .as_ref()
                .and_then(|p| p.ops_manager_url.clone())
                .map(|u| set(u, cli_src()))
        })
        .or_else(|| {
            cli_profile
                .as_ref()
                .and_then(|p| p.service.clone())
                .map(|s| set(s, cli_src()))
                .and_then(gov)
        })
        .or_else(|| own.base_url.clone().map(|u| set(u, own_src())))
        .unwrap_or_else(|| set(DEFAULT_BASE_URL.to_string(), Source::Default));

    let project_id = f
        .project_id
        .clone()
        .map(|p| set(p, Source::Flag("--project-id")))
        .or_else(|| env_var(env, "PROJECT_ID"))
        .or_else(|| {
            cli_profile
                .as_ref()
                .and_then(|p| p.project_id.clone())
                .map(|p| set(p, cli_src()))
        })
        .or_else(|| own.project_id.clone().map(|p| set(p, own_src())));
    let org_id = env_var(env, "ORG_ID").or_else(|| {
        cli_profile
            .as_ref()
            .and_then(|p| p.org_id.clone())
            .map(|o| set(o, cli_src()))
    });

    macro_rules! pick {
        ($flag:expr, $flag_name:literal, $own:expr, $default:expr) => {
            $flag
                .map(|v| set(v, Source::Flag($flag_name)))
                .or_else(|| $own.map(|v| set(v, own_src())))
                .unwrap_or_else(|| set($default, Source::Default))
        };
    }
    let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = if no_color {
        set(false, Source::Env("NO_COLOR".into()))
    } else {
        own.color
            .map(|c| set(c, own_src()))
            .unwrap_or_else(|| set(true, Source::Default))
    };
    Resolved {
        base_url,
        credentials,
        credential_sources,
        keyring,
        project_id,
        org_id,
        items_per_page: pick!(
            f.items_per_page,
            "--items-per-page",
            own.items_per_page,
            100
        ),
        default_months: pick!(f.default_months, "--default-months", own.default_months, 3),
        save_dir: own.save_dir.clone().map(|d| set(d, own_src())),
        clipboard: pick!(
            f.clipboard,
            "--clipboard",
            own.clipboard,
            ClipboardMode::Auto
        ),
        clipboard_clear_after: f
            .clipboard_clear_after
            .map(|v| set(v, Source::Flag("--clipboard-clear-after")))
            .or_else(|| own.clipboard_clear_after.map(|v| set(v, own_src()))),
        timeout: pick!(f.timeout, "--timeout", own.timeout, 30),
        concurrency: pick!(
            f.concurrency,
            "--concurrency",
            own.concurrency,
            DEFAULT_CONCURRENCY
        ),
        mouse: if f.mouse {
            set(true, Source::Flag("--mouse"))
        } else {
            own.mouse
                .map(|m| set(m, own_src()))
                .unwrap_or_else(|| set(false, Source::Default))
        },
        key_write_ahead: own
            .key_write_ahead
            .map(|b| set(b, own_src()))
            .unwrap_or_else(|| set(true, Source::Default)),
        color,
        theme_colors: own.theme_colors,
        own_path: own_path.clone(),
        keys: own.keys,
        profile,
        looked,
        problems,
    }
}

/// The systems whose config directory conventions differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Unix,
    MacOs,
    Windows,
}

impl Os {
    pub const fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Unix
        }
    }
}

/// Go's `os.UserConfigDir()`, which the Atlas CLI uses: `$XDG_CONFIG_HOME`
/// (an error if relative) or `~/.config` on Unix, `~/Library/Application
/// Support` on macOS, `%AppData%` on Windows. Stricter than Go in one way: an
/// empty or relative home counts as unset, so nothing is read (a file
/// planted in the current directory must not become the config).
pub fn user_config_dir(os: Os, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let absolute = |name: &str| {
        env(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() || (os == Os::Windows && looks_absolute_on_windows(p)))
    };
    match os {
        Os::Windows => absolute("AppData"),
        Os::MacOs => absolute("HOME").map(|h| h.join("Library/Application Support")),
        Os::Unix => match env("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
            Some(_) => absolute("XDG_CONFIG_HOME"),
            None => absolute("HOME").map(|h| h.join(".config")),
        },
    }
}

/// `C:\…` or `\\server\…`, whatever system this build runs on (tests).
fn looks_absolute_on_windows(p: &std::path::Path) -> bool {
    let s = p.to_string_lossy();
    let b = s.as_bytes();
    (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/'))
        || s.starts_with("\\\\")
}

/// `<user config dir>/<app>/config.toml`, or `None` when there is no
/// trustworthy config directory.
pub fn config_path(env: &dyn Fn(&str) -> Option<String>, app: &str) -> Option<PathBuf> {
    Some(
        user_config_dir(Os::current(), env)?
            .join(app)
            .join("config.toml"),
    )
}

fn read(path: Option<PathBuf>) -> FileInput {
    let Some(path) = path else {
        return (
            PathBuf::from("(no home directory: HOME is unset, empty or relative)"),
            None,
        );
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => Some(Ok(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(e.to_string())),
    };
    (path, text)
}

/// Gathers the real inputs: process environment, files, keyring.
pub fn load(flags: Flags) -> Resolved {
    let env = |name: &str| std::env::var(name).ok();
    resolve(Inputs {
        flags,
        env: &env,
        mcli_env: std::env::vars_os().any(|(k, _)| k.to_string_lossy().starts_with("MCLI")),
        atlascli: read(config_path(&env, "atlascli")),
        own: read(config_path(&env, "atlas-x509")),
        keyring: &keyring::lookup,
    })
}

/// Every secret an Atlas CLI profile holds, in its TOML or the keyring:
/// what a program run for that profile might print back to us.
pub fn profile_secrets(profile: &str) -> Vec<zeroize::Zeroizing<String>> {
    let env = |name: &str| std::env::var(name).ok();
    let text = match read(config_path(&env, "atlascli")) {
        (_, Some(Ok(text))) => zeroize::Zeroizing::new(text),
        _ => zeroize::Zeroizing::new(String::new()),
    };
    let cfg = atlascli::parse(&text).ok();
    let in_toml = cfg
        .as_ref()
        .and_then(|c| c.profiles.get(&profile.to_lowercase()));
    let service = atlascli::keyring_service(profile);
    let mut found = Vec::new();
    for name in atlascli::SECRET_NAMES {
        if let Some(v) = in_toml.and_then(|p| p.secret(name)) {
            found.push(zeroize::Zeroizing::new(v.to_string()));
        }
        if let Ok(Some(v)) = keyring::lookup(&service, name) {
            found.push(zeroize::Zeroizing::new(v));
        }
    }
    found
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

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn an_empty_or_relative_home_reads_no_config() {
        let env = |home: &'static str| move |n: &str| (n == "HOME").then(|| home.to_string());
        assert_eq!(config_path(&env(""), "atlascli"), None);
        assert_eq!(config_path(&env("relative/dir"), "atlascli"), None);
        assert_eq!(
            config_path(&env("/home/u"), "atlascli"),
            Some(PathBuf::from("/home/u/.config/atlascli/config.toml"))
        );
        assert!(read(None).1.is_none());
    }

    #[test]
    fn config_dirs_as_go_computes_them() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        let unix = env(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/x/cfg")]);
        assert_eq!(
            user_config_dir(Os::Unix, &unix),
            Some(PathBuf::from("/x/cfg"))
        );
        let relative_xdg = env(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "cfg")]);
        assert_eq!(
            user_config_dir(Os::Unix, &relative_xdg),
            None,
            "Go: an error"
        );
        let mac = env(&[("HOME", "/Users/u"), ("XDG_CONFIG_HOME", "/ignored")]);
        assert_eq!(
            user_config_dir(Os::MacOs, &mac),
            Some(PathBuf::from("/Users/u/Library/Application Support"))
        );
        let win = env(&[("AppData", "C:\\Users\\u\\AppData\\Roaming")]);
        assert_eq!(
            user_config_dir(Os::Windows, &win),
            Some(PathBuf::from("C:\\Users\\u\\AppData\\Roaming"))
        );
        assert_eq!(user_config_dir(Os::Windows, &env(&[("AppData", "")])), None);
        assert_eq!(user_config_dir(Os::MacOs, &env(&[("HOME", "")])), None);
    }
}
