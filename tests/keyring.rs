//! The Atlas CLI's secrets read from a real Secret Service keyring
//! (gnome-keyring in a private D-Bus session), stored exactly as the CLI's
//! go-keyring stores them: attributes `service` = `atlascli_<profile>` and
//! `username` = the property. Needs `--features keyring`; `.ci/run` runs it.
#![cfg(feature = "keyring")]

use std::process::Command;

#[test]
fn profile_secrets_come_from_gnome_keyring() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::create_dir_all(h.join(".config/atlascli")).unwrap();
    std::fs::create_dir_all(h.join(".local/share/keyrings")).unwrap();
    std::fs::write(
        h.join(".config/atlascli/config.toml"),
        "version = 2\n\n[default]\n  auth_type = \"api_keys\"\n  project_id = \"65f1a2b3c4d5e6f708192a3c\"\n",
    )
    .unwrap();
    let script = format!(
        r#"set -e
export HOME='{h}' XDG_DATA_HOME='{h}/.local/share' XDG_CONFIG_HOME='{h}/.config'
eval "$(printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
# --unlock returns a moment before the daemon owns org.freedesktop.secrets;
# a secret-tool call in that gap would start a second, locked daemon.
for _ in $(seq 1 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
    | grep -q 'boolean true' && break
  sleep 0.05
done
printf 'ringpubk' | secret-tool store --label=x service atlascli_default username public_api_key
printf 'ring-private-1111' | secret-tool store --label=x service atlascli_default username private_api_key
'{bin}' config show
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
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("public_api_key         ringpubk"), "{text}");
    assert!(
        text.contains("(keyring service atlascli_default)"),
        "{text}"
    );
    assert!(!text.contains("ring-private-1111"));
}
