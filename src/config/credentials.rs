//! Finding credentials: the first place with a complete pair wins — flags,
//! then the environment, then the Atlas CLI profile (keyring first, then
//! its TOML). Everything looked at, and every half pair, is noted.

use std::path::Path;

use super::atlascli::{self, CliProfile};
use super::env::env_var;
use super::{Flags, KeyringLookup, Setting, Source, set};
use atlas_client::Credentials;

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

/// The selected Atlas CLI profile and where it was read.
pub(super) struct CliProfileRef<'a> {
    pub profile: &'a CliProfile,
    pub name: &'a str,
    pub path: &'a Path,
}

fn cli_src(name: &str, path: &Path) -> Source {
    Source::AtlasCli {
        path: path.to_path_buf(),
        profile: name.to_string(),
    }
}

/// The credentials and where their public and secret halves came from.
pub(super) fn find(
    f: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
    cli: Option<CliProfileRef>,
    mut cli_looked: Vec<String>,
    keyring: KeyringLookup,
    problems: &mut Vec<String>,
    looked: &mut Vec<String>,
) -> (Credentials, Option<(Source, Source)>, Option<String>) {
    let mut found = from_flags(f, problems);
    looked.push(
        "flags --public-api-key/--private-api-key-file, --client-id/--client-secret-file".into(),
    );
    if found.is_none() {
        found = from_env(env, problems);
        looked.push("environment MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY, MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET, MONGODB_ATLAS_ACCESS_TOKEN (or MCLI_…)".into());
    }
    looked.append(&mut cli_looked);
    // What the keyring did, for `config show`; `None` if it was not asked.
    let mut keyring_status = None;
    if found.is_none()
        && let Some(profile) = cli
    {
        let (from_cli, status, line) = from_profile(&profile, keyring, problems);
        found = from_cli;
        keyring_status = Some(status);
        looked.push(line);
    }
    match found {
        Some(Found::ServiceAccount((id, secret))) => (
            Credentials::service_account(id.value, secret.value),
            Some((id.source, secret.source)),
            keyring_status,
        ),
        Some(Found::ApiKey((public, private))) => (
            Credentials::api_key(public.value, private.value),
            Some((public.source, private.source)),
            keyring_status,
        ),
        Some(Found::UserAccount(token, profile)) => (
            Credentials::user_account(token.value, profile),
            Some((token.source.clone(), token.source)),
            keyring_status,
        ),
        None => (Credentials::None, None, keyring_status),
    }
}

/// `--client-id` + `--client-secret-file`, else the API key flags.
fn from_flags(f: &Flags, problems: &mut Vec<String>) -> Option<Found> {
    let flag =
        |v: &Option<String>, name: &'static str| v.clone().map(|v| set(v, Source::Flag(name)));
    if let Some(p) = pair(
        flag(&f.client_id, "--client-id"),
        flag(&f.client_secret, "--client-secret-file"),
        "flags",
        problems,
    ) {
        return Some(Found::ServiceAccount(p));
    }
    pair(
        flag(&f.public_api_key, "--public-api-key"),
        flag(&f.private_api_key, "--private-api-key-file"),
        "flags",
        problems,
    )
    .map(Found::ApiKey)
}

/// The environment, in the Atlas CLI's order when more than one kind is
/// set: a service account, else a user's access token, else an API key.
fn from_env(env: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Option<Found> {
    let sa = pair(
        env_var(env, "CLIENT_ID"),
        env_var(env, "CLIENT_SECRET"),
        "environment",
        problems,
    );
    let key = pair(
        env_var(env, "PUBLIC_API_KEY"),
        env_var(env, "PRIVATE_API_KEY"),
        "environment",
        problems,
    );
    let token = env_var(env, "ACCESS_TOKEN");
    let set_count = [sa.is_some(), token.is_some(), key.is_some()]
        .iter()
        .filter(|s| **s)
        .count();
    if set_count > 1 {
        problems.push("more than one kind of credentials is set in the environment; using, as the Atlas CLI does, the service account, else the access token, else the API key".into());
    }
    sa.map(Found::ServiceAccount)
        .or(token.map(|t| Found::UserAccount(t, None)))
        .or(key.map(Found::ApiKey))
}

/// An Atlas CLI profile: each secret from the OS keyring when stored
/// there, else from the profile's TOML. Returns what was found, what the
/// keyring did (for `config show`) and the line for "looked in".
fn from_profile(
    p: &CliProfileRef,
    keyring: KeyringLookup,
    problems: &mut Vec<String>,
) -> (Option<Found>, String, String) {
    let (cp, name, cli_path) = (p.profile, p.name, p.path);
    let service = atlascli::keyring_service(name);
    let mut keyring_note = None;
    let mut from_keyring = 0;
    let mut secret = |key: &str, toml_value: &Option<String>| -> Option<Setting<String>> {
        match keyring(&service, key) {
            Ok(Some(v)) if !v.is_empty() => {
                from_keyring += 1;
                return Some(set(
                    v,
                    Source::Keyring {
                        service: service.clone(),
                    },
                ));
            }
            Ok(_) => {}
            Err(e) => keyring_note = Some(e),
        }
        toml_value.clone().map(|v| set(v, cli_src(name, cli_path)))
    };
    let what = format!("Atlas CLI profile [{name}]");
    // Only the secrets the profile's kind needs: each is a keyring round trip.
    let mut sa = |problems: &mut Vec<String>| {
        let id = secret("client_id", &cp.client_id);
        let sk = secret("client_secret", &cp.client_secret);
        pair(id, sk, &what, problems).map(Found::ServiceAccount)
    };
    let found = match cp.auth_type.as_deref() {
        Some("service_account") => sa(problems),
        Some("api_keys") => {
            let public = secret("public_api_key", &cp.public_api_key);
            let private = secret("private_api_key", &cp.private_api_key);
            pair(public, private, &what, problems).map(Found::ApiKey)
        }
        Some("user_account") => {
            let token = secret("access_token", &cp.access_token);
            if token.is_none() {
                problems.push(format!(
                    "{what} is a user account (atlas auth login) but holds no access token: sign in with `atlas auth login --profile {name}`"
                ));
            }
            token.map(|t| Found::UserAccount(t, Some(name.to_string())))
        }
        // No auth_type: as the CLI infers it — a service account, else a
        // user account (both tokens present), else an API key.
        _ => match sa(problems) {
            Some(f) => Some(f),
            None => {
                let token = secret("access_token", &cp.access_token);
                let refresh = secret("refresh_token", &cp.refresh_token);
                match (token, refresh) {
                    (Some(t), Some(_)) => Some(Found::UserAccount(t, Some(name.to_string()))),
                    _ => {
                        let public = secret("public_api_key", &cp.public_api_key);
                        let private = secret("private_api_key", &cp.private_api_key);
                        pair(public, private, &what, problems).map(Found::ApiKey)
                    }
                }
            }
        },
    };
    let kr = match &keyring_note {
        Some(e) => format!("keyring: {e}"),
        None => format!("keyring service {service}"),
    };
    let status = match (&keyring_note, from_keyring) {
        (Some(e), _) => format!("unavailable ({e}); secrets read from the Atlas CLI's TOML"),
        (None, 0) => format!(
            "asked, nothing stored under service {service}; secrets read from the Atlas CLI's TOML"
        ),
        (None, n) => format!("{n} secret(s) read from service {service}"),
    };
    let line = format!(
        "Atlas CLI profile [{name}] in {} ({kr})",
        cli_path.display()
    );
    (found, status, line)
}

enum Found {
    ServiceAccount(Pair),
    ApiKey(Pair),
    /// The access token and the Atlas CLI profile it came from.
    UserAccount(Setting<String>, Option<String>),
}
