//! A home directory as `atlas auth login` leaves it: an Atlas CLI profile
//! `[work]` holding a user-account token pair for a simulator, and a stand-in
//! `atlas` in `bin/` that renews the pair the way the real CLI does.

use std::path::Path;

/// A stand-in for the Atlas CLI: for `organizations list … --profile NAME`
/// it refreshes NAME's token at the simulator and writes the new pair into
/// its config, as the real CLI's token transport does.
pub const FAKE_ATLAS: &str = r#"#!/usr/bin/env python3
import json, os, re, sys, urllib.parse, urllib.request
args = sys.argv[1:]
with open(os.environ["FAKE_ATLAS_LOG"], "a") as log:
    log.write(" ".join(args) + "\n")
if args[:2] != ["organizations", "list"] or "--profile" not in args:
    sys.exit("fake atlas: unexpected command")
profile = args[args.index("--profile") + 1]
path = os.path.join(os.environ["XDG_CONFIG_HOME"], "atlascli", "config.toml")
text = open(path).read()
section = re.search(r"(?ms)^\[" + re.escape(profile) + r"\]\n(.*?)(?=^\[|\Z)", text)
fields = dict(re.findall(r'(?m)^\s*(\w+)\s*=\s*"([^"]*)"', section.group(1)))
if os.environ.get("FAKE_ATLAS_LEAK"):
    # A CLI failing verbosely: its debug output quotes what it holds.
    sys.stderr.write("DEBUG refresh_token=" + fields["refresh_token"] + "\n")
    sys.stderr.write("DEBUG Authorization: Bearer " + fields["access_token"] + "\n")
    sys.stderr.write("DEBUG new token " + os.environ["FAKE_ATLAS_LEAK"] + " issued\n")
    sys.stderr.write("Error: refresh failed for " + fields["refresh_token"] + "\n")
    sys.exit(1)
body = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": fields["refresh_token"]}).encode()
try:
    pair = json.load(urllib.request.urlopen(fields["ops_manager_url"] + "/api/private/unauth/account/device/token", body))
except urllib.error.HTTPError as e:
    sys.exit("Error: " + json.load(e)["errorCode"])
new = section.group(1)
new = new.replace(fields["access_token"], pair["access_token"]).replace(fields["refresh_token"], pair["refresh_token"])
open(path, "w").write(text.replace(section.group(1), new))
print("[]")
"#;

/// A temporary home: `.config/atlascli/config.toml` with profile `[work]`
/// (`access_token` as given, the simulator's refresh token) and
/// `bin/atlas`, the stand-in above. `FAKE_ATLAS_LOG` names where it logs.
pub fn cli_home(h: &atlas_sim::SimHandle, access_token: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join(".config/atlascli");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        format!(
            "version = 2\n\n[work]\n  auth_type = \"user_account\"\n  ops_manager_url = \"{}\"\n  access_token = \"{access_token}\"\n  refresh_token = \"{}\"\n",
            h.base_url(),
            h.credentials.refresh_token
        ),
    )
    .unwrap();
    write_atlas(&dir.path().join("bin"));
    dir
}

fn write_atlas(bin: &Path) {
    std::fs::create_dir_all(bin).unwrap();
    let atlas = bin.join("atlas");
    std::fs::write(&atlas, FAKE_ATLAS).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&atlas, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}
