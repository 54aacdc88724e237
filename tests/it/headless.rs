//! Every headless command through the real binary against the simulator:
//! tables, `--json` shapes, exit codes, and the issue guards.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::*;
use serde_json::Value;

struct Run {
    home: tempfile::TempDir,
}

impl Run {
    fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// The binary with a clean home (no real configs) and the given environment.
    fn cmd(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_atlas-x509"));
        c.args(args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(self.home.path())
            .stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
}

fn run(r: &Run, h: &atlas_sim::SimHandle, args: &[&str]) -> Output {
    let env = api_key_env(h);
    let env = pairs(&env);
    r.cmd(&env, args)
}

fn json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_commands() {
    let h = sim().await;
    let r = Run::new();
    let projects = json(&run(&r, &h, &["projects", "--json"]));
    assert_eq!(projects.as_array().unwrap().len(), 4);
    for key in ["id", "name", "orgId", "clusterCount", "created"] {
        assert!(projects[0].get(key).is_some(), "{key}");
    }
    let table = run(&r, &h, &["projects"]);
    assert!(String::from_utf8_lossy(&table.stdout).starts_with("ID "));

    let users = json(&run(&r, &h, &["users", "--project", ORDERS, "--json"]));
    assert_eq!(users.as_array().unwrap().len(), 8);
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "CN=orders-api,OU=svc,O=acme" && u["x509Type"] == "CUSTOMER")
    );

    let all = json(&run(
        &r,
        &h,
        &[
            "certs",
            "--project",
            ORDERS,
            "--user",
            "load-tester",
            "--all",
            "--per-page",
            "500",
            "--json",
        ],
    ));
    assert_eq!(all["totalCount"], 1201);
    let results = all["results"].as_array().unwrap();
    assert_eq!(results.len(), 1201);
    let first = &results[0];
    assert!(first["_id"].is_u64());
    assert_eq!(
        first["serialHex"],
        format!("{:X}", first["_id"].as_u64().unwrap())
    );
    let page = json(&run(
        &r,
        &h,
        &[
            "certs",
            "--project",
            ORDERS,
            "--user",
            "load-tester",
            "--page",
            "3",
            "--per-page",
            "500",
            "--json",
        ],
    ));
    assert_eq!(
        (
            page["page"].as_u64(),
            page["results"].as_array().unwrap().len()
        ),
        (Some(3), 201)
    );

    let sec = json(&run(&r, &h, &["security", "--project", PAYMENTS, "--json"]));
    assert_eq!(
        (
            sec["customerX509"]["configured"].as_bool(),
            sec["customerX509"]["caCount"].as_u64()
        ),
        (Some(true), Some(2))
    );

    // The default project comes from the environment.
    let mut env = api_key_env(&h);
    env.push(("MONGODB_ATLAS_PROJECT_ID", ORDERS.to_string()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let soon = r.cmd(&env, &["expiring", "--within", "30d", "--json"]);
    let soon = json(&soon);
    let soon = soon.as_array().unwrap();
    assert!(!soon.is_empty());
    // Users with no certificate come first (past due), with no serial.
    let (without, with): (Vec<&Value>, Vec<&Value>) = soon.iter().partition(|c| c["_id"].is_null());
    assert!(
        soon[..without.len()].iter().all(|c| c["_id"].is_null()),
        "users with none first: {soon:?}"
    );
    assert!(
        with.iter().all(|c| c["daysLeft"].as_i64().unwrap() <= 30),
        "{soon:?}"
    );
    assert!(
        with.windows(2)
            .all(|w| w[0]["notAfter"].as_str() <= w[1]["notAfter"].as_str()),
        "soonest first"
    );
    // alice's expiring certificate is not her newest: only --all-certs
    // lists it.
    assert!(!with.iter().any(|c| c["username"] == "alice"), "{soon:?}");
    let all = r.cmd(
        &env,
        &["expiring", "--within", "30d", "--all-certs", "--json"],
    );
    let all = json(&all);
    let all = all.as_array().unwrap();
    assert!(all.iter().any(|c| c["username"] == "alice"), "{all:?}");
    assert!(
        with.iter().all(|c| all.contains(c)),
        "every newest certificate is among all of them"
    );
    // One row per user: the newest certificate.
    let users: std::collections::BTreeSet<&str> = soon
        .iter()
        .map(|c| c["username"].as_str().unwrap())
        .collect();
    assert_eq!(users.len(), soon.len(), "{soon:?}");
    let none = r.cmd(&env, &["expiring", "--within", "1h", "--json"]);
    let none = json(&none);
    assert_eq!(
        none.as_array().unwrap().len(),
        without.len(),
        "within an hour: only the users with none: {none}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_writes_a_0600_pem_and_keeps_its_guards() {
    let h = sim().await;
    let r = Run::new();
    let out = r.home.path().join("alice.pem");
    let o = run(
        &r,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "6",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    let v = json(&o);
    assert_eq!(v["path"], out.to_str().unwrap());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("BEGIN CERTIFICATE") && text.contains("BEGIN PRIVATE KEY"));
    let serial: u64 = v["serial"].as_str().unwrap().parse().unwrap();
    let listed = json(&run(
        &r,
        &h,
        &["certs", "--project", ORDERS, "--user", "alice", "--json"],
    ));
    assert!(
        listed["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["_id"] == serial)
    );

    // The file exists: refused before anything is issued.
    let posts = count_served(&h, "POST", "/certs");
    let o = run(
        &r,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "6",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("exists; pass --overwrite"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        count_served(&h, "POST", "/certs"),
        posts,
        "no certificate was minted"
    );
    let o = run(
        &r,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "6",
            "--out",
            "/nonexistent-dir/a.pem",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(count_served(&h, "POST", "/certs"), posts);

    // A directory gets <user>-<serial>.pem inside it.
    let dir = r.home.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    let v = json(&run(
        &r,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "svc.orders",
            "--months",
            "1",
            "--out",
            dir.to_str().unwrap(),
            "--json",
        ],
    ));
    let serial: u64 = v["serial"].as_str().unwrap().parse().unwrap();
    assert!(Path::new(&dir.join(format!("svc.orders-{serial}.pem"))).exists());

    // `--out -`: the PEM alone on stdout.
    let o = run(
        &r,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "1",
            "--out",
            "-",
        ],
    );
    assert!(o.status.success());
    let pem = String::from_utf8(o.stdout).unwrap();
    assert!(
        pem.starts_with("-----BEGIN CERTIFICATE-----") && pem.contains("-----END PRIVATE KEY-----")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_and_exit_codes() {
    let h = sim().await;
    let r = Run::new();
    let o = run(
        &r,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "25",
            "--out",
            "x.pem",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "usage");
    let o = run(
        &r,
        &h,
        &[
            "issue",
            "--project",
            PAYMENTS,
            "--user",
            "CN=app,OU=ops,O=acme",
            "--months",
            "3",
            "--out",
            "x.pem",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("USER_NOT_MANAGED_X509 (400)"),
        "{}",
        stderr(&o)
    );
    let o = run(&r, &h, &["users", "--project", "111111111111111111111111"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("GROUP_NOT_FOUND (404): No group with ID 111111111111111111111111 exists.")
    );
    let o = run(&r, &h, &["users", "--project", "not-an-id"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&r, &h, &["users"]);
    assert_eq!(o.status.code(), Some(2), "no project anywhere");
    assert!(stderr(&o).contains("no project"));

    let bad = [
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url()),
        (
            "MONGODB_ATLAS_PUBLIC_API_KEY",
            h.credentials.public_key.as_str(),
        ),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", "wrong-private-key"),
    ];
    let o = r.cmd(&bad, &["projects"]);
    assert_eq!(o.status.code(), Some(3), "auth");
    assert!(
        stderr(&o).contains("Atlas refused the credentials"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("wrong-private-key"));
    let o = r.cmd(&[], &["projects"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("No Atlas credentials were found"));
    assert!(stderr(&o).contains("--demo"));
    let o = r.cmd(
        &[
            ("MONGODB_ATLAS_OPS_MANAGER_URL", "http://atlas.example"),
            ("MONGODB_ATLAS_PUBLIC_API_KEY", "p"),
            ("MONGODB_ATLAS_PRIVATE_API_KEY", "s"),
        ],
        &["projects"],
    );
    assert_eq!(
        o.status.code(),
        Some(3),
        "credentials over plain http are refused"
    );
    assert!(stderr(&o).contains("refusing to send credentials over plain http"));
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_needs_yes_without_a_terminal() {
    let h = sim().await;
    let r = Run::new();
    let o = run(&r, &h, &["disable-customer-x509", "--project", PAYMENTS]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("without --yes"));
    assert_eq!(count_served(&h, "DELETE", "customerX509"), 0);
    let v = json(&run(
        &r,
        &h,
        &[
            "disable-customer-x509",
            "--project",
            PAYMENTS,
            "--yes",
            "--json",
        ],
    ));
    assert_eq!(v["changed"], true);
    assert_eq!(count_served(&h, "DELETE", "customerX509"), 1);
    let v = json(&run(
        &r,
        &h,
        &[
            "disable-customer-x509",
            "--project",
            PAYMENTS,
            "--yes",
            "--json",
        ],
    ));
    assert_eq!(v["changed"], false, "nothing left to disable");
    assert_eq!(count_served(&h, "DELETE", "customerX509"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn atlas_cli_profiles_and_config_show() {
    let h = sim().await;
    let r = Run::new();
    let dir = r.home.path().join(".config/atlascli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "version = 2\n\n[work]\n  auth_type = \"service_account\"\n  client_id = \"{}\"\n  client_secret = \"{}\"\n  ops_manager_url = \"{}\"\n  project_id = \"{ORDERS}\"\n",
            h.credentials.client_id,
            h.credentials.client_secret,
            h.base_url()
        ),
    )
    .unwrap();
    let o = r.cmd(&[], &["--profile", "work", "users", "--json"]);
    assert_eq!(
        json(&o).as_array().unwrap().len(),
        8,
        "profile credentials and default project"
    );
    let o = r.cmd(&[], &["--profile", "work", "config", "show"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("client_secret          ******** (set, never shown)"),
        "{text}"
    );
    assert!(!text.contains(&h.credentials.client_secret));
    assert!(text.contains(&format!("project_id             {ORDERS}")));
    assert!(text.contains("atlascli/config.toml [work]"));
    // atlas-x509's own config: unknown keys are reported.
    let own = r.home.path().join(".config/atlas-x509");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(
        own.join("config.toml"),
        "profile = \"work\"\nitems_per_page = 50\nfancy = true\n",
    )
    .unwrap();
    let o = r.cmd(&[], &["config", "show"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("items_per_page         50"), "{text}");
    assert!(text.contains("unknown key `fancy`"));
}

#[test]
fn an_empty_home_never_reads_a_config_planted_in_the_current_directory() {
    let cwd = tempfile::tempdir().unwrap();
    for app in ["atlascli", "atlas-x509"] {
        let dir = cwd.path().join(".config").join(app);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("config.toml"),
            "version = 2\n[default]\nops_manager_url = \"https://evil.example/\"\nprofile = \"default\"\n",
        )
        .unwrap();
    }
    for home in ["", "relative"] {
        let o = Command::new(env!("CARGO_BIN_EXE_atlas-x509"))
            .args(["config", "show"])
            .env_clear()
            .env("HOME", home)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(cwd.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(!text.contains("evil.example"), "HOME={home:?}: {text}");
        assert!(text.contains("https://cloud.mongodb.com"), "{text}");
    }
}
