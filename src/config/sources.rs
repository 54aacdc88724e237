//! The real inputs: the process environment, the two config files, the
//! OS keyring. `resolve` decides from them; this reads them.

use std::path::PathBuf;

use super::paths::config_path;
use super::{FileInput, Flags, Inputs, Resolved, atlascli, keyring, resolve};

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

#[cfg(test)]
mod tests {
    #[test]
    fn no_home_reads_nothing() {
        assert!(super::read(None).1.is_none());
    }
}
