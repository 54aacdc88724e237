//! The Atlas CLI's own config file, read-only: `config.toml` with
//! `version = 2` and one table per profile. Since version 2 the secrets live
//! in the OS keyring (service `atlascli_<profile>`), and in the TOML only
//! where no keyring exists.

use std::collections::BTreeMap;

use toml::Value;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliProfile {
    pub auth_type: Option<String>,
    pub org_id: Option<String>,
    pub project_id: Option<String>,
    pub service: Option<String>,
    pub ops_manager_url: Option<String>,
    pub output: Option<String>,
    pub public_api_key: Option<String>,
    pub private_api_key: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub access_token: Option<String>,
    /// Only its presence is used: a profile with both tokens is a user
    /// account when `auth_type` is missing, as the CLI infers.
    pub refresh_token: Option<String>,
}

/// The names the Atlas CLI keeps a profile's secrets under, in the TOML and
/// in the keyring alike.
pub const SECRET_NAMES: [&str; 4] = [
    "private_api_key",
    "client_secret",
    "access_token",
    "refresh_token",
];

impl CliProfile {
    /// The TOML's value of one of [`SECRET_NAMES`].
    pub fn secret(&self, name: &str) -> Option<&str> {
        match name {
            "private_api_key" => self.private_api_key.as_deref(),
            "client_secret" => self.client_secret.as_deref(),
            "access_token" => self.access_token.as_deref(),
            "refresh_token" => self.refresh_token.as_deref(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CliConfig {
    pub version: Option<i64>,
    pub profiles: BTreeMap<String, CliProfile>,
}

/// Parses the file; the profile names are the top-level tables.
pub fn parse(text: &str) -> Result<CliConfig, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let mut cfg = CliConfig::default();
    for (key, value) in table {
        match (key.as_str(), value) {
            ("version", Value::Integer(v)) => cfg.version = Some(v),
            (name, Value::Table(t)) => {
                let s = |k: &str| {
                    t.get(k)
                        .and_then(Value::as_str)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                // The CLI reads its TOML through viper, which lowercases keys.
                cfg.profiles.insert(
                    name.to_lowercase(),
                    CliProfile {
                        auth_type: s("auth_type"),
                        org_id: s("org_id"),
                        project_id: s("project_id"),
                        service: s("service"),
                        ops_manager_url: s("ops_manager_url").or_else(|| s("base_url")),
                        output: s("output"),
                        public_api_key: s("public_api_key"),
                        private_api_key: s("private_api_key"),
                        client_id: s("client_id"),
                        client_secret: s("client_secret"),
                        access_token: s("access_token"),
                        refresh_token: s("refresh_token"),
                    },
                );
            }
            // Global settings (telemetry, mongosh path…) are not ours to read.
            _ => {}
        }
    }
    Ok(cfg)
}

/// The keyring service the Atlas CLI keeps a profile's secrets under.
pub fn keyring_service(profile: &str) -> String {
    format!("atlascli_{profile}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_2_profiles() {
        let cfg = parse(
            r#"
version = 2
telemetry_enabled = false

[default]
  auth_type = "api_keys"
  org_id = "a0123456789abcdef012345a"
  project_id = "65f1a2b3c4d5e6f708192a3c"
  output = "json"
  service = "cloud"

[gov]
  auth_type = "service_account"
  service = "cloudgov"
  client_id = "mdb_sa_id_1"
  client_secret = "mdb_sa_sk_2"
"#,
        )
        .unwrap();
        assert_eq!(cfg.version, Some(2));
        let d = &cfg.profiles["default"];
        assert_eq!(d.auth_type.as_deref(), Some("api_keys"));
        assert_eq!(d.project_id.as_deref(), Some("65f1a2b3c4d5e6f708192a3c"));
        assert!(
            d.public_api_key.is_none(),
            "version 2 keeps secrets in the keyring"
        );
        assert_eq!(
            cfg.profiles["gov"].client_secret.as_deref(),
            Some("mdb_sa_sk_2")
        );
        assert_eq!(keyring_service("gov"), "atlascli_gov");
    }

    #[test]
    fn bad_toml_is_an_error() {
        assert!(parse("[default\nx = 1").is_err());
    }
}
