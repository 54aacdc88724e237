//! Finding credentials: the first place with a complete pair wins — flags,
//! then the environment, then the Atlas CLI profile (keyring first, then
//! its TOML). Everything looked at, and every half pair, is noted.

use std::path::Path;

use super::atlascli::{self, CliProfile};
use super::{Flags, KeyringLookup, Pair, Setting, Source, env_var, pair, set};
use crate::atlas::Credentials;

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
) -> (Credentials, Option<(Source, Source)>) {
    let mut found: Option<(bool, Pair)> = None; // (is_service_account, pair)
    let flag =
        |v: &Option<String>, name: &'static str| v.clone().map(|v| set(v, Source::Flag(name)));
    if let Some(p) = pair(
        flag(&f.client_id, "--client-id"),
        flag(&f.client_secret, "--client-secret-file"),
        "flags",
        problems,
    ) {
        found = Some((true, p));
    } else if let Some(p) = pair(
        flag(&f.public_api_key, "--public-api-key"),
        flag(&f.private_api_key, "--private-api-key-file"),
        "flags",
        problems,
    ) {
        found = Some((false, p));
    }
    looked.push(
        "flags --public-api-key/--private-api-key-file, --client-id/--client-secret-file".into(),
    );
    if found.is_none() {
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
        if sa.is_some() && key.is_some() {
            problems.push("both a service account and an API key are set in the environment; using the service account".into());
        }
        found = sa.map(|p| (true, p)).or(key.map(|p| (false, p)));
        looked.push("environment MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY, MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET (or MCLI_…)".into());
    }
    looked.append(&mut cli_looked);
    if found.is_none()
        && let Some(CliProfileRef {
            profile: cp,
            name,
            path: cli_path,
        }) = cli
    {
        let service = atlascli::keyring_service(name);
        let mut keyring_note = None;
        let mut secret = |key: &str, toml_value: &Option<String>| -> Option<Setting<String>> {
            match keyring(&service, key) {
                Ok(Some(v)) if !v.is_empty() => {
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
        let sa = (
            secret("client_id", &cp.client_id),
            secret("client_secret", &cp.client_secret),
        );
        let key = (
            secret("public_api_key", &cp.public_api_key),
            secret("private_api_key", &cp.private_api_key),
        );
        let what = format!("Atlas CLI profile [{name}]");
        found = match cp.auth_type.as_deref() {
            Some("service_account") => pair(sa.0, sa.1, &what, problems).map(|p| (true, p)),
            Some("api_keys") => pair(key.0, key.1, &what, problems).map(|p| (false, p)),
            Some("user_account") => {
                problems.push(format!(
                    "{what} signs in as a user (atlas auth login); atlas-x509 needs an API key or a service account"
                ));
                None
            }
            _ => pair(sa.0, sa.1, &what, problems)
                .map(|p| (true, p))
                .or_else(|| pair(key.0, key.1, &what, problems).map(|p| (false, p))),
        };
        let kr = match &keyring_note {
            Some(e) => format!("keyring: {e}"),
            None => format!("keyring service {service}"),
        };
        looked.push(format!(
            "Atlas CLI profile [{name}] in {} ({kr})",
            cli_path.display()
        ));
    }
    match found {
        Some((true, (id, secret))) => (
            Credentials::service_account(id.value, secret.value),
            Some((id.source, secret.source)),
        ),
        Some((false, (public, private))) => (
            Credentials::api_key(public.value, private.value),
            Some((public.source, private.source)),
        ),
        None => (Credentials::None, None),
    }
}
