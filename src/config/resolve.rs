//! Deciding each setting from the inputs, in the Atlas CLI's precedence:
//! flags, then the environment, then the Atlas CLI profile, then
//! atlas-x509's own file, then defaults. Pure: the inputs are passed in.

use std::path::{Path, PathBuf};

use super::atlascli::{self, CliConfig, CliProfile};
use super::env::{env_first, env_var};
use super::own::{self, OwnConfig};
use super::{
    DEFAULT_CONCURRENCY, FileInput, Flags, GOV_BASE_URL, Inputs, Resolved, Setting, Source,
    credentials, set,
};
use crate::pem::clipboard::ClipboardMode;
use atlas_client::DEFAULT_BASE_URL;

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

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
    let env: Env = &family;
    let f = inputs.flags;
    let mut problems = Vec::new();
    let mut looked = Vec::new();
    // What became of the Atlas CLI file; listed after flags and env, in
    // precedence order.
    let mut cli_looked = Vec::new();
    let (cli_path, cli) = read_atlascli(inputs.atlascli, &mut problems, &mut cli_looked);
    let (own_path, own) = read_own(inputs.own, &mut problems);
    let own_src = || Source::Own(own_path.clone());
    let profile = pick_profile(&f, env, &own, &own_src, (cli.as_ref(), &cli_path));
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
    let from_cli = cli_profile.as_ref().map(|p| {
        (
            p,
            Source::AtlasCli {
                path: cli_path.clone(),
                profile: profile.value.clone(),
            },
        )
    });
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
    let base_url = pick_base_url(&f, env, from_cli.as_ref(), &own, &own_src);
    let (project_id, org_id) = pick_ids(&f, env, from_cli.as_ref(), &own, &own_src);
    let mut r = Resolved {
        base_url,
        credentials,
        credential_sources,
        keyring,
        project_id,
        org_id,
        profile,
        looked,
        problems,
        own_path: own_path.clone(),
        ..defaults(&own_path)
    };
    apply_own_and_flags(&mut r, &f, env, own, &own_src);
    r
}

/// The Atlas CLI's file, parsed; what became of it is noted.
fn read_atlascli(
    (path, text): FileInput,
    problems: &mut Vec<String>,
    looked: &mut Vec<String>,
) -> (PathBuf, Option<CliConfig>) {
    let shown = path.display().to_string();
    let cli = match text {
        None => {
            looked.push(format!("Atlas CLI config {shown}: not found"));
            None
        }
        Some(Err(e)) => {
            problems.push(format!("{shown}: {e}"));
            looked.push(format!("Atlas CLI config {shown}: unreadable"));
            None
        }
        Some(Ok(text)) => match atlascli::parse(&text) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(format!("{shown}: {e}"));
                looked.push(format!("Atlas CLI config {shown}: not valid TOML"));
                None
            }
        },
    };
    (path, cli)
}

/// atlas-x509's own file, parsed; its problems each name it.
fn read_own((path, text): FileInput, problems: &mut Vec<String>) -> (PathBuf, OwnConfig) {
    let own = match text {
        None => OwnConfig::default(),
        Some(Err(e)) => {
            problems.push(format!("{}: {e}", path.display()));
            OwnConfig::default()
        }
        Some(Ok(text)) => match own::parse(&text) {
            Ok((c, p)) => {
                problems.extend(p.into_iter().map(|p| format!("{}: {p}", path.display())));
                c
            }
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                OwnConfig::default()
            }
        },
    };
    (path, own)
}

/// The profile: flag, env, own file, the Atlas CLI file's only profile,
/// else `default`; lowercased, as the Atlas CLI (and viper) do.
fn pick_profile(
    f: &Flags,
    env: Env,
    own: &OwnConfig,
    own_src: &dyn Fn() -> Source,
    (cli, cli_path): (Option<&CliConfig>, &Path),
) -> Setting<String> {
    let profile = f
        .profile
        .clone()
        .map(|p| set(p, Source::Flag("--profile")))
        .or_else(|| env_var(env, "PROFILE"))
        .or_else(|| own.profile.clone().map(|p| set(p, own_src())))
        .or_else(|| {
            // As the Atlas CLI: a config with exactly one profile uses it.
            let only = cli.filter(|c| c.profiles.len() == 1)?;
            let name = only.profiles.keys().next()?.clone();
            Some(set(name, Source::OnlyProfile(cli_path.to_path_buf())))
        })
        .unwrap_or_else(|| set("default".to_string(), Source::Default));
    set(profile.value.to_lowercase(), profile.source)
}

/// The API's base URL: flag, env (OPS_MANAGER_URL before BASE_URL, or
/// SERVICE=cloudgov), the profile, own file, else Atlas.
fn pick_base_url(
    f: &Flags,
    env: Env,
    cli: Option<&(&CliProfile, Source)>,
    own: &OwnConfig,
    own_src: &dyn Fn() -> Source,
) -> Setting<String> {
    let gov = |s: Setting<String>| {
        (s.value.eq_ignore_ascii_case("cloudgov")).then(|| set(GOV_BASE_URL.to_string(), s.source))
    };
    f.base_url
        .clone()
        .map(|u| set(u, Source::Flag("--base-url")))
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
        .or_else(|| cli.and_then(|(p, src)| p.ops_manager_url.clone().map(|u| set(u, src.clone()))))
        .or_else(|| {
            cli.and_then(|(p, src)| p.service.clone().map(|s| set(s, src.clone())))
                .and_then(gov)
        })
        .or_else(|| own.base_url.clone().map(|u| set(u, own_src())))
        .unwrap_or_else(|| set(DEFAULT_BASE_URL.to_string(), Source::Default))
}

/// The default project (flag, env, profile, own file) and organisation
/// (env, profile).
fn pick_ids(
    f: &Flags,
    env: Env,
    cli: Option<&(&CliProfile, Source)>,
    own: &OwnConfig,
    own_src: &dyn Fn() -> Source,
) -> (Option<Setting<String>>, Option<Setting<String>>) {
    let project_id = f
        .project_id
        .clone()
        .map(|p| set(p, Source::Flag("--project")))
        .or_else(|| env_var(env, "PROJECT_ID"))
        .or_else(|| cli.and_then(|(p, src)| p.project_id.clone().map(|v| set(v, src.clone()))))
        .or_else(|| own.project_id.clone().map(|p| set(p, own_src())));
    let org_id = env_var(env, "ORG_ID")
        .or_else(|| cli.and_then(|(p, src)| p.org_id.clone().map(|o| set(o, src.clone()))));
    (project_id, org_id)
}

/// Every setting at its default, before anything was read.
fn defaults(own_path: &Path) -> Resolved {
    Resolved {
        profile: set("default".into(), Source::Default),
        base_url: set(DEFAULT_BASE_URL.into(), Source::Default),
        credentials: atlas_client::Credentials::None,
        credential_sources: None,
        project_id: None,
        org_id: None,
        items_per_page: set(100, Source::Default),
        default_months: set(3, Source::Default),
        save_dir: None,
        clipboard: set(ClipboardMode::Auto, Source::Default),
        clipboard_clear_after: None,
        timeout: set(30, Source::Default),
        concurrency: set(DEFAULT_CONCURRENCY, Source::Default),
        mouse: set(false, Source::Default),
        key_write_ahead: set(true, Source::Default),
        color: set(true, Source::Default),
        theme_colors: Default::default(),
        keys: Default::default(),
        keyring: None,
        looked: vec![],
        problems: vec![],
        own_path: own_path.to_path_buf(),
    }
}

/// The settings only atlas-x509 has: a flag, else the own file, else the
/// default already in `r`; `NO_COLOR` before all for colour.
fn apply_own_and_flags(
    r: &mut Resolved,
    f: &Flags,
    env: Env,
    own: OwnConfig,
    own_src: &dyn Fn() -> Source,
) {
    fn pick<T>(
        slot: &mut Setting<T>,
        flag: Option<T>,
        name: &'static str,
        own: Option<T>,
        own_src: &dyn Fn() -> Source,
    ) {
        if let Some(v) = flag {
            *slot = set(v, Source::Flag(name));
        } else if let Some(v) = own {
            *slot = set(v, own_src());
        }
    }
    pick(
        &mut r.items_per_page,
        f.items_per_page,
        "--items-per-page",
        own.items_per_page,
        own_src,
    );
    pick(
        &mut r.default_months,
        f.default_months,
        "--default-months",
        own.default_months,
        own_src,
    );
    pick(
        &mut r.clipboard,
        f.clipboard,
        "--clipboard",
        own.clipboard,
        own_src,
    );
    pick(&mut r.timeout, f.timeout, "--timeout", own.timeout, own_src);
    pick(
        &mut r.concurrency,
        f.concurrency,
        "--concurrency",
        own.concurrency,
        own_src,
    );
    pick(
        &mut r.mouse,
        f.mouse.then_some(true),
        "--mouse",
        own.mouse,
        own_src,
    );
    pick(
        &mut r.key_write_ahead,
        None,
        "",
        own.key_write_ahead,
        own_src,
    );
    r.save_dir = own.save_dir.map(|d| set(d, own_src()));
    r.clipboard_clear_after = f
        .clipboard_clear_after
        .map(|v| set(v, Source::Flag("--clipboard-clear-after")))
        .or_else(|| own.clipboard_clear_after.map(|v| set(v, own_src())));
    r.color = if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        set(false, Source::Env("NO_COLOR".into()))
    } else {
        own.color
            .map(|c| set(c, own_src()))
            .unwrap_or_else(|| set(true, Source::Default))
    };
    r.theme_colors = own.theme_colors;
    r.keys = own.keys;
}
