//! Where settings come from: flags, env, the Atlas CLI's profile (keyring,
//! then TOML), atlas-x509's own config, defaults — with real sample files.

use std::collections::HashMap;
use std::path::PathBuf;

use atlas_client::Credentials;
use atlas_x509::config::{self, Flags, Inputs, Resolved, Source};
use atlas_x509::pem::clipboard::ClipboardMode;

const CLI_V2: &str = r#"
version = 2
telemetry_enabled = false

[default]
  auth_type = "api_keys"
  org_id = "a0123456789abcdef012345a"
  project_id = "65f1a2b3c4d5e6f708192a3c"
  service = "cloud"
  output = "plaintext"

[gov]
  auth_type = "service_account"
  service = "cloudgov"
  project_id = "65f1a2b3c4d5e6f708192a3d"

[nokeyring]
  auth_type = "api_keys"
  public_api_key = "tomlpubk"
  private_api_key = "toml-private-0000"

[me]
  auth_type = "user_account"
"#;

fn resolve(
    flags: Flags,
    env: &[(&str, &str)],
    cli: Option<&str>,
    own: Option<&str>,
    keyring: &[(&str, &str, &str)],
) -> Resolved {
    let mcli_env = env.iter().any(|(k, _)| k.starts_with("MCLI"));
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let keyring: Vec<(String, String, String)> = keyring
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    let get = move |n: &str| env.get(n).cloned();
    let kr = move |service: &str, key: &str| -> Result<Option<String>, String> {
        if keyring.is_empty() {
            return Err("no keyring".into());
        }
        Ok(keyring
            .iter()
            .find(|(s, k, _)| s == service && k == key)
            .map(|(_, _, v)| v.clone()))
    };
    config::resolve(Inputs {
        flags,
        env: &get,
        mcli_env,
        atlascli: (
            PathBuf::from("/home/u/.config/atlascli/config.toml"),
            cli.map(|t| Ok(t.to_string())),
        ),
        own: (
            PathBuf::from("/home/u/.config/atlas-x509/config.toml"),
            own.map(|t| Ok(t.to_string())),
        ),
        keyring: &kr,
    })
}

const KEYRING: &[(&str, &str, &str)] = &[
    ("atlascli_default", "public_api_key", "ringpubk"),
    ("atlascli_default", "private_api_key", "ring-private-1111"),
    ("atlascli_gov", "client_id", "mdb_sa_id_gov"),
    ("atlascli_gov", "client_secret", "mdb_sa_sk_gov"),
];

#[test]
fn profile_secrets_come_from_the_keyring() {
    let r = resolve(Flags::default(), &[], Some(CLI_V2), None, KEYRING);
    let Credentials::ApiKey { public_key, .. } = &r.credentials else {
        panic!("{:?}", r.credentials)
    };
    assert_eq!(public_key, "ringpubk");
    let (p, s) = r.credential_sources.clone().unwrap();
    assert_eq!(
        p,
        Source::Keyring {
            service: "atlascli_default".into()
        }
    );
    assert_eq!(
        s,
        Source::Keyring {
            service: "atlascli_default".into()
        }
    );
    assert_eq!(
        r.project_id.as_ref().unwrap().value,
        "65f1a2b3c4d5e6f708192a3c"
    );
    assert_eq!(r.org_id.as_ref().unwrap().value, "a0123456789abcdef012345a");
    assert_eq!(r.base_url.value, "https://cloud.mongodb.com");
}

#[test]
fn cloudgov_service_accounts() {
    let flags = Flags {
        profile: Some("gov".into()),
        ..Flags::default()
    };
    let r = resolve(flags, &[], Some(CLI_V2), None, KEYRING);
    assert!(
        matches!(&r.credentials, Credentials::ServiceAccount { client_id, .. } if client_id == "mdb_sa_id_gov")
    );
    assert_eq!(r.base_url.value, "https://cloud.mongodbgov.com");
    assert!(matches!(r.base_url.source, Source::AtlasCli { ref profile, .. } if profile == "gov"));
}

#[test]
fn without_a_keyring_toml_secrets_are_read() {
    let flags = Flags {
        profile: Some("nokeyring".into()),
        ..Flags::default()
    };
    let r = resolve(flags, &[], Some(CLI_V2), None, &[]);
    assert_eq!(r.credentials.public_id(), Some("tomlpubk"));
    assert!(
        r.looked.iter().any(|l| l.contains("keyring: no keyring")),
        "{:?}",
        r.looked
    );
}

#[test]
fn env_beats_the_profile_and_flags_beat_env() {
    let env = [
        ("MONGODB_ATLAS_PUBLIC_API_KEY", "envpubkk"),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", "env-private-2222"),
        ("MONGODB_ATLAS_PROJECT_ID", "65f1a2b3c4d5e6f708192a3e"),
        ("MONGODB_ATLAS_BASE_URL", "https://base.example"),
        (
            "MONGODB_ATLAS_OPS_MANAGER_URL",
            "https://opsmanager.example",
        ),
    ];
    let r = resolve(Flags::default(), &env, Some(CLI_V2), None, KEYRING);
    assert_eq!(r.credentials.public_id(), Some("envpubkk"));
    assert_eq!(
        r.project_id.as_ref().unwrap().value,
        "65f1a2b3c4d5e6f708192a3e"
    );
    assert_eq!(
        r.base_url.value, "https://opsmanager.example",
        "OPS_MANAGER_URL wins over BASE_URL"
    );
    let flags = Flags {
        public_api_key: Some("flagpubk".into()),
        private_api_key: Some("flag-private".into()),
        base_url: Some("https://flag.example".into()),
        project_id: Some("65f1a2b3c4d5e6f708192a3b".into()),
        ..Flags::default()
    };
    let r = resolve(flags, &env, Some(CLI_V2), None, KEYRING);
    assert_eq!(r.credentials.public_id(), Some("flagpubk"));
    assert_eq!(
        r.credential_sources.unwrap().1,
        Source::Flag("--private-api-key-file")
    );
    assert_eq!(r.base_url.value, "https://flag.example");
    assert_eq!(r.project_id.unwrap().source, Source::Flag("--project"));
}

#[test]
fn legacy_mcli_names_and_service_variable() {
    let env = [
        ("MCLI_CLIENT_ID", "mdb_sa_id_m"),
        ("MCLI_CLIENT_SECRET", "mdb_sa_sk_m"),
        ("MCLI_SERVICE", "cloudgov"),
        ("MCLI_ORG_ID", "b0123456789abcdef012345b"),
    ];
    let r = resolve(Flags::default(), &env, None, None, &[]);
    assert!(
        matches!(&r.credentials, Credentials::ServiceAccount { client_id, .. } if client_id == "mdb_sa_id_m")
    );
    assert_eq!(r.base_url.value, "https://cloud.mongodbgov.com");
    assert_eq!(r.org_id.unwrap().source, Source::Env("MCLI_ORG_ID".into()));
    // With MCLI variables set, the Atlas CLI reads no MONGODB_ATLAS_* one.
    let mixed = [
        ("MCLI_CLIENT_ID", "mdb_sa_id_m"),
        ("MCLI_CLIENT_SECRET", "mdb_sa_sk_m"),
        ("MONGODB_ATLAS_SERVICE", "cloudgov"),
    ];
    let r = resolve(Flags::default(), &mixed, None, None, &[]);
    assert_eq!(r.base_url.value, "https://cloud.mongodb.com");
}

#[test]
fn half_pairs_and_user_accounts_are_explained() {
    let r = resolve(
        Flags::default(),
        &[("MONGODB_ATLAS_PUBLIC_API_KEY", "onlypubk")],
        None,
        None,
        &[],
    );
    assert!(r.credentials.is_none());
    assert!(r.problems.iter().any(|p| p.contains("public half is set") && p.contains("MONGODB_ATLAS_PUBLIC_API_KEY")), "{:?}", r.problems);
    let flags = Flags {
        profile: Some("me".into()),
        ..Flags::default()
    };
    let r = resolve(flags, &[], Some(CLI_V2), None, KEYRING);
    assert!(r.credentials.is_none());
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("holds no access token")
                && p.contains("atlas auth login --profile me")),
        "{:?}",
        r.problems
    );
    let flags = Flags {
        profile: Some("nosuch".into()),
        ..Flags::default()
    };
    let r = resolve(flags, &[], Some(CLI_V2), None, KEYRING);
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("no profile named \"nosuch\""))
    );
}

#[test]
fn nothing_found_says_where_it_looked() {
    let r = resolve(Flags::default(), &[], None, None, &[]);
    assert!(r.credentials.is_none());
    let looked = r.looked.join("\n");
    assert!(
        looked.contains("/home/u/.config/atlascli/config.toml: not found"),
        "{looked}"
    );
    assert!(looked.contains("MONGODB_ATLAS_PUBLIC_API_KEY"));
    assert!(looked.contains("--client-id"));
}

#[test]
fn own_config_settings_and_precedence() {
    let own = r#"
profile = "gov"
items_per_page = 50
default_months = 12
clipboard = "off"
timeout = 9
save_dir = "~/certs"
mystery = 1
[theme]
color = false
[keys]
issue = "I"
"#;
    let r = resolve(Flags::default(), &[], Some(CLI_V2), Some(own), KEYRING);
    assert_eq!(r.profile.value, "gov", "the own config picks the profile");
    assert_eq!(
        (
            r.items_per_page.value,
            r.default_months.value,
            r.timeout.value
        ),
        (50, 12, 9)
    );
    assert_eq!(r.clipboard.value, ClipboardMode::Off);
    assert!(!r.color.value);
    assert_eq!(r.keys["issue"], ["I"]);
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("unknown key `mystery`"))
    );
    let flags = Flags {
        items_per_page: Some(500),
        timeout: Some(60),
        ..Flags::default()
    };
    let r = resolve(flags, &[("NO_COLOR", "1")], None, Some(own), &[]);
    assert_eq!((r.items_per_page.value, r.timeout.value), (500, 60));
    assert_eq!(r.color.source, Source::Env("NO_COLOR".into()));
}

#[test]
fn config_show_masks_secrets() {
    let r = resolve(Flags::default(), &[], Some(CLI_V2), None, KEYRING);
    let text = config::show(&r, 0);
    assert!(text.contains("ringpubk"));
    assert!(!text.contains("ring-private-1111"), "{text}");
    assert!(!text.contains("ring-p"), "not even a prefix");
    assert!(text.contains("private_api_key        ******** (set, never shown)"));
    assert!(text.contains("(keyring service atlascli_default)"));
    assert!(text.contains("project_id             65f1a2b3c4d5e6f708192a3c"));
}

#[test]
fn key_clashes_are_reported_at_start() {
    let own = "[keys]\nrefresh = \"j\"\nissue = \"I\"\n";
    let mut r = resolve(Flags::default(), &[], None, Some(own), &[]);
    atlas_x509::ui::check_settings(&mut r);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(r.problems[0].contains("keys.refresh") && r.problems[0].contains("clashes with down"));
    assert!(config::show(&r, 0).contains("problems:"));
}

#[test]
fn a_sole_profile_is_used_whatever_its_name() {
    let cli = "version = 2\n[Work]\n  auth_type = \"api_keys\"\n  public_api_key = \"solepub\"\n  private_api_key = \"sole-secret\"\n";
    let r = resolve(Flags::default(), &[], Some(cli), None, &[]);
    assert_eq!(r.profile.value, "work", "the CLI lowercases profile names");
    assert!(matches!(r.profile.source, Source::OnlyProfile(_)));
    assert_eq!(r.credentials.public_id(), Some("solepub"));
    assert!(
        config::show(&r, 0).contains("the only profile in"),
        "config show says why"
    );
    // Two profiles: no guess, `default` as the CLI does.
    let r = resolve(Flags::default(), &[], Some(CLI_V2), None, KEYRING);
    assert_eq!(
        (r.profile.value.as_str(), &r.profile.source),
        ("default", &Source::Default)
    );
}

#[test]
fn profile_names_from_flags_and_env_are_lowercased() {
    let flags = Flags {
        profile: Some("GOV".into()),
        ..Flags::default()
    };
    let r = resolve(flags, &[], Some(CLI_V2), None, KEYRING);
    assert_eq!(r.profile.value, "gov");
    assert_eq!(r.credentials.public_id(), Some("mdb_sa_id_gov"));
    let r = resolve(
        Flags::default(),
        &[("MONGODB_ATLAS_PROFILE", "Gov")],
        Some(CLI_V2),
        None,
        KEYRING,
    );
    assert_eq!(r.profile.value, "gov");
}

#[test]
fn any_mcli_variable_makes_the_mcli_family_the_only_one_read() {
    let both = [
        ("MONGODB_ATLAS_PUBLIC_API_KEY", "atlaspub"),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", "atlas-secret"),
        ("MCLI_PUBLIC_API_KEY", "mclipub"),
        ("MCLI_PRIVATE_API_KEY", "mcli-secret"),
    ];
    let r = resolve(Flags::default(), &both, None, None, &[]);
    assert_eq!(r.credentials.public_id(), Some("mclipub"));
    // An unrelated MCLI variable is enough for the CLI to stop reading MONGODB_ATLAS_*.
    let r = resolve(
        Flags::default(),
        &[
            ("MONGODB_ATLAS_PUBLIC_API_KEY", "atlaspub"),
            ("MONGODB_ATLAS_PRIVATE_API_KEY", "atlas-secret"),
            ("MCLI_TELEMETRY_ENABLED", "false"),
        ],
        None,
        None,
        &[],
    );
    assert!(r.credentials.is_none(), "as the Atlas CLI reads them");
    let r = resolve(Flags::default(), &both[..2], None, None, &[]);
    assert_eq!(r.credentials.public_id(), Some("atlaspub"));
}

/// A JWT as `atlas auth login` stores it (the signature is not ours to check).
fn jwt(sub: &str, exp: i64) -> String {
    use base64::Engine;
    let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.c2ln",
        e(r#"{"alg":"RS256"}"#),
        e(&format!(r#"{{"sub":"{sub}","exp":{exp}}}"#))
    )
}

fn user_subject(r: &Resolved) -> Option<&str> {
    match &r.credentials {
        Credentials::UserAccount { subject, .. } => subject.as_deref(),
        _ => None,
    }
}

#[test]
fn user_account_profiles_from_the_keyring_or_the_toml() {
    let token = jwt("ana@example.com", 4_000_000_000);
    let flags = Flags {
        profile: Some("me".into()),
        ..Flags::default()
    };
    // Keyring (the CLI since v1.47 where one exists).
    let ring = [
        ("atlascli_me", "access_token", token.as_str()),
        ("atlascli_me", "refresh_token", "r1"),
    ];
    let r = resolve(flags.clone(), &[], Some(CLI_V2), None, &ring);
    assert_eq!(user_subject(&r), Some("ana@example.com"));
    assert_eq!(r.credentials.kind_label(), "user account");
    assert_eq!(
        r.credential_sources.as_ref().unwrap().1,
        Source::Keyring {
            service: "atlascli_me".into()
        }
    );
    assert_eq!(r.credentials.expires_at(), Some(4_000_000_000));
    // The TOML (no keyring on this machine).
    let toml = format!(
        "[me]\n  auth_type = \"user_account\"\n  access_token = \"{token}\"\n  refresh_token = \"r1\"\n"
    );
    let r = resolve(flags, &[], Some(&toml), None, &[]);
    assert_eq!(user_subject(&r), Some("ana@example.com"));
    let text = config::show(&r, 0);
    assert!(
        text.contains("user_account           ana@example.com"),
        "{text}"
    );
    assert!(text.contains("valid until 2096-"), "{text}");
    assert!(!text.contains(&token), "the token is never shown");
    let expired = config::show(&r, 4_000_000_000);
    assert!(expired.contains("expired 2096-"), "{expired}");
    assert!(!format!("{:?}", r.credentials).contains(&token));
}

#[test]
fn without_auth_type_the_kind_is_inferred_as_the_cli_does() {
    let token = jwt("ana@example.com", 4_000_000_000);
    // Both tokens and an API key: the user account wins over the key.
    let both = format!(
        "[default]\n  access_token = \"{token}\"\n  refresh_token = \"r\"\n  public_api_key = \"pk\"\n  private_api_key = \"sk\"\n"
    );
    let r = resolve(Flags::default(), &[], Some(&both), None, &[]);
    assert_eq!(user_subject(&r), Some("ana@example.com"));
    // An access token without its refresh token is not a user account to the CLI.
    let half = format!(
        "[default]\n  access_token = \"{token}\"\n  public_api_key = \"pk\"\n  private_api_key = \"sk\"\n"
    );
    let r = resolve(Flags::default(), &[], Some(&half), None, &[]);
    assert_eq!(r.credentials.public_id(), Some("pk"));
    // A service account wins over both.
    let sa = format!("{both}  client_id = \"mdb_sa_id_x\"\n  client_secret = \"mdb_sa_sk_y\"\n");
    let r = resolve(Flags::default(), &[], Some(&sa), None, &[]);
    assert_eq!(r.credentials.public_id(), Some("mdb_sa_id_x"));
}

#[test]
fn access_token_from_the_environment() {
    let token = jwt("bo@example.com", 4_000_000_000);
    let r = resolve(
        Flags::default(),
        &[("MONGODB_ATLAS_ACCESS_TOKEN", token.as_str())],
        Some(CLI_V2),
        None,
        KEYRING,
    );
    assert_eq!(user_subject(&r), Some("bo@example.com"));
    assert_eq!(
        r.credential_sources.as_ref().unwrap().0,
        Source::Env("MONGODB_ATLAS_ACCESS_TOKEN".into())
    );
    let Credentials::UserAccount { origin, .. } = &r.credentials else {
        unreachable!()
    };
    assert_eq!(
        origin.profile, None,
        "renewed by setting the variable, not by a profile"
    );
    // With an API key beside it: the token, as the CLI, and a note.
    let r = resolve(
        Flags::default(),
        &[
            ("MONGODB_ATLAS_ACCESS_TOKEN", token.as_str()),
            ("MONGODB_ATLAS_PUBLIC_API_KEY", "pk"),
            ("MONGODB_ATLAS_PRIVATE_API_KEY", "sk"),
        ],
        None,
        None,
        &[],
    );
    assert_eq!(user_subject(&r), Some("bo@example.com"));
    assert!(r.problems.iter().any(|p| p.contains("more than one kind")));
    // MCLI_ACCESS_TOKEN under the MCLI family.
    let r = resolve(
        Flags::default(),
        &[("MCLI_ACCESS_TOKEN", token.as_str())],
        None,
        None,
        &[],
    );
    assert_eq!(user_subject(&r), Some("bo@example.com"));
}
