//! The Atlas CLI's secrets read from a real Secret Service keyring
//! (gnome-keyring in a private D-Bus session), stored exactly as the CLI's
//! go-keyring stores them: attributes `service` = `atlascli_<profile>` and
//! `username` = the property. The default build reads it; `.ci/run`
//! installs gnome-keyring, secret-tool and dbus.

use std::process::Command;

use base64::Engine;

/// Runs `atlas-x509 ARGS` in a private D-Bus session with an unlocked
/// gnome-keyring holding `secrets` (service, username, value) and the Atlas
/// CLI config `toml`. Returns (success, stdout, stderr).
fn with_keyring(toml: &str, secrets: &[(&str, &str, &str)], args: &str) -> (bool, String, String) {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::create_dir_all(h.join(".config/atlascli")).unwrap();
    std::fs::create_dir_all(h.join(".local/share/keyrings")).unwrap();
    std::fs::write(h.join(".config/atlascli/config.toml"), toml).unwrap();
    let stores: String = secrets
        .iter()
        .map(|(service, user, value)| {
            format!("printf '%s' '{value}' | secret-tool store --label=x service {service} username {user}\n")
        })
        .collect();
    let script = format!(
        r#"set -e
export HOME='{h}' XDG_DATA_HOME='{h}/.local/share' XDG_CONFIG_HOME='{h}/.config'
eval "$(printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
# --unlock returns a moment before the daemon owns org.freedesktop.secrets;
# a secret-tool call in that gap would start a second, locked daemon.
# Waited for by name, up to a minute (a loaded machine is slow to start it).
owned() {{
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
    | grep -q 'boolean true'
}}
for _ in $(seq 1 1200); do
  owned && break
  sleep 0.05
done
owned || {{ echo 'gnome-keyring-daemon never took org.freedesktop.secrets' >&2; exit 1; }}
{stores}
'{bin}' {args}
"#,
        h = h.display(),
        bin = env!("CARGO_BIN_EXE_atlas-x509")
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "bash", "-c", &script])
        .output()
        .expect(
            "dbus-run-session, gnome-keyring and secret-tool are installed (.ci/run installs them)",
        );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn api_key_secrets_come_from_gnome_keyring() {
    let (ok, text, err) = with_keyring(
        "version = 2\n\n[default]\n  auth_type = \"api_keys\"\n  project_id = \"65f1a2b3c4d5e6f708192a3c\"\n",
        &[
            ("atlascli_default", "public_api_key", "ringpubk"),
            ("atlascli_default", "private_api_key", "ring-private-1111"),
        ],
        "config show",
    );
    assert!(ok, "{text}\n{err}");
    assert!(text.contains("public_api_key         ringpubk"), "{text}");
    assert!(
        text.contains("(keyring service atlascli_default)"),
        "{text}"
    );
    assert!(
        text.contains("2 secret(s) read from service atlascli_default"),
        "config show says the keyring was used: {text}"
    );
    assert!(!text.contains("ring-private-1111"));
}

#[test]
fn a_user_account_token_comes_from_gnome_keyring() {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let exp = jiff::Timestamp::now().as_second() + 3600;
    let token = format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64(&format!(r#"{{"sub":"ana@example.com","exp":{exp}}}"#))
    );
    // A profile with another name than `default`, the only one: it is used.
    let (ok, text, err) = with_keyring(
        "version = 2\n\n[Work]\n  auth_type = \"user_account\"\n  org_id = \"a0123456789abcdef012345a\"\n",
        &[
            ("atlascli_work", "access_token", &token),
            ("atlascli_work", "refresh_token", "refresh-secret-77"),
        ],
        "config show",
    );
    assert!(ok, "{text}\n{err}");
    assert!(
        text.contains("user_account           ana@example.com"),
        "{text}"
    );
    assert!(text.contains("valid until"), "{text}");
    assert!(text.contains("(keyring service atlascli_work)"), "{text}");
    assert!(!text.contains(&token) && !text.contains("refresh-secret-77"));
}

#[test]
fn without_a_keyring_the_toml_secrets_are_used_and_config_show_says_so() {
    // No D-Bus session at all: the keyring cannot be asked.
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::create_dir_all(h.join(".config/atlascli")).unwrap();
    std::fs::write(
        h.join(".config/atlascli/config.toml"),
        "[default]\n  public_api_key = \"tomlpubk\"\n  private_api_key = \"toml-private\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_atlas-x509"))
        .args(["config", "show"])
        .env_clear()
        .env("HOME", h)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("public_api_key         tomlpubk"), "{text}");
    assert!(
        text.contains("keyring                unavailable"),
        "{text}"
    );
    assert!(
        text.contains("secrets read from the Atlas CLI's TOML"),
        "{text}"
    );
}
